"""Smoke test of an installed wheel (run by .ci/run from a folder outside the checkout): nnviz and
ui come from site-packages, the main window has its icon, and every table under File › Open
sample data loads through the menu's own action. Prints one line; exits 1 on the first failure."""
import faulthandler
import os
import sys
import sysconfig
import tempfile
import threading
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep the remembered layout and the recovery file out of the real home folder.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnviz-smoke-config-")
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="nnviz-smoke-data-")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="nnviz-smoke-runtime-"))

EXPECTED_ROWS = {"breast_cancer.csv": 569, "diabetes.csv": 442, "iris_petals.csv": 100, "iris.csv": 150}
TIMEOUT_S = 120  # the whole check takes about two seconds; a modal box left open would hang


class SmokeFailure(Exception):
    pass


def _timed_out():
    print(f"wheel smoke FAILED: no result after {TIMEOUT_S} s (a dialog waiting for an answer?)",
          file=sys.stderr, flush=True)
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    os._exit(1)


def check(condition, message):
    if not condition:
        raise SmokeFailure(message)


def main() -> str:
    import nnviz
    import ui

    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    for module in (nnviz, ui):
        where = Path(module.__file__).resolve()
        check(where.is_relative_to(site), f"{module.__name__} is imported from {where}, not from {site}")

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication

    from ui import data_actions, dialogs
    from ui.main_window import MainWindow

    check(Path(str(data_actions.DATASETS)).resolve().is_relative_to(site),
          f"the sample tables are read from {data_actions.DATASETS}, not from {site}")
    warnings = []
    # A failed load warns in a modal box; record the sentence instead of waiting for a click.
    dialogs.warn = lambda _parent, title, text: warnings.append(f"{title}: {text}")
    # Opening a second table replaces the first run, which asks Save / Discard / Cancel: Discard.
    dialogs.ask_save_discard_cancel = lambda *_args: dialogs.DISCARD

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    window = MainWindow()
    window.show()
    app.processEvents()
    try:
        icon = window.windowIcon()
        check(not icon.isNull(), "the main window's icon is null (ui/icons/nnviz.svg not found)")
        check(icon.availableSizes(), "the main window's icon has no sizes")
        loaded = []
        for file, _target, text in data_actions.SAMPLES:
            name = f"actionSample_{Path(file).stem}"
            action = window.findChild(QAction, name)
            check(action is not None, f"File › Open sample data has no {name}")
            action.trigger()
            check(not warnings, f"Open sample data › {text} failed: {'; '.join(warnings)}")
            ds = window.session.dataset
            check(ds.name == file, f"Open sample data › {text} left {ds.name!r} loaded")
            rows = ds.n_samples
            check(rows == EXPECTED_ROWS[file], f"{file} loaded {rows} rows, expected {EXPECTED_ROWS[file]}")
            loaded.append(f"{file} {rows}")
        check(len(loaded) == len(EXPECTED_ROWS),
              f"File › Open sample data has {len(loaded)} tables, expected {len(EXPECTED_ROWS)}")
    finally:
        window.session.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    sizes = sorted(s.width() for s in icon.availableSizes())
    return (f"wheel smoke OK: nnviz from {Path(nnviz.__file__).parent}; samples "
            f"{', '.join(loaded)} rows; icon sizes {sizes}")


if __name__ == "__main__":
    # No answer within the limit: one line, the stack, and exit 1, instead of a hung CI run.
    watchdog = threading.Timer(TIMEOUT_S, _timed_out)
    watchdog.daemon = True
    watchdog.start()
    try:
        print(main())
    except SmokeFailure as exc:
        print(f"wheel smoke FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # the stack, then the one line
        traceback.print_exc()
        print(f"wheel smoke FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
