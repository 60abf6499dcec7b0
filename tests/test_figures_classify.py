"""Chapter 8 figures: each draws what it says, from the data it is given."""

import matplotlib
import numpy as np
import torch

from lstm_helpers import classify as cl
from lstm_helpers.figures import classify as figs

matplotlib.use("Agg")


def test_padding_marks_each_last_step_and_the_pad_read():
    fig = figs.plot_padding([3, 5, 2])
    ax = fig.axes[0]
    image = ax.images[0].get_array()
    assert image.shape == (3, 5) and image.sum() == 10
    marks = [(line.get_xdata()[0], line.get_ydata()[0], line.get_marker()) for line in ax.lines]
    assert (2, 0, "o") in marks and (4, 1, "o") in marks and (1, 2, "o") in marks
    assert (4, 0, "x") in marks and (4, 2, "x") in marks and (4, 1, "x") not in marks


def test_curves_confusion_and_recall():
    h = cl.History(train_loss=[2.0, 1.0, 0.5], train_acc=[0.2, 0.5, 0.9],
                   val_loss=[2.1, 1.2, 1.3], val_acc=[0.2, 0.5, 0.6], best_epoch=1)
    fig = figs.plot_curves({"a": h})
    loss_ax, acc_ax = fig.axes
    assert list(loss_ax.lines[1].get_ydata()) == [2.1, 1.2, 1.3]
    assert loss_ax.lines[2].get_xdata()[0] == 2  # the restored epoch, counted from 1
    m = torch.tensor([[3, 1], [0, 2]])
    ax = figs.plot_confusion(m).axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "3"]
    fig = figs.plot_recall({"plain": np.array([1.0, 0.5]), "weighted": np.array([0.9, 0.8])},
                           rare=(1,))
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [1.0, 0.5, 0.9, 0.8]
    assert fig.axes[0].get_xticklabels()[1].get_color() == "tab:red"


def test_inside_shows_only_the_steps_read_so_far():
    torch.manual_seed(0)
    model = cl.SequenceClassifier(12, 4, 9, dtype=torch.float64)
    x = torch.randn(6, 12, dtype=torch.float64)
    tr = cl.trace(model, x, 3)
    fig = figs.plot_inside(tr, step=2, state="h")
    shown = np.ma.filled(fig.axes[0].images[0].get_array(), np.nan)  # (H, L)
    assert shown.shape == (4, 6)
    assert np.allclose(shown[:, :3], tr.h[:3].numpy().T) and np.isnan(shown[:, 3:]).all()
    bold = [line for line in fig.axes[1].lines if line.get_linewidth() == 2.5]
    assert len(bold) == 1 and np.allclose(bold[0].get_ydata(), tr.probs[:3, 3].numpy())
    grid = figs.plot_inside_grid([tr, tr])
    assert len(grid.axes) == 4
