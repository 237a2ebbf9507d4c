"""Worksheets of one training step (engine and ``nnviz trace --worksheet``): every stage in
order, the exercise with its results blank and the answer key with them, HTML and Markdown."""
import html
import re

import numpy as np
import pytest

from nnviz.cli.main import main
from nnviz.experiment import build
from nnviz.explain import worksheet
from nnviz.explain.text import cell_text, fmt as fmt_
from nnviz.explain.worksheet import NUMBER
from nnviz.io import weights_io
from ui.model.run import default_config


@pytest.fixture(scope="module")
def stages():
    """The default session's first step, recorded."""
    return list(build(default_config()).trainer.stage_step())


def sections(doc: str, fmt: str) -> list[str]:
    """The text of each stage's part of a worksheet, in order (tags stripped for HTML; the
    LaTeX minus written as the explanations write it for Markdown)."""
    if fmt == "html":
        parts = re.split(r"<section id=", doc)[1:]
        return [html.unescape(re.sub(r"<[^>]+>", " ", p)) for p in parts]
    parts = re.split(r"\n## ", doc)[1:]
    return [p.replace("-", "−") for p in parts]


def tokens(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def result_numbers(part) -> set[str]:
    """The numbers a part computes (its results, the update's change and after) and not also
    among the numbers it is given."""
    found = list(part.found) + [m for u in part.updates for m in u[2:]] + \
        [m for m in part.state if m.name.endswith("(after)")]
    given = list(part.given) + [m for u in part.updates for m in u[:2] if m is not None] + \
        [m for m in part.state if not m.name.endswith("(after)")]
    have = {c for m in found for row in m.cells for c in row}
    return have - {c for m in given for row in m.cells for c in row} - {"0"}


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_every_stage_in_order_with_its_matrices(stages, tmp_path, fmt):
    path = tmp_path / f"step.{fmt}"
    assert worksheet.write(path, stages) == [str(path)]
    doc = path.read_text(encoding="utf-8")
    parts = sections(doc, fmt)
    sheet = worksheet.build(stages)
    assert len(parts) == len(stages) == sheet.total == 10
    for text, st, part in zip(parts, stages, sheet.parts):
        words = re.match(r"[A-Za-z][A-Za-z ()]*[A-Za-z)]", part.title).group(0)   # "Layer 1 forward"
        assert part.name == st.name and words in text and f"{part.number} of 10. {words}" in text
        for m in part.given + part.found:            # each matrix with every one of its numbers
            a = np.asarray(dict(st.operands, **st.results)[m.name], dtype=float)
            assert len(m.cells) * len(m.cells[0]) == a.size
            assert {c.replace("-", "−") for row in m.cells for c in row} <= tokens(text)
    if fmt == "md":
        assert doc.count(r"\begin{bmatrix}") == doc.count(r"\end{bmatrix}") > 30
        assert doc.count("$$") % 2 == 0 and doc.count("{") == doc.count("}")
        assert r"Z^{(1)} = X \cdot W^{(1)} + b^{(1)}" in doc
    else:
        assert "<script" not in doc and "http" not in doc and "@page { size: A4" in doc


def test_the_update_shows_before_change_and_after(stages):
    up = worksheet.build(stages, decimals=6).parts[-1]
    stage = stages[-1]
    names = [(b.name, g.name, c.name, a.name) for b, g, c, a in up.updates]
    assert names[0] == ("W⁽¹⁾", "∂E/∂W⁽¹⁾", "−η·∂E/∂W⁽¹⁾", "new W⁽¹⁾") and len(names) == 4
    before, grad, change, after = up.updates[0]
    lr = stage.info["lr"]
    W, dW, W2 = (stage.operands["W⁽¹⁾"], stage.operands["∂E/∂W⁽¹⁾"], stage.results["new W⁽¹⁾"])
    assert before.cells == [[cell_text(v, 6) for v in row] for row in W]
    assert grad.cells == [[cell_text(v, 6) for v in row] for row in dW]
    assert change.cells == [[cell_text(v, 6) for v in row] for row in W2 - W]
    np.testing.assert_allclose(W2 - W, -lr * dW, rtol=1e-9)
    assert after.cells == [[cell_text(v, 6) for v in row] for row in W2]


def _written(arrays) -> set[str]:
    return {fmt_(v) for a in arrays for v in np.asarray(a, dtype=float).reshape(-1)}


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_exercise_leaves_results_blank_and_the_key_holds_them(stages, tmp_path, fmt):
    path = tmp_path / f"ex.{fmt}"
    written = worksheet.write(path, stages, exercise=True, decimals=3)
    assert written == [str(path), str(tmp_path / f"ex-answers.{fmt}")]
    exercise = sections(path.read_text(encoding="utf-8"), fmt)
    key = sections((tmp_path / f"ex-answers.{fmt}").read_text(encoding="utf-8"), fmt)
    blank = worksheet.build(stages, exercise=True, decimals=3)
    full = worksheet.build(stages, decimals=3)
    checked = 0
    for ex_text, key_text, b, f, st in zip(exercise, key, blank.parts, full.parts, stages):
        for m in b.found + [x for u in b.updates for x in u[2:]]:
            assert m.blank, (b.name, m.name)
        for m in b.given:                               # the operands are all there
            assert any(g.cells == m.cells for g in f.given)
        hidden = {t.replace("-", "−") for t in result_numbers(f)}
        assert hidden, b.name
        assert not hidden & tokens(ex_text), (b.name, hidden & tokens(ex_text))
        assert hidden <= tokens(key_text), b.name
        checked += len(hidden)
        assert "____" in ex_text and "____" not in key_text
        # the numbers as the element-by-element lines write them (four significant digits)
        written = _written(st.results.values()) - _written(st.operands.values())
        written = {t for t in written if "." in t}
        assert not written & tokens(ex_text), (b.name, written & tokens(ex_text))
        assert written & tokens(key_text) or b.name == "update"
        checked += len(written)
    assert checked > 150


def test_exercise_index_form_blanks_what_the_line_works_out():
    lines = ["z₁ = w₁₁·x₁ + b₁ = 0.5·(−0.2) + 0.1 = 0",
             "E = (1/m)·Σᵢ eᵢ = (1/2)·(0.4932 + 0.812) = 0.6526",
             "e₁ = −log(0.6106) = 0.4932   (computed from the logit)",
             "sample 1:", "one step for the whole batch, whatever the selected sample (η = 0.03):"]
    out = worksheet.blank_index(lines, {"0", "0.4932", "0.812", "0.6526"}, {"0.5", "0.1"})
    assert out == ["z₁ = w₁₁·x₁ + b₁ = 0.5·(−0.2) + 0.1 = ____",
                   "E = (1/m)·Σᵢ eᵢ = (1/2)·(____ + ____) = ____",
                   "e₁ = −log(0.6106) = ____   (computed from the logit)",
                   "sample 1:", "one step for the whole batch, whatever the selected sample (η = 0.03):"]


def test_decimals_apply_to_every_matrix(stages):
    for d in (0, 1, 5):
        sheet = worksheet.build(stages, decimals=d)
        for part in sheet.parts:
            for m in part.given + part.found:
                for c in (c for row in m.cells for c in row if c != "0"):
                    assert len(c.partition(".")[2]) == d, (part.name, m.name, c)


# --- the command line ---------------------------------------------------------------------------
@pytest.fixture
def traced(tmp_path, capsys):
    """A weights file and a CSV of four rows for ``nnviz trace``."""
    w = tmp_path / "w.json"
    assert main(["train", "--steps", "3", "--seed", "2", "--export", str(w)]) == 0
    data = tmp_path / "rows.csv"
    data.write_text("x1,x2,y\n0.5,-1.2,1\n-0.3,0.8,0\n1.1,0.4,1\n-0.9,-0.6,0\n")
    capsys.readouterr()
    return w, data


@pytest.mark.parametrize("ext", ["html", "md"])
def test_trace_writes_the_worksheet(traced, tmp_path, capsys, ext):
    w, data = traced
    out = tmp_path / f"sheet.{ext}"
    code = main(["trace", "--weights", str(w), "--input", str(data), "--target", "y",
                 "--worksheet", str(out), "--exercise", "--decimals", "3", "--sample", "2"])
    stdout, err = capsys.readouterr()
    key = tmp_path / f"sheet-answers.{ext}"
    assert code == 0 and err == ""
    assert stdout == f"worksheet  {out}\nworksheet  {key}\n"
    model = weights_io.load(w)
    from nnviz.cli.trace import trace
    X = np.array([[0.5, -1.2], [-0.3, 0.8], [1.1, 0.4], [-0.9, -0.6]])
    st = trace(model, X, np.array([1.0, 0.0, 1.0, 0.0]))
    expected = worksheet.build(st, sample=1, decimals=3)
    text = key.read_text(encoding="utf-8")
    norm = text.replace("-", "−") if ext == "md" else html.unescape(text)
    for part in expected.parts:
        for m in part.found:
            assert {c for row in m.cells for c in row} <= tokens(norm)
        assert "\n".join(part.index) in (norm if ext == "html" else text)
    assert "sample 2:" in text and "rows.csv" in text
    assert "____" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv,message", [
    (["--worksheet", "s.pdf"], "a worksheet is written as .html or .md, not '.pdf'"),
    (["--worksheet", "sheet"], "a worksheet is written as .html or .md; give the file one of those extensions"),
    (["--exercise"], "--exercise and --decimals go with --worksheet FILE"),
    (["--decimals", "2"], "--exercise and --decimals go with --worksheet FILE"),
    (["--worksheet", "s.md", "--decimals", "13"], "decimals must be between 0 and 12 (got 13)"),
    (["--worksheet", "s.md", "--decimals", "1.5"], "decimals must be a whole number, not 1.5"),
    (["--worksheet", "s.md", "--json"], "give --json or --worksheet, not both"),
    (["--worksheet", "s.md", "--notation", "column"],
     "a worksheet is written in row notation; leave out --notation column"),
])
def test_trace_worksheet_mistakes_are_one_sentence(traced, tmp_path, capsys, monkeypatch, argv, message):
    w, data = traced
    monkeypatch.chdir(tmp_path)
    code = main(["trace", "--weights", str(w), "--input", str(data), "--target", "y", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err == f"nnviz: error: {message}\n"
    assert not list(tmp_path.glob("s*.*")) and not (tmp_path / "sheet").exists()


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_every_equation_is_latex_a_tex_engine_reads(optimizer):
    """The Markdown worksheet's math goes through pandoc to LaTeX: outside \\text{…} it is
    ASCII (a "²" or "ᵗ" left as Unicode stops pdflatex), and a square root takes its whole
    radicand ("\\sqrt\\hat{v}" gives \\sqrt the \\hat alone)."""
    from dataclasses import replace

    from nnviz.explain import equations as explain
    from nnviz.explain.worksheet_md import latex

    exp = build(replace(default_config(), optimizer=optimizer, hidden=[3, 2]))
    written = [text for st in exp.trainer.stage_step()
               for notation in (explain.ROW, explain.COLUMN)
               for e, s in explain.equations(st, notation) for text in (e, s)]
    for text in written:
        tex = latex(text)
        outside = re.sub(r"\\text\{[^}]*\}", "", tex)
        assert outside.isascii(), (text, tex)
        assert not re.search(r"\\sqrt\\", tex), tex
    assert latex("e = ½(ŷ − y)²") == r"e = \tfrac{1}{2}(\hat{y} - y)^{2}"
    if optimizer == "adam":
        tex = latex(next(t for t in written if t.startswith("m ← β₁")))
        assert r"\hat{m} = m/(1-\beta_{1}^{t})" in tex
        assert r"\sqrt{\hat{v}}" in tex
