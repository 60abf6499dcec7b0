"""Chapter 6 exercise checks: solutions pass, typical mistakes get their hint, nothing raises."""

import numpy as np
import pytest
import torch

from lstm_helpers.exercises import sine as ex
from lstm_helpers.exercises._core import NOT_ANSWERED

CHECKS = [ex.check_shapes, ex.check_test_rows, ex.check_broadcast, ex.check_closure,
          ex.check_readout_bound, ex.check_ar2, ex.check_error_growth]
JUNK = [None, ..., 0, 3.5, "abc", b"x", [], {}, (1, 2), [[1]], np.zeros((2, 2)),
        torch.zeros(3), object(), {"data": None}, lambda: 1, print]


@pytest.mark.parametrize("check", CHECKS)
def test_placeholders_are_not_yet(check):
    assert check(None).message == NOT_ANSWERED
    assert check(...).message == NOT_ANSWERED


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_never_raises(check, junk):
    fb = check(junk)
    assert not fb and isinstance(fb.message, str) and fb.message


# 6.1 shapes

SHAPES = {"data": (100, 1000), "input": (97, 999), "target": (97, 999)}


def test_shapes_solution_and_equivalent_forms():
    assert ex.check_shapes(SHAPES)
    assert ex.check_shapes({k: torch.Size(v) for k, v in SHAPES.items()})
    assert ex.check_shapes({k: list(v) for k, v in SHAPES.items()})


@pytest.mark.parametrize("change, words", [
    ({"data": (1000, 100)}, "swapped"),
    ({"data": (100, 999)}, "count the waves"),
    ({"input": (100, 999)}, "kept aside for testing"),
    ({"input": (97, 1000)}, "shifted by one step"),
    ({"target": (999, 97)}, "swapped"),
    ({"target": (96, 999)}, "how many rows are left"),
    ({"input": (97, 998)}, "one column is lost"),
    ({"input": (97,)}, "two numbers"),
    ({"input": "97, 999"}, "two numbers"),
])
def test_shapes_hints(change, words):
    fb = ex.check_shapes({**SHAPES, **change})
    assert not fb and words in fb.message


def test_shapes_missing_keys_and_type():
    assert "missing" in ex.check_shapes({"data": (100, 1000)}).message
    assert "dict" in ex.check_shapes([(100, 1000), (97, 999), (97, 999)]).message


# 6.2 test rows


@pytest.mark.parametrize("answer", [[0, 1, 2], (2, 1, 0), range(3), np.arange(3),
                                    torch.arange(3), slice(0, 3), slice(None, 3)])
def test_test_rows_solutions(answer):
    assert ex.check_test_rows(answer)


@pytest.mark.parametrize("answer, words", [
    ([1, 2, 3], "counts from 0"),
    ([97, 98, 99], "which end"),
    (list(range(3, 100)), "training rows"),
    ([0, 1], "2 rows"),
    ([0, 1, 5], "data[:3, :-1]"),
    (3, "row numbers"),
    ("0, 1, 2", "row numbers"),
    (["a", "b", "c"], "whole row numbers"),
])
def test_test_rows_hints(answer, words):
    fb = ex.check_test_rows(answer)
    assert not fb and words in fb.message


# 6.3 broadcasting


def solution_time_grid(L, shifts):
    return np.arange(L) + shifts.reshape(len(shifts), 1)


def test_broadcast_solution():
    assert ex.check_broadcast(solution_time_grid)
    assert ex.check_broadcast(lambda L, s: torch.arange(L) + torch.as_tensor(s)[:, None])


@pytest.mark.parametrize("fn, words", [
    (lambda L, s: np.arange(L).reshape(L, 1) + s, "wrong layout"),
    (lambda L, s: np.arange(L) + s, "trailing axis"),
    (lambda L, s: np.arange(L) * s.reshape(-1, 1), "not multiplied"),
    (lambda L, s: np.arange(L) - s.reshape(-1, 1), "check one row"),
    (lambda L, s: np.arange(4) + np.array([-5, 0, 7]).reshape(3, 1), "hard-coded"),
    (lambda L, s: 1 / 0, "ZeroDivisionError"),
])
def test_broadcast_hints(fn, words):
    fb = ex.check_broadcast(fn)
    assert not fb and words in fb.message


def test_broadcast_unfinished_function():
    def time_grid(L, shifts):
        ...

    assert ex.check_broadcast(time_grid).message == NOT_ANSWERED


# 6.4 the closure


def solution_make_closure(model, optimizer, criterion, input, target):
    def closure():
        optimizer.zero_grad()
        loss = criterion(model(input), target)
        loss.backward()
        return loss

    return closure


def test_closure_solution():
    fb = ex.check_closure(solution_make_closure)
    assert fb and "LBFGS" in fb.message


def _variant(zero=True, backward=True, returns="loss"):
    def make_closure(model, optimizer, criterion, input, target):
        def closure():
            if zero:
                optimizer.zero_grad()
            loss = criterion(model(input), target)
            if backward:
                (2 * loss if backward == "twice" else loss).backward()
            return {"loss": loss, "item": loss.item(), "none": None,
                    "neg": -loss, "str": "loss"}[returns]

        return closure

    return make_closure


@pytest.mark.parametrize("fn, words", [
    (_variant(zero=False), "zero them first"),
    (_variant(backward=False), "loss.backward()"),
    (_variant(returns="item"), "not a Python number"),
    (_variant(returns="none"), "must return the loss"),
    (_variant(returns="str"), "loss tensor"),
    (_variant(returns="neg"), "not criterion(model(input), target)"),
    (lambda *a: 5, "should return a function"),
    (_variant(backward="twice"), "gradients are off"),
])
def test_closure_hints(fn, words):
    fb = ex.check_closure(fn)
    assert not fb and words in fb.message, fb.message


def test_closure_unfinished():
    def make_closure(model, optimizer, criterion, input, target):
        ...

    assert ex.check_closure(make_closure).message == NOT_ANSWERED


# 6.5 the read-out bound (reasoning)


def solution_readout_bound(model):
    return model.linear.weight.abs().sum() + model.linear.bias.abs().sum()


def test_readout_bound_solution_and_equivalent_forms():
    fb = ex.check_readout_bound(solution_readout_bound)
    assert fb and "after step 4" in fb.message and "after step 5" in fb.message
    assert ex.check_readout_bound(lambda m: float(solution_readout_bound(m)))
    assert ex.check_readout_bound(
        lambda m: sum(abs(float(v)) for v in m.linear.weight.flatten()) + abs(m.linear.bias.item()))


@pytest.mark.parametrize("fn, words", [
    (lambda m: m.linear.weight.abs().sum(), "bias"),
    (lambda m: m.linear.weight.norm() + m.linear.bias.abs().sum(), "L2 norm"),
    (lambda m: torch.cat([m.linear.weight.flatten(), m.linear.bias]).norm(), "L2 norm"),
    (lambda m: (m.linear.weight.sum() + m.linear.bias.sum()).abs(), "opposite sign"),
    (lambda m: 0.5 * solution_readout_bound(m), "too small"),
    (lambda m: 2 * solution_readout_bound(m) + 1, "not the smallest"),
    (lambda m: m.linear.weight.abs(), "one number"),
    (lambda m: "big", "one number"),
])
def test_readout_bound_hints(fn, words):
    fb = ex.check_readout_bound(fn)
    assert not fb and words in fb.message, fb.message


def test_readout_bound_really_bounds_every_prediction():
    """What the check accepts is a bound the model cannot exceed, and nearly reaches."""
    for model in ex._bound_models():
        bound = float(solution_readout_bound(model).detach())
        x = torch.randn(5, 40, dtype=torch.float64) * 100
        with torch.no_grad():
            y = model(x, future=20)
        assert float(y.abs().max()) <= bound


def test_readout_bound_unfinished():
    def readout_bound(model):
        ...

    assert ex.check_readout_bound(readout_bound).message == NOT_ANSWERED


# 6.6 AR(2)


def test_ar2_solution_and_equivalent_forms():
    fb = ex.check_ar2(lambda w: (2 * np.cos(w), -1))
    assert fb and "2 cos(w)" in fb.message
    assert ex.check_ar2(lambda w: np.array([2 * np.cos(w), -1.0]))
    assert ex.check_ar2(lambda w: torch.tensor([2 * np.cos(w), -1.0], dtype=torch.float64))


@pytest.mark.parametrize("fn, words", [
    (lambda w: (np.cos(w), -1), "twice"),
    (lambda w: (2 * np.cos(w), 1), "sign of a2"),
    (lambda w: (2 * np.sin(w), -1), "cosines"),
    (lambda w: (1.0, 0.0), "do not continue"),
    (lambda w: 2 * np.cos(w), "two numbers"),
])
def test_ar2_hints(fn, words):
    fb = ex.check_ar2(fn)
    assert not fb and words in fb.message, fb.message


# 6.7 how a one-step error grows


def test_error_growth_solution():
    fb = ex.check_error_growth(lambda k, d, w: d * np.sin((k + 1) * w) / np.sin(w))
    assert fb and "exposure bias" in fb.message


@pytest.mark.parametrize("fn, words", [
    (lambda k, d, w: d, "does not stay put"),
    (lambda k, d, w: d * (2 * np.cos(w)) ** k, "two steps back"),
    (lambda k, d, w: d * k, "linearly"),
    (lambda k, d, w: d * np.sin(k * w) / np.sin(w), "should be"),
    (lambda k, d, w: "x", "one number"),
])
def test_error_growth_hints(fn, words):
    fb = ex.check_error_growth(fn)
    assert not fb and words in fb.message, fb.message
