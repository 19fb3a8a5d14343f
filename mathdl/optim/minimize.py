"""Minimisers of a function of a vector: gradient descent, Newton, CG, L-BFGS.

Each returns an :class:`OptimizeResult` with the whole trajectory, for plotting.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mathdl._validation import (
    _kind,
    as_real,
    check_bool,
    check_callable,
    check_choice,
    check_int,
    check_real,
)
from mathdl.linalg import eigh, solve

_QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore", "under": "ignore"}
_ROUNDING = 64 * np.finfo(float).eps  # relative slack of the line search's decrease tests


@dataclass(frozen=True)
class OptimizeResult:
    """What a minimiser returns: the path, the losses and how it ended.

    Attributes
    ----------
    x : ndarray, shape (dim,)
        The last iterate (the last finite one when the run diverged).
    trajectory : ndarray, shape (steps_taken + 1, dim)
        ``x_0, x_1, ...``; every row finite.
    losses : ndarray, shape (steps_taken + 1,)
        ``f`` at each row of ``trajectory``.
    grad_evals : int
        Calls of the gradient (matrix-vector products for linear CG).
    converged : bool
        Whether the stopping tolerance was met.
    diverged_at : int or None
        The step whose iterate was refused (too large or non-finite loss), else None.
    message : str
        How the run ended, e.g. ``"diverged at step 7: |x| > 1e6"``.
    """

    x: np.ndarray
    trajectory: np.ndarray
    losses: np.ndarray
    grad_evals: int
    converged: bool
    diverged_at: int | None
    message: str

    @property
    def steps(self) -> int:
        """The number of steps taken, ``len(trajectory) - 1``."""
        return len(self.trajectory) - 1


def _returned(out, func: str, what: str) -> np.ndarray:
    """What the user's callable ``what`` returned, as float64; refused unless real numbers."""
    if out is None or isinstance(out, (str, bytes)):
        raise TypeError(f"{func}: {what} must return real numbers, got {_kind(out)}")
    try:
        a = np.asarray(out)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{func}: {what} returned a ragged array ({err})") from None
    if a.dtype.kind not in "iuf":
        given = f"dtype {a.dtype}" if a.dtype.kind in "bcSUV" else _kind(out)
        raise TypeError(f"{func}: {what} must return real numbers, got {given}")
    return a.astype(float)


def _first_finite(a: np.ndarray, func: str, what: str) -> np.ndarray:
    """``a`` (a callable's value at the start), or the error naming the first NaN or inf."""
    bad = ~np.isfinite(a)
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"{func}: {what} must be finite, got {a[i]} at index {i}")
    return a


class _Evaluator:
    """Call ``f`` and ``grad`` quietly (no floating-point warnings), checking what they return."""

    def __init__(self, f, grad, func: str):
        self.func = func
        self.f = check_callable(f, func, "f")
        self.grad = check_callable(grad, func, "grad")
        self.grad_evals = 0

    def value(self, x: np.ndarray) -> float:
        with np.errstate(**_QUIET):
            out = _returned(self.f(x.copy()), self.func, "f")
        if out.size != 1:
            raise ValueError(f"{self.func}: f must return a scalar, got shape {out.shape}")
        return float(out.reshape(()))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        self.grad_evals += 1
        with np.errstate(**_QUIET):
            g = _returned(self.grad(x.copy()), self.func, "grad")
        if g.shape != x.shape:
            raise ValueError(
                f"{self.func}: grad must return an array of shape {x.shape}, got {g.shape}"
            )
        return g

    def first_gradient(self, x: np.ndarray, at: str = "x0") -> np.ndarray:
        """``grad(x)`` at the start point, which must be finite."""
        return _first_finite(self.gradient(x), self.func, f"grad({at})")


class _Trace(_Evaluator):
    """An evaluator that also records the path and detects divergence."""

    X_MAX, LOSS_FACTOR = 1e6, 1e12

    def __init__(self, f, grad, x0, func: str):
        super().__init__(f, grad, func)
        x0 = as_real(x0, func, "x0", ndim=1, finite=True)
        if x0.size == 0:
            raise ValueError(f"{func}: x0 must not be empty")
        f0 = self.value(x0)
        if not np.isfinite(f0):
            raise ValueError(f"{func}: f(x0) must be finite, got {f0}")
        self.xs, self.losses, self.f0 = [x0], [f0], f0

    def problem(self, x: np.ndarray, fx: float, g: np.ndarray | None = None) -> str | None:
        """Why ``x`` (with loss ``fx``) is refused, or None."""
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > self.X_MAX:
            return "|x| > 1e6"
        if not np.isfinite(fx):
            return "loss is not finite"
        if abs(fx) > self.LOSS_FACTOR * max(abs(self.f0), 1.0):
            return "|loss| > 1e12 x max(|initial loss|, 1)"
        if g is not None and not np.all(np.isfinite(g)):
            return "gradient is not finite"
        return None

    def accept(self, x: np.ndarray, fx: float, g: np.ndarray | None = None) -> str | None:
        """Store ``x`` and return None, or return the divergence message without storing."""
        why = self.problem(x, fx, g)
        if why is not None:
            return f"diverged at step {len(self.xs)}: {why}"
        self.xs.append(np.array(x))
        self.losses.append(fx)
        return None

    def result(self, converged: bool, message: str) -> OptimizeResult:
        diverged = message.startswith("diverged")
        return OptimizeResult(
            x=self.xs[-1].copy(),
            trajectory=np.array(self.xs),  # (steps_taken + 1, dim)
            losses=np.array(self.losses),
            grad_evals=self.grad_evals,
            converged=bool(converged and not diverged),
            diverged_at=len(self.xs) if diverged else None,
            message=message,
        )


def _quiet(func):
    """Run a minimiser with floating-point warnings off: it checks every stored value itself."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(**_QUIET):
            return func(*args, **kwargs)

    return wrapper


def _norm(v: np.ndarray) -> float:
    """``||v||_2`` without overflow or underflow: scaled by ``max |v|`` before squaring."""
    m = float(np.max(np.abs(v), initial=0.0))
    if m == 0.0 or not np.isfinite(m):
        return m
    u = v / m
    return m * float(np.sqrt(u @ u))


def _first_step(g: np.ndarray) -> float:
    """``min(1, 1 / ||g||_1)`` (torch's first L-BFGS step), > 0 even where the sum overflows."""
    m = float(np.max(np.abs(g)))
    return min(1.0, float((1.0 / m) / np.sum(np.abs(g) / m))) if 0 < m < math.inf else 1.0


@_quiet
def gradient_descent(
    f: Callable,
    grad: Callable,
    x0,
    lr: float,
    steps: int,
    momentum: float = 0.0,
    nesterov: bool = False,
    *,
    tol: float = 1e-10,
) -> OptimizeResult:
    r"""Gradient descent with optional (Nesterov) momentum, as :class:`SGD` computes it.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for ``x`` of shape ``(dim,)``.
    grad : callable
        ``grad(x) -> ndarray`` of shape ``(dim,)``.
    x0 : array_like, shape (dim,)
        Finite starting point.
    lr : float
        Step size, > 0.
    steps : int
        Maximum number of steps, >= 0.
    momentum : float, default 0
        In ``[0, 1)``.
    nesterov : bool, default False
        Nesterov's variant (needs ``momentum > 0``).
    tol : float, default 1e-10
        Stop (converged) when ``||grad(x)||_2 <= tol``; ``tol=0`` runs every step.

    Returns
    -------
    OptimizeResult

    Notes
    -----
    With ``g_k = grad(x_k)`` and ``v_0 = 0``::

        v_{k+1} = momentum v_k + g_k
        x_{k+1} = x_k - lr (g_k + momentum v_{k+1})    (nesterov)
        x_{k+1} = x_k - lr v_{k+1}                      (otherwise)

    On a quadratic with Hessian eigenvalues in ``[mu, L]`` plain descent converges iff
    ``0 < lr < 2 / L``. A run *diverges* when ``max|x| > 1e6``, the loss is not finite, or
    ``|f(x)| > 1e12 max(|f(x_0)|, 1)`` (blowing up, or unbounded below); it stops there,
    the refused iterate is not stored, and ``diverged_at`` is its step number. Every
    minimiser here applies the same test.

    Examples
    --------
    >>> res = gradient_descent(lambda x: x @ x, lambda x: 2 * x, [1.0, -1.0], lr=0.25, steps=3)
    >>> res.trajectory
    array([[ 1.   , -1.   ],
           [ 0.5  , -0.5  ],
           [ 0.25 , -0.25 ],
           [ 0.125, -0.125]])
    >>> gradient_descent(lambda x: x @ x, lambda x: 2 * x, [1.0], lr=1.5, steps=100).message
    'diverged at step 20: |x| > 1e6'
    """
    name = "gradient_descent"
    trace = _Trace(f, grad, x0, name)
    lr = check_real(lr, name, "lr", min=0, min_open=True)
    steps = check_int(steps, name, "steps", min=0)
    momentum = check_real(momentum, name, "momentum", min=0, max=1, max_open=True)
    if check_bool(nesterov, name, "nesterov") and momentum == 0:
        raise ValueError(f"{name}: nesterov=True requires momentum > 0, got momentum=0.0")
    tol = check_real(tol, name, "tol", min=0)
    x = trace.xs[0]
    g, v = trace.first_gradient(x), np.zeros_like(x)
    for _ in range(steps):
        if _norm(g) <= tol:
            return trace.result(True, f"converged: ||grad|| <= {tol:g}")
        v = momentum * v + g
        x = x - lr * ((g + momentum * v) if nesterov else v)
        fx, g = _value_and_gradient(trace, x)
        message = trace.accept(x, fx, g)
        if message:
            return trace.result(False, message)
    done = _norm(g) <= tol
    return trace.result(
        done, f"converged: ||grad|| <= {tol:g}" if done else f"stopped after {steps} steps"
    )


def _value_and_gradient(trace: _Trace, x: np.ndarray) -> tuple[float, np.ndarray | None]:
    """``f(x)`` and ``grad(x)``; ``(inf, None)`` where ``x`` or ``f(x)`` is not finite."""
    fx = trace.value(x) if np.all(np.isfinite(x)) else math.inf
    return (fx, trace.gradient(x)) if np.isfinite(fx) else (math.inf, None)


def _is_positive_definite(H: np.ndarray) -> bool:
    """Whether the symmetric part of ``H`` (``H`` scaled to ``max |H| ~ 1``, exactly, by a
    power of two) has only positive eigenvalues, by mathdl's eigh."""
    H = H / _power_of_two(np.abs(H).max())
    try:
        return bool(eigh(H / 2 + H.T / 2)[0][0] > 0)
    except (ValueError, np.linalg.LinAlgError):
        return False


def _newton_direction(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``-H^{-1} g`` where ``H`` is positive definite, else ``-g``; solved as
    ``(H / s) p = -g / s`` with ``s`` a power of two near ``max |H|`` (exact, no overflow)."""
    if not _is_positive_definite(H):
        return -g
    scale = _power_of_two(np.abs(H).max())
    return solve(H / scale, -g / scale)


def _armijo(trace: _Trace, x, fx, g, p, c1: float = 1e-4, halvings: int = 60):
    """Backtrack ``alpha = 1, 1/2, ...`` until ``f(x + alpha p) <= f(x) + c1 alpha g.p``.

    ``g.p`` is taken as ``s (g.(p / s))`` with ``s`` a power of two near ``||p||``, and
    ``c1 alpha s`` multiplied first: no overflow unless the decrease asked for is itself
    beyond the range (then no step qualifies).
    """
    scale = _power_of_two(_norm(p))
    slope, alpha = float(g @ (p / scale)), 1.0
    for _ in range(halvings):
        x_new = x + alpha * p
        f_new = trace.value(x_new) if np.all(np.isfinite(x_new)) else math.inf
        if f_new <= fx + (c1 * alpha * scale) * slope:
            return x_new, f_new
        alpha /= 2
    return x, fx


@_quiet
def newton(
    f: Callable,
    grad: Callable,
    hess: Callable,
    x0,
    steps: int = 50,
    tol: float = 1e-12,
    backtracking: bool = True,
) -> OptimizeResult:
    r"""Newton's method with an Armijo backtracking line search.

    Parameters
    ----------
    f, grad : callable
        ``f(x) -> float`` and ``grad(x) -> (dim,)``.
    hess : callable
        ``hess(x) -> (dim, dim)``, the Hessian.
    x0 : array_like, shape (dim,)
    steps : int, default 50
        Maximum number of steps.
    tol : float, default 1e-12
        Stop (converged) when ``||grad(x)||_2 <= tol``.
    backtracking : bool, default True
        Halve the step until the Armijo condition holds; without it the full step is taken.

    Returns
    -------
    OptimizeResult

    Notes
    -----
    The direction solves ``H(x_k) p = -g_k`` (:func:`mathdl.linalg.solve`) when ``H(x_k)``
    is positive definite (smallest eigenvalue of its symmetric part > 0, by
    :func:`mathdl.linalg.eigh`); otherwise -- a saddle, a maximum or a singular Hessian,
    where the Newton step need not descend -- it falls back to the gradient direction
    ``p = -g_k``. Then ``x_{k+1} = x_k + alpha p`` with the first ``alpha`` of
    ``1, 1/2, 1/4, ...`` such that ``f(x_k + alpha p) <= f(x_k) + 1e-4 alpha g_k . p``.
    Near a minimum with positive definite, Lipschitz Hessian the full step is accepted and
    the error squares every step: ``e_{k+1} <= C e_k^2``.

    Examples
    --------
    >>> f = lambda x: np.sum(np.exp(x) - 2 * x)
    >>> res = newton(f, lambda x: np.exp(x) - 2, lambda x: np.diag(np.exp(x)), [2.0, -1.0])
    >>> res.converged, bool(np.allclose(res.x, np.log(2)))
    (True, True)
    """
    name = "newton"
    trace = _Trace(f, grad, x0, name)
    check_callable(hess, name, "hess")
    steps = check_int(steps, name, "steps", min=0)
    tol = check_real(tol, name, "tol", min=0)
    backtracking = check_bool(backtracking, name, "backtracking")
    x, fx = trace.xs[0], trace.losses[0]
    g, n = trace.first_gradient(x), x.size
    for _ in range(steps):
        if _norm(g) <= tol:
            return trace.result(True, f"converged: ||grad|| <= {tol:g}")
        H = _returned(hess(x.copy()), name, "hess")
        if H.shape != (n, n):
            raise ValueError(
                f"{name}: hess must return a finite ({n}, {n}) array, got shape {H.shape}"
            )
        _first_finite(H, name, f"hess(x_{len(trace.xs) - 1})")
        p = _newton_direction(H, g)
        if backtracking:
            x_new, f_new = _armijo(trace, x, fx, g, p)
            if x_new is x:
                return trace.result(False, "stopped: the line search found no decrease")
            g_new = trace.gradient(x_new)
        else:
            x_new = x + p
            f_new, g_new = _value_and_gradient(trace, x_new)
        message = trace.accept(x_new, f_new, g_new)
        if message:
            return trace.result(False, message)
        x, fx, g = x_new, f_new, g_new
    done = _norm(g) <= tol
    return trace.result(
        done, f"converged: ||grad|| <= {tol:g}" if done else f"stopped after {steps} steps"
    )


@_quiet
def conjugate_gradient(
    A, b, x0=None, steps: int | None = None, tol: float = 1e-10
) -> OptimizeResult:
    r"""Linear conjugate gradients: solve ``A x = b`` for symmetric positive definite ``A``.

    Equivalently, minimise ``f(x) = x^T A x / 2 - b^T x``, whose gradient is ``A x - b``.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Symmetric positive definite.
    b : array_like, shape (n,)
    x0 : array_like, shape (n,), optional
        Starting point (zeros).
    steps : int, optional
        Maximum number of steps (default ``n``: exact in exact arithmetic).
    tol : float, default 1e-10
        Stop (converged) when ``||r||_2 <= tol ||b||_2`` for the residual ``r = b - A x``.

    Returns
    -------
    OptimizeResult
        ``losses`` are ``f(x_k)``; ``grad_evals`` counts products with ``A``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If a search direction has ``p^T A p <= 0`` (``A`` is not positive definite).

    Notes
    -----
    ``r_0 = b - A x_0``, ``p_0 = r_0``, and for each step::

        alpha = r.r / (p.A p),   x <- x + alpha p,   r_new = r - alpha A p
        p <- r_new + (r_new.r_new / r.r) p

    The directions are A-conjugate and the residuals orthogonal, so in exact arithmetic
    ``x_n`` is the solution; the error after ``k`` steps is bounded by
    ``2 ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^k`` in the A-norm.

    Examples
    --------
    >>> A = np.array([[4.0, 1.0], [1.0, 3.0]])
    >>> res = conjugate_gradient(A, np.array([1.0, 2.0]), tol=0.0)
    >>> res.steps, np.round(res.x, 12)
    (2, array([0.09090909, 0.63636364]))
    """
    name = "conjugate_gradient"
    A = as_real(A, name, "A", ndim=2, square=True, finite=True)
    n = A.shape[0]
    if n == 0:
        raise ValueError(f"{name}: A must not be empty, got shape {A.shape}")
    b = as_real(b, name, "b", ndim=1, finite=True)
    if b.shape != (n,):
        raise ValueError(f"{name}: b must have shape ({n},) to match A {A.shape}, got {b.shape}")
    a, c = _power_of_two(np.abs(A).max()), _power_of_two(np.abs(b).max())
    A, b = A / a, b / c  # exact scalings, so that no product overflows: A y = b, x = (c / a) y
    if np.abs(A - A.T).max() > 1e-10 * np.abs(A).max():
        raise ValueError(f"{name}: A of shape {A.shape} must be symmetric")
    y = np.zeros(n) if x0 is None else as_real(x0, name, "x0", ndim=1, finite=True)
    if y.shape != (n,):
        raise ValueError(f"{name}: x0 must have shape ({n},), got {y.shape}")
    steps = n if steps is None else check_int(steps, name, "steps", min=0)
    tol = check_real(tol, name, "tol", min=0)
    to_x = c / a  # a power of two: y * to_x is exact
    y = y / to_x
    loss = lambda y: float(y @ (A @ y / 2 - b) * c * to_x)  # noqa: E731  f(x) = x.(A x / 2 - b)
    ys, losses, matvecs = [y.copy()], [loss(y)], 1
    r = b - A @ y
    p, rr, bound = r.copy(), float(r @ r), tol * _norm(b)
    for k in range(steps):
        if math.sqrt(rr) <= bound:
            break
        Ap = A @ p
        matvecs += 1
        pAp = float(p @ Ap)
        if pAp <= 0:
            raise np.linalg.LinAlgError(
                f"{name}: A is not positive definite (p^T A p = {pAp * a:.3g} <= 0 at step {k})"
            )
        alpha = rr / pAp
        y = y + alpha * p
        r = r - alpha * Ap
        rr, rr_old = float(r @ r), rr
        p = r + (rr / rr_old) * p
        ys.append(y.copy())
        losses.append(loss(y))
    done = math.sqrt(rr) <= bound
    res_norm = math.sqrt(rr) / max(_norm(b), np.finfo(float).tiny)
    message = f"{'converged' if done else 'stopped'}: ||r|| / ||b|| = {res_norm:.2e}"
    xs = np.array(ys) * to_x  # (steps_taken + 1, n)
    return OptimizeResult(xs[-1].copy(), xs, np.array(losses), matvecs, done, None, message)


def _power_of_two(v: float) -> float:
    """The power of two in ``(v / 2, v]`` for ``v > 0`` (1 for 0): dividing by it is exact."""
    return math.ldexp(1.0, math.frexp(float(v))[1] - 1) if v > 0 else 1.0


def _cubic_min(a, fa, ga, b, fb, gb) -> float | None:
    """Minimiser of the cubic through ``(a, fa, ga)`` and ``(b, fb, gb)`` (N&W eq. 3.59)."""
    d1 = ga + gb - 3 * (fa - fb) / (a - b)
    disc = d1 * d1 - ga * gb
    if not (np.isfinite(disc) and disc >= 0):
        return None
    d2 = math.copysign(math.sqrt(disc), b - a)
    denom = gb - ga + 2 * d2
    if denom == 0:
        return None
    return b - (b - a) * (gb + d2 - d1) / denom


@_quiet
def strong_wolfe(
    f: Callable,
    grad: Callable,
    x,
    d,
    f0: float | None = None,
    g0=None,
    alpha0: float = 1.0,
    c1: float = 1e-4,
    c2: float = 0.9,
    max_iter: int = 25,
):
    r"""A step length satisfying the strong Wolfe conditions (Nocedal & Wright Alg. 3.5, 3.6).

    Parameters
    ----------
    f, grad : callable
        The function and its gradient, of ``x`` of shape ``(dim,)``.
    x, d : array_like, shape (dim,)
        The point and a descent direction (``grad(x) . d < 0``).
    f0, g0 : optional
        ``f(x)`` and ``grad(x)`` if already known.
    alpha0 : float, default 1
        First trial step.
    c1, c2 : float, default 1e-4, 0.9
        ``0 < c1 < c2 < 1`` (use ``c2 = 0.1`` for nonlinear CG).
    max_iter : int, default 25
        Maximum evaluations of ``f`` and ``grad``.

    Returns
    -------
    alpha : float
        The step (``0.0`` when no step with sufficient decrease was found).
    f_new : float
        ``f(x + alpha d)``.
    g_new : ndarray, shape (dim,)
        ``grad(x + alpha d)``.
    evals : int
        Number of gradient evaluations made.

    Notes
    -----
    With ``phi(a) = f(x + a d)``: find ``a`` with ``phi(a) <= phi(0) + c1 a phi'(0)``
    (sufficient decrease) and ``|phi'(a)| <= c2 |phi'(0)|`` (curvature). Alg. 3.5 doubles
    ``a`` until it brackets such a step -- the decrease fails, ``phi`` rises, or
    ``phi' >= 0`` -- then Alg. 3.6 (zoom) shrinks the bracket ``[lo, hi]``, each trial
    the minimiser of the cubic interpolating ``phi, phi'`` at both ends (eq. 3.59);
    bisection when that minimiser is outside the bracket, and a trial moved to 10% of
    the bracket from an end when the cubic lands closer than that twice in a row.
    Since ``f`` is only known to rounding, the decrease tests allow a slack of
    ``64 eps |phi(0)|``; near a minimum the curvature test, which uses the accurate
    gradient, still drives the search.

    Examples
    --------
    >>> f, g = lambda x: float(x @ x), lambda x: 2 * x
    >>> alpha, f_new, g_new, evals = strong_wolfe(f, g, np.ones(1), -np.ones(1), alpha0=4.0)
    >>> alpha, f_new
    (1.0, 0.0)
    """
    name = "strong_wolfe"
    trace = _Evaluator(f, grad, name)
    x = as_real(x, name, "x", ndim=1, finite=True)
    d = as_real(d, name, "d", ndim=1, finite=True)
    if x.size == 0:
        raise ValueError(f"{name}: x must not be empty")
    if d.shape != x.shape:
        raise ValueError(f"{name}: d must have shape {x.shape}, got {d.shape}")
    c1 = check_real(c1, name, "c1", min=0, max=1, min_open=True, max_open=True)
    c2 = check_real(c2, name, "c2", min=c1, max=1, min_open=True, max_open=True)
    alpha0 = check_real(alpha0, name, "alpha0", min=0, min_open=True)
    max_iter = check_int(max_iter, name, "max_iter", min=1)
    if f0 is None:
        f0 = trace.value(x)
        if not np.isfinite(f0):
            raise ValueError(f"{name}: f(x) must be finite, got {f0}")
    else:
        f0 = check_real(f0, name, "f0")
    g0 = (
        trace.first_gradient(x, "x") if g0 is None else as_real(g0, name, "g0", ndim=1, finite=True)
    )
    if g0.shape != x.shape:
        raise ValueError(f"{name}: g0 must have shape {x.shape}, got {g0.shape}")
    evals0 = trace.grad_evals
    alpha, f_new, g_new = _wolfe_search(trace, x, d, f0, g0, alpha0, c1, c2, max_iter)
    return alpha, f_new, g_new, trace.grad_evals - evals0


def _wolfe_search(trace: _Evaluator, x, d, f0, g0, alpha0, c1, c2, max_iter):
    """Alg. 3.5: bracket, then zoom. Returns ``(alpha, f, g)``; ``alpha = 0`` on failure."""
    slope0 = float(g0 @ d)
    if not slope0 < 0:
        raise ValueError(f"{trace.func}: d is not a descent direction (grad . d = {slope0:.3g})")
    slack = _ROUNDING * abs(f0)  # f is only known to rounding: don't ask for less than that

    def phi(a):
        """``(a, f(x + a d), grad(x + a d), phi'(a))``; f = inf where not finite."""
        xa = x + a * d
        fa = trace.value(xa) if np.all(np.isfinite(xa)) else math.inf
        if not np.isfinite(fa):
            return a, math.inf, None, math.nan
        ga = trace.gradient(xa)
        return a, fa, ga, float(ga @ d) if np.all(np.isfinite(ga)) else math.nan

    def worse(point, than: float) -> bool:
        """Sufficient decrease fails, ``f`` is above ``than``, or the point is not finite."""
        a, fa, _, da = point
        return fa > f0 + c1 * a * slope0 + slack or fa > than + slack or not np.isfinite(da)

    def curvature(point) -> bool:
        return abs(point[3]) <= -c2 * slope0

    prev = (0.0, f0, g0, slope0)
    a = alpha0
    for i in range(max_iter):
        point = phi(a)
        if worse(point, prev[1] if i > 0 else math.inf):
            return _zoom(phi, prev, point, worse, curvature, max_iter - i - 1)
        if curvature(point):
            return point[:3]
        if point[3] >= 0:
            return _zoom(phi, point, prev, worse, curvature, max_iter - i - 1)
        prev, a = point, 2 * a
    return prev[:3]


def _zoom_trial(lo, hi, stalled: bool) -> tuple[float, bool]:
    """The next trial step in the bracket: the cubic minimiser, safeguarded.

    Bisection when the cubic has no minimiser inside the bracket. A cubic step within 10%
    of an end is accepted once; the second time in a row it is moved to 10% from that end
    (torch's rule), so that the bracket keeps shrinking.
    """
    (a_lo, f_lo, _, d_lo), (a_hi, f_hi, _, d_hi) = lo, hi
    left, right = min(a_lo, a_hi), max(a_lo, a_hi)
    a = None
    if np.isfinite(f_hi) and np.isfinite(d_hi):
        a = _cubic_min(a_lo, f_lo, d_lo, a_hi, f_hi, d_hi)
    if a is None or not left < a < right:
        return (a_lo + a_hi) / 2, False
    margin = 0.1 * (right - left)
    if min(right - a, a - left) >= margin:
        return a, False
    if not stalled:
        return a, True
    return (right - margin if right - a < a - left else left + margin), False


def _zoom(phi, lo, hi, worse, curvature, budget):
    """Alg. 3.6: shrink ``[lo, hi]`` (each ``(a, f, g, phi')``) to a strong-Wolfe step."""
    stalled = False
    for _ in range(budget):
        if abs(hi[0] - lo[0]) <= 1e-16 * max(abs(lo[0]), 1.0):
            break
        a, stalled = _zoom_trial(lo, hi, stalled)
        point = phi(a)
        if worse(point, lo[1]):
            hi = point
            continue
        if curvature(point):
            return point[:3]
        if point[3] * (hi[0] - lo[0]) >= 0:
            hi = lo
        lo = point
    return lo[:3]


def _line_search_step(trace, x, fx, g, d, alpha0, c2):
    """One strong-Wolfe step of a quasi-Newton/CG method: ``(x_new, f_new, g_new)`` or None.

    The search runs along ``d / s`` with ``s`` a power of two near ``||d||`` (an exact
    rescaling), so that the slopes ``g . d / s`` stay in range for huge or tiny gradients.
    None also where the slope is not negative in floating point.
    """
    scale = _power_of_two(_norm(d))
    d = d / scale
    if not g @ d < 0:
        return None
    alpha, f_new, g_new = _wolfe_search(trace, x, d, fx, g, alpha0 * scale, 1e-4, c2, 25)
    if alpha == 0.0:
        return None
    return x + alpha * d, f_new, g_new


@_quiet
def nonlinear_conjugate_gradient(
    f: Callable,
    grad: Callable,
    x0,
    steps: int = 1000,
    method: str = "fletcher-reeves",
    tol: float = 1e-9,
    restart: int | None = None,
) -> OptimizeResult:
    r"""Nonlinear conjugate gradients (Fletcher-Reeves or Polak-Ribiere+), strong-Wolfe search.

    Parameters
    ----------
    f, grad : callable
    x0 : array_like, shape (dim,)
    steps : int, default 1000
    method : {"fletcher-reeves", "polak-ribiere"}
    tol : float, default 1e-9
        Stop (converged) when ``||grad(x)||_inf <= tol``.
    restart : int, optional
        Reset the direction to ``-g`` every ``restart`` steps (default ``dim``).

    Returns
    -------
    OptimizeResult

    Notes
    -----
    ``d_0 = -g_0``; ``x_{k+1} = x_k + alpha_k d_k`` with :func:`strong_wolfe` (``c2 = 0.1``,
    first trial ``alpha_{k-1} g_{k-1}.d_{k-1} / g_k.d_k``, N&W eq. 3.60), then
    ``d_{k+1} = -g_{k+1} + beta d_k`` with::

        fletcher-reeves:  beta = g_{k+1}.g_{k+1} / g_k.g_k
        polak-ribiere:    beta = max(0, g_{k+1}.(g_{k+1} - g_k) / g_k.g_k)   (PR+)

    and ``beta = 0`` at every restart or when ``d_{k+1}`` is not a descent direction.
    On a quadratic with exact line searches both equal linear CG.

    Examples
    --------
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]])
    >>> res = nonlinear_conjugate_gradient(lambda x: x @ A @ x / 2, lambda x: A @ x, [1.0, 1.0])
    >>> res.converged, bool(np.abs(res.x).max() < 1e-8)
    (True, True)
    """
    name = "nonlinear_conjugate_gradient"
    trace = _Trace(f, grad, x0, name)
    steps = check_int(steps, name, "steps", min=0)
    method = check_choice(method, name, "method", ("fletcher-reeves", "polak-ribiere"))
    tol = check_real(tol, name, "tol", min=0)
    restart = trace.xs[0].size if restart is None else check_int(restart, name, "restart", min=1)
    x, fx = trace.xs[0], trace.losses[0]
    g = trace.first_gradient(x)
    d, alpha0 = -g, _first_step(g)
    for k in range(steps):
        if np.abs(g).max() <= tol:
            return trace.result(True, f"converged: ||grad||_inf <= {tol:g}")
        step = _line_search_step(trace, x, fx, g, d, alpha0, 0.1)
        if step is None:
            return trace.result(False, "stopped: the line search found no decrease")
        message = trace.accept(step[0], step[1], step[2])
        if message:
            return trace.result(False, message)
        x_new, fx, g_new = step
        gg = g @ g  # numpy scalars: a 0 from underflow divides quietly
        if method == "fletcher-reeves":
            beta = float(g_new @ g_new / gg)
        else:
            beta = max(0.0, float(g_new @ (g_new - g) / gg))
        beta = beta if np.isfinite(beta) else 0.0
        if (k + 1) % restart == 0:
            beta = 0.0
        slope_old, alpha = float(g @ d), float(np.abs(x_new - x).max() / np.abs(d).max())
        d_new = -g_new + beta * d
        if not float(g_new @ d_new) < 0:
            d_new = -g_new
        alpha0 = float(alpha * slope_old / (g_new @ d_new))
        alpha0 = alpha0 if np.isfinite(alpha0) and alpha0 > 0 else 1.0
        x, g, d = x_new, g_new, d_new
    done = np.abs(g).max() <= tol
    return trace.result(
        done, f"converged: ||grad||_inf <= {tol:g}" if done else f"stopped after {steps} steps"
    )


def _two_loop(g: np.ndarray, S: list, Y: list) -> np.ndarray:
    """``H_k g`` by the L-BFGS two-loop recursion (N&W Alg. 7.4), ``H_0 = (s.y / y.y) I``."""
    q, alphas = g.copy(), []  # numpy scalars below: an underflowed 0 divides quietly
    for s, y in zip(reversed(S), reversed(Y), strict=True):
        a = (s @ q) / (y @ s)
        q -= a * y
        alphas.append(a)
    r = q * ((S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])) if S else q
    for s, y, a in zip(S, Y, reversed(alphas), strict=True):
        b = (y @ r) / (y @ s)
        r += (a - b) * s
    return r


@_quiet
def lbfgs(
    f: Callable,
    grad: Callable,
    x0,
    steps: int = 100,
    history: int = 10,
    tol: float = 1e-9,
) -> OptimizeResult:
    r"""Limited-memory BFGS with a strong-Wolfe line search.

    Parameters
    ----------
    f, grad : callable
    x0 : array_like, shape (dim,)
    steps : int, default 100
        Maximum number of iterations.
    history : int, default 10
        Number ``m`` of correction pairs ``(s, y)`` kept.
    tol : float, default 1e-9
        Stop (converged) when ``||grad(x)||_inf <= tol``.

    Returns
    -------
    OptimizeResult

    Notes
    -----
    ``d_k = -H_k g_k``, where ``H_k g`` is computed by the two-loop recursion over the last
    ``m`` pairs ``s_i = x_{i+1} - x_i``, ``y_i = g_{i+1} - g_i`` with ``rho_i = 1 / y_i.s_i``::

        q = g;  for i = k-1 ... k-m:  a_i = rho_i s_i.q,  q -= a_i y_i
        r = (s_{k-1}.y_{k-1} / y_{k-1}.y_{k-1}) q
        for i = k-m ... k-1:  b = rho_i y_i.r,  r += (a_i - b) s_i

    then ``x_{k+1} = x_k + alpha_k d_k`` by :func:`strong_wolfe` (``c1 = 1e-4``,
    ``c2 = 0.9``, first trial 1; ``min(1, 1 / ||g_0||_1)`` on the first iteration, as
    torch's LBFGS does). A pair is kept only when ``y.s > 1e-10 ||s|| ||y||``, which keeps
    ``H_k`` positive definite.

    Examples
    --------
    >>> rosen = lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    >>> drosen = lambda x: np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
    ...                              200 * (x[1] - x[0] ** 2)])
    >>> res = lbfgs(rosen, drosen, [-1.2, 1.0])
    >>> res.converged, np.round(res.x, 8)
    (True, array([1., 1.]))
    """
    name = "lbfgs"
    trace = _Trace(f, grad, x0, name)
    steps = check_int(steps, name, "steps", min=0)
    history = check_int(history, name, "history", min=1)
    tol = check_real(tol, name, "tol", min=0)
    x, fx = trace.xs[0], trace.losses[0]
    g = trace.first_gradient(x)
    S: list[np.ndarray] = []
    Y: list[np.ndarray] = []
    for k in range(steps):
        if np.abs(g).max() <= tol:
            return trace.result(True, f"converged: ||grad||_inf <= {tol:g}")
        d = -_two_loop(g, S, Y)
        if not float(g @ d) < 0:  # lost positive definiteness to rounding: restart
            d, S, Y = -g, [], []
        alpha0 = _first_step(g) if k == 0 else 1.0
        step = _line_search_step(trace, x, fx, g, d, alpha0, 0.9)
        if step is None:
            return trace.result(False, "stopped: the line search found no decrease")
        message = trace.accept(step[0], step[1], step[2])
        if message:
            return trace.result(False, message)
        s, y = step[0] - x, step[2] - g
        if float(y @ s) > 1e-10 * _norm(s) * _norm(y):
            S, Y = [*S, s][-history:], [*Y, y][-history:]
        x, fx, g = step
    done = np.abs(g).max() <= tol
    return trace.result(
        done, f"converged: ||grad||_inf <= {tol:g}" if done else f"stopped after {steps} steps"
    )


# ------------------------------------------------------------ proximal methods (L1, lasso)


def soft_threshold(x, threshold: float) -> np.ndarray:
    r"""Soft thresholding: the proximal operator of ``threshold * ||x||_1``.

    Parameters
    ----------
    x : array_like, any shape
        Real numbers; a floating dtype is kept, integers become float64.
    threshold : float
        The weight ``t >= 0`` of the L1 norm, finite.

    Returns
    -------
    ndarray, shape of ``x``
        ``x - t`` where ``x > t``, ``x + t`` where ``x < -t``, and ``0.0`` (exactly, never
        ``-0.0``) where ``|x| <= t``; NaN stays NaN. Like
        ``torch.nn.functional.softshrink(x, t)``.

    Raises
    ------
    TypeError
        If ``x`` is not real or ``threshold`` is not a real number.
    ValueError
        If ``threshold`` is negative or not finite.

    Notes
    -----
    The proximal operator of a convex ``g`` is
    ``prox_g(v) = argmin_x g(x) + ||x - v||_2^2 / 2``. For ``g = t ||.||_1`` the objective
    ``sum_i (t |x_i| + (x_i - v_i)^2 / 2)`` separates, so each coordinate minimises
    ``phi(x) = t |x| + (x - v)^2 / 2``, which is strictly convex. Where ``x > 0``,
    ``phi'(x) = t + x - v`` vanishes at ``x = v - t``, a point with ``x > 0`` iff
    ``v > t``; symmetrically ``x = v + t < 0`` iff ``v < -t``. Otherwise ``|v| <= t`` and
    the minimum is at the kink ``x = 0``, where the subdifferential
    ``t [-1, 1] + (0 - v)`` contains 0. Hence

        prox(v) = sign(v) max(|v| - t, 0),

    computed as ``x - t``, ``x + t`` or ``0`` by branches, so that it agrees with torch to
    the last bit. The zeros are exact: this is how an L1 penalty produces sparse iterates
    in :func:`proximal_gradient`.

    Examples
    --------
    >>> soft_threshold(np.array([-3.0, -0.5, 0.0, 1.0, 2.5]), 1.0)
    array([-2. ,  0. ,  0. ,  0. ,  1.5])
    """
    func = "soft_threshold"
    a = as_real(x, func, "x", keep_float=True)
    t = a.dtype.type(check_real(threshold, func, "threshold", min=0))
    zero = a.dtype.type(0)
    with np.errstate(over="ignore", invalid="ignore"):  # only in the branches not taken
        return np.where(a > t, a - t, np.where(a < -t, a + t, np.where(np.isnan(a), a, zero)))


def _prox_step(prox, v: np.ndarray, lr: float, func: str) -> np.ndarray:
    """``prox(v, lr)`` called quietly, checked: real, ``v``'s shape, finite where ``v`` is.

    A proximal operator is non-expansive, so a finite ``v`` has a finite image.
    """
    with np.errstate(**_QUIET):
        out = _returned(prox(v.copy(), lr), func, "prox")
    if out.shape != v.shape:
        raise ValueError(f"{func}: prox must return an array of shape {v.shape}, got {out.shape}")
    if np.all(np.isfinite(v)):
        _first_finite(out, func, "prox(v, t) of a finite v")
    return out


@_quiet
def proximal_gradient(
    f: Callable,
    grad: Callable,
    prox: Callable,
    x0,
    lr: float,
    steps: int,
    *,
    tol: float = 1e-10,
) -> OptimizeResult:
    r"""The proximal gradient method (ISTA for the lasso) for ``h(x) + g(x)``.

    ``h`` is smooth and known through its gradient; ``g`` is convex, possibly not
    differentiable (an L1 penalty), and known through its proximal operator.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``: the whole objective ``h(x) + g(x)``, recorded in ``losses`` and
        watched for divergence (the iteration itself uses only ``grad`` and ``prox``).
    grad : callable
        ``grad(x) -> ndarray`` of shape ``(dim,)``: the gradient of the smooth part ``h``.
    prox : callable
        ``prox(v, t) -> ndarray`` of shape ``(dim,)``:
        ``argmin_x g(x) + ||x - v||^2 / (2 t)``; for ``g = lam ||x||_1`` that is
        ``lambda v, t: soft_threshold(v, lam * t)``.
    x0 : array_like, shape (dim,)
        Finite starting point.
    lr : float
        Step size ``t``, > 0; ``t <= 1 / L`` for an ``L``-smooth ``h`` guarantees descent.
    steps : int
        Maximum number of steps, >= 0.
    tol : float, default 1e-10
        Stop (converged) when the gradient mapping
        ``||x - prox(x - lr grad(x), lr)||_2 / lr <= tol``; ``tol=0`` runs every step.

    Returns
    -------
    OptimizeResult
        As for :func:`gradient_descent`; ``losses`` holds ``f``, ``grad_evals`` counts
        the calls of ``grad``.

    Notes
    -----
    One step is a gradient step on ``h`` followed by the proximal step of ``g``::

        x_{k+1} = prox(x_k - lr grad(x_k), lr)

    It minimises the local model ``h(x_k) + grad(x_k).(x - x_k) + ||x - x_k||^2 / (2 lr)
    + g(x)``; with ``g = 0`` it is gradient descent. ``x`` is a fixed point iff
    ``0 in grad h(x) + dg(x)``, the optimality condition of the convex problem, so the
    gradient mapping ``G(x) = (x - prox(x - lr grad(x), lr)) / lr`` measures the distance
    from it (``G = grad h`` when ``g = 0``). For convex ``h`` with an ``L``-Lipschitz
    gradient and ``0 < lr <= 1/L`` the objective ``F = h + g`` decreases every step and
    ``F(x_k) - F* <= ||x_0 - x*||^2 / (2 lr k)``, an ``O(1/k)`` rate (Parikh & Boyd,
    *Proximal Algorithms*, 2014, section 4.2; Beck & Teboulle, SIAM J. Imaging Sci. 2009,
    Theorem 3.1); with ``h`` strongly convex the iterates converge linearly. The
    divergence test is that of :func:`gradient_descent`.

    Examples
    --------
    The lasso ``||A x - b||^2 / 2 + lam ||x||_1`` with ``A = I`` is solved in one step
    with ``lr = 1``, and the small coordinates become exact zeros:

    >>> b, lam = np.array([3.0, 0.5, -2.0]), 1.0
    >>> f = lambda x: 0.5 * np.sum((x - b) ** 2) + lam * np.sum(np.abs(x))
    >>> prox = lambda v, t: soft_threshold(v, lam * t)
    >>> res = proximal_gradient(f, lambda x: x - b, prox, np.zeros(3), lr=1.0, steps=10)
    >>> res.x, res.steps, res.converged
    (array([ 2.,  0., -1.]), 1, True)
    """
    name = "proximal_gradient"
    trace = _Trace(f, grad, x0, name)
    check_callable(prox, name, "prox")
    lr = check_real(lr, name, "lr", min=0, min_open=True)
    steps = check_int(steps, name, "steps", min=0)
    tol = check_real(tol, name, "tol", min=0)
    x = trace.xs[0]
    x_next = _prox_step(prox, x - lr * trace.first_gradient(x), lr, name)
    for _ in range(steps):
        if _norm(x - x_next) / lr <= tol:
            return trace.result(True, f"converged: ||gradient mapping|| <= {tol:g}")
        fx, g = _value_and_gradient(trace, x_next)
        message = trace.accept(x_next, fx, g)
        if message:
            return trace.result(False, message)
        x = x_next
        x_next = _prox_step(prox, x - lr * g, lr, name)
    done = _norm(x - x_next) / lr <= tol
    return trace.result(
        done,
        f"converged: ||gradient mapping|| <= {tol:g}" if done else f"stopped after {steps} steps",
    )


def heavy_ball_rate(lr, momentum, eigenvalues) -> np.ndarray:
    """Spectral radius of the heavy ball's iteration, the worst over ``eigenvalues``.

    Parameters
    ----------
    lr, momentum : array_like, broadcastable
        Finite step sizes and momenta (``momentum >= 0``).
    eigenvalues : (k,) array_like
        The Hessian's eigenvalues, finite, at least one.

    Returns
    -------
    ndarray, the broadcast shape of ``lr`` and ``momentum``

    Raises
    ------
    TypeError
        If an argument is not real numbers.
    ValueError
        If a value is not finite, a momentum is negative, or ``eigenvalues`` is empty or
        not 1-D.

    Notes
    -----
    Per eigenvalue ``lam``, the matrix ``[[1 + b - a lam, -b], [1, 0]]`` has eigenvalues
    the roots of ``z^2 - t z + b = 0`` with ``t = 1 + b - a lam``: ``(|t| + sqrt(t^2 -
    4b)) / 2`` when real (``|t| >= 2 sqrt(b)``), else both of modulus ``sqrt(b)``. The
    code takes ``sqrt(t^2 - 4b) = sqrt(|t| - 2 sqrt b) sqrt(|t| + 2 sqrt b)`` and halves
    before adding, so that no square overflows.

    Examples
    --------
    >>> float(heavy_ball_rate(0.1, 0.0, [1.0, 10.0]))  # GD: max |1 - lr lam|
    0.9
    """
    func = "heavy_ball_rate"
    a = as_real(lr, func, "lr", finite=True)
    b = as_real(momentum, func, "momentum", finite=True)
    lams = as_real(eigenvalues, func, "eigenvalues", ndim=1, finite=True)
    if lams.size == 0:
        raise ValueError(f"{func}: eigenvalues must not be empty")
    if (b < 0).any():
        raise ValueError(f"{func}: momentum must be >= 0, got {b.min()}")
    try:
        rho = np.zeros(np.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        raise ValueError(
            f"{func}: lr {a.shape} and momentum {b.shape} do not broadcast together"
        ) from None
    root_b = np.sqrt(b)
    with np.errstate(**_QUIET):  # t may overflow to inf: rho is then inf, as it should be
        for lam in lams:
            rho = np.maximum(rho, _heavy_ball_root(np.abs(1 + b - a * lam), b, root_b))
    return rho


def _heavy_ball_root(t: np.ndarray, b: np.ndarray, root_b: np.ndarray) -> np.ndarray:
    """The larger modulus of the roots of ``z^2 - t z + b`` (``t >= 0``), without overflow."""
    big = t > 1e150  # t^2 would lose range: factor it
    disc = np.where(big, 0.0, t * t) - 4 * b
    small = (t + np.sqrt(np.maximum(disc, 0.0))) / 2
    large = t / 2 + np.sqrt(np.maximum(t - 2 * root_b, 0.0)) * np.sqrt(t + 2 * root_b) / 2
    real = np.where(big, t >= 2 * root_b, disc >= 0)
    return np.where(real, np.where(big, large, small), root_b)
