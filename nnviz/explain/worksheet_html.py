"""A worksheet as one self-contained HTML page: inline CSS, the math in Unicode with matrices as
tables, no script, no font or file fetched, so it opens with no network. Printed, it fills A4
pages; a matrix wider than a page is split into blocks of columns, and no matrix is cut by a
page break."""
from __future__ import annotations

from html import escape

PAGE_MM = 170          # printable width of an A4 page with the margins below
CHAR_MM = 1.75         # one character of the matrices' 8 pt monospace figures
CELL_PAD_MM = 2.5
BLANK_CELL = "&nbsp;" * 9   # room to write a number in (a width Qt's text browser keeps too)

CSS = """
@page { size: A4; margin: 14mm 12mm 14mm 12mm; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; font-size: 10pt;
       color: #1a1a1a; max-width: 186mm; margin: 8mm auto; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 4px 0; }
h2 { font-size: 12pt; margin: 16px 0 4px 0; padding-top: 6px; border-top: 1px solid #bbb;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10pt; margin: 8px 0 2px 0; color: #444; break-after: avoid; page-break-after: avoid; }
p.about { margin: 1px 0; color: #333; }
p.hint { margin: 6px 0; color: #555; font-style: italic; }
.eq { font-family: "DejaVu Serif", "Cambria Math", "STIX Two Math", Georgia, serif;
      font-size: 11.5pt; margin: 3px 0 0 0; }
.shapes { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 9pt; color: #666;
          margin: 0 0 2px 12px; }
.note { color: #555; margin: 1px 0; font-size: 9.5pt; }
.mats { margin: 4px 0; }
.m { display: inline-block; vertical-align: top; margin: 2px 10px 6px 0;
     break-inside: avoid; page-break-inside: avoid; }
.sign { display: inline-block; vertical-align: top; font-size: 15pt; color: #555;
        margin: 16px 10px 0 0; }
.cap { font-weight: bold; font-size: 9.5pt; margin-bottom: 1px; }
.cap .shape { font-weight: normal; color: #666; font-family: "DejaVu Sans Mono", monospace; }
table.mat { border-collapse: collapse; font-family: "DejaVu Sans Mono", Consolas, monospace;
            font-size: 8pt; margin-bottom: 2px; }
table.mat td { border: 1px solid #999; padding: 1px 4px; text-align: right; min-width: 2.2em; }
table.mat th { font-weight: normal; color: #888; font-size: 7pt; padding: 0 3px; text-align: right; }
table.mat td.blank { min-width: 4.2em; height: 1.3em; background: #ffffff; }
table.mat tr.sample td { background: #fff1d6; border-top: 2px solid #e69500; border-bottom: 2px solid #e69500; }
table.mat.result td { border-color: #3b6ea5; }
pre.ix { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8.5pt;
         white-space: pre-wrap; margin: 2px 0 4px 0; background: #f6f6f6; padding: 4px 6px; }
@media print { body { margin: 0; max-width: none; } h2 { break-before: auto; } }
"""


def _chunk(m) -> int:
    """Columns of matrix ``m`` that fit across the page at once."""
    widest = max((len(c) for row in m.cells for c in row), default=4)
    widest = max(widest, 5 if m.blank else 3)
    return max(1, int((PAGE_MM - 10) // (widest * CHAR_MM + CELL_PAD_MM)))


def matrix_html(m) -> str:
    """One matrix: its name and shape above a table of its numbers (row numbers on the left;
    the selected sample's row outlined), split into column blocks when it is wide."""
    rows = len(m.cells)
    cols = len(m.cells[0]) if rows else 0
    per = _chunk(m)
    kind = " result" if m.role in ("result", "change") else ""
    blocks = []
    for c0 in range(0, max(cols, 1), per):
        c1 = min(cols, c0 + per)
        head = "<tr><th></th>" + "".join(f"<th>{j + 1}</th>" for j in range(c0, c1)) + "</tr>"
        body = []
        for i, row in enumerate(m.cells):
            cls = ' class="sample"' if i == m.sample_row else ""
            cells = "".join(f'<td class="blank">{BLANK_CELL}</td>' if c == "" else f"<td>{escape(c)}</td>"
                            for c in row[c0:c1])
            body.append(f"<tr{cls}><th>{i + 1}</th>{cells}</tr>")
        blocks.append(f'<table class="mat{kind}" cellspacing="0" cellpadding="2">{head}{"".join(body)}</table>')
    note = f" columns in blocks of {per}" if cols > per else ""
    return (f'<div class="m"><div class="cap">{escape(m.name)} <span class="shape">'
            f'{escape(m.shape)}{note}</span></div>{"".join(blocks)}</div>')


def _sign(text: str) -> str:
    return f'<div class="sign">{escape(text)}</div>'


def part_html(p, total: int, exercise: bool) -> str:
    out = [f'<section id="{escape(p.name)}"><h2>{p.number} of {total}. {escape(p.title)}</h2>']
    for eq, shapes in p.equations:
        out.append(f'<div class="eq">{escape(eq)}</div>')
        if shapes:
            out.append(f'<div class="shapes">{escape(shapes)}</div>')
    if p.updates:
        out.append("<h3>Before, change and after of every parameter</h3>")
        for before, grad, change, after in p.updates:
            mats = ([matrix_html(grad)] if grad is not None else []) + [
                matrix_html(before), _sign("+"), matrix_html(change), _sign("="), matrix_html(after)]
            out.append(f'<div class="mats">{"".join(mats)}</div>')
        if p.state:
            out.append("<h3>The optimizer's state</h3>")
            out.append(f'<div class="mats">{"".join(matrix_html(m) for m in p.state)}</div>')
    else:
        mats = [matrix_html(m) for m in p.given] + ([_sign("→")] if p.given and p.found else []) + \
            [matrix_html(m) for m in p.found]
        out.append(f'<div class="mats">{"".join(mats)}</div>')
    for n in p.notes:
        out.append(f'<p class="note">{escape(n)}</p>')
    if p.index:
        out.append("<h3>The selected sample, element by element</h3>")
        out.append(f'<pre class="ix">{escape(chr(10).join(p.index))}</pre>')
    out.append("</section>")
    return "\n".join(out)


def html_page(sheet) -> str:
    """The whole worksheet as an HTML document (a string)."""
    hint = ("Fill in every empty cell and every ____: each operation's numbers come from the "
            "ones given. The answer key holds them all." if sheet.exercise else
            "Every number of one training step, in the order the network computes them.")
    dec = ("each matrix with the decimals the step-through uses" if sheet.decimals is None
           else f"{sheet.decimals} decimals in the matrices")
    head = [f"<h1>{escape(sheet.title)}</h1>"]
    head += [f'<p class="about">{escape(line)}</p>' for line in sheet.about]
    head.append(f'<p class="about">Sample {sheet.sample + 1} is written out element by element '
                f"(its row is outlined); {escape(dec)}; the element-by-element lines use four "
                "significant digits.</p>")
    head.append(f'<p class="hint">{escape(hint)}</p>')
    body = "\n".join(part_html(p, sheet.total, sheet.exercise) for p in sheet.parts)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(sheet.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(head) + "\n" + body + "\n</body>\n</html>\n")
