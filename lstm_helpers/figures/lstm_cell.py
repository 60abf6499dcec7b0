"""Figures of the LSTM-cell chapter (``02_lstm_cell``): the cell diagram, the weight layout,
a precomputed sweep of the one-unit gate explorer (:func:`one_unit_step`), and how far back a
gradient reaches (:func:`gradient_reach`).

Every function returns a :class:`matplotlib.figure.Figure` (drawn with the object API, so
nothing is left open in pyplot's state machine unless the caller shows it).
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from ..init.diagnostics import gradient_reach as _gradient_reach
from ..lstm import GATES, lstm_cell
from ._draw import GATE_COLORS, STATE_COLORS, arrow, box, line, op

#: The one-unit cell's fixed weights, one scalar per gate: ``W_i*`` multiplies ``x_t``.
DEFAULT_W_IH = {"i": 1.0, "f": 0.5, "g": 1.0, "o": 2.0}
#: ``W_h*`` multiplies ``h_{t-1}``.
DEFAULT_W_HH = {"i": 0.5, "f": 0.5, "g": 0.5, "o": 0.5}


def one_unit_step(x_t, h_prev, c_prev, b_i=0.0, b_f=0.0, b_g=0.0, b_o=0.0, w_ih=None,
                  w_hh=None):
    """One step of a one-unit LSTM (``input_size = hidden_size = 1``), every number shown.

    The step itself is :func:`lstm_helpers.lstm.lstm_cell` in float64; each gate's bias here
    is the sum ``b_i* + b_h*`` of PyTorch's two biases (only the sum matters).

    Args:
        x_t, h_prev, c_prev: the input and the previous hidden and cell state (floats).
        b_i, b_f, b_g, b_o: gate biases. Default: 0.
        w_ih, w_hh: dicts ``{"i": .., "f": .., "g": .., "o": ..}`` of scalar weights.
            Default: :data:`DEFAULT_W_IH`, :data:`DEFAULT_W_HH`.

    Returns:
        dict with the pre-activations ``z_i, z_f, z_g, z_o``, the gates ``i, f, g, o`` and
        the new state ``c, h`` (floats).
    """
    w_ih = DEFAULT_W_IH if w_ih is None else w_ih
    w_hh = DEFAULT_W_HH if w_hh is None else w_hh
    weight_ih = torch.tensor([[float(w_ih[k])] for k in GATES], dtype=torch.float64)  # (4, 1)
    weight_hh = torch.tensor([[float(w_hh[k])] for k in GATES], dtype=torch.float64)  # (4, 1)
    bias = torch.tensor([float(b) for b in (b_i, b_f, b_g, b_o)], dtype=torch.float64)  # (4,)
    x, h, c = (torch.tensor([float(v)], dtype=torch.float64) for v in (x_t, h_prev, c_prev))
    h_next, c_next = lstm_cell(x, (h, c), weight_ih, weight_hh, bias)  # (1,), (1,) unbatched
    z = weight_ih @ x + weight_hh @ h + bias  # (4,) the pre-activations, to show them
    out = {}
    for k, z_k in zip(GATES, z.unbind(0), strict=True):
        out[f"z_{k}"] = z_k.item()
        out[k] = (torch.tanh(z_k) if k == "g" else torch.sigmoid(z_k)).item()
    out["c"] = c_next.item()
    out["h"] = h_next.item()
    return out


def cell_diagram(figsize=(9.0, 5.6)):
    """Draw one LSTM step: the four gates, the cell-state highway and the hidden state.

    Every wire is labelled with the symbol of the chapter's equations: the inputs
    :math:`x_t, h_{t-1}, c_{t-1}`, the gates :math:`i_t, f_t, g_t, o_t`, the outputs
    :math:`c_t, h_t`; circles are pointwise operations (:math:`\\odot` is the Hadamard
    product).

    Returns:
        matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(-0.6, 13.2)
    ax.set_ylim(-1.3, 7.3)
    ax.set_aspect("equal")
    ax.axis("off")

    # The cell.
    ax.add_patch(
        FancyBboxPatch(
            (1.2, 0.0), 10.0, 6.2, boxstyle="round,pad=0.05,rounding_size=0.4",
            facecolor="#f7f7fb", edgecolor="#555555", lw=1.5, zorder=0,
        )
    )
    ax.text(1.45, 0.15, "one LSTM step (nn.LSTMCell)", fontsize=9, color="#555555", va="bottom")

    highway_y, bus_y, gate_y = 5.2, 1.0, 2.6
    gx = {"f": 3.0, "i": 4.6, "g": 6.2, "o": 7.8}

    # The cell-state highway: c_{t-1} -> (x f_t) -> (+ i_t g_t) -> c_t.
    line(ax, [0.0, 2.72], [highway_y, highway_y], lw=2.6)
    line(ax, [3.28, 5.12], [highway_y, highway_y], lw=2.6)
    arrow(ax, (5.68, highway_y), (12.6, highway_y), lw=2.6)
    ax.text(0.0, highway_y + 0.22, r"$c_{t-1}$", fontsize=14, va="bottom")
    ax.text(12.6, highway_y + 0.22, r"$c_t$", fontsize=14, va="bottom", ha="right")
    ax.text(
        8.4, highway_y + 0.5, "cell-state highway", fontsize=9, style="italic",
        color="#333333", ha="center",
    )
    op(ax, (gx["f"], highway_y), r"$\odot$")
    op(ax, (5.4, highway_y), "+")

    # The input bus: h_{t-1} from the left, x_t from below, feeding every gate.
    line(ax, [0.0, gx["o"]], [bus_y, bus_y])
    ax.text(0.0, bus_y + 0.15, r"$h_{t-1}$", fontsize=14, va="bottom")
    line(ax, [2.0, 2.0], [-0.9, bus_y])
    ax.add_patch(Circle((2.0, bus_y), 0.07, color="black", zorder=3))
    ax.text(2.15, -0.9, r"$x_t$", fontsize=14, va="bottom")
    for x in gx.values():
        arrow(ax, (x, bus_y), (x, gate_y - 0.34))
        ax.add_patch(Circle((x, bus_y), 0.07, color="black", zorder=3))

    # The four gates.
    for k, x in gx.items():
        act = r"$\tanh$" if k == "g" else r"$\sigma$"
        box(ax, (x, gate_y), act, GATE_COLORS[k])

    # f_t goes up to the multiplication on the highway.
    arrow(ax, (gx["f"], gate_y + 0.34), (gx["f"], highway_y - 0.3), color=GATE_COLORS["f"])
    ax.text(gx["f"] - 0.15, 3.9, r"$f_t$", fontsize=13, ha="right", color=GATE_COLORS["f"])

    # i_t and g_t meet at a Hadamard product, which is added to the highway.
    mul_ig = (5.4, 3.95)
    line(ax, [gx["i"], gx["i"], 5.12], [gate_y + 0.34, mul_ig[1], mul_ig[1]], GATE_COLORS["i"])
    line(ax, [gx["g"], gx["g"], 5.68], [gate_y + 0.34, mul_ig[1], mul_ig[1]], GATE_COLORS["g"])
    ax.text(gx["i"] - 0.12, 3.3, r"$i_t$", fontsize=13, ha="right", color=GATE_COLORS["i"])
    ax.text(gx["g"] + 0.12, 3.3, r"$g_t$", fontsize=13, ha="left", color=GATE_COLORS["g"])
    op(ax, mul_ig, r"$\odot$")
    arrow(ax, (5.4, mul_ig[1] + 0.28), (5.4, highway_y - 0.3))

    # c_t -> tanh -> (x o_t) -> h_t.
    tx = 9.4
    arrow(ax, (tx, highway_y), (tx, 4.25))
    box(ax, (tx, 3.95), r"$\tanh$", "#777777", width=0.9, height=0.55)
    mul_o = (tx, 2.6)
    arrow(ax, (tx, 3.67), (tx, mul_o[1] + 0.28))
    arrow(ax, (gx["o"] + 0.45, gate_y), (tx - 0.28, mul_o[1]), color=GATE_COLORS["o"])
    ax.text(8.55, gate_y + 0.12, r"$o_t$", fontsize=13, color=GATE_COLORS["o"], va="bottom")
    op(ax, mul_o, r"$\odot$")
    line(ax, [tx + 0.28, 10.6], [mul_o[1], mul_o[1]])
    arrow(ax, (10.6, mul_o[1]), (10.6, 6.9))
    arrow(ax, (10.6, mul_o[1]), (12.6, mul_o[1]))
    ax.add_patch(Circle((10.6, mul_o[1]), 0.07, color="black", zorder=3))
    ax.text(10.75, 6.75, r"$h_t$ (output)", fontsize=12, va="top")
    ax.text(12.6, mul_o[1] + 0.15, r"$h_t$", fontsize=14, ha="right", va="bottom")

    # Legend of the gates with their equations.
    legend = [
        ("f", r"$f_t=\sigma(W_{if}x_t+b_{if}+W_{hf}h_{t-1}+b_{hf})$"),
        ("i", r"$i_t=\sigma(W_{ii}x_t+b_{ii}+W_{hi}h_{t-1}+b_{hi})$"),
        ("g", r"$g_t=\tanh(W_{ig}x_t+b_{ig}+W_{hg}h_{t-1}+b_{hg})$"),
        ("o", r"$o_t=\sigma(W_{io}x_t+b_{io}+W_{ho}h_{t-1}+b_{ho})$"),
    ]
    for row, (k, text) in enumerate(legend):
        ax.text(3.2 + 4.6 * (row % 2), -0.45 - 0.45 * (row // 2), text, fontsize=9,
                color=GATE_COLORS[k], ha="left", va="center")
    ax.text(
        6.2, 6.75, r"$c_t=f_t\odot c_{t-1}+i_t\odot g_t\qquad h_t=o_t\odot\tanh(c_t)$",
        fontsize=11, ha="center", va="center",
    )
    fig.tight_layout()
    return fig


def weight_layout(input_size=3, hidden_size=2, figsize=(8.0, 4.2)):
    """Draw how ``nn.LSTMCell`` stacks the four gates' weights and biases.

    ``weight_ih`` is ``(4*hidden_size, input_size)``, ``weight_hh`` is
    ``(4*hidden_size, hidden_size)``, ``bias_ih`` and ``bias_hh`` are ``(4*hidden_size,)``;
    rows ``k*hidden_size`` to ``(k+1)*hidden_size - 1`` belong to gate ``k`` of ``i, f, g, o``.

    Args:
        input_size: columns of ``weight_ih`` (H_in). Default: 3.
        hidden_size: rows per gate (H_cell). Default: 2.

    Returns:
        matplotlib.figure.Figure
    """
    if input_size < 1 or hidden_size < 1:
        raise ValueError(
            f"input_size and hidden_size must be positive: got {input_size}, {hidden_size}"
        )
    H = hidden_size
    fig, ax = plt.subplots(figsize=figsize)
    ax.axis("off")
    blocks = [
        ("weight_ih", input_size, r"$W_{i%s}$", 0.0),
        ("weight_hh", H, r"$W_{h%s}$", input_size + 1.5),
        ("bias_ih", 1, r"$b_{i%s}$", input_size + H + 3.0),
        ("bias_hh", 1, r"$b_{h%s}$", input_size + H + 5.0),
    ]
    rows = 4 * H
    for name, cols, label, x0 in blocks:
        for k, gate in enumerate(GATES):
            y0 = rows - (k + 1) * H
            ax.add_patch(
                Rectangle((x0, y0), cols, H, facecolor=GATE_COLORS[gate], alpha=0.85,
                          edgecolor="white", lw=1.5)
            )
            ax.text(x0 + cols / 2, y0 + H / 2, label % gate, ha="center", va="center",
                    color="white", fontsize=11)
            for r in range(1, H):
                ax.plot([x0, x0 + cols], [y0 + r, y0 + r], color="white", lw=0.4)
        for c in range(1, cols):
            ax.plot([x0 + c, x0 + c], [0, rows], color="white", lw=0.4)
        shape = f"({rows}, {cols})" if name.startswith("weight") else f"({rows},)"
        ax.text(x0 + cols / 2, rows + 0.3, f"{name}\n{shape}", ha="center", va="bottom",
                fontsize=10, family="monospace")
    for k, gate in enumerate(GATES):
        y = rows - (k + 0.5) * H
        ax.text(-0.3, y, f"{gate}: rows {k * H}..{(k + 1) * H - 1}", ha="right", va="center",
                fontsize=10, color=GATE_COLORS[gate])
    ax.set_xlim(-4.2, input_size + H + 6.3)
    ax.set_ylim(-0.5, rows + 2.2)
    ax.set_aspect("equal")
    ax.set_title(f"input_size={input_size}, hidden_size={H}: four gates stacked as i, f, g, o",
                 fontsize=10)
    fig.tight_layout()
    return fig


def gate_sweep(h_prev=0.0, c_prev=1.0, forget_biases=(-3.0, 0.0, 3.0), figsize=(9.0, 3.2)):
    """A static view of the gate explorer: the one-unit cell's outputs as ``x_t`` sweeps.

    Uses the same one-unit cell and weights as
    :class:`lstm_helpers.widgets.lstm_cell.GateExplorer`. Left: the four gates with zero
    biases. Right: ``c_t`` and ``h_t`` for a few forget-gate biases: a large ``b_f`` keeps
    the old memory ``c_{t-1}``, a very negative one erases it.

    Returns:
        matplotlib.figure.Figure
    """
    xs = np.linspace(-3, 3, 61)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=figsize, sharex=True)
    steps = [one_unit_step(x, h_prev, c_prev) for x in xs]
    for k in GATES:
        ax1.plot(xs, [s[k] for s in steps], color=GATE_COLORS[k], label=f"${k}_t$")
    ax1.set_title(f"the gates (biases 0, $h_{{t-1}}$={h_prev:g})", fontsize=10)
    ax1.set_xlabel("$x_t$")
    ax1.axhline(0, color="#999999", lw=0.6)
    ax1.legend(fontsize=8, ncol=2)
    for bf, style in zip(forget_biases, ["-", "--", ":"], strict=False):
        runs = [one_unit_step(x, h_prev, c_prev, b_f=bf) for x in xs]
        ax2.plot(xs, [s["c"] for s in runs], "k" + style, label=f"$c_t$, $b_f$={bf:g}")
        ax2.plot(xs, [s["h"] for s in runs], style, color=STATE_COLORS["h"],
                 label=f"$h_t$, $b_f$={bf:g}")
    ax2.axhline(c_prev, color="#999999", lw=0.6)
    ax2.set_title(f"the new state ($c_{{t-1}}$={c_prev:g}, grey line)", fontsize=10)
    ax2.set_xlabel("$x_t$")
    ax2.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


#: The models of :func:`gradient_reach_data`, in drawing order, with their colours.
REACH_MODELS = {
    "RNN": "#8c8c8c",
    "LSTM": "#4c72b0",
    "LSTM, b_f = 3": "#dd8452",
    "LSTM, b_f = 3, warm start": "#8172b2",
}


def sensitivity_by_lag(model, x, warm_up=None):
    """How strongly the last hidden state reacts to each input: ``s[k]`` for ``k`` steps back.

    The book's one gradient-reach measurement, :func:`lstm_helpers.init.gradient_reach`: one
    vector-Jacobian product (the gradient of ``output[-1].sum()``, i.e. the Jacobian
    multiplied by a vector of ones) with respect to every input ``x_t``, then its norm per
    step (over the features, averaged over the batch):

    .. math:: s_k = \\lVert \\mathbf 1^\\top\\, \\partial h_{L-1} / \\partial x_{L-1-k} \\rVert

    Args:
        model: an ``nn.RNN`` or ``nn.LSTM`` (one layer, not batch-first).
        x: the input, :math:`(L, N, H_{in})`.
        warm_up: optional inputs :math:`(L_0, N, H_{in})` run first (no gradient is taken
            with respect to them), so that the state at ``x[0]`` is no longer zero.
            Default: ``None``.

    Outputs:
        ``s``: :math:`(L,)`, ``s[k]`` the sensitivity to the input ``k`` steps before the last.
    """
    return _gradient_reach(model, x, warm_up=warm_up)  # (L,), index k = steps back


def gradient_reach_data(seeds=20, seq_len=60, input_size=4, hidden_size=20, forget_bias=3.0,
                        warm_up=200):
    """The sensitivity of :func:`sensitivity_by_lag` over many random draws, in float64.

    For each seed: a random input of ``seq_len`` steps (batch 1) and fresh, default-initialised
    ``nn.RNN`` and ``nn.LSTM`` models; a second LSTM gets the forget-gate bias
    ``bias_ih[H:2H] = forget_bias`` and ``bias_hh[H:2H] = 0`` (so the sum ``b_if + b_hf``, all
    the gate sees, is exactly ``forget_bias``) and is measured twice, from a zero state and after
    ``warm_up`` extra random steps.

    Args:
        seeds: number of draws (seeds ``0 .. seeds-1``). Default: 20.
        seq_len: :math:`L`. Default: 60. input_size, hidden_size: Defaults: 4, 20.
        forget_bias: Default: 3.0. warm_up: steps run before the measured ones. Default: 200.

    Returns:
        dict: model name (the keys of :data:`REACH_MODELS`) -> tensor ``(seeds, seq_len)``,
        row ``n`` the sensitivities ``s[k]`` of draw ``n``.
    """
    if seeds < 1 or seq_len < 1:
        raise ValueError(f"seeds and seq_len must be >= 1, got {seeds} and {seq_len}")
    rows = {name: [] for name in REACH_MODELS}
    kw = {"dtype": torch.float64}
    H = hidden_size
    for seed in range(seeds):
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn(seq_len, 1, input_size, generator=gen, **kw)  # (L, N, H_in)
        pre = torch.randn(warm_up, 1, input_size, generator=gen, **kw)  # (L0, N, H_in)
        torch.manual_seed(seed)  # the models' initialisation
        rnn = torch.nn.RNN(input_size, H, **kw)
        lstm = torch.nn.LSTM(input_size, H, **kw)
        keep = torch.nn.LSTM(input_size, H, **kw)
        with torch.no_grad():
            keep.bias_ih_l0[H : 2 * H] = forget_bias  # rows H..2H-1: the forget gate
            keep.bias_hh_l0[H : 2 * H] = 0.0  # so that b_f = b_if + b_hf = forget_bias exactly
        rows["RNN"].append(sensitivity_by_lag(rnn, x))
        rows["LSTM"].append(sensitivity_by_lag(lstm, x))
        rows["LSTM, b_f = 3"].append(sensitivity_by_lag(keep, x))
        rows["LSTM, b_f = 3, warm start"].append(sensitivity_by_lag(keep, x, warm_up=pre))
    return {name: torch.stack(r) for name, r in rows.items()}


def gradient_reach(data=None, band=(0.1, 0.9), figsize=(10.0, 4.0)):
    """The median sensitivity against the number of steps back, with a band across draws.

    Left: every model of :func:`gradient_reach_data`. Right: a zoom on the LSTM with the
    large forget bias, from a zero state and from a warm start, each with its band.

    Args:
        data: the result of :func:`gradient_reach_data`. Default: ``None`` (computed).
        band: the quantiles that bound the shaded bands. Default: ``(0.1, 0.9)``, the middle
            80% of the draws (on the left, the warm-start curve is a dashed median only).

    Returns:
        matplotlib.figure.Figure
    """
    if data is None:
        data = gradient_reach_data()
    fig, (ax, zoom) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [3, 2]})
    q = torch.tensor(band, dtype=torch.float64)
    for name, values in data.items():
        color = REACH_MODELS.get(name, "black")
        lags = range(values.shape[1])
        median = values.median(dim=0).values
        lo, hi = torch.quantile(values.double(), q, dim=0)
        warm = "warm" in name
        style = "--" if warm else "-"
        ax.plot(lags, median, style, color=color, lw=1.8, label=name)
        if not warm:
            ax.fill_between(lags, lo, hi, color=color, alpha=0.2, lw=0)
        if "b_f" in name:
            zoom.plot(lags, median, style, color=color, lw=1.8, label=name)
            zoom.fill_between(lags, lo, hi, color=color, alpha=0.25 if warm else 0.15, lw=0,
                              hatch="//" if warm else None)
    n = next(iter(data.values())).shape[0]
    for a in (ax, zoom):
        a.set_yscale("log")
        a.set_xlabel("steps back, $k$")
    ax.set_ylabel(r"$\Vert \mathbf{1}^\top \partial h_{L-1} / \partial x_{L-1-k} \Vert$")
    ax.set_title(f"median of {n} random draws; bands: {band[0]:.0%} to {band[1]:.0%} of them",
                 fontsize=10)
    zoom.set_title("zoom on $b_f = 3$: zero state vs warm start", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    zoom.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig
