"""Early stopping: the run stops once the test loss has not gone lower for ``patience`` epochs,
and the network ends with the best epoch's weights, byte for byte; it needs a test set; the CLI
reports the best epoch; a saved session stops where the uninterrupted run stops."""
import json

import numpy as np
import pytest

from nnviz.cli.main import main
from nnviz.core.early_stopping import NEEDS_TEST_SET
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.io import session_file

# Noisy circle, a wide net and a large rate: the test loss bottoms out within ~20 epochs.
OVERFIT = dict(dataset="circle", noise=0.5, hidden=[32], lr=0.3, seed=0)


def _train_until_stopped(config, limit=500):
    exp = build(config)
    tr = exp.trainer
    while not tr.halted and tr.epoch_count < limit:
        tr.epoch()
    return exp


def test_the_restored_weights_are_the_best_epochs_byte_for_byte():
    stopped = _train_until_stopped(Config(**OVERFIT, early_stopping=3))
    tr = stopped.trainer
    assert tr.stopped is not None and tr.diverged is None
    best = tr.stopped.best_epoch
    assert tr.epoch_count == best + 3                   # patience 3: three epochs without a lower loss
    test = tr.history.test_loss
    assert min(test) == test[tr.history.epoch.index(best)] == tr.stopped.best_loss
    assert all(loss > tr.stopped.best_loss for loss in test[best + 1:])
    # An uninterrupted run of the same settings, stopped by hand at the best epoch's end.
    plain = build(Config(**OVERFIT))
    for _ in range(best):
        plain.trainer.epoch()
    assert stopped.network.params.tobytes() == plain.network.params.tobytes()
    # training stops: a stopped trainer takes no step until it is allowed again
    assert tr.steps(10) == 0 and tr.epoch_count == best + 3
    tr.stop(None)
    assert not tr.halted and tr.steps(1) == 1


def test_without_early_stopping_the_run_goes_on_past_the_best_epoch():
    exp = build(Config(**OVERFIT))
    for _ in range(60):
        exp.trainer.epoch()
    assert exp.trainer.stopped is None and exp.trainer.epoch_count == 60
    test = exp.trainer.history.test_loss                # the best is followed even while off
    assert exp.trainer.early.best_epoch == exp.trainer.history.epoch[int(np.argmin(test))] < 60


def test_going_on_after_a_stop_counts_the_patience_afresh():
    exp = _train_until_stopped(Config(**OVERFIT, early_stopping=3))
    tr = exp.trainer
    stop = tr.stopped.epoch
    tr.stop(None)
    tr.epoch()
    tr.epoch()
    assert tr.stopped is None                        # two epochs: not yet
    while not tr.halted:
        tr.epoch()
    assert tr.stopped.epoch >= stop + 3


def test_it_needs_a_test_set():
    with pytest.raises(NnvizError) as info:
        build(Config(early_stopping=5, test_ratio=0.0))
    assert str(info.value) == NEEDS_TEST_SET
    assert "test set" in NEEDS_TEST_SET and "\n" not in NEEDS_TEST_SET


def test_cli_early_stopping_reports_the_best_epoch_and_its_losses(capsys):
    argv = ["train", "--dataset", "circle", "--noise", "0.5", "--hidden", "32", "--lr", "0.3",
            "--seed", "0", "--epochs", "500", "--json"]
    assert main([*argv, "--early-stopping", "3"]) == 0
    res = json.loads(capsys.readouterr().out)
    exp = _train_until_stopped(Config(**OVERFIT, early_stopping=3))
    h = exp.trainer.history
    best = exp.trainer.stopped.best_epoch
    assert res["best_epoch"] == best and res["stopped_early"] is True
    assert res["epochs"] == best + 3
    assert res["test_loss"] == h.test_loss[best] and res["train_loss"] == h.train_loss[best]
    assert main([*argv[:-3], "--epochs", "5", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["stopped_early"] is False and plain["epochs"] == 5


def test_cli_without_a_test_set_says_it_needs_one(capsys):
    assert main(["train", "--early-stopping", "5", "--test-ratio", "0", "--epochs", "3"]) == 2
    err = capsys.readouterr().err
    assert err == f"nnviz: error: {NEEDS_TEST_SET}\n"


def test_cli_text_output_says_where_it_stopped(capsys):
    assert main(["train", "--dataset", "circle", "--noise", "0.5", "--hidden", "32", "--lr", "0.3",
                 "--epochs", "500", "--early-stopping", "3"]) == 0
    out = capsys.readouterr().out
    assert "stopped early at epoch" in out and "(the lowest test loss) are restored" in out


def test_a_session_saved_mid_run_stops_where_the_uninterrupted_run_stops():
    config = Config(**OVERFIT, early_stopping=4)
    a = build(config)
    a.trainer.steps(25 * 12 + 7)           # past the first best epochs, mid-epoch
    b = session_file.from_bytes(session_file.to_bytes(a), "s.nnviz").experiment
    assert b.trainer.early.best_epoch == a.trainer.early.best_epoch
    for exp in (a, b):
        while not exp.trainer.halted:
            exp.trainer.epoch()
    c = _train_until_stopped(config)
    for exp in (a, b):
        assert exp.trainer.stopped == c.trainer.stopped
        assert exp.network.params.tobytes() == c.network.params.tobytes()


def test_a_stopped_run_reopens_stopped():
    a = _train_until_stopped(Config(**OVERFIT, early_stopping=3))
    b = session_file.from_bytes(session_file.to_bytes(a), "s.nnviz").experiment
    assert b.trainer.stopped == a.trainer.stopped and b.trainer.halted
    assert b.network.params.tobytes() == a.network.params.tobytes()
