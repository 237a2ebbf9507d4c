"""The app model (ui/model) without Qt: its state and the events it fires, in order. And the
rule that views never emit the session's signals (they call its methods)."""
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nnviz.errors import NnvizError

ROOT = Path(__file__).resolve().parents[1]


def test_model_imports_and_runs_with_qt_unimportable():
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'shiboken6'):
                    raise ImportError('blocked: ' + name)
        sys.meta_path.insert(0, Block())
        from ui.model import AppModel
        m = AppModel()
        m.step_operation(); m.step_batch(); m.step_epoch(); m.grid_outputs()
        m.add_point(0.0, 0.0, 1.0)
        bad = [k for k in sys.modules if k.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]
        assert not bad, bad
        print('ok')
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.fixture
def model():
    from ui.model import AppModel
    return AppModel()


@pytest.fixture
def fired(model):
    """The events the model fires, as (name, *args) tuples, in order."""
    from ui.model import EVENTS
    log = []
    for name in EVENTS:
        model.events.connect(name, lambda *args, _n=name: log.append((_n, *args)))
    return log


def names(log):
    return [e[0] for e in log]


def test_default_run(model, fired):
    assert model.dataset.name == "circle" and model.network.sizes == [2, 4, 1]
    assert model.version == 0 and model.stages == [] and model.stage_index == -1
    assert model.plot_axes() == (0, 1) and not model.added_rows.any()
    assert fired == []


def test_step_through_and_back(model, fired):
    model.step_operation()
    model.step_operation()
    assert model.step_in_progress and model.stage_index == 1
    assert names(fired) == ["stageChanged", "stageChanged"]
    assert fired[-1][1] is model.stages[1]
    model.previous_operation()
    assert model.stage_index == 0 and fired[-1] == ("stageChanged", model.stages[0])
    fired.clear()
    model.step_operation()        # forward through the recorded stage: nothing recomputed
    assert model.stage_index == 1 and names(fired) == ["stageChanged"]
    model.show_stage(0)
    assert model.stage_index == 0
    fired.clear()
    model.step_batch()            # finishes the step begun operation by operation
    assert not model.step_in_progress and model.trainer.step_count == 1
    assert model.stages[-1].name == "update" and model.stage_index == len(model.stages) - 1
    assert names(fired) == ["stageChanged", "paramsChanged"]
    assert model.version == 1


def test_epoch_fires_params_then_history(model, fired):
    model.step_epoch()
    assert model.trainer.epoch_count == 1
    assert names(fired) == ["paramsChanged", "historyChanged"]


def test_structure_change_drops_the_cursor(model, fired):
    model.step_operation()
    fired.clear()
    model.add_neuron()
    assert model.network.sizes == [2, 5, 1] and model.stages == []
    # The views hear of the dropped stages after the new structure (until then they draw the
    # old network, and the stage's redraw would mix the two).
    assert names(fired) == ["structureChanged", "settingsChanged", "stageChanged", "undoChanged"]
    assert fired[2] == ("stageChanged", None)


def test_refusals_are_messages(model, fired):
    model.set_hidden([32])
    model.add_neuron()
    assert fired == [("structureChanged",), ("settingsChanged",), ("undoChanged",),
                     ("message", "a hidden layer has at most 32 units here")]
    fired.clear()
    assert model.clear_points() == 0
    assert fired == [("message", "there are no points added by hand to clear")]


def test_add_and_clear_points(model, fired):
    n = model.dataset.n_samples
    model.grid()
    model.add_point(0.1, -0.2, 1.0)
    assert model.dataset.n_samples == n + 1 and model.added_rows.sum() == 1
    np.testing.assert_array_equal(model.dataset.X[-1], [0.1, -0.2])
    assert model.exp.train_idx[-1] == n and model.trainer.step_count == 0
    assert names(fired) == ["structureChanged", "settingsChanged", "undoChanged"]
    assert model._extent is not None          # the point is inside: the plot stays put
    with pytest.raises(NnvizError):
        model.add_point(0.0, 0.0, 0.5)        # a class is 0 or 1
    assert model.clear_points() == 1 and model.dataset.n_samples == n


def test_axes_and_grid_cache(model, fired):
    from nnviz.data.dataset import Dataset
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    model.set_dataset(Dataset(X, X[:, 2] - X[:, 0], ["a", "b", "c"], "regression", name="t"))
    assert model.plot_axes() != (0, 1)      # c, then a: the inputs y depends on
    fired.clear()
    first = model.grid_outputs()
    assert model.grid_outputs() is first      # cached while the weights stay
    model.set_axes(0, 1)
    assert model.plot_axes() == (0, 1) and fired == [("axesChanged",)]
    lo, hi = X[:, 1].min(), X[:, 1].max()
    y0, y1 = model.grid().ylim                # the range, 5 % more, on round numbers
    assert y0 <= lo - 0.05 * (hi - lo) and y1 >= hi + 0.05 * (hi - lo)
    assert (y1 - y0) < 1.25 * (hi - lo)
    from ui.model.axes import plot_range
    assert (y0, y1) == plot_range(lo, hi)
    assert plot_range(-5.3, 5.2) == (-6.0, 6.0) and plot_range(-4.9, 5.0) == (-6.0, 6.0)
    assert plot_range(0.02, 0.31) == (0.0, 0.34) and plot_range(12.5, 2631.0) == (-200.0, 2800.0)
    model.set_axes(0, 1)                      # the same: nothing
    assert len(fired) == 1
    with pytest.raises(NnvizError):
        model.set_axes(1, 1)
    model.step_batch()
    assert model.grid_outputs() is not first


def test_view_requests_are_events(model, fired):
    model.hover_unit(0, 3)
    model.hover_unit(-1, -1)
    model.report("hello")
    assert fired == [("unitHovered", 0, 3), ("unitHovered", -1, -1), ("message", "hello")]


def test_events_reject_unknown_names():
    from ui.model import Events
    ev = Events()
    with pytest.raises(KeyError):
        ev.connect("paramsChangd", print)
    with pytest.raises(KeyError):
        ev.emit("nothing")


def test_session_signals_follow_the_model(session, qtbot):
    got = []
    session.paramsChanged.connect(lambda: got.append("params"))
    session.unitHovered.connect(lambda k, j: got.append((k, j)))
    session.message.connect(got.append)
    session.step_batch()
    session.hover_unit(1, 2)
    session.report("hi")
    assert got == ["params", (1, 2), "hi"]
    assert session.app_model.version == session.version == 1


def _session_signals():
    src = (ROOT / "ui" / "session.py").read_text(encoding="utf-8")
    return re.findall(r"^\s+(\w+)\s*=\s*Signal\(", src, re.MULTILINE)


def test_only_the_session_emits_its_signals():
    """Views call the session's methods (``report``, ``hover_unit``, ...); the signals are
    the session's to emit. A source scan: no ``.<signal>.emit(`` outside ui/session.py."""
    signals = _session_signals()
    assert "paramsChanged" in signals and "message" in signals and "unitHovered" in signals
    pattern = re.compile(r"\.(%s)\.emit\(" % "|".join(signals))
    offenders = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        if path == ROOT / "ui" / "session.py":
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_model_and_adapter_modules_stay_short():
    paths = [*sorted((ROOT / "ui" / "model").glob("*.py")), ROOT / "ui" / "session.py"]
    long = {p.name: n for p in paths
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}
