"""The two settings panels: data (dataset, samples, noise, split, features) and
hyperparameters (learning rate and its schedule, the η in use, batch size, activation, optimizer,
regularization, early stopping, init, seed).

Each setting's control takes its range or choices and its tooltip from the setting's declaration
(:mod:`nnviz.settings`), so the GUI and the engine agree; ``controls`` maps setting names to them.
Changes go to the session; the panels re-read the session on ``settingsChanged``.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, Qt
from PySide6.QtGui import QDoubleValidator, QValidator
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from nnviz import settings
from nnviz.core import schedules
from nnviz.errors import NnvizError
from nnviz.data.features import TOY_FEATURES

from . import dialogs

SCHEDULE_EXAMPLES = ("constant", "step:10:0.5", "exp:0.95", "cosine:200")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)

INT_MAX = 2**31 - 1    # a QSpinBox holds a C int

# Tooltips of the controls that are not one setting; a setting's control explains itself with
# the setting's declared help (nnviz.settings).
TIPS = {
    "regenerate": "Draw the data again with the current settings.",
    "full": "Use every training row in each update (batch gradient descent).",
    "reg": "Penalty added to the weights' gradient: L2 adds λ·W, L1 adds λ·sign(W). Biases are not penalised.",
    "rate": "Regularization rate λ of the penalty chosen beside it.",
    "eta": "The learning rate η this epoch's updates use: the learning rate above, changed by "
           "the schedule at every epoch's start. The step-through's update shows it too.",
}


class ScheduleValidator(QValidator):
    """Acceptable: a text the engine takes as a schedule; anything else may still be typed on."""

    def validate(self, text, pos):
        try:
            schedules.check(text)
        except NnvizError:
            return QValidator.Intermediate, text, pos
        return QValidator.Acceptable, text, pos


def schedule_tip() -> str:
    """The schedule setting's help, then each schedule's formula."""
    rows = [f"{k.name}: {k.formula} ({k.help})" for k in schedules.SCHEDULES.values()]
    return "\n".join([settings.get("lr_schedule").help, "Type NAME:numbers, e.g. step:10:0.5.",
                      *rows])


def _combo(items, tip, parent=None) -> QComboBox:
    c = QComboBox(parent)
    c.addItems(list(items))
    c.setToolTip(tip)
    return c


def choice_box(name: str) -> QComboBox:
    """A combo box with the declared choices of setting ``name``, its help as tooltip."""
    s = settings.get(name)
    return _combo(s.options, s.help)


def number_box(name: str, step: float, box: QSpinBox | QDoubleSpinBox | None = None
               ) -> QSpinBox | QDoubleSpinBox:
    """A spin box over the declared range of setting ``name`` (an int's top cut to what a
    QSpinBox holds), its help as tooltip; it reports only finished edits. ``box``: the spin box
    to set up (a subclass, its decimals already set), else a new QSpinBox or QDoubleSpinBox."""
    s = settings.get(name)
    if box is None:
        box = QSpinBox() if s.kind == "int" else QDoubleSpinBox()
    box.setRange(s.low, min(s.high, INT_MAX) if s.kind == "int" else s.high)
    box.setSingleStep(step)
    box.setToolTip(s.help)
    box.setKeyboardTracking(False)
    return box



def _set_value(box, value) -> None:
    """A spin box shows ``value``; set only when it differs (setValue repaints the box even when
    the value is the same, and the panels are synced after every change of the run)."""
    if box.value() != value:
        box.setValue(value)

class DataPanel(QWidget):
    """Dataset, samples, noise, test ratio, feature toggles and Regenerate."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self.session = session
        form = QFormLayout()
        self.dataset = choice_box("dataset")
        self.dataset.setObjectName("datasetCombo")
        self.samples = number_box("samples", 50)
        self.noise = number_box("noise", 0.05)
        self.test_ratio = number_box("test_ratio", 0.05)
        form.addRow("Dataset", self.dataset)
        form.addRow("Samples", self.samples)
        form.addRow("Noise", self.noise)
        form.addRow("Test ratio", self.test_ratio)
        self.standardize_target = QCheckBox("Standardize target")
        self.standardize_target.setObjectName("standardizeTargetBox")
        self.standardize_target.setToolTip(
            settings.get("standardize_target").help + " Off: the network learns the target as "
            "it is, and the loss reads in its squared units. Only a regression has a target to scale.")
        form.addRow("", self.standardize_target)
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setToolTip(TIPS["regenerate"])
        self.table_label = QLabel()
        self.table_label.setObjectName("tableLabel")
        self.table_label.setWordWrap(True)
        self.table_label.setToolTip("The table being learnt (File › Open data… or Open sample "
                                    "data). Choosing a dataset above returns to the toy data.")
        self.clear_points = QPushButton("Clear points")
        self.clear_points.setObjectName("clearPointsButton")
        self.clear_points.setToolTip("Remove every point added by hand on the output plot "
                                     "(click: class 1, Shift+click: class 0, Ctrl+click: remove).")
        box = QGroupBox("Features")
        box.setToolTip(settings.get("features").help)
        self._feature_grid = QGridLayout(box)
        self.feature_boxes: dict[str, QCheckBox] = {}
        self._feature_pool: list[QCheckBox] = []
        self._columns = 0
        self._make_feature_boxes(TOY_FEATURES)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table_label)
        lay.addLayout(form)
        buttons = QHBoxLayout()   # one row: the panel fits a 900 px tall window unscrolled
        buttons.addWidget(self.regenerate)
        buttons.addWidget(self.clear_points)
        lay.addLayout(buttons)
        lay.addWidget(box)
        lay.addStretch(1)
        self.controls = {"dataset": self.dataset, "samples": self.samples, "noise": self.noise,
                         "features": box, "test_ratio": self.test_ratio,
                         "standardize_target": self.standardize_target}
        self.dataset.currentTextChanged.connect(lambda name: self._change(dataset=name))
        self.samples.valueChanged.connect(lambda v: self._change(samples=v))
        self.noise.valueChanged.connect(lambda v: self._change(noise=v))
        self.test_ratio.valueChanged.connect(lambda v: self._change(test_ratio=v))
        self.standardize_target.toggled.connect(self._on_standardize_target)
        self.regenerate.clicked.connect(self._regenerate)
        self.clear_points.clicked.connect(session.clear_points)
        session.structureChanged.connect(self._on_session)
        self._syncing = False
        self._on_session()

    def _error(self, exc: Exception):
        dialogs.warn(self, "nnviz", str(exc))
        self._on_session()

    def _change(self, **kw):
        if self._syncing:
            return
        try:
            self.session.set_data(**kw)
        except NnvizError as exc:
            self._error(exc)

    def _on_standardize_target(self, on: bool):
        if self._syncing:
            return
        try:
            self.session.set_standardize_target(on)
        except NnvizError as exc:
            self._error(exc)

    def _regenerate(self):
        try:
            self.session.regenerate()
        except NnvizError as exc:
            self._error(exc)

    def _on_feature_toggled(self, _checked):
        if self._syncing:
            return
        chosen = [n for n, cb in self.feature_boxes.items() if cb.isChecked()]
        if not chosen:
            self._error(NnvizError("select at least one input feature"))
            return
        try:
            self.session.set_features(chosen)
        except NnvizError as exc:
            self._error(exc)

    def _make_feature_boxes(self, names):
        """One checkbox per feature the first layer can take: the toy features, or a table's
        columns. The boxes are kept and given new names (a table of 30 inputs, then the toy
        data, then the table again makes no widget after the first time); the spare ones hide."""
        labels = {"x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2"}
        pool = self._feature_pool
        while len(pool) < len(names):
            cb = QCheckBox()
            self._feature_grid.addWidget(cb, len(pool), 0)   # placed by _flow_features
            cb.toggled.connect(self._on_feature_toggled)
            pool.append(cb)
        self.feature_boxes = {}
        # Showing a child of a shown widget lays out every layout above it at once (Qt
        # activates them in setVisible): with the box hidden meanwhile, that happens once,
        # when it shows again, not once for each of a table's 30 boxes. Hiding it moves the
        # keyboard focus away; a box that had it and stays gets it back.
        box = self._feature_grid.parentWidget()
        shown = box.isVisible()
        focus = QApplication.focusWidget()
        if focus is not None and not box.isAncestorOf(focus):
            focus = None
        if shown:
            box.setVisible(False)
        for cb, name in zip(pool, names):
            label = labels.get(name, name)
            cb.setText(label)
            cb.setObjectName(f"feature_{name}")
            cb.setToolTip(f"Feed {label} to the network as an input.")
            cb.setVisible(True)
            self.feature_boxes[name] = cb
        for cb in pool[len(names):]:
            cb.setVisible(False)
            cb.setObjectName("")
        self._columns = 0
        self._flow_features()
        if shown:
            box.setVisible(True)
            if focus is not None and focus.isVisible():
                focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _flow_features(self):
        """The feature boxes in two columns, or in one when two do not fit the panel's width:
        a table's long column names ("mean fractal dimension") in two columns made the panel
        wider than its dock, and its right side was cut off."""
        grid = self._feature_grid
        shown = list(self.feature_boxes.values())
        box = grid.parentWidget()
        outer = self.layout().contentsMargins() if self.layout() else None
        room = self.parentWidget().width() if self.parentWidget() else self.width()
        if outer is not None:
            room -= outer.left() + outer.right()
        inner = grid.contentsMargins()
        room -= (box.width() - box.contentsRect().width()) + inner.left() + inner.right()
        cell = max((cb.sizeHint().width() for cb in shown), default=0)
        gap = max(grid.horizontalSpacing(), 0)
        columns = 2 if 2 * cell + gap <= room else 1
        if columns == self._columns:
            return
        self._columns = columns
        for k, cb in enumerate(shown):      # (hidden spares take no room where they are)
            want = (k // columns, k % columns)
            if tuple(grid.getItemPosition(grid.indexOf(cb))[:2]) != want:
                grid.removeWidget(cb)
                grid.addWidget(cb, *want)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._flow_features()

    def _on_session(self):
        self._syncing = True
        try:
            c = self.session.config
            s = self.session
            table = not s.generated
            names = list(TOY_FEATURES) if not table else list(s.dataset.inputs)
            if list(self.feature_boxes) != names:
                self._make_feature_boxes(names)
            ds = s.dataset
            self.table_label.setVisible(table)
            if table:
                self.table_label.setText(f"<b>{ds.name}</b>: {ds.n_samples} "
                                         f"row{'s' * (ds.n_samples != 1)}, {ds.n_inputs} "
                                         f"input{'s' * (ds.n_inputs != 1)} → {ds.target} "
                                         f"({ds.task})")
                self.dataset.setPlaceholderText("(a table)")
                self.dataset.setCurrentIndex(-1)
            else:
                self.dataset.setCurrentText(c.dataset)
            for w in (self.samples, self.noise):
                w.setEnabled(not table)
            self.regenerate.setText("Split again" if table else "Regenerate")
            self.regenerate.setToolTip("Split the table again into training and test rows "
                                       "with the current seed." if table else TIPS["regenerate"])
            self.clear_points.setVisible(s.can_edit_points())
            self.clear_points.setEnabled(bool(s.added_rows.any()))
            blank = "–" if table else ""   # (a table's rows are its data: no generator's 500)
            for box, value in ((self.samples, c.samples), (self.noise, c.noise)):
                if box.specialValueText() != blank:
                    box.setSpecialValueText(blank)
                _set_value(box, box.minimum() if table else value)
            _set_value(self.test_ratio, c.test_ratio)
            regression = s.task == "regression"    # (class labels: nothing to scale, unticked)
            self.standardize_target.setChecked(c.standardize_target and regression)
            self.standardize_target.setEnabled(regression)
            chosen = set(self.session.model.features)
            for name, cb in self.feature_boxes.items():
                cb.setChecked(name in chosen)
        finally:
            self._syncing = False


NO_HIDDEN_ACTIVATION = ("No hidden layer: the activation is the hidden units', and the output "
                        "unit's follows the task (sigmoid, softmax or identity). Add a layer "
                        "(+ above the canvas) to choose it.")


class HyperPanel(QWidget):
    """Learning rate, batch size, activation, optimizer, regularization, init, seed, reduction."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("hyperPanel")
        self.session = session
        self._syncing = False
        form = QFormLayout(self)
        # In a narrow dock a field that does not fit beside its label goes below it, so the
        # panel is never wider than its widest field (no horizontal scroll bar).
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.lr = QComboBox()
        self.lr.setEditable(True)
        self.lr.addItems([f"{v:g}" for v in LEARNING_RATES])
        self.lr.setToolTip(settings.get("lr").help)
        self.lr.setObjectName("lrCombo")
        lr_validator = QDoubleValidator(*settings.get("lr").limits, 12, self.lr)
        lr_validator.setLocale(QLocale.c())  # "0.03" and "1e-05", whatever the user's locale
        self.lr.setValidator(lr_validator)
        self.batch = number_box("batch_size", 1)
        self.full = QCheckBox("full batch")
        self.full.setToolTip(TIPS["full"])
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch, 1)
        batch_row.addWidget(self.full)
        self.activation = choice_box("activation")
        self.activation.setObjectName("activationCombo")
        self.optimizer = choice_box("optimizer")
        self.reg = _combo(("none", "L1", "L2"), TIPS["reg"])
        self.rate = number_box("l1", 0.001)   # the rate of L1 or L2, whichever is chosen
        self.rate.setDecimals(4)
        l1, l2 = settings.get("l1"), settings.get("l2")
        self.rate.setRange(max(l1.low, l2.low), min(l1.high, l2.high))
        self.rate.setToolTip("\n".join((TIPS["rate"], l1.help, l2.help)))
        reg_row = QHBoxLayout()
        reg_row.addWidget(self.reg)
        reg_row.addWidget(self.rate, 1)
        self.schedule = _combo(SCHEDULE_EXAMPLES, schedule_tip())
        self.schedule.setEditable(True)
        self.schedule.setObjectName("scheduleCombo")
        self.schedule.setValidator(ScheduleValidator(self.schedule))
        self.eta = QLabel()
        self.eta.setObjectName("etaLabel")
        self.eta.setToolTip(TIPS["eta"])
        self.early = number_box("early_stopping", 1)
        self.early.setObjectName("earlyStoppingBox")
        self.early.setSpecialValueText("off")
        self.early.setSuffix(" epochs")
        self.init = choice_box("init")
        self.seed = number_box("seed", 1)
        self.reduction = choice_box("reduction")
        self.controls = {"lr": self.lr, "batch_size": self.batch, "activation": self.activation,
                         "optimizer": self.optimizer, "l1": self.rate, "l2": self.rate,
                         "init": self.init, "seed": self.seed, "reduction": self.reduction,
                         "lr_schedule": self.schedule, "early_stopping": self.early}
        form.addRow("Learning rate", self.lr)
        form.addRow("LR schedule", self.schedule)
        form.addRow("η this epoch", self.eta)
        form.addRow("Batch size", batch_row)
        form.addRow("Activation", self.activation)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Regularization", reg_row)
        form.addRow("Early stopping", self.early)
        form.addRow("Init", self.init)
        form.addRow("Seed", self.seed)
        form.addRow("Loss reduction", self.reduction)
        self.lr.lineEdit().editingFinished.connect(self._lr_edited)
        self.lr.lineEdit().installEventFilter(self)  # out-of-range text: say so, show the rate in use
        self.lr.activated.connect(lambda _i: self._lr_edited())
        self.schedule.lineEdit().editingFinished.connect(self._schedule_edited)
        self.schedule.lineEdit().installEventFilter(self)   # a text that names no schedule: say why
        self.schedule.activated.connect(lambda _i: self._schedule_edited())
        self.early.valueChanged.connect(lambda v: self._apply(self.session.set_early_stopping, v))
        self.batch.valueChanged.connect(self._batch_changed)
        self.full.toggled.connect(self._batch_changed)
        self.activation.currentTextChanged.connect(lambda t: self._apply(self.session.set_activation, t))
        self.optimizer.currentTextChanged.connect(lambda t: self._apply(self.session.set_optimizer, t))
        self.reg.currentTextChanged.connect(lambda _t: self._reg_changed())
        self.rate.valueChanged.connect(lambda _v: self._reg_changed())
        self.init.currentTextChanged.connect(lambda t: self._apply(self.session.set_init, t))
        self.seed.valueChanged.connect(lambda v: self._apply(lambda s: self.session.set_data(seed=s), v))
        self.reduction.currentTextChanged.connect(lambda t: self._apply(self.session.set_reduction, t))
        session.settingsChanged.connect(self._on_session)
        session.historyChanged.connect(self._show_eta)     # the schedule moves at epochs' ends
        session.structureChanged.connect(self._show_eta)
        self._on_session()

    def _show_eta(self):
        tr = self.session.trainer
        text = f"{tr.rate():.4g}  (epoch {tr.epoch_count})"
        if self.eta.text() != text:
            self.eta.setText(text)

    def _schedule_edited(self):
        text = self.schedule.currentText().strip()
        if text != self.session.config.lr_schedule:
            self._apply(self.session.set_lr_schedule, text)

    def _apply(self, fn, value):
        if self._syncing:
            return
        try:
            fn(value)
        except NnvizError as exc:
            dialogs.warn(self, "nnviz", str(exc))
            self._on_session()

    def eventFilter(self, obj, event):
        if obj is self.schedule.lineEdit():
            kind = event.type()
            confirm = kind == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter)
            if (confirm or kind == QEvent.FocusOut) and not obj.hasAcceptableInput():
                try:
                    schedules.check(obj.text())
                except NnvizError as exc:
                    dialogs.warn(self, "nnviz", str(exc))
                self._on_session()      # the field shows the schedule in use again
                return confirm
            return super().eventFilter(obj, event)
        edit = self.lr.lineEdit()
        if obj is edit:
            kind = event.type()
            confirm = kind == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter)
            if (confirm or kind == QEvent.FocusOut) and not edit.hasAcceptableInput():
                lo, hi = settings.get("lr").limits
                self.rejected_text = (f"learning rate must be a number from {lo:g} to {hi:g}, "
                                      f"not {edit.text().strip()!r}; it stays {self.session.config.lr:g}")
                window = self.window()
                if hasattr(window, "statusBar"):
                    window.statusBar().showMessage(self.rejected_text[0].upper() + self.rejected_text[1:], 6000)
                self._on_session()  # the field shows the rate in use again
                return confirm
        return super().eventFilter(obj, event)

    def _lr_edited(self):
        text = self.lr.currentText().strip()
        try:
            value = float(text)
        except ValueError:
            dialogs.warn(self, "nnviz", f"learning rate must be a number, not {text!r}")
            self._on_session()
            return
        if value != self.session.config.lr:
            self._apply(self.session.set_lr, value)

    def _batch_changed(self, *_):
        self.batch.setEnabled(not self.full.isChecked())
        self._apply(self.session.set_batch_size, None if self.full.isChecked() else self.batch.value())

    def _reg_changed(self):
        kind, rate = self.reg.currentText(), self.rate.value()
        self.rate.setEnabled(kind != "none")
        self._apply(lambda _v: self.session.set_regularization(rate if kind == "L1" else 0.0,
                                                                rate if kind == "L2" else 0.0), None)

    def _on_session(self):
        self._syncing = True
        try:
            c = self.session.config
            self.lr.setCurrentText(f"{c.lr:g}")
            self.full.setChecked(c.batch_size is None)
            self.batch.setEnabled(c.batch_size is not None)
            _set_value(self.batch, c.batch_size or self.session.trainer.batch_size)
            act = c.activation if isinstance(c.activation, str) else c.activation[0]
            self.activation.setCurrentText(act)
            self.activation.setEnabled(bool(c.hidden))     # (the hidden units' activation)
            tip = settings.get("activation").help if c.hidden else NO_HIDDEN_ACTIVATION
            if self.activation.toolTip() != tip:
                self.activation.setToolTip(tip)
            self.optimizer.setCurrentText(c.optimizer)
            if c.l1:
                self.reg.setCurrentText("L1")
                _set_value(self.rate, c.l1)
            elif c.l2:
                self.reg.setCurrentText("L2")
                _set_value(self.rate, c.l2)
            else:
                self.reg.setCurrentText("none")
            self.rate.setEnabled(self.reg.currentText() != "none")
            self.init.setCurrentText(c.init)
            _set_value(self.seed, c.seed)
            self.reduction.setCurrentText(c.reduction)
            self.schedule.setCurrentText(c.lr_schedule)
            _set_value(self.early, c.early_stopping)
        finally:
            self._syncing = False
        self._show_eta()
