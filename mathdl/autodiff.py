"""Reverse-mode automatic differentiation on numpy arrays.

A :class:`Tensor` wraps a numpy array ``data``. Every operation on tensors
computes its result with numpy and records, for each operand, a *vector-Jacobian
product* (VJP): a closure ``vjp(g) -> g @ J`` mapping the gradient of the loss
with respect to the result to the gradient with respect to that operand.
:meth:`Tensor.backward` then visits the recorded graph once, in reverse
topological order, and applies the chain rule ``dL/dx = sum over uses of vjp(dL/dy)``.

Primitives
----------
Each primitive is a module-level function that computes its forward result and,
right beside it, the VJP closure of each operand (micrograd's shape):
:func:`add`, :func:`sub`, :func:`mul`, :func:`div`, :func:`pow`, :func:`neg`,
:func:`matmul` (numpy ``matmul`` semantics: 1-D, 2-D and batched), :func:`exp`,
:func:`log`, :func:`sqrt`, :func:`sum`, :func:`max`, :func:`reshape`,
:func:`transpose` and :func:`getitem`. :func:`mean`, :func:`min` and :func:`t`
are compositions of them. The Tensor operators (``+ - * / ** @``, unary minus,
indexing) and methods (``exp``, ``sum``, ``T``, ...) are one-line calls of these
functions.

Derivatives
-----------
Only exact derivatives live here: :func:`jacobian` (reverse mode, one backward per
output) and :func:`grad`, which turns ``f`` into ``x -> grad f(x)`` like
``torch.func.grad``. Finite differences are :mod:`mathdl.calculus`
(``gradient``, ``jacobian``, ``hessian`` with a step ``h``); a Hessian from the exact
gradient is ``calculus.jacobian(autodiff.grad(f), x)``.

Defining a new primitive
------------------------
Other modules (:mod:`mathdl.functional`) add primitives through one public hook,
:meth:`Tensor.from_op`. Compute the forward result with numpy, then pass it with
one ``(operand, vjp)`` pair per input::

    def square(x):
        out = x.data**2
        return Tensor.from_op(out, [(x, lambda g: 2 * x.data * g)])

``vjp`` receives the gradient with respect to ``out`` (an array of
``out.shape``) and returns the gradient with respect to the operand. The result
may have the broadcast shape; it is summed back to the operand's shape by
:func:`_unbroadcast` and cast to the operand's dtype. Operands that are not
tensors (constants), or tensors that do not require gradients, are ignored.

Conventions follow PyTorch: gradients accumulate into ``.grad`` of *leaf* tensors
(created by the user with ``requires_grad=True``) across ``backward`` calls and
are ``None`` before the first one; gradients of intermediate tensors are not
kept; :func:`no_grad` turns recording off and :func:`enable_grad` back on; only
floating tensors may require gradients; float32 stays float32. Like torch (and
unlike plain numpy) the primitives follow IEEE arithmetic silently: ``log(0) = -inf``,
``1 / 0 = inf`` and overflow in ``exp`` give no warning. One ``np.errstate`` does
that: around each primitive's forward computation (the :func:`_ieee` decorator)
and once around the whole backward pass. Unlike torch, the graph is not freed
after ``backward``, so ``backward`` may be called again on the same result, and
double-backward is not supported: a VJP computes with numpy, not with tensors.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import math
from collections.abc import Callable, Iterable

import numpy as np

from mathdl._validation import as_real, check_bool, check_callable

__all__ = [
    "Tensor",
    "add",
    "div",
    "enable_grad",
    "exp",
    "getitem",
    "grad",
    "is_grad_enabled",
    "jacobian",
    "log",
    "matmul",
    "max",
    "mean",
    "min",
    "mul",
    "neg",
    "no_grad",
    "pow",
    "reshape",
    "sqrt",
    "sub",
    "sum",
    "t",
    "tensor",
    "transpose",
]

_GRAD_ENABLED = True
_IEEE = {"divide": "ignore", "over": "ignore", "invalid": "ignore"}


# ----------------------------------------------------------------------------- grad mode


@contextlib.contextmanager
def _grad_mode(enabled: bool):
    global _GRAD_ENABLED
    previous, _GRAD_ENABLED = _GRAD_ENABLED, enabled
    try:
        yield
    finally:
        _GRAD_ENABLED = previous


def no_grad():
    """Context manager that stops recording operations, like ``torch.no_grad``.

    Inside the block every result has ``requires_grad=False`` and no graph is kept;
    use it for parameter updates and for evaluation.

    Examples
    --------
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """
    return _grad_mode(False)


def enable_grad():
    """Context manager that records operations again, even inside :func:`no_grad`.

    Like ``torch.enable_grad``; :func:`grad` and :func:`jacobian` use it, so they work
    wherever they are called.

    Examples
    --------
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad(), enable_grad():
    ...     y = w * 2
    >>> y.requires_grad
    True
    """
    return _grad_mode(True)


def is_grad_enabled() -> bool:
    """Whether operations are being recorded (``False`` inside :func:`no_grad`).

    Examples
    --------
    >>> is_grad_enabled()
    True
    """
    return _GRAD_ENABLED


def _ieee(func: Callable) -> Callable:
    """Run ``func`` with IEEE arithmetic silent (inf, NaN) instead of RuntimeWarnings."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(**_IEEE):
            return func(*args, **kwargs)

    return wrapper


# ----------------------------------------------------------------------------- helpers


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, to get ``shape``.

    If ``y = f(x)`` broadcast ``x`` of ``shape`` to ``grad.shape``, every copy of an
    element of ``x`` contributed to the loss, so its gradient is the sum over the copies:
    leading axes are summed away and axes of length 1 in ``shape`` are summed with
    ``keepdims``. A ``grad`` of fewer dimensions (a VJP that returned a scalar) is
    broadcast up instead.
    """
    grad = np.asarray(grad)
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0:
        return np.broadcast_to(grad, shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def _data(x):
    """The numpy payload of a tensor; a Python number stays a (weakly typed) number."""
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    return np.asarray(x)


def _normalize_dims(dim, ndim: int, func: str) -> tuple[int, ...]:
    """``dim`` (None, int or tuple of ints, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    size = builtins.max(ndim, 1)
    out = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"{func}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -size <= d < size:
            raise ValueError(
                f"{func}: dim {d} is out of range for a tensor with {ndim} dimension(s)"
            )
        out.append(int(d) % size)
    return tuple(sorted(set(out)))


def _expand_reduced(g: np.ndarray, dims: tuple[int, ...], keepdim: bool, shape) -> np.ndarray:
    """Broadcast the gradient of a reduction over ``dims`` back to the input ``shape``."""
    if not keepdim and len(shape):
        g = np.expand_dims(g, dims)
    return np.broadcast_to(g, shape)


def _is_basic_index(key) -> bool:
    """True for keys made of ints, slices, ``None`` and ``...`` (no integer/bool arrays)."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, (int, np.integer, slice)) or k is None or k is Ellipsis for k in parts)


def _as_tensor(x, func: str) -> Tensor:
    """``x`` if it is a Tensor, else a constant Tensor of it (for the unary primitives)."""
    return x if isinstance(x, Tensor) else Tensor(as_real(x, func, "input", keep_float=True))


# ----------------------------------------------------------------------------- Tensor


class Tensor:
    """An array that records the operations applied to it, for reverse-mode autodiff.

    Parameters
    ----------
    data : array_like
        The values, real numbers or booleans; copied into a numpy array (dtype
        inferred like ``np.array``: Python floats give float64, a float32 array stays
        float32).
    requires_grad : bool, default False
        Make this a leaf whose gradient :meth:`backward` accumulates in ``.grad``.

    Attributes
    ----------
    data : ndarray
        The values.
    grad : ndarray or None
        ``dL/d data`` of the same shape and dtype, for leaves after :meth:`backward`.
    requires_grad : bool
        Whether gradients flow to (or through) this tensor.

    Raises
    ------
    TypeError
        If ``data`` is not real numbers (complex, strings, objects), ``requires_grad`` is
        not a bool, or ``requires_grad`` is set on a non-floating array (integers,
        booleans).

    Notes
    -----
    A tensor produced by an operation records its operands (:attr:`parents`), the
    operation's name (:attr:`op`) and, privately, for each operand a ``vjp(g) = g J``
    for the Jacobian ``J = d out / d operand``; :meth:`topological_order` lists the
    recorded graph. The chain rule in reverse order gives every gradient with one pass
    over the graph, at a cost of a small constant times the forward pass.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    __slots__ = ("_parents", "data", "grad", "op", "requires_grad")
    __array_ufunc__ = None  # numpy defers to our reflected operators: ndarray + Tensor
    __array_priority__ = 1000

    def __init__(self, data, requires_grad: bool = False):
        self.data = np.array(data.data if isinstance(data, Tensor) else data)
        kind = self.data.dtype
        if np.iscomplexobj(self.data) or not (np.issubdtype(kind, np.number) or kind == np.bool_):
            raise TypeError(f"Tensor: data must be real numbers or booleans, got dtype {kind}")
        if check_bool(requires_grad, "Tensor", "requires_grad"):
            if not np.issubdtype(kind, np.floating):
                raise TypeError(f"Tensor: requires_grad=True needs floating data, got dtype {kind}")
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._parents: tuple = ()
        self.op = ""

    # ------------------------------------------------------------------ the hook

    @classmethod
    def from_op(cls, data, parents: Iterable[tuple[object, Callable]], name: str = "") -> Tensor:
        """Wrap the result of a new primitive and record how to differentiate it.

        Parameters
        ----------
        data : ndarray
            The forward result (not copied).
        parents : iterable of (operand, vjp)
            For each input: the operand and ``vjp(g) -> gradient w.r.t. the operand``,
            where ``g`` has ``data.shape``. Non-tensor operands, and tensors that do not
            require gradients, are skipped.
        name : str
            The operation's name, kept in :attr:`op` for reading the graph.

        Returns
        -------
        Tensor
            ``requires_grad`` is True when recording is on and any operand requires it.

        Examples
        --------
        >>> x = Tensor([1.0, -2.0], requires_grad=True)
        >>> y = Tensor.from_op(np.abs(x.data), [(x, lambda g: g * np.sign(x.data))], name="abs")
        >>> y.op, y.parents == (x,)
        ('abs', True)
        >>> y.sum().backward()
        >>> x.grad
        array([ 1., -1.])
        """
        out = cls.__new__(cls)
        out.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        out.grad = None
        if _GRAD_ENABLED:
            out._parents = tuple(
                (p, vjp) for p, vjp in parents if isinstance(p, Tensor) and p.requires_grad
            )
        else:
            out._parents = ()
        out.requires_grad = bool(out._parents)
        out.op = name if out._parents else ""
        return out

    # ------------------------------------------------------------------ properties

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``data``."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """The dtype of ``data``."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions of ``data``."""
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True unless this tensor is the recorded result of an operation."""
        return not self._parents

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The values as a numpy array (shares memory with the tensor)."""
        return self.data

    def detach(self) -> Tensor:
        """A new leaf sharing ``data`` that does not require gradients."""
        return Tensor.from_op(self.data, (), name="detach")

    def zero_grad(self) -> None:
        """Reset ``.grad`` to ``None``, like ``torch``'s ``set_to_none=True``."""
        self.grad = None

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self.data.dtype not in (np.float64, np.int64, np.bool_):
            extra = f", dtype={self.data.dtype}{extra}"
        return f"Tensor({body}{extra})"

    # ------------------------------------------------------------------ backward

    def backward(self, gradient=None) -> None:
        """Accumulate ``d self / d leaf`` into ``leaf.grad`` for every leaf of the graph.

        Parameters
        ----------
        gradient : array_like, optional
            ``dL/d self`` of ``self.shape``; may be left out for a one-element tensor
            (then it is 1). For a non-scalar ``self`` it is the vector ``v`` of the
            vector-Jacobian product ``v J``. Cast to ``self.dtype``.

        Raises
        ------
        RuntimeError
            If ``self`` depends on no tensor with ``requires_grad=True``, or is not a
            one-element tensor and ``gradient`` is not given.
        TypeError
            If ``gradient`` is not real numbers.
        ValueError
            If ``gradient`` does not have ``self.shape``.

        Notes
        -----
        The graph is sorted topologically by an iterative depth-first search, so deep
        graphs do not hit Python's recursion limit. Each node's gradient is complete
        (summed over all its uses) before its VJPs run. The whole pass runs under one
        ``np.errstate`` that keeps IEEE arithmetic silent (``0 * inf = nan``, as in torch).

        Examples
        --------
        >>> x = Tensor(3.0, requires_grad=True)
        >>> (x * x * x).backward()
        >>> x.grad
        array(27.)
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this Tensor does not depend on any Tensor with requires_grad=True"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: a Tensor of shape {self.shape} needs gradient= of that shape; "
                    "it may be left out only for a one-element Tensor"
                )
            gradient = np.ones_like(self.data)
        else:
            given = gradient.data if isinstance(gradient, Tensor) else gradient
            gradient = as_real(given, "backward", "gradient").astype(self.dtype)
            if gradient.shape != self.shape:
                raise ValueError(
                    f"backward: gradient has shape {gradient.shape}, expected {self.shape}"
                )
        with np.errstate(**_IEEE):
            self._propagate(gradient)

    def _propagate(self, gradient: np.ndarray) -> None:
        """The chain rule over the recorded graph, from ``self`` back to the leaves."""
        grads = {id(self): gradient}
        for node in reversed(self.topological_order()):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if not node._parents:  # a leaf: accumulate, like torch
                if node.grad is None:
                    node.grad = np.array(g, dtype=node.dtype)  # an owned copy
                else:
                    node.grad += g
                continue
            for parent, vjp in node._parents:
                pg = _unbroadcast(vjp(g), parent.shape)
                if pg.dtype != parent.dtype:
                    pg = pg.astype(parent.dtype)
                key = id(parent)
                grads[key] = pg if key not in grads else grads[key] + pg

    @property
    def parents(self) -> tuple[Tensor, ...]:
        """The operands this tensor was computed from (empty for a leaf), in order."""
        return tuple(p for p, _ in self._parents)

    def topological_order(self) -> list[Tensor]:
        """Nodes that require grad, every node after all of its parents (iterative DFS)."""
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent, _ in node._parents:
                if id(parent) not in visited:
                    stack.append((parent, False))
        return order

    # ------------------------------------------------------------------ operators

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return sub(self, other)

    def __rsub__(self, other):
        return sub(other, self)

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(other, self)

    def __truediv__(self, other):
        return div(self, other)

    def __rtruediv__(self, other):
        return div(other, self)

    def __pow__(self, other):
        return pow(self, other)

    def __rpow__(self, other):
        return pow(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return neg(self)

    def __pos__(self):
        return self

    def __getitem__(self, key):
        return getitem(self, key)

    # ------------------------------------------------------------------ methods

    def exp(self) -> Tensor:
        """:func:`exp` of this tensor."""
        return exp(self)

    def log(self) -> Tensor:
        """:func:`log` of this tensor."""
        return log(self)

    def sqrt(self) -> Tensor:
        """:func:`sqrt` of this tensor."""
        return sqrt(self)

    def sum(self, dim=None, keepdim: bool = False) -> Tensor:
        """:func:`sum` over ``dim`` (all axes when None)."""
        return sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim: bool = False) -> Tensor:
        """:func:`mean` over ``dim`` (all axes when None)."""
        return mean(self, dim, keepdim)

    def max(self, dim=None, keepdim: bool = False) -> Tensor:
        """:func:`max` over ``dim`` (all axes when None), like ``torch.amax``."""
        return max(self, dim, keepdim)

    def min(self, dim=None, keepdim: bool = False) -> Tensor:
        """:func:`min` over ``dim`` (all axes when None), like ``torch.amin``."""
        return min(self, dim, keepdim)

    def reshape(self, *shape) -> Tensor:
        """:func:`reshape`: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        return reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """:func:`transpose`: swap axes ``dim0`` and ``dim1``."""
        return transpose(self, dim0, dim1)

    @property
    def T(self) -> Tensor:
        """:func:`t`: the transpose of a matrix; a 0-D or 1-D tensor is returned as it is."""
        return t(self)


def tensor(data, requires_grad: bool = False) -> Tensor:
    """Create a :class:`Tensor`, like ``torch.tensor``.

    Examples
    --------
    >>> tensor([1.0, 2.0], requires_grad=True)
    Tensor([1., 2.], requires_grad=True)
    """
    return Tensor(data, requires_grad=requires_grad)


# ----------------------------------------------------------------------------- binary primitives


@_ieee
def add(x, y) -> Tensor:
    """``x + y`` with broadcasting; ``d/dx = d/dy = 1``.

    Examples
    --------
    >>> add(Tensor([1.0, 2.0]), 1.0)
    Tensor([2., 3.])
    """
    return Tensor.from_op(_data(x) + _data(y), [(x, lambda g: g), (y, lambda g: g)], name="add")


@_ieee
def sub(x, y) -> Tensor:
    """``x - y`` with broadcasting; ``d/dx = 1``, ``d/dy = -1``.

    Examples
    --------
    >>> sub(1.0, Tensor([1.0, 2.0]))
    Tensor([ 0., -1.])
    """
    return Tensor.from_op(_data(x) - _data(y), [(x, lambda g: g), (y, lambda g: -g)], name="sub")


@_ieee
def mul(x, y) -> Tensor:
    """``x * y`` with broadcasting; ``d/dx = y``, ``d/dy = x``.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> mul(x, Tensor([3.0, 4.0])).sum().backward()
    >>> x.grad
    array([3., 4.])
    """
    a, b = _data(x), _data(y)
    return Tensor.from_op(a * b, [(x, lambda g: g * b), (y, lambda g: g * a)], name="mul")


@_ieee
def div(x, y) -> Tensor:
    """``x / y`` with broadcasting; ``d/dx = 1/y``, ``d/dy = -x/y**2 = -(x/y)/y``.

    Examples
    --------
    >>> div(Tensor([1.0, -1.0]), 0.0)  # IEEE, silently, as in torch
    Tensor([ inf, -inf])
    """
    a, b = _data(x), _data(y)
    out = a / b
    return Tensor.from_op(out, [(x, lambda g: g / b), (y, lambda g: -g * out / b)], name="div")


@_ieee
def pow(x, y) -> Tensor:
    """``x ** y`` with broadcasting, for a tensor or number base and exponent.

    Notes
    -----
    ``d/dx = y x**(y-1)`` (0 where ``y == 0``) and ``d/dy = x**y log(x)`` (0 where
    ``x == 0`` and ``y >= 0``), the same conventions as ``torch.pow``.

    Examples
    --------
    >>> x = Tensor([2.0, 3.0], requires_grad=True)
    >>> pow(x, 2).sum().backward()
    >>> x.grad
    array([4., 6.])
    """
    a, b = _data(x), _data(y)
    out = np.power(a, b)

    def vjp_x(g):
        return g * np.where(np.equal(b, 0), 0, b * np.power(a, b - 1))

    def vjp_y(g):
        return g * np.where(np.equal(a, 0) & np.greater_equal(b, 0), 0, out * np.log(a))

    return Tensor.from_op(out, [(x, vjp_x), (y, vjp_y)], name="pow")


@_ieee
def matmul(x, y) -> Tensor:
    """Matrix product with ``numpy.matmul`` semantics (1-D, 2-D and batched, broadcast).

    Raises
    ------
    ValueError
        If either operand is 0-D, or the inner dimensions differ, or the batch
        dimensions do not broadcast; the message names both shapes.

    Notes
    -----
    For ``C = A B``: ``dL/dA = G B^T`` and ``dL/dB = A^T G`` (last two axes), summed
    over broadcast batch axes. A 1-D operand is treated as a row (left) or column
    (right) matrix and the added axis is removed again.

    Examples
    --------
    >>> A = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> (A @ Tensor([1.0, 1.0])).sum().backward()
    >>> A.grad
    array([[1., 1.],
           [1., 1.]])
    """
    a, b = np.asarray(_data(x)), np.asarray(_data(y))
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and {b.shape}"
        )
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned ({k_a} != {k_b})")
    try:
        out = a @ b
    except ValueError:
        raise ValueError(
            f"matmul: batch dimensions of shapes {a.shape} and {b.shape} do not broadcast"
        ) from None
    a2 = a[None, :] if a.ndim == 1 else a  # (..., n, k)
    b2 = b[:, None] if b.ndim == 1 else b  # (..., k, m)
    shape2 = (*np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]), a2.shape[-2], b2.shape[-1])

    def vjp_x(g):  # g with the axes removed by 1-D operands put back: (..., n, m)
        ga = g.reshape(shape2) @ np.swapaxes(b2, -1, -2)  # (..., n, k)
        return _unbroadcast(ga, a2.shape).reshape(a.shape)

    def vjp_y(g):
        gb = np.swapaxes(a2, -1, -2) @ g.reshape(shape2)  # (..., k, m)
        return _unbroadcast(gb, b2.shape).reshape(b.shape)

    return Tensor.from_op(np.asarray(out), [(x, vjp_x), (y, vjp_y)], name="matmul")


# ----------------------------------------------------------------------------- unary primitives


def neg(x) -> Tensor:
    """``-x``; ``d/dx = -1``.

    Examples
    --------
    >>> neg(Tensor([1.0, -2.0]))
    Tensor([-1.,  2.])
    """
    x = _as_tensor(x, "neg")
    return Tensor.from_op(-x.data, [(x, lambda g: -g)], name="neg")


@_ieee
def exp(x) -> Tensor:
    """Elementwise ``e**x``; ``d/dx = e**x`` (the result itself).

    Examples
    --------
    >>> exp(Tensor([0.0, 1000.0]))  # overflow is inf, silently, as in torch
    Tensor([ 1., inf])
    """
    x = _as_tensor(x, "exp")
    out = np.exp(x.data)
    return Tensor.from_op(out, [(x, lambda g: g * out)], name="exp")


@_ieee
def log(x) -> Tensor:
    """Elementwise natural logarithm; ``d/dx = 1/x`` (``log 0 = -inf``, like torch).

    Examples
    --------
    >>> log(Tensor([1.0, 0.0]))
    Tensor([  0., -inf])
    """
    x = _as_tensor(x, "log")
    a = x.data
    return Tensor.from_op(np.log(a), [(x, lambda g: g / a)], name="log")


@_ieee
def sqrt(x) -> Tensor:
    """Elementwise square root; ``d/dx = 1 / (2 sqrt(x))`` (``inf`` at 0, like torch).

    Examples
    --------
    >>> sqrt(Tensor([4.0, 9.0]))
    Tensor([2., 3.])
    """
    x = _as_tensor(x, "sqrt")
    out = np.sqrt(x.data)
    return Tensor.from_op(out, [(x, lambda g: g / (2 * out))], name="sqrt")


# ----------------------------------------------------------------------------- reductions


@_ieee
def sum(x, dim=None, keepdim: bool = False) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or all axes when None), like ``torch.sum``.

    Notes
    -----
    ``d/dx_i sum(x) = 1``: the gradient is the output gradient broadcast back over
    the summed axes.

    Examples
    --------
    >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=0)
    Tensor([4., 6.])
    """
    x = _as_tensor(x, "sum")
    dims = _normalize_dims(dim, x.ndim, "sum")
    keepdim = check_bool(keepdim, "sum", "keepdim")
    out = np.sum(x.data, axis=dims, keepdims=keepdim)
    shape = x.shape
    return Tensor.from_op(
        np.asarray(out), [(x, lambda g: _expand_reduced(g, dims, keepdim, shape))], name="sum"
    )


def mean(x, dim=None, keepdim: bool = False) -> Tensor:
    """Mean over ``dim``: :func:`sum` divided by the number of summed elements.

    Examples
    --------
    >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean()
    Tensor(2.5)
    """
    x = _as_tensor(x, "mean")
    dims = _normalize_dims(dim, x.ndim, "mean")
    count = math.prod(x.shape[d] for d in dims) if x.ndim else 1
    return div(sum(x, dims, keepdim), count)


def max(x, dim=None, keepdim: bool = False) -> Tensor:
    """Largest value over ``dim`` (all axes when None), with ``torch.amax`` semantics.

    Returns only the values (no indices).

    Raises
    ------
    ValueError
        For an empty tensor, or a ``dim`` out of range.

    Notes
    -----
    The gradient goes to the maximal elements; when several elements tie for the
    maximum, it is split evenly among them, ``g * [x == max] / count``, exactly like
    ``torch.amax`` (and ``torch.max()`` without ``dim``). ``torch.max(x, dim)``
    differs: it sends the whole gradient to one index.

    Examples
    --------
    >>> x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> x.max().backward()
    >>> x.grad
    array([0. , 0.5, 0.5])
    """
    x = _as_tensor(x, "max")
    dims = _normalize_dims(dim, x.ndim, "max")
    keepdim = check_bool(keepdim, "max", "keepdim")
    if x.data.size == 0:
        raise ValueError(f"max: expected a non-empty tensor, got shape {x.shape}")
    a = x.data
    out = np.amax(a, axis=dims, keepdims=keepdim)

    def vjp(g):
        peak = out if keepdim or not a.ndim else np.expand_dims(out, dims)
        mask = a == peak
        count = mask.sum(axis=dims, keepdims=True)
        return _expand_reduced(g, dims, keepdim, a.shape) * mask / count

    return Tensor.from_op(np.asarray(out), [(x, vjp)], name="max")


def min(x, dim=None, keepdim: bool = False) -> Tensor:
    """Smallest value over ``dim``, ``-max(-x)``, with ``torch.amin`` semantics.

    Examples
    --------
    >>> min(Tensor([[1.0, -2.0], [0.5, 3.0]]), dim=1)
    Tensor([-2. ,  0.5])
    """
    return neg(max(neg(x), dim, keepdim))


# ----------------------------------------------------------------------------- shapes


def reshape(x, shape) -> Tensor:
    """The same values in a new ``shape`` (an int or a tuple, ``-1`` allowed).

    The gradient is reshaped back.

    Raises
    ------
    ValueError
        If the number of elements does not match.

    Examples
    --------
    >>> reshape(Tensor([1.0, 2.0, 3.0, 4.0]), (2, -1)).shape
    (2, 2)
    """
    x = _as_tensor(x, "reshape")
    old = x.shape
    try:
        out = x.data.reshape(shape)
    except (ValueError, TypeError):
        raise ValueError(f"reshape: cannot reshape a tensor of shape {old} to {shape!r}") from None
    return Tensor.from_op(out, [(x, lambda g: g.reshape(old))], name="reshape")


def transpose(x, dim0: int, dim1: int) -> Tensor:
    """Swap two axes, like ``torch.transpose``; the gradient is swapped back.

    Examples
    --------
    >>> transpose(Tensor(np.zeros((2, 3, 4))), 0, 2).shape
    (4, 3, 2)
    """
    x = _as_tensor(x, "transpose")
    (d0,), (d1,) = (_normalize_dims(d, x.ndim, "transpose") for d in (dim0, dim1))
    return Tensor.from_op(
        np.swapaxes(x.data, d0, d1), [(x, lambda g: np.swapaxes(g, d0, d1))], name="transpose"
    )


def t(x) -> Tensor:
    """The transpose of a matrix, like ``torch.t`` (and ``x.T``); 0-D and 1-D as they are.

    Raises
    ------
    ValueError
        For more than 2 dimensions: use :func:`transpose`.

    Examples
    --------
    >>> Tensor([[1.0, 2.0]]).T.shape
    (2, 1)
    """
    x = _as_tensor(x, "t")
    if x.ndim > 2:
        raise ValueError(
            f"t: .T expects a tensor with at most 2 dimensions, got shape {x.shape}; "
            "use transpose(dim0, dim1)"
        )
    return transpose(x, 0, 1) if x.ndim == 2 else x


def getitem(x, key) -> Tensor:
    """``x[key]`` for basic (ints, slices, ``None``, ``...``) and integer-array indexing.

    Notes
    -----
    The gradient scatters ``g`` back into zeros of ``x.shape``. An integer array may
    select one element several times, so the scatter must add: ``np.add.at``.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> x[np.array([0, 0, 2])].sum().backward()
    >>> x.grad
    array([2., 0., 1.])
    """
    x = _as_tensor(x, "getitem")
    if isinstance(key, Tensor):
        key = key.data
    elif isinstance(key, tuple):
        key = tuple(k.data if isinstance(k, Tensor) else k for k in key)
    src = x.data
    basic = _is_basic_index(key)

    def vjp(g):
        full = np.zeros(src.shape, dtype=src.dtype)
        if basic:
            full[key] = g
        else:
            np.add.at(full, key, g)
        return full

    return Tensor.from_op(np.asarray(src[key]), [(x, vjp)], name="getitem")


# ----------------------------------------------------------------------------- derivatives


def _leaf(x, func: str) -> Tensor:
    """A fresh leaf requiring grad at the point ``x`` (a floating dtype is kept)."""
    a = as_real(x.data if isinstance(x, Tensor) else x, func, "x", keep_float=True, copy=True)
    return Tensor(a, requires_grad=True)


def _output(y, func: str) -> Tensor:
    if not isinstance(y, Tensor):
        raise TypeError(f"{func}: f must return a Tensor, got {type(y).__name__}")
    return y


def jacobian(f: Callable, x) -> np.ndarray:
    """Exact Jacobian of ``f`` (Tensor -> Tensor) at ``x`` by reverse mode.

    Parameters
    ----------
    f : callable
        ``f(Tensor) -> Tensor`` built from differentiable operations.
    x : array_like or Tensor
        The point; a floating dtype is kept, integers become float64.

    Returns
    -------
    ndarray, shape ``f(x).shape + x.shape``
        ``J[i..., j...] = d f_i / d x_j``; zeros where ``f`` does not depend on ``x``.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` is not real, or ``f`` does not return a Tensor.

    Notes
    -----
    Row ``i`` is the vector-Jacobian product ``e_i^T J``, one :meth:`Tensor.backward`
    with ``gradient = e_i`` on the same recorded graph: ``f(x).size`` backward passes.
    Recording is on inside (:func:`enable_grad`), even within :func:`no_grad`.
    Finite differences are :func:`mathdl.calculus.jacobian`.

    Examples
    --------
    >>> jacobian(lambda v: v * v, np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    check_callable(f, "jacobian")
    xt = _leaf(x, "jacobian")
    with enable_grad():
        y = _output(f(xt), "jacobian")
    J = np.zeros(y.shape + xt.shape, dtype=xt.dtype)
    if not y.requires_grad:  # f does not depend on x
        return J
    flat = J.reshape(y.data.size, xt.data.size)  # (outputs, inputs), a view of J
    for i in range(y.data.size):
        seed = np.zeros(y.data.size, dtype=y.dtype)
        seed[i] = 1
        xt.grad = None
        y.backward(seed.reshape(y.shape))
        flat[i] = xt.grad.reshape(-1)
    return J


def grad(f: Callable) -> Callable[[np.ndarray], np.ndarray]:
    """The exact gradient of a scalar function, as a function: ``grad(f)(x) = grad f(x)``.

    Like ``torch.func.grad``: ``grad(f)`` maps a point to the gradient there, computed
    by one reverse-mode pass.

    Parameters
    ----------
    f : callable
        ``f(Tensor) -> one-element Tensor``, built from differentiable operations.

    Returns
    -------
    callable
        ``x -> ndarray`` of ``x``'s shape, float64 (``x`` array_like or a Tensor).
        It raises ``TypeError`` if ``x`` is not real or ``f`` does not return a
        Tensor, and ``ValueError`` if ``f`` returns more than one element.

    Raises
    ------
    TypeError
        If ``f`` is not callable.

    Notes
    -----
    ``x`` becomes a float64 leaf ``v``; ``f(v).backward()`` leaves ``df/dv`` in
    ``v.grad`` (zeros if ``f`` does not depend on ``v``). Recording is on inside,
    even within :func:`no_grad`. A Hessian is the Jacobian of the gradient; double
    backward is not supported, so take it by differences of the exact gradient,
    ``mathdl.calculus.jacobian(grad(f), x)``.

    Examples
    --------
    >>> df = grad(lambda v: (v**3).sum())
    >>> df(np.array([1.0, 2.0]))
    array([ 3., 12.])
    """
    check_callable(f, "grad")

    @functools.wraps(f)
    def grad_f(x) -> np.ndarray:
        v = Tensor(as_real(x.data if isinstance(x, Tensor) else x, "grad", "x"), True)
        with enable_grad():
            y = _output(f(v), "grad")
        if y.data.size != 1:
            raise ValueError(f"grad: f must return a one-element Tensor, got shape {y.shape}")
        if not y.requires_grad:  # f does not depend on x
            return np.zeros(v.shape)
        y.backward()
        return v.grad

    return grad_f
