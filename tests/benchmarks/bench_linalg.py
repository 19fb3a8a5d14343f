"""From-scratch ``svd`` and ``eigh`` at 256 x 256 against LAPACK (``numpy.linalg``).

Run alone with ``.venv/bin/python tests/benchmarks/bench_linalg.py`` (``make bench``
runs every benchmark). Float64; a random Gaussian matrix for the SVD and its symmetric
part for ``eigh``. mathdl's are one-sided (Hestenes) and cyclic Jacobi methods in numpy;
LAPACK's are blocked bidiagonalisation (``gesdd``) and tridiagonalisation (``syevd``).
The error is that of the singular values (eigenvalues) against LAPACK's. Target: within
20x of LAPACK.
"""

from __future__ import annotations

import numpy as np
from _timing import pair, print_records

from mathdl import linalg

N, TARGET = 256, 20.0


def run(quick: bool = False) -> list[dict]:
    """The svd and eigh records."""
    A = np.random.default_rng(0).standard_normal((N, N))
    S = (A + A.T) / 2
    s_err = float(np.abs(linalg.svd(A)[1] - np.linalg.svd(A)[1]).max())
    w_err = float(np.abs(linalg.eigh(S)[0] - np.linalg.eigh(S)[0]).max())
    common = {"reference": "numpy.linalg", "target": TARGET, "quick": quick}
    common |= {"repeats": 30, "warmup": 2, "budget_s": 12.0}
    return [
        pair(
            "svd",
            lambda: linalg.svd(A),
            lambda: np.linalg.svd(A),
            max_error=s_err,
            what=f"svd of a {N} x {N} float64 matrix (full_matrices=True)",
            **common,
        ),
        pair(
            "eigh",
            lambda: linalg.eigh(S),
            lambda: np.linalg.eigh(S),
            max_error=w_err,
            what=f"eigh of a {N} x {N} symmetric float64 matrix",
            **common,
        ),
    ]


if __name__ == "__main__":
    print_records(run())
