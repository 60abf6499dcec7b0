"""The cross-entropy widget: move the logits, pick the true class, watch loss and gradient."""

import html

import ipywidgets as widgets
import numpy as np
import torch

from lstm_helpers.figures.losses import softmax_and_gradient, softmax_bars
from lstm_helpers.losses import cross_entropy, log_softmax
from lstm_helpers.widgets._common import figure_to_html


def _fmt(values) -> str:
    return "[" + ", ".join(f"{v:+.3f}" for v in values) + "]"


class CrossEntropyExplorer(widgets.VBox):
    """Sliders for the logits and a dropdown for the true class.

    Shows the softmax probabilities and the gradient ``softmax(x) - onehot(y)`` as bars
    (``self.plot``, an ``HTML`` image with alt text) and the numbers (``self.result``, an
    ``HTML``): the loss,
    the gradient, and what the loss and gradient would be if softmax were wrongly applied
    before the loss.

    Args:
        logits: the starting logits, 3 or 4 of them. Default: (2.0, 1.0, 0.1, -1.0).
        target: the starting true class. Default: 0.
        low, high: the sliders' range. Default: -5.0, 5.0.
    """

    def __init__(self, logits=(2.0, 1.0, 0.1, -1.0), target: int = 0,
                 low: float = -5.0, high: float = 5.0) -> None:
        logits = [float(v) for v in logits]
        if len(logits) not in (3, 4):
            raise ValueError(f"logits: expected 3 or 4 values, got {len(logits)}")
        if not 0 <= int(target) < len(logits):
            raise ValueError(f"target: expected 0 <= target < {len(logits)}, got {target}")
        self.logit_sliders = [
            widgets.FloatSlider(value=v, min=low, max=high, step=0.1, description=f"x_{c}",
                                continuous_update=False, readout_format=".1f")
            for c, v in enumerate(logits)
        ]
        self.target = widgets.Dropdown(
            options=[(f"class {c}", c) for c in range(len(logits))], value=int(target),
            description="true class",
        )
        self.plot = widgets.HTML()
        self.result = widgets.HTML()
        for control in [*self.logit_sliders, self.target]:
            control.observe(self._update, names="value")
        controls = widgets.HBox([widgets.VBox(self.logit_sliders), self.target])
        super().__init__([controls, self.plot, self.result])
        self._update()

    @property
    def logits(self) -> list[float]:
        return [s.value for s in self.logit_sliders]

    def _update(self, change=None) -> None:
        x, y = self.logits, self.target.value
        p, loss, grad = softmax_and_gradient(x, y)
        self.plot.value = figure_to_html(
            softmax_bars(x, y),
            alt=f"Bars of the softmax probabilities and of the gradient for logits {x}, "
            f"true class {y}.",
        )
        # the bug: softmax first, then cross-entropy (which applies softmax again)
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)  # (C,)
        bad = cross_entropy(torch.exp(log_softmax(xt, dim=0)), torch.tensor(y), reduction="sum")
        bad.backward()
        bad_grad = xt.grad.numpy()
        self.result.value = (
            "<div style='font-family: monospace'>"
            f"softmax p = {html.escape(_fmt(p))}<br>"
            f"<b>loss = -log p_{y} = {loss:.4f}</b><br>"
            f"gradient p - onehot({y}) = {html.escape(_fmt(grad))}<br>"
            f"softmax applied first (a bug): loss = {bad.item():.4f}, gradient = "
            f"{html.escape(_fmt(bad_grad))} (largest |component| "
            f"{np.abs(bad_grad).max():.3f} instead of {np.abs(grad).max():.3f})"
            "</div>"
        )
