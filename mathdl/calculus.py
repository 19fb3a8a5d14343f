"""Numerical calculus on plain numpy functions: finite differences, quadrature, Monte Carlo.

The functions here treat ``f`` as a black box that can only be evaluated, the
situation automatic differentiation avoids; the test-suite checks every result
against ``torch.autograd`` and ``torch.trapezoid``.

* :func:`derivative`, :func:`forward_difference` -- ``f'(x)`` for an
  elementwise ``f``, vectorised over an array of points; :func:`difference_error`
  gives the errors of both schemes over a sweep of steps (the V-shaped plot).
* :func:`gradient`, :func:`jacobian`, :func:`hessian` -- derivatives of
  ``f: R^n -> R`` and ``f: R^n -> R^m`` by central differences, one coordinate
  at a time, all through one private loop (the Hessian is the Jacobian of the
  gradient).
* :func:`taylor_polynomial` -- the degree-n Taylor polynomial from the derivatives
  at one point.
* :func:`trapezoid`, :func:`simpson` -- composite rules on samples;
  :func:`integrate` applies either to a function on ``[a, b]``.
* :func:`monte_carlo` -- ``int f`` over a box, or ``E[f(X)]`` for a sampler, with
  its standard error; randomness comes only from ``rng`` (None, an int seed or a
  ``numpy.random.Generator``, the one policy of :func:`mathdl._validation.as_generator`).

Exact derivatives live in :mod:`mathdl.autodiff`; finite differences live only here,
and the step is called ``h`` everywhere. Points and samples must be real and finite;
they are converted to float64 and every result is float64. ``f`` may return numbers,
numpy arrays or :class:`mathdl.autodiff.Tensor` values; anything else (None, strings,
complex values) is a TypeError. Every message starts ``"func: arg ..."``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from mathdl._validation import (
    _kind,
    as_generator,
    as_real,
    check_callable,
    check_choice,
    check_int,
    check_real,
)

__all__ = [
    "derivative",
    "difference_error",
    "forward_difference",
    "gradient",
    "hessian",
    "integrate",
    "jacobian",
    "monte_carlo",
    "simpson",
    "taylor_polynomial",
    "trapezoid",
]

_EPS = float(np.finfo(np.float64).eps)


# ----------------------------------------------------------------------------- helpers


def _real(x, func: str, arg: str, *, ndim=None) -> np.ndarray:
    """``x`` as a finite float64 array (a fresh one), through the shared validator."""
    return as_real(x, func, arg, ndim=ndim, finite=True)


def _step(h, x: np.ndarray, power: float, func: str) -> np.ndarray:
    """The step for each point of ``x``: ``eps**power * max(1, |x|)`` or the user's ``h``."""
    if h is None:
        return _EPS**power * np.maximum(1.0, np.abs(x))
    if np.asarray(h).dtype == np.bool_:
        raise TypeError(f"{func}: h must be a positive real number or array, got {_kind(h)}")
    hh = as_real(h, func, "h")
    if not (np.isfinite(hh).all() and (hh > 0).all()):
        shown = hh if hh.ndim == 0 else f"an array with min {np.min(hh, initial=np.inf)}"
        raise ValueError(f"{func}: h must be positive and finite, got {shown}")
    try:
        hh = np.broadcast_to(hh, x.shape).copy()
    except ValueError:
        raise ValueError(
            f"{func}: h of shape {hh.shape} does not broadcast to x of shape {x.shape}"
        ) from None
    with np.errstate(over="ignore"):  # x + h may pass the largest float: see _difference
        lost = x + hh == x  # a step below half the float spacing at x vanishes
    if lost.any():
        i = np.argwhere(lost)[0]
        raise ValueError(
            f"{func}: step h={hh[tuple(i)]:g} is lost in rounding at x={x[tuple(i)]:g} "
            f"(x + h == x); use h >= {np.spacing(x[tuple(i)]):g}"
        )
    return hh


def _numeric(y):
    """``y`` as a real numeric array; None for None, strings, objects, complex or ragged lists."""
    if y is None or isinstance(y, (str, bytes)):
        return None
    try:
        a = np.asarray(y)
    except (TypeError, ValueError):  # ragged nested lists
        return None
    real = a.dtype == np.bool_ or (np.issubdtype(a.dtype, np.number) and not np.iscomplexobj(a))
    return a if real else None


def _call(f, pts: np.ndarray, func: str, shape=None, *, scalar: bool = False, arg: str = "f"):
    """``f(pts)`` as a float64 array, or a clear error.

    ``f`` may return a number, an array or a :class:`mathdl.autodiff.Tensor` (its
    ``.data`` is used). Anything else (None, a string, objects) and complex values raise
    TypeError. With ``shape`` the value must have that shape; with ``scalar`` it must
    have one element and comes back with shape ().
    """
    from mathdl.autodiff import Tensor  # here, not at import time: no import cycle

    y = f(pts)
    y = y.data if isinstance(y, Tensor) else y
    a = _numeric(y)
    if a is None:
        what = _kind(y)
        if isinstance(y, (complex, np.complexfloating, np.ndarray)) and np.iscomplexobj(y):
            what = f"complex values (dtype {np.asarray(y).dtype})"
        want = "a real number" if scalar else "real numbers"
        raise TypeError(
            f"{func}: {arg} returned {what} for input of shape {pts.shape}; expected {want}"
        )
    if scalar and a.size != 1:
        raise ValueError(
            f"{func}: {arg} returned shape {a.shape} for input of shape {pts.shape}; "
            "expected a scalar (one element)"
        )
    if shape is not None and not scalar and a.shape != tuple(shape):
        raise ValueError(
            f"{func}: {arg} returned shape {a.shape} for input of shape {pts.shape}; "
            f"expected shape {tuple(shape)}"
        )
    return a.astype(np.float64).reshape(()) if scalar else a.astype(np.float64)


def _slope(fa, fb, a, b):
    """``(fa - fb) / (a - b)`` without a spurious overflow in either difference.

    Where a difference of two finite numbers overflows (values near the largest float with
    opposite signs), both are halved first: ``(fa/2 - fb/2) / (a/2 - b/2)``. A quotient that
    truly overflows gives inf, silently; NaN values give NaN.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        num, den = fa - fb, a - b
        spurious = (np.isinf(num) & np.isfinite(fa) & np.isfinite(fb)) | np.isinf(den)
        if spurious.any():
            num = np.where(spurious, fa / 2 - fb / 2, num)
            den = np.where(spurious, a / 2 - b / 2, den)
        return num / den


def _one_sided(f0, f1, f2, x0, x1, x2):
    """``f'(x0)`` from the parabola through ``(x_k, f_k)``, with ``x1`` and ``x2`` on one side.

    Newton's form ``p'(x0) = f[x0, x1] + (x0 - x1) f[x0, x1, x2]`` is ``D01 + r (D01 - D12)``
    with the slopes ``D01``, ``D12`` and ``r = (x0 - x1) / (x0 - x2)``; for ``x1 = x0 - h``
    and ``x2 = x0 - 2h`` it is ``(3 f0 - 4 f1 + f2) / 2h``, error ``h^2 |f'''| / 3``.
    """
    d01, d12 = _slope(f0, f1, x0, x1), _slope(f1, f2, x1, x2)
    near, far = x0 - x1, x1 - x2  # one sign, each finite; their sum may overflow
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # unused lanes: 0/0
        span = near + far
        r = np.where(np.isinf(span), (near / 2) / (near / 2 + far / 2), near / span)
        return d01 + r * (d01 - d12)


def _difference(ev, x0, h, lanes):
    """``f'(x0)`` along one coordinate: the central difference, one-sided at the edges.

    ``ev(t)`` evaluates ``f`` with the coordinate(s) set to ``t`` (of ``x0``'s shape); its
    values have a shape ``S``, and ``lanes`` reduces a mask of shape ``S`` to ``x0``'s shape
    (the identity for an elementwise ``f``, ``np.any`` for one coordinate of ``f(x)``).

    The central difference needs ``x0 +- h`` in the float range and ``f`` finite at both.
    Where ``x0 + h`` passes the largest float, or ``f(x0 + h)`` is not finite but
    ``f(x0 - h)`` is, the inward side serves: ``(3 f(x0) - 4 f(x0 - h) + f(x0 - 2h)) / 2h``
    (:func:`_one_sided`, second order too); symmetrically at the lower edge. So
    ``derivative(lambda x: x, 1.79e308)`` is 1, not NaN. Two evaluations of ``f`` away
    from the edges, up to five at them.
    """
    with np.errstate(over="ignore"):
        up, down = x0 + h, x0 - h
    top, bottom = np.isinf(up), np.isinf(down)
    up, down = np.where(top, x0, up), np.where(bottom, x0, down)  # finite points only
    fu, fd = ev(up), ev(down)
    d = _slope(fu, fd, up, down)  # at an edge: the one-sided first-order difference
    back = top | (~np.isfinite(fu) & np.isfinite(fd))
    ahead = bottom | (~np.isfinite(fd) & np.isfinite(fu))
    if not (back.any() or ahead.any()):
        return d
    f0 = ev(x0)
    for side, x1, f1, sign in ((back, down, fd, -1.0), (ahead, up, fu, 1.0)):
        with np.errstate(over="ignore"):
            x2 = x1 + sign * h
        lane = lanes(side) & np.isfinite(x2) & (x1 != x0)
        if np.any(lane):
            x2 = np.where(lane, x2, x0)
            f2 = ev(x2)
            good = side & lane & np.isfinite(f0) & np.isfinite(f1) & np.isfinite(f2)
            d = np.where(good, _one_sided(f0, f1, f2, x0, x1, x2), d)
    return d


def _central(f, x: np.ndarray, step: np.ndarray, func: str, *, scalar: bool = False):
    """Central differences of ``f`` along each coordinate of ``x`` (n,), stacked last.

    Column ``j`` is ``(f(x + h_j e_j) - f(x - h_j e_j)) / (x_j^+ - x_j^-)``, divided by the
    distance between the two points actually evaluated (the representation error of
    ``h_j`` cancels); one-sided where ``x_j +- h_j`` leaves the float range or ``f`` is not
    finite on one side (:func:`_difference`). Every value must have the shape of the first
    (one element with ``scalar``); the result has shape ``S + (n,)``. ``2n`` evaluations
    (one for empty ``x``). This is the one loop behind :func:`gradient`, :func:`jacobian`
    and :func:`hessian`.
    """
    shape = [None]  # every value must have the shape of the first

    def along(j):
        def ev(t):  # f with coordinate j set to t
            p = x.copy()
            p[j] = t
            y = _call(f, p, func, shape[0], scalar=scalar)
            shape[0] = y.shape
            return y

        return ev

    columns = [_difference(along(j), x[j], step[j], np.any) for j in range(x.size)]
    if not columns:  # empty x: one evaluation gives the shape of the result
        return np.empty((*_call(f, x, func, scalar=scalar).shape, 0))
    return np.stack(columns, axis=-1)  # S + (n,)


# ----------------------------------------------------------------------------- derivatives


def derivative(f, x, h=None):
    """Derivative of an elementwise function by the central difference.

    Parameters
    ----------
    f : callable
        Vectorised ``f: R -> R`` acting elementwise: ``f(array)`` has the array's shape.
    x : array_like, shape (...)
        Finite points.
    h : float or array_like broadcastable to ``x``, optional
        Positive step(s). Default ``eps**(1/3) * max(1, |x|)`` (about ``6.1e-6``).

    Returns
    -------
    ndarray, shape (...) like ``x``
        The approximations of ``f'(x)`` (a numpy scalar when ``x`` is a scalar).

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` or ``h`` is not real, or ``f`` returns something
        other than real numbers (None, a string, complex values).
    ValueError
        If ``x`` has NaN/inf, ``h <= 0`` or ``f`` changes the shape.

    Notes
    -----
    With ``x+ = x + h`` and ``x- = x - h`` rounded to float64,

    ``D(h) = (f(x+) - f(x-)) / (x+ - x-)``,

    i.e. ``(f(x+h) - f(x-h)) / 2h`` where ``2h`` is the distance between the points
    actually evaluated (the representation error of ``h`` cancels).

    Error analysis. Taylor gives ``f(x+-h) = f +- h f' + h^2 f''/2 +- h^3 f'''/6 + ...``,
    so the truncation error is ``h^2 |f'''| / 6``. Each value of ``f`` carries a
    rounding error of about ``eps |f|``, so the numerator is off by ``2 eps |f|``
    and the quotient by ``eps |f| / h``. The total
    ``E(h) = h^2 |f'''| / 6 + eps |f| / h`` is smallest where
    ``E'(h) = h |f'''| / 3 - eps |f| / h^2 = 0``, at
    ``h* = (3 eps |f| / |f'''|)^(1/3) ~ eps^(1/3)``, with ``E(h*) = h*^2 |f'''| / 2``,
    of order ``eps^(2/3) ~ 4e-11``: about ten digits. The factor ``max(1, |x|)``
    keeps the step a relative one for large ``|x|``.

    At the edge of the float range, where ``x + h`` passes the largest float (or ``f`` is
    inf or NaN at ``x + h`` but finite at ``x - h``), the inward one-sided formula
    ``(3 f(x) - 4 f(x - h) + f(x - 2h)) / 2h`` takes over, second order as well (error
    ``h^2 |f'''| / 3``), and symmetrically at the lower edge: ``derivative(lambda x: x,
    1.79e308)`` is 1. Differences of huge values of opposite signs are halved before
    subtracting, so only a derivative that truly overflows is inf.

    Examples
    --------
    >>> print(f"{derivative(np.sin, 0.0):.10f}")
    1.0000000000
    >>> print(np.round(derivative(lambda x: x**3, [1.0, 2.0]), 8))
    [ 3. 12.]
    """
    check_callable(f, "derivative")
    xa = _real(x, "derivative", "x")
    step = _step(h, xa, 1 / 3, "derivative")
    d = _difference(lambda t: _call(f, t, "derivative", xa.shape), xa, step, lambda m: m)
    return d[()]


def forward_difference(f, x, h=None):
    """Derivative of an elementwise function by the forward difference.

    Parameters
    ----------
    f : callable
        Vectorised ``f: R -> R`` acting elementwise.
    x : array_like, shape (...)
        Finite points.
    h : float or array_like broadcastable to ``x``, optional
        Positive step(s). Default ``eps**(1/2) * max(1, |x|)`` (about ``1.5e-8``).

    Returns
    -------
    ndarray, shape (...) like ``x``

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` or ``h`` is not real, or ``f`` returns something
        other than real numbers.
    ValueError
        If ``x`` has NaN/inf, ``h <= 0`` or ``f`` changes the shape.

    Notes
    -----
    With ``x+ = x + h`` rounded to float64, ``D(h) = (f(x+) - f(x)) / (x+ - x)``.

    Truncation ``h |f''| / 2`` (from ``f(x+h) = f + h f' + h^2 f''/2 + ...``), round-off
    ``2 eps |f| / h``; ``E(h) = h |f''| / 2 + 2 eps |f| / h`` is smallest at
    ``h* = 2 (eps |f| / |f''|)^(1/2) ~ eps^(1/2)``, where ``E(h*) = 2 (eps |f| |f''|)^(1/2)``
    is of order ``eps^(1/2) ~ 1.5e-8``: eight digits, two fewer than :func:`derivative`.

    Where ``x + h`` passes the largest float, or ``f(x + h)`` is not finite while ``f(x)``
    is, the backward difference ``(f(x) - f(x - h)) / h`` (the same order) is used.

    Examples
    --------
    >>> print(f"{forward_difference(np.exp, 0.0):.7f}")
    1.0000000
    """
    check_callable(f, "forward_difference")
    xa = _real(x, "forward_difference", "x")
    step = _step(h, xa, 1 / 2, "forward_difference")
    with np.errstate(over="ignore"):
        xp = xa + step
    fx = _call(f, xa, "forward_difference", xa.shape)
    fp = _call(f, np.where(np.isinf(xp), xa, xp), "forward_difference", xa.shape)
    back = np.isinf(xp) | (~np.isfinite(fp) & np.isfinite(fx))  # the edge: look back
    if back.any():
        with np.errstate(over="ignore"):  # x - h overflows only where it is not used
            xm = np.where(back, xa - step, xp)
        fp, xp = np.where(back, _call(f, xm, "forward_difference", xa.shape), fp), xm
    return _slope(fp, fx, xp, xa)[()]


def difference_error(f, df, x, steps):
    """Absolute errors of the forward and central differences over a sweep of steps.

    Parameters
    ----------
    f : callable
        Vectorised ``f: R -> R``.
    df : callable or float
        The exact derivative: a function (evaluated at ``x``) or the value ``f'(x)``.
    x : float
        One finite point.
    steps : array_like, shape (k,)
        Positive steps, typically ``np.logspace(-15, 0, 100)`` (each must survive ``x + h != x``).

    Returns
    -------
    forward : ndarray, shape (k,)
        ``|forward_difference(f, x, h) - f'(x)|`` for each step ``h``.
    central : ndarray, shape (k,)
        ``|derivative(f, x, h) - f'(x)|`` for each step ``h``.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``df`` is neither callable nor a real number (or returns
        something else), or ``x`` is not a real number.
    ValueError
        If ``x`` or ``df`` is not finite or a step is not positive.

    Notes
    -----
    On a log-log plot both errors form a V: the slope is ``-1`` on the left
    (round-off ``~ eps |f| / h``) and ``+1`` (forward) or ``+2`` (central) on the right
    (truncation), meeting near ``eps^(1/2)`` and ``eps^(1/3)``; see :func:`derivative`.

    Examples
    --------
    >>> fwd, cen = difference_error(np.exp, np.exp, 1.0, [1e-1, 1e-5])
    >>> bool(cen[1] < fwd[1] < fwd[0])
    True
    """
    check_callable(f, "difference_error")
    xa = check_real(x, "difference_error", "x")
    hs = _real(steps, "difference_error", "steps", ndim=1)
    if not (hs > 0).all():
        raise ValueError(f"difference_error: steps must be positive, got {hs}")
    if callable(df):
        exact = float(_call(df, np.asarray(xa), "difference_error", scalar=True, arg="df"))
    elif isinstance(df, bool) or not isinstance(df, numbers.Real):
        raise TypeError(f"difference_error: df must be callable or a real number, got {_kind(df)}")
    else:
        exact = check_real(df, "difference_error", "df")
    xs = np.full(hs.shape, xa)  # (k,): one copy of x per step
    fwd = forward_difference(f, xs, hs)
    cen = derivative(f, xs, hs)
    return np.abs(fwd - exact), np.abs(cen - exact)


def gradient(f, x, h=None):
    """Gradient of ``f: R^n -> R`` by central differences, one coordinate at a time.

    Parameters
    ----------
    f : callable
        Takes an array of shape (n,) and returns a scalar: a number, a one-element
        array or a one-element :class:`mathdl.autodiff.Tensor`.
    x : array_like, shape (n,)
        A finite point.
    h : float or array_like of shape (n,), optional
        Positive step(s). Default ``eps**(1/3) * max(1, |x_i|)`` for coordinate ``i``.

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` or ``h`` is not real, or ``f`` returns something
        other than a real number (None, a string, a complex value).
    ValueError
        If ``x`` is not 1-D or has NaN/inf, ``h <= 0`` or ``f`` does not return a scalar.

    Notes
    -----
    ``g_i = (f(x + h_i e_i) - f(x - h_i e_i)) / 2 h_i`` (with the exact distance between
    the two points as in :func:`derivative`, whose error analysis applies coordinate
    by coordinate, one-sided at the edge of the float range as there). ``f`` is a black
    box, so this is a plain loop of ``2n`` evaluations; it does not assume that ``f``
    accepts a batch of points. The exact gradient is ``mathdl.autodiff.grad(f)``.

    Examples
    --------
    >>> g = gradient(lambda v: v[0] ** 2 + 3 * v[1], np.array([1.0, 2.0]))
    >>> print(np.round(g, 8))
    [2. 3.]
    """
    check_callable(f, "gradient")
    xa = _real(x, "gradient", "x", ndim=1)
    return _central(f, xa, _step(h, xa, 1 / 3, "gradient"), "gradient", scalar=True)


def jacobian(f, x, h=None):
    """Jacobian of ``f: R^n -> R^m`` by central differences, one column at a time.

    Parameters
    ----------
    f : callable
        Takes an array of shape (n,) and returns an array of shape (m,) (any fixed shape
        ``S`` is allowed; the result then has shape ``S + (n,)``, as in torch). Numbers,
        arrays and :class:`mathdl.autodiff.Tensor` values are accepted.
    x : array_like, shape (n,)
        A finite point.
    h : float or array_like of shape (n,), optional
        Positive step(s). Default ``eps**(1/3) * max(1, |x_j|)`` for column ``j``.

    Returns
    -------
    J : ndarray, shape (m, n)
        ``J[i, j] = d f_i / d x_j``.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` or ``h`` is not real, or ``f`` returns something
        other than real numbers.
    ValueError
        If ``x`` is not 1-D or has NaN/inf, ``h <= 0`` or ``f`` changes its output shape.

    Notes
    -----
    ``J[:, j] = (f(x + h_j e_j) - f(x - h_j e_j)) / 2 h_j``: ``2n`` evaluations, error
    ``O(h^2)`` per column, ``~ eps^(2/3)`` at the default step (see :func:`derivative`).
    The exact Jacobian is ``mathdl.autodiff.jacobian``.

    Examples
    --------
    >>> J = jacobian(lambda v: np.array([v[0] * v[1], v[0] + v[1]]), np.array([2.0, 3.0]))
    >>> print(np.round(J, 8))
    [[3. 2.]
     [1. 1.]]
    """
    check_callable(f, "jacobian")
    xa = _real(x, "jacobian", "x", ndim=1)
    return _central(f, xa, _step(h, xa, 1 / 3, "jacobian"), "jacobian")


def hessian(f, x, h=None):
    """Hessian of ``f: R^n -> R``: central differences of the central-difference gradient.

    Parameters
    ----------
    f : callable
        Takes an array of shape (n,) and returns a scalar (a number, a one-element array
        or a one-element :class:`mathdl.autodiff.Tensor`).
    x : array_like, shape (n,)
        A finite point.
    h : float or array_like of shape (n,), optional
        Positive step(s). Default ``eps**(1/4) * max(1, |x_i|)`` (about ``1.2e-4``).

    Returns
    -------
    H : ndarray, shape (n, n)
        Symmetric up to rounding; it is not symmetrised (see Notes).

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` or ``h`` is not real, or ``f`` returns something
        other than a real number (None, a string, a complex value).
    ValueError
        If ``x`` is not 1-D or has NaN/inf, ``h <= 0`` or ``f`` does not return a scalar.

    Notes
    -----
    ``H`` is the :func:`jacobian` of :func:`gradient`, both with the steps ``h``: column
    ``j`` is ``(g(x + h_j e_j) - g(x - h_j e_j)) / 2 h_j`` with
    ``g_i(y) = (f(y + h_i e_i) - f(y - h_i e_i)) / 2 h_i``. Written out, with
    ``f_{st} = f(x + s h_i e_i + t h_j e_j)``::

        H_ii = (f(x + 2 h_i e_i) - 2 f(x) + f(x - 2 h_i e_i)) / (4 h_i^2)
        H_ij = (f_{++} - f_{-+} - f_{+-} + f_{--}) / (4 h_i h_j)            (i != j)

    (each ``2 h`` being the distance actually evaluated). ``4 n^2`` evaluations, in the
    one loop shared with :func:`gradient` and :func:`jacobian`. ``H`` is not
    symmetrised: ``H_ij`` and ``H_ji`` combine the same four values in a different
    order, so they agree to rounding, about ``eps |f| / (h_i h_j)``, not bit for bit.

    Error analysis (diagonal, an effective step ``2h``).
    ``f(x+2h) + f(x-2h) - 2 f = 4 h^2 f'' + 16 h^4 f''''/12 + ...``, so the truncation
    error is ``h^2 |f''''| / 3``; the round-off is ``(1 + 2 + 1) eps |f| / (4 h^2)``.
    ``E(h) = h^2 |f''''| / 3 + eps |f| / h^2`` is smallest at
    ``h* = (3 eps |f| / |f''''|)^(1/4) ~ eps^(1/4)``, with
    ``E(h*) = 2 (eps |f| |f''''| / 3)^(1/2)`` of order ``eps^(1/2) ~ 1.5e-8``. The
    off-diagonal formula has the same orders (truncation ``O(h^2)`` times fourth
    derivatives, round-off ``eps |f| / (h_i h_j)``). Second derivatives by differences
    of differences are thus good to about eight digits, not ten.

    With an exact gradient only one level of differences remains: the Hessian is also
    ``calculus.jacobian(autodiff.grad(f), x)``, central differences of the reverse-mode
    gradient, with error ``O(h^2)`` (truncation ``h^2 |d^3 grad f| / 6``, round-off
    ``eps |grad f| / h``) at :func:`jacobian`'s step ``eps^(1/3)``: about
    ``eps^(2/3) ~ 4e-11``, ten digits. It is not symmetrised either, so comparing it
    with its transpose measures that error (the exact Hessian is symmetric when the
    second derivatives are continuous, by Schwarz's theorem).

    Examples
    --------
    >>> H = hessian(lambda v: v[0] ** 2 * v[1], np.array([1.0, 2.0]))
    >>> print(np.round(H, 6) + 0.0)
    [[4. 2.]
     [2. 0.]]
    >>> from mathdl import autodiff
    >>> H1 = jacobian(autodiff.grad(lambda v: v[0] ** 2 * v[1]), np.array([1.0, 2.0]))
    >>> print(np.round(H1, 9) + 0.0)
    [[4. 2.]
     [2. 0.]]
    """
    check_callable(f, "hessian")
    xa = _real(x, "hessian", "x", ndim=1)
    step = _step(h, xa, 1 / 4, "hessian")

    def g(p):  # (n,) -> (n,): the central-difference gradient at p, steps h
        return _central(f, p, step, "hessian", scalar=True)

    return _central(g, xa, step, "hessian")


def taylor_polynomial(derivatives, a, x):
    """Evaluate the Taylor polynomial built from the derivatives of ``f`` at ``a``.

    Parameters
    ----------
    derivatives : (n + 1,) array_like
        ``f(a), f'(a), ..., f^(n)(a)``; the polynomial has degree ``n``.
    a : float
        The expansion point.
    x : array_like
        Points at which to evaluate; any shape.

    Returns
    -------
    ndarray, same shape as ``x``

    Notes
    -----
    .. math:: T_n(x) = \\sum_{k=0}^{n} \\frac{f^{(k)}(a)}{k!} (x - a)^k,

    evaluated by Horner's rule with the ratio ``t / (k + 1)``, ``t = x - a``, at each step:
    ``T = f^(n)(a)``, then ``T = f^(k)(a) + T * (t / (k + 1))`` for ``k = n-1, ..., 0``.
    Unrolled, ``T = f(a) + t (f'(a) + t/2 (f''(a) + t/3 (...)))``: neither ``k!`` nor
    ``t^k`` is ever formed, so a high degree cannot overflow them (``k!`` passes the largest
    float at ``k = 171``) and ``taylor_polynomial(np.ones(200), 0.0, 0.5)`` is ``e^0.5``.
    Trailing zero derivatives are dropped first (they do not change the polynomial), so
    ``0 * inf`` cannot appear; a value that overflows is ``+-inf``, without a warning.

    Examples
    --------
    >>> float(taylor_polynomial([1.0, 1.0, 1.0, 1.0], 0.0, 1.0))  # e ~ 1 + 1 + 1/2 + 1/6
    2.6666666666666665
    >>> bool(taylor_polynomial(np.ones(200), 0.0, 0.5) == np.exp(0.5))
    True
    """
    d = _real(derivatives, "taylor_polynomial", "derivatives", ndim=1)
    if d.size == 0:
        raise ValueError("taylor_polynomial: derivatives must hold at least f(a), got shape (0,)")
    a = check_real(a, "taylor_polynomial", "a")
    with np.errstate(over="ignore"):  # |x - a| may pass the largest float: T is then +-inf
        t = _real(x, "taylor_polynomial", "x") - a
    nonzero = np.flatnonzero(d)
    d = d[: nonzero[-1] + 1 if nonzero.size else 1]  # the degree that matters
    result = np.full_like(t, d[-1])
    with np.errstate(over="ignore"):
        for k in range(d.size - 2, -1, -1):  # Horner: one pass per degree, vectorised over x
            result = d[k] + result * (t / (k + 1))
    return result[()] if result.ndim == 0 else result


# ----------------------------------------------------------------------------- quadrature


def _samples(y, x, dx, func: str):
    """Validate samples: ``y`` (..., N) and ``x`` None, (N,) or y's shape (else ``dx``)."""
    ya = _real(y, func, "y")
    if ya.ndim == 0:
        raise ValueError(f"{func}: y must have at least 1 dimension, got shape ()")
    if x is None:
        return ya, None, check_real(dx, func, "dx")
    xa = _real(x, func, "x")
    N = ya.shape[-1]
    if xa.shape != ya.shape and xa.shape != (N,):
        raise ValueError(
            f"{func}: x has shape {xa.shape} but y has shape {ya.shape}; "
            f"expected x of shape ({N},) or {ya.shape}"
        )
    return ya, xa, None


def _widths(xa, dx, N: int) -> np.ndarray:
    """``x_{k+1} - x_k`` (N - 1,) or (..., N - 1), or ``dx`` repeated; inf where it overflows."""
    if xa is None:
        return np.full(max(N - 1, 0), dx)
    with np.errstate(over="ignore"):
        return np.diff(xa, axis=-1)


def _exponent(a: np.ndarray) -> np.ndarray:
    """``e`` with ``max |a| = m 2^e``, ``0.5 <= m < 1``, along the last axis (kept; 0 if empty)."""
    return np.frexp(np.max(np.abs(a), axis=-1, keepdims=True, initial=0.0))[1]


def _rescaled(rule, ya: np.ndarray, xa, dx):
    """``rule(y, widths)``; where it overflows, the same rule on ``y``, ``x`` scaled by ``2^-e``.

    Scaling by powers of two is exact, so the rescaled sum differs from the direct one only
    in having no spurious overflow (``1e308 + 1e308`` in a sum whose value is ``1e308``);
    the result is scaled back by ``2^(e_y + e_x)`` and is inf only if the integral is.
    Rows that did not overflow keep the direct value bit for bit.
    """
    N = ya.shape[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.asarray(rule(ya, _widths(xa, dx, N)))
    bad = ~np.isfinite(out)
    if not bad.any():
        return out
    ey = _exponent(ya)  # (..., 1)
    if xa is None:
        ex = np.frexp(dx)[1]
        ws = _widths(None, np.ldexp(dx, -ex), N)
    else:
        ex = _exponent(xa)  # (1,) or (..., 1)
        ws = _widths(np.ldexp(xa, -ex), None, N)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.ldexp(rule(np.ldexp(ya, -ey), ws), (ey + ex)[..., 0])
    return np.where(bad, scaled, out)


def _trapezoid_rule(ya: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``sum_k w_k (y_k + y_{k+1}) / 2`` along the last axis."""
    return np.sum(w * (ya[..., 1:] + ya[..., :-1]) / 2.0, axis=-1)


def _simpson_rule(ya: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Simpson's parabolas on pairs of widths ``h0, h1``, written with ``r = h1 / h0`` only."""
    h0, h1 = w[..., 0::2], w[..., 1::2]  # (..., N // 2) each
    y0, y1, y2 = ya[..., 0:-2:2], ya[..., 1::2], ya[..., 2::2]
    r = h1 / h0
    parts = (
        (h0 + h1) / 6.0 * ((2.0 - r) * y0 + (1.0 + r) * (1.0 + 1.0 / r) * y1 + (2.0 - 1.0 / r) * y2)
    )
    return np.sum(parts, axis=-1)


def trapezoid(y, x=None, dx=1.0):
    """Composite trapezoidal rule along the last axis of ``y``, like ``torch.trapezoid``.

    Parameters
    ----------
    y : array_like, shape (..., N)
        Samples ``f(x_0), ..., f(x_{N-1})``.
    x : array_like, shape (N,) or (..., N), optional
        Sample points (any order; decreasing ``x`` gives the negative integral).
    dx : float, default 1.0
        Spacing of equally spaced samples, used when ``x`` is None.

    Returns
    -------
    ndarray, shape (...)
        The integrals (``0`` when ``N < 2``); a numpy scalar for 1-D ``y``.

    Raises
    ------
    TypeError
        If ``y`` or ``x`` is not real.
    ValueError
        If ``x`` and ``y`` have mismatched shapes or contain NaN/inf.

    Notes
    -----
    ``T = sum_k (x_{k+1} - x_k) (y_k + y_{k+1}) / 2`` (``x_{k+1} - x_k = dx`` without ``x``).
    On ``[a, b]`` with ``n`` equal intervals ``h = (b - a) / n`` the error is
    ``-(b - a) h^2 f''(xi) / 12``: order ``O(h^2)``, exact for straight lines.

    Where this sum overflows although the integral does not (``trapezoid([1e308, 1e308])``
    is ``1e308``: ``y_k + y_{k+1}`` or a width ``x_{k+1} - x_k`` passes the largest float),
    it is redone on ``y 2^-e_y`` and ``x 2^-e_x``, scaled so that the largest ``|y|`` and
    ``|x|`` (or ``dx``) lie in ``[0.5, 1)``, and multiplied back by ``2^(e_y + e_x)``: powers
    of two scale exactly, so nothing else changes. Like ``torch.trapezoid``, fewer than
    two samples give 0.

    Examples
    --------
    >>> print(trapezoid([0.0, 1.0, 4.0], x=[0.0, 1.0, 2.0]))
    3.0
    """
    ya, xa, dx = _samples(y, x, dx, "trapezoid")
    return _rescaled(_trapezoid_rule, ya, xa, dx)[()]


def simpson(y, x=None, dx=1.0):
    """Composite Simpson rule along the last axis of ``y``; needs an odd number of samples.

    Parameters
    ----------
    y : array_like, shape (..., N)
        Samples, ``N`` odd (an even number ``N - 1`` of intervals), ``N >= 3``.
    x : array_like, shape (N,) or (..., N), optional
        Strictly monotonic sample points; unequal spacing is allowed.
    dx : float, default 1.0
        Spacing of equally spaced samples, used when ``x`` is None.

    Returns
    -------
    ndarray, shape (...)
        A numpy scalar for 1-D ``y``.

    Raises
    ------
    TypeError
        If ``y`` or ``x`` is not real.
    ValueError
        If ``N`` is even or below 3, ``x`` and ``y`` have mismatched shapes, ``x`` is
        not strictly monotonic or ``dx`` is 0, or there is NaN/inf.

    Notes
    -----
    Unlike ``scipy.integrate.simpson``, an even ``N`` is refused rather than patched
    on the last interval: integrate that interval separately (e.g. with
    :func:`trapezoid`) if you must. Pairs of intervals ``h0 = x_1 - x_0``,
    ``h1 = x_2 - x_1`` contribute the integral of the parabola through the three
    points,

    ``(h0 + h1) / 6 * [(2 - h1/h0) y_0 + (h0 + h1)^2 / (h0 h1) y_1 + (2 - h0/h1) y_2]``,

    which for ``h0 = h1 = h`` is ``h/3 (y_0 + 4 y_1 + y_2)``. With equal spacing the
    error is ``-(b - a) h^4 f''''(xi) / 180``: order ``O(h^4)``, exact for cubics
    (unequal spacing: exact for quadratics).

    The code writes the bracket with the ratio ``r = h1 / h0`` only,
    ``(2 - r) y_0 + (1 + r)(1 + 1/r) y_1 + (2 - 1/r) y_2``, so no ``h^2``-sized term can
    underflow (spacings of ``1e-200`` are fine) and, as in :func:`trapezoid`, a sum that
    overflows is redone on samples and points scaled by powers of two.

    Examples
    --------
    >>> print(simpson([0.0, 1.0, 8.0], x=[0.0, 1.0, 2.0]))  # int_0^2 x^3 dx
    4.0
    """
    ya, xa, dx = _samples(y, x, dx, "simpson")
    N = ya.shape[-1]
    if N < 3 or N % 2 == 0:
        raise ValueError(
            f"simpson: y must have an odd number of samples >= 3 along its last axis "
            f"(an even number of intervals), got {N} samples (shape {ya.shape})"
        )
    w = _widths(xa, dx, N)  # the signs are right even where a width overflows
    if not ((w > 0).all() or (w < 0).all()):
        arg = "dx must be nonzero" if x is None else "x must be strictly monotonic"
        raise ValueError(f"simpson: {arg}, got {dx if x is None else np.asarray(x)}")
    return _rescaled(_simpson_rule, ya, xa, dx)[()]


def _grid(lo: float, hi: float, n: int) -> np.ndarray:
    """``np.linspace(lo, hi, n + 1)``, computed on ``[lo, hi] 2^-e`` where ``hi - lo`` overflows."""
    with np.errstate(over="ignore"):
        span = np.float64(hi) - np.float64(lo)
    if np.isfinite(span):
        return np.linspace(lo, hi, n + 1)
    e = math.frexp(max(abs(lo), abs(hi)))[1]
    xs = np.ldexp(np.linspace(math.ldexp(lo, -e), math.ldexp(hi, -e), n + 1), e)
    return np.clip(xs, lo, hi)


def integrate(f, a, b, n=128, rule="simpson"):
    """Integral of ``f`` over ``[a, b]`` from ``n`` equal intervals.

    Parameters
    ----------
    f : callable
        Vectorised ``f: R -> R``, evaluated once on the ``n + 1`` points
        ``np.linspace(a, b, n + 1)``.
    a, b : float
        Finite limits with ``a < b``.
    n : int, default 128
        Number of intervals; even for Simpson.
    rule : {"simpson", "trapezoid"}, default "simpson"

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``f`` is not callable or returns something other than real numbers, a limit is
        not a real number, ``n`` is not an int or ``rule`` is not a string.
    ValueError
        If ``a >= b``, a limit is not finite, ``n < 1`` (odd ``n`` for Simpson), the rule is
        unknown or ``f`` changes the shape.

    Notes
    -----
    ``simpson(f(x), x)`` or ``trapezoid(f(x), x)`` with ``x = linspace(a, b, n + 1)``;
    errors ``O(h^4)`` and ``O(h^2)`` with ``h = (b - a) / n``.

    Examples
    --------
    >>> print(f"{integrate(np.sin, 0.0, np.pi):.8f}")
    2.00000000
    >>> print(f"{integrate(np.sin, 0.0, np.pi, rule='trapezoid'):.4f}")
    1.9999
    """
    check_callable(f, "integrate")
    lo, hi = check_real(a, "integrate", "a"), check_real(b, "integrate", "b")
    if lo >= hi:
        raise ValueError(f"integrate: a must be < b, got a={lo} and b={hi}")
    rule = check_choice(rule, "integrate", "rule", ["simpson", "trapezoid"])
    n = check_int(n, "integrate", "n")
    if n < 1 or (rule == "simpson" and n % 2):
        want = "an even int >= 2" if rule == "simpson" else "an int >= 1"
        raise ValueError(f"integrate: n must be {want} for rule={rule!r}, got {n}")
    xs = _grid(lo, hi, n)
    ys = _call(f, xs, "integrate", xs.shape)
    return float(simpson(ys, xs) if rule == "simpson" else trapezoid(ys, xs))


# ----------------------------------------------------------------------------- Monte Carlo


def _bounds(domain):
    """The pair ``(a, b)`` of :func:`monte_carlo` as finite float64 arrays with ``a < b``."""
    try:
        lo, hi = domain
    except TypeError:
        raise TypeError(
            f"monte_carlo: domain must be a pair (a, b) or a sampler, got {_kind(domain)}"
        ) from None
    except ValueError:
        raise ValueError(
            f"monte_carlo: domain must be a pair (a, b) or a sampler, got {domain!r}"
        ) from None
    lo = _real(lo, "monte_carlo", "a", ndim=(0, 1))
    hi = _real(hi, "monte_carlo", "b", ndim=(0, 1))
    if lo.shape != hi.shape:
        raise ValueError(f"monte_carlo: b must have the shape {lo.shape} of a, got {hi.shape}")
    if not (lo < hi).all():
        raise ValueError(f"monte_carlo: a must be < b elementwise, got a={lo} and b={hi}")
    return lo, hi


def _volume(lo: np.ndarray, hi: np.ndarray) -> tuple[float, int]:
    """``prod(hi - lo)`` as ``(m, e)`` with the volume ``m 2^e``: no overflow, even of a width."""
    m, e = 1.0, 0
    for a, b in zip(lo.ravel().tolist(), hi.ravel().tolist(), strict=True):
        with np.errstate(over="ignore"):
            w = np.float64(b) - np.float64(a)
        wm, we = math.frexp(w) if np.isfinite(w) else math.frexp(b / 2 - a / 2)
        m, k = math.frexp(m * wm)
        e += we + k + (0 if np.isfinite(w) else 1)
    return m, e


def _uniform(lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``lo + (hi - lo) u``, in two half steps where a width ``hi - lo`` overflows."""
    with np.errstate(over="ignore"):
        w = hi - lo
    if np.isfinite(w).all():
        return lo + w * u
    half = hi / 2 - lo / 2
    return np.minimum(lo + half * u + half * u, hi)


def monte_carlo(f, domain, n, rng):
    """Monte Carlo estimate of ``int f`` over a box, or of ``E[f(X)]``, with its standard error.

    Parameters
    ----------
    f : callable
        Vectorised: takes the ``n`` samples at once, shape (n,) for an interval or a
        1-D sampler, (n, d) for a d-dimensional box, and returns shape (n,).
    domain : tuple (a, b) or callable
        Either bounds -- floats ``a < b`` for ``int_a^b f``, or arrays of shape (d,) with
        ``a < b`` elementwise for the box ``prod_i [a_i, b_i]`` -- or a sampler
        ``domain(rng, n)`` returning ``n`` draws of ``X``, for ``E[f(X)]``.
    n : int
        Number of samples, at least 2.
    rng : None, int or numpy.random.Generator
        The only source of randomness, as everywhere in mathdl: None (fresh entropy),
        an int seed >= 0, or a Generator (used as it is, and advanced). The sampler
        receives the Generator.

    Returns
    -------
    estimate : float
    standard_error : float

    Raises
    ------
    TypeError
        If ``f`` is not callable or returns something other than real numbers, ``n`` is
        not an int, ``rng`` is none of the above, or ``domain`` is neither a pair nor
        callable.
    ValueError
        If ``n < 2``, ``rng`` is a negative seed, the bounds are malformed or not finite,
        some ``a_i >= b_i``, ``f`` or the sampler returns the wrong shape, or the sampler
        returns NaN or inf (it must return real numbers: else a TypeError).

    Notes
    -----
    With ``U_k`` uniform in the box of volume ``V = prod_i (b_i - a_i)`` and
    ``f_k = f(U_k)``: estimate ``V * mean(f_k)``, standard error
    ``V * std(f_k, ddof=1) / sqrt(n)``. For a sampler, ``V = 1`` and ``U_k`` are the
    sampler's draws. The error falls as ``1 / sqrt(n)`` whatever the dimension ``d``,
    against ``n^(-2/d)`` for the trapezoid rule on a grid of ``n`` points.

    Nothing overflows on the way to a finite answer: ``V`` is kept as ``m 2^e`` (a width
    ``b_i - a_i`` beyond the largest float included, and the samples are then drawn in two
    half steps), and the mean and standard deviation are taken of ``f_k 2^-e_f``, scaled
    by a power of two so that ``max |f_k|`` lies in ``[0.5, 1)``: exact, so the result is
    the same as the plain formulas wherever those do not overflow.

    Examples
    --------
    >>> est, se = monte_carlo(np.sin, (0.0, np.pi), 10_000, rng=0)
    >>> bool(abs(est - 2.0) < 4 * se), bool(se < 0.02)
    (True, True)
    """
    check_callable(f, "monte_carlo")
    n = check_int(n, "monte_carlo", "n", min=2)  # 2 for the standard error
    rng = as_generator(rng, "monte_carlo")
    if callable(domain):
        samples, volume = domain(rng, n), (0.5, 1)  # V = 1 = 0.5 * 2^1
        as_real(samples, "monte_carlo", "domain (a sampler) output", finite=True)  # a check
        samples = np.asarray(samples)  # its dtype kept: integer draws stay integers
        if samples.ndim == 0 or samples.shape[0] != n:
            raise ValueError(
                f"monte_carlo: domain (a sampler) returned shape {samples.shape}; "
                f"expected ({n}, ...)"
            )
    else:
        lo, hi = _bounds(domain)
        volume = _volume(lo, hi)
        samples = _uniform(lo, hi, rng.random((n, *lo.shape)))  # (n,) or (n, d)
    fs = _call(f, samples, "monte_carlo", (n,))
    e = int(np.frexp(np.max(np.abs(fs)))[1])  # f scaled by 2^-e: no overflow in the sums
    with np.errstate(invalid="ignore"):  # inf - inf in the deviations: NaN, as in torch
        mean, std = np.mean(np.ldexp(fs, -e)), np.std(np.ldexp(fs, -e), ddof=1)
    m, ev = volume
    with np.errstate(over="ignore"):  # only a true overflow of the integral remains
        return float(np.ldexp(mean * m, e + ev)), float(np.ldexp(std * m / math.sqrt(n), e + ev))
