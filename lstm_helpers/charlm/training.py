"""Training with truncated backpropagation through time over one stream of characters.

The training files, concatenated, are cut into ``batch_size`` equal streams (rows). Each step
reads the next window of ``bptt`` characters of every row and predicts each next character.
The LSTM state at the end of a window is carried into the next one, *detached*: the forward
pass sees the whole past, the backward pass stops at the window's start (truncated BPTT,
Williams & Peng 1990; chapter 7). The loss is ``CrossEntropyLoss`` over logits arranged as
``(N, C, L)`` (chapter 5's permute trap: ``(N, L, C)`` would be read as ``C = L``), gradients
are clipped to a norm of ``max_norm``, and Adam's learning rate follows a cosine from ``lr``
down to ``lr * lr_final`` over the budget of ``max_chars`` training characters.

``train(config, checkpoint=PATH)`` writes a checkpoint (model, optimiser, schedule, stream
position, carried state, random state, the record so far) every ``checkpoint_every``
characters and at the end; ``resume=True`` continues from it to the same result.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from .._checks import check_int
from ..experiment import Goal
from ..experiment import progress as progress_bar
from ..records import Record
from .data import Vocab, load_corpus
from .model import CharLM, bits_per_char

__all__ = ["GOAL", "Config", "batches", "make_model", "stream_bits_per_char", "train"]


@dataclass(frozen=True)
class Config:
    """One training run.

    Args:
        hidden_size: H of both LSTM layers (default 256, chosen by the sweep of chapter 9).
        embedding_dim: size of the character vectors (default 32).
        num_layers: LSTM layers (default 2). dropout: between layers and around the LSTM
            (default 0.1).
        batch_size: parallel streams (default 32). bptt: window length, the truncation
            (default 128).
        lr: Adam's initial learning rate (default 0.003); lr_final: the cosine's end, as a
            fraction of lr (default 0.05). max_norm: gradient clipping (default 1.0; 0: none).
        max_chars: the budget, in training characters read (default 6,000,000).
        eval_every: training characters between validation scores (on ``eval_chars``
            characters of the validation files, read as 8 parallel streams).
        seed: initialisation and dropout (default 0).
    """

    hidden_size: int = 256
    embedding_dim: int = 32
    num_layers: int = 2
    dropout: float = 0.1
    batch_size: int = 32
    bptt: int = 128
    lr: float = 0.003
    lr_final: float = 0.05
    max_norm: float = 1.0
    max_chars: int = 6_000_000
    eval_every: int = 1_000_000
    eval_chars: int = 64_000
    checkpoint_every: int = 500_000
    seed: int = 0

    def __post_init__(self):
        for name in ("hidden_size", "embedding_dim", "num_layers", "batch_size", "bptt",
                     "max_chars", "eval_every", "eval_chars", "checkpoint_every"):
            check_int(name, getattr(self, name))
        if not 0 <= self.dropout < 1:
            raise ValueError(f"Config: dropout must be in [0, 1), got {self.dropout!r}")
        if self.lr <= 0 or not 0 < self.lr_final <= 1:
            raise ValueError(f"Config: lr must be > 0 and lr_final in (0, 1], got "
                             f"{self.lr!r}, {self.lr_final!r}")


#: Validation bits per character of the final model (lower is better); the threshold is 90 %
#: of the best Kneser-Ney n-gram's validation score, 0.9 x 1.6744 (n = 16, ``data/charlm/
#: ngram.json``): the chapter's goal, beating the n-gram by at least 10 %.
GOAL = Goal("val_bpc", 1.5069, "below")


def make_model(config: Config, vocab_size: int) -> CharLM:
    """The seeded model of a config."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        return CharLM(vocab_size, config.embedding_dim, config.hidden_size, config.num_layers,
                      config.dropout)


def batches(ids: torch.Tensor, batch_size: int, bptt: int):
    """The stream cut into ``batch_size`` rows, and the windows over them.

    Returns ``(rows, starts)``: ``rows`` is ``(batch_size, T)``; window ``s`` of ``starts`` is
    ``x = rows[:, s:s+bptt]`` with targets ``rows[:, s+1:s+bptt+1]`` (the next characters).

    >>> rows, starts = batches(torch.arange(10), 2, 2)
    >>> rows.tolist(), starts
    ([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], [0, 2])
    """
    T = len(ids) // batch_size
    if T < bptt + 1:
        raise ValueError(f"the stream of {len(ids)} symbols is too short for {batch_size} rows "
                         f"of at least bptt + 1 = {bptt + 1}")
    rows = ids[: T * batch_size].view(batch_size, T)
    return rows, list(range(0, T - bptt, bptt))


@torch.no_grad()
def stream_bits_per_char(model: CharLM, ids: torch.Tensor, streams: int = 8,
                         chunk: int = 512) -> float:
    """A fast estimate of bits per character: the ids cut into ``streams`` rows read in
    parallel (each row starts from a zero state, so the first characters of a row lack their
    context; :func:`~.model.bits_per_char` reads the text as one stream)."""
    was = model.training
    model.eval()
    T = (len(ids) - 1) // streams
    x = ids[: T * streams].view(streams, T)
    y = ids[1: T * streams + 1].view(streams, T)
    total, state = 0.0, None
    for s in range(0, T, chunk):
        logits, state = model(x[:, s: s + chunk], state)
        total += nn.functional.cross_entropy(logits.permute(0, 2, 1).double(),
                                             y[:, s: s + chunk], reduction="sum").item()
    model.train(was)
    return total / (T * streams) / math.log(2)


def _detach(state):
    return tuple(s.detach() for s in state)


def train(config: Config, progress: bool = False, checkpoint=None, resume: bool = False,
          callback=None, corpus=None, final_scores: bool = True) -> Record:
    """Train a character model on the training files; score it on the validation and test files.

    Returns a :class:`~lstm_helpers.records.Record`: ``metrics`` has one entry per
    ``eval_every`` characters (characters read, mean training loss in bits per character,
    the validation estimate, learning rate, seconds); ``result`` has ``val_bpc`` and
    ``test_bpc`` (:func:`~.model.bits_per_char`, the files concatenated and read as one
    stream), ``chars``, ``steps``, ``chars_per_second`` (wall time), ``cpu_seconds`` (the
    process's CPU time for the training, which a busy machine does not inflate); ``extra``
    has the vocabulary and the first losses. ``checkpoint``: a file to write the checkpoint
    to; ``resume``: continue from it. ``final_scores=False`` skips the exact scores (short
    runs then report the estimate).
    """
    corpus = load_corpus() if corpus is None else corpus
    train_text = corpus.text("train")
    vocab = Vocab.from_text(train_text)
    ids = vocab.encode("\n" + train_text)
    val_ids = vocab.encode("\n" + corpus.text("validation"))[: config.eval_chars + 1]
    rows, starts = batches(ids, config.batch_size, config.bptt)
    model = make_model(config, len(vocab))
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    chars_per_step = config.batch_size * config.bptt
    total_steps = max(1, config.max_chars // chars_per_step)

    def schedule(step):
        return config.lr_final + (1 - config.lr_final) * 0.5 * (1 + math.cos(
            math.pi * min(step, total_steps) / total_steps))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    loss_fn = nn.CrossEntropyLoss()
    record = Record.new("charlm", config)
    record.extra = {"vocab": vocab.chars, "first_losses": []}
    step, state, elapsed, cpu, losses = 0, None, 0.0, 0.0, []
    if resume:
        if checkpoint is None or not Path(checkpoint).is_file():
            raise FileNotFoundError(f"resume=True needs a checkpoint file, got {checkpoint!r}")
        ck = torch.load(checkpoint, weights_only=False)
        if ck["config"] != asdict(config):
            raise ValueError(f"the checkpoint {checkpoint} was written for another config: "
                             f"{ck['config']} (this run: {asdict(config)})")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        step, state, elapsed = ck["step"], ck["state"], ck["seconds"]
        cpu = ck.get("cpu_seconds", 0.0)
        record = Record.from_json(ck["record"])

    def save_checkpoint():
        if checkpoint is None:
            return
        record.seconds = round(elapsed + time.perf_counter() - start, 2)
        record.finished = False
        Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(str(checkpoint) + ".tmp")
        torch.save({"config": asdict(config), "model": model.state_dict(),
                    "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                    "step": step, "state": state, "seconds": record.seconds,
                    "cpu_seconds": cpu + time.process_time() - cpu_start,
                    "rng": torch.get_rng_state(),
                    "record": record.to_json()}, tmp)
        tmp.replace(checkpoint)

    with torch.random.fork_rng(devices=[]):  # dropout draws from a seeded, private stream
        if resume:
            torch.set_rng_state(ck["rng"])
        else:
            torch.manual_seed(config.seed + 1)
        bar = progress_bar(total_steps * chars_per_step, enabled=progress, unit="char",
                           desc=f"charlm H={config.hidden_size}")
        bar.update(step * chars_per_step)
        start, cpu_start = time.perf_counter(), time.process_time()
        model.train()
        evals = max(1, config.eval_every // chars_per_step)
        checks = max(1, config.checkpoint_every // chars_per_step)
        while step < total_steps:
            s = starts[step % len(starts)]
            if step % len(starts) == 0:
                state = None  # a new epoch starts the rows from zero state
            x, y = rows[:, s: s + config.bptt], rows[:, s + 1: s + config.bptt + 1]
            logits, state = model(x, state)  # logits (N, L, C)
            state = _detach(state)  # carry the values, cut the graph: truncated BPTT
            loss = loss_fn(logits.permute(0, 2, 1), y)  # (N, C, L) against (N, L)
            opt.zero_grad()
            loss.backward()
            if config.max_norm > 0:
                nn.utils.clip_grad_norm_(model.parameters(), config.max_norm)
            opt.step()
            sched.step()
            step += 1
            losses.append(loss.item())
            if len(record.extra["first_losses"]) < 10:
                record.extra["first_losses"].append(loss.item())
            bar.update(chars_per_step)
            if step % evals == 0 or step == total_steps:
                entry = {"chars": step * chars_per_step,
                         "train_bpc": sum(losses) / len(losses) / math.log(2),
                         "val_bpc_estimate": stream_bits_per_char(model, val_ids),
                         "lr": sched.get_last_lr()[0],
                         "seconds": round(elapsed + time.perf_counter() - start, 2)}
                losses = []
                record.metrics.append(entry)
                bar.set_postfix(val=f"{entry['val_bpc_estimate']:.3f}")
                if callback is not None:
                    callback(entry)
            if step % checks == 0:
                save_checkpoint()
        bar.close()
    record.seconds = round(elapsed + time.perf_counter() - start, 2)
    model.eval()
    record.result = {"chars": step * chars_per_step, "steps": step,
                     "chars_per_second": round(step * chars_per_step / max(record.seconds, 1e-9)),
                     "threads": torch.get_num_threads(),
                     "cpu_seconds": round(cpu + time.process_time() - cpu_start, 2),
                     "parameters": sum(p.numel() for p in model.parameters())}
    if final_scores:
        record.result["val_bpc"] = bits_per_char(model, vocab, corpus.text("validation"))
        record.result["test_bpc"] = bits_per_char(model, vocab, corpus.text("test"))
    else:
        record.result["val_bpc"] = record.metrics[-1]["val_bpc_estimate"]
    if checkpoint is not None:
        save_checkpoint()  # holds the final model (the command line exports its weights)
    record.finished = True
    return record
