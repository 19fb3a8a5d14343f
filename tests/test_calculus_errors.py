"""mathdl.calculus under bad and extreme input: clear refusals, finite answers, no warnings.

Two batteries, one line per case:

* ``BAD`` -- every public function with wrong types and values; each case names the
  exception class and the start of the message, ``"func: arg ..."``.
* ``EXTREME`` -- +-1e308, subnormals, the largest float, empty, 0-d, lists, ints, float32
  and non-contiguous views, against torch in float64 (``torch.autograd``,
  ``torch.trapezoid``) or, where torch itself overflows, against the exact value.

pyproject turns every RuntimeWarning into an error, and the extremes also run under
``warnings.simplefilter("error", RuntimeWarning)`` explicitly. The listed bugs of issue 9
have their own tests at the end, each of which failed on the code before the fix.
"""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import SETTINGS, floats

from mathdl import calculus
from mathdl.autodiff import Tensor
from mathdl.testing import assert_close, to_numpy, to_torch

MAX = float(np.finfo(np.float64).max)  # 1.7976931348623157e308
SUB = 1e-320  # a subnormal
D, FD, DE = calculus.derivative, calculus.forward_difference, calculus.difference_error
G, J, H = calculus.gradient, calculus.jacobian, calculus.hessian
TP, TR, SI = calculus.taylor_polynomial, calculus.trapezoid, calculus.simpson
IN, MC = calculus.integrate, calculus.monte_carlo
RAGGED = [[1.0], [1.0, 2.0]]


def ret(value):
    """An ``f`` that returns ``value`` whatever it is given."""
    return lambda *args: value


def quiet_exp(x):
    """``exp`` that overflows to inf silently (the caller's own f, not mathdl, would warn)."""
    with np.errstate(over="ignore"):
        return np.exp(x)


def step_to_inf(x):
    """``x``, except inf above 1: a function that is not finite on one side of 1."""
    return np.where(np.asarray(x) > 1.0, np.inf, x)


# ----------------------------------------------------------------------------- bad inputs
# (id, call, exception, start of the message)

BAD = [
    # derivative(f, x, h)
    ("derivative f str", lambda: D("sin", 1.0), TypeError, r"^derivative: f must be callable"),
    ("derivative f None", lambda: D(None, 1.0), TypeError, r"^derivative: f must be callable"),
    ("derivative x str", lambda: D(np.sin, "1"), TypeError, r"^derivative: x must be a real"),
    ("derivative x None", lambda: D(np.sin, None), TypeError, r"^derivative: x must be a real"),
    ("derivative x obj", lambda: D(np.sin, object()), TypeError, r"^derivative: x must be a real"),
    ("derivative x complex", lambda: D(np.sin, 1j), TypeError, r"^derivative: x must be real"),
    ("derivative x ragged", lambda: D(np.sin, RAGGED), ValueError, r"^derivative: x is not a rect"),
    ("derivative x nan", lambda: D(np.sin, np.nan), ValueError, r"^derivative: x must be finite"),
    (
        "derivative x inf",
        lambda: D(np.sin, [0, -np.inf]),
        ValueError,
        r"^derivative: x must be fin",
    ),
    ("derivative h str", lambda: D(np.sin, 1.0, "a"), TypeError, r"^derivative: h must be a real"),
    ("derivative h bool", lambda: D(np.sin, 1.0, True), TypeError, r"^derivative: h must be a pos"),
    ("derivative h 0", lambda: D(np.sin, 1.0, 0.0), ValueError, r"^derivative: h must be positive"),
    ("derivative h <0", lambda: D(np.sin, 1.0, -1e-3), ValueError, r"^derivative: h must be posi"),
    ("derivative h nan", lambda: D(np.sin, 1.0, np.nan), ValueError, r"^derivative: h must be pos"),
    ("derivative h inf", lambda: D(np.sin, 1.0, np.inf), ValueError, r"^derivative: h must be pos"),
    ("derivative h shape", lambda: D(np.sin, [1.0, 2], [1, 2, 3]), ValueError, r"^derivative: h "),
    ("derivative h lost", lambda: D(np.sin, 1e10, 1e-10), ValueError, r"^derivative: step h=1e-10"),
    ("derivative f None out", lambda: D(ret(None), 1.0), TypeError, r"^derivative: f returned No"),
    ("derivative f str out", lambda: D(ret("a"), 1.0), TypeError, r"^derivative: f returned str"),
    ("derivative f cplx", lambda: D(lambda v: v * 1j, 1.0), TypeError, r"^derivative: f returned "),
    ("derivative f shape", lambda: D(np.sum, [1.0, 2]), ValueError, r"^derivative: f returned sh"),
    # forward_difference(f, x, h)
    ("fwd f int", lambda: FD(3, 1.0), TypeError, r"^forward_difference: f must be callable"),
    ("fwd x str", lambda: FD(np.sin, "x"), TypeError, r"^forward_difference: x must be a real"),
    ("fwd x complex", lambda: FD(np.sin, [1j]), TypeError, r"^forward_difference: x must be real"),
    ("fwd x nan", lambda: FD(np.sin, [np.nan]), ValueError, r"^forward_difference: x must be fin"),
    ("fwd h <0", lambda: FD(np.sin, 1.0, -1.0), ValueError, r"^forward_difference: h must be pos"),
    ("fwd h bool", lambda: FD(np.sin, 1.0, False), TypeError, r"^forward_difference: h must be a"),
    ("fwd f dict", lambda: FD(ret({}), 1.0), TypeError, r"^forward_difference: f returned dict"),
    ("fwd f ragged", lambda: FD(ret(RAGGED), 1.0), TypeError, r"^forward_difference: f returned"),
    # difference_error(f, df, x, steps)
    ("differr f str", lambda: DE("f", 1.0, 1.0, [1e-3]), TypeError, r"^difference_error: f must"),
    ("differr df str", lambda: DE(np.sin, "cos", 1.0, [1e-3]), TypeError, r"^difference_error: df"),
    (
        "differr df nan",
        lambda: DE(np.sin, np.nan, 1.0, [1e-3]),
        ValueError,
        r"^difference_error: df",
    ),
    (
        "differr df bad",
        lambda: DE(np.sin, ret("a"), 1.0, [1e-3]),
        TypeError,
        r"^difference_error: df",
    ),
    ("differr x list", lambda: DE(np.sin, 1.0, [1.0], [1e-3]), TypeError, r"^difference_error: x "),
    (
        "differr x inf",
        lambda: DE(np.sin, 1.0, np.inf, [1e-3]),
        ValueError,
        r"^difference_error: x ",
    ),
    ("differr x str", lambda: DE(np.sin, 1.0, "1", [1e-3]), TypeError, r"^difference_error: x "),
    ("differr steps 0-d", lambda: DE(np.sin, 1.0, 1.0, 1e-3), ValueError, r"^difference_error: st"),
    (
        "differr steps 2-d",
        lambda: DE(np.sin, 1.0, 1.0, [[1e-3]]),
        ValueError,
        r"^difference_error: s",
    ),
    (
        "differr steps <0",
        lambda: DE(np.sin, 1.0, 1.0, [-1e-3]),
        ValueError,
        r"^difference_error: s",
    ),
    ("differr steps nan", lambda: DE(np.sin, 1.0, 1.0, [np.nan]), ValueError, r"^difference_erro"),
    ("differr steps str", lambda: DE(np.sin, 1.0, 1.0, ["a"]), TypeError, r"^difference_error: st"),
    # gradient(f, x, h)
    ("gradient f None", lambda: G(None, [1.0]), TypeError, r"^gradient: f must be callable"),
    ("gradient x 0-d", lambda: G(np.sum, 1.0), ValueError, r"^gradient: x must be 1-D, got shape"),
    ("gradient x 2-d", lambda: G(np.sum, np.ones((2, 2))), ValueError, r"^gradient: x must be 1-D"),
    ("gradient x str", lambda: G(np.sum, "ab"), TypeError, r"^gradient: x must be a real array"),
    ("gradient x ragged", lambda: G(np.sum, RAGGED), ValueError, r"^gradient: x is not a rectang"),
    ("gradient x complex", lambda: G(np.sum, [1j]), TypeError, r"^gradient: x must be real"),
    ("gradient x inf", lambda: G(np.sum, [np.inf]), ValueError, r"^gradient: x must be finite"),
    ("gradient h shape", lambda: G(np.sum, [1.0], [1e-3, 1e-3]), ValueError, r"^gradient: h of sh"),
    ("gradient h 0", lambda: G(np.sum, [1.0], 0.0), ValueError, r"^gradient: h must be positive"),
    ("gradient f vector", lambda: G(lambda v: v, [1.0, 2]), ValueError, r"^gradient: f returned s"),
    ("gradient f None out", lambda: G(ret(None), [1.0]), TypeError, r"^gradient: f returned None"),
    ("gradient f complex", lambda: G(ret(1j), [1.0]), TypeError, r"^gradient: f returned complex"),
    # jacobian(f, x, h)
    ("jacobian f str", lambda: J("f", [1.0]), TypeError, r"^jacobian: f must be callable"),
    ("jacobian x 2-d", lambda: J(np.sin, [[1.0]]), ValueError, r"^jacobian: x must be 1-D"),
    ("jacobian x nan", lambda: J(np.sin, [np.nan]), ValueError, r"^jacobian: x must be finite"),
    ("jacobian x None", lambda: J(np.sin, None), TypeError, r"^jacobian: x must be a real array"),
    ("jacobian h str", lambda: J(np.sin, [1.0], "h"), TypeError, r"^jacobian: h must be a real"),
    ("jacobian h cplx", lambda: J(np.sin, [1.0], 1e-3j), TypeError, r"^jacobian: h must be real"),
    ("jacobian f str out", lambda: J(ret("s"), [1.0]), TypeError, r"^jacobian: f returned str"),
    (
        "jacobian f shape",
        lambda: J(lambda v: np.ones(2) if v[0] > 1 else np.ones(3), [1.0]),
        ValueError,
        r"^jacobian: f returned shape \(3,\) for input of shape \(1,\); expected shape \(2,\)",
    ),
    # hessian(f, x, h)
    ("hessian f obj", lambda: H(object(), [1.0]), TypeError, r"^hessian: f must be callable"),
    ("hessian x 0-d", lambda: H(np.sum, 2.0), ValueError, r"^hessian: x must be 1-D"),
    ("hessian x bool str", lambda: H(np.sum, ["no"]), TypeError, r"^hessian: x must be a real"),
    ("hessian h <0", lambda: H(np.sum, [1.0], -1.0), ValueError, r"^hessian: h must be positive"),
    ("hessian f vector", lambda: H(lambda v: v, [1.0, 2]), ValueError, r"^hessian: f returned sh"),
    ("hessian f tensor c", lambda: H(ret(np.array([1j])), [1.0]), TypeError, r"^hessian: f retur"),
    # taylor_polynomial(derivatives, a, x)
    ("taylor d empty", lambda: TP([], 0.0, 1.0), ValueError, r"^taylor_polynomial: derivatives"),
    ("taylor d 2-d", lambda: TP([[1.0]], 0.0, 1.0), ValueError, r"^taylor_polynomial: derivativ"),
    ("taylor d str", lambda: TP("abc", 0.0, 1.0), TypeError, r"^taylor_polynomial: derivatives"),
    ("taylor d complex", lambda: TP([1j], 0.0, 1.0), TypeError, r"^taylor_polynomial: derivativ"),
    ("taylor d nan", lambda: TP([np.nan], 0.0, 1.0), ValueError, r"^taylor_polynomial: derivati"),
    ("taylor d ragged", lambda: TP(RAGGED, 0.0, 1.0), ValueError, r"^taylor_polynomial: derivat"),
    ("taylor a str", lambda: TP([1.0], "0", 1.0), TypeError, r"^taylor_polynomial: a must be a r"),
    ("taylor a None", lambda: TP([1.0], None, 1.0), TypeError, r"^taylor_polynomial: a must be a"),
    ("taylor a list", lambda: TP([1.0], [0.0], 1.0), TypeError, r"^taylor_polynomial: a must be"),
    ("taylor a bool", lambda: TP([1.0], True, 1.0), TypeError, r"^taylor_polynomial: a must be a"),
    ("taylor a inf", lambda: TP([1.0], np.inf, 1.0), ValueError, r"^taylor_polynomial: a must be"),
    ("taylor x str", lambda: TP([1.0], 0.0, "x"), TypeError, r"^taylor_polynomial: x must be a r"),
    ("taylor x nan", lambda: TP([1.0], 0.0, [np.nan]), ValueError, r"^taylor_polynomial: x must"),
    ("taylor x complex", lambda: TP([1.0], 0.0, 1j), TypeError, r"^taylor_polynomial: x must be"),
    # trapezoid(y, x, dx)
    ("trapezoid y 0-d", lambda: TR(1.0), ValueError, r"^trapezoid: y must have at least 1 dim"),
    ("trapezoid y str", lambda: TR("abc"), TypeError, r"^trapezoid: y must be a real array"),
    ("trapezoid y None", lambda: TR(None), TypeError, r"^trapezoid: y must be a real array"),
    ("trapezoid y complex", lambda: TR([1j, 1]), TypeError, r"^trapezoid: y must be real"),
    ("trapezoid y ragged", lambda: TR(RAGGED), ValueError, r"^trapezoid: y is not a rectangular"),
    ("trapezoid y nan", lambda: TR([1, np.nan]), ValueError, r"^trapezoid: y must be finite"),
    ("trapezoid y inf", lambda: TR([1, np.inf]), ValueError, r"^trapezoid: y must be finite"),
    ("trapezoid x shape", lambda: TR([1.0, 2], [1, 2, 3]), ValueError, r"^trapezoid: x has shape"),
    ("trapezoid x nan", lambda: TR([1.0, 2], [0, np.nan]), ValueError, r"^trapezoid: x must be fi"),
    ("trapezoid x str", lambda: TR([1.0, 2], "ab"), TypeError, r"^trapezoid: x must be a real"),
    ("trapezoid dx str", lambda: TR([1.0, 2], dx="a"), TypeError, r"^trapezoid: dx must be a real"),
    ("trapezoid dx None", lambda: TR([1.0, 2], dx=None), TypeError, r"^trapezoid: dx must be a r"),
    ("trapezoid dx bool", lambda: TR([1.0, 2], dx=True), TypeError, r"^trapezoid: dx must be a r"),
    ("trapezoid dx list", lambda: TR([1.0, 2], dx=[1.0]), TypeError, r"^trapezoid: dx must be a"),
    ("trapezoid dx inf", lambda: TR([1.0, 2], dx=np.inf), ValueError, r"^trapezoid: dx must be a"),
    ("trapezoid dx nan", lambda: TR([1.0, 2], dx=np.nan), ValueError, r"^trapezoid: dx must be a"),
    # simpson(y, x, dx)
    ("simpson y 0-d", lambda: SI(2.0), ValueError, r"^simpson: y must have at least 1 dimension"),
    ("simpson y empty", lambda: SI([]), ValueError, r"^simpson: y must have an odd number"),
    ("simpson y even", lambda: SI([1.0, 2, 3, 4]), ValueError, r"^simpson: y must have an odd"),
    ("simpson y str", lambda: SI(["a", "b", "c"]), TypeError, r"^simpson: y must be a real"),
    ("simpson y complex", lambda: SI([1j, 1, 1]), TypeError, r"^simpson: y must be real"),
    ("simpson y inf", lambda: SI([1, 1, -np.inf]), ValueError, r"^simpson: y must be finite"),
    ("simpson x shape", lambda: SI([1.0, 2, 3], [1, 2]), ValueError, r"^simpson: x has shape"),
    ("simpson x not mono", lambda: SI([1.0, 2, 3], [0, 2, 1]), ValueError, r"^simpson: x must be"),
    ("simpson x repeated", lambda: SI([1.0, 2, 3], [0, 0, 1]), ValueError, r"^simpson: x must be"),
    ("simpson x inf", lambda: SI([1.0, 2, 3], [0, 1, np.inf]), ValueError, r"^simpson: x must be"),
    ("simpson dx 0", lambda: SI([1.0, 2, 3], dx=0.0), ValueError, r"^simpson: dx must be nonzero"),
    ("simpson dx str", lambda: SI([1.0, 2, 3], dx="1"), TypeError, r"^simpson: dx must be a real"),
    # integrate(f, a, b, n, rule)
    ("integrate f str", lambda: IN("sin", 0.0, 1.0), TypeError, r"^integrate: f must be callable"),
    ("integrate a str", lambda: IN(np.sin, "0", 1.0), TypeError, r"^integrate: a must be a real"),
    ("integrate a None", lambda: IN(np.sin, None, 1.0), TypeError, r"^integrate: a must be a real"),
    ("integrate a cplx", lambda: IN(np.sin, 0j, 1.0), TypeError, r"^integrate: a must be a real"),
    ("integrate a nan", lambda: IN(np.sin, np.nan, 1.0), ValueError, r"^integrate: a must be a fi"),
    ("integrate b inf", lambda: IN(np.sin, 0.0, np.inf), ValueError, r"^integrate: b must be a fi"),
    ("integrate b list", lambda: IN(np.sin, 0.0, [1.0]), TypeError, r"^integrate: b must be a re"),
    ("integrate a = b", lambda: IN(np.sin, 1.0, 1.0), ValueError, r"^integrate: a must be < b"),
    ("integrate a > b", lambda: IN(np.sin, 2.0, 1.0), ValueError, r"^integrate: a must be < b"),
    (
        "integrate n float",
        lambda: IN(np.sin, 0, 1, 2.5),
        TypeError,
        r"^integrate: n must be an int",
    ),
    ("integrate n bool", lambda: IN(np.sin, 0, 1, True), TypeError, r"^integrate: n must be an in"),
    ("integrate n str", lambda: IN(np.sin, 0, 1, "8"), TypeError, r"^integrate: n must be an int"),
    ("integrate n 0", lambda: IN(np.sin, 0, 1, 0), ValueError, r"^integrate: n must be an even"),
    ("integrate n <0", lambda: IN(np.sin, 0, 1, -4), ValueError, r"^integrate: n must be an even"),
    ("integrate n odd", lambda: IN(np.sin, 0, 1, 3), ValueError, r"^integrate: n must be an even"),
    (
        "integrate n 0 trap",
        lambda: IN(np.sin, 0, 1, 0, "trapezoid"),
        ValueError,
        r"^integrate: n must be an int >= 1",
    ),
    ("integrate rule", lambda: IN(np.sin, 0, 1, rule="mid"), ValueError, r"^integrate: rule must"),
    ("integrate rule None", lambda: IN(np.sin, 0, 1, rule=None), TypeError, r"^integrate: rule "),
    ("integrate f None", lambda: IN(ret(None), 0, 1), TypeError, r"^integrate: f returned NoneT"),
    ("integrate f cplx", lambda: IN(lambda v: v + 0j, 0, 1), TypeError, r"^integrate: f returned"),
    ("integrate f shape", lambda: IN(np.sum, 0, 1), ValueError, r"^integrate: f returned shape"),
    # monte_carlo(f, domain, n, rng)
    ("mc f str", lambda: MC("sin", (0, 1), 10, 0), TypeError, r"^monte_carlo: f must be callable"),
    ("mc domain float", lambda: MC(np.sin, 3.0, 10, 0), TypeError, r"^monte_carlo: domain must"),
    ("mc domain None", lambda: MC(np.sin, None, 10, 0), TypeError, r"^monte_carlo: domain must"),
    ("mc domain triple", lambda: MC(np.sin, (0, 1, 2), 10, 0), ValueError, r"^monte_carlo: domai"),
    ("mc a > b", lambda: MC(np.sin, (2.0, 1.0), 10, 0), ValueError, r"^monte_carlo: a must be <"),
    ("mc b inf", lambda: MC(np.sin, (0.0, np.inf), 10, 0), ValueError, r"^monte_carlo: b must be"),
    ("mc a nan", lambda: MC(np.sin, (np.nan, 1.0), 10, 0), ValueError, r"^monte_carlo: a must be"),
    ("mc a str", lambda: MC(np.sin, ("0", 1.0), 10, 0), TypeError, r"^monte_carlo: a must be a r"),
    ("mc a 2-d", lambda: MC(np.sin, ([[0]], [[1]]), 10, 0), ValueError, r"^monte_carlo: a must be"),
    (
        "mc shapes",
        lambda: MC(np.sin, (np.zeros(2), np.ones(3)), 10, 0),
        ValueError,
        r"^monte_carlo: b must have the shape \(2,\) of a, got \(3,\)",
    ),
    ("mc n 1", lambda: MC(np.sin, (0, 1), 1, 0), ValueError, r"^monte_carlo: n must be >= 2"),
    ("mc n float", lambda: MC(np.sin, (0, 1), 10.0, 0), TypeError, r"^monte_carlo: n must be an"),
    ("mc n bool", lambda: MC(np.sin, (0, 1), True, 0), TypeError, r"^monte_carlo: n must be an i"),
    ("mc n str", lambda: MC(np.sin, (0, 1), "10", 0), TypeError, r"^monte_carlo: n must be an in"),
    ("mc rng float", lambda: MC(np.sin, (0, 1), 10, 1.5), TypeError, r"^monte_carlo: rng must be"),
    ("mc rng str", lambda: MC(np.sin, (0, 1), 10, "0"), TypeError, r"^monte_carlo: rng must be"),
    ("mc rng <0", lambda: MC(np.sin, (0, 1), 10, -1), ValueError, r"^monte_carlo: rng seed must"),
    (
        "mc rng legacy",
        lambda: MC(np.sin, (0, 1), 10, np.random.RandomState(0)),
        TypeError,
        r"^monte_carlo: rng must be None, an int seed or a numpy.random.Generator, got Random",
    ),
    ("mc f shape", lambda: MC(np.sum, (0, 1), 10, 0), ValueError, r"^monte_carlo: f returned sh"),
    ("mc f None", lambda: MC(ret(None), (0, 1), 10, 0), TypeError, r"^monte_carlo: f returned No"),
    (
        "mc sampler shape",
        lambda: MC(np.sin, lambda r, n: r.random(n - 1), 10, 0),
        ValueError,
        r"^monte_carlo: domain \(a sampler\) returned shape \(9,\); expected \(10, ...\)",
    ),
    ("mc sampler str", lambda: MC(np.sin, ret(["a"] * 10), 10, 0), TypeError, r"^monte_carlo: do"),
    ("mc sampler None", lambda: MC(np.sin, ret(None), 10, 0), TypeError, r"^monte_carlo: domain"),
    ("mc sampler cplx", lambda: MC(np.sin, ret(np.ones(10) * 1j), 10, 0), TypeError, r"^monte_ca"),
    (
        "mc sampler nan",
        lambda: MC(np.sin, ret(np.full(10, np.nan)), 10, 0),
        ValueError,
        r"^monte_c",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------------------- extremes
# (id, call, expected, rtol, atol); expected is a thunk: torch where torch is finite, else
# the exact value. Every call runs with RuntimeWarnings as errors.


def ag(tf, x):
    """``d tf / dx`` at the float64 points ``x`` by torch.autograd (elementwise tf)."""
    xt = to_torch(np.asarray(x, dtype=np.float64), requires_grad=True)
    (d,) = torch.autograd.grad(tf(xt).sum(), xt)
    return to_numpy(d)


def tjac(tf, x):
    """torch's Jacobian of ``tf`` at ``x``, float64."""
    return to_numpy(torch.autograd.functional.jacobian(tf, to_torch(np.asarray(x, dtype=float))))


def thess(tf, x):
    """torch's Hessian of ``tf`` at ``x``, float64."""
    return to_numpy(torch.autograd.functional.hessian(tf, to_torch(np.asarray(x, dtype=float))))


def ttrap(y, x=None, dx=1.0):
    """``torch.trapezoid`` in float64."""
    y = to_torch(np.asarray(y, dtype=np.float64))
    if x is None:
        return to_numpy(torch.trapezoid(y, dx=dx))
    return to_numpy(torch.trapezoid(y, to_torch(np.asarray(x, dtype=np.float64))))


def ttaylor(derivatives, a, x):
    """The Taylor sum term by term in torch, float64 (``k! < 1.8e308`` for ``k <= 170``)."""
    t = to_torch(np.asarray(x, dtype=np.float64)) - a
    terms = [d * t**k / float(math.factorial(k)) for k, d in enumerate(derivatives)]
    return to_numpy(torch.stack(terms).sum(0))


def case(name, call, expected, rtol=0.0, atol=0.0):
    """One extreme case; ``expected`` a thunk."""
    return name, call, expected, rtol, atol


GRID = np.linspace(-2.0, 2.0, 13)  # (13,)
MAT = GRID[:12].reshape(3, 4)  # (3, 4)
VEC = np.array([0.3, -1.2, 2.0, 0.7])
SINE = lambda v, xp=np: (xp.sin(v) * v).sum()  # noqa: E731 -- R^n -> R
SINE_T = lambda v: SINE(v, torch)  # noqa: E731
SQ = lambda v: v @ v  # noqa: E731
C = lambda c: lambda v: 0 * v + c  # noqa: E731 -- the constant c, elementwise
PM = lambda big: lambda v: np.where(v < 0.5, big, -big)  # noqa: E731 -- +-big

EXTREME = [
    # derivative: the largest floats, subnormals, shapes and dtypes
    case("d x=max", lambda: D(lambda x: x, MAX), lambda: 1.0, 1e-12),
    case("d x=-max", lambda: D(lambda x: 3 * x, -MAX / 4), lambda: 3.0, 1e-9),
    case("d x=+-max array", lambda: D(lambda x: x / 2, [MAX, -MAX, 0]), lambda: [0.5] * 3, 1e-12),
    case("d tanh 1e308", lambda: D(np.tanh, 1e308), lambda: ag(torch.tanh, 1e308)),
    case("d sqrt 1e308", lambda: D(np.sqrt, 1e308), lambda: ag(torch.sqrt, 1e308), 1e-9),
    case("d x^2 1e150", lambda: D(np.square, 1e150), lambda: ag(torch.square, 1e150), 1e-10),
    case("d sin subnormal", lambda: D(np.sin, SUB), lambda: ag(torch.sin, SUB), 1e-10),
    case("d exp -744", lambda: D(np.exp, -744.0), lambda: ag(torch.exp, -744.0), 1e-3, 1e-323),
    case("d exp near overflow", lambda: D(quiet_exp, 709.78), lambda: math.exp(709.78), 1e-4),
    case("d f inf on one side", lambda: D(step_to_inf, 1.0), lambda: 1.0, 1e-10),
    case("d f nan", lambda: D(lambda x: x * np.nan, [1.0, 2.0]), lambda: [np.nan] * 2),
    case("d 0-d", lambda: D(np.sin, np.array(0.5)), lambda: ag(torch.sin, 0.5), 1e-10),
    case("d list ints", lambda: D(np.sin, [1, 2, 3]), lambda: ag(torch.sin, [1, 2, 3]), 1e-9),
    case("d float32", lambda: D(np.sin, np.float32([0.5, 1])), lambda: np.cos([0.5, 1]), 1e-9),
    case("d empty", lambda: D(np.sin, np.empty((0, 3))), lambda: np.empty((0, 3))),
    case("d view ::2", lambda: D(np.sin, GRID[::2]), lambda: ag(torch.sin, GRID[::2]), 1e-9),
    case("d view .T", lambda: D(np.sin, MAT.T), lambda: ag(torch.sin, MAT.T), 1e-9, 1e-10),
    case("d tensor out", lambda: D(lambda v: Tensor(v) ** 2, GRID), lambda: 2 * GRID, 1e-9, 1e-9),
    # forward_difference
    case("fd x=max", lambda: FD(lambda x: x, MAX), lambda: 1.0, 1e-12),
    case("fd x=-max", lambda: FD(lambda x: -x, -MAX), lambda: -1.0, 1e-12),
    case("fd f inf ahead", lambda: FD(step_to_inf, 1.0), lambda: 1.0, 1e-10),
    case("fd exp near overflow", lambda: FD(quiet_exp, 709.78), lambda: math.exp(709.78), 1e-5),
    case("fd subnormal", lambda: FD(np.sin, [SUB, -SUB]), lambda: [1.0, 1.0], 1e-7),
    case("fd ints", lambda: FD(np.exp, [0, 1]), lambda: np.exp([0.0, 1.0]), 1e-7),
    case("fd empty", lambda: FD(np.exp, []), lambda: np.empty(0)),
    # difference_error
    case("differr at max", lambda: DE(lambda x: x, 1.0, MAX, [1e300])[1], lambda: [0.0], 0, 1e-12),
    case("differr ints", lambda: DE(np.exp, np.exp, 0, [1e-4])[1], lambda: [1e-8 / 6], 1e-2),
    # gradient / jacobian / hessian: at the largest floats, subnormals, views
    case("grad x=[max,-max]", lambda: G(np.sum, [MAX, -MAX]), lambda: [1.0, 1.0], 1e-12),
    case("grad subnormal", lambda: G(SINE, [SUB, 0]), lambda: tjac(SINE_T, [SUB, 0]), 0, 1e-10),
    case("grad list", lambda: G(SINE, VEC.tolist()), lambda: tjac(SINE_T, VEC), 1e-9, 1e-9),
    case("grad float32", lambda: G(np.sum, np.float32([1, 2])), lambda: [1.0, 1.0], 1e-9),
    case("grad ints", lambda: G(SQ, [1, 2]), lambda: [2.0, 4.0], 1e-9),
    case("grad view", lambda: G(SINE, GRID[::3]), lambda: tjac(SINE_T, GRID[::3]), 1e-9, 1e-9),
    case("grad empty", lambda: G(np.sum, []), lambda: np.empty(0)),
    case(
        "grad f inf on one side", lambda: G(lambda v: step_to_inf(v).sum(), [1]), lambda: [1], 1e-9
    ),
    case(
        "grad tensor out", lambda: G(lambda v: (Tensor(v) ** 2).sum(), VEC), lambda: 2 * VEC, 1e-9
    ),
    case("jac x=max", lambda: J(lambda v: v / 2, [MAX]), lambda: [[0.5]], 1e-12),
    case(
        "jac x=+-max", lambda: J(lambda v: v[::-1] / 2, [-MAX, MAX]), lambda: [[0, 0.5], [0.5, 0]]
    ),
    case("jac scalar out", lambda: J(SINE, VEC), lambda: tjac(SINE_T, VEC), 1e-9, 1e-9),
    case(
        "jac (2, 3) out", lambda: J(lambda v: np.outer(v[:2], v), VEC[:3]).shape, lambda: (2, 3, 3)
    ),
    case(
        "jac view", lambda: J(np.sin, GRID[1::4]), lambda: tjac(torch.sin, GRID[1::4]), 1e-9, 1e-10
    ),
    case("jac empty", lambda: J(np.sin, []), lambda: np.empty((0, 0))),
    case("hess x=max", lambda: H(np.sum, [MAX]), lambda: [[0.0]], 0, 1e-12),
    case("hess x^2 1e150", lambda: H(SQ, [1e150, -1e150]), lambda: 2 * np.eye(2), 1e-6, 1e-6),
    case("hess subnormal", lambda: H(SINE, [SUB, 0]), lambda: thess(SINE_T, [SUB, 0]), 1e-6, 1e-6),
    case("hess ints", lambda: H(SQ, [1, 2]), lambda: 2 * np.eye(2), 1e-8, 1e-8),
    case("hess view", lambda: H(SINE, GRID[::4]), lambda: thess(SINE_T, GRID[::4]), 1e-6, 1e-6),
    case("hess empty", lambda: H(np.sum, []), lambda: np.empty((0, 0))),
    # taylor_polynomial: high degrees, huge and tiny points
    case("taylor 200 ones", lambda: TP(np.ones(200), 0.0, 0.5), lambda: math.exp(0.5), 1e-15),
    case("taylor 1000 ones", lambda: TP(np.ones(1000), 0.0, 10.0), lambda: math.exp(10), 1e-14),
    case(
        "taylor 170 torch",
        lambda: TP(np.ones(170), 1, GRID),
        lambda: ttaylor([1] * 170, 1, GRID),
        1e-12,
    ),
    case("taylor x=+-1e308", lambda: TP([2.0, 0.0, 0.0], 0.0, [1e308, -1e308]), lambda: [2.0, 2.0]),
    case("taylor x-a overflow", lambda: TP([1.0, 0.0], -1e308, 1e308), lambda: 1.0),
    case("taylor inf value", lambda: TP([0.0, 1.0], -1e308, 1e308), lambda: np.inf),
    case("taylor subnormal", lambda: TP([0.0, 1.0, 1.0], 0.0, SUB), lambda: SUB),
    case("taylor empty x", lambda: TP([1.0, 2.0], 0.0, []), lambda: np.empty(0)),
    case("taylor 0-d", lambda: TP([1.0, 2.0], 0.5, np.array(1.5)), lambda: 3.0, 1e-15),
    case("taylor ints", lambda: TP([1, 2, 2], 1, [0, 2]), lambda: [0.0, 4.0], 1e-15),
    case("taylor float32", lambda: TP(np.float32([1, 1]), 0, np.float32(0.5)), lambda: 1.5, 1e-15),
    case("taylor view", lambda: TP([1.0, 1.0], 0.0, MAT.T), lambda: 1 + MAT.T, 1e-15),
    # trapezoid against torch.trapezoid (torch overflows on the first five: exact values)
    case("trap 1e308 pair", lambda: TR([1e308, 1e308]), lambda: 1e308, 1e-15),
    case("trap -max pair", lambda: TR([-MAX, -MAX], dx=0.5), lambda: -MAX / 2, 1e-15),
    case("trap x spans 2e308", lambda: TR([0.5, 0.5], [-1e308, 1e308]), lambda: 1e308, 1e-15),
    case("trap dx 1e308", lambda: TR([0.25, 0.25, 0.25], dx=1e308), lambda: 5e307, 1e-15),
    case("trap rows", lambda: TR([[1e308, 1e308], [1.0, 2.0]]), lambda: [1e308, 1.5], 1e-15),
    case("trap true inf", lambda: TR([1e308, 1e308], dx=4.0), lambda: np.inf),
    case("trap subnormal", lambda: TR([SUB, SUB]), lambda: ttrap([SUB, SUB])),
    case("trap dx subnormal", lambda: TR([1.0, 1.0], dx=SUB), lambda: ttrap([1.0, 1], dx=SUB)),
    case("trap empty", lambda: TR([]), lambda: ttrap([])),
    case("trap one sample", lambda: TR([3.0]), lambda: ttrap([3.0])),
    case("trap (2, 0)", lambda: TR(np.ones((2, 0))), lambda: ttrap(np.ones((2, 0)))),
    case("trap (0, 3)", lambda: TR(np.ones((0, 3))), lambda: ttrap(np.ones((0, 3)))),
    case("trap ints", lambda: TR([1, 2, 4], [0, 1, 3]), lambda: ttrap([1, 2, 4], [0, 1, 3]), 1e-15),
    case(
        "trap float32", lambda: TR(np.float32([0.1, 2])), lambda: ttrap(np.float32([0.1, 2])), 1e-15
    ),
    case(
        "trap list", lambda: TR([[1, 2.0], [3, 4]], dx=0.5), lambda: ttrap([[1, 2], [3, 4]], dx=0.5)
    ),
    case(
        "trap view ::2",
        lambda: TR(GRID[::2], GRID[::-2]),
        lambda: ttrap(GRID[::2], GRID[::-2]),
        1e-14,
    ),
    case("trap view .T", lambda: TR(MAT.T), lambda: ttrap(MAT.T), 1e-14, 1e-15),
    case("trap x 2-d", lambda: TR(MAT, MAT**2), lambda: ttrap(MAT, MAT**2), 1e-14, 1e-15),
    # simpson: tiny and huge spacings and samples (exact values; scipy agrees where finite)
    case("simp dx 1e-200", lambda: SI([1.0, 1.0, 1.0], dx=1e-200), lambda: 2e-200, 1e-15),
    case("simp x 1e-200", lambda: SI([1.0, 1.0, 1.0], [0, 1e-200, 2e-200]), lambda: 2e-200, 1e-15),
    case("simp x 1e-300 uneven", lambda: SI([2.0] * 3, [0, 1e-300, 3e-300]), lambda: 6e-300, 1e-15),
    case("simp dx subnormal", lambda: SI([1.0, 1.0, 1.0], dx=SUB), lambda: 2 * SUB, 0, 1e-322),
    case("simp y 1e308", lambda: SI([1e308] * 3, dx=0.25), lambda: 5e307, 1e-15),
    case("simp x spans 2e308", lambda: SI([0.25] * 3, [-1e308, 0, 1e308]), lambda: 5e307, 1e-15),
    case("simp true inf", lambda: SI([1e308] * 3), lambda: np.inf),
    case("simp (0, 3)", lambda: SI(np.ones((0, 3))), lambda: np.empty(0)),
    case("simp ints", lambda: SI([0, 1, 8], [0, 1, 2]), lambda: 4.0, 1e-15),
    case("simp float32", lambda: SI(np.float32([0, 1, 8]), dx=1), lambda: 4.0, 1e-15),
    case("simp view", lambda: SI(GRID[::2] ** 3, GRID[::2]), lambda: 0.0, 0, 1e-14),
    case("simp view .T", lambda: SI(np.ones((3, 5)).T, dx=0.5), lambda: [1.0] * 5, 1e-15),
    # integrate
    case("integrate cos 1e-200", lambda: IN(np.cos, 0.0, 1e-200), lambda: 1e-200, 1e-15),
    case("integrate cos 1e-200 T", lambda: IN(np.cos, 0, 1e-200, 8, "trapezoid"), lambda: 1e-200),
    case("integrate subnormal", lambda: IN(np.cos, 0.0, SUB, 2), lambda: SUB, 0, 1e-322),
    case("integrate over +-1e308", lambda: IN(C(0.25), -1e308, 1e308), lambda: 5e307, 1e-14),
    case("integrate ints", lambda: IN(np.exp, 0, 1, np.int64(64)), lambda: math.e - 1, 1e-8),
    # monte_carlo: huge boxes, huge and tiny values
    case("mc box +-1e308", lambda: MC(C(0.25), (-1e308, 1e308), 10, 0), lambda: (5e307, 0), 1e-15),
    case("mc box 1e-300", lambda: MC(C(1.0), (0.0, 1e-300), 10, 0), lambda: (1e-300, 0), 1e-15),
    case("mc f 1e308", lambda: MC(C(1e308), (0, 1), 10, 0), lambda: (1e308, 0.0), 1e-15),
    case("mc f subnormal", lambda: MC(C(SUB), (0, 1), 10, 0), lambda: (SUB, 0.0)),
    case(
        "mc f +-1e308",
        lambda: MC(PM(1e308), (0, 1), 10, 0),
        lambda: tuple(1e308 * np.array(MC(PM(1.0), (0, 1), 10, 0))),
        1e-15,
    ),
    case("mc f nan", lambda: MC(lambda v: v * np.nan, (0, 1), 10, 0), lambda: (np.nan, np.nan)),
    case("mc box 0-d ints", lambda: MC(C(2.0), (np.array(1), 3), 10, 0), lambda: (4.0, 0.0), 1e-15),
    case(
        "mc box d=3",
        lambda: MC(lambda p: 0 * p[:, 0] + 1, ([0] * 3, [1, 2, 1e300]), 10, 0),
        lambda: (2e300, 0.0),
        1e-15,
    ),
    case("mc n int64", lambda: MC(C(1), (0, 1), np.int64(5), 0), lambda: (1.0, 0.0), 1e-15),
]


def close(got, expected, rtol, atol):
    """Shapes equal, and equal NaNs, equal infinities, else within the tolerances."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"shape {got.shape} != expected {expected.shape}"
    assert_close(got, expected, rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize(
    ("call", "expected", "rtol", "atol"), [c[1:] for c in EXTREME], ids=[c[0] for c in EXTREME]
)
def test_extreme(call, expected, rtol, atol):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        got = call()
    close(got, expected(), rtol, atol)


# ----------------------------------------------------------------------------- properties

BIG = floats(-MAX, MAX)


@SETTINGS
@given(x=hnp.arrays(np.float64, st.integers(1, 8), elements=BIG), c=floats(-1.0, 1.0))
def test_derivative_of_a_line_anywhere_in_the_float_range(x, c):
    """c x has derivative c at every finite x, the largest floats included (one-sided there)."""
    line = lambda v: c * v  # noqa: E731 -- |c| <= 1: never overflows itself
    assert_close(calculus.derivative(line, x), np.full(x.shape, c), rtol=1e-9, atol=1e-300)
    assert_close(calculus.forward_difference(line, x), np.full(x.shape, c), rtol=1e-7, atol=1e-300)
    assert_close(calculus.jacobian(line, x), c * np.eye(x.size), rtol=1e-9, atol=1e-300)


def exact_trapezoid(y, x):
    """The trapezoid sum in exact rational arithmetic, and the sum of |terms| (its scale)."""
    terms = [
        (Fraction(x[k + 1]) - Fraction(x[k])) * (Fraction(y[k]) + Fraction(y[k + 1])) / 2
        for k in range(len(y) - 1)
    ]
    return sum(terms, Fraction(0)), sum((abs(t) for t in terms), Fraction(0))


@SETTINGS
@given(
    data=st.data(),
    n=st.integers(2, 9),
    scale=st.sampled_from([1e-300, 1.0, 1e150, 1e300, MAX]),
)
def test_trapezoid_is_the_exact_sum_correctly_scaled(data, n, scale):
    """Over the whole float range: the exact sum to rounding, inf only where it overflows."""
    y = data.draw(hnp.arrays(np.float64, n, elements=floats(-1.0, 1.0))) * scale
    x = np.sort(data.draw(hnp.arrays(np.float64, n, elements=floats(-1.0, 1.0)))) * scale
    exact, size = exact_trapezoid(y, x)
    got = calculus.trapezoid(y, x)
    tol = size * Fraction(16 * n * float(np.finfo(float).eps)) + Fraction(1e-320)
    if np.isinf(got):  # only where the exact sum is beyond the largest float, to rounding
        assert abs(exact) + tol >= Fraction(MAX) and (got > 0) == (exact > 0), (got, exact)
    else:  # so a finite answer is never far from an exact one past the largest float
        assert abs(Fraction(float(got)) - exact) <= tol, (got, float(exact))


@SETTINGS
@given(
    d=hnp.arrays(np.float64, st.integers(1, 300), elements=floats(-2.0, 2.0)),
    t=floats(-1.0, 1.0),
)
def test_taylor_polynomial_of_any_degree_is_the_exact_sum(d, t):
    """Horner with t / (k + 1): the exact rational sum to rounding, for degrees past 170."""
    exact, size, term = Fraction(0), Fraction(0), Fraction(1)
    for k, dk in enumerate(d):
        if k:
            term = term * Fraction(t) / k
        exact, size = exact + Fraction(dk) * term, size + abs(Fraction(dk) * term)
    got = calculus.taylor_polynomial(d, 0.0, t)
    tol = size * Fraction(8 * float(np.finfo(float).eps)) + Fraction(1e-310)  # subnormal terms
    assert abs(Fraction(float(got)) - exact) <= tol, (got, float(exact))


# ----------------------------------------------------------------------------- the bugs
# Each of these failed on the code before the fix (OverflowError, RuntimeWarning or NaN).


def test_taylor_polynomial_of_degree_199_is_e_to_the_half():
    """Before: OverflowError (int too large to convert to float) from forming 171!."""
    assert calculus.taylor_polynomial(np.ones(200), 0.0, 0.5) == pytest.approx(math.exp(0.5), 1e-15)


@pytest.mark.parametrize("x", [MAX, -MAX])
def test_differences_at_the_largest_float(x):
    """Before: x + h overflowed (a RuntimeWarning, then NaN); now one-sided, inward."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert calculus.derivative(lambda v: v, x) == 1.0
        assert calculus.forward_difference(lambda v: v, x) == 1.0
        assert calculus.gradient(np.sum, [x]).tolist() == [1.0]
        assert calculus.jacobian(lambda v: v / 2, [x]).tolist() == [[0.5]]
        assert calculus.hessian(np.sum, [x]).tolist() == [[0.0]]


def test_trapezoid_of_two_huge_samples():
    """Before: 'overflow encountered in add' (1e308 + 1e308); the integral is 1e308."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert calculus.trapezoid([1e308, 1e308]) == 1e308
        assert calculus.trapezoid([0.5, 0.5], [-1e308, 1e308]) == 1e308  # the width overflows
        assert calculus.trapezoid([0.5, 0.5], dx=MAX) == pytest.approx(MAX / 2, 1e-15)


def test_simpson_and_integrate_on_tiny_spacings():
    """Before: h0 * h1 underflowed to 0, 'invalid value encountered in divide'."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert calculus.simpson([1.0, 1.0, 1.0], dx=1e-200) == pytest.approx(2e-200, 1e-15)
        assert calculus.integrate(np.cos, 0.0, 1e-200) == pytest.approx(1e-200, 1e-15)


def test_a_bool_step_is_refused():
    """Before: h=True was taken as 1.0 and h=False gave 'h must be positive ... got 0.0'."""
    with pytest.raises(TypeError, match=r"^derivative: h must be a positive real number"):
        calculus.derivative(np.sin, 1.0, True)
