"""Worked examples in the app: File › New worked example… (the editor, :mod:`ui.worked_example`)
and Help › Worked examples… (the gallery of :data:`nnviz.examples.GALLERY`: a list, a paragraph
on each, and a button that opens the chosen one in the editor).

OK in the editor makes the typed problem the current run (undoable) and raises the Step through
panel, so → (Step operation) walks through that very step.

Actions (objectNames): actionNewWorkedExample (Ctrl+Shift+N), actionWorkedExamples.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QListWidget,
                               QTextBrowser, QVBoxLayout)

from nnviz import examples

from .actions import make_action, open_kept
from .worked_example import WorkedExampleDialog


def summary(ex: examples.WorkedExample) -> str:
    """One line on the example's network and step: "2-2-1 · tanh hidden · sigmoid output ·
    log-loss · 2 rows · η = 0.5 · mean over the rows"."""
    dataset, config, model = ex.problem()
    net = model.network
    parts = ["-".join(map(str, net.sizes))]
    if net.hidden_sizes:
        parts.append(f"{ex.activation} hidden")
    parts += [f"{net.activations[-1]} output", model.loss.replace("_", " "),
              f"{dataset.n_samples} row{'s' * (dataset.n_samples != 1)}", f"η = {config.lr:g}",
              f"{config.reduction} over the rows", config.optimizer]
    if config.l2:
        parts.append(f"L2 λ = {config.l2:g}")
    if config.l1:
        parts.append(f"L1 λ = {config.l1:g}")
    return " · ".join(parts)


class GalleryDialog(QDialog):
    """The list of worked examples and the chosen one's paragraph. ``open_button`` calls
    ``open_example(example)`` (the window opens it in the editor) and closes the gallery."""

    def __init__(self, open_example, parent=None):
        super().__init__(parent)
        self.setObjectName("workedExamplesGallery")
        self.setWindowTitle("Worked examples")
        self._open = open_example
        self.list = QListWidget()
        self.list.setObjectName("workedExampleList")
        for ex in examples.GALLERY:
            self.list.addItem(ex.title)
        self.list.setFixedWidth(270)
        self.text = QTextBrowser()
        self.text.setObjectName("workedExampleText")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.open_button = self.buttons.addButton("Open in the editor", QDialogButtonBox.AcceptRole)
        self.open_button.setToolTip("Show this example's numbers in the worked-example editor; "
                                    "its OK makes it the current run, ready to step through")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.currentRowChanged.connect(self._show)
        self.list.itemActivated.connect(lambda _item: self.accept())
        top = QHBoxLayout()
        top.addWidget(self.list)
        top.addWidget(self.text, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top, 1)
        lay.addWidget(self.buttons)
        self.resize(820, 440)
        self.list.setCurrentRow(0)

    @property
    def example(self) -> examples.WorkedExample:
        return examples.GALLERY[max(self.list.currentRow(), 0)]

    def _show(self, row: int):
        ex = examples.GALLERY[max(row, 0)]
        self.text.setHtml(f"<h3>{ex.title}</h3><p style='color:#555'>{summary(ex)}</p>"
                          f"<p>{ex.description}</p>")

    def accept(self):
        ex = self.example
        super().accept()
        self._open(ex)


def open_editor(window, example: examples.WorkedExample | None = None) -> WorkedExampleDialog:
    """Show the editor (window-modal, not blocking), filled with ``example`` or a 2-2-1
    starting point; OK makes its problem the current run."""
    session = window.session
    session.pause()

    def apply(exp):
        session.open_worked_example(exp)
        dock = getattr(window, "docks", {}).get("Step through")
        if dock is not None:
            dock.show()
            dock.raise_()
        window.statusBar().showMessage(
            "Worked example ready: Step operation (→) walks through its training step", 8000)

    dlg = WorkedExampleDialog(apply, window, example)
    if example is None:
        dlg.title = "worked example"
        dlg.setWindowTitle("New worked example")
    return open_kept(window, dlg, "_worked_example_dialog")


def open_gallery(window) -> GalleryDialog:
    dlg = GalleryDialog(lambda ex: _confirmed(window, "Worked examples")
                        and open_editor(window, ex), window)
    return open_kept(window, dlg, "_worked_examples_gallery")


def _confirmed(window, title: str) -> bool:
    files = getattr(window, "file_actions", None)
    return files is None or files.confirm_discard(title)


def install(window, file_menu, help_menu) -> None:
    """File › New worked example… (above Open data…) and Help › Worked examples…."""
    new = make_action(window, "actionNewWorkedExample", "New worked example…",
                      lambda _c=False: _confirmed(window, "New worked example")
                      and open_editor(window), "Ctrl+Shift+N",
                      "Type a tiny problem by hand (rows, targets, every weight) and step "
                      "through exactly its training step")
    gallery = make_action(window, "actionWorkedExamples", "Worked examples…",
                          lambda _c=False: open_gallery(window), None,
                          "Small problems worked by hand, each explained, ready to step through")
    data = getattr(window, "actionOpenData", None)
    file_menu.insertAction(data if data in file_menu.actions() else None, new)
    help_menu.addAction(gallery)
