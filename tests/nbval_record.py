"""A pytest plugin recording the outputs of every notebook cell that nbval executes.

``make notebooks`` loads it (``PYTHONPATH=tests pytest -p nbval_record
--nbval-record=_build/nbval-outputs ...``). For each notebook it writes
``<dir>/<notebook path relative to the root>.json``: the notebook's path and, for each
code cell that ran, its index among all the notebook's cells and among its code cells
(nbval's "Cell N"), its source, nbval's
outcome (``passed``, ``failed``, ``skipped``) and the outputs as nbval received them
from the kernel. ``tests/reproducibility.py`` compares these with the book build's
executions, so that every notebook is executed twice without a third run.

With pytest-xdist (``--dist loadfile``: one notebook per worker), each worker writes the
notebooks it ran; the controller empties the directory once, before any worker starts.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

_RECORDS: dict[str, dict] = {}


def pytest_addoption(parser):
    parser.addoption(
        "--nbval-record",
        metavar="DIR",
        default=None,
        help="write the outputs of every cell nbval runs to DIR/<notebook>.json",
    )


def _directory(config) -> Path | None:
    value = config.getoption("nbval_record")
    return None if value is None else Path(value).resolve()


def pytest_configure(config):
    target = _directory(config)
    if target is not None and not hasattr(config, "workerinput"):  # the controller only
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True, exist_ok=True)


def _cell_index(item) -> int:
    """The cell's index among all the notebook's cells (nbval counts code cells only)."""
    return next(i for i, cell in enumerate(item.parent.nb.cells) if cell is item.cell)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when != "call" or not hasattr(item, "test_outputs") or not hasattr(item, "cell"):
        return
    report = outcome.get_result()
    path = os.path.relpath(item.path, item.config.rootpath)
    notebook = _RECORDS.setdefault(path, {"notebook": path, "cells": []})
    notebook["cells"].append(
        {
            "index": _cell_index(item),
            "code_cell": item.cell_num,
            "source": item.cell.source,
            "outcome": report.outcome,
            "outputs": [dict(o) for o in (item.test_outputs or [])],
        }
    )


def pytest_sessionfinish(session):
    target = _directory(session.config)
    if target is None:
        return
    for path, record in _RECORDS.items():
        out = target / f"{path}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(record, indent=1, default=str) + "\n", encoding="utf-8")
