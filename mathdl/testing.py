"""Compare mathdl with PyTorch: devices, conversions, copies of networks, and one check.

PyTorch is imported lazily, so ``import mathdl`` needs numpy only; these helpers serve the
tests and the "Check against PyTorch" cells of the book.

* :func:`available_devices` -- ``["cpu"]``, plus ``"cuda"`` where a GPU is present.
* :func:`to_torch`, :func:`to_numpy` -- move values between the two worlds.
* :func:`torch_copy` -- a torch module with exactly the weights of a mathdl module.
* :func:`compare_with_torch` -- forward values and input gradients of one function, both ways.
* :func:`max_error`, :func:`assert_close` -- how far apart two arrays are, and a check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "assert_close",
    "available_devices",
    "compare_with_torch",
    "max_error",
    "to_numpy",
    "to_torch",
    "torch_copy",
]


def available_devices() -> list[str]:
    """Return the torch devices present here: ``"cpu"`` always, ``"cuda"`` if a GPU is.

    Examples
    --------
    >>> "cpu" in available_devices()
    True
    """
    import torch

    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def to_numpy(x) -> np.ndarray:
    """``x`` (a torch tensor on any device, a mathdl Tensor, or array-like) as a numpy array.

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> to_numpy(Tensor([1.0, 2.0]))
    array([1., 2.])
    """
    from mathdl.autodiff import Tensor

    if isinstance(x, Tensor):
        return x.data
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def to_torch(x, device: str = "cpu", requires_grad: bool = False):
    """``x`` (array-like or mathdl Tensor) as a torch tensor on ``device``, dtype kept.

    Python floats and float64 arrays give float64 tensors, so comparisons stay tight.

    Examples
    --------
    >>> to_torch([1.0, 2.0]).dtype
    torch.float64
    """
    import torch

    t = torch.tensor(np.array(to_numpy(x)), device=device)
    return t.requires_grad_(True) if requires_grad else t


def _torch_layer(layer, device: str):
    """The torch counterpart of one mathdl layer, weights copied exactly."""
    import torch

    from mathdl import nn

    if isinstance(layer, nn.Sequential):
        return torch.nn.Sequential(*(_torch_layer(m, device) for m in layer))
    simple = {nn.ReLU: torch.nn.ReLU, nn.Sigmoid: torch.nn.Sigmoid, nn.Tanh: torch.nn.Tanh}
    if type(layer) in simple:
        return simple[type(layer)]()
    if isinstance(layer, nn.GELU):
        return torch.nn.GELU()
    if isinstance(layer, nn.Linear):
        weight = layer.weight.data
        theirs = torch.nn.Linear(
            layer.in_features, layer.out_features, bias=layer.bias is not None
        ).to(device=device, dtype=getattr(torch, weight.dtype.name))
        with torch.no_grad():
            theirs.weight.copy_(to_torch(weight, device))
            if layer.bias is not None:
                theirs.bias.copy_(to_torch(layer.bias.data, device))
        return theirs
    raise TypeError(f"torch_copy: no torch counterpart known for {type(layer).__name__}")


def torch_copy(module, device: str = "cpu"):
    """A torch module computing what the mathdl ``module`` computes, with equal weights.

    Parameters
    ----------
    module : mathdl.nn.Module
        A layer, or a :class:`mathdl.nn.Sequential` (an :class:`~mathdl.nn.MLP`) of layers.
    device : str
        Where the copy lives.

    Examples
    --------
    >>> from mathdl import nn
    >>> net = nn.MLP([3, 4, 2], rng=0)
    >>> torch_copy(net)[0].weight.shape
    torch.Size([4, 3])
    """
    return _torch_layer(module, device)


def compare_with_torch(
    f: Callable,
    f_torch: Callable,
    arrays: Sequence,
    device: str = "cpu",
    *,
    rtol: float = 1e-12,
    atol: float = 0.0,
    grad_atol: float | None = None,
    seed: int = 0,
    arrays_too: bool = False,
) -> float:
    """Check ``f`` on mathdl Tensors against ``f_torch`` on torch tensors: values and gradients.

    Each array becomes a float64 leaf on both sides. The outputs are compared, then both are
    back-propagated with the same random upstream gradient and every input's gradient is
    compared. With ``arrays_too``, ``f`` is also called on plain numpy arrays and must return
    a numpy array of the same values (the functional API's "arrays in, arrays out").

    Returns
    -------
    float
        The largest absolute error seen, over the values and every gradient.

    Examples
    --------
    >>> import torch
    >>> compare_with_torch(lambda x: (x * x).sum(), lambda x: (x * x).sum(), [[1.0, 2.0]])
    0.0
    """
    from mathdl.autodiff import Tensor

    inputs = [np.asarray(a, dtype=np.float64) for a in arrays]
    ours = [Tensor(a, requires_grad=True) for a in inputs]
    theirs = [to_torch(a, device, requires_grad=True) for a in inputs]
    y, yt = f(*ours), f_torch(*theirs)
    errors = [assert_close(y, yt, rtol=rtol, atol=atol, name="forward")]
    if arrays_too:
        plain = f(*inputs)
        if not isinstance(plain, np.ndarray):
            raise AssertionError(f"arrays in, arrays out: got {type(plain).__name__}")
        errors.append(assert_close(plain, yt, rtol=rtol, atol=atol, name="forward (arrays)"))
    upstream = np.random.default_rng(seed).standard_normal(y.shape)
    y.backward(upstream)
    yt.backward(to_torch(upstream, device))
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        expected = np.zeros(a.shape) if b.grad is None else b.grad
        got = np.zeros(a.shape) if a.grad is None else a.grad
        atol_g = atol if grad_atol is None else grad_atol
        errors.append(assert_close(got, expected, rtol=rtol, atol=atol_g, name=f"grad {i}"))
    return max(errors)


def _widen(actual, expected):
    """Both as float64 (or complex128) arrays of one shape, cast before any arithmetic."""
    a, e = to_numpy(actual), to_numpy(expected)
    if a.shape != e.shape:
        raise AssertionError(f"shape {a.shape} differs from expected {e.shape}")
    wide = np.complex128 if np.iscomplexobj(a) or np.iscomplexobj(e) else np.float64
    return a.astype(wide), e.astype(wide)


def _errors(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``|a - e|``, with equal entries (equal infinities too) at exactly 0."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(a == e, 0.0, np.abs(a - e))


def max_error(actual, expected) -> float:
    """Largest absolute difference between two arrays (or tensors) of one shape.

    Integers are cast before subtracting; equal infinities count as no error; a NaN on
    either side gives NaN.

    Examples
    --------
    >>> max_error([1.0, 2.0], [1.0, 2.5])
    0.5
    >>> max_error(np.uint8([0]), np.uint8([1]))
    1.0
    """
    try:
        a, e = _widen(actual, expected)
    except AssertionError as err:
        raise ValueError(f"max_error: {err}") from None
    err = _errors(a, e)
    return float(np.max(err, initial=0.0)) if not np.isnan(err).any() else float("nan")


def assert_close(actual, expected, *, rtol: float = 1e-10, atol: float = 0.0, name: str = "value"):
    """Assert ``|actual - expected| <= atol + rtol * |expected|`` elementwise.

    Accepts real or complex numpy arrays, mathdl Tensors and torch tensors on any device.
    Equal infinities agree; NaN agrees with nothing. The message names the quantity, the
    shapes and the worst element, so a failure explains itself.

    Returns
    -------
    float
        The largest absolute error, handy to print in a notebook.

    Examples
    --------
    >>> assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.5]), atol=0.5)
    0.5
    >>> assert_close([np.inf], [np.inf])
    0.0
    """
    try:
        a, e = _widen(actual, expected)
    except AssertionError as err:
        raise AssertionError(f"{name}: {err}") from None
    err = _errors(a, e)
    with np.errstate(invalid="ignore", over="ignore"):
        bound = atol + rtol * np.abs(e)
    bad = ~(err <= bound)  # NaN counts as a failure
    if bad.any():
        i = np.unravel_index(
            np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1.0)), a.shape
        )
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {a.size} elements differ beyond rtol={rtol}, "
            f"atol={atol}; worst at index {tuple(int(k) for k in i)}: {a[i]!r} vs expected {e[i]!r}"
        )
    return float(err.max(initial=0.0))
