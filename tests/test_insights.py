"""The seed-results panel: linear model, linear regions, gradient check — in the app."""
import numpy as np
import pytest

from nnviz.core import activations
from nnviz.explain import analysis
from ui.insights import GRADCHECK_MIN_HEIGHT, InsightsPanel
from ui.lessons import INSIGHTS_GRADCHECK as GRADCHECK_TAB


@pytest.fixture
def panel(qtbot, session):
    p = InsightsPanel(session)
    qtbot.addWidget(p)
    p.resize(500, 500)
    p.show()
    yield p
    p.close()


def test_identity_shows_linear_model_and_least_squares(panel, session, qtbot):
    with qtbot.waitSignal(session.message, timeout=1000) as msg:
        session.set_activation("identity")
    assert "one linear model" in msg.args[0]
    panel.setCurrentIndex(0)
    html = panel.linear_text.toPlainText()
    b0, beta = analysis.linear_equivalent(session.network)
    assert "identity" in html and f"{b0:+.4f}".replace("-", "−") in html
    assert f"{beta[0]:+.4f}".replace("-", "−") in html
    lb0, lbeta = analysis.least_squares(session.trainer.X, session.trainer.y)
    assert f"{lbeta[1]:+.4f}".replace("-", "−") in html
    assert "Distance between them" in html


def test_a_narrow_dock_scrolls_the_linear_model_table_instead_of_splitting_its_numbers(
        panel, session, qtbot):
    session.set_activation("identity")
    panel.setCurrentIndex(0)
    panel.resize(280, 400)
    qtbot.wait(20)
    text = panel.linear_text
    # Qt's default wrap breaks a word that does not fit anywhere ("−0.075" / "6"); between
    # words only, the table keeps its width and the view scrolls sideways.
    assert text.horizontalScrollBar().maximum() > 0
    doc = text.document()
    b0, _ = analysis.linear_equivalent(session.network)
    number = f"{b0:+.4f}".replace("-", "−")
    block = doc.find(number)
    assert not block.isNull()
    layout = block.block().layout()
    pos = block.selectionStart() - block.block().position()
    assert layout.lineForTextPosition(pos).lineNumber() == layout.lineForTextPosition(
        pos + len(number) - 1).lineNumber()


def test_a_standardized_targets_beta_says_it_is_in_the_targets_units(panel, session):
    """On the plane data (a regression, its target standardized) the table's β is W⁽¹⁾W⁽²⁾
    times σ_y: a learner multiplying the heatmaps' matrices got numbers shown nowhere."""
    session.set_data(dataset="plane")
    session.set_activation("identity")
    session.step_epoch()
    panel.setCurrentIndex(0)
    text = panel.linear_text.toPlainText()
    ts = session.model.target_scaler
    b0, beta = analysis.linear_equivalent(session.network)
    assert f"{beta[0] * ts.std[0]:+.4f}".replace("-", "−") in text
    assert f"{b0 * ts.std[0] + ts.mean[0]:+.4f}".replace("-", "−") in text
    assert f"so its β is W⁽¹⁾W⁽²⁾… times σ_y = {ts.std[0]:.4g}" in text
    assert f"plus μ_y = {ts.mean[0]:.4g}" in text


def test_tanh_says_why_not(panel, session):
    panel.setCurrentIndex(0)
    text = panel.linear_text.toPlainText()
    assert "tanh" in text and "not one linear model" in text
    # The default problem is a classifier: identity units would make it logistic regression,
    # ŷ = σ(X·β + β₀) (it said "linear regression" of a sigmoid output).
    assert "ŷ = σ(z)" in text and "it is logistic regression" in text
    assert "linear regression" not in text.replace("logistic regression", "")


def test_regions_count_and_click(panel, session):
    panel.setCurrentIndex(1)
    # tanh units: the sentence says why there are no regions; no empty plane to click in.
    assert "these are tanh" in panel.region_label.text()
    assert not panel.region_plot.isVisible() and not panel.region_detail.isVisible()
    session.set_activation("relu")
    assert panel.region_plot.isVisible() and panel.region_detail.isVisible()
    g = session.grid()
    expected = analysis.count_regions(session.network, g.features.astype(np.float64))
    assert panel.region_count == expected >= 1
    assert f"{expected} linear regions" in panel.region_label.text()
    text = panel.show_point(1.0, -2.0)
    assert "pattern a" in text and "<b>equal</b>" in text
    # The x of x·W_eff + b_eff is the point's standardized features, said with their numbers
    # (from 1 and −2 themselves the sum came out another number, and nothing said why).
    f = session.model.transform(np.array([[1.0, -2.0]]))[0]
    assert (f"the features x = ({f[0]:.4g}, {f[1]:.4g}), standardized as the first layer sees "
            f"them") in text
    session.step_epoch()
    assert f"(step {session.trainer.step_count})" in panel.region_label.text()


def test_gradient_check_button(panel, session):
    session.step_batch()
    panel.setCurrentIndex(2)
    intro = panel.gradcheck_text.text()
    assert intro.startswith("Backprop computes ∂E/∂θ")
    assert not panel.gradcheck_plot.isVisible()       # no check yet: no empty plot
    panel.gradcheck_button.click()
    check = panel.last_check
    assert check is not None and check.passed
    assert "gradients are right" in panel.gradcheck_text.text()
    assert panel.gradcheck_plot.isVisible()
    img = panel.gradcheck_image.image
    assert img.shape == (4, 8)  # W1 (8 values), b1, W2, b2 as rows, padded to the widest
    assert np.nanmax(img) <= -6
    # A new network: the verdict on the old one goes with its plot.
    session.set_hidden([5])
    assert panel.last_check is None and panel.gradcheck_text.text() == intro
    assert not panel.gradcheck_plot.isVisible()


def test_gradient_check_button_catches_a_wrong_derivative(panel, session, monkeypatch):
    f = activations.ACTIVATIONS["tanh"]
    monkeypatch.setitem(activations.ACTIVATIONS, "tanh", activations.ActivationFunction(
        "tanh", f.value, lambda z, a, out=None: 2 - a * a, None, f.formula, f.derivative_formula))
    session.set_hidden([5])  # rebuild so the layers take the injected derivative
    session.step_batch()
    panel.gradcheck_button.click()
    assert not panel.last_check.passed
    assert "disagree" in panel.gradcheck_text.text()


def test_the_gradient_check_title_elides_in_a_narrow_dock(panel, qtbot):
    """At 1024×700 the Insights dock is about 290 px wide: "log₁₀ relative error per parameter"
    ran past the plot's edge and was cut off; it ends in "…" with the whole title in its
    tooltip, and shows whole where there is room."""
    whole = "log₁₀ relative error per parameter"
    plot = panel.gradcheck_plot.getPlotItem()
    panel.setCurrentIndex(GRADCHECK_TAB)
    panel.gradcheck_button.click()                        # (the plot shows with a check)
    panel.resize(290, 250)                                # (about the dock at 1024×700)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(10)
    label = plot.titleLabel
    shown = label.text
    assert panel.gradcheck_title.text == whole
    assert shown.endswith("…") and whole.startswith(shown[:-1]) and label.toolTip() == whole
    assert label.item.boundingRect().width() <= label.geometry().width()
    panel.resize(700, 250)
    qtbot.wait(10)
    assert label.text == whole and label.toolTip() == ""


def test_the_gradient_check_chart_stays_readable_in_a_short_dock(panel, session, qtbot):
    """At 1024×700 the Insights dock is about 290 × 250 px: the button, the verdict and the
    chart squeezed the chart to a strip about 40 px tall, its rows' ticks (0, 2, 4) on top of
    each other and no key to its colours. Now the tab scrolls and the chart keeps room for its
    rows, each named by its matrix, beside a colour bar of log₁₀ error from −16 to 0."""
    panel.setCurrentIndex(GRADCHECK_TAB)
    assert panel.currentWidget().objectName() == "gradcheckPage"
    session.step_batch()
    panel.gradcheck_button.click()
    panel.resize(290, 250)
    qtbot.wait(10)
    chart = panel.gradcheck_plot
    assert chart.height() >= GRADCHECK_MIN_HEIGHT
    assert panel.currentWidget().verticalScrollBar().maximum() > 0    # the rest is a scroll away
    ticks = chart.getPlotItem().getAxis("left")._tickLevels[0]
    assert [name for _, name in ticks] == ["W⁽¹⁾", "b⁽¹⁾", "W⁽²⁾", "b⁽²⁾"]
    assert [pos for pos, _ in ticks] == [0.5, 1.5, 2.5, 3.5]          # each row's middle
    assert tuple(panel.gradcheck_bar.levels()) == (-16, 0)
    assert "Per matrix: W⁽¹⁾ " in panel.gradcheck_text.text()      # named as on the chart
    short = chart.height()
    session.set_hidden([3, 3, 3, 3, 3])                  # 6 layers: 12 rows get more room
    session.step_batch()
    panel.gradcheck_button.click()
    qtbot.wait(10)
    assert len(chart.getPlotItem().getAxis("left")._tickLevels[0]) == 12
    assert chart.height() >= 12 * 18 > short
    panel.resize(290, 900)                               # a tall dock: no scrolling
    qtbot.wait(10)
    assert panel.currentWidget().verticalScrollBar().maximum() == 0
