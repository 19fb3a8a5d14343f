"""Numerical calculus on plain numpy functions: finite differences, quadrature, Monte Carlo.

The functions here treat ``f`` as a black box that can only be evaluated, the
situation automatic differentiation avoids; the test-suite checks every result
against ``torch.autograd`` and ``torch.trapezoid``.

* :func:`derivative`, :func:`forward_difference` -- ``f'(x)`` for an
  elementwise ``f``, vectorised over an array of points; :func:`difference_error`
  gives the errors of both schemes over a sweep of steps (the V-shaped plot).
* :func:`gradient`, :func:`jacobian`, :func:`hessian` -- derivatives of
  ``f: R^n -> R`` and ``f: R^n -> R^m`` by central differences, one coordinate
  at a time.
* :func:`taylor_polynomial` -- the degree-n Taylor polynomial from the derivatives
  at one point.
* :func:`trapezoid`, :func:`simpson` -- composite rules on samples;
  :func:`integrate` applies either to a function on ``[a, b]``.
* :func:`monte_carlo` -- ``int f`` over a box, or ``E[f(X)]`` for a sampler, with
  its standard error; randomness comes only from an explicit ``numpy.random.Generator``.

Points and samples must be real and finite; they are converted to float64 and
every result is float64.
"""

from __future__ import annotations

import math

import numpy as np

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


def _check_callable(f, func: str, arg: str = "f") -> None:
    if not callable(f):
        raise TypeError(f"{func}: {arg} must be callable, got {type(f).__name__}")


def _as_real(x, func: str, arg: str, *, ndims=None) -> np.ndarray:
    """``x`` as a finite float64 array; TypeError for complex/non-numeric, ValueError else."""
    try:
        a = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{func}: {arg} is not a rectangular array ({err})") from None
    if np.iscomplexobj(a):
        raise TypeError(f"{func}: {arg} must be real, got complex dtype {a.dtype}")
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_):
        raise TypeError(f"{func}: expected a real numeric array for {arg}, got dtype {a.dtype}")
    if ndims is not None and a.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{func}: expected {arg} to be {want}, got shape {a.shape}")
    a = a.astype(np.float64)
    bad = ~np.isfinite(a)
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(
            f"{func}: {arg} contains NaN or inf (first at index {i}); expected finite values"
        )
    return a


def _step(h, x: np.ndarray, power: float, func: str) -> np.ndarray:
    """The step for each point of ``x``: ``eps**power * max(1, |x|)`` or the user's ``h``."""
    if h is None:
        return _EPS**power * np.maximum(1.0, np.abs(x))
    try:
        hh = np.asarray(h, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: h must be a positive number or array, got {h!r}") from None
    if not (np.isfinite(hh).all() and (hh > 0).all()):
        shown = hh if hh.ndim == 0 else f"an array with min {np.min(hh, initial=np.inf)}"
        raise ValueError(f"{func}: h must be positive and finite, got {shown}")
    try:
        hh = np.broadcast_to(hh, x.shape).copy()
    except ValueError:
        raise ValueError(
            f"{func}: h of shape {hh.shape} does not broadcast to x of shape {x.shape}"
        ) from None
    lost = x + hh == x  # a step below half the float spacing at x vanishes
    if lost.any():
        i = np.argwhere(lost)[0]
        raise ValueError(
            f"{func}: step h={hh[tuple(i)]:g} is lost in rounding at x={x[tuple(i)]:g} "
            f"(x + h == x); use h >= {np.spacing(x[tuple(i)]):g}"
        )
    return hh


def _call(f, pts: np.ndarray, func: str, shape=None) -> np.ndarray:
    """``f(pts)`` as float64, checked to have ``shape`` when one is given."""
    y = np.asarray(f(pts), dtype=np.float64)
    if shape is not None and y.shape != tuple(shape):
        raise ValueError(
            f"{func}: f returned shape {y.shape} for input of shape {pts.shape}; "
            f"expected shape {tuple(shape)}"
        )
    return y


def _scalar(f, pts: np.ndarray, func: str) -> float:
    y = np.asarray(f(pts), dtype=np.float64)
    if y.size != 1:
        raise ValueError(f"{func}: f must return a scalar, got shape {y.shape}")
    return float(y.reshape(()))


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
        If ``f`` is not callable or ``x`` is not real.
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

    Examples
    --------
    >>> print(f"{derivative(np.sin, 0.0):.10f}")
    1.0000000000
    >>> print(np.round(derivative(lambda x: x**3, [1.0, 2.0]), 8))
    [ 3. 12.]
    """
    _check_callable(f, "derivative")
    xa = _as_real(x, "derivative", "x")
    step = _step(h, xa, 1 / 3, "derivative")
    xp, xm = xa + step, xa - step
    d = (_call(f, xp, "derivative", xa.shape) - _call(f, xm, "derivative", xa.shape)) / (xp - xm)
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
        If ``f`` is not callable or ``x`` is not real.
    ValueError
        If ``x`` has NaN/inf, ``h <= 0`` or ``f`` changes the shape.

    Notes
    -----
    With ``x+ = x + h`` rounded to float64, ``D(h) = (f(x+) - f(x)) / (x+ - x)``.

    Truncation ``h |f''| / 2`` (from ``f(x+h) = f + h f' + h^2 f''/2 + ...``), round-off
    ``2 eps |f| / h``; ``E(h) = h |f''| / 2 + 2 eps |f| / h`` is smallest at
    ``h* = 2 (eps |f| / |f''|)^(1/2) ~ eps^(1/2)``, where ``E(h*) = 2 (eps |f| |f''|)^(1/2)``
    is of order ``eps^(1/2) ~ 1.5e-8``: eight digits, two fewer than :func:`derivative`.

    Examples
    --------
    >>> print(f"{forward_difference(np.exp, 0.0):.7f}")
    1.0000000
    """
    _check_callable(f, "forward_difference")
    xa = _as_real(x, "forward_difference", "x")
    step = _step(h, xa, 1 / 2, "forward_difference")
    xp = xa + step
    fx = _call(f, xa, "forward_difference", xa.shape)
    return ((_call(f, xp, "forward_difference", xa.shape) - fx) / (xp - xa))[()]


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
        If ``f`` or ``df`` is neither callable nor (for ``df``) a real number.
    ValueError
        If ``x`` is not a finite scalar or a step is not positive.

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
    _check_callable(f, "difference_error")
    xa = _as_real(x, "difference_error", "x", ndims=(0,))
    hs = _as_real(steps, "difference_error", "steps", ndims=(1,))
    if not (hs > 0).all():
        raise ValueError(f"difference_error: steps must be positive, got {hs}")
    exact = float(df(xa)) if callable(df) else df
    if isinstance(exact, bool) or not isinstance(exact, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"difference_error: df must be callable or a real number, got {type(df).__name__}"
        )
    xs = np.full(hs.shape, float(xa))  # (k,): one copy of x per step
    fwd = forward_difference(f, xs, hs)
    cen = derivative(f, xs, hs)
    return np.abs(fwd - exact), np.abs(cen - exact)


def gradient(f, x, h=None):
    """Gradient of ``f: R^n -> R`` by central differences, one coordinate at a time.

    Parameters
    ----------
    f : callable
        Takes an array of shape (n,) and returns a scalar.
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
        If ``f`` is not callable or ``x`` is not real.
    ValueError
        If ``x`` is not 1-D or has NaN/inf, ``h <= 0`` or ``f`` does not return a scalar.

    Notes
    -----
    ``g_i = (f(x + h_i e_i) - f(x - h_i e_i)) / 2 h_i`` (with the exact distance between
    the two points as in :func:`derivative`, whose error analysis applies coordinate
    by coordinate). ``f`` is a black box, so this is a plain loop of ``2n``
    evaluations; it does not assume that ``f`` accepts a batch of points.

    Examples
    --------
    >>> g = gradient(lambda v: v[0] ** 2 + 3 * v[1], np.array([1.0, 2.0]))
    >>> print(np.round(g, 8))
    [2. 3.]
    """
    _check_callable(f, "gradient")
    xa = _as_real(x, "gradient", "x", ndims=(1,))
    step = _step(h, xa, 1 / 3, "gradient")
    g = np.empty(xa.shape)
    for i in range(xa.size):
        xp, xm = xa.copy(), xa.copy()
        xp[i] += step[i]
        xm[i] -= step[i]
        g[i] = (_scalar(f, xp, "gradient") - _scalar(f, xm, "gradient")) / (xp[i] - xm[i])
    return g


def jacobian(f, x, h=None):
    """Jacobian of ``f: R^n -> R^m`` by central differences, one column at a time.

    Parameters
    ----------
    f : callable
        Takes an array of shape (n,) and returns an array of shape (m,) (any fixed shape
        ``S`` is allowed; the result then has shape ``S + (n,)``, as in torch).
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
        If ``f`` is not callable or ``x`` is not real.
    ValueError
        If ``x`` is not 1-D or has NaN/inf, ``h <= 0`` or ``f`` changes its output shape.

    Notes
    -----
    ``J[:, j] = (f(x + h_j e_j) - f(x - h_j e_j)) / 2 h_j``: ``2n`` evaluations, error
    ``O(h^2)`` per column, ``~ eps^(2/3)`` at the default step (see :func:`derivative`).

    Examples
    --------
    >>> J = jacobian(lambda v: np.array([v[0] * v[1], v[0] + v[1]]), np.array([2.0, 3.0]))
    >>> print(np.round(J, 8))
    [[3. 2.]
     [1. 1.]]
    """
    _check_callable(f, "jacobian")
    xa = _as_real(x, "jacobian", "x", ndims=(1,))
    step = _step(h, xa, 1 / 3, "jacobian")
    out_shape = _call(f, xa, "jacobian").shape
    J = np.empty((*out_shape, xa.size))
    for j in range(xa.size):
        xp, xm = xa.copy(), xa.copy()
        xp[j] += step[j]
        xm[j] -= step[j]
        diff = _call(f, xp, "jacobian", out_shape) - _call(f, xm, "jacobian", out_shape)
        J[..., j] = diff / (xp[j] - xm[j])
    return J


def hessian(f, x, h=None):
    """Hessian of ``f: R^n -> R`` by second-order central differences.

    Parameters
    ----------
    f : callable
        Takes an array of shape (n,) and returns a scalar.
    x : array_like, shape (n,)
        A finite point.
    h : float or array_like of shape (n,), optional
        Positive step(s). Default ``eps**(1/4) * max(1, |x_i|)`` (about ``1.2e-4``).

    Returns
    -------
    H : ndarray, shape (n, n)
        Exactly symmetric.

    Raises
    ------
    TypeError
        If ``f`` is not callable or ``x`` is not real.
    ValueError
        If ``x`` is not 1-D or has NaN/inf, ``h <= 0`` or ``f`` does not return a scalar.

    Notes
    -----
    With ``f_{+-} = f(x +- h_i e_i)`` and ``f_{st} = f(x + s h_i e_i + t h_j e_j)``::

        H_ii = (f_+ - 2 f(x) + f_-) / h_i^2
        H_ij = H_ji = (f_{++} - f_{+-} - f_{-+} + f_{--}) / (4 h_i h_j)      (i < j)

    ``2 n^2 + 1`` evaluations in all, in a loop.

    Error analysis (diagonal). ``f(x+h) + f(x-h) - 2 f = h^2 f'' + h^4 f''''/12 + ...``,
    so the truncation error is ``h^2 |f''''| / 12``; the round-off is
    ``(1 + 2 + 1) eps |f| / h^2``. ``E(h) = h^2 |f''''| / 12 + 4 eps |f| / h^2`` is
    smallest at ``h* = (48 eps |f| / |f''''|)^(1/4) ~ eps^(1/4)``, with
    ``E(h*) = (4 eps |f| |f''''| / 3)^(1/2)`` of order ``eps^(1/2) ~ 1.5e-8``. The
    off-diagonal formula has the same orders (truncation ``O(h_i h_j)`` times fourth
    derivatives, round-off ``eps |f| / (h_i h_j)``). Second derivatives by differences
    are thus good to about eight digits, not ten.

    Examples
    --------
    >>> H = hessian(lambda v: v[0] ** 2 * v[1], np.array([1.0, 2.0]))
    >>> print(np.round(H, 6))
    [[4. 2.]
     [2. 0.]]
    """
    _check_callable(f, "hessian")
    xa = _as_real(x, "hessian", "x", ndims=(1,))
    step = _step(h, xa, 1 / 4, "hessian")
    n = xa.size

    def at(*shifts):  # f at x + sum of s * h_k e_k, for the pairs (k, s) given
        p = xa.copy()
        for k, s in shifts:
            p[k] += s * step[k]
        return _scalar(f, p, "hessian")

    f0 = at()
    H = np.empty((n, n))
    for i in range(n):
        H[i, i] = (at((i, 1)) - 2.0 * f0 + at((i, -1))) / step[i] ** 2
        for j in range(i + 1, n):
            num = at((i, 1), (j, 1)) - at((i, 1), (j, -1))
            num -= at((i, -1), (j, 1)) - at((i, -1), (j, -1))
            H[i, j] = H[j, i] = num / (4.0 * step[i] * step[j])
    return H


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

    evaluated by Horner's rule on the coefficients ``c_k = f^(k)(a) / k!``:
    ``T = c_n``, then ``T = T * (x - a) + c_k`` for ``k = n-1, ..., 0``.

    Examples
    --------
    >>> float(taylor_polynomial([1.0, 1.0, 1.0, 1.0], 0.0, 1.0))  # e ~ 1 + 1 + 1/2 + 1/6
    2.6666666666666665
    """
    d = _as_real(derivatives, "taylor_polynomial", "derivatives", ndims=(1,))
    if d.size == 0:
        raise ValueError("taylor_polynomial: derivatives is empty; expected at least f(a)")
    a = float(_as_real(a, "taylor_polynomial", "a", ndims=(0,)))
    t = _as_real(x, "taylor_polynomial", "x") - a
    coefficients = d / np.array([math.factorial(k) for k in range(d.size)], dtype=np.float64)
    result = np.full_like(t, coefficients[-1])
    for c in coefficients[-2::-1]:  # Horner: one pass per degree, vectorised over x
        result = result * t + c
    return result[()] if result.ndim == 0 else result


# ----------------------------------------------------------------------------- quadrature


def _samples(y, x, dx, func: str):
    """Validate samples: ``y`` (..., N), ``x`` None, (N,) or y's shape; returns widths."""
    ya = _as_real(y, func, "y")
    if ya.ndim == 0:
        raise ValueError(f"{func}: expected y to have at least 1 dimension, got shape ()")
    N = ya.shape[-1]
    if x is None:
        try:
            dxf = float(dx)
        except (TypeError, ValueError):
            raise TypeError(f"{func}: dx must be a real number, got {dx!r}") from None
        if not math.isfinite(dxf):
            raise ValueError(f"{func}: dx must be finite, got {dxf}")
        return ya, np.full(max(N - 1, 0), dxf)
    xa = _as_real(x, func, "x")
    if xa.shape != ya.shape and xa.shape != (N,):
        raise ValueError(
            f"{func}: x has shape {xa.shape} but y has shape {ya.shape}; "
            f"expected x of shape ({N},) or {ya.shape}"
        )
    return ya, np.diff(xa, axis=-1)


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

    Examples
    --------
    >>> print(trapezoid([0.0, 1.0, 4.0], x=[0.0, 1.0, 2.0]))
    3.0
    """
    ya, w = _samples(y, x, dx, "trapezoid")
    return np.sum(w * (ya[..., 1:] + ya[..., :-1]) / 2.0, axis=-1)[()]


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

    Examples
    --------
    >>> print(simpson([0.0, 1.0, 8.0], x=[0.0, 1.0, 2.0]))  # int_0^2 x^3 dx
    4.0
    """
    ya, w = _samples(y, x, dx, "simpson")
    N = ya.shape[-1]
    if N < 3 or N % 2 == 0:
        raise ValueError(
            f"simpson: needs an odd number of samples >= 3 (an even number of intervals), "
            f"got {N} samples"
        )
    if not ((w > 0).all() or (w < 0).all()):
        raise ValueError("simpson: x must be strictly monotonic (and dx nonzero)")
    h0, h1 = w[..., 0::2], w[..., 1::2]  # (..., N // 2) each
    y0, y1, y2 = ya[..., 0:-2:2], ya[..., 1::2], ya[..., 2::2]
    s = h0 + h1
    parts = s / 6.0 * ((2.0 - h1 / h0) * y0 + s * s / (h0 * h1) * y1 + (2.0 - h0 / h1) * y2)
    return np.sum(parts, axis=-1)[()]


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
        If ``f`` is not callable or ``n`` is not an int.
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
    _check_callable(f, "integrate")
    lo = float(_as_real(a, "integrate", "a", ndims=(0,)))
    hi = float(_as_real(b, "integrate", "b", ndims=(0,)))
    if lo >= hi:
        raise ValueError(f"integrate: expected a < b, got a={lo} and b={hi}")
    if rule not in ("simpson", "trapezoid"):
        raise ValueError(f"integrate: rule must be 'simpson' or 'trapezoid', got {rule!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"integrate: n must be an int, got {type(n).__name__}")
    if n < 1 or (rule == "simpson" and n % 2):
        want = "an even int >= 2" if rule == "simpson" else "an int >= 1"
        raise ValueError(f"integrate: n must be {want} for rule={rule!r}, got {n}")
    xs = np.linspace(lo, hi, int(n) + 1)
    ys = _call(f, xs, "integrate", xs.shape)
    return float(simpson(ys, xs) if rule == "simpson" else trapezoid(ys, xs))


# ----------------------------------------------------------------------------- Monte Carlo


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
    rng : numpy.random.Generator
        The only source of randomness, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    estimate : float
    standard_error : float

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``n`` is not an int or ``rng`` is not a Generator.
    ValueError
        If ``n < 2``, the bounds are malformed or not finite, some ``a_i >= b_i``, or
        ``f`` returns the wrong shape.

    Notes
    -----
    With ``U_k`` uniform in the box of volume ``V = prod_i (b_i - a_i)`` and
    ``f_k = f(U_k)``: estimate ``V * mean(f_k)``, standard error
    ``V * std(f_k, ddof=1) / sqrt(n)``. For a sampler, ``V = 1`` and ``U_k`` are the
    sampler's draws. The error falls as ``1 / sqrt(n)`` whatever the dimension ``d``,
    against ``n^(-2/d)`` for the trapezoid rule on a grid of ``n`` points.

    Examples
    --------
    >>> est, se = monte_carlo(np.sin, (0.0, np.pi), 10_000, np.random.default_rng(0))
    >>> bool(abs(est - 2.0) < 4 * se), bool(se < 0.02)
    (True, True)
    """
    _check_callable(f, "monte_carlo")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"monte_carlo: n must be an int, got {type(n).__name__}")
    if n < 2:
        raise ValueError(f"monte_carlo: n must be at least 2 (for the standard error), got {n}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"monte_carlo: rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    n = int(n)
    if callable(domain):
        samples, volume = np.asarray(domain(rng, n)), 1.0
        if samples.ndim == 0 or samples.shape[0] != n:
            raise ValueError(
                f"monte_carlo: the sampler returned shape {samples.shape}; expected ({n}, ...)"
            )
    else:
        try:
            lo, hi = domain
        except (TypeError, ValueError):
            raise ValueError(
                f"monte_carlo: domain must be a pair (a, b) or a sampler, got {domain!r}"
            ) from None
        lo = _as_real(lo, "monte_carlo", "a", ndims=(0, 1))
        hi = _as_real(hi, "monte_carlo", "b", ndims=(0, 1))
        if lo.shape != hi.shape:
            raise ValueError(
                f"monte_carlo: a has shape {lo.shape} but b has shape {hi.shape}; "
                "expected equal shapes"
            )
        if not (lo < hi).all():
            raise ValueError(f"monte_carlo: expected a < b, got a={lo} and b={hi}")
        volume = float(np.prod(hi - lo))
        samples = lo + (hi - lo) * rng.random((n, *lo.shape))  # (n,) or (n, d)
    fs = _call(f, samples, "monte_carlo", (n,))
    return volume * float(np.mean(fs)), volume * float(np.std(fs, ddof=1)) / math.sqrt(n)
