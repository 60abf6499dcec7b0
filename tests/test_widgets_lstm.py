"""The widgets of the LSTM chapters: every control over its range changes what is shown, the
numbers shown are PyTorch's, and nothing raises."""

import re

import ipywidgets as widgets
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_helpers.widgets._common import alt_from_html, png_from_html
from lstm_helpers.widgets.lstm_cell import (
    DEFAULT_W_HH,
    DEFAULT_W_IH,
    GATES,
    GateExplorer,
    one_unit_step,
)
from lstm_helpers.widgets.nn_lstm import GRID, LSTMShapeExplorer, lstm_shapes, shape_grid_html

# ---------------------------------------------------------------- the gate explorer


def _one_unit_cell(b, w_ih=DEFAULT_W_IH, w_hh=DEFAULT_W_HH):
    """nn.LSTMCell(1, 1) holding the explorer's weights; gate bias b[k] split over both."""
    cell = torch.nn.LSTMCell(1, 1).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor([[w_ih[k]] for k in GATES], dtype=torch.float64))
        cell.weight_hh.copy_(torch.tensor([[w_hh[k]] for k in GATES], dtype=torch.float64))
        cell.bias_ih.copy_(torch.tensor([0.25 * b[k] for k in GATES], dtype=torch.float64))
        cell.bias_hh.copy_(torch.tensor([0.75 * b[k] for k in GATES], dtype=torch.float64))
    return cell


finite = st.floats(-5, 5, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(x=finite, h=st.floats(-1, 1), c=finite, bi=finite, bf=finite, bg=finite, bo=finite)
def test_one_unit_step_is_nn_lstmcell(x, h, c, bi, bf, bg, bo):
    b = {"i": bi, "f": bf, "g": bg, "o": bo}
    s = one_unit_step(x, h, c, bi, bf, bg, bo)
    cell = _one_unit_cell(b)
    with torch.no_grad():
        h_ref, c_ref = cell(torch.tensor([[x]], dtype=torch.float64),
                            (torch.tensor([[h]], dtype=torch.float64),
                             torch.tensor([[c]], dtype=torch.float64)))
    # nn.LSTMCell adds the two bias halves separately: equal up to rounding
    assert s["h"] == pytest.approx(h_ref.item(), abs=1e-9)
    assert s["c"] == pytest.approx(c_ref.item(), abs=1e-9)
    gates = torch.tensor([[s[f"z_{k}"] for k in GATES]], dtype=torch.float64)
    assert s["i"] == pytest.approx(torch.sigmoid(gates[0, 0]).item(), abs=1e-12)
    assert s["g"] == pytest.approx(torch.tanh(gates[0, 2]).item(), abs=1e-12)


def test_one_unit_step_with_other_weights_and_extreme_inputs():
    w_ih = {"i": -2.0, "f": 3.0, "g": 0.1, "o": 1.5}
    w_hh = {"i": 1.0, "f": -1.0, "g": 2.0, "o": 0.0}
    s = one_unit_step(0.3, -0.7, 2.0, 1.0, -1.0, 0.5, 0.0, w_ih, w_hh)
    cell = _one_unit_cell({"i": 1.0, "f": -1.0, "g": 0.5, "o": 0.0}, w_ih, w_hh)
    with torch.no_grad():
        h_ref, c_ref = cell(torch.tensor([[0.3]], dtype=torch.float64),
                            (torch.tensor([[-0.7]], dtype=torch.float64),
                             torch.tensor([[2.0]], dtype=torch.float64)))
    assert (s["h"], s["c"]) == pytest.approx((h_ref.item(), c_ref.item()), abs=1e-9)
    big = one_unit_step(1e3, 0, 0, b_f=-1e3)  # no overflow in the sigmoid
    assert big["i"] == 1.0 and 0.0 <= big["f"] < 1e-200


def _shown_values(w):
    """The bold values of the table: i, f, g, o, c_t, h_t as displayed."""
    return [float(v) for v in re.findall(r"<td><b>(-?[0-9.]+)</b></td>", w.table.value)]


def test_gate_explorer_structure():
    w = GateExplorer()
    assert isinstance(w, widgets.VBox)
    assert isinstance(w.table, widgets.HTML) and isinstance(w.chart, widgets.HTML)
    assert not any(isinstance(c, widgets.Output) for c in _walk(w))
    assert png_from_html(w.chart.value)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "gates" in alt_from_html(w.chart.value)
    s = w.step()
    assert _shown_values(w) == pytest.approx([round(s[k], 3) for k in "ifgoch"], abs=1e-9)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


@pytest.mark.parametrize("name", ["x_t", "h_prev", "c_prev", "b_i", "b_f", "b_g", "b_o"])
def test_gate_explorer_every_slider_over_its_range(name):
    w = GateExplorer()
    slider = getattr(w, name)
    lo, hi = slider.min, slider.max
    values = [lo, lo + 0.3 * (hi - lo), lo + 0.6 * (hi - lo), hi]
    seen_tables, seen_charts = set(), set()
    for v in values:
        slider.value = round(v, 1)
        s = w.step()
        assert _shown_values(w) == pytest.approx([round(s[k], 3) for k in "ifgoch"], abs=1e-9)
        seen_tables.add(w.table.value)
        seen_charts.add(w.chart.value)
    assert len(seen_tables) == len(values) and len(seen_charts) == len(values)


def test_gate_explorer_teaches_the_forget_gate():
    w = GateExplorer(x_t=0.0, h_prev=0.0, c_prev=2.0)
    w.b_i.value = -5.0  # write nothing new
    w.b_f.value = 5.0   # keep the memory
    assert w.step()["c"] == pytest.approx(2.0, abs=0.03)
    w.b_f.value = -5.0  # forget it
    assert abs(w.step()["c"]) < 0.03


# ---------------------------------------------------------------- the shape explorer


def _expected(input_size, hidden_size, num_layers, bidirectional, proj_size, batch_first,
              batched, seq_len, batch):
    """The shape rules of torch.nn.LSTM's documentation."""
    D = 2 if bidirectional else 1
    H_out = proj_size or hidden_size
    if batched:
        x = (batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size)
        out = (batch, seq_len, D * H_out) if batch_first else (seq_len, batch, D * H_out)
        h, c = (D * num_layers, batch, H_out), (D * num_layers, batch, hidden_size)
    else:
        x, out = (seq_len, input_size), (seq_len, D * H_out)
        h, c = (D * num_layers, H_out), (D * num_layers, hidden_size)
    return {"input": x, "h0": h, "c0": c, "output": out, "h_n": h, "c_n": c}


@settings(max_examples=40, deadline=None)
@given(input_size=st.integers(1, 6), hidden_size=st.integers(2, 7), num_layers=st.integers(1, 3),
       bidirectional=st.booleans(), proj=st.booleans(), batch_first=st.booleans(),
       batched=st.booleans(), seq_len=st.integers(1, 4), batch=st.integers(1, 3),
       data=st.data())
def test_lstm_shapes_follow_pytorchs_rules(input_size, hidden_size, num_layers, bidirectional,
                                           proj, batch_first, batched, seq_len, batch, data):
    proj_size = data.draw(st.integers(1, hidden_size - 1)) if proj else 0
    args = (input_size, hidden_size, num_layers, bidirectional, proj_size, batch_first,
            batched, seq_len, batch)
    got = lstm_shapes(*args)
    assert got["tensors"] == _expected(*args)
    D = 2 if bidirectional else 1
    H_out = proj_size or hidden_size
    params = got["parameters"]
    for k in range(num_layers):
        for suffix in ([""] if D == 1 else ["", "_reverse"]):
            layer_in = input_size if k == 0 else D * H_out
            assert params[f"weight_ih_l{k}{suffix}"] == (4 * hidden_size, layer_in)
            assert params[f"weight_hh_l{k}{suffix}"] == (4 * hidden_size, H_out)
            assert params[f"bias_ih_l{k}{suffix}"] == (4 * hidden_size,)
            assert params[f"bias_hh_l{k}{suffix}"] == (4 * hidden_size,)
            if proj_size:
                assert params[f"weight_hr_l{k}{suffix}"] == (proj_size, hidden_size)
            else:
                assert f"weight_hr_l{k}{suffix}" not in params


def test_lstm_shapes_reports_pytorchs_refusal():
    with pytest.raises(ValueError, match="proj_size"):
        lstm_shapes(hidden_size=5, proj_size=5)


def test_shape_explorer_structure_and_default():
    w = LSTMShapeExplorer()
    assert isinstance(w, widgets.VBox)
    assert not any(isinstance(c, widgets.Output) for c in _walk(w))
    assert "nn.LSTM(10, 20, num_layers=2" in w.code.value
    for name, shape in _expected(10, 20, 2, False, 0, False, True, 5, 3).items():
        assert f"<code>{name}</code></td><td><code>({', '.join(map(str, shape))})" in w.table.value


@pytest.mark.parametrize("name", ["input_size", "hidden_size", "num_layers", "proj_size",
                                  "seq_len", "batch"])
def test_shape_explorer_every_slider_over_its_range(name):
    w = LSTMShapeExplorer()
    slider = getattr(w, name)
    values = sorted({slider.min, slider.min + 1, (slider.min + slider.max) // 2, slider.max - 1,
                     slider.max})
    seen = set()
    for v in values:
        slider.value = v
        seen.add(w.table.value)
        o = w.options()
        if o["proj_size"] >= o["hidden_size"]:
            assert "PyTorch refuses" in w.table.value and "proj_size" in w.table.value
        else:
            want = _expected(o["input_size"], o["hidden_size"], o["num_layers"],
                             o["bidirectional"], o["proj_size"], o["batch_first"], o["batched"],
                             o["seq_len"], o["batch"])
            shape = ", ".join(map(str, want["h_n"]))
            assert f"<code>h_n</code></td><td><code>({shape})</code>" in w.table.value
    if name == "proj_size":  # values 0, 1, 15 give three tables; 30 and 31 the same refusal
        assert len(seen) == len(values) - 1
    else:
        assert len(seen) == len(values)


@pytest.mark.parametrize("name", ["bidirectional", "batch_first", "batched"])
def test_shape_explorer_every_dropdown_option(name):
    w = LSTMShapeExplorer()
    dropdown = getattr(w, name)
    seen = set()
    for option in dropdown.options:
        dropdown.value = option
        seen.add(w.table.value)
        assert "PyTorch refuses" not in w.table.value
    assert len(seen) == len(dropdown.options)


def test_shape_explorer_unbatched_ignores_the_batch_slider():
    w = LSTMShapeExplorer()
    w.batched.value = False
    before = w.table.value
    w.batch.value = 7
    assert w.table.value == before
    assert "<code>h_n</code></td><td><code>(2, 20)</code>" in before


def test_shape_grid_is_computed_for_every_configuration():
    html = shape_grid_html()
    assert html.count("<tr>") == len(GRID) + 1
    assert "(4, 3, 5)" in html  # 2 layers x 2 directions, projected h_n
    small = shape_grid_html([{"bidirectional": True}], input_size=2, hidden_size=3, seq_len=4,
                            batch=1)
    assert "(4, 1, 6)" in small and "(2, 1, 3)" in small
