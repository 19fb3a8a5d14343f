"""Neural-network layers on :class:`~mathdl.autodiff.Tensor`, shaped like ``torch.nn``.

* :class:`Module` -- the base class: ``__call__`` runs ``forward``;
  :meth:`~Module.parameters` finds every tensor that requires gradients among the
  attributes, recursing into sub-modules and lists; :meth:`~Module.zero_grad`.
* :class:`Linear` -- ``y = x W^T + b`` with ``W`` of shape ``(out, in)`` like torch and
  torch's default initialisation (or Xavier / He).
* :class:`ReLU`, :class:`Sequential`, :class:`MLP`.

Parameters are float64 unless a ``dtype`` is given; randomness comes from a
``numpy.random.Generator`` (``rng``) so that results are reproducible.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from mathdl import functional as F
from mathdl.autodiff import Tensor

__all__ = ["GELU", "MLP", "Linear", "Module", "ReLU", "Sequential", "Sigmoid", "Tanh"]

_INITS = ("default", "xavier", "he")


def _rng(rng) -> np.random.Generator:
    """``rng`` as a Generator: None (fresh entropy), an int seed, or a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


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
    dtype : numpy dtype, default float64

    Attributes
    ----------
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), or None

    Raises
    ------
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
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Linear: {name} must be a positive integer, got {value!r}")
        if init not in _INITS:
            raise ValueError(
                f"Linear: unknown init {init!r}; expected one of 'default', 'xavier', 'he'"
            )
        gen = _rng(rng)
        self.in_features, self.out_features = int(in_features), int(out_features)
        bound = {
            "default": 1 / math.sqrt(in_features),
            "xavier": math.sqrt(6 / (in_features + out_features)),
            "he": math.sqrt(6 / in_features),
        }[init]
        w = gen.uniform(-bound, bound, size=(out_features, in_features))
        self.weight = Tensor(w.astype(dtype), requires_grad=True)
        self.bias = None
        if bias:
            if init == "default":
                b = gen.uniform(
                    -1 / math.sqrt(in_features), 1 / math.sqrt(in_features), out_features
                )
            else:
                b = np.zeros(out_features)
            self.bias = Tensor(b.astype(dtype), requires_grad=True)

    def forward(self, x) -> Tensor:
        """``x @ W.T + b`` for ``x`` of shape ``(..., in_features)``."""
        shape = x.shape if isinstance(x, Tensor) else np.shape(x)
        if len(shape) == 0 or shape[-1] != self.in_features:
            raise ValueError(
                f"Linear: expected input of shape (..., {self.in_features}) "
                f"(in_features={self.in_features}), got shape {tuple(shape)}; "
                f"weight has shape {self.weight.shape}"
            )
        y = x @ self.weight.T if isinstance(x, Tensor) else Tensor(x) @ self.weight.T
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


class Sequential(Module):
    """Apply modules (or any callables) one after the other.

    Examples
    --------
    >>> net = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=1))
    >>> net(Tensor(np.ones((4, 2)))).shape
    (4, 1)
    >>> len(net.parameters())
    4
    """

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"


class MLP(Sequential):
    """Multi-layer perceptron: :class:`Linear` layers with an activation between them.

    Parameters
    ----------
    sizes : sequence of int, length >= 2
        Widths ``(input, hidden..., output)``.
    activation : callable returning a Module, default :class:`ReLU`
        Instantiated once per hidden layer; none after the last layer.
    rng : None, int or numpy.random.Generator
    init : str, default "default"
        Passed to every :class:`Linear`.
    dtype : numpy dtype, default float64

    Raises
    ------
    ValueError
        If fewer than two sizes are given.

    Examples
    --------
    >>> net = MLP([4, 8, 3], rng=0)
    >>> net
    MLP(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=3, bias=True)
    )
    """

    def __init__(self, sizes, activation=ReLU, rng=None, init: str = "default", dtype=np.float64):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: expected at least 2 sizes (input, output), got {sizes}")
        gen = _rng(rng)
        layers = []
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(Linear(n_in, n_out, init=init, rng=gen, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(activation())
        super().__init__(*layers)

    def __repr__(self) -> str:
        return "MLP" + super().__repr__()[len("Sequential") :]
