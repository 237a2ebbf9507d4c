"""What training records: the per-epoch history, where a run diverged, and the metrics."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Divergence:
    """Where training stopped: the step (1-based, the one that went non-finite) and why."""

    step: int
    epoch: int
    reason: str                 # what exploded: the loss, or which layer's weights
    advice: str = "try a smaller learning rate"   # or what about the data's scale to change

    @property
    def hint(self) -> str:
        """The advice in a few words (a status bar's room)."""
        if "standardize the inputs" in self.advice:
            return "the inputs' scale is the cause: standardize them"
        if "rescale the target" in self.advice:
            return "the targets' scale is the cause: rescale them"
        return self.advice

    @property
    def message(self) -> str:
        return (f"training diverged at step {self.step} (epoch {self.epoch}): {self.reason}; "
                f"the parameters from before that step are kept — {self.advice}")


LARGE_INPUT = 100.0     # |x| the first layer sees beyond which the data's scale is to blame
LARGE_TARGET = 1e3      # the same for a regression's targets


def scale_advice(X, y, regression: bool) -> str:
    """What to change when training blows up: the data's scale when the inputs (or a
    regression's targets) are large — a smaller learning rate would only hide that — else the
    learning rate."""
    with np.errstate(all="ignore"):
        x = float(np.max(np.abs(X))) if np.size(X) else 0.0
        t = float(np.max(np.abs(y))) if regression and np.size(y) else 0.0
    if x > LARGE_INPUT:
        return (f"the inputs reach {x:.3g}: the data's scale is the cause, so standardize the "
                "inputs (a smaller learning rate would only slow the blow-up)")
    if t > LARGE_TARGET:
        return (f"the targets reach {t:.3g}: with squared error the gradients grow with them; "
                "rescale the target (or use a far smaller learning rate)")
    return "try a smaller learning rate"


@dataclass
class History:
    """Per-epoch records. Losses are mean per-row losses over the whole set, so train and test
    compare whatever the reduction; ``*_metric`` is accuracy (classification) or R² (regression).
    Test entries are NaN when there is no test set."""

    epoch: list = field(default_factory=list)
    step: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    train_metric: list = field(default_factory=list)
    test_metric: list = field(default_factory=list)

    def append(self, epoch, step, train, test):
        self.epoch.append(epoch)
        self.step.append(step)
        self.train_loss.append(train[0])
        self.train_metric.append(train[1])
        self.test_loss.append(test[0])
        self.test_metric.append(test[1])

    def __len__(self):
        return len(self.epoch)

    def to_dict(self) -> dict:
        return {k: list(v) for k, v in self.__dict__.items()}


def metric(task: str, y: np.ndarray, yhat: np.ndarray) -> float:
    """Accuracy at threshold 0.5 (classification) or R² (regression); y, ŷ of shape (n, 1).
    With K classes y is one-hot and ŷ the probabilities, both (n, K): accuracy is the share
    of rows whose largest probability is at the true class (argmax agreement)."""
    if len(y) == 0:
        return math.nan
    if task == "classification" and yhat.ndim == 2 and yhat.shape[1] > 1:
        return np.count_nonzero(yhat.argmax(axis=1) == y.argmax(axis=1)) / len(y)
    if task == "classification":
        return np.count_nonzero((yhat > 0.5) == (y > 0.5)) / len(y)
    ss_res = float(np.sum((y - yhat) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else 0.0)


def rmse(loss_name: str, mean_loss: float) -> float:
    """Root-mean-square error √(mean (ŷ − y)²) from a history entry of the ``squared_error``
    loss, whose per-row loss is ½(ŷ − y)²: RMSE = √(2 · mean loss). NaN for other losses."""
    if loss_name != "squared_error" or not math.isfinite(mean_loss) or mean_loss < 0:
        return math.nan
    return math.sqrt(2.0 * mean_loss)
