"""Shared fixtures: the torch device list (CPU always, CUDA when present)."""

import datetime
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

_NO_CUDA = "CUDA not available: torch.cuda.is_available() is False on this machine"


@pytest.fixture(
    params=[
        "cpu",
        pytest.param(
            "cuda",
            marks=[
                pytest.mark.cuda,
                pytest.mark.skipif(not torch.cuda.is_available(), reason=_NO_CUDA),
            ],
        ),
    ]
)
def device(request):
    """A torch device name; every comparison with torch runs once per device."""
    return request.param


# --- Agreement records for the book's performance appendix (tests/benchmarks/report.py) ---
# With MATHDL_AGREEMENT=<file> (``make unit`` sets it), every assert_close that passes
# (compare_with_torch included) is recorded through mathdl.testing.record_hook: per mathdl
# module (from the test file, tests/test_<module>[_errors].py, or the doctest's module),
# per reference ("torch" if either side is a torch tensor, else "other") and per precision
# ("float32" if either side is narrower than float64), the largest error, where it was
# seen and how many comparisons there were. The error is normwise: max |actual - expected|
# over max(1, max |expected|), finite entries only. Each pytest-xdist worker writes
# <file>.parts/<id>.json; the controller merges them into <file> at the end. Without the
# variable, nothing happens.

_AGREEMENT = os.environ.get("MATHDL_AGREEMENT")
_SEEN: dict = {}  # module -> reference -> precision -> {"max_error", "count", "test"}
_CURRENT = {"module": None, "test": None}
_LOW = ("float16", "bfloat16", "float32", "complex32", "complex64")


def _precision(x) -> str:
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        dtype = getattr(getattr(x, "data", None), "dtype", None)  # a mathdl Tensor
    name = str(dtype).removeprefix("torch.")
    return "float32" if dtype is not None and name.startswith(_LOW) else "float64"


def _record_agreement(actual, expected, a, e) -> None:
    module = _CURRENT["module"]
    if module is None or a.size == 0:
        return
    torch_side = isinstance(actual, torch.Tensor) or isinstance(expected, torch.Tensor)
    precision = "float32" if "float32" in (_precision(actual), _precision(expected)) else "float64"
    with np.errstate(all="ignore"):  # normwise: the scale the tolerances of the tests use
        diff = np.where(a == e, 0.0, np.abs(a - e))
        finite = np.isfinite(diff)
        scale = max(1.0, float(np.abs(e[np.isfinite(e)]).max(initial=0.0)))
    worst = float(diff[finite].max(initial=0.0)) / scale
    kind = "torch" if torch_side else "other"
    slot = (
        _SEEN.setdefault(module, {})
        .setdefault(kind, {})
        .setdefault(precision, {"max_error": 0.0, "count": 0, "test": None})
    )
    slot["count"] += 1
    if worst > slot["max_error"] or slot["test"] is None:
        slot["max_error"], slot["test"] = max(worst, slot["max_error"]), _CURRENT["test"]


def _module_of(item) -> str | None:
    """The mathdl module an item tests: tests/test_linalg_errors.py -> "linalg"."""
    path = Path(str(item.path))
    if path.parent.name == "tests" and path.stem.startswith("test_"):
        name = path.stem.removeprefix("test_").removesuffix("_errors")
        name = re.sub(r"^explorers_", "explorers.", name)
    elif "mathdl" in path.parts:
        name = ".".join(path.with_suffix("").parts[path.parts.index("mathdl") + 1 :])
    else:
        return None
    return None if name in ("testing", "notebooks", "site", "") else name


def _merge(parts: list[dict]) -> dict:
    merged: dict = {}
    for part in parts:
        for module, kinds in part.items():
            for kind, precisions in kinds.items():
                for precision, r in precisions.items():
                    slot = merged.setdefault(module, {}).setdefault(kind, {})
                    old = slot.get(precision)
                    if old is None:
                        slot[precision] = dict(r)
                        continue
                    count = old["count"] + r["count"]
                    if r["max_error"] > old["max_error"]:
                        old.update(r)
                    old["count"] = count
    return merged


def pytest_configure(config):
    if not _AGREEMENT:
        return
    import mathdl.testing

    mathdl.testing.record_hook = _record_agreement
    if not hasattr(config, "workerinput"):  # the controller: stale parts go
        shutil.rmtree(f"{_AGREEMENT}.parts", ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _CURRENT["module"], _CURRENT["test"] = _module_of(item), item.nodeid
    yield
    _CURRENT["module"] = _CURRENT["test"] = None


def pytest_sessionfinish(session):
    if not _AGREEMENT:
        return
    parts = Path(f"{_AGREEMENT}.parts")
    worker = getattr(session.config, "workerinput", None)
    parts.mkdir(parents=True, exist_ok=True)
    name = worker["workerid"] if worker else "main"
    (parts / f"{name}.json").write_text(json.dumps(_SEEN), encoding="utf-8")
    if worker is None:  # the controller, after every worker has finished
        merged = _merge(
            [json.loads(p.read_text(encoding="utf-8")) for p in sorted(parts.glob("*.json"))]
        )
        created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        Path(_AGREEMENT).write_text(
            json.dumps({"created": created, "modules": merged}, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        shutil.rmtree(parts, ignore_errors=True)
