"""The experiments of the initialisation chapter: the "remember the first input" task, and
the sweeps behind the chapter's figures and widget.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from lstm_helpers._checks import check_int
from lstm_helpers.lstm import GATES

from .diagnostics import saturation
from .layout import lstm_layout
from .schemes import init_lstm_


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


@dataclass(frozen=True)
class TrainingResult:
    """Outcome of :func:`train_first_input`: losses on a fixed test batch."""

    scheme: str
    initial_loss: float
    final_loss: float
    losses: tuple[float, ...]


def train_first_input(
    scheme: str = "pytorch",
    *,
    factor: float | None = None,
    hidden_size: int = 16,
    seq_len: int = 20,
    steps: int = 250,
    batch_size: int = 32,
    lr: float = 1e-2,
    seed: int = 0,
    eval_every: int = 25,
    dtype: torch.dtype = torch.float32,
) -> TrainingResult:
    """Train a small LSTM on :func:`first_input_task` after initialising it with ``scheme``.

    Everything is seeded by ``seed`` (the head, the scheme's draws, the data), so two calls
    give the same numbers; only the LSTM's initialisation differs between schemes. Adam,
    mean squared error, a fresh batch every step; the loss is measured on a fixed test batch
    of 256 sequences every ``eval_every`` steps.

    ``dtype``: the precision of the training. The draws are the same for every dtype (made
    in float32, then converted). In float32, 250 Adam steps amplify the last-digit
    differences between CPUs into the second digit of the loss; in float64 runs that are not
    on a tipping point agree to many digits across CPUs (the chapter trains in float64).
    """
    steps = check_int("steps", steps)
    eval_every = check_int("eval_every", eval_every)
    torch.manual_seed(seed)
    model = FirstInputModel(hidden_size)
    init_gen = torch.Generator().manual_seed(seed + 1)
    init_lstm_(model.lstm, scheme, factor=factor, generator=init_gen)
    model.to(dtype)
    data_gen = torch.Generator().manual_seed(seed + 2)
    x_test, y_test = first_input_task(256, seq_len, generator=torch.Generator().manual_seed(12345))
    x_test, y_test = x_test.to(dtype), y_test.to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def test_loss() -> float:
        with torch.no_grad():
            return nn.functional.mse_loss(model(x_test), y_test).item()

    losses = [test_loss()]
    for step in range(1, steps + 1):
        x, y = first_input_task(batch_size, seq_len, generator=data_gen)
        x, y = x.to(dtype), y.to(dtype)
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if step % eval_every == 0 or step == steps:
            losses.append(test_loss())
    label = scheme if factor is None else f"{scheme}({factor:g})"
    return TrainingResult(label, losses[0], losses[-1], tuple(losses))


#: The schemes the chapter trains on the first-input task: ``(scheme, factor)``.
FIRST_INPUT_CONFIGS = (("pytorch", None), ("xavier", None), ("orthogonal", None),
                       ("forget_bias", None), ("scaled", 0.1), ("scaled", 4.0))


def first_input_finals(seeds=(0, 1, 2), configs=FIRST_INPUT_CONFIGS) -> dict[str, float]:
    """Final test losses of :func:`train_first_input` in float64, ``{"scheme/seed": loss}``.

    The numbers behind the chapter's table, as a flat dict so that
    ``tools/isa_spread.py`` can measure how far each moves between instruction sets.
    """
    return {
        f"{scheme if factor is None else f'{scheme}({factor:g})'}/{seed}":
            train_first_input(scheme, factor=factor, seed=seed, dtype=torch.float64).final_loss
        for scheme, factor in configs
        for seed in seeds
    }


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
