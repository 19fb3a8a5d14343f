"""mathdl.conv and its layers under bad and extreme input.

* ``BAD`` -- every public function and layer with bad input: the exception class and the
  start of the message (``func: arg ...``), with the numbers the issue asks for: both shapes
  for a channel mismatch, the groups and channels, the output-size formula's values;
* ``EXTREME`` -- +-1e308, subnormals, +-inf, NaN, empty batches, float32, integer arrays,
  lists and non-contiguous views, forward and backward against torch, RuntimeWarnings as
  errors.
"""

import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from mathdl import conv, nn
from mathdl.autodiff import Tensor
from mathdl.testing import assert_close

X = np.ones((2, 3, 5, 5))
W = np.ones((4, 3, 3, 3))


class Opaque:
    """An object that is neither a number nor an array."""


BAD = [
    # the input's rank
    (
        lambda: conv.conv2d(np.ones((3, 5, 5)), W),
        ValueError,
        "conv2d: input must be 4-D (N, C, H, W), got shape (3, 5, 5) (add a batch dimension",
    ),
    (
        lambda: conv.conv2d(np.ones(5), W),
        ValueError,
        "conv2d: input must be 4-D (N, C, H, W), got shape (5,)",
    ),
    (lambda: conv.conv2d(2.0, W), ValueError, "conv2d: input must be 4-D (N, C, H, W), got shap"),
    (
        lambda: conv.conv2d_naive(np.ones((1, 2, 3, 5, 5)), W),
        ValueError,
        "conv2d_naive: input must be 4-D (N, C, H, W), got shape (1, 2, 3, 5, 5)",
    ),
    (
        lambda: conv.conv2d(X, np.ones((4, 3, 3))),
        ValueError,
        "conv2d: weight must be 4-D like the input, got weight (4, 3, 3) for input (2, 3, 5, 5)",
    ),
    (
        lambda: conv.conv1d(np.ones((2, 5)), np.ones((1, 2, 3))),
        ValueError,
        "conv1d: input must be 3-D (N, C, L), got shape (2, 5) (add a batch dimension",
    ),
    (
        lambda: conv.max_pool2d(np.ones((3, 5, 5)), 2),
        ValueError,
        "max_pool2d: input must be 4-D (N, C, H, W), got shape (3, 5, 5)",
    ),
    (
        lambda: conv.avg_pool2d(np.ones((5, 5)), 2),
        ValueError,
        "avg_pool2d: input must be 4-D (N, C, H, W), got shape (5, 5)",
    ),
    (lambda: conv.im2col(np.ones((5, 5)), 2), ValueError, "im2col: input must be 4-D (N, C, H, W)"),
    (lambda: conv.col2im(np.ones((5, 5)), 3, 2), ValueError, "col2im: input must be 3-D (N, C, L)"),
    # channels, with both shapes
    (
        lambda: conv.conv2d(X, np.ones((4, 2, 3, 3))),
        ValueError,
        "conv2d: input (2, 3, 5, 5) has 3 channels but weight (4, 2, 3, 3) expects 2 per group, "
        "2 in all (groups=1)",
    ),
    (
        lambda: conv.conv2d_naive(X, np.ones((4, 4, 3, 3))),
        ValueError,
        "conv2d_naive: input (2, 3, 5, 5) has 3 channels but weight (4, 4, 3, 3) expects 4",
    ),
    (
        lambda: conv.conv2d(np.ones((1, 4, 5, 5)), np.ones((4, 1, 3, 3)), groups=2),
        ValueError,
        "conv2d: input (1, 4, 5, 5) has 4 channels but weight (4, 1, 3, 3) expects 1 per group, "
        "2 in all (groups=2)",
    ),
    (
        lambda: conv.conv_transpose2d(X, np.ones((2, 4, 3, 3))),
        ValueError,
        "conv_transpose2d: input (2, 3, 5, 5) has 3 channels but weight (2, 4, 3, 3) expects 2",
    ),
    (
        lambda: conv.conv1d(np.ones((1, 3, 8)), np.ones((2, 2, 3))),
        ValueError,
        "conv1d: input (1, 3, 8) has 3 channels but weight (2, 2, 3) expects 2 per group",
    ),
    # groups
    (
        lambda: conv.conv2d(X, np.ones((4, 1, 3, 3)), groups=2),
        ValueError,
        "conv2d: groups=2 must divide the input channels (3) and the weight's first dimension (4)",
    ),
    (
        lambda: conv.conv2d(np.ones((1, 4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2),
        ValueError,
        "conv2d: groups=2 must divide the input channels (4) and the weight's first dimension (3)",
    ),
    (lambda: conv.conv2d(X, W, groups=0), ValueError, "conv2d: groups must be >= 1, got 0"),
    (lambda: conv.conv2d(X, W, groups=1.0), TypeError, "conv2d: groups must be an int, got float"),
    (
        lambda: nn.Conv2d(3, 4, 3, groups=2),
        ValueError,
        "Conv2d: groups=2 must divide in_channels (3) and out_channels (4)",
    ),
    # a kernel larger than the padded input, with the output-size formula's values
    (
        lambda: conv.conv2d(X, np.ones((4, 3, 7, 7))),
        ValueError,
        "conv2d: kernel (7, 7) with dilation (1, 1) spans (7, 7) but the padded input is only "
        "(5, 5) (input (5, 5), padding ((0, 0), (0, 0))); the output size floor((padded - span) "
        "/ stride) + 1 with stride (1, 1) is (-1, -1), and must be at least 1",
    ),
    (
        lambda: conv.conv2d(X, W, dilation=3),
        ValueError,
        "conv2d: kernel (3, 3) with dilation (3, 3) spans (7, 7) but the padded input is only "
        "(5, 5)",
    ),
    (
        lambda: conv.conv2d(X, np.ones((4, 3, 7, 7)), padding=(1, 0)),
        ValueError,
        "conv2d: kernel (7, 7) with dilation (1, 1) spans (7, 7) but the padded input is only "
        "(7, 5)",
    ),
    (
        lambda: conv.max_pool2d(X, 6),
        ValueError,
        "max_pool2d: kernel (6, 6) with dilation (1, 1) spans (6, 6) but the padded input is only",
    ),
    (
        lambda: conv.conv1d(np.ones((1, 1, 4)), np.ones((1, 1, 5))),
        ValueError,
        "conv1d: kernel (5,) with dilation (1,) spans (5,) but the padded input is only (4,)",
    ),
    (
        lambda: conv.conv_transpose2d(np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), padding=1),
        ValueError,
        "conv_transpose2d: the output size (H - 1)*stride - 2*padding + dilation*(k -",
    ),
    # geometry arguments
    (lambda: conv.conv2d(X, W, stride=0), ValueError, "conv2d: stride must be >= 1, got 0"),
    (
        lambda: conv.conv2d(X, W, stride=(1, 2, 3)),
        ValueError,
        "conv2d: stride must be an int or 2 ints, got (1, 2, 3)",
    ),
    (lambda: conv.conv2d(X, W, stride=1.5), TypeError, "conv2d: stride must be an int, got float"),
    (lambda: conv.conv2d(X, W, padding=-1), ValueError, "conv2d: padding must be >= 0, got -1"),
    (
        lambda: conv.conv2d(X, W, padding="full"),
        ValueError,
        "conv2d: padding must be an int, 2 ints, 'valid' or 'same', got 'full'",
    ),
    (
        lambda: conv.conv2d(X, W, padding="same", stride=2),
        ValueError,
        "conv2d: padding='same' needs stride 1, got stride (2, 2)",
    ),
    (lambda: conv.conv2d(X, W, dilation=0), ValueError, "conv2d: dilation must be >= 1, got 0"),
    (lambda: conv.conv2d(X, W, padding=None), TypeError, "conv2d: padding must be an int, got"),
    (
        lambda: conv.conv_transpose2d(X, np.ones((3, 2, 3, 3)), stride=2, output_padding=2),
        ValueError,
        "conv_transpose2d: output_padding (2, 2) must be smaller than the stride (2, 2)",
    ),
    (
        lambda: conv.conv_transpose2d(X, np.ones((3, 2, 3, 3)), padding="same"),
        TypeError,
        "conv_transpose2d: padding must be an int, got str",
    ),
    # bias and dtypes
    (
        lambda: conv.conv2d(X, W, np.ones(3)),
        ValueError,
        "conv2d: bias must have shape (4,) for 4 output channels, got (3,)",
    ),
    (
        lambda: conv.conv2d(X, W, np.ones((4, 1))),
        ValueError,
        "conv2d: bias must have shape (4,) for 4 output channels, got (4, 1)",
    ),
    (
        lambda: conv.conv2d(X.astype(np.float32), W),
        TypeError,
        "conv2d: input, weight and bias must have one dtype, but input is float32, weight is "
        "float64",
    ),
    (
        lambda: conv.conv2d(X, W, np.ones(4, np.float32)),
        TypeError,
        "conv2d: input, weight and bias must have one dtype, but input is float64, weight is "
        "float64, bias is float32",
    ),
    (lambda: conv.conv2d("x", W), TypeError, "conv2d: input must be a real array or number, got"),
    (lambda: conv.conv2d(X, None), TypeError, "conv2d: weight must be a real array or number"),
    (lambda: conv.conv2d(X * 1j, W), TypeError, "conv2d: input must be real, got complex"),
    (lambda: conv.conv2d(Opaque(), W), TypeError, "conv2d: input must be a real numeric array"),
    (
        lambda: conv.conv2d(X, np.ones((0, 3, 3, 3))),
        ValueError,
        "conv2d: input (2, 3, 5, 5) and weight (0, 3, 3, 3) must have at least one channel",
    ),
    # pooling
    (
        lambda: conv.max_pool2d(X, 3, padding=2),
        ValueError,
        "max_pool2d: padding (2, 2) must be at most half the kernel size (3, 3) (rounded down)",
    ),
    (
        lambda: conv.avg_pool2d(X, 2, padding=(0, 2)),
        ValueError,
        "avg_pool2d: padding (0, 2) must be at most half the kernel size (2, 2)",
    ),
    (lambda: conv.max_pool2d(X, 0), ValueError, "max_pool2d: kernel_size must be >= 1, got 0"),
    (lambda: conv.max_pool2d(X, 2, stride=0), ValueError, "max_pool2d: stride must be >= 1, got 0"),
    (
        lambda: conv.max_pool2d(X, 2, ceil_mode=1),
        TypeError,
        "max_pool2d: ceil_mode must be True or False, got int 1",
    ),
    (
        lambda: conv.max_pool2d(X, 2, return_indices="yes"),
        TypeError,
        "max_pool2d: return_indices must be True or False, got str",
    ),
    (
        lambda: conv.avg_pool2d(X, 2, divisor_override=0),
        ValueError,
        "avg_pool2d: divisor_override must not be 0",
    ),
    (
        lambda: conv.avg_pool2d(X, 2, divisor_override=1.5),
        TypeError,
        "avg_pool2d: divisor_override must be an int, got float",
    ),
    (
        lambda: conv.avg_pool2d(X, 2, count_include_pad=None),
        TypeError,
        "avg_pool2d: count_include_pad must be True or False, got None",
    ),
    # im2col / col2im
    (
        lambda: conv.col2im(np.ones((1, 5, 4)), 3, 2),
        ValueError,
        "col2im: input (1, 5, 4) must be (N, C*4, 4) for kernel (2, 2) and 2 x 2 windows",
    ),
    (
        lambda: conv.col2im(np.ones((1, 4, 5)), 3, 2),
        ValueError,
        "col2im: input (1, 4, 5) must be (N, C*4, 4)",
    ),
    (
        lambda: conv.col2im(np.ones((1, 4, 4)), 0, 2),
        ValueError,
        "col2im: output_size must be >= 1, got 0",
    ),
    # layers
    (
        lambda: nn.Conv2d(3, 4, 3)(np.ones((2, 2, 5, 5))),
        ValueError,
        "Conv2d: input (2, 2, 5, 5) has 2 channels but the layer expects 3",
    ),
    (
        lambda: nn.Conv2d(3, 4, 3)(np.ones((3, 5, 5))),
        ValueError,
        "Conv2d: input must be 4-D (N, C, H, W), got shape (3, 5, 5)",
    ),
    (
        lambda: nn.Conv2d(3, 4, 3)(np.ones((2, 3, 2, 2))),
        ValueError,
        "conv2d: kernel (3, 3) with dilation (1, 1) spans (3, 3) but the padded input is only",
    ),
    (lambda: nn.Conv2d(0, 4, 3), ValueError, "Conv2d: in_channels must be >= 1, got 0"),
    (lambda: nn.Conv2d(3, "4", 3), TypeError, "Conv2d: out_channels must be an int, got str"),
    (lambda: nn.Conv2d(3, 4, 0), ValueError, "Conv2d: kernel_size must be >= 1, got 0"),
    (
        lambda: nn.Conv2d(3, 4, 3, padding="same", stride=2),
        ValueError,
        "Conv2d: padding='same' needs stride 1",
    ),
    (lambda: nn.Conv2d(3, 4, 3, bias=1), TypeError, "Conv2d: bias must be True or False, got int"),
    (lambda: nn.Conv2d(3, 4, 3, dtype=np.int32), TypeError, "Conv2d: dtype must be a floating"),
    (lambda: nn.Conv2d(3, 4, 3, rng=-1), ValueError, "Conv2d: rng seed must be >= 0, got -1"),
    (
        lambda: nn.MaxPool2d(3, padding=2),
        ValueError,
        "MaxPool2d: padding (2, 2) must be at most half the kernel size (3, 3)",
    ),
    (
        lambda: nn.MaxPool2d(2)(np.ones((5, 5))),
        ValueError,
        "MaxPool2d: input must be 4-D (N, C, H, W), got shape (5, 5)",
    ),
    (
        lambda: nn.AvgPool2d(2, divisor_override=0),
        ValueError,
        "AvgPool2d: divisor_override must not be 0",
    ),
    (
        lambda: nn.AvgPool2d(2, count_include_pad="no"),
        TypeError,
        "AvgPool2d: count_include_pad must be True or False, got str",
    ),
    (lambda: nn.Flatten(1.5), TypeError, "Flatten: start_dim must be an int, got float"),
    (
        lambda: nn.Flatten(2, 1)(np.ones((2, 3, 4))),
        ValueError,
        "Flatten: start_dim=2, end_dim=1 do not name dimensions start <= end of an input of shape",
    ),
    (
        lambda: nn.Flatten(4)(np.ones((2, 3, 4))),
        ValueError,
        "Flatten: start_dim=4, end_dim=-1 do not name dimensions",
    ),
]


@pytest.mark.parametrize(("call", "error", "start"), BAD, ids=[b[2][:60] for b in BAD])
def test_bad_input_is_refused_clearly(call, error, start):
    with pytest.raises(error, match="^" + re.escape(start)):
        call()


EXTREME = [
    np.full((1, 2, 4, 4), 1e308),
    np.full((1, 2, 4, 4), -1e308),
    np.full((1, 2, 4, 4), 1e-320),
    np.array([np.inf, -np.inf, np.nan, 1.0] * 8).reshape(1, 2, 4, 4),
    np.zeros((0, 2, 4, 4)),
    np.arange(32).reshape(1, 2, 4, 4),  # integers become float64
    np.arange(64.0).reshape(1, 2, 4, 8)[:, :, :, ::2],  # a non-contiguous view
    np.arange(32.0).reshape(1, 2, 4, 4).tolist(),  # nested lists
]


def _torch(x):
    return torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


@pytest.mark.parametrize("x", EXTREME, ids=range(len(EXTREME)))
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda x, w: conv.conv2d(x, w, padding=1), lambda x, w: TF.conv2d(x, w, padding=1)),
        (lambda x, w: conv.conv2d_naive(x, w, stride=2), lambda x, w: TF.conv2d(x, w, stride=2)),
        (
            lambda x, w: conv.conv_transpose2d(
                x, w.transpose(0, 1) if torch.is_tensor(w) else w.transpose(1, 0, 2, 3)
            ),
            lambda x, w: TF.conv_transpose2d(x, w.transpose(0, 1)),
        ),
        (lambda x, w: conv.max_pool2d(x, 2, 1, 1), lambda x, w: TF.max_pool2d(x, 2, 1, 1)),
        (lambda x, w: conv.avg_pool2d(x, 3, 1, 1), lambda x, w: TF.avg_pool2d(x, 3, 1, 1)),
    ],
    ids=["conv2d", "conv2d_naive", "conv_transpose2d", "max_pool2d", "avg_pool2d"],
)
def test_extreme_input_gives_torchs_answer_silently(x, ours, theirs):
    w = np.full((3, 2, 2, 2), 0.5)
    xt, wt = _torch(x), torch.tensor(w)
    yt = theirs(xt, wt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xm = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
        y = ours(xm, w)
        g = np.ones(y.shape)
        y.backward(g)
    assert y.dtype == np.float64
    assert_close(y, yt, rtol=1e-15, equal_nan=True)
    if yt.numel():
        yt.backward(torch.ones_like(yt))
        assert_close(xm.grad, xt.grad, rtol=1e-15, equal_nan=True)


def test_float32_in_float32_out_everywhere():
    x = np.random.default_rng(0).standard_normal((2, 2, 6, 6)).astype(np.float32)
    w = np.ones((2, 2, 3, 3), np.float32)
    outs = [
        conv.conv2d(x, w),
        conv.conv2d_naive(x, w),
        conv.conv_transpose2d(x, w),
        conv.max_pool2d(x, 2),
        conv.avg_pool2d(x, 2),
        conv.im2col(x, 2),
        conv.conv1d(x[:, :, 0], w[:, :, 0]),
    ]
    assert all(y.dtype == np.float32 for y in outs)


OUTPUT_SIZE_BAD = [
    (lambda: conv.output_size(2.0, 3), TypeError, "output_size: size must be an int, got float"),
    (lambda: conv.output_size(-1, 3), ValueError, "output_size: size must be >= 0, got -1"),
    (lambda: conv.output_size(5, 0), ValueError, "output_size: kernel_size must be >= 1, got 0"),
    (lambda: conv.output_size(5, "3"), TypeError, "output_size: kernel_size must be an int"),
    (lambda: conv.output_size(5, 3, 0), ValueError, "output_size: stride must be >= 1, got 0"),
    (lambda: conv.output_size(5, 3, padding=-1), ValueError, "output_size: padding must be >= 0"),
    (
        lambda: conv.output_size(5, 3, padding=(1, 2, 3)),
        ValueError,
        "output_size: padding must be an int or 2 ints, got (1, 2, 3)",
    ),
    (lambda: conv.output_size(5, 3, dilation=0), ValueError, "output_size: dilation must be >= 1"),
    (
        lambda: conv.output_size(5, 3, ceil_mode=1),
        TypeError,
        "output_size: ceil_mode must be True or False, got int 1",
    ),
    (
        lambda: conv.pool_args("max_pool2d", 2, stride=(1,)),
        ValueError,
        "max_pool2d: stride must be an int or 2 ints, got (1,)",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "start"), OUTPUT_SIZE_BAD, ids=[b[2][:50] for b in OUTPUT_SIZE_BAD]
)
def test_output_size_and_pool_args_refuse_bad_input(call, error, start):
    with pytest.raises(error, match="^" + re.escape(start)):
        call()


def test_output_size_with_a_pair_of_paddings():
    assert conv.output_size(5, 2, padding=(0, 1)) == 5  # "same" for an even kernel
