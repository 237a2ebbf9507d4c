"""The step-through's words as rich text: a line escaped, and lines as blocks."""
from __future__ import annotations

import html
import re

# A letter with a combining mark (Adam's m̂ and v̂): the upright face of DejaVu Sans, the usual
# sans-serif on Linux, draws the mark one line too high, out of sight (or onto the line above).
# Its oblique face puts it on the letter, and a variable is italic anyway.
_MARKED = re.compile("\\w[\u0300-\u036f]+")


def text_html(text: str) -> str:
    """``text`` escaped for a rich-text label, every letter with a combining mark in italics."""
    return _MARKED.sub(lambda m: f"<i>{m.group(0)}</i>", html.escape(text))


def lines_html(lines, mono: bool = False) -> str:
    """Each line a block; in ``mono``, lines whose " = " stand in one column (a view's
    "  z = […]" over "  a = […]") become the rows of a table, the names right-aligned in
    theirs and the values in the next, so a value too long for the panel wraps within its
    column instead of under the names."""
    if not mono:
        return "".join(f"<div style='margin:1px 0'>{text_html(line)}</div>" for line in lines)
    out, run = [], []

    def flush():
        if len(run) > 1:
            rows = "".join(f"<tr><td align='right' style='white-space:pre'>"
                           f"{html.escape(line[:k].strip())}</td><td style='white-space:pre-wrap'>"
                           f"{html.escape(line[k:])}</td></tr>" for k, line in run)
            out.append(f"<table cellspacing='0' cellpadding='0' style='font-family:monospace; "
                       f"margin:1px 0'>{rows}</table>")
        else:
            out.extend(_mono_div(line) for _, line in run)
        run.clear()

    for line in lines:
        k = line.find(" = ")
        if run and (k != run[0][0] or k <= 0):
            flush()
        if k > 0:
            run.append((k, line))
        else:
            out.append(_mono_div(line))
    flush()
    return "".join(out)


def _mono_div(line: str) -> str:   # (a monospaced face places combining marks right)
    return (f"<div style='font-family:monospace; white-space:pre-wrap; margin:1px 0'>"
            f"{html.escape(line)}</div>")
