"""Sine-wave example: time to a forecaster, and time to a low test loss, side by side.

    python benchmarks/sine_speed.py                  # both lines, measured (the official one
                                                     # takes an hour on one busy core)
    python benchmarks/sine_speed.py --forecast-only  # the forecasting recipe alone
    python benchmarks/sine_speed.py --no-test-loss   # the first line only
    python benchmarks/sine_speed.py --from-records   # quick: what the shipped records spent

1. Time to a forecaster: the wall time until the free-running MSE on the validation waves
   (``lstm_helpers.sine.unseen_waves("validation")``, 1000 future steps) is at most --target
   (1e-3), for the forecasting recipe (``FORECAST``) and the REPAIRED official recipe (the
   official one with only the strong-Wolfe line search added), each for at most its
   --max-steps. A recipe that never gets there reports its best.
2. Time to a test loss of 1e-5 (the official teacher-forced score), fast recipe against the
   repaired official one: the ratio of the earlier benchmark, kept as a second line.

Both run in this process, one after the other, with the same torch thread count; every time is
measured, none extrapolated. Absolute times depend on the machine and its load; report the
machine and the load with them.
"""

import argparse
import statistics
from dataclasses import replace

import torch
from _harness import threads_line

from lstm_helpers import records
from lstm_helpers.sine import FAST, FORECAST, Config, load_record, train, work_to_target

#: the official recipe with only the line search added
REPAIRED = Config(recipe="faithful", line_search_fn="strong_wolfe")


def to_forecaster(config, target, max_steps, device):
    r = train(replace(config, steps=max_steps), device=device, keep_predictions=False,
              target_val_mse=target)
    vals = [s["val_future_mse"] for s in r.metrics]
    best = min((v for v in vals if v is not None), default=float("nan"))
    reached = best <= target
    seconds = sum(s["seconds"] for s in r.metrics)
    label = "+".join([config.recipe, *(f"{k}={v}" for k, v in config.changes().items())])
    print(f"{label}: {len(r.metrics)} steps, {r.result['closures']} closures, {seconds:.1f} s; "
          f"best validation free-running MSE {best:.3e}"
          f"{'' if reached else '  TARGET NOT REACHED'}", flush=True)
    return seconds, reached, best


def to_test_loss(config, target, max_steps, device):
    r = train(replace(config, steps=max_steps), device=device, keep_predictions=False,
              target_loss=target)
    last = r.metrics[-1]["test_loss"]
    seconds = sum(s["seconds"] for s in r.metrics)
    print(f"{config.recipe}: {len(r.metrics)} steps, {r.result['closures']} closures, "
          f"{seconds:.1f} s, test loss {last:.3e}"
          f"{'' if last <= target else '  TARGET NOT REACHED'}", flush=True)
    return seconds, last <= target


def from_records(target):
    """What the shipped records spent: the forecast seeds, and the repaired official run."""
    names = [n for n in records.shipped_names("sine") if n.startswith("forecast_seed")]
    spent = []
    for name in names:
        got = work_to_target(load_record(name), target, key="val_future_mse")
        spent.append(None if got is None else got[2])
        print(f"{name}: " + ("never reached" if got is None else
                             f"validation free-running MSE <= {target:g} after step {got[0]}, "
                             f"{got[1]} closures, {got[2]:.0f} s (record)"))
    done = [s for s in spent if s is not None]
    if done:
        print(f"forecast: median {statistics.median(done):.0f} s over {len(done)} seeds "
              f"({len(spent) - len(done)} never reached it)")
    repaired = load_record("faithful_wolfe")
    futures = [s["future_mse"] for s in repaired.metrics]
    k = min(range(len(futures)), key=futures.__getitem__)
    print(f"repaired official (record, no validation waves): best free-running MSE "
          f"{futures[k]:.2e} on the 3 official test rows after step {k}; final {futures[-1]:.2e}"
          f"; {repaired.seconds:.0f} s in all")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=1e-3,
                        help="free-running MSE on the validation waves (default 1e-3)")
    parser.add_argument("--test-target", type=float, default=1e-5,
                        help="test loss of the second line (default 1e-5)")
    parser.add_argument("--max-steps", type=int, default=30)
    parser.add_argument("--official-max-steps", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--forecast-only", action="store_true")
    parser.add_argument("--no-test-loss", action="store_true", help="skip the second line")
    parser.add_argument("--from-records", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(threads_line(f"device {args.device}"))
    if args.from_records:
        from_records(args.target)
        return
    forecast = to_forecaster(FORECAST, args.target, args.max_steps, args.device)
    if args.forecast_only:
        return
    repaired = to_forecaster(REPAIRED, args.target, args.official_max_steps, args.device)
    if forecast[1] and repaired[1]:
        print(f"TIME TO A FORECASTER (validation MSE <= {args.target:g}): repaired official "
              f"{repaired[0]:.0f} s, forecast {forecast[0]:.0f} s: "
              f"{repaired[0] / forecast[0]:.1f}x")
    else:
        print(f"TIME TO A FORECASTER: forecast {forecast[0]:.0f} s "
              f"({'reached' if forecast[1] else 'best ' + format(forecast[2], '.2e')}); "
              f"repaired official {repaired[0]:.0f} s "
              f"({'reached' if repaired[1] else 'best ' + format(repaired[2], '.2e')})")
    if args.no_test_loss:
        return
    fast, ok_fast = to_test_loss(FAST, args.test_target, 15, args.device)
    slow, ok_slow = to_test_loss(REPAIRED, args.test_target, args.official_max_steps,
                                 args.device)
    if ok_fast and ok_slow:
        print(f"TEST LOSS <= {args.test_target:g}: repaired official / fast {slow / fast:.1f}x "
              f"({slow:.0f} s / {fast:.1f} s)")


if __name__ == "__main__":
    main()
