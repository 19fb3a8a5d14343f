"""One training step of an MLP 784 -> 256 -> 10, mathdl against torch on the CPU.

Run alone with ``.venv/bin/python tests/benchmarks/bench_mlp.py`` (``make bench`` runs
every benchmark). Batch 128, float32: ``zero_grad``, the forward pass, the loss
``cross_entropy(logits, labels)`` (log-softmax, integer indexing, mean), ``backward`` and
an ``SGD(lr=0.01)`` step. Both networks start from the same weights and take the same
steps. Target: mathdl's median step <= 1.3x torch's.
"""

from __future__ import annotations

import numpy as np
import torch
from _timing import pair, print_records

from mathdl import functional as F
from mathdl.autodiff import Tensor
from mathdl.nn import MLP
from mathdl.optim import SGD
from mathdl.testing import torch_copy

BATCH, SIZES, LR, TARGET = 128, [784, 256, 10], 0.01, 1.3


def run(quick: bool = False) -> list[dict]:
    """The training-step record; the error is that of the gradients after one step."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    labels = rng.integers(0, SIZES[-1], BATCH)
    net = MLP(SIZES, rng=1, dtype=np.float32)
    ref = torch_copy(net)  # float32 like net, the same weights
    opt, opt_t = SGD(net.parameters(), lr=LR), torch.optim.SGD(ref.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels)

    def ours():
        opt.zero_grad()
        F.cross_entropy(net(Tensor(x)), labels).backward()
        opt.step()

    def theirs():
        opt_t.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(ref(xt), yt).backward()
        opt_t.step()

    ours()
    theirs()
    assert net.parameters()[0].grad.dtype == np.float32
    err = max(
        float(np.abs(p.grad - pt.grad.numpy()).max())
        for p, pt in zip(net.parameters(), ref.parameters(), strict=True)
    )
    what = f"MLP {SIZES} training step (cross-entropy, SGD), batch {BATCH}, float32"
    return [
        pair("mlp.train_step", ours, theirs, target=TARGET, what=what, max_error=err, quick=quick)
    ]


if __name__ == "__main__":
    print_records(run())
