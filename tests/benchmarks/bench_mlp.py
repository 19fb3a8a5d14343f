"""Forward + backward of an MLP 784 -> 256 -> 10, mathdl against torch on the CPU (target <= 2x).

Run with ``.venv/bin/python tests/benchmarks/bench_mlp.py``. Batch 128, float32, the loss
``cross_entropy(logits, labels)`` (log-softmax, integer indexing, mean). Both networks get the
same weights; torch runs in this process with its default number of threads, numpy with the
BLAS it was built with. The medians of repeated steps are printed with their ratio.
"""

import statistics
import time

import numpy as np
import torch

from mathdl import functional as F
from mathdl.autodiff import Tensor
from mathdl.nn import MLP
from mathdl.testing import torch_copy

BATCH, SIZES, REPEATS = 128, [784, 256, 10], 200


def median_ms(step, repeats: int = REPEATS) -> float:
    for _ in range(10):  # warm up: allocator, BLAS thread pool
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    labels = rng.integers(0, SIZES[-1], BATCH)

    net = MLP(SIZES, rng=1, dtype=np.float32)
    ref = torch_copy(net)  # float32 like net, the same weights
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels)

    def ours():
        net.zero_grad()
        F.cross_entropy(net(Tensor(x)), labels).backward()

    def theirs():
        ref.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(ref(xt), yt).backward()

    ours()
    theirs()
    err = max(
        float(np.abs(p.grad - pt.grad.numpy()).max())
        for p, pt in zip(net.parameters(), ref.parameters(), strict=True)
    )
    assert net.parameters()[0].grad.dtype == np.float32
    t_ours, t_torch = median_ms(ours), median_ms(theirs)
    print(f"MLP {SIZES}, batch {BATCH}, float32, forward + backward (cross-entropy)")
    print(f"max |grad difference| vs torch: {err:.2e}")
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"{'mathdl':<8}{t_ours:>10.3f} ms")
    print(f"{'torch':<8}{t_torch:>10.3f} ms")
    print(f"ratio mathdl / torch: {t_ours / t_torch:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
