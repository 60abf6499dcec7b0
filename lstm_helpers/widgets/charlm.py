"""Chapter 9 widgets: sample with a temperature slider; pick a unit and colour a snippet.

from lstm_helpers.widgets.charlm import SamplerWidget, UnitWidget
SamplerWidget(model, vocab)
UnitWidget(model, vocab, snippets, units)
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..charlm.sampling import sample_with_entropy
from ..charlm.units import trace_states
from ..figures.charlm import unit_html

__all__ = ["TEMPERATURES", "SamplerWidget", "UnitWidget"]

#: The slider's temperatures (0: greedy).
TEMPERATURES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)


class SamplerWidget(widgets.VBox):
    """Sample from the model with a temperature slider and a top-k choice.

    Controls: ``self.temperature`` (one of :data:`TEMPERATURES`), ``self.top_k`` (none, 5,
    20), ``self.seed``. Result: ``self.text`` (the sample and the mean entropy of the
    distributions it was drawn from), computed by the kernel when a control moves.
    """

    def __init__(self, model, vocab, prompt: str = "def ", length: int = 240):
        if not isinstance(prompt, str):
            raise TypeError(f"SamplerWidget: prompt must be a str, got {type(prompt).__name__}")
        self.model, self.vocab, self.prompt, self.length = model, vocab, prompt, length
        self._cache = {}
        self.temperature = widgets.SelectionSlider(options=list(TEMPERATURES), value=0.75,
                                                   description="temperature",
                                                   continuous_update=False)
        self.top_k = widgets.Dropdown(options=[("none", 0), ("5", 5), ("20", 20)], value=0,
                                      description="top-k")
        self.seed = widgets.BoundedIntText(value=0, min=0, max=999, description="seed")
        self.text = widgets.HTML()
        for control in (self.temperature, self.top_k, self.seed):
            control.observe(self._draw, names="value")
        super().__init__([widgets.HBox([self.temperature, self.top_k, self.seed]), self.text])
        self._draw()

    def __repr__(self) -> str:
        return (f"SamplerWidget(temperature={self.temperature.value}, top_k={self.top_k.value}, "
                f"seed={self.seed.value})")

    def sample(self):
        key = (self.temperature.value, self.top_k.value, self.seed.value)
        if key not in self._cache:
            self._cache[key] = sample_with_entropy(
                self.model, self.vocab, self.prompt, self.length, temperature=key[0],
                top_k=key[1] or None, seed=key[2])
        return self._cache[key]

    def _draw(self, _change=None):
        text, entropy = self.sample()
        t = self.temperature.value
        how = "greedy (the most likely character every time)" if t == 0 else f"T = {t:g}"
        if self.top_k.value:
            how += f", top-{self.top_k.value}"
        self.text.value = (f"<div>{how}, seed {self.seed.value}: mean entropy of the "
                           f"sampling distributions <b>{entropy:.2f} bits</b></div>"
                           f'<pre style="font-size:12px">{html.escape(text)}</pre>')


class UnitWidget(widgets.VBox):
    """Pick a unit and a snippet: each character is coloured by the unit's value after it.

    ``snippets``: ``{name: text}``; ``units``: ``{label: (kind, layer, unit)}`` with kind
    ``"c"`` or ``"h"``. Controls: ``self.unit``, ``self.snippet``; result: ``self.view``.
    """

    def __init__(self, model, vocab, snippets: dict, units: dict):
        if not snippets or not units:
            raise ValueError("UnitWidget: snippets and units must not be empty")
        self.model, self.vocab, self.snippets, self.units = model, vocab, snippets, units
        self._states = {}
        self.unit = widgets.Dropdown(options=list(units), description="unit")
        self.snippet = widgets.Dropdown(options=list(snippets), description="snippet")
        self.view = widgets.HTML()
        self.unit.observe(self._draw, names="value")
        self.snippet.observe(self._draw, names="value")
        super().__init__([widgets.HBox([self.unit, self.snippet]), self.view])
        self._draw()

    def __repr__(self) -> str:
        return f"UnitWidget(unit={self.unit.value!r}, snippet={self.snippet.value!r})"

    def values(self):
        name = self.snippet.value
        if name not in self._states:
            self._states[name] = trace_states(self.model, self.vocab, self.snippets[name])
        kind, layer, unit = self.units[self.unit.value]
        return self._states[name][kind][:, layer, unit]

    def _draw(self, _change=None):
        kind, layer, unit = self.units[self.unit.value]
        v = self.values()
        self.view.value = unit_html(
            self.snippets[self.snippet.value], v, vmax=1.0 if kind == "h" else None,
            title=f"{self.unit.value}: layer {layer + 1}, {kind}[{unit}] "
            f"(blue negative, red positive; range {v.min():+.2f} to {v.max():+.2f})")
