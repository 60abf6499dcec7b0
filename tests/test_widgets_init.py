"""The initialisation explorer: every control over its range changes what is shown."""

import re

import ipywidgets as widgets
import pytest

from lstm_helpers import init as lstm_init
from lstm_helpers.widgets._common import alt_from_html, png_from_html
from lstm_helpers.widgets.init import SCHEME_OPTIONS, InitExplorer

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def explorer():
    """A fresh explorer for each test: no test depends on what another left behind."""
    return InitExplorer(seq_len=20, batch_size=4)


def shown(w):
    return png_from_html(w.histogram.value), w.summary.value


def test_results_live_in_plain_widgets(explorer):
    assert isinstance(explorer.histogram, widgets.HTML)
    assert isinstance(explorer.summary, widgets.HTML)
    assert png_from_html(explorer.histogram.value).startswith(PNG)
    assert "Histogram" in alt_from_html(explorer.histogram.value)
    assert not any(isinstance(c, widgets.Output) for c in explorer.children)


def test_hidden_size_slider_over_its_range(explorer):
    s = explorer.hidden_size
    values = [s.min, s.min + s.step, 64, 100, 132, s.max]
    seen = {}
    for v in values:
        before = shown(explorer)
        s.value = v
        after = shown(explorer)
        assert after[0] != before[0] and after[1] != before[1], v
        assert after[0].startswith(PNG)
        bound = re.search(r"a = 1/sqrt\((\d+)\) = ([0-9.]+)", after[1])
        assert int(bound.group(1)) == s.value
        assert float(bound.group(2)) == pytest.approx(lstm_init.uniform_bound(s.value), abs=5e-5)
        seen[v] = after
    assert len({html for _, html in seen.values()}) == len(values)


def test_every_scheme_changes_the_display(explorer):
    explorer.hidden_size.value = 16
    explorer.scheme.value = SCHEME_OPTIONS[-1][1]
    summaries = {}
    for label, value in SCHEME_OPTIONS:  # each step changes the option
        before = shown(explorer)
        explorer.scheme.value = value
        after = shown(explorer)
        assert after[0] != before[0] and after[1] != before[1], label
        summaries[label] = after[1]
    assert len(set(summaries.values())) == len(SCHEME_OPTIONS)


def test_displayed_saturation_is_the_package_value(explorer):
    explorer.hidden_size.value = 8
    explorer.scheme.value = ("scaled", 4.0)
    r = explorer.results()
    expected = lstm_init.saturation(explorer.module(), explorer.probe)
    assert r["saturation"] == expected
    assert f"{100 * expected['all']:.1f}%" in explorer.summary.value
    assert expected["all"] > 0.3  # a too-large scale saturates a small LSTM
    explorer.scheme.value = ("scaled", 0.1)
    assert "0.0%</b>" in explorer.summary.value
    explorer.scheme.value = ("forget_bias", None)
    means = explorer.results()["gate_means"]
    assert means["f"] > 0.65 and abs(means["i"] - 0.5) < 0.1  # sigmoid(1) = 0.73
