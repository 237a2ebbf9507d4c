"""The main window: the network canvas in the centre, the other views in docks around it.

Actions (objectNames are a contract other tests rely on): actionPlay (checkable, Space),
actionStepOperation (Right), actionStepBatch, actionStepEpoch, actionReset (Ctrl+R),
actionReinitialize, actionAddNeuron, actionRemoveNeuron, actionExportWeights.
"""
from __future__ import annotations

import math
from importlib.resources import files

from PySide6.QtCore import QBuffer, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QIcon, QImageReader, QKeySequence, QPixmap
from PySide6.QtWidgets import (QApplication, QComboBox, QDockWidget, QLabel, QMainWindow,
                               QMessageBox, QScrollArea, QStyle, QToolBar)

from nnviz.errors import NnvizError
from nnviz.explain.readout import LossReadout

from . import (control_keys, data_actions, dialogs, example_gallery, file_actions, guide,
               runs_actions, worksheet_export)
from .actions import make_action
from .boundary_view import BoundaryPlot
from .confusion import ConfusionPanel
from .controls import DataPanel, HyperPanel
from .dock_sizes import DockSizes
from .heatmaps import HeatmapPanel
from .insights import InsightsPanel
from .loss_view import LossPlot
from .network_view import NetworkView
from .plot_base import SteadyLabel
from .session import SPEED_NAMES, Session
from .model import MAX_CANVAS_LAYERS, MAX_CANVAS_UNITS
from .status_bar import StatusBar, StatusLine
from .step_panel import StepPanel

# 2: the docks' layout of the status-bar formula and the full-height settings column; a
# layout remembered under 1 is not restored.
SETTINGS_VERSION = 2
# Said once, in the status bar of the first window the app ever shows.
FIRST_LAUNCH_HINT = ("New to nnviz? Press F1 for the guide: short lessons, each with a Show me "
                     "button.")
FIRST_LAUNCH_MS = 30000
PARAMETERS_TIP = ("Number of parameters: every weight and bias. For one hidden layer of M units "
                  "on p inputs, (p+1)·M + M + 1.")
READOUT_ROOM = 280   # px of the status bar kept for the running readout beside the formula
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The nnviz icon (package data ``ui/icons/nnviz.svg``) drawn at the usual icon sizes; a null
    icon if the file is missing. Read as bytes, so no file has to stay on disk (the package may be
    imported from an archive)."""
    try:
        data = (files("ui") / "icons" / "nnviz.svg").read_bytes()
    except OSError:
        return QIcon()
    icon = QIcon()
    for size in ICON_SIZES:
        buffer = QBuffer()
        buffer.setData(data)
        reader = QImageReader(buffer, b"svg")
        reader.setScaledSize(QSize(size, size))
        image = reader.read()
        if not image.isNull():
            icon.addPixmap(QPixmap.fromImage(image))
    return icon


class MainWindow(DockSizes, QMainWindow):
    def __init__(self, session: Session | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setWindowTitle("nnviz")
        self.setWindowIcon(app_icon())
        self.setMinimumSize(900, 600)
        control_keys.install(QApplication.instance())   # Space ticks the focused check box
        self.session = session or Session(parent=self)
        s = self.session
        self._make_actions()
        self.network_view = NetworkView(s)
        self.network_view.set_layer_actions(self.actionAddNeuron, self.actionRemoveNeuron)
        self.network_view.set_depth_actions(self.actionAddLayer, self.actionRemoveLayer)
        self.setCentralWidget(self.network_view)
        self.boundary_plot = BoundaryPlot(s)
        self.loss_plot = LossPlot(s)
        self.heatmap_panel = HeatmapPanel(s)
        self.step_panel = StepPanel(s)
        self.data_panel = DataPanel(s)
        self.hyper_panel = HyperPanel(s)
        self.docks: dict[str, QDockWidget] = {}
        self._dock("Data", self.data_panel, Qt.LeftDockWidgetArea, scroll=True)
        self._dock("Hyperparameters", self.hyper_panel, Qt.LeftDockWidgetArea, scroll=True)
        self._dock("Output", self.boundary_plot, Qt.RightDockWidgetArea)
        self.boundary_plot.setMinimumHeight(150)  # docks below never squeeze the plane flat
        self._dock("Loss", self.loss_plot, Qt.RightDockWidgetArea)
        self.insights_panel = InsightsPanel(s)
        self._dock("Insights", self.insights_panel, Qt.RightDockWidgetArea)
        self.tabifyDockWidget(self.docks["Loss"], self.docks["Insights"])
        self.confusion_panel = ConfusionPanel(s)
        self._dock("Classes", self.confusion_panel, Qt.RightDockWidgetArea)
        self.tabifyDockWidget(self.docks["Insights"], self.docks["Classes"])
        self.docks["Loss"].raise_()
        self._dock("Heatmaps", self.heatmap_panel, Qt.BottomDockWidgetArea)
        self._dock("Step through", self.step_panel, Qt.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["Heatmaps"], self.docks["Step through"])
        self.docks["Heatmaps"].raise_()
        self._make_toolbar()
        self._make_menus()
        self._make_status()
        s.paramsChanged.connect(self._on_params)
        s.structureChanged.connect(self._on_structure)
        s.playingChanged.connect(self._on_playing)
        s.diverged.connect(self._on_diverged)
        s.stopped.connect(lambda text: self.statusBar().showMessage(text[0].upper() + text[1:], 30000))
        s.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        s.stageChanged.connect(self._on_stage)
        s.historyChanged.connect(self._enable_actions)     # (Pin run, after an epoch)
        self._enable_actions()
        # The settings and the plots run the full height (the plots keep room to read their
        # axes in a low window); the bottom row spans the canvas's width.
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.docks["Step through"].visibilityChanged.connect(self._on_step_visibility)
        self._fitted = False          # the docks are sized for the window when first shown
        self._layout_size = None      # the window size a restored layout was made for
        self.resize(1400, 900)
        self._default_state = self.saveState(SETTINGS_VERSION)
        self._restore_layout()
        self._on_structure()

    # --- building ------------------------------------------------------------------------
    def _action(self, name, text, slot, shortcut=None, tip="", checkable=False) -> QAction:
        return make_action(self, name, text, slot, shortcut, tip, checkable)

    def _make_actions(self):
        s = self.session
        self._action("actionPlay", "▶ Play", self._on_play_toggled, "Space",
                     "Train continuously; press again to pause", checkable=True)
        self._action("actionStepOperation", "Step operation", s.step_operation, "Right",
                     "Run one operation: the forward or backward pass of one layer, the loss, or the update")
        self._action("actionStepBatch", "Step batch", s.step_batch, "Shift+Right",
                     "Run one mini-batch update")
        self._action("actionStepEpoch", "Step epoch", s.step_epoch, "Ctrl+Right",
                     "Train until the end of the current epoch")
        self._action("actionReset", "Reset", s.reset, "Ctrl+R",
                     "Back to the same initial weights: the run starts over exactly")
        self._action("actionReinitialize", "Re-initialize", s.reinitialize, "Ctrl+Shift+R",
                     "Draw new initial weights from the run's random sequence")
        self._action("actionAddNeuron", "Add a hidden unit", lambda: self._guard(s.add_neuron),
                     "Ctrl+=", "Add a unit to the first hidden layer (Ctrl++ too)")
        self.actionAddNeuron.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self._action("actionRemoveNeuron", "Remove a hidden unit",
                     lambda: self._guard(s.remove_neuron), "Ctrl+-",
                     "Remove the last unit of the first hidden layer")
        self._action("actionAddLayer", "Add a hidden layer", lambda: self._guard(s.add_layer),
                     "Ctrl+Shift+=", "Add a hidden layer before the output, as wide as the last one")
        self._action("actionRemoveLayer", "Remove a hidden layer", lambda: self._guard(s.remove_layer),
                     "Ctrl+Shift+-", "Remove the last hidden layer (none left: the network is "
                     "the linear model ŷ = σ(X·W + b))")
        self._action("actionUndo", "Undo", lambda: self._guard(s.undo), "Ctrl+Z",
                     "Take back the last change to the network, its weights or the data: the "
                     "run goes back to how it was just before it, so the training and the "
                     "learning rate, optimizer or batch size changed since go too (Redo brings "
                     "them back)")
        self._action("actionRedo", "Redo", lambda: self._guard(s.redo), "Ctrl+Shift+Z",
                     "Make the change taken back again")
        s.undoChanged.connect(self._on_undo_changed)
        self._on_undo_changed()
        self._action("actionExportWeights", "Export weights…", self.export_weights, "Ctrl+E",
                     "Save the trained weights in any export format")
        self._action("actionPreviousOperation", "Previous operation", s.previous_operation, "Left",
                     "Show the previous operation again (nothing is recomputed)")

    def _dock(self, title, widget, area, scroll=False):
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock{title.replace(' ', '')}")
        if scroll:
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setWidget(widget)
            area_widget.setFrameShape(QScrollArea.NoFrame)
            # Scrolled up and down only: the dock is never narrower than the panel's controls
            # (beside a vertical scroll bar), so nothing hides behind a horizontal one.
            area_widget.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
            bar = area_widget.style().pixelMetric(QStyle.PM_ScrollBarExtent)
            area_widget.setMinimumWidth(widget.minimumSizeHint().width() + bar + 2)
            widget = area_widget
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock

    def _make_toolbar(self):
        tb = QToolBar("Training", self)
        tb.setObjectName("trainingToolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for a in (self.actionPlay, self.actionStepOperation, self.actionStepBatch,
                  self.actionStepEpoch, self.actionReset, self.actionReinitialize):
            tb.addAction(a)
        tb.addSeparator()
        tb.addWidget(QLabel(" Speed "))
        self.speed_combo = QComboBox()
        self.speed_combo.setObjectName("speedCombo")
        self.speed_combo.addItems(list(SPEED_NAMES))
        self.speed_combo.setCurrentIndex(self.session.speed)
        self.speed_combo.setToolTip("Training steps per second while playing: 40 a second lets "
                                    "you watch the boundary form; \"as fast as possible\" trains "
                                    "as many as each frame has time for")
        self.speed_combo.currentIndexChanged.connect(self.session.set_speed)
        self.session.settingsChanged.connect(lambda: self.speed_combo.setCurrentIndex(self.session.speed))
        tb.addWidget(self.speed_combo)
        self.addToolBar(Qt.TopToolBarArea, tb)

    def _make_menus(self):
        mb = self.menuBar()
        f = mb.addMenu("&File")
        f.addAction(self.actionExportWeights)
        data_actions.install(self, f)
        self.file_actions = file_actions.install(self, f)
        f.addSeparator()
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.setStatusTip("Close nnviz (it asks first if the session has unsaved changes)")
        quit_action.triggered.connect(self.file_actions.quit)  # asks Save / Discard / Cancel
        f.addAction(quit_action)
        e = mb.addMenu("&Edit")
        e.addAction(self.actionUndo)
        e.addAction(self.actionRedo)
        t = mb.addMenu("&Train")
        for a in (self.actionPlay, self.actionStepOperation, self.actionPreviousOperation,
                  self.actionStepBatch, self.actionStepEpoch, None, self.actionReset,
                  self.actionReinitialize, None, self.actionAddNeuron, self.actionRemoveNeuron,
                  self.actionAddLayer, self.actionRemoveLayer):
            t.addSeparator() if a is None else t.addAction(a)
        runs_actions.install(self, t)   # Pin run, Runs table
        t.addSeparator()
        self.worksheet_export = worksheet_export.install(self, t)   # Export worksheet…
        v = mb.addMenu("&View")
        for name, dock in self.docks.items():
            toggle = dock.toggleViewAction()
            toggle.setStatusTip(f"Show or hide the {name} panel")
            v.addAction(toggle)
        v.addSeparator()
        restore = QAction("Restore default layout", self)
        restore.setStatusTip("Put every panel back where it was at the first launch")
        restore.triggered.connect(lambda: self.restoreState(self._default_state, SETTINGS_VERSION))
        v.addAction(restore)
        h = mb.addMenu("&Help")
        self.guide = guide.install(self, v, h)   # Help › Guide (F1), View › Presentation mode
        example_gallery.install(self, f, h)      # File › New worked example…, Help › Worked examples…
        about = QAction("About nnviz", self)
        about.setStatusTip("The version of nnviz and what it shows")
        about.triggered.connect(self.show_about)
        h.addAction(about)

    def _make_status(self):
        # Its text changes with every frame while playing: a label that repaints only itself.
        self.status_label = StatusLine()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setToolTip(
            "batch loss: E on the last mini-batch, before its update (at every step); epoch "
            "mean: the mean loss over the whole training (and test) set at the last epoch's "
            "end. After a weight is edited both are computed again with the edited weights.")
        self._readout = LossReadout()
        # A message is written in its place for its few seconds (ui/status_bar.py).
        self.setStatusBar(StatusBar(self.status_label))
        # The parameter formula is a permanent widget of the status bar: it always gets its
        # whole width (a toolbar would hide it behind its » overflow in a narrow window), and a
        # message never covers it. The running readout beside it elides instead.
        self.param_count_label = SteadyLabel()
        self.param_count_label.setObjectName("paramCountLabel")
        self.param_count_label.setToolTip(PARAMETERS_TIP)
        self.param_count_label.setStyleSheet("font-size: 12pt; padding: 0 8px")
        self.statusBar().addPermanentWidget(self.param_count_label)

    # --- handlers ------------------------------------------------------------------------
    def _guard(self, fn, *args):
        try:
            fn(*args)
        except NnvizError as exc:
            dialogs.warn(self, "nnviz", str(exc))

    def _on_play_toggled(self, checked: bool):
        if checked:
            self.session.play()
        else:
            self.session.pause()

    def _on_playing(self, playing: bool):
        if self.actionPlay.isChecked() != playing:
            self.actionPlay.setChecked(playing)
        self.actionPlay.setText("❚❚ Pause" if playing else "▶ Play")

    def _on_structure(self):
        self._show_parameter_formula()
        self._enable_actions()
        data_actions.forget_data_message(self)
        self._on_params()

    def _enable_actions(self):
        """A menu entry is enabled only when it can act, as the buttons beside the views are:
        − at one unit, + at the most, Clear points with none, Previous operation before any,
        Pin run before an epoch (each said so in a message, or a box, once chosen)."""
        s = self.session
        hidden = s.network.hidden_sizes
        self.actionAddLayer.setEnabled(len(hidden) < MAX_CANVAS_LAYERS)
        self.actionRemoveLayer.setEnabled(bool(hidden))
        self.actionAddNeuron.setEnabled(bool(hidden) and hidden[0] < MAX_CANVAS_UNITS)
        self.actionRemoveNeuron.setEnabled(bool(hidden) and hidden[0] > 1)
        self.actionClearPoints.setEnabled(bool(s.added_rows.any()))
        self.actionPreviousOperation.setEnabled(s.stage_index > 0)
        self.actionPinRun.setEnabled(len(s.trainer.history) >= 2)

    def _show_parameter_formula(self):
        """The parameter formula in the status bar, whole when it fits beside the running readout;
        else without its symbols, or only the count (a deep network in a narrow window): the whole
        formula is then in the tooltip."""
        formula = self.session.parameter_text()
        label = self.param_count_label
        room = self.width() - READOUT_ROOM
        parts = formula.split(" = ")
        for text in (formula, " = ".join(parts[1:]), f"{parts[-1]} parameters"):
            if label.width_for(text) <= room:
                break
        label.setText(text)
        label.setToolTip(PARAMETERS_TIP if text == formula else f"{PARAMETERS_TIP}\n\n{formula}")

    def _on_undo_changed(self):
        for action, word, text in ((self.actionUndo, "Undo", self.session.undo_text()),
                                   (self.actionRedo, "Redo", self.session.redo_text())):
            action.setEnabled(text is not None)
            action.setText(f"{word} {text[0].lower() + text[1:]}" if text else word)

    def _on_stage(self, stage):
        self._enable_actions()                    # (Previous operation)
        if stage is not None:
            self.docks["Step through"].raise_()   # which gives it room (_on_step_visibility)
        if self.session.step_in_progress:
            self._on_params()                     # the batch loss of the step under way

    def _on_params(self):
        tr = self.session.trainer
        h = tr.history
        kind = "accuracy" if self.session.task == "classification" else "R²"

        def f(v):
            return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4f}"
        r = self._readout.read(tr)
        step, batch = f"step {tr.step_count}", r.batch
        under_way = self.session.batch_loss_under_way()
        if under_way is not None:     # stepping operation by operation: this step's batch
            step, batch = f"step {tr.step_count + 1} under way", under_way
        if r.edited:   # a weight edited by hand: the losses with the weights as they are now
            losses = (f"batch loss {f(batch)}   training-set loss {f(r.epoch_mean)} "
                      "(edited weights)   ")
        else:
            losses = (f"batch loss {f(batch)}   epoch mean loss train {f(h.train_loss[-1])}"
                      f" / test {f(h.test_loss[-1])}   ")
        text = (f"epoch {tr.epoch_count}   {step}   {losses}"
                f"{kind} train {f(h.train_metric[-1])} / test {f(h.test_metric[-1])}")
        if self.session.task != "classification":
            from nnviz.core.history import rmse
            loss = self.session.model.loss
            from nnviz.data.target import unscale_rmse
            ts = self.session.model.target_scaler   # RMSE in the target's own units
            text += (f"   RMSE train {f(unscale_rmse(rmse(loss, h.train_loss[-1]), ts))}"
                     f" / test {f(unscale_rmse(rmse(loss, h.test_loss[-1]), ts))}")
        if self.session.playing:
            text += f"   {self.session.steps_per_second:,.0f} steps/s"
        self.status_label.setText(text)

    def _on_diverged(self, message: str):
        tr = self.session.trainer
        d = tr.diverged
        # Short enough to fit beside the parameter formula (a permanent widget) in a 900 px wide
        # window; the box has the whole story.
        short = f"Diverged at step {d.step}: {d.hint}" if d is not None else message
        self.statusBar().showMessage(short, 15000)
        self.loss_plot.mark_divergence(tr.epoch_count + tr.pos / max(1, len(tr.X)))
        box = getattr(self, "_divergence_box", None)   # one non-modal box, reused
        if box is None:
            box = self._divergence_box = QMessageBox(QMessageBox.Warning, "Training diverged", "",
                                                     QMessageBox.NoButton, self)
            box.setModal(False)
            box.back = box.addButton("Back to before training", QMessageBox.AcceptRole)
            box.back.setToolTip("Everything as it was when this Play or run of steps began")
            box.best = box.addButton("Best epoch", QMessageBox.AcceptRole)
            box.keep = box.addButton("Keep as it is", QMessageBox.RejectRole)
            box.buttonClicked.connect(self._on_divergence_choice)
        best = self.session.best_epoch()
        box.best.setVisible(best is not None)
        if best is not None:
            box.best.setText(f"Best epoch ({best[0]}, loss {best[1]:.4g})")
            box.best.setToolTip("Start training again from the weights of the epoch with the "
                                "lowest training loss so far")
        box.setText(message[0].upper() + message[1:] + ".")
        box.show()
        box.raise_()

    def _on_divergence_choice(self, button):
        box = self._divergence_box
        if button is box.back:
            self._guard(self.session.back_to_run_start)
        elif button is box.best:
            self._guard(self.session.back_to_best_epoch)

    def export_weights(self):
        self.file_actions.export_weights()

    def show_about(self):
        """A non-modal box (training goes on behind it); one box, raised again if open."""
        box = getattr(self, "_about_box", None)
        if box is None:
            box = self._about_box = QMessageBox(QMessageBox.NoIcon, "About nnviz", "",
                                                QMessageBox.Ok, self)
            box.setIconPixmap(app_icon().pixmap(64, 64))
            box.setModal(False)
        from nnviz import __version__
        box.setText(f"<b>nnviz</b>, version {__version__}, makes the matrix equations of a "
                    "neural network visible.<br><br>"
                    "Draw a dense network (p→M→1 to start with; up to six hidden layers, one "
                    "output or K classes), train it, and step through every forward and "
                    "backward operation with its real numbers: Z = X·W + b, "
                    "σ(z) = a ⊙ z, ∂E/∂W = (1/m) Xᵀ·δ.<br><br>"
                    "Rows are samples; weights run from-to, W is (fan_in × fan_out).")
        box.show()
        box.raise_()

    def showEvent(self, event):
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            if self._layout_size != self.size():   # not the size the layout was made for
                self._fit_docks()
            if self._first_launch:
                self.statusBar().showMessage(FIRST_LAUNCH_HINT, FIRST_LAUNCH_MS)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        old, new = event.oldSize(), event.size()
        if old.width() != new.width():
            self._show_parameter_formula()
        if self._fitted and self.isVisible() and old.isValid() and old != new:
            self._scale_docks(new.width() / max(1, old.width()), new.height() / max(1, old.height()))

    # --- layout memory -------------------------------------------------------------------
    def _settings(self) -> QSettings:
        return QSettings("nnviz", "nnviz")

    def _restore_layout(self):
        """The remembered window and docks; the docks' sizes only at the window size they were
        made for (at another size the docks are sized afresh when the window is shown)."""
        st = self._settings()
        geo, state, size = st.value("geometry"), st.value("windowState"), st.value("layoutSize")
        self._first_launch = geo is None      # the app has never closed a window
        if geo is not None:
            self.restoreGeometry(geo)
        if state is not None and self.restoreState(state, SETTINGS_VERSION) and isinstance(size, QSize):
            self._layout_size = size

    def closeEvent(self, event):
        # Closed by the window system: ask Save / Discard / Cancel (File › Quit asks before).
        if event.spontaneous() and not self.file_actions.confirm_close():
            event.ignore()
            return
        self.file_actions.closing()
        self.guide.presentation.set_on(False)   # the app's font and the settings docks back
        self.session.shutdown()
        self.statusBar().clearMessage()  # its timeout timer must not outlive the window
        st = self._settings()
        st.setValue("geometry", self.saveGeometry())
        st.setValue("windowState", self.saveState(SETTINGS_VERSION))
        st.setValue("layoutSize", self.size())
        super().closeEvent(event)
