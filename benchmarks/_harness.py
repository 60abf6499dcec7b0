"""The one timing harness of the benchmarks: variants timed side by side, as ratios.

These machines are shared and noisy, so a benchmark never reports an absolute time alone:
every variant runs interleaved with the reference in the same process (one warm-up round,
then ``repeats`` timed rounds, the variants in the same order each round), and the result
is the median of each and its ratio to the reference.

    from _harness import interleaved, ratios, sync

    times = interleaved({"nn.LSTM": run_ref, "ours": run_ours}, repeats=7)
    for name, (median, ratio) in ratios(times, "nn.LSTM").items(): ...

(Scripts in ``benchmarks/`` run as ``python benchmarks/NAME.py``, so ``_harness`` is importable
beside them.)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch

__all__ = ["interleaved", "ratios", "seconds", "sync", "threads_line"]


def sync(device: str | torch.device | None = None) -> None:
    """Wait for the GPU (a no-op on the CPU), so that a timing covers the work it launched."""
    if device is not None and str(device).startswith("cuda"):
        torch.cuda.synchronize()


def seconds(fn: Callable[[], object], device=None) -> float:
    """Wall time of one call of ``fn`` (GPU work included)."""
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def interleaved(variants: dict[str, Callable[[], object]], repeats: int = 5, warmup: int = 1,
                device=None) -> dict[str, list[float]]:
    """Time every variant once per round, in order, ``warmup + repeats`` rounds; keep the
    timed rounds. Returns ``{name: [seconds per round]}``."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(warmup + repeats):
        for name, fn in variants.items():
            t = seconds(fn, device)
            if round_ >= warmup:
                times[name].append(t)
    return times


def ratios(times: dict[str, list[float]], reference: str) -> dict[str, tuple[float, float]]:
    """``{name: (median seconds, median / reference median)}``."""
    if reference not in times:
        raise ValueError(f"reference must be one of {sorted(times)}, got {reference!r}")
    ref = statistics.median(times[reference])
    return {name: (statistics.median(t), statistics.median(t) / ref) for name, t in times.items()}


def threads_line(extra: str = "") -> str:
    """The first line every benchmark prints: torch version, threads, what was timed."""
    return f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)" + (
        f", {extra}" if extra else "")
