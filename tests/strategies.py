"""Hypothesis settings and strategies shared by every test file (one place, as in minitorch)."""

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# The device fixture is function-scoped: hypothesis must not complain that it is reused.
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SEEDS = st.integers(0, 2**32 - 1)
SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, max_side=5)
BROADCAST = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)


def floats(lo: float, hi: float):
    """Finite float64 values in ``[lo, hi]``."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def points(lo: float, hi: float):
    """1-D float64 arrays of 1 to 20 points in ``[lo, hi]``."""
    return hnp.arrays(np.float64, st.integers(1, 20), elements=floats(lo, hi))
