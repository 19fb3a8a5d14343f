"""Interactive explorers: one definition, live in Jupyter, precomputed on the website.

An :class:`Explorer` is a drawing function ``draw(fig, **values)`` plus the
controls that feed it (:class:`Slider` for numbers, :class:`Choice` for a pick
from a list). It has two forms that share every line of drawing code:

* **live** (Jupyter, the default): ipywidgets controls; each change calls ``draw``
  again and shows the new PNG.
* **static** (the book build, ``MATHDL_WIDGETS=static``): ``draw`` runs once for
  every combination of the controls' ``static`` values; the frames go into the
  page as data, and ``book/_static/mathdl-explorer.js`` swaps them as the
  reader moves the controls. No kernel and no network are needed.

The explorers of the book are functions at the end of this module, such as
:func:`matrix_explorer`. A chapter displays one as the last expression of a
cell; Jupyter picks the form through ``_repr_mimebundle_``.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

STATIC_ENV = "MATHDL_WIDGETS"


def static_mode() -> bool:
    """True when explorers should render their precomputed website form.

    The book build sets ``MATHDL_WIDGETS=static``; Jupyter sessions leave it unset.
    """
    return os.environ.get(STATIC_ENV, "live") == "static"


@dataclass(frozen=True)
class Slider:
    """One control of an explorer.

    Parameters
    ----------
    name : str
        Keyword passed to the drawing function.
    min, max, step, value : float
        Range, resolution and start value of the live slider.
    static : sequence of float
        The values offered on the website (each one is a precomputed frame);
        must contain ``value`` and lie within ``[min, max]``.
    label : str, optional
        Text shown next to the slider; defaults to ``name``.
    """

    name: str
    min: float
    max: float
    step: float
    value: float
    static: tuple[float, ...]
    label: str | None = None

    def __post_init__(self):
        static = tuple(self.static)
        object.__setattr__(self, "static", static)
        if not self.min <= self.value <= self.max:
            raise ValueError(
                f"Slider {self.name!r}: value {self.value} lies outside [{self.min}, {self.max}]"
            )
        if self.value not in static:
            raise ValueError(
                f"Slider {self.name!r}: static values {static} must contain value {self.value}"
            )
        if any(not self.min <= v <= self.max for v in static):
            raise ValueError(
                f"Slider {self.name!r}: static values {static} leave [{self.min}, {self.max}]"
            )

    @property
    def is_integer(self) -> bool:
        """Whether every setting of the slider is a whole number."""
        return all(float(v).is_integer() for v in (self.min, self.max, self.step, *self.static))

    def live(self):
        """An ipywidgets slider (integer or float) over ``[min, max]``."""
        import ipywidgets as w

        cls, cast = (w.IntSlider, int) if self.is_integer else (w.FloatSlider, float)
        bounds = dict(value=self.value, min=self.min, max=self.max, step=self.step)
        return cls(
            **{k: cast(v) for k, v in bounds.items()},
            description=self.label or self.name,
            continuous_update=True,
        )

    def html(self) -> str:
        """A range input over the indices of the static values."""
        label = html.escape(self.label or self.name)
        values = html.escape(json.dumps([f"{v:g}" for v in self.static]))
        return (
            f'<label class="mathdl-control"><span>{label}</span>'
            f'<input type="range" min="0" max="{len(self.static) - 1}" step="1" '
            f'value="{self.static.index(self.value)}" data-values="{values}" aria-label="{label}">'
            f"<output>{self.value:g}</output></label>"
        )


@dataclass(frozen=True)
class Choice:
    """A control that picks one of a few named options (a function, an activation...).

    Parameters
    ----------
    name : str
        Keyword passed to the drawing function (it receives the option string).
    options : sequence of str
        Every option; all of them are precomputed on the website.
    value : str
        The start option.
    label : str, optional
        Text shown next to the control; defaults to ``name``.
    """

    name: str
    options: tuple[str, ...]
    value: str
    label: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "options", tuple(self.options))
        if self.value not in self.options:
            raise ValueError(
                f"Choice {self.name!r}: value {self.value!r} is not one of {self.options}"
            )

    @property
    def static(self) -> tuple[str, ...]:
        """On the website every option is offered."""
        return self.options

    def live(self):
        """An ipywidgets drop-down."""
        import ipywidgets as w

        return w.Dropdown(
            options=self.options, value=self.value, description=self.label or self.name
        )

    def html(self) -> str:
        """A ``<select>`` whose selected index picks the frame."""
        label = html.escape(self.label or self.name)
        options = "".join(
            f"<option{' selected' if o == self.value else ''}>{html.escape(o)}</option>"
            for o in self.options
        )
        return (
            f'<label class="mathdl-control"><span>{label}</span>'
            f'<select aria-label="{label}">{options}</select></label>'
        )


Control = Slider | Choice


class Explorer:
    """An interactive figure: controls feeding a drawing function.

    Parameters
    ----------
    draw : callable
        ``draw(fig, **values)`` draws on a cleared :class:`matplotlib.figure.Figure`.
    controls : sequence of Slider or Choice
        Their names are the keywords of ``draw``.
    title : str
        Shown above the figure and used as the image's alt text.
    figsize : (float, float)
        Figure size in inches.
    dpi : int
        Resolution of the PNG frames.
    """

    def __init__(
        self,
        draw: Callable[..., None],
        controls: Sequence[Control],
        *,
        title: str,
        figsize: tuple[float, float] = (7.0, 3.5),
        dpi: int = 90,
    ):
        names = [c.name for c in controls]
        if len(set(names)) != len(names):
            raise ValueError(f"Explorer: control names must be unique, got {names}")
        self.draw = draw
        self.controls = tuple(controls)
        self.title = title
        self._figure = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self._figure)

    def defaults(self) -> dict[str, float]:
        """The start value of every slider."""
        return {s.name: s.value for s in self.controls}

    def render(self, **values) -> bytes:
        """Draw the figure for ``values`` (missing ones take their defaults); return PNG bytes."""
        unknown = set(values) - set(self.defaults())
        if unknown:
            raise TypeError(f"Explorer.render: unknown controls {sorted(unknown)}")
        fig = self._figure
        fig.clear()
        self.draw(fig, **(self.defaults() | values))
        fig.canvas.draw()  # one Agg pass; savefig would draw twice
        pixels = Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba())
        buffer = io.BytesIO()
        pixels.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    # -- live form ---------------------------------------------------------------------------
    def widget(self):
        """The live form: ipywidgets sliders above an image that redraws on every move."""
        import ipywidgets as w

        image = w.Image(value=self.render(), format="png")
        controls = {c.name: c.live() for c in self.controls}

        def update(_change):
            image.value = self.render(**{name: c.value for name, c in controls.items()})

        for control in controls.values():
            control.observe(update, names="value")
        title = w.HTML(f"<b>{html.escape(self.title)}</b>")
        return w.VBox([title, *controls.values(), image])

    # -- static form -------------------------------------------------------------------------
    def frames(self) -> list[bytes]:
        """PNG frames for every combination of static values, in row-major slider order."""
        grid = itertools.product(*(s.static for s in self.controls))
        return [
            _compress_png(self.render(**dict(zip(self.defaults(), combo, strict=True))))
            for combo in grid
        ]

    def static_html(self) -> str:
        """The website form: range inputs, the start frame and all frames as inline data."""
        frames = [base64.b64encode(f).decode("ascii") for f in self.frames()]
        start = int(
            np.ravel_multi_index(
                [s.static.index(s.value) for s in self.controls],
                [len(s.static) for s in self.controls],
            )
        )
        controls = "\n".join(c.html() for c in self.controls)
        data = json.dumps({"shape": [len(s.static) for s in self.controls], "frames": frames})
        title = html.escape(self.title)
        return (
            f'<figure class="mathdl-explorer">\n<figcaption>{title}</figcaption>\n'
            f'<div class="mathdl-controls">\n{controls}\n</div>\n'
            f'<img class="mathdl-frame" alt="{title}" '
            f'src="data:image/png;base64,{frames[start]}">\n'
            f'<script type="application/json" class="mathdl-frames">{data}</script>\n</figure>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        if static_mode():
            return {"text/html": self.static_html(), "text/plain": f"<Explorer: {self.title}>"}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


def _compress_png(png: bytes) -> bytes:
    """Re-encode a PNG with a 64-colour palette: a third of the bytes, same look for plots."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(
        out, format="png", optimize=True
    )
    return out.getvalue()


# -- the explorers of the book ---------------------------------------------------------------


def _plane(ax, lim: float, title: str) -> None:
    """A square plot of the plane with unit grid lines and no ticks (ticks cost 60 ms)."""
    t = np.arange(-np.floor(lim), np.floor(lim) + 1)  # (g,)
    ends, gap = np.full_like(t, lim), np.full_like(t, np.nan)
    xs = np.stack([-ends, ends, gap], axis=1).ravel()  # (3g,) segments split by NaN
    ys = np.repeat(t, 3)  # (3g,)
    ax.plot(np.r_[xs, ys], np.r_[ys, xs], color="0.9", lw=0.8, zorder=0)  # one artist
    ax.plot([-lim, lim, np.nan, 0, 0], [0, 0, np.nan, -lim, lim], color="0.6", lw=0.8, zorder=0)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])
    ax.set_title(title, fontsize=10)


def _arrow(ax, tip, color: str, text: str, offset) -> None:
    ax.annotate("", tip, (0, 0), arrowprops=dict(arrowstyle="->", color=color, lw=2))
    ax.text(*(tip + offset), text, color=color, ha="center", va="center")


def _draw_matrix(fig: Figure, a: float, b: float, c: float, d: float) -> None:
    """Unit circle and its image under [[a, b], [c, d]], with singular and eigen directions."""
    from mathdl.linalg import eig_2x2, svd

    A = np.array([[a, b], [c, d]])
    U, S, Vh = svd(A)
    theta = np.linspace(0.0, 2.0 * np.pi, 200)
    circle = np.stack([np.cos(theta), np.sin(theta)])  # (2, 200)
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.02, right=0.98, bottom=0.02, top=0.8))
    _plane(left, 1.6, "input: the unit circle, grid = 1")
    _plane(right, 4.2, "output: its image A x")
    left.plot(*circle, color="0.3", lw=1.5)
    right.plot(*(A @ circle), color="0.3", lw=1.5)
    for i, color in enumerate(("tab:blue", "tab:orange")):
        _arrow(left, Vh[i], color, f"$v_{i + 1}$", 0.2 * Vh[i])
        _arrow(right, S[i] * U[:, i], color, f"$\\sigma_{i + 1} u_{i + 1}$", 0.6 * U[:, i])
    eigenvalues, eigenvectors = eig_2x2(A)
    real = bool(np.all(eigenvalues.imag == 0))
    for k in range(2 if real else 0):
        for ax in (left, right):
            label = "eigenvector directions" if k == 0 else None
            ax.axline(
                (0, 0), eigenvectors[:, k].real, color="tab:green", ls="--", lw=1, label=label
            )
    if real:
        right.legend(loc="lower right", fontsize=8)
    lam = eigenvalues[0]
    eig_text = (
        f"{eigenvalues[0].real:.2f}, {eigenvalues[1].real:.2f}"
        if real
        else f"{lam.real:.2f} ± {abs(lam.imag):.2f}i (complex: no real eigenvector)"
    )
    fig.suptitle(
        f"A = [[{a:.1f}, {b:.1f}], [{c:.1f}, {d:.1f}]]    σ = {S[0]:.2f}, {S[1]:.2f}    "
        f"λ = {eig_text}",
        fontsize=10,
    )


def matrix_explorer() -> Explorer:
    """A 2×2 matrix editor: the unit circle's image, singular vectors and values, eigenvectors.

    Examples
    --------
    >>> [c.name for c in matrix_explorer().controls]
    ['a', 'b', 'c', 'd']
    """
    diagonal, off_diagonal = (0.0, 1.0, 2.0), (-1.0, 0.0, 1.0)  # 81 frames on the site
    sliders = [
        Slider("a", -2.0, 2.0, 0.1, 2.0, diagonal, label="a₁₁"),
        Slider("b", -2.0, 2.0, 0.1, 1.0, off_diagonal, label="a₁₂"),
        Slider("c", -2.0, 2.0, 0.1, 0.0, off_diagonal, label="a₂₁"),
        Slider("d", -2.0, 2.0, 0.1, 1.0, diagonal, label="a₂₂"),
    ]
    return Explorer(
        _draw_matrix, sliders, title="A 2×2 matrix acting on the unit circle", figsize=(7.0, 3.6)
    )


def low_rank_explorer(image: np.ndarray) -> Explorer:
    """A rank-k slider on a grayscale image: the best rank-k approximation by the SVD.

    Parameters
    ----------
    image : (m, n) array
        Grayscale image; factorised once, so each slider move costs one product.
    """
    from mathdl.linalg import svd

    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(
            f"low_rank_explorer: expected a 2-D grayscale image, got shape {image.shape}"
        )
    U, S, Vh = svd(image, full_matrices=False)  # (m, r), (r,), (r, n)
    m, n = image.shape
    r = len(S)
    total = np.sum(S**2)

    def draw(fig: Figure, k: int) -> None:
        k = int(k)
        approx = (U[:, :k] * S[:k]) @ Vh[:k]  # (m, n)
        error = np.sqrt(np.sum(S[k:] ** 2) / total)
        left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.01, right=0.99, top=0.9))
        for ax, picture, name in ((left, image, "original"), (right, approx, f"rank {k}")):
            ax.imshow(picture, cmap="gray", vmin=image.min(), vmax=image.max())
            ax.set(title=name, xticks=[], yticks=[])
        storage = k * (m + n + 1) / (m * n)
        right.set_xlabel(f"error {error:.3f}, storage {storage:.1%}")

    static = sorted({k for k in (1, 2, 5, 10, 20, 50, 100, r) if k <= r})
    slider = Slider("k", 1, r, 1, min(10, r), static, label="rank k")
    return Explorer(draw, [slider], title="Low-rank approximation of an image", figsize=(7.0, 3.0))


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


def _draw_taylor(fig: Figure, function: str, a: float, order: int) -> None:
    """f and its Taylor polynomial of the given order at a; the error on a log scale."""
    from mathdl.calculus import taylor_polynomial

    f, nth_derivative, (lo, hi), ylim = _TAYLOR_FUNCTIONS[function]
    x = np.linspace(lo, hi, 400)
    T = taylor_polynomial([nth_derivative(a, n) for n in range(int(order) + 1)], a, x)
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.07, right=0.98, bottom=0.14))
    left.plot(x, f(x), color="0.2", lw=2, label=f"f(x) = {function}")
    left.plot(x, T, color="tab:red", lw=1.5, label=f"Taylor polynomial, order {int(order)}")
    left.plot([a], [f(a)], "o", color="tab:red")
    left.set(ylim=ylim, xlabel="x", title=f"{function} and its expansion at a = {a:g}")
    left.legend(loc="upper left", fontsize=8)
    error = np.maximum(np.abs(f(x) - T), 1e-17)  # exact at x = a; keep the log finite
    right.semilogy(x, error, color="tab:red")
    right.set(ylim=(1e-17, 1e3), xlabel="x", title="error |f(x) − T(x)|")
    for ax in (left, right):
        ax.axvline(a, color="0.8", lw=1, zorder=0)


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


def _layer_statistics(activation: str, init: str, depth: int, width: int = 64):
    """Forward a batch through a deep MLP and back; per layer, activation std and grad norm."""
    from mathdl import nn
    from mathdl.autodiff import Tensor

    modules = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "gelu": nn.GELU}
    net = nn.MLP([width] * (depth + 1), activation=modules[activation], init=init, rng=0)
    h = Tensor(np.random.default_rng(1).standard_normal((128, width)))  # (batch, width)
    stds = []
    for layer in net.layers:
        h = layer(h)
        if not isinstance(layer, nn.Linear):
            stds.append(float(h.data.std()))
    (h**2).mean().backward()
    linears = [layer for layer in net.layers if isinstance(layer, nn.Linear)]
    grads = [float(np.sqrt(np.sum(layer.weight.grad**2))) for layer in linears]
    return np.array(stds), np.array(grads)


def _draw_gradient_flow(fig: Figure, activation: str, init: str, depth: int) -> None:
    stds, grads = _layer_statistics(activation, init, int(depth))
    left, right = fig.subplots(
        1, 2, gridspec_kw=dict(left=0.09, right=0.98, bottom=0.15, wspace=0.3)
    )
    left.plot(np.arange(1, len(stds) + 1), stds, "o-", color="tab:blue", ms=3)
    left.set(xlabel="hidden layer", ylabel="std of activations", ylim=(0, 1.5))
    left.set_title(f"forward: {activation}, {init} init", fontsize=10)
    right.semilogy(
        np.arange(1, len(grads) + 1), np.maximum(grads, 1e-20), "o-", color="tab:red", ms=3
    )
    right.set(xlabel="layer", ylabel="‖∂L/∂W‖ (Frobenius)", ylim=(1e-20, 1e4))
    right.set_title(f"backward: first/last = {grads[0] / grads[-1]:.1e}", fontsize=10)


def gradient_flow_explorer() -> Explorer:
    """Activation std and gradient norm per layer of a deep MLP: activation, init, depth.

    Examples
    --------
    >>> [c.name for c in gradient_flow_explorer().controls]
    ['activation', 'init', 'depth']
    """
    controls = [
        Choice("activation", ("sigmoid", "tanh", "relu", "gelu"), "tanh"),
        Choice("init", ("default", "xavier", "he"), "default", label="initialisation"),
        Slider("depth", 2, 50, 1, 20, (5, 10, 20, 40), label="depth"),
    ]
    return Explorer(
        _draw_gradient_flow, controls, title="Gradients through depth", figsize=(7.0, 3.2)
    )
