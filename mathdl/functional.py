"""Activation functions, softmax and friends, stable for large inputs.

Every function accepts a numpy array (array in, array out) or a
:class:`~mathdl.autodiff.Tensor` (Tensor in, Tensor out, differentiable). On
tensors each is one primitive registered through :meth:`Tensor.from_op
<mathdl.autodiff.Tensor.from_op>`, with its derivative written next to the
forward formula; :func:`cross_entropy` is a composition. Names and conventions
follow ``torch.nn.functional``:

* :func:`relu`, :func:`leaky_relu`, :func:`sigmoid`, :func:`tanh`, :func:`gelu`
  (exact, through :func:`erf`, or ``approximate="tanh"``).
* :func:`softmax`, :func:`log_softmax`, :func:`logsumexp` by max-subtraction.
* :func:`cross_entropy` of logits and integer class labels.
* Losses with torch's ``reduction`` (``"none"``, ``"mean"``, ``"sum"``): :func:`mse_loss`,
  :func:`huber_loss` (compositions over one elementwise primitive) and
  :func:`multi_margin_loss` (the multi-class hinge, one primitive).
* :func:`erf`, :func:`erfc` -- Cephes rational approximations, about 1e-15 relative.

Inputs of any magnitude (logits of ``+-1e4``) give no overflow warnings: every
forward formula runs under one ``np.errstate`` (in :func:`_apply`), every derivative
inside :meth:`Tensor.backward <mathdl.autodiff.Tensor.backward>`'s. Inputs are checked
by :func:`mathdl._validation.as_real`: integer and boolean arrays are computed as
float64, a floating input keeps its dtype, anything else is refused with a message
naming the function and the argument (``"softmax: input must be real, ..."``).
Argument names are torch's (``input``, ``dim``, ``negative_slope``, ``approximate``).
"""

from __future__ import annotations

import math

import numpy as np

from mathdl._validation import (
    _kind,
    as_real,
    check_bool,
    check_choice,
    check_int,
    check_real,
)
from mathdl.autodiff import _IEEE, Tensor, _normalize_dims

__all__ = [
    "cross_entropy",
    "erf",
    "erfc",
    "gelu",
    "huber_loss",
    "leaky_relu",
    "log_softmax",
    "logsumexp",
    "mse_loss",
    "multi_margin_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]

# ----------------------------------------------------------------------------- helpers


def _real(input, func: str) -> np.ndarray:
    """The values of ``input`` (array_like or Tensor) as a real floating array."""
    data = input.data if isinstance(input, Tensor) else input
    return as_real(data, func, "input", keep_float=True)


def _apply(input, forward, backward, name: str, a: np.ndarray | None = None):
    """``forward(a) -> out`` on the checked values; on a Tensor record ``backward(a, out, g)``.

    The forward formula runs with IEEE arithmetic silent; ``backward`` runs inside
    :meth:`Tensor.backward`, which does the same. ``a`` may be given when the caller
    has checked ``input`` already (to know its ``ndim``).
    """
    a = _real(input, name) if a is None else a
    with np.errstate(**_IEEE, under="ignore"):
        out = np.asarray(forward(a))  # a 0-d result stays an array, not a numpy scalar
    if isinstance(input, Tensor):
        return Tensor.from_op(out, [(input, lambda g: backward(a, out, g))], name=name)
    return out


def _one_dim(dim, ndim: int, func: str) -> int:
    """``dim`` (one int, negatives allowed) as an axis of an ``ndim``-dimensional input.

    A 0-d input accepts ``dim`` -1 and 0, as in torch (numpy reduces a 0-d array over
    axis 0 as over its one element).
    """
    return _normalize_dims(check_int(dim, func, "dim"), ndim, func)[0]


def _dims(dim, ndim: int, func: str) -> tuple[int, ...]:
    """``dim`` (None, an int, or a tuple/list of distinct ints) as sorted axes, or a clear error.

    ``None`` means every axis; a repeated axis and an empty tuple are refused, as in torch
    (except that a 0-d input accepts ``()`` too).
    """
    if dim is None or (isinstance(dim, (int, np.integer)) and not isinstance(dim, bool)):
        return _normalize_dims(dim, ndim, func)
    if not isinstance(dim, (tuple, list)):
        raise TypeError(
            f"{func}: dim must be an int or a tuple of ints (or None), got {_kind(dim)}"
        )
    if not dim and ndim:
        raise ValueError(f"{func}: dim () names no dimension of a {ndim}-D input (None means all)")
    axes = _normalize_dims(tuple(dim), ndim, func)
    if len(axes) != len(dim):
        raise ValueError(f"{func}: dim {tuple(dim)} names a dimension more than once")
    return axes


def _at_least_1d(a: np.ndarray) -> np.ndarray:
    """``a`` with a 0-d array as shape ``(1,)``: reductions over its one "axis" then work."""
    return a.reshape(a.shape or (1,))


# ----------------------------------------------------------------------------- erf


# Cephes (S. L. Moshier, ndtr.c): erf(x) = x T(x^2) / U(x^2) for |x| <= 1;
# erfc(x) = exp(-x^2) P(x) / Q(x) for 1 <= x < 8 and exp(-x^2) R(x) / S(x) for x >= 8.
# U, Q and S have an implicit leading coefficient 1.
_T = (
    9.60497373987051638749e0,
    9.00260197203842689217e1,
    2.23200534594684319226e3,
    7.00332514112805075473e3,
    5.55923013010394962768e4,
)
_U = (
    3.35617141647503099647e1,
    5.21357949780152679795e2,
    4.59432382970980127987e3,
    2.26290000613890934246e4,
    4.92673942608635921086e4,
)
_P = (
    2.46196981473530512524e-10,
    5.64189564831068821977e-1,
    7.46321056442269912687e0,
    4.86371970985681366614e1,
    1.96520832956077098242e2,
    5.26445194995477358631e2,
    9.34528527171957607540e2,
    1.02755188689515710272e3,
    5.57535335369399327526e2,
)
_Q = (
    1.32281951154744992508e1,
    8.67072140885989742329e1,
    3.54937778887819891062e2,
    9.75708501743205489753e2,
    1.82390916687909736289e3,
    2.24633760818710981792e3,
    1.65666309194161350182e3,
    5.57535340817727675546e2,
)
_R = (
    5.64189583547755073984e-1,
    1.27536670759978104416e0,
    5.01905042251180477414e0,
    6.16021097993053585195e0,
    7.40974269950448939160e0,
    2.97886665372100240670e0,
)
_S = (
    2.26052863220117276590e0,
    9.39603524938001434673e0,
    1.20489539808096656605e1,
    1.70814450747565897222e1,
    9.60896809063285878198e0,
    3.36907645100081516050e0,
)
_SQRT1_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _polevl(x, coefs, monic=False):
    """Horner's rule; ``monic`` prepends an implicit leading coefficient 1."""
    acc = x + coefs[0] if monic else np.full_like(x, coefs[0])
    for c in coefs[1:]:
        acc = acc * x + c
    return acc


def _erf_small(x):
    """erf on |x| <= 1 (float64)."""
    z = x * x
    return x * _polevl(z, _T) / _polevl(z, _U, monic=True)


def _erfc_pos(a):
    """erfc for a >= 0 (float64 array), with exp(-a^2) evaluated without error growth."""
    a = np.minimum(a, 30.0)  # erfc(27) already underflows; NaN passes through
    m = np.round(a * 128) / 128  # a = m + f with m**2 exact
    f = a - m
    expmx2 = np.exp(-m * m) * np.exp(-(2 * m * f + f * f))
    big = expmx2 * _polevl(a, _R) / _polevl(a, _S, monic=True)
    mid = expmx2 * _polevl(a, _P) / _polevl(a, _Q, monic=True)
    small = 1.0 - _erf_small(np.minimum(a, 1.0))
    return np.where(a < 1.0, small, np.where(a < 8.0, mid, big))


def erf(input):
    """The error function ``erf(x) = 2/sqrt(pi) * integral_0^x exp(-t**2) dt``, elementwise.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.

    Returns
    -------
    ndarray or Tensor, shape of ``input``

    Notes
    -----
    Cephes rational approximations: ``x T(x^2)/U(x^2)`` on ``|x| <= 1`` and
    ``1 - erfc(|x|)`` (with sign) beyond; relative error about ``1e-15``.
    ``d/dx erf(x) = 2/sqrt(pi) exp(-x**2)``.

    Examples
    --------
    >>> print(np.round(erf(np.array([0.0, 0.5, 3.0])), 8))
    [0.         0.52049988 0.99997791]
    """

    def forward(a):
        b = a.astype(np.float64)
        small = _erf_small(np.clip(b, -1.0, 1.0))
        out = np.where(np.abs(b) <= 1.0, small, np.sign(b) * (1.0 - _erfc_pos(np.abs(b))))
        return out.astype(a.dtype)

    def backward(a, out, g):
        return g * (2 / math.sqrt(math.pi)) * np.exp(-a * a)

    return _apply(input, forward, backward, name="erf")


def erfc(input):
    """The complementary error function ``erfc(x) = 1 - erf(x)``, accurate for large ``x``.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.

    Returns
    -------
    ndarray or Tensor, shape of ``input``

    Notes
    -----
    Computed directly (no cancellation in ``1 - erf``) for ``x >= 1``:
    ``exp(-x^2) P(x)/Q(x)``, and ``2 - erfc(-x)`` for negative ``x``.
    ``d/dx erfc(x) = -2/sqrt(pi) exp(-x**2)``.

    Examples
    --------
    >>> print(f"{float(erfc(np.array(10.0))):.10e}")
    2.0884875838e-45
    """

    def forward(a):
        b = a.astype(np.float64)
        pos = _erfc_pos(np.abs(b))
        return np.where(b < 0, 2.0 - pos, pos).astype(a.dtype)

    def backward(a, out, g):
        return g * (-2 / math.sqrt(math.pi)) * np.exp(-a * a)

    return _apply(input, forward, backward, name="erfc")


# ----------------------------------------------------------------------------- activations


def relu(input):
    """Rectified linear unit ``max(x, 0)``, elementwise.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.

    Returns
    -------
    ndarray or Tensor, shape of ``input``

    Notes
    -----
    ``relu'(x) = 0`` for ``x <= 0`` and ``1`` otherwise, as torch selects it: 0 at
    ``x = 0``, and 1 at ``x = NaN`` (where ``relu`` itself is NaN).

    Examples
    --------
    >>> relu(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """
    return _apply(
        input, lambda a: np.maximum(a, 0), lambda a, out, g: np.where(a <= 0, 0, g), name="relu"
    )


def leaky_relu(input, negative_slope: float = 0.01):
    """Leaky ReLU: ``x`` for ``x > 0`` and ``negative_slope * x`` otherwise.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.
    negative_slope : float, default 0.01

    Returns
    -------
    ndarray or Tensor, shape of ``input``

    Notes
    -----
    The derivative is ``1`` for ``x > 0`` and ``negative_slope`` otherwise.

    Examples
    --------
    >>> leaky_relu(np.array([-2.0, 3.0]), negative_slope=0.5)
    array([-1.,  3.])
    """
    slope = check_real(negative_slope, "leaky_relu", "negative_slope")
    return _apply(
        input,
        lambda a: np.where(a > 0, a, slope * a),
        lambda a, out, g: g * np.where(a > 0, 1, slope).astype(a.dtype),
        name="leaky_relu",
    )


def _sigmoid(a):
    z = np.exp(-np.abs(a))  # in (0, 1]: never overflows
    return np.where(a >= 0, 1, z) / (1 + z)


def sigmoid(input):
    """Logistic function ``1 / (1 + exp(-x))``, elementwise and overflow-free.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.

    Returns
    -------
    ndarray or Tensor, shape of ``input``

    Notes
    -----
    With ``z = exp(-|x|) <= 1``: ``sigma(x) = 1/(1+z)`` for ``x >= 0`` and ``z/(1+z)``
    for ``x < 0``, so ``exp`` never sees a positive argument. ``sigma' = sigma (1 - sigma)``.

    Examples
    --------
    >>> sigmoid(np.array([-1e4, 0.0, 1e4]))
    array([0. , 0.5, 1. ])
    """
    return _apply(input, _sigmoid, lambda a, out, g: g * out * (1 - out), name="sigmoid")


def tanh(input):
    """Hyperbolic tangent, elementwise.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.

    Returns
    -------
    ndarray or Tensor, shape of ``input``

    Notes
    -----
    ``tanh'(x) = 1 - tanh(x)**2``.

    Examples
    --------
    >>> tanh(np.array([0.0, 1e4]))
    array([0., 1.])
    """
    return _apply(input, np.tanh, lambda a, out, g: g * (1 - out * out), name="tanh")


def gelu(input, approximate: str = "none"):
    """Gaussian error linear unit ``x * Phi(x)``, like ``torch.nn.functional.gelu``.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.
    approximate : {"none", "tanh"}, default "none"
        ``"none"``: exact, ``Phi(x) = erfc(-x / sqrt(2)) / 2`` through :func:`erfc`.
        ``"tanh"``: ``Phi(x) ~ (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))) / 2``.

    Returns
    -------
    ndarray or Tensor, shape of ``input``

    Raises
    ------
    TypeError
        If ``input`` is not real or ``approximate`` is not a string.
    ValueError
        If ``approximate`` is not ``"none"`` or ``"tanh"``.

    Notes
    -----
    Exact: ``gelu'(x) = Phi(x) + x phi(x)`` with ``phi(x) = exp(-x**2/2)/sqrt(2 pi)``.
    Using ``erfc`` keeps the left tail accurate in relative terms, where ``1 + erf``
    would cancel. Tanh form: with ``u = sqrt(2/pi)(x + k x^3)``,
    ``gelu' = (1 + tanh u)/2 + x/2 (1 - tanh(u)**2) sqrt(2/pi)(1 + 3k x^2)``; where
    ``tanh(u)**2`` rounds to 1 the second term is taken as its limit 0, so ``|x| > ~1e102``
    (float64) gives 1 or 0 where torch's ``0 * inf`` gives NaN. At ``x = +-inf`` the
    derivative is NaN in both forms, and ``gelu(-inf)`` is NaN (``-inf * 0``), as in torch.

    Examples
    --------
    >>> print(np.round(gelu(np.array([-1.0, 0.0, 1.0])), 6))
    [-0.158655  0.        0.841345]
    """
    check_choice(approximate, "gelu", "approximate", ("none", "tanh"))
    if approximate == "none":

        def forward(a):
            return (a * 0.5 * erfc(-a * _SQRT1_2)).astype(a.dtype)

        def backward(a, out, g):
            cdf = 0.5 * erfc(-a * _SQRT1_2)
            return g * (cdf + a * _INV_SQRT_2PI * np.exp(-0.5 * a * a))

    else:
        beta, kappa = math.sqrt(2 / math.pi), 0.044715

        def forward(a):
            return 0.5 * a * (1 + np.tanh(beta * (a + kappa * a * a * a)))

        def backward(a, out, g):
            t = np.tanh(beta * (a + kappa * a * a * a))
            tail = 0.5 * a * (1 - t * t) * beta * (1 + 3 * kappa * a * a)
            limit = (t * t == 1) & np.isfinite(a)  # 0 * inf for a finite x: the limit 0
            return g * (0.5 * (1 + t) + np.where(limit, 0, tail))

    return _apply(input, forward, backward, name="gelu")


# ----------------------------------------------------------------------------- softmax family


def _max(a, axis):
    """The max of ``a`` over ``axis`` (kept); ``-inf`` for an empty slice, NaN propagates."""
    return np.max(a, axis=axis, keepdims=True, initial=-np.inf)


def _shifted(a, axis):
    """``(a - m, m)`` with ``m`` the max over ``axis`` (kept), 0 where ``m`` is not finite.

    That is torch's logsumexp shift: an empty slice or a slice of ``-inf`` shifts by 0 and
    sums to 0 (``log 0 = -inf``); a slice with ``+inf`` sums to ``inf``. ``a - m`` may
    overflow to ``-inf`` (``-1e308 - 1e308``), silently: ``exp`` makes it 0.
    """
    m = _max(a, axis)
    m = np.where(np.isfinite(m), m, 0).astype(a.dtype)
    return a - m, m


def softmax(input, dim: int = -1):
    """``exp(x_i) / sum_j exp(x_j)`` along ``dim``.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.
    dim : int, default -1

    Returns
    -------
    ndarray or Tensor, shape of ``input``; each slice along ``dim`` sums to 1

    Notes
    -----
    Subtracting ``m = max_j x_j`` changes nothing mathematically and makes every
    exponent ``<= 0``. The VJP is ``s * (g - sum_j g_j s_j)``. As in torch, a slice with
    ``+inf`` or only ``-inf`` gives NaN (``inf - inf``), an empty slice stays empty, and a
    0-d input (``dim`` -1 or 0) gives 1.

    Examples
    --------
    >>> softmax(np.array([1e4, 1e4, -1e4]))
    array([0.5, 0.5, 0. ])
    """
    a = _real(input, "softmax")
    axis = _one_dim(dim, a.ndim, "softmax")

    def forward(a):
        e = np.exp(a - _max(a, axis))  # an infinite max gives NaN (inf - inf), as in torch
        return e / e.sum(axis=axis, keepdims=True)

    def backward(a, s, g):
        return s * (g - (g * s).sum(axis=axis, keepdims=True))

    return _apply(input, forward, backward, name="softmax", a=a)


def log_softmax(input, dim: int = -1):
    """``x_i - logsumexp_j x_j`` along ``dim``.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.
    dim : int, default -1

    Returns
    -------
    ndarray or Tensor, shape of ``input``

    Notes
    -----
    ``(x - m) - log sum exp(x - m)`` with ``m = max x``: the sum is at least 1, so the
    logarithm never sees 0. The VJP is ``g - softmax(x) * sum_j g_j``. Infinite, empty and
    0-d slices behave as in :func:`softmax` (NaN, empty, 0).

    Examples
    --------
    >>> log_softmax(np.array([0.0, 1e4]))
    array([-10000.,      0.])
    """
    a = _real(input, "log_softmax")
    axis = _one_dim(dim, a.ndim, "log_softmax")

    def forward(a):
        z = a - _max(a, axis)  # an infinite max gives NaN (inf - inf), as in torch
        return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))

    def backward(a, out, g):
        return g - np.exp(out) * g.sum(axis=axis, keepdims=True)

    return _apply(input, forward, backward, name="log_softmax", a=a)


def logsumexp(input, dim=-1, keepdim: bool = False):
    """``log sum_j exp(x_j)`` over ``dim`` (an int, a tuple, or None for all axes).

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers; integers and booleans are computed as float64.
    dim : int, tuple of int or None, default -1
    keepdim : bool, default False

    Returns
    -------
    ndarray or Tensor
        ``input``'s shape without (or, with ``keepdim``, with length 1 along) ``dim``.

    Raises
    ------
    TypeError
        If ``input`` is not real, ``dim`` is not an int, a tuple/list of ints or None,
        or ``keepdim`` is not a bool.
    ValueError
        If a ``dim`` is out of range, named twice, or ``dim=()`` for an input with axes.

    Notes
    -----
    ``m + log sum exp(x - m)`` with ``m = max x`` (0 when ``m`` is not finite, so a slice
    of ``-inf`` gives ``-inf`` like torch, and so does an empty slice: the sum is 0). A 0-d
    input accepts ``dim`` -1, 0, None or ``()`` and returns itself, as in torch. The
    gradient is ``softmax(x) = exp(z - log sum exp(z))`` with ``z = x - m``: exact where
    torch's ``exp(x - out)`` rounds (``x = [1e17, 1e17]``: torch 1, here 0.5).

    Examples
    --------
    >>> print(logsumexp(np.array([1e4, 1e4])))
    10000.69314718056
    """
    a = _real(input, "logsumexp")
    axes = _dims(dim, a.ndim, "logsumexp")
    keepdim = check_bool(keepdim, "logsumexp", "keepdim")
    axes = axes if a.ndim else (0,)  # a 0-d input is computed as shape (1,)

    def shifted_lse(a):
        """``z = x - m`` and ``log sum exp(z)`` (kept dims), on ``a`` as at least 1-D."""
        z, m = _shifted(_at_least_1d(a), axes)
        return z, m, np.log(np.exp(z).sum(axis=axes, keepdims=True))

    def forward(a):
        _, m, lse = shifted_lse(a)
        out = lse + m  # kept dims
        if not a.ndim:
            return out.reshape(())  # torch: a 0-d input gives 0-d, keepdim or not
        return out if keepdim else np.squeeze(out, axes)

    def backward(a, out, g):
        z, _, lse = shifted_lse(a)
        g = np.expand_dims(g, axes) if not (keepdim and a.ndim) else g
        return (g * np.exp(z - lse)).reshape(a.shape)  # -inf - (-inf): NaN, as in torch

    return _apply(input, forward, backward, name="logsumexp", a=a)


def cross_entropy(input, target):
    """Mean negative log-likelihood of integer labels under ``softmax(input)``.

    Parameters
    ----------
    input : array_like or Tensor, shape (N, C)
        Logits: real numbers, one row per example.
    target : array_like of int, shape (N,)
        Class indices in ``[0, C)``.

    Returns
    -------
    float ndarray of shape () or Tensor of shape ()

    Raises
    ------
    TypeError
        If ``input`` is not real or ``target`` is not integers.
    ValueError
        If the shapes do not match or a label is out of range.

    Notes
    -----
    ``-(1/N) sum_n log_softmax(input)[n, target_n]``, a composition of
    :func:`log_softmax`, integer indexing and the mean, so its gradient is
    ``(softmax(input) - onehot(target)) / N``. An empty batch (``N = 0``) gives ``nan``
    silently, as torch does.

    Examples
    --------
    >>> print(round(float(cross_entropy(np.zeros((2, 4)), [1, 3])), 6))
    1.386294
    """
    func = "cross_entropy"
    a = _real(input, func)
    if a.ndim != 2:
        raise ValueError(f"{func}: input must have shape (N, C), got shape {a.shape}")
    y = _integer_labels(target, func)
    if y.shape != a.shape[:1]:
        raise ValueError(
            f"{func}: target must have shape ({a.shape[0]},) for input of shape {a.shape}, "
            f"got shape {y.shape}"
        )
    if y.size and (y.min() < 0 or y.max() >= a.shape[1]):
        raise ValueError(
            f"{func}: target values must lie in [0, {a.shape[1]}), "
            f"got min {y.min()} and max {y.max()}"
        )
    picked = log_softmax(input if isinstance(input, Tensor) else a, dim=1)[np.arange(len(y)), y]
    return _reduce(-picked, "mean")  # N = 0: nan without a warning, as in torch


def _integer_labels(target, func: str) -> np.ndarray:
    """``target`` (array_like or Tensor) as an integer array; an empty one (``[]``) as int64."""
    raw = target.data if isinstance(target, Tensor) else target
    as_real(raw, func, "target")  # refuses None, strings, objects, complex and ragged lists
    y = np.asarray(raw)
    y = y.astype(np.int64) if y.size == 0 else y  # [] is float64 in numpy
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{func}: target must be integer class indices, got dtype {y.dtype}")
    return y


# ----------------------------------------------------------------------------- losses

_REDUCTIONS = ("none", "mean", "sum")


def _checked(x, func: str, arg: str) -> tuple[np.ndarray, bool]:
    """``x`` (array_like or Tensor) as a real array, and whether its values were floating."""
    raw = x.data if isinstance(x, Tensor) else x
    a = as_real(raw, func, arg, keep_float=True)
    return a, bool(np.issubdtype(np.asarray(raw).dtype, np.floating))


def _pair(input, target, func: str) -> tuple[np.ndarray, np.ndarray]:
    """``input`` and ``target`` as real arrays of one shape and one floating dtype.

    Floating dtypes promote (float32 with float64 gives float64); integers and booleans
    take the other operand's floating dtype (float64 when neither is floating), so a
    float32 input with an integer target stays float32, as in torch.
    """
    (a, a_float), (t, t_float) = _checked(input, func, "input"), _checked(target, func, "target")
    if a.shape != t.shape:
        raise ValueError(f"{func}: input {a.shape} and target {t.shape} must have the same shape")
    floating = [x.dtype for x, is_float in ((a, a_float), (t, t_float)) if is_float]
    dtype = np.result_type(*floating) if floating else np.float64
    return a.astype(dtype, copy=False), t.astype(dtype, copy=False)


def _reduce(loss, reduction: str):
    """``loss`` (array or Tensor) as it is (``"none"``), summed, or averaged over all elements.

    The mean is the sum divided by the number of elements, so an empty loss averages to
    NaN, as in torch, without a warning (and overflow to inf stays silent too).
    """
    if reduction == "none":
        return loss
    with np.errstate(**_IEEE, under="ignore"):
        if isinstance(loss, Tensor):
            return loss.sum() if reduction == "sum" else loss.mean()
        total = np.sum(loss)
        return np.asarray(total if reduction == "sum" else total / loss.size)


def _pointwise_loss(input, target, reduction: str, func: str, value, vjp):
    """``value(d)`` for ``d = input - target``, reduced; one primitive on Tensors.

    ``vjp(a, t, d, g) = g * d value / d d`` (``g`` the upstream gradient) flows to
    ``input`` and its negative to ``target`` (either may be a Tensor).
    """
    a, t = _pair(input, target, func)
    check_choice(reduction, func, "reduction", _REDUCTIONS)
    with np.errstate(**_IEEE, under="ignore"):
        d = a - t
        out = np.asarray(value(d))  # a 0-d loss stays an array
    if isinstance(input, Tensor) or isinstance(target, Tensor):
        parents = [(input, lambda g: vjp(a, t, d, g)), (target, lambda g: -vjp(a, t, d, g))]
        out = Tensor.from_op(out, parents, name=func)
    return _reduce(out, reduction)


def _mse_vjp(a, t, d, g):
    """``2 g d``, scaled before it can overflow: ``(2g) d``, or ``(2g) a - (2g) t`` where ``d``
    itself overflowed (``a = 1e308, t = -1e308``) but the gradient is finite."""
    g2 = 2 * g
    return np.where(np.isfinite(d), g2 * d, g2 * a - g2 * t)


def mse_loss(input, target, reduction: str = "mean"):
    """Mean squared error ``(input - target)**2``, like ``torch.nn.functional.mse_loss``.

    Parameters
    ----------
    input : array_like or Tensor, any shape
        Predictions: real numbers.
    target : array_like or Tensor, shape of ``input``
        Targets (differentiable too when a Tensor). No broadcasting: the shapes must
        be equal.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    ndarray or Tensor
        Shape ``()`` for ``"mean"`` and ``"sum"``, ``input``'s shape for ``"none"``.
        A Tensor when ``input`` or ``target`` is one.

    Raises
    ------
    TypeError
        If ``input`` or ``target`` is not real, or ``reduction`` is not a string.
    ValueError
        If the shapes differ or ``reduction`` is not one of the three.

    Notes
    -----
    With ``d = input - target`` the elementwise loss is ``l = d * d``; ``"none"`` returns
    ``l``, ``"sum"`` ``sum(l)`` and ``"mean"`` ``sum(l) / l.size``. The gradient is
    ``2 d g`` for ``input`` and ``-2 d g`` for ``target`` (``g`` the upstream gradient;
    ``"mean"`` divides it by ``l.size``). Where ``|d| > sqrt(max float) ~ 1.34e154`` the
    square overflows to ``inf``, silently and as in torch, while the gradient stays
    finite: it is computed as ``(2 g) d``, or ``(2 g) input - (2 g) target`` where ``d``
    itself overflows (``1e308 - (-1e308)``), so it is finite wherever its true value is
    (torch's ``(2 d) g`` is ``inf`` there). An empty input gives ``nan`` for ``"mean"``
    and ``0`` for ``"sum"``, as torch.

    Examples
    --------
    >>> mse_loss(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0]))
    array(4.33333333)
    """
    return _pointwise_loss(input, target, reduction, "mse_loss", lambda d: d * d, _mse_vjp)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0):
    """Huber loss: quadratic near 0, linear beyond ``delta``, like ``torch``'s ``huber_loss``.

    Parameters
    ----------
    input : array_like or Tensor, any shape
        Predictions: real numbers.
    target : array_like or Tensor, shape of ``input``
        Targets (differentiable too when a Tensor). No broadcasting: the shapes must
        be equal.
    reduction : {"mean", "sum", "none"}, default "mean"
    delta : float, default 1.0
        Where the quadratic piece meets the linear one; must be > 0.

    Returns
    -------
    ndarray or Tensor
        Shape ``()`` for ``"mean"`` and ``"sum"``, ``input``'s shape for ``"none"``.
        A Tensor when ``input`` or ``target`` is one.

    Raises
    ------
    TypeError
        If ``input`` or ``target`` is not real, ``reduction`` is not a string or
        ``delta`` is not a real number.
    ValueError
        If the shapes differ, ``reduction`` is not one of the three, or ``delta`` is not
        a finite number > 0.

    Notes
    -----
    With ``d = input - target`` and ``z = |d|``, torch's branches exactly:
    ``l = 0.5 * z * z`` if ``z < delta`` and ``l = delta * (z - 0.5 * delta)`` otherwise
    (so ``|d| == delta`` takes the linear piece; both give ``delta**2 / 2`` there), then
    reduced like :func:`mse_loss`. The derivative ``dl/dd = clip(d, -delta, delta)``
    (``d`` inside, ``+-delta`` for ``|d| >= delta``: continuous, so the kink at
    ``|d| == delta`` is no ambiguity, and 0 at ``d == 0``) times ``g`` flows to
    ``input``, its negative to ``target``. ``delta`` is cast to the input's dtype.

    Examples
    --------
    >>> huber_loss(np.array([0.5, 3.0]), np.zeros(2), reduction="none")
    array([0.125, 2.5  ])
    """
    delta = check_real(delta, "huber_loss", "delta", min=0.0, min_open=True)

    def value(d):
        z, dl = np.abs(d), d.dtype.type(delta)
        return np.where(z < dl, 0.5 * z * z, dl * (z - 0.5 * dl))

    def vjp(a, t, d, g):
        dl = d.dtype.type(delta)
        return g * np.clip(d, -dl, dl)

    return _pointwise_loss(input, target, reduction, "huber_loss", value, vjp)


def _class_targets(target, shape: tuple[int, ...], func: str) -> np.ndarray:
    """Integer class labels in ``[0, C)``: shape ``(N,)``, or ``()``/``(1,)`` for a 1-D input."""
    y = _integer_labels(target, func)
    wanted = [(), (1,)] if len(shape) == 1 else [shape[:1]]
    if y.shape not in wanted:
        raise ValueError(
            f"{func}: target must have shape {' or '.join(map(str, wanted))} for input of shape "
            f"{shape}, got shape {y.shape}"
        )
    bad = (y < 0) | (y >= shape[-1])
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        where = f" at index {i}" if y.ndim else ""
        raise ValueError(f"{func}: target values must lie in [0, {shape[-1]}), got {y[i]}{where}")
    return y.astype(np.int64)


def _class_weight(weight, shape: tuple[int, ...], dtype, func: str) -> np.ndarray | None:
    """``weight`` (None, or one real number per class) in the input's dtype."""
    if weight is None:
        return None
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{func}: weight must not require grad (torch has no gradient for it)")
    w = as_real(weight.data if isinstance(weight, Tensor) else weight, func, "weight", ndim=1)
    if w.shape != shape[-1:]:
        raise ValueError(
            f"{func}: weight must have shape {shape[-1:]} for input of shape {shape}, "
            f"got shape {w.shape}"
        )
    return w.astype(dtype)


def _margin_terms(x, y, margin):
    """``z[n, i] = (margin - x[n, y_n]) + x[n, i]`` in torch's order, and where z > 0 (i != y_n)."""
    rows = np.arange(len(y))
    z = (margin - x[rows, y])[:, None] + x  # (N, C)
    active = z > 0  # NaN is not > 0: such a term counts 0, as in torch
    active[rows, y] = False
    return z, active


def _hinge_forward(x, y, p, margin, w, reduction):
    """The multi-class hinge of ``x`` (N, C): per sample ``(N,)`` or reduced to ``()``."""
    z, active = _margin_terms(x, y, margin)
    h = z if p == 1 else z * z
    h = h if w is None else h * w[y][:, None]  # (N, C)
    per = np.where(active, h, 0).sum(axis=1) / x.shape[1]  # (N,)
    if reduction == "none":
        return per
    total = per.sum()
    return np.asarray(total if reduction == "sum" else total / len(y))  # N = 0: nan


def _hinge_backward(x, y, p, margin, w, reduction, g):
    """``g J`` for :func:`_hinge_forward`, as torch computes it; ``g`` is (N, 1) or ()."""
    z, active = _margin_terms(x, y, margin)
    n, c = x.shape
    s = x.dtype.type(1 / (c * max(n, 1)) if reduction == "mean" else 1 / c)  # N = 0: no grad
    h = np.full_like(z, s) if p == 1 else 2 * s * z
    h = np.where(active, h if w is None else h * w[y][:, None], 0)  # (N, C)
    h[np.arange(n), y] = -h.sum(axis=1)  # x[n, y_n] enters every active term with sign -1
    return h * g


def multi_margin_loss(
    input, target, p: int = 1, margin: float = 1.0, weight=None, reduction: str = "mean"
):
    """Multi-class hinge loss, like ``torch.nn.functional.multi_margin_loss``.

    Parameters
    ----------
    input : array_like or Tensor, shape (N, C) or (C,)
        Class scores, one row per sample; ``C >= 1``, ``N`` may be 0.
    target : array_like of int (or an integer Tensor), shape (N,), or () or (1,) for (C,)
        Class indices in ``[0, C)``; not differentiated.
    p : {1, 2}, default 1
        The power of each hinge term.
    margin : float, default 1.0
        Finite; cast to the input's dtype.
    weight : array_like, shape (C,), optional
        A rescaling weight per class (of the target class), not differentiated.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    ndarray or Tensor
        Shape ``()`` for ``"mean"`` and ``"sum"``; target's shape for ``"none"``.

    Raises
    ------
    TypeError
        If ``input`` is not real, ``target`` is not integers, ``p`` is not an int,
        ``margin`` is not a real number, ``weight`` is not real or ``reduction`` is not a
        string.
    ValueError
        For a wrong shape of ``input``, ``target`` or ``weight``, a label outside
        ``[0, C)``, ``p`` not 1 or 2, a non-finite ``margin``, a ``weight`` Tensor that
        requires grad, or an unknown ``reduction``.

    Notes
    -----
    For sample ``n`` with label ``y = y_n``: ``z_i = (margin - x[y]) + x[i]`` and
    ``loss_n = sum_{i != y, z_i > 0} z_i**p * w[y] / C`` (``w = 1`` without ``weight``);
    ``"mean"`` is ``sum_n loss_n / N`` (``nan`` for ``N = 0``), ``"sum"`` ``sum_n loss_n``.
    Torch leaves that empty mean and sum uninitialised; we give ``nan`` and ``0``, as its
    ``mse_loss`` does. The subgradient is torch's: a term with ``z_i > 0`` adds
    ``s = p * z_i**(p-1) * w[y] / C`` (also ``/ N`` for ``"mean"``) to ``d/dx[i]`` and
    ``-s`` to ``d/dx[y]``; at the kink ``z_i == 0`` (and for NaN) the term counts 0.

    Examples
    --------
    >>> x = np.array([[0.1, 0.2, 0.4, 0.8]])
    >>> print(round(float(multi_margin_loss(x, [3])), 6))  # (0.3 + 0.4 + 0.6) / 4
    0.325
    """
    func = "multi_margin_loss"
    a = _real(input, func)
    if a.ndim not in (1, 2) or a.shape[-1] == 0:
        raise ValueError(f"{func}: input must have shape (N, C) or (C,) with C >= 1, got {a.shape}")
    y = _class_targets(target, a.shape, func)
    if check_int(p, func, "p") not in (1, 2):
        raise ValueError(f"{func}: p must be 1 or 2, got {p}")
    margin = a.dtype.type(check_real(margin, func, "margin"))
    w = _class_weight(weight, a.shape, a.dtype, func)
    check_choice(reduction, func, "reduction", _REDUCTIONS)
    labels, c = y.reshape(-1), a.shape[-1]  # (N,)

    def forward(a):
        out = _hinge_forward(a.reshape(-1, c), labels, p, margin, w, reduction)  # (N, C) in
        return out.reshape(y.shape) if reduction == "none" else out

    def backward(a, out, g):
        g = g.reshape(-1, 1) if reduction == "none" else g  # (N, 1) or ()
        return _hinge_backward(a.reshape(-1, c), labels, p, margin, w, reduction, g).reshape(
            a.shape
        )

    return _apply(input, forward, backward, name=func, a=a)
