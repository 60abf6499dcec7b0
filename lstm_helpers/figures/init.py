"""Figures of the weight-initialisation chapter. Every function returns a ``Figure``."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import torch

from .. import init as lstm_init

SCHEME_LABELS = {
    "pytorch": "PyTorch default",
    "xavier": "Xavier per gate",
    "orthogonal": "orthogonal W_hh",
    "forget_bias": "forget bias 1",
    "scaled": "scaled",
}


def scheme_label(scheme: str, factor: float | None = None) -> str:
    """A short label: ``"PyTorch default"``, ``"scaled x4"``..."""
    label = SCHEME_LABELS.get(scheme, scheme)
    return f"{label} x{factor:g}" if factor is not None else label


def draw_histogram(ax, values, bound: float, *, bins: int = 40, density_bound=None) -> None:
    """Histogram of ``values`` (as a density) with the ``U(-a, a)`` density ``1/(2a)``.

    ``bound`` is ``a``, PyTorch's bound, drawn as a dashed line; ``density_bound`` (default:
    ``bound``) is where the uniform density is drawn.
    """
    x = torch.as_tensor(values).detach().flatten().double().numpy()
    a = float(bound)
    d = a if density_bound is None else float(density_bound)
    lim = max(1.15 * d, 1.15 * float(abs(x).max()) if x.size else d, 1.15 * a)
    inner = max(1, round(bins * d / lim))  # about `bins` bins in all, +-d on bin edges
    width = 2 * d / inner  # (no half-empty bin at the bound)
    extra = math.ceil((lim - d) / width)
    edges = [-d + k * width for k in range(-extra, inner + extra + 1)]
    ax.hist(x, bins=edges, density=True, color="#7aa6c2", edgecolor="white")
    h = 1 / (2 * d)
    ax.plot([-lim, -d, -d, d, d, lim], [0, 0, h, h, 0, 0], color="#c0392b", lw=1.5,
            label=f"U(-{d:.3g}, {d:.3g})")
    for s in (-a, a):
        ax.axvline(s, color="black", ls="--", lw=0.8)
    ax.set_xlim(-lim, lim)


def weight_histogram(module, *, bins: int = 40):
    """All LSTM parameters of ``module`` against PyTorch's uniform density.

    The bars are the parameters (as a density), the red line is the density ``1/(2a)`` of
    ``U(-a, a)`` with ``a = 1/sqrt(hidden_size)``, dashed lines mark ``+-a``.
    """
    layout = lstm_init.lstm_layout(module)
    a = lstm_init.uniform_bound(layout.hidden_size)
    values = lstm_init.flat_weights(module)
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    draw_histogram(ax, values, a, bins=bins)
    ax.set_xlabel("parameter value")
    ax.set_ylabel("density")
    ax.set_title(
        f"{values.numel()} parameters, hidden_size={layout.hidden_size}, "
        f"a = 1/sqrt({layout.hidden_size}) = {a:.4f}"
    )
    ax.legend(loc="lower center", fontsize=8)
    fig.tight_layout()
    return fig


def bound_vs_hidden_size(hidden_sizes, measured):
    """The bound ``1/sqrt(H)`` as a curve, and measured ``max |w|`` per hidden size as dots."""
    hs = [int(h) for h in hidden_sizes]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    grid = torch.logspace(math.log10(min(hs)), math.log10(max(hs)), 200)
    ax.plot(grid, 1 / grid.sqrt(), color="#c0392b", label="a = 1/sqrt(hidden_size)")
    ax.plot(hs, list(measured), "o", color="#2c3e50", label="largest |parameter| measured")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("hidden_size")
    ax.set_ylabel("bound")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def saturation_vs_scale(factors, fractions: dict, *, hidden_size=None, input_size=None):
    """Share of saturated gates (``lstm_init.saturation_sweep`` output) against the scale factor."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    styles = {"i": "-", "f": "--", "g": "-.", "o": ":"}
    for gate in lstm_init.GATES:
        ax.plot(factors, fractions[gate], styles[gate], marker="o", ms=3, label=f"gate {gate}")
    ax.plot(factors, fractions["all"], color="black", lw=2, label="all gates")
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.text(1.0, 0.97, " PyTorch default", fontsize=8, va="top",
            transform=ax.get_xaxis_transform())
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, 1)
    ax.set_xlabel("factor (bound = factor / sqrt(hidden_size))")
    ax.set_ylabel("share of saturated gates")
    if hidden_size is not None and input_size is not None:
        ax.set_title(f"input_size={input_size}, hidden_size={hidden_size}", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def gradient_norms_figure(norms: dict):
    """``||d y_L / d x_t||`` against ``t`` (log scale), one line per label in ``norms``."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for label, values in norms.items():
        v = torch.as_tensor(values).double()
        ax.plot(range(len(v)), v.clamp_min(1e-45).numpy(), label=label)
    ax.set_yscale("log")
    ax.set_xlabel("time step t of the input")
    ax.set_ylabel("||d (sum of last output) / d x_t||")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def training_curves(results, *, eval_every: int = 25):
    """Test loss against training step for ``firstinput.TrainingResult`` objects (mean per label).

    ``results`` maps a label to a list of results (one per seed); the line is their mean.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for label, runs in results.items():
        losses = torch.tensor([r.losses for r in runs], dtype=torch.float64).mean(0)
        steps = [min(k * eval_every, eval_every * (len(losses) - 1)) for k in range(len(losses))]
        ax.plot(steps, losses.numpy(), label=label)
    ax.axhline(1 / 3, color="grey", lw=0.8, ls="--")
    ax.text(0, 1 / 3, "predict 0: 1/3", fontsize=8, va="bottom")
    ax.set_xlabel("training step")
    ax.set_ylabel("test loss (MSE)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def scheme_grid(
    hidden_sizes=(8, 64),
    schemes=(("pytorch", None), ("xavier", None), ("orthogonal", None), ("scaled", 4.0)),
    *,
    input_size: int = 32,
    seq_len: int = 50,
    batch_size: int = 8,
    seed: int = 0,
):
    """A grid: one row per hidden size, one column per scheme; weight histogram and share
    of saturated gates in each panel (the static counterpart of the chapter's widget)."""
    hidden_sizes = list(hidden_sizes)
    schemes = list(schemes)
    x = lstm_init.probe_input(input_size, seq_len, batch_size, seed=seed)
    fig, axes = plt.subplots(
        len(hidden_sizes), len(schemes), figsize=(2.3 * len(schemes), 2.0 * len(hidden_sizes)),
        squeeze=False,
    )
    for r, H in enumerate(hidden_sizes):
        for c, (scheme, factor) in enumerate(schemes):
            ax = axes[r][c]
            module = lstm_init.make_lstm(input_size, H, scheme, factor=factor, seed=seed)
            weights = lstm_init.flat_weights(module, include_biases=False)
            a = lstm_init.uniform_bound(H)
            draw_histogram(ax, weights, a, bins=30,
                           density_bound=a * factor if scheme == "scaled" else a)
            sat = lstm_init.saturation(module, x)["all"]
            ax.set_title(f"{scheme_label(scheme, factor)}\nH={H}: {100 * sat:.1f}% saturated",
                         fontsize=8)
            ax.tick_params(labelsize=7)
            ax.set_yticks([])
    fig.tight_layout()
    return fig

