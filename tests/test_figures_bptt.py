"""Figures of the BPTT chapter: they draw the data they are given, on the axes they claim."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lstm_helpers import longlag as LL
from lstm_helpers.figures import bptt as figs


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_gradient_through_time_figure_draws_mean_and_band():
    norms = {"a": torch.tensor([[1.0, 0.1, 0.01], [1.0, 0.001, 1e-4]], dtype=torch.float64),
             "b": torch.ones(2, 3, dtype=torch.float64)}
    fig = figs.gradient_through_time_figure(norms, title="t", mark_lag=1)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and "lag" in ax.get_xlabel()
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    # geometric mean over the seeds
    np.testing.assert_allclose(lines["a"].get_ydata(), [1.0, 1e-2, 1e-3], rtol=1e-12)
    np.testing.assert_allclose(lines["b"].get_ydata(), [1, 1, 1])
    assert len(ax.collections) == 2  # one band per curve
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_summarise_over_seeds():
    s = LL.summarise_over_seeds(torch.tensor([[1.0, 4.0], [100.0, 1.0]], dtype=torch.float64))
    torch.testing.assert_close(s["mean"], torch.tensor([10.0, 2.0], dtype=torch.float64))
    assert s["low"].tolist() == [1.0, 1.0] and s["high"].tolist() == [100.0, 4.0]


def test_connectivity_figure_marks_the_marked_inputs():
    panels = [{"norms": np.array([1e-3, 1.0, 1e-3, 0.5]), "markers": [1, 3], "title": "x"},
              {"norms": np.array([1.0, 2.0]), "markers": [], "title": "y"}]
    fig = figs.connectivity_figure(panels)
    assert len(fig.axes) == 2 and fig.axes[0].get_title() == "x"
    vlines = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == ":"]
    assert sorted(int(ln.get_xdata()[0]) for ln in vlines) == [1, 3]
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), panels[0]["norms"])


def test_training_curves_plot_each_record_and_chance():
    config = LL.Config(task="adding", lag=20, hidden_size=4, max_sequences=64, log_every=32,
                       dtype="float64")
    rec = LL.train(config)
    fig = figs.training_curves({"run": rec}, chance=0.15, title="adding")
    ax = fig.axes[0]
    line = [ln for ln in ax.get_lines() if ln.get_label() == "run"][0]
    assert list(line.get_xdata()) == [32, 64]
    assert any(ln.get_linestyle() == "--" and ln.get_ydata()[0] == 0.15 for ln in ax.get_lines())
    assert "sequences" in ax.get_xlabel()


def test_gradient_through_time_measures_vanishing_and_forget_bias():
    rnn = LL.gradient_through_time("rnn", seq_len=40, seeds=range(2))
    lstm3 = LL.gradient_through_time("lstm", seq_len=40, seeds=range(2), forget_bias=3.0)
    assert rnn.shape == (2, 40)
    assert rnn[:, 39].max() < 1e-6 * rnn[:, 1].min()  # vanishes
    assert lstm3[:, 39].min() > 1e-3 * lstm3[:, 1].max()  # survives
    up = LL.gradient_through_time("rnn", seq_len=40, seeds=range(2), recurrent_scale=3.0)
    assert (up[:, 39] > up[:, 0]).all()  # explodes


def test_connectivity_is_autograd_of_the_output():
    model = LL.LongLagNet("lstm", 2, 4, 1).double()
    b = LL.adding_problem(1, 20, generator=torch.Generator().manual_seed(0))
    L = int(b.lengths[0])
    norms = LL.connectivity(model, b.x[:, 0], L)
    x = b.x[:L].clone().requires_grad_(True)
    model(x, b.lengths).sum().backward()
    torch.testing.assert_close(norms, x.grad[:, 0].norm(dim=1))


def test_seed_spread_figure_marks_failures_at_the_budget():
    groups = {"both": [100, 200, 300], "none": [None, None, 400]}
    fig = figs.seed_spread_figure(groups, budget=500, paper=1000, title="t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["both", "none"]
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [500, 500]
    medians = [ln for ln in ax.get_lines() if ln.get_marker() == "|"]
    assert [ln.get_xdata()[0] for ln in medians] == [200, 400]
