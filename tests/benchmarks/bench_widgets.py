"""How fast each explorer of the book responds to a control move (target: median <= 50 ms).

Run alone with ``.venv/bin/python tests/benchmarks/bench_widgets.py`` (``make bench``
runs every benchmark). Every explorer of :func:`mathdl.explorers.all_explorers` is
measured, none listed by hand. After the first render (the figure is built and drawn
once, reported as "first"), each move changes one control, in turn, to a new value,
and no full setting is visited twice, so no cache can answer for the explorer. A move
costs one ``Explorer.render``: the explorer's ``update``, drawing (the moving artists
only, unless the move changed the background: "redrawn" counts those) and PNG encoding.
The static form costs one render per frame at build time; the website only swaps images.
"""

from __future__ import annotations

import time

import numpy as np

from mathdl.explorers import all_explorers
from mathdl.widgets import Choice, Explorer

MOVES, TARGET_MS = 40, 50.0


def settings(control) -> list:
    """Every value a control can take in the live form (sliders on their step grid)."""
    if isinstance(control, Choice):
        return list(control.options)
    count = round((control.max - control.min) / control.step) + 1
    values = [min(control.max, control.min + j * control.step) for j in range(count)]
    return [round(v) for v in values] if control.is_integer else values


def walk(explorer: Explorer, moves: int, seed: int = 0) -> list[dict]:
    """``moves`` settings, each one control away from the last, none visited before."""
    rng = np.random.default_rng(seed)
    current = explorer.defaults()
    seen = {tuple(current.values())}
    path = []
    while len(path) < moves:
        control = explorer.controls[len(path) % len(explorer.controls)]
        options = [v for v in settings(control) if v != current[control.name]]
        for i in rng.permutation(len(options)):
            candidate = current | {control.name: options[i]}
            if tuple(candidate.values()) not in seen:
                break
        else:
            raise RuntimeError(f"walk: no unvisited setting one move from {current}")
        current = candidate
        seen.add(tuple(current.values()))
        path.append(current)
    return path


def measure(explorer: Explorer, moves: int = MOVES) -> dict:
    start = time.perf_counter()
    explorer.render()
    first = time.perf_counter() - start
    redraws, times = explorer.redraws, []
    for values in walk(explorer, moves):
        start = time.perf_counter()
        explorer.render(**values)
        times.append(time.perf_counter() - start)
    ms = 1e3 * np.array(times)
    return {
        "first": 1e3 * first,
        "median": float(np.median(ms)),
        "p95": float(np.percentile(ms, 95)),
        "redrawn": explorer.redraws - redraws,
        "frames": len(explorer.grid()),
    }


def run(quick: bool = False) -> list[dict]:
    """One record per explorer: ms per move (median, p95), first render, redraws."""
    moves = 8 if quick else MOVES
    records = []
    for name, make in all_explorers().items():
        r = measure(make(), moves)
        records.append(
            {
                "key": name,
                "moves": moves,
                "first_ms": r["first"],
                "median_ms": r["median"],
                "p95_ms": r["p95"],
                "redrawn": r["redrawn"],
                "frames": r["frames"],
                "target_ms": TARGET_MS,
                "met": bool(r["median"] <= TARGET_MS),
            }
        )
    return records


def print_records(records: list[dict]) -> None:
    """The explorer table: ms per move."""
    print(f"ms per move (target: median <= {TARGET_MS:g})")
    header = f"{'explorer':<38}{'first':>8}{'median':>8}{'p95':>8}{'redrawn':>9}{'frames':>8}"
    print(header)
    for r in records:
        print(
            f"{r['key']:<38}{r['first_ms']:>8.1f}{r['median_ms']:>8.1f}{r['p95_ms']:>8.1f}"
            f"{r['redrawn']:>9}{r['frames']:>8}{'' if r['met'] else '  MISSED'}"
        )


def main() -> None:
    print_records(run())


if __name__ == "__main__":
    main()
