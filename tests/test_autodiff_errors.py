"""mathdl.autodiff under bad and extreme input: clear refusals, and torch's values at the edges.

Three batteries, each a table of one-line cases:

* ``BAD`` -- every public function with bad input: the exception class and the start of
  the message (``func: arg ...``);
* ``EXTREME`` -- every primitive at +-1e308, subnormals, +-inf, NaN, 0 and -0, on empty
  and 0-d tensors, float32, integers, lists and non-contiguous views, forward and
  backward against torch in float64 (float32 where that is the point), with
  RuntimeWarnings turned into errors;
* ``LIKE_TORCH`` -- inputs that torch refuses too.
"""

import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import SETTINGS

from mathdl import autodiff as A
from mathdl.autodiff import Tensor, grad, jacobian, tensor
from mathdl.testing import to_numpy

inf, nan = np.inf, np.nan


def ones(*shape, grad=False, dtype=np.float64):
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=grad)


def y23():
    """A non-leaf of shape (2, 3)."""
    return ones(2, 3, grad=True) * 2


class Opaque:
    """An object that is not a number."""


def bad_vjp(result, returned, name="bad"):
    """A tensor whose one VJP returns ``returned``; backward through it."""
    x = ones(*result, grad=True)
    y = Tensor.from_op(np.ones(result), [(x, lambda g: returned)], name=name)
    y.backward(np.ones(result))


# ----------------------------------------------------------------------------- bad input

# (name of the operand, bad value, exception, message after "func: name ")
BAD_OPERANDS = [
    ("str", "abc", TypeError, "must be a real array or number, got str 'abc'"),
    ("None", None, TypeError, "must be a real array or number, got NoneType None"),
    ("object", Opaque(), TypeError, "must be a real numeric array, got dtype object"),
    ("complex", 1j, TypeError, "must be real, got complex dtype complex128"),
    ("complex array", np.ones(3) * 1j, TypeError, "must be real, got complex dtype"),
    ("ragged", [[1.0, 2.0], [3.0]], ValueError, "is not a rectangular array"),
    ("huge int", 10**30, ValueError, "is an int outside the int64 range"),
]
OPS = {"add": A.add, "sub": A.sub, "mul": A.mul, "div": A.div, "pow": A.pow, "matmul": A.matmul}

BAD = [
    # Tensor, tensor
    (lambda: Tensor("abc"), TypeError, "Tensor: data must be real numbers or booleans, got str"),
    (
        lambda: Tensor(None),
        TypeError,
        "Tensor: data must be real numbers or booleans, got NoneType",
    ),
    (
        lambda: Tensor(Opaque()),
        TypeError,
        "Tensor: data must be real numbers or booleans, got Opaque",
    ),
    (
        lambda: Tensor([1 + 2j]),
        TypeError,
        "Tensor: data must be real numbers or booleans, got dtype",
    ),
    (
        lambda: Tensor([None, 1.0]),
        TypeError,
        "Tensor: data must be real numbers or booleans, got dtype",
    ),
    (lambda: Tensor(np.array(["a"])), TypeError, "Tensor: data must be real numbers or booleans"),
    (lambda: Tensor([[1.0, 2.0], [3.0]]), ValueError, "Tensor: data is not a rectangular array"),
    (lambda: Tensor([1.0], requires_grad="no"), TypeError, "Tensor: requires_grad must be True or"),
    (lambda: Tensor([1.0], requires_grad=1), TypeError, "Tensor: requires_grad must be True or"),
    (
        lambda: Tensor([1, 2], requires_grad=True),
        TypeError,
        "Tensor: requires_grad=True needs floa",
    ),
    (lambda: tensor(None), TypeError, "Tensor: data must be real numbers or booleans"),
    (lambda: tensor([1.0], requires_grad="yes"), TypeError, "Tensor: requires_grad must be True"),
    # Tensor.from_op, and VJPs that return the wrong thing (caught in backward)
    (lambda: Tensor.from_op(np.array([1j]), []), TypeError, "Tensor.from_op: data must be real"),
    (lambda: Tensor.from_op(np.ones(2), 5), TypeError, "Tensor.from_op: parents must be an iter"),
    (lambda: Tensor.from_op(np.ones(2), ones(2)), TypeError, "Tensor.from_op: parents must be an"),
    (
        lambda: Tensor.from_op(np.ones(2), [ones(2)]),
        TypeError,
        "Tensor.from_op: parents[0] must be",
    ),
    (lambda: Tensor.from_op(np.ones(2), [(ones(2, grad=True), "f")]), TypeError, "Tensor.from_op"),
    (lambda: Tensor.from_op(np.ones(2), [], name=3), TypeError, "Tensor.from_op: name must be a s"),
    (
        lambda: bad_vjp((3,), np.ones(4)),
        ValueError,
        "backward: the vjp of 'bad' returned a gradien",
    ),
    (lambda: bad_vjp((2, 3), np.ones((3, 2))), ValueError, "backward: the vjp of 'bad' returned a"),
    (lambda: bad_vjp((2, 3), np.ones((4, 2, 1))), ValueError, "backward: the vjp of 'bad' returne"),
    (lambda: bad_vjp((3,), np.ones(4), ""), ValueError, "backward: the vjp of an unnamed operati"),
    (lambda: bad_vjp((3,), None), TypeError, "backward: the vjp of 'bad' returned NoneType None"),
    (lambda: bad_vjp((3,), np.ones(3) * 1j), TypeError, "backward: the vjp of 'bad' returned an"),
    # backward
    (lambda: (ones(3, grad=True) * 2).backward(np.array([1 + 1j, 0, 0])), TypeError, "backward: "),
    (lambda: y23().backward("a"), TypeError, "backward: gradient must be a real array or number"),
    (lambda: y23().backward(np.full((2, 3), None)), TypeError, "backward: gradient must be a real"),
    (lambda: y23().backward(np.ones(3)), ValueError, "backward: gradient has shape (3,), expecte"),
    (lambda: y23().backward([[1.0], [2.0, 3.0]]), ValueError, "backward: gradient is not a recta"),
    (lambda: y23().backward(), RuntimeError, "backward: a Tensor of shape (2, 3) needs gradient="),
    (lambda: ones(3).sum().backward(), RuntimeError, "backward: this Tensor does not depend on a"),
    # item, len, iter, bool, float
    (lambda: ones(3).item(), ValueError, "item: a Tensor with 3 elements cannot be converted to a"),
    (lambda: ones(0).item(), ValueError, "item: a Tensor with 0 elements cannot be converted to a"),
    (lambda: float(ones(2)), ValueError, "item: a Tensor with 2 elements cannot be converted to a"),
    (lambda: len(Tensor(2.0)), TypeError, "len: a 0-d Tensor has no length"),
    (lambda: iter(Tensor(2.0)), TypeError, "iter: a 0-d Tensor cannot be iterated over"),
    (lambda: bool(ones(3)), ValueError, "bool: the truth value of a Tensor with 3 elements is amb"),
    (lambda: bool(ones(0)), ValueError, "bool: the truth value of a Tensor with 0 elements is amb"),
    # binary primitives: shapes, dtypes (bad operands: see BAD_OPERANDS below)
    (lambda: ones(2, 3) + ones(4), ValueError, "add: shapes (2, 3) and (4,) cannot be broadcast"),
    (lambda: ones(2, 3) - np.ones(4), ValueError, "sub: shapes (2, 3) and (4,) cannot be broadca"),
    (lambda: ones(2, 3) * ones(3, 2), ValueError, "mul: shapes (2, 3) and (3, 2) cannot be broad"),
    (lambda: 1.0 / ones(2, 3) / ones(4), ValueError, "div: shapes (2, 3) and (4,) cannot be broa"),
    (lambda: ones(2, 3) ** ones(4), ValueError, "pow: shapes (2, 3) and (4,) cannot be broadcast"),
    (lambda: ones(5) + "abc", TypeError, "add: y must be a real array or number, got str 'abc'"),
    (lambda: "abc" * ones(5), TypeError, "mul: x must be a real array or number, got str 'abc'"),
    (lambda: ones(2) * 1j, TypeError, "mul: y must be real, got complex dtype complex128"),
    (lambda: ones(2) ** None, TypeError, "pow: y must be a real array or number, got NoneType"),
    (lambda: Tensor([2]) ** -1, ValueError, "pow: an integer x cannot be raised to a negative in"),
    (lambda: 2 ** Tensor([-1]), ValueError, "pow: an integer x cannot be raised to a negative in"),
    (lambda: Tensor([True]) - Tensor([True]), TypeError, "sub: x and y are both boolean"),
    (lambda: -Tensor([True]), TypeError, "neg: input is boolean"),
    (lambda: ones(2, 3) @ ones(4, 5), ValueError, "matmul: shapes (2, 3) and (4, 5) cannot be m"),
    (lambda: ones(2, 3) @ ones(4), ValueError, "matmul: shapes (2, 3) and (4,) cannot be multip"),
    (lambda: ones(2, 2, 3) @ ones(3, 3, 4), ValueError, "matmul: batch dimensions of shapes (2,"),
    (lambda: Tensor(2.0) @ ones(3), ValueError, "matmul: both operands need at least 1 dimensi"),
    (lambda: ones(3) @ "abc", TypeError, "matmul: y must be a real array or number, got str"),
    # unary primitives
    (lambda: A.exp("abc"), TypeError, "exp: input must be a real array or number, got str 'abc'"),
    (lambda: A.log(None), TypeError, "log: input must be a real array or number, got NoneType"),
    (lambda: A.sqrt([1j]), TypeError, "sqrt: input must be real, got complex dtype complex128"),
    (lambda: A.neg([[1.0], [2.0, 3.0]]), ValueError, "neg: input is not a rectangular array"),
    (lambda: A.exp(Opaque()), TypeError, "exp: input must be a real numeric array, got dtype o"),
    # reductions
    (lambda: ones(3).sum(dim=1.5), TypeError, "sum: dim must be an int or a tuple of ints, got f"),
    (lambda: ones(3).sum(dim="0"), TypeError, "sum: dim must be an int or a tuple of ints, got s"),
    (lambda: ones(3).mean(dim=[0.5]), TypeError, "mean: dim must be an int or a tuple of ints"),
    (lambda: ones(3).max(dim=True), TypeError, "max: dim must be an int or a tuple of ints, go"),
    (lambda: ones(3).min(dim=1.0), TypeError, "min: dim must be an int"),
    (lambda: ones(2, 3).sum(dim=2), ValueError, "sum: dim 2 is out of range for a tensor with 2"),
    (lambda: ones(2, 3).mean(dim=-3), ValueError, "mean: dim -3 is out of range for a tensor wi"),
    (lambda: ones(2, 3).sum(dim=(0, 0)), ValueError, "sum: dim (0, 0) names a dimension more th"),
    (lambda: ones(2, 3).max(dim=(0, -2)), ValueError, "max: dim (0, -2) names a dimension more"),
    (lambda: Tensor(2.0).sum(dim=1), ValueError, "sum: dim 1 is out of range for a tensor with 0"),
    (lambda: Tensor(2.0).min(dim=(0, -1)), ValueError, "min: dim (0, -1) names a dimension mor"),
    (lambda: ones(2).sum(keepdim="no"), TypeError, "sum: keepdim must be True or False, got str"),
    (lambda: ones(2).mean(keepdim=1), TypeError, "mean: keepdim must be True or False, got int"),
    (lambda: ones(2).min(keepdim="no"), TypeError, "min: keepdim must be True or False, got str"),
    (lambda: ones(0).max(), ValueError, "max: expected a non-empty tensor, got shape (0,)"),
    (lambda: ones(0, 3).min(), ValueError, "min: expected a non-empty tensor, got shape (0, 3)"),
    (lambda: ones(0, 3).max(dim=0), ValueError, "max: dimension 0 to reduce has size 0 (shape"),
    (lambda: ones(3, 0).min(dim=(0, 1)), ValueError, "min: dimension 1 to reduce has size 0"),
    (lambda: A.sum("abc"), TypeError, "sum: input must be a real array or number, got str 'abc'"),
    (lambda: A.mean(None), TypeError, "mean: input must be a real array or number, got NoneType"),
    (lambda: A.max([1j]), TypeError, "max: input must be real, got complex dtype complex128"),
    (lambda: A.min("abc"), TypeError, "min: input must be a real array or number, got str 'abc'"),
    # shapes
    (lambda: ones(3).reshape(2.5), TypeError, "reshape: shape must be an int or a tuple of ints"),
    (lambda: ones(3).reshape("3"), TypeError, "reshape: shape must be an int or a tuple of ints"),
    (lambda: ones(3).reshape(3, None), TypeError, "reshape: shape must be an int or a tuple of i"),
    (lambda: ones(1).reshape(True), TypeError, "reshape: shape must be an int or a tuple of ints"),
    (lambda: ones(4).reshape(-2, -2), ValueError, "reshape: shape (-2, -2) has a size below -1"),
    (lambda: ones(4).reshape(-1, -1), ValueError, "reshape: only one size may be -1 (inferred)"),
    (lambda: ones(2, 3).reshape(4), ValueError, "reshape: cannot reshape a tensor of shape (2, 3"),
    (lambda: ones(0).reshape(-1, 0), ValueError, "reshape: cannot reshape a tensor of shape (0,)"),
    (lambda: ones(3).reshape(), TypeError, "reshape: shape is missing"),
    (lambda: A.reshape("abc", 3), TypeError, "reshape: input must be a real array or number, g"),
    (lambda: ones(2, 3).transpose(0, 1.5), TypeError, "transpose: dim1 must be an int, got flo"),
    (lambda: ones(2, 3).transpose("0", 1), TypeError, "transpose: dim0 must be an int, got str"),
    (lambda: ones(2, 3).transpose((0, 1), 0), TypeError, "transpose: dim0 must be an int, got t"),
    (lambda: ones(2, 3).transpose(0, 2), ValueError, "transpose: dim 2 is out of range for a t"),
    (lambda: Tensor(2.0).transpose(0, 1), ValueError, "transpose: dim 1 is out of range for a"),
    (lambda: ones(2, 3, 4).T, ValueError, "t: .T expects a tensor with at most 2 dimensions, g"),
    (lambda: A.t("abc"), TypeError, "t: input must be a real array or number, got str 'abc'"),
    # indexing
    (lambda: ones(3)[5], IndexError, "getitem: index 5 is out of range for dimension 0 of size"),
    (lambda: ones(3)[-4], IndexError, "getitem: index -4 is out of range for dimension 0 of siz"),
    (lambda: ones(2, 3)[0, 3], IndexError, "getitem: index 3 is out of range for dimension 1 of"),
    (lambda: ones(2, 3)[..., 7], IndexError, "getitem: index 7 is out of range for dimension 1"),
    (lambda: ones(2, 3)[None, 2], IndexError, "getitem: index 2 is out of range for dimension 0"),
    (lambda: ones(3)[np.array([0, 3])], IndexError, "getitem: index 3 is out of range for dime"),
    (lambda: ones(3)[[0, -5]], IndexError, "getitem: index -5 is out of range for dimension 0"),
    (lambda: ones(3)[Tensor(np.array([9]))], IndexError, "getitem: index 9 is out of range for"),
    (lambda: ones(3)[0, 0], IndexError, "getitem: too many indices for a tensor of shape (3,)"),
    (lambda: Tensor(2.0)[0], IndexError, "getitem: too many indices for a tensor of shape ()"),
    (lambda: ones(3, 3)[..., ...], IndexError, "getitem: an index can have only one ellipsis"),
    (lambda: ones(3)[np.array([True, False])], IndexError, "getitem: a boolean mask of shape"),
    (lambda: ones(2, 2)[np.array([0, 1]), np.array([0, 1, 1])], IndexError, "getitem: shape mi"),
    (lambda: ones(3)[1.5], TypeError, "getitem: an index must be an int, a slice, None, ..., or"),
    (lambda: ones(3)["a"], TypeError, "getitem: an index must be an int, a slice, None, ..., or"),
    (lambda: ones(3)[{0: 1}], TypeError, "getitem: an index must be an int, a slice, None, ...,"),
    (lambda: ones(3)[np.array([0.5])], TypeError, "getitem: an index must be an int, a slice,"),
    (lambda: ones(3)[Tensor([1.0])], TypeError, "getitem: an index must be an int, a slice, N"),
    (lambda: ones(3)[0.5:2], TypeError, "getitem: slice bounds must be ints or None, got slic"),
    (lambda: ones(3)[::0], ValueError, "getitem: slice step cannot be zero"),
    (lambda: ones(3)[[[0], [1, 2]]], ValueError, "getitem: a list index must be rectangular"),
    # jacobian, grad
    (lambda: jacobian("f", np.ones(2)), TypeError, "jacobian: f must be callable, got str 'f'"),
    (lambda: jacobian(lambda v: v, None), TypeError, "jacobian: x must be a real array or num"),
    (lambda: jacobian(lambda v: v, [1j]), TypeError, "jacobian: x must be real, got complex d"),
    (lambda: jacobian(lambda v: v, [[1.0], [2.0, 3.0]]), ValueError, "jacobian: x is not a re"),
    (lambda: jacobian(lambda v: 3.0, np.ones(2)), TypeError, "jacobian: f must return a Tensor"),
    (lambda: grad(3), TypeError, "grad: f must be callable, got int 3"),
    (lambda: grad(lambda v: v.sum())("abc"), TypeError, "grad: x must be a real array or number"),
    (lambda: grad(lambda v: v.sum())(None), TypeError, "grad: x must be a real array or number"),
    (lambda: grad(lambda v: v.sum())([[1.0], [2.0, 3.0]]), ValueError, "grad: x is not a rectan"),
    (lambda: grad(lambda v: v)(np.ones(2)), ValueError, "grad: f must return a one-element Ten"),
    (lambda: grad(lambda v: [v])(np.ones(2)), TypeError, "grad: f must return a Tensor, got l"),
]
BAD += [
    (lambda f=f, v=v: f(ones(3), v), err, f"{name}: y {msg}")
    for name, f in OPS.items()
    for _, v, err, msg in BAD_OPERANDS
]
BAD += [
    (lambda f=f, v=v: f(v, ones(3)), err, f"{name}: x {msg}")
    for name, f in OPS.items()
    for _, v, err, msg in BAD_OPERANDS
]


@pytest.mark.parametrize(("call", "error", "message"), BAD, ids=[c[2] for c in BAD])
def test_bad_input_is_refused_clearly(call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(error, match="^" + re.escape(message)):
            call()


# ----------------------------------------------------------------------------- extreme values

# every kind of float64 at the edges: zeros, subnormals, the smallest normal, overflow
TINY = [0.0, -0.0, 5e-324, -1e-320, 2.2250738585072014e-308, 1e-200]
V = np.array([*TINY, 0.5, 1.0, -1.0, 2.0, -3.0, 1e200, 1e308, -1e308, 1.7976931348623157e308])
V = np.append(V, [inf, -inf, nan])
BIG = np.array([1e308, 1e308, -1e308, inf, 1e-320, nan])


def to_torch_input(a, requires_grad):
    t = torch.tensor(np.array(a))
    return t.requires_grad_(True) if requires_grad else t


def check_same(ours, theirs, what: str, rtol: float) -> None:
    """``ours`` equals torch's ``theirs``: shape, dtype kind, NaN and inf, finite values.

    A NaN or inf where torch is finite is reported as such ("non-finite where torch is
    finite"); any other difference as a wrong value.
    """
    a, b = to_numpy(ours), to_numpy(theirs)
    assert a.shape == b.shape, f"wrong shape: {what}: {a.shape}, torch {b.shape}"
    a, b = a.astype(np.float64), b.astype(np.float64)
    worse = ~np.isfinite(a) & np.isfinite(b)
    assert not worse.any(), f"non-finite where torch is finite: {what}: {a[worse]} vs {b[worse]}"
    # rtol: a few ulps (libm differences); atol: a few subnormal steps
    np.testing.assert_allclose(a, b, rtol=rtol, atol=2e-322, equal_nan=True, err_msg=what)


def compare(f, arrays, *, f_torch=None, upstream=None, rtol=1e-15, torch_dtype=None):
    """``f`` on mathdl Tensors against ``f_torch`` (default ``f``) on torch tensors.

    Forward values, then (when the output depends on a floating input) the gradients for
    the upstream gradient ``upstream`` (default ones), all under RuntimeWarning-as-error.
    """
    arrays = [np.array(a) for a in arrays]
    floating = [a.dtype.kind == "f" for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ours = [Tensor(a, requires_grad=fl) for a, fl in zip(arrays, floating, strict=True)]
        y = f(*ours)
    theirs = [
        to_torch_input(a if torch_dtype is None else a.astype(torch_dtype), fl)
        for a, fl in zip(arrays, floating, strict=True)
    ]
    yt = (f_torch or f)(*theirs)
    check_same(y, yt, "forward", rtol)
    if not (y.requires_grad and yt.requires_grad):
        return
    if upstream is None:
        g = np.ones(y.shape)
    elif np.size(upstream) == y.data.size:
        g = np.reshape(upstream, y.shape)
    else:
        g = np.broadcast_to(upstream, y.shape)
    g = np.array(g, dtype=y.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        y.backward(g)
    yt.backward(torch.tensor(g, dtype=yt.dtype))
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if floating[i]:
            mine = np.zeros(a.shape) if a.grad is None else a.grad
            check_same(mine, np.zeros(a.shape) if b.grad is None else b.grad, f"grad {i}", rtol)


UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "x**2": lambda x: x**2,
    "x**3": lambda x: x**3,
    "x**0.5": lambda x: x**0.5,
    "x**-0.5": lambda x: x**-0.5,
    "x**-1": lambda x: x**-1,
    "x**-2": lambda x: x**-2,
    "x**0": lambda x: x**0,
    "x**1": lambda x: x**1,
    "x**1.5": lambda x: x**1.5,
    "x**-3": lambda x: x**-3,
    "2**x": lambda x: 2.0**x,
    "0**x": lambda x: 0.0**x,
    "(-2)**x": lambda x: (-2.0) ** x,
    "1**x": lambda x: 1.0**x,
    "1/x": lambda x: 1.0 / x,
    "1-x": lambda x: 1.0 - x,
    "x+1e308": lambda x: x + 1e308,
    "x*1e308": lambda x: x * 1e308,
    "x/1e-308": lambda x: x / 1e-308,
    "x*x": lambda x: x * x,
    "x/x": lambda x: x / x,
    "x-x": lambda x: x - x,
    "x**x": lambda x: x**x,
    "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(),
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "x[::3]": lambda x: x[::3],
    "x[idx]": lambda x: x[np.array([0, 17, 17, 3])] if isinstance(x, Tensor) else x[[0, 17, 17, 3]],
    "reshape": lambda x: x.reshape(3, 6),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


def _torch_T(x):
    return x.t() if x.ndim == 2 else x


EXTREME = []
EXTREME += [(f"{n}(V)", lambda f=f: compare(f, [V])) for n, f in UNARY.items()]
ELEMENTWISE = [n for n in UNARY if n not in ("sum", "mean", "max", "min", "x[::3]", "x[idx]")]
EXTREME += [(f"{n}(V), g=V", lambda f=UNARY[n]: compare(f, [V], upstream=V)) for n in ELEMENTWISE]
EXTREME += [
    (f"{n}(V), g={g}", lambda f=f, g=g: compare(f, [V], upstream=g))
    for n, f in UNARY.items()
    if n in ("sum", "mean", "max", "min")
    for g in (inf, nan, 1e308)
]
EXTREME += [
    (f"{n}(V x V)", lambda f=f: compare(f, [V[:, None], V[None, :]])) for n, f in BINARY.items()
]
EXTREME += [
    (f"{n}(V x V), g=V", lambda f=f: compare(f, [V[:, None], V[None, :]], upstream=V))
    for n, f in BINARY.items()
]
EXTREME += [
    (f"{n}({a.tolist()})", lambda f=UNARY[n], a=a: compare(f, [a]))
    for n in ("sum", "mean", "max", "min")
    for a in map(
        np.array,
        (
            [1e308, 1e308],
            [-1e308, 1e308, 1e308],
            [inf, -inf],
            [nan, 1.0],
            [nan, 1.0, nan],
            [inf, 1.0, inf],
            [5e-324] * 4,
            [1e308] * 3,
            [-0.0, 0.0],
        ),
    )
]
M = np.array([[1e308, 1e308, 1.0], [inf, 0.0, -1.0], [5e-324, -1e308, nan]])
M2 = np.array([[1e308, -1e308], [1e-320, 2.0]])
EXTREME += [
    ("matmul extremes", lambda: compare(lambda a, b: a @ b, [M, M.T.copy()])),
    ("matmul overflow", lambda: compare(lambda a, b: a @ b, [M2, np.array([[1.0, -1], [1, 1]])])),
    ("matmul vec extremes", lambda: compare(lambda a, b: a @ b, [BIG, BIG[::-1].copy()])),
    ("matmul batched", lambda: compare(lambda a, b: a @ b, [np.stack([M, M]), M[:, :2].copy()])),
    ("sum dim=0 of M", lambda: compare(lambda x: x.sum(0), [M])),
    ("mean dim=1 of M", lambda: compare(lambda x: x.mean(1), [M])),
    ("amax dim=1 of M", lambda: compare(lambda x: x.max(1), [M], f_torch=lambda x: x.amax(1))),
    ("amin dim=0 of M", lambda: compare(lambda x: x.min(0), [M], f_torch=lambda x: x.amin(0))),
    (
        "amax keepdim",
        lambda: compare(lambda x: x.max(1, True), [M], f_torch=lambda x: x.amax(1, True)),
    ),
    ("transpose of M", lambda: compare(lambda x: x.transpose(0, 1), [M], upstream=M)),
    ("T of M", lambda: compare(lambda x: x.T, [M], f_torch=_torch_T)),
    (
        "getitem bool of M",
        lambda: compare(
            lambda x: x[np.isnan(M) | (M > 1)],
            [M],
            f_torch=lambda x: x[torch.tensor(np.isnan(M) | (M > 1))],
        ),
    ),
]
# empty tensors: sums are 0, means NaN (silently), reductions over non-empty dimensions
E0, E03, E30 = np.ones(0), np.ones((0, 3)), np.ones((3, 0))
EXTREME += [
    ("empty sum", lambda: compare(lambda x: x.sum(), [E0])),
    ("empty mean", lambda: compare(lambda x: x.mean(), [E0])),
    ("empty (0, 3) sum dim 0", lambda: compare(lambda x: x.sum(0), [E03])),
    ("empty (0, 3) sum dim 1", lambda: compare(lambda x: x.sum(1), [E03])),
    ("empty (0, 3) mean dim 0", lambda: compare(lambda x: x.mean(0), [E03])),
    ("empty (0, 3) mean dim 1", lambda: compare(lambda x: x.mean(1), [E03])),
    ("empty (0, 3) mean dim ()", lambda: compare(lambda x: x.mean(()), [E03])),
    (
        "empty (0, 3) amax dim 1",
        lambda: compare(lambda x: x.max(1), [E03], f_torch=lambda x: x.amax(1)),
    ),
    (
        "empty (3, 0) amin dim 0",
        lambda: compare(lambda x: x.min(0), [E30], f_torch=lambda x: x.amin(0)),
    ),
    ("empty exp", lambda: compare(lambda x: x.exp(), [E0])),
    ("empty log, sqrt", lambda: compare(lambda x: x.log() + x.sqrt(), [E03])),
    ("empty + scalar", lambda: compare(lambda x: x + 1.0, [E03])),
    ("empty * (3,)", lambda: compare(lambda x, y: x * y, [E03, np.ones(3)])),
    ("empty ** 2", lambda: compare(lambda x: x**2, [E03])),
    ("empty matmul (0,3)@(3,2)", lambda: compare(lambda a, b: a @ b, [E03, np.ones((3, 2))])),
    ("empty matmul (3,0)@(0,2)", lambda: compare(lambda a, b: a @ b, [E30, np.ones((0, 2))])),
    ("empty matmul (0,)@(0,)", lambda: compare(lambda a, b: a @ b, [E0, E0])),
    ("empty reshape", lambda: compare(lambda x: x.reshape(3, 0), [E03])),
    ("empty reshape -1", lambda: compare(lambda x: x.reshape(-1), [E03])),
    ("empty transpose", lambda: compare(lambda x: x.transpose(0, 1), [E03])),
    ("empty slice", lambda: compare(lambda x: x[1:1], [np.ones(3)])),
    ("empty list index", lambda: compare(lambda x: x[[]], [np.ones(3)])),
    ("index of empty", lambda: compare(lambda x: x[:, 1], [E03])),
]
# 0-d tensors: every op, and dim 0 / -1 on reductions as torch allows
S = np.array(2.0)
EXTREME += [
    (f"0-d {n}", lambda f=f: compare(f, [S]))
    for n, f in UNARY.items()
    if "x[" not in n and n != "reshape"
]
EXTREME += [
    (f"0-d {n}", lambda f=f: compare(f, [np.array(-0.0)]))
    for n, f in UNARY.items()
    if "x[" not in n and n != "reshape"
]
EXTREME += [
    ("0-d sum dim 0", lambda: compare(lambda x: x.sum(dim=0), [S])),
    ("0-d sum dim -1", lambda: compare(lambda x: x.sum(dim=-1), [S])),
    ("0-d sum dim (0,) keepdim", lambda: compare(lambda x: x.sum((0,), True), [S])),
    ("0-d sum dim ()", lambda: compare(lambda x: x.sum(()), [S])),
    ("0-d mean dim 0", lambda: compare(lambda x: x.mean(dim=0), [S])),
    ("0-d max dim 0", lambda: compare(lambda x: x.max(dim=0), [S], f_torch=lambda x: x.amax(0))),
    ("0-d min dim -1", lambda: compare(lambda x: x.min(dim=-1), [S], f_torch=lambda x: x.amin(-1))),
    ("0-d max of NaN", lambda: compare(lambda x: x.max(), [np.array(nan)])),
    ("0-d transpose", lambda: compare(lambda x: x.transpose(0, -1), [S])),
    ("0-d T", lambda: compare(lambda x: x.T, [S], f_torch=lambda x: x.t())),
    ("0-d reshape 1", lambda: compare(lambda x: x.reshape(1), [S])),
    ("0-d reshape ()", lambda: compare(lambda x: x.reshape(()), [S])),
    ("0-d reshape -1", lambda: compare(lambda x: x.reshape(-1), [S])),
    ("0-d [None]", lambda: compare(lambda x: x[None], [S])),
    ("0-d [...]", lambda: compare(lambda x: x[...], [S])),
    ("0-d * (3,)", lambda: compare(lambda x, y: x * y, [S, V[:3]])),
    ("0-d ** (3,)", lambda: compare(lambda x, y: x**y, [S, V[:3]])),
    ("0-d @ needs 1-d: (1,)@(1,)", lambda: compare(lambda a, b: a @ b, [np.ones(1), np.ones(1)])),
]
# float32 stays float32: values against torch's float32 (a few float32 ulps)
with np.errstate(over="ignore"):
    V32 = V.astype(np.float32)  # 1e200 and up are inf, the subnormals 0
EXTREME += [
    (f"float32 {n}", lambda f=f: compare(f, [V32], rtol=5e-7))
    for n, f in UNARY.items()
    if n not in ("x*1e308", "x/1e-308", "x+1e308")  # 1e308 is inf in float32
]
EXTREME += [
    (f"float32 {n}(V x V)", lambda f=f: compare(f, [V32[:, None], V32[None, :]], rtol=5e-7))
    for n, f in BINARY.items()
]
EXTREME += [
    ("float32 sum overflow", lambda: compare(lambda x: x.sum(), [np.float32([3e38, 3e38])])),
    ("float32 mean overflow", lambda: compare(lambda x: x.mean(), [np.float32([3e38, 3e38])])),
    ("float32 * python float", lambda: compare(lambda x: x * 1e30, [np.float32([1e10, -1e10])])),
    (
        "float32 matmul",
        lambda: compare(lambda a, b: a @ b, [np.float32([[3e38, 3e38]]), np.float32([[1], [1]])]),
    ),
]
# integers: exact where torch keeps integers; float64 results where torch gives floats
I = np.array([0, 1, -1, 2, -3, 2**62, -(2**62), 7])
EXTREME += [
    ("int add", lambda: compare(lambda x: x + x, [I])),
    ("int sub", lambda: compare(lambda x: x - 3, [I])),
    ("int mul wraps", lambda: compare(lambda x: x * x, [I])),
    ("int neg", lambda: compare(lambda x: -x, [I])),
    ("int ** 2", lambda: compare(lambda x: x**2, [I])),
    ("int sum", lambda: compare(lambda x: x.sum(), [I])),
    ("int max", lambda: compare(lambda x: x.max(), [I])),
    ("int min dim 0", lambda: compare(lambda x: x.min(0), [I], f_torch=lambda x: x.amin(0))),
    (
        "int getitem",
        lambda: compare(lambda x: x[np.array([1, 5])], [I], f_torch=lambda x: x[[1, 5]]),
    ),
    (
        "int reshape",
        lambda: compare(lambda x: x.reshape(2, 4).T, [I], f_torch=lambda x: x.reshape(2, 4).t()),
    ),
    ("int matmul", lambda: compare(lambda a, b: a @ b, [I[:4].reshape(2, 2), I[:4].reshape(2, 2)])),
    ("int / int", lambda: compare(lambda x: x / x, [I], f_torch=lambda x: x.double() / x.double())),
    ("int exp", lambda: compare(lambda x: x.exp(), [I], f_torch=lambda x: x.double().exp())),
    ("int log", lambda: compare(lambda x: x.log(), [I], f_torch=lambda x: x.double().log())),
    ("int sqrt", lambda: compare(lambda x: x.sqrt(), [I], f_torch=lambda x: x.double().sqrt())),
    ("int ** 0.5", lambda: compare(lambda x: x**0.5, [I], f_torch=lambda x: x.double() ** 0.5)),
    ("int mean", lambda: compare(lambda x: x.mean(), [I[:5]], f_torch=lambda x: x.double().mean())),
    ("bool sum", lambda: compare(lambda x: x.sum(), [np.array([True, False, True])])),
    (
        "bool exp",
        lambda: compare(
            lambda x: x.exp(), [np.array([True, False])], f_torch=lambda x: x.double().exp()
        ),
    ),
    ("float * int tensor", lambda: compare(lambda x, i: x * i, [V[:8], I])),
]
# lists and non-contiguous views as data
BASE = np.arange(24.0).reshape(4, 6) * np.array([1e300, -1.0, 1e-320, 2.0, -1e306, 1.0])
EXTREME += [
    ("list data", lambda: compare(lambda x: (x * x).sum(), [[1e200, -1e200, 3.0]])),
    (
        "list of lists",
        lambda: compare(
            lambda x: x @ x.T, [[[1.0, 2.0], [1e300, 0.0]]], f_torch=lambda x: x @ x.t()
        ),
    ),
    ("view x[::2]", lambda: compare(lambda x: x.exp() + x, [BASE[::2]])),
    ("view x[:, ::3]", lambda: compare(lambda x: (x * 1e10).sum(0), [BASE[:, ::3]])),
    ("view x.T", lambda: compare(lambda x: x.max(1), [BASE.T], f_torch=lambda x: x.amax(1))),
    ("view Fortran", lambda: compare(lambda x: x.sqrt(), [np.asfortranarray(BASE)])),
    ("view matmul", lambda: compare(lambda a, b: a @ b, [BASE.T[::2], BASE[:, ::2]])),
    (
        "view operand",
        lambda: compare(
            lambda x: x + BASE.T[:6, :2],  # a non-contiguous numpy operand
            [BASE[:2].T.copy()],
            f_torch=lambda x: x + torch.tensor(BASE.T[:6, :2]),
        ),
    ),
]


def compare_jacobian(f, x):
    """jacobian(f, x) against torch.autograd.functional.jacobian, no RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        J = jacobian(f, x)
    check_same(J, torch.autograd.functional.jacobian(f, torch.tensor(x)), "jacobian", 1e-15)


def compare_grad(f, x):
    """grad(f)(x) against torch.func.grad, no RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        g = grad(f)(x)
    check_same(g, torch.func.grad(f)(torch.tensor(x)), "grad", 1e-15)


EXTREME += [
    ("jacobian exp(V)", lambda: compare_jacobian(lambda v: v.exp(), V)),
    ("jacobian V * V", lambda: compare_jacobian(lambda v: v * v, V)),
    ("jacobian of a 0-d point", lambda: compare_jacobian(lambda v: v.log(), np.array(0.0))),
    ("grad sum(V**2)", lambda: compare_grad(lambda v: (v**2).sum(), V)),
    ("grad max(V)", lambda: compare_grad(lambda v: v.max(), V)),
    ("grad at a 0-d point", lambda: compare_grad(lambda v: v.sqrt(), np.array(0.0))),
    ("grad at an empty point", lambda: compare_grad(lambda v: v.sum(), np.ones(0))),
]


@pytest.mark.parametrize("case", [c[1] for c in EXTREME], ids=[c[0] for c in EXTREME])
def test_extreme_values_match_torch(case):
    case()


# ----------------------------------------------------------------------------- refused like torch

LIKE_TORCH = [
    # (ours, torch's, our exception class)
    (lambda: ones(0).max(), lambda: torch.ones(0).amax(), ValueError),
    (lambda: ones(0, 3).max(0), lambda: torch.ones(0, 3).amax(0), ValueError),
    (lambda: ones(0).min(), lambda: torch.ones(0).amin(), ValueError),
    (lambda: ones(3).item(), lambda: torch.ones(3).item(), ValueError),
    (lambda: bool(ones(3)), lambda: bool(torch.ones(3)), ValueError),
    (lambda: bool(ones(0)), lambda: bool(torch.ones(0)), ValueError),
    (lambda: len(Tensor(2.0)), lambda: len(torch.tensor(2.0)), TypeError),
    (lambda: list(Tensor(2.0)), lambda: list(torch.tensor(2.0)), TypeError),
    (lambda: ones(3)[5], lambda: torch.ones(3)[5], IndexError),
    (lambda: Tensor(2.0)[0], lambda: torch.tensor(2.0)[0], IndexError),
    (lambda: ones(3)[0, 0], lambda: torch.ones(3)[0, 0], IndexError),
    (lambda: ones(3)[1.5], lambda: torch.ones(3)[1.5], TypeError),
    (
        lambda: ones(3)[np.array([True, False])],
        lambda: torch.ones(3)[torch.tensor([True, False])],
        IndexError,
    ),
    (lambda: ones(3)[::0], lambda: torch.ones(3)[::0], ValueError),
    (lambda: ones(3)[0.5:2], lambda: torch.ones(3)[0.5:2], TypeError),
    (lambda: -Tensor([True]), lambda: -torch.tensor([True]), TypeError),
    (
        lambda: Tensor([True]) - Tensor([True]),
        lambda: torch.tensor([True]) - torch.tensor([True]),
        TypeError,
    ),
    (lambda: Tensor([2]) ** -1, lambda: torch.tensor([2]) ** -1, ValueError),
    (lambda: ones(3).reshape(2.5), lambda: torch.ones(3).reshape(2.5), TypeError),
    (lambda: ones(4).reshape(-1, -1), lambda: torch.ones(4).reshape(-1, -1), ValueError),
    (lambda: ones(4).reshape(-2, -2), lambda: torch.ones(4).reshape(-2, -2), ValueError),
    (lambda: ones(0).reshape(-1, 0), lambda: torch.ones(0).reshape(-1, 0), ValueError),
    (lambda: ones(2, 2).sum(dim=(0, 0)), lambda: torch.ones(2, 2).sum(dim=(0, 0)), ValueError),
    (lambda: Tensor(2.0).sum(dim=1), lambda: torch.tensor(2.0).sum(dim=1), ValueError),
    (lambda: Tensor(2.0).sum(dim=(0, -1)), lambda: torch.tensor(2.0).sum(dim=(0, -1)), ValueError),
    (lambda: ones(2, 3) + ones(4), lambda: torch.ones(2, 3) + torch.ones(4), ValueError),
    (lambda: ones(2, 3) @ ones(4, 5), lambda: torch.ones(2, 3) @ torch.ones(4, 5), ValueError),
    (lambda: Tensor(2.0) @ ones(3), lambda: torch.tensor(2.0) @ torch.ones(3), ValueError),
    (lambda: ones(2) + "a", lambda: torch.ones(2) + "a", TypeError),
    (lambda: ones(2) * 10**30, lambda: torch.ones(2) * 10**30, ValueError),
    (lambda: Tensor("abc"), lambda: torch.tensor("abc"), TypeError),
    (lambda: Tensor([[1.0, 2.0], [3.0]]), lambda: torch.tensor([[1.0, 2.0], [3.0]]), ValueError),
    (
        lambda: y23().backward(),
        lambda: (torch.ones(2, 3, requires_grad=True) * 2).backward(),
        RuntimeError,
    ),
]


@pytest.mark.parametrize(("ours", "theirs", "error"), LIKE_TORCH, ids=range(len(LIKE_TORCH)))
def test_refused_where_torch_refuses(ours, theirs, error):
    with pytest.raises(Exception):  # noqa: B017 -- torch's own classes vary
        theirs()
    with pytest.raises(error, match=r"^[A-Za-z_.]+: "):
        ours()


# ----------------------------------------------------------------------------- the listed bugs


def test_zero_d_reductions_accept_dim_0_and_minus_1_like_torch():
    for dim in (0, -1, (0,), ()):
        for op in ("sum", "mean", "max", "min"):
            x = Tensor(np.array(2.0), requires_grad=True)
            y = getattr(x, op)(dim=dim)
            assert y.shape == () and y.item() == 2.0
            y.backward()
            assert x.grad == 1.0


def test_jacobian_with_empty_input_or_output_is_empty():
    # torch.autograd.functional.jacobian cannot stack nothing; the answer is an empty array
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert jacobian(lambda v: v * 2, np.ones(0)).shape == (0, 0)
        assert jacobian(lambda v: v[1:1], np.ones(3)).shape == (0, 3)
        assert jacobian(lambda v: v.sum(), np.ones((0, 2))).shape == (0, 2)


def test_vjp_of_the_wrong_shape_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"'bad'.* shape \(4,\) .* shape \(3,\)"):
        bad_vjp((3,), np.ones(4))


def test_a_transposed_vjp_is_not_reshaped_silently():
    with pytest.raises(ValueError, match=r"^backward: the vjp of 'bad' .*\(3, 2\).*\(2, 3\)"):
        bad_vjp((2, 3), np.ones((3, 2)))


def test_a_vjp_may_return_a_broadcastable_gradient():
    x = ones(2, 3, grad=True)
    Tensor.from_op(np.ones((2, 3)), [(x, lambda g: np.ones((1, 3)))]).backward(np.ones((2, 3)))
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)))
    x.grad = None
    Tensor.from_op(np.ones((2, 3)), [(x, lambda g: np.ones((5, 2, 3)))]).backward(np.ones((2, 3)))
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 5.0))


def test_no_runtime_warning_on_overflow_forward_and_backward():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        x = Tensor([1e200], requires_grad=True)
        (x * Tensor([1e200])).backward(np.array([1e300]))
        assert x.grad[0] == inf
        assert Tensor([1e308, 1e308]).sum().item() == inf
        y = Tensor(np.float32([1.0]), requires_grad=True) * 2
        y.backward(np.array([1e300]))  # cast to float32: inf, as torch does
        assert y.parents[0].grad[0] == np.float32(inf)


def test_bool_float_int_iter_of_tensors_like_torch():
    assert bool(Tensor([0.0])) is False and bool(Tensor(3.0)) is True
    assert float(Tensor([[2.5]])) == 2.5 and int(Tensor(np.array([7]))) == 7
    rows = list(Tensor(np.arange(6.0).reshape(3, 2)))
    assert [r.shape for r in rows] == [(2,)] * 3 and rows[2].data.tolist() == [4.0, 5.0]


def test_max_without_dim_splits_among_nan_entries_like_torch_max():
    x = Tensor([nan, 1.0, nan], requires_grad=True)
    xt = torch.tensor([nan, 1.0, nan], dtype=torch.float64, requires_grad=True)
    x.max().backward(np.array(inf))
    xt.max().backward(torch.tensor(inf, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())  # [inf, 0, inf]


# ----------------------------------------------------------------------------- hypothesis

EDGE_FLOATS = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True, width=64)


@pytest.mark.parametrize("op", ["neg", "exp", "log", "sqrt", "x**0.5", "x**-0.5", "x**3", "1/x"])
@SETTINGS
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2), elements=EDGE_FLOATS))
def test_unary_ops_on_any_float64_match_torch(op, x):
    compare(UNARY[op], [x])


@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(
    a=hnp.arrays(np.float64, 4, elements=EDGE_FLOATS),
    b=hnp.arrays(np.float64, (3, 1), elements=EDGE_FLOATS),
)
def test_binary_ops_on_any_float64_match_torch(op, a, b):
    compare(BINARY[op], [a, b])


@SETTINGS
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4),
    extra=st.integers(2, 5),
)
def test_incompatible_shapes_name_both(shapes, extra):
    (sa, _), _ = shapes
    sb = (*sa[:-1], sa[-1] + extra) if sa else None
    if sb is None or (sa[-1] == 1):
        return  # a () or (..., 1) shape broadcasts with everything of this form
    with pytest.raises(ValueError, match=re.escape(f"mul: shapes {sa} and {sb} cannot be")):
        Tensor(np.ones(sa)) * Tensor(np.ones(sb))


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data())
def test_out_of_range_indices_name_the_dimension(shape, data):
    d = data.draw(st.integers(0, len(shape) - 1))
    i = data.draw(st.one_of(st.integers(shape[d], 50), st.integers(-50, -shape[d] - 1)))
    key = (slice(None),) * d + (i,)
    message = f"getitem: index {i} is out of range for dimension {d} of size {shape[d]}"
    with pytest.raises(IndexError, match="^" + re.escape(message)):
        Tensor(np.ones(shape))[key]
