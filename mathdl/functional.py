"""Activation functions, softmax and friends, stable for large inputs.

Every function accepts a numpy array (array in, array out) or a
:class:`~mathdl.autodiff.Tensor` (Tensor in, Tensor out, differentiable). On
tensors each is one primitive registered through :meth:`Tensor.from_op
<mathdl.autodiff.Tensor.from_op>`, with its derivative written next to the
forward formula. Names, signatures and conventions follow ``torch.nn.functional``:

* :func:`relu`, :func:`leaky_relu`, :func:`sigmoid`, :func:`tanh`, :func:`gelu`
  (exact, through :func:`erf`, or ``approximate="tanh"``).
* :func:`softmax`, :func:`log_softmax`, :func:`logsumexp` by max-subtraction.
* Losses with torch's ``reduction`` (``"none"``, ``"mean"``, ``"sum"``): :func:`mse_loss`,
  :func:`huber_loss` (compositions over one elementwise primitive) and
  :func:`multi_margin_loss` (the multi-class hinge, one primitive).
* Classification losses, each one primitive: :func:`cross_entropy` of logits (class
  indices -- also spatial ``(N, C, d1, ..., dk)`` and unbatched ``(C,)`` -- or class
  probabilities; ``weight``, ``ignore_index``, ``label_smoothing``), :func:`nll_loss` of
  log-probabilities, :func:`binary_cross_entropy`, :func:`binary_cross_entropy_with_logits`
  (``pos_weight``) and :func:`kl_div` (torch's convention, ``"batchmean"`` too).
* :func:`erf`, :func:`erfc` -- Cephes rational approximations, about 1e-15 relative.
* :func:`cosine_similarity` -- the cosine of the angle along ``dim``, with broadcasting
  and torch's separate clamp of each norm at ``eps``; the norms are scaled before squaring.

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
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_similarity",
    "cross_entropy",
    "erf",
    "erfc",
    "gelu",
    "huber_loss",
    "kl_div",
    "leaky_relu",
    "log_softmax",
    "logsumexp",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
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


def _class_weight(
    weight, shape: tuple[int, ...], dtype, func: str, class_dim: int = -1
) -> np.ndarray | None:
    """``weight`` (None, or one real number per class along ``class_dim``) in ``dtype``."""
    if weight is None:
        return None
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{func}: weight must not require grad (torch has no gradient for it)")
    w = as_real(weight.data if isinstance(weight, Tensor) else weight, func, "weight", ndim=1)
    if w.shape != (shape[class_dim],):
        raise ValueError(
            f"{func}: weight must have shape {(shape[class_dim],)} for input of shape {shape}, "
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


# ----------------------------------------------------------------------------- classification

_CLASS_SHAPES = "(C,), (N, C) or (N, C, d1, ..., dk)"


def _loss(out, parents, name: str):
    """``out`` as it is, or as a Tensor recording ``parents`` when any operand is a Tensor."""
    out = np.asarray(out)  # a 0-d loss stays an array
    if any(isinstance(operand, Tensor) for operand, _ in parents):
        return Tensor.from_op(out, parents, name=name)
    return out


def _class_input(input, func: str) -> np.ndarray:
    """The scores (logits or log-probabilities) of a classification loss: at least 1-D."""
    a = _real(input, func)
    if a.ndim == 0:
        raise ValueError(f"{func}: input must have shape {_CLASS_SHAPES}, got shape ()")
    return a


def _index_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of class-index targets for an input of ``shape``: () for (C,), else (N, d...)."""
    return shape[:1] + shape[2:] if len(shape) > 1 else ()


def _index_target(target, shape: tuple[int, ...], ignore_index: int, func: str) -> np.ndarray:
    """Class indices in ``[0, C)`` (or ``ignore_index``), batched: (N, d1, ..., dk) or (1,)."""
    y = _integer_labels(target, func).astype(np.int64, copy=False)
    want = _index_shape(shape)
    if y.shape != want and not (len(shape) == 1 and y.shape == (1,)):
        shown = f"{want} or (1,)" if len(shape) == 1 else str(want)
        batch = ""
        if len(shape) > 1 and y.ndim and y.shape[0] != shape[0]:
            batch = f": target batch size {y.shape[0]} differs from input batch size {shape[0]}"
        raise ValueError(
            f"{func}: target must have shape {shown} for input of shape {shape}, "
            f"got shape {y.shape}{batch}"
        )
    c = shape[1] if len(shape) > 1 else shape[0]
    bad = ((y < 0) | (y >= c)) & (y != ignore_index)
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        where = f" at index {i}" if y.ndim else ""
        raise ValueError(
            f"{func}: target values must lie in [0, {c}) or equal ignore_index "
            f"({ignore_index}), got {y[i]}{where}"
        )
    return y.reshape(want or (1,))


def _gather(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``x[n, idx[n, 0, ...], ...]`` along the class axis 1, kept: shape of ``idx``."""
    if x.shape[1] == 0:  # C = 0: every target is ignored (zeros, masked out later)
        return np.zeros(idx.shape, x.dtype)
    return np.take_along_axis(x, idx, axis=1)


class _Targets:
    """Class-index targets of a batched (N, C, d...) input: where they count, and how much.

    ``idx`` (N, 1, d...) is the label with ignored ones replaced by 0; ``valid`` is where
    the label is not ``ignore_index``; ``wy`` is ``weight[idx]`` (None without weight);
    ``denom`` is the divisor of ``"mean"``: the sum of the weights of the counted targets.
    """

    def __init__(self, y: np.ndarray, w: np.ndarray | None, ignore_index: int, dtype):
        idx = y[:, None]  # (N, 1, d...)
        self.valid = idx != ignore_index
        self.every = bool(self.valid.all())
        self.idx = idx if self.every else np.where(self.valid, idx, 0)
        self.wy = None if w is None else w[self.idx]  # (N, 1, d...)
        if w is None:
            self.denom = np.asarray(np.count_nonzero(self.valid), dtype)
        else:
            self.denom = np.where(self.valid, self.wy, 0).sum(dtype=dtype)

    def masked(self, loss: np.ndarray) -> np.ndarray:
        """``loss`` with the ignored targets at exactly 0 (whatever their scores)."""
        return loss if self.every else np.where(self.valid, loss, 0)

    def reduce(self, loss: np.ndarray, reduction: str, shape: tuple[int, ...]):
        """``loss`` (N, 1, d...) as ``shape`` (``"none"``), its sum, or sum / denom."""
        if reduction == "none":
            return loss.reshape(shape)
        total = loss.sum()
        return total if reduction == "sum" else total / self.denom  # denom 0: nan, silent

    def coefficient(self, g: np.ndarray, reduction: str) -> np.ndarray:
        """``d loss_reduced / d loss[n]`` times ``g``: (N, 1, d...), 0 where ignored."""
        if reduction == "none":
            r = g.reshape(self.valid.shape)
        else:
            r = g / self.denom if reduction == "mean" else g
        return r if self.every else np.where(self.valid, r, 0)


def _index_options(a, target, weight, ignore_index, reduction, func):
    """The checked ``(y, w, ignore_index)`` of a class-index loss on input ``a``."""
    ignore_index = check_int(ignore_index, func, "ignore_index")
    y = _index_target(target, a.shape, ignore_index, func)
    w = _class_weight(weight, a.shape, a.dtype, func, class_dim=min(a.ndim - 1, 1))
    check_choice(reduction, func, "reduction", _REDUCTIONS)
    return y, w, ignore_index


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """Negative log-likelihood of class labels, like ``torch.nn.functional.nll_loss``.

    Parameters
    ----------
    input : array_like or Tensor, shape (N, C), (C,) or (N, C, d1, ..., dk)
        Log-probabilities (of :func:`log_softmax`, usually), the classes along dim 1
        (dim 0 for a single unbatched sample).
    target : array_like of int (or an integer Tensor), shape (N,), () or (N, d1, ..., dk)
        Class indices in ``[0, C)``, or ``ignore_index``; ``()`` (or ``(1,)``) for a
        ``(C,)`` input. Any integer dtype (torch asks for int64 or uint8).
    weight : array_like, shape (C,), optional
        A rescaling weight per class, cast to the input's dtype; not differentiated.
    ignore_index : int, default -100
        Targets equal to it count for nothing: loss 0, no gradient, not in the mean.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    ndarray or Tensor
        Shape ``()`` for ``"mean"`` and ``"sum"``; target's shape for ``"none"`` (``()``
        for an unbatched input). The input's dtype.

    Raises
    ------
    TypeError
        If ``input`` or ``weight`` is not real, ``target`` is not integers,
        ``ignore_index`` is not an int or ``reduction`` is not a string.
    ValueError
        If ``input`` is 0-d, ``target`` has the wrong shape (a different batch size),
        a label is outside ``[0, C)`` and is not ``ignore_index``, ``weight`` does not
        have shape ``(C,)`` or requires grad, or ``reduction`` is not one of the three.

    Notes
    -----
    With ``w_y = weight[y]`` (1 without ``weight``) and ``v = [y != ignore_index]``:
    ``l = -w_y input[y] v`` per target; ``"sum"`` is ``sum l``, ``"mean"`` is
    ``sum l / sum w_y v`` (the weighted mean; ``nan`` when every target is ignored or
    the batch is empty, as in torch). The gradient is ``-w_y v g`` at the label and 0
    elsewhere (``g / sum w_y v`` for ``"mean"``).

    Examples
    --------
    >>> logp = np.log(np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]))
    >>> print(np.round(nll_loss(logp, [0, 2], reduction="none"), 6))
    [0.693147 0.223144]
    """
    func = "nll_loss"
    a = _class_input(input, func)
    y, w, _ = _index_options(a, target, weight, ignore_index, reduction, func)
    x = a if a.ndim > 1 else a[None]  # (N, C, d...)
    tg = _Targets(y, w, ignore_index, a.dtype)
    with np.errstate(**_IEEE, under="ignore"):
        picked = _gather(x, tg.idx)  # (N, 1, d...)
        loss = tg.masked(-picked if w is None else -picked * tg.wy)
        out = tg.reduce(loss, reduction, _index_shape(a.shape))

    def vjp(g):
        r = tg.coefficient(g, reduction)
        grad = np.zeros_like(x)
        if x.shape[1]:
            np.put_along_axis(grad, tg.idx, -r if w is None else -r * tg.wy, axis=1)
        return grad.reshape(a.shape)

    return _loss(out, [(input, vjp)], func)


def _probability_target(target, shape: tuple[int, ...], func: str):
    """``target`` as class probabilities (an array of ``shape``), or None for class indices.

    Torch's rule: a target of the input's shape holds probabilities (and must be
    floating); any other shape holds class indices (and must be integers).
    """
    raw = target.data if isinstance(target, Tensor) else target
    t = as_real(raw, func, "target", keep_float=True)
    floating = np.issubdtype(np.asarray(raw).dtype, np.floating)
    if t.shape == shape:
        if not floating:
            raise TypeError(
                f"{func}: target of the input's shape {shape} holds class probabilities and "
                f"must be floating, got dtype {np.asarray(raw).dtype}"
            )
        return t
    if floating and t.size:
        kind = TypeError if t.shape == _index_shape(shape) else ValueError
        raise kind(
            f"{func}: target must be integer class indices of shape {_index_shape(shape)} or "
            f"floating class probabilities of the input's shape {shape}, got dtype "
            f"{t.dtype} and shape {t.shape}"
        )
    return None


def cross_entropy(
    input,
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
):
    """Cross-entropy of logits and targets, like ``torch.nn.functional.cross_entropy``.

    Parameters
    ----------
    input : array_like or Tensor, shape (N, C), (C,) or (N, C, d1, ..., dk)
        Logits, the classes along dim 1 (dim 0 for a single unbatched sample).
    target : array_like or Tensor
        Either class indices -- integers of shape (N,), () for a (C,) input (or (1,)), or
        (N, d1, ..., dk), in ``[0, C)`` or equal to ``ignore_index`` -- or class
        probabilities: floating, of the input's shape (differentiable when a Tensor).
    weight : array_like, shape (C,), optional
        A rescaling weight per class, cast to the input's dtype; not differentiated.
    ignore_index : int, default -100
        Class-index targets equal to it count for nothing (loss 0, no gradient, not in
        the mean). Probability targets refuse a non-negative one, as torch does.
    reduction : {"mean", "sum", "none"}, default "mean"
    label_smoothing : float in [0, 1], default 0.0
        Mixes the target with the uniform distribution over the ``C`` classes.

    Returns
    -------
    ndarray or Tensor
        Shape ``()`` for ``"mean"`` and ``"sum"``; for ``"none"`` the input's shape
        without the class dim: (N,), (), or (N, d1, ..., dk). The input's dtype
        (promoted with a floating probability target's, as in torch).

    Raises
    ------
    TypeError
        If ``input``, ``target`` or ``weight`` is not real, a target of the input's
        shape is not floating, a target of the class-index shape is not integers, or an
        option has the wrong type.
    ValueError
        If ``input`` is 0-d; a target fits neither shape (e.g. a different batch size);
        a label is outside ``[0, C)`` and not ``ignore_index``; ``weight`` does not have
        shape ``(C,)`` or requires grad; ``reduction`` is not one of the three;
        ``label_smoothing`` is outside ``[0, 1]`` (torch ignores a negative one); or
        ``ignore_index >= 0`` with probability targets.

    Notes
    -----
    ``logp = log_softmax(input)`` along the class dim, by max-subtraction (skipped for
    class indices when every max lies in ``[-30, 30]``, where ``exp`` cannot overflow and
    the sum cannot underflow: one pass fewer, nothing lost), ``e`` the smoothing
    ``label_smoothing``, ``w`` the weights (all 1 without ``weight``).

    *Class indices*, torch's formula with ``v = [y != ignore_index]``:
    ``l = (1 - e) w_y (-logp[y]) v + (e / C) sum_c w_c (-logp[c]) v`` per target;
    ``"mean"`` is ``sum l / sum w_y v`` for both terms (the smoothing term too is
    divided by the weights of the counted targets, not by their number). The gradient
    is ``g v [softmax (1 - e) w_y + softmax (e / C) sum_c w_c - (1 - e) w_y onehot(y)
    - (e / C) w]`` (``g / sum w_y v`` for ``"mean"``), computed from the exponentials of
    the forward pass without a dense one-hot.

    *Class probabilities* ``p`` (of the input's shape): ``q = (1 - e) p + e / C``, and
    ``l = -sum_c w_c q_c logp_c``; ``"mean"`` divides by ``N d1 ... dk`` (not by the
    weights), as torch does. Torch does not check that ``p`` is non-negative or sums to
    1, and neither do we: any real ``p`` gives that formula's value. The gradients are
    ``g (softmax sum_c w_c q_c - w q)`` for ``input`` and ``-g (1 - e) w logp`` for
    ``target``. Logits of ``+-1e4`` are exact and silent; an infinite logit gives NaN
    in its sample, as in torch. An empty batch gives ``nan`` for ``"mean"``.

    Examples
    --------
    >>> print(round(float(cross_entropy(np.zeros((2, 4)), [1, 3])), 6))  # log 4
    1.386294
    >>> x = np.array([[2.0, 0.0, -1e4]])
    >>> print(round(float(cross_entropy(x, [0], label_smoothing=0.3)), 4))  # 0.7 nll + 0.1 sum
    1000.5269
    """
    func = "cross_entropy"
    a = _class_input(input, func)
    t = _probability_target(target, a.shape, func)
    if t is not None:
        return _cross_entropy_probs(input, target, a, t, weight, ignore_index, reduction,
                                    label_smoothing)  # fmt: skip
    y, w, ignore_index = _index_options(a, target, weight, ignore_index, reduction, func)
    eps = check_real(label_smoothing, func, "label_smoothing", min=0.0, max=1.0)
    x = a if a.ndim > 1 else a[None]  # (N, C, d...)
    tg = _Targets(y, w, ignore_index, a.dtype)
    c = x.shape[1]
    wb = 1 if w is None else w.reshape((1, c) + (1,) * (x.ndim - 2))  # (1, C, 1...)
    uniform = eps / c if c else 0.0  # the smoothing's share of each class
    with np.errstate(**_IEEE, under="ignore"):
        zy, z, e, shift = _shifted_exp(x, tg.idx, keep=bool(eps))  # zy (N, 1, d...)
        s = e.sum(axis=1, keepdims=True)  # (N, 1, d...)
        lse = np.log(s)
        loss = lse - zy if w is None else (lse - zy) * tg.wy  # -logp[y] w_y
        if eps:
            smooth = -((z - lse) * wb).sum(axis=1, keepdims=True)  # -sum_c w_c logp[c]
            loss = (1 - eps) * loss + uniform * smooth
        out = tg.reduce(tg.masked(loss), reduction, _index_shape(a.shape))
    kept = [e]  # the first backward turns these exponentials into the gradient, in place

    def vjp(g):
        r = tg.coefficient(g, reduction)  # (N, 1, d...) or ()
        k = (1 - eps) * (1 if w is None else tg.wy)  # the label's share
        total = k + uniform * (c if w is None else w.sum())  # sum of the target weights
        ex = kept.pop() if kept else np.exp(x if shift is None else x - shift)  # a second one
        grad = np.multiply(ex, r * total / s, out=ex)  # softmax times the total, (N, C, d...)
        if eps:
            grad -= (r * uniform) * wb
        if c:
            np.put_along_axis(grad, tg.idx, _gather(grad, tg.idx) - r * k, axis=1)
        return grad.reshape(a.shape)

    return _loss(out, [(input, vjp)], func)


_NO_SHIFT = 30.0  # a max in [-30, 30]: exp(x) cannot overflow, nor its sum fall below exp(-30)


def _shifted_exp(x: np.ndarray, idx: np.ndarray, keep: bool):
    """``(z[idx], z, exp(z), m)`` for ``z = x - m`` along the class axis 1, ``m`` the max.

    Where every max lies in ``[-30, 30]`` (float32 and float64) the shift is skipped:
    ``z = x`` and ``m`` is None. ``exp`` cannot overflow there and each sum is at least
    ``exp(-30)``, so nothing is lost and a pass over the logits is saved. Otherwise ``z``
    is computed and, unless ``keep``, overwritten by ``exp(z)`` (then None is returned for
    it). An infinite max gives NaN (``inf - inf``), as in torch's log_softmax.
    """
    m = _max(x, 1)  # (N, 1, d...)
    if x.dtype.itemsize >= 4 and bool((np.abs(m) <= _NO_SHIFT).all()):
        return _gather(x, idx), x, np.exp(x), None
    z = x - m  # (N, C, d...)
    zy = _gather(z, idx)
    return zy, (z if keep else None), (np.exp(z) if keep else np.exp(z, out=z)), m


def _cross_entropy_probs(input, target, a, t, weight, ignore_index, reduction, label_smoothing):
    """:func:`cross_entropy` with class probabilities ``t`` of the shape of ``a``."""
    func = "cross_entropy"
    ignore_index = check_int(ignore_index, func, "ignore_index")
    cdim = min(a.ndim - 1, 1)
    dtype = np.result_type(a.dtype, t.dtype)
    a, t = a.astype(dtype, copy=False), t.astype(dtype, copy=False)
    w = _class_weight(weight, a.shape, dtype, func, class_dim=cdim)
    check_choice(reduction, func, "reduction", _REDUCTIONS)
    eps = check_real(label_smoothing, func, "label_smoothing", min=0.0, max=1.0)
    if ignore_index >= 0:
        raise ValueError(
            f"{func}: ignore_index is not supported for class-probability targets (it must "
            f"be negative, like the default -100), got {ignore_index}"
        )
    c = a.shape[cdim]
    wb = None if w is None else w.reshape((c,) + (1,) * (a.ndim - 1 - cdim))  # (C, 1...)
    count = a.size // c if a.size else 0  # N d1 ... dk
    with np.errstate(**_IEEE, under="ignore"):
        z = a - _max(a, cdim)  # an infinite max gives NaN, as torch's log_softmax
        logp = z - np.log(np.exp(z).sum(axis=cdim, keepdims=True))
        q = t * (1 - eps) + (eps / c if c else 0.0) if eps else t
        wq = q if wb is None else q * wb
        per = -(logp * wq).sum(axis=cdim)
        total = per.sum()
        out = {"none": per, "sum": total}.get(reduction, total / count if count else np.nan)

    def upstream(g):
        """``g`` spread over the elements: kept class dim for "none", ``g / count`` for mean."""
        if reduction == "none":
            return np.expand_dims(g, cdim)
        return g / count if reduction == "mean" else g

    def vjp_input(g):
        return (np.exp(logp) * wq.sum(axis=cdim, keepdims=True) - wq) * upstream(g)

    def vjp_target(g):
        d = -logp if wb is None else -logp * wb
        return d * ((1 - eps) * upstream(g)) if eps else d * upstream(g)

    out = np.asarray(out, dtype)
    return _loss(out, [(input, vjp_input), (target, vjp_target)], func)


# ----------------------------------------------------------------------------- binary and KL


def _elementwise_weight(weight, shape: tuple[int, ...], dtype, func: str, arg: str):
    """``weight`` (None, or real numbers that broadcast to ``shape``) in ``dtype``."""
    if weight is None:
        return None
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{func}: {arg} must not require grad (it is not differentiated here)")
    w = as_real(weight.data if isinstance(weight, Tensor) else weight, func, arg)
    try:
        fits = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{func}: {arg} of shape {w.shape} does not broadcast to the input's shape {shape}"
        )
    return w.astype(dtype)


def _in_unit_interval(x: np.ndarray, func: str, arg: str) -> None:
    """Refuse values outside ``[0, 1]`` (NaN too), as torch's binary_cross_entropy does."""
    bad = ~((x >= 0) & (x <= 1))
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(
            f"{func}: {arg} must be probabilities in [0, 1], got {x[i]} at index {i} "
            f"(shape {x.shape})"
        )


def _elementwise_reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """``loss`` as it is, its sum, or its mean over all elements (empty: nan, silently)."""
    if reduction == "none":
        return loss
    total = loss.sum()
    return total if reduction == "sum" else total / loss.size if loss.size else np.nan


def _spread(g: np.ndarray, size: int, reduction: str) -> np.ndarray:
    """The upstream gradient of each element: ``g``, or ``g / size`` for ``"mean"``."""
    return g / size if reduction == "mean" and size else g


_BCE_EPSILON = np.float32(1e-12)  # torch's floor of x (1 - x), a float32 constant


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean"):
    """Binary cross-entropy of probabilities, like ``torch.nn.functional.binary_cross_entropy``.

    Parameters
    ----------
    input : array_like or Tensor, any shape
        Probabilities in ``[0, 1]``.
    target : array_like or Tensor, shape of ``input``
        Probabilities in ``[0, 1]`` (differentiable too when a Tensor).
    weight : array_like, optional
        A rescaling weight that broadcasts to the input's shape; not differentiated.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    ndarray or Tensor
        Shape ``()`` for ``"mean"`` and ``"sum"``, ``input``'s shape for ``"none"``.

    Raises
    ------
    TypeError
        If ``input``, ``target`` or ``weight`` is not real, or ``reduction`` is not a string.
    ValueError
        If the shapes differ, ``input`` or ``target`` has a value outside ``[0, 1]`` (or
        NaN; torch raises for both), ``weight`` does not broadcast to the shape or
        requires grad, or ``reduction`` is not one of the three.

    Notes
    -----
    Torch's formula, logarithms clamped at -100 so that ``input`` 0 or 1 stays finite:
    ``l = w ((y - 1) max(log1p(-x), -100) - y max(log x, -100))``. The gradients are
    torch's: ``g w (x - y) / max(x (1 - x), eps)`` for ``input`` (``eps`` is torch's
    float32 ``1e-12``, ``9.9999999600e-13``) and
    ``-g w log(x / (1 - x))`` for ``target`` (``+-inf`` at ``x = 0`` or 1, as in torch).
    Mixed dtypes promote, and integer targets take the input's dtype (torch asks for one
    dtype). Prefer :func:`binary_cross_entropy_with_logits` on logits: it is exact where
    ``sigmoid`` rounds to 0 or 1.

    Examples
    --------
    >>> p, y = np.array([0.9, 0.2, 0.0]), np.array([1.0, 0.0, 1.0])
    >>> print(np.round(binary_cross_entropy(p, y, reduction="none"), 6))  # log 0 -> -100
    [  0.105361   0.223144 100.      ]
    """
    func = "binary_cross_entropy"
    a, t = _pair(input, target, func)
    _in_unit_interval(a, func, "input")
    _in_unit_interval(t, func, "target")
    w = _elementwise_weight(weight, a.shape, a.dtype, func, "weight")
    check_choice(reduction, func, "reduction", _REDUCTIONS)
    with np.errstate(**_IEEE, under="ignore"):
        loss = (t - 1) * np.maximum(np.log1p(-a), -100) - t * np.maximum(np.log(a), -100)
        loss = loss if w is None else loss * w
        out = _elementwise_reduce(loss, reduction)

    def vjp_input(g):
        d = g * (a - t) / np.maximum((1 - a) * a, _BCE_EPSILON.astype(a.dtype))
        return _spread(d if w is None else d * w, a.size, reduction)

    def vjp_target(g):
        d = -np.log(a / (1 - a)) * g  # -logit(x) g
        return _spread(d if w is None else d * w, a.size, reduction)

    return _loss(np.asarray(out, a.dtype), [(input, vjp_input), (target, vjp_target)], func)


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    """``log sigmoid(x) = min(x, 0) - log1p(exp(-|x|))``: exact for any ``x``, no overflow."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def binary_cross_entropy_with_logits(
    input, target, weight=None, reduction: str = "mean", pos_weight=None
):
    """Binary cross-entropy of logits, like ``torch``'s ``binary_cross_entropy_with_logits``.

    Parameters
    ----------
    input : array_like or Tensor, any shape
        Logits: real numbers (``sigmoid(input)`` is the probability of 1).
    target : array_like or Tensor, shape of ``input``
        Targets, usually in ``[0, 1]`` (not checked, as in torch); differentiable too.
    weight : array_like, optional
        A rescaling weight that broadcasts to the input's shape; not differentiated.
    reduction : {"mean", "sum", "none"}, default "mean"
    pos_weight : array_like, optional
        A weight of the positive term that broadcasts to the input's shape (one per
        class along the last dim, usually); not differentiated.

    Returns
    -------
    ndarray or Tensor
        Shape ``()`` for ``"mean"`` and ``"sum"``, ``input``'s shape for ``"none"``.

    Raises
    ------
    TypeError
        If an array is not real or ``reduction`` is not a string.
    ValueError
        If the shapes differ, ``weight`` or ``pos_weight`` does not broadcast to the
        input's shape or requires grad, or ``reduction`` is not one of the three.

    Notes
    -----
    With ``pw = pos_weight`` (1 without it) and ``m = 1 + (pw - 1) y``:
    ``l = w ((1 - y) x - m log sigmoid(x))``, ``log sigmoid(x) = min(x, 0) -
    log1p(exp(-|x|))``, so ``exp`` never sees a positive argument; without ``pos_weight``
    that is ``max(x, 0) - x y + log1p(exp(-|x|))``. Logits of ``+-1e4`` are exact and
    silent. The gradients are torch's: ``g w ((pw y + 1 - y) sigmoid(x) - pw y)`` for
    ``input`` and ``g w (log sigmoid(-x) - pw log sigmoid(x))`` (``-g w x`` without
    ``pos_weight``) for ``target``.

    Examples
    --------
    >>> x = np.array([1e4, -1e4, 0.0])
    >>> print(binary_cross_entropy_with_logits(x, [0.0, 1.0, 1.0], reduction="none"))
    [1.00000000e+04 1.00000000e+04 6.93147181e-01]
    """
    func = "binary_cross_entropy_with_logits"
    a, t = _pair(input, target, func)
    w = _elementwise_weight(weight, a.shape, a.dtype, func, "weight")
    check_choice(reduction, func, "reduction", _REDUCTIONS)
    pw = _elementwise_weight(pos_weight, a.shape, a.dtype, func, "pos_weight")
    with np.errstate(**_IEEE, under="ignore"):
        log_sig = _log_sigmoid(a)
        loss = (1 - t) * a - (log_sig if pw is None else log_sig * ((pw - 1) * t + 1))
        loss = loss if w is None else loss * w
        out = _elementwise_reduce(loss, reduction)

    def vjp_input(g):
        s = _sigmoid(a)
        d = s - t if pw is None else (pw * t + 1 - t) * s - pw * t
        d = d * g
        return _spread(d if w is None else d * w, a.size, reduction)

    def vjp_target(g):
        d = -a if pw is None else _log_sigmoid(-a) - _log_sigmoid(a) * pw
        d = d * g
        return _spread(d if w is None else d * w, a.size, reduction)

    return _loss(np.asarray(out, a.dtype), [(input, vjp_input), (target, vjp_target)], func)


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x log y`` with ``0 log y = 0`` (unless ``y`` is NaN), as ``torch.xlogy``."""
    return np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y))


_KL_REDUCTIONS = ("none", "batchmean", "sum", "mean")


def kl_div(input, target, reduction: str = "mean", log_target: bool = False):
    """Kullback-Leibler divergence, torch's convention: ``input`` holds log-probabilities.

    Like ``torch.nn.functional.kl_div``: the pointwise ``target (log target - input)``,
    i.e. ``KL(target || exp(input))`` once summed over the classes.

    Parameters
    ----------
    input : array_like or Tensor, any shape
        Log-probabilities ``log q`` (of :func:`log_softmax`, usually).
    target : array_like or Tensor, shape of ``input``
        Probabilities ``p``, or log-probabilities with ``log_target``; differentiable too.
    reduction : {"mean", "batchmean", "sum", "none"}, default "mean"
        ``"batchmean"`` divides the sum by the batch size ``input.shape[0]`` (the sum
        itself for a 0-d input): the KL divergence per sample. ``"mean"`` divides by the
        number of elements, as torch's does (torch warns that this is rarely the KL
        divergence; we document it instead of warning).
    log_target : bool, default False

    Returns
    -------
    ndarray or Tensor
        Shape ``()``, or ``input``'s shape for ``"none"``.

    Raises
    ------
    TypeError
        If ``input`` or ``target`` is not real, ``reduction`` is not a string or
        ``log_target`` is not a bool.
    ValueError
        If the shapes differ (torch broadcasts; we refuse, like the other losses here)
        or ``reduction`` is not one of the four.

    Notes
    -----
    ``l = xlogy(p, p) - p input``, with ``0 log 0 = 0``, or ``exp(t) (t - input)`` with
    ``log_target``. As in torch, ``p`` is not checked: a negative ``p`` gives NaN,
    and ``p`` need not sum to 1. The gradients are torch's: ``-g p`` (``-g exp(t)``)
    for ``input``; for ``target`` ``g (log p + 1 - input)`` -- NaN at ``p = 0``, torch's
    ``0 / 0`` -- or ``g exp(t) (t - input + 1)``.

    Examples
    --------
    >>> logq = np.log(np.array([[0.5, 0.5]]))
    >>> print(round(float(kl_div(logq, np.array([[1.0, 0.0]]), reduction="batchmean")), 6))
    0.693147
    """
    func = "kl_div"
    a, t = _pair(input, target, func)
    check_choice(reduction, func, "reduction", _KL_REDUCTIONS)
    log_target = check_bool(log_target, func, "log_target")
    n = a.shape[0] if a.ndim else 1  # the batch size of "batchmean"
    with np.errstate(**_IEEE, under="ignore"):
        loss = np.exp(t) * (t - a) if log_target else _xlogy(t, t) - t * a
        out = _elementwise_reduce(loss, "sum" if reduction == "batchmean" else reduction)
        out = out / n if reduction == "batchmean" else out  # n = 0: nan, as in torch

    def upstream(g):
        if reduction == "batchmean":
            return g / n
        return _spread(g, a.size, reduction)

    def vjp_input(g):
        return -(np.exp(t) if log_target else t) * upstream(g)

    def vjp_target(g):
        u = upstream(g)
        if log_target:
            return u * (t - a) * np.exp(t) + u * np.exp(t)
        return np.where(t == 0, 0, _xlogy(u, t)) + u * t / t - u * a  # torch's xlogy VJPs

    return _loss(np.asarray(out, a.dtype), [(input, vjp_input), (target, vjp_target)], func)


# ----------------------------------------------------------------------------- similarity


def _over_norm(x: np.ndarray, axis: int, eps):
    """``(over, direction)`` for the vectors of ``x`` along ``axis`` (kept as length 1).

    ``over(y) = y / max(||x||, eps)`` and ``direction = x / ||x||`` (0 where ``x = 0``,
    torch's subgradient of the norm). The norm is ``s r`` with ``s = max|x|`` and
    ``r = ||x / s||``, scaled before squaring, and ``y / (s r)`` is taken as
    ``(y / s) / r``, so entries of ``1e308`` overflow nowhere. Where ``s`` is 0, inf or
    NaN, ``s = 1``: the plain formulas give torch's 0, inf and NaN.
    """
    s = np.max(np.abs(x), axis=axis, keepdims=True, initial=0)
    s = np.where(np.isfinite(s) & (s > 0), s, 1).astype(x.dtype)
    w = x / s  # |w| <= 1
    r = np.sqrt(np.sum(w * w, axis=axis, keepdims=True))  # >= 1 where x != 0
    clamped = s * r < eps  # s r may overflow to inf here: then it is not clamped

    def over(y):
        return np.where(clamped, y / eps, y / s / r)

    return over, np.where(r > 0, w / r, 0)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``, like torch's.

    Parameters
    ----------
    x1 : array_like or Tensor, any shape
        Real numbers.
    x2 : array_like or Tensor, a shape that broadcasts with ``x1``'s
        Real numbers (differentiable too when a Tensor).
    dim : int, default 1
        The axis of the broadcast shape along which the vectors lie (negatives count
        from the end; a 0-d input accepts -1 and 0).
    eps : float, default 1e-8
        The floor of each norm, ``>= 0`` (``inf`` is allowed, as in torch; it gives 0).

    Returns
    -------
    ndarray or Tensor
        The broadcast shape without ``dim``; values in ``[-1, 1]``. A Tensor when
        ``x1`` or ``x2`` is one. Floating dtypes promote (float32 with float64 gives
        float64); integers and booleans take the other operand's floating dtype, float64
        when neither is floating (torch refuses two integer inputs).

    Raises
    ------
    TypeError
        If ``x1`` or ``x2`` is not real, ``dim`` is not an int or ``eps`` not a real
        number.
    ValueError
        If the shapes do not broadcast, ``dim`` is out of range, or ``eps`` is negative
        or NaN.

    Notes
    -----
    Both operands are broadcast to one shape first (so an ``x1`` of length 1 along
    ``dim`` counts as repeated). Then, as in current torch (checked against 2.13), each
    norm is clamped separately:

    ``n_i = max(||x_i||, eps)``, ``u_i = x_i / n_i``, ``c = sum_dim u_1 u_2``.

    (Clamping the product, ``x_1 . x_2 / max(||x_1|| ||x_2||, eps)``, was torch's old
    rule; for ``x_1 = x_2 = (1e-5, 0)`` it gives 0.01 where this gives 1.) Each norm is
    computed as ``s ||x / s||`` with ``s = max|x|``, scaled before squaring, so
    ``+-1e308`` entries give the true cosine where torch's unscaled norm overflows to
    ``inf`` and its cosine to 0.

    The VJP. Where ``||x_1|| > eps``, ``c = x_1 . u_2 / ||x_1||`` and
    ``d||x_1|| / dx_1 = x_1 / ||x_1|| = u_1``, so by the quotient rule

    ``dc/dx_1 = u_2 / n_1 - (x_1 . u_2) u_1 / n_1**2 = (u_2 - c u_1) / n_1``,

    orthogonal to ``x_1``, as it must be: ``c`` does not change when ``x_1`` is scaled.
    The gradient of the loss is ``g (u_2 - c u_1) / n_1`` with ``g`` the upstream gradient
    broadcast along ``dim``, and symmetrically ``g (u_1 - c u_2) / n_2`` for ``x_2``;
    each is summed back to its operand's shape when broadcasting stretched it. Where the
    clamp is active torch does not differentiate it: it keeps ``n_1 = eps`` in the
    division but the norm's derivative ``v_1 = x_1 / ||x_1||`` (0 at ``x_1 = 0``), giving
    ``g (u_2 - c v_1) / eps``. We follow torch (the true derivative there is
    ``g u_2 / eps``).

    Examples
    --------
    >>> x = np.array([[3.0, 4.0], [1.0, 0.0]])
    >>> cosine_similarity(x, np.array([4.0, 3.0]))  # (2, 2) with (2,) -> (2,)
    array([0.96, 0.8 ])
    >>> cosine_similarity(np.array([1e308, 1e308]), np.array([1e308, 0.0]), dim=0)  # 1 / sqrt(2)
    array(0.70710678)
    """
    func = "cosine_similarity"
    (a, a_float), (b, b_float) = _checked(x1, func, "x1"), _checked(x2, func, "x2")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{func}: x1 {a.shape} and x2 {b.shape} cannot be broadcast together"
        ) from None
    axis = _one_dim(dim, len(shape), func)
    eps = check_real(eps, func, "eps", min=0.0, finite=False)
    floating = [x.dtype for x, is_float in ((a, a_float), (b, b_float)) if is_float]
    dtype = np.result_type(*floating) if floating else np.dtype(np.float64)
    work = shape or (1,)  # a 0-d pair is one vector of length 1
    a, b = (np.broadcast_to(x.astype(dtype, copy=False), shape).reshape(work) for x in (a, b))
    eps = dtype.type(eps)
    with np.errstate(**_IEEE, under="ignore"):
        (over1, v1), (over2, v2) = _over_norm(a, axis, eps), _over_norm(b, axis, eps)
        u1, u2 = over1(a), over2(b)  # the unit vectors, or x / eps where clamped
        c = np.sum(u1 * u2, axis=axis, keepdims=True)  # (..., 1, ...)
    kept = c.shape

    def vjp1(g):
        g = np.reshape(g, kept)  # the upstream gradient along dim
        return (g * over1(u2 - c * v1)).reshape(shape)

    def vjp2(g):
        g = np.reshape(g, kept)
        return (g * over2(u1 - c * v2)).reshape(shape)

    out = np.squeeze(c, axis).reshape(shape[:axis] + shape[axis + 1 :])
    return _loss(out, [(x1, vjp1), (x2, vjp2)], func)
