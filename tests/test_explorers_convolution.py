"""The chapter 6 explorer: a 3 x 3 kernel on a digit, with stride, padding and dilation.

What is drawn must be the math of mathdl.conv: the tests read the artists and the texts
back, recompute them independently and compare the maps and sizes with torch.
"""

import base64
import itertools
import json
import re
from fractions import Fraction

import numpy as np
import pytest
import torch.nn.functional as F

from mathdl.conv import output_size
from mathdl.explorers import CHAPTERS, all_explorers
from mathdl.explorers import convolution as cx
from mathdl.testing import assert_close, to_torch

GEOMETRIES = list(itertools.product((1, 2, 3), (0, 1, 2), (1, 2, 3)))  # (stride, padding, dilation)


@pytest.fixture(scope="module")
def explorer():
    return cx.conv_explorer()


def _panels(explorer):
    """The kernel, input and output axes, after a render."""
    return explorer._figure.axes


def _image(ax):
    (image,) = ax.images
    return image


def _numbers(explorer) -> str:
    """The moving text of the figure: the right-hand side of the output-size formula."""
    (text,) = [t for t in explorer._figure.texts if t.get_animated()]
    return text.get_text()


# -- every explorer ------------------------------------------------------------------------


def test_listed_among_the_books_explorers_in_chapter_order():
    assert CHAPTERS[-1] == "convolution"
    assert all_explorers()["convolution.conv_explorer"] is cx.conv_explorer


def test_renders_and_each_control_changes_the_picture(explorer):
    start = explorer.render()
    assert start.startswith(b"\x89PNG")
    for control in explorer.controls:
        for other in control.static:
            if other != control.value:
                assert explorer.render(**{control.name: other}) != start, (control.name, other)
    assert explorer.render() == start


def test_a_setting_looks_the_same_whatever_came_before():
    moved = cx.conv_explorer()
    grid = moved.grid()
    for values in grid[::11]:
        moved.render(**values)
    for values in (grid[0], grid[-1], grid[len(grid) // 2]):
        np.testing.assert_array_equal(moved.pixels(**values), cx.conv_explorer().pixels(**values))


def test_static_frames_cover_every_setting_of_the_controls(explorer):
    assert [c.static for c in explorer.controls[1:]] == [(1, 2, 3), (0, 1, 2), (1, 2, 3)]
    assert explorer.controls[0].static == tuple(cx.KERNELS)
    assert len(explorer.grid()) == len(cx.KERNELS) * len(GEOMETRIES) == 162


def test_static_page_is_small_and_drawn_without_redraws():
    explorer = cx.conv_explorer()
    html = explorer.static_html()
    assert explorer.redraws == 1  # every frame only moved animated artists
    data = json.loads(re.search(r'class="mathdl-frames">(.*?)</script>', html).group(1))
    assert len(data["frames"]) == 162
    assert len(html.encode()) < 1_500_000  # the page budget is 4 MB for a whole section
    assert base64.b64decode(data["frames"][0]).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (dict(stride=0), ValueError, "stride must be >= 1"),
        (dict(stride=4), ValueError, "stride must be <= 3"),
        (dict(padding=-1), ValueError, "padding must be >= 0"),
        (dict(padding=3), ValueError, "padding must be <= 2"),
        (dict(dilation=1.5), ValueError, "dilation must be a whole number"),
        (dict(dilation="2"), TypeError, "dilation must be a real number"),
        (dict(kernel="emboss"), ValueError, "kernel must be one of"),
        (dict(size=3), TypeError, "unknown controls"),
    ],
)
def test_bad_control_values_are_refused(values, error, message, explorer):
    with pytest.raises(error, match=f"^Explorer.render: {message}"):
        explorer.render(**values)


# -- the math ------------------------------------------------------------------------------


def test_the_input_is_a_load_digits_image_scaled_to_one():
    from sklearn.datasets import load_digits

    x = cx.conv_digit()
    np.testing.assert_array_equal(x, load_digits().images[cx.CONV["digit"]] / 16)
    assert x.shape == (8, 8) and not x.flags.writeable
    assert 0.0 == x.min() and x.max() <= 1.0


def test_kernels_are_the_textbook_kernels():
    k = cx.KERNELS
    for name in ("identity", "box blur", "Gaussian", "sharpen"):
        assert_close(k[name].sum(), 1.0)  # they keep a constant image constant
    for name in ("Sobel x", "Laplacian"):
        assert k[name].sum() == 0.0  # they send a constant image to zero
    assert_close(k["Gaussian"], np.outer([1, 2, 1], [1, 2, 1]) / 16)  # separable
    np.testing.assert_array_equal(k["sharpen"], k["identity"] - k["Laplacian"])
    ramp = np.tile(np.arange(5.0), (5, 1))  # (5, 5): brightness grows to the right
    sobel = cx.conv2d(ramp[None, None], k["Sobel x"][None, None])[0, 0]
    laplace = cx.conv2d(ramp[None, None], k["Laplacian"][None, None])[0, 0]
    np.testing.assert_array_equal(sobel, np.full((3, 3), 8.0))  # 2 * (1 + 2 + 1)
    np.testing.assert_array_equal(laplace, np.zeros((3, 3)))  # a linear image is harmonic
    assert all(not w.flags.writeable for w in k.values())


@pytest.mark.parametrize(("stride", "padding", "dilation"), GEOMETRIES)
def test_maps_and_sizes_equal_torch(stride, padding, dilation, device):
    x = to_torch(cx.conv_digit()[None, None], device)  # (1, 1, 8, 8) float64
    n = output_size(8, 3, stride, padding, dilation)
    for name, w in cx.KERNELS.items():
        ours = cx.conv_map(name, stride, padding, dilation)
        theirs = F.conv2d(x, to_torch(w[None, None], device), None, stride, padding, dilation)
        assert ours.shape == tuple(theirs.shape[2:]) == (n, n)
        assert_close(ours, theirs[0, 0], rtol=1e-12, atol=1e-15, name=name)


def test_identity_kernel_reads_the_centre_of_every_window():
    for stride, padding, dilation in GEOMETRIES:
        y = cx.conv_map("identity", stride, padding, dilation)
        xp = np.pad(cx.conv_digit(), padding)
        centres = dilation + stride * np.arange(y.shape[0])  # in padded coordinates
        np.testing.assert_array_equal(y, xp[np.ix_(centres, centres)])


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("blur",), ValueError, "kernel must be one of"),
        (("identity", 0), ValueError, "stride must be >= 1"),
        (("identity", 1, 3), ValueError, "padding must be <= 2"),
        (("identity", 1, 0, 4), ValueError, "dilation must be <= 3"),
        (("identity", 1.0), TypeError, "stride must be an int"),
    ],
)
def test_conv_map_refuses_bad_arguments(args, error, message):
    with pytest.raises(error, match=f"^conv_map: {message}"):
        cx.conv_map(*args)


# -- what is drawn -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(cx.KERNELS))
@pytest.mark.parametrize(("stride", "padding", "dilation"), [(1, 1, 1), (2, 2, 3), (3, 0, 2)])
def test_output_panel_shows_the_map_at_the_inputs_scale(name, stride, padding, dilation):
    explorer = cx.conv_explorer()
    explorer.render(kernel=name, stride=stride, padding=padding, dilation=dilation)
    image = _image(_panels(explorer)[2])
    y = cx.conv_map(name, stride, padding, dilation)
    n = y.shape[0]
    np.testing.assert_array_equal(image.get_array(), y)
    assert tuple(image.get_extent()) == (-0.5, n - 0.5, n - 0.5, -0.5)  # one cell per input pixel
    lo, hi = image.get_clim()
    if cx.KERNELS[name].min() < 0:
        assert image.get_cmap().name == "RdBu_r" and lo == -hi == -np.abs(y).max()
    else:
        assert image.get_cmap().name == "gray_r" and (lo, hi) == (0, 1)


def test_formula_text_gives_the_numbers_and_the_size(explorer):
    for stride, padding, dilation in GEOMETRIES:
        explorer.render(stride=stride, padding=padding, dilation=dilation)
        n = output_size(8, 3, stride, padding, dilation)
        assert n == (8 + 2 * padding - dilation * 2 - 1) // stride + 1
        assert _numbers(explorer) == (
            f" = ⌊(8 + 2·{padding} − {dilation}·(3 − 1) − 1) / {stride}⌋ + 1 = {n}"
        )
    assert cx.FORMULA in [t.get_text() for t in explorer._figure.texts]


def test_input_panel_marks_the_first_window_and_every_window_centre(explorer):
    for stride, padding, dilation in GEOMETRIES:
        explorer.render(stride=stride, padding=padding, dilation=dilation)
        ax = _panels(explorer)[1]
        taps, span, centres = ax.lines
        corners = np.column_stack(taps.get_data())[::6] + 0.5  # top-left of each square
        first = -padding + dilation * np.arange(3)
        expected = np.array([(c, r) for r in first for c in first])  # (x, y) = (col, row)
        np.testing.assert_array_equal(corners, expected)
        width, edge = dilation * 2 + 1, -padding - 0.5
        for coords in span.get_data():  # a square from the padded input's corner
            assert (np.nanmin(coords), np.nanmax(coords)) == (edge, edge + width)
        n = output_size(8, 3, stride, padding, dilation)
        cx_, cy = centres.get_data()
        assert len(cx_) == n * n
        assert sorted(set(cy)) == list(-padding + dilation + stride * np.arange(n))
        image = _image(ax)
        side = 8 + 2 * padding
        assert image.get_array().shape == (side, side, 3)
        assert tuple(image.get_extent()) == (
            -padding - 0.5,
            7.5 + padding,
            7.5 + padding,
            -padding - 0.5,
        )
        grey = 1 - image.get_array()[padding : padding + 8, padding : padding + 8, 0]
        np.testing.assert_array_equal(grey, cx.conv_digit())


@pytest.mark.parametrize("name", sorted(cx.KERNELS))
def test_kernel_panel_shows_the_dilated_kernel(name):
    explorer = cx.conv_explorer()
    for dilation in (1, 2, 3):
        explorer.render(kernel=name, dilation=dilation)
        ax = _panels(explorer)[0]
        shown = _image(ax).get_array()  # (7, 7), masked between the taps
        taps = 3 - dilation + dilation * np.arange(3)
        np.testing.assert_array_equal(shown[np.ix_(taps, taps)], cx.KERNELS[name])
        assert shown.mask.sum() == 49 - 9
        labels = [t for t in ax.texts if t.get_animated()]
        values = [float(Fraction(t.get_text())) for t in labels]  # fractions such as 1/9
        assert_close(np.array(values).reshape(3, 3), cx.KERNELS[name], rtol=1e-15)
        assert [t.get_position() for t in labels] == [(q, p) for p in taps for q in taps]
