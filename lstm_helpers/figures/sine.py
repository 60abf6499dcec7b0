"""Figures of the sine-wave chapter: predictions (solid: given, dashed: predicted, dotted
black: the truth), losses per step, and the blow-up of the official run.

Colours are fixed across the chapter: the three test waves are always red, green and blue
(:data:`COLORS`), and each run keeps its colour in every figure (:func:`run_color`).
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

__all__ = [
    "COLORS", "RUN_COLORS", "plot_blowup", "plot_k_step", "plot_losses", "plot_prediction",
    "plot_prediction_grid", "plot_waves", "run_color",
]

#: the three test waves (rows 0, 1, 2), in every figure
COLORS = ("tab:red", "tab:green", "tab:blue")

#: one colour per run, matched by the start of its label (the first match wins)
RUN_COLORS = (
    ("forecast", "tab:green"),
    ("AR(2)", "k"),
    ("fast", "tab:purple"),
    ("faithful+line_search", "tab:orange"),
    ("faithful+lr=0.1", "tab:olive"),
    ("faithful+lr=0.01", "tab:cyan"),
    ("faithful+lr=0.001", "tab:brown"),
    ("faithful", "0.25"),
)


def run_color(label: str):
    """The colour of a run in every figure of the chapter, from the start of its label."""
    for prefix, color in RUN_COLORS:
        if str(label).startswith(prefix):
            return color
    return None


def plot_prediction(prediction, given: int = 999, future: int | None = None, stride: int = 1,
                    title: str | None = None, ax=None, truth=None):
    """Draw the test waves as the model sees and continues them.

    Args:
        prediction: array ``(rows, given + total_future)`` (every ``stride``-th value).
        given: how many values were computed from the given signal (teacher-forced). Default: 999.
        future: how many predicted values to draw (``None``: all there are). Default: None.
        stride: the spacing of the stored values in time steps. Default: 1.
        title: figure title (default: the official one).
        ax: draw into this axes (default: a new figure).
        truth: the true values, aligned with ``prediction`` column by column and with the same
            stride (see :func:`lstm_helpers.sine.prediction_truth`); drawn dotted black.
            Default: None.

    Outputs: the ``matplotlib.figure.Figure``. Solid lines: outputs while reading the given
    signal; dashed lines: the model fed with its own predictions; dotted black: the truth.
    A prediction beyond +-3 is clipped, and the panel says so with its largest value.
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
    if truth is not None:
        truth = np.asarray(truth, dtype=float)
        if truth.shape != prediction.shape:
            raise ValueError(f"truth must have the prediction's shape {prediction.shape}, "
                             f"got {truth.shape}")
        shown = t < given + future
        for row in truth:
            ax.plot(t[shown], row[shown], color="k", linestyle=":", linewidth=0.9)
    ax.axvline(given, color="0.6", linewidth=0.8)
    finite = prediction[np.isfinite(prediction)]
    too_big = finite.size and np.abs(finite).max() > 3
    if too_big or finite.size < prediction.size:
        ax.set_ylim(-3, 3)  # keep a diverged prediction from flattening the picture
        largest = f"{np.abs(finite).max():.1e}" if finite.size else "none"
        note = f"clipped to [-3, 3]; largest |y| = {largest}"
        if finite.size < prediction.size:
            note += f"; {prediction.size - finite.size} values inf/nan"
        ax.text(0.01, 0.04, note, transform=ax.transAxes, fontsize=7,
                bbox=dict(facecolor="white", edgecolor="0.7", alpha=0.9))
    ax.set_xlim(0, given + max(future, 1))
    ax.set_xlabel("time step t")
    ax.set_ylabel("y")
    ax.set_title(title or "Predict future values for time sequences (dashed: predicted)")
    return fig


def plot_losses(runs: dict, ax=None, title: str = "Test loss after each LBFGS step",
                ylabel: str = "test MSE"):
    """A loss per step of several runs on a log scale, each run in its colour (:func:`run_color`).

    Args:
        runs: ``{label: list of losses}``; ``None`` or non-finite values are left out (a
            diverged run).
        ax: draw into this axes (default: a new figure).
        title, ylabel: the labels. Defaults: the test loss.

    Outputs: the ``matplotlib.figure.Figure``.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
    else:
        fig = ax.figure
    for label, losses in runs.items():
        y = np.array([np.nan if v is None else v for v in losses], dtype=float)
        ax.semilogy(np.arange(len(y)), y, marker="o", markersize=3, label=label,
                    color=run_color(label))
    ax.set_xlabel("LBFGS step")
    ax.set_ylabel(ylabel)
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
        color = COLORS[k] if k < 3 else None  # the test waves keep their colours everywhere
        ax.plot(data[k], style, linewidth=1.2, color=color,
                label=f"row {k}" + (" (test)" if k < 3 else ""))
    ax.axvspan(0, 2 * np.pi * T, color="0.92", zorder=0)
    ax.text(np.pi * T, -1.15, f"one period = 2 pi T = {2 * np.pi * T:.0f} steps",
            ha="center", fontsize=8)
    ax.set_ylim(-1.3, 1.1)
    ax.set_xlabel("time step t")
    ax.set_ylabel("sin((t + shift) / T)")
    ax.legend(loc="upper right", fontsize=7, ncol=len(rows))
    ax.set_title("The data: one sine wave, shifted by a random whole number per row")
    return fig


def plot_prediction_grid(predictions: dict, given: int = 999, stride: int = 1, truth=None):
    """Several predictions in a column of small plots: ``{title: array (rows, time)}``;
    ``truth`` (optional, same shape and stride) is drawn dotted black in each."""
    fig, axes = plt.subplots(len(predictions), 1, figsize=(8, 1.9 * len(predictions)),
                             sharex=True, squeeze=False)
    for ax, (title, pred) in zip(axes[:, 0], predictions.items(), strict=True):
        plot_prediction(pred, given=given, stride=stride, title=title, ax=ax, truth=truth)
        ax.set_xlabel("")
        ax.title.set_fontsize(9)
    axes[-1, 0].set_xlabel("time step t")
    fig.tight_layout()
    return fig


def plot_blowup(step: dict, title: str | None = None):
    """Inside one LBFGS step of a record: every closure's training loss, and the size of the
    parameters at which it was evaluated (:func:`lstm_helpers.sine.parameter_norms`).

    Args:
        step: one entry of ``record["steps"]`` with ``closure_losses`` and ``param_norms``.
        title: the figure title (default: names the step).

    Outputs: the ``matplotlib.figure.Figure`` (two panels sharing the closure axis, log scales).
    """
    if "param_norms" not in step:
        raise ValueError("step must hold param_norms (a record written with this version of "
                         "python -m lstm_helpers.sine), got none")
    losses = np.array([np.nan if v is None else v for v in step["closure_losses"]], dtype=float)
    k = np.arange(1, len(losses) + 1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 4.6), sharex=True)
    top.semilogy(k, losses, marker="o", markersize=3, color=run_color("faithful"))
    top.set_ylabel("training MSE")
    top.grid(True, alpha=0.3)
    styles = {"lstm1": ("tab:gray", "--"), "lstm2": ("tab:gray", "-."),
              "linear": ("k", "-"), "readout_bound": ("tab:red", ":")}
    labels = {"lstm1": "||lstm1|| (L2)", "lstm2": "||lstm2|| (L2)", "linear": "||linear|| (L2)",
              "readout_bound": "sum|w| + |b| (bounds |y|)"}
    for name, values in step["param_norms"].items():
        y = np.array([np.nan if v is None else v for v in values], dtype=float)
        color, style = styles.get(name, (None, "-"))
        bottom.semilogy(k, y, linestyle=style, color=color, marker="o", markersize=2,
                        label=labels.get(name, name))
    bottom.set_ylabel("parameter size")
    bottom.set_xlabel("closure call within the step")
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    bottom.grid(True, alpha=0.3)
    bottom.legend(fontsize=7, loc="upper left")
    top.set_title(title or f"Inside LBFGS step {step['step']}: loss and parameter sizes")
    fig.tight_layout()
    return fig


def plot_k_step(errors: dict, ax=None, title: str = "Error k steps ahead, free-running",
                floor: float = 1e-30):
    """The squared error ``k`` steps into the free-running part, ``k = 1 ... F``, one line per
    model, on log-log axes (errors below ``floor``, such as AR(2)'s exact zeros, are drawn at
    ``floor``).

    Args:
        errors: ``{label: (ks, squared errors)}`` (equal-length 1-D arrays; ``ks`` from 1), or
            ``{label: errors}`` with ``ks = 1, 2, ...``.
    """
    if not isinstance(errors, dict) or not errors:
        raise ValueError("errors must be a non-empty dict {label: errors or (ks, errors)}")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 3.4))
    for label, value in errors.items():
        if isinstance(value, tuple):
            ks, errs = (np.asarray(v, dtype=float) for v in value)
        else:
            errs = np.asarray(value, dtype=float)
            ks = np.arange(1, errs.size + 1)
        if ks.shape != errs.shape:
            raise ValueError(f"errors[{label!r}]: ks and errors must have the same shape, got "
                             f"{ks.shape} and {errs.shape}")
        ax.plot(ks, np.maximum(errs, floor), label=label, color=run_color(label), linewidth=1.5)
    ax.axhline(0.5, color="0.5", linestyle=":", linewidth=1)
    ax.text(1.1, 0.6, "always predicting 0", color="0.4", fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("k (steps ahead)")
    ax.set_ylabel("squared error, mean over waves")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
