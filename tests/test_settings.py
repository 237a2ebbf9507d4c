"""Every setting is declared once (nnviz.settings) and every list of settings derives from it:
Config, the limits, the ``nnviz train`` flags, session files and the app's controls."""
import dataclasses
import io
import json

import numpy as np
import pytest

from nnviz import settings
from nnviz.cli import main as cli
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.io import session_file
from nnviz.settings import SETTINGS

NAMES = [s.name for s in SETTINGS]


def _other(s):
    """A valid value for ``s`` other than its default."""
    special = {"dataset": "xor", "features": ["x1", "x1^2"], "hidden": [3, 2], "task": "classification",
               "loss": "squared_error", "batch_size": None, "seed": 7, "samples": 40,
               "lr_schedule": "step:10:0.5"}
    if s.name in special:
        return special[s.name]
    if s.kind == "bool":
        return not s.default
    if s.kind in ("int", "float"):
        return s.high if s.default != s.high else s.low
    return next(o for o in s.options if o != s.default)


def _cli_text(value):
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def test_names_are_unique_and_config_has_one_field_per_setting_with_its_default():
    assert len(set(NAMES)) == len(NAMES)
    fields = dataclasses.fields(Config)
    assert [f.name for f in fields] == NAMES
    config = Config()
    for s in SETTINGS:
        assert getattr(config, s.name) == s.value()
    assert Config().features is not Config().features       # a fresh list each time


@pytest.mark.parametrize("s", SETTINGS, ids=NAMES)
def test_every_setting_has_one_line_of_help_and_a_default_it_accepts(s):
    assert s.help and "\n" not in s.help and s.help[0].isupper() and s.help.endswith(".")
    for citation in ("seed 00", "§", "eq 10", "eq. 10"):
        assert citation not in s.help.lower()
    assert settings.check(s.name, s.value()) == s.value()
    if s.limits is not None:
        lo, hi = s.limits
        assert lo <= min(np.atleast_1d(s.value())) and max(np.atleast_1d(s.value())) <= hi
    if s.options is not None and s.default is not None:
        assert s.default in s.options
    assert settings.check(s.name, _other(s)) == _other(s)


@pytest.mark.parametrize("name,value,message", [
    ("lr", 11, "learning rate must be between 0.0 and 10.0 (got 11)"),
    ("samples", 2.5, "samples must be a whole number, not 2.5"),
    ("optimizer", "rmsprop", "unknown optimizer 'rmsprop' (choose from: sgd, momentum, adam)"),
    ("activation", ["tanh", "swish"], "unknown activation 'swish'"),
    ("hidden", [4] * 16, "hidden layers must be between 0 and 15 (got 16)"),
    ("hidden", [257], "hidden units must be between 1 and 256 (got 257)"),
    ("shuffle", 1, "shuffle must be true or false, not 1"),
    ("features", [], "features must be a list of names, not []"),
])
def test_check_refuses_with_one_sentence(name, value, message):
    with pytest.raises(NnvizError) as info:
        settings.check(name, value)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_the_engines_limits_are_the_declared_ranges():
    for s in SETTINGS:
        if s.limits is not None:
            assert settings.LIMITS[s.what] == s.limits
    assert settings.LIMITS["hidden layers"] == (0, settings.MAX_LAYERS - 1)
    assert settings.LIMITS["hidden units"] == (1, settings.MAX_UNITS)


def test_each_shared_constant_is_defined_once():
    from nnviz.core import model, network
    from nnviz.data import csvdata, dataset
    from nnviz.io import weights_io

    assert dataset.TASKS is model.TASKS is csvdata.TASKS is weights_io.TASKS is settings.TASKS
    assert weights_io.MAX_LAYERS is session_file.MAX_LAYERS is settings.MAX_LAYERS
    assert weights_io.MAX_UNITS is settings.MAX_UNITS
    assert network.MAX_UNITS is settings.MAX_UNITS
    # (small ints are shared objects, so also look for a second definition in the source)
    import pathlib
    import re

    engine = pathlib.Path(settings.__file__).parent
    for name in ("TASKS", "MAX_UNITS", "MAX_LAYERS"):
        homes = [p.relative_to(engine).as_posix() for p in engine.rglob("*.py")
                 if re.search(rf"^{name}\s*=", p.read_text(encoding="utf-8"), re.M)]
        assert homes == ["settings.py"], (name, homes)


# --- command line ----------------------------------------------------------------------
def _parse(*flags):
    return cli.make_parser().parse_args(["train", *flags])


def test_no_flags_give_the_declared_defaults():
    assert settings.Config(**settings.values_from_args(_parse())) == Config()


@pytest.mark.parametrize("s", SETTINGS, ids=NAMES)
def test_every_setting_has_a_flag_that_round_trips(s):
    assert s.cli_flag in cli.make_parser()._subparsers._group_actions[0].choices["train"].format_help()
    if s.kind == "bool":
        assert settings.values_from_args(_parse())[s.name] is s.default
        assert settings.values_from_args(_parse(s.cli_flag))[s.name] is (not s.default)
        return
    for value in (s.value(), _other(s)):
        if value is None and s.name != "batch_size":    # an optional setting left out
            assert settings.values_from_args(_parse())[s.name] is None
            continue
        text = "full" if value is None else _cli_text(value)
        assert settings.values_from_args(_parse(s.cli_flag, text))[s.name] == value


def test_an_out_of_range_flag_is_one_line_and_exit_2(capsys):
    assert cli.main(["train", "--lr", "11", "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert err == "nnviz: error: learning rate must be between 0.0 and 10.0 (got 11)\n"


# --- session files ---------------------------------------------------------------------
def _reopen(config):
    exp = build(config)
    return session_file.from_bytes(session_file.to_bytes(exp), "s.nnviz").experiment.config


@pytest.mark.parametrize("s", SETTINGS, ids=NAMES)
def test_every_setting_survives_a_session_file(s):
    config = Config(**{s.name: _other(s)})
    if s.name == "loss":
        config.task = "regression"
        config.dataset = "plane"
    assert _reopen(config) == config


def _rewrite_config(data: bytes, change) -> bytes:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays.pop("header")))
    change(header["config"])
    buf = io.BytesIO()
    np.savez(buf, header=np.array(json.dumps(header)), **arrays)
    return buf.getvalue()


def test_a_session_file_without_a_setting_takes_its_default():
    good = session_file.to_bytes(build(Config(l2=0.5, shuffle=False)))
    old = _rewrite_config(good, lambda c: (c.pop("l2"), c.pop("shuffle")))
    config = session_file.from_bytes(old, "old.nnviz").experiment.config
    assert config.l2 == 0.0 and config.shuffle is True


@pytest.mark.parametrize("key,value,message", [
    ("samples", 3, "'config.samples' must be a whole number from 4 to 100000"),
    ("lr", 20.0, "'config.lr' must be a number from 0 to 10"),
    ("optimizer", "rmsprop", "'config.optimizer' is 'rmsprop'; expected one of: sgd, momentum, adam"),
    ("activation", ["tanh", "swish"], "'config.activation' is 'swish'"),
    ("hidden", [4] * 16, "'config.hidden' must be a list of 0 to 15 unit counts"),
])
def test_a_session_config_outside_its_declaration_is_refused(key, value, message):
    good = session_file.to_bytes(build(Config()))
    bad = _rewrite_config(good, lambda c: c.__setitem__(key, value))
    with pytest.raises(NnvizError) as info:
        session_file.from_bytes(bad, "s.nnviz")
    assert str(info.value).startswith(f"s.nnviz: {message}")


# --- one declaration is all a new setting takes -----------------------------------------
def test_a_new_declaration_reaches_the_flags_config_and_session_files(monkeypatch, capsys):
    new = settings.Setting("momentum_beta", "float", 0.9, low=0.0, high=0.999,
                           help="How much of the last step momentum keeps.")
    monkeypatch.setattr(settings, "SETTINGS", SETTINGS + (new,))
    monkeypatch.setattr(settings, "Config", settings.make_config_class())

    args = _parse("--momentum-beta", "0.5")
    config, dataset, weights = cli._config_from(args)
    assert config.momentum_beta == 0.5
    assert cli._config_from(_parse())[0].momentum_beta == 0.9
    assert settings.check("momentum_beta", 0.25) == 0.25
    assert cli.main(["train", "--momentum-beta", "2", "--steps", "1"]) == 2
    assert "momentum beta must be between 0.0 and 0.999" in capsys.readouterr().err

    exp = build(config)
    reopened = session_file.from_bytes(session_file.to_bytes(exp), "s.nnviz").experiment.config
    assert reopened == config and reopened.momentum_beta == 0.5
    old = _rewrite_config(session_file.to_bytes(exp), lambda c: c.pop("momentum_beta"))
    assert session_file.from_bytes(old, "old.nnviz").experiment.config.momentum_beta == 0.9


# --- the app ---------------------------------------------------------------------------
def test_every_app_control_has_its_settings_range_choices_and_tooltip(window):
    from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QGroupBox, QSpinBox

    from nnviz.core import schedules
    from ui.controls import INT_MAX

    controls = {**window.data_panel.controls, **window.hyper_panel.controls}
    assert set(controls) >= {"dataset", "samples", "noise", "test_ratio", "seed", "lr",
                             "batch_size", "activation", "optimizer", "l1", "l2", "init", "reduction"}
    for name, w in controls.items():
        s = settings.get(name)
        assert s.help in w.toolTip(), name
        if isinstance(w, (QSpinBox, QDoubleSpinBox)):
            top = min(s.high, INT_MAX) if isinstance(w, QSpinBox) else s.high
            assert (w.minimum(), w.maximum()) == (s.low, top), name
        elif name == "lr_schedule":
            assert all(schedules.check(w.itemText(i)) for i in range(w.count()))
        elif isinstance(w, QComboBox) and w.isEditable():      # the learning rate
            v = w.validator()
            assert (v.bottom(), v.top()) == s.limits
        elif isinstance(w, QComboBox):
            assert tuple(w.itemText(i) for i in range(w.count())) == s.options, name
        elif isinstance(w, QCheckBox):                       # an on/off setting
            assert s.kind == "bool", name
        else:
            assert isinstance(w, QGroupBox)                  # the feature toggles


def test_a_training_setting_changed_in_the_app_reaches_config_and_trainer(session):
    session.set_training(lr=0.5, l2=0.01, optimizer="adam")
    assert (session.config.lr, session.config.l2, session.config.optimizer) == (0.5, 0.01, "adam")
    assert (session.trainer.lr, session.trainer.l2, session.trainer.optimizer.name) == (0.5, 0.01, "adam")
    with pytest.raises(NnvizError, match="l1 must be between"):
        session.set_training(l2=0.02, l1=-1)
    assert session.config.l2 == session.trainer.l2 == 0.01   # nothing changed


@pytest.mark.parametrize("value, shown", [(-1.0, "-1"), (1234567.0, "1234567"), (1e20, "1e+20"),
                                          (10.5, "10.5"), (0.123456789, "0.123456789")])
def test_a_number_out_of_range_is_named_as_it_is_written(value, shown):
    from nnviz.settings import check_number
    with pytest.raises(NnvizError) as err:
        check_number("learning rate", value, low=0.0, high=0.1)
    assert str(err.value) == f"learning rate must be between 0.0 and 0.1 (got {shown})"
