"""Checks for the exercises of the weight-initialisation chapter.

Each check returns a :class:`~lstm_helpers.exercises.Feedback`: correct, or a hint that
points at the mistake without giving the answer away. None of them raises.

- :func:`check_bound`: the bound of ``nn.LSTM(10, 64)``'s uniform initialisation.
- :func:`check_projection_bound`: the bound of ``weight_hr_l0`` in
  ``nn.LSTM(10, 64, proj_size=16)``.
- :func:`check_uniform_variance`: write ``uniform_variance(a)``, the variance of ``U(-a, a)``.
- :func:`check_forget_bias_init`: write ``init_forget_bias_(lstm)`` so that ``b_if + b_hf = 1``.
- :func:`check_preactivation_variance`: predict ``Var[z]`` at the first step of
  ``nn.LSTM(48, 16)`` (a reasoning exercise).
"""

import math
import numbers

import torch
from torch import nn

from .._checks import format_shape
from ._core import Feedback, call_learner_function, checker, correct, hint, unanswered

__all__ = [
    "BOUND_HIDDEN_SIZE",
    "BOUND_INPUT_SIZE",
    "PROJ_SIZE",
    "VAR_HIDDEN_SIZE",
    "VAR_INPUT_SIZE",
    "check_bound",
    "check_forget_bias_init",
    "check_preactivation_variance",
    "check_projection_bound",
    "check_uniform_variance",
]

BOUND_INPUT_SIZE, BOUND_HIDDEN_SIZE, PROJ_SIZE = 10, 64, 16


def _number(answer):
    """The learner's answer as a float, or a Feedback saying why it is not one number."""
    if isinstance(answer, bool):
        return hint("give a number, not True/False.")
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return hint(
                f"give one number; you gave a tensor of shape {format_shape(answer.shape)}."
            )
        answer = answer.item()
    if isinstance(answer, str):
        return hint("give the value as a number (e.g. 0.5 or 1 / math.sqrt(4)), not a string.")
    if isinstance(answer, tuple | list):
        return hint("give one number: the positive bound a (the interval is then (-a, a)).")
    if not isinstance(answer, numbers.Real):
        return hint(f"give a number; got {type(answer).__name__}.")
    value = float(answer)
    if not math.isfinite(value):
        return hint(f"give a finite number; got {value}.")
    return value


def _close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-4, abs_tol=1e-9)


def _bound_hints(value: float, hidden_size: int, other_sizes: dict) -> Feedback | None:
    """Hints shared by the two bound questions (``other_sizes``: name -> size)."""
    H = hidden_size
    a = 1 / math.sqrt(H)
    if _close(value, -a):
        return hint("that is the lower end of the interval; give the positive bound a.")
    if _close(value, math.sqrt(H)):
        return hint("you used sqrt(hidden_size) instead of 1/sqrt(hidden_size).")
    if _close(value, 1 / H):
        return hint("that is k = 1/hidden_size itself: the bound is its square root.")
    if _close(value, H):
        return hint("that is hidden_size; the bound is computed from it.")
    if _close(value, a * a / 3) or _close(value, a / math.sqrt(3)):
        return hint("that is the variance or standard deviation of U(-a, a); give a itself.")
    if _close(value, 1 / math.sqrt(4 * H)):
        return hint(
            "you used 4 * hidden_size (the rows of weight_ih); k uses hidden_size itself."
        )
    for name, size in other_sizes.items():
        if _close(value, 1 / math.sqrt(size)) or _close(value, 1 / size):
            return hint(
                f"that comes from {name}; PyTorch uses hidden_size for every LSTM parameter."
            )
    return None


# Exercise 4.1 -------------------------------------------------------------------------


@checker
def check_bound(answer):
    """Exercise 4.1: ``a`` such that ``nn.LSTM(10, 64)`` draws its weights from ``U(-a, a)``."""
    value = _number(answer)
    if not isinstance(value, float):
        return value
    if _close(value, 1 / math.sqrt(BOUND_HIDDEN_SIZE)):
        return correct("a = sqrt(k) with k = 1/hidden_size: every weight and bias lies in (-a, a).")
    found = _bound_hints(value, BOUND_HIDDEN_SIZE, {"input_size": BOUND_INPUT_SIZE})
    if found is not None:
        return found
    if _close(value, 1 / math.sqrt(BOUND_INPUT_SIZE + BOUND_HIDDEN_SIZE)):
        return hint("PyTorch's bound uses hidden_size only, not the sum of the sizes.")
    return hint("not quite: the bound is sqrt(k), and the docs give k in terms of one size.")


# Exercise 4.2 -------------------------------------------------------------------------


@checker
def check_projection_bound(answer):
    """Exercise 4.2: the bound of ``weight_hr_l0`` in ``nn.LSTM(10, 64, proj_size=16)``."""
    value = _number(answer)
    if not isinstance(value, float):
        return value
    if _close(value, 1 / math.sqrt(BOUND_HIDDEN_SIZE)):
        return correct(
            "k stays 1/hidden_size for every parameter, the projection weight_hr included."
        )
    if _close(value, 1 / math.sqrt(PROJ_SIZE)):
        return hint(
            "that would be k = 1/proj_size. Look at reset_parameters: which size does it use?"
        )
    found = _bound_hints(
        value, BOUND_HIDDEN_SIZE, {"input_size": BOUND_INPUT_SIZE, "proj_size": PROJ_SIZE}
    )
    if found is not None:
        return found
    return hint("not quite: read reset_parameters (inspect.getsource) and which size it uses.")


# Exercise 4.3 -------------------------------------------------------------------------

_VARIANCE_PROBES = (0.125, 0.5, 1.0, 3.0)


@checker
def check_uniform_variance(answer):
    """Exercise 4.3: ``uniform_variance(a)`` returns the variance of ``U(-a, a)``."""
    if not callable(answer):
        return hint("write a function: def uniform_variance(a): return ...")
    got = []
    for a in _VARIANCE_PROBES:
        value = _number(call_learner_function(answer, a))
        if not isinstance(value, float):
            return hint(f"uniform_variance({a}) should return one number: " + value.message)
        got.append(value)
    wrong = {
        "a**2 / 12": (lambda a: a * a / 12, "a**2/12 is for an interval of width a; (-a, a) is "
                      "2a wide."),
        "a / sqrt(3)": (lambda a: a / math.sqrt(3), "that is the standard deviation; the "
                        "variance is its square."),
        "a**2": (lambda a: a * a, "E[w**2] over (-a, a) is an average of w**2, less than a**2: "
                 "integrate w**2 / (2a) from -a to a."),
        "4 a**2 / 3": (lambda a: 4 * a * a / 3, "(2a)**2/3 counts the width twice: one formula "
                       "uses the width 2a, the other the half-width a."),
        "a / 3": (lambda a: a / 3, "the variance has the units of a**2: it must grow like a**2."),
        "2 a / sqrt(12)": (lambda a: 2 * a / math.sqrt(12), "that is the standard deviation; "
                           "the variance is its square."),
    }
    if all(_close(g, a * a / 3) for g, a in zip(got, _VARIANCE_PROBES, strict=True)):
        return correct("Var = (2a)**2 / 12 = a**2 / 3; for PyTorch's a = 1/sqrt(H): 1/(3H).")
    for f, message in wrong.values():
        if all(_close(g, f(a)) for g, a in zip(got, _VARIANCE_PROBES, strict=True)):
            return hint(message)
    if any(g < 0 for g in got):
        return hint("a variance is never negative.")
    return hint(
        f"uniform_variance(0.5) returned {got[1]:.4g}: compute E[w**2] for w uniform on "
        "(-a, a) (the mean is 0)."
    )


# Exercise 4.4 -------------------------------------------------------------------------

_GATE_ROWS = {
    0: "those are the input-gate rows: the order is i, f, g, o.",
    2: "those are the cell-candidate (g) rows: the order is i, f, g, o.",
    3: "those are the output-gate rows: the order is i, f, g, o.",
}


def _test_lstms():
    state = torch.random.get_rng_state()  # leave the learner's random state as it was
    try:
        torch.manual_seed(4)
        return [
            nn.LSTM(3, 5, num_layers=2, bidirectional=True),
            nn.LSTM(2, 4, proj_size=2),
        ]
    finally:
        torch.random.set_rng_state(state)


def _forget_feedback(lstm, before, result):
    H = lstm.hidden_size
    rows = slice(H, 2 * H)
    after = {n: p.detach().clone() for n, p in lstm.named_parameters()}
    changed = [n for n in before if not torch.equal(before[n], after[n])]
    if not changed:
        if result is None or unanswered(result):
            raise NotImplementedError
        return hint("nothing changed: set the rows in place (with torch.no_grad(), p[...] = ...).")
    weights = [n for n in changed if not n.startswith("bias")]
    if weights:
        return hint(f"you changed {weights[0]}: only the biases' forget rows should change.")
    for name in changed:
        diff = before[name] != after[name]  # (4H,)
        outside = [k for k in (0, 2, 3) if diff[k * H:(k + 1) * H].any()]
        if outside and not diff[rows].any():
            return hint(_GATE_ROWS[outside[0]])
        if outside:
            return hint(
                f"you changed rows outside H:2H of {name}: only the forget rows should change."
            )
    suffixes = sorted({n.removeprefix("bias_ih").removeprefix("bias_hh")
                       for n in before if n.startswith("bias")})
    sums = {s: after["bias_ih" + s][rows] + after["bias_hh" + s][rows] for s in suffixes}
    missed = [s for s in suffixes if not torch.allclose(sums[s], torch.ones(H), atol=1e-5)]
    if not missed:
        return None
    s = missed[0]
    if torch.allclose(sums[s], torch.full((H,), 2.0), atol=1e-5):
        return hint("you set both biases so their sum is 2: the gate sees b_if + b_hf.")
    untouched = [s for s in suffixes
                 if torch.equal(before["bias_ih" + s], after["bias_ih" + s])
                 and torch.equal(before["bias_hh" + s], after["bias_hh" + s])]
    if untouched:
        return hint(
            f"the biases ending in '{untouched[0]}' are unchanged: set every layer and "
            "direction (loop over the parameter names)."
        )
    ih_one = torch.allclose(after["bias_ih" + s][rows], torch.ones(H), atol=1e-5)
    hh_one = torch.allclose(after["bias_hh" + s][rows], torch.ones(H), atol=1e-5)
    if ih_one or hh_one:
        other = "b_hf" if ih_one else "b_if"
        return hint(
            f"you set one bias to 1 but left {other} at its random value: the gate sees their sum."
        )
    if torch.allclose(sums[s], sums[s][:1].expand(H), atol=1e-5):
        return hint(f"b_if + b_hf is {sums[s][0].item():.3g} in the forget rows; it should be 1.")
    return hint("b_if + b_hf must be 1 in every forget row (H:2H) of every layer and direction.")


@checker
def check_forget_bias_init(answer):
    """Exercise 4.4: ``init_forget_bias_(lstm)`` makes ``b_if + b_hf = 1`` everywhere, in place,
    changing nothing else (and returns ``lstm``)."""
    if not callable(answer):
        return hint("write a function: def init_forget_bias_(lstm): ... return lstm")
    for lstm in _test_lstms():
        before = {n: p.detach().clone() for n, p in lstm.named_parameters()}
        result = answer(lstm)
        if unanswered(result) and result is not None:
            raise NotImplementedError
        feedback = _forget_feedback(lstm, before, result)
        if feedback is not None:
            return feedback
    return correct(
        "rows H:2H hold f's biases; b_if + b_hf = 1 adds 1 to every forget gate's "
        "pre-activation, so with the weights' part near 0 the gates start near "
        "sigmoid(1) = 0.73 instead of 0.5."
    )


# Exercise 4.5 -------------------------------------------------------------------------

#: The sizes of exercise 4.5: ``nn.LSTM(VAR_INPUT_SIZE, VAR_HIDDEN_SIZE)`` at its first step.
VAR_INPUT_SIZE, VAR_HIDDEN_SIZE = 48, 16


@checker
def check_preactivation_variance(answer):
    """Exercise 4.5: predict ``Var[z]`` of a gate at the first step of ``nn.LSTM(48, 16)``.

    Inputs are standard normal (``E[x**2] = 1``) and ``h_0 = 0``, so by the chapter's
    formula ``Var[z] = a**2 / 3 * (H_in * E[x**2] + 2)`` with ``a**2 = 1 / H``.
    """
    value = _number(answer)
    if not isinstance(value, float):
        return value
    H_in, H = VAR_INPUT_SIZE, VAR_HIDDEN_SIZE
    var_w = 1 / (3 * H)  # a**2 / 3
    if _close(value, var_w * (H_in + 2)):
        return correct(
            "two biases and H_in weighted inputs, each adding a**2/3 = 1/(3H); h_0 = 0 adds "
            "nothing. A standard deviation near 1 is past the near-linear range (about 0.6; "
            "tanh'(1) is already 0.42) but short of the flat ends: sigma saturates beyond "
            "|z| = 2.9 (under 1% of gates here), tanh beyond 1.8 (about 7% of the candidates)."
        )
    wrong = [
        (var_w * H_in, "each of the two biases is also a draw from U(-a, a): it adds a**2/3."),
        (var_w * (H_in + H + 2), "at the first step h_0 = 0: the recurrent term adds nothing."),
        (var_w * (H_in + H), "at the first step h_0 = 0, so the recurrent term adds nothing; "
                            "and the two biases each add a**2/3."),
        (3 * var_w * (H_in + 2), "a**2 is not the variance of a weight: Var[w] = a**2/3."),
        (3 * var_w * H_in, "Var[w] = a**2/3, not a**2; and the two biases add to the sum."),
        ((H_in + 2) / (3 * 4 * H), "k = 1/hidden_size, not 1/(4 * hidden_size): the 4 gates do "
                                   "not change the bound."),
        ((H_in + 2) / (3 * H_in), "the bound comes from hidden_size, not input_size."),
        (1 / 3, "1/3 is the case H_in = H; here H_in is three times H."),
    ]
    for expected, message in wrong:
        if _close(value, expected):
            return hint(message)
    if value < 0:
        return hint("a variance is never negative.")
    return hint("add up one variance per term of z = W_i x + b_i + W_h h + b_h (see "
                "eq-preact-variance): how many weighted inputs, how many biases, and what "
                "h_0 is at the first step.")
