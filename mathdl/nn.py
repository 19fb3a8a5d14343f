"""Neural-network layers on :class:`~mathdl.autodiff.Tensor`, shaped like ``torch.nn``.

* :class:`Module` -- the base class: ``__call__`` runs ``forward``;
  :meth:`~Module.parameters` finds every tensor that requires gradients among the
  attributes, recursing into sub-modules and lists; :meth:`~Module.zero_grad`.
* :class:`Linear` -- ``y = x W^T + b`` with ``W`` of shape ``(out, in)`` like torch and
  torch's default initialisation (or Xavier / He).
* :class:`Conv2d`, :class:`MaxPool2d`, :class:`AvgPool2d` and :class:`Flatten` -- the
  layers of a convolutional network, on :mod:`mathdl.conv` (torch's default initialisation).
* :class:`ReLU`, :class:`Sigmoid`, :class:`Tanh`, :class:`GELU` and, by name,
  :data:`ACTIVATIONS`; :class:`Sequential`, :class:`MLP`.
* :func:`layer_statistics` -- the experiment of the activations section: per layer, the
  scale of the activations and of the gradients of a network.

Parameters are float64 unless a ``dtype`` is given; randomness comes from ``rng`` (None,
an int seed or a ``numpy.random.Generator``) so that results are reproducible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from mathdl import conv
from mathdl import functional as F
from mathdl._validation import (
    _kind,
    as_generator,
    as_real,
    check_bool,
    check_choice,
    check_int,
)
from mathdl.autodiff import Tensor, enable_grad

__all__ = [
    "ACTIVATIONS",
    "GELU",
    "MLP",
    "AvgPool2d",
    "Conv2d",
    "Flatten",
    "Linear",
    "MaxPool2d",
    "Module",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "layer_statistics",
]

_INITS = ("default", "xavier", "he")


def _floating_dtype(dtype, func: str) -> np.dtype:
    """``dtype`` as a numpy floating dtype, or a TypeError naming ``func``."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{func}: dtype must be a numpy floating dtype, got {dtype!r}") from None
    if not np.issubdtype(dt, np.floating):
        raise TypeError(f"{func}: dtype must be a floating dtype, got {dt}")
    return dt


class Module:
    """Base class of layers: subclasses define ``forward``; calling the module runs it.

    Examples
    --------
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         self.w = Tensor(2.0, requires_grad=True)
    ...     def forward(self, x):
    ...         return self.w * x
    >>> m = Scale()
    >>> m(Tensor([1.0, 2.0]))
    Tensor([2., 4.], requires_grad=True)
    >>> len(m.parameters())
    1
    """

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def parameters(self) -> list[Tensor]:
        """Every tensor with ``requires_grad`` reachable from the attributes, once each.

        Attributes are searched in definition order, recursing into sub-modules and into
        lists, tuples and dicts (values) of them.
        """
        found, seen = [], set()

        def visit(obj):
            if isinstance(obj, Tensor):
                if obj.requires_grad and id(obj) not in seen:
                    seen.add(id(obj))
                    found.append(obj)
            elif isinstance(obj, Module):
                if id(obj) not in seen:
                    seen.add(id(obj))
                    for value in vars(obj).values():
                        visit(value)
            elif isinstance(obj, (list, tuple)):
                for item in obj:
                    visit(item)
            elif isinstance(obj, dict):
                for item in obj.values():
                    visit(item)

        visit(self)
        return found

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to ``None``."""
        for p in self.parameters():
            p.grad = None


class Linear(Module):
    """Affine layer ``y = x W^T + b``.

    Parameters
    ----------
    in_features, out_features : int
        Input and output widths (positive).
    bias : bool, default True
    init : {"default", "xavier", "he"}, default "default"
        ``"default"``: torch's ``nn.Linear`` init, ``W, b ~ U(-1/sqrt(in), 1/sqrt(in))``.
        ``"xavier"``: ``W ~ U(-a, a)``, ``a = sqrt(6 / (in + out))``, ``b = 0``.
        ``"he"``: ``W ~ U(-a, a)``, ``a = sqrt(6 / in)`` (Kaiming uniform for ReLU), ``b = 0``.
    rng : None, int or numpy.random.Generator
    dtype : numpy floating dtype, default float64

    Attributes
    ----------
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), or None

    Raises
    ------
    TypeError
        For a width that is not an int, a ``bias`` that is not a bool, an ``init`` that is
        not a string, a bad ``rng`` or a non-floating ``dtype``.
    ValueError
        For non-positive widths, an unknown ``init``, or (in ``forward``) an input whose
        last dimension is not ``in_features``.

    Notes
    -----
    torch initialises the weight with ``kaiming_uniform_(a=sqrt(5))``: gain
    ``sqrt(2 / (1 + a**2)) = sqrt(1/3)``, bound ``gain * sqrt(3 / in) = 1 / sqrt(in)``.
    Xavier keeps the variance of activations and gradients, ``Var W = 2 / (in + out)``;
    He keeps it through ReLUs, ``Var W = 2 / in``.

    Examples
    --------
    >>> layer = Linear(3, 2, rng=0)
    >>> layer.weight.shape, layer.bias.shape
    ((2, 3), (2,))
    >>> layer(Tensor(np.ones((5, 3)))).shape
    (5, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str = "default",
        rng=None,
        dtype=np.float64,
    ):
        n_in = check_int(in_features, "Linear", "in_features", min=1)
        n_out = check_int(out_features, "Linear", "out_features", min=1)
        bias = check_bool(bias, "Linear", "bias")
        init = check_choice(init, "Linear", "init", _INITS)
        dtype = _floating_dtype(dtype, "Linear")
        gen = as_generator(rng, "Linear")
        self.in_features, self.out_features = n_in, n_out
        bound = {
            "default": 1 / math.sqrt(n_in),
            "xavier": math.sqrt(6 / (n_in + n_out)),
            "he": math.sqrt(6 / n_in),
        }[init]
        w = gen.uniform(-bound, bound, size=(n_out, n_in))
        self.weight = Tensor(w.astype(dtype), requires_grad=True)
        self.bias = None
        if bias:
            if init == "default":
                b = gen.uniform(-1 / math.sqrt(n_in), 1 / math.sqrt(n_in), n_out)
            else:
                b = np.zeros(n_out)
            self.bias = Tensor(b.astype(dtype), requires_grad=True)

    def forward(self, x) -> Tensor:
        """``x @ W.T + b`` for ``x`` of shape ``(..., in_features)`` (a Tensor or array_like)."""
        if not isinstance(x, Tensor):
            x = Tensor(as_real(x, "Linear", "input", keep_float=True))
        if x.ndim == 0:
            raise ValueError(
                f"Linear: input must have at least 1 dimension (..., {self.in_features}), "
                "got shape ()"
            )
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear: input {x.shape} has {x.shape[-1]} features but the layer expects "
                f"{self.in_features} (weight has shape {self.weight.shape})"
            )
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None})"
        )


class _Activation(Module):
    """An elementwise function of :mod:`mathdl.functional` as a module with no parameters."""

    function = staticmethod(F.relu)

    def forward(self, x):
        return self.function(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(_Activation):
    """The module form of :func:`mathdl.functional.relu`.

    Examples
    --------
    >>> ReLU()(Tensor([-1.0, 2.0]))
    Tensor([0., 2.])
    """

    function = staticmethod(F.relu)


class Sigmoid(_Activation):
    """The module form of :func:`mathdl.functional.sigmoid`."""

    function = staticmethod(F.sigmoid)


class Tanh(_Activation):
    """The module form of :func:`mathdl.functional.tanh`."""

    function = staticmethod(F.tanh)


class GELU(_Activation):
    """The module form of :func:`mathdl.functional.gelu` (exact, erf form).

    Examples
    --------
    >>> MLP([2, 3, 1], activation=GELU, rng=0)[1]
    GELU()
    """

    function = staticmethod(F.gelu)


#: The activation modules by name, as :class:`MLP` accepts them: ``MLP(sizes, "tanh")``.
ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "gelu": GELU}


class Sequential(Module):
    """Apply modules (or any callables) one after the other.

    ``net[i]`` is the ``i``-th layer and ``net[i:j]`` a Sequential of those layers, as in
    torch.

    Raises
    ------
    TypeError
        If a layer is not callable, or (``net[i]``) the index is not an int or a slice.
    IndexError
        If ``net[i]`` is out of range (the class that also ends a ``for`` loop).

    Examples
    --------
    >>> net = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=1))
    >>> net(Tensor(np.ones((4, 2)))).shape
    (4, 1)
    >>> len(net.parameters())
    4
    """

    def __init__(self, *layers):
        name = type(self).__name__
        for i, layer in enumerate(layers):
            if not callable(layer):
                raise TypeError(
                    f"{name}: layers[{i}] must be a Module or a callable, got {_kind(layer)}"
                )
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i):
        name, n = type(self).__name__, len(self.layers)
        if isinstance(i, slice):
            return Sequential(*self.layers[i])
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"{name}: index must be an int or a slice, got {_kind(i)}")
        if not -n <= i < n:
            raise IndexError(f"{name}: index {i} is out of range for {n} layers")
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"


_ACTIVATION_KINDS = f"one of {list(ACTIVATIONS)} or a callable returning a Module"


def _activation_factory(activation):
    """``activation`` (a name in :data:`ACTIVATIONS` or a callable) as a callable."""
    if isinstance(activation, str):
        return ACTIVATIONS[check_choice(activation, "MLP", "activation", tuple(ACTIVATIONS))]
    if isinstance(activation, Module):
        raise TypeError(
            f"MLP: activation must be {_ACTIVATION_KINDS} (such as the class ReLU), "
            f"got a {type(activation).__name__} instance; pass {type(activation).__name__}"
        )
    if not callable(activation):
        raise TypeError(f"MLP: activation must be {_ACTIVATION_KINDS}, got {_kind(activation)}")
    return activation


def _make_activation(make) -> Module:
    """One activation module from the factory ``make``, or a TypeError naming MLP."""
    try:
        module = make()
    except TypeError as err:
        raise TypeError(
            f"MLP: activation must be {_ACTIVATION_KINDS}; calling activation() failed: {err}"
        ) from None
    if not isinstance(module, Module):
        raise TypeError(f"MLP: activation() must return a Module, got {_kind(module)}")
    return module


def _sizes(sizes) -> list[int]:
    """The widths of :class:`MLP`: a sequence of at least 2 positive ints."""
    ok = isinstance(sizes, Sequence) or (isinstance(sizes, np.ndarray) and sizes.ndim == 1)
    if not ok or isinstance(sizes, (str, bytes)):
        raise TypeError(
            f"MLP: sizes must be a sequence of ints (input, hidden..., output), got {_kind(sizes)}"
        )
    sizes = [check_int(n, "MLP", f"sizes[{i}]", min=1) for i, n in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(f"MLP: expected at least 2 sizes (input, output), got {sizes}")
    return sizes


class MLP(Sequential):
    """Multi-layer perceptron: :class:`Linear` layers with an activation between them.

    Parameters
    ----------
    sizes : sequence of int, length >= 2
        Widths ``(input, hidden..., output)``, each positive.
    activation : str or callable returning a Module, default :class:`ReLU`
        A name in :data:`ACTIVATIONS` (``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"gelu"``)
        or a class such as :class:`Tanh`. Instantiated once per hidden layer; none after
        the last layer.
    rng : None, int or numpy.random.Generator
    init : {"default", "xavier", "he"}, default "default"
        Passed to every :class:`Linear`.
    dtype : numpy floating dtype, default float64

    Raises
    ------
    TypeError
        For ``sizes`` that is not a sequence of ints, an ``activation`` that is neither a
        name nor a callable returning a Module (a Module instance: pass its class), a bad
        ``rng`` or a non-floating ``dtype``.
    ValueError
        If fewer than two sizes are given, a size is not positive, or the ``activation``
        name or ``init`` is unknown.

    Examples
    --------
    >>> net = MLP([4, 8, 3], rng=0)
    >>> net
    MLP(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=3, bias=True)
    )
    >>> MLP([2, 3, 1], activation="tanh", rng=0)[1]
    Tanh()
    """

    def __init__(self, sizes, activation=ReLU, rng=None, init: str = "default", dtype=np.float64):
        sizes = _sizes(sizes)
        make = _activation_factory(activation)
        init = check_choice(init, "MLP", "init", _INITS)
        gen = as_generator(rng, "MLP")
        dtype = _floating_dtype(dtype, "MLP")
        layers = []
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(Linear(n_in, n_out, init=init, rng=gen, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(_make_activation(make))
        super().__init__(*layers)

    def __repr__(self) -> str:
        return "MLP" + super().__repr__()[len("Sequential") :]


# ----------------------------------------------------------------------------- convolutional


def _check_layer_input(x, func: str, channels: int | None = None) -> object:
    """A 4-D (N, C, H, W) operand (Tensor kept), with ``channels`` checked when given."""
    if not isinstance(x, Tensor):
        x = as_real(x, func, "input", keep_float=True)
    if x.ndim != 4:
        raise ValueError(f"{func}: input must be 4-D (N, C, H, W), got shape {x.shape}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(
            f"{func}: input {x.shape} has {x.shape[1]} channels but the layer expects {channels}"
        )
    return x


class Conv2d(Module):
    """2-D convolution layer: :func:`mathdl.conv.conv2d` with a learned kernel and bias.

    Parameters
    ----------
    in_channels, out_channels : int
        Both divisible by ``groups``.
    kernel_size : int or (int, int)
    stride, padding, dilation, groups : as :func:`mathdl.conv.conv2d`
    bias : bool, default True
    rng : None, int or numpy.random.Generator
    dtype : numpy floating dtype, default float64

    Attributes
    ----------
    weight : Tensor, shape (out_channels, in_channels / groups, kH, kW)
    bias : Tensor, shape (out_channels,), or None

    Raises
    ------
    TypeError, ValueError
        For bad sizes or geometry (as :func:`~mathdl.conv.conv2d`), and in ``forward`` for an
        input that is not ``(N, in_channels, H, W)``.

    Notes
    -----
    torch's default initialisation, drawn in the same order (weight, then bias):
    ``W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` with ``fan_in = in_channels / groups * kH
    * kW`` (``kaiming_uniform_(a=sqrt(5))``, as for :class:`Linear`).

    Examples
    --------
    >>> layer = Conv2d(1, 4, 3, padding=1, rng=0)
    >>> layer.weight.shape, layer(np.ones((2, 1, 8, 8))).shape
    ((4, 1, 3, 3), (2, 4, 8, 8))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        rng=None,
        dtype=np.float64,
    ):
        name = "Conv2d"
        c_in = check_int(in_channels, name, "in_channels", min=1)
        c_out = check_int(out_channels, name, "out_channels", min=1)
        groups = check_int(groups, name, "groups", min=1)
        if c_in % groups or c_out % groups:
            raise ValueError(
                f"{name}: groups={groups} must divide in_channels ({c_in}) and "
                f"out_channels ({c_out})"
            )
        kernel = conv._tuple(kernel_size, 2, name, "kernel_size", min=1)
        self.stride = conv._tuple(stride, 2, name, "stride", min=1)
        self.dilation = conv._tuple(dilation, 2, name, "dilation", min=1)
        conv._conv_padding(padding, kernel, self.dilation, self.stride, name)  # checked
        self.padding = (
            padding if isinstance(padding, str) else conv._tuple(padding, 2, name, "padding", min=0)
        )
        self.in_channels, self.out_channels, self.kernel_size = c_in, c_out, kernel
        self.groups = groups
        bias = check_bool(bias, name, "bias")
        dtype, gen = _floating_dtype(dtype, name), as_generator(rng, name)
        bound = 1 / math.sqrt(c_in // groups * kernel[0] * kernel[1])
        w = gen.uniform(-bound, bound, size=(c_out, c_in // groups, *kernel))
        self.weight = Tensor(w.astype(dtype), requires_grad=True)
        b = gen.uniform(-bound, bound, c_out).astype(dtype) if bias else None
        self.bias = Tensor(b, requires_grad=True) if bias else None

    def forward(self, x) -> Tensor:
        """``conv2d(x, weight, bias)`` for ``x`` of shape ``(N, in_channels, H, W)``."""
        x = _check_layer_input(x, "Conv2d", self.in_channels)
        return conv.conv2d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def __repr__(self) -> str:
        extra = "" if self.groups == 1 else f", groups={self.groups}"
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}{extra})"
        )


class _Pool(Module):
    """A pooling function of :mod:`mathdl.conv` as a module: its options, checked when built."""

    def forward(self, x):
        return self.function(_check_layer_input(x, type(self).__name__), **self.options)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return f"{type(self).__name__}({shown})"


class MaxPool2d(_Pool):
    """The module form of :func:`mathdl.conv.max_pool2d` (no parameters).

    Examples
    --------
    >>> MaxPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4))[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """

    function = staticmethod(conv.max_pool2d)

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ):
        kernel, stride, padding, dilation, ceil_mode = conv.pool_args(
            "MaxPool2d", kernel_size, stride, padding, dilation, ceil_mode
        )
        self.options = dict(
            kernel_size=kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=ceil_mode,
            return_indices=check_bool(return_indices, "MaxPool2d", "return_indices"),
        )


class AvgPool2d(_Pool):
    """The module form of :func:`mathdl.conv.avg_pool2d` (no parameters).

    Examples
    --------
    >>> AvgPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4))[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """

    function = staticmethod(conv.avg_pool2d)

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override=None,
    ):
        name = "AvgPool2d"
        kernel, stride, padding, _, ceil_mode = conv.pool_args(
            name, kernel_size, stride, padding, 1, ceil_mode
        )
        if divisor_override is not None:
            if check_int(divisor_override, name, "divisor_override") == 0:
                raise ValueError(f"{name}: divisor_override must not be 0")
        self.options = dict(
            kernel_size=kernel,
            stride=stride,
            padding=padding,
            ceil_mode=ceil_mode,
            count_include_pad=check_bool(count_include_pad, name, "count_include_pad"),
            divisor_override=divisor_override,
        )


class Flatten(Module):
    """Flatten dimensions ``start_dim`` to ``end_dim`` into one, as ``torch.nn.Flatten``.

    The default turns ``(N, C, H, W)`` feature maps into ``(N, C*H*W)`` rows for a
    :class:`Linear` layer.

    Examples
    --------
    >>> Flatten()(Tensor(np.zeros((2, 3, 4, 4)))).shape
    (2, 48)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim = check_int(start_dim, "Flatten", "start_dim")
        self.end_dim = check_int(end_dim, "Flatten", "end_dim")

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = as_real(x, "Flatten", "input", keep_float=True)
        nd = max(x.ndim, 1)
        start, end = (d + nd if d < 0 else d for d in (self.start_dim, self.end_dim))
        if not (0 <= start < nd and 0 <= end < nd) or start > end:
            raise ValueError(
                f"Flatten: start_dim={self.start_dim}, end_dim={self.end_dim} do not name "
                f"dimensions start <= end of an input of shape {x.shape}"
            )
        shape = (*x.shape[:start], math.prod(x.shape[start : end + 1]), *x.shape[end + 1 :])
        return x.reshape(*shape) if isinstance(x, Tensor) else x.reshape(shape)

    def __repr__(self) -> str:
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"


# ----------------------------------------------------------------------------- experiments


def _frobenius(a: np.ndarray) -> float:
    """``||a||_F = sqrt(sum a**2)`` over every entry, scaled first: no overflow, like hypot.

    ``||a|| = s ||a / s||`` with ``s = max |a|``, so the squares stay in ``[0, 1]``.
    """
    a = np.asarray(a, dtype=np.float64)
    s = float(np.max(np.abs(a), initial=0.0))
    if not 0 < s < math.inf:  # 0, inf or NaN: the norm is s itself
        return s if not np.isnan(a).any() else math.nan
    return s * float(np.sqrt(np.sum(np.square(a / s))))


def _std(a: np.ndarray) -> float:
    """``std(a)`` over every entry (``ddof=0``), scaled by ``max |a|`` first: no overflow."""
    a = np.asarray(a, dtype=np.float64)
    s = float(np.max(np.abs(a), initial=0.0))
    if not 0 < s < math.inf:
        return 0.0 if s == 0 else math.nan  # inf (or NaN) among the entries: no spread
    return s * float(np.std(a / s))


def _forward_with_probes(net, x: np.ndarray):
    """``net(x)`` with a zero probe leaf added after each non-Linear layer.

    Returns ``(h0, out, stds, probes)``: the input leaf, the output, ``std(h_l)`` and the
    probes, whose ``.grad`` after ``backward`` is ``dL/dh_l``.
    """
    h0 = Tensor(x, requires_grad=True)  # (B, n), h0.grad = dL/dh_0
    h, stds, probes = h0, [], []
    for layer in net.layers:
        h = layer(h)
        if not isinstance(layer, Linear):  # h is an activation h_l
            probe = Tensor(np.zeros(h.shape, dtype=h.dtype), requires_grad=True)
            h = h + probe  # same values; probe.grad = dL/dh_l
            stds.append(_std(h.data))
            probes.append(probe)
    return h0, h, stds, probes


def layer_statistics(net, x, target):
    """Per layer of ``net``: the std of the activations and the norms of the gradients.

    Forwards the batch ``x`` through the layers of ``net`` and back-propagates the loss
    ``L = 0.5 * ((net(x) - target)**2).sum(dim=1).mean()``, recording how the scale of the
    signal changes with depth (the vanishing- and exploding-gradient experiment).

    Parameters
    ----------
    net : Sequential or MLP
        Its layers are visited in order; every layer that is not a :class:`Linear` counts
        as an activation layer, ``h_l`` being its output (``l = 1..L``).
    x : (B, n) array_like
        The batch; ``h_0 = x`` is a leaf.
    target : array_like, shape of ``net(x)``
        The regression targets.

    Returns
    -------
    stds : (L,) ndarray
        ``std(h_l)`` over all entries of the batch (``ddof=0``), ``l = 1..L``.
    grad_norms : (L + 1,) ndarray
        ``||dL/dh_l||_F`` over the batch, ``l = 0..L``.
    weight_grad_norms : (number of Linear layers,) ndarray
        ``||dL/dW||_F`` of every :class:`Linear` layer, in order.

    Raises
    ------
    TypeError
        If ``net`` is not a :class:`Sequential`, or ``x``/``target`` are not real arrays.
    ValueError
        If ``x`` is not 2-D with at least one row, has a width that the first layer does
        not take, ``x`` or ``target`` holds NaN or inf, or ``target`` does not have the
        shape of ``net(x)``.

    Notes
    -----
    ``dL/dh_l`` of an intermediate result is not kept by ``backward``; a zero *probe*
    leaf ``p_l`` is added to each activation, ``h_l + p_l``, which changes no value and
    gives ``p_l.grad = dL/dh_l`` (torch's ``retain_grad`` does the same). The function
    first zeroes the ``.grad`` of every parameter of ``net`` (:meth:`Module.zero_grad`),
    then ``backward`` fills it: afterwards each parameter's ``.grad`` is ``dL/dp`` of this
    loss alone, and gradients accumulated earlier are gone. Recording is on inside
    (:func:`~mathdl.autodiff.enable_grad`), even within ``no_grad()``.

    Examples
    --------
    >>> net = MLP([3, 4, 4, 2], activation="tanh", rng=0)
    >>> rng = np.random.default_rng(1)
    >>> stds, grads, wgrads = layer_statistics(net, rng.normal(size=(5, 3)), np.zeros((5, 2)))
    >>> stds.shape, grads.shape, wgrads.shape
    ((2,), (3,), (3,))
    >>> bool(np.isclose(wgrads[0], np.linalg.norm(net[0].weight.grad)))
    True
    """
    func = "layer_statistics"
    if not isinstance(net, Sequential):
        raise TypeError(f"{func}: net must be a Sequential (or MLP), got {type(net).__name__}")
    x = as_real(x, func, "x", ndim=2, keep_float=True, finite=True)
    target = as_real(target, func, "target", keep_float=True, finite=True)
    if not len(x):
        raise ValueError(f"{func}: x must hold at least one example (row), got shape {x.shape}")
    first = net.layers[0] if net.layers else None
    if isinstance(first, Linear) and x.shape[1] != first.in_features:
        raise ValueError(
            f"{func}: x {x.shape} has {x.shape[1]} features but the first layer of net "
            f"expects {first.in_features}"
        )
    net.zero_grad()
    with enable_grad():  # the experiment needs the graph, even inside no_grad()
        h0, h, stds, probes = _forward_with_probes(net, x)
        if target.shape != h.shape:
            raise ValueError(
                f"{func}: target has shape {target.shape}, but net(x) has shape {h.shape}"
            )
        loss = 0.5 * ((h - target) ** 2).sum(dim=1).mean()
    loss.backward()
    grads = [_frobenius(p.grad) for p in (h0, *probes)]
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    weights = [_frobenius(layer.weight.grad) for layer in linears]
    return np.array(stds), np.array(grads), np.array(weights)
