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
