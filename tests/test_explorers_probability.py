"""The chapter 3 and 4 explorers: CLT, Beta--Bernoulli, forward and reverse KL.

What is plotted must be the math of mathdl.probability and mathdl.information: the
tests read the artists and titles back and recompute them independently.
"""

import base64
import json
import re

import numpy as np
import pytest

from mathdl.explorers import all_explorers
from mathdl.explorers import information as info
from mathdl.explorers import probability as prob
from mathdl.information import kl_divergence
from mathdl.probability import Bernoulli, Beta, Normal, beta_bernoulli_update
from mathdl.testing import assert_close

MAKERS = {
    "clt": prob.clt_explorer,
    "beta_bernoulli": prob.beta_bernoulli_explorer,
    "kl": info.kl_explorer,
}


def _title(explorer) -> str:
    """The moving title text of the (first) axes: the animated text above its centre."""
    texts = explorer._figure.axes[0].texts
    (title,) = [t for t in texts if t.get_animated() and t.get_position() == (0.5, 1.03)]
    return title.get_text()


def _numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+", text)]


@pytest.fixture(scope="module")
def explorers():
    return {name: make() for name, make in MAKERS.items()}


@pytest.fixture(scope="module")
def pages():
    """Each explorer with its website form (every frame rendered once, on that explorer)."""
    out = {}
    for name, make in MAKERS.items():
        explorer = make()
        out[name] = explorer, explorer.static_html()
    return out


# -- every explorer ------------------------------------------------------------------------


def test_all_explorers_lists_the_new_chapters_in_book_order():
    from mathdl.explorers import CHAPTERS

    assert CHAPTERS == (
        "linear_algebra",
        "calculus",
        "probability",
        "information",
        "optimization",
        "convolution",
    )
    found = all_explorers()
    for key in ("probability.clt_explorer", "probability.beta_bernoulli_explorer",
                "information.kl_explorer"):  # fmt: skip
        assert key in found


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_renders_and_each_control_changes_the_picture(name, explorers):
    explorer = explorers[name]
    start = explorer.render()
    assert start.startswith(b"\x89PNG")
    for control in explorer.controls:
        for other in control.static:
            if other != control.value:
                assert explorer.render(**{control.name: other}) != start, (control.name, other)
    assert explorer.render() == start


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_setting_looks_the_same_whatever_came_before(name):
    moved = MAKERS[name]()
    grid = moved.grid()
    for values in grid[::7]:
        moved.render(**values)
    np.testing.assert_array_equal(moved.pixels(**grid[-1]), MAKERS[name]().pixels(**grid[-1]))


def test_static_frame_counts(explorers):
    counts = {name: len(e.grid()) for name, e in explorers.items()}
    assert counts == {"clt": 4 * 6, "beta_bernoulli": 4 * 5 * 5, "kl": 6 * 5}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_static_page_is_small_and_drawn_without_redraws(name, pages):
    explorer, html = pages[name]
    assert explorer.redraws == 1  # every frame only moved animated artists
    data = json.loads(re.search(r'class="mathdl-frames">(.*?)</script>', html).group(1))
    assert len(data["frames"]) == len(MAKERS[name]().grid()) <= 120
    assert len(html.encode()) < 2_500_000  # the page budget is 4 MB for a whole section
    assert base64.b64decode(data["frames"][0]).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("name", "values", "error", "message"),
    [
        ("clt", dict(n=0), ValueError, "n must be >= 1"),
        ("clt", dict(n=101), ValueError, "n must be <= 100"),
        ("clt", dict(n=2.5), ValueError, "n must be a whole number"),
        ("clt", dict(source="normal"), ValueError, "source must be one of"),
        ("beta_bernoulli", dict(heads=-1), ValueError, "heads must be >= 0"),
        ("beta_bernoulli", dict(tails=31), ValueError, "tails must be <= 30"),
        ("beta_bernoulli", dict(prior="flat"), ValueError, "prior must be one of"),
        ("beta_bernoulli", dict(heads="3"), TypeError, "heads must be a real number"),
        ("kl", dict(std=0.45), ValueError, "std must be >= 0.5"),
        ("kl", dict(std=3.5), ValueError, "std must be <= 3"),
        ("kl", dict(mean=4.5), ValueError, "mean must be <= 4"),
        ("kl", dict(sigma=1.0), TypeError, "unknown controls"),
    ],
)
def test_bad_control_values_are_refused(name, values, error, message, explorers):
    with pytest.raises(error, match=f"^Explorer.render: {message}"):
        explorers[name].render(**values)


# -- the central limit theorem -------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(prob.CLT_SOURCES))
@pytest.mark.parametrize("n", [1, 7, 100])
def test_clt_standardises_with_the_distributions_own_moments(source, n):
    family, params = prob.CLT_SOURCES[source]
    d = family(*params)
    draws = d.sample((prob.CLT["runs"], prob.CLT["max_n"]), rng=prob.CLT["seed"])
    xbar = draws[:, :n].mean(axis=1)
    expected = np.sqrt(n) * (xbar - float(d.mean)) / float(d.stddev)
    assert_close(prob.standardised_means(source, n), expected, rtol=1e-9, atol=1e-12)


def test_clt_moments_are_the_families_formulas():
    family, params = prob.CLT_SOURCES["skewed Beta(½, 5)"]
    a, b = params
    d = family(*params)
    assert_close(float(d.mean), a / (a + b))
    assert_close(float(d.stddev) ** 2, a * b / ((a + b) ** 2 * (a + b + 1)))
    assert isinstance(prob.CLT_SOURCES["Bernoulli(0.1)"][0](0.1), Bernoulli)


@pytest.mark.parametrize(("source", "n"), [("uniform Beta(1, 1)", 5), ("Bernoulli(0.1)", 30)])
def test_clt_plots_the_histogram_and_the_normal_density(source, n):
    explorer = prob.clt_explorer()
    explorer.render(source=source, n=n)
    ax = explorer._figure.axes[0]
    (bars,) = ax.patches
    density, edges = bars.get_data().values, bars.get_data().edges
    z = prob.standardised_means(source, n)
    widths = np.diff(edges)
    if source.startswith("Bernoulli"):  # one bin per value k of the sum, centred on it
        centres = (edges[:-1] + edges[1:]) / 2
        k = np.arange(n + 1)
        assert_close(centres, (k - n * 0.1) / (0.3 * np.sqrt(n)), rtol=1e-12, atol=1e-12)
        assert_close(np.sum(density * widths), 1.0)
    counts, expected_edges = np.histogram(z, np.linspace(-4, 4, 41))
    if not source.startswith("Bernoulli"):
        np.testing.assert_array_equal(edges, expected_edges)
        assert_close(density, counts / (z.size * widths))
    (normal,) = ax.lines
    t = normal.get_xdata()
    assert_close(normal.get_ydata(), np.exp(-(t**2) / 2) / np.sqrt(2 * np.pi), rtol=1e-12)


def test_clt_title_gives_the_ks_distance():
    stats = pytest.importorskip("scipy.stats")
    explorer = prob.clt_explorer()
    for source in prob.CLT_SOURCES:
        explorer.render(source=source, n=10)
        z = prob.standardised_means(source, 10)
        ks = stats.kstest(z, "norm").statistic
        assert_close(prob._ks_distance(z), ks, rtol=1e-12)
        assert _title(explorer) == f"{source}, n = 10:  KS distance sup|Fₙ − Φ| = {ks:.3f}"


def test_clt_means_approach_the_normal():
    for source in prob.CLT_SOURCES:
        ks = [prob._ks_distance(prob.standardised_means(source, n)) for n in (1, 2, 10, 100)]
        assert ks[0] > ks[1] > ks[3], (source, ks)
        noise = 0.8687 / np.sqrt(prob.CLT["runs"])  # E sup|F_N - Phi|, N draws from Phi
        if source.startswith("Bernoulli"):  # a lattice: half a jump of the pmf stays, ~ 1/sqrt(n)
            assert ks[0] > ks[1] > ks[2] > ks[3] > 0.5 / np.sqrt(2 * np.pi * 100 * 0.09)
        else:
            assert ks[3] < 2 * noise, (source, ks)


# -- Beta--Bernoulli -----------------------------------------------------------------------

SETTINGS = [
    ("uniform Beta(1, 1)", 3, 1),
    ("Jeffreys Beta(½, ½)", 0, 0),
    ("Jeffreys Beta(½, ½)", 0, 30),
    ("sceptical Beta(5, 5)", 30, 0),
    ("biased Beta(2, 8)", 10, 3),
]


@pytest.mark.parametrize(("prior", "heads", "tails"), SETTINGS)
def test_beta_bernoulli_plots_the_prior_and_the_posterior(prior, heads, tails):
    explorer = prob.beta_bernoulli_explorer()
    explorer.render(prior=prior, heads=heads, tails=tails)
    ax = explorer._figure.axes[0]
    prior_line, post_line, mean_line, mle_line = ax.lines
    a, b = prob.PRIORS[prior]
    if heads + tails:
        data = np.r_[np.ones(heads), np.zeros(tails)]
        assert beta_bernoulli_update(a, b, data) == (a + heads, b + tails)
    x = post_line.get_xdata()
    expected = np.exp(Beta(a + heads, b + tails).log_prob(x))
    np.testing.assert_array_equal(post_line.get_ydata(), expected)
    np.testing.assert_array_equal(prior_line.get_ydata(), np.exp(Beta(a, b).log_prob(x)))
    mean = (a + heads) / (a + b + heads + tails)
    assert_close(mean_line.get_xdata()[0], mean)
    assert mle_line.get_visible() == (heads + tails > 0)
    if heads + tails:
        assert_close(mle_line.get_xdata()[0], heads / (heads + tails))
    assert f"Beta({a + heads:g}, {b + tails:g})" in _title(explorer)
    assert f"mean {mean:.3f}" in _title(explorer)


@pytest.mark.parametrize(("prior", "heads", "tails"), SETTINGS)
def test_beta_bernoulli_credible_interval_is_the_central_95_percent(prior, heads, tails):
    stats = pytest.importorskip("scipy.stats")
    a, b = prob.beta_posterior(prior, heads, tails)
    lo, hi = prob._central_interval(Beta(a, b))
    assert_close(np.array([lo, hi]), stats.beta.ppf([0.025, 0.975], a, b), rtol=1e-5, atol=1e-7)
    explorer = prob.beta_bernoulli_explorer()
    explorer.render(prior=prior, heads=heads, tails=tails)
    assert _title(explorer).endswith(
        f"95% [{lo:.3f}, {hi:.3f}]" + ("" if heads + tails else " (no data)")
    )


def test_beta_bernoulli_y_scale_fits_the_curves():
    """The curves are drawn through y -> y / top: the peak always lands inside the axes."""
    explorer = prob.beta_bernoulli_explorer()
    for prior, heads, tails in SETTINGS[:1] + SETTINGS[3:]:
        explorer.render(prior=prior, heads=heads, tails=tails)
        ax = explorer._figure.axes[0]
        post_line = ax.lines[1]
        to_axes = post_line.get_transform() - ax.transAxes
        y = to_axes.transform(np.column_stack([post_line.get_xdata(), post_line.get_ydata()]))
        assert 0.3 < y[:, 1].max() <= 1.0
        top = float(ax.texts[5].get_text())  # the animated label at the top tick
        assert_close(post_line.get_ydata().max() / top, y[:, 1].max(), rtol=1e-9)


# -- forward and reverse KL ----------------------------------------------------------------


def test_kl_target_is_the_normalised_mixture():
    x, p = info.kl_target()
    w, m, s = info.KL_TARGET["weights"], info.KL_TARGET["means"], info.KL_TARGET["std"]
    density = sum(wk * np.exp(-((x - mk) ** 2) / (2 * s**2)) for wk, mk in zip(w, m, strict=True))
    assert_close(p, density / density.sum(), rtol=1e-12)


def test_kl_title_and_curve_are_kl_divergence_of_the_discretised_densities():
    explorer = info.kl_explorer()
    x, p = info.kl_target()
    for mean, std in [(0.5, 1.0), (-2.5, 0.7), (4.0, 0.5), (-4.0, 0.5), (4.0, 3.0)]:
        explorer.render(mean=mean, std=std)
        q = np.exp(Normal(mean, std).log_prob(x))
        q /= q.sum()
        forward, reverse = float(kl_divergence(p, q)), float(kl_divergence(q, p))
        assert np.isfinite(forward) and np.isfinite(reverse)
        assert _title(explorer) == f"KL(p‖q) = {forward:.3f}     KL(q‖p) = {reverse:.3f}"
        line = explorer._figure.axes[0].lines[0]
        assert_close(line.get_ydata() * (x[1] - x[0]), q, rtol=1e-12)
        assert_close(np.array(info.kl_pair(mean, std)), np.array([forward, reverse]), rtol=1e-12)


def test_kl_forward_optimum_is_moment_matching():
    x, p = info.kl_target()
    (w1, w2), (m1, m2), s = (
        info.KL_TARGET["weights"],
        info.KL_TARGET["means"],
        info.KL_TARGET["std"],
    )
    mean, std = info.kl_optima()["forward"]
    assert_close(np.array([mean, std**2]), np.array([p @ x, p @ (x - mean) ** 2]), rtol=1e-12)
    assert_close(mean, w1 * m1 + w2 * m2, rtol=1e-8)
    var = s**2 + w1 * m1**2 + w2 * m2**2 - (w1 * m1 + w2 * m2) ** 2
    assert_close(std, np.sqrt(var), rtol=1e-6)  # the grid's tails hold < 1e-6
    best = float(info.kl_pair(mean, std)[0])
    for dm, ds in [(0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)]:
        assert float(info.kl_pair(mean + dm, std + ds)[0]) > best


def test_kl_reverse_optima_sit_on_the_modes_and_seek_them():
    opt = info.kl_optima()
    forward_at_moments = info.kl_pair(*opt["forward"])
    for (mean, std), mode, w in zip(
        opt["reverse"], info.KL_TARGET["means"], info.KL_TARGET["weights"], strict=True
    ):
        assert abs(mean - mode) < 0.01 and abs(std - info.KL_TARGET["std"]) < 0.01
        value, grad = info._reverse_kl(np.array([mean, np.log(std)]))
        assert np.abs(grad).max() < 1e-7
        assert abs(value + np.log(w)) < 0.01  # q on one mode: about -log w
        for dm, ds in [(0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)]:
            assert float(info.kl_pair(mean + dm, std + ds)[1]) > value
        assert value < float(forward_at_moments[1])  # mode-seeking beats covering here
        assert float(info.kl_pair(mean, std)[0]) > float(forward_at_moments[0])


def test_kl_reverse_gradient_equals_torch():
    torch = pytest.importorskip("torch")
    x, p = info.kl_target()
    for theta in ([0.3, -0.2], [-2.0, 0.5], [2.5, np.log(0.7)]):
        value, grad = info._reverse_kl(np.array(theta))
        t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        log_q = torch.distributions.Normal(t[0], t[1].exp()).log_prob(torch.tensor(x))
        q = torch.softmax(log_q, -1)
        kl = torch.sum(q * (torch.log(q) - torch.log(torch.tensor(p))))
        kl.backward()
        assert_close(value, kl.item(), rtol=1e-10)
        assert_close(grad, t.grad.numpy(), rtol=1e-8, atol=1e-12)
