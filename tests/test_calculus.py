"""mathdl.calculus against torch.autograd and torch.trapezoid (float64, every device).

Tolerances come from the error analysis in the docstrings: with the default step the
central difference is off by at most about ``h^2 |f'''| / 6 + eps |f| / h`` (~1e-10
relative), the forward difference by ``h |f''| / 2 + 2 eps |f| / h`` (~1e-8), and the
second differences of :func:`hessian` by ``O(eps^(1/2))`` (~1e-8 relative).
"""

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import SEEDS, SETTINGS, floats, points

from mathdl import autodiff, calculus
from mathdl.autodiff import Tensor
from mathdl.testing import assert_close, to_numpy, to_torch

EPS = float(np.finfo(np.float64).eps)
SAFETY = 4.0  # slack on the error model's leading terms

# name, numpy function, torch function, sampling interval
FUNCS = [
    ("sin", np.sin, torch.sin, (-5.0, 5.0)),
    ("exp", np.exp, torch.exp, (-5.0, 5.0)),
    ("cube", lambda x: x**3, lambda x: x**3, (-5.0, 5.0)),
    ("tanh", np.tanh, torch.tanh, (-5.0, 5.0)),
    ("log", np.log, torch.log, (0.1, 10.0)),
]
FUNC_IDS = [f[0] for f in FUNCS]


def torch_derivatives(tf, x, device, order):
    """``[f, f', ..., f^(order)]`` at the points ``x`` by repeated torch.autograd.grad."""
    xt = to_torch(x, device, requires_grad=True)
    out = [tf(xt)]
    for _ in range(order):
        (d,) = torch.autograd.grad(out[-1].sum(), xt, create_graph=True)
        out.append(d)
    return [to_numpy(d) for d in out]


# ----------------------------------------------------------------------------- derivatives


@pytest.mark.parametrize(("name", "f", "tf", "interval"), FUNCS, ids=FUNC_IDS)
@SETTINGS
@given(data=st.data())
def test_derivative_vs_autograd(device, name, f, tf, interval, data):
    x = data.draw(points(*interval))
    f0, d1, _, d3 = torch_derivatives(tf, x, device, 3)
    h = EPS ** (1 / 3) * np.maximum(1.0, np.abs(x))
    bound = SAFETY * (h**2 * np.abs(d3) / 6 + EPS * np.abs(f0) / h) + SAFETY * EPS * np.abs(d1)
    got = calculus.derivative(f, x)
    assert_close(got, d1, rtol=0, atol=bound, name=f"{name}'")  # atol may be an array
    rel = np.abs(got - d1) / np.maximum(np.abs(d1), 1.0)
    # about ten digits; up to ~1e-9 where |f'''/f'| is large (log near 0.1: 200)
    assert rel.max() < 1e-8, "central differences: about nine to ten correct digits"


@pytest.mark.parametrize(("name", "f", "tf", "interval"), FUNCS, ids=FUNC_IDS)
@SETTINGS
@given(data=st.data())
def test_forward_difference_vs_autograd(device, name, f, tf, interval, data):
    x = data.draw(points(*interval))
    f0, d1, d2, d3 = torch_derivatives(tf, x, device, 3)
    h = EPS ** (1 / 2) * np.maximum(1.0, np.abs(x))
    trunc = h * np.abs(d2) / 2 + h**2 * np.abs(d3) / 6  # next term counts where f'' = 0
    bound = SAFETY * (trunc + 2 * EPS * np.abs(f0) / h) + SAFETY * EPS * np.abs(d1)
    got = calculus.forward_difference(f, x)
    assert_close(got, d1, rtol=0, atol=bound, name=f"{name}'")
    rel = np.abs(got - d1) / np.maximum(np.abs(d1), 1.0)
    assert rel.max() < 1e-6, "forward differences: about eight correct digits"


def test_derivative_shapes_and_steps():
    x = np.linspace(0.5, 2.0, 6).reshape(2, 3)
    d = calculus.derivative(np.sin, x)
    assert d.shape == (2, 3) and d.dtype == np.float64
    assert_close(d, np.cos(x), rtol=1e-10, name="cos")
    assert isinstance(calculus.derivative(np.sin, 1), np.float64)  # int scalar in, scalar out
    # an explicit step, scalar or one per point; a quadratic is exact for any step
    assert_close(calculus.derivative(lambda v: v**2, x, h=0.5), 2 * x, rtol=1e-15, name="2x")
    hs = np.array([1e-3, 1e-4, 1e-5])
    assert_close(calculus.derivative(np.exp, np.zeros(3), h=hs), np.ones(3), rtol=1e-6, name="h")
    assert_close(calculus.forward_difference(np.exp, [0.0], h=1e-6), [1.0], rtol=1e-5, name="fd")


def test_difference_error_v_shape():
    """Averaged over points, the default steps sit at the bottom of the V."""
    steps = np.logspace(-14, -1, 53)  # relative steps, 4 per decade
    rng = np.random.default_rng(0)
    for name, f, df in [("sin", np.sin, np.cos), ("exp", np.exp, np.exp), ("log", np.log, None)]:
        xs = rng.uniform(0.2, 3.0, 40)
        fwd, cen, fwd0, cen0 = [], [], [], []
        for x in xs:
            exact = 1 / x if df is None else df(x)
            s = max(1.0, x)
            e_fwd, e_cen = calculus.difference_error(f, exact, x, steps * s)
            fwd.append(e_fwd)
            cen.append(e_cen)
            fwd0.append(abs(calculus.forward_difference(f, x) - exact))
            cen0.append(abs(calculus.derivative(f, x) - exact))
        fwd, cen = np.mean(fwd, axis=0), np.mean(cen, axis=0)  # (53,) each
        assert np.mean(cen0) <= 10 * cen.min(), f"{name}: central default step off the V's bottom"
        assert np.mean(fwd0) <= 10 * fwd.min(), f"{name}: forward default step off the V's bottom"
        assert cen.min() < 1e-2 * fwd.min(), f"{name}: central beats forward at best"
        # the arms of the V: round-off ~ 1/h on the left, truncation ~ h and h^2 on the right
        left, right = steps <= 1e-11, steps >= 1e-3
        assert np.polyfit(np.log(steps[left]), np.log(cen[left]), 1)[0] == pytest.approx(-1, 0.2)
        assert np.polyfit(np.log(steps[right]), np.log(cen[right]), 1)[0] == pytest.approx(2, 0.1)
        assert np.polyfit(np.log(steps[right]), np.log(fwd[right]), 1)[0] == pytest.approx(1, 0.1)


def test_difference_error_df_callable_or_value():
    steps = np.array([1e-2, 1e-4])
    a = calculus.difference_error(np.sin, np.cos, 0.5, steps)
    b = calculus.difference_error(np.sin, float(np.cos(0.5)), 0.5, steps)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert a[0].shape == a[1].shape == (2,)


# ----------------------------------------------------------------------------- gradient etc.


def scalar_fn(x, xp=np):
    """R^n -> R, for both numpy arrays and torch tensors."""
    return (xp.sin(x) * x**2).sum() + xp.log(1 + x @ x) + xp.exp(0.3 * x.sum())


def vector_fn(x, xp=np):
    """R^n -> R^3."""
    return xp.stack([xp.sin(x).sum() * x[0], (x**2).sum(), xp.tanh(x[-1] * x[0])])


VECTORS = st.integers(1, 5).flatmap(lambda n: hnp.arrays(np.float64, n, elements=floats(-2, 2)))


@SETTINGS
@given(x=VECTORS)
def test_gradient_jacobian_vs_autograd(device, x):
    xt = to_torch(x, device)
    g = torch.autograd.functional.jacobian(lambda v: scalar_fn(v, torch), xt)
    assert_close(calculus.gradient(scalar_fn, x), g, rtol=1e-9, atol=1e-9, name="gradient")
    J = torch.autograd.functional.jacobian(lambda v: vector_fn(v, torch), xt)
    Jn = calculus.jacobian(vector_fn, x)
    assert Jn.shape == (3, x.size)
    assert_close(Jn, J, rtol=1e-9, atol=1e-9, name="jacobian")
    assert_close(calculus.jacobian(scalar_fn, x), g, rtol=1e-9, atol=1e-9, name="jac of scalar")


@SETTINGS
@given(x=VECTORS)
def test_hessian_vs_autograd(device, x):
    H = calculus.hessian(scalar_fn, x)
    Ht = torch.autograd.functional.hessian(lambda v: scalar_fn(v, torch), to_torch(x, device))
    # O(eps^(1/2)) ~ 1.5e-8 times the size of f and its fourth derivatives (up to ~100 here)
    assert_close(H, Ht, rtol=1e-6, atol=1e-6, name="hessian")
    # not symmetrised: H_ij and H_ji agree to rounding, eps |f| / h^2 ~ 1.5e-8 |f|
    assert_close(H, H.T, rtol=0, atol=1e-6, name="H vs H^T")


def test_gradient_step_argument():
    x = np.array([1.0, -2.0, 3.0])
    quad = lambda v: v @ v  # noqa: E731 -- central differences are exact for quadratics
    assert_close(calculus.gradient(quad, x, h=0.25), 2 * x, rtol=1e-15, name="grad")
    assert_close(calculus.gradient(quad, x, h=[0.1, 0.2, 0.3]), 2 * x, rtol=1e-14, name="grad")
    assert_close(calculus.hessian(quad, x, h=0.5), 2 * np.eye(3), atol=1e-14, name="hess")


def tensor_fn(x):
    """R^n -> R from ops that mathdl Tensors and torch tensors share (exp, log, sum, @)."""
    return (x * x * x).sum() + (1 + x @ x).log() + (0.3 * x.sum()).exp()


@SETTINGS
@given(x=VECTORS)
def test_hessian_from_exact_gradient_vs_autograd(device, x):
    """jacobian(autodiff.grad(f)): one level of differences, about ten digits, not symmetrised."""
    H = calculus.jacobian(autodiff.grad(tensor_fn), x)
    Ht = torch.autograd.functional.hessian(tensor_fn, to_torch(x, device))
    scale = max(1.0, float(Ht.abs().max()))  # errors ~ eps^(2/3) ~ 4e-11 relative to it
    assert_close(H, Ht, rtol=0, atol=1e-9 * scale, name="jacobian(grad f)")
    assert_close(H, H.T, rtol=0, atol=1e-9 * scale, name="symmetry of jacobian(grad f)")
    H2 = calculus.hessian(lambda v: tensor_fn(Tensor(v)), x)  # a Tensor out, on numpy in
    assert_close(H2, Ht, rtol=1e-6, atol=1e-6, name="hessian")


def test_f_may_return_a_tensor_or_a_number():
    x = np.array([1.0, -2.0])
    on_tensors = lambda v: (Tensor(v) * Tensor(v)).sum()  # noqa: E731 -- a Tensor out
    assert_close(calculus.gradient(on_tensors, x), 2 * x, rtol=1e-9, name="gradient")
    assert_close(calculus.hessian(on_tensors, x), 2 * np.eye(2), atol=1e-6, name="hessian")
    assert_close(calculus.jacobian(lambda v: Tensor(v) * 3.0, x), 3 * np.eye(2), rtol=1e-9)
    assert_close(calculus.derivative(lambda v: Tensor(v) ** 2, x), 2 * x, rtol=1e-9, name="d")
    assert_close(calculus.gradient(lambda v: float(v @ v), x), 2 * x, rtol=1e-9, name="float")
    assert_close(calculus.gradient(lambda v: [v @ v], x), 2 * x, rtol=1e-9, name="[float]")


def test_hessian_is_the_jacobian_of_the_gradient():
    """hessian reuses the central-difference loop: H = jacobian(gradient(., h), h) exactly."""
    x, h = np.array([0.3, -0.4, 1.1]), 1e-3
    H = calculus.hessian(scalar_fn, x, h=h)
    J = calculus.jacobian(lambda p: calculus.gradient(scalar_fn, p, h=h), x, h=h)
    np.testing.assert_array_equal(H, J)


# ----------------------------------------------------------------------------- quadrature


@SETTINGS
@given(
    shape=st.tuples(st.integers(1, 3), st.integers(0, 12)),
    seed=SEEDS,
    x_kind=st.sampled_from(["none", "1d", "full"]),
)
def test_trapezoid_vs_torch(device, shape, seed, x_kind):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(shape)
    if x_kind == "none":
        dx = float(rng.uniform(0.1, 2.0))
        expected = torch.trapezoid(to_torch(y, device), dx=dx)
        got = calculus.trapezoid(y, dx=dx)
    else:
        x = rng.standard_normal(shape[-1] if x_kind == "1d" else shape)  # unsorted too
        expected = torch.trapezoid(to_torch(y, device), to_torch(x, device))
        got = calculus.trapezoid(y, x)
    assert_close(np.asarray(got), expected, rtol=1e-12, atol=1e-12, name="trapezoid")


def test_trapezoid_scalar_result_and_lines():
    out = calculus.trapezoid([1.0, 2.0, 3.0], x=[0.0, 1.0, 3.0])
    assert isinstance(out, np.float64) and out == 1.5 + 5.0
    assert calculus.trapezoid([4.0]) == 0.0  # one sample: no interval
    x = np.sort(np.random.default_rng(1).uniform(0, 2, 9))
    assert_close(
        calculus.trapezoid(3 * x - 1, x), 3 * (x[-1] ** 2 - x[0] ** 2) / 2 - (x[-1] - x[0])
    )


def test_simpson_exact_for_cubics_and_vs_scipy():
    scipy_integrate = pytest.importorskip("scipy.integrate")
    rng = np.random.default_rng(2)
    c = rng.standard_normal(4)
    cubic = lambda v: ((c[3] * v + c[2]) * v + c[1]) * v + c[0]  # noqa: E731
    anti = lambda v: (((c[3] / 4 * v + c[2] / 3) * v + c[1] / 2) * v + c[0]) * v  # noqa: E731
    for n_samples in (3, 5, 11):
        x = np.linspace(-1.0, 2.0, n_samples)
        assert_close(calculus.simpson(cubic(x), x), anti(2.0) - anti(-1.0), rtol=1e-13)
        assert_close(calculus.simpson(cubic(x), dx=x[1] - x[0]), anti(2.0) - anti(-1.0), rtol=1e-13)
    # unequal spacing: exact for quadratics; the same formula as scipy's
    x = np.sort(rng.uniform(-1.0, 2.0, 9))
    q = lambda v: 1.0 - 2.0 * v + 3.0 * v**2  # noqa: E731
    assert_close(
        calculus.simpson(q(x), x),
        (x[-1] + x[-1] ** 3 - x[-1] ** 2) - (x[0] + x[0] ** 3 - x[0] ** 2),
        rtol=1e-13,
    )
    y = rng.standard_normal((2, 9))
    assert_close(calculus.simpson(y, x), scipy_integrate.simpson(y, x=x), rtol=1e-12, atol=1e-13)
    assert_close(calculus.simpson(y[:, ::-1], x[::-1]), -calculus.simpson(y, x), rtol=1e-14)


@pytest.mark.parametrize(("rule", "order"), [("trapezoid", 2), ("simpson", 4)])
def test_convergence_order(rule, order):
    ns = np.array([4, 8, 16, 32, 64])
    err = [abs(calculus.integrate(np.exp, 0.0, 1.0, int(n), rule) - (math.e - 1)) for n in ns]
    slope = np.polyfit(np.log(1.0 / ns), np.log(err), 1)[0]
    assert slope == pytest.approx(order, abs=0.05)


def test_integrate_vs_torch_trapezoid(device):
    x = torch.linspace(0.0, math.pi, 101, dtype=torch.float64, device=device)
    expected = torch.trapezoid(torch.sin(x), x)
    got = calculus.integrate(np.sin, 0.0, math.pi, n=100, rule="trapezoid")
    assert_close(got, expected, rtol=1e-13)
    assert calculus.integrate(np.sin, 0.0, math.pi) == pytest.approx(2.0, abs=1e-8)


# ----------------------------------------------------------------------------- Monte Carlo


def test_monte_carlo_interval_box_and_sampler():
    est, se = calculus.monte_carlo(np.sin, (0.0, math.pi), 20_000, np.random.default_rng(0))
    assert abs(est - 2.0) <= 4 * se and 0 < se < 0.02
    # box [0,1] x [0,2] x [-1,1]: int (x^2 + y z) = 4/3
    box = (np.array([0.0, 0.0, -1.0]), np.array([1.0, 2.0, 1.0]))
    f = lambda p: p[:, 0] ** 2 + p[:, 1] * p[:, 2]  # noqa: E731
    est, se = calculus.monte_carlo(f, box, 20_000, np.random.default_rng(1))
    assert abs(est - 4 / 3) <= 4 * se
    # E[X^2] = 1 for X ~ N(0, 1)
    normal = lambda rng, n: rng.standard_normal(n)  # noqa: E731
    est, se = calculus.monte_carlo(np.square, normal, 20_000, np.random.default_rng(2))
    assert abs(est - 1.0) <= 4 * se


def test_monte_carlo_standard_error_scaling_and_coverage():
    ns = np.array([1_000, 4_000, 16_000, 64_000])
    ses = [
        calculus.monte_carlo(np.exp, (0.0, 1.0), int(n), np.random.default_rng(3))[1] for n in ns
    ]
    assert np.polyfit(np.log(ns), np.log(ses), 1)[0] == pytest.approx(-0.5, abs=0.03)
    # the interval estimate +- 1.96 se covers the truth about 95% of the time
    hits = [
        abs(est - (math.e - 1)) <= 1.96 * se
        for est, se in (
            calculus.monte_carlo(np.exp, (0.0, 1.0), 500, np.random.default_rng(s))
            for s in range(300)
        )
    ]
    assert 0.90 <= np.mean(hits) <= 0.99


def test_monte_carlo_determinism():
    def run(seed):
        return calculus.monte_carlo(np.cos, (-1.0, 2.0), 1000, np.random.default_rng(seed))

    assert run(7) == run(7)
    assert run(7) != run(8)


@pytest.mark.parametrize("rng", [None, 0, 5, np.int64(5), np.random.default_rng(5)])
def test_monte_carlo_rng_accepted(rng):
    est, se = calculus.monte_carlo(np.sin, (0.0, math.pi), 4_000, rng)
    assert abs(est - 2.0) <= 5 * se


def test_monte_carlo_seed_is_a_generator_and_a_generator_is_advanced():
    by_seed = calculus.monte_carlo(np.cos, (-1.0, 2.0), 100, 3)
    assert by_seed == calculus.monte_carlo(np.cos, (-1.0, 2.0), 100, np.random.default_rng(3))
    gen = np.random.default_rng(3)
    first = calculus.monte_carlo(np.cos, (-1.0, 2.0), 100, gen)
    assert first != calculus.monte_carlo(np.cos, (-1.0, 2.0), 100, gen), "advanced, not reset"
    sampler = lambda r, n: r.standard_normal(n)  # noqa: E731 -- receives the Generator
    assert calculus.monte_carlo(np.square, sampler, 50, 4) == calculus.monte_carlo(
        np.square, sampler, 50, np.random.default_rng(4)
    )


# ----------------------------------------------------------------------------- bad inputs
# Every refusal: the exception class, and a message "func: arg ..." saying what was given.


F_FUNCS = {
    "derivative": lambda f: calculus.derivative(f, 1.0),
    "forward_difference": lambda f: calculus.forward_difference(f, 1.0),
    "difference_error": lambda f: calculus.difference_error(f, 1.0, 1.0, [1e-3]),
    "gradient": lambda f: calculus.gradient(f, [1.0]),
    "jacobian": lambda f: calculus.jacobian(f, [1.0]),
    "hessian": lambda f: calculus.hessian(f, [1.0]),
    "integrate": lambda f: calculus.integrate(f, 0.0, 1.0),
    "monte_carlo": lambda f: calculus.monte_carlo(f, (0.0, 1.0), 10, 0),
}
X_FUNCS = {
    "derivative": lambda x, h=None: calculus.derivative(np.sin, x, h),
    "forward_difference": lambda x, h=None: calculus.forward_difference(np.sin, x, h),
    "gradient": lambda x, h=None: calculus.gradient(np.sum, x, h),
    "jacobian": lambda x, h=None: calculus.jacobian(np.sin, x, h),
    "hessian": lambda x, h=None: calculus.hessian(np.sum, x, h),
}
SCALAR_OUT = {"gradient", "hessian", "difference_error"}  # f must return one number


@pytest.mark.parametrize("name", list(F_FUNCS))
def test_f_not_callable(name):
    with pytest.raises(TypeError, match=rf"^{name}: f must be callable, got float 3.0$"):
        F_FUNCS[name](3.0)


@pytest.mark.parametrize("name", list(F_FUNCS))
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "NoneType None"),
        ("a", "str 'a'"),
        (1j, r"complex values \(dtype complex128\)"),
        (np.array([1j]), r"complex values \(dtype complex128\)"),
        ({"a": 1}, "dict"),
        ([[1.0], [1.0, 2.0]], "list"),
    ],
    ids=["None", "str", "complex", "complex-array", "dict", "ragged"],
)
def test_f_returns_non_real(name, value, shown):
    """No NaN, no 'could not convert string to float', no silently dropped imaginary part."""
    want = "a real number" if name in SCALAR_OUT else "real numbers"
    f = lambda v: value  # noqa: E731
    if name == "difference_error":  # here the df callable is the one that misbehaves
        call = lambda: calculus.difference_error(np.sin, f, 1.0, [1e-3])  # noqa: E731
        prefix = "difference_error: df returned"
    else:
        call, prefix = (lambda: F_FUNCS[name](f)), f"{name}: f returned"
    msg = rf"^{prefix} {shown} for input of shape \(.*\); expected {want}$"
    with pytest.raises(TypeError, match=msg):
        call()


@pytest.mark.parametrize("name", ["derivative", "forward_difference", "jacobian"])
def test_f_returns_complex_elementwise(name):
    """Today's bug: derivative(lambda x: x * 1j, 1.0) returned 0.0."""
    with pytest.raises(TypeError, match=rf"^{name}: f returned complex values"):
        getattr(calculus, name)(lambda v: v * 1j, np.array([1.0]))


@pytest.mark.parametrize("name", list(X_FUNCS))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_x_not_finite(name, bad):
    msg = rf"^{name}: x must be finite, got {bad} at index \(1,\) \(shape \(2,\)\)$"
    with pytest.raises(ValueError, match=msg):
        X_FUNCS[name](np.array([1.0, bad]))


@pytest.mark.parametrize("name", list(X_FUNCS))
@pytest.mark.parametrize("h", [0.0, -1e-3, np.nan, [1e-3, 0.0]])
def test_h_not_positive(name, h):
    with pytest.raises(ValueError, match=rf"^{name}: h must be positive and finite, got"):
        X_FUNCS[name](np.array([1.0, 2.0]), h)


@pytest.mark.parametrize("name", list(X_FUNCS))
@pytest.mark.parametrize(("h", "shown"), [("a", "str 'a'"), (1e-3j, "complex")])
def test_h_not_real(name, h, shown):
    with pytest.raises(TypeError, match=rf"^{name}: h must be .*{shown}"):
        X_FUNCS[name](np.array([1.0, 2.0]), h)


@pytest.mark.parametrize("name", list(X_FUNCS))
def test_h_wrong_shape(name):
    msg = rf"^{name}: h of shape \(3,\) does not broadcast to x of shape \(2,\)$"
    with pytest.raises(ValueError, match=msg):
        X_FUNCS[name](np.array([1.0, 2.0]), np.ones(3) * 1e-3)


@pytest.mark.parametrize("name", list(X_FUNCS))
def test_x_complex(name):
    with pytest.raises(TypeError, match=rf"^{name}: x must be real, got complex dtype"):
        X_FUNCS[name](np.array([1.0 + 1j]))


@pytest.mark.parametrize("name", list(X_FUNCS))
@pytest.mark.parametrize(("x", "shown"), [(None, "NoneType None"), ("a", "str 'a'")])
def test_x_not_numeric(name, x, shown):
    with pytest.raises(TypeError, match=rf"^{name}: x must be a real array or number, got {shown}"):
        X_FUNCS[name](x)


@pytest.mark.parametrize("name", ["gradient", "jacobian", "hessian"])
def test_x_not_1d(name):
    with pytest.raises(ValueError, match=rf"^{name}: x must be 1-D, got shape \(2, 2\)$"):
        X_FUNCS[name](np.ones((2, 2)))


@pytest.mark.parametrize("name", ["derivative", "forward_difference"])
def test_derivative_f_changes_shape(name):
    msg = rf"^{name}: f returned shape \(\) for input of shape \(3,\); expected shape \(3,\)$"
    with pytest.raises(ValueError, match=msg):
        getattr(calculus, name)(np.sum, np.ones(3))


@pytest.mark.parametrize("name", ["gradient", "hessian"])
def test_f_not_scalar(name):
    msg = rf"^{name}: f returned shape \(2,\) for input of shape \(2,\); expected a scalar"
    with pytest.raises(ValueError, match=msg):
        getattr(calculus, name)(lambda v: v, np.ones(2))


def test_jacobian_output_shape_changes():
    f = lambda v: np.ones(2) if v[0] > 1.0 else np.ones(3)  # noqa: E731
    msg = r"^jacobian: f returned shape \(3,\) for input of shape \(1,\); expected shape \(2,\)$"
    with pytest.raises(ValueError, match=msg):
        calculus.jacobian(f, np.array([1.0]))


def test_difference_error_bad_x():
    with pytest.raises(TypeError, match=r"^difference_error: x must be a real number, got list$"):
        calculus.difference_error(np.sin, np.cos, [1.0, 2.0], [1e-3])
    with pytest.raises(ValueError, match=r"^difference_error: x must be a finite number, got nan"):
        calculus.difference_error(np.sin, np.cos, np.nan, [1e-3])


def test_difference_error_bad_steps():
    msg = r"^difference_error: steps must be positive, got \[0.001 0.   \]$"
    with pytest.raises(ValueError, match=msg):
        calculus.difference_error(np.sin, np.cos, 1.0, [1e-3, 0.0])
    with pytest.raises(ValueError, match=r"^difference_error: steps must be 1-D, got shape \(\)$"):
        calculus.difference_error(np.sin, np.cos, 1.0, 1e-3)


@pytest.mark.parametrize(("df", "shown"), [("cos", "str 'cos'"), (None, "NoneType None")])
def test_difference_error_bad_df(df, shown):
    msg = rf"^difference_error: df must be callable or a real number, got {shown}$"
    with pytest.raises(TypeError, match=msg):
        calculus.difference_error(np.sin, df, 1.0, [1e-3])
    with pytest.raises(ValueError, match=r"^difference_error: df must be a finite number, got"):
        calculus.difference_error(np.sin, np.nan, 1.0, [1e-3])


@pytest.mark.parametrize("rule", ["trapezoid", "simpson"])
@pytest.mark.parametrize("x_shape", [(4,), (5, 2), (3, 5)])
def test_x_y_shape_mismatch(rule, x_shape):
    msg = rf"^{rule}: x has shape {re.escape(str(x_shape))} but y has shape \(2, 5\)"
    with pytest.raises(ValueError, match=msg):
        getattr(calculus, rule)(np.ones((2, 5)), np.ones(x_shape))


@pytest.mark.parametrize("rule", ["trapezoid", "simpson"])
def test_samples_not_finite(rule):
    with pytest.raises(ValueError, match=rf"^{rule}: y must be finite, got nan at index \(1,\)"):
        getattr(calculus, rule)([1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match=rf"^{rule}: x must be finite, got inf at index \(1,\)"):
        getattr(calculus, rule)([1.0, 1.0, 2.0], [0.0, np.inf, 2.0])
    with pytest.raises(ValueError, match=rf"^{rule}: y must have at least 1 dimension, got shape"):
        getattr(calculus, rule)(1.0)
    with pytest.raises(TypeError, match=rf"^{rule}: y must be real, got complex dtype"):
        getattr(calculus, rule)([1.0, 1j, 2.0])


@pytest.mark.parametrize("rule", ["trapezoid", "simpson"])
@pytest.mark.parametrize(
    ("dx", "error", "shown"),
    [("a", TypeError, "real number, got str 'a'"), (np.inf, ValueError, "finite number, got inf")],
)
def test_bad_dx(rule, dx, error, shown):
    with pytest.raises(error, match=rf"^{rule}: dx must be a {shown}$"):
        getattr(calculus, rule)([1.0, 2.0, 3.0], dx=dx)


@pytest.mark.parametrize("n_samples", [1, 2, 4, 6])
def test_simpson_even_intervals(n_samples):
    msg = rf"^simpson: y must have an odd number of samples >= 3 .* got {n_samples} samples"
    with pytest.raises(ValueError, match=msg):
        calculus.simpson(np.ones(n_samples))


def test_simpson_not_monotonic():
    msg = r"^simpson: x must be strictly monotonic, got \[0. 2. 1.\]$"
    with pytest.raises(ValueError, match=msg):
        calculus.simpson(np.ones(3), [0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match=r"^simpson: dx must be nonzero, got 0.0$"):
        calculus.simpson(np.ones(3), dx=0.0)


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.0), (2.0, 1.0)])
def test_integrate_a_not_below_b(a, b):
    with pytest.raises(ValueError, match=rf"^integrate: a must be < b, got a={a} and b={b}$"):
        calculus.integrate(np.sin, a, b)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 3}, ValueError, "n must be an even int >= 2 for rule='simpson', got 3"),
        ({"n": 0, "rule": "trapezoid"}, ValueError, "n must be an int >= 1 for rule='trapezoid'"),
        ({"n": 10.0}, TypeError, "n must be an int, got float 10.0"),
        ({"n": True}, TypeError, "n must be an int, got bool True"),
        ({"rule": "midpoint"}, ValueError, "rule must be one of ['simpson', 'trapezoid'], got"),
        ({"rule": None}, TypeError, "rule must be one of ['simpson', 'trapezoid'], got NoneType"),
        ({"b": np.inf}, ValueError, "b must be a finite number, got inf"),
        ({"a": "0"}, TypeError, "a must be a real number, got str '0'"),
    ],
)
def test_integrate_bad_arguments(kwargs, error, match):
    args = {"a": 0.0, "b": 1.0} | kwargs
    with pytest.raises(error, match=rf"^integrate: {re.escape(match)}"):
        calculus.integrate(np.sin, **args)


@pytest.mark.parametrize("n", [1, 0, -5])
def test_monte_carlo_n_too_small(n):
    with pytest.raises(ValueError, match=rf"^monte_carlo: n must be >= 2, got {n}$"):
        calculus.monte_carlo(np.sin, (0.0, 1.0), n, 0)


@pytest.mark.parametrize(("n", "shown"), [(100.0, "float 100.0"), (True, "bool True")])
def test_monte_carlo_n_not_int(n, shown):
    with pytest.raises(TypeError, match=rf"^monte_carlo: n must be an int, got {shown}$"):
        calculus.monte_carlo(np.sin, (0.0, 1.0), n, 0)


@pytest.mark.parametrize(
    ("rng", "error", "shown"),
    [
        (1.5, TypeError, "must be None, an int seed or a numpy.random.Generator, got float 1.5"),
        ("a", TypeError, "must be None, an int seed or a numpy.random.Generator, got str 'a'"),
        (True, TypeError, "must be None, an int seed or a numpy.random.Generator, got bool True"),
        (np.random.RandomState(0), TypeError, "got RandomState"),
        (-1, ValueError, "seed must be >= 0, got -1"),
    ],
)
def test_monte_carlo_rng_refused(rng, error, shown):
    with pytest.raises(error, match=r"^monte_carlo: rng ") as info:
        calculus.monte_carlo(np.sin, (0.0, 1.0), 100, rng)
    assert shown in str(info.value)


@pytest.mark.parametrize(
    "domain", [(1.0, 1.0), (2.0, 1.0), (np.array([0.0, 1.0]), np.array([1.0, 1.0]))]
)
def test_monte_carlo_a_not_below_b(domain):
    with pytest.raises(ValueError, match=r"^monte_carlo: a must be < b elementwise, got a="):
        calculus.monte_carlo(np.sin, domain, 100, 0)


def test_monte_carlo_bad_domain():
    msg = r"^monte_carlo: b must have the shape \(2,\) of a, got \(3,\)$"
    with pytest.raises(ValueError, match=msg):
        calculus.monte_carlo(np.sin, (np.zeros(2), np.ones(3)), 100, 0)
    with pytest.raises(ValueError, match=r"^monte_carlo: domain must be a pair \(a, b\) or a sa"):
        calculus.monte_carlo(np.sin, (0.0, 1.0, 2.0), 100, 0)
    with pytest.raises(TypeError, match=r"^monte_carlo: domain must be a pair .* got float 3.0$"):
        calculus.monte_carlo(np.sin, 3.0, 100, 0)
    with pytest.raises(ValueError, match=r"^monte_carlo: a must be 0-D or 1-D, got shape \(1, 1\)"):
        calculus.monte_carlo(np.sin, (np.zeros((1, 1)), np.ones((1, 1))), 100, 0)
    with pytest.raises(ValueError, match=r"^monte_carlo: b must be finite, got inf"):
        calculus.monte_carlo(np.sin, (0.0, np.inf), 100, 0)


def test_monte_carlo_bad_output():
    msg = (
        r"^monte_carlo: f returned shape \(\) for input of shape \(100,\); expected shape \(100,\)$"
    )
    with pytest.raises(ValueError, match=msg):
        calculus.monte_carlo(np.sum, (0.0, 1.0), 100, 0)
    msg = r"^monte_carlo: domain \(a sampler\) returned shape \(5,\); expected \(100, ...\)$"
    with pytest.raises(ValueError, match=msg):
        calculus.monte_carlo(np.sin, lambda r, n: r.random(5), 100, 0)


# -- taylor_polynomial ------------------------------------------------------------------------


def test_taylor_polynomial_of_exp_matches_the_series_and_torch(device):
    x = np.linspace(-1.0, 1.0, 7)
    ours = calculus.taylor_polynomial(np.full(12, np.exp(0.3)), 0.3, x)
    # the same series summed term by term with torch, float64
    xt = to_torch(x - 0.3, device)
    terms = [math.exp(0.3) * xt**k / math.factorial(k) for k in range(12)]
    assert_close(ours, torch.stack(terms).sum(0), rtol=1e-14, name="T_11 exp")
    # Lagrange remainder: |exp(x) - T_11(x)| <= e^max(x, a) |x - a|^12 / 12!
    bound = np.exp(np.maximum(x, 0.3)) * np.abs(x - 0.3) ** 12 / math.factorial(12)
    assert np.all(np.abs(ours - np.exp(x)) <= bound)


def test_taylor_polynomial_degree_zero_is_constant_and_scalars_stay_scalar():
    assert calculus.taylor_polynomial([2.5], 1.0, np.arange(3.0)).tolist() == [2.5, 2.5, 2.5]
    assert np.ndim(calculus.taylor_polynomial([0.0, 1.0], 0.0, 0.5)) == 0


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([], 0.0, 1.0), ValueError, r"derivatives must hold at least f\(a\), got shape \(0,\)$"),
        (([[1.0]], 0.0, 1.0), ValueError, r"derivatives must be 1-D, got shape \(1, 1\)$"),
        (([1.0j], 0.0, 1.0), TypeError, r"derivatives must be real, got complex dtype"),
        (([1.0], np.nan, 1.0), ValueError, r"a must be a finite number, got nan$"),
        (([1.0], "0", 1.0), TypeError, r"a must be a real number, got str '0'$"),
        (([1.0], 0.0, "x"), TypeError, r"x must be a real array or number, got str 'x'$"),
        (([1.0], 0.0, [np.inf]), ValueError, r"x must be finite, got inf at index \(0,\)"),
    ],
)
def test_taylor_polynomial_bad_input(args, error, match):
    with pytest.raises(error, match=rf"^taylor_polynomial: {match}"):
        calculus.taylor_polynomial(*args)


def test_a_step_lost_in_rounding_is_an_error_not_nan():
    msg = r"^forward_difference: step h=1e-17 is lost in rounding at x=1 \(x \+ h == x\)"
    with pytest.raises(ValueError, match=msg):
        calculus.forward_difference(np.sin, 1.0, h=1e-17)
    with pytest.raises(ValueError, match=r"^forward_difference: step h=1e-17 is lost"):
        calculus.difference_error(np.sin, np.cos, 1.0, np.logspace(-17, 0, 5))
