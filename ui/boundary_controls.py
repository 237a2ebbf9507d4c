"""The Output plot's controls beside its header toggles: which two inputs are on the axes (more
than two inputs; the others are held at their training mean), and the points a click adds or
removes by hand on two-input data (class 1, Shift: class 0; K classes: the chosen class;
regression: the slider's target; Ctrl: remove the nearest). A mixin of
:class:`~ui.boundary_view.BoundaryPlot`."""
from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSlider

from nnviz.errors import NnvizError

from .plot_base import ElidingComboBox


# The Output plot's readout beside the axis choice: the room it asks for, and the least it keeps.
READOUT_HINT, READOUT_ROOM = "p = 0.000 at (0.000, 0.000e+00)", "p = 0.000 …"


class PlotControls:
    """The axis choice and the points by hand (see the module docstring)."""

    # --- the two inputs on the axes (more than two inputs) --------------------------------
    def _make_axis_controls(self):
        """Two drop-downs choosing the inputs on x and y (the others stay at their training
        mean), and for regression on two inputs the target of a point added by a click."""
        tip = ("Input on the {} axis; every other input is held at its mean over the training "
               "rows. The per-unit maps on the network show the same slice.")
        self.x_combo, self.y_combo = ElidingComboBox(self._header), ElidingComboBox(self._header)
        # One list of the inputs for both, filled once per table (see _sync_axis_controls).
        self._axis_names = QStringListModel(self._header)
        for combo, name, axis in ((self.x_combo, "axisXCombo", "x"), (self.y_combo, "axisYCombo", "y")):
            combo.setModel(self._axis_names)
            combo.setObjectName(name)
            combo.setToolTip(tip.format(axis))
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(4)
            combo.activated.connect(self._on_axis_chosen)
        self._axis_label = QLabel("axes", self._header)
        self.target_slider = QSlider(Qt.Horizontal, self._header)
        self.target_slider.setObjectName("pointTargetSlider")
        self.target_slider.setRange(0, 100)
        self.target_slider.setValue(75)
        self.target_slider.setFixedWidth(90)
        self.target_slider.setToolTip("Target of a point added by clicking on the plot "
                                      "(between the smallest and the largest target).")
        self._target_label = QLabel(self._header)
        self.target_slider.valueChanged.connect(lambda _v: self._show_target_value())
        self.class_combo = ElidingComboBox(self._header)   # K classes: the class a click adds
        self.class_combo.setObjectName("pointClassCombo")
        self.class_combo.setToolTip("Class of a point added by clicking on the plot")
        self._class_label = QLabel("a click adds class", self._header)
        self._class_label.setToolTip(self.class_combo.toolTip())
        # On a row of their own: beside the toggles they were cut off in a narrow dock.
        row = self.add_header_row()
        widgets = (self._axis_label, self.x_combo, self.y_combo, self.target_slider,
                   self._target_label, self._class_label, self.class_combo)
        for i, w in enumerate(widgets):
            w.setParent(row)
            row.layout().insertWidget(i, w)
        row.setFixedHeight(max(w.sizeHint().height() for w in widgets))
        # The readout beside the axis choice always keeps room for the value under the cursor
        # (it comes first; the rest is where): see _share_axis_row.
        self._share_axis_row()
        self._fit_header()

    def _sync_axis_controls(self):
        s = self.session
        inputs = list(s.model.inputs)
        many = len(inputs) > 2
        # The combos show only with more than two inputs, and keep the last table's names while
        # hidden: going back to the toy data and opening the table again fills nothing.
        combos = (self.x_combo, self.y_combo)
        for combo in combos:
            combo.blockSignals(True)
        if many and self._axis_names.stringList() != inputs:
            self._axis_names.setStringList(inputs)
        for combo, k in zip(combos, s.plot_axes() if many else ()):
            combo.setCurrentIndex(k)
        for combo in combos:
            combo.blockSignals(False)
            combo.setVisible(many)
        self._share_axis_row()           # (and the label "axes", where there is room)
        editable_regression = s.can_edit_points() and s.task != "classification"
        self.target_slider.setVisible(editable_regression)
        self._target_label.setVisible(editable_regression)
        self._show_target_value()
        names = [str(c) for c in (s.model.classes or [])] if self._many_classes() else []
        if [self.class_combo.itemText(i) for i in range(self.class_combo.count())] != names:
            self.class_combo.clear()
            self.class_combo.addItems(names)
        self.class_combo.setVisible(bool(names) and s.can_edit_points())
        self._class_label.setVisible(bool(names) and s.can_edit_points())
        tip = ""
        if s.can_edit_points():
            tip = ("Click: add a point of the chosen class · Ctrl+click: remove the nearest point"
                   if names else
                   "Click: add a point of class 1 · Shift+click: class 0 · Ctrl+click: remove "
                   "the nearest point" if s.task == "classification" else
                   "Click: add a point with the slider's target · Ctrl+click: remove the "
                   "nearest point")
        self.setToolTip(tip)

    def _share_axis_row(self):
        """The axis row's room goes to the readout first, as far as READOUT_HINT (the value and
        where) and never below READOUT_ROOM (the value), the rest to the two combos down to
        their minimum: a combo too narrow for its input's name elides it, the whole name in its
        tooltip. Where even that does not fit (a narrow dock), the word "axes" goes. (Left to
        the layout, the combos took their widest names and the readout was left a few letters,
        or nothing.)"""
        fm = self.readout.fontMetrics()
        least = fm.horizontalAdvance(READOUT_ROOM)
        want = least
        many = self.x_combo.isVisibleTo(self)
        if many:
            m = self._header_rows.contentsMargins()
            spacing = self.x_combo.parentWidget().layout().spacing()
            spare = (self._header.width() - m.left() - m.right() - 2 * spacing
                     - self.x_combo.minimumSizeHint().width()
                     - self.y_combo.minimumSizeHint().width())
            label = self._axis_label.sizeHint().width() + spacing
            if spare - label >= least:
                spare -= label
            else:
                many = False            # the label goes
            want = max(least, min(fm.horizontalAdvance(READOUT_HINT), spare))
        if self._axis_label.isVisibleTo(self) != many:
            self._axis_label.setVisible(many)
        if self.readout.minimumWidth() != want:
            self.readout.setMinimumWidth(want)

    def _header_resized(self):
        self._share_axis_row()
        self._show_target_value()

    def _many_classes(self) -> bool:
        return self.session.network.n_outputs > 1

    def _on_axis_chosen(self, _index):
        x, y = self.x_combo.currentIndex(), self.y_combo.currentIndex()
        try:
            self.session.set_axes(x, y)
        except NnvizError as exc:
            self.session.report(str(exc))
            self._sync_axis_controls()

    # --- points by hand ------------------------------------------------------------------
    def new_point_target(self) -> float:
        """The target a click gives a regression point: the slider between min y and max y."""
        y = self.session.dataset.y
        lo, hi = float(y.min()), float(y.max())
        return lo + (hi - lo) * self.target_slider.value() / 100.0

    def _show_target_value(self):
        """The slider's target beside it: "new point y = 160", or "y = 160" where the row has
        no room for the words (the readout keeps its room beside it): the value never clips."""
        if not (self.target_slider.isVisible() or self.session.task != "classification"):
            return
        value = f"{self.new_point_target():.3g}"
        text = f"new point y = {value}"
        label = self._target_label
        if label.fontMetrics().horizontalAdvance(text) > self._target_room():
            text = f"y = {value}"
        label.setText(text)
        label.setToolTip(f"A click on the plot adds a point with the target y = {value} "
                         f"(the slider's place between the smallest and the largest target).")

    def _target_room(self) -> int:
        """The width the target's label can have in its row: what the slider and the readout's
        least room leave of the header."""
        row = self.target_slider.parentWidget()
        m, spacing = self._header_rows.contentsMargins(), max(row.layout().spacing(), 0)
        least = self.readout.fontMetrics().horizontalAdvance(READOUT_ROOM)
        return (self._header.width() - m.left() - m.right() - self.target_slider.width()
                - least - 2 * spacing)

    def _on_click(self, ev):
        if ev.button() != Qt.MouseButton.LeftButton or ev.double():
            return
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = vb.mapSceneToView(ev.scenePos())
        self.click_at(p.x(), p.y(), ev.modifiers())
        ev.accept()

    def click_at(self, x: float, y: float, modifiers=Qt.KeyboardModifier.NoModifier):
        """What a left click at data coordinates (x, y) does on two-input data: add a point
        (class 1; Shift: class 0; regression: the slider's target) or, with Ctrl, remove the
        nearest one."""
        s = self.session
        if not s.can_edit_points():
            s.report("points can be added by hand only to data with two inputs")
            return
        mods = Qt.KeyboardModifier(modifiers)
        try:
            if mods & Qt.KeyboardModifier.ControlModifier:
                s.remove_nearest(x, y)
            elif self._many_classes():
                s.add_point(x, y, float(max(0, self.class_combo.currentIndex())))
            elif s.task == "classification":
                s.add_point(x, y, 0.0 if mods & Qt.KeyboardModifier.ShiftModifier else 1.0)
            else:
                s.add_point(x, y, self.new_point_target())
        except NnvizError as exc:
            s.report(str(exc))
