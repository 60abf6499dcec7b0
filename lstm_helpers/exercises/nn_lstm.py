"""Exercise checks of the ``nn.LSTM`` chapter (``03_nn_lstm``).

Each check compares the learner's answer with what PyTorch computes, then with the typical
wrong answers, and names the mistake it recognises without giving the answer away. A check
never raises.
"""

import warnings

import torch

from .._checks import format_shape
from ..lstm import lstm_cell
from ._core import checker, correct, hint
from ._helpers import (
    call_on_clones,
    close,
    first_match,
    keeps_rng,
    pair_hint,
    random_data,
    shape_or_none,
    three_shapes,
    with_weights,
)


@checker
@keeps_rng
def check_h_n_shape(answer):
    """Exercise 3.1: the shape of ``h_n`` for ``nn.LSTM(10, 20, num_layers=2,
    bidirectional=True)`` on ``torch.ones(5, 3, 10)``."""
    shape = shape_or_none(answer)
    if shape is None:
        return hint(f"give the shape as a tuple of ints, such as (7, 2), got "
                    f"{type(answer).__name__}.")
    lstm = torch.nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    with torch.no_grad():
        output, (h_n, _) = lstm(torch.ones(5, 3, 10))
    want = tuple(h_n.shape)
    if shape == want:
        return correct(f"h_n is {format_shape(want)}: D * num_layers = 4 final states, each "
                       "(N, H_out).")
    if shape in (tuple(output.shape), (5, 3, 20)):
        return hint("that is output's shape: one entry per time step. h_n holds only each "
                    "layer's last state.")
    if shape == (2, 3, 20):
        return hint("bidirectional: each layer runs in two directions, and each direction "
                    "ends with its own final state.")
    if shape in ((2, 3, 40), (1, 3, 40)):
        return hint("h_n keeps the two directions apart (only output concatenates them "
                    "along the features).")
    if shape in ((3, 4, 20), (3, 2, 20)):
        return hint("h_n's batch dimension is never the first one (and batch_first is False "
                    "here anyway).")
    if len(shape) == 2:
        return hint("the input is batched (3-D), so h_n keeps a batch dimension.")
    if len(shape) == 3 and shape[1:] == (3, 20):
        return hint("the first dimension counts final states: one per layer and direction.")
    return hint("not that shape: h_n is (number of final states, batch, hidden features). "
                "Look again at the shape table.")


@checker
@keeps_rng
def check_proj_shapes(answer):
    """Exercise 3.2: ``(output, h_n, c_n)`` shapes of ``nn.LSTM(10, 20, batch_first=True,
    proj_size=5)`` on an input of shape ``(3, 7, 10)``."""
    shapes, problem = three_shapes(answer, ("output", "h_n", "c_n"))
    if problem is not None:
        return problem
    lstm = torch.nn.LSTM(10, 20, batch_first=True, proj_size=5)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections")
        output, (h_n, c_n) = lstm(torch.zeros(3, 7, 10))
    want = [tuple(output.shape), tuple(h_n.shape), tuple(c_n.shape)]
    out, hn, cn = shapes
    if out != want[0]:
        if out == (3, 7, 20):
            return hint("output: with proj_size, every h_t is projected before it is "
                        "returned.")
        if out in ((7, 3, 5), (7, 3, 20)):
            return hint("output: batch_first=True applies to the input and to output.")
        return hint("output: not that shape. It has one entry per batch element and time "
                    "step.")
    if hn != want[1]:
        if hn == (1, 3, 20):
            return hint("h_n: the hidden state is projected, at every step and at the end.")
        if hn in ((3, 1, 5), (3, 1, 20)):
            return hint("h_n: batch_first does not apply to h_n and c_n.")
        if len(hn) == 2:
            return hint("h_n keeps a first dimension for the layers and directions, even "
                        "when there is only one.")
        return hint("h_n: not that shape.")
    if cn != want[2]:
        if cn == (1, 3, 5):
            return hint("c_n: the cell state is never projected.")
        if cn in ((3, 1, 20), (3, 1, 5)):
            return hint("c_n: batch_first does not apply to h_n and c_n.")
        return hint("c_n: not that shape.")
    shown = [format_shape(shape) for shape in want]
    return correct(f"output {shown[0]}, h_n {shown[1]}, c_n {shown[2]}: "
                   "h is projected to proj_size, c keeps hidden_size.")


def _initial_state_cases():
    """(description, lstm, input) configurations the learner's function must handle."""
    torch.manual_seed(0)  # the caller keeps the notebook's random state (keeps_rng)
    return [
        ("nn.LSTM(4, 6)", torch.nn.LSTM(4, 6), torch.randn(5, 2, 4)),
        ("nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)",
         torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True),
         torch.randn(2, 5, 4)),
        ("nn.LSTM(4, 6, proj_size=3, bidirectional=True)",
         torch.nn.LSTM(4, 6, proj_size=3, bidirectional=True), torch.randn(5, 2, 4)),
        ("nn.LSTM(4, 6).double()", torch.nn.LSTM(4, 6).double(),
         torch.randn(5, 2, 4, dtype=torch.float64)),
        ("nn.LSTM(4, 6, num_layers=2, batch_first=True) on an unbatched input",
         torch.nn.LSTM(4, 6, num_layers=2, batch_first=True), torch.randn(5, 4)),
    ]


@checker
@keeps_rng
def check_initial_state(fn):
    """Exercise 3.3: ``initial_state(lstm, x) -> (h0, c0)``, zeros nn.LSTM accepts for ``x``.

    Tried on several ``nn.LSTM`` configurations: layers, directions, ``proj_size``,
    ``batch_first``, ``double``, an unbatched input.
    """
    for name, lstm, x in _initial_state_cases():
        D = 2 if lstm.bidirectional else 1
        H_out = lstm.proj_size or lstm.hidden_size
        batched = x.dim() == 3
        N = (x.shape[0] if lstm.batch_first else x.shape[1]) if batched else None
        lead = (D * lstm.num_layers, N) if batched else (D * lstm.num_layers,)
        want_h, want_c = lead + (H_out,), lead + (lstm.hidden_size,)
        where = f"for {name} on an input of shape {format_shape(x.shape)}"
        result = call_on_clones(fn, lstm, x)
        bad = pair_hint(result, "(h0, c0)")
        if bad is not None:
            return bad
        h0, c0 = result
        for label, t, want, size in (("h0", h0, want_h, H_out),
                                     ("c0", c0, want_c, lstm.hidden_size)):
            got = tuple(t.shape)
            if got == want:
                continue
            if batched and got == (N, D * lstm.num_layers, size):
                return hint(f"{label} {where}: batch_first does not apply to h0 and c0.")
            if not batched and len(got) == 3:
                return hint(f"{label} {where}: an unbatched (2-D) input takes states "
                            "without a batch dimension.")
            if D == 2 and got[0] == lstm.num_layers and got[1:] == want[1:]:
                return hint(f"{label} {where}: a bidirectional LSTM needs one state per "
                            "layer and per direction.")
            if lstm.proj_size and got[:-1] == want[:-1]:
                if label == "h0" and got[-1] == lstm.hidden_size:
                    return hint(f"h0 {where}: with proj_size, the hidden state has the "
                                "projected size.")
                if label == "c0" and got[-1] == lstm.proj_size:
                    return hint(f"c0 {where}: the cell state is never projected.")
            return hint(f"{label} {where}: shape {format_shape(got)} is not what nn.LSTM expects. "
                        "Count the states (layers, directions), the batch, the features.")
        for label, t in (("h0", h0), ("c0", c0)):
            if t.dtype != x.dtype:
                return hint(f"{label} {where} is {t.dtype}, the input {x.dtype}: nn.LSTM "
                            "needs the states in the input's dtype.")
            if t.count_nonzero() != 0:
                return hint(f"{label} {where}: start from zeros, as nn.LSTM does when no "
                            "state is given.")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="LSTM with projections")
            lstm(x, (h0, c0))
    return correct("your states fit every configuration tried: layers, directions, "
                   "proj_size, batch_first, double and an unbatched input.")


RUN_SIZES = (6, 2, 3, 4)  # L, N, H_in, H


def _run_variant(x, h0, c0, w_ih, w_hh, b_ih, b_hh, carry_h=True, carry_c=True,
                 reverse=False, collect="h"):
    h, c = h0, c0
    hs = []
    steps = x.flip(0).unbind(0) if reverse else x.unbind(0)
    for x_t in steps:
        h_next, c_next = lstm_cell(x_t, (h, c), w_ih, w_hh, b_ih, b_hh)  # (N, H) each
        hs.append(h_next if collect == "h" else c_next)
        h = h_next if carry_h else h0
        c = c_next if carry_c else c0
    output = torch.stack(hs)  # (L, N, H)
    if reverse:
        output = output.flip(0)
    return output, h_next, c_next


@checker
@keeps_rng
def check_run_layer(fn):
    """Exercise 3.4: ``run_layer(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)``.

    One layer, one direction: ``x (L, N, H_in)``, ``h0, c0 (N, H)``; returns
    ``(output, (h_n, c_n))`` with ``output (L, N, H)`` and ``h_n, c_n (N, H)``.
    """
    L, N, H_in, H = RUN_SIZES
    args = random_data(4, (L, N, H_in), (N, H), (N, H), (4 * H, H_in), (4 * H, H), (4 * H,),
                       (4 * H,))
    result = call_on_clones(fn, *args)
    if (not isinstance(result, (tuple, list)) or len(result) != 2
            or not isinstance(result[1], (tuple, list))):
        return hint("return (output, (h_n, c_n)), the same structure as nn.LSTM.")
    output, state = result
    if not isinstance(output, torch.Tensor):
        return hint(f"output must be a tensor, got {type(output).__name__}.")
    bad = pair_hint(state, "(h_n, c_n)")
    if bad is not None:
        return bad
    h_n, c_n = state
    x, h0, c0, w_ih, w_hh, b_ih, b_hh = args
    lstm = with_weights(torch.nn.LSTM(H_in, H).double(), weight_ih_l0=w_ih, weight_hh_l0=w_hh,
                        bias_ih_l0=b_ih, bias_hh_l0=b_hh)
    with torch.no_grad():
        out_ok, (h_ok, c_ok) = lstm(x, (h0[None], c0[None]))
    h_ok, c_ok = h_ok[0], c_ok[0]  # (N, H)
    if output.shape != (L, N, H):
        if output.shape in ((N, H), (1, N, H)):
            return hint("output must hold h_t for every time step, not only the last one.")
        if output.shape == (N, L, H):
            return hint("output has time first, like x: stack the steps along dim 0.")
        return hint(f"output must have shape (L, N, H) = ({L}, {N}, {H}), got "
                    f"{format_shape(output.shape)}.")
    if h_n.shape != (N, H) or c_n.shape != (N, H):
        return hint(f"h_n and c_n have the shape of h0, (N, H) = ({N}, {H}); got "
                    f"{format_shape(h_n.shape)} and {format_shape(c_n.shape)}.")
    if close(output, out_ok) and close(h_n, h_ok) and close(c_n, c_ok):
        return correct("your loop matches a one-layer nn.LSTM to rounding.")
    if close(output, out_ok) and close(h_n, c_ok) and close(c_n, h_ok):
        return hint("you return (c_n, h_n): the hidden state comes first.")
    variants = [
        (_run_variant(*args, carry_h=False, carry_c=False),
         "every step starts again from h0 and c0: carry the state from step to step."),
        (_run_variant(*args, carry_c=False),
         "h is carried from step to step, but the cell state is not."),
        (_run_variant(*args, carry_h=False),
         "the cell state is carried from step to step, but h is not."),
        (_run_variant(*args, collect="c"),
         "output collects the cell states: it should collect the hidden states."),
        (_run_variant(*args, reverse=True),
         "you run the sequence backwards: a forward layer starts at t = 0."),
    ]
    found = first_match((output, h_n, c_n), variants)
    if found:
        return hint(found)
    if close(output[-1], h_n) and not close(output, out_ok):
        return hint("the loop runs, but the step values differ: test your step on its own "
                    "(Exercise 2.4 of the previous chapter).")
    return hint("output, h_n or c_n differ from nn.LSTM: is h_n the last entry of output, "
                "and c_n the last cell state?")
