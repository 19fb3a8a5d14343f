"""Information theory: entropy, cross-entropy, divergences and mutual information.

Every function of probability arrays accepts numpy arrays (array in, array out) or
:class:`~mathdl.autodiff.Tensor` (Tensor in, Tensor out, differentiable): each is one
primitive registered through :meth:`Tensor.from_op <mathdl.autodiff.Tensor.from_op>`,
its local derivative written next to the forward formula.

* :func:`entropy` ``H(p)``, :func:`joint_entropy` ``H(X, Y)`` and
  :func:`conditional_entropy` ``H(X | Y)``;
* :func:`cross_entropy` ``H(p, q)`` of two distributions (the loss on logits is
  :func:`mathdl.functional.cross_entropy`);
* :func:`kl_divergence` ``KL(p || q)`` of probability arrays and, in closed form, of two
  distributions of one family from :mod:`mathdl.probability` (``Normal``,
  ``MultivariateNormal``, ``Categorical``, ``Bernoulli``), like
  ``torch.distributions.kl_divergence``; :func:`register_kl` adds a pair;
* :func:`js_divergence` (Jensen--Shannon) and :func:`mutual_information` ``I(X; Y)``.

Conventions: natural logarithms (nats) unless ``base`` is given (``base=2``: bits);
``0 log 0 = 0`` and ``0 log(0 / q) = 0``; ``p log(p / 0) = +inf`` for ``p > 0``, all
without a RuntimeWarning. Probabilities are checked: finite, non-negative and summing
to 1 within ``max(1e-6, n * eps)`` (torch's simplex check uses ``1e-6``); a violation is
a ``ValueError`` naming the function, the argument, the offending value and its index.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from mathdl._validation import as_real, check_int, check_real
from mathdl.autodiff import Tensor, _normalize_dims

__all__ = [
    "conditional_entropy",
    "cross_entropy",
    "entropy",
    "joint_entropy",
    "js_divergence",
    "kl_divergence",
    "mutual_information",
    "register_kl",
]

_QUIET = {"divide": "ignore", "over": "ignore", "invalid": "ignore", "under": "ignore"}
_SIMPLEX_ATOL = 1e-6  # torch.distributions.constraints.simplex

# ----------------------------------------------------------------------------- checks


def _first(mask: np.ndarray) -> tuple[int, ...]:
    """The index of the first True entry of ``mask``."""
    return tuple(int(k) for k in np.argwhere(mask)[0])


def _probabilities(x, func: str, arg: str, dim) -> tuple[np.ndarray, tuple[int, ...]]:
    """``x`` (array_like or Tensor) as checked probabilities, and the axes that sum to 1.

    ``dim`` is one int (a distribution along that axis) or None (one table over all axes).
    """
    a = as_real(x.data if isinstance(x, Tensor) else x, func, arg, keep_float=True, finite=True)
    if a.ndim == 0:
        raise ValueError(f"{func}: {arg} must have at least 1 dimension, got shape ()")
    if dim is None:
        axes = tuple(range(a.ndim))
    else:
        axes = _normalize_dims(check_int(dim, func, "dim"), a.ndim, func)
    negative = a < 0
    if negative.any():
        i = _first(negative)
        raise ValueError(f"{func}: {arg} must be non-negative, got {float(a[i])} at index {i}")
    n = math.prod(a.shape[k] for k in axes)
    tol = max(_SIMPLEX_ATOL, n * float(np.finfo(a.dtype).eps))
    total = np.sum(a, axis=axes, dtype=np.float64)  # one sum per distribution
    off = np.abs(total - 1) > tol
    if off.any():
        i = _first(off) if total.ndim else ()
        along = "over all entries" if dim is None else f"along dim {dim}"
        where = f" at index {i}" if total.ndim else ""
        raise ValueError(
            f"{func}: {arg} must sum to 1 {along}, got sum {float(total[i])}{where} "
            f"(shape {a.shape}, tolerance {tol:g})"
        )
    return a, axes


def _pair(p, q, func: str, dim) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """``p`` and ``q`` checked, of one shape, in one floating dtype."""
    a, axes = _probabilities(p, func, "p", dim)
    b, _ = _probabilities(q, func, "q", dim)
    if a.shape != b.shape:
        raise ValueError(f"{func}: p {a.shape} and q {b.shape} must have the same shape")
    dtype = np.result_type(a, b)
    return a.astype(dtype, copy=False), b.astype(dtype, copy=False), axes


def _log_base(base, func: str) -> float:
    """``log(base)``: the divisor turning nats into units of ``base`` (1 for None)."""
    if base is None:
        return 1.0
    b = check_real(base, func, "base", min=0.0, min_open=True)
    if b == 1.0:
        raise ValueError(f"{func}: base must be positive and not 1, got {b}")
    return math.log(b)


# ----------------------------------------------------------------------------- primitives


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(y)``, elementwise, with ``0 * log(y) = 0`` for every ``y`` (even 0)."""
    with np.errstate(**_QUIET):
        return np.where(x == 0, 0, x * np.log(np.where(x == 0, 1, y)))


def _log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``log(x / y)`` for ``x, y >= 0``: one rounding error, never overflowing.

    From the ratio where it is a normal number (its relative error, ``eps``, is the
    log's absolute error), else ``log x - log y`` (a quotient that would overflow or
    underflow; ``inf`` for ``y = 0 < x``, ``-inf`` for ``x = 0 < y``, NaN for 0/0).
    """
    with np.errstate(**_QUIET):
        r = x / y
        ok = np.isfinite(r) & (r >= np.finfo(r.dtype).tiny)
        return np.where(ok, np.log(np.where(ok, r, 1)), np.log(x) - np.log(y))


def _record(out, operands, axes: tuple[int, ...], c: float, name: str):
    """``out / c`` as an array or, when an operand is a Tensor, a Tensor recording its VJPs.

    ``operands`` pairs each input with ``deriv() -> d out_elementwise / d input``; the
    VJP broadcasts the upstream gradient ``g`` back over the summed ``axes``.
    """
    with np.errstate(**_QUIET):
        out = np.asarray(out / c + 0.0)  # + 0.0 turns -0.0 into 0.0
    if not any(isinstance(x, Tensor) for x, _ in operands):
        return out

    def vjp(deriv):
        return lambda g: np.expand_dims(g, axes) * (deriv() / c)

    return Tensor.from_op(out, [(x, vjp(d)) for x, d in operands], name=name)


def _entropy(p, dim, base, func: str, arg: str):
    """``-sum p log p`` over ``dim`` (all axes for None), as :func:`entropy` computes it."""
    c = _log_base(base, func)
    a, axes = _probabilities(p, func, arg, dim)
    out = -_xlogy(a, a).sum(axis=axes)
    return _record(out, [(p, lambda: -(np.log(a) + 1))], axes, c, func)


def entropy(p, dim: int = -1, base: float | None = None):
    """Shannon entropy ``H(p) = -sum_i p_i log p_i`` of the distributions along ``dim``.

    Parameters
    ----------
    p : (..., K, ...) array_like or Tensor
        Probabilities: non-negative, summing to 1 along ``dim``.
    dim : int, default -1
        The axis that indexes the outcomes.
    base : float, optional
        The logarithm's base: None for nats, 2 for bits.

    Returns
    -------
    ndarray or Tensor, shape of ``p`` without ``dim``

    Raises
    ------
    TypeError
        If ``p`` is not real numbers, ``dim`` not an int or ``base`` not a number.
    ValueError
        If ``p`` is 0-D, not finite, has a negative entry, does not sum to 1 along
        ``dim``, or ``dim`` is out of range, or ``base`` is <= 0 or 1.

    Notes
    -----
    Computed as ``-sum_i xlogy(p_i, p_i) / log(base)`` with ``xlogy(0, y) = 0``: the
    convention ``0 log 0 = 0`` (the limit of ``p log p``). The derivative is
    ``dH/dp_i = -(log p_i + 1) / log(base)`` (``+inf`` at ``p_i = 0``), taken for ``p``
    unconstrained, as torch's ``special.entr`` does.

    Examples
    --------
    >>> print(float(entropy([0.5, 0.5], base=2)))  # a fair coin: one bit
    1.0
    >>> entropy(np.array([[1.0, 0.0], [0.25, 0.75]]))
    array([0.        , 0.56233514])
    """
    return _entropy(p, dim, base, "entropy", "p")


def joint_entropy(joint, base: float | None = None):
    """Joint entropy ``H(X, Y) = -sum_{x,y} p(x, y) log p(x, y)`` of a table of any rank.

    Parameters
    ----------
    joint : (K1, K2, ...) array_like or Tensor
        ``joint[x, y, ...] = p(x, y, ...)``: non-negative, summing to 1 over all entries.
    base : float, optional
        The logarithm's base: None for nats, 2 for bits.

    Returns
    -------
    ndarray of shape () or Tensor of shape ()

    Raises
    ------
    TypeError
        If ``joint`` is not real numbers or ``base`` is not a number.
    ValueError
        If ``joint`` is 0-D, not finite, has a negative entry or does not sum to 1, or
        ``base`` is <= 0 or 1.

    Notes
    -----
    The entropy of the flattened table, ``-sum xlogy(p, p) / log(base)`` over every
    entry; the derivative is ``-(log p + 1) / log(base)``.

    Examples
    --------
    >>> print(float(joint_entropy(np.full((2, 4), 1 / 8), base=2)))  # 8 equal cells: 3 bits
    3.0
    """
    return _entropy(joint, None, base, "joint_entropy", "joint")


def conditional_entropy(joint, dim: int = 0, base: float | None = None):
    """Conditional entropy ``H(X | Y) = -sum_{x,y} p(x, y) log p(x | y)`` of a joint table.

    Parameters
    ----------
    joint : (K1, K2, ...) array_like or Tensor
        ``joint[x, y, ...]``: non-negative, summing to 1 over all entries.
    dim : int, default 0
        The axis of ``X``, the variable whose remaining uncertainty is measured; it is
        conditioned on all other axes. For ``joint[x, y]``, ``dim=0`` gives ``H(X | Y)``
        and ``dim=1`` gives ``H(Y | X)``.
    base : float, optional
        The logarithm's base: None for nats, 2 for bits.

    Returns
    -------
    ndarray of shape () or Tensor of shape ()

    Raises
    ------
    TypeError
        If ``joint`` is not real numbers, ``dim`` not an int or ``base`` not a number.
    ValueError
        As :func:`joint_entropy`, and for a ``dim`` out of range.

    Notes
    -----
    With ``p(y) = sum_x p(x, y)`` (the sum over ``dim``, kept), computed as
    ``-sum xlogy(p(x, y), p(x, y) / p(y)) / log(base)``: every ratio lies in ``(0, 1]``,
    so each term is ``>= 0`` and no cancellation occurs, unlike
    ``H(X, Y) - H(Y)``, which it equals (the chain rule). The derivative is
    ``-log(p(x, y) / p(y)) / log(base)``.

    Examples
    --------
    >>> joint = np.array([[0.5, 0.0], [0.0, 0.5]])  # X = Y: nothing is left to know
    >>> print(float(conditional_entropy(joint)))
    0.0
    >>> print(float(conditional_entropy(np.full((2, 2), 0.25), base=2)))  # independent
    1.0
    """
    func = "conditional_entropy"
    c = _log_base(base, func)
    a, _ = _probabilities(joint, func, "joint", None)
    (axis,) = _normalize_dims(check_int(dim, func, "dim"), a.ndim, func)
    with np.errstate(**_QUIET):
        ratio = a / a.sum(axis=axis, keepdims=True)  # p(x | y), NaN only where p(y) = 0
        out = -_xlogy(a, ratio).sum()
    return _record(out, [(joint, lambda: -np.log(ratio))], tuple(range(a.ndim)), c, func)


def cross_entropy(p, q, dim: int = -1, base: float | None = None):
    """Cross-entropy ``H(p, q) = -sum_i p_i log q_i`` of two distributions along ``dim``.

    Parameters
    ----------
    p, q : (..., K, ...) array_like or Tensor, one shape
        Probabilities, each summing to 1 along ``dim``; either may be a Tensor.
    dim : int, default -1
    base : float, optional
        The logarithm's base: None for nats, 2 for bits.

    Returns
    -------
    ndarray or Tensor, shape of ``p`` without ``dim``

    Raises
    ------
    TypeError
        If ``p`` or ``q`` is not real numbers, ``dim`` not an int or ``base`` not a number.
    ValueError
        For invalid probabilities (as :func:`entropy`), or if the shapes differ.

    Notes
    -----
    ``-sum_i xlogy(p_i, q_i) / log(base)``: a term with ``p_i = 0`` is 0 (whatever
    ``q_i``), one with ``q_i = 0 < p_i`` is ``+inf``. ``H(p, q) = H(p) + KL(p || q)``.
    Derivatives: ``dH/dp_i = -log q_i`` and ``dH/dq_i = -p_i / q_i`` (0 where
    ``p_i = 0``), each divided by ``log(base)``. This is the information-theoretic
    cross-entropy of two distributions; the loss on logits and labels is
    :func:`mathdl.functional.cross_entropy`.

    Examples
    --------
    >>> print(round(float(cross_entropy([0.5, 0.5], [0.25, 0.75], base=2)), 6))  # (2 + 0.415) / 2
    1.207519
    >>> print(float(cross_entropy([0.5, 0.5], [1.0, 0.0])))
    inf
    """
    func = "cross_entropy"
    c = _log_base(base, func)
    a, b, axes = _pair(p, q, func, dim)
    out = -_xlogy(a, b).sum(axis=axes)
    return _record(
        out,
        [(p, lambda: -np.log(b)), (q, lambda: np.where(a == 0, 0, -a / b))],
        axes,
        c,
        func,
    )


# ----------------------------------------------------------------------------- divergences


def _kl_arrays(p, q, dim, base):
    """``sum p (log p - log q)`` over ``dim``, as :func:`kl_divergence` computes it."""
    func = "kl_divergence"
    c = _log_base(base, func)
    a, b, axes = _pair(p, q, func, dim)
    log_ratio = _log_ratio(a, b)
    with np.errstate(**_QUIET):
        out = np.where(a == 0, 0, a * log_ratio).sum(axis=axes)
    return _record(
        out,
        [(p, lambda: log_ratio + 1), (q, lambda: np.where(a == 0, 0, -a / b))],
        axes,
        c,
        func,
    )


def kl_divergence(p, q, dim: int = -1, base: float | None = None):
    """Kullback--Leibler divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)``.

    Parameters
    ----------
    p, q : (..., K, ...) array_like or Tensor, one shape; or two distributions
        Probabilities summing to 1 along ``dim`` (either may be a Tensor), or two
        distribution objects of one family from :mod:`mathdl.probability`:
        ``Normal``, ``MultivariateNormal``, ``Categorical`` or ``Bernoulli`` (more
        pairs through :func:`register_kl`), batched parameters broadcasting.
    dim : int, default -1
        The outcome axis of probability arrays (unused for distributions).
    base : float, optional
        The logarithm's base: None for nats, 2 for bits.

    Returns
    -------
    ndarray or Tensor
        Arrays: the shape of ``p`` without ``dim``. Distributions: their broadcast
        batch shape; an ndarray, except for two ``Normal`` with Tensor parameters,
        whose KL is a differentiable Tensor (other families use the parameters' values).

    Raises
    ------
    TypeError
        For non-real arrays, an array with a distribution, or a pair of distributions
        with no registered closed form (torch raises NotImplementedError there).
    ValueError
        For invalid probabilities (as :func:`entropy`), shapes that differ, batch
        shapes that do not broadcast or event sizes that differ.
    numpy.linalg.LinAlgError
        If a ``MultivariateNormal`` covariance is not positive definite.

    Notes
    -----
    Arrays: ``sum_i p_i log(p_i / q_i) / log(base)`` with terms ``p_i = 0`` set to 0.
    The logarithm is taken of the quotient where that is a normal number (one rounding,
    so an absolute error of about ``eps``, where ``log p_i - log q_i`` would lose
    ``eps |log p_i|``) and as ``log p_i - log q_i`` where the quotient would overflow
    or underflow (``q_i = 1e-320``). So ``KL = +inf`` where ``q_i = 0 < p_i``, and
    ``KL(p || p) = 0`` exactly (every quotient is 1). Derivatives:
    ``log(p_i / q_i) + 1`` and ``-p_i / q_i`` (0 where ``p_i = 0``), divided by
    ``log(base)``.

    Closed forms (torch's formulas), with ``r = sigma_p / sigma_q``:

    * Normal: ``(r**2 + ((mu_p - mu_q) / sigma_q)**2 - 1 - log r**2) / 2``;
    * MultivariateNormal, with Cholesky factors ``S_p = L_p L_p^T``, ``S_q = L_q L_q^T``:
      ``sum log diag L_q - sum log diag L_p + (||L_q^{-1} L_p||_F**2
      + ||L_q^{-1} (mu_q - mu_p)||**2 - n) / 2``, by forward substitution;
    * Categorical: ``sum_k p_k (l_k - m_k)`` with ``l, m`` the normalised logits
      (``log p``, ``log q``); ``+inf`` where ``q_k = 0 < p_k``;
    * Bernoulli: ``p (softplus(-m) - softplus(-l)) + (1 - p) (softplus(m) - softplus(l))``
      with logits ``l, m`` (``softplus(-l) = -log p``, stable for extreme logits).

    Examples
    --------
    >>> p = np.array([0.2, 0.3, 0.5])
    >>> print(float(kl_divergence(p, p)))  # identical distributions
    0.0
    >>> print(round(float(kl_divergence([0.5, 0.5], [0.25, 0.75], base=2)), 6))
    0.207519
    >>> print(float(kl_divergence([0.5, 0.5], [1.0, 0.0])))
    inf
    """
    if _is_distribution(p) or _is_distribution(q):
        return _kl_closed_form(p, q, base)
    return _kl_arrays(p, q, dim, base)


def js_divergence(p, q, dim: int = -1, base: float | None = None):
    """Jensen--Shannon divergence ``(KL(p || m) + KL(q || m)) / 2`` with ``m = (p + q) / 2``.

    Parameters
    ----------
    p, q : (..., K, ...) array_like or Tensor, one shape
        Probabilities, each summing to 1 along ``dim``; either may be a Tensor.
    dim : int, default -1
    base : float, optional
        The logarithm's base: None for nats, 2 for bits (then ``JS <= 1``).

    Returns
    -------
    ndarray or Tensor, shape of ``p`` without ``dim``

    Raises
    ------
    TypeError
        If ``p`` or ``q`` is not real numbers, ``dim`` not an int or ``base`` not a number.
    ValueError
        For invalid probabilities (as :func:`entropy`), or if the shapes differ.

    Notes
    -----
    Computed as ``sum_i (xlogy(p_i, 2 p_i / (p_i + q_i)) + xlogy(q_i, 2 q_i / (p_i + q_i)))
    / (2 log(base))``. Each ratio lies in ``[0, 2]`` (never overflowing, never 0 where
    its weight is not), so ``0 <= JS <= log 2``, with ``log 2`` for disjoint supports;
    ``JS(p, q) = JS(q, p)`` exactly (the two terms are added in either order), and
    ``JS(p, p) = 0`` exactly. It is finite where KL is not. Derivatives:
    ``dJS/dp_i = log(2 p_i / (p_i + q_i)) / (2 log(base))``, likewise for ``q``.

    Examples
    --------
    >>> print(float(js_divergence([1.0, 0.0], [0.0, 1.0], base=2)))  # disjoint: the bound
    1.0
    >>> p, q = [0.1, 0.9], [0.6, 0.4]
    >>> bool(js_divergence(p, q) == js_divergence(q, p))
    True
    """
    func = "js_divergence"
    c = _log_base(base, func)
    a, b, axes = _pair(p, q, func, dim)
    with np.errstate(**_QUIET):
        s = a + b
        ra, rb = 2 * a / s, 2 * b / s  # in [0, 2]; NaN only where both are 0
    out = ((_xlogy(a, ra) + _xlogy(b, rb)) / 2).sum(axis=axes)
    return _record(out, [(p, lambda: np.log(ra) / 2), (q, lambda: np.log(rb) / 2)], axes, c, func)


def mutual_information(joint, base: float | None = None):
    """Mutual information ``I(X; Y) = KL(p(x, y) || p(x) p(y))`` of a joint table.

    Parameters
    ----------
    joint : (K, L) array_like or Tensor
        ``joint[x, y] = p(x, y)``: non-negative, summing to 1 over all entries.
    base : float, optional
        The logarithm's base: None for nats, 2 for bits.

    Returns
    -------
    ndarray of shape () or Tensor of shape ()

    Raises
    ------
    TypeError
        If ``joint`` is not real numbers or ``base`` is not a number.
    ValueError
        If ``joint`` is not 2-D, not finite, has a negative entry or does not sum to 1,
        or ``base`` is <= 0 or 1.

    Notes
    -----
    With the marginals ``p(x) = sum_y p(x, y)`` and ``p(y) = sum_x p(x, y)``:
    ``max(0, sum_{x,y} p(x, y) log((p(x, y) / p(x)) / p(y))) / log(base)``, terms with
    ``p(x, y) = 0`` set to 0 (then ``p(x) p(y)`` may be 0 too: ``0 log 0/0 = 0``). The
    first quotient is ``<= 1``; the logarithm of the second is taken as in
    :func:`kl_divergence` (of the quotient, or as a difference of logarithms where it
    would overflow), and the product ``p(x) p(y)``, which could underflow, is never
    formed. Rounding can leave about ``-1e-17`` for an independent table; like
    scikit-learn's ``mutual_info_score`` the value is clipped at 0 (``I >= 0`` always),
    the gradient being the formula's: ``log(p(x, y) / (p(x) p(y))) - 1``. Also
    ``I = H(X) - H(X | Y) = H(X) + H(Y) - H(X, Y)``.

    Examples
    --------
    >>> print(float(mutual_information(np.full((2, 3), 1 / 6))))  # independent
    0.0
    >>> print(float(mutual_information(np.eye(2) / 2, base=2)))  # X = Y, a fair bit
    1.0
    """
    func = "mutual_information"
    c = _log_base(base, func)
    a, axes = _probabilities(joint, func, "joint", None)
    if a.ndim != 2:
        raise ValueError(f"{func}: joint must be 2-D (a table p(x, y)), got shape {a.shape}")
    with np.errstate(**_QUIET):
        # log(p(x, y) / (p(x) p(y))); p(x, y) / p(x) <= 1 cannot overflow
        log_ratio = _log_ratio(a / a.sum(1, keepdims=True), a.sum(0, keepdims=True))
        out = np.maximum(np.where(a == 0, 0, a * log_ratio).sum(), 0)
    return _record(out, [(joint, lambda: log_ratio - 1)], axes, c, func)


# ----------------------------------------------------------------------------- closed forms

_KL_REGISTRY: dict[tuple[type, type], Callable] = {}
_BUILTINS: list[bool] = []  # [True] once mathdl.probability's pairs are registered


def register_kl(type_p: type, type_q: type):
    """Register a closed form of ``KL(p || q)`` for a pair of distribution classes.

    Like ``torch.distributions.kl.register_kl``: a decorator for a function
    ``kl(p, q) -> ndarray`` (in nats) that :func:`kl_divergence` calls for instances of
    ``type_p`` and ``type_q`` (or their subclasses). A later registration of the same
    pair replaces the earlier one.

    Raises
    ------
    TypeError
        If ``type_p`` or ``type_q`` is not a class, or the decorated object is not callable.

    Examples
    --------
    >>> class Point:
    ...     def log_prob(self, x): ...
    ...     def sample(self, shape=()): ...
    >>> @register_kl(Point, Point)
    ... def _kl_point_point(p, q):
    ...     return np.zeros(())
    >>> print(float(kl_divergence(Point(), Point())))
    0.0
    """
    for name, t in (("type_p", type_p), ("type_q", type_q)):
        if not isinstance(t, type):
            raise TypeError(f"register_kl: {name} must be a class, got {type(t).__name__}")

    def decorator(fn: Callable) -> Callable:
        if not callable(fn):
            raise TypeError(f"register_kl: the registered object must be callable, got {fn!r}")
        _KL_REGISTRY[type_p, type_q] = fn
        return fn

    return decorator


def _is_distribution(x) -> bool:
    """A distribution object (anything with ``log_prob`` and ``sample``), not an array."""
    return not isinstance(x, (Tensor, np.ndarray)) and all(
        callable(getattr(x, m, None)) for m in ("log_prob", "sample")
    )


def _register_builtins() -> None:
    """Register the closed forms of :mod:`mathdl.probability` (imported here, lazily)."""
    if _BUILTINS:
        return
    try:
        import mathdl.probability as P
    except ModuleNotFoundError as err:  # not written yet: user-registered pairs still work
        if err.name != "mathdl.probability":
            raise
        return

    pairs = {
        P.Normal: _kl_normal_normal,
        P.MultivariateNormal: _kl_mvn_mvn,
        P.Categorical: _kl_categorical_categorical,
        P.Bernoulli: _kl_bernoulli_bernoulli,
    }
    for cls, fn in pairs.items():
        _KL_REGISTRY.setdefault((cls, cls), fn)
    _BUILTINS.append(True)


def _kl_closed_form(p, q, base):
    """``KL(p || q)`` of two distribution objects through the registry."""
    c = _log_base(base, "kl_divergence")
    for x in (p, q):
        if not _is_distribution(x):
            raise TypeError(
                "kl_divergence: p and q must both be probability arrays or both be "
                f"distributions, got {type(p).__name__} and {type(q).__name__}"
            )
    _register_builtins()
    fn = _KL_REGISTRY.get((type(p), type(q)))
    if fn is None:
        matches = [f for (a, b), f in _KL_REGISTRY.items() if isinstance(p, a) and isinstance(q, b)]
        if not matches:
            known = sorted(f"({a.__name__}, {b.__name__})" for a, b in _KL_REGISTRY)
            raise TypeError(
                f"kl_divergence: no closed form for KL({type(p).__name__} || "
                f"{type(q).__name__}); registered pairs: {', '.join(known)}"
            )
        fn = matches[0]
    with np.errstate(**_QUIET):
        out = fn(p, q)
        if isinstance(out, Tensor):
            return out if c == 1.0 else out / c
        return np.asarray(out / c + 0.0)


def _param(d, name: str, tensors: bool = False):
    """Parameter ``name`` of distribution ``d`` as a real floating array (or as the Tensor)."""
    value = getattr(d, name)
    if isinstance(value, Tensor):
        if tensors and np.issubdtype(value.dtype, np.floating):
            return value
        value = value.data
    return as_real(value, "kl_divergence", f"{type(d).__name__}.{name}", keep_float=True)


def _batch(shapes: list[tuple[int, ...]], what: str) -> tuple[int, ...]:
    """The broadcast of the batch shapes, or a ValueError naming them."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        named = " and ".join(map(str, shapes))
        raise ValueError(f"kl_divergence: {what} batch shapes {named} do not broadcast") from None


def _kl_normal_normal(p, q):
    """KL of two (batched) univariate normals, torch's formula; Tensor parameters stay.

    Composed of Tensor operations, so Tensor ``loc``/``scale`` give a differentiable
    Tensor (the closed-form KL term of a Gaussian ELBO).
    """
    (mp, sp), (mq, sq) = ((_param(d, "loc", True), _param(d, "scale", True)) for d in (p, q))
    _batch([mp.shape, sp.shape, mq.shape, sq.shape], "Normal")
    var_ratio = (sp / sq) ** 2
    t1 = ((mp - mq) / sq) ** 2
    log_ratio = var_ratio.log() if isinstance(var_ratio, Tensor) else np.log(var_ratio)
    return 0.5 * (var_ratio + t1 - 1 - log_ratio)


def _softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x))`` without overflow."""
    return np.logaddexp(0, x)


def _kl_bernoulli_bernoulli(p, q) -> np.ndarray:
    """KL of two (batched) Bernoullis from logits, torch's formula and masks."""
    (pp, pl), (qp, ql) = ((_param(d, "probs"), _param(d, "logits")) for d in (p, q))
    _batch([pp.shape, qp.shape], "Bernoulli")
    t1 = pp * (_softplus(-ql) - _softplus(-pl))  # p (log p - log q)
    t1 = np.where(pp == 0, 0, np.where(qp == 0, np.inf, t1))
    t2 = (1 - pp) * (_softplus(ql) - _softplus(pl))  # (1-p) (log(1-p) - log(1-q))
    t2 = np.where(pp == 1, 0, np.where(qp == 1, np.inf, t2))
    return t1 + t2


def _log_normalized(logits: np.ndarray) -> np.ndarray:
    """``logits - logsumexp(logits)`` over the last axis (log-probabilities)."""
    from mathdl.functional import logsumexp

    return logits - logsumexp(logits, dim=-1, keepdim=True)


def _kl_categorical_categorical(p, q) -> np.ndarray:
    """KL of two (batched) categoricals over the last axis, torch's formula and masks."""
    (pp, pl), (qp, ql) = ((_param(d, "probs"), _param(d, "logits")) for d in (p, q))
    if pp.shape[-1:] != qp.shape[-1:]:
        raise ValueError(
            f"kl_divergence: Categorical event sizes differ: probs {pp.shape} and {qp.shape}"
        )
    _batch([pp.shape[:-1], qp.shape[:-1]], "Categorical")
    t = pp * (_log_normalized(pl) - _log_normalized(ql))  # (..., K)
    t = np.where(pp == 0, 0, np.where(qp == 0, np.inf, t))
    return t.sum(-1)


def _cholesky(A: np.ndarray) -> np.ndarray:
    """Lower-triangular ``L`` with ``L L^T = A`` for a batch ``(..., n, n)`` of SPD matrices.

    Column by column (Cholesky--Crout), each step vectorised over the batch; reads the
    lower triangle only. A pivot ``<= 0`` (or NaN) raises ``LinAlgError``.
    """
    n = A.shape[-1]
    L = np.zeros(A.shape, dtype=np.result_type(A, np.float32))
    for j in range(n):
        row = L[..., j, :j]  # (..., j)
        pivot = A[..., j, j] - np.einsum("...k,...k->...", row, row)  # (...)
        bad = ~(pivot > 0)
        if bad.any():
            i = _first(bad) if pivot.ndim else ()
            raise np.linalg.LinAlgError(
                f"kl_divergence: covariance_matrix {A.shape} is not positive definite "
                f"(pivot {j} is {float(pivot[i])} in batch index {i})"
            )
        L[..., j, j] = np.sqrt(pivot)
        below = A[..., j + 1 :, j] - np.einsum("...ik,...k->...i", L[..., j + 1 :, :j], row)
        L[..., j + 1 :, j] = below / L[..., j, j][..., None]  # (..., n - j - 1)
    return L


def _solve_lower(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``X`` with ``L X = B`` by forward substitution; ``L`` (..., n, n), ``B`` (..., n, k)."""
    n = L.shape[-1]
    shape = (*np.broadcast_shapes(L.shape[:-2], B.shape[:-2]), n, B.shape[-1])
    X = np.zeros(shape, dtype=np.result_type(L, B))
    for i in range(n):
        known = np.einsum("...k,...kj->...j", L[..., i, :i], X[..., :i, :])  # (..., k)
        X[..., i, :] = (B[..., i, :] - known) / L[..., i, i][..., None]
    return X


def _kl_mvn_mvn(p, q) -> np.ndarray:
    """KL of two (batched) multivariate normals through Cholesky factors, torch's formula."""
    (mp, Sp), (mq, Sq) = ((_param(d, "loc"), _param(d, "covariance_matrix")) for d in (p, q))
    n = mp.shape[-1]
    if mq.shape[-1] != n:
        raise ValueError(
            f"kl_divergence: MultivariateNormal event sizes differ: loc {mp.shape} and {mq.shape}"
        )
    _batch([mp.shape[:-1], Sp.shape[:-2], mq.shape[:-1], Sq.shape[:-2]], "MultivariateNormal")
    Lp, Lq = _cholesky(Sp), _cholesky(Sq)
    diag = np.log(np.diagonal(Lq, axis1=-2, axis2=-1)) - np.log(np.diagonal(Lp, axis1=-2, axis2=-1))
    half_log_det = diag.sum(-1)  # log sqrt(det S_q / det S_p)
    trace = (_solve_lower(Lq, Lp) ** 2).sum((-2, -1))  # tr(S_q^-1 S_p)
    z = _solve_lower(Lq, (mq - mp)[..., None])[..., 0]  # (..., n)
    return half_log_det + 0.5 * (trace + (z * z).sum(-1) - n)
