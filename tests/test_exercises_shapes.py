"""Chapter 1 exercise checks: solutions pass, typical mistakes get their own hint, no crashes."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_helpers.exercises import Feedback
from lstm_helpers.exercises import shapes as ex

NOT_YET = "no answer yet"
PLACEHOLDERS = [None, ...]
ODD_ANSWERS = [
    0,
    -1,
    3.5,
    "",
    "banana",
    b"(3, 3)",
    [],
    (),
    [[3, 3]],
    {"shape": (3, 3)},
    {3, 4},
    object(),
    torch.tensor(3),
    torch.zeros(0),
    torch.zeros(2, 5),
    torch.zeros(3, 3, 4),
    torch.zeros(4, 1, dtype=torch.bool),
    torch.zeros(4, 1, dtype=torch.complex64),
    lambda: None,
    print,
    float("nan"),
]
CHECKS = [
    ex.check_broadcast_result,
    ex.check_matmul_result,
    ex.check_row_bias,
    ex.check_broadcast_function,
    ex.check_sine_grid,
]


def verdict(feedback) -> tuple[bool, str]:
    assert isinstance(feedback, Feedback)
    assert isinstance(feedback.message, str) and feedback.message
    return feedback.correct, feedback.message


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("answer", PLACEHOLDERS)
def test_placeholders_are_not_yet(check, answer):
    ok, message = verdict(check(answer))
    assert not ok and NOT_YET in message


@pytest.mark.parametrize("check", CHECKS)
def test_no_argument_is_not_yet(check):
    ok, message = verdict(check())
    assert not ok and NOT_YET in message


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=lambda a: type(a).__name__)
def test_odd_answers_never_crash_and_never_pass(check, answer):
    ok, _ = verdict(check(answer))
    assert not ok


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-2, 6), max_size=4).map(tuple))
def test_random_shapes_never_crash(shape):
    for check in (ex.check_broadcast_result, ex.check_matmul_result):
        ok, _ = verdict(check(shape))
        assert ok == (shape == {ex.check_broadcast_result: (3, 3, 4)}.get(check, (2, 5)))
    ok, _ = verdict(ex.check_row_bias(torch.zeros([max(s, 0) for s in shape])))
    assert not ok


# Exercise 1.1: torch.zeros(3, 1, 4) + torch.zeros(3, 1) ---------------------------------


def test_1_1_solution():
    solution = tuple((torch.zeros(3, 1, 4) + torch.zeros(3, 1)).shape)
    for answer in (solution, list(solution), torch.Size(solution)):
        assert verdict(ex.check_broadcast_result(answer))[0]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ((3, 1, 4), "you aligned from the left"),
        ((3, 4), "missing dimensions are added"),
        ((1, 3, 3, 4), "as many dimensions as the longer operand"),
        ((3, 3, 1), "dimension 2 is not right"),
        ((3, 1, 1), "dimension 1 is not right"),
        ((3.0, 3, 4), "every size in a shape is an int"),
        ((True, 3, 4), "every size in a shape is an int"),
        ("(3, 3, 4)", "not as a string"),
        ("error", "it does work"),
        (torch.zeros(3, 3, 4), "that is a tensor"),
        (12, "a shape is a tuple"),
    ],
)
def test_1_1_hints(answer, words):
    ok, message = verdict(ex.check_broadcast_result(answer))
    assert not ok and words in message
    assert "(3, 3, 4)" not in message  # never gives the answer away


# Exercise 1.2: torch.zeros(2, 5, 3) @ torch.zeros(3) -----------------------------------


def test_1_2_solution():
    solution = tuple((torch.zeros(2, 5, 3) @ torch.zeros(3)).shape)
    assert verdict(ex.check_matmul_result(solution))[0]
    assert verdict(ex.check_matmul_result(torch.Size(solution)))[0]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ((2, 5, 1), "Does it stay in the result?"),
        ((2, 5, 3), "elementwise product"),
        ((5,), "batch dimension"),
        ((5, 1), "batch dimension"),
        ((2, 3), "summed over"),
        ((2, 1, 3), "summed over"),
        ((7, 7), "treat b as a column"),
        ("fails", "it does work"),
        (torch.zeros(2, 5), "that is a tensor"),
    ],
)
def test_1_2_hints(answer, words):
    ok, message = verdict(ex.check_matmul_result(answer))
    assert not ok and words in message
    assert "(2, 5)" not in message.replace("(2, 5, 1)", "")


# Exercise 1.3: a bias per row ----------------------------------------------------------

b = ex.ROW_BIAS


@pytest.mark.parametrize(
    "answer",
    [b.reshape(4, 1), b[:, None], b.unsqueeze(1), b.view(-1, 1), b.unsqueeze(-1).clone()],
)
def test_1_3_solutions(answer):
    ok, message = verdict(ex.check_row_bias(answer))
    assert ok and "(4, 1) column" in message


def test_1_3_solution_really_adds_per_row():
    total = ex.ROW_BIAS_X + b.reshape(4, 1)
    for i in range(4):
        assert torch.equal(total[i], ex.ROW_BIAS_X[i] + b[i])


def test_1_3_expanded_copy_works_with_a_remark():
    ok, message = verdict(ex.check_row_bias(b[:, None].expand(4, 3)))
    assert ok and "stores 12 numbers" in message
    ok, _ = verdict(ex.check_row_bias(b.reshape(4, 1).long()))  # integer values still add right
    assert ok


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (b, "lines up with the last dimension"),
        (b[None], "that is a row (1, 4)"),
        (b.reshape(1, 4), "that is a row (1, 4)"),
        (b.flip(0)[:, None], "wrong rows"),
        (torch.ones(4, 1), "values are not b's"),
        (b[:3], "values are not b's"),
        (b[:, None, None], "should keep x's shape"),
        (b.reshape(2, 2), "x + answer fails"),
        (b.tolist(), "should be a tensor"),
        (b.numpy(), "should be a tensor"),
        ((b > 0)[:, None], "dtype torch.bool"),
    ],
)
def test_1_3_hints(answer, words):
    ok, message = verdict(ex.check_row_bias(answer))
    assert not ok and words in message


# Exercise 1.4: write broadcast_shape ---------------------------------------------------


def solution(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    result = []
    for x, y in zip(a, b, strict=True):
        if x != y and 1 not in (x, y):
            raise ValueError(f"sizes {x} and {y} cannot be broadcast")
        result.append(y if x == 1 else x)
    return tuple(result)


def via_torch(shape_a, shape_b):
    try:
        return torch.broadcast_shapes(shape_a, shape_b)
    except RuntimeError as err:
        raise ValueError(str(err)) from None


def as_list(shape_a, shape_b):
    return list(solution(shape_a, shape_b))


def left_aligned(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = tuple(shape_a) + (1,) * (n - len(shape_a))
    b = tuple(shape_b) + (1,) * (n - len(shape_b))
    return solution(a, b)


def left_aligned_no_raise(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = tuple(shape_a) + (1,) * (n - len(shape_a))
    b = tuple(shape_b) + (1,) * (n - len(shape_b))
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))


def zip_drops_dims(shape_a, shape_b):
    result = []
    for x, y in zip(reversed(shape_a), reversed(shape_b), strict=False):
        if x != y and 1 not in (x, y):
            raise ValueError("no")
        result.append(y if x == 1 else x)
    return tuple(reversed(result))


def uses_max(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b, strict=True)):
        raise ValueError("no")
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))


def never_raises(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    return tuple(y if x == 1 else x for x, y in zip(a, b, strict=True))


def zero_stretches(shape_a, shape_b):
    # checks "min(x, y) > 1" instead of "1 not in (x, y)": a 0 slips through
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    result = []
    for x, y in zip(a, b, strict=True):
        if x != y and min(x, y) > 1:
            raise ValueError("no")
        result.append(y if x == 1 else x)
    return tuple(result)


def raises_runtime_error(shape_a, shape_b):
    return torch.broadcast_shapes(shape_a, shape_b)


def raises_assertion(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    for x, y in zip(a, b, strict=True):
        assert x == y or 1 in (x, y)
    return tuple(y if x == 1 else x for x, y in zip(a, b, strict=True))


def raises_always(shape_a, shape_b):
    raise ValueError("cannot")


def returns_text(shape_a, shape_b):
    return str(solution(shape_a, shape_b))


def crashes(shape_a, shape_b):
    return shape_a[5]


def body_is_ellipsis(shape_a, shape_b): ...


def body_is_pass(shape_a, shape_b):
    pass


def raises_not_implemented(shape_a, shape_b):
    raise NotImplementedError


@pytest.mark.parametrize("fn", [solution, via_torch, as_list])
def test_1_4_solutions(fn):
    ok, message = verdict(ex.check_broadcast_function(fn))
    assert ok and "torch.broadcast_shapes" in message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (left_aligned, "you aligned from the left"),
        (left_aligned_no_raise, "you aligned from the left"),
        (zip_drops_dims, "missing dimensions are added"),
        (uses_max, "max() is not the rule"),
        (never_raises, "raise ValueError when two aligned sizes differ"),
        (zero_stretches, "A size 0 is not a 1"),
        (raises_runtime_error, "raised RuntimeError; raise ValueError"),
        (raises_assertion, "raised AssertionError; raise ValueError"),
        (raises_always, "but these shapes do broadcast"),
        (returns_text, "return the shape as a tuple of ints"),
        (crashes, "raised IndexError"),
        (42, "should be a function"),
        ((5, 3), "should be a function"),
    ],
)
def test_1_4_hints(fn, words):
    ok, message = verdict(ex.check_broadcast_function(fn))
    assert not ok and words in message


@pytest.mark.parametrize("fn", [body_is_ellipsis, body_is_pass, raises_not_implemented])
def test_1_4_unfinished_function_is_not_yet(fn):
    ok, message = verdict(ex.check_broadcast_function(fn))
    assert not ok and NOT_YET in message


# Exercise 1.5: the source post's sine-data line, with and without its reshape --------------------


def _sine_results():
    """The three results, computed with NumPy as the source post computes them."""
    import numpy as np

    L, N = ex.SINE_L, ex.SINE_N
    rng = np.random.RandomState(2)
    shifts = rng.randint(-80, 80, N)
    results = [np.array(range(L)) + shifts.reshape(N, 1)]
    try:
        results.append(np.array(range(L)) + shifts)
    except ValueError:
        results.append("error")
    results.append(np.array(range(L)) + rng.randint(-80, 80, L))
    return tuple(r if isinstance(r, str) else tuple(r.shape) for r in results)


def test_1_5_solution():
    solution = _sine_results()
    assert verdict(ex.check_sine_grid(solution))[0]
    first, _, third = solution
    assert verdict(ex.check_sine_grid([torch.Size(first), "Error", list(third)]))[0]
    assert verdict(ex.check_sine_grid((first, "it fails", third)))[0]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ((1000, 100), "give three results"),
        (((1000, 100), "error", (1000,)), "In which position does the 1000"),
        (("error", "error", (1000,)), "the first line works"),
        (((100, 1), "error", (1000,)), "the first result is not right"),
        (((100, 1000), (100, 1000), (1000,)), "the second result is not right"),
        (((100, 1000), "error", "error"), "does the third line really fail?"),
        (((100, 1000), "error", (1000, 1000)), "where would that 1 come from?"),
        (((100, 1000), "error", (100,)), "the third result is not right"),
        (((100, 1000), "banana", (1000,)), "the second entry"),
        (((100, 1000), "error", 1000), "the third entry: a shape is a tuple"),
        (((100, 1000), "error", torch.zeros(1000)), "that is a tensor"),
    ],
)
def test_1_5_hints(answer, words):
    ok, message = verdict(ex.check_sine_grid(answer))
    assert not ok and words in message
