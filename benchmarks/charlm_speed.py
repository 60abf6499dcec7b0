"""Chapter 9's character model: training throughput in characters per second.

    python benchmarks/charlm_speed.py                 # hidden size 256, the CLI's default
    python benchmarks/charlm_speed.py --repeats 5 --steps 4

One truncated-BPTT training step of the CLI's model (`lstm_helpers.charlm`: embedding,
two-layer `nn.LSTM`, linear head; cross-entropy over (N, C, L), backward, clipping, Adam) on
windows of random characters, with the state carried and detached, timed in the same process
for every variant, interleaved, after one warm-up round; the median over --repeats rounds of
--steps steps each. Variants: the reference (float32, batch 32, window 128, as the CLI trains),
the same model in float64, with a batch of 8 windows, with windows of 32 characters, and the
CLI's model with dropout 0. It prints characters per second and the ratio to the reference.
Absolute numbers depend on the machine and its load; ratios measured side by side less so.
"""

import argparse
import statistics
import time

import torch
from torch import nn

from lstm_helpers.charlm import CharLM

V = 97  # the shipped vocabulary's size


def step_seconds(hidden: int, dtype, batch: int, bptt: int, dropout: float, steps: int) -> float:
    torch.manual_seed(0)
    model = CharLM(V, 32, hidden, 2, dropout).to(dtype).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)
    data = torch.randint(0, V, (steps, batch, bptt + 1), generator=g)
    loss_fn, state = nn.CrossEntropyLoss(), None
    start = time.perf_counter()
    for window in data:
        logits, state = model(window[:, :-1], state)
        state = tuple(s.detach() for s in state)
        loss = loss_fn(logits.permute(0, 2, 1), window[:, 1:])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return (time.perf_counter() - start) / steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    H = args.hidden_size
    variants = {  # name: (dtype, batch, bptt, dropout)
        "float32, batch 32, window 128 (reference)": (torch.float32, 32, 128, 0.1),
        "float64, batch 32, window 128": (torch.float64, 32, 128, 0.1),
        "float32, batch 8, window 128": (torch.float32, 8, 128, 0.1),
        "float32, batch 32, window 32": (torch.float32, 32, 32, 0.1),
        "float32, batch 32, window 128, no dropout": (torch.float32, 32, 128, 0.0),
    }
    times = {name: [] for name in variants}
    for v in variants.values():  # warm-up
        step_seconds(H, *v, steps=1)
    for _ in range(args.repeats):
        for name, v in variants.items():
            times[name].append(step_seconds(H, *v, steps=args.steps))
    print(f"hidden size {H}, 2 layers, V = {V}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread(s); median of {args.repeats} x {args.steps} steps")
    ref_name = next(iter(variants))
    ref = variants[ref_name][1] * variants[ref_name][2] / statistics.median(times[ref_name])
    print(f"{'variant':<44}{'ms/step':>9}{'chars/s':>10}{'vs reference':>14}")
    for name, (_, batch, bptt, _) in variants.items():
        t = statistics.median(times[name])
        rate = batch * bptt / t
        print(f"{name:<44}{1000 * t:>9.1f}{rate:>10.0f}{rate / ref:>13.2f}x")


if __name__ == "__main__":
    main()
