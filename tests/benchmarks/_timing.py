"""The benchmarks' shared timing: threads, the machine, and interleaved medians.

Every benchmark of ``tests/benchmarks`` times mathdl against a reference (torch, or
LAPACK through ``numpy.linalg``) in one process, with one thread count for both
(:func:`set_threads`), **interleaved**: one call of each in turn, so that both see the
same machine load, and reports the medians (and 95th percentiles) of many calls. Each
benchmark module has ``run(quick=False) -> list[dict]`` returning records made by
:func:`pair` (or :func:`skipped`); ``run.py`` collects them into ``results.json``.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

_LIMITS = None  # the threadpoolctl limiter, kept alive for the whole run


def set_threads(n: int) -> dict:
    """Run numpy's BLAS, OpenMP and torch on ``n`` threads; return what each now uses."""
    global _LIMITS
    import torch
    from threadpoolctl import threadpool_limits

    _LIMITS = threadpool_limits(limits=n)
    torch.set_num_threads(n)
    return thread_info(requested=n)


def thread_info(requested: int | None = None) -> dict:
    """The thread counts in force: torch's intra- and inter-op, and each native pool."""
    import torch
    from threadpoolctl import threadpool_info

    pools = [
        {k: p.get(k) for k in ("user_api", "internal_api", "num_threads", "version")}
        for p in threadpool_info()
    ]
    return {
        "requested": requested,
        "torch": torch.get_num_threads(),
        "torch_interop": torch.get_num_interop_threads(),
        "pools": pools,
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return round(pages * size / 2**30, 1)


def machine_info() -> dict:
    """What the numbers were measured on: CPU, cores, memory, OS and library versions."""
    from importlib.metadata import version

    import torch

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "mathdl": version("mathdl"),
        "load_average": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
    }


def stats(seconds: list[float]) -> dict:
    """Median, 95th percentile and minimum in milliseconds, and the number of calls."""
    ms = 1e3 * np.asarray(seconds)
    return {
        "median_ms": float(statistics.median(ms)),
        "p95_ms": float(np.percentile(ms, 95)),
        "min_ms": float(ms.min()),
        "calls": len(ms),
    }


def interleaved(
    steps: dict[str, Callable[[], object]],
    *,
    repeats: int,
    warmup: int = 10,
    budget_s: float | None = None,
    min_repeats: int = 5,
) -> dict[str, dict]:
    """Time each of ``steps`` in turn, ``repeats`` rounds; the :func:`stats` of each.

    After ``warmup`` untimed rounds (allocator, thread pools, caches), each round calls
    every step once, in order. With ``budget_s``, rounds stop once that many seconds
    have passed (but never before ``min_repeats`` rounds), so a slow step costs a
    bounded time.
    """
    for _ in range(warmup):
        for step in steps.values():
            step()
    gc.collect()
    times: dict[str, list[float]] = {name: [] for name in steps}
    start = time.perf_counter()
    for i in range(repeats):
        for name, step in steps.items():
            t0 = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - t0)
        if budget_s is not None and i + 1 >= min_repeats:
            if time.perf_counter() - start > budget_s:
                break
    return {name: stats(t) for name, t in times.items()}


def pair(
    key: str,
    ours: Callable[[], object],
    theirs: Callable[[], object],
    *,
    reference: str = "torch",
    target: float | None = None,
    what: str,
    max_error: float | None = None,
    quick: bool = False,
    repeats: int = 200,
    warmup: int = 10,
    budget_s: float = 20.0,
) -> dict:
    """One benchmark record: mathdl's step against the reference's, interleaved.

    ``ratio`` is mathdl's median over the reference's; ``met`` says whether it is at
    most ``target`` (None when there is no target).
    """
    if quick:
        repeats, warmup, budget_s = min(repeats, 5), 1, 2.0
    timed = interleaved(
        {"mathdl": ours, reference: theirs},
        repeats=repeats,
        warmup=warmup,
        budget_s=budget_s,
        min_repeats=min(5, repeats),
    )
    ratio = timed["mathdl"]["median_ms"] / timed[reference]["median_ms"]
    return {
        "key": key,
        "what": what,
        "reference": reference,
        "mathdl": timed["mathdl"],
        "theirs": timed[reference],
        "ratio": ratio,
        "target": target,
        "met": None if target is None else bool(ratio <= target),
        "max_error": max_error,
    }


def skipped(key: str, what: str, reason: str, target: float | None = None) -> dict:
    """The record of a benchmark that could not run here, and why."""
    return {"key": key, "what": what, "skipped": reason, "target": target}


def print_records(records: list[dict]) -> None:
    """A table of pair records: medians, ratio, target, and the error against the reference."""
    print(
        f"{'benchmark':<31}{'thr':>4}{'mathdl ms':>11}{'ref ms':>10}{'ratio':>8}{'target':>8}"
        "  error"
    )
    for r in records:
        head = f"{r['key']:<31}{r.get('threads', ''):>4}"
        if "skipped" in r:
            print(f"{head}  skipped: {r['skipped']}")
            continue
        target = "" if r["target"] is None else f"<={r['target']:g}x"
        mark = {True: " ok", False: " MISSED", None: ""}[r["met"]]
        error = "" if r["max_error"] is None else f"{r['max_error']:.1e}"
        print(
            f"{head}{r['mathdl']['median_ms']:>11.3f}{r['theirs']['median_ms']:>10.3f}"
            f"{r['ratio']:>7.2f}x{target:>8}{mark:<7}  {error}  ({r['reference']})"
        )
