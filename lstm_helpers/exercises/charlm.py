"""Checks for the exercises of chapter 9 (an LSTM that writes Python).

- :func:`check_windows_with_state`: run a model window by window, carrying the state.
- :func:`check_bits_per_char`: a summed loss in nats as bits per character.
- :func:`check_entropy_at_temperature`: the entropy, in bits, of sampling at temperature T.

Each returns a :class:`~lstm_helpers.exercises.Feedback` and never raises.
"""

from __future__ import annotations

import math

import torch

from .._checks import format_shape
from ..charlm.model import CharLM
from ._core import call_learner_function, checker, correct, hint

__all__ = [
    "check_bits_per_char", "check_entropy_at_temperature", "check_windows_with_state",
    "windows_setup",
]

DT = torch.float64


def windows_setup(seed: int = 0):
    """A small float64 ``CharLM`` (V = 7) in eval mode and ``ids`` (N = 2, L = 23)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = CharLM(7, 3, 5, dropout=0.0).to(DT).eval()
        ids = torch.randint(0, 7, (2, 23))
    return model, ids


def _windows(model, ids, bptt, carry=True):
    pieces, carried = [], None
    for start in range(0, ids.shape[1], bptt):
        piece, final = model(ids[:, start: start + bptt], carried if carry else None)
        carried = tuple(t.detach() for t in final)
        pieces.append(piece)
    return torch.cat(pieces, 1)


# Exercise 9.1 ----------------------------------------------------------------------------


@checker
def check_windows_with_state(answer):
    """Exercise 9.1: ``logits_in_windows(model, ids, bptt)``: the logits ``(N, L, V)`` of the
    whole ``ids`` computed ``bptt`` characters at a time, the state carried (and detached)."""
    if not callable(answer):
        return hint("write a function: def logits_in_windows(model, ids, bptt): ...")
    model, ids = windows_setup()
    with torch.no_grad():
        whole, _ = model(ids)
        got = call_learner_function(answer, model, ids, 5)
        if not isinstance(got, torch.Tensor):
            return hint(f"return one tensor of logits, got {type(got).__name__}: "
                        "torch.cat the windows' logits along dim=1.")
        if tuple(got.shape) != tuple(whole.shape):
            if got.dim() == 3 and got.size(1) == 20:
                return hint("the last window is shorter (23 = 4 x 5 + 3): range(0, L, bptt) "
                            "and ids[:, s:s+bptt] keep it.")
            if got.dim() == 3 and got.size(0) == 2 * 5:
                return hint("the windows are stacked along the batch: concatenate along "
                            "time, dim=1.")
            return hint(f"expected logits of shape {format_shape(whole.shape)} (N, L, V), got "
                        f"{format_shape(got.shape)}.")
        if torch.allclose(got.to(DT), whole, atol=1e-12):
            return correct("carried state: the windows give exactly the logits of one pass "
                           "over the whole text.")
        if torch.allclose(got.to(DT), _windows(model, ids, 5, carry=False), atol=1e-12):
            return hint("each window starts from a zero state: pass the state returned by "
                        "one window into the next (model(x, state)).")
    return hint("not quite: for s in range(0, L, bptt), run model(ids[:, s:s+bptt], state), "
                "keep the logits and the (detached) state.")


# Exercise 9.2 ----------------------------------------------------------------------------


@checker
def check_bits_per_char(answer):
    """Exercise 9.2: ``bpc(loss_sum_nats, n_chars)``: bits per character from a cross-entropy
    summed over ``n_chars`` characters, in nats (natural logarithms)."""
    if not callable(answer):
        return hint("write a function: def bpc(loss_sum_nats, n_chars): return ...")
    cases = [(693.147, 1000), (2000.0, 800), (1.0, 1)]
    wrongs = [
        (lambda s, n: s / n, "that is nats per character: one bit is ln 2 = 0.693 nats, "
         "divide by math.log(2)."),
        (lambda s, n: s * math.log(2) / n, "one bit is ln 2 nats, so a number of nats is "
         "worth 1 / ln 2 times as many bits: divide by ln 2, do not multiply."),
        (lambda s, n: s / math.log(2), "those are the bits of the whole text: divide by the "
         "number of characters too."),
        (lambda s, n: s / n / math.log(10), "ln 10 converts to decimal digits (bans); bits "
         "need ln 2."),
        (lambda s, n: math.log2(s / n), "the loss is already a logarithm: convert its unit "
         "(divide by ln 2), do not take another logarithm."),
    ]
    for s, n in cases:
        got = call_learner_function(answer, s, n)
        try:
            got = float(got)
        except (TypeError, ValueError):
            return hint(f"return a number, got {type(got).__name__}.")
        right = s / n / math.log(2)
        if not math.isclose(got, right, rel_tol=1e-6):
            for fn, message in wrongs:
                if math.isclose(got, fn(s, n), rel_tol=1e-6):
                    return hint(message)
            return hint(f"bpc({s}, {n}) should be the loss per character in bits; got {got:.4g}.")
    return correct("nats per character divided by ln 2: 0.693 nats per character is 1 bit.")


# Exercise 9.3 ----------------------------------------------------------------------------


def _entropy(logits, T):
    p = torch.softmax(logits.to(DT) / T, dim=-1)
    return float(-(p * torch.log2(p)).sum())


@checker
def check_entropy_at_temperature(answer):
    """Exercise 9.3: ``entropy_at(logits, T)``: the entropy in bits of ``softmax(logits / T)``
    (``logits`` is one step's ``(V,)`` scores, ``T > 0``)."""
    if not callable(answer):
        return hint("write a function: def entropy_at(logits, T): return ...")
    g = torch.Generator().manual_seed(9)
    logits = torch.randn(12, generator=g, dtype=DT) * 2
    for T in (0.5, 1.0, 2.0):
        got = call_learner_function(answer, logits.clone(), T)
        try:
            got = float(got)
        except (TypeError, ValueError):
            return hint(f"return a number (a float or a 0-d tensor), got {type(got).__name__}.")
        right = _entropy(logits, T)
        if math.isclose(got, right, rel_tol=1e-7):
            continue
        p_T = torch.softmax(logits / T, dim=-1)
        wrongs = [
            (_entropy(logits, 1 / T), "divide the logits by T (T > 1 flattens the "
             "distribution), do not multiply."),
            (float(-(p_T * torch.log(p_T)).sum()), "that is in nats (natural log): use torch.log2 "
             "for bits."),
            (float((p_T * torch.log2(p_T)).sum()), "the sign: entropy is -sum p log2 p, "
             "which is never negative."),
            (_entropy(logits, 1.0), "the temperature is not used: sample from "
             "softmax(logits / T)."),
            (float(-(torch.softmax(logits, -1) * torch.log2(torch.softmax(logits, -1))).sum()
                   / T), "T divides the logits inside the softmax, not the entropy."),
        ]
        for value, message in wrongs:
            if math.isclose(got, value, rel_tol=1e-7):
                return hint(message)
        return hint(f"at T = {T} the entropy should be about {right:.3g} bits, got {got:.4g}: "
                    "p = softmax(logits / T), then -sum p log2 p.")
    return correct("p = softmax(logits / T) and -sum p log2 p: higher T, flatter p, more bits.")
