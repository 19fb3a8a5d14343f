"""mathdl.functional against torch.nn.functional (float64, every device) and math.erf."""

import math
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from strategies import BROADCAST, SEEDS, SETTINGS, SHAPES

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
    (lambda: F.cross_entropy(np.array(1.0), 0), ValueError, "cross_entropy: input must have shape"),
    (lambda: F.cross_entropy(Z, [0.0, 1.0]), TypeError, "cross_entropy: target must be integer"),
    (
        lambda: F.cross_entropy(Z, [0, 1, 2]),
        ValueError,
        "cross_entropy: target must have shape (2,) for input of shape (2, 3), got shape (3,)",
    ),
    (
        lambda: F.cross_entropy(Z, [0, 3]),
        ValueError,
        "cross_entropy: target values must lie in [0, 3) or equal ignore_index (-100), got 3 "
        "at index (1,)",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), REFUSALS, ids=[r[2] for r in REFUSALS])
def test_refusals(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        call()


# ----------------------------------------------------------------------------- losses

REDUCTIONS = ["none", "mean", "sum"]
POINTWISE = {
    "mse": (F.mse_loss, TF.mse_loss, {}),
    "huber": (F.huber_loss, TF.huber_loss, {}),
    "huber_0.3": (F.huber_loss, TF.huber_loss, {"delta": 0.3}),
    "huber_50": (F.huber_loss, TF.huber_loss, {"delta": 50.0}),
}


def pointwise(name, reduction):
    """(ours, torch's) for one pointwise loss of (input, target) with these options."""
    ours, theirs, options = POINTWISE[name]
    return (
        lambda x, y: ours(x, y, reduction=reduction, **options),
        lambda x, y: theirs(x, y, reduction=reduction, **options),
    )


def hinge(target, device, reduction="mean", weight=None, **options):
    """(ours, torch's) multi_margin_loss of the input alone, target and weight fixed."""
    t = torch.as_tensor(np.asarray(target), device=device)
    w = None if weight is None else torch.as_tensor(np.asarray(weight), device=device)
    return (
        lambda x: F.multi_margin_loss(x, target, weight=weight, reduction=reduction, **options),
        lambda x: TF.multi_margin_loss(x, t, weight=w, reduction=reduction, **options),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(POINTWISE))
@SETTINGS
@given(shape=SHAPES, seed=SEEDS)
def test_pointwise_losses_vs_torch(device, name, reduction, shape, seed):
    x, y = values(seed, shape), values(seed + 1, shape)
    compare_with_torch(*pointwise(name, reduction), [x, y], device, seed=seed, arrays_too=True)


@st.composite
def hinge_case(draw):
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    seed = draw(SEEDS)
    target = np.random.default_rng(seed).integers(0, c, n)
    return values(seed, (n, c)), target, draw(st.floats(-2.0, 3.0))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@SETTINGS
@given(case=hinge_case())
def test_multi_margin_loss_vs_torch(device, reduction, p, weighted, case):
    x, target, margin = case
    weight = np.random.default_rng(len(x)).uniform(0.1, 2.0, x.shape[1]) if weighted else None
    pair = hinge(target, device, reduction, weight, p=p, margin=margin)
    compare_with_torch(*pair, [x], device, arrays_too=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [2, [2], np.array(0)])
def test_multi_margin_loss_one_sample_vs_torch(device, reduction, target):
    x = np.array([0.3, -1.2, 0.9, 0.4])
    pair = hinge(target, device, reduction, weight=[1.0, 2.0, 0.5, 3.0])
    compare_with_torch(*pair, [x], device, arrays_too=True)
    assert (
        F.multi_margin_loss(x, target, reduction=reduction).shape
        == pair[1](torch.tensor(x, device=device)).shape
    )


# ----------------------------------------------------------------------------- loss kinks


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.5, 2.0])
def test_huber_loss_at_its_kinks(device, reduction, delta):
    # d = input - target exactly 0, +-delta (the branch point: torch takes the linear piece
    # and gives the gradient +-delta), and points on either side
    x = np.array([0.0, delta, -delta, 1.0 + delta, -0.25, 3.0 * delta, 0.5 * delta])
    y = np.array([0.0, 0.0, 0.0, 1.0, -0.25 + delta, 0.0, 0.0])
    tol = dict(rtol=0.0) if reduction != "mean" else {}  # mean: g/N vs torch's (1/N) g
    pair = (
        lambda a, b: F.huber_loss(a, b, reduction, delta),
        lambda a, b: TF.huber_loss(a, b, reduction=reduction, delta=delta),
    )
    compare_with_torch(*pair, [x, y], device, arrays_too=True, **tol)
    t = Tensor(x, requires_grad=True)
    F.huber_loss(t, y, "sum", delta).backward()
    np.testing.assert_array_equal(t.grad, [0.0, delta, -delta, delta, -delta, delta, 0.5 * delta])


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_loss_at_its_kinks(device, reduction, p, weighted):
    # every row has a term with z = (margin - x[y]) + x[i] == 0 exactly next to active ones
    x = np.array([[1.5, 0.5, 0.75, -2.0], [0.0, 1.0, 0.0, 0.25], [2.0, 2.0, 2.0, 2.0]])
    target = np.array([0, 1, 3])
    weight = [0.5, 2.0, 1.0, 4.0] if weighted else None
    pair = hinge(target, device, reduction, weight, p=p)
    compare_with_torch(*pair, [x], device, arrays_too=True)
    t = Tensor(x, requires_grad=True)
    F.multi_margin_loss(t, target, p=p, reduction="sum").backward()
    assert t.grad[0, 1] == 0.0 and t.grad[1, 0] == 0.0 and t.grad[1, 2] == 0.0  # z == 0


# ----------------------------------------------------------------------------- loss extremes

EXTREME_X = np.array([1e154, -1e154, 1e4, 1e154, -1e4, 1.5e154, 0.0])
EXTREME_Y = np.array([-1e154, 1e154, -1e4, 0.0, 1e4, -1e4, -1e154])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "huber", "huber_50"])
def test_pointwise_losses_extremes_vs_torch(device, name, reduction):
    # (2e154)**2 overflows to inf in torch too: equal infinities agree; gradients stay finite
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_with_torch(
            *pointwise(name, reduction), [EXTREME_X, EXTREME_Y], device, arrays_too=True
        )
    if name == "mse":
        assert np.isinf(F.mse_loss(EXTREME_X, EXTREME_Y, reduction)).any()


def test_huber_loss_overflows_in_its_quadratic_piece_like_torch(device):
    x, y = EXTREME_X, EXTREME_Y
    ours = F.huber_loss(x, y, "none", delta=1e300)
    theirs = TF.huber_loss(
        torch.tensor(x, device=device), torch.tensor(y, device=device), "none", delta=1e300
    )
    np.testing.assert_array_equal(ours, theirs.cpu().numpy())
    assert np.isinf(ours[0])


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_loss_extremes_vs_torch(device, reduction, p):
    x = np.array([[1e154, -1e154, 0.0], [1e4, -1e4, 1e154], [-1e4, 1e4, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_with_torch(*hinge([1, 0, 2], device, reduction, p=p), [x], device, arrays_too=True)
    if p == 2:
        assert np.isinf(F.multi_margin_loss(x, [1, 0, 2], p=2, reduction="sum"))


def test_float32_losses_overflow_like_torch():
    x, y = np.array([1e20, 3.0], np.float32), np.array([-1e20, 1.0], np.float32)
    for ours, theirs in ((F.mse_loss, TF.mse_loss), (F.huber_loss, TF.huber_loss)):
        out = ours(x, y, reduction="none")
        assert out.dtype == np.float32
        ref = theirs(torch.tensor(x), torch.tensor(y), reduction="none").numpy()
        np.testing.assert_array_equal(out, ref)


# ----------------------------------------------------------------------------- empty batches


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "huber"])
def test_pointwise_losses_of_empty_batches_match_torch(device, name, reduction):
    # torch: "none" is empty, "sum" is 0 and "mean" is 0/0 = nan; the gradients are empty
    ours, theirs = pointwise(name, reduction)
    x, y = Tensor(np.zeros((0, 3)), requires_grad=True), np.zeros((0, 3))
    xt = torch.zeros((0, 3), dtype=torch.float64, device=device, requires_grad=True)
    out, ref = ours(x, y), theirs(xt, torch.zeros((0, 3), dtype=torch.float64, device=device))
    np.testing.assert_array_equal(out.data, ref.detach().cpu().numpy())  # nan equals nan here
    np.testing.assert_array_equal(ours(x.data, y), out.data)
    out.backward(np.ones(out.shape))
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_loss_of_an_empty_batch(device, reduction):
    # torch leaves the reduced output of N = 0 uninitialised (it returns before writing it):
    # ours is nan for "mean" and 0 for "sum", as torch's mse_loss; "none" is empty like torch's
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    out = F.multi_margin_loss(x, np.zeros(0, np.int64), reduction=reduction)
    expected = {"none": np.zeros(0), "mean": np.nan, "sum": 0.0}[reduction]
    np.testing.assert_array_equal(out.data, expected)
    assert out.shape == (() if reduction != "none" else (0,))
    np.testing.assert_array_equal(F.multi_margin_loss(x.data, [], reduction=reduction), expected)
    out.backward(np.ones(out.shape))
    assert x.grad.shape == (0, 3)
    if reduction == "none":
        xt = torch.zeros((0, 3), dtype=torch.float64, device=device)
        ref = TF.multi_margin_loss(
            xt, torch.zeros(0, dtype=torch.long, device=device), reduction="none"
        )
        assert tuple(ref.shape) == out.shape


# ----------------------------------------------------------------------------- loss dtypes


def test_loss_dtype_rules():
    x32, y32 = np.array([1.0, -2.0, 0.5], np.float32), np.array([0.0, 1.0, 0.5], np.float32)
    for loss in (F.mse_loss, F.huber_loss):
        for reduction in REDUCTIONS:
            assert loss(x32, y32, reduction=reduction).dtype == np.float32
        assert loss(x32, [0, 1, 2]).dtype == np.float32  # integer targets take input's dtype
        assert loss(x32, y32.astype(np.float64)).dtype == np.float64  # promotion, like torch
        assert loss([1, 2], [0, 0]).dtype == np.float64
        t = Tensor(x32, requires_grad=True)
        loss(t, y32).backward()
        assert t.grad.dtype == np.float32
    scores = np.array([[0.1, 0.9, 0.3], [1.0, 0.2, 0.4]], np.float32)
    for p in (1, 2):
        assert F.multi_margin_loss(scores, [0, 2], p=p, weight=[1.0, 2.0, 3.0]).dtype == np.float32
        t = Tensor(scores, requires_grad=True)
        F.multi_margin_loss(t, [0, 2], p=p, reduction="none").sum().backward()
        assert t.grad.dtype == np.float32


def test_losses_return_tensors_for_any_tensor_operand():
    x, y = np.array([1.0, 2.0]), Tensor([0.0, 4.0], requires_grad=True)
    out = F.mse_loss(x, y)
    assert isinstance(out, Tensor)
    out.backward()
    np.testing.assert_array_equal(y.grad, [-1.0, 2.0])  # -2 (x - y) / 2
    assert isinstance(F.huber_loss(Tensor(x), y.data, "none"), Tensor)
    assert isinstance(F.multi_margin_loss(Tensor([[0.0, 1.0]]), Tensor([1])), Tensor)


# ----------------------------------------------------------------------------- loss refusals

V, S = np.zeros(3), np.zeros((2, 3))
LOSS_REFUSALS = [
    # (call, exception, message start)
    (
        lambda: F.mse_loss(V, np.zeros((3, 1))),
        ValueError,
        "mse_loss: input (3,) and target (3, 1) must have the same shape",
    ),
    (
        lambda: F.huber_loss(S, V),
        ValueError,
        "huber_loss: input (2, 3) and target (3,) must have the same shape",
    ),
    (lambda: F.mse_loss("a", V), TypeError, "mse_loss: input must be a real array or number"),
    (lambda: F.mse_loss(V, [1j, 0, 0]), TypeError, "mse_loss: target must be real, got complex"),
    (lambda: F.huber_loss(V, None), TypeError, "huber_loss: target must be a real array or numb"),
    (lambda: F.mse_loss(V, [[0], [0, 1]]), ValueError, "mse_loss: target is not a rectangular"),
    (
        lambda: F.mse_loss(V, V, reduction="avg"),
        ValueError,
        "mse_loss: reduction must be one of ['none', 'mean', 'sum'], got 'avg'",
    ),
    (lambda: F.mse_loss(V, V, None), TypeError, "mse_loss: reduction must be one of ['none', "),
    (lambda: F.huber_loss(V, V, "max"), ValueError, "huber_loss: reduction must be one of ['no"),
    (lambda: F.huber_loss(V, V, delta=0.0), ValueError, "huber_loss: delta must be > 0.0, got 0.0"),
    (lambda: F.huber_loss(V, V, delta=-1), ValueError, "huber_loss: delta must be > 0.0, got -1.0"),
    (lambda: F.huber_loss(V, V, delta="1"), TypeError, "huber_loss: delta must be a real number"),
    (lambda: F.huber_loss(V, V, delta=np.nan), ValueError, "huber_loss: delta must be a finite"),
    (lambda: F.huber_loss(V, V, delta=np.inf), ValueError, "huber_loss: delta must be a finite"),
    (
        lambda: F.multi_margin_loss(np.zeros((2, 2, 2)), [0, 0]),
        ValueError,
        "multi_margin_loss: input must have shape (N, C) or (C,) with C >= 1, got (2, 2, 2)",
    ),
    (
        lambda: F.multi_margin_loss(np.array(1.0), 0),
        ValueError,
        "multi_margin_loss: input must have shape (N, C) or (C,) with C >= 1, got ()",
    ),
    (
        lambda: F.multi_margin_loss(np.zeros((2, 0)), [0, 0]),
        ValueError,
        "multi_margin_loss: input must have shape (N, C) or (C,) with C >= 1, got (2, 0)",
    ),
    (lambda: F.multi_margin_loss("ab", 0), TypeError, "multi_margin_loss: input must be a real"),
    (
        lambda: F.multi_margin_loss(S, [0.0, 1.0]),
        TypeError,
        "multi_margin_loss: target must be integer class indices, got dtype float64",
    ),
    (
        lambda: F.multi_margin_loss(S, [True, False]),
        TypeError,
        "multi_margin_loss: target must be integer class indices, got dtype bool",
    ),
    (lambda: F.multi_margin_loss(S, None), TypeError, "multi_margin_loss: target must be a real"),
    (lambda: F.multi_margin_loss(S, "01"), TypeError, "multi_margin_loss: target must be a real"),
    (
        lambda: F.multi_margin_loss(S, [0, 1, 2]),
        ValueError,
        "multi_margin_loss: target must have shape (2,) for input of shape (2, 3), got shape (3,)",
    ),
    (
        lambda: F.multi_margin_loss(S, [[0], [1]]),
        ValueError,
        "multi_margin_loss: target must have shape (2,) for input of shape (2, 3), "
        "got shape (2, 1)",
    ),
    (
        lambda: F.multi_margin_loss(V, [0, 1]),
        ValueError,
        "multi_margin_loss: target must have shape () or (1,) for input of shape (3,), "
        "got shape (2,)",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 3]),
        ValueError,
        "multi_margin_loss: target values must lie in [0, 3), got 3 at index (1,)",
    ),
    (
        lambda: F.multi_margin_loss(S, [-1, 0]),
        ValueError,
        "multi_margin_loss: target values must lie in [0, 3), got -1 at index (0,)",
    ),
    (
        lambda: F.multi_margin_loss(V, 5),
        ValueError,
        "multi_margin_loss: target values must lie in [0, 3), got 5",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], p=3),
        ValueError,
        "multi_margin_loss: p must be 1 or 2, got 3",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], p=0),
        ValueError,
        "multi_margin_loss: p must be 1 or 2, got 0",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], p=1.0),
        TypeError,
        "multi_margin_loss: p must be an int, got float 1.0",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], p=True),
        TypeError,
        "multi_margin_loss: p must be an int",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], margin="1"),
        TypeError,
        "multi_margin_loss: margin must be a real number, got str '1'",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], margin=np.nan),
        ValueError,
        "multi_margin_loss: margin must be a finite number, got nan",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], margin=-np.inf),
        ValueError,
        "multi_margin_loss: margin must be a finite number, got -inf",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], weight=np.ones((1, 3))),
        ValueError,
        "multi_margin_loss: weight must be 1-D, got shape (1, 3)",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], weight=[1.0, 2.0]),
        ValueError,
        "multi_margin_loss: weight must have shape (3,) for input of shape (2, 3), got shape (2,)",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], weight=[1j, 1, 1]),
        TypeError,
        "multi_margin_loss: weight must be real, got complex",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], weight="abc"),
        TypeError,
        "multi_margin_loss: weight must be a real array or number, got str",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], weight=Tensor(np.ones(3), requires_grad=True)),
        ValueError,
        "multi_margin_loss: weight must not require grad",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], reduction="mean "),
        ValueError,
        "multi_margin_loss: reduction must be one of ['none', 'mean', 'sum'], got 'mean '",
    ),
    (
        lambda: F.multi_margin_loss(S, [0, 1], reduction=1),
        TypeError,
        "multi_margin_loss: reduction must be one of ['none', 'mean', 'sum'], got int 1",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), LOSS_REFUSALS, ids=[r[2] for r in LOSS_REFUSALS]
)
def test_loss_refusals(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        call()


# ----------------------------------------------------------------------------- classification

CLASS_OPTIONS = {
    # name -> (weighted, ignore_index, label_smoothing)
    "plain": (False, None, 0.0),
    "weighted": (True, None, 0.0),
    "ignored": (False, -100, 0.0),
    "ignore_a_class": (True, 1, 0.0),
    "smoothed": (False, None, 0.2),
    "smoothed_weighted": (True, None, 0.35),
    "smoothed_weighted_ignored": (True, -100, 0.1),
    "smoothed_ignored_class": (False, 0, 1.0),
}


@st.composite
def class_shapes(draw, spatial=True):
    """An input shape (N, C), (C,) or (N, C, d1, ..., dk) with N, C >= 1, and a seed."""
    c = draw(st.integers(1, 5))
    kind = draw(st.sampled_from(["batched", "unbatched", "spatial"] if spatial else ["batched"]))
    if kind == "unbatched":
        shape = (c,)
    else:
        extra = draw(st.lists(st.integers(1, 3), max_size=2)) if kind == "spatial" else []
        shape = (draw(st.integers(1, 4)), c, *extra)
    return shape, draw(SEEDS)


def class_labels(seed, shape, ignore_index=None):
    """Integer targets for an input of ``shape``: () for (C,), else (N, d1, ..., dk).

    With ``ignore_index``, about a third of them are set to it (never the first one, so
    a mean is never over nothing), or, for a class ``ignore_index >= 0``, left as drawn.
    """
    rng = np.random.default_rng(seed)
    c = shape[1] if len(shape) > 1 else shape[0]
    tshape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    y = rng.integers(0, c, tshape)
    if ignore_index is not None and ignore_index < 0 and y.size > 1:
        flat = y.reshape(-1)
        flat[1:][rng.random(flat.size - 1) < 0.35] = ignore_index
    return y


def class_weight(seed, c):
    return np.random.default_rng(seed + 1).uniform(0.1, 2.0, c)


def classification(loss, target, device, weight=None, **options):
    """(ours, torch's) ``loss`` of the input alone, with a fixed target and weight."""
    yt = torch.as_tensor(np.asarray(target), device=device)
    wt = None if weight is None else torch.as_tensor(weight, device=device)
    return (
        lambda x: getattr(F, loss)(x, target, weight, **options),
        lambda x: getattr(TF, loss)(x, yt, wt, **options),
    )


def class_options(name, seed, shape):
    """(target, weight, options) for one entry of CLASS_OPTIONS and an input shape."""
    weighted, ignore_index, smoothing = CLASS_OPTIONS[name]
    c = shape[1] if len(shape) > 1 else shape[0]
    if ignore_index is not None and ignore_index >= 0 and c == 1:
        ignore_index = None  # the only class: every target would be ignored
    y = class_labels(seed, shape, ignore_index)
    if ignore_index is not None and ignore_index >= 0:
        y.reshape(-1)[0] = (ignore_index + 1) % c  # one target counts: the mean is not 0 / 0
    options = {} if ignore_index is None else {"ignore_index": ignore_index}
    if smoothing:
        options["label_smoothing"] = smoothing
    return y, class_weight(seed, c) if weighted else None, options


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(CLASS_OPTIONS))
@SETTINGS
@given(case=class_shapes())
def test_cross_entropy_class_indices_vs_torch(device, name, reduction, case):
    shape, seed = case
    y, w, options = class_options(name, seed, shape)
    pair = classification("cross_entropy", y, device, w, reduction=reduction, **options)
    # softmax - onehot cancels where softmax ~ 1: rounding there is ~1e-16 absolute
    x = values(seed, shape)
    compare_with_torch(*pair, [x], device, atol=1e-15, seed=seed, arrays_too=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["plain", "weighted", "ignored", "ignore_a_class"])
@SETTINGS
@given(case=class_shapes())
def test_nll_loss_vs_torch(device, name, reduction, case):
    shape, seed = case
    y, w, options = class_options(name, seed, shape)
    pair = classification("nll_loss", y, device, w, reduction=reduction, **options)
    logp = F.log_softmax(values(seed, shape), dim=min(len(shape) - 1, 1))
    compare_with_torch(*pair, [logp], device, seed=seed, arrays_too=True)
    x = values(seed + 2, shape)  # any real scores, not only log-probabilities
    # +-1e4 of both signs cancel in the sum, summed in another order by torch
    atol = 1e-16 * np.abs(x).sum()
    compare_with_torch(*pair, [x], device, atol=atol, seed=seed, arrays_too=True)


def probabilities(seed, shape, dim):
    """Probabilities along ``dim``: softmax of values, a few rows exactly one-hot."""
    rng = np.random.default_rng(seed + 3)
    p = F.softmax(2 * rng.standard_normal(shape), dim=dim)
    hot = np.moveaxis(np.eye(shape[dim])[rng.integers(0, shape[dim], p.sum(dim).shape)], -1, dim)
    rows = np.expand_dims(rng.random(p.sum(dim).shape) < 0.3, dim)  # exact zeros and ones
    return np.where(rows, hot, p)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["plain", "weighted", "smoothed", "smoothed_weighted"])
@SETTINGS
@given(case=class_shapes())
def test_cross_entropy_class_probabilities_vs_torch(device, name, reduction, case):
    shape, seed = case
    weighted, _, smoothing = CLASS_OPTIONS[name]
    dim = min(len(shape) - 1, 1)
    w = class_weight(seed, shape[dim]) if weighted else None
    wt = None if w is None else torch.as_tensor(w, device=device)
    options = dict(reduction=reduction, label_smoothing=smoothing)
    x, p = values(seed, shape), probabilities(seed, shape, dim)
    # both the logits and the probabilities are differentiated, as in torch
    compare_with_torch(
        lambda v, q: F.cross_entropy(v, q, w, **options),
        lambda v, q: TF.cross_entropy(v, q, wt, **options),
        [x, p],
        device,
        atol=1e-15,
        seed=seed,
        arrays_too=True,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [2, np.array(0), [1], np.array([3])])
def test_cross_entropy_of_one_unbatched_sample_vs_torch(device, reduction, target):
    x = np.array([0.3, -1.2, 1e4, -1e4])
    # torch's forward takes a target of shape (1,) too, but its backward fails on it:
    # torch gets the same label as a 0-d target
    yt = torch.as_tensor(np.asarray(target).reshape(()), device=device)
    for options in ({}, {"weight": [1.0, 2.0, 0.5, 3.0], "label_smoothing": 0.25}):
        w = options.get("weight")
        wt = None if w is None else torch.tensor(w, dtype=torch.float64, device=device)
        smoothing = options.get("label_smoothing", 0.0)
        pair = (
            lambda v, o=options: F.cross_entropy(v, target, reduction=reduction, **o),
            lambda v, wt=wt, s=smoothing: TF.cross_entropy(
                v, yt, wt, reduction=reduction, label_smoothing=s
            ),
        )
        compare_with_torch(*pair, [x], device, atol=1e-15, arrays_too=True)
        assert F.cross_entropy(x, target, reduction=reduction).shape == ()


def test_label_smoothing_with_weights_and_ignore_index_is_torchs_formula(device):
    # torch: (1 - e) nll + (e / C) smooth, both reduced by the sum of the weights of the
    # targets that count (the smoothing term too), the ignored ones contributing nothing
    rng = np.random.default_rng(3)
    x, y = 2 * rng.standard_normal((6, 4)), np.array([0, 3, -100, 1, 1, -100])
    w, e = np.array([0.5, 1.0, 2.0, 4.0]), 0.3
    logp = F.log_softmax(x, 1)
    v = y != -100
    nll = -w[y[v]] * logp[v, y[v]]
    smooth = -(w * logp[v]).sum(1)
    by_hand = ((1 - e) * nll.sum() + e / 4 * smooth.sum()) / w[y[v]].sum()
    ours = F.cross_entropy(x, y, w, label_smoothing=e)
    assert_close(ours, by_hand, rtol=1e-14, name="by hand")
    theirs = TF.cross_entropy(
        torch.tensor(x, device=device),
        torch.tensor(y, device=device),
        torch.tensor(w, device=device),
        label_smoothing=e,
    )
    assert_close(ours, theirs, rtol=1e-14, name="torch")


def test_ignored_targets_get_no_gradient_and_all_ignored_mean_is_nan(device):
    x = Tensor(values(1, (4, 3)), requires_grad=True)
    y = np.array([2, -100, 0, -100])
    F.cross_entropy(x, y, label_smoothing=0.1).backward()
    assert (x.grad[[1, 3]] == 0).all() and (x.grad[[0, 2]] != 0).all()
    # every target ignored: torch's mean is 0 / 0 = nan and its gradient is 0
    for loss, inp in (("cross_entropy", x.data), ("nll_loss", F.log_softmax(x.data, 1))):
        t = Tensor(inp, requires_grad=True)
        out = getattr(F, loss)(t, np.full(4, -100))
        xt = torch.tensor(inp, device=device, requires_grad=True)
        ref = getattr(TF, loss)(xt, torch.full((4,), -100, device=device))
        ref.backward()
        assert np.isnan(out.data) and torch.isnan(ref)
        out.backward()
        np.testing.assert_array_equal(t.grad, xt.grad.cpu().numpy())


def test_cross_entropy_spatial_none_has_the_target_shape(device):
    x = values(4, (2, 3, 4, 5))
    y = class_labels(4, x.shape)
    out = F.cross_entropy(Tensor(x), y, reduction="none")
    assert isinstance(out, Tensor) and out.shape == (2, 4, 5)
    ref = TF.cross_entropy(torch.tensor(x, device=device), torch.tensor(y, device=device),
                           reduction="none")  # fmt: skip
    assert_close(out, ref, rtol=1e-12)


def test_cross_entropy_keeps_its_two_argument_callers():
    # the chapters call F.cross_entropy(logits, labels) with arrays, lists and Tensors
    logits = np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
    expected = -(F.log_softmax(logits, 1)[[0, 1], [0, 2]]).mean()
    for labels in ([0, 2], np.array([0, 2]), np.array([0, 2], np.int32), Tensor([0, 2])):
        assert_close(F.cross_entropy(logits, labels), expected, rtol=1e-15)
    z = Tensor(logits, requires_grad=True)
    F.cross_entropy(z, [0, 2]).backward()
    assert_close(z.grad, (F.softmax(logits, 1) - np.eye(3)[[0, 2]]) / 2, rtol=1e-14)


# ----------------------------------------------------------------------------- binary and KL


def unit_values(seed, shape):
    """Values in [0, 1] with exact zeros and ones mixed in."""
    rng = np.random.default_rng(seed)
    p = rng.random(shape)
    return np.where(rng.random(shape) < 0.15, rng.integers(0, 2, shape).astype(float), p)


BINARY_WEIGHTS = ["none", "elementwise", "last_dim"]


def binary_weight(kind, seed, shape):
    rng = np.random.default_rng(seed + 7)
    if kind == "none":
        return None
    return rng.uniform(0.1, 3.0, shape if kind == "elementwise" else shape[-1:])


def as_torch(w, device):
    return None if w is None else torch.as_tensor(np.asarray(w), device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighting", BINARY_WEIGHTS)
@SETTINGS
@given(shape=SHAPES, seed=SEEDS)
def test_binary_cross_entropy_vs_torch(device, weighting, reduction, shape, seed):
    x = np.clip(unit_values(seed, shape), 1e-3, 1 - 1e-3)  # inside: finite target gradients
    y = unit_values(seed + 1, shape)
    w = binary_weight(weighting, seed, shape)
    wt = as_torch(w, device)
    compare_with_torch(
        lambda a, b: F.binary_cross_entropy(a, b, w, reduction),
        lambda a, b: TF.binary_cross_entropy(a, b, wt, reduction=reduction),
        [x, y],
        device,
        seed=seed,
        arrays_too=True,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_at_zero_and_one_vs_torch(device, reduction):
    # log 0 is clamped at -100 (a finite loss), the input gradient divides by
    # max(x (1 - x), 1e-12), and the target gradient -logit(x) is +-inf at 0 and 1
    x = np.array([0.0, 0.0, 1.0, 1.0, 1e-300, 1 - 2**-53, 0.5, 1e-17])
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 0.2, 0.7, 0.0])
    compare_with_torch(
        lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction),
        lambda a, b: TF.binary_cross_entropy(a, b, reduction=reduction),
        [x, y],
        device,
        arrays_too=True,
    )
    assert np.isfinite(F.binary_cross_entropy(x, y, reduction=reduction)).all()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighting", BINARY_WEIGHTS)
@pytest.mark.parametrize("pos", [False, True])
@SETTINGS
@given(shape=SHAPES, seed=SEEDS)
def test_binary_cross_entropy_with_logits_vs_torch(device, pos, weighting, reduction, shape, seed):
    x, y = values(seed, shape), unit_values(seed + 1, shape)  # logits with +-1e4 mixed in
    w = binary_weight(weighting, seed, shape)
    pw = np.random.default_rng(seed).uniform(0.2, 4.0, shape[-1:]) if pos else None
    wt, pwt = as_torch(w, device), as_torch(pw, device)
    # sigmoid(x) - y cancels where sigmoid(x) ~ y: an absolute floor of 1e-15
    compare_with_torch(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, w, reduction, pw),
        lambda a, b: TF.binary_cross_entropy_with_logits(
            a, b, wt, reduction=reduction, pos_weight=pwt
        ),
        [x, y],
        device,
        atol=1e-15,
        seed=seed,
        arrays_too=True,
    )


KL_REDUCTIONS = ["none", "batchmean", "sum", "mean"]


def torch_kl_div(x, y, reduction, log_target=False):
    """torch's kl_div, without its UserWarning for "mean" (ours documents it instead)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "reduction: 'mean'", UserWarning)
        return TF.kl_div(x, y, reduction=reduction, log_target=log_target)


@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
@pytest.mark.parametrize("log_target", [False, True])
@SETTINGS
@given(sa=shape_and_axis(), seed=SEEDS)
def test_kl_div_vs_torch(device, log_target, reduction, sa, seed):
    shape, dim = sa
    logq = F.log_softmax(values(seed, shape), dim)
    # no exact zeros here (the target gradient is nan there, see below)
    p = F.softmax(np.random.default_rng(seed + 1).standard_normal(shape), dim)
    target = np.log(p) if log_target else p
    compare_with_torch(
        lambda a, b: F.kl_div(a, b, reduction, log_target),
        lambda a, b: torch_kl_div(a, b, reduction, log_target),
        [logq, target],
        device,
        atol=1e-300,
        seed=seed,
        arrays_too=True,
    )


@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
def test_kl_div_with_exact_zeros_vs_torch(device, reduction):
    # 0 log 0 = 0 (xlogy): finite where p = 0, even against log q = -1e4 or -inf
    # (p = 0 with log q = -inf is nan: 0 * -inf, in torch too)
    logq = np.array([[-1e4, np.log(0.5), np.log(0.5)], [0.0, -1e300, -1e4]])
    p = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    pt = torch.tensor(p, device=device)
    compare_with_torch(
        lambda a: F.kl_div(a, p, reduction),
        lambda a: torch_kl_div(a, pt, reduction),
        [logq],
        device,
        arrays_too=True,
    )
    assert np.isfinite(F.kl_div(logq, p, reduction)).all()
    # the target gradient at p = 0 is torch's 0/0 = nan (the derivative of p log p is -inf)
    t = Tensor(p, requires_grad=True)
    F.kl_div(logq, t, reduction).backward(np.ones(p.shape) if reduction == "none" else None)
    tt = pt.clone().requires_grad_(True)
    ref = torch_kl_div(torch.tensor(logq, device=device), tt, reduction)
    ref.backward(torch.ones_like(ref))
    np.testing.assert_array_equal(t.grad, tt.grad.cpu().numpy())  # nan equals nan here


def test_kl_div_batchmean_is_the_kl_divergence_per_sample():
    p = np.array([[0.25, 0.75], [1.0, 0.0]])
    q = np.array([[0.5, 0.5], [0.5, 0.5]])
    per_sample = (p * np.log(np.where(p > 0, p, 1) / q)).sum(1)
    assert_close(F.kl_div(np.log(q), p, "batchmean"), per_sample.mean(), rtol=1e-15)
    assert_close(F.kl_div(np.log(q), p, "mean"), per_sample.sum() / 4, rtol=1e-15)
    with np.errstate(divide="ignore"):
        logp = np.log(p)  # -inf at p = 0: exp(-inf) (-inf - log q) = 0 * -inf is nan
    assert np.isnan(F.kl_div(np.log(q), logp, "sum", True))
    assert_close(F.kl_div(np.log(q[:1]), logp[:1], "sum", True), per_sample[0], rtol=1e-15)


# ----------------------------------------------------------------------------- extremes


def test_classification_losses_of_extreme_logits_are_finite_and_torchs(device):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4], [-1e4, 1e4, 1e4]])
    y = np.array([1, 0, 2, 1])
    p = probabilities(0, x.shape, 1)
    w = np.array([0.5, 1.0, 2.0])
    cases = [
        classification("cross_entropy", y, device),
        classification("cross_entropy", y, device, w, label_smoothing=0.3),
        classification("cross_entropy", y, device, w, reduction="none", label_smoothing=1.0),
        classification("nll_loss", y, device, w),
        classification("cross_entropy", p, device, w, label_smoothing=0.2),
        (
            lambda v: F.binary_cross_entropy_with_logits(v, p, pos_weight=w),
            lambda v: TF.binary_cross_entropy_with_logits(
                v, torch.tensor(p, device=device), pos_weight=torch.tensor(w, device=device)
            ),
        ),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ours, theirs in cases:
            compare_with_torch(ours, theirs, [x], device, atol=1e-15, arrays_too=True)
            assert np.isfinite(ours(x)).all()


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_classification_losses_of_empty_batches_match_torch(device, reduction):
    # "mean" of nothing is nan, "sum" is 0 and "none" empty, silently, as in torch
    x = np.zeros((0, 3))
    xt = torch.zeros((0, 3), dtype=torch.float64, device=device)
    y, yt = np.zeros(0, np.int64), torch.zeros(0, dtype=torch.long, device=device)
    pairs = [
        (F.cross_entropy(x, y, reduction=reduction), TF.cross_entropy(xt, yt, reduction=reduction)),
        (F.cross_entropy(x, x, reduction=reduction), TF.cross_entropy(xt, xt, reduction=reduction)),
        (F.nll_loss(x, y, reduction=reduction), TF.nll_loss(xt, yt, reduction=reduction)),
        (
            F.binary_cross_entropy(x, x, reduction=reduction),
            TF.binary_cross_entropy(xt, xt, reduction=reduction),
        ),
        (
            F.binary_cross_entropy_with_logits(x, x, reduction=reduction),
            TF.binary_cross_entropy_with_logits(xt, xt, reduction=reduction),
        ),
        (F.kl_div(x, x, "sum" if reduction == "sum" else "batchmean" if reduction == "mean"
                  else "none"),
         torch_kl_div(xt, xt, "sum" if reduction == "sum" else "batchmean" if reduction == "mean"
                      else "none")),
    ]  # fmt: skip
    for ours, theirs in pairs:
        assert isinstance(ours, np.ndarray) and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours, theirs.cpu().numpy())
    t = Tensor(x, requires_grad=True)
    out = F.cross_entropy(t, y, reduction=reduction)
    out.backward(np.ones(out.shape))
    assert t.grad.shape == (0, 3)


# ----------------------------------------------------------------------------- dtypes, types


def test_classification_losses_keep_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    y, p = np.array([0, 2, 1, 2]), F.softmax(x, 1)
    u = F.sigmoid(x)
    calls = [
        lambda v: F.cross_entropy(v, y),
        lambda v: F.cross_entropy(v, y, [1.0, 2.0, 3.0], label_smoothing=0.1),
        lambda v: F.cross_entropy(v, y, reduction="none", ignore_index=1),
        lambda v: F.cross_entropy(v, p),
        lambda v: F.nll_loss(v, y, np.ones(3)),
        lambda v: F.binary_cross_entropy(F.sigmoid(v), u),
        lambda v: F.binary_cross_entropy_with_logits(v, u, np.ones(3), pos_weight=np.ones(3)),
        lambda v: F.kl_div(v, p, "batchmean"),
    ]
    for call in calls:
        assert call(x).dtype == np.float32
        t = Tensor(x, requires_grad=True)
        out = call(t)
        assert out.dtype == np.float32
        out.backward(np.ones(out.shape, np.float32))
        assert t.grad.dtype == np.float32
    assert F.cross_entropy(x, p.astype(np.float64)).dtype == np.float64  # promotes, as torch


def test_classification_losses_differentiate_their_targets():
    x, p = values(2, (3, 4)), probabilities(2, (3, 4), 1)
    for call in (
        lambda a, b: F.cross_entropy(a, b),
        lambda a, b: F.binary_cross_entropy_with_logits(a, b),
        lambda a, b: F.kl_div(F.log_softmax(a, 1), b, "batchmean"),
    ):
        b = Tensor(p, requires_grad=True)
        out = call(x, b)  # only the target is a Tensor: the result is one too
        assert isinstance(out, Tensor)
        out.backward()
        assert b.grad.shape == p.shape and np.isfinite(b.grad).all()


# ----------------------------------------------------------------------------- refusals

N3 = np.zeros((2, 3))
CLASSIFICATION_REFUSALS = [
    # (call, exception, message start)
    (
        lambda: F.cross_entropy(N3, [0, 5]),
        ValueError,
        "cross_entropy: target values must lie in [0, 3) or equal ignore_index (-100), got 5 at "
        "index (1,)",
    ),
    (
        lambda: F.cross_entropy(N3, [-1, 0]),
        ValueError,
        "cross_entropy: target values must lie in [0, 3) or equal ignore_index (-100), got -1",
    ),
    (
        lambda: F.nll_loss(N3, [0, 3], ignore_index=3 - 4),
        ValueError,
        "nll_loss: target values must lie in [0, 3) or equal ignore_index (-1), got 3 at index",
    ),
    (
        lambda: F.cross_entropy(N3, [0, 1, 2]),
        ValueError,
        "cross_entropy: target must have shape (2,) for input of shape (2, 3), got shape (3,): "
        "target batch size 3 differs from input batch size 2",
    ),
    (
        lambda: F.nll_loss(np.zeros((2, 3, 5)), np.zeros((4, 5), int)),
        ValueError,
        "nll_loss: target must have shape (2, 5) for input of shape (2, 3, 5), got shape (4, 5): "
        "target batch size 4 differs from input batch size 2",
    ),
    (
        lambda: F.cross_entropy(N3, np.zeros(3)),
        ValueError,
        "cross_entropy: target must be integer class indices of shape (2,) or floating class "
        "probabilities of the input's shape (2, 3), got dtype float64 and shape (3,)",
    ),
    (
        lambda: F.cross_entropy(N3, np.ones((2, 3), np.int64)),
        TypeError,
        "cross_entropy: target of the input's shape (2, 3) holds class probabilities and must "
        "be floating, got dtype int64",
    ),
    (
        lambda: F.cross_entropy(N3, [0, 1], weight=[1.0, 1.0]),
        ValueError,
        "cross_entropy: weight must have shape (3,) for input of shape (2, 3), got shape (2,)",
    ),
    (
        lambda: F.cross_entropy(N3, N3, ignore_index=2),
        ValueError,
        "cross_entropy: ignore_index is not supported for class-probability targets",
    ),
    (
        lambda: F.cross_entropy(N3, [0, 1], label_smoothing=1.5),
        ValueError,
        "cross_entropy: label_smoothing must be <= 1.0, got 1.5",
    ),
    (
        lambda: F.cross_entropy(N3, [0, 1], reduction="batchmean"),
        ValueError,
        "cross_entropy: reduction must be one of ['none', 'mean', 'sum'], got 'batchmean'",
    ),
    (
        lambda: F.binary_cross_entropy(np.array([0.5, 1.25]), np.array([1.0, 0.0])),
        ValueError,
        "binary_cross_entropy: input must be probabilities in [0, 1], got 1.25 at index (1,)",
    ),
    (
        lambda: F.binary_cross_entropy(np.array([0.5, 0.5]), np.array([1.0, -0.5])),
        ValueError,
        "binary_cross_entropy: target must be probabilities in [0, 1], got -0.5 at index (1,)",
    ),
    (
        lambda: F.binary_cross_entropy(np.array([0.5, 0.5]), np.array([1.0])),
        ValueError,
        "binary_cross_entropy: input (2,) and target (1,) must have the same shape",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits(N3, N3, pos_weight=np.ones(2)),
        ValueError,
        "binary_cross_entropy_with_logits: pos_weight of shape (2,) does not broadcast to the "
        "input's shape (2, 3)",
    ),
    (
        lambda: F.kl_div(N3, np.zeros(3)),
        ValueError,
        "kl_div: input (2, 3) and target (3,) must have the same shape",
    ),
    (
        lambda: F.kl_div(N3, N3, reduction="avg"),
        ValueError,
        "kl_div: reduction must be one of ['none', 'batchmean', 'sum', 'mean'], got 'avg'",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    CLASSIFICATION_REFUSALS,
    ids=[r[2][:70] for r in CLASSIFICATION_REFUSALS],
)
def test_classification_refusals(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        call()


def test_cross_entropy_backward_twice_accumulates_like_torch():
    # the first backward reuses the forward's exponentials in place; a second recomputes them
    x, y = values(9, (5, 4)), np.array([0, 3, 1, 1, 2])
    for options in ({}, {"weight": [1.0, 2.0, 0.5, 1.5], "label_smoothing": 0.2}):
        t = Tensor(x, requires_grad=True)
        loss = F.cross_entropy(t, y, **options)
        loss.backward()
        first = t.grad.copy()
        loss.backward()
        assert_close(t.grad, 2 * first, rtol=1e-15)
        xt = torch.tensor(x, requires_grad=True)
        w = options.get("weight")
        wt = None if w is None else torch.tensor(w, dtype=torch.float64)
        smoothing = options.get("label_smoothing", 0.0)
        ref = TF.cross_entropy(xt, torch.tensor(y), wt, label_smoothing=smoothing)
        ref.backward()
        assert_close(first, xt.grad, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_on_both_sides_of_its_unshifted_fast_path(device, dtype):
    # rows whose max is in [-30, 30] skip the max-subtraction (exp cannot overflow there);
    # the others subtract it: both agree with torch, next to the boundary and far from it
    rng = np.random.default_rng(11)
    base = rng.standard_normal((6, 5))
    tops = np.array([29.9, 30.1, -29.9, -30.1, 0.0, 700.0])
    x = (base - base.max(1, keepdims=True) + tops[:, None]).astype(dtype)
    x[4, 0] = -800.0  # exp(-800) underflows with or without the shift: p = 0, as torch's
    y = np.array([0, 1, 2, 3, 0, 4])
    tol = dict(rtol=1e-12, atol=1e-16) if dtype == np.float64 else dict(rtol=2e-6, atol=1e-7)
    for rows in (slice(0, 1), slice(1, 2), slice(0, 6), [0, 2, 4]):  # fast, shifted, mixed
        xs, ys = x[rows], y[rows]
        yt = torch.as_tensor(ys, device=device)
        t = Tensor(xs, requires_grad=True)
        out = F.cross_entropy(t, ys, label_smoothing=0.1)
        out.backward()
        xt = torch.tensor(xs, device=device, requires_grad=True)
        ref = TF.cross_entropy(xt, yt, label_smoothing=0.1)
        ref.backward()
        assert out.dtype == dtype and t.grad.dtype == dtype
        assert_close(out, ref, **tol, name="loss")
        assert_close(t.grad, xt.grad, **tol, name="grad")


# ----------------------------------------------------------------------------- cosine similarity


@st.composite
def cosine_case(draw):
    """Two mutually broadcastable shapes (0-d to 3-D) and a dim of their broadcast shape."""
    shapes = draw(BROADCAST)
    ndim = max(len(shapes.result_shape), 1)  # a 0-d pair accepts dim -1 and 0
    return shapes.input_shapes, draw(st.integers(-ndim, ndim - 1))


def cosine(dim=1, eps=1e-8):
    """(ours, torch's) cosine_similarity along ``dim``."""
    return (
        lambda a, b: F.cosine_similarity(a, b, dim, eps),
        lambda a, b: TF.cosine_similarity(a, b, dim, eps),
    )


@SETTINGS
@given(case=cosine_case(), seed=SEEDS)
def test_cosine_similarity_vs_torch(device, case, seed):
    # the result sums products of both signs, so it cancels near 0: rounding there is about
    # 1e-16 absolute (in torch as here), hence the floor; the gradient (u2 - c u1) / n too
    (shape1, shape2), dim = case
    x1, x2 = values(seed, shape1), values(seed + 1, shape2)
    compare_with_torch(*cosine(dim), [x1, x2], device, atol=1e-14, seed=seed, arrays_too=True)


@pytest.mark.parametrize(
    ("x1", "x2"),
    [
        ([1e-9, 2e-9], [1.0, 3.0]),  # x1 clamped: torch's gradient (u2 - c v1) / eps
        ([0.0, 0.0], [1.0, 3.0]),  # a zero vector: cosine 0, gradient u2 / eps
        ([1e-5, 0.0], [1e-5, 0.0]),  # each norm clamped separately: 1, not 0.01
        ([0.0, 0.0], [0.0, 0.0]),
        ([3e-9, -4e-9], [6e-9, 8e-9]),  # both clamped
    ],
)
def test_cosine_similarity_clamps_each_norm_like_torch(device, x1, x2):
    x1, x2 = np.array(x1), np.array(x2)
    compare_with_torch(*cosine(0), [x1, x2], device, rtol=1e-12, arrays_too=True)


def test_cosine_similarity_clamps_each_norm_separately():
    x = np.array([1e-5, 0.0])
    assert F.cosine_similarity(x, x, dim=0) == 1.0  # the product rule would give 0.01


@pytest.mark.parametrize("eps", [0.0, 1e-3, np.inf])
def test_cosine_similarity_eps_conventions_vs_torch(device, eps):
    # eps = 0: a zero vector gives NaN (0 / 0); eps = inf: every cosine is 0 (as in torch)
    x1 = np.array([[0.0, 0.0], [1.0, 2.0], [1e-4, 0.0]])
    x2 = np.array([[1.0, 0.0], [1.0, 0.0], [1e-4, 1e-4]])
    ours, theirs = cosine(1, eps)
    ref = theirs(*(torch.tensor(v, device=device) for v in (x1, x2))).cpu().numpy()
    np.testing.assert_allclose(ours(x1, x2), ref, rtol=1e-14, atol=0, equal_nan=True)


@pytest.mark.parametrize("scale", [1e308, 1e200, 1e-300, 1e-320])
def test_cosine_similarity_of_extreme_entries_is_scale_free(device, scale):
    # cos(k x1, x2) = cos(x1, x2) and its gradient in k x1 is the gradient in x1 over k.
    # Torch's unscaled norm overflows to inf for 1e200 (its cosine is 0 there), so the
    # reference is torch at the moderate scale; below 1e-8 the clamp is active and the
    # cosine is ~0 instead, which we compare with torch directly.
    rng = np.random.default_rng(3)
    x1, x2 = rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (4, 3))
    big = np.clip(scale * x1, -np.finfo(np.float64).max, np.finfo(np.float64).max)
    t1 = Tensor(big, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.cosine_similarity(t1, x2)
        upstream = rng.standard_normal(out.shape)
        out.backward(upstream)
    r1 = torch.tensor(big / scale if scale > 1 else big, device=device, requires_grad=True)
    ref = TF.cosine_similarity(r1, torch.tensor(x2, device=device))
    ref.backward(torch.tensor(upstream, device=device))
    grad = r1.grad.cpu().numpy() / scale if scale > 1 else r1.grad
    assert_close(out, ref, rtol=1e-12, atol=1e-300 if scale < 1 else 1e-15, name="cosine")
    assert_close(t1.grad, grad, rtol=1e-12, atol=1e-300, name="grad")
    assert np.isfinite(out.data).all() and np.isfinite(t1.grad).all()


def test_cosine_similarity_dtype_rules():
    x32, x64 = np.array([[1.0, 2.0]], np.float32), np.array([[2.0, 1.0]])
    assert F.cosine_similarity(x32, x32).dtype == np.float32
    assert F.cosine_similarity(x32, x64).dtype == np.float64  # floats promote
    assert F.cosine_similarity(x32, [[1, 2]]).dtype == np.float32  # ints take the float's
    assert F.cosine_similarity([[1, 2]], [[True, False]]).dtype == np.float64
    t = Tensor(x32, requires_grad=True)
    F.cosine_similarity(t, x64).sum().backward()
    assert t.grad.dtype == np.float32
    out = F.cosine_similarity(x32, x32)
    ref = TF.cosine_similarity(torch.tensor(x32), torch.tensor(x32))
    assert_close(out, ref, rtol=1e-6, name="float32")


def test_cosine_similarity_shapes_and_types():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 3, 4))
    assert F.cosine_similarity(a, a[0], dim=-1).shape == (2, 3)  # (2, 3, 4) with (3, 4)
    assert F.cosine_similarity(a, a[:, :1], dim=1).shape == (2, 4)  # stretched along dim
    out = F.cosine_similarity(np.array(2.0), -3.0, dim=0)
    assert type(out) is np.ndarray and out.shape == () and out == -1.0
    assert isinstance(F.cosine_similarity(Tensor(a), a), Tensor)
    assert isinstance(F.cosine_similarity(a, Tensor(a)), Tensor)
    np.testing.assert_array_equal(F.cosine_similarity(np.ones((2, 0)), np.ones((2, 0))), [0, 0])
    t = Tensor(a, requires_grad=True)
    F.cosine_similarity(t, t, dim=2).sum().backward()  # cos(x, x) = 1 for every x: gradient 0
    assert_close(t.grad, np.zeros_like(a), atol=1e-15, name="grad of cos(x, x)")
