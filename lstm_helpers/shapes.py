"""Broadcasting and ``torch.matmul``, explained step by step.

Every LSTM gate is made of two shape operations: a matrix product (``x @ W_ih.T``) and a
broadcast (adding the bias ``b`` of shape ``(4H,)`` to every row of an ``(N, 4H)`` matrix).
This module computes the shape PyTorch gives for each, and says *why*, one step at a time:

    >>> print(explain_broadcast((5, 3), (3,)))
    (5, 3) + (3,) -> (5, 3)
      1. Align from the right: b (3,) has fewer dimensions, so a 1 is added on its left: (1, 3).
      2. dimension 0: 5 and 1 -> 5 (the 1 stretches).
      3. dimension 1: 3 and 3 are equal -> 3.
      4. Result: (5, 3).

Shapes may be ``torch.Size``, tuples or lists of non-negative ints. Shapes that PyTorch
refuses raise :class:`ShapeError` (a ``ValueError``) naming the offending dimensions.
"""

from dataclasses import dataclass, field

import torch

from lstm_helpers._checks import check_int, format_shape

__all__ = [
    "ShapeError",
    "ShapeExplanation",
    "as_shape",
    "broadcast_shape",
    "explain_broadcast",
    "explain_matmul",
    "format_shape",
]


class ShapeError(ValueError):
    """Two shapes that PyTorch cannot combine.

    Attributes:
        steps: the explanation up to and including the step that fails.
        dims: the offending dimensions, one ``(dim_of_a, dim_of_b)`` pair per mismatch,
            each an index into that operand's own shape.
        aligned_a, aligned_b: the shapes lined up as in :class:`ShapeExplanation`.
    """

    def __init__(self, message: str, steps=(), dims=(), aligned=((), ())):
        super().__init__(message)
        self.steps = list(steps)
        self.dims = tuple(dims)
        self.aligned_a, self.aligned_b = (tuple(s) for s in aligned)


@dataclass(frozen=True)
class ShapeExplanation:
    """The result shape of an operation on two shapes, with the reasoning behind it.

    Attributes:
        operation: ``"broadcast"`` (elementwise ``+``, ``-``, ``*``, ``/``) or ``"matmul"``.
        shape_a, shape_b: the two input shapes.
        shape: the result shape (a ``torch.Size``).
        aligned_a, aligned_b: the inputs as PyTorch lines them up: for broadcasting, padded
            on the left with 1s to the same length; for matmul, 1-D operands promoted to
            matrices and the batch dimensions padded with 1s.
        steps: the explanation, one readable sentence per step.
    """

    operation: str
    shape_a: torch.Size
    shape_b: torch.Size
    shape: torch.Size
    aligned_a: tuple[int, ...]
    aligned_b: tuple[int, ...]
    steps: list[str] = field(compare=False)

    @property
    def symbol(self) -> str:
        return "@" if self.operation == "matmul" else "+"

    def __str__(self) -> str:
        head = (
            f"{format_shape(self.shape_a)} {self.symbol} {format_shape(self.shape_b)}"
            f" -> {format_shape(self.shape)}"
        )
        body = [f"  {k}. {step}" for k, step in enumerate(self.steps, start=1)]
        return "\n".join([head, *body])


def as_shape(shape, name: str = "shape") -> torch.Size:
    """Check that ``shape`` is a shape and return it as a ``torch.Size``.

    Args:
        shape: a ``torch.Size``, tuple or list of non-negative ints.
        name: how error messages call it. Default: ``"shape"``.

    Raises:
        TypeError: not a tuple/list/``torch.Size``, or an entry that is not an int.
        ValueError: a negative size.
    """
    if isinstance(shape, torch.Tensor):
        raise TypeError(
            f"{name} must be a shape such as (5, 3), got a tensor; pass its .shape instead"
        )
    if not isinstance(shape, (tuple, list, torch.Size)):
        raise TypeError(
            f"{name} must be a shape (a tuple, list or torch.Size of ints), "
            f"got {type(shape).__name__} {shape!r}"
        )
    return torch.Size([check_int(f"{name}[{k}]", size, minimum=0) for k, size in enumerate(shape)])


def _pad_left(shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    return (1,) * (ndim - len(shape)) + tuple(shape)


def _broadcast_dims(a, b, what: str):
    """Broadcast two shapes of equal length. Returns (shape, steps, mismatches)."""
    result, steps, bad = [], [], []
    ndim = len(a)
    for k, (m, n) in enumerate(zip(a, b, strict=True)):
        where = f"{what} {k}"
        if m == n:
            result.append(m)
            steps.append(f"{where}: {m} and {n} are equal -> {m}.")
        elif n == 1:
            result.append(m)
            steps.append(f"{where}: {m} and 1 -> {m} (the 1 stretches).")
        elif m == 1:
            result.append(n)
            steps.append(f"{where}: 1 and {n} -> {n} (the 1 stretches).")
        else:
            result.append(None)
            zero = " (a size 0 is not a 1: it does not stretch)" if 0 in (m, n) else ""
            steps.append(f"{where}: {m} and {n} differ and neither is 1 -> error{zero}.")
            bad.append((k - ndim, k, m, n))
    return tuple(result), steps, bad


def _pad_step(label: str, shape, ndim: int) -> str:
    missing = ndim - len(shape)
    ones = "a 1 is" if missing == 1 else f"{missing} 1s are"
    return (
        f"{label} {format_shape(shape)} has fewer dimensions, so {ones} added on its left: "
        f"{format_shape(_pad_left(shape, ndim))}."
    )


def _mismatch_text(bad, what: str, len_a: int, len_b: int) -> str:
    """Name each mismatch by the aligned position and by each operand's own dimension."""
    parts = []
    for from_right, k, m, n in bad:
        parts.append(
            f"at {what} {k} (a's dim {len_a + from_right}, b's dim {len_b + from_right}) "
            f"the sizes {m} and {n} differ and neither is 1"
        )
    return "; ".join(parts)


def explain_broadcast(shape_a, shape_b) -> ShapeExplanation:
    """Explain the shape of ``a + b`` (or ``a * b``, any elementwise operation).

    The rules, as in ``torch.broadcast_shapes``:

    1. align the shapes from the right; the shorter one gets 1s added on its left;
    2. in every dimension the sizes must be equal, or one of them 1, which stretches
       to the other size (so 1 with 0 gives 0, but 3 with 0 fails).

    Args:
        shape_a, shape_b: the shapes of ``a`` and ``b`` (``torch.Size``, tuple or list).

    Returns:
        A :class:`ShapeExplanation`; ``.shape`` equals ``torch.broadcast_shapes(a, b)``.

    Raises:
        ShapeError: (a ``ValueError``) the shapes do not broadcast; names the dimensions.
        TypeError, ValueError: an argument is not a valid shape.
    """
    a, b = as_shape(shape_a, "shape_a"), as_shape(shape_b, "shape_b")
    ndim = max(len(a), len(b))
    steps = []
    if len(a) == len(b):
        steps.append(
            f"Align from the right: both shapes have {ndim} dimension"
            f"{'' if ndim == 1 else 's'}, nothing to add."
        )
    else:
        label, short = ("a", a) if len(a) < len(b) else ("b", b)
        steps.append("Align from the right: " + _pad_step(label, short, ndim))
    pa, pb = _pad_left(a, ndim), _pad_left(b, ndim)
    result, dim_steps, bad = _broadcast_dims(pa, pb, "dimension")
    steps.extend(dim_steps)
    if bad:
        raise ShapeError(
            f"shapes {format_shape(a)} and {format_shape(b)} cannot be broadcast: "
            f"{_mismatch_text(bad, 'aligned dimension', len(a), len(b))}",
            steps,
            [(len(a) + d[0], len(b) + d[0]) for d in bad],
            (pa, pb),
        )
    shape = torch.Size(result)
    steps.append(f"Result: {format_shape(shape)}.")
    return ShapeExplanation("broadcast", a, b, shape, pa, pb, steps)


def broadcast_shape(shape_a, shape_b) -> torch.Size:
    """The shape of ``a + b``: ``explain_broadcast(shape_a, shape_b).shape``."""
    return explain_broadcast(shape_a, shape_b).shape


def explain_matmul(shape_a, shape_b) -> ShapeExplanation:
    """Explain the shape of ``torch.matmul(a, b)`` (``a @ b``).

    The rules of ``torch.matmul``:

    1. both operands need at least one dimension (0-d tensors are refused);
    2. a 1-D ``a`` of shape ``(k,)`` becomes a row ``(1, k)``, a 1-D ``b`` a column
       ``(k, 1)``; the added 1 is removed from the result again;
    3. the last two dimensions multiply as matrices: ``(n, k) @ (k, p) -> (n, p)``;
       the inner sizes ``k`` must be equal;
    4. all dimensions before the last two are batch dimensions; they broadcast
       (:func:`explain_broadcast`), and the result is ``batch + (n, p)``.

    Two 1-D operands give the dot product, a 0-d result ``()``.

    Args:
        shape_a, shape_b: the shapes of ``a`` and ``b`` (``torch.Size``, tuple or list).

    Returns:
        A :class:`ShapeExplanation`; ``.shape`` equals ``torch.matmul(a, b).shape``.

    Raises:
        ShapeError: (a ``ValueError``) the inner sizes differ or the batch dimensions
            do not broadcast; names the dimensions.
        ValueError: an operand is 0-d; a negative size.
        TypeError: an argument is not a shape.
    """
    a, b = as_shape(shape_a, "shape_a"), as_shape(shape_b, "shape_b")
    for label, s in (("a", a), ("b", b)):
        if len(s) == 0:
            raise ValueError(
                f"matmul needs operands with at least 1 dimension, but {label} is 0-d "
                f"(shape ()); use * for multiplying by a scalar"
            )
    steps = []
    ma, mb = tuple(a), tuple(b)
    if len(a) == 1:
        ma = (1, a[0])
        steps.append(
            f"a is 1-D: a 1 is put in front to make it a row, {format_shape(a)} -> "
            f"{format_shape(ma)}; this 1 is removed from the result again."
        )
    if len(b) == 1:
        mb = (b[0], 1)
        steps.append(
            f"b is 1-D: a 1 is put after it to make it a column, {format_shape(b)} -> "
            f"{format_shape(mb)}; this 1 is removed from the result again."
        )
    n, k = ma[-2:]
    k2, p = mb[-2:]
    problems, bad_dims = [], []
    a_k = "a's only dimension" if len(a) == 1 else f"a's last dimension (dim {len(a) - 1})"
    b_k = (
        "b's only dimension" if len(b) == 1 else f"b's second-to-last dimension (dim {len(b) - 2})"
    )
    if k == k2:
        steps.append(
            f"Matrix part: ({n}, {k}) @ ({k2}, {p}): the inner sizes {k} and {k2} match "
            f"-> ({n}, {p})."
        )
    else:
        steps.append(
            f"Matrix part: ({n}, {k}) @ ({k2}, {p}): the inner sizes {k} and {k2} differ -> error."
        )
        problems.append(f"{a_k} has size {k} but {b_k} has size {k2}; they must be equal")
        bad_dims.append((len(a) - 1, max(len(b) - 2, 0)))
    batch_a, batch_b = ma[:-2], mb[:-2]
    nbatch = max(len(batch_a), len(batch_b))
    if nbatch == 0:
        batch = ()
        steps.append("No batch dimensions: the operands are (now) plain matrices.")
    else:
        steps.append(
            f"Batch dimensions (all but the last two) broadcast: a's "
            f"{format_shape(batch_a)} with b's {format_shape(batch_b)}."
        )
        if len(batch_a) != len(batch_b):
            label, short = ("a", batch_a) if len(batch_a) < len(batch_b) else ("b", batch_b)
            steps.append(_pad_step(f"{label}'s batch", short, nbatch))
        batch, dim_steps, bad = _broadcast_dims(
            _pad_left(batch_a, nbatch), _pad_left(batch_b, nbatch), "batch dimension"
        )
        steps.extend(dim_steps)
        if bad:
            problems.append(
                "the batch dimensions cannot be broadcast: "
                + _mismatch_text(bad, "aligned batch dimension", len(a) - 2, len(b) - 2)
            )
            # batch position from the right, shifted past the two matrix dimensions
            bad_dims.extend((len(a) + d[0] - 2, len(b) + d[0] - 2) for d in bad)
    aligned_a = _pad_left(batch_a, nbatch) + ma[-2:]
    aligned_b = _pad_left(batch_b, nbatch) + mb[-2:]
    if problems:
        raise ShapeError(
            f"cannot matmul {format_shape(a)} with {format_shape(b)}: " + "; ".join(problems),
            steps,
            bad_dims,
            (aligned_a, aligned_b),
        )
    full = tuple(batch) + (n, p)
    steps.append(f"Batch {format_shape(batch)} + matrix ({n}, {p}) -> {format_shape(full)}.")
    shape = full
    if len(a) == 1:
        shape = shape[:-2] + shape[-1:]
        steps.append(f"Remove the 1 added in front of a -> {format_shape(shape)}.")
    if len(b) == 1:
        shape = shape[:-1]
        steps.append(f"Remove the 1 added after b -> {format_shape(shape)}.")
    if len(a) == 1 and len(b) == 1:
        steps.append("Both operands were 1-D: this is the dot product, a 0-d result.")
    shape = torch.Size(shape)
    steps.append(f"Result: {format_shape(shape)}.")
    return ShapeExplanation("matmul", a, b, shape, aligned_a, aligned_b, steps)
