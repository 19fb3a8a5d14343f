"""Interactive explorers: one definition, live in Jupyter, precomputed on the website.

An :class:`Explorer` is a drawing function plus the controls that feed it
(:class:`Slider` for numbers, :class:`Choice` for a pick from a list). The book's
explorers live in :mod:`mathdl.explorers`, one module per chapter; this module is
only the mechanism.

How an explorer is defined
--------------------------
``draw(fig) -> update``: ``draw`` builds the figure **once** (axes, limits, labels,
and every artist that will move) and returns ``update(**values)``, which changes
those artists in place (``set_data``, ``set_ydata``, ``set_array``, ``set_text``,
``set_visible``) for one setting of the controls. Artists that move on every change
are created with ``animated=True``; everything else is the *background*.

Each :meth:`Explorer.render` calls ``update`` and then, if nothing but animated
artists changed (matplotlib's ``figure.stale`` stays false for them), pastes the
stored background and draws only the animated artists on it: a move costs a few
milliseconds. If ``update`` touched the background (new axis limits, say), the
whole figure is drawn once more and the new background stored. A missing
``animated=True`` therefore costs speed, never correctness; ``update`` should
only touch background artists when their values really change.

The two forms share every line of drawing code:

* **live** (Jupyter, the default): ipywidgets controls; each change calls
  :meth:`Explorer.render` and shows the new PNG (encoded fast, lossless).
* **static** (the book build, ``MATHDL_WIDGETS=static``): :meth:`Explorer.frames`
  renders every combination of the controls' ``static`` values; the frames go into
  the page as data, and ``book/_static/mathdl-explorer.js`` swaps them as the
  reader moves the controls. No kernel and no network are needed.

The website markup is the controls (:meth:`Explorer.controls_html`) followed by the
form's body (:meth:`Explorer.frames_html`); a form that ships data for the local
script to draw would be a second body beside it. A chapter displays an explorer as
the last expression of a cell; Jupyter picks the form through ``_repr_mimebundle_``.

Examples
--------
>>> def draw(fig):
...     ax = fig.subplots()
...     (line,) = ax.plot([0, 1], [0, 0], animated=True)
...     ax.set(ylim=(-2, 2))
...     def update(slope):
...         line.set_ydata([0, slope])
...     return update
>>> explorer = Explorer(draw, [Slider("slope", -2, 2, 0.1, 1.0, (-1.0, 1.0))], title="a line")
>>> explorer.render(slope=0.5)[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import os
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from mathdl._validation import _kind, check_callable, check_choice, check_int, check_real

STATIC_ENV = "MATHDL_WIDGETS"


def static_mode() -> bool:
    """True when explorers should render their precomputed website form.

    The book build sets ``MATHDL_WIDGETS=static``; Jupyter sessions leave it unset.
    """
    return os.environ.get(STATIC_ENV, "live") == "static"


def _check_name(name, func: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{func}: name must be a Python identifier string, got {_kind(name)}")
    if not name.isidentifier():
        raise ValueError(f"{func}: name must be a Python identifier, got {name!r}")
    return name


def _check_label(label, func: str) -> None:
    if label is not None and not isinstance(label, str):
        raise TypeError(f"{func}: label must be a string or None, got {_kind(label)}")


@dataclass(frozen=True)
class Slider:
    """A numeric control of an explorer.

    Parameters
    ----------
    name : str
        Keyword passed to ``update``.
    min, max, step, value : float
        Range, resolution (> 0) and start value of the live slider.
    static : sequence of float
        The distinct values offered on the website (each one is a precomputed frame);
        must contain ``value`` and lie within ``[min, max]``. A 1-D numpy array is
        accepted as a sequence.
    label : str, optional
        Text shown next to the slider; defaults to ``name``.
    scale : {"linear", "log"}, default "linear"
        ``"log"``: the live slider moves the exponent (``ipywidgets.FloatLogSlider``,
        ``step`` in decades); needs ``min > 0``.

    Raises
    ------
    TypeError
        If a number is not a real number, ``name`` or ``label`` is not a string, or
        ``static`` is not a sequence.
    ValueError
        If ``name`` is not an identifier, ``step <= 0``, ``value`` or a static value
        leaves ``[min, max]``, the static values repeat one, or they do not contain
        ``value``.

    Examples
    --------
    >>> Slider("k", 1, 10, 1, 2, (1, 2, 5)).is_integer
    True
    >>> Slider("k", 1, 10, 0, 2, (1, 2, 5))
    Traceback (most recent call last):
    ...
    ValueError: Slider: step must be > 0, got 0.0
    """

    name: str
    min: float
    max: float
    step: float
    value: float
    static: tuple[float, ...]
    label: str | None = None
    scale: str = "linear"

    def __post_init__(self):
        func = "Slider"
        _check_name(self.name, func)
        _check_label(self.label, func)
        check_choice(self.scale, func, "scale", ("linear", "log"))
        lo = check_real(self.min, func, "min", min=0 if self.scale == "log" else None,
                        min_open=self.scale == "log")  # fmt: skip
        hi = check_real(self.max, func, "max", min=lo)
        check_real(self.step, func, "step", min=0, min_open=True)
        check_real(self.value, func, "value", min=lo, max=hi)
        static = self.static
        if isinstance(static, np.ndarray) and static.ndim == 1:
            static = static.tolist()
        if isinstance(static, str | bytes) or not isinstance(static, Sequence):
            raise TypeError(f"{func}: static must be a sequence of numbers, got {_kind(static)}")
        static = tuple(static)
        object.__setattr__(self, "static", static)
        for v in static:
            check_real(v, func, "static values", min=lo, max=hi)
        repeated = sorted({v for v in static if static.count(v) > 1})
        if repeated:
            raise ValueError(f"{func}: static values {static} repeat {repeated}")
        if self.value not in static:
            raise ValueError(f"{func}: static values {static} must contain value {self.value}")

    @property
    def is_integer(self) -> bool:
        """Whether every setting of the slider is a whole number."""
        return all(float(v).is_integer() for v in (self.min, self.max, self.step, *self.static))

    def check(self, value, func: str):
        """``value`` as the int or float ``update`` receives, or a clear error."""
        value = check_real(value, func, self.name, min=self.min, max=self.max)
        if not self.is_integer:
            return value
        if not value.is_integer():
            raise ValueError(f"{func}: {self.name} must be a whole number, got {value}")
        return int(value)

    def live(self):
        """An ipywidgets slider (integer or float) over ``[min, max]``."""
        import ipywidgets as w

        if self.scale == "log":
            return w.FloatLogSlider(
                value=self.value, base=10, min=np.log10(self.min), max=np.log10(self.max),
                step=self.step, description=self.label or self.name, continuous_update=True,
            )  # fmt: skip
        cls, cast = (w.IntSlider, int) if self.is_integer else (w.FloatSlider, float)
        bounds = dict(value=self.value, min=self.min, max=self.max, step=self.step)
        return cls(
            **{k: cast(v) for k, v in bounds.items()},
            description=self.label or self.name,
            continuous_update=True,
        )

    def html(self) -> str:
        """A range input over the indices of the static values."""
        label = html.escape(self.label or self.name)
        values = html.escape(json.dumps([f"{v:g}" for v in self.static]))
        return (
            f'<label class="mathdl-control"><span>{label}</span>'
            f'<input type="range" min="0" max="{len(self.static) - 1}" step="1" '
            f'value="{self.static.index(self.value)}" data-values="{values}" aria-label="{label}">'
            f"<output>{self.value:g}</output></label>"
        )


@dataclass(frozen=True)
class Choice:
    """A control that picks one of a few named options (a function, an activation...).

    Parameters
    ----------
    name : str
        Keyword passed to ``update`` (it receives the option string).
    options : sequence of str
        Every option, distinct; all of them are precomputed on the website. A single
        string is refused (it would be read as its letters).
    value : str
        The start option.
    label : str, optional
        Text shown next to the control; defaults to ``name``.

    Examples
    --------
    >>> Choice("f", ("sin", "cos"), "sin").static
    ('sin', 'cos')
    >>> Choice("f", "abc", "a")
    Traceback (most recent call last):
    ...
    TypeError: Choice: options must be a sequence of strings, not the string 'abc'
    """

    name: str
    options: tuple[str, ...]
    value: str
    label: str | None = None

    def __post_init__(self):
        func = "Choice"
        _check_name(self.name, func)
        _check_label(self.label, func)
        if isinstance(self.options, str):
            raise TypeError(
                f"{func}: options must be a sequence of strings, not the string {self.options!r}"
            )
        if not isinstance(self.options, Sequence) or not all(
            isinstance(o, str) for o in self.options
        ):
            raise TypeError(f"{func}: options must be a sequence of strings, got {self.options!r}")
        options = tuple(self.options)
        if not options or len(set(options)) != len(options):
            raise ValueError(f"{func}: options must be distinct and not empty, got {options}")
        object.__setattr__(self, "options", options)
        check_choice(self.value, func, "value", options)

    @property
    def static(self) -> tuple[str, ...]:
        """On the website every option is offered."""
        return self.options

    def check(self, value, func: str) -> str:
        """``value`` if it is one of the options; the message lists them."""
        return check_choice(value, func, self.name, self.options)

    def live(self):
        """An ipywidgets drop-down."""
        import ipywidgets as w

        return w.Dropdown(
            options=self.options, value=self.value, description=self.label or self.name
        )

    def html(self) -> str:
        """A ``<select>`` whose selected index picks the frame."""
        label = html.escape(self.label or self.name)
        options = "".join(
            f"<option{' selected' if o == self.value else ''}>{html.escape(o)}</option>"
            for o in self.options
        )
        return (
            f'<label class="mathdl-control"><span>{label}</span>'
            f'<select aria-label="{label}">{options}</select></label>'
        )


Control = Slider | Choice


def _check_controls(controls) -> tuple[Control, ...]:
    func = "Explorer"
    if isinstance(controls, str) or not isinstance(controls, Sequence):
        raise TypeError(
            f"{func}: controls must be a sequence of Slider or Choice, got {controls!r}"
        )
    for c in controls:
        if not isinstance(c, Slider | Choice):
            raise TypeError(f"{func}: controls must be Slider or Choice, got {c!r}")
    names = [c.name for c in controls]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"{func}: controls must be at least one, with unique names, got {names}")
    return tuple(controls)


class Explorer:
    """An interactive figure: controls feeding a figure that is drawn once and updated.

    Parameters
    ----------
    draw : callable
        ``draw(fig) -> update``: builds the figure on a fresh
        :class:`matplotlib.figure.Figure` and returns ``update(**values)``, which moves
        the artists in place (see the module docstring). Called on the first render.
    controls : sequence of Slider or Choice
        Their names are the keywords of ``update``.
    title : str
        Shown above the figure and used as the image's alt text.
    figsize : (float, float)
        Figure size in inches.
    dpi : int
        Resolution of the PNG frames.

    Attributes
    ----------
    redraws : int
        Full draws of the figure so far; a move that only changes animated artists adds
        none (the benchmark and the tests read it).

    Raises
    ------
    TypeError
        If ``draw`` is not callable, ``controls`` is not a sequence of controls or
        ``title`` is not a string.
    ValueError
        If there are no controls or two share a name.
    """

    def __init__(
        self,
        draw: Callable[[Figure], Callable[..., None]],
        controls: Sequence[Control],
        *,
        title: str,
        figsize: tuple[float, float] = (7.0, 3.5),
        dpi: int = 90,
    ):
        self.draw = check_callable(draw, "Explorer", "draw")
        self.controls = _check_controls(controls)
        if not isinstance(title, str):
            raise TypeError(f"Explorer: title must be a string, got {title!r}")
        self.title = title
        if (
            isinstance(figsize, str | bytes)
            or not isinstance(figsize, Sequence)
            or len(figsize) != 2
        ):
            raise TypeError(
                f"Explorer: figsize must be a pair (width, height), got {_kind(figsize)}"
            )
        self.figsize = tuple(check_real(s, "Explorer", "figsize", min=0.5) for s in figsize)
        self.dpi = check_int(dpi, "Explorer", "dpi", min=10)
        self._figure: Figure | None = None
        self._update: Callable[..., None] | None = None
        self._moving: list = []  # the animated artists, drawn on every render
        self._background = None  # the pixels of everything else, from the last full draw
        self.redraws = 0  # full draws so far: a move that only moves artists adds none

    def defaults(self) -> dict:
        """The start value of every control."""
        return {c.name: c.value for c in self.controls}

    def _values(self, values: dict) -> dict:
        """``values`` checked against the controls, missing ones filled with defaults."""
        known = {c.name: c for c in self.controls}
        unknown = set(values) - set(known)
        if unknown:
            raise TypeError(
                f"Explorer.render: unknown controls {sorted(unknown)}; known: {list(known)}"
            )
        return {n: c.check(values.get(n, c.value), "Explorer.render") for n, c in known.items()}

    def _setup(self) -> None:
        """Build the figure once and find the artists that move."""
        fig = Figure(figsize=self.figsize, dpi=self.dpi)
        FigureCanvasAgg(fig)
        update = self.draw(fig)
        check_callable(update, "Explorer", "the value returned by draw")
        self._figure, self._update = fig, update
        moving = _animated_artists(fig)
        self._moving = sorted(moving, key=lambda a: a.get_zorder())  # stable: tree order ties

    def pixels(self, **values) -> np.ndarray:
        """Update the figure for ``values`` (missing ones take their defaults); RGB pixels.

        Returns
        -------
        (height, width, 3) uint8 array
            A view of the canvas, valid until the next render.
        """
        values = self._values(values)
        if self._figure is None:
            self._setup()
        fig = self._figure
        self._update(**values)
        if fig.stale or self._background is None:  # the background changed: draw it all
            fig.canvas.draw()  # skips animated artists
            self._background = fig.canvas.copy_from_bbox(fig.bbox)
            self.redraws += 1
        else:
            fig.canvas.restore_region(self._background)
        renderer = fig.canvas.get_renderer()
        for artist in self._moving:
            artist.draw(renderer)
        return np.asarray(fig.canvas.buffer_rgba())[:, :, :3]  # (h, w, 3)

    def render(self, **values) -> bytes:
        """:meth:`pixels` for ``values`` as PNG bytes (lossless, encoded fast).

        Raises
        ------
        TypeError
            For an unknown control or a value of the wrong type.
        ValueError
            For a slider value outside its range or an unknown option.
        """
        return _fast_png(self.pixels(**values))

    # -- live form ---------------------------------------------------------------------------
    def widget(self):
        """The live form: ipywidgets controls above an image that updates on every move."""
        import ipywidgets as w

        image = w.Image(value=self.render(), format="png")
        controls = {c.name: c.live() for c in self.controls}

        def update(_change):
            image.value = self.render(**{name: c.value for name, c in controls.items()})

        for control in controls.values():
            control.observe(update, names="value")
        title = w.HTML(f"<b>{html.escape(self.title)}</b>")
        return w.VBox([title, *controls.values(), image])

    # -- static form -------------------------------------------------------------------------
    def grid(self) -> list[dict]:
        """Every combination of the controls' static values, row-major in control order."""
        names = [c.name for c in self.controls]
        combos = itertools.product(*(c.static for c in self.controls))
        return [dict(zip(names, combo, strict=True)) for combo in combos]

    def frames(self) -> list[bytes]:
        """Compact PNG frames for :meth:`grid`, in the same row-major order."""
        return [_site_png(self.pixels(**values)) for values in self.grid()]

    def controls_html(self) -> str:
        """The website's controls: one range input or ``<select>`` per control."""
        return "\n".join(c.html() for c in self.controls)

    def frames_html(self) -> str:
        """The frame form's body: the start frame and every frame as inline JSON data."""
        frames = [base64.b64encode(f).decode("ascii") for f in self.frames()]
        start = int(
            np.ravel_multi_index(
                [c.static.index(c.value) for c in self.controls],
                [len(c.static) for c in self.controls],
            )
        )
        data = json.dumps({"shape": [len(c.static) for c in self.controls], "frames": frames})
        return (
            f'<img class="mathdl-frame" alt="{html.escape(self.title)}" '
            f'src="data:image/png;base64,{frames[start]}">\n'
            f'<script type="application/json" class="mathdl-frames">{data}</script>'
        )

    def static_html(self) -> str:
        """The website form: a figure with the controls and the frame form's body."""
        caption = html.escape(self.title)
        return (
            f'<figure class="mathdl-explorer">\n<figcaption>{caption}</figcaption>\n'
            f'<div class="mathdl-controls">\n{self.controls_html()}\n</div>\n'
            f"{self.frames_html()}\n</figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        if static_mode():
            return {"text/html": self.static_html(), "text/plain": f"<Explorer: {self.title}>"}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


#: Quantisation of the data form: coordinates relative to the plot box, in [-1, 2] over
#: uint16; log10 of losses in [-16, 16] over uint8.
BOX_RANGE, LOG_RANGE = (-1.0, 2.0), (-16.0, 16.0)


class DataExplorer(Explorer):
    """An explorer whose website form is data drawn by the local script, not frames.

    For fine grids of controls (learning rates, momenta) where one PNG per combination
    would be too heavy. The live form is :class:`Explorer`'s (the same ``draw``). The
    website form ships, from ``data()``:

    * ``scenes``: a list of backgrounds, each ``dict(pixels=(h, w, 3) uint8, box=[x0, y0,
      x1, y1] (the plot box in image pixels, origin top-left), xlim, ylim, L)``;
    * ``records``: a list of trajectories, each ``dict(points=(n, 2), losses=(n,),
      diverged_at=int or None, message=str, rate=float or None, scene=int)``;
    * ``record_of(**values) -> int``: the record for each static setting of every
      control but the ``truncate`` one (a Slider of step counts: the script shows the
      first ``steps + 1`` points).

    Points are stored as uint16 relative to their scene's box (``BOX_RANGE``), losses as
    uint8 of ``log10`` (``LOG_RANGE``), zlib-compressed and base64-encoded.
    """

    def __init__(self, draw, controls, data, *, title, figsize=(7.0, 3.5), dpi=90):
        super().__init__(draw, controls, title=title, figsize=figsize, dpi=dpi)
        self.data = check_callable(data, "DataExplorer", "data")

    def frames(self) -> list[bytes]:
        raise TypeError("DataExplorer.frames: the website form is data (data_html), not frames")

    def data_payload(self) -> dict:
        """The JSON the page carries (see the class docstring)."""
        d = self.data()
        keyed = [c for c in self.controls if c.name != d["truncate"]]
        lookup = [
            d["record_of"](**dict(zip([c.name for c in keyed], combo, strict=True)))
            for combo in itertools.product(*(c.static for c in keyed))
        ]
        records = d["records"]
        coords, logs, reasons = [], [], []
        for r in records:
            qc, ql = _quantised(r, d["scenes"][r["scene"]])
            coords.append(qc)
            logs.append(ql)
            reasons.append(r["message"].split(": ", 1)[1] if r["diverged_at"] else "")
        reason_list = sorted(set(reasons) - {""})
        deltas = np.concatenate([np.diff(c, axis=0, prepend=0) for c in coords]) % 65536
        planes = deltas.astype("<u2").view(np.uint8).reshape(-1, 2)  # (2 T, 2): low, high
        blob = b"".join(
            [
                np.ascontiguousarray(planes[:, 0]).tobytes(),
                np.ascontiguousarray(planes[:, 1]).tobytes(),
                (np.concatenate([np.diff(q, prepend=0) for q in logs]) % 256)
                .astype(np.uint8)
                .tobytes(),
            ]
        )
        return {
            "controls": [c.name for c in self.controls],
            "keyed": [self.controls.index(c) for c in keyed],
            "truncate": [c.name for c in self.controls].index(d["truncate"]),
            "lookup": base64.b64encode(np.array(lookup, "<u2").tobytes()).decode("ascii"),
            "rate_of": {i: round(r["rate"], 7) for i, r in enumerate(records) if r["rate"]},
            "lengths": [len(q) for q in logs],
            "runs": [len(r["points"]) for r in records],
            "status": [reason_list.index(x) + 1 if x else 0 for x in reasons],
            "reasons": reason_list,
            "scenes": [_scene_json(s) for s in d["scenes"]],
            "scene": [r["scene"] for r in records],
            "box_range": BOX_RANGE,
            "log_range": LOG_RANGE,
            "blob": base64.b64encode(zlib.compress(blob, 9)).decode("ascii"),
        }

    def data_html(self) -> str:
        """The data form's body: background image, two canvases, a status line, the data."""
        payload = json.dumps(self.data_payload(), separators=(",", ":"))
        return (
            '<div class="mathdl-data-view"><div class="mathdl-plot">'
            f'<img class="mathdl-background" alt="{html.escape(self.title)}">'
            '<canvas class="mathdl-path"></canvas></div>'
            '<canvas class="mathdl-loss" width="340" height="288"></canvas></div>\n'
            '<p class="mathdl-status" role="status"></p>\n'
            f'<script type="application/json" class="mathdl-data">{payload}</script>'
        )

    def static_html(self) -> str:
        """The website form: the controls and the data form's body."""
        caption = html.escape(self.title)
        return (
            f'<figure class="mathdl-explorer mathdl-data-explorer">\n'
            f"<figcaption>{caption}</figcaption>\n"
            f'<div class="mathdl-controls">\n{self.controls_html()}\n</div>\n'
            f"{self.data_html()}\n</figure>"
        )


def _quantised(record: dict, scene: dict) -> tuple[np.ndarray, np.ndarray]:
    """Integer points (m, 2) and log-losses (m,), the repeated tail (converged) cut off."""
    box = np.array([scene["xlim"], scene["ylim"]], float)  # (2, 2): rows x, y
    u = (np.asarray(record["points"], float) - box[:, 0]) / (box[:, 1] - box[:, 0])  # (n, 2)
    qc = _quantise(u, BOX_RANGE, 65535).astype(np.int64)
    ql = _quantise(np.log10(np.maximum(record["losses"], 1e-300)), LOG_RANGE, 255)
    rows = np.column_stack([qc, ql.astype(np.int64)])  # (n, 3)
    moving = np.flatnonzero(np.any(rows != rows[-1], axis=1))
    keep = moving[-1] + 2 if moving.size else 1
    return qc[:keep], ql[:keep].astype(np.int64)


def _quantise(v: np.ndarray, bounds, top: int) -> np.ndarray:
    lo, hi = bounds
    return np.rint(np.clip((v - lo) / (hi - lo), 0.0, 1.0) * top)


def _scene_json(scene: dict) -> dict:
    src = base64.b64encode(_site_png(scene["pixels"])).decode("ascii")
    h, w, _ = scene["pixels"].shape
    box = [round(float(b), 2) for b in scene["box"]]
    return dict(src=src, size=[w, h], box=box, xlim=list(scene["xlim"]),
                ylim=list(scene["ylim"]), L=scene["L"])  # fmt: skip


def decode_data(payload: dict) -> list[dict]:
    """The records of a :meth:`DataExplorer.data_payload`, decoded as the local script does.

    Returns
    -------
    list of dict
        ``points`` (n, 2) and ``losses`` (n,) (10 ** the decoded log), ``status``.
    """
    if not isinstance(payload, dict):
        raise TypeError(f"decode_data: payload must be a dict, got {_kind(payload)}")
    missing = sorted(set(_PAYLOAD_KEYS) - set(payload))
    if missing:
        raise ValueError(f"decode_data: payload lacks {missing}")
    blob = np.frombuffer(zlib.decompress(base64.b64decode(payload["blob"])), np.uint8)
    lengths = np.array(payload["lengths"])
    total = int(lengths.sum())
    low, high = blob[: 2 * total].astype(np.int64), blob[2 * total : 4 * total].astype(np.int64)
    deltas = (low + 256 * high).reshape(total, 2)  # (total, 2)
    log_deltas = blob[4 * total :].astype(np.int64)
    (blo, bhi), (llo, lhi) = payload["box_range"], payload["log_range"]
    out, start = [], 0
    for n, run, s, status in zip(
        lengths, payload["runs"], payload["scene"], payload["status"], strict=True
    ):
        pad = np.minimum(np.arange(run), n - 1) + start  # the converged tail repeats
        coords = np.cumsum(deltas[start : start + n], axis=0) % 65536
        logs = np.cumsum(log_deltas[start : start + n]) % 256
        sc = payload["scenes"][s]
        box = np.array([sc["xlim"], sc["ylim"]], float)  # (2, 2)
        u = blo + coords[pad - start] / 65535 * (bhi - blo)  # (run, 2)
        points = box[:, 0] + u * (box[:, 1] - box[:, 0])
        losses = 10 ** (llo + logs[pad - start] / 255 * (lhi - llo))
        out.append(dict(points=points, losses=losses, status=status))
        start += n
    return out


_PAYLOAD_KEYS = ("blob", "lengths", "runs", "scene", "status", "box_range", "log_range", "scenes")


def _animated_artists(artist) -> list:
    """The outermost animated artists under ``artist``, in drawing-tree order.

    Their parts (a legend's texts, say) are marked animated too: a change to a part is
    then drawn with its artist and does not mark the background stale.
    """
    found = []
    for child in artist.get_children():
        if child.get_animated():
            found.append(child)
            for part in child.findobj():
                part.set_animated(True)
        else:
            found += _animated_artists(child)
    return found


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _fast_png(pixels: np.ndarray) -> bytes:
    """Lossless RGB PNG, quick to encode (half PIL's time): the "up" filter and zlib level 1.

    Each row is stored as its difference from the row above (PNG filter type 2), which
    is zero almost everywhere in a plot, so the fastest zlib level compresses it well.
    """
    h, w, _ = pixels.shape
    flat = pixels.reshape(h, 3 * w)  # (h, 3w) RGB bytes per row
    rows = np.empty((h, 1 + 3 * w), np.uint8)  # (h, 1 + 3w): filter byte, then the row
    rows[:, 0] = 2
    rows[0, 1:] = flat[0]
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])  # wraps modulo 256, as PNG wants
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _site_png(pixels: np.ndarray) -> bytes:
    """A compact PNG for the website: a 64-colour palette, a third of the bytes, same look."""
    image = Image.fromarray(np.ascontiguousarray(pixels))
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(
        out, format="png", optimize=True
    )
    return out.getvalue()
