"""Optimizers over lists of Tensors, as ``torch.optim``: SGD, Adagrad, RMSprop, Adam, AdamW.

See :mod:`mathdl.optim` for the overview and the deliberate differences from torch.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from mathdl._validation import _kind, check_bool, check_callable, check_real
from mathdl.autodiff import Tensor

# torch's arithmetic: an overflow gives inf, inf - inf gives NaN, silently (NaN in, NaN out)
_QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore", "under": "ignore"}
_NOT_PARAMS = (Tensor, dict, np.ndarray, str, bytes, set, frozenset)


def _listed(params, func: str, where: str) -> list:
    """``params`` as a list: any ordered iterable; a Tensor, dict, array, string or set refused."""
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{func}: {where} must be an ordered list of Tensors, not a set "
            "(the order of a set changes between runs)"
        )
    if isinstance(params, _NOT_PARAMS) or not hasattr(params, "__iter__"):
        raise TypeError(
            f"{func}: {where} must be a list of Tensors or of parameter-group dicts, "
            f"got {_kind(params)}"
        )
    return list(params)


def _param_list(params, func: str, where: str) -> list[Tensor]:
    """One group's ``params``: a Tensor or an ordered iterable of distinct leaf Tensors."""
    params = [params] if isinstance(params, Tensor) else _listed(params, func, where)
    first: dict[int, int] = {}
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{func}: {where}[{i}] must be a Tensor, got {_kind(p)}")
        if not p.is_leaf:
            raise ValueError(f"{func}: {where}[{i}] is not a leaf Tensor; cannot optimize it")
        if id(p) in first:
            raise ValueError(
                f"{func}: {where}[{i}] is {where}[{first[id(p)]}] again; "
                "a parameter may appear only once"
            )
        first[id(p)] = i
    return params


def _state_value(key, value, param: Tensor, func: str, where: str):
    """A copy of one saved state entry: arrays (numpy, torch, mathdl) in the parameter's dtype."""
    if hasattr(value, "detach"):  # a torch tensor, possibly on a GPU
        value = value.detach().cpu().numpy()
    if isinstance(value, Tensor):
        value = value.data
    if key == "step":
        step = np.asarray(value)
        if step.shape != () or step.dtype.kind not in "iuf" or not np.isfinite(step):
            raise TypeError(f"{func}: {where} must be a step count, got {_kind(value)}")
        if step < 0 or not float(step).is_integer():
            raise ValueError(f"{func}: {where} must be a whole number >= 0, got {float(step)}")
        return int(step)
    if isinstance(value, (np.ndarray, list, tuple)):
        a = np.asarray(value)
        if a.dtype.kind not in "iuf":
            raise TypeError(f"{func}: {where} must be a real array, got dtype {a.dtype}")
        if a.shape != param.shape:
            raise ValueError(
                f"{func}: {where} has shape {a.shape}, but its parameter has shape {param.shape}"
            )
        return np.array(a, dtype=param.dtype)
    return copy.deepcopy(value)


def _buffer_in(state: dict, key: str, p: Tensor) -> np.ndarray:
    """``state[key]``, created as zeros if missing (a flag such as ``amsgrad`` turned on later)."""
    if key not in state:
        state[key] = np.zeros_like(p.data)
    return state[key]


class Optimizer:
    """Base class: parameter groups, per-parameter state and ``state_dict``, as in torch.

    Parameters
    ----------
    params : list of Tensor, or list of dict
        The tensors to optimize (any ordered iterable, not a set), or parameter groups
        ``{"params": [...], "lr": ...}``; a group's missing hyperparameters are filled in
        from ``defaults``.
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
        If ``params`` is a single Tensor, a set, or holds something that is not a Tensor,
        or a hyperparameter has the wrong type.
    ValueError
        If ``params`` is empty, a tensor appears twice (in one group or in two), a tensor
        is not a leaf, or a hyperparameter is out of range.

    Notes
    -----
    Subclasses define ``_check(group, func)`` (validate one group's hyperparameters) and
    ``_update(p, grad, state, group)`` (update ``p.data`` in place). :meth:`step` checks
    every ``.grad`` first (dtype and shape those of its parameter, as torch requires),
    then calls ``_update`` for every parameter whose ``.grad`` is not ``None``. Like
    torch, a parameter of integer dtype is accepted (it can never be updated) and the
    arithmetic follows IEEE rules silently: an overflow gives ``inf``, NaN propagates.
    """

    def __init__(self, params, defaults: dict):
        name = type(self).__name__
        if not isinstance(defaults, dict):
            raise TypeError(f"{name}: defaults must be a dict, got {_kind(defaults)}")
        params = _listed(params, name, "params")
        if not params:
            raise ValueError(f"{name}: params is an empty list; give at least one Tensor")
        self._check(defaults, name)
        self.defaults = defaults
        self.state: dict[Tensor, dict] = {}
        self.param_groups: list[dict] = []
        self._scratch: dict[Tensor, np.ndarray] = {}
        dicts = [isinstance(g, dict) for g in params]
        if all(dicts):
            for i, group in enumerate(params):
                self._add_group(group, name, f"params[{i}]", f"params[{i}]['params']")
        elif any(dicts):
            raise TypeError(f"{name}: params mixes Tensors and parameter-group dicts")
        else:
            self._add_group({"params": params}, name, "params", "params")

    def add_param_group(self, param_group: dict) -> None:
        """Add a group ``{"params": [...], hyperparameter: value, ...}``, like torch.

        Missing hyperparameters are taken from :attr:`defaults`; the group is validated.
        """
        func = f"{type(self).__name__}.add_param_group"
        self._add_group(param_group, func, "param_group", "param_group['params']")

    def _add_group(self, param_group, func: str, where: str, params_where: str) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{func}: {where} must be a parameter-group dict, got {_kind(param_group)}"
            )
        if "params" not in param_group:
            raise ValueError(
                f"{func}: {where} needs a 'params' entry, got keys {sorted(param_group)}"
            )
        group = dict(param_group)
        group["params"] = _param_list(group["params"], func, params_where)
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check(group, func)
        taken = {id(p): k for k, g in enumerate(self.param_groups) for p in g["params"]}
        for i, p in enumerate(group["params"]):
            if id(p) in taken:
                raise ValueError(
                    f"{func}: {params_where}[{i}] is already in parameter group {taken[id(p)]}: "
                    "some parameters appear in more than one parameter group"
                )
        self.param_groups.append(group)

    def _check(self, group: dict, name: str) -> None:
        """Validate one group's hyperparameters (subclasses); messages start ``name:``."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to ``None`` (torch's default) or to zeros."""
        set_to_none = check_bool(set_to_none, f"{type(self).__name__}.zero_grad", "set_to_none")
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif isinstance(p.grad, np.ndarray) and p.grad.shape == p.shape:
                    p.grad[...] = 0
                elif p.grad is not None:
                    p.grad = np.zeros_like(p.data)

    def step(self, closure: Callable | None = None):
        """Update every parameter that has a gradient; return ``closure()`` if given.

        Raises
        ------
        TypeError
            If ``closure`` is not callable, a ``.grad`` is not an array of its parameter's
            dtype (torch refuses a mismatch too), or a parameter with a ``.grad`` is not
            floating.
        ValueError
            If a ``.grad`` does not have its parameter's shape. Every gradient is checked
            before any parameter changes.
        """
        func = f"{type(self).__name__}.step"
        if closure is not None:
            check_callable(closure, func, "closure")
        loss = closure() if closure is not None else None
        work = [
            (p, self._checked_grad(p, self._label(g, i), func), group)
            for g, group in enumerate(self.param_groups)
            for i, p in enumerate(group["params"])
            if p.grad is not None
        ]
        with np.errstate(**_QUIET):
            for p, grad, group in work:
                self._update(p, grad, self.state.setdefault(p, {}), group)
        return loss

    def _label(self, g: int, i: int) -> str:
        """How the user names parameter ``i`` of group ``g``."""
        return (
            f"params[{i}]" if len(self.param_groups) == 1 else f"param_groups[{g}]['params'][{i}]"
        )

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        raise NotImplementedError

    @staticmethod
    def _checked_grad(p: Tensor, label: str, func: str) -> np.ndarray:
        """``p.grad`` as an array, refused unless it has ``p``'s dtype and shape."""
        grad = p.grad
        if isinstance(grad, Tensor):
            raise TypeError(f"{func}: {label}.grad must be a numpy array, got a Tensor")
        if not np.issubdtype(p.dtype, np.floating):
            raise TypeError(
                f"{func}: {label} has dtype {p.dtype} and a .grad; only floating Tensors "
                "can be optimized"
            )
        try:
            grad = np.asarray(grad)
        except ValueError as err:  # ragged nested lists
            raise ValueError(f"{func}: {label}.grad is not a rectangular array ({err})") from None
        if grad.dtype != p.dtype:
            raise TypeError(
                f"{func}: {label}.grad has dtype {grad.dtype}, but {label} has dtype {p.dtype}; "
                "they must match"
            )
        if grad.shape != p.shape:
            raise ValueError(
                f"{func}: {label}.grad has shape {grad.shape}, but {label} has shape {p.shape}"
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

        Nothing changes unless the whole ``state_dict`` is valid.

        Raises
        ------
        TypeError
            If ``state_dict`` is not a dict of ``"state"`` (a dict) and ``"param_groups"``
            (a list of dicts), or a saved value has the wrong type.
        ValueError
            If the numbers of groups, or of parameters in a group, differ, a group lacks a
            hyperparameter or has an invalid one, a state entry names no parameter, or a
            saved buffer's shape is not its parameter's.
        """
        func = f"{type(self).__name__}.load_state_dict"
        saved, state = self._saved_parts(state_dict, func)
        id_map = {}
        groups = []
        for g, (ours, theirs) in enumerate(zip(self.param_groups, saved, strict=True)):
            where = f"state_dict['param_groups'][{g}]"
            indices = theirs["params"]
            if not isinstance(indices, (list, tuple)):
                raise TypeError(f"{func}: {where}['params'] must be a list, got {_kind(indices)}")
            if len(ours["params"]) != len(indices):
                raise ValueError(
                    f"{func}: {where} has {len(indices)} parameters, the optimizer's group {g} "
                    f"has {len(ours['params'])}"
                )
            missing = sorted(set(self.defaults) - set(theirs))
            if missing:
                raise ValueError(f"{func}: {where} lacks the hyperparameters {missing}")
            id_map.update(zip(indices, ours["params"], strict=True))
            group = {k: copy.deepcopy(v) for k, v in theirs.items() if k != "params"}
            group["params"] = ours["params"]
            self._check(group, func)
            groups.append(group)
        new_state = {}
        for i, entries in state.items():
            where = f"state_dict['state'][{i!r}]"
            if i not in id_map:
                raise ValueError(f"{func}: {where} names no parameter of param_groups")
            if not isinstance(entries, dict):
                raise TypeError(f"{func}: {where} must be a dict, got {_kind(entries)}")
            p = id_map[i]
            new_state[p] = {
                k: _state_value(k, v, p, func, f"{where}[{k!r}]") for k, v in entries.items()
            }
        self.state, self.param_groups = new_state, groups

    def _saved_parts(self, state_dict, func: str) -> tuple[list, dict]:
        """``state_dict["param_groups"]`` and ``["state"]``, checked against our groups."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"{func}: state_dict must be a dict, got {_kind(state_dict)}")
        missing = sorted({"state", "param_groups"} - set(state_dict))
        if missing:
            raise ValueError(f"{func}: state_dict lacks {missing}")
        saved, state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(saved, (list, tuple)) or not all(isinstance(g, dict) for g in saved):
            raise TypeError(
                f"{func}: state_dict['param_groups'] must be a list of dicts, got {_kind(saved)}"
            )
        if not isinstance(state, dict):
            raise TypeError(f"{func}: state_dict['state'] must be a dict, got {_kind(state)}")
        if len(saved) != len(self.param_groups):
            raise ValueError(
                f"{func}: state_dict has {len(saved)} parameter groups, "
                f"the optimizer has {len(self.param_groups)}"
            )
        for g, group in enumerate(saved):
            if "params" not in group:
                raise ValueError(f"{func}: state_dict['param_groups'][{g}] lacks 'params'")
        return list(saved), state

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

    def _check(self, group: dict, name: str) -> None:
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

    def _check(self, group: dict, name: str) -> None:
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

    def _check(self, group: dict, name: str) -> None:
        check_real(group["lr"], name, "lr", min=0)
        check_real(group["eps"], name, "eps", min=0)
        check_real(group["momentum"], name, "momentum", min=0)
        check_real(group["weight_decay"], name, "weight_decay", min=0)
        check_real(group["alpha"], name, "alpha", min=0, max=1)
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
        np.multiply(g, 1 - alpha, out=tmp)
        tmp *= g  # ((1 - alpha) g) g, torch's order: finite wherever the product is
        v += tmp  # v_t = alpha v + (1 - alpha) g^2
        if group["centered"]:
            m = _buffer_in(state, "grad_avg", p)
            m += (1 - alpha) * (g - m)  # m_t = alpha m + (1 - alpha) g
            np.multiply(m, m, out=tmp)
            np.subtract(v, tmp, out=tmp)
            if np.isinf(v).any():  # v - m^2 beyond the range is inf (torch's fused multiply-add)
                np.copyto(tmp, v, where=np.isposinf(v) & np.isfinite(m))
            np.maximum(tmp, 0, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(v, out=tmp)
        tmp += group["eps"]
        np.divide(g, tmp, out=tmp)  # g / a
        if group["momentum"] > 0:
            buf = _buffer_in(state, "momentum_buffer", p)
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

    def _check(self, group: dict, name: str) -> None:
        check_real(group["lr"], name, "lr", min=0)
        check_real(group["eps"], name, "eps", min=0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {_kind(betas)}")
        if len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
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
        np.multiply(g, 1 - beta2, out=tmp)
        tmp *= g  # ((1 - beta2) g) g, torch's order: finite wherever the product is
        v += tmp  # v_t = beta2 v + (1 - beta2) g^2
        if group["amsgrad"]:
            vmax = _buffer_in(state, "max_exp_avg_sq", p)
            v = np.maximum(vmax, v, out=vmax)
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
