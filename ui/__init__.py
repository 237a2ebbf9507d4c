"""nnviz desktop app (PySide6 + pyqtgraph) over the :mod:`nnviz` engine."""
