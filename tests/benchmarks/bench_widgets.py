"""How fast each explorer of the book responds to a slider move (target: under 50 ms).

Run with ``make bench``. A move in the live form costs one ``Explorer.render``: the
drawing function plus PNG encoding. The static form costs one ``render`` per frame at
build time; the website itself only swaps an image.
"""

import statistics
import time

import numpy as np
from sklearn.datasets import load_sample_image

from mathdl.widgets import low_rank_explorer, matrix_explorer


def median_ms(fn, repeats: int = 15) -> float:
    fn()  # warm up: imports, font cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    image = load_sample_image("china.jpg").mean(axis=2)[::2, ::2]  # (214, 320)
    explorers = {
        "matrix_explorer": (matrix_explorer(), dict(a=1.3, b=-0.4, c=0.7, d=0.9)),
        "low_rank_explorer": (low_rank_explorer(image), dict(k=37)),
    }
    print(f"{'explorer':<20}{'median ms per move':>20}{'frames':>8}")
    for name, (explorer, values) in explorers.items():
        ms = median_ms(lambda e=explorer, v=values: e.render(**v))
        frames = int(np.prod([len(s.static) for s in explorer.controls]))
        print(f"{name:<20}{ms:>20.1f}{frames:>8}")


if __name__ == "__main__":
    main()
