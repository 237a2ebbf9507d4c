"""The step-through panel: the operation the engine just ran, its equation and every number.

It shows the session's current :class:`~nnviz.core.stages.Stage` (``session.stageChanged``):

- every operation of the step in a list from the start, in the words a learner reads
  ("Layer 1 forward", "Output error δ⁽²⁾ = ŷ − y"); those still to come are greyed out; a
  counter ("7 of 10"), Previous / Next (Previous only shows a recorded stage again; nothing
  is recomputed) and a sample selector;
- the operation's title with its equation and the shapes of its operands, always in view;
- every operand and result as a small heatmap with its numbers, fitted into the room there is
  (:mod:`ui.step_matrix`); the update as before, change and after of every parameter;
- beside the matrices (or, in a narrow panel, behind the Details button): every equation with
  its shapes, the notes, the selected sample's numbers in index form, and four toggles:
  Hadamard form, Outer products, Row by row and Column notation.

All the text comes from :mod:`nnviz.explain`; this module only lays it out.
"""
from __future__ import annotations

import html
import re

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QFontMetricsF, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QListView,
                               QListWidget, QListWidgetItem, QPushButton, QScrollArea,
                               QSizePolicy, QSpinBox, QVBoxLayout, QWidget)

from nnviz.explain import equations as explain
from nnviz.explain.operations import planned_operations, stage_title

from .paint_cache import settle_layouts
from .step_matrix import (MAX_ROWS, Item, MatrixArea, MatrixView, panel_items,  # noqa: F401 (public)
                          shown_rows)
from .step_text import lines_html, text_html

SIDE_WIDTH = 600          # px of panel: the words go beside the matrices, else behind Details
TALL_HEIGHT = 420         # px of panel: the operations' list wraps onto several lines
VIEW_KEYS = ("hadamard", "outer", "rows")   # the toggles that add a view to the words
# An operation already run: a list item's own flags (it can be clicked to show it again).
_ENABLED = Qt.ItemIsSelectable | Qt.ItemIsUserCheckable | Qt.ItemIsEnabled | Qt.ItemIsDragEnabled
_TO_COME = Qt.ItemFlag.NoItemFlags
TEXT_SHARE, TEXT_MIN, TEXT_MAX = 0.3, 230, 420   # the words' column beside the matrices
START_TEXT = ("Press Next ▶ (or the Right arrow key) to run the first operation of a training "
              "step: the forward pass of layer 1.")


def _label(object_name: str, selectable: bool = True) -> QLabel:
    w = QLabel()
    w.setObjectName(object_name)
    w.setWordWrap(True)
    w.setTextFormat(Qt.RichText)
    w.setAlignment(Qt.AlignTop | Qt.AlignLeft)
    if selectable:
        w.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return w


def short_title(title: str) -> str:
    """The part of an operation's title before its equation: "Layer 1 forward"."""
    return title.split(":", 1)[0]


class StepPanel(QWidget):
    TOGGLES = (("hadamard", "Ha&damard form",
                "Write a piecewise-linear activation as σ(z) = a ⊙ z with the slope vector a "
                "(activation stages; Alt+D)"),
               ("outer", "&Outer products",
                "∂E/∂W as the sum over the batch of per-sample outer products, and why it "
                "is not a Hadamard product (dense backward stages; Alt+O)"),
               ("rows", "Row &by row",
                "Compute the gradient one row at a time, accumulating, and compare "
                "with the vectorised product (dense backward stages; Alt+B)"),
               ("column", "&Column notation",
                "Every sample a column, {Z} = [Wᵀ]·{X} ⊕ {b} (⊕: b added to every column); off: "
                "every sample a row, Z = X·W + b (Alt+C)"))

    KEYS = {"hadamard": Qt.Key_D, "outer": Qt.Key_O, "rows": Qt.Key_B, "column": Qt.Key_C}

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("stepPanel")
        self.session = session
        self.sample = 0
        self._stage = None
        self._views_apply = False     # a toggled view shows something for the stage shown
        self._syncing = False
        self._side = None
        self.operation_titles: list[str] = []

        self.stage_list = QListWidget()
        self.stage_list.setObjectName("stageList")
        self.stage_list.setToolTip("Every operation of the current training step, in order; "
                                   "the greyed ones are still to come. Click one already run to "
                                   "show it again (nothing is recomputed).")
        self.stage_list.setFlow(QListView.LeftToRight)
        self.stage_list.setResizeMode(QListView.Adjust)
        self.stage_list.setSpacing(1)
        self.stage_list.setFocusPolicy(Qt.NoFocus)   # Left/Right stay the window's step keys
        self.stage_list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._set_list_lines(1)

        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.setObjectName("previousOperationButton")
        self.prev_button.setToolTip("Show the previous operation again; nothing is recomputed (Left arrow)")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setObjectName("nextOperationButton")
        self.next_button.setToolTip("Run the next operation of the training step (Right arrow)")
        self.counter = QLabel()
        self.counter.setObjectName("stageCounter")
        self.counter.setToolTip("Operations run so far in this training step, of all it has")
        self.sample_spin = QSpinBox()
        self.sample_spin.setObjectName("sampleSpin")
        self.sample_spin.setPrefix("sample ")
        self.sample_spin.setRange(1, 1)
        self.sample_spin.setToolTip("The sample (row of the batch) written out in index form and "
                                    "outlined in the matrices")
        self.details_button = QPushButton("Details")
        self.details_button.setObjectName("detailsButton")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("Show every equation, the notes, the index form and the "
                                       "views in place of the matrices (the panel is too narrow "
                                       "for both side by side); press again for the matrices")
        self.details_button.toggled.connect(self._show_details)
        nav = QHBoxLayout()
        nav.setContentsMargins(0, 0, 0, 0)
        for w in (self.prev_button, self.next_button, self.counter):
            nav.addWidget(w)
        nav.addStretch(1)
        nav.addWidget(self.details_button)
        nav.addWidget(self.sample_spin)

        self.toggles: dict[str, QCheckBox] = {}
        self._hidden_keys: list[QAction] = []
        toggles = QWidget()
        tl = QGridLayout(toggles)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setVerticalSpacing(0)
        for n, (key, text, tip) in enumerate(self.TOGGLES):
            box = QCheckBox(text)
            box.setObjectName(f"{key}Toggle")
            box.setToolTip(tip)
            box.toggled.connect(lambda on, key=key: self._on_toggle(key, on))
            self.toggles[key] = box
            tl.addWidget(box, n, 0)   # one a line: the words' column is narrow
            # Alt+letter while the box is hidden behind Details (its mnemonic works when shown).
            action = QAction(self)
            action.setShortcut(QKeySequence(Qt.ALT | self.KEYS[key]))
            action.setShortcutContext(Qt.WindowShortcut)
            action.triggered.connect(box.click)
            self.addAction(action)
            self._hidden_keys.append(action)
        tl.setColumnStretch(1, 1)

        # Always in view: the title (with the equation) and the shapes of the operands.
        self.title = _label("stageTitle", selectable=False)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt")
        self.shapes = _label("stageShapes")
        self.shapes.setStyleSheet("color: #666; font-family: monospace")
        self.head = QWidget()
        self.head.setObjectName("stageHead")
        hl = QVBoxLayout(self.head)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.setSpacing(0)
        hl.addWidget(self.title)
        hl.addWidget(self.shapes)
        self.head.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)

        # The words: every equation, the notes, the index form and the toggles' views.
        self.equations = _label("stageEquations")
        self.notes = _label("stageNotes")
        self.notes.setStyleSheet("color: #555")
        self.index_label = _label("indexForm")
        self.seed_label = _label("seedViews")
        self.text_column = QWidget()
        self.text_column.setObjectName("stageText")
        tc = QVBoxLayout(self.text_column)
        tc.setContentsMargins(0, 0, 4, 0)
        for w in (toggles, self.equations, self.seed_label, self.notes, self.index_label):
            tc.addWidget(w)
        tc.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("stageTextScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.text_column)

        self.matrices = MatrixArea()

        self._content = QGridLayout()
        self._content.setContentsMargins(0, 0, 0, 0)
        self._content.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.stage_list)
        layout.addLayout(nav)
        layout.addLayout(self._content, 1)
        self._arrange(True)

        self.prev_button.clicked.connect(session.previous_operation)
        self.next_button.clicked.connect(session.step_operation)
        self.stage_list.currentRowChanged.connect(self._on_row)
        self.sample_spin.valueChanged.connect(self._on_sample)
        session.stageChanged.connect(self._on_stage_signal)
        # A new network or optimizer. (The model follows every structureChanged with
        # settingsChanged: listening to both worked the plan out twice.)
        signal = getattr(session, "settingsChanged", None)
        if signal is not None:
            signal.connect(self._on_plan)
        self._on_stage(session.stages[session.stage_index]
                       if 0 <= session.stage_index < len(session.stages) else None)

    # --- layout ----------------------------------------------------------------------------
    def _set_list_lines(self, lines: int):
        self.stage_list.setWrapping(lines > 1)
        row = self.stage_list.fontMetrics().height() + 8
        self.stage_list.setFixedHeight(row * lines + 2 * self.stage_list.frameWidth() + 2)

    def _arrange(self, side: bool):
        """Side: the matrices on the left, the title and the words on the right. Else the title
        above the matrices, the words behind the Details button."""
        if side == self._side:
            return
        self._side = side
        for w in (self.head, self.matrices, self.scroll):
            self._content.removeWidget(w)
        if side:
            self._content.addWidget(self.matrices, 0, 0, 2, 1)
            self._content.addWidget(self.head, 0, 1)
            self._content.addWidget(self.scroll, 1, 1)
            self._content.setColumnStretch(0, 1)
            self._content.setColumnStretch(1, 0)
            self._content.setRowStretch(0, 0)
            self._content.setRowStretch(1, 1)
        else:
            self._content.addWidget(self.head, 0, 0)
            self._content.addWidget(self.matrices, 1, 0)
            self._content.addWidget(self.scroll, 1, 0)
            self._content.setColumnStretch(1, 0)
            self._content.setRowStretch(0, 0)
            self._content.setRowStretch(1, 1)
        self.details_button.setVisible(not side)
        self._show_details(self.details_button.isChecked())

    def _show_details(self, on: bool):
        words = self._side or on
        self.scroll.setVisible(bool(words))
        for action in self._hidden_keys:
            action.setEnabled(not words)
        self.matrices.setVisible(bool(self._side or not on))

    def resizeEvent(self, event):
        self._set_list_lines(3 if event.size().height() >= TALL_HEIGHT else 1)
        self._fit_layout(event.size())
        super().resizeEvent(event)

    def _fit_layout(self, size):
        """Words beside the matrices when the panel is wide, unless the operation's matrices
        (the update's before, change and after) fit only with the panel's whole width: then
        the title above them and the words behind Details."""
        text_w = int(min(TEXT_MAX, max(TEXT_MIN, TEXT_SHARE * size.width())))
        side = size.width() >= SIDE_WIDTH
        if side and self._stage is not None:
            m = self.layout().contentsMargins()
            high = (size.height() - m.top() - m.bottom() - self.stage_list.height()
                    - self.prev_button.sizeHint().height() - 2 * self.layout().spacing())
            wide = size.width() - m.left() - m.right()
            if not self.matrices.fits_all(wide - text_w - self._content.spacing(), high):
                below = high - self.head.sizeHint().height() - self._content.spacing()
                side = not self.matrices.fits_all(wide, below)
        self._arrange(side)
        for w in (self.head, self.scroll):
            if side:
                w.setFixedWidth(text_w)
            else:
                w.setMinimumWidth(0)
                w.setMaximumWidth(16777215)

    # --- state -----------------------------------------------------------------------------
    @property
    def notation(self) -> str:
        return explain.COLUMN if self.toggles["column"].isChecked() else explain.ROW

    def _on_toggle(self, key: str, on: bool):
        self._refresh()
        if on and key in VIEW_KEYS:
            self.reveal_views()

    def reveal_views(self):
        """Bring the toggles' views into sight (a view just turned on sat below the equations'
        fold, or behind Details in a narrow panel)."""
        if self.views():
            self._reveal(self.seed_label)

    def reveal_index_form(self):
        """Bring the index form (the selected sample's sums, with their numbers) into sight."""
        self._reveal(self.index_label)

    def _reveal(self, label: QLabel):
        """The words shown (Details, in a narrow panel), scrolled to ``label``."""
        if not self._side:
            self.details_button.setChecked(True)
        self._scroll_to(label)

    def _scroll_to(self, label: QLabel):
        settle_layouts()                 # (the new text's height places the label)
        self.scroll.verticalScrollBar().setValue(label.y())

    def views(self) -> tuple[str, ...]:
        return tuple(k for k in VIEW_KEYS if self.toggles[k].isChecked())

    @property
    def matrix_views(self) -> list[MatrixView]:
        """The heatmaps shown now (made again whenever the panel's size changes)."""
        return self.matrices.views

    def shown_arrays(self) -> dict[str, np.ndarray]:
        """Display name → the array each heatmap shows (as oriented on screen)."""
        return {v.name: v.values for v in self.matrix_views}

    def _char_px(self) -> float:
        """The width of a character of the monospaced face the words' aligned lines use."""
        font = QFont(self.index_label.font())
        font.setFamily("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        return QFontMetricsF(font).horizontalAdvance("0")

    def text(self) -> str:
        """Everything the panel writes, as plain text (title, equations, notes, index form, views)."""
        parts = [w.text() for w in (self.title, self.equations, self.notes, self.index_label, self.seed_label)]
        doc = "\n".join(parts)
        doc = re.sub(r"</div>", "\n", doc)
        return html.unescape(re.sub(r"<[^>]+>", "", doc))

    def _n_layers(self) -> int | None:
        net = getattr(self.session, "network", None)
        if net is not None:
            return net.n_layers
        for s in self.session.stages:   # a session without a network: read it off the step
            if s.name == "loss.backward" and s.layer:
                return s.layer
        return None

    def _plan(self) -> list[str]:
        """The titles of every operation of the step being shown: those run, then those to come."""
        n = self._n_layers()
        done = [stage_title(s, n) for s in self.session.stages]
        tr = getattr(self.session, "trainer", None)
        if tr is None:
            return done
        plan = planned_operations(tr.network, tr.loss, tr.config.optimizer)
        names = [s.name for s in self.session.stages]
        if names and (names[-1] == "update" or names != [p.name for p in plan[:len(names)]]):
            return done
        return done + [p.title for p in plan[len(names):]]

    # --- handlers --------------------------------------------------------------------------
    def _on_row(self, row: int):
        if not self._syncing and row != self.session.stage_index:
            self.session.show_stage(row)

    def _on_sample(self, value: int):
        if not self._syncing:
            self.sample = value - 1
            self._refresh()

    def _on_plan(self):
        # Mid-step (another optimizer) or before the first operation (the start text stays):
        # only the list of operations changes.
        if self.session.stages or self._stage is None:
            self._syncing = True
            try:
                self._fill_list()
            finally:
                self._syncing = False
        else:
            self._on_stage(None)

    def _target_note(self, stage) -> list[str]:
        """One line where y appears: a standardized regression target is what the net sees."""
        model = getattr(self.session, "model", None)   # a panel may show stages of no run
        ts = getattr(model, "target_scaler", None)
        if ts is None or "y" not in stage.operands:
            return []
        return [f"y and ŷ here are the standardized target (y − μ_y)/σ_y, the numbers the network "
                f"learns (μ_y = {ts.mean[0]:.4g}, σ_y = {ts.std[0]:.4g}); readouts and plots show ŷ·σ_y + μ_y."]

    def _on_stage_signal(self, stage):
        # No stage before and none now (the operations a change of network dropped, after the
        # plan has been shown): nothing to show again.
        if stage is None and self._stage is None:
            return
        self._on_stage(stage)

    def _on_stage(self, stage):
        self._stage = stage
        self._syncing = True
        try:
            self._fill_list()
            m = explain.batch_size(stage) if stage is not None and stage.phase != "update" else 0
            if m:
                self.sample_spin.setRange(1, m)
                self.sample = min(self.sample, m - 1)
                self.sample_spin.setValue(self.sample + 1)
            self.sample_spin.setEnabled(bool(m))
        finally:
            self._syncing = False
        self.prev_button.setEnabled(self.session.stage_index > 0)
        self._refresh()
        # A new operation's words from their top, or at a view that shows something for it.
        if self._views_apply:
            self._scroll_to(self.seed_label)
        else:
            self.scroll.verticalScrollBar().setValue(0)

    def _fill_list(self):
        """One item per operation: those run can be clicked, those to come are greyed. The
        items stay and change only where the plan did (a step operation enables one item;
        a new network renames some and adds or drops the rest)."""
        titles = self._plan()
        run = len(self.session.stages)
        self.operation_titles = titles
        items = self.stage_list
        while items.count() > len(titles):
            items.takeItem(items.count() - 1)
        for i, title in enumerate(titles):
            text = f"{i + 1}. {short_title(title)}"
            if i < run:
                flags, tip = _ENABLED, title
            else:   # not run yet: greyed, and a click does nothing
                flags, tip = _TO_COME, f"{title} — still to come: press Next ▶ to run it"
            if i == items.count():
                items.addItem(QListWidgetItem(text))
            item = items.item(i)
            if item.text() != text:
                item.setText(text)
            if item.flags() != flags:
                item.setFlags(flags)
            if item.toolTip() != tip:
                item.setToolTip(tip)
        index = self.session.stage_index
        self.stage_list.setCurrentRow(index)
        if 0 <= index < self.stage_list.count():
            self.stage_list.scrollToItem(self.stage_list.item(index))
        self.counter.setText(f"{index + 1} of {len(titles)}")

    def _refresh(self):
        stage = self._stage
        if stage is None:
            self._views_apply = False
            self.title.setText(html.escape(START_TEXT))
            for w in (self.shapes, self.equations, self.notes, self.index_label, self.seed_label):
                w.setText("")
            self.matrices.set_items([], self.sample)
            return
        notation = self.notation
        eqs = explain.equations(stage, notation)
        title = stage_title(stage, self._n_layers())
        if notation == explain.COLUMN and ":" in title and eqs:   # the equation as written below
            title = f"{short_title(title)}: {eqs[0][0]}"
        self.title.setText(text_html(title))
        self.shapes.setText(html.escape(eqs[0][1]) if eqs and eqs[0][1] else "")
        self.equations.setText("".join(
            f"<div style='font-size:11.5pt; margin-top:4px'>{text_html(e)}</div>"
            + (f"<div style='color:#666; font-family:monospace'>{html.escape(s)}</div>" if s else "")
            for e, s in eqs))
        self.notes.setText(lines_html(explain.notes(stage, notation)
                                       + explain.notation_note(stage, notation, self.sample)
                                       + self._target_note(stage)))
        idx = explain.index_form(stage, self.sample, notation)
        char_px = self._char_px()
        self.index_label.setText("<b>Index form</b>" + lines_html(idx, True, char_px)
                                 if idx else "")
        blocks, self._views_apply = [], False
        for key in self.views():
            if key == "hadamard":
                view = explain.hadamard_form(stage, self.sample)
            elif key == "outer":
                view = explain.outer_products(stage, notation=notation)
            else:
                upto = self.session.stages[:self.session.stage_index + 1] or [stage]
                view = explain.row_by_row(upto, stage, notation)
            self._views_apply |= view.applies
            colour = "#1a6e1a" if view.applies else "#777"
            blocks.append(f"<div style='margin-top:6px'><b style='color:{colour}'>{html.escape(view.title)}</b></div>"
                          + lines_html(view.lines, view.applies, char_px))
        self.seed_label.setText("".join(blocks))
        self.matrices.set_items(panel_items(stage, notation), self.sample)
        if self.isVisible():
            self._fit_layout(self.size())
