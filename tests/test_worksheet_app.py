"""The worksheet against what the step-through shows, and its HTML in Qt's own text browser."""
import html
import re

import pytest
from PySide6.QtCore import qInstallMessageHandler

from nnviz.explain import worksheet
from nnviz.explain.text import cell_text
from nnviz.explain.worksheet import NUMBER
from ui.step_panel import StepPanel


def _first_step(session):
    while not session.stages or session.stages[-1].name != "update":
        session.step_operation()
    return session.stages


def _shown_numbers(panel, decimals):
    """Every number the step-through shows of its current stage: each heatmap cell as its
    matrix writes it (at ``decimals`` when given, with the same function), and every number
    in its words (title, equations, notes, index form)."""
    cells = set()
    for v in panel.matrix_views:
        for i in (r for r in v.rows if r is not None):
            for j in (c for c in v.cols if c is not None):
                cells.add(v.cell_text(i, j) if decimals is None else cell_text(v.values[i, j], decimals))
    return cells, set(NUMBER.findall(panel.text()))


@pytest.mark.parametrize("decimals", [None, 3])
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_worksheet_holds_every_number_the_step_through_shows(session, qtbot, tmp_path, decimals, fmt):
    panel = StepPanel(session)
    qtbot.addWidget(panel)
    stages = _first_step(session)
    path = tmp_path / f"first.{fmt}"
    worksheet.write(path, stages, decimals=decimals)
    doc = path.read_text(encoding="utf-8")
    if fmt == "html":
        parts = [html.unescape(re.sub(r"<[^>]+>", " ", p)) for p in doc.split("<section id=")[1:]]
    else:
        parts = [p.replace("-", "−") for p in doc.split("\n## ")[1:]]
    assert len(parts) == len(stages) == 10
    counted = 0
    for k, text in enumerate(parts):
        session.show_stage(k)
        cells, words = _shown_numbers(panel, decimals)
        found = set(NUMBER.findall(text))
        assert cells and words
        assert cells <= found, (stages[k].name, sorted(cells - found)[:5])
        assert words <= found, (stages[k].name, sorted(words - found)[:5])
        counted += len(cells | words)
    assert counted > 300


def test_html_opens_in_qt_text_browser_without_a_warning(session, qtbot, tmp_path):
    from PySide6.QtWidgets import QTextBrowser

    stages = _first_step(session)
    paths = worksheet.write(tmp_path / "ws.html", stages, exercise=True)
    messages = []
    previous = qInstallMessageHandler(lambda kind, context, text: messages.append(text))
    try:
        for p in paths:
            browser = QTextBrowser()
            qtbot.addWidget(browser)
            with open(p, encoding="utf-8") as f:
                browser.setHtml(f.read())
            browser.resize(900, 1200)
            browser.show()
            qtbot.waitExposed(browser)
            doc = browser.document()
            assert doc.toPlainText().count(" of 10. ") == 10
            assert "Layer 1 forward" in doc.toPlainText()
            assert doc.size().height() > 5000        # every stage laid out, tables and all
            assert not browser.grab().isNull()
    finally:
        qInstallMessageHandler(previous)
    assert messages == []
