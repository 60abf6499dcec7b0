"""The sweeps behind chapter 4's saturation figure and widget: a probe input, an initialised
LSTM, and the share of saturated gates as the weights are scaled up.

(The chapter's training experiment, the "remember the first input" task, is an application
of its own: :mod:`lstm_helpers.firstinput`.)
"""

from __future__ import annotations

import torch
from torch import nn

from lstm_helpers._checks import check_int
from lstm_helpers.lstm import GATES

from .diagnostics import saturation
from .schemes import init_lstm_


def probe_input(input_size: int, seq_len: int, batch_size: int = 16, *, seed: int = 0):
    """A fixed random sequence ``(L, N, H_in)`` of standard normal features, to probe an LSTM."""
    input_size = check_int("input_size", input_size)
    seq_len = check_int("seq_len", seq_len)
    batch_size = check_int("batch_size", batch_size)
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(seq_len, batch_size, input_size, generator=gen)  # (L, N, H_in)


def make_lstm(
    input_size: int,
    hidden_size: int,
    scheme: str = "pytorch",
    *,
    factor: float | None = None,
    seed: int = 0,
    **kwargs,
) -> nn.LSTM:
    """A ``torch.nn.LSTM(input_size, hidden_size, **kwargs)`` initialised with ``scheme``.

    The scheme's draws come from a generator seeded with ``seed``, so the result does not
    depend on (or change) the global random state.
    """
    module = nn.LSTM(input_size, check_int("hidden_size", hidden_size), **kwargs)
    return init_lstm_(
        module, scheme, factor=factor, generator=torch.Generator().manual_seed(seed)
    )


def saturation_sweep(
    factors,
    *,
    input_size: int = 32,
    hidden_size: int = 64,
    seq_len: int = 100,
    batch_size: int = 16,
    tol: float = 0.05,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Share of saturated gates for ``scaled`` initialisations, one value per factor.

    Returns ``{"i": [...], "f": [...], "g": [...], "o": [...], "all": [...]}``, each list
    aligned with ``factors``; the probe is :func:`probe_input` (standard normal inputs).
    """
    x = probe_input(input_size, seq_len, batch_size, seed=seed)
    result: dict[str, list[float]] = {k: [] for k in (*GATES, "all")}
    for factor in factors:
        module = make_lstm(input_size, hidden_size, "scaled", factor=float(factor), seed=seed)
        for k, v in saturation(module, x, tol=tol).items():
            result[k].append(v)
    return result
