"""The gradient-through-time explorer: every control over its range changes what is shown."""

import re

import ipywidgets as widgets
import pytest

from lstm_helpers import longlag as LL
from lstm_helpers.widgets._common import alt_from_html, png_from_html
from lstm_helpers.widgets.bptt import GradientExplorer

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def explorer():
    records = {}
    for cell in ("lstm", "rnn"):
        config = LL.Config(task="adding", lag=20, cell=cell, hidden_size=4, batch_size=8,
                           max_sequences=16, dtype="float64")
        records[f"tiny {cell}"] = LL.train(config)
    return GradientExplorer(records, seq_len=30, seeds=2, hidden_size=8, input_size=3,
                            samples=4)


def gradients(w):
    return png_from_html(w.plot.value), w.table.value


def conn(w):
    return png_from_html(w.connectivity_plot.value), w.connectivity_table.value


def test_results_live_in_plain_widgets(explorer):
    for html in (explorer.plot, explorer.table, explorer.connectivity_plot,
                 explorer.connectivity_table):
        assert isinstance(html, widgets.HTML)
    assert png_from_html(explorer.plot.value).startswith(PNG)
    assert "Gradient norm against lag" in alt_from_html(explorer.plot.value)
    assert "Connectivity" in alt_from_html(explorer.connectivity_plot.value)
    assert not any(isinstance(c, widgets.Output) for c in explorer.children)


def test_lag_slider_over_its_range(explorer):
    s = explorer.lag
    seen = set()
    for v in [s.min, 1, 7, 15, s.max]:
        before = gradients(explorer)
        s.value = v
        after = gradients(explorer)
        assert after != before and after[0] != before[0]
        assert re.search(rf"at lag k = {v} ", after[1])
        seen.add(after[1])
    assert len(seen) == 5


def test_forget_bias_slider_over_its_range(explorer):
    s = explorer.forget_bias
    values = [s.min + k * s.step for k in range(int(round((s.max - s.min) / s.step)) + 1)]
    assert values[0] == 0.0 and values[-1] == 3.0
    explorer.lag.value = 20
    lstm = []
    s.value = 0.5
    for v in values:
        before = gradients(explorer)
        s.value = v
        after = gradients(explorer)
        assert after[0] != before[0] and after[1] != before[1], v
        assert f"forget bias {v:g}" in after[1]
        lstm.append(float(re.search(r"nn.LSTM ([0-9.e+-]+)", after[1]).group(1)))
    assert lstm[-1] > lstm[0]  # a larger forget bias keeps more of the gradient


def test_run_and_sample_change_the_connectivity(explorer):
    seen = set()
    for run in explorer.run.options:
        before = conn(explorer)
        explorer.run.value = run
        if run != explorer.run.options[0]:
            assert conn(explorer) != before
        for v in range(explorer.sample.min, explorer.sample.max + 1):
            before = conn(explorer)
            explorer.sample.value = v
            after = conn(explorer)
            if v != explorer.sample.min:
                assert after != before
            assert f"{run}, sequence {v}" in after[1]
            marked = re.search(r"marked steps: (\d+), (\d+)", after[1])
            assert int(marked.group(1)) < 10
            seen.add(after[1])
        explorer.sample.value = explorer.sample.min
    assert len(seen) == len(explorer.run.options) * (explorer.sample.max + 1)


def test_needs_records():
    with pytest.raises(ValueError, match="record"):
        GradientExplorer({})
