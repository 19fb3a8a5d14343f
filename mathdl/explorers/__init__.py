"""The book's explorers, one module per chapter; the mechanism is :mod:`mathdl.widgets`.

* :mod:`mathdl.explorers.linear_algebra` -- :func:`~.linear_algebra.matrix_explorer`,
  :func:`~.linear_algebra.low_rank_explorer`;
* :mod:`mathdl.explorers.calculus` -- :func:`~.calculus.taylor_explorer`,
  :func:`~.calculus.gradient_flow_explorer`;
* :mod:`mathdl.explorers.probability` -- :func:`~.probability.clt_explorer`,
  :func:`~.probability.beta_bernoulli_explorer`;
* :mod:`mathdl.explorers.information` -- :func:`~.information.kl_explorer`;
* :mod:`mathdl.explorers.optimization` -- :func:`~.optimization.descent_explorer` (a
  :class:`~mathdl.widgets.DataExplorer`), :func:`~.optimization.momentum_plane_explorer`;
* :mod:`mathdl.explorers.convolution` -- :func:`~.convolution.conv_explorer`.

An explorer module imports the math it shows (``mathdl.linalg``, ``mathdl.nn``...);
the math never imports an explorer. :func:`all_explorers` lists every explorer of the
book, for the benchmark and the tests.
"""

from __future__ import annotations

from collections.abc import Callable

from mathdl.widgets import Explorer

CHAPTERS = (
    "linear_algebra",
    "calculus",
    "probability",
    "information",
    "optimization",
    "convolution",
)


def all_explorers() -> dict[str, Callable[[], Explorer]]:
    """Every explorer of the book: ``"module.name"`` -> a factory taking no arguments.

    Found, not listed by hand: each public ``*_explorer`` function of each chapter
    module in :data:`CHAPTERS`. One that needs data gets the book's data:
    ``low_rank_explorer`` the image of the SVD section
    (:func:`~.linear_algebra.book_image`).

    Examples
    --------
    >>> sorted(all_explorers())  # doctest: +NORMALIZE_WHITESPACE
    ['calculus.gradient_flow_explorer', 'calculus.taylor_explorer',
     'convolution.conv_explorer', 'information.kl_explorer', 'linear_algebra.low_rank_explorer',
     'linear_algebra.matrix_explorer', 'optimization.descent_explorer',
     'optimization.momentum_plane_explorer', 'probability.beta_bernoulli_explorer',
     'probability.clt_explorer']
    """
    import importlib

    from mathdl.explorers import linear_algebra

    data = {"linear_algebra.low_rank_explorer": lambda f: f(linear_algebra.book_image())}
    found = {}
    for chapter in CHAPTERS:
        module = importlib.import_module(f"mathdl.explorers.{chapter}")
        for name in module.__all__:
            if name.endswith("_explorer"):
                key, factory = f"{chapter}.{name}", getattr(module, name)
                found[key] = _bind(factory, data.get(key))
    return found


def _bind(factory, call) -> Callable[[], Explorer]:
    """``factory`` itself, or a zero-argument wrapper that feeds it its data."""
    return factory if call is None else lambda: call(factory)
