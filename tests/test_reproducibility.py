"""The reproducibility check (``tests/reproducibility.py``) fails on real differences only.

Fake pairs of runs show what it compares and what it ignores; one end-to-end test runs a
small notebook under nbval with the recording plugin (``tests/nbval_record.py``) and
again as the book build does (executed and cached as MyST-NB does it), and the
check must name exactly the cells that print a clock or an unseeded random number.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
from reproducibility import (
    Difference,
    cache_executions,
    check,
    compare_cells,
    text_outputs,
    toc_notebooks,
)

TESTS = Path(__file__).resolve().parent
NB = "chapters/00-fake/01-section.ipynb"


def _stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def _result(data):
    return {"output_type": "execute_result", "data": data, "metadata": {}, "execution_count": 1}


def _cells(*outputs_per_cell):
    """A notebook (as JSON) whose code cells have these outputs, after a markdown cell."""
    cells = [{"cell_type": "markdown", "source": "# A section", "metadata": {}}]
    for i, outputs in enumerate(outputs_per_cell):
        cells.append(
            {
                "cell_type": "code",
                "source": f"cell_{i}()",
                "metadata": {},
                "outputs": outputs,
                "execution_count": i + 1,
            }
        )
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _record(notebook):
    """nbval's record of a notebook (what tests/nbval_record.py writes)."""
    cells = notebook["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    return [
        {
            "index": i,
            "code_cell": k,
            "source": cells[i]["source"],
            "outcome": "passed",
            "outputs": cells[i]["outputs"],
        }
        for k, i in enumerate(code)
    ]


def _write_pair(tmp_path, nbval_run, book_run):
    """nbval's record on disk and the book's execution; returns (records, executions)."""
    records = tmp_path / "records"
    (records / NB).parent.mkdir(parents=True)
    record = {"notebook": NB, "cells": _record(nbval_run)}
    (records / f"{NB}.json").write_text(json.dumps(record))
    book = {NB: [c for c in book_run["cells"] if c["cell_type"] == "code"]}
    return records, book.get


def test_identical_runs_pass(tmp_path):
    run = _cells([_stream("loss 0.25\n")], [_result({"text/plain": "array([1., 2.])"})])
    records, executed = _write_pair(tmp_path, run, copy.deepcopy(run))
    assert check([NB], records, executed) == []


def test_a_clock_and_an_unseeded_generator_fail_naming_notebook_and_cell(tmp_path):
    first = _cells(
        [_stream("seeded: 0.6369616873214543\n")],
        [_stream("1764614000.123\n")],  # print(time.time())
        [_result({"text/plain": "0.8133"})],  # np.random.default_rng().random()
    )
    second = copy.deepcopy(first)
    second["cells"][2]["outputs"] = [_stream("1764614003.456\n")]
    second["cells"][3]["outputs"] = [_result({"text/plain": "0.0425"})]
    records, executed = _write_pair(tmp_path, first, second)
    found = check([NB], records, executed)
    assert [(d.notebook, d.cell, d.code_cell) for d in found] == [(NB, 2, 1), (NB, 3, 2)]
    text = "\n".join(map(str, found))
    assert f"{NB}, cell 2 (nbval's Cell 1): stdout differs" in text
    assert "-1764614000.123" in text and "+1764614003.456" in text
    assert "display 0 (text/plain) differs" in text and "+0.0425" in text


def test_an_address_in_a_repr_fails(tmp_path):
    first = _cells([_result({"text/plain": "<object object at 0x7f3a2c1e8f70>"})])
    second = _cells([_result({"text/plain": "<object object at 0x7f91b0d2c6a0>"})])
    records, executed = _write_pair(tmp_path, first, second)
    assert len(check([NB], records, executed)) == 1


def test_an_output_present_in_one_run_only_fails(tmp_path):
    records, executed = _write_pair(tmp_path, _cells([_stream("a\n")]), _cells([]))
    (found,) = check([NB], records, executed)
    assert "stdout appears only in the nbval run" in found.message


def test_streams_merged_and_progress_bars_compared_as_shown():
    split = [_stream("ep"), _stream("och 1\n"), _stream("train:  50%|##  | 1/2\r")]
    split.append(_stream("train: 100%|####| 2/2\n"))
    merged = [_stream("epoch 1\ntrain: 100%|####| 2/2\n")]
    assert text_outputs(split) == text_outputs(merged) == {"stdout": merged[0]["text"]}


def test_figures_and_explorers_are_not_compared(tmp_path):
    """nbval runs explorers live (a widget), the book statically (HTML): both ignored."""
    figure = {"output_type": "display_data", "metadata": {}}
    live = figure | {
        "data": {
            "application/vnd.jupyter.widget-view+json": {"model_id": "3f2a"},
            "text/plain": "VBox(children=(HBox(...),))",
        }
    }
    html = '<figure class="mathdl-explorer">\n<figcaption>Taylor</figcaption>...</figure>'
    static = figure | {"data": {"text/html": html, "text/plain": "<Explorer: Taylor>"}}
    png_a = figure | {"data": {"image/png": "iVBOR...a", "text/plain": "<Figure size 640x480>"}}
    png_b = figure | {"data": {"image/png": "iVBOR...b", "text/plain": "<Figure size 640x480>"}}
    data_html = '<figure class="mathdl-explorer mathdl-data-explorer">...</figure>'
    data = figure | {"data": {"text/html": data_html, "text/plain": "<Explorer: Descent>"}}
    nbval_run = _cells([live], [png_a], [live])
    records, executed = _write_pair(tmp_path, nbval_run, _cells([static], [png_b], [data]))
    assert check([NB], records, executed) == []


def test_html_and_figure_reprs_are_compared(tmp_path):
    table_a = {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<td>0.1</td>"}}
    table_b = {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<td>0.7</td>"}}
    figure = {"output_type": "display_data", "metadata": {}}
    one = figure | {"data": {"image/png": "x", "text/plain": "<Figure size 640x480 with 1 Axes>"}}
    two = figure | {"data": {"image/png": "x", "text/plain": "<Figure size 640x480 with 2 Axes>"}}
    records, executed = _write_pair(tmp_path, _cells([table_a], [one]), _cells([table_b], [two]))
    assert [d.cell for d in check([NB], records, executed)] == [1, 2]


def test_errors_are_compared():
    a = [{"output_type": "error", "ename": "ValueError", "evalue": "bad 1", "traceback": []}]
    b = [{"output_type": "error", "ename": "ValueError", "evalue": "bad 2", "traceback": []}]
    assert text_outputs(a) != text_outputs(b)


def test_stale_or_missing_runs_are_reported(tmp_path):
    run = _cells([_stream("x\n")])
    edited = copy.deepcopy(run)
    edited["cells"][1]["source"] = "cell_0()  # edited since"
    records, executed = _write_pair(tmp_path, run, edited)
    (found,) = check([NB], records, executed)
    assert "stale" in found.message
    missing = check(["chapters/none.ipynb"], records, executed)
    assert [d.message for d in missing] == ["no nbval record: run `make notebooks`"]
    (records / "chapters" / "x.ipynb.json").write_text(json.dumps({"cells": []}))
    assert "run `make book`" in check(["chapters/x.ipynb"], records, executed)[0].message


def test_a_failed_nbval_cell_is_reported():
    notebook = _cells([_stream("x\n")])
    record = _record(notebook)
    record[0]["outcome"] = "failed"
    (found,) = compare_cells(NB, record, [c for c in notebook["cells"] if "outputs" in c])
    assert isinstance(found, Difference) and "failed" in found.message


def test_toc_notebooks_lists_existing_chapter_notebooks():
    notebooks = toc_notebooks()
    assert notebooks and all(n.endswith(".ipynb") for n in notebooks)
    assert all((TESTS.parent / n).exists() for n in notebooks)


SOURCES = [
    "import time\nimport numpy as np",
    "print('seeded', np.random.default_rng(0).random())",
    "print(time.time())",
    "np.random.default_rng().random()",
    "for i in range(3):\n    print('step', i, end='\\r')\nprint()",
]


def test_end_to_end_nbval_record_against_an_nbclient_run(tmp_path):
    """nbval + the plugin, then nbclient as the book; only the clock and RNG cells differ."""
    path = tmp_path / "chapters" / "demo.ipynb"
    path.parent.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Demo")])
    nb.cells += [nbformat.v4.new_code_cell(s) for s in SOURCES]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)
    env = os.environ | {"PYTHONPATH": str(TESTS)}
    args = ["-p", "nbval_record", "--nbval-record", "records", "--nbval-lax"]
    args += ["--nbval-current-env", "-p", "no:cacheprovider", "-q", "chapters/demo.ipynb"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    book = nbformat.read(path, as_version=4)  # executed and cached as MyST-NB does it
    result = single_nb_execution(
        book, cwd=str(path.parent), allow_errors=False, timeout=300, meta_override=True
    )
    assert result.err is None, result.err
    bundle = CacheBundleIn(book, uri=str(path))
    get_cache(str(tmp_path / "cache")).cache_notebook_bundle(bundle, check_validity=False)
    executions = cache_executions(tmp_path / "cache", tmp_path)
    found = check(["chapters/demo.ipynb"], tmp_path / "records", executions)
    assert [d.cell for d in found] == [3, 4], "\n".join(map(str, found))
    assert "nbval's Cell 2" in str(found[0]) and "stdout differs" in str(found[0])
