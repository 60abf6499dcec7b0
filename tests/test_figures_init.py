"""Figures of the initialisation chapter: they draw the numbers the package computes."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lstm_helpers import firstinput
from lstm_helpers import init as lstm_init
from lstm_helpers.figures import init as figs


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_scheme_label():
    assert figs.scheme_label("pytorch") == "PyTorch default"
    assert figs.scheme_label("scaled", 4.0) == "scaled x4"
    assert figs.scheme_label("scaled", 0.25) == "scaled x0.25"
    assert figs.scheme_label("unknown") == "unknown"


@pytest.mark.parametrize("hidden_size", [4, 20])
def test_weight_histogram_is_a_density_of_every_parameter(hidden_size):
    torch.manual_seed(hidden_size)
    module = nn.LSTM(3, hidden_size)
    fig = figs.weight_histogram(module)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    a = 1 / math.sqrt(hidden_size)
    assert f"a = 1/sqrt({hidden_size}) = {a:.4f}" in ax.get_title()
    n = lstm_init.flat_weights(module).numel()
    assert ax.get_title().startswith(f"{n} parameters")
    heights = np.array([p.get_height() for p in ax.patches])
    widths = np.array([p.get_width() for p in ax.patches])
    assert (heights * widths).sum() == pytest.approx(1.0)  # a density
    uniform = _lines(ax)[f"U(-{a:.3g}, {a:.3g})"]
    assert max(uniform.get_ydata()) == pytest.approx(1 / (2 * a))
    dashed = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == "--")
    assert dashed == pytest.approx([-a, a])


def test_draw_histogram_bins_meet_the_bound():
    fig, ax = plt.subplots()
    figs.draw_histogram(ax, torch.linspace(-0.5, 0.5, 101), 0.5, bins=20)
    edges = sorted({p.get_x() for p in ax.patches})
    assert any(e == pytest.approx(-0.5) for e in edges)  # no half-empty bin at the bound
    assert ax.get_xlim()[1] >= 0.5


def test_bound_vs_hidden_size_plots_the_curve_and_the_points():
    fig = figs.bound_vs_hidden_size([4, 16, 64], [0.49, 0.24, 0.12])
    lines = _lines(fig.axes[0])
    curve = lines["a = 1/sqrt(hidden_size)"]
    np.testing.assert_allclose(curve.get_ydata(), 1 / np.sqrt(curve.get_xdata()), rtol=1e-6)
    points = lines["largest |parameter| measured"]
    assert list(points.get_xdata()) == [4, 16, 64]
    assert list(points.get_ydata()) == [0.49, 0.24, 0.12]


def test_saturation_vs_scale_draws_every_gate_and_their_mean():
    factors = [0.5, 1.0, 2.0]
    fractions = {"i": [0.0, 0.1, 0.5], "f": [0.0, 0.1, 0.4], "g": [0.1, 0.2, 0.6],
                 "o": [0.0, 0.0, 0.3], "all": [0.025, 0.1, 0.45]}
    fig = figs.saturation_vs_scale(factors, fractions, hidden_size=8, input_size=3)
    ax = fig.axes[0]
    lines = _lines(ax)
    for gate in lstm_init.GATES:
        assert list(lines[f"gate {gate}"].get_ydata()) == fractions[gate]
    assert list(lines["all gates"].get_ydata()) == fractions["all"]
    assert ax.get_title() == "input_size=3, hidden_size=8"
    assert ax.get_ylim() == (0, 1)


def test_gradient_norms_figure_one_line_per_label_and_zero_survives_the_log_scale():
    norms = {"a": torch.tensor([1.0, 0.1, 0.0]), "b": [2.0, 2.0, 2.0]}
    fig = figs.gradient_norms_figure(norms)
    ax = fig.axes[0]
    lines = _lines(ax)
    assert set(lines) == {"a", "b"} and ax.get_yscale() == "log"
    assert lines["a"].get_ydata()[-1] > 0  # clamped, so the log axis can show it


def test_training_curves_plot_the_mean_over_seeds():
    runs = {
        "x": [firstinput.TrainingResult("x", 0.3, 0.1, (0.3, 0.2, 0.1)),
              firstinput.TrainingResult("x", 0.5, 0.3, (0.5, 0.4, 0.3))],
    }
    fig = figs.training_curves(runs, eval_every=10)
    line = _lines(fig.axes[0])["x"]
    assert list(line.get_xdata()) == [0, 10, 20]
    np.testing.assert_allclose(line.get_ydata(), [0.4, 0.3, 0.2])


def test_scheme_grid_panels_show_the_package_saturation():
    fig = figs.scheme_grid(hidden_sizes=(4, 8), schemes=(("pytorch", None), ("scaled", 4.0)),
                           input_size=3, seq_len=5, batch_size=2)
    assert len(fig.axes) == 4
    x = lstm_init.probe_input(3, 5, 2, seed=0)
    for ax, (H, scheme, factor) in zip(
        fig.axes, [(4, "pytorch", None), (4, "scaled", 4.0), (8, "pytorch", None),
                   (8, "scaled", 4.0)], strict=True,
    ):
        module = lstm_init.make_lstm(3, H, scheme, factor=factor, seed=0)
        sat = lstm_init.saturation(module, x)["all"]
        assert ax.get_title() == (f"{figs.scheme_label(scheme, factor)}\n"
                                  f"H={H}: {100 * sat:.1f}% saturated")
