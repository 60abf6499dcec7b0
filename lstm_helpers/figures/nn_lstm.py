"""Figures of the ``nn.LSTM`` chapter (``03_nn_lstm``): a stacked, optionally bidirectional
LSTM unrolled over time.

Every function returns a :class:`matplotlib.figure.Figure`.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ._draw import arrow


def stacked_lstm_diagram(num_layers=2, seq_len=3, bidirectional=False, figsize=None):
    """Draw ``nn.LSTM`` unrolled in time: layers on top of each other, one cell per step.

    Horizontal arrows carry ``(h, c)`` from step to step (right to left for the reverse
    direction). Both directions of a layer read the same input; a black dot concatenates
    their hidden states, and that is what the layer above reads (and, for the top layer,
    ``output``). The last state of every layer and direction forms ``h_n`` and ``c_n``,
    index ``layer * D + direction``.

    Args:
        num_layers: stacked layers. Default: 2.
        seq_len: time steps drawn (L). Default: 3.
        bidirectional: also draw the reverse direction. Default: False.

    Returns:
        matplotlib.figure.Figure
    """
    if num_layers < 1 or seq_len < 1:
        raise ValueError(f"num_layers and seq_len must be positive: got {num_layers}, {seq_len}")
    D = 2 if bidirectional else 1
    dx, dy = 2.1, 1.3
    band = D * dy + 0.4  # height of one layer, its concatenation node included
    if figsize is None:
        figsize = (2.2 + 2.0 * seq_len, 1.2 + 1.25 * num_layers * (D + 0.3))
    fig, ax = plt.subplots(figsize=figsize)
    ax.axis("off")
    colors = ["#4c72b0", "#c44e52"]
    x0 = 1.4

    def node_y(layer):  # where layer `layer` reads its input
        return 0.0 + layer * band

    for layer in range(num_layers):
        y_in = node_y(layer)
        y_out = node_y(layer + 1)
        for d in range(D):
            y = y_in + 0.75 + d * dy
            for t in range(seq_len):
                x = x0 + t * dx
                ax.add_patch(
                    FancyBboxPatch((x - 0.45, y - 0.3), 0.9, 0.6,
                                   boxstyle="round,pad=0.03,rounding_size=0.1",
                                   facecolor=colors[d], edgecolor="black", zorder=3)
                )
                ax.text(x, y, f"layer {layer}\n" + ("forward" if d == 0 else "reverse"),
                        ha="center", va="center", color="white", fontsize=7, zorder=4)
                # Input: both directions read the same input node.
                if d == 0:
                    arrow(ax, (x, y_in), (x, y - 0.3), color="#888888", lw=1.0)
                else:
                    ax.add_patch(FancyArrowPatch(
                        (x, y_in), (x - 0.2, y - 0.3), arrowstyle="-|>", mutation_scale=10,
                        color="#888888", lw=1.0, connectionstyle="arc3,rad=-0.9",
                        shrinkA=0, shrinkB=0, zorder=2))
                # Output: to the concatenation node above the layer.
                if d == D - 1:
                    arrow(ax, (x, y + 0.3), (x, y_out), color="#888888", lw=1.0)
                else:
                    ax.add_patch(FancyArrowPatch(
                        (x + 0.2, y + 0.3), (x, y_out), arrowstyle="-|>", mutation_scale=10,
                        color="#888888", lw=1.0, connectionstyle="arc3,rad=0.9",
                        shrinkA=0, shrinkB=0, zorder=2))
                if t < seq_len - 1:
                    ends = [(x + 0.45, y), (x + dx - 0.45, y)]
                    if d == 1:
                        ends.reverse()
                    arrow(ax, *ends, color=colors[d])
            first, last = (0, seq_len - 1) if d == 0 else (seq_len - 1, 0)
            x_first, x_last = x0 + first * dx, x0 + last * dx
            sign = 1 if d == 0 else -1
            arrow(ax, (x_first - sign * 1.0, y), (x_first - sign * 0.45, y), color=colors[d])
            arrow(ax, (x_last + sign * 0.45, y), (x_last + sign * 1.0, y), color=colors[d])
            k = layer * D + d
            ax.text(x_first - sign * 1.05, y, f"h0[{k}]\nc0[{k}]", fontsize=7,
                    ha="right" if d == 0 else "left", va="center")
            ax.text(x_last + sign * 1.05, y, f"h_n[{k}]\nc_n[{k}]", fontsize=7,
                    ha="left" if d == 0 else "right", va="center")
        if layer < num_layers - 1 or bidirectional:  # the top layer's output is joined too
            for t in range(seq_len):
                ax.add_patch(Circle((x0 + t * dx, y_out), 0.07, color="black", zorder=3))
    top = node_y(num_layers)
    for t in range(seq_len):
        x = x0 + t * dx
        ax.text(x, -0.05, f"x[{t}]", ha="center", va="top", fontsize=9)
        ax.text(x, top + 0.05, f"output[{t}]", ha="center", va="bottom", fontsize=9)
    what = "bidirectional (D=2)" if bidirectional else "one direction (D=1)"
    note = "; a dot concatenates both directions' h" if bidirectional else ""
    ax.set_title(f"nn.LSTM(num_layers={num_layers}), {what}, L={seq_len}{note}", fontsize=9)
    ax.set_xlim(-0.7, x0 + (seq_len - 1) * dx + 2.1)
    ax.set_ylim(-0.5, top + 0.5)
    fig.tight_layout()
    return fig
