"""mathdl.autodiff against torch.autograd (float64, every device) and central differences."""

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathdl.autodiff import Tensor, hessian, jacobian, no_grad, numerical_gradient, tensor
from mathdl.testing import assert_close

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SEEDS = st.integers(0, 2**32 - 1)
BROADCAST = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)


def leaves(arrays, device):
    """The same float64 values as mathdl leaves and as torch leaves on ``device``."""
    ours = [Tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    theirs = [
        torch.tensor(np.asarray(a, dtype=np.float64), device=device, requires_grad=True)
        for a in arrays
    ]
    return ours, theirs


def compare(f_ours, f_torch, arrays, device, *, rtol=1e-12, atol=1e-13, seed=0):
    """Forward values and the gradients of every input for a random upstream gradient."""
    ours, theirs = leaves(arrays, device)
    y, yt = f_ours(*ours), f_torch(*theirs)
    assert_close(y.data, yt, rtol=rtol, atol=atol, name="forward")
    G = np.asarray(np.random.default_rng(seed).standard_normal(y.shape))
    y.backward(G)
    yt.backward(torch.as_tensor(G, device=device))
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert a.grad.shape == a.shape
        assert_close(a.grad, b.grad, rtol=rtol, atol=atol, name=f"grad of input {i}")


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
    compare(f, f, [a, b], device, seed=seed)


UNARY = {
    "neg": (lambda x: -x, lambda x: -x),
    "exp": (Tensor.exp, torch.exp),
    "log": (Tensor.log, torch.log),
    "sqrt": (Tensor.sqrt, torch.sqrt),
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
    compare(*UNARY[op], [x], device, seed=seed)


def test_numpy_arrays_mix_with_tensors(device):
    x = np.array([0.5, -1.0, 2.0])
    c = np.array([[1.0], [2.0]])  # broadcasts (2, 1) with (3,) to (2, 3)
    compare(
        lambda t: (c - t) * (t + c) / (c + 3) + c @ t[None, :] ** 2,
        lambda t: (
            (torch.as_tensor(c, device=device) - t)
            * (t + torch.as_tensor(c, device=device))
            / (torch.as_tensor(c, device=device) + 3)
            + torch.as_tensor(c, device=device) @ t[None, :] ** 2
        ),
        [x],
        device,
    )
    t = Tensor([1.0, 2.0])
    assert isinstance(np.ones(2) + t, Tensor) and isinstance(np.ones((2, 2)) @ t, Tensor)


def test_pow_tensor_exponent_at_zero_base(device):
    compare(
        lambda a, b: a**b, lambda a, b: a**b, [np.array([0.0, 0.0, 2.0]), [2.0, 0.0, 1.5]], device
    )


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
    compare(lambda x, y: x @ y, lambda x, y: x @ y, [a, b], device, atol=1e-12)


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\(3 != 4\)"):
        Tensor(np.ones((2, 3))) @ np.ones((4, 5))


def test_matmul_batch_mismatch_and_scalar():
    with pytest.raises(ValueError, match=r"batch dimensions of shapes \(2, 2, 3\) and \(3, 3, 4\)"):
        Tensor(np.ones((2, 2, 3))) @ Tensor(np.ones((3, 3, 4)))
    with pytest.raises(ValueError, match=r"at least 1 dimension.*\(\) and \(3,\)"):
        Tensor(2.0) @ Tensor(np.ones(3))


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
    compare(lambda t: t.sum(dim, keep), lambda t: t.sum(d, keepdim=keep), [x], device, seed=seed)
    compare(lambda t: t.mean(dim, keep), lambda t: t.mean(d, keepdim=keep), [x], device, seed=seed)


@SETTINGS
@given(sdk=shape_and_dim(), seed=SEEDS)
def test_max_min_with_ties_vs_torch_amax(device, sdk, seed):
    shape, dim, keep = sdk
    x = np.random.default_rng(seed).integers(-2, 3, shape).astype(np.float64)  # many ties
    d = _torch_dim(dim, len(shape))
    compare(lambda t: t.max(dim, keep), lambda t: t.amax(d, keepdim=keep), [x], device, seed=seed)
    compare(lambda t: t.min(dim, keep), lambda t: t.amin(d, keepdim=keep), [x], device, seed=seed)


def test_full_max_splits_ties_like_torch(device):
    x = np.array([[1.0, 5.0], [5.0, 5.0]])
    compare(lambda t: t.max(), lambda t: t.max(), [x], device)
    ours = Tensor(x, requires_grad=True)
    ours.max().backward()
    assert_close(ours.grad, np.array([[0, 1], [1, 1]]) / 3, name="split grad")


def test_reduction_dim_out_of_range():
    with pytest.raises(ValueError, match="sum: dim 2 is out of range for a tensor with 2"):
        Tensor(np.ones((2, 3))).sum(dim=2)


# ----------------------------------------------------------------------------- shapes, indexing


def test_reshape_transpose_T_vs_torch(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    compare(lambda t: t.reshape(4, -1), lambda t: t.reshape(4, -1), [x], device)
    compare(lambda t: t.reshape((6, 4)), lambda t: t.reshape((6, 4)), [x], device)
    compare(lambda t: t.transpose(0, -1), lambda t: t.transpose(0, -1), [x], device)
    compare(lambda t: t[0].T @ t[1], lambda t: t[0].T @ t[1], [x], device)
    with pytest.raises(ValueError, match=r"\.T: expected .* at most 2 dimensions, got shape"):
        _ = Tensor(x).T


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
    compare(lambda t: t[key], lambda t: t[tkey], [x], device)


def test_getitem_with_tensor_index():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[Tensor(np.array([2, 2]))].sum().backward()
    assert_close(x.grad, np.array([0.0, 0.0, 2.0]), name="grad")


# ----------------------------------------------------------------------------- graph semantics


def test_accumulates_over_two_backward_passes_like_torch(device):
    x = np.array([0.3, -1.2, 2.0])
    ours, theirs = leaves([x], device)
    (w,), (wt,) = ours, theirs
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
    compare(f, f, [rng.standard_normal((3, 2)), rng.standard_normal(2)], device)


def test_same_tensor_as_both_operands(device):
    compare(lambda x: x * x + x / x - x @ x, lambda x: x * x + x / x - x @ x, [[1.0, -2.0]], device)


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


def test_no_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (x * 3).sum()
        z = Tensor.from_op(np.zeros(2), [(x, lambda g: g)])
    assert not y.requires_grad and y.is_leaf and not z.requires_grad
    assert (x * 3).requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


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


# ----------------------------------------------------------------------------- errors


def test_backward_on_non_scalar_raises():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"implicitly created only for scalar.*\(2, 3\)"):
        y.backward()


def test_backward_gradient_of_wrong_shape_raises():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\), expected \(2, 3\)"):
        y.backward(np.ones(3))


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(
        TypeError, match="only floating point tensors can require gradients, got int64"
    ):
        Tensor(np.array([1, 2], dtype=np.int64), requires_grad=True)
    with pytest.raises(TypeError, match="got bool"):
        Tensor([True], requires_grad=True)
    assert Tensor([1, 2]).dtype == np.int64  # fine without requires_grad


# ----------------------------------------------------------------------------- derivatives


def composite(x):
    W = np.array([[0.5, -1.0, 0.2], [0.3, 0.8, -0.4], [1.0, 0.1, 0.7]])
    return ((x @ W).exp().sum()).log() + (x**3).mean() * x[0] / (1 + x * x).sum()


@SETTINGS
@given(seed=SEEDS)
def test_autodiff_gradient_matches_central_differences(seed):
    x = np.random.default_rng(seed).uniform(-1.5, 1.5, 3)
    xt = Tensor(x, requires_grad=True)
    composite(xt).backward()
    num = numerical_gradient(composite, Tensor(x))
    # central differences: error ~ eps**(2/3) ~ 1e-10 relative to the scale of f
    assert_close(xt.grad, num, rtol=1e-7, atol=1e-8, name="autodiff vs central differences")


def test_numerical_gradient_of_numpy_function():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    g = numerical_gradient(lambda v: np.sum(np.sin(v) * v), x)
    assert g.shape == x.shape
    assert_close(g, np.cos(x) * x + np.sin(x), rtol=1e-9, atol=1e-10, name="d/dx sum(x sin x)")
    assert_close(numerical_gradient(lambda v: (v**2).sum(), x, eps=1e-3), 2 * x, name="quadratic")


def test_jacobian_vs_torch(device):
    def f(v):
        return (v[None, :] * v[:, None]).exp()[:, 1:] / (1 + v.sum())

    x = np.array([0.2, -0.4, 0.7])
    J = jacobian(f, x)
    Jt = torch.autograd.functional.jacobian(f, torch.tensor(x, device=device))
    assert J.shape == (3, 2, 3)
    assert_close(J, Jt, atol=1e-14, name="jacobian")
    assert_close(jacobian(lambda v: v * 0 + 1, x), np.zeros((3, 3)), name="constant")


@pytest.mark.parametrize("seed", range(3))
def test_hessian_vs_torch(device, seed):
    x = np.random.default_rng(seed).uniform(-1, 1, 4)

    def f(v):
        return (v[:3] @ v[1:]).exp() + (v**4).sum() / (2 + v[0] * v[3])

    H = hessian(f, x)
    Ht = torch.autograd.functional.hessian(f, torch.tensor(x, device=device))
    scale = float(torch.abs(Ht).max())
    # central differences of the exact gradient: O(h**2) + O(eps / h) with h ~ 6e-6,
    # about 1e-10 relative to the scale of the derivatives; 1e-7 leaves a wide margin
    assert_close(H, Ht, rtol=1e-7, atol=1e-7 * scale, name="hessian")
    assert_close(H, H.T, name="symmetric")


def test_hessian_of_quadratic_form_is_exact_enough(device):
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])
    H = hessian(lambda v: v @ (Tensor(A) @ v) / 2, np.array([1.0, -2.0, 0.5]))
    assert_close(H, A, rtol=1e-8, atol=1e-8, name="H of x^T A x / 2")


def test_exp_backward_of_overflow_is_silent_like_torch():
    x = Tensor(np.array([800.0]), requires_grad=True)
    (1 + x.exp()).log().backward()  # exp overflows to inf; 0 * inf in backward is NaN
    assert np.isnan(x.grad).all()


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
