"""Checks for the cross-entropy exercises (chapter 5).

* :func:`check_mean_denominator`: what does ``reduction='mean'`` with ``weight`` divide by?
* :func:`check_gradient`: write the gradient ``softmax(x) - onehot(y)``.
* :func:`check_stable_cross_entropy`: make the loss numerically stable (log-sum-exp).

Each returns a :class:`~lstm_helpers.exercises.Feedback` and never raises.
"""

import contextlib
import numbers

import torch
import torch.nn.functional as F

from lstm_helpers import losses as _losses

from .._checks import format_shape
from ._core import call_learner_function, checker, correct, hint

# Exercise 5.1: the data of the question
DENOMINATOR_TARGETS = [0, 2, -100, 1, 2]
DENOMINATOR_WEIGHTS = [0.5, 2.0, 3.0]


def _as_number(answer):
    """The learner's answer as a float, or a Feedback saying why it is not a number."""
    if isinstance(answer, bool):
        return hint(f"expected a number, got the bool {answer}.")
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return hint(f"expected one number, got a tensor of shape {format_shape(answer.shape)}.")
        return float(answer.item())
    if isinstance(answer, numbers.Real):
        return float(answer)
    return hint(f"expected a number, got {type(answer).__name__}.")


@checker
def check_mean_denominator(answer):
    """Exercise 5.1: the number that ``reduction='mean'`` divides the summed loss by.

    Targets ``[0, 2, -100, 1, 2]`` (``-100`` is the default ``ignore_index``) and class
    weights ``[0.5, 2.0, 3.0]``.
    """
    value = _as_number(answer)
    if not isinstance(value, float):
        return value
    targets, weights = DENOMINATOR_TARGETS, DENOMINATOR_WEIGHTS
    counted = [t for t in targets if t != -100]
    expected = sum(weights[t] for t in counted)
    if abs(value - expected) < 1e-9:
        return correct(
            "with weights, 'mean' divides by the sum of the weights of the counted targets, "
            "so it is a weighted average, not sum / N."
        )
    if abs(value - len(targets)) < 1e-9:
        return hint(
            "you divided by N, the number of targets. Two things change the denominator: "
            "the ignored target, and the class weights."
        )
    if abs(value - len(counted)) < 1e-9:
        return hint(
            "you skipped the ignored target (right) but counted each other target as 1. "
            "With class weights, what does each counted target add to the denominator?"
        )
    if abs(value - sum(weights)) < 1e-9:
        return hint(
            "that is the sum of the class weights, each class once. The denominator goes "
            "over the targets, not over the classes."
        )
    if abs(value - (expected + weights[-1])) < 1e-9 or abs(value - (expected + weights[0])) < 1e-9:
        return hint("did you count the ignored target (-100)? It adds nothing anywhere.")
    if abs(value - 1.0) < 1e-9:
        return hint("the weights are not normalised to sum to 1 first: look at the targets.")
    return hint(
        "not the denominator PyTorch uses. Go through the targets one by one: which ones "
        "count, and how much does each add?"
    )


def _gradient_cases():
    gen = torch.Generator().manual_seed(5)
    cases = []
    for n, c in [(4, 3), (1, 5), (6, 2)]:
        x = torch.randn(n, c, generator=gen, dtype=torch.float64) * 2
        y = torch.randint(0, c, (n,), generator=gen)
        cases.append((x, y))
    return cases


def _softmax(x):
    return torch.exp(_losses.log_softmax(x, dim=1))


@checker
def check_gradient(answer):
    """Exercise 5.2: ``answer(x, y)`` returns d/dx of ``cross_entropy(x, y, reduction='sum')``.

    ``x`` has shape (N, C) (float64), ``y`` shape (N,) (int64); the answer must be (N, C).
    """
    for x, y in _gradient_cases():
        n, c = x.shape
        got = call_learner_function(answer, x.clone(), y.clone())
        if not isinstance(got, torch.Tensor):
            return hint(f"your function should return a tensor, it returned {type(got).__name__}.")
        if tuple(got.shape) != (n, c):
            return hint(
                f"for x of shape {(n, c)} the gradient has the same shape {(n, c)}, "
                f"yours has shape {format_shape(got.shape)}."
            )
        got = got.detach().to(torch.float64)
        xr = x.clone().requires_grad_(True)
        (expected,) = torch.autograd.grad(F.cross_entropy(xr, y, reduction="sum"), xr)
        if torch.allclose(got, expected, atol=1e-7):
            continue
        p, onehot = _softmax(x), F.one_hot(y, c).to(torch.float64)
        known = [
            (onehot - p, "sign error: your gradient points the wrong way. Which term comes "
                         "from -x[y] and which from the log-sum-exp?"),
            (p, "you have the softmax part; the -x[y] term of the loss contributes too."),
            (-onehot, "you have the -x[y] part; the log-sum-exp term contributes too."),
            ((p - onehot) / n, "that is the gradient of the mean over the batch; the exercise "
                               "asks for reduction='sum'."),
            (_softmax(p) - onehot, "you applied softmax twice: the derivative of log-sum-exp "
                                   "is the softmax of the logits themselves."),
            (torch.exp(x) - onehot, "the exponentials need normalising: d/dx_c of "
                                    "log(sum_j exp(x_j)) has a denominator."),
            (p - 1.0, "only the true class gets the -1: use a one-hot of y, not a constant."),
        ]
        for wrong, message in known:
            if torch.allclose(got, wrong, atol=1e-7):
                return hint(message)
        return hint(
            "not the gradient autograd finds. Differentiate -x[y] + log(sum_j exp(x_j)) "
            "with respect to one x_c, first for c == y, then for c != y."
        )
    return correct("the gradient of cross-entropy is softmax(x) - onehot(y).")


_LIBRARY = [
    (torch, "logsumexp"), (torch, "log_softmax"), (torch, "softmax"),
    (torch.special, "logsumexp"), (torch.special, "log_softmax"), (torch.special, "softmax"),
    (F, "log_softmax"), (F, "softmax"), (F, "cross_entropy"), (F, "nll_loss"),
    (torch.Tensor, "logsumexp"), (torch.Tensor, "log_softmax"), (torch.Tensor, "softmax"),
    (_losses, "logsumexp"), (_losses, "log_softmax"), (_losses, "cross_entropy"),
]


@contextlib.contextmanager
def _record_library_calls():
    """Wrap the library softmax/log-sum-exp functions so calls are recorded (then undone)."""
    called: list[str] = []
    saved = []
    for owner, name in _LIBRARY:
        original = getattr(owner, name)
        own = name in vars(owner)
        saved.append((owner, name, original, own))
        label = f"{getattr(owner, '__name__', 'Tensor')}.{name}"

        def wrapper(*args, _original=original, _label=label, **kwargs):
            called.append(_label)
            return _original(*args, **kwargs)

        setattr(owner, name, wrapper)
    try:
        yield called
    finally:
        for owner, name, original, own in saved:
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)


def _naive_mean(x, y):
    e = torch.exp(x)  # (N, C)
    return -torch.log(e.gather(1, y[:, None])[:, 0] / e.sum(1)).mean()


@checker
def check_stable_cross_entropy(answer):
    """Exercise 5.3: ``answer(x, y)``: the mean cross-entropy of logits x (N, C) and
    classes y (N,), exact for ordinary logits and finite for logits of +-1e4, written with
    the max-subtraction (no library softmax, log_softmax, logsumexp or cross_entropy)."""
    gen = torch.Generator().manual_seed(53)
    small = torch.randn(5, 4, generator=gen, dtype=torch.float64)
    y = torch.tensor([0, 3, 1, 1, 2])
    big = small * 3 + torch.tensor([1e4, 0.0, -1e4, 5.0], dtype=torch.float64)
    big32 = (small * 50).float()  # logits up to ~150: exp overflows float32
    with _record_library_calls() as called:
        results = {}
        for name, x in (("small", small), ("big", big), ("big32", big32)):
            got = call_learner_function(answer, x.clone(), y.clone())
            if not isinstance(got, torch.Tensor):
                return hint(f"return a tensor; your function returned {type(got).__name__}.")
            results[name] = got.detach()
    got = results["small"]
    if got.shape == (5,):
        return hint("you return one loss per sample: the exercise asks for their mean.")
    if got.numel() != 1:
        return hint("return one number (a 0-d tensor), not a tensor of shape "
                    f"{format_shape(got.shape)}.")
    got = got.to(torch.float64).reshape(())
    expected = F.cross_entropy(small, y)
    if not torch.allclose(got, expected, atol=1e-9):
        per_sample = F.cross_entropy(small, y, reduction="none")
        m = small.max(dim=1).values
        known = [
            (-expected, "sign error: a cross-entropy is never negative (it is -log of a "
                        "probability)."),
            (per_sample.sum(), "you summed over the batch; the exercise asks for the mean."),
            (F.cross_entropy(F.softmax(small, dim=1), y),
             "you applied softmax twice: the logits go straight into the log-sum-exp."),
            (expected - m.mean(), "you subtracted the maximum but did not add it back: "
                                  "log sum exp(x) = m + log sum exp(x - m)."),
            (expected + m.mean(), "check the sign with which the maximum comes back in."),
        ]
        for wrong, message in known:
            if torch.allclose(got, wrong, atol=1e-9):
                return hint(message)
        return hint("the value for ordinary logits is off: compare with -x[y] + log(sum exp(x)).")
    for name in ("big", "big32"):
        value = results[name]
        if value.numel() != 1 or not bool(torch.isfinite(value).all()):
            return hint(
                "right for small logits, but with logits of 1e4 (or 150 in float32) your "
                "loss is inf or nan: exp overflows. Did you forget the max-subtraction?"
            )
    for name, x in (("big", big), ("big32", big32)):
        reference = F.cross_entropy(x.double(), y)
        if not torch.allclose(results[name].double().reshape(()), reference, rtol=1e-5):
            return hint("finite for large logits but not the right value: is the maximum "
                        "taken per sample (along the class dimension)?")
    if called:
        return hint(
            f"the values are right, but you called {sorted(set(called))[0]}: the exercise "
            "asks you to write the max-subtraction yourself."
        )
    return correct("stable: no exp ever sees a positive number, and nothing overflows.")
