"""mathdl.linalg against torch.linalg (float64, every device) and scikit-learn's PCA."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA as SkPCA
from strategies import SEEDS, SETTINGS, floats

from mathdl import linalg
from mathdl.testing import assert_close, to_numpy, to_torch

ENTRIES = floats(-10, 10)


def random_orthogonal(n, rng):
    """An (n, n) orthogonal matrix from torch's QR of a Gaussian matrix."""
    return to_numpy(torch.linalg.qr(to_torch(rng.standard_normal((n, n))))[0])


@st.composite
def matrices(draw, square=False):
    """Random tall, wide or square matrices, with rank-deficient and ill-conditioned kinds."""
    m = draw(st.integers(1, 8))
    n = m if square else draw(st.integers(1, 8))
    kind = draw(st.sampled_from(["plain", "low_rank", "ill"]))
    rng = np.random.default_rng(draw(SEEDS))
    if kind == "plain":
        return draw(hnp.arrays(np.float64, (m, n), elements=ENTRIES))
    if kind == "low_rank":  # product of thin matrices
        r = draw(st.integers(0, min(m, n)))
        return rng.standard_normal((m, r)) @ rng.standard_normal((r, n))
    k = min(m, n)  # U diag(logspace(0, -12)) V^T
    return (
        random_orthogonal(m, rng)[:, :k]
        * np.logspace(0, -12, k)
        @ random_orthogonal(n, rng)[:, :k].T
    )


def well_conditioned(n, rng):
    """A random (n, n) matrix with singular values in [1, 10]."""
    s = np.linspace(1, 10, n)
    return random_orthogonal(n, rng) * s @ random_orthogonal(n, rng).T


def ri(z):
    """Real and imaginary parts stacked, (2, ...): assert_close compares real arrays."""
    z = to_numpy(z)
    return np.stack([z.real, z.imag])


def check_orthonormal_columns(Q, name):
    assert_close(Q.T @ Q, np.eye(Q.shape[1]), rtol=0, atol=1e-12, name=name)


# ----------------------------------------------------------------------------- LU family


@SETTINGS
@given(n=st.integers(1, 8), seed=SEEDS)
def test_lu_invariants_and_torch(device, n, seed):
    A = well_conditioned(n, np.random.default_rng(seed))
    P, L, U = linalg.lu(A)
    assert_close(P @ L @ U, A, rtol=0, atol=1e-12, name="P L U")
    assert_close(np.diag(L), np.ones(n), name="diag L")
    assert np.array_equal(L, np.tril(L)) and np.array_equal(U, np.triu(U))
    assert np.abs(L).max() <= 1.0 + 1e-15, "partial pivoting bounds |L| by 1"
    assert_close(np.sort(P, axis=None), np.sort(np.eye(n), axis=None), name="P is a permutation")
    Pt, Lt, Ut = torch.linalg.lu(to_torch(A, device))
    assert_close(P, Pt, name="P")
    assert_close(L, Lt, rtol=1e-10, atol=1e-12, name="L")
    assert_close(U, Ut, rtol=1e-10, atol=1e-12, name="U")


@SETTINGS
@given(n=st.integers(1, 8), k=st.integers(1, 3), seed=SEEDS)
def test_solve_inv_det_vs_torch(device, n, k, seed):
    rng = np.random.default_rng(seed)
    A, B, b = well_conditioned(n, rng), rng.standard_normal((n, k)), rng.standard_normal(n)
    At = to_torch(A, device)
    assert_close(
        linalg.solve(A, B), torch.linalg.solve(At, to_torch(B, device)), atol=1e-12, name="X"
    )
    assert_close(
        linalg.solve(A, b), torch.linalg.solve(At, to_torch(b, device)), atol=1e-12, name="x"
    )
    assert_close(linalg.inv(A), torch.linalg.inv(At), rtol=1e-10, atol=1e-12, name="inv")
    assert_close(linalg.det(A), torch.linalg.det(At), rtol=1e-10, name="det")


@SETTINGS
@given(n=st.integers(0, 8), seed=SEEDS, scale=st.integers(-300, 300))
def test_slogdet_vs_torch(device, n, seed, scale):
    """Sign and log|det| of well-conditioned matrices scaled by 10^scale: no overflow."""
    A = well_conditioned(n, np.random.default_rng(seed)) * 10.0**scale if n else np.zeros((0, 0))
    sign, logabs = linalg.slogdet(A)
    sign_t, logabs_t = torch.linalg.slogdet(to_torch(A, device))
    assert_close(sign, sign_t, rtol=0, name="sign")
    assert_close(logabs, logabs_t, rtol=1e-12, atol=1e-12 * max(n, 1), name="log|det|")


@pytest.mark.parametrize(
    ("A", "expected"),
    [
        (np.array([[1.0, 2.0], [2.0, 4.0]]), (0.0, -np.inf)),
        (np.diag([1e200, 1e200, -1e200]), (-1.0, 600 * np.log(10.0))),
        (np.diag([1e-300] * 4), (1.0, -1200 * np.log(10.0))),
        (np.array([[0.0, 1.0], [1.0, 0.0]]), (-1.0, 0.0)),
    ],
    ids=["singular", "huge", "tiny", "swap"],
)
def test_slogdet_where_det_would_overflow(A, expected, device):
    sign, logabs = linalg.slogdet(A)
    assert_close(sign, expected[0], rtol=0, name="sign")
    assert_close(logabs, expected[1], rtol=1e-14, name="log|det|")
    sign_t, logabs_t = torch.linalg.slogdet(to_torch(A, device))
    assert_close(sign, sign_t, rtol=0, name="torch sign")
    assert_close(logabs, logabs_t, rtol=1e-14, name="torch log|det|")
    assert linalg.slogdet(np.eye(2, dtype=np.float32))[1].dtype == np.float32


def test_det_singular_is_zero(device):
    A = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    assert float(linalg.det(A)) == 0.0
    assert float(linalg.det(np.zeros((3, 3)))) == 0.0
    assert float(linalg.det(np.zeros((0, 0)))) == float(
        torch.linalg.det(to_torch(np.zeros((0, 0)), device))
    )
    A = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert_close(linalg.det(A), torch.linalg.det(to_torch(A, device)), atol=1e-12, name="det")


def test_dtypes():
    A = np.array([[2, 1], [1, 3]])
    assert linalg.inv(A).dtype == np.float64
    assert linalg.inv(A.astype(np.float32)).dtype == np.float32
    assert linalg.svd(np.eye(2, dtype=bool))[1].dtype == np.float64
    assert linalg.solve(A.astype(np.float32), np.ones(2, np.float32)).dtype == np.float32
    assert linalg.det(A.astype(np.float32)).dtype == np.float32


# ----------------------------------------------------------------------------- eigenvalues


@SETTINGS
@given(A=matrices(square=True))
def test_eigh_vs_torch(device, A):
    A = A + A.T  # symmetric
    w, V = linalg.eigh(A)
    wt = torch.linalg.eigvalsh(to_torch(A, device))
    scale = max(float(np.abs(w).max()), 1e-300)
    assert_close(w, wt, rtol=1e-10, atol=1e-13 * scale, name="eigenvalues")
    assert np.all(np.diff(w) >= 0), "eigenvalues ascending"
    check_orthonormal_columns(V, "V")
    assert_close(V * w @ V.T, A, rtol=0, atol=1e-12 * scale, name="V diag(w) V^T")


def test_eigh_digits_covariance(device):
    X = load_digits().data
    C = np.cov(X.T)
    w, V = linalg.eigh(C)
    assert_close(
        w, torch.linalg.eigvalsh(to_torch(C, device)), rtol=1e-10, atol=1e-13 * w.max(), name="w"
    )
    check_orthonormal_columns(V, "V")


@SETTINGS
@given(A=hnp.arrays(np.float64, (2, 2), elements=ENTRIES))
def test_eig_2x2_vs_torch(device, A):
    w, V = linalg.eig_2x2(A)
    assert w.dtype == V.dtype == np.complex128
    wt = to_numpy(torch.linalg.eigvals(to_torch(A, device)))
    scale = max(float(np.abs(A).max()), 1.0)
    # Near a repeated eigenvalue the roots are only sqrt(eps)-accurate (for torch too).
    key = lambda z: np.round(z.real, 6) + 1j * z.imag  # noqa: E731
    assert_close(
        ri(np.sort_complex(key(w))), ri(np.sort_complex(key(wt))), rtol=0, atol=1e-6 * scale
    )
    assert_close(np.sqrt(np.sum(np.abs(V) ** 2, axis=0)), np.ones(2), name="unit columns")
    assert_close(ri(A @ V), ri(V * w), rtol=0, atol=1e-12 * scale, name="A v = lambda v")


@pytest.mark.parametrize(
    ("A", "w"),
    [
        ([[3.0, 0.0], [0.0, 1.0]], [3, 1]),
        ([[2.0, 0.0], [0.0, 2.0]], [2, 2]),
        ([[1.0, 1.0], [0.0, 1.0]], [1, 1]),
        ([[0.0, -1.0], [1.0, 0.0]], [1j, -1j]),
        ([[0.0, 0.0], [0.0, 0.0]], [0, 0]),
    ],
)
def test_eig_2x2_special_cases(A, w):
    A = np.array(A)
    ev, V = linalg.eig_2x2(A)
    assert_close(ri(ev), ri(np.array(w, dtype=complex)), name="eigenvalues")
    assert_close(ri(A @ V), ri(V * ev), rtol=0, atol=1e-15, name="A v = lambda v")
    assert_close(np.abs(V).sum(axis=0) > 0, np.ones(2, bool), name="nonzero vectors")


def test_eig_2x2_diagonal_gives_standard_basis():
    _, V = linalg.eig_2x2(np.diag([1.0, 5.0]))
    assert_close(np.abs(V), np.array([[0.0, 1.0], [1.0, 0.0]]), name="|V|")
    _, V = linalg.eig_2x2(2 * np.eye(2))
    assert_close(ri(V), ri(np.eye(2, dtype=complex)), name="V")


@SETTINGS
@given(n=st.integers(1, 8), seed=SEEDS, sign=st.sampled_from([1.0, -1.0]))
def test_power_iteration(device, n, seed, sign):
    rng = np.random.default_rng(seed)
    Q = random_orthogonal(n, rng)
    w = np.concatenate([[sign * 10.0], rng.uniform(-5, 5, n - 1)])  # spectral gap 2x
    A = Q * w @ Q.T
    lam, v = linalg.power_iteration(A, rng=np.random.default_rng(seed))
    wt = to_numpy(torch.linalg.eigvalsh(to_torch(A, device)))
    assert_close(lam, wt[np.argmax(np.abs(wt))], rtol=1e-10, name="dominant eigenvalue")
    assert_close(A @ v, lam * v, rtol=0, atol=1e-9, name="A v = lambda v")
    lam2, v2 = linalg.power_iteration(A, rng=np.random.default_rng(seed))
    assert lam2 == lam and np.array_equal(v, v2), "deterministic"


# ----------------------------------------------------------------------------- SVD family


def check_svd(A, device, full_matrices=True):
    m, n = A.shape
    k = min(m, n)
    U, S, Vh = linalg.svd(A, full_matrices=full_matrices)
    Ut, _, Vht = torch.linalg.svd(to_torch(A, device), full_matrices=full_matrices)
    assert U.shape == tuple(Ut.shape) and Vh.shape == tuple(Vht.shape) and S.shape == (k,)
    St = torch.linalg.svdvals(to_torch(A, device))
    smax = float(St.max()) if k else 0.0
    assert_close(S, St, rtol=1e-10, atol=1e-13 * smax, name="singular values")
    assert np.all(np.diff(S) <= 0), "descending"
    check_orthonormal_columns(U, "U")
    check_orthonormal_columns(Vh.T, "V")
    assert_close(U[:, :k] * S @ Vh[:k], A, rtol=0, atol=1e-12 * max(smax, 1.0), name="U S Vh")


@SETTINGS
@given(A=matrices(), full=st.booleans())
def test_svd_vs_torch(device, A, full):
    check_svd(A, device, full)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (1, 5), (5, 1), (4, 4)])
@pytest.mark.parametrize("full", [True, False])
def test_svd_edge_shapes_and_zero(device, shape, full):
    check_svd(np.zeros(shape), device, full)
    check_svd(np.ones(shape), device, full)


def test_svd_ill_conditioned_tiny_values(device):
    rng = np.random.default_rng(0)
    s = np.logspace(0, -12, 20)
    A = random_orthogonal(30, rng)[:, :20] * s @ random_orthogonal(20, rng).T
    S = linalg.svd(A)[1]
    assert_close(S, torch.linalg.svdvals(to_torch(A, device)), rtol=1e-10, atol=1e-15, name="S")
    assert_close(S, s, rtol=1e-3, atol=1e-15, name="S vs exact")  # data rounding limits this
    check_svd(A, device)
    check_svd(A.T, device)


@SETTINGS
@given(A=matrices())
def test_pinv_and_rank_vs_torch(device, A):
    At = to_torch(A, device)
    smax = float(torch.linalg.svdvals(At).max())
    rank = linalg.matrix_rank(A)
    rank_t = int(torch.linalg.matrix_rank(At))
    S = torch.linalg.svdvals(At).cpu().numpy()
    cutoff = max(A.shape) * np.finfo(float).eps * smax
    if np.all(np.abs(S - cutoff) > 1e-10 * smax):  # skip values sitting on the cutoff
        assert rank == rank_t
    Ap = linalg.pinv(A)
    assert Ap.shape == A.T.shape
    kept = S[S > cutoff]
    if kept.size == 0:
        assert_close(Ap, np.zeros(A.T.shape), name="pinv of ~0")
    elif kept.min() > 1e-6 * smax:  # errors grow like eps * cond * ||A+||; keep them checkable
        tol = 1e4 * np.finfo(float).eps * (smax / kept.min()) / kept.min()
        assert_close(A @ Ap @ A, A, rtol=0, atol=tol * smax * smax, name="A A+ A")
        if rank == rank_t:
            assert_close(Ap, torch.linalg.pinv(At), rtol=0, atol=tol, name="pinv")


def test_pinv_rank_deficient_vs_torch(device):
    A = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    At = to_torch(A, device)
    assert_close(linalg.pinv(A), torch.linalg.pinv(At), atol=1e-12, name="pinv")
    assert linalg.matrix_rank(A) == int(torch.linalg.matrix_rank(At)) == 2
    assert linalg.matrix_rank(A, tol=100.0) == 0
    assert linalg.pinv(np.zeros((2, 3))).shape == (3, 2)


@SETTINGS
@given(A=matrices(), full=st.booleans(), data=st.data())
def test_low_rank_eckart_young_vs_torch(device, A, full, data):
    """torch's SVD factors in, the truncated product out; the errors are the tail of S."""
    Ut, St, Vht = torch.linalg.svd(to_torch(A, device), full_matrices=full)
    k = data.draw(st.integers(0, len(St)), label="k")
    A_k = linalg.low_rank(to_numpy(Ut), to_numpy(St), to_numpy(Vht), k)
    smax = float(St.max()) if len(St) else 0.0
    atol = 1e-13 * max(smax, 1.0) * max(A.shape, default=1)
    assert A_k.shape == A.shape and A_k.dtype == np.float64
    assert_close(A_k, (Ut[:, :k] * St[:k]) @ Vht[:k], rtol=0, atol=atol, name="A_k")
    frobenius = torch.linalg.matrix_norm(to_torch(A - A_k, device))
    assert_close(
        frobenius, torch.sqrt(torch.sum(St[k:] ** 2)), rtol=0, atol=atol, name="||A - A_k||_F"
    )
    spectral = torch.linalg.matrix_norm(to_torch(A - A_k, device), ord=2) if A.size else 0.0
    tail = St[k] if k < len(St) else 0.0
    assert_close(spectral, tail, rtol=0, atol=atol, name="||A - A_k||_2")
    # the same from our own factors
    ours = linalg.low_rank(*linalg.svd(A, full_matrices=full), k)
    assert_close(
        np.sqrt(np.sum((A - ours) ** 2)),
        torch.sqrt(torch.sum(St[k:] ** 2)),
        rtol=0,
        atol=1e-12 * max(smax, 1.0),
        name="Eckart-Young (mathdl svd)",
    )


def test_low_rank_ends_and_dtype():
    A = np.random.default_rng(3).standard_normal((5, 3))
    U, S, Vh = linalg.svd(A)
    assert_close(linalg.low_rank(U, S, Vh, 0), np.zeros((5, 3)), name="k = 0")
    assert_close(linalg.low_rank(U, S, Vh, 3), A, rtol=0, atol=1e-14, name="k = len(S)")
    assert linalg.matrix_rank(linalg.low_rank(U, S, Vh, 2)) == 2
    f32 = [x.astype(np.float32) for x in (U, S, Vh)]
    assert linalg.low_rank(*f32, 2).dtype == np.float32
    assert linalg.low_rank(U, S, Vh, np.int64(1)).shape == (5, 3)


# ----------------------------------------------------------------------------- QR

QR_MODES = ["reduced", "complete", "r"]


def sign_fixed(Q, R):
    """``(Q D, D R)`` with ``D = diag(sign(R_jj))`` (1 where ``R_jj = 0``): ``diag(R) >= 0``.

    Only the first ``k = min(m, n)`` columns of ``Q`` and rows of ``R`` change.
    """
    Q, R = to_numpy(Q).copy(), to_numpy(R).copy()
    k = min(R.shape)
    d = np.where(np.diag(R)[:k] < 0, -1.0, 1.0)  # (k,)
    Q[:, :k] *= d
    R[:k] *= d[:, None]
    return Q, R


def check_qr(A, device, mode="reduced"):
    """Shapes as torch, Q^T Q = I, Q R = A, R upper triangular; where the factorisation is
    unique (the first k columns independent), the sign-fixed factors equal torch's."""
    m, n = A.shape
    k = min(m, n)
    Q, R = linalg.qr(A, mode=mode)
    Qt, Rt = (to_numpy(t) for t in torch.linalg.qr(to_torch(A, device), mode=mode))
    assert Q.shape == Qt.shape and R.shape == Rt.shape, (Q.shape, Qt.shape, R.shape, Rt.shape)
    assert Q.dtype == R.dtype == np.float64
    assert np.array_equal(R, np.triu(R)), "R is upper triangular"
    if mode == "r":
        Q_reduced, R_reduced = linalg.qr(A)
        assert np.array_equal(R, R_reduced), "mode='r' gives the reduced R"
        Q, Qt = Q_reduced, to_numpy(torch.linalg.qr(to_torch(A, device))[0])
    scale = max(float(np.abs(A).max(initial=0.0)), 1.0)
    check_orthonormal_columns(Q, "Q")
    assert_close(Q @ R[: Q.shape[1]], A, rtol=0, atol=1e-12 * scale, name="Q R")
    assert np.all(R[k:] == 0.0), "complete mode: R is zero below row k"
    S = to_numpy(torch.linalg.svdvals(to_torch(A[:, :k], device)))
    if k and S[-1] > 1e-8 * S[0]:  # unique once the signs are fixed; errors grow like kappa eps
        kappa = S[0] / S[-1]
        (Qf, Rf), (Qtf, Rtf) = sign_fixed(Q, R), sign_fixed(Qt, Rt)
        assert_close(Qf[:, :k], Qtf[:, :k], rtol=0, atol=1e-12 * kappa, name="Q (signs fixed)")
        assert_close(Rf, Rtf, rtol=0, atol=1e-12 * kappa * scale, name="R (signs fixed)")
    return Q, R


@SETTINGS
@given(A=matrices(), mode=st.sampled_from(QR_MODES))
def test_qr_vs_torch(device, A, mode):
    check_qr(A, device, mode)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (1, 5), (5, 1), (4, 4), (2, 6)])
@pytest.mark.parametrize("mode", QR_MODES)
def test_qr_edge_shapes_zero_and_ones(device, shape, mode):
    check_qr(np.zeros(shape), device, mode)
    check_qr(np.ones(shape), device, mode)  # rank 1 (or empty)


def test_qr_zero_and_dependent_columns(device):
    """Rank-deficient: the invariants hold, and a zero column gives R_jj = 0 exactly."""
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 5))
    cases = {  # name: (A, how many |R_jj| are determined: up to the first rounding-sized one)
        "zero first column": (np.stack([np.zeros(5), a, b], axis=1), 3),
        "zero middle column": (np.stack([a, np.zeros(5), b], axis=1), 3),
        "repeated column": (np.stack([a, a, b], axis=1), 2),
        "a + b": (np.stack([a, b, a + b], axis=1), 3),
        "wide, rank 1": (np.outer(a[:3], b), 2),
    }
    for name, (A, j) in cases.items():
        _, R = check_qr(A, device)
        check_qr(A, device, "complete")
        Rt = to_numpy(torch.linalg.qr(to_torch(A, device))[1])
        d, dt = np.abs(np.diag(R))[:j], np.abs(np.diag(Rt))[:j]
        assert_close(d, dt, rtol=0, atol=1e-12, name=name)
        assert d[-1] < 1e-12 or name.startswith("zero"), "a dependent column leaves R_jj ~ 0"
    cases = {name: A for name, (A, _) in cases.items()}
    assert linalg.qr(cases["zero first column"])[1][0, 0] == 0.0
    assert linalg.qr(cases["zero middle column"])[1][1, 1] == 0.0


@pytest.mark.parametrize("shape", [(60, 45), (45, 60), (33, 33), (64, 2), (2, 64)])
def test_qr_larger_vs_torch(device, shape):
    A = np.random.default_rng(sum(shape)).standard_normal(shape) * np.logspace(0, -4, shape[1])
    for mode in QR_MODES:
        check_qr(A, device, mode)


def test_qr_same_signs_as_lapack():
    """The conventions are LAPACK's: torch's CPU factors agree without fixing any sign."""
    rng = np.random.default_rng(2)
    cases = [
        rng.standard_normal((6, 4)),
        rng.standard_normal((4, 6)),
        rng.standard_normal((5, 5)),
        -rng.standard_normal((5, 5)),
        np.triu(rng.standard_normal((4, 4))),  # H_j = I throughout: Q = I
        np.eye(3),
        np.array([[0.0, 2.0], [0.0, 4.0]]),  # a zero column: H_0 = I
        np.array([[-1.0, 2.0], [0.0, 4.0]]),
    ]
    for A in cases:
        for mode in ("reduced", "complete"):
            Q, R = linalg.qr(A, mode=mode)
            Qt, Rt = torch.linalg.qr(to_torch(A), mode=mode)
            assert_close(Q, Qt, rtol=0, atol=1e-14, name="Q")
            assert_close(R, Rt, rtol=0, atol=1e-14, name="R")
    assert_close(linalg.qr(np.eye(3))[0], np.eye(3), name="qr(I) gives Q = I")


def test_qr_least_squares_vs_torch(device):
    """min ||A x - b||: x solves R x = Q^T b, as torch.linalg.lstsq finds."""
    rng = np.random.default_rng(3)
    A, b = rng.standard_normal((20, 4)), rng.standard_normal(20)
    Q, R = linalg.qr(A)
    x = linalg.solve(R, Q.T @ b)  # (4,)
    xt = torch.linalg.lstsq(to_torch(A, device), to_torch(b[:, None], device)).solution[:, 0]
    assert_close(x, xt, rtol=1e-10, atol=1e-12, name="least-squares x")
    assert_close(A.T @ (A @ x - b), np.zeros(4), rtol=0, atol=1e-12, name="normal equations")


@SETTINGS
@given(m=st.integers(1, 8), data=st.data(), seed=SEEDS, modified=st.booleans())
def test_gram_schmidt_vs_qr_and_torch(device, m, data, seed, modified):
    """Full column rank, singular values in [1, 10]: Gram-Schmidt = the sign-fixed qr."""
    n = data.draw(st.integers(0, m), label="n")
    rng = np.random.default_rng(seed)
    A = random_orthogonal(m, rng)[:, :n] * np.linspace(1, 10, n) @ random_orthogonal(n, rng).T
    Q, R = linalg.gram_schmidt(A, modified=modified)
    assert Q.shape == (m, n) and R.shape == (n, n)
    assert np.array_equal(R, np.triu(R)) and np.all(np.diag(R) > 0)
    check_orthonormal_columns(Q, "Q")
    assert_close(Q @ R, A, rtol=0, atol=1e-12, name="Q R")
    Qh, Rh = sign_fixed(*linalg.qr(A))
    assert_close(Q, Qh, rtol=0, atol=1e-12, name="Q vs qr")
    assert_close(R, Rh, rtol=0, atol=1e-12, name="R vs qr")
    Qt, Rt = sign_fixed(*torch.linalg.qr(to_torch(A, device)))
    assert_close(Q, Qt, rtol=0, atol=1e-12, name="Q vs torch")
    assert_close(R, Rt, rtol=0, atol=1e-12, name="R vs torch")


def test_gram_schmidt_loss_of_orthogonality():
    """||Q^T Q - I||: about eps kappa^2 (classical), eps kappa (modified), eps (Householder)."""
    rng = np.random.default_rng(4)
    n, eps = 12, np.finfo(float).eps
    losses = {}
    for kappa in (1e4, 1e7):
        A = random_orthogonal(40, rng)[:, :n] * np.logspace(0, -np.log10(kappa), n)
        A = A @ random_orthogonal(n, rng).T  # (40, 12), condition number kappa
        for name, (Q, _) in [
            ("classical", linalg.gram_schmidt(A, modified=False)),
            ("modified", linalg.gram_schmidt(A)),
            ("householder", linalg.qr(A)),
        ]:
            losses[name, kappa] = float(np.abs(Q.T @ Q - np.eye(n)).max())
    for kappa in (1e4, 1e7):
        assert 1e-2 * eps * kappa**2 < losses["classical", kappa] < 1e2 * eps * kappa**2
        assert 1e-2 * eps * kappa < losses["modified", kappa] < 1e2 * eps * kappa
        assert losses["householder", kappa] < 10 * eps
    assert losses["classical", 1e7] > 1e-4, "classical Gram-Schmidt has lost orthogonality"


def test_qr_gram_schmidt_dtypes():
    A = np.array([[2, 1], [1, 3], [0, 1]])
    for f in (linalg.qr, linalg.gram_schmidt):
        assert all(x.dtype == np.float64 for x in f(A))
        assert all(x.dtype == np.float32 for x in f(A.astype(np.float32)))
        assert all(x.dtype == np.float64 for x in f(A > 0))
    assert linalg.qr(A.astype(np.float32), mode="r")[0].shape == (0,)
    assert linalg.qr(A.astype(np.float32), mode="r")[0].dtype == np.float32


# ----------------------------------------------------------------------------- parallel Jacobi


def test_round_robin_pairs():
    for n in [*range(12), 101]:
        rounds = linalg._round_robin_pairs(n)
        assert rounds.shape == ((n - 1 + n % 2) if n > 1 else 0, n // 2, 2)
        flat = rounds.reshape(-1, 2)
        assert np.all(flat[:, 0] < flat[:, 1])
        assert len({tuple(p) for p in flat}) == len(flat) == n * (n - 1) // 2, "every pair once"
        for pairs in rounds:
            assert len(np.unique(pairs)) == pairs.size, "the pairs of a round are disjoint"


@pytest.mark.parametrize("shape", [(60, 45), (45, 60), (33, 33), (64, 2), (17, 16)])
def test_svd_larger_vs_torch(device, shape):
    A = np.random.default_rng(sum(shape)).standard_normal(shape) * np.logspace(0, -8, shape[1])
    check_svd(A, device)  # graded columns, even and odd sizes
    check_svd(A, device, full_matrices=False)


@pytest.mark.parametrize("seed", [2, 17])
def test_svd_tiny_and_subnormal_entries(device, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((18, 15)) * (rng.random((18, 15)) < 0.3)
    A *= rng.choice([1.0, 1e-200, 1e-320], A.shape)  # down to subnormal numbers
    check_svd(A, device)
    check_svd(A.T, device)


@pytest.mark.parametrize("n", [33, 64])
def test_eigh_larger_vs_torch(device, n):
    M = np.random.default_rng(n).standard_normal((n, n))
    A = M + M.T
    w, V = linalg.eigh(A)
    scale = float(np.abs(w).max())
    assert_close(
        w, torch.linalg.eigvalsh(to_torch(A, device)), rtol=1e-10, atol=1e-13 * scale, name="w"
    )
    check_orthonormal_columns(V, "V")
    assert_close(V * w @ V.T, A, rtol=0, atol=1e-12 * scale, name="V diag(w) V^T")


def test_jacobi_not_converged_raises(monkeypatch):
    monkeypatch.setattr(linalg, "_MAX_SWEEPS", 1)
    A = np.random.default_rng(0).standard_normal((10, 10))
    with pytest.raises(np.linalg.LinAlgError, match="svd: Jacobi iteration did not converge in 1"):
        linalg.svd(A)
    with pytest.raises(np.linalg.LinAlgError, match="eigh: Jacobi iteration did not converge in 1"):
        linalg.eigh(A + A.T)


# ----------------------------------------------------------------------------- PCA


def check_pca_vs_sklearn(X, n_components):
    ours = linalg.PCA(n_components).fit(X)
    ref = SkPCA(n_components, svd_solver="full").fit(X)
    total = ref.explained_variance_.max()
    assert_close(ours.mean_, ref.mean_, name="mean_")
    assert_close(ours.explained_variance_, ref.explained_variance_, rtol=1e-9, atol=1e-12 * total)
    assert_close(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-9, atol=1e-13
    )
    assert_close(ours.singular_values_, ref.singular_values_, rtol=1e-9, atol=1e-10)
    # compare the axes whose variance is well separated from its neighbours
    var = ref.explained_variance_
    gaps = np.abs(np.diff(np.concatenate([[np.inf], var, [0.0]])))
    ok = np.minimum(gaps[:-1], gaps[1:]) > 1e-3 * total
    signs = np.sign(np.sum(ours.components_ * ref.components_, axis=1))
    assert_close((ours.components_ * signs[:, None])[ok], ref.components_[ok], rtol=0, atol=1e-6)
    return ours


def test_pca_digits():
    X = load_digits().data
    check_pca_vs_sklearn(X, 10)
    pca = check_pca_vs_sklearn(X, None)
    assert pca.components_.shape == (64, 64)
    assert_close(pca.inverse_transform(pca.transform(X)), X, rtol=0, atol=1e-10, name="round trip")
    assert_close(pca.fit_transform(X), pca.transform(X), rtol=0, atol=1e-10, name="fit_transform")


@pytest.mark.parametrize("shape", [(50, 5), (5, 50), (20, 20)])
def test_pca_random(shape):
    X = np.random.default_rng(0).standard_normal(shape) * np.linspace(1, 5, shape[1])
    pca = check_pca_vs_sklearn(X, None)
    assert_close(pca.inverse_transform(pca.transform(X)), X, rtol=0, atol=1e-10, name="round trip")
    top = pca.components_[np.arange(len(pca.components_)), np.argmax(np.abs(pca.components_), 1)]
    assert np.all(top > 0), "sign convention"
    Z = linalg.PCA(2).fit_transform(X)
    assert Z.shape == (shape[0], 2)


# ----------------------------------------------------------------------------- bad inputs
# Every refusal: the exception class, and a message "func: arg ..." saying what was given.


SQUARE_FUNCS = [
    linalg.lu,
    linalg.inv,
    linalg.det,
    linalg.slogdet,
    linalg.eigh,
    linalg.power_iteration,
]
ALL_FUNCS = [
    *SQUARE_FUNCS,
    linalg.svd,
    linalg.pinv,
    linalg.matrix_rank,
    linalg.eig_2x2,
    linalg.qr,
    linalg.gram_schmidt,
]


@pytest.mark.parametrize("func", SQUARE_FUNCS, ids=lambda f: f.__name__)
def test_non_square(func):
    with pytest.raises(
        ValueError, match=rf"^{func.__name__}: A must be square, got shape \(2, 3\)$"
    ):
        func(np.ones((2, 3)))


@pytest.mark.parametrize("func", ALL_FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", [(3,), (2, 2, 2), ()])
def test_not_2d(func, shape):
    with pytest.raises(ValueError, match=rf"^{func.__name__}: A must be 2-D, got shape"):
        func(np.ones(shape))


@pytest.mark.parametrize("func", ALL_FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_inf(func, bad):
    A = np.eye(2)
    A[0, 1] = bad
    msg = rf"^{func.__name__}: A must be finite, got {bad} at index \(0, 1\) \(shape \(2, 2\)\)$"
    with pytest.raises(ValueError, match=msg):
        func(A)


@pytest.mark.parametrize("func", ALL_FUNCS, ids=lambda f: f.__name__)
def test_wrong_dtype(func):
    name = func.__name__
    with pytest.raises(TypeError, match=rf"^{name}: A must be real, got complex dtype complex128"):
        func(np.eye(2) * 1j)
    with pytest.raises(TypeError, match=rf"^{name}: A must be a real numeric array, got dtype <U1"):
        func(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(TypeError, match=rf"^{name}: A must be a real numeric array, got dtype obj"):
        func(np.eye(2).astype(object))
    with pytest.raises(
        TypeError, match=rf"^{name}: A must be a real array or number, got NoneType"
    ):
        func(None)


@pytest.mark.parametrize("func", ALL_FUNCS, ids=lambda f: f.__name__)
def test_ragged(func):
    with pytest.raises(ValueError, match=rf"^{func.__name__}: A is not a rectangular array"):
        func([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("func", [linalg.lu, linalg.inv], ids=lambda f: f.__name__)
def test_singular(func):
    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])  # numerically singular
    msg = rf"^{func.__name__}: A of shape \(3, 3\) is singular \(zero pivot in column 2\)$"
    with pytest.raises(np.linalg.LinAlgError, match=msg):
        func(A)
    with pytest.raises(np.linalg.LinAlgError, match="zero pivot in column 0"):
        func(np.zeros((3, 3)))


def test_solve_singular():
    A = np.array([[1.0, 2.0], [2.0, 4.0]])
    msg = r"^solve: A of shape \(2, 2\) is singular \(zero pivot in column 1\)$"
    with pytest.raises(np.linalg.LinAlgError, match=msg):
        linalg.solve(A, np.ones(2))


@pytest.mark.parametrize("shape", [(3,), (3, 2)])
def test_solve_shape_mismatch(shape):
    msg = (
        r"^solve: B must have shape \(2,\) or \(2, k\) to match A of shape \(2, 2\), "
        rf"got shape {re.escape(str(shape))}$"
    )
    with pytest.raises(ValueError, match=msg):
        linalg.solve(np.eye(2), np.ones(shape))


def test_solve_bad_B_and_A():
    with pytest.raises(ValueError, match=r"^solve: B must be 1-D or 2-D, got shape \(2, 2, 2\)$"):
        linalg.solve(np.eye(2), np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match=r"^solve: B must be finite, got nan at index \(1,\)"):
        linalg.solve(np.eye(2), np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match=r"^solve: B must be real, got complex dtype"):
        linalg.solve(np.eye(2), np.ones(2) * 1j)
    with pytest.raises(ValueError, match=r"^solve: A must be square, got shape \(2, 3\)$"):
        linalg.solve(np.ones((2, 3)), np.ones(2))


def test_eigh_non_symmetric():
    msg = r"^eigh: A must be symmetric, got shape \(2, 2\) with \|\|A - A\^T\|\| / \|\|A\|\| = "
    with pytest.raises(ValueError, match=msg):
        linalg.eigh(np.array([[1.0, 2.0], [0.0, 1.0]]))
    linalg.eigh(np.array([[1.0, 2.0], [2.0 + 1e-14, 1.0]]))  # rounding-level asymmetry is fine


def test_eig_2x2_wrong_shape():
    with pytest.raises(ValueError, match=r"^eig_2x2: A must be 2x2, got shape \(3, 3\)$"):
        linalg.eig_2x2(np.eye(3))


def test_power_iteration_empty():
    with pytest.raises(
        ValueError, match=r"^power_iteration: A must be non-empty, got shape \(0, 0\)$"
    ):
        linalg.power_iteration(np.zeros((0, 0)))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_iters": 2.5}, TypeError, "num_iters must be an int, got float 2.5"),
        ({"num_iters": "10"}, TypeError, "num_iters must be an int, got str '10'"),
        ({"num_iters": True}, TypeError, "num_iters must be an int, got bool True"),
        ({"num_iters": 0}, ValueError, "num_iters must be >= 1, got 0"),
        ({"tol": "a"}, TypeError, "tol must be a real number, got str 'a'"),
        ({"tol": None}, TypeError, "tol must be a real number, got NoneType None"),
        ({"num_iters": -5}, ValueError, "num_iters must be >= 1, got -5"),
        ({"tol": -1.0}, ValueError, "tol must be > 0.0, got -1.0"),
        ({"tol": 0.0}, ValueError, "tol must be > 0.0, got 0.0"),
        ({"tol": np.nan}, ValueError, "tol must be a finite number, got nan"),
    ],
)
def test_power_iteration_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=rf"^power_iteration: {re.escape(match)}$"):
        linalg.power_iteration(np.eye(2), **kwargs)


@pytest.mark.parametrize("rng", [None, 0, 7, np.int64(3), np.random.default_rng(1)])
def test_power_iteration_rng_accepted(rng):
    lam, v = linalg.power_iteration(np.diag([3.0, 1.0, 0.5]), rng=rng)
    assert_close(lam, 3.0, rtol=1e-12, name="dominant eigenvalue")
    assert_close(v, np.array([1.0, 0.0, 0.0]), rtol=0, atol=1e-6, name="eigenvector")


@pytest.mark.parametrize(
    ("rng", "error", "match"),
    [
        (
            1.5,
            TypeError,
            "rng must be None, an int seed or a numpy.random.Generator, got float 1.5",
        ),
        ("a", TypeError, "rng must be None, an int seed or a numpy.random.Generator, got str 'a'"),
        (True, TypeError, "rng must be None, an int seed or a numpy.random.Generator, got bool"),
        (np.random.RandomState(0), TypeError, "got RandomState"),
        (-1, ValueError, "rng seed must be >= 0, got -1"),
    ],
)
def test_power_iteration_rng_refused(rng, error, match):
    with pytest.raises(error, match=r"^power_iteration: rng ") as info:
        linalg.power_iteration(np.eye(2), rng=rng)
    assert match in str(info.value)


def test_power_iteration_takes_an_int_seed_like_a_generator():
    A = np.diag([3.0, 1.0, 0.5]) + 0.1  # stopped at a loose tol: the start shows
    by_seed = linalg.power_iteration(A, tol=1e-2, rng=7)
    by_generator = linalg.power_iteration(A, tol=1e-2, rng=np.random.default_rng(7))
    assert by_seed[0] == by_generator[0]
    np.testing.assert_array_equal(by_seed[1], by_generator[1])
    gen = np.random.default_rng(7)
    first = linalg.power_iteration(A, tol=1e-2, rng=gen)
    assert not np.array_equal(first[1], linalg.power_iteration(A, tol=1e-2, rng=gen)[1]), (
        "a Generator is advanced, not reset"
    )


@pytest.mark.parametrize(
    ("full_matrices", "shown"), [("no", "str 'no'"), (1, "int 1"), (None, "NoneType None")]
)
def test_svd_full_matrices_must_be_bool(full_matrices, shown):
    msg = rf"^svd: full_matrices must be True or False, got {re.escape(shown)}$"
    with pytest.raises(TypeError, match=msg):
        linalg.svd(np.eye(2), full_matrices=full_matrices)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ("a", TypeError, "must be a real number, got str 'a'"),
        (True, TypeError, "must be a real number, got bool True"),
        (-1.0, ValueError, "must be >= 0.0, got -1.0"),
        (np.inf, ValueError, "must be a finite number, got inf"),
    ],
)
@pytest.mark.parametrize(("func", "arg"), [(linalg.pinv, "rtol"), (linalg.matrix_rank, "tol")])
def test_pinv_rank_bad_cutoff(func, arg, value, error, match):
    with pytest.raises(error, match=rf"^{func.__name__}: {arg} {re.escape(match)}$"):
        func(np.eye(2), **{arg: value})


@pytest.mark.parametrize("n_components", [0, -1])
def test_pca_n_components_not_positive(n_components):
    with pytest.raises(ValueError, match=rf"^PCA: n_components must be >= 1, got {n_components}$"):
        linalg.PCA(n_components)


def test_pca_n_components_above_the_data():
    msg = (
        r"^PCA.fit: n_components must be between 1 and min\(n_samples, n_features\) = 5 "
        r"for X of shape \(10, 5\), got 6$"
    )
    with pytest.raises(ValueError, match=msg):
        linalg.PCA(6).fit(np.ones((10, 5)))


@pytest.mark.parametrize(
    ("n_components", "shown"), [(2.0, "float 2.0"), ("2", "str '2'"), (True, "bool True")]
)
def test_pca_bad_n_components_type(n_components, shown):
    with pytest.raises(TypeError, match=rf"^PCA: n_components must be an int, got {shown}$"):
        linalg.PCA(n_components)


def test_pca_not_fitted():
    pca = linalg.PCA(2)
    msg = r"^PCA.transform: this PCA is not fitted yet; call fit\(X\) first$"
    with pytest.raises(linalg.NotFittedError, match=msg):
        pca.transform(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"^PCA.inverse_transform: this PCA is not fitted yet"):
        pca.inverse_transform(np.ones((3, 2)))


def test_pca_bad_X():
    pca = linalg.PCA(2)
    with pytest.raises(
        ValueError,
        match=r"^PCA.fit: X must have at least 2 samples and 1 feature, got shape \(1, 4\)$",
    ):
        pca.fit(np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"^PCA.fit: X must be 2-D, got shape \(4,\)$"):
        pca.fit(np.ones(4))
    with pytest.raises(TypeError, match=r"^PCA.fit: X must be real, got complex dtype"):
        pca.fit(np.ones((3, 4)) * 1j)
    pca.fit(np.random.default_rng(0).standard_normal((10, 4)))
    with pytest.raises(
        ValueError,
        match=r"^PCA.transform: X must have 4 columns \(n_features_in_\), got shape \(3, 5\)$",
    ):
        pca.transform(np.ones((3, 5)))
    with pytest.raises(
        ValueError,
        match=r"^PCA.inverse_transform: Z must have 2 columns \(n_components_\), got shape",
    ):
        pca.inverse_transform(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"^PCA.transform: X must be finite, got nan"):
        pca.transform(np.full((3, 4), np.nan))


@pytest.mark.parametrize(
    ("k", "error", "match"),
    [
        (1.5, TypeError, "k must be an int, got float 1.5"),
        (True, TypeError, "k must be an int, got bool True"),
        (None, TypeError, "k must be an int, got NoneType None"),
        (-1, ValueError, "k must be >= 0, got -1"),
        (3, ValueError, "k must be <= 2, got 3"),
    ],
)
def test_low_rank_bad_k(k, error, match):
    U, S, Vh = linalg.svd(np.eye(2))
    with pytest.raises(error, match=rf"^low_rank: {re.escape(match)}$"):
        linalg.low_rank(U, S, Vh, k)


def test_low_rank_bad_factors():
    U, S, Vh = linalg.svd(np.ones((3, 2)), full_matrices=False)  # (3, 2), (2,), (2, 2)
    cases = [
        ((U[:, :1], S, Vh), r"U must have at least len\(S\) = 2 columns, got shape \(3, 1\)"),
        ((U, S, Vh[:1]), r"Vh must have at least len\(S\) = 2 rows, got shape \(1, 2\)"),
        ((U[:, 0], S, Vh), r"U must be 2-D, got shape \(3,\)"),
        ((U, S[None], Vh), r"S must be 1-D, got shape \(1, 2\)"),
        ((U, S, Vh[0]), r"Vh must be 2-D, got shape \(2,\)"),
        ((U, np.array([1.0, np.nan]), Vh), r"S must be finite, got nan at index \(1,\)"),
    ]
    for factors, msg in cases:
        with pytest.raises(ValueError, match=rf"^low_rank: {msg}"):
            linalg.low_rank(*factors, 1)
    with pytest.raises(TypeError, match=r"^low_rank: U must be real, got complex dtype"):
        linalg.low_rank(U * 1j, S, Vh, 1)
    with pytest.raises(TypeError, match=r"^low_rank: S must be a real numeric array, got dtype"):
        linalg.low_rank(U, np.array(["a", "b"]), Vh, 1)
