"""Chapter 6 widget: browse the test predictions after each LBFGS step, and how far ahead.

from lstm_helpers.widgets.sine import PredictionBrowser, run_from_record
PredictionBrowser({"fast": run_from_record(sine.train(...)), "faithful": run_from_record(record)})
"""

import html
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..figures.sine import plot_prediction
from ..sine import prediction_truth
from ._common import figure_to_html

__all__ = ["PredictionBrowser", "RunView", "run_from_record"]


@dataclass
class RunView:
    """What the browser shows of one run: per step, the test prediction and the test loss.

    ``predictions[k]``: array ``(rows, time)`` holding every ``stride``-th value;
    ``given``: values computed from the given signal (999), the rest is the future;
    ``length``: all values before striding (default: columns times ``stride``);
    ``truth``: the true values at the same columns (drawn dotted black), or ``None``;
    ``future_mses``: per step, the free-running MSE against the true continuation, or ``None``.
    """

    predictions: list
    test_losses: list
    stride: int = 1
    given: int = 999
    length: int | None = None
    truth: np.ndarray | None = None
    future_mses: list | None = None

    def __post_init__(self):
        if len(self.predictions) == 0:
            raise ValueError("a run needs at least one step with a prediction, got none")
        if len(self.predictions) != len(self.test_losses):
            raise ValueError(
                f"predictions and test_losses must have the same length, got "
                f"{len(self.predictions)} and {len(self.test_losses)}"
            )
        if self.length is None:
            self.length = np.asarray(self.predictions[0]).shape[1] * self.stride
        if self.length < self.given:
            raise ValueError(f"length must be at least given={self.given}, got {self.length}")

    @property
    def future(self) -> int:
        """How many future values were predicted."""
        return self.length - self.given


def _truth(length: int, stride: int, given: int = 999):
    """The true test values at the stored columns (:func:`lstm_helpers.sine.prediction_truth`)."""
    if length <= given:
        return None
    return prediction_truth(length - given)[:, ::stride]  # (3, columns)


def run_from_record(record) -> RunView:
    """A :class:`RunView` of a run: a record read with :func:`lstm_helpers.sine.load_record`,
    or the record :func:`lstm_helpers.sine.train` returns (predictions kept)."""
    preds = [np.asarray(p, dtype=float) for p in record.extra.get("predictions", [])]
    steps = record.metrics[: len(preds)]
    stride = record.extra["prediction_stride"]
    length = 999 + record.extra["resolved"]["future"]
    futures = [s.get("future_mse") for s in steps]
    return RunView(preds, [s["test_loss"] for s in steps], stride=stride, length=length,
                   truth=_truth(length, stride),
                   future_mses=futures if any("future_mse" in s for s in steps) else None)


def _fmt(loss) -> str:
    if loss is None or not np.isfinite(loss):
        return "diverged (not a finite number)"
    return f"{loss:.2e}"


class PredictionBrowser(widgets.VBox):
    """Pick a run, a training step and how far into the future to look.

    Controls: ``self.run`` (dropdown of runs), ``self.step`` (LBFGS step), ``self.future``
    (future values shown). Results: ``self.image`` (the plot: solid given, dashed predicted)
    and ``self.info`` (the test loss after that step).
    """

    def __init__(self, runs: dict, future_step: int = 50):
        if not isinstance(runs, dict) or not runs:
            raise ValueError("runs must be a non-empty dict {label: RunView}")
        for label, run in runs.items():
            if not isinstance(run, RunView):
                raise TypeError(f"runs[{label!r}] must be a RunView, got {type(run).__name__}")
        self.runs = runs
        first = next(iter(runs.values()))
        self.run = widgets.Dropdown(options=list(runs), description="run")
        self.step = widgets.IntSlider(value=len(first.predictions) - 1, min=0,
                                      max=len(first.predictions) - 1,
                                      description="LBFGS step", continuous_update=False)
        self.future = widgets.IntSlider(value=first.future, min=0, max=first.future,
                                        step=future_step, description="future",
                                        continuous_update=False)
        self.image = widgets.HTML()
        self.info = widgets.HTML()
        self.run.observe(self._on_run, names="value")
        self.step.observe(self._draw, names="value")
        self.future.observe(self._draw, names="value")
        controls = [self.step, self.future] if len(runs) == 1 else [self.run, self.step,
                                                                   self.future]
        super().__init__([widgets.HBox(controls), self.info, self.image])
        self._draw()

    def __repr__(self) -> str:
        # short and stable (the default repr would hold the PNG bytes)
        return (f"PredictionBrowser(run={self.run.value!r}, step={self.step.value}, "
                f"future={self.future.value})")

    def _on_run(self, _change=None):
        run = self.runs[self.run.value]
        last = len(run.predictions) - 1
        with self.hold_trait_notifications():
            self.step.max = last
            self.future.max = run.future
        self._draw()

    def _draw(self, _change=None):
        run = self.runs[self.run.value]
        k = min(self.step.value, len(run.predictions) - 1)
        fig, ax = plt.subplots(figsize=(7.5, 2.6))
        truth = run.truth
        if truth is not None and truth.shape != np.shape(run.predictions[k]):
            truth = None
        plot_prediction(run.predictions[k], given=run.given, future=self.future.value,
                        stride=run.stride, ax=ax, truth=truth,
                        title=f"{self.run.value}: after step {k}, {self.future.value} steps ahead")
        self.image.value = figure_to_html(
            fig,
            alt=f"Sine waves of the {self.run.value} run after LBFGS step {k}: the given "
            f"signal solid, the prediction {self.future.value} steps ahead dashed"
            + (", the true waves dotted black." if truth is not None else "."),
        )
        future = ""
        if run.future_mses is not None:
            future = f", free-running MSE over the {run.future} future steps " \
                     f"{_fmt(run.future_mses[k])}"
        self.info.value = (
            f"<b>{html.escape(str(self.run.value))}</b>, after LBFGS step {k}: "
            f"test loss {_fmt(run.test_losses[k])}{future}; showing {self.future.value} of "
            f"{run.future} predicted future values."
        )
