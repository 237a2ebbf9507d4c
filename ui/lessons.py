"""The guide's pages: the notation card and the lessons, each a short text and a "Show me"
set-up that puts the app where the text can be seen.

A lesson is one :class:`Lesson` entry in :data:`LESSONS` (adding one is adding an entry). Its
``setup(window)`` only calls the public methods of the session (``set_data``, ``set_hidden``,
``set_activation``, ``step_operation``, …) and of the panels (the step-through's toggles, the
Insights tabs); ``dock`` is the dock brought to the front afterwards and ``look`` the one-line
hint the status bar shows ("Look at …"). The math is written in Unicode like the rest of the
app: rows are samples, weights run from-to (W is fan_in × fan_out), Z = X·W + b.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from nnviz.core.stages import StageKind
from nnviz.errors import NnvizError

#: The step-through panel's toggles a lesson may set (their keys in ``StepPanel.toggles``).
TOGGLE_KEYS = ("hadamard", "outer", "rows", "column")
MAX_OPERATIONS = 60      # a set-up walks at most this many operations to reach its stage
INSIGHTS_LINEAR, INSIGHTS_REGIONS, INSIGHTS_GRADCHECK = 0, 1, 2


@dataclass(frozen=True)
class Lesson:
    key: str                                   # a stable name (tests, --guide in screenshots)
    title: str                                 # the selector's entry
    body: str                                  # rich text
    setup: Callable | None = None              # setup(window): the "Show me" button
    dock: str | None = None                    # the dock to raise after the set-up
    look: str = ""                             # what to look at, for the status bar


# --- set-up helpers ----------------------------------------------------------------------
def use_network(win, dataset: str = "circle", hidden=(4,), activation: str = "tanh"):
    """Toy data ``dataset`` on inputs x1 x2, hidden layers ``hidden``, ``activation`` in every
    hidden layer; only what differs is changed (each change rebuilds the run)."""
    s = win.session
    s.pause()
    if s.config.dataset != dataset or not s.generated:
        s.set_data(dataset=dataset)
    if list(s.model.features) != ["x1", "x2"]:
        s.set_features(["x1", "x2"])
    if list(s.config.hidden) != list(hidden):
        s.set_hidden(list(hidden))
    if any(a != activation for a in s.network.activations[:-1]):
        s.set_activation(activation)
    if s.trainer.diverged:
        s.reset()


def set_toggles(win, **on: bool):
    """The step-through toggles: those named on or off, the others off. With no view on, a
    narrow panel shows its matrices again (a lesson before may have opened Details)."""
    panel = win.step_panel
    for key in TOGGLE_KEYS:
        box = panel.toggles.get(key)
        if box is not None:
            box.setChecked(bool(on.get(key, False)))
    if not panel.views():
        panel.details_button.setChecked(False)


def go_to_stage(win, kind: StageKind, layer: int | None = None):
    """Run operations until the step-through shows a stage of ``kind`` (of dense layer
    ``layer`` when given); returns it. Raises NnvizError if it is not reached."""
    s = win.session
    for _ in range(MAX_OPERATIONS):
        i = s.stage_index
        if 0 <= i < len(s.stages):
            stage = s.stages[i]
            if stage.kind == kind and (layer is None or stage.layer == layer):
                return stage
        s.step_operation()
    raise NnvizError("the step-through could not reach that operation (did training diverge? "
                     "press Reset and try again)")


def show_insights(win, tab: int):
    win.docks["Insights"].show()
    win.docks["Insights"].raise_()
    win.insights_panel.setCurrentIndex(tab)


# --- the set-ups -------------------------------------------------------------------------
def _count(win):
    use_network(win)


def _neuron_sum(win):
    use_network(win)
    set_toggles(win)                       # rows are samples: column notation off
    go_to_stage(win, StageKind.DENSE_FORWARD, 1)
    win.step_panel.reveal_index_form()     # each unit's sum with the sample's numbers


def _hadamard(win):
    use_network(win, activation="relu")
    set_toggles(win, hadamard=True)
    go_to_stage(win, StageKind.ACTIVATION_FORWARD, 1)
    win.step_panel.reveal_views()       # in sight: not below a scroll, nor behind Details


def _loss(win):
    use_network(win, dataset="circle")
    set_toggles(win)
    go_to_stage(win, StageKind.LOSS_BACKWARD)


def _outer(win):
    use_network(win)
    set_toggles(win, outer=True)
    go_to_stage(win, StageKind.DENSE_BACKWARD, 1)
    win.step_panel.reveal_views()       # in sight: not below a scroll, nor behind Details


def _update(win):
    use_network(win)
    set_toggles(win)
    go_to_stage(win, StageKind.UPDATE)
    win.step_panel.reveal_index_form()     # each parameter: before, its gradient, after


def _identity(win):
    use_network(win, dataset="plane", activation="identity")
    win.session.step_epoch()      # (one: three had already met least squares to 1e-5)
    show_insights(win, INSIGHTS_LINEAR)


def _regions(win):
    use_network(win, dataset="xor", activation="relu")
    for _ in range(3):
        win.session.step_epoch()
    show_insights(win, INSIGHTS_REGIONS)


def _gradcheck(win):
    use_network(win)
    show_insights(win, INSIGHTS_GRADCHECK)
    win.insights_panel.run_gradient_check()


def _deeper(win):
    use_network(win, hidden=(4, 3))
    set_toggles(win)
    go_to_stage(win, StageKind.DENSE_FORWARD, 2)


def _classes(win):
    use_network(win, dataset="blobs3", hidden=(4,))
    set_toggles(win)
    for _ in range(5):
        win.session.step_epoch()
    go_to_stage(win, StageKind.LOSS_BACKWARD)
    win.docks["Classes"].show()      # (behind the Insights tab it counted out of sight)
    win.docks["Classes"].raise_()


# --- the pages ---------------------------------------------------------------------------
NOTATION = Lesson("notation", "Notation card", """
<h3>Notation card</h3>
<p>Every name the app writes, with its shape for the default network p→M→1
(p inputs, M hidden units, one output).</p>
<table cellpadding="3">
<tr><td><b>m</b></td><td>rows in the batch: one row per sample</td></tr>
<tr><td><b>X</b></td><td>m×p</td><td>the inputs, one sample per row</td></tr>
<tr><td><b>W⁽ᵏ⁾</b></td><td>fan_in×fan_out</td><td>the weights of dense layer k, read
<i>from-to</i>: entry wᵢⱼ joins input i to unit j. W⁽¹⁾ is p×M, W⁽²⁾ is M×1</td></tr>
<tr><td><b>b⁽ᵏ⁾</b></td><td>1×fan_out</td><td>the biases of layer k, a row added to every row:
b⁽¹⁾ is 1×M, b⁽²⁾ is 1×1</td></tr>
<tr><td><b>Z⁽ᵏ⁾</b></td><td>m×fan_out</td><td>the weighted sums of layer k:
Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾ is m×M, Z⁽²⁾ is m×1</td></tr>
<tr><td><b>A⁽ᵏ⁾</b></td><td>m×fan_out</td><td>the activations σ(Z⁽ᵏ⁾); A⁽⁰⁾ = X</td></tr>
<tr><td><b>H</b></td><td>m×M</td><td>the hidden layer's activations, H = A⁽¹⁾
(H⁽ᵏ⁾ in deeper networks)</td></tr>
<tr><td><b>ŷ</b></td><td>m×1</td><td>the predictions: sigmoid of Z⁽²⁾ for two classes,
Z⁽²⁾ itself for regression</td></tr>
<tr><td><b>y</b></td><td>m×1</td><td>the targets</td></tr>
<tr><td><b>e, E</b></td><td>m×1, 1×1</td><td>the loss of each sample, and E, their mean over
the m rows: the number training makes small</td></tr>
<tr><td><b>δ⁽ᵏ⁾</b></td><td>m×fan_out</td><td>the error at layer k's sums, ∂e/∂Z⁽ᵏ⁾:
δ⁽²⁾ is m×1, δ⁽¹⁾ is m×M</td></tr>
<tr><td><b>∂E/∂W⁽ᵏ⁾</b></td><td>like W⁽ᵏ⁾</td><td>the gradient: how E changes with each
weight</td></tr>
<tr><td><b>η</b></td><td>a number</td><td>the learning rate (Hyperparameters)</td></tr>
<tr><td><b>⊙</b></td><td></td><td>the element-wise (Hadamard) product of two arrays of
one shape</td></tr>
</table>
<p>Rows are samples everywhere: one sample's numbers are one row of X, Z, H and δ.</p>
""")

LESSONS: tuple[Lesson, ...] = (
    NOTATION,
    Lesson("count", "1. Counting the parameters", """
<h3>1. Counting the parameters</h3>
<p>Each hidden unit has one weight per input and one bias: p + 1 numbers, for each of the M
units. The output unit has one weight per hidden unit and one bias: M + 1. In all:</p>
<p align="center" style="font-size:large"><b>(p+1)·M + M + 1</b></p>
<p>As matrices: W⁽¹⁾ is p×M and b⁽¹⁾ is 1×M, so (p+1)·M; W⁽²⁾ is M×1 and b⁽²⁾ is 1×1,
so M + 1. With p = 2 inputs and M = 4 units: 3·4 + 4 + 1 = 17.</p>
<p><b>More layers.</b> A dense layer from n_in units to n_out units holds (n_in + 1)·n_out
numbers; a network with layer sizes n₀ = p, n₁, …, n_L = 1 holds
Σₖ (nₖ₋₁ + 1)·nₖ.</p>
<p><b>Show me</b> sets the 2→4→1 network. The status bar's right end writes the count as
this formula with the network's own numbers. Add a unit (Ctrl+=): the count grows by
p + 2 (p weights and a bias into it, one weight out of it).</p>
""", _count, None, "Look at the status bar's right end: the parameter count, formula and "
       "numbers"),
    Lesson("neuron", "2. One unit's sum, all units at once", """
<h3>2. One unit's sum, all units at once</h3>
<p>Hidden unit j adds up its inputs, each times its weight, and its bias:</p>
<p align="center">zⱼ = Σᵢ wᵢⱼ·xᵢ + bⱼ = w₁ⱼ·x₁ + … + wₚⱼ·xₚ + bⱼ</p>
<p>Keep unit j's weights in column j of W⁽¹⁾ (p×M: a row per input, a column per unit) and one
sample's inputs in a row x (1×p). Then the row x·W⁽¹⁾ + b⁽¹⁾ (1×M) holds all M sums at once.
Stack the m samples of a batch as the rows of X (m×p) and every sum of every sample is one
product:</p>
<p align="center"><b>Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾</b> &nbsp; (m×p)·(p×M) + (1×M) → m×M</p>
<p>Row i of Z⁽¹⁾ is sample i; column j is unit j. The bias row is added to every row.</p>
<p><b>Show me</b> runs the first operation of a training step, layer 1's forward pass, in the
row notation (rows are samples). In <i>Step through</i>, the <i>Index form</i> writes each
unit's sum for the selected sample with its real numbers; the matrices outline that sample's
row (in a narrow panel, Details switches between the words and the matrices). Tick
<i>Column notation</i> to see the same numbers with every sample a column:
{Z⁽¹⁾} = [W⁽¹⁾ᵀ]·{X} ⊕ {b⁽¹⁾}, where {·} holds one sample per column, [·] is a matrix as it
stands, and ⊕ adds the column b⁽¹⁾ to every column.</p>
""", _neuron_sum, "Step through", "Look at Step through: Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾ and the index "
       "form below it"),
    Lesson("activation", "3. The activation, element by element", """
<h3>3. The activation, element by element</h3>
<p>The activation σ acts on each entry of Z⁽¹⁾ on its own: H = σ(Z⁽¹⁾) has the same shape
m×M, and entry (i, j) of H depends only on entry (i, j) of Z⁽¹⁾. Nothing mixes units or
samples; only the products with W do that.</p>
<p><b>Piecewise-linear activations.</b> relu, leaky relu and identity are straight lines
through 0 on each piece: σ(z) = a·z, where the slope a depends only on which piece z is on:</p>
<ul><li>relu: a = 1 where z &gt; 0, a = 0 where z ≤ 0</li>
<li>leaky relu: a = 1 where z &gt; 0, a = 0.01 where z ≤ 0</li>
<li>identity: a = 1 everywhere</li></ul>
<p>Collect the slopes of one sample's M entries into a vector a. Then</p>
<p align="center"><b>σ(z) = a ⊙ z</b></p>
<p>where ⊙ multiplies entry by entry (the Hadamard product). Once the pattern a is known,
the activation is just a multiplication; lesson 8 uses this.</p>
<p><b>Show me</b> switches the hidden units to relu, runs to layer 1's activation and ticks
<i>Hadamard form</i>: the selected sample's slope vector a and a ⊙ z, entry by entry.
tanh and sigmoid curve everywhere, so they have no such form.</p>
""", _hadamard, "Step through", "Look at Step through: the Hadamard form a ⊙ z of the relu "
       "activation"),
    Lesson("loss", "4. The loss, and δ = ŷ − y", """
<h3>4. The loss, and δ = ŷ − y</h3>
<p>For two classes the output unit uses sigmoid: ŷ = 1/(1 + e⁻ᶻ) is the probability of
class 1, and z (a row of Z⁽²⁾) is called the logit. The log-loss of one sample is</p>
<p align="center">e = −[y·log ŷ + (1 − y)·log(1 − ŷ)]</p>
<p>and E is the mean of e over the m rows of the batch.</p>
<p>The backward pass starts with δ⁽²⁾ = ∂e/∂z. By the chain rule it is
∂e/∂ŷ · ∂ŷ/∂z, with</p>
<p align="center">∂e/∂ŷ = (ŷ − y) / (ŷ(1 − ŷ)) &nbsp; and &nbsp; ∂ŷ/∂z = ŷ(1 − ŷ)</p>
<p>The factors ŷ(1 − ŷ) cancel: <b>δ⁽²⁾ = ŷ − y</b>, the prediction minus the target.
Regression with an identity output and e = ½(ŷ − y)² gives the same δ. The app computes the
log-loss from z itself, so it stays exact when ŷ is very close to 0 or 1.</p>
<p><b>Show me</b> runs to the first backward operation on the circle data: δ⁽²⁾ = ŷ − y,
one entry per sample.</p>
""", _loss, "Step through", "Look at Step through: δ⁽²⁾ = ŷ − y, prediction minus target "
       "for every row"),
    Lesson("outer", "5. Backward: a sum of outer products", """
<h3>5. Backward: a sum of outer products</h3>
<p>The gradient of layer 1's weights is</p>
<p align="center"><b>∂E/∂W⁽¹⁾ = (1/m)·Xᵀ·δ⁽¹⁾</b> &nbsp; (p×m)·(m×M) → p×M</p>
<p>the shape of W⁽¹⁾. Written sample by sample, the product is a sum over the rows:</p>
<p align="center">∂E/∂W⁽¹⁾ = (1/m) Σᵢ xᵢᵀ·δᵢ</p>
<p>where xᵢ (1×p) is row i of X and δᵢ (1×M) row i of δ⁽¹⁾, the hidden layer's error. It
comes from the output's δ⁽²⁾ one layer back: δ⁽¹⁾ = (δ⁽²⁾·W⁽²⁾ᵀ) ⊙ σ′(Z⁽¹⁾) (m×M), each
unit's share of the output's error times its activation's slope (lesson 10 follows it through
more layers). The output layer's own gradient is the same product one layer up:
∂E/∂W⁽²⁾ = (1/m)·Hᵀ·δ⁽²⁾.</p>
<p>Each xᵢᵀ·δᵢ is an
<i>outer product</i>: a column times a row, a whole p×M matrix whose entry (j, k) is
xᵢⱼ·δᵢₖ. Each sample suggests a change for every weight; the gradient is their mean.</p>
<p>It is not a Hadamard product: xᵢ and δᵢ have different lengths (p and M), and every
input meets every unit's error, not entry with matching entry.</p>
<p>In the step-through the step back is two operations: the output layer's backward gives
∂e/∂H = δ⁽²⁾·W⁽²⁾ᵀ, and the activation's backward multiplies it by the slopes,
δ⁽¹⁾ = ∂e/∂H ⊙ σ′(Z⁽¹⁾).</p>
<p><b>Show me</b> runs to layer 1's backward operation and ticks <i>Outer products</i>: the
per-sample matrices and their sum (scroll down to it). <i>Row by row</i> adds them one row at
a time and compares (1/m) times the running sum with ∂E/∂W⁽¹⁾ as the vectorised product gives
it.</p>
""", _outer, "Step through", "Look at Step through: ∂E/∂W⁽¹⁾ as the sum of the samples' "
       "outer products"),
    Lesson("update", "6. The update", """
<h3>6. The update</h3>
<p>With every gradient known, each parameter takes a step against its gradient:</p>
<p align="center"><b>W⁽ᵏ⁾ ← W⁽ᵏ⁾ − η·∂E/∂W⁽ᵏ⁾</b> &nbsp; and &nbsp;
<b>b⁽ᵏ⁾ ← b⁽ᵏ⁾ − η·∂E/∂b⁽ᵏ⁾</b></p>
<p>η is the learning rate (Hyperparameters). Every matrix keeps its shape. A weight whose
increase would raise E goes down, and the other way round; a larger |∂E/∂w| moves it
further. Since E is the mean over the batch, one update moves by the average of the m
samples' suggestions. Too large an η overshoots and the loss grows; if it blows up, the app
stops and says so. Too small an η crawls.</p>
<p><b>Show me</b> runs a training step to its last operation, the update. Its index form
writes parameters one by one, before, gradient and after: w ← w − η·∂E/∂w = 0.1 − 0.5·(−0.24)
= 0.22. Where the panel is wide enough its matrices show each W and b, the step −η·∂E/∂W and
the new matrix side by side; a narrow one shows the new matrices (Details switches between
them and the words). Press Next ▶ to begin the next step with the new weights.</p>
""", _update, "Step through", "Look at Step through: each parameter before, its gradient and "
       "the new value"),
    Lesson("identity", "7. Identity units: one linear model", """
<h3>7. Identity units: one linear model</h3>
<p>With σ(z) = z the hidden layer does nothing but a product, and products combine:</p>
<p align="center">Z⁽²⁾ = (X·W⁽¹⁾ + b⁽¹⁾)·W⁽²⁾ + b⁽²⁾ = X·(W⁽¹⁾W⁽²⁾) + (b⁽¹⁾W⁽²⁾ + b⁽²⁾)</p>
<p>That is <b>X·β + β₀</b> with β = W⁽¹⁾W⁽²⁾ (p×1) and β₀ = b⁽¹⁾W⁽²⁾ + b⁽²⁾ (1×1): a linear
regression with p + 1 numbers (for classes, the same z under the output's σ: logistic
regression), whatever M is, and with more identity layers too
(β = W⁽¹⁾W⁽²⁾⋯W⁽ᴸ⁾). The (p+1)·M + M + 1 parameters can only express those p + 1.
The nonlinear activation is what lets a network do more than a line.</p>
<p><b>Show me</b> sets identity hidden units on the plane data (regression), trains one
epoch and brings <i>Insights › Linear model</i> forward: β and β₀ computed from the weights,
next to the least-squares fit of the same rows, and the distance between them. Train on
(Ctrl+→, an epoch at a time) and watch the distance shrink. The table gives both in the
target's own units: the network learns the standardized target (y − μ_y)/σ_y, so its β is
W⁽¹⁾W⁽²⁾ times σ_y, and its β₀ is b⁽¹⁾W⁽²⁾ + b⁽²⁾ times σ_y, plus μ_y.</p>
""", _identity, "Insights", "Look at Insights › Linear model: the network's β next to least "
       "squares"),
    Lesson("regions", "8. ReLU networks are piecewise linear", """
<h3>8. ReLU networks are piecewise linear</h3>
<p>At any input, each relu unit is either on (slope 1) or off (slope 0): a pattern a.
With a fixed, the network is linear (lesson 3):</p>
<p align="center">z = x·W_eff + b_eff<br>W_eff = W⁽¹⁾·diag(a)·W⁽²⁾,
&nbsp; b_eff = (b⁽¹⁾ ⊙ a)·W⁽²⁾ + b⁽²⁾</p>
<p>Unit j switches where zⱼ = 0, a straight line in the input plane. The M lines cut the
plane into convex regions; inside each the pattern, and so the linear model, is fixed. With
2 inputs there are at most 1 + M + M(M−1)/2 regions (11 for M = 4).</p>
<p>Finding a point's region is a walk down a decision tree: is unit 1 on? then, is unit 2
on? … each leaf is a pattern with its own W_eff and b_eff.</p>
<p><b>Show me</b> sets relu units on the xor data, trains three epochs and brings
<i>Insights › Linear regions</i> forward: one colour per pattern. Click a point to read its
pattern, W_eff and b_eff, checked against the network's own output.</p>
""", _regions, "Insights", "Look at Insights › Linear regions: one colour per activation "
       "pattern; click a point"),
    Lesson("gradcheck", "9. Checking the gradients", """
<h3>9. Checking the gradients</h3>
<p>Backpropagation gets ∂E/∂θ for every parameter θ from the chain rule. A check that needs no
calculus: move one θ a little up and down and see how E changes,</p>
<p align="center">∂E/∂θ ≈ (E(θ + h) − E(θ − h)) / 2h</p>
<p>(the app uses a five-point version of this central difference, with h = 10⁻⁴). If backprop
is right, the two agree to about 8 digits or more. relu has a kink at 0: where a sum sits
right at it, the two may differ without anything being wrong.</p>
<p><b>Show me</b> runs the check on the current batch of the tanh network and brings
<i>Insights › Gradient check</i> forward: one row per matrix, each parameter coloured by
log₁₀ of its relative error.</p>
""", _gradcheck, "Insights", "Look at Insights › Gradient check: the verdict and each "
       "parameter's error"),
    Lesson("deeper", "10. Deeper networks", """
<h3>10. Deeper networks</h3>
<p>Every dense layer does the same thing to the layer before it. With A⁽⁰⁾ = X, for
k = 1, …, L:</p>
<p align="center"><b>Z⁽ᵏ⁾ = A⁽ᵏ⁻¹⁾·W⁽ᵏ⁾ + b⁽ᵏ⁾, &nbsp; A⁽ᵏ⁾ = σ(Z⁽ᵏ⁾)</b></p>
<p>and ŷ = A⁽ᴸ⁾. W⁽ᵏ⁾ is nₖ₋₁×nₖ (from-to). The backward pass runs the other way:</p>
<p align="center">δ⁽ᴸ⁾ = ŷ − y, &nbsp; ∂E/∂W⁽ᵏ⁾ = (1/m)·A⁽ᵏ⁻¹⁾ᵀ·δ⁽ᵏ⁾,
&nbsp; δ⁽ᵏ⁻¹⁾ = (δ⁽ᵏ⁾·W⁽ᵏ⁾ᵀ) ⊙ σ′(Z⁽ᵏ⁻¹⁾)</p>
<p>The parameter count is one term per layer: Σₖ (nₖ₋₁ + 1)·nₖ. For 2→4→3→1:
(2+1)·4 + (4+1)·3 + (3+1)·1 = 12 + 15 + 4 = 31.</p>
<p><b>Show me</b> sets two hidden layers of 4 and 3 units and runs to layer 2's forward pass,
Z⁽²⁾ = H⁽¹⁾·W⁽²⁾ + b⁽²⁾ (the step-through writes a hidden layer's A⁽ᵏ⁾ as H⁽ᵏ⁾). The status
bar shows the new count.</p>
""", _deeper, "Step through", "Look at Step through: layer 2 takes layer 1's activations as "
       "its input"),
    Lesson("classes", "11. K classes: softmax and cross-entropy", """
<h3>11. K classes: softmax and cross-entropy</h3>
<p>With K ≥ 3 classes the output layer has K units, one per class, and Z⁽²⁾ is m×K. Softmax
turns each row of logits into probabilities that add up to 1:</p>
<p align="center"><b>ŷⱼ = e^zⱼ / (e^z₁ + … + e^z_K)</b></p>
<p>The target y is one-hot: a row of zeros with a 1 at the true class. The loss of a row is
the cross-entropy e = −Σⱼ yⱼ·log ŷⱼ = −log ŷ<sub>true</sub>. The softmax subtracts each row's
largest z before taking e^z, so nothing overflows; when ŷ<sub>true</sub> is too small to log
(below 10⁻³⁰⁰), e is computed from the logits as log(Σₖ e^zₖ) − z<sub>true</sub> instead.</p>
<p>Softmax is not element-wise: every ŷⱼ depends on every z. Its derivative for one row is a
K×K matrix, <b>∂ŷ/∂z = diag(ŷ) − ŷŷᵀ</b>. Multiplied by the loss's ∂e/∂ŷ = −y/ŷ it
collapses, row by row, to</p>
<p align="center"><b>δ⁽²⁾ = ŷ − y</b></p>
<p>the same form as a sigmoid output with log-loss (lesson 4). The parameter count becomes
(p+1)·M + (M+1)·K.</p>
<p><b>Show me</b> opens three Gaussian blobs, trains five epochs and stops at the output error
δ⁽²⁾ = ŷ − y (m×3). The Output plot colours each point of the plane with the class the
network picks, lighter where it is unsure; the Classes panel, brought forward, counts what it
gets right.</p>
""", _classes, "Step through", "Look at Step through: δ⁽²⁾ = ŷ − y, one column per class; "
       "then at the Output plot and the Classes panel"),
)


def lesson(key: str) -> Lesson:
    return next(x for x in LESSONS if x.key == key)
