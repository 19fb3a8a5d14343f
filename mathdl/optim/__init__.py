"""Optimization: ``torch.optim``'s optimizers and schedules, and minimisers of plain functions.

Three layers, each checked against PyTorch by the tests:

* **Optimizers over tensors** -- :class:`SGD`, :class:`Adagrad`, :class:`RMSprop`,
  :class:`Adam`, :class:`AdamW` on a list of :class:`~mathdl.autodiff.Tensor` (or of
  parameter groups). :meth:`~Optimizer.step` updates every ``p.data`` in place from
  ``p.grad`` with torch's formulas, defaults, argument names, state (``state[p]``) and
  ``state_dict`` layout; parameters whose ``.grad`` is ``None`` are skipped. One base
  class, :class:`Optimizer`, holds the groups, the state and the ``state_dict`` logic;
  each algorithm is a short ``_update``.
* **Learning-rate schedules** -- :class:`StepLR`, :class:`MultiStepLR`,
  :class:`ExponentialLR`, :class:`CosineAnnealingLR`, :class:`LinearLR`,
  :class:`OneCycleLR` and :class:`SequentialLR` set ``group["lr"]`` exactly as torch's do
  (the same recursive, "chainable" formulas, so the numbers agree to rounding).
* **Minimisers of a function of a vector** -- :func:`gradient_descent`, :func:`newton`,
  :func:`conjugate_gradient` (linear, for ``A x = b`` with ``A`` symmetric positive
  definite), :func:`nonlinear_conjugate_gradient` and :func:`lbfgs`, with the line search
  :func:`strong_wolfe`. Each returns an :class:`OptimizeResult` holding the whole
  trajectory, for plotting. Divergence is detected and reported (``diverged_at``), never
  an overflow warning or a NaN in the returned arrays.

Differences from torch, all deliberate: ``state[p]["step"]`` is a Python int (torch keeps
a 0-d float tensor; :meth:`Optimizer.load_state_dict` accepts both); there is no
``foreach``/``fused``/``capturable``/``differentiable`` and no ``last_epoch`` argument;
group hyperparameters are validated like the defaults; :class:`Adagrad` fills a group's
accumulator from that group's ``initial_accumulator_value`` (torch uses the constructor's).

Bad input is refused with a ``TypeError`` or ``ValueError`` whose message starts with the
class (or ``Class.method``) and the argument, where torch is sometimes silent: NaN, inf
or bool hyperparameters; a parameter twice in one group (torch warns, and would step it
twice); a set of parameters (unordered); ``RMSprop`` ``alpha > 1``; negative ``gamma``,
``eta_min`` or ``max_lr`` in the schedules; a ``OneCycleLR`` phase of zero steps (torch
divides by zero); milestones out of order. :meth:`Optimizer.step` checks every ``.grad``
first (dtype and shape those of its parameter, as torch demands) and then updates, with
IEEE arithmetic and no warnings: an overflow gives inf and NaN propagates, as in torch.
``load_state_dict`` checks the structure, every buffer's shape and the hyperparameters
before it changes anything.
"""

from mathdl.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    SequentialLR,
    StepLR,
)
from mathdl.optim.minimize import (
    OptimizeResult,
    conjugate_gradient,
    gradient_descent,
    heavy_ball_rate,
    lbfgs,
    newton,
    nonlinear_conjugate_gradient,
    proximal_gradient,
    soft_threshold,
    strong_wolfe,
)
from mathdl.optim.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "OptimizeResult",
    "Optimizer",
    "RMSprop",
    "SequentialLR",
    "StepLR",
    "conjugate_gradient",
    "gradient_descent",
    "heavy_ball_rate",
    "lbfgs",
    "newton",
    "nonlinear_conjugate_gradient",
    "proximal_gradient",
    "soft_threshold",
    "strong_wolfe",
]
