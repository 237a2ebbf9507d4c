"""Learning-rate schedules: each matches its formula, the trainer applies it once an epoch (bit
for bit the run of a user who typed each epoch's η by hand), the step-through's update stage
shows it, and the CLI and session files carry it."""
import io
import json
import math

import numpy as np
import pytest

from nnviz.cli.main import main
from nnviz.core import schedules
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.io import session_file

ETA0 = 0.3


@pytest.mark.parametrize("text,formula", [
    ("constant", lambda e: 0.3),
    ("step:10:0.5", lambda e: 0.3 * 0.5 ** (e // 10)),          # 0.3 for 0…9, 0.15 for 10…19
    ("step:3:0.1", lambda e: 0.3 * 0.1 ** (e // 3)),
    ("exp:0.95", lambda e: 0.3 * 0.95 ** e),
    ("cosine:200", lambda e: 0.3 * 0.5 * (1 + math.cos(math.pi * min(e, 200) / 200))),
])
def test_each_schedule_matches_its_formula(text, formula):
    s = schedules.parse(text)
    for epoch in range(0, 260):
        assert s.rate(ETA0, epoch) == formula(epoch), (text, epoch)


def test_the_schedules_landmarks_by_hand():
    assert schedules.parse("step:10:0.5").rate(0.3, 9) == 0.3
    assert schedules.parse("step:10:0.5").rate(0.3, 10) == 0.15
    assert schedules.parse("step:10:0.5").rate(0.3, 25) == 0.075
    assert schedules.parse("exp:0.5").rate(0.4, 3) == 0.05
    cos = schedules.parse("cosine:100")
    assert cos.rate(0.3, 0) == 0.3
    assert cos.rate(0.3, 50) == pytest.approx(0.15, abs=1e-16)      # half way: half of η₀
    assert cos.rate(0.3, 100) == 0.0 and cos.rate(0.3, 150) == 0.0   # zero at T and after


@pytest.mark.parametrize("text,canonical", [
    ("constant", "constant"), ("step", "step:10:0.5"), ("step:4", "step:4:0.5"),
    ("step:4:0.25", "step:4:0.25"), ("exp", "exp:0.95"), ("exp:0.9", "exp:0.9"),
    (" cosine:30 ", "cosine:30"),
])
def test_a_schedule_text_has_one_canonical_form(text, canonical):
    assert schedules.check(text) == canonical


@pytest.mark.parametrize("text,message", [
    ("linear", "unknown learning rate schedule 'linear'"),
    ("step:0", "the step length k of the step schedule must be between 1 and 1000000"),
    ("step:2.5", "the step length k of the step schedule must be a whole number"),
    ("exp:2", "the factor γ of the exp schedule must be between 0 and 1 (got 2)"),
    ("exp:x", "the factor γ of the exp schedule must be a number, not 'x'"),
    ("exp:nan", "the factor γ of the exp schedule must be a finite number, not 'nan'"),
    ("step:inf", "the step length k of the step schedule must be a finite number, not 'inf'"),
    ("exp:0.9:3", "the exp schedule takes 1 number (exp:γ)"),
    ("cosine", "the cosine schedule needs the length in epochs T, e.g. cosine:200"),
    ("constant:1", "the constant schedule takes no numbers"),
])
def test_a_bad_schedule_is_refused_with_one_sentence(text, message):
    with pytest.raises(NnvizError) as info:
        schedules.check(text)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def _epoch_rates(text, epochs):
    exp = build(Config(lr=ETA0, lr_schedule=text, seed=3))
    rates = []
    for _ in range(epochs):
        rates.append(exp.trainer.rate())
        exp.trainer.epoch()
    return exp, rates


@pytest.mark.parametrize("text", ["step:2:0.5", "exp:0.8", "cosine:5"])
def test_the_trainer_trains_each_epoch_with_the_schedules_rate(text):
    """A scheduled run equals, bit for bit, a constant-rate run whose η is set by hand at
    each epoch's start to the formula's value."""
    scheduled, rates = _epoch_rates(text, 7)
    formula = schedules.parse(text)
    assert rates == [formula.rate(ETA0, e) for e in range(7)]
    by_hand = build(Config(lr=ETA0, seed=3))
    for e in range(7):
        by_hand.config.lr = formula.rate(ETA0, e)
        by_hand.trainer.epoch()
    np.testing.assert_array_equal(scheduled.network.params, by_hand.network.params)
    constant, _ = _epoch_rates("constant", 7)
    assert not np.array_equal(scheduled.network.params, constant.network.params)


def test_the_update_stage_shows_the_scheduled_rate():
    exp = build(Config(lr=ETA0, lr_schedule="step:1:0.5", seed=3))
    tr = exp.trainer
    tr.epoch()
    tr.epoch()                                  # epoch 2: η = 0.3·0.5² = 0.075
    stages = list(tr.stage_step())
    update = stages[-1]
    assert update.phase == "update"
    assert update.info["lr"] == 0.075 and "η = 0.075" in " ".join(update.notes)
    # and it is the η the step used: the same step by the fast path gives the same weights
    again = build(Config(lr=ETA0, lr_schedule="step:1:0.5", seed=3))
    again.trainer.epoch()
    again.trainer.epoch()
    again.trainer.step()
    np.testing.assert_array_equal(again.network.params, exp.network.params)


def test_a_schedule_changed_mid_epoch_applies_from_the_next_step():
    exp = build(Config(lr=ETA0, seed=3))
    tr = exp.trainer
    tr.epoch()
    tr.config.lr_schedule = "exp:0.5"
    tr.schedule_changed()
    assert tr.rate() == 0.15
    before = exp.network.params.copy()
    tr.step()
    stepped = build(Config(lr=ETA0, seed=3))
    stepped.trainer.epoch()
    stepped.config.lr = 0.15
    stepped.trainer.step()
    np.testing.assert_array_equal(exp.network.params, stepped.network.params)
    assert not np.array_equal(before, exp.network.params)


# --- command line and session files ------------------------------------------------------
def test_cli_lr_schedule_cosine_alone_runs_over_the_epochs(capsys):
    assert main(["train", "--lr-schedule", "cosine", "--epochs", "4", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main(["train", "--lr-schedule", "cosine:4", "--epochs", "4", "--json"]) == 0
    explicit = json.loads(capsys.readouterr().out)
    assert plain["train_loss"] == explicit["train_loss"]
    assert main(["train", "--lr-schedule", "exp:0.5", "--epochs", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["train_loss"] != plain["train_loss"]


@pytest.mark.parametrize("argv,needle", [
    (["--lr-schedule", "exp:2"], "argument --lr-schedule: the factor γ of the exp schedule"),
    (["--lr-schedule", "cosine", "--steps", "5"], "--lr-schedule cosine with --steps needs"),
])
def test_cli_refuses_a_bad_schedule_in_one_line(capsys, argv, needle):
    assert main(["train", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: ") and needle in err and err.count("\n") == 1


def test_a_session_keeps_the_schedule_and_continues_bit_for_bit():
    config = Config(lr=ETA0, lr_schedule="step:2:0.5", seed=3)
    a = build(config)
    a.trainer.steps(130)                        # mid-epoch 5 (25 steps an epoch)
    b = session_file.from_bytes(session_file.to_bytes(a), "s.nnviz").experiment
    assert b.config.lr_schedule == "step:2:0.5"
    a.trainer.steps(100)
    b.trainer.steps(100)
    np.testing.assert_array_equal(a.network.params, b.network.params)


def test_an_older_session_without_a_schedule_reads_as_constant():
    data = session_file.to_bytes(build(Config(lr_schedule="exp:0.9")))
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays.pop("header")))
    header["config"].pop("lr_schedule")
    header["config"].pop("early_stopping")
    buf = io.BytesIO()
    np.savez(buf, header=np.array(json.dumps(header)), **arrays)
    config = session_file.from_bytes(buf.getvalue(), "old.nnviz").experiment.config
    assert config.lr_schedule == "constant" and config.early_stopping == 0


def test_a_session_with_a_bad_schedule_is_refused():
    data = session_file.to_bytes(build(Config()))
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays.pop("header")))
    header["config"]["lr_schedule"] = "step:0"
    buf = io.BytesIO()
    np.savez(buf, header=np.array(json.dumps(header)), **arrays)
    with pytest.raises(NnvizError) as info:
        session_file.from_bytes(buf.getvalue(), "s.nnviz")
    assert str(info.value).startswith("s.nnviz: 'config.lr_schedule' is 'step:0': the step length")
