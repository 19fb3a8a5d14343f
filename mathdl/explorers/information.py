"""Explorers of chapter 4, information theory: forward and reverse KL to a bimodal target.

Each explorer follows :mod:`mathdl.widgets`: ``draw(fig)`` builds the figure once,
with the moving artists ``animated=True``, and returns ``update(**values)``. The
divergences are :func:`mathdl.information.kl_divergence` of the discretised densities;
the reverse-KL optima are found by :func:`mathdl.optim.lbfgs` with gradients from
:mod:`mathdl.autodiff`.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure

from mathdl import functional as F
from mathdl.autodiff import Tensor
from mathdl.information import kl_divergence
from mathdl.optim import lbfgs
from mathdl.probability import Normal
from mathdl.widgets import Explorer, Slider

__all__ = ["KL_TARGET", "discretised_normal", "kl_explorer", "kl_optima", "kl_pair", "kl_target"]

#: The target: a mixture of two normals (weights, means, one std) on a grid of points.
KL_TARGET = {
    "weights": (0.6, 0.4),
    "means": (-2.5, 2.5),
    "std": 0.7,
    "grid": (-12.0, 12.0, 1201),
}


@functools.cache
def _grid() -> np.ndarray:
    lo, hi, points = KL_TARGET["grid"]
    x = np.linspace(lo, hi, points)
    x.setflags(write=False)  # cached: shared by every caller
    return x


@functools.cache
def kl_target() -> tuple[np.ndarray, np.ndarray]:
    """The grid ``x`` and the target ``p`` on it: the mixture's density, normalised.

    Returns
    -------
    x : (K,) ndarray
    p : (K,) ndarray
        ``softmax(log p(x))`` with ``log p(x) = logsumexp_k(log w_k + log N(x; m_k, s^2))``:
        probabilities summing to 1.

    Examples
    --------
    >>> x, p = kl_target()
    >>> x.shape, round(float(p.sum()), 12)
    ((1201,), 1.0)
    """
    x = _grid()
    w, m, s = (np.asarray(KL_TARGET[k]) for k in ("weights", "means", "std"))
    components = np.log(w)[:, None] + Normal(m[:, None], s).log_prob(x)  # (2, K)
    p = F.softmax(F.logsumexp(components, dim=0), dim=-1)  # (K,)
    p.setflags(write=False)  # cached: shared by every caller
    return x, p


def discretised_normal(mean, std):
    """``q = N(mean, std^2)`` on the grid of :func:`kl_target`, normalised: ``softmax(log q(x))``.

    ``mean`` and ``std`` may be arrays of one shape ``S`` (the result is ``S + (K,)``) or
    0-d Tensors (the result is a differentiable Tensor).

    Examples
    --------
    >>> q = discretised_normal(0.0, 1.0)
    >>> q.shape, round(float(q.sum()), 12)
    ((1201,), 1.0)
    """
    if not isinstance(mean, Tensor):
        mean, std = np.asarray(mean, float)[..., None], np.asarray(std, float)[..., None]
    return F.softmax(Normal(mean, std).log_prob(_grid()), dim=-1)  # (..., K)


def kl_pair(mean, std) -> tuple[np.ndarray, np.ndarray]:
    """``(KL(p || q), KL(q || p))`` for ``q = N(mean, std^2)``, on the grid.

    Both from :func:`mathdl.information.kl_divergence` of :func:`kl_target` and
    :func:`discretised_normal`; ``mean`` and ``std`` broadcast.

    Examples
    --------
    >>> forward, reverse = kl_pair(-2.5, 0.7)  # q on the heavier mode
    >>> print(round(float(reverse), 3), bool(forward > reverse))  # about -log 0.6
    0.51 True
    """
    _, p = kl_target()
    q = discretised_normal(*np.broadcast_arrays(np.asarray(mean, float), np.asarray(std, float)))
    p = np.broadcast_to(p, q.shape)
    return kl_divergence(p, q), kl_divergence(q, p)


def _reverse_kl(theta: np.ndarray) -> tuple[float, np.ndarray]:
    """``KL(q || p)`` at ``theta = (mean, log std)`` and its gradient, by autodiff."""
    t = Tensor(theta, requires_grad=True)
    kl = kl_divergence(discretised_normal(t[0], t[1].exp()), kl_target()[1])
    kl.backward()
    return kl.item(), t.grad


@functools.cache
def kl_optima() -> dict:
    """The Gaussians closest to the target: forward KL (one) and reverse KL (one per mode).

    Returns
    -------
    dict
        ``"forward"``: ``(mean, std)`` of ``p`` on the grid (moment matching, the
        minimiser of ``KL(p || q)`` over Gaussians ``q``); ``"reverse"``: a tuple of
        ``(mean, std)``, one per mode, the minimisers of ``KL(q || p)`` found by
        :func:`mathdl.optim.lbfgs` on ``(mean, log std)`` started at that mode.

    Notes
    -----
    ``KL(p || q) = -H(p) - E_p[log q]``, and for a Gaussian ``q`` the term ``E_p[log q]``
    depends on ``p`` only through its mean and variance: it is largest when ``q`` has
    them. ``KL(q || p)`` has a local minimum at each mode of a well-separated mixture,
    ``q`` sitting on it at about ``-log w_k``.

    Examples
    --------
    >>> opt = kl_optima()
    >>> [round(v, 2) for v in opt["forward"]]
    [-0.5, 2.55]
    >>> [[round(v, 2) for v in r] for r in opt["reverse"]]
    [[-2.5, 0.7], [2.5, 0.7]]
    """
    x, p = kl_target()
    mean = float(p @ x)
    forward = (mean, float(np.sqrt(p @ (x - mean) ** 2)))
    reverse = []
    for m in KL_TARGET["means"]:
        res = lbfgs(
            lambda th: _reverse_kl(th)[0], lambda th: _reverse_kl(th)[1], [m, 0.0], tol=1e-9
        )
        reverse.append((float(res.x[0]), float(np.exp(res.x[1]))))
    return {"forward": forward, "reverse": tuple(reverse)}


# The live ranges of the sliders, also the plane's limits. The grid [-12, 12] holds q near
# the forward optimum (mean -0.5, std 2.55: 4.5 std to either end, a truncated mass below
# 1e-5); a corner q (mean 4, std 3) loses 0.4% past an end and is renormalised on the grid.
# No q of these ranges underflows to 0 on the grid (its ends are < 38 std from any mean),
# which would make KL(p || q) infinite.
_MEANS = (-4.0, 4.0)
_STDS = (0.5, 3.0)


@functools.cache
def _plane_data() -> tuple[np.ndarray, ...]:
    """Means, stds and both divergences on a (26, 41) grid of the (mean, std) plane."""
    m, s = np.meshgrid(np.linspace(*_MEANS, 41), np.linspace(*_STDS, 26))  # (26, 41) each
    return m, s, *kl_pair(m, s)


def _plane(ax) -> None:
    """The (mean, std) plane: contours of both divergences and the optima (background)."""
    m, s, forward, reverse = _plane_data()  # (26, 41) each
    levels = (0.6, 1.0, 2.0, 4.0)  # nats; the minima are 0.51 to 0.92
    ax.contour(m, s, forward, levels, colors="tab:blue", linewidths=0.8)
    ax.contour(m, s, reverse, levels, colors="tab:red", linewidths=0.8)
    opt = kl_optima()
    ax.plot(*opt["forward"], "*", color="tab:blue", ms=12, mec="k")
    ax.plot(*np.transpose(opt["reverse"]), "^", color="tab:red", ms=8, mec="k")
    ax.set(xlim=_MEANS, ylim=_STDS, xlabel="mean of q", ylabel="std of q")
    ax.set_title("★ min KL(p‖q)\n▲ KL(q‖p) minima at the modes", fontsize=8.5)  # 2 lines: fits


def _draw_kl(fig: Figure):
    left, right = fig.subplots(
        1, 2, gridspec_kw=dict(width_ratios=(1.5, 1), left=0.03, right=0.98, bottom=0.25,
                               top=0.84, wspace=0.22)
    )  # fmt: skip
    x, p = kl_target()
    dx = x[1] - x[0]
    left.fill_between(x, p / dx, color="0.8", label="target p")
    (q_line,) = left.plot([], [], color="k", lw=1.8, label="q = N(mean, std²)", animated=True)
    left.set(xlim=(-6, 6), ylim=(0, 0.75), xlabel="x", yticks=[])
    left.legend(loc="upper right", fontsize=7)
    _plane(right)
    (here,) = right.plot([], [], "o", mfc="none", mec="k", ms=10, mew=1.5, animated=True)
    title = left.text(0.5, 1.03, "", transform=left.transAxes, ha="center", animated=True)
    fig.text(0.5, 0.015, "forward KL(p‖q) (blue) is mode-covering: q spreads over both modes;  "
             "reverse KL(q‖p) (red) is mode-seeking: q locks onto one.",
             ha="center", va="bottom", fontsize=7.5)  # fmt: skip

    def update(mean: float, std: float) -> None:
        q_line.set_data(x, discretised_normal(mean, std) / dx)  # density = probability / dx
        here.set_data([mean], [std])
        forward, reverse = kl_pair(mean, std)
        title.set_text(f"KL(p‖q) = {float(forward):.3f}     KL(q‖p) = {float(reverse):.3f}")

    return update


def kl_explorer() -> Explorer:
    """Forward and reverse KL from a Gaussian ``q`` to a bimodal target ``p``.

    Left: the target of :func:`kl_target` and ``q``, with both divergences
    (:func:`kl_pair`) in the title. Right: the plane of ``q``'s mean and std, with
    contours of both divergences, the forward optimum and the reverse optima
    (:func:`kl_optima`) and the current ``q``.

    Examples
    --------
    >>> [c.name for c in kl_explorer().controls]
    ['mean', 'std']
    """
    controls = [
        Slider("mean", *_MEANS, 0.1, 0.5, (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5), label="mean of q"),
        Slider("std", *_STDS, 0.05, 1.0, (0.7, 1.0, 1.5, 2.5, 3.0), label="std of q"),
    ]
    return Explorer(
        _draw_kl, controls, title="Forward and reverse KL divergence", figsize=(7.0, 3.0), dpi=90
    )
