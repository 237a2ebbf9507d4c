"""Help › Guide: every lesson's Show me sets up what its text says; presentation mode comes and
goes without a trace; F1 opens the guide."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QToolBar

from nnviz.core.stages import StageKind
from nnviz.explain import analysis
from ui import lessons
from ui.lessons import LESSONS


@pytest.fixture(autouse=True)
def _kept(kept_layout):
    """The guide opens and moves docks; the windows after these tests see the layout as before."""
    yield


def show(window, key):
    window.guide.open(key)
    assert window.guide.panel.lesson.key == key
    assert window.guide.panel.show_me()
    QApplication.processEvents()
    return window.session


def current(session):
    assert 0 <= session.stage_index < len(session.stages)
    return session.stages[session.stage_index]


def in_front(window, name) -> bool:
    dock = window.docks[name]
    return dock.isVisible() and dock.widget().isVisible()


def test_the_guide_has_a_notation_card_and_at_least_ten_lessons():
    assert LESSONS[0] is lessons.NOTATION
    steps = [x for x in LESSONS if x.setup is not None]
    assert len(steps) >= 10
    assert len({x.key for x in LESSONS}) == len(LESSONS)
    for name in ("X", "W⁽ᵏ⁾", "b⁽ᵏ⁾", "Z⁽ᵏ⁾", "H", "ŷ", "δ⁽ᵏ⁾", "η", "m×p", "fan_in×fan_out",
                 "1×fan_out", "from-to"):
        assert name in lessons.NOTATION.body, name
    for x in steps:
        assert x.look.startswith("Look at"), x.key
        assert "Show me" in x.body, x.key


def test_f1_opens_the_guide(window, qtbot):
    assert window.actionGuide.shortcut() == QKeySequence("F1")
    assert window.findChild(type(window.guide.dock), "Guide") is window.guide.dock
    assert window.guide.dock.isHidden()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_F1)
    assert not window.guide.dock.isHidden()
    assert window.guide.panel.isVisible()
    assert "Guide" in [a.text() for a in window.menuBar().actions()[-1].menu().actions()]


def test_the_shortcuts_do_not_clash(window):
    keys = [a.shortcut().toString() for a in window.findChildren(type(window.actionGuide))
            if not a.shortcut().isEmpty()]
    assert len(keys) == len(set(keys)), keys
    assert window.actionPresentation.shortcut() == QKeySequence("F11")


def test_lesson_1_count_matches_the_status_bar(window):
    s = show(window, "count")
    assert s.network.sizes == [2, 4, 1]
    assert window.param_count_label.text() == s.network.parameter_formula()
    assert window.param_count_label.text().startswith("(p+1)·M + M + 1")
    assert window.param_count_label.text().endswith("= 17") and s.network.parameter_count() == 17
    assert "(p+1)·M + M + 1" in lessons.lesson("count").body
    assert window.guide.panel.flashing()            # the count is highlighted for a moment
    assert window.statusBar().currentMessage() == lessons.lesson("count").look


def test_lesson_2_shows_layer_1_forward_in_rows(window):
    s = show(window, "neuron")
    stage = current(s)
    assert stage.kind == StageKind.DENSE_FORWARD and stage.layer == 1
    assert not window.step_panel.toggles["column"].isChecked()
    assert in_front(window, "Step through")
    X, W, b = stage.operands["X"], stage.operands["W⁽¹⁾"], stage.operands["b⁽¹⁾"]
    np.testing.assert_allclose(stage.result, X @ W + b)       # what the text says it is
    assert "Z⁽¹⁾ = X · W⁽¹⁾ + b⁽¹⁾" in window.step_panel.text()
    assert "w₁₁·x₁ + w₂₁·x₂ + b₁" in window.step_panel.text()  # one unit's sum, index form


def test_lesson_3_relu_activation_with_the_hadamard_form(window):
    s = show(window, "activation")
    assert s.network.activations[:-1] == ["relu"]
    stage = current(s)
    assert stage.kind == StageKind.ACTIVATION_FORWARD and stage.layer == 1
    assert window.step_panel.toggles["hadamard"].isChecked()
    assert "⊙" in window.step_panel.text()
    z, h = stage.operands["Z⁽¹⁾"], stage.result
    np.testing.assert_array_equal(h, (z > 0) * z)              # a ⊙ z with a = [z > 0]
    assert in_front(window, "Step through")


def test_lesson_4_delta_at_the_logit_is_prediction_minus_target(window):
    s = show(window, "loss")
    stage = current(s)
    assert stage.kind == StageKind.LOSS_BACKWARD
    assert s.model.loss == "log_loss" and s.network.activations[-1] == "sigmoid"
    np.testing.assert_allclose(stage.result, stage.operands["ŷ"] - stage.operands["y"])
    assert "δ⁽²⁾ = ŷ − y" in lessons.lesson("loss").body


def test_lesson_5_weight_gradient_as_outer_products(window):
    s = show(window, "outer")
    stage = current(s)
    assert stage.kind == StageKind.DENSE_BACKWARD and stage.layer == 1
    assert window.step_panel.toggles["outer"].isChecked()
    assert not window.step_panel.toggles["hadamard"].isChecked()
    X, d = stage.operands["X"], stage.operands["δ⁽¹⁾"]
    outer = sum(np.outer(X[i], d[i]) for i in range(len(X))) / len(X)
    np.testing.assert_allclose(stage.results["∂E/∂W⁽¹⁾"], outer)
    assert "outer" in window.step_panel.text().lower()


def test_lesson_6_update_moves_against_the_gradient(window, qtbot):
    window.resize(1024, 700)                  # (a narrow panel: the matrices or the words)
    qtbot.wait(50)
    s = show(window, "update")
    stage = current(s)
    assert stage.kind == StageKind.UPDATE
    lr = s.config.lr
    np.testing.assert_allclose(stage.results["new W⁽¹⁾"],
                               stage.operands["W⁽¹⁾"] - lr * stage.operands["∂E/∂W⁽¹⁾"])
    assert in_front(window, "Step through")
    # Before, gradient and after, at any panel size (the matrices at 1400x900 were the new
    # ones only, while the lesson promised all three): the index form is revealed.
    assert window.step_panel.index_label.isVisible()
    assert "w₁₁⁽¹⁾ ← w₁₁⁽¹⁾ − η·∂E/∂w₁₁⁽¹⁾ = " in window.step_panel.text()


def test_lesson_7_identity_collapses_to_the_linear_model(window):
    s = show(window, "identity")
    assert s.network.activations[:-1] == ["identity"]
    assert window.insights_panel.currentIndex() == lessons.INSIGHTS_LINEAR
    assert in_front(window, "Insights")
    b0, beta = analysis.linear_equivalent(s.network)
    W1, W2 = s.network.dense[0].W, s.network.dense[1].W
    np.testing.assert_allclose(beta, (W1 @ W2).ravel())
    assert "one linear model" in window.insights_panel.linear_text.toPlainText()


def test_lesson_8_relu_regions(window):
    s = show(window, "regions")
    assert s.network.activations[:-1] == ["relu"]
    assert window.insights_panel.currentIndex() == lessons.INSIGHTS_REGIONS
    assert in_front(window, "Insights")
    m = s.network.sizes[1]
    assert 1 <= window.insights_panel.region_count <= 1 + m + m * (m - 1) // 2


def test_lesson_9_gradient_check_passes(window):
    s = show(window, "gradcheck")
    assert s.network.activations[:-1] == ["tanh"]
    assert window.insights_panel.currentIndex() == lessons.INSIGHTS_GRADCHECK
    assert window.insights_panel.last_check.verdict == "passes"


def test_lesson_10_two_hidden_layers(window):
    s = show(window, "deeper")
    assert s.network.sizes == [2, 4, 3, 1]
    assert s.network.parameter_count() == 31 == (2 + 1) * 4 + (4 + 1) * 3 + (3 + 1) * 1
    assert window.param_count_label.text().endswith("= 31")
    stage = current(s)
    assert stage.kind == StageKind.DENSE_FORWARD and stage.layer == 2
    np.testing.assert_allclose(stage.result, stage.operands["H⁽¹⁾"] @ stage.operands["W⁽²⁾"]
                               + stage.operands["b⁽²⁾"])


def test_lesson_11_k_classes_output_error_is_probabilities_minus_one_hot(window):
    s = show(window, "classes")
    assert s.network.sizes == [2, 4, 3] and s.network.activations[-1] == "softmax"
    assert window.param_count_label.text() == "(p+1)·M + (M+1)·K = (2+1)·4 + (4+1)·3 = 27"
    stage = current(s)
    assert stage.kind == StageKind.LOSS_BACKWARD
    delta = np.asarray(stage.result)
    assert delta.shape[1] == 3
    np.testing.assert_allclose(delta.sum(axis=1), 0.0, atol=1e-12)   # ŷ − y: rows sum to 0
    assert window.docks["Step through"].isVisible()
    assert in_front(window, "Classes")        # "the Classes panel counts": it was behind a tab
    assert "δ⁽²⁾ = ŷ − y (m×3)" in lessons.lesson("classes").body


def test_a_lesson_after_the_deeper_one_goes_back_to_one_layer(window):
    show(window, "deeper")
    s = show(window, "activation")
    assert s.network.sizes == [2, 4, 1]


def test_show_me_twice_stays_on_its_stage(window):
    show(window, "outer")
    first = window.session.stage_index
    s = show(window, "outer")
    assert s.stage_index == first and current(s).kind == StageKind.DENSE_BACKWARD


def test_a_failing_set_up_warns_instead_of_raising(window, warnings, monkeypatch):
    def broken(_win):
        raise RuntimeError("boom")
    panel = window.guide.panel
    monkeypatch.setattr(type(panel), "lesson", property(
        lambda self: lessons.Lesson("x", "x", "x", broken, None, "Look at x")))
    assert panel.show_me() is False
    assert len(warnings) == 1 and "boom" in warnings[0]


def test_navigation_buttons(window):
    panel = window.guide.panel
    panel.open_lesson(0)
    assert not panel.prev_button.isEnabled() and panel.show_button.isHidden()
    panel.next_button.click()
    assert panel.lesson is LESSONS[1] and not panel.show_button.isHidden()
    panel.open_lesson(len(LESSONS) - 1)
    assert not panel.next_button.isEnabled()


def _state(window):
    docks = {n: d.isHidden() for n, d in window.docks.items()}
    toolbar = [(a.text(), a.isVisible()) for tb in window.findChildren(QToolBar)
               for a in tb.actions()]
    return docks, toolbar


@pytest.mark.parametrize("closed", [(), ("Hyperparameters",)])
def test_presentation_mode_on_then_off_restores_everything(window, closed):
    for name in closed:
        window.docks[name].hide()
    app = QApplication.instance()
    font = app.font()
    size = font.pointSizeF()
    before = _state(window)
    combo = window.speed_combo.isVisible()   # (False when the toolbar's overflow holds it)
    window.actionPresentation.trigger()
    QApplication.processEvents()             # the toolbar lays out its hidden items
    try:
        assert window.actionPresentation.isChecked()
        assert app.font().pointSizeF() == pytest.approx(1.5 * size)
        assert window.docks["Data"].isHidden() and window.docks["Hyperparameters"].isHidden()
        assert not window.speed_combo.isVisible()
        assert not window.docks["Output"].isHidden()
    finally:
        window.actionPresentation.trigger()
    QApplication.processEvents()
    assert window.speed_combo.isVisible() == combo
    assert not window.actionPresentation.isChecked()
    assert app.font() == font and app.font().pointSizeF() == size
    assert _state(window) == before


def test_no_lesson_text_cites_the_reference_documents():
    from tests.test_no_citations import CITATION
    for x in LESSONS:
        for text in (x.title, x.body, x.look):
            assert not CITATION.search(text), x.key
            assert "seed" not in text.lower(), x.key



def test_closing_in_presentation_mode_puts_the_font_and_layout_back(qtbot, kept_layout):
    from PySide6.QtCore import QSettings
    from ui.main_window import SETTINGS_VERSION, MainWindow
    app = QApplication.instance()
    font = app.font()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.actionPresentation.trigger()
    assert app.font() != font
    w.session.shutdown()
    w.close()
    assert app.font() == font                      # the next window is not drawn large
    w2 = MainWindow()                              # nor opens without its settings
    qtbot.addWidget(w2)
    assert w2.restoreState(QSettings("nnviz", "nnviz").value("windowState"), SETTINGS_VERSION)
    assert not w2.docks["Data"].isHidden() and not w2.docks["Hyperparameters"].isHidden()
    w2.session.shutdown()
    w2.close()


@pytest.mark.parametrize("size", [(1024, 700), (1920, 1080)])
@pytest.mark.parametrize("key, view", [("activation", "Hadamard"), ("outer", "Outer products")])
def test_a_lessons_view_is_in_sight_after_show_me(window, qtbot, size, key, view):
    """Show me ticks the view its lesson is about. It sat below the equations' fold (even at
    1920×1080), or behind Details where the panel is narrow (1024×700): the lesson said to look
    at it and the panel did not show it. Now the words show, scrolled to the view; the next
    lesson without a view shows the matrices again."""
    window.resize(*size)
    qtbot.wait(20)
    show(window, key)
    panel = window.step_panel
    label, viewport = panel.seed_label, panel.scroll.viewport()
    assert panel.scroll.isVisible() and label.text().find(view) >= 0
    top = label.mapTo(viewport, label.rect().topLeft()).y()
    assert 0 <= top < viewport.height() // 2             # the view's first lines in sight
    assert label.visibleRegion().boundingRect().height() >= min(label.height(),
                                                                viewport.height() // 2)
    show(window, "loss")                                 # no view: the matrices in sight
    assert panel.matrices.isVisible() and not panel.details_button.isChecked()


def test_each_operation_s_words_start_at_their_top_or_at_the_view(window, qtbot):
    """After lesson 5 scrolled the words to the outer products, Next ▶ (the update, where the
    view has nothing to show) kept that offset and opened the update's words in the middle. A
    new operation now shows its words from the top, or at a view that shows something for it."""
    window.resize(1920, 1080)
    qtbot.wait(20)
    s = show(window, "outer")
    panel = window.step_panel
    bar = panel.scroll.verticalScrollBar()
    assert bar.value() > 0                              # at the outer products
    s.step_operation()                                  # the update
    QApplication.processEvents()
    assert current(s).kind == StageKind.UPDATE and bar.value() == 0
    s.previous_operation()                              # layer 1 backward again: at its view
    QApplication.processEvents()
    assert current(s).kind == StageKind.DENSE_BACKWARD and bar.value() == panel.seed_label.y() > 0


@pytest.mark.parametrize("size", [(1024, 700), (1920, 1080)])
def test_lesson_2_shows_the_index_form_it_speaks_of(window, qtbot, size):
    """Lesson 2 says to look at the index form (each unit's sum for the selected sample, with
    its numbers); at 1024×700 it was behind Details."""
    window.resize(*size)
    qtbot.wait(20)
    show(window, "neuron")
    panel = window.step_panel
    label, viewport = panel.index_label, panel.scroll.viewport()
    assert panel.scroll.isVisible() and "Index form" in label.text()
    QApplication.processEvents()
    top = label.mapTo(viewport, label.rect().topLeft()).y()
    assert 0 <= top < viewport.height() // 2             # its first lines in sight
    assert label.visibleRegion().boundingRect().height() >= min(label.height(),
                                                                viewport.height() // 2)
