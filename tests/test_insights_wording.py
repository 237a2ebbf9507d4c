"""The Insights panel's words: no region or tree talk for a linear net (and why), "linear in the
features …" with made features, coefficients named in their space (and in raw units), the
least-squares caveat on class labels, and logistic regression for a net with no hidden layer."""
import numpy as np
import pytest

from nnviz.explain import analysis
from nnviz.experiment import Config
from ui.insights import InsightsPanel
from ui.session import Session


@pytest.fixture
def make(qtbot):
    made = []

    def make_panel(config):
        s = Session(config)
        p = InsightsPanel(s)
        qtbot.addWidget(p)
        p.resize(600, 500)
        p.show()
        made.append(s)
        return s, p

    yield make_panel
    for s in made:
        s.shutdown()


def linear_text(p) -> str:
    p.setCurrentIndex(0)
    return p.linear_text.toPlainText()


def region_text(p) -> str:
    p.setCurrentIndex(1)
    return p.region_label.text()


def test_identity_net_has_one_region_and_says_why(make):
    s, p = make(Config(seed=1, hidden=[4], activation="identity"))
    words = region_text(p)
    assert words.startswith("One region") and "one linear model" in words
    assert "regions in view" not in words and p.region_count is None
    assert p.show_point(0.5, 0.5) == ""         # no pattern to show for one linear model
    assert "tree" not in linear_text(p).lower() and "region" not in linear_text(p).lower()


def test_no_hidden_layer_is_logistic_regression_with_its_fit(make):
    s, p = make(Config(seed=1, hidden=[], batch_size=10))
    s.step_epoch()
    text = linear_text(p)
    assert "No hidden layer: the network is logistic regression" in text
    assert "logistic fit" in text and "Coefficients on standardized features" in text
    fit = analysis.logistic_fit(s.trainer.X, s.trainer.y)
    assert f"{fit.coefficients[0]:+.4f}".replace("-", "−") in text
    assert region_text(p).startswith("One region: with no hidden layer")


def test_features_are_named_and_coefficients_live_in_their_space(make):
    s, p = make(Config(seed=1, hidden=[3], activation="identity",
                       features=["x1", "x2", "x1^2", "x2^2"]))
    text = linear_text(p)
    names = ", ".join(s.model.features)
    assert f"linear in the features {names}" in text and "not in the raw inputs x1, x2" in text
    assert "network, own units" in text and "Coefficients on standardized features" in text
    assert "'own units' undoes that" in text
    b0, beta = analysis.linear_equivalent(s.network)
    rb0, rbeta = analysis.raw_units(b0, beta, s.model.scaler.mean, s.model.scaler.std)
    assert f"{rbeta[2]:+.4f}".replace("-", "−") in text
    # The raw-units model gives the same z as the standardized one on raw rows.
    raw = s.dataset.X[:5]
    from nnviz.data import features as features_mod
    F = features_mod.expand(raw, s.model.inputs, s.model.features)
    np.testing.assert_allclose(F @ rbeta + rb0, s.model.transform(raw) @ beta + b0, atol=1e-9)


def test_least_squares_on_class_labels_carries_its_caveat(make):
    s, p = make(Config(seed=1, hidden=[4], activation="identity"))
    text = linear_text(p)
    assert "least squares here fits the 0/1 labels themselves" in text.lower()
    assert analysis.least_squares_caveat().split(";")[0][1:] in text
    r, q = make(Config(dataset="plane", seed=1, hidden=[2], activation="identity"))
    assert q.session.task == "regression"
    assert "0/1 labels" not in linear_text(q) and "logistic" not in linear_text(q)
