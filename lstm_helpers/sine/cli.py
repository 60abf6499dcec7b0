"""Command line: ``python -m lstm_helpers.sine [--faithful] [--steps 15] [--out DIR]``."""

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from .training import FAITHFUL, FAST, History, train

__all__ = ["main", "parse_args", "recipe_from_args"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lstm_helpers.sine",
        description="Train the sine-wave LSTM of pytorch/examples (time_sequence_prediction). "
        "By default the fast robust recipe; --faithful runs the official recipe unchanged "
        "(which blows up at step 5).",
    )
    parser.add_argument("--steps", type=int, default=15, help="LBFGS steps (default: 15)")
    parser.add_argument("--faithful", action="store_true",
                        help="the official recipe exactly: float64 cell loop, LBFGS(lr=0.8), "
                        "no line search, all 97 training waves")
    parser.add_argument("--lr", type=float, default=None,
                        help="change only LBFGS's learning rate (default: the recipe's)")
    parser.add_argument("--line-search", choices=("none", "strong_wolfe"), default=None,
                        help="change only LBFGS's line search (default: the recipe's)")
    parser.add_argument("--name", default=None,
                        help="the run's name in the record (default: the recipe's name plus "
                        "what --lr/--line-search changed)")
    parser.add_argument("--states", metavar="FILE",
                        help="save the model's state dict after the steps in --state-steps "
                        "to this file (torch.save of {step: state_dict})")
    parser.add_argument("--state-steps", default=None,
                        help="comma-separated steps whose states --states keeps (default: all)")
    parser.add_argument("--out", default="sine_out",
                        help="folder for the plots (default: ./sine_out)")
    parser.add_argument("--format", choices=("png", "svg"), default="png",
                        help="plot file format (default: png)")
    parser.add_argument("--no-plots", action="store_true", help="do not write plots")
    parser.add_argument("--record", metavar="FILE",
                        help="write the run (losses, times, predictions) to this JSON file")
    parser.add_argument("--device", default=None,
                        help="cpu or cuda (default: cuda when available, else cpu)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: PyTorch's choice)")
    parser.add_argument("--cell", choices=("torch", "ours"), default="torch",
                        help="LSTM cell class: torch.nn.LSTMCell or lstm_helpers.lstm.LSTMCell")
    parser.add_argument("--verbose", action="store_true",
                        help="also print every closure's training loss, as train.py does")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error(f"--steps must be non-negative, got {args.steps}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be positive, got {args.threads}")
    if args.lr is not None and not args.lr > 0:
        parser.error(f"--lr must be positive, got {args.lr}")
    if args.state_steps is not None:
        try:
            args.state_steps = {int(v) for v in args.state_steps.split(",")}
        except ValueError:
            parser.error(f"--state-steps must be integers separated by commas, "
                         f"got {args.state_steps!r}")
    return args


def recipe_from_args(args):
    """The recipe the arguments ask for: FAITHFUL or FAST, with --lr and --line-search applied."""
    recipe = FAITHFUL if args.faithful else FAST
    changes, label = {}, []
    if args.lr is not None and args.lr != recipe.lr:
        changes["lr"] = args.lr
        label.append(f"lr={args.lr:g}")
    if args.line_search is not None:
        fn = None if args.line_search == "none" else args.line_search
        if fn != recipe.line_search_fn:
            changes["line_search_fn"] = fn
            label.append(f"line_search={args.line_search}")
    name = args.name or "+".join([recipe.name, *label])
    return replace(recipe, name=name, **changes)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    recipe = recipe_from_args(args)
    print(f"recipe: {recipe.name} ({recipe}), device: {device}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", flush=True)
    out = Path(args.out)
    if not args.no_plots:
        out.mkdir(parents=True, exist_ok=True)
    from tqdm.auto import tqdm

    done = History(recipe)  # the steps so far: the record is rewritten after each one

    def write_record(finished: bool) -> None:
        record = done.to_dict()
        record.update(command="python -m lstm_helpers.sine " + " ".join(argv),
                      torch=torch.__version__, threads=torch.get_num_threads(), device=device,
                      finished=finished)
        Path(args.record).parent.mkdir(parents=True, exist_ok=True)
        Path(args.record).write_text(json.dumps(record, indent=1) + "\n")
        if args.states:
            Path(args.states).parent.mkdir(parents=True, exist_ok=True)
            torch.save(states, args.states)

    def report(record):
        done.steps.append(record)
        if args.record:  # a long run cut short still leaves its steps so far
            write_record(finished=False)
        if args.verbose:
            for loss in record.closure_losses:
                tqdm.write(f"  loss: {loss:.6e}")
        future = float("nan") if record.future_mse is None else record.future_mse
        tqdm.write(
            f"step {record.step:2d}: train loss {record.train_loss:.4e}  "
            f"test loss {record.test_loss:.4e}  future MSE {future:.4e}  "
            f"({len(record.closure_losses)} closures, "
            f"{record.seconds:.1f} s)"
            + ("" if record.dtype == recipe.dtype else f" [{record.dtype}]")
        )
        if not args.no_plots:
            from lstm_helpers.figures.sine import plot_prediction

            fig = plot_prediction(record.prediction, given=999,
                                  title=f"{recipe.name}, after step {record.step}: "
                                  f"test loss {record.test_loss:.3g} (dashed: predicted)")
            fig.savefig(out / f"predict{record.step:02d}.{args.format}", bbox_inches="tight")
            import matplotlib.pyplot as plt

            plt.close(fig)

    start = time.perf_counter()
    states = {} if args.states else None
    history = train(recipe, steps=args.steps, device=device, cell=args.cell,
                    progress=not args.no_progress, callback=report, states=states,
                    state_steps=args.state_steps)
    total = time.perf_counter() - start
    print(f"{history.closures} closures in {history.seconds:.1f} s of training "
          f"({total:.1f} s with predictions and plots); final test loss "
          f"{history.test_losses[-1] if history.steps else float('nan'):.4e}")
    if not args.no_plots and history.steps:
        import matplotlib.pyplot as plt

        from lstm_helpers.figures.sine import plot_losses

        fig = plot_losses({recipe.name: history.test_losses})
        fig.savefig(out / f"losses.{args.format}", bbox_inches="tight")
        plt.close(fig)
        print(f"plots written to {out}/")
    if args.record:
        write_record(finished=True)
        print(f"record written to {args.record}")
    if args.states:
        Path(args.states).parent.mkdir(parents=True, exist_ok=True)
        torch.save(states, args.states)
        print(f"states of steps {sorted(states)} written to {args.states}")
    return 0
