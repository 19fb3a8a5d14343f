"""mathdl.nn against torch.nn with the same weights (float64, every device)."""

import re

import numpy as np
import pytest
import torch

from mathdl import functional as F
from mathdl.autodiff import Tensor, no_grad
from mathdl.nn import (
    ACTIVATIONS,
    GELU,
    MLP,
    Linear,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    layer_statistics,
)
from mathdl.testing import assert_close, torch_copy

# ----------------------------------------------------------------------------- Linear


def test_linear_default_init_matches_torch_bounds():
    layer = Linear(400, 300, rng=0)
    bound = 1 / np.sqrt(400)  # kaiming_uniform(a=sqrt 5) -> U(-1/sqrt(in), 1/sqrt(in))
    assert layer.weight.shape == (300, 400) and layer.bias.shape == (300,)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert_close(layer.weight.data.var(), bound**2 / 3, rtol=0.02, name="Var W")
    ref = torch.nn.Linear(400, 300)  # torch's own draw has the same spread
    assert_close(ref.weight.detach().var().item(), bound**2 / 3, rtol=0.02, name="torch Var W")
    assert layer.weight.requires_grad and layer.weight.is_leaf


@pytest.mark.parametrize(
    ("init", "bound"), [("xavier", np.sqrt(6 / 700)), ("he", np.sqrt(6 / 400))]
)
def test_linear_xavier_and_he(init, bound):
    layer = Linear(400, 300, init=init, rng=1)
    assert np.abs(layer.weight.data).max() <= bound
    assert_close(layer.weight.data.var(), bound**2 / 3, rtol=0.02, name=f"Var W ({init})")
    assert np.array_equal(layer.bias.data, np.zeros(300))


def test_linear_rng_reproducible_and_dtype():
    a, b = Linear(3, 2, rng=42), Linear(3, 2, rng=np.random.default_rng(42))
    assert np.array_equal(a.weight.data, b.weight.data)
    c = Linear(3, 2, bias=False, rng=0, dtype=np.float32)
    assert c.bias is None and c.weight.dtype == np.float32 and len(c.parameters()) == 1
    assert c(np.ones((4, 3), np.float32)).dtype == np.float32


def test_linear_forward_backward_vs_torch(device):
    layer = Linear(4, 3, rng=3)
    ref = torch_copy(layer, device)
    x = np.random.default_rng(0).standard_normal((2, 5, 4))  # batched input
    y = layer(x)
    yt = ref(torch.as_tensor(x, device=device))
    assert_close(y.data, yt, rtol=1e-12, atol=1e-14, name="forward")
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    assert_close(layer.weight.grad, ref.weight.grad, rtol=1e-10, atol=1e-12, name="dW")
    assert_close(layer.bias.grad, ref.bias.grad, rtol=1e-10, atol=1e-12, name="db")


def test_linear_wrong_input_width_names_shapes():
    layer = Linear(4, 3)
    with pytest.raises(
        ValueError,
        match=r"^Linear: input \(2, 5\) has 5 features but the layer expects 4.*\(3, 4\)",
    ):
        layer(Tensor(np.ones((2, 5))))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(in_features=0), ValueError, "Linear: in_features must be >= 1, got 0"),
        (dict(out_features=2.5), TypeError, "Linear: out_features must be an int, got float 2.5"),
        (dict(out_features=True), TypeError, "Linear: out_features must be an int, got bool"),
        (dict(bias="no"), TypeError, "Linear: bias must be True or False, got str 'no'"),
        (dict(init="glorot"), ValueError, "Linear: init must be one of ['default', 'xavier'"),
        (dict(init=None), TypeError, "Linear: init must be one of ['default', 'xavier'"),
        (dict(rng=1.5), TypeError, "Linear: rng must be None, an int seed or a numpy"),
        (dict(rng=-1), ValueError, "Linear: rng seed must be >= 0, got -1"),
        (dict(dtype=np.int64), TypeError, "Linear: dtype must be a floating dtype, got int64"),
        (dict(dtype="nope"), TypeError, "Linear: dtype must be a numpy floating dtype"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else None,
)
def test_linear_refusals(kwargs, error, message):
    args = dict(in_features=3, out_features=2) | kwargs
    with pytest.raises(error, match="^" + re.escape(message)):
        Linear(**args)


# ----------------------------------------------------------------------------- MLP


@pytest.mark.parametrize("activation", [ReLU, Sigmoid, Tanh, GELU], ids=lambda a: a.__name__)
@pytest.mark.parametrize("loss", ["squares", "cross_entropy"])
def test_mlp_gradients_match_torch(device, loss, activation):
    net = MLP([6, 16, 8, 3], activation=activation, rng=0)
    ref = torch_copy(net, device)
    rng = np.random.default_rng(1)
    x, labels = rng.standard_normal((10, 6)), rng.integers(0, 3, 10)
    out, out_t = net(Tensor(x)), ref(torch.as_tensor(x, device=device))
    if loss == "squares":
        L, Lt = (out**2).mean(), (out_t**2).mean()
    else:
        L = F.cross_entropy(out, labels)
        Lt = torch.nn.functional.cross_entropy(out_t, torch.as_tensor(labels, device=device))
    L.backward()
    Lt.backward()
    assert_close(L.data, Lt, rtol=1e-12, name="loss")
    params, params_t = net.parameters(), list(ref.parameters())
    assert len(params) == len(params_t) == 6
    for i, (p, pt) in enumerate(zip(params, params_t, strict=True)):
        assert p.shape == tuple(pt.shape)
        assert_close(p.grad, pt.grad, rtol=1e-10, atol=1e-14, name=f"grad of parameter {i}")


def test_mlp_structure():
    net = MLP([2, 5, 5, 1], rng=0)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert len(net) == 5 and isinstance(net[0], Linear)
    assert [type(layer) for layer in net] == [type(layer) for layer in net.layers]
    assert "MLP(\n  (0): Linear(in_features=2, out_features=5, bias=True)" in repr(net)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_mlp_activation_by_name(name):
    assert ACTIVATIONS == {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "gelu": GELU}
    by_name, by_class = MLP([3, 4, 2], name, rng=5), MLP([3, 4, 2], ACTIVATIONS[name], rng=5)
    assert type(by_name[1]) is ACTIVATIONS[name]
    x = np.random.default_rng(0).standard_normal((6, 3))
    assert np.array_equal(by_name(x).data, by_class(x).data)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (([3],), {}, ValueError, "MLP: expected at least 2 sizes (input, output), got [3]"),
        (([3, 0, 1],), {}, ValueError, "MLP: sizes[1] must be >= 1, got 0"),
        (([3, 2.0],), {}, TypeError, "MLP: sizes[1] must be an int, got float 2.0"),
        (([3, 2], "swish"), {}, ValueError, "MLP: activation must be one of ['sigmoid', 'tanh'"),
        (([3, 2], 3), {}, TypeError, "MLP: activation must be one of ['sigmoid', 'tanh', 're"),
        (([3, 2],), dict(init="glorot"), ValueError, "MLP: init must be one of ['default'"),
        (([3, 2],), dict(rng="0"), TypeError, "MLP: rng must be None, an int seed or a"),
    ],
)
def test_mlp_refusals(args, kwargs, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        MLP(*args, **kwargs)


def test_mlp_training_reduces_loss():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 2))
    y = np.sin(3 * x[:, :1]) * x[:, 1:]
    net = MLP([2, 32, 1], rng=1, init="he")
    losses = []
    for _ in range(200):
        net.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        with no_grad():
            for p in net.parameters():
                p.data -= 0.1 * p.grad
    assert losses[-1] < 0.3 * losses[0]


# ----------------------------------------------------------------------------- Module


def test_parameters_recurse_dedupe_and_zero_grad():
    shared = Linear(2, 2, rng=0)

    class Net(Module):
        def __init__(self):
            self.blocks = [shared, Sequential(ReLU(), shared)]
            self.heads = {"a": Linear(2, 1, rng=1)}
            self.scale = Tensor(1.0, requires_grad=True)
            self.const = Tensor(3.0)

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x) * self.scale * self.const

    net = Net()
    params = net.parameters()
    assert len(params) == 5  # shared W, b once; head W, b; scale
    assert params[0] is shared.weight and params[-1] is net.scale
    net(np.ones((3, 2))).sum().backward()
    assert all(p.grad is not None for p in params)
    net.zero_grad()
    assert all(p.grad is None for p in params)


def test_module_without_forward():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        Module()(1)


# ----------------------------------------------------------------------------- layer_statistics


def torch_layer_statistics(net, x, target, device):
    """The same three statistics with torch: ``retain_grad`` on every activation."""
    ref = torch_copy(net, device)
    h = torch.tensor(x, device=device, requires_grad=True)  # (B, n)
    hs, stds = [h], []
    for layer in ref:
        h = layer(h)
        if not isinstance(layer, torch.nn.Linear):
            h.retain_grad()
            hs.append(h)
            stds.append(h.detach().std(unbiased=False).item())
    loss = 0.5 * ((h - torch.tensor(target, device=device)) ** 2).sum(dim=1).mean()
    loss.backward()
    grads = [torch.linalg.norm(t.grad).item() for t in hs]
    linears = [layer for layer in ref if isinstance(layer, torch.nn.Linear)]
    weights = [torch.linalg.norm(layer.weight.grad).item() for layer in linears]
    return np.array(stds), np.array(grads), np.array(weights)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("init", ["default", "xavier", "he"])
def test_layer_statistics_matches_torch(device, activation, init):
    depth, width = 8, 16
    net = MLP([width] * (depth + 2), activation=activation, init=init, rng=4)
    rng = np.random.default_rng(2)
    x, target = rng.standard_normal((12, width)), rng.standard_normal((12, width))
    ours = layer_statistics(net, x, target)
    theirs = torch_layer_statistics(net, x, target, device)
    shapes = [(depth,), (depth + 1,), (depth + 1,)]
    names = ("stds", "grad_norms", "weight_grads")
    for name, a, b, shape in zip(names, ours, theirs, shapes, strict=True):
        assert a.shape == shape
        assert_close(a, b, rtol=1e-10, name=name)


def test_layer_statistics_replaces_old_gradients():
    net = MLP([3, 5, 2], activation="gelu", rng=0)
    rng = np.random.default_rng(0)
    x, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    for p in net.parameters():
        p.grad = np.full(p.shape, 1e6)  # stale gradients must not leak into the result
    _, _, first = layer_statistics(net, x, target)
    grads = [p.grad.copy() for p in net.parameters()]
    _, _, second = layer_statistics(net, x, target)  # not accumulated
    assert np.array_equal(first, second)
    for g, p in zip(grads, net.parameters(), strict=True):
        assert np.array_equal(g, p.grad)
    assert_close(second[0], np.linalg.norm(net[0].weight.grad), name="filled .grad")


def test_layer_statistics_plain_sequential_and_float32():
    net = Sequential(Linear(3, 4, rng=0, dtype=np.float32), Tanh(), Linear(4, 2, rng=1))
    x = np.ones((5, 3), np.float32)
    stds, grads, weights = layer_statistics(net, x, np.zeros((5, 2)))
    assert stds.shape == (1,) and grads.shape == (2,) and weights.shape == (2,)
    assert np.all(np.isfinite(grads)) and np.all(weights > 0)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((Linear(3, 2), np.ones((4, 3)), np.ones((4, 2))), TypeError, "layer_statistics: net mu"),
        ((None, np.ones(3), np.ones(2)), ValueError, "layer_statistics: x must be 2-D, got shap"),
        ((None, "x", np.ones(2)), TypeError, "layer_statistics: x must be a real array or num"),
        ((None, np.ones((4, 3)), [1j]), TypeError, "layer_statistics: target must be real, go"),
        (
            (None, np.ones((4, 3)), np.ones((4, 3))),
            ValueError,
            "layer_statistics: target has shape (4, 3), but net(x) has shape (4, 2)",
        ),
    ],
)
def test_layer_statistics_refusals(args, error, message):
    net = MLP([3, 4, 2], rng=0)
    args = (net if args[0] is None else args[0], *args[1:])
    with pytest.raises(error, match="^" + re.escape(message)):
        layer_statistics(*args)


def test_layer_statistics_inside_no_grad():
    net = MLP([3, 4, 2], rng=0)
    x, target = np.ones((4, 3)), np.zeros((4, 2))
    expected = layer_statistics(net, x, target)
    with no_grad():
        got = layer_statistics(net, x, target)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- convolutional


def small_cnn(rng=0, dtype=np.float64):
    """The shape of the book's digit classifier: two conv blocks and a linear layer."""
    from mathdl.nn import AvgPool2d, Conv2d, Flatten, MaxPool2d

    gen = np.random.default_rng(rng)
    return Sequential(
        Conv2d(1, 4, 3, padding=1, rng=gen, dtype=dtype),
        ReLU(),
        MaxPool2d(2),
        Conv2d(4, 6, 3, padding="same", rng=gen, dtype=dtype),
        ReLU(),
        AvgPool2d(2),
        Flatten(),
        Linear(24, 10, rng=gen, dtype=dtype),
    )


def test_conv2d_default_init_matches_torch_bounds():
    from mathdl.nn import Conv2d

    layer = Conv2d(16, 32, (3, 5), groups=2, rng=0)
    bound = 1 / np.sqrt(8 * 15)  # fan_in = in/groups * kH * kW
    assert layer.weight.shape == (32, 8, 3, 5) and layer.bias.shape == (32,)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert_close(layer.weight.data.var(), bound**2 / 3, rtol=0.05, name="Var W")
    ref = torch.nn.Conv2d(16, 32, (3, 5), groups=2)
    assert_close(ref.weight.detach().var().item(), bound**2 / 3, rtol=0.05, name="torch Var W")
    assert Conv2d(1, 2, 3, bias=False, rng=0).bias is None


def test_cnn_forward_and_gradients_match_torch(device):
    net = small_cnn()
    theirs = torch_copy(net, device)
    x = np.random.default_rng(1).standard_normal((5, 1, 8, 8))
    target = np.arange(5)
    loss = F.cross_entropy(net(Tensor(x)), target)
    loss.backward()
    xt = torch.tensor(x, device=device)
    loss_t = torch.nn.functional.cross_entropy(theirs(xt), torch.tensor(target, device=device))
    loss_t.backward()
    assert_close(loss, loss_t, rtol=1e-13)
    for ours, ref in zip(net.parameters(), theirs.parameters(), strict=True):
        assert_close(ours.grad, ref.grad, rtol=1e-11, atol=1e-14)


def test_cnn_training_steps_match_torch(device):
    """Twenty SGD steps with momentum: every loss agrees with torch's to 1e-10."""
    from mathdl.optim import SGD

    net = small_cnn(rng=3)
    theirs = torch_copy(net, device)
    opt = SGD(net.parameters(), lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(4)
    for _ in range(20):
        x, y = rng.standard_normal((8, 1, 8, 8)), rng.integers(0, 10, 8)
        opt.zero_grad()
        loss = F.cross_entropy(net(Tensor(x)), y)
        loss.backward()
        opt.step()
        opt_t.zero_grad()
        xt, yt = torch.tensor(x, device=device), torch.tensor(y, device=device)
        loss_t = torch.nn.functional.cross_entropy(theirs(xt), yt)
        loss_t.backward()
        opt_t.step()
        assert_close(loss, loss_t, rtol=1e-10)


def test_pool_and_flatten_modules():
    from mathdl.nn import AvgPool2d, Flatten, MaxPool2d

    x = np.arange(32.0).reshape(1, 2, 4, 4)
    assert MaxPool2d(2, stride=1, return_indices=True)(x)[1].shape == (1, 2, 3, 3)
    assert AvgPool2d(3, padding=1, count_include_pad=False)(x).shape == (1, 2, 2, 2)
    assert Flatten(0, 2)(x).shape == (8, 4)
    assert Flatten()(Tensor(x)).shape == (1, 32)
    assert MaxPool2d(2).parameters() == [] and "kernel_size=(2, 2)" in repr(MaxPool2d(2))
