"""Explorers of chapter 1, linear algebra: a 2×2 matrix on the plane, low-rank images.

Each explorer follows :mod:`mathdl.widgets`: ``draw(fig)`` builds the figure once,
with the moving artists ``animated=True``, and returns ``update(**values)``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from mathdl._validation import as_real
from mathdl.linalg import eig_2x2, low_rank, svd
from mathdl.widgets import Explorer, Slider

__all__ = ["book_image", "low_rank_explorer", "matrix_explorer"]


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


def _arrow(ax, color: str, text: str):
    """An animated arrow from the origin and its label; returns ``move(tip, label_at)``."""
    arrow = FancyArrowPatch(
        (0, 0), (1, 0), arrowstyle="->", mutation_scale=10, color=color, lw=2, animated=True
    )
    ax.add_patch(arrow)
    label = ax.text(0, 0, text, color=color, ha="center", va="center", animated=True)

    def move(tip, label_at) -> None:
        arrow.set_positions((0, 0), tuple(tip))
        label.set_position(tuple(label_at))

    return move


def _draw_matrix(fig: Figure):
    """Unit circle and its image under [[a, b], [c, d]], with singular and eigen directions."""
    theta = np.linspace(0.0, 2.0 * np.pi, 200)
    circle = np.stack([np.cos(theta), np.sin(theta)])  # (2, 200)
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.02, right=0.98, bottom=0.02, top=0.8))
    _plane(left, 1.6, "input: the unit circle, grid = 1")
    _plane(right, 4.2, "output: its image A x")
    left.plot(*circle, color="0.3", lw=1.5)
    (image,) = right.plot([], [], color="0.3", lw=1.5, animated=True)
    colors = ("tab:blue", "tab:orange")
    v_arrows = [_arrow(left, c, f"$v_{i + 1}$") for i, c in enumerate(colors)]
    u_arrows = [_arrow(right, c, f"$\\sigma_{i + 1} u_{i + 1}$") for i, c in enumerate(colors)]
    eig_lines = [
        ax.plot([], [], color="tab:green", ls="--", lw=1, animated=True)[0]
        for ax in (left, right)
        for _ in range(2)
    ]  # left: 2 directions, right: 2 directions
    legend = right.legend(
        handles=eig_lines[2:3], labels=["eigenvector directions"], loc="lower right", fontsize=8
    )
    legend.set_animated(True)
    heading = fig.text(0.5, 0.98, "", ha="center", va="top", fontsize=10, animated=True)

    def update(a: float, b: float, c: float, d: float) -> None:
        A = np.array([[a, b], [c, d]])
        U, S, Vh = svd(A)
        image.set_data(*(A @ circle))
        for i in range(2):
            v_arrows[i](Vh[i], 1.2 * Vh[i])
            u_arrows[i](S[i] * U[:, i], S[i] * U[:, i] + 0.6 * U[:, i])
        eigenvalues, eigenvectors = eig_2x2(A)
        real = bool(np.all(eigenvalues.imag == 0))
        for k, line in enumerate(eig_lines):
            direction = 10.0 * eigenvectors[:, k % 2].real  # beyond both planes: clipped
            line.set_data([-direction[0], direction[0]], [-direction[1], direction[1]])
            line.set_visible(real)
        legend.set_visible(real)
        lam = eigenvalues[0]
        eig_text = (
            f"{eigenvalues[0].real:.2f}, {eigenvalues[1].real:.2f}"
            if real
            else f"{lam.real:.2f} ± {abs(lam.imag):.2f}i (complex: no real eigenvector)"
        )
        heading.set_text(
            f"A = [[{a:.1f}, {b:.1f}], [{c:.1f}, {d:.1f}]]    σ = {S[0]:.2f}, {S[1]:.2f}    "
            f"λ = {eig_text}"
        )

    return update


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


def low_rank_explorer(image) -> Explorer:
    """A rank-k slider on a grayscale image: the best rank-k approximation by the SVD.

    Parameters
    ----------
    image : (m, n) array_like
        Grayscale image; factorised once, so each slider move costs one
        :func:`mathdl.linalg.low_rank` product.

    Raises
    ------
    TypeError
        If ``image`` is not real numbers.
    ValueError
        If ``image`` is not 2-D (a colour image, say), has no pixels, or is not finite.

    Examples
    --------
    >>> explorer = low_rank_explorer(np.arange(12.0).reshape(3, 4))
    >>> explorer.controls[0].static
    (1, 2, 3)
    """
    func = "low_rank_explorer"
    image = as_real(image, func, "image", finite=True)
    if image.ndim != 2:
        raise ValueError(f"{func}: image must be a 2-D grayscale array, got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"{func}: image must have pixels, got shape {image.shape}")
    U, S, Vh = svd(image, full_matrices=False)  # (m, r), (r,), (r, n)
    m, n = image.shape
    r = len(S)
    # relative error sqrt(sum_{i >= k} S_i^2 / sum S_i^2), on S / S_0: no overflow or 0 / 0
    rel = S / S[0] if S[0] > 0 else np.zeros_like(S)
    tail = np.sqrt(np.cumsum((rel**2)[::-1])[::-1] / max(float(rel @ rel), 1.0))  # (r,)

    def draw(fig: Figure):
        left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.01, right=0.99, top=0.9))
        shade = dict(cmap="gray", vmin=image.min(), vmax=image.max())
        left.imshow(image, **shade)
        left.set(title="original", xticks=[], yticks=[])
        approx = right.imshow(np.zeros_like(image), **shade, animated=True)
        right.set(xticks=[], yticks=[])
        title = right.text(
            0.5, 1.02, "", transform=right.transAxes, ha="center", fontsize="large", animated=True
        )
        caption = right.text(
            0.5, -0.03, "", transform=right.transAxes, ha="center", va="top", animated=True
        )

        def update(k: int) -> None:
            approx.set_data(low_rank(U, S, Vh, k))  # (m, n)
            error = tail[k] if k < r else 0.0
            storage = k * (m + n + 1) / (m * n)
            title.set_text(f"rank {k}")
            caption.set_text(f"error {error:.3f}, storage {storage:.1%}")

        return update

    static = sorted({k for k in (1, 2, 5, 10, 20, 50, 100, r) if k <= r})
    slider = Slider("k", 1, r, 1, min(10, r), static, label="rank k")
    return Explorer(draw, [slider], title="Low-rank approximation of an image", figsize=(7.0, 3.0))


def book_image() -> np.ndarray:
    """The image of the SVD section: scikit-learn's ``china.jpg``, grey, every 2nd pixel.

    Returns
    -------
    (214, 320) ndarray
        Values in ``[0, 255]``.
    """
    from sklearn.datasets import load_sample_image  # ships with scikit-learn: no download

    return load_sample_image("china.jpg").mean(axis=2)[::2, ::2]  # (214, 320)
