"""Checks of the initialisation exercises: solutions pass, typical mistakes get their hint,
placeholders and wrong types get "not yet" or a hint, never an exception."""

import math

import numpy as np
import pytest
import torch

from lstm_helpers.exercises import init as ex

NOT_YET = "no answer yet"
PLACEHOLDERS = [None, ...]
WRONG_TYPES = ["0.125", [0.125], (-0.125, 0.125), torch.zeros(3), torch.zeros(2, 2), True,
               float("nan"), {"a": 1}, object()]


def message(feedback):
    assert not feedback.correct
    return feedback.message


# --- 4.1 the bound ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [0.125, 1 / math.sqrt(64), torch.tensor(0.125),
                                    np.float32(0.125), torch.tensor([0.125])])
def test_bound_solutions(answer):
    assert ex.check_bound(answer).correct


@pytest.mark.parametrize(
    "answer, expected",
    [
        (8.0, "sqrt(hidden_size) instead of 1/sqrt(hidden_size)"),
        (1 / 64, "k = 1/hidden_size itself"),
        (-0.125, "lower end"),
        (1 / math.sqrt(10), "from input_size"),
        (1 / 10, "from input_size"),
        (1 / math.sqrt(256), "4 * hidden_size"),
        (0.125**2 / 3, "variance or standard deviation"),
        (0.125 / math.sqrt(3), "variance or standard deviation"),
        (64, "that is hidden_size"),
        (1 / math.sqrt(74), "hidden_size only"),
        (0.3, "not quite"),
    ],
)
def test_bound_hints(answer, expected):
    assert expected in message(ex.check_bound(answer))


@pytest.mark.parametrize("answer", PLACEHOLDERS)
def test_bound_placeholders(answer):
    assert NOT_YET in message(ex.check_bound(answer))


@pytest.mark.parametrize("answer", WRONG_TYPES,
                         ids=lambda a: type(a).__name__ if " at 0x" in repr(a) else repr(a))
def test_bound_wrong_types_never_crash(answer):
    fb = ex.check_bound(answer)
    assert not fb.correct and fb.message


def test_bound_hints_do_not_reveal_the_answer():
    for wrong in (8.0, 1 / 64, 0.3, "x", 1 / math.sqrt(10)):
        assert "0.125" not in ex.check_bound(wrong).message


# --- 4.2 the projection's bound --------------------------------------------------------------


def test_projection_bound():
    assert ex.check_projection_bound(0.125).correct
    assert "1/proj_size" in message(ex.check_projection_bound(0.25))
    # 1/16 is both 1/proj_size and 1/sqrt(4 * hidden_size): either hint points away from it
    assert "hidden_size" in message(ex.check_projection_bound(1 / 16))
    assert "sqrt(hidden_size) instead" in message(ex.check_projection_bound(8))
    assert "from input_size" in message(ex.check_projection_bound(1 / math.sqrt(10)))
    assert "reset_parameters" in message(ex.check_projection_bound(0.9))
    for p in PLACEHOLDERS:
        assert NOT_YET in message(ex.check_projection_bound(p))
    for w in WRONG_TYPES:
        assert not ex.check_projection_bound(w).correct


def test_the_expected_answers_are_pytorchs():
    torch.manual_seed(0)
    m = torch.nn.LSTM(ex.BOUND_INPUT_SIZE, ex.BOUND_HIDDEN_SIZE, proj_size=ex.PROJ_SIZE)
    a = m.weight_hr_l0.abs().max().item()
    assert 0.9 * 0.125 < a <= 0.125  # PyTorch really uses 1/sqrt(hidden_size) for weight_hr


# --- 4.3 the variance ------------------------------------------------------------------------


def test_variance_solutions():
    def uniform_variance(a):
        return a**2 / 3

    assert ex.check_uniform_variance(uniform_variance).correct
    assert ex.check_uniform_variance(lambda a: (2 * a) ** 2 / 12).correct
    assert ex.check_uniform_variance(lambda a: torch.tensor(a) ** 2 / 3).correct


@pytest.mark.parametrize(
    "fn, expected",
    [
        (lambda a: a**2 / 12, "width a"),
        (lambda a: a / math.sqrt(3), "standard deviation"),
        (lambda a: 2 * a / math.sqrt(12), "standard deviation"),
        (lambda a: a**2, "integrate"),
        (lambda a: 4 * a**2 / 3, "counts the width twice"),
        (lambda a: a / 3, "units of a**2"),
        (lambda a: -(a**2) / 3, "never negative"),
        (lambda a: a**2 / 2, "uniform_variance(0.5) returned"),
        (lambda a: "a**2/3", "one number"),
        (lambda a: torch.ones(2), "one number"),
        (lambda a, b: a, "TypeError"),
        (lambda a: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_variance_hints(fn, expected):
    assert expected in message(ex.check_uniform_variance(fn))


def test_variance_placeholders_and_types():
    def unfinished(a):
        ...

    def passing(a):
        pass

    for answer in (*PLACEHOLDERS, unfinished, passing):
        assert NOT_YET in message(ex.check_uniform_variance(answer))
    for answer in (0.0052, "a**2/3", torch.zeros(2)):
        assert "write a function" in message(ex.check_uniform_variance(answer))


# --- 4.4 the forget bias ---------------------------------------------------------------------


def solution(lstm):
    H = lstm.hidden_size
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            if name.startswith("bias_ih"):
                p[H:2 * H] = 1.0
            elif name.startswith("bias_hh"):
                p[H:2 * H] = 0.0
    return lstm


def rows_setter(rows_of, ih, hh, layers=None):
    """A learner's function setting ``rows_of(H)`` of bias_ih/bias_hh to ih/hh."""
    def fn(lstm):
        H = lstm.hidden_size
        with torch.no_grad():
            for name, p in lstm.named_parameters():
                if layers is not None and not name.endswith(layers):
                    continue
                if name.startswith("bias_ih") and ih is not None:
                    p[rows_of(H)] = ih
                elif name.startswith("bias_hh") and hh is not None:
                    p[rows_of(H)] = hh
        return lstm
    return fn


def test_forget_bias_solutions():
    assert ex.check_forget_bias_init(solution).correct
    assert ex.check_forget_bias_init(rows_setter(lambda H: slice(H, 2 * H), 0.5, 0.5)).correct
    assert ex.check_forget_bias_init(rows_setter(lambda H: slice(H, 2 * H), 0.0, 1.0)).correct

    def no_return(lstm):  # in place but forgot `return lstm`: still right
        solution(lstm)

    assert ex.check_forget_bias_init(no_return).correct


def test_forget_bias_uses_the_package_initialiser():
    from lstm_helpers import init as lstm_init

    assert ex.check_forget_bias_init(lstm_init.set_forget_bias_).correct


@pytest.mark.parametrize(
    "fn, expected",
    [
        (rows_setter(lambda H: slice(0, H), 1.0, 0.0), "input-gate rows: the order is i, f, g, o"),
        (rows_setter(lambda H: slice(2 * H, 3 * H), 1.0, 0.0), "cell-candidate (g) rows"),
        (rows_setter(lambda H: slice(3 * H, 4 * H), 1.0, 0.0), "output-gate rows"),
        (rows_setter(lambda H: slice(H, 2 * H), 1.0, 1.0), "their sum is 2"),
        (rows_setter(lambda H: slice(H, 2 * H), 1.0, None), "left b_hf at its random value"),
        (rows_setter(lambda H: slice(H, 2 * H), None, 1.0), "left b_if at its random value"),
        (rows_setter(lambda H: slice(H, 2 * H), 0.5, 0.0), "is 0.5 in the forget rows"),
        (rows_setter(lambda H: slice(0, 4 * H), 1.0, 0.0), "rows outside H:2H"),
        (rows_setter(lambda H: slice(H, 2 * H), 1.0, 0.0, layers="_l0"),
         "every layer and direction"),
    ],
)
def test_forget_bias_hints(fn, expected):
    assert expected in message(ex.check_forget_bias_init(fn))


def test_forget_bias_other_mistakes():
    def touches_weights(lstm):
        with torch.no_grad():
            lstm.weight_ih_l0.fill_(1.0)
        return solution(lstm)

    assert "only the biases' forget rows" in message(ex.check_forget_bias_init(touches_weights))

    def returns_a_copy(lstm):
        import copy

        return solution(copy.deepcopy(lstm))

    assert "in place" in message(ex.check_forget_bias_init(returns_a_copy))

    def random_rows(lstm):
        H = lstm.hidden_size
        with torch.no_grad():
            for name, p in lstm.named_parameters():
                if name.startswith("bias"):
                    p[H:2 * H] = torch.rand(H)
        return lstm

    assert "must be 1 in every forget row" in message(ex.check_forget_bias_init(random_rows))

    def uses_data(lstm):  # the old .data idiom works too
        H = lstm.hidden_size
        for name, p in lstm.named_parameters():
            if name.startswith("bias_ih"):
                p.data[H:2 * H] = 1.0
            if name.startswith("bias_hh"):
                p.data[H:2 * H] = 0.0
        return lstm

    assert ex.check_forget_bias_init(uses_data).correct

    def crashes(lstm):
        lstm.bias_ih_l0[5:10] = 1.0  # in-place on a leaf that requires grad
        return lstm

    assert "RuntimeError" in message(ex.check_forget_bias_init(crashes))


def test_forget_bias_placeholders_and_types():
    def unfinished(lstm):
        ...

    def passing(lstm):
        pass

    for answer in (*PLACEHOLDERS, unfinished, passing):
        assert NOT_YET in message(ex.check_forget_bias_init(answer))
    for answer in (1.0, "rows H:2H", torch.zeros(4)):
        assert "write a function" in message(ex.check_forget_bias_init(answer))


def test_checks_leave_the_global_random_state_alone():
    state = torch.random.get_rng_state()
    ex.check_forget_bias_init(solution)
    assert torch.equal(state, torch.random.get_rng_state())


# --- 4.5 predict the variance of a pre-activation ------------------------------------------


def test_preactivation_variance_solution_matches_the_package_and_a_measurement():
    from lstm_helpers import init as lstm_init

    answer = (1 / 16) / 3 * (48 + 2)
    assert ex.check_preactivation_variance(answer).correct
    assert ex.check_preactivation_variance(torch.tensor(answer)).correct
    theory = lstm_init.preactivation_variance(ex.VAR_INPUT_SIZE, ex.VAR_HIDDEN_SIZE)
    assert theory == pytest.approx(answer)
    x = torch.randn(1, 4096, ex.VAR_INPUT_SIZE, generator=torch.Generator().manual_seed(0))
    z = torch.cat([lstm_init.gate_trace(lstm_init.make_lstm(48, 16, seed=s), x)[0].z.flatten()
                   for s in range(8)])
    assert z.var().item() == pytest.approx(answer, rel=0.1)  # the formula predicts the data


@pytest.mark.parametrize(
    "answer, expected",
    [
        (48 / 48, "two biases"),
        ((48 + 16 + 2) / 48, "h_0 = 0"),
        ((48 + 16) / 48, "h_0 = 0"),
        (50 / 16, "a**2 is not the variance"),
        (48 / 16, "Var[w] = a**2/3"),
        (50 / 192, "not 1/(4 * hidden_size)"),
        (50 / 144, "not input_size"),
        (1 / 3, "H_in = H"),
        (-1.0, "never negative"),
        (7.0, "add up one variance per term"),
    ],
)
def test_preactivation_variance_hints(answer, expected):
    assert expected in message(ex.check_preactivation_variance(answer))


@pytest.mark.parametrize("answer", PLACEHOLDERS)
def test_preactivation_variance_placeholders(answer):
    assert NOT_YET in message(ex.check_preactivation_variance(answer))


@pytest.mark.parametrize("answer", WRONG_TYPES)
def test_preactivation_variance_wrong_types_never_crash(answer):
    assert not ex.check_preactivation_variance(answer).correct


def test_preactivation_variance_hints_do_not_reveal_the_answer():
    for wrong in (1.0, 3.0, 7.0, -1.0):
        assert "1.04" not in ex.check_preactivation_variance(wrong).message
