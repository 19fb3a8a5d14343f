"""mathdl.functional under bad and extreme input: clear refusals, torch's answers, no warnings.

Two tables drive this file, tinygrad style:

* ``BAD``: every public function x bad inputs (strings, None, objects, complex, ragged
  lists, wrong-typed and out-of-range arguments, NaN where finite is required). Each case
  must raise the named exception with a message that starts ``"func: arg "``.
* ``EXTREME``: every public function x extreme values (+-1e308, subnormals, +-inf, NaN,
  empty and 0-d arrays, views, ints, lists), in float64 and float32, on arrays and on
  Tensors: the values, dtype and gradients torch gives, and no RuntimeWarning.

:func:`bad_outcome` and :func:`extreme_outcome` classify one case ("clear error",
"correct result", "unclear error", "RuntimeWarning escaped", ...), so the same tables also
count how an older version of the module behaved.
"""

import math
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import SETTINGS

from mathdl import functional as F
from mathdl.autodiff import Tensor

GOOD = ("clear error", "correct result")

# ----------------------------------------------------------------------------- bad input

V, M, Y = np.zeros(3), np.zeros((2, 3)), np.array([0, 2])
P, S4 = np.full(3, 0.5), np.zeros((2, 3, 4))  # probabilities; a spatial (N, C, d1) input

# every way of passing something that is not a real array (value, exception)
NOT_REAL = {
    "str": ("a", TypeError),
    "bytes": (b"1", TypeError),
    "None": (None, TypeError),
    "object": (object(), TypeError),
    "dict": ({}, TypeError),
    "set": ({1.0}, TypeError),
    "complex": (1j, TypeError),
    "complex array": (np.array([1.0 + 0j, 2.0]), TypeError),
    "str array": (np.array(["1", "2"]), TypeError),
    "object array": (np.array([1.0, None], dtype=object), TypeError),
    "datetime array": (np.array(["2020-01-01"], dtype="datetime64[D]"), TypeError),
    "huge int": (10**400, TypeError),
    "ragged": ([[1.0], [1.0, 2.0]], ValueError),
}

# (function, argument, the call with that argument replaced and every other one valid)
ARGUMENT_SLOTS = [
    ("relu", "input", lambda x: F.relu(x)),
    ("leaky_relu", "input", lambda x: F.leaky_relu(x)),
    ("sigmoid", "input", lambda x: F.sigmoid(x)),
    ("tanh", "input", lambda x: F.tanh(x)),
    ("gelu", "input", lambda x: F.gelu(x)),
    ("gelu", "input", lambda x: F.gelu(x, approximate="tanh")),
    ("erf", "input", lambda x: F.erf(x)),
    ("erfc", "input", lambda x: F.erfc(x)),
    ("softmax", "input", lambda x: F.softmax(x)),
    ("log_softmax", "input", lambda x: F.log_softmax(x, 0)),
    ("logsumexp", "input", lambda x: F.logsumexp(x, None)),
    ("mse_loss", "input", lambda x: F.mse_loss(x, V)),
    ("mse_loss", "target", lambda t: F.mse_loss(V, t)),
    ("huber_loss", "input", lambda x: F.huber_loss(x, V)),
    ("huber_loss", "target", lambda t: F.huber_loss(V, t)),
    ("cross_entropy", "input", lambda x: F.cross_entropy(x, Y)),
    ("cross_entropy", "target", lambda t: F.cross_entropy(M, t)),
    ("multi_margin_loss", "input", lambda x: F.multi_margin_loss(x, Y)),
    ("multi_margin_loss", "target", lambda t: F.multi_margin_loss(M, t)),
    ("multi_margin_loss", "weight", lambda w: F.multi_margin_loss(M, Y, weight=w)),
    ("cross_entropy", "weight", lambda w: F.cross_entropy(M, Y, weight=w)),
    ("nll_loss", "input", lambda x: F.nll_loss(x, Y)),
    ("nll_loss", "target", lambda t: F.nll_loss(M, t)),
    ("nll_loss", "weight", lambda w: F.nll_loss(M, Y, weight=w)),
    ("binary_cross_entropy", "input", lambda x: F.binary_cross_entropy(x, P)),
    ("binary_cross_entropy", "target", lambda t: F.binary_cross_entropy(P, t)),
    ("binary_cross_entropy", "weight", lambda w: F.binary_cross_entropy(P, P, weight=w)),
    (
        "binary_cross_entropy_with_logits",
        "input",
        lambda x: F.binary_cross_entropy_with_logits(x, P),
    ),
    (
        "binary_cross_entropy_with_logits",
        "target",
        lambda t: F.binary_cross_entropy_with_logits(V, t),
    ),
    (
        "binary_cross_entropy_with_logits",
        "weight",
        lambda w: F.binary_cross_entropy_with_logits(V, P, weight=w),
    ),
    (
        "binary_cross_entropy_with_logits",
        "pos_weight",
        lambda w: F.binary_cross_entropy_with_logits(V, P, pos_weight=w),
    ),
    ("kl_div", "input", lambda x: F.kl_div(x, P)),
    ("kl_div", "target", lambda t: F.kl_div(V, t)),
    ("cosine_similarity", "x1", lambda x: F.cosine_similarity(x, M)),
    ("cosine_similarity", "x2", lambda x: F.cosine_similarity(M, x)),
]

BAD = [
    (f"{func} {arg}={kind}", (lambda c=call, v=value: c(v)), error, f"^{func}: {arg} ")
    for func, arg, call in ARGUMENT_SLOTS
    for kind, (value, error) in NOT_REAL.items()
    if not (arg in ("weight", "pos_weight") and value is None)  # None is their default
] + [
    (f"{func} {arg}={what}", call, error, f"^{func}: {arg} ")
    for func, arg, what, error, call in [
        # (function, argument, what is wrong, exception, call)
        ("relu", "input", "[Tensor]", TypeError, lambda: F.relu([Tensor(1.0)])),
        ("leaky_relu", "negative_slope", "str", TypeError, lambda: F.leaky_relu(V, "no")),
        ("leaky_relu", "negative_slope", "None", TypeError, lambda: F.leaky_relu(V, None)),
        ("leaky_relu", "negative_slope", "bool", TypeError, lambda: F.leaky_relu(V, True)),
        ("leaky_relu", "negative_slope", "1j", TypeError, lambda: F.leaky_relu(V, 1j)),
        ("leaky_relu", "negative_slope", "list", TypeError, lambda: F.leaky_relu(V, [0.1])),
        ("leaky_relu", "negative_slope", "nan", ValueError, lambda: F.leaky_relu(V, np.nan)),
        ("leaky_relu", "negative_slope", "inf", ValueError, lambda: F.leaky_relu(V, np.inf)),
        ("gelu", "approximate", "fast", ValueError, lambda: F.gelu(V, "fast")),
        ("gelu", "approximate", "Tanh", ValueError, lambda: F.gelu(V, "Tanh")),
        ("gelu", "approximate", "None", TypeError, lambda: F.gelu(V, None)),
        ("gelu", "approximate", "bool", TypeError, lambda: F.gelu(V, True)),
        ("softmax", "dim", "2.5", TypeError, lambda: F.softmax(M, 2.5)),
        ("softmax", "dim", "1.0", TypeError, lambda: F.softmax(M, 1.0)),
        ("softmax", "dim", "None", TypeError, lambda: F.softmax(M, None)),
        ("softmax", "dim", "bool", TypeError, lambda: F.softmax(M, True)),
        ("softmax", "dim", "str", TypeError, lambda: F.softmax(M, "0")),
        ("softmax", "dim", "tuple", TypeError, lambda: F.softmax(M, (0, 1))),
        ("softmax", "dim", "2", ValueError, lambda: F.softmax(M, 2)),
        ("softmax", "dim", "-3", ValueError, lambda: F.softmax(M, -3)),
        ("softmax", "dim", "1 of 0-d", ValueError, lambda: F.softmax(2.0, 1)),
        ("log_softmax", "dim", "2.5", TypeError, lambda: F.log_softmax(M, 2.5)),
        ("log_softmax", "dim", "None", TypeError, lambda: F.log_softmax(M, None)),
        ("log_softmax", "dim", "str", TypeError, lambda: F.log_softmax(M, "1")),
        ("log_softmax", "dim", "2", ValueError, lambda: F.log_softmax(M, 2)),
        ("log_softmax", "dim", "-2 of 0-d", ValueError, lambda: F.log_softmax(1.0, -2)),
        ("logsumexp", "dim", "2.5", TypeError, lambda: F.logsumexp(M, 2.5)),
        ("logsumexp", "dim", "object", TypeError, lambda: F.logsumexp(M, object())),
        ("logsumexp", "dim", "str", TypeError, lambda: F.logsumexp(M, "0")),
        ("logsumexp", "dim", "bool", TypeError, lambda: F.logsumexp(M, True)),
        ("logsumexp", "dim", "(0, 1.0)", TypeError, lambda: F.logsumexp(M, (0, 1.0))),
        ("logsumexp", "dim", "(0, 0)", ValueError, lambda: F.logsumexp(M, (0, 0))),
        ("logsumexp", "dim", "[1, -1]", ValueError, lambda: F.logsumexp(M, [1, -1])),
        ("logsumexp", "dim", "()", ValueError, lambda: F.logsumexp(M, ())),
        ("logsumexp", "dim", "2", ValueError, lambda: F.logsumexp(M, 2)),
        ("logsumexp", "dim", "(0, 5)", ValueError, lambda: F.logsumexp(M, (0, 5))),
        ("logsumexp", "dim", "1 of 0-d", ValueError, lambda: F.logsumexp(1.0, 1)),
        ("logsumexp", "keepdim", "str", TypeError, lambda: F.logsumexp(M, 0, "no")),
        ("logsumexp", "keepdim", "1", TypeError, lambda: F.logsumexp(M, 0, 1)),
        ("logsumexp", "keepdim", "None", TypeError, lambda: F.logsumexp(M, 0, None)),
        ("mse_loss", "input", "shape", ValueError, lambda: F.mse_loss(V, M)),
        ("mse_loss", "input", "0-d vs (1,)", ValueError, lambda: F.mse_loss(1.0, [1.0])),
        ("mse_loss", "reduction", "avg", ValueError, lambda: F.mse_loss(V, V, "avg")),
        ("mse_loss", "reduction", "None", TypeError, lambda: F.mse_loss(V, V, None)),
        ("mse_loss", "reduction", "bool", TypeError, lambda: F.mse_loss(V, V, True)),
        ("huber_loss", "input", "shape", ValueError, lambda: F.huber_loss(M, V)),
        ("huber_loss", "reduction", "max", ValueError, lambda: F.huber_loss(V, V, "max")),
        ("huber_loss", "delta", "str", TypeError, lambda: F.huber_loss(V, V, delta="1")),
        ("huber_loss", "delta", "None", TypeError, lambda: F.huber_loss(V, V, delta=None)),
        ("huber_loss", "delta", "bool", TypeError, lambda: F.huber_loss(V, V, delta=True)),
        ("huber_loss", "delta", "0", ValueError, lambda: F.huber_loss(V, V, delta=0)),
        ("huber_loss", "delta", "-1", ValueError, lambda: F.huber_loss(V, V, delta=-1)),
        ("huber_loss", "delta", "nan", ValueError, lambda: F.huber_loss(V, V, delta=np.nan)),
        ("huber_loss", "delta", "inf", ValueError, lambda: F.huber_loss(V, V, delta=np.inf)),
        ("cross_entropy", "target", "(2,) of (C,)", ValueError, lambda: F.cross_entropy(V, [0, 1])),
        ("cross_entropy", "input", "0-d", ValueError, lambda: F.cross_entropy(1.0, 0)),
        ("cross_entropy", "target", "(2,) of 3-D", ValueError, lambda: F.cross_entropy(M[None], Y)),
        ("cross_entropy", "target", "C = 0", ValueError, lambda: F.cross_entropy(M[:, :0], Y)),
        ("cross_entropy", "target", "floats", TypeError, lambda: F.cross_entropy(M, [0.0, 1])),
        ("cross_entropy", "target", "bools", TypeError, lambda: F.cross_entropy(M, [True, False])),
        ("cross_entropy", "target", "probabilities (2, 4)", ValueError,
         lambda: F.cross_entropy(M, np.full((2, 4), 0.25))),
        ("cross_entropy", "target", "floats (3,)", ValueError, lambda: F.cross_entropy(M, V)),
        ("cross_entropy", "target", "ints of the input's shape", TypeError,
         lambda: F.cross_entropy(M, np.zeros((2, 3), int))),
        ("cross_entropy", "target", "bools of the input's shape", TypeError,
         lambda: F.cross_entropy(M, M > 0)),
        ("cross_entropy", "target", "spatial batch 3", ValueError,
         lambda: F.cross_entropy(S4, np.zeros((3, 4), int))),
        ("cross_entropy", "target", "spatial (2, 5)", ValueError,
         lambda: F.cross_entropy(S4, np.zeros((2, 5), int))),
        ("cross_entropy", "target", "spatial (2,)", ValueError,
         lambda: F.cross_entropy(S4, np.zeros(2, int))),
        ("cross_entropy", "target", "spatial 3", ValueError,
         lambda: F.cross_entropy(S4, np.full((2, 4), 3))),
        ("cross_entropy", "target", "unbatched 3", ValueError, lambda: F.cross_entropy(V, 3)),
        ("cross_entropy", "target", "unbatched -1", ValueError, lambda: F.cross_entropy(V, -1)),
        ("cross_entropy", "target", "-100 not ignored", ValueError,
         lambda: F.cross_entropy(M, [0, -100], ignore_index=1)),
        ("cross_entropy", "weight", "(2,)", ValueError, lambda: F.cross_entropy(M, Y, [1.0, 2.0])),
        ("cross_entropy", "weight", "(1, 3)", ValueError,
         lambda: F.cross_entropy(M, Y, np.ones((1, 3)))),
        ("cross_entropy", "weight", "(4,) spatial", ValueError,
         lambda: F.cross_entropy(S4, np.zeros((2, 4), int), np.ones(4))),
        ("cross_entropy", "weight", "(2,) probabilities", ValueError,
         lambda: F.cross_entropy(M, M, np.ones(2))),
        ("cross_entropy", "weight", "requires_grad", ValueError,
         lambda: F.cross_entropy(M, Y, Tensor(np.ones(3), requires_grad=True))),
        ("cross_entropy", "ignore_index", "1.0", TypeError,
         lambda: F.cross_entropy(M, Y, ignore_index=1.0)),
        ("cross_entropy", "ignore_index", "None", TypeError,
         lambda: F.cross_entropy(M, Y, ignore_index=None)),
        ("cross_entropy", "ignore_index", ">= 0 with probabilities", ValueError,
         lambda: F.cross_entropy(M, M, ignore_index=0)),
        ("cross_entropy", "reduction", "batchmean", ValueError,
         lambda: F.cross_entropy(M, Y, reduction="batchmean")),
        ("cross_entropy", "reduction", "None", TypeError,
         lambda: F.cross_entropy(M, Y, reduction=None)),
        ("cross_entropy", "reduction", "avg probabilities", ValueError,
         lambda: F.cross_entropy(M, M, reduction="avg")),
        ("cross_entropy", "label_smoothing", "1.5", ValueError,
         lambda: F.cross_entropy(M, Y, label_smoothing=1.5)),
        ("cross_entropy", "label_smoothing", "-0.1", ValueError,
         lambda: F.cross_entropy(M, Y, label_smoothing=-0.1)),
        ("cross_entropy", "label_smoothing", "nan", ValueError,
         lambda: F.cross_entropy(M, Y, label_smoothing=np.nan)),
        ("cross_entropy", "label_smoothing", "str", TypeError,
         lambda: F.cross_entropy(M, Y, label_smoothing="0.1")),
        ("cross_entropy", "label_smoothing", "2 probabilities", ValueError,
         lambda: F.cross_entropy(M, M, label_smoothing=2.0)),
        ("nll_loss", "input", "0-d", ValueError, lambda: F.nll_loss(1.0, 0)),
        ("nll_loss", "target", "floats", TypeError, lambda: F.nll_loss(M, [0.0, 1.0])),
        ("nll_loss", "target", "probabilities", TypeError, lambda: F.nll_loss(M, M)),
        ("nll_loss", "target", "(3,)", ValueError, lambda: F.nll_loss(M, [0, 1, 2])),
        ("nll_loss", "target", "-1", ValueError, lambda: F.nll_loss(M, [0, -1])),
        ("nll_loss", "target", "3", ValueError, lambda: F.nll_loss(M, [3, 0])),
        ("nll_loss", "target", "spatial (2, 5)", ValueError,
         lambda: F.nll_loss(S4, np.zeros((2, 5), int))),
        ("nll_loss", "weight", "(2,)", ValueError, lambda: F.nll_loss(M, Y, [1.0, 2.0])),
        ("nll_loss", "weight", "requires_grad", ValueError,
         lambda: F.nll_loss(M, Y, Tensor(np.ones(3), requires_grad=True))),
        ("nll_loss", "ignore_index", "str", TypeError, lambda: F.nll_loss(M, Y, ignore_index="a")),
        ("nll_loss", "reduction", "avg", ValueError, lambda: F.nll_loss(M, Y, reduction="avg")),
        ("binary_cross_entropy", "input", "1.5", ValueError,
         lambda: F.binary_cross_entropy([0.5, 1.5], [1.0, 1.0])),
        ("binary_cross_entropy", "input", "-0.1", ValueError,
         lambda: F.binary_cross_entropy([-0.1], [1.0])),
        ("binary_cross_entropy", "input", "nan", ValueError,
         lambda: F.binary_cross_entropy([np.nan], [1.0])),
        ("binary_cross_entropy", "input", "logits 1e4", ValueError,
         lambda: F.binary_cross_entropy(np.array([1e4]), [1.0])),
        ("binary_cross_entropy", "target", "1.5", ValueError,
         lambda: F.binary_cross_entropy(P, [0.0, 1.5, 1.0])),
        ("binary_cross_entropy", "target", "-1", ValueError,
         lambda: F.binary_cross_entropy(P, [0.0, -1.0, 1.0])),
        ("binary_cross_entropy", "input", "shape", ValueError,
         lambda: F.binary_cross_entropy(P, [1.0])),
        ("binary_cross_entropy", "weight", "(4,)", ValueError,
         lambda: F.binary_cross_entropy(P, P, weight=np.ones(4))),
        ("binary_cross_entropy", "weight", "(2, 3)", ValueError,
         lambda: F.binary_cross_entropy(P, P, weight=np.ones((2, 3)))),
        ("binary_cross_entropy", "weight", "requires_grad", ValueError,
         lambda: F.binary_cross_entropy(P, P, weight=Tensor(np.ones(3), requires_grad=True))),
        ("binary_cross_entropy", "reduction", "batchmean", ValueError,
         lambda: F.binary_cross_entropy(P, P, reduction="batchmean")),
        ("binary_cross_entropy_with_logits", "input", "shape", ValueError,
         lambda: F.binary_cross_entropy_with_logits(M, V)),
        ("binary_cross_entropy_with_logits", "weight", "(4,)", ValueError,
         lambda: F.binary_cross_entropy_with_logits(M, M, weight=np.ones(4))),
        ("binary_cross_entropy_with_logits", "pos_weight", "(2,)", ValueError,
         lambda: F.binary_cross_entropy_with_logits(M, M, pos_weight=np.ones(2))),
        ("binary_cross_entropy_with_logits", "pos_weight", "(2, 1) of (1, 2)", ValueError,
         lambda: F.binary_cross_entropy_with_logits(M[:1, :2], M[:1, :2], pos_weight=M[:, :1])),
        ("binary_cross_entropy_with_logits", "pos_weight", "requires_grad", ValueError,
         lambda: F.binary_cross_entropy_with_logits(
             M, M, pos_weight=Tensor(np.ones(3), requires_grad=True))),
        ("binary_cross_entropy_with_logits", "reduction", "None", TypeError,
         lambda: F.binary_cross_entropy_with_logits(M, M, reduction=None)),
        ("kl_div", "input", "shape", ValueError, lambda: F.kl_div(M, V)),
        ("kl_div", "reduction", "avg", ValueError, lambda: F.kl_div(V, P, reduction="avg")),
        ("kl_div", "reduction", "None", TypeError, lambda: F.kl_div(V, P, reduction=None)),
        ("kl_div", "log_target", "1", TypeError, lambda: F.kl_div(V, P, log_target=1)),
        ("kl_div", "log_target", "str", TypeError, lambda: F.kl_div(V, P, log_target="yes")),
        ("cross_entropy", "target", "float Tensor", TypeError,
         lambda: F.cross_entropy(M, Tensor([0.0, 1.0]))),
        ("cross_entropy", "target", "(3,)", ValueError, lambda: F.cross_entropy(M, [0, 1, 2])),
        ("cross_entropy", "target", "(2, 1)", ValueError, lambda: F.cross_entropy(M, [[0], [1]])),
        ("cross_entropy", "target", "[]", ValueError, lambda: F.cross_entropy(M, [])),
        ("cross_entropy", "target", "-1", ValueError, lambda: F.cross_entropy(M, [0, -1])),
        ("cross_entropy", "target", "3", ValueError, lambda: F.cross_entropy(M, [3, 0])),
        ("multi_margin_loss", "input", "3-D", ValueError, lambda: F.multi_margin_loss(M[None], Y)),
        ("multi_margin_loss", "input", "0-d", ValueError, lambda: F.multi_margin_loss(1.0, 0)),
        ("multi_margin_loss", "input", "C = 0", ValueError,
         lambda: F.multi_margin_loss(np.zeros(0), 0)),
        ("multi_margin_loss", "target", "floats", TypeError,
         lambda: F.multi_margin_loss(M, [0.0, 1])),
        ("multi_margin_loss", "target", "3", ValueError, lambda: F.multi_margin_loss(M, [0, 3])),
        ("multi_margin_loss", "target", "(1,)", ValueError, lambda: F.multi_margin_loss(M, [0])),
        ("multi_margin_loss", "p", "3", ValueError, lambda: F.multi_margin_loss(M, Y, p=3)),
        ("multi_margin_loss", "p", "2.0", TypeError, lambda: F.multi_margin_loss(M, Y, p=2.0)),
        ("multi_margin_loss", "p", "str", TypeError, lambda: F.multi_margin_loss(M, Y, p="1")),
        ("multi_margin_loss", "p", "bool", TypeError, lambda: F.multi_margin_loss(M, Y, p=True)),
        ("multi_margin_loss", "margin", "str", TypeError,
         lambda: F.multi_margin_loss(M, Y, margin="1")),
        ("multi_margin_loss", "margin", "None", TypeError,
         lambda: F.multi_margin_loss(M, Y, margin=None)),
        ("multi_margin_loss", "margin", "1j", TypeError,
         lambda: F.multi_margin_loss(M, Y, margin=1j)),
        ("multi_margin_loss", "margin", "bool", TypeError,
         lambda: F.multi_margin_loss(M, Y, margin=True)),
        ("multi_margin_loss", "margin", "nan", ValueError,
         lambda: F.multi_margin_loss(M, Y, margin=np.nan)),
        ("multi_margin_loss", "margin", "inf", ValueError,
         lambda: F.multi_margin_loss(M, Y, margin=np.inf)),
        ("multi_margin_loss", "weight", "(2,)", ValueError,
         lambda: F.multi_margin_loss(M, Y, weight=[1.0, 2.0])),
        ("multi_margin_loss", "weight", "0-d", ValueError,
         lambda: F.multi_margin_loss(M, Y, weight=1.0)),
        ("multi_margin_loss", "weight", "requires_grad", ValueError,
         lambda: F.multi_margin_loss(M, Y, weight=Tensor(np.ones(3), requires_grad=True))),
        ("multi_margin_loss", "reduction", "avg", ValueError,
         lambda: F.multi_margin_loss(M, Y, reduction="avg")),
        ("multi_margin_loss", "reduction", "None", TypeError,
         lambda: F.multi_margin_loss(M, Y, reduction=None)),
        ("cosine_similarity", "x1", "shape", ValueError,
         lambda: F.cosine_similarity(M, np.zeros((2, 4)))),
        ("cosine_similarity", "x1", "(3,) with (2, 1, 4)", ValueError,
         lambda: F.cosine_similarity(V, np.zeros((2, 1, 4)))),
        ("cosine_similarity", "dim", "2.5", TypeError, lambda: F.cosine_similarity(M, M, 2.5)),
        ("cosine_similarity", "dim", "1.0", TypeError, lambda: F.cosine_similarity(M, M, 1.0)),
        ("cosine_similarity", "dim", "None", TypeError, lambda: F.cosine_similarity(M, M, None)),
        ("cosine_similarity", "dim", "bool", TypeError, lambda: F.cosine_similarity(M, M, True)),
        ("cosine_similarity", "dim", "str", TypeError, lambda: F.cosine_similarity(M, M, "1")),
        ("cosine_similarity", "dim", "tuple", TypeError,
         lambda: F.cosine_similarity(M, M, (0, 1))),
        ("cosine_similarity", "dim", "2", ValueError, lambda: F.cosine_similarity(M, M, 2)),
        ("cosine_similarity", "dim", "-3", ValueError, lambda: F.cosine_similarity(M, M, -3)),
        ("cosine_similarity", "dim", "default 1 of 1-D", ValueError,
         lambda: F.cosine_similarity(V, V)),
        ("cosine_similarity", "dim", "1 of 0-d", ValueError,
         lambda: F.cosine_similarity(1.0, 2.0)),
        ("cosine_similarity", "eps", "str", TypeError,
         lambda: F.cosine_similarity(M, M, eps="1e-8")),
        ("cosine_similarity", "eps", "None", TypeError,
         lambda: F.cosine_similarity(M, M, eps=None)),
        ("cosine_similarity", "eps", "bool", TypeError,
         lambda: F.cosine_similarity(M, M, eps=True)),
        ("cosine_similarity", "eps", "1j", TypeError, lambda: F.cosine_similarity(M, M, eps=1j)),
        ("cosine_similarity", "eps", "list", TypeError,
         lambda: F.cosine_similarity(M, M, eps=[1e-8])),
        ("cosine_similarity", "eps", "nan", ValueError,
         lambda: F.cosine_similarity(M, M, eps=np.nan)),
        ("cosine_similarity", "eps", "-1", ValueError,
         lambda: F.cosine_similarity(M, M, eps=-1.0)),
    ]
]  # fmt: skip


def bad_outcome(call, error, pattern) -> tuple[str, str]:
    """(category, detail) of one bad call: "clear error" when ``error`` matches ``pattern``."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            result = call()
        except RuntimeWarning as w:
            return "RuntimeWarning escaped", str(w)
        except error as e:
            if re.match(pattern, str(e)):
                return "clear error", str(e)
            return "unclear error", f"{type(e).__name__}: {e}"
        except Exception as e:  # any exception is classified
            return "unclear error", f"{type(e).__name__}: {e}"
    return "bad input accepted", f"returned {result!r}"[:200]


@pytest.mark.parametrize(("case", "call", "error", "pattern"), BAD, ids=[c[0] for c in BAD])
def test_bad_input_is_refused_clearly(case, call, error, pattern):
    category, detail = bad_outcome(call, error, pattern)
    assert category == "clear error", f"{case}: {category}: {detail}"


def test_bad_battery_covers_every_public_function():
    named = {c[3][1:].split(":")[0] for c in BAD}
    assert named == set(F.__all__)


# ----------------------------------------------------------------------------- extreme values


def _flip(x):
    """``x`` reversed along every axis (a second operand for the pointwise losses)."""
    return x.flip(tuple(range(x.ndim))) if isinstance(x, torch.Tensor) else np.flip(x)


def _labels(n: int, c: int) -> np.ndarray:
    """Labels ``0, 1, ..., c - 1, 0, ...`` for ``n`` samples."""
    return np.arange(n) % max(c, 1)


def _hinge(reduction="mean", weighted=False, **options):
    """(ours, torch's) multi_margin_loss of one (N, C) input with fixed labels and weight.

    Torch leaves the reduced loss of an empty batch uninitialised; ours is nan for "mean"
    and 0 for "sum" (as torch's other losses), which is what the reference gives there.
    """

    def ours(x):
        n, c = x.shape
        w = np.linspace(0.5, 2.0, c) if weighted else None
        return F.multi_margin_loss(x, _labels(n, c), weight=w, reduction=reduction, **options)

    def theirs(x):
        n, c = x.shape
        if n == 0 and reduction != "none":
            return x.sum() * 0 + (math.nan if reduction == "mean" else 0.0)
        w = torch.linspace(0.5, 2.0, c, dtype=x.dtype) if weighted else None
        y = torch.as_tensor(_labels(n, c))
        return TF.multi_margin_loss(x, y, weight=w, reduction=reduction, **options)

    return ours, theirs


def _classes(loss, reduction="mean", weighted=False, **options):
    """(ours, torch's) cross_entropy or nll_loss of one (N, C) input with fixed labels.

    ``weighted`` adds class weights ``linspace(0.5, 2, C)`` and ignores the label 1
    (``ignore_index=1``), so ignored targets and the weighted mean are exercised too.
    """
    extra = {"ignore_index": 1} if weighted else {}

    def ours(x):
        n, c = x.shape
        w = np.linspace(0.5, 2.0, c) if weighted else None
        return getattr(F, loss)(x, _labels(n, c), w, reduction=reduction, **extra, **options)

    def theirs(x):
        n, c = x.shape
        if n and not c:  # label 0 of no class: CUDA would assert on the device, so refuse here
            raise IndexError("Target 0 is out of bounds.")
        w = torch.linspace(0.5, 2.0, c, dtype=x.dtype, device=x.device) if weighted else None
        y = torch.as_tensor(_labels(n, c), device=x.device)
        return getattr(TF, loss)(x, y, w, reduction=reduction, **extra, **options)

    return ours, theirs


def _floating(y):
    """``y`` (array or Tensor) with integers as float64: torch's probability targets are."""
    if isinstance(y, Tensor):
        return y if y.dtype.kind == "f" else Tensor(y.data.astype(np.float64))
    y = np.asarray(y)
    return y if y.dtype.kind == "f" else y.astype(np.float64)


def _bce_torch(x, y):
    """torch's binary_cross_entropy with its CPU range check done here, on every device.

    On CUDA torch checks the range with a device-side assert, which would abort the run.
    """
    for name, v in (("input", x), ("target", y)):
        if not bool(((v >= 0) & (v <= 1)).all()):
            raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    return TF.binary_cross_entropy(x, y)


def _kl_div_mean_torch(x, y):
    """torch's kl_div with reduction "mean", without its UserWarning about that mean."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "reduction: 'mean'", UserWarning)
        return TF.kl_div(x, y)


def _lse(dim, keepdim=False):
    """(ours, torch's) logsumexp; ``None`` is every axis (``()`` for a 0-d input, in torch)."""

    def theirs(x):
        return torch.logsumexp(x, tuple(range(x.ndim)) if dim is None else dim, keepdim=keepdim)

    theirs.dims = (dim, keepdim)  # for the exact gradient, see _torch_fixed
    return (lambda x: F.logsumexp(x, dim, keepdim)), theirs


def _cosine(dim):
    """(ours, torch's) cosine_similarity along ``dim`` (kept for the exact reference)."""

    def theirs(x, y):
        return TF.cosine_similarity(x, y, dim)

    theirs.dim = dim  # for the exact value where torch's norm overflows, see _torch_fixed
    return (lambda x, y: F.cosine_similarity(x, y, dim)), theirs


def _cosine_exact(x1, x2, dim, upstream, eps):
    """Torch's cosine_similarity and its gradients, computed in long double.

    Torch's formula exactly (each norm clamped at ``eps``, the clamp not differentiated:
    ``g (u2 - c v1) / n1`` with ``v1 = x1 / ||x1||``), but with long double's exponent
    range, so that no square overflows. Returns (cosine, mask, grad1, grad2) where
    ``mask`` (keepdims along ``dim``) marks the vectors whose norm might overflow in
    ``x1.dtype``: that is where torch's unscaled norm gives ``inf`` and the cosine 0.
    """
    x1, x2 = (np.atleast_1d(np.asarray(v, np.longdouble)) for v in (x1, x2))
    with np.errstate(all="ignore"):  # inf / inf and 0 / 0 give NaN, as in torch
        norms = [np.sqrt(np.sum(v * v, axis=dim, keepdims=True)) for v in (x1, x2)]
        n1, n2 = (np.maximum(m, eps) for m in norms)
        v1, v2 = (np.where(m > 0, v / m, 0) for v, m in zip((x1, x2), norms, strict=True))
        u1, u2 = x1 / n1, x2 / n2
        c = np.sum(u1 * u2, axis=dim, keepdims=True)
        g = np.reshape(np.asarray(upstream, np.longdouble), c.shape)
        grads = g * (u2 - c * v1) / n1, g * (u1 - c * v2) / n2
    limit = np.sqrt(np.finfo(upstream.dtype).max) / 4
    finite = np.isfinite(x1).all(axis=dim, keepdims=True) & np.isfinite(x2).all(
        axis=dim, keepdims=True
    )
    mask = finite & ((norms[0] > limit) | (norms[1] > limit))
    return c, mask, *grads


# name -> (ours, torch's, operands): "x" one input, "xy" input and target (x flipped), or
# "nc" an (N, C) input with fixed labels
FUNCTIONS = {
    "relu": (F.relu, TF.relu, "x"),
    "leaky_relu": (F.leaky_relu, TF.leaky_relu, "x"),
    "leaky_relu_3": (lambda x: F.leaky_relu(x, 3.0), lambda x: TF.leaky_relu(x, 3.0), "x"),
    "sigmoid": (F.sigmoid, torch.sigmoid, "x"),
    "tanh": (F.tanh, torch.tanh, "x"),
    "gelu": (F.gelu, TF.gelu, "x"),
    "gelu_tanh": (
        lambda x: F.gelu(x, approximate="tanh"),
        lambda x: TF.gelu(x, approximate="tanh"),
        "x",
    ),
    "erf": (F.erf, torch.special.erf, "x"),
    "erfc": (F.erfc, torch.special.erfc, "x"),
    "softmax": (F.softmax, lambda x: TF.softmax(x, -1), "x"),
    "softmax_0": (lambda x: F.softmax(x, 0), lambda x: TF.softmax(x, 0), "x"),
    "log_softmax": (F.log_softmax, lambda x: TF.log_softmax(x, -1), "x"),
    "log_softmax_0": (lambda x: F.log_softmax(x, 0), lambda x: TF.log_softmax(x, 0), "x"),
    "logsumexp": (*_lse(-1), "x"),
    "logsumexp_0_keepdim": (*_lse(0, True), "x"),
    "logsumexp_all": (*_lse(None), "x"),
    "mse_loss_none": (
        lambda x, y: F.mse_loss(x, y, "none"),
        lambda x, y: TF.mse_loss(x, y, reduction="none"),
        "xy",
    ),
    "mse_loss_mean": (F.mse_loss, TF.mse_loss, "xy"),
    "mse_loss_sum": (
        lambda x, y: F.mse_loss(x, y, "sum"),
        lambda x, y: TF.mse_loss(x, y, reduction="sum"),
        "xy",
    ),
    "huber_loss_none": (
        lambda x, y: F.huber_loss(x, y, "none"),
        lambda x, y: TF.huber_loss(x, y, reduction="none"),
        "xy",
    ),
    "huber_loss_mean_0.5": (
        lambda x, y: F.huber_loss(x, y, delta=0.5),
        lambda x, y: TF.huber_loss(x, y, delta=0.5),
        "xy",
    ),
    "cross_entropy": (*_classes("cross_entropy"), "nc"),
    "multi_margin_loss": (*_hinge(), "nc"),
    "multi_margin_loss_p2_sum": (*_hinge("sum", p=2), "nc"),
    "multi_margin_loss_weighted_none": (*_hinge("none", weighted=True, margin=0.5), "nc"),
    "cross_entropy_smoothed_weighted": (
        *_classes("cross_entropy", weighted=True, label_smoothing=0.2),
        "nc",
    ),
    "cross_entropy_smoothed_none": (*_classes("cross_entropy", "none", label_smoothing=0.3), "nc"),
    # the targets are sigmoid(y) in [0, 1]: the gradient softmax sum(p) - p cancels by
    # about |sum(p)| * 1e-16, so an unbounded target would need an unbounded tolerance
    "cross_entropy_probabilities": (
        lambda x, y: F.cross_entropy(x, F.sigmoid(_floating(y))),
        lambda x, y: TF.cross_entropy(x, torch.sigmoid(y)),
        "xy",
    ),
    "cross_entropy_probabilities_smoothed_sum": (
        lambda x, y: F.cross_entropy(
            x, F.sigmoid(_floating(y)), reduction="sum", label_smoothing=0.1
        ),
        lambda x, y: TF.cross_entropy(x, torch.sigmoid(y), reduction="sum", label_smoothing=0.1),
        "xy",
    ),
    "nll_loss": (*_classes("nll_loss"), "nc"),
    "nll_loss_weighted_sum": (*_classes("nll_loss", "sum", weighted=True), "nc"),
    "binary_cross_entropy": (F.binary_cross_entropy, _bce_torch, "xy"),
    "binary_cross_entropy_with_logits": (
        F.binary_cross_entropy_with_logits,
        TF.binary_cross_entropy_with_logits,
        "xy",
    ),
    "binary_cross_entropy_with_logits_pos_weight_none": (
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=2.5),
        lambda x, y: TF.binary_cross_entropy_with_logits(
            x, y, reduction="none", pos_weight=torch.tensor(2.5, dtype=x.dtype, device=x.device)
        ),
        "xy",
    ),
    "kl_div": (F.kl_div, _kl_div_mean_torch, "xy"),
    "kl_div_batchmean": (
        lambda x, y: F.kl_div(x, y, "batchmean"),
        lambda x, y: TF.kl_div(x, y, reduction="batchmean"),
        "xy",
    ),
    "kl_div_log_target_none": (
        lambda x, y: F.kl_div(x, y, "none", log_target=True),
        lambda x, y: TF.kl_div(x, y, reduction="none", log_target=True),
        "xy",
    ),
    "cosine_similarity": (*_cosine(-1), "xy"),
    "cosine_similarity_0": (*_cosine(0), "xy"),
}


def extremes(dtype) -> dict:
    """Named extreme inputs of one floating dtype (1-D, 2-D, empty and 0-d)."""
    fi = np.finfo(dtype)
    big, large, sub = (1e308, 1e200, 1e-320) if dtype == np.float64 else (1e38, 1e30, 1e-40)
    inf, nan, root = np.inf, np.nan, 2 * math.sqrt(fi.max)  # root**2 overflows
    matrix = [[big, -1.0, 0.5, -big], [inf, 1.0, -inf, 2.0], [nan, 3.0, -3.0, 0.0]]
    raw = {
        "big": [big, -big],
        "large": [large, -large, 1.0, -1.0],
        "max": [fi.max, -fi.max, fi.max / 2, 0.0, -0.0],
        "root_max": [root, -root, 1.0],
        "subnormal": [sub, -sub, fi.smallest_subnormal, -fi.smallest_subnormal, fi.tiny / 4],
        "tiny": [fi.tiny, -fi.tiny, fi.eps, -fi.eps],
        "inf": [inf, -inf],
        "inf_mixed": [inf, 1.0, -inf, 0.0],
        "minus_inf": [-inf, -inf, -inf],
        "nan": [nan, 1.0, -2.0],
        "nan_inf": [nan, inf, -inf],
        "moderate": [-40.0, -8.0, -3.0, -0.5, 0.0, 0.5, 3.0, 8.0, 40.0],
        "matrix": matrix,
        "big_rows": [[big, -big, 0.0], [-big, big, 1.0], [large, 0.0, -large]],
        "empty": np.zeros(0),
        "empty_3x0": np.zeros((3, 0)),
        "empty_0x3": np.zeros((0, 3)),
        "0d": 2.0,
        "0d_big": -big,
        "0d_nan": nan,
        "0d_inf": inf,
    }
    out = {k: np.array(v, dtype=dtype) for k, v in raw.items()}
    out["transposed"] = out["matrix"].T  # a non-contiguous view
    out["strided"] = out["moderate"][::2]
    return out


def _inputs():
    """(name, kind, value): every extreme input in float64 and float32, then the others."""
    cases = [(f"{k}-{np.dtype(dt).name}", "float", v) for dt in (np.float64, np.float32)
             for k, v in extremes(dt).items()]  # fmt: skip
    others = [
        ("int", "int", np.array([-3, 0, 2, 50])),
        ("int_matrix", "int", np.array([[1, -2], [3, 4]])),
        ("bool", "int", np.array([True, False, True])),
        ("list", "list", [1e308, -1e308, 0.5, math.nan]),
        ("nested_list", "list", [[1.0, 2.0, -1e308], [1e308, -math.inf, 0.0]]),
        ("python_float", "list", -3.5),
    ]
    return [*cases, *others]


INPUTS = _inputs()


def _operands(operands: str, x):
    """The arrays one function takes, built from one extreme input ``x``, or None."""
    x = np.asarray(x)
    if operands == "x":
        return [x]
    if operands == "xy":
        return [x, np.flip(x).copy()]
    if x.ndim == 2 and x.shape[1]:  # "nc": an (N, C) input with C >= 1
        return [x]
    return [x.reshape(1, -1)] if x.ndim == 1 and x.size else None


def _tolerances(name: str, dtype) -> tuple[float, float]:
    """(rtol, atol) for comparing with torch.

    float64: 1e-12 relative. Some formulas cancel, in torch as here, so their rounding is
    about 1e-16 absolute rather than relative, and they get 1e-14 absolute (as in
    test_functional.py): torch's gelu x/2 (1 + erf(x/sqrt2)) in the left tail (ours uses
    erfc), 1 - tanh**2 and sigma (1 - sigma) in derivatives, the softmax VJPs
    g - s sum(g) and cross-entropy's softmax - onehot. float32 (torch computes in float32,
    erf and erfc here in float64 then rounded): a few units in the last place, 2e-6
    relative, and 1e-6 absolute for the same cancellations.
    """
    cancelling = ("gelu", "tanh", "sigmoid", "softmax", "log_softmax", "cross_entropy")
    cancelling += ("cosine_similarity",)  # a sum of products of both signs, and (u2 - c u1)
    cancels = name.startswith(cancelling)
    if dtype == np.float32:
        return 2e-6, 1e-6 if cancels else 1e-44
    return 1e-12, 1e-14 if cancels else 1e-320


def _compare(ours, theirs, rtol, atol) -> str | None:
    """Why ``ours`` (ndarray) differs from ``theirs`` (ndarray), or None. NaN equals NaN."""
    if ours.shape != theirs.shape:
        return f"shape {ours.shape} vs torch {theirs.shape}"
    if ours.dtype != theirs.dtype:
        return f"dtype {ours.dtype} vs torch {theirs.dtype}"
    a, e = ours.astype(np.float64), theirs.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        same = (a == e) | (np.isnan(a) & np.isnan(e)) | (np.abs(a - e) <= atol + rtol * np.abs(e))
    if same.all():
        return None
    i = tuple(int(k) for k in np.argwhere(~same)[0])
    return f"at {i}: {a[i]!r} vs torch {e[i]!r}"


def _refused_clearly(err: Exception, func: str) -> bool:
    return isinstance(err, (TypeError, ValueError)) and str(err).startswith(func + ":")


def extreme_outcome(name: str, value, kind: str, form: str, device: str = "cpu"):
    """(category, detail) of one function on one extreme input, compared with torch.

    ``form`` is "array" (arrays in, arrays out) or "tensor" (Tensors that require grad
    where the dtype is floating; the gradients are compared too).
    """
    ours_f, theirs_f, operands = FUNCTIONS[name]
    func = max((f for f in F.__all__ if name.startswith(f)), key=len)  # the public name
    arrays = _operands(operands, value)
    if arrays is None:
        return "correct result", "not applicable"
    floating = kind != "int"  # lists and Python floats are float64
    # torch: float64 for ints, bools and lists (ours computes those as float64)
    t_in = [torch.tensor(np.asarray(a, dtype=None if floating else np.float64), device=device)
            for a in arrays]  # fmt: skip
    grads = form == "tensor" and floating
    for t in t_in:
        t.requires_grad_(grads)
    try:
        ref = theirs_f(*t_in)
    except (RuntimeError, IndexError, ValueError, TypeError) as e:
        ref = e
    if form == "tensor":
        ins = [Tensor(a, requires_grad=grads) for a in arrays]
    else:
        ins = [value] if kind == "list" and operands == "x" else arrays
    expected_dtype = np.asarray(arrays[0]).dtype if floating else np.dtype(np.float64)
    rtol, atol = _tolerances(name, expected_dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = ours_f(*ins)
        except RuntimeWarning as w:
            return "RuntimeWarning escaped", f"forward: {w}"
        except Exception as e:  # any exception is classified
            if isinstance(ref, Exception) and _refused_clearly(e, func):
                return "clear error", str(e)
            return "unclear error", f"{type(e).__name__}: {e}"
        if isinstance(ref, Exception):
            return "bad input accepted", f"torch refuses ({ref}); ours returned {out!r}"[:300]
        wanted = Tensor if form == "tensor" else np.ndarray
        if not isinstance(out, wanted):
            return "wrong answer", f"returned {type(out).__name__}, expected {wanted.__name__}"
        got = out.data if form == "tensor" else out
        upstream = np.random.default_rng(0).standard_normal(got.shape).astype(got.dtype)
        t_grads = []
        if grads:
            t_up = torch.tensor(upstream, device=device)
            t_grads = torch.autograd.grad(ref, t_in, t_up, allow_unused=True)
            t_grads = [np.zeros(t.shape, got.dtype) if tg is None else tg.cpu().numpy()
                       for t, tg in zip(t_in, t_grads, strict=True)]  # fmt: skip
        expected = ref.detach().cpu().numpy().astype(expected_dtype)
        expected, t_grads = _torch_fixed(name, t_in, upstream, expected, t_grads)
        why = _compare(got, expected, rtol, atol)
        if why is not None:
            return _wrong(got, expected), f"forward {why}"
        if not grads:
            return "correct result", ""
        try:
            out.backward(upstream)
        except RuntimeWarning as w:
            return "RuntimeWarning escaped", f"backward: {w}"
        if name.startswith("cosine_similarity"):  # its gradients scale like |g| / ||x||
            atol *= _cosine_grad_scale(arrays, theirs_f.dim, upstream)
        for i, (a, tg) in enumerate(zip(ins, t_grads, strict=True)):
            g = np.zeros(a.shape, a.dtype) if a.grad is None else a.grad
            why = _compare(g, tg, rtol, atol)
            if why is not None:
                return _wrong(g, tg), f"grad {i} {why}"
    return "correct result", ""


def _cosine_grad_scale(arrays, dim, upstream) -> float:
    """``max(1, max|g| / min ||x||)``: the size of cosine_similarity's gradients.

    Its VJP is ``g (u2 - c v1) / ||x1||``; where the two vectors are parallel it is zero
    exactly, and torch's rounding leaves about ``eps |g| / ||x1||`` there, not ``eps``.
    """
    with np.errstate(all="ignore"):
        norms = [np.sqrt(np.sum(np.square(np.asarray(a, np.longdouble)), axis=dim)) for a in arrays]
        smallest = min(float(np.min(n, initial=np.inf)) for n in norms)
        top = float(np.max(np.abs(upstream), initial=0.0))
        scale = top / max(smallest, 1e-8)  # the clamp: norms below eps count as eps
    return max(1.0, scale) if np.isfinite(scale) else 1.0


def _torch_fixed(name, t_in, upstream, forward, grads):
    """Torch's forward value and gradients, with the exact value where torch is known wrong.

    * gelu, float32: torch's vectorised kernel gives ``gelu(+inf) = NaN`` (its scalar path
      and float64 give ``inf``): ``inf``.
    * gelu_tanh: torch's ``x/2 (1 - tanh(u)**2) (1 + 3k x**2)`` is ``0 * inf = NaN`` once
      ``x**3`` overflows, at a finite ``x``; the derivative there is 1 (x > 0) or 0 (x < 0).
    * logsumexp: torch's ``exp(x - out)`` rounds ``out`` (``[1e17, 1e17]`` gives ``[1, 1]``);
      the derivative is ``softmax(x)``, taken from torch's softmax where the max is finite.
    * mse_loss: torch's ``(2 d) g`` overflows where ``d`` or ``2 d`` does although ``2 g d``
      is finite (``x = 1e308, y = -1e308``): that is computed in long double.
    * cosine_similarity: torch's unscaled norm overflows to ``inf`` once the sum of squares
      does (``[1e200, 1]``), and its cosine and gradients become 0; there, torch's own
      formula is evaluated in long double (:func:`_cosine_exact`).
    """
    xs = [t.detach().cpu().numpy() for t in t_in]
    if name == "gelu" and xs[0].dtype == np.float32:
        forward = np.where(np.isposinf(xs[0]), np.float32(np.inf), forward)
    if name == "gelu_tanh" and grads:
        nan_at_finite = np.isnan(grads[0]) & np.isfinite(xs[0])
        grads[0] = np.where(nan_at_finite, upstream * (xs[0] > 0), grads[0])
    if name.startswith("logsumexp") and grads and xs[0].ndim and xs[0].size:
        x = t_in[0].detach().cpu()
        grads[0] = _softmax_grad(x, *FUNCTIONS[name][1].dims, upstream, grads[0])
    if name.startswith("mse_loss") and grads:
        x, y = (v.astype(np.longdouble) for v in xs)
        g = np.longdouble(upstream) / (max(x.size, 1) if name.endswith("mean") else 1)
        with np.errstate(over="ignore", invalid="ignore"):
            exact = (2 * g * (x - y)).astype(xs[0].dtype)
        redo = ~np.isfinite(grads[0]) & np.isfinite(xs[0]) & np.isfinite(xs[1])
        grads = [np.where(redo, exact, grads[0]), np.where(redo, -exact, grads[1])]
    if name.startswith("cosine_similarity"):
        dim, dtype = FUNCTIONS[name][1].dim, forward.dtype
        c, mask, g1, g2 = _cosine_exact(*xs, dim, upstream.astype(dtype), dtype.type(1e-8))
        shape = np.shape(xs[0])
        forward = np.where(mask, c, forward.reshape(c.shape)).astype(dtype).reshape(forward.shape)
        if grads:
            grads = [np.where(mask, e, t.reshape(e.shape)).astype(dtype).reshape(shape)
                     for e, t in zip((g1, g2), grads, strict=True)]  # fmt: skip
    return forward, grads


def _softmax_grad(x, dim, keepdim, upstream, torch_grad):
    """``upstream * softmax(x)`` over the dims of a logsumexp, where their max is finite."""
    dims = tuple(range(x.ndim)) if dim is None else (dim % x.ndim,)
    order = [d for d in range(x.ndim) if d not in dims] + list(dims)
    xp = x.permute(order)  # the reduced dims last
    s = TF.softmax(xp.reshape(*xp.shape[: x.ndim - len(dims)], -1), -1).reshape(xp.shape)
    s = s.permute(*np.argsort(order).tolist()).numpy()
    finite = torch.isfinite(torch.amax(x, dims, keepdim=True)).numpy()
    g = np.reshape(upstream, finite.shape)  # the reduced dims as length 1
    return np.where(finite, g * s, torch_grad)


def _wrong(got, expected) -> str:
    """ "non-finite where torch finite" or "wrong answer"."""
    if got.shape == expected.shape and (np.isfinite(expected) & ~np.isfinite(got)).any():
        return "non-finite where torch finite"
    return "wrong answer"


EXTREME = [
    (f"{name}-{inp}-{form}", name, value, kind, form)
    for name in FUNCTIONS
    for inp, kind, value in INPUTS
    for form in ("array", "tensor")
]


@pytest.mark.parametrize(
    ("case", "name", "value", "kind", "form"), EXTREME, ids=[c[0] for c in EXTREME]
)
def test_extreme_values_match_torch(device, case, name, value, kind, form):
    category, detail = extreme_outcome(name, value, kind, form, device)
    assert category == "correct result" or category == "clear error", f"{category}: {detail}"


# ----------------------------------------------------------------------------- the reported bugs


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 3)])
@pytest.mark.parametrize("dim", [-1, 0])
def test_softmax_family_of_empty_input_matches_torch(shape, dim):
    x = np.zeros(shape)
    xt = torch.zeros(shape, dtype=torch.float64)
    for ours, theirs in ((F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)):
        out = ours(x, dim)
        assert out.shape == shape
        assert isinstance(out, np.ndarray)
        assert tuple(theirs(xt, dim).shape) == shape
    ref = torch.logsumexp(xt, dim).numpy()  # -inf over an empty dimension
    np.testing.assert_array_equal(F.logsumexp(x, dim), ref)
    t = Tensor(x, requires_grad=True)
    F.logsumexp(t, dim).sum().backward()
    assert t.grad.shape == shape


def test_logsumexp_over_an_empty_dim_is_minus_inf():
    np.testing.assert_array_equal(F.logsumexp(np.zeros(0)), -np.inf)
    np.testing.assert_array_equal(F.logsumexp(np.zeros((3, 0))), [-np.inf] * 3)
    np.testing.assert_array_equal(F.logsumexp(np.zeros((3, 0)), None), -np.inf)


@pytest.mark.parametrize("dim", [-1, 0, None, ()])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp_of_0d_input_is_the_input(dim, keepdim):
    out = F.logsumexp(np.array(2.0), dim, keepdim)
    ref = torch.logsumexp(torch.tensor(2.0, dtype=torch.float64), () if dim is None else dim,
                          keepdim=keepdim)  # fmt: skip
    assert isinstance(out, np.ndarray) and out.shape == tuple(ref.shape) == ()
    assert out == 2.0
    t = Tensor(np.array(2.0), requires_grad=True)
    F.logsumexp(t, dim, keepdim).backward()
    assert t.grad == 1.0


def test_softmax_and_log_softmax_of_0d_input():
    for dim in (-1, 0):
        assert F.softmax(np.array(2.0), dim) == 1.0 and F.log_softmax(2.0, dim) == 0.0
        assert isinstance(F.softmax(np.array(2.0), dim), np.ndarray)


def test_cross_entropy_of_an_empty_batch_is_nan_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.cross_entropy(np.zeros((0, 3)), np.zeros(0, np.int64))
        assert isinstance(out, np.ndarray) and out.shape == () and np.isnan(out)
        assert np.isnan(F.cross_entropy(np.zeros((0, 3)), []))
        t = Tensor(np.zeros((0, 3)), requires_grad=True)
        loss = F.cross_entropy(t, [])
        assert np.isnan(loss.data)
        loss.backward()
    assert t.grad.shape == (0, 3)
    ref = TF.cross_entropy(torch.zeros((0, 3), dtype=torch.float64), torch.zeros(0, dtype=int))
    assert torch.isnan(ref)


def test_softmax_of_opposite_extremes_is_exact_and_silent():
    x = np.array([1e308, -1e308])  # the shift gives -1e308 - 1e308 = -inf, exp of it 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(F.softmax(x), [1.0, 0.0])
        np.testing.assert_array_equal(F.log_softmax(x), [0.0, -np.inf])
        np.testing.assert_array_equal(F.logsumexp(x), 1e308)
        t = Tensor(x, requires_grad=True)
        F.softmax(t).backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(t.grad, [0.0, 0.0])


def test_softmax_with_an_infinite_max_is_nan_like_torch():
    x = np.array([[np.inf, 1.0], [-np.inf, -np.inf], [-np.inf, 1.0]])
    xt = torch.tensor(x)
    np.testing.assert_array_equal(F.softmax(x, 1), TF.softmax(xt, 1).numpy())  # nan rows
    np.testing.assert_array_equal(F.log_softmax(x, 1), TF.log_softmax(xt, 1).numpy())
    np.testing.assert_array_equal(F.logsumexp(x, 1), torch.logsumexp(xt, 1).numpy())


def test_gelu_of_infinities_matches_torch():
    x = np.array([np.inf, -np.inf])
    ref = TF.gelu(torch.tensor(x)).numpy()  # [inf, nan]: -inf * Phi(-inf) = -inf * 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for approximate in ("none", "tanh"):
            np.testing.assert_array_equal(F.gelu(x, approximate), ref)
            np.testing.assert_array_equal(F.gelu(x.astype(np.float32), approximate), ref)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gelu_gradient_far_out_is_its_limit(approximate, dtype):
    # torch's tanh form gives NaN here (0 * inf once x**3 overflows); the limit is 1 and 0
    far = [1e200, 1e308, 1e30, 1e15] if dtype == np.float64 else [1e38, 1e30, 1e15, 1e13]
    x = np.array(far + [-v for v in far], dtype)
    t = Tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.gelu(t, approximate).sum().backward()
    np.testing.assert_array_equal(t.grad, (x > 0).astype(dtype))


@pytest.mark.parametrize("f", [F.erf, F.erfc])
def test_erf_erfc_gradients_far_out_are_zero(f):
    x = np.array([1e200, -1e200, 1e308, -1e308, 30.0])
    t = Tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f(t).sum().backward()
    np.testing.assert_array_equal(t.grad, np.zeros(5))


def test_relu_gradient_at_nan_is_torchs():
    # torch selects "x <= 0 ? 0 : g", so NaN passes the gradient through; a NaN upstream
    # gradient is stopped where x <= 0
    x = np.array([np.nan, -1.0, 0.0, 2.0])
    t = Tensor(x, requires_grad=True)
    F.relu(t).backward(np.array([1.0, np.nan, np.nan, 3.0]))
    xt = torch.tensor(x, requires_grad=True)
    TF.relu(xt).backward(torch.tensor([1.0, np.nan, np.nan, 3.0], dtype=torch.float64))
    np.testing.assert_array_equal(t.grad, xt.grad.numpy())


def test_logsumexp_gradient_of_huge_ties_is_exact():
    # torch's exp(x - out) rounds to [1, 1] once ulp(x) > log 2; the gradient is softmax(x)
    t = Tensor(np.array([1e17, 1e17]), requires_grad=True)
    F.logsumexp(t).backward()
    np.testing.assert_array_equal(t.grad, [0.5, 0.5])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_mse_loss_gradient_is_finite_where_its_true_value_is(reduction):
    # d = 1e308 - (-1e308) overflows, and torch's (2 d) g is inf; 2 g d is finite for g < 0.4
    x, y = np.array([1e308, 1e300]), np.array([-1e308, -1e300])
    t = Tensor(x, requires_grad=True)
    loss = F.mse_loss(t, y, reduction)
    upstream = np.full(loss.shape, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss.backward(upstream)
    scale = 0.1 / (2 if reduction == "mean" else 1)
    np.testing.assert_allclose(t.grad, [4 * scale * 1e308, 4 * scale * 1e300], rtol=1e-15)


def test_0d_arrays_give_0d_arrays_not_numpy_scalars():
    for out in (F.relu(np.array(2.0)), F.sigmoid(3), F.softmax(np.array(1.0)),
                F.mse_loss(2.0, 1.0, "none"), F.gelu(np.float32(1.0))):  # fmt: skip
        assert type(out) is np.ndarray and out.shape == ()


def test_logsumexp_dim_type_errors_are_ours():
    with pytest.raises(TypeError, match=r"^logsumexp: dim must be an int or a tuple"):
        F.logsumexp(np.zeros(3), 2.5)
    with pytest.raises(ValueError, match=r"^logsumexp: dim \(0, 0\) names a dimension more"):
        F.logsumexp(np.zeros((2, 3)), (0, 0))


def test_cross_entropy_target_refusals_name_the_target():
    with pytest.raises(ValueError, match=r"^cross_entropy: target is not a rectangular array"):
        F.cross_entropy(M, [[0], [1, 2]])
    with pytest.raises(TypeError, match=r"^cross_entropy: target must be a real array"):
        F.cross_entropy(M, None)


# ----------------------------------------------------------------------------- hypothesis

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True, width=64)
ELEMENTWISE = ["relu", "leaky_relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "erf", "erfc"]
REDUCING = ["softmax", "log_softmax_0", "logsumexp_all", "mse_loss_sum", "cross_entropy"]
REDUCING += ["cosine_similarity"]
CLASSIFICATION = [
    "cross_entropy_smoothed_weighted",
    "cross_entropy_probabilities",
    "nll_loss_weighted_sum",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits_pos_weight_none",
    "kl_div_batchmean",
    "kl_div_log_target_none",
]


@st.composite
def any_floats(draw):
    """float64 or float32 arrays (0-d to 2-D, maybe empty) of any values, NaN and inf too."""
    dtype, width = draw(st.sampled_from([(np.float64, 64), (np.float32, 32)]))
    wild = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True, width=width)
    elements = st.one_of(wild, st.floats(-50, 50, width=width))
    shape = hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)
    return draw(hnp.arrays(dtype, shape, elements=elements))


@pytest.mark.parametrize(
    "name", ELEMENTWISE + REDUCING + CLASSIFICATION + ["multi_margin_loss_p2_sum"]
)
@SETTINGS
@given(x=any_floats())
def test_any_float_matches_torch_silently(name, x):
    for form in ("array", "tensor"):
        category, detail = extreme_outcome(name, x, "float", form)
        assert category in GOOD, f"{form}: {category}: {detail}"


@pytest.mark.parametrize("name", ELEMENTWISE)
@SETTINGS
@given(x=hnp.arrays(np.float64, st.integers(0, 8), elements=ANY_FLOAT))
def test_elementwise_nan_in_nan_out_and_finite_stays_finite(name, x):
    ours = FUNCTIONS[name][0]
    out = ours(x)
    nan = np.isnan(x) | (np.isneginf(x) & name.startswith("gelu"))  # gelu(-inf) = -inf * 0
    np.testing.assert_array_equal(np.isnan(out), nan)
    assert np.isfinite(out[np.isfinite(x)]).all()
