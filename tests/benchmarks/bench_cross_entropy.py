"""``cross_entropy`` forward + backward on (1024, 1000) float32 logits: mathdl vs torch CPU.

Run with ``.venv/bin/python tests/benchmarks/bench_cross_entropy.py``. Integer targets, the
default ``reduction="mean"``. Torch runs in this process with its default number of threads
(printed), numpy with the BLAS it was built with. The two are timed interleaved -- one step
of each in turn, so that both see the same machine load -- and the medians of many steps
are printed with their ratio (target <= 2x). The gradients are checked first: equal to
torch's within float32 rounding, and float32.
"""

import statistics
import time

import numpy as np
import torch

from mathdl import functional as F
from mathdl.autodiff import Tensor

N, C, WARMUP, REPEATS = 1024, 1000, 20, 300


def step_ours(t: Tensor, labels: np.ndarray) -> np.ndarray:
    t.grad = None  # one leaf reused, as torch's below
    F.cross_entropy(t, labels).backward()
    return t.grad


def step_torch(xt: torch.Tensor, yt: torch.Tensor) -> torch.Tensor:
    xt.grad = None
    torch.nn.functional.cross_entropy(xt, yt).backward()
    return xt.grad


def timed(step, *args) -> float:
    start = time.perf_counter()
    step(*args)
    return time.perf_counter() - start


def main() -> None:
    rng = np.random.default_rng(0)
    x = (3 * rng.standard_normal((N, C))).astype(np.float32)
    labels = rng.integers(0, C, N)
    t = Tensor(x, requires_grad=True)
    xt, yt = torch.from_numpy(x.copy()).requires_grad_(True), torch.from_numpy(labels)

    grad, grad_t = step_ours(t, labels), step_torch(xt, yt).numpy()
    assert grad.dtype == np.float32, grad.dtype
    err = float(np.abs(grad - grad_t).max())
    loss_err = abs(
        float(F.cross_entropy(x, labels))
        - float(torch.nn.functional.cross_entropy(torch.from_numpy(x), yt))
    )
    assert err < 1e-8 and loss_err < 1e-5, (err, loss_err)

    for _ in range(WARMUP):  # allocator, thread pools, caches
        step_ours(t, labels)
        step_torch(xt, yt)
    ours, theirs = [], []
    for _ in range(REPEATS):  # interleaved: both see the same load
        ours.append(timed(step_ours, t, labels))
        theirs.append(timed(step_torch, xt, yt))
    t_ours, t_torch = 1e3 * statistics.median(ours), 1e3 * statistics.median(theirs)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # numpy's ufuncs run on one core: the like-for-like comparison
    ours_1, theirs_1 = [], []
    for _ in range(REPEATS):
        ours_1.append(timed(step_ours, t, labels))
        theirs_1.append(timed(step_torch, xt, yt))
    torch.set_num_threads(threads)
    t_ours_1, t_torch_1 = 1e3 * statistics.median(ours_1), 1e3 * statistics.median(theirs_1)

    print(f"cross_entropy ({N}, {C}) float32, int targets, forward + backward")
    print(f"max |grad difference| vs torch: {err:.2e}; |loss difference|: {loss_err:.2e}")
    print(f"torch threads: {threads} (its default here)")
    print(f"{'mathdl':<8}{t_ours:>10.3f} ms (median of {REPEATS})")
    print(f"{'torch':<8}{t_torch:>10.3f} ms (median of {REPEATS})")
    print(f"ratio mathdl / torch: {t_ours / t_torch:.2f}x (target <= 2x)")
    print("torch threads: 1 (a second interleaved run)")
    print(f"{'mathdl':<8}{t_ours_1:>10.3f} ms (median of {REPEATS})")
    print(f"{'torch':<8}{t_torch_1:>10.3f} ms (median of {REPEATS})")
    print(f"ratio mathdl / torch (1 thread): {t_ours_1 / t_torch_1:.2f}x")


if __name__ == "__main__":
    main()
