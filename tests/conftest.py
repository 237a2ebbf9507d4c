"""Test setup: Qt runs offscreen, and a test that leaves a window or a running timer fails."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/nnviz-test-runtime")
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
from ui.app import prepare_qt  # noqa: E402

prepare_qt()   # Qt set up as the app sets it, before any QApplication
# QSettings (the remembered window layout) must not read or write the user's real settings.
import tempfile  # noqa: E402

os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnviz-test-config-")
# Nor the user's real data folder (the recovery file lives there).
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="nnviz-test-data-")

import gc  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def session(qtbot):
    """A default Session, stopped and deleted after the test."""
    from ui.session import Session

    s = Session()
    yield s
    s.shutdown()
    s.deleteLater()


@pytest.fixture
def kept_layout():
    """For a test that rearranges the panels: the remembered layout (QSettings) is put back
    afterwards. Request it before ``window``, so it is restored after the window has closed
    (closing saves the layout)."""
    from PySide6.QtCore import QSettings

    settings = QSettings("nnviz", "nnviz")
    remembered = {k: settings.value(k) for k in settings.allKeys()}
    yield
    settings.clear()
    for key, value in remembered.items():
        settings.setValue(key, value)
    settings.sync()


@pytest.fixture
def window(qtbot):
    """The main window on the default session, shown offscreen."""
    from ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.session.shutdown()
    w.close()


@pytest.fixture
def count_events(qtbot):
    """count_events(kind, *objects) → a counter whose ``n`` grows by one for each event of
    ``kind`` that reaches one of ``objects`` (set ``n = 0`` to start again); its filters are
    removed after the test."""
    from PySide6.QtCore import QObject

    class Counter(QObject):
        n = 0

        def __init__(self, kind):
            super().__init__()
            self.kind = kind

        def eventFilter(self, obj, event):
            if event.type() == self.kind:
                self.n += 1
            return False

    made = []

    def make(kind, *objects):
        counter = Counter(kind)
        for obj in objects:
            obj.installEventFilter(counter)
        made.append((counter, objects))
        return counter

    yield make
    for counter, objects in made:
        for obj in objects:
            try:
                obj.removeEventFilter(counter)
            except RuntimeError:        # the object is gone already, and its filters with it
                pass


@pytest.fixture
def write(tmp_path):
    """write(content, name="data.csv") → the path of a file in tmp_path holding content
    (str as UTF-8, or bytes)."""
    def _write(content, name="data.csv"):
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path
    return _write


@pytest.fixture(autouse=True)
def _discard_unsaved_on_close(request):
    """Closing a window with unsaved training asks Save / Discard / Cancel; tests answer
    Discard unless they set another answer. Not through ``monkeypatch``, whose ``undo()``
    would bring the real (modal) question back; defined before the leak check, so the answer
    holds while that closes leaked windows."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    from ui import dialogs
    real = dialogs.ask_save_discard_cancel
    dialogs.ask_save_discard_cancel = lambda *a, **k: dialogs.DISCARD
    try:
        yield
    finally:
        dialogs.ask_save_discard_cancel = real


def _top_level_widgets(app):
    """``app.topLevelWidgets()``, without the cyclic GC running while PySide converts the list.

    Qt returns raw pointers, which PySide wraps one by one; a new wrapper is an allocation, and
    an allocation can start the cyclic GC. pyqtgraph gives every plot parentless, Python-owned
    QMenus (``PlotItem.ctrlMenu``, the ``ViewBoxMenu`` that ``setMenuEnabled(False)`` drops)
    that sit in reference cycles, so such a collection deletes top-level menus that are further
    down the list, and wrapping their pointers then reads freed memory (a segfault in
    ``PySide::getWrapperForQObject``). So the GC is off during the call; afterwards the
    returned wrappers keep the Python-owned ones alive, and a widget Qt deletes later only
    invalidates its wrapper. (No ``gc.collect()`` first: it took about 0.2 s a call here.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return app.topLevelWidgets()
    finally:
        if enabled:
            gc.enable()


@pytest.fixture
def top_level_widgets():
    """() → the application's top-level widgets, listed safely (see ``_top_level_widgets``);
    a test must not call ``QApplication.topLevelWidgets()`` itself."""
    from PySide6.QtWidgets import QApplication
    return lambda: _top_level_widgets(QApplication.instance())


@pytest.fixture(autouse=True)
def _no_leaked_widgets(request):
    """Fail a Qt test that leaves a visible top-level widget or an active QTimer behind."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    existing = _top_level_widgets(app) if app else []   # held: a freed wrapper's id() is reused
    before = {id(w) for w in existing}
    yield
    app = QApplication.instance()
    if app is None:
        return
    app.processEvents()
    widgets = _top_level_widgets(app)  # held to the end: see _top_level_widgets
    new = [w for w in widgets if id(w) not in before]
    leaked = [w for w in new if w.isVisible()]
    timers = [t for w in new for t in w.findChildren(QTimer) if t.isActive()]
    for w in leaked:
        w.close()
        w.deleteLater()
    app.processEvents()
    assert not leaked, f"test left top-level widgets open: {leaked}"
    assert not timers, f"test left running timers: {timers}"


@pytest.fixture
def warnings(monkeypatch):
    """The texts of the warnings the app shows (``ui.dialogs.warn``), instead of modal boxes."""
    from ui import dialogs

    shown = []
    monkeypatch.setattr(dialogs, "warn", lambda parent, title, text: shown.append(text))
    return shown


def answer_paths(monkeypatch, path):
    """Every file dialog answers ``path``."""
    from ui import dialogs

    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(path))
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a, **k: str(path))


def check_parameter_formula(window):
    """The status bar shows the network's parameter formula whole, or, when it does not fit
    beside the running readout (a deep network in a narrow window), its numbers or only the
    count, with the whole formula in the tooltip. Returns the text shown."""
    net = window.session.network
    label = window.param_count_label
    formula, shown = net.parameter_formula(), label.text()
    assert formula.endswith(f"= {net.parameter_count()}")
    assert shown in (formula, formula.split(" = ", 1)[1], f"{net.parameter_count()} parameters")
    if shown != formula:
        assert label.toolTip().endswith("\n\n" + formula)
    return shown


@pytest.fixture
def started_in_process(monkeypatch, qtbot, tmp_path):
    """start(env) → the window of ``ui.app.start()`` run in this process with the app's names
    and the given XDG folders; names, pyqtgraph options and the window are put back after."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication
    from ui import app as app_module

    names = QApplication.applicationName(), QApplication.organizationName()
    options = dict(pg.CONFIG_OPTIONS)
    windows = []

    def start(env):
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
            monkeypatch.setenv(name, env[name])
        monkeypatch.delenv("NNVIZ_PLAY_AT_START", raising=False)
        _app, window = app_module.start()
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield start
    for window in windows:
        window.session.shutdown()
        window.close()
    pg.setConfigOptions(**options)
    QApplication.setApplicationName(names[0])
    QApplication.setOrganizationName(names[1])
