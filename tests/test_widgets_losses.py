"""The cross-entropy widget: every control over its range changes what is shown."""

import math
import re

import matplotlib
import pytest
import torch
import torch.nn.functional as F

matplotlib.use("Agg")

from lstm_helpers.figures import losses as figures  # noqa: E402
from lstm_helpers.widgets._common import alt_from_html, png_from_html  # noqa: E402
from lstm_helpers.widgets.losses import CrossEntropyExplorer  # noqa: E402


def _loss(widget) -> float:
    return float(re.search(r"loss = -log p_\d = ([-\d.]+)", widget.result.value).group(1))


def _shown(widget):
    return png_from_html(widget.plot.value), widget.result.value


def test_starts_with_a_picture_and_the_pytorch_loss():
    w = CrossEntropyExplorer()
    assert png_from_html(w.plot.value).startswith(b"\x89PNG")
    assert "softmax" in alt_from_html(w.plot.value)
    expected = F.cross_entropy(torch.tensor(w.logits), torch.tensor(w.target.value))
    assert math.isclose(_loss(w), float(expected), abs_tol=1e-4)
    assert "softmax applied first" in w.result.value


def test_every_slider_min_max_and_between_changes_the_display():
    w = CrossEntropyExplorer(logits=(0.5, -0.5, 1.0, 0.0))
    assert len(w.logit_sliders) == 4
    for slider in w.logit_sliders:
        for value in (slider.min, slider.max, (slider.min + slider.max) / 2 + 0.3):
            before = _shown(w)
            slider.value = value
            after = _shown(w)
            assert after[0] != before[0] and after[1] != before[1]
            expected = F.cross_entropy(torch.tensor(w.logits), torch.tensor(w.target.value))
            assert math.isclose(_loss(w), float(expected), abs_tol=1e-4)


def test_three_logits():
    w = CrossEntropyExplorer(logits=(1.0, 0.0, -1.0), target=2)
    assert len(w.logit_sliders) == 3 and len(w.target.options) == 3
    before = _shown(w)
    w.logit_sliders[2].value = w.logit_sliders[2].max
    assert _shown(w) != before
    assert math.isclose(_loss(w), float(F.cross_entropy(torch.tensor(w.logits),
                                                        torch.tensor(2))), abs_tol=1e-4)


def test_class_dropdown_over_every_option_changes_the_display():
    w = CrossEntropyExplorer(logits=(1.0, 2.0, -1.0, 0.3))
    seen = set()
    for _, value in w.target.options:
        if value == w.target.value:
            continue
        before = _shown(w)
        w.target.value = value
        assert _shown(w)[0] != before[0] and _shown(w)[1] != before[1]
        assert f"onehot({value})" in w.result.value
        seen.add(_loss(w))
    w.target.value = w.target.options[0][1]
    seen.add(_loss(w))
    assert len(seen) == len(w.target.options)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="3 or 4"):
        CrossEntropyExplorer(logits=(1.0, 2.0))
    with pytest.raises(ValueError, match="target"):
        CrossEntropyExplorer(target=4)


def test_figures_draw():
    import matplotlib.pyplot as plt

    for fig in (
        figures.softmax_bars([1.0, 0.0, -1.0], 2),
        figures.nll_curve(),
        figures.overflow_curve(),
        figures.softmax_grid([("a", [1.0, 0.0, 0.0], 0), ("b", [3.0, -2.0, 0.0, 1.0], 1)]),
    ):
        assert isinstance(fig, matplotlib.figure.Figure)
        plt.close(fig)
    p, loss, grad = figures.softmax_and_gradient([1.0, 0.0, -1.0], 2)
    assert math.isclose(sum(p), 1.0) and math.isclose(sum(grad), 0.0, abs_tol=1e-12)
    assert math.isclose(loss, -math.log(p[2]))


def test_overflow_curve_marks_inf_and_nan_where_the_naive_formula_gives_them():
    import matplotlib.pyplot as plt
    import numpy as np

    fig = figures.overflow_curve()
    try:
        ax = fig.axes[0]
        labels = [line.get_label() for line in ax.get_lines()]
        inf_line = next(ln for ln in ax.get_lines() if "gives inf" in ln.get_label())
        nan_line = next(ln for ln in ax.get_lines() if "gives nan" in ln.get_label())
        assert len(labels) == 4
        # s * (1, 0.5, -0.3), class 1, float32: exp(s) overflows past s = 88.7 (inf),
        # exp(0.5 s) past s = 177.4 (nan)
        assert np.all((inf_line.get_xdata() > 88.7) & (inf_line.get_xdata() < 177.5))
        assert np.all(nan_line.get_xdata() > 177.4)
    finally:
        plt.close(fig)
