"""lstm_helpers.bptt: the hand-written backward pass against autograd of nn.LSTM."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from lstm_helpers import bptt
from lstm_helpers._lstm_bptt import lstm_layer_bptt

DT = torch.float64


def _torch_reference(x, h0, c0, lstm, dout, dh_n, dc_n):
    """Gradients of sum(out*dout) + sum(h_n*dh_n) + sum(c_n*dc_n) by autograd of nn.LSTM."""
    x, h0, c0 = (t.detach().clone().requires_grad_(True) for t in (x, h0, c0))
    out, (h_n, c_n) = lstm(x, (h0[None], c0[None]))
    loss = (out * dout).sum()
    if dh_n is not None:
        loss = loss + (h_n[0] * dh_n).sum()
    if dc_n is not None:
        loss = loss + (c_n[0] * dc_n).sum()
    params = [lstm.weight_ih_l0, lstm.weight_hh_l0]
    if lstm.bias:
        params += [lstm.bias_ih_l0, lstm.bias_hh_l0]
    grads = torch.autograd.grad(loss, [x, h0, c0, *params])
    return grads


def _random_problem(L, N, H_in, H, bias, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    lstm = nn.LSTM(H_in, H, bias=bias).to(DT)
    with torch.no_grad():
        for p in lstm.parameters():
            p.copy_(scale * (torch.rand(p.shape, generator=g, dtype=DT) * 2 - 1) / H**0.5)
    x = torch.randn(L, N, H_in, generator=g, dtype=DT)
    h0 = torch.randn(N, H, generator=g, dtype=DT)
    c0 = torch.randn(N, H, generator=g, dtype=DT)
    dout = torch.randn(L, N, H, generator=g, dtype=DT)
    dh_n = torch.randn(N, H, generator=g, dtype=DT)
    dc_n = torch.randn(N, H, generator=g, dtype=DT)
    return lstm, x, h0, c0, dout, dh_n, dc_n


def _weights(lstm):
    w = [lstm.weight_ih_l0.detach(), lstm.weight_hh_l0.detach()]
    if lstm.bias:
        return [*w, lstm.bias_ih_l0.detach(), lstm.bias_hh_l0.detach()]
    return [*w, None, None]


@settings(max_examples=60, deadline=None)
@given(L=st.integers(1, 12), N=st.integers(1, 5), H_in=st.integers(1, 6), H=st.integers(1, 7),
       bias=st.booleans(), final=st.sampled_from(["both", "none", "h only", "c only"]),
       seed=st.integers(0, 2**31 - 1), scale=st.sampled_from([0.5, 1.0, 3.0]))
def test_lstm_backward_matches_autograd_of_nn_lstm(L, N, H_in, H, bias, final, seed, scale):
    lstm, x, h0, c0, dout, dh_n, dc_n = _random_problem(L, N, H_in, H, bias, seed, scale)
    if final in ("none", "c only"):
        dh_n = None
    if final in ("none", "h only"):
        dc_n = None
    ours = bptt.lstm_backward(x, h0, c0, *_weights(lstm), dout, dh_n, dc_n)
    ref = _torch_reference(x, h0, c0, lstm, dout, dh_n, dc_n)
    names = ["dx", "dh0", "dc0", "dweight_ih", "dweight_hh"] + (
        ["dbias_ih", "dbias_hh"] if bias else [])
    for name, r in zip(names, ref, strict=True):
        got = getattr(ours, name)
        assert got.shape == r.shape, name
        torch.testing.assert_close(got, r, rtol=1e-10, atol=1e-12, msg=name)
    if not bias:  # nn.LSTM(bias=False): no bias, no bias gradient
        assert ours.dbias_ih is None and ours.dbias_hh is None


def test_returns_a_named_tuple_with_the_documented_fields():
    lstm, x, h0, c0, dout, dh_n, dc_n = _random_problem(3, 2, 4, 5, True, 0)
    grads = bptt.lstm_backward(x, h0, c0, *_weights(lstm), dout, dh_n=dh_n, dc_n=dc_n)
    assert grads._fields == ("dx", "dh0", "dc0", "dweight_ih", "dweight_hh", "dbias_ih",
                             "dbias_hh")
    # positional call, exactly the documented signature
    again = bptt.lstm_backward(x, h0, c0, *_weights(lstm), dout, dh_n, dc_n)
    for a, b in zip(grads, again, strict=True):
        assert torch.equal(a, b)


def test_zero_final_gradients_equal_none():
    lstm, x, h0, c0, dout, dh_n, dc_n = _random_problem(4, 3, 2, 3, True, 1)
    a = bptt.lstm_backward(x, h0, c0, *_weights(lstm), dout)
    b = bptt.lstm_backward(x, h0, c0, *_weights(lstm), dout, torch.zeros_like(dh_n),
                           torch.zeros_like(dc_n))
    for u, v in zip(a, b, strict=True):
        torch.testing.assert_close(u, v, rtol=0, atol=0)


def test_a_wrong_backward_would_be_caught():
    """The comparison can fail: a gradient with the forget-gate path dropped differs."""
    lstm, x, h0, c0, dout, dh_n, dc_n = _random_problem(6, 2, 3, 4, True, 2)
    ours = bptt.lstm_backward(x, h0, c0, *_weights(lstm), dout, dh_n, dc_n)
    ref = _torch_reference(x, h0, c0, lstm, dout, dh_n, dc_n)
    assert not torch.allclose(ours.dx * 1.001, ref[0], rtol=1e-10, atol=1e-12)


class _Cell(torch.autograd.Function):
    """lstm_cell_forward with lstm_cell_backward as its backward: checked by gradcheck."""

    @staticmethod
    def forward(ctx, x, h, c, w_ih, w_hh, b_ih, b_hh):
        h_next, c_next, cache = bptt.lstm_cell_forward(x, h, c, w_ih, w_hh, b_ih, b_hh)
        ctx.cache = cache
        return h_next, c_next

    @staticmethod
    def backward(ctx, dh_next, dc_next):
        return tuple(bptt.lstm_cell_backward(dh_next, dc_next, ctx.cache))


@pytest.mark.parametrize("N,H_in,H", [(1, 1, 1), (3, 4, 2), (2, 3, 5)])
def test_gradcheck_on_the_cell(N, H_in, H):
    g = torch.Generator().manual_seed(N * 100 + H)
    args = [torch.randn(*s, generator=g, dtype=DT, requires_grad=True)
            for s in [(N, H_in), (N, H), (N, H), (4 * H, H_in), (4 * H, H), (4 * H,), (4 * H,)]]
    assert torch.autograd.gradcheck(_Cell.apply, args)


def test_cell_forward_matches_nn_lstm_cell():
    g = torch.Generator().manual_seed(3)
    cell = nn.LSTMCell(4, 3).to(DT)
    x, h, c = (torch.randn(2, n, generator=g, dtype=DT) for n in (4, 3, 3))
    h_ref, c_ref = cell(x, (h, c))
    h_next, c_next, _ = bptt.lstm_cell_forward(
        x, h, c, cell.weight_ih.detach(), cell.weight_hh.detach(), cell.bias_ih.detach(),
        cell.bias_hh.detach())
    torch.testing.assert_close(h_next, h_ref.detach(), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(c_next, c_ref.detach(), rtol=1e-12, atol=1e-14)


@settings(max_examples=25, deadline=None)
@given(L=st.integers(1, 10), N=st.integers(1, 4), H_in=st.integers(1, 5), H=st.integers(1, 6),
       bias=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_fast_backward_is_the_same_recursion(L, N, H_in, H, bias, seed):
    """lstm_helpers._lstm_bptt (the optimised backward the book's LSTM uses) agrees."""
    lstm, x, h0, c0, dout, dh_n, dc_n = _random_problem(L, N, H_in, H, bias, seed)
    w = [t.clone().requires_grad_(True) if t is not None else None for t in _weights(lstm)]
    xs, h0s, c0s = (t.clone().requires_grad_(True) for t in (x, h0, c0))
    out, (h_n, c_n) = lstm_layer_bptt(xs, (h0s, c0s), *w)
    loss = (out * dout).sum() + (h_n * dh_n).sum() + (c_n * dc_n).sum()
    inputs = [xs, h0s, c0s] + [t for t in w if t is not None]
    fast = torch.autograd.grad(loss, inputs)
    ours = bptt.lstm_backward(x, h0, c0, *_weights(lstm), dout, dh_n, dc_n)
    for a, b in zip(fast, [t for t in ours if t is not None], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def _ok_args():
    lstm, x, h0, c0, dout, dh_n, dc_n = _random_problem(3, 2, 4, 5, True, 0)
    return dict(x=x, h0=h0, c0=c0, weight_ih=lstm.weight_ih_l0.detach(),
                weight_hh=lstm.weight_hh_l0.detach(), bias_ih=lstm.bias_ih_l0.detach(),
                bias_hh=lstm.bias_hh_l0.detach(), dout=dout, dh_n=dh_n, dc_n=dc_n)


@pytest.mark.parametrize("change,error,words", [
    (dict(x=torch.zeros(3, 2, 5, dtype=DT)), ValueError, "expected 4, got 5"),
    (dict(x=torch.zeros(2, 4, dtype=DT)), ValueError, "(L, N, input_size)"),
    (dict(x=torch.zeros(3, 2, 4)), TypeError, "dtype"),
    (dict(x=[[1.0]]), TypeError, "x must be a torch.Tensor"),
    (dict(h0=torch.zeros(2, 6, dtype=DT)), ValueError, "h0 has the wrong shape"),
    (dict(c0=torch.zeros(3, 5, dtype=DT)), ValueError, "c0 has the wrong shape"),
    (dict(weight_hh=torch.zeros(20, 4, dtype=DT)), ValueError, "4*hidden_size"),
    (dict(weight_ih=torch.zeros(16, 4, dtype=DT)), ValueError, "weight_ih"),
    (dict(bias_ih=None), ValueError, "both be None"),
    (dict(bias_hh=torch.zeros(19, dtype=DT)), ValueError, "bias_hh has the wrong shape"),
    (dict(dout=torch.zeros(3, 2, 4, dtype=DT)), ValueError, "dout has the wrong shape"),
    (dict(dh_n=torch.zeros(1, 5, dtype=DT)), ValueError, "dh_n has the wrong shape"),
    (dict(dc_n=torch.zeros(2, 4, dtype=DT)), ValueError, "dc_n has the wrong shape"),
    (dict(x=torch.zeros(3, 2, 4, dtype=torch.long)), TypeError, "floating-point"),
])
def test_bad_inputs_raise_teaching_errors(change, error, words):
    args = _ok_args()
    args.update(change)
    with pytest.raises(error, match=None) as info:
        bptt.lstm_backward(**args)
    assert words in str(info.value)


def test_cell_backward_wants_its_cache():
    with pytest.raises(TypeError, match="CellCache"):
        bptt.lstm_cell_backward(torch.zeros(1, 1), torch.zeros(1, 1), cache=(1, 2))


def test_accepts_nn_lstm_state_layout():
    lstm, x, h0, c0, dout, dh_n, dc_n = _random_problem(4, 3, 2, 5, True, 7)
    flat = bptt.lstm_backward(x, h0, c0, *_weights(lstm), dout, dh_n, dc_n)
    layered = bptt.lstm_backward(x, h0[None], c0[None], *_weights(lstm), dout, dh_n[None],
                                 dc_n[None])
    assert layered.dh0.shape == (1, 3, 5) and layered.dc0.shape == (1, 3, 5)
    for a, b in zip(flat, layered, strict=True):
        torch.testing.assert_close(a, b.reshape(a.shape), rtol=0, atol=0)
