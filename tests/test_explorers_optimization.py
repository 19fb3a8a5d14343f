"""The chapter 5 explorers: trajectories from mathdl.optim (= torch.optim), website data."""

import json
import re

import numpy as np
import pytest
from hypothesis import given
from matplotlib.figure import Figure
from strategies import SETTINGS, SHAPES, floats

from mathdl import optim
from mathdl.explorers import optimization as opt
from mathdl.optim import gradient_descent
from mathdl.testing import assert_close
from mathdl.widgets import decode_data


@pytest.fixture(scope="module")
def page():
    html = opt.descent_explorer().static_html()
    payload = json.loads(re.search(r'class="mathdl-data">(.*?)</script>', html).group(1))
    return html, payload


def _grid(prob) -> tuple[np.ndarray, np.ndarray]:
    """The contour grid of ``_draw_contours``: 120 x 120 points over the function's box."""
    return np.meshgrid(np.linspace(*prob["xlim"], 120), np.linspace(*prob["ylim"], 120))


def _pointwise(prob, X, Y) -> np.ndarray:
    """``fg`` at every point, one at a time: the reference for ``f_grid``."""
    pts = np.stack([X.ravel(), Y.ravel()], axis=1)  # (N, 2)
    return np.array([prob["fg"](q)[0] for q in pts]).reshape(X.shape)


@pytest.mark.parametrize(("function", "kappa"), opt._scenes())
def test_f_grid_equals_pointwise_values_on_the_contour_grid(function, kappa):
    prob = opt.problem(function, kappa)
    X, Y = _grid(prob)
    F = prob["f_grid"](X, Y)
    assert F.shape == (120, 120) and F.dtype == np.float64
    assert_close(F, _pointwise(prob, X, Y), rtol=1e-12, atol=1e-12, name=function)


@SETTINGS
@given(shape=SHAPES, x=floats(-3, 3), y=floats(-3, 3))
def test_f_grid_takes_any_shape(shape, x, y):
    X, Y = np.full(shape, x), np.linspace(-3, y, int(np.prod(shape))).reshape(shape)
    for function in opt.FUNCTIONS:
        prob = opt.problem(function, 50.0)
        F = prob["f_grid"](X, Y)
        assert F.shape == shape
        assert_close(F, _pointwise(prob, X, Y), rtol=1e-12, atol=1e-12, name=function)


@pytest.mark.parametrize(("function", "kappa"), opt._scenes())
def test_contour_levels_are_quantiles_of_the_pointwise_values(function, kappa):
    prob = opt.problem(function, kappa)
    X, Y = _grid(prob)
    ax = Figure().subplots()
    opt._draw_contours(ax, function, kappa)
    F = _pointwise(prob, X, Y) - prob["fstar"]
    levels = np.unique(np.quantile(F, np.linspace(0.0, 0.95, 18) ** 2))
    (contours,) = ax.collections
    assert_close(contours.levels, levels, rtol=1e-12, atol=1e-12)


def test_gd_equals_gradient_descent():
    p = opt.problem("quadratic", 10)
    t = opt.trajectory("quadratic", "momentum", 0.05, 0.7, 40, "A", 10)
    ref = gradient_descent(lambda x: p["fg"](x)[0], lambda x: p["fg"](x)[1],
                           p["starts"]["A"], lr=0.05, steps=40, momentum=0.7, tol=0)  # fmt: skip
    assert_close(t["points"], ref.trajectory, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_trajectories_equal_torch(name):
    torch = pytest.importorskip("torch")
    p = opt.problem("rosenbrock")
    t = opt.trajectory("rosenbrock", name, 1e-3, 0.9, 30, "A")
    w = torch.tensor(p["starts"]["A"], dtype=torch.float64, requires_grad=True)
    make = {
        "GD": lambda: torch.optim.SGD([w], lr=1e-3),
        "momentum": lambda: torch.optim.SGD([w], lr=1e-3, momentum=0.9),
        "Nesterov": lambda: torch.optim.SGD([w], lr=1e-3, momentum=0.9, nesterov=True),
        "AdaGrad": lambda: torch.optim.Adagrad([w], lr=1e-3),
        "RMSProp": lambda: torch.optim.RMSprop([w], lr=1e-3),
        "Adam": lambda: torch.optim.Adam([w], lr=1e-3, betas=(0.9, 0.999)),
    }[name]()
    path = [w.detach().numpy().copy()]
    for _ in range(30):
        w.grad = torch.tensor(p["fg"](w.detach().numpy())[1])
        make.step()
        path.append(w.detach().numpy().copy())
    assert_close(t["points"], np.array(path), rtol=1e-10, atol=1e-12)


def test_divergence_past_two_over_L():
    for kappa in opt.KAPPA_VALUES:
        for lr in opt.LR_VALUES:
            t = opt.trajectory("quadratic", "GD", lr, 0.0, 100, "A", kappa)
            edge = 2 / opt.QUADRATIC_L
            if lr > edge * 1.05:
                assert t["message"].startswith("diverged at step"), (kappa, lr)
            elif lr < edge * 0.95:
                assert t["diverged_at"] is None, (kappa, lr)


def test_heavy_ball_rate_matches_eigenvalues():
    rng = np.random.default_rng(0)
    for _ in range(50):
        a, b, lam = rng.uniform(0, 0.5), rng.uniform(0, 0.99), rng.uniform(0.1, 10)
        M = np.array([[1 + b - a * lam, -b], [1, 0]])
        assert_close(optim.heavy_ball_rate(a, b, [lam]), np.max(np.abs(np.linalg.eigvals(M))))
    A, B = np.meshgrid(np.linspace(0.01, 4, 50), np.linspace(0, 0.98, 40))
    rho = optim.heavy_ball_rate(A, B, (0.1, 1.0))
    assert np.array_equal(rho < 1, A < 2 * (1 + B))  # the outlined region


def test_data_decodes_to_python_trajectories(page):
    _, payload = page
    records = decode_data(payload)
    lookup = np.frombuffer(__import__("base64").b64decode(payload["lookup"]), "<u2")
    checks = [
        ("quadratic", 10.0, "GD", 0.1093, 0.0, "A"),
        ("rosenbrock", 2.0, "Adam", 0.01, 0.9, "B"),
        ("logistic", 50.0, "momentum", 1.194, 0.5, "A"),
        ("saddle", 10.0, "Nesterov", 0.3162, 0.99, "B"),
    ]
    e = opt.descent_explorer()
    keyed = [c for c in e.controls if c.name != "steps"]
    for values in checks:
        idx = np.ravel_multi_index([c.static.index(v) for c, v in zip(keyed, values, strict=True)],
                                   [len(c.static) for c in keyed])  # fmt: skip
        r = records[lookup[idx]]
        t = opt.trajectory(*values[:2][:1], values[2], values[3], values[4], 100, values[5],
                           values[1])  # fmt: skip
        prob = opt.problem(values[0], values[1])
        span = np.array([np.ptp(prob["xlim"]), np.ptp(prob["ylim"])])
        inside = np.all(np.abs(t["points"]) < 3 * span.max(), axis=1)
        err = np.abs(r["points"] - t["points"])[inside]
        assert len(r["points"]) == len(t["points"])
        assert np.all(err <= 3 * span / 65535 / 2 + 1e-12), values
        logs = np.log10(np.maximum(t["losses"], 1e-16))
        ok = logs < 16
        assert np.all(np.abs(np.log10(r["losses"]) - logs)[ok] <= 32 / 255 / 2 + 1e-9), values


def test_static_size_and_combinations(page):
    html, payload = page
    assert len(html.encode()) < 3_500_000
    e = opt.descent_explorer()
    c = {x.name: x for x in e.controls}
    lrs = c["lr"].static
    assert len(lrs) >= 40 and min(lrs) < 2 / opt.QUADRATIC_L < max(lrs)
    assert len(c["momentum"].static) >= 10 and max(c["momentum"].static) <= 0.99
    assert set(c["function"].options) == set(opt.FUNCTIONS)
    assert set(c["optimizer"].options) == set(opt.OPTIMIZERS)
    assert len(payload["lengths"]) == 6 * 40 * (3 + 3 * 10) * 2


def test_live_render_and_plane():
    e = opt.descent_explorer()
    assert e.render()[:4] == b"\x89PNG"
    e.render(lr=0.3162, optimizer="GD")
    assert e.render(function="logistic")[:4] == b"\x89PNG"
    m = opt.momentum_plane_explorer()
    assert len(m.frames()) == 5
