"""mathdl.conv against torch.nn.functional: forward values and every gradient, float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import SEEDS, SETTINGS

from mathdl import conv
from mathdl.autodiff import Tensor
from mathdl.testing import assert_close, compare_with_torch


@st.composite
def conv_configs(draw, max_side=7):
    """A random valid conv2d configuration: shapes and geometry (stride, padding, dilation,
    groups, bias), with the kernel always fitting the padded input."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    same = draw(st.booleans())
    sh, sw = (1, 1) if same else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    h = draw(st.integers(max(1, span_h - 2 * ph), max_side))
    w = draw(st.integers(max(1, span_w - 2 * pw), max_side))
    return dict(
        x=(draw(st.integers(1, 2)), c_in, h, w),
        w=(c_out, c_in // groups, kh, kw),
        bias=draw(st.booleans()),
        stride=(sh, sw),
        padding="same" if same else (ph, pw),
        dilation=(dh, dw),
        groups=groups,
    )


def _arrays(cfg, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(cfg["x"]), rng.standard_normal(cfg["w"])]
    if cfg["bias"]:
        arrays.append(rng.standard_normal(cfg["w"][0]))
    return arrays


def _geometry(cfg):
    return {k: cfg[k] for k in ("stride", "padding", "dilation", "groups")}


@pytest.mark.filterwarnings("ignore:Using padding=.same.:UserWarning")
@pytest.mark.parametrize("ours", [conv.conv2d, conv.conv2d_naive], ids=["im2col", "naive"])
@given(cfg=conv_configs(), seed=SEEDS)
@SETTINGS
def test_conv2d_matches_torch(ours, cfg, seed, device):
    kw = _geometry(cfg)
    err = compare_with_torch(
        lambda *a: ours(*a, **kw),
        lambda *a: F.conv2d(*a, **kw),
        _arrays(cfg, seed),
        device,
        rtol=1e-10,
        atol=1e-12,
        arrays_too=True,
    )
    assert err < 1e-10


@given(cfg=conv_configs(max_side=5), seed=SEEDS)
@SETTINGS
def test_naive_and_im2col_agree(cfg, seed):
    arrays = _arrays(cfg, seed)
    kw = _geometry(cfg)
    assert_close(conv.conv2d(*arrays, **kw), conv.conv2d_naive(*arrays, **kw), rtol=1e-12)


def test_same_padding_puts_the_odd_pixel_after(device):
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 0, 0] = 1.0
    w = np.zeros((1, 1, 2, 2))
    w[0, 0, 0, 0] = 1.0
    expected = F.conv2d(
        torch.tensor(x, device=device), torch.tensor(w, device=device), padding="same"
    )
    assert_close(conv.conv2d(x, w, padding="same"), expected, rtol=0)


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    for y in (conv.conv2d(x, w, b, padding=1), conv.conv2d_naive(x, w, b, padding=1)):
        assert y.dtype == np.float32
        expected = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), padding=1)
        assert_close(y, expected, rtol=1e-5, atol=1e-5)
    t = conv.conv2d(Tensor(x, requires_grad=True), Tensor(w, requires_grad=True), padding=1)
    t.sum().backward()
    assert t.dtype == np.float32


@given(cfg=conv_configs(), seed=SEEDS)
@SETTINGS
def test_im2col_and_col2im_match_unfold_and_fold(cfg, seed, device):
    (n, c, h, w), (_, _, kh, kw) = cfg["x"], cfg["w"]
    if cfg["padding"] == "same":  # unfold pads symmetrically: round "same" up
        pad = tuple(-(-d * (k - 1) // 2) for k, d in zip((kh, kw), cfg["dilation"], strict=False))
    else:
        pad = cfg["padding"]
    geo = dict(dilation=cfg["dilation"], padding=pad, stride=cfg["stride"])
    x = np.random.default_rng(seed).standard_normal((n, c, h, w))
    compare_with_torch(
        lambda t: conv.im2col(t, (kh, kw), **geo),
        lambda t: F.unfold(t, (kh, kw), **geo),
        [x],
        device,
        rtol=1e-12,
        arrays_too=True,
    )
    cols = F.unfold(torch.tensor(x), (kh, kw), **geo).numpy()
    compare_with_torch(
        lambda t: conv.col2im(t, (h, w), (kh, kw), **geo),
        lambda t: F.fold(t, (h, w), (kh, kw), **geo),
        [cols],
        device,
        rtol=1e-12,
        arrays_too=True,
    )


@st.composite
def transpose_configs(draw):
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    extra = tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=False)
    )
    size = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    full = [
        (h - 1) * s + d * (kk - 1) + 1 + e
        for h, s, d, kk, e in zip(size, stride, dilation, k, extra, strict=False)
    ]
    pad = tuple(draw(st.integers(0, (f - 1) // 2)) for f in full)
    return dict(
        x=(draw(st.integers(1, 2)), c_in, *size),
        w=(c_in, c_out // groups, *k),
        bias=c_out if draw(st.booleans()) else None,
        kw=dict(stride=stride, padding=pad, output_padding=extra, groups=groups, dilation=dilation),
    )


@given(cfg=transpose_configs(), seed=SEEDS)
@SETTINGS
def test_conv_transpose2d_matches_torch(cfg, seed, device):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(cfg["x"]), rng.standard_normal(cfg["w"])]
    if cfg["bias"]:
        arrays.append(rng.standard_normal(cfg["bias"]))
    compare_with_torch(
        lambda *a: conv.conv_transpose2d(*a, **cfg["kw"]),
        lambda *a: F.conv_transpose2d(*a, **cfg["kw"]),
        arrays,
        device,
        rtol=1e-10,
        atol=1e-12,
        arrays_too=True,
    )


@given(
    n=st.integers(1, 2),
    c=st.integers(1, 4),
    length=st.integers(3, 9),
    k=st.integers(1, 3),
    stride=st.integers(1, 2),
    dilation=st.integers(1, 2),
    padding=st.sampled_from([0, 1, "same"]),
    bias=st.booleans(),
    seed=SEEDS,
)
@SETTINGS
def test_conv1d_matches_torch(n, c, length, k, stride, dilation, padding, bias, seed, device):
    stride = 1 if padding == "same" else stride
    if dilation * (k - 1) + 1 > length + 2 * (padding if isinstance(padding, int) else 0):
        return
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((n, c, length)), rng.standard_normal((3, c, k))]
    if bias:
        arrays.append(rng.standard_normal(3))
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    compare_with_torch(
        lambda *a: conv.conv1d(*a, **kw),
        lambda *a: F.conv1d(*a, **kw),
        arrays,
        device,
        rtol=1e-10,
        atol=1e-12,
        arrays_too=True,
    )


@st.composite
def pool_configs(draw, dilation=True):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    size = tuple(
        draw(st.integers(max(1, dd * (kk - 1) + 1 - 2 * p), 7))
        for kk, p, dd in zip(k, pad, d, strict=False)
    )
    ceil = draw(st.booleans())
    for n, kk, s, p, dd in zip(size, k, stride, pad, d, strict=True):
        # every window must reach the input: torch mis-indexes windows of padding only
        starts = range(conv.output_size(n, kk, s, p, dd, ceil))
        taps = [[i * s - p + t * dd for t in range(kk)] for i in starts]
        assume(all(any(0 <= r < n for r in window) for window in taps))
    return dict(
        shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size),
        kw=dict(kernel_size=k, stride=stride, padding=pad, ceil_mode=ceil),
        dilation=d,
    )


@given(cfg=pool_configs(), seed=SEEDS)
@SETTINGS
def test_max_pool2d_matches_torch(cfg, seed, device):
    kw = dict(cfg["kw"], dilation=cfg["dilation"])
    # distinct values: the gradient of a tie depends on which maximum is chosen
    x = np.random.default_rng(seed).permutation(np.prod(cfg["shape"])).reshape(cfg["shape"])
    x = x / 7.0
    compare_with_torch(
        lambda t: conv.max_pool2d(t, **kw),
        lambda t: F.max_pool2d(t, **kw),
        [x],
        device,
        rtol=0,
        arrays_too=True,
    )
    _, idx = conv.max_pool2d(x, **kw, return_indices=True)
    _, expected = F.max_pool2d(torch.tensor(x, device=device), **kw, return_indices=True)
    np.testing.assert_array_equal(idx, expected.cpu().numpy())
    assert idx.dtype == np.int64


def test_max_pool2d_ties_go_to_the_first_maximum(device):
    x = np.ones((1, 1, 2, 2))
    t = torch.tensor(x, device=device, requires_grad=True)
    F.max_pool2d(t, 2).sum().backward()
    ours = Tensor(x, requires_grad=True)
    conv.max_pool2d(ours, 2).sum().backward()
    assert_close(ours.grad, t.grad, rtol=0)


@given(
    cfg=pool_configs(dilation=False),
    include=st.booleans(),
    divisor=st.sampled_from([None, 3, -2]),
    seed=SEEDS,
)
@SETTINGS
def test_avg_pool2d_matches_torch(cfg, include, divisor, seed, device):
    kw = dict(cfg["kw"], count_include_pad=include, divisor_override=divisor)
    x = np.random.default_rng(seed).standard_normal(cfg["shape"])
    compare_with_torch(
        lambda t: conv.avg_pool2d(t, **kw),
        lambda t: F.avg_pool2d(t, **kw),
        [x],
        device,
        rtol=1e-12,
        atol=1e-15,
        arrays_too=True,
    )


def test_pools_keep_float32():
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    assert conv.max_pool2d(x, 2).dtype == np.float32
    assert conv.avg_pool2d(x, 2, padding=1).dtype == np.float32
    t = Tensor(x, requires_grad=True)
    conv.avg_pool2d(t, 3, stride=2).sum().backward()
    assert t.grad.dtype == np.float32


def test_empty_batch_gives_an_empty_result():
    y = conv.conv2d(np.zeros((0, 2, 5, 5)), np.ones((3, 2, 3, 3)))
    assert y.shape == (0, 3, 3, 3)
    assert conv.max_pool2d(np.zeros((0, 1, 4, 4)), 2).shape == (0, 1, 2, 2)


def test_extremes_follow_torch_without_warnings(device):
    x = np.array([[[[1e308, -1e308, 0.0], [np.inf, 1e-320, -np.inf], [np.nan, 2.0, 3.0]]]])
    w = np.array([[[[1.0, 1.0], [1.0, 1.0]]]])
    xt, wt = torch.tensor(x, device=device), torch.tensor(w, device=device)
    assert_close(conv.conv2d(x, w), F.conv2d(xt, wt), rtol=0, equal_nan=True)
    assert_close(conv.max_pool2d(x, 2, 1), F.max_pool2d(xt, 2, 1), rtol=0, equal_nan=True)
    assert_close(conv.avg_pool2d(x, 2, 1), F.avg_pool2d(xt, 2, 1), rtol=0, equal_nan=True)


@pytest.mark.parametrize(
    ("x", "kw"),
    [
        ([[[[5.0]]]], dict(kernel_size=(1, 2), stride=1, padding=(0, 1), dilation=(1, 2))),
        ([[[[5.0, 3.0]]]], dict(kernel_size=(1, 2), stride=1, padding=(0, 1), dilation=(1, 3))),
        ([[[[-np.inf, -np.inf], [-np.inf, 1.0]]]], dict(kernel_size=2, stride=1, padding=1)),
        ([[[[np.nan, 1.0], [np.nan, 2.0]]]], dict(kernel_size=2)),
        ([[[[np.inf, np.nan, np.inf, np.nan]]]], dict(kernel_size=(1, 4))),
    ],
    ids=["padding-only", "padding-only-2", "minus-inf", "two-nans", "nan-and-inf"],
)
def test_max_pool2d_degenerate_windows_follow_torch(x, kw, device):
    """Windows of only padding or only -inf, and NaNs: torch's values, indices, gradients.

    A window of padding only has no input to route to: torch's index then points past the
    window (and its backward writes there), ours sends nothing back, so for those only the
    values and indices are compared with torch.
    """
    x = np.array(x)
    xt = torch.tensor(x, device=device, requires_grad=True)
    yt, it = F.max_pool2d(xt, **kw, return_indices=True)
    ours = Tensor(x, requires_grad=True)
    y, idx = conv.max_pool2d(ours, **kw, return_indices=True)
    y.sum().backward()
    assert_close(y, yt, rtol=0, equal_nan=True)
    np.testing.assert_array_equal(idx, it.cpu().numpy())
    if "dilation" in kw:  # the padding-only windows
        assert_close(ours.grad, np.zeros_like(x), rtol=0)
    else:
        yt.sum().backward()
        assert_close(ours.grad, xt.grad, rtol=0)
