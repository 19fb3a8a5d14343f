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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathdl import calculus
from mathdl.testing import assert_close, to_numpy

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
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


def t(x, device):
    """A float64 torch tensor on ``device``."""
    return torch.as_tensor(np.asarray(x, dtype=np.float64), device=device)


def torch_derivatives(tf, x, device, order):
    """``[f, f', ..., f^(order)]`` at the points ``x`` by repeated torch.autograd.grad."""
    xt = t(x, device).requires_grad_(True)
    out = [tf(xt)]
    for _ in range(order):
        (d,) = torch.autograd.grad(out[-1].sum(), xt, create_graph=True)
        out.append(d)
    return [to_numpy(d) for d in out]


def points(lo, hi):
    """1-D arrays of 1 to 20 points in [lo, hi]."""
    return hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(lo, hi, allow_nan=False))


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


VECTORS = st.integers(1, 5).flatmap(
    lambda n: hnp.arrays(np.float64, n, elements=st.floats(-2, 2, allow_nan=False))
)


@SETTINGS
@given(x=VECTORS)
def test_gradient_jacobian_vs_autograd(device, x):
    xt = t(x, device)
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
    assert np.array_equal(H, H.T), "symmetric by construction"
    Ht = torch.autograd.functional.hessian(lambda v: scalar_fn(v, torch), t(x, device))
    # O(eps^(1/2)) ~ 1.5e-8 times the size of f and its fourth derivatives (up to ~100 here)
    assert_close(H, Ht, rtol=1e-6, atol=1e-6, name="hessian")


def test_gradient_step_argument():
    x = np.array([1.0, -2.0, 3.0])
    quad = lambda v: v @ v  # noqa: E731 -- central differences are exact for quadratics
    assert_close(calculus.gradient(quad, x, h=0.25), 2 * x, rtol=1e-15, name="grad")
    assert_close(calculus.gradient(quad, x, h=[0.1, 0.2, 0.3]), 2 * x, rtol=1e-14, name="grad")
    assert_close(calculus.hessian(quad, x, h=0.5), 2 * np.eye(3), atol=1e-14, name="hess")


# ----------------------------------------------------------------------------- quadrature


@SETTINGS
@given(
    shape=st.tuples(st.integers(1, 3), st.integers(0, 12)),
    seed=st.integers(0, 2**32 - 1),
    x_kind=st.sampled_from(["none", "1d", "full"]),
)
def test_trapezoid_vs_torch(device, shape, seed, x_kind):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(shape)
    if x_kind == "none":
        dx = float(rng.uniform(0.1, 2.0))
        expected = torch.trapezoid(t(y, device), dx=dx)
        got = calculus.trapezoid(y, dx=dx)
    else:
        x = rng.standard_normal(shape[-1] if x_kind == "1d" else shape)  # unsorted too
        expected = torch.trapezoid(t(y, device), t(x, device))
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


# ----------------------------------------------------------------------------- bad inputs


F_FUNCS = {
    "derivative": lambda f: calculus.derivative(f, 1.0),
    "forward_difference": lambda f: calculus.forward_difference(f, 1.0),
    "difference_error": lambda f: calculus.difference_error(f, 1.0, 1.0, [1e-3]),
    "gradient": lambda f: calculus.gradient(f, [1.0]),
    "jacobian": lambda f: calculus.jacobian(f, [1.0]),
    "hessian": lambda f: calculus.hessian(f, [1.0]),
    "integrate": lambda f: calculus.integrate(f, 0.0, 1.0),
    "monte_carlo": lambda f: calculus.monte_carlo(f, (0.0, 1.0), 10, np.random.default_rng()),
}
X_FUNCS = {
    "derivative": lambda x, h=None: calculus.derivative(np.sin, x, h),
    "forward_difference": lambda x, h=None: calculus.forward_difference(np.sin, x, h),
    "gradient": lambda x, h=None: calculus.gradient(np.sum, x, h),
    "jacobian": lambda x, h=None: calculus.jacobian(np.sin, x, h),
    "hessian": lambda x, h=None: calculus.hessian(np.sum, x, h),
}


@pytest.mark.parametrize("name", list(F_FUNCS))
def test_f_not_callable(name):
    with pytest.raises(TypeError, match=rf"{name}: f must be callable, got float"):
        F_FUNCS[name](3.0)


@pytest.mark.parametrize("name", list(X_FUNCS))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_x_not_finite(name, bad):
    with pytest.raises(
        ValueError, match=rf"{name}: x contains NaN or inf \(first at index \(1,\)\)"
    ):
        X_FUNCS[name](np.array([1.0, bad]))


@pytest.mark.parametrize("name", list(X_FUNCS))
@pytest.mark.parametrize("h", [0.0, -1e-3, np.nan, [1e-3, 0.0]])
def test_h_not_positive(name, h):
    with pytest.raises(ValueError, match=rf"{name}: h must be positive and finite, got"):
        X_FUNCS[name](np.array([1.0, 2.0]), h)


@pytest.mark.parametrize("name", list(X_FUNCS))
def test_h_wrong_shape(name):
    with pytest.raises(ValueError, match=r"h of shape \(3,\) does not broadcast to x of shape"):
        X_FUNCS[name](np.array([1.0, 2.0]), np.ones(3) * 1e-3)


@pytest.mark.parametrize("name", list(X_FUNCS))
def test_x_complex(name):
    with pytest.raises(TypeError, match=rf"{name}: x must be real, got complex dtype"):
        X_FUNCS[name](np.array([1.0 + 1j]))


@pytest.mark.parametrize("name", ["gradient", "jacobian", "hessian"])
def test_x_not_1d(name):
    with pytest.raises(ValueError, match=rf"{name}: expected x to be 1-D, got shape \(2, 2\)"):
        X_FUNCS[name](np.ones((2, 2)))


def test_derivative_f_changes_shape():
    with pytest.raises(ValueError, match=r"derivative: f returned shape \(\) for input of shape"):
        calculus.derivative(np.sum, np.ones(3))


@pytest.mark.parametrize("name", ["gradient", "hessian"])
def test_f_not_scalar(name):
    with pytest.raises(ValueError, match=rf"{name}: f must return a scalar, got shape \(2,\)"):
        getattr(calculus, name)(lambda v: v, np.ones(2))


def test_jacobian_output_shape_changes():
    f = lambda v: np.ones(2) if v[0] == 1.0 else np.ones(3)  # noqa: E731
    with pytest.raises(ValueError, match=r"jacobian: f returned shape \(3,\) .* expected shape"):
        calculus.jacobian(f, np.array([1.0]))


def test_difference_error_bad_inputs():
    with pytest.raises(ValueError, match=r"difference_error: expected x to be 0-D, got shape"):
        calculus.difference_error(np.sin, np.cos, [1.0, 2.0], [1e-3])
    with pytest.raises(
        ValueError, match=r"difference_error: steps must be positive, got \[0.001 0.   \]"
    ):
        calculus.difference_error(np.sin, np.cos, 1.0, [1e-3, 0.0])
    with pytest.raises(TypeError, match="difference_error: df must be callable or a real number"):
        calculus.difference_error(np.sin, "cos", 1.0, [1e-3])


@pytest.mark.parametrize("rule", ["trapezoid", "simpson"])
@pytest.mark.parametrize("x_shape", [(4,), (5, 2), (3, 5)])
def test_x_y_shape_mismatch(rule, x_shape):
    msg = rf"{rule}: x has shape {re.escape(str(x_shape))} but y has shape \(2, 5\)"
    with pytest.raises(ValueError, match=msg):
        getattr(calculus, rule)(np.ones((2, 5)), np.ones(x_shape))


@pytest.mark.parametrize("rule", ["trapezoid", "simpson"])
def test_samples_not_finite(rule):
    with pytest.raises(ValueError, match=rf"{rule}: y contains NaN or inf"):
        getattr(calculus, rule)([1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match=rf"{rule}: x contains NaN or inf"):
        getattr(calculus, rule)([1.0, 1.0, 2.0], [0.0, np.inf, 2.0])
    with pytest.raises(ValueError, match=rf"{rule}: expected y to have at least 1 dimension"):
        getattr(calculus, rule)(1.0)


@pytest.mark.parametrize("n_samples", [1, 2, 4, 6])
def test_simpson_even_intervals(n_samples):
    with pytest.raises(
        ValueError,
        match=rf"simpson: needs an odd number of samples >= 3 .* got {n_samples} samples",
    ):
        calculus.simpson(np.ones(n_samples))


def test_simpson_not_monotonic():
    with pytest.raises(ValueError, match="simpson: x must be strictly monotonic"):
        calculus.simpson(np.ones(3), [0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="simpson: x must be strictly monotonic"):
        calculus.simpson(np.ones(3), dx=0.0)


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.0), (2.0, 1.0)])
def test_integrate_a_not_below_b(a, b):
    with pytest.raises(ValueError, match=rf"integrate: expected a < b, got a={a} and b={b}"):
        calculus.integrate(np.sin, a, b)


def test_integrate_bad_n_and_rule():
    with pytest.raises(
        ValueError, match=r"integrate: n must be an even int >= 2 for rule='simpson', got 3"
    ):
        calculus.integrate(np.sin, 0.0, 1.0, n=3)
    with pytest.raises(
        ValueError, match=r"integrate: n must be an int >= 1 for rule='trapezoid', got 0"
    ):
        calculus.integrate(np.sin, 0.0, 1.0, n=0, rule="trapezoid")
    with pytest.raises(TypeError, match="integrate: n must be an int, got float"):
        calculus.integrate(np.sin, 0.0, 1.0, n=10.0)
    with pytest.raises(
        ValueError, match="integrate: rule must be 'simpson' or 'trapezoid', got 'midpoint'"
    ):
        calculus.integrate(np.sin, 0.0, 1.0, rule="midpoint")
    with pytest.raises(ValueError, match="integrate: b contains NaN or inf"):
        calculus.integrate(np.sin, 0.0, np.inf)


@pytest.mark.parametrize("n", [1, 0, -5])
def test_monte_carlo_n_too_small(n):
    with pytest.raises(ValueError, match=rf"monte_carlo: n must be at least 2 .*got {n}"):
        calculus.monte_carlo(np.sin, (0.0, 1.0), n, np.random.default_rng(0))


def test_monte_carlo_n_not_int():
    with pytest.raises(TypeError, match="monte_carlo: n must be an int, got float"):
        calculus.monte_carlo(np.sin, (0.0, 1.0), 100.0, np.random.default_rng(0))


@pytest.mark.parametrize("rng", [0, np.random.RandomState(0), None])
def test_monte_carlo_rng_not_generator(rng):
    with pytest.raises(TypeError, match=r"monte_carlo: rng must be a numpy\.random\.Generator"):
        calculus.monte_carlo(np.sin, (0.0, 1.0), 100, rng)


@pytest.mark.parametrize(
    "domain", [(1.0, 1.0), (2.0, 1.0), (np.array([0.0, 1.0]), np.array([1.0, 1.0]))]
)
def test_monte_carlo_a_not_below_b(domain):
    with pytest.raises(ValueError, match="monte_carlo: expected a < b, got a="):
        calculus.monte_carlo(np.sin, domain, 100, np.random.default_rng(0))


def test_monte_carlo_bad_domain_and_output():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"a has shape \(2,\) but b has shape \(3,\)"):
        calculus.monte_carlo(np.sin, (np.zeros(2), np.ones(3)), 100, rng)
    with pytest.raises(ValueError, match="domain must be a pair"):
        calculus.monte_carlo(np.sin, (0.0, 1.0, 2.0), 100, rng)
    with pytest.raises(ValueError, match=r"f returned shape \(\) for input of shape \(100,\)"):
        calculus.monte_carlo(np.sum, (0.0, 1.0), 100, rng)
    with pytest.raises(
        ValueError, match=r"the sampler returned shape \(5,\); expected \(100, ...\)"
    ):
        calculus.monte_carlo(np.sin, lambda r, n: r.random(5), 100, rng)


# -- taylor_polynomial ------------------------------------------------------------------------


def test_taylor_polynomial_of_exp_matches_the_series_and_torch(device):
    import math

    x = np.linspace(-1.0, 1.0, 7)
    ours = calculus.taylor_polynomial(np.full(12, np.exp(0.3)), 0.3, x)
    # the same series summed term by term with torch, float64
    t = torch.tensor(x - 0.3, dtype=torch.float64, device=device)
    terms = [math.exp(0.3) * t**k / math.factorial(k) for k in range(12)]
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
        (([], 0.0, 1.0), ValueError, "derivatives is empty"),
        (([[1.0]], 0.0, 1.0), ValueError, r"expected derivatives to be 1-D, got shape \(1, 1\)"),
        (([1.0], np.nan, 1.0), ValueError, "a contains NaN"),
        (([1.0], 0.0, "x"), TypeError, "dtype <U1"),
    ],
)
def test_taylor_polynomial_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        calculus.taylor_polynomial(*args)


def test_a_step_lost_in_rounding_is_an_error_not_nan():
    with pytest.raises(
        ValueError, match=r"step h=1e-17 is lost in rounding at x=1 \(x \+ h == x\)"
    ):
        calculus.forward_difference(np.sin, 1.0, h=1e-17)
    with pytest.raises(ValueError, match="lost in rounding"):
        calculus.difference_error(np.sin, np.cos, 1.0, np.logspace(-17, 0, 5))
