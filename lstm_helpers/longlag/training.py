"""Training on the long-time-lag tasks with Adam, counting sequences, with the paper's stop rule.

The 1997 paper trained online (one sequence per weight update) and stopped when the last
2,000 training sequences were all processed correctly and the average training error was
small; it then tested on 2,560 fresh sequences. Its counts (:data:`PAPER`) are means over its
trials. Here a minibatch of ``batch_size`` sequences makes one Adam step; every count is in
sequences seen, so runs with different batch sizes, and the paper's, compare in data seen
(not in updates: with batches of 16, Adam makes 16 times fewer updates than online
learning).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import torch
from torch import nn

from .. import records
from .._checks import check_int
from ..experiment import Goal
from ..experiment import progress as progress_bar
from ..records import Record
from .model import CELLS, NONLINEARITIES, RNN_INITS, LongLagNet
from .tasks import ADDING_TOLERANCE, Batch, adding_problem, temporal_order

__all__ = [
    "GOAL", "PAPER", "PAPER_WEIGHTS", "TASKS", "Config", "Record", "evaluate", "load_record",
    "make_batch", "make_model", "model_from_record", "parameter_count", "sequence_errors",
    "shipped_records", "shipped_sweep", "train",
]

#: Task name -> (input size, output size, relevant symbols for temporal order).
TASKS = {"adding": (2, 1, 0), "order": (8, 4, 2), "order3": (8, 8, 3)}

#: The paper's LSTM results: training sequences until its stop rule held (online learning),
#: each a mean over its trials. Adding problem: Neural Computation 9(8), section 5.4, Table 7
#: (10 trials per T); temporal order: section 5.6, Table 9 (6a: 20 trials, 6b: 10).
PAPER = {
    ("adding", 100): 74_000, ("adding", 500): 209_000, ("adding", 1000): 853_000,
    ("order", 100): 31_390, ("order3", 100): 571_100,
}

_DTYPES = {"float32": torch.float32, "float64": torch.float64}

#: Stop rule: the last WINDOW sequences all correct and their average error below this.
WINDOW = 2000
AVERAGE_ERROR = {"adding": 0.01, "order": 0.1, "order3": 0.1}
ORDER_TOLERANCE = 0.3  # temporal order: correct when every output is within 0.3 of its target


@dataclass(frozen=True)
class Config:
    """One training run.

    Args:
        task: ``"adding"`` (Experiment 4), ``"order"`` (6a) or ``"order3"`` (6b).
        lag: T, the minimal sequence length (default: 100). cell: ``"lstm"`` or ``"rnn"``.
        hidden_size: default 16. batch_size: sequences per Adam step (default: 16).
        lr: Adam's learning rate (default: 0.01). max_norm: gradient clipping (default: 1.0).
        forget_bias: the LSTM's initial forget bias b_if + b_hf (default: 3.0; None keeps
            PyTorch's initialisation). input_bias: the input gate's initial bias (default: -3.0;
            None keeps PyTorch's; the paper biased its input gates negative against "state
            drift"). Both apply to the LSTM only; PyTorch's default is both None.
        nonlinearity: the plain RNN's ``"tanh"`` (default) or ``"relu"``. init: the plain
            RNN's recurrent weights: ``"default"`` (PyTorch's), ``"orthogonal"`` or
            ``"identity"`` (zero biases; with ``relu`` the IRNN of Le et al. 2015).
        max_sequences: budget (default: 100,000).
        seed: model and data (default: 0). log_every: sequences between log entries.
        first_steps: how many first losses to keep exactly (for the records test).
        dtype: ``"float32"`` (default: on the CPU ``nn.LSTM`` then runs oneDNN's
            whole-sequence kernel: about 6.5 times the float64 throughput at batch 16 in the
            measurement of ``docs/benchmarks.md``) or ``"float64"``.
    """

    task: str = "adding"
    lag: int = 100
    cell: str = "lstm"
    hidden_size: int = 16
    batch_size: int = 16
    lr: float = 0.01
    max_norm: float | None = 1.0
    forget_bias: float | None = 3.0
    input_bias: float | None = -3.0
    nonlinearity: str = "tanh"
    init: str = "default"
    max_sequences: int = 100_000
    seed: int = 0
    log_every: int = 1600
    first_steps: int = 20
    dtype: str = "float32"

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {sorted(TASKS)}, got {self.task!r}")
        if self.cell not in CELLS:
            raise ValueError(f"cell must be 'lstm' or 'rnn', got {self.cell!r}")
        if self.nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}, "
                             f"got {self.nonlinearity!r}")
        if self.init not in RNN_INITS:
            raise ValueError(f"init must be one of {RNN_INITS}, got {self.init!r}")
        if self.cell == "lstm" and (self.nonlinearity, self.init) != ("tanh", "default"):
            raise ValueError("nonlinearity and init apply to cell='rnn' only, got "
                             f"nonlinearity={self.nonlinearity!r}, init={self.init!r} for an LSTM")
        for name in ("lag", "hidden_size", "batch_size", "max_sequences", "log_every"):
            value = getattr(self, name)
            check_int(name, value)
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {self.dtype!r}")
        if self.max_norm is not None and self.max_norm <= 0:
            object.__setattr__(self, "max_norm", None)  # 0 (the command line's "off"): no clipping
        if self.lag < 20:
            raise ValueError(f"lag must be at least 20 (the tasks' windows), got {self.lag}")


#: What a sweep summarises for this application (``python -m lstm_helpers.sweep longlag``):
#: sequences seen until the stop rule held; a run that never met it missed the goal.
GOAL = Goal("solved_at")


def load_record(name) -> Record:
    """A shipped record by name (``"adding_T100_lstm"``, in ``data/longlag/``) or a record
    file written by ``python -m lstm_helpers.longlag --record FILE``."""
    if isinstance(name, str) and "/" not in name and not name.endswith(".json"):
        return records.shipped("longlag", name)
    return records.load(name)


def shipped_sweep(name: str) -> dict:
    """A sweep shipped in ``lstm_helpers/data/longlag/<name>/``: its ``summary.json``
    (``commands``, ``goal``, ``groups``) with ``records`` added: every run's record, by file
    name (without ``.json``); :func:`lstm_helpers.records.shipped_sweep`."""
    return records.shipped_sweep("longlag", name)


def shipped_records() -> dict:
    """Every shipped longlag record, by name."""
    return {n: records.shipped("longlag", n) for n in records.shipped_names("longlag")}


def make_batch(config: Config, batch_size: int, generator) -> Batch:
    """A batch of the config's task, in the config's dtype (drawn in float64 either way)."""
    if config.task == "adding":
        b = adding_problem(batch_size, config.lag, generator=generator)
        return Batch(b.x.to(_DTYPES[config.dtype]), b.lengths, b.target.to(_DTYPES[config.dtype]))
    b = temporal_order(batch_size, config.lag, TASKS[config.task][2], generator=generator)
    return b._replace(x=b.x.to(_DTYPES[config.dtype]))


def make_model(config: Config) -> LongLagNet:
    """The network of a config, seeded, in the config's dtype."""
    H_in, H_out, _ = TASKS[config.task]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = LongLagNet(config.cell, H_in, config.hidden_size, H_out,
                           forget_bias=config.forget_bias if config.cell == "lstm" else None,
                           input_bias=config.input_bias if config.cell == "lstm" else None,
                           nonlinearity=config.nonlinearity, init=config.init)
    return model.to(_DTYPES[config.dtype])


#: The paper's networks: weights per task (its Tables 7 and 9 and the text of sections 5.4
#: and 5.6), for the parameter counts printed beside ours.
PAPER_WEIGHTS = {"adding": 93, "order": 156, "order3": 308}


def parameter_count(config: Config) -> int:
    """The number of trainable numbers (weights and biases) of the config's network."""
    return sum(p.numel() for p in make_model(config).parameters() if p.requires_grad)


def sequence_errors(task: str, output: torch.Tensor, target: torch.Tensor):
    """Per sequence: ``(loss, error, correct)``.

    Adding: the loss is the mean squared error, the error the squared error, correct when
    the absolute error is below 0.04. Temporal order: the loss is the cross-entropy of the
    softmax, the error the largest ``|p_k - y_k|`` over the outputs (one-hot ``y``), correct
    when that is below 0.3 (every output within 0.3 of its target, the paper's rule).
    """
    if task == "adding":
        diff = output[:, 0] - target  # (N,)
        return (diff**2).mean(), (diff**2).detach(), diff.abs().detach() < ADDING_TOLERANCE
    loss = nn.functional.cross_entropy(output, target)
    p = output.detach().softmax(dim=1)  # (N, classes)
    y = nn.functional.one_hot(target, p.size(1)).to(p.dtype)  # (N, classes)
    err = (p - y).abs().amax(dim=1)  # (N,)
    return loss, err, err < ORDER_TOLERANCE


@torch.no_grad()
def evaluate(model: LongLagNet, config: Config, n: int = 2560, seed: int = 12345) -> dict:
    """The paper's test: ``n`` (2,560) fresh sequences. Share correct, mean error."""
    g = torch.Generator().manual_seed(seed)
    b = make_batch(config, n, g)
    loss, err, ok = sequence_errors(config.task, model(b.x, b.lengths), b.target)
    return {"sequences": n, "correct": ok.double().mean().item(), "loss": loss.item(),
            "mean_error": err.mean().item()}


def train(config: Config, progress: bool = False, callback=None, model=None) -> Record:
    """Train until the stop rule holds or ``config.max_sequences`` have been seen.

    Returns a :class:`~lstm_helpers.records.Record`: ``metrics`` holds the log entries
    (sequences, loss, correct share of the last 2,000, seconds); ``result`` holds
    ``solved_at`` (sequences seen when the stop rule first held, or ``None``), ``sequences``
    and ``test`` (:func:`evaluate`); ``extra`` holds ``first_losses`` (the first
    ``config.first_steps`` losses, for the record tests) and ``state_dict`` (lists).
    ``callback(entry)`` is called with each log entry.
    """
    model = make_model(config) if model is None else model
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    g = torch.Generator().manual_seed(config.seed + 1)
    record = Record.new("longlag", config)
    first_losses, solved_at = [], None
    errors, corrects = deque(maxlen=WINDOW), deque(maxlen=WINDOW)
    bar = progress_bar(config.max_sequences, enabled=progress, unit="seq",
                       desc=f"{config.task} T={config.lag} {config.cell}")
    start, seen, losses, step = time.perf_counter(), 0, [], 0
    while seen < config.max_sequences:
        b = make_batch(config, config.batch_size, g)
        loss, err, ok = sequence_errors(config.task, model(b.x, b.lengths), b.target)
        opt.zero_grad()
        loss.backward()
        if config.max_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), config.max_norm)
        opt.step()
        seen += config.batch_size
        step += 1
        losses.append(loss.item())
        if step <= config.first_steps:
            first_losses.append(loss.item())
        errors.extend(err.tolist())
        corrects.extend(ok.tolist())
        bar.update(config.batch_size)
        solved = (len(corrects) == WINDOW and all(corrects)
                  and sum(errors) / WINDOW < AVERAGE_ERROR[config.task])
        if seen % config.log_every < config.batch_size or solved:
            entry = {"sequences": seen, "loss": sum(losses) / len(losses),
                     "correct": sum(corrects) / len(corrects),
                     "seconds": round(time.perf_counter() - start, 2)}
            losses = []
            record.metrics.append(entry)
            bar.set_postfix(loss=f"{entry['loss']:.4f}", correct=f"{entry['correct']:.3f}")
            if callback is not None:
                callback(entry)
        if solved:
            solved_at = seen
            break
    bar.close()
    record.seconds = round(time.perf_counter() - start, 2)
    model.eval()
    record.result = {"solved_at": solved_at, "sequences": seen, "test": evaluate(model, config)}
    record.extra = {"first_losses": first_losses,
                    "state_dict": {k: v.tolist() for k, v in model.state_dict().items()}}
    return record


def model_from_record(record: Record) -> LongLagNet:
    """The trained network stored in a record, in float64 (float32 weights convert exactly)."""
    config = Config(**{**record.config, "dtype": "float64"})
    model = make_model(config)
    model.load_state_dict({k: torch.tensor(v, dtype=torch.float64)
                           for k, v in record.extra["state_dict"].items()})
    return model.eval()
