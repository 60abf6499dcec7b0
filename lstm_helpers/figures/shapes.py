"""Figures of chapter 1: broadcasting drawn as stretching, matmul drawn as rows times columns.

Both functions return a ``matplotlib.figure.Figure`` and draw tensors of at most two
dimensions (a grid of cells: rows down, columns across).
"""

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Rectangle

from ..shapes import as_shape, explain_broadcast, explain_matmul, format_shape

__all__ = ["draw_broadcast", "draw_matmul"]

COLOR_A = "#4C72B0"
COLOR_B = "#DD8452"
COLOR_OUT = "#55A868"
FADED = 0.22  # alpha of a stretched (not stored) copy
SOLID = 0.85

_OPS = {"+": torch.add, "-": torch.sub, "*": torch.mul}


def _split(x, name):
    """A tensor or a shape -> (shape, tensor or None)."""
    if isinstance(x, torch.Tensor):
        return x.shape, x.detach()
    return as_shape(x, name), None


def _as_2d(shape) -> tuple[int, int]:
    shape = tuple(shape)
    if len(shape) > 2:
        raise ValueError(
            f"the figure draws tensors with at most 2 dimensions, got shape {format_shape(shape)}"
        )
    return ((1,) * (2 - len(shape)) + shape)[-2:]


def _cell(ax, row, col, color, alpha, *, dashed=False, text=None):
    ax.add_patch(
        Rectangle(
            (col, -row - 1),
            1,
            1,
            facecolor=color,
            alpha=alpha,
            edgecolor="0.25",
            linewidth=0.8,
            linestyle="--" if dashed else "-",
        )
    )
    if text is not None:
        ax.text(col + 0.5, -row - 0.5, text, ha="center", va="center", fontsize=8)


def _frame(ax, rows, cols, title):
    ax.set_xlim(-0.2, max(cols, 1) + 0.2)
    ax.set_ylim(-max(rows, 1) - 0.2, 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=9)
    if rows == 0 or cols == 0:
        ax.text(0.5, -0.5, "empty\n(a size is 0)", ha="left", va="center", fontsize=8)


def _stretched(ax, shape2d, out2d, color, values):
    """Draw an operand over the whole result grid: stored cells solid, copies faded."""
    rows, cols = shape2d
    for i in range(out2d[0]):
        for j in range(out2d[1]):
            si, sj = (i if rows > 1 else 0), (j if cols > 1 else 0)
            stored = (si, sj) == (i, j)
            text = None if values is None else f"{float(values[si, sj]):.2f}"
            _cell(ax, i, j, color, SOLID if stored else FADED, dashed=not stored, text=text)


def draw_broadcast(a=(5, 3), b=(3,), *, op: str = "+"):
    """Draw ``a op b`` as broadcasting does it: the smaller operand stretched over the result.

    Each operand is drawn on the grid of the result: the cells it really stores are solid,
    the copies broadcasting makes (without copying memory) are faded with dashed edges.

    Args:
        a, b: tensors (cell values are written in) or shapes, at most 2-D.
            Default: the source post's ``(5, 3) + (3,)``.
        op: ``"+"``, ``"-"`` or ``"*"``. Default: ``"+"``.

    Returns:
        The ``matplotlib.figure.Figure``.

    Raises:
        ShapeError: the shapes do not broadcast. ValueError: more than 2 dimensions,
            an unknown ``op``.
    """
    if op not in _OPS:
        raise ValueError(f"op must be one of {sorted(_OPS)}, got {op!r}")
    shape_a, ta = _split(a, "a")
    shape_b, tb = _split(b, "b")
    result = explain_broadcast(shape_a, shape_b)
    out2d = _as_2d(result.shape)
    a2d, b2d = _as_2d(shape_a), _as_2d(shape_b)
    va = None if ta is None else ta.reshape(a2d)
    vb = None if tb is None else tb.reshape(b2d)
    vout = None
    if va is not None and vb is not None:
        vout = _OPS[op](va, vb).reshape(out2d)

    width = max(out2d[1], 1)
    fig, axes = plt.subplots(
        1, 3, figsize=(2.0 + 3 * 0.62 * width, 1.1 + 0.55 * max(out2d[0], 1)), squeeze=True
    )

    def label(name, shape):
        text = f"{name} {format_shape(shape)}"
        if tuple(shape) != tuple(result.shape):
            text += f"\nstretched to {format_shape(result.shape)}"
        return text

    for ax, shape, shape2d, color, values, name in (
        (axes[0], shape_a, a2d, COLOR_A, va, "a"),
        (axes[1], shape_b, b2d, COLOR_B, vb, "b"),
    ):
        _stretched(ax, shape2d, out2d, color, values)
        _frame(ax, *out2d, label(name, shape))
    for i in range(out2d[0]):
        for j in range(out2d[1]):
            text = None if vout is None else f"{float(vout[i, j]):.2f}"
            _cell(axes[2], i, j, COLOR_OUT, SOLID, text=text)
    _frame(axes[2], *out2d, f"a {op} b {format_shape(result.shape)}")
    fig.text(0.36, 0.45, op, fontsize=16, ha="center", va="center")
    fig.text(0.66, 0.45, "=", fontsize=16, ha="center", va="center")
    fig.tight_layout(w_pad=3)
    return fig


def _matrix(ax, x0, rows, cols, color, *, added=None, highlight=None):
    """Draw a rows x cols matrix at x offset x0; ``added``: 'row' or 'col' is a promoted 1."""
    for i in range(rows):
        for j in range(cols):
            hot = highlight is not None and highlight(i, j)
            alpha = SOLID if hot else 0.35
            _cell(ax, i, x0 + j, color, alpha, dashed=added is not None)
    return x0 + cols


def _operand_label(name, shape, aligned) -> str:
    """``b (3, 1)``; for a 1-D operand the promotion too: ``b (3,) -> (3, 1)``."""
    if tuple(shape) == tuple(aligned):
        return f"{name} {format_shape(shape)}"
    return f"{name} {format_shape(shape)} -> {format_shape(aligned)}"


def draw_matmul(cases=(((5, 3), (3, 1)), ((5, 3), (3,)))):
    """Draw ``a @ b`` for matrices and vectors: row ``i`` of ``a`` times column ``j`` of ``b``.

    One row of panels per case. The inner size ``k`` is shared by ``a`` (its columns) and
    ``b`` (its rows); it disappears from the result. A 1-D operand is drawn after
    ``torch.matmul`` promotes it (a row ``(1, k)`` for ``a``, a column ``(k, 1)`` for ``b``),
    with dashed edges: the added 1 is removed from the result again.

    Args:
        cases: pairs ``(shape_a, shape_b)`` of shapes with 1 or 2 dimensions.
            Default: the source post's ``(5, 3) @ (3, 1)`` and ``(5, 3) @ (3,)``.

    Returns:
        The ``matplotlib.figure.Figure``.

    Raises:
        ShapeError: inner sizes differ. ValueError: a 0-d operand or more than 2 dimensions.
    """
    cases = [(as_shape(a, "shape_a"), as_shape(b, "shape_b")) for a, b in cases]
    if not cases:
        raise ValueError("cases must hold at least one (shape_a, shape_b) pair")
    infos = []
    for a, b in cases:
        result = explain_matmul(a, b)
        if len(a) > 2 or len(b) > 2:
            raise ValueError(
                f"draw_matmul draws 1-D and 2-D operands, got {format_shape(a)} and "
                f"{format_shape(b)}"
            )
        infos.append(result)
    widths = [r.aligned_a[-1] + 2 * r.aligned_b[-1] + 3.2 for r in infos]
    heights = [max(r.aligned_a[-2], r.aligned_b[-2], 1) + 2.4 for r in infos]
    fig, axes = plt.subplots(
        len(infos),
        1,
        figsize=(max(0.55 * max(widths), 5.2), 0.5 * sum(heights) + 0.2),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    for ax, r in zip(axes[:, 0], infos, strict=True):
        n, k = r.aligned_a[-2:]
        _, p = r.aligned_b[-2:]
        middle = -0.5 * max(n, k, 1)
        bottom = -max(n, k, 1) - 0.6
        a_1d, b_1d = len(r.shape_a) == 1, len(r.shape_b) == 1
        x = _matrix(
            ax, 0, n, k, COLOR_A, added="row" if a_1d else None, highlight=lambda i, j: i == 0
        )
        ax.text(x / 2, bottom, _operand_label("a", r.shape_a, r.aligned_a), ha="center",
                fontsize=8)
        ax.text(x + 0.6, middle, "@", fontsize=14, ha="center", va="center")
        start = x + 1.2
        x = _matrix(
            ax, start, k, p, COLOR_B, added="col" if b_1d else None, highlight=lambda i, j: j == 0
        )
        ax.text((start + x) / 2, bottom, _operand_label("b", r.shape_b, r.aligned_b),
                ha="center", fontsize=8)
        ax.text(x + 0.6, middle, "=", fontsize=14, ha="center", va="center")
        start = x + 1.2
        x = _matrix(
            ax,
            start,
            n,
            p,
            COLOR_OUT,
            added="x" if a_1d or b_1d else None,
            highlight=lambda i, j: (i, j) == (0, 0),
        )
        out = f"({n}, {p})" + (f" -> {format_shape(r.shape)}" if a_1d or b_1d else "")
        ax.text((start + x) / 2, bottom, out, ha="center", fontsize=8)
        ax.set_xlim(-0.3, max(widths) + 0.3)
        ax.set_ylim(bottom - 0.3, 0.3)
        ax.set_aspect("equal")
        ax.axis("off")
        title = (
            f"{format_shape(r.shape_a)} @ {format_shape(r.shape_b)} -> "
            f"{format_shape(r.shape)}: the inner size {k} disappears"
        )
        if a_1d or b_1d:
            title += "\ndashed: the 1 that matmul adds to a 1-D operand is removed again"
        ax.set_title(title, fontsize=9, loc="left")
    fig.tight_layout()
    return fig
