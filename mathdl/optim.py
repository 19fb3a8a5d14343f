"""Optimization: ``torch.optim``'s optimizers and schedules, and minimisers of plain functions.

Three layers, each checked against PyTorch by the tests:

* **Optimizers over tensors** -- :class:`SGD`, :class:`Adagrad`, :class:`RMSprop`,
  :class:`Adam`, :class:`AdamW` on a list of :class:`~mathdl.autodiff.Tensor` (or of
  parameter groups). :meth:`~Optimizer.step` updates every ``p.data`` in place from
  ``p.grad`` with torch's formulas, defaults, argument names, state (``state[p]``) and
  ``state_dict`` layout; parameters whose ``.grad`` is ``None`` are skipped. One base
  class, :class:`Optimizer`, holds the groups, the state and the ``state_dict`` logic;
  each algorithm is a short ``_update``.
* **Learning-rate schedules** -- :class:`StepLR`, :class:`MultiStepLR`,
  :class:`ExponentialLR`, :class:`CosineAnnealingLR`, :class:`LinearLR`,
  :class:`OneCycleLR` and :class:`SequentialLR` set ``group["lr"]`` exactly as torch's do
  (the same recursive, "chainable" formulas, so the numbers agree to rounding).
* **Minimisers of a function of a vector** -- :func:`gradient_descent`, :func:`newton`,
  :func:`conjugate_gradient` (linear, for ``A x = b`` with ``A`` symmetric positive
  definite), :func:`nonlinear_conjugate_gradient` and :func:`lbfgs`, with the line search
  :func:`strong_wolfe`. Each returns an :class:`OptimizeResult` holding the whole
  trajectory, for plotting. Divergence is detected and reported (``diverged_at``), never
  an overflow warning or a NaN in the returned arrays.

Differences from torch, all deliberate: ``state[p]["step"]`` is a Python int (torch keeps
a 0-d float tensor; :meth:`Optimizer.load_state_dict` accepts both); there is no
``foreach``/``fused``/``capturable``/``differentiable`` and no ``last_epoch`` argument;
group hyperparameters are validated like the defaults; :class:`Adagrad` fills a group's
accumulator from that group's ``initial_accumulator_value`` (torch uses the constructor's).
"""

from __future__ import annotations

import copy
import functools
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mathdl._validation import (
    as_real,
    check_bool,
    check_callable,
    check_choice,
    check_int,
    check_real,
)
from mathdl.autodiff import Tensor
from mathdl.linalg import eigh, solve

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "OptimizeResult",
    "Optimizer",
    "RMSprop",
    "SequentialLR",
    "StepLR",
    "conjugate_gradient",
    "gradient_descent",
    "lbfgs",
    "newton",
    "nonlinear_conjugate_gradient",
    "strong_wolfe",
]

_QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore", "under": "ignore"}
_ROUNDING = 64 * np.finfo(float).eps  # relative slack of the line search's decrease tests


# ============================================================================ optimizers


def _param_list(params, func: str) -> list[Tensor]:
    """The tensors of one group's ``params``: a Tensor, or a list/tuple of leaf Tensors."""
    if isinstance(params, Tensor):
        params = [params]
    if not isinstance(params, (list, tuple)):
        raise TypeError(
            f"{func}: params must be a list of Tensors or of parameter-group dicts, "
            f"got {type(params).__name__}"
        )
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{func}: params[{i}] must be a Tensor, got {type(p).__name__}")
        if not p.is_leaf:
            raise ValueError(f"{func}: params[{i}] is not a leaf Tensor; cannot optimize it")
    return list(params)


def _state_value(key, value, param: Tensor):
    """A copy of one saved state entry: arrays (numpy, torch, mathdl) in the parameter's dtype."""
    if key == "step":
        return int(float(np.asarray(value.cpu() if hasattr(value, "cpu") else value)))
    if hasattr(value, "detach"):  # a torch tensor, possibly on a GPU
        value = value.detach().cpu().numpy()
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        return np.array(value, dtype=param.dtype)
    return copy.deepcopy(value)


class Optimizer:
    """Base class: parameter groups, per-parameter state and ``state_dict``, as in torch.

    Parameters
    ----------
    params : list of Tensor, or list of dict
        The tensors to optimize, or parameter groups ``{"params": [...], "lr": ...}``;
        a group's missing hyperparameters are filled in from ``defaults``.
    defaults : dict
        The hyperparameters of the algorithm.

    Attributes
    ----------
    param_groups : list of dict
        Each group's ``"params"`` (a list of Tensors) and hyperparameters. Schedules change
        ``group["lr"]`` here.
    state : dict
        ``state[p]`` is the dict of buffers (numpy arrays of ``p``'s shape and dtype) and the
        ``"step"`` count of parameter ``p``.
    defaults : dict

    Raises
    ------
    TypeError
        If ``params`` is a single Tensor, or holds something that is not a Tensor.
    ValueError
        If ``params`` is empty, a tensor is in two groups, or a hyperparameter is invalid.

    Notes
    -----
    Subclasses define ``_check(group)`` (validate one group's hyperparameters) and
    ``_update(p, grad, state, group)`` (update ``p.data`` in place). :meth:`step` calls
    ``_update`` for every parameter whose ``.grad`` is not ``None``.
    """

    def __init__(self, params, defaults: dict):
        name = type(self).__name__
        if isinstance(params, (Tensor, dict, np.ndarray, str)):
            raise TypeError(
                f"{name}: params must be a list of Tensors or of parameter-group dicts, "
                f"got {type(params).__name__}"
            )
        try:
            params = list(params)
        except TypeError:
            raise TypeError(
                f"{name}: params must be a list of Tensors or of parameter-group dicts, "
                f"got {type(params).__name__}"
            ) from None
        if not params:
            raise ValueError(f"{name}: params is an empty list; give at least one Tensor")
        self._check(defaults)
        self.defaults = defaults
        self.state: dict[Tensor, dict] = {}
        self.param_groups: list[dict] = []
        self._scratch: dict[Tensor, np.ndarray] = {}
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group ``{"params": [...], hyperparameter: value, ...}``, like torch.

        Missing hyperparameters are taken from :attr:`defaults`; the group is validated.
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict, got {type(param_group)}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        group = dict(param_group)
        group["params"] = _param_list(group["params"], name)
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check(group)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in group["params"]):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _check(self, group: dict) -> None:
        """Validate one group's hyperparameters (subclasses)."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to ``None`` (torch's default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad[...] = 0

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; return ``closure()`` if given."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, self._checked_grad(p), self.state.setdefault(p, {}), group)
        return loss

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        raise NotImplementedError

    def _checked_grad(self, p: Tensor) -> np.ndarray:
        grad = np.asarray(p.grad)
        if grad.shape != p.shape:
            raise ValueError(
                f"{type(self).__name__}: a parameter of shape {p.shape} has a .grad of shape "
                f"{grad.shape}"
            )
        return grad

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _grad(p: Tensor, grad: np.ndarray, group: dict) -> np.ndarray:
        """``(-grad if maximize else grad) + weight_decay * p`` (a new array when changed)."""
        if group.get("maximize"):
            grad = -grad
        wd = group.get("weight_decay", 0)
        if wd != 0:
            grad = grad + wd * p.data
        return grad

    def _buffer(self, p: Tensor) -> np.ndarray:
        """A scratch array of ``p``'s shape and dtype, reused across steps (not state)."""
        buf = self._scratch.get(p)
        if buf is None or buf.shape != p.shape or buf.dtype != p.dtype:
            buf = self._scratch[p] = np.empty_like(p.data)
        return buf

    # ------------------------------------------------------------------ state_dict

    def state_dict(self) -> dict:
        """The state as torch lays it out, with copies of every array.

        Returns
        -------
        dict
            ``{"state": {index: {name: value}}, "param_groups": [{..., "params": [index]}]}``
            where parameters are numbered in group order.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in s.items()}
            for p, s in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a :meth:`state_dict` (ours or torch's: tensors are converted and copied).

        Raises
        ------
        ValueError
            If the numbers of groups, or of parameters in a group, differ.
        """
        name = type(self).__name__
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError(
                f"{name}: loaded state dict has {len(saved)} parameter groups, "
                f"the optimizer has {len(self.param_groups)}"
            )
        for i, (ours, theirs) in enumerate(zip(self.param_groups, saved, strict=True)):
            if len(ours["params"]) != len(theirs["params"]):
                raise ValueError(
                    f"{name}: loaded parameter group {i} has {len(theirs['params'])} "
                    f"parameters, the optimizer's has {len(ours['params'])}"
                )
        id_map = {
            i: p
            for g_ours, g_saved in zip(self.param_groups, saved, strict=True)
            for i, p in zip(g_saved["params"], g_ours["params"], strict=True)
        }
        groups = []
        for ours, theirs in zip(self.param_groups, saved, strict=True):
            group = {k: copy.deepcopy(v) for k, v in theirs.items() if k != "params"}
            group["params"] = ours["params"]
            self._check(group)
            groups.append(group)
        self.state = {
            id_map[i]: {k: _state_value(k, v, id_map[i]) for k, v in s.items()}
            for i, s in state_dict["state"].items()
            if i in id_map
        }
        self.param_groups = groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join([*lines, ")"])


class SGD(Optimizer):
    r"""Stochastic gradient descent with momentum, like ``torch.optim.SGD``.

    Parameters
    ----------
    params : list of Tensor or list of dict
        Parameters, or parameter groups.
    lr : float, default 1e-3
        Learning rate :math:`\gamma \ge 0`.
    momentum : float, default 0
        Momentum factor :math:`\mu \ge 0`.
    dampening : float, default 0
        Dampening :math:`\tau` of the momentum.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0`.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).
    maximize : bool, default False
        Maximise instead of minimise.

    Notes
    -----
    With :math:`g_t = \pm\nabla f(\theta_{t-1}) + \lambda\theta_{t-1}` (minus to maximize)::

        b_1 = g_1;   b_t = mu b_{t-1} + (1 - tau) g_t             (if mu != 0)
        g_t <- g_t + mu b_t  (nesterov)   or   g_t <- b_t          (if mu != 0)
        theta_t = theta_{t-1} - lr g_t

    The buffer is ``state[p]["momentum_buffer"]``.

    Examples
    --------
    >>> w = Tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> w.grad = np.array([1.0, 1.0])
    >>> opt.step(); opt.step()
    >>> w.data
    array([ 0.71, -2.29])
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ):
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check(self, group: dict) -> None:
        name = type(self).__name__
        check_real(group["lr"], name, "lr", min=0)
        check_real(group["momentum"], name, "momentum", min=0)
        check_real(group["dampening"], name, "dampening")
        check_real(group["weight_decay"], name, "weight_decay", min=0)
        nesterov = check_bool(group["nesterov"], name, "nesterov")
        check_bool(group["maximize"], name, "maximize")
        if nesterov and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{name}: nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']} and dampening={group['dampening']}"
            )

    def _update(self, p, grad, state, group):
        g = self._grad(p, grad, group)
        mu = group["momentum"]
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g, dtype=p.dtype)
            else:
                buf *= mu
                buf += (1 - group["dampening"]) * g
            g = g + mu * buf if group["nesterov"] else buf
        p.data -= group["lr"] * g


class Adagrad(Optimizer):
    r"""Adagrad, like ``torch.optim.Adagrad``: per-coordinate steps shrink as gradients add up.

    Parameters
    ----------
    params : list of Tensor or list of dict
    lr : float, default 1e-2
    lr_decay : float, default 0
        :math:`\eta \ge 0`: the learning rate at step t is ``lr / (1 + (t - 1) lr_decay)``.
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
        Starting value :math:`s_0 \ge 0` of the sum of squares.
    eps : float, default 1e-10
    maximize : bool, default False

    Notes
    -----
    With :math:`g_t = \pm\nabla f + \lambda\theta_{t-1}`::

        clr = lr / (1 + (t - 1) lr_decay)
        s_t = s_{t-1} + g_t^2
        theta_t = theta_{t-1} - clr g_t / (sqrt(s_t) + eps)

    ``state[p]`` holds ``"step"`` and ``"sum"``, created for every parameter at construction
    (as torch does), filled with the group's ``initial_accumulator_value``.

    Examples
    --------
    >>> w = Tensor([1.0], requires_grad=True)
    >>> opt = Adagrad([w], lr=0.5)
    >>> w.grad = np.array([2.0])
    >>> opt.step()
    >>> w.data  # 1 - 0.5 * 2 / sqrt(4)
    array([0.5])
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ):
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state.setdefault(p, {}), group)

    def _check(self, group: dict) -> None:
        name = type(self).__name__
        check_real(group["lr"], name, "lr", min=0)
        check_real(group["lr_decay"], name, "lr_decay", min=0)
        check_real(group["weight_decay"], name, "weight_decay", min=0)
        check_real(group["initial_accumulator_value"], name, "initial_accumulator_value", min=0)
        check_real(group["eps"], name, "eps", min=0)
        check_bool(group["maximize"], name, "maximize")

    @staticmethod
    def _init_state(p, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p.data, group["initial_accumulator_value"])

    def _update(self, p, grad, state, group):
        self._init_state(p, state, group)
        state["step"] += 1
        g = self._grad(p, grad, group)
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s, tmp = state["sum"], self._buffer(p)
        np.multiply(g, g, out=tmp)
        s += tmp  # s_t = s_{t-1} + g^2
        np.sqrt(s, out=tmp)
        tmp += group["eps"]
        np.divide(g, tmp, out=tmp)
        tmp *= clr
        p.data -= tmp


class RMSprop(Optimizer):
    r"""RMSprop, like ``torch.optim.RMSprop``: steps divided by a running RMS of gradients.

    Parameters
    ----------
    params : list of Tensor or list of dict
    lr : float, default 1e-2
    alpha : float, default 0.99
        Smoothing constant :math:`\alpha \ge 0` of the average of squares.
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
        Divide by an estimate of the standard deviation (subtract the squared mean).
    maximize : bool, default False

    Notes
    -----
    With :math:`g_t = \pm\nabla f + \lambda\theta_{t-1}`::

        v_t = alpha v_{t-1} + (1 - alpha) g_t^2
        a_t = sqrt(v_t) + eps                              (not centered)
        m_t = alpha m_{t-1} + (1 - alpha) g_t,  a_t = sqrt(v_t - m_t^2) + eps   (centered)
        b_t = mu b_{t-1} + g_t / a_t,  theta_t = theta_{t-1} - lr b_t      (momentum mu > 0)
        theta_t = theta_{t-1} - lr g_t / a_t                               (otherwise)

    ``state[p]``: ``"step"``, ``"square_avg"`` (v), ``"grad_avg"`` (m, centered),
    ``"momentum_buffer"`` (b). ``v_t - m_t^2 >= 0`` in exact arithmetic; a rounding
    negative is clipped to 0 (where torch would give NaN).

    Examples
    --------
    >>> w = Tensor([1.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.75, eps=0.0)
    >>> w.grad = np.array([3.0])
    >>> opt.step()
    >>> w.data  # 1 - 0.01 * 3 / sqrt(0.25 * 9)
    array([0.98])
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ):
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check(self, group: dict) -> None:
        name = type(self).__name__
        check_real(group["lr"], name, "lr", min=0)
        check_real(group["eps"], name, "eps", min=0)
        check_real(group["momentum"], name, "momentum", min=0)
        check_real(group["weight_decay"], name, "weight_decay", min=0)
        check_real(group["alpha"], name, "alpha", min=0)
        check_bool(group["centered"], name, "centered")
        check_bool(group["maximize"], name, "maximize")

    def _update(self, p, grad, state, group):
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(p.data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p.data)
        state["step"] += 1
        g, alpha = self._grad(p, grad, group), group["alpha"]
        v, tmp = state["square_avg"], self._buffer(p)
        v *= alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1 - alpha
        v += tmp  # v_t = alpha v + (1 - alpha) g^2
        if group["centered"]:
            m = state["grad_avg"]
            m += (1 - alpha) * (g - m)  # m_t = alpha m + (1 - alpha) g
            np.multiply(m, m, out=tmp)
            np.subtract(v, tmp, out=tmp)
            np.maximum(tmp, 0, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(v, out=tmp)
        tmp += group["eps"]
        np.divide(g, tmp, out=tmp)  # g / a
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += tmp
            tmp = buf
        p.data -= group["lr"] * tmp


class Adam(Optimizer):
    r"""Adam, like ``torch.optim.Adam``: bias-corrected first and second moment estimates.

    Parameters
    ----------
    params : list of Tensor or list of dict
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)` of the moment averages.
    eps : float, default 1e-8
        Added to the denominator *after* the square root and bias correction.
    weight_decay : float, default 0
        L2 penalty added to the gradient (coupled; see :class:`AdamW` for decoupled).
    amsgrad : bool, default False
        Divide by the running maximum of the second moment.
    maximize : bool, default False

    Notes
    -----
    With :math:`g_t = \pm\nabla f + \lambda\theta_{t-1}`::

        m_t = beta1 m_{t-1} + (1 - beta1) g_t
        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
        vmax_t = max(vmax_{t-1}, v_t)                              (amsgrad; then v_t <- vmax_t)
        theta_t = theta_{t-1} - lr / (1 - beta1^t) * m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)

    ``state[p]``: ``"step"``, ``"exp_avg"`` (m), ``"exp_avg_sq"`` (v), ``"max_exp_avg_sq"``.
    The update is done in place through one scratch array per parameter, without
    other temporaries (unless ``maximize`` or ``weight_decay`` need a new gradient).

    Examples
    --------
    >>> w = Tensor([1.0, 1.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = np.array([5.0, -0.01])
    >>> opt.step()
    >>> np.round(w.data, 6)  # the first step has size lr in every coordinate
    array([0.9, 1.1])
    """

    _decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check(self, group: dict) -> None:
        name = type(self).__name__
        check_real(group["lr"], name, "lr", min=0)
        check_real(group["eps"], name, "eps", min=0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            check_real(beta, name, f"betas[{i}]", min=0, max=1, max_open=True)
        check_real(group["weight_decay"], name, "weight_decay", min=0)
        check_bool(group["amsgrad"], name, "amsgrad")
        check_bool(group["maximize"], name, "maximize")

    def _update(self, p, grad, state, group):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t, (beta1, beta2), lr = state["step"], group["betas"], group["lr"]
        if self._decoupled and group["weight_decay"] != 0:
            p.data *= 1 - lr * group["weight_decay"]
            g = -grad if group["maximize"] else grad
        else:
            g = self._grad(p, grad, group)
        m, v, tmp = state["exp_avg"], state["exp_avg_sq"], self._buffer(p)
        np.subtract(g, m, out=tmp)
        tmp *= 1 - beta1
        m += tmp  # m_t = m + (1 - beta1)(g - m)
        v *= beta2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - beta2
        v += tmp  # v_t = beta2 v + (1 - beta2) g^2
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        np.sqrt(v, out=tmp)
        tmp *= 1 / (1 - beta2**t) ** 0.5
        tmp += group["eps"]  # denominator sqrt(v / (1 - beta2^t)) + eps
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1 - beta1**t)
        p.data -= tmp


class AdamW(Adam):
    r"""AdamW, like ``torch.optim.AdamW``: Adam with decoupled weight decay.

    Parameters
    ----------
    params : list of Tensor or list of dict
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 1e-2
        Decoupled decay :math:`\lambda`: the parameters shrink by ``1 - lr weight_decay``.
    amsgrad : bool, default False
    maximize : bool, default False

    Notes
    -----
    First ``theta <- theta (1 - lr lambda)``, then the :class:`Adam` update with
    :math:`g_t = \pm\nabla f(\theta_{t-1})` (no decay term in the moments).

    Examples
    --------
    >>> w = Tensor([1.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = np.array([0.0])
    >>> opt.step()
    >>> w.data  # only the decay acts: 1 - 0.1 * 0.5
    array([0.95])
    """

    _decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


# ============================================================================ schedules


def _check_optimizer(optimizer, func: str) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{func}: optimizer must be a mathdl.optim.Optimizer, got {type(optimizer).__name__}"
        )


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
        self.__dict__.update(copy.deepcopy(state_dict))


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Period (>= 1).
    gamma : float, default 0.1

    Notes
    -----
    Recursive form (as computed): ``lr_t = gamma lr_{t-1}`` when ``t > 0`` and
    ``t % step_size == 0``, else ``lr_t = lr_{t-1}``. Closed form:
    ``lr_t = base_lr gamma^(t // step_size)``.

    Examples
    --------
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
        self.gamma = check_real(gamma, "StepLR", "gamma")
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

    Notes
    -----
    Recursive form: ``lr_t = lr_{t-1} gamma^c`` with ``c`` the count of ``t`` in the
    milestones. Closed form: ``lr_t = base_lr gamma^(number of milestones <= t)``.

    Examples
    --------
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> lrs = []
    >>> for _ in range(4):
    ...     lrs.append(sched.get_last_lr()[0]); sched.step()
    >>> lrs
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1):
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(f"MultiStepLR: milestones must be a list of ints, got {milestones!r}")
        self.milestones = Counter(
            check_int(m, "MultiStepLR", f"milestones[{i}]", min=0) for i, m in enumerate(milestones)
        )
        self.gamma = check_real(gamma, "MultiStepLR", "gamma")
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

    Notes
    -----
    Recursive form: ``lr_t = gamma lr_{t-1}``; closed form ``lr_t = base_lr gamma^t``.

    Examples
    --------
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> sched.step(); sched.step()
    >>> sched.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, gamma: float):
        self.gamma = check_real(gamma, "ExponentialLR", "gamma")
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
        self.eta_min = check_real(eta_min, "CosineAnnealingLR", "eta_min")
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
    ``lr_t = lr_{t-1} (1 + (e - s) / (N s + (t - 1)(e - s)))``.

    Examples
    --------
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
        return [lr * (1.0 + (e - s) / (n * s + (t - 1) * (e - s))) for lr in self._lrs()]

    def _closed_form_lr(self):
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return [b * (s + (e - s) * min(n, self.last_epoch) / n) for b in self.base_lrs]


def _per_group(value, name: str, optimizer: Optimizer, func: str) -> list[float]:
    """A number, or one number per parameter group, as a list of floats."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{func}: {name} has {len(value)} values, but there are {n} groups")
        return [check_real(v, func, f"{name}[{i}]") for i, v in enumerate(value)]
    return [check_real(value, func, name)] * n


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy: warm up to ``max_lr``, then anneal far below the start (per batch).

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float
        Peak learning rate (per group).
    total_steps : int, optional
        Number of steps; or give ``epochs`` and ``steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
    pct_start : float, default 0.3
        Fraction of the steps spent increasing the learning rate.
    anneal_strategy : {"cos", "linear"}, default "cos"
    cycle_momentum : bool, default True
        Cycle the momentum inversely, between ``max_momentum`` and ``base_momentum``:
        ``group["momentum"]`` (SGD, RMSprop) or ``group["betas"][0]`` (Adam, AdamW).
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
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
            raise ValueError(f"{name}: give total_steps, or both epochs and steps_per_epoch")
        pct = check_real(pct_start, name, "pct_start", min=0, max=1)
        self._anneal = check_choice(anneal_strategy, name, "anneal_strategy", ("cos", "linear"))
        self.cycle_momentum = check_bool(cycle_momentum, name, "cycle_momentum")
        div = check_real(div_factor, name, "div_factor", min=0, min_open=True)
        final = check_real(final_div_factor, name, "final_div_factor", min=0, min_open=True)
        self._phases = self._make_phases(pct, check_bool(three_phase, name, "three_phase"))
        for group, top in zip(
            optimizer.param_groups, _per_group(max_lr, "max_lr", optimizer, name), strict=True
        ):
            group["initial_lr"] = top / div
            group["max_lr"] = top
            group["min_lr"] = group["initial_lr"] / final
        if self.cycle_momentum:
            self._init_momentum(optimizer, base_momentum, max_momentum)
        super().__init__(optimizer)

    def _make_phases(self, pct: float, three_phase: bool) -> list[tuple]:
        """(end_step, start_lr, end_lr, start_momentum, end_momentum) per phase."""
        n = self.total_steps
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
                f"OneCycleLR: {type(optimizer).__name__} has no momentum or betas; "
                "use cycle_momentum=False"
            )
        self.use_beta1 = "betas" in optimizer.defaults
        tops = _per_group(max_momentum, "max_momentum", optimizer, "OneCycleLR")
        bases = _per_group(base_momentum, "base_momentum", optimizer, "OneCycleLR")
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
                f"OneCycleLR: tried to step {t} times; total_steps is {self.total_steps}"
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
        Epochs at which the next schedule starts (from its own epoch 0).

    Notes
    -----
    As torch does: construction resets every ``lr`` to ``initial_lr``, steps every
    schedule back by one and re-runs the first one's initial step. At a milestone the new
    schedule is restarted at its epoch 0 through its closed form (for
    :class:`CosineAnnealingLR` that is ``base_lr``).

    Examples
    --------
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
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers:
            raise ValueError(f"{name}: schedulers is empty; give at least one")
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler):
                raise TypeError(f"{name}: schedulers[{i}] must be an LRScheduler, got {type(s)}")
            if s.optimizer is not optimizer:
                raise ValueError(f"{name}: schedulers[{i}] belongs to a different optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{name}: expected {len(schedulers) - 1} milestones for {len(schedulers)} "
                f"schedulers, got {len(milestones)}"
            )
        self._milestones = [
            check_int(m, name, f"milestones[{i}]", min=0) for i, m in enumerate(milestones)
        ]
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
        inner = state_dict["_schedulers"]
        self.__dict__.update(
            {k: copy.deepcopy(v) for k, v in state_dict.items() if k != "_schedulers"}
        )
        for s, saved in zip(self._schedulers, inner, strict=True):
            s.load_state_dict(saved)


# ============================================================================ minimisers


@dataclass(frozen=True)
class OptimizeResult:
    """What a minimiser returns: the path, the losses and how it ended.

    Attributes
    ----------
    x : ndarray, shape (dim,)
        The last iterate (the last finite one when the run diverged).
    trajectory : ndarray, shape (steps_taken + 1, dim)
        ``x_0, x_1, ...``; every row finite.
    losses : ndarray, shape (steps_taken + 1,)
        ``f`` at each row of ``trajectory``.
    grad_evals : int
        Calls of the gradient (matrix-vector products for linear CG).
    converged : bool
        Whether the stopping tolerance was met.
    diverged_at : int or None
        The step whose iterate was refused (too large or non-finite loss), else None.
    message : str
        How the run ended, e.g. ``"diverged at step 7: |x| > 1e6"``.
    """

    x: np.ndarray
    trajectory: np.ndarray
    losses: np.ndarray
    grad_evals: int
    converged: bool
    diverged_at: int | None
    message: str

    @property
    def steps(self) -> int:
        """The number of steps taken, ``len(trajectory) - 1``."""
        return len(self.trajectory) - 1


class _Evaluator:
    """Call ``f`` and ``grad`` quietly (no floating-point warnings), checking what they return."""

    def __init__(self, f, grad, func: str):
        self.func = func
        self.f = check_callable(f, func, "f")
        self.grad = check_callable(grad, func, "grad")
        self.grad_evals = 0

    def value(self, x: np.ndarray) -> float:
        with np.errstate(**_QUIET):
            out = np.asarray(self.f(x.copy()), dtype=float)
        if out.size != 1:
            raise ValueError(f"{self.func}: f must return a scalar, got shape {out.shape}")
        return float(out.reshape(()))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        self.grad_evals += 1
        with np.errstate(**_QUIET):
            g = np.asarray(self.grad(x.copy()), dtype=float)
        if g.shape != x.shape:
            raise ValueError(
                f"{self.func}: grad must return an array of shape {x.shape}, got {g.shape}"
            )
        return g


class _Trace(_Evaluator):
    """An evaluator that also records the path and detects divergence."""

    X_MAX, LOSS_FACTOR = 1e6, 1e12

    def __init__(self, f, grad, x0, func: str):
        super().__init__(f, grad, func)
        x0 = as_real(x0, func, "x0", ndim=1, finite=True)
        if x0.size == 0:
            raise ValueError(f"{func}: x0 must not be empty")
        f0 = self.value(x0)
        if not np.isfinite(f0):
            raise ValueError(f"{func}: f(x0) must be finite, got {f0}")
        self.xs, self.losses, self.f0 = [x0], [f0], f0

    def problem(self, x: np.ndarray, fx: float, g: np.ndarray | None = None) -> str | None:
        """Why ``x`` (with loss ``fx``) is refused, or None."""
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > self.X_MAX:
            return "|x| > 1e6"
        if not np.isfinite(fx):
            return "loss is not finite"
        if abs(fx) > self.LOSS_FACTOR * max(abs(self.f0), 1.0):
            return "|loss| > 1e12 x max(|initial loss|, 1)"
        if g is not None and not np.all(np.isfinite(g)):
            return "gradient is not finite"
        return None

    def accept(self, x: np.ndarray, fx: float, g: np.ndarray | None = None) -> str | None:
        """Store ``x`` and return None, or return the divergence message without storing."""
        why = self.problem(x, fx, g)
        if why is not None:
            return f"diverged at step {len(self.xs)}: {why}"
        self.xs.append(np.array(x))
        self.losses.append(fx)
        return None

    def result(self, converged: bool, message: str) -> OptimizeResult:
        diverged = message.startswith("diverged")
        return OptimizeResult(
            x=self.xs[-1].copy(),
            trajectory=np.array(self.xs),  # (steps_taken + 1, dim)
            losses=np.array(self.losses),
            grad_evals=self.grad_evals,
            converged=bool(converged and not diverged),
            diverged_at=len(self.xs) if diverged else None,
            message=message,
        )


def _quiet(func):
    """Run a minimiser with floating-point warnings off: it checks every stored value itself."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(**_QUIET):
            return func(*args, **kwargs)

    return wrapper


def _norm(v: np.ndarray) -> float:
    return float(np.sqrt(v @ v))


@_quiet
def gradient_descent(
    f: Callable,
    grad: Callable,
    x0,
    lr: float,
    steps: int,
    momentum: float = 0.0,
    nesterov: bool = False,
    *,
    tol: float = 1e-10,
) -> OptimizeResult:
    r"""Gradient descent with optional (Nesterov) momentum, as :class:`SGD` computes it.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for ``x`` of shape ``(dim,)``.
    grad : callable
        ``grad(x) -> ndarray`` of shape ``(dim,)``.
    x0 : array_like, shape (dim,)
        Finite starting point.
    lr : float
        Step size, > 0.
    steps : int
        Maximum number of steps, >= 0.
    momentum : float, default 0
        In ``[0, 1)``.
    nesterov : bool, default False
        Nesterov's variant (needs ``momentum > 0``).
    tol : float, default 1e-10
        Stop (converged) when ``||grad(x)||_2 <= tol``; ``tol=0`` runs every step.

    Returns
    -------
    OptimizeResult

    Notes
    -----
    With ``g_k = grad(x_k)`` and ``v_0 = 0``::

        v_{k+1} = momentum v_k + g_k
        x_{k+1} = x_k - lr (g_k + momentum v_{k+1})    (nesterov)
        x_{k+1} = x_k - lr v_{k+1}                      (otherwise)

    On a quadratic with Hessian eigenvalues in ``[mu, L]`` plain descent converges iff
    ``0 < lr < 2 / L``. A run *diverges* when ``max|x| > 1e6``, the loss is not finite, or
    ``|f(x)| > 1e12 max(|f(x_0)|, 1)`` (blowing up, or unbounded below); it stops there,
    the refused iterate is not stored, and ``diverged_at`` is its step number. Every
    minimiser here applies the same test.

    Examples
    --------
    >>> res = gradient_descent(lambda x: x @ x, lambda x: 2 * x, [1.0, -1.0], lr=0.25, steps=3)
    >>> res.trajectory
    array([[ 1.   , -1.   ],
           [ 0.5  , -0.5  ],
           [ 0.25 , -0.25 ],
           [ 0.125, -0.125]])
    >>> gradient_descent(lambda x: x @ x, lambda x: 2 * x, [1.0], lr=1.5, steps=100).message
    'diverged at step 20: |x| > 1e6'
    """
    name = "gradient_descent"
    trace = _Trace(f, grad, x0, name)
    lr = check_real(lr, name, "lr", min=0, min_open=True)
    steps = check_int(steps, name, "steps", min=0)
    momentum = check_real(momentum, name, "momentum", min=0, max=1, max_open=True)
    if check_bool(nesterov, name, "nesterov") and momentum == 0:
        raise ValueError(f"{name}: nesterov=True requires momentum > 0, got momentum=0.0")
    tol = check_real(tol, name, "tol", min=0)
    x = trace.xs[0]
    g, v = trace.gradient(x), np.zeros_like(x)
    for _ in range(steps):
        if _norm(g) <= tol:
            return trace.result(True, f"converged: ||grad|| <= {tol:g}")
        v = momentum * v + g
        x = x - lr * ((g + momentum * v) if nesterov else v)
        fx, g = _value_and_gradient(trace, x)
        message = trace.accept(x, fx, g)
        if message:
            return trace.result(False, message)
    done = _norm(g) <= tol
    return trace.result(
        done, f"converged: ||grad|| <= {tol:g}" if done else f"stopped after {steps} steps"
    )


def _value_and_gradient(trace: _Trace, x: np.ndarray) -> tuple[float, np.ndarray | None]:
    """``f(x)`` and ``grad(x)``; ``(inf, None)`` where ``x`` or ``f(x)`` is not finite."""
    fx = trace.value(x) if np.all(np.isfinite(x)) else math.inf
    return (fx, trace.gradient(x)) if np.isfinite(fx) else (math.inf, None)


def _is_positive_definite(H: np.ndarray) -> bool:
    """Whether the symmetric part of ``H`` has only positive eigenvalues (mathdl's eigh)."""
    try:
        return bool(eigh((H + H.T) / 2)[0][0] > 0)
    except (ValueError, np.linalg.LinAlgError):
        return False


def _armijo(trace: _Trace, x, fx, g, p, c1: float = 1e-4, halvings: int = 60):
    """Backtrack ``alpha = 1, 1/2, ...`` until ``f(x + alpha p) <= f(x) + c1 alpha g.p``."""
    slope, alpha = float(g @ p), 1.0
    for _ in range(halvings):
        x_new = x + alpha * p
        f_new = trace.value(x_new) if np.all(np.isfinite(x_new)) else math.inf
        if f_new <= fx + c1 * alpha * slope:
            return x_new, f_new
        alpha /= 2
    return x, fx


@_quiet
def newton(
    f: Callable,
    grad: Callable,
    hess: Callable,
    x0,
    steps: int = 50,
    tol: float = 1e-12,
    backtracking: bool = True,
) -> OptimizeResult:
    r"""Newton's method with an Armijo backtracking line search.

    Parameters
    ----------
    f, grad : callable
        ``f(x) -> float`` and ``grad(x) -> (dim,)``.
    hess : callable
        ``hess(x) -> (dim, dim)``, the Hessian.
    x0 : array_like, shape (dim,)
    steps : int, default 50
        Maximum number of steps.
    tol : float, default 1e-12
        Stop (converged) when ``||grad(x)||_2 <= tol``.
    backtracking : bool, default True
        Halve the step until the Armijo condition holds; without it the full step is taken.

    Returns
    -------
    OptimizeResult

    Notes
    -----
    The direction solves ``H(x_k) p = -g_k`` (:func:`mathdl.linalg.solve`) when ``H(x_k)``
    is positive definite (smallest eigenvalue of its symmetric part > 0, by
    :func:`mathdl.linalg.eigh`); otherwise -- a saddle, a maximum or a singular Hessian,
    where the Newton step need not descend -- it falls back to the gradient direction
    ``p = -g_k``. Then ``x_{k+1} = x_k + alpha p`` with the first ``alpha`` of
    ``1, 1/2, 1/4, ...`` such that ``f(x_k + alpha p) <= f(x_k) + 1e-4 alpha g_k . p``.
    Near a minimum with positive definite, Lipschitz Hessian the full step is accepted and
    the error squares every step: ``e_{k+1} <= C e_k^2``.

    Examples
    --------
    >>> f = lambda x: np.sum(np.exp(x) - 2 * x)
    >>> res = newton(f, lambda x: np.exp(x) - 2, lambda x: np.diag(np.exp(x)), [2.0, -1.0])
    >>> res.converged, bool(np.allclose(res.x, np.log(2)))
    (True, True)
    """
    name = "newton"
    trace = _Trace(f, grad, x0, name)
    check_callable(hess, name, "hess")
    steps = check_int(steps, name, "steps", min=0)
    tol = check_real(tol, name, "tol", min=0)
    backtracking = check_bool(backtracking, name, "backtracking")
    x, fx = trace.xs[0], trace.losses[0]
    g, n = trace.gradient(x), x.size
    for _ in range(steps):
        if _norm(g) <= tol:
            return trace.result(True, f"converged: ||grad|| <= {tol:g}")
        H = np.asarray(hess(x.copy()), dtype=float)
        if H.shape != (n, n) or not np.all(np.isfinite(H)):
            raise ValueError(f"{name}: hess must return a finite ({n}, {n}) array, got {H.shape}")
        p = solve(H, -g) if _is_positive_definite(H) else -g
        if backtracking:
            x_new, f_new = _armijo(trace, x, fx, g, p)
            if x_new is x:
                return trace.result(False, "stopped: the line search found no decrease")
            g_new = trace.gradient(x_new)
        else:
            x_new = x + p
            f_new, g_new = _value_and_gradient(trace, x_new)
        message = trace.accept(x_new, f_new, g_new)
        if message:
            return trace.result(False, message)
        x, fx, g = x_new, f_new, g_new
    done = _norm(g) <= tol
    return trace.result(
        done, f"converged: ||grad|| <= {tol:g}" if done else f"stopped after {steps} steps"
    )


@_quiet
def conjugate_gradient(
    A, b, x0=None, steps: int | None = None, tol: float = 1e-10
) -> OptimizeResult:
    r"""Linear conjugate gradients: solve ``A x = b`` for symmetric positive definite ``A``.

    Equivalently, minimise ``f(x) = x^T A x / 2 - b^T x``, whose gradient is ``A x - b``.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Symmetric positive definite.
    b : array_like, shape (n,)
    x0 : array_like, shape (n,), optional
        Starting point (zeros).
    steps : int, optional
        Maximum number of steps (default ``n``: exact in exact arithmetic).
    tol : float, default 1e-10
        Stop (converged) when ``||r||_2 <= tol ||b||_2`` for the residual ``r = b - A x``.

    Returns
    -------
    OptimizeResult
        ``losses`` are ``f(x_k)``; ``grad_evals`` counts products with ``A``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If a search direction has ``p^T A p <= 0`` (``A`` is not positive definite).

    Notes
    -----
    ``r_0 = b - A x_0``, ``p_0 = r_0``, and for each step::

        alpha = r.r / (p.A p),   x <- x + alpha p,   r_new = r - alpha A p
        p <- r_new + (r_new.r_new / r.r) p

    The directions are A-conjugate and the residuals orthogonal, so in exact arithmetic
    ``x_n`` is the solution; the error after ``k`` steps is bounded by
    ``2 ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^k`` in the A-norm.

    Examples
    --------
    >>> A = np.array([[4.0, 1.0], [1.0, 3.0]])
    >>> res = conjugate_gradient(A, np.array([1.0, 2.0]), tol=0.0)
    >>> res.steps, np.round(res.x, 12)
    (2, array([0.09090909, 0.63636364]))
    """
    name = "conjugate_gradient"
    A = as_real(A, name, "A", ndim=2, square=True, finite=True)
    n = A.shape[0]
    if n == 0:
        raise ValueError(f"{name}: A must not be empty, got shape {A.shape}")
    b = as_real(b, name, "b", ndim=1, finite=True)
    if b.shape != (n,):
        raise ValueError(f"{name}: b must have shape ({n},) to match A {A.shape}, got {b.shape}")
    if np.abs(A - A.T).max() > 1e-10 * np.abs(A).max():
        raise ValueError(f"{name}: A of shape {A.shape} must be symmetric")
    x = np.zeros(n) if x0 is None else as_real(x0, name, "x0", ndim=1, finite=True)
    if x.shape != (n,):
        raise ValueError(f"{name}: x0 must have shape ({n},), got {x.shape}")
    steps = n if steps is None else check_int(steps, name, "steps", min=0)
    tol = check_real(tol, name, "tol", min=0)
    loss = lambda x: float(x @ A @ x / 2 - b @ x)  # noqa: E731
    xs, losses, matvecs = [x.copy()], [loss(x)], 1
    r = b - A @ x
    p, rr, bound = r.copy(), float(r @ r), tol * _norm(b)
    for k in range(steps):
        if math.sqrt(rr) <= bound:
            break
        Ap = A @ p
        matvecs += 1
        pAp = float(p @ Ap)
        if pAp <= 0:
            raise np.linalg.LinAlgError(
                f"{name}: A is not positive definite (p^T A p = {pAp:.3g} <= 0 at step {k})"
            )
        alpha = rr / pAp
        x = x + alpha * p
        r = r - alpha * Ap
        rr, rr_old = float(r @ r), rr
        p = r + (rr / rr_old) * p
        xs.append(x.copy())
        losses.append(loss(x))
    done = math.sqrt(rr) <= bound
    res_norm = math.sqrt(rr) / max(_norm(b), np.finfo(float).tiny)
    message = f"{'converged' if done else 'stopped'}: ||r|| / ||b|| = {res_norm:.2e}"
    return OptimizeResult(x, np.array(xs), np.array(losses), matvecs, done, None, message)


def _cubic_min(a, fa, ga, b, fb, gb) -> float | None:
    """Minimiser of the cubic through ``(a, fa, ga)`` and ``(b, fb, gb)`` (N&W eq. 3.59)."""
    d1 = ga + gb - 3 * (fa - fb) / (a - b)
    disc = d1 * d1 - ga * gb
    if not (np.isfinite(disc) and disc >= 0):
        return None
    d2 = math.copysign(math.sqrt(disc), b - a)
    denom = gb - ga + 2 * d2
    if denom == 0:
        return None
    return b - (b - a) * (gb + d2 - d1) / denom


@_quiet
def strong_wolfe(
    f: Callable,
    grad: Callable,
    x,
    d,
    f0: float | None = None,
    g0=None,
    alpha0: float = 1.0,
    c1: float = 1e-4,
    c2: float = 0.9,
    max_iter: int = 25,
):
    r"""A step length satisfying the strong Wolfe conditions (Nocedal & Wright Alg. 3.5, 3.6).

    Parameters
    ----------
    f, grad : callable
        The function and its gradient, of ``x`` of shape ``(dim,)``.
    x, d : array_like, shape (dim,)
        The point and a descent direction (``grad(x) . d < 0``).
    f0, g0 : optional
        ``f(x)`` and ``grad(x)`` if already known.
    alpha0 : float, default 1
        First trial step.
    c1, c2 : float, default 1e-4, 0.9
        ``0 < c1 < c2 < 1`` (use ``c2 = 0.1`` for nonlinear CG).
    max_iter : int, default 25
        Maximum evaluations of ``f`` and ``grad``.

    Returns
    -------
    alpha : float
        The step (``0.0`` when no step with sufficient decrease was found).
    f_new : float
        ``f(x + alpha d)``.
    g_new : ndarray, shape (dim,)
        ``grad(x + alpha d)``.
    evals : int
        Number of gradient evaluations made.

    Notes
    -----
    With ``phi(a) = f(x + a d)``: find ``a`` with ``phi(a) <= phi(0) + c1 a phi'(0)``
    (sufficient decrease) and ``|phi'(a)| <= c2 |phi'(0)|`` (curvature). Alg. 3.5 doubles
    ``a`` until it brackets such a step -- the decrease fails, ``phi`` rises, or
    ``phi' >= 0`` -- then Alg. 3.6 (zoom) shrinks the bracket ``[lo, hi]``, each trial
    the minimiser of the cubic interpolating ``phi, phi'`` at both ends (eq. 3.59);
    bisection when that minimiser is outside the bracket, and a trial moved to 10% of
    the bracket from an end when the cubic lands closer than that twice in a row.
    Since ``f`` is only known to rounding, the decrease tests allow a slack of
    ``64 eps |phi(0)|``; near a minimum the curvature test, which uses the accurate
    gradient, still drives the search.

    Examples
    --------
    >>> f, g = lambda x: float(x @ x), lambda x: 2 * x
    >>> alpha, f_new, g_new, evals = strong_wolfe(f, g, np.ones(1), -np.ones(1), alpha0=4.0)
    >>> alpha, f_new
    (1.0, 0.0)
    """
    name = "strong_wolfe"
    trace = _Evaluator(f, grad, name)
    x = as_real(x, name, "x", ndim=1, finite=True)
    d = as_real(d, name, "d", ndim=1, finite=True)
    if d.shape != x.shape:
        raise ValueError(f"{name}: d must have shape {x.shape}, got {d.shape}")
    c1 = check_real(c1, name, "c1", min=0, max=1, min_open=True, max_open=True)
    c2 = check_real(c2, name, "c2", min=c1, max=1, min_open=True, max_open=True)
    alpha0 = check_real(alpha0, name, "alpha0", min=0, min_open=True)
    max_iter = check_int(max_iter, name, "max_iter", min=1)
    f0 = trace.value(x) if f0 is None else check_real(f0, name, "f0")
    g0 = trace.gradient(x) if g0 is None else as_real(g0, name, "g0", ndim=1, finite=True)
    if g0.shape != x.shape:
        raise ValueError(f"{name}: g0 must have shape {x.shape}, got {g0.shape}")
    evals0 = trace.grad_evals
    alpha, f_new, g_new = _wolfe_search(trace, x, d, f0, g0, alpha0, c1, c2, max_iter)
    return alpha, f_new, g_new, trace.grad_evals - evals0


def _wolfe_search(trace: _Evaluator, x, d, f0, g0, alpha0, c1, c2, max_iter):
    """Alg. 3.5: bracket, then zoom. Returns ``(alpha, f, g)``; ``alpha = 0`` on failure."""
    slope0 = float(g0 @ d)
    if not slope0 < 0:
        raise ValueError(f"{trace.func}: d is not a descent direction (grad . d = {slope0:.3g})")
    slack = _ROUNDING * abs(f0)  # f is only known to rounding: don't ask for less than that

    def phi(a):
        """``(a, f(x + a d), grad(x + a d), phi'(a))``; f = inf where not finite."""
        xa = x + a * d
        fa = trace.value(xa) if np.all(np.isfinite(xa)) else math.inf
        if not np.isfinite(fa):
            return a, math.inf, None, math.nan
        ga = trace.gradient(xa)
        return a, fa, ga, float(ga @ d) if np.all(np.isfinite(ga)) else math.nan

    def worse(point, than: float) -> bool:
        """Sufficient decrease fails, ``f`` is above ``than``, or the point is not finite."""
        a, fa, _, da = point
        return fa > f0 + c1 * a * slope0 + slack or fa > than + slack or not np.isfinite(da)

    def curvature(point) -> bool:
        return abs(point[3]) <= -c2 * slope0

    prev = (0.0, f0, g0, slope0)
    a = alpha0
    for i in range(max_iter):
        point = phi(a)
        if worse(point, prev[1] if i > 0 else math.inf):
            return _zoom(phi, prev, point, worse, curvature, max_iter - i - 1)
        if curvature(point):
            return point[:3]
        if point[3] >= 0:
            return _zoom(phi, point, prev, worse, curvature, max_iter - i - 1)
        prev, a = point, 2 * a
    return prev[:3]


def _zoom_trial(lo, hi, stalled: bool) -> tuple[float, bool]:
    """The next trial step in the bracket: the cubic minimiser, safeguarded.

    Bisection when the cubic has no minimiser inside the bracket. A cubic step within 10%
    of an end is accepted once; the second time in a row it is moved to 10% from that end
    (torch's rule), so that the bracket keeps shrinking.
    """
    (a_lo, f_lo, _, d_lo), (a_hi, f_hi, _, d_hi) = lo, hi
    left, right = min(a_lo, a_hi), max(a_lo, a_hi)
    a = None
    if np.isfinite(f_hi) and np.isfinite(d_hi):
        a = _cubic_min(a_lo, f_lo, d_lo, a_hi, f_hi, d_hi)
    if a is None or not left < a < right:
        return (a_lo + a_hi) / 2, False
    margin = 0.1 * (right - left)
    if min(right - a, a - left) >= margin:
        return a, False
    if not stalled:
        return a, True
    return (right - margin if right - a < a - left else left + margin), False


def _zoom(phi, lo, hi, worse, curvature, budget):
    """Alg. 3.6: shrink ``[lo, hi]`` (each ``(a, f, g, phi')``) to a strong-Wolfe step."""
    stalled = False
    for _ in range(budget):
        if abs(hi[0] - lo[0]) <= 1e-16 * max(abs(lo[0]), 1.0):
            break
        a, stalled = _zoom_trial(lo, hi, stalled)
        point = phi(a)
        if worse(point, lo[1]):
            hi = point
            continue
        if curvature(point):
            return point[:3]
        if point[3] * (hi[0] - lo[0]) >= 0:
            hi = lo
        lo = point
    return lo[:3]


def _line_search_step(trace, x, fx, g, d, alpha0, c2):
    """One strong-Wolfe step of a quasi-Newton/CG method: ``(x_new, f_new, g_new)`` or None."""
    alpha, f_new, g_new = _wolfe_search(trace, x, d, fx, g, alpha0, 1e-4, c2, 25)
    if alpha == 0.0:
        return None
    return x + alpha * d, f_new, g_new


@_quiet
def nonlinear_conjugate_gradient(
    f: Callable,
    grad: Callable,
    x0,
    steps: int = 1000,
    method: str = "fletcher-reeves",
    tol: float = 1e-9,
    restart: int | None = None,
) -> OptimizeResult:
    r"""Nonlinear conjugate gradients (Fletcher-Reeves or Polak-Ribiere+), strong-Wolfe search.

    Parameters
    ----------
    f, grad : callable
    x0 : array_like, shape (dim,)
    steps : int, default 1000
    method : {"fletcher-reeves", "polak-ribiere"}
    tol : float, default 1e-9
        Stop (converged) when ``||grad(x)||_inf <= tol``.
    restart : int, optional
        Reset the direction to ``-g`` every ``restart`` steps (default ``dim``).

    Returns
    -------
    OptimizeResult

    Notes
    -----
    ``d_0 = -g_0``; ``x_{k+1} = x_k + alpha_k d_k`` with :func:`strong_wolfe` (``c2 = 0.1``,
    first trial ``alpha_{k-1} g_{k-1}.d_{k-1} / g_k.d_k``, N&W eq. 3.60), then
    ``d_{k+1} = -g_{k+1} + beta d_k`` with::

        fletcher-reeves:  beta = g_{k+1}.g_{k+1} / g_k.g_k
        polak-ribiere:    beta = max(0, g_{k+1}.(g_{k+1} - g_k) / g_k.g_k)   (PR+)

    and ``beta = 0`` at every restart or when ``d_{k+1}`` is not a descent direction.
    On a quadratic with exact line searches both equal linear CG.

    Examples
    --------
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]])
    >>> res = nonlinear_conjugate_gradient(lambda x: x @ A @ x / 2, lambda x: A @ x, [1.0, 1.0])
    >>> res.converged, bool(np.abs(res.x).max() < 1e-8)
    (True, True)
    """
    name = "nonlinear_conjugate_gradient"
    trace = _Trace(f, grad, x0, name)
    steps = check_int(steps, name, "steps", min=0)
    method = check_choice(method, name, "method", ("fletcher-reeves", "polak-ribiere"))
    tol = check_real(tol, name, "tol", min=0)
    restart = trace.xs[0].size if restart is None else check_int(restart, name, "restart", min=1)
    x, fx = trace.xs[0], trace.losses[0]
    g = trace.gradient(x)
    d, alpha0 = -g, min(1.0, 1.0 / max(float(np.abs(g).sum()), 1e-300))
    for k in range(steps):
        if np.abs(g).max() <= tol:
            return trace.result(True, f"converged: ||grad||_inf <= {tol:g}")
        step = _line_search_step(trace, x, fx, g, d, alpha0, 0.1)
        if step is None:
            return trace.result(False, "stopped: the line search found no decrease")
        message = trace.accept(step[0], step[1], step[2])
        if message:
            return trace.result(False, message)
        x_new, fx, g_new = step
        gg = float(g @ g)
        if method == "fletcher-reeves":
            beta = float(g_new @ g_new) / gg
        else:
            beta = max(0.0, float(g_new @ (g_new - g)) / gg)
        if (k + 1) % restart == 0:
            beta = 0.0
        slope_old, alpha = float(g @ d), float(np.abs(x_new - x).max() / np.abs(d).max())
        d_new = -g_new + beta * d
        if not float(g_new @ d_new) < 0:
            d_new = -g_new
        alpha0 = alpha * slope_old / float(g_new @ d_new)
        alpha0 = alpha0 if np.isfinite(alpha0) and alpha0 > 0 else 1.0
        x, g, d = x_new, g_new, d_new
    done = np.abs(g).max() <= tol
    return trace.result(
        done, f"converged: ||grad||_inf <= {tol:g}" if done else f"stopped after {steps} steps"
    )


def _two_loop(g: np.ndarray, S: list, Y: list) -> np.ndarray:
    """``H_k g`` by the L-BFGS two-loop recursion (N&W Alg. 7.4), ``H_0 = (s.y / y.y) I``."""
    q, alphas = g.copy(), []
    for s, y in zip(reversed(S), reversed(Y), strict=True):
        a = float(s @ q) / float(y @ s)
        q -= a * y
        alphas.append(a)
    r = q * (float(S[-1] @ Y[-1]) / float(Y[-1] @ Y[-1])) if S else q
    for s, y, a in zip(S, Y, reversed(alphas), strict=True):
        b = float(y @ r) / float(y @ s)
        r += (a - b) * s
    return r


@_quiet
def lbfgs(
    f: Callable,
    grad: Callable,
    x0,
    steps: int = 100,
    history: int = 10,
    tol: float = 1e-9,
) -> OptimizeResult:
    r"""Limited-memory BFGS with a strong-Wolfe line search.

    Parameters
    ----------
    f, grad : callable
    x0 : array_like, shape (dim,)
    steps : int, default 100
        Maximum number of iterations.
    history : int, default 10
        Number ``m`` of correction pairs ``(s, y)`` kept.
    tol : float, default 1e-9
        Stop (converged) when ``||grad(x)||_inf <= tol``.

    Returns
    -------
    OptimizeResult

    Notes
    -----
    ``d_k = -H_k g_k``, where ``H_k g`` is computed by the two-loop recursion over the last
    ``m`` pairs ``s_i = x_{i+1} - x_i``, ``y_i = g_{i+1} - g_i`` with ``rho_i = 1 / y_i.s_i``::

        q = g;  for i = k-1 ... k-m:  a_i = rho_i s_i.q,  q -= a_i y_i
        r = (s_{k-1}.y_{k-1} / y_{k-1}.y_{k-1}) q
        for i = k-m ... k-1:  b = rho_i y_i.r,  r += (a_i - b) s_i

    then ``x_{k+1} = x_k + alpha_k d_k`` by :func:`strong_wolfe` (``c1 = 1e-4``,
    ``c2 = 0.9``, first trial 1; ``min(1, 1 / ||g_0||_1)`` on the first iteration, as
    torch's LBFGS does). A pair is kept only when ``y.s > 1e-10 ||s|| ||y||``, which keeps
    ``H_k`` positive definite.

    Examples
    --------
    >>> rosen = lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    >>> drosen = lambda x: np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
    ...                              200 * (x[1] - x[0] ** 2)])
    >>> res = lbfgs(rosen, drosen, [-1.2, 1.0])
    >>> res.converged, np.round(res.x, 8)
    (True, array([1., 1.]))
    """
    name = "lbfgs"
    trace = _Trace(f, grad, x0, name)
    steps = check_int(steps, name, "steps", min=0)
    history = check_int(history, name, "history", min=1)
    tol = check_real(tol, name, "tol", min=0)
    x, fx = trace.xs[0], trace.losses[0]
    g = trace.gradient(x)
    S: list[np.ndarray] = []
    Y: list[np.ndarray] = []
    for k in range(steps):
        if np.abs(g).max() <= tol:
            return trace.result(True, f"converged: ||grad||_inf <= {tol:g}")
        d = -_two_loop(g, S, Y)
        if not float(g @ d) < 0:  # lost positive definiteness to rounding: restart
            d, S, Y = -g, [], []
        alpha0 = min(1.0, 1.0 / float(np.abs(g).sum())) if k == 0 else 1.0
        step = _line_search_step(trace, x, fx, g, d, alpha0, 0.9)
        if step is None:
            return trace.result(False, "stopped: the line search found no decrease")
        message = trace.accept(step[0], step[1], step[2])
        if message:
            return trace.result(False, message)
        s, y = step[0] - x, step[2] - g
        if float(y @ s) > 1e-10 * _norm(s) * _norm(y):
            S, Y = [*S, s][-history:], [*Y, y][-history:]
        x, fx, g = step
    done = np.abs(g).max() <= tol
    return trace.result(
        done, f"converged: ||grad||_inf <= {tol:g}" if done else f"stopped after {steps} steps"
    )
