"""Early stopping: watch the test loss at each epoch's end, keep the weights of the epoch where
it was lowest, and stop when it has not gone lower for ``patience`` epochs.

The test rows are the data the network does not learn from, so their loss rising while the
training loss still falls means the network has begun to learn the training rows' noise
(overfitting). The best epoch's parameters are kept as an exact copy and written back when
training stops, so the network ends as it was at the end of that epoch, bit for bit.

The trainer calls :meth:`EarlyStopping.epoch_end` once an epoch (never inside a step); the
patience is the run's ``early_stopping`` setting, 0 for off. The best epoch is followed even
while it is off, so turning it on during a run counts from the run's best so far.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NEEDS_TEST_SET = ("early stopping watches the test loss, so it needs a test set: "
                  "set a test ratio above 0")


@dataclass
class EarlyStop:
    """Why and where training stopped: at the end of epoch ``epoch``, after ``patience``
    epochs without a lower test loss than ``best_loss`` at ``best_epoch``, whose weights
    were restored."""

    epoch: int
    best_epoch: int
    best_loss: float
    patience: int

    @property
    def message(self) -> str:
        return (f"stopped early at epoch {self.epoch}: the test loss has not gone below "
                f"{self.best_loss:.4g} for {self.patience} epoch"
                f"{'' if self.patience == 1 else 's'}; the weights of epoch {self.best_epoch} "
                "(the lowest test loss) are restored")


class EarlyStopping:
    """The best epoch so far by test loss and the copy of its parameters.

    ``best_epoch`` (None before any finite test loss), ``best_loss``, ``best_params`` (a copy
    of the flat parameter vector at that epoch's end) and ``since`` (the epoch the patience
    counts from when it is later than the best: where training went on after a stop).
    """

    def __init__(self, trainer):
        self.best_epoch: int | None = None
        self.best_loss = math.inf
        self.best_params: np.ndarray | None = None
        self.since = 0
        self.observe(trainer)

    def observe(self, trainer) -> None:
        """Take the epoch just recorded in ``trainer.history`` as the best if its test loss
        is lower than every one before."""
        loss = trainer.history.test_loss[-1] if len(trainer.history) else math.nan
        if math.isfinite(loss) and loss < self.best_loss:
            self.best_epoch = trainer.epoch_count
            self.best_loss = float(loss)
            self.best_params = trainer.network.params.copy()

    def epoch_end(self, trainer) -> None:
        """After an epoch's history entry: follow the best epoch, and stop ``trainer`` (its
        ``stopped``, the best weights written back) when the patience has run out."""
        self.observe(trainer)
        patience = trainer.config.early_stopping
        if not patience or self.best_epoch is None:
            return
        if trainer.epoch_count - max(self.best_epoch, self.since) >= patience:
            np.copyto(trainer.network.params, self.best_params)
            trainer.stop(EarlyStop(trainer.epoch_count, self.best_epoch, self.best_loss,
                                   int(patience)))

    def state(self) -> dict:
        """What a session file keeps (the parameters separately: :attr:`best_params`)."""
        return {"best_epoch": self.best_epoch,
                "best_loss": self.best_loss if self.best_epoch is not None else None,
                "since": self.since}

    def load_state(self, state: dict, best_params: np.ndarray | None) -> None:
        self.best_epoch = state.get("best_epoch")
        self.best_loss = math.inf if self.best_epoch is None else float(state["best_loss"])
        self.best_params = None if self.best_epoch is None else np.array(best_params, np.float64)
        self.since = int(state.get("since", 0))
