"""mathdl.nn under bad and extreme input: clear refusals, and torch's values at the edges.

* ``BAD`` -- every public class and function with bad input: the exception class and the
  start of the message (``Class: arg ...``);
* ``EXTREME`` -- layers on +-1e300, subnormals, +-inf, NaN, empty batches, 1-D input,
  float32, integer arrays, lists and non-contiguous views, forward and backward against
  torch's copy of the network, with RuntimeWarnings turned into errors.
"""

import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS

from mathdl import functional as F
from mathdl.autodiff import Tensor
from mathdl.nn import GELU, MLP, Linear, Module, ReLU, Sequential, Tanh, layer_statistics
from mathdl.testing import to_numpy, torch_copy

inf, nan = np.inf, np.nan


class Opaque:
    """An object that is neither a number nor a module."""


def net3():
    return MLP([3, 4, 2], rng=0)


def stats(x=None, target=None, net=None):
    """layer_statistics with good defaults for every argument not given."""
    x = np.ones((4, 3)) if x is None else x
    target = np.zeros((4, 2)) if target is None else target
    return layer_statistics(net3() if net is None else net, x, target)


BAD = [
    # Linear(in_features, out_features, bias, init, rng, dtype)
    (lambda: Linear("3", 2), TypeError, "Linear: in_features must be an int, got str '3'"),
    (lambda: Linear(None, 2), TypeError, "Linear: in_features must be an int, got NoneType"),
    (lambda: Linear(2.5, 2), TypeError, "Linear: in_features must be an int, got float 2.5"),
    (lambda: Linear(True, 2), TypeError, "Linear: in_features must be an int, got bool"),
    (lambda: Linear(0, 2), ValueError, "Linear: in_features must be >= 1, got 0"),
    (lambda: Linear(-3, 2), ValueError, "Linear: in_features must be >= 1, got -3"),
    (lambda: Linear(3, 2.0), TypeError, "Linear: out_features must be an int, got float 2.0"),
    (lambda: Linear(3, 0), ValueError, "Linear: out_features must be >= 1, got 0"),
    (lambda: Linear(3, 2, bias="no"), TypeError, "Linear: bias must be True or False, got str"),
    (lambda: Linear(3, 2, bias=1), TypeError, "Linear: bias must be True or False, got int 1"),
    (lambda: Linear(3, 2, bias=None), TypeError, "Linear: bias must be True or False, got None"),
    (lambda: Linear(3, 2, init="glorot"), ValueError, "Linear: init must be one of ['default'"),
    (lambda: Linear(3, 2, init=3), TypeError, "Linear: init must be one of ['default', 'xavie"),
    (lambda: Linear(3, 2, rng=-1), ValueError, "Linear: rng seed must be >= 0, got -1"),
    (lambda: Linear(3, 2, rng=1.5), TypeError, "Linear: rng must be None, an int seed or a nu"),
    (lambda: Linear(3, 2, rng="0"), TypeError, "Linear: rng must be None, an int seed or a nu"),
    (lambda: Linear(3, 2, dtype=np.int64), TypeError, "Linear: dtype must be a floating dtype"),
    (lambda: Linear(3, 2, dtype="nope"), TypeError, "Linear: dtype must be a numpy floating dt"),
    # Linear(input)
    (lambda: Linear(3, 2)(np.ones((4, 5))), ValueError, "Linear: input (4, 5) has 5 features bu"),
    (lambda: Linear(3, 2)(Tensor(np.ones((4, 5)))), ValueError, "Linear: input (4, 5) has 5 fea"),
    (lambda: Linear(3, 2)(np.ones(5)), ValueError, "Linear: input (5,) has 5 features but the"),
    (lambda: Linear(3, 2)(np.ones((0, 4))), ValueError, "Linear: input (0, 4) has 4 features b"),
    (lambda: Linear(3, 2)(2.0), ValueError, "Linear: input must have at least 1 dimension"),
    (lambda: Linear(3, 2)("abc"), TypeError, "Linear: input must be a real array or number, g"),
    (lambda: Linear(3, 2)(None), TypeError, "Linear: input must be a real array or number, got"),
    (lambda: Linear(3, 2)(np.ones(3) * 1j), TypeError, "Linear: input must be real, got compl"),
    (lambda: Linear(3, 2)([[1.0, 2.0, 3.0], [1.0]]), ValueError, "Linear: input is not a rect"),
    (lambda: Linear(3, 2)(Opaque()), TypeError, "Linear: input must be a real numeric array"),
    # MLP(sizes, activation, rng, init, dtype)
    (lambda: MLP(5), TypeError, "MLP: sizes must be a sequence of ints (input, hidden..., out"),
    (lambda: MLP("34"), TypeError, "MLP: sizes must be a sequence of ints (input, hidden..., o"),
    (lambda: MLP(None), TypeError, "MLP: sizes must be a sequence of ints (input, hidden..., o"),
    (lambda: MLP({3, 4}), TypeError, "MLP: sizes must be a sequence of ints (input, hidden..."),
    (lambda: MLP(np.array(5)), TypeError, "MLP: sizes must be a sequence of ints (input, hid"),
    (lambda: MLP([3]), ValueError, "MLP: expected at least 2 sizes (input, output), got [3]"),
    (lambda: MLP([]), ValueError, "MLP: expected at least 2 sizes (input, output), got []"),
    (lambda: MLP([3, 0]), ValueError, "MLP: sizes[1] must be >= 1, got 0"),
    (lambda: MLP([3, -2, 1]), ValueError, "MLP: sizes[1] must be >= 1, got -2"),
    (lambda: MLP([3, 2.5]), TypeError, "MLP: sizes[1] must be an int, got float 2.5"),
    (lambda: MLP([3, True]), TypeError, "MLP: sizes[1] must be an int, got bool"),
    (lambda: MLP([3, "4"]), TypeError, "MLP: sizes[1] must be an int, got str '4'"),
    (lambda: MLP([3, 4, 2], activation=np.ones(3)), TypeError, "MLP: activation must be one o"),
    (lambda: MLP([3, 4, 2], activation=3), TypeError, "MLP: activation must be one of ['sigm"),
    (lambda: MLP([3, 4, 2], activation=None), TypeError, "MLP: activation must be one of ['s"),
    (lambda: MLP([3, 4, 2], activation="swish"), ValueError, "MLP: activation must be one of"),
    (lambda: MLP([3, 4, 2], activation=ReLU()), TypeError, "MLP: activation must be one of ["),
    (lambda: MLP([3, 4, 2], activation=lambda: 3), TypeError, "MLP: activation() must return"),
    (lambda: MLP([3, 4, 2], activation=Opaque), TypeError, "MLP: activation() must return a M"),
    (lambda: MLP([3, 4, 2], activation=F.relu), TypeError, "MLP: activation must be one of ["),
    (lambda: MLP([3, 2], init="glorot"), ValueError, "MLP: init must be one of ['default', 'x"),
    (lambda: MLP([3, 2], init=None), TypeError, "MLP: init must be one of ['default', 'xavie"),
    (lambda: MLP([3, 2], rng=-1), ValueError, "MLP: rng seed must be >= 0, got -1"),
    (lambda: MLP([3, 2], rng="0"), TypeError, "MLP: rng must be None, an int seed or a numpy"),
    (lambda: MLP([3, 2], dtype=np.int64), TypeError, "MLP: dtype must be a floating dtype, go"),
    (lambda: MLP([3, 2], dtype="nope"), TypeError, "MLP: dtype must be a numpy floating dtype"),
    (lambda: net3()(np.ones((4, 5))), ValueError, "Linear: input (4, 5) has 5 features but th"),
    # Sequential(*layers), indexing
    (lambda: Sequential(3), TypeError, "Sequential: layers[0] must be a Module or a callable, g"),
    (lambda: Sequential(ReLU(), None), TypeError, "Sequential: layers[1] must be a Module or "),
    (lambda: Sequential()[0], IndexError, "Sequential: index 0 is out of range for 0 layers"),
    (lambda: Sequential(ReLU())[-2], IndexError, "Sequential: index -2 is out of range for 1"),
    (lambda: Sequential()[1.5], TypeError, "Sequential: index must be an int or a slice, got f"),
    (lambda: Sequential(ReLU())["0"], TypeError, "Sequential: index must be an int or a slice"),
    (lambda: Sequential(ReLU())[True], TypeError, "Sequential: index must be an int or a slice"),
    (lambda: net3()[3], IndexError, "MLP: index 3 is out of range for 3 layers"),
    (lambda: net3()[None], TypeError, "MLP: index must be an int or a slice, got NoneType None"),
    # Module
    (lambda: Module()(np.ones(2)), NotImplementedError, "Module does not define forward()"),
    # layer_statistics(net, x, target)
    (lambda: stats(net=Linear(3, 2)), TypeError, "layer_statistics: net must be a Sequential"),
    (lambda: stats(net="net"), TypeError, "layer_statistics: net must be a Sequential (or MLP)"),
    (lambda: layer_statistics(None, np.ones((4, 3)), 0), TypeError, "layer_statistics: net mu"),
    (lambda: stats(x="x"), TypeError, "layer_statistics: x must be a real array or number, go"),
    (lambda: stats(x=np.ones(3)), ValueError, "layer_statistics: x must be 2-D, got shape (3,)"),
    (lambda: stats(x=np.ones((1, 4, 3))), ValueError, "layer_statistics: x must be 2-D, got s"),
    (lambda: stats(x=np.ones((4, 3)) * 1j), TypeError, "layer_statistics: x must be real, got"),
    (lambda: stats(x=[[1.0, 2.0, 3.0], [1.0]]), ValueError, "layer_statistics: x is not a rec"),
    (lambda: stats(x=np.ones((0, 3))), ValueError, "layer_statistics: x must hold at least o"),
    (lambda: stats(x=np.ones((4, 5))), ValueError, "layer_statistics: x (4, 5) has 5 featur"),
    (lambda: stats(x=np.full((4, 3), nan)), ValueError, "layer_statistics: x must be finite,"),
    (lambda: stats(x=np.full((4, 3), inf)), ValueError, "layer_statistics: x must be finite,"),
    (lambda: stats(target="t"), TypeError, "layer_statistics: target must be a real a"),
    (lambda: stats(target=[1j]), TypeError, "layer_statistics: target must be real, got compl"),
    (lambda: stats(target=np.ones((4, 3))), ValueError, "layer_statistics: target has shape ("),
    (lambda: stats(target=np.full((4, 2), nan)), ValueError, "layer_statistics: target must b"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD, ids=[c[2] for c in BAD])
def test_bad_input_is_refused_clearly(call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(error, match="^" + re.escape(message)):
            call()


# ----------------------------------------------------------------------------- extreme values


def check_same(ours, theirs, what: str, rtol: float) -> None:
    """``ours`` equals torch's ``theirs``: shape, NaN and inf, finite values to ``rtol``."""
    a, b = to_numpy(ours).astype(np.float64), to_numpy(theirs).astype(np.float64)
    assert a.shape == b.shape, f"wrong shape: {what}: {a.shape}, torch {b.shape}"
    worse = ~np.isfinite(a) & np.isfinite(b)
    assert not worse.any(), f"non-finite where torch is finite: {what}: {a[worse]} vs {b[worse]}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-300, equal_nan=True, err_msg=what)


def compare_net(net, x, *, x_torch=None, rtol=1e-12):
    """``net(x)`` and the gradients of ``sum(net(x))`` against torch's copy of ``net``."""
    ref = torch_copy(net)
    xt = torch.tensor(np.array(x if x_torch is None else x_torch))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        y = net(x)
        y.sum().backward()
    yt = ref(xt)
    yt.sum().backward()
    check_same(y, yt, "forward", rtol)
    for i, (p, pt) in enumerate(zip(net.parameters(), ref.parameters(), strict=True)):
        check_same(p.grad, pt.grad, f"grad of parameter {i}", rtol)


def row_extremes(values, dtype=np.float64):
    """One extreme value per row, the rest small: the sums do not depend on their order."""
    x = np.full((len(values), 3), 0.25, dtype=dtype)
    x[:, 0] = values
    return x


X = row_extremes([1e300, -1e300, inf, -inf, nan, 5e-324, -1e-320, 0.0, -0.0, 1e-300])
X32 = row_extremes([1e38, -1e38, inf, -inf, nan, 1e-45, -1e-44, 0.0, -0.0, 1e-38], np.float32)
EXTREME = [
    ("Linear on extremes", lambda: compare_net(Linear(3, 2, rng=0), X)),
    ("Linear, no bias", lambda: compare_net(Linear(3, 2, bias=False, rng=0), X)),
    ("Linear xavier", lambda: compare_net(Linear(3, 2, init="xavier", rng=1), X)),
    ("Linear on a Tensor", lambda: compare_net(Linear(3, 2, rng=0), Tensor(X), x_torch=X)),
    ("Linear on an empty batch", lambda: compare_net(Linear(3, 2, rng=0), np.ones((0, 3)))),
    ("Linear on 1-D input", lambda: compare_net(Linear(3, 2, rng=0), np.array([1e300, 1, 2]))),
    ("Linear on a batch of batches", lambda: compare_net(Linear(3, 2, rng=0), X.reshape(2, 5, 3))),
    ("Linear on a list", lambda: compare_net(Linear(3, 2, rng=0), [[1e300, 0.5, 0.25]])),
    ("Linear on x[::2]", lambda: compare_net(Linear(3, 2, rng=0), X[::2])),
    ("Linear on x.T", lambda: compare_net(Linear(10, 2, rng=0), X.T)),
    ("Linear on Fortran order", lambda: compare_net(Linear(3, 2, rng=0), np.asfortranarray(X))),
    (
        "Linear on integers",
        lambda: compare_net(
            Linear(3, 2, rng=0), np.arange(6).reshape(2, 3), x_torch=np.arange(6.0).reshape(2, 3)
        ),
    ),
    (
        "Linear float32",
        lambda: compare_net(Linear(3, 2, rng=0, dtype=np.float32), X32, rtol=1e-6),
    ),
    ("MLP relu on extremes", lambda: compare_net(MLP([3, 4, 2], rng=0), X)),
    ("MLP tanh on extremes", lambda: compare_net(MLP([3, 4, 2], activation=Tanh, rng=0), X)),
    (
        "MLP gelu on extremes",
        lambda: compare_net(MLP([3, 4, 2], activation=GELU, rng=0), X[[0, 1, 5, 6, 7, 9]]),
    ),
    ("MLP on an empty batch", lambda: compare_net(MLP([3, 4, 2], rng=0), np.ones((0, 3)))),
    ("MLP on 1-D input", lambda: compare_net(MLP([3, 4, 2], rng=0), np.array([1e300, 1, 2]))),
    ("Sequential slice", lambda: compare_net(MLP([3, 4, 4, 2], rng=0)[:2], X)),
]


@pytest.mark.parametrize("case", [c[1] for c in EXTREME], ids=[c[0] for c in EXTREME])
def test_extreme_values_match_torch(case):
    case()


# ----------------------------------------------------------------------------- the listed bugs


def test_linear_names_the_input_shape_and_both_widths():
    with pytest.raises(ValueError, match=r"^Linear: input \(4, 5\) has 5 features but the layer "):
        Linear(3, 2)(Tensor(np.ones((4, 5))))


def test_mlp_activation_must_make_modules():
    with pytest.raises(TypeError, match=r"^MLP: activation must be .* got a ReLU instance; pass"):
        MLP([3, 4, 2], activation=ReLU())
    with pytest.raises(TypeError, match=r"^MLP: activation\(\) must return a Module, got int 3"):
        MLP([3, 4, 2], activation=lambda: 3)


def test_sequential_indexing_like_torch():
    net = MLP([3, 4, 4, 2], rng=0)
    head = net[:2]
    assert isinstance(head, Sequential) and [type(m) for m in head] == [Linear, ReLU]
    assert net[-1] is net.layers[-1] and net[np.int64(0)] is net.layers[0]
    assert [type(m) for m in net] == [type(m) for m in net.layers]  # iteration ends cleanly


def test_layer_statistics_on_huge_activations_is_finite_and_exact():
    """A bias-free ReLU network is positively homogeneous: every statistic scales with x.

    With x times 2**600 (about 4e180) the activations square beyond float64, yet the
    scaled norms are finite and equal to the small-input ones times 2**600 (exactly:
    powers of two scale without rounding).
    """
    net = Sequential(Linear(3, 4, bias=False, rng=0), ReLU(), Linear(4, 2, bias=False, rng=1))
    x = np.random.default_rng(0).standard_normal((5, 3))
    small = layer_statistics(net, x, np.zeros((5, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        big = layer_statistics(net, x * 2.0**600, np.zeros((5, 2)))
    for a, b in zip(small[:2], big[:2], strict=True):  # stds, ||dL/dh_l||: finite, exact
        np.testing.assert_array_equal(b, a * 2.0**600)
    assert np.isinf(big[2]).all()  # ||dL/dW|| ~ |x|**2 = 2**1200 * ...: beyond float64


# ----------------------------------------------------------------------------- hypothesis


@SETTINGS
@given(
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 4),
    wrong=st.integers(1, 9),
    batch=st.lists(st.integers(0, 3), max_size=2),
)
def test_linear_refuses_every_wrong_width(n_in, n_out, wrong, batch):
    layer = Linear(n_in, n_out, rng=0)
    shape = (*batch, wrong)
    if wrong == n_in:
        assert layer(np.ones(shape)).shape == (*batch, n_out)
        return
    message = f"Linear: input {shape} has {wrong} features but the layer expects {n_in}"
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        layer(np.ones(shape))


@SETTINGS
@given(depth=st.integers(0, 4), i=st.integers(-12, 12))
def test_sequential_index_in_range_or_index_error(depth, i):
    net = Sequential(*[ReLU() for _ in range(depth)])
    if -depth <= i < depth:
        assert net[i] is net.layers[i]
    else:
        with pytest.raises(IndexError, match=f"^Sequential: index {i} is out of range for {depth}"):
            net[i]
