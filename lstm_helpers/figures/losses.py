"""Figures of the cross-entropy chapter: softmax bars, the NLL curve, overflow, a grid.

Every function returns a ``matplotlib.figure.Figure`` (the notebook shows it with
``plt.show()``; the widget turns it into PNG bytes).
"""

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from lstm_helpers.losses import cross_entropy, log_softmax, naive_cross_entropy

TRUE_COLOUR = "#d62728"
OTHER_COLOUR = "#1f77b4"


def softmax_and_gradient(logits: Sequence[float], target: int):
    """Probabilities, loss and gradient (softmax - onehot) for one sample, as plain numbers.

    Args:
        logits: the C logits x_0, ..., x_{C-1}.
        target: the true class y, 0 <= y < C.

    Returns:
        ``(p, loss, grad)``: ``p`` and ``grad`` NumPy arrays of length C, ``loss`` a float.
    """
    x = torch.as_tensor(np.asarray(logits, dtype=np.float64)).requires_grad_(True)  # (C,)
    y = torch.tensor(int(target))
    loss = cross_entropy(x, y, reduction="sum")  # ()
    loss.backward()
    p = torch.exp(log_softmax(x.detach(), dim=0))  # (C,)
    return p.numpy(), loss.item(), x.grad.numpy()


def _bars(ax_p, ax_g, logits, target, title=True):
    p, loss, grad = softmax_and_gradient(logits, target)
    classes = np.arange(len(p))
    colours = [TRUE_COLOUR if c == target else OTHER_COLOUR for c in classes]
    ax_p.bar(classes, p, color=colours)
    ax_p.set_ylim(0, 1)
    ax_p.set_xticks(classes)
    ax_p.set_ylabel("softmax p_c")
    ax_g.bar(classes, grad, color=colours)
    ax_g.axhline(0, color="black", linewidth=0.8)
    ax_g.set_ylim(-1, 1)
    ax_g.set_xticks(classes)
    ax_g.set_ylabel("dloss/dx_c")
    if title:
        ax_p.set_title(f"probabilities (true class {target} in red), loss = {loss:.3f}")
        ax_g.set_title("gradient = p - onehot(y)")
    return p, loss, grad


def softmax_bars(logits: Sequence[float], target: int):
    """Two bar charts for one sample: the softmax probabilities and the gradient.

    The true class is drawn in red; the title gives the loss ``-log p_y``.
    """
    fig, (ax_p, ax_g) = plt.subplots(1, 2, figsize=(8.0, 3.0))
    _bars(ax_p, ax_g, logits, target)
    ax_p.set_xlabel("class c")
    ax_g.set_xlabel("class c")
    fig.tight_layout()
    return fig


def nll_curve(marks: Sequence[float] = (0.05, 0.3, 0.9)):
    """The loss ``-log p`` as a function of the probability ``p`` given to the true class.

    Args:
        marks: probabilities to mark on the curve with their loss. Default: (0.05, 0.3, 0.9).
    """
    p = np.linspace(0.005, 1.0, 400)
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.plot(p, -np.log(p), color=OTHER_COLOUR)
    for q in marks:
        ax.plot([q], [-np.log(q)], "o", color=TRUE_COLOUR)
        ax.annotate(f"p={q:g}: loss {-np.log(q):.2f}", (q, -np.log(q)),
                    textcoords="offset points", xytext=(8, 6))
    ax.set_xlabel("probability p_y given to the true class")
    ax.set_ylabel("loss = -log p_y")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 5.5)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def overflow_curve(direction: Sequence[float] = (1.0, 0.5, -0.3), target: int = 1,
                   dtype: torch.dtype = torch.float32):
    """Loss of ``scale * direction`` against ``scale``: the naive formula versus log-sum-exp.

    The naive formula (``exp``, divide, ``log``) breaks once ``exp`` overflows (a logit
    above ~88.7 in float32): if another class's ``exp`` is ``inf`` but the true class's is
    finite, ``p_y = finite / inf = 0`` and the loss is ``-log 0 = inf``; once the true
    class's own ``exp`` is ``inf`` too, ``p_y = inf / inf = nan``. The max-subtracted
    version stays exact. The naive curve's missing points are marked on the bottom of the
    plot: crosses for ``inf``, circles for ``nan``.
    """
    scales = np.logspace(0, 4, 81)
    x = torch.tensor(np.outer(scales, direction), dtype=dtype)  # (S, C)
    y = torch.full((len(scales),), target)  # (S,)
    naive = naive_cross_entropy(x, y).double().numpy()  # (S,)
    stable = cross_entropy(x, y, reduction="none").double().numpy()  # (S,)
    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    ax.loglog(scales, stable, color=OTHER_COLOUR, linewidth=3, alpha=0.6,
              label="log-sum-exp with max subtracted")
    finite = np.isfinite(naive)
    ax.loglog(scales[finite], naive[finite], "--", color=TRUE_COLOUR,
              label="naive -log(exp(x_y) / sum exp(x_j))")
    bottom = stable[stable > 0].min()
    for mask, marker, label in (
        (np.isinf(naive), "x", "naive gives inf (p_y = finite / inf = 0)"),
        (np.isnan(naive), "o", "naive gives nan (p_y = inf / inf)"),
    ):
        if mask.any():
            ax.plot(scales[mask], np.full(mask.sum(), bottom), marker, color=TRUE_COLOUR,
                    fillstyle="none", label=label)
    ax.set_xlabel("scale s of the logits s * (" + ", ".join(f"{d:g}" for d in direction) + ")")
    ax.set_ylabel(f"loss for class {target}")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def softmax_grid(scenarios: Sequence[tuple[str, Sequence[float], int]]):
    """A grid of precomputed widget states: one row per ``(name, logits, target)``.

    Left column: softmax probabilities; right column: the gradient; the row title gives
    the loss. It is what the widget shows, for readers of the static book.
    """
    fig, axes = plt.subplots(len(scenarios), 2, figsize=(8.0, 2.1 * len(scenarios)),
                             squeeze=False)
    for (name, logits, target), (ax_p, ax_g) in zip(scenarios, axes, strict=True):
        _, loss, _ = _bars(ax_p, ax_g, logits, target, title=False)
        logit_text = ", ".join(f"{v:g}" for v in logits)
        ax_p.set_title(f"{name}: x = ({logit_text}), y = {target}, loss {loss:.3f}",
                       fontsize=9, loc="left")
    axes[-1, 0].set_xlabel("class c")
    axes[-1, 1].set_xlabel("class c")
    fig.tight_layout()
    return fig
