"""Command line: ``python -m lstm_helpers.longlag --task adding --lag 100 --cell lstm``.

Its flags are :class:`~.training.Config`'s fields (``--hidden-size``, ``--forget-bias none``,
``--max-norm 0`` for no clipping, ...), plus where the record goes and how the run is shown.
Many seeds and settings at once: ``python -m lstm_helpers.sweep longlag``.
"""

from __future__ import annotations

import argparse
import sys

import torch

from .. import records
from ..experiment import add_config_flags, config_from_args
from .training import PAPER, Config, train

__all__ = ["main", "parse_args"]

PROG = "python -m lstm_helpers.longlag"
HELPS = {
    "task": "adding (Exp. 4), order (Exp. 6a) or order3 (Exp. 6b)",
    "lag": "T, the minimal sequence length",
    "cell": "lstm or rnn",
    "batch_size": "sequences per Adam step",
    "max_norm": "clip_grad_norm_ threshold; 0 or none: no clipping",
    "forget_bias": "initial forget bias of the LSTM; none: PyTorch's",
    "input_bias": "initial input-gate bias of the LSTM; none: PyTorch's",
    "nonlinearity": "the plain RNN's tanh or relu",
    "init": "the plain RNN's recurrent weights: default, orthogonal or identity (IRNN with relu)",
    "max_sequences": "stop after this many training sequences",
    "log_every": "sequences between log lines",
    "dtype": "float32 (oneDNN's fast LSTM kernel) or float64",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Re-run a long-time-lag experiment of Hochreiter & Schmidhuber (1997) "
        "with nn.LSTM or nn.RNN and Adam: the adding problem (Experiment 4) or the "
        "temporal order problem (Experiment 6a; order3: 6b).",
    )
    add_config_flags(parser, Config, helps=HELPS)
    parser.add_argument("--record", metavar="FILE",
                        help="write the run to this JSON file (default: "
                        "./longlag_runs/TASK_TLAG_CELL.json)")
    parser.add_argument("--no-record", action="store_true", help="write no record")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be positive, got {args.threads}")
    try:
        args.config = config_from_args(Config, args)
    except ValueError as err:
        parser.error(str(err))
    if args.record is None and not args.no_record:
        c = args.config
        args.record = f"longlag_runs/{c.task}_T{c.lag}_{c.cell}.json"
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
    record.command = records.command_line(PROG, argv)
    solved_at, test = record.result["solved_at"], record.result["test"]
    if solved_at is not None:
        print(f"stop rule met after {solved_at:,} sequences ({record.seconds:.0f} s)")
    else:
        print(f"stop rule not met within {record.result['sequences']:,} sequences "
              f"({record.seconds:.0f} s)")
    paper = PAPER.get((config.task, config.lag))
    if paper is not None and config.cell == "lstm":
        table = "Table 7" if config.task == "adding" else "Table 9"
        print(f"the paper's LSTM: {paper:,} sequences (a mean over its trials; Neural "
              f"Computation 9(8), {table})"
              + (f"; ratio {solved_at / paper:.3f}" if solved_at else ""))
    print(f"test ({test['sequences']} sequences): correct {test['correct']:.4f}, "
          f"loss {test['loss']:.4g}")
    if args.record:
        records.save(record, args.record)
        print(f"record written to {args.record}")
    return 0
