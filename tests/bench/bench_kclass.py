"""K classes: nnviz steps/s against PyTorch CPU at K=10, p=64, M=32, B=32 (tanh, softmax).

    python tests/bench/bench_kclass.py [--quick]

Both train the same p→M→K network (float64, one thread, plain SGD, mean cross-entropy from
the logits) on the same 1,000 rows in file order (no shuffle, so both see the same batches).
Before timing, both run 200 steps from the same parameters: the weights must agree to 1e-12
(a row of the table). Timed round-robin like bench_engine.py; target nnviz ≥ 5× PyTorch.
"""
from __future__ import annotations

import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (first: it sets the BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from nnviz.core import losses  # noqa: E402
from nnviz.core.network import Network  # noqa: E402
from nnviz.core.trainer import Trainer  # noqa: E402

N_ROWS, LR = 1000, 0.03
CASE = (10, 64, 32, 32)   # (K, p, M, B)


def make_data(K, p, n=N_ROWS, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    labels = np.argmax(X[:, :K] + 0.5 * rng.standard_normal((n, K)), axis=1).astype(np.float64)
    return X, labels


def initial_params(K, p, M, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-0.3, 0.3, (p, M)), rng.uniform(-0.3, 0.3, M),
            rng.uniform(-0.3, 0.3, (M, K)), rng.uniform(-0.3, 0.3, K))


def nnviz_trainer(X, labels, K, M, B):
    net = Network([X.shape[1], M, K], "tanh", "softmax")
    W1, b1, W2, b2 = initial_params(K, X.shape[1], M)
    net.set_weights([(W1, b1), (W2, b2)])
    return Trainer(net, losses.make("cross_entropy", "softmax"), X, labels, lr=LR, batch_size=B,
                   shuffle=False)


def torch_runner(X, labels, K, M, B):
    """A PyTorch CPU loop (float64, one thread), or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(X.shape[1], M), torch.nn.Tanh(),
                                torch.nn.Linear(M, K)).double()
    W1, b1, W2, b2 = initial_params(K, X.shape[1], M)
    with torch.no_grad():
        for lin, W, b in ((model[0], W1, b1), (model[2], W2, b2)):
            lin.weight.copy_(torch.from_numpy(W.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(labels.astype(np.int64))
    crit = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    n = len(X)
    state = {"pos": 0}

    def run(k):
        pos = state["pos"]
        for _ in range(k):
            xb, yb = Xt[pos:pos + B], yt[pos:pos + B]
            opt.zero_grad()
            crit(model(xb), yb).backward()
            opt.step()
            pos += len(xb)
            if pos >= n:
                pos = 0
        state["pos"] = pos

    def weights():
        return [(model[i].weight.detach().numpy().T, model[i].bias.detach().numpy()) for i in (0, 2)]

    return run, weights, f"torch {torch.__version__}, {torch.get_num_threads()} thread"


def measure(quick: bool = False) -> list[C.Row]:
    K, p, M, B = CASE
    X, labels = make_data(K, p)
    case = f"K={K} p={p} M={M} B={B} tanh, softmax"
    made = torch_runner(X, labels, K, M, B)
    if made is None:
        return [C.Row("K-class steps/s", "note", "torch not installed: skipped")]
    run_t, weights_t, note = made
    tr = nnviz_trainer(X, labels, K, M, B)
    tr.steps(200)
    run_t(200)
    diff = max(float(np.abs(a - b).max()) for (Wn, bn), (Wt, bt) in zip(tr.network.get_weights(), weights_t())
               for a, b in ((Wn, Wt), (bn, bt)))
    rows = [C.Row("K-class steps/s", f"{case}: nnviz = PyTorch after 200 steps",
                  f"largest weight difference {diff:.1e}", "≤ 1e-12", diff <= 1e-12)]
    repeats, seconds = (3, 0.1) if quick else (7, 0.25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rates, per_round = C.rates_interleaved({"nnviz": tr.steps, "torch": run_t}, repeats, seconds)
    r = C.ratio_of_rounds(per_round, "nnviz", "torch")
    rows.append(C.Row("K-class steps/s", case,
                      f"nnviz {C.fmt_rate(rates['nnviz'])}, PyTorch {C.fmt_rate(rates['torch'])}: "
                      f"nnviz {r:.1f}×", "≥ 5× PyTorch", r >= 5.0))
    rows.append(C.Row("K-class steps/s", "note", note))
    return rows


if __name__ == "__main__":
    C.run_script(measure, __doc__)
