"""Chapter 6 widget: every control, over its whole range, changes what is shown."""

from pathlib import Path

import numpy as np
import pytest

from lstm_helpers.sine import load_record
from lstm_helpers.widgets._common import alt_from_html, png_from_html
from lstm_helpers.widgets.sine import PredictionBrowser, RunView, run_from_record

ROOT = Path(__file__).resolve().parent.parent


def fake_run(steps=4, stride=5, scale=1.0):
    t = np.arange(0, 1999, stride)  # (400,)
    preds = [scale * np.stack([np.sin((t + 7 * r) / 20) * (1 + 0.1 * k) for r in range(3)])
             for k in range(steps)]  # steps x (3, 400)
    return RunView(preds, [10.0 ** -(k + 2) for k in range(steps)], stride=stride, length=1999)


def test_every_control_over_its_whole_range_changes_the_display():
    w = PredictionBrowser({"a": fake_run(4), "b": fake_run(6, scale=-1.0)})
    for control in (w.step, w.future):
        seen = set()
        for value in range(control.min, control.max + 1, control.step):
            control.value = value
            seen.add((w.image.value, w.info.value))
        n_values = len(range(control.min, control.max + 1, control.step))
        assert len(seen) == n_values, control.description
    images = set()
    for label in w.run.options:
        w.run.value = label
        images.add(w.image.value)
        assert label in w.info.value
    assert len(images) == 2
    assert w.step.max == 5  # the slider follows the chosen run's number of steps


def test_info_shows_loss_and_future():
    w = PredictionBrowser({"a": fake_run(3)})
    w.step.value = 1
    w.future.value = 200
    assert "step 1" in w.info.value and "1.00e-03" in w.info.value
    assert "200 of 1000" in w.info.value
    assert w.future.max == 1000 and png_from_html(w.image.value)[:4] == b"\x89PNG"
    assert "prediction" in alt_from_html(w.image.value)


def test_diverged_step_is_shown_as_such():
    run = fake_run(2)
    run.predictions[1][:] = np.nan
    run.test_losses[1] = None
    w = PredictionBrowser({"diverged": run})
    w.step.value = 1
    assert "diverged" in w.info.value


def test_runs_from_shipped_and_live_records():
    fast = run_from_record(load_record("fast"))
    assert fast.future == 1000 and len(fast.predictions) == 15
    assert fast.predictions[0].shape == (3, 400)
    from lstm_helpers.sine import Config, train

    live = train(Config(recipe="fast", steps=2, train_rows=4, train_length=50, future=100))
    view = run_from_record(live)
    assert len(view.predictions) == 2 and view.future == 100
    assert view.predictions[1].shape == (3, 220)  # every 5th of 1099 values
    assert view.truth.shape == (3, 220)  # the true waves at the same columns


def test_truth_and_free_running_mse_are_shown():
    fast = run_from_record(load_record("fast"))
    assert fast.truth.shape == fast.predictions[0].shape
    assert fast.future_mses == [s["future_mse"] for s in load_record("fast").metrics]
    w = PredictionBrowser({"fast": fast})
    assert "free-running MSE" in w.info.value and "dotted black" in alt_from_html(w.image.value)
    without = PredictionBrowser({"fast": RunView(fast.predictions, fast.test_losses,
                                                 stride=fast.stride, length=fast.length)})
    assert without.image.value != w.image.value  # the truth is drawn
    assert "free-running" not in without.info.value


def test_bad_runs_are_refused():
    with pytest.raises(ValueError, match="non-empty"):
        PredictionBrowser({})
    with pytest.raises(TypeError, match="RunView"):
        PredictionBrowser({"x": [1, 2]})
    with pytest.raises(ValueError, match="same length"):
        RunView([np.zeros((3, 10))], [1.0, 2.0])
