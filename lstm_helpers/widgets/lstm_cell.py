"""The gate explorer of the LSTM-cell chapter: one LSTM unit, every number visible.

A one-unit cell (``input_size=1``, ``hidden_size=1``) has one scalar weight per gate and
input, so each gate is a number you can follow by hand. Sliders set
:math:`x_t, h_{t-1}, c_{t-1}` and the four gate biases; the widget shows every
pre-activation, the gates :math:`i_t, f_t, g_t, o_t` and the new state :math:`c_t, h_t`.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..figures._draw import GATE_COLORS, STATE_COLORS
from ..figures.lstm_cell import DEFAULT_W_HH, DEFAULT_W_IH, one_unit_step
from ..lstm import GATES
from ._common import figure_to_html

_COLORS = {**GATE_COLORS, **STATE_COLORS}

__all__ = ["DEFAULT_W_HH", "DEFAULT_W_IH", "GateExplorer", "one_unit_step"]


def _slider(description, low, high, value):
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=0.1, description=description,
        continuous_update=False, readout_format=".1f",
        style={"description_width": "90px"}, layout=widgets.Layout(width="340px"),
    )


class GateExplorer(widgets.VBox):
    """Sliders for :math:`x_t, h_{t-1}, c_{t-1}` and the gate biases; the gates and new state.

    Controls (attributes): ``x_t``, ``h_prev``, ``c_prev``, ``b_i``, ``b_f``, ``b_g``,
    ``b_o`` (``FloatSlider``). Results: ``table`` (``HTML``: every number of the step) and
    ``chart`` (``HTML`` image with alt text: the gates and the new state as bars).
    """

    def __init__(self, x_t=1.0, h_prev=0.0, c_prev=1.0, w_ih=None, w_hh=None):
        self.w_ih = dict(DEFAULT_W_IH if w_ih is None else w_ih)
        self.w_hh = dict(DEFAULT_W_HH if w_hh is None else w_hh)
        self.x_t = _slider("x_t", -3.0, 3.0, x_t)
        self.h_prev = _slider("h_{t-1}", -1.0, 1.0, h_prev)
        self.c_prev = _slider("c_{t-1}", -3.0, 3.0, c_prev)
        self.b_i = _slider("bias of i", -5.0, 5.0, 0.0)
        self.b_f = _slider("bias of f", -5.0, 5.0, 0.0)
        self.b_g = _slider("bias of g", -5.0, 5.0, 0.0)
        self.b_o = _slider("bias of o", -5.0, 5.0, 0.0)
        self.sliders = [self.x_t, self.h_prev, self.c_prev, self.b_i, self.b_f, self.b_g,
                        self.b_o]
        self.table = widgets.HTML()
        self.chart = widgets.HTML()
        for s in self.sliders:
            s.observe(self._update, names="value")
        controls = widgets.HBox([
            widgets.VBox([widgets.HTML("<b>inputs</b>"), self.x_t, self.h_prev, self.c_prev]),
            widgets.VBox([widgets.HTML("<b>gate biases</b>"), self.b_i, self.b_f, self.b_g,
                          self.b_o]),
        ])
        super().__init__([controls, widgets.HBox([self.table, self.chart])])
        self._update()

    def step(self) -> dict:
        """The step computed from the current slider values (see :func:`one_unit_step`)."""
        return one_unit_step(
            self.x_t.value, self.h_prev.value, self.c_prev.value, self.b_i.value,
            self.b_f.value, self.b_g.value, self.b_o.value, self.w_ih, self.w_hh,
        )

    def _update(self, change=None):
        s = self.step()
        x, h, c = self.x_t.value, self.h_prev.value, self.c_prev.value
        bias = {"i": self.b_i.value, "f": self.b_f.value, "g": self.b_g.value,
                "o": self.b_o.value}
        rows = []
        for k in GATES:
            act = "tanh" if k == "g" else "σ"
            rows.append(
                f"<tr><td style='color:{_COLORS[k]}'><b>{k}<sub>t</sub></b></td>"
                f"<td>{act}({self.w_ih[k]:g}·{x:.2f} + {self.w_hh[k]:g}·{h:.2f} "
                f"+ {bias[k]:.2f}) = {act}({s['z_' + k]:.3f})</td>"
                f"<td><b>{s[k]:.3f}</b></td></tr>"
            )
        rows.append(
            f"<tr><td><b>c<sub>t</sub></b></td><td>f<sub>t</sub>⊙c<sub>t-1</sub> + "
            f"i<sub>t</sub>⊙g<sub>t</sub> = {s['f']:.3f}·{c:.2f} + {s['i']:.3f}·{s['g']:.3f}"
            f"</td><td><b>{s['c']:.3f}</b></td></tr>"
        )
        rows.append(
            f"<tr><td><b>h<sub>t</sub></b></td><td>o<sub>t</sub>⊙tanh(c<sub>t</sub>) = "
            f"{s['o']:.3f}·tanh({s['c']:.3f})</td><td><b>{s['h']:.3f}</b></td></tr>"
        )
        self.table.value = (
            "<table style='font-family:monospace;border-collapse:collapse' cellpadding='4'>"
            "<tr><th>symbol</th><th>computation</th><th>value</th></tr>"
            + "".join(rows) + "</table>"
        )
        self.chart.value = figure_to_html(
            self._bars(s),
            alt=f"Bars of the gates i={s['i']:.2f}, f={s['f']:.2f}, g={s['g']:.2f}, "
            f"o={s['o']:.2f} and the new state c={s['c']:.2f}, h={s['h']:.2f}.",
        )

    @staticmethod
    def _bars(s):
        names = [*GATES, "c", "h"]
        fig, ax = plt.subplots(figsize=(3.4, 2.4))
        values = [s[k] for k in names]
        ax.bar(range(6), values, color=[_COLORS[k] for k in names])
        ax.set_xticks(range(6), ["$i_t$", "$f_t$", "$g_t$", "$o_t$", "$c_t$", "$h_t$"])
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylim(min(-1.1, min(values) - 0.25), max(1.1, max(values) + 0.25))
        for x, v in enumerate(values):
            ax.text(x, v, f"{v:.2f}", ha="center", va="bottom" if v >= 0 else "top",
                    fontsize=7)
        fig.tight_layout()
        return fig
