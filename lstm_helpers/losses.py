"""Cross-entropy from scratch: a drop-in for ``torch.nn.functional.cross_entropy``.

Everything is built from elementary tensor operations (``amax``, ``exp``, ``sum``, ``log``,
``gather``): no call to PyTorch's ``cross_entropy``, ``log_softmax``, ``softmax``,
``logsumexp`` or ``nll_loss``. Gradients come from autograd through those operations.

The maths, for one sample with logits ``x`` (C numbers) and true class ``y``::

    log p_c = x_c - logsumexp(x)           logsumexp(x) = m + log(sum_j exp(x_j - m)), m = max x
    loss    = w_y * (-x_y + logsumexp(x))  (w = per-class weight, 1 without one)

Batches are reduced with ``reduction``: ``'none'`` keeps one loss per sample, ``'sum'`` adds
them, ``'mean'`` divides the sum by the sum of the weights of the counted targets (not by N;
targets equal to ``ignore_index`` count for nothing). Class-probability targets and label
smoothing follow PyTorch's formulas exactly (see :func:`cross_entropy`).

Errors: every bad argument raises an exception whose message names the argument, what was
expected and what was given. Where PyTorch raises, the exception is an instance of PyTorch's
type too (for example :class:`TargetIndexError` is both the ``IndexError`` PyTorch raises for
an out-of-range class index and a ``ValueError``).

Why this module is long: half of it checks arguments, one function per argument, so that
every bad call gets PyTorch's exception type and a message that says what must hold.
"""

import numbers
import operator
import warnings

import torch
from torch import nn

from lstm_helpers._checks import format_shape

__all__ = [
    "CrossEntropyLoss",
    "CrossEntropyTypeError",
    "CrossEntropyValueError",
    "InputDtypeError",
    "TargetIndexError",
    "cross_entropy",
    "log_softmax",
    "logsumexp",
    "index_target_loss",
    "naive_cross_entropy",
    "probability_target_loss",
    "reduce_losses",
]

_REDUCTIONS = ("none", "mean", "sum")
_INDEX_DTYPES = (torch.int64, torch.uint8)  # what PyTorch accepts for class indices


class CrossEntropyValueError(ValueError, RuntimeError):
    """A bad value or shape. Also a ``RuntimeError``, the type PyTorch raises for most of these."""


class CrossEntropyTypeError(TypeError, RuntimeError):
    """A bad dtype. Also a ``RuntimeError``, the type PyTorch raises for these."""


class InputDtypeError(TypeError, NotImplementedError):
    """Logits that are not floating point (PyTorch raises ``NotImplementedError`` here)."""


class TargetIndexError(IndexError, ValueError):
    """A class index outside ``[0, C)`` that is not ``ignore_index`` (PyTorch: ``IndexError``)."""


def logsumexp(x: torch.Tensor, dim: int, keepdim: bool = False) -> torch.Tensor:
    """``log(sum(exp(x), dim))`` without overflow: subtract the maximum first.

    .. math:: \\log\\sum_j e^{x_j} = m + \\log\\sum_j e^{x_j - m}, \\qquad m = \\max_j x_j

    Every ``x_j - m`` is at most 0, so no ``exp`` exceeds 1 and nothing overflows; the largest
    term is exactly ``exp(0) = 1``, so the sum is at least 1 and the ``log`` never sees 0.
    ``m`` is treated as a constant for autograd (the identity holds for any ``m``), and an
    infinite maximum (a row of ``-inf``) is replaced by 0, as ``torch.logsumexp`` does.
    """
    m = x.detach().amax(dim=dim, keepdim=True)  # same shape as x, with size 1 along dim
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    out = m + torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))  # size 1 along dim
    return out if keepdim else out.squeeze(dim)


def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """``log(softmax(x))`` along ``dim``, computed as ``x - logsumexp(x)`` (stable)."""
    return x - logsumexp(x, dim=dim, keepdim=True)  # same shape as x


def _legacy_reduction(size_average, reduce) -> str:
    """The reduction that PyTorch's deprecated ``size_average``/``reduce`` pair stands for."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        reduction = "mean"
    elif reduce:
        reduction = "sum"
    else:
        reduction = "none"
    warnings.warn(
        "size_average and reduce args will be deprecated, please use "
        f"reduction='{reduction}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return reduction


def _check_reduction(reduction) -> str:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction must be one of 'none', 'mean', 'sum': got {reduction!r}"
        )
    return reduction


def _check_label_smoothing(label_smoothing) -> float:
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real):
        if isinstance(label_smoothing, torch.Tensor) and label_smoothing.numel() == 1:
            label_smoothing = label_smoothing.item()
        else:
            raise TypeError(
                "label_smoothing must be a float in [0.0, 1.0]: "
                f"got {type(label_smoothing).__name__} {label_smoothing!r}"
            )
    label_smoothing = float(label_smoothing)
    if not 0.0 <= label_smoothing <= 1.0:  # also rejects nan
        raise CrossEntropyValueError(
            f"label_smoothing must be between 0.0 and 1.0: got {label_smoothing}"
        )
    return label_smoothing


def _check_ignore_index(ignore_index) -> int:
    if isinstance(ignore_index, bool):
        raise TypeError(f"ignore_index must be an int: got bool {ignore_index!r}")
    try:
        return operator.index(ignore_index)
    except TypeError:
        raise TypeError(
            f"ignore_index must be an int: got {type(ignore_index).__name__} {ignore_index!r}"
        ) from None


def _check_weight_alone(weight) -> None:
    """The checks that do not need the input: a 1-D floating tensor with no negative entry."""
    if weight is None:
        return
    if not isinstance(weight, torch.Tensor):
        raise TypeError(
            f"weight must be a Tensor of shape (C,) or None: got {type(weight).__name__}"
        )
    if not weight.is_floating_point():
        raise CrossEntropyTypeError(
            f"weight must be a floating-point tensor: got {weight.dtype}"
        )
    if weight.dim() != 1:
        raise CrossEntropyValueError(
            "weight must be a 1-D tensor with one entry per class: "
            f"expected shape (C,), got shape {format_shape(weight.shape)}"
        )
    if not bool((weight.detach() >= 0).all()):  # also catches nan
        bad = weight.detach()[~(weight.detach() >= 0)][0].item()
        raise CrossEntropyValueError(
            f"weight must be non-negative (every weight >= 0): got {bad}"
        )


def _check_input(input) -> None:
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"input must be a Tensor of logits: got {type(input).__name__}")
    if not input.is_floating_point():
        raise InputDtypeError(
            "input (the logits) must be a floating-point tensor: "
            f"expected float16/bfloat16/float32/float64, got {input.dtype}"
        )
    if input.dim() == 0:
        raise CrossEntropyValueError(
            "input must have shape (C,), (N, C) or (N, C, d1, ..., dK): got a 0-d tensor"
        )


def _check_index_target(input: torch.Tensor, target: torch.Tensor) -> None:
    """Class-index targets: dtype int64 (or uint8) and shape (), (N,) or (N, d1, ..., dK)."""
    if target.is_floating_point():
        raise CrossEntropyTypeError(
            f"target of dtype {target.dtype} and shape {format_shape(target.shape)} is neither "
            f"kind of target: class indices must be int64 (got {target.dtype}; use "
            "target.long() if these are class numbers), class probabilities must have the "
            f"input's shape {format_shape(input.shape)} (got {format_shape(target.shape)})"
        )
    if target.dtype not in _INDEX_DTYPES:
        raise CrossEntropyTypeError(
            "target (class indices) must have dtype torch.int64 (or torch.uint8): "
            f"got {target.dtype}"
        )
    if input.dim() == 1:  # unbatched: one sample of C logits, one class index
        if target.dim() == 0 or tuple(target.shape) == (1,):
            return
        raise CrossEntropyValueError(
            f"for unbatched input of shape {format_shape(input.shape)} the target must be a single "
            f"class index: expected shape () (or (1,)), got {format_shape(target.shape)}"
        )
    expected = (input.size(0),) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise CrossEntropyValueError(
            f"target (class indices) must have shape (N, d1, ..., dK) for input of shape "
            f"(N, C, d1, ..., dK) = {format_shape(input.shape)}: expected {expected}, "
            f"got {format_shape(target.shape)}"
        )


def _check_index_range(target: torch.Tensor, n_classes: int, ignore_index: int) -> None:
    counted = target != ignore_index
    bad = counted & ((target < 0) | (target >= n_classes))
    if bool(bad.any()):
        where = tuple(int(i) for i in bad.nonzero()[0])
        value = int(target[where]) if where else int(target)
        raise TargetIndexError(
            f"target class indices must be in [0, C) = [0, {n_classes}) or equal ignore_index "
            f"= {ignore_index}: got {value} at position {where}"
        )


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    *,
    size_average: bool | None = None,
    reduce: bool | None = None,
) -> torch.Tensor:
    """Cross-entropy between logits and targets, equal to ``torch.nn.functional.cross_entropy``.

    Class-index targets (``y`` per sample, ``w`` the class weights, ``M`` the samples whose
    target is not ``ignore_index``, ``eps`` the label smoothing, ``C`` the number of classes)::

        log p_c = x_c - logsumexp(x)
        l       = (1 - eps) * w_y * (-log p_y) + eps / C * sum_c w_c * (-log p_c)
        'mean'  = sum_{n in M} l_n / sum_{n in M} w_{y_n}     ('none': l, 0 where ignored)

    Class-probability targets ``t`` (same shape as the input, each row a distribution)::

        t' = (1 - eps) * t + eps / C
        l  = -sum_c w_c * t'_c * log p_c
        'mean' = sum_n l_n / (number of samples)              (weights do not normalise here)

    Args:
        input: logits, shape (C,), (N, C) or (N, C, d1, ..., dK); floating point.
        target: class indices (int64, or uint8), shape (), (N,) or (N, d1, ..., dK); or
            class probabilities (floating point), the same shape as ``input``.
        weight: per-class weights, shape (C,), non-negative. Default: None (all ones).
        ignore_index: a class index that contributes nothing, neither to the loss nor to
            the 'mean' denominator (class-index targets only). Default: -100.
        reduction: 'none' | 'mean' | 'sum'. Default: 'mean'.
        label_smoothing: eps in [0.0, 1.0]. Default: 0.0.
        size_average, reduce: deprecated, keyword only; as in PyTorch, when either is given
            it overrides ``reduction`` (with a warning).

    Outputs:
        a 0-d tensor for 'mean' and 'sum'; for 'none' a tensor of shape (), (N,) or
        (N, d1, ..., dK) (the input's shape without the class dimension).
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    reduction = _check_reduction(reduction)
    label_smoothing = _check_label_smoothing(label_smoothing)
    ignore_index = _check_ignore_index(ignore_index)
    _check_input(input)
    if not isinstance(target, torch.Tensor):
        raise TypeError(
            f"target must be a Tensor of class indices or class probabilities: "
            f"got {type(target).__name__}"
        )
    _check_weight_alone(weight)
    n_classes = input.size(0) if input.dim() == 1 else input.size(1)
    if weight is not None and weight.numel() != n_classes:
        raise CrossEntropyValueError(
            "weight must have one entry per class: "
            f"expected shape ({n_classes},), got shape {tuple(weight.shape)}"
        )
    if tuple(target.shape) == tuple(input.shape):
        return probability_target_loss(input, target, weight, ignore_index, reduction,
                                       label_smoothing)
    return index_target_loss(input, target, weight, ignore_index, reduction, label_smoothing)


def _log_probabilities(input: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The input with a batch dimension, and its log-probabilities over dim 1.

    Half precision is computed in float32 (as PyTorch does); the caller returns the input's
    dtype. Outputs: ``x`` and ``log_p``, both (N, C, d1, ..., dK) (N = 1 for unbatched input).
    """
    x = input.unsqueeze(0) if input.dim() == 1 else input  # (N, C, d1, ..., dK)
    low_precision = input.dtype in (torch.float16, torch.bfloat16)
    xc = x.float() if low_precision else x  # (N, C, d1, ..., dK)
    return xc, log_softmax(xc, dim=1)  # (N, C, d1, ..., dK) each


def reduce_losses(losses: torch.Tensor, reduction: str, denominator, unbatched: bool):
    """The losses of the samples, reduced: the one place where ``reduction`` is applied.

    ``'mean'`` is ``losses.sum() / denominator`` (the number of samples for probability
    targets, the summed weights of the counted targets for class indices), ``'sum'`` the
    sum, ``'none'`` the losses themselves, without the batch dimension for unbatched input.

    Inputs: ``losses`` (N, d1, ..., dK). Outputs: a 0-d tensor, or the losses for 'none'.
    """
    if reduction == "mean":
        return losses.sum() / denominator  # nan when the denominator is 0, like PyTorch
    if reduction == "sum":
        return losses.sum()
    return losses.squeeze(0) if unbatched else losses  # (N, d1, ..., dK) or (d1, ..., dK)


def probability_target_loss(input, target, weight, ignore_index, reduction, label_smoothing):
    """:func:`cross_entropy` for class-probability targets ``t`` (the input's shape).

    ``t' = (1 - eps) t + eps / C``, ``l = -sum_c w_c t'_c log p_c``, and 'mean' divides by
    the number of samples (weights do not normalise here). Arguments already checked.
    """
    if not target.is_floating_point():
        raise CrossEntropyTypeError(
            f"target has the input's shape {format_shape(input.shape)}, so it is read as class "
            f"probabilities, which must be floating point: got {target.dtype} (class "
            f"indices need shape {(input.size(0),) + tuple(input.shape[2:])})"
        )
    if ignore_index != -100:
        raise CrossEntropyValueError(
            "ignore_index is not supported for class-probability (floating point) targets: "
            f"expected the default -100, got {ignore_index}"
        )
    unbatched = input.dim() == 1
    xc, log_p = _log_probabilities(input)  # (N, C, d1, ..., dK) each
    n_classes = xc.size(1)
    out_dtype = torch.promote_types(input.dtype, target.dtype)
    if weight is not None:
        out_dtype = torch.promote_types(out_dtype, weight.dtype)
    t = target.unsqueeze(0) if unbatched else target  # (N, C, d1, ..., dK)
    if label_smoothing > 0.0:
        t = t * (1 - label_smoothing) + label_smoothing / n_classes  # (N, C, d1, ..., dK)
    terms = log_p * t  # (N, C, d1, ..., dK)
    if weight is not None:
        w_shape = (1, n_classes) + (1,) * (xc.dim() - 2)
        terms = terms * weight.view(w_shape)  # (N, C, d1, ..., dK)
    losses = -terms.sum(dim=1)  # (N, d1, ..., dK)
    return reduce_losses(losses, reduction, losses.numel(), unbatched).to(out_dtype)


def index_target_loss(input, target, weight, ignore_index, reduction, label_smoothing):
    """:func:`cross_entropy` for class-index targets ``y``: ``l = w_y * (-log p_y)``.

    Targets equal to ``ignore_index`` count for nothing; 'mean' divides by the summed weights
    of the counted targets. With label smoothing ``eps``, ``(1 - eps)`` times that plus
    ``eps / C`` times the loss against the uniform distribution, each reduced on its own as
    PyTorch does. Arguments already checked, except the target itself.
    """
    _check_index_target(input, target)
    if weight is not None and weight.dtype != input.dtype:
        raise CrossEntropyTypeError(
            f"weight must have the input's dtype: expected {input.dtype}, got {weight.dtype}"
        )
    unbatched = input.dim() == 1
    xc, log_p = _log_probabilities(input)  # (N, C, d1, ..., dK) each
    n_classes = xc.size(1)
    y = target.reshape(()) if unbatched else target  # () or (N, d1, ..., dK)
    y = y.unsqueeze(0) if unbatched else y  # (N, d1, ..., dK)
    y = y.long()
    _check_index_range(y, n_classes, ignore_index)
    counted = y != ignore_index  # (N, d1, ..., dK)
    y_safe = torch.where(counted, y, torch.zeros_like(y))  # (N, d1, ..., dK), ignored -> 0
    log_p_y = log_p.gather(1, y_safe.unsqueeze(1)).squeeze(1)  # (N, d1, ..., dK)
    w = weight.to(xc.dtype) if weight is not None else xc.new_ones(n_classes)  # (C,)
    zero = torch.zeros((), dtype=xc.dtype, device=xc.device)
    w_y = torch.where(counted, w[y_safe], zero)  # (N, d1, ..., dK), 0 where ignored
    nll = torch.where(counted, -w_y * log_p_y, zero)  # (N, d1, ..., dK)
    denominator = w_y.sum()  # 'mean': the weight of the counted targets
    result = reduce_losses(nll, reduction, denominator, unbatched)
    if label_smoothing > 0.0:
        # eps/C times the loss against the uniform distribution (weighted like nll, and
        # reduced on its own as PyTorch does, so a zero denominator gives nan, not inf)
        w_shape = (1, n_classes) + (1,) * (xc.dim() - 2)
        smooth = -(log_p * w.view(w_shape)).sum(dim=1)  # (N, d1, ..., dK)
        smooth = torch.where(counted, smooth, zero)  # (N, d1, ..., dK)
        result = (1 - label_smoothing) * result + (label_smoothing / n_classes) * reduce_losses(
            smooth, reduction, denominator, unbatched
        )
    return result.to(input.dtype)


class CrossEntropyLoss(nn.Module):
    """The module form of :func:`cross_entropy`; a drop-in for ``torch.nn.CrossEntropyLoss``.

    Args:
        weight: per-class weights, shape (C,), non-negative; stored as a buffer (so
            ``.double()`` and ``.to(...)`` move it). Default: None.
        size_average, reduce: deprecated, as in PyTorch: either one given overrides
            ``reduction`` (with a warning). Default: None.
        ignore_index: class index that contributes nothing. Default: -100.
        reduction: 'none' | 'mean' | 'sum'. Default: 'mean'.
        label_smoothing: in [0.0, 1.0]. Default: 0.0.

    Inputs: ``input`` (C,), (N, C) or (N, C, d1, ..., dK); ``target`` class indices (),
    (N,) or (N, d1, ..., dK), or class probabilities of the input's shape.
    Outputs: see :func:`cross_entropy`.

    One difference from PyTorch: a bad ``reduction``, ``label_smoothing`` or ``weight`` is
    rejected when the module is built, not at the first call (the call checks again, so
    changing an attribute later is checked too).

    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> loss = CrossEntropyLoss()(logits, torch.tensor([0, 2]))
    >>> torch.allclose(loss, nn.CrossEntropyLoss()(logits, torch.tensor([0, 2])))
    True
    """

    __constants__ = ["ignore_index", "reduction", "label_smoothing"]

    def __init__(
        self,
        weight: torch.Tensor | None = None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        _check_weight_alone(weight)
        self.register_buffer("weight", weight)
        self.ignore_index = _check_ignore_index(ignore_index)
        self.reduction = _check_reduction(reduction)
        self.label_smoothing = _check_label_smoothing(label_smoothing)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


def naive_cross_entropy(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The textbook formula ``-log(exp(x_y) / sum_j exp(x_j))`` per sample, with no safeguard.

    For teaching only: ``exp`` overflows to ``inf`` once a logit passes ~88.7 in float32
    (~709.8 in float64). Then ``p_y`` is ``finite / inf = 0`` and the loss ``inf`` if only
    other classes overflow, and ``inf / inf = nan`` if the true class's ``exp`` overflows too.
    ``exp`` also underflows to 0 (below about -104 in float32): ``p_y = 0`` gives ``inf``,
    and ``0 / 0 = nan`` when every ``exp`` underflows. Compare :func:`cross_entropy`.

    Inputs: ``input`` (N, C) logits, ``target`` (N,) class indices.
    Outputs: (N,) losses (no reduction).
    """
    e = torch.exp(input)  # (N, C), may overflow to inf
    p = e / e.sum(dim=1, keepdim=True)  # (N, C), inf / inf = nan
    return -torch.log(p.gather(1, target.unsqueeze(1)).squeeze(1))  # (N,)
