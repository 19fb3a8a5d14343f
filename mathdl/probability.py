"""Probability and statistics: distributions, estimators, Bayes, Monte Carlo and VI.

Everything a deep-learning reader meets in a first course on probability, written once
in numpy and checked against PyTorch (``torch.distributions``, ``torch.var``,
``torch.cov``) by the tests.

* **Distributions** mirroring ``torch.distributions`` (names, argument names,
  ``batch_shape`` and ``event_shape``, broadcasting of batched parameters, and
  ``validate_args``-style checks that are always on): :class:`Bernoulli`,
  :class:`Categorical`, :class:`Normal`, :class:`MultivariateNormal` and :class:`Beta`.
  Each has ``log_prob``, ``sample(shape, rng)``, ``mean``, ``variance``, ``stddev`` and
  ``entropy()``; :class:`Normal` has ``cdf``; :class:`Normal` and
  :class:`MultivariateNormal` have ``rsample``, the reparameterised sample
  ``loc + L eps``. Parameters may be numpy arrays (results are arrays) or
  :class:`~mathdl.autodiff.Tensor` (results are Tensors, differentiable with respect to
  the parameters and, for the continuous families, to ``value``).
* **Sampling from uniforms**, where that teaches something: Box--Muller for the normal,
  the inverse CDF for Bernoulli and Categorical, ``L z + mu`` with the Cholesky factor
  :func:`cholesky` for the multivariate normal, and the Beta as a ratio of two Gamma
  draws. Randomness goes only through :func:`mathdl._validation.as_generator`: ``rng`` is
  None, an int seed or a ``numpy.random.Generator``, and one seed gives one sample.
* **Statistics**: :func:`mean`, :func:`var`, :func:`std` (torch's ``correction``: 1 is
  Bessel's unbiased estimator, 0 the biased one), :func:`cov` and :func:`corrcoef`
  (torch's convention: rows are variables), all by a scaled, corrected two-pass algorithm.
* **Bayes and estimation**: :func:`bayes_rule` on discrete tables,
  :func:`beta_bernoulli_update`, :func:`mle_bernoulli`, :func:`mle_normal` and
  :func:`map_gaussian_linear_regression` (MAP with a Gaussian prior is ridge regression).
* **Monte Carlo**: :func:`monte_carlo_mean` with its standard error and self-normalised
  :func:`importance_sampling` with the effective sample size.
* **Variational inference**: the reparameterised :func:`elbo` and :func:`fit_gaussian_vi`,
  which maximises it with :class:`mathdl.optim.Adam`.

Invalid parameters raise ``ValueError`` naming the distribution, the parameter and the
offending value (``"Normal: scale must be > 0, got -1.0 at index (1,)"``); values outside
the support raise ``ValueError`` in ``log_prob`` (torch's ``validate_args=True``); the
wrong kind of object raises ``TypeError``. Differences from torch, all deliberate: probs of
exactly 0 or 1 are not clamped to ``[eps, 1 - eps]`` (``log_prob`` is then exactly
``-inf`` or 0 where torch gives about ``-36``); :class:`Beta` has no ``rsample`` (torch's
needs implicit reparameterisation of the Gamma); parameters are float64 unless given as
Tensors of another floating dtype.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.linalg import LinAlgError  # the exception class only

from mathdl import functional as F
from mathdl._validation import (
    as_generator,
    as_real,
    check_bool,
    check_callable,
    check_int,
    check_real,
)
from mathdl.autodiff import _IEEE, Tensor, _normalize_dims, no_grad

__all__ = [
    "Bernoulli",
    "BernoulliNaiveBayes",
    "Beta",
    "Categorical",
    "Distribution",
    "MultivariateNormal",
    "Normal",
    "VIResult",
    "bayes_rule",
    "beta_bernoulli_update",
    "cholesky",
    "corrcoef",
    "cov",
    "elbo",
    "fit_gaussian_vi",
    "importance_sampling",
    "map_gaussian_linear_regression",
    "mean",
    "mle_bernoulli",
    "mle_normal",
    "monte_carlo_mean",
    "std",
    "var",
]

_LOG_2PI = math.log(2 * math.pi)
_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))  # torch's constant, computed the same way
_SQRT2 = math.sqrt(2.0)
_SIMPLEX_ATOL = 1e-6  # torch's constraints.simplex: |sum - 1| < 1e-6

# ----------------------------------------------------------------------------- helpers


def _quiet(func: Callable) -> Callable:
    """Run ``func`` with IEEE arithmetic silent: ``log 0 = -inf`` is an answer, not a warning."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(**_IEEE, under="ignore"):
            return func(*args, **kwargs)

    return wrapper


def _data(x) -> np.ndarray:
    """The numbers of a Tensor or array-like."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _at(mask: np.ndarray) -> str:
    """`` at index (i, j)`` of the first True in ``mask``, or nothing for a 0-d mask."""
    return f" at index {tuple(int(k) for k in np.argwhere(mask)[0])}" if mask.ndim else ""


def _require(ok, values, func: str, arg: str, want: str, got: str = "got") -> None:
    """Raise ``ValueError("func: arg must be want, got v at index i")`` where ``ok`` fails."""
    bad = ~np.asarray(ok, dtype=bool)
    if bad.any():
        v = np.asarray(values)[tuple(np.argwhere(bad)[0])] if bad.ndim else np.asarray(values)
        raise ValueError(f"{func}: {arg} must be {want}, {got} {v}{_at(bad)}")


def _param(x, func: str, arg: str):
    """A parameter as a float64 array, or the Tensor itself (for gradients)."""
    if isinstance(x, Tensor):
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(f"{func}: {arg} must be a floating Tensor, got dtype {x.dtype}")
        return x
    return as_real(x, func, arg)


def _not_nan(x, func: str, arg: str) -> None:
    _require(_data(x) == _data(x), _data(x), func, arg, "a real number (not NaN)")


def _broadcast(func: str, **shapes) -> tuple[int, ...]:
    """The broadcast of the named shapes, or a ValueError naming them."""
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError:
        named = " and ".join(f"{k} {s}" for k, s in shapes.items())
        raise ValueError(f"{func}: the shapes of {named} do not broadcast") from None


def _expand(x, shape: tuple[int, ...]):
    """``x`` broadcast to ``shape``; a Tensor stays connected to its graph."""
    if tuple(x.shape) == shape:
        return x
    if isinstance(x, Tensor):
        return x + np.zeros(shape, dtype=x.dtype)
    return np.broadcast_to(x, shape)


def _log(x):
    return x.log() if isinstance(x, Tensor) else np.log(x)


def _sqrt(x):
    return x.sqrt() if isinstance(x, Tensor) else np.sqrt(x)


def _sum(x, axis, keepdim: bool = False):
    if isinstance(x, Tensor):
        return x.sum(axis, keepdim)
    return np.sum(x, axis=axis, keepdims=keepdim)


def _out(x):
    """A 0-d array as a Python float; other arrays as they are."""
    return float(x) if np.ndim(x) == 0 else x


def _bind(vjp: Callable, out: np.ndarray, arrays: list) -> Callable:
    return lambda g: vjp(g, out, *arrays)


def _op(name: str, forward: Callable, operands: list, vjps: list):
    """One primitive: ``forward(*arrays)``; on Tensors record ``vjp(g, out, *arrays)`` each.

    Arrays in, an array out; any Tensor operand makes the result a Tensor
    (:meth:`Tensor.from_op`), whose VJPs may return the broadcast shape.
    """
    arrays = [_data(x) for x in operands]
    with np.errstate(**_IEEE, under="ignore"):
        out = np.asarray(forward(*arrays))
    if not any(isinstance(x, Tensor) for x in operands):
        return out
    parents = [(x, _bind(vjp, out, arrays)) for x, vjp in zip(operands, vjps, strict=True)]
    return Tensor.from_op(out, parents, name=name)


# ----------------------------------------------------------------------------- special functions


def _log1p(x):
    """``log(1 + x)``, accurate for small ``x``; ``d/dx = 1 / (1 + x)``."""
    return _op("log1p", np.log1p, [x], [lambda g, out, a: g / (1 + a)])


def _softplus(x):
    """``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))``: no overflow; ``d/dx = sigmoid(x)``."""
    return _op(
        "softplus",
        lambda a: np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a))),
        [x],
        [lambda g, out, a: g * F.sigmoid(a)],
    )


def _xlog(name: str, logf: Callable, dlogf: Callable, edge: float):
    """``a * logf(y)`` with ``0 * logf(y) = 0`` (torch's ``xlogy``/``xlog1py``).

    ``d/da = logf(y)``, set to 0 where ``a = 0`` and ``y <= edge`` (``logf`` undefined
    there), as torch does; ``d/dy = a logf'(y)``, 0 where ``a = 0``.
    """

    def op(a, y):
        return _op(
            name,
            lambda a, y: np.where(a == 0, 0.0, a * logf(y)),
            [a, y],
            [
                lambda g, out, a, y: g * np.where((a == 0) & (y <= edge), 0.0, logf(y)),
                lambda g, out, a, y: g * np.where(a == 0, 0.0, a * dlogf(y)),
            ],
        )

    return op


_xlogy = _xlog("xlogy", np.log, lambda y: 1 / y, 0.0)
_xlog1py = _xlog("xlog1py", np.log1p, lambda y: 1 / (1 + y), -1.0)


def _clamp_min(x, lo: float):
    """``max(x, lo)``; the gradient passes where ``x >= lo`` (torch's ``clamp``)."""
    return _op("clamp", lambda a: np.maximum(a, lo), [x], [lambda g, out, a: g * (a >= lo)])


_LGAMMA = np.vectorize(math.lgamma, otypes=[np.float64])
_SHIFT = 10  # recurrence steps before the asymptotic series: z = x + 10 >= 10
# Bernoulli numbers B_2 ... B_16, for the Stirling-type series of digamma and trigamma.
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _shifted(x: np.ndarray):
    """``(z, small)``: ``z = x + 10`` where ``x < 10``, else ``x``."""
    small = x < _SHIFT
    return np.where(small, x + _SHIFT, x), small


def _digamma_array(x: np.ndarray) -> np.ndarray:
    """``psi(x) = d/dx log Gamma(x)`` for ``x > 0``.

    ``psi(x) = psi(x + 10) - sum_{k<10} 1/(x + k)``, and for ``z >= 10`` the asymptotic
    series ``log z - 1/(2z) - sum_k B_2k / (2k z^2k)`` (error below 1e-18 with 8 terms).
    """
    z, small = _shifted(x)
    series = sum(b / (2 * k) / z ** (2 * k) for k, b in enumerate(_B2K, 1))
    psi = np.log(z) - 0.5 / z - series
    recurrence = sum(1 / (x + k) for k in range(_SHIFT))
    return np.where(small, psi - recurrence, psi)


def _trigamma_array(x: np.ndarray) -> np.ndarray:
    """``psi'(x)``, ``x > 0``: ``sum_{k<10} 1/(x + k)^2 + 1/z + 1/(2z^2) + sum B_2k/z^(2k+1)``."""
    z, small = _shifted(x)
    series = sum(b / z ** (2 * k + 1) for k, b in enumerate(_B2K, 1))
    tri = 1 / z + 0.5 / z**2 + series
    recurrence = sum(1 / (x + k) ** 2 for k in range(_SHIFT))
    return np.where(small, tri + recurrence, tri)


def _lgamma(x):
    """``log Gamma(x)`` (``math.lgamma`` elementwise); ``d/dx = digamma(x)``."""
    return _op("lgamma", _LGAMMA, [x], [lambda g, out, a: g * _digamma_array(a)])


def _digamma(x):
    """``psi(x)``; ``d/dx = psi'(x)`` (trigamma)."""
    return _op("digamma", _digamma_array, [x], [lambda g, out, a: g * _trigamma_array(a)])


def _gather_last(x, index: np.ndarray):
    """``x[..., index]`` per batch element: ``out[b] = x[b, index[b]]`` (broadcast first)."""
    shape = np.broadcast_shapes(index.shape, _data(x).shape[:-1])

    def forward(a):
        a = np.broadcast_to(a, (*shape, a.shape[-1]))  # (..., K)
        return np.take_along_axis(a, np.broadcast_to(index, shape)[..., None], -1)[..., 0]

    def vjp(g, out, a):
        full = np.zeros((*shape, a.shape[-1]), dtype=a.dtype)  # (..., K)
        np.put_along_axis(full, np.broadcast_to(index, shape)[..., None], g[..., None], -1)
        return full

    return _op("gather", forward, [x], [vjp])


def _diagonal(x):
    """The diagonal of the last two axes, ``(..., n, n) -> (..., n)``."""

    def vjp(g, out, a):
        full = np.zeros(a.shape, dtype=a.dtype)
        i = np.arange(a.shape[-1])
        full[..., i, i] = g
        return full

    return _op("diagonal", lambda a: np.diagonal(a, axis1=-2, axis2=-1).copy(), [x], [vjp])


# ----------------------------------------------------------------------------- Box–Muller


def _standard_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Standard normal draws by the Box--Muller transform of uniforms.

    With ``u1`` in ``(0, 1]`` and ``u2`` in ``[0, 1)`` independent uniforms,
    ``r = sqrt(-2 log u1)`` and ``theta = 2 pi u2`` give two independent standard normals
    ``r cos(theta)`` and ``r sin(theta)``: ``(r, theta)`` are the polar coordinates of a
    standard 2-D Gaussian, whose ``r^2 / 2`` is Exponential(1) and whose angle is uniform.
    """
    n = math.prod(shape)
    m = (n + 1) // 2
    u1 = 1.0 - rng.random(m)  # (0, 1]: log never sees 0
    u2 = rng.random(m)
    r = np.sqrt(-2.0 * np.log(u1))
    theta = 2.0 * math.pi * u2
    z = np.concatenate([r * np.cos(theta), r * np.sin(theta)])[:n]
    return z.reshape(shape)


def _sample_shape(shape, func: str) -> tuple[int, ...]:
    """``shape`` (an int or a tuple of ints >= 0) as a tuple."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"{func}: shape must be an int or a tuple of ints, got {shape!r}")
    return tuple(check_int(s, func, "shape", min=0) for s in shape)


# ----------------------------------------------------------------------------- triangular algebra


def _forward_sub(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``X = L^{-1} B`` for lower-triangular ``L`` (..., n, n) and ``B`` (..., n, k)."""
    n = L.shape[-1]
    batch = np.broadcast_shapes(L.shape[:-2], B.shape[:-2])
    X = np.zeros((*batch, n, B.shape[-1]), dtype=np.result_type(L, B))
    for i in range(n):
        done = L[..., i : i + 1, :i] @ X[..., :i, :]  # (..., 1, k)
        X[..., i, :] = (B[..., i, :] - done[..., 0, :]) / L[..., i, i, None]
    return X


def _back_sub(U: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``X = U^{-1} B`` for upper-triangular ``U`` (..., n, n) and ``B`` (..., n, k)."""
    n = U.shape[-1]
    batch = np.broadcast_shapes(U.shape[:-2], B.shape[:-2])
    X = np.zeros((*batch, n, B.shape[-1]), dtype=np.result_type(U, B))
    for i in reversed(range(n)):
        done = U[..., i : i + 1, i + 1 :] @ X[..., i + 1 :, :]  # (..., 1, k)
        X[..., i, :] = (B[..., i, :] - done[..., 0, :]) / U[..., i, i, None]
    return X


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _cholesky_factor(a: np.ndarray):
    """``(L, column, pivot)``: the factor, and per batch element the first failing column.

    Cholesky--Banachiewicz by columns, vectorised over the batch, reading only the lower
    triangle: ``L_jj = sqrt(a_jj - sum_k L_jk^2)`` and
    ``L_ij = (a_ij - sum_k L_ik L_jk) / L_jj`` for ``i > j``. ``column`` is -1 where every
    pivot was > 0; a failing pivot is replaced by 1 so the other matrices finish.
    """
    n = a.shape[-1]
    L = np.zeros(a.shape, dtype=np.result_type(a, np.float64))
    column = np.full(a.shape[:-2], -1)
    pivot = np.zeros(a.shape[:-2])
    for j in range(n):
        d = a[..., j, j] - np.sum(L[..., j, :j] ** 2, axis=-1)  # (...)
        fail = ~(d > 0) & (column < 0)
        column, pivot = np.where(fail, j, column), np.where(fail, d, pivot)
        L[..., j, j] = np.sqrt(np.where(d > 0, d, 1.0))
        inner = (L[..., j + 1 :, :j] @ L[..., j, :j, None])[..., 0]  # (..., n-j-1)
        L[..., j + 1 :, j] = (a[..., j + 1 :, j] - inner) / L[..., j, j, None]
    return L, column, pivot


def _cholesky_vjp(g: np.ndarray, L: np.ndarray) -> np.ndarray:
    """``dA`` from ``dL`` for ``A = L L^T``: ``L^{-T} Phi(L^T dL) L^{-1}``, symmetrised.

    ``Phi(X)`` keeps the lower triangle with half the diagonal; torch returns the
    symmetric ``S = (Phi + Phi^T) / 2`` pushed through the same two solves, and so do we.
    """
    P = np.tril(_mT(L) @ g)  # (..., n, n)
    S = 0.5 * (P + _mT(np.tril(P, -1)))  # symmetric, diagonal P_ii / 2
    Y = _back_sub(_mT(L), S)  # L^{-T} S
    return _mT(_back_sub(_mT(L), _mT(Y)))  # (L^{-T} Y^T)^T = Y L^{-1}


def cholesky(A):
    """The Cholesky factor ``L`` (lower triangular, positive diagonal) with ``A = L L^T``.

    Like ``torch.linalg.cholesky``: batched, reads only the lower triangle of ``A``, and
    differentiable when ``A`` is a Tensor.

    Parameters
    ----------
    A : array_like or Tensor, shape (..., n, n)
        Symmetric positive definite matrices (only the lower triangle is read).

    Returns
    -------
    L : ndarray or Tensor, shape (..., n, n)

    Raises
    ------
    TypeError
        If ``A`` is not real numbers.
    ValueError
        If ``A`` is not a (batch of) square matrices or holds NaN or inf.
    numpy.linalg.LinAlgError
        If a matrix is not positive definite: a pivot ``a_jj - sum_k L_jk^2 <= 0``.

    Notes
    -----
    Column ``j``: ``L_jj = sqrt(a_jj - sum_{k<j} L_jk^2)``, then
    ``L_ij = (a_ij - sum_{k<j} L_ik L_jk) / L_jj`` below it; ``n^3 / 3`` flops. The
    gradient is torch's: ``dA = L^{-T} S L^{-1}`` with ``S`` the symmetric part of
    ``tril(L^T dL)`` (diagonal halved).

    Examples
    --------
    >>> print(cholesky(np.array([[4.0, 2.0], [2.0, 5.0]])))
    [[2. 0.]
     [1. 2.]]
    """
    a = as_real(_data(A), "cholesky", "A", square=True, finite=True)
    L, column, pivot = _cholesky_factor(a)
    bad = column >= 0
    if bad.any():
        i = tuple(np.argwhere(bad)[0]) if bad.ndim else ()
        where = f" (batch index {tuple(int(k) for k in i)})" if bad.ndim else ""
        raise LinAlgError(
            f"cholesky: A of shape {a.shape} is not positive definite: the pivot of column "
            f"{int(column[i])} is {float(pivot[i])} <= 0{where}"
        )
    if isinstance(A, Tensor):
        return Tensor.from_op(L, [(A, lambda g: _cholesky_vjp(g, L))], name="cholesky")
    return L


def _solve_tril(L, b):
    """``x = L^{-1} b`` for a lower-triangular ``L`` (..., n, n) and ``b`` (..., n), batched.

    Gradients: ``b_bar = L^{-T} x_bar`` and ``L_bar = -tril(b_bar x^T)``.
    """

    def forward(L, b):
        return _forward_sub(L, b[..., None])[..., 0]

    def b_bar(g, L):
        return _back_sub(_mT(L), g[..., None])[..., 0]  # (..., n)

    return _op(
        "solve_triangular",
        forward,
        [L, b],
        [
            lambda g, x, L, b: -np.tril(b_bar(g, L)[..., :, None] * x[..., None, :]),
            lambda g, x, L, b: b_bar(g, L),
        ],
    )


# ----------------------------------------------------------------------------- Distribution


class Distribution:
    """Base class of the distributions, as ``torch.distributions.Distribution``.

    Parameters
    ----------
    batch_shape : tuple of int
        The shape of the batch of independent distributions (the broadcast parameters).
    event_shape : tuple of int
        The shape of one draw: ``()`` for scalar families, ``(n,)`` for
        :class:`MultivariateNormal`.

    Notes
    -----
    ``sample(shape)`` and ``rsample(shape)`` return ``shape + batch_shape + event_shape``;
    ``log_prob(value)`` takes a value whose trailing dimensions are ``event_shape`` and
    whose leading ones broadcast with ``batch_shape``. ``stddev`` is ``sqrt(variance)``.
    """

    has_rsample = False
    _name = "Distribution"
    _params: tuple[str, ...] = ()

    def __init__(self, batch_shape=(), event_shape=()):
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The shape of the batch of distributions."""
        return self._batch_shape

    @property
    def event_shape(self) -> tuple[int, ...]:
        """The shape of one draw."""
        return self._event_shape

    @property
    def mean(self):
        """The mean, of shape ``batch_shape + event_shape``."""
        raise NotImplementedError

    @property
    def variance(self):
        """The variance, of shape ``batch_shape + event_shape``."""
        raise NotImplementedError

    @property
    @_quiet
    def stddev(self):
        """The standard deviation ``sqrt(variance)``."""
        return _sqrt(self.variance)

    def log_prob(self, value):
        """The log density (or mass) at ``value``."""
        raise NotImplementedError(f"{self._name}.log_prob is not implemented")

    def cdf(self, value):
        """``P(X <= value)``; like torch, only :class:`Normal` has one here."""
        raise NotImplementedError(f"{self._name}.cdf: torch has no cdf for {self._name} either")

    def entropy(self):
        """The entropy in nats, of shape ``batch_shape``."""
        raise NotImplementedError(f"{self._name}.entropy is not implemented")

    def _extended_shape(self, shape, func: str) -> tuple[int, ...]:
        return _sample_shape(shape, func) + self._batch_shape + self._event_shape

    def rsample(self, shape=(), rng=None):
        """A reparameterised sample (only :class:`Normal` and :class:`MultivariateNormal`)."""
        raise NotImplementedError(
            f"{self._name}.rsample: {self._name} has no reparameterised sampler; use sample"
        )

    def sample(self, shape=(), rng=None) -> np.ndarray:
        """Draws of shape ``shape + batch_shape + event_shape``, without gradients."""
        with no_grad():
            return np.array(_data(self.rsample(shape, rng)))

    def _value(self, value, func: str):
        """``(array, original)``: ``value`` checked for type and shape against the batch."""
        a = as_real(_data(value), func, "value")
        ev = self._event_shape
        if a.ndim < len(ev) or a.shape[a.ndim - len(ev) :] != ev:
            raise ValueError(
                f"{func}: the right-most dimensions of value {a.shape} must be the event_shape {ev}"
            )
        try:
            np.broadcast_shapes(a.shape, self._batch_shape + ev)
        except ValueError:
            raise ValueError(
                f"{func}: value of shape {a.shape} does not broadcast with batch_shape "
                f"{self._batch_shape} and event_shape {ev}"
            ) from None
        return a, (value if isinstance(value, Tensor) else a)

    def __repr__(self) -> str:
        parts = []
        for name in self._params:
            p = _data(getattr(self, name))
            parts.append(f"{name}: {p.item() if p.ndim == 0 else p.shape}")
        return f"{self._name}({', '.join(parts)})"


def _probs_or_logits(probs, logits, func: str):
    """Exactly one of ``probs`` and ``logits``; the message says which mistake was made."""
    if probs is not None and logits is not None:
        raise ValueError(f"{func}: give either probs or logits, not both")
    if probs is None and logits is None:
        raise ValueError(f"{func}: give either probs or logits, got neither")


class Bernoulli(Distribution):
    """The Bernoulli distribution on ``{0, 1}``, like ``torch.distributions.Bernoulli``.

    Parameters
    ----------
    probs : array_like or Tensor, optional
        ``P(X = 1)``, in ``[0, 1]``.
    logits : array_like or Tensor, optional
        The log-odds ``log(p / (1 - p))``, any real numbers. Give exactly one of the two.

    Raises
    ------
    TypeError
        If the parameter is not real numbers.
    ValueError
        If both or neither are given, probs lie outside ``[0, 1]`` or either is NaN.

    Notes
    -----
    From logits (exact for logits of any size): ``log P(x) = -softplus((1 - 2x) l)``, i.e.
    ``log sigmoid(l)`` for ``x = 1`` and ``log sigmoid(-l)`` for ``x = 0``, and the
    entropy ``sigmoid(l) softplus(-l) + sigmoid(-l) softplus(l)``. From probs:
    ``x log p + (1 - x) log1p(-p)`` with ``0 log 0 = 0``. Sampling by the inverse CDF:
    ``X = [U < p]`` for a uniform ``U``.

    Examples
    --------
    >>> d = Bernoulli(probs=0.3)
    >>> print(round(float(d.log_prob(1.0)), 6), round(float(d.variance), 2))
    -1.203973 0.21
    >>> d.sample(5, rng=0)
    array([0., 1., 1., 1., 0.])
    """

    _name = "Bernoulli"
    _params = ("probs",)

    def __init__(self, probs=None, logits=None):
        _probs_or_logits(probs, logits, "Bernoulli")
        if probs is not None:
            p = _param(probs, "Bernoulli", "probs")
            _require((_data(p) >= 0) & (_data(p) <= 1), _data(p), "Bernoulli", "probs", "in [0, 1]")
        else:
            p = _param(logits, "Bernoulli", "logits")
            _not_nan(p, "Bernoulli", "logits")
        self._probs, self._logits = (p, None) if probs is not None else (None, p)
        super().__init__(p.shape)

    @property
    def probs(self):
        """``P(X = 1)``: as given, or ``sigmoid(logits)``."""
        return self._probs if self._logits is None else F.sigmoid(self._logits)

    @property
    @_quiet
    def logits(self):
        """The log-odds: as given, or ``log p - log1p(-p)`` (``+-inf`` at 1 and 0)."""
        if self._logits is not None:
            return self._logits
        return _log(self._probs) - _log1p(-self._probs)

    @property
    def mean(self):
        """``p``."""
        return self.probs

    @property
    def variance(self):
        """``p (1 - p)``."""
        p = self.probs
        return p * (1 - p)

    @_quiet
    def log_prob(self, value):
        """``log P(X = value)`` for values 0 or 1, shape ``broadcast(value, batch_shape)``."""
        v, _ = self._value(value, "Bernoulli.log_prob")
        _require((v == 0) | (v == 1), v, "Bernoulli.log_prob", "value", "0 or 1")
        if self._logits is not None:
            return -_softplus((1 - 2 * v) * self._logits)
        p = self._probs
        return _xlogy(v, p) + _xlog1py(1 - v, -p)

    @_quiet
    def entropy(self):
        """``-p log p - (1 - p) log(1 - p)`` in nats, shape ``batch_shape``."""
        if self._logits is not None:
            lg = self._logits
            return F.sigmoid(lg) * _softplus(-lg) + F.sigmoid(-lg) * _softplus(lg)
        p = self._probs
        return -(_xlogy(p, p) + _xlog1py(1 - p, -p))

    def sample(self, shape=(), rng=None) -> np.ndarray:
        """0./1. draws of shape ``shape + batch_shape``: ``[U < p]`` for uniforms ``U``."""
        size = self._extended_shape(shape, "Bernoulli.sample")
        u = as_generator(rng, "Bernoulli.sample").random(size)
        return (u < _data(self.probs)).astype(np.float64)


class Categorical(Distribution):
    """A distribution over ``K`` categories ``0 .. K-1``, like ``torch.distributions.Categorical``.

    Parameters
    ----------
    probs : array_like or Tensor, shape (..., K), optional
        Non-negative, summing to 1 along the last axis (within 1e-6, torch's simplex
        check); then normalised exactly, as torch does.
    logits : array_like or Tensor, shape (..., K), optional
        Unnormalised log-probabilities, normalised by ``log_softmax``. Give exactly one.

    Raises
    ------
    TypeError
        If the parameter is not real numbers.
    ValueError
        If both or neither are given, the parameter is 0-D, probs are negative or do not
        sum to 1, or either holds NaN.

    Notes
    -----
    ``batch_shape`` is ``param.shape[:-1]``. ``log_prob(k) = log_softmax(logits)[k]``
    (stable for logits of any size). ``entropy = -sum_k p_k max(log p_k, finfo.min)``
    (torch's clamp, so ``p_k = 0`` adds 0). ``mean`` and ``variance`` are NaN, as in
    torch: a category is a label, not a number. Sampling by the inverse CDF: the
    category is the number of cumulative probabilities ``<= U``.

    Examples
    --------
    >>> d = Categorical(probs=[0.2, 0.5, 0.3])
    >>> print(round(float(d.log_prob(1)), 6), round(float(d.entropy()), 6))
    -0.693147 1.029653
    >>> d.sample(6, rng=0)
    array([1, 1, 0, 0, 2, 2])
    """

    _name = "Categorical"
    _params = ("probs",)

    def __init__(self, probs=None, logits=None):
        _probs_or_logits(probs, logits, "Categorical")
        arg = "probs" if probs is not None else "logits"
        p = _param(probs if probs is not None else logits, "Categorical", arg)
        if p.ndim < 1 or p.shape[-1] == 0:
            raise ValueError(
                f"Categorical: {arg} must have at least 1 dimension with the K >= 1 "
                f"categories last, got shape {p.shape}"
            )
        _not_nan(p, "Categorical", arg)
        if probs is not None:
            _require(_data(p) >= 0, _data(p), "Categorical", "probs", ">= 0")
            total = _data(p).sum(-1)
            _require(
                np.abs(total - 1) < _SIMPLEX_ATOL,
                total,
                "Categorical",
                "probs",
                f"summing to 1 along the last dimension (within {_SIMPLEX_ATOL})",
                got="got a sum of",
            )
            self._probs, self._logits = p / _sum(p, -1, keepdim=True), None
        else:
            self._probs, self._logits = None, F.log_softmax(p, -1)
        self._num_events = p.shape[-1]
        super().__init__(p.shape[:-1])

    @property
    def probs(self):
        """The normalised probabilities, shape ``batch_shape + (K,)``."""
        return self._probs if self._logits is None else F.softmax(self._logits, -1)

    @property
    @_quiet
    def logits(self):
        """The normalised log-probabilities ``log p`` (``-inf`` where ``p = 0``)."""
        return self._logits if self._logits is not None else _log(self._probs)

    @property
    def mean(self) -> np.ndarray:
        """NaN, of ``batch_shape`` (as torch: categories are not numbers)."""
        return np.full(self._batch_shape, np.nan)

    @property
    def variance(self) -> np.ndarray:
        """NaN, of ``batch_shape`` (as torch)."""
        return np.full(self._batch_shape, np.nan)

    @_quiet
    def log_prob(self, value):
        """``log p_value`` for integers in ``[0, K)``, shape ``broadcast(value, batch_shape)``."""
        v, _ = self._value(value, "Categorical.log_prob")
        ok = (v == np.floor(v)) & (v >= 0) & (v <= self._num_events - 1)
        want = f"an integer in [0, {self._num_events - 1}]"
        _require(ok, v, "Categorical.log_prob", "value", want)
        return _gather_last(self.logits, v.astype(np.int64))

    @_quiet
    def entropy(self):
        """``-sum_k p_k log p_k`` in nats, shape ``batch_shape``."""
        floor = float(np.finfo(_data(self.logits).dtype).min)
        return -_sum(_clamp_min(self.logits, floor) * self.probs, -1)

    def sample(self, shape=(), rng=None) -> np.ndarray:
        """Integer draws of shape ``shape + batch_shape``, by the inverse CDF of uniforms."""
        size = self._extended_shape(shape, "Categorical.sample")
        u = as_generator(rng, "Categorical.sample").random(size)
        p = _data(self.probs)  # (..., K)
        cdf = np.cumsum(p, axis=-1)
        k = np.sum(cdf <= u[..., None], axis=-1)  # (*shape, *batch): categories passed
        last = p.shape[-1] - 1 - np.argmax(p[..., ::-1] > 0, axis=-1)  # last with p > 0
        return np.minimum(k, last).astype(np.int64)  # u beyond a rounded cdf[-1] < 1


class Normal(Distribution):
    """The normal distribution ``N(loc, scale^2)``, like ``torch.distributions.Normal``.

    Parameters
    ----------
    loc : array_like or Tensor
        The mean (not NaN).
    scale : array_like or Tensor
        The standard deviation, > 0. ``loc`` and ``scale`` broadcast to ``batch_shape``.

    Raises
    ------
    TypeError
        If a parameter is not real numbers.
    ValueError
        If ``scale <= 0``, ``loc`` is NaN or the shapes do not broadcast.

    Notes
    -----
    ``log_prob(x) = -(x - loc)^2 / (2 scale^2) - log scale - log sqrt(2 pi)``,
    ``cdf(x) = erfc(-(x - loc) / (scale sqrt 2)) / 2`` (``erfc`` keeps the left tail
    accurate), ``entropy = 1/2 + log(2 pi) / 2 + log scale``.
    ``rsample = loc + scale * eps`` with ``eps`` from Box--Muller: the same ``eps`` as
    ``Normal(0, 1).sample(shape, rng)`` for the same ``rng``; gradients flow to Tensor
    ``loc`` and ``scale``.

    Examples
    --------
    >>> d = Normal(0.0, 2.0)
    >>> print(round(float(d.log_prob(1.0)), 6), float(d.cdf(0.0)), float(d.variance))
    -1.737086 0.5 4.0
    >>> d.sample(3, rng=0).round(4)
    array([2.7533, 1.5774, 0.7249])
    """

    has_rsample = True
    _name = "Normal"
    _params = ("loc", "scale")

    def __init__(self, loc, scale):
        loc, scale = _param(loc, "Normal", "loc"), _param(scale, "Normal", "scale")
        _not_nan(loc, "Normal", "loc")
        _require(_data(scale) > 0, _data(scale), "Normal", "scale", "> 0")
        shape = _broadcast("Normal", loc=loc.shape, scale=scale.shape)
        self.loc, self.scale = _expand(loc, shape), _expand(scale, shape)
        super().__init__(shape)

    @property
    def mean(self):
        """``loc``."""
        return self.loc

    @property
    def variance(self):
        """``scale^2``."""
        return self.scale**2

    @property
    def stddev(self):
        """``scale``."""
        return self.scale

    def _checked(self, value, func: str):
        v, original = self._value(value, func)
        _require(v == v, v, func, "value", "a real number (not NaN)")
        return original

    @_quiet
    def log_prob(self, value):
        """The log density at ``value``, shape ``broadcast(value, batch_shape)``."""
        x = self._checked(value, "Normal.log_prob")
        return -((x - self.loc) ** 2) / (2 * self.scale**2) - _log(self.scale) - _LOG_SQRT_2PI

    @_quiet
    def cdf(self, value):
        """``P(X <= value) = erfc(-(value - loc) / (scale sqrt 2)) / 2``."""
        x = self._checked(value, "Normal.cdf")
        return 0.5 * F.erfc(-(x - self.loc) / (self.scale * _SQRT2))

    @_quiet
    def entropy(self):
        """``1/2 + log(2 pi) / 2 + log scale`` in nats, shape ``batch_shape``."""
        return 0.5 + 0.5 * _LOG_2PI + _log(self.scale)

    def rsample(self, shape=(), rng=None):
        """``loc + scale * eps``, ``eps`` standard normal by Box--Muller; differentiable."""
        size = self._extended_shape(shape, "Normal.rsample")
        eps = _standard_normal(size, as_generator(rng, "Normal.rsample"))
        return self.loc + eps * self.scale


class MultivariateNormal(Distribution):
    """The multivariate normal ``N(loc, Sigma)``, like ``torch.distributions.MultivariateNormal``.

    Parameters
    ----------
    loc : array_like or Tensor, shape (..., n)
        The mean vector(s).
    covariance_matrix : array_like or Tensor, shape (..., n, n), optional
        Symmetric (``isclose(S, S^T, atol=1e-6)``, torch's check) positive definite.
    scale_tril : array_like or Tensor, shape (..., n, n), optional
        Instead of the covariance: its Cholesky factor ``L`` (lower triangular, positive
        diagonal), ``Sigma = L L^T``. Give exactly one of the two.

    Raises
    ------
    TypeError
        If a parameter is not real numbers.
    ValueError
        If ``loc`` is 0-D or NaN, the matrix is not ``(..., n, n)`` matching ``loc``, not
        finite, not symmetric or not positive definite (``scale_tril``: not lower
        triangular with a positive diagonal), or both or neither matrices are given.

    Notes
    -----
    With ``L = cholesky(Sigma)`` (:func:`cholesky`) and ``y = L^{-1} (x - loc)`` by forward
    substitution: ``log_prob(x) = -(n log(2 pi) + |y|^2) / 2 - sum_i log L_ii``, and
    ``entropy = n (1 + log(2 pi)) / 2 + sum_i log L_ii``. ``rsample = loc + L eps`` with
    ``eps`` standard normal (Box--Muller): ``Cov(L eps) = L L^T = Sigma``.
    ``batch_shape = broadcast(loc.shape[:-1], Sigma.shape[:-2])``, ``event_shape = (n,)``.

    Examples
    --------
    >>> d = MultivariateNormal(np.zeros(2), np.array([[1.0, 0.5], [0.5, 1.0]]))
    >>> d.batch_shape, d.event_shape
    ((), (2,))
    >>> print(round(float(d.log_prob(np.array([1.0, 1.0]))), 6))
    -2.360703
    >>> d.sample((1000,), rng=0).shape
    (1000, 2)
    """

    has_rsample = True
    _name = "MultivariateNormal"
    _params = ("loc", "covariance_matrix")

    def __init__(self, loc, covariance_matrix=None, scale_tril=None):
        func = "MultivariateNormal"
        if (covariance_matrix is None) == (scale_tril is None):
            got = "both" if covariance_matrix is not None else "neither"
            raise ValueError(f"{func}: give either covariance_matrix or scale_tril, got {got}")
        loc = _param(loc, func, "loc")
        if loc.ndim < 1:
            raise ValueError(f"{func}: loc must be at least 1-D, (..., n), got shape {loc.shape}")
        _not_nan(loc, func, "loc")
        arg = "covariance_matrix" if scale_tril is None else "scale_tril"
        m = _param(covariance_matrix if scale_tril is None else scale_tril, func, arg)
        n = loc.shape[-1]
        if m.ndim < 2 or m.shape[-2:] != (n, n):
            raise ValueError(
                f"{func}: {arg} must have shape (..., {n}, {n}) to match loc {loc.shape}, "
                f"got shape {m.shape}"
            )
        as_real(_data(m), func, arg, finite=True)
        self._cov = m if scale_tril is None else None
        self._L = _checked_cholesky(m, func) if scale_tril is None else _checked_tril(m, func)
        batch = _broadcast(func, loc=loc.shape[:-1], **{arg: m.shape[:-2]})
        self.loc = _expand(loc, (*batch, n))
        super().__init__(batch, (n,))

    @property
    def scale_tril(self):
        """The Cholesky factor ``L``, shape ``batch_shape + (n, n)``."""
        return _expand(self._L, self._batch_shape + self._event_shape * 2)

    @property
    def covariance_matrix(self):
        """``Sigma`` (as given, or ``L L^T``), shape ``batch_shape + (n, n)``."""
        cov = self._cov if self._cov is not None else self._L @ _swap(self._L)
        return _expand(cov, self._batch_shape + self._event_shape * 2)

    @property
    def mean(self):
        """``loc``, shape ``batch_shape + (n,)``."""
        return self.loc

    @property
    def variance(self):
        """The diagonal of ``Sigma``, ``sum_j L_ij^2`` (as torch computes it)."""
        return _expand(_sum(self._L**2, -1), self._batch_shape + self._event_shape)

    def _half_log_det(self):
        """``log det(Sigma) / 2 = sum_i log L_ii``, shape of ``L``'s batch."""
        return _sum(_log(_diagonal(self._L)), -1)

    @_quiet
    def log_prob(self, value):
        """The log density at ``value`` (..., n), shape ``broadcast(value[..., 0], batch)``."""
        v, x = self._value(value, "MultivariateNormal.log_prob")
        _require(v == v, v, "MultivariateNormal.log_prob", "value", "a real number (not NaN)")
        y = _solve_tril(self._L, x - self.loc)  # (..., n): L^{-1} (x - loc)
        maha = _sum(y * y, -1)
        n = self._event_shape[0]
        return -0.5 * (n * _LOG_2PI + maha) - self._half_log_det()

    @_quiet
    def entropy(self):
        """``n (1 + log 2 pi) / 2 + sum_i log L_ii`` in nats, shape ``batch_shape``."""
        n = self._event_shape[0]
        return _expand(0.5 * n * (1.0 + _LOG_2PI) + self._half_log_det(), self._batch_shape)

    def rsample(self, shape=(), rng=None):
        """``loc + L eps`` with ``eps`` standard normal (Box--Muller); differentiable."""
        size = self._extended_shape(shape, "MultivariateNormal.rsample")
        eps = _standard_normal(size, as_generator(rng, "MultivariateNormal.rsample"))
        return self.loc + (self._L @ eps[..., None])[..., 0]  # (..., n, 1) -> (..., n)


def _swap(x):
    """The transpose of the last two axes of an array or Tensor."""
    return x.transpose(-1, -2) if isinstance(x, Tensor) else _mT(x)


def _checked_cholesky(m, func: str):
    """``cholesky(m)`` after torch's symmetry check, with errors that name the covariance."""
    a = _data(m)
    asym = ~np.isclose(a, _mT(a), rtol=1e-5, atol=1e-6).all(axis=(-2, -1))
    if asym.any():
        gap = np.max(np.abs(a - _mT(a)), axis=(-2, -1))
        raise ValueError(
            f"{func}: covariance_matrix must be symmetric, got max |S - S^T| = "
            f"{gap[tuple(np.argwhere(asym)[0])] if asym.ndim else gap}{_at(asym)}"
        )
    try:
        return cholesky(m)
    except LinAlgError as err:
        detail = str(err).split("positive definite: ", 1)[-1]
        raise ValueError(
            f"{func}: covariance_matrix must be positive definite, got one where {detail}"
        ) from None


def _checked_tril(m, func: str):
    """``m`` if it is lower triangular with a positive diagonal (torch's lower_cholesky)."""
    a = _data(m)
    upper = np.abs(np.triu(a, 1)).max(axis=(-2, -1))
    _require(upper == 0, upper, func, "scale_tril", "lower triangular", "got max |upper part| =")
    diag = np.diagonal(a, axis1=-2, axis2=-1)
    _require(diag > 0, diag, func, "scale_tril", "with a positive diagonal", "got a diagonal entry")
    return m


class Beta(Distribution):
    """The Beta distribution on ``[0, 1]``, like ``torch.distributions.Beta``.

    Parameters
    ----------
    concentration1 : array_like or Tensor
        ``alpha > 0`` (the exponent of ``x``: "pseudo-counts of ones").
    concentration0 : array_like or Tensor
        ``beta > 0`` (the exponent of ``1 - x``). The two broadcast to ``batch_shape``.

    Raises
    ------
    TypeError
        If a parameter is not real numbers.
    ValueError
        If a concentration is ``<= 0`` or NaN, or the shapes do not broadcast.

    Notes
    -----
    ``log_prob(x) = (a - 1) log x + (b - 1) log1p(-x) + lgamma(a + b) - lgamma(a) - lgamma(b)``
    (``0 log 0 = 0``); ``entropy = lgamma(a) + lgamma(b) - lgamma(a + b) - (2 - a - b)
    psi(a + b) - (a - 1) psi(a) - (b - 1) psi(b)`` with the digamma ``psi`` (recurrence and
    asymptotic series, written here); ``lgamma`` is Python's ``math.lgamma``.
    Sampling: ``X = G_a / (G_a + G_b)`` for independent ``G_a ~ Gamma(a)``,
    ``G_b ~ Gamma(b)``, with numpy's ``Generator.standard_gamma`` supplying the Gamma
    draws. The ratio is formed from logarithms, ``sigmoid(log G_a - log G_b)``, and for
    ``a < 1`` ``log G_a = log G_{a+1} + log(U) / a`` (Gamma's boost), so tiny
    concentrations give no 0/0. No ``rsample`` (see the module notes).

    Examples
    --------
    >>> d = Beta(2.0, 3.0)
    >>> print(float(d.mean), round(float(d.log_prob(0.5)), 6), round(float(d.entropy()), 6))
    0.4 0.405465 -0.234907
    """

    _name = "Beta"
    _params = ("concentration1", "concentration0")

    def __init__(self, concentration1, concentration0):
        a = _param(concentration1, "Beta", "concentration1")
        b = _param(concentration0, "Beta", "concentration0")
        _require(_data(a) > 0, _data(a), "Beta", "concentration1", "> 0")
        _require(_data(b) > 0, _data(b), "Beta", "concentration0", "> 0")
        shape = _broadcast("Beta", concentration1=a.shape, concentration0=b.shape)
        self.concentration1, self.concentration0 = _expand(a, shape), _expand(b, shape)
        super().__init__(shape)

    @property
    def mean(self):
        """``a / (a + b)``."""
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self):
        """``a b / ((a + b)^2 (a + b + 1))``."""
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total**2 * (total + 1))

    @_quiet
    def log_prob(self, value):
        """The log density at ``value`` in ``[0, 1]``, shape ``broadcast(value, batch_shape)``."""
        v, x = self._value(value, "Beta.log_prob")
        _require((v >= 0) & (v <= 1), v, "Beta.log_prob", "value", "in the support [0, 1]")
        a, b = self.concentration1, self.concentration0
        log_norm = _lgamma(a + b) - (_lgamma(a) + _lgamma(b))
        return _xlogy(a - 1, x) + _xlog1py(b - 1, -x) + log_norm

    @_quiet
    def entropy(self):
        """The differential entropy in nats, shape ``batch_shape``."""
        a, b = self.concentration1, self.concentration0
        total = a + b
        return (
            _lgamma(a)
            + _lgamma(b)
            - _lgamma(total)
            - (2 - total) * _digamma(total)
            - ((a - 1) * _digamma(a) + (b - 1) * _digamma(b))
        )

    def sample(self, shape=(), rng=None) -> np.ndarray:
        """Draws of shape ``shape + batch_shape``: ``G_a / (G_a + G_b)`` from Gamma draws."""
        size = self._extended_shape(shape, "Beta.sample")
        gen = as_generator(rng, "Beta.sample")
        log_a = _log_gamma_draws(np.broadcast_to(_data(self.concentration1), size), gen)
        log_b = _log_gamma_draws(np.broadcast_to(_data(self.concentration0), size), gen)
        return np.exp(log_a - np.logaddexp(log_a, log_b))


def _log_gamma_draws(alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``log G`` for ``G ~ Gamma(alpha, 1)``, exact and finite even for tiny ``alpha``."""
    small = alpha < 1
    g = rng.standard_gamma(np.where(small, alpha + 1, alpha))
    u = 1.0 - rng.random(alpha.shape)  # (0, 1]
    with np.errstate(divide="ignore"):
        return np.log(g) + np.where(small, np.log(u) / alpha, 0.0)


# ----------------------------------------------------------------------------- statistics


def _reduction_input(input, dim, func: str):
    """``(a, axes, n)``: the values, the reduced axes and the number of values per result."""
    a = as_real(_data(input), func, "input")
    axes = _normalize_dims(dim, a.ndim, func)
    n = math.prod(a.shape[d] for d in axes) if a.ndim else 1
    if n == 0:
        raise ValueError(f"{func}: input of shape {a.shape} has no values along dim={dim}")
    return a, axes, n


def _scales(a: np.ndarray, axes) -> np.ndarray:
    """A power of 2 near ``max |a|`` over ``axes`` (kept); 1 where that is 0 or inf.

    Dividing by a power of 2 is exact (it changes only the exponent), so the scaled values
    carry no new rounding error, and they lie in ``(-2, 2)``: no sum of them can overflow.
    """
    peak = np.max(np.abs(a), axis=axes, keepdims=True) if a.ndim else np.abs(a)
    s = np.ldexp(1.0, np.frexp(peak)[1] - 1)  # peak = m 2^e, m in [0.5, 1): s = 2^(e-1)
    return np.where(np.isfinite(peak) & (peak > 0), s, 1.0)


def _correction(correction, n: int, func: str) -> float:
    c = check_real(correction, func, "correction", min=0.0)
    if n - c <= 0:
        raise ValueError(
            f"{func}: correction={correction} needs more than {c:g} values, got {n} "
            "(the degrees of freedom n - correction must be > 0)"
        )
    return c


def _scaled_var(a: np.ndarray, axes, n: int, c: float) -> tuple[np.ndarray, np.ndarray]:
    """``(v, s)`` with ``var = v s^2``: the corrected two-pass algorithm on ``a / s``."""
    s = _scales(a, axes)
    y = a / s
    d = y - np.mean(y, axis=axes, keepdims=True)
    ss = np.sum(d * d, axis=axes, keepdims=True) - np.sum(d, axis=axes, keepdims=True) ** 2 / n
    return np.maximum(ss, 0.0) / (n - c), s


def _reduced(x: np.ndarray, axes, keepdim: bool) -> np.ndarray:
    return x if keepdim else np.squeeze(x, axis=axes)


@_quiet
def mean(input, dim=None, keepdim: bool = False) -> np.ndarray:
    """The arithmetic mean over ``dim``, like ``torch.mean``.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers (a Tensor's values are used; the result is an array).
    dim : int, tuple of int or None
        The axes to average over (all when None).
    keepdim : bool, default False

    Returns
    -------
    ndarray
        ``input``'s shape without ``dim`` (with length 1 there if ``keepdim``).

    Raises
    ------
    TypeError
        If ``input`` is not real numbers or ``dim`` is not ints.
    ValueError
        If ``dim`` is out of range or there are no values to average.

    Notes
    -----
    ``s * mean(x / s)`` with ``s`` a power of 2 near ``max |x|`` (an exact scaling): the
    scaled sum cannot overflow, so the mean of values near the largest float is finite.

    Examples
    --------
    >>> mean(np.array([1e308, 1e308]))
    array(1.e+308)
    """
    a, axes, _ = _reduction_input(input, dim, "mean")
    keepdim = check_bool(keepdim, "mean", "keepdim")
    s = _scales(a, axes)
    return np.asarray(_reduced(np.mean(a / s, axis=axes, keepdims=True) * s, axes, keepdim))


@_quiet
def var(input, dim=None, *, correction=1, keepdim: bool = False) -> np.ndarray:
    """The variance over ``dim``, like ``torch.var``.

    Parameters
    ----------
    input : array_like or Tensor
        Real numbers.
    dim : int, tuple of int or None
        The axes to reduce (all when None).
    correction : float, default 1
        Divide the sum of squared deviations by ``n - correction``: 1 gives the unbiased
        (Bessel-corrected) estimator, 0 the biased maximum-likelihood one.
    keepdim : bool, default False

    Returns
    -------
    ndarray

    Raises
    ------
    TypeError
        If ``input`` is not real numbers or ``correction`` is not a number.
    ValueError
        If ``correction < 0`` or ``n - correction <= 0`` (torch returns NaN or inf there).

    Notes
    -----
    ``E[sum (x_i - xbar)^2] = (n - 1) sigma^2``: the deviations from the *sample* mean are
    smaller than those from the true mean by one degree of freedom, hence Bessel's
    ``n - 1``. Computed by the corrected two-pass algorithm on ``y = x / s`` (``s`` a
    power of 2 near ``max |x|``, exact):
    ``(sum d^2 - (sum d)^2 / n) / (n - correction) * s^2`` with ``d = y - mean(y)``; the
    second term removes the rounding error of the mean (Chan, Golub and LeVeque). No
    catastrophic cancellation as in ``E[x^2] - E[x]^2``.

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 3.0, 4.0])
    >>> print(var(x), var(x, correction=0))
    1.6666666666666667 1.25
    >>> print(var(x + 1e9))  # the naive E[x^2] - E[x]^2 loses every digit here
    1.6666666666666667
    """
    a, axes, n = _reduction_input(input, dim, "var")
    c = _correction(correction, n, "var")
    keepdim = check_bool(keepdim, "var", "keepdim")
    v, s = _scaled_var(a, axes, n, c)
    return np.asarray(_reduced(v * s * s, axes, keepdim))


@_quiet
def std(input, dim=None, *, correction=1, keepdim: bool = False) -> np.ndarray:
    """The standard deviation ``sqrt(var)`` over ``dim``, like ``torch.std``.

    Parameters and errors are those of :func:`var`. Computed as ``s sqrt(v)`` from the
    scaled variance, so values near ``1e-160`` (whose variance is subnormal) or near
    ``1e160`` (whose variance overflows) still give an accurate standard deviation.

    Examples
    --------
    >>> print(std(np.array([1.0, 3.0])), std(np.array([1e-160, 3e-160])))
    1.4142135623730951 1.414213562373095e-160
    """
    a, axes, n = _reduction_input(input, dim, "std")
    c = _correction(correction, n, "std")
    keepdim = check_bool(keepdim, "std", "keepdim")
    v, s = _scaled_var(a, axes, n, c)
    return np.asarray(_reduced(np.sqrt(v) * s, axes, keepdim))


def _variables(input, func: str) -> np.ndarray:
    """``input`` as a ``(variables, observations)`` matrix."""
    a = as_real(_data(input), func, "input", ndim=(1, 2))
    if a.shape[-1] == 0:
        raise ValueError(f"{func}: input of shape {a.shape} has no observations")
    return a[None, :] if a.ndim == 1 else a


def _scaled_cov(X: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """``(C, s)`` with ``cov = C * s s^T``: corrected two-pass on the rows scaled by max |x|."""
    n = X.shape[1]
    s = _scales(X, (1,))  # (V, 1)
    D = X / s
    D = D - D.mean(axis=1, keepdims=True)  # (V, N) centred
    t = D.sum(axis=1, keepdims=True)  # (V, 1), ~0: the rounding error of the mean
    return (D @ D.T - (t @ t.T) / n) / (n - c), s


@_quiet
def cov(input, *, correction=1) -> np.ndarray:
    """The covariance matrix of variables in the rows, like ``torch.cov``.

    Parameters
    ----------
    input : array_like or Tensor, shape (V, N) or (N,)
        ``V`` variables (rows) observed ``N`` times (columns): torch's convention, the
        transpose of the ``(N, V)`` data matrices of :mod:`mathdl.linalg`'s PCA. A 1-D
        input is one variable.
    correction : float, default 1
        Divide by ``N - correction`` (1: unbiased, 0: biased). torch's ``fweights`` and
        ``aweights`` are not supported.

    Returns
    -------
    ndarray, shape (V, V), or () for one variable (as torch)

    Raises
    ------
    TypeError
        If ``input`` is not real numbers.
    ValueError
        If ``input`` is not 1-D or 2-D, has no observations, or ``N - correction <= 0``.

    Notes
    -----
    ``C_ij = sum_k (x_ik - xbar_i)(x_jk - xbar_j) / (N - correction)``, computed on rows
    scaled by their largest ``|x|`` and with the corrected two-pass term, then scaled back.

    Examples
    --------
    >>> x = np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])  # two variables, three observations
    >>> cov(x)
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    X = _variables(input, "cov")
    c = _correction(correction, X.shape[1], "cov")
    C, s = _scaled_cov(X, c)
    C = C * (s @ s.T)
    return np.asarray(C[0, 0] if C.shape == (1, 1) else C)


@_quiet
def corrcoef(input) -> np.ndarray:
    """Pearson correlation coefficients of variables in the rows, like ``torch.corrcoef``.

    Parameters
    ----------
    input : array_like or Tensor, shape (V, N) or (N,)
        Variables in rows, observations in columns (as :func:`cov`).

    Returns
    -------
    ndarray, shape (V, V), or () for one variable (as torch)
        ``R_ij = C_ij / sqrt(C_ii C_jj)``, clipped to ``[-1, 1]`` as torch does; NaN in
        the rows and columns of a constant variable (0 / 0), as torch and numpy.

    Raises
    ------
    TypeError
        If ``input`` is not real numbers.
    ValueError
        If ``input`` is not 1-D or 2-D or has fewer than 2 observations.

    Examples
    --------
    >>> corrcoef(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 7.0]])).round(4)
    array([[1.    , 0.9934],
           [0.9934, 1.    ]])
    """
    X = _variables(input, "corrcoef")
    c = _correction(1, X.shape[1], "corrcoef")
    C, _ = _scaled_cov(X, c)  # the scales cancel in the ratio
    sd = np.sqrt(np.diagonal(C))
    R = np.clip(C / sd[:, None] / sd[None, :], -1.0, 1.0)
    return np.asarray(R[0, 0] if R.shape == (1, 1) else R)


# ----------------------------------------------------------------------------- Bayes, estimation


def _probability_vector(x, func: str, arg: str) -> np.ndarray:
    """A non-negative array summing to 1 along the last axis (within 1e-6)."""
    a = as_real(_data(x), func, arg)
    if a.ndim < 1 or a.shape[-1] == 0:
        raise ValueError(f"{func}: {arg} must have at least 1 dimension, got shape {a.shape}")
    _require(a >= 0, a, func, arg, ">= 0 (and not NaN)")
    total = a.sum(-1)
    want = f"summing to 1 along the last dimension (within {_SIMPLEX_ATOL})"
    _require(np.abs(total - 1) < _SIMPLEX_ATOL, total, func, arg, want, "got a sum of")
    return a


def _binary(x, func: str, arg: str = "data") -> np.ndarray:
    """A non-empty array of 0s and 1s."""
    a = as_real(_data(x), func, arg)
    if a.size == 0:
        raise ValueError(f"{func}: {arg} is empty")
    _require((a == 0) | (a == 1), a, func, arg, "0 or 1")
    return a


@_quiet
def bayes_rule(prior, likelihood) -> np.ndarray:
    """The posterior ``P(h | e) = P(e | h) P(h) / sum_h' P(e | h') P(h')`` on discrete tables.

    Parameters
    ----------
    prior : array_like, shape (..., H)
        ``P(h)`` over the ``H`` hypotheses (the last axis): non-negative, summing to 1.
    likelihood : array_like, shape (..., H)
        ``P(e | h)`` for each hypothesis, non-negative; it need not sum to 1 over ``h``.
        A table of shape ``(E, H)`` (row ``e``: ``P(e | h)`` for each ``h``) gives all
        ``E`` posteriors at once. The two broadcast.

    Returns
    -------
    posterior : ndarray, shape ``broadcast(prior, likelihood)``
        Each slice along the last axis sums to 1.

    Raises
    ------
    TypeError
        If an argument is not real numbers.
    ValueError
        If ``prior`` is not a probability vector, ``likelihood`` is negative, the shapes
        do not broadcast, or some evidence has probability 0 under the prior.

    Notes
    -----
    The likelihood is first divided by its largest value over ``h`` (the posterior does
    not change), so products of tiny likelihoods do not underflow to 0 / 0.

    Examples
    --------
    Prevalence 1%, sensitivity 99%, specificity 95%: a positive test means disease with
    probability about 1/6.

    >>> prior = np.array([0.01, 0.99])  # (disease, healthy)
    >>> positive = np.array([0.99, 0.05])  # P(positive | disease), P(positive | healthy)
    >>> bayes_rule(prior, positive).round(4)
    array([0.1667, 0.8333])
    """
    p = _probability_vector(prior, "bayes_rule", "prior")
    lik = as_real(_data(likelihood), "bayes_rule", "likelihood")
    if lik.ndim < 1:
        raise ValueError(f"bayes_rule: likelihood must be (..., H), got shape {lik.shape}")
    _require(lik >= 0, lik, "bayes_rule", "likelihood", ">= 0 (and not NaN)")
    _broadcast("bayes_rule", prior=p.shape, likelihood=lik.shape)
    peak = lik.max(-1, keepdims=True)
    joint = p * np.where(peak > 0, lik / np.where(peak > 0, peak, 1.0), 0.0)
    evidence = joint.sum(-1, keepdims=True)
    _require(
        evidence[..., 0] > 0,
        evidence[..., 0],
        "bayes_rule",
        "sum(prior * likelihood)",
        "> 0 (evidence impossible under the prior)",
    )
    return joint / evidence


def beta_bernoulli_update(a, b, data) -> tuple[float, float]:
    """The Beta posterior after coin flips: ``Beta(a, b)`` becomes ``Beta(a + heads, b + tails)``.

    Parameters
    ----------
    a, b : float
        The prior's ``concentration1`` and ``concentration0``, > 0.
    data : array_like of 0 and 1
        The observations (any shape; 1 = heads).

    Returns
    -------
    (float, float)
        The posterior's concentrations.

    Raises
    ------
    TypeError
        If ``a``, ``b`` or ``data`` are not real numbers.
    ValueError
        If ``a`` or ``b`` is ``<= 0``, or ``data`` is empty or not 0s and 1s.

    Notes
    -----
    ``p(theta | x) ∝ theta^(a-1) (1-theta)^(b-1) * theta^heads (1-theta)^tails``: the
    prior and the likelihood have the same form, so the posterior is a Beta again
    (conjugacy); ``a`` and ``b`` act as prior pseudo-counts.

    Examples
    --------
    >>> beta_bernoulli_update(1.0, 1.0, [1, 0, 1, 1])
    (4.0, 2.0)
    """
    a = check_real(a, "beta_bernoulli_update", "a", min=0.0, min_open=True)
    b = check_real(b, "beta_bernoulli_update", "b", min=0.0, min_open=True)
    x = _binary(data, "beta_bernoulli_update")
    heads = float(x.sum())
    return a + heads, b + (x.size - heads)


def mle_bernoulli(x) -> float:
    """The maximum-likelihood estimate of ``p`` from 0/1 data: the fraction of ones.

    Parameters
    ----------
    x : array_like of 0 and 1
        The observations (any shape, not empty).

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``x`` is not real numbers.
    ValueError
        If ``x`` is empty or not 0s and 1s.

    Notes
    -----
    ``d/dp [k log p + (n - k) log(1 - p)] = k/p - (n - k)/(1 - p) = 0`` at ``p = k / n``.

    Examples
    --------
    >>> mle_bernoulli([1, 0, 1, 1])
    0.75
    """
    return float(_binary(x, "mle_bernoulli", "x").mean())


def mle_normal(x) -> tuple[float, float]:
    """The maximum-likelihood ``(mean, variance)`` of a normal sample.

    Parameters
    ----------
    x : array_like, shape (n,)
        The observations, ``n >= 1``.

    Returns
    -------
    (float, float)
        ``xbar`` and the *biased* variance ``sum (x - xbar)^2 / n`` (``correction=0``).

    Raises
    ------
    TypeError
        If ``x`` is not real numbers.
    ValueError
        If ``x`` is not 1-D or is empty.

    Notes
    -----
    Setting the derivatives of ``-n/2 log(2 pi s^2) - sum (x - m)^2 / (2 s^2)`` to zero
    gives ``m = xbar`` and ``s^2 = sum (x - xbar)^2 / n``; the MLE of the variance is
    biased by ``(n - 1)/n``, which Bessel's correction undoes.

    Examples
    --------
    >>> mle_normal([1.0, 2.0, 3.0, 4.0])
    (2.5, 1.25)
    """
    a = as_real(_data(x), "mle_normal", "x", ndim=1)
    if a.size == 0:
        raise ValueError("mle_normal: x is empty")
    return float(mean(a)), float(var(a, correction=0))


def map_gaussian_linear_regression(X, y, noise_var, prior_var) -> np.ndarray:
    """The MAP weights of linear regression with a Gaussian prior: ridge regression.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The inputs (add a column of ones for an intercept; it is then penalised too).
    y : array_like, shape (n,)
        The targets, ``y = X w + noise`` with noise ``N(0, noise_var)``.
    noise_var : float
        The noise variance, > 0.
    prior_var : float
        The prior ``w ~ N(0, prior_var I)``, > 0.

    Returns
    -------
    w : ndarray, shape (d,)

    Raises
    ------
    TypeError
        If an argument is not real numbers.
    ValueError
        If the shapes do not match or a variance is ``<= 0``.

    Notes
    -----
    ``-log p(w | X, y) = |y - X w|^2 / (2 noise_var) + |w|^2 / (2 prior_var) + const``:
    multiplied by ``2 noise_var`` this is ``|y - X w|^2 + lambda |w|^2`` with
    ``lambda = noise_var / prior_var``, the L2-regularised least squares. Its minimiser
    solves ``(X^T X + lambda I) w = X^T y`` (:func:`mathdl.linalg.solve`).

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> map_gaussian_linear_regression(X, np.array([1.0, 2.0, 3.0]), 1.0, 1.0)
    array([0.875, 1.375])
    """
    from mathdl.linalg import solve

    func = "map_gaussian_linear_regression"
    A = as_real(_data(X), func, "X", ndim=2, finite=True)
    b = as_real(_data(y), func, "y", ndim=1, finite=True)
    if b.shape[0] != A.shape[0]:
        raise ValueError(
            f"{func}: y must have shape ({A.shape[0]},) for X {A.shape}, got {b.shape}"
        )
    s2 = check_real(noise_var, func, "noise_var", min=0.0, min_open=True)
    t2 = check_real(prior_var, func, "prior_var", min=0.0, min_open=True)
    lam = s2 / t2
    return solve(A.T @ A + lam * np.eye(A.shape[1]), A.T @ b)


# ----------------------------------------------------------------------------- Monte Carlo


def monte_carlo_mean(samples):
    """The Monte Carlo estimate of ``E[f(X)]`` from samples ``f(X_i)``, with its standard error.

    Parameters
    ----------
    samples : array_like, shape (n, ...)
        ``n >= 2`` independent draws along the first axis.

    Returns
    -------
    (estimate, standard_error)
        Floats for 1-D samples, else arrays of ``samples.shape[1:]``.

    Raises
    ------
    TypeError
        If ``samples`` is not real numbers.
    ValueError
        If ``samples`` is 0-D or has fewer than 2 draws.

    Notes
    -----
    ``estimate = mean(x)`` and ``standard_error = std(x, correction=1) / sqrt(n)``: by the
    central limit theorem the error is about normal with that standard deviation, so it
    shrinks like ``1 / sqrt(n)`` in any dimension.

    Examples
    --------
    >>> x = np.random.default_rng(0).random(10_000)  # E[U] = 1/2
    >>> est, se = monte_carlo_mean(x)
    >>> print(round(est, 3), round(se, 4))
    0.499 0.0029
    """
    a = as_real(_data(samples), "monte_carlo_mean", "samples")
    if a.ndim < 1 or a.shape[0] < 2:
        raise ValueError(
            "monte_carlo_mean: samples must hold at least 2 draws along axis 0, "
            f"got shape {a.shape}"
        )
    n = a.shape[0]
    return _out(mean(a, 0)), _out(std(a, 0) / math.sqrt(n))


def _per_sample(x, n: int, func: str, what: str) -> np.ndarray:
    """``x`` (array or Tensor) with the non-sample axes summed: shape ``(n,)``."""
    a = as_real(_data(x), func, what)
    if a.ndim < 1 or a.shape[0] != n:
        raise ValueError(f"{func}: {what} must have shape ({n}, ...), got shape {a.shape}")
    return a.reshape(n, -1).sum(1)


@_quiet
def importance_sampling(f, log_p, proposal, n: int = 1000, rng=None):
    """Self-normalised importance sampling of ``E_p[f(X)]`` with draws from ``proposal``.

    Parameters
    ----------
    f : callable
        ``f(x) -> (n,)`` array for the draws ``x`` of shape ``(n, *batch, *event)``.
    log_p : callable
        ``log_p(x) -> (n,)``: the target's log density, up to an additive constant.
    proposal : Distribution
        ``q``, with ``sample`` and ``log_prob`` (summed over its batch and event axes).
    n : int, default 1000
        The number of draws, >= 2.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    (estimate, standard_error, ess) : (float, float, float)

    Raises
    ------
    TypeError
        If ``f`` or ``log_p`` is not callable, ``proposal`` is not a Distribution or ``n``
        not an int.
    ValueError
        If ``n < 2``, an output has the wrong shape or is NaN, or every weight is 0.

    Notes
    -----
    ``log w_i = log p(x_i) - log q(x_i)``; the normalised weights
    ``wbar_i = exp(log w_i - logsumexp(log w))`` never overflow (and an unknown constant
    in ``log p`` cancels). ``estimate = sum wbar_i f_i``; its delta-method standard error
    is ``sqrt(sum wbar_i^2 (f_i - estimate)^2)``; the effective sample size
    ``ess = 1 / sum wbar_i^2`` lies in ``[1, n]`` and is ``n`` when ``q = p``.

    Examples
    --------
    ``E[X^2] = 1`` under ``N(0, 1)``, with draws from the wider ``N(0, 2)``:

    >>> est, se, ess = importance_sampling(
    ...     lambda x: x**2, lambda x: -x**2 / 2, Normal(0.0, 2.0), n=20_000, rng=0)
    >>> print(round(est, 2), round(se, 2), ess > 10_000)
    1.0 0.01 True
    """
    func = "importance_sampling"
    check_callable(f, func, "f")
    check_callable(log_p, func, "log_p")
    if not isinstance(proposal, Distribution):
        raise TypeError(f"{func}: proposal must be a Distribution, got {type(proposal).__name__}")
    n = check_int(n, func, "n", min=2)
    x = proposal.sample((n,), rng)
    log_q = _per_sample(proposal.log_prob(x), n, func, "proposal.log_prob(x)")
    log_w = _per_sample(log_p(x), n, func, "log_p(x)") - log_q
    fx = _per_sample(f(x), n, func, "f(x)")
    _require(log_w < np.inf, log_w, func, "log_p(x) - log q(x)", "< inf (and not NaN)")
    _require(~np.isnan(fx), fx, func, "f(x)", "a number (not NaN)")
    if np.all(log_w == -np.inf):
        raise ValueError(f"{func}: every importance weight is 0 (log_p(x) = -inf at all draws)")
    w = np.exp(log_w - F.logsumexp(log_w, dim=0))
    estimate = float(np.sum(w * fx))
    se = float(np.sqrt(np.sum(w * w * (fx - estimate) ** 2)))
    return estimate, se, float(1.0 / np.sum(w * w))


# ----------------------------------------------------------------------------- variational inf.


def elbo(log_joint, q, n_samples: int = 1, rng=None, *, analytic_entropy: bool = True):
    """The evidence lower bound ``E_q[log p(x, z)] + H[q]``, reparameterised.

    Parameters
    ----------
    log_joint : callable
        ``log_joint(z) -> Tensor (n_samples,)``: ``log p(x, z)`` for a Tensor ``z`` of
        shape ``(n_samples, *q.batch_shape, *q.event_shape)``, built from Tensor operations.
    q : Normal or MultivariateNormal
        The variational distribution; with Tensor parameters the result's gradient
        reaches them.
    n_samples : int, default 1
        Monte Carlo draws ``z = rsample`` (``loc + scale * eps``).
    rng : None, int or numpy.random.Generator
    analytic_entropy : bool, default True
        Use ``q.entropy()`` in closed form (lower variance); else the Monte Carlo
        ``-mean log q(z)``.

    Returns
    -------
    Tensor, shape ()
        ``mean_i log_joint(z_i) + sum q.entropy()`` (or ``mean_i [log_joint(z_i) -
        log q(z_i)]``, with ``log q`` summed over the batch and event axes).

    Raises
    ------
    TypeError
        If ``log_joint`` is not callable or returns no Tensor, or ``q`` has no ``rsample``.
    ValueError
        If ``n_samples < 1`` or ``log_joint`` returns the wrong shape.

    Notes
    -----
    ``log p(x) = ELBO(q) + KL(q || p(z | x)) >= ELBO(q)``, so maximising the ELBO over
    ``q`` minimises the KL to the posterior. Writing ``z = loc + scale * eps`` with
    ``eps ~ N(0, 1)`` moves the randomness out of the parameters, so the Monte Carlo
    average is differentiable in them (the reparameterisation trick).

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> loc = Tensor(0.5, requires_grad=True)
    >>> q = Normal(loc, 1.0)
    >>> value = elbo(lambda z: Normal(0.0, 1.0).log_prob(z), q, n_samples=10, rng=0)
    >>> value.backward()
    >>> loc.grad.shape
    ()
    """
    func = "elbo"
    check_callable(log_joint, func, "log_joint")
    if not isinstance(q, Distribution) or not q.has_rsample:
        raise TypeError(
            f"{func}: q must be a Normal or MultivariateNormal (with rsample), "
            f"got {type(q).__name__}"
        )
    n = check_int(n_samples, func, "n_samples", min=1)
    analytic = check_bool(analytic_entropy, func, "analytic_entropy")
    z = q.rsample((n,), rng)
    z = z if isinstance(z, Tensor) else Tensor(z)
    lj = log_joint(z)
    if not isinstance(lj, Tensor):
        raise TypeError(f"{func}: log_joint must return a Tensor, got {type(lj).__name__}")
    if lj.shape != (n,):
        raise ValueError(f"{func}: log_joint must return shape ({n},), got {lj.shape}")
    if analytic:
        return lj.mean() + q.entropy().sum()
    log_q = q.log_prob(z).reshape(n, -1).sum(1)  # (n,): summed over batch and event axes
    return (lj - log_q).mean()


class VIResult(NamedTuple):
    """What :func:`fit_gaussian_vi` returns: the fitted ``q = N(loc, scale^2)`` and the ELBOs."""

    loc: np.ndarray
    scale: np.ndarray
    history: np.ndarray


def fit_gaussian_vi(
    log_joint,
    init_loc,
    init_log_scale,
    steps: int = 1000,
    lr: float = 0.05,
    n_samples: int = 16,
    rng=None,
) -> VIResult:
    """Fit a mean-field Gaussian ``q = N(loc, exp(log_scale)^2)`` by maximising the :func:`elbo`.

    Parameters
    ----------
    log_joint : callable
        ``log p(x, z)`` of a Tensor ``z`` (n_samples, *shape) -> Tensor (n_samples,).
    init_loc, init_log_scale : array_like, one shape
        The starting parameters (``log_scale`` keeps the scale positive unconstrained).
    steps : int, default 1000
    lr : float, default 0.05
        Adam's learning rate (:class:`mathdl.optim.Adam`, torch's defaults otherwise).
    n_samples : int, default 16
        Reparameterised draws per ELBO estimate.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    VIResult
        ``(loc, scale, history)``: arrays of the initial shape and the ``steps`` ELBO values.

    Raises
    ------
    TypeError
        For arguments of the wrong kind.
    ValueError
        If the initial shapes differ, or ``steps``, ``lr`` or ``n_samples`` is out of range.

    Notes
    -----
    Each step: ``q = Normal(loc, exp(log_scale))``, ``L = -elbo(log_joint, q)``,
    ``L.backward()`` and one Adam step on ``(loc, log_scale)``.

    Examples
    --------
    The posterior of ``z ~ N(0, 1)`` after observing ``x = 2`` with noise ``N(0, 1)`` is
    ``N(1, 1/2)``:

    >>> def log_joint(z):
    ...     return Normal(0.0, 1.0).log_prob(z) + Normal(z, 1.0).log_prob(np.full(z.shape, 2.0))
    >>> fit = fit_gaussian_vi(log_joint, 0.0, 0.0, steps=500, lr=0.05, n_samples=64, rng=0)
    >>> print(round(float(fit.loc), 1), round(float(fit.scale), 1))
    1.0 0.7
    """
    from mathdl.optim import Adam

    func = "fit_gaussian_vi"
    check_callable(log_joint, func, "log_joint")
    m0 = as_real(init_loc, func, "init_loc", finite=True, copy=True)
    s0 = as_real(init_log_scale, func, "init_log_scale", finite=True, copy=True)
    if m0.shape != s0.shape:
        raise ValueError(
            f"{func}: init_loc {m0.shape} and init_log_scale {s0.shape} must have one shape"
        )
    steps = check_int(steps, func, "steps", min=1)
    lr = check_real(lr, func, "lr", min=0.0, min_open=True)
    n = check_int(n_samples, func, "n_samples", min=1)
    gen = as_generator(rng, func)
    loc, log_scale = Tensor(m0, requires_grad=True), Tensor(s0, requires_grad=True)
    opt = Adam([loc, log_scale], lr=lr)
    history = np.empty(steps)
    for t in range(steps):
        opt.zero_grad()
        value = elbo(log_joint, Normal(loc, log_scale.exp()), n, gen)
        (-value).backward()
        opt.step()
        history[t] = value.item()
    return VIResult(loc.data.copy(), np.exp(log_scale.data), history)


# ----------------------------------------------------------------------------- naive Bayes


def _binary_matrix(X, func: str) -> np.ndarray:
    """``X`` as a float64 ``(N, D)`` matrix of 0s and 1s, or a clear error."""
    a = as_real(X, func, "X", ndim=2)
    _require((a == 0) | (a == 1), a, func, "X", "0 or 1 (binarise the features first)")
    return a


def _class_labels(y, n: int, func: str) -> np.ndarray:
    """``y`` as a 1-D array of ``n`` class labels: ints, bools, strings or finite floats."""
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(f"{func}: y must be a 1-D array of class labels, got {type(y).__name__}")
    try:
        labels = np.asarray(y)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{func}: y is not a rectangular array ({err})") from None
    if labels.dtype.kind not in "biufUS":
        raise TypeError(
            f"{func}: y must hold class labels (ints, bools, strings or floats), "
            f"got dtype {labels.dtype}"
        )
    if labels.shape != (n,):
        raise ValueError(
            f"{func}: y must have shape ({n},) for X with {n} rows, got {labels.shape}"
        )
    if labels.dtype.kind == "f":
        _require(np.isfinite(labels), labels, func, "y", "finite")
    return labels


def _masked_matmul(A: np.ndarray, L: np.ndarray) -> np.ndarray:
    """``sum_j A[n, j] L[c, j]`` for ``A`` of 0s and 1s, ``(N, D) x (C, D) -> (N, C)``.

    Entries of ``L`` may be ``-inf`` (a log-probability of 0): a product ``0 * -inf`` counts
    as 0 (the feature is absent, so its probability does not enter), while a selected
    ``-inf`` makes the sum ``-inf``. Plain ``A @ L.T`` would give NaN for the first.
    """
    finite = np.isfinite(L)  # (C, D)
    out = A @ np.where(finite, L, 0.0).T  # (N, C)
    hits = A @ (~finite).T.astype(np.float64)  # (N, C): selected -inf entries
    return np.where(hits > 0, -np.inf, out)


class BernoulliNaiveBayes:
    """The naive Bayes classifier for binary features, like scikit-learn's ``BernoulliNB``.

    Parameters
    ----------
    alpha : float, default 1.0
        The additive (Lidstone) smoothing, ``>= 0``: 1 is Laplace's rule of succession,
        0 the unsmoothed maximum-likelihood estimate.

    Attributes
    ----------
    classes_ : ndarray, shape (C,)
        The sorted class labels seen by :meth:`fit`.
    class_count_ : ndarray, shape (C,)
        ``N_c``, the number of training rows of each class.
    feature_count_ : ndarray, shape (C, D)
        ``N_cj``, the number of rows of class ``c`` with feature ``j`` equal to 1.
    class_log_prior_ : ndarray, shape (C,)
        ``log pi_c = log(N_c / N)``, the empirical class prior.
    feature_log_prob_ : ndarray, shape (C, D)
        ``log theta_cj = log((N_cj + alpha) / (N_c + 2 alpha))``, the smoothed
        ``log P(x_j = 1 | y = c)``.

    Raises
    ------
    TypeError
        If ``alpha`` is not a real number, or (in the methods) ``X`` or ``y`` has the
        wrong kind of values.
    ValueError
        If ``alpha < 0``; if ``X`` is not a 2-D matrix of 0s and 1s, has no rows (in
        :meth:`fit`) or the wrong number of columns (after fitting); if ``y`` does not
        have one label per row; if the model is used before :meth:`fit`
        (:class:`mathdl.linalg.NotFittedError`, a ``ValueError``); or, possible with
        ``alpha = 0`` only, if a row has probability 0 under every class.

    Notes
    -----
    *Model.* A class ``y = c`` is drawn with probability ``pi_c``; given it, the ``D``
    features are independent Bernoulli variables with ``P(x_j = 1 | c) = theta_cj`` (the
    "naive" assumption). So

    ``log p(x, c) = log pi_c + sum_j [x_j log theta_cj + (1 - x_j) log(1 - theta_cj)]``.

    *Fit.* The log-likelihood of the training set splits into one term per parameter.
    For ``theta_cj`` it is ``N_cj log theta + (N_c - N_cj) log(1 - theta)``, maximised at
    ``theta = N_cj / N_c`` (:func:`mle_bernoulli` on the rows of class ``c``); the class
    term ``sum_c N_c log pi_c`` under ``sum_c pi_c = 1`` gives ``pi_c = N_c / N``. The
    MLE puts probability 0 on a pixel never seen on in a class, and then one such pixel
    vetoes that class for ever. Smoothing replaces it by
    ``theta_cj = (N_cj + alpha) / (N_c + 2 alpha)``: the posterior mean under a
    ``Beta(alpha, alpha)`` prior (:func:`beta_bernoulli_update`), or the MAP estimate
    under ``Beta(alpha + 1, alpha + 1)``. ``log(1 - theta_cj)`` is computed from the
    counts, ``log(N_c - N_cj + alpha) - log(N_c + 2 alpha)`` (scikit-learn computes
    ``log(1 - exp(log theta))``; the two agree to rounding).

    *Predict.* Bayes' rule, in logs: with the joint log-likelihoods ``j_c = log p(x, c)``,
    a matrix product ``(N, D) x (D, C)``,

    ``log p(c | x) = j_c - logsumexp_c' j_c'``

    (:func:`mathdl.functional.logsumexp`, the max-shifted form): the products of many
    small probabilities are never formed, so nothing underflows. :meth:`predict` returns
    the class of the largest ``j_c`` (the evidence ``p(x)`` does not change the argmax;
    ties go to the first class, as in numpy's ``argmax``). With ``alpha = 0`` a
    probability may be exactly 0 or 1: an absent feature with ``theta = 0`` contributes
    ``0 * log 0 = 0``, a present one ``-inf``.

    Examples
    --------
    >>> X = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    >>> nb = BernoulliNaiveBayes(alpha=1.0).fit(X, [0, 0, 1, 1])
    >>> np.exp(nb.feature_log_prob_)  # (N_cj + 1) / (N_c + 2)
    array([[0.75, 0.5 ],
           [0.25, 0.5 ]])
    >>> np.exp(nb.predict_log_proba([[1, 0], [0, 1]])).round(4)
    array([[0.75, 0.25],
           [0.25, 0.75]])
    >>> nb.predict([[1, 0], [0, 1]])
    array([0, 1])
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = check_real(alpha, "BernoulliNaiveBayes", "alpha", min=0.0)

    def __repr__(self) -> str:
        return f"BernoulliNaiveBayes(alpha={self.alpha})"

    @_quiet
    def fit(self, X, y) -> BernoulliNaiveBayes:
        """Count the classes and the features that are 1 in each class; returns ``self``.

        Parameters
        ----------
        X : array_like, shape (N, D)
            0s and 1s, ``N >= 1`` rows.
        y : array_like, shape (N,)
            The class of each row (any labels that sort: ints, strings, ...).
        """
        func = "BernoulliNaiveBayes.fit"
        A = _binary_matrix(X, func)  # (N, D)
        if A.shape[0] == 0:
            raise ValueError(f"{func}: X has no rows, got shape {A.shape}")
        labels = _class_labels(y, A.shape[0], func)
        self.classes_, index = np.unique(labels, return_inverse=True)
        Y = (index[:, None] == np.arange(len(self.classes_))).astype(np.float64)  # (N, C)
        self.class_count_ = Y.sum(axis=0)  # (C,)
        self.feature_count_ = Y.T @ A  # (C, D), exact integer counts
        self.class_log_prior_ = np.log(self.class_count_) - np.log(A.shape[0])
        total = np.log(self.class_count_ + 2 * self.alpha)[:, None]  # (C, 1)
        self.feature_log_prob_ = np.log(self.feature_count_ + self.alpha) - total
        absent = self.class_count_[:, None] - self.feature_count_  # (C, D): rows with x_j = 0
        self._feature_log_prob_0 = np.log(absent + self.alpha) - total  # log(1 - theta)
        return self

    def _joint_log_likelihood(self, X, func: str) -> np.ndarray:
        """``log p(x_n, c)`` for every row and class, shape (N, C)."""
        if not hasattr(self, "feature_log_prob_"):
            from mathdl.linalg import NotFittedError

            raise NotFittedError(f"{func}: this model is not fitted yet; call fit(X, y) first")
        A = _binary_matrix(X, func)  # (N, D)
        d = self.feature_log_prob_.shape[1]
        if A.shape[1] != d:
            raise ValueError(
                f"{func}: X has {A.shape[1]} features (shape {A.shape}), "
                f"but the model was fitted with {d}"
            )
        present = _masked_matmul(A, self.feature_log_prob_)  # (N, C)
        missing = _masked_matmul(1.0 - A, self._feature_log_prob_0)  # (N, C)
        jll = present + missing + self.class_log_prior_
        impossible = np.all(jll == -np.inf, axis=1)  # only possible with alpha = 0
        if impossible.any():
            raise ValueError(
                f"{func}: row {int(np.argmax(impossible))} of X has probability 0 under "
                f"every class (alpha={self.alpha}); use alpha > 0"
            )
        return jll

    @_quiet
    def predict_log_proba(self, X) -> np.ndarray:
        """``log p(c | x)`` for each row of ``X`` (N, D) and class: shape (N, C).

        The columns follow :attr:`classes_`; each row's ``exp`` sums to 1.
        """
        func = "BernoulliNaiveBayes.predict_log_proba"
        jll = self._joint_log_likelihood(X, func)  # (N, C)
        return jll - F.logsumexp(jll, dim=1, keepdim=True)

    @_quiet
    def predict(self, X) -> np.ndarray:
        """The most probable class of each row of ``X`` (N, D): labels of shape (N,)."""
        jll = self._joint_log_likelihood(X, "BernoulliNaiveBayes.predict")  # (N, C)
        return self.classes_[np.argmax(jll, axis=1)]
