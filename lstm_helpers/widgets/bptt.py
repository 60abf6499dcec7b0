"""The gradient-through-time explorer: how far back a gradient reaches, RNN against LSTM.

Two panels. Top: for a fresh ``nn.RNN`` (tanh) and ``nn.LSTM`` of the same size, the norm of
the gradient of the last hidden state with respect to the input ``k`` steps back (mean over
seeds, band from the smallest to the largest seed); sliders pick the lag ``k`` read out in
the table and the LSTM's initial forget bias. Bottom: the connectivity of a trained network
on the adding problem (from the shipped records): ``||dy/dx_t||`` for one test sequence,
with the two marked inputs dotted.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from ..figures.bptt import draw_connectivity, draw_gradient_through_time
from ..longlag.gradients import connectivity, gradient_through_time, summarise_over_seeds
from ..longlag.tasks import adding_problem
from ..longlag.training import Config, model_from_record
from ._common import figure_to_html

__all__ = ["GradientExplorer"]

_STYLE = {"description_width": "110px"}
_LAYOUT = widgets.Layout(width="380px")


class GradientExplorer(widgets.VBox):
    """Sliders ``lag`` and ``forget_bias``; dropdown ``run`` and slider ``sample``.

    Results (``HTML``): ``plot`` and ``table`` (gradient through time), ``connectivity_plot``
    and ``connectivity_table`` (the trained network on one adding-problem sequence).

    Args:
        records: label -> :class:`~lstm_helpers.records.Record` of adding-problem
            runs (their trained weights are used). seq_len: length of the probe sequence
            (default: 100). seeds: how many fresh networks per curve (default: 5).
        hidden_size, input_size: of the fresh networks (defaults: 32, 8).
    """

    def __init__(self, records: dict, seq_len: int = 100, seeds: int = 5, hidden_size: int = 32,
                 input_size: int = 8, samples: int = 8):
        if not records:
            raise ValueError("GradientExplorer needs at least one adding-problem record")
        self.records = dict(records)
        self.seq_len, self.seeds = int(seq_len), range(int(seeds))
        self.hidden_size, self.input_size = int(hidden_size), int(input_size)
        self._rnn = gradient_through_time("rnn", seq_len=self.seq_len, seeds=self.seeds,
                                          hidden_size=self.hidden_size,
                                          input_size=self.input_size)
        self._lstm_cache: dict = {}
        self._models: dict = {}
        self.lag = widgets.IntSlider(value=50, min=0, max=self.seq_len - 1, step=1,
                                     description="lag k", continuous_update=False,
                                     style=_STYLE, layout=_LAYOUT)
        self.forget_bias = widgets.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.5,
                                               description="LSTM forget bias",
                                               continuous_update=False, style=_STYLE,
                                               layout=_LAYOUT)
        self.run = widgets.Dropdown(options=list(self.records), description="trained run",
                                    style=_STYLE, layout=_LAYOUT)
        self.sample = widgets.IntSlider(value=0, min=0, max=samples - 1, step=1,
                                        description="test sequence", continuous_update=False,
                                        style=_STYLE, layout=_LAYOUT)
        self.plot, self.table = widgets.HTML(), widgets.HTML()
        self.connectivity_plot, self.connectivity_table = widgets.HTML(), widgets.HTML()
        for control in (self.lag, self.forget_bias):
            control.observe(self._update_gradients, names="value")
        for control in (self.run, self.sample):
            control.observe(self._update_connectivity, names="value")
        super().__init__([
            widgets.HTML("<b>Gradient through time in fresh networks</b>"),
            widgets.HBox([self.lag, self.forget_bias]),
            widgets.HBox([self.plot, self.table]),
            widgets.HTML("<b>Connectivity of a trained network (adding problem)</b>"),
            widgets.HBox([self.run, self.sample]),
            widgets.HBox([self.connectivity_plot, self.connectivity_table]),
        ])
        self._update_gradients()
        self._update_connectivity()

    # gradient through time ----------------------------------------------------------

    def lstm_norms(self, forget_bias: float) -> torch.Tensor:
        key = float(forget_bias)
        if key not in self._lstm_cache:
            self._lstm_cache[key] = gradient_through_time(
                "lstm", seq_len=self.seq_len, seeds=self.seeds, hidden_size=self.hidden_size,
                input_size=self.input_size, forget_bias=key)
        return self._lstm_cache[key]

    def _update_gradients(self, change=None):
        k, b = self.lag.value, self.forget_bias.value
        lstm = self.lstm_norms(b)
        fig, ax = plt.subplots(figsize=(5.2, 3.0), dpi=72)
        draw_gradient_through_time(ax, {"nn.RNN (tanh)": self._rnn,
                                        f"nn.LSTM, forget bias {b:g}": lstm}, mark_lag=k)
        fig.tight_layout()
        self.plot.value = figure_to_html(
            fig, alt=f"Gradient norm against lag, log scale, for a tanh RNN and an LSTM with "
            f"forget bias {b:g}, with a dashed line at lag {k}.")
        r = summarise_over_seeds(self._rnn)["mean"][k].item()
        m = summarise_over_seeds(lstm)["mean"][k].item()
        self.table.value = (
            "<div style='font-family:monospace;font-size:90%'>"
            f"at lag k = {k} (forget bias {b:g}):<br>"
            f"nn.RNN  {r:.1e}<br>nn.LSTM {m:.1e}<br>"
            f"LSTM / RNN = {m / r:.1e}<br><br>"
            f"(mean over {len(self.seeds)} seeds, H = {self.hidden_size})</div>"
        )

    # connectivity -----------------------------------------------------------------

    def sequence(self):
        """The test sequence shown: ``(x (L, 2), length, marked steps)``."""
        config = Config(**self.records[self.run.value].config)
        g = torch.Generator().manual_seed(777)
        b = adding_problem(self.sample.max + 1, config.lag, generator=g)
        n = self.sample.value
        length = int(b.lengths[n])
        markers = (b.x[:length, n, 1] == 1).nonzero().flatten().tolist()
        return b.x[:, n], length, markers, b.target[n].item()

    def _update_connectivity(self, change=None):
        label = self.run.value
        if label not in self._models:
            self._models[label] = model_from_record(self.records[label])
        model = self._models[label]
        x, length, markers, target = self.sequence()
        norms = connectivity(model, x, length)
        with torch.no_grad():
            y = model(x[:length, None], torch.tensor([length]))[0, 0].item()
        fig, ax = plt.subplots(figsize=(5.2, 2.6), dpi=72)
        draw_connectivity(ax, norms.numpy(), markers)
        ax.set_title(f"{label}, test sequence {self.sample.value}", fontsize=9)
        fig.tight_layout()
        self.connectivity_plot.value = figure_to_html(
            fig, alt=f"Connectivity of {label} on a sequence of {length} steps: the gradient "
            f"norm of the output with respect to each input, marked inputs at steps "
            f"{markers[0]} and {markers[1]}.")
        top = torch.topk(norms, 2).indices.sort().values.tolist()
        self.connectivity_table.value = (
            "<div style='font-family:monospace;font-size:90%'>"
            f"{label}, sequence {self.sample.value}<br>"
            f"marked steps: {markers[0]}, {markers[1]}<br>"
            f"largest |dy/dx_t| at steps: {top[0]}, {top[1]}<br>"
            f"target {target:.3f}, output {y:.3f}<br>"
            f"|error| {abs(y - target):.3f} ({'correct' if abs(y - target) < 0.04 else 'wrong'})"
            "</div>"
        )
