"""A worksheet of one training step: every stage in order, on paper.

:func:`build` reads the recorded stages of one step (what the step-through walks) and collects,
for each stage, what the step-through shows of it, written by the same functions: the
learner's name of the operation with its equation (:func:`~nnviz.explain.operations.stage_title`),
every equation with its shapes, the notes, the operand and result matrices with their numbers
(:func:`~nnviz.explain.operations.panel_arrays`, each cell written by
:func:`~nnviz.explain.text.cell_text` with :func:`~nnviz.explain.operations.panel_decimals`)
and the selected sample element by element (:func:`~nnviz.explain.index_form.index_form`).
The update shows every parameter before, its change and after, with the gradient it used.

An *exercise* leaves every number the stage computes blank (its result matrices, and those
numbers wherever its index form writes them) and keeps the operands; the full worksheet is its
answer key. :func:`write` renders a worksheet as a self-contained HTML page
(:mod:`nnviz.explain.worksheet_html`) or as Markdown with LaTeX math
(:mod:`nnviz.explain.worksheet_md`), chosen by the file's extension.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.stages import Stage, StageKind, shape_text
from nnviz.errors import NnvizError
from nnviz.explain import equations as explain
from nnviz.explain.operations import panel_arrays, panel_decimals, stage_title
from nnviz.explain.text import ROW, cell_decimals, cell_text, fmt, par

FORMATS = {".html": "HTML", ".htm": "HTML", ".md": "Markdown"}
MAX_DECIMALS = 12
BLANK = "____"
#: A number as the explanations write it: 0.53, −0.1947, 1e−08, (−0.11) is "−0.11" in brackets.
NUMBER = re.compile(r"(?<![\w.⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉])[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?(?![\w.])")

#: What a line works out: a number at the end, or before a remark in brackets.
_LAST = re.compile(r"^([−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?)(\s+\(.*)?$")


@dataclass
class Matrix:
    """One array as the worksheet prints it: ``cells`` hold the written numbers ("" when left
    blank); ``sample_row`` is the row of the selected sample (outlined), if rows are samples."""

    name: str
    shape: str
    role: str                  # "operand", "result", "change", "state" or "gradient"
    cells: list[list[str]]
    sample_row: int | None = None

    @property
    def blank(self) -> bool:
        return all(c == "" for row in self.cells for c in row)


@dataclass
class Part:
    """One stage: its number, the learner's title, equations (equation, shapes), notes, the
    matrices it reads (``given``) and computes (``found``), the update's parameters as
    (before, gradient, change, after), and the index form's lines."""

    number: int
    name: str
    title: str
    equations: list[tuple[str, str]]
    notes: list[str]
    given: list[Matrix] = field(default_factory=list)
    found: list[Matrix] = field(default_factory=list)
    updates: list[tuple[Matrix, Matrix | None, Matrix, Matrix]] = field(default_factory=list)
    state: list[Matrix] = field(default_factory=list)
    index: list[str] = field(default_factory=list)


@dataclass
class Worksheet:
    title: str
    about: list[str]           # what the step is: network, loss, batch, settings
    sample: int                # 0-based
    decimals: int | None       # None: each matrix as the step-through writes it
    exercise: bool
    parts: list[Part]

    @property
    def total(self) -> int:
        return len(self.parts)


def check_path(path) -> str:
    """The format a worksheet file's extension names ("HTML" or "Markdown"); raises NnvizError
    with one sentence for any other extension."""
    ext = os.path.splitext(str(path))[1].lower()
    if ext not in FORMATS:
        raise NnvizError(f"a worksheet is written as .html or .md, not {ext or 'a file without an extension'!r}"
                         if ext else "a worksheet is written as .html or .md; give the file one of those extensions")
    return FORMATS[ext]


def check_decimals(value) -> int | None:
    """``value`` as a number of decimals 0…12 (None: as the step-through writes each matrix)."""
    if value is None:
        return None
    from nnviz.settings import check_number
    return check_number("decimals", value, integer=True, low=0, high=MAX_DECIMALS)


def answers_path(path) -> str:
    """Where an exercise's answer key goes: ``step.html`` → ``step-answers.html``."""
    root, ext = os.path.splitext(str(path))
    return f"{root}-answers{ext}"


# --- building ----------------------------------------------------------------------------------
def about(stages: list[Stage]) -> list[str]:
    """What the step is, read off its stages: the network, the loss, the batch and the update."""
    dense = [s for s in stages if s.kind is StageKind.DENSE_FORWARD]
    acts = [s.info.get("activation", "σ") for s in stages if s.kind is StageKind.ACTIVATION_FORWARD]
    lines = []
    if dense:
        sizes = [np.shape(dense[0].operands[explain.keys(dense[0].operands)[1]])[0]]
        sizes += [np.shape(s.operands[explain.keys(s.operands)[1]])[1] for s in dense]
        lines.append(f"Network {' → '.join(map(str, sizes))}, activations {', '.join(acts)}; "
                     "rows are samples and W runs from-to (fan_in × fan_out), so Z = X·W + b.")
    loss = next((s for s in stages if s.kind is StageKind.LOSS), None)
    if loss is not None:
        red = "the mean" if loss.info.get("reduction", "mean") == "mean" else "the sum"
        lines.append(f"Loss {loss.info.get('loss', '').replace('_', ' ')}, E = {red} of the "
                     f"rows' losses over a batch of m = {loss.info.get('m')} rows.")
    up = next((s for s in stages if s.kind is StageKind.UPDATE), None)
    if up is not None:
        info = up.info
        extra = (f", L1 λ₁ = {info['l1']:g}" if info.get("l1") else "") + \
                (f", L2 λ₂ = {info['l2']:g}" if info.get("l2") else "")
        lines.append(f"Update {info.get('optimizer', 'sgd')} with learning rate η = {info.get('lr', 0):g}{extra}.")
    return lines


def _matrix(shown, decimals: int, sample: int, blank: bool, role: str | None = None) -> Matrix:
    a = np.asarray(shown.values, dtype=float)
    a2 = a.reshape(1, -1) if a.ndim < 2 else a
    cells = [["" if blank else cell_text(v, decimals) for v in row] for row in a2.tolist()]
    return Matrix(shown.name, shape_text(a), role or shown.role, cells,
                  sample if shown.sample_axis == 0 and sample < a2.shape[0] else None)


def _tokens(values) -> set[str]:
    """Every value as the index form writes it (four significant digits), signed and not."""
    out = set()
    for v in np.asarray(values, dtype=float).reshape(-1).tolist():
        out.add(fmt(v))
        out.add(par(v).strip("()"))
    return out


def blank_index(lines: list[str], results: set[str], operands: set[str]) -> list[str]:
    """The index form with the stage's own numbers blank: every number that only a result
    holds, and the value after each line's last "=" (what the line works out)."""
    hidden = {t for t in results - operands if "." in t or "e" in t}   # not 0, 1: indices too
    out = []
    for line in lines:
        head, eq, tail = line.rpartition(" = ")
        last = _LAST.match(tail)
        if eq and last:
            line = f"{head} = {BLANK}{last.group(2) or ''}"
        out.append(NUMBER.sub(lambda m: BLANK if m.group(0) in hidden else m.group(0), line))
    return out


def part(stage: Stage, number: int, n_layers: int | None, sample: int = 0,
         decimals: int | None = None, exercise: bool = False) -> Part:
    """One stage's :class:`Part`."""
    shown = panel_arrays(stage, ROW)
    decs = panel_decimals(shown, decimals)
    p = Part(number, stage.name, stage_title(stage, n_layers), explain.equations(stage, ROW),
             explain.notes(stage, ROW) + explain.notation_note(stage, ROW, sample))
    if stage.kind is StageKind.UPDATE:
        i = 0
        while i < len(shown):
            s = shown[i]
            if s.role == "operand" and i + 2 < len(shown) and shown[i + 1].role == "change":
                g = stage.operands.get(f"∂E/∂{s.key}")
                grad = None
                if g is not None:
                    g = np.asarray(g, dtype=float)
                    gd = decimals if decimals is not None else cell_decimals(g[np.isfinite(g)])
                    grad = _matrix(explain.Shown(f"∂E/∂{s.name}", g, "operand", s.key), gd, sample,
                                   False, "gradient")
                p.updates.append((_matrix(s, decs[i], sample, False), grad,
                                  _matrix(shown[i + 1], decs[i + 1], sample, exercise),
                                  _matrix(shown[i + 2], decs[i + 2], sample, exercise)))
                i += 3
                continue
            if s.role == "state":
                p.state.append(_matrix(s, decs[i], sample, exercise and s.name.endswith("(after)")))
            i += 1
    else:
        for s, d in zip(shown, decs):
            m = _matrix(s, d, sample, exercise and s.role == "result")
            (p.found if s.role == "result" else p.given).append(m)
    lines = explain.index_form(stage, sample, ROW)
    if exercise and lines:
        results = set().union(*(_tokens(v) for v in stage.results.values())) if stage.results else set()
        operands = set().union(*(_tokens(v) for v in stage.operands.values())) if stage.operands else set()
        lines = blank_index(lines, results, operands)
    p.index = lines
    return p


def build(stages: list[Stage], *, sample: int = 0, decimals: int | None = None,
          exercise: bool = False, title: str = "One training step, every operation",
          context: list[str] | None = None, n_layers: int | None = None) -> Worksheet:
    """The worksheet of one recorded step. ``sample``: the 0-based row of the batch written out
    element by element; ``decimals``: every matrix's decimals (None: as the step-through writes
    each); ``exercise``: leave what each stage computes blank; ``context``: lines about where the
    batch comes from, printed under the title."""
    if not stages:
        raise NnvizError("there is no recorded step to write: run a training step first")
    decimals = check_decimals(decimals)
    if n_layers is None:
        n_layers = next((s.layer for s in stages if s.kind is StageKind.LOSS_BACKWARD and s.layer), None)
    m = explain.batch_size(stages[0]) or 1
    sample = max(0, min(int(sample), m - 1))
    parts = [part(st, i, n_layers, sample, decimals, exercise) for i, st in enumerate(stages, 1)]
    return Worksheet(title, list(context or []) + about(stages), sample, decimals, exercise, parts)


def render(sheet: Worksheet, fmt_name: str) -> str:
    if fmt_name == "HTML":
        from nnviz.explain.worksheet_html import html_page
        return html_page(sheet)
    from nnviz.explain.worksheet_md import markdown
    return markdown(sheet)


def write(path, stages: list[Stage], *, sample: int = 0, decimals: int | None = None,
          exercise: bool = False, context: list[str] | None = None,
          n_layers: int | None = None) -> list[str]:
    """Write the worksheet of ``stages`` to ``path`` (.html or .md), atomically; with
    ``exercise`` the exercise goes to ``path`` and its answer key next to it
    (:func:`answers_path`). Returns the paths written."""
    from nnviz.io.fileio import atomic_write

    kind = check_path(path)
    jobs = [(str(path), exercise)]
    if exercise:
        jobs.append((answers_path(path), False))
    texts = []
    for target, blank in jobs:
        sheet = build(stages, sample=sample, decimals=decimals, exercise=blank, context=context,
                      n_layers=n_layers,
                      title=("Exercise: one training step" if blank else
                             "Answer key: one training step" if exercise else
                             "One training step, every operation"))
        texts.append((target, render(sheet, kind)))
    for target, text in texts:
        atomic_write(target, text.encode("utf-8"))
    return [t for t, _ in texts]
