"""Chapter 8 widget: watch a trained classifier read one test utterance, step by step.

from lstm_helpers.widgets.classify import InsideExplorer
InsideExplorer(model, splits.test)
"""

import html

import ipywidgets as widgets

from ..classify.inside import trace
from ..figures.classify import plot_inside
from ._common import figure_to_html

__all__ = ["InsideExplorer"]

STATES = {"cell state c": "c", "hidden state h": "h"}


class InsideExplorer(widgets.VBox):
    """Pick a test sequence, a time step and a state.

    Controls: ``self.sequence`` (index into the dataset), ``self.step`` (1 .. length of that
    sequence), ``self.state`` (cell or hidden state). Results: ``self.image`` (the state as
    units x time up to the step, the class probabilities below) and ``self.info`` (the
    prediction so far and the units that changed most at this step).
    """

    def __init__(self, model, dataset, top: int = 5):
        if len(dataset) == 0:
            raise ValueError("InsideExplorer: the dataset is empty")
        self.model, self.dataset, self.top = model, dataset, top
        self._cache = {}
        first = self._trace(0)
        self.sequence = widgets.IntSlider(value=0, min=0, max=len(dataset) - 1,
                                          description="sequence", continuous_update=False)
        self.step = widgets.IntSlider(value=first.length, min=1, max=first.length,
                                      description="step", continuous_update=False)
        self.state = widgets.Dropdown(options=list(STATES), description="state")
        self.image = widgets.HTML()
        self.info = widgets.HTML()
        self.sequence.observe(self._on_sequence, names="value")
        self.step.observe(self._draw, names="value")
        self.state.observe(self._draw, names="value")
        super().__init__([widgets.HBox([self.sequence, self.step, self.state]), self.info,
                          self.image])
        self._draw()

    def __repr__(self) -> str:
        return (f"InsideExplorer(sequence={self.sequence.value}, step={self.step.value}, "
                f"state={self.state.value!r})")

    def _trace(self, k):
        if k not in self._cache:
            x, y = self.dataset[k]
            self._cache[k] = trace(self.model, x, int(y))
        return self._cache[k]

    def _on_sequence(self, _change=None):
        tr = self._trace(self.sequence.value)
        with self.hold_trait_notifications():
            self.step.max = tr.length
            self.step.value = tr.length
        self._draw()

    def _draw(self, _change=None):
        k = self.sequence.value
        tr = self._trace(k)
        t = min(self.step.value, tr.length) - 1  # 0-based
        state = STATES[self.state.value]
        probs = tr.probs[t]  # (C,)
        pred = int(probs.argmax())
        changed = tr.changed_most(t, state, self.top)
        units = ", ".join(f"{u} ({d:.2f})" for u, d in changed)
        self.image.value = figure_to_html(
            plot_inside(tr, step=t, state=state),
            alt=f"Heatmap of the {self.state.value} of every unit over the first {t + 1} "
            f"steps of test sequence {k}, and below it the probability of each speaker "
            f"after each step; the true speaker {tr.label + 1} is drawn bold.",
        )
        self.info.value = (
            f"Sequence {k} (true speaker {tr.label + 1}), after step {t + 1} of {tr.length}: "
            f"predicted speaker <b>{pred + 1}</b> with p = {float(probs[pred]):.2f} "
            f"(true speaker: p = {float(probs[tr.label]):.2f}). Units whose "
            f"{html.escape(self.state.value)} changed most at this step: {units}."
        )
