"""K classes (three or more) on the Output plot and the canvas: one colour per class.

Two classes keep the diverging blue–red scale of a probability (``colors``). With K classes the
plot shows at each point the class the network picks (the largest probability) in that class's
colour, lighter where the network is less sure: full colour at probability 1, the background
at 1/K (a coin toss between all classes). The palette is categorical (Tableau 10, cycled past
ten classes); the colour bar becomes the key, one band per class, named.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

PALETTE = np.array([(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
                    (148, 103, 189), (140, 86, 75), (227, 119, 194), (127, 127, 127),
                    (188, 189, 34), (23, 190, 207)], dtype=np.float64)


def class_rgb(k: int) -> tuple[int, int, int]:
    r, g, b = PALETTE[int(k) % len(PALETTE)]
    return int(r), int(g), int(b)


def class_color(k: int) -> QColor:
    return QColor(*class_rgb(k))


def confidence(P: np.ndarray) -> np.ndarray:
    """How sure the network is, from 0 (every class at 1/K) to 1 (one class at 1), per point
    of P (..., K)."""
    K = P.shape[-1]
    return np.clip((P.max(axis=-1) - 1.0 / K) / (1.0 - 1.0 / K), 0.0, 1.0)


def class_pixels(P: np.ndarray, background, lighten: float = 0.0,
                 discrete: bool = False) -> np.ndarray:
    """(h, w, 3) uint8: the winning class's colour over (h, w, K) probabilities, mixed toward
    ``background`` (an RGB triple) by 1 − confidence (``discrete``: not at all), and by
    ``lighten`` in any case (the data points stay readable on top)."""
    P = np.asarray(P, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        win = np.nan_to_num(P, nan=0.0).argmax(axis=-1)
        c = np.ones(win.shape) if discrete else np.nan_to_num(confidence(P), nan=0.0)
    c = (c * (1.0 - lighten))[..., None]
    bg = np.asarray(background, dtype=np.float64)[:3]
    rgb = bg * (1.0 - c) + PALETTE[win % len(PALETTE)] * c
    return np.ascontiguousarray(np.rint(rgb), dtype=np.uint8)


def class_colormap(K: int, background, lighten: float = 0.0) -> pg.ColorMap:
    """K bands of equal height, class 0 at the bottom: the colour bar as the key."""
    bg = np.asarray(background, dtype=np.float64)[:3]
    pos, cols = [], []
    for k in range(K):
        rgb = np.rint(bg * lighten + PALETTE[k % len(PALETTE)] * (1.0 - lighten)).astype(np.uint8)
        pos += [k / K, (k + 1) / K]
        cols += [rgb, rgb]
    return pg.ColorMap(np.array(pos), np.array(cols, dtype=np.uint8))


def class_ticks(names) -> list:
    """Colour-bar ticks on levels (0, K): each class's name at the middle of its band."""
    return [[(k + 0.5, str(name)) for k, name in enumerate(names)]]
