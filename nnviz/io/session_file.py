"""``.nnviz`` session files: a whole training run in one file, to reopen exactly where it was.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays, read with
``allow_pickle=False``) holding a JSON ``header`` and the run's arrays:

header (JSON string)
    ``format`` = ``nnviz-session``, ``version`` = 1; ``config`` (every setting of
    :class:`~nnviz.settings.Config`); ``data``: ``{"kind": "generator", …settings}`` for
    untouched toy data (made again from its seed) or ``{"kind": "rows", inputs, task, name,
    target, class_names, source}`` for a table or edited points (the rows themselves are in
    ``data_X``/``data_y``); ``model`` (inputs, features, task, loss, reduction, sizes,
    activations, scaled, target_scaling: μ_y and σ_y of a standardized regression target or
    null, absent in older files: no scaling); ``trainer`` (lr, l1, l2, batch_size, optimizer,
    shuffle, pos, step_count, epoch_count, last_loss, diverged, early: the best epoch by test
    loss, stopped: where early stopping ended the run); ``pinned``: runs kept for comparison
    (:mod:`nnviz.io.session_runs`); ``rng`` and ``initial_rng`` (the
    Generator's state now and at the initial weights); ``view`` (plot axes, speed).
arrays (float64 unless said)
    ``params``, ``initial_params`` (the flat parameter vector); ``train_idx``, ``test_idx``
    (int64 row numbers); ``shuffled_X``, ``shuffled_y`` (this epoch's batch order);
    ``opt_<name>`` (optimizer state); ``history_<field>``; ``scaler_mean``, ``scaler_std``;
    ``added`` (bool, rows added by hand); ``data_X``, ``data_y`` (kind ``rows`` only);
    ``early_best_params`` (the best epoch's parameters, once there is one).

Everything that decides the next step is stored bit for bit, so training a reopened session
gives exactly the numbers of a run that never stopped. The reader validates everything —
format and version, types, shapes, finite numbers, index ranges, sizes, nesting — and raises
:class:`~nnviz.errors.NnvizError` with one sentence for any bad file; it never runs code.
"""
from __future__ import annotations

import io
import json
import math
import tokenize
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnviz import settings
from nnviz.core import activations, losses
from nnviz.data import datasets, target
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError
from nnviz.experiment import Experiment
from nnviz.data.features import Scaler
from nnviz.io.fileio import atomic_write, read_bytes
from nnviz.io.session_checks import MAX_DEPTH, Reader as _Reader
from nnviz.io import session_runs
from nnviz.core.model import Model
from nnviz.core.network import MAX_INPUTS, Network
from nnviz.core.early_stopping import EarlyStop
from nnviz.core.history import Divergence, History
from nnviz.core.trainer import Trainer
from nnviz.settings import MAX_CLASSES, MAX_LAYERS, TASKS

FORMAT = "nnviz-session"
VERSION = 1
EXTENSION = ".nnviz"
MAX_ROWS = 1_000_000
MAX_HISTORY = 10_000_000
MAX_UNPACKED = 1024 * 1024 ** 2      # bytes of all arrays together, once decompressed
MAX_HEADER = 16 * 1024 ** 2
HISTORY_FIELDS = ("epoch", "step", "train_loss", "test_loss", "train_metric", "test_metric")


@dataclass
class SessionState:
    """A reopened run: the experiment ready to continue, plus what the app shows around it."""

    experiment: Experiment
    initial_params: np.ndarray
    initial_rng: dict
    added: np.ndarray                # (n,) bool: rows added by hand
    axes: tuple[int, int] | None = None
    speed: int | None = None
    pinned: list = field(default_factory=list)   # RunRecords kept for comparison


# --- writing ---------------------------------------------------------------------------------
def _num(v):
    v = float(v)
    return v if math.isfinite(v) else None


def to_bytes(exp: Experiment, initial_params=None, initial_rng: dict | None = None,
             added=None, axes=None, speed=None, pinned=(), compress: bool = True) -> bytes:
    """The session file's bytes for ``exp`` (see the module docstring); ``compress=False``
    skips the zip's compression (a state kept in memory: ten times faster to write)."""
    tr, model, ds = exp.trainer, exp.model, exp.dataset
    net = model.network
    added = np.zeros(ds.n_samples, bool) if added is None else np.asarray(added, bool)
    src = ds.source or {}
    arrays = {}
    regen = ("generator" in src and not src.get("edited") and not added.any())
    if regen:
        data = {"kind": "generator", "generator": src["generator"], "samples": src.get("samples"),
                "noise": src.get("noise"), "seed": src.get("seed")}
    else:
        data = {"kind": "rows", "inputs": list(ds.inputs), "task": ds.task, "name": ds.name,
                "target": ds.target,
                "class_names": list(ds.class_names) if ds.class_names else None,
                "source": json.loads(json.dumps(src, default=str))}
        arrays["data_X"] = ds.X
        arrays["data_y"] = ds.y
    header = {
        "format": FORMAT, "version": VERSION,
        "config": exp.config.to_dict(),
        "data": data,
        "model": {"inputs": list(model.inputs), "features": list(model.features),
                  "task": model.task, "loss": model.loss, "reduction": tr.loss.reduction,
                  "sizes": list(net.sizes), "activations": net.activations,
                  "scaled": model.scaler is not None,
                  "target_scaling": (model.target_scaler.to_dict()
                                     if model.target_scaler is not None else None)},
        "trainer": {"lr": tr.lr, "l1": tr.l1, "l2": tr.l2, "batch_size": tr.batch_size,
                    "optimizer": tr.optimizer.name, "shuffle": tr.shuffle, "pos": tr.pos,
                    "step_count": tr.step_count, "epoch_count": tr.epoch_count,
                    "last_loss": _num(tr.last_loss),
                    "diverged": None if tr.diverged is None else
                    {"step": tr.diverged.step, "epoch": tr.diverged.epoch, "reason": tr.diverged.reason},
                    "early": tr.early.state(),
                    "stopped": None if tr.stopped is None else dict(vars(tr.stopped))},
        "rng": exp.rng.bit_generator.state,
        "initial_rng": initial_rng if initial_rng is not None else exp.rng.bit_generator.state,
        "view": {"axes": list(axes) if axes is not None else None,
                 "speed": int(speed) if speed is not None else None},
        "pinned": session_runs.write(pinned, arrays),
    }
    arrays["params"] = net.params
    arrays["initial_params"] = net.params if initial_params is None else np.asarray(initial_params, np.float64)
    arrays["train_idx"] = np.asarray(exp.train_idx, np.int64)
    arrays["test_idx"] = np.asarray(exp.test_idx, np.int64)
    arrays["shuffled_X"], arrays["shuffled_y"] = tr.epoch_rows()
    arrays["added"] = added
    if tr.early.best_params is not None:
        arrays["early_best_params"] = tr.early.best_params
    for key, value in tr.optimizer.state().items():
        arrays[f"opt_{key}"] = np.asarray(value)
    for name in HISTORY_FIELDS:
        arrays[f"history_{name}"] = np.asarray(getattr(tr.history, name), np.float64)
    if model.scaler is not None:
        arrays["scaler_mean"] = model.scaler.mean
        arrays["scaler_std"] = model.scaler.std
    arrays["header"] = np.array(json.dumps(header))
    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, **arrays)
    return buf.getvalue()


def save(path, exp: Experiment, **extra) -> None:
    """Write a session file atomically (the old file stays if writing fails)."""
    atomic_write(path, to_bytes(exp, **extra))


# --- reading ---------------------------------------------------------------------------------
def _setting(r: _Reader, s: settings.Setting, d: dict):
    """The value of setting ``s`` in the file's ``config``, within its declared range and
    choices; the declared default when the file has none (it was written before the setting
    existed)."""
    what = f"config.{s.name}"
    if s.name not in d:
        return s.value()
    v = d[s.name]
    if v is None and s.optional:
        return None
    if s.kind == "int":
        return r.integer(v, what, s.low, s.high)
    if s.kind == "float":
        v = r.number(v, what)
        if not s.low <= v <= s.high:
            r.fail(f"'{what}' must be a number from {s.low:g} to {s.high:g}")
        return v
    if s.kind == "ints":
        if not isinstance(v, list) or not 0 <= len(v) <= MAX_LAYERS - 1:
            r.fail(f"'{what}' must be a list of 0 to {MAX_LAYERS - 1} unit counts")
        return [r.integer(x, what, s.low, s.high) for x in v]
    if s.kind == "bool":
        if not isinstance(v, bool):
            r.fail(f"'{what}' must be true or false")
        return v
    choices = s.options if s.strict else None
    if s.kind == "str" or (s.kind == "str_or_names" and isinstance(v, str)):
        v = r.string(v, what, choices)
        try:
            return s.canonical(v)
        except NnvizError as exc:
            r.fail(f"'{what}' is {v!r}: {exc}")
    v = r.names(v, what, MAX_LAYERS - 1 if s.kind == "str_or_names" else MAX_INPUTS)
    for name in v if choices is not None else ():
        r.string(name, what, choices)
    return v


def _config(r: _Reader, d):
    d = r.obj(d, "config")
    return settings.Config(**{s.name: _setting(r, s, d) for s in settings.SETTINGS})


def _rng(r: _Reader, state, what: str) -> np.random.Generator:
    state = r.obj(state, what)
    if state.get("bit_generator") != "PCG64":
        r.fail(f"'{what}' is not a PCG64 generator state")
    inner = r.obj(state.get("state"), f"{what}.state")
    for key in ("state", "inc"):
        r.integer(inner.get(key), f"{what}.state.{key}", 0, 2**128 - 1)
    r.integer(state.get("has_uint32"), f"{what}.has_uint32", 0, 1)
    r.integer(state.get("uinteger"), f"{what}.uinteger", 0, 2**32 - 1)
    rng = np.random.default_rng(0)
    try:
        rng.bit_generator.state = {"bit_generator": "PCG64",
                                   "state": {"state": inner["state"], "inc": inner["inc"]},
                                   "has_uint32": state["has_uint32"], "uinteger": state["uinteger"]}
    except (ValueError, TypeError, OverflowError):
        r.fail(f"'{what}' is not a valid generator state")
    return rng


def _dataset(r: _Reader, d, arrays) -> Dataset:
    d = r.obj(d, "data")
    kind = r.string(d.get("kind"), "data.kind", ("generator", "rows"))
    if kind == "generator":
        return datasets.generate(r.string(d.get("generator"), "data.generator", datasets.ALL_NAMES),
                                 r.integer(d.get("samples"), "data.samples"),
                                 r.number(d.get("noise"), "data.noise"),
                                 r.integer(d.get("seed"), "data.seed"))
    inputs = r.names(d.get("inputs"), "data.inputs")
    task = r.string(d.get("task"), "data.task", TASKS)
    X = r.array(arrays, "data_X", (None, len(inputs)))
    if not 1 <= X.shape[0] <= MAX_ROWS:
        r.fail(f"the data has {X.shape[0]} rows; the limit is {MAX_ROWS}")
    y = r.array(arrays, "data_y", (X.shape[0],))
    names = d.get("class_names")
    if names is not None:
        names = tuple(r.names(names, "data.class_names", MAX_CLASSES))
        if len(names) < 2:
            r.fail("'data.class_names' must hold two names (or one per class)")
    source = r.obj(d.get("source", {}), "data.source")
    return Dataset(X, y, inputs, task, name=r.string(d.get("name", ""), "data.name", empty=True),
                   target=r.string(d.get("target", "y"), "data.target", empty=True),
                   class_names=names, source=source)


def _indices(r: _Reader, arrays, key: str, n: int) -> np.ndarray:
    a = r.array(arrays, key, (None,), kind="iu")
    if a.size and (a.min() < 0 or a.max() >= n):
        r.fail(f"the array '{key}' holds a row number outside 0…{n - 1}")
    return a.astype(np.int64)


def _early(r: _Reader, trainer: Trainer, t: dict, arrays) -> None:
    """The early-stopping state: the best epoch by test loss, its parameters, and the stop
    (files written before early stopping existed have none: the trainer's own start stays)."""
    if "early" not in t:
        return
    e = r.obj(t["early"], "trainer.early")
    best = e.get("best_epoch")
    state = {"since": r.integer(e.get("since", 0), "trainer.early.since")}
    if best is not None:
        state["best_epoch"] = r.integer(best, "trainer.early.best_epoch")
        state["best_loss"] = r.number(e.get("best_loss"), "trainer.early.best_loss")
    params = (r.array(arrays, "early_best_params", (trainer.network.params.size,))
              if best is not None else None)
    trainer.early.load_state(state, params)
    stop = t.get("stopped")
    if stop is not None:
        stop = r.obj(stop, "trainer.stopped")
        trainer.stop(EarlyStop(r.integer(stop.get("epoch"), "stopped.epoch"),
                               r.integer(stop.get("best_epoch"), "stopped.best_epoch"),
                               r.number(stop.get("best_loss"), "stopped.best_loss"),
                               r.integer(stop.get("patience"), "stopped.patience", 1)))


def _restore(r: _Reader, header, arrays) -> SessionState:
    if not isinstance(header, dict):
        r.fail("not an nnviz session file (the header is not a JSON object)")
    if header.get("format") != FORMAT:
        r.fail(f"not an nnviz session file (format is {str(header.get('format'))[:50]!r})")
    version = header.get("version")
    if version != VERSION or isinstance(version, bool):
        r.fail(f"unsupported session version {str(version)[:20]!r} (this nnviz reads version {VERSION})")
    r.depth(header)
    config = _config(r, header.get("config"))
    ds = _dataset(r, header.get("data"), arrays)
    n = ds.n_samples
    m = r.obj(header.get("model"), "model")
    inputs = r.names(m.get("inputs"), "model.inputs")
    if inputs != list(ds.inputs):
        r.fail("the model's inputs are not the data's columns")
    feats = r.names(m.get("features"), "model.features")
    task = r.string(m.get("task"), "model.task", TASKS)
    loss_name = r.string(m.get("loss"), "model.loss", losses.NAMES)
    reduction = r.string(m.get("reduction"), "model.reduction", losses.REDUCTIONS)
    sizes = m.get("sizes")
    acts = m.get("activations")
    if (not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_LAYERS + 1
            or not isinstance(acts, list) or len(acts) != len(sizes) - 1):
        r.fail("'model.sizes' and 'model.activations' do not describe a network")
    sizes = [r.integer(s, "model.sizes", 1, MAX_INPUTS) for s in sizes]
    # softmax only as the output of a K-class network (K > 1 output units)
    last = activations.NAMES + (("softmax",) if sizes[-1] > 1 else ())
    acts = ([r.string(a, "model.activations", activations.NAMES) for a in acts[:-1]]
            + [r.string(acts[-1], "model.activations", last)])
    if sizes[0] != len(feats):
        r.fail(f"the network takes {sizes[0]} inputs but there are {len(feats)} features")
    # The settings describe the same network (every later change rebuilds from them: with
    # other features, one failed on 'unknown feature' after the file had opened).
    if list(config.features) != list(feats) or list(config.hidden) != sizes[1:-1]:
        r.fail("the settings' features and hidden layers are not the model's")
    net = Network(sizes, acts[:-1], acts[-1])
    net.params[...] = r.array(arrays, "params", (net.params.size,))
    initial = r.array(arrays, "initial_params", (net.params.size,)).copy()
    scaler = None
    if m.get("scaled") is True:
        scaler = Scaler(r.array(arrays, "scaler_mean", (len(feats),)),
                        r.array(arrays, "scaler_std", (len(feats),)))
        if (scaler.std <= 0).any():
            r.fail("the feature scaling has a standard deviation that is not positive")
    elif m.get("scaled") is not False:
        r.fail("'model.scaled' must be true or false")
    y_scaler = None
    if m.get("target_scaling") is not None:   # files written before it: no target scaling
        if task != "regression" or sizes[-1] != 1:
            r.fail("'model.target_scaling' is for a regression with one output")
        try:
            y_scaler = Scaler.from_dict(m["target_scaling"], 1)
        except NnvizError as exc:
            r.fail(str(exc).replace("feature scaling", "model.target_scaling"))
    if task == "regression":
        config.standardize_target = y_scaler is not None
    model = Model(net, inputs, feats, scaler, task, loss_name,
                  ds.classes if task == "classification" else None, y_scaler)
    y = target.scale(ds.y, y_scaler)
    try:
        loss = losses.make(loss_name, acts[-1], reduction)
    except NnvizError as exc:
        r.fail(str(exc))
    train_idx = _indices(r, arrays, "train_idx", n)
    test_idx = _indices(r, arrays, "test_idx", n)
    if len(train_idx) == 0:
        r.fail("there are no training rows")
    if len(np.unique(np.concatenate([train_idx, test_idx]))) != len(train_idx) + len(test_idx):
        r.fail("a row is listed twice in the train/test split")
    added = r.array(arrays, "added", (n,), kind="b")
    F = model.transform(ds.X)
    F_train, F_test = F[train_idx], F[test_idx]
    t = r.obj(header.get("trainer"), "trainer")
    rng = _rng(r, header.get("rng"), "rng")
    initial_rng = _rng(r, header.get("initial_rng"), "initial_rng").bit_generator.state
    # The run's settings are the config's (the trainer section repeats them for readers of
    # older files).
    trainer = Trainer(net, loss, F_train, y[train_idx], F_test, y[test_idx], task=task,
                      config=config, rng=rng)
    n_train = len(train_idx)
    trainer.pos = r.integer(t.get("pos"), "trainer.pos", 0, n_train - 1)
    trainer.step_count = r.integer(t.get("step_count"), "trainer.step_count")
    trainer.epoch_count = r.integer(t.get("epoch_count"), "trainer.epoch_count")
    last = r.number(t.get("last_loss"), "trainer.last_loss", allow_none=True)
    trainer.last_loss = math.nan if last is None else last
    div = t.get("diverged")
    if div is not None:
        div = r.obj(div, "trainer.diverged")
        trainer.diverged = Divergence(r.integer(div.get("step"), "diverged.step"),
                                      r.integer(div.get("epoch"), "diverged.epoch"),
                                      r.string(div.get("reason"), "diverged.reason"))
    _early(r, trainer, t, arrays)
    trainer.set_epoch_rows(r.array(arrays, "shuffled_X", (n_train, sizes[0])),
                           r.array(arrays, "shuffled_y", (n_train, sizes[-1])))
    state = {}
    for key, template in trainer.optimizer.state().items():
        a = r.array(arrays, f"opt_{key}", np.shape(template), kind="fiu")
        state[key] = a
    if "t" in state and (state["t"] < 0 or state["t"] > 2**62):
        r.fail("the optimizer's step count is out of range")
    trainer.optimizer.load_state(state)
    hist = History()
    length = None
    for name in HISTORY_FIELDS:
        a = r.array(arrays, f"history_{name}", (length,), finite=name in ("epoch", "step"))
        length = len(a)
        if not 1 <= length <= MAX_HISTORY:
            r.fail("the training history is empty or too long")
        if name in ("epoch", "step"):
            if (a < 0).any() or (a != np.round(a)).any() or (a > 2**53).any():
                r.fail(f"the history's '{name}' entries must be whole numbers ≥ 0")
            setattr(hist, name, [int(v) for v in a])
        else:
            setattr(hist, name, a.tolist())
    trainer.history = hist
    exp = Experiment(config, ds, train_idx, test_idx, F_train, F_test, model, trainer, rng,
                     y=None if y_scaler is None else y)
    view = header.get("view") or {}
    view = r.obj(view, "view")
    axes = view.get("axes")
    if axes is not None:
        if not isinstance(axes, list) or len(axes) != 2:
            r.fail("'view.axes' must be two input numbers")
        axes = tuple(r.integer(a, "view.axes", 0, len(inputs) - 1) for a in axes)
    speed = view.get("speed")
    speed = None if speed is None else r.integer(speed, "view.speed", 0, 100)
    pinned = session_runs.read(r, header.get("pinned"), arrays)
    return SessionState(exp, initial, initial_rng, added.astype(bool), axes, speed, pinned)


def from_bytes(data: bytes, source: str = "session") -> SessionState:
    """Validate a session file's bytes and rebuild the run; raises :class:`NnvizError`."""
    r = _Reader(source)
    if not data.startswith(b"PK"):
        r.fail("not an nnviz session file (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > 200:
                r.fail(f"{len(infos)} entries in the archive, too many for a session")
            if sum(i.file_size for i in infos) > MAX_UNPACKED:
                r.fail("the archive unpacks to more than "
                       f"{MAX_UNPACKED // 1024 ** 2} MB; too large for a session")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if "header" not in npz.files:
                r.fail("not an nnviz session file (no 'header' entry)")
            h = npz["header"]
            if h.dtype.kind != "U" or h.ndim != 0 or h.nbytes > 4 * MAX_HEADER:
                r.fail("the 'header' entry must be one JSON text")
            header = json.loads(str(h))
            arrays = {k: npz[k] for k in npz.files if k != "header"}
    except NnvizError:
        raise
    except RecursionError:
        r.fail("the header is nested too deeply")
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error,
            NotImplementedError, UnicodeDecodeError, OverflowError, MemoryError, SyntaxError,
            tokenize.TokenError) as exc:  # NumPy parses each .npy header as Python literals
        r.fail(f"not a readable session file ({exc.__class__.__name__}: {str(exc)[:200]})")
    try:
        return _restore(r, header, arrays)
    except NnvizError as exc:
        msg = str(exc)
        raise NnvizError(msg if msg.startswith(f"{source}:") else f"{source}: {msg}") from None


def load(path) -> SessionState:
    """Read a ``.nnviz`` session file, validating everything."""
    path = Path(path)
    return from_bytes(read_bytes(path), path.name)
