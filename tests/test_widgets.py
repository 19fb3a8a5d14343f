"""Explorers: one definition, a live form for Jupyter and a static form for the website."""

import base64
import io
import json
import re

import ipywidgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from mathdl import linalg, nn
from mathdl.explorers import all_explorers
from mathdl.explorers.calculus import (
    GRADIENT_FLOW,
    gradient_flow_explorer,
    gradient_flow_statistics,
    taylor_explorer,
)
from mathdl.explorers.linear_algebra import low_rank_explorer, matrix_explorer
from mathdl.widgets import Choice, Explorer, Slider, _site_png, static_mode


def _draw_line(fig: Figure):
    """A line whose slope moves (animated) and whose shift moves the y-limits (background)."""
    ax = fig.subplots()
    x = np.linspace(-1, 1, 5)
    (line,) = ax.plot(x, x, animated=True)

    def update(slope: float, shift: int) -> None:
        line.set_ydata(slope * x + shift)
        if ax.get_ylim() != (shift - 5, shift + 5):
            ax.set_ylim(shift - 5, shift + 5)

    return update


def _line_explorer(draw=_draw_line) -> Explorer:
    return Explorer(
        draw,
        [Slider("slope", -2, 2, 0.5, 1.0, (-1.0, 1.0, 2.0)), Slider("shift", 0, 1, 1, 0, (0, 1))],
        title="a line",
        figsize=(2, 2),
        dpi=30,
    )


def _static_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="mathdl-frames">(.*?)</script>', html)
    return json.loads(match.group(1))


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# -- the mechanism ---------------------------------------------------------------------------


def test_render_returns_png_and_depends_on_values():
    explorer = _line_explorer()
    png = explorer.render()
    assert png.startswith(b"\x89PNG")
    assert explorer.render(slope=2.0) != png
    assert explorer.render(slope=1.0, shift=0) == png


def test_render_png_is_lossless():
    explorer = _line_explorer()
    png = explorer.render(slope=-1.0)
    np.testing.assert_array_equal(_decode(png), explorer.pixels(slope=-1.0))


def test_moving_animated_artists_does_not_redraw_the_background():
    explorer = _line_explorer()
    explorer.render()
    for slope in (-1.0, 0.5, 2.0):
        explorer.render(slope=slope)
    assert explorer.redraws == 1
    explorer.render(shift=1)  # new y-limits: the background is drawn again
    assert explorer.redraws == 2


def test_render_does_not_depend_on_the_path_to_a_setting():
    """Blitted moves and full redraws give the same pixels as a fresh explorer."""
    moved = _line_explorer()
    for values in [dict(shift=1), dict(slope=-1.0, shift=1), dict(slope=2.0), dict(slope=0.5)]:
        moved.render(**values)
    assert moved.render(slope=-1.5, shift=1) == _line_explorer().render(slope=-1.5, shift=1)


def test_a_moving_artist_left_in_the_background_is_still_drawn_right():
    def draw(fig):
        ax = fig.subplots()
        (line,) = ax.plot([0, 1], [0, 0])  # not animated: each change redraws everything
        ax.set_ylim(-3, 3)

        def update(slope, shift):
            line.set_ydata([shift, shift + slope])

        return update

    explorer = _line_explorer(draw)
    explorer.render(slope=2.0)
    assert explorer.render(slope=-1.0) == _line_explorer(draw).render(slope=-1.0)
    assert explorer.redraws == 2


def test_static_frames_are_row_major_over_the_static_grid():
    explorer = _line_explorer()
    data = _static_data(explorer.static_html())
    assert data["shape"] == [3, 2]
    frames = [base64.b64decode(f) for f in data["frames"]]
    assert len(frames) == 6
    # frame (i, j) is slope=static[i], shift=static[j]: compare against fresh live renders
    fresh = _line_explorer()
    assert frames[2 * 2 + 1] == _site_png(_decode(fresh.render(slope=2.0, shift=1)))
    assert frames[0] == _site_png(_decode(fresh.render(slope=-1.0, shift=0)))
    assert explorer.grid()[2 * 2 + 1] == dict(slope=2.0, shift=1)


def test_static_html_starts_at_the_default_frame():
    explorer = _line_explorer()
    html = explorer.static_html()
    data = _static_data(html)
    start = re.search(
        r'class="mathdl-frame" alt="a line" src="data:image/png;base64,([^"]+)"', html
    )
    assert start.group(1) == data["frames"][1 * 2 + 0]  # slope=1.0 is index 1, shift=0 index 0
    assert html.count('type="range"') == 2
    assert 'value="1"' in html and 'data-values="[&quot;-1&quot;, &quot;1&quot;' in html
    assert html.startswith('<figure class="mathdl-explorer">') and html.endswith("</figure>")


def test_live_widget_redraws_on_slider_move():
    explorer = _line_explorer()
    box = explorer.widget()
    sliders = [
        c
        for c in box.children
        if isinstance(c, ipywidgets.widgets.widget_int._Int | ipywidgets.FloatSlider)
    ]
    image = box.children[-1]
    assert isinstance(image, ipywidgets.Image)
    before = image.value
    sliders[0].value = 2.0
    assert image.value == explorer.render(slope=2.0)
    assert image.value != before


def test_integer_sliders_become_int_sliders():
    box = _line_explorer().widget()
    kinds = [type(c).__name__ for c in box.children[1:-1]]
    assert kinds == ["FloatSlider", "IntSlider"]


def test_mimebundle_follows_the_mode(monkeypatch):
    explorer = _line_explorer()
    monkeypatch.delenv("MATHDL_WIDGETS", raising=False)
    assert not static_mode()
    assert "application/vnd.jupyter.widget-view+json" in explorer._repr_mimebundle_()
    monkeypatch.setenv("MATHDL_WIDGETS", "static")
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert 'class="mathdl-explorer"' in bundle["text/html"]


def _draw_curve(fig: Figure):
    x = np.linspace(-1, 1, 9)
    (line,) = fig.subplots().plot(x, x, animated=True)

    def update(kind: str, scale: int) -> None:
        line.set_ydata(scale * (np.sin(x) if kind == "sin" else np.cos(x)))

    return update


def _choice_explorer() -> Explorer:
    return Explorer(
        _draw_curve,
        [Choice("kind", ("sin", "cos"), "cos"), Slider("scale", 1, 3, 1, 1, (1, 3))],
        title="a curve",
        figsize=(2, 2),
        dpi=30,
    )


def test_choice_is_a_dropdown_live_and_a_select_static():
    explorer = _choice_explorer()
    box = explorer.widget()
    dropdown, image = box.children[1], box.children[-1]
    assert isinstance(dropdown, ipywidgets.Dropdown) and dropdown.value == "cos"
    dropdown.value = "sin"
    assert image.value == explorer.render(kind="sin")
    html = explorer.static_html()
    assert "<select" in html and "<option selected>cos</option>" in html
    data = _static_data(html)
    assert data["shape"] == [2, 2] and len(data["frames"]) == 4


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(value=5.0), ValueError, r"^Slider: value must be <= 2"),
        (dict(static=(0.0, 2.0)), ValueError, r"^Slider: static values .* must contain value 1.0"),
        (dict(static=(1.0, 3.0)), ValueError, r"^Slider: static values must be <= 2"),
        (dict(static=(0.0, 1.0, 1.0)), ValueError, r"^Slider: static values .* repeat \[1.0\]"),
        (dict(step=0), ValueError, r"^Slider: step must be > 0"),
        (dict(step=-0.5), ValueError, r"^Slider: step must be > 0"),
        (dict(max=-1), ValueError, r"^Slider: max must be >= 0"),
        (dict(min="0"), TypeError, r"^Slider: min must be a real number"),
        (dict(static="01"), TypeError, r"^Slider: static must be a sequence of numbers"),
        (dict(name=3), TypeError, r"^Slider: name must be a Python identifier"),
    ],
)
def test_slider_rejects_inconsistent_settings(kwargs, error, message):
    settings = dict(name="s", min=0, max=2, step=0.5, value=1.0, static=(0.0, 1.0)) | kwargs
    with pytest.raises(error, match=message):
        Slider(**settings)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("f", "abc", "a"), TypeError, r"^Choice: options must be a sequence of strings, not"),
        (("f", ("a", 1), "a"), TypeError, r"^Choice: options must be a sequence of strings"),
        (("f", ("a", "a"), "a"), ValueError, r"^Choice: options must be distinct"),
        (("f", (), "a"), ValueError, r"^Choice: options must be distinct and not empty"),
        (("kind", ("sin", "cos"), "tan"), ValueError, r"^Choice: value must be one of"),
    ],
)
def test_choice_rejects_bad_options(args, error, message):
    with pytest.raises(error, match=message):
        Choice(*args)


def test_explorer_rejects_missing_or_duplicate_controls():
    s = Slider("s", 0, 1, 1, 0, (0, 1))
    with pytest.raises(TypeError, match=r"^Explorer: controls must be a sequence of Slider"):
        Explorer(_draw_line, None, title="t")
    with pytest.raises(TypeError, match=r"^Explorer: controls must be Slider or Choice"):
        Explorer(_draw_line, [s, "t"], title="t")
    with pytest.raises(ValueError, match=r"^Explorer: controls .* unique names"):
        Explorer(_draw_line, [s, s], title="t")
    with pytest.raises(ValueError, match=r"^Explorer: controls must be at least one"):
        Explorer(_draw_line, [], title="t")


def test_explorer_rejects_a_bad_draw_or_title():
    s = [Slider("s", 0, 1, 1, 0, (0, 1))]
    with pytest.raises(TypeError, match=r"^Explorer: draw must be callable"):
        Explorer(None, s, title="t")
    with pytest.raises(TypeError, match=r"^Explorer: title must be a string"):
        Explorer(_draw_line, s, title=None)
    with pytest.raises(TypeError, match=r"^Explorer: the value returned by draw must be callable"):
        Explorer(lambda fig: None, s, title="t").render()


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (dict(tilt=1), TypeError, r"^Explorer.render: unknown controls \['tilt'\]"),
        (dict(slope=5.0), ValueError, r"^Explorer.render: slope must be <= 2"),
        (dict(slope=-3), ValueError, r"^Explorer.render: slope must be >= -2"),
        (dict(slope="1"), TypeError, r"^Explorer.render: slope must be a real number"),
        (dict(shift=0.5), ValueError, r"^Explorer.render: shift must be a whole number"),
        (dict(slope=np.nan), ValueError, r"^Explorer.render: slope must be a finite number"),
    ],
)
def test_render_rejects_bad_values(values, error, message):
    with pytest.raises(error, match=message):
        _line_explorer().render(**values)


def test_render_rejects_an_unknown_option_naming_the_options():
    with pytest.raises(ValueError, match=r"^Explorer.render: function must be one of \['sin'"):
        taylor_explorer().render(function="cos")


# -- the book's explorers --------------------------------------------------------------------

BOOK = all_explorers()


def test_all_explorers_lists_every_chapter_module():
    assert sorted(BOOK) == [
        "calculus.gradient_flow_explorer",
        "calculus.taylor_explorer",
        "convolution.conv_explorer",
        "information.kl_explorer",
        "linear_algebra.low_rank_explorer",
        "linear_algebra.matrix_explorer",
        "optimization.descent_explorer",
        "optimization.momentum_plane_explorer",
        "probability.beta_bernoulli_explorer",
        "probability.clt_explorer",
    ]


@pytest.fixture(scope="module")
def book_explorers():
    return {name: make() for name, make in BOOK.items()}


@pytest.mark.parametrize("name", sorted(BOOK))
def test_every_explorer_renders_and_each_control_changes_the_picture(name, book_explorers):
    explorer = book_explorers[name]
    start = explorer.render()
    assert start.startswith(b"\x89PNG")
    for control in explorer.controls:
        other = next(v for v in control.static if v != control.value)
        assert explorer.render(**{control.name: other}) != start, control.name
    assert explorer.render() == start


@pytest.mark.parametrize("name", sorted(BOOK))
def test_every_explorer_draws_a_setting_the_same_whatever_came_before(name, book_explorers):
    """The static frame of a setting equals the live picture after any moves (one definition)."""
    moved, grid = book_explorers[name], book_explorers[name].grid()
    for values in grid[:: max(1, len(grid) // 5)]:
        moved.render(**values)
    last = grid[-1]
    fresh = BOOK[name]()
    np.testing.assert_array_equal(moved.pixels(**last), fresh.pixels(**last))


def test_matrix_explorer_handles_every_static_matrix_kind():
    explorer = matrix_explorer()
    # identity, singular, rotation (complex eigenvalues), zero matrix, reflection
    for a, b, c, d in [(1, 0, 0, 1), (1, 1, 1, 1), (0, -1, 1, 0), (0, 0, 0, 0), (-1, 0, 0, 1)]:
        assert explorer.render(a=a, b=b, c=c, d=d).startswith(b"\x89PNG")
    assert len(explorer.grid()) == 81
    assert explorer.redraws == 1  # every change of the matrix only moves artists


def test_low_rank_explorer_offers_full_rank_and_rejects_colour_images():
    rng = np.random.default_rng(0)
    explorer = low_rank_explorer(rng.random((12, 9)))
    (slider,) = explorer.controls
    assert slider.max == 9 and slider.static[-1] == 9
    assert explorer.render(k=9) != explorer.render(k=1)
    with pytest.raises(ValueError, match=r"^low_rank_explorer: image must be a 2-D grayscale"):
        low_rank_explorer(np.zeros((4, 4, 3)))


def test_low_rank_explorer_shows_linalg_low_rank():
    image = np.random.default_rng(0).random((12, 9))
    explorer = low_rank_explorer(image)
    explorer.render(k=3)
    shown = explorer._figure.axes[1].images[0].get_array()
    U, S, Vh = linalg.svd(image, full_matrices=False)
    np.testing.assert_array_equal(shown, linalg.low_rank(U, S, Vh, 3))


def test_taylor_explorer_draws_every_function_and_order():
    explorer = taylor_explorer()
    frames = {
        explorer.render(function=f, order=n) for f in ("sin", "exp", "1/(1-x)") for n in (0, 3)
    }
    assert len(frames) == 6


def test_gradient_flow_explorer_plots_nn_layer_statistics():
    """The plotted data are exactly nn.layer_statistics of the network described."""
    explorer = gradient_flow_explorer()
    explorer.render(activation="relu", init="he", depth=6)
    left, right = explorer._figure.axes
    width, batch = GRADIENT_FLOW["width"], GRADIENT_FLOW["batch"]
    net = nn.MLP([width] * 7, activation=nn.ACTIVATIONS["relu"], init="he", rng=0)
    rng = np.random.default_rng(1)
    x, target = rng.standard_normal((batch, width)), rng.standard_normal((batch, width))
    stds, grads, weights = nn.layer_statistics(net, x, target)
    assert stds.shape == (5,) and grads.shape == weights.shape == (6,)
    np.testing.assert_array_equal(left.lines[0].get_ydata(), stds)
    np.testing.assert_array_equal(right.lines[0].get_ydata(), weights)
    np.testing.assert_array_equal(right.lines[1].get_ydata(), grads)
    np.testing.assert_array_equal(right.lines[0].get_xdata(), np.arange(1, 7))
    for a, b in zip(gradient_flow_statistics("relu", "he", 6), (stds, grads, weights), strict=True):
        np.testing.assert_array_equal(a, b)


def test_gradient_flow_explorer_renders_each_activation():
    explorer = gradient_flow_explorer()
    frames = {explorer.render(activation=a, depth=5) for a in ("sigmoid", "tanh", "relu", "gelu")}
    assert len(frames) == 4


# -- log sliders and the data form -------------------------------------------------------


def test_log_slider_is_a_float_log_slider():
    from mathdl.widgets import Slider

    s = Slider("lr", 1e-3, 1.0, 0.1, 0.01, (1e-3, 0.01, 1.0), scale="log")
    assert type(s.live()).__name__ == "FloatLogSlider"
    with pytest.raises(ValueError, match="Slider: min"):
        Slider("lr", 0.0, 1.0, 0.1, 0.5, (0.5,), scale="log")
    with pytest.raises(ValueError, match="scale"):
        Slider("lr", 0.1, 1.0, 0.1, 0.5, (0.5,), scale="cubic")


def test_data_explorer_round_trip():
    from mathdl.widgets import Choice, DataExplorer, Slider, decode_data

    pts = np.array([[0.0, 0.0], [0.5, 0.25], [1.0, 1.0]])
    scene = dict(pixels=np.zeros((10, 10, 3), np.uint8), box=[0, 0, 10, 10],
                 xlim=(0.0, 1.0), ylim=(0.0, 1.0), L=1.0)  # fmt: skip
    rec = dict(points=pts, losses=np.array([1.0, 1e-3, 1e-6]), diverged_at=None,
               message="3 steps", rate=None, scene=0)  # fmt: skip

    def data():
        return dict(scenes=[scene], records=[rec], record_of=lambda c: 0, truncate="steps")

    def draw(fig):
        return lambda c, steps: None

    e = DataExplorer(draw, [Choice("c", ("a", "b"), "a"), Slider("steps", 1, 3, 1, 2, (1, 2))],
                     data, title="t")  # fmt: skip
    (out,) = decode_data(e.data_payload())
    assert np.abs(out["points"] - pts).max() <= 3 / 65535
    assert "mathdl-data-explorer" in e.static_html()
    with pytest.raises(TypeError, match="frames"):
        e.frames()
