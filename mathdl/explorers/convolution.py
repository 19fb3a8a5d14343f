"""Explorers of chapter 6, convolutional networks: a kernel sliding over a digit.

Each explorer follows :mod:`mathdl.widgets`: ``draw(fig)`` builds the figure once,
with the moving artists ``animated=True``, and returns ``update(**values)``. The
convolution and the output-size formula come from :mod:`mathdl.conv`.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from mathdl._validation import check_choice, check_int
from mathdl.conv import conv2d, output_size
from mathdl.widgets import Choice, Explorer, Slider

__all__ = ["CONV", "FORMULA", "KERNELS", "conv_digit", "conv_explorer", "conv_map"]

#: The 3 x 3 kernels of the explorer (cross-correlation weights, as conv2d applies them).
KERNELS = {
    "identity": np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    "box blur": np.full((3, 3), 1.0 / 9.0),
    "Gaussian": np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16.0,
    "Sobel x": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
    "Laplacian": np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]),
    "sharpen": np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
}
for _k in KERNELS.values():
    _k.setflags(write=False)
#: The experiment: image ``digit`` of ``sklearn.datasets.load_digits`` (a zero), divided
#: by 16; the largest stride, padding and dilation the controls offer.
CONV = {"digit": 0, "max_stride": 3, "max_padding": 2, "max_dilation": 3}
_SIDE, _K = 8, 3  # the digit is 8 x 8, every kernel 3 x 3
_VIEW = _SIDE + 2 * CONV["max_padding"]  # 12: cells shown in the input and output panels
_SPAN = CONV["max_dilation"] * (_K - 1) + 1  # 7: cells shown in the kernel panel
_OUT = _VIEW - _K + 1  # 10: the largest output, cells shown in the output panel
_PAD_COLOUR = (0.80, 0.88, 1.0)  # the zeros of the padding, light blue


@functools.cache
def conv_digit() -> np.ndarray:
    """The explorer's input: one 8 x 8 digit of ``load_digits``, scaled to ``[0, 1]``.

    Returns
    -------
    (8, 8) ndarray
        Read-only.

    Examples
    --------
    >>> x = conv_digit()
    >>> x.shape, float(x.min()), float(x.max()) <= 1.0
    ((8, 8), 0.0, True)
    """
    from sklearn.datasets import load_digits  # ships with scikit-learn: no download

    image = load_digits().images[CONV["digit"]] / 16.0  # (8, 8) in [0, 1]
    image.setflags(write=False)
    return image


def _geometry(kernel, stride, padding, dilation, func: str):
    kernel = check_choice(kernel, func, "kernel", tuple(KERNELS))
    stride = check_int(stride, func, "stride", min=1, max=CONV["max_stride"])
    padding = check_int(padding, func, "padding", min=0, max=CONV["max_padding"])
    dilation = check_int(dilation, func, "dilation", min=1, max=CONV["max_dilation"])
    return kernel, stride, padding, dilation


def conv_map(kernel: str, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """The output map the explorer shows: :func:`mathdl.conv.conv2d` of :func:`conv_digit`.

    Parameters
    ----------
    kernel : str
        A key of :data:`KERNELS`.
    stride : int in [1, 3]
    padding : int in [0, 2]
        Zeros on every side.
    dilation : int in [1, 3]

    Returns
    -------
    (H_out, W_out) ndarray
        ``H_out = W_out = floor((8 + 2 padding - dilation (3 - 1) - 1) / stride) + 1``.

    Raises
    ------
    TypeError, ValueError
        For an unknown kernel or a geometry out of range; the message starts
        ``conv_map:`` and names the argument.

    Examples
    --------
    >>> conv_map("identity", padding=1).shape, conv_map("Sobel x", stride=2, dilation=3).shape
    ((8, 8), (1, 1))
    >>> bool(np.array_equal(conv_map("identity", padding=1), conv_digit()))
    True
    """
    kernel, stride, padding, dilation = _geometry(kernel, stride, padding, dilation, "conv_map")
    x = conv_digit()[None, None]  # (1, 1, 8, 8)
    w = KERNELS[kernel][None, None]  # (1, 1, 3, 3)
    return conv2d(x, w, stride=stride, padding=padding, dilation=dilation)[0, 0]


def _fraction(w: float) -> str:
    """A kernel weight as the fraction it is (1/9, -4, 1/8)."""
    return str(Fraction(float(w)).limit_denominator(16))


#: The output-size formula, drawn once; :func:`_formula` writes its numbers after it.
FORMULA = "H_out = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1"


def _formula(stride: int, padding: int, dilation: int) -> str:
    """The right-hand side of :data:`FORMULA` with this geometry's numbers, and its value."""
    out = output_size(_SIDE, _K, stride, padding, dilation)
    return f" = ⌊({_SIDE} + 2·{padding} − {dilation}·({_K} − 1) − 1) / {stride}⌋ + 1 = {out}"


def _cells(ax, size: int, lo: float, title: str) -> None:
    """Grid lines between the cells of a square panel of ``size`` cells from ``lo``.

    Called after the panel's images, so that its limits are final. The lines are
    animated, to be drawn over the (animated) images; one collection per panel.
    """
    e = lo - 0.5 + np.arange(size + 1)  # (size + 1,) cell edges
    ends = np.full_like(e, e[0]), np.full_like(e, e[-1])
    vertical = np.stack([np.stack([e, ends[0]], -1), np.stack([e, ends[1]], -1)], 1)
    segments = np.concatenate([vertical, vertical[:, :, ::-1]])  # (2 (size + 1), 2, 2)
    ax.add_collection(
        LineCollection(segments, colors="0.8", linewidths=0.5, zorder=0.2, animated=True)
    )
    ax.set(xlim=(e[0], e[-1]), ylim=(e[-1], e[0]), xticks=[], yticks=[])
    ax.set_aspect("equal")
    where = blended_transform_factory(ax.transAxes, ax.figure.transFigure)
    ax.text(0.5, 0.9, title, transform=where, ha="center")  # one height for every panel


def _squares(corners: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """One polyline through the outlines of squares at ``corners`` (m, 2), NaN between them."""
    ring = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0], [np.nan, np.nan]]) * width
    path = (corners[:, None, :] + ring).reshape(-1, 2)  # (6 m, 2)
    return path[:, 0], path[:, 1]


def _draw_kernel_panel(ax):
    """The dilated kernel on a 7 x 7 grid, centred: weights as colours and fractions."""
    image = ax.imshow(np.zeros((_SPAN, _SPAN)), zorder=0.1, animated=True)
    labels = [
        ax.text(0, 0, "", ha="center", va="center", fontsize=7, animated=True)
        for _ in range(_K * _K)
    ]
    _cells(ax, _SPAN, 0, "kernel (dilated)")

    def update(kernel: str, dilation: int) -> None:
        w = KERNELS[kernel]
        grid = np.full((_SPAN, _SPAN), np.nan)
        taps = (_SPAN - 1) // 2 - dilation + dilation * np.arange(_K)  # centred tap positions
        grid[np.ix_(taps, taps)] = w
        top = np.abs(w).max()
        signed = w.min() < 0  # as the output panel: diverging for signed, grey otherwise
        image.set_data(np.ma.masked_invalid(grid))
        image.set_cmap("RdBu_r" if signed else "gray_r")
        image.set_clim(-top if signed else 0, top)
        for label, (p, q) in zip(labels, np.ndindex(_K, _K), strict=True):
            label.set_position((taps[q], taps[p]))
            label.set_text(_fraction(w[p, q]))
            label.set_color("white" if abs(w[p, q]) > 0.6 * top else "black")

    return update


def _padded_digit(padding: int) -> np.ndarray:
    """The digit in grey with its ring of zero padding in light blue: (8 + 2p, 8 + 2p, 3)."""
    side = _SIDE + 2 * padding
    rgb = np.empty((side, side, 3))
    rgb[:] = _PAD_COLOUR
    rgb[padding : padding + _SIDE, padding : padding + _SIDE] = 1 - conv_digit()[:, :, None]
    return rgb


def _draw_input_panel(ax):
    """The zero-padded digit, the taps of output (0, 0) and the centre of every window."""
    lo = -CONV["max_padding"]
    digit = ax.imshow(np.ones((1, 1, 3)), zorder=0.1, animated=True)
    (taps,) = ax.plot([], [], color="tab:red", lw=1.6, zorder=3, animated=True)
    (span,) = ax.plot([], [], color="tab:red", ls="--", lw=0.8, zorder=3, animated=True)
    (centres,) = ax.plot([], [], "o", color="tab:orange", ms=2.5, zorder=4, animated=True)
    _cells(ax, _VIEW, lo, "input, zero-padded")

    def update(stride: int, padding: int, dilation: int) -> None:
        edge = -padding - 0.5
        digit.set_data(_padded_digit(padding))
        digit.set_extent((edge, _SIDE + padding - 0.5, _SIDE + padding - 0.5, edge))
        first = -padding + dilation * np.arange(_K)  # rows (and columns) of output (0, 0)'s taps
        rows, cols = np.meshgrid(first, first, indexing="ij")  # (3, 3)
        taps.set_data(*_squares(np.column_stack([cols.ravel(), rows.ravel()]) - 0.5, 1.0))
        span.set_data(*_squares(np.array([[edge, edge]]), dilation * (_K - 1) + 1.0))
        n = output_size(_SIDE, _K, stride, padding, dilation)
        c = -padding + dilation * (_K - 1) / 2 + stride * np.arange(n)  # (n,) window centres
        rows, cols = np.meshgrid(c, c, indexing="ij")  # (n, n)
        centres.set_data(cols.ravel(), rows.ravel())

    return update


def _draw_output_panel(ax):
    """The output map at the input's scale, its first value outlined."""
    image = ax.imshow(np.zeros((1, 1)), zorder=0.1, animated=True)
    corner = _squares(np.array([[-0.5, -0.5]]), 1.0)
    ax.plot(*corner, color="tab:red", lw=1.6, zorder=3, animated=True)  # over the image
    _cells(ax, _OUT, 0, "output")

    def update(kernel: str, stride: int, padding: int, dilation: int) -> None:
        y = conv_map(kernel, stride, padding, dilation)  # (n, n)
        n = y.shape[0]
        image.set_data(y)
        image.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        if KERNELS[kernel].min() < 0:  # signed output: a diverging map, symmetric limits
            top = max(np.abs(y).max(), 1e-12)
            image.set_cmap("RdBu_r")
            image.set_clim(-top, top)
        else:
            image.set_cmap("gray_r")
            image.set_clim(0, 1)

    return update


def _draw_conv(fig: Figure):
    """Kernel, padded input with the first window, output map; the size formula below."""
    axes = fig.subplots(
        1, 3, gridspec_kw=dict(width_ratios=(_SPAN, _VIEW, _OUT), left=0.02, right=0.98,
                               bottom=0.16, top=0.86, wspace=0.12),
    )  # fmt: skip
    kernel_update = _draw_kernel_panel(axes[0])
    input_update = _draw_input_panel(axes[1])
    output_update = _draw_output_panel(axes[2])
    fig.text(0.485, 0.05, FORMULA, ha="right", fontsize=10)
    numbers = fig.text(0.485, 0.05, "", ha="left", fontsize=10, animated=True)

    def update(kernel: str, stride: int, padding: int, dilation: int) -> None:
        kernel_update(kernel, dilation)
        input_update(stride, padding, dilation)
        output_update(kernel, stride, padding, dilation)
        numbers.set_text(_formula(stride, padding, dilation))

    return update


def conv_explorer() -> Explorer:
    """A 3 x 3 kernel on a digit: kernel, stride, padding and dilation.

    Shows the (dilated) kernel of :data:`KERNELS`, the zero-padded input digit
    (:func:`conv_digit`) with the taps of the first output's window in red and the
    centre of every window in orange, the output map :func:`conv_map` at the input's
    scale, and the output-size formula of :func:`mathdl.conv.output_size` with the
    setting's numbers.

    Examples
    --------
    >>> [c.name for c in conv_explorer().controls]
    ['kernel', 'stride', 'padding', 'dilation']
    """
    controls = [
        Choice("kernel", tuple(KERNELS), "Sobel x"),
        Slider("stride", 1, CONV["max_stride"], 1, 1, (1, 2, 3), label="stride s"),
        Slider("padding", 0, CONV["max_padding"], 1, 1, (0, 1, 2), label="padding p"),
        Slider("dilation", 1, CONV["max_dilation"], 1, 1, (1, 2, 3), label="dilation d"),
    ]
    return Explorer(_draw_conv, controls, title="Convolution arithmetic", figsize=(7.5, 3.0))
