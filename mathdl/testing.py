"""Compare mathdl with PyTorch: the device list and one closeness check.

PyTorch is imported lazily, so ``import mathdl`` needs numpy only; these
helpers are for the tests and for the "Check against PyTorch" cells.
"""

from __future__ import annotations

import numpy as np


def available_devices() -> list[str]:
    """Return the torch devices present here: ``"cpu"`` always, ``"cuda"`` if a GPU is.

    Examples
    --------
    >>> "cpu" in available_devices()
    True
    """
    import torch

    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def to_numpy(x) -> np.ndarray:
    """Return ``x`` (a torch tensor on any device, or array-like) as a numpy array."""
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def max_error(actual, expected) -> float:
    """Largest absolute difference between two arrays (or tensors) of one shape.

    Examples
    --------
    >>> max_error([1.0, 2.0], [1.0, 2.5])
    0.5
    """
    a, e = to_numpy(actual), to_numpy(expected)
    if a.shape != e.shape:
        raise ValueError(f"max_error: shapes differ, actual {a.shape} vs expected {e.shape}")
    return float(np.max(np.abs(a - e), initial=0.0))


def assert_close(actual, expected, *, rtol: float = 1e-10, atol: float = 0.0, name: str = "value"):
    """Assert ``|actual - expected| <= atol + rtol * |expected|`` elementwise.

    Accepts real or complex numpy arrays and torch tensors on any device. The message names
    the quantity, the shapes and the worst element, so a failure explains itself.

    Returns
    -------
    float
        The largest absolute error, handy to print in a notebook.

    Examples
    --------
    >>> assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.5]), atol=0.5)
    0.5
    """
    a, e = to_numpy(actual), to_numpy(expected)
    if a.shape != e.shape:
        raise AssertionError(f"{name}: shape {a.shape} differs from expected {e.shape}")
    wide = np.complex128 if np.iscomplexobj(a) or np.iscomplexobj(e) else np.float64
    err = np.abs(a.astype(wide) - e.astype(wide))
    bound = atol + rtol * np.abs(e.astype(wide))
    bad = ~(err <= bound)  # NaN counts as a failure
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, err, -1.0)), a.shape) if a.ndim else ()
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {a.size} elements differ beyond rtol={rtol}, "
            f"atol={atol}; worst at index {i}: {a[i]!r} vs expected {e[i]!r}"
        )
    return float(err.max(initial=0.0))
