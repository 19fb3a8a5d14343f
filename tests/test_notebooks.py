"""Notebook hygiene: committed notebooks carry no outputs and follow the section template.

The notebooks are executed by nbval (``make notebooks``) and by the book build.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").rglob("*.ipynb"))


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5, f"expected the chapter notebooks, found {NOTEBOOKS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    dirty = [
        i
        for i, cell in enumerate(_cells(path))
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} have stored outputs or execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_follows_the_section_template(path):
    markdown = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")
    code = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code")
    for heading in ("## Check against PyTorch", "## Exercises", "## References"):
        assert heading in markdown, f"{path.name}: missing the section {heading!r}"
    assert ":class: dropdown" in markdown, f"{path.name}: exercises need solutions in dropdowns"
    assert "available_devices()" in code, f"{path.name}: the torch check must loop over devices"
    assert "from mathdl" in code, f"{path.name}: sections import what they teach from mathdl"
