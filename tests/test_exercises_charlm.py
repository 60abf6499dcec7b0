"""Checks of chapter 9's exercises: solutions pass, typical mistakes get their hint,
placeholders and wrong types get "not yet" or a hint, never an exception."""

import math

import pytest
import torch

from lstm_helpers.exercises import charlm as ex

NOT_YET = "no answer yet"
CHECKS = [ex.check_windows_with_state, ex.check_bits_per_char, ex.check_entropy_at_temperature]


def message(feedback):
    assert not feedback.correct
    return feedback.message


@pytest.mark.parametrize("check", CHECKS)
def test_placeholders_and_wrong_types(check):
    for p in (None, ...):
        assert NOT_YET in message(check(p))
    for w in (1.0, "x", [1], object()):
        assert "write a function" in message(check(w))

    def empty(*args):
        ...

    assert NOT_YET in message(check(empty))

    def raises(*args):
        raise ZeroDivisionError("oops")

    assert "ZeroDivisionError" in message(check(raises))


def _windows(model, ids, bptt, carry=True, tail=True, dim=1):
    out, state = [], None
    stop = ids.size(1) if tail else ids.size(1) - ids.size(1) % bptt
    for s in range(0, stop, bptt):
        logits, new = model(ids[:, s: s + bptt], state if carry else None)
        state = tuple(t.detach() for t in new)
        out.append(logits)
    return torch.cat(out, dim=dim)


def test_windows_solution_and_hints():
    assert ex.check_windows_with_state(_windows)
    assert "zero state" in message(ex.check_windows_with_state(
        lambda m, i, b: _windows(m, i, b, carry=False)))
    assert "last window is shorter" in message(ex.check_windows_with_state(
        lambda m, i, b: _windows(m, i, b, tail=False)))
    assert "return one tensor" in message(ex.check_windows_with_state(
        lambda m, i, b: [_windows(m, i, b)]))
    assert "not quite" in message(ex.check_windows_with_state(
        lambda m, i, b: _windows(m, i, b) + 1))


@pytest.mark.parametrize("fn,words", [
    (lambda s, n: s / n, "nats per character"),
    (lambda s, n: s * math.log(2) / n, "do not multiply"),
    (lambda s, n: s / math.log(2), "number of characters"),
    (lambda s, n: s / n / math.log(10), "ln 10"),
    (lambda s, n: math.log2(s / n), "another logarithm"),
    (lambda s, n: 3.0, "should be the loss per character"),
    (lambda s, n: "x", "return a number"),
])
def test_bits_per_char_hints(fn, words):
    assert words in message(ex.check_bits_per_char(fn))


def test_bits_per_char_solution():
    assert ex.check_bits_per_char(lambda s, n: s / n / math.log(2))
    assert ex.check_bits_per_char(lambda s, n: torch.tensor(s / (n * math.log(2))))


def test_entropy_solution_and_hints():
    def solution(z, T):
        p = torch.softmax(z / T, dim=-1)
        return -(p * torch.log2(p)).sum()

    assert ex.check_entropy_at_temperature(solution)
    cases = [
        (lambda z, T: solution(z * T * T, T), "do not multiply"),
        (lambda z, T: -(torch.softmax(z / T, -1) * torch.log(torch.softmax(z / T, -1))).sum(),
         "nats"),
        (lambda z, T: -solution(z, T), "the sign"),
        (lambda z, T: solution(z, 1.0), "not used"),
        (lambda z, T: solution(z, 1.0) / T, "not the entropy"),
        (lambda z, T: 1.0, "should be about"),
        (lambda z, T: "x", "return a number"),
    ]
    for fn, words in cases:
        assert words in message(ex.check_entropy_at_temperature(fn)), words
