"""Long-time-lag tasks: training sequences per second, LSTM against RNN, float32 and float64.

    python benchmarks/longlag_speed.py                  # adding problem, T = 100
    python benchmarks/longlag_speed.py --task order --lag 100 --repeats 5

One training step (forward, loss, backward, clipping, Adam) of the CLI's network
(`lstm_helpers.longlag`, hidden size 16) on a fresh batch, timed in the same process for
every variant, interleaved, after one warm-up round; the median over --repeats rounds of
--steps steps each. It prints sequences per second and the ratio to the reference (the
LSTM in float32, the CLI's default). Absolute numbers depend on the machine and its load.
"""

import argparse

import torch
from _harness import interleaved, ratios, threads_line
from torch import nn

from lstm_helpers.longlag import Config, make_batch, make_model, sequence_errors


def training_steps(config: Config, steps: int):
    """``steps`` Adam steps of ``config``'s model on fixed batches, as a function to time."""
    model = make_model(config)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    g = torch.Generator().manual_seed(0)
    batches = [make_batch(config, config.batch_size, g) for _ in range(steps)]

    def run():
        for b in batches:
            loss, _, _ = sequence_errors(config.task, model(b.x, b.lengths), b.target)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="adding", choices=("adding", "order", "order3"))
    parser.add_argument("--lag", type=int, default=100)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    variants = [(cell, dtype, B) for B in args.batch_sizes for dtype in ("float32", "float64")
                for cell in ("lstm", "rnn")]
    configs = {v: Config(task=args.task, lag=args.lag, cell=v[0], dtype=v[1], batch_size=v[2])
               for v in variants}
    times = interleaved({v: training_steps(configs[v], args.steps) for v in variants},
                        args.repeats)
    print(f"{args.task}, T = {args.lag}, hidden size 16; "
          + threads_line(f"median of {args.repeats} x {args.steps} steps, interleaved"))
    print(f"{'cell':<6}{'dtype':<9}{'batch':>6}{'ms/step':>10}{'seq/s':>9}{'vs LSTM f32':>13}")
    for B in args.batch_sizes:
        same = {v: t for v, t in times.items() if v[2] == B}
        for (cell, dtype, b), (median, ratio) in ratios(same, ("lstm", "float32", B)).items():
            t = median / args.steps
            print(f"{cell:<6}{dtype:<9}{b:>6}{1000 * t:>10.1f}{b / t:>9.0f}{1 / ratio:>12.2f}x")


if __name__ == "__main__":
    main()
