"""Command line: ``python -m lstm_helpers.longlag --task adding --lag 100 --cell lstm``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from .training import PAPER, TASKS, Config, train

__all__ = ["main", "parse_args"]


def _forget_bias(text: str):
    if text.lower() == "none":
        return None
    return float(text)


def parse_args(argv=None) -> argparse.Namespace:
    defaults = Config()
    parser = argparse.ArgumentParser(
        prog="python -m lstm_helpers.longlag",
        description="Re-run a long-time-lag experiment of Hochreiter & Schmidhuber (1997) "
        "with nn.LSTM or nn.RNN and Adam: the adding problem (Experiment 4) or the "
        "temporal order problem (Experiment 6a; order3: 6b).",
    )
    parser.add_argument("--task", choices=sorted(TASKS), default=defaults.task,
                        help="adding (Exp. 4), order (Exp. 6a) or order3 (Exp. 6b)")
    parser.add_argument("--lag", type=int, default=defaults.lag,
                        help="T, the minimal sequence length (default: 100)")
    parser.add_argument("--cell", choices=("lstm", "rnn"), default=defaults.cell)
    parser.add_argument("--hidden-size", type=int, default=defaults.hidden_size)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size,
                        help="sequences per Adam step (default: 16)")
    parser.add_argument("--lr", type=float, default=defaults.lr)
    parser.add_argument("--max-norm", type=float, default=defaults.max_norm,
                        help="clip_grad_norm_ threshold (default: 1.0; 0 turns clipping off)")
    parser.add_argument("--forget-bias", type=_forget_bias, default=defaults.forget_bias,
                        help="initial forget bias of the LSTM (default: 3.0; none: PyTorch's)")
    parser.add_argument("--input-bias", type=_forget_bias, default=defaults.input_bias,
                        help="initial input-gate bias of the LSTM (default: -3.0; none: PyTorch's)")
    parser.add_argument("--max-sequences", type=int, default=defaults.max_sequences,
                        help="stop after this many training sequences (default: 100000)")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--log-every", type=int, default=defaults.log_every,
                        help="sequences between log lines (default: 1600)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default=defaults.dtype,
                        help="float32 (default; oneDNN's fast LSTM kernel) or float64")
    parser.add_argument("--record", metavar="FILE",
                        help="write the run to this JSON file (default: "
                        "./longlag_runs/TASK_TLAG_CELL.json)")
    parser.add_argument("--no-record", action="store_true", help="write no record")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.record is None and not args.no_record:
        args.record = f"longlag_runs/{args.task}_T{args.lag}_{args.cell}.json"
    if args.threads < 1:
        parser.error(f"--threads must be positive, got {args.threads}")
    try:
        args.config = Config(
            task=args.task, lag=args.lag, cell=args.cell, hidden_size=args.hidden_size,
            batch_size=args.batch_size, lr=args.lr,
            max_norm=None if args.max_norm == 0 else args.max_norm,
            forget_bias=args.forget_bias, input_bias=args.input_bias,
            max_sequences=args.max_sequences, seed=args.seed,
            log_every=args.log_every, dtype=args.dtype,
        )
    except ValueError as err:
        parser.error(str(err))
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    config = args.config
    print(f"{config}\ntorch {torch.__version__}, {torch.get_num_threads()} thread(s)",
          flush=True)
    from tqdm.auto import tqdm

    def report(entry):
        tqdm.write(f"{entry['sequences']:>9,} sequences: loss {entry['loss']:.4f}, "
                   f"correct (last 2,000) {entry['correct']:.3f}  ({entry['seconds']:.0f} s)")

    record = train(config, progress=not args.no_progress, callback=report)
    record.command = "python -m lstm_helpers.longlag " + " ".join(argv)
    if record.solved_at is not None:
        print(f"stop rule met after {record.solved_at:,} sequences ({record.seconds:.0f} s)")
    else:
        print(f"stop rule not met within {record.sequences:,} sequences ({record.seconds:.0f} s)")
    paper = PAPER.get((config.task, config.lag))
    if paper is not None and config.cell == "lstm":
        print(f"the paper's LSTM: {paper:,} sequences (as read from an OCR copy of the paper; "
              "not confirmed against the published tables)"
              + (f"; ratio {record.solved_at / paper:.3f}" if record.solved_at else ""))
    print(f"test ({record.test['sequences']} sequences): correct {record.test['correct']:.4f}, "
          f"loss {record.test['loss']:.4g}")
    if args.record:
        Path(args.record).parent.mkdir(parents=True, exist_ok=True)
        Path(args.record).write_text(record.to_json())
        print(f"record written to {args.record}")
    return 0
