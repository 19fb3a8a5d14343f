"""mathdl.linalg under bad and extreme input: clear refusals, torch's answers at the edges.

* ``BAD``: every public function (and PCA method) x bad inputs. Each case asserts the
  exception class and that the message starts ``"func: arg "``.
* ``EXTREME``: +-1e308, subnormals, scalings by 1e+-300, empty shapes, float32, int and
  bool arrays, lists and non-contiguous views, compared with torch in float64 (for a
  scaled input, torch on the unscaled one, scaled by the exact law: ``svd(cA) = c svd(A)``
  -- torch itself gives NaN for ``svdvals(1e308 * [[1, 1], [1, -1]])``), every case under
  ``warnings.simplefilter("error", RuntimeWarning)``. NaN and inf are refused by every
  routine here (ValueError), so they are in ``BAD``.
* One test per bug of issue 9, then hypothesis: scaling by ``10^k`` scales the answer.

The tables hold function *names* (``"svd"``, ``"PCA.fit"``), called through :func:`call`,
so the same cases can be run against another copy of the module.
"""

# The case tables are one line per case, tinygrad style.
# ruff: noqa: E501

import math
import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import SEEDS, SETTINGS

from mathdl import linalg
from mathdl.testing import assert_close, to_numpy, to_torch

X_FIT = np.random.default_rng(0).standard_normal((6, 2)) * [3.0, 1.0]  # PCA training data


def call(name: str, *args, **kwargs):
    """Call the public function ``name`` of :mod:`mathdl.linalg`; PCA methods on a fresh PCA.

    ``"PCA"`` is the constructor, ``"PCA.fit"`` / ``"PCA.fit_transform"`` run on ``PCA()``,
    ``"PCA.transform"`` / ``"PCA.inverse_transform"`` on ``PCA().fit(X_FIT)``, and
    ``"unfitted PCA.transform"`` on a PCA never fitted.
    """
    if name == "PCA":
        return linalg.PCA(*args, **kwargs)
    if name.startswith("unfitted PCA."):
        return getattr(linalg.PCA(), name.split(".")[1])(*args, **kwargs)
    if name.startswith("PCA."):
        pca = linalg.PCA()
        method = name.split(".")[1]
        if method in ("transform", "inverse_transform"):
            pca.fit(X_FIT)
        return getattr(pca, method)(*args, **kwargs)
    return getattr(linalg, name)(*args, **kwargs)


# ----------------------------------------------------------------------------- bad input

SPD = np.array([[2.0, 0.5], [0.5, 1.0]])  # a valid A for every square function
# (function, argument, builds the call from the argument's value, a valid value)
ARRAY_ARGS = [
    ("lu", "A", lambda x: call("lu", x), SPD),
    ("solve", "A", lambda x: call("solve", x, np.ones(2)), SPD),
    ("solve", "B", lambda x: call("solve", SPD, x), np.ones(2)),
    ("inv", "A", lambda x: call("inv", x), SPD),
    ("det", "A", lambda x: call("det", x), SPD),
    ("eigh", "A", lambda x: call("eigh", x), SPD),
    ("power_iteration", "A", lambda x: call("power_iteration", x, rng=0), SPD),
    ("eig_2x2", "A", lambda x: call("eig_2x2", x), SPD),
    ("svd", "A", lambda x: call("svd", x), SPD),
    ("pinv", "A", lambda x: call("pinv", x), SPD),
    ("matrix_rank", "A", lambda x: call("matrix_rank", x), SPD),
    ("low_rank", "U", lambda x: call("low_rank", x, np.ones(2), np.eye(2), 1), np.eye(2)),
    ("low_rank", "S", lambda x: call("low_rank", np.eye(2), x, np.eye(2), 1), np.ones(2)),
    ("low_rank", "Vh", lambda x: call("low_rank", np.eye(2), np.ones(2), x, 1), np.eye(2)),
    ("PCA.fit", "X", lambda x: call("PCA.fit", x), X_FIT),
    ("PCA.fit_transform", "X", lambda x: call("PCA.fit_transform", x), X_FIT),
    ("PCA.transform", "X", lambda x: call("PCA.transform", x), X_FIT[:3]),
    ("PCA.inverse_transform", "Z", lambda x: call("PCA.inverse_transform", x), X_FIT[:3]),
    ("qr", "A", lambda x: call("qr", x), SPD),
    ("gram_schmidt", "A", lambda x: call("gram_schmidt", x), SPD),
]


def with_entry(good, value):
    """``good`` (float64) with its first entry replaced by ``value``."""
    x = np.array(good, dtype=float)
    x.flat[0] = value
    return x


# (id, the bad value made from a valid one, error, what the message says after "func: arg ")
BAD_VALUES = [
    ("str", lambda g: "abc", TypeError, "must be a real array or number, got str"),
    ("None", lambda g: None, TypeError, "must be a real array or number, got NoneType"),
    ("object", lambda g: object(), TypeError, "must be a real numeric array, got dtype object"),
    ("object-array", lambda g: g.astype(object), TypeError, "must be a real numeric array"),
    ("strings", lambda g: g.astype(str), TypeError, "must be a real numeric array, got dtype <U"),
    ("complex", lambda g: g * 1j, TypeError, "must be real, got complex dtype complex128"),
    ("ragged", lambda g: [[1.0, 2.0], [3.0]] if g.ndim == 2 else [1.0, [2.0, 3.0]], ValueError,
     "is not a rectangular array"),
    ("nan", lambda g: with_entry(g, np.nan), ValueError, "must be finite, got nan at index"),
    ("inf", lambda g: with_entry(g, np.inf), ValueError, "must be finite, got inf at index"),
    ("-inf", lambda g: with_entry(g, -np.inf), ValueError, "must be finite, got -inf at index"),
    ("0-d", lambda g: np.float64(1.0) if g.ndim == 2 else np.ones((2, 2, 2)), ValueError,
     "must be [12]-D( or 2-D)?, got shape"),
    ("fewer-dims", lambda g: g[0] if g.ndim == 2 else np.float64(1.0), ValueError,
     "must be [12]-D( or 2-D)?, got shape"),
    ("more-dims", lambda g: g[None, None], ValueError, "must be [12]-D( or 2-D)?, got shape"),
]  # fmt: skip

# Cases one by one: (id, function name, args, kwargs, error, message after "^")
_A, _B, _ROT = np.eye(2), np.ones(2), np.array([[0.0, -1.0], [1.0, 0.0]])
SPECIFIC = [
    *[(f"{f}-non-square", f, (np.ones((2, 3)),), {}, ValueError, rf"{f}: A must be square, got shape \(2, 3\)$")
      for f in ("lu", "inv", "det", "eigh", "power_iteration")],
    ("solve-A-non-square", "solve", (np.ones((2, 3)), _B), {}, ValueError, r"solve: A must be square"),
    ("solve-B-rows", "solve", (_A, np.ones(3)), {}, ValueError, r"solve: B must have shape \(2,\) or \(2, k\) to match A of shape \(2, 2\), got shape \(3,\)$"),
    ("solve-B-rows-2d", "solve", (_A, np.ones((3, 2))), {}, ValueError, r"solve: B must have shape \(2,\) or \(2, k\)"),
    ("solve-singular", "solve", (np.ones((2, 2)), _B), {}, np.linalg.LinAlgError, r"solve: A of shape \(2, 2\) is singular"),
    ("inv-singular", "inv", (np.ones((2, 2)),), {}, np.linalg.LinAlgError, r"inv: A of shape \(2, 2\) is singular"),
    # pivots below n eps max|A| are refused (torch inverts diag(1e300, 1e-300) exactly)
    ("inv-graded-singular", "inv", (np.diag([1e300, 1e-300]),), {}, np.linalg.LinAlgError, r"inv: A of shape \(2, 2\) is singular \(zero pivot in column 1\)$"),
    ("lu-singular", "lu", (np.zeros((2, 2)),), {}, np.linalg.LinAlgError, r"lu: A of shape \(2, 2\) is singular"),
    ("eigh-non-symmetric", "eigh", (np.array([[1.0, 2.0], [0.0, 1.0]]),), {}, ValueError, r"eigh: A must be symmetric"),
    ("eigh-skew-1e308", "eigh", (np.array([[0.0, 1e308], [-1e308, 0.0]]),), {}, ValueError, r"eigh: A must be symmetric"),
    ("eigh-skew-1e-320", "eigh", (np.array([[0.0, 1e-320], [-1e-320, 0.0]]),), {}, ValueError, r"eigh: A must be symmetric"),
    ("eig_2x2-3x3", "eig_2x2", (np.eye(3),), {}, ValueError, r"eig_2x2: A must be 2x2, got shape \(3, 3\)$"),
    ("eig_2x2-empty", "eig_2x2", (np.zeros((0, 0)),), {}, ValueError, r"eig_2x2: A must be 2x2, got shape \(0, 0\)$"),
    ("power-empty", "power_iteration", (np.zeros((0, 0)),), {}, ValueError, r"power_iteration: A must be non-empty, got shape \(0, 0\)$"),
    ("power-iters-float", "power_iteration", (_A,), {"num_iters": 2.5}, TypeError, r"power_iteration: num_iters must be an int, got float 2.5$"),
    ("power-iters-str", "power_iteration", (_A,), {"num_iters": "10"}, TypeError, r"power_iteration: num_iters must be an int, got str '10'$"),
    ("power-iters-bool", "power_iteration", (_A,), {"num_iters": True}, TypeError, r"power_iteration: num_iters must be an int, got bool"),
    ("power-iters-None", "power_iteration", (_A,), {"num_iters": None}, TypeError, r"power_iteration: num_iters must be an int, got NoneType"),
    ("power-iters-0", "power_iteration", (_A,), {"num_iters": 0}, ValueError, r"power_iteration: num_iters must be >= 1, got 0$"),
    ("power-iters-neg", "power_iteration", (_A,), {"num_iters": -5}, ValueError, r"power_iteration: num_iters must be >= 1, got -5$"),
    ("power-tol-str", "power_iteration", (_A,), {"tol": "a"}, TypeError, r"power_iteration: tol must be a real number, got str 'a'$"),
    ("power-tol-None", "power_iteration", (_A,), {"tol": None}, TypeError, r"power_iteration: tol must be a real number, got NoneType"),
    ("power-tol-bool", "power_iteration", (_A,), {"tol": True}, TypeError, r"power_iteration: tol must be a real number, got bool"),
    ("power-tol-complex", "power_iteration", (_A,), {"tol": 1e-3j}, TypeError, r"power_iteration: tol must be a real number"),
    ("power-tol-neg", "power_iteration", (np.diag([1.0, 0.5]),), {"num_iters": 10**7, "tol": -1.0}, ValueError, r"power_iteration: tol must be > 0.0, got -1.0$"),
    ("power-tol-0", "power_iteration", (np.diag([1.0, 0.5]),), {"num_iters": 10**7, "tol": 0.0}, ValueError, r"power_iteration: tol must be > 0.0, got 0.0$"),
    ("power-tol-nan", "power_iteration", (_A,), {"tol": np.nan}, ValueError, r"power_iteration: tol must be a finite number, got nan$"),
    ("power-tol-inf", "power_iteration", (_A,), {"tol": np.inf}, ValueError, r"power_iteration: tol must be a finite number, got inf$"),
    ("power-rng-float", "power_iteration", (_A,), {"rng": 1.5}, TypeError, r"power_iteration: rng must be None, an int seed or a numpy.random.Generator, got float 1.5$"),
    ("power-rng-str", "power_iteration", (_A,), {"rng": "a"}, TypeError, r"power_iteration: rng must be None"),
    ("power-rng-bool", "power_iteration", (_A,), {"rng": True}, TypeError, r"power_iteration: rng must be None"),
    ("power-rng-legacy", "power_iteration", (_A,), {"rng": np.random.RandomState(0)}, TypeError, r"power_iteration: rng must be None.*got RandomState"),
    ("power-rng-neg", "power_iteration", (_A,), {"rng": -1}, ValueError, r"power_iteration: rng seed must be >= 0, got -1$"),
    ("power-rotation", "power_iteration", (_ROT,), {"rng": 0}, np.linalg.LinAlgError, r"power_iteration: A has no dominant eigenvalue: .*0\+1j and 0-1j"),
    ("power-plus-minus", "power_iteration", (np.diag([2.0, -2.0]),), {"rng": 0}, np.linalg.LinAlgError, r"power_iteration: A has no dominant eigenvalue: .*2\+0j and -2\+0j"),
    ("power-plus-minus-3", "power_iteration", (np.diag([3.0, -3.0, 1.0]),), {"rng": 0}, np.linalg.LinAlgError, r"power_iteration: A has no dominant eigenvalue"),
    ("power-rotation-huge", "power_iteration", (1e300 * _ROT,), {"rng": 0}, np.linalg.LinAlgError, r"power_iteration: A has no dominant eigenvalue: .*1e\+300j"),
    ("power-slow", "power_iteration", (np.diag([1.0, 0.999]),), {"num_iters": 10, "rng": 0}, np.linalg.LinAlgError, r"power_iteration: did not converge in 10 iterations"),
    *[(f"svd-full-{v!r}", "svd", (_A,), {"full_matrices": v}, TypeError, r"svd: full_matrices must be True or False, got ")
      for v in ("no", 1, None, 1.0)],
    *[(f"{f}-{arg}-{v!r}", f, (_A,), {arg: v}, err, rf"{f}: {arg} must be {msg}")
      for f, arg in (("pinv", "rtol"), ("matrix_rank", "tol"))
      for v, err, msg in (("a", TypeError, "a real number"), (True, TypeError, "a real number"),
                          (-1.0, ValueError, ">= 0.0, got -1.0$"), (np.nan, ValueError, "a finite number"),
                          (np.inf, ValueError, "a finite number"), ([0.1], TypeError, "a real number"))],
    ("low_rank-k-float", "low_rank", (_A, _B, _A, 1.5), {}, TypeError, r"low_rank: k must be an int, got float 1.5$"),
    ("low_rank-k-bool", "low_rank", (_A, _B, _A, True), {}, TypeError, r"low_rank: k must be an int, got bool"),
    ("low_rank-k-None", "low_rank", (_A, _B, _A, None), {}, TypeError, r"low_rank: k must be an int, got NoneType"),
    ("low_rank-k-neg", "low_rank", (_A, _B, _A, -1), {}, ValueError, r"low_rank: k must be >= 0, got -1$"),
    ("low_rank-k-big", "low_rank", (_A, _B, _A, 3), {}, ValueError, r"low_rank: k must be <= 2, got 3$"),
    ("low_rank-U-narrow", "low_rank", (np.ones((2, 1)), _B, _A, 1), {}, ValueError, r"low_rank: U must have at least len\(S\) = 2 columns, got shape \(2, 1\)$"),
    ("low_rank-Vh-short", "low_rank", (_A, _B, np.ones((1, 2)), 1), {}, ValueError, r"low_rank: Vh must have at least len\(S\) = 2 rows, got shape \(1, 2\)$"),
    *[(f"PCA-n-{v!r}", "PCA", (v,), {}, err, rf"PCA: n_components must be {msg}")
      for v, err, msg in ((2.0, TypeError, "an int, got float 2.0$"), ("2", TypeError, "an int, got str '2'$"),
                          (True, TypeError, "an int, got bool True$"), (0, ValueError, ">= 1, got 0$"),
                          (-1, ValueError, ">= 1, got -1$"), ([2], TypeError, "an int, got list"))],
    ("PCA.fit-one-sample", "PCA.fit", (np.ones((1, 4)),), {}, ValueError, r"PCA.fit: X must have at least 2 samples and 1 feature, got shape \(1, 4\)$"),
    ("PCA.fit-no-feature", "PCA.fit", (np.ones((5, 0)),), {}, ValueError, r"PCA.fit: X must have at least 2 samples and 1 feature, got shape \(5, 0\)$"),
    ("PCA.fit-empty", "PCA.fit", (np.ones((0, 3)),), {}, ValueError, r"PCA.fit: X must have at least 2 samples"),
    ("PCA.fit_transform-one-sample", "PCA.fit_transform", (np.ones((1, 4)),), {}, ValueError, r"PCA.fit_transform: X must have at least 2 samples"),
    ("PCA.transform-width", "PCA.transform", (np.ones((3, 5)),), {}, ValueError, r"PCA.transform: X must have 2 columns \(n_features_in_\), got shape \(3, 5\)$"),
    ("PCA.inverse_transform-width", "PCA.inverse_transform", (np.ones((3, 4)),), {}, ValueError, r"PCA.inverse_transform: Z must have 2 columns \(n_components_\), got shape \(3, 4\)$"),
    ("PCA.transform-unfitted", "unfitted PCA.transform", (np.ones((3, 2)),), {}, ValueError, r"PCA.transform: this PCA is not fitted yet; call fit\(X\) first$"),
    ("PCA.inverse_transform-unfitted", "unfitted PCA.inverse_transform", (np.ones((3, 2)),), {}, ValueError, r"PCA.inverse_transform: this PCA is not fitted yet"),
    *[(f"qr-mode-{v!r}", "qr", (_A,), {"mode": v}, TypeError, r"qr: mode must be one of \['reduced', 'complete', 'r'\], got ")
      for v in (None, 1, True, ["r"], b"r")],
    *[(f"qr-mode-{v!r}", "qr", (_A,), {"mode": v}, ValueError, rf"qr: mode must be one of \['reduced', 'complete', 'r'\], got '{v}'$")
      for v in ("full", "R", "", "economic", "raw")],
    ("gram_schmidt-wide", "gram_schmidt", (np.ones((2, 3)),), {}, ValueError, r"gram_schmidt: A must have at least as many rows as columns \(n <= m\), got shape \(2, 3\)"),
    ("gram_schmidt-0x2", "gram_schmidt", (np.ones((0, 2)),), {}, ValueError, r"gram_schmidt: A must have at least as many rows as columns"),
    *[(f"gram_schmidt-{name}-{mod}", "gram_schmidt", (A,), {"modified": mod}, np.linalg.LinAlgError, rf"gram_schmidt: column {j} of A \(shape \({A.shape[0]}, {A.shape[1]}\)\) lies in the span of the columns before it")
      for name, A, j in (("zeros", np.zeros((3, 2)), 0), ("zero-column", np.array([[1.0, 0.0], [2.0, 0.0]]), 1),
                         ("repeated-e1", np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]), 1),
                         ("e1-e2-sum", np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 3.0], [0.0, 0.0, 0.0]]), 2))
      for mod in (True, False)],
    *[(f"gram_schmidt-modified-{v!r}", "gram_schmidt", (_A,), {"modified": v}, TypeError, r"gram_schmidt: modified must be True or False, got ")
      for v in ("yes", 1, None, 1.0)],
]  # fmt: skip


def _bad_cases():
    """Every array argument x every bad value, then the specific cases, as thunks."""
    cases = []
    for func, arg, make_call, good in ARRAY_ARGS:
        for name, bad, error, msg in BAD_VALUES:
            value = bad(np.asarray(good))
            cases.append(
                (f"{func}-{arg}-{name}", lambda c=make_call, v=value: c(v), error, rf"^{re.escape(func)}: {arg} {msg}")
            )  # fmt: skip
    for case_id, name, args, kwargs, error, match in SPECIFIC:
        cases.append(
            (case_id, lambda n=name, a=args, k=kwargs: call(n, *a, **k), error, "^" + match)
        )
    return cases


BAD = _bad_cases()


@pytest.mark.parametrize(("thunk", "error", "match"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input(thunk, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(error, match=match):
            thunk()


def test_bad_ids_unique():
    ids = [c[0] for c in BAD]
    assert len(ids) == len(set(ids))


# ----------------------------------------------------------------------------- extreme values


def T(x, device="cpu"):
    """``x`` as a torch tensor on ``device``; float64 unless it is float32."""
    x = np.asarray(x)
    return to_torch(x if x.dtype == np.float32 else x.astype(np.float64), device)


def tclose(actual, expected, rtol, relative=False):
    """``|actual - expected| <= rtol (|expected| + max|expected|) + 1e-321``, the same dtype.

    With ``relative``, ``rtol |expected| + 1e-321``: every entry to its own relative accuracy.
    """
    actual, expected = np.asarray(actual), to_numpy(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} vs torch {expected.shape}"
    assert actual.dtype == expected.dtype, f"dtype {actual.dtype} vs torch {expected.dtype}"
    finite = np.abs(expected[np.isfinite(expected)])
    scale = 0.0 if relative else float(np.max(finite, initial=0.0))
    assert_close(actual, expected, rtol=rtol, atol=rtol * scale + 1e-321)


def rtol_for(*arrays):
    """1e-12 for float64 results, 1e-6 for float32 ones."""
    return 1e-6 if any(np.asarray(a).dtype == np.float32 for a in arrays) else 1e-12


def residual_check(left, right, s, name, float32=False):
    """``left ~ right``: both were divided by ``s`` (``max|A|``), so they are of size about 1.

    The tolerance is 1e-12 (1e-5 for float32) plus 8 subnormal steps ``2^-1074`` over
    ``s``: outputs in the subnormal range carry only a few digits.
    """
    tol = (1e-5 if float32 else 1e-12) + 8 * 2.0**-1074 / s
    assert_close(left, right, rtol=0, atol=tol, name=name)


def scale_of(A):
    """``max|A|`` as a float, 1.0 for a zero or empty ``A``."""
    return float(np.max(np.abs(np.asarray(A, dtype=np.float64)), initial=0.0)) or 1.0


def check_value(out, ref, A, relative=False):
    refs = ref if isinstance(ref, tuple) else (ref,)
    outs = out if isinstance(out, tuple) else (out,)
    for o, r in zip(outs, refs, strict=True):
        tclose(o, r, rtol_for(o), relative)


def check_eigh(out, ref, A, relative=False):
    w, V = out
    f32 = w.dtype == np.float32
    tclose(w, ref, rtol_for(w), relative)
    residual_check(V.T @ V, np.eye(len(w)), 1.0, "V^T V", f32)
    s = scale_of(A)
    residual_check((V * (w / s)) @ V.T, np.asarray(A, dtype=np.float64) / s, s, "V w V^T", f32)


def check_svd(out, ref, A, relative=False):
    U, S, Vh = out
    St, u_shape, vh_shape = ref
    assert U.shape == u_shape and Vh.shape == vh_shape, (U.shape, Vh.shape, u_shape, vh_shape)
    f32 = S.dtype == np.float32
    tclose(S, St, rtol_for(S), relative)
    residual_check(U.T @ U, np.eye(U.shape[1]), 1.0, "U^T U", f32)
    residual_check(Vh @ Vh.T, np.eye(Vh.shape[0]), 1.0, "Vh Vh^T", f32)
    k, s = len(S), scale_of(A)
    USVh = (U[:, :k] * (S / s)) @ Vh[:k]
    residual_check(USVh, np.asarray(A, dtype=np.float64) / s, s, "U S Vh", f32)


def check_power(out, ref, A):
    lam, v = out
    tclose(np.asarray(lam), ref, rtol_for(lam))
    s = scale_of(A)
    residual_check((np.asarray(A) / s) @ v, (lam / s) * v, s, "A v = lambda v")


def check_eig_2x2(out, ref, A):
    w, V = out
    r = to_numpy(ref)
    tclose(w[np.lexsort((w.imag, w.real))], r[np.lexsort((r.imag, r.real))], 1e-12)
    ok, s = np.isfinite(w), scale_of(A)  # A v = lambda v for the eigenvalues within range
    w_s = w[ok].real / s + 1j * (w[ok].imag / s)  # complex / subnormal would overflow
    residual = (np.asarray(A) / s) @ V[:, ok] - V[:, ok] * w_s
    residual_check(np.abs(residual), np.zeros(residual.shape), s, "A V = V w")


def check_pca(out, ref, A):
    for name, r in ref.items():
        ours = getattr(out, name)
        if name == "components_":  # up to sign, row by row
            ours = ours * np.sign(np.sum(ours * to_numpy(r), axis=1, keepdims=True))
        tclose(ours, r, 1e-10)


CHECKS = {
    "value": check_value,
    "eigh": check_eigh,
    "svd": check_svd,
    # graded and diagonal inputs: every entry, eigenvalue or singular value to its own 1e-12
    "value-relative": lambda out, ref, A: check_value(out, ref, A, relative=True),
    "eigh-relative": lambda out, ref, A: check_eigh(out, ref, A, relative=True),
    "svd-relative": lambda out, ref, A: check_svd(out, ref, A, relative=True),
    "power": check_power,
    "eig_2x2": check_eig_2x2,
    "pca": check_pca,
}

# references: torch on the unscaled input, scaled by the exact law (torch does not warn)


def ref_svd(A, c=1.0, full=True):
    def ref(d):
        Ut, St, Vht = torch.linalg.svd(T(A, d), full_matrices=full)
        return c * St, tuple(Ut.shape), tuple(Vht.shape)

    return ref


def ref_pca(X, c=1.0):
    """torch's PCA of ``X`` (float64), then of ``c X``: mean and S times c, variance times c^2."""

    def ref(d):
        Xt = T(X, d)
        mean = Xt.mean(0)
        _, S, Vh = torch.linalg.svd(Xt - mean, full_matrices=False)
        ratio = S**2 / torch.sum(S**2)
        ct = torch.tensor(c, dtype=Xt.dtype, device=d)
        return {
            "mean_": ct * mean,
            "singular_values_": ct * S,
            "explained_variance_": (ct * S) ** 2 / (X.shape[0] - 1),
            "explained_variance_ratio_": ratio,
            "components_": Vh,
        }

    return ref


def eigvalsh(A, c=1.0):
    return lambda d: c * torch.linalg.eigvalsh(T(A, d))


def dominant(A, c=1.0):
    def ref(d):
        w = torch.linalg.eigvalsh(T(A, d))
        return c * w[torch.argmax(torch.abs(w))]

    return ref


def solve_ref(A, B, c_a=1.0, c_b=1.0):
    return lambda d: torch.linalg.solve(T(A, d), T(B, d)) * (c_b / c_a)


def torch_fn(f, *arrays, c=1.0):
    """``c * f(*arrays)`` with torch; a tuple result is returned as a tuple."""

    def ref(d):
        out = f(*(T(x, d) for x in arrays))
        return tuple(c * o for o in out) if isinstance(out, tuple) else c * out

    return ref


def law_det(A, c):
    """``det(c A) = c^n det(A)``, formed with torch so that a true overflow gives inf quietly."""

    def ref(d):
        ct = torch.tensor(c, dtype=torch.float64, device=d)
        out = torch.linalg.det(T(A, d))
        for _ in range(A.shape[0]):
            out = out * ct
        return out

    return ref


def ref_qr(A, c=1.0, mode="reduced"):
    """torch's QR of ``A``, then of ``c A`` (``c > 0``): the same ``Q``, ``R`` times c."""

    def ref(d):
        Qt, Rt = torch.linalg.qr(T(A, d), mode=mode)
        return Qt, c * Rt

    return ref


def check_qr(out, ref, A, relative=False, compare=True):
    """Shapes and dtypes as torch, ``R`` upper triangular, ``Q^T Q = I``, ``Q R = A``, and both
    factors equal to torch's once the signs are fixed (``diag(R) >= 0``, row by row of ``R``
    and column by column of ``Q``). ``relative``: every entry of ``R`` to its own 1e-12.
    Without ``compare``, only the shapes, the dtypes and the invariants (backward stability)."""
    (Q, R), (Qt, Rt) = out, tuple(to_numpy(t) for t in ref)
    assert np.array_equal(R, np.triu(R)), "R is upper triangular"
    assert R.shape == Rt.shape and R.dtype == Rt.dtype, (R.shape, Rt.shape, R.dtype, Rt.dtype)
    assert Q.shape == Qt.shape and Q.dtype == Qt.dtype, (Q.shape, Qt.shape, Q.dtype, Qt.dtype)
    assert np.all(np.isfinite(R)) or not compare, "R is finite"
    k = min(R.shape)

    def fixed(Q, R):
        d = np.where(np.diag(R)[:k] < 0, -1, 1).astype(R.dtype)  # (k,)
        Q, R = Q.copy(), R.copy()
        R[:k] *= d[:, None]
        if Q.ndim == 2:
            Q[:, :k] *= d
        return Q, R

    if compare:
        (Qf, Rf), (Qtf, Rtf) = fixed(Q, R), fixed(Qt, Rt)
        tclose(Rf, Rtf, rtol_for(R), relative)
        tclose(Qf[..., :k], Qtf[..., :k], rtol_for(Q))  # mode="r": Q is empty, (0,)
    if Q.ndim == 2:  # not mode="r"
        f32 = R.dtype == np.float32
        residual_check(Q.T @ Q, np.eye(Q.shape[1]), 1.0, "Q^T Q", f32)
        s = scale_of(A)
        QR = Q.astype(np.float64) @ (R.astype(np.float64) / s)
        residual_check(QR, np.asarray(A, dtype=np.float64) / s, s, "Q R", f32)


CHECKS["qr"] = check_qr
CHECKS["qr-relative"] = lambda out, ref, A: check_qr(out, ref, A, relative=True)
CHECKS["qr-stable"] = lambda out, ref, A: check_qr(out, ref, A, compare=False)

B2 = np.array([[1.0, 2.0], [3.0, 4.0]])
S2 = np.array([[2.0, 1.0], [1.0, 3.0]])
R32 = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 2.0]])
H2 = np.array([[1.0, 1.0], [1.0, -1.0]])  # 1e308 * H2: entries at the top of the range
b2 = np.array([1.0, -2.0])
M6 = np.random.default_rng(6).standard_normal((6, 6))
MS6 = M6 + M6.T
X10 = np.random.default_rng(10).standard_normal((10, 3)) * [3.0, 2.0, 1.0]
SUB = 2.0**-1064  # 5.2e-321: 1, 2, 3, 4 times it are exact subnormal numbers
U3, s3, Vh3 = (to_numpy(t) for t in torch.linalg.svd(T(R32)))
LU = torch.linalg.lu

# (id, function name, args, reference(device), check)
EXTREME = [
    # scalings by 1e+-300, the top of the range and subnormal numbers
    *[(f"inv-{c:g}", "inv", (c * B2,), torch_fn(torch.linalg.inv, B2, c=1 / c), "value")
      for c in (1e300, 1e-300, 2.0**1020, SUB)],
    *[(f"lu-{c:g}", "lu", (c * B2,), lambda d, c=c: (lambda P, L, U: (P, L, c * U))(*LU(T(B2, d))), "value")
      for c in (1e300, 1e-300, 2.0**1020, SUB)],
    *[(f"det-{c:g}", "det", (c * B2,), law_det(B2, c), "value") for c in (1e300, 1e-300, 1e154, 2.0**1020, SUB)],
    ("det-graded-torch-0", "det", (np.diag([1e-200, 1e-200, 1e200, 1e200]),), lambda d: torch.tensor(1.0, dtype=torch.float64), "value"),
    ("det-graded-2", "det", (np.diag([1e300, 1e-300, 1e300, 1e-300]),), lambda d: torch.tensor(1.0, dtype=torch.float64), "value"),
    *[(f"solve-A{ca:g}-B{cb:g}", "solve", (ca * B2, cb * b2), solve_ref(B2, b2, ca, cb), "value")
      for ca, cb in ((1e300, 1.0), (1e-300, 1.0), (1.0, 1e300), (1.0, 1e-300), (1e300, 1e300), (1e-300, 1e-300),
                     (2.0**1020, 2.0**1020), (SUB, SUB), (2.0**1020, 1.0), (1.0, 2.0**1020))],
    ("solve-H-1e308", "solve", (1e308 * H2, np.array([1e308, 0.0])), lambda d: torch.tensor([0.5, 0.5], dtype=torch.float64), "value"),
    *[(f"eigh-{c:g}", "eigh", (c * S2,), eigvalsh(S2, c), "eigh") for c in (1e300, 1e-300, 2.0**1020, SUB)],
    ("eigh-H-1e308", "eigh", (1e308 * H2,), eigvalsh(H2, 1e308), "eigh"),
    ("eigh-diag-pm1e308", "eigh", (np.diag([1e308, -1e308]),), eigvalsh(np.diag([1.0, -1.0]), 1e308), "eigh-relative"),
    ("eigh-subnormal-diag", "eigh", (np.diag([1e-320, 2e-320]),), eigvalsh(np.diag([1e-320, 2e-320])), "eigh-relative"),
    ("eigh-graded", "eigh", (np.diag([1e150, 1.0, 1e-150]) + 1e-3,), lambda d: torch.tensor([9.99000000999998e-4, 1.001000999999, 1e150], dtype=torch.float64), "eigh-relative"),
    *[(f"svd-{c:g}", "svd", (c * R32,), ref_svd(R32, c), "svd") for c in (1e300, 1e-300, 2.0**1020, SUB)],
    *[(f"svd-T-{c:g}", "svd", (c * R32.T,), ref_svd(R32.T, c), "svd") for c in (1e300, SUB)],
    ("svd-H-1e308", "svd", (1e308 * H2,), ref_svd(H2, 1e308), "svd"),
    ("svd-diag-1e-200", "svd", (np.diag([1.0, 1e-200]),), ref_svd(np.diag([1.0, 1e-200])), "svd-relative"),
    ("svd-diag-1e-160", "svd", (np.diag([1.0, 1e-160]),), ref_svd(np.diag([1.0, 1e-160])), "svd-relative"),
    ("svd-diag-1e-300", "svd", (np.diag([1.0, 1e-300]),), ref_svd(np.diag([1.0, 1e-300])), "svd-relative"),
    ("svd-diag-1e-320", "svd", (np.diag([1.0, 1e-320]),), ref_svd(np.diag([1.0, 1e-320])), "svd-relative"),
    ("eigh-diag-1e300-1e-300", "eigh", (np.diag([1e300, 1e-300]),), lambda d: torch.tensor([1e-300, 1e300], dtype=torch.float64), "eigh-relative"),
    ("svd-diag-1e300-1e-300", "svd", (np.diag([1e300, 1e-300]),), ref_svd(np.diag([1e300, 1e-300])), "svd"),  # torch too loses 1e-300
    *[(f"pinv-{c:g}", "pinv", (c * R32,), torch_fn(torch.linalg.pinv, R32, c=1 / c), "value") for c in (1e300, 1e-300, 2.0**1020)],
    ("pinv-H-1e308", "pinv", (1e308 * H2,), lambda d: T(H2 / 2, d) / 1e308, "value"),
    *[(f"matrix_rank-{c:g}", "matrix_rank", (c * R32,), lambda d: torch.tensor(2), "value") for c in (1e300, 1e-300, 2.0**1020, SUB)],
    ("matrix_rank-ones-1e308", "matrix_rank", (1e308 * np.ones((3, 3)),), lambda d: torch.tensor(1), "value"),
    *[(f"power_iteration-{c:g}", "power_iteration", (c * S2,), dominant(S2, c), "power") for c in (1e300, 1e-300, 2.0**1020, SUB)],
    *[(f"eig_2x2-{c:g}", "eig_2x2", (c * B2,), torch_fn(torch.linalg.eigvals, B2, c=c), "eig_2x2") for c in (1e300, 1e-300, SUB)],
    ("eig_2x2-ones-1e308", "eig_2x2", (1e308 * np.ones((2, 2)),), lambda d: torch.tensor([np.inf, 0.0], dtype=torch.complex128), "eig_2x2"),
    ("eig_2x2-rotation-1e308", "eig_2x2", (1e308 * np.array([[0.0, -1.0], [1.0, 0.0]]),), lambda d: torch.tensor([1e308j, -1e308j], dtype=torch.complex128), "eig_2x2"),
    ("eig_2x2-subnormal-rotation", "eig_2x2", (SUB * np.array([[1.0, -1.0], [1.0, 1.0]]),), lambda d: torch.tensor([SUB * (1 + 1j), SUB * (1 - 1j)], dtype=torch.complex128), "eig_2x2"),
    *[(f"low_rank-{c:g}-k{k}", "low_rank", (U3, c * s3, Vh3, k), lambda d, c=c, k=k: c * (T(U3[:, :k], d) * T(s3[:k], d)) @ T(Vh3[:k], d), "value")
      for c in (1e300, 1e-300, 2.0**1020, SUB) for k in (1, 2)],
    ("low_rank-overflow", "low_rank", (np.eye(2), np.array([1e308, 1e308]), 1e308 * np.eye(2), 2), lambda d: torch.tensor(np.diag([np.inf, np.inf])), "value"),
    *[(f"PCA.fit-{c:g}", "PCA.fit", (c * X10,), ref_pca(c * X10 / c, c), "pca") for c in (1e-170, 1e-300, 1e300, 1e307, 2.0**-1050)],
    ("PCA.transform-1e308", "PCA.transform", (np.array([[1e308, -1e308]]),), lambda d: (torch.tensor([[1e308, -1e308]], dtype=torch.float64) - T(X_FIT.mean(0), d)) @ torch.linalg.svd(T(X_FIT - X_FIT.mean(0), d), full_matrices=False)[2].T, "transform"),
    # empty shapes, as torch
    ("det-0x0", "det", (np.zeros((0, 0)),), torch_fn(torch.linalg.det, np.zeros((0, 0))), "value"),
    ("inv-0x0", "inv", (np.zeros((0, 0)),), torch_fn(torch.linalg.inv, np.zeros((0, 0))), "value"),
    ("lu-0x0", "lu", (np.zeros((0, 0)),), torch_fn(LU, np.zeros((0, 0))), "value"),
    ("solve-0x0-0", "solve", (np.zeros((0, 0)), np.zeros(0)), solve_ref(np.zeros((0, 0)), np.zeros(0)), "value"),
    ("solve-0x0-0x3", "solve", (np.zeros((0, 0)), np.zeros((0, 3))), solve_ref(np.zeros((0, 0)), np.zeros((0, 3))), "value"),
    ("solve-2x2-2x0", "solve", (B2, np.zeros((2, 0))), solve_ref(B2, np.zeros((2, 0))), "value"),
    ("eigh-0x0", "eigh", (np.zeros((0, 0)),), eigvalsh(np.zeros((0, 0))), "eigh"),
    *[(f"svd-{m}x{n}-{full}", "svd", (np.zeros((m, n)),), {"full_matrices": full}, ref_svd(np.zeros((m, n)), full=full), "svd")
      for m, n in ((0, 0), (0, 3), (3, 0)) for full in (True, False)],
    *[(f"pinv-{m}x{n}", "pinv", (np.zeros((m, n)),), torch_fn(torch.linalg.pinv, np.zeros((m, n))), "value") for m, n in ((0, 0), (0, 3), (3, 0))],
    # torch's matrix_rank of an empty matrix is a float32 0: ours is the int 0
    *[(f"matrix_rank-{m}x{n}", "matrix_rank", (np.zeros((m, n)),), lambda d: torch.tensor(0), "value") for m, n in ((0, 0), (0, 3), (3, 0))],
    ("low_rank-empty", "low_rank", (np.zeros((3, 0)), np.zeros(0), np.zeros((0, 2)), 0), lambda d: torch.zeros((3, 2), dtype=torch.float64), "value"),
    # zero matrices
    ("det-zeros", "det", (np.zeros((3, 3)),), torch_fn(torch.linalg.det, np.zeros((3, 3))), "value"),
    ("eigh-zeros", "eigh", (np.zeros((3, 3)),), eigvalsh(np.zeros((3, 3))), "eigh"),
    ("svd-zeros", "svd", (np.zeros((3, 2)),), ref_svd(np.zeros((3, 2))), "svd"),
    ("pinv-zeros", "pinv", (np.zeros((3, 2)),), torch_fn(torch.linalg.pinv, np.zeros((3, 2))), "value"),
    # dtypes and containers: float32 keeps float32; int, bool and lists compute in float64
    *[(f"{f}-float32", f, (B2.astype(np.float32),), torch_fn(g, B2.astype(np.float32)), "value")
      for f, g in (("inv", torch.linalg.inv), ("det", torch.linalg.det), ("pinv", torch.linalg.pinv))],
    ("solve-float32", "solve", (B2.astype(np.float32), b2.astype(np.float32)), solve_ref(B2.astype(np.float32), b2.astype(np.float32)), "value"),
    ("eigh-float32", "eigh", (S2.astype(np.float32),), eigvalsh(S2.astype(np.float32)), "eigh"),
    ("svd-float32", "svd", (R32.astype(np.float32),), lambda d: (torch.linalg.svdvals(T(R32.astype(np.float32), d)), (3, 3), (2, 2)), "svd"),
    ("det-float32-overflow", "det", (np.diag([1e30, 1e30]).astype(np.float32),), lambda d: torch.linalg.det(T(np.diag([1e30, 1e30]).astype(np.float32), d)), "value"),
    ("inv-int", "inv", (np.array([[2, 1], [1, 3]]),), torch_fn(torch.linalg.inv, S2), "value"),
    ("det-int", "det", (np.array([[1, 2], [3, 4]]),), torch_fn(torch.linalg.det, B2), "value"),
    ("svd-int", "svd", (np.array([[1, 2], [3, -1], [0, 2]]),), ref_svd(np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 2.0]])), "svd"),
    ("eigh-int", "eigh", (np.array([[2, 1], [1, 3]]),), eigvalsh(S2), "eigh"),
    ("inv-bool", "inv", (np.eye(2, dtype=bool),), torch_fn(torch.linalg.inv, np.eye(2)), "value"),
    ("matrix_rank-bool", "matrix_rank", (np.array([[True, True], [True, True]]),), lambda d: torch.tensor(1), "value"),
    ("solve-lists", "solve", ([[1, 2], [3, 4]], [1, -2]), solve_ref(B2, b2), "value"),
    ("eigh-lists", "eigh", ([[2.0, 1.0], [1.0, 3.0]],), eigvalsh(S2), "eigh"),
    ("svd-lists", "svd", ([[1.0, 2.0], [3.0, -1.0], [0.5, 2.0]],), ref_svd(R32), "svd"),
    # non-contiguous views
    ("solve-strided", "solve", (M6[::2, ::2], M6[::2, 1]), solve_ref(M6[::2, ::2].copy(), M6[::2, 1].copy()), "value"),
    ("inv-transposed", "inv", (M6.T,), torch_fn(torch.linalg.inv, M6.T.copy()), "value"),
    ("det-fortran", "det", (np.asfortranarray(M6),), torch_fn(torch.linalg.det, M6), "value"),
    ("lu-transposed", "lu", (M6.T,), torch_fn(LU, M6.T.copy()), "value"),
    ("eigh-strided", "eigh", (MS6[::2, ::2],), eigvalsh(MS6[::2, ::2].copy()), "eigh"),
    ("svd-strided", "svd", (M6[::2],), ref_svd(M6[::2].copy()), "svd"),
    ("svd-transposed", "svd", (M6[:, :4].T,), ref_svd(M6[:, :4].T.copy()), "svd"),
    ("pinv-strided", "pinv", (M6[::3],), torch_fn(torch.linalg.pinv, M6[::3].copy()), "value"),
    ("power_iteration-transposed", "power_iteration", (np.diag([3.0, 1.0, 0.5]).T,), dominant(np.diag([3.0, 1.0, 0.5])), "power"),
    # QR: qr(c A) = (Q, c R) for c > 0; torch on A, R scaled (torch gives NaN for 1e308 * H2)
    *[(f"qr-{c:g}-{mode}", "qr", (c * R32,), {"mode": mode}, ref_qr(R32, c, mode), "qr")
      for c in (1e300, 1e-300, 2.0**1020, SUB) for mode in ("reduced", "complete", "r")],
    *[(f"qr-T-{c:g}", "qr", (c * R32.T,), ref_qr(R32.T, c), "qr") for c in (1e300, 1e-300, SUB)],
    *[(f"qr-B2-{c:g}", "qr", (c * B2,), ref_qr(B2, c), "qr") for c in (1e300, 1e-300, 2.0**1020, SUB)],
    ("qr-H-1e308", "qr", (1e308 * H2,), ref_qr(H2, 1e308), "qr"),
    ("qr-H-1e308-complete", "qr", (1e308 * H2[:, :1],), {"mode": "complete"}, ref_qr(H2[:, :1], 1e308, "complete"), "qr"),
    ("qr-diag-pm1e308", "qr", (np.diag([1e308, -1e308]),), ref_qr(np.diag([1.0, -1.0]), 1e308), "qr-relative"),
    ("qr-ones-1e308", "qr", (1e308 * np.ones((2, 2)),), ref_qr(np.ones((2, 2)), 1e308), "qr"),
    # 1e-320 next to 1e308 is below eps ||A||: only backward stability (Q^T Q = I, Q R = A)
    ("qr-1e308-next-to-1e-320", "qr", (np.array([[1e308, 1e-320], [1e-320, 1e308]]),), ref_qr(np.eye(2)), "qr-stable"),
    ("qr-1e308-column-next-to-1", "qr", (np.array([[1e308, 1.0], [1e308, -1.0]]),), ref_qr(np.eye(2)), "qr-stable"),
    ("qr-overflow", "qr", (np.full((2, 1), 1.5e308),), {"mode": "r"}, lambda d: (T(np.zeros(0), d), T(np.array([[-np.inf]]), d)), "value"),
    ("qr-diag-1e-320", "qr", (np.diag([1.0, 1e-320]),), ref_qr(np.diag([1.0, 1e-320])), "qr-relative"),
    ("qr-subnormal-column", "qr", (R32 * [1.0, 1e-320],), ref_qr(R32), "qr-stable"),  # Q's column 2: few digits
    ("qr-diag-1e300-1e-300", "qr", (np.diag([1e300, 1e-300]),), ref_qr(np.diag([1e300, 1e-300])), "qr-relative"),
    *[(f"qr-{m}x{n}-{mode}", "qr", (np.zeros((m, n)),), {"mode": mode}, ref_qr(np.zeros((m, n)), mode=mode), "qr")
      for m, n in ((0, 0), (0, 3), (3, 0)) for mode in ("reduced", "complete", "r")],
    *[(f"qr-zeros-{mode}", "qr", (np.zeros((3, 2)),), {"mode": mode}, ref_qr(np.zeros((3, 2)), mode=mode), "qr") for mode in ("reduced", "complete")],
    *[(f"qr-float32-{mode}", "qr", (R32.astype(np.float32),), {"mode": mode}, ref_qr(R32.astype(np.float32), mode=mode), "qr") for mode in ("reduced", "complete", "r")],
    ("qr-float32-wide", "qr", (R32.T.astype(np.float32),), ref_qr(R32.T.astype(np.float32)), "qr"),
    ("qr-int", "qr", (np.array([[1, 2], [3, -1], [0, 2]]),), ref_qr(np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 2.0]])), "qr"),
    ("qr-bool", "qr", (np.array([[True, False], [True, True]]),), ref_qr(np.array([[1.0, 0.0], [1.0, 1.0]])), "qr"),
    ("qr-lists", "qr", ([[1.0, 2.0], [3.0, -1.0], [0.5, 2.0]],), ref_qr(R32), "qr"),
    ("qr-strided", "qr", (M6[::2],), ref_qr(M6[::2].copy()), "qr"),
    ("qr-transposed", "qr", (M6[:, :4].T,), ref_qr(M6[:, :4].T.copy()), "qr"),
    ("qr-fortran", "qr", (np.asfortranarray(M6),), ref_qr(M6), "qr"),
    ("qr-reversed", "qr", (M6[::-1, ::2],), {"mode": "complete"}, ref_qr(M6[::-1, ::2].copy(), mode="complete"), "qr"),
    # Gram-Schmidt: diag(R) > 0, the sign-fixed factors of torch's QR
    *[(f"gram_schmidt-{c:g}-{mod}", "gram_schmidt", (c * R32,), {"modified": mod}, ref_qr(R32, c), "qr")
      for c in (1e300, 1e-300, 2.0**1020, SUB) for mod in (True, False)],
    ("gram_schmidt-H-1e308", "gram_schmidt", (1e308 * H2,), ref_qr(H2, 1e308), "qr"),
    ("gram_schmidt-1e308-next-to-1e-320", "gram_schmidt", (np.array([[1e308, 1e-320], [1e-320, 1e308]]),), ref_qr(np.eye(2)), "qr-stable"),
    ("gram_schmidt-diag-1e-320", "gram_schmidt", (np.diag([1.0, 1e-320]),), ref_qr(np.diag([1.0, 1e-320])), "qr-relative"),
    *[(f"gram_schmidt-{m}x{n}", "gram_schmidt", (np.zeros((m, n)),), ref_qr(np.zeros((m, n))), "qr") for m, n in ((0, 0), (3, 0))],
    ("gram_schmidt-float32", "gram_schmidt", (R32.astype(np.float32),), ref_qr(R32.astype(np.float32)), "qr"),
    ("gram_schmidt-int", "gram_schmidt", (np.array([[1, 2], [3, -1], [0, 2]]),), ref_qr(np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 2.0]])), "qr"),
    ("gram_schmidt-lists", "gram_schmidt", ([[1.0, 2.0], [3.0, -1.0], [0.5, 2.0]],), ref_qr(R32), "qr"),
    ("gram_schmidt-strided", "gram_schmidt", (M6[:, ::2],), ref_qr(M6[:, ::2].copy()), "qr"),
    ("gram_schmidt-transposed", "gram_schmidt", (M6[:3].T,), ref_qr(M6[:3].T.copy()), "qr"),
]  # fmt: skip


def _extreme_cases():
    """``(id, name, args, kwargs, reference, check)`` with kwargs filled in."""
    out = []
    for case in EXTREME:
        if len(case) == 5:
            case_id, name, args, ref, check = case
            kwargs = {}
        else:
            case_id, name, args, kwargs, ref, check = case
        if name in ("power_iteration",):
            kwargs = {"rng": 0, **kwargs}
        out.append((case_id, name, args, kwargs, ref, check))
    return out


EXTREMES = _extreme_cases()


def check_transform(out, ref, A):
    """Scores up to the sign of each component."""
    ref = to_numpy(ref)
    tclose(np.abs(out), np.abs(ref), 1e-12)


CHECKS["transform"] = check_transform


def run_extreme(name, args, kwargs):
    """The call, with RuntimeWarning as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return call(name, *args, **kwargs)


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "reference", "check"),
    [c[1:] for c in EXTREMES],
    ids=[c[0] for c in EXTREMES],
)
def test_extreme(device, name, args, kwargs, reference, check):
    out = run_extreme(name, args, kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        CHECKS[check](out, reference(device), args[0])


def test_extreme_ids_unique():
    ids = [c[0] for c in EXTREMES]
    assert len(ids) == len(set(ids))


# ----------------------------------------------------------------------------- the bugs of issue 9


def test_power_iteration_tol_zero_refused():
    """tol = 0 never stops a non-exact iteration: 10^7 steps for diag(1, 0.5). Refused."""
    for tol in (0.0, -1.0):
        with pytest.raises(ValueError, match=r"^power_iteration: tol must be > 0.0"):
            linalg.power_iteration(np.diag([1.0, 0.5]), num_iters=10**7, tol=tol)


@pytest.mark.parametrize(
    "A",
    [[[0.0, -1.0], [1.0, 0.0]], np.diag([2.0, -2.0]), np.diag([-3.0, 1.0, 3.0])],
    ids=["rotation", "plus-minus-2", "plus-minus-3"],
)
def test_power_iteration_no_dominant_eigenvalue(A):
    """Today: [[0, -1], [1, 0]] gives -6.8e-18, diag(2, -2) gives -0.099. Now an error."""
    with pytest.raises(np.linalg.LinAlgError, match=r"^power_iteration: A has no dominant eigen"):
        linalg.power_iteration(A, rng=0)


@pytest.mark.parametrize("tiny", [1e-160, 1e-200, 1e-300, 1e-320])
def test_svd_tiny_singular_value(device, tiny):
    """Today [1, 0] for 1e-200 and a relative error 5.6e-6 at 1e-160: sqrt(sum(G * G)) underflowed."""
    A = np.diag([1.0, tiny])
    U, S, Vh = linalg.svd(A)
    assert_close(S, torch.linalg.svdvals(to_torch(A, device)), rtol=1e-15, name="S")
    assert_close(U * S @ Vh, A, rtol=1e-15, name="U S Vh, entrywise relative")


def test_svd_graded_columns_relative_accuracy():
    """Columns scaled by 1, 1e-100, 1e-200: today 6.3e-201 came back as 0 (never rotated, squared)."""
    B = np.random.default_rng(0).standard_normal((5, 3))
    exact = np.array([2.955382858983981, 9.721467968648806e-101, 6.2772839875295214e-201])  # mpmath
    S = linalg.svd(B * np.array([1.0, 1e-100, 1e-200]))[1]
    assert_close(S, exact, rtol=1e-14, name="S")


def test_eigh_graded_relative_accuracy():
    """diag(1e150, 1, 1e-150) + 1e-3: today 1.000e-3 and e_3; exact 9.990e-4 (mpmath, 400 digits)."""
    A = np.diag([1e150, 1.0, 1e-150]) + 1e-3 * np.ones((3, 3))
    exact = np.array([9.99000000999998e-4, 1.001000999999, 1e150])
    w, V = linalg.eigh(A)
    assert_close(w, exact, rtol=1e-14, name="eigenvalues")
    v = V[:, 0] * np.sign(V[2, 0])  # (~0, -1e-3, 1): the smallest eigenvalue's vector
    exact_v = np.array([-9.989995015013711e-154, -0.000999998500003875, 0.9999995000013749])
    assert_close(v, exact_v, rtol=1e-12, atol=1e-150, name="eigenvector")  # v_1 below eps


def test_eigh_refuses_non_symmetric_at_any_scale():
    """Today [[0, 1e308], [-1e308, 0]] passed the check through NaN and gave eigenvalues 0, 0."""
    for c in (1e308, 1.0, 1e-320):
        with pytest.raises(ValueError, match=r"^eigh: A must be symmetric, got shape \(2, 2\)"):
            linalg.eigh(c * np.array([[0.0, 1.0], [-1.0, 0.0]]))


def test_eigh_top_of_range(device):
    """Today diag(1e308, -1e308) overflowed (RuntimeWarning); torch gives +-1e308."""
    A = np.diag([1e308, -1e308])
    w, V = linalg.eigh(A)
    assert_close(w, torch.linalg.eigvalsh(to_torch(A, device)), rtol=1e-15, name="w")
    assert_close(np.abs(V), np.array([[0.0, 1.0], [1.0, 0.0]]), name="|V|")


@pytest.mark.parametrize("c", [1e-170, 1e-300, 1e300, 1e307])
def test_pca_ratio_scale_free(c):
    """Today 1e-170 X gave [0, 0, 0] and 1e307 X gave NaN; the ratio does not depend on scale."""
    ratio = linalg.PCA().fit(X10).explained_variance_ratio_
    assert_close(linalg.PCA().fit(c * X10).explained_variance_ratio_, ratio, rtol=1e-13)


def test_solve_empty(device):
    """Today solve on (0, 0) with a (0,) or (0, k) right-hand side raised numpy's reshape error."""
    At = to_torch(np.zeros((0, 0)), device)
    for B in (np.zeros(0), np.zeros((0, 3))):
        X = linalg.solve(np.zeros((0, 0)), B)
        assert X.shape == tuple(torch.linalg.solve(At, to_torch(B, device)).shape) == B.shape


def test_det_inv_empty(device):
    At = to_torch(np.zeros((0, 0)), device)
    assert float(linalg.det(np.zeros((0, 0)))) == float(torch.linalg.det(At)) == 1.0
    assert linalg.inv(np.zeros((0, 0))).shape == tuple(torch.linalg.inv(At).shape) == (0, 0)


def test_det_graded_product():
    """Today the product diag(1e-200, 1e-200, 1e200, 1e200) underflowed to 0 (torch too); det = 1."""
    assert float(linalg.det(np.diag([1e-200, 1e-200, 1e200, 1e200]))) == pytest.approx(
        1.0, rel=1e-14
    )


def test_svd_top_of_range(device):
    """1e308 [[1, 1], [1, -1]]: S = sqrt(2) 1e308, finite (torch's svdvals gives NaN here)."""
    S = linalg.svd(1e308 * H2)[1]
    assert_close(S, np.full(2, math.sqrt(2) * 1e308), rtol=1e-15, name="S")


@pytest.mark.parametrize("func", ["qr", "gram_schmidt"])
def test_qr_graded_columns(device, func):
    """Columns scaled by 1, 1e-150, 1e-300: the same Q, and each column of R scaled alike."""
    A = M6[:, :3]
    D = np.array([1.0, 1e-150, 1e-300])
    Q0, R0 = call(func, A)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        Q, R = call(func, A * D)
    assert_close(Q, Q0, rtol=0, atol=1e-12, name="Q")
    assert_close(R / D, R0, rtol=0, atol=1e-12 * np.abs(R0).max(), name="R D^-1")
    Qt, Rt = (to_numpy(t) for t in torch.linalg.qr(T(A * D, device)))
    signs = np.sign(np.diag(R)) * np.sign(np.diag(Rt))  # (3,): +-1
    assert_close(Q, Qt * signs, rtol=0, atol=1e-12, name="Q vs torch")
    assert_close(R / D, (Rt * signs[:, None]) / D, rtol=0, atol=1e-12 * np.abs(R0).max())


def test_matrix_rank_where_s_max_overflows():
    """3 x 3 of 1e308: s_max = 3e308 overflows; the default cutoff still gives rank 1."""
    assert linalg.matrix_rank(1e308 * np.ones((3, 3))) == 1


# ----------------------------------------------------------------------------- scaling laws


def orthogonal(n, rng):
    """An (n, n) orthogonal matrix from torch's QR of a Gaussian matrix."""
    return to_numpy(torch.linalg.qr(to_torch(rng.standard_normal((n, n))))[0])


POWERS = st.integers(-300, 300)


@SETTINGS
@given(m=st.integers(1, 6), n=st.integers(1, 6), seed=SEEDS, k=POWERS)
def test_svd_scales(device, m, n, seed, k):
    """``svd(10^k A) = 10^k svd(A)`` for well-conditioned A (singular values in [1, 10])."""
    rng = np.random.default_rng(seed)
    r = min(m, n)
    A = orthogonal(m, rng)[:, :r] * np.linspace(1, 10, r) @ orthogonal(n, rng)[:, :r].T
    c = 10.0**k
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = linalg.svd(c * A)
    check_svd(out, ref_svd(A, c)(device), c * A)


@SETTINGS
@given(n=st.integers(1, 6), seed=SEEDS, k=POWERS)
def test_eigh_scales(device, n, seed, k):
    """``eigh(10^k A)``: eigenvalues ``10^k lambda`` for symmetric A with ``1 <= |lambda| <= 10``."""
    rng = np.random.default_rng(seed)
    Q = orthogonal(n, rng)
    A = Q * (rng.choice([-1.0, 1.0], n) * rng.uniform(1, 10, n)) @ Q.T
    A = (A + A.T) / 2
    c = 10.0**k
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = linalg.eigh(c * A)
    check_eigh(out, eigvalsh(A, c)(device), c * A)


@SETTINGS
@given(n=st.integers(1, 6), seed=SEEDS, k=POWERS, data=st.data())
def test_solve_scales(device, n, seed, k, data):
    """``solve(10^k A, 10^j B) = 10^(j - k) solve(A, B)``, with ``|j - k| <= 300``."""
    j = data.draw(st.integers(max(-300, k - 300), min(300, k + 300)), label="j")
    rng = np.random.default_rng(seed)
    A = orthogonal(n, rng) * np.linspace(1, 10, n) @ orthogonal(n, rng).T
    B = rng.standard_normal((n, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = linalg.solve(10.0**k * A, 10.0**j * B)
    tclose(X, solve_ref(A, B, 10.0**k, 10.0**j)(device), 1e-12)


@SETTINGS
@given(
    m=st.integers(1, 6),
    data=st.data(),
    seed=SEEDS,
    k=POWERS,
    mode=st.sampled_from(["reduced", "complete", "r"]),
)
def test_qr_scales(device, m, data, seed, k, mode):
    """``qr(10^k A) = (Q, 10^k R)`` for A (m, n), n <= m, with singular values in [1, 10]."""
    n = data.draw(st.integers(1, m), label="n")
    rng = np.random.default_rng(seed)
    A = orthogonal(m, rng)[:, :n] * np.linspace(1, 10, n) @ orthogonal(n, rng).T
    c = 10.0**k
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = linalg.qr(c * A, mode=mode)
        gs = linalg.gram_schmidt(c * A)
    check_qr(out, ref_qr(A, c, mode)(device), c * A)
    check_qr(gs, ref_qr(A, c)(device), c * A)
