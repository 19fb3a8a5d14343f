"""Shared fixtures: the torch device list (CPU always, CUDA when present)."""

import pytest
import torch

_NO_CUDA = "CUDA not available: torch.cuda.is_available() is False on this machine"


@pytest.fixture(
    params=[
        "cpu",
        pytest.param(
            "cuda",
            marks=[
                pytest.mark.cuda,
                pytest.mark.skipif(not torch.cuda.is_available(), reason=_NO_CUDA),
            ],
        ),
    ]
)
def device(request):
    """A torch device name; every comparison with torch runs once per device."""
    return request.param
