"""Explorers of chapter 3, probability: the central limit theorem, Beta--Bernoulli updating.

Each explorer follows :mod:`mathdl.widgets`: ``draw(fig)`` builds the figure once,
with the moving artists ``animated=True``, and returns ``update(**values)``. The
distributions, their moments and the conjugate update come from
:mod:`mathdl.probability`.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import Affine2D

from mathdl.probability import Bernoulli, Beta, Normal, beta_bernoulli_update, mle_bernoulli
from mathdl.widgets import Choice, Explorer, Slider

__all__ = [
    "CLT",
    "CLT_SOURCES",
    "PRIORS",
    "beta_bernoulli_explorer",
    "beta_posterior",
    "clt_explorer",
    "standardised_means",
]

# ----------------------------------------------------------------------------- the CLT

#: The source distributions of the CLT explorer (mathdl.probability has no exponential:
#: Beta(1/2, 5), skewness 1.9, plays the skewed one).
CLT_SOURCES = {
    "uniform Beta(1, 1)": (Beta, (1.0, 1.0)),
    "arcsine Beta(½, ½)": (Beta, (0.5, 0.5)),
    "skewed Beta(½, 5)": (Beta, (0.5, 5.0)),
    "Bernoulli(0.1)": (Bernoulli, (0.1,)),
}
#: The experiment: ``runs`` independent sequences of ``max_n`` draws, from seed ``seed``.
CLT = {"runs": 4000, "max_n": 100, "seed": 0}
_CLT_EDGES = np.linspace(-4.0, 4.0, 41)  # histogram bins of a continuous source, width 0.2


def _source(name: str):
    family, params = CLT_SOURCES[name]
    return family(*params)


@functools.cache
def _running_sums(name: str) -> np.ndarray:
    """``S[r, n - 1] = x_r1 + ... + x_rn``: the running sums of each run, (runs, max_n)."""
    draws = _source(name).sample((CLT["runs"], CLT["max_n"]), rng=CLT["seed"])  # (runs, max_n)
    sums = np.cumsum(draws, axis=1)
    sums.setflags(write=False)  # cached: shared by every caller
    return sums


def standardised_means(source: str, n: int) -> np.ndarray:
    """The standardised sample means ``sqrt(n) (xbar_n - mu) / sigma`` of the CLT explorer.

    Parameters
    ----------
    source : str
        A key of :data:`CLT_SOURCES`.
    n : int
        The sample size, ``1 <= n <= CLT["max_n"]``.

    Returns
    -------
    (CLT["runs"],) ndarray
        One value per run. ``mu`` and ``sigma`` are the source's own ``mean`` and
        ``stddev``.

    Notes
    -----
    The runs are ``CLT["runs"]`` sequences of ``CLT["max_n"]`` independent draws from
    ``source.sample`` (seed ``CLT["seed"]``), drawn once; the mean of size ``n`` is that
    of the first ``n`` draws of each run, so as ``n`` grows each run's mean moves on,
    as it would if one kept sampling.

    Examples
    --------
    >>> z = standardised_means("uniform Beta(1, 1)", 30)
    >>> z.shape, bool(abs(z.mean()) < 0.05), bool(abs(z.std() - 1) < 0.05)
    ((4000,), True, True)
    """
    d = _source(source)
    sums = _running_sums(source)[:, n - 1]  # (runs,)
    return (sums - n * float(d.mean)) / (float(d.stddev) * np.sqrt(n))


def _ks_distance(z: np.ndarray) -> float:
    """``sup_t |F_z(t) - Phi(t)|``, the Kolmogorov--Smirnov distance to ``N(0, 1)``.

    The empirical CDF jumps at the sorted values ``z_(i)`` from ``(i - 1)/N`` to ``i/N``;
    the supremum is reached at one side of a jump (ties included: the last of equal
    values carries the top of the jump, the first its bottom).

    Examples
    --------
    >>> print(round(_ks_distance(np.array([0.0])), 3))  # one point at the median
    0.5
    """
    z = np.sort(z)
    phi = Normal(0.0, 1.0).cdf(z)  # (N,)
    i = np.arange(1, z.size + 1) / z.size
    return float(max(np.max(i - phi), np.max(phi - (i - 1 / z.size))))


def _histogram(source: str, n: int, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(density, edges)`` of ``z``: fixed bins, or one bin per value of a lattice source.

    A Bernoulli sum takes the values ``k = 0..n``; its bins are centred on the standardised
    ``k`` with width ``1 / (sigma sqrt n)``, so the histogram is the pmf per unit length.
    """
    d = _source(source)
    if isinstance(d, Bernoulli):
        mu, sigma = float(d.mean), float(d.stddev)
        k = np.rint(_running_sums(source)[:, n - 1]).astype(np.int64)  # (runs,)
        counts = np.bincount(k, minlength=n + 1)  # (n + 1,)
        edges = (np.arange(n + 2) - 0.5 - n * mu) / (sigma * np.sqrt(n))  # (n + 2,)
    else:
        counts, edges = np.histogram(z, _CLT_EDGES)
    return counts / (z.size * np.diff(edges)), edges


def _draw_clt(fig: Figure):
    """The histogram of the standardised means against the standard normal density."""
    for name in CLT_SOURCES:  # draw every run once, now: then no move waits for sampling
        _running_sums(name)
    ax = fig.subplots(gridspec_kw=dict(left=0.085, right=0.98, bottom=0.15, top=0.88))
    t = np.linspace(-4, 4, 401)
    ax.plot(t, np.exp(Normal(0.0, 1.0).log_prob(t)), color="0.15", lw=1.5, label="N(0, 1) density")
    bars = ax.stairs(
        np.zeros(40), _CLT_EDGES, fill=True, color="tab:blue", alpha=0.55, animated=True,
        label=f"√n (x̄ − μ) / σ, {CLT['runs']} samples of size n",
    )  # fmt: skip
    ax.set(xlim=(-4, 4), ylim=(0, 0.8), xlabel="standardised sample mean", ylabel="density")
    ax.legend(loc="upper right", fontsize=8)
    title = ax.text(0.5, 1.03, "", transform=ax.transAxes, ha="center", animated=True)
    # E sup|F_N - Phi| for N draws from N(0, 1) itself, sqrt(pi / 2) log(2) / sqrt(N) for large N
    noise = np.sqrt(np.pi / 2) * np.log(2) / np.sqrt(CLT["runs"])
    ax.text(0.01, 0.97, f"KS distance of {CLT['runs']} draws\nfrom N(0, 1) itself ≈ {noise:.3f}",
            transform=ax.transAxes, va="top", fontsize=8, color="0.3")  # fmt: skip

    def update(source: str, n: int) -> None:
        z = standardised_means(source, n)
        density, edges = _histogram(source, n, z)
        bars.set_data(density, edges)
        title.set_text(f"{source}, n = {n}:  KS distance sup|Fₙ − Φ| = {_ks_distance(z):.3f}")

    return update


def clt_explorer() -> Explorer:
    """The central limit theorem: standardised means of n draws against ``N(0, 1)``.

    Plots the histogram of :func:`standardised_means` for a source of
    :data:`CLT_SOURCES` and a sample size ``n``, the standard normal density over it and,
    in the title, the Kolmogorov--Smirnov distance between the two.

    Examples
    --------
    >>> [c.name for c in clt_explorer().controls]
    ['source', 'n']
    """
    controls = [
        Choice("source", tuple(CLT_SOURCES), "skewed Beta(½, 5)", label="distribution"),
        Slider("n", 1, CLT["max_n"], 1, 2, (1, 2, 5, 10, 30, 100), label="sample size n"),
    ]
    return Explorer(
        _draw_clt, controls, title="The central limit theorem", figsize=(7.0, 3.0), dpi=90
    )


# ----------------------------------------------------------------------------- Beta--Bernoulli

#: The priors of the Beta--Bernoulli explorer: name -> (a, b) of Beta(a, b).
PRIORS = {
    "uniform Beta(1, 1)": (1.0, 1.0),
    "Jeffreys Beta(½, ½)": (0.5, 0.5),
    "sceptical Beta(5, 5)": (5.0, 5.0),
    "biased Beta(2, 8)": (2.0, 8.0),
}
#: y-limits of the Beta--Bernoulli plot, each with ticks at fifths; the lowest one that fits.
_Y_TOPS = (2.5, 5.0, 7.5, 10.0, 15.0, 20.0, 25.0, 30.0)
_THETA = np.linspace(0.002, 0.998, 500)  # the plotted grid, open: Beta(½, ½) is infinite at 0, 1


def _coins(heads: int, tails: int) -> np.ndarray:
    """The observations: ``heads`` ones, then ``tails`` zeros."""
    return np.concatenate([np.ones(heads), np.zeros(tails)])


def beta_posterior(prior: str, heads: int, tails: int) -> tuple[float, float]:
    """The posterior ``(a, b)`` after ``heads`` and ``tails`` under a prior of :data:`PRIORS`.

    :func:`mathdl.probability.beta_bernoulli_update` of the prior on the coins; with no
    coins the posterior is the prior.

    Examples
    --------
    >>> beta_posterior("uniform Beta(1, 1)", 3, 1)
    (4.0, 2.0)
    >>> beta_posterior("sceptical Beta(5, 5)", 0, 0)
    (5.0, 5.0)
    """
    a, b = PRIORS[prior]
    if heads + tails == 0:
        return a, b
    return beta_bernoulli_update(a, b, _coins(heads, tails))


def _central_interval(d: Beta, level: float = 0.95, points: int = 8192) -> tuple[float, float]:
    """The central ``level`` interval of a Beta: quantiles of its CDF, integrated numerically.

    On ``x = sin^2(pi u / 2)`` (points crowd both ends, where a concentration below 1
    makes the density infinite) the CDF is the midpoint rule for
    ``int f(x(u)) x'(u) du`` with ``x'(u) = (pi / 2) sin(pi u)``, a bounded integrand
    for concentrations ``>= 1/2``, smooth in ``u``; normalised to end at 1, inverted by
    linear interpolation in ``u`` and mapped back to ``x``.

    Examples
    --------
    >>> lo, hi = _central_interval(Beta(1.0, 1.0))  # uniform: [0.025, 0.975]
    >>> print(round(lo, 6), round(hi, 6))
    0.025 0.975
    """
    u = (np.arange(points) + 0.5) / points  # (points,) midpoints, never 0 or 1
    x = np.sin(np.pi * u / 2) ** 2
    w = np.exp(d.log_prob(x)) * (np.pi / 2) * np.sin(np.pi * u) / points  # (points,)
    cdf = np.concatenate([[0.0], np.cumsum(w)])  # (points + 1,) at the cell edges
    tail = (1 - level) / 2
    u_lo, u_hi = np.interp([tail, 1 - tail], cdf / cdf[-1], np.arange(points + 1) / points)
    lo, hi = np.sin(np.pi * np.array([u_lo, u_hi]) / 2) ** 2
    return float(lo), float(hi)


def _density_axis(ax):
    """A y-axis whose scale moves without a redraw: ``(transform, rescale)``.

    The axes keep ``ylim = (0, 1)`` (the background never changes); curves keep their
    densities as data and are drawn through ``scale + transData`` with ``scale`` the
    map ``y -> y / top`` that ``rescale(top)`` sets; the tick labels at fifths of
    ``top`` are animated texts.
    """
    scale = Affine2D()
    fifths = np.linspace(0.0, 1.0, 6)
    ax.set(ylim=(0, 1))
    ax.set_yticks(fifths, [""] * 6)
    labels = [
        ax.text(-0.012, y, "", transform=ax.transAxes, ha="right", va="center", animated=True)
        for y in fifths
    ]

    def rescale(top: float) -> None:
        scale.clear().scale(1.0, 1.0 / top)
        for label, y in zip(labels, fifths, strict=True):
            label.set_text(f"{top * y:g}")

    return scale + ax.transData, rescale


def _draw_beta_bernoulli(fig: Figure):
    """Prior and posterior densities, the MLE, the posterior mean and a credible interval."""
    ax = fig.subplots(gridspec_kw=dict(left=0.09, right=0.98, bottom=0.15, top=0.88))
    density, rescale = _density_axis(ax)
    style = dict(transform=density, animated=True)
    band = ax.fill_between(_THETA, 0, 0, color="tab:orange", alpha=0.25, lw=0,
                           label="95% credible interval", **style)  # fmt: skip
    (prior_line,) = ax.plot([], [], color="0.45", ls="--", lw=1.5, label="prior", **style)
    (post_line,) = ax.plot([], [], color="tab:orange", lw=2, label="posterior", **style)
    mean_line = ax.axvline(0, color="tab:orange", lw=1, label="posterior mean", animated=True)
    mle_line = ax.axvline(0, color="k", ls=":", lw=1.5, label="MLE heads / (heads + tails)",
                          animated=True)  # fmt: skip
    ax.set(xlim=(0, 1), xlabel="θ = P(heads)")
    ax.set_ylabel("density", labelpad=24)
    ax.legend(loc="upper left", fontsize=7.5)
    title = ax.text(0.5, 1.03, "", transform=ax.transAxes, ha="center", animated=True)
    interior = (_THETA > 0.005) & (_THETA < 0.995)  # the y-limit ignores Jeffreys' infinite ends

    def update(prior: str, heads: int, tails: int) -> None:
        d0, d = Beta(*PRIORS[prior]), Beta(*beta_posterior(prior, heads, tails))
        f0, f = np.exp(d0.log_prob(_THETA)), np.exp(d.log_prob(_THETA))
        prior_line.set_data(_THETA, f0)
        post_line.set_data(_THETA, f)
        lo, hi = _central_interval(d)
        band.set_data(_THETA, 0, np.where((_THETA >= lo) & (_THETA <= hi), f, 0))
        mean = float(d.mean)
        mean_line.set_xdata([mean, mean])
        if heads + tails:
            mle = mle_bernoulli(_coins(heads, tails))
            mle_line.set_xdata([mle, mle])
        mle_line.set_visible(heads + tails > 0)
        peak = 1.05 * max(f[interior].max(), f0[interior].max())
        rescale(next((y for y in _Y_TOPS if y >= peak), _Y_TOPS[-1]))
        a, b = float(d.concentration1), float(d.concentration0)
        title.set_text(
            f"posterior Beta({a:g}, {b:g}): mean {mean:.3f}, 95% [{lo:.3f}, {hi:.3f}]"
            + ("" if heads + tails else " (no data)")
        )

    return update


def beta_bernoulli_explorer() -> Explorer:
    """Bayesian updating of a coin's bias: a Beta prior, observed heads and tails.

    Plots the prior (one of :data:`PRIORS`) and the posterior :func:`beta_posterior`,
    the maximum-likelihood estimate, the posterior mean and the central 95% credible
    interval of the posterior.

    Examples
    --------
    >>> [c.name for c in beta_bernoulli_explorer().controls]
    ['prior', 'heads', 'tails']
    """
    counts = (0, 1, 3, 10, 30)
    controls = [
        Choice("prior", tuple(PRIORS), "uniform Beta(1, 1)"),
        Slider("heads", 0, 30, 1, 3, counts, label="heads"),
        Slider("tails", 0, 30, 1, 1, counts, label="tails"),
    ]
    return Explorer(
        _draw_beta_bernoulli, controls, title="Beta–Bernoulli updating", figsize=(7.0, 3.0),
        dpi=90,
    )  # fmt: skip
