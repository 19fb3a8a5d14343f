"""mathdl.autodiff against torch.autograd and torch.func (float64, every device)."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import BROADCAST, SEEDS, SETTINGS

from mathdl import autodiff, calculus
from mathdl.autodiff import Tensor, enable_grad, grad, jacobian, no_grad, tensor
from mathdl.testing import assert_close, compare_with_torch, to_torch

TOL = dict(rtol=1e-12, atol=1e-13)


def signed(rng, shape, low=0.5, high=2.0):
    """Values with |v| in [low, high] and random signs: safe denominators."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


# ----------------------------------------------------------------------------- elementwise


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(shapes=BROADCAST, seed=SEEDS)
def test_binary_ops_broadcast_vs_torch(device, op, shapes, seed):
    rng = np.random.default_rng(seed)
    (sa, sb), _ = shapes
    a = rng.uniform(0.5, 2.0, sa) if op == "pow" else rng.standard_normal(sa)
    b = rng.uniform(-2.0, 2.0, sb) if op == "pow" else signed(rng, sb)
    f = BINARY[op]
    compare_with_torch(f, f, [a, b], device, seed=seed, **TOL)


@pytest.mark.parametrize("op", list(BINARY))
def test_binary_functions_are_the_operators(op):
    a, b = Tensor([[1.5, -2.0]], requires_grad=True), Tensor([[0.5], [2.0]])
    by_function, by_operator = getattr(autodiff, op)(a, b), BINARY[op](a, b)
    assert by_function.op == by_operator.op == op
    np.testing.assert_array_equal(by_function.data, by_operator.data)


UNARY = {
    "neg": (lambda x: -x, lambda x: -x),
    "exp": (Tensor.exp, torch.exp),
    "log": (Tensor.log, torch.log),
    "sqrt": (Tensor.sqrt, torch.sqrt),
    "exp_function": (autodiff.exp, torch.exp),
    "log_function": (autodiff.log, torch.log),
    "sqrt_function": (autodiff.sqrt, torch.sqrt),
    "neg_function": (autodiff.neg, torch.neg),
    "pow_scalar": (lambda x: x**3, lambda x: x**3),
    "pow_half": (lambda x: x**0.5, lambda x: x**0.5),
    "rpow": (lambda x: 2.0**x, lambda x: 2.0**x),
    "rsub": (lambda x: 1.0 - x, lambda x: 1.0 - x),
    "rdiv": (lambda x: 3.0 / x, lambda x: 3.0 / x),
    "scalar_mix": (lambda x: 2 * x + 1, lambda x: 2 * x + 1),
}


@pytest.mark.parametrize("op", list(UNARY))
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), seed=SEEDS)
def test_unary_ops_vs_torch(device, op, shape, seed):
    x = np.random.default_rng(seed).uniform(0.5, 3.0, shape)  # positive: log, sqrt, x**0.5
    compare_with_torch(*UNARY[op], [x], device, seed=seed, **TOL)


def test_numpy_arrays_mix_with_tensors(device):
    x = np.array([0.5, -1.0, 2.0])
    c = np.array([[1.0], [2.0]])  # broadcasts (2, 1) with (3,) to (2, 3)
    ct = to_torch(c, device)
    compare_with_torch(
        lambda t: (c - t) * (t + c) / (c + 3) + c @ t[None, :] ** 2,
        lambda t: (ct - t) * (t + ct) / (ct + 3) + ct @ t[None, :] ** 2,
        [x],
        device,
        **TOL,
    )
    t = Tensor([1.0, 2.0])
    assert isinstance(np.ones(2) + t, Tensor) and isinstance(np.ones((2, 2)) @ t, Tensor)


def test_pow_tensor_exponent_at_zero_base(device):
    a, b = np.array([0.0, 0.0, 2.0]), [2.0, 0.0, 1.5]
    compare_with_torch(lambda a, b: a**b, lambda a, b: a**b, [a, b], device, **TOL)


def test_ieee_results_give_no_warnings_like_torch(device):
    # pytest turns RuntimeWarnings into errors: each line would fail under plain numpy
    x = Tensor(np.array([0.0, 1e300, -1.0]), requires_grad=True)
    y = [1 / x, x.log(), x.sqrt(), (x * 1e300).exp(), x**-1.0, x * x, (x + x).sum() * 1e10]
    xt = to_torch(x, device, requires_grad=True)
    yt = [
        1 / xt,
        xt.log(),
        xt.sqrt(),
        (xt * 1e300).exp(),
        xt**-1.0,
        xt * xt,
        (xt + xt).sum() * 1e10,
    ]
    for a, b in zip(y, yt, strict=True):
        np.testing.assert_array_equal(a.data, b.detach().cpu().numpy())  # inf, -inf, NaN
    sum(v.sum() for v in y[4:]).backward()
    sum(v.sum() for v in yt[4:]).backward()
    np.testing.assert_array_equal(x.grad, xt.grad.cpu().numpy())


def test_nan_results_are_silent():
    x = Tensor(np.array([-1.0, 0.0]), requires_grad=True)
    y = x.log() + x.sqrt() + x / x  # NaN where torch gives NaN, and no warning
    assert np.isnan(y.data).all()
    y.sum().backward()
    assert np.isnan(x.grad).all()


# ----------------------------------------------------------------------------- matmul

MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 1, 2, 3), (4, 3, 2)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)),
    ((1, 2, 3), (5, 3, 2)),
]


@pytest.mark.parametrize(("sa", "sb"), MATMUL_SHAPES)
def test_matmul_vs_torch(device, sa, sb):
    rng = np.random.default_rng(len(sa) * 10 + len(sb))
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    compare_with_torch(autodiff.matmul, torch.matmul, [a, b], device, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- reductions


@st.composite
def shape_and_dim(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        dim = None
    elif kind == "int":
        dim = draw(st.integers(-len(shape), len(shape) - 1))
    else:
        dim = tuple(draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)))
    return shape, dim, draw(st.booleans())


def _torch_dim(dim, ndim):
    return tuple(range(ndim)) if dim is None else dim


@SETTINGS
@given(sdk=shape_and_dim(), seed=SEEDS)
def test_sum_mean_vs_torch(device, sdk, seed):
    shape, dim, keep = sdk
    x = np.random.default_rng(seed).standard_normal(shape)
    d = _torch_dim(dim, len(shape))
    for ours, theirs in (
        (lambda t: t.sum(dim, keep), lambda t: t.sum(d, keepdim=keep)),
        (lambda t: t.mean(dim, keep), lambda t: t.mean(d, keepdim=keep)),
        (lambda t: autodiff.sum(t, dim, keep), lambda t: t.sum(d, keepdim=keep)),
        (lambda t: autodiff.mean(t, dim, keep), lambda t: t.mean(d, keepdim=keep)),
    ):
        compare_with_torch(ours, theirs, [x], device, seed=seed, **TOL)


@SETTINGS
@given(sdk=shape_and_dim(), seed=SEEDS)
def test_max_min_with_ties_vs_torch_amax(device, sdk, seed):
    shape, dim, keep = sdk
    x = np.random.default_rng(seed).integers(-2, 3, shape).astype(np.float64)  # many ties
    d = _torch_dim(dim, len(shape))
    for ours, theirs in (
        (lambda t: t.max(dim, keep), lambda t: t.amax(d, keepdim=keep)),
        (lambda t: t.min(dim, keep), lambda t: t.amin(d, keepdim=keep)),
        (lambda t: autodiff.max(t, dim, keep), lambda t: t.amax(d, keepdim=keep)),
        (lambda t: autodiff.min(t, dim, keep), lambda t: t.amin(d, keepdim=keep)),
    ):
        compare_with_torch(ours, theirs, [x], device, seed=seed, **TOL)


def test_full_max_splits_ties_like_torch(device):
    x = np.array([[1.0, 5.0], [5.0, 5.0]])
    compare_with_torch(lambda t: t.max(), lambda t: t.max(), [x], device, **TOL)
    ours = Tensor(x, requires_grad=True)
    ours.max().backward()
    assert_close(ours.grad, np.array([[0, 1], [1, 1]]) / 3, name="split grad")


# ----------------------------------------------------------------------------- shapes, indexing


def test_reshape_transpose_T_vs_torch(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    for ours, theirs in (
        (lambda t: t.reshape(4, -1), lambda t: t.reshape(4, -1)),
        (lambda t: t.reshape((6, 4)), lambda t: t.reshape((6, 4))),
        (lambda t: t.reshape(24), lambda t: t.reshape(24)),
        (lambda t: autodiff.reshape(t, (4, 6)), lambda t: t.reshape(4, 6)),
        (lambda t: t.transpose(0, -1), lambda t: t.transpose(0, -1)),
        (lambda t: autodiff.transpose(t, 1, 2), lambda t: t.transpose(1, 2)),
        (lambda t: t[0].T @ t[1], lambda t: t[0].T @ t[1]),
        (lambda t: autodiff.t(t[0]) @ t[1], lambda t: t[0].T @ t[1]),
    ):
        compare_with_torch(ours, theirs, [x], device, **TOL)


INDEXES = [
    (1,),
    (slice(None), 2),
    (Ellipsis, slice(1, None, 2)),
    (None, 0, slice(None, None, 2)),
    (np.array([0, 2, 2, 0]),),  # repeated rows: the gradient adds up
    (np.array([[1, 1], [0, 1]]), np.array([[0, 3], [3, 3]])),
    (slice(None), np.array([3, 3, 1])),
    (np.array([True, False, True]),),
]


@pytest.mark.parametrize("key", INDEXES, ids=range(len(INDEXES)))
def test_getitem_vs_torch(device, key):
    x = np.random.default_rng(1).standard_normal((3, 4))
    tkey = tuple(torch.as_tensor(k, device=device) if isinstance(k, np.ndarray) else k for k in key)
    if len(key) == 1:
        key, tkey = key[0], tkey[0]
    compare_with_torch(lambda t: t[key], lambda t: t[tkey], [x], device, **TOL)
    compare_with_torch(lambda t: autodiff.getitem(t, key), lambda t: t[tkey], [x], device)


def test_getitem_with_tensor_index():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[Tensor(np.array([2, 2]))].sum().backward()
    assert_close(x.grad, np.array([0.0, 0.0, 2.0]), name="grad")


# ----------------------------------------------------------------------------- graph semantics


def test_accumulates_over_two_backward_passes_like_torch(device):
    x = np.array([0.3, -1.2, 2.0])
    w, wt = Tensor(x, requires_grad=True), to_torch(x, device, requires_grad=True)
    assert w.grad is None
    for _ in range(2):
        ((w * w).exp().sum()).backward()
        ((wt * wt).exp().sum()).backward()
    assert_close(w.grad, wt.grad, name="accumulated grad")
    assert_close(w.grad, 2 * 2 * x * np.exp(x * x), name="2 * df/dx")
    y = (w**3).sum()  # the same graph twice (torch needs retain_graph=True)
    yt = (wt**3).sum()
    y.backward()
    y.backward()
    yt.backward(retain_graph=True)
    yt.backward()
    assert_close(w.grad, wt.grad, name="same graph twice")
    w.zero_grad()
    assert w.grad is None


def test_diamond_graph_vs_torch(device):
    def f(x, y):
        a = x * y  # used four times below
        b = a.exp() * a
        c = (a + b) / (1 + a * a)
        return (c @ c.T).sum() + a.max() + (x * x * x).mean()

    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
    compare_with_torch(f, f, arrays, device, **TOL)


def test_same_tensor_as_both_operands(device):
    def f(x):
        return x * x + x / x - x @ x

    compare_with_torch(f, f, [[1.0, -2.0]], device, **TOL)


def test_non_leaf_grad_not_retained_and_is_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    (h * h).sum().backward()
    assert h.grad is None and not h.is_leaf and x.is_leaf
    assert_close(x.grad, 8 * x.data, name="grad")


def test_constant_branches_get_no_grad():
    x, c = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None and not c.requires_grad
    assert_close(x.grad, c.data, name="grad")


def test_deep_chain_has_no_recursion_limit():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    y.backward()
    assert_close(x.grad, np.array(1.0001**20_000), rtol=1e-10, name="grad")


def test_no_grad_and_enable_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (x * 3).sum()
        z = Tensor.from_op(np.zeros(2), [(x, lambda g: g)])
        assert not autodiff.is_grad_enabled()
        with enable_grad():
            assert (x * 3).requires_grad and autodiff.is_grad_enabled()
        assert not (x * 3).requires_grad
    assert not y.requires_grad and y.is_leaf and not z.requires_grad
    assert (x * 3).requires_grad and autodiff.is_grad_enabled()


def test_float32_is_preserved():
    x = Tensor(np.array([[1.0, 2.0]], np.float32), requires_grad=True)
    W = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = ((x @ W) * 2.5 + 1).exp().log().sqrt() ** 2 / 3.0
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and W.grad.dtype == np.float32
    y.mean().backward(np.float64(1.0))  # a float64 gradient is cast
    assert x.grad.dtype == np.float32


def test_accessors_and_repr():
    x = tensor([[1.0, 2.0]], requires_grad=True)
    assert x.shape == (1, 2) and x.ndim == 2 and x.dtype == np.float64 and len(x) == 1
    assert repr(x) == "Tensor([[1., 2.]], requires_grad=True)"
    assert repr(Tensor(np.float32(1.5))) == "Tensor(1.5, dtype=float32)"
    assert x.sum().item() == 3.0 and isinstance(x.sum().item(), float)
    d = x.detach()
    assert not d.requires_grad and d.data is x.data and x.numpy() is x.data
    assert Tensor(x).data is not x.data  # the constructor copies
    assert Tensor([1, 2]).dtype == np.int64  # integers are fine without requires_grad
    v = Tensor([1.0, 2.0])
    assert v.T is v and autodiff.t(v) is v  # 0-D and 1-D: returned as they are, like torch.t


def test_all_lists_every_public_name():
    public = {
        name
        for name, obj in vars(autodiff).items()
        if not name.startswith("_")
        and callable(obj)
        and getattr(obj, "__module__", None) == "mathdl.autodiff"
    }
    assert public == set(autodiff.__all__)


def test_the_recorded_graph_is_public_and_named():
    from mathdl import functional as F

    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([0.5, -1.0], requires_grad=True)
    h = x * w
    loss = F.sigmoid(h).sum() + h.sum()  # h is used twice: a diamond
    order = loss.topological_order()
    assert [node.op for node in order][-1] == "add"
    assert {node.op for node in order} == {"", "mul", "sigmoid", "sum", "add"}
    assert order.index(h) < min(order.index(p) for p in order if h in p.parents)
    assert h.parents == (x, w) and x.parents == () and x.op == ""
    assert len(order) == len({id(node) for node in order}) == 7  # x, w, h, sigmoid, 2 sums, add


# ----------------------------------------------------------------------------- derivatives


W_COMPOSITE = np.array([[0.5, -1.0, 0.2], [0.3, 0.8, -0.4], [1.0, 0.1, 0.7]])


def composite(x):
    """A scalar function of x (3,) that runs on mathdl Tensors and on torch tensors."""
    W = W_COMPOSITE if isinstance(x, Tensor) else to_torch(W_COMPOSITE, x.device)
    return ((x @ W).exp().sum()).log() + (x**3).mean() * x[0] / (1 + x * x).sum()


@SETTINGS
@given(seed=SEEDS)
def test_autodiff_gradient_matches_central_differences(seed):
    x = np.random.default_rng(seed).uniform(-1.5, 1.5, 3)
    xt = Tensor(x, requires_grad=True)
    composite(xt).backward()
    num = calculus.gradient(lambda v: composite(Tensor(v)), x)
    # central differences: error ~ eps**(2/3) ~ 1e-10 relative to the scale of f
    assert_close(xt.grad, num, rtol=1e-7, atol=1e-8, name="autodiff vs central differences")


@pytest.mark.parametrize("seed", range(3))
def test_grad_vs_torch_func_grad(device, seed):
    x = np.random.default_rng(seed).uniform(-1.5, 1.5, 3)
    g = grad(composite)(x)
    xt = to_torch(x, device)
    g_func = torch.func.grad(composite)(xt)
    (g_autograd,) = torch.autograd.grad(composite(xt.requires_grad_(True)), xt)
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == (3,)
    assert_close(g, g_func, rtol=1e-12, atol=1e-14, name="grad vs torch.func.grad")
    assert_close(g, g_autograd, rtol=1e-12, atol=1e-14, name="grad vs torch.autograd.grad")


def test_grad_of_matrix_argument_and_integer_point():
    df = grad(lambda M: (M @ M).sum())  # d/dM sum(M M) = 1 M^T + M^T 1
    M = np.array([[1, 2], [3, 4]])
    ones = np.ones((2, 2))
    assert_close(df(M), ones @ M.T + M.T @ ones, name="grad of a matrix function")
    assert df(M).dtype == np.float64
    assert_close(df(Tensor(M.astype(float))), df(M), name="a Tensor point")
    assert df.__name__ == "<lambda>"  # wraps f, like torch.func.grad


def test_grad_and_jacobian_work_inside_no_grad():
    x = np.array([1.0, 2.0])
    with no_grad():
        assert_close(grad(lambda v: (v * v).sum())(x), 2 * x, name="grad in no_grad")
        assert_close(jacobian(lambda v: v * v, x), np.diag(2 * x), name="jacobian in no_grad")


def test_grad_of_a_constant_is_zero():
    assert_close(grad(lambda v: Tensor(3.0))(np.ones(3)), np.zeros(3), name="constant")
    assert_close(grad(lambda v: v.sum() * 0)(np.ones(2)), np.zeros(2), name="times zero")


def test_jacobian_vs_torch(device):
    def f(v):
        return (v[None, :] * v[:, None]).exp()[:, 1:] / (1 + v.sum())

    x = np.array([0.2, -0.4, 0.7])
    J = jacobian(f, x)
    Jt = torch.autograd.functional.jacobian(f, to_torch(x, device))
    assert J.shape == (3, 2, 3)
    assert_close(J, Jt, atol=1e-14, name="jacobian")
    assert_close(jacobian(lambda v: v * 0 + 1, x), np.zeros((3, 3)), name="constant")
    assert_close(jacobian(lambda v: Tensor(np.ones(2)), x), np.zeros((2, 3)), name="no graph")


def test_jacobian_keeps_float32_and_promotes_integers():
    assert jacobian(lambda v: v * 2, np.ones(2, np.float32)).dtype == np.float32
    assert_close(jacobian(lambda v: v * 2, [1, 2]), 2 * np.eye(2), name="integer point")


@pytest.mark.parametrize("seed", range(3))
def test_hessian_from_the_exact_gradient_vs_torch(device, seed):
    x = np.random.default_rng(seed).uniform(-1, 1, 4)

    def f(v):
        return (v[:3] @ v[1:]).exp() + (v**4).sum() / (2 + v[0] * v[3])

    H = calculus.jacobian(grad(f), x)  # differences of the exact gradient
    Ht = torch.autograd.functional.hessian(f, to_torch(x, device))
    scale = float(torch.abs(Ht).max())
    # central differences of the exact gradient: O(h**2) + O(eps / h) with h ~ 6e-6,
    # about 1e-10 relative to the scale of the derivatives; 1e-7 leaves a wide margin
    assert_close(H, Ht, rtol=1e-7, atol=1e-7 * scale, name="hessian")


def test_exp_backward_of_overflow_is_silent_like_torch():
    x = Tensor(np.array([800.0]), requires_grad=True)
    (1 + x.exp()).log().backward()  # exp overflows to inf; 0 * inf in backward is NaN
    assert np.isnan(x.grad).all()


# ----------------------------------------------------------------------------- refusals


def _non_scalar():
    return Tensor(np.ones((2, 3)), requires_grad=True) * 2


REFUSALS = [
    # (call, exception, message start)
    (
        lambda: Tensor([1.0]).sum().backward(),
        RuntimeError,
        "backward: this Tensor does not depend on any Tensor with requires_grad=True",
    ),
    (
        lambda: _non_scalar().backward(),
        RuntimeError,
        "backward: a Tensor of shape (2, 3) needs gradient= of that shape",
    ),
    (
        lambda: _non_scalar().backward(np.ones(3)),
        ValueError,
        "backward: gradient has shape (3,), expected (2, 3)",
    ),
    (
        lambda: _non_scalar().backward("a"),
        TypeError,
        "backward: gradient must be a real array or number, got str 'a'",
    ),
    (
        lambda: Tensor(np.array([1, 2]), requires_grad=True),
        TypeError,
        "Tensor: requires_grad=True needs floating data, got dtype int64",
    ),
    (
        lambda: Tensor([True], requires_grad=True),
        TypeError,
        "Tensor: requires_grad=True needs floating data, got dtype bool",
    ),
    (
        lambda: Tensor([1.0], requires_grad="yes"),
        TypeError,
        "Tensor: requires_grad must be True or False, got str 'yes'",
    ),
    (
        lambda: Tensor([1j]),
        TypeError,
        "Tensor: data must be real numbers or booleans, got dtype complex128",
    ),
    (
        lambda: Tensor(["a"]),
        TypeError,
        "Tensor: data must be real numbers or booleans, got dtype <U1",
    ),
    (
        lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5))),
        ValueError,
        "matmul: shapes (2, 3) and (4, 5) cannot be multiplied: inner dimensions 3 and 4 differ",
    ),
    (
        lambda: Tensor(np.ones((2, 2, 3))) @ Tensor(np.ones((3, 3, 4))),
        ValueError,
        "matmul: batch dimensions of shapes (2, 2, 3) and (3, 3, 4) do not broadcast",
    ),
    (
        lambda: Tensor(2.0) @ Tensor(np.ones(3)),
        ValueError,
        "matmul: both operands need at least 1 dimension, got shapes () and (3,)",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).sum(dim=2),
        ValueError,
        "sum: dim 2 is out of range for a tensor with 2 dimension(s)",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).mean(dim=[0.5]),
        TypeError,
        "mean: dim must be an int or a tuple of ints, got [0.5]",
    ),
    (
        lambda: Tensor(np.ones(2)).sum(keepdim="no"),
        TypeError,
        "sum: keepdim must be True or False, got str 'no'",
    ),
    (
        lambda: Tensor(np.ones(0)).max(),
        ValueError,
        "max: expected a non-empty tensor, got shape (0,)",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).reshape(4),
        ValueError,
        "reshape: cannot reshape a tensor of shape (2, 3) to 4",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).transpose(0, 3),
        ValueError,
        "transpose: dim 3 is out of range for a tensor with 2 dimension(s)",
    ),
    (
        lambda: Tensor(np.ones((2, 3, 4))).T,
        ValueError,
        "t: .T expects a tensor with at most 2 dimensions, got shape (2, 3, 4)",
    ),
    (
        lambda: autodiff.exp("a"),
        TypeError,
        "exp: input must be a real array or number, got str 'a'",
    ),
    (
        lambda: jacobian(3, np.ones(2)),
        TypeError,
        "jacobian: f must be callable, got int 3",
    ),
    (
        lambda: jacobian(lambda v: v.data, np.ones(2)),
        TypeError,
        "jacobian: f must return a Tensor, got ndarray",
    ),
    (
        lambda: jacobian(lambda v: v, "x"),
        TypeError,
        "jacobian: x must be a real array or number, got str 'x'",
    ),
    (
        lambda: grad(None),
        TypeError,
        "grad: f must be callable, got NoneType None",
    ),
    (
        lambda: grad(lambda v: v * 2)(np.ones(2)),
        ValueError,
        "grad: f must return a one-element Tensor, got shape (2,)",
    ),
    (
        lambda: grad(lambda v: 1.0)(np.ones(2)),
        TypeError,
        "grad: f must return a Tensor, got float",
    ),
    (
        lambda: grad(lambda v: v.sum())(np.ones(2) * 1j),
        TypeError,
        "grad: x must be real, got complex dtype complex128",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), REFUSALS, ids=[r[2] for r in REFUSALS])
def test_refusals(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        call()
