"""Range checks shared by the engine, the CLI and the app (the app's spin boxes use the same limits)."""
from __future__ import annotations

import math

from nnviz import settings
from nnviz.errors import NnvizError

# label -> (low, high): the declared settings' ranges (nnviz.settings), then the numbers that
# are not settings of a run. The app's spin boxes take the same ranges from the declarations.
LIMITS = {
    **settings.limits(),
    "epochs": (1, 1_000_000),
    "steps": (1, 100_000_000),
    "grid resolution": (2, 2000),
}


def check_number(name: str, value, *, integer: bool = False, low=None, high=None):
    """Return ``value`` as float (or int) if it is finite and within ``[low, high]``.

    Defaults for the bounds come from :data:`LIMITS`. Raises :class:`NnvizError` naming ``name``.
    """
    lo, hi = LIMITS.get(name, (None, None))
    lo = lo if low is None else low
    hi = hi if high is None else high
    if isinstance(value, bool):
        raise NnvizError(f"{name} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise NnvizError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise NnvizError(f"{name} must be a finite number, not {value!r}")
    if integer:
        if number != int(number):
            raise NnvizError(f"{name} must be a whole number, not {value!r}")
        number = int(number)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise NnvizError(f"{name} must be between {lo} and {hi} (got {value})")
    return number
