"""mathdl.testing and mathdl.progress: the helpers every other test leans on.

* ``BAD`` -- every public helper with wrong types and values: each case names the exception
  class and the start of the message, ``"func: arg ..."``. A failed comparison is an
  AssertionError whose message starts with the quantity's ``name``, as in torch.testing.
* ``EXTREME`` -- mixed dtypes, integers that wrap when subtracted, infinities, NaN, 0-d,
  empty, complex, subnormal and huge values, torch tensors (CPU) and mathdl Tensors;
  compared with ``torch.testing.assert_close`` where torch has the same notion.

The module is used as ``T.name`` so that this file also runs (and fails clearly) against
older versions of mathdl.testing that lack some helpers.
"""

import contextlib
import io
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import SETTINGS, floats

import mathdl.testing as T
from mathdl import nn
from mathdl.autodiff import Tensor
from mathdl.progress import progress

RAGGED = [[1.0], [1.0, 2.0]]
F64 = torch.float64
MAX = float(np.finfo(np.float64).max)


class Custom(nn.Module):
    """A layer with no torch counterpart."""

    def forward(self, x):
        return x


def ret(value):
    """A function that returns ``value`` whatever it is given."""
    return lambda *args: value


def cwt(*args, **kwargs):
    """compare_with_torch on x -> sum(x * x), with the arguments changed as given."""
    f = lambda x: (x * x).sum()  # noqa: E731 -- the same on mathdl and torch tensors
    call = {"f": f, "f_torch": f, "arrays": [[1.0, 2.0]]} | kwargs
    return T.compare_with_torch(
        call.pop("f"), call.pop("f_torch"), call.pop("arrays"), *args, **call
    )


def ac(actual, expected, **kwargs):
    return T.assert_close(actual, expected, **kwargs)


def gen():
    """A generator: iterable, without len()."""
    yield from range(3)


# ----------------------------------------------------------------------------- bad inputs
# (id, call, exception, start of the message)

BAD = [
    # to_numpy(x)
    ("to_numpy str", lambda: T.to_numpy("abc"), TypeError, r"^to_numpy: x must be numbers"),
    ("to_numpy None", lambda: T.to_numpy(None), TypeError, r"^to_numpy: x must be numbers"),
    ("to_numpy object", lambda: T.to_numpy(object()), TypeError, r"^to_numpy: x must be numbers"),
    ("to_numpy dict", lambda: T.to_numpy({"a": 1}), TypeError, r"^to_numpy: x must be numbers"),
    ("to_numpy strs", lambda: T.to_numpy(["a", "b"]), TypeError, r"^to_numpy: x must be numbers"),
    ("to_numpy ragged", lambda: T.to_numpy(RAGGED), ValueError, r"^to_numpy: x is not a rectang"),
    # to_torch(x, device, requires_grad)
    ("to_torch str", lambda: T.to_torch("abc"), TypeError, r"^to_torch: x must be numbers"),
    ("to_torch None", lambda: T.to_torch(None), TypeError, r"^to_torch: x must be numbers"),
    ("to_torch ragged", lambda: T.to_torch(RAGGED), ValueError, r"^to_torch: x is not a rectang"),
    ("to_torch object", lambda: T.to_torch([object()]), TypeError, r"^to_torch: x must be numbers"),
    ("to_torch float128", lambda: T.to_torch(np.longdouble([1])), TypeError, r"^to_torch: x of "),
    (
        "to_torch grad int",
        lambda: T.to_torch([1, 2], requires_grad=True),
        TypeError,
        r"^to_torch: x",
    ),
    (
        "to_torch grad str",
        lambda: T.to_torch([1.0], requires_grad="no"),
        TypeError,
        r"^to_torch: r",
    ),
    ("to_torch grad 1", lambda: T.to_torch([1.0], requires_grad=1), TypeError, r"^to_torch: requi"),
    (
        "to_torch device gpu",
        lambda: T.to_torch([1.0], "gpu"),
        ValueError,
        r"^to_torch: device must",
    ),
    ("to_torch device int", lambda: T.to_torch([1.0], 3), TypeError, r"^to_torch: device must be"),
    ("to_torch device None", lambda: T.to_torch([1.0], None), TypeError, r"^to_torch: device must"),
    ("to_torch cuda:99", lambda: T.to_torch([1.0], "cuda:99"), ValueError, r"^to_torch: device 'c"),
    # torch_copy(module, device)
    ("torch_copy int", lambda: T.torch_copy(3), TypeError, r"^torch_copy: module must be a mathdl"),
    ("torch_copy str", lambda: T.torch_copy("Linear"), TypeError, r"^torch_copy: module must be"),
    ("torch_copy custom", lambda: T.torch_copy(Custom()), TypeError, r"^torch_copy: module contai"),
    (
        "torch_copy nested",
        lambda: T.torch_copy(nn.Sequential(nn.ReLU(), Custom())),
        TypeError,
        r"^torch_copy: module contains Custom, which has no torch counterpart",
    ),
    ("torch_copy device", lambda: T.torch_copy(nn.ReLU(), "tpu0"), ValueError, r"^torch_copy: dev"),
    # compare_with_torch(f, f_torch, arrays, device, rtol, atol, grad_atol, seed, arrays_too)
    ("cwt f str", lambda: cwt(f="f"), TypeError, r"^compare_with_torch: f must be callable"),
    ("cwt f_torch None", lambda: cwt(f_torch=None), TypeError, r"^compare_with_torch: f_torch m"),
    ("cwt arrays float", lambda: cwt(arrays=3.0), TypeError, r"^compare_with_torch: arrays must"),
    ("cwt arrays ndarray", lambda: cwt(arrays=np.ones(2)), TypeError, r"^compare_with_torch: arr"),
    ("cwt arrays str", lambda: cwt(arrays=["a"]), TypeError, r"^compare_with_torch: arrays\[0\] "),
    ("cwt arrays ragged", lambda: cwt(arrays=[RAGGED]), ValueError, r"^compare_with_torch: arra"),
    ("cwt arrays cplx", lambda: cwt(arrays=[[1j]]), TypeError, r"^compare_with_torch: arrays\[0"),
    ("cwt device", lambda: cwt("gpu"), ValueError, r"^compare_with_torch: device must be a torch"),
    ("cwt rtol <0", lambda: cwt(rtol=-1.0), ValueError, r"^compare_with_torch: rtol must be >= 0"),
    ("cwt rtol str", lambda: cwt(rtol="x"), TypeError, r"^compare_with_torch: rtol must be a real"),
    ("cwt atol nan", lambda: cwt(atol=np.nan), ValueError, r"^compare_with_torch: atol must be a"),
    ("cwt grad_atol <0", lambda: cwt(grad_atol=-1.0), ValueError, r"^compare_with_torch: grad_ato"),
    ("cwt seed <0", lambda: cwt(seed=-1), ValueError, r"^compare_with_torch: seed must be >= 0"),
    ("cwt seed float", lambda: cwt(seed=1.5), TypeError, r"^compare_with_torch: seed must be an"),
    ("cwt arrays_too", lambda: cwt(arrays_too="no"), TypeError, r"^compare_with_torch: arrays_too"),
    ("cwt f out array", lambda: cwt(f=ret(np.ones(1))), TypeError, r"^compare_with_torch: f retur"),
    (
        "cwt f_torch out",
        lambda: cwt(f_torch=ret(1.0)),
        TypeError,
        r"^compare_with_torch: f_torch r",
    ),
    # max_error(actual, expected)
    ("max_error str", lambda: T.max_error("a", [1.0]), TypeError, r"^max_error: actual must be nu"),
    (
        "max_error None",
        lambda: T.max_error([1.0], None),
        TypeError,
        r"^max_error: expected must be",
    ),
    (
        "max_error object",
        lambda: T.max_error([None], [1]),
        TypeError,
        r"^max_error: actual must be",
    ),
    (
        "max_error ragged",
        lambda: T.max_error(RAGGED, [1]),
        ValueError,
        r"^max_error: actual is not",
    ),
    (
        "max_error shapes",
        lambda: T.max_error(np.ones(2), np.ones(3)),
        ValueError,
        r"^max_error: actual has shape \(2,\) but expected has shape \(3,\)",
    ),
    ("max_error no bcast", lambda: T.max_error(np.ones(3), 1.0), ValueError, r"^max_error: actua"),
    # assert_close(actual, expected, rtol, atol, name, equal_nan): refusals
    ("ac actual str", lambda: ac("a", [1.0]), TypeError, r"^assert_close: actual must be numbers"),
    ("ac expected None", lambda: ac([1.0], None), TypeError, r"^assert_close: expected must be n"),
    ("ac ragged", lambda: ac([1.0], RAGGED), ValueError, r"^assert_close: expected is not a rect"),
    ("ac rtol <0", lambda: ac(1.0, 1.0, rtol=-1.0), ValueError, r"^assert_close: rtol must be >= "),
    ("ac rtol str", lambda: ac(1.0, 1.0, rtol="x"), TypeError, r"^assert_close: rtol must be a re"),
    ("ac rtol nan", lambda: ac(1.0, 1.0, rtol=np.nan), ValueError, r"^assert_close: rtol must be"),
    ("ac rtol bool", lambda: ac(1.0, 1.0, rtol=True), TypeError, r"^assert_close: rtol must be a"),
    ("ac atol <0", lambda: ac(1.0, 1.0, atol=-1e-3), ValueError, r"^assert_close: atol must be >="),
    ("ac atol inf", lambda: ac(1.0, 1.0, atol=np.inf), ValueError, r"^assert_close: atol must be"),
    (
        "ac atol arr <0",
        lambda: ac([1, 1], [1, 1], atol=[1, -1]),
        ValueError,
        r"^assert_close: atol",
    ),
    (
        "ac atol shape",
        lambda: ac([1, 1], [1, 1], atol=[1, 1, 1]),
        ValueError,
        r"^assert_close: ato",
    ),
    (
        "ac atol str",
        lambda: ac(1.0, 1.0, atol="0"),
        TypeError,
        r"^assert_close: atol must be a rea",
    ),
    ("ac name int", lambda: ac(1.0, 1.0, name=3), TypeError, r"^assert_close: name must be a str"),
    ("ac equal_nan str", lambda: ac(1.0, 1.0, equal_nan="no"), TypeError, r"^assert_close: equal_"),
    # assert_close: failed checks (AssertionError, the message starts with the name)
    ("ac shapes", lambda: ac(np.ones(2), np.ones(3)), AssertionError, r"^value: shape \(2,\) diff"),
    ("ac no broadcast", lambda: ac(np.ones(3), 1.0), AssertionError, r"^value: shape \(3,\) diff"),
    ("ac differ", lambda: ac([1.0, 2.0], [1.0, 3.0], name="y"), AssertionError, r"^y: 1 of 2 ele"),
    ("ac inf vs -inf", lambda: ac([np.inf], [-np.inf]), AssertionError, r"^value: 1 of 1 elements"),
    ("ac 1 vs inf", lambda: ac([1.0], [np.inf], rtol=1.0), AssertionError, r"^value: 1 of 1 eleme"),
    ("ac max vs inf", lambda: ac(MAX, np.inf, rtol=0.5), AssertionError, r"^value: 1 of 1 element"),
    ("ac nan vs nan", lambda: ac([np.nan], [np.nan]), AssertionError, r"^value: 1 of 1 elements"),
    ("ac nan vs 1", lambda: ac(np.nan, 1.0, equal_nan=True), AssertionError, r"^value: 1 of 1 ele"),
    ("ac 0-d", lambda: ac(1.0, 2.0), AssertionError, r"^value: 1 of 1 elements .* index \(\): "),
    ("ac int wrap", lambda: ac(np.uint8([0]), np.uint8([255])), AssertionError, r"^value: 1 of 1"),
    (
        "ac complex",
        lambda: ac([1 + 1j], [1 - 1j], name="z"),
        AssertionError,
        r"^z: 1 of 1 elements .* index \(0,\): \(1\+1j\) vs expected \(1-1j\)$",
    ),
    # progress(iterable, desc, total, updates)
    ("progress iterable", lambda: progress(5, "x"), TypeError, r"^progress: iterable must be iter"),
    (
        "progress no len",
        lambda: progress(gen(), "x"),
        TypeError,
        r"^progress: iterable \(generator",
    ),
    (
        "progress desc int",
        lambda: progress(range(3), 3),
        TypeError,
        r"^progress: desc must be a str",
    ),
    ("progress desc None", lambda: progress(range(3), None), TypeError, r"^progress: desc must be"),
    ("progress total str", lambda: progress(range(3), "x", "3"), TypeError, r"^progress: total mu"),
    (
        "progress total <0",
        lambda: progress(range(3), "x", -1),
        ValueError,
        r"^progress: total must",
    ),
    ("progress total 2.5", lambda: progress(range(3), "x", 2.5), TypeError, r"^progress: total mu"),
    (
        "progress updates 0",
        lambda: progress(range(3), "x", updates=0),
        ValueError,
        r"^progress: up",
    ),
    (
        "progress upd bool",
        lambda: progress(range(3), "x", updates=True),
        TypeError,
        r"^progress: u",
    ),
    ("progress upd str", lambda: progress(range(3), "x", updates="5"), TypeError, r"^progress: up"),
]


@pytest.mark.parametrize(("call", "error", "match"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------------------- extremes
# (id, call, expected, rtol, atol): expected is a thunk; results are numbers or booleans.


def case(name, call, expected, rtol=0.0, atol=0.0):
    return name, call, expected, rtol, atol


def torch_passes(actual, expected, **kwargs):
    """Whether torch.testing.assert_close accepts the pair (float64, no dtype check)."""
    try:
        torch.testing.assert_close(
            torch.as_tensor(np.asarray(actual)),
            torch.as_tensor(np.asarray(expected)),
            check_dtype=False,
            **kwargs,
        )
    except AssertionError:
        return False
    return True


def ours_passes(actual, expected, **kwargs):
    """Whether our assert_close accepts the pair."""
    try:
        T.assert_close(actual, expected, **kwargs)
    except AssertionError:
        return False
    return True


def printed(iterable, desc, **kwargs):
    """What ``progress`` prints for a whole loop."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for _ in progress(iterable, desc, **kwargs):
            pass
    return out.getvalue()


UPDATES = (  # two items, redrawn at every count, then closed
    "\ru:   0%|                    | 0/2\ru:  50%|██████████          | 1/2"
    "\ru: 100%|████████████████████| 2/2\ru: 100%|████████████████████| 2/2\n"
)
BF16 = torch.tensor([1.5, -2.0], dtype=torch.bfloat16)
GRAD = torch.tensor([1.0, 2.0], dtype=F64, requires_grad=True)
VIEW = np.arange(12.0).reshape(3, 4)[:, ::2].T  # (2, 3), not contiguous
PAIRS = [  # (actual, expected, rtol, atol): the same verdict as torch.testing.assert_close
    ([np.inf], [np.inf], 0.0, 0.0),
    ([np.inf], [-np.inf], 1.0, 1.0),
    ([1.0], [np.inf], 1.0, 1.0),
    ([np.nan], [np.nan], 1.0, 1.0),
    ([1.0, 2.0], [1.0, 2.0 + 1e-11], 1e-10, 0.0),
    ([1.0, 2.0], [1.0, 2.0 + 1e-9], 1e-10, 0.0),
    ([0.0], [1e-13], 0.0, 1e-12),
    ([5e-324], [0.0], 0.0, 0.0),
    ([MAX], [-MAX], 1.0, 0.0),
    ([1 + 1j], [1 + 1j + 1e-12], 1e-10, 0.0),
    (np.empty((0, 3)), np.empty((0, 3)), 0.0, 0.0),
]

EXTREME = [
    # max_error: integers are cast before subtracting (uint8 0 - 1 was 255 in ffc157b)
    case("max_error uint8", lambda: T.max_error(np.uint8([0]), np.uint8([1])), lambda: 1.0),
    case("max_error int64 wrap", lambda: T.max_error([2**62], [-(2**62)]), lambda: 2.0**63),
    case("max_error bool", lambda: T.max_error([True, False], [False, False]), lambda: 1.0),
    case("max_error mixed", lambda: T.max_error(np.float32([0.5]), [0.25]), lambda: 0.25),
    case("max_error int vs float", lambda: T.max_error([1, 2], [1.5, 2.0]), lambda: 0.5),
    case("max_error Tensor", lambda: T.max_error(Tensor([1.0, 2.0]), [1.0, 2.5]), lambda: 0.5),
    case(
        "max_error torch",
        lambda: T.max_error(torch.tensor([1.0, 3.0], dtype=F64), [1, 2]),
        lambda: 1.0,
    ),
    case("max_error grad tensor", lambda: T.max_error(GRAD, [1.0, 2.0]), lambda: 0.0),
    case("max_error bfloat16", lambda: T.max_error(BF16, [1.5, -2.0]), lambda: 0.0),
    case(
        "max_error inf inf", lambda: T.max_error([np.inf, -np.inf], [np.inf, -np.inf]), lambda: 0.0
    ),
    case("max_error inf -inf", lambda: T.max_error([np.inf], [-np.inf]), lambda: np.inf),
    case("max_error overflow", lambda: T.max_error([MAX], [-MAX]), lambda: np.inf),
    case("max_error nan", lambda: T.max_error([np.nan, 1.0], [1.0, 1.0]), lambda: np.nan),
    case("max_error subnormal", lambda: T.max_error([5e-324], [0.0]), lambda: 5e-324),
    case("max_error 0-d", lambda: T.max_error(1.0, np.array(3.0)), lambda: 2.0),
    case("max_error empty", lambda: T.max_error(np.empty((0, 2)), np.empty((0, 2))), lambda: 0.0),
    case("max_error complex", lambda: T.max_error([1 + 1j], [1 - 1j]), lambda: 2.0),
    case("max_error cplx/real", lambda: T.max_error([3 + 4j], [0.0]), lambda: 5.0),
    case("max_error view", lambda: T.max_error(VIEW, VIEW.copy() + 1), lambda: 1.0),
    # assert_close: the same verdicts as torch.testing.assert_close, any dtypes
    *(
        case(
            f"ac pair {i} like torch",
            lambda a=a, e=e, r=r, t=t: ours_passes(a, e, rtol=r, atol=t),
            lambda a=a, e=e, r=r, t=t: torch_passes(a, e, rtol=r, atol=t),
        )
        for i, (a, e, r, t) in enumerate(PAIRS)
    ),
    case("ac inf inf", lambda: T.assert_close([np.inf], [np.inf]), lambda: 0.0),
    case("ac inf inf rtol 0", lambda: T.assert_close([-np.inf], [-np.inf], rtol=0.0), lambda: 0.0),
    case(
        "ac equal_nan",
        lambda: T.assert_close([np.nan, 1], [np.nan, 1], equal_nan=True),
        lambda: 0.0,
    ),
    case("ac mixed dtypes", lambda: T.assert_close(np.float32([0.5]), [0.5]), lambda: 0.0),
    case("ac ints", lambda: T.assert_close(np.uint8([3]), np.int64([3])), lambda: 0.0),
    case("ac 0-d", lambda: T.assert_close(np.float64(2.0), 2.0), lambda: 0.0),
    case("ac empty", lambda: T.assert_close([], np.empty(0)), lambda: 0.0),
    case("ac complex", lambda: T.assert_close([1j], [1j + 1e-12], rtol=1e-10), lambda: 1e-12, 1e-3),
    case(
        "ac torch vs numpy",
        lambda: T.assert_close(torch.ones(2, dtype=F64), np.ones(2)),
        lambda: 0.0,
    ),
    case(
        "ac Tensor",
        lambda: T.assert_close(Tensor([2.0]), torch.tensor([2.0], dtype=F64)),
        lambda: 0.0,
    ),
    case(
        "ac atol array",
        lambda: T.assert_close([1, 2], [1.5, 2], rtol=0, atol=[0.5, 0]),
        lambda: 0.5,
    ),
    case("ac returns max", lambda: T.assert_close([1.0, 2.0], [1.0, 2.5], atol=0.5), lambda: 0.5),
    case(
        "ac huge",
        lambda: T.assert_close([MAX], [np.nextafter(MAX, 0)], rtol=1e-15),
        lambda: 2.0**971,
    ),
    # to_numpy / to_torch: dtypes kept (or widened exactly), any layout
    case("to_numpy bfloat16", lambda: T.to_numpy(BF16).dtype == np.float32, lambda: True),
    case("to_numpy bfloat16 values", lambda: T.to_numpy(BF16), lambda: [1.5, -2.0]),
    case("to_numpy conj", lambda: T.to_numpy(torch.tensor([1 + 2j]).conj()), lambda: [1 - 2j]),
    case("to_numpy requires_grad", lambda: T.to_numpy(GRAD), lambda: [1.0, 2.0]),
    case("to_numpy Tensor", lambda: T.to_numpy(Tensor([[1.0, 2.0]])), lambda: [[1.0, 2.0]]),
    case("to_numpy bools", lambda: T.to_numpy([True, False]).dtype == bool, lambda: True),
    case(
        "to_torch float32", lambda: T.to_torch(np.float32([1])).dtype == torch.float32, lambda: True
    ),
    case("to_torch ints", lambda: T.to_torch([1, 2]).dtype == torch.int64, lambda: True),
    case("to_torch float", lambda: T.to_torch(0.5).dtype == F64, lambda: True),
    case("to_torch 0-d", lambda: T.to_torch(np.array(3.0)).shape == (), lambda: True),
    case("to_torch empty", lambda: tuple(T.to_torch(np.empty((0, 2))).shape), lambda: (0, 2)),
    case("to_torch view", lambda: T.to_numpy(T.to_torch(VIEW)), lambda: VIEW),
    case(
        "to_torch grad", lambda: T.to_torch([1.0], requires_grad=True).requires_grad, lambda: True
    ),
    case(
        "to_torch device obj",
        lambda: T.to_torch([1.0], torch.device("cpu")).device.type == "cpu",
        lambda: True,
    ),
    case("to_torch Tensor", lambda: T.to_numpy(T.to_torch(Tensor([4.0]))), lambda: [4.0]),
    case(
        "to_torch subnormal", lambda: T.to_numpy(T.to_torch([5e-324, MAX])), lambda: [5e-324, MAX]
    ),
    # torch_copy, compare_with_torch
    case(
        "torch_copy float32",
        lambda: (
            T.torch_copy(nn.Linear(2, 3, rng=0, dtype=np.float32)).weight.dtype == torch.float32
        ),
        lambda: True,
    ),
    case(
        "torch_copy values",
        lambda: T.max_error(
            T.torch_copy(nn.Linear(2, 3, rng=0)).weight, nn.Linear(2, 3, rng=0).weight
        ),
        lambda: 0.0,
    ),
    case("cwt exact", lambda: cwt(), lambda: 0.0),
    case("cwt 0-d input", lambda: cwt(arrays=[2.0]), lambda: 0.0),
    case("cwt empty input", lambda: cwt(arrays=[np.empty(0)]), lambda: 0.0),
    case("cwt ints", lambda: cwt(arrays=[[1, 2]]), lambda: 0.0),
    case(
        "cwt constant",
        lambda: cwt(f=ret(Tensor(1.0)), f_torch=ret(torch.tensor(1.0, dtype=F64))),
        lambda: 0.0,
    ),
    case("available_devices", lambda: T.available_devices()[0] == "cpu", lambda: True),
    # progress: deterministic text for empty loops, generators with a total, many updates
    case(
        "progress empty",
        lambda: printed(range(0), "e").endswith("e:   0%|                    | 0/0\n"),
        lambda: True,
    ),
    case(
        "progress generator", lambda: printed(gen(), "g", total=3).endswith("| 3/3\n"), lambda: True
    ),
    case("progress updates > n", lambda: printed(range(2), "u", updates=50) == UPDATES, lambda: 1),
    case(
        "progress repeatable",
        lambda: printed(range(7), "r") == printed(range(7), "r"),
        lambda: True,
    ),
]


def close(got, expected, rtol, atol):
    """Shapes equal; equal NaNs and infinities agree; else within the tolerances."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, f"shape {got.shape} != expected {expected.shape}"
    T.assert_close(got, expected, rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize(
    ("call", "expected", "rtol", "atol"), [c[1:] for c in EXTREME], ids=[c[0] for c in EXTREME]
)
def test_extreme(call, expected, rtol, atol):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        got = call()
    close(got, expected(), rtol, atol)


# ----------------------------------------------------------------------------- properties


VALUES = hnp.arrays(np.float64, st.integers(0, 6), elements=st.floats(allow_nan=True))


@SETTINGS
@given(a=VALUES, b=st.data(), rtol=floats(0.0, 1.0), atol=floats(0.0, 1.0))
def test_assert_close_agrees_with_torch(a, b, rtol, atol):
    """Any values, NaN and infinities included: our verdict is torch.testing's."""
    e = b.draw(hnp.arrays(np.float64, a.shape, elements=st.floats(allow_nan=True)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert ours_passes(a, e, rtol=rtol, atol=atol) == torch_passes(a, e, rtol=rtol, atol=atol)
        assert ours_passes(a, e, rtol=rtol, atol=atol, equal_nan=True) == torch_passes(
            a, e, rtol=rtol, atol=atol, equal_nan=True
        )


@SETTINGS
@given(
    dtype=st.sampled_from([np.int8, np.uint8, np.int16, np.uint32, np.int64, np.uint64, np.bool_]),
    data=st.data(),
)
def test_max_error_of_integers_is_exact(dtype, data):
    """Cast before subtracting: |a - e| as Python computes it, never wrapped around."""
    a, e = data.draw(hnp.arrays(dtype, 4)), data.draw(hnp.arrays(dtype, 4))
    expected = max(abs(float(x) - float(y)) for x, y in zip(a.tolist(), e.tolist(), strict=True))
    got = T.max_error(a, e)
    assert got == expected


# ----------------------------------------------------------------------------- the bugs
# Each failed on mathdl.testing as of ffc157b (before the shared torch helpers).


def test_max_error_casts_integers_before_subtracting():
    """ffc157b: uint8 0 - 1 wrapped to 255."""
    assert T.max_error(np.uint8([0]), np.uint8([1])) == 1.0


def test_max_error_accepts_mathdl_tensors():
    """ffc157b: AttributeError ('Tensor' object has no attribute 'cpu')."""
    assert T.max_error(Tensor([1.0, 2.0]), np.array([1.0, 2.5])) == 0.5


def test_assert_close_equal_infinities_agree():
    """ffc157b: inf - inf = NaN failed the check (torch.testing passes it)."""
    assert T.assert_close([np.inf, -np.inf], [np.inf, -np.inf]) == 0.0
    assert T.assert_close([np.inf], [np.inf], rtol=0.0) == 0.0  # HEAD: 0 * inf = NaN bound


def test_assert_close_an_infinity_agrees_with_nothing_else():
    """HEAD: |inf - (-inf)| <= rtol * inf held, so opposite infinities passed."""
    with pytest.raises(AssertionError, match=r"^value: 1 of 1 elements"):
        T.assert_close([np.inf], [-np.inf])
    with pytest.raises(AssertionError, match=r"^value: 1 of 1 elements"):
        T.assert_close([1.0], [np.inf])


# ----------------------------------------------------------------------------- devices


def test_helpers_on_every_device(device):
    """Round trips, comparisons and a gradient check on each device (CUDA where present)."""
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)[:, ::2]  # (2, 2), not contiguous
    t = T.to_torch(x, device, requires_grad=True)
    assert t.device.type == device and t.dtype == F64 and t.requires_grad
    np.testing.assert_array_equal(T.to_numpy(t), x)
    assert T.max_error(t, x) == 0.0 and T.assert_close(x, t * 1.0) == 0.0
    assert (
        T.max_error(
            T.torch_copy(nn.Linear(3, 2, rng=0), device).weight, nn.Linear(3, 2, rng=0).weight
        )
        == 0.0
    )
    assert (
        T.compare_with_torch(lambda a: (a * a).sum(), lambda a: (a * a).sum(), [x], device) == 0.0
    )


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present on this machine")
def test_cuda_absent_is_a_clear_error():
    with pytest.raises(ValueError, match=r"^to_torch: device 'cuda' is not available here; avail"):
        T.to_torch([1.0], "cuda")


def test_progress_in_the_book_build_prints_the_final_bar_once(monkeypatch):
    """MATHDL_WIDGETS=static: one line, what the live bar shows once its carriage returns run."""
    import contextlib
    import io
    import re

    def run():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            bar = progress(range(12), "train", updates=4)
            for i in bar:
                bar.set_postfix_str(f"loss {i}")
            print("after")
        return out.getvalue()

    monkeypatch.setenv("MATHDL_WIDGETS", "static")
    static = run()
    monkeypatch.setenv("MATHDL_WIDGETS", "live")
    live = run()
    assert static == "train: 100%|████████████████████| 12/12, loss 11\nafter\n"
    assert re.sub(r"[^\n]*\r(?=[^\n])", "", live) == static
