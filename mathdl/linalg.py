"""Linear algebra from scratch: LU, solve, eigenvalues, QR, SVD and PCA in plain numpy.

Every routine here is written out with vectorised numpy (``@``, slicing,
``np.sqrt``) and never calls ``np.linalg``; the test-suite checks each one
against ``torch.linalg``. Names and conventions follow ``torch.linalg``:

* :func:`lu`, :func:`solve`, :func:`inv`, :func:`det`, :func:`slogdet` -- Gaussian elimination
  with partial pivoting, ``A = P @ L @ U``.
* :func:`power_iteration` -- the dominant eigenpair by repeated multiplication.
* :func:`eigh` -- symmetric eigendecomposition by the cyclic Jacobi method.
* :func:`eig_2x2` -- any real 2x2 matrix, from the characteristic polynomial.
* :func:`qr` -- ``A = Q R`` by Householder reflections (LAPACK's sign conventions);
  :func:`gram_schmidt` -- the same with ``diag(R) > 0`` by classical or modified
  Gram-Schmidt, the readable reference that loses orthogonality on ill-conditioned ``A``.
* :func:`svd`, :func:`pinv`, :func:`matrix_rank` -- one-sided (Hestenes) Jacobi
  SVD, accurate for rank-deficient and ill-conditioned matrices.
* :func:`low_rank` -- the best rank-k approximation from an SVD's factors.
* :class:`PCA` -- principal component analysis through :func:`svd`.

Inputs are validated by :mod:`mathdl._validation`: they must be real, numeric,
finite and 2-D (TypeError for the wrong kind of input, ValueError for a wrong
value, every message starting ``"func: arg ..."``). Integers and booleans are
computed as float64; a floating input keeps its dtype on output (the
arithmetic itself is always float64). Randomness (:func:`power_iteration`)
takes ``rng`` as None, an int seed or a ``numpy.random.Generator``.

Every routine first scales its input by a power of 2 (exact: only the exponents
change) and unscales the answer, and every norm is scaled before squaring, so
entries anywhere from the subnormal ``1e-320`` to ``1e308`` neither over- nor
underflow on the way: an answer is ``inf`` only where the true one lies beyond
float64 (``det`` of ``1e300 * A``), and no RuntimeWarning is raised. The SVD
family, :func:`power_iteration` and :class:`PCA` scale to ``0.5 <= max|A| < 1``;
the LU family, :func:`eigh`, :func:`qr` and :func:`gram_schmidt`, which form no
squares (their norms are scaled), scale a small matrix up the
same way but a large one down only below ``2**960``, so that ``1e-300`` next to
``1e300`` survives (``det(diag(1e-200, 1e-200, 1e200, 1e200)) = 1``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.linalg import LinAlgError  # the exception class only; no np.linalg routines are used

from mathdl._validation import (
    as_generator,
    as_real,
    check_bool,
    check_choice,
    check_int,
    check_real,
)

__all__ = [
    "PCA",
    "NotFittedError",
    "det",
    "eig_2x2",
    "eigh",
    "gram_schmidt",
    "inv",
    "low_rank",
    "lu",
    "matrix_rank",
    "pinv",
    "power_iteration",
    "qr",
    "slogdet",
    "solve",
    "svd",
]

_EPS = float(np.finfo(np.float64).eps)
_TINY = float(np.finfo(np.float64).tiny)  # 2**-1022, the smallest normal float64
_SYM_RTOL = 1e-10  # eigh: allowed ||A - A^T||_F relative to ||A||_F
_MAX_SWEEPS = 60  # Jacobi sweeps; convergence is quadratic, ~10 are typical
_ROW_FLOOR = _TINY / _EPS  # svd (max|A| < 1): rows shorter than 2**-970 are not rotated
_SAFE_SQ = 2.0**-900  # a sum of squares above this has lost nothing to underflow
_EQUAL_MODULUS = 1e-6  # power_iteration: |mu_1| and |mu_2| this close count as equal
_LIMIT = 960  # LU family and eigh: entries up to 2**960 are not scaled down (room for growth)


# ----------------------------------------------------------------------------- helpers


def _validated(x, func: str, arg: str = "A", *, ndim=2, square: bool = False):
    """``x`` checked by :func:`~mathdl._validation.as_real`, with the dtype to return results in.

    Returns ``(float64 copy that the caller may overwrite, output dtype)``: a floating
    input keeps its dtype on output, integers and booleans give float64. TypeError for
    complex or non-numeric input, ValueError for a wrong number of dimensions, a
    non-square matrix (with ``square``) or NaN/inf.
    """
    a = as_real(x, func, arg, ndim=ndim, square=square, finite=True, copy=True)
    dtype = np.asarray(x).dtype  # x passed the checks, so this conversion succeeds
    return a, dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _exponent(*arrays, limit: int | None = None) -> int:
    """The power ``e`` of 2 to divide by: ``0.5 <= max|entries| / 2**e < 1`` (0 for all zero).

    With ``limit``, a maximum in ``[0.5, 2**limit)`` is left alone (``e = 0``) and a larger
    one is only brought down to ``[2**(limit - 1), 2**limit)``: scaling up is exact, but
    scaling down pushes entries far below the maximum (``1e-300`` next to ``1e300``) out of
    the range, so routines that need no squares scale down only as far as overflow asks.
    """
    top = max(float(np.max(np.abs(x), initial=0.0)) for x in arrays)
    e = math.frexp(top)[1]  # frexp(0.0) = (0.0, 0)
    return e if limit is None or e <= 0 else max(e - limit, 0)


def _times_pow2(x, e: int):
    """``x * 2**e``, exact but for results beyond float64, which become ``inf`` silently.

    Scaling down (``e < 0``) never overflows; scaling an answer back up overflows only
    where the true answer lies beyond float64.
    """
    with np.errstate(over="ignore"):
        return np.ldexp(x, e)


def _cast(x, dtype: np.dtype):
    """``x`` (array or scalar) in the output ``dtype``; values beyond float32 become inf."""
    with np.errstate(over="ignore"):
        return dtype.type(x) if np.ndim(x) == 0 else np.asarray(x).astype(dtype)


def _row_norms(X: np.ndarray) -> np.ndarray:
    """Euclidean norms of the rows of ``X`` (k, m), each scaled by its largest entry first."""
    top = np.max(np.abs(X), axis=1, initial=0.0)  # (k,)
    Y = X / np.where(top > 0, top, 1.0)[:, None]  # (k, m), entries in [-1, 1]
    return top * np.sqrt(np.einsum("ij,ij->i", Y, Y))


def _norm(x: np.ndarray) -> float:
    """Euclidean norm of a vector, scaled so that it neither overflows nor underflows."""
    scale = float(np.max(np.abs(x), initial=0.0))
    if scale == 0.0:
        return 0.0
    y = x / scale
    return scale * math.sqrt(float(y @ y))


def _rotations(a_pp: np.ndarray, a_qq: np.ndarray, a_pq: np.ndarray) -> np.ndarray:
    """Jacobi rotations ``J`` with ``(J^T [[a_pp, a_pq], [a_pq, a_qq]] J)_pq = 0``, transposed.

    The inputs are (k,), one entry per pair, every ``a_pq`` nonzero and every
    entry well inside the float64 range. Returns ``J^T`` (k, 2, 2) where
    ``J = [[c, s], [-s, c]]``, ``t = s / c = sign(tau) / (|tau| + sqrt(1 + tau^2))``
    with ``tau = (a_qq - a_pp) / (2 a_pq)``. Where ``|tau| > 1`` the same ``t`` is
    computed as ``u / (1 + sqrt(1 + u^2))`` from ``u = 1 / tau``, so a tiny ``a_pq``
    gives a tiny ``t`` (``tau`` itself would overflow); ``t`` may underflow to 0.
    """
    num, den = 2.0 * a_pq, a_qq - a_pp  # tau = den / num
    flat = np.abs(den) <= np.abs(num)  # |tau| <= 1
    tau = np.divide(den, num, out=np.zeros_like(num), where=flat)
    u = np.divide(num, den, out=np.zeros_like(num), where=~flat)
    t = np.where(
        flat,
        np.copysign(1.0, tau) / (np.abs(tau) + np.hypot(1.0, tau)),
        u / (1.0 + np.hypot(1.0, u)),
    )
    Jt = np.empty((len(t), 2, 2))
    Jt[:, 0, 0] = Jt[:, 1, 1] = 1.0 / np.hypot(1.0, t)  # c
    Jt[:, 1, 0] = Jt[:, 0, 0] * t  # s
    Jt[:, 0, 1] = -Jt[:, 1, 0]
    return Jt


def _rotate_pairs(M: np.ndarray, pairs: np.ndarray, Jt: np.ndarray) -> None:
    """In place, ``[M[p]; M[q]] <- J^T [M[p]; M[q]]`` for every row pair ``(p, q)``.

    ``pairs`` (k, 2) holds 2k distinct indices, so the k rotations ``Jt``
    (k, 2, 2) act on disjoint rows and are applied at once. Pass ``M.T`` to
    rotate columns instead.
    """
    idx = pairs.ravel()  # (2k,): p_0, q_0, p_1, q_1, ...
    xy = M[idx].reshape(len(pairs), 2, -1)  # (k, 2, width)
    M[idx] = (Jt @ xy).reshape(len(idx), -1)  # (k, 2, 2) @ (k, 2, width)


def _tournament_shift(seats: int) -> np.ndarray:
    """Gather index (seats,) that moves a round-robin seating on by one round.

    ``seats`` (even) players sit round a table: position 0 stays put, the others
    move one place on each round, and position i faces position ``seats - 1 - i``.
    The seating is stored with facing positions in adjacent rows ``(2i, 2i + 1)``:
    if those rows of ``W`` are this round's pairs, those of ``W[shift]`` are the
    next round's, and ``seats - 1`` rounds pair everyone with everyone once.
    """
    half = seats // 2
    row = np.empty(seats, dtype=np.intp)  # (seats,): storage row of each table position
    row[:half], row[: half - 1 : -1] = 2 * np.arange(half), 2 * np.arange(half) + 1
    pos = np.arange(seats)
    moved = np.where(pos == 0, 0, pos % (seats - 1) + 1)  # (seats,): next position
    shift = np.empty(seats, dtype=np.intp)
    shift[row[moved]] = row[pos]
    return shift


def _round_robin_pairs(n: int) -> np.ndarray:
    """Tournament schedule: every pair ``p < q`` of ``range(n)`` once, in rounds of disjoint pairs.

    Returns an int array (rounds, n // 2, 2); ``out[r]`` lists round r's pairs
    ``(p, q)``. For odd n a dummy player n joins, and its partner sits the round
    out. ``rounds = n - 1`` for even n, ``n`` for odd n >= 3 and 0 for n < 2.
    """
    if n < 2:
        return np.zeros((0, 0, 2), dtype=np.intp)
    seats = n + n % 2
    order, shift = np.arange(seats), _tournament_shift(seats)  # order: player in each row
    rounds = []
    for _ in range(seats - 1):
        pairs = np.sort(order.reshape(-1, 2), axis=1)  # (seats // 2, 2): rows (2i, 2i + 1)
        rounds.append(pairs[pairs[:, 1] < n])  # drop the dummy's pair
        order = order[shift]
    return np.array(rounds)


# ----------------------------------------------------------------------------- LU family


def _lu_factor(a: np.ndarray, func: str, check: bool):
    """Partial-pivoting LU in place: ``a[perm] = L @ U`` packed into one array.

    Returns ``(lu, perm, sign)`` where ``sign`` is the permutation's parity.
    With ``check``, a pivot ``|p| <= n * eps * max|A|`` raises LinAlgError;
    without it, exactly-zero columns are skipped (their multipliers stay zero).
    """
    n = a.shape[0]
    perm, sign = np.arange(n), 1.0
    tol = n * _EPS * float(np.max(np.abs(a), initial=0.0))
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if p != k:
            a[[k, p]] = a[[p, k]]  # swap whole rows: U part and stored multipliers
            perm[[k, p]] = perm[[p, k]]
            sign = -sign
        pivot = a[k, k]
        if check and abs(pivot) <= tol:
            raise LinAlgError(
                f"{func}: A of shape {a.shape} is singular (zero pivot in column {k})"
            )
        if pivot == 0.0:
            continue
        a[k + 1 :, k] /= pivot  # multipliers, the column of L
        a[k + 1 :, k + 1 :] -= np.outer(a[k + 1 :, k], a[k, k + 1 :])  # rank-1 update
    return a, perm, sign


def _forward_sub(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Solve ``L Y = B`` for unit lower-triangular ``L`` (n, n) and ``B`` (n, k)."""
    Y = B.copy()
    for i in range(1, L.shape[0]):
        Y[i] -= L[i, :i] @ Y[:i]
    return Y


def _back_sub(U: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Solve ``U X = Y`` for upper-triangular ``U`` (n, n) with nonzero diagonal."""
    X = Y.copy()
    for i in range(U.shape[0] - 1, -1, -1):
        X[i] = (X[i] - U[i, i + 1 :] @ X[i + 1 :]) / U[i, i]
    return X


def lu(A):
    """LU decomposition with partial pivoting, ``A = P @ L @ U``.

    Parameters
    ----------
    A : array_like, shape (n, n)
        A nonsingular square matrix.

    Returns
    -------
    P : ndarray, shape (n, n)
        Permutation matrix.
    L : ndarray, shape (n, n)
        Unit lower-triangular, every entry ``|L_ij| <= 1``.
    U : ndarray, shape (n, n)
        Upper-triangular.

    Raises
    ------
    TypeError
        If ``A`` is complex or not numeric.
    ValueError
        If ``A`` is not a finite square matrix.
    numpy.linalg.LinAlgError
        If a pivot satisfies ``|u_kk| <= n * eps * max|A|`` (numerically singular).

    Notes
    -----
    Step ``k`` swaps the row with the largest ``|a_ik|`` (``i >= k``) into place,
    stores the multipliers ``l_ik = a_ik / a_kk`` and applies the rank-1 update
    ``A[k+1:, k+1:] -= l[k+1:] u[k, k+1:]``. The same convention as
    ``torch.linalg.lu``: ``P`` multiplies from the left of ``L``. The elimination
    runs on ``A / 2^e``, a power of 2 that brings ``max|A|`` below ``2^960`` (and a
    small matrix up to ``[0.5, 1)``), and ``U`` is scaled back: no entry of size
    ``1e308`` overflows in the updates, and subnormal entries keep their digits.

    Examples
    --------
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> P, L, U = lu(A)
    >>> print(L)
    [[1.         0.        ]
     [0.33333333 1.        ]]
    >>> bool(np.allclose(P @ L @ U, A))
    True
    """
    a, dtype = _validated(A, "lu", square=True)
    e = _exponent(a, limit=_LIMIT)
    packed, perm, _ = _lu_factor(_times_pow2(a, -e), "lu", check=True)  # A / 2^e = P L U'
    n = a.shape[0]
    L = np.tril(packed, -1) + np.eye(n)
    U = _times_pow2(np.triu(packed), e)  # U = 2^e U'
    P = np.eye(n)[:, perm]  # (n, n): column j is e_{perm[j]}, so P @ (L U) undoes the swaps
    return P.astype(dtype), L.astype(dtype), _cast(U, dtype)


def solve(A, B):
    """Solve ``A X = B`` by LU with partial pivoting.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Nonsingular coefficient matrix.
    B : array_like, shape (n,) or (n, k)
        Right-hand side(s).

    Returns
    -------
    X : ndarray, same shape as ``B``

    Raises
    ------
    ValueError
        If the shapes of ``A`` and ``B`` do not match.
    numpy.linalg.LinAlgError
        If ``A`` is (numerically) singular, see :func:`lu`.

    Notes
    -----
    With ``A[perm] = L U``: forward substitution ``L Y = B[perm]``, then back
    substitution ``U X = Y``; each costs ``O(n^2 k)`` after the ``O(n^3)`` LU.
    ``A`` and ``B`` are scaled by powers of 2 first, as in :func:`lu`, and ``X`` is
    scaled back. An empty system (``n = 0`` or ``k = 0``) gives an empty ``X``, as in
    ``torch.linalg.solve``.

    Examples
    --------
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> print(solve(A, np.array([3.0, 5.0])))
    [0.8 1.4]
    """
    a, dtype_a = _validated(A, "solve", square=True)
    b, dtype_b = _validated(B, "solve", arg="B", ndim=(1, 2))
    n = a.shape[0]
    if b.shape[0] != n:
        raise ValueError(
            f"solve: B must have shape ({n},) or ({n}, k) to match A of shape {a.shape}, "
            f"got shape {b.shape}"
        )
    ea, eb = _exponent(a, limit=_LIMIT), _exponent(b, limit=_LIMIT)  # A = 2^ea A', B = 2^eb B'
    packed, perm, _ = _lu_factor(_times_pow2(a, -ea), "solve", check=True)
    k = b.shape[1] if b.ndim == 2 else 1
    b2 = _times_pow2(b, -eb).reshape(n, k)[perm]  # (n,) -> (n, 1); rows in pivot order
    Y = _forward_sub(packed, b2)  # only the strict lower triangle of `packed` is read
    X = _times_pow2(_back_sub(np.triu(packed), Y), eb - ea)
    return _cast(X.reshape(b.shape), np.result_type(dtype_a, dtype_b))


def inv(A):
    """Inverse of a square matrix, ``solve(A, I)``.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Nonsingular matrix.

    Returns
    -------
    ndarray, shape (n, n)

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``A`` is (numerically) singular.

    Notes
    -----
    Column ``j`` of ``A^{-1}`` solves ``A x = e_j``; one LU serves all columns.
    With ``A = 2^e A'`` (scaled as in :func:`lu`), ``A^{-1} = 2^{-e} A'^{-1}``. The inverse of
    a 0x0 matrix is 0x0, as in torch.

    Examples
    --------
    >>> print(inv(np.array([[2.0, 0.0], [0.0, 4.0]])))
    [[0.5  0.  ]
     [0.   0.25]]
    """
    a, dtype = _validated(A, "inv", square=True)
    n, e = a.shape[0], _exponent(a, limit=_LIMIT)
    packed, perm, _ = _lu_factor(_times_pow2(a, -e), "inv", check=True)  # A = 2^e A'
    Y = _forward_sub(packed, np.eye(n)[perm])  # (n, n): identity rows in pivot order
    return _cast(_times_pow2(_back_sub(np.triu(packed), Y), -e), dtype)  # A^-1 = 2^-e A'^-1


def det(A):
    """Determinant of a square matrix; 0.0 (not an error) for a singular one.

    Parameters
    ----------
    A : array_like, shape (n, n)

    Returns
    -------
    scalar
        A numpy scalar of the output dtype; ``det`` of a 0x0 matrix is 1.0.

    Notes
    -----
    ``det(A) = sign(perm) * prod_k u_kk`` from ``A[perm] = L U``. No singularity
    tolerance is applied: an exactly zero pivot column gives 0.0, a numerically
    singular matrix gives a rounding-sized value, as in ``torch.linalg.det``.
    The LU runs on ``A' = A / 2^e`` (as in :func:`lu`); the product is accumulated as a mantissa
    and a power of 2, ``det(A) = 2^{ne} det(A')``: the result is 0 or ``inf`` only
    where the true determinant lies beyond float64 (``diag(1e-200, 1e200)`` gives 1,
    not ``0 * inf``).

    Examples
    --------
    >>> float(det(np.array([[1.0, 2.0], [3.0, 4.0]])))
    -2.0
    >>> float(det(np.array([[1.0, 2.0], [2.0, 4.0]])))
    0.0
    """
    a, dtype = _validated(A, "det", square=True)
    n, e = a.shape[0], _exponent(a, limit=_LIMIT)
    packed, _, sign = _lu_factor(_times_pow2(a, -e), "det", check=False)  # A = 2^e A'
    mantissa, exponent = _product(np.diag(packed))
    exponent = min(max(exponent + n * e, -2200), 2200)  # det A = 2^(n e) det A'; clipped: 0 or inf
    value = sign * _times_pow2(mantissa, exponent)
    return _cast(value + 0.0, dtype)  # + 0.0 turns -0.0 into 0.0


def slogdet(A):
    """Sign and natural log of ``|det A|``, like ``torch.linalg.slogdet``.

    Parameters
    ----------
    A : array_like, shape (n, n)

    Returns
    -------
    sign : scalar
        ``+1``, ``-1``, or ``0`` for a singular matrix.
    logabsdet : scalar
        ``log |det A|``, finite wherever ``det A != 0`` however large or small the
        determinant (``-inf`` for a singular matrix).

    Notes
    -----
    From the same LU factors as :func:`det`: ``|det A| = mantissa * 2^exponent`` with the
    mantissa in ``[0.5, 1)`` and an integer exponent, so ``log|det A| = log(mantissa) +
    exponent * log 2`` never overflows: a 300x300 matrix with ``det = 10^600`` gives 1381.55.

    Examples
    --------
    >>> sign, logabs = slogdet(np.diag([1e200, 1e200, -1e200]))
    >>> float(sign), round(float(logabs), 4)
    (-1.0, 1381.5511)
    """
    a, dtype = _validated(A, "slogdet", square=True)
    n, e = a.shape[0], _exponent(a, limit=_LIMIT)
    packed, _, sign = _lu_factor(_times_pow2(a, -e), "slogdet", check=False)  # A = 2^e A'
    mantissa, exponent = _product(np.diag(packed))
    if mantissa == 0.0:
        return _cast(0.0, dtype), _cast(-np.inf, dtype)
    sign *= math.copysign(1.0, mantissa)
    logabs = math.log(abs(mantissa)) + (exponent + n * e) * math.log(2.0)
    return _cast(sign, dtype), _cast(logabs, dtype)


def _product(x: np.ndarray):
    """``prod(x)`` as ``(mantissa, exponent)``, ``mantissa * 2**exponent``, never under/overflowing.

    Mantissas in ``[0.5, 1)`` are multiplied 512 at a time (a product of 512 is
    above ``2**-512``) and renormalised; the exponents are summed as integers.
    """
    mantissas, exponents = np.frexp(x)  # (n,) each: x = m 2^e
    mantissa, exponent = 1.0, int(np.sum(exponents, dtype=np.int64))
    for start in range(0, len(x), 512):
        mantissa, shift = math.frexp(mantissa * float(np.prod(mantissas[start : start + 512])))
        exponent += shift
    return mantissa, exponent


# ----------------------------------------------------------------------------- eigenvalues


def power_iteration(A, num_iters: int = 1000, tol: float = 1e-12, rng=None):
    """Dominant eigenpair (largest ``|lambda|``) by power iteration.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Non-empty square matrix whose dominant eigenvalue is real and strictly
        largest in modulus (e.g. symmetric with a spectral gap).
    num_iters : int, optional
        Maximum number of multiplications, at least 1.
    tol : float, optional
        Stop when successive unit vectors differ by less than ``tol > 0``.
    rng : None, int or numpy.random.Generator, optional
        Source of the random starting vector: None (fresh entropy), an int seed >= 0
        or a Generator (advanced), as everywhere in mathdl. Pass a seed for
        bit-for-bit reproducible output.

    Returns
    -------
    eigenvalue : float
        The Rayleigh quotient ``v^T A v``.
    eigenvector : ndarray, shape (n,)
        Unit vector, sign chosen so its largest-``|.|`` entry is positive.

    Raises
    ------
    ValueError
        If ``A`` is empty, ``num_iters < 1`` or ``tol <= 0``.
    numpy.linalg.LinAlgError
        If the vector has not settled after ``num_iters`` steps. When the iterate
        has reached a 2-D invariant subspace whose two eigenvalues have equal
        modulus (``lambda`` and ``-lambda``, or a complex pair ``a +- bi``), the
        message says that ``A`` has no dominant eigenvalue; otherwise
        ``|lambda_2 / lambda_1|`` is close to 1 and more iterations (or a larger
        ``tol``) are needed.

    Notes
    -----
    ``v_{t+1} = A v_t / ||A v_t||``; the error shrinks like ``|lambda_2 / lambda_1|^t``.
    A negative dominant eigenvalue flips the sign each step, so each new
    vector is aligned with the previous one before comparing. ``A`` is scaled
    by a power of 2 to ``max|A| < 1`` first and the eigenvalue scaled back.

    Without a dominant eigenvalue the iteration never settles: for
    ``[[0, -1], [1, 0]]`` (eigenvalues ``+-i``) each step turns ``v`` by 90 degrees,
    for ``diag(2, -2)`` it swings between two directions, and the Rayleigh
    quotient is no eigenvalue at all. Then the Rayleigh-Ritz matrix
    ``H = Q^T A Q`` on ``span(v, A v)`` (``Q`` orthonormal, (n, 2)) shows it:
    ``A Q = Q H`` and the two eigenvalues of ``H`` have equal modulus.

    Examples
    --------
    >>> lam, v = power_iteration(np.array([[2.0, 1.0], [1.0, 2.0]]), rng=0)
    >>> round(float(lam), 10), np.round(v, 6)
    (3.0, array([0.707107, 0.707107]))
    >>> power_iteration(np.array([[0.0, -1.0], [1.0, 0.0]]), rng=0)
    Traceback (most recent call last):
    ...
    numpy.linalg.LinAlgError: power_iteration: A has no dominant eigenvalue: ...
    """
    a, dtype = _validated(A, "power_iteration", square=True)
    num_iters = check_int(num_iters, "power_iteration", "num_iters", min=1)
    tol = check_real(tol, "power_iteration", "tol", min=0.0, min_open=True)
    gen = as_generator(rng, "power_iteration")
    n = a.shape[0]
    if n == 0:
        raise ValueError("power_iteration: A must be non-empty, got shape (0, 0)")
    e = _exponent(a)
    a = _times_pow2(a, -e)  # A = 2^e A', max|A'| < 1
    v = gen.standard_normal(n)
    v /= _norm(v)
    for _ in range(num_iters):
        w = a @ v
        w_norm = _norm(w)
        if w_norm == 0.0:  # v is in the null space: eigenvalue 0
            break
        w /= w_norm
        if w @ v < 0:
            w = -w
        change, v = _norm(w - v), w
        if change < tol:
            break
    else:
        raise _power_failure(a, v, e, num_iters, change, tol)
    v = v * np.sign(v[np.argmax(np.abs(v))])
    return _cast(_times_pow2(v @ a @ v, e), dtype), v.astype(dtype)


def _power_failure(a: np.ndarray, v: np.ndarray, e: int, num_iters: int, change, tol):
    """The LinAlgError for a power iteration on ``2^e a`` that ended at unit ``v`` unsettled.

    Rayleigh-Ritz on ``span(v, a v)``: if that plane is invariant (``a Q = Q H`` to
    ``1e-6``) and ``H``'s eigenvalues have equal modulus, there is no dominant eigenvalue.
    """
    w = a @ v
    q = w - (v @ w) * v  # the part of a v orthogonal to v
    q_norm = _norm(q)
    if q_norm > _EQUAL_MODULUS * _norm(w):
        Q = np.stack([v, q / q_norm], axis=1)  # (n, 2), orthonormal
        AQ = a @ Q  # (n, 2)
        H = Q.T @ AQ  # (2, 2)
        mu = _roots_2x2(*H.ravel())
        if _norm((AQ - Q @ H).ravel()) <= _EQUAL_MODULUS * _norm(AQ.ravel()) and abs(
            abs(mu[0]) - abs(mu[1])
        ) <= _EQUAL_MODULUS * abs(mu[0]):
            shown = " and ".join(
                f"{complex(float(_times_pow2(z.real, e)), float(_times_pow2(z.imag, e))):.6g}"
                for z in mu
            )
            return LinAlgError(
                f"power_iteration: A has no dominant eigenvalue: its eigenvalues of largest "
                f"modulus, {shown}, have equal modulus (to {_EQUAL_MODULUS:g}), so the "
                f"iterate never settles (last change {change:.2e} >= tol = {tol:g} after "
                f"{num_iters} iterations)"
            )
    return LinAlgError(
        f"power_iteration: did not converge in {num_iters} iterations (last change "
        f"{change:.2e} >= tol = {tol:g}): |lambda_2 / lambda_1| is close to 1, or A has no "
        f"dominant eigenvalue; raise num_iters or tol"
    )


def eigh(A):
    """Eigenvalues and eigenvectors of a real symmetric matrix (cyclic Jacobi).

    Parameters
    ----------
    A : array_like, shape (n, n)
        Symmetric: ``||A - A^T||_F <= 1e-10 ||A||_F``; the symmetric part is used.

    Returns
    -------
    eigenvalues : ndarray, shape (n,)
        In ascending order.
    eigenvectors : ndarray, shape (n, n)
        Orthonormal columns, ``A @ V = V @ diag(eigenvalues)``.

    Raises
    ------
    ValueError
        If ``A`` is not symmetric, at any scale (``[[0, 1e308], [-1e308, 0]]`` too).

    Notes
    -----
    ``A`` is first scaled by a power of 2 (exact; up to ``0.5 <= max|A| < 1`` when
    small, down below ``2^960`` when large) and the eigenvalues are scaled back, so
    ``diag(1e308, -1e308)`` gives ``+-1e308`` and the symmetry check cannot overflow.
    Each pivot pair ``(p, q)`` gets a rotation ``J`` with ``(J^T A J)_pq = 0``:
    ``tau = (a_qq - a_pp) / (2 a_pq)``, ``t = sign(tau) / (|tau| + sqrt(1 + tau^2))``,
    ``c = 1 / sqrt(1 + t^2)``, ``s = c t``. Sweeping all pairs repeatedly drives
    the off-diagonal part to zero quadratically; ``V`` accumulates the ``J``.

    The pairs are visited in parallel (round-robin) order: a sweep is ``n - 1``
    rounds (``n`` for odd n) of ``n // 2`` disjoint pairs, as in a tournament
    schedule. Rotations of disjoint pairs commute, so each round applies all its
    rotations to the rows and columns of ``A`` at once with vectorised numpy.
    A pair is skipped once ``|a_pq| <= eps sqrt(|a_pp a_qq|)`` (or ``|a_pq|`` is
    below the normal range, ``2^-1022``); a sweep that skips every pair ends the
    iteration (``numpy.linalg.LinAlgError`` after 60 sweeps). The threshold is
    relative to the pair's own diagonal, not to ``||A||``: with it Jacobi finds
    every eigenvalue of a graded matrix such as
    ``diag(1e150, 1, 1e-150) + 1e-3`` to high *relative* accuracy (Demmel and
    Veselic 1992), where a threshold relative to ``||A||`` would never rotate.

    Examples
    --------
    >>> w, V = eigh(np.array([[2.0, 1.0], [1.0, 2.0]]))
    >>> print(np.round(w, 10))
    [1. 3.]
    >>> bool(np.allclose(V @ np.diag(w) @ V.T, [[2.0, 1.0], [1.0, 2.0]]))
    True
    """
    a, dtype = _validated(A, "eigh", square=True)
    e = _exponent(a, limit=_LIMIT)
    a = _times_pow2(a, -e)  # A = 2^e A', max|A'| < 2^960: A' - A'^T cannot overflow
    asym, size = _norm((a - a.T).ravel()), _norm(a.ravel())
    if asym > _SYM_RTOL * size:
        raise ValueError(
            f"eigh: A must be symmetric, got shape {a.shape} with "
            f"||A - A^T|| / ||A|| = {asym / size:.2e} > {_SYM_RTOL:g}"
        )
    a = (a + a.T) / 2
    V = _jacobi_eigh(a)
    w = _times_pow2(np.diag(a), e)  # eigenvalues of A = 2^e (eigenvalues of A')
    order = np.argsort(w, kind="stable")
    return _cast(w[order], dtype), V[:, order].astype(dtype)


def _jacobi_eigh(a: np.ndarray) -> np.ndarray:
    """Diagonalise symmetric ``a`` (n, n), ``max|a| < 2^960``, in place by parallel Jacobi sweeps.

    Returns ``V``. A pair is skipped when ``|a_pq| <= max(eps sqrt(|a_pp| |a_qq|), 2^-1022)``.
    """
    VT = np.eye(a.shape[0])  # (n, n): row j is column j of V
    schedule = _round_robin_pairs(a.shape[0])  # (rounds, n // 2, 2)
    for _ in range(_MAX_SWEEPS):
        rotated = False
        for pairs in schedule:  # (n // 2, 2): disjoint pairs
            p, q = pairs.T
            a_pp, a_qq, a_pq = a[p, p], a[q, q], a[p, q]  # (n // 2,) each
            skip = np.maximum(_EPS * np.sqrt(np.abs(a_pp)) * np.sqrt(np.abs(a_qq)), _TINY)
            act = np.abs(a_pq) > skip
            if not act.any():
                continue
            pairs, Jt = pairs[act], _rotations(a_pp[act], a_qq[act], a_pq[act])
            for M in (a.T, a, VT):  # columns: A J; rows: J^T (A J); rows of V^T: (V J)^T
                _rotate_pairs(M, pairs, Jt)
            a[pairs[:, 0], pairs[:, 1]] = a[pairs[:, 1], pairs[:, 0]] = 0.0
            rotated = True
        if not rotated:
            return VT.T
    raise LinAlgError(f"eigh: Jacobi iteration did not converge in {_MAX_SWEEPS} sweeps")


def _eigvec_2x2(a, b, c, d, lam, fallback):
    """Unit eigenvector of ``[[a, b], [c, d]]`` for eigenvalue ``lam`` (complex)."""
    # Each candidate is orthogonal to one row of A - lam I; take the longer one.
    cand = np.array([[b, lam - a], [lam - d, c]], dtype=np.complex128)  # (2 candidates, 2)
    lengths = np.hypot(np.abs(cand[:, 0]), np.abs(cand[:, 1]))  # (2,): no square underflows
    k = int(np.argmax(lengths))
    if lengths[k] == 0.0:  # A = lam I: every vector is an eigenvector
        return np.asarray(fallback, dtype=np.complex128)
    return cand[k] / lengths[k]


def eig_2x2(A):
    """Eigenvalues and eigenvectors of any real 2x2 matrix (complex results).

    Parameters
    ----------
    A : array_like, shape (2, 2)

    Returns
    -------
    eigenvalues : ndarray, shape (2,), complex128
        Real pairs in descending order; a complex pair with ``+imag`` first.
    eigenvectors : ndarray, shape (2, 2), complex128
        Unit-norm columns, ``A @ v_i = lambda_i v_i``. For ``A = c I`` these are
        ``e_1, e_2``; for a defective matrix (one eigenvector) both columns are it.

    Notes
    -----
    Roots of ``lambda^2 - tr(A) lambda + det(A) = 0``:
    ``lambda = tr/2 +- sqrt(disc)`` with ``disc = ((a - d) / 2)^2 + b c``
    (the same as ``(tr/2)^2 - det``, without cancellation). For real roots the
    smaller one is ``det / lambda_1`` to keep its relative accuracy. ``A`` is
    scaled by a power of 2 to ``0.5 <= max|A| < 1`` first and the eigenvalues are
    scaled back (``inf`` only where they lie beyond float64).

    Examples
    --------
    >>> w, V = eig_2x2(np.array([[0.0, -1.0], [1.0, 0.0]]))  # rotation by 90 degrees
    >>> print(w)
    [0.+1.j 0.-1.j]
    >>> bool(np.allclose(np.array([[0.0, -1.0], [1.0, 0.0]]) @ V, V * w))
    True
    """
    m, _ = _validated(A, "eig_2x2")
    if m.shape != (2, 2):
        raise ValueError(f"eig_2x2: A must be 2x2, got shape {m.shape}")
    e = _exponent(m)
    a, b, c, d = (float(x) for x in _times_pow2(m, -e).ravel())  # no under/overflow in b * c
    lams = _roots_2x2(a, b, c, d)
    vecs = [_eigvec_2x2(a, b, c, d, lam, u) for lam, u in zip(lams, np.eye(2), strict=True)]
    w = np.empty(2, dtype=np.complex128)  # real and imaginary parts scaled apart: no inf * 0
    w.real = _times_pow2(np.array([z.real for z in lams]), e)
    w.imag = _times_pow2(np.array([z.imag for z in lams]), e)
    return w, np.stack(vecs, axis=1)  # columns


def _roots_2x2(a: float, b: float, c: float, d: float) -> list[complex]:
    """Eigenvalues of ``[[a, b], [c, d]]`` (entries of size about 1 or less).

    Real roots in descending order; a complex pair with ``+imag`` first.
    """
    half, disc = (a + d) / 2, ((a - d) / 2) ** 2 + b * c
    if disc >= 0:
        r = math.sqrt(disc)
        lam1 = half + math.copysign(r, half)  # no cancellation
        lam2 = (a * d - b * c) / lam1 if lam1 != 0.0 else half - r
        return [complex(max(lam1, lam2)), complex(min(lam1, lam2))]
    r = math.sqrt(-disc)
    return [complex(half, r), complex(half, -r)]


# ----------------------------------------------------------------------------- QR


def _unit(v: np.ndarray) -> np.ndarray:
    """``v / ||v||`` for nonzero ``v``, divided by ``max|v|`` first: unit even if subnormal."""
    v = v / float(np.max(np.abs(v)))  # max|v| = 1, so v @ v is in [1, len(v)]
    return v / math.sqrt(float(v @ v))


def _householder(X: np.ndarray, pivot: bool = False):
    """Householder triangularisation of ``X`` (m, n), ``max|X| < 2^960``, in compact WY form.

    Returns ``(V, T, R, perm)`` with ``X[:, perm] = Q R``, ``k = min(m, n)``:

    * ``Q = H_0 H_1 ... H_{k-1} = I - V T V^T`` orthogonal (m, m), ``H_j = I - 2 v_j v_j^T``;
    * ``V`` (m, k) the unit reflectors (column j zero above row j, or all zero where the
      column needs no reflection: ``H_j = I``, LAPACK's ``tau = 0``), ``T`` (k, k) upper
      triangular;
    * ``R`` (m, n) upper trapezoidal, ``H_{k-1} ... H_0 X[:, perm]``.

    With ``pivot`` each step first swaps in the remaining column of largest norm
    (Businger-Golub), so ``|R_jj|`` decreases; otherwise ``perm = arange(n)``.
    """
    m, n = X.shape
    k = min(m, n)
    R, V, T, perm = X.copy(), np.zeros((m, k)), np.zeros((k, k)), np.arange(n)
    for j in range(k):
        if pivot:  # (n - j,) squared norms of the remaining columns
            sq = np.einsum("ij,ij->j", R[j:, j:], R[j:, j:])
            if sq.max() < _SAFE_SQ:  # every column is tiny: compare norms scaled before squaring
                sq = _row_norms(R[j:, j:].T)
            i = j + int(np.argmax(sq))
            R[:, [j, i]], perm[[j, i]] = R[:, [i, j]], perm[[i, j]]
        x = R[j:, j]  # (m - j,) the column to reflect onto the first axis
        if not x[1:].any():  # already zero below the diagonal: H_j = I
            continue
        alpha = math.copysign(_norm(x), x[0])  # sign(x_0) ||x||, norm scaled before squaring
        v = x.copy()
        v[0] += alpha  # v = x + sign(x_0) ||x|| e_1: two numbers of one sign, no cancellation
        V[j:, j] = v = _unit(v)
        R[j:, j + 1 :] -= 2.0 * np.outer(v, v @ R[j:, j + 1 :])  # H_j on the columns to the right
        R[j, j], R[j + 1 :, j] = -alpha, 0.0  # H_j x = -sign(x_0) ||x|| e_1, exactly
        T[:j, j] = -2.0 * T[:j, :j] @ (V[:, :j].T @ V[:, j])  # WY recursion
        T[j, j] = 2.0
    return V, T, R, perm


def _q_columns(V: np.ndarray, T: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Columns ``start:stop`` of ``Q = I - V T V^T``, shape (m, stop - start)."""
    Q = -V @ (T @ V[start:stop].T)  # (m, k) @ (k, stop - start)
    Q[np.arange(start, stop), np.arange(stop - start)] += 1.0  # + I[:, start:stop]
    return Q


def qr(A, mode: str = "reduced"):
    """QR decomposition ``A = Q R`` by Householder reflections.

    Parameters
    ----------
    A : array_like, shape (m, n)
        Any real matrix: tall, wide, square, rank-deficient or empty.
    mode : {"reduced", "complete", "r"}, optional
        As in ``torch.linalg.qr``, with ``k = min(m, n)``: ``"reduced"`` gives ``Q`` (m, k)
        and ``R`` (k, n); ``"complete"`` gives ``Q`` (m, m) and ``R`` (m, n); ``"r"`` gives
        only ``R`` (k, n), and ``Q`` is an empty array of shape (0,).

    Returns
    -------
    Q : ndarray, shape (m, k), (m, m) or (0,)
        Orthonormal columns, ``Q^T Q = I``.
    R : ndarray, shape (k, n) or (m, n)
        Upper triangular (upper trapezoidal when m < n). Its diagonal may be negative.

    Raises
    ------
    TypeError
        If ``A`` is complex or not numeric, or ``mode`` is not a string.
    ValueError
        If ``A`` is not a finite 2-D array, or ``mode`` is not one of the three.

    Notes
    -----
    Step ``j = 0, ..., k - 1`` reflects the column ``x = R[j:, j]`` onto the first axis with
    ``H_j = I - 2 v v^T``, where

    ``u = x + sign(x_0) ||x|| e_1``, ``v = u / ||u||``, so that ``H_j x = -sign(x_0) ||x|| e_1``,

    and applies ``H_j`` to the columns to its right. Then ``R = H_{k-1} ... H_0 A`` and
    ``Q = H_0 H_1 ... H_{k-1}`` (its first k columns, or all m with ``"complete"``),
    accumulated backwards from the identity. The sign makes ``x_0 + sign(x_0) ||x||`` a sum
    of two numbers of one sign, which never cancels; a reflection is orthogonal to working
    precision however it is formed, so ``Q^T Q = I`` to about ``eps`` for any ``A`` and the
    computed factors are the exact ones of a matrix within ``O(eps ||A||)`` of ``A``
    (backward stability). Where ``x`` is already zero below its first entry, ``H_j = I``
    (LAPACK's ``tau = 0``): a triangular ``A`` gives ``Q = I``, and the last step of a
    square ``A`` reflects nothing. The conventions are LAPACK's (``geqrf``), so ``R_jj`` is
    negative where ``x_0 > 0``, as in ``torch.linalg.qr``. Where ``A`` has full column rank,
    the factorisation with ``diag(R) > 0`` is unique; multiplying column j of ``Q`` and row
    j of ``R`` by ``sign(R_jj)`` gives it (the one :func:`gram_schmidt` computes).

    Every ``||x||`` is scaled before squaring and ``A`` is scaled by a power of 2 first, as
    in :func:`lu` (a small matrix up to ``[0.5, 1)``, a large one down below ``2^960``),
    and ``R`` is scaled back: entries from ``1e-320`` to ``1e308`` neither over- nor
    underflow, and ``R`` is ``inf`` only where its true entries lie beyond float64. Only
    2-D input, like every function of this module (no batch dimensions).

    Examples
    --------
    >>> A = np.array([[3.0, 1.0], [4.0, 2.0]])
    >>> Q, R = qr(A)
    >>> print(R)
    [[-5.  -2.2]
     [ 0.   0.4]]
    >>> bool(np.allclose(Q @ R, A)), bool(np.allclose(Q.T @ Q, np.eye(2)))
    (True, True)
    """
    a, dtype = _validated(A, "qr")
    mode = check_choice(mode, "qr", "mode", ("reduced", "complete", "r"))
    m, n = a.shape
    k = min(m, n)
    e = _exponent(a, limit=_LIMIT)
    V, T, R, _ = _householder(_times_pow2(a, -e))  # A / 2^e = Q R'
    R = _cast(_times_pow2(R if mode == "complete" else R[:k], e), dtype)  # R = 2^e R'
    if mode == "r":
        return np.empty(0, dtype=dtype), R
    return _q_columns(V, T, 0, m if mode == "complete" else k).astype(dtype), R


def gram_schmidt(A, modified: bool = True):
    """Reduced QR ``A = Q R`` with ``diag(R) > 0`` by Gram-Schmidt orthogonalisation.

    The readable reference for :func:`qr`: the same factorisation where ``A`` has full
    column rank, but ``Q`` loses orthogonality as ``A`` becomes ill-conditioned.

    Parameters
    ----------
    A : array_like, shape (m, n)
        ``n <= m``, columns linearly independent.
    modified : bool, optional
        True (the default) for modified Gram-Schmidt, False for the classical method.

    Returns
    -------
    Q : ndarray, shape (m, n)
        Orthonormal columns in exact arithmetic.
    R : ndarray, shape (n, n)
        Upper triangular with a positive diagonal.

    Raises
    ------
    TypeError
        If ``A`` is complex or not numeric, or ``modified`` is not a bool.
    ValueError
        If ``A`` is not a finite 2-D array, or has more columns than rows.
    numpy.linalg.LinAlgError
        If a column minus its projections is exactly zero (it lies in the span of the
        columns before it, e.g. a zero or repeated column).

    Notes
    -----
    Column j is ``a_j`` with its components along ``q_0, ..., q_{j-1}`` removed, then
    normalised: ``r_jj = ||v||``, ``q_j = v / r_jj``. The two methods differ in what each
    coefficient is measured on. Classical: ``r_ij = q_i^T a_j`` (all from the original
    column), ``v = a_j - sum_{i<j} r_ij q_i``. Modified: ``v = a_j``, then for ``i = 0,
    ..., j-1`` in turn ``r_ij = q_i^T v`` and ``v <- v - r_ij q_i``, so each coefficient is
    measured on a vector from which the earlier directions, and the rounding errors made
    removing them, are already gone. Equal in exact arithmetic; in floating point
    ``||Q^T Q - I||`` grows like ``eps kappa(A)`` for the modified method (Bjorck 1967) and
    like ``eps kappa(A)^2`` for the classical one, while :func:`qr` keeps it near ``eps``.
    ``A`` is scaled by a power of 2 first as in :func:`qr` and ``R`` scaled back; every
    norm is scaled before squaring.

    Examples
    --------
    >>> Q, R = gram_schmidt(np.array([[3.0, 1.0], [4.0, 2.0]]))
    >>> print(R)
    [[5.  2.2]
     [0.  0.4]]
    >>> print(Q)
    [[ 0.6 -0.8]
     [ 0.8  0.6]]
    """
    a, dtype = _validated(A, "gram_schmidt")
    modified = check_bool(modified, "gram_schmidt", "modified")
    m, n = a.shape
    if n > m:
        raise ValueError(
            f"gram_schmidt: A must have at least as many rows as columns (n <= m), "
            f"got shape {a.shape}: more than m columns of length m are linearly dependent"
        )
    e = _exponent(a, limit=_LIMIT)
    a = _times_pow2(a, -e)  # A = 2^e A'
    Q, R = np.zeros((m, n)), np.zeros((n, n))
    for j in range(n):
        v = a[:, j].copy()  # (m,)
        if modified:
            for i in range(j):
                R[i, j] = Q[:, i] @ v  # measured on the partly orthogonalised v
                v -= R[i, j] * Q[:, i]
        else:
            R[:j, j] = Q[:, :j].T @ a[:, j]  # (j,) all measured on the original column
            v -= Q[:, :j] @ R[:j, j]
        R[j, j] = _norm(v)
        if R[j, j] == 0.0:
            raise LinAlgError(
                f"gram_schmidt: column {j} of A (shape {a.shape}) lies in the span of the "
                f"columns before it (nothing is left after removing their directions); "
                f"A must have full column rank, or use qr"
            )
        Q[:, j] = _unit(v)
    return Q.astype(dtype), _cast(_times_pow2(R, e), dtype)


# ----------------------------------------------------------------------------- SVD family


def _complete_basis(Q: np.ndarray, k: int) -> np.ndarray:
    """Extend orthonormal columns ``Q`` (m, r) to ``k`` orthonormal columns (m, k).

    The Householder QR ``Q = H R`` has ``span(H[:, :r]) = span(Q)``, so the
    columns ``r..k-1`` of the orthogonal ``H`` complete the basis.
    """
    V, T, _, _ = _householder(Q)
    return np.hstack([Q, _q_columns(V, T, Q.shape[1], k)])


def _hestenes(G: np.ndarray):
    """One-sided Jacobi on the rows of ``G`` (n, m), n <= m, in place.

    Rotates pairs of rows, one round of disjoint pairs at a time, until all are
    mutually orthogonal (cosine at most ``max(m, 16) * eps``). Returns ``VT``
    (n, n) with ``G_final = VT @ G_initial``. The rows are kept in seating
    order (:func:`_tournament_shift`), so a round's pairs are adjacent rows: one
    batched 2x2 matmul rotates them all, and one gather seats the next round.
    """
    n, m = G.shape
    seats, tol = n + n % 2, max(m, 16) * _EPS  # odd n: a zero dummy row, never rotated
    W = np.zeros((seats, m + n))  # [G | VT], one rotation updates both
    W[:n, :m], W[:n, m:] = G, np.eye(n)
    buf, order, shift = np.empty_like(W), np.arange(seats), _tournament_shift(seats)
    for _ in range(_MAX_SWEEPS):
        rotated = False
        for _ in range(seats - 1):
            Jt = _hestenes_rotations(W.reshape(seats // 2, 2, -1), m, tol)  # (seats // 2, 2, 2)
            if Jt is not None:
                np.matmul(Jt, W.reshape(seats // 2, 2, -1), out=buf.reshape(seats // 2, 2, -1))
                W, buf, rotated = buf, W, True
            W, buf = np.take(W, shift, axis=0, out=buf, mode="clip"), W  # next round's seating
            order = order[shift]  # (seats,): row i of W is row order[i] of G
        if not rotated:
            G[order[order < n]] = W[order < n, :m]
            return W[np.argsort(order)[:n], m:]
    raise LinAlgError(f"svd: Jacobi iteration did not converge in {_MAX_SWEEPS} sweeps")


def _hestenes_rotations(xy: np.ndarray, m: int, tol: float):
    """Rotations ``J^T`` (k, 2, 2) that orthogonalise each row pair of ``xy`` (k, 2, width).

    Only the first m columns count. A pair whose cosine is at most ``tol``, with a
    row shorter than ``2^-970`` (entries near the subnormal range, too coarse to
    orthogonalise), or whose rotation underflows to the identity, gets the
    identity; None when every pair does. Pairs with a short row (squared norm
    below ``2^-900``) have their Gram matrix recomputed from scaled rows.
    """
    x, y = xy[:, 0, :m], xy[:, 1, :m]  # (k, m) views
    alpha, beta = np.einsum("ij,ij->i", x, x), np.einsum("ij,ij->i", y, y)
    gamma = np.einsum("ij,ij->i", x, y)  # (k,): Gram matrices [[alpha, gamma], [gamma, beta]]
    short = np.minimum(alpha, beta) < _SAFE_SQ  # their squares may have underflowed
    if short.any():
        alpha[short], beta[short], gamma[short] = _scaled_gram(x[short], y[short])
    act = np.abs(gamma) > tol * np.sqrt(alpha) * np.sqrt(beta)  # False for a zeroed pair
    if not act.any():
        return None
    Jt = np.zeros((len(act), 2, 2))
    Jt[:, 0, 0] = Jt[:, 1, 1] = 1.0
    Jt[act] = _rotations(alpha[act], beta[act], gamma[act])
    if not np.any(Jt[:, 1, 0]):  # every rotation underflowed to the identity
        return None
    return Jt


def _scaled_gram(x: np.ndarray, y: np.ndarray):
    """Gram entries ``(alpha, beta, gamma)`` of row pairs ``x, y`` (k, m) over ``max(|x|, |y|)^2``.

    The rotation of a Gram matrix does not change when it is scaled, and with the
    norms and the cosine computed from scaled rows nothing underflows. A pair with
    a row shorter than ``2^-970`` gives zeros (it is not rotated).
    """
    nx, ny = _row_norms(x), _row_norms(y)  # (k,) each
    ok = np.minimum(nx, ny) > _ROW_FLOOR
    nx1, ny1 = np.where(ok, nx, 1.0), np.where(ok, ny, 1.0)
    cos = np.einsum("ij,ij->i", x / nx1[:, None], y / ny1[:, None])  # (k,)
    big = np.maximum(nx1, ny1)
    rx, ry = nx1 / big, ny1 / big  # (k,): one of them is 1
    zero = np.zeros_like(nx)
    return (
        np.where(ok, rx * rx, zero),
        np.where(ok, ry * ry, zero),
        np.where(ok, cos * rx * ry, zero),
    )


def _svd_tall(a: np.ndarray, full_matrices: bool):
    """SVD of ``a`` (m, n) with m >= n >= 1 and ``0.5 <= max|a| < 1``.

    Preconditioned one-sided Jacobi: QR with column pivoting ``A P = Q1 R1``,
    then ``R1^T = Q2 R2``, so ``A P = Q1 R2^T Q2^T``. Jacobi orthogonalises the
    columns of the (n, n) ``R2^T``, ``R2^T VT^T = U2 diag(S)``; the two QRs leave
    them nearly orthogonal and graded, which saves sweeps. Then
    ``A = (Q1 U2) diag(S) (VT Q2^T P^T)``. The row lengths ``S`` are scaled before
    squaring, so ``diag(1, 1e-200)`` keeps its ``1e-200``.
    """
    m, n = a.shape
    V1, T1, R1, perm = _householder(a, pivot=True)
    V2, T2, R2, _ = _householder(R1[:n].T)  # (n, n): R1's triangle, transposed
    G = R2.copy()  # (n, n): row j is column j of R2^T
    VT = _hestenes(G) @ _q_columns(V2, T2, 0, n).T  # (n, n): VT Q2^T, right vectors of A P
    S = _row_norms(G)  # (n,) row lengths = singular values
    order = np.argsort(-S, kind="stable")
    S, G, VT = S[order], G[order], VT[order]
    r = int(np.count_nonzero(S > _ROW_FLOOR))  # shorter rows were never rotated
    U2 = (G[:r] / S[:r, None]).T  # (n, r): u2_j = g_j / s_j
    if r < n:
        U2 = _complete_basis(U2, n)  # (n, n)
        g = G[r:] / np.maximum(S[r:], _TINY)[:, None]  # (n - r, n): about unit, or zero
        U2[:, r:] *= np.where(np.einsum("ij,ji->i", g, U2[:, r:]) < 0, -1.0, 1.0)  # u_j . g_j >= 0
    U = _q_columns(V1, T1, 0, m if full_matrices else n)  # (m, k): leading columns of Q1
    U[:, :n] = U[:, :n] @ U2  # (m, n) @ (n, n); any further columns of Q1 complete the basis
    Vh = np.empty_like(VT)
    Vh[:, perm] = VT  # undo the column pivoting: A = U S (VT P^T)
    return U, S, Vh


def svd(A, full_matrices: bool = True):
    """Singular value decomposition ``A = U diag(S) Vh`` by one-sided Jacobi.

    Parameters
    ----------
    A : array_like, shape (m, n)
    full_matrices : bool, optional
        If True, ``U`` is (m, m) and ``Vh`` is (n, n); otherwise (m, k) and
        (k, n) with ``k = min(m, n)``.

    Returns
    -------
    U : ndarray, shape (m, m) or (m, k)
        Orthonormal columns (completed to a basis where ``A`` is rank-deficient).
    S : ndarray, shape (k,)
        Singular values, descending.
    Vh : ndarray, shape (n, n) or (k, n)
        Orthonormal rows.

    Notes
    -----
    Hestenes' method: rotate pairs of columns of ``W = A V`` (starting from
    ``V = I``) until they are orthogonal; then ``s_j = ||w_j||`` and
    ``u_j = w_j / s_j``. Each rotation is the Jacobi rotation of the 2x2 Gram
    matrix ``[[w_p.w_p, w_p.w_q], [w_p.w_q, w_q.w_q]]``. Never forming ``A^T A``
    keeps tiny singular values accurate. Wide matrices use ``A^T``; ``A`` is
    scaled by a power of 2 to ``0.5 <= max|A| < 1`` first (exact) and ``S`` scaled
    back, and every norm is scaled before squaring, so neither ``1e-200`` nor
    ``1e308`` is lost. Empty shapes follow ``torch.linalg.svd``.

    Two Householder QRs precondition ``A`` (Drmac and Veselic): ``A P = Q1 R1``
    with column pivoting, then ``R1^T = Q2 R2``. The rotations act on the
    columns of the (k, k) ``R2^T``, which are already nearly orthogonal and
    graded, so fewer sweeps are needed. The pairs are visited in parallel
    (round-robin) order: a sweep is ``k - 1`` rounds (``k`` for odd k) of
    ``k // 2`` disjoint pairs, as in a tournament schedule, and each round
    computes and applies all its rotations at once with vectorised numpy. A
    pair is skipped once its cosine is at most ``max(k, 16) eps``; a sweep that
    skips every pair ends the iteration (``numpy.linalg.LinAlgError`` after 60
    sweeps).

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [4.0, 5.0]])
    >>> U, S, Vh = svd(A)
    >>> print(np.round(S ** 2, 10))
    [45.  5.]
    >>> bool(np.allclose(U @ np.diag(S) @ Vh, A))
    True
    """
    a, dtype = _validated(A, "svd")
    full_matrices = check_bool(full_matrices, "svd", "full_matrices")
    U, S, Vh, e = _svd_scaled(a, full_matrices)
    return U.astype(dtype), _cast(_times_pow2(S, e), dtype), Vh.astype(dtype)


def _svd_scaled(a: np.ndarray, full_matrices: bool):
    """``(U, S', Vh, e)`` with ``a = U diag(2^e S') Vh`` and ``max|a / 2^e| < 1``."""
    m, n = a.shape
    k, e = min(m, n), _exponent(a)
    a = _times_pow2(a, -e)
    if not a.any():  # zero or empty matrix: any orthonormal bases work
        U, S, Vh = np.eye(m), np.zeros(k), np.eye(n)
        U, Vh = (U, Vh) if full_matrices else (U[:, :k], Vh[:k])
    elif m >= n:
        U, S, Vh = _svd_tall(a, full_matrices)
    else:  # A^T = U' S Vh'  =>  A = Vh'^T S U'^T
        Ut, S, Vht = _svd_tall(a.T, full_matrices)
        U, Vh = Vht.T, Ut.T
    return U, S, Vh, e


def _default_rtol(shape) -> float:
    """torch's default relative cutoff, ``max(m, n) * eps``."""
    return max(shape) * _EPS if len(shape) and max(shape) else 0.0


def pinv(A, rtol: float | None = None):
    """Moore-Penrose pseudo-inverse via :func:`svd`.

    Parameters
    ----------
    A : array_like, shape (m, n)
    rtol : float or None, optional
        Singular values ``<= rtol * S.max()`` are treated as zero (``rtol >= 0``);
        None gives ``max(m, n) * eps`` (as ``torch.linalg.pinv``).

    Returns
    -------
    ndarray, shape (n, m)

    Notes
    -----
    ``A^+ = V diag(1 / s_i) U^T`` over the singular values above the cutoff. The
    SVD is of ``A / 2^e`` (``max < 1``); each ``1 / s_i`` is formed from the mantissa
    and exponent of ``s_i 2^e``, so ``pinv(1e-300 * A) = 1e300 * pinv(A)``. Entries
    are ``inf`` or NaN only where ``1 / s_i`` lies beyond float64 (as in torch).

    Examples
    --------
    >>> A = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])  # rank 1
    >>> bool(np.allclose(A @ pinv(A) @ A, A))
    True
    """
    a, dtype = _validated(A, "pinv")
    rtol = _default_rtol(a.shape) if rtol is None else check_real(rtol, "pinv", "rtol", min=0.0)
    U, S, Vh, e = _svd_scaled(a, full_matrices=False)  # singular values 2^e S
    keep = S > rtol * float(np.max(S, initial=0.0))
    mantissa, exponent = np.frexp(np.where(keep, S, 1.0))  # S = mantissa 2^exponent
    with np.errstate(over="ignore", invalid="ignore"):  # only where 1 / s_i overflows
        s_inv = np.where(keep, np.ldexp(1.0 / mantissa, -exponent - e), 0.0)  # 1 / (2^e S)
        return _cast((Vh.T * s_inv) @ U.T, dtype)  # (n, k) * (k,) @ (k, m)


def matrix_rank(A, tol: float | None = None) -> int:
    """Numerical rank: the number of singular values above a cutoff.

    Parameters
    ----------
    A : array_like, shape (m, n)
    tol : float or None, optional
        Absolute cutoff ``>= 0``. None gives ``max(m, n) * eps * S.max()`` (torch's default).

    Returns
    -------
    int

    Notes
    -----
    ``rank = #{i : s_i > tol}``; exact rank is ill-posed in floating point. The
    default cutoff is applied to the singular values of ``A / 2^e`` (``max < 1``),
    so it holds at any scale, even where ``S.max()`` itself would overflow.

    Examples
    --------
    >>> matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]]))
    1
    """
    a, _ = _validated(A, "matrix_rank")
    if tol is not None:
        tol = check_real(tol, "matrix_rank", "tol", min=0.0)
    _, S, _, e = _svd_scaled(a, full_matrices=False)  # singular values 2^e S
    if tol is None:
        return int(np.count_nonzero(S > _default_rtol(a.shape) * float(np.max(S, initial=0.0))))
    return int(np.count_nonzero(_times_pow2(S, e) > tol))


def low_rank(U, S, Vh, k: int):
    """Best rank-k approximation ``(U[:, :k] * S[:k]) @ Vh[:k]`` from the factors of an SVD.

    Parameters
    ----------
    U : array_like, shape (m, r)
        Left singular vectors as columns, ``r >= p`` (``svd`` with either ``full_matrices``).
    S : array_like, shape (p,)
        Singular values, descending.
    Vh : array_like, shape (q, n)
        Right singular vectors as rows, ``q >= p``.
    k : int
        The rank, ``0 <= k <= p``; ``k = 0`` gives the zero matrix.

    Returns
    -------
    ndarray, shape (m, n)

    Raises
    ------
    TypeError
        If ``k`` is not an int or a factor is not a real array.
    ValueError
        If ``k`` is out of range, a factor has the wrong number of dimensions, the
        shapes do not fit together, or there is NaN/inf.

    Notes
    -----
    ``A_k = sum_{i < k} s_i u_i v_i^T``, computed as ``(U[:, :k] * S[:k]) @ Vh[:k]``
    ((m, k) scaled columns times (k, n)). By the Eckart-Young-Mirsky theorem
    ``A_k`` is a closest matrix of rank at most ``k`` to ``A = U diag(S) Vh`` in the
    Frobenius and spectral norms, with ``||A - A_k||_F = sqrt(sum_{i >= k} s_i^2)``
    and ``||A - A_k||_2 = s_k`` (0-based; 0 when ``k = p``). Each factor is
    scaled by a power of 2 to ``max < 1`` and the product scaled back, so only a
    result beyond float64 overflows.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [4.0, 5.0]])
    >>> U, S, Vh = svd(A)
    >>> A1 = low_rank(U, S, Vh, 1)
    >>> matrix_rank(A1)
    1
    >>> print(f"{np.sqrt(np.sum((A - A1) ** 2)):.10f} {S[1]:.10f}")  # Eckart-Young
    2.2360679775 2.2360679775
    """
    u, dtype_u = _validated(U, "low_rank", "U")
    s, dtype_s = _validated(S, "low_rank", "S", ndim=1)
    vh, dtype_vh = _validated(Vh, "low_rank", "Vh")
    p = s.shape[0]
    k = check_int(k, "low_rank", "k", min=0, max=p)
    if u.shape[1] < p:
        raise ValueError(
            f"low_rank: U must have at least len(S) = {p} columns, got shape {u.shape}"
        )
    if vh.shape[0] < p:
        raise ValueError(f"low_rank: Vh must have at least len(S) = {p} rows, got shape {vh.shape}")
    eu, es, ev = _exponent(u), _exponent(s), _exponent(vh)
    u, s, vh = _times_pow2(u, -eu), _times_pow2(s, -es), _times_pow2(vh, -ev)
    A_k = (u[:, :k] * s[:k]) @ vh[:k]  # (m, k) * (k,) @ (k, n) -> (m, n)
    return _cast(_times_pow2(A_k, eu + es + ev), np.result_type(dtype_u, dtype_s, dtype_vh))


# ----------------------------------------------------------------------------- PCA


class NotFittedError(ValueError, AttributeError):
    """Raised when a :class:`PCA` is used before :meth:`PCA.fit` (as in scikit-learn)."""


class PCA:
    """Principal component analysis through the SVD of the centred data.

    Parameters
    ----------
    n_components : int or None, optional
        Number of components, ``1 <= n_components <= min(n_samples, n_features)``;
        None keeps all ``min(n_samples, n_features)``.

    Attributes
    ----------
    mean_ : ndarray, shape (n_features,)
    components_ : ndarray, shape (n_components, n_features)
        Principal axes as rows; each row's largest-``|.|`` entry is positive.
    explained_variance_ : ndarray, shape (n_components,)
        ``S**2 / (n_samples - 1)``.
    explained_variance_ratio_ : ndarray, shape (n_components,)
        Fraction of the total variance per component, ``r_i / sum(r)`` with
        ``r = (S / S[0])**2``: scale-free, the same for ``1e-170 * X`` and ``1e307 * X``.
    singular_values_ : ndarray, shape (n_components,)

    Notes
    -----
    With ``Xc = X - mean = U diag(S) Vh``, the principal axes are the rows of
    ``Vh`` (eigenvectors of the covariance ``Xc^T Xc / (n - 1)``, with
    eigenvalues ``S^2 / (n - 1)``), and ``transform(X) = (X - mean) Vh_k^T``.
    ``X`` (and in ``transform`` the mean with it) is scaled by a power of 2 to
    ``max < 1`` before centring and scaled back after, so no mean, difference or
    square overflows or underflows on the way.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.1]])
    >>> pca = PCA(n_components=1).fit(X)
    >>> np.round(pca.components_, 3)
    array([[0.696, 0.718]])
    >>> bool(np.allclose(pca.inverse_transform(pca.transform(X)), X, atol=0.05))
    True
    """

    def __init__(self, n_components: int | None = None):
        if n_components is not None:
            n_components = check_int(n_components, "PCA", "n_components", min=1)
        self.n_components = n_components

    def fit(self, X) -> PCA:
        """Fit the model to ``X`` (n_samples, n_features); return ``self``."""
        return self._fit(X, "PCA.fit")

    def _fit(self, X, func: str) -> PCA:
        """:meth:`fit`, with messages naming ``func``, the method the user called."""
        x, dtype = _validated(X, func, arg="X")
        n, p = x.shape
        if n < 2 or p < 1:
            raise ValueError(
                f"{func}: X must have at least 2 samples and 1 feature, got shape {x.shape}"
            )
        k = min(n, p) if self.n_components is None else self.n_components
        if not 1 <= k <= min(n, p):
            raise ValueError(
                f"{func}: n_components must be between 1 and min(n_samples, n_features) = "
                f"{min(n, p)} for X of shape {x.shape}, got {k}"
            )
        e = _exponent(x)
        x = _times_pow2(x, -e)  # X = 2^e X', max|X'| < 1
        mean = x.mean(axis=0)
        _, S, Vh, es = _svd_scaled(x - mean, full_matrices=False)  # Vh: (min(n, p), p)
        rows = np.arange(Vh.shape[0])
        Vh = Vh * np.sign(Vh[rows, np.argmax(np.abs(Vh), axis=1)])[:, None]  # sign convention
        r = (S / S[0]) ** 2 if S[0] > 0 else np.zeros_like(S)  # (min(n, p),) scale-free
        ratio = r / r.sum() if S[0] > 0 else r
        es += e  # singular values of X - mean: 2^es S
        var = _times_pow2((S / math.sqrt(n - 1)) ** 2, 2 * es)  # S^2 / (n - 1)
        self.n_components_, self.n_features_in_ = k, p
        self.mean_, self.components_ = _cast(_times_pow2(mean, e), dtype), Vh[:k].astype(dtype)
        self.explained_variance_ = _cast(var[:k], dtype)
        self.explained_variance_ratio_ = ratio[:k].astype(dtype)
        self.singular_values_ = _cast(_times_pow2(S[:k], es), dtype)
        return self

    def _check(self, X, func: str, arg: str, width_attr: str):
        """Validate ``X`` (called ``arg``) for a fitted model; its width must be ``width_attr``."""
        if not hasattr(self, "components_"):
            raise NotFittedError(f"{func}: this PCA is not fitted yet; call fit(X) first")
        x, _ = _validated(X, func, arg=arg)
        width = getattr(self, width_attr)
        if x.shape[1] != width:
            raise ValueError(
                f"{func}: {arg} must have {width} columns ({width_attr}), got shape {x.shape}"
            )
        return x

    def transform(self, X) -> np.ndarray:
        """Project ``X`` (n, n_features) onto the components: ``(X - mean_) @ components_.T``."""
        x = self._check(X, "PCA.transform", "X", "n_features_in_")
        e = _exponent(x, self.mean_)  # one scale for X and the mean: X - mean cannot overflow
        x, mean = _times_pow2(x, -e), _times_pow2(self.mean_.astype(np.float64), -e)
        return _cast(_times_pow2((x - mean) @ self.components_.T, e), self.components_.dtype)

    def inverse_transform(self, Z) -> np.ndarray:
        """Map scores ``Z`` (n, n_components) back: ``Z @ components_ + mean_``."""
        z = self._check(Z, "PCA.inverse_transform", "Z", "n_components_")
        e = _exponent(z, self.mean_)  # one scale for Z and the mean
        z, mean = _times_pow2(z, -e), _times_pow2(self.mean_.astype(np.float64), -e)
        return _cast(_times_pow2(z @ self.components_ + mean, e), self.components_.dtype)

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self._fit(X, "PCA.fit_transform").transform(X)
