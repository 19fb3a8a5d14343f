"""Input checks shared by every mathdl module: one wording, one policy.

Every refusal names the function and the argument, says what was given and
what was expected, and uses one exception class per kind of mistake:

* ``TypeError`` -- the wrong kind of object (a string where a number belongs,
  a float where an int belongs, complex where real numbers belong);
* ``ValueError`` -- the right kind with a wrong value (a negative size, a
  wrong shape, NaN where finite numbers are required).

Messages start ``"func: arg ..."``, e.g. ``"solve: A must be square, got shape (2, 3)"``.
Randomness has one policy, :func:`as_generator`: ``None`` (fresh entropy), an
int seed, or a :class:`numpy.random.Generator`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "as_generator",
    "as_real",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_int",
    "check_real",
]


def _kind(x) -> str:
    """A short description of what was given, for messages."""
    if isinstance(x, np.ndarray):
        return f"an array of dtype {x.dtype} and shape {x.shape}"
    return f"{type(x).__name__} {x!r}" if x is None or np.isscalar(x) else type(x).__name__


def as_real(
    x,
    func: str,
    arg: str,
    *,
    ndim: int | Sequence[int] | None = None,
    square: bool = False,
    finite: bool = False,
    keep_float: bool = False,
    copy: bool = False,
) -> np.ndarray:
    """``x`` as a real floating numpy array, or a clear error.

    Parameters
    ----------
    x : array_like
        Numbers, booleans or nested lists of them.
    func, arg : str
        The public function and the argument, for messages.
    ndim : int or sequence of int, optional
        The allowed numbers of dimensions.
    square : bool
        Require the last two dimensions to be equal.
    finite : bool
        Refuse NaN and infinities.
    keep_float : bool
        Keep a floating dtype (float16/32/64) as it is; otherwise everything becomes
        float64. Integers and booleans always become float64.
    copy : bool
        Always return a fresh array that the caller may overwrite.

    Raises
    ------
    TypeError
        For complex, string, object or other non-numeric input.
    ValueError
        For ragged lists, a wrong number of dimensions, a non-square matrix or,
        with ``finite``, NaN or inf.

    Examples
    --------
    >>> as_real([1, 2], "f", "x")
    array([1., 2.])
    >>> as_real([[1.0, 2.0]], "solve", "A", square=True)
    Traceback (most recent call last):
    ...
    ValueError: solve: A must be square, got shape (1, 2)
    """
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{func}: {arg} must be a real array or number, got {_kind(x)}")
    try:
        a = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{func}: {arg} is not a rectangular array ({err})") from None
    if np.iscomplexobj(a):
        raise TypeError(f"{func}: {arg} must be real, got complex dtype {a.dtype}")
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_):
        raise TypeError(f"{func}: {arg} must be a real numeric array, got dtype {a.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{func}: {arg} must be {want}, got shape {a.shape}")
    if square and (a.ndim < 2 or a.shape[-1] != a.shape[-2]):
        raise ValueError(f"{func}: {arg} must be square, got shape {a.shape}")
    if keep_float and np.issubdtype(a.dtype, np.floating):
        a = a.copy() if copy else a
    else:
        a = a.astype(np.float64)  # a fresh array
    if finite:
        bad = ~np.isfinite(a)
        if bad.any():
            i = tuple(int(k) for k in np.argwhere(bad)[0])
            raise ValueError(
                f"{func}: {arg} must be finite, got {a[i]} at index {i} (shape {a.shape})"
            )
    return a


def check_int(value, func: str, arg: str, *, min: int | None = None, max: int | None = None):
    """``value`` as a Python int within ``[min, max]``; bools and floats are refused.

    Examples
    --------
    >>> check_int(3, "Linear", "out_features", min=1)
    3
    >>> check_int(2.5, "Linear", "out_features")
    Traceback (most recent call last):
    ...
    TypeError: Linear: out_features must be an int, got float 2.5
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {arg} must be an int, got {_kind(value)}")
    value = int(value)
    if min is not None and value < min:
        raise ValueError(f"{func}: {arg} must be >= {min}, got {value}")
    if max is not None and value > max:
        raise ValueError(f"{func}: {arg} must be <= {max}, got {value}")
    return value


def check_real(
    value,
    func: str,
    arg: str,
    *,
    min: float | None = None,
    max: float | None = None,
    min_open: bool = False,
    max_open: bool = False,
    finite: bool = True,
) -> float:
    """``value`` as a Python float within the interval; strings, None and bools refused.

    ``min_open``/``max_open`` exclude the end points: ``check_real(h, f, "h", min=0,
    min_open=True)`` asks for ``h > 0``.

    Examples
    --------
    >>> check_real(0.1, "SGD", "lr", min=0.0)
    0.1
    >>> check_real(-1.0, "SGD", "lr", min=0.0)
    Traceback (most recent call last):
    ...
    ValueError: SGD: lr must be >= 0.0, got -1.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if not (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"):
            raise TypeError(f"{func}: {arg} must be a real number, got {_kind(value)}")
    value = float(value)
    if np.isnan(value) or (finite and np.isinf(value)):
        raise ValueError(f"{func}: {arg} must be a finite number, got {value}")
    if min is not None and (value <= min if min_open else value < min):
        raise ValueError(f"{func}: {arg} must be {'>' if min_open else '>='} {min}, got {value}")
    if max is not None and (value >= max if max_open else value > max):
        raise ValueError(f"{func}: {arg} must be {'<' if max_open else '<='} {max}, got {value}")
    return value


def check_bool(value, func: str, arg: str) -> bool:
    """``value`` if it is a bool (numpy's too); strings like ``"no"`` are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{func}: {arg} must be True or False, got {_kind(value)}")
    return bool(value)


def check_choice(value, func: str, arg: str, options: Sequence[str]):
    """``value`` if it is one of ``options``; the message lists them."""
    if not isinstance(value, str):
        raise TypeError(f"{func}: {arg} must be one of {list(options)}, got {_kind(value)}")
    if value not in options:
        raise ValueError(f"{func}: {arg} must be one of {list(options)}, got {value!r}")
    return value


def check_callable(f, func: str, arg: str = "f"):
    """``f`` if it can be called."""
    if not callable(f):
        raise TypeError(f"{func}: {arg} must be callable, got {_kind(f)}")
    return f


def as_generator(rng, func: str, arg: str = "rng") -> np.random.Generator:
    """The one randomness policy: ``None`` (fresh entropy), an int seed >= 0, or a Generator.

    A Generator is used as it is (and advanced), so a caller controls every draw.

    Examples
    --------
    >>> int(as_generator(0, "sample").integers(10)) == int(as_generator(0, "sample").integers(10))
    True
    >>> as_generator(1.5, "sample")
    Traceback (most recent call last):
    ...
    TypeError: sample: rng must be None, an int seed or a numpy.random.Generator, got float 1.5
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(
            f"{func}: {arg} must be None, an int seed or a numpy.random.Generator, got {_kind(rng)}"
        )
    if rng < 0:
        raise ValueError(f"{func}: {arg} seed must be >= 0, got {int(rng)}")
    return np.random.default_rng(int(rng))
