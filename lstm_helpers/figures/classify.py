"""Figures of chapter 8 (an LSTM that classifies): padding, curves, confusion, inside."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

__all__ = ["plot_confusion", "plot_curves", "plot_inside", "plot_inside_grid", "plot_padding",
           "plot_recall"]


def plot_padding(lengths, ax=None):
    """A padded batch as a grid: one row per sequence, one column per step; real steps dark,
    pad steps light, each sequence's last real step marked."""
    lengths = [int(n) for n in lengths]
    L = max(lengths)
    grid = np.array([[1.0 if t < n else 0.0 for t in range(L)] for n in lengths])  # (N, L)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(lengths) + 1.2))
    else:
        fig = ax.figure
    ax.imshow(grid, cmap="Blues", vmin=-0.3, vmax=1.2, aspect="auto")
    for row, n in enumerate(lengths):
        ax.plot(n - 1, row, marker="o", color="tab:orange", markersize=6)
        if n < L:
            ax.plot(L - 1, row, marker="x", color="tab:red", markersize=7)
    ticks = [t for t in range(L) if t == 0 or (t + 1) % 5 == 0]  # steps 1, 5, 10, ...
    ax.set_xticks(ticks, [str(t + 1) for t in ticks])  # column t holds step t + 1
    ax.set_xlabel("time step t (columns after a sequence's end are padding)")
    ax.set_ylabel("sequence n")
    ax.set_yticks(range(len(lengths)))
    ax.set_title("Padded batch: o = the real last step, x = output[:, -1] when it is a pad")
    return fig


def plot_curves(histories: dict, title: str = "Training curves"):
    """Loss (left) and accuracy (right) per epoch, training dashed, validation solid, for
    ``{label: History}``; a dot marks the epoch whose state was restored."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.2))
    for k, (label, h) in enumerate(histories.items()):
        color = f"C{k}"
        epochs = np.arange(1, len(h.train_loss) + 1)
        ax_loss.plot(epochs, h.train_loss, "--", color=color, label=f"{label} train")
        ax_loss.plot(epochs, h.val_loss, color=color, label=f"{label} val")
        ax_loss.plot(h.best_epoch + 1, h.val_loss[h.best_epoch], "o", color=color)
        ax_acc.plot(epochs, h.train_acc, "--", color=color)
        ax_acc.plot(epochs, h.val_acc, color=color)
        ax_acc.plot(h.best_epoch + 1, h.val_acc[h.best_epoch], "o", color=color)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title="accuracy")
    ax_loss.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion(matrix, title: str = "Confusion matrix", ax=None, labels=None):
    """Counts ``M[true, predicted]`` as a heatmap with the numbers written in."""
    m = np.asarray(matrix)
    if ax is None:
        fig, ax = plt.subplots(figsize=(4, 3.6))
    else:
        fig = ax.figure
    ax.imshow(m, cmap="Blues")
    C = m.shape[0]
    labels = labels or [str(k + 1) for k in range(C)]
    for i in range(C):
        for j in range(C):
            if m[i, j]:
                ax.text(j, i, int(m[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if m[i, j] > m.max() / 2 else "black")
    ax.set_xticks(range(C), labels)
    ax.set_yticks(range(C), labels)
    ax.set(xlabel="predicted speaker", ylabel="true speaker", title=title)
    return fig


def plot_recall(recalls: dict, title: str = "Recall per speaker (test set)", rare=()):
    """Grouped bars: ``{label: (C,) recalls}``; the ``rare`` classes' names in red."""
    fig, ax = plt.subplots(figsize=(7, 3))
    C = len(next(iter(recalls.values())))
    width = 0.8 / len(recalls)
    for k, (label, r) in enumerate(recalls.items()):
        ax.bar(np.arange(C) + (k - (len(recalls) - 1) / 2) * width, np.asarray(r), width,
               label=label)
    ax.set_xticks(range(C), [str(c + 1) for c in range(C)])
    for c in rare:
        ax.get_xticklabels()[c].set_color("tab:red")
    ax.set(xlabel="speaker (red: rare in training)", ylabel="recall", ylim=(0, 1.05),
           title=title)
    ax.legend(fontsize=8, loc="lower left")
    return fig


def plot_inside(tr, step: int | None = None, state: str = "c", axes=None, title=None,
                legend: bool = True):
    """One :class:`~lstm_helpers.classify.inside.Trace`: the state (units x time) up to
    ``step`` (0-based; None: all) on top, the class probabilities over time below, with the
    steps numbered from 1 as in the text. Speaker ``c`` is drawn in colour ``C{c}`` in every
    panel; the true one's line is thicker."""
    L = tr.length
    step = L - 1 if step is None else int(step)
    values = (tr.c if state == "c" else tr.h).numpy()  # (L, H)
    shown = np.full_like(values, np.nan)
    shown[: step + 1] = values[: step + 1]
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(6.5, 4.6), sharex=True,
                                 gridspec_kw={"height_ratios": [3, 2]})
    fig = axes[0].figure
    lim = max(1e-9, float(np.abs(values).max()))
    H = values.shape[1]
    axes[0].imshow(shown.T, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim,  # (H, L)
                   interpolation="nearest", extent=(0.5, L + 0.5, H - 0.5, -0.5))
    axes[0].set_ylabel("unit")
    name = "cell state c" if state == "c" else "hidden state h"
    axes[0].set_title(title or f"{name}, steps 1-{step + 1} of {L}")
    probs = tr.probs.numpy()  # (L, C)
    t = np.arange(1, L + 1)  # steps 1..L
    for c in range(probs.shape[1]):
        true = c == tr.label
        axes[1].plot(t[: step + 1], probs[: step + 1, c], color=f"C{c}",
                     linewidth=2.5 if true else 1, zorder=3 if true else 2, label=f"{c + 1}")
    axes[1].set(xlim=(0.5, L + 0.5), ylim=(0, 1), xlabel="time step", ylabel="p(speaker)")
    if legend:
        axes[1].legend(handles=_speaker_handles(probs.shape[1]), ncol=9, fontsize=7,
                       loc="upper center", bbox_to_anchor=(0.5, -0.3),
                       title=f"speaker (thick line: the true one, {tr.label + 1})",
                       title_fontsize=7)
    return fig


def plot_inside_grid(traces: list, state: str = "c"):
    """Several traces side by side (the static view of the chapter's widget)."""
    fig, axes = plt.subplots(2, len(traces), figsize=(3.6 * len(traces), 4.6), sharey="row",
                             gridspec_kw={"height_ratios": [3, 2]}, squeeze=False)
    for k, tr in enumerate(traces):
        pred = int(tr.probs[-1].argmax()) + 1
        plot_inside(tr, state=state, axes=axes[:, k], legend=False,
                    title=f"speaker {tr.label + 1}, predicted {pred}")
        if k:
            axes[0, k].set_ylabel("")
            axes[1, k].set_ylabel("")
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    C = traces[0].probs.size(1)
    fig.legend(handles=_speaker_handles(C), ncol=C, fontsize=8, loc="lower center",
               title="speaker, the same colour in every panel (thick line: the true speaker "
                     "named above the panel)", title_fontsize=8)
    return fig


def _speaker_handles(C: int) -> list:
    """Legend entries: speaker ``c + 1`` in colour ``C{c}``, as :func:`plot_inside` draws."""
    return [Line2D([], [], color=f"C{c}", linewidth=1.5, label=f"{c + 1}") for c in range(C)]
