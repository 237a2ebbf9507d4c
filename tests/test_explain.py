"""nnviz.explain.equations: the equations, arrays, index form and seed views of recorded stages."""
import numpy as np
import pytest

from nnviz.explain import equations as explain
from nnviz.core import losses
from nnviz.core.stages import sup
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer

# The 2→2→1 example of tests/test_hand_worked.py: relu hidden, sigmoid output, log-loss,
# mean over m = 2 rows, SGD with η = 0.5.
from test_hand_worked import B1, B2, W1, W2, X, Y  # noqa: E402


def hand_stages(optimizer="sgd", reduction="mean"):
    net = Network([2, 2, 1], "relu", "sigmoid")
    net.set_weights([(W1, B1), (W2, B2)])
    tr = Trainer(net, losses.make("log_loss", "sigmoid", reduction), X, Y, lr=0.5, batch_size=2,
                 shuffle=False, optimizer=optimizer)
    return list(tr.stage_step())


def by_name(stages):
    return {s.name: s for s in stages}


# Several networks and batches: (sizes, hidden activation(s), output, loss, reduction, rows, batch).
CASES = [
    ([2, 2, 1], "relu", "sigmoid", "log_loss", "mean", 7, 5),
    ([3, 5, 1], "tanh", "sigmoid", "log_loss", "sum", 12, 12),
    ([2, 4, 3, 1], ["leaky_relu", "sigmoid"], "identity", "squared_error", "mean", 9, 4),
    ([4, 3, 1], "identity", "sigmoid", "squared_error", "mean", 6, 6),   # not fused
    ([1, 6, 1], "relu", "identity", "squared_error", "sum", 30, 17),
]


def run_case(sizes, hidden, out, loss, reduction, rows, batch, seed=3):
    rng = np.random.default_rng(seed)
    net = Network(sizes, hidden, out)
    net.params[:] = rng.normal(0, 0.8, net.params.size)
    Xd = rng.normal(size=(rows, sizes[0]))
    yd = (rng.random(rows) > 0.5).astype(float) if loss == "log_loss" else rng.normal(size=rows)
    tr = Trainer(net, losses.make(loss, out, reduction), Xd, yd, lr=0.1, batch_size=batch,
                 shuffle=False)
    before = net.copy()
    return before, net, tr, list(tr.stage_step())


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c[0])) + f"-{c[3]}-{c[4]}")
def test_displayed_arrays_are_the_engines(case):
    before, after, tr, stages = run_case(*case)
    m = case[6]
    Xb = tr.X[:m]
    outs = before.layer_outputs(Xb)
    for st in stages:
        row = explain.arrays(st, explain.ROW)
        col = explain.arrays(st, explain.COLUMN)
        assert [a.key for a in row] == [a.key for a in col]
        for r, c in zip(row, col):
            engine = dict(st.operands, **st.results).get(r.key)
            if engine is None:   # optimizer state
                continue
            np.testing.assert_array_equal(r.values, np.asarray(engine, dtype=float))
            # The column notation shows the same numbers, transposed (a bias as a column).
            expect = np.asarray(engine, dtype=float)
            expect = expect.reshape(-1, 1) if expect.ndim == 1 else expect.T
            np.testing.assert_array_equal(c.values, expect)
    named = by_name(stages)
    # Forward results against an independent forward pass of the network before the step.
    for k, (z, a) in enumerate(outs, 1):
        np.testing.assert_allclose(named[f"dense{k}.forward"].result, z, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(named[f"activation{k}.forward"].result, a, rtol=1e-13, atol=1e-13)
    # Gradients against the row-by-row loop, and the update against the network after the step.
    rb = explain.row_by_row_gradients(stages)
    for k in range(1, len(case[0])):
        res = named[f"dense{k}.backward"].results
        np.testing.assert_allclose(res[f"∂E/∂W{sup(k)}"], rb["dW"][k - 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(res[f"∂E/∂b{sup(k)}"], rb["db"][k - 1], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(named["update"].results[f"new W{sup(k)}"], after.dense[k - 1].W)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c[0])))
def test_row_by_row_equals_vectorised(case):
    _, _, _, stages = run_case(*case)
    for st in stages:
        if explain.kind(st) == "dense_backward":
            view = explain.row_by_row(stages, st)
            assert view.applies and view.check <= 1e-12
            assert view.lines[-1].startswith("largest |row-by-row − vectorised| (W and b) = ")


def test_row_by_row_is_an_independent_computation():
    """Tampering with the recorded gradient shows up as a difference: the check can fail."""
    stages = hand_stages()
    st = by_name(stages)["dense1.backward"]
    st.results["∂E/∂W⁽¹⁾"][0, 0] += 1e-3
    view = explain.row_by_row(stages, st)
    assert view.check == pytest.approx(1e-3, rel=1e-6)


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "identity"])
def test_hadamard_form_equals_activation_output(act):
    _, _, _, stages = run_case([3, 6, 1], act, "sigmoid", "log_loss", "mean", 20, 20, seed=5)
    st = by_name(stages)["activation1.forward"]
    z = st.operands["Z⁽¹⁾"]
    slopes = st.results["a (slopes)"]
    np.testing.assert_array_equal(slopes * z, st.results["H"])
    assert act == "identity" or ((slopes == 1).any() and (slopes != 1).any())  # both pieces occur
    view = explain.hadamard_form(st, sample=4)
    assert view.applies and view.check == 0.0
    assert view.lines[1:4] == ["sample 5:", f"    z = {explain.vec(z[4])}",
                               f"    a = {explain.vec(slopes[4])}"]


def test_hadamard_form_declines_smooth_activations():
    _, _, _, stages = run_case([2, 3, 1], "tanh", "sigmoid", "log_loss", "mean", 4, 4)
    view = explain.hadamard_form(by_name(stages)["activation1.forward"])
    assert not view.applies and "not piecewise linear" in view.lines[0]
    assert not explain.hadamard_form(by_name(stages)["dense1.forward"]).applies


def test_hand_worked_panel_text():
    st = by_name(hand_stages())
    # Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾ with X [2×2], W⁽¹⁾ [2×2], b⁽¹⁾ [1×2].
    assert explain.equations(st["dense1.forward"]) == [
        ("Z⁽¹⁾ = X · W⁽¹⁾ + b⁽¹⁾", "[2×2]·[2×2] + [1×2] → [2×2]")]
    # Sample 1, x = [1, 2]: z₁ = 0.1·1 + 0.3·2 + 0 = 0.7; z₂ = −0.2·1 + 0.4·2 − 0.5 = 0.1.
    assert explain.index_form(st["dense1.forward"], 0) == [
        "sample 1: X row 1 = [1, 2]",
        "z₁ = w₁₁·x₁ + w₂₁·x₂ + b₁ = 0.1·1 + 0.3·2 + 0 = 0.7",
        "z₂ = w₁₂·x₁ + w₂₂·x₂ + b₂ = (−0.2)·1 + 0.4·2 + (−0.5) = 0.1"]
    # Sample 2, x = [−1, 0.5]: z₁ = −0.1 + 0.15 = 0.05; z₂ = 0.2 + 0.2 − 0.5 = −0.1.
    assert explain.index_form(st["dense1.forward"], 1)[2] == \
        "z₂ = w₁₂·x₁ + w₂₂·x₂ + b₂ = (−0.2)·(−1) + 0.4·0.5 + (−0.5) = −0.1"
    # relu: h = max(0, z); sample 2: h₂ = max(0, −0.1) = 0, and a = [1, 0].
    assert explain.index_form(st["activation1.forward"], 1)[1:] == [
        "h₁ = max(0, z₁) = max(0, 0.05) = 0.05", "h₂ = max(0, z₂) = max(0, −0.1) = 0"]
    had = explain.hadamard_form(st["activation1.forward"], 1)
    assert had.lines[1:6] == ["sample 2:", "    z = [0.05, −0.1]", "    a = [1, 0]",
                              "a ⊙ z = [1·0.05, 0·(−0.1)] = [0.05, 0]", " σ(z) = [0.05, 0]"]
    # z⁽²⁾ for sample 1 = 0.5·0.7 + (−1)·0.1 + 0.2 = 0.45; ŷ = 1/(1 + e^−0.45) = 0.61064 → 0.6106.
    assert explain.index_form(st["dense2.forward"], 0)[1] == \
        "z = w₁₁·h₁ + w₂₁·h₂ + b = 0.5·0.7 + (−1)·0.1 + 0.2 = 0.45"
    assert explain.index_form(st["activation2.forward"], 0)[1] == \
        "ŷ = 1/(1 + e^(−z)) = 1/(1 + e^(−0.45)) = 0.6106"
    # e₁ = −log 0.6106 = 0.4932; e₂ = −log(1 − 0.5560) = 0.8120 → "0.812"; E = ½(0.4932 + 0.812) = 0.6526.
    assert explain.index_form(st["loss.forward"], 0) == [
        "e₁ = −[y₁·log ŷ₁ + (1 − y₁)·log(1 − ŷ₁)] = −[1·log(0.6106) + 0·log(0.3894)] = 0.4932",
        "E = (1/m)·Σᵢ eᵢ = (1/2)·(0.4932 + 0.812) = 0.6526"]
    # δ = ŷ − y: sample 1: 0.6106 − 1 = −0.3894.
    assert explain.index_form(st["loss.backward"], 0) == ["sample 1: δ = ŷ − y = 0.6106 − 1 = −0.3894"]
    assert explain.equations(st["dense2.backward"])[0] == ("∂E/∂W⁽²⁾ = (1/m) Hᵀ · δ⁽²⁾", "[2×2]·[2×1] → [2×1]")
    # ∂E/∂w₁₁⁽²⁾ = ½(0.7·(−0.3894) + 0.05·0.5560) = ½(−0.27255 + 0.02780) = −0.1224.
    lines = explain.index_form(st["dense2.backward"], 0)
    assert "  ∂E/∂w₁₁ = (1/2)·Σᵢ hᵢ₁·δᵢ₁ = (1/2)·(0.7·(−0.3894) + 0.05·0.556) = −0.1224" in lines
    # ∂e/∂h₂ for sample 1 = δ·w₂₁ = (−0.3894)·(−1) = 0.3894.
    assert "  ∂e/∂h₂ = δ₁·w₂₁ = (−0.3894)·(−1) = 0.3894" in lines
    # δ⁽¹⁾ = ∂e/∂H ⊙ relu′: sample 1: (−0.1947)·1 = −0.1947.
    assert explain.index_form(st["activation1.backward"], 0)[1] == \
        "δ₁ = ∂e/∂h₁·σ′(z₁) = (−0.1947)·1 = −0.1947"
    # Outer products for layer 1: x₁ᵀδ₁ = [1; 2]·[−0.1947, 0.3894] = [−0.1947, 0.3894; −0.3894, 0.7787].
    outer = explain.outer_products(st["dense1.backward"])
    assert outer.lines[1] == ("sample 1: xᵀ·δ = column [1, 2] times row [−0.1947, 0.3894] = "
                              "[−0.1947, 0.3894; −0.3894, 0.7787]")
    assert outer.check == 0.0 and "[2×2]" in outer.lines[-1]
    # Update: w₁₁⁽¹⁾ = 0.1 − 0.5·(−0.2363) = 0.2182.
    assert explain.index_form(st["update"])[1] == "w₁₁⁽¹⁾ ← w₁₁⁽¹⁾ − η·∂E/∂w₁₁⁽¹⁾ = 0.1 − 0.5·(−0.2363) = 0.2182"


def test_the_outer_product_view_writes_x_i_as_a_row_as_everywhere():
    """xᵢ is row i of X in every text: the one-sample equation is zᵢ = xᵢ·W + b, and each
    sample's outer product is xᵢᵀ (a column) times δᵢ (a row), [n_in×n_out] like W, with the
    mean's 1/m in every sum (the view's title said δ·aᵀ, the shape of Wᵀ)."""
    st = by_name(hand_stages())
    assert explain.notation_note(st["dense1.forward"])[0].startswith(
        "one sample (a row): zᵢ = xᵢ·W⁽¹⁾ + b⁽¹⁾   [1×2]·[2×2] + [1×2] → [1×2]")
    outer = explain.outer_products(st["dense1.backward"])
    assert "aᵀ" not in outer.title
    assert outer.lines[0] == ("∂E/∂W⁽¹⁾ = (1/m)·Σᵢ xᵢᵀ·δᵢ: each sample adds the outer product of "
                              "its xᵢᵀ (a [2×1] column) and its δᵢ (a [1×2] row) → [2×2].")
    assert "one number ∂E/∂w_rc = (1/m)·Σᵢ xᵢr·δᵢc for every" in outer.lines[-1]
    column = explain.outer_products(st["dense1.backward"], notation=explain.COLUMN)
    assert "its {δᵢ} (a [2×1] column) and its {xᵢ}ᵀ (a [1×2] row)" in column.lines[0]
    summed = explain.outer_products(by_name(hand_stages(reduction="sum"))["dense1.backward"])
    assert "one number ∂E/∂w_rc = Σᵢ xᵢr·δᵢc for every" in summed.lines[-1]


def test_forms_follow_reduction_and_optimizer():
    st = by_name(hand_stages(reduction="sum"))
    assert explain.equations(st["dense1.backward"])[0][0] == "∂E/∂W⁽¹⁾ = Xᵀ · δ⁽¹⁾"
    assert explain.index_form(st["loss.forward"], 0)[1] == "E = Σᵢ eᵢ = 0.4932 + 0.812 = 1.305"
    # Momentum, first step: v = 0.9·0 + g = −0.4727 (sum reduction: g = 2 × −0.2363); w = 0.1 − 0.5·v.
    mom = by_name(hand_stages("momentum", "sum"))["update"]
    line = explain.index_form(mom)[1]
    assert line == ("v ← β·v + ∂E/∂w₁₁⁽¹⁾ = 0.9·0 + (−0.4727) = −0.4727;  "
                    "w₁₁⁽¹⁾ ← w₁₁⁽¹⁾ − η·v = 0.1 − 0.5·(−0.4727) = 0.3363")
    # Adam, t = 1: m̂ = g, v̂ = g², so w ← w − η·g/(|g| + ε) = 0.1 + 0.5 = 0.6.
    adam = by_name(hand_stages("adam"))["update"]
    lines = explain.index_form(adam)
    assert lines[2].endswith("= 0.1 − 0.5·(−0.2363)/(0.2363 + ε) = 0.6")
    eq = explain.equations(adam)[0][0]
    assert eq.startswith("m ← β₁·m")
    # m̂ and v̂ are defined before the update uses them (the bias corrections of the first
    # steps, exactly as the engine computes them).
    assert eq.index("m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)") < eq.index("θ ← θ − η·m̂ / (√v̂ + ε)")
    assert "t counts the updates" in eq


def test_column_notation():
    st = by_name(hand_stages())
    assert explain.equations(st["dense1.forward"], explain.COLUMN) == [
        ("{Z⁽¹⁾} = [W⁽¹⁾ᵀ]·{X} ⊕ {b⁽¹⁾}", "[2×2]·[2×2] ⊕ [2×1] → [2×2]")]
    assert explain.equations(st["dense2.backward"], explain.COLUMN) == [
        ("[∂E/∂W⁽²⁾ᵀ] = (1/m)·{δ⁽²⁾}·{H}ᵀ", "[1×2]·[2×2] → [1×2]"),
        ("{∂E/∂b⁽²⁾} = (1/m)·Σ_columns {δ⁽²⁾}", "[1×2] → [1×1]"),
        ("{∂e/∂H} = [W⁽²⁾]·{δ⁽²⁾}", "[2×1]·[1×2] → [2×2]")]
    names = [a.name for a in explain.arrays(st["dense2.forward"], explain.COLUMN)]
    assert names == ["{H}", "[W⁽²⁾ᵀ]", "{b⁽²⁾}", "{Z⁽²⁾}"]
    assert "column 2 of {X}" in explain.index_form(st["dense1.forward"], 1, explain.COLUMN)[0]
    note = explain.notation_note(st["dense1.forward"], explain.COLUMN, 0)
    assert note[0].startswith("one sample (a column): {zᵢ} = [W⁽¹⁾ᵀ]·{xᵢ} ⊕ {b⁽¹⁾}   [2×2]·[2×1] ⊕ [2×1] → [2×1]")
    assert explain.notation_note(st["dense1.forward"], explain.ROW, 0)[1].startswith(
        "the 2 rows stacked give Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾: b⁽¹⁾ is added to every row")


def test_stage_text_and_to_dict_are_complete():
    stages = hand_stages("adam")
    for st in stages:
        text = explain.stage_text(st, 1, explain.ROW, stages, ("hadamard", "outer", "rows"))
        assert st.title in text and st.equations[0] in text
        d = st.to_dict()
        assert d["info"] == explain_info_json(st)
    up = by_name(stages)["update"]
    assert set(up.info["state"]) == {"m W⁽¹⁾", "m b⁽¹⁾", "m W⁽²⁾", "m b⁽²⁾", "v W⁽¹⁾", "v b⁽¹⁾", "v W⁽²⁾", "v b⁽²⁾"}


def explain_info_json(st):
    import json
    return json.loads(json.dumps(st.to_dict()["info"]))


def test_fmt():
    assert explain.fmt(-0.000012345) == "−1.234e−5" or explain.fmt(-0.000012345) == "−1.235e−5"
    assert explain.fmt(0.64200001) == "0.642" and explain.par(-0.11) == "(−0.11)"
    assert explain.sub(1, 2) == "₁₂" and explain.sub(1, 12) == "₁,₁₂"
