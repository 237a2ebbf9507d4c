"""The app's model without Qt: the run's state and what changes it.

:class:`AppModel` holds the settings and the run (:mod:`.run`), the points edited by hand
(:mod:`.points`), the step-through cursor (:mod:`.cursor`), the output plot's axes with the
grid over them (:mod:`.axes`), the runs pinned for comparison (:mod:`.runs`) and the undo and
redo stacks (:mod:`.undo`); it fires
:mod:`.events` when any of it changes. It never imports
Qt: :class:`ui.session.Session` is the Qt adapter (the events as Qt signals, the Play timer).

The four parts are mixins of one object rather than four objects: they share the state closely
(a rebuild resets the points, the axes and the cursor; an edited point rebuilds the data, keeps
the grid's limits and drops the cursor), so separate objects would each need the others.
"""
from __future__ import annotations

from nnviz.experiment import Config

from .axes import GRID_RESOLUTION, AxesMixin
from .cursor import CursorMixin
from .events import EVENTS, Events
from .points import PointsMixin
from .run import MAX_CANVAS_LAYERS, MAX_CANVAS_UNITS, RunMixin, default_config
from .rescue import RescueMixin
from .runs import RunsMixin
from .undo import UndoMixin

__all__ = ["AppModel", "Events", "EVENTS", "default_config", "MAX_CANVAS_UNITS",
           "MAX_CANVAS_LAYERS",
           "GRID_RESOLUTION"]


class AppModel(UndoMixin, RescueMixin, RunsMixin, RunMixin, PointsMixin, CursorMixin, AxesMixin):
    """The state of one window's run; ``events`` tells who listens what changed (see
    :data:`.events.EVENTS`)."""

    def __init__(self, config: Config | None = None):
        self.events = Events()
        self._init_undo()
        self._init_rescue()
        self._init_runs()
        self._init_run(config)
        self._init_cursor()
        self._init_axes()
        self._forget_points(self.dataset.n_samples)
        self._remember_initial()

    def report(self, text: str):
        """A line for the status bar (a view's refusal, an error it caught)."""
        self.events.emit("message", str(text))

    def hover_unit(self, k: int, j: int):
        """The pointer is over unit ``j`` of dense layer ``k`` (-2: an input; -1, -1: none)."""
        self.events.emit("unitHovered", int(k), int(j))
