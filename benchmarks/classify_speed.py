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

import torch
from _harness import interleaved, ratios, threads_line
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


def epoch(model, data):
    """One training epoch of ``model`` over ``data``, as a function to time."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def run():
        for x, lengths, y in data:
            optimizer.zero_grad()
            loss_fn(model(x, lengths), y).backward()
            optimizer.step()

    return run


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
    print(threads_line(f"{args.device}, {len(train)} sequences per epoch, "
                       f"batch {args.batch_size}"))
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
                variants[name] = epoch(model, data)
            times = interleaved(variants, args.repeats, device=args.device)
            for name, (median, ratio) in ratios(times, "padded").items():
                rate = len(train) / median  # a rate: the ratio to padded is 1 / time ratio
                print(f"| {dtype_name} | {hidden} | {name} | {rate:,.0f} | {1 / ratio:.2f}x |",
                      flush=True)


if __name__ == "__main__":
    main()
