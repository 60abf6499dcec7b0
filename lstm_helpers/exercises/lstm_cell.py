"""Exercise checks of the LSTM-cell chapter (``02_lstm_cell``).

Each check compares the learner's answer with what PyTorch computes, then with the typical
wrong answers (a transposed weight, the gates read in the wrong order, a missing bias,
``h`` where ``c`` belongs, ``sigmoid`` for ``tanh``, ...), and names the mistake it
recognises without giving the answer away. A check never raises.
"""

import itertools

import torch

from .._checks import format_shape
from ..lstm import GATES
from ._core import checker, correct, hint
from ._helpers import (
    call_on_clones,
    close,
    first_match,
    keeps_rng,
    matmul_error,
    pair_hint,
    random_data,
    three_shapes,
    with_weights,
)

GATE_ORDER = "".join(GATES)  # "ifgo"


def _reference_step(x, h, c, w_ih, w_hh, b_ih, b_hh, order=GATE_ORDER, use_b_ih=True,
                    use_b_hh=True, gate_act=torch.sigmoid, g_act=torch.tanh, c_from="c",
                    h_from="c_next", h_tanh=True):
    """One LSTM step with knobs for the typical mistakes, to recognise a wrong answer.

    The correct step is :func:`lstm_helpers.lstm.lstm_cell`; this one exists because a
    mistake (chunks read in another order, a bias left out, ``tanh`` for ``sigmoid``, ``h``
    where ``c`` belongs) has to be computed to be recognised. The defaults are the right step.

    ``order`` names the gate each chunk of the stacked pre-activations is read as.
    """
    gates = x @ w_ih.T + h @ w_hh.T  # (N, 4H)
    if use_b_ih:
        gates = gates + b_ih
    if use_b_hh:
        gates = gates + b_hh
    chunks = dict(zip(order, gates.chunk(4, dim=1), strict=True))  # each (N, H)
    i, f, o = gate_act(chunks["i"]), gate_act(chunks["f"]), gate_act(chunks["o"])
    g = g_act(chunks["g"])
    c_next = f * (c if c_from == "c" else h) + i * g  # (N, H)
    state = {"c_next": c_next, "c_prev": c, "h_prev": h}[h_from]
    h_next = o * (torch.tanh(state) if h_tanh else state)  # (N, H)
    return h_next, c_next



CELL_INPUT_SIZE, CELL_HIDDEN_SIZE = 3, 5


@checker
@keeps_rng
def check_cell_parameter_shapes(answer):
    """Exercise 2.1: shapes of ``weight_ih``, ``weight_hh``, ``bias_ih`` of ``nn.LSTMCell(3, 5)``.

    ``answer``: a tuple of three shapes (tuples or ``torch.Size``).
    """
    cell = torch.nn.LSTMCell(CELL_INPUT_SIZE, CELL_HIDDEN_SIZE)
    want = [tuple(cell.weight_ih.shape), tuple(cell.weight_hh.shape), tuple(cell.bias_ih.shape)]
    H, H_in = CELL_HIDDEN_SIZE, CELL_INPUT_SIZE
    shapes, problem = three_shapes(answer, ("weight_ih", "weight_hh", "bias_ih"))
    if problem is not None:
        return problem
    w_ih, w_hh, b_ih = shapes
    if w_ih != want[0]:
        if w_ih == (H, H_in):
            return hint("weight_ih: that is one gate's block. nn.LSTMCell stacks the weights "
                        "of all its gates in one tensor.")
        if w_ih in ((H_in, 4 * H), (H_in, H)):
            return hint("weight_ih: PyTorch stores a weight as (out_features, in_features), "
                        "like nn.Linear: rows are outputs.")
        if w_ih == (4 * H, H):
            return hint("weight_ih multiplies x_t: how many entries does x_t have?")
        return hint("weight_ih: not that shape. Rows: the stacked gates' outputs; columns: "
                    "the size of what it multiplies.")
    if w_hh != want[1]:
        if w_hh == (H, H):
            return hint("weight_hh: that is one gate's block; the four gates are stacked.")
        if w_hh == (4 * H, H_in):
            return hint("weight_hh multiplies h_{t-1}, not x_t: how many entries does "
                        "h_{t-1} have?")
        if w_hh == (H, 4 * H):
            return hint("weight_hh: (out_features, in_features), like nn.Linear: rows are "
                        "outputs.")
        return hint("weight_hh: not that shape. It maps h_{t-1} to the stacked gates.")
    if b_ih != want[2]:
        if b_ih == (4 * H, 1):
            return hint("bias_ih: a bias is a 1-D tensor, added to every row of the batch "
                        "by broadcasting.")
        if b_ih == (H,):
            return hint("bias_ih: one bias per row of weight_ih, so all gates have one.")
        if b_ih == (8 * H,):
            return hint("bias_ih alone, please: bias_hh is a separate tensor.")
        return hint("bias_ih: not that shape. It has one entry per row of weight_ih.")
    return correct(f"weight_ih {format_shape(want[0])}, weight_hh {format_shape(want[1])}, bias_ih "
                   f"{format_shape(want[2])}: four gates of {H} rows stacked.")


@checker
@keeps_rng
def check_forget_gate(fn):
    """Exercise 2.2: ``forget_gate(x, h_prev, W_if, W_hf, b_if, b_hf) -> f_t``.

    Shapes: ``x (N, H_in)``, ``h_prev (N, H)``, ``W_if (H, H_in)``, ``W_hf (H, H)``,
    ``b_if, b_hf (H,)``; ``f_t (N, H)``.
    """
    N, H_in, H = 2, 3, 4
    x, h, W_if, W_hf, b_if, b_hf = random_data(1, (N, H_in), (N, H), (H, H_in), (H, H), (H,), (H,))
    try:
        f = call_on_clones(fn, x, h, W_if, W_hf, b_if, b_hf)
    except RuntimeError as err:
        if matmul_error(err):
            return hint("a matrix product failed on the shapes: W_if is (hidden_size, "
                        "input_size), like nn.Linear's weight. Which way round must it "
                        "multiply x?")
        raise
    if not isinstance(f, torch.Tensor):
        return hint(f"return the gate as a tensor, got {type(f).__name__}.")
    if f.shape != (N, H):
        if f.shape == (H, N):
            return hint(f"f_t has one row per batch element: expected shape (N, H) = "
                        f"({N}, {H}), got {format_shape(f.shape)}.")
        return hint(f"f_t must have shape (N, H) = ({N}, {H}), got {format_shape(f.shape)}.")
    pre = x @ W_if.T + b_if + h @ W_hf.T + b_hf  # (N, H)
    if close(f, torch.sigmoid(pre)):
        return correct("f_t is a fraction in (0, 1) for every unit: how much of c_{t-1} "
                       "to keep.")
    variants = [
        ((torch.tanh(pre),), "a gate is a fraction between 0 and 1; your values go below "
                             "0. Check the activation function."),
        ((pre,), "you return the pre-activation: the gate still needs its activation "
                 "function."),
        ((torch.sigmoid(pre - b_if),), "a bias is missing: b_if is not in your sum."),
        ((torch.sigmoid(pre - b_hf),), "a bias is missing: b_hf is not in your sum."),
        ((torch.sigmoid(pre - b_if - b_hf),), "both biases are missing from your sum."),
        ((torch.sigmoid(x @ W_if.T + b_if + b_hf),), "the recurrent term W_hf h_{t-1} is "
                                                      "missing."),
        ((torch.sigmoid(h @ W_hf.T + b_if + b_hf),), "the input term W_if x_t is missing."),
    ]
    found = first_match((f,), variants)
    if found:
        return hint(found)
    if close(f, torch.relu(pre)):
        return hint("relu is not bounded by 1: check the activation function.")
    return hint("right shape, wrong values: compare your sum with the forget-gate equation "
                "term by term (two weights, two biases, one activation).")


@checker
@keeps_rng
def check_new_state(fn):
    """Exercise 2.3: ``new_state(i, f, g, o, c_prev) -> (h_t, c_t)``; every tensor ``(N, H)``."""
    N, H = 2, 3
    zi, zf, zg, zo, c_prev = random_data(2, (N, H), (N, H), (N, H), (N, H), (N, H))
    i, f, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
    c_prev = 2 * c_prev
    try:
        result = call_on_clones(fn, i, f, g, o, c_prev)
    except RuntimeError as err:
        if matmul_error(err):
            return hint("a matrix product failed: the gates act unit by unit. Use the "
                        "elementwise (Hadamard) product, not a matrix product.")
        raise
    bad = pair_hint(result, "(h_t, c_t)")
    if bad is not None:
        return bad
    h_t, c_t = result
    c_ok = f * c_prev + i * g  # (N, H)
    h_ok = o * torch.tanh(c_ok)  # (N, H)
    if close(h_t, h_ok) and close(c_t, c_ok):
        return correct("c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t and h_t = o_t ⊙ tanh(c_t).")
    if close(h_t, c_ok) and close(c_t, h_ok):
        return hint("you return (c_t, h_t): nn.LSTMCell returns the hidden state first.")
    if h_t.shape != (N, H) or c_t.shape != (N, H):
        return hint(f"h_t and c_t have the shape of c_{{t-1}}, (N, H) = ({N}, {H}); got "
                    f"{format_shape(h_t.shape)} and {format_shape(c_t.shape)}.")
    if not close(c_t, c_ok):
        message = first_match((c_t,), [
            ((i * c_prev + f * g,), "c_t: the gates are swapped. Which gate decides how much "
                                    "of the old memory c_{t-1} survives?"),
            ((f * c_prev + g,), "c_t: the candidate g_t must be scaled by a gate before it "
                                "is added."),
            ((c_prev + i * g,), "c_t: the old memory must be scaled by a gate before it is "
                                "kept."),
            ((f * c_prev + i * g + o,), "c_t: the output gate plays no part in c_t."),
            ((f * c_prev * i * g,), "c_t: the kept memory and the new candidate are added, "
                                    "not multiplied."),
        ])
        return hint(message or "c_t: compare with the cell-state equation: two products, "
                               "one sum.")
    message = first_match((h_t,), [
        ((o * torch.tanh(c_prev),), "h_t uses the old cell state c_{t-1}; it must use the "
                                    "new one."),
        ((o * c_ok,), "h_t: the cell state must be squashed before the output gate scales "
                      "it."),
        ((o * torch.sigmoid(c_ok),), "h_t: check which squashing function is applied to "
                                     "c_t (its values can be negative)."),
        ((torch.tanh(o * c_ok),), "h_t: squash c_t first, then apply the output gate."),
        ((torch.tanh(c_ok),), "h_t: the output gate is missing."),
    ])
    return hint(message or "h_t: compare with the hidden-state equation: a gate times a "
                           "squashed state.")


STEP_SIZES = (3, 4, 5)  # N, H_in, H


def _step_data():
    N, H_in, H = STEP_SIZES
    return random_data(3, (N, H_in), (N, H), (N, H), (4 * H, H_in), (4 * H, H), (4 * H,), (4 * H,))


def _step_variants(args):
    """The typical wrong versions of one step, each with the hint it earns."""
    out = []
    for perm in itertools.permutations(GATE_ORDER):
        order = "".join(perm)
        if order != GATE_ORDER:
            out.append((_reference_step(*args, order=order),
                        f"the gates come from the wrong chunks: you read the four chunks as "
                        f"{', '.join(order)}. Check which rows of weight_ih belong to which "
                        f"gate in PyTorch."))
    out += [
        (_reference_step(*args, use_b_ih=False), "a bias is missing: bias_ih is not added."),
        (_reference_step(*args, use_b_hh=False), "a bias is missing: bias_hh is not added."),
        (_reference_step(*args, use_b_ih=False, use_b_hh=False),
         "both biases are missing."),
        (_reference_step(*args, g_act=torch.sigmoid),
         "g_t is a candidate value that can be negative: check its activation function."),
        (_reference_step(*args, gate_act=torch.tanh),
         "the gates i, f, o are fractions between 0 and 1: check their activation function."),
        (_reference_step(*args, gate_act=torch.tanh, g_act=torch.sigmoid),
         "the activations are swapped: which of the four uses a different function?"),
        (_reference_step(*args, c_from="h"),
         "c_t: the forget gate scales the previous cell state; you used h_{t-1} instead."),
        (_reference_step(*args, h_from="c_prev"),
         "h_t uses the old cell state c_{t-1}; it must use the new one."),
        (_reference_step(*args, h_from="h_prev"),
         "h_t: squash the new cell state, not h_{t-1}."),
        (_reference_step(*args, h_tanh=False),
         "h_t: the new cell state must be squashed before the output gate scales it."),
    ]
    return out


@checker
@keeps_rng
def check_lstm_step(fn):
    """Exercise 2.4: ``lstm_step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)``.

    Stacked weights as in ``nn.LSTMCell``; returns ``(h_next, c_next)``, each ``(N, H)``.
    """
    N, H_in, H = STEP_SIZES
    args = _step_data()
    try:
        result = call_on_clones(fn, *args)
    except RuntimeError as err:
        if matmul_error(err):
            return hint("a matrix product failed on the shapes: weight_ih is (4*hidden_size, "
                        "input_size), like nn.Linear's weight. Which way round must it "
                        "multiply x?")
        raise
    except ValueError as err:
        if "unpack" in str(err):
            return hint(f"unpacking failed ({err}): split the stacked gates into four "
                        "chunks along the last dimension.")
        raise
    bad = pair_hint(result, "(h_next, c_next)")
    if bad is not None:
        return bad
    x, h, c, w_ih, w_hh, b_ih, b_hh = args
    cell = with_weights(torch.nn.LSTMCell(H_in, H).double(), weight_ih=w_ih, weight_hh=w_hh,
                        bias_ih=b_ih, bias_hh=b_hh)
    with torch.no_grad():
        h_ok, c_ok = cell(x, (h, c))
    h_next, c_next = result
    if close(h_next, h_ok) and close(c_next, c_ok):
        return correct("your step matches nn.LSTMCell to rounding.")
    if close(h_next, c_ok) and close(c_next, h_ok):
        return hint("you return (c_next, h_next): nn.LSTMCell returns the hidden state first.")
    if h_next.shape != (N, H) or c_next.shape != (N, H):
        return hint(f"h_next and c_next have shape (N, H) = ({N}, {H}); got "
                    f"{format_shape(h_next.shape)} and {format_shape(c_next.shape)}. Did you "
                    f"split the {4 * H} stacked gate values into four chunks along dim 1?")
    found = first_match(result, _step_variants(args))
    if found:
        return hint(found)
    if close(c_next, c_ok):
        return hint("c_next is right, h_next is not: check the hidden-state equation.")
    return hint("the values differ from nn.LSTMCell: check one equation at a time (gate "
                "order, biases, activations, the cell state, then h).")
