"""Engine steps/s: nnviz vs a tuned and an idiomatic NumPy loop, PyTorch CPU and scikit-learn.

    python tests/bench/bench_engine.py [--quick] [--no-others]

Every case trains a p→M→1 network (hidden tanh or ReLU, sigmoid output, binary log-loss with
mean reduction, plain SGD, lr 0.03) on n = 1,000 rows with batch size B, shuffling the rows each
epoch (one ``permutation`` per epoch from ``default_rng(2)``). The implementations run the same
math, and each does the job nnviz does: the batch loss E every step, and at each epoch's end the
mean loss and the accuracy over the training set (nnviz keeps that history for the loss plot).

- **nnviz**: ``Trainer.steps(k)``, the fast path (no stages recorded).
- **tuned**: :class:`TunedLoop` below, the loop a careful person writes in NumPy for speed:
  buffers made once per batch size, each bias folded into one product [X 1]·[W; b] (the
  shuffled rows and the hidden activations each kept with a column of ones), the parameters and
  the gradients each one flat vector so the update is one in-place operation, activations
  written in place, ŷ − y scaled by 1/m once, the log-loss from the logit.
- **idiomatic**: :class:`IdiomaticLoop` below, the loop as usually written by hand in NumPy:
  expressions that make new arrays (about 22 a step), biases added and summed separately, four
  updates. Shown for information.
- **PyTorch** (if installed): ``nn.Sequential(Linear, Tanh|ReLU, Linear)`` in float64 on one
  thread, ``BCEWithLogitsLoss``, ``optim.SGD``; ``zero_grad → forward → backward → step``, and
  the same per-epoch loss and accuracy under ``torch.no_grad()``.
- **scikit-learn** (if installed): ``MLPClassifier.partial_fit`` on one batch per call
  (solver sgd, no momentum, no L2), so one call is one step; per epoch ``predict_proba`` over
  the training set gives the loss and accuracy.

Before timing, :func:`check_same_math` runs nnviz and both loops 250 steps from the same
parameters on the same batches in every case: their parameters, last batch loss and epoch
history must agree to 1e-12 (a row of the table).

The implementations are timed round-robin (each repeat times each of them once, for about
0.25 s) and the ratios are the median of the per-round ratios, so load on the shared machine
hits all of them alike. Targets: nnviz ≥ 0.9× the tuned loop in every row and ≥ 1.0× at the
app's default (p=2 M=8 B=10 tanh); ≥ 5× PyTorch at B ≤ 32.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (first: it sets the BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from nnviz.core import losses  # noqa: E402
from nnviz.core.network import Network  # noqa: E402
from nnviz.core.trainer import Trainer  # noqa: E402

N_ROWS = 1000
LR = 0.03
CASES = [  # (p, M, B)
    (2, 8, 10),
    (2, 64, 32),
    (2, 64, 1000),
    (30, 32, 32),
]
ACTIVATIONS = ("tanh", "relu")


def make_data(p: int, n: int = N_ROWS, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = ((X[:, 0] ** 2 + X[:, min(1, p - 1)] ** 2) > 1.4).astype(np.float64)
    return X, y


def initial_params(p: int, M: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (p, M)), rng.uniform(-1, 1, M),
            rng.uniform(-1, 1, (M, 1)), rng.uniform(-1, 1, 1))


class IdiomaticLoop:
    """The same training as written by hand in idiomatic NumPy: expressions that make new
    arrays (about 22 a step), the biases added and their gradients summed separately, and
    four updates. No layers, no checks."""

    def __init__(self, X, y, M, B, activation, seed=2):
        self.X, self.y = X, y.reshape(-1, 1)
        self.B, self.relu = B, activation == "relu"
        self.W1, self.b1, self.W2, self.b2 = (a.copy() for a in initial_params(X.shape[1], M))
        self.rng = np.random.default_rng(seed)
        self.pos = 0
        self.Xs = self.ys = None
        self.loss = float("nan")
        self.history = []

    def run(self, k: int) -> None:
        X, y, B, n, lr, relu = self.X, self.y, self.B, len(self.X), LR, self.relu
        W1, b1, W2, b2 = self.W1, self.b1, self.W2, self.b2
        pos, Xs, ys, E = self.pos, self.Xs, self.ys, self.loss
        for _ in range(k):
            if pos == 0:
                perm = self.rng.permutation(n)
                Xs, ys = X[perm], y[perm]
            xb, yb = Xs[pos:pos + B], ys[pos:pos + B]
            m = len(xb)
            z1 = xb @ W1 + b1
            h = np.maximum(z1, 0) if relu else np.tanh(z1)
            z2 = h @ W2 + b2
            yhat = 1 / (1 + np.exp(-z2))
            E = float(np.mean(np.logaddexp(0, z2) - yb * z2))
            d2 = (yhat - yb) / m
            dW2 = h.T @ d2
            db2 = d2.sum(axis=0)
            d1 = d2 @ W2.T
            d1 *= (z1 > 0) if relu else 1 - h * h
            dW1 = xb.T @ d1
            db1 = d1.sum(axis=0)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
            pos += m
            if pos >= n:
                pos = 0
                self.history.append(self.evaluate())
        self.pos, self.Xs, self.ys, self.loss = pos, Xs, ys, E

    def params(self) -> np.ndarray:
        """W1, b1, W2, b2 in one vector, in nnviz's (and :class:`TunedLoop`'s) order."""
        return np.concatenate([self.W1.ravel(), self.b1, self.W2.ravel(), self.b2])

    def evaluate(self):
        """(mean loss, accuracy) over the training set."""
        z1 = self.X @ self.W1 + self.b1
        h = np.maximum(z1, 0) if self.relu else np.tanh(z1)
        z2 = h @ self.W2 + self.b2
        yhat = 1 / (1 + np.exp(-z2))
        loss = float(np.mean(np.logaddexp(0, z2) - self.y * z2))
        return loss, float(np.mean((yhat > 0.5) == (self.y > 0.5)))


class TunedLoop:
    """The same training, hand-tuned: what a careful person writes in NumPy for speed.

    The shuffled rows are kept with a column of ones and the hidden activations in a buffer with
    a column of ones, so each layer is one product [X 1]·[W; b]; the parameters are one flat
    vector (W1b1, W2b2 are views) and so are the gradients, so the update is one operation;
    every array a step writes is made once per batch size. The same math as
    :class:`IdiomaticLoop` (and nnviz): :func:`check_same_math` holds them to 1e-12."""

    def __init__(self, X, y, M, B, activation, seed=2):
        n, p = X.shape
        self.B, self.M, self.relu, self.n = B, M, activation == "relu", n
        self.X1 = np.ones((n, p + 1))            # [X 1] in the data's order (evaluation)
        self.X1[:, :p] = X
        self.X1s = self.X1.copy()                # [X 1] in this epoch's order
        self.y = np.array(y, dtype=np.float64).reshape(-1)
        self.ys = self.y.copy()
        k = (p + 1) * M
        self.params, self.grads = np.empty(k + M + 1), np.empty(k + M + 1)
        self.W1b, self.W2b = self.params[:k].reshape(p + 1, M), self.params[k:].reshape(M + 1, 1)
        self.dW1b, self.dW2b = self.grads[:k].reshape(p + 1, M), self.grads[k:].reshape(M + 1, 1)
        W1, b1, W2, b2 = initial_params(p, M)
        self.W1b[:p], self.W1b[p], self.W2b[:M], self.W2b[M] = W1, b1, W2, b2
        self.W2T = self.W2b[:M].T                # (1, M): δ2 · W2ᵀ
        self.scratch = np.empty_like(self.params)
        self.rng = np.random.default_rng(seed)
        self.bufs = {}
        self.pos, self.loss, self.history = 0, float("nan"), []

    def buffers(self, m):
        """Made once for batches of m rows: Z (m, M), [H 1] (m, M+1), its H and [H 1]ᵀ views,
        z (m, 1) and its flat view, δ2 likewise, σ′(Z) (m, M), δ1 (m, M), e (m,)."""
        M = self.M
        H1, z, d = np.ones((m, M + 1)), np.empty((m, 1)), np.empty((m, 1))
        self.bufs[m] = (np.empty((m, M)), H1, H1[:, :M], H1.T, z, z[:, 0], d, d[:, 0],
                        np.empty((m, M)), np.empty((m, M)), np.empty(m))
        return self.bufs[m]

    def run(self, k: int) -> None:
        n, B, lr, relu, bufs = self.n, self.B, LR, self.relu, self.bufs
        X1s, ys, W1b, W2b, W2T, dW1b, dW2b = (self.X1s, self.ys, self.W1b, self.W2b, self.W2T,
                                            self.dW1b, self.dW2b)
        params, grads, scratch, pos, E = self.params, self.grads, self.scratch, self.pos, self.loss
        exp, multiply, subtract = np.exp, np.multiply, np.subtract
        for _ in range(k):
            if pos == 0:
                perm = self.rng.permutation(n)
                np.take(self.X1, perm, axis=0, out=X1s)
                np.take(self.y, perm, out=ys)
            end = min(pos + B, n)
            m = end - pos
            Z, H1, H, H1T, z2, z, d2, d, D, G, e = bufs.get(m) or self.buffers(m)
            x1, yb = X1s[pos:end], ys[pos:end]
            x1.dot(W1b, Z)
            if relu:
                np.maximum(Z, 0, out=H)
            else:
                np.tanh(Z, out=H)
            H1.dot(W2b, z2)
            E = float(np.logaddexp(0, z, out=e).sum() - yb.dot(z)) / m
            np.negative(z, out=d)                 # ŷ = 1 / (1 + exp(−z)); δ2 = (ŷ − y) / m
            exp(d, out=d)
            d += 1.0
            np.divide(1.0, d, out=d)
            subtract(d, yb, out=d)
            d *= 1.0 / m
            H1T.dot(d2, dW2b)                     # [dW2; db2] = [H 1]ᵀ δ2
            d2.dot(W2T, G)                        # δ1 = δ2 W2ᵀ ⊙ σ′(Z)
            if relu:
                np.greater(Z, 0, out=D)
            else:
                multiply(H, H, out=D)
                subtract(1.0, D, out=D)
            G *= D
            x1.T.dot(G, dW1b)                     # [dW1; db1] = [X 1]ᵀ δ1
            multiply(grads, lr, out=scratch)
            params -= scratch
            pos = end
            if pos >= n:
                pos = 0
                self.history.append(self.evaluate())
        self.pos, self.loss = pos, E

    def evaluate(self):
        """(mean loss, accuracy) over the training set."""
        n = self.n
        Z, H1, H, _, z2, z, _, _, _, _, e = self.bufs.get(n) or self.buffers(n)
        self.X1.dot(self.W1b, Z)
        if self.relu:
            np.maximum(Z, 0, out=H)
        else:
            np.tanh(Z, out=H)
        H1.dot(self.W2b, z2)
        loss = float(np.logaddexp(0, z, out=e).sum() - self.y.dot(z)) / n
        return loss, float(np.count_nonzero((z > 0) == (self.y > 0.5))) / n


def nnviz_trainer(X, y, M, B, activation) -> Trainer:
    net = Network([X.shape[1], M, 1], activation, "sigmoid")
    W1, b1, W2, b2 = initial_params(X.shape[1], M)
    net.set_weights([(W1, b1), (W2, b2)])
    return Trainer(net, losses.make("log_loss", "sigmoid"), X, y, lr=LR, batch_size=B,
                   rng=np.random.default_rng(2))


def torch_runner(X, y, M, B, activation):
    """A PyTorch CPU loop (float64, one thread), or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    act = torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh()
    model = torch.nn.Sequential(torch.nn.Linear(X.shape[1], M), act, torch.nn.Linear(M, 1)).double()
    W1, b1, W2, b2 = initial_params(X.shape[1], M)
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(W1.T.copy()))
        model[0].bias.copy_(torch.from_numpy(b1))
        model[2].weight.copy_(torch.from_numpy(W2.T.copy()))
        model[2].bias.copy_(torch.from_numpy(b2))
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.reshape(-1, 1))
    crit = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    n = len(X)
    gen = torch.Generator().manual_seed(2)
    state = {"pos": 0, "Xs": None, "ys": None}
    history = []

    def run(k):
        pos, Xs, ys = state["pos"], state["Xs"], state["ys"]
        for _ in range(k):
            if pos == 0:
                perm = torch.randperm(n, generator=gen)
                Xs, ys = Xt[perm], yt[perm]
            xb, yb = Xs[pos:pos + B], ys[pos:pos + B]
            opt.zero_grad()
            loss = crit(model(xb), yb)
            loss.backward()
            opt.step()
            pos += len(xb)
            if pos >= n:
                pos = 0
                with torch.no_grad():
                    z = model(Xt)
                    history.append((float(crit(z, yt)), float(((z > 0) == (yt > 0.5)).double().mean())))
        state.update(pos=pos, Xs=Xs, ys=ys)

    return run, f"torch {torch.__version__}, {torch.get_num_threads()} thread"


def sklearn_runner(X, y, M, B, activation):
    """``MLPClassifier.partial_fit`` one batch per call, or None when scikit-learn is missing."""
    try:
        import sklearn
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    clf = MLPClassifier(hidden_layer_sizes=(M,), activation=activation, solver="sgd",
                        learning_rate_init=LR, momentum=0.0, nesterovs_momentum=False, alpha=0.0,
                        batch_size=B, shuffle=False, random_state=0)
    n = len(X)
    rng = np.random.default_rng(2)
    yi = y.astype(int)
    state = {"pos": 0, "Xs": None, "ys": None, "first": True}
    history = []

    def run(k):
        pos, Xs, ys = state["pos"], state["Xs"], state["ys"]
        for _ in range(k):
            if pos == 0:
                perm = rng.permutation(n)
                Xs, ys = X[perm], yi[perm]
            xb, yb = Xs[pos:pos + B], ys[pos:pos + B]
            if state["first"]:
                clf.partial_fit(xb, yb, classes=[0, 1])
                state["first"] = False
            else:
                clf.partial_fit(xb, yb)
            pos += len(xb)
            if pos >= n:
                pos = 0
                proba = np.clip(clf.predict_proba(X)[:, 1], 1e-15, 1 - 1e-15)
                history.append((float(-np.mean(y * np.log(proba) + (1 - y) * np.log(1 - proba))),
                                float(np.mean((proba > 0.5) == (y > 0.5)))))
        state.update(pos=pos, Xs=Xs, ys=ys)

    return run, f"scikit-learn {sklearn.__version__}"


DEFAULT_CASE = (2, 8, 10, "tanh")   # the app's default network, batch size and activation
CHECK_STEPS = 250


def check_same_math(steps: int = CHECK_STEPS) -> C.Row:
    """The tuned loop, the idiomatic loop and nnviz run the same math: from the same initial
    parameters on the same batches, after ``steps`` steps in every case their parameters, the
    last batch loss and the per-epoch history agree to 1e-12 (what is left is rounding: the
    tuned loop sums bias gradients in a product and scales by 1/m once)."""
    worst = {"idiomatic": 0.0, "nnviz": 0.0}
    for p, M, B in CASES:
        for act in ACTIVATIONS:
            X, y = make_data(p)
            tuned, idiomatic = TunedLoop(X, y, M, B, act), IdiomaticLoop(X, y, M, B, act)
            trainer = nnviz_trainer(X, y, M, B, act)
            tuned.run(steps)
            idiomatic.run(steps)
            trainer.steps(steps)
            th = np.array(tuned.history)
            for name, params, loss, history in (
                    ("idiomatic", idiomatic.params(), idiomatic.loss, idiomatic.history),
                    ("nnviz", trainer.network.params, trainer.last_loss,
                     # nnviz's history starts with the untrained network (epoch 0)
                     list(zip(trainer.history.train_loss[1:], trainer.history.train_metric[1:])))):
                hist = np.array(history)
                if hist.shape != th.shape:
                    raise AssertionError(f"{name}: {len(hist)} epochs, tuned loop {len(th)}")
                worst[name] = max(worst[name], float(np.abs(params - tuned.params).max()),
                                  abs(loss - tuned.loss), float(np.abs(hist - th).max(initial=0)))
    ok = max(worst.values()) <= 1e-12
    return C.Row("engine steps/s", f"tuned loop = idiomatic loop = nnviz after {steps} steps",
                 f"max Δ {worst['idiomatic']:.1e} (idiomatic), {worst['nnviz']:.1e} (nnviz) "
                 f"over {len(CASES) * len(ACTIVATIONS)} cases: θ, E, epoch loss and accuracy",
                 "≤ 1e-12", ok)


def measure(quick: bool = False, with_others: bool = True) -> list[C.Row]:
    repeats, seconds = (3, 0.1) if quick else (7, 0.25)
    rows: list[C.Row] = [check_same_math()]
    notes = {}
    for p, M, B in CASES:
        for act in ACTIVATIONS:
            X, y = make_data(p)
            trainer = nnviz_trainer(X, y, M, B, act)
            tuned = TunedLoop(X, y, M, B, act)
            idiomatic = IdiomaticLoop(X, y, M, B, act)
            runners = {"nnviz": trainer.steps, "tuned": tuned.run, "idiomatic": idiomatic.run}
            if with_others:
                for name, make in (("torch", torch_runner), ("sklearn", sklearn_runner)):
                    made = make(X, y, M, B, act)
                    if made is None:
                        notes[name] = f"{name} not installed: skipped"
                    else:
                        runners[name], notes[name] = made
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rates, per_round = C.rates_interleaved(runners, repeats, seconds)
            case = f"p={p} M={M} B={B}{' (full)' if B >= N_ROWS else ''} {act}"
            need = 1.0 if (p, M, B, act) == DEFAULT_CASE else 0.9
            r_tuned = C.ratio_of_rounds(per_round, "nnviz", "tuned")
            rows.append(C.Row("engine steps/s", case,
                              f"nnviz {C.fmt_rate(rates['nnviz'])}, tuned loop "
                              f"{C.fmt_rate(rates['tuned'])}: {r_tuned:.2f}×",
                              f"≥ {need:.2f}× tuned", r_tuned >= need))
            r_idio = C.ratio_of_rounds(per_round, "nnviz", "idiomatic")
            rows.append(C.Row("engine steps/s", case,
                              f"idiomatic loop {C.fmt_rate(rates['idiomatic'])}: "
                              f"nnviz {r_idio:.2f}×"))
            if "torch" in runners:
                r_t = C.ratio_of_rounds(per_round, "nnviz", "torch")
                rows.append(C.Row("engine steps/s", case,
                                  f"PyTorch {C.fmt_rate(rates['torch'])}: nnviz {r_t:.1f}×",
                                  "≥ 5× PyTorch" if B <= 32 else "",
                                  (r_t >= 5.0) if B <= 32 else None))
            if "sklearn" in runners:
                r_s = C.ratio_of_rounds(per_round, "nnviz", "sklearn")
                rows.append(C.Row("engine steps/s", case,
                                  f"sklearn partial_fit {C.fmt_rate(rates['sklearn'])}: "
                                  f"nnviz {r_s:.1f}×"))
    for note in notes.values():
        rows.append(C.Row("engine steps/s", "note", note))
    return rows


def _step_without_recording_hooks():
    """``Trainer._step`` with every ``if record:`` block cut out of its source: the training
    step as it would be with no step-through to serve (it computes the same bits; the one
    condition that also reads ``record`` stays, so call it with False)."""
    import ast
    import inspect
    import textwrap

    from nnviz.core import trainer as T

    tree = ast.parse(textwrap.dedent(inspect.getsource(T.Trainer._step)))

    class Strip(ast.NodeTransformer):
        def visit_If(self, node):
            self.generic_visit(node)
            if isinstance(node.test, ast.Name) and node.test.id == "record":
                return node.orelse or None
            return node

    fn = Strip().visit(tree).body[0]
    fn.body.append(ast.parse("if False:\n    yield None").body[0])   # still a generator
    ast.fix_missing_locations(tree)
    namespace = {}
    exec(compile(tree, "<step without recording hooks>", "exec"), vars(T), namespace)
    return namespace["_step"]


def measure_stepthrough(quick: bool = False) -> list[C.Row]:
    """Step-through: recording stages is paid only while stages are recorded.

    Two trainers on the same job (p=2, M=8, B=10, tanh): one has just recorded 50 steps stage by
    stage (as the step-through panel does), the other never recorded; then both train on the
    fast path, timed round-robin. Target: the one that recorded runs at the engine's speed
    (≥ 0.9× the other, median of rounds: the same code, so the ratio is 1 within the shared
    machine's noise). The recording hooks themselves cost at most 3% when off: the step as
    written against the same source with every ``if record:`` block removed. The recording
    path's own speed is shown for scale.
    """
    repeats, seconds = (5, 0.1) if quick else (15, 0.2)
    X, y = make_data(2)
    fresh = nnviz_trainer(X, y, 8, 10, "tanh")
    recorded = nnviz_trainer(X, y, 8, 10, "tanh")
    stages_per_step = 0
    for _ in range(50):
        stages_per_step = sum(1 for _ in recorded.stage_step())
    fresh.steps(50)   # both at the same point of the run

    def record(k):
        for _ in range(k):
            for _ in recorded.stage_step():
                pass

    bare = nnviz_trainer(X, y, 8, 10, "tanh")
    bare.steps(50)
    bare_step = _step_without_recording_hooks()

    def bare_steps(k):
        with np.errstate(all="ignore"):
            for _ in range(k):
                for _ in bare_step(bare, False):
                    pass

    rates, per_round = C.rates_interleaved(
        {"fast": fresh.steps, "after": recorded.steps, "bare": bare_steps}, repeats, seconds)
    r_bare = C.ratio_of_rounds(per_round, "fast", "bare")
    r_after = C.ratio_of_rounds(per_round, "after", "fast")
    rec_rates, rec_rounds = C.rates_interleaved({"record": record, "fast": fresh.steps},
                                                max(3, repeats // 3), seconds)
    rates["record"] = rec_rates["record"]
    r_rec = C.ratio_of_rounds(rec_rounds, "record", "fast")
    return [
        C.Row("step-through", "fast path after recording stages (p=2 M=8 B=10 tanh)",
              f"{C.fmt_rate(rates['after'])} vs never recorded {C.fmt_rate(rates['fast'])}: "
              f"{r_after:.2f}×", "≥ 0.9× engine speed", r_after >= 0.9),
        C.Row("step-through", "recording hooks, off (p=2 M=8 B=10 tanh)",
              f"the step as written {C.fmt_rate(rates['fast'])} vs the same step with every "
              f"recording branch removed {C.fmt_rate(rates['bare'])}: {r_bare:.3f}×",
              "≥ 0.97×", r_bare >= 0.97),
        C.Row("step-through", f"recording path ({stages_per_step} stages a step)",
              f"{C.fmt_rate(rates['record'])} steps/s: {r_rec:.2f}× the fast path"),
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    ap.add_argument("--no-others", action="store_true", help="skip PyTorch and scikit-learn")
    args = ap.parse_args(argv)
    print(C.machine())
    C.print_table(measure(args.quick, not args.no_others) + measure_stepthrough(args.quick))


if __name__ == "__main__":
    main()
