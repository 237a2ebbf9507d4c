"""nnviz engine: the matrix equations of a dense network (p→M→1 to start with, more hidden layers,
one output or K classes), in NumPy.

Rows are samples and weights run "from-to": W has shape (fan_in, fan_out) and a layer computes
Z = X·W + b. This package imports only NumPy and the standard library, never Qt.
"""
from nnviz.errors import NnvizError
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer
from nnviz.core.model import Model
from nnviz.experiment import Config, build

__all__ = ["NnvizError", "Network", "Trainer", "Model", "Config", "build"]
__version__ = "0.1.0"
