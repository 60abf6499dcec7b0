"""Command line for longer sweeps than a notebook can afford, with a JSON record.

    python -m lstm_helpers.classify --rnn lstm gru rnn --hidden 16 32 64 --seeds 0 1 2 \\
        --record lstm_helpers/data/classify_sweep.json
    python -m lstm_helpers.classify --imbalanced --weighting none inverse --seeds 0 1 2 3 4 \\
        --record lstm_helpers/data/classify_weighting.json

Every run: float64, Adam, batch 32, the chapter's splits, the best validation state restored,
then the test set: :func:`.sweeps.run_one`.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from .data import make_splits
from .sweeps import IMBALANCE, RNNS, run_one

__all__ = ["main", "parse_args"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lstm_helpers.classify",
        description="Train sequence classifiers on the Japanese Vowels speakers (every "
        "combination of the options given) and report test accuracies.",
    )
    parser.add_argument("--rnn", nargs="+", choices=sorted(RNNS), default=["lstm"])
    parser.add_argument("--hidden", nargs="+", type=int, default=[32])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--weighting", nargs="+", choices=("none", "inverse"), default=["none"])
    parser.add_argument("--imbalanced", action="store_true",
                        help=f"train on the imbalanced set (keep {IMBALANCE})")
    parser.add_argument("--bidirectional", action="store_true")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda if present)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--record", metavar="FILE", help="write every run to this JSON file")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be positive, got {args.epochs}")
    if any(h < 1 for h in args.hidden):
        parser.error(f"--hidden sizes must be positive, got {args.hidden}")
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    splits = make_splits()
    runs, start = [], time.perf_counter()
    for rnn in args.rnn:
        for hidden in args.hidden:
            for weighting in args.weighting:
                for seed in args.seeds:
                    run = run_one(rnn, hidden, args.epochs, args.lr, seed, args.imbalanced,
                                  weighting, args.bidirectional, device,
                                  not args.no_progress, splits)
                    runs.append(run)
                    print(f"{rnn:4s} H={hidden:3d} {weighting:7s} seed {seed}: test "
                          f"{run['test_correct']}/{run['test_total']} "
                          f"({run['test_correct'] / run['test_total']:.3f}), best epoch "
                          f"{run['best_epoch']}, {run['seconds']:.1f} s", flush=True)
    print(f"{len(runs)} runs in {time.perf_counter() - start:.0f} s on {device}")
    if args.record:
        record = {"command": "python -m lstm_helpers.classify " + " ".join(argv),
                  "torch": torch.__version__, "device": device,
                  "threads": torch.get_num_threads(), "runs": runs}
        Path(args.record).parent.mkdir(parents=True, exist_ok=True)
        Path(args.record).write_text(json.dumps(record, indent=1) + "\n")
        print(f"record written to {args.record}")
    return 0
