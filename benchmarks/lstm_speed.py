"""From-scratch LSTM versus torch.nn.LSTM: forward and forward+backward time, as ratios.

Usage::

    .venv/bin/python benchmarks/lstm_speed.py [--repeats 7] [--quick]

One torch thread. For each size, the implementations run interleaved (nn.LSTM, ours, ...,
repeated), with the same weights, and the script prints the median time of each and the
ratio ours / nn.LSTM (below 1: ours is faster). "ours (bptt)" is the default
``lstm_helpers.lstm.LSTM`` (hand-derived backward); "ours (autograd)" is the same module with
``use_bptt = False`` (the loop of ``lstm_layer`` recorded by autograd).

Sizes: (a) L=100, N=32, H_in=64, H=128, one layer, float32; (b) the sine example: L=999,
N=97, H_in=1, two layers of 51, float64.
"""

import argparse

import torch
from _harness import interleaved, ratios, threads_line
from torch import nn

from lstm_helpers.lstm import LSTM

CASES = {
    "(a) L=100 N=32 H_in=64 H=128 float32": dict(
        L=100, N=32, H_in=64, H=128, layers=1, dtype=torch.float32
    ),
    "(b) sine: L=999 N=97 H_in=1 2x51 float64": dict(
        L=999, N=97, H_in=1, H=51, layers=2, dtype=torch.float64
    ),
}


def _models(case):
    ref = nn.LSTM(case["H_in"], case["H"], num_layers=case["layers"], dtype=case["dtype"])
    ours = LSTM(case["H_in"], case["H"], num_layers=case["layers"], dtype=case["dtype"])
    ours.load_state_dict(ref.state_dict())
    autograd = LSTM(case["H_in"], case["H"], num_layers=case["layers"], dtype=case["dtype"])
    autograd.load_state_dict(ref.state_dict())
    autograd.use_bptt = False
    return {"nn.LSTM": ref, "ours (bptt)": ours, "ours (autograd)": autograd}


def _call(model, x, backward):
    """One forward (and backward) pass of ``model`` on ``x``, as a function to time."""

    def run():
        if backward:
            out, (h, c) = model(x)
            (out.sum() + h.sum() + c.sum()).backward()
        else:
            with torch.no_grad():
                model(x)

    return run


def run(repeats, cases):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(threads_line(f"medians of {repeats} interleaved repeats (after 1 warm-up)"))
    for name, case in cases.items():
        models = _models(case)
        x = torch.randn(case["L"], case["N"], case["H_in"], dtype=case["dtype"],
                        requires_grad=True)
        print(f"\n{name}")
        print(f"  {'':16s} {'forward':>12s} {'ratio':>7s} {'fwd+bwd':>12s} {'ratio':>7s}")
        variants = {(label, b): _call(m, x, b) for b in (False, True)
                    for label, m in models.items()}
        times = interleaved(variants, repeats)
        fwd = ratios({k[0]: v for k, v in times.items() if not k[1]}, "nn.LSTM")
        both = ratios({k[0]: v for k, v in times.items() if k[1]}, "nn.LSTM")
        for label in models:
            (f, rf), (fb, rfb) = fwd[label], both[label]
            print(f"  {label:16s} {f * 1e3:9.1f} ms {rf:6.2f}x {fb * 1e3:9.1f} ms {rfb:6.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="only size (a)")
    args = parser.parse_args()
    cases = dict(list(CASES.items())[:1]) if args.quick else CASES
    run(args.repeats, cases)


if __name__ == "__main__":
    main()
