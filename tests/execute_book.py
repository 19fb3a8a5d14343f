"""Execute the book's notebooks into the build's execution cache, one per core at a time.

Usage: ``.venv/bin/python tests/execute_book.py`` (``make book`` runs it before the Sphinx
build). The book build (MyST-NB, ``execute_notebooks: cache``) executes every notebook
whose code has no entry in ``_build/.jupyter_cache`` yet, one after the other, while the
other core waits. This fills the cache first with jupyter-cache's parallel executor, the
same execution the build would do (each notebook in its own folder, the same kernel and
environment, so ``MATHDL_WIDGETS=static`` and the thread settings apply), and the build
then finds every notebook cached. Only notebooks listed in ``_toc.yml`` whose code is not
cached yet are executed; a failure is printed and the build, which executes that notebook
again, reports the cell that failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
TIMEOUT = 300  # seconds per notebook, as execute.timeout in _config.yml


def toc_notebooks(toc: Path = ROOT / "_toc.yml") -> list[Path]:
    """Every notebook that the table of contents lists, in its order."""
    found: list[Path] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            file = node.get("file")
            if file and (ROOT / f"{file}.ipynb").exists():
                found.append(ROOT / f"{file}.ipynb")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(toc.read_text()))
    return found


def main() -> int:
    cache = get_cache(CACHE)
    notebooks = toc_notebooks()
    for path in notebooks:
        cache.add_nb_to_project(str(path))
    uris = [str(p) for p in notebooks]
    result = load_executor("local-parallel", cache=cache).run_and_cache(
        filter_uris=uris, timeout=TIMEOUT
    )
    done, failed = len(result.succeeded), result.excepted + result.errored
    print(f"execute_book: {done} notebooks executed into the cache, {len(failed)} failed")
    for uri in failed:
        print(f"execute_book: failed: {Path(uri).relative_to(ROOT)} (the build shows the cell)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
