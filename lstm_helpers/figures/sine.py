"""Figures of the sine-wave chapter: predictions (solid: given, dashed: predicted) and losses."""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_losses", "plot_prediction", "plot_prediction_grid", "plot_waves"]

COLORS = ("tab:red", "tab:green", "tab:blue")


def plot_prediction(prediction, given: int = 999, future: int | None = None, stride: int = 1,
                    title: str | None = None, ax=None):
    """Draw the test waves as the model sees and continues them.

    Args:
        prediction: array ``(rows, given + total_future)`` (every ``stride``-th value).
        given: how many values were computed from the given signal (teacher-forced). Default: 999.
        future: how many predicted values to draw (``None``: all there are). Default: None.
        stride: the spacing of the stored values in time steps. Default: 1.
        title: figure title (default: the official one).
        ax: draw into this axes (default: a new figure).

    Outputs: the ``matplotlib.figure.Figure``. Solid lines: outputs while reading the given
    signal; dashed lines: the model fed with its own predictions.
    """
    prediction = np.asarray(prediction, dtype=float)
    if prediction.ndim != 2:
        raise ValueError(f"prediction must have shape (rows, time), got {prediction.shape}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 3.2))
    else:
        fig = ax.figure
    t = np.arange(prediction.shape[1]) * stride  # (time,)
    total = t[-1] + 1 - given
    future = total if future is None else max(0, min(int(future), total))
    for k, row in enumerate(prediction):
        color = COLORS[k % len(COLORS)]
        seen = t < given
        ahead = (t >= given) & (t < given + future)
        # repeat the last given point so that the dashed line starts where the solid one ends
        start = np.flatnonzero(seen)[-1:] if seen.any() else []
        ax.plot(t[seen], row[seen], color=color, linewidth=1.5)
        idx = np.concatenate([start, np.flatnonzero(ahead)]).astype(int)
        if ahead.any():
            ax.plot(t[idx], row[idx], color=color, linestyle="--", linewidth=1.5)
    ax.axvline(given, color="0.6", linewidth=0.8)
    finite = prediction[np.isfinite(prediction)]
    if finite.size and np.abs(finite).max() > 3:
        ax.set_ylim(-3, 3)  # keep a diverged prediction from flattening the picture
    ax.set_xlim(0, given + max(future, 1))
    ax.set_xlabel("time step t")
    ax.set_ylabel("y")
    ax.set_title(title or "Predict future values for time sequences (dashed: predicted)")
    return fig


def plot_losses(runs: dict, ax=None, title: str = "Test loss after each LBFGS step"):
    """Test loss per step of several runs on a log scale.

    Args:
        runs: ``{label: list of test losses}``; ``None`` or non-finite values are drawn as
            arrows at the top of the plot (a diverged run).
        ax: draw into this axes (default: a new figure).

    Outputs: the ``matplotlib.figure.Figure``.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
    else:
        fig = ax.figure
    for label, losses in runs.items():
        y = np.array([np.nan if v is None else v for v in losses], dtype=float)
        ax.semilogy(np.arange(len(y)), y, marker="o", markersize=3, label=label)
    ax.set_xlabel("LBFGS step")
    ax.set_ylabel("test MSE")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return fig


def plot_waves(data, rows=(0, 1, 2, 3, 4), T: int = 20, ax=None):
    """Some rows of the sine-wave data set: the same sine, each shifted in time.

    Args:
        data: array ``(N, L)`` from :func:`lstm_helpers.sine.generate_sine_waves`.
        rows: which rows to draw; rows 0-2 (the test set) are drawn solid, others dotted.
        T: the time scale, to mark one period ``2 pi T``. Default: 20.

    Outputs: the ``matplotlib.figure.Figure``.
    """
    data = np.asarray(data)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 2.8))
    else:
        fig = ax.figure
    for k in rows:
        style = "-" if k < 3 else ":"
        ax.plot(data[k], style, linewidth=1.2, label=f"row {k}" + (" (test)" if k < 3 else ""))
    ax.axvspan(0, 2 * np.pi * T, color="0.92", zorder=0)
    ax.text(np.pi * T, -1.15, f"one period = 2 pi T = {2 * np.pi * T:.0f} steps",
            ha="center", fontsize=8)
    ax.set_ylim(-1.3, 1.1)
    ax.set_xlabel("time step t")
    ax.set_ylabel("sin((t + shift) / T)")
    ax.legend(loc="upper right", fontsize=7, ncol=len(rows))
    ax.set_title("The data: one sine wave, shifted by a random whole number per row")
    return fig


def plot_prediction_grid(predictions: dict, given: int = 999, stride: int = 1):
    """Several predictions in a column of small plots: ``{title: array (rows, time)}``."""
    fig, axes = plt.subplots(len(predictions), 1, figsize=(8, 1.9 * len(predictions)),
                             sharex=True, squeeze=False)
    for ax, (title, pred) in zip(axes[:, 0], predictions.items(), strict=True):
        plot_prediction(pred, given=given, stride=stride, title=title, ax=ax)
        ax.set_xlabel("")
        ax.title.set_fontsize(9)
    axes[-1, 0].set_xlabel("time step t")
    fig.tight_layout()
    return fig
