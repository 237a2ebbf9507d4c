"""Fuzzing every reader of a file a user can open: random bytes, truncated and corrupted valid
files, random JSON structures and valid files with one part replaced by something random.

The only outcomes allowed are success or :class:`~nnviz.errors.NnvizError` with a one-line
message; any other exception, or a reader running over its deadline, fails the test.
Derandomized, so CI runs the same examples every time.
"""
import contextlib
import copy
import io
import json
import signal
import struct
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from nnviz.data import csvdata
from nnviz.io import session_file, weights_io
from nnviz.io import exporters
from nnviz.errors import NnvizError
from nnviz.io.exporters import safetensors_file
from nnviz.experiment import Config, build

EXAMPLES = 200
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=timedelta(seconds=5),
                database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])
HARD_LIMIT = 20.0  # seconds: a reader still running then is hung (the deadline is per example)

#: reader -> {"ok": n, "error": n}, for the README's table (printed with ``pytest -s``)
COUNTS: dict[str, dict[str, int]] = {}


class Hung(BaseException):
    """Not an Exception, so a reader's ``except Exception`` cannot swallow it."""


@contextlib.contextmanager
def hard_deadline(seconds: float):
    def on_alarm(signum, frame):
        raise Hung(f"a reader ran for more than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def outcome(name: str, read, path) -> str:
    """Run ``read(path)``: "ok" or "error" (an NnvizError with one line); anything else fails."""
    counts = COUNTS.setdefault(name, {"ok": 0, "error": 0})
    with hard_deadline(HARD_LIMIT):
        try:
            read(path)
        except NnvizError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg and "Traceback" not in msg, repr(msg)
            counts["error"] += 1
            return "error"
    counts["ok"] += 1
    return "ok"


def report(name: str):
    c = COUNTS.get(name, {"ok": 0, "error": 0})
    total = c["ok"] + c["error"]
    print(f"\nfuzz {name}: {total} examples, {c['ok']} read, {c['error']} refused")
    # Hypothesis ran the examples it was asked for (it stops early only when it has tried
    # every input a strategy can make, which none of these can reach).
    assert total >= EXAMPLES, (name, c)
    return c


def fuzz(folder, name: str, filename: str, read, strategy) -> dict:
    """``read`` each example of ``strategy`` (bytes) written to ``filename`` in ``folder``;
    the counts of :func:`report`."""
    @FUZZ
    @given(strategy)
    def run(data):
        outcome(name, read, _write(folder, filename, data))

    run()
    return report(name)


# --- valid files to start from ---------------------------------------------------------------
def _experiment():
    exp = build(Config(hidden=[3], samples=60, seed=2))
    exp.trainer.steps(17)
    return exp


EXP = _experiment()
MODEL = EXP.model
WEIGHTS_JSON = weights_io.dumps(MODEL).encode()
WEIGHTS_DOC = weights_io.to_dict(MODEL)


def _npz(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)   # object arrays are pickled here; the readers must refuse them
    return buf.getvalue()


def _weights_npz_arrays(doc) -> dict:
    doc = copy.deepcopy(doc)
    arrays = {}
    if isinstance(doc, dict) and isinstance(doc.get("layers"), list):
        for k, layer in enumerate(doc["layers"]):
            if isinstance(layer, dict):
                for part in ("weights", "biases"):
                    if part in layer:
                        try:
                            arrays[f"layer{k}_{part}"] = np.asarray(layer.pop(part))
                        except (ValueError, OverflowError):
                            pass
    arrays["header"] = np.array(json.dumps(doc))
    return arrays


WEIGHTS_NPZ = _npz(_weights_npz_arrays(WEIGHTS_DOC))
SAFETENSORS = safetensors_file.to_bytes(MODEL)
SESSION = session_file.to_bytes(EXP)
SESSION_ROWS = session_file.to_bytes(EXP, added=np.r_[True, np.zeros(EXP.dataset.n_samples - 1, bool)])


def _npz_contents(data: bytes) -> dict:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


SESSION_ARRAYS = _npz_contents(SESSION_ROWS)
SESSION_HEADER = json.loads(str(SESSION_ARRAYS.pop("header")))
CSV = (b"x1,x2,y\n0.5,1.25,1\n-3,2e-3,0\n4.5,,1\n\"7\",8,0\n1,2,1\n"
       b"-1.5,0.25,0\n2,-2,1\n0,0,0\n")


# --- strategies ------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-10**30, 10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=10), inner, max_size=6),
    max_leaves=40)


def _dumps(value) -> str:
    return json.dumps(value, allow_nan=True)


@st.composite
def mutated_doc(draw, doc):
    """``doc`` with one part (at a random depth) replaced by a random JSON value, or removed."""
    doc = copy.deepcopy(doc)
    parent, key, node = None, None, doc
    for _ in range(draw(st.integers(0, 5))):
        if isinstance(node, dict) and node:
            k = draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            k = draw(st.integers(0, len(node) - 1))
        else:
            break
        parent, key, node = node, k, node[k]
    if parent is None:
        return draw(json_values)
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[key]
    else:
        parent[key] = draw(json_values | st.sampled_from([float("nan"), float("inf"), 10**400,
                                                         -1, 0, 10**12, "", [], {}]))
    return doc


def deep_nesting():
    return st.integers(1, 200_000).map(lambda n: ("[" * n + "]" * n).encode())


@st.composite
def mutated_bytes(draw, seed: bytes):
    b = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        b[draw(st.integers(0, len(b) - 1))] = draw(st.integers(0, 255))
    return bytes(b)


def damaged(seed: bytes):
    """Random bytes, a truncated copy of ``seed`` or ``seed`` with a few bytes changed."""
    return st.one_of(st.binary(max_size=4096),
                     st.integers(0, len(seed) - 1).map(lambda n: seed[:n]),
                     mutated_bytes(seed))


@st.composite
def arrays_any(draw):
    kind = draw(st.sampled_from(["f8", "f4", "i8", "i1", "?", "c16", "U4", "O"]))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    if kind == "O":
        a = np.empty(shape, dtype=object)
        a[...] = None
        return a
    if kind == "U4":
        return draw(hnp.arrays(np.dtype("<U4"), shape, elements=st.text(max_size=4)))
    return draw(hnp.arrays(np.dtype(kind), shape))


@st.composite
def npz_with_random_part(draw, arrays: dict, header_doc):
    """A valid archive with its header mutated, or one array replaced, added or removed."""
    arrays = dict(arrays)
    choice = draw(st.sampled_from(["header", "replace", "remove", "add"]))
    if choice == "header":
        arrays["header"] = np.array(_dumps(draw(mutated_doc(header_doc))))
    elif choice == "replace":
        arrays[draw(st.sampled_from(sorted(arrays)))] = draw(arrays_any())
    elif choice == "remove":
        arrays.pop(draw(st.sampled_from(sorted(arrays))))
    else:
        arrays[draw(st.text("abcxyz_0123", min_size=1, max_size=8))] = draw(arrays_any())
    return _npz(arrays)


# --- one test per reader ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _write(folder, name, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return path


def test_weights_json_reader(folder):
    c = fuzz(folder, "weights .json", "w.json", weights_io.load,
             st.one_of(damaged(WEIGHTS_JSON), deep_nesting(),
                       json_values.map(lambda v: _dumps(v).encode()),
                       mutated_doc(WEIGHTS_DOC).map(lambda v: _dumps(v).encode())))
    assert c["ok"] > 0 and c["error"] > 0


def test_weights_npz_reader(folder):
    base = _npz_contents(WEIGHTS_NPZ)
    header = json.loads(str(base["header"]))

    c = fuzz(folder, "weights .npz", "w.npz", weights_io.load,
             st.one_of(damaged(WEIGHTS_NPZ), npz_with_random_part(base, header),
                       mutated_doc(WEIGHTS_DOC).map(lambda d: _npz(_weights_npz_arrays(d)))))
    assert c["ok"] > 0 and c["error"] > 0


def _safetensors_with(header_doc, payload: bytes) -> bytes:
    raw = _dumps(header_doc).encode()
    return struct.pack("<Q", len(raw)) + raw + payload


@st.composite
def safetensors_structures(draw):
    """A file whose JSON header is random, or the valid file with its nnviz metadata mutated."""
    n = struct.unpack("<Q", SAFETENSORS[:8])[0]
    header = json.loads(SAFETENSORS[8:8 + n])
    payload = SAFETENSORS[8 + n:]
    if draw(st.booleans()):
        return _safetensors_with(draw(json_values), draw(st.binary(max_size=64)))
    meta = header["__metadata__"]
    which = draw(st.sampled_from(["nnviz", "tensors", "meta"]))
    if which == "nnviz":
        meta["nnviz"] = _dumps(draw(mutated_doc(json.loads(meta["nnviz"]))))
    elif which == "meta":
        header["__metadata__"] = draw(mutated_doc(meta))
    else:
        header = draw(mutated_doc(header))
    return _safetensors_with(header, payload)


@pytest.mark.parametrize("ext", sorted((set(exporters.LOAD_FORMATS) | {session_file.EXTENSION})
                                       - {".json", ".npz"}))
def test_other_weights_readers(folder, ext):
    """Every further extension ``exporters.load`` reads weights from (.safetensors, and the
    model inside a .nnviz session). A new format needs its seed here."""
    seeds = {".safetensors": (SAFETENSORS, safetensors_structures()),
             session_file.EXTENSION: (SESSION, npz_with_random_part(SESSION_ARRAYS, SESSION_HEADER))}
    seed, structured = seeds[ext]

    c = fuzz(folder, f"weights {ext}", "w" + ext, exporters.load,
             st.one_of(damaged(seed), structured))
    assert c["error"] > 0


def test_session_reader(folder):
    c = fuzz(folder, "session", "s" + session_file.EXTENSION, session_file.load,
             st.one_of(damaged(SESSION), damaged(SESSION_ROWS),
                       npz_with_random_part(SESSION_ARRAYS, SESSION_HEADER)))
    assert c["ok"] > 0 and c["error"] > 0


csv_text = st.text(alphabet="0123456789.,;\t\"' -+eEnaNA xy\n\r\u00a0é", max_size=400)


def test_csv_readers(folder):
    def read_both(path):
        table = csvdata.read_table(path)
        assert table.n_rows >= 0
        csvdata.load_dataset(path, "y", drop_missing=True)

    c = fuzz(folder, "CSV", "d.csv", read_both,
             st.one_of(damaged(CSV), csv_text.map(lambda t: t.encode("utf-8")),
                       csv_text.map(lambda t: ("x1,x2,y\n" + t).encode("utf-8")),
                       st.binary(max_size=64).map(lambda b: b"\xef\xbb\xbfx1,y\n" + b)))
    assert c["ok"] > 0 and c["error"] > 0


def test_the_seeds_are_valid_files(folder):
    """Each fuzz run starts from files that read back (so "ok" outcomes are possible)."""
    assert weights_io.load(_write(folder, "a.json", WEIGHTS_JSON)).network.sizes == [2, 3, 1]
    assert weights_io.load(_write(folder, "a.npz", WEIGHTS_NPZ)).network.sizes == [2, 3, 1]
    assert exporters.load(_write(folder, "a.safetensors", SAFETENSORS)).network.sizes == [2, 3, 1]
    for data in (SESSION, SESSION_ROWS):
        state = session_file.load(_write(folder, "a.nnviz", data))
        np.testing.assert_array_equal(state.experiment.network.params, EXP.network.params)
    assert csvdata.load_dataset(_write(folder, "a.csv", CSV), "y", drop_missing=True).n_samples == 7
