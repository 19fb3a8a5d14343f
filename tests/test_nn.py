"""mathdl.nn against torch.nn with the same weights (float64, every device)."""

import numpy as np
import pytest
import torch

from mathdl import functional as F
from mathdl.autodiff import Tensor, no_grad
from mathdl.nn import GELU, MLP, Linear, Module, ReLU, Sequential, Sigmoid, Tanh
from mathdl.testing import assert_close

TORCH_ACTIVATIONS = {
    ReLU: torch.nn.ReLU,
    Sigmoid: torch.nn.Sigmoid,
    Tanh: torch.nn.Tanh,
    GELU: torch.nn.GELU,
}


def to_torch(layers, device):
    """A torch ``nn.Sequential`` with the same weights as a mathdl Sequential."""
    mods = []
    for layer in layers:
        if isinstance(layer, Linear):
            lin = torch.nn.Linear(
                layer.in_features, layer.out_features, bias=layer.bias is not None
            ).double()
            with torch.no_grad():
                lin.weight.copy_(torch.as_tensor(layer.weight.data))
                if layer.bias is not None:
                    lin.bias.copy_(torch.as_tensor(layer.bias.data))
            mods.append(lin)
        else:
            mods.append(TORCH_ACTIVATIONS[type(layer)]())
    return torch.nn.Sequential(*mods).to(device)


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
    ref = to_torch([layer], device)
    x = np.random.default_rng(0).standard_normal((2, 5, 4))  # batched input
    y = layer(x)
    yt = ref(torch.as_tensor(x, device=device))
    assert_close(y.data, yt, rtol=1e-12, atol=1e-14, name="forward")
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    assert_close(layer.weight.grad, ref[0].weight.grad, rtol=1e-10, atol=1e-12, name="dW")
    assert_close(layer.bias.grad, ref[0].bias.grad, rtol=1e-10, atol=1e-12, name="db")


def test_linear_unknown_init():
    with pytest.raises(ValueError, match="unknown init 'glorot'; expected one of"):
        Linear(3, 2, init="glorot")


def test_linear_wrong_input_width_names_shapes():
    layer = Linear(4, 3)
    with pytest.raises(
        ValueError, match=r"expected input of shape \(\.\.\., 4\).*got shape \(2, 5\).*\(3, 4\)"
    ):
        layer(Tensor(np.ones((2, 5))))


def test_linear_bad_sizes():
    with pytest.raises(ValueError, match="in_features must be a positive integer, got 0"):
        Linear(0, 3)
    with pytest.raises(ValueError, match=r"out_features must be a positive integer, got 2\.5"):
        Linear(3, 2.5)


# ----------------------------------------------------------------------------- MLP


@pytest.mark.parametrize("activation", [ReLU, Sigmoid, Tanh, GELU], ids=lambda a: a.__name__)
@pytest.mark.parametrize("loss", ["squares", "cross_entropy"])
def test_mlp_gradients_match_torch(device, loss, activation):
    net = MLP([6, 16, 8, 3], activation=activation, rng=0)
    ref = to_torch(net.layers, device)
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


def test_mlp_structure_and_errors():
    net = MLP([2, 5, 5, 1], rng=0)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert len(net) == 5 and isinstance(net[0], Linear)
    assert "MLP(\n  (0): Linear(in_features=2, out_features=5, bias=True)" in repr(net)
    with pytest.raises(ValueError, match=r"at least 2 sizes \(input, output\), got \[3\]"):
        MLP([3])


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
