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
:func:`log`, :func:`sqrt`, :func:`sum`, :func:`max` (and its mirror :func:`min`),
:func:`reshape`, :func:`transpose` and :func:`getitem`. :func:`mean` and :func:`t`
are compositions of them. The Tensor operators (``+ - * / ** @``, unary minus,
indexing) and methods (``exp``, ``sum``, ``T``, ...) are one-line calls of these
functions.

Bad input is refused where it enters, with messages that name the function and the
argument (``add: shapes (2, 3) and (4,) cannot be broadcast together``,
``getitem: index 5 is out of range for dimension 0 of size 3``); empty and 0-d
tensors behave as in torch (the sum of nothing is 0, the mean NaN, the maximum refused).

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

from mathdl._validation import _kind, as_real, check_bool, check_callable

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
_INT64 = np.iinfo(np.int64)


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
    return np.broadcast_to(grad, shape)  # axes of length 1 in grad stretch back


def _vjp_result(pg, node: Tensor, parent: Tensor) -> np.ndarray:
    """The gradient a VJP returned, checked: real numbers of a shape that fits the operand.

    It may have the operand's shape, a shape the operand broadcasts to (summed back), or
    one that broadcasts to the operand's shape (stretched); anything else is a bug in the
    VJP, named here rather than left to fail, or pass silently, in a reshape.
    """
    op = repr(node.op) if node.op else "an unnamed operation"
    returned = pg
    try:
        pg = np.asarray(pg)
    except (TypeError, ValueError):
        pg = np.asarray(None)
    if pg.dtype.kind not in "biuf":
        raise TypeError(
            f"backward: the vjp of {op} returned {_kind(returned)}; expected real numbers "
            f"of shape {parent.shape}"
        )
    try:
        full = np.broadcast_shapes(pg.shape, parent.shape)
    except ValueError:
        full = None
    if full not in (pg.shape, parent.shape):
        raise ValueError(
            f"backward: the vjp of {op} returned a gradient of shape {pg.shape} for an "
            f"operand of shape {parent.shape} (the result has shape {node.shape})"
        )
    return pg


def _tensor_data(data) -> np.ndarray:
    """A fresh numpy array of ``data`` for :class:`Tensor`, or the error naming ``Tensor``."""
    if isinstance(data, Tensor):
        return data.data.copy()
    what = "real numbers or booleans"
    if data is None or isinstance(data, (str, bytes)):
        raise TypeError(f"Tensor: data must be {what}, got {_kind(data)}")
    try:
        a = np.array(data)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"Tensor: data is not a rectangular array ({err})") from None
    if a.dtype.kind not in "biuf":
        given = f"dtype {a.dtype}" if a.ndim or np.isscalar(data) else _kind(data)
        raise TypeError(f"Tensor: data must be {what}, got {given}")
    return a


def _recorded(parents) -> tuple:
    """The (operand, vjp) pairs of :meth:`Tensor.from_op` worth recording, checked."""
    kept = []
    if isinstance(parents, Tensor) or not isinstance(parents, Iterable):
        raise TypeError(
            f"Tensor.from_op: parents must be an iterable of (operand, vjp) pairs, "
            f"got {_kind(parents)}"
        )
    for i, pair in enumerate(parents):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(
                f"Tensor.from_op: parents[{i}] must be an (operand, vjp) pair, got {_kind(pair)}"
            )
        p, vjp = pair
        if isinstance(p, Tensor) and p.requires_grad:
            kept.append((p, check_callable(vjp, "Tensor.from_op", f"parents[{i}] vjp")))
    return tuple(kept)


def _real_array(x, func: str, arg: str) -> np.ndarray:
    """``x`` as a numpy array of real numbers or booleans (dtype kept), or a clear error.

    The refusals are :func:`~mathdl._validation.as_real`'s: ``TypeError`` for strings,
    ``None``, objects and complex numbers, ``ValueError`` for ragged lists.
    """
    if x is not None and not isinstance(x, (str, bytes)):
        try:
            a = np.asarray(x)
        except (TypeError, ValueError):
            a = None
        if a is not None and a.dtype.kind in "biuf":
            return a
    as_real(x, func, arg)  # raises the shared TypeError or ValueError
    raise TypeError(f"{func}: {arg} must be real numbers, got {_kind(x)}")  # e.g. timedelta64


def _operand(x, func: str, arg: str):
    """The numpy payload of an operand; a Python int or float stays a (weakly typed) number."""
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, int) and not isinstance(x, bool):
        if not _INT64.min <= x <= _INT64.max:
            raise ValueError(f"{func}: {arg} is an int outside the int64 range, got {x}")
        return x
    if isinstance(x, float):
        return x
    return _real_array(x, func, arg)


def _operands(x, y, func: str):
    """The payloads of the two operands of a broadcasting primitive, or a clear error."""
    a, b = _operand(x, func, "x"), _operand(y, func, "y")
    try:
        np.broadcast_shapes(np.shape(a), np.shape(b))
    except ValueError:
        raise ValueError(
            f"{func}: shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast together"
        ) from None
    return a, b


def _dim_entries(dim, func: str) -> tuple:
    """``dim`` (an int, or a tuple, list or 1-D array of them) as a tuple of its entries."""
    if isinstance(dim, (int, np.integer)):
        return (dim,)
    if isinstance(dim, (tuple, list)):
        return tuple(dim)
    if isinstance(dim, np.ndarray) and dim.ndim == 1:
        return tuple(dim.tolist())
    raise TypeError(f"{func}: dim must be an int or a tuple of ints, got {_kind(dim)}")


def _normalize_dims(dim, ndim: int, func: str) -> tuple[int, ...]:
    """``dim`` (None, int or tuple of ints, negatives allowed) as a sorted tuple of axes.

    Repeats collapse and a 0-d input accepts -1 and 0 (as the axis 0); :func:`_reduce_dims`
    is the stricter torch rule of the reductions. :mod:`mathdl.functional` and
    :mod:`mathdl.information` use this one.
    """
    if dim is None:
        return tuple(range(ndim))
    size = builtins.max(ndim, 1)
    out = []
    for d in _dim_entries(dim, func):
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"{func}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -size <= d < size:
            raise ValueError(
                f"{func}: dim {d} is out of range for a tensor with {ndim} dimension(s)"
            )
        out.append(int(d) % size)
    return tuple(sorted(set(out)))


def _reduce_dims(dim, ndim: int, func: str) -> tuple[int, ...]:
    """The axes a reduction runs over, by torch's rules, as a sorted tuple.

    ``None`` and an empty tuple mean every axis; a repeated axis is refused; a 0-d
    tensor accepts ``dim`` -1 and 0 and has no axis to reduce (the result is itself).
    """
    entries = None if dim is None else _dim_entries(dim, func)
    axes = _normalize_dims(dim if entries else None, ndim, func)
    if entries and len(axes) != len(entries):
        raise ValueError(f"{func}: dim {entries!r} names a dimension more than once")
    return axes if ndim else ()


def _expand_reduced(g: np.ndarray, dims: tuple[int, ...], keepdim: bool, shape) -> np.ndarray:
    """Broadcast the gradient of a reduction over ``dims`` back to the input ``shape``."""
    if not keepdim and len(shape):
        g = np.expand_dims(g, dims)
    return np.broadcast_to(g, shape)


def _as_tensor(x, func: str) -> Tensor:
    """``x`` if it is a Tensor, else a constant Tensor of it (for the unary primitives)."""
    return x if isinstance(x, Tensor) else Tensor(as_real(x, func, "input", keep_float=True))


def _floating(x: Tensor) -> np.ndarray:
    """``x.data``, with integers and booleans as float64 (the inputs of exp, log, sqrt)."""
    return x.data if x.data.dtype.kind == "f" else x.data.astype(np.float64)


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
        If ``data`` is not real numbers (complex, strings, ``None``, objects),
        ``requires_grad`` is not a bool, or ``requires_grad`` is set on a non-floating
        array (integers, booleans).
    ValueError
        If ``data`` is a ragged nested list.

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
        self.data = _tensor_data(data)
        kind = self.data.dtype
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

        Raises
        ------
        TypeError
            If ``data`` is not real numbers, ``parents`` is not (operand, vjp) pairs, a
            ``vjp`` is not callable, or ``name`` is not a string. A ``vjp`` that returns
            something of the wrong shape is caught by :meth:`backward`.

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
        if out.data.dtype.kind not in "biuf":
            raise TypeError(
                f"Tensor.from_op: data must be real numbers, got dtype {out.data.dtype}"
            )
        if not isinstance(name, str):
            raise TypeError(f"Tensor.from_op: name must be a string, got {_kind(name)}")
        out.grad = None
        out._parents = _recorded(parents) if _GRAD_ENABLED else ()
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
        if not self.data.ndim:
            raise TypeError("len: a 0-d Tensor has no length; use .item() for its value")
        return len(self.data)

    def __iter__(self):
        if not self.data.ndim:
            raise TypeError("iter: a 0-d Tensor cannot be iterated over; use .item()")
        return (getitem(self, i) for i in range(len(self.data)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"bool: the truth value of a Tensor with {self.data.size} elements is "
                "ambiguous; expected exactly one element"
            )
        return bool(self.data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def item(self) -> float:
        """The value of a one-element tensor as a Python number.

        Raises
        ------
        ValueError
            If the tensor does not have exactly one element.

        Examples
        --------
        >>> Tensor([[2.5]]).item()
        2.5
        """
        if self.data.size != 1:
            raise ValueError(
                f"item: a Tensor with {self.data.size} elements cannot be converted to a "
                "number; expected exactly one element"
            )
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
            If ``gradient`` does not have ``self.shape``, or a VJP recorded with
            :meth:`from_op` returns a gradient whose shape does not fit its operand.

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
            gradient = as_real(given, "backward", "gradient", keep_float=True)
            if gradient.shape != self.shape:
                raise ValueError(
                    f"backward: gradient has shape {gradient.shape}, expected {self.shape}"
                )
        with np.errstate(**_IEEE):  # the cast too: 1e300 is inf in float32, as in torch
            self._propagate(gradient.astype(self.dtype, copy=False))

    def _propagate(self, gradient: np.ndarray) -> None:
        """The chain rule over the recorded graph, from ``self`` back to the leaves."""
        grads = {id(self): gradient}
        for node in reversed(self.topological_order()):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if not node._parents:  # a leaf: accumulate, like torch
                if node.grad is None:
                    # an owned copy, row-major like the leaf's data: the gradient of W in
                    # x @ W.T arrives transposed, and mixed layouts slow every optimizer step
                    node.grad = np.array(g, dtype=node.dtype, order="C")
                else:
                    node.grad += g
                continue
            for parent, vjp in node._parents:
                pg = _unbroadcast(_vjp_result(vjp(g), node, parent), parent.shape)
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
        if not shape:
            raise TypeError("reshape: shape is missing; give it as t.reshape(2, 3)")
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

    Raises
    ------
    TypeError
        If an operand is not real numbers (strings, ``None``, objects, complex).
    ValueError
        If the shapes do not broadcast (the message names both), or a Python int
        operand does not fit in int64.

    Examples
    --------
    >>> add(Tensor([1.0, 2.0]), 1.0)
    Tensor([2., 3.])
    """
    a, b = _operands(x, y, "add")
    return Tensor.from_op(a + b, [(x, lambda g: g), (y, lambda g: g)], name="add")


@_ieee
def sub(x, y) -> Tensor:
    """``x - y`` with broadcasting; ``d/dx = 1``, ``d/dy = -1``.

    Two boolean operands are refused (``TypeError``), as in torch.

    Raises
    ------
    TypeError
        If an operand is not real numbers (strings, ``None``, objects, complex).
    ValueError
        If the shapes do not broadcast (the message names both), or a Python int
        operand does not fit in int64.

    Examples
    --------
    >>> sub(1.0, Tensor([1.0, 2.0]))
    Tensor([ 0., -1.])
    """
    a, b = _operands(x, y, "sub")
    if np.asarray(a).dtype == np.bool_ and np.asarray(b).dtype == np.bool_:
        raise TypeError("sub: x and y are both boolean; subtraction of booleans is not supported")
    return Tensor.from_op(a - b, [(x, lambda g: g), (y, lambda g: -g)], name="sub")


@_ieee
def mul(x, y) -> Tensor:
    """``x * y`` with broadcasting; ``d/dx = y``, ``d/dy = x``.

    Raises
    ------
    TypeError
        If an operand is not real numbers (strings, ``None``, objects, complex).
    ValueError
        If the shapes do not broadcast (the message names both), or a Python int
        operand does not fit in int64.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> mul(x, Tensor([3.0, 4.0])).sum().backward()
    >>> x.grad
    array([3., 4.])
    """
    a, b = _operands(x, y, "mul")
    return Tensor.from_op(a * b, [(x, lambda g: g * b), (y, lambda g: g * a)], name="mul")


@_ieee
def div(x, y) -> Tensor:
    """``x / y`` with broadcasting; ``d/dx = 1/y``, ``d/dy = -x/y**2 = -(x/y)/y``.

    Raises
    ------
    TypeError
        If an operand is not real numbers (strings, ``None``, objects, complex).
    ValueError
        If the shapes do not broadcast (the message names both), or a Python int
        operand does not fit in int64.

    Examples
    --------
    >>> div(Tensor([1.0, -1.0]), 0.0)  # IEEE, silently, as in torch
    Tensor([ inf, -inf])
    """
    a, b = _operands(x, y, "div")
    out = a / b
    return Tensor.from_op(out, [(x, lambda g: g / b), (y, lambda g: -g * (out / b))], name="div")


@_ieee
def pow(x, y) -> Tensor:
    """``x ** y`` with broadcasting, for a tensor or number base and exponent.

    Raises
    ------
    ValueError
        For an integer base with a negative integer exponent (as in torch), besides the
        refusals of :func:`add`.

    Notes
    -----
    ``d/dx = y x**(y-1)`` (0 where ``y == 0``) and ``d/dy = x**y log(x)`` (0 where
    ``x == 0`` and ``y >= 0``), the same conventions as ``torch.pow``. For a number
    exponent, torch's fast paths are kept, so that the values agree at the edges too:
    ``x**0.5`` is ``sqrt(x)`` (NaN at ``-inf``), ``x**-0.5`` is ``1 / sqrt(x)`` (``-inf`` at
    ``-0.0``), and ``x**2``, ``x**3``, ``x**-1``, ``x**-2`` are products and quotients.

    Examples
    --------
    >>> x = Tensor([2.0, 3.0], requires_grad=True)
    >>> pow(x, 2).sum().backward()
    >>> x.grad
    array([4., 6.])
    """
    a, b = _operands(x, y, "pow")
    integers = np.asarray(a).dtype.kind in "biu" and np.asarray(b).dtype.kind in "biu"
    if integers and np.any(np.less(b, 0)):
        raise ValueError(
            "pow: an integer x cannot be raised to a negative integer power y; "
            "make x floating (x * 1.0)"
        )
    number = isinstance(b, (int, float)) and not isinstance(b, bool)
    power = _scalar_power if number else np.power
    out = power(a, b)

    def vjp_x(g):
        if number:
            return np.zeros(np.shape(g)) if b == 0 else g * (b * power(a, b - 1))
        return np.where(np.equal(b, 0), 0, g * (b * power(a, b - 1)))

    def vjp_y(g):
        return g * np.where(np.equal(a, 0) & np.greater_equal(b, 0), 0, out * np.log(a))

    return Tensor.from_op(out, [(x, vjp_x), (y, vjp_y)], name="pow")


def _scalar_power(a, e: float):
    """``a ** e`` for a number ``e``, by torch's special cases (the CPU kernels of ``pow``)."""
    special = {
        0.5: np.sqrt,
        -0.5: lambda v: 1 / np.sqrt(v),
        -1: lambda v: 1 / v,
        2: lambda v: v * v,
        3: lambda v: v * v * v,
        -2: lambda v: 1 / (v * v),
    }
    return special[e](a) if e in special else np.power(a, e)


@_ieee
def matmul(x, y) -> Tensor:
    """Matrix product with ``numpy.matmul`` semantics (1-D, 2-D and batched, broadcast).

    Raises
    ------
    TypeError
        If an operand is not real numbers.
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
    a = np.asarray(_operand(x, "matmul", "x"))
    b = np.asarray(_operand(y, "matmul", "y"))
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and {b.shape}"
        )
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: "
            f"inner dimensions {k_a} and {k_b} differ"
        )
    a2 = a[None, :] if a.ndim == 1 else a  # (..., n, k)
    b2 = b[:, None] if b.ndim == 1 else b  # (..., k, m)
    try:
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: batch dimensions of shapes {a.shape} and {b.shape} do not broadcast"
        ) from None
    out = a @ b
    shape2 = (*batch, a2.shape[-2], b2.shape[-1])

    def vjp_x(g):  # g with the axes removed by 1-D operands put back: (..., n, m)
        ga = g.reshape(shape2) @ np.swapaxes(b2, -1, -2)  # (..., n, k)
        return _unbroadcast(ga, a2.shape).reshape(a.shape)

    def vjp_y(g):
        gb = np.swapaxes(a2, -1, -2) @ g.reshape(shape2)  # (..., k, m)
        return _unbroadcast(gb, b2.shape).reshape(b.shape)

    return Tensor.from_op(np.asarray(out), [(x, vjp_x), (y, vjp_y)], name="matmul")


# ----------------------------------------------------------------------------- unary primitives


def neg(x) -> Tensor:
    """``-x``; ``d/dx = -1``. A boolean tensor is refused (``TypeError``), as in torch.

    Examples
    --------
    >>> neg(Tensor([1.0, -2.0]))
    Tensor([-1.,  2.])
    """
    x = _as_tensor(x, "neg")
    if x.dtype == np.bool_:
        raise TypeError("neg: input is boolean; negation of booleans is not supported")
    return Tensor.from_op(-x.data, [(x, lambda g: -g)], name="neg")


@_ieee
def exp(x) -> Tensor:
    """Elementwise ``e**x``; ``d/dx = e**x`` (the result itself).

    Integers and booleans give float64.

    Examples
    --------
    >>> exp(Tensor([0.0, 1000.0]))  # overflow is inf, silently, as in torch
    Tensor([ 1., inf])
    """
    x = _as_tensor(x, "exp")
    out = np.exp(_floating(x))
    return Tensor.from_op(out, [(x, lambda g: g * out)], name="exp")


@_ieee
def log(x) -> Tensor:
    """Elementwise natural logarithm; ``d/dx = 1/x`` (``log 0 = -inf``, like torch).

    Negative inputs give NaN, silently, as in torch; integers and booleans give float64.

    Examples
    --------
    >>> log(Tensor([1.0, 0.0]))
    Tensor([  0., -inf])
    """
    x = _as_tensor(x, "log")
    a = _floating(x)
    return Tensor.from_op(np.log(a), [(x, lambda g: g / a)], name="log")


@_ieee
def sqrt(x) -> Tensor:
    """Elementwise square root; ``d/dx = 1 / (2 sqrt(x))`` (``inf`` at 0, like torch).

    Negative inputs give NaN, silently, as in torch; integers and booleans give float64.

    Examples
    --------
    >>> sqrt(Tensor([4.0, 9.0]))
    Tensor([2., 3.])
    """
    x = _as_tensor(x, "sqrt")
    out = np.sqrt(_floating(x))
    return Tensor.from_op(out, [(x, lambda g: g / (2 * out))], name="sqrt")


# ----------------------------------------------------------------------------- reductions

_DIM_DOC = """
    Raises
    ------
    TypeError
        If ``dim`` is not an int or a tuple of ints, or ``keepdim`` is not a bool.
    ValueError
        If ``dim`` is out of range or names a dimension twice."""


@_ieee
def sum(x, dim=None, keepdim: bool = False) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or all axes when None or ``()``), like ``torch.sum``.

    The sum of an empty tensor is 0; a 0-d tensor accepts ``dim`` 0 and -1 and is its
    own sum, as in torch.
    {raises}

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
    return _sum(x, _reduce_dims(dim, x.ndim, "sum"), check_bool(keepdim, "sum", "keepdim"))


def _sum(x: Tensor, dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """:func:`sum` over checked axes."""
    out = np.sum(x.data, axis=dims, keepdims=keepdim)
    shape = x.shape
    return Tensor.from_op(
        np.asarray(out), [(x, lambda g: _expand_reduced(g, dims, keepdim, shape))], name="sum"
    )


@_ieee
def mean(x, dim=None, keepdim: bool = False) -> Tensor:
    """Mean over ``dim``: :func:`sum` divided by the number of summed elements.

    The mean over no elements is NaN, silently, as in torch.
    {raises}

    Examples
    --------
    >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean()
    Tensor(2.5)
    """
    x = _as_tensor(x, "mean")
    dims = _reduce_dims(dim, x.ndim, "mean")
    keepdim = check_bool(keepdim, "mean", "keepdim")
    count = math.prod(x.shape[d] for d in dims)
    return div(_sum(x, dims, keepdim), count)


def _extremum(x, dim, keepdim, func: str, reduce) -> Tensor:
    """:func:`max` (``reduce=np.amax``) or :func:`min` (``np.amin``), checked as ``func``."""
    x = _as_tensor(x, func)
    dims = _reduce_dims(dim, x.ndim, func)
    keepdim = check_bool(keepdim, func, "keepdim")
    a = x.data
    empty = [d for d in dims if a.shape[d] == 0]
    if empty and (dim is None or (isinstance(dim, (tuple, list)) and not dim)):
        raise ValueError(
            f"{func}: expected a non-empty tensor, got shape {a.shape}; "
            "give dim= to reduce only non-empty dimensions"
        )
    if empty:
        raise ValueError(
            f"{func}: dimension {empty[0]} to reduce has size 0 (shape {a.shape}); "
            "there is no extreme value over no elements"
        )
    out = reduce(a, axis=dims, keepdims=keepdim)

    def vjp(g):
        peak = out if keepdim or not a.ndim else np.expand_dims(out, dims)
        if dim is None:  # torch.max(): evenly over the extreme entries, the NaN ones if any
            mask = np.isnan(a) if np.isnan(out) else a == out
            return np.where(mask, g / np.count_nonzero(mask), 0).astype(g.dtype, copy=False)
        mask = a == peak  # torch.amax(dim): (g / count) * mask, NaN where the slice has NaN
        count = mask.sum(axis=dims, keepdims=True)
        return (_expand_reduced(g, dims, keepdim, a.shape) / count) * mask

    return Tensor.from_op(np.asarray(out), [(x, vjp)], name=func)


@_ieee
def max(x, dim=None, keepdim: bool = False) -> Tensor:
    """Largest value over ``dim`` (all axes when None), with ``torch.amax`` semantics.

    Returns only the values (no indices). NaN propagates, as in torch.

    Raises
    ------
    TypeError
        If ``dim`` is not an int or a tuple of ints, or ``keepdim`` is not a bool.
    ValueError
        For an empty tensor reduced over all axes, an empty dimension among ``dim``
        (torch refuses both), or a ``dim`` out of range or repeated.

    Notes
    -----
    The gradient goes to the maximal elements; when several elements tie for the
    maximum, it is split evenly among them, ``(g / count) * [x == max]``, exactly like
    ``torch.amax`` (and ``torch.max()`` without ``dim``). ``torch.max(x, dim)``
    differs: it sends the whole gradient to one index. Where NaN is the maximum, the
    gradient follows torch too: without ``dim`` (``torch.max()``) it is split among the
    NaN entries, the others get exactly 0; with ``dim`` (``torch.amax``) the whole slice
    gets NaN.

    Examples
    --------
    >>> x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> x.max().backward()
    >>> x.grad
    array([0. , 0.5, 0.5])
    """
    return _extremum(x, dim, keepdim, "max", np.amax)


@_ieee
def min(x, dim=None, keepdim: bool = False) -> Tensor:
    """Smallest value over ``dim``, with ``torch.amin`` semantics (the mirror of :func:`max`).

    Examples
    --------
    >>> min(Tensor([[1.0, -2.0], [0.5, 3.0]]), dim=1)
    Tensor([-2. ,  0.5])
    """
    return _extremum(x, dim, keepdim, "min", np.amin)


sum.__doc__ = sum.__doc__.format(raises=_DIM_DOC)
mean.__doc__ = mean.__doc__.format(raises=_DIM_DOC)


# ----------------------------------------------------------------------------- shapes


def _shape_arg(shape, size: int, old: tuple[int, ...]) -> tuple[int, ...]:
    """The target ``shape`` of :func:`reshape` (an int or a tuple of ints), checked."""
    entries = (shape,) if isinstance(shape, (int, np.integer)) else shape
    if not isinstance(entries, (tuple, list)) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) for n in entries
    ):
        raise TypeError(f"reshape: shape must be an int or a tuple of ints, got {shape!r}")
    entries = tuple(int(n) for n in entries)
    if any(n < -1 for n in entries):
        raise ValueError(f"reshape: shape {entries} has a size below -1")
    if entries.count(-1) > 1:
        raise ValueError(f"reshape: only one size may be -1 (inferred), got shape {entries}")
    known = math.prod(n for n in entries if n != -1)
    fits = known != 0 and size % known == 0 if -1 in entries else size == known
    if not fits:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {old} to {shape!r}")
    return entries


def reshape(x, shape) -> Tensor:
    """The same values in a new ``shape`` (an int or a tuple, ``-1`` allowed).

    The gradient is reshaped back.

    Raises
    ------
    TypeError
        If ``shape`` is not an int or a tuple of ints.
    ValueError
        If the number of elements does not match, a size is below -1, or more than one
        size is -1 (or -1 is ambiguous, next to a 0).

    Examples
    --------
    >>> reshape(Tensor([1.0, 2.0, 3.0, 4.0]), (2, -1)).shape
    (2, 2)
    """
    x = _as_tensor(x, "reshape")
    old = x.shape
    out = x.data.reshape(_shape_arg(shape, x.data.size, old))
    return Tensor.from_op(out, [(x, lambda g: g.reshape(old))], name="reshape")


def _one_axis(d, ndim: int, func: str, arg: str) -> int:
    """One axis ``d`` (an int, negatives allowed) of an ``ndim``-dimensional tensor."""
    if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)):
        raise TypeError(f"{func}: {arg} must be an int, got {_kind(d)}")
    return _normalize_dims(d, ndim, func)[0]


def transpose(x, dim0: int, dim1: int) -> Tensor:
    """Swap two axes, like ``torch.transpose``; the gradient is swapped back.

    A 0-d tensor accepts ``dim0, dim1`` in ``{0, -1}`` and is returned unchanged.

    Raises
    ------
    TypeError
        If ``dim0`` or ``dim1`` is not an int.
    ValueError
        If one is out of range.

    Examples
    --------
    >>> transpose(Tensor(np.zeros((2, 3, 4))), 0, 2).shape
    (4, 3, 2)
    """
    x = _as_tensor(x, "transpose")
    d0, d1 = (
        _one_axis(dim0, x.ndim, "transpose", "dim0"),
        _one_axis(dim1, x.ndim, "transpose", "dim1"),
    )
    if not x.ndim:
        return Tensor.from_op(x.data, [(x, lambda g: g)], name="transpose")
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


def _index_part(k):
    """One entry of an index, with lists and Tensors as numpy arrays."""
    if isinstance(k, Tensor):
        return k.data
    if isinstance(k, list):
        try:
            a = np.asarray(k)
        except ValueError:
            raise ValueError(f"getitem: a list index must be rectangular, got {k!r}") from None
        return a.astype(np.intp) if a.size == 0 and a.dtype == np.float64 else a  # x[[]]
    return k


def _check_slice(k: slice) -> None:
    for v in (k.start, k.stop, k.step):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
            raise TypeError(f"getitem: slice bounds must be ints or None, got {k!r}")
    if k.step == 0:
        raise ValueError("getitem: slice step cannot be zero")


def _check_key(parts: tuple, shape: tuple[int, ...]) -> None:
    """Refuse an index that does not fit ``shape``, with messages naming the dimension."""
    used = [_dims_used(k) for k in parts]
    if builtins.sum(k is Ellipsis for k in parts) > 1:
        raise IndexError("getitem: an index can have only one ellipsis (...)")
    if builtins.sum(used) > len(shape):
        raise IndexError(
            f"getitem: too many indices for a tensor of shape {shape}: "
            f"{builtins.sum(used)} dimensions indexed"
        )
    pos = 0
    for k, n in zip(parts, used, strict=True):
        if k is Ellipsis:
            pos += len(shape) - builtins.sum(used)
        elif isinstance(k, np.ndarray) and k.dtype == np.bool_:
            if k.shape != shape[pos : pos + k.ndim]:
                raise IndexError(
                    f"getitem: a boolean mask of shape {k.shape} does not match the shape "
                    f"{shape[pos : pos + k.ndim]} of dimensions {pos}.. of the tensor {shape}"
                )
        elif n == 1 and not isinstance(k, slice) and np.size(k):
            size = shape[pos]
            bad = np.asarray(k)[(np.asarray(k) < -size) | (np.asarray(k) >= size)]
            if bad.size:
                raise IndexError(
                    f"getitem: index {int(bad.flat[0])} is out of range for dimension {pos} "
                    f"of size {size}"
                )
        pos += n


def _dims_used(k) -> int:
    """How many dimensions of the tensor the index entry ``k`` consumes (or a TypeError)."""
    if k is None or k is Ellipsis or isinstance(k, (bool, np.bool_)):
        return 0
    if isinstance(k, (int, np.integer)):
        return 1
    if isinstance(k, slice):
        _check_slice(k)
        return 1
    if isinstance(k, np.ndarray) and k.dtype.kind in "biu":
        return k.ndim if k.dtype == np.bool_ else 1
    what = f"an array of dtype {k.dtype}" if isinstance(k, np.ndarray) else _kind(k)
    raise TypeError(
        "getitem: an index must be an int, a slice, None, ..., or an integer or boolean "
        f"array, got {what}"
    )


def getitem(x, key) -> Tensor:
    """``x[key]`` for basic (ints, slices, ``None``, ``...``) and integer or boolean indexing.

    Raises
    ------
    IndexError
        If an index is out of range for its dimension, there are too many indices, or a
        boolean mask does not match the shape it selects from (torch's class, which also
        ends a ``for`` loop over a tensor).
    TypeError
        For a float, string or other key that is not an index, or float slice bounds.
    ValueError
        For a slice step of 0, or a ragged list as an index.

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
    parts = tuple(_index_part(k) for k in (key if isinstance(key, tuple) else (key,)))
    src = x.data
    _check_key(parts, src.shape)
    key = parts if isinstance(key, tuple) else parts[0]
    basic = not builtins.any(isinstance(k, np.ndarray) for k in parts)
    try:
        out = np.asarray(src[key])
    except IndexError as err:  # e.g. index arrays whose shapes do not broadcast together
        raise IndexError(f"getitem: {err}") from None

    def vjp(g):
        full = np.zeros(src.shape, dtype=src.dtype)
        if basic:
            full[key] = g
        else:
            np.add.at(full, key, g)
        return full

    return Tensor.from_op(out, [(x, vjp)], name="getitem")


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
