"""The app with a standardized regression target: a check box in the Data panel turns it off
and on, the loss chart says in which units it reads, and the plots and readouts show the
target's own units."""
import numpy as np

from nnviz.data import csvdata
from ui import data_actions
from ui.controls import DataPanel
from ui.boundary_view import BoundaryPlot
from ui.loss_view import LossPlot


def _diabetes(session, **kw):
    target = next(t for f, t, _ in data_actions.SAMPLES if f == "diabetes.csv")
    ds = csvdata.load_dataset(data_actions.DATASETS / "diabetes.csv", target, **kw)
    session.set_dataset(ds, test_ratio=data_actions.SAMPLE_TEST_RATIO, seed=1)
    return ds


def test_check_box_turns_target_scaling_off_and_on(qtbot, session):
    panel = DataPanel(session)
    qtbot.addWidget(panel)
    box = panel.standardize_target
    assert not box.isEnabled()                          # the circle: nothing to scale,
    assert not box.isChecked()                          # so nothing reads as scaled
    assert session.config.standardize_target is True    # (the setting waits for a regression)
    assert "standard deviation" in box.toolTip() and "loss" in box.toolTip()
    _diabetes(session)
    assert box.isEnabled() and box.isChecked()
    assert session.model.target_scaler is not None
    assert session.trainer.history.train_loss[0] < 3    # near 1: standardized units
    box.setChecked(False)
    assert session.config.standardize_target is False and session.model.target_scaler is None
    assert session.trainer.history.train_loss[0] > 1000  # the target's squared units
    session.undo()
    assert box.isChecked() and session.model.target_scaler is not None
    session.set_data(dataset="circle")                  # back to class labels: unticked again
    assert not box.isEnabled() and not box.isChecked()
    assert session.config.standardize_target is True


def test_loss_chart_names_its_units(qtbot, session):
    plot = LossPlot(session)
    qtbot.addWidget(plot)
    left = plot.getPlotItem().getAxis("left")
    assert left.labelText == "loss"
    _diabetes(session)
    assert left.labelText == "loss (standardized target units)"
    assert "standardized" in left.toolTip() and "own units" in left.toolTip()
    plot.logAction.setChecked(True)
    assert left.labelText == "loss (standardized target units, log scale)"
    session.set_standardize_target(False)
    assert left.labelText == "loss (log scale)"


def test_output_line_and_rmse_are_in_the_targets_units(qtbot, session):
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    ds = _diabetes(session, features=["bmi"])
    for _ in range(3):
        session.step_epoch()
    xs, yhat = plot.curve.getData()
    expected = session.model.predict(xs[:, None]).ravel()
    np.testing.assert_allclose(yhat, expected, rtol=1e-5)
    assert 50 < float(np.mean(yhat)) < 300               # progression, not about 0
    loss_plot = LossPlot(session)
    qtbot.addWidget(loss_plot)
    session.step_epoch()
    loss_plot._update_readout()
    h = session.trainer.history
    rmse_test = session.model.target_scaler.std[0] * np.sqrt(2 * h.test_loss[-1])
    pred = session.model.predict(ds.X[session.exp.test_idx])
    assert abs(rmse_test - np.sqrt(np.mean((pred - ds.y[session.exp.test_idx]) ** 2))) < 1e-9 * rmse_test
    assert 30 < rmse_test < 120 and f"RMSE " in loss_plot.readout._text
    assert f"{rmse_test:.3f}" in loss_plot.readout._text        # e.g. 57.874, not 0.75


def test_step_through_says_y_is_standardized_where_y_appears(qtbot, session):
    from nnviz.core.stages import StageKind
    from ui.step_panel import StepPanel
    panel = StepPanel(session)
    qtbot.addWidget(panel)
    _diabetes(session)
    seen = {}
    for _ in range(12):
        session.step_operation()
        stage = session.stages[session.stage_index]
        seen[stage.kind] = panel.notes.text()
    for kind in (StageKind.LOSS, StageKind.LOSS_BACKWARD):
        assert "standardized target (y − μ_y)/σ_y" in seen[kind]
    assert "standardized target" not in seen[StageKind.DENSE_FORWARD]
    session.set_standardize_target(False)
    for _ in range(12):
        session.step_operation()
        if session.stages[session.stage_index].kind == StageKind.LOSS:
            assert "standardized" not in panel.notes.text()
            break
    else:
        raise AssertionError("no loss stage reached")


def test_insights_linear_model_is_in_the_targets_units(qtbot, session):
    from ui.insights import InsightsPanel
    panel = InsightsPanel(session)
    qtbot.addWidget(panel)
    ds = _diabetes(session)
    session.set_hidden([])                       # linear regression of progression
    html = panel._linear_html_for(session)
    exp = session.exp
    A = np.c_[exp.F_train, np.ones(len(exp.train_idx))]
    ols = np.linalg.lstsq(A, ds.y[exp.train_idx], rcond=None)[0]   # in the target's units
    assert f"{ols[-1]:+.4f}" in html and f"{ols[2]:+.4f}" in html   # β₀ ≈ 150 and β of bmi
    assert ols[-1] > 100
