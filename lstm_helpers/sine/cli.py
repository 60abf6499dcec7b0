"""Command line: ``python -m lstm_helpers.sine [--faithful] [--steps 15] [--out DIR]``."""

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from .training import FAITHFUL, FAST, train

__all__ = ["main", "parse_args"]


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
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    recipe = FAITHFUL if args.faithful else FAST
    print(f"recipe: {recipe.name} ({recipe}), device: {device}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", flush=True)
    out = Path(args.out)
    if not args.no_plots:
        out.mkdir(parents=True, exist_ok=True)
    from tqdm.auto import tqdm

    def report(record):
        if args.verbose:
            for loss in record.closure_losses:
                tqdm.write(f"  loss: {loss:.6e}")
        tqdm.write(
            f"step {record.step:2d}: train loss {record.train_loss:.4e}  "
            f"test loss {record.test_loss:.4e}  ({len(record.closure_losses)} closures, "
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
    history = train(recipe, steps=args.steps, device=device, cell=args.cell,
                    progress=not args.no_progress, callback=report)
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
        record = history.to_dict()
        record.update(command="python -m lstm_helpers.sine " + " ".join(argv),
                      torch=torch.__version__, threads=torch.get_num_threads(), device=device)
        Path(args.record).parent.mkdir(parents=True, exist_ok=True)
        Path(args.record).write_text(json.dumps(record, indent=1) + "\n")
        print(f"record written to {args.record}")
    return 0
