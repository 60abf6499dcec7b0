"""Exercise checks of the cross-entropy chapter: solutions pass, typical mistakes get their
specific hint, placeholders get "not yet", nothing raises."""

import pytest
import torch
import torch.nn.functional as F

from lstm_helpers.exercises import losses as ex

NOT_YET = "no answer yet"
PLACEHOLDERS = [None, ...]


def _placeholder_function(x, y):
    ...


JUNK = ["8.5", [8.5], {"a": 1}, object(), torch.zeros(2, 3), torch.zeros(3, dtype=torch.long),
        lambda: 1, 3 + 2j]


def _passes(feedback):
    assert feedback.correct, feedback.message
    assert repr(feedback).startswith("Correct!")


def _hints(feedback, fragment):
    assert not feedback.correct
    assert fragment in feedback.message, feedback.message


# ----------------------------------------------------------------- 5.1 the denominator
def test_denominator_solution_passes():
    targets, weights = ex.DENOMINATOR_TARGETS, ex.DENOMINATOR_WEIGHTS
    answer = sum(weights[t] for t in targets if t != -100)
    _passes(ex.check_mean_denominator(answer))
    _passes(ex.check_mean_denominator(torch.tensor(answer)))
    # the number really is what PyTorch divides by
    x = torch.randn(5, 3, dtype=torch.float64)
    y, w = torch.tensor(targets), torch.tensor(weights, dtype=torch.float64)
    per_sample = F.cross_entropy(x, y, weight=w, reduction="none")
    torch.testing.assert_close(per_sample.sum() / answer, F.cross_entropy(x, y, weight=w))


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (5, "divided by N"),
        (4, "counted each other target as 1"),
        (5.5, "sum of the class weights"),
        (8.5 + 3.0, "ignored target"),
        (1, "not normalised"),
        (7.25, "not the denominator"),
        (True, "bool"),
        (torch.ones(3), "shape (3,)"),
    ],
)
def test_denominator_typical_mistakes(wrong, fragment):
    _hints(ex.check_mean_denominator(wrong), fragment)


# ----------------------------------------------------------------- 5.2 the gradient
def _solution_gradient(x, y):
    return torch.softmax(x, dim=1) - F.one_hot(y, x.shape[1]).to(x.dtype)


def test_gradient_solution_passes():
    _passes(ex.check_gradient(_solution_gradient))


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (lambda x, y: -_solution_gradient(x, y), "sign error"),
        (lambda x, y: torch.softmax(x, 1), "-x[y] term"),
        (lambda x, y: -F.one_hot(y, x.shape[1]).double(), "log-sum-exp term"),
        (lambda x, y: _solution_gradient(x, y) / x.shape[0], "mean over the batch"),
        (lambda x, y: _solution_gradient(torch.softmax(x, 1), y), "softmax twice"),
        (lambda x, y: torch.exp(x) - F.one_hot(y, x.shape[1]), "normalising"),
        (lambda x, y: torch.softmax(x, 1) - 1, "one-hot of y"),
        (lambda x, y: _solution_gradient(x, y).T, "same shape"),
        (lambda x, y: _solution_gradient(x, y).tolist(), "return a tensor"),
        (lambda x, y: torch.zeros_like(x), "not the gradient autograd finds"),
        (lambda x, y: 1 / 0, "ZeroDivisionError"),
        (lambda x: x, "TypeError"),
    ],
)
def test_gradient_typical_mistakes(wrong, fragment):
    _hints(ex.check_gradient(wrong), fragment)


# ----------------------------------------------------------------- 5.3 stable loss
def _solution_stable(x, y):
    m = x.max(dim=1, keepdim=True).values  # (N, 1)
    lse = m[:, 0] + torch.log(torch.exp(x - m).sum(dim=1))  # (N,)
    return (lse - x.gather(1, y[:, None])[:, 0]).mean()


def _naive(x, y):
    return (torch.log(torch.exp(x).sum(1)) - x.gather(1, y[:, None])[:, 0]).mean()


def _forgot_to_add_back(x, y):
    m = x.max(dim=1, keepdim=True).values
    return (torch.log(torch.exp(x - m).sum(1)) - x.gather(1, y[:, None])[:, 0]).mean()


def _global_max(x, y):
    m = x.max()
    return (m + torch.log(torch.exp(x - m).sum(1)) - x.gather(1, y[:, None])[:, 0]).mean()


def test_stable_solution_passes():
    _passes(ex.check_stable_cross_entropy(_solution_stable))


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (_naive, "forget the max-subtraction"),
        (lambda x, y: -_solution_stable(x, y), "sign error"),
        (lambda x, y: _solution_stable(x, y) * x.shape[0], "summed over the batch"),
        (lambda x, y: _solution_stable(torch.softmax(x, 1), y), "softmax twice"),
        (_forgot_to_add_back, "did not add it back"),
        (_global_max, "per sample"),
        (lambda x, y: F.cross_entropy(x, y), "you called"),
        (lambda x, y: (torch.logsumexp(x, 1) - x.gather(1, y[:, None])[:, 0]).mean(),
         "you called"),
        (lambda x, y: -x.log_softmax(1).gather(1, y[:, None]).mean(), "you called"),
        (lambda x, y: F.cross_entropy(x, y, reduction="none"), "one loss per sample"),
        (lambda x, y: torch.zeros(2, 2), "shape (2, 2)"),
        (lambda x, y: 2.0, "return a tensor"),
        (lambda x, y: torch.tensor(0.0), "value for ordinary logits"),
        (lambda x, y: x[10], "IndexError"),
    ],
)
def test_stable_typical_mistakes(wrong, fragment):
    _hints(ex.check_stable_cross_entropy(wrong), fragment)


def test_library_functions_are_restored_after_the_check():
    before = (torch.logsumexp, torch.softmax, F.cross_entropy, torch.Tensor.log_softmax)
    ex.check_stable_cross_entropy(lambda x, y: F.cross_entropy(x, y))
    ex.check_stable_cross_entropy(lambda x, y: 1 / 0)
    after = (torch.logsumexp, torch.softmax, F.cross_entropy, torch.Tensor.log_softmax)
    assert before == after
    assert "log_softmax" not in vars(torch.Tensor)


# ----------------------------------------------------------------- every check
CHECKS = [ex.check_mean_denominator, ex.check_gradient, ex.check_stable_cross_entropy]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("placeholder", PLACEHOLDERS + [_placeholder_function])
def test_placeholders_get_not_yet(check, placeholder):
    if check is ex.check_mean_denominator and callable(placeholder):
        feedback = check(placeholder)
        assert not feedback.correct
        return
    _hints(check(placeholder), NOT_YET)


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("junk", JUNK, ids=lambda j: type(j).__name__)
def test_wrong_types_get_a_hint_never_an_exception(check, junk):
    feedback = check(junk)
    assert not feedback.correct
    assert feedback.message
