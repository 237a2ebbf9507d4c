"""Helpers shared by the benchmark scripts: the machine's name, timing, and the result table.

Benchmarks are plain scripts (``bench_*.py``), never collected by pytest (its default
``python_files`` is ``test_*.py``). Every figure they print is either a ratio of two things
measured in the same run, or an absolute time next to the machine it was measured on; every
time is the median of several repeats. Nothing is hard-coded.
"""
from __future__ import annotations

import os
import sys

# One BLAS thread, as PyTorch is given: the figures then do not depend on whether the other
# core is busy (a waiting BLAS thread spins). Set before NumPy loads; an explicit setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# The code of the tree this file is in comes first: an editable install may point at another
# checkout (a git worktree's benchmark would otherwise time the main tree's ui/ and nnviz/).
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import gc  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def machine() -> str:
    """One line naming the machine and the software the absolute times belong to."""
    return (f"{cpu_model()}, {cores()} cores available ({os.cpu_count()} online), "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"NumPy {np.__version__}, BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS')}")


def load_average() -> str:
    try:
        return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return ""


def median(values) -> float:
    return float(statistics.median(values))


def percentile(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def calibrate(run, target_seconds: float, first: int = 20) -> int:
    """How many calls of ``run(k)`` (k units of work) take about ``target_seconds``."""
    k = first
    while True:
        t0 = time.perf_counter()
        run(k)
        dt = time.perf_counter() - t0
        if dt >= target_seconds / 4 or k >= 1 << 24:
            return max(1, int(k * target_seconds / max(dt, 1e-9)))
        k *= 4


def rates_interleaved(runners: dict, repeats: int, seconds: float) -> tuple[dict, dict]:
    """Units of work per second for each of ``runners`` (name → run(k)), measured round-robin.

    Each runner is calibrated to take about ``seconds`` per repeat, then every round times each
    runner once, so a burst of load on the shared machine hits all of them alike. Returns
    (median rate per runner, per-round rates per runner).
    """
    sizes = {name: calibrate(run, seconds) for name, run in runners.items()}
    per_round = {name: [] for name in runners}
    gc_was = gc.isenabled()
    gc.disable()
    try:
        names = list(runners)
        for i in range(repeats):
            # Alternate the order (ABC, CBA, …) so a drift in load favours none of them.
            for name in (names if i % 2 == 0 else names[::-1]):
                run, k = runners[name], sizes[name]
                t0 = time.perf_counter()
                run(k)
                per_round[name].append(k / (time.perf_counter() - t0))
    finally:
        if gc_was:
            gc.enable()
    return {name: median(v) for name, v in per_round.items()}, per_round


def ratio_of_rounds(per_round: dict, a: str, b: str) -> float:
    """Median over rounds of rate[a] / rate[b] measured in the same round."""
    return median([x / y for x, y in zip(per_round[a], per_round[b])])


@dataclass
class Row:
    """One line of the table: which benchmark, what was measured, the target and whether it is met
    (None: no target, information only)."""

    section: str
    case: str
    result: str
    target: str = ""
    ok: bool | None = None


def print_table(rows: list[Row], file=sys.stdout) -> None:
    heads = ("benchmark", "case", "result", "target", "met")
    cells = [(r.section, r.case, r.result, r.target,
              "" if r.ok is None else ("yes" if r.ok else "NO")) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, h in enumerate(heads)]

    def line(values):
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths)) + " |"

    print(line(heads), file=file)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|", file=file)
    for c in cells:
        print(line(c), file=file)


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}/s"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def run_script(measure, doc: str, argv=None, quick_help: str = "fewer repeats") -> None:
    """The command line of a benchmark file: ``--quick``, the machine, then its table."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=quick_help)
    args = ap.parse_args(argv)
    print(machine())
    print_table(measure(args.quick))
