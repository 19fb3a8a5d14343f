"""A progress bar for training loops whose printed text is the same on every run.

A plain ``tqdm`` bar prints timings (``12.3it/s``) and refreshes whenever a clock
says so, so a notebook executed twice prints different text. :func:`progress`
fixes both: the bar has no timing fields and it redraws at fixed counts only.

In Jupyter the bar moves in place, by carriage returns. A static page cannot move, and
the book build keeps every redraw of a stream as a line of its own, so in the book build
(``MATHDL_WIDGETS=static``, :func:`mathdl.widgets.static_mode`) the bar draws into a
buffer and prints its final state once, when the loop ends: the text a terminal would
show at the end in both cases.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable

from mathdl._validation import _kind, check_int

__all__ = ["progress"]

_FORMAT = "{desc}: {percentage:3.0f}%|{bar:20}| {n_fmt}/{total_fmt}{postfix}"


def progress(iterable: Iterable, desc: str, total: int | None = None, updates: int = 10):
    r"""Wrap ``iterable`` in a deterministic ``tqdm`` bar on standard output.

    Parameters
    ----------
    iterable : iterable
        What the loop runs over, e.g. ``range(epochs)``.
    desc : str
        The label in front of the bar.
    total : int, optional
        The number of items; taken from ``len(iterable)`` when it has one.
    updates : int
        How many times the bar is redrawn, at evenly spaced counts.

    Returns
    -------
    tqdm.tqdm, or in the book build a wrapper around one
        Iterate over it; ``set_postfix_str`` adds text such as the current loss.

    Raises
    ------
    TypeError
        If ``iterable`` is not iterable (or has no ``len`` and no ``total`` is given),
        ``desc`` is not a str, or ``total`` or ``updates`` is not an int.
    ValueError
        If ``total < 0`` or ``updates < 1``.

    Examples
    --------
    >>> import contextlib, io
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stdout(out):
    ...     for _ in progress(range(4), "train", updates=2):
    ...         pass
    >>> out.getvalue().split("\r")[-1]
    'train: 100%|████████████████████| 4/4\n'
    """
    from tqdm import tqdm

    try:
        iter(iterable)
    except TypeError:
        raise TypeError(f"progress: iterable must be iterable, got {_kind(iterable)}") from None
    if not isinstance(desc, str):
        raise TypeError(f"progress: desc must be a str, got {_kind(desc)}")
    if total is None:
        try:
            total = len(iterable)
        except TypeError:
            raise TypeError(
                f"progress: iterable ({type(iterable).__name__}) has no len(); pass total"
            ) from None
    total = check_int(total, "progress", "total", min=0)
    updates = check_int(updates, "progress", "updates", min=1)
    from mathdl.widgets import static_mode

    tqdm.monitor_interval = 0  # no monitor thread re-timing the bar
    static = static_mode()
    bar = tqdm(
        iterable,
        desc=desc,
        total=total,
        file=io.StringIO() if static else sys.stdout,
        bar_format=_FORMAT,
        mininterval=0,
        maxinterval=float("inf"),
        miniters=max(1, total // updates),
        ascii=False,
        dynamic_ncols=False,
        ncols=80,
    )
    return _FinalState(bar) if static else bar


class _FinalState:
    """A tqdm bar drawing into a buffer; the bar's last state is printed when the loop ends."""

    def __init__(self, bar):
        self.bar = bar

    def __iter__(self):
        try:
            yield from self.bar
        finally:
            self.bar.close()
            last = self.bar.fp.getvalue().rstrip("\n").split("\r")[-1]
            print(last, file=sys.stdout)

    def __len__(self) -> int:
        return len(self.bar)

    def __getattr__(self, name):  # set_postfix_str, n, total ... of the bar itself
        return getattr(self.bar, name)
