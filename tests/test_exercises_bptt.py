"""Checks of the BPTT exercises: solutions pass, typical mistakes get their hint,
placeholders and wrong types get "not yet" or a hint, never an exception."""

import pytest
import torch
from torch import nn

from lstm_helpers.exercises import bptt as ex

NOT_YET = "no answer yet"
PLACEHOLDERS = [None, ...]
WRONG_TYPES = [1.0, "dc * f", [1, 2], torch.zeros(3), object()]


def message(feedback):
    assert not feedback.correct
    return feedback.message


@pytest.mark.parametrize("check", [ex.check_forget_preactivation_grad, ex.check_cell_recursion,
                                   ex.check_truncated_training])
def test_placeholders_and_wrong_types(check):
    for p in PLACEHOLDERS:
        assert NOT_YET in message(check(p))
    for w in WRONG_TYPES:
        assert "write a function" in message(check(w))

    def empty(*args):
        ...

    assert NOT_YET in message(check(empty))

    def raises(*args):
        raise ZeroDivisionError("oops")

    assert "ZeroDivisionError" in message(check(raises))


# --- 7.1 -------------------------------------------------------------------------------


def test_forget_preactivation_solution():
    assert ex.check_forget_preactivation_grad(lambda dc, c_prev, f: dc * c_prev * f * (1 - f))
    # autograd agrees with the formula the check accepts
    z = torch.randn(3, requires_grad=True, dtype=torch.float64)
    c_prev, dc = torch.randn(3, dtype=torch.float64), torch.randn(3, dtype=torch.float64)
    ((torch.sigmoid(z) * c_prev) * dc).sum().backward()
    f = torch.sigmoid(z).detach()
    torch.testing.assert_close(z.grad, dc * c_prev * f * (1 - f))


@pytest.mark.parametrize("fn,words", [
    (lambda dc, c, f: dc * c, "through the sigmoid"),
    (lambda dc, c, f: dc * f * (1 - f), "factor c_prev"),
    (lambda dc, c, f: dc * c * (1 - f**2), "tanh's derivative"),
    (lambda dc, c, f: dc * f, "passed on to c_prev"),
    (lambda dc, c, f: dc * c * f, "(1 - f) is missing"),
    (lambda dc, c, f: 2 * dc, "line by line"),
    (lambda dc, c, f: dc[0], "shape (3, 4)"),
    (lambda dc, c, f: 1.0, "return a tensor"),
])
def test_forget_preactivation_hints(fn, words):
    assert words in message(ex.check_forget_preactivation_grad(fn))


# --- 7.2 -------------------------------------------------------------------------------


def test_cell_recursion_solution():
    assert ex.check_cell_recursion(
        lambda dc_next, f_next, dh, o, c: dc_next * f_next + dh * o * (1 - torch.tanh(c) ** 2))


@pytest.mark.parametrize("fn,words", [
    (lambda dn, fn, dh, o, c: dn * fn, "only the direct path"),
    (lambda dn, fn, dh, o, c: dh * o * (1 - torch.tanh(c) ** 2), "only the path through h_t"),
    (lambda dn, fn, dh, o, c: dn + dh * o * (1 - torch.tanh(c) ** 2), "multiplied by f_{t+1}"),
    (lambda dn, fn, dh, o, c: dn * fn + dh * o * (1 - c**2), "not 1 - c**2"),
    (lambda dn, fn, dh, o, c: dn * fn + dh * o, "tanh's derivative"),
    (lambda dn, fn, dh, o, c: dn * fn + dh * torch.tanh(c), "gradient of o"),
    (lambda dn, fn, dh, o, c: dn, "two paths"),
])
def test_cell_recursion_hints(fn, words):
    assert words in message(ex.check_cell_recursion(fn))


# --- 7.3 -------------------------------------------------------------------------------


def loop(clip=True, detach=True, zero=True, carry=True, step=True):
    def train_truncated(model, x, y, chunk_len, optimizer, max_norm):
        state, losses = None, []
        for start in range(0, x.size(0), chunk_len):
            out, new = model(x[start:start + chunk_len], state if carry else None)
            loss = ((out - y[start:start + chunk_len]) ** 2).mean()
            if zero:
                optimizer.zero_grad()
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            if step:
                optimizer.step()
            state = tuple(s.detach() for s in new) if detach else new
            losses.append(loss.item())
        return losses
    return train_truncated


def test_truncated_training_solution():
    assert ex.check_truncated_training(loop())


@pytest.mark.parametrize("flags,words", [
    (dict(detach=False), "graph a second time"),
    (dict(clip=False), "without clipping"),
    (dict(zero=False), "zero_grad"),
    (dict(carry=False), "not carried"),
    (dict(step=False), "did not change"),
])
def test_truncated_training_hints(flags, words):
    assert words in message(ex.check_truncated_training(loop(**flags)))


def test_clipping_matters_in_the_setup():
    """Without this the 'no clipping' hint could never be told apart from the solution."""
    a, b = ex.truncated_setup(), ex.truncated_setup()
    ra = ex.reference_truncated_training(a[0], a[1], a[2], 10, a[3], 0.1)
    rb = ex.reference_truncated_training(b[0], b[1], b[2], 10, b[3], 0.1, clip=False)
    assert ra != rb


# --- 7.4 -------------------------------------------------------------------------------


def _seed_summary(values):
    import statistics

    done = [v for v in values if v is not None]
    if not done:
        return {"median": None, "low": None, "high": None, "solved": 0, "runs": len(values)}
    return {"median": statistics.median(done), "low": min(done), "high": max(done),
            "solved": len(done), "runs": len(values)}


def test_seed_summary_solution_and_mistakes():
    assert ex.check_seed_summary(_seed_summary).correct
    for p in PLACEHOLDERS:
        assert NOT_YET in message(ex.check_seed_summary(p))
    assert "write a function" in message(ex.check_seed_summary(3))

    def mean(values):
        out = _seed_summary(values)
        done = [v for v in values if v is not None]
        if done:
            out["median"] = sum(done) / len(done)
        return out

    assert "mean" in message(ex.check_seed_summary(mean))

    def zeros(values):
        return _seed_summary([0 if v is None else v for v in values]) | {
            "solved": sum(v is not None for v in values)}

    assert "leave it out" in message(ex.check_seed_summary(zeros))

    def solved_all(values):
        return _seed_summary(values) | {"solved": len(values)}

    assert "solved counts" in message(ex.check_seed_summary(solved_all))
    assert "dict" in message(ex.check_seed_summary(lambda v: [1, 2]))
    assert "keys" in message(ex.check_seed_summary(lambda v: {"median": 1}))
