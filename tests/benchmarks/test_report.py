"""The benchmark plumbing: records, the appendix page generated from them, the Makefile clock.

Nothing here times anything for real (``make bench`` does): tiny steps check the record
format, fake result files check the page, and a fake execution cache checks the clock.
"""

from __future__ import annotations

import json
import sqlite3

import _timing
import clock
import report
from run import write_json


def _results(quick=False):
    """A results.json as run.py writes it, with one skipped benchmark."""
    record = _timing.pair(
        "demo.step", lambda: None, lambda: None, target=2.0, what="demo", max_error=1e-7, quick=True
    )
    return {
        "schema": 2,
        "created": "2026-01-02T03:04:05+00:00",
        "seconds": 12.0,
        "quick": quick,
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "cores_available": 2,
            "memory_gib": 8.0,
            "os": "Linux",
            "python": "3.11",
            "numpy": "2",
            "torch": "2",
            "mathdl": "0.1",
            "load_average": [0.5, 0.5, 0.5],
        },
        "threads": [{"requested": n, "torch": n, "torch_interop": 2, "pools": []} for n in (1, 2)],
        "benchmarks": [
            record | {"threads": 1},
            record | {"threads": 2, "ratio": 3.0, "met": False},
            _timing.skipped("conv2d.forward", "conv", "not here", 2.0) | {"threads": 1},
            _timing.skipped("conv2d.forward", "conv", "not here", 2.0) | {"threads": 2},
        ],
        "explorers": [
            {
                "key": "calculus.taylor_explorer",
                "moves": 8,
                "first_ms": 90.0,
                "median_ms": 12.0,
                "p95_ms": 30.0,
                "redrawn": 0,
                "frames": 72,
                "target_ms": 50.0,
                "met": True,
            }
        ],
    }


def test_pair_records_medians_ratio_and_target():
    r = _timing.pair("k", lambda: sum(range(50)), lambda: None, target=1e9, what="w", quick=True)
    assert r["mathdl"]["calls"] == r["theirs"]["calls"] == 5
    assert r["ratio"] == r["mathdl"]["median_ms"] / r["theirs"]["median_ms"]
    assert r["met"] is True and r["reference"] == "torch"
    assert _timing.pair("k", lambda: None, lambda: None, what="w", quick=True)["met"] is None


def test_interleaved_stops_at_its_budget():
    timed = _timing.interleaved({"a": lambda: None}, repeats=10**6, warmup=0, budget_s=0.05)
    assert 5 <= timed["a"]["calls"] < 10**6


def test_page_without_records_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "BENCH", tmp_path)
    text, png = report.render()
    assert png is None and "{figure}" not in text
    assert "run `make bench`" in text.lower() and "`make unit`" in text
    assert "not recorded yet" in text


def test_page_from_records(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "BENCH", tmp_path)
    write_json(tmp_path / "results.json", _results())
    write_json(
        tmp_path / "agreement.json",
        {
            "created": "2026-01-02T00:00:00+00:00",
            "modules": {
                "linalg": {"torch": {"float64": {"max_error": 2.5e-15, "count": 40, "test": "t"}}}
            },
        },
    )
    timings = [
        {
            "target": "book",
            "finished": "2026-01-02T01:00:00+00:00",
            "seconds": 300.0,
            "cores": 2,
            "cache": "cold",
            "executed": 37,
            "notebooks": [],
        },
        {
            "target": "book",
            "finished": "2026-01-02T02:00:00+00:00",
            "seconds": 25.0,
            "cores": 2,
            "cache": "warm",
            "executed": 1,
            "notebooks": ["chapters/a.ipynb"],
        },
        {
            "target": "test",
            "finished": "2026-01-02T03:00:00+00:00",
            "seconds": 1000.0,
            "cores": 2,
            "fresh": True,
        },
    ]
    write_json(tmp_path / "timings.json", timings)
    text, png = report.render()
    assert png.startswith(b"\x89PNG")
    assert "`demo.step`" in text and "skipped: not here" in text
    assert "| 3.00× **missed** |" in text and "2 threads, ms" in text
    assert "| `mathdl.linalg` | 2.5e-15 (40) |" in text
    assert "| 300 s | ≤ 360 s yes | 37 notebooks executed" in text
    assert "| 25 s | ≤ 30 s yes | 1 notebooks executed" in text
    assert "1000 s | ≤ 900 s **missed**" in text and "fresh clone" in text
    assert "Test CPU" in text and "`calculus.taylor_explorer` | 12 |" in text
    assert report.render() == (text, png)  # deterministic: the same records, the same page


def test_main_rewrites_only_on_change(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "BENCH", tmp_path)
    monkeypatch.setattr(report, "ROOT", tmp_path.parent)
    report.main()
    page = tmp_path / "appendix.md"
    before = page.stat().st_mtime_ns
    report.main()
    assert page.stat().st_mtime_ns == before


def _fake_cache(path, entries):
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS nbcache (pk INTEGER PRIMARY KEY, hashkey, uri)")
        db.executemany("INSERT INTO nbcache (hashkey, uri) VALUES (?, ?)", entries)


def test_clock_records_cold_and_warm_builds(tmp_path, monkeypatch):
    monkeypatch.setattr(clock, "BENCH", tmp_path / "bench")
    monkeypatch.setattr(clock, "ROOT", tmp_path)
    monkeypatch.setattr(clock, "CACHE_DB", tmp_path / "cache" / "global.db")
    clock.start("book", None)
    _fake_cache(
        clock.CACHE_DB, [("h1", str(tmp_path / "a.ipynb")), ("h2", str(tmp_path / "b.ipynb"))]
    )
    cold = clock.stop("book")
    assert cold["cache"] == "cold" and cold["executed"] == 2
    clock.start("book", None)
    _fake_cache(clock.CACHE_DB, [("h3", str(tmp_path / "a.ipynb"))])
    warm = clock.stop("book")
    assert (warm["cache"], warm["executed"], warm["notebooks"]) == ("warm", 1, ["a.ipynb"])
    clock.start("test", str(tmp_path / "no-venv"))
    assert clock.stop("test")["fresh"] is True
    timings = json.loads((tmp_path / "bench" / "timings.json").read_text())
    assert [t["target"] for t in timings] == ["book", "book", "test"]
    assert clock.stop("test") is None  # no start recorded
