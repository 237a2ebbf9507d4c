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


def lines_html(lines, mono: bool = False, char_px: float = 0.0) -> str:
    """Each line a block. In ``mono`` (``char_px``: the monospaced face's character width),
    lines whose " = " stand in one column (a view's "  z = […]" over "  a = […]") get a
    hanging indent to that column, so a value too long for the panel wraps under itself
    instead of under the names. (A table does the same but costs Qt's rich text several
    times as much to lay out: the Row by row view took 3× a training step to show.)"""
    if not mono:
        return "".join(f"<div style='margin:1px 0'>{text_html(line)}</div>" for line in lines)
    columns = [line.find(" = ") for line in lines]
    out = []
    for i, (line, k) in enumerate(zip(lines, columns)):
        aligned = k > 0 and char_px > 0 and (
            (i > 0 and columns[i - 1] == k) or (i + 1 < len(lines) and columns[i + 1] == k))
        hang = f"margin-left:{(k + 3) * char_px:.1f}px; text-indent:-{(k + 3) * char_px:.1f}px; " \
            if aligned else ""
        out.append(f"<div style='font-family:monospace; white-space:pre-wrap; {hang}"
                   f"margin-top:1px; margin-bottom:1px'>{html.escape(line)}</div>")
    return "".join(out)
