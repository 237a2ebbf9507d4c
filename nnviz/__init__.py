"""nnviz engine: the matrix equations of a dense p→M→1 network, in NumPy.

Rows are samples and weights run "from-to": W has shape (fan_in, fan_out) and a layer computes
Z = X·W + b. This package imports only NumPy and the standard library, never Qt.
"""
from .errors import NnvizError
from .network import Network
from .trainer import Trainer
from .model import Model
from .experiment import Config, build

__all__ = ["NnvizError", "Network", "Trainer", "Model", "Config", "build"]
__version__ = "0.1.0"
