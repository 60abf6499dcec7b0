"""Exercise checks of the sine-wave chapter (``book/06_sine_waves.ipynb``).

6.1 (recall) the shapes of data, input and target; 6.2 (recall) the test rows;
6.3 (understanding) the broadcasting trick that builds the time grid;
6.4 (building) the LBFGS closure; 6.5 (reasoning) how large can a prediction be?
6.6 (understanding) a sine is AR(2); 6.7 (reasoning) how a one-step error grows when the model
is fed its own output.
"""

import numpy as np
import torch
from torch import nn

from ._core import call_learner_function, checker, correct, hint

__all__ = [
    "check_ar2", "check_broadcast", "check_closure", "check_error_growth", "check_readout_bound",
    "check_shapes", "check_test_rows",
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
    from lstm_helpers.sine import load_states

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
    states = load_states("faithful")
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


_OMEGAS = (1 / 20, 0.3, 1.1, 2.0)


def _pair(value):
    """Two numbers from a tuple, list, array or tensor, else None."""
    try:
        values = [float(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]
    except (TypeError, ValueError):
        return None
    return values if len(values) == 2 else None


@checker
def check_ar2(ar2_coefficients):
    """Exercise 6.6: ``ar2_coefficients(omega)`` returns ``(a1, a2)`` with
    ``sin(omega (t + 1) + phi) = a1 sin(omega t + phi) + a2 sin(omega (t - 1) + phi)``."""
    for omega in _OMEGAS:
        got = _pair(call_learner_function(ar2_coefficients, omega))
        if got is None:
            return hint("return two numbers, (a1, a2).")
        a1, a2 = got
        want = (2 * np.cos(omega), -1.0)
        if abs(a1 - want[0]) < 1e-9 and abs(a2 - want[1]) < 1e-9:
            continue
        if abs(a1 - np.cos(omega)) < 1e-9:
            return hint("add sin(w(t+1)+phi) and sin(w(t-1)+phi) with the sum formula: the "
                        "cos(w) appears twice.")
        if abs(a1 - want[0]) < 1e-9 and abs(a2 - 1.0) < 1e-9:
            return hint("a1 is right; check the sign of a2 (x[t+1] + x[t-1] = a1 x[t]).")
        if abs(a1 - 2 * np.sin(omega)) < 1e-9:
            return hint("the sum formula gives cosines of w, not sines: "
                        "sin(a + b) + sin(a - b) = 2 sin(a) cos(b).")
        return hint(f"for omega = {omega:g} your coefficients ({a1:.4g}, {a2:.4g}) do not "
                    "continue a sine; use sin(a + b) + sin(a - b) = 2 sin(a) cos(b).")
    t = np.arange(200)
    x = np.sin(t / 20 + 0.3)
    a1, a2 = _pair(call_learner_function(ar2_coefficients, 1 / 20))
    err = np.max(np.abs(a1 * x[1:-1] + a2 * x[:-2] - x[2:]))
    return correct(f"x[t+1] = 2 cos(w) x[t] - x[t-1]: for the book's waves (w = 1/20) that is "
                   f"({a1:.6f}, {a2:g}), and it continues them to {err:.0e}. Two numbers, "
                   "whatever the phase: the recurrence a least-squares AR(2) fit finds.")


def _error_after(k, delta, omega):
    """Simulated: the exact AR(2) recurrence, started from a value off by delta."""
    e_prev, e = 0.0, float(delta)
    for _ in range(int(k)):
        e_prev, e = e, 2 * np.cos(omega) * e - e_prev
    return e


@checker
def check_error_growth(error_after):
    """Exercise 6.7: ``error_after(k, delta, omega)`` is the error ``k`` steps after a
    free-running AR(2) (the exact one of a sine with frequency ``omega``) was given one value
    off by ``delta``."""
    cases = [(k, d, w) for w in (1 / 20, 0.4) for d in (1e-3, -0.5) for k in (0, 1, 2, 7, 31,
                                                                           100, 1000)]
    got = {}
    for k, delta, omega in cases:
        try:
            got[k, delta, omega] = float(call_learner_function(error_after, k, delta, omega))
        except (TypeError, ValueError):
            return hint("return one number.")
    wrong = [c for c in cases
             if not abs(got[c] - _error_after(*c)) <= 1e-6 * max(abs(c[1]), abs(_error_after(*c)))]
    if wrong:
        later = [c for c in cases if c[0] > 1]

        def all_like(fn):
            return all(abs(got[c] - fn(*c)) <= 1e-9 * max(1.0, abs(fn(*c))) for c in later)

        if all_like(lambda k, d, w: d):
            return hint("the error does not stay put: the model reads its own wrong value, and "
                        "the next prediction inherits it (errors obey the same recurrence).")
        if all_like(lambda k, d, w: d * (2 * np.cos(w)) ** k):
            return hint("that keeps only the a1 term; the error two steps back counts too: "
                        "e[k+1] = 2 cos(w) e[k] - e[k-1], with e[0] = delta and e[-1] = 0.")
        if all_like(lambda k, d, w: d * k):
            return hint("the error does not grow linearly here: solve e[k+1] = 2 cos(w) e[k] "
                        "- e[k-1] with e[0] = delta, e[-1] = 0 (try e[k] = C sin((k+1) w)).")
        k, delta, omega = wrong[0]
        return hint(f"error_after({k}, {delta:g}, {omega:g}) should be "
                    f"{_error_after(k, delta, omega):.4g}, got {got[wrong[0]]:.4g}. The error "
                    "obeys the recurrence itself: e[k+1] = 2 cos(w) e[k] - e[k-1].")
    amp = 1 / np.sin(1 / 20)
    return correct(
        f"e[k] = delta sin((k + 1) w) / sin(w): an error neither dies out nor explodes, it "
        f"oscillates with up to {amp:.0f} times its size (w = 1/20). A model fed its own "
        "outputs never saw such errors in teacher-forced training: that is exposure bias.")
