"""Exercise checks of the LSTM chapters: solutions pass, typical mistakes get their own hint,
placeholders get "not yet", nothing raises, and the notebook's random state is untouched."""

import numpy as np
import pytest
import torch

from lstm_helpers.exercises import lstm_cell as ex_cell
from lstm_helpers.exercises import nn_lstm as ex_layer
from lstm_helpers.exercises._core import NOT_ANSWERED
from lstm_helpers.lstm import lstm_cell

# ---------------------------------------------------------------- generic behaviour

ALL_CHECKS = [
    ex_cell.check_cell_parameter_shapes, ex_cell.check_forget_gate, ex_cell.check_new_state,
    ex_cell.check_lstm_step, ex_layer.check_h_n_shape, ex_layer.check_proj_shapes,
    ex_layer.check_initial_state, ex_layer.check_run_layer,
]


def _unfinished(*args):
    ...


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_placeholders_are_not_yet(check):
    for answer in (None, ...):
        fb = check(answer)
        assert not fb and fb.message == NOT_ANSWERED
    assert check().message == NOT_ANSWERED


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("answer", [42, "x", 3.5, [1, 2], (1, 2, 3), {"a": 1}, torch.zeros(2, 3),
                                    lambda *a: 0, lambda *a: (torch.zeros(1),)])
def test_wrong_types_get_a_hint_never_an_exception(check, answer):
    fb = check(answer)
    assert not fb
    assert isinstance(fb.message, str) and fb.message


@pytest.mark.parametrize("check", [ex_cell.check_forget_gate, ex_cell.check_new_state,
                                   ex_cell.check_lstm_step, ex_layer.check_initial_state,
                                   ex_layer.check_run_layer], ids=lambda c: c.__name__)
def test_function_with_placeholder_body_is_not_yet(check):
    assert check(_unfinished).message == NOT_ANSWERED


@pytest.mark.parametrize("check", [ex_cell.check_forget_gate, ex_cell.check_new_state,
                                   ex_cell.check_lstm_step, ex_layer.check_initial_state,
                                   ex_layer.check_run_layer], ids=lambda c: c.__name__)
def test_a_crashing_answer_becomes_a_hint(check):
    def crashes(*args):
        raise KeyError("oops")

    fb = check(crashes)
    assert not fb and "KeyError" in fb.message


def test_checks_do_not_touch_the_global_random_state():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex_cell.check_lstm_step(_solution_step)
    ex_layer.check_h_n_shape((4, 3, 20))
    ex_layer.check_initial_state(_solution_initial_state)
    assert torch.equal(torch.rand(3), expected)


# ---------------------------------------------------------------- 2.1 parameter shapes


def test_parameter_shapes_solution():
    cell = torch.nn.LSTMCell(3, 5)
    assert ex_cell.check_cell_parameter_shapes(((20, 3), (20, 5), (20,)))
    assert ex_cell.check_cell_parameter_shapes([cell.weight_ih.shape, cell.weight_hh.shape,
                                           cell.bias_ih.shape])


@pytest.mark.parametrize("answer, words", [
    (((5, 3), (20, 5), (20,)), "one gate's block"),
    (((3, 20), (20, 5), (20,)), "out_features, in_features"),
    (((20, 5), (20, 5), (20,)), "multiplies x_t"),
    (((20, 3), (5, 5), (20,)), "one gate's block"),
    (((20, 3), (20, 3), (20,)), "multiplies h_{t-1}"),
    (((20, 3), (5, 20), (20,)), "out_features, in_features"),
    (((20, 3), (20, 5), (20, 1)), "1-D"),
    (((20, 3), (20, 5), (5,)), "one bias per row"),
    (((20, 3), (20, 5), (40,)), "bias_hh is a separate"),
    (((20, 3), (20, 5)), "three shapes"),
    (((20, 3), (20, 5), "20"), "not a tuple of ints"),
])
def test_parameter_shapes_hints(answer, words):
    fb = ex_cell.check_cell_parameter_shapes(answer)
    assert not fb and words in fb.message


# ---------------------------------------------------------------- 2.2 forget gate


def _solution_forget(x, h_prev, W_if, W_hf, b_if, b_hf):
    return torch.sigmoid(x @ W_if.T + b_if + h_prev @ W_hf.T + b_hf)


def test_forget_gate_solution():
    assert ex_cell.check_forget_gate(_solution_forget)
    # float32 arithmetic is fine too
    assert ex_cell.check_forget_gate(
        lambda x, h, Wi, Wh, bi, bh: _solution_forget(x.float(), h.float(), Wi.float(),
                                                      Wh.float(), bi.float(), bh.float()))


@pytest.mark.parametrize("fn, words", [
    (lambda x, h, Wi, Wh, bi, bh: torch.tanh(x @ Wi.T + bi + h @ Wh.T + bh), "activation"),
    (lambda x, h, Wi, Wh, bi, bh: x @ Wi.T + bi + h @ Wh.T + bh, "pre-activation"),
    (lambda x, h, Wi, Wh, bi, bh: torch.sigmoid(x @ Wi.T + h @ Wh.T + bh), "b_if"),
    (lambda x, h, Wi, Wh, bi, bh: torch.sigmoid(x @ Wi.T + bi + h @ Wh.T), "b_hf"),
    (lambda x, h, Wi, Wh, bi, bh: torch.sigmoid(x @ Wi.T + h @ Wh.T), "both biases"),
    (lambda x, h, Wi, Wh, bi, bh: torch.sigmoid(x @ Wi.T + bi + bh), "recurrent term"),
    (lambda x, h, Wi, Wh, bi, bh: torch.sigmoid(x @ Wi + bi + h @ Wh + bh), "Which way round"),
    (lambda x, h, Wi, Wh, bi, bh: torch.relu(x @ Wi.T + bi + h @ Wh.T + bh), "relu"),
    (lambda x, h, Wi, Wh, bi, bh: torch.sigmoid(x @ Wi.T + bi + h @ Wh.T + bh).T, "(N, H)"),
    (lambda x, h, Wi, Wh, bi, bh: torch.sigmoid(x @ Wi.T + bi + h @ Wh.T + bh)[0], "(N, H)"),
    (lambda x, h, Wi, Wh, bi, bh: torch.sigmoid(2 * (x @ Wi.T) + bi + h @ Wh.T + bh),
     "term by term"),
    (lambda x, h, Wi, Wh, bi, bh: [0.5], "as a tensor"),
])
def test_forget_gate_hints(fn, words):
    fb = ex_cell.check_forget_gate(fn)
    assert not fb and words in fb.message, fb.message


# ---------------------------------------------------------------- 2.3 new state


def _solution_new_state(i, f, g, o, c_prev):
    c_t = f * c_prev + i * g
    return o * torch.tanh(c_t), c_t


def test_new_state_solution():
    assert ex_cell.check_new_state(_solution_new_state)


@pytest.mark.parametrize("fn, words", [
    (lambda i, f, g, o, c: _solution_new_state(i, f, g, o, c)[::-1], "(c_t, h_t)"),
    (lambda i, f, g, o, c: (o * torch.tanh(c), f * c + i * g), "old cell state"),
    (lambda i, f, g, o, c: (o * (f * c + i * g), f * c + i * g), "squashed"),
    (lambda i, f, g, o, c: (o * torch.sigmoid(f * c + i * g), f * c + i * g),
     "squashing function"),
    (lambda i, f, g, o, c: (torch.tanh(o * (f * c + i * g)), f * c + i * g), "squash c_t first"),
    (lambda i, f, g, o, c: (torch.tanh(f * c + i * g), f * c + i * g), "output gate is missing"),
    (lambda i, f, g, o, c: (o * torch.tanh(i * c + f * g), i * c + f * g), "swapped"),
    (lambda i, f, g, o, c: (o * torch.tanh(f * c + g), f * c + g), "scaled by a gate"),
    (lambda i, f, g, o, c: (o * torch.tanh(c + i * g), c + i * g), "old memory must be scaled"),
    (lambda i, f, g, o, c: (o * torch.tanh(f @ c + i @ g), f @ c + i @ g), "Hadamard"),
    (lambda i, f, g, o, c: o * torch.tanh(f * c + i * g), "pair"),
    (lambda i, f, g, o, c: (o, c, f), "pair"),
    (lambda i, f, g, o, c: ((f * c + i * g)[0], (f * c + i * g)[0]), "(N, H)"),
    (lambda i, f, g, o, c: (o * torch.tanh(f * c + i * g), 3 * c), "cell-state equation"),
])
def test_new_state_hints(fn, words):
    fb = ex_cell.check_new_state(fn)
    assert not fb and words in fb.message, fb.message


# ---------------------------------------------------------------- 2.4 full step


def _make_step(order="ifgo", b_ih=True, b_hh=True, gate_act=torch.sigmoid, g_act=torch.tanh,
               c_from="c", h_from="c_next", h_tanh=True, swap=False):
    def step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
        gates = x @ weight_ih.T + h_prev @ weight_hh.T
        if b_ih:
            gates = gates + bias_ih
        if b_hh:
            gates = gates + bias_hh
        chunk = dict(zip(order, gates.chunk(4, 1), strict=True))
        i, f, g, o = (gate_act(chunk["i"]), gate_act(chunk["f"]), g_act(chunk["g"]),
                      gate_act(chunk["o"]))
        c_next = f * (c_prev if c_from == "c" else h_prev) + i * g
        s = {"c_next": c_next, "c_prev": c_prev, "h_prev": h_prev}[h_from]
        h_next = o * (torch.tanh(s) if h_tanh else s)
        return (c_next, h_next) if swap else (h_next, c_next)

    return step


_solution_step = _make_step()


def test_lstm_step_solution_matches_nn_lstmcell_for_other_sizes_too():
    assert ex_cell.check_lstm_step(_solution_step)
    cell = torch.nn.LSTMCell(7, 2)
    x, h, c = torch.randn(4, 7), torch.randn(4, 2), torch.randn(4, 2)
    h_ref, c_ref = cell(x, (h, c))
    h_new, c_new = _solution_step(x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih,
                                  cell.bias_hh)
    torch.testing.assert_close((h_new, c_new), (h_ref, c_ref))


def test_lstm_step_solution_via_the_package():
    def step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
        return lstm_cell(x, (h_prev, c_prev), weight_ih, weight_hh, bias_ih, bias_hh)

    assert ex_cell.check_lstm_step(step)


@pytest.mark.parametrize("order", ["ifog", "igfo", "fiog", "ogfi", "iogf"])
def test_lstm_step_wrong_gate_order(order):
    fb = ex_cell.check_lstm_step(_make_step(order=order))
    assert not fb and "wrong chunks" in fb.message and ", ".join(order) in fb.message
    # the hint names the order they used, never PyTorch's
    assert "i, f, g, o" not in fb.message


@pytest.mark.parametrize("kwargs, words", [
    ({"b_ih": False}, "bias_ih is not added"),
    ({"b_hh": False}, "bias_hh is not added"),
    ({"b_ih": False, "b_hh": False}, "both biases"),
    ({"g_act": torch.sigmoid}, "can be negative"),
    ({"gate_act": torch.tanh}, "fractions between 0 and 1"),
    ({"gate_act": torch.tanh, "g_act": torch.sigmoid}, "swapped"),
    ({"c_from": "h"}, "you used h_{t-1} instead"),
    ({"h_from": "c_prev"}, "old cell state"),
    ({"h_from": "h_prev"}, "not h_{t-1}"),
    ({"h_tanh": False}, "squashed"),
    ({"swap": True}, "(c_next, h_next)"),
])
def test_lstm_step_typical_mistakes(kwargs, words):
    fb = ex_cell.check_lstm_step(_make_step(**kwargs))
    assert not fb and words in fb.message, fb.message


def test_lstm_step_other_mistakes():
    def untransposed(x, h, c, w_ih, w_hh, b_ih, b_hh):
        return _solution_step(x, h, c, w_ih.T, w_hh.T, b_ih, b_hh)

    assert "Which way round" in ex_cell.check_lstm_step(untransposed).message

    def no_split(x, h, c, w_ih, w_hh, b_ih, b_hh):
        gates = torch.sigmoid(x @ w_ih.T + h @ w_hh.T + b_ih + b_hh)
        return gates, gates

    assert "four chunks" in ex_cell.check_lstm_step(no_split).message

    def bad_unpack(x, h, c, w_ih, w_hh, b_ih, b_hh):
        i, f, g, o = (x @ w_ih.T).chunk(4, 0)
        return i, f

    fb = ex_cell.check_lstm_step(bad_unpack)
    assert not fb

    def wrong_h(x, h, c, w_ih, w_hh, b_ih, b_hh):
        h_next, c_next = _solution_step(x, h, c, w_ih, w_hh, b_ih, b_hh)
        return 0.5 * h_next, c_next

    assert "c_next is right" in ex_cell.check_lstm_step(wrong_h).message

    def everything_wrong(x, h, c, w_ih, w_hh, b_ih, b_hh):
        return _make_step(order="ofgi", b_ih=False)(x, h, c, w_ih, w_hh, b_ih, b_hh)

    assert "one equation at a time" in ex_cell.check_lstm_step(everything_wrong).message


# ---------------------------------------------------------------- 3.1 h_n shape


def test_h_n_shape_solution():
    assert ex_layer.check_h_n_shape((4, 3, 20))
    assert ex_layer.check_h_n_shape(torch.Size([4, 3, 20]))
    assert ex_layer.check_h_n_shape([4, 3, 20])
    assert ex_layer.check_h_n_shape(tuple(np.array([4, 3, 20])))  # NumPy integers count as ints
    assert not ex_layer.check_h_n_shape((True, 3, 20))


@pytest.mark.parametrize("answer, words", [
    ((5, 3, 40), "output's shape"),
    ((2, 3, 20), "two directions"),
    ((2, 3, 40), "apart"),
    ((3, 4, 20), "never the first"),
    ((4, 20), "batch dimension"),
    ((1, 3, 20), "one per layer and direction"),
    ((7, 7, 7), "not that shape"),
    ("4, 3, 20", "tuple of ints"),
    ((4.0, 3.0, 20.0), "tuple of ints"),
])
def test_h_n_shape_hints(answer, words):
    fb = ex_layer.check_h_n_shape(answer)
    assert not fb and words in fb.message, fb.message


# ---------------------------------------------------------------- 3.2 projections


def test_proj_shapes_solution():
    assert ex_layer.check_proj_shapes(((3, 7, 5), (1, 3, 5), (1, 3, 20)))


@pytest.mark.parametrize("answer, words", [
    (((3, 7, 20), (1, 3, 5), (1, 3, 20)), "projected before"),
    (((7, 3, 5), (1, 3, 5), (1, 3, 20)), "applies to the input and to output"),
    (((3, 7, 5), (1, 3, 20), (1, 3, 20)), "hidden state is projected"),
    (((3, 7, 5), (3, 1, 5), (1, 3, 20)), "does not apply to h_n"),
    (((3, 7, 5), (3, 5), (1, 3, 20)), "first dimension"),
    (((3, 7, 5), (1, 3, 5), (1, 3, 5)), "never projected"),
    (((3, 7, 5), (1, 3, 5), (3, 1, 20)), "does not apply to h_n and c_n"),
    (((3, 7, 5), (1, 3, 5)), "three shapes"),
    (((3, 7, 5), None, (1, 3, 20)), "not a tuple of ints"),
])
def test_proj_shapes_hints(answer, words):
    fb = ex_layer.check_proj_shapes(answer)
    assert not fb and words in fb.message, fb.message


# ---------------------------------------------------------------- 3.3 initial state


def _solution_initial_state(lstm, x):
    D = 2 if lstm.bidirectional else 1
    H_out = lstm.proj_size if lstm.proj_size > 0 else lstm.hidden_size
    if x.dim() == 3:
        N = x.size(0) if lstm.batch_first else x.size(1)
        lead = (D * lstm.num_layers, N)
    else:
        lead = (D * lstm.num_layers,)
    h0 = torch.zeros(*lead, H_out, dtype=x.dtype, device=x.device)
    c0 = torch.zeros(*lead, lstm.hidden_size, dtype=x.dtype, device=x.device)
    return h0, c0


def test_initial_state_solution():
    assert ex_layer.check_initial_state(_solution_initial_state)


def _initial_state_with(batch_first_bug=False, no_d=False, h_hidden=False, c_proj=False,
                        float32=False, ones=False, always_batched=False):
    def initial_state(lstm, x):
        D = 1 if no_d else (2 if lstm.bidirectional else 1)
        H_out = lstm.hidden_size if h_hidden else (lstm.proj_size or lstm.hidden_size)
        H_c = (lstm.proj_size or lstm.hidden_size) if c_proj else lstm.hidden_size
        make = torch.ones if ones else torch.zeros
        dtype = torch.float32 if float32 else x.dtype
        if x.dim() == 3 or always_batched:
            N = x.size(0) if (lstm.batch_first and x.dim() == 3) else x.size(1 if x.dim() == 3
                                                                               else 0)
            lead = (N, D * lstm.num_layers) if (batch_first_bug and lstm.batch_first) else (
                D * lstm.num_layers, N)
        else:
            lead = (D * lstm.num_layers,)
        return make(*lead, H_out, dtype=dtype), make(*lead, H_c, dtype=dtype)

    return initial_state


@pytest.mark.parametrize("kwargs, words", [
    ({"batch_first_bug": True}, "batch_first does not apply"),
    ({"no_d": True}, "per layer and per direction"),
    ({"h_hidden": True}, "projected size"),
    ({"c_proj": True}, "never projected"),
    ({"float32": True}, "dtype"),
    ({"ones": True}, "zeros"),
    ({"always_batched": True}, "without a batch dimension"),
])
def test_initial_state_typical_mistakes(kwargs, words):
    fb = ex_layer.check_initial_state(_initial_state_with(**kwargs))
    assert not fb and words in fb.message, fb.message


def test_initial_state_other_mistakes():
    fb = ex_layer.check_initial_state(lambda lstm, x: torch.zeros(1, 2, 6))
    assert not fb and "pair" in fb.message
    fb = ex_layer.check_initial_state(lambda lstm, x: (torch.zeros(9, 9), torch.zeros(9, 9)))
    assert not fb and "not what nn.LSTM expects" in fb.message


# ---------------------------------------------------------------- 3.4 run a layer


def _solution_run_layer(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
    h, c = h0, c0
    outputs = []
    for x_t in x.unbind(0):
        h, c = _solution_step(x_t, h, c, weight_ih, weight_hh, bias_ih, bias_hh)
        outputs.append(h)
    return torch.stack(outputs), (h, c)


def test_run_layer_solution():
    assert ex_layer.check_run_layer(_solution_run_layer)


def test_run_layer_solution_with_the_package_cell():

    def run_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        h, c = h0, c0
        outputs = []
        for x_t in x.unbind(0):
            h, c = lstm_cell(x_t, (h, c), w_ih, w_hh, b_ih, b_hh)
            outputs.append(h)
        return torch.stack(outputs), (h, c)

    assert ex_layer.check_run_layer(run_layer)


def _run_with(carry_h=True, carry_c=True, reverse=False, collect="h", last_only=False,
              batch_major=False, swap=False):
    def run_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        h, c = h0, c0
        outputs = []
        steps = x.flip(0).unbind(0) if reverse else x.unbind(0)
        for x_t in steps:
            h_new, c_new = _solution_step(x_t, h, c, w_ih, w_hh, b_ih, b_hh)
            outputs.append(h_new if collect == "h" else c_new)
            h = h_new if carry_h else h0
            c = c_new if carry_c else c0
        out = torch.stack(outputs, dim=1 if batch_major else 0)
        if reverse:
            out = out.flip(0)
        if last_only:
            out = out[-1]
        return out, ((c_new, h_new) if swap else (h_new, c_new))

    return run_layer


@pytest.mark.parametrize("kwargs, words", [
    ({"carry_h": False, "carry_c": False}, "starts again from h0 and c0"),
    ({"carry_c": False}, "cell state is not"),
    ({"carry_h": False}, "but h is not"),
    ({"collect": "c"}, "collects the cell states"),
    ({"reverse": True}, "backwards"),
    ({"last_only": True}, "every time step"),
    ({"batch_major": True}, "time first"),
    ({"swap": True}, "(c_n, h_n)"),
])
def test_run_layer_typical_mistakes(kwargs, words):
    fb = ex_layer.check_run_layer(_run_with(**kwargs))
    assert not fb and words in fb.message, fb.message


def test_run_layer_structure_mistakes():
    fb = ex_layer.check_run_layer(lambda *a: torch.zeros(6, 2, 4))
    assert not fb and "(output, (h_n, c_n))" in fb.message
    fb = ex_layer.check_run_layer(lambda *a: (torch.zeros(6, 2, 4), (torch.zeros(1, 2, 4),
                                                                torch.zeros(1, 2, 4))))
    assert not fb and "shape of h0" in fb.message
