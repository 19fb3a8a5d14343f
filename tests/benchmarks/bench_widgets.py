"""How fast each explorer of the book responds to a control move (target: median <= 50 ms).

Run with ``make bench``. Every explorer of :func:`mathdl.explorers.all_explorers` is
measured, none listed by hand. After the first render (the figure is built and drawn
once, reported as "first"), each move changes one control, in turn, to a new value,
and no full setting is visited twice, so no cache can answer for the explorer. A move
costs one ``Explorer.render``: the explorer's ``update``, drawing (the moving artists
only, unless the move changed the background: "redrawn" counts those) and PNG encoding.
The static form costs one render per frame at build time; the website only swaps images.
"""

import time

import numpy as np

from mathdl.explorers import all_explorers
from mathdl.widgets import Choice, Explorer

MOVES = 40


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


def main() -> None:
    print(f"{MOVES} moves per explorer; ms per move (target: median <= 50)")
    header = f"{'explorer':<34}{'first':>8}{'median':>8}{'p95':>8}{'redrawn':>9}{'frames':>8}"
    print(header)
    for name, make in all_explorers().items():
        r = measure(make())
        print(
            f"{name:<34}{r['first']:>8.1f}{r['median']:>8.1f}{r['p95']:>8.1f}"
            f"{r['redrawn']:>9}{r['frames']:>8}"
        )


if __name__ == "__main__":
    main()
