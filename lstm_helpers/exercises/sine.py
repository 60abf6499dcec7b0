"""Exercise checks of the sine-wave chapter (``book/06_sine_waves.ipynb``).

6.1 (recall) the shapes of data, input and target; 6.2 (recall) the test rows;
6.3 (understanding) the broadcasting trick that builds the time grid;
6.4 (building) the LBFGS closure; 6.5 (reasoning) how large can a prediction be?
"""

import numpy as np
import torch
from torch import nn

from ._core import call_learner_function, checker, correct, hint

__all__ = [
    "check_broadcast", "check_closure", "check_readout_bound", "check_shapes", "check_test_rows",
]

_NAMES = ("data", "input", "target")
_EXPECTED = {"data": (100, 1000), "input": (97, 999), "target": (97, 999)}


def _as_shape(value):
    """A shape as a tuple of ints, or None when it is not one."""
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        return tuple(int(v) for v in value)
    return None


@checker
def check_shapes(answer):
    """Exercise 6.1: ``answer = {"data": (..), "input": (..), "target": (..)}``."""
    if not isinstance(answer, dict):
        return hint('answer with a dict: {"data": (rows, columns), "input": ..., "target": ...}.')
    missing = [k for k in _NAMES if k not in answer]
    if missing:
        return hint(f"the dict needs the keys 'data', 'input' and 'target'; missing: {missing}.")
    shapes = {k: _as_shape(answer[k]) for k in _NAMES}
    for k in _NAMES:
        if shapes[k] is None or len(shapes[k]) != 2:
            return hint(f"'{k}' should be a shape with two numbers, like (rows, columns); "
                        f"got {answer[k]!r}.")
    if shapes["data"] != _EXPECTED["data"]:
        if shapes["data"] == (1000, 100):
            return hint("'data': rows are waves and columns are time steps; you swapped them.")
        return hint("'data': count the waves (N) and the samples per wave (L).")
    for k in ("input", "target"):
        rows, cols = shapes[k]
        if (cols, rows) == _EXPECTED[k]:
            return hint(f"'{k}': still one row per wave, one column per time step; swapped.")
        if rows == 100:
            return hint(f"'{k}': the first rows are kept aside for testing; "
                        "training uses the rest.")
        if rows != 97:
            return hint(f"'{k}': how many rows are left after taking away the test rows?")
        if cols == 1000:
            return hint(f"'{k}': input and target are the data shifted by one step against each "
                        "other, so each loses one column.")
        if cols != 999:
            return hint(f"'{k}': the number of columns is off; one column is lost, not more.")
    return correct("100 waves of 1000 samples; input and target are 97 training waves, "
                   "shifted by one step: 999 columns each.")


@checker
def check_test_rows(answer):
    """Exercise 6.2: the row indices of the test set (a list, range or array of ints)."""
    if isinstance(answer, (str, bytes, dict)) or np.ndim(answer) == 0 and not isinstance(
        answer, (range, slice)
    ):
        return hint("answer with the row numbers, for example a list [a, b, c] or a range.")
    if isinstance(answer, slice):
        answer = range(*answer.indices(100))
    try:
        rows = sorted(int(r) for r in np.asarray(list(answer)).ravel())
    except (TypeError, ValueError):
        return hint("answer with whole row numbers, for example a list [a, b, c] or a range.")
    if rows == [0, 1, 2]:
        return correct("rows 0, 1 and 2: data[:3] is the test set, data[3:] the training set.")
    if rows == [1, 2, 3]:
        return hint("Python counts from 0: which index does data[:3] start at?")
    if rows == [97, 98, 99]:
        return hint("three rows is right, but look again at which end train.py slices them from.")
    if len(rows) == 97:
        return hint("those are the training rows; the test set is the rest.")
    if len(rows) != 3:
        return hint(f"you gave {len(rows)} rows; look at how many rows data[:3] holds.")
    return hint("look at the slices in train.py: test_input = data[:3, :-1].")


@checker
def check_broadcast(fn):
    """Exercise 6.3: ``time_grid(L, shifts)`` returns ``x[n, t] = t + shifts[n]``, shape (N, L)."""
    shifts = np.array([-5, 0, 7])
    try:
        got = call_learner_function(fn, 4, shifts.copy())
    except (ValueError, RuntimeError) as err:
        if "broadcast" not in str(err) and "must match the size" not in str(err):
            raise
        return hint("the shapes (L,) and (N,) do not broadcast: give the shifts a trailing "
                    "axis of length 1, shape (N, 1), so they line up with the rows.")
    got = np.asarray(got)
    want = np.arange(4) + shifts.reshape(3, 1)  # (4,) + (3, 1) -> (3, 4)
    if got.shape == (4, 3) and np.array_equal(got, want.T):
        return hint("right numbers, wrong layout: one row per wave (N, L), not (L, N). Which "
                    "operand needs the extra axis of length 1?")
    if got.shape != want.shape:
        return hint(f"with L=4 and 3 shifts the grid should have shape (3, 4), got {got.shape}: "
                    "give the shifts a trailing axis of length 1 so they broadcast over time.")
    if np.array_equal(got, np.arange(4) * shifts.reshape(3, 1)) and not np.array_equal(got, want):
        return hint("the shift is added to the time index, not multiplied.")
    if not np.array_equal(got, want):
        return hint("row n should be 0, 1, ..., L-1 each plus shifts[n]; check one row by hand.")
    for L, n in ((1, 1), (7, 5)):
        s = np.arange(n) * 3 - 4
        if not np.array_equal(np.asarray(call_learner_function(fn, L, s.copy())),
                              np.arange(L) + s.reshape(n, 1)):
            return hint(f"correct for the example but not for L={L} and {n} shifts: avoid "
                        "hard-coded sizes.")
    return correct("arange(L) of shape (L,) plus shifts of shape (N, 1) broadcasts to (N, L).")


class _Tiny(nn.Module):
    """A small stand-in model for checking closures quickly."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1, dtype=torch.float64)

    def forward(self, x):
        return self.linear(x).squeeze(-1)


def _setup():
    gen = torch.Generator().manual_seed(0)
    model = _Tiny()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
    x = torch.randn(8, 3, generator=gen, dtype=torch.float64)  # (8, 3)
    y = torch.randn(8, generator=gen, dtype=torch.float64)  # (8,)
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.8)
    return model, optimizer, nn.MSELoss(), x, y


@checker
def check_closure(make_closure):
    """Exercise 6.4: ``make_closure(model, optimizer, criterion, input, target)`` returns the
    closure LBFGS needs."""
    model, optimizer, criterion, x, y = _setup()
    closure = call_learner_function(make_closure, model, optimizer, criterion, x, y)
    if not callable(closure):
        return hint(f"make_closure should return a function (the closure), got "
                    f"{type(closure).__name__}.")
    want = criterion(model(x), y)
    want_grads = torch.autograd.grad(want, list(model.parameters()))
    loss = closure()
    if loss is None:
        return hint("the closure must return the loss (LBFGS reads it).")
    if not torch.is_tensor(loss):
        if isinstance(loss, (float, int)) and abs(float(loss) - want.item()) < 1e-9:
            return hint("return the loss tensor itself, not a Python number (.item()).")
        return hint(f"the closure should return the loss tensor, got {type(loss).__name__}.")
    if loss.numel() != 1 or abs(loss.item() - want.item()) > 1e-9 * max(1.0, want.item()):
        return hint("the returned loss is not criterion(model(input), target).")
    grads = [p.grad for p in model.parameters()]
    if any(g is None for g in grads) or all(float(g.abs().sum()) == 0 for g in grads):
        return hint("no gradients after the closure: call loss.backward() before returning.")
    if not all(torch.allclose(g, w) for g, w in zip(grads, want_grads, strict=True)):
        return hint("the gradients are off: back-propagate the loss you return, once.")
    closure()
    grads = [p.grad for p in model.parameters()]
    if not all(torch.allclose(g, w) for g, w in zip(grads, want_grads, strict=True)):
        return hint("a second call doubles the gradients: zero them first "
                    "(optimizer.zero_grad()), as LBFGS calls the closure many times.")
    model, optimizer, criterion, x, y = _setup()
    before = criterion(model(x), y).item()
    optimizer.step(call_learner_function(make_closure, model, optimizer, criterion, x, y))
    after = criterion(model(x), y).item()
    if not after < before:
        return hint("with your closure one LBFGS step did not lower the loss; check the sign "
                    "and what you differentiate.")
    return correct("zero the gradients, forward, loss, backward, return the loss: one LBFGS "
                   f"step took this small problem's loss from {before:.3f} to {after:.3f}.")


def _bound_models():
    """Small Sequence models with varied read-outs (float64), seeded, for checking bounds."""
    from lstm_helpers.sine import Sequence

    gen = torch.Generator().manual_seed(6)
    models = []
    for hidden, scale, bias in ((3, 1.0, 0.5), (5, 10.0, -2.0), (4, 0.1, 0.0), (7, 3.0, -7.5)):
        torch.manual_seed(hidden)
        model = Sequence(hidden_size=hidden, dtype=torch.float64)
        with torch.no_grad():
            w = torch.randn(1, hidden, generator=gen, dtype=torch.float64) * scale
            model.linear.weight.copy_(w)  # (1, H)
            model.linear.bias.fill_(bias)
        models.append(model)
    return models


def _as_float(value):
    if torch.is_tensor(value):
        if value.numel() != 1:
            raise ValueError
        return float(value.detach())
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ValueError
    return float(value)


@checker
def check_readout_bound(readout_bound):
    """Exercise 6.5: ``readout_bound(model)`` returns the smallest number that bounds every
    prediction ``|y_hat|`` of a :class:`lstm_helpers.sine.Sequence`, whatever its input."""
    from lstm_helpers.sine import DATA_DIR

    for model in _bound_models():
        try:
            with torch.no_grad():  # a bound needs no gradients
                got = _as_float(call_learner_function(readout_bound, model))
        except ValueError:
            return hint("return one number (a float or a 0-d tensor).")
        w = model.linear.weight.detach()[0]  # (H,)
        b = float(model.linear.bias.detach()[0])
        want = float(w.abs().sum()) + abs(b)
        if abs(got - want) <= 1e-9 * want:
            continue
        if abs(got - (float(w.abs().sum()))) <= 1e-9 * want:
            return hint("the bias b is added to every prediction: it belongs in the bound too.")
        l2 = (float(w.norm()) + abs(b), float(torch.cat([w, w.new_tensor([b])]).norm()))
        if any(abs(got - v) <= 1e-9 * want for v in l2):
            return hint("the L2 norm of w is not the worst case: with every h_j in (-1, 1), "
                        "which h makes w.h largest?")
        if abs(got - abs(float(w.sum()) + b)) <= 1e-9 * want:
            return hint("weights of opposite sign do not cancel in the worst case: h_j can take "
                        "the sign of w_j.")
        if got < want:
            return hint("too small: some hidden state gives a larger |y_hat|. Each h_j can be "
                        "as close to +1 or -1 as it likes.")
        return hint("a bound, but not the smallest one: h = o * tanh(c) lies in (-1, 1), and "
                    "every h in that box can be approached.")
    states = torch.load(DATA_DIR / "faithful_states.pt", weights_only=True)
    from lstm_helpers.sine import Sequence

    bounds = {}
    for step in (4, 5):
        model = Sequence(dtype=torch.float64)
        model.load_state_dict(states[step])
        with torch.no_grad():
            bounds[step] = _as_float(call_learner_function(readout_bound, model))
    return correct(
        "|y_hat| = |w.h + b| <= sum|w_j| + |b|, since every h_j = o_j tanh(c_j) lies in (-1, 1). "
        f"For the official run: {bounds[4]:.3g} after step 4, {bounds[5]:.3g} after step 5. "
        "The state cannot explode; only parameters can."
    )
