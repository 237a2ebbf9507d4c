"""The File menu's session, weights, picture and table entries.

Sessions (``.nnviz``, :mod:`nnviz.io.session_file`): Open session… (Ctrl+O), Open recent ›,
Save session (Ctrl+S), Save session as… (Ctrl+Shift+S). The window title shows the file's name
and ``*`` while there are unsaved changes; File › Quit, the window system's close button, and
opening another session or data file with unsaved changes ask Save / Discard / Cancel (a close
from code — ``window.close()`` — does not ask). While training runs, a recovery file is kept
(:mod:`ui.recovery`).

Weights: Export weights… (every format of :mod:`nnviz.io.exporters`, by extension) and Import
weights… (Ctrl+I; .json, .npz, .safetensors, or the weights of a .nnviz session): the network
takes the file's architecture — features, hidden units, activations, scaling.

Pictures and tables: the output plot, the loss chart and the network canvas as PNG or SVG
(``QSvgGenerator`` + ``render``), the loss history as CSV, the data with its train/test split
as CSV.

Action objectNames: actionOpenSession, actionSaveSession, actionSaveSessionAs,
actionImportWeights, actionExportBoundaryImage, actionExportLossImage,
actionExportNetworkImage, actionExportHistory, actionExportDataSplit; menu menuRecentSessions.
Every file is written atomically; every error is one message and changes nothing.
"""
from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QObject, QRectF, QSettings
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication, QGraphicsView

from nnviz.io import exporters, session_file
from nnviz.errors import NnvizError
from nnviz.experiment import build
from nnviz.io.fileio import atomic_write

from . import dialogs, recovery
from .actions import make_action
from .model.run import check_fits_canvas

SESSION_FILTER = "nnviz sessions (*.nnviz)"
PICTURE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"
CSV_FILTER = "CSV table (*.csv)"
MAX_RECENT = 8
RECENT_KEY = "recentSessions"


#: a few words after an export format's extension in the Export tooltip (else its description)
EXPORT_NOTES = {".safetensors": "PyTorch", ".onnx": "the whole pipeline", ".py": "a NumPy script",
                ".csv": "a folder, one file per matrix"}


def _listing(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def export_tip() -> str:
    """The Export action's tip: every format of ``exporters.EXPORT_FORMATS``."""
    parts = [ext if ext in (".json", ".npz") else f"{ext} ({EXPORT_NOTES.get(ext, text)})"
             for ext, text in exporters.EXPORT_FORMATS.items()]
    tip = f"Save the trained weights: {_listing(parts)}"
    missing = sorted({m for m in map(exporters.missing_package, exporters.EXPORT_FORMATS) if m})
    if missing:
        tip += f"; {', '.join(missing)} export needs {exporters.INSTALL_HINT}"
    return tip


def import_extensions() -> list[str]:
    """What Import weights reads: ``exporters.LOAD_FORMATS`` and the weights of a session."""
    return [*exporters.LOAD_FORMATS, session_file.EXTENSION]


def import_tip() -> str:
    return (f"Load weights ({', '.join(import_extensions())}); the network takes the file's "
            "features, units and activations")


def import_filter() -> str:
    """The import dialog's filters: all readable formats together, then each one."""
    exts = import_extensions()
    names = {**exporters.EXPORT_FORMATS, session_file.EXTENSION: "nnviz session"}
    return ";;".join([f"Weights ({' '.join('*' + e for e in exts)})",
                      *(f"{names.get(e, e[1:])} (*{e})" for e in exts), "All files (*)"])


def export_filter() -> str:
    """The export dialog's filters; a format whose package is missing says what to install."""
    parts = []
    for ext, text in exporters.EXPORT_FORMATS.items():
        missing = exporters.missing_package(ext)
        note = f" — needs pip install {missing}" if missing else ""
        parts.append(f"{text} (*{ext}){note}")
    return ";;".join(parts)


def _csv_field(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value
    value = float(value)
    return repr(value) if math.isfinite(value) else ""


def data_csv(session) -> str:
    """The data rows: the inputs, the target (class labels when the data has them), ``split``
    (train or test) and ``added`` (1 for a point added by hand)."""
    ds, exp = session.dataset, session.exp
    split = np.full(ds.n_samples, "", dtype=object)
    split[exp.train_idx] = "train"
    split[exp.test_idx] = "test"
    added = session.added_rows
    lines = [",".join(_csv_field(n) for n in [*ds.inputs, ds.target or "y", "split", "added"])]
    for i in range(ds.n_samples):
        if ds.task == "classification" and ds.class_names:
            label = _csv_field(ds.class_names[int(ds.y[i])])
        else:
            label = _csv_field(ds.y[i])
        lines.append(",".join([*(_csv_field(v) for v in ds.X[i].tolist()), label, split[i],
                               "1" if added[i] else "0"]))
    return "\n".join(lines) + "\n"


def picture_bytes(widget, fmt: str) -> bytes:
    """``widget`` drawn as PNG (a grab of its pixels) or SVG (vector, through QSvgGenerator)."""
    QApplication.processEvents()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if fmt == ".png":
        if not widget.grab().toImage().save(buf, "PNG"):
            raise NnvizError("the picture could not be encoded as PNG")
    elif fmt == ".svg":
        size = widget.size()
        gen = QSvgGenerator()
        gen.setOutputDevice(buf)
        gen.setSize(size)
        gen.setResolution(widget.logicalDpiX())  # the screen's: text and markers keep their size
        gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
        gen.setTitle(widget.objectName() or "nnviz")
        gen.setDescription("drawn by nnviz")
        # pyqtgraph draws cached scatter symbols as pixmap fragments, which an SVG cannot
        # crop: draw them as vector paths while rendering.
        scatters = [item for view in [widget, *widget.findChildren(QGraphicsView)]
                    if isinstance(view, QGraphicsView) and view.scene() is not None
                    for item in view.scene().items() if isinstance(item, pg.ScatterPlotItem)]
        cached = [item.opts.get("useCache", True) for item in scatters]
        for item in scatters:
            item.opts["useCache"] = False
        painter = QPainter(gen)
        try:
            widget.render(painter)
        finally:
            painter.end()
            for item, flag in zip(scatters, cached):
                item.opts["useCache"] = flag
    else:
        raise NnvizError(f"pictures are saved as .png or .svg, not {fmt or 'a file without extension'!r}")
    data = bytes(buf.data())
    buf.close()
    return data


class FileActions(QObject):
    """Owns the window's current session file, its modified flag and the recovery file."""

    def __init__(self, window, menu):
        super().__init__(window)
        self.window = window
        self.path: Path | None = None
        self._last_recovery = time.monotonic()
        self._make_actions(menu)
        s = window.session
        # (The plot's axes are saved in the file too: choosing others is a change to save.)
        for signal in (s.paramsChanged, s.structureChanged, s.settingsChanged, s.runsChanged,
                       s.axesChanged):
            signal.connect(self._on_changed)
        s.playingChanged.connect(self._on_playing)
        self._guard_data_actions()
        self.set_modified(False)

    def _guard_data_actions(self):
        """Opening another data file replaces the run: ask Save / Discard / Cancel first."""
        from . import data_actions
        w = self.window
        calls = {"actionOpenData": lambda: data_actions.open_data(w)}
        for file, *_ in getattr(data_actions, "SAMPLES", ()):
            calls[f"actionSample_{Path(file).stem}"] = lambda f=file: data_actions.open_sample(w, f)
        for name, call in calls.items():
            action = getattr(w, name, None)
            if action is None:
                continue
            action.triggered.disconnect()
            action.triggered.connect(
                lambda _checked=False, call=call: self.confirm_discard("Open data") and call())

    @property
    def session(self):
        return self.window.session

    # --- building ------------------------------------------------------------------------
    def _action(self, name, text, slot, shortcut=None, tip=""):
        return make_action(self.window, name, text, lambda _checked=False: slot(), shortcut, tip)

    def _make_actions(self, menu):
        w = self.window
        first = menu.actions()[0] if menu.actions() else None
        top = [
            self._action("actionOpenSession", "Open session…", self.open_session, "Ctrl+O",
                         "Open a saved .nnviz session: data, network, weights, history, all settings"),
        ]
        self.recent_menu = menu.addMenu("Open recent session")
        self.recent_menu.setObjectName("menuRecentSessions")
        self.recent_menu.menuAction().setStatusTip("One of the sessions saved or opened lately")
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        top.append(self.recent_menu.menuAction())
        top.append(self._action("actionSaveSession", "Save session", self.save, "Ctrl+S",
                                "Save everything to the current .nnviz file; reopening continues "
                                "training exactly where it stopped"))
        top.append(self._action("actionSaveSessionAs", "Save session as…", self.save_as,
                                "Ctrl+Shift+S", "Save everything to a new .nnviz file"))
        for a in top:
            menu.insertAction(first, a)
        if first is not None:
            menu.insertSeparator(first)
        self._fill_recent()
        # after Export weights: import, pictures, tables
        export = getattr(w, "actionExportWeights", None)
        acts = list(menu.actions())
        after = acts[acts.index(export) + 1] if export in acts and acts.index(export) + 1 < len(acts) else None
        if export is not None:
            tip = export_tip()
            keys = export.shortcut().toString()
            export.setToolTip(f"{tip} ({keys})" if keys else tip)
            export.setStatusTip(tip)
        more = [self._action("actionImportWeights", "Import weights…", self.import_weights, "Ctrl+I",
                             import_tip())]
        pictures = menu.addMenu("Export picture")
        pictures.menuAction().setStatusTip("Save a view as a PNG image or an SVG drawing")
        pictures.setObjectName("menuExportPicture")
        pictures.setToolTipsVisible(True)
        for name, text, attr, stem in (
                ("actionExportBoundaryImage", "Output plot…", "boundary_plot", "output"),
                ("actionExportLossImage", "Loss chart…", "loss_plot", "loss"),
                ("actionExportNetworkImage", "Network canvas…", "network_view", "network")):
            pictures.addAction(self._action(
                name, text, lambda a=attr, s=stem: self.export_picture(getattr(w, a), s),
                tip=f"Save the {text[:-1].lower()} as a PNG image or an SVG drawing"))
        more.append(pictures.menuAction())
        more.append(self._action("actionExportHistory", "Export loss history (CSV)…",
                                 self.export_history,
                                 tip="Write the loss and metric of every epoch to a CSV table"))
        more.append(self._action("actionExportDataSplit", "Export data with split (CSV)…",
                                 self.export_data,
                                 tip="Write every data row with its train/test flag to a CSV table"))
        for a in more:
            menu.insertAction(after, a)

    # --- modified flag, title, recovery --------------------------------------------------
    def set_modified(self, modified: bool):
        name = self.path.name if self.path is not None else "untitled"
        self.window.setWindowTitle(f"{name}[*] — nnviz")
        self.window.setWindowModified(bool(modified))
        if not modified:
            self._last_recovery = time.monotonic()

    def _on_changed(self):
        self.window.setWindowModified(True)
        if time.monotonic() - self._last_recovery >= recovery.RECOVERY_SECONDS:
            self._write_recovery()

    def _on_playing(self, playing: bool):
        """Paused with unsaved changes: write the recovery file now (work done after the last
        write of a Play, or stepped by hand, was lost in a crash)."""
        if not playing and self.window.isWindowModified():
            self._write_recovery()

    def _write_recovery(self):
        """Unsaved work to the recovery file, at most every RECOVERY_SECONDS while it changes,
        whether or not Play runs (it was written only during Play); never mid-step (a file holds
        whole steps, and finishing the step would change the run)."""
        if self.session.step_in_progress:
            return
        self._last_recovery = time.monotonic()
        try:
            recovery.write(self.session)
        except NnvizError as exc:
            self.window.statusBar().showMessage(f"Recovery file not written: {exc}", 5000)

    def confirm_discard(self, title: str) -> bool:
        """True when the current work may be replaced: nothing unsaved, or the user saved it or
        chose Discard; False on Cancel (or a failed save)."""
        if not self.window.isWindowModified():
            return True
        answer = dialogs.ask_save_discard_cancel(
            self.window, title, "The current session has unsaved changes. Save them first?")
        if answer == dialogs.SAVE:
            return self.save()
        return answer == dialogs.DISCARD

    def confirm_close(self) -> bool:
        """Before the window closes (File › Quit, or the window system's close button):
        True when it may close."""
        self.session.pause()
        return self.confirm_discard("Quit nnviz")

    def quit(self):
        """File › Quit: ask, then close."""
        if self.confirm_close():
            self.window.close()

    def closing(self):
        """The window is closing normally: no recovery is needed."""
        recovery.remove()

    # --- sessions ------------------------------------------------------------------------
    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.write(self.path)

    def save_as(self) -> bool:
        default = str(self.path) if self.path is not None else "session.nnviz"
        path = dialogs.ask_save_path(self.window, "Save session", default, SESSION_FILTER)
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != session_file.EXTENSION:
            path = path.with_name(path.name + session_file.EXTENSION)
        return self.write(path)

    def write(self, path) -> bool:
        s = self.session
        finished = s.step_in_progress
        if finished:  # a step begun operation by operation: finish it first (a file holds
            s.step_batch()   # whole steps), and say so: the window shows the finished step
        try:
            session_file.save(path, s.exp, **recovery.capture(s))
        except NnvizError as exc:
            dialogs.warn(self.window, "Save session", str(exc))
            return False
        self.path = Path(path)
        self.set_modified(False)
        recovery.remove()       # the file just saved is the latest: nothing older to offer
        self._remember_recent(self.path)
        self.window.statusBar().showMessage(
            f"Session saved to {self.path}"
            + (" (the step under way was finished first: a file holds whole steps)"
               if finished else ""), 8000 if finished else 5000)
        return True

    def open_session(self, path=None) -> bool:
        if not self.confirm_discard("Open session"):
            return False
        if path is None:
            path = dialogs.ask_open_path(self.window, "Open session", SESSION_FILTER)
            if not path:
                return False
        try:
            state = session_file.load(path)
            # (a session of 100 units opened, and could not be drawn or changed after)
            check_fits_canvas(state.experiment.network, "this session has")
        except NnvizError as exc:
            dialogs.warn(self.window, "Open session", str(exc))
            return False
        self.apply(state, Path(path))
        self._remember_recent(Path(path))
        self.window.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def apply(self, state, path, modified: bool = False):
        """Show a read session: the run continues from where it was saved."""
        s = self.session
        s.adopt(state.experiment, (state.initial_params, state.initial_rng), state.added, state.axes)
        s.forget_undo()                  # a new document: Undo does not bring the last one back
        s.set_pinned(state.pinned)
        if state.speed is not None:
            s.set_speed(state.speed)
        self.path = path
        self.set_modified(modified)

    # --- recent files --------------------------------------------------------------------
    def recent(self) -> list[str]:
        value = QSettings("nnviz", "nnviz").value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if isinstance(v, str)][:MAX_RECENT]

    def _remember_recent(self, path: Path):
        text = str(Path(path).resolve())
        items = [text] + [p for p in self.recent() if p != text]
        QSettings("nnviz", "nnviz").setValue(RECENT_KEY, items[:MAX_RECENT])

    def _fill_recent(self):
        m = self.recent_menu
        items = self.recent()
        if items == getattr(self, "_recent_shown", None):
            return                      # unchanged: keep the actions (and references to them)
        self._recent_shown = items
        m.clear()
        for k, text in enumerate(items, 1):
            a = m.addAction(f"&{k} {Path(text).name}")
            a.setToolTip(text)
            a.triggered.connect(lambda _c=False, p=text: self.open_session(p))
        if not items:
            a = m.addAction("(no recent sessions)")
            a.setEnabled(False)

    # --- weights -------------------------------------------------------------------------
    def export_weights(self):
        path = dialogs.ask_save_path(self.window, "Export weights", "weights.json", export_filter())
        if not path:
            return
        try:
            written = exporters.export(self.session.model, path)
        except NnvizError as exc:
            dialogs.warn(self.window, "Export weights", str(exc))
            return
        self.window.statusBar().showMessage(f"Weights saved to {written}", 5000)

    def import_weights(self, path=None) -> bool:
        if path is None:
            path = dialogs.ask_open_path(self.window, "Import weights", import_filter())
            if not path:
                return False
        try:
            self.adopt_model(exporters.load(path))
        except NnvizError as exc:
            dialogs.warn(self.window, "Import weights", str(exc))
            return False
        self.window.statusBar().showMessage(f"Weights loaded from {path}", 5000)
        return True

    def adopt_model(self, model):
        """Make the network the file's: its features, hidden units, activations, scaling and
        weights, on the current data (whose columns must be the model's inputs). Raises
        NnvizError and changes nothing when that cannot be."""
        s = self.session
        ds = s.dataset
        if list(model.inputs) != list(ds.inputs):
            raise NnvizError(f"these weights take the inputs {', '.join(model.inputs)}, but the "
                             f"data has {', '.join(ds.inputs)}; open matching data first")
        net = model.network
        check_fits_canvas(net, "these weights have")
        if model.task == "classification" and ds.task != "classification":
            raise NnvizError("these weights classify, but the current data has a numeric target")
        config = replace(s.config, features=list(model.features), hidden=list(net.hidden_sizes),
                         activation=list(net.activations[:-1]), task=model.task, loss=model.loss,
                         standardize=model.scaler is not None)
        exp = build(config, ds, weights=model)
        keep = s.added_rows if len(s.added_rows) == ds.n_samples else None
        s.adopt(exp, (exp.network.params.copy(), exp.rng.bit_generator.state), keep, s.plot_axes())

    # --- pictures and tables -------------------------------------------------------------
    def export_picture(self, widget, stem: str) -> bool:
        path = dialogs.ask_save_path(self.window, "Export picture", f"{stem}.png", PICTURE_FILTER)
        if not path:
            return False
        try:
            atomic_write(path, picture_bytes(widget, Path(path).suffix.lower()))
        except NnvizError as exc:
            dialogs.warn(self.window, "Export picture", str(exc))
            return False
        self.window.statusBar().showMessage(f"Picture saved to {path}", 5000)
        return True

    def _export_text(self, title, default, make) -> bool:
        path = dialogs.ask_save_path(self.window, title, default, CSV_FILTER)
        if not path:
            return False
        try:
            atomic_write(path, make(self.session).encode("utf-8"))
        except NnvizError as exc:
            dialogs.warn(self.window, title, str(exc))
            return False
        self.window.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def export_history(self) -> bool:
        return self._export_text("Export loss history", "loss_history.csv",
                                 lambda session: session.history_csv())

    def export_data(self) -> bool:
        return self._export_text("Export data with split", "data_split.csv", data_csv)


def install(window, menu) -> FileActions:
    """Add the file actions to ``window`` and its File ``menu``; returns the controller."""
    return FileActions(window, menu)
