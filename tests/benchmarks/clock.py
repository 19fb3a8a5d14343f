"""Time a Makefile target and append the result to ``_build/bench/timings.json``.

Usage, from the Makefile: ``python3 tests/benchmarks/clock.py start NAME [--fresh-unless
PATH]`` before the target's work, ``python3 tests/benchmarks/clock.py stop NAME`` after
it. Only the standard library is used, so it runs before the virtual environment exists
(``make test`` on a fresh clone starts the clock first). A target that fails never
reaches ``stop``, so only successful runs are recorded.

Each record: ``target``, ``started`` and ``finished`` (UTC, ISO 8601), ``seconds``,
``cores``; with ``--fresh-unless PATH``, ``fresh`` (PATH did not exist at the start:
for ``make test``, the virtual environment had to be created). For ``book``, also
``cache`` (``"cold"``: the execution cache was empty at the start, else ``"warm"``),
``executed`` (how many notebooks the build executed: entries it added to the jupyter
cache) and ``notebooks`` (which). The last 200 records are kept.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "_build" / "bench"
CACHE_DB = ROOT / "_build" / ".jupyter_cache" / "global.db"
KEEP = 200


def cached_notebooks() -> dict[str, str]:
    """The execution cache's entries, hash -> notebook path (relative); {} if none."""
    if not CACHE_DB.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{CACHE_DB}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT hashkey, uri FROM nbcache").fetchall()
    except sqlite3.Error:
        return {}
    return {key: os.path.relpath(uri, ROOT) for key, uri in rows}


def _iso(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.UTC).isoformat(timespec="seconds")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def start(name: str, fresh_unless: str | None) -> None:
    state = {"started": time.time()}
    if fresh_unless is not None:
        state["fresh"] = not Path(fresh_unless).exists()
    if name == "book":
        state["cached"] = sorted(cached_notebooks())
    BENCH.mkdir(parents=True, exist_ok=True)
    (BENCH / f".clock-{name}.json").write_text(json.dumps(state), encoding="utf-8")


def stop(name: str) -> dict | None:
    clock = BENCH / f".clock-{name}.json"
    if not clock.exists():
        print(f"clock: no start recorded for {name!r}; nothing timed", file=sys.stderr)
        return None
    state = json.loads(clock.read_text(encoding="utf-8"))
    now = time.time()
    record = {
        "target": name,
        "started": _iso(state["started"]),
        "finished": _iso(now),
        "seconds": round(now - state["started"], 1),
        "cores": _cores(),
    }
    if "fresh" in state:
        record["fresh"] = state["fresh"]
    if "cached" in state:
        before, after = set(state["cached"]), cached_notebooks()
        new = sorted(path for key, path in after.items() if key not in before)
        record |= {"cache": "warm" if before else "cold", "executed": len(new), "notebooks": new}
    path = BENCH / "timings.json"
    try:
        timings = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        timings = []
    timings = [*timings, record][-KEEP:]
    tmp = path.with_name(f".timings.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(timings, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    clock.unlink()
    extra = (
        f", {record['cache']}, {record['executed']} notebooks executed" if "cache" in record else ""
    )
    print(f"clock: make {name} took {record['seconds']:.0f} s{extra}")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("name")
    parser.add_argument("--fresh-unless", metavar="PATH")
    args = parser.parse_args(argv)
    if args.action == "start":
        start(args.name, args.fresh_unless)
    else:
        stop(args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
