"""Sine-wave example: the fast recipe against the official (faithful) one, side by side.

    python benchmarks/sine_speed.py                    # 1 faithful step, extrapolated to 15
    python benchmarks/sine_speed.py --faithful-steps 3 # measure more faithful steps

Both run in this process, one after the other, with the same torch thread count. The fast
recipe runs until its test loss (the official one: MSE of the 3 test waves, all 999 steps)
is at most --target (1e-5). The official recipe needs 15 LBFGS steps of 20 closures each;
every one of its steps does the same work (20 closures and one 1999-step prediction), so its
time for 15 steps is EXTRAPOLATED from the mean of the first --faithful-steps steps (15
measured steps take 10-40 minutes here). The result is a ratio; absolute times depend on the
machine and its load. --closures also times one closure (forward + backward) per variant.
"""

import argparse
import statistics
import time
from dataclasses import replace

import torch

from lstm_helpers.sine import (
    FAITHFUL,
    FAST,
    Sequence,
    build,
    generate_sine_waves,
    predict,
    split_sine_data,
    test_loss,
    train,
)


def closure_seconds(recipe, repeat=2):
    model, split, criterion, _ = build(recipe)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        criterion(model(split.input), split.target).backward()
        times.append(time.perf_counter() - start)
    return min(times)


def float64_test_loss(model):
    """The model's test loss re-evaluated in float64 with the cell loop (the official way)."""
    m64 = Sequence(dtype=torch.float64)
    m64.load_state_dict({k: v.double().cpu() for k, v in model.state_dict().items()})
    split = split_sine_data(generate_sine_waves(), dtype=torch.float64)
    return test_loss(predict(m64, split.test_input, future=0), split.test_target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faithful-steps", type=int, default=1)
    parser.add_argument("--fast-repeats", type=int, default=2)
    parser.add_argument("--target", type=float, default=1e-5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--closures", action="store_true", help="also time one closure per variant")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dev = args.device
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), device {dev}")

    fast_runs = []
    for k in range(args.fast_repeats):
        h = train(FAST, steps=15, device=dev, progress=False, keep_predictions=False,
                  target_loss=args.target)
        reached = h.test_losses[-1] <= args.target
        loss64 = float64_test_loss(h.model)
        fast_runs.append(h.seconds)
        print(f"fast run {k}: {len(h.steps)} steps, {h.closures} closures, {h.seconds:.1f} s, "
              f"test loss {h.test_losses[-1]:.3e} (float32), {loss64:.3e} (re-evaluated in "
              f"float64){'' if reached else '  TARGET NOT REACHED'}")
    fast = statistics.median(fast_runs)

    h = train(FAITHFUL, steps=args.faithful_steps, device=dev, progress=False,
              keep_predictions=False)
    per_step = h.seconds / len(h.steps)
    faithful15 = 15 * per_step
    print(f"faithful: {len(h.steps)} measured step(s), {h.closures} closures, {h.seconds:.1f} s "
          f"-> {per_step:.1f} s per step; test losses "
          + ", ".join(f"{v:.3e}" for v in h.test_losses))
    how = "measured" if len(h.steps) == 15 else f"EXTRAPOLATED: {len(h.steps)} measured step(s)"
    print(f"faithful 15 steps: {faithful15:.0f} s ({how}, mean step x 15)")
    print(f"RATIO faithful 15 steps / fast to test loss <= {args.target:g}: "
          f"{faithful15 / fast:.1f}x")

    if args.closures:
        variants = {
            "faithful: float64, cell loop, 97 x 999": FAITHFUL,
            "float64, fused nn.LSTM, 97 x 999": replace(FAITHFUL, fused=True),
            "float32, cell loop, 97 x 999": replace(FAITHFUL, dtype="float32"),
            "float32, fused nn.LSTM, 97 x 999": replace(FAST, train_rows=None, train_length=None),
            "float32, cell loop, 32 x 300": replace(FAST, fused=False),
            "fast: float32, fused nn.LSTM, 32 x 300": FAST,
        }
        base = None
        for label, recipe in variants.items():
            s = closure_seconds(recipe)
            base = base or s
            print(f"closure  {label:42s} {s:7.3f} s  {base / s:5.1f}x")


if __name__ == "__main__":
    main()
