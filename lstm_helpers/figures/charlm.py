"""Figures of chapter 9 (an LSTM that writes Python): baselines, training, temperature,
coloured text of one unit, the features the units track, where the LSTM wins."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

__all__ = [
    "plot_baselines", "plot_feature_correlations", "plot_temperature", "plot_training",
    "plot_unit_text", "plot_wins", "unit_colours", "unit_html",
]


def plot_baselines(ngram: dict, lstm: dict | None = None):
    """Bits per character of Kneser-Ney against n (validation and test), the unigram model as
    dotted lines, the LSTM as dashed ones (``lstm = {"validation": .., "test": ..}``)."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    orders = sorted(int(n) for n in ngram["kneser_ney"])
    for split, colour in (("validation", "C0"), ("test", "C1")):
        ys = [ngram["kneser_ney"][str(n) if str(n) in ngram["kneser_ney"] else n][split]
              for n in orders]
        ax.plot(orders, ys, "o-", color=colour, ms=4, label=f"Kneser-Ney, {split}")
        ax.axhline(ngram["unigram"][split], color=colour, ls=":", lw=1)
        if lstm is not None:
            ax.axhline(lstm[split], color=colour, ls="--", lw=1.5, label=f"LSTM, {split}")
    best = ngram["best_order"]
    ax.plot(best, ngram["best"]["validation"], "*", color="C0", ms=14,
            label=f"best n on validation: {best}")
    ax.set(xlabel="n (characters in the n-gram)", ylabel="bits per character",
           title="Baselines on held-out files (dotted: unigram)", ylim=(1, 4.8))
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def plot_training(record, ngram_val: float | None = None):
    """Validation bits per character (the fast estimate on the first validation characters)
    and training loss against the characters read, from a record's metrics; a star marks the
    final score on all validation files (``record.result["val_bpc"]``, when there is one); with
    ``ngram_val``, a dotted line at that score."""
    m = record.metrics
    chars = np.array([e["chars"] for e in m]) / 1e6
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.plot(chars, [e["train_bpc"] for e in m], "--o", ms=3, label="training (mean since "
            "the last point)")
    ax.plot(chars, [e["val_bpc_estimate"] for e in m], "-o", ms=3,
            label="validation (estimate, first characters)")
    if record.result.get("val_bpc") is not None:
        ax.plot(chars[-1], record.result["val_bpc"], "*", ms=12, color="C1",
                label="validation, all files")
    if ngram_val is not None:
        ax.axhline(ngram_val, color="0.3", ls=":", label="best n-gram, validation")
    ax.set(xlabel="training characters read (millions)", ylabel="bits per character",
           title="Training with truncated BPTT")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_temperature(temperatures, entropies, bits=None, sampled=None):
    """Mean entropy (bits) of the sampling distribution against the temperature, on a fixed
    text (``entropies``); ``sampled``: ``(temperatures, entropies)`` measured along samples,
    drawn as points; ``bits``: the model's bits per character as a reference line."""
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.plot(temperatures, entropies, "o-", label="on a fixed text")
    if sampled is not None:
        ax.plot(*sampled, "s", color="C2", label="along the model's own samples")
    if bits is not None:
        ax.axhline(bits, color="0.3", ls=":", label="bits per character on that text")
    ax.set(xlabel="temperature T", ylabel="mean entropy (bits)",
           title="Temperature sets the entropy")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def unit_colours(values, vmax: float | None = None) -> list[str]:
    """One hex colour per value: blue for negative, white for 0, red for positive
    (``RdBu_r``), scaled by ``vmax`` (default: the largest ``|value|``)."""
    v = np.asarray(values, dtype=np.float64)
    vmax = float(np.abs(v).max()) if vmax is None else float(vmax)
    vmax = vmax if vmax > 0 else 1.0
    cmap = colormaps["RdBu_r"]
    return [to_hex(cmap(0.5 + 0.5 * np.clip(x / vmax, -1, 1))) for x in v]


def unit_html(text: str, values, vmax: float | None = None, title: str = "") -> str:
    """The text as HTML, each character on a background of the unit's value after it."""
    if len(text) != len(values):
        raise ValueError(f"unit_html: text has {len(text)} characters but values has "
                         f"{len(values)}")
    colours = unit_colours(values, vmax)
    spans = []
    for ch, col in zip(text, colours, strict=True):
        shown = "\u21b5\n" if ch == "\n" else html.escape(ch)
        spans.append(f'<span style="background:{col}">{shown}</span>')
    head = f"<div><b>{html.escape(title)}</b></div>" if title else ""
    return (f'{head}<pre style="line-height:1.25;font-size:12px;color:#000">'
            + "".join(spans) + "</pre>")


def plot_unit_text(text: str, values, title: str = "", vmax: float | None = None,
                   ax=None):
    """The text drawn character by character in a monospace grid, each character on a
    background of the unit's value (blue negative, red positive)."""
    if len(text) != len(values):
        raise ValueError(f"plot_unit_text: text has {len(text)} characters but values has "
                         f"{len(values)}")
    lines = text.split("\n")
    width = max(len(line) for line in lines) + 1
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.105 * width + 0.4, 0.2 * len(lines) + 0.5))
    else:
        fig = ax.figure
    colours = unit_colours(values, vmax)
    row = col = 0
    for ch, c in zip(text, colours, strict=True):
        ax.add_patch(plt.Rectangle((col, -row - 1), 1, 1, facecolor=c, lw=0))
        if ch != "\n":
            ax.text(col + 0.5, -row - 0.5, ch, ha="center", va="center",
                    family="monospace", fontsize=8)
            col += 1
        else:
            row, col = row + 1, 0
    ax.set_xlim(0, width)
    ax.set_ylim(-len(lines), 0)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    return fig


def plot_feature_correlations(best: dict):
    """The largest ``|r|`` any unit reaches with each feature (``best`` from
    :func:`lstm_helpers.charlm.units.best_units`), labelled with the unit."""
    names = list(best)
    r = [abs(best[n]["r"]) for n in names]
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.barh(names, r, color=["C2" if x >= 0.5 else "0.6" for x in r])
    for k, n in enumerate(names):
        b = best[n]
        ax.text(r[k] + 0.01, k, f"layer {b['layer'] + 1} {b['kind']}[{b['unit']}], "
                f"r = {b['r']:+.2f}", va="center", fontsize=8)
    ax.axvline(0.5, color="0.3", ls=":", lw=1)
    ax.set(xlim=(0, 1.25), xlabel="|Pearson r| of the best unit",
           title="The unit that tracks each feature best")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


def plot_wins(groups: dict):
    """Bits per character of the n-gram and the LSTM on groups of characters
    (``{group: {"ngram": .., "lstm": .., "count": ..}}``)."""
    names = list(groups)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(x - 0.2, [groups[n]["ngram"] for n in names], 0.4, label="best n-gram")
    ax.bar(x + 0.2, [groups[n]["lstm"] for n in names], 0.4, label="LSTM")
    ax.set_xticks(x, [f"{n}\n({groups[n]['count']:,})" for n in names], fontsize=8)
    ax.set(ylabel="bits per character", title="Where each model pays its bits (test files)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
