"""Chapter 8: training throughput of nn.LSTM on padded versus packed batches.

    python benchmarks/classify_speed.py                 # float32 and float64, H = 32 and 128
    python benchmarks/classify_speed.py --repeats 7 --device cuda

One training epoch over the 216 Japanese Vowels training utterances (batch 32, Adam, the
chapter's SequenceClassifier) per variant, interleaved, 1 warm-up round then --repeats timed
rounds; prints the median sequences per second and the ratio to the padded variant:

- padded: the whole padded batch through the LSTM, the output at each own last step
  (``readout="gather"``);
- packed: ``pack_padded_sequence(..., enforce_sorted=False)`` (sorts every batch by length,
  then unsorts h_n);
- packed, sorted: the batches come sorted longest first and ``enforce_sorted=True`` skips
  the sort.
"""

import argparse
import statistics
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_helpers.classify import SequenceClassifier, collate, make_splits


class SortedPacked(SequenceClassifier):
    """Packed input from batches already sorted longest first (enforce_sorted=True)."""

    def features(self, x, lengths):
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=True)
        _, (h_n, _) = self.rnn(packed)
        return h_n[-1]  # (N, H)


def batches(dataset, batch_size, dtype, device, sort):
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(0)).tolist()
    out = []
    for start in range(0, len(order), batch_size):
        items = [dataset[k] for k in order[start:start + batch_size]]
        if sort:
            items.sort(key=lambda item: -item[0].size(0))
        x, lengths, y = collate(items)
        out.append((x.to(device=device, dtype=dtype), lengths, y.to(device)))
    return out


def epoch_seconds(model, data, device):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    for x, lengths, y in data:
        optimizer.zero_grad()
        loss_fn(model(x, lengths), y).backward()
        optimizer.step()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--hidden", nargs="+", type=int, default=[32, 128])
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train = make_splits().train
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {args.device}, "
          f"{len(train)} sequences per epoch, batch {args.batch_size}")
    print("| dtype | H | variant | sequences/s | ratio to padded |")
    print("| --- | ---: | --- | ---: | ---: |")
    for dtype_name in args.dtypes:
        dtype = getattr(torch, dtype_name)
        for hidden in args.hidden:
            variants = {}
            for name, cls, readout, sort in (("padded", SequenceClassifier, "gather", False),
                                             ("packed", SequenceClassifier, "packed", False),
                                             ("packed, sorted", SortedPacked, "packed", True)):
                torch.manual_seed(0)
                model = cls(12, hidden, 9, readout=readout, device=args.device, dtype=dtype)
                data = batches(train, args.batch_size, dtype, args.device, sort)
                variants[name] = (model, data, [])
            for round_ in range(args.repeats + 1):
                for model, data, times in variants.values():
                    seconds = epoch_seconds(model, data, args.device)
                    if round_:  # round 0 warms up
                        times.append(seconds)
            base = len(train) / statistics.median(variants["padded"][2])
            for name, (_, _, times) in variants.items():
                rate = len(train) / statistics.median(times)
                print(f"| {dtype_name} | {hidden} | {name} | {rate:,.0f} | {rate / base:.2f}x |",
                      flush=True)


if __name__ == "__main__":
    main()
