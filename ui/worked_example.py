"""File › New worked example…: type a tiny problem by hand — the network's shape, the rows X
and targets y, every weight and bias — and step through exactly its training step.

The grids follow the architecture: the data table has a column per input and one for the
target; layer k has W⁽ᵏ⁾ (a row per unit it comes from, a column per unit it goes to) and b⁽ᵏ⁾.
Each grid takes a block pasted from a spreadsheet (Ctrl+V, :mod:`ui.matrix_grid`). The
training settings' ranges, choices and tooltips are their declarations (:mod:`nnviz.settings`).

OK turns the typed numbers into a run with :func:`nnviz.examples.typed_problem` — no scaling,
no test rows, the rows in typed order in one batch, so the net sees exactly what was typed —
and hands it to ``apply``; a problem (a target that is not a class, a cell that is not a
number) shows in the dialog, which stays open, and nothing changes.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QPushButton, QScrollArea, QSpinBox,
                               QVBoxLayout, QWidget)

from nnviz import examples, settings
from nnviz.core.stages import Symbols, sup
from nnviz.errors import NnvizError

from .controls import choice_box, number_box
from .matrix_grid import MatrixGrid

MAX_INPUTS = 6           # hand-sized problems: a few inputs, units and rows
MAX_UNITS = 6
MAX_ROWS = 8
MAX_HIDDEN = 3
MAX_K = 6
LEFT_WIDTH = 340         # px: the settings column
# (what the combo says, task, loss)
OUTPUTS = (("sigmoid, log-loss (y: 0 or 1)", "classification", "log_loss"),
           ("sigmoid, squared error (y: 0 or 1)", "classification", "squared_error"),
           ("softmax, cross-entropy (y: 0…K−1)", "classification", "cross_entropy"),
           ("identity, squared error (y: a number)", "regression", "squared_error"))
NOTE = ("The network sees exactly these numbers: no scaling, no test rows, and every row in "
        "one batch, in the order typed. W⁽ᵏ⁾ has a row per unit it comes from and a column per "
        "unit it goes to (Z = A·W + b); the row under it is the bias b⁽ᵏ⁾ of each unit. OK replaces the current data and network; "
        "Edit › Undo brings them back.")


class Number(QDoubleSpinBox):
    """A rate's spin box that shows 0.1, not 0.100000 (it still takes up to ``decimals``
    digits); :func:`number_box` gives it its setting's range, step and help."""

    def __init__(self, decimals: int):
        super().__init__()
        self.setDecimals(decimals)

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}".rstrip("0")
        return text + "0" if text.endswith(".") else text


class LayerBox(QGroupBox):
    """W⁽ᵏ⁾ of one dense layer with b⁽ᵏ⁾ right under it as one more row: the bias of unit j
    sits in W's column j (as in [W; b], the folded form [A 1]·[W; b])."""

    def __init__(self, k: int, parent=None):
        super().__init__(parent)
        self.k = k
        self.W = MatrixGrid(f"W{sup(k)}", 1, 1)
        self.b = MatrixGrid(f"b{sup(k)}", 1, 1)
        self.W.setToolTip(f"W{sup(k)}[i, j]: the weight from unit i of the layer before to unit j "
                          "of this layer; paste a block with Ctrl+V")
        self.b.setToolTip(f"b{sup(k)}[j]: the bias of unit j")
        self.b.horizontalHeader().hide()         # W's column labels above say which unit
        col = QVBoxLayout()
        col.setSpacing(0)
        col.addWidget(self.W)
        col.addWidget(self.b)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addLayout(col)
        lay.addStretch(1)
        for grid in (self.W, self.b):
            grid.edited.connect(self._align)

    def set_shape(self, rows: list[str], cols: list[str], input_name: str):
        """W's rows named ``rows`` (the units of ``input_name``, the layer's input), its
        columns and b's ``cols``."""
        self.W.set_shape(len(rows), len(cols))
        self.W.set_labels(rows, cols)
        self.b.set_shape(1, len(cols))
        self.b.set_labels([f"b{sup(self.k)}"], cols)
        self._align()
        eq = f"Z{sup(self.k)} = {input_name}·W{sup(self.k)} + b{sup(self.k)}"
        self.setTitle(f"Layer {self.k}: {eq}   (W{sup(self.k)}: {len(rows)}×{len(cols)}, "
                      f"b{sup(self.k)}: 1×{len(cols)})")

    def _align(self):
        """b's columns under W's: the same widths, the same width of row labels."""
        W, b = self.W, self.b
        for grid in (W, b):
            grid.header_width = None
            grid.fit()
        head = max(W.verticalHeader().sizeHint().width(), b.verticalHeader().sizeHint().width())
        for j in range(W.columnCount()):
            width = max(W.columnWidth(j), b.columnWidth(j))
            W.setColumnWidth(j, width)
            b.setColumnWidth(j, width)
        for grid in (W, b):
            grid.header_width = head
            grid.fix_size()


class WorkedExampleDialog(QDialog):
    """The editor. Public widgets (tests drive them): ``inputs``, ``layers``, ``units`` (one
    spin box per possible hidden layer), ``activation``, ``output``, ``classes``, ``data`` (X
    and y, a :class:`MatrixGrid`), ``add_row``, ``remove_row``, ``layer_boxes``,
    ``random_button``, ``reduction``, ``lr``, ``optimizer``, ``l1``, ``l2``, ``message``,
    ``buttons``. ``apply(experiment)`` is called on OK."""

    def __init__(self, apply=None, parent=None, example: examples.WorkedExample | None = None):
        super().__init__(parent)
        self.setObjectName("workedExampleDialog")
        self._apply = apply
        self._loading = False
        self.title = "worked example"
        self.setWindowTitle("Worked example")
        self._make_widgets()
        self._make_layout()
        self.load(example or examples.get("two_two_one_log_loss"),
                  title=None if example is not None else "worked example")

    # --- building ------------------------------------------------------------------------
    def _make_widgets(self):
        self.inputs = QSpinBox()
        self.inputs.setRange(1, MAX_INPUTS)
        self.inputs.setToolTip("p, the number of inputs of each row")
        self.layers = QSpinBox()
        self.layers.setRange(0, MAX_HIDDEN)
        self.layers.setToolTip("Hidden layers; 0: the output unit(s) see the inputs directly "
                               "(logistic or linear regression)")
        self.units = []
        for k in range(MAX_HIDDEN):
            box = QSpinBox()
            box.setRange(1, MAX_UNITS)
            box.setToolTip(f"Units of hidden layer {k + 1}")
            self.units.append(box)
        self.activation = choice_box("activation")
        self.output = QComboBox()
        for text, _task, _loss in OUTPUTS:
            self.output.addItem(text)
        self.output.setToolTip("The output unit(s) and the loss of a row. " + settings.get("loss").help)
        self.classes = QSpinBox()
        self.classes.setRange(2, MAX_K)
        self.classes.setToolTip("K, the number of classes (targets 0…K−1), one output unit each")
        self.data = MatrixGrid("the data table", 2, 3, grow=True, max_rows=MAX_ROWS)
        self.data.setToolTip("One row per sample: its inputs, then its target y. Paste a block "
                             "from a spreadsheet with Ctrl+V (rows are added as needed)")
        self.add_row = QPushButton("Add row")
        self.add_row.setToolTip(f"Add a row of zeros (at most {MAX_ROWS})")
        self.remove_row = QPushButton("Remove row")
        self.remove_row.setToolTip("Remove the selected row (the last one if none is selected); "
                                   "one row is the least")
        self.layer_boxes = [LayerBox(k + 1) for k in range(MAX_HIDDEN + 1)]
        self.random_button = QPushButton("Random weights")
        self.random_button.setToolTip("Fill every W and b with random numbers between −1 and 1, "
                                      "rounded to two decimals (easy to follow by hand)")
        self.reduction = choice_box("reduction")
        self.lr = number_box("lr", 0.01, Number(6))
        self.optimizer = choice_box("optimizer")
        self.l1 = number_box("l1", 0.01, Number(4))
        self.l2 = number_box("l2", 0.01, Number(4))
        self.message = QLabel()
        self.message.setObjectName("workedExampleMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Step through this example")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for box in (self.inputs, self.layers, self.classes, *self.units):
            box.valueChanged.connect(self._reshape)
        self.output.currentIndexChanged.connect(self._reshape)
        self.add_row.clicked.connect(self._add_row)
        self.remove_row.clicked.connect(self._remove_row)
        self.random_button.clicked.connect(lambda: self.fill_random())
        for grid in self._grids():
            grid.problem.connect(self.message.setText)
            grid.edited.connect(lambda: self.message.setText(""))

    def _make_layout(self):
        net = QFormLayout()
        net.addRow("Inputs per row (p)", self.inputs)
        net.addRow("Hidden layers", self.layers)
        row = QHBoxLayout()
        for box in self.units:
            row.addWidget(box)
        row.addStretch(1)
        net.addRow("Units per hidden layer", row)
        net.addRow("Hidden activation", self.activation)
        net.addRow(QLabel("Output unit(s) and loss"))
        net.addRow(self.output)           # a row of its own: the choices read in full
        net.addRow("Classes (K)", self.classes)
        net_box = QGroupBox("Network")
        net_box.setLayout(net)
        train = QFormLayout()
        train.addRow("Loss over the rows", self.reduction)
        train.addRow("Learning rate η", self.lr)
        train.addRow("Optimizer", self.optimizer)
        train.addRow("L1 penalty (λ₁)", self.l1)
        train.addRow("L2 penalty (λ₂)", self.l2)
        train_box = QGroupBox("Training step")
        train_box.setLayout(train)
        left = QVBoxLayout()
        left.addWidget(net_box)
        left.addWidget(train_box)
        note = QLabel(NOTE)
        note.setWordWrap(True)
        note.setObjectName("workedExampleNote")
        left.addWidget(note)
        left.addStretch(1)
        left_w = QWidget()
        left_w.setLayout(left)
        left_w.setFixedWidth(LEFT_WIDTH)

        data_box = QGroupBox("Data: X and the target y")
        dl = QVBoxLayout(data_box)
        dl.addWidget(self.data)
        rb = QHBoxLayout()
        rb.addWidget(self.add_row)
        rb.addWidget(self.remove_row)
        rb.addStretch(1)
        dl.addLayout(rb)
        weights_head = QHBoxLayout()
        weights_head.addWidget(QLabel("Weights and biases"))
        weights_head.addStretch(1)
        weights_head.addWidget(self.random_button)
        right = QVBoxLayout()
        right.addWidget(data_box)
        right.addLayout(weights_head)
        for box in self.layer_boxes:
            right.addWidget(box)
        right.addStretch(1)
        inner = QWidget()
        inner.setLayout(right)
        scroll = self.scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.NoFrame)

        top = QHBoxLayout()
        top.addWidget(left_w)
        top.addWidget(scroll, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.resize(980, 640)

    def _grids(self) -> list[MatrixGrid]:
        return [self.data] + [g for box in self.layer_boxes for g in (box.W, box.b)]

    # --- the shape -----------------------------------------------------------------------
    def hidden(self) -> list[int]:
        return [box.value() for box in self.units[:self.layers.value()]]

    def _task_loss(self) -> tuple[str, str]:
        _text, task, loss = OUTPUTS[self.output.currentIndex()]
        return task, loss

    def n_outputs(self) -> int:
        return self.classes.value() if self._task_loss()[1] == "cross_entropy" else 1

    def sizes(self) -> list[int]:
        """Units per layer, inputs first: the network the grids describe."""
        return [self.inputs.value(), *self.hidden(), self.n_outputs()]

    def _reshape(self):
        if self._loading:
            return
        n_hidden = self.layers.value()
        for k, box in enumerate(self.units):
            box.setEnabled(k < n_hidden)
        self.activation.setEnabled(n_hidden > 0)
        softmax = self._task_loss()[1] == "cross_entropy"
        self.classes.setEnabled(softmax)
        p = self.inputs.value()
        names = examples.input_names(p)
        self.data.set_shape(self.data.rowCount(), p + 1)
        self.data.set_labels([str(i + 1) for i in range(self.data.rowCount())],
                             names + ["y (class)" if self._task_loss()[0] == "classification" else "y"])
        sizes = self.sizes()
        sym = Symbols(len(sizes) - 1)     # the units' names as every view writes them
        for k, box in enumerate(self.layer_boxes):
            if k >= len(sizes) - 1:
                box.hide()
                continue
            rows = names if k == 0 else [sym.unit(k - 1, j) for j in range(sizes[k])]
            cols = [sym.unit(k, j, sizes[-1]) for j in range(sizes[k + 1])]
            box.set_shape(rows, cols, sym.a(k))
            box.show()

    def _add_row(self):
        n = self.data.rowCount()
        if n >= MAX_ROWS:
            self.message.setText(f"a worked example has at most {MAX_ROWS} rows")
            return
        self.data.set_shape(n + 1, self.data.columnCount())
        self._reshape()

    def _remove_row(self):
        n = self.data.rowCount()
        if n <= 1:
            self.message.setText("a worked example needs at least one row")
            return
        rows = sorted({i.row() for i in self.data.selectedIndexes()})
        self.data.removeRow(rows[0] if rows else n - 1)
        self._reshape()

    def fill_random(self, rng: np.random.Generator | None = None):
        """Every W and b of the network: uniform on [−1, 1], rounded to two decimals."""
        rng = rng or np.random.default_rng()
        for box in self.layer_boxes[:len(self.sizes()) - 1]:
            for grid in (box.W, box.b):
                shape = (grid.rowCount(), grid.columnCount())
                grid.set_values(np.round(rng.uniform(-1.0, 1.0, shape), 2) + 0.0)

    # --- in and out ----------------------------------------------------------------------
    def load(self, example: examples.WorkedExample, title: str | None = None):
        """Fill every field from ``example``."""
        self.title = title or example.title
        self.setWindowTitle(f"Worked example — {self.title}")
        X = np.array(example.X, dtype=np.float64)
        self._loading = True
        try:
            self.inputs.setValue(X.shape[1])
            self.layers.setValue(len(example.hidden))
            for box, m in zip(self.units, example.hidden):
                box.setValue(m)
            self.activation.setCurrentText(example.activation)
            loss = example.loss or ("log_loss" if example.task == "classification" else "squared_error")
            self.output.setCurrentIndex(next(i for i, (_t, task, lo) in enumerate(OUTPUTS)
                                             if task == example.task and lo == loss))
            W_out = np.array(example.weights[-1][0], dtype=np.float64)
            if loss == "cross_entropy":
                self.classes.setValue(W_out.shape[1])
            self.data.set_shape(X.shape[0], X.shape[1] + 1)
        finally:
            self._loading = False
        self._reshape()
        self.data.set_values(np.column_stack([X, np.array(example.y, dtype=np.float64)]))
        for box, (W, b) in zip(self.layer_boxes, example.weights):
            box.W.set_values(W)
            box.b.set_values(b)
        self.reduction.setCurrentText(example.reduction)
        self.lr.setValue(example.lr)
        self.optimizer.setCurrentText(example.optimizer)
        self.l1.setValue(example.l1)
        self.l2.setValue(example.l2)
        self.message.setText("")

    def problem(self):
        """(dataset, config, model) of what is typed; raises NnvizError naming the problem."""
        table = self.data.values()
        X, y = table[:, :-1], table[:, -1]
        weights = [(box.W.values(), box.b.values()[0])
                   for box in self.layer_boxes[:len(self.sizes()) - 1]]
        task, loss = self._task_loss()
        return examples.typed_problem(
            X, y, weights, hidden=self.hidden(), activation=self.activation.currentText(),
            task=task, loss=loss, classes=self.classes.value(), lr=self.lr.value(),
            reduction=self.reduction.currentText(), optimizer=self.optimizer.currentText(),
            l1=self.l1.value(), l2=self.l2.value(), name=self.title)

    def experiment(self):
        return examples.run(self.problem())

    def accept(self):
        try:
            exp = self.experiment()
            if self._apply is not None:
                self._apply(exp)
        except NnvizError as exc:
            self.message.setText(str(exc))
            bad = self.focusWidget()
            if isinstance(bad, MatrixGrid):      # the grid holding the bad cell: in sight
                self.scroll.ensureWidgetVisible(bad)
            return
        super().accept()
