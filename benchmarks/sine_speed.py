"""Sine-wave example: the fast recipe against the REPAIRED official one, side by side.

    python benchmarks/sine_speed.py                 # both until test loss <= 1e-5, measured
    python benchmarks/sine_speed.py --closures      # also one closure of each variant
    python benchmarks/sine_speed.py --from-records  # quick: closure counts from the records

--from-records is an ESTIMATE for a busy machine: it times one closure and one prediction of
each recipe side by side (interleaved, best of --repeats), and multiplies them by the closure
calls and steps that the shipped records needed to reach the target.

The repaired official recipe is the official one (float64, the two-LSTMCell loop, LBFGS
lr=0.8, all 97 training waves, 20 iterations a step) with ONE change, the strong-Wolfe line
search that stops the blow-up. The fast recipe (lstm_helpers.sine.FAST) adds the speed-ups:
float32, the fused two-layer nn.LSTM, a training slice, lr=1.0. Both run in this process, one
after the other, with the same torch thread count, until their test loss (the official one:
MSE of the 3 test waves over all 999 teacher-forced steps) is at most --target, or for at most
--max-steps LBFGS steps. Every time is measured, none extrapolated. The result is a ratio;
absolute times depend on the machine and its load. The free-running MSE (the 1000 future
steps against the true sine) is printed too: a low test loss does not promise a good
continuation.
"""

import argparse
import statistics
import time
from dataclasses import replace

import torch

from lstm_helpers.sine import FAITHFUL, FAST, build, load_record, predict, train, work_to_target

#: the official recipe with only the line search added
REPAIRED = replace(FAITHFUL, name="faithful+line_search=strong_wolfe",
                   line_search_fn="strong_wolfe")


def closure_seconds(recipe, repeat=2):
    model, split, criterion, _ = build(recipe)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        criterion(model(split.input), split.target).backward()
        times.append(time.perf_counter() - start)
    return min(times)


def predict_seconds(recipe, repeat=2):
    model, split, _, _ = build(recipe)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        predict(model, split.test_input, future=recipe.future)
        times.append(time.perf_counter() - start)
    return min(times)


def from_records(target, repeats):
    """Closure calls and steps to the target from the records, times measured side by side."""
    work = {}
    for label, recipe, name in (("fast", FAST, "fast"), ("repaired", REPAIRED, "faithful_wolfe")):
        reached = work_to_target(load_record(name), target)
        if reached is None:
            print(f"{label}: the record never reaches {target:g}")
            return
        step, calls, _ = reached
        work[label] = (recipe, calls, step + 1)
    best = {label: [float("inf"), float("inf")] for label in work}
    for _ in range(repeats):  # interleaved, so that both see the same load
        for label, (recipe, _, _) in work.items():
            best[label][0] = min(best[label][0], closure_seconds(recipe, repeat=1))
            best[label][1] = min(best[label][1], predict_seconds(recipe, repeat=1))
    total = {}
    for label, (_, calls, steps) in work.items():
        closure, pred = best[label]
        total[label] = calls * closure + steps * pred
        print(f"{label}: {steps} steps, {calls} closure calls to test loss <= {target:g} "
              f"(record); closure {closure:.3f} s, prediction {pred:.3f} s (measured) -> "
              f"{total[label]:.0f} s ESTIMATED")
    print(f"RATIO repaired official / fast (ESTIMATED from records): "
          f"{total['repaired'] / total['fast']:.1f}x")


def run_to_target(recipe, target, max_steps, device):
    h = train(recipe, steps=max_steps, device=device, progress=False, keep_predictions=False,
              target_loss=target)
    reached = h.test_losses[-1] <= target
    print(f"{recipe.name}: {len(h.steps)} steps, {h.closures} closures, {h.seconds:.1f} s, "
          f"test loss {h.test_losses[-1]:.3e}, free-running MSE {h.steps[-1].future_mse:.3e}"
          f"{'' if reached else '  TARGET NOT REACHED'}", flush=True)
    return h.seconds, reached


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=1e-5)
    parser.add_argument("--max-steps", type=int, default=15)
    parser.add_argument("--fast-repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--closures", action="store_true", help="also time one closure per variant")
    parser.add_argument("--from-records", action="store_true",
                        help="estimate from the records' closure counts (see above)")
    parser.add_argument("--repeats", type=int, default=3, help="timings for --from-records")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), device {args.device}")
    if args.from_records:
        from_records(args.target, args.repeats)
        return

    fast = [run_to_target(FAST, args.target, args.max_steps, args.device)
            for _ in range(args.fast_repeats)]
    repaired, reached = run_to_target(REPAIRED, args.target, args.max_steps, args.device)
    fast_s = statistics.median(s for s, _ in fast)
    if reached and all(ok for _, ok in fast):
        print(f"RATIO repaired official / fast, to test loss <= {args.target:g}: "
              f"{repaired / fast_s:.1f}x ({repaired:.0f} s / {fast_s:.1f} s, fast: median of "
              f"{len(fast)})")
    else:
        print("no ratio: a recipe did not reach the target within --max-steps")

    if args.closures:
        variants = {
            "official: float64, cell loop, 97 x 999": FAITHFUL,
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
