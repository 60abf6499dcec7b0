"""The "remember the first input" task of chapter 4, and the small LSTM that learns it."""

from __future__ import annotations

import torch
from torch import nn

from lstm_helpers._checks import check_int
from lstm_helpers.init import lstm_layout

__all__ = ["FirstInputModel", "first_input_task"]


def first_input_task(batch_size: int, seq_len: int, *, generator=None):
    """Batches of the "remember the first value" task.

    Each sequence has two input features: a value ``v_t ~ U(-1, 1)`` at every step, and a
    marker that is 1 at the first step only. The target is ``v_0``, the value that came with
    the marker, to be read from the output at the last step: the network must store it
    and keep it through ``seq_len - 1`` distracting values. Predicting 0 gives a mean squared
    error of ``Var(U(-1, 1)) = 1/3``.

    Returns:
        ``x`` ``(L, N, 2)`` and ``y`` ``(N, 1)``.
    """
    batch_size = check_int("batch_size", batch_size)
    seq_len = check_int("seq_len", seq_len)
    values = torch.rand(seq_len, batch_size, generator=generator) * 2 - 1  # (L, N)
    marker = torch.zeros(seq_len, batch_size)  # (L, N)
    marker[0] = 1.0
    x = torch.stack([values, marker], dim=-1)  # (L, N, 2)
    y = values[0].unsqueeze(-1)  # (N, 1)
    return x, y


class FirstInputModel(nn.Module):
    """An LSTM followed by a linear read-out of its last output."""

    def __init__(self, hidden_size: int = 16, lstm: nn.Module | None = None):
        super().__init__()
        self.lstm = lstm if lstm is not None else nn.LSTM(2, hidden_size)
        layout = lstm_layout(self.lstm)
        self.head = nn.Linear(layout.num_directions * layout.output_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)  # (L, N, H_out)
        return self.head(out[-1])  # (N, 1)
