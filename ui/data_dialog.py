"""File › Open data…: read a CSV table, pick the target and the input columns, and train on it.

The dialog reads the whole file once (with the detected or chosen format) and keeps that
:class:`~nnviz.data.csvdata.Table`; every later choice — target, inputs, task, the class against the
rest, dropping rows with missing values — re-runs :func:`nnviz.data.csvdata.dataset_from_table` on
it, so the summary line always says what OK would load, or the one sentence saying why it
cannot. The same functions serve ``nnviz train --data FILE --target COL``: the app and the
command line read a file to the same arrays.

OK hands the Dataset and the training choices (standardize, test ratio, seed) to ``apply``;
when that raises :class:`~nnviz.errors.NnvizError` (a constant column, a split leaving fewer
than two rows on a side) the message shows in the dialog, the dialog stays open and the
session keeps its data.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog,
                               QDialogButtonBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout)

from nnviz.data import csvdata
from nnviz.data.features import Scaler
from nnviz.errors import NnvizError

PREVIEW_ROWS = 50
DELIMITERS = (("comma  ,", ","), ("semicolon  ;", ";"), ("tab", "\t"))
DECIMALS = (("point  .", "."), ("comma  ,", ","))
SHOWN_CLASSES = 8   # more classes: the mapping and the counts are summed up, not listed


ENCODINGS = (("UTF-8", "utf-8"), ("UTF-8 with BOM", "utf-8-sig"),
             ("Windows Western (cp1252)", "cp1252"), ("Latin-1", "latin-1"),
             ("UTF-16 with BOM", "utf-16"))
TASKS = ("classification", "regression", "one class vs the rest")
MB = 1024 ** 2


class DataImportDialog(QDialog):
    """Preview a CSV file and choose how to learn from it.

    ``apply(dataset, standardize=…, test_ratio=…, seed=…)`` is called on OK. Public widgets
    (tests drive them): ``delimiter``, ``decimal``, ``header``, ``encoding``, ``limit_mb``,
    ``preview``, ``target``, ``features`` (a checkable list), ``task``, ``positive``,
    ``mapping``, ``standardize``, ``test_ratio``, ``seed``, ``drop_missing``, ``message``,
    ``buttons``. ``table`` is the file as read (None when it cannot be read) and ``dataset``
    what OK would load (None with a problem, which ``message`` states).
    """

    def __init__(self, path, apply=None, parent=None, *, max_bytes: int = csvdata.MAX_BYTES,
                 test_ratio: float = 0.3, seed: int = 0):
        super().__init__(parent)
        self.setObjectName("dataImportDialog")
        self.path = os.fspath(path)
        self._apply = apply
        self.table: csvdata.Table | None = None
        self.dataset = None
        self.error = ""
        self._syncing = False
        self.setWindowTitle(f"Open data — {os.path.basename(self.path)}")

        # --- how the file is written --------------------------------------------------
        fmt_box = QGroupBox("File format")
        form = QFormLayout(fmt_box)
        self.delimiter = self._combo(DELIMITERS, "The character between fields (detected from the file).")
        self.decimal = self._combo(DECIMALS, "The decimal mark of the numbers: 1.5 or 1,5 "
                                   "(a comma needs another delimiter).")
        self.header = QCheckBox("First row holds column names")
        self.header.setToolTip("Detected: on when the first row has names above numbers.")
        self.encoding = self._combo(ENCODINGS, "Text encoding of the file (detected: a "
                                    "byte-order mark, else UTF-8 when the file reads as UTF-8, "
                                    "else Windows Western, as Excel saves CSV there).")
        self.limit_mb = QSpinBox()
        self.limit_mb.setRange(1, 100_000)
        self.limit_mb.setSuffix(" MB")
        self.limit_mb.setValue(max(1, -(-max_bytes // MB)))
        self.limit_mb.setKeyboardTracking(False)
        self.limit_mb.setToolTip("Larger files are refused; raise the limit to load one.")
        form.addRow(self._label("&Delimiter", self.delimiter), self.delimiter)
        form.addRow(self._label("Deci&mal mark", self.decimal), self.decimal)
        form.addRow("", self.header)
        form.addRow(self._label("&Encoding", self.encoding), self.encoding)
        form.addRow(self._label("Size &limit", self.limit_mb), self.limit_mb)

        # --- what to learn --------------------------------------------------------------
        col_box = QGroupBox("Columns")
        col_lay = QVBoxLayout(col_box)
        tform = QFormLayout()
        self.target = QComboBox()
        self.target.setToolTip("The column the network learns to predict.")
        self.task = QComboBox()
        self.task.addItems(TASKS)
        self.task.setToolTip("Proposed from the target: two distinct values → classification "
                             "(mapped to 0 and 1); more labels → classification with one output "
                             "per class (softmax); more numbers → regression (choose "
                             "classification to treat them as classes). One class vs the rest "
                             "makes a binary problem from a target with more classes.")
        self.positive = QComboBox()
        self.positive.setToolTip("The class that becomes 1; every other class becomes 0.")
        self.mapping = QLabel()
        self.mapping.setObjectName("mappingLabel")
        self.mapping.setWordWrap(True)
        self.mapping.setToolTip("How the target's values become the network's targets.")
        tform.addRow(self._label("&Target", self.target), self.target)
        tform.addRow(self._label("T&ask", self.task), self.task)
        tform.addRow(self._label("Class &1", self.positive), self.positive)
        tform.addRow("", self.mapping)
        col_lay.addLayout(tform)
        self.features = QListWidget()
        self.features.setObjectName("featureList")
        self.features.setSelectionMode(QAbstractItemView.NoSelection)
        self.features.setToolTip("Input columns: the network takes every checked column.")
        all_btn, none_btn = QPushButton("All"), QPushButton("None")
        all_btn.setToolTip("Use every numeric column except the target as an input.")
        none_btn.setToolTip("Uncheck every input column.")
        all_btn.clicked.connect(lambda: self._check_all(True))
        none_btn.clicked.connect(lambda: self._check_all(False))
        row = QHBoxLayout()
        row.addWidget(QLabel("Inputs"))
        row.addStretch(1)
        row.addWidget(all_btn)
        row.addWidget(none_btn)
        col_lay.addLayout(row)
        col_lay.addWidget(self.features, 1)

        train_box = QGroupBox("Training")
        trf = QFormLayout(train_box)
        self.standardize = QCheckBox("Standardize inputs")
        self.standardize.setChecked(True)
        self.standardize.setToolTip("Scale every input to mean 0 and standard deviation 1 over "
                                    "the training rows (a constant column cannot be).")
        self.drop_missing = QCheckBox("Drop rows with missing values")
        self.drop_missing.setToolTip("Skip rows with an empty, NA or NaN cell in a chosen column "
                                     "instead of refusing the file.")
        self.test_ratio = QDoubleSpinBox()
        self.test_ratio.setRange(0.0, 0.9)
        self.test_ratio.setSingleStep(0.05)
        self.test_ratio.setValue(test_ratio)
        self.test_ratio.setToolTip("Fraction of the rows held out for testing.")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2 ** 31 - 1)
        self.seed.setValue(seed)
        self.seed.setToolTip("Seed of the split, the initial weights and the shuffles.")
        trf.addRow("", self.standardize)
        trf.addRow("", self.drop_missing)
        trf.addRow(self._label("Test &ratio", self.test_ratio), self.test_ratio)
        trf.addRow(self._label("See&d", self.seed), self.seed)

        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(fmt_box)
        left.addWidget(train_box)
        left.addStretch(1)
        top.addLayout(left)
        top.addWidget(col_box, 1)

        self.preview = QTableWidget()
        self.preview.setObjectName("previewTable")
        self.preview.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.preview.setToolTip(f"The first {PREVIEW_ROWS} rows as read with this format.")
        self.preview.verticalHeader().setDefaultSectionSize(20)
        self.message = QLabel()
        self.message.setObjectName("importMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Load and train")
        self.buttons.button(QDialogButtonBox.Ok).setToolTip("Replace the current data with this "
                                                            "table and start a new run (Enter).")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        self.file_label = QLabel(self.path)
        self.file_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.file_label)
        lay.addLayout(top, 3)
        lay.addWidget(self.preview, 2)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.resize(940, 680)
        QShortcut(QKeySequence("Ctrl+A"), self.features, lambda: self._check_all(True))

        # --- first read: detect the format ----------------------------------------------
        try:
            fmt = csvdata.sniff(self.path)
        except NnvizError as exc:
            fmt = csvdata.CsvFormat()
            self.error = str(exc)
        self._set_format(fmt)
        self.delimiter.currentIndexChanged.connect(lambda _i: self._other_mark(self.decimal))
        self.decimal.currentIndexChanged.connect(lambda _i: self._other_mark(self.delimiter))
        for w in (self.delimiter, self.decimal, self.encoding):
            w.currentIndexChanged.connect(self._reload)
        self.header.toggled.connect(self._reload)
        self.limit_mb.valueChanged.connect(self._reload)
        self.target.currentIndexChanged.connect(self._on_target)
        self.task.currentIndexChanged.connect(self._on_task)
        self.positive.currentIndexChanged.connect(self._revalidate)
        self.features.itemChanged.connect(self._revalidate)
        self.drop_missing.toggled.connect(self._revalidate)
        self.standardize.toggled.connect(self._revalidate)
        self.test_ratio.valueChanged.connect(self._revalidate)
        self.seed.valueChanged.connect(self._revalidate)
        if self.error:
            self._show_problem(self.error)
        else:
            self._reload()

    # --- small builders ---------------------------------------------------------------
    @staticmethod
    def _combo(items, tip) -> QComboBox:
        c = QComboBox()
        for text, value in items:
            c.addItem(text, value)
        c.setToolTip(tip)
        return c

    @staticmethod
    def _label(text, buddy) -> QLabel:
        lab = QLabel(text)
        lab.setBuddy(buddy)
        return lab

    # --- the format -------------------------------------------------------------------
    def _other_mark(self, other: QComboBox):
        """A comma chosen as the delimiter makes the decimal mark a point, and the other way
        round (both a comma was refused, and the preview emptied)."""
        if self._syncing or self.delimiter.currentData() != self.decimal.currentData():
            return
        self._syncing = True
        try:
            other.setCurrentIndex(other.findData(";" if other is self.delimiter else "."))
        finally:
            self._syncing = False

    def fmt(self) -> csvdata.CsvFormat:
        """The format chosen in the dialog (raises NnvizError for a comma used twice)."""
        return csvdata.CsvFormat(self.delimiter.currentData(), self.decimal.currentData(),
                                 self.header.isChecked(), self.encoding.currentData())

    def _set_format(self, fmt: csvdata.CsvFormat):
        self._syncing = True
        try:
            for combo, value in ((self.delimiter, fmt.delimiter), (self.decimal, fmt.decimal),
                                 (self.encoding, fmt.encoding)):
                i = combo.findData(value)
                combo.setCurrentIndex(max(i, 0))
            self.header.setChecked(fmt.has_header)
        finally:
            self._syncing = False

    def max_bytes(self) -> int:
        return self.limit_mb.value() * MB

    def _reload(self, *_):
        """Read the whole file with the chosen format; refill the preview and the columns."""
        if self._syncing:
            return
        self.table = None
        try:
            self.table = csvdata.read_table(self.path, self.fmt(), max_bytes=self.max_bytes())
        except NnvizError as exc:
            self._fill_preview()
            self._fill_columns()
            self._show_problem(str(exc))
            return
        self._fill_preview()
        self._fill_columns()
        self._on_target()

    def _fill_preview(self):
        t = self.table
        self.preview.clear()
        if t is None:
            self.preview.setRowCount(0)
            self.preview.setColumnCount(0)
            return
        n = min(PREVIEW_ROWS, t.n_rows)
        self.preview.setColumnCount(t.n_columns)
        self.preview.setRowCount(n)
        self.preview.setHorizontalHeaderLabels(t.columns)
        self.preview.setVerticalHeaderLabels([str(r) for r in t.row_numbers[:n]])
        for i in range(n):
            for j in range(t.n_columns):
                self.preview.setItem(i, j, QTableWidgetItem(t.cell(i, j)))
        self.preview.resizeColumnsToContents()

    def _fill_columns(self):
        t = self.table
        self._syncing = True
        try:
            self.target.clear()
            self.features.clear()
            if t is None:
                return
            self.target.addItems(t.columns)
            # The last column, by convention, but not an empty one (a delimiter ending every
            # row, as spreadsheets write, made one and chose it).
            last = next((j for j in range(t.n_columns - 1, -1, -1)
                         if not csvdata.column_is_empty(t, j)), t.n_columns - 1)
            self.target.setCurrentIndex(last)
        finally:
            self._syncing = False

    def _fill_features(self):
        """Every column but the target, checked when numeric and not empty."""
        t = self.table
        target = self.target.currentIndex()
        self._syncing = True
        try:
            self.features.clear()
            others = [j for j in range(t.n_columns) if j != target]
            # the engine's default, as `nnviz train --data` takes it: a column of numbers with a
            # typo stays checked (the summary names the cell), a column of words starts unchecked
            usable = {t.index(c) for c in csvdata.default_inputs(t, t.columns[target])[0]}
            for j in others:
                name = t.columns[j]
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if j in usable else Qt.Unchecked)
                if not t.is_numeric(j):
                    item.setToolTip(f"{name} holds text; only numbers can be inputs.")
                self.features.addItem(item)
        finally:
            self._syncing = False

    def _check_all(self, on: bool):
        if self.table is None:
            return
        self._syncing = True
        try:
            for k in range(self.features.count()):
                item = self.features.item(k)
                numeric = self.table.is_numeric(self.table.index(item.text()))
                item.setCheckState(Qt.Checked if on and numeric else Qt.Unchecked)
        finally:
            self._syncing = False
        self._revalidate()

    def chosen_features(self) -> list[str]:
        return [self.features.item(k).text() for k in range(self.features.count())
                if self.features.item(k).checkState() == Qt.Checked]

    def check_features(self, names):
        """Check exactly the columns ``names`` (for tests and scripts)."""
        self._syncing = True
        try:
            for k in range(self.features.count()):
                item = self.features.item(k)
                item.setCheckState(Qt.Checked if item.text() in names else Qt.Unchecked)
        finally:
            self._syncing = False
        self._revalidate()

    # --- target and task --------------------------------------------------------------
    def _on_target(self, *_):
        if self._syncing or self.table is None:
            return
        self._fill_features()
        target = self.target.currentText()
        try:
            labels = csvdata.target_labels(self.table, target)
        except NnvizError:
            labels = []
        numeric = csvdata.column_is_numeric(self.table, self.table.index(target))
        self._syncing = True
        try:
            self.positive.clear()
            self.positive.addItems(labels)
            if len(labels) == 2 or not labels or not numeric:
                self.task.setCurrentIndex(0)        # two classes, or K classes by name
            else:
                self.task.setCurrentIndex(1)
        finally:
            self._syncing = False
        self._on_task()

    def _on_task(self, *_):
        if self._syncing:
            return
        one_vs_rest = self.task.currentIndex() == 2
        self.positive.setEnabled(one_vs_rest)
        if one_vs_rest and self.positive.currentIndex() < 0 and self.positive.count():
            self._show_positive(0)    # (a regression's blank: the first label, to start with)
        self._revalidate()

    def _show_positive(self, index: int):
        """The Class 1 box on entry ``index`` (-1: blank) without validating again (the caller
        does, or is validating)."""
        if index != self.positive.currentIndex():
            self._syncing = True
            try:
                self.positive.setCurrentIndex(index)
            finally:
                self._syncing = False

    def _show_class_one(self, ds):
        """While it is greyed (the task decides), "Class 1" names the class that becomes 1,
        as the mapping below it says, and nothing for a regression; it showed the first label,
        "benign" above "benign → 0, malignant → 1"."""
        if self.positive_class() is None:
            self._show_positive(self.positive.findText(ds.class_names[1])
                                if ds.task == "classification" and ds.class_names else -1)

    def task_name(self) -> str:
        return ("classification", "regression", "classification")[self.task.currentIndex()]

    def positive_class(self) -> str | None:
        return self.positive.currentText() if self.task.currentIndex() == 2 else None

    def build_dataset(self):
        """The Dataset OK would load; NnvizError with the one sentence when it cannot."""
        if self.table is None:
            raise NnvizError(self.error or "the file could not be read")
        feats = self.chosen_features()
        if not feats:
            raise NnvizError("check at least one input column")
        return csvdata.dataset_from_table(self.table, self.target.currentText(), feats,
                                          self.task_name(), self.drop_missing.isChecked(),
                                          self.positive_class())

    def _revalidate(self, *_):
        if self._syncing:
            return
        try:
            ds = self.build_dataset()
        except NnvizError as exc:
            self._show_problem(str(exc))
            return
        self.dataset, self.error = ds, ""
        self._show_class_one(ds)
        if ds.task == "classification" and ds.n_classes > 2:     # K classes
            self.mapping.setText(ds.class_description(SHOWN_CLASSES))
        elif ds.task == "classification":
            a, b = ds.class_names
            if self.positive_class() is not None:
                self.mapping.setText(f"{b} → 1, every other class → 0")
            else:
                self.mapping.setText(f"{a} → 0, {b} → 1")
        else:
            self.mapping.setText(f"numeric target, from {ds.y.min():g} to {ds.y.max():g}")
        counts = ds.class_counts(SHOWN_CLASSES) or "regression"
        dropped = ds.source.get("dropped_rows", 0)
        tail = f"; {dropped} row{'s' * (dropped != 1)} with missing values dropped" if dropped else ""
        self.message.setStyleSheet("")
        self.message.setText(f"{ds.n_samples} rows × {ds.n_inputs} input{'s' * (ds.n_inputs != 1)}"
                             f" → {ds.task} ({counts}){tail}." + self._notices(ds))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(True)

    def _notices(self, ds) -> str:
        """What standardizing would say of the chosen columns (a constant one is kept)."""
        if not self.standardize.isChecked():
            return ""
        try:
            notices = Scaler.fit(ds.X, names=list(ds.inputs)).notices
        except NnvizError:
            return ""                 # said when OK builds the run
        if not notices:
            return ""
        if len(notices) == 1:
            return " Note: " + notices[0] + "."
        names = [n.split("'")[1] for n in notices if n.count("'") >= 2]
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        return (f" Note: {len(notices)} columns are constant ({shown}); they are kept and "
                "standardize to 0, so their weights learn nothing.")

    def _show_problem(self, text: str, *, keep_dataset: bool = False):
        """Say what is wrong; without ``keep_dataset`` there is nothing OK could load."""
        if not keep_dataset:
            self.dataset = None
            self.mapping.setText("")
            self.buttons.button(QDialogButtonBox.Ok).setEnabled(False)
        self.error = text
        self.message.setStyleSheet("color: #c0392b")
        if not text.startswith(os.path.basename(self.path)):      # a file name keeps its case
            text = text[0].upper() + text[1:]
        self.message.setText(text + ("" if text.endswith(".") else "."))

    # --- OK -----------------------------------------------------------------------------
    def accept(self):
        if self.dataset is None:
            return
        if self._apply is not None:
            try:
                self._apply(self.dataset, standardize=self.standardize.isChecked(),
                            test_ratio=self.test_ratio.value(), seed=self.seed.value())
            except NnvizError as exc:       # the session kept its data; the choices can change
                self._show_problem(str(exc), keep_dataset=True)
                return
        super().accept()
