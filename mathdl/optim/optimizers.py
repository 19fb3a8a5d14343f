"""Optimizers over lists of Tensors, as ``torch.optim``: SGD, Adagrad, RMSprop, Adam, AdamW.

See :mod:`mathdl.optim` for the overview and the deliberate differences from torch.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from mathdl._validation import (
    check_bool,
    check_real,
)
from mathdl.autodiff import Tensor


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
