"""Every modal question the app asks goes through these functions, so that tests (and the
UI-abuse test, which clicks every action) can answer them without a modal loop.

Tests replace them with ``monkeypatch.setattr(dialogs, "ask_save_path", ...)``; callers must
use them as ``dialogs.ask_save_path(...)`` (module attribute), never import the names.
"""
from __future__ import annotations

import os
import re

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"

_PATTERNS = re.compile(r"\(((?:\s*\*\.[^\s()*]+)+)\s*\)")


def filter_extensions(name_filter: str) -> list[str]:
    """The extensions one dialog filter names, in order: "ONNX model (… → output) (*.onnx)"
    → [".onnx"]; "All files (*)" → []."""
    found = _PATTERNS.findall(name_filter)
    return [p.strip()[1:].lower() for p in found[-1].split()] if found else []


def with_extension(path: str, filters: str, selected: str) -> str:
    """``path`` with the selected filter's extension added when its name ends in none of the
    extensions the dialog offers ("mynet" with the ONNX filter → "mynet.onnx"). Some platforms'
    save dialogs add it themselves, others (and typed names in Qt's own dialog) do not."""
    if not path:
        return path
    offered = [e for f in filters.split(";;") for e in filter_extensions(f)]
    if os.path.splitext(path)[1].lower() in offered:
        return path
    wanted = filter_extensions(selected if selected else filters.split(";;")[0])
    return path + wanted[0] if wanted else path    # "All files (*)": as typed


def ask_save_path(parent: QWidget | None, title: str, default: str, filters: str) -> str:
    """A path to write, or "" when the user cancels. A name typed without one of the offered
    extensions gets the selected filter's."""
    path, selected = QFileDialog.getSaveFileName(parent, title, default, filters)
    return with_extension(path, filters, selected or "")


def ask_open_path(parent: QWidget | None, title: str, filters: str, start: str = "") -> str:
    """An existing file to read, or "" when the user cancels."""
    path, _ = QFileDialog.getOpenFileName(parent, title, start, filters)
    return path


def ask_save_discard_cancel(parent: QWidget | None, title: str, text: str) -> str:
    """SAVE, DISCARD or CANCEL (Escape and closing the box mean CANCEL)."""
    box = QMessageBox(QMessageBox.Warning, title, text,
                      QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, parent)
    box.setDefaultButton(QMessageBox.Save)
    box.setEscapeButton(QMessageBox.Cancel)
    answer = box.exec()
    return {QMessageBox.Save: SAVE, QMessageBox.Discard: DISCARD}.get(answer, CANCEL)


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.Yes | QMessageBox.No,
                                  QMessageBox.No)
    return answer == QMessageBox.Yes


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """One clear sentence about something the user did that could not be done."""
    QMessageBox.warning(parent, title, text)


def ask_number(parent: QWidget | None, title: str, label: str, value: float,
               lo: float, hi: float, decimals: int = 3) -> float | None:
    """A number in [lo, hi], or None when the user cancels. OK on the number as shown gives
    ``value`` back exactly, not its rounding to ``decimals`` (0.12345 shown as 0.123)."""
    from PySide6.QtWidgets import QInputDialog
    number, ok = QInputDialog.getDouble(parent, title, label, value, lo, hi, decimals)
    if not ok:
        return None
    return value if number == round(value, decimals) else number


def ask_worksheet_options(parent: QWidget | None, options=None) -> tuple | None:
    """The worksheet's format, exercise and decimals (a ``WorksheetOptions``), or None when
    the user cancels."""
    from .worksheet_dialog import WorksheetDialog
    dlg = WorksheetDialog(parent, options)
    try:
        return dlg.options() if dlg.exec() == WorksheetDialog.Accepted else None
    finally:
        dlg.deleteLater()
