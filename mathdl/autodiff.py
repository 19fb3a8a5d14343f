"""Reverse-mode automatic differentiation on numpy arrays.

A :class:`Tensor` wraps a numpy array ``data``. Every operation on tensors
computes its result with numpy and records, for each operand, a *vector-Jacobian
product* (VJP): a closure ``vjp(g) -> g @ J`` mapping the gradient of the loss
with respect to the result to the gradient with respect to that operand. The
closures are written right next to the forward computation. :meth:`Tensor.backward`
then visits the recorded graph once, in reverse topological order, and applies
the chain rule ``dL/dx = sum over uses of vjp(dL/dy)``.

Primitives (each with its own VJP): ``+``, ``-`` (unary and binary), ``*``,
``/``, ``**`` (tensor to a scalar or to a tensor power), ``@`` (numpy
``matmul`` semantics: 1-D, 2-D and batched), :meth:`~Tensor.exp`,
:meth:`~Tensor.log`, :meth:`~Tensor.sqrt`, :meth:`~Tensor.sum`,
:meth:`~Tensor.max`, :meth:`~Tensor.reshape`, :meth:`~Tensor.transpose`,
``.T`` and indexing ``t[key]``. :meth:`~Tensor.mean` and :meth:`~Tensor.min`
are compositions.

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
kept; :func:`no_grad` turns recording off; only floating tensors may require
gradients; float32 stays float32. Like torch (and unlike plain numpy) the
primitives follow IEEE arithmetic silently: ``log(0) = -inf``, ``1 / 0 = inf``
and overflow in ``exp`` give no warning. Unlike torch, the graph is not freed
after ``backward``, so ``backward`` may be called again on the same result, and
double-backward is not supported: a VJP computes with numpy, not with tensors.
:func:`hessian` therefore differentiates the autodiff gradient numerically.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable

import numpy as np

__all__ = [
    "Tensor",
    "hessian",
    "is_grad_enabled",
    "jacobian",
    "no_grad",
    "numerical_gradient",
    "tensor",
]

_GRAD_ENABLED = True
_IEEE = {"divide": "ignore", "over": "ignore", "invalid": "ignore"}


@contextlib.contextmanager
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
    global _GRAD_ENABLED
    previous, _GRAD_ENABLED = _GRAD_ENABLED, False
    try:
        yield
    finally:
        _GRAD_ENABLED = previous


def is_grad_enabled() -> bool:
    """Whether operations are being recorded (``False`` inside :func:`no_grad`).

    Examples
    --------
    >>> is_grad_enabled()
    True
    """
    return _GRAD_ENABLED


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


def _check_floating(dtype: np.dtype) -> None:
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"only floating point tensors can require gradients, got {dtype}")


def _normalize_dims(dim, ndim: int, func: str) -> tuple[int, ...]:
    """``dim`` (None, int or tuple of ints, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise ValueError(
                f"{func}: dim {d} is out of range for a tensor with {ndim} dimension(s)"
            )
        out.append(int(d) % max(ndim, 1))
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


class Tensor:
    """An array that records the operations applied to it, for reverse-mode autodiff.

    Parameters
    ----------
    data : array_like
        The values; copied into a numpy array (dtype inferred like ``np.array``:
        Python floats give float64, a float32 array stays float32).
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
        If ``requires_grad`` is set on a non-floating array (integers, booleans).

    Notes
    -----
    A tensor produced by an operation records its operands (:attr:`parents`), the
    operation's name (:attr:`op`) and, privately, for each operand a ``vjp(g) = g J``
    for the Jacobian ``J = d out / d operand``; :meth:`topological_order` lists the
    recorded graph. The chain rule
    in reverse order gives every gradient with one pass over the graph, at a cost of a
    small constant times the forward pass.

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
        if requires_grad:
            _check_floating(self.data.dtype)
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
            vector-Jacobian product ``v J``.

        Raises
        ------
        RuntimeError
            If ``self`` does not require gradients, or is not a scalar and
            ``gradient`` is not given.
        ValueError
            If ``gradient`` does not have ``self.shape``.

        Notes
        -----
        The graph is sorted topologically by an iterative depth-first search, so deep
        graphs do not hit Python's recursion limit. Each node's gradient is complete
        (summed over all its uses) before its VJPs run.

        Examples
        --------
        >>> x = Tensor(3.0, requires_grad=True)
        >>> (x * x * x).backward()
        >>> x.grad
        array(27.)
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs; got a tensor of "
                    f"shape {self.shape}, pass gradient= of that shape"
                )
            gradient = np.ones_like(self.data)
        else:
            gradient = np.asarray(_data(gradient), dtype=self.dtype)
            if gradient.shape != self.shape:
                raise ValueError(
                    f"backward: gradient has shape {gradient.shape}, expected {self.shape}"
                )
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
        return Tensor.from_op(-self.data, [(self, lambda g: -g)], name="neg")

    def __pos__(self):
        return self

    def __getitem__(self, key):
        return getitem(self, key)

    # ------------------------------------------------------------------ elementwise

    def exp(self) -> Tensor:
        """Elementwise ``e**x``; ``d/dx = e**x`` (the result itself)."""
        with np.errstate(**_IEEE):
            out = np.exp(self.data)

        def vjp(g):
            with np.errstate(**_IEEE):  # 0 * inf is NaN, silently, as in torch
                return g * out

        return Tensor.from_op(out, [(self, vjp)], name="exp")

    def log(self) -> Tensor:
        """Elementwise natural logarithm; ``d/dx = 1/x``."""
        x = self.data
        with np.errstate(**_IEEE):
            out = np.log(x)

        def vjp(g):
            with np.errstate(**_IEEE):
                return g / x

        return Tensor.from_op(out, [(self, vjp)], name="log")

    def sqrt(self) -> Tensor:
        """Elementwise square root; ``d/dx = 1 / (2 sqrt(x))`` (``inf`` at 0, like torch)."""
        with np.errstate(**_IEEE):
            out = np.sqrt(self.data)

        def vjp(g):
            with np.errstate(**_IEEE):
                return g / (2 * out)

        return Tensor.from_op(out, [(self, vjp)], name="sqrt")

    # ------------------------------------------------------------------ reductions

    def sum(self, dim=None, keepdim: bool = False) -> Tensor:
        """Sum over ``dim`` (an int, a tuple, or all axes when None).

        Notes
        -----
        ``d/dx_i sum(x) = 1``: the gradient is the output gradient broadcast back over
        the summed axes.

        Examples
        --------
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=0)
        Tensor([4., 6.])
        """
        dims = _normalize_dims(dim, self.ndim, "sum")
        out = np.sum(self.data, axis=dims, keepdims=keepdim)
        shape = self.shape
        return Tensor.from_op(
            np.asarray(out),
            [(self, lambda g: _expand_reduced(g, dims, keepdim, shape))],
            name="sum",
        )

    def mean(self, dim=None, keepdim: bool = False) -> Tensor:
        """Mean over ``dim``: :meth:`sum` divided by the number of summed elements.

        Examples
        --------
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean()
        Tensor(2.5)
        """
        dims = _normalize_dims(dim, self.ndim, "mean")
        count = math.prod(self.shape[d] for d in dims) if self.ndim else 1
        return self.sum(dim=dims, keepdim=keepdim) / count

    def max(self, dim=None, keepdim: bool = False) -> Tensor:
        """Largest value over ``dim`` (all axes when None), with ``torch.amax`` semantics.

        Returns only the values (no indices).

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
        dims = _normalize_dims(dim, self.ndim, "max")
        if self.data.size == 0:
            raise ValueError(f"max: expected a non-empty tensor, got shape {self.shape}")
        x = self.data
        out = np.amax(x, axis=dims, keepdims=keepdim)

        def vjp(g):
            peak = out if keepdim or not x.ndim else np.expand_dims(out, dims)
            mask = x == peak
            count = mask.sum(axis=dims, keepdims=True)
            return _expand_reduced(g, dims, keepdim, x.shape) * mask / count

        return Tensor.from_op(np.asarray(out), [(self, vjp)], name="max")

    def min(self, dim=None, keepdim: bool = False) -> Tensor:
        """Smallest value over ``dim``, ``-max(-x)``, with ``torch.amin`` semantics."""
        return -(-self).max(dim=dim, keepdim=keepdim)

    # ------------------------------------------------------------------ shapes

    def reshape(self, *shape) -> Tensor:
        """The same values in a new shape (``-1`` allowed); the gradient is reshaped back.

        Examples
        --------
        >>> Tensor([1.0, 2.0, 3.0, 4.0]).reshape(2, 2).shape
        (2, 2)
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        old = self.shape
        return Tensor.from_op(
            self.data.reshape(shape), [(self, lambda g: g.reshape(old))], name="reshape"
        )

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two axes, like ``torch.transpose``; the gradient is swapped back.

        Examples
        --------
        >>> Tensor(np.zeros((2, 3, 4))).transpose(0, 2).shape
        (4, 3, 2)
        """
        (d0,), (d1,) = (_normalize_dims(d, self.ndim, "transpose") for d in (dim0, dim1))
        return Tensor.from_op(
            np.swapaxes(self.data, d0, d1),
            [(self, lambda g: np.swapaxes(g, d0, d1))],
            name="transpose",
        )

    @property
    def T(self) -> Tensor:
        """The transpose of a matrix (a 0-D or 1-D tensor is returned unchanged)."""
        if self.ndim > 2:
            raise ValueError(
                f".T: expected a tensor with at most 2 dimensions, got shape {self.shape}; "
                "use transpose(dim0, dim1)"
            )
        return Tensor.from_op(self.data.T, [(self, lambda g: g.T)], name="T")


def tensor(data, requires_grad: bool = False) -> Tensor:
    """Create a :class:`Tensor`, like ``torch.tensor``.

    Examples
    --------
    >>> tensor([1.0, 2.0], requires_grad=True)
    Tensor([1., 2.], requires_grad=True)
    """
    return Tensor(data, requires_grad=requires_grad)


# ----------------------------------------------------------------------------- binary primitives


def add(x, y) -> Tensor:
    """``x + y`` with broadcasting; ``d/dx = d/dy = 1``."""
    return Tensor.from_op(_data(x) + _data(y), [(x, lambda g: g), (y, lambda g: g)], name="add")


def sub(x, y) -> Tensor:
    """``x - y`` with broadcasting; ``d/dx = 1``, ``d/dy = -1``."""
    return Tensor.from_op(_data(x) - _data(y), [(x, lambda g: g), (y, lambda g: -g)], name="sub")


def mul(x, y) -> Tensor:
    """``x * y`` with broadcasting; ``d/dx = y``, ``d/dy = x``."""
    a, b = _data(x), _data(y)
    return Tensor.from_op(a * b, [(x, lambda g: g * b), (y, lambda g: g * a)], name="mul")


def div(x, y) -> Tensor:
    """``x / y`` with broadcasting; ``d/dx = 1/y``, ``d/dy = -x/y**2``."""
    a, b = _data(x), _data(y)
    with np.errstate(**_IEEE):
        out = a / b

    def vjp_x(g):
        with np.errstate(**_IEEE):
            return g / b

    def vjp_y(g):
        with np.errstate(**_IEEE):
            return -g * out / b

    return Tensor.from_op(out, [(x, vjp_x), (y, vjp_y)], name="div")


def pow(x, y) -> Tensor:
    """``x ** y`` with broadcasting, for a tensor or number base and exponent.

    Notes
    -----
    ``d/dx = y x**(y-1)`` (0 where ``y == 0``) and ``d/dy = x**y log(x)`` (0 where
    ``x == 0`` and ``y >= 0``), the same conventions as ``torch.pow``.
    """
    a, b = _data(x), _data(y)
    with np.errstate(**_IEEE):
        out = np.power(a, b)

    def vjp_x(g):
        with np.errstate(**_IEEE):
            d = b * np.power(a, b - 1)
        return g * np.where(np.equal(b, 0), 0, d)

    def vjp_y(g):
        with np.errstate(**_IEEE):
            d = out * np.log(a)
        return g * np.where(np.equal(a, 0) & np.greater_equal(b, 0), 0, d)

    return Tensor.from_op(out, [(x, vjp_x), (y, vjp_y)], name="pow")


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

    def grad_out(g):  # g with the axes removed by 1-D operands put back: (..., n, m)
        return g.reshape(shape2)

    def vjp_x(g):
        ga = grad_out(g) @ np.swapaxes(b2, -1, -2)
        return _unbroadcast(ga, a2.shape).reshape(a.shape)

    def vjp_y(g):
        gb = np.swapaxes(a2, -1, -2) @ grad_out(g)
        return _unbroadcast(gb, b2.shape).reshape(b.shape)

    return Tensor.from_op(np.asarray(out), [(x, vjp_x), (y, vjp_y)], name="matmul")


def getitem(x: Tensor, key) -> Tensor:
    """``x[key]`` for basic (ints, slices, ``None``, ``...``) and integer-array indexing.

    Notes
    -----
    The gradient scatters ``g`` back into zeros of ``x.shape``. An integer array may
    select one element several times, so the scatter must add: ``np.add.at``.
    """
    if isinstance(key, Tensor):
        key = key.data
    elif isinstance(key, tuple):
        key = tuple(k.data if isinstance(k, Tensor) else k for k in key)
    src = x.data
    out = src[key]
    basic = _is_basic_index(key)

    def vjp(g):
        full = np.zeros(src.shape, dtype=src.dtype)
        if basic:
            full[key] = g
        else:
            np.add.at(full, key, g)
        return full

    return Tensor.from_op(np.asarray(out), [(x, vjp)], name="getitem")


# ----------------------------------------------------------------------------- derivatives


def numerical_gradient(f: Callable, x, eps: float | None = None) -> np.ndarray:
    """Gradient of a scalar function by central differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar`` (a number, 0-d array or one-element Tensor). If ``x`` is a
        Tensor, ``f`` receives Tensors; otherwise numpy arrays.
    x : array_like or Tensor
        The point; computed in float64.
    eps : float, optional
        Step. Default ``cbrt(machine eps) * max(1, |x_i|)``, about ``6e-6`` at unit
        scale.

    Returns
    -------
    ndarray, shape of ``x``, float64

    Notes
    -----
    ``df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)``. The truncation error is
    ``h**2 f'''/6`` and the rounding error about ``eps_mach |f| / h``; the step
    ``h ~ eps_mach**(1/3)`` balances them to an error near ``eps_mach**(2/3) ~ 4e-11``
    (relative to the scale of ``f`` and its derivatives). Costs ``2 x.size`` calls.

    Examples
    --------
    >>> g = numerical_gradient(lambda v: (v**2).sum(), np.array([1.0, -2.0]))
    >>> bool(np.allclose(g, [2.0, -4.0]))
    True
    """
    as_tensor = isinstance(x, Tensor)
    x0 = np.array(x.data if as_tensor else x, dtype=np.float64)
    flat = x0.reshape(-1)
    grad = np.zeros_like(flat)
    base = np.finfo(np.float64).eps ** (1 / 3)

    def call(v):
        out = f(Tensor(v.reshape(x0.shape)) if as_tensor else v.reshape(x0.shape))
        return float(out.item() if isinstance(out, Tensor) else np.asarray(out).item())

    for i in range(flat.size):
        h = eps if eps is not None else base * max(1.0, abs(flat[i]))
        plus, minus = flat.copy(), flat.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (call(plus) - call(minus)) / (plus[i] - minus[i])
    return grad.reshape(x0.shape)


def jacobian(f: Callable, x) -> np.ndarray:
    """Jacobian of ``f`` (Tensor -> Tensor) at ``x`` by reverse mode, one backward per output.

    Parameters
    ----------
    f : callable
        ``f(Tensor) -> Tensor`` built from differentiable operations.
    x : array_like or Tensor
        The point (floating).

    Returns
    -------
    ndarray, shape ``f(x).shape + x.shape``
        ``J[i..., j...] = d f_i / d x_j``.

    Notes
    -----
    Row ``i`` is the vector-Jacobian product ``e_i^T J``, one :meth:`Tensor.backward`
    with ``gradient = e_i`` on the same recorded graph.

    Examples
    --------
    >>> jacobian(lambda v: v * v, np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    xt = Tensor(x.data if isinstance(x, Tensor) else x, requires_grad=True)
    y = f(xt)
    J = np.zeros(y.shape + xt.shape, dtype=xt.dtype)
    flat = J.reshape(y.data.size, xt.data.size)
    if not y.requires_grad:  # f does not depend on x
        return J
    for i in range(y.data.size):
        seed = np.zeros(y.data.size, dtype=y.dtype)
        seed[i] = 1
        xt.grad = None
        y.backward(seed.reshape(y.shape))
        flat[i] = xt.grad.reshape(-1)
    return J


def hessian(f: Callable, x, eps: float | None = None) -> np.ndarray:
    """Hessian of a scalar ``f`` (Tensor -> scalar Tensor): central differences of the gradient.

    Parameters
    ----------
    f : callable
        ``f(Tensor) -> one-element Tensor``.
    x : array_like or Tensor
        The point; computed in float64.
    eps : float, optional
        Step, default ``cbrt(machine eps) * max(1, |x_j|)``.

    Returns
    -------
    ndarray, shape ``x.shape + x.shape``, symmetric

    Notes
    -----
    Double-backward is not supported (VJPs run in numpy), so column ``j`` is
    ``(grad f(x + h e_j) - grad f(x - h e_j)) / (2h)`` with the exact reverse-mode
    gradient, then ``H <- (H + H^T) / 2``. The error is ``O(h**2)`` truncation plus
    ``O(eps_mach |grad f| / h)`` rounding; with ``h ~ eps_mach**(1/3)`` it is near
    ``eps_mach**(2/3) ~ 4e-11`` relative to the scale of the third derivatives and the
    gradient, so compare with exact Hessians at about ``1e-7`` relative, not ``1e-12``.

    Examples
    --------
    >>> H = hessian(lambda v: (v[0] ** 2) * v[1], np.array([1.0, 2.0]))
    >>> bool(np.allclose(H, [[4.0, 2.0], [2.0, 0.0]]))
    True
    """
    x0 = np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64)
    n = x0.size
    base = np.finfo(np.float64).eps ** (1 / 3)

    def grad(v):
        xt = Tensor(v.reshape(x0.shape), requires_grad=True)
        y = f(xt)
        if not y.requires_grad:
            return np.zeros(n)
        y.backward()
        return xt.grad.reshape(-1)

    flat = x0.reshape(-1)
    H = np.zeros((n, n))
    for j in range(n):
        h = eps if eps is not None else base * max(1.0, abs(flat[j]))
        plus, minus = flat.copy(), flat.copy()
        plus[j] += h
        minus[j] -= h
        H[:, j] = (grad(plus) - grad(minus)) / (plus[j] - minus[j])
    H = (H + H.T) / 2
    return H.reshape(x0.shape + x0.shape)
