"""mathdl.optim against torch.optim (float64): optimizers, schedules and minimisers."""

import contextlib
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import SEEDS, SETTINGS, SHAPES

from mathdl import optim
from mathdl.autodiff import Tensor
from mathdl.testing import assert_close, to_torch


@contextlib.contextmanager
def raises(exc, start: str):
    """Like ``pytest.raises`` for a message that must start with ``start`` (no regex)."""
    with pytest.raises(exc) as err:
        yield
    assert str(err.value).startswith(start), str(err.value)


# ------------------------------------------------------------------ a fixed random problem

SHAPES_3 = [(3, 4), (5,), (2, 3, 2)]


class LeastSquares:
    """``L(theta) = |A theta - b|^2 / 2`` over the parameters flattened and concatenated."""

    def __init__(self, shapes, seed=0):
        rng = np.random.default_rng(seed)
        self.shapes = shapes
        n = sum(math.prod(s) for s in shapes)
        self.A = rng.standard_normal((n + 3, n)) / np.sqrt(n)
        self.b = rng.standard_normal(n + 3)
        self.init = [rng.standard_normal(s) for s in shapes]

    def grads(self, arrays, sign=1.0):
        theta = np.concatenate([a.ravel() for a in arrays])  # (n,)
        g = sign * self.A.T @ (self.A @ theta - self.b)  # (n,)
        cuts = np.cumsum([a.size for a in arrays])[:-1]
        return [part.reshape(a.shape) for part, a in zip(np.split(g, cuts), arrays, strict=True)]


def _groups(params, split, lr2):
    """Two parameter groups: params[:split] with the defaults, the rest with lr = lr2."""
    return [{"params": params[:split]}, {"params": params[split:], "lr": lr2}]


def run_both(ours_cls, torch_cls, options, steps=60, shapes=SHAPES_3, seed=0, device="cpu"):
    """Run both optimizers on the same gradients; return the two lists of final arrays."""
    problem = LeastSquares(shapes, seed)
    ours = [Tensor(a.copy(), requires_grad=True) for a in problem.init]
    theirs = [to_torch(a, device=device, requires_grad=True) for a in problem.init]
    lr2 = options.get("lr", 1e-2) * 0.5
    opt = ours_cls(_groups(ours, 2, lr2), **options)
    ref = torch_cls(_groups(theirs, 2, lr2), **options)
    sign = -1.0 if options.get("maximize") else 1.0  # maximize -L: the same descent
    for _ in range(steps):
        for p, pt, g in zip(ours, theirs, problem.grads([p.data for p in ours], sign), strict=True):
            p.grad, pt.grad = g, torch.tensor(g, device=device)
        opt.step()
        ref.step()
    return [p.data for p in ours], [pt.detach() for pt in theirs]


T = torch.optim
CASES = [
    (optim.SGD, T.SGD, {"lr": 0.1}),
    (optim.SGD, T.SGD, {"lr": 0.05, "momentum": 0.9}),
    (optim.SGD, T.SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    (optim.SGD, T.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (optim.SGD, T.SGD, {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    (optim.SGD, T.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "maximize": True}),
    (optim.SGD, T.SGD, {"lr": 0.1, "weight_decay": 0.01, "maximize": True}),
    (optim.Adagrad, T.Adagrad, {"lr": 0.1}),
    (optim.Adagrad, T.Adagrad, {"lr": 0.1, "lr_decay": 0.05}),
    (optim.Adagrad, T.Adagrad, {"lr": 0.1, "initial_accumulator_value": 0.5}),
    (optim.Adagrad, T.Adagrad, {"lr": 0.1, "weight_decay": 0.1, "eps": 1e-3}),
    (optim.Adagrad, T.Adagrad, {"lr": 0.1, "lr_decay": 0.01, "maximize": True}),
    (optim.RMSprop, T.RMSprop, {"lr": 0.01}),
    (optim.RMSprop, T.RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-4}),
    (optim.RMSprop, T.RMSprop, {"lr": 0.01, "centered": True}),
    (optim.RMSprop, T.RMSprop, {"lr": 0.005, "momentum": 0.9}),
    (optim.RMSprop, T.RMSprop, {"lr": 0.005, "momentum": 0.8, "centered": True}),
    (optim.RMSprop, T.RMSprop, {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    (optim.Adam, T.Adam, {"lr": 0.01}),
    (optim.Adam, T.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    (optim.Adam, T.Adam, {"lr": 0.01, "amsgrad": True}),
    (optim.Adam, T.Adam, {"lr": 0.01, "weight_decay": 0.1}),
    (optim.Adam, T.Adam, {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    (optim.Adam, T.Adam, {"lr": 0.01, "betas": (0.0, 0.5)}),
    (optim.AdamW, T.AdamW, {"lr": 0.01}),
    (optim.AdamW, T.AdamW, {"lr": 0.01, "weight_decay": 0.3}),
    (optim.AdamW, T.AdamW, {"lr": 0.01, "amsgrad": True}),
    (optim.AdamW, T.AdamW, {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
]
IDS = [f"{c[0].__name__}-{'-'.join(f'{k}={v}' for k, v in c[2].items())}" for c in CASES]


@pytest.mark.parametrize(("ours_cls", "torch_cls", "options"), CASES, ids=IDS)
def test_optimizer_matches_torch(ours_cls, torch_cls, options, device):
    ours, theirs = run_both(ours_cls, torch_cls, options, device=device)
    for i, (a, e) in enumerate(zip(ours, theirs, strict=True)):
        assert_close(a, e, rtol=1e-10, atol=1e-12, name=f"param {i}")
    assert not np.allclose(ours[0], LeastSquares(SHAPES_3).init[0])  # it moved


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop])
def test_defaults_match_torch(cls):
    ours = cls([Tensor(np.zeros(2), requires_grad=True)]).param_groups[0]
    theirs = getattr(torch.optim, cls.__name__)([torch.zeros(2, requires_grad=True)])
    for key, value in ours.items():
        if key != "params":
            assert theirs.param_groups[0][key] == value, key


def test_adagrad_defaults_match_torch():
    ours = optim.Adagrad([Tensor(np.zeros(2), requires_grad=True)]).param_groups[0]
    theirs = torch.optim.Adagrad([torch.zeros(2, requires_grad=True)]).param_groups[0]
    assert all(theirs[k] == v for k, v in ours.items() if k != "params")


@SETTINGS
@given(shape=SHAPES, seed=SEEDS, which=st.sampled_from(["sgd", "adam"]))
def test_random_shapes_match_torch(shape, seed, which):
    cls, ref, options = {
        "sgd": (optim.SGD, T.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        "adam": (optim.Adam, T.Adam, {"lr": 0.02, "amsgrad": True, "weight_decay": 0.01}),
    }[which]
    ours, theirs = run_both(cls, ref, options, steps=20, shapes=[shape, (2,), shape], seed=seed)
    for a, e in zip(ours, theirs, strict=True):
        assert_close(a, e, rtol=1e-10, atol=1e-12)


def test_float32_stays_float32():
    w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    w.grad = np.ones(3, dtype=np.float32)
    opt.step()
    assert w.data.dtype == np.float32 and opt.state[w]["exp_avg"].dtype == np.float32


# ------------------------------------------------------------------ groups, grads, zero_grad


def test_param_without_grad_is_skipped():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.array([1.0, 1.0])
    opt.step()
    assert b.data.tolist() == [3.0] and b not in opt.state and opt.state[a]["step"] == 1


def test_zero_grad_sets_none_or_zeros():
    a = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    a.grad = np.array([1.0, 1.0])
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None


def test_param_groups_filled_and_added():
    a, b, c = (Tensor(np.zeros(2), requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert all(g["momentum"] == 0.9 for g in opt.param_groups)
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0
    with raises(ValueError, "SGD.add_param_group: param_group['params'][0] is already in"):
        opt.add_param_group({"params": [a]})


def test_gradient_of_wrong_shape_is_refused():
    a = Tensor(np.zeros(3), requires_grad=True)
    opt = optim.Adam([a])
    a.grad = np.ones(1)
    with raises(
        ValueError, "Adam.step: params[0].grad has shape (1,), but params[0] has shape (3,)"
    ):
        opt.step()


def test_step_returns_closure_loss():
    a = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    assert opt.step(lambda: 3.5) == 3.5


def test_autodiff_training_loop():
    w = Tensor(np.array([3.0, -2.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(200):
        opt.zero_grad()
        ((w - Tensor([1.0, 1.0])) ** 2).sum().backward()
        opt.step()
    assert_close(w.data, [1.0, 1.0], atol=1e-9)


# ------------------------------------------------------------------ state_dict

STATE_CASES = [
    (optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (optim.Adam, {"lr": 0.01, "amsgrad": True}),
    (optim.AdamW, {"lr": 0.01}),
]


def _train(opt, params, problem, steps):
    for _ in range(steps):
        for p, g in zip(params, problem.grads([p.data for p in params]), strict=True):
            p.grad = g
        opt.step()


def _fresh(cls, options, problem):
    params = [Tensor(a.copy(), requires_grad=True) for a in problem.init]
    return params, cls(_groups(params, 2, 0.003), **options)


@pytest.mark.parametrize(("cls", "options"), STATE_CASES, ids=[c[0].__name__ for c in STATE_CASES])
def test_state_dict_round_trip(cls, options):
    problem = LeastSquares(SHAPES_3)
    full, opt_full = _fresh(cls, options, problem)
    _train(opt_full, full, problem, 60)
    part, opt_part = _fresh(cls, options, problem)
    _train(opt_part, part, problem, 30)
    saved = opt_part.state_dict()
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in part]
    _train(opt_part, part, problem, 5)  # changing the old optimizer must not change `saved`
    opt_new = cls(_groups(resumed, 2, 0.5), **options)
    opt_new.load_state_dict(saved)
    assert opt_new.param_groups[1]["lr"] == 0.003
    _train(opt_new, resumed, problem, 30)
    for a, e in zip(resumed, full, strict=True):
        assert_close(a.data, e.data, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(("cls", "options"), STATE_CASES, ids=[c[0].__name__ for c in STATE_CASES])
def test_state_dict_has_torch_layout_and_loads_torch_state(cls, options):
    problem = LeastSquares(SHAPES_3)
    ours, opt = _fresh(cls, options, problem)
    _train(opt, ours, problem, 3)
    theirs = [to_torch(a, requires_grad=True) for a in problem.init]
    ref = getattr(torch.optim, cls.__name__)(_groups(theirs, 2, 0.003), **options)
    for _ in range(30):
        for pt, g in zip(
            theirs, problem.grads([pt.detach().numpy() for pt in theirs]), strict=True
        ):
            pt.grad = torch.tensor(g)
        ref.step()
    mine, torch_sd = opt.state_dict(), ref.state_dict()
    assert set(mine) == {"state", "param_groups"} and set(mine["state"]) == set(torch_sd["state"])
    for i, s in mine["state"].items():
        assert set(s) == set(torch_sd["state"][i])
    for g, gt in zip(mine["param_groups"], torch_sd["param_groups"], strict=True):
        assert g["params"] == gt["params"] and set(g) <= set(gt)
    params = [Tensor(pt.detach().numpy().copy(), requires_grad=True) for pt in theirs]
    loaded = cls(_groups(params, 2, 0.5), **options)
    loaded.load_state_dict(torch_sd)  # torch tensors and a float step are converted
    assert all(isinstance(s.get("step", 0), int) for s in loaded.state.values())
    for _ in range(10):
        grads = problem.grads([p.data for p in params])
        for p, pt, g in zip(params, theirs, grads, strict=True):
            p.grad, pt.grad = g, torch.tensor(g)
        loaded.step()
        ref.step()
    for a, e in zip(params, theirs, strict=True):
        assert_close(a.data, e.detach(), rtol=1e-10, atol=1e-12)


def test_load_state_dict_refuses_mismatched_groups():
    a, b = Tensor(np.zeros(2), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    saved = optim.SGD([a, b]).state_dict()
    with raises(ValueError, "SGD.load_state_dict: state_dict has 1 parameter groups, the"):
        optim.SGD([{"params": [a]}, {"params": [b]}]).load_state_dict(saved)
    with raises(ValueError, "SGD.load_state_dict: state_dict['param_groups'][0] has 2 parameters"):
        optim.SGD([a]).load_state_dict(saved)


# ------------------------------------------------------------------ invalid hyperparameters

P = [Tensor(np.zeros(2), requires_grad=True)]
BAD = [
    (optim.SGD, {"lr": -1.0}, ValueError, "SGD: lr must be >= 0, got -1.0"),
    (optim.SGD, {"momentum": -0.1}, ValueError, "SGD: momentum must be >= 0, got -0.1"),
    (optim.SGD, {"weight_decay": -1e-3}, ValueError, "SGD: weight_decay must be >= 0"),
    (optim.SGD, {"nesterov": True}, ValueError, "SGD: nesterov=True requires momentum > 0"),
    (
        optim.SGD,
        {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
        ValueError,
        "SGD: nesterov=True requires momentum > 0 and dampening = 0",
    ),
    (optim.SGD, {"lr": "0.1"}, TypeError, "SGD: lr must be a real number"),
    (optim.SGD, {"nesterov": 1}, TypeError, "SGD: nesterov must be True or False"),
    (optim.SGD, {"lr": math.nan}, ValueError, "SGD: lr must be a finite number"),
    (optim.Adagrad, {"lr": -1.0}, ValueError, "Adagrad: lr must be >= 0, got -1.0"),
    (optim.Adagrad, {"lr_decay": -1.0}, ValueError, "Adagrad: lr_decay must be >= 0"),
    (optim.Adagrad, {"weight_decay": -1.0}, ValueError, "Adagrad: weight_decay must be >= 0"),
    (
        optim.Adagrad,
        {"initial_accumulator_value": -1.0},
        ValueError,
        "Adagrad: initial_accumulator_value must be >= 0",
    ),
    (optim.Adagrad, {"eps": -1e-10}, ValueError, "Adagrad: eps must be >= 0"),
    (optim.RMSprop, {"lr": -1.0}, ValueError, "RMSprop: lr must be >= 0"),
    (optim.RMSprop, {"alpha": -0.5}, ValueError, "RMSprop: alpha must be >= 0"),
    (optim.RMSprop, {"eps": -1.0}, ValueError, "RMSprop: eps must be >= 0"),
    (optim.RMSprop, {"momentum": -1.0}, ValueError, "RMSprop: momentum must be >= 0"),
    (optim.RMSprop, {"weight_decay": -1.0}, ValueError, "RMSprop: weight_decay must be >= 0"),
    (optim.RMSprop, {"centered": "yes"}, TypeError, "RMSprop: centered must be True or False"),
    (optim.Adam, {"lr": -1.0}, ValueError, "Adam: lr must be >= 0, got -1.0"),
    (optim.Adam, {"eps": -1.0}, ValueError, "Adam: eps must be >= 0"),
    (optim.Adam, {"betas": (1.0, 0.999)}, ValueError, "Adam: betas[0] must be < 1, got 1.0"),
    (optim.Adam, {"betas": (0.9, -0.1)}, ValueError, "Adam: betas[1] must be >= 0, got -0.1"),
    (optim.Adam, {"betas": 0.9}, TypeError, "Adam: betas must be a pair"),
    (optim.Adam, {"weight_decay": -1.0}, ValueError, "Adam: weight_decay must be >= 0"),
    (optim.Adam, {"amsgrad": None}, TypeError, "Adam: amsgrad must be True or False"),
    (optim.AdamW, {"betas": (0.9, 1.5)}, ValueError, "AdamW: betas[1] must be < 1"),
    (optim.AdamW, {"weight_decay": -1.0}, ValueError, "AdamW: weight_decay must be >= 0"),
    (optim.AdamW, {"maximize": 0}, TypeError, "AdamW: maximize must be True or False"),
]


@pytest.mark.parametrize(("cls", "kwargs", "exc", "message"), BAD, ids=[b[3] for b in BAD])
def test_invalid_hyperparameter(cls, kwargs, exc, message):
    with pytest.raises(exc) as err:
        cls(P, **kwargs)
    assert str(err.value).startswith(message)


def test_invalid_group_hyperparameter():
    with raises(ValueError, "Adam: lr must be >= 0, got -2.0"):
        optim.Adam([{"params": P, "lr": -2.0}])


BAD_PARAMS = [
    ([], ValueError, "SGD: params is an empty list"),
    (P[0], TypeError, "SGD: params must be a list of Tensors"),
    (np.zeros(3), TypeError, "SGD: params must be a list of Tensors"),
    (3, TypeError, "SGD: params must be a list of Tensors"),
    ([np.zeros(3)], TypeError, "SGD: params[0] must be a Tensor, got an array"),
    ([P[0], 1.0], TypeError, "SGD: params[1] must be a Tensor, got float"),
    ([P[0] * 2], ValueError, "SGD: params[0] is not a leaf Tensor"),
    ([{"lr": 0.1}], ValueError, "SGD: params[0] needs a 'params' entry"),
    ([{"params": P}, {"params": P}], ValueError, "SGD: params[1]['params'][0] is already in"),
]


@pytest.mark.parametrize(("params", "exc", "message"), BAD_PARAMS, ids=[b[2] for b in BAD_PARAMS])
def test_invalid_params(params, exc, message):
    with pytest.raises(exc) as err:
        optim.SGD(params, lr=0.1)
    assert str(err.value).startswith(message)


# ------------------------------------------------------------------ schedules


def _opts(lrs=(0.1, 0.02), cls=optim.SGD, torch_cls=T.SGD, **options):
    ours = cls(
        [{"params": [Tensor(np.zeros(1), requires_grad=True)], "lr": lr} for lr in lrs], **options
    )
    theirs = torch_cls(
        [
            {"params": [torch.zeros(1, dtype=torch.float64, requires_grad=True)], "lr": lr}
            for lr in lrs
        ],
        **options,
    )
    return ours, theirs


def _compare_schedules(make, steps, cls=optim.SGD, torch_cls=T.SGD, keys=("lr",), **options):
    ours_opt, torch_opt = _opts(cls=cls, torch_cls=torch_cls, **options)
    ours, theirs = make(optim, ours_opt), make(torch.optim.lr_scheduler, torch_opt)
    with warnings.catch_warnings():  # torch warns that optimizer.step() was not called
        warnings.simplefilter("ignore", UserWarning)
        for t in range(steps):
            assert_close(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12, name=f"lr at {t}")
            for g, gt in zip(ours_opt.param_groups, torch_opt.param_groups, strict=True):
                for key in keys:
                    assert_close(np.array(g[key]), np.array(gt[key]), rtol=1e-12, name=key)
                assert g.get("initial_lr") == gt.get("initial_lr")
            ours.step()
            theirs.step()


SCHEDULES = [
    ("StepLR", lambda m, o: m.StepLR(o, step_size=3), 9),
    ("StepLR-gamma", lambda m, o: m.StepLR(o, step_size=5, gamma=0.5), 15),
    ("MultiStepLR", lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 9]), 12),
    ("ExponentialLR", lambda m, o: m.ExponentialLR(o, gamma=0.9), 30),
    ("CosineAnnealingLR", lambda m, o: m.CosineAnnealingLR(o, T_max=10), 60),
    ("CosineAnnealingLR-eta", lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.001), 42),
    ("LinearLR", lambda m, o: m.LinearLR(o), 15),
    (
        "LinearLR-down",
        lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=8),
        24,
    ),
    ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=30), 30),
    (
        "OneCycleLR-linear-3phase",
        lambda m, o: m.OneCycleLR(
            o, [1.0, 0.5], epochs=4, steps_per_epoch=5, anneal_strategy="linear", three_phase=True
        ),
        20,
    ),
    (
        "SequentialLR-warmup-cosine",
        lambda m, o: m.SequentialLR(
            o,
            [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=10)],
            [5],
        ),
        65,
    ),
    (
        "SequentialLR-three",
        lambda m, o: m.SequentialLR(
            o,
            [m.ExponentialLR(o, gamma=0.5), m.StepLR(o, step_size=2), m.LinearLR(o, 0.5, 1.0, 4)],
            [3, 8],
        ),
        20,
    ),
]


@pytest.mark.parametrize(
    ("make", "steps"), [s[1:] for s in SCHEDULES], ids=[s[0] for s in SCHEDULES]
)
def test_schedule_matches_torch(make, steps):
    _compare_schedules(make, steps, momentum=0.9)


@pytest.mark.parametrize("which", ["SGD", "Adam", "RMSprop"])
def test_one_cycle_cycles_momentum_like_torch(which):
    cls, torch_cls = getattr(optim, which), getattr(T, which)
    key = "betas" if which == "Adam" else "momentum"
    make = lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=25, pct_start=0.4)  # noqa: E731
    _compare_schedules(make, 25, cls=cls, torch_cls=torch_cls, keys=("lr", key))


def test_one_cycle_refuses_too_many_steps_and_no_momentum():
    opt = optim.SGD(P, lr=0.1)
    sched = optim.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    sched.step()
    sched.step()
    with raises(ValueError, "OneCycleLR.step: tried to step 3 times; total_steps is 2"):
        sched.step()
    with raises(ValueError, "OneCycleLR: cycle_momentum=True needs momentum or betas"):
        optim.OneCycleLR(optim.Adagrad(P), max_lr=1.0, total_steps=5)
    optim.OneCycleLR(optim.Adagrad(P), max_lr=1.0, total_steps=5, cycle_momentum=False)


def test_schedule_drives_the_optimizer():
    w = Tensor([0.0], requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    sched = optim.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        w.grad = np.array([-1.0])
        opt.step()
        sched.step()
    assert w.data.tolist() == [1.75] and opt.param_groups[0]["initial_lr"] == 1.0


BAD_SCHEDULES = [
    (lambda o: optim.StepLR(o, step_size=0), ValueError, "StepLR: step_size must be >= 1"),
    (lambda o: optim.StepLR(o, step_size=2.0), TypeError, "StepLR: step_size must be an int"),
    (lambda o: optim.StepLR("opt", 2), TypeError, "StepLR: optimizer must be a mathdl.optim"),
    (
        lambda o: optim.MultiStepLR(o, [1, -2]),
        ValueError,
        "MultiStepLR: milestones[1] must be >= 0",
    ),
    (lambda o: optim.MultiStepLR(o, 3), TypeError, "MultiStepLR: milestones must be a list"),
    (lambda o: optim.ExponentialLR(o, gamma="x"), TypeError, "ExponentialLR: gamma must be a real"),
    (
        lambda o: optim.CosineAnnealingLR(o, T_max=0),
        ValueError,
        "CosineAnnealingLR: T_max must be >= 1",
    ),
    (
        lambda o: optim.LinearLR(o, start_factor=0.0),
        ValueError,
        "LinearLR: start_factor must be > 0",
    ),
    (lambda o: optim.LinearLR(o, end_factor=1.5), ValueError, "LinearLR: end_factor must be <= 1"),
    (lambda o: optim.LinearLR(o, total_iters=0), ValueError, "LinearLR: total_iters must be >= 1"),
    (lambda o: optim.OneCycleLR(o, 1.0), ValueError, "OneCycleLR: total_steps is None; give it"),
    (
        lambda o: optim.OneCycleLR(o, 1.0, 10, pct_start=1.5),
        ValueError,
        "OneCycleLR: pct_start must be <= 1",
    ),
    (
        lambda o: optim.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"),
        ValueError,
        "OneCycleLR: anneal_strategy",
    ),
    (lambda o: optim.OneCycleLR(o, [1.0, 2.0], 10), ValueError, "OneCycleLR: max_lr has 2 values"),
    (lambda o: optim.SequentialLR(o, [], []), ValueError, "SequentialLR: schedulers is empty"),
    (
        lambda o: optim.SequentialLR(o, [optim.StepLR(o, 2), optim.StepLR(o, 3)], []),
        ValueError,
        "SequentialLR: milestones has 0 values for 2 schedulers; expected 1",
    ),
    (
        lambda o: optim.SequentialLR(o, [optim.StepLR(optim.SGD(P), 2)], []),
        ValueError,
        "SequentialLR: schedulers[0] belongs to a different optimizer",
    ),
]


@pytest.mark.parametrize(
    ("make", "exc", "message"), BAD_SCHEDULES, ids=[b[2] for b in BAD_SCHEDULES]
)
def test_invalid_schedule(make, exc, message):
    with pytest.raises(exc) as err:
        make(optim.SGD(P, lr=0.1, momentum=0.9))
    assert str(err.value).startswith(message)


# ------------------------------------------------------------------ minimisers


def rosen(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def drosen(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def _first_within(trajectory, target, tol):
    err = np.abs(trajectory - target).max(axis=1)
    return int(np.argmax(err <= tol)) if (err <= tol).any() else None


def torch_lbfgs_iterations(tol=1e-6, history=10):
    """Fewest iterations torch's LBFGS (strong Wolfe) needs to get within tol of (1, 1).

    For each budget k a fresh optimizer runs one ``step`` with ``max_iter=k`` (and torch's
    default ``max_eval = 1.25 k``); the first k whose result is within tol is returned.
    """
    for k in range(1, 200):
        x = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS(
            [x],
            lr=1,
            max_iter=k,
            history_size=history,
            line_search_fn="strong_wolfe",
            tolerance_grad=1e-12,
            tolerance_change=0.0,
        )

        def closure(x=x, opt=opt):
            opt.zero_grad()
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            loss.backward()
            return loss

        opt.step(closure)
        if (x.detach() - 1).abs().max().item() <= tol:
            return opt.state[x]["n_iter"]
    raise AssertionError("torch's LBFGS did not converge")


def test_lbfgs_rosenbrock_no_more_iterations_than_torch():
    res = optim.lbfgs(rosen, drosen, [-1.2, 1.0], steps=200, history=10)
    ours = _first_within(res.trajectory, 1.0, 1e-6)
    theirs = torch_lbfgs_iterations(1e-6, history=10)
    print(f"L-BFGS iterations to 1e-6 on Rosenbrock: mathdl {ours}, torch {theirs}")
    assert res.converged and ours is not None and ours <= theirs
    assert_close(res.x, [1.0, 1.0], atol=1e-8)
    assert len(res.losses) == len(res.trajectory) == res.steps + 1


def test_lbfgs_quadratic_and_history_one():
    rng = np.random.default_rng(3)
    Q = rng.standard_normal((6, 6))
    A, b = Q @ Q.T + np.eye(6), rng.standard_normal(6)
    for history in (1, 10):
        res = optim.lbfgs(
            lambda x: x @ A @ x / 2 - b @ x, lambda x: A @ x - b, np.zeros(6), history=history
        )
        assert res.converged
        assert_close(res.x, np.linalg.solve(A, b), rtol=1e-7, atol=1e-8)


def test_strong_wolfe_conditions_hold():
    rng = np.random.default_rng(1)
    for _ in range(20):
        x, d = rng.uniform(-2, 2, 2), None
        g = drosen(x)
        d = -g / np.abs(g).max()
        alpha, f_new, g_new, evals = optim.strong_wolfe(
            rosen, drosen, x, d, alpha0=rng.uniform(0.1, 10)
        )
        assert alpha > 0 and evals >= 1
        assert f_new <= rosen(x) + 1e-4 * alpha * g @ d
        assert abs(g_new @ d) <= 0.9 * abs(g @ d)
        assert_close(g_new, drosen(x + alpha * d), rtol=1e-12, atol=1e-12)


def test_strong_wolfe_refuses_ascent_direction():
    with raises(ValueError, "strong_wolfe: d is not a descent direction"):
        optim.strong_wolfe(rosen, drosen, np.zeros(2), drosen(np.zeros(2)))


def test_newton_converges_quadratically():
    def f(x):
        return np.log(np.sum(np.exp(x))) + 0.5 * x @ x + np.array([0.3, -0.2, 0.1]) @ x

    def grad(x):
        p = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
        return p + x + np.array([0.3, -0.2, 0.1])

    def hess(x):
        p = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
        return np.diag(p) - np.outer(p, p) + np.eye(3)

    res = optim.newton(f, grad, hess, [4.0, -3.0, 2.0])
    assert res.converged and res.steps <= 10
    err = np.abs(res.trajectory - res.x).max(axis=1)
    e = err[err > 1e-13]  # the tail above rounding
    assert len(e) >= 3
    ratios = e[1:] / e[:-1] ** 2
    assert np.all(ratios[-2:] <= 1.0), ratios  # e_{k+1} <= C e_k^2 with C = 1


def test_newton_falls_back_to_gradient_where_hessian_is_indefinite():
    f = lambda x: x[0] ** 4 / 4 - x[0] ** 2 / 2 + x[1] ** 2  # noqa: E731
    grad = lambda x: np.array([x[0] ** 3 - x[0], 2 * x[1]])  # noqa: E731
    hess = lambda x: np.diag([3 * x[0] ** 2 - 1, 2.0])  # noqa: E731
    res = optim.newton(f, grad, hess, [0.1, 1.0])  # H is indefinite at the start
    assert res.converged and np.all(np.diff(res.losses) <= 0)
    assert_close(np.abs(res.x), [1.0, 0.0], atol=1e-10)


def test_newton_without_backtracking_takes_full_steps():
    A, b = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0])
    res = optim.newton(
        lambda x: x @ A @ x / 2 - b @ x,
        lambda x: A @ x - b,
        lambda x: A,
        [5.0, 5.0],
        backtracking=False,
    )
    assert res.steps == 1 and res.converged
    assert_close(res.x, np.linalg.solve(A, b), rtol=1e-12)


def _spd(n, spread, seed=0):
    """A random SPD matrix with eigenvalues evenly spaced in [1, spread], and a vector b.

    (Geometrically spaced eigenvalues would delay CG in floating point beyond n steps.)
    """
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return Q @ np.diag(np.linspace(1, spread, n)) @ Q.T, rng.standard_normal(n)


def test_linear_cg_exact_in_n_steps():
    n = 12
    A, b = _spd(n, 1e3)
    res = optim.conjugate_gradient(A, b, tol=0.0)
    rel = np.linalg.norm(b - A @ res.x) / np.linalg.norm(b)
    early = np.linalg.norm(b - A @ res.trajectory[n - 2]) / np.linalg.norm(b)
    assert res.steps == n and rel <= 1e-10 and early > 1e-6, (rel, early)
    assert res.grad_evals == n + 1 and np.all(np.diff(res.losses) < 0)


def test_linear_cg_stops_at_tol_and_uses_x0():
    A, b = _spd(30, 10.0, seed=1)
    res = optim.conjugate_gradient(A, b, x0=np.ones(30), steps=100, tol=1e-8)
    assert res.converged and res.steps < 30
    assert np.linalg.norm(b - A @ res.x) <= 1e-8 * np.linalg.norm(b)
    assert res.trajectory[0].tolist() == [1.0] * 30


def test_linear_cg_refuses_indefinite_and_bad_shapes():
    with raises(np.linalg.LinAlgError, "conjugate_gradient: A is not positive definite"):
        optim.conjugate_gradient(np.diag([1.0, -1.0]), np.ones(2))
    with raises(ValueError, "conjugate_gradient: b must have shape (2,)"):
        optim.conjugate_gradient(np.eye(2), np.ones(3))
    with raises(ValueError, "conjugate_gradient: A of shape (2, 2) must be symmetric"):
        optim.conjugate_gradient(np.array([[1.0, 2.0], [0.0, 1.0]]), np.ones(2))
    with raises(ValueError, "conjugate_gradient: A must not be empty"):
        optim.conjugate_gradient(np.zeros((0, 0)), np.zeros(0))
    with raises(ValueError, "conjugate_gradient: A must be square"):
        optim.conjugate_gradient(np.ones((2, 3)), np.ones(2))


@pytest.mark.parametrize("method", ["fletcher-reeves", "polak-ribiere"])
def test_nonlinear_cg_rosenbrock(method):
    res = optim.nonlinear_conjugate_gradient(rosen, drosen, [-1.2, 1.0], steps=2000, method=method)
    assert res.converged, res.message
    assert_close(res.x, [1.0, 1.0], atol=1e-8)


@pytest.mark.parametrize("method", ["fletcher-reeves", "polak-ribiere"])
def test_nonlinear_cg_quadratic(method):
    A, b = _spd(8, 50.0, seed=2)
    res = optim.nonlinear_conjugate_gradient(
        lambda x: x @ A @ x / 2 - b @ x, lambda x: A @ x - b, np.zeros(8), method=method, restart=8
    )
    assert res.converged
    assert_close(res.x, np.linalg.solve(A, b), rtol=1e-7, atol=1e-8)


def quad(L=4.0, mu=1.0):
    D = np.array([mu, L])
    return (lambda x: 0.5 * np.sum(D * x * x)), (lambda x: D * x)


def test_gradient_descent_diverges_above_2_over_L():
    f, g = quad(L=4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = optim.gradient_descent(f, g, [1.0, 1.0], lr=0.6, steps=500)  # 2 / L = 0.5
    assert res.diverged_at is not None and not res.converged
    assert res.message.startswith(f"diverged at step {res.diverged_at}: |x| > 1e6")
    assert len(res.trajectory) == res.diverged_at and np.all(np.isfinite(res.trajectory))
    assert np.all(np.isfinite(res.losses))


def test_gradient_descent_converges_below_2_over_L():
    f, g = quad(L=4.0)
    res = optim.gradient_descent(f, g, [1.0, 1.0], lr=0.45, steps=2000)
    assert res.converged and res.diverged_at is None
    assert np.abs(res.x).max() < 1e-10 and res.grad_evals == res.steps + 1


def test_gradient_descent_nonfinite_loss_is_reported():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = optim.gradient_descent(
            lambda x: float(np.exp(x[0] ** 2)), lambda x: -2 * x, [3.0], lr=0.3, steps=100
        )
    assert res.message.startswith("diverged at step") and "loss" in res.message
    assert np.all(np.isfinite(res.losses))


@pytest.mark.parametrize(("momentum", "nesterov"), [(0.0, False), (0.9, False), (0.7, True)])
def test_gradient_descent_matches_hand_recursion(momentum, nesterov):
    f, g = quad(L=3.0, mu=0.2)
    res = optim.gradient_descent(
        f, g, [1.0, -2.0], lr=0.1, steps=40, momentum=momentum, nesterov=nesterov, tol=0
    )
    x, v, path = np.array([1.0, -2.0]), np.zeros(2), [np.array([1.0, -2.0])]
    for _ in range(40):
        v = momentum * v + g(x)
        x = x - 0.1 * (g(x) + momentum * v if nesterov else v)
        path.append(x)
    assert_close(res.trajectory, np.array(path), rtol=1e-14, atol=1e-15)
    assert res.steps == 40 and not res.converged


def test_gradient_descent_matches_torch_sgd():
    f, g = quad(L=3.0, mu=0.2)
    res = optim.gradient_descent(
        f, g, [1.0, -2.0], lr=0.1, steps=30, momentum=0.8, nesterov=True, tol=0
    )
    x = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=0.1, momentum=0.8, nesterov=True)
    for _ in range(30):
        x.grad = torch.tensor(g(x.detach().numpy()))
        opt.step()
    assert_close(res.x, x.detach(), rtol=1e-12, atol=1e-15)


BAD_MINIMISER = [
    (
        lambda: optim.gradient_descent(1, quad()[1], [1.0], 0.1, 5),
        TypeError,
        "gradient_descent: f must be callable",
    ),
    (
        lambda: optim.gradient_descent(*quad(), [[1.0]], 0.1, 5),
        ValueError,
        "gradient_descent: x0 must be 1-D",
    ),
    (
        lambda: optim.gradient_descent(*quad(), [np.nan], 0.1, 5),
        ValueError,
        "gradient_descent: x0 must be finite",
    ),
    (
        lambda: optim.gradient_descent(*quad(), [1.0], 0.0, 5),
        ValueError,
        "gradient_descent: lr must be > 0",
    ),
    (
        lambda: optim.gradient_descent(*quad(), [1.0], 0.1, -1),
        ValueError,
        "gradient_descent: steps must be >= 0",
    ),
    (
        lambda: optim.gradient_descent(*quad(), [1.0], 0.1, 2.5),
        TypeError,
        "gradient_descent: steps must be an int",
    ),
    (
        lambda: optim.gradient_descent(*quad(), [1.0], 0.1, 5, momentum=1.0),
        ValueError,
        "gradient_descent: momentum must be < 1",
    ),
    (
        lambda: optim.gradient_descent(*quad(), [1.0], 0.1, 5, nesterov=True),
        ValueError,
        "gradient_descent: nesterov=True requires",
    ),
    (
        lambda: optim.gradient_descent(quad()[0], lambda x: np.ones(3), [1.0, 2.0], 0.1, 5),
        ValueError,
        "gradient_descent: grad must return an array of shape (2,)",
    ),
    (
        lambda: optim.gradient_descent(lambda x: x, quad()[1], [1.0, 2.0], 0.1, 5),
        ValueError,
        "gradient_descent: f must return a scalar",
    ),
    (lambda: optim.newton(*quad(), None, [1.0, 2.0]), TypeError, "newton: hess must be callable"),
    (
        lambda: optim.newton(*quad(), lambda x: np.eye(3), [1.0, 2.0]),
        ValueError,
        "newton: hess must return a finite (2, 2)",
    ),
    (
        lambda: optim.lbfgs(*quad(), [1.0, 2.0], history=0),
        ValueError,
        "lbfgs: history must be >= 1",
    ),
    (
        lambda: optim.lbfgs(lambda x: math.inf, quad()[1], [1.0, 2.0]),
        ValueError,
        "lbfgs: f(x0) must be finite",
    ),
    (
        lambda: optim.nonlinear_conjugate_gradient(*quad(), [1.0, 2.0], method="hs"),
        ValueError,
        "nonlinear_conjugate_gradient: method must be one of",
    ),
    (
        lambda: optim.strong_wolfe(*quad(), [1.0, 2.0], [-1.0, -1.0], c1=0.5, c2=0.4),
        ValueError,
        "strong_wolfe: c2 must be > 0.5",
    ),
]


@pytest.mark.parametrize(
    ("call", "exc", "message"), BAD_MINIMISER, ids=[b[2] for b in BAD_MINIMISER]
)
def test_invalid_minimiser_input(call, exc, message):
    with pytest.raises(exc) as err:
        call()
    assert str(err.value).startswith(message)


def test_result_fields():
    res = optim.lbfgs(*quad(), [1.0, 2.0])
    assert isinstance(res, optim.OptimizeResult)
    assert res.trajectory.shape == (res.steps + 1, 2) and res.losses.shape == (res.steps + 1,)
    assert res.x.tolist() == res.trajectory[-1].tolist() and res.diverged_at is None


UNBOUNDED = [
    ("lbfgs", lambda f, g, x0: optim.lbfgs(f, g, x0)),
    ("ncg", lambda f, g, x0: optim.nonlinear_conjugate_gradient(f, g, x0)),
    ("newton", lambda f, g, x0: optim.newton(f, g, lambda x: np.diag(-np.exp(x)), x0)),
    ("gd", lambda f, g, x0: optim.gradient_descent(f, g, x0, lr=0.5, steps=1000)),
]


@pytest.mark.parametrize("run", [u[1] for u in UNBOUNDED], ids=[u[0] for u in UNBOUNDED])
def test_unbounded_below_is_reported_as_divergence(run):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = run(lambda x: -np.sum(np.exp(x)), lambda x: -np.exp(x), np.array([1.0, 0.5]))
    assert res.diverged_at == len(res.trajectory) and not res.converged
    assert res.message.startswith(f"diverged at step {res.diverged_at}: ")
    assert np.all(np.isfinite(res.trajectory)) and np.all(np.isfinite(res.losses))


def test_scheduler_state_dict_resumes():
    opt = optim.SGD(P, lr=1.0)
    sched = optim.CosineAnnealingLR(opt, T_max=6)
    for _ in range(4):
        sched.step()
    saved, lr = sched.state_dict(), opt.param_groups[0]["lr"]
    expected = [sched.step() or sched.get_last_lr()[0] for _ in range(4)]
    opt2 = optim.SGD([Tensor(np.zeros(2), requires_grad=True)], lr=lr)
    again = optim.CosineAnnealingLR(opt2, T_max=6)
    again.load_state_dict(saved)
    opt2.param_groups[0]["lr"] = lr
    assert [again.step() or again.get_last_lr()[0] for _ in range(4)] == expected


# ------------------------------------------------ soft thresholding and the proximal gradient


@pytest.mark.parametrize("threshold", [0.0, 0.3, 1.0, 2.5])
def test_soft_threshold_matches_torch_softshrink(threshold, device):
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.standard_normal(200) * 2, [threshold, -threshold, 0.0, 1e300]])
    theirs = torch.nn.functional.softshrink(to_torch(x, device=device), threshold)
    assert_close(optim.soft_threshold(x, threshold), theirs, rtol=0.0, name="softshrink")


def test_soft_threshold_is_the_prox_of_l1():
    """``v - x`` is in ``t d|x|``: ``t sign(x)`` where ``x != 0``, ``[-t, t]`` where ``x == 0``."""
    rng = np.random.default_rng(12)
    v, t = rng.standard_normal((4, 50)) * 3, 1.25
    x = optim.soft_threshold(v, t)
    on = x != 0
    assert x.shape == v.shape and np.all(np.abs(v[~on]) <= t)
    assert_close((v - x)[on], t * np.sign(x[on]), rtol=1e-15, name="subgradient on the support")
    assert not np.signbit(x[~on]).any()  # exact +0.0, never -0.0
    grid = x[..., None] + np.linspace(-1e-3, 1e-3, 21)  # (4, 50, 21) points around x
    phi = t * np.abs(grid) + 0.5 * (grid - v[..., None]) ** 2
    assert np.all(phi.argmin(axis=-1) == 10)  # x is the minimiser of t|.| + (. - v)^2 / 2


def test_soft_threshold_dtypes_and_errors():
    assert optim.soft_threshold(np.float32([2.0, 0.1]), 0.5).dtype == np.float32
    assert optim.soft_threshold([3, -1], 2).tolist() == [1.0, 0.0]
    assert np.isnan(optim.soft_threshold([np.nan], 1.0)[0])
    with raises(ValueError, "soft_threshold: threshold must be >= 0"):
        optim.soft_threshold([1.0], -0.1)
    with raises(TypeError, "soft_threshold: x must be real"):
        optim.soft_threshold([1j], 0.1)


class Lasso:
    """``|A x - b|^2 / 2 + lam |x|_1`` with a known sparse solution ``x_star``.

    ``b`` is built so that ``x_star`` satisfies the optimality conditions
    ``A^T (b - A x_star) = lam z`` with ``z = sign(x_star)`` on the support and
    ``|z| <= 1/2`` off it; ``A`` has full column rank, so the solution is unique.
    """

    def __init__(self, m=30, n=10, lam=0.5, seed=13):
        rng = np.random.default_rng(seed)
        self.A, self.lam = rng.standard_normal((m, n)), lam  # (m, n)
        self.x_star = np.zeros(n)
        self.support = np.array([1, n // 2, n - 2])
        self.x_star[self.support] = [2.0, -1.5, 0.75]
        z = rng.uniform(-0.5, 0.5, n)
        z[self.support] = np.sign(self.x_star[self.support])
        r = self.A @ np.linalg.solve(self.A.T @ self.A, lam * z)  # A^T r = lam z, r in range(A)
        self.b = self.A @ self.x_star + r
        self.L = float(np.linalg.eigvalsh(self.A.T @ self.A)[-1])

    def f(self, x):
        return 0.5 * np.sum((self.A @ x - self.b) ** 2) + self.lam * np.sum(np.abs(x))

    def grad(self, x):
        return self.A.T @ (self.A @ x - self.b)

    def prox(self, v, t):
        return optim.soft_threshold(v, self.lam * t)


def test_lasso_solution_satisfies_the_optimality_conditions():
    p = Lasso()
    z = -p.grad(p.x_star) / p.lam  # (n,) the subgradient of |x|_1 that certifies x_star
    off = np.setdiff1d(np.arange(len(z)), p.support)
    assert_close(z[p.support], np.sign(p.x_star[p.support]), rtol=1e-12, name="z on support")
    assert np.all(np.abs(z[off]) <= 0.5 + 1e-12)


def test_ista_solves_the_lasso_with_exact_zeros():
    p = Lasso()
    res = optim.proximal_gradient(p.f, p.grad, p.prox, np.zeros(10), lr=1 / p.L, steps=5000)
    assert res.converged and res.message.startswith("converged: ||gradient mapping||")
    assert_close(res.x, p.x_star, atol=1e-9, name="ISTA vs the known lasso solution")
    off = np.setdiff1d(np.arange(10), p.support)
    assert np.all(res.x[off] == 0.0) and np.all(res.x[p.support] != 0.0)
    assert np.all(np.diff(res.losses) <= 1e-12)  # lr <= 1/L: monotone descent
    assert res.grad_evals == res.steps + 1
    assert_close(res.losses, [p.f(x) for x in res.trajectory], rtol=1e-15, name="losses")


def test_ista_with_orthonormal_design_is_one_soft_threshold():
    rng = np.random.default_rng(14)
    Q, _ = np.linalg.qr(rng.standard_normal((8, 5)))  # (8, 5) orthonormal columns
    b, lam = rng.standard_normal(8) * 2, 0.7

    def f(x):
        return 0.5 * np.sum((Q @ x - b) ** 2) + lam * np.abs(x).sum()

    def prox(v, t):
        return optim.soft_threshold(v, lam * t)

    res = optim.proximal_gradient(f, lambda x: Q.T @ (Q @ x - b), prox, np.ones(5), 1.0, 20)
    assert_close(res.trajectory[1], optim.soft_threshold(Q.T @ b, lam), rtol=1e-14, name="x_1")
    assert res.converged and res.steps <= 2


def test_ista_matches_torch(device):
    """The same iterations with torch.autograd gradients and softshrink."""
    p = Lasso(m=12, n=6, lam=0.3, seed=15)
    lr, steps = 0.5 / p.L, 40
    res = optim.proximal_gradient(p.f, p.grad, p.prox, np.ones(6), lr, steps, tol=0.0)
    A, b = to_torch(p.A, device=device), to_torch(p.b, device=device)
    x = to_torch(np.ones(6), device=device)
    for k in range(steps):
        x.requires_grad_(True)
        (g,) = torch.autograd.grad(0.5 * ((A @ x - b) ** 2).sum(), x)
        x = torch.nn.functional.softshrink((x - lr * g).detach(), p.lam * lr)
        assert_close(res.trajectory[k + 1], x, rtol=1e-12, atol=1e-15, name=f"step {k + 1}")


def test_proximal_gradient_with_zero_prox_is_gradient_descent():
    f, g = quad()
    ours = optim.proximal_gradient(f, g, lambda v, t: v, [1.0, 2.0], lr=0.3, steps=25, tol=0.0)
    gd = optim.gradient_descent(f, g, [1.0, 2.0], lr=0.3, steps=25, tol=0.0)
    assert_close(ours.trajectory, gd.trajectory, rtol=1e-15, name="prox = identity")


def test_proximal_gradient_divergence_and_zero_steps():
    f, g = quad()  # L = 4: lr > 2 / L diverges
    res = optim.proximal_gradient(f, g, lambda v, t: v, [1.0, 1.0], lr=0.6, steps=500)
    assert res.diverged_at == len(res.trajectory) and not res.converged
    assert res.message.startswith(f"diverged at step {res.diverged_at}: |x| > 1e6")
    assert np.all(np.isfinite(res.trajectory))
    res = optim.proximal_gradient(f, g, lambda v, t: v, [1.0, 1.0], lr=0.1, steps=0)
    assert res.steps == 0 and res.message == "stopped after 0 steps" and not res.converged


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"prox": "soft"}, TypeError, "proximal_gradient: prox must be callable"),
        ({"prox": lambda v, t: v[:1]}, ValueError, "proximal_gradient: prox must return"),
        ({"lr": 0.0}, ValueError, "proximal_gradient: lr must be > 0"),
        ({"steps": 1.5}, TypeError, "proximal_gradient: steps must be an int"),
        ({"tol": -1.0}, ValueError, "proximal_gradient: tol must be >= 0"),
        ({"x0": [[1.0]]}, ValueError, "proximal_gradient: x0 must be 1-D"),
    ],
)
def test_invalid_proximal_gradient_input(kwargs, exc, message):
    f, g = quad()
    args = {"prox": lambda v, t: v, "x0": [1.0, 2.0], "lr": 0.1, "steps": 3} | kwargs
    with raises(exc, message):
        optim.proximal_gradient(f, g, **args)
