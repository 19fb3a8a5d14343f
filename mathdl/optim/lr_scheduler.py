"""Learning-rate schedules, as ``torch.optim.lr_scheduler``, with torch's recursive formulas."""

from __future__ import annotations

import copy
import itertools
import math
from bisect import bisect_right
from collections import Counter

from mathdl._validation import (
    _kind,
    check_bool,
    check_choice,
    check_int,
    check_real,
)
from mathdl.optim.optimizers import Optimizer


def _check_optimizer(optimizer, func: str) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{func}: optimizer must be a mathdl.optim.Optimizer, got {_kind(optimizer)}"
        )


def _int_list(values, func: str, arg: str, *, ordered: bool = False) -> list[int]:
    """``values`` as a list of ints >= 0 (non-decreasing if ``ordered``)."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{func}: {arg} must be a list of ints, got {_kind(values)}")
    out = [check_int(m, func, f"{arg}[{i}]", min=0) for i, m in enumerate(values)]
    if ordered and out != sorted(out):
        raise ValueError(f"{func}: {arg} must be in increasing order, got {out}")
    return out


class LRScheduler:
    """Base class of learning-rate schedules, as in ``torch.optim.lr_scheduler``.

    Construction records ``group["initial_lr"]`` (if not already there), sets
    :attr:`base_lrs` from it and takes the initial step (``last_epoch = 0``). Each
    :meth:`step` increments :attr:`last_epoch` and writes :meth:`get_lr` into every
    ``group["lr"]``. Call it after ``optimizer.step()``.
    """

    _is_initial = False

    def __init__(self, optimizer: Optimizer):
        _check_optimizer(optimizer, type(self).__name__)
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_lr(self) -> list[float]:
        """The next learning rates from the current ones (the recursive form)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch (or iteration) and set every group's ``"lr"``."""
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:  # SequentialLR restarts a schedule at a milestone through its closed form
            self.last_epoch = epoch
            closed = getattr(self, "_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._lrs()

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last :meth:`step`, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Every attribute but the optimizer."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the attributes saved by :meth:`state_dict`."""
        _check_saved(state_dict, f"{type(self).__name__}.load_state_dict")
        self.__dict__.update(copy.deepcopy(state_dict))


def _check_saved(state_dict, func: str) -> None:
    if not isinstance(state_dict, dict):
        raise TypeError(f"{func}: state_dict must be a dict, got {_kind(state_dict)}")
    if "optimizer" in state_dict:
        raise ValueError(f"{func}: state_dict must not hold an optimizer")


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Period (>= 1).
    gamma : float, default 0.1
        The factor, finite and ``>= 0`` (torch also takes a negative one, which would
        make the learning rate negative).

    Notes
    -----
    Recursive form (as computed): ``lr_t = gamma lr_{t-1}`` when ``t > 0`` and
    ``t % step_size == 0``, else ``lr_t = lr_{t-1}``. Closed form:
    ``lr_t = base_lr gamma^(t // step_size)``.

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> from mathdl.optim import SGD
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(sched.get_last_lr()[0]); sched.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = check_int(step_size, "StepLR", "step_size", min=1)
        self.gamma = check_real(gamma, "StepLR", "gamma", min=0)
        super().__init__(optimizer)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _closed_form_lr(self):
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at each milestone epoch.

    Parameters
    ----------
    optimizer : Optimizer
    milestones : list of int
        Epochs (a milestone given twice multiplies by ``gamma**2``).
    gamma : float, default 0.1
        The factor, finite and ``>= 0`` (torch also takes a negative one, which would
        make the learning rate negative).

    Notes
    -----
    Recursive form: ``lr_t = lr_{t-1} gamma^c`` with ``c`` the count of ``t`` in the
    milestones. Closed form: ``lr_t = base_lr gamma^(number of milestones <= t)``.

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> from mathdl.optim import SGD
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> lrs = []
    >>> for _ in range(4):
    ...     lrs.append(sched.get_last_lr()[0]); sched.step()
    >>> lrs
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1):
        self.milestones = Counter(_int_list(milestones, "MultiStepLR", "milestones"))
        self.gamma = check_real(gamma, "MultiStepLR", "gamma", min=0)
        super().__init__(optimizer)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._lrs()]

    def _closed_form_lr(self):
        marks = sorted(self.milestones.elements())
        return [b * self.gamma ** bisect_right(marks, self.last_epoch) for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        The factor, finite and ``>= 0``.

    Notes
    -----
    Recursive form: ``lr_t = gamma lr_{t-1}``; closed form ``lr_t = base_lr gamma^t``.

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> from mathdl.optim import SGD
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> sched.step(); sched.step()
    >>> sched.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, gamma: float):
        self.gamma = check_real(gamma, "ExponentialLR", "gamma", min=0)
        super().__init__(optimizer)

    def get_lr(self):
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _closed_form_lr(self):
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from ``base_lr`` down to ``eta_min`` over ``T_max`` epochs, and back.

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Half period (>= 1).
    eta_min : float, default 0
        The lowest learning rate, finite and ``>= 0``.

    Notes
    -----
    Closed form: ``lr_t = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2``,
    periodic with period ``2 T_max``. As torch does, the code computes it recursively,
    so that other changes of ``lr`` compose::

        lr_t = eta_min + (lr_{t-1} - eta_min) (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T))

    except where the denominator vanishes (``(t - 1 - T) % 2T == 0``), where
    ``lr_t = lr_{t-1} + (base_lr - eta_min) (1 - cos(pi / T)) / 2``.

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> from mathdl.optim import SGD
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = CosineAnnealingLR(opt, T_max=2)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 12)); sched.step()
    >>> lrs
    [1.0, 0.5, 0.0, 0.5, 1.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        self.T_max = check_int(T_max, "CosineAnnealingLR", "T_max", min=1)
        self.eta_min = check_real(eta_min, "CosineAnnealingLR", "eta_min", min=0)
        super().__init__(optimizer)

    def get_lr(self):
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if (t - 1 - T) % (2 * T) == 0:
            bump = (1 - math.cos(math.pi / T)) / 2
            return [lr + (b - lo) * bump for lr, b in zip(self._lrs(), self.base_lrs, strict=True)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - lo) + lo for lr in self._lrs()]

    def _closed_form_lr(self):
        c = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (b - self.eta_min) * c for b in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Scale the learning rate linearly from ``start_factor`` to ``end_factor`` (a warm-up).

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float, default 1/3
        In ``(0, 1]``.
    end_factor : float, default 1.0
        In ``[0, 1]``.
    total_iters : int, default 5
        Epochs of the ramp (>= 1); the factor stays ``end_factor`` after.

    Notes
    -----
    Closed form: ``lr_t = base_lr (s + (e - s) min(t, N) / N)``. Computed recursively as
    torch does: ``lr_0 = s base_lr`` and, for ``0 < t <= N``,
    ``lr_t = lr_{t-1} (1 + (e - s) / (N s + (t - 1)(e - s)))``; where that factor
    overflows (a subnormal ``s``: torch's learning rate becomes inf) the closed form is
    used.

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> from mathdl.optim import SGD
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 12)); sched.step()
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ):
        self.start_factor = check_real(
            start_factor, "LinearLR", "start_factor", min=0, max=1, min_open=True
        )
        self.end_factor = check_real(end_factor, "LinearLR", "end_factor", min=0, max=1)
        self.total_iters = check_int(total_iters, "LinearLR", "total_iters", min=1)
        super().__init__(optimizer)

    def get_lr(self):
        s, e, n, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._lrs()]
        if self._is_initial or t > n:
            return self._lrs()
        factor = 1.0 + (e - s) / (n * s + (t - 1) * (e - s))
        if not math.isfinite(factor):  # a subnormal start_factor: the closed form stays finite
            return self._closed_form_lr()
        return [lr * factor for lr in self._lrs()]

    def _closed_form_lr(self):
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return [b * (s + (e - s) * min(n, self.last_epoch) / n) for b in self.base_lrs]


def _per_group(value, name: str, optimizer: Optimizer, func: str, **bounds) -> list[float]:
    """A number, or one number per parameter group, as a list of floats within ``bounds``."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{func}: {name} has {len(value)} values, but there are {n} groups")
        return [check_real(v, func, f"{name}[{i}]", **bounds) for i, v in enumerate(value)]
    return [check_real(value, func, name, **bounds)] * n


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy: warm up to ``max_lr``, then anneal far below the start (per batch).

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float
        Peak learning rate (per group), finite and ``>= 0``.
    total_steps : int, optional
        Number of steps; or give ``epochs`` and ``steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
    pct_start : float, default 0.3
        Fraction of the steps spent increasing the learning rate, in ``[0, 1]``. A value
        that makes a phase zero steps long (``pct_start * total_steps == 1``, say) is
        refused: torch divides by zero there.
    anneal_strategy : {"cos", "linear"}, default "cos"
    cycle_momentum : bool, default True
        Cycle the momentum inversely, between ``max_momentum`` and ``base_momentum``:
        ``group["momentum"]`` (SGD, RMSprop) or ``group["betas"][0]`` (Adam, AdamW).
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
        In ``[0, 1)``.
    div_factor : float, default 25
        ``initial_lr = max_lr / div_factor``.
    final_div_factor : float, default 1e4
        ``min_lr = initial_lr / final_div_factor``.
    three_phase : bool, default False
        Go back down to ``initial_lr`` symmetrically before the final annealing.

    Notes
    -----
    The phases end at steps ``pct_start N - 1`` and ``N - 1`` (three phases:
    ``pct_start N - 1``, ``2 pct_start N - 2``, ``N - 1``). In a phase from step ``a`` to
    ``b`` going from ``u`` to ``w``, with ``pct = (t - a) / (b - a)``::

        cos:    lr_t = w + (u - w) (1 + cos(pi pct)) / 2
        linear: lr_t = u + (w - u) pct

    This is already a closed form (no recursion). Stepping past ``total_steps`` is an error.

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> from mathdl.optim import SGD
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=10)
    >>> round(sched.get_last_lr()[0], 12), opt.param_groups[0]["momentum"]
    (0.04, 0.95)
    >>> for _ in range(2):
    ...     sched.step()
    >>> round(sched.get_last_lr()[0], 12), opt.param_groups[0]["momentum"]
    (1.0, 0.85)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr,
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
    ):
        name = "OneCycleLR"
        _check_optimizer(optimizer, name)
        if total_steps is not None:
            self.total_steps = check_int(total_steps, name, "total_steps", min=1)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = check_int(epochs, name, "epochs", min=1) * check_int(
                steps_per_epoch, name, "steps_per_epoch", min=1
            )
        else:
            raise ValueError(
                f"{name}: total_steps is None; give it, or both epochs and steps_per_epoch"
            )
        pct = check_real(pct_start, name, "pct_start", min=0, max=1)
        self._anneal = check_choice(anneal_strategy, name, "anneal_strategy", ("cos", "linear"))
        self.cycle_momentum = check_bool(cycle_momentum, name, "cycle_momentum")
        div = check_real(div_factor, name, "div_factor", min=0, min_open=True)
        final = check_real(final_div_factor, name, "final_div_factor", min=0, min_open=True)
        self._phases = self._make_phases(pct, check_bool(three_phase, name, "three_phase"))
        tops = _per_group(max_lr, "max_lr", optimizer, name, min=0)
        for group, top in zip(optimizer.param_groups, tops, strict=True):
            group["initial_lr"] = top / div
            group["max_lr"] = top
            group["min_lr"] = group["initial_lr"] / final
        if self.cycle_momentum:
            self._init_momentum(optimizer, base_momentum, max_momentum)
        super().__init__(optimizer)

    def _make_phases(self, pct: float, three_phase: bool) -> list[tuple]:
        """(end_step, start_lr, end_lr, start_momentum, end_momentum) per phase.

        A phase of length zero would divide by zero (torch's ZeroDivisionError): refused.
        """
        n = self.total_steps
        phases = self._phase_table(pct, n, three_phase)
        ends = [0.0] + [p[0] for p in phases]
        if any(a == b for a, b in itertools.pairwise(ends)):
            raise ValueError(
                f"OneCycleLR: pct_start={pct} with total_steps={n} gives a phase of zero steps "
                f"(phase ends {ends[1:]}); change pct_start"
            )
        return phases

    @staticmethod
    def _phase_table(pct: float, n: int, three_phase: bool) -> list[tuple]:
        if three_phase:
            return [
                (float(pct * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct * n) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        return [
            (float(pct * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ]

    def _init_momentum(self, optimizer, base_momentum, max_momentum) -> None:
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError(
                f"OneCycleLR: cycle_momentum=True needs momentum or betas, and "
                f"{type(optimizer).__name__} has neither; use cycle_momentum=False"
            )
        self.use_beta1 = "betas" in optimizer.defaults
        unit = dict(min=0, max=1, max_open=True)
        tops = _per_group(max_momentum, "max_momentum", optimizer, "OneCycleLR", **unit)
        bases = _per_group(base_momentum, "base_momentum", optimizer, "OneCycleLR", **unit)
        for group, top, base in zip(optimizer.param_groups, tops, bases, strict=True):
            self._set_momentum(group, top)
            group["max_momentum"], group["base_momentum"] = top, base

    def _set_momentum(self, group: dict, value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal_value(self, start: float, end: float, pct: float) -> float:
        if self._anneal == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(
                f"OneCycleLR.step: tried to step {t} times; total_steps is {self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self._phases):
                if t <= end or i == len(self._phases) - 1:
                    pct = (t - start) / (end - start)
                    lrs.append(self._anneal_value(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal_value(group[m0], group[m1], pct))
                    break
                start = end
        return lrs


class SequentialLR(LRScheduler):
    r"""Run schedules one after the other, switching at the milestone epochs.

    Parameters
    ----------
    optimizer : Optimizer
    schedulers : list of LRScheduler
        All on ``optimizer``; ``len(milestones) + 1`` of them.
    milestones : list of int
        Epochs at which the next schedule starts (from its own epoch 0), ints ``>= 0`` in
        increasing order.

    Notes
    -----
    As torch does: construction resets every ``lr`` to ``initial_lr``, steps every
    schedule back by one and re-runs the first one's initial step. At a milestone the new
    schedule is restarted at its epoch 0 through its closed form (for
    :class:`CosineAnnealingLR` that is ``base_lr``).

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> from mathdl.optim import SGD
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> warm = LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = ExponentialLR(opt, gamma=0.5)
    >>> sched = SequentialLR(opt, [warm, decay], milestones=[2])
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(sched.get_last_lr()[0]); sched.step()
    >>> lrs
    [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, schedulers: list, milestones: list):
        name = "SequentialLR"
        _check_optimizer(optimizer, name)
        if isinstance(schedulers, (str, bytes, dict)) or not hasattr(schedulers, "__iter__"):
            raise TypeError(
                f"{name}: schedulers must be a list of LRScheduler, got {_kind(schedulers)}"
            )
        schedulers = list(schedulers)
        milestones = _int_list(milestones, name, "milestones", ordered=True)
        if not schedulers:
            raise ValueError(f"{name}: schedulers is empty; give at least one")
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler):
                raise TypeError(f"{name}: schedulers[{i}] must be an LRScheduler, got {_kind(s)}")
            if s.optimizer is not optimizer:
                raise ValueError(f"{name}: schedulers[{i}] belongs to a different optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{name}: milestones has {len(milestones)} values for {len(schedulers)} "
                f"schedulers; expected {len(schedulers) - 1}"
            )
        self._milestones = milestones
        self._schedulers = schedulers
        self.optimizer = optimizer
        self.last_epoch = 0
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for s in schedulers:
            s.last_epoch -= 1
        idx = bisect_right(self._milestones, 0)
        schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def step(self) -> None:
        """Advance one epoch in the schedule active now."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict:
        """Our attributes and each schedule's :meth:`~LRScheduler.state_dict`."""
        out = {
            k: copy.deepcopy(v)
            for k, v in self.__dict__.items()
            if k not in ("optimizer", "_schedulers")
        }
        out["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return out

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a :meth:`state_dict`."""
        func = "SequentialLR.load_state_dict"
        _check_saved(state_dict, func)
        inner = state_dict.get("_schedulers")
        if not isinstance(inner, list) or len(inner) != len(self._schedulers):
            raise ValueError(
                f"{func}: state_dict['_schedulers'] must be a list of {len(self._schedulers)} "
                f"state dicts, got {_kind(inner)}"
            )
        self.__dict__.update(
            {k: copy.deepcopy(v) for k, v in state_dict.items() if k != "_schedulers"}
        )
        for s, saved in zip(self._schedulers, inner, strict=True):
            s.load_state_dict(saved)
