"""Exercise checks of chapter 8 (``book/08_classify.ipynb``).

8.1 (building) a collate function: padding and lengths; 8.2 (understanding) the permute
before a per-step cross-entropy; 8.3 (building) inverse-frequency class weights;
8.4 (building) the right final state of a padded batch.
"""

import torch

from .._checks import format_shape
from ._core import call_learner_function, checker, correct, hint

__all__ = ["check_collate", "check_last_state", "check_permute", "check_weights"]


def _batch():
    gen = torch.Generator().manual_seed(8)
    lengths = [3, 5, 2]
    xs = [torch.randn(n, 4, generator=gen, dtype=torch.float64) + 1.0 for n in lengths]
    return [(x, y) for x, y in zip(xs, (2, 0, 1), strict=True)], lengths


@checker
def check_collate(fn):
    """Exercise 8.1: ``collate(batch) -> (x, lengths, y)``; ``x`` (N, L_max, H_in) zero padded."""
    batch, lengths = _batch()
    out = call_learner_function(fn, batch)
    if not isinstance(out, tuple | list) or len(out) != 3:
        return hint("return three things, in this order: x, lengths, y.")
    x, got_lengths, y = out
    if not torch.is_tensor(x):
        return hint(f"x should be one tensor, got {type(x).__name__}: pad the sequences "
                    "(torch.nn.utils.rnn.pad_sequence) into a single tensor.")
    if x.shape == (5, 3, 4):
        return hint("x is (L_max, N, H_in): time first. The DataLoader batch should be batch "
                    "first, (N, L_max, H_in): pad_sequence has an argument for that.")
    if x.shape != (3, 5, 4):
        return hint(f"three sequences of lengths 3, 5, 2 with 4 features make x of shape "
                    f"(N, L_max, H_in) = (3, 5, 4); got {format_shape(x.shape)}.")
    want = torch.zeros(3, 5, 4, dtype=torch.float64)
    for k, (seq, _) in enumerate(batch):
        want[k, : seq.size(0)] = seq
    if not torch.equal(x[want != 0], want[want != 0]):
        return hint("the real steps of x are not the input sequences in order: keep each "
                    "sequence in its own row, starting at step 0.")
    if not torch.equal(x, want):
        return hint("the pad steps (after each sequence's end) should be zeros.")
    if not torch.is_tensor(got_lengths):
        return hint(f"lengths should be a tensor (int64), got {type(got_lengths).__name__}.")
    if got_lengths.dtype != torch.int64:
        return hint(f"lengths should be int64, got {got_lengths.dtype}.")
    if got_lengths.tolist() == [5, 5, 5]:
        return hint("every length is 5: measure each sequence before padding, not after.")
    if got_lengths.tolist() != lengths:
        return hint("lengths should hold each sequence's own number of steps, in batch order.")
    if not torch.is_tensor(y) or y.dtype != torch.int64:
        return hint("y should be an int64 tensor of the labels (CrossEntropyLoss needs int64).")
    if y.tolist() != [2, 0, 1]:
        return hint("y should hold the labels in batch order.")
    return correct("x (3, 5, 4) zero padded, lengths [3, 5, 2], labels [2, 0, 1]: ready for "
                   "a DataLoader's collate_fn.")


@checker
def check_permute(fn):
    """Exercise 8.2: ``to_loss_layout(logits)``: (N, L, C) -> (N, C, L), same numbers."""
    gen = torch.Generator().manual_seed(2)
    logits = torch.randn(2, 3, 4, generator=gen)  # (N=2, L=3, C=4)
    out = call_learner_function(fn, logits.clone())
    if not torch.is_tensor(out):
        return hint(f"return a tensor, got {type(out).__name__}.")
    want = logits.permute(0, 2, 1)  # (N, C, L)
    if out.shape == logits.shape and torch.equal(out, logits):
        return hint("unchanged: CrossEntropyLoss reads dimension 1 as the classes, and here "
                    "dimension 1 is time.")
    if out.shape == (3, 4, 2) or out.shape == (3, 2, 4):
        return hint(f"shape {format_shape(out.shape)}: the batch dimension must stay first.")
    if out.shape != want.shape:
        return hint(f"for logits (N, L, C) = (2, 3, 4) the loss wants (N, C, L) = (2, 4, 3); "
                    f"got {format_shape(out.shape)}.")
    if torch.equal(out, logits.reshape(2, 4, 3)):
        return hint("right shape, scrambled numbers: view/reshape reads the memory in a new "
                    "shape, it does not move an axis. Which function swaps two dimensions?")
    if not torch.equal(out, want):
        return hint("right shape, wrong numbers: out[n, c, t] must be logits[n, t, c].")
    return correct("permute(0, 2, 1) (or transpose(1, 2)) moves the classes to dimension 1 "
                   "and keeps every number with its step.")


@checker
def check_weights(fn):
    """Exercise 8.3: ``weights(labels, C)`` -> ``w_c = N / (C n_c)``, shape (C,)."""
    labels = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 1])  # counts 8, 3, 1; N = 12
    C = 4  # class 3 never appears
    out = call_learner_function(fn, labels.clone(), C)
    if not torch.is_tensor(out):
        return hint(f"return a tensor of C weights, got {type(out).__name__}.")
    counts = torch.tensor([8.0, 3.0, 1.0, 0.0], dtype=torch.float64)
    if out.shape != (C,):
        if out.shape == (3,):
            return hint("3 weights for C = 4 classes: a class can be missing from the labels; "
                        "torch.bincount has an argument for the number of bins.")
        return hint(f"one weight per class: expected shape ({C},), got {format_shape(out.shape)}.")
    if not out.is_floating_point():
        return hint(f"the weights must be floating point (CrossEntropyLoss's weight), got "
                    f"{out.dtype}.")
    out = out.double()
    seen = counts > 0
    want = 12 / (C * counts[seen])
    if torch.allclose(out[seen], counts[seen]) or torch.allclose(out[seen], counts[seen] / 12):
        return hint("these grow with the class frequency: the rare class must weigh most.")
    if not torch.isfinite(out).all():
        return hint("a class with no example gave inf or nan: give it weight 0 (it is never "
                    "a target, so its weight is never used).")
    if torch.allclose(out[seen], 1 / counts[seen]):
        return hint("1/n_c has the right proportions (and the weighted mean would not "
                    "change), but use the usual scale N / (C n_c): balanced classes get 1.")
    if not torch.allclose(out[seen], want):
        return hint("w_c = N / (C n_c): N labels in all, C classes, n_c labels of class c.")
    if out[3] != 0:
        return hint("the missing class should get weight 0.")
    return correct("w = N / (C n_c): 0.375, 1.0, 3.0, and 0 for the class with no example.")


@checker
def check_last_state(fn):
    """Exercise 8.4: ``last_state(output, lengths)``: output (N, L, H) -> (N, H), the output
    at each sequence's own last step."""
    gen = torch.Generator().manual_seed(4)
    output = torch.randn(3, 5, 2, generator=gen)  # (N, L, H)
    lengths = torch.tensor([3, 4, 1])  # no sequence fills all 5 steps
    try:
        out = call_learner_function(fn, output.clone(), lengths.clone())
    except IndexError:
        return hint("an index ran past the end: dimension 0 is the batch, dimension 1 time, and "
                    "a sequence of length n ends at time index n - 1.")
    if not torch.is_tensor(out):
        return hint(f"return a tensor, got {type(out).__name__}.")
    want = output[torch.arange(3), lengths - 1]  # (N, H)
    if out.shape != want.shape:
        return hint(f"one row of H numbers per sequence: expected (3, 2), got "
                    f"{format_shape(out.shape)}.")
    if torch.equal(out, output[:, -1]):
        return hint("output[:, -1] is step L-1 for every sequence: a pad step for every sequence "
                    "shorter than L. Use each sequence's own length.")
    if torch.equal(out, output[torch.arange(3), lengths]):
        return hint("off by one: a sequence of length n ends at index n - 1.")
    if torch.equal(out, output[torch.arange(3), 0]):
        return hint("that is the first step; the final state is at index lengths - 1.")
    if not torch.equal(out, want):
        return hint("row n should be output[n, lengths[n] - 1].")
    return correct("output[arange(N), lengths - 1]: the state after each sequence's own last "
                   "step (the same numbers as h_n of a packed batch).")
