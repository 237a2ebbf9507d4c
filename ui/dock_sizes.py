"""The default sizes of the main window's docks, and their shares kept as the window is
resized. A mixin of :class:`~ui.main_window.MainWindow` (which owns ``docks``,
``data_panel``, ``_fitted`` and calls these from its show and resize events)."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QScrollArea, QTabBar, QToolBar

# The share of the window each dock column or row gets by default, and keeps as the window
# is resized: the settings column on the left, the plots on the right, the bottom row (heatmaps
# or step through). Step through gets at least STEP_SHARE of the height while it is shown.
LEFT_SHARE, RIGHT_SHARE, BOTTOM_SHARE, STEP_SHARE = 0.17, 0.28, 0.34, 1 / 3
LEFT_MAX = 420           # px: wider, the settings' fields would only stretch
OUTPUT_SHARE = 0.56      # of the right column; Loss (and Insights) get the rest


class DockSizes:
    """Dock sizes as shares of the window (see the module docstring)."""

    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None:
        """QMainWindow's, without spare tab bars. To make a group's tab bar, Qt first lays the
        window out when other tab bars exist, and that layout makes the group a bar of its own:
        two bars for Heatmaps/Step through, three for Data/Guide. The spares stayed shown until
        the event loop deleted them; a table opened before then (a scripted start) drew them
        over the settings panels. The layout is off while the group is made."""
        layout = self.layout()
        layout.setEnabled(False)
        try:
            super().tabifyDockWidget(first, second)
        finally:
            layout.setEnabled(True)

    def _groups(self) -> list[QDockWidget]:
        """One dock per docked, shown tab group (the one in front when that is known)."""
        out, seen = [], set()
        for dock in self.docks.values():
            if dock.isFloating() or dock.isHidden() or id(dock) in seen:
                continue
            group = [dock] + [d for d in self.tabifiedDockWidgets(dock)
                              if not d.isHidden() and not d.isFloating()]
            seen.update(id(d) for d in group)
            front = [d for d in group if not d.visibleRegion().isEmpty()]
            out.append(front[0] if front else dock)
        return out

    def _fit_docks(self):
        """The default dock sizes for the window's size: shares of its width and height."""
        w, h = self.width(), self.height()
        groups = self._groups()
        side = {Qt.LeftDockWidgetArea: LEFT_SHARE, Qt.RightDockWidgetArea: RIGHT_SHARE}
        across = {Qt.BottomDockWidgetArea: BOTTOM_SHARE, Qt.TopDockWidgetArea: BOTTOM_SHARE}
        wide, high, widths = [], [], {}
        for area, share in side.items():
            column = [d for d in groups if self.dockWidgetArea(d) == area]
            if column:
                width = round(share * w)
                if area == Qt.LeftDockWidgetArea:
                    width = min(width, LEFT_MAX)
                widths[area] = max(column[0].minimumSizeHint().width(), width)
                wide.append((column[0], widths[area]))
        for area, share in across.items():
            row = [d for d in groups if self.dockWidgetArea(d) == area]
            if row:
                high.append((row[0], round(share * h)))
        # Within a column: the data panel its whole height where it can, the output plot
        # OUTPUT_SHARE; the others share the rest evenly.
        chrome = (self.menuBar().sizeHint().height() + self.statusBar().sizeHint().height()
                  + sum(t.sizeHint().height() for t in self.findChildren(QToolBar)))
        for area in side:
            column = [d for d in groups if self.dockWidgetArea(d) == area]
            if len(column) < 2:
                continue
            room = h - chrome
            want = {}
            if self.docks["Data"] in column:
                title = column[0].height() - column[0].widget().height() if column[0].widget() else 0
                want[self.docks["Data"]] = min(room // 2 + room // 5,
                                               self.data_panel.sizeHint().height() + max(title, 24) + 4)
            if self.docks["Output"] in column:
                want[self.docks["Output"]] = round(OUTPUT_SHARE * room)
            rest = [d for d in column if d not in want]
            for d in rest:
                want[d] = max(60, (room - sum(want.values())) // len(rest))
            data = self.docks["Data"]
            if data in column:
                # The others show what they always show: room they would leave empty goes to
                # the data panel, which a table's columns make taller.
                needs = {d: self._content_height(d, widths[area]) for d in rest}
                spare = sum(want[d] - needs[d] for d in rest if want[d] > needs[d])
                if spare > 0:
                    want.update({d: min(want[d], needs[d]) for d in rest})
                    want[data] += spare
            high += list(want.items())
        self._resize(wide, Qt.Horizontal)
        self._resize(high, Qt.Vertical)
        self._step_room()

    def _content_height(self, dock: QDockWidget, width: int) -> int:
        """The height ``dock`` needs, ``width`` wide, to show its whole panel (its title bar
        included): a form whose rows wrap when narrow needs more than its size hint."""
        area = dock.widget()
        panel = area.widget() if isinstance(area, QScrollArea) else area
        inner = area.viewport() if isinstance(area, QScrollArea) else area
        laid_out = dock.width() > inner.width() > 0
        width -= dock.width() - inner.width() if laid_out else 0
        height = panel.heightForWidth(width) if panel.hasHeightForWidth() else -1
        title = dock.height() - inner.height() if laid_out else 24
        return max(height, panel.sizeHint().height()) + max(title, 24) + 4

    def _scale_docks(self, fx: float, fy: float):
        """Every docked group keeps its share of the window: scaled by the resize."""
        wide, high = [], []
        for d in self._groups():
            if self.dockWidgetArea(d) in (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea):
                width = round(d.width() * fx)
                if fx > 1 and self.dockWidgetArea(d) == Qt.LeftDockWidgetArea:
                    width = min(width, max(d.width(), LEFT_MAX))   # form fields need no more
                wide.append((d, width))
            high.append((d, round((d.height() + self._tab_bar_height(d)) * fy)))
        self._resize(wide, Qt.Horizontal)
        self._resize(high, Qt.Vertical)
        self._step_room()

    def _resize(self, pairs, orientation):
        if pairs:
            self.resizeDocks([d for d, _ in pairs], [max(1, x) for _, x in pairs], orientation)

    def _step_room(self):
        """Step through, while its tab is in front, gets at least STEP_SHARE of the height:
        room for its equations and for every row of its matrices."""
        dock = self.docks["Step through"]
        if not self._fitted or dock.isFloating() or dock.isHidden() or not self._step_shown():
            return
        need = math.ceil(STEP_SHARE * self.height()) + 2
        if dock.height() < need:
            self.resizeDocks([dock], [need + self._tab_bar_height(dock)], Qt.Vertical)

    def _tab_bar_height(self, dock) -> int:
        """The height of the tab bar under ``dock``'s tab group (0 if it is not tabbed): a
        group's size in resizeDocks includes it."""
        bars = [bar.height() for bar in self.findChildren(QTabBar)
                if bar.isVisible() and dock.windowTitle() in
                [bar.tabText(i) for i in range(bar.count())]]
        return max(bars, default=0)

    def _step_shown(self) -> bool:
        return getattr(self, "_step_visible", False)

    def _on_step_visibility(self, visible: bool):
        self._step_visible = visible
        if visible:   # once the tab's switch is laid out: the dock's height is stale before
            QTimer.singleShot(0, self, self._step_room)
