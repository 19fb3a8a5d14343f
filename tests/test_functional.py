"""mathdl.functional against torch.nn.functional (float64, every device) and math.erf."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathdl import functional as F
from mathdl.autodiff import Tensor
from mathdl.testing import assert_close

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SEEDS = st.integers(0, 2**32 - 1)
SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, max_side=5)


def compare(f_ours, f_torch, x, device, *, rtol=1e-12, atol=1e-300, grad_atol=None, seed=0):
    """Forward on arrays and on Tensors, and the input gradient, against torch."""
    x = np.asarray(x, dtype=np.float64)
    xt = torch.tensor(x, device=device, requires_grad=True)
    yt = f_torch(xt)
    y_array = f_ours(x)
    assert isinstance(y_array, np.ndarray), "arrays in, arrays out"
    assert_close(y_array, yt, rtol=rtol, atol=atol, name="forward (array)")
    xs = Tensor(x, requires_grad=True)
    y = f_ours(xs)
    assert isinstance(y, Tensor)
    assert_close(y.data, yt, rtol=rtol, atol=atol, name="forward (Tensor)")
    G = np.asarray(np.random.default_rng(seed).standard_normal(y.shape))
    y.backward(G)
    yt.backward(torch.as_tensor(G, device=device))
    ga = atol if grad_atol is None else grad_atol
    assert_close(xs.grad, xt.grad, rtol=rtol, atol=ga, name="gradient")


def values(seed, shape, scale=3.0):
    """Gaussian values with a few extreme entries mixed in."""
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal(shape)
    extreme = rng.random(shape) < 0.1
    return np.where(extreme, rng.choice([-1e4, -40.0, 40.0, 1e4], shape), x)


# ----------------------------------------------------------------------------- activations

ACTIVATIONS = {
    "relu": (F.relu, TF.relu),
    "leaky_relu": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu_0.2": (
        lambda x: F.leaky_relu(x, negative_slope=0.2),
        lambda x: TF.leaky_relu(x, negative_slope=0.2),
    ),
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "gelu_tanh": (
        lambda x: F.gelu(x, approximate="tanh"),
        lambda x: TF.gelu(x, approximate="tanh"),
    ),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@SETTINGS
@given(shape=SHAPES, seed=SEEDS)
def test_activations_vs_torch(device, name, shape, seed):
    # derivatives like 1 - tanh(x)**2 cancel in the tails (in torch as here), so the gradient
    # is compared with an absolute floor of 1e-14 (|G| <= ~5): rounding there is ~1e-16 * |G|.
    # gelu's tanh form cancels in 1 + tanh(u) for x < -3 (both libraries), and its derivative
    # multiplies that rounding by |x| (1 + 3 k x**2) / 2 ~ 30 near x = -5: a floor of 1e-13.
    tanh_form = name == "gelu_tanh"
    atol, grad_atol = (1e-14, 1e-13) if tanh_form else (1e-300, 1e-14)
    x = values(seed, shape)
    compare(*ACTIVATIONS[name], x, device, atol=atol, grad_atol=grad_atol, seed=seed)


@SETTINGS
@given(shape=SHAPES, seed=SEEDS)
def test_gelu_exact_vs_torch(device, shape, seed):
    # torch evaluates x/2 (1 + erf(x/sqrt2)), which cancels in the left tail: its absolute
    # error is about |x| * 1e-16, so an absolute floor of 1e-14 (|x| <= 40) is needed there.
    # Ours uses erfc and is accurate in relative terms (checked against math.erfc below).
    x = values(seed, shape)
    compare(F.gelu, TF.gelu, x, device, rtol=1e-12, atol=1e-14, seed=seed)


def test_gelu_left_tail_is_relatively_accurate():
    x = np.array([-3.0, -8.0, -20.0])
    expected = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    assert_close(F.gelu(x), expected, rtol=1e-14, name="gelu tail")


def test_gelu_bad_approximate():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        F.gelu(np.zeros(2), approximate="fast")


def test_activation_zero_and_nan_conventions(device):
    x = np.array([0.0, -0.0, np.nan])
    for ours, theirs in ACTIVATIONS.values():
        out = ours(x)
        ref = theirs(torch.tensor(x, device=device)).cpu().numpy()
        np.testing.assert_array_equal(out, ref)


# ----------------------------------------------------------------------------- erf


def test_erf_erfc_vs_math():
    x = np.concatenate([np.linspace(-27, 27, 20_001), np.logspace(-300, 1.4, 2000)])
    x = np.concatenate([x, -x])
    e = np.array([math.erf(v) for v in x])
    c = np.array([math.erfc(v) for v in x])
    # Cephes' rational approximations: peak relative error ~1.3e-15 (erfc near x = 1)
    assert_close(F.erf(x), e, rtol=2e-15, name="erf")
    assert_close(F.erfc(x), c, rtol=3e-15, atol=1e-300, name="erfc")
    np.testing.assert_array_equal(F.erf(np.array([np.inf, -np.inf, 0.0])), [1.0, -1.0, 0.0])
    assert np.isnan(F.erf(np.array(np.nan)))


def test_erf_erfc_gradients_vs_torch(device):
    x = np.linspace(-4, 4, 17)
    compare(F.erf, torch.special.erf, x, device, rtol=2e-15)
    compare(F.erfc, torch.special.erfc, x, device, rtol=5e-15)


# ----------------------------------------------------------------------------- softmax family


@st.composite
def shape_and_axis(draw):
    shape = draw(SHAPES)
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


@SETTINGS
@given(sa=shape_and_axis(), seed=SEEDS)
def test_softmax_family_vs_torch(device, sa, seed):
    shape, dim = sa
    x = values(seed, shape)
    # the VJPs g - s * sum(g) and s * (g - sum(g s)) cancel where the result is small, and
    # log_softmax's -log(1 + tiny) does too; rounding there is ~1e-16 absolute, hence the floor
    tol = dict(rtol=1e-12, atol=1e-14, grad_atol=1e-14, seed=seed)
    compare(lambda v: F.softmax(v, dim), lambda v: TF.softmax(v, dim), x, device, **tol)
    compare(lambda v: F.log_softmax(v, dim), lambda v: TF.log_softmax(v, dim), x, device, **tol)
    compare(lambda v: F.logsumexp(v, dim), lambda v: torch.logsumexp(v, dim), x, device, **tol)


@pytest.mark.parametrize(("dim", "keepdim"), [((0, 2), False), ((1,), True), (None, False)])
def test_logsumexp_dims_vs_torch(device, dim, keepdim):
    x = values(7, (2, 3, 4))
    tdim = (0, 1, 2) if dim is None else dim
    compare(
        lambda v: F.logsumexp(v, dim, keepdim),
        lambda v: torch.logsumexp(v, tdim, keepdim=keepdim),
        x,
        device,
    )


def test_extreme_logits_are_finite_and_exact():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4]])
    s = F.softmax(x, dim=1)
    assert np.isfinite(s).all()
    assert_close(s, np.array([[1, 0, 0], [1 / 3] * 3, [1 / 3] * 3]), name="softmax")
    assert_close(F.log_softmax(x, 1)[0], np.array([0.0, -2e4, -1e4]), name="log_softmax")
    assert_close(F.logsumexp(x, 1), np.array([1e4, -1e4 + np.log(3), 1e4 + np.log(3)]), name="lse")
    assert_close(F.sigmoid(np.array([-1e4, 1e4])), np.array([0.0, 1.0]), name="sigmoid")
    assert_close(F.tanh(np.array([-1e4, 1e4])), np.array([-1.0, 1.0]), name="tanh")
    assert_close(F.gelu(np.array([-1e4, 1e4])), np.array([-0.0, 1e4]), name="gelu")


def test_logsumexp_of_minus_inf_row(device):
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf]])
    ref = torch.logsumexp(torch.tensor(x, device=device), 1).cpu().numpy()
    np.testing.assert_array_equal(F.logsumexp(x, 1), ref)


def test_dtype_rules():
    x32 = np.array([-1.0, 0.5, 2.0], np.float32)
    for f in (F.relu, F.leaky_relu, F.sigmoid, F.tanh, F.gelu, F.softmax, F.log_softmax, F.erf):
        assert f(x32).dtype == np.float32, f.__name__
        t = Tensor(x32, requires_grad=True)
        f(t).sum().backward()
        assert t.grad.dtype == np.float32, f.__name__
    assert F.sigmoid(np.array([1, 2])).dtype == np.float64
    assert F.relu([True, False]).dtype == np.float64
    with pytest.raises(TypeError, match="expected a real numeric array, got dtype <U1"):
        F.relu(np.array(["a"]))


def test_softmax_dim_must_be_an_int():
    with pytest.raises(TypeError, match="softmax: dim must be an int, got tuple"):
        F.softmax(np.zeros((2, 2)), dim=(0, 1))
    with pytest.raises(ValueError, match="log_softmax: dim 2 is out of range"):
        F.log_softmax(np.zeros((2, 2)), dim=2)


# ----------------------------------------------------------------------------- cross entropy


def test_cross_entropy_vs_torch(device):
    rng = np.random.default_rng(5)
    logits, target = 3 * rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    xt = torch.tensor(logits, device=device, requires_grad=True)
    lt = TF.cross_entropy(xt, torch.as_tensor(target, device=device))
    lt.backward()
    x = Tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, target)
    loss.backward()
    assert loss.shape == () and isinstance(F.cross_entropy(logits, target), np.ndarray)
    assert_close(loss.data, lt, rtol=1e-12, name="loss")
    assert_close(F.cross_entropy(logits, target), lt, rtol=1e-12, name="loss (array)")
    assert_close(x.grad, xt.grad, rtol=1e-12, atol=1e-16, name="grad")


def test_cross_entropy_bad_inputs():
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\), got shape \(4,\)"):
        F.cross_entropy(np.zeros(4), [1])
    with pytest.raises(ValueError, match=r"integer target of shape \(2,\), got shape \(3,\)"):
        F.cross_entropy(np.zeros((2, 3)), [0, 1, 2])
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\), got min 0 and max 3"):
        F.cross_entropy(np.zeros((2, 3)), [0, 3])
