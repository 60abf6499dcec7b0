"""Command line for longer sweeps than a notebook can afford, one record per run.

    python -m lstm_helpers.classify --rnn lstm gru rnn --hidden 16 32 64 --seeds 0 1 2
    python -m lstm_helpers.classify --imbalanced --weighting none inverse --seeds 0 1 2 3 4
    python -m lstm_helpers.classify --model pooled flat majority --seeds 0-4 --record runs/

Its flags are :class:`~.runs.Config`'s fields (``--hidden-size``, alias ``--hidden``;
``--seed``, alias ``--seeds``; ...); each takes one or more values, and every combination of
the values given runs. ``--imbalanced`` and ``--bidirectional`` alone mean ``true``. Every
run: float64, Adam, the chapter's splits, the best validation state restored, then the test
set: :func:`.runs.train`. For many seeds that resume where they stopped, use the sweep:
``python -m lstm_helpers.sweep classify --seeds 0-4 --set rnn=lstm,gru,rnn``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import records
from ..experiment import (
    add_config_flags,
    changes,
    configs_from_args,
    parse_seeds,
    run_name,
    summarise,
    threads_and_device,
)
from .data import make_splits
from .runs import GOAL, IMBALANCE, Config, train

__all__ = ["main", "parse_args"]

PROG = "python -m lstm_helpers.classify"
ALIASES = {"hidden_size": ["--hidden"], "seed": ["--seeds"]}
HELPS = {
    "model": "recurrent, flat, pooled or majority",
    "rnn": "lstm, gru or rnn",
    "hidden_size": "H",
    "readout": "packed, gather or last",
    "seed": "seeds: 0 1 2 or 0-4",
    "weighting": "none or inverse (class weights)",
}
_SWITCHES = ("imbalanced", "bidirectional")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train sequence classifiers on the Japanese Vowels speakers (every "
        "combination of the values given) and report test accuracies.",
    )
    add_config_flags(parser, Config, aliases=ALIASES, helps=HELPS, many=True, skip=_SWITCHES)
    parser.add_argument("--imbalanced", nargs="*", metavar="BOOL",
                        help=f"train on the imbalanced set (keep {IMBALANCE}); alone: true")
    parser.add_argument("--bidirectional", nargs="*", metavar="BOOL",
                        help="read both ways; alone: true")
    parser.add_argument("--record", metavar="PATH",
                        help="one run: write its record to PATH; several: one record per run "
                        "into the folder PATH")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda if present)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    for name in _SWITCHES:
        if getattr(args, name) == []:
            setattr(args, name, ["true"])
    if args.seed is not None:
        try:
            args.seed = [str(s) for text in args.seed for s in parse_seeds(text)]
        except ValueError as err:
            parser.error(str(err))
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be positive, got {args.threads}")
    try:
        args.configs = configs_from_args(Config, args)
    except ValueError as err:
        parser.error(str(err))
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    device = threads_and_device(args.threads, args.device)
    splits = make_splits()
    command = records.command_line(PROG, argv)
    done = []
    for config in args.configs:
        record = train(config, progress=not args.no_progress, device=device, splits=splits)
        record.command = command
        done.append(record)
        r = record.result
        changed = changes(config)
        best = "-" if r["best_epoch"] is None else r["best_epoch"] + 1
        print(f"{changed or 'default'} seed {config.seed}: test {r['test_correct']}/"
              f"{r['test_total']} ({r['test_accuracy']:.3f}), best epoch {best}, "
              f"{record.seconds:.1f} s", flush=True)
    groups: dict = {}
    for record in done:
        key = {k: v for k, v in record.config.items() if k != "seed"}
        groups.setdefault(tuple(sorted(key.items())), []).append(record.result[GOAL.key])
    if any(len(v) > 1 for v in groups.values()):
        for key, values in groups.items():
            changed = {k: v for k, v in key if v != getattr(Config(), k)}
            print(f"{changed or 'default'}: {summarise(values, GOAL, fmt='.3f')}")
    print(f"{len(done)} runs on {device}")
    if args.record:
        if len(done) == 1 and args.record.endswith(".json"):
            records.save(done[0], args.record)
        else:
            for record in done:
                name = run_name(Config(**record.config))
                records.save(record, Path(args.record) / f"{name}.json")
        print(f"records written to {args.record}")
    return 0
