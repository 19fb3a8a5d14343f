"""A progress bar for training loops whose printed text is the same on every run.

A plain ``tqdm`` bar prints timings (``12.3it/s``) and refreshes whenever a clock
says so, so a notebook executed twice prints different text. :func:`progress`
fixes both: the bar has no timing fields and it redraws at fixed counts only.
"""

from __future__ import annotations

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
    tqdm.tqdm
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
    tqdm.monitor_interval = 0  # no monitor thread re-timing the bar
    return tqdm(
        iterable,
        desc=desc,
        total=total,
        file=sys.stdout,
        bar_format=_FORMAT,
        mininterval=0,
        maxinterval=float("inf"),
        miniters=max(1, total // updates),
        ascii=False,
        dynamic_ncols=False,
        ncols=80,
    )
