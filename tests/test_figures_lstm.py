"""Figures of the LSTM chapters: they draw what they claim, labelled with the book's symbols."""

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from lstm_helpers.figures import lstm_cell as figs
from lstm_helpers.figures import nn_lstm as figs_layer
from lstm_helpers.figures.lstm_cell import one_unit_step


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [
        ax.get_title() for ax in fig.axes]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_cell_diagram_labels_every_symbol():
    fig = figs.cell_diagram()
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    for symbol in [r"$x_t$", r"$h_{t-1}$", r"$c_{t-1}$", r"$c_t$", r"$h_t$", r"$f_t$",
                   r"$i_t$", r"$g_t$", r"$o_t$"]:
        assert symbol in texts, symbol
    assert texts.count(r"$\sigma$") == 3  # i, f, o
    assert texts.count(r"$\tanh$") == 2  # g and the squashing of c_t
    assert texts.count(r"$\odot$") == 3 and texts.count("+") == 1
    assert any("cell-state highway" in t for t in texts)
    for gate in "ifgo":  # each gate's equation, as in the chapter
        assert any(t.startswith(f"${gate}_t=") and f"W_{{h{gate}}}" in t for t in texts)
    fig.canvas.draw()  # the mathtext parses


@pytest.mark.parametrize("input_size, hidden_size", [(3, 2), (1, 1), (5, 4)])
def test_weight_layout_shapes_and_gate_rows(input_size, hidden_size):
    fig = figs.weight_layout(input_size, hidden_size)
    texts = _texts(fig)
    H = hidden_size
    assert f"weight_ih\n({4 * H}, {input_size})" in texts
    assert f"weight_hh\n({4 * H}, {H})" in texts
    assert f"bias_ih\n({4 * H},)" in texts and f"bias_hh\n({4 * H},)" in texts
    for k, gate in enumerate("ifgo"):
        assert f"{gate}: rows {k * H}..{(k + 1) * H - 1}" in texts
    blocks = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(blocks) == 16  # four tensors x four gates
    heights = {round(b.get_height(), 6) for b in blocks}
    assert heights == {H}
    fig.canvas.draw()


def test_weight_layout_rejects_empty_sizes():
    with pytest.raises(ValueError, match="hidden_size"):
        figs.weight_layout(3, 0)


@pytest.mark.parametrize("num_layers, seq_len, bidirectional", [
    (1, 1, False), (2, 3, False), (2, 3, True), (3, 2, True)])
def test_stacked_diagram_draws_one_cell_per_layer_direction_and_step(num_layers, seq_len,
                                                                    bidirectional):
    fig = figs_layer.stacked_lstm_diagram(num_layers, seq_len, bidirectional)
    D = 2 if bidirectional else 1
    cells = [p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]
    assert len(cells) == num_layers * D * seq_len
    texts = _texts(fig)
    for k in range(num_layers * D):
        assert f"h_n[{k}]\nc_n[{k}]" in texts and f"h0[{k}]\nc0[{k}]" in texts
    assert f"h_n[{num_layers * D}]\nc_n[{num_layers * D}]" not in texts
    for t in range(seq_len):
        assert f"x[{t}]" in texts and f"output[{t}]" in texts
    assert sum("reverse" in t for t in texts) == (num_layers * seq_len if bidirectional else 0)
    # A dot joins the directions (bidirectional: under every layer above and under output)
    # or the layers (one direction: between layers only).
    dots = [p for p in fig.axes[0].patches if isinstance(p, Circle)]
    assert len(dots) == (num_layers if bidirectional else num_layers - 1) * seq_len
    fig.canvas.draw()


def test_stacked_diagram_rejects_empty_sizes():
    with pytest.raises(ValueError):
        figs_layer.stacked_lstm_diagram(0, 3)


def test_gate_sweep_plots_the_explorers_numbers():
    fig = figs.gate_sweep(h_prev=0.2, c_prev=1.5, forget_biases=(-2.0, 4.0))
    ax1, ax2 = fig.axes
    gate_lines = ax1.get_lines()[:4]
    xs = gate_lines[0].get_xdata()
    for line, gate in zip(gate_lines, "ifgo", strict=True):
        ys = line.get_ydata()
        for x, y in list(zip(xs, ys, strict=True))[::10]:
            assert y == pytest.approx(one_unit_step(x, 0.2, 1.5)[gate])
    c_line = ax2.get_lines()[2]  # c_t for the second forget bias
    x, y = c_line.get_xdata()[30], c_line.get_ydata()[30]
    assert y == pytest.approx(one_unit_step(x, 0.2, 1.5, b_f=4.0)["c"])
    fig.canvas.draw()


def test_sensitivity_by_lag_is_the_vector_jacobian_product_with_ones():
    import torch

    torch.manual_seed(3)
    model = torch.nn.LSTM(2, 3, dtype=torch.float64)
    x = torch.randn(5, 1, 2, dtype=torch.float64)
    s = figs.sensitivity_by_lag(model, x)
    jac = torch.autograd.functional.jacobian(lambda inp: model(inp)[0][-1, 0], x)  # (H, L, N, H_in)
    expected = (torch.ones(3, dtype=torch.float64) @ jac.reshape(3, -1)).reshape(5, 2).norm(dim=1)
    assert torch.allclose(s, expected.flip(0))
    # a warm-up changes the state x[0] meets, so the sensitivities change
    warm = figs.sensitivity_by_lag(model, x, warm_up=torch.randn(7, 1, 2, dtype=torch.float64))
    assert warm.shape == s.shape and not torch.allclose(warm, s)


def test_gradient_reach_data_and_figure():
    data = figs.gradient_reach_data(seeds=3, seq_len=12, hidden_size=4, warm_up=10)
    assert list(data) == list(figs.REACH_MODELS)
    for values in data.values():
        assert values.shape == (3, 12) and bool((values > 0).all())
    # same seeds, same numbers: the figure is reproducible
    again = figs.gradient_reach_data(seeds=3, seq_len=12, hidden_size=4, warm_up=10)
    assert all(bool((again[k] == data[k]).all()) for k in data)
    # the plain RNN forgets faster than the LSTM with a large forget bias
    assert data["RNN"].median(0).values[-1] < data["LSTM, b_f = 3"].median(0).values[-1]
    fig = figs.gradient_reach(data)
    left, zoom = fig.axes
    assert len(left.get_lines()) == 4 and len(zoom.get_lines()) == 2
    assert left.get_yscale() == "log"
    assert (left.get_lines()[0].get_ydata() == data["RNN"].median(0).values.numpy()).all()
    fig.canvas.draw()
    with pytest.raises(ValueError):
        figs.gradient_reach_data(seeds=0)
