"""The exercise framework: placeholders say "not yet", and a check never raises."""

from lstm_helpers.exercises import Feedback, checker, correct, hint
from lstm_helpers.exercises._core import NOT_ANSWERED, call_learner_function


@checker
def check_double(fn):
    value = call_learner_function(fn, 3)
    if value == 6:
        return correct("3 doubled is 6.")
    if value == 9:
        return hint("that squares the number; double it instead.")
    return hint(f"expected a number twice the input, got {value!r}.")


def test_placeholders_are_not_yet():
    for answer in (None, ...):
        fb = check_double(answer)
        assert not fb and fb.message == NOT_ANSWERED
    assert check_double().message == NOT_ANSWERED


def test_function_with_placeholder_body_is_not_yet():
    def unfinished(x):
        ...

    assert check_double(unfinished).message == NOT_ANSWERED


def test_correct_and_specific_hint():
    assert check_double(lambda x: 2 * x)
    assert "squares" in check_double(lambda x: x * x).message


def test_a_crashing_answer_becomes_a_hint():
    fb = check_double(lambda x: 1 / 0)
    assert not fb and "ZeroDivisionError" in fb.message


def test_wrong_type_becomes_a_hint():
    fb = check_double(42)
    assert not fb and "expected a function" in fb.message


def test_feedback_reads_well():
    assert repr(Feedback(True, "fine.")) == "Correct! fine."
    assert str(hint("look again.")) == "Not yet: look again."
