"""Widgets and the book's explorers under bad and extreme input.

As in ``test_optim_errors.py``, two tables: ``REFUSALS`` ``(id, call, exception,
prefix)``, each call raising ``exception`` with a message that starts with ``prefix``
(the function or ``Class.method`` and the argument); ``ACCEPTED`` ``(id, call)``, valid
and often extreme input that must work, with no RuntimeWarning. Every explorer of
chapters 1, 2 and 5 is rendered with each control at its minimum and maximum (and all of
them at once), and refuses every kind of bad value for each control.
"""

import functools
import itertools
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure
from strategies import SETTINGS

from mathdl.explorers import all_explorers
from mathdl.explorers.calculus import gradient_flow_statistics, taylor_explorer
from mathdl.explorers.linear_algebra import low_rank_explorer
from mathdl.explorers.optimization import descent_explorer, problem, trajectory
from mathdl.widgets import Choice, DataExplorer, Explorer, Slider, decode_data

NAN, INF = math.nan, math.inf
V, Y = ValueError, TypeError
REFUSALS: list[tuple] = []
ACCEPTED: list[tuple] = []


def pattern(prefix: str) -> str:
    """The message must start with ``prefix`` followed by a separator (the whole name)."""
    return "^" + re.escape(prefix) + r"(?=[\s\[\(.':=]|$)"


def refuse(id_, call, exc, prefix):
    REFUSALS.append((id_, call, exc, prefix))


def accept(id_, call):
    ACCEPTED.append((id_, call))


def _draw(fig: Figure):
    ax = fig.subplots()
    (line,) = ax.plot([0, 1], [0, 0], animated=True)

    def update(a: float, k: int) -> None:
        line.set_ydata([0, a + k])

    return update


def S(**kw):
    return Slider(**({"name": "s", "min": 0, "max": 2, "step": 0.5, "value": 1.0,
                      "static": (0.0, 1.0)} | kw))  # fmt: skip


CONTROLS = [Slider("a", -1, 1, 0.1, 0.0, (-1.0, 0.0, 1.0)), Slider("k", 0, 3, 1, 1, (0, 1, 3))]


def E(draw=_draw, controls=CONTROLS, **kw):
    return Explorer(draw, controls, **({"title": "t", "figsize": (2, 2), "dpi": 20} | kw))


# ------------------------------------------------------------------ the five gaps
# (already refused at the start of this work; kept here as regression tests)

refuse("gap: Slider step 0", lambda: S(step=0), V, "Slider: step")
refuse("gap: Slider duplicate static", lambda: S(static=(0.0, 1.0, 0.0)), V, "Slider: static")
refuse("gap: Choice options a string", lambda: Choice("f", "abc", "a"), Y, "Choice: options")
refuse("gap: render beyond the range", lambda: E().render(a=5.0), V, "Explorer.render: a")
refuse("gap: taylor render(function='cos')", lambda: taylor_explorer().render(function="cos"), V,
       "Explorer.render: function")  # fmt: skip
refuse("gap: Explorer controls None", lambda: Explorer(_draw, None, title="t"), Y,
       "Explorer: controls")  # fmt: skip

# ------------------------------------------------------------------ Slider

for arg, bads in {
    "name": [("int", 3, Y), ("None", None, Y), ("spaces", "my name", V), ("empty", "", V),
             ("digit first", "1a", V)],
    "min": [("str", "0", Y), ("None", None, Y), ("bool", True, Y), ("nan", NAN, V),
            ("inf", -INF, V), ("complex", 1j, Y)],
    "max": [("below min", -1, V), ("nan", NAN, V), ("str", "2", Y), ("inf", INF, V)],
    "step": [("zero", 0, V), ("negative", -0.5, V), ("nan", NAN, V), ("inf", INF, V),
             ("str", "0.5", Y)],
    "value": [("above", 5, V), ("below", -1, V), ("nan", NAN, V), ("str", "1", Y),
              ("None", None, Y)],
    "static": [("a string", "01", Y), ("None", None, Y), ("an int", 3, Y), ("a dict", {1: 2}, Y),
               ("a 2-D array", np.zeros((2, 1)), Y), ("repeated", (0.0, 1.0, 1.0), V),
               ("without value", (0.0, 2.0), V), ("out of range", (1.0, 3.0), V),
               ("nan", (1.0, NAN), V), ("a string item", (1.0, "a"), Y), ("empty", (), V)],
    "label": [("int", 3, Y), ("bytes", b"x", Y)],
    "scale": [("unknown", "exp", V), ("int", 3, Y)],
}.items():  # fmt: skip
    for label, value, exc in bads:
        refuse(f"Slider({arg}={label})", lambda kw={arg: value}: S(**kw), exc, f"Slider: {arg}")
refuse("Slider(scale='log', min=0)", lambda: S(scale="log"), V, "Slider: min")
for label, make in [
    ("static a numpy array", lambda: S(static=np.array([0.0, 1.0]))),
    ("min equal to max", lambda: Slider("s", 1, 1, 1, 1, (1,))),
    ("label None", lambda: S(label=None)),
    ("numpy numbers", lambda: S(min=np.float32(0), max=np.int64(2), value=np.float64(1.0))),
    ("log scale", lambda: Slider("s", 1e-3, 10, 0.1, 0.1, (1e-3, 0.1, 10.0), scale="log")),
]:
    accept(f"Slider({label})", make)

# ------------------------------------------------------------------ Choice

for label, args, exc, arg in [
    ("name an int", (3, ("a",), "a"), Y, "name"),
    ("name not an identifier", ("my f", ("a",), "a"), V, "name"),
    ("options a string", ("f", "abc", "a"), Y, "options"),
    ("options None", ("f", None, "a"), Y, "options"),
    ("options an int", ("f", 3, "a"), Y, "options"),
    ("options not strings", ("f", ("a", 1), "a"), Y, "options"),
    ("options repeated", ("f", ("a", "a"), "a"), V, "options"),
    ("options empty", ("f", (), "a"), V, "options"),
    ("value unknown", ("f", ("sin", "cos"), "tan"), V, "value"),
    ("value an int", ("f", ("sin", "cos"), 3), Y, "value"),
    ("value None", ("f", ("sin", "cos"), None), Y, "value"),
    ("label an int", ("f", ("sin",), "sin", 3), Y, "label"),
]:
    refuse(f"Choice({label})", lambda a=args: Choice(*a), exc, f"Choice: {arg}")
accept("Choice(options a list)", lambda: Choice("f", ["a", "b"], "b"))

# ------------------------------------------------------------------ Explorer


def _no_update(fig):
    return None


for label, make, exc, arg in [
    ("draw None", lambda: E(draw=None), Y, "draw"),
    ("draw an int", lambda: E(draw=3), Y, "draw"),
    ("controls None", lambda: E(controls=None), Y, "controls"),
    ("controls a string", lambda: E(controls="ab"), Y, "controls"),
    ("controls one Slider", lambda: E(controls=CONTROLS[0]), Y, "controls"),
    ("controls with a string", lambda: E(controls=[CONTROLS[0], "t"]), Y, "controls"),
    ("controls repeated", lambda: E(controls=[CONTROLS[0]] * 2), V, "controls"),
    ("controls empty", lambda: E(controls=[]), V, "controls"),
    ("title None", lambda: E(title=None), Y, "title"),
    ("title an int", lambda: E(title=3), Y, "title"),
    ("figsize a number", lambda: E(figsize=3), Y, "figsize"),
    ("figsize a string", lambda: E(figsize="ab"), Y, "figsize"),
    ("figsize of 3", lambda: E(figsize=(1, 2, 3)), Y, "figsize"),
    ("figsize tiny", lambda: E(figsize=(0.1, 2)), V, "figsize"),
    ("figsize nan", lambda: E(figsize=(NAN, 2)), V, "figsize"),
    ("figsize of strings", lambda: E(figsize=("a", 2)), Y, "figsize"),
    ("dpi a float", lambda: E(dpi=2.5), Y, "dpi"),
    ("dpi 5", lambda: E(dpi=5), V, "dpi"),
    ("dpi True", lambda: E(dpi=True), Y, "dpi"),
    ("dpi a string", lambda: E(dpi="90"), Y, "dpi"),
]:
    refuse(f"Explorer({label})", make, exc, f"Explorer: {arg}")
refuse("Explorer(draw returns None).render()", lambda: E(draw=_no_update).render(), Y,
       "Explorer: the value returned by draw")  # fmt: skip
refuse("Explorer.render(unknown control)", lambda: E().render(tilt=1), Y, "Explorer.render:")
refuse("DataExplorer(data None)", lambda: DataExplorer(_draw, CONTROLS, None, title="t"), Y,
       "DataExplorer: data")  # fmt: skip
refuse("DataExplorer.frames()", lambda: descent_explorer().frames(), Y, "DataExplorer.frames:")
refuse("decode_data(3)", lambda: decode_data(3), Y, "decode_data: payload")
refuse("decode_data({})", lambda: decode_data({}), V, "decode_data: payload")

# ------------------------------------------------------------------ the explorer modules' helpers

for label, call, exc, arg in [
    ("function unknown", lambda: problem("cubic"), V, "function"),
    ("function an int", lambda: problem(3), Y, "function"),
    ("kappa 0", lambda: problem("quadratic", 0), V, "kappa"),
    ("kappa 0.5", lambda: problem("quadratic", 0.5), V, "kappa"),
    ("kappa nan", lambda: problem("quadratic", NAN), V, "kappa"),
    ("kappa a string", lambda: problem("quadratic", "10"), Y, "kappa"),
]:
    refuse(f"problem({label})", call, exc, f"problem: {arg}")

GOOD = dict(function="quadratic", optimizer="GD", lr=0.1, momentum=0.0, steps=5, start="A")
for arg, bads in {
    "function": [("unknown", "cubic", V), ("None", None, Y)],
    "optimizer": [("unknown", "SGD", V), ("None", None, Y)],
    "lr": [("negative", -1.0, V), ("nan", NAN, V), ("str", "0.1", Y), ("inf", INF, V)],
    "momentum": [("one", 1.0, V), ("negative", -0.1, V), ("str", "x", Y)],
    "steps": [("a float", 2.5, Y), ("negative", -1, V), ("str", "5", Y)],
    "start": [("unknown", "C", V), ("an int", 1, Y)],
    "kappa": [("zero", 0, V), ("inf", INF, V)],
}.items():
    for label, value, exc in bads:
        refuse(f"trajectory({arg}={label})", lambda kw=GOOD | {arg: value}: trajectory(**kw), exc,
               f"trajectory: {arg}")  # fmt: skip

for arg, bads in {
    "activation": [("unknown", "swish", V), ("int", 3, Y)],
    "init": [("unknown", "lecun", V), ("None", None, Y)],
    "depth": [("zero", 0, V), ("a float", 2.5, Y), ("str", "3", Y), ("huge", 10**6, V),
              ("bool", True, Y)],
}.items():  # fmt: skip
    for label, value, exc in bads:
        kw = dict(activation="tanh", init="he", depth=3) | {arg: value}
        refuse(f"gradient_flow_statistics({arg}={label})",
               lambda kw=kw: gradient_flow_statistics(**kw), exc,
               f"gradient_flow_statistics: {arg}")  # fmt: skip

for label, image, exc in [
    ("a string", "abc", Y),
    ("None", None, Y),
    ("1-D", np.zeros(3), V),
    ("no pixels", np.zeros((0, 3)), V),
    ("colour", np.zeros((2, 2, 3)), V),
    ("nan", [[NAN]], V),
    ("complex", [[1j]], Y),
]:
    refuse(f"low_rank_explorer(image {label})", lambda im=image: low_rank_explorer(im), exc,
           "low_rank_explorer: image")  # fmt: skip


def _renders(make, **values):
    def run():
        png = make().render(**values)
        assert png.startswith(b"\x89PNG"), "wrong: not a PNG"

    return run


for label, image in [
    ("zeros", np.zeros((3, 4))),
    ("1e300", np.full((3, 4), 1e300)),
    ("1e300 random", 1e300 * np.random.default_rng(0).random((3, 4))),
    ("1e-320", np.full((3, 4), 1e-320)),
    ("one pixel", np.ones((1, 1))),
    ("ints", np.arange(12).reshape(3, 4)),
]:
    accept(f"low_rank_explorer({label}).render", _renders(lambda im=image: low_rank_explorer(im)))

accept("descent_explorer lr max, 100 steps (rho^200 past 1e308)",
       _renders(descent_explorer, lr=10.0, steps=100, optimizer="GD"))  # fmt: skip

# ------------------------------------------------------------------ every explorer, every control

MINE = ("linear_algebra.", "calculus.", "optimization.")
BOOK = {k: f for k, f in all_explorers().items() if k.startswith(MINE)}


@functools.cache
def book(name: str) -> Explorer:
    return BOOK[name]()


def _bad_values(c) -> list[tuple]:
    if isinstance(c, Choice):
        return [("unknown", "nope", V), ("int", 3, Y), ("None", None, Y)]
    below = c.min / 2 if c.scale == "log" else c.min - c.step
    out = [("below min", below, V), ("above max", c.max + c.step, V), ("str", "1", Y),
           ("nan", NAN, V), ("inf", INF, V), ("bool", True, Y), ("None", None, Y),
           ("complex", 1j, Y)]  # fmt: skip
    return out + ([("fraction", c.min + 0.5, V)] if c.is_integer else [])


CONTROLS_OF = {name: book(name).controls for name in BOOK}
for name, controls in CONTROLS_OF.items():
    for c in controls:
        for label, value, exc in _bad_values(c):
            refuse(f"{name}.render({c.name}={label})",
                   lambda n=name, kw={c.name: value}: book(n).render(**kw), exc,
                   f"Explorer.render: {c.name}")  # fmt: skip
        ends = c.options if isinstance(c, Choice) else (c.min, c.max)
        for value in ends:
            accept(f"{name}.render({c.name}={value})",
                   _renders(lambda n=name: book(n), **{c.name: value}))  # fmt: skip
    sliders = [c for c in controls if isinstance(c, Slider)]
    choices = [c for c in controls if isinstance(c, Choice)]
    for combo in itertools.product(*(c.options for c in choices)):
        for end in ("min", "max"):
            values = {c.name: getattr(c, end) for c in sliders}
            values |= dict(zip((c.name for c in choices), combo, strict=True))
            accept(f"{name}.render(all {end}, {combo})", _renders(lambda n=name: book(n), **values))


# ------------------------------------------------------------------ the tests


@pytest.fixture(autouse=True)
def _runtime_warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


@pytest.mark.parametrize(("call", "exc", "prefix"), [c[1:] for c in REFUSALS],
                         ids=[c[0] for c in REFUSALS])  # fmt: skip
def test_refused_with_a_clear_message(call, exc, prefix):
    with pytest.raises(exc, match=pattern(prefix)):
        call()


@pytest.mark.parametrize("call", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted(call):
    call()


def test_low_rank_error_is_exact_for_a_zero_and_a_huge_image():
    for scale in (0.0, 1e300, 1e-320):
        explorer = low_rank_explorer(scale * np.outer([1.0, 2.0], [1.0, 0.0, 1.0]))
        explorer.render(k=1)
        caption = explorer._figure.axes[1].texts[1].get_text()
        assert caption.startswith("error 0.000"), caption


@SETTINGS
@given(value=st.one_of(st.floats(allow_nan=True), st.integers(-10, 10)))
def test_slider_check_returns_a_value_in_range_or_refuses(value):
    for slider in (CONTROLS[0], CONTROLS[1]):
        try:
            got = slider.check(value, "Explorer.render")
        except (TypeError, ValueError) as err:
            assert re.match(pattern(f"Explorer.render: {slider.name}"), str(err)), str(err)
        else:
            assert slider.min <= got <= slider.max
            assert isinstance(got, int) == slider.is_integer
