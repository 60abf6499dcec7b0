"""Exercise checks of the two LSTM chapters (``02_lstm_cell``, ``03_nn_lstm``).

Each check compares the learner's answer with what PyTorch computes, then with the typical
wrong answers (a transposed weight, the gates read in the wrong order, a missing bias,
``h`` where ``c`` belongs, ``sigmoid`` for ``tanh``, ...), and names the mistake it
recognises without giving the answer away. A check never raises.
"""

import functools
import itertools
import numbers
import warnings

import torch

from ._core import call_learner_function, checker, correct, hint

GATE_ORDER = "ifgo"


# --------------------------------------------------------------------------- helpers


def _keeps_rng(fn):
    """Run a check without touching the notebook's random state (modules draw weights)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with torch.random.fork_rng(devices=[]):
            return fn(*args, **kwargs)

    return wrapper


def _as_shape(value):
    """``torch.Size``, tuple or list of ints -> tuple of ints; anything else -> None."""
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value
    ):
        return tuple(int(v) for v in value)
    return None


def _three_shapes(answer, names):
    """``(shapes, None)`` for a tuple of three shapes, else ``(None, hint)`` saying what's off."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return None, hint(f"give three shapes in a tuple: (shape of {names[0]}, shape of "
                          f"{names[1]}, shape of {names[2]}), each a tuple of ints such as (7, 2).")
    shapes = [_as_shape(a) for a in answer]
    for name, shape in zip(names, shapes, strict=True):
        if shape is None:
            return None, hint(f"the shape you gave for {name} is not a tuple of ints.")
    return shapes, None


def _fmt(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _close(a, b) -> bool:
    return (
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and torch.allclose(a.detach().double(), b.detach().double(), atol=1e-6, rtol=1e-5)
    )


def _call(fn, *args):
    """Call the learner's function on clones, so that in-place edits cannot spoil the check."""
    return call_learner_function(fn, *[a.clone() if isinstance(a, torch.Tensor) else a
                                       for a in args])


def _matmul_error(err: Exception) -> bool:
    text = str(err)
    return isinstance(err, RuntimeError) and (
        "cannot be multiplied" in text or "size mismatch" in text or "must match the size" in text
        or "shapes cannot" in text
    )


def _pair(result, names):
    """Check that ``result`` is a pair of tensors; return a hint otherwise."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return hint(f"return a pair {names} (a tuple of two tensors), got "
                    f"{type(result).__name__}.")
    if not all(isinstance(t, torch.Tensor) for t in result):
        kinds = ", ".join(type(t).__name__ for t in result)
        return hint(f"both items of {names} must be tensors, got ({kinds}).")
    return None


def _data(seed, *shapes):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=gen, dtype=torch.float64) for s in shapes]


def _reference_step(x, h, c, w_ih, w_hh, b_ih, b_hh, order=GATE_ORDER, use_b_ih=True,
                    use_b_hh=True, gate_act=torch.sigmoid, g_act=torch.tanh, c_from="c",
                    h_from="c_next", h_tanh=True):
    """One LSTM step with knobs for the typical mistakes; the defaults are ``nn.LSTMCell``.

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


def _first_match(result, variants):
    """The hint of the first variant whose outputs equal ``result`` (all tensors)."""
    for outputs, message in variants:
        if all(_close(r, v) for r, v in zip(result, outputs, strict=True)):
            return message
    return None


# ------------------------------------------------------------ chapter 02: the LSTM cell


CELL_INPUT_SIZE, CELL_HIDDEN_SIZE = 3, 5


@checker
@_keeps_rng
def check_cell_parameter_shapes(answer):
    """Exercise 2.1: shapes of ``weight_ih``, ``weight_hh``, ``bias_ih`` of ``nn.LSTMCell(3, 5)``.

    ``answer``: a tuple of three shapes (tuples or ``torch.Size``).
    """
    cell = torch.nn.LSTMCell(CELL_INPUT_SIZE, CELL_HIDDEN_SIZE)
    want = [tuple(cell.weight_ih.shape), tuple(cell.weight_hh.shape), tuple(cell.bias_ih.shape)]
    H, H_in = CELL_HIDDEN_SIZE, CELL_INPUT_SIZE
    shapes, problem = _three_shapes(answer, ("weight_ih", "weight_hh", "bias_ih"))
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
    return correct(f"weight_ih {_fmt(want[0])}, weight_hh {_fmt(want[1])}, bias_ih "
                   f"{_fmt(want[2])}: four gates of {H} rows stacked.")


@checker
@_keeps_rng
def check_forget_gate(fn):
    """Exercise 2.2: ``forget_gate(x, h_prev, W_if, W_hf, b_if, b_hf) -> f_t``.

    Shapes: ``x (N, H_in)``, ``h_prev (N, H)``, ``W_if (H, H_in)``, ``W_hf (H, H)``,
    ``b_if, b_hf (H,)``; ``f_t (N, H)``.
    """
    N, H_in, H = 2, 3, 4
    x, h, W_if, W_hf, b_if, b_hf = _data(1, (N, H_in), (N, H), (H, H_in), (H, H), (H,), (H,))
    try:
        f = _call(fn, x, h, W_if, W_hf, b_if, b_hf)
    except RuntimeError as err:
        if _matmul_error(err):
            return hint("a matrix product failed on the shapes: W_if is (hidden_size, "
                        "input_size), like nn.Linear's weight. Which way round must it "
                        "multiply x?")
        raise
    if not isinstance(f, torch.Tensor):
        return hint(f"return the gate as a tensor, got {type(f).__name__}.")
    if f.shape != (N, H):
        if f.shape == (H, N):
            return hint(f"f_t has one row per batch element: expected shape (N, H) = "
                        f"({N}, {H}), got {_fmt(f.shape)}.")
        return hint(f"f_t must have shape (N, H) = ({N}, {H}), got {_fmt(f.shape)}.")
    pre = x @ W_if.T + b_if + h @ W_hf.T + b_hf  # (N, H)
    if _close(f, torch.sigmoid(pre)):
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
    found = _first_match((f,), variants)
    if found:
        return hint(found)
    if _close(f, torch.relu(pre)):
        return hint("relu is not bounded by 1: check the activation function.")
    return hint("right shape, wrong values: compare your sum with the forget-gate equation "
                "term by term (two weights, two biases, one activation).")


@checker
@_keeps_rng
def check_new_state(fn):
    """Exercise 2.3: ``new_state(i, f, g, o, c_prev) -> (h_t, c_t)``; every tensor ``(N, H)``."""
    N, H = 2, 3
    zi, zf, zg, zo, c_prev = _data(2, (N, H), (N, H), (N, H), (N, H), (N, H))
    i, f, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
    c_prev = 2 * c_prev
    try:
        result = _call(fn, i, f, g, o, c_prev)
    except RuntimeError as err:
        if _matmul_error(err):
            return hint("a matrix product failed: the gates act unit by unit. Use the "
                        "elementwise (Hadamard) product, not a matrix product.")
        raise
    bad = _pair(result, "(h_t, c_t)")
    if bad is not None:
        return bad
    h_t, c_t = result
    c_ok = f * c_prev + i * g  # (N, H)
    h_ok = o * torch.tanh(c_ok)  # (N, H)
    if _close(h_t, h_ok) and _close(c_t, c_ok):
        return correct("c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t and h_t = o_t ⊙ tanh(c_t).")
    if _close(h_t, c_ok) and _close(c_t, h_ok):
        return hint("you return (c_t, h_t): nn.LSTMCell returns the hidden state first.")
    if h_t.shape != (N, H) or c_t.shape != (N, H):
        return hint(f"h_t and c_t have the shape of c_{{t-1}}, (N, H) = ({N}, {H}); got "
                    f"{_fmt(h_t.shape)} and {_fmt(c_t.shape)}.")
    if not _close(c_t, c_ok):
        message = _first_match((c_t,), [
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
    message = _first_match((h_t,), [
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
    return _data(3, (N, H_in), (N, H), (N, H), (4 * H, H_in), (4 * H, H), (4 * H,), (4 * H,))


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
@_keeps_rng
def check_lstm_step(fn):
    """Exercise 2.4: ``lstm_step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)``.

    Stacked weights as in ``nn.LSTMCell``; returns ``(h_next, c_next)``, each ``(N, H)``.
    """
    N, H_in, H = STEP_SIZES
    args = _step_data()
    try:
        result = _call(fn, *args)
    except RuntimeError as err:
        if _matmul_error(err):
            return hint("a matrix product failed on the shapes: weight_ih is (4*hidden_size, "
                        "input_size), like nn.Linear's weight. Which way round must it "
                        "multiply x?")
        raise
    except ValueError as err:
        if "unpack" in str(err):
            return hint(f"unpacking failed ({err}): split the stacked gates into four "
                        "chunks along the last dimension.")
        raise
    bad = _pair(result, "(h_next, c_next)")
    if bad is not None:
        return bad
    cell = torch.nn.LSTMCell(H_in, H).double()
    x, h, c, w_ih, w_hh, b_ih, b_hh = args
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                               (w_ih, w_hh, b_ih, b_hh), strict=True):
            getattr(cell, name).copy_(value)
        h_ok, c_ok = cell(x, (h, c))
    h_next, c_next = result
    if _close(h_next, h_ok) and _close(c_next, c_ok):
        return correct("your step matches nn.LSTMCell to rounding.")
    if _close(h_next, c_ok) and _close(c_next, h_ok):
        return hint("you return (c_next, h_next): nn.LSTMCell returns the hidden state first.")
    if h_next.shape != (N, H) or c_next.shape != (N, H):
        return hint(f"h_next and c_next have shape (N, H) = ({N}, {H}); got "
                    f"{_fmt(h_next.shape)} and {_fmt(c_next.shape)}. Did you split the "
                    f"{4 * H} stacked gate values into four chunks along dim 1?")
    found = _first_match(result, _step_variants(args))
    if found:
        return hint(found)
    if _close(c_next, c_ok):
        return hint("c_next is right, h_next is not: check the hidden-state equation.")
    return hint("the values differ from nn.LSTMCell: check one equation at a time (gate "
                "order, biases, activations, the cell state, then h).")


# ------------------------------------------------------------ chapter 03: nn.LSTM


@checker
@_keeps_rng
def check_h_n_shape(answer):
    """Exercise 3.1: the shape of ``h_n`` for ``nn.LSTM(10, 20, num_layers=2,
    bidirectional=True)`` on ``torch.ones(5, 3, 10)``."""
    shape = _as_shape(answer)
    if shape is None:
        return hint(f"give the shape as a tuple of ints, such as (7, 2), got "
                    f"{type(answer).__name__}.")
    lstm = torch.nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    with torch.no_grad():
        output, (h_n, _) = lstm(torch.ones(5, 3, 10))
    want = tuple(h_n.shape)
    if shape == want:
        return correct(f"h_n is {_fmt(want)}: D * num_layers = 4 final states, each "
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
@_keeps_rng
def check_proj_shapes(answer):
    """Exercise 3.2: ``(output, h_n, c_n)`` shapes of ``nn.LSTM(10, 20, batch_first=True,
    proj_size=5)`` on an input of shape ``(3, 7, 10)``."""
    shapes, problem = _three_shapes(answer, ("output", "h_n", "c_n"))
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
    return correct(f"output {_fmt(want[0])}, h_n {_fmt(want[1])}, c_n {_fmt(want[2])}: "
                   "h is projected to proj_size, c keeps hidden_size.")


def _initial_state_cases():
    """(description, lstm, input) configurations the learner's function must handle."""
    torch.manual_seed(0)  # the caller keeps the notebook's random state (_keeps_rng)
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
@_keeps_rng
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
        where = f"for {name} on an input of shape {_fmt(x.shape)}"
        result = _call(fn, lstm, x)
        bad = _pair(result, "(h0, c0)")
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
            return hint(f"{label} {where}: shape {_fmt(got)} is not what nn.LSTM expects. "
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
        h_next, c_next = _reference_step(x_t, h, c, w_ih, w_hh, b_ih, b_hh)
        hs.append(h_next if collect == "h" else c_next)
        h = h_next if carry_h else h0
        c = c_next if carry_c else c0
    output = torch.stack(hs)  # (L, N, H)
    if reverse:
        output = output.flip(0)
    return output, h_next, c_next


@checker
@_keeps_rng
def check_run_layer(fn):
    """Exercise 3.4: ``run_layer(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)``.

    One layer, one direction: ``x (L, N, H_in)``, ``h0, c0 (N, H)``; returns
    ``(output, (h_n, c_n))`` with ``output (L, N, H)`` and ``h_n, c_n (N, H)``.
    """
    L, N, H_in, H = RUN_SIZES
    args = _data(4, (L, N, H_in), (N, H), (N, H), (4 * H, H_in), (4 * H, H), (4 * H,), (4 * H,))
    result = _call(fn, *args)
    if (not isinstance(result, (tuple, list)) or len(result) != 2
            or not isinstance(result[1], (tuple, list))):
        return hint("return (output, (h_n, c_n)), the same structure as nn.LSTM.")
    output, state = result
    if not isinstance(output, torch.Tensor):
        return hint(f"output must be a tensor, got {type(output).__name__}.")
    bad = _pair(state, "(h_n, c_n)")
    if bad is not None:
        return bad
    h_n, c_n = state
    lstm = torch.nn.LSTM(H_in, H).double()
    x, h0, c0, w_ih, w_hh, b_ih, b_hh = args
    with torch.no_grad():
        for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                               (w_ih, w_hh, b_ih, b_hh), strict=True):
            getattr(lstm, name).copy_(value)
        out_ok, (h_ok, c_ok) = lstm(x, (h0[None], c0[None]))
    h_ok, c_ok = h_ok[0], c_ok[0]  # (N, H)
    if output.shape != (L, N, H):
        if output.shape in ((N, H), (1, N, H)):
            return hint("output must hold h_t for every time step, not only the last one.")
        if output.shape == (N, L, H):
            return hint("output has time first, like x: stack the steps along dim 0.")
        return hint(f"output must have shape (L, N, H) = ({L}, {N}, {H}), got "
                    f"{_fmt(output.shape)}.")
    if h_n.shape != (N, H) or c_n.shape != (N, H):
        return hint(f"h_n and c_n have the shape of h0, (N, H) = ({N}, {H}); got "
                    f"{_fmt(h_n.shape)} and {_fmt(c_n.shape)}.")
    if _close(output, out_ok) and _close(h_n, h_ok) and _close(c_n, c_ok):
        return correct("your loop matches a one-layer nn.LSTM to rounding.")
    if _close(output, out_ok) and _close(h_n, c_ok) and _close(c_n, h_ok):
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
    found = _first_match((output, h_n, c_n), variants)
    if found:
        return hint(found)
    if _close(output[-1], h_n) and not _close(output, out_ok):
        return hint("the loop runs, but the step values differ: test your step on its own "
                    "(Exercise 2.4 of the previous chapter).")
    return hint("output, h_n or c_n differ from nn.LSTM: is h_n the last entry of output, "
                "and c_n the last cell state?")
