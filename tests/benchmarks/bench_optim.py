"""One Adam step over 1M parameters (4 tensors), mathdl against torch on the CPU.

Run alone with ``.venv/bin/python tests/benchmarks/bench_optim.py`` (``make bench`` runs
every benchmark). Four parameter tensors, 1,000,000 float32 values in all (the dtype of
training), fixed gradients, ``Adam(lr=1e-3)`` with its defaults; torch runs its default
single-tensor CPU path. A float64 run first checks that both sides compute the same
parameters after 5 steps. Target: <= 2x torch.
"""

from __future__ import annotations

import numpy as np
import torch
from _timing import pair, print_records

from mathdl.autodiff import Tensor
from mathdl.optim import Adam

SHAPES, TARGET = [(500, 500), (250_000,), (100, 2500), (50, 50, 100)], 2.0


def make(dtype, seed=0):
    """Parameters with gradients, on both sides, and an Adam on each."""
    rng = np.random.default_rng(seed)
    data = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ours = [Tensor(a.copy(), requires_grad=True) for a in data]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in data]
    for p, pt, g in zip(ours, theirs, grads, strict=True):
        p.grad, pt.grad = g, torch.from_numpy(g.copy())
    return ours, theirs, Adam(ours, lr=1e-3), torch.optim.Adam(theirs, lr=1e-3)


def run(quick: bool = False) -> list[dict]:
    """The Adam record; the error is the parameters' after 5 float64 steps."""
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
    what = f"one Adam step, {n:,} float32 parameters in {len(SHAPES)} tensors"
    with torch.no_grad():
        return [
            pair(
                "adam.step",
                opt.step,
                ref.step,
                target=TARGET,
                what=what,
                max_error=err,
                quick=quick,
            )
        ]


if __name__ == "__main__":
    print_records(run())
