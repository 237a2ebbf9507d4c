"""The worksheet against what the step-through shows, and its HTML in Qt's own text browser."""
import html
import re
from pathlib import Path

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


# --- the app's action -----------------------------------------------------------------------------
def _answer(monkeypatch, options, path):
    from ui import dialogs

    asked = []
    monkeypatch.setattr(dialogs, "ask_worksheet_options",
                        lambda parent, last=None: asked.append(last) or options)
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(path))
    return asked


def test_export_worksheet_from_a_fresh_window_runs_and_writes_the_step(window, monkeypatch, tmp_path):
    import numpy as np
    from ui.worksheet_dialog import WorksheetOptions

    action = window.actionExportWorksheet
    train = next(m for m in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
                 if m.title() == "&Train")
    assert action in train.actions()
    assert action.shortcut().toString() == "Ctrl+Shift+E" and "worksheet" in action.statusTip()
    params = window.session.network.params.copy()
    path = tmp_path / "step.md"
    _answer(monkeypatch, WorksheetOptions(".md", True, 2), path)
    action.trigger()
    s = window.session
    assert [st.name for st in s.stages][-1] == "update" and len(s.stages) == 10
    assert not np.array_equal(s.network.params, params)          # the step ran, and is shown
    assert window.step_panel.counter.text() == "10 of 10"
    key = tmp_path / "step-answers.md"
    assert path.exists() and key.exists()
    same = worksheet.write(tmp_path / "again.md", s.stages, decimals=2, exercise=True,
                           sample=window.step_panel.sample,
                           context=[f"The batch: 10 training rows of {s.dataset.name}, step 1 of this run."])
    assert path.read_text(encoding="utf-8") == (tmp_path / "again.md").read_text(encoding="utf-8")
    assert key.read_text(encoding="utf-8") == Path(same[1]).read_text(encoding="utf-8")
    assert window.statusBar().currentMessage() == "Worksheet saved: step.md and step-answers.md"


def test_export_finishes_a_step_half_way_and_cancel_changes_nothing(window, monkeypatch, tmp_path):
    from ui.worksheet_dialog import WorksheetOptions

    s = window.session
    for _ in range(3):
        s.step_operation()
    path = tmp_path / "half.html"
    asked = _answer(monkeypatch, None, path)                     # Cancel in the dialog
    window.actionExportWorksheet.trigger()
    assert len(s.stages) == 3 and not path.exists() and asked == [WorksheetOptions(".html", False, None)]
    _answer(monkeypatch, WorksheetOptions(".html", False, None), path)
    window.actionExportWorksheet.trigger()
    assert len(s.stages) == 10 and s.stages[-1].name == "update" and path.exists()
    assert path.read_text(encoding="utf-8").count("<section id=") == 10


def test_a_file_that_cannot_be_written_is_one_message(window, monkeypatch, tmp_path, warnings):
    from ui.worksheet_dialog import WorksheetOptions

    path = tmp_path / "missing" / "step.html"
    _answer(monkeypatch, WorksheetOptions(".html", True, None), path)
    window.actionExportWorksheet.trigger()
    assert len(warnings) == 1 and warnings[0].startswith(f"cannot write {path}")
    assert not (tmp_path / "missing").exists()


def test_the_dialog_gives_its_choices(qtbot):
    from ui.worksheet_dialog import WorksheetDialog, WorksheetOptions

    dlg = WorksheetDialog()
    qtbot.addWidget(dlg)
    assert dlg.options() == WorksheetOptions(".html", False, None)
    dlg.format.setCurrentIndex(1)
    dlg.exercise.setChecked(True)
    dlg.decimals.setValue(4)
    assert dlg.options() == WorksheetOptions(".md", True, 4)
    again = WorksheetDialog(options=WorksheetOptions(".md", True, 4))
    qtbot.addWidget(again)
    assert again.options() == WorksheetOptions(".md", True, 4)
    assert dlg.decimals.maximum() == 12 and dlg.decimals.minimum() == -1
