"""Colours and drawing primitives shared by the LSTM figures (and the widgets that draw).

One colour per gate, used by every figure and widget of the book: :data:`GATE_COLORS`.
"""

from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

#: One colour per gate, used by every figure and widget of the chapters.
GATE_COLORS = {"i": "#4c72b0", "f": "#dd8452", "g": "#55a868", "o": "#c44e52"}
#: The states: the cell state c and the hidden state h.
STATE_COLORS = {"c": "#333333", "h": "#8172b2"}


def arrow(ax, start, end, color="black", lw=1.6, head=True):
    style = "-|>" if head else "-"
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle=style, mutation_scale=12, color=color, lw=lw,
            shrinkA=0, shrinkB=0,
        )
    )


def line(ax, xs, ys, color="black", lw=1.6):
    ax.plot(xs, ys, color=color, lw=lw, solid_capstyle="round", zorder=1)


def op(ax, xy, symbol, color="#f2f2f2"):
    """A pointwise operation drawn as a circle with its symbol."""
    ax.add_patch(Circle(xy, 0.28, facecolor=color, edgecolor="black", lw=1.3, zorder=3))
    ax.text(*xy, symbol, ha="center", va="center", fontsize=13, zorder=4)


def box(ax, xy, text, color, width=0.9, height=0.6, fontsize=11):
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2), width, height,
            boxstyle="round,pad=0.04,rounding_size=0.08",
            facecolor=color, edgecolor="black", lw=1.2, zorder=3,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color="white", zorder=4)
