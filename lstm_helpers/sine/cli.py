"""Command line: ``python -m lstm_helpers.sine [--recipe faithful|fast|forecast] [--seed S]``.

Its flags are :class:`~.training.Config`'s fields (``--steps``, ``--lr``, ``--line-search``,
``--noise``, ``--burn-in``, ...), plus where the record, the states and the plots go.
Many seeds and settings at once: ``python -m lstm_helpers.sweep sine``.
"""

import argparse
import sys
import time
from pathlib import Path

import torch

from .. import records
from ..experiment import add_config_flags, config_from_args, threads_and_device
from .training import RECIPES, Config, train

__all__ = ["PROG", "config_from", "main", "parse_args"]

PROG = "python -m lstm_helpers.sine"
HELPS = {
    "recipe": "faithful (the official recipe), fast or forecast; the other flags override it",
    "seed": "torch.manual_seed of the model (and of the input noise)",
    "steps": "LBFGS steps; none: the recipe's",
    "dtype": "float64 or float32; none: the recipe's",
    "fused": "teacher-forced pass through one two-layer nn.LSTM (true/false)",
    "lr": "LBFGS's learning rate; none: the recipe's",
    "max_iter": "LBFGS iterations a step",
    "history_size": "LBFGS's history",
    "line_search_fn": "LBFGS's line search: none or strong_wolfe",
    "train_rows": "training waves used (0: all 97)",
    "train_length": "training time steps used (0: all 999)",
    "burn_in": "first time steps of each wave left out of the loss",
    "noise": "std of the Gaussian noise added to the training inputs",
    "select": "the model kept: last, or validation (lowest free-running MSE on validation waves)",
    "refine_dtype": "go on in this dtype when a step stalls (none: never)",
    "future": "values predicted past the end of each wave",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train the sine-wave LSTM of pytorch/examples (time_sequence_prediction). "
        "By default the forecasting recipe; --recipe fast fits the next value fast; "
        "--faithful (or --recipe faithful) runs the official recipe unchanged (which blew up "
        "at step 5 in our record).",
    )
    add_config_flags(parser, Config, helps=HELPS,
                     aliases={"line_search_fn": ["--line-search"]})
    parser.add_argument("--faithful", action="store_true",
                        help="the official recipe exactly (the same as --recipe faithful)")
    parser.add_argument("--name", default=None,
                        help="the run's name in the record (default: the recipe's name plus "
                        "what the other flags changed)")
    parser.add_argument("--states", metavar="FILE",
                        help="save the model's state dict after the steps in --state-steps "
                        "to this file (torch.save of {step: state_dict}); with "
                        "--select validation the selected model is under the largest key")
    parser.add_argument("--state-steps", default=None,
                        help="comma-separated steps whose states --states keeps (default: all)")
    parser.add_argument("--out", default="sine_out",
                        help="folder for the plots (default: ./sine_out)")
    parser.add_argument("--format", choices=("png", "svg"), default="png",
                        help="plot file format (default: png)")
    parser.add_argument("--no-plots", action="store_true", help="do not write plots")
    parser.add_argument("--record", metavar="FILE",
                        help="write the run (records.Record: losses, times, predictions) to "
                        "this JSON file")
    parser.add_argument("--device", default=None,
                        help="cpu or cuda (default: cuda when available, else cpu)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default: 1; on 2 shared cores a second "
                        "thread made the forecasting recipe about twice as slow)")
    parser.add_argument("--cell", choices=("torch", "ours"), default="torch",
                        help="LSTM cell class: torch.nn.LSTMCell or lstm_helpers.lstm.LSTMCell")
    parser.add_argument("--verbose", action="store_true",
                        help="also print every closure's training loss, as train.py does")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.faithful:
        if args.recipe not in (None, "faithful"):
            parser.error(f"--faithful contradicts --recipe {args.recipe}")
        args.recipe = "faithful"
    if args.recipe is not None and args.recipe not in RECIPES:
        parser.error(f"--recipe must be one of {sorted(RECIPES)}, got {args.recipe!r}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be positive, got {args.threads}")
    try:
        args.config = config_from(args)
    except ValueError as err:
        parser.error(str(err))
    if args.state_steps is not None:
        try:
            args.state_steps = {int(v) for v in args.state_steps.split(",")}
        except ValueError:
            parser.error(f"--state-steps must be integers separated by commas, "
                         f"got {args.state_steps!r}")
    return args


def config_from(args) -> Config:
    """The config the flags ask for; a flag equal to the recipe's value is left out, so that
    ``config.changes()`` names only what was changed."""
    config = config_from_args(Config, args)
    changes = config.changes()
    keep = {"recipe": config.recipe, "seed": config.seed}
    return Config(**keep, **changes)


def run_name(config: Config, name=None) -> str:
    """``forecast``, ``faithful+lr=0.1``, ...: the recipe and what was changed."""
    if name:
        return name
    label = [f"{k}={v}" for k, v in config.changes().items() if k != "steps"]
    return "+".join([config.recipe, *label])


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    device = threads_and_device(args.threads, args.device)
    config = args.config
    name = run_name(config, args.name)
    print(f"recipe: {name} ({config.resolved()}), device: {device}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", flush=True)
    out = Path(args.out)
    if not args.no_plots:
        out.mkdir(parents=True, exist_ok=True)
    from tqdm.auto import tqdm

    def report(entry, prediction):
        if args.verbose:
            for loss in entry["closure_losses"]:
                tqdm.write(f"  loss: {loss:.6e}" if loss is not None else "  loss: nan")
        val = entry.get("val_future_mse")

        def fmt(v):
            return "nan" if v is None else f"{v:.4e}"

        tqdm.write(
            f"step {entry['step']:2d}: train loss {fmt(entry['train_loss'])}  "
            f"test loss {fmt(entry['test_loss'])}  future MSE {fmt(entry['future_mse'])}"
            + ("" if "val_future_mse" not in entry else f"  validation {fmt(val)}")
            + f"  ({len(entry['closure_losses'])} closures, {entry['seconds']:.1f} s)"
            + ("" if entry["dtype"] == config.resolved().dtype else f" [{entry['dtype']}]")
        )
        if not args.no_plots:
            import matplotlib.pyplot as plt

            from lstm_helpers.figures.sine import plot_prediction

            fig = plot_prediction(prediction, given=999,
                                  title=f"{name}, after step {entry['step']}: test loss "
                                  f"{fmt(entry['test_loss'])} (dashed: predicted)")
            fig.savefig(out / f"predict{entry['step']:02d}.{args.format}", bbox_inches="tight")
            plt.close(fig)

    start = time.perf_counter()
    states = {} if args.states else None
    record = train(config, progress=not args.no_progress, callback=report, device=device,
                   cell=args.cell, states=states, state_steps=args.state_steps)
    record.command = records.command_line(PROG, argv)
    record.extra["name"] = name
    record.machine["device"] = device
    total = time.perf_counter() - start
    result = record.result
    print(f"{result['closures']} closures in {result['train_seconds']:.1f} s of training "
          f"({total:.1f} s in all); final test loss {result['final_test_loss']}")
    print(f"selected step {result['selected_step']}: free-running MSE on the unseen test "
          f"waves {result['test_future_mse']:.3e}"
          + ("" if result["val_future_mse"] is None
             else f" (validation {result['val_future_mse']:.3e})"))
    if not args.no_plots and record.metrics:
        import matplotlib.pyplot as plt

        from lstm_helpers.figures.sine import plot_losses

        fig = plot_losses({name: [s["test_loss"] for s in record.metrics]})
        fig.savefig(out / f"losses.{args.format}", bbox_inches="tight")
        plt.close(fig)
        print(f"plots written to {out}/")
    if args.record:
        records.save(record, args.record)
        print(f"record written to {args.record}")
    if args.states:
        Path(args.states).parent.mkdir(parents=True, exist_ok=True)
        torch.save(states, args.states)
        print(f"states of steps {sorted(states)} written to {args.states}")
    return 0
