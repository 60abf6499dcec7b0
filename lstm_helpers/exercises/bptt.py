"""Checks for the exercises of the chapter on backpropagation through time.

- :func:`check_forget_preactivation_grad`: write ``dz_f`` from ``dc``, ``c_prev`` and ``f``.
- :func:`check_cell_recursion`: write the gradient reaching ``c_t`` from both paths.
- :func:`check_truncated_training`: a truncated-BPTT loop that clips and detaches.
- :func:`check_seed_summary`: what a setting did over its seeds, runs that never solved the
  task included.

Each returns a :class:`~lstm_helpers.exercises.Feedback` and never raises.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import format_shape
from ._core import call_learner_function, checker, correct, hint

__all__ = [
    "check_cell_recursion", "check_forget_preactivation_grad", "check_seed_summary",
    "check_truncated_training",
    "reference_truncated_training", "truncated_setup",
]

DT = torch.float64


def _probe(seed, *shapes, positive=False):
    g = torch.Generator().manual_seed(seed)
    out = []
    for s in shapes:
        t = torch.rand(s, generator=g, dtype=DT) if positive else torch.randn(s, generator=g,
                                                                               dtype=DT)
        out.append(t)
    return out


def _as_tensor(value, shape, what):
    if not isinstance(value, torch.Tensor):
        return hint(f"{what} should return a tensor, got {type(value).__name__}.")
    if tuple(value.shape) != tuple(shape):
        return hint(f"{what} should return shape {tuple(shape)} (the shape of its inputs), "
                    f"got {format_shape(value.shape)}.")
    return None


def _close(a, b):
    return torch.allclose(a.to(DT), b, rtol=1e-9, atol=1e-12)


# Exercise 7.1 ----------------------------------------------------------------------------


@checker
def check_forget_preactivation_grad(answer):
    """Exercise 7.1: ``dz_f(dc, c_prev, f)``, the gradient of the forget gate's pre-activation.

    ``dc`` is all of the gradient reaching ``c_t``; ``f = sigma(z_f)``; ``c_t = f c_{t-1} + i g``.
    """
    if not callable(answer):
        return hint("write a function: def dz_f(dc, c_prev, f): return ...")
    dc, c_prev = _probe(1, (3, 4), (3, 4))
    (f,) = _probe(2, (3, 4), positive=True)
    got = call_learner_function(answer, dc, c_prev, f)
    bad = _as_tensor(got, (3, 4), "dz_f")
    if bad is not None:
        return bad
    right = dc * c_prev * f * (1 - f)
    if _close(got, right):
        return correct("dc * c_prev gives df, and sigma' = f (1 - f) takes it through the "
                       "sigmoid.")
    wrong = [
        (dc * c_prev, "that is df, the gradient of f itself; take it through the sigmoid: "
         "d sigma(z)/dz = sigma(z)(1 - sigma(z))."),
        (dc * f * (1 - f), "f multiplies c_prev in c_t = f * c_prev + i * g: df needs the "
         "factor c_prev."),
        (dc * c_prev * (1 - f), "sigma'(z) = sigma(z)(1 - sigma(z)): one factor f is missing."),
        (dc * c_prev * (1 - f**2), "1 - f**2 is tanh's derivative; f is a sigmoid."),
        (dc * f, "that is the gradient passed on to c_prev; the question asks for z_f."),
        (dc * c_prev * f, "sigma'(z) = sigma(z)(1 - sigma(z)): the factor (1 - f) is missing."),
    ]
    for value, message in wrong:
        if _close(got, value):
            return hint(message)
    return hint("not quite: go line by line, first df from c_t = f * c_prev + i * g, then "
                "through f = sigma(z_f).")


# Exercise 7.2 ----------------------------------------------------------------------------


@checker
def check_cell_recursion(answer):
    """Exercise 7.2: ``dc_t(dc_next, f_next, dh, o, c)``: all of the gradient reaching ``c_t``.

    ``dc_next``: all of the gradient reaching ``c_{t+1}`` (as ``lstm_cell_backward`` takes
    it); ``f_next``: the forget gate of step t+1;
    ``dh``: all of the gradient reaching ``h_t``; ``o``: the output gate of step t; ``c``: c_t.
    """
    if not callable(answer):
        return hint("write a function: def dc_t(dc_next, f_next, dh, o, c): return ...")
    dc_next, dh, c = _probe(3, (2, 5), (2, 5), (2, 5))
    f_next, o = _probe(4, (2, 5), (2, 5), positive=True)
    got = call_learner_function(answer, dc_next, f_next, dh, o, c)
    bad = _as_tensor(got, (2, 5), "dc_t")
    if bad is not None:
        return bad
    tanh_c = torch.tanh(c)
    direct, through_h = dc_next * f_next, dh * o * (1 - tanh_c**2)
    if _close(got, direct + through_h):
        return correct("two paths: through the forget gate of step t+1, and through "
                       "h_t = o * tanh(c_t).")
    wrong = [
        (direct, "that is only the direct path through the forget gate; c_t also reaches "
         "the loss through h_t = o * tanh(c_t)."),
        (through_h, "that is only the path through h_t; c_t also flows into c_{t+1} = "
         "f_{t+1} * c_t + ..."),
        (dc_next + through_h, "c_{t+1} = f_{t+1} * c_t + ...: the direct path is multiplied "
         "by f_{t+1}."),
        (direct + dh * o * (1 - c**2), "the derivative of tanh(c) is 1 - tanh(c)**2, not "
         "1 - c**2."),
        (direct + dh * o, "h_t = o * tanh(c_t): the path through h_t needs tanh's derivative."),
        (direct + dh * tanh_c, "that is the gradient of o; for c_t use o * (1 - tanh(c)**2)."),
    ]
    for value, message in wrong:
        if _close(got, value):
            return hint(message)
    return hint("not quite: add the two paths into c_t, one through c_{t+1}, one through h_t.")


# Exercise 7.3 ----------------------------------------------------------------------------


class _Net(nn.Module):
    """A small LSTM with a linear read-out at every step: ``(out, state) = net(x, state)``."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 6).double()
        self.head = nn.Linear(6, 1).double()

    def forward(self, x, state=None):
        out, state = self.lstm(x, state)  # (L, N, 6)
        return self.head(out), state  # (L, N, 1)


def truncated_setup(seed: int = 0):
    """A fresh ``(model, x, y, optimizer)`` for exercise 7.3: a 60-step sequence (batch 2)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = _Net()
    t = torch.arange(61, dtype=DT)[:, None, None] * 0.3  # (61, 1, 1)
    wave = torch.cat([torch.sin(t), torch.cos(0.5 * t)], dim=1)  # (61, 2, 1)
    x, y = wave[:-1], wave[1:]  # (60, 2, 1) each: predict the next value
    # a large learning rate and large gradients, so that clipping changes the result
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    return model, x, y, optimizer


def reference_truncated_training(model, x, y, chunk_len, opt, limit, *,
                                 clip=True, detach=True, carry=True, zero_grad=True):
    """The reference loop (and its typical mistakes, switched by the keyword flags)."""
    carried, chunk_losses = None, []
    for t0 in range(0, len(x), chunk_len):
        pred, new_state = model(x[t0:t0 + chunk_len], carried if carry else None)
        chunk_loss = (pred - y[t0:t0 + chunk_len]).pow(2).mean()
        if zero_grad:
            model.zero_grad()  # the optimiser holds exactly model.parameters()
        chunk_loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(list(model.parameters()), limit)
        opt.step()
        carried = tuple(t.detach() for t in new_state) if detach else new_state
        chunk_losses.append(chunk_loss.detach().item())
    return chunk_losses


def _params_after(fn, **flags):
    model, x, y, opt = truncated_setup()
    if fn is None:
        reference_truncated_training(model, x, y, 10, opt, 0.1, **flags)
    else:
        call_learner_function(fn, model, x, y, 10, opt, 0.1)
    return torch.cat([p.detach().flatten() for p in model.parameters()])


@checker
def check_truncated_training(answer):
    """Exercise 7.3: ``train_truncated(model, x, y, chunk_len, optimizer, max_norm)``.

    It trains on chunks of ``chunk_len`` steps and returns the list of the chunks' losses.
    """
    if not callable(answer):
        return hint("write a function: def train_truncated(model, x, y, chunk_len, optimizer, "
                    "max_norm): ...")
    try:
        got = _params_after(answer)
    except RuntimeError as err:
        if "backward through the graph a second time" in str(err):
            return hint("PyTorch says: 'Trying to backward through the graph a second time'. "
                        "Detach the state you carry to the next chunk.")
        raise
    except NotImplementedError:
        raise
    if torch.allclose(got, _params_after(None), rtol=1e-9, atol=1e-12):
        return correct("zero the gradients, backward, clip, step, and carry a detached state.")
    cases = [
        (dict(clip=False), "the parameters are those of a loop without clipping: call "
         "nn.utils.clip_grad_norm_(model.parameters(), max_norm) after backward(), before "
         "step()."),
        (dict(carry=False), "the state is not carried: pass the (detached) state of one chunk "
         "to the next."),
        (dict(zero_grad=False), "the gradients add up from chunk to chunk: call "
         "optimizer.zero_grad() before each backward()."),
    ]
    for flags, message in cases:
        if torch.allclose(got, _params_after(None, **flags), rtol=1e-9, atol=1e-12):
            return hint(message)
    unchanged = torch.cat([p.detach().flatten() for p in truncated_setup()[0].parameters()])
    if torch.equal(got, unchanged):
        return hint("the parameters did not change: call optimizer.step() after each chunk.")
    return hint("not quite: per chunk, forward from the carried state, loss (mean squared "
                "error), zero_grad, backward, clip_grad_norm_, step, then detach the state.")


# Exercise 7.4 ----------------------------------------------------------------------------

#: Probes: sequences to the stop rule per seed; ``None``: the stop rule never held.
_SEED_PROBES = [
    [25_648, 20_384, 16_448, 17_920, 19_552],
    [None, 41_000, None, 12_000, None],
    [30_000, None, 10_000, 20_000],
    [None, None, None],
]


def _reference_summary(values):
    met = sorted(filter(lambda v: v is not None, values))
    out = {"median": None, "low": None, "high": None, "solved": len(met), "runs": len(values)}
    if met:
        half = len(met) // 2
        out["median"] = met[half] if len(met) % 2 else (met[half - 1] + met[half]) / 2
        out["low"], out["high"] = met[0], met[-1]
    return out


@checker
def check_seed_summary(answer):
    """Exercise 7.4: ``seed_summary(values)``: ``median``, ``low``, ``high`` of the runs that
    solved the task, how many ``solved``, and how many ``runs`` there were (``None``: the
    stop rule never held; no solved run: ``None`` for the three numbers)."""
    if not callable(answer):
        return hint("write a function: def seed_summary(values): return {...}")
    keys = {"median", "low", "high", "solved", "runs"}
    for values in _SEED_PROBES:
        got = call_learner_function(answer, list(values))
        if not isinstance(got, dict):
            return hint(f"seed_summary should return a dict with the keys {sorted(keys)}, got "
                        f"{type(got).__name__}.")
        if set(got) != keys:
            return hint(f"the dict needs exactly the keys {sorted(keys)}, got {sorted(got)}.")
        want = _reference_summary(values)
        if got == want:
            continue
        done = [v for v in values if v is not None]
        if got["runs"] != want["runs"]:
            return hint(f"runs counts every seed, solved or not: {len(values)} for {values}.")
        if got["solved"] != want["solved"]:
            return hint(f"solved counts the runs whose value is not None: {want['solved']} "
                        f"for {values}.")
        if done and got["median"] == sum(done) / len(done) != want["median"]:
            return hint("that is the mean; the summary reports the median, which one lucky or "
                        "unlucky seed cannot drag.")
        filled = sorted(0 if v is None else v for v in values)
        if got["low"] == 0 or got["low"] == filled[0] != want["low"]:
            return hint("a run that never solved the task has no count: leave it out of the "
                        "median and the range (it is counted in runs, not in solved).")
        return hint(f"not quite: for {values} expected {want}, got {got}.")
    return correct("median [low-high] over the solved runs, and how many of all runs solved "
                   "it: the shape of every claim in this chapter.")
