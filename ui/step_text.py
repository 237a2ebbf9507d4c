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
    style = "font-family:monospace; white-space:pre-wrap;" if mono else ""
    escape = html.escape if mono else text_html     # (a monospaced face places marks right)
    return "".join(f"<div style='{style}margin:1px 0'>{escape(line)}</div>" for line in lines)
