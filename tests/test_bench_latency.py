"""The latency benchmark's code runs: ``tests/bench/bench_latency.py`` drives the window as a user
does and turns the times into table rows. One round of three interactions (no timing targets
here: this guards the benchmark code, not the app's speed).

It runs in a process of its own, as the benchmark does: the benchmark sets the BLAS threads,
the XDG folders and pyqtgraph's options for its whole process, rearranges and saves the window
layout, and builds its windows outside the test fixtures."""
import json
import os
import subprocess
import sys
import textwrap

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench")

CODE = textwrap.dedent("""
    import json, math, sys
    sys.path.insert(0, {bench!r})
    import bench_latency as bench
    only = ("add a hidden unit", "remove a hidden unit", "toggle outer products")
    base, times, painted, repaint = bench.measure_latency(repeats=1, only=only)
    rows = bench.rows_from(base, times, painted, repaint)
    print(json.dumps({{
        "base": base, "repaint": repaint, "times": times,
        "painted": {{k: sorted(v) for k, v in painted.items()}},
        "rows": [[r.result, r.target, r.ok] for r in rows],
    }}))
""")


def test_latency_rows_have_finite_positive_times(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    out = subprocess.run([sys.executable, "-X", "faulthandler", "-c", CODE.format(bench=BENCH)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    only = ["add a hidden unit", "remove a hidden unit", "toggle outer products"]
    assert sorted(got["times"]) == sorted(only)
    for values in [got["base"], got["repaint"], *got["times"].values()]:
        assert values and all(t > 0 and t < 1e6 for t in values)
    assert "network" in got["painted"]["add a hidden unit"]     # the probe saw the views paint
    assert set(got["painted"]["toggle outer products"]) <= {"step", "chrome"}
    results = [r for r in got["rows"] if r[2] is not None]
    assert [r[0].split(":")[0] for r in results] == only
    for result, target, _ in results:
        assert "× one step with redraw" in result and target == "≤ 3×"


BY_VIEW = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {bench!r})
    import bench_ui as U
    import latency_by_view as bench
    from ui.network_view import NetworkView

    handler = NetworkView.__dict__["_on_structure_changed"]
    app, win, s = U.open_window(4)
    inputs = []
    with bench._Off(bench.CANVAS):                     # the canvas is not told of the table
        win.actionSample_breast_cancer.trigger()
        bench.L.settle(app)
        inputs.append(len(win.network_view._nodes[0]))
    s.set_data(dataset="circle")
    win.actionSample_breast_cancer.trigger()           # now it is
    bench.L.settle(app)
    inputs.append(len(win.network_view._nodes[0]))
    restored = NetworkView.__dict__["_on_structure_changed"] is handler
    U.close_window(app, win)
    variants = {{"every view": [], "without the network canvas": bench.CANVAS}}
    times = bench.measure_by_view(1, variants)
    rows = bench.rows_from(times)
    print(json.dumps({{"inputs": inputs, "restored": restored, "times": times,
                      "rows": [r.result for r in rows]}}))
""")


def test_latency_by_view_switches_a_view_off_and_on_again(tmp_path):
    """``tests/bench/latency_by_view.py`` times the table's opening with views switched off: a
    view switched off is not told of the change (the canvas keeps its 2 inputs), and is told
    again after."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    out = subprocess.run([sys.executable, "-X", "faulthandler", "-c",
                          BY_VIEW.format(bench=BENCH)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["inputs"] == [2, 30] and got["restored"]
    assert sorted(got["times"]) == ["every view", "without the network canvas"]
    for t in got["times"].values():
        assert sorted(t) == ["back", "open", "step"]
        assert len(t["step"]) == 2 and len(t["open"]) == 1 == len(t["back"])
        assert all(0 < x < 10 for values in t.values() for x in values)
    assert all("× one step with redraw" in r for r in got["rows"])
    assert "ms less" in got["rows"][1] and "ms less" not in got["rows"][0]
