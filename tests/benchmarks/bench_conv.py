"""``conv2d`` and ``max_pool2d``: mathdl's im2col convolution against torch on the CPU.

Run alone with ``.venv/bin/python tests/benchmarks/bench_conv.py`` (``make bench`` runs
every benchmark). Float32, NCHW:

* ``conv2d`` of x (64, 16, 28, 28) with w (32, 16, 3, 3) and a bias, padding 1: the
  forward on arrays (target <= 2x torch), and forward + backward on Tensors, with a
  fixed upstream gradient (target <= 3x);
* ``max_pool2d`` of the convolution's output (64, 32, 28, 28), kernel 2 (stride 2):
  forward + backward (no target).

Before timing, mathdl's output and gradients are compared with torch's (float32, so
agreement to about 1e-5 relative).
"""

from __future__ import annotations

import numpy as np
import torch
from _timing import pair, print_records, skipped

from mathdl.autodiff import Tensor

try:
    from mathdl.conv import conv2d, max_pool2d
except ImportError:  # the module is being written
    conv2d = max_pool2d = None

X, W, POOL = (64, 16, 28, 28), (32, 16, 3, 3), (64, 32, 28, 28)
TARGETS = {
    "conv2d.forward": 2.0,
    "conv2d.forward_backward": 3.0,
    "max_pool2d.forward_backward": None,
}
WHAT = {
    "conv2d.forward": "conv2d forward, x (64, 16, 28, 28) * w (32, 16, 3, 3), padding 1",
    "conv2d.forward_backward": "conv2d forward + backward, same shapes",
    "max_pool2d.forward_backward": "max_pool2d forward + backward, (64, 32, 28, 28), kernel 2",
}


def _relative(ours, theirs) -> float:
    """Largest |difference| relative to the largest |value| of torch's result."""
    t = theirs.detach().numpy()
    return float(np.abs(np.asarray(ours) - t).max() / max(np.abs(t).max(), 1e-30))


def _conv_case(quick: bool) -> list[dict]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(X).astype(np.float32)
    w = (rng.standard_normal(W) / 12).astype(np.float32)  # 1 / sqrt(16 * 3 * 3)
    b = rng.standard_normal(W[0]).astype(np.float32)
    g = rng.standard_normal((X[0], W[0], X[2], X[3])).astype(np.float32)
    xt, wt, bt, gt = (torch.from_numpy(a.copy()) for a in (x, w, b, g))
    leaves = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    leaves_t = [a.clone().requires_grad_(True) for a in (xt, wt, bt)]

    def forward():
        return conv2d(x, w, b, padding=1)

    def forward_t():
        with torch.no_grad():
            return torch.nn.functional.conv2d(xt, wt, bt, padding=1)

    def backward():
        for p in leaves:
            p.grad = None
        conv2d(*leaves, padding=1).backward(g)

    def backward_t():
        for p in leaves_t:
            p.grad = None
        torch.nn.functional.conv2d(*leaves_t, padding=1).backward(gt)

    backward()
    backward_t()
    y = forward()
    err_f = _relative(y.data if isinstance(y, Tensor) else y, forward_t())
    err_b = max(_relative(p.grad, q.grad) for p, q in zip(leaves, leaves_t, strict=True))
    fwd, both = "conv2d.forward", "conv2d.forward_backward"
    return [
        pair(
            fwd,
            forward,
            forward_t,
            target=TARGETS[fwd],
            what=WHAT[fwd],
            max_error=err_f,
            quick=quick,
        ),
        pair(
            both,
            backward,
            backward_t,
            target=TARGETS[both],
            what=WHAT[both],
            max_error=err_b,
            quick=quick,
        ),
    ]


def _pool_case(quick: bool) -> dict:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(POOL).astype(np.float32)
    g = rng.standard_normal((*POOL[:2], POOL[2] // 2, POOL[3] // 2)).astype(np.float32)
    leaf, leaf_t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gt = torch.from_numpy(g.copy())

    def ours():
        leaf.grad = None
        max_pool2d(leaf, 2).backward(g)

    def theirs():
        leaf_t.grad = None
        torch.nn.functional.max_pool2d(leaf_t, 2).backward(gt)

    ours()
    theirs()
    err = _relative(leaf.grad, leaf_t.grad)
    key = "max_pool2d.forward_backward"
    return pair(key, ours, theirs, target=None, what=WHAT[key], max_error=err, quick=quick)


def run(quick: bool = False) -> list[dict]:
    """The three conv records (or why they were skipped)."""
    if conv2d is None:
        reason = "mathdl.conv not available"
        return [skipped(k, WHAT[k], reason, TARGETS[k]) for k in TARGETS]
    return [*_conv_case(quick), _pool_case(quick)]


if __name__ == "__main__":
    print_records(run())
