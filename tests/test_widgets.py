"""Explorers: one definition, a live form for Jupyter and a static form for the website."""

import base64
import json
import re

import ipywidgets
import numpy as np
import pytest
from matplotlib.figure import Figure

from mathdl.widgets import (
    Choice,
    Explorer,
    Slider,
    _layer_statistics,
    gradient_flow_explorer,
    low_rank_explorer,
    matrix_explorer,
    static_mode,
    taylor_explorer,
)


def _draw_line(fig: Figure, slope: float, shift: float) -> None:
    ax = fig.subplots()
    x = np.linspace(-1, 1, 5)
    ax.plot(x, slope * x + shift)
    ax.set(ylim=(-5, 5))


def _line_explorer() -> Explorer:
    return Explorer(
        _draw_line,
        [Slider("slope", -2, 2, 0.5, 1.0, (-1.0, 1.0, 2.0)), Slider("shift", 0, 1, 1, 0, (0, 1))],
        title="a line",
        figsize=(2, 2),
        dpi=30,
    )


def _static_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="mathdl-frames">(.*?)</script>', html)
    return json.loads(match.group(1))


def test_render_returns_png_and_depends_on_values():
    explorer = _line_explorer()
    png = explorer.render()
    assert png.startswith(b"\x89PNG")
    assert explorer.render(slope=2.0) != png
    assert explorer.render(slope=1.0, shift=0) == png


def test_render_rejects_unknown_slider():
    with pytest.raises(TypeError, match=r"unknown controls \['tilt'\]"):
        _line_explorer().render(tilt=1)


def test_static_frames_are_row_major_over_the_static_grid():
    explorer = _line_explorer()
    data = _static_data(explorer.static_html())
    assert data["shape"] == [3, 2]
    frames = [base64.b64decode(f) for f in data["frames"]]
    assert len(frames) == 6
    # frame (i, j) is slope=static[i], shift=static[j]: compare against fresh renders
    from mathdl.widgets import _compress_png

    assert frames[2 * 2 + 1] == _compress_png(explorer.render(slope=2.0, shift=1))
    assert frames[0] == _compress_png(explorer.render(slope=-1.0, shift=0))


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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(value=5.0), r"value 5.0 lies outside \[0, 2\]"),
        (dict(static=(0.0, 2.0)), r"must contain value 1.0"),
        (dict(static=(1.0, 3.0)), r"leave \[0, 2\]"),
    ],
)
def test_slider_rejects_inconsistent_settings(kwargs, message):
    settings = dict(name="s", min=0, max=2, step=0.5, value=1.0, static=(0.0, 1.0)) | kwargs
    with pytest.raises(ValueError, match=message):
        Slider(**settings)


def test_explorer_rejects_duplicate_slider_names():
    s = Slider("s", 0, 1, 1, 0, (0, 1))
    with pytest.raises(ValueError, match="unique"):
        Explorer(_draw_line, [s, s], title="t")


def test_matrix_explorer_handles_every_static_matrix_kind():
    explorer = matrix_explorer()
    # identity, singular, rotation (complex eigenvalues), zero matrix, reflection
    for a, b, c, d in [(1, 0, 0, 1), (1, 1, 1, 1), (0, -1, 1, 0), (0, 0, 0, 0), (-1, 0, 0, 1)]:
        assert explorer.render(a=a, b=b, c=c, d=d).startswith(b"\x89PNG")
    assert np.prod([len(s.static) for s in explorer.controls]) == 81


def test_low_rank_explorer_offers_full_rank_and_rejects_colour_images():
    rng = np.random.default_rng(0)
    explorer = low_rank_explorer(rng.random((12, 9)))
    (slider,) = explorer.controls
    assert slider.max == 9 and slider.static[-1] == 9
    assert explorer.render(k=9) != explorer.render(k=1)
    with pytest.raises(ValueError, match=r"2-D grayscale image, got shape \(4, 4, 3\)"):
        low_rank_explorer(np.zeros((4, 4, 3)))


def _draw_curve(fig: Figure, kind: str, scale: float) -> None:
    x = np.linspace(-1, 1, 9)
    fig.subplots().plot(x, scale * (np.sin(x) if kind == "sin" else np.cos(x)))


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


def test_choice_rejects_an_unknown_start_value():
    with pytest.raises(ValueError, match=r"value 'tan' is not one of \('sin', 'cos'\)"):
        Choice("kind", ("sin", "cos"), "tan")


def test_taylor_explorer_draws_every_function_and_order():
    explorer = taylor_explorer()
    frames = {
        explorer.render(function=f, order=n) for f in ("sin", "exp", "1/(1-x)") for n in (0, 3)
    }
    assert len(frames) == 6


def test_gradient_flow_statistics_match_torch():
    """The per-layer gradient norms the explorer plots equal torch's for the same network."""
    import torch

    from mathdl import nn

    stds, grads = _layer_statistics("tanh", "xavier", depth=6, width=16)
    net = nn.MLP([16] * 7, activation=nn.Tanh, init="xavier", rng=0)
    layers = []
    for layer in net.layers:
        if isinstance(layer, nn.Linear):
            linear = torch.nn.Linear(16, 16).double()
            with torch.no_grad():
                linear.weight.copy_(torch.as_tensor(layer.weight.data))
                linear.bias.copy_(torch.as_tensor(layer.bias.data))
            layers.append(linear)
        else:
            layers.append(torch.nn.Tanh())
    x = torch.as_tensor(np.random.default_rng(1).standard_normal((128, 16)))
    (torch.nn.Sequential(*layers)(x) ** 2).mean().backward()
    expected = [torch.linalg.norm(m.weight.grad).item() for m in layers[::2]]
    assert stds.shape == (5,)  # one activation between each pair of the 6 layers
    np.testing.assert_allclose(grads, expected, rtol=1e-10)


def test_gradient_flow_explorer_renders_each_activation():
    explorer = gradient_flow_explorer()
    frames = {explorer.render(activation=a, depth=5) for a in ("sigmoid", "tanh", "relu", "gelu")}
    assert len(frames) == 4
