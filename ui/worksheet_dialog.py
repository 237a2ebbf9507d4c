"""The Export worksheet dialog: the format (an HTML page that prints on A4, or Markdown with
LaTeX math), an exercise with its answer key or not, and the matrices' decimals (as the
step-through writes them, or a number chosen). :mod:`ui.worksheet_export` asks it through
``ui.dialogs.ask_worksheet_options`` and writes the worksheet."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QSpinBox, QVBoxLayout)

from nnviz.explain import worksheet

FORMATS = (("HTML page: opens in a browser, prints on A4", ".html", "HTML page (*.html)"),
           ("Markdown with LaTeX math", ".md", "Markdown (*.md)"))
AS_SHOWN = -1     # the decimals box's first value: as the step-through writes each matrix


@dataclass(frozen=True)
class WorksheetOptions:
    extension: str            # ".html" or ".md"
    exercise: bool            # results blank, and the answer key beside it
    decimals: int | None      # None: as the step-through writes each matrix


class WorksheetDialog(QDialog):
    """The worksheet's format, exercise and decimals; :meth:`options` after OK."""

    def __init__(self, parent=None, options: WorksheetOptions | None = None):
        super().__init__(parent)
        self.setObjectName("worksheetDialog")
        self.setWindowTitle("Export worksheet")
        self.format = QComboBox()
        self.format.setObjectName("worksheetFormat")
        self.format.addItems([text for text, _, _ in FORMATS])
        self.format.setToolTip("HTML: one self-contained page (no network needed) that prints on "
                               "A4. Markdown: the math as LaTeX, for a viewer with MathJax or "
                               "KaTeX, or pandoc")
        self.exercise = QCheckBox("E&xercise with answer key")
        self.exercise.setObjectName("worksheetExercise")
        self.exercise.setToolTip("Leave every number an operation computes blank (what it is "
                                 "given stays), and write the full worksheet beside it as the "
                                 "answer key (name-answers.html)")
        self.decimals = QSpinBox()
        self.decimals.setObjectName("worksheetDecimals")
        self.decimals.setRange(AS_SHOWN, worksheet.MAX_DECIMALS)
        self.decimals.setSpecialValueText("as the step-through shows")
        self.decimals.setValue(AS_SHOWN)
        self.decimals.setToolTip("Decimals of every matrix's numbers; the first value writes each "
                                 "matrix as the step-through does. The element-by-element lines "
                                 "keep four significant digits")
        form = QFormLayout()
        form.addRow("&Format", self.format)
        form.addRow("&Decimals", self.decimals)
        form.addRow("", self.exercise)
        note = QLabel("Every operation of the step in order: its equation with the shapes, the "
                      "matrices with their numbers, the selected sample element by element, and "
                      "the update's before, change and after.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)
        if options is not None:
            self.format.setCurrentIndex([e for _, e, _ in FORMATS].index(options.extension))
            self.exercise.setChecked(options.exercise)
            self.decimals.setValue(AS_SHOWN if options.decimals is None else options.decimals)

    def options(self) -> WorksheetOptions:
        d = self.decimals.value()
        return WorksheetOptions(FORMATS[self.format.currentIndex()][1], self.exercise.isChecked(),
                                None if d == AS_SHOWN else d)
