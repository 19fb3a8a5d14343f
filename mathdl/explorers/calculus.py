"""Explorers of chapter 2, calculus: Taylor polynomials, gradient flow through depth.

Each explorer follows :mod:`mathdl.widgets`: ``draw(fig)`` builds the figure once,
with the moving artists ``animated=True``, and returns ``update(**values)``.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from mathdl import nn
from mathdl._validation import check_choice, check_int
from mathdl.calculus import taylor_polynomial
from mathdl.widgets import Choice, Explorer, Slider

__all__ = ["GRADIENT_FLOW", "gradient_flow_explorer", "gradient_flow_statistics", "taylor_explorer"]

# Taylor explorer: each function with its n-th derivative in closed form, the x-range shown
# and the y-range. 1/(1 - x) has a pole at 1: its series converges only for |x - a| < 1 - a.
_TAYLOR_FUNCTIONS = {
    "sin": (np.sin, lambda a, n: np.sin(a + n * np.pi / 2), (-2 * np.pi, 2 * np.pi), (-2, 2)),
    "exp": (np.exp, lambda a, n: np.exp(a), (-3.0, 3.0), (-2, 12)),
    "1/(1-x)": (
        lambda x: 1.0 / (1.0 - x),
        lambda a, n: math.factorial(n) / (1.0 - a) ** (n + 1),
        (-3.0, 0.98),
        (-2, 8),
    ),
}


def _draw_taylor(fig: Figure):
    """f and its Taylor polynomial of the given order at a; the error on a log scale."""
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.07, right=0.98, bottom=0.14))
    (curve,) = left.plot([], [], color="0.2", lw=2, label="f")  # background: per function
    (poly,) = left.plot([], [], color="tab:red", lw=1.5, label="T", animated=True)
    (point,) = left.plot([], [], "o", color="tab:red", animated=True)
    legend = left.legend(loc="upper left", fontsize=8)
    legend.set_animated(True)
    title = left.text(
        0.5, 1.02, "", transform=left.transAxes, ha="center", fontsize="large", animated=True
    )
    left.set(xlabel="x")
    (error_curve,) = right.semilogy([], [], color="tab:red", animated=True)
    right.set(ylim=(1e-17, 1e3), xlabel="x", title="error |f(x) − T(x)|")
    marks = [ax.axvline(0, color="0.8", lw=1, zorder=0, animated=True) for ax in (left, right)]
    shown = {"function": None, "x": None}

    def update(function: str, a: float, order: int) -> None:
        f, nth_derivative, (lo, hi), ylim = _TAYLOR_FUNCTIONS[function]
        if function != shown["function"]:  # new limits and curve: the background changes
            x = np.linspace(lo, hi, 400)
            curve.set_data(x, f(x))
            left.set(xlim=(lo, hi), ylim=ylim)
            right.set_xlim(lo, hi)
            shown.update(function=function, x=x, fx=f(x))
        x, fx = shown["x"], shown["fx"]
        T = taylor_polynomial([nth_derivative(a, n) for n in range(order + 1)], a, x)
        poly.set_data(x, T)
        point.set_data([a], [f(a)])
        error_curve.set_data(x, np.maximum(np.abs(fx - T), 1e-17))  # exact at a: log finite
        for mark in marks:
            mark.set_xdata([a, a])
        for text, label in zip(
            legend.get_texts(),
            (f"f(x) = {function}", f"Taylor polynomial, order {order}"),
            strict=True,
        ):
            text.set_text(label)
        title.set_text(f"{function} and its expansion at a = {a:g}")

    return update


def taylor_explorer() -> Explorer:
    """Taylor polynomials: pick a function, the expansion point and the order.

    Examples
    --------
    >>> [c.name for c in taylor_explorer().controls]
    ['function', 'a', 'order']
    """
    controls = [
        Choice("function", tuple(_TAYLOR_FUNCTIONS), "sin"),
        Slider("a", -1.5, 0.75, 0.05, 0.0, (-1.0, -0.5, 0.0, 0.5), label="point a"),
        Slider("order", 0, 12, 1, 1, (0, 1, 2, 3, 5, 9), label="order n"),
    ]
    return Explorer(_draw_taylor, controls, title="Taylor polynomials", figsize=(7.0, 3.2))


#: The gradient-flow experiment: an MLP of this width, a fixed batch of this size.
GRADIENT_FLOW = {"width": 64, "batch": 32, "max_depth": 50}
INITS = ("default", "xavier", "he")


def gradient_flow_statistics(activation: str, init: str, depth: int):
    """:func:`mathdl.nn.layer_statistics` of the network the gradient-flow explorer shows.

    ``nn.MLP([64] * (depth + 1), activation, init, rng=0)`` (``depth`` Linear layers,
    ``depth - 1`` activations) on a fixed standard-normal batch and target of 32 rows
    drawn from ``np.random.default_rng(1)``.

    Parameters
    ----------
    activation : str
        A key of :data:`mathdl.nn.ACTIVATIONS`.
    init : {"default", "xavier", "he"}
    depth : int
        Number of Linear layers, in ``[1, 1000]``.

    Raises
    ------
    TypeError, ValueError
        For an unknown name or a depth that is not an int in range; the message starts
        ``gradient_flow_statistics:`` and names the argument.

    Returns
    -------
    stds : (depth - 1,) ndarray
    grad_norms : (depth,) ndarray
        ``||dL/dh_l||`` for ``l = 0..depth-1``.
    weight_grad_norms : (depth,) ndarray

    Examples
    --------
    >>> [s.shape for s in gradient_flow_statistics("tanh", "xavier", 4)]
    [(3,), (4,), (4,)]
    """
    func = "gradient_flow_statistics"
    activation = check_choice(activation, func, "activation", tuple(nn.ACTIVATIONS))
    init = check_choice(init, func, "init", INITS)
    depth = check_int(depth, func, "depth", min=1, max=1000)
    width, batch = GRADIENT_FLOW["width"], GRADIENT_FLOW["batch"]
    net = nn.MLP([width] * (depth + 1), activation=nn.ACTIVATIONS[activation], init=init, rng=0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, width))  # (B, width)
    target = rng.standard_normal((batch, width))  # (B, width)
    return nn.layer_statistics(net, x, target)


def _ratio(first: float, last: float) -> str:
    """``first / last`` for a title; a vanished last gradient reads as infinity."""
    return f"{float(first) / float(last):.1e}" if last > 0 else "∞"


def _draw_gradient_flow(fig: Figure):
    left, right = fig.subplots(
        1, 2, gridspec_kw=dict(left=0.09, right=0.98, bottom=0.15, wspace=0.3)
    )
    (std_line,) = left.plot([], [], "o-", color="tab:blue", ms=3, animated=True)
    left.set(xlabel="hidden layer l", ylabel="std of activations h_l", ylim=(0, 1.5))
    left.set_yticks([0, 0.5, 1, 1.5])
    (w_line,) = right.semilogy([], [], "o-", color="tab:red", ms=3, animated=True)
    (h_line,) = right.semilogy([], [], ".--", color="0.45", lw=1, ms=3, animated=True)
    right.set(xlabel="layer l", ylim=(1e-45, 1e5))
    right.set_yticks(10.0 ** np.arange(-40, 1, 10), ["1e-40", "1e-30", "1e-20", "1e-10", "1"])
    right.minorticks_off()
    right.legend(  # in the background: drawn once
        [w_line, h_line],
        [r"$\Vert\partial L/\partial W_l\Vert_F$", r"$\Vert\partial L/\partial h_{l-1}\Vert$"],
        loc="lower right",
        fontsize=8,
    )
    titles = [
        ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", fontsize=10, animated=True)
        for ax in (left, right)
    ]
    shown = {"span": None}

    def update(activation: str, init: str, depth: int) -> None:
        stds, grads, weights = gradient_flow_statistics(activation, init, depth)
        span = 10 * math.ceil(depth / 10)  # x-limits in steps of 10 layers: few redraws
        if span != shown["span"]:  # new x-limits: the background changes
            for ax in (left, right):
                ax.set_xlim(0.5, span + 0.5)
            shown["span"] = span
        layers = np.arange(1, depth + 1)  # Linear layer l = 1..depth reads h_{l-1}
        std_line.set_data(layers[:-1], stds)
        w_line.set_data(layers, np.maximum(weights, 1e-300))  # 0 would leave the log axis
        h_line.set_data(layers, np.maximum(grads, 1e-300))
        titles[0].set_text(f"forward: {activation}, {init} init, depth {depth}")
        titles[1].set_text(f"backward: first/last ‖∂L/∂W‖ = {_ratio(weights[0], weights[-1])}")

    return update


def gradient_flow_explorer() -> Explorer:
    """Activation std and gradient norms per layer of a deep MLP: activation, init, depth.

    Plots :func:`gradient_flow_statistics`: the std of every hidden layer (left), and
    the gradient norms per layer (right, log scale).

    Examples
    --------
    >>> [c.name for c in gradient_flow_explorer().controls]
    ['activation', 'init', 'depth']
    """
    controls = [
        Choice("activation", tuple(nn.ACTIVATIONS), "tanh"),
        Choice("init", INITS, "default", label="initialisation"),
        Slider("depth", 2, GRADIENT_FLOW["max_depth"], 1, 20, (5, 10, 20, 40), label="depth"),
    ]
    return Explorer(
        _draw_gradient_flow, controls, title="Gradients through depth", figsize=(7.0, 3.2)
    )
