"""``cross_entropy`` forward + backward on (1024, 1000) float32 logits: mathdl vs torch.

Run alone with ``.venv/bin/python tests/benchmarks/bench_cross_entropy.py`` (``make
bench`` runs every benchmark). Integer targets, the default ``reduction="mean"``; one
leaf reused on each side, its gradient reset before each step. Before timing, the loss
and the gradient are checked against torch's (float32). Target: <= 2x torch.
"""

from __future__ import annotations

import numpy as np
import torch
from _timing import pair, print_records

from mathdl import functional as F
from mathdl.autodiff import Tensor

N, C, TARGET = 1024, 1000, 2.0


def run(quick: bool = False) -> list[dict]:
    """The cross-entropy record; the error is the gradient's (the loss's is checked)."""
    rng = np.random.default_rng(0)
    x = (3 * rng.standard_normal((N, C))).astype(np.float32)
    labels = rng.integers(0, C, N)
    t = Tensor(x, requires_grad=True)
    xt, yt = torch.from_numpy(x.copy()).requires_grad_(True), torch.from_numpy(labels)

    def ours():
        t.grad = None
        F.cross_entropy(t, labels).backward()

    def theirs():
        xt.grad = None
        torch.nn.functional.cross_entropy(xt, yt).backward()

    ours()
    theirs()
    assert t.grad.dtype == np.float32, t.grad.dtype
    err = float(np.abs(t.grad - xt.grad.numpy()).max())
    loss_err = abs(
        float(F.cross_entropy(x, labels))
        - float(torch.nn.functional.cross_entropy(torch.from_numpy(x), yt))
    )
    if not (err < 1e-8 and loss_err < 1e-5):
        raise AssertionError(f"cross_entropy differs from torch: grad {err}, loss {loss_err}")
    what = f"cross_entropy forward + backward, logits ({N}, {C}), int targets, float32"
    return [
        pair(
            "cross_entropy.forward_backward",
            ours,
            theirs,
            target=TARGET,
            what=what,
            max_error=err,
            quick=quick,
            repeats=300,
        )
    ]


if __name__ == "__main__":
    print_records(run())
