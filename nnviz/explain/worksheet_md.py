"""A worksheet as Markdown with LaTeX math: each equation in ``$$…$$`` (inline ``$…$`` in the
headings), every matrix a ``bmatrix`` with its numbers, the selected sample's element-by-element
lines in a text block as the step-through writes them. Renders in any Markdown viewer with
MathJax or KaTeX (and through pandoc to LaTeX or PDF)."""
from __future__ import annotations

import re

MAX_COLS = 10          # amsmath's bmatrix takes at most 10 columns without a setting

_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₖ", "0123456789k")
FUNCTIONS = {"log", "exp", "max", "tanh", "sigmoid", "relu", "leaky_relu", "identity",
             "softmax", "softplus", "sign", "diag"}
SYMBOLS = {"ŷ": r"\hat{y}", "·": r" \cdot ", "⊙": r" \odot ", "⊕": r" \oplus ", "⊖": r" \ominus ",
           "−": "-", "→": r" \to ", "←": r" \leftarrow ", "×": r"\times ", "∂": r"\partial ",
           "Σ": r"\sum", "δ": r"\delta", "η": r"\eta", "λ": r"\lambda", "σ": r"\sigma",
           "′": "'", "β": r"\beta", "ε": r"\varepsilon", "θ": r"\theta", "√": r"\sqrt",
           "½": r"\tfrac{1}{2}", "…": r"\dots ", "∞": r"\infty ", "ᵀ": r"^{\top}",
           "{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&", "^": "^", "≈": r"\approx ",
           "ᵢ": "_i", "ₖ": "_k", "m̂": r"\hat{m}", "v̂": r"\hat{v}", "²": "^{2}", "ᵗ": "^{t}"}
_TOKEN = re.compile(
    r"(?P<sup>⁽[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾)"
    r"|(?P<sub>[₀₁₂₃₄₅₆₇₈₉](?:,?[₀₁₂₃₄₅₆₇₈₉])*)"
    r"|(?P<under>_[A-Za-z]{2,})"
    r"|(?P<words> ?[A-Za-z]{2,}(?:_[A-Za-z]{2,})*(?:[ ,;:']+[A-Za-z]{2,}(?:_[A-Za-z]{2,})*)*[,;:]? ?)"
    r"|(?P<hat>[mv]̂)"
    r"|(?P<root>√(?:[mv]̂|[A-Za-z]))"
    r"|(?P<char>.)", re.S)


def latex(text: str) -> str:
    """Unicode math as the explanations write it (``Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾``) in LaTeX
    (``Z^{(1)} = X \\cdot W^{(1)} + b^{(1)}``); words become ``\\text{…}``, function names
    ``\\operatorname{…}``."""
    out = []
    for m in _TOKEN.finditer(text):
        kind, s = m.lastgroup, m.group(0)
        if kind == "sup":
            out.append("^{(" + s[1:-1].translate(_SUP) + ")}")
        elif kind == "sub":
            out.append("_{" + s.translate(_SUB) + "}")
        elif kind == "under":
            out.append(r"_{\text{" + s[1:] + "}}")
        elif kind == "words":
            out.append(_words(s))
        elif kind == "hat":
            out.append(SYMBOLS[s])
        elif kind == "root":            # √v̂: \sqrt takes the whole radicand, braced
            out.append(r"\sqrt{" + SYMBOLS.get(s[1:], s[1:]) + "}")
        else:
            out.append(SYMBOLS.get(s, s))
    text = re.sub(r"\^\{([^{}]*)\}\^\{\\top\}", r"^{\1\\top}", "".join(out))   # W⁽²⁾ᵀ: one superscript
    return re.sub(r" {2,}", " ", text).strip()


def _words(run: str) -> str:
    """A run of words: a function's name upright, other words as text with their spaces."""
    if run.strip() in FUNCTIONS:
        return r"\operatorname{" + run.strip().replace("_", r"\_") + "}"
    return r"\text{" + run.replace("_", r"\_") + "}"


def _number(cell: str) -> str:
    return r"\underline{\phantom{-0.000}}" if cell == "" else cell.replace("−", "-")


def matrix_tex(m) -> str:
    """``Name = \\begin{bmatrix}…\\end{bmatrix}`` (in blocks of 10 columns when wider)."""
    cols = len(m.cells[0]) if m.cells else 0
    blocks = []
    for c0 in range(0, max(cols, 1), MAX_COLS):
        rows = [" & ".join(_number(c) for c in row[c0:c0 + MAX_COLS]) for row in m.cells]
        tag = rf"_{{\text{{columns {c0 + 1}–{min(cols, c0 + MAX_COLS)}}}}}" if cols > MAX_COLS else ""
        blocks.append(r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}" + tag)
    return f"{latex(m.name)} = " + r" \; ".join(blocks) + rf"\quad {latex(m.shape)}"


def _display(lines: list[str]) -> list[str]:
    return ["$$", *lines, "$$", ""]


def part_md(p, total: int) -> list[str]:
    head, colon, eq = p.title.partition(": ")
    if not colon:      # "Output error δ⁽²⁾ = ŷ − y": the words, then the math
        words = re.match(r"([A-Za-z][A-Za-z ]*[A-Za-z]) (\S.*=.*)$", p.title)
        head, eq = (words.group(1), words.group(2)) if words else (p.title, "")
        head += " " if eq else ""
    else:
        head += ": "
    out = [f"## {p.number} of {total}. {head}" + (f"${latex(eq)}$" if eq else ""), ""]
    for e, shapes in p.equations:
        out += _display([latex(e) + (rf" \qquad {latex(shapes)}" if shapes else "")])
    if p.updates:
        out += ["**Before, change and after of every parameter**", ""]
        for before, grad, change, after in p.updates:
            if grad is not None:
                out += _display([matrix_tex(grad)])
            out += _display([matrix_tex(before), r"\\ +\; " + matrix_tex(change),
                             r"\\ =\; " + matrix_tex(after)])
        if p.state:
            out += ["**The optimizer's state**", ""]
            for m in p.state:
                out += _display([matrix_tex(m)])
    else:
        if p.given:
            out += ["**Given**", ""]
            for m in p.given:
                out += _display([matrix_tex(m)])
        if p.found:
            out += ["**Computed**", ""]
            for m in p.found:
                out += _display([matrix_tex(m)])
    out += [f"*{n}*  " for n in p.notes] + [""]
    if p.index:
        out += ["**The selected sample, element by element**", "", "```text", *p.index, "```", ""]
    return out


def markdown(sheet) -> str:
    """The whole worksheet as Markdown text."""
    hint = ("Fill in every empty entry and every ____: each operation's numbers come from the "
            "ones given. The answer key holds them all." if sheet.exercise else
            "Every number of one training step, in the order the network computes them.")
    dec = ("each matrix with the decimals the step-through uses" if sheet.decimals is None
           else f"{sheet.decimals} decimals in the matrices")
    out = [f"# {sheet.title}", ""]
    out += [f"{line}  " for line in sheet.about]
    out += [f"Sample {sheet.sample + 1} (row {sheet.sample + 1} of each batch matrix) is written "
            f"out element by element; {dec}; the element-by-element lines use four significant "
            "digits.", "", f"*{hint}*", ""]
    for p in sheet.parts:
        out += part_md(p, sheet.total)
    return "\n".join(out).rstrip() + "\n"
