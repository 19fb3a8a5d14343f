"""Every notebook executed twice must print the same text: nbval's run against the book's.

Usage: ``.venv/bin/python tests/reproducibility.py [NOTEBOOK ...]`` (``make
reproducibility``, part of ``make test`` after ``notebooks`` and ``book``). No notebook
is executed here. ``make notebooks`` records what nbval's kernel printed for every cell
(``tests/nbval_record.py``, into ``_build/nbval-outputs/``); the book build keeps its own
execution of every notebook in its execution cache (``_build/.jupyter_cache``, MyST-NB's
``execute_notebooks: cache``). The two runs are compared cell by cell, and any
difference fails, naming the notebook, the cell and a diff: an unseeded generator, a
clock, a memory address (``<object at 0x7f...>``) or an iteration order that changes
between runs shows up here.

The book's side is read from the cache, not from ``_build/jupyter_execute/``: the copies
there have their streams rewritten by ``nb_merge_streams`` (MyST-NB merges a cell's
streams for the page in place, stripping each fragment and adding a newline, and leaves
the original fragments after the merged one), so they no longer hold what the kernel
printed. The cache holds the executed code cells as the kernel produced them; the entry
used is the one whose code is the notebook's current code.

What is compared, in each code cell:

* the standard output and standard error, each as one text (all of a cell's fragments
  joined), after the terminal's carriage returns and backspaces are applied (so a
  progress bar compares by what it finally shows);
* every error (its name and message);
* every display or result: its text representations (``text/plain``, ``text/markdown``,
  ``text/latex``, ``text/html``), e.g. a value's repr or a figure's ``<Figure size ...>``.

Not compared: images (the pixels of figures), and explorers and other widgets entirely.
The latter is deliberate: nbval runs with ``MATHDL_WIDGETS`` unset, so an explorer
displays a live ipywidget (``application/vnd.jupyter.widget-view+json``, with a
``VBox(...)`` fallback), while the book runs with ``MATHDL_WIDGETS=static`` and the same
cell displays the explorer's HTML (``<figure class="mathdl-explorer ...">``, with an
``<Explorer: ...>`` fallback). Both runs use one BLAS and one OpenMP thread (the Makefile
sets them), so floating-point sums are ordered alike.

Which notebooks: every notebook under ``chapters/`` that ``_toc.yml`` lists (or those
named). Each must have an nbval record and an execution of its current code in the
book's cache, and neither run may predate the last change to ``mathdl``; otherwise the
check fails and says which command to rerun.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "_build" / "nbval-outputs"
CACHE = ROOT / "_build" / ".jupyter_cache"
TEXT_MIMES = ("text/plain", "text/markdown", "text/latex", "text/html")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EXPLORER_HTML = '<figure class="mathdl-explorer'  # Explorer.static_html (DataExplorer too)
_BACKSPACE = re.compile("[^\n]\x08")  # a character, then a backspace
_CARRIAGE = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)

#: The book's execution of a notebook: its code cells, each {"source", "outputs"}, or None.
Executions = Callable[[str], list[dict] | None]


@dataclass
class Difference:
    """One cell whose text differs between the two runs (or a notebook that cannot be compared)."""

    notebook: str
    cell: int | None  # the index among all the notebook's cells, from 0
    message: str
    diff: str = ""
    code_cell: int | None = None  # the index among its code cells (nbval's "Cell N")

    def __str__(self) -> str:
        where = self.notebook
        if self.cell is not None:
            where += f", cell {self.cell} (nbval's Cell {self.code_cell})"
        return f"{where}: {self.message}" + (f"\n{self.diff}" if self.diff else "")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _terminal(text: str) -> str:
    """``text`` as a terminal shows it: backspaces and carriage returns applied."""
    previous = None
    while previous != text:
        previous, text = text, _BACKSPACE.sub("", text)
    return _CARRIAGE.sub("", text)


def is_explorer(data: dict) -> bool:
    """Whether a display is an explorer (or another widget): live in nbval, static in the book."""
    return WIDGET_MIME in data or EXPLORER_HTML in _text(data.get("text/html", ""))


def text_outputs(outputs: list[dict]) -> dict[str, str]:
    """The compared text of one cell's outputs, by kind (``stdout``, ``display 0``...)."""
    streams: dict[str, str] = {}
    texts: dict[str, str] = {}
    displays = errors = 0
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            name = out.get("name", "stdout")
            streams[name] = streams.get(name, "") + _text(out.get("text", ""))
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            if is_explorer(data):
                continue
            for mime in TEXT_MIMES:
                if mime in data:
                    texts[f"display {displays} ({mime})"] = _text(data[mime])
            displays += 1
        elif kind == "error":
            texts[f"error {errors}"] = f"{out.get('ename')}: {out.get('evalue')}"
            errors += 1
    return {name: _terminal(text) for name, text in sorted(streams.items())} | texts


def _diff(a: str, b: str, label: str) -> str:
    lines = difflib.unified_diff(
        a.splitlines(keepends=True),
        b.splitlines(keepends=True),
        f"nbval run ({label})",
        f"book build ({label})",
        n=1,
    )
    return "".join("    " + line if line.endswith("\n") else f"    {line}\n" for line in lines)


def _compare_cell(notebook: str, rec: dict, book: dict) -> list[Difference]:
    """The differences in one code cell that ran in both."""
    i, code = rec["index"], rec["code_cell"]
    ours, theirs = text_outputs(rec["outputs"]), text_outputs(book.get("outputs", []))
    source = rec["source"].strip()
    first = source.splitlines()[0][:60] if source else ""
    found = []
    for kind in sorted(set(ours) | set(theirs)):
        a, b = ours.get(kind), theirs.get(kind)
        if a == b:
            continue
        if a is None or b is None:
            message = f"{kind} appears only in {'the book build' if a is None else 'the nbval run'}"
        else:
            message = f"{kind} differs"
        diff = _diff(a or "", b or "", kind)
        found.append(Difference(notebook, i, f"{message} (cell begins {first!r})", diff, code))
    return found


def compare_cells(notebook: str, recorded: list[dict], book: list[dict]) -> list[Difference]:
    """Compare nbval's record of a notebook with the book's execution of its code cells."""
    found = []
    for rec in recorded:
        i, code = rec["index"], rec["code_cell"]
        if code >= len(book) or _text(book[code].get("source", "")) != rec["source"]:
            stale = (
                "the book's execution does not have this cell's code: one of the two runs "
                "is stale (rerun `make notebooks` and `make book`)"
            )
            return [Difference(notebook, i, stale, code_cell=code)]
        if rec["outcome"] == "skipped":  # NBVAL_SKIP: nothing to compare
            continue
        if rec["outcome"] != "passed":
            found.append(Difference(notebook, i, f"nbval's run {rec['outcome']} here", "", code))
            continue
        found += _compare_cell(notebook, rec, book[code])
    return found


def cache_executions(cache: Path = CACHE, root: Path = ROOT) -> Executions:
    """The book's executions, looked up in its jupyter cache by each notebook's current code."""
    from jupyter_cache import get_cache

    store = get_cache(str(cache))

    def executions(notebook: str) -> list[dict] | None:
        try:
            record = store.match_cache_file(str(root / notebook))
        except KeyError:
            return None
        return [dict(cell) for cell in store.get_cache_bundle(record.pk).nb.cells]

    return executions


def check(notebooks: list[str], records: Path, executions: Executions) -> list[Difference]:
    """Every difference between the two runs of ``notebooks`` (paths relative to the root)."""
    found = []
    for notebook in notebooks:
        record_path = records / f"{notebook}.json"
        if not record_path.exists():
            found.append(Difference(notebook, None, "no nbval record: run `make notebooks`"))
            continue
        book = executions(notebook)
        if book is None:
            missing = "the book's cache has no execution of its current code: run `make book`"
            found.append(Difference(notebook, None, missing))
            continue
        record = json.loads(record_path.read_text(encoding="utf-8"))
        found += compare_cells(notebook, record["cells"], book)
    return found


def toc_notebooks(root: Path = ROOT) -> list[str]:
    """The notebooks (paths relative to ``root``) that ``_toc.yml`` lists."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    found = []
    for file in files:
        path = root / (file if file.endswith(".ipynb") else f"{file}.ipynb")
        if path.exists():
            found.append(str(path.relative_to(root)))
    return found


def stale_runs(root: Path = ROOT) -> list[Difference]:
    """A run older than the last change to mathdl cannot be compared: say which to redo."""
    changed = max((p.stat().st_mtime for p in (root / "mathdl").rglob("*.py")), default=0.0)
    found = []
    records = list((root / "_build" / "nbval-outputs").rglob("*.json"))
    if records and min(p.stat().st_mtime for p in records) < changed:
        found.append(
            Difference("nbval's records", None, "mathdl changed since: run `make notebooks`")
        )
    stamp = root / "_build" / ".mathdl-stamp"  # the book's cache is emptied when this is remade
    if stamp.exists() and stamp.stat().st_mtime < changed:
        found.append(Difference("the book build", None, "mathdl changed since: run `make book`"))
    if not (root / "_build" / ".jupyter_cache").exists():
        found.append(Difference("the book build", None, "no execution cache: run `make book`"))
    return found


def main(argv: list[str] | None = None) -> int:
    notebooks = [p for p in (argv or toc_notebooks()) if p.startswith("chapters/")]
    found = stale_runs() or check(notebooks, RECORDS, cache_executions())
    if found:
        print(
            f"reproducibility: {len(found)} difference(s) between nbval's execution and the "
            f"book build's, over {len(notebooks)} notebooks:\n",
            file=sys.stderr,
        )
        for difference in found:
            print(f"{difference}\n", file=sys.stderr)
        return 1
    print(f"reproducibility: {len(notebooks)} notebooks print the same text in both runs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
