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

from mathdl._validation import (
    _kind,
    as_real,
    check_bool,
    check_callable,
    check_int,
    check_real,
)

__all__ = [
    "assert_close",
    "available_devices",
    "compare_with_torch",
    "max_error",
    "to_numpy",
    "to_torch",
    "torch_copy",
]


#: Called as ``record_hook(actual, expected, a, e)`` by every :func:`assert_close` that
#: passes (so by :func:`compare_with_torch` too): the two arguments as given and as the
#: float64 (complex128) arrays compared. ``None``, the default, records nothing. The unit
#: tests set it (``tests/conftest.py``, under ``MATHDL_AGREEMENT``) to collect the largest
#: error per module for the book's performance appendix.
record_hook: Callable | None = None


def available_devices() -> list[str]:
    """Return the torch devices present here: ``"cpu"`` always, ``"cuda"`` if a GPU is.

    Examples
    --------
    >>> "cpu" in available_devices()
    True
    """
    import torch

    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def _as_numpy(x, func: str, arg: str) -> np.ndarray:
    """``x`` as a numpy array of numbers (bool, int, float or complex), or a clear error."""
    import sys

    from mathdl.autodiff import Tensor

    if isinstance(x, Tensor):
        return x.data
    torch = sys.modules.get("torch")  # a torch tensor exists only if torch was imported
    if torch is not None and isinstance(x, torch.Tensor):
        t = x.detach().cpu().resolve_conj().resolve_neg()
        if t.dtype in (torch.bfloat16, torch.complex32) or "float8" in str(t.dtype):
            t = t.to(torch.complex64 if t.is_complex() else torch.float32)  # exact widening
        return t.numpy()
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(
            f"{func}: {arg} must be numbers (an array, a torch tensor or a mathdl "
            f"Tensor), got {_kind(x)}"
        )
    try:
        a = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{func}: {arg} is not a rectangular array ({err})") from None
    if a.dtype.kind not in "biufc":
        raise TypeError(
            f"{func}: {arg} must be numbers (an array, a torch tensor or a mathdl "
            f"Tensor), got {_kind(x) if a.dtype == object else f'dtype {a.dtype}'}"
        )
    return a


def to_numpy(x) -> np.ndarray:
    """``x`` (a torch tensor on any device, a mathdl Tensor, or array-like) as a numpy array.

    Torch dtypes that numpy lacks (bfloat16, complex32) are widened exactly (to float32,
    complex64). Strings, None, objects and ragged lists are refused.

    Raises
    ------
    TypeError
        If ``x`` is not numbers (a string, None, an object array).
    ValueError
        If ``x`` is a ragged nested list.

    Examples
    --------
    >>> from mathdl.autodiff import Tensor
    >>> to_numpy(Tensor([1.0, 2.0]))
    array([1., 2.])
    """
    return _as_numpy(x, "to_numpy", "x")


def _device(device, func: str):
    """``device`` if torch knows it and, for CUDA, this machine has it; else a clear error."""
    import torch

    if not isinstance(device, (str, torch.device)):
        raise TypeError(
            f"{func}: device must be a device name such as 'cpu' or 'cuda', got {_kind(device)}"
        )
    try:
        d = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"{func}: device must be a torch device such as 'cpu' or 'cuda', got {device!r}"
        ) from None
    if d.type == "cuda" and (
        not torch.cuda.is_available() or (d.index or 0) >= torch.cuda.device_count()
    ):
        raise ValueError(
            f"{func}: device {device!r} is not available here; available: {available_devices()}"
        )
    return device


def to_torch(x, device: str = "cpu", requires_grad: bool = False):
    """``x`` (array-like or mathdl Tensor) as a torch tensor on ``device``, dtype kept.

    Python floats and float64 arrays give float64 tensors, so comparisons stay tight.

    Raises
    ------
    TypeError
        If ``x`` is not numbers, ``requires_grad`` is not a bool or is True for integers.
    ValueError
        If ``x`` is ragged or ``device`` is unknown or not present here.

    Examples
    --------
    >>> to_torch([1.0, 2.0]).dtype
    torch.float64
    """
    import torch

    device = _device(device, "to_torch")
    requires_grad = check_bool(requires_grad, "to_torch", "requires_grad")
    a = _as_numpy(x, "to_torch", "x")
    if requires_grad and a.dtype.kind not in "fc":
        raise TypeError(
            f"to_torch: x of dtype {a.dtype} cannot require gradients; "
            "expected floating or complex values"
        )
    try:
        t = torch.tensor(np.array(a), device=device)
    except TypeError:
        raise TypeError(f"to_torch: x of dtype {a.dtype} has no torch counterpart") from None
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
        theirs = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
        return _with_weights(theirs, layer, device)
    if isinstance(layer, nn.Conv2d):
        theirs = torch.nn.Conv2d(
            layer.in_channels,
            layer.out_channels,
            layer.kernel_size,
            stride=layer.stride,
            padding=layer.padding,
            dilation=layer.dilation,
            groups=layer.groups,
            bias=layer.bias is not None,
        )
        return _with_weights(theirs, layer, device)
    if isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
        return getattr(torch.nn, type(layer).__name__)(**layer.options)
    if isinstance(layer, nn.Flatten):
        return torch.nn.Flatten(layer.start_dim, layer.end_dim)
    raise TypeError(
        f"torch_copy: module contains {type(layer).__name__}, which has no torch counterpart "
        "here (known: Linear, Conv2d, MaxPool2d, AvgPool2d, Flatten, ReLU, Sigmoid, Tanh, "
        "GELU, Sequential)"
    )


def _with_weights(theirs, layer, device: str):
    """``theirs`` (a torch layer) moved to ``device`` and ``layer``'s dtype, its weight and bias
    overwritten with the mathdl ``layer``'s."""
    import torch

    weight = layer.weight.data
    theirs = theirs.to(device=device, dtype=getattr(torch, weight.dtype.name))
    with torch.no_grad():
        theirs.weight.copy_(to_torch(weight, device))
        if layer.bias is not None:
            theirs.bias.copy_(to_torch(layer.bias.data, device))
    return theirs


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
    from mathdl import nn

    if not isinstance(module, nn.Module):
        raise TypeError(f"torch_copy: module must be a mathdl.nn Module, got {_kind(module)}")
    return _torch_layer(module, _device(device, "torch_copy"))


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

    Raises
    ------
    TypeError, ValueError
        For bad arguments (``f`` not callable, ``arrays`` not a list of real arrays, a
        negative tolerance or seed, an unknown device), or ``f`` (``f_torch``) returning
        something other than a mathdl Tensor (a torch tensor).
    AssertionError
        If values or gradients differ beyond the tolerances.

    Examples
    --------
    >>> import torch
    >>> compare_with_torch(lambda x: (x * x).sum(), lambda x: (x * x).sum(), [[1.0, 2.0]])
    0.0
    """
    import torch

    from mathdl.autodiff import Tensor

    name = "compare_with_torch"
    check_callable(f, name, "f")
    check_callable(f_torch, name, "f_torch")
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(f"{name}: arrays must be a list or tuple of arrays, got {_kind(arrays)}")
    device = _device(device, name)
    rtol, atol = check_real(rtol, name, "rtol", min=0.0), check_real(atol, name, "atol", min=0.0)
    if grad_atol is not None:
        grad_atol = check_real(grad_atol, name, "grad_atol", min=0.0)
    seed = check_int(seed, name, "seed", min=0)
    arrays_too = check_bool(arrays_too, name, "arrays_too")
    inputs = [as_real(a, name, f"arrays[{i}]") for i, a in enumerate(arrays)]  # float64
    ours = [Tensor(a, requires_grad=True) for a in inputs]
    theirs = [to_torch(a, device, requires_grad=True) for a in inputs]
    y, yt = f(*ours), f_torch(*theirs)
    if not isinstance(y, Tensor):
        raise TypeError(f"{name}: f returned {_kind(y)}; expected a mathdl Tensor")
    if not isinstance(yt, torch.Tensor):
        raise TypeError(f"{name}: f_torch returned {_kind(yt)}; expected a torch tensor")
    errors = [assert_close(y, yt, rtol=rtol, atol=atol, name="forward")]
    if arrays_too:
        plain = f(*inputs)
        if not isinstance(plain, np.ndarray):
            raise AssertionError(f"arrays in, arrays out: got {type(plain).__name__}")
        errors.append(assert_close(plain, yt, rtol=rtol, atol=atol, name="forward (arrays)"))
    upstream = np.random.default_rng(seed).standard_normal(y.shape)
    if y.requires_grad:  # a constant output has zero gradients
        y.backward(upstream)
    if yt.requires_grad:
        yt.backward(to_torch(upstream, device))
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        expected = np.zeros(a.shape) if b.grad is None else b.grad
        got = np.zeros(a.shape) if a.grad is None else a.grad
        atol_g = atol if grad_atol is None else grad_atol
        errors.append(assert_close(got, expected, rtol=rtol, atol=atol_g, name=f"grad {i}"))
    return max(errors)


def _widen(actual, expected, func: str):
    """Both as float64 (or complex128) arrays, cast before any arithmetic; shapes unchecked."""
    a, e = _as_numpy(actual, func, "actual"), _as_numpy(expected, func, "expected")
    wide = np.complex128 if np.iscomplexobj(a) or np.iscomplexobj(e) else np.float64
    return a.astype(wide), e.astype(wide)


def _errors(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``|a - e|``, with equal entries (equal infinities too) at exactly 0."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(a == e, 0.0, np.abs(a - e))


def max_error(actual, expected) -> float:
    """Largest absolute difference between two arrays (or tensors) of one shape.

    Any mix of dtypes, numpy arrays, mathdl Tensors and torch tensors (any device) is
    compared in float64 (complex128 if either side is complex): integers are cast before
    subtracting. Equal infinities count as no error; a NaN on either side gives NaN; a
    difference beyond the largest float is inf. Empty arrays give 0.

    Raises
    ------
    TypeError
        If either side is not numbers.
    ValueError
        If the shapes differ (nothing is broadcast) or a list is ragged.

    Examples
    --------
    >>> max_error([1.0, 2.0], [1.0, 2.5])
    0.5
    >>> max_error(np.uint8([0]), np.uint8([1]))
    1.0
    """
    a, e = _widen(actual, expected, "max_error")
    if a.shape != e.shape:
        raise ValueError(
            f"max_error: actual has shape {a.shape} but expected has shape {e.shape}; "
            "they must be equal"
        )
    err = _errors(a, e)
    return float(np.max(err, initial=0.0)) if not np.isnan(err).any() else float("nan")


def _tolerance(t, name: str, shape: tuple) -> np.ndarray | float:
    """A tolerance of :func:`assert_close`: a number or array >= 0, finite, broadcastable."""
    if np.asarray(t).dtype == np.bool_ or isinstance(t, bool):
        raise TypeError(f"assert_close: {name} must be a real number >= 0, got {_kind(t)}")
    if np.ndim(t) == 0:
        return check_real(t, "assert_close", name, min=0.0)
    a = as_real(t, "assert_close", name, finite=True)
    if (a < 0).any():
        raise ValueError(f"assert_close: {name} must be >= 0, got an array with min {a.min()}")
    try:
        np.broadcast_shapes(a.shape, shape)
    except ValueError:
        raise ValueError(
            f"assert_close: {name} of shape {a.shape} does not broadcast to the "
            f"compared shape {shape}"
        ) from None
    return a


def assert_close(
    actual,
    expected,
    *,
    rtol: float = 1e-10,
    atol: float = 0.0,
    name: str = "value",
    equal_nan: bool = False,
):
    """Assert ``|actual - expected| <= atol + rtol * |expected|`` elementwise.

    Accepts real or complex numpy arrays, mathdl Tensors and torch tensors on any device,
    in any mix of dtypes (compared in float64 or complex128). As in
    ``torch.testing.assert_close``, equal infinities agree, an infinity agrees with nothing
    else, and NaN agrees with nothing unless ``equal_nan``. The message names the quantity,
    the shapes and the worst element, so a failure explains itself.

    Parameters
    ----------
    actual, expected : array_like, mathdl Tensor or torch tensor, of one shape
    rtol, atol : float or array_like broadcastable to the shape, >= 0
    name : str
        The quantity, for the message.
    equal_nan : bool
        Count NaN against NaN as agreement.

    Returns
    -------
    float
        The largest absolute error, handy to print in a notebook.

    Raises
    ------
    AssertionError
        If the shapes differ or some element is not close.
    TypeError, ValueError
        For arguments that are not numbers, a negative or NaN tolerance, or a ``name`` or
        ``equal_nan`` of the wrong type.

    Examples
    --------
    >>> assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.5]), atol=0.5)
    0.5
    >>> assert_close([np.inf], [np.inf])
    0.0
    """
    if not isinstance(name, str):
        raise TypeError(f"assert_close: name must be a str, got {_kind(name)}")
    equal_nan = check_bool(equal_nan, "assert_close", "equal_nan")
    a, e = _widen(actual, expected, "assert_close")
    rtol, atol = _tolerance(rtol, "rtol", e.shape), _tolerance(atol, "atol", e.shape)
    if a.shape != e.shape:
        raise AssertionError(f"{name}: shape {a.shape} differs from expected {e.shape}")
    err = _errors(a, e)
    same = (a == e) | (equal_nan & np.isnan(a) & np.isnan(e))  # equal infinities too
    err = np.where(same, 0.0, err)
    with np.errstate(invalid="ignore", over="ignore"):
        bound = atol + rtol * np.abs(e)  # NaN where rtol = 0 and e = inf
    within = (err <= bound) & ~(np.isinf(a) | np.isinf(e))  # inf - x <= inf must not pass
    bad = ~(same | within)  # NaN counts as a failure
    if bad.any():
        worst = np.where(bad, np.nan_to_num(err, nan=np.inf), -1.0)
        i = tuple(int(k) for k in np.unravel_index(np.argmax(worst), a.shape))
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {a.size} elements differ beyond rtol={rtol}, "
            f"atol={atol}; worst at index {i}: {a[i].item()!r} vs expected {e[i].item()!r}"
        )
    if record_hook is not None:
        record_hook(actual, expected, a, e)
    return float(err.max(initial=0.0))
