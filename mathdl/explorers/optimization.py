"""Explorers of chapter 5, optimization: gradient descent and its variants, the momentum plane.

:func:`descent_explorer` runs one of ``mathdl.optim``'s optimizers on a 2-D function and
shows the path on the contours and the loss per step. Its website form is *data*: the
contours of each function as one image, and every trajectory for every static setting,
computed by :func:`trajectory` (the same code as the live form) and drawn by the local
script. :func:`momentum_plane_explorer` colours the (learning rate, momentum) plane of the
heavy ball by its convergence rate (frames).
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure

from mathdl._validation import check_choice, check_int, check_real
from mathdl.autodiff import Tensor
from mathdl.optim import SGD, Adagrad, Adam, RMSprop, heavy_ball_rate
from mathdl.widgets import Choice, DataExplorer, Explorer, Slider

__all__ = [
    "FUNCTIONS",
    "OPTIMIZERS",
    "descent_explorer",
    "momentum_plane_explorer",
    "problem",
    "trajectory",
]

#: Largest Hessian eigenvalue of the quadratic; its smallest is ``L / kappa``.
QUADRATIC_L = 10.0
X_MAX, LOSS_FACTOR = 1e6, 1e12  # the divergence rule of mathdl.optim.gradient_descent
LOGISTIC_L2 = 0.05
FUNCTIONS = ("quadratic", "rosenbrock", "saddle", "logistic")
OPTIMIZERS = ("GD", "momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")
USES_MOMENTUM = {"GD": False, "momentum": True, "Nesterov": True, "AdaGrad": False,
                 "RMSProp": False, "Adam": True}  # fmt: skip
STARTS = ("A", "B")
LR_VALUES = tuple(float(f"{v:.4g}") for v in np.logspace(-3.5, 1.0, 40))
MOMENTUM_VALUES = (0.0, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)
KAPPA_VALUES = (2.0, 10.0, 50.0)
STEP_VALUES = (10, 25, 50, 100)


@functools.cache
def _digits_features() -> tuple[np.ndarray, np.ndarray]:
    """Two standardised pixel features (the two of largest variance) of digits 1 and 7."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = (y == 1) | (y == 7)
    X, y = X[keep], np.where(y[keep] == 1, 1.0, -1.0)  # (n, 64), (n,) labels +-1
    cols = np.argsort(X.var(axis=0))[-2:]
    Z = X[:, cols]  # (n, 2)
    return (Z - Z.mean(axis=0)) / Z.std(axis=0), y


def _logistic(w: np.ndarray) -> tuple[float, np.ndarray]:
    Z, y = _digits_features()
    m = y * (Z @ w)  # (n,) margins
    f = np.mean(np.logaddexp(0.0, -m)) + 0.5 * LOGISTIC_L2 * (w @ w)
    s = 0.5 * (1.0 + np.tanh(-m / 2))  # sigmoid(-m), no overflow
    return float(f), -(Z.T @ (y * s)) / len(y) + LOGISTIC_L2 * w


def _dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a[i] @ b[i]`` over the last axis (of length 2) at every point: one 1-D ``@`` each.

    The same product as the one-point ``a @ b`` of :func:`problem`'s ``fg``, so the grid
    values round as the pointwise ones do (a plain ``a0 * b0 + a1 * b1`` may differ in
    the last bit, which moves the contour levels that sit exactly on grid values).
    """
    return (a[..., None, :] @ b[..., :, None])[..., 0, 0]  # (..., 1, 2) @ (..., 2, 1)


def _logistic_grid(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The loss of :func:`_logistic` at every ``w = (X, Y)`` at once, computed as it does.

    One ``Z @ w`` per point, then numpy's mean over the samples (the last, contiguous
    axis): the values are those of the one-point form, in X.shape.
    """
    Z, y = _digits_features()  # (n, 2), (n,)
    W = np.stack([X, Y], axis=-1)  # X.shape + (2,)
    m = (Z @ W[..., None])[..., 0]  # X.shape + (n,): (n, 2) @ (2, 1) per point
    np.multiply(y, m, out=m)  # margins, in place (42 MB on the 120 x 120 grid)
    losses = np.logaddexp(0.0, np.negative(m, out=m), out=m)
    return losses.mean(axis=-1) + 0.5 * LOGISTIC_L2 * _dots(W, W)


@functools.cache
def _logistic_min() -> float:
    """The minimum of the logistic loss, by Newton's method (it is strongly convex)."""
    Z, y = _digits_features()
    w = np.zeros(2)
    for _ in range(50):
        s = 0.5 * (1.0 + np.tanh(-(y * (Z @ w)) / 2))
        H = (Z.T * (s * (1 - s))) @ Z / len(y) + LOGISTIC_L2 * np.eye(2)  # (2, 2)
        w = w - np.linalg.solve(H, _logistic(w)[1])
    return _logistic(w)[0]


def problem(function: str, kappa: float = 10.0) -> dict:
    """The 2-D test function: value-and-gradient, minimum, box, starts and ``L``.

    Parameters
    ----------
    function : {"quadratic", "rosenbrock", "saddle", "logistic"}
    kappa : float, default 10
        Condition number ``>= 1`` of the quadratic (ignored by the others).

    Returns
    -------
    dict
        ``fg(x) -> (f, grad)`` at one point ``x`` (2,); ``f_grid(X, Y) -> f`` at every
        point of two coordinate arrays of one shape, vectorised (the contours; equal to
        ``fg`` to rounding); ``fstar``, ``xlim``, ``ylim``, ``starts`` (name -> (2,)
        array), ``L`` (largest Hessian eigenvalue at the minimum), ``mu`` (the smallest,
        for the quadratic; else None).

    Raises
    ------
    TypeError, ValueError
        For an unknown ``function`` or a ``kappa`` that is not a finite number ``>= 1``.

    Examples
    --------
    >>> p = problem("quadratic", 10)
    >>> p["L"], p["mu"], p["fg"](np.array([1.0, 1.0]))[0]
    (10.0, 1.0, 5.5)
    >>> p["f_grid"](np.array([1.0, 0.0]), np.array([1.0, 2.0]))  # at (1, 1) and (0, 2)
    array([ 5.5, 20. ])
    """
    return _problem(*_checked_problem(function, kappa, "problem"))


def _checked_problem(function, kappa, func: str) -> tuple[str, float]:
    return check_choice(function, func, "function", FUNCTIONS), check_real(
        kappa, func, "kappa", min=1
    )


def _problem(function: str, kappa: float) -> dict:
    L = QUADRATIC_L
    if function == "quadratic":
        d = np.array([L / kappa, L])  # Hessian eigenvalues mu, L

        def f_grid(X, Y):
            W = np.stack([X, Y], axis=-1)  # X.shape + (2,)
            return _dots(0.5 * (d * W), W)  # fg's 0.5 * (d * x) @ x at every point

        return dict(fg=lambda x: (float(0.5 * (d * x) @ x), d * x), fstar=0.0, L=L, mu=L / kappa,
                    f_grid=f_grid,
                    xlim=(-3.0, 3.0), ylim=(-3.0, 3.0),
                    starts={"A": np.array([-2.5, 2.0]), "B": np.array([2.5, 0.5])})  # fmt: skip
    if function == "rosenbrock":

        def fg(x):
            r = x[1] - x[0] ** 2
            g = np.array([-2 * (1 - x[0]) - 400 * x[0] * r, 200 * r])
            return float((1 - x[0]) ** 2 + 100 * r**2), g

        def f_grid(X, Y):
            return (1 - X) ** 2 + 100 * (Y - X**2) ** 2

        return dict(fg=fg, f_grid=f_grid, fstar=0.0, L=1001.6, mu=None,
                    xlim=(-2.0, 2.0), ylim=(-1.0, 3.0),
                    starts={"A": np.array([-1.5, 2.0]), "B": np.array([0.0, -0.5])})  # fmt: skip
    if function == "saddle":

        def fg(x):  # a saddle at 0, minima at (0, +-1)
            f = 0.5 * x[0] ** 2 - 0.5 * x[1] ** 2 + 0.25 * x[1] ** 4
            return float(f), np.array([x[0], -x[1] + x[1] ** 3])

        def f_grid(X, Y):
            return 0.5 * X**2 - 0.5 * Y**2 + 0.25 * Y**4

        return dict(fg=fg, f_grid=f_grid, fstar=-0.25, L=2.0, mu=None,
                    xlim=(-2.0, 2.0), ylim=(-2.0, 2.0),
                    starts={"A": np.array([1.8, 0.01]), "B": np.array([1.8, 0.0])})  # fmt: skip
    if function == "logistic":
        return dict(fg=_logistic, f_grid=_logistic_grid, fstar=_logistic_min(),
                    L=_logistic_L(), mu=None,
                    xlim=(-4.0, 4.0), ylim=(-4.0, 4.0),
                    starts={"A": np.array([-3.5, 3.0]), "B": np.array([3.0, 3.5])})  # fmt: skip
    raise AssertionError(function)  # unreachable: checked


@functools.cache
def _logistic_L() -> float:
    Z, _ = _digits_features()
    return float(np.linalg.eigvalsh(Z.T @ Z / len(Z))[-1] / 4 + LOGISTIC_L2)


def _optimizer(name: str, p: Tensor, lr: float, momentum: float):
    if name == "GD":
        return SGD([p], lr=lr)
    if name == "momentum":
        return SGD([p], lr=lr, momentum=momentum)
    if name == "Nesterov":
        return SGD([p], lr=lr, momentum=momentum, nesterov=momentum > 0)
    if name == "AdaGrad":
        return Adagrad([p], lr=lr)
    if name == "RMSProp":
        return RMSprop([p], lr=lr)
    if name == "Adam":
        return Adam([p], lr=lr, betas=(momentum, 0.999))
    raise ValueError(f"trajectory: optimizer must be one of {OPTIMIZERS}, got {name!r}")


def _why_diverged(x: np.ndarray, fx: float, f0: float) -> str | None:
    """The rule of :func:`mathdl.optim.gradient_descent` (gradients are finite here)."""
    if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > X_MAX:
        return "|x| > 1e6"
    if not np.isfinite(fx):
        return "loss is not finite"
    if abs(fx) > LOSS_FACTOR * max(abs(f0), 1.0):
        return "|loss| > 1e12 x max(|initial loss|, 1)"
    return None


def trajectory(function, optimizer, lr, momentum, steps, start, kappa=10.0) -> dict:
    """Run ``mathdl.optim``'s ``optimizer`` on ``function`` from the named ``start``.

    A :class:`~mathdl.autodiff.Tensor` of shape (2,) gets ``.grad`` from the analytic
    gradient before each ``step()``. Optimizers: ``GD`` = ``SGD(lr)``, ``momentum`` =
    ``SGD(lr, momentum)``, ``Nesterov`` = ``SGD(lr, momentum, nesterov=True)`` (plain SGD
    when ``momentum == 0``), ``AdaGrad``, ``RMSProp``, ``Adam(lr, betas=(momentum, 0.999))``.

    Parameters
    ----------
    function : str
        One of :data:`FUNCTIONS`.
    optimizer : str
        One of :data:`OPTIMIZERS`.
    lr : float
        Learning rate ``>= 0``.
    momentum : float
        In ``[0, 1)`` (Adam's ``beta1``; ignored by optimizers without momentum).
    steps : int
        Number of steps ``>= 0``.
    start : {"A", "B"}
    kappa : float, default 10
        Condition number ``>= 1`` of the quadratic.

    Returns
    -------
    dict
        ``points`` (n + 1, 2), ``losses`` (n + 1,) of ``f - f*``, ``diverged_at`` (the step
        whose iterate was refused, not stored; or None) and ``message``.

    Raises
    ------
    TypeError, ValueError
        For a name that is not one of the options or a number out of range; the message
        starts ``trajectory:`` and names the argument.

    Examples
    --------
    >>> t = trajectory("quadratic", "GD", 0.25, 0.0, 100, "A", kappa=10)
    >>> t["message"]
    'diverged at step 33: |x| > 1e6'
    """
    func = "trajectory"
    prob = _problem(*_checked_problem(function, kappa, func))
    optimizer = check_choice(optimizer, func, "optimizer", OPTIMIZERS)
    lr = check_real(lr, func, "lr", min=0)
    momentum = check_real(momentum, func, "momentum", min=0, max=1, max_open=True)
    steps = check_int(steps, func, "steps", min=0)
    x0 = prob["starts"][check_choice(start, func, "start", STARTS)]
    p = Tensor(x0.copy(), requires_grad=True)
    opt = _optimizer(optimizer, p, lr, momentum)
    f0, g = prob["fg"](p.data)
    points, losses, message, at = [x0.copy()], [f0], f"{steps} steps", None
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            p.grad = g
            opt.step()
            fx, g = prob["fg"](p.data)
            why = _why_diverged(p.data, fx, f0)
            if why:
                message, at = f"diverged at step {k}: {why}", k
                break
            points.append(p.data.copy())
            losses.append(fx)
    gap = np.maximum(np.array(losses) - prob["fstar"], 0.0)
    return dict(points=np.array(points), losses=gap, diverged_at=at, message=message)


def _rate(function, optimizer, lr, momentum, kappa) -> float | None:
    """The theoretical rate per step on the quadratic (GD and heavy ball), else None."""
    if function != "quadratic" or optimizer not in ("GD", "momentum"):
        return None
    beta = momentum if optimizer == "momentum" else 0.0
    return float(heavy_ball_rate(lr, beta, (QUADRATIC_L / kappa, QUADRATIC_L)))


def _draw_contours(ax, function: str, kappa: float) -> None:
    prob = problem(function, kappa)
    (x0, x1), (y0, y1) = prob["xlim"], prob["ylim"]
    X, Y = np.meshgrid(np.linspace(x0, x1, 120), np.linspace(y0, y1, 120))  # (120, 120)
    F = prob["f_grid"](X, Y) - prob["fstar"]  # (120, 120)
    levels = np.quantile(F, np.linspace(0.0, 0.95, 18) ** 2)
    ax.contour(X, Y, F, levels=np.unique(levels), cmap="viridis", linewidths=0.8)
    ax.set(xlim=(x0, x1), ylim=(y0, y1))
    for name, s in prob["starts"].items():
        ax.annotate(name, s, fontsize=8, color="0.3")


def _draw_descent(fig: Figure):
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.07, right=0.98, bottom=0.14))
    (path,) = left.plot([], [], ".-", color="tab:red", ms=3, lw=1, animated=True)
    (loss,) = right.semilogy([], [], color="tab:red", label="f − f*", animated=True)
    (theory,) = right.semilogy([], [], "--", color="0.4", label="rate ρ^(2k)", animated=True)
    right.set(ylim=(1e-16, 1e12), xlabel="step k", title="f − f*")
    right.legend(loc="lower left", fontsize=7)
    status = right.text(0.98, 0.95, "", transform=right.transAxes, ha="right", va="top",
                        fontsize=8, color="tab:red", animated=True)  # fmt: skip
    note = left.text(0.5, 1.02, "", transform=left.transAxes, ha="center", fontsize=9,
                     animated=True)  # fmt: skip
    shown = {"scene": None}

    def update(function, kappa, optimizer, lr, momentum, steps, start) -> None:
        scene = (function, kappa if function == "quadratic" else None)
        if scene != shown["scene"]:  # new contours: the background changes
            for artist in [*left.collections, *left.texts[1:]]:
                artist.remove()
            _draw_contours(left, function, kappa)
            right.set_xlim(0, 100)
            shown["scene"] = scene
        t = trajectory(function, optimizer, lr, momentum, steps, start, kappa)
        path.set_data(t["points"][:, 0], t["points"][:, 1])
        k = np.arange(len(t["losses"]))
        loss.set_data(k, np.maximum(t["losses"], 1e-16))
        rho = _rate(function, optimizer, lr, momentum, kappa)
        kk = np.arange(steps + 1) if rho else np.arange(0)
        with np.errstate(over="ignore", under="ignore"):  # rho > 1 for 100 steps: past 1e308
            curve = np.clip(t["losses"][0] * rho ** (2.0 * kk), 1e-300, 1e300) if rho else kk
        theory.set_data(kk, curve)
        status.set_text(t["message"] if t["diverged_at"] else "")
        L = problem(function, kappa)["L"]
        note.set_text(f"{optimizer}, lr = {lr:.3g} (2/L = {2 / L:.3g})")

    return update


def descent_explorer() -> DataExplorer:
    """Gradient descent and its variants on four 2-D functions (a data explorer).

    Examples
    --------
    >>> [c.name for c in descent_explorer().controls]
    ['function', 'kappa', 'optimizer', 'lr', 'momentum', 'steps', 'start']
    """
    controls = [
        Choice("function", FUNCTIONS, "quadratic"),
        Slider("kappa", 1, 100, 1, 10.0, KAPPA_VALUES, label="condition κ"),
        Choice("optimizer", OPTIMIZERS, "momentum"),
        Slider(
            "lr",
            LR_VALUES[0],
            LR_VALUES[-1],
            0.02,
            LR_VALUES[20],
            LR_VALUES,
            label="learning rate",
            scale="log",
        ),
        Slider("momentum", 0, 0.99, 0.01, 0.7, MOMENTUM_VALUES, label="momentum / β₁"),
        Slider("steps", 1, 100, 1, 50, STEP_VALUES, label="steps"),
        Choice("start", STARTS, "A", label="start point"),
    ]
    return DataExplorer(
        _draw_descent, controls, _descent_data, title="Gradient descent", figsize=(7.0, 3.2)
    )


# -- website data ---------------------------------------------------------------------------


def _scenes() -> list[tuple[str, float]]:
    """(function, kappa) with a background each: the quadratic per kappa, others once."""
    return [("quadratic", k) for k in KAPPA_VALUES] + [(f, 10.0) for f in FUNCTIONS[1:]]


def _scene_image(function: str, kappa: float) -> dict:
    fig = Figure(figsize=(3.4, 3.2), dpi=90)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.12, 0.1, 0.84, 0.84))
    _draw_contours(ax, function, kappa)
    fig.canvas.draw()
    box = ax.get_window_extent()  # pixels, origin bottom-left
    h = fig.bbox.height
    prob = problem(function, kappa)
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]
    return dict(pixels=pixels, box=[box.x0, h - box.y1, box.x1, h - box.y0],
                xlim=prob["xlim"], ylim=prob["ylim"], L=prob["L"])  # fmt: skip


def _descent_data() -> dict:
    """The website data: a background per scene, every trajectory, and which one to show.

    A scene is a (function, kappa) with its own contours: the quadratic per kappa, the
    others once. Optimizers without momentum are run once per lr (momentum ignored).
    """
    scenes = _scenes()
    records, index = [], {}

    def record_of(function, kappa, optimizer, lr, momentum, start) -> int:
        scene = scenes.index((function, kappa if function == "quadratic" else 10.0))
        m = momentum if USES_MOMENTUM[optimizer] else 0.0
        key = (scene, optimizer, lr, m, start)
        if key not in index:
            f, k = scenes[scene]
            t = trajectory(f, optimizer, lr, m, STEP_VALUES[-1], start, k)
            t.update(rate=_rate(f, optimizer, lr, m, k), scene=scene)
            index[key] = len(records)
            records.append(t)
        return index[key]

    return dict(scenes=[_scene_image(f, k) for f, k in scenes], records=records,
                record_of=record_of, truncate="steps")  # fmt: skip


# -- momentum plane -------------------------------------------------------------------------


def _draw_plane(fig: Figure):
    ax = fig.add_axes((0.1, 0.14, 0.72, 0.76))
    cax = fig.add_axes((0.85, 0.14, 0.03, 0.76))
    a = np.linspace(0.0, 1.0, 241)  # lr * L
    b = np.linspace(0.0, 0.999, 200)
    A, B = np.meshgrid(a, b)  # (200, 241)
    # Fast (small rho) is bright, slow is dark, diverged (rho >= 1) is grey; the power norm
    # spreads out the rates near 1 that large condition numbers produce.
    cmap = colormaps["viridis_r"].with_extremes(over="0.85")
    image = ax.imshow(np.zeros_like(A), origin="lower", extent=(0, 4, 0, 1), aspect="auto",
                      norm=PowerNorm(3.0, vmin=0.0, vmax=1.0), cmap=cmap,
                      animated=True)  # fmt: skip
    fig.colorbar(image, cax=cax, label="rate ρ (grey: diverges)", extend="max",
                 ticks=[0.0, 0.5, 0.7, 0.8, 0.9, 1.0])  # fmt: skip
    # rho < 1 iff 0 < lr L < 2 (1 + beta): drawn animated so that it stays above the image
    ax.plot(2 * (1 + b), b, color="black", lw=1.2, animated=True)
    (star,) = ax.plot([], [], "*", color="tab:cyan", ms=12, animated=True, label="Polyak α*, β*")
    (gd,) = ax.plot([], [], "o", color="tab:green", ms=7, animated=True, label="GD 2/(L+μ)")
    ax.axhline(0.0, color="tab:green", lw=2)
    ax.set(xlabel="learning rate × L", ylabel="momentum β", xlim=(0, 4), ylim=(0, 1))
    ax.legend(handles=[star, gd], loc="upper right", fontsize=7)
    title = ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", animated=True)
    L = 1.0
    grid_a = 4 * A  # lr * L over (0, 4)

    def update(kappa: float) -> None:
        mu = L / kappa
        rho = heavy_ball_rate(grid_a / L, B, (mu, L))  # (200, 241)
        image.set_array(np.where(rho < 1.0, rho, 2.0))  # 2.0: past vmax, drawn grey
        s = np.sqrt(kappa)
        alpha, beta = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, ((s - 1) / (s + 1)) ** 2
        star.set_data([alpha * L], [beta])
        gd.set_data([2 / (L + mu) * L], [0.0])
        title.set_text(f"κ = {kappa:g}: Polyak ρ* = {(s - 1) / (s + 1):.3f}, "
                       f"GD ρ = {(kappa - 1) / (kappa + 1):.3f}")  # fmt: skip

    return update


def momentum_plane_explorer() -> Explorer:
    """The (learning rate, momentum) plane of the heavy ball on a quadratic, coloured by rate.

    Examples
    --------
    >>> [c.name for c in momentum_plane_explorer().controls]
    ['kappa']
    """
    controls = [Slider("kappa", 1, 200, 1, 10, (2, 5, 10, 50, 100), label="condition κ")]
    return Explorer(_draw_plane, controls, title="The momentum plane", figsize=(6.0, 3.4))
