"""mathdl.functional against torch.nn.functional (float64, every device) and math.erf."""

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from strategies import SEEDS, SETTINGS, SHAPES

from mathdl import functional as F
from mathdl.autodiff import Tensor
from mathdl.testing import assert_close, compare_with_torch


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
    tol = dict(atol=atol, grad_atol=grad_atol, seed=seed)
    compare_with_torch(*ACTIVATIONS[name], [x], device, arrays_too=True, **tol)


@SETTINGS
@given(shape=SHAPES, seed=SEEDS)
def test_gelu_exact_vs_torch(device, shape, seed):
    # torch evaluates x/2 (1 + erf(x/sqrt2)), which cancels in the left tail: its absolute
    # error is about |x| * 1e-16, so an absolute floor of 1e-14 (|x| <= 40) is needed there.
    # Ours uses erfc and is accurate in relative terms (checked against math.erfc below).
    x = values(seed, shape)
    compare_with_torch(F.gelu, TF.gelu, [x], device, atol=1e-14, seed=seed, arrays_too=True)


def test_gelu_left_tail_is_relatively_accurate():
    x = np.array([-3.0, -8.0, -20.0])
    expected = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    assert_close(F.gelu(x), expected, rtol=1e-14, name="gelu tail")


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
    compare_with_torch(F.erf, torch.special.erf, [x], device, rtol=2e-15, arrays_too=True)
    compare_with_torch(F.erfc, torch.special.erfc, [x], device, rtol=5e-15, arrays_too=True)


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
    tol = dict(rtol=1e-12, atol=1e-14, seed=seed, arrays_too=True)
    for ours, theirs in (
        (lambda v: F.softmax(v, dim), lambda v: TF.softmax(v, dim)),
        (lambda v: F.log_softmax(v, dim), lambda v: TF.log_softmax(v, dim)),
        (lambda v: F.logsumexp(v, dim), lambda v: torch.logsumexp(v, dim)),
    ):
        compare_with_torch(ours, theirs, [x], device, **tol)


@pytest.mark.parametrize(("dim", "keepdim"), [((0, 2), False), ((1,), True), (None, False)])
def test_logsumexp_dims_vs_torch(device, dim, keepdim):
    x = values(7, (2, 3, 4))
    tdim = (0, 1, 2) if dim is None else dim
    compare_with_torch(
        lambda v: F.logsumexp(v, dim, keepdim),
        lambda v: torch.logsumexp(v, tdim, keepdim=keepdim),
        [x],
        device,
        arrays_too=True,
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
    assert F.softmax(Tensor([1, 2])).dtype == np.float64  # an integer Tensor is computed too


# ----------------------------------------------------------------------------- cross entropy


def test_cross_entropy_vs_torch(device):
    rng = np.random.default_rng(5)
    logits, target = 3 * rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    labels = torch.as_tensor(target, device=device)
    compare_with_torch(
        lambda v: F.cross_entropy(v, target),
        lambda v: TF.cross_entropy(v, labels),
        [logits],
        device,
        atol=1e-16,
        arrays_too=True,
    )
    assert F.cross_entropy(Tensor(logits), target).shape == ()


# ----------------------------------------------------------------------------- refusals

Z = np.zeros((2, 3))
REFUSALS = [
    # (call, exception, message start)
    (lambda: F.relu(np.array(["a"])), TypeError, "relu: input must be a real numeric array, got"),
    (lambda: F.erf(None), TypeError, "erf: input must be a real array or number, got NoneType"),
    (lambda: F.softmax([1j]), TypeError, "softmax: input must be real, got complex dtype"),
    (lambda: F.sigmoid([[1.0], [1.0, 2.0]]), ValueError, "sigmoid: input is not a rectangular"),
    (lambda: F.softmax(Z, dim=(0, 1)), TypeError, "softmax: dim must be an int, got tuple"),
    (lambda: F.softmax(Z, dim=1.0), TypeError, "softmax: dim must be an int, got float 1.0"),
    (lambda: F.log_softmax(Z, dim=2), ValueError, "log_softmax: dim 2 is out of range for a"),
    (lambda: F.logsumexp(Z, dim="0"), TypeError, "logsumexp: dim must be an int or a tuple of"),
    (lambda: F.logsumexp(Z, dim=(0, 5)), ValueError, "logsumexp: dim 5 is out of range for a"),
    (lambda: F.logsumexp(Z, keepdim=1), TypeError, "logsumexp: keepdim must be True or False"),
    (lambda: F.leaky_relu(Z, "a"), TypeError, "leaky_relu: negative_slope must be a real num"),
    (lambda: F.leaky_relu(Z, np.nan), ValueError, "leaky_relu: negative_slope must be a finite"),
    (lambda: F.gelu(Z, approximate="fast"), ValueError, "gelu: approximate must be one of ['none'"),
    (lambda: F.gelu(Z, approximate=None), TypeError, "gelu: approximate must be one of ['none', "),
    (lambda: F.cross_entropy("a", [0]), TypeError, "cross_entropy: input must be a real array"),
    (lambda: F.cross_entropy(np.zeros(4), [1]), ValueError, "cross_entropy: input must have shape"),
    (lambda: F.cross_entropy(Z, [0.0, 1.0]), TypeError, "cross_entropy: target must be integer"),
    (
        lambda: F.cross_entropy(Z, [0, 1, 2]),
        ValueError,
        "cross_entropy: target must have shape (2,) for input of shape (2, 3), got shape (3,)",
    ),
    (
        lambda: F.cross_entropy(Z, [0, 3]),
        ValueError,
        "cross_entropy: target values must lie in [0, 3), got min 0 and max 3",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), REFUSALS, ids=[r[2] for r in REFUSALS])
def test_refusals(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        call()
