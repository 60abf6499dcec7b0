"""Chapter 9 figures: each draws what it says, from the data it is given."""

import matplotlib
import numpy as np
import pytest

from lstm_helpers.figures import charlm as figs
from lstm_helpers.records import Record

matplotlib.use("Agg")

NGRAM = {"kneser_ney": {"1": {"validation": 4.5, "test": 4.6}, "2": {"validation": 3.0,
                                                                   "test": 3.2},
                        "3": {"validation": 2.5, "test": 2.9}},
         "unigram": {"validation": 4.5, "test": 4.6}, "best_order": 3,
         "best": {"validation": 2.5, "test": 2.9}}


def test_baselines_plot_every_order_and_the_lstm():
    fig = figs.plot_baselines(NGRAM, {"validation": 2.0, "test": 2.4})
    ax = fig.axes[0]
    curves = [line for line in ax.lines if len(line.get_xdata()) == 3]
    assert [list(c.get_ydata()) for c in curves] == [[4.5, 3.0, 2.5], [4.6, 3.2, 2.9]]
    flat = sorted(line.get_ydata()[0] for line in ax.lines if len(line.get_xdata()) == 2)
    assert flat == [2.0, 2.4, 4.5, 4.6]


def test_training_curve_reads_the_metrics():
    r = Record(app="charlm", config={})
    r.metrics = [{"chars": 10**6, "train_bpc": 3.0, "val_bpc_estimate": 2.5},
                 {"chars": 2 * 10**6, "train_bpc": 2.0, "val_bpc_estimate": 2.2}]
    ax = figs.plot_training(r, ngram_val=2.1).axes[0]
    assert list(ax.lines[1].get_ydata()) == [2.5, 2.2]
    assert list(ax.lines[0].get_xdata()) == [1.0, 2.0]
    r.result = {"val_bpc": 2.3}
    ax = figs.plot_training(r).axes[0]
    assert [(line.get_marker(), line.get_ydata()[0]) for line in ax.lines][-1] == ("*", 2.3)


def test_unit_colours_and_html():
    cols = figs.unit_colours([-1.0, 0.0, 1.0])
    assert cols[1] in ("#f7f6f6", "#f7f7f7")  # the middle of RdBu_r is (nearly) white
    assert cols[0] != cols[2]
    html = figs.unit_html("a<\n", [0.1, -0.2, 0.3], title="u")
    assert "&lt;" in html and html.count("<span") == 3 and "<b>u</b>" in html
    with pytest.raises(ValueError, match="values has 2"):
        figs.unit_html("abc", [0.0, 1.0])


def test_unit_text_draws_one_box_per_character():
    fig = figs.plot_unit_text("ab\ncd", np.array([0.1, 0.2, 0.0, -0.3, 0.4]), title="t")
    ax = fig.axes[0]
    assert len(ax.patches) == 5 and [t.get_text() for t in ax.texts] == list("abcd")


def test_correlations_temperature_and_wins():
    best = {"in_string": {"kind": "c", "layer": 1, "unit": 7, "r": -0.8},
            "column": {"kind": "h", "layer": 0, "unit": 2, "r": 0.3}}
    ax = figs.plot_feature_correlations(best).axes[0]
    assert [p.get_width() for p in ax.patches] == [0.8, 0.3]
    assert "layer 2 c[7], r = -0.80" in [t.get_text() for t in ax.texts]
    ax = figs.plot_temperature([0.5, 1.0], [0.4, 1.2], bits=1.5,
                               sampled=([0.5], [0.3])).axes[0]
    assert list(ax.lines[0].get_ydata()) == [0.4, 1.2]
    assert ax.lines[1].get_marker() == "s" and list(ax.lines[1].get_ydata()) == [0.3]
    ax = figs.plot_wins({"a": {"ngram": 2.0, "lstm": 1.0, "count": 5}}).axes[0]
    assert [p.get_height() for p in ax.patches] == [2.0, 1.0]
