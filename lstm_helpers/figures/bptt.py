"""Figures of the chapter on backpropagation through time and long time lags."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..longlag.gradients import summarise_over_seeds

__all__ = [
    "connectivity_figure", "draw_connectivity", "draw_gradient_through_time",
    "gradient_through_time_figure", "seed_spread_figure", "training_curves",
]

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def draw_gradient_through_time(ax, curves: dict, mark_lag: int | None = None):
    """Draw ``label -> (seeds, L)`` gradient norms on ``ax``: geometric mean and min-max band."""
    for (label, norms), colour in zip(curves.items(), _COLOURS, strict=False):
        s = summarise_over_seeds(norms)
        lags = np.arange(norms.shape[1])
        ax.plot(lags, s["mean"].numpy(), color=colour, label=label, lw=1.6)
        ax.fill_between(lags, s["low"].numpy(), s["high"].numpy(), color=colour, alpha=0.18,
                        lw=0)
    ax.set_yscale("log")
    ax.set_xlabel("lag k (steps back from the last input)")
    ax.set_ylabel(r"$\| \partial\, \Sigma h_L / \partial x_{L-1-k} \|$")
    if mark_lag is not None:
        ax.axvline(mark_lag, color="0.4", ls="--", lw=1)
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(True, which="major", alpha=0.3)


def gradient_through_time_figure(curves: dict, title: str | None = None, mark_lag=None):
    """One panel: how the gradient with respect to earlier inputs shrinks (or grows) with lag."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    draw_gradient_through_time(ax, curves, mark_lag=mark_lag)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def draw_connectivity(ax, norms, markers=(), label=None, colour=_COLOURS[0]):
    """``||dy/dx_t||`` over ``t`` on a log axis, with the marked inputs as dotted lines."""
    t = np.arange(len(norms))
    ax.semilogy(t, np.asarray(norms), color=colour, lw=1.3, label=label)
    for m in markers:
        ax.axvline(int(m), color="0.3", ls=":", lw=1)
    ax.set_xlabel("input step t")
    ax.set_ylabel(r"$\| \partial y / \partial x_t \|$")
    ax.grid(True, alpha=0.3)


def connectivity_figure(panels: list[dict]):
    """A row of connectivity panels; each dict has ``norms``, ``markers`` and ``title``."""
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.0), squeeze=False)
    for ax, panel, colour in zip(axes[0], panels, _COLOURS, strict=False):
        draw_connectivity(ax, panel["norms"], panel.get("markers", ()), colour=colour)
        ax.set_title(panel["title"], fontsize=9)
    fig.tight_layout()
    return fig


def training_curves(records: dict, chance: float | None = None, title: str | None = None):
    """Share of the last 2,000 training sequences correct, against sequences seen.

    ``records``: label -> :class:`~lstm_helpers.records.Record` of a longlag run.
    """
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for (label, rec), colour in zip(records.items(), _COLOURS, strict=False):
        seqs = [e["sequences"] for e in rec.metrics]
        ax.plot(seqs, [e["correct"] for e in rec.metrics], color=colour, label=label, lw=1.5)
        if rec.result["solved_at"] is not None:
            ax.plot([rec.result["solved_at"]], [1.0], marker="*", color=colour, ms=11)
    if chance is not None:
        ax.axhline(chance, color="0.4", ls="--", lw=1, label="always 0.5 / chance")
    ax.set_xlabel("training sequences seen")
    ax.set_ylabel("correct (last 2,000)")
    ax.set_ylim(-0.02, 1.04)
    ax.legend(fontsize=8, loc="center right")
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def seed_spread_figure(groups: dict, budget: int, paper: int | None = None,
                       title: str | None = None):
    """Sequences until the stop rule held, one dot per seed, one row per setting.

    Args:
        groups: label -> list of per-seed counts (``None``: the stop rule never held; drawn
            as a cross at the budget). budget: the runs' ``max_sequences``. paper: the
            paper's count (a mean over its trials), drawn as a dashed line with a tenth of it.
    """
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(groups)))
    for row, values in enumerate(groups.values()):
        done = [v for v in values if v is not None]
        failed = len(values) - len(done)
        ax.plot(done, [row] * len(done), "o", color=_COLOURS[0], ms=6, alpha=0.8)
        if failed:
            ax.plot([budget] * failed, [row] * failed, "x", color=_COLOURS[1], ms=8, mew=2)
        if done:
            ax.plot([float(np.median(done))], [row], "|", color="k", ms=16, mew=2)
    ax.axvline(budget, color=_COLOURS[1], lw=1, ls=":", label=f"budget ({budget:,})")
    if paper is not None:
        ax.axvline(paper, color="0.3", lw=1, ls="--", label=f"paper ({paper:,}, a mean)")
        ax.axvline(paper / 10, color="0.6", lw=1, ls="--", label="a tenth of the paper's")
    ax.set_yticks(range(len(groups)), list(groups))
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(left=0)
    ax.set_xlabel("training sequences until the stop rule held (x: not within the budget)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
