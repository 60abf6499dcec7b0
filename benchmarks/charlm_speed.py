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

import torch
from _harness import interleaved, ratios, threads_line
from torch import nn

from lstm_helpers.charlm import CharLM

V = 97  # the shipped vocabulary's size


def training_steps(hidden: int, dtype, batch: int, bptt: int, dropout: float, steps: int):
    """``steps`` truncated-BPTT windows of training, as a function to time."""
    torch.manual_seed(0)
    model = CharLM(V, 32, hidden, 2, dropout).to(dtype).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)
    data = torch.randint(0, V, (steps, batch, bptt + 1), generator=g)
    loss_fn = nn.CrossEntropyLoss()

    def run():
        state = None
        for window in data:
            logits, state = model(window[:, :-1], state)
            state = tuple(s.detach() for s in state)
            loss = loss_fn(logits.permute(0, 2, 1), window[:, 1:])  # (N, C, L) against (N, L)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()

    return run


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
    times = interleaved({name: training_steps(H, *v, steps=args.steps)
                         for name, v in variants.items()}, args.repeats)
    print(f"hidden size {H}, 2 layers, V = {V}; "
          + threads_line(f"median of {args.repeats} x {args.steps} steps, interleaved"))
    ref_name = next(iter(variants))
    ref_chars = variants[ref_name][1] * variants[ref_name][2]
    print(f"{'variant':<44}{'ms/step':>9}{'chars/s':>10}{'vs reference':>14}")
    for name, (median, ratio) in ratios(times, ref_name).items():
        _, batch, bptt, _ = variants[name]
        t = median / args.steps
        rate = batch * bptt / t
        ref_rate = ref_chars / (median / ratio / args.steps)
        print(f"{name:<44}{1000 * t:>9.1f}{rate:>10.0f}{rate / ref_rate:>13.2f}x")


if __name__ == "__main__":
    main()
