"""Training on the first-input task after each initialisation scheme: chapter 4's experiment.

:func:`train_first_input` is the function the chapter prints and calls; :class:`Config` and
:func:`train` put the same run in the shape every application shares (a record per run, so
``python -m lstm_helpers.sweep firstinput --seeds 0-9 --set scheme=pytorch,xavier`` runs a
grid of schemes and seeds).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from torch import nn

from lstm_helpers import experiment, records
from lstm_helpers._checks import check_int
from lstm_helpers.experiment import Goal
from lstm_helpers.init import SCHEMES, init_lstm_
from lstm_helpers.records import Record

from .task import FirstInputModel, first_input_task

__all__ = [
    "FIRST_INPUT_CONFIGS", "GOAL", "Config", "TrainingResult", "first_input_finals",
    "recorded_runs", "train", "train_first_input",
]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


@dataclass(frozen=True)
class TrainingResult:
    """Outcome of :func:`train_first_input`: losses on a fixed test batch."""

    scheme: str
    initial_loss: float
    final_loss: float
    losses: tuple[float, ...]

    @classmethod
    def from_record(cls, record: Record) -> TrainingResult:
        """The result a :func:`train` record holds (its test losses, every ``eval_every``)."""
        losses = tuple(m["test_loss"] for m in record.metrics)
        return cls(record.result["label"], losses[0], losses[-1], losses)


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


#: Predicting 0 scores Var(U(-1, 1)) = 1/3; a run "learned" the task when its final test loss
#: is below a tenth of that.
GOAL = Goal("final_loss", 1 / 30, "below")


@dataclass(frozen=True)
class Config:
    """One run of :func:`train_first_input` (its arguments; ``dtype`` by name).

    Args:
        scheme: an initialisation scheme of :mod:`lstm_helpers.init` (default: "pytorch").
        factor: the scale factor of ``"scaled"`` (default: None).
        hidden_size: default 16. seq_len: default 20. steps: Adam steps (default: 250).
        batch_size: default 32. lr: default 1e-2. seed: default 0.
        eval_every: steps between test losses (default: 25).
        dtype: ``"float64"`` (default; the chapter's) or ``"float32"``.
    """

    scheme: str = "pytorch"
    factor: float | None = None
    hidden_size: int = 16
    seq_len: int = 20
    steps: int = 250
    batch_size: int = 32
    lr: float = 1e-2
    seed: int = 0
    eval_every: int = 25
    dtype: str = "float64"

    def __post_init__(self):
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {sorted(SCHEMES)}, got {self.scheme!r}")
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {self.dtype!r}")
        for name in ("hidden_size", "seq_len", "steps", "batch_size", "eval_every"):
            check_int(name, getattr(self, name))


def train(config: Config, progress: bool = False) -> Record:
    """:func:`train_first_input` with ``config``, as a :class:`~lstm_helpers.records.Record`:
    ``metrics`` are the test losses every ``eval_every`` steps, ``result`` the first and last.

    (``progress`` is accepted for the shared shape; a run takes a few seconds.)
    """
    record = Record.new("firstinput", config)
    start = time.perf_counter()
    run = train_first_input(
        config.scheme, factor=config.factor, hidden_size=config.hidden_size,
        seq_len=config.seq_len, steps=config.steps, batch_size=config.batch_size, lr=config.lr,
        seed=config.seed, eval_every=config.eval_every, dtype=_DTYPES[config.dtype])
    record.seconds = round(time.perf_counter() - start, 3)
    evaluated = [*range(0, config.steps, config.eval_every), config.steps]
    record.metrics = [{"step": s, "test_loss": loss} for s, loss in zip(evaluated, run.losses,
                                                                           strict=True)]
    record.result = {"label": run.scheme, "initial_loss": run.initial_loss,
                     "final_loss": run.final_loss}
    return record


def recorded_runs(seeds=(0, 1, 2), configs=FIRST_INPUT_CONFIGS,
                  sweep: str = "sweep") -> dict[tuple, list[TrainingResult]]:
    """The chapter's runs as the shipped sweep recorded them (float64, one record per run in
    ``lstm_helpers/data/firstinput/<sweep>/``; its ``summary.json`` holds the two commands):
    ``{(scheme, factor): [TrainingResult of each seed]}``, in the order of ``configs``.

    ``train_first_input(scheme, factor=factor, seed=s, dtype=torch.float64)`` computes the same
    run again (about 2 s each); the record tests re-run every one whose final loss the chapter
    prints as a number.

    Raises:
        ValueError: the sweep lacks one of the runs asked for.
    """
    shipped = records.shipped_sweep("firstinput", sweep)["records"]
    runs = {}
    for scheme, factor in configs:
        runs[(scheme, factor)] = []
        for seed in seeds:
            name = experiment.run_name(Config(scheme=scheme, factor=factor, seed=seed))
            if name not in shipped:
                raise ValueError(f"the shipped firstinput sweep {sweep!r} has no run {name!r}; "
                                 f"it has {sorted(shipped)}")
            runs[(scheme, factor)].append(TrainingResult.from_record(shipped[name]))
    return runs
