"""Checks for the exercises of chapter 1 (tensor shapes).

Each check returns a :class:`~lstm_helpers.exercises.Feedback`: correct, or a hint that
points at the mistake without giving the answer away. None of them raises.

- :func:`check_broadcast_result`: what shape does ``zeros(3, 1, 4) + zeros(3, 1)`` have?
- :func:`check_matmul_result`: what shape does ``zeros(2, 5, 3) @ zeros(3)`` have?
- :func:`check_row_bias`: reshape a bias so that it adds one value per row.
- :func:`check_broadcast_function`: write ``broadcast_shape(shape_a, shape_b)``.
- :func:`check_sine_grid`: the source post's line that makes the sine data, with and without its
  ``.reshape(N, 1)``.
"""

import torch

from .._checks import format_shape
from ._core import call_learner_function, checker, correct, hint

__all__ = [
    "ROW_BIAS",
    "ROW_BIAS_X",
    "check_broadcast_function",
    "check_broadcast_result",
    "check_matmul_result",
    "check_row_bias",
    "check_sine_grid",
]


def _shape_of(answer):
    """The learner's shape as a tuple of ints, or a Feedback saying why it is not one."""
    if isinstance(answer, torch.Tensor):
        return hint("that is a tensor; give its shape instead, e.g. (7, 2) or torch.Size([7, 2]).")
    if isinstance(answer, str):
        if "error" in answer.lower() or "fail" in answer.lower():
            return hint(
                "it does work: check each aligned pair of sizes again (equal, or one is 1)."
            )
        return hint("write the shape as a tuple of ints, e.g. (7, 2), not as a string.")
    if isinstance(answer, int) and not isinstance(answer, bool):
        return hint("a shape is a tuple, even with one dimension: write (5,), not 5.")
    if not isinstance(answer, (tuple, list, torch.Size)):
        return hint(
            f"write the shape as a tuple of ints, e.g. (7, 2); got {type(answer).__name__}."
        )
    sizes = []
    for size in answer:
        if isinstance(size, bool) or not isinstance(size, int):
            return hint(f"every size in a shape is an int; got {size!r}.")
        sizes.append(size)
    return tuple(sizes)


def _first_wrong_dim(got, expected) -> int:
    return next(k for k, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e)


# Exercise 1.1 -------------------------------------------------------------------------

BROADCAST_A, BROADCAST_B = (3, 1, 4), (3, 1)


@checker
def check_broadcast_result(answer):
    """Exercise 1.1: the shape of ``torch.zeros(3, 1, 4) + torch.zeros(3, 1)``."""
    got = _shape_of(answer)
    if not isinstance(got, tuple):
        return got
    expected = tuple(torch.broadcast_shapes(BROADCAST_A, BROADCAST_B))
    if got == expected:
        return correct("aligned from the right, (3, 1) becomes (1, 3, 1), and every 1 stretches.")
    if got == (3, 1, 4):
        return hint(
            "you aligned from the left. PyTorch lines shapes up from the right: the last "
            "dimensions meet first."
        )
    if len(got) != len(expected):
        return hint(
            f"the result has as many dimensions as the longer operand ({len(expected)}): "
            "missing dimensions are added on the left as 1s."
        )
    k = _first_wrong_dim(got, expected)
    return hint(
        f"dimension {k} is not right: align the shapes from the right and compare the two "
        "sizes there; a size 1 stretches to the other size."
    )


# Exercise 1.2 -------------------------------------------------------------------------

MATMUL_A, MATMUL_B = (2, 5, 3), (3,)


@checker
def check_matmul_result(answer):
    """Exercise 1.2: the shape of ``torch.zeros(2, 5, 3) @ torch.zeros(3)``."""
    got = _shape_of(answer)
    if not isinstance(got, tuple):
        return got
    if got == (2, 5):
        return correct("b became a column (3, 1), the batch 2 was kept, and the 1 removed again.")
    if got == (2, 5, 1):
        return hint(
            "almost: you multiplied by b as a column (3, 1). But b is 1-D: the 1 of that "
            "column was added by matmul, not by you. Does it stay in the result? Compare "
            "(5, 3) @ (3, 1) with (5, 3) @ (3,) in the chapter."
        )
    if got == (2, 5, 3):
        return hint(
            "that is the shape of the elementwise product a * b. With @ the shared size 3 "
            "is summed over and does not appear in the result."
        )
    if got in ((5,), (5, 1)):
        return hint("the batch dimension of a (its first, size 2) is kept in the result.")
    if got in ((2, 3), (3,), (2, 1, 3), (1, 3)):
        return hint(
            "the size 3 is the inner size a's columns share with b: it is summed over and "
            "disappears; a's rows stay."
        )
    return hint(
        "treat b as a column (3, 1), multiply each of the 2 matrices (5, 3) by it, then "
        "remove the 1 that was added to b."
    )


# Exercise 1.3 -------------------------------------------------------------------------

ROW_BIAS_X = torch.ones(4, 3)
ROW_BIAS = torch.tensor([10.0, 20.0, 30.0, 40.0])


@checker
def check_row_bias(answer):
    """Exercise 1.3: ``answer`` is ``ROW_BIAS`` reshaped so that ``x + answer`` adds
    ``ROW_BIAS[i]`` to every entry of row ``i`` of ``x = ROW_BIAS_X`` (shape ``(4, 3)``)."""
    if not isinstance(answer, torch.Tensor):
        return hint(f"the answer should be a tensor (b, reshaped); got {type(answer).__name__}.")
    x, b = ROW_BIAS_X, ROW_BIAS
    shape = tuple(answer.shape)
    if shape == (4,):
        return hint(
            "a 1-D tensor lines up with the last dimension of x, its 3 columns, not its rows: "
            "give it a dimension that can stretch along the columns."
        )
    if shape == (1, 4):
        return hint(
            "that is a row (1, 4); a per-row bias must be a column: one value per row, "
            "stretched along the columns."
        )
    if answer.is_complex() or answer.dtype == torch.bool:
        return hint(f"b holds real numbers; your tensor has dtype {answer.dtype}.")
    try:
        total = x + answer
    except RuntimeError as err:
        return hint(f"x + answer fails: {err}. Which dimension of x should b line up with?")
    if total.shape != x.shape:
        return hint(
            f"x + answer has shape {format_shape(total.shape)}, but it should keep x's shape "
            f"{format_shape(x.shape)}: too many dimensions."
        )
    expected = x + b[:, None]
    if not torch.allclose(total.to(expected.dtype), expected):
        if answer.numel() == b.numel() and torch.allclose(
            answer.flatten().to(b.dtype).sort().values, b.sort().values
        ):
            return hint(
                "the shape works, but b's values ended up in the wrong rows: keep their order."
            )
        return hint(
            "the shape works, but the values are not b's: reshape b itself, "
            "do not make new numbers."
        )
    if shape != (4, 1):
        return correct(
            f"it adds per row, but your tensor {shape} stores {answer.numel()} numbers; "
            "a (4, 1) column stores 4 and broadcasting stretches it."
        )
    return correct("a (4, 1) column: aligned from the right, its 1 stretches over the 3 columns.")


# Exercise 1.4 -------------------------------------------------------------------------

# (shape_a, shape_b), chosen so that each typical mistake shows on one of them.
_GOOD_CASES = [
    ((5, 3), (3,)),
    ((3, 1, 4), (3, 1)),  # aligning from the left gives (3, 1, 4)
    ((2, 3), (4, 1, 3)),  # zip() over the reversed shapes drops the leading 4
    ((3,), (3, 1)),
    ((), (2, 3)),
    ((0,), (1,)),  # max() gives 1; the rule gives 0
    ((1, 0), (5, 1)),
    ((8, 1, 6, 1), (7, 1, 5)),
    ((1,), ()),
]
_BAD_CASES = [((5, 3), (4,)), ((2, 3), (3, 3, 1)), ((0,), (3,)), ((3,), (0,))]


def _left_aligned(a, b):
    n = max(len(a), len(b))
    a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
    try:
        return tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        return None


def _as_result(value):
    if isinstance(value, (tuple, list, torch.Size)) and all(
        isinstance(s, int) and not isinstance(s, bool) for s in value
    ):
        return tuple(value)
    return None


@checker
def check_broadcast_function(broadcast_shape):
    """Exercise 1.4: ``broadcast_shape(shape_a, shape_b)`` returns the broadcast shape
    (a tuple, list or ``torch.Size`` of ints) and raises ``ValueError`` when there is none."""
    if not callable(broadcast_shape):
        return hint(f"the answer should be a function; got {type(broadcast_shape).__name__}.")
    for a, b in _GOOD_CASES:
        expected = tuple(torch.broadcast_shapes(a, b))
        try:
            got = call_learner_function(broadcast_shape, a, b)
        except NotImplementedError:
            raise
        except ValueError as err:
            if _left_aligned(a, b) is None:
                return hint(
                    f"broadcast_shape{(a, b)} raised ValueError, but these shapes do broadcast: "
                    "you aligned from the left; align from the right."
                )
            return hint(
                f"broadcast_shape{(a, b)} raised ValueError ({err}), but these shapes do broadcast."
            )
        raw = got
        got = _as_result(got)
        if got is None:
            return hint(
                f"broadcast_shape{(a, b)} returned {raw!r}; return the shape as a tuple of ints."
            )
        if got == expected:
            continue
        if got == _left_aligned(a, b):
            return hint(
                f"broadcast_shape{(a, b)} is wrong: you aligned from the left; "
                "align from the right."
            )
        if len(got) != len(expected):
            return hint(
                f"broadcast_shape{(a, b)} has {len(got)} dimensions: missing dimensions are "
                "added (as 1s on the left), so the result is as long as the longer shape."
            )
        if 0 in a + b:
            return hint(
                f"broadcast_shape{(a, b)} is wrong: a size 1 stretches to the other size, even "
                "when that size is 0 (max() is not the rule)."
            )
        return hint(
            f"broadcast_shape{(a, b)} is wrong in dimension {_first_wrong_dim(got, expected)}: "
            "equal sizes stay, a 1 stretches to the other size."
        )
    for a, b in _BAD_CASES:
        try:
            got = broadcast_shape(a, b)
        except ValueError:
            continue
        except Exception as err:
            return hint(
                f"broadcast_shape{(a, b)} raised {type(err).__name__}; raise ValueError when "
                "the shapes do not broadcast."
            )
        zero = " A size 0 is not a 1: it does not stretch." if 0 in a + b else ""
        return hint(
            f"broadcast_shape{(a, b)} returned {got!r}, but these shapes do not broadcast: "
            f"raise ValueError when two aligned sizes differ and neither is 1.{zero}"
        )
    return correct("it agrees with torch.broadcast_shapes, errors included.")


# Exercise 1.5 -------------------------------------------------------------------------

# The source post's line: np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
SINE_L, SINE_N = 1000, 100


def _shape_or_error(entry, which):
    """One entry of the answer: a shape as a tuple of ints, the string "error", or a Feedback."""
    if isinstance(entry, str):
        if "error" in entry.lower() or "fail" in entry.lower():
            return "error"
        return hint(f'the {which} entry: write a shape such as (7, 2), or "error".')
    got = _shape_of(entry)
    if not isinstance(got, tuple):
        return hint(f"the {which} entry: {got.message}")
    return got


@checker
def check_sine_grid(answer):
    """Exercise 1.5: ``answer`` is a tuple of three results (a shape, or ``"error"``):

    1. ``np.array(range(1000)) + shifts.reshape(100, 1)`` with 100 shifts (the source post's line);
    2. the same without ``.reshape(100, 1)``, still 100 shifts;
    3. without the reshape, with 1000 shifts (N equal to L).
    """
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return hint(
            'give three results in a tuple, e.g. ((7, 2), "error", (7,)): with the reshape, '
            "without it (N = 100), without it (N = 1000)."
        )
    entries = [
        _shape_or_error(entry, which)
        for entry, which in zip(answer, ("first", "second", "third"), strict=True)
    ]
    for entry in entries:
        if not isinstance(entry, (tuple, str)):
            return entry
    with_reshape, without, without_equal = entries
    L, N = SINE_L, SINE_N
    if with_reshape != (N, L):
        if with_reshape == (L, N):
            return hint(
                "the first result: write (1000,) and (100, 1) one above the other, aligned "
                "from the right. In which position does the 1000 of the time steps end up, "
                "and in which the 100 of the column?"
            )
        if with_reshape == "error":
            return hint(
                "the first line works: (L,) against (N, 1), aligned from the right, has a 1 in "
                "every position where the sizes differ."
            )
        return hint(
            "the first result is not right: align (L,) = (1000,) with (N, 1) = (100, 1) from "
            "the right, then stretch every 1."
        )
    if without != "error":
        return hint(
            "the second result is not right: without the reshape both operands are 1-D, "
            "(1000,) and (100,): compare the one aligned pair of sizes."
        )
    if without_equal != (L,):
        if without_equal == "error":
            return hint(
                "does the third line really fail? Without the reshape, both operands are 1-D "
                "with N = L = 1000: check the rule on the one aligned pair of sizes."
            )
        if without_equal == (L, L):
            return hint(
                "the third result is not right: a grid needs a size 1 somewhere to stretch. "
                "Without the reshape, where would that 1 come from?"
            )
        return hint(
            "the third result is not right: (1000,) + (1000,) has no size 1 anywhere."
        )
    return correct(
        "(100, 1000) with the reshape; without it, (1000,) + (100,) fails, and with N = L it "
        "silently adds each time step to one shift: a (1000,) vector, not a grid."
    )
