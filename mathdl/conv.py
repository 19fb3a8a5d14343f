"""Convolution and pooling on NCHW arrays, with torch's signatures and their backward passes.

* :func:`conv2d_naive` -- the definition, one output value at a time: the readable reference.
* :func:`im2col` and its adjoint :func:`col2im` (torch's ``unfold`` and ``fold``): every
  receptive field as one column, so that a convolution becomes one matrix product.
* :func:`conv2d` -- the fast convolution, built on :func:`im2col`; :func:`conv1d` and
  :func:`conv_transpose2d` (the adjoint of :func:`conv2d` in its input) use the same machinery.
* :func:`max_pool2d` and :func:`avg_pool2d`.

Every function takes numpy arrays (and returns arrays) or :class:`~mathdl.autodiff.Tensor` s
(and returns a Tensor that records its vector-Jacobian products). The backward passes are the
derivations of Chapter 6: the gradient of a convolution with respect to its input is the
transposed convolution of the upstream gradient with the same kernel (:func:`col2im` of
``W^T g``), with respect to its kernel a correlation of the input with the upstream gradient;
max pooling routes each upstream gradient to the position of its window's maximum, average
pooling spreads it evenly over the window.

Shapes follow torch: input ``(N, C, H, W)``, weight ``(C_out, C / groups, kH, kW)``, output
``(N, C_out, H_out, W_out)`` with, per spatial dimension,

``H_out = floor((H + pad_top + pad_bottom - dilation * (kH - 1) - 1) / stride) + 1``.

float32 stays float32; input, weight and bias must share one floating dtype, as in torch.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from mathdl._validation import as_real, check_bool, check_int
from mathdl.autodiff import Tensor

__all__ = [
    "avg_pool2d",
    "col2im",
    "conv1d",
    "conv2d",
    "conv2d_naive",
    "conv_transpose2d",
    "im2col",
    "max_pool2d",
    "output_size",
    "pool_args",
]

_IEEE = {"over": "ignore", "invalid": "ignore", "divide": "ignore", "under": "ignore"}

# ----------------------------------------------------------------------------- arguments


def _values(x, func: str, arg: str, ndim: int | None = None) -> np.ndarray:
    """The numbers of an operand (array_like or Tensor) as a floating array of ``ndim`` dims."""
    data = x.data if isinstance(x, Tensor) else x
    a = as_real(data, func, arg, keep_float=True)
    if ndim is not None and a.ndim != ndim:
        layout = {4: "(N, C, H, W)", 3: "(N, C, L)"}[ndim]
        hint = " (add a batch dimension with x[None])" if a.ndim == ndim - 1 else ""
        raise ValueError(f"{func}: {arg} must be {ndim}-D {layout}, got shape {a.shape}{hint}")
    return a


def _tuple(value, n: int, func: str, arg: str, min: int) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints, each ``>= min``, as a tuple of ``n`` ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{func}: {arg} must be an int or {n} ints, got {tuple(value)}")
        return tuple(check_int(v, func, arg, min=min) for v in value)
    return (check_int(value, func, arg, min=min),) * n


def _same_dtype(func: str, **arrays) -> np.dtype:
    """The one floating dtype shared by the given arrays (None entries skipped)."""
    given = {name: a.dtype for name, a in arrays.items() if a is not None}
    if len(set(given.values())) > 1:
        listed = ", ".join(f"{name} is {dt}" for name, dt in given.items())
        raise TypeError(f"{func}: input, weight and bias must have one dtype, but {listed}")
    return next(iter(given.values()))


def output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding=0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """The output length of a convolution or pooling along one dimension.

    Parameters
    ----------
    size, kernel_size, stride, dilation : int
    padding : int or (int, int)
        The padding on both sides, or (before, after).
    ceil_mode : bool
        Round up instead of down, keeping only windows that start inside the input or the
        leading padding (torch's rule for pooling).

    Returns
    -------
    int
        ``floor((size + before + after - dilation * (kernel_size - 1) - 1) / stride) + 1``
        (``ceil`` with ``ceil_mode``); it may be zero or negative when the kernel does not fit.

    Raises
    ------
    TypeError
        For a size, kernel, stride, padding or dilation that is not an int, or a ``ceil_mode``
        that is not a bool.
    ValueError
        For a negative size or padding, a kernel, stride or dilation below 1, or a padding
        that is neither one int nor two.

    Examples
    --------
    >>> output_size(28, 3, padding=1), output_size(28, 2, stride=2)
    (28, 14)
    >>> output_size(5, 2, stride=2), output_size(5, 2, stride=2, ceil_mode=True)
    (2, 3)
    """
    func = "output_size"
    size = check_int(size, func, "size", min=0)
    kernel_size = check_int(kernel_size, func, "kernel_size", min=1)
    stride = check_int(stride, func, "stride", min=1)
    dilation = check_int(dilation, func, "dilation", min=1)
    ceil_mode = check_bool(ceil_mode, func, "ceil_mode")
    before, after = _tuple(padding, 2, func, "padding", min=0)
    span = size + before + after - dilation * (kernel_size - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + before:
        out -= 1  # the last window would start in the trailing padding
    return out


def _conv_padding(padding, kernel, dilation, stride, func: str) -> tuple[tuple[int, int], ...]:
    """``padding`` (int, ints, "valid" or "same") as (before, after) per spatial dimension."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding != "same":
            raise ValueError(
                f"{func}: padding must be an int, {n} ints, 'valid' or 'same', got {padding!r}"
            )
        if any(s != 1 for s in stride):
            raise ValueError(f"{func}: padding='same' needs stride 1, got stride {stride}")
        total = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in total)  # the odd pixel goes after, as in torch
    return tuple((p, p) for p in _tuple(padding, n, func, "padding", min=0))


def _check_kernel_fits(func, spatial, pads, kernel, stride, dilation, ceil_mode=False):
    """The output size per dimension, or a ValueError showing the output-size formula."""
    out = tuple(
        output_size(h, k, s, p, d, ceil_mode)
        for h, k, s, p, d in zip(spatial, kernel, stride, pads, dilation, strict=True)
    )
    if min(out) < 1:
        padded = tuple(h + a + b for h, (a, b) in zip(spatial, pads, strict=True))
        span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
        raise ValueError(
            f"{func}: kernel {kernel} with dilation {dilation} spans {span} but the padded "
            f"input is only {padded} (input {spatial}, padding {pads}); the output size "
            f"floor((padded - span) / stride) + 1 with stride {stride} is {out}, "
            "and must be at least 1"
        )
    return out


def _check_conv(func, x_shape, w_shape, b, groups, per_group_out: bool = False):
    """Channel, group and bias checks shared by every convolution (any number of dims).

    For the transposed convolution (``per_group_out``) the weight is ``(C_in, C_out/groups,
    k...)``; otherwise ``(C_out, C_in/groups, k...)``.
    """
    groups = check_int(groups, func, "groups", min=1)
    if len(w_shape) != len(x_shape):
        raise ValueError(
            f"{func}: weight must be {len(x_shape)}-D like the input, "
            f"got weight {w_shape} for input {x_shape}"
        )
    c_in = x_shape[1]
    if min(w_shape) < 1 or c_in < 1:
        raise ValueError(
            f"{func}: input {x_shape} and weight {w_shape} must have "
            "at least one channel and a kernel of at least 1"
        )
    lead = w_shape[0]
    if c_in % groups or lead % groups:
        raise ValueError(
            f"{func}: groups={groups} must divide the input channels ({c_in}) "
            f"and the weight's first dimension ({lead}); input {x_shape}, "
            f"weight {w_shape}"
        )
    expected = lead if per_group_out else w_shape[1] * groups
    if c_in != expected:
        detail = (
            f"weight {w_shape} expects {expected}"
            if per_group_out
            else f"weight {w_shape} expects {w_shape[1]} per group, {expected} in all"
        )
        raise ValueError(
            f"{func}: input {x_shape} has {c_in} channels but {detail} (groups={groups})"
        )
    c_out = w_shape[1] * groups if per_group_out else lead
    if b is not None and b.shape != (c_out,):
        raise ValueError(
            f"{func}: bias must have shape ({c_out},) for {c_out} output channels, got {b.shape}"
        )
    return groups


# ----------------------------------------------------------------------------- im2col


def _pad(x: np.ndarray, pads, value: float = 0.0) -> np.ndarray:
    """``x`` (N, C, H, W) padded by ``pads = ((top, bottom), (left, right))``."""
    if not any(a or b for a, b in pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), *pads), constant_values=value)


def _windows(xp: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """Every receptive field of ``xp``: a read-only view (N, C, kH, kW, H_out, W_out)."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    v = sliding_window_view(xp, span, axis=(2, 3))  # (N, C, Hp-spanH+1, Wp-spanW+1, spH, spW)
    v = v[:, :, : sh * (oh - 1) + 1 : sh, : sw * (ow - 1) + 1 : sw, ::dh, ::dw]
    return v.transpose(0, 1, 4, 5, 2, 3)  # (N, C, kH, kW, H_out, W_out)


def _unfold(xp: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """The columns of a padded input: (N, C*kH*kW, H_out*W_out), a fresh array."""
    n, c = xp.shape[:2]
    cols = _windows(xp, kernel, stride, dilation, out)  # (N, C, kH, kW, H_out, W_out)
    return cols.reshape(n, c * kernel[0] * kernel[1], out[0] * out[1])  # the one copy


def _fold(cols: np.ndarray, shape, kernel, stride, dilation, out) -> np.ndarray:
    """The adjoint of :func:`_unfold`: add every column back into an array of ``shape``.

    One vectorised addition per kernel offset (kH*kW of them), never a loop over pixels.
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    n, c = shape[:2]
    cols = cols.reshape(n, c, kh, kw, oh, ow)  # (N, C, kH, kW, H_out, W_out)
    x = np.zeros(shape, dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            rows = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)
            columns = slice(q * dw, q * dw + sw * (ow - 1) + 1, sw)
            x[:, :, rows, columns] += cols[:, :, p, q]
    return x


def _crop(xp: np.ndarray, pads) -> np.ndarray:
    """Remove ``pads = ((top, bottom), (left, right))`` from the last two dimensions."""
    (t, b), (left, r) = pads
    return xp[:, :, t : xp.shape[2] - b, left : xp.shape[3] - r]


def _group_products(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a_g @ b_g^T`` for every group ``g``: (G, M, K) and (G, P, K) -> (G, M, P).

    The kernel gradient of a convolution, where K (the batch times the positions) is long.
    Computed as ``(b_g @ a_g^T)^T``, one 2-D GEMM per group on contiguous operands: numpy's
    batched ``matmul`` does not use BLAS for a stack of transposed views.
    """
    return np.stack([(bg @ ag.T).T for ag, bg in zip(a, b, strict=True)])


def _result(out: np.ndarray, parents, name: str):
    """``out`` as an array, or as a Tensor recording ``parents`` when an operand is a Tensor."""
    if any(isinstance(operand, Tensor) for operand, _ in parents):
        return Tensor.from_op(out, parents, name=name)
    return out


def _fold_args(func, kernel_size, dilation, padding, stride):
    kernel = _tuple(kernel_size, 2, func, "kernel_size", min=1)
    dilation = _tuple(dilation, 2, func, "dilation", min=1)
    pads = tuple((p, p) for p in _tuple(padding, 2, func, "padding", min=0))
    stride = _tuple(stride, 2, func, "stride", min=1)
    return kernel, dilation, pads, stride


def im2col(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every receptive field of ``input`` as a column (torch's ``F.unfold``).

    Parameters
    ----------
    input : (N, C, H, W) array_like or Tensor
    kernel_size, dilation, padding, stride : int or (int, int)

    Returns
    -------
    (N, C*kH*kW, L) ndarray or Tensor
        Column ``l`` holds the window of output position ``l`` (row-major over
        ``(H_out, W_out)``), channel-major then kernel row then kernel column.

    Notes
    -----
    ``cols[n, (c*kH + p)*kW + q, i*W_out + j] = xpad[n, c, i*sH + p*dH, j*sW + q*dW]``.
    Then ``conv2d(x, w) = w.reshape(C_out, -1) @ cols`` reshaped to ``(N, C_out, H_out,
    W_out)``. The gradient is :func:`col2im` of the upstream gradient.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> im2col(x, 2)[0]
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    func = "im2col"
    x = _values(input, func, "input", ndim=4)
    kernel, dilation, pads, stride = _fold_args(func, kernel_size, dilation, padding, stride)
    out = _check_kernel_fits(func, x.shape[2:], pads, kernel, stride, dilation)
    xp = _pad(x, pads)
    cols = _unfold(xp, kernel, stride, dilation, out)

    def vjp(g):
        return _crop(_fold(g, xp.shape, kernel, stride, dilation, out), pads)

    return _result(cols, [(input, vjp)], func)


def col2im(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Add columns back into an image (torch's ``F.fold``), the adjoint of :func:`im2col`.

    Parameters
    ----------
    input : (N, C*kH*kW, L) array_like or Tensor
    output_size : int or (int, int)
        ``(H, W)`` of the image.
    kernel_size, dilation, padding, stride : int or (int, int)

    Returns
    -------
    (N, C, H, W) ndarray or Tensor
        Overlapping windows add up, so ``col2im(im2col(x))`` is ``x`` times the number of
        windows covering each pixel.

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 3))
    >>> col2im(im2col(x, 2), 3, 2)[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    func = "col2im"
    cols = _values(input, func, "input", ndim=3)
    size = _tuple(output_size, 2, func, "output_size", min=1)
    kernel, dilation, pads, stride = _fold_args(func, kernel_size, dilation, padding, stride)
    out = _check_kernel_fits(func, size, pads, kernel, stride, dilation)
    n, rows, length = cols.shape
    k = kernel[0] * kernel[1]
    if rows % k or length != out[0] * out[1]:
        raise ValueError(
            f"{func}: input {cols.shape} must be (N, C*{k}, {out[0] * out[1]}) for kernel "
            f"{kernel} and {out[0]} x {out[1]} windows of an image of size {size}"
        )
    shape = (n, rows // k, size[0] + 2 * pads[0][0], size[1] + 2 * pads[1][0])
    image = _crop(_fold(cols, shape, kernel, stride, dilation, out), pads)

    def vjp(g):
        return _unfold(_pad(g, pads), kernel, stride, dilation, out)

    return _result(image, [(input, vjp)], func)


# ----------------------------------------------------------------------------- convolution


def _conv_operands(func, input, weight, bias, stride, padding, dilation, groups, ndim=4):
    """Checked arrays and geometry of a convolution; the shared front of conv2d and friends."""
    x = _values(input, func, "input", ndim=ndim)
    w = _values(weight, func, "weight")
    b = None if bias is None else _values(bias, func, "bias")
    dtype = _same_dtype(func, input=x, weight=w, bias=b)
    groups = _check_conv(func, x.shape, w.shape, b, groups)
    n_spatial = ndim - 2
    kernel = w.shape[2:]
    stride = _tuple(stride, n_spatial, func, "stride", min=1)
    dilation = _tuple(dilation, n_spatial, func, "dilation", min=1)
    pads = _conv_padding(padding, kernel, dilation, stride, func)
    out = _check_kernel_fits(func, x.shape[2:], pads, kernel, stride, dilation)
    return x, w.astype(dtype, copy=False), b, stride, pads, dilation, groups, out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation of ``input`` with ``weight``, as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    input : (N, C_in, H, W) array_like or Tensor
    weight : (C_out, C_in / groups, kH, kW) array_like or Tensor
    bias : (C_out,) array_like or Tensor, optional
    stride, dilation : int or (int, int), default 1
        ``dilation=1`` means no gaps between kernel taps.
    padding : int, (int, int), "valid" or "same", default 0
        Zeros added on both sides; "same" (stride 1 only) keeps ``H x W``, with the odd
        pixel of an even kernel after, as torch does.
    groups : int, default 1
        Input and output channels split into ``groups`` independent convolutions.

    Returns
    -------
    (N, C_out, H_out, W_out) ndarray or Tensor
        A Tensor (differentiable in all three operands) when any operand is a Tensor.

    Raises
    ------
    TypeError
        For non-numeric operands, non-int geometry, or operands of different dtypes.
    ValueError
        For an input that is not 4-D, a channel count that does not match the weight,
        ``groups`` that does not divide the channels, a bias of the wrong shape, a kernel
        larger than the padded input, or "same" with a stride.

    Notes
    -----
    With ``xpad`` the padded input and ``g`` the group of output channel ``o``,

    ``y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] xpad[n, g*C_g + c, i*sH + p*dH,
    j*sW + q*dW]``,

    computed as ``W_g @ cols_g`` with ``cols = im2col(input)``. Backward, with upstream
    gradient ``G`` reshaped ``(N, groups, C_out/groups, L)``: ``dW_g = sum_n G_g cols_g^T``,
    ``db = sum G`` and ``dx = col2im(W_g^T G_g)``, the transposed convolution.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> edge = np.array([[[[1.0, -1.0]]]])  # (1, 1, 1, 2): the horizontal difference
    >>> conv2d(x, edge)[0, 0]
    array([[-1., -1., -1.],
           [-1., -1., -1.],
           [-1., -1., -1.],
           [-1., -1., -1.]])
    >>> conv2d(x, np.ones((2, 1, 3, 3)), padding="same").shape
    (1, 2, 4, 4)
    """
    func = "conv2d"
    x, w, b, stride, pads, dilation, groups, out = _conv_operands(
        func, input, weight, bias, stride, padding, dilation, groups
    )
    return _conv2d(input, weight, bias, x, w, b, stride, pads, dilation, groups, out, func)


def _conv2d(input, weight, bias, x, w, b, stride, pads, dilation, groups, out, func):
    """The im2col convolution on checked arrays, recording its VJPs for Tensor operands.

    The columns are laid out ``(G, C_g*kH*kW, N*L)``, the whole batch side by side, so that
    each group is one large matrix product (a GEMM), forward and backward.
    """
    n, (c_out, c_g, kh, kw) = x.shape[0], w.shape
    k, length = c_g * kh * kw, out[0] * out[1]
    xp = _pad(x, pads)
    with np.errstate(**_IEEE):
        win = _windows(xp, (kh, kw), stride, dilation, out)  # (N, C_in, kH, kW, Ho, Wo) view
        cols = win.transpose(1, 2, 3, 0, 4, 5).reshape(groups, k, n * length)  # the one copy
        wg = w.reshape(groups, c_out // groups, k)  # (G, O_g, C_g*kH*kW)
        y = np.matmul(wg, cols).reshape(c_out, n, *out)  # (C_out, N, Ho, Wo)
        y = y.transpose(1, 0, 2, 3)  # (N, C_out, Ho, Wo), a view: no copy of the output
        if b is not None:
            y += b[:, None, None]

    def grouped(g):  # (N, C_out, Ho, Wo) -> (G, O_g, N*L)
        return g.transpose(1, 0, 2, 3).reshape(groups, c_out // groups, n * length)

    def vjp_x(g):
        gcols = np.matmul(wg.transpose(0, 2, 1), grouped(g))  # (G, C_g*kH*kW, N*L)
        gcols = gcols.reshape(x.shape[1], kh, kw, n, *out).transpose(0, 3, 1, 2, 4, 5)  # (C, N, ..)
        shape = (xp.shape[1], n, *xp.shape[2:])  # (C_in, N, Hp, Wp)
        gxp = _fold(gcols, shape, (kh, kw), stride, dilation, out).transpose(1, 0, 2, 3)
        return _crop(gxp, pads)

    def vjp_w(g):
        return _group_products(grouped(g), cols).reshape(w.shape)  # (G, O_g, C_g*kH*kW)

    def vjp_b(g):
        return g.sum(axis=(0, 2, 3))

    parents = [(input, vjp_x), (weight, vjp_w), (bias, vjp_b)]
    return _result(y, parents, func)


def _positions(x_shape, w_shape, groups, stride, dilation, out):
    """For :func:`conv2d_naive`: every (n, o, i, j) with the input window it reads.

    Yields ``(n, o, i, j, window)`` where ``window`` indexes the padded input's
    ``(C_g, kH, kW)`` block that output ``y[n, o, i, j]`` multiplies with ``w[o]``.
    """
    n_batch, (c_out, c_g, kh, kw) = x_shape[0], w_shape
    (sh, sw), (dh, dw) = stride, dilation
    for n in range(n_batch):
        for o in range(c_out):
            g = o // (c_out // groups)
            for i in range(out[0]):
                for j in range(out[1]):
                    rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
                    yield n, o, i, j, (n, slice(g * c_g, (g + 1) * c_g), rows, cols)


def conv2d_naive(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """:func:`conv2d` by its definition, one output value at a time (the reference).

    Same parameters, results and errors as :func:`conv2d`; loops over every output
    position, so use it on small inputs. Its backward pass loops the same way: each output
    sends ``g * w[o]`` back to its window and ``g * window`` to ``w[o]``.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 3, 5, 5))
    >>> w = np.random.default_rng(1).normal(size=(4, 3, 3, 3))
    >>> bool(np.allclose(conv2d_naive(x, w, stride=2), conv2d(x, w, stride=2)))
    True
    """
    func = "conv2d_naive"
    x, w, b, stride, pads, dilation, groups, out = _conv_operands(
        func, input, weight, bias, stride, padding, dilation, groups
    )
    xp = _pad(x, pads)
    where = list(_positions(x.shape, w.shape, groups, stride, dilation, out))
    y = np.zeros((x.shape[0], w.shape[0], *out), dtype=x.dtype)
    with np.errstate(**_IEEE):
        for n, o, i, j, window in where:
            y[n, o, i, j] = np.sum(xp[window] * w[o])
        if b is not None:
            y += b[:, None, None]

    def vjp_x(g):
        gxp = np.zeros_like(xp)
        for n, o, i, j, window in where:
            gxp[window] += g[n, o, i, j] * w[o]
        return _crop(gxp, pads)

    def vjp_w(g):
        gw = np.zeros_like(w)
        for n, o, i, j, window in where:
            gw[o] += g[n, o, i, j] * xp[window]
        return gw

    def vjp_b(g):
        return g.sum(axis=(0, 2, 3))

    return _result(y, [(input, vjp_x), (weight, vjp_w), (bias, vjp_b)], func)


def _reshaped(x, shape):
    """``x`` (array or Tensor) reshaped; a Tensor keeps its graph."""
    return x.reshape(*shape) if isinstance(x, Tensor) else np.reshape(x, shape)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``: :func:`conv2d` with height 1.

    Parameters
    ----------
    input : (N, C_in, L) array_like or Tensor
    weight : (C_out, C_in / groups, k) array_like or Tensor
    bias : (C_out,) array_like or Tensor, optional
    stride, dilation : int, default 1
    padding : int, "valid" or "same", default 0
    groups : int, default 1

    Returns
    -------
    (N, C_out, L_out) ndarray or Tensor

    Examples
    --------
    >>> conv1d(np.array([[[1.0, 2.0, 4.0, 8.0]]]), np.array([[[-1.0, 1.0]]]))
    array([[[1., 2., 4.]]])
    """
    func = "conv1d"
    x, w, b, stride, pads, dilation, groups, out = _conv_operands(
        func, input, weight, bias, stride, padding, dilation, groups, ndim=3
    )
    x4, w4 = x[:, :, None, :], w[:, :, None, :]  # (N, C, 1, L), (C_out, C_g, 1, k)
    pads4 = ((0, 0), pads[0])
    input4 = _reshaped(input, x4.shape) if isinstance(input, Tensor) else x4
    weight4 = _reshaped(weight, w4.shape) if isinstance(weight, Tensor) else w4
    y = _conv2d(
        input4,
        weight4,
        bias,
        x4,
        w4,
        b,
        (1, stride[0]),
        pads4,
        (1, dilation[0]),
        groups,
        (1, out[0]),
        func,
    )
    return _reshaped(y, (x.shape[0], w.shape[0], out[0]))


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """Transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    The adjoint of :func:`conv2d` in its input: ``conv_transpose2d(g, w)`` is the gradient
    that ``conv2d(x, w)`` sends back to ``x`` for the upstream gradient ``g``.

    Parameters
    ----------
    input : (N, C_in, H, W) array_like or Tensor
    weight : (C_in, C_out / groups, kH, kW) array_like or Tensor
    bias : (C_out,) array_like or Tensor, optional
    stride, padding, output_padding, dilation : int or (int, int)
        ``output_padding < max(stride, dilation)`` adds rows and columns after.
    groups : int, default 1

    Returns
    -------
    (N, C_out, H_out, W_out) ndarray or Tensor
        ``H_out = (H - 1) sH - 2 pH + dH (kH - 1) + output_padding + 1``.

    Notes
    -----
    With ``G`` the input reshaped ``(N, groups, C_in/groups, L)`` and ``W_g`` the weight
    reshaped ``(groups, C_in/groups, C_out/groups * kH * kW)``: ``y = crop(col2im(W_g^T G))``.
    Its gradients are a convolution (``dx = W_g im2col(dy)``) and ``dW_g = sum_n G
    im2col(dy)^T``.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(1, 2, 4, 4))
    >>> w = np.random.default_rng(1).normal(size=(3, 2, 3, 3))
    >>> g = np.random.default_rng(2).normal(size=(1, 3, 2, 2))
    >>> # <conv2d(x, w), g> = <x, conv_transpose2d(g, w)>: the two maps are adjoint
    >>> bool(np.isclose(np.sum(conv2d(x, w) * g), np.sum(x * conv_transpose2d(g, w))))
    True
    """
    func = "conv_transpose2d"
    x = _values(input, func, "input", ndim=4)
    w = _values(weight, func, "weight")
    b = None if bias is None else _values(bias, func, "bias")
    _same_dtype(func, input=x, weight=w, bias=b)
    groups = _check_conv(func, x.shape, w.shape, b, groups, per_group_out=True)
    kernel = w.shape[2:]
    stride = _tuple(stride, 2, func, "stride", min=1)
    dilation = _tuple(dilation, 2, func, "dilation", min=1)
    pad = _tuple(padding, 2, func, "padding", min=0)
    extra = _tuple(output_padding, 2, func, "output_padding", min=0)
    for e, s, d in zip(extra, stride, dilation, strict=True):
        if e >= max(s, d):
            raise ValueError(
                f"{func}: output_padding {extra} must be smaller than the stride "
                f"{stride} or the dilation {dilation}"
            )
    full = tuple(
        (h - 1) * s + d * (k - 1) + 1 + e
        for h, s, d, k, e in zip(x.shape[2:], stride, dilation, kernel, extra, strict=True)
    )
    size = tuple(f - 2 * p for f, p in zip(full, pad, strict=True))
    if min(size) < 1:
        raise ValueError(
            f"{func}: the output size (H - 1)*stride - 2*padding + "
            f"dilation*(k - 1) + output_padding + 1 is {size} for input "
            f"{x.shape}, weight {w.shape}, stride {stride}, padding {pad}"
        )
    n, c_in = x.shape[:2]
    c_out, windows = w.shape[1] * groups, x.shape[2:]
    pads = tuple((p, f - p - s) for p, f, s in zip(pad, full, size, strict=True))
    wg = w.reshape(groups, c_in // groups, -1)  # (G, C_g, O_g*kH*kW)
    xg = x.reshape(n, groups, c_in // groups, windows[0] * windows[1])  # (N, G, C_g, L)
    with np.errstate(**_IEEE):
        cols = np.matmul(wg.transpose(0, 2, 1), xg)  # (N, G, O_g*kH*kW, L)
        y = _crop(_fold(cols, (n, c_out, *full), kernel, stride, dilation, windows), pads)
        if b is not None:
            y = y + b[:, None, None]

    def gcols(g):  # (N, G, O_g*kH*kW, L): the windows of the upstream gradient
        return _unfold(_pad(g, pads), kernel, stride, dilation, windows).reshape(
            n, groups, wg.shape[-1], xg.shape[-1]
        )

    def vjp_x(g):
        return np.matmul(wg, gcols(g)).reshape(x.shape)  # (N, G, C_g, L)

    def vjp_w(g):  # the batch moved next to the positions: (G, C_g, N*L), (G, O_g*k, N*L)
        x_cols = xg.transpose(1, 2, 0, 3).reshape(groups, c_in // groups, -1)
        g_cols = gcols(g).transpose(1, 2, 0, 3).reshape(groups, wg.shape[-1], -1)
        return _group_products(x_cols, g_cols).reshape(w.shape)

    def vjp_b(g):
        return g.sum(axis=(0, 2, 3))

    return _result(y, [(input, vjp_x), (weight, vjp_w), (bias, vjp_b)], func)


# ----------------------------------------------------------------------------- pooling


def pool_args(func, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Checked pooling arguments: (kernel, stride, padding, dilation, ceil_mode), each a pair.

    Shared by the functions and by :class:`mathdl.nn.MaxPool2d` / ``AvgPool2d``, which check
    their arguments when built. ``stride=None`` means the kernel size; the padding may be at
    most half the kernel, as in torch.

    Examples
    --------
    >>> pool_args("max_pool2d", 2)
    ((2, 2), (2, 2), (0, 0), (1, 1), False)
    """
    kernel = _tuple(kernel_size, 2, func, "kernel_size", min=1)
    stride = kernel if stride is None else _tuple(stride, 2, func, "stride", min=1)
    pad = _tuple(padding, 2, func, "padding", min=0)
    dilation = _tuple(dilation, 2, func, "dilation", min=1)
    ceil_mode = check_bool(ceil_mode, func, "ceil_mode")
    if any(p > k // 2 for p, k in zip(pad, kernel, strict=True)):
        raise ValueError(
            f"{func}: padding {pad} must be at most half the kernel size {kernel} "
            "(rounded down), as in torch"
        )
    return kernel, stride, pad, dilation, ceil_mode


def _pool_geometry(func, x, kernel_size, stride, padding, dilation, ceil_mode):
    """Checked pooling geometry: kernel, stride, per-dimension (before, after) pads, output."""
    kernel, stride, pad, dilation, ceil_mode = pool_args(
        func, kernel_size, stride, padding, dilation, ceil_mode
    )
    out = _check_kernel_fits(
        func, x.shape[2:], tuple((p, p) for p in pad), kernel, stride, dilation, ceil_mode
    )
    # pad after by as much as the last window needs (ceil_mode may need more than `pad`)
    pads = tuple(
        (p, max(p, (o - 1) * s + d * (k - 1) + 1 - h - p))
        for p, o, s, d, k, h in zip(pad, out, stride, dilation, kernel, x.shape[2:], strict=True)
    )
    return kernel, stride, pad, dilation, pads, out


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """The maximum of each window, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    input : (N, C, H, W) array_like or Tensor
    kernel_size : int or (int, int)
    stride : int or (int, int), default ``kernel_size``
    padding : int or (int, int), default 0
        Implicit ``-inf`` on both sides; at most half the kernel.
    dilation : int or (int, int), default 1
    ceil_mode : bool, default False
        Round the output size up (a last, partial window).
    return_indices : bool, default False
        Also return, for every output, the flat index ``row * W + col`` of its maximum in
        its ``(H, W)`` input plane (int64), as torch does.

    Returns
    -------
    (N, C, H_out, W_out) ndarray or Tensor, and the indices if asked for

    Notes
    -----
    Backward routes each upstream gradient to its window's argmax (the first one on ties;
    NaN counts as the maximum, and of several NaNs the last, as in torch):
    ``dx[n, c].flat[idx[n, c, i, j]] += g[n, c, i, j]``. A window in which nothing beats
    ``-inf`` reports its first input position, as torch does. A window of padding only (a
    dilated kernel can skip every input pixel) gives ``-inf`` and sends no gradient back;
    torch reports an index past the window there, and its backward writes to it.

    Examples
    --------
    >>> x = np.array([[[[1.0, 2.0], [4.0, 3.0]]]])
    >>> max_pool2d(x, 2, return_indices=True)
    (array([[[[4.]]]]), array([[[[2]]]]))
    """
    func = "max_pool2d"
    x = _values(input, func, "input", ndim=4)
    check_bool(return_indices, func, "return_indices")
    kernel, stride, pad, dilation, pads, out = _pool_geometry(
        func, x, kernel_size, stride, padding, dilation, ceil_mode
    )
    n, c, h, w = x.shape
    xp = _pad(x, pads, value=-np.inf)
    win = _windows(xp, kernel, stride, dilation, out)  # (N, C, kH, kW, H_out, W_out)
    flat = win.reshape(n, c, kernel[0] * kernel[1], *out)  # (N, C, kH*kW, H_out, W_out)
    arg = np.argmax(flat, axis=2)  # (N, C, H_out, W_out): the first maximum, or first NaN
    y = np.take_along_axis(flat, arg[:, :, None], axis=2)[:, :, 0]
    if np.isnan(y).any():  # torch routes to the last NaN of a window
        last = flat.shape[2] - 1 - np.argmax(np.isnan(flat[:, :, ::-1]), axis=2)
        arg = np.where(np.isnan(y), last, arg)
    rows = np.arange(out[0])[:, None] * stride[0] - pad[0] + (arg // kernel[1]) * dilation[0]
    cols = np.arange(out[1]) * stride[1] - pad[1] + (arg % kernel[1]) * dilation[1]
    indices = (rows * w + cols).astype(np.int64)  # (N, C, H_out, W_out)
    routed = np.ones(y.shape, dtype=bool)  # False for a window that holds only padding
    if np.isneginf(y).any():  # nothing beat -inf: torch keeps the window's first input tap
        (r0, r_ok), (c0, c_ok) = (
            _first_tap(o, k, s, p, d, size)
            for o, k, s, p, d, size in zip(out, kernel, stride, pad, dilation, (h, w), strict=True)
        )
        low = np.isneginf(y)
        indices = np.where(low, r0[:, None] * w + c0, indices)
        routed = ~low | (r_ok[:, None] & c_ok)

    def vjp(g):
        plane = np.arange(n * c).reshape(n, c, 1, 1) * (h * w)
        where = np.where(routed, plane + indices, 0).ravel()
        dx = np.bincount(where, weights=np.where(routed, g, 0).ravel(), minlength=x.size)
        return dx.reshape(x.shape).astype(x.dtype, copy=False)

    y = _result(y, [(input, vjp)], func)
    return (y, indices) if return_indices else y


def _first_tap(out, k, s, p, d, size):
    """Per window along one dimension: its first tap inside the input, and whether it has one."""
    start = np.arange(out) * s - p
    skip = np.maximum(-(start // d) * (start < 0), 0)  # taps that fall in the leading padding
    first = start + skip * d
    return first, (first < size) & (skip < k)


def _pool_sizes(h, k, s, p, out):
    """For each window along one dimension: its size within the padding and within the input."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, h + p)
    inside = np.minimum(end, h) - np.maximum(start, 0)
    return end - start, inside


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """The mean of each window, as ``torch.nn.functional.avg_pool2d``.

    Parameters
    ----------
    input : (N, C, H, W) array_like or Tensor
    kernel_size : int or (int, int)
    stride : int or (int, int), default ``kernel_size``
    padding : int or (int, int), default 0
        Zeros on both sides; at most half the kernel.
    ceil_mode : bool, default False
    count_include_pad : bool, default True
        Divide by the window's size including the zero padding (but not the part of a
        ``ceil_mode`` window that lies beyond it), or only by its pixels inside the input.
    divisor_override : int, optional
        Divide every sum by this instead.

    Returns
    -------
    (N, C, H_out, W_out) ndarray or Tensor

    Notes
    -----
    ``y[n, c, i, j] = (1 / D_ij) sum_{window} xpad``; backward spreads ``g[n, c, i, j] / D_ij``
    evenly over the window (:func:`col2im` of a constant per window).

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> avg_pool2d(x, 2)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    func = "avg_pool2d"
    x = _values(input, func, "input", ndim=4)
    count_include_pad = check_bool(count_include_pad, func, "count_include_pad")
    kernel, stride, pad, _, pads, out = _pool_geometry(
        func, x, kernel_size, stride, padding, 1, ceil_mode
    )
    if divisor_override is not None:
        divisor = check_int(divisor_override, func, "divisor_override")
        if divisor == 0:
            raise ValueError(f"{func}: divisor_override must not be 0")
    else:
        (ph, ih), (pw, iw) = (
            _pool_sizes(size, k, s, p, o)
            for size, k, s, p, o in zip(x.shape[2:], kernel, stride, pad, out, strict=True)
        )
        divisor = np.outer(ph, pw) if count_include_pad else np.outer(ih, iw)  # (H_out, W_out)
    xp = _pad(x, pads)
    ones = (1, 1)
    with np.errstate(**_IEEE):
        sums = _windows(xp, kernel, stride, ones, out).sum(axis=(2, 3))  # (N, C, Ho, Wo)
        y = (sums / divisor).astype(x.dtype, copy=False)

    def vjp(g):
        share = (g / divisor).astype(x.dtype, copy=False)[:, :, None, None]
        cols = np.broadcast_to(share, (*x.shape[:2], *kernel, *out))  # (N, C, kH, kW, Ho, Wo)
        return _crop(_fold(cols, xp.shape, kernel, stride, ones, out), pads)

    return _result(y, [(input, vjp)], func)
