"""The initialisation explorer: pick a hidden size and a scheme, see the weights and how
many gates saturate.

An ``nn.LSTM(input_size, hidden_size)`` is initialised with the chosen scheme and reads a
fixed random sequence (standard normal features, from zero states). The widget shows the
histogram of its parameters against PyTorch's ``U(-1/sqrt(H), 1/sqrt(H))`` and, per gate,
the mean gate value and the share of gate values that are saturated (sigmoid within ``tol``
of 0 or 1, tanh within ``tol`` of -1 or +1).
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from .. import init as lstm_init
from ..figures.init import draw_histogram, scheme_label
from ._common import figure_to_html

#: Dropdown entries: (label, (scheme, factor)).
SCHEME_OPTIONS = (
    ("PyTorch default", ("pytorch", None)),
    ("Xavier per gate block", ("xavier", None)),
    ("orthogonal W_hh per gate block", ("orthogonal", None)),
    ("forget bias 1", ("forget_bias", None)),
    ("small: scaled x0.1", ("scaled", 0.1)),
    ("large: scaled x4", ("scaled", 4.0)),
)


class InitExplorer(widgets.VBox):
    """Hidden size (slider) and scheme (dropdown) in; weight histogram and saturation out.

    Controls (attributes): ``hidden_size`` (``IntSlider``, powers of two are not required),
    ``scheme`` (``Dropdown``, values ``(scheme, factor)``). Results: ``histogram``
    (``HTML`` image with alt text: every LSTM parameter, biases included) and ``summary``
    (``HTML``: the bound, the spread of the weights, and per gate its mean value and share
    saturated).

    Args:
        input_size: features of the probe sequence. Default: 32.
        seq_len, batch_size: size of the probe sequence. Defaults: 50, 8.
        tol: saturation threshold (see :func:`lstm_helpers.init.saturation`). Default: 0.05.
        seed: seed of the probe sequence and of the initialisation. Default: 0.
    """

    def __init__(self, input_size=32, seq_len=50, batch_size=8, tol=0.05, seed=0,
                 hidden_size=64, min_hidden=4, max_hidden=256):
        self.input_size = int(input_size)
        self.tol = float(tol)
        self.seed = int(seed)
        self.probe = lstm_init.probe_input(self.input_size, seq_len, batch_size, seed=seed)
        self.hidden_size = widgets.IntSlider(
            value=hidden_size, min=min_hidden, max=max_hidden, step=4,
            description="hidden_size", continuous_update=False,
            style={"description_width": "90px"}, layout=widgets.Layout(width="380px"),
        )
        self.scheme = widgets.Dropdown(
            options=list(SCHEME_OPTIONS), value=SCHEME_OPTIONS[0][1], description="scheme",
            style={"description_width": "90px"}, layout=widgets.Layout(width="380px"),
        )
        self.histogram = widgets.HTML()
        self.summary = widgets.HTML()
        self.hidden_size.observe(self._update, names="value")
        self.scheme.observe(self._update, names="value")
        super().__init__([
            widgets.HBox([self.hidden_size, self.scheme]),
            widgets.HBox([self.histogram, self.summary]),
        ])
        self._update()

    def module(self):
        """The ``nn.LSTM`` for the current settings (fresh, initialised with the scheme)."""
        scheme, factor = self.scheme.value
        return lstm_init.make_lstm(self.input_size, self.hidden_size.value, scheme, factor=factor,
                           seed=self.seed)

    def results(self) -> dict:
        """Bound, weight statistics and saturation for the current settings."""
        module = self.module()
        H = self.hidden_size.value
        weights = lstm_init.flat_weights(module, include_biases=False)
        acts = [t.activations() for t in lstm_init.gate_trace(module, self.probe)]
        return {
            "bound": lstm_init.uniform_bound(H),
            "std": weights.double().std().item(),
            "max_abs": weights.abs().max().item(),
            "saturation": lstm_init.saturation(module, self.probe, tol=self.tol),
            "gate_means": {k: sum(a[k].mean().item() for a in acts) / len(acts)
                           for k in lstm_init.GATES},
            "parameters": lstm_init.flat_weights(module),
        }

    def _update(self, change=None):
        scheme, factor = self.scheme.value
        H = self.hidden_size.value
        r = self.results()
        a = r["bound"]
        fig, ax = plt.subplots(figsize=(4.2, 2.6))
        draw_histogram(ax, r["parameters"], a, bins=40,
                       density_bound=a * factor if scheme == "scaled" else a)
        ax.set_title(f"parameters of nn.LSTM({self.input_size}, {H}): "
                     f"{scheme_label(scheme, factor)}", fontsize=9)
        ax.set_xlabel("parameter value", fontsize=8)
        ax.tick_params(labelsize=7)
        fig.tight_layout()
        self.histogram.value = figure_to_html(
            fig,
            alt=f"Histogram of the parameters of nn.LSTM({self.input_size}, {H}) under "
            f"{scheme_label(scheme, factor)}, against the uniform density of bound {a:.3f}.",
        )
        sat, means = r["saturation"], r["gate_means"]
        rows = "".join(
            f"<tr><td>{name}</td><td style='text-align:right'>{means[k]:+.3f}</td>"
            f"<td style='text-align:right'>{100 * sat[k]:.1f}%</td></tr>"
            for k, name in (("i", "input gate i"), ("f", "forget gate f"),
                            ("g", "candidate g (tanh)"), ("o", "output gate o"))
        )
        rows += (f"<tr><td><b>all gates</b></td><td></td>"
                 f"<td style='text-align:right'><b>{100 * sat['all']:.1f}%</b></td></tr>")
        self.summary.value = (
            "<div style='font-family:monospace;font-size:90%'>"
            f"PyTorch bound a = 1/sqrt({H}) = {a:.4f}<br>"
            f"weights: std {r['std']:.4f}, max |w| {r['max_abs']:.4f}<br>"
            f"(std of U(-a, a) = a/sqrt(3) = {a / 3 ** 0.5:.4f})<br><br>"
            f"<b>saturated gates</b> (within {self.tol:g} of their limits)"
            "<table cellpadding='2'><tr><th>gate</th><th>mean</th><th>saturated</th></tr>"
            + rows + "</table></div>"
        )
