"""``make bench``: run every benchmark in one process and write ``_build/bench/results.json``.

Usage: ``.venv/bin/python tests/benchmarks/run.py [--threads N ...] [--quick]
[--output PATH] [--only KEY ...]``. With ``--only``, the default output is
``results-only.json``: a partial run never replaces the full results that the appendix
shows. Every benchmark runs once per thread count: by default one thread, then every
core this process may use. Within a run numpy's BLAS, OpenMP and torch all get that
count (``_timing.set_threads``), and mathdl and its reference are timed interleaved. The
one-thread run is the robust comparison on a shared machine: with all cores, a reference
whose threads wait on each other (torch's parallel regions, LAPACK's many small BLAS
calls) slows down badly as soon as anything else runs. Targets are reported, never
asserted: a missed target prints ``MISSED`` and the command still succeeds. ``--quick``
(a handful of calls each) is for checking that the benchmarks run, not for numbers.

The file (``"schema": 2``) holds: ``created`` (UTC, ISO 8601), ``seconds`` (the run's
wall time), ``quick``, ``machine`` (CPU, cores, memory, OS, Python, numpy, torch,
mathdl; the load average at the end and, as ``load_average_before``, at the start: what
else was running), ``threads`` (one entry per thread count: requested, torch's, and each
native pool's), ``benchmarks`` (one record per operation and thread count: ``key``,
``threads``, ``what``, ``reference``, ``mathdl`` and ``theirs`` each ``{median_ms,
p95_ms, min_ms, calls}``, ``ratio`` of the medians, ``target``, ``met``, ``max_error``
against the reference; or ``key``, ``threads``, ``what``, ``skipped`` with the reason)
and ``explorers`` (``key``, ``moves``, ``first_ms``, ``median_ms``, ``p95_ms``,
``redrawn``, ``frames``, ``target_ms``, ``met``, and ``threads``: they are measured
once, in the first run).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import sys
import time
from pathlib import Path

import _timing

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "_build" / "bench" / "results.json"
#: Each benchmark module and the beginnings of the keys of its records.
BENCHES = {
    "bench_conv": ("conv2d", "max_pool2d"),
    "bench_mlp": ("mlp",),
    "bench_cross_entropy": ("cross_entropy",),
    "bench_linalg": ("svd", "eigh"),
    "bench_optim": ("adam",),
}


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def write_json(path: Path, data) -> None:
    """Write ``data`` to ``path`` atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def benchmarks(quick: bool, only: list[str] | None, threads: int) -> list[dict]:
    """Every benchmark record at ``threads`` threads (``only``: keys or their beginnings)."""
    records = []
    for name, keys in BENCHES.items():
        if only and not any(k.startswith(p) or p.startswith(k) for k in keys for p in only):
            continue
        for record in importlib.import_module(name).run(quick=quick):
            if not only or any(record["key"].startswith(k) for k in only):
                records.append(record | {"threads": threads})
    return records


def _thread_counts(values: list[int] | None) -> list[int]:
    """One thread, then every core this process may use (each once), unless told."""
    return list(dict.fromkeys(values or [1, _cores()]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", help="default: 1 and all cores")
    parser.add_argument("--quick", action="store_true", help="a few calls each: a smoke test")
    parser.add_argument("--output", type=Path, help=f"default {OUTPUT.relative_to(ROOT)}")
    parser.add_argument("--only", nargs="*", help="keys (or beginnings): conv2d svd explorers")
    args = parser.parse_args(argv)
    if args.output is None:  # a partial run never replaces the page's full results
        args.output = OUTPUT.with_name("results-only.json") if args.only else OUTPUT
    start = time.perf_counter()
    load_before = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    records, explorers, pools = [], [], []
    for n in _thread_counts(args.threads):
        info = _timing.set_threads(n)
        pools.append(info)
        print(
            f"threads: {n} (torch {info['torch']}; "
            + ", ".join(f"{p['internal_api']} {p['num_threads']}" for p in info["pools"])
            + ")"
        )
        records += benchmarks(args.quick, args.only, n)
        if not explorers and (not args.only or any(k.startswith("explorers") for k in args.only)):
            import bench_widgets

            explorers = [r | {"threads": n} for r in bench_widgets.run(quick=args.quick)]
    results = {
        "schema": 2,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - start, 1),
        "quick": args.quick,
        "machine": _timing.machine_info() | {"load_average_before": load_before},
        "threads": pools,
        "benchmarks": records,
        "explorers": explorers,
    }
    write_json(args.output, results)
    _timing.print_records(records)
    if explorers:
        import bench_widgets

        bench_widgets.print_records(explorers)
    missed = [
        f"{r['key']} ({r['threads']} thr.)" for r in records + explorers if r.get("met") is False
    ]
    print(
        f"wrote {args.output} in {results['seconds']:.0f} s; "
        f"targets missed: {', '.join(missed) if missed else 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
