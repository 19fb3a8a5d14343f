"""The chapter 4 KL explorer's layout: every title, label and note inside the figure.

The math of the explorer (the divergences, the optima) is tested in
tests/test_explorers_probability.py; this file checks what the reader can see.
"""

import pytest
from matplotlib.text import Text

from mathdl.explorers import information as info

# The default and the corners of the sliders: the moving title is widest at the corners.
SETTINGS = [{}, {"mean": -4.0, "std": 0.5}, {"mean": 4.0, "std": 0.5}, {"mean": 4.0, "std": 3.0}]


@pytest.fixture(scope="module")
def explorer():
    return info.kl_explorer()


def _texts(explorer) -> list[Text]:
    """Every visible, non-empty text of the rendered figure (titles, labels, ticks, notes)."""
    fig = explorer._figure
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


@pytest.mark.parametrize("values", SETTINGS, ids=str)
def test_every_text_is_inside_the_figure(explorer, values):
    explorer.render(**values)
    fig = explorer._figure
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    texts = _texts(explorer)
    assert len(texts) > 20  # the titles, the axis labels, the tick labels, the note
    for t in texts:
        box = t.get_window_extent(renderer)  # pixels, origin bottom-left
        inside = box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height
        assert inside, f"{t.get_text()!r} at {box.extents} leaves the {width}x{height} figure"


def test_plane_title_names_both_optima_within_its_axes(explorer):
    explorer.render()
    right = explorer._figure.axes[1]
    title = right.title.get_text()
    assert "min KL(p‖q)" in title and "KL(q‖p) minima at the modes" in title
    renderer = explorer._figure.canvas.get_renderer()
    box, axes = right.title.get_window_extent(renderer), right.get_window_extent(renderer)
    assert axes.x0 <= box.x0 and box.x1 <= axes.x1  # centred over the plane, no wider
    assert box.y0 >= axes.y1  # above the plane
