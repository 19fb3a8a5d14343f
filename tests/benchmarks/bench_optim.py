"""One Adam step over 1M parameters (4 tensors), mathdl against torch on the CPU (target <= 2x).

Run with ``.venv/bin/python tests/benchmarks/bench_optim.py``. Four parameter tensors of
250,000 float32 values each (the dtype of training), fixed gradients, ``Adam(lr=1e-3)`` with
its defaults; torch runs its default single-tensor CPU path in this process with its default
number of threads. The two steps are timed interleaved (one of ours, one of theirs, ...) so
that both see the same machine load; the medians are printed with their ratio. A float64
run checks that both sides computed the same parameters.
"""

import statistics
import time

import numpy as np
import torch

from mathdl.autodiff import Tensor
from mathdl.optim import Adam

SHAPES, REPEATS = [(500, 500), (250_000,), (100, 2500), (50, 50, 100)], 200


def make(dtype, seed=0):
    rng = np.random.default_rng(seed)
    data = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ours = [Tensor(a.copy(), requires_grad=True) for a in data]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in data]
    for p, pt, g in zip(ours, theirs, grads, strict=True):
        p.grad, pt.grad = g, torch.from_numpy(g.copy())
    return ours, theirs, Adam(ours, lr=1e-3), torch.optim.Adam(theirs, lr=1e-3)


def interleaved_medians(step_a, step_b, repeats: int = REPEATS) -> tuple[float, float]:
    for _ in range(10):  # warm up: allocator, thread pool, page faults of the state
        step_a()
        step_b()
    a, b = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        step_a()
        a.append(time.perf_counter() - start)
        start = time.perf_counter()
        step_b()
        b.append(time.perf_counter() - start)
    return 1e3 * statistics.median(a), 1e3 * statistics.median(b)


def main() -> None:
    ours, theirs, opt, ref = make(np.float64)
    for _ in range(5):
        opt.step()
        ref.step()
    err = max(
        float(np.abs(p.data - pt.detach().numpy()).max())
        for p, pt in zip(ours, theirs, strict=True)
    )
    _, _, opt, ref = make(np.float32)
    n = sum(int(np.prod(s)) for s in SHAPES)
    with torch.no_grad():
        t_ours, t_torch = interleaved_medians(opt.step, ref.step)
    print(f"Adam step, {n:,} float32 parameters in {len(SHAPES)} tensors")
    print(f"max |parameter difference| vs torch after 5 float64 steps: {err:.2e}")
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"{'mathdl':<8}{t_ours:>10.3f} ms")
    print(f"{'torch':<8}{t_torch:>10.3f} ms")
    print(f"ratio mathdl / torch: {t_ours / t_torch:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
