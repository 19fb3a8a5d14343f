"""mathdl.optim under bad and extreme input: clear refusals, and torch's answers (float64).

Two tables drive the tests (tinygrad style, one line a case):

* ``REFUSALS``: ``(id, call, exception, prefix)``: ``call()`` must raise ``exception``
  whose message starts with ``prefix`` (the function or ``Class.method``, then the
  argument), never numpy's own message, an AttributeError or a RuntimeWarning.
* ``ACCEPTED``: ``(id, call)``: valid, often extreme, input; ``call()`` checks the answer
  (against torch where torch has the operation) and raises AssertionError when it is
  wrong, with a message starting ``non-finite`` when a finite answer was expected.

Every case runs with RuntimeWarning turned into an error (pyproject does it too).
"""

import math
import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS

from mathdl import optim
from mathdl.autodiff import Tensor

NAN, INF = math.nan, math.inf
T = torch.optim
TORCH = {optim.SGD: T.SGD, optim.Adagrad: T.Adagrad, optim.RMSprop: T.RMSprop,
         optim.Adam: T.Adam, optim.AdamW: T.AdamW}  # fmt: skip
CLASSES = list(TORCH)


def P(*values):
    """One float64 leaf parameter (zeros(2) by default) in a list."""
    return [Tensor(np.array(values or (0.0, 0.0)), requires_grad=True)]


def pattern(prefix: str) -> str:
    """The message must start with ``prefix`` followed by a separator (the whole name)."""
    return "^" + re.escape(prefix) + r"(?=[\s\[\(.':=]|$)"


REFUSALS: list[tuple] = []
ACCEPTED: list[tuple] = []


def refuse(id_, call, exc, prefix):
    REFUSALS.append((id_, call, exc, prefix))


def accept(id_, call):
    ACCEPTED.append((id_, call))


# ------------------------------------------------------------------ bad values by kind

V, Y = ValueError, TypeError
REAL_BAD = [("str", "0.1", Y), ("None", None, Y), ("bool", True, Y), ("complex", 1j, Y),
            ("list", [0.1], Y), ("object", object(), Y), ("nan", NAN, V), ("inf", INF, V),
            ("-inf", -INF, V)]  # fmt: skip
NONNEG_BAD = [*REAL_BAD, ("negative", -1.0, V), ("-tiny", -1e-300, V)]
POSITIVE_BAD = [*NONNEG_BAD, ("zero", 0.0, V)]
UNIT_BAD = [*NONNEG_BAD, ("1.5", 1.5, V)]  # [0, 1]
UNIT_OPEN_BAD = [*UNIT_BAD, ("one", 1.0, V)]  # [0, 1)
BOOL_BAD = [("str", "no", Y), ("int", 1, Y), ("float", 0.0, Y), ("None", None, Y),
            ("array", np.array([True]), Y)]  # fmt: skip
INT0_BAD = [("negative", -1, V), ("float", 2.5, Y), ("whole-float", 2.0, Y), ("str", "2", Y),
            ("bool", True, Y), ("None", None, Y)]  # fmt: skip
INT1_BAD = [*INT0_BAD, ("zero", 0, V)]
CHOICE_BAD = [("unknown", "exp", V), ("int", 3, Y), ("None", None, Y)]
BETAS_BAD = [("float", 0.9, Y), ("str", "ab", Y), ("None", None, Y), ("one", (0.9,), V),
             ("three", (0.9, 0.99, 0.999), V), ("nan", (NAN, 0.999), V), ("inf", (0.9, INF), V),
             ("beta1=1", (1.0, 0.999), V), ("beta2=1", (0.9, 1.0), V), ("negative", (-0.1, 0.9), V),
             ("str-item", ("0.9", 0.999), Y), ("bool-item", (True, 0.999), Y)]  # fmt: skip

# ------------------------------------------------------------------ optimizer hyperparameters

HYPER = {
    optim.SGD: {"lr": NONNEG_BAD, "momentum": NONNEG_BAD, "dampening": REAL_BAD,
                "weight_decay": NONNEG_BAD, "nesterov": BOOL_BAD, "maximize": BOOL_BAD},
    optim.Adagrad: {"lr": NONNEG_BAD, "lr_decay": NONNEG_BAD, "weight_decay": NONNEG_BAD,
                    "initial_accumulator_value": NONNEG_BAD, "eps": NONNEG_BAD,
                    "maximize": BOOL_BAD},
    optim.RMSprop: {"lr": NONNEG_BAD, "alpha": UNIT_BAD, "eps": NONNEG_BAD,
                    "weight_decay": NONNEG_BAD, "momentum": NONNEG_BAD, "centered": BOOL_BAD,
                    "maximize": BOOL_BAD},
    optim.Adam: {"lr": NONNEG_BAD, "betas": BETAS_BAD, "eps": NONNEG_BAD,
                 "weight_decay": NONNEG_BAD, "amsgrad": BOOL_BAD, "maximize": BOOL_BAD},
    optim.AdamW: {"lr": NONNEG_BAD, "betas": BETAS_BAD, "eps": NONNEG_BAD,
                  "weight_decay": NONNEG_BAD, "amsgrad": BOOL_BAD, "maximize": BOOL_BAD},
}  # fmt: skip

for cls, spec in HYPER.items():
    n = cls.__name__
    for arg, bads in spec.items():
        for label, value, exc in bads:
            kw = {arg: value}
            refuse(f"{n}({arg}={label})", lambda c=cls, kw=kw: c(P(), **kw), exc, f"{n}: {arg}")
            refuse(f"{n}(group {arg}={label})",
                   lambda c=cls, kw=kw: c([{"params": P(), **kw}]), exc, f"{n}: {arg}")  # fmt: skip
        label, value, exc = bads[0]
        refuse(f"{n}.add_param_group({arg}={label})",
               lambda c=cls, a=arg, v=value: c(P()).add_param_group({"params": P(), a: v}),
               exc, f"{n}.add_param_group: {arg}")  # fmt: skip

refuse("SGD(nesterov without momentum)", lambda: optim.SGD(P(), nesterov=True), V, "SGD: nesterov")
refuse(
    "SGD(nesterov with dampening)",
    lambda: optim.SGD(P(), momentum=0.9, dampening=0.1, nesterov=True),
    V,
    "SGD: nesterov",
)

# Valid extremes of the hyperparameters are accepted, and so are numpy scalars.
for cls, kw in [
    (optim.SGD, dict(lr=0.0, momentum=0.0, dampening=-2.0, weight_decay=0.0)),
    (optim.SGD, dict(lr=1e300, momentum=1e300, weight_decay=5e-324)),
    (optim.SGD, dict(lr=np.float32(0.5), nesterov=np.bool_(True), momentum=np.float64(0.9))),
    (optim.Adagrad, dict(lr=0.0, lr_decay=1e308, eps=0.0, initial_accumulator_value=1e300)),
    (optim.RMSprop, dict(alpha=0.0, eps=0.0)),
    (optim.RMSprop, dict(alpha=1.0, momentum=1e10, centered=True)),
    (optim.Adam, dict(betas=(0.0, 0.0), eps=0.0, lr=0.0)),
    (optim.Adam, dict(betas=[np.float64(0.5), 1 - 1e-16], amsgrad=np.bool_(True))),
    (optim.AdamW, dict(weight_decay=0.0, lr=1e-320)),
]:
    accept(f"{cls.__name__}({kw})", lambda c=cls, kw=kw: c(P(), **kw))


# ------------------------------------------------------------------ params


def t():
    return Tensor(np.zeros(2), requires_grad=True)


def _duplicate():
    a = t()
    return [a, t(), a]


def _duplicate_groups():
    a = t()
    return [{"params": [a]}, {"params": [t(), a]}]


def _duplicate_in_group():
    a = t()
    return [{"params": [a, a]}]


BAD_PARAMS = [
    ("empty", lambda: [], V, "params"),
    ("None", lambda: None, Y, "params"),
    ("a Tensor", t, Y, "params"),
    ("an array", lambda: np.zeros(2), Y, "params"),
    ("a dict", lambda: {"params": [t()]}, Y, "params"),
    ("a string", lambda: "w", Y, "params"),
    ("an int", lambda: 3, Y, "params"),
    ("a set", lambda: {t()}, Y, "params"),
    ("array item", lambda: [np.zeros(2)], Y, "params[0]"),
    ("float item", lambda: [t(), 1.0], Y, "params[1]"),
    ("None item", lambda: [None], Y, "params[0]"),
    ("nested list", lambda: [[t()]], Y, "params[0]"),
    ("non-leaf", lambda: [t() * 2], V, "params[0]"),
    ("duplicate", _duplicate, V, "params[2]"),
    ("duplicate across groups", _duplicate_groups, V, "params[1]['params'][1]"),
    ("duplicate in a group", _duplicate_in_group, V, "params[0]['params'][1]"),
    ("group without params", lambda: [{"lr": 0.1}], V, "params[0]"),
    ("group params an int", lambda: [{"params": 3}], Y, "params[0]['params']"),
    ("group params a set", lambda: [{"params": {t()}}], Y, "params[0]['params']"),
    ("group params None", lambda: [{"params": None}], Y, "params[0]['params']"),
    ("group item not a Tensor", lambda: [{"params": [t(), "w"]}], Y, "params[0]['params'][1]"),
    ("Tensors and dicts mixed", lambda: [t(), {"params": [t()]}], Y, "params"),
]
for cls in CLASSES:
    n = cls.__name__
    for label, make, exc, where in BAD_PARAMS:
        refuse(f"{n}(params {label})", lambda c=cls, m=make: c(m()), exc, f"{n}: {where}")
    refuse(f"{n}.add_param_group(not a dict)", lambda c=cls: c(P()).add_param_group([t()]),
           Y, f"{n}.add_param_group: param_group")  # fmt: skip
    refuse(f"{n}.add_param_group(taken)", lambda c=cls: (lambda ps: c(ps).add_param_group(
        {"params": ps}))(P()), V, f"{n}.add_param_group: param_group['params'][0]")  # fmt: skip


def _accepts_like_torch(make_ours, make_theirs):
    """Both constructors succeed, with the same number of parameters per group."""

    def run():
        ours, theirs = make_ours(), make_theirs()
        got = [len(g["params"]) for g in ours.param_groups]
        want = [len(g["params"]) for g in theirs.param_groups]
        assert got == want, f"wrong: groups of sizes {got}, torch has {want}"

    return run


def tt():
    return torch.zeros(2, dtype=torch.float64, requires_grad=True)


for cls in CLASSES:
    tc, n = TORCH[cls], cls.__name__
    for label, ours, theirs in [
        ("integer Tensor", lambda: [Tensor(np.arange(3))], lambda: [torch.arange(3)]),
        ("a generator", lambda: (t() for _ in range(2)), lambda: (tt() for _ in range(2))),
        ("a tuple", lambda: (t(), t()), lambda: (tt(), tt())),
        ("no requires_grad", lambda: [Tensor(np.zeros(2))], lambda: [torch.zeros(2)]),
        ("0-d and empty", lambda: [Tensor(1.0, True), Tensor(np.zeros(0), True)],
         lambda: [torch.tensor(1.0, requires_grad=True), torch.zeros(0, requires_grad=True)]),
        ("a group of one Tensor", lambda: [{"params": t()}], lambda: [{"params": tt()}]),
        ("an empty group", lambda: [{"params": []}, {"params": [t()]}],
         lambda: [{"params": []}, {"params": [tt()]}]),
    ]:  # fmt: skip
        accept(
            f"{n}(params {label})",
            _accepts_like_torch(lambda c=cls, o=ours: c(o()), lambda c=tc, o=theirs: c(o())),
        )


# ------------------------------------------------------------------ step() and zero_grad()


def _step_with(cls, grad, param=None, groups=False):
    """``cls`` on one parameter (zeros(3) by default) whose .grad is ``grad()``; step."""

    def run():
        p = param() if param else Tensor(np.zeros(3), requires_grad=True)
        other = Tensor(np.zeros(1), requires_grad=True)
        opt = cls([{"params": [other]}, {"params": [p]}]) if groups else cls([p])
        p.grad = grad()
        opt.step()

    return run


BAD_GRADS = [
    ("shape (2,)", lambda: np.ones(2), V),
    ("shape ()", lambda: np.array(1.0), V),
    ("shape (3, 1)", lambda: np.ones((3, 1)), V),
    ("float32", lambda: np.ones(3, np.float32), Y),
    ("int64", lambda: np.arange(3), Y),
    ("bool", lambda: np.ones(3, bool), Y),
    ("complex", lambda: np.ones(3, complex), Y),
    ("strings", lambda: np.array(["a", "b", "c"]), Y),
    ("objects", lambda: [None, None, None], Y),
    ("a Tensor", lambda: Tensor(np.ones(3)), Y),
    ("ragged", lambda: [[1.0], [1.0, 2.0], []], V),
    ("a string", lambda: "abc", Y),
]
for cls in CLASSES:
    n = cls.__name__
    for label, grad, exc in BAD_GRADS:
        refuse(f"{n}.step(grad {label})", _step_with(cls, grad), exc, f"{n}.step: params[0]")
    refuse(f"{n}.step(grad in group 1 {BAD_GRADS[0][0]})",
           _step_with(cls, BAD_GRADS[0][1], groups=True), V,
           f"{n}.step: param_groups[1]['params'][0]")  # fmt: skip
    refuse(f"{n}.step(integer parameter with a grad)",
           _step_with(cls, lambda: np.ones(3), param=lambda: Tensor(np.arange(3))), Y,
           f"{n}.step: params[0]")  # fmt: skip
    refuse(f"{n}.step(closure=3)", lambda c=cls: c(P()).step(3), Y, f"{n}.step: closure")
    refuse(f"{n}.zero_grad(set_to_none='no')", lambda c=cls: c(P()).zero_grad("no"), Y,
           f"{n}.zero_grad: set_to_none")  # fmt: skip


def _grad_list_is_a_float64_array(cls):
    def run():
        p = Tensor(np.zeros(3), requires_grad=True)
        opt = cls([p], lr=0.1)
        p.grad = [1.0, 2.0, 3.0]
        opt.step()
        assert p.data[0] < 0 and np.all(np.isfinite(p.data)), f"wrong: {p.data}"

    return run


def _bad_grad_changes_nothing(cls):
    """Every gradient is checked before any parameter moves."""

    def run():
        a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
        opt = cls([a, b], lr=0.1)
        a.grad, b.grad = np.ones(2), np.ones(3)
        with pytest.raises(ValueError):
            opt.step()
        moved = a.data.tolist() != [1.0, 1.0] or opt.state.get(a, {}).get("step", 0) != 0
        assert not moved, f"wrong: params[0] moved to {a.data} before params[1] was refused"

    return run


for cls in CLASSES:
    accept(f"{cls.__name__}.step(grad a list)", _grad_list_is_a_float64_array(cls))
    accept(f"{cls.__name__}.step(atomic)", _bad_grad_changes_nothing(cls))


# ------------------------------------------------------------------ load_state_dict


def _trained(cls, **kw):
    p = Tensor(np.ones(3), requires_grad=True)
    opt = cls([p], **kw)
    p.grad = np.ones(3)
    opt.step()
    return opt


def _edited(cls, kw, edit):
    """Load into a fresh optimizer a state_dict of a trained one, after ``edit(sd)``."""

    def run():
        sd = _trained(cls, **kw).state_dict()
        out = edit(sd)  # None: edited in place
        sd = sd if out is None else out
        _trained(cls, **kw).load_state_dict(sd)

    return run


def _set(path, value):
    def edit(sd):
        node = sd
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _drop(path):
    def edit(sd):
        node = sd
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


for cls, kw, buffer in [
    (optim.SGD, dict(lr=0.1, momentum=0.9), "momentum_buffer"),
    (optim.Adam, dict(lr=0.1, amsgrad=True), "exp_avg"),
    (optim.RMSprop, dict(centered=True), "grad_avg"),
]:
    n, f = cls.__name__, f"{cls.__name__}.load_state_dict: state_dict"
    for label, edit, exc in [
        ("not a dict", lambda sd: 3, Y),
        ("empty", lambda sd: {}, V),
        ("no state", _drop(["state"]), V),
        ("param_groups an int", _set(["param_groups"], 3), Y),
        ("param_groups of ints", _set(["param_groups"], [3]), Y),
        ("state a list", _set(["state"], []), Y),
        ("two groups", lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0])), V),
        ("two params", _set(["param_groups", 0, "params"], [0, 1]), V),
        ("params an int", _set(["param_groups", 0, "params"], 0), Y),
        ("group without params", _drop(["param_groups", 0, "params"]), V),
        ("group without lr", _drop(["param_groups", 0, "lr"]), V),
        ("state of parameter 7", _set(["state", 7], {}), V),
        ("state entry an int", _set(["state", 0], 3), Y),
        ("buffer of shape (4,)", _set(["state", 0, buffer], np.ones(4)), V),
        ("buffer complex", _set(["state", 0, buffer], np.ones(3, complex)), Y),
        ("buffer strings", _set(["state", 0, buffer], np.array(["a", "b", "c"])), Y),
        ("buffer torch of shape (2,)", _set(["state", 0, buffer], torch.ones(2)), V),
    ]:
        refuse(f"{n}.load_state_dict({label})", _edited(cls, kw, edit), exc, f)
    refuse(f"{n}.load_state_dict(lr -1)", _edited(cls, kw, _set(["param_groups", 0, "lr"], -1.0)),
           V, f"{n}.load_state_dict: lr")  # fmt: skip
    if cls is not optim.SGD:
        for label, value, exc in [("abc", "abc", Y), ("-1", -1, V), ("1.5", 1.5, V)]:
            refuse(f"{n}.load_state_dict(step {label})",
                   _edited(cls, kw, _set(["state", 0, "step"], value)), exc, f)  # fmt: skip


def _round_trip(cls, kw):
    def run():
        ours = _trained(cls, **kw)
        other = _trained(cls, **kw)
        other.load_state_dict(ours.state_dict())
        p = other.param_groups[0]["params"][0]
        p.grad = np.ones(3)
        other.step()
        assert np.all(np.isfinite(p.data)), f"non-finite: {p.data}"

    return run


for cls in CLASSES:
    accept(f"{cls.__name__}.load_state_dict(own)", _round_trip(cls, {}))


# ------------------------------------------------------------------ schedules


def opt(cls=optim.SGD, **kw):
    return cls(P(), **{"lr": 0.1, "momentum": 0.9, **kw})


def PER_GROUP(bads):
    """A list is one value per group: [0.1] is valid for one group."""
    return [b for b in bads if b[0] != "list"]


SCHEDULES = {
    "StepLR": (optim.StepLR, dict(step_size=2), {"step_size": INT1_BAD, "gamma": NONNEG_BAD}),
    "MultiStepLR": (
        optim.MultiStepLR, dict(milestones=[1, 2]),
        {"milestones": [("int", 3, Y), ("str", "12", Y), ("None", None, Y), ("dict", {1: 2}, Y),
                        ("negative", [1, -2], V), ("float", [1.5], Y), ("bool", [True], Y)],
         "gamma": NONNEG_BAD},
    ),
    "ExponentialLR": (optim.ExponentialLR, dict(gamma=0.5), {"gamma": NONNEG_BAD}),
    "CosineAnnealingLR": (optim.CosineAnnealingLR, dict(T_max=3),
                          {"T_max": INT1_BAD, "eta_min": NONNEG_BAD}),
    "LinearLR": (optim.LinearLR, {}, {"start_factor": [*POSITIVE_BAD, ("1.5", 1.5, V)],
                                      "end_factor": UNIT_BAD, "total_iters": INT1_BAD}),
    "OneCycleLR": (
        optim.OneCycleLR, dict(max_lr=1.0, total_steps=10),
        {"max_lr": PER_GROUP(NONNEG_BAD), "total_steps": [b for b in INT1_BAD if b[0] != "None"],
         "pct_start": UNIT_BAD, "anneal_strategy": CHOICE_BAD, "cycle_momentum": BOOL_BAD,
         "base_momentum": PER_GROUP(UNIT_OPEN_BAD), "max_momentum": PER_GROUP(UNIT_OPEN_BAD),
         "div_factor": POSITIVE_BAD, "final_div_factor": POSITIVE_BAD, "three_phase": BOOL_BAD},
    ),
}  # fmt: skip

for n, (cls, base, spec) in SCHEDULES.items():
    for arg, bads in spec.items():
        for label, value, exc in bads:
            kw = {**base, arg: value}
            refuse(f"{n}({arg}={label})", lambda c=cls, kw=kw: c(opt(), **kw), exc, f"{n}: {arg}")
    for label, value in [("a string", "opt"), ("None", None), ("a torch optimizer", T.SGD([tt()]))]:
        refuse(f"{n}(optimizer {label})", lambda c=cls, v=value, b=base: c(v, **b), Y,
               f"{n}: optimizer")  # fmt: skip
    refuse(f"{n}.load_state_dict(3)", lambda c=cls, b=base: c(opt(), **b).load_state_dict(3), Y,
           f"{n}.load_state_dict: state_dict")  # fmt: skip

one_cycle = optim.OneCycleLR
for arg, other in [("epochs", "steps_per_epoch"), ("steps_per_epoch", "epochs")]:
    for label, value, exc in [b for b in INT1_BAD if b[0] != "None"]:
        kw = {arg: value, other: 5}
        refuse(f"OneCycleLR({arg}={label})", lambda kw=kw: one_cycle(opt(), 1.0, **kw), exc,
               f"OneCycleLR: {arg}")  # fmt: skip
for label, kw in [
    ("nothing", {}),
    ("epochs only", dict(epochs=3)),
    ("steps_per_epoch only", dict(steps_per_epoch=3)),
]:
    refuse(f"OneCycleLR(total_steps from {label})", lambda kw=kw: one_cycle(opt(), 1.0, **kw),
           V, "OneCycleLR: total_steps")  # fmt: skip
for label, kw in [
    ("pct 0.1 of 10: a warm-up of 0 steps", dict(pct_start=0.1)),
    ("pct 1.0: an annealing of 0 steps", dict(pct_start=1.0)),
    ("three phases, pct 0.1 of 10", dict(pct_start=0.1, three_phase=True)),
    ("three phases, pct 0.55 of 10: last phase 0 steps", dict(pct_start=0.55, three_phase=True)),
]:  # fmt: skip
    refuse(f"OneCycleLR({label})", lambda kw=kw: one_cycle(opt(), 1.0, 10, **kw), V,
           "OneCycleLR: pct_start")  # fmt: skip
refuse("OneCycleLR(max_lr of 2 for 1 group)", lambda: one_cycle(opt(), [1.0, 2.0], 10), V,
       "OneCycleLR: max_lr")  # fmt: skip
refuse("OneCycleLR(max_lr list item nan)", lambda: one_cycle(opt(), [NAN], 10), V,
       "OneCycleLR: max_lr[0]")  # fmt: skip
refuse("OneCycleLR(Adagrad, cycle_momentum)", lambda: one_cycle(optim.Adagrad(P()), 1.0, 10), V,
       "OneCycleLR: cycle_momentum")  # fmt: skip
refuse(
    "OneCycleLR(Adam, max_momentum 1)",
    lambda: one_cycle(optim.Adam(P()), 1.0, 10, max_momentum=1.0),
    V,
    "OneCycleLR: max_momentum",
)


def _step_past_the_end():
    sched = one_cycle(opt(), 1.0, 2)
    for _ in range(3):
        sched.step()


refuse("OneCycleLR.step(past total_steps)", _step_past_the_end, V, "OneCycleLR.step:")


def _sequential(schedulers, milestones, o=None):
    def run():
        o_ = o or opt()
        made = schedulers(o_) if callable(schedulers) else schedulers
        optim.SequentialLR(o_, made, milestones)

    return run


def three(o):
    return [optim.StepLR(o, 2) for _ in range(3)]


for label, schedulers, milestones, exc, where in [
    ("schedulers an int", 3, [], Y, "schedulers"),
    ("schedulers None", None, [], Y, "schedulers"),
    ("schedulers empty", [], [], V, "schedulers"),
    ("schedulers of ints", [3], [], Y, "schedulers[0]"),
    ("another optimizer's", lambda o: [optim.StepLR(opt(), 2)], [], V, "schedulers[0]"),
    ("milestones an int", three, 3, Y, "milestones"),
    ("milestones a string", three, "12", Y, "milestones"),
    ("one milestone for three", three, [2], V, "milestones"),
    ("milestones not increasing", three, [5, 2], V, "milestones"),
    ("milestone negative", three, [-1, 2], V, "milestones[0]"),
    ("milestone a float", three, [1.5, 2], Y, "milestones[0]"),
]:
    refuse(f"SequentialLR({label})", _sequential(schedulers, milestones), exc,
           f"SequentialLR: {where}")  # fmt: skip
refuse("SequentialLR.load_state_dict(3)",
       lambda: optim.SequentialLR(o := opt(), three(o), [2, 4]).load_state_dict(3), Y,
       "SequentialLR.load_state_dict: state_dict")  # fmt: skip
refuse("SequentialLR.load_state_dict(no _schedulers)",
       lambda: optim.SequentialLR(o := opt(), three(o), [2, 4]).load_state_dict({}), V,
       "SequentialLR.load_state_dict: state_dict")  # fmt: skip


def _schedule_like_torch(make, finite=True, steps=12, lr=0.1):
    """Our schedule and torch's give the same learning rates (inf where torch's is inf)."""

    def run():
        ours, theirs = opt(lr=lr), T.SGD([tt()], lr=lr, momentum=0.9)
        s_ours, s_theirs = make(optim, ours), make(T.lr_scheduler, theirs)
        for k in range(steps):
            a, b = s_ours.get_last_lr()[0], s_theirs.get_last_lr()[0]
            if finite and not math.isfinite(a):
                raise AssertionError(f"non-finite: lr {a} at step {k}, torch {b}")
            if not (a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)):
                raise AssertionError(f"wrong: lr {a} at step {k}, torch {b}")
            ours.step(), theirs.step()
            s_ours.step(), s_theirs.step()

    return run


for label, make, finite, *steps in [
    ("StepLR gamma 0", lambda m, o: m.StepLR(o, 1, gamma=0.0), True),
    ("StepLR gamma 1e300", lambda m, o: m.StepLR(o, 1, gamma=1e300), False),  # inf, as torch
    ("ExponentialLR gamma 1e-300", lambda m, o: m.ExponentialLR(o, 1e-300), True),
    ("ExponentialLR gamma 5e-324", lambda m, o: m.ExponentialLR(o, 5e-324), True),
    ("MultiStepLR repeated milestones", lambda m, o: m.MultiStepLR(o, [2, 2, 1], 0.5), True),
    ("CosineAnnealingLR T_max 1", lambda m, o: m.CosineAnnealingLR(o, 1), True),
    ("CosineAnnealingLR T_max 1e9", lambda m, o: m.CosineAnnealingLR(o, 10**9), True),
    ("CosineAnnealingLR eta_min above lr", lambda m, o: m.CosineAnnealingLR(o, 3, 1.0), True),
    ("LinearLR end 0", lambda m, o: m.LinearLR(o, 1.0, 0.0, 3), True),
    ("OneCycleLR 1 step", lambda m, o: m.OneCycleLR(o, 1.0, 1), True, 1),
    ("OneCycleLR 2 steps", lambda m, o: m.OneCycleLR(o, 1.0, 2), True, 2),
    ("OneCycleLR pct 0", lambda m, o: m.OneCycleLR(o, 1.0, 10, pct_start=0.0), True, 10),
]:
    accept(f"schedule {label}", _schedule_like_torch(make, finite, *steps))


def _linear_lr_subnormal_start():
    """torch's recursion overflows to inf at step 1 (1 / (5 * 1e-320)); the true lr is finite."""
    o = opt(lr=1.0)
    sched = optim.LinearLR(o, start_factor=1e-320, total_iters=5)
    for k in range(8):
        want = 1e-320 + (1 - 1e-320) * min(k, 5) / 5
        got = sched.get_last_lr()[0]
        if not math.isfinite(got):
            raise AssertionError(f"non-finite: lr {got} at step {k}, expected {want}")
        if not math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-320):
            raise AssertionError(f"wrong: lr {got} at step {k}, expected {want}")
        sched.step()


accept("LinearLR start_factor 1e-320", _linear_lr_subnormal_start)


# ------------------------------------------------------------------ minimisers


def F(x):
    return float(x @ x)


def G(x):
    return 2 * x


def H(x):
    return 2 * np.eye(len(x))


def prox_id(v, t):
    return v


X0 = np.array([1.0, -2.0])
MINIMISERS = {
    "gradient_descent": lambda f=F, grad=G, x0=X0, lr=0.1, steps=5, **kw: optim.gradient_descent(
        f, grad, x0, lr, steps, **kw),
    "newton": lambda f=F, grad=G, x0=X0, hess=H, **kw: optim.newton(f, grad, hess, x0, **kw),
    "nonlinear_conjugate_gradient": lambda f=F, grad=G, x0=X0, **kw:
        optim.nonlinear_conjugate_gradient(f, grad, x0, **kw),
    "lbfgs": lambda f=F, grad=G, x0=X0, **kw: optim.lbfgs(f, grad, x0, **kw),
    "proximal_gradient": lambda f=F, grad=G, x0=X0, prox=prox_id, lr=0.1, steps=5, **kw:
        optim.proximal_gradient(f, grad, prox, x0, lr, steps, **kw),
    "strong_wolfe": lambda f=F, grad=G, x0=X0, **kw: optim.strong_wolfe(f, grad, x0, -G(X0), **kw),
}  # fmt: skip

NOT_CALLABLE = [("None", None), ("an int", 3), ("a string", "f"), ("an array", np.zeros(2))]
F_RETURNS = [("None", None, Y), ("a string", "1.0", Y), ("complex", 1j, Y), ("bool", True, Y),
             ("a Tensor", Tensor(1.0), Y), ("an object", object(), Y),
             ("shape (2,)", np.ones(2), V), ("nan", NAN, V), ("inf", INF, V)]  # fmt: skip
GRAD_RETURNS = [("None", None, Y), ("a string", "g", Y), ("complex", np.ones(2, complex), Y),
                ("bool", np.ones(2, bool), Y), ("objects", [None, None], Y),
                ("a Tensor", Tensor(np.ones(2)), Y), ("shape (3,)", np.ones(3), V),
                ("shape (1, 2)", np.ones((1, 2)), V), ("ragged", [[1.0], [1.0, 2.0]], V),
                ("nan", np.array([NAN, 1.0]), V), ("inf", np.array([1.0, INF]), V)]  # fmt: skip
HESS_RETURNS = [("None", None, Y), ("a string", "h", Y), ("complex", np.eye(2) * 1j, Y),
                ("bool", np.eye(2, dtype=bool), Y), ("shape (3, 3)", np.eye(3), V),
                ("shape (2,)", np.ones(2), V), ("nan", np.full((2, 2), NAN), V)]  # fmt: skip
PROX_RETURNS = [("None", None, Y), ("a string", "p", Y), ("complex", np.ones(2, complex), Y),
                ("shape (3,)", np.ones(3), V), ("nan", np.array([NAN, 0.0]), V)]  # fmt: skip
X0_BAD = [
    ("2-D", [[1.0, 2.0]], V),
    ("empty", [], V),
    ("nan", [NAN, 1.0], V),
    ("inf", [1.0, -INF], V),
    ("strings", "ab", Y),
    ("None", None, Y),
    ("complex", [1j, 0], Y),
    ("ragged", [[1.0], [2.0, 3.0]], V),
    ("0-d", 1.0, V),
    ("objects", [object()], Y),
]

CALLABLES = {"f": F_RETURNS, "grad": GRAD_RETURNS}
for name, run in MINIMISERS.items():
    extra = {"newton": {"hess": HESS_RETURNS}, "proximal_gradient": {"prox": PROX_RETURNS}}
    for arg, returns in {**CALLABLES, **extra.get(name, {})}.items():
        for label, value in NOT_CALLABLE:
            refuse(f"{name}({arg} {label})", lambda r=run, a=arg, v=value: r(**{a: v}), Y,
                   f"{name}: {arg}")  # fmt: skip
        for label, out, exc in returns:
            fake = (lambda v, t, out=out: out) if arg == "prox" else (lambda x, out=out: out)
            refuse(f"{name}({arg} returns {label})", lambda r=run, a=arg, g=fake: r(**{a: g}), exc,
                   f"{name}: {arg}")  # fmt: skip
    x_arg = "x" if name == "strong_wolfe" else "x0"
    for label, value, exc in X0_BAD:
        refuse(f"{name}({x_arg} {label})", lambda r=run, v=value: r(x0=v), exc, f"{name}: {x_arg}")

NUMERIC = {
    "gradient_descent": {"lr": POSITIVE_BAD, "steps": INT0_BAD, "momentum": UNIT_OPEN_BAD,
                         "nesterov": BOOL_BAD, "tol": NONNEG_BAD},
    "newton": {"steps": INT0_BAD, "tol": NONNEG_BAD, "backtracking": BOOL_BAD},
    "nonlinear_conjugate_gradient": {"steps": INT0_BAD, "tol": NONNEG_BAD, "method": CHOICE_BAD,
                                     "restart": [b for b in INT1_BAD if b[0] != "None"]},
    "lbfgs": {"steps": INT0_BAD, "tol": NONNEG_BAD, "history": INT1_BAD},
    "proximal_gradient": {"lr": POSITIVE_BAD, "steps": INT0_BAD, "tol": NONNEG_BAD},
    "strong_wolfe": {"f0": [b for b in REAL_BAD if b[0] != "None"],
                     "alpha0": POSITIVE_BAD, "max_iter": INT1_BAD,
                     "c1": [*POSITIVE_BAD, ("one", 1.0, V)],
                     "c2": [*POSITIVE_BAD, ("one", 1.0, V)]},
}  # fmt: skip
for name, spec in NUMERIC.items():
    for arg, bads in spec.items():
        for label, value, exc in bads:
            refuse(f"{name}({arg}={label})", lambda r=MINIMISERS[name], a=arg, v=value: r(**{a: v}),
                   exc, f"{name}: {arg}")  # fmt: skip
refuse(
    "gradient_descent(nesterov without momentum)",
    lambda: MINIMISERS["gradient_descent"](nesterov=True),
    V,
    "gradient_descent: nesterov",
)
refuse(
    "gradient_descent(f(x0) overflows: x0 = 1e300, f = x.x)",
    lambda: MINIMISERS["gradient_descent"](x0=[1e300]),
    V,
    "gradient_descent: f(x0)",
)
sw = MINIMISERS["strong_wolfe"]
for label, kw, exc, where in [
    ("c2 below c1", dict(c1=0.5, c2=0.4), V, "c2"),
    ("g0 shape (3,)", dict(g0=np.ones(3)), V, "g0"),
    ("g0 nan", dict(g0=[NAN, 1.0]), V, "g0"),
    ("g0 strings", dict(g0="ab"), Y, "g0"),
]:
    refuse(f"strong_wolfe({label})", lambda kw=kw: sw(**kw), exc, f"strong_wolfe: {where}")
for label, d, exc in [("ascent", [1.0, -1.0], V), ("shape (3,)", [1.0, 1.0, 1.0], V),
                      ("nan", [NAN, 1.0], V), ("strings", "ab", Y)]:  # fmt: skip
    refuse(f"strong_wolfe(d {label})", lambda d=d: optim.strong_wolfe(F, G, X0, d), exc,
           "strong_wolfe: d")  # fmt: skip
refuse("strong_wolfe(f(x) nan)", lambda: optim.strong_wolfe(lambda x: NAN, G, X0, -G(X0)), V,
       "strong_wolfe: f(x)")  # fmt: skip

A2 = np.array([[2.0, 0.5], [0.5, 1.0]])
cg = optim.conjugate_gradient
for label, A, b, kw, exc, where in [
    ("A 1-D", [1.0, 2.0], [1.0, 2.0], {}, V, "A"),
    ("A not square", np.ones((2, 3)), [1.0, 2.0], {}, V, "A"),
    ("A empty", np.zeros((0, 0)), [], {}, V, "A"),
    ("A nan", [[NAN, 0], [0, 1]], [1.0, 2.0], {}, V, "A"),
    ("A strings", "ab", [1.0, 2.0], {}, Y, "A"),
    ("A None", None, [1.0, 2.0], {}, Y, "A"),
    ("A complex", A2 * 1j, [1.0, 2.0], {}, Y, "A"),
    ("A not symmetric", [[1.0, 2.0], [0.0, 1.0]], [1.0, 2.0], {}, V, "A"),
    ("A indefinite", [[1.0, 0.0], [0.0, -1.0]], [1.0, 2.0], {}, V, "A"),
    ("A zero", np.zeros((2, 2)), [1.0, 2.0], {}, V, "A"),
    ("b shape (3,)", A2, [1.0, 2.0, 3.0], {}, V, "b"),
    ("b inf", A2, [INF, 2.0], {}, V, "b"),
    ("b strings", A2, "ab", {}, Y, "b"),
    ("x0 shape (3,)", A2, [1.0, 2.0], dict(x0=np.ones(3)), V, "x0"),
    ("x0 nan", A2, [1.0, 2.0], dict(x0=[NAN, 0.0]), V, "x0"),
    *[(f"steps={lab}", A2, [1.0, 2.0], dict(steps=v), e, "steps") for lab, v, e in INT0_BAD
      if lab != "None"],
    *[(f"tol={lab}", A2, [1.0, 2.0], dict(tol=v), e, "tol") for lab, v, e in NONNEG_BAD],
]:  # fmt: skip
    refuse(f"conjugate_gradient({label})", lambda A=A, b=b, kw=kw: cg(A, b, **kw), exc,
           f"conjugate_gradient: {where}")  # fmt: skip

for label, x, thr, exc, where in [
    ("x a string", "ab", 1.0, Y, "x"),
    ("x None", None, 1.0, Y, "x"),
    ("x complex", [1j], 1.0, Y, "x"),
    ("x objects", [object()], 1.0, Y, "x"),
    ("x ragged", [[1.0], [1.0, 2.0]], 1.0, V, "x"),
    *[(f"threshold={lab}", [1.0], v, e, "threshold") for lab, v, e in NONNEG_BAD],
]:
    refuse(f"soft_threshold({label})", lambda x=x, thr=thr: optim.soft_threshold(x, thr), exc,
           f"soft_threshold: {where}")  # fmt: skip

hbr = optim.heavy_ball_rate
for label, lr, m, lams, exc, where in [
    ("lr a string", "a", 0.5, [1.0], Y, "lr"),
    ("lr None", None, 0.5, [1.0], Y, "lr"),
    ("lr complex", 1j, 0.5, [1.0], Y, "lr"),
    ("lr nan", NAN, 0.5, [1.0], V, "lr"),
    ("lr inf", INF, 0.5, [1.0], V, "lr"),
    ("momentum negative", 0.1, -0.5, [1.0], V, "momentum"),
    ("momentum nan", 0.1, [0.5, NAN], [1.0], V, "momentum"),
    ("momentum a string", 0.1, "a", [1.0], Y, "momentum"),
    ("eigenvalues a number", 0.1, 0.5, 3.0, V, "eigenvalues"),
    ("eigenvalues empty", 0.1, 0.5, [], V, "eigenvalues"),
    ("eigenvalues nan", 0.1, 0.5, [NAN], V, "eigenvalues"),
    ("eigenvalues strings", 0.1, 0.5, ["a"], Y, "eigenvalues"),
    ("eigenvalues None", 0.1, 0.5, None, Y, "eigenvalues"),
    ("eigenvalues 2-D", 0.1, 0.5, [[1.0]], V, "eigenvalues"),
    ("lr and momentum do not broadcast", np.ones(2), np.ones(3) / 2, [1.0], V, "lr"),
]:
    refuse(f"heavy_ball_rate({label})", lambda a=lr, b=m, e=lams: hbr(a, b, e), exc,
           f"heavy_ball_rate: {where}")  # fmt: skip


def _finite_or_diverged(run, expect=None):
    """A reported divergence, or finite trajectory and losses (and ``expect(res)``)."""

    def check():
        res = run()
        if not (np.all(np.isfinite(res.trajectory)) and np.all(np.isfinite(res.losses))):
            raise AssertionError(f"non-finite: trajectory {res.trajectory[-1]}, {res.message}")
        if res.diverged_at is None and expect is not None:
            expect(res)

    return check


def _near(target, rtol=1e-8, atol=None):
    def expect(res):
        scale = np.max(np.abs(target), initial=0.0)
        if not np.allclose(res.x, target, rtol=rtol, atol=rtol * scale if atol is None else atol):
            raise AssertionError(f"wrong: x = {res.x}, expected {target} ({res.message})")

    return expect


def big_f(x):  # ~ 1e308 |x| far out, with gradients of size ~1e308
    return float(np.sum(1e308 * (np.sqrt(1 + x * x) - 1)))


def big_g(x):
    return 1e308 * (x / np.sqrt(1 + x * x))


def big_h(x):
    return np.diag(1e308 * (1 / (1 + x * x) ** 1.5))


def abs_f(x):
    return float(np.sum(np.abs(x)))


def abs_g(x):
    return np.sign(x)


def scaled(s):
    """A quadratic of scale ``s``: ``s (x.x)``, with its gradient and Hessian."""
    return (lambda x: float(s * (x @ x)), lambda x: 2 * s * x, lambda x: 2 * s * np.eye(len(x)))


for label, run, expect in [
    ("gd x0 1e300, f = |x|", lambda: optim.gradient_descent(abs_f, abs_g, [1e300], 0.1, 5), None),
    ("gd gradients 1e308", lambda: optim.gradient_descent(big_f, big_g, X0, 1.0, 5), None),
    ("gd lr 1e-320", lambda: optim.gradient_descent(F, G, X0, 1e-320, 3), _near(X0)),
    ("gd lr 5e-324, momentum", lambda: optim.gradient_descent(F, G, X0, 5e-324, 3, 0.9), _near(X0)),
    ("gd x0 subnormal", lambda: optim.gradient_descent(F, G, [1e-320, 0.0], 0.1, 3), None),
    ("gd x0 2-D large-norm gradient", lambda: optim.gradient_descent(
        lambda x: 1e300 * abs_f(x), lambda x: 1e300 * abs_g(x), [1.0, -1.0], 1e-300, 3), None),
    # f = 1e308 (sqrt(1 + x^2) - 1) rounds to 0 for |x| < 1e-8: no decrease is measurable there
    ("newton gradients 1e308", lambda: optim.newton(big_f, big_g, big_h, X0),
     _near(0 * X0, atol=1e-7)),
    ("newton scale 1e200", lambda: optim.newton(*scaled(1e200)[:2], scaled(1e200)[2], X0),
     _near(0 * X0)),
    ("newton scale 1e-200", lambda: optim.newton(*scaled(1e-200)[:2], scaled(1e-200)[2], X0,
                                                 tol=0.0, steps=3), _near(0 * X0)),
    ("ncg gradients 1e308", lambda: optim.nonlinear_conjugate_gradient(big_f, big_g, X0), None),
    ("ncg scale 1e200", lambda: optim.nonlinear_conjugate_gradient(*scaled(1e200)[:2], X0), None),
    ("ncg tol 0, underflowing gradient", lambda: optim.nonlinear_conjugate_gradient(
        *scaled(1.0)[:2], [1e-170, 1e-170], tol=0.0, steps=20), None),
    ("lbfgs gradients 1e308", lambda: optim.lbfgs(big_f, big_g, X0), None),
    ("lbfgs gradients summing past 1e308",
     lambda: optim.lbfgs(big_f, big_g, [1.0, -1.0, 1.0]), None),
    ("lbfgs scale 1e200", lambda: optim.lbfgs(*scaled(1e200)[:2], X0), None),
    ("lbfgs tol 0, underflowing gradient",
     lambda: optim.lbfgs(*scaled(1.0)[:2], [1e-170, 1e-170], tol=0.0, steps=20), None),
    ("proximal lr 1e-320", lambda: optim.proximal_gradient(F, G, prox_id, X0, 1e-320, 3), None),
    ("proximal gradients 1e308",
     lambda: optim.proximal_gradient(big_f, big_g, prox_id, X0, 1.0, 3), None),
    ("strong_wolfe d 1e307", lambda: _as_result(optim.strong_wolfe(F, G, X0, -1e307 * X0)), None),
    ("cg b 1e150", lambda: cg(np.eye(2), [1e150, 2e150]), _near([1e150, 2e150], 1e-12)),
    ("cg A 1e300", lambda: cg(1e300 * A2, [1e300, 2e300]), _near(np.linalg.solve(A2, [1, 2]))),
    ("cg A 1e-300", lambda: cg(1e-300 * A2, [1e-300, 2e-300]), _near(np.linalg.solve(A2, [1, 2]))),
    ("cg b tiny", lambda: cg(A2, [1e-310, 0.0]), _near(np.linalg.solve(A2, [1.0, 0.0]) * 1e-310,
                                                      1e-6)),
    ("cg b 0", lambda: cg(A2, [0.0, 0.0]), _near([0.0, 0.0])),
]:  # fmt: skip
    accept(f"extreme {label}", _finite_or_diverged(run, expect))


class _Res:
    def __init__(self, alpha, f, g):
        self.trajectory, self.losses = np.array([[alpha]]), np.array([f])
        self.diverged_at, self.x = None, np.array([alpha])
        self.message = f"alpha {alpha}"


def _as_result(out):
    alpha, f_new, g_new, _ = out
    return _Res(alpha, f_new, g_new)


def _heavy_ball_large(lr, momentum, lam, want):
    def run():
        got = float(optim.heavy_ball_rate(lr, momentum, [lam]))
        if not math.isfinite(got):
            raise AssertionError(f"non-finite: {got}, expected {want}")
        if not math.isclose(got, want, rel_tol=1e-12):
            raise AssertionError(f"wrong: {got}, expected {want}")

    return run


for label, lr, m, lam, want in [
    ("lr 1e200", 1e200, 0.0, 10.0, 1e201),
    ("lr 1e300, momentum 0.5", 1e300, 0.5, 1.0, 1e300),
    ("momentum 1e300", 0.0, 1e300, 1.0, 1e300),
    ("lr 1e-320", 1e-320, 0.0, 1.0, 1.0),
]:
    accept(f"heavy_ball_rate({label})", _heavy_ball_large(lr, m, lam, want))


def _soft_threshold_like_torch(x, threshold):
    def run():
        a = np.asarray(x)
        got = optim.soft_threshold(a, threshold)
        ref = a.astype(np.float64) if a.dtype.kind in "iub" else a
        want = torch.nn.functional.softshrink(torch.tensor(ref), threshold)
        _same(got, want.numpy(), "soft_threshold")

    return run


EXTREMES = np.array([1e308, -1e308, 1e-320, -5e-324, INF, -INF, NAN, 0.0, -0.0, 1.5, -2.5])
for label, x, thr in [
    ("extremes, 0", EXTREMES, 0.0),
    ("extremes, 1", EXTREMES, 1.0),
    ("extremes, 1e-320", EXTREMES, 1e-320),
    ("extremes, 1e308", EXTREMES, 1e308),
    ("float32", np.array([3e38, -3e38, 1e-45, INF, NAN, 0.0, 1.5], np.float32), 1.0),
    ("ints", np.arange(-3, 4), 1.0),
    ("empty", np.zeros(0), 1.0),
    ("0-d", np.array(-3.0), 1.0),
    ("a view x[::2]", EXTREMES[::2], 1.0),
    ("a transpose", np.arange(6.0).reshape(2, 3).T, 2.0),
]:
    accept(f"soft_threshold({label})", _soft_threshold_like_torch(x, thr))


# ------------------------------------------------------------------ optimizers against torch


def _same(got, want, name, rtol=1e-12):
    """Equal NaN positions and infinities; finite values close."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"wrong: {name} shape {got.shape}, torch {want.shape}")
    bad = (np.isnan(got) != np.isnan(want)) | (np.isinf(want) & (got != want))
    finite = np.isfinite(want)
    if np.isfinite(got[finite]).all():
        with np.errstate(over="ignore", invalid="ignore"):
            bad |= finite & ~(np.abs(got - want) <= rtol * np.abs(want) + 1e-300)
    else:
        raise AssertionError(f"non-finite: {name} {got}, torch {want}")
    if bad.any():
        raise AssertionError(f"wrong: {name} {got}, torch {want}")


def _steps_like_torch(cls, kw, p0, grad, steps=3, rtol=1e-12):
    def run():
        p = Tensor(np.array(p0), requires_grad=True)
        q = torch.tensor(np.array(p0), requires_grad=True)
        ours, theirs = cls([p], **kw), TORCH[cls]([q], **kw)
        for _ in range(steps):
            p.grad = grad
            q.grad = torch.tensor(np.array(grad))
            ours.step()
            theirs.step()
        _same(p.data, q.detach().numpy(), f"{cls.__name__} parameter", rtol)

    return run


CONFIGS = [
    (optim.SGD, dict(lr=0.1)),
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    (optim.SGD, dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True)),
    (optim.Adagrad, dict(lr=0.1)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.5, weight_decay=0.1, initial_accumulator_value=0.2)),
    (optim.RMSprop, dict(lr=0.01)),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1)),
    (optim.Adam, dict(lr=0.1)),
    (optim.Adam, dict(lr=0.1, amsgrad=True, weight_decay=0.1, maximize=True)),
    (optim.AdamW, dict(lr=0.1, weight_decay=0.1)),
]
GRAD_VALUES = [1e308, -1e308, 1.5e154, 1e-320, -5e-324, INF, -INF, NAN, 0.0]
PARAMS = [("ordinary", [1.0, 2.0, 3.0]), ("extreme", [1e308, -1e308, 1e-320])]
for cls, kw in CONFIGS:
    for g in GRAD_VALUES:
        for label, p0 in PARAMS:
            grad = np.array([g, 1.0, -2.0])
            accept(f"{cls.__name__}({kw}) grad {g}, {label} parameter",
                   _steps_like_torch(cls, kw, p0, grad))  # fmt: skip
    for label, p0, grad, rtol in [
        ("float32", np.ones(3, np.float32), np.array([3e38, 1e-45, -1.0], np.float32), 1e-6),
        ("0-d", np.array(1.5), np.array(-2.0), 1e-12),
        ("empty", np.zeros(0), np.zeros(0), 1e-12),
        ("shape (2, 0)", np.zeros((2, 0)), np.zeros((2, 0)), 1e-12),
        ("grad a view g[::2]", np.ones(3), np.arange(6.0)[::2], 1e-12),
        ("grad a transpose", np.ones((3, 2)), np.arange(6.0).reshape(2, 3).T, 1e-12),
    ]:
        accept(f"{cls.__name__}({kw}) {label}", _steps_like_torch(cls, kw, p0, grad, rtol=rtol))
for cls, kw in [
    (optim.SGD, dict(lr=1e-320)),
    (optim.SGD, dict(lr=1e300)),
    (optim.Adam, dict(lr=5e-324)),
    (optim.Adam, dict(eps=0.0)),
    (optim.Adagrad, dict(eps=0.0)),
    (optim.RMSprop, dict(eps=0.0, centered=True)),
    (optim.RMSprop, dict(alpha=1.0)),
    (optim.Adam, dict(betas=(0.0, 0.0))),
]:
    for g in (1.0, 0.0, 1e308):
        accept(f"{cls.__name__}({kw}) grad {g}",
               _steps_like_torch(cls, kw, [1.0, 2.0, 3.0], np.array([g, -g, 0.5])))  # fmt: skip


# ------------------------------------------------------------------ the tests


@pytest.fixture(autouse=True)
def _runtime_warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


@pytest.mark.parametrize(("call", "exc", "prefix"), [c[1:] for c in REFUSALS],
                         ids=[c[0] for c in REFUSALS])  # fmt: skip
def test_refused_with_a_clear_message(call, exc, prefix):
    with pytest.raises(exc, match=pattern(prefix)):
        call()


@pytest.mark.parametrize("call", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted_with_the_right_answer(call):
    call()


ANY_FLOAT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    st.sampled_from([1e308, -1e308, 1.5e154, 5e-324, 0.0, -0.0]),
)


@SETTINGS
@given(
    config=st.sampled_from(CONFIGS),
    grad=st.lists(ANY_FLOAT, min_size=1, max_size=4),
    scale=st.sampled_from([1.0, 1e-300, 1e300]),
)
def test_any_floats_step_like_torch(config, grad, scale):
    cls, kw = config
    g = np.array(grad)
    _steps_like_torch(cls, kw, scale * np.linspace(-1, 1, len(g)), g)()


@SETTINGS
@given(x=st.lists(ANY_FLOAT, max_size=6), threshold=st.floats(0, 1e308))
def test_any_floats_soft_threshold_like_torch(x, threshold):
    _soft_threshold_like_torch(np.array(x, dtype=np.float64), threshold)()


@SETTINGS
@given(
    lr=st.floats(0, 1e300),
    momentum=st.floats(0, 1e300),
    lam=st.floats(-1e300, 1e300),
)
def test_heavy_ball_rate_is_finite_and_at_least_sqrt_momentum(lr, momentum, lam):
    rho = float(optim.heavy_ball_rate(lr, momentum, [lam]))
    assert math.isfinite(rho) or abs(lr * lam) > 1e307
    assert rho >= math.sqrt(momentum) * (1 - 1e-15)
