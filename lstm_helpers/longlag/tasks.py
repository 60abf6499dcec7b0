"""The long-time-lag tasks of Hochreiter and Schmidhuber (1997), and their baselines.

- :func:`adding_problem`: Experiment 4. Pairs (value in U[-1, 1], marker in {1, 0, -1});
  the target, at the end only, is ``0.5 + (X1 + X2) / 4`` for the two marked values.
- :func:`temporal_order`: Experiment 6 (6a: two relevant symbols, 4 classes; 6b: three, 8).

Sequences of one batch have different lengths (``T`` to ``T + T/10``, as in the paper); they
are padded at the end with zeros and come with their ``lengths``. An LSTM reads left to
right, so its output at step ``lengths[n] - 1`` does not depend on the padding after it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from .._checks import check_int

__all__ = [
    "ADDING_TOLERANCE", "ORDER_SYMBOLS", "Batch", "adding_chance", "adding_problem",
    "bag_of_symbols", "order_blind_accuracy", "order_positions", "temporal_order",
]

#: A sequence of the adding problem counts as correct when its absolute error is below this.
ADDING_TOLERANCE = 0.04

#: The temporal-order alphabet, one-hot in this order: a, b, c, d distractors, X and Y the
#: relevant symbols, E starts a sequence, B (the trigger) ends it.
ORDER_SYMBOLS = ("a", "b", "c", "d", "X", "Y", "E", "B")


class Batch(NamedTuple):
    x: torch.Tensor  # (L_max, N, H_in) padded with zeros after each sequence's end
    lengths: torch.Tensor  # (N,) int64, each between T and T + T // 10
    target: torch.Tensor  # (N,) float (adding) or int64 class indices (temporal order)


def _check_lag(T, minimum):
    if isinstance(T, bool) or not isinstance(T, int):
        raise TypeError(f"T (the lag) must be an int, got {type(T).__name__}")
    if T < minimum:
        raise ValueError(f"T (the lag) must be at least {minimum}: expected T >= {minimum}, "
                         f"got {T}")


def _check_batch(batch_size):
    check_int("batch_size", batch_size)


def _lengths(batch_size, T, generator):
    return torch.randint(T, T + T // 10 + 1, (batch_size,), generator=generator)  # (N,)


def adding_problem(batch_size: int, T: int, *, generator=None,
                   dtype=torch.float64) -> Batch:
    """A batch of the adding problem (Experiment 4 of the 1997 paper).

    Each step is a pair (value, marker). Values are drawn from U[-1, 1]. X1 is marked (marker
    1) among the first 10 pairs, X2 among the first T/2 - 1 pairs not yet marked; the first
    and the last pair have marker -1 unless marked; all others 0. If the first pair is
    marked, its value is set to 0 (the paper: "X1 is set to zero in the rare case where the
    first pair of the sequence got marked"; here whichever of X1, X2 it is). Target:
    ``0.5 + (X1 + X2) / 4``, in [0, 1].

    Args:
        batch_size: N. T: the minimal length (the paper's T; at least 20).
        generator: a ``torch.Generator`` (default: the global one). dtype: default float64.

    Returns:
        :class:`Batch` with ``x`` (L_max, N, 2), ``lengths`` (N,), ``target`` (N,).
    """
    _check_batch(batch_size)
    _check_lag(T, 20)
    N = batch_size
    lengths = _lengths(N, T, generator)  # (N,)
    L = int(lengths.max())
    values = torch.rand(L, N, generator=generator, dtype=dtype) * 2 - 1  # (L, N)
    p1 = torch.randint(0, 10, (N,), generator=generator)  # (N,)
    q = torch.randint(0, T // 2 - 1, (N,), generator=generator)  # (N,)
    p2 = q + (q >= p1).long()  # (N,) the q-th unmarked pair
    n = torch.arange(N)
    steps = torch.arange(L)[:, None]  # (L, 1)
    values[0, (p1 == 0) | (p2 == 0)] = 0.0  # a marked first pair has the value 0
    values = values * (steps < lengths).to(dtype)  # (L, N) zero padding
    markers = torch.zeros(L, N, dtype=dtype)  # (L, N)
    markers[0] = -1.0
    markers[lengths - 1, n] = -1.0
    markers[p1, n] = 1.0
    markers[p2, n] = 1.0
    target = 0.5 + (values[p1, n] + values[p2, n]) / 4  # (N,)
    x = torch.stack([values, markers], dim=2)  # (L, N, 2)
    return Batch(x, lengths, target)


def adding_chance(T: int = 100) -> dict:
    """Always predicting 0.5 on the adding problem: exact mean squared error and share correct.

    Both marked values are U[-1, 1], except that a marked first pair has the value 0: with
    probability ``p0 = 1/10 + 9/10 * 1/(T//2 - 1)`` (X1 there, or X2 there). Then
    MSE = Var(X1 + X2) / 16 = (2/3 - p0/3) / 16 (1/24 if no value were ever 0). Correct:
    |X1 + X2| / 4 < 0.04, i.e. |X1 + X2| < 0.16: the triangular density of a sum of two
    uniforms, or a single uniform when one value is 0.
    """
    _check_lag(T, 20)
    a = 4 * ADDING_TOLERANCE  # 0.16
    p0 = 1 / 10 + 9 / 10 / (T // 2 - 1)
    mse = (2 / 3 - p0 / 3) / 16
    p_sum = 2 * (2 * a - a * a / 2) / 4  # P(|U1 + U2| < a), density (2 - |s|)/4
    correct = (1 - p0) * p_sum + p0 * a
    return {"mse": mse, "correct": correct, "mse_if_never_zero": 1 / 24}


def order_positions(T: int, n_relevant: int) -> list[tuple[int, int]]:
    """Windows (first, last, inclusive) for the relevant symbols, scaled from the paper's T=100.

    Experiment 6a (two symbols): t1 in [10, 20], t2 in [50, 60]; 6b (three): t1 in [10, 20],
    t2 in [33, 43], t3 in [66, 76], for sequences of 100 to 110 steps. For another ``T``
    every bound is scaled by ``T / 100``.
    """
    windows = {2: [(10, 20), (50, 60)], 3: [(10, 20), (33, 43), (66, 76)]}
    if n_relevant not in windows:
        raise ValueError(f"n_relevant must be 2 (task 6a) or 3 (task 6b), got {n_relevant!r}")
    return [(round(a * T / 100), round(b * T / 100)) for a, b in windows[n_relevant]]


def temporal_order(batch_size: int, T: int = 100, n_relevant: int = 2, *, generator=None,
                   dtype=torch.float64) -> Batch:
    """A batch of the temporal order problem (Experiment 6a, or 6b with ``n_relevant=3``).

    A sequence starts with E, ends with the trigger B, and holds random distractors a, b, c, d
    except at ``n_relevant`` positions (one in each window of :func:`order_positions`) that
    hold X or Y. The class is the order of the X/Y symbols read as a binary number (X = 0,
    Y = 1, first symbol highest): 6a's classes Q, R, S, U are XX, XY, YX, YY = 0, 1, 2, 3.

    Returns:
        :class:`Batch` with one-hot ``x`` (L_max, N, 8), ``lengths`` (N,), ``target`` (N,)
        int64 class indices in ``[0, 2**n_relevant)``.
    """
    _check_batch(batch_size)
    _check_lag(T, 20)
    windows = order_positions(T, n_relevant)
    N = batch_size
    lengths = _lengths(N, T, generator)  # (N,)
    L = int(lengths.max())
    n = torch.arange(N)
    symbols = torch.randint(0, 4, (L, N), generator=generator)  # (L, N) distractors a..d
    symbols[0] = ORDER_SYMBOLS.index("E")
    symbols[lengths - 1, n] = ORDER_SYMBOLS.index("B")
    target = torch.zeros(N, dtype=torch.long)  # (N,)
    for first, last in windows:
        t = torch.randint(first, last + 1, (N,), generator=generator)  # (N,)
        is_y = torch.randint(0, 2, (N,), generator=generator)  # (N,) 0: X, 1: Y
        symbols[t, n] = ORDER_SYMBOLS.index("X") + is_y
        target = 2 * target + is_y
    x = torch.nn.functional.one_hot(symbols, len(ORDER_SYMBOLS)).to(dtype)  # (L, N, 8)
    x = x * (torch.arange(L)[:, None, None] < lengths[None, :, None]).to(dtype)  # padding
    return Batch(x, lengths, target)


def bag_of_symbols(batch: Batch) -> torch.Tensor:
    """How often each symbol occurs in each sequence, order thrown away: ``(N, 8)``."""
    return batch.x.sum(0)  # (N, 8)


def order_blind_accuracy(n_relevant: int) -> float:
    """The best accuracy any classifier that ignores the order can reach, exactly.

    Without the order only the number of Ys among the relevant symbols is known: ``n + 1``
    possible counts, and the best guess is right for one class per count, so
    ``(n + 1) / 2**n`` (3/4 for task 6a, 1/2 for task 6b), against chance ``1 / 2**n``.
    """
    order_positions(100, n_relevant)  # checks n_relevant
    return (n_relevant + 1) / 2**n_relevant


def chance_accuracy(n_relevant: int) -> float:
    """Guessing one class for everything: ``1 / 2**n`` (classes are equally likely)."""
    order_positions(100, n_relevant)
    return 1 / 2**n_relevant


def chance_cross_entropy(n_relevant: int) -> float:
    """Cross-entropy of predicting equal probabilities: ``log(2**n)``."""
    return math.log(2**n_relevant)
