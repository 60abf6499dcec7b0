"""The from-scratch LSTM against PyTorch: values, gradients, parameters, errors."""

import math
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_helpers._lstm_bptt import _BLOCK_ROWS, LSTMLayerFunction, lstm_layer_bptt
from lstm_helpers.lstm import LSTM, LSTMCell, lstm_cell, lstm_layer, lstm_layer_packed

F64 = torch.float64
TOL = dict(rtol=1e-9, atol=1e-11)


def _pair(input_size, hidden_size, **kwargs):
    """A torch.nn.LSTM and ours with the same (torch's) weights, float64."""
    ref = nn.LSTM(input_size, hidden_size, dtype=F64, **kwargs)
    ours = LSTM(input_size, hidden_size, dtype=F64, **kwargs)
    ours.load_state_dict(ref.state_dict())
    return ref, ours


def _assert_close(a, b, what):
    assert a.shape == b.shape, f"{what}: shape {tuple(a.shape)} != {tuple(b.shape)}"
    torch.testing.assert_close(a, b, **TOL, msg=lambda m: f"{what}: {m}")


def _grads(outputs, inputs, seed):
    """Gradients of a random linear function of ``outputs`` (the same for both models)."""
    gen = torch.Generator().manual_seed(seed)
    loss = sum((o * torch.randn(o.shape, generator=gen, dtype=o.dtype)).sum() for o in outputs)
    return torch.autograd.grad(loss, inputs, allow_unused=True)


# --- the whole module against torch.nn.LSTM, over random configurations ---------------

configs = st.fixed_dictionaries({
    "input_size": st.integers(1, 4),
    "hidden_size": st.integers(2, 5),
    "num_layers": st.integers(1, 3),
    "bidirectional": st.booleans(),
    "bias": st.booleans(),
    "batch_first": st.booleans(),
    "proj": st.booleans(),
    "mode": st.sampled_from(["batched", "unbatched", "packed_sorted", "packed_unsorted"]),
    "with_state": st.booleans(),
    "use_bptt": st.booleans(),
    "L": st.integers(1, 5),
    "N": st.integers(1, 4),
    "seed": st.integers(0, 2**16),
})


@settings(max_examples=80, deadline=None)
@given(cfg=configs, data=st.data())
def test_lstm_matches_torch_values_and_gradients(cfg, data):
    H = cfg["hidden_size"]
    proj = data.draw(st.integers(1, H - 1)) if cfg["proj"] else 0
    D, layers = (2 if cfg["bidirectional"] else 1), cfg["num_layers"]
    torch.manual_seed(cfg["seed"])
    ref, ours = _pair(cfg["input_size"], H, num_layers=layers, bias=cfg["bias"],
                      batch_first=cfg["batch_first"], bidirectional=cfg["bidirectional"],
                      proj_size=proj)
    ours.use_bptt = cfg["use_bptt"]
    L, N, mode = cfg["L"], cfg["N"], cfg["mode"]
    shape = {"unbatched": (L,), "batched": (N, L) if cfg["batch_first"] else (L, N)}.get(
        mode, (N, L) if cfg["batch_first"] else (L, N))
    x = torch.randn(*shape, cfg["input_size"], dtype=F64, requires_grad=True)
    n = () if mode == "unbatched" else (N,)
    h0 = torch.randn(D * layers, *n, proj or H, dtype=F64, requires_grad=True)
    c0 = torch.randn(D * layers, *n, H, dtype=F64, requires_grad=True)
    hx = (h0, c0) if cfg["with_state"] else None
    lengths = None
    if mode.startswith("packed"):
        lengths = data.draw(st.lists(st.integers(1, L), min_size=N, max_size=N))
        lengths[data.draw(st.integers(0, N - 1))] = L
        if mode == "packed_sorted":
            lengths = sorted(lengths, reverse=True)
    results = []
    for model in (ref, ours):
        inp = x
        if lengths is not None:
            inp = pack_padded_sequence(x, lengths, batch_first=cfg["batch_first"],
                                       enforce_sorted=mode == "packed_sorted")
        out, (h_n, c_n) = model(inp, hx)
        if lengths is not None:
            assert type(out).__name__ == "PackedSequence"
            packed = out
            out = out.data
        wanted = [x, *(hx if hx else ()), *model.parameters()]
        results.append((out, h_n, c_n, _grads([out, h_n, c_n], wanted, cfg["seed"])))
        if lengths is not None:
            results[-1] += (packed,)
    (o1, h1, c1, g1, *p1), (o2, h2, c2, g2, *p2) = results
    _assert_close(o2, o1, "output")
    _assert_close(h2, h1, "h_n")
    _assert_close(c2, c1, "c_n")
    names = ["input", *(["h_0", "c_0"] if hx else []), *(n for n, _ in ref.named_parameters())]
    for name, a, b in zip(names, g2, g1, strict=True):
        _assert_close(a, b, f"gradient of {name}")
    if p1:
        for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
            a, b = getattr(p2[0], field), getattr(p1[0], field)
            assert (a is None and b is None) or torch.equal(a, b), field


@pytest.mark.parametrize("use_bptt", [True, False])
def test_float32_matches_torch(use_bptt):
    torch.manual_seed(0)
    ref = nn.LSTM(6, 8, num_layers=2, bidirectional=True)
    ours = LSTM(6, 8, num_layers=2, bidirectional=True)
    ours.load_state_dict(ref.state_dict())
    ours.use_bptt = use_bptt
    x = torch.randn(20, 3, 6, requires_grad=True)
    r = [m(x) for m in (ref, ours)]
    torch.testing.assert_close(r[1][0], r[0][0], rtol=1e-5, atol=1e-6)
    g = [_grads([o, h, c], [x, *m.parameters()], 1)
         for (o, (h, c)), m in zip(r, (ref, ours), strict=True)]
    for a, b in zip(g[1], g[0], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_long_sequence_matches_torch_in_several_backward_blocks():
    # More than one block of the hand-written backward (blocks of _BLOCK_ROWS // N steps).
    torch.manual_seed(3)
    ref, ours = _pair(2, 4, num_layers=2, proj_size=2)
    x = torch.randn(1100, 4, 2, dtype=F64, requires_grad=True)
    assert x.size(0) > 2 * (_BLOCK_ROWS // x.size(1))  # at least three blocks
    r = [m(x) for m in (ref, ours)]
    _assert_close(r[1][0], r[0][0], "output")
    g = [_grads([o, h, c], [x, *m.parameters()], 2)
         for (o, (h, c)), m in zip(r, (ref, ours), strict=True)]
    for a, b in zip(g[1], g[0], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("rows", [1, 5, 7, 12])
def test_bptt_backward_blocks_of_any_size(monkeypatch, rows):
    # The hand-written backward runs over blocks of _BLOCK_ROWS // N steps (at least 1).
    import lstm_helpers._lstm_bptt as bptt

    monkeypatch.setattr(bptt, "_BLOCK_ROWS", rows)
    torch.manual_seed(rows)
    for proj in (None, torch.randn(2, 4, dtype=F64, requires_grad=True)):
        h_out = 4 if proj is None else 2
        x = torch.randn(7, 3, 2, dtype=F64, requires_grad=True)
        hx = (torch.randn(3, h_out, dtype=F64, requires_grad=True),
              torch.randn(3, 4, dtype=F64, requires_grad=True))
        w = [torch.randn(*s, dtype=F64, requires_grad=True)
             for s in [(16, 2), (16, h_out), (16,), (16,)]]
        outs = [fn(x, hx, *w, proj) for fn in (lstm_layer, lstm_layer_bptt)]
        extra = [] if proj is None else [proj]
        grads = [_grads([o, h, c], [x, *hx, *w, *extra], rows) for o, (h, c) in outs]
        for a, b in zip(grads[1], grads[0], strict=True):
            _assert_close(a, b, f"gradient with blocks of {rows} rows")


def test_bidirectional_h_n_is_not_the_last_output_in_reverse():
    torch.manual_seed(0)
    ref, ours = _pair(3, 4, bidirectional=True)
    x = torch.randn(6, 2, 3, dtype=F64)
    out, (h_n, _) = ours(x)
    assert torch.equal(h_n[0], out[-1, :, :4])  # forward direction: the last step
    assert torch.equal(h_n[1], out[0, :, 4:])  # reverse direction: the first step
    assert not torch.allclose(h_n[1], out[-1, :, 4:])
    _assert_close(out, ref(x)[0], "output")


def test_batch_first_does_not_apply_to_h_and_c():
    ours = LSTM(3, 5, num_layers=2, batch_first=True, proj_size=2)
    out, (h_n, c_n) = ours(torch.randn(4, 7, 3))  # (N, L, H_in)
    assert out.shape == (4, 7, 2)
    assert h_n.shape == (2, 4, 2) and c_n.shape == (2, 4, 5)


def test_packed_h_n_is_taken_at_each_sequences_own_last_step():
    torch.manual_seed(1)
    ours = LSTM(2, 3, dtype=F64)
    seqs = [torch.randn(n, 2, dtype=F64) for n in (2, 5, 3)]
    packed = nn.utils.rnn.pack_sequence(seqs, enforce_sorted=False)
    _, (h_n, c_n) = ours(packed)
    for k, seq in enumerate(seqs):
        _, (h, c) = ours(seq)  # unbatched, alone
        _assert_close(h_n[:, k], h, f"h_n of sequence {k}")
        _assert_close(c_n[:, k], c, f"c_n of sequence {k}")


def test_empty_batch_like_torch():
    ref, ours = _pair(2, 3)
    out, (h_n, c_n) = ours(torch.randn(4, 0, 2, dtype=F64))
    r_out, (r_h, r_c) = ref(torch.randn(4, 0, 2, dtype=F64))
    assert out.shape == r_out.shape and h_n.shape == r_h.shape and c_n.shape == r_c.shape


# --- parameters, initialisation, state dicts ----------------------------------------


@pytest.mark.parametrize("kwargs", [
    {}, {"num_layers": 3, "bidirectional": True}, {"proj_size": 2, "bias": False},
    {"num_layers": 2, "proj_size": 3, "bidirectional": True},
])
def test_parameters_names_shapes_order_and_init_like_torch(kwargs):
    torch.manual_seed(7)
    ref = nn.LSTM(5, 6, **kwargs)
    torch.manual_seed(7)
    ours = LSTM(5, 6, **kwargs)
    ref_named, our_named = list(ref.named_parameters()), list(ours.named_parameters())
    assert [n for n, _ in our_named] == [n for n, _ in ref_named]
    for (name, p), (_, q) in zip(our_named, ref_named, strict=True):
        assert p.shape == q.shape, name
        assert torch.equal(p, q), f"{name}: same seed, same draws as torch"
    assert [[p.shape for p in ps] for ps in ours.all_weights] == [
        [p.shape for p in ps] for ps in ref.all_weights]
    ours.load_state_dict(ref.state_dict())  # both ways, strict
    ref.load_state_dict(ours.state_dict())
    assert repr(ours).split("(", 1)[1] == repr(ref).split("(", 1)[1]


def test_cell_parameters_and_init_like_torch():
    for bias in (True, False):
        torch.manual_seed(3)
        ref = nn.LSTMCell(4, 7, bias=bias)
        torch.manual_seed(3)
        ours = LSTMCell(4, 7, bias=bias)
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
        for p, q in zip(ours.parameters(), ref.parameters(), strict=True):
            assert torch.equal(p, q)
        ref.load_state_dict(ours.state_dict())
        ours.load_state_dict(ref.state_dict())
        assert (ours.bias_ih is None) == (not bias)
        assert repr(ours).split("(", 1)[1] == repr(ref).split("(", 1)[1]


def test_init_is_uniform_within_one_over_sqrt_hidden_size():
    torch.manual_seed(0)
    model = LSTM(30, 64, num_layers=2, proj_size=16, bidirectional=True)
    bound = 1 / math.sqrt(64)
    everything = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert everything.abs().max() <= bound
    assert everything.abs().max() > 0.99 * bound  # fills the interval
    assert abs(everything.mean()) < 0.01 * bound
    assert abs(everything.var() - bound**2 / 3) < 0.02 * bound**2  # var of U(-a, a) is a^2/3
    cell = torch.cat([p.detach().flatten() for p in LSTMCell(3, 9).parameters()])
    assert cell.abs().max() <= 1 / 3 and cell.abs().max() > 0.95 / 3
    before = [p.clone() for p in model.parameters()]
    model.reset_parameters()
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_device_and_dtype_arguments():
    model = LSTM(2, 3, proj_size=1, dtype=F64, device="cpu")
    assert all(p.dtype == F64 and p.device.type == "cpu" for p in model.parameters())
    cell = LSTMCell(2, 3, dtype=torch.float16)
    assert all(p.dtype == torch.float16 for p in cell.parameters())


# --- dropout ---------------------------------------------------------------------------


def test_dropout_in_training_mode_matches_torch_with_the_same_seed():
    torch.manual_seed(0)
    ref, ours = _pair(3, 4, num_layers=3, dropout=0.5, bidirectional=True)
    x = torch.randn(5, 2, 3, dtype=F64)
    torch.manual_seed(11)
    expected = ref(x)
    torch.manual_seed(11)
    got = ours(x)
    _assert_close(got[0], expected[0], "output with dropout")
    _assert_close(got[1][0], expected[1][0], "h_n with dropout")
    torch.manual_seed(12)
    assert not torch.allclose(ours(x)[0], got[0])  # another seed, another mask


def test_dropout_statistics_and_not_after_the_last_layer():
    torch.manual_seed(0)
    ours = LSTM(3, 4, num_layers=2, dropout=1.0, dtype=F64)
    x = torch.randn(5, 2, 3, dtype=F64)
    out, (h_n, _) = ours(x)  # layer 2 sees only zeros: its output ignores x entirely
    out2, _ = ours(torch.randn(5, 2, 3, dtype=F64))
    _assert_close(out, out2, "output of layer 2 fed with zeros")
    assert not torch.allclose(h_n[0], ours(torch.randn(5, 2, 3, dtype=F64))[1][0][0])
    # With p = 0.5, about half the first layer's outputs are zeroed in training mode:
    ours = LSTM(3, 200, num_layers=2, dropout=0.5, dtype=F64)
    seen = []
    original = torch.nn.functional.dropout

    def spy(t, p, training):
        result = original(t, p, training=training)
        seen.append((result == 0).double().mean().item())
        return result

    import lstm_helpers.lstm as module

    module.F.dropout, saved = spy, module.F.dropout
    try:
        ours(torch.randn(50, 8, 3, dtype=F64))
    finally:
        module.F.dropout = saved
    assert len(seen) == 1 and 0.45 < seen[0] < 0.55


def test_dropout_is_off_in_eval_mode():
    torch.manual_seed(0)
    ref, ours = _pair(3, 4, num_layers=2, dropout=0.7)
    ref.eval()
    ours.eval()
    x = torch.randn(5, 2, 3, dtype=F64)
    a, b = ours(x)[0], ours(x)[0]
    assert torch.equal(a, b)
    _assert_close(a, ref(x)[0], "eval output")
    ours.dropout = 0.0
    _assert_close(ours(x)[0], a, "eval output without dropout")


def test_dropout_with_one_layer_warns_like_torch():
    with pytest.warns(UserWarning, match="num_layers greater than 1.*dropout=0.5"):
        LSTM(3, 4, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LSTM(3, 4, num_layers=2, dropout=0.5)
        LSTM(3, 4, dropout=0.0)


# --- the cell ------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(bias=st.booleans(), batched=st.booleans(), with_state=st.booleans(),
       n=st.integers(1, 4), h_in=st.integers(1, 5), h=st.integers(1, 5),
       seed=st.integers(0, 2**16))
def test_cell_matches_torch(bias, batched, with_state, n, h_in, h, seed):
    torch.manual_seed(seed)
    ref = nn.LSTMCell(h_in, h, bias=bias, dtype=F64)
    ours = LSTMCell(h_in, h, bias=bias, dtype=F64)
    ours.load_state_dict(ref.state_dict())
    lead = (n,) if batched else ()
    x = torch.randn(*lead, h_in, dtype=F64, requires_grad=True)
    hx = tuple(torch.randn(*lead, h, dtype=F64, requires_grad=True) for _ in range(2))
    state = hx if with_state else None
    results = []
    for model in (ref, ours):
        h1, c1 = model(x, state)
        wanted = [x, *(hx if with_state else ()), *model.parameters()]
        results.append((h1, c1, _grads([h1, c1], wanted, seed)))
    _assert_close(results[1][0], results[0][0], "h'")
    _assert_close(results[1][1], results[0][1], "c'")
    for a, b in zip(results[1][2], results[0][2], strict=True):
        _assert_close(a, b, "cell gradient")
    if bias:  # the functional form against torch's own
        w = [p.detach() for p in ref.parameters()]
        hb = tuple(t.detach().reshape(-1, h) for t in hx)
        got = lstm_cell(x.detach().reshape(-1, h_in), hb, *w)
        want = torch.lstm_cell(x.detach().reshape(-1, h_in), hb, *w)
        _assert_close(got[0], want[0], "lstm_cell h")
        _assert_close(got[1], want[1], "lstm_cell c")


def test_lstm_cell_without_bias_and_unbatched():
    torch.manual_seed(0)
    w_ih, w_hh = torch.randn(12, 2, dtype=F64), torch.randn(12, 3, dtype=F64)
    x, h, c = torch.randn(2, dtype=F64), torch.randn(3, dtype=F64), torch.randn(3, dtype=F64)
    h1, c1 = lstm_cell(x, (h, c), w_ih, w_hh)
    r1, rc = torch.lstm_cell(x[None], (h[None], c[None]), w_ih, w_hh)
    _assert_close(h1, r1[0], "h'")
    _assert_close(c1, rc[0], "c'")


# --- gradcheck ---------------------------------------------------------------------


def test_gradcheck_cell():
    torch.manual_seed(0)
    args = [torch.randn(*s, dtype=F64, requires_grad=True)
            for s in [(3, 2), (3, 4), (3, 4), (16, 2), (16, 4), (16,), (16,)]]
    assert torch.autograd.gradcheck(lambda x, h, c, *w: lstm_cell(x, (h, c), *w), args)
    unbatched = [a[0].detach().requires_grad_() for a in args[:3]] + args[3:]
    assert torch.autograd.gradcheck(lambda x, h, c, *w: lstm_cell(x, (h, c), *w), unbatched)


@pytest.mark.parametrize("proj, bias", [(False, True), (True, True), (True, False)])
def test_gradcheck_layers(proj, bias):
    torch.manual_seed(0)
    H, P, L, N = 3, 2, 4, 2
    H_out = P if proj else H
    x = torch.randn(L, N, 2, dtype=F64, requires_grad=True)
    h0 = torch.randn(N, H_out, dtype=F64, requires_grad=True)
    c0 = torch.randn(N, H, dtype=F64, requires_grad=True)
    w = [torch.randn(*s, dtype=F64, requires_grad=True) * 0.5
         for s in [(4 * H, 2), (4 * H, H_out), (4 * H,), (4 * H,), (P, H)]]
    w = [t.detach().requires_grad_() for t in w]
    b_ih, b_hh = (w[2], w[3]) if bias else (None, None)
    w_hr = w[4] if proj else None
    params = [t for t in (w[0], w[1], b_ih, b_hh, w_hr) if t is not None]

    def call(layer):
        def f(x, h0, c0, *ps):
            it = iter(ps)
            full = [next(it), next(it), next(it) if bias else None, next(it) if bias else None,
                    next(it) if proj else None]
            out, (h, c) = layer(x, (h0, c0), *full)
            return out, h, c
        return f

    for layer in (lstm_layer, lstm_layer_bptt):
        assert torch.autograd.gradcheck(call(layer), [x, h0, c0, *params])
    data = x.reshape(L * N, 2)
    sizes = torch.tensor([N] * L)
    for reverse in (False, True):
        def packed(x, h0, c0, *ps, reverse=reverse):
            it = iter(ps)
            full = [next(it), next(it), next(it) if bias else None, next(it) if bias else None,
                    next(it) if proj else None]
            out, (h, c) = lstm_layer_packed(x, torch.tensor([2, 2, 1]), (h0, c0), *full,
                                            reverse=reverse)
            return out, h, c
        assert torch.autograd.gradcheck(packed, [data[:5].detach().requires_grad_(),
                                                 h0, c0, *params])
    assert sizes.sum() == L * N


def test_gradcheck_module_and_second_derivatives():
    torch.manual_seed(0)
    model = LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=2, dtype=F64)
    x = torch.randn(3, 2, 2, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: model(x)[0], [x])
    # The hand-written backward is differentiable once: a clear error for a second time.
    out = model(x)[0]
    with pytest.raises(RuntimeError, match="differentiated only once.*use_bptt = False"):
        torch.autograd.grad(out.sum(), x, create_graph=True)
    model.use_bptt = False  # the autograd version has second derivatives
    assert torch.autograd.gradgradcheck(lambda x: model(x)[0], [x])


def test_bptt_function_matches_autograd_layer_directly():
    torch.manual_seed(5)
    x = torch.randn(9, 3, 4, dtype=F64, requires_grad=True)
    hx = (torch.randn(3, 2, dtype=F64, requires_grad=True),
          torch.randn(3, 5, dtype=F64, requires_grad=True))
    w = [torch.randn(*s, dtype=F64, requires_grad=True)
         for s in [(20, 4), (20, 2), (20,), (20,), (2, 5)]]
    outs = [fn(x, hx, *w) for fn in (lstm_layer, lstm_layer_bptt)]
    for a, b in zip([outs[1][0], *outs[1][1]], [outs[0][0], *outs[0][1]], strict=True):
        _assert_close(a, b, "value")
    grads = [_grads([o, h, c], [x, *hx, *w], 9) for o, (h, c) in outs]
    for a, b in zip(grads[1], grads[0], strict=True):
        _assert_close(a, b, "gradient")
    # Gradients only through h_n (None for the others) are fine too.
    out, h_n, c_n = LSTMLayerFunction.apply(x, *hx, *w)
    (gx,) = torch.autograd.grad(h_n.sum(), x)
    (rx,) = torch.autograd.grad(lstm_layer(x, hx, *w)[1][0].sum(), x)
    _assert_close(gx, rx, "gradient through h_n only")


# --- errors --------------------------------------------------------------------------


# torch_too: PyTorch's own constructor raises the same exception type there.
@pytest.mark.parametrize("kwargs, error, match, torch_too", [
    ({"input_size": 3.0}, TypeError, "input_size must be an int, got float", True),
    ({"hidden_size": "4"}, TypeError, "hidden_size must be an int, got str", True),
    ({"num_layers": 1.5}, TypeError, "num_layers must be an int, got float", True),
    ({"proj_size": 1.0}, TypeError, "proj_size must be an int, got float", True),
    ({"input_size": 0}, ValueError, "input_size must be greater than zero, got 0", True),
    ({"hidden_size": -2}, ValueError, "hidden_size must be greater than zero, got -2", True),
    ({"num_layers": 0}, ValueError, "num_layers must be greater than zero, got 0", True),
    ({"proj_size": -1}, ValueError, "proj_size must be a size >= 0, got -1", True),
    ({"proj_size": 4}, ValueError, "proj_size has to be smaller than hidden_size.*got proj_size=4",
     True),
    ({"proj_size": 5}, ValueError, "proj_size has to be smaller than hidden_size", True),
    ({"dropout": 1.5}, ValueError, r"dropout should be a number in range \[0, 1\].*1.5", True),
    ({"dropout": -0.1}, ValueError, r"dropout should be a number in range \[0, 1\]", True),
    ({"dropout": True}, ValueError, r"dropout should be a number in range \[0, 1\]", True),
    ({"dropout": "0.5"}, ValueError, r"dropout should be a number in range \[0, 1\]", True),
    ({"bias": 1}, TypeError, "bias must be a bool, got int", True),
    ({"batch_first": None}, TypeError, "batch_first must be a bool, got NoneType",
     True),
    ({"bidirectional": 0}, TypeError, "bidirectional must be a bool, got int", False),
])
def test_constructor_errors(kwargs, error, match, torch_too):
    args = {"input_size": 3, "hidden_size": 4, **kwargs}
    with pytest.raises(error, match=match):
        LSTM(**args)
    if torch_too:
        with pytest.raises(error), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nn.LSTM(**args)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"input_size": 2.5}, TypeError, "input_size must be an int, got float"),
    ({"hidden_size": 0}, ValueError, "hidden_size must be greater than zero, got 0"),
    ({"bias": "yes"}, TypeError, "bias must be a bool, got str"),
])
def test_cell_constructor_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        LSTMCell(**{"input_size": 3, "hidden_size": 4, **kwargs})


def _forward_error_cases():
    m = LSTM(10, 4, num_layers=2)
    mp = LSTM(10, 4, num_layers=2, proj_size=2)
    mb = LSTM(10, 4, batch_first=True)
    packed = pack_padded_sequence(torch.randn(3, 2, 11), [3, 2])
    return [
        (m, (torch.randn(5, 2, 11),), RuntimeError,
         r"input.size\(-1\) must equal input_size: expected 10, got 11"),
        (m, (packed,), RuntimeError,
         r"input.size\(-1\) must equal input_size: expected 10, got 11"),
        (m, (torch.randn(5, 2, 3, 10),), ValueError, "Expected input to be 2D or 3D, got 4D"),
        (m, (torch.randn(10),), ValueError, "Expected input to be 2D or 3D, got 1D"),
        (m, (torch.randn(0, 2, 10),), RuntimeError, "sequence length to be larger than 0"),
        (m, (torch.randn(5, 2, 10, dtype=F64),), ValueError,
         r"input dtype \(torch.float64\) does not match weight dtype \(torch.float32\)"),
        (m, (torch.randn(5, 2, 10), (torch.zeros(2, 3, 4), torch.zeros(2, 2, 4))),
         RuntimeError, r"h_0.*Expected hidden\[0\] size \(2, 2, 4\), got \[2, 3, 4\]"),
        (m, (torch.randn(5, 2, 10), (torch.zeros(2, 2, 4), torch.zeros(1, 2, 4))),
         RuntimeError, r"c_0.*Expected hidden\[1\] size \(2, 2, 4\), got \[1, 2, 4\]"),
        (mp, (torch.randn(5, 2, 10), (torch.zeros(2, 2, 4), torch.zeros(2, 2, 4))),
         RuntimeError, r"Expected hidden\[0\] size \(2, 2, 2\), got \[2, 2, 4\]"),
        (mp, (torch.randn(5, 2, 10), (torch.zeros(2, 2, 2), torch.zeros(2, 2, 2))),
         RuntimeError, r"Expected hidden\[1\] size \(2, 2, 4\), got \[2, 2, 2\]"),
        (mb, (torch.randn(5, 2, 10), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4))),
         RuntimeError, r"Expected hidden\[0\] size \(1, 5, 4\), got \[1, 2, 4\]"),
        (m, (torch.randn(5, 2, 10), (torch.zeros(2, 4), torch.zeros(2, 4))), RuntimeError,
         r"batched 3-D input, h_0 and c_0 should also be 3-D.*got \(2-D, 2-D\)"),
        (m, (torch.randn(5, 10), (torch.zeros(2, 1, 4), torch.zeros(2, 1, 4))), RuntimeError,
         r"unbatched 2-D input, h_0 and c_0 should also be 2-D.*got \(3-D, 3-D\)"),
        (m, (torch.randn(5, 2, 10), (torch.zeros(2, 2, 4, dtype=F64), torch.zeros(2, 2, 4))),
         RuntimeError, r"^LSTM: h_0 must have the same dtype as input: expected torch.float32, "
         r"got torch.float64$"),
        (m, (torch.randn(5, 2, 10), torch.zeros(2, 2, 4)), TypeError,
         r"hx must be a pair of tensors \(h_0, c_0\)"),
        (m, (torch.randn(5, 2, 10, device="meta"),), RuntimeError,
         "^LSTM: input must be on the same device as the parameters: expected cpu, got meta$"),
        (m, (torch.randn(5, 2, 10), (torch.zeros(2, 2, 4, device="meta"),
                                     torch.zeros(2, 2, 4))),
         RuntimeError, "^LSTM: h_0 must be on the same device as input: expected cpu, got meta$"),
        (m, ([[1.0] * 10],), TypeError, "input must be a Tensor or a PackedSequence, got list"),
    ]


@pytest.mark.parametrize("case", range(len(_forward_error_cases())))
def test_forward_errors(case):
    model, args, error, match = _forward_error_cases()[case]
    with pytest.raises(error, match=match):
        model(*args)
    torch_differs = error is TypeError  # torch fails later, with another type, on those
    if isinstance(args[0], torch.Tensor) and args[0].device.type == "cpu" and not torch_differs:
        ref = nn.LSTM(10, 4, num_layers=model.num_layers, batch_first=model.batch_first,
                      proj_size=model.proj_size)
        with pytest.raises(error):  # PyTorch raises the same type
            ref(*args)


@pytest.mark.parametrize("args, error, match", [
    ((torch.randn(2, 3, 4),), ValueError, "Expected input to be 1D or 2D, got 3D"),
    ((torch.randn(2, 4), (torch.zeros(1, 2, 5), torch.zeros(2, 5))), ValueError,
     r"Expected hx\[0\] to be 1D or 2D, got 3D"),
    ((torch.randn(2, 3),), RuntimeError,
     r"input.size\(-1\) must equal input_size: expected 4, got 3"),
    ((torch.randn(2, 4), (torch.zeros(3, 5), torch.zeros(2, 5))), RuntimeError,
     r"hx\[0\] \(h\) must have shape .*expected \(2, 5\), got \(3, 5\)"),
    ((torch.randn(2, 4), (torch.zeros(2, 5), torch.zeros(2, 4))), RuntimeError,
     r"hx\[1\] \(c\) must have shape .*expected \(2, 5\), got \(2, 4\)"),
    ((torch.randn(4), (torch.zeros(2, 5), torch.zeros(2, 5))), RuntimeError,
     r"hx\[0\] \(h\) must have shape .*expected \(5,\), got \(2, 5\)"),
    ((torch.randn(2, 4, dtype=F64),), RuntimeError,
     r"^lstm_cell: input must have the same dtype as weight_ih: expected torch.float32, "
     r"got torch.float64$"),
    ((torch.randn(2, 4), (torch.zeros(2, 5, dtype=F64), torch.zeros(2, 5))), RuntimeError,
     r"^lstm_cell: hx\[0\] must have the same dtype as input: expected torch.float32, "
     r"got torch.float64$"),
    ((torch.randn(2, 4, device="meta"),), RuntimeError,
     r"^lstm_cell: input must be on the same device as weight_ih: expected cpu, got meta$"),
    ((torch.randn(2, 4), (torch.zeros(2, 5, device="meta"), torch.zeros(2, 5))), RuntimeError,
     r"^lstm_cell: hx\[0\] must be on the same device as input: expected cpu, got meta$"),
])
def test_cell_forward_errors(args, error, match):
    with pytest.raises(error, match=match):
        LSTMCell(4, 5)(*args)
    with pytest.raises(error):  # PyTorch raises the same type
        nn.LSTMCell(4, 5)(*args)


def test_lstm_cell_function_errors():
    w_ih, w_hh = torch.randn(8, 3), torch.randn(8, 2)
    hx = (torch.zeros(4, 2), torch.zeros(4, 2))
    with pytest.raises(RuntimeError, match=r"expected 3, got 4"):
        lstm_cell(torch.randn(4, 4), hx, w_ih, w_hh)
    with pytest.raises(RuntimeError, match=r"input must have the same dtype as weight_ih"):
        lstm_cell(torch.randn(4, 3, dtype=F64), hx, w_ih, w_hh)
    with pytest.raises(TypeError, match="pair of tensors"):
        lstm_cell(torch.randn(4, 3), None, w_ih, w_hh)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("use_bptt", [True, False])
def test_cuda_matches_cpu(use_bptt):
    torch.manual_seed(0)
    kwargs = dict(num_layers=2, bidirectional=True, proj_size=2, dtype=F64)
    cpu = LSTM(3, 6, **kwargs)
    gpu = LSTM(3, 6, **kwargs, device="cuda")
    gpu.load_state_dict(cpu.state_dict())
    cpu.use_bptt = gpu.use_bptt = use_bptt
    assert all(p.is_cuda for p in gpu.parameters())
    x = torch.randn(7, 4, 3, dtype=F64, requires_grad=True)
    xg = x.detach().cuda().requires_grad_()
    for inputs in ((x, xg), (pack_padded_sequence(x, [7, 3, 5, 1], enforce_sorted=False),
                            pack_padded_sequence(xg, [7, 3, 5, 1], enforce_sorted=False))):
        (out, (h, c)), (out_g, (h_g, c_g)) = cpu(inputs[0]), gpu(inputs[1])
        if isinstance(out, torch.Tensor):
            o, o_g = out, out_g
        else:
            o, o_g = out.data, out_g.data
        assert o_g.is_cuda and h_g.is_cuda and c_g.is_cuda
        for a, b in ((o_g, o), (h_g, h), (c_g, c)):
            _assert_close(a.cpu(), b, "CUDA value")
        ga = _grads([o, h, c], [x, *cpu.parameters()], 4)
        gb = _grads([o_g.cpu(), h_g.cpu(), c_g.cpu()], [xg, *gpu.parameters()], 4)
        for a, b in zip(gb, ga, strict=True):
            _assert_close(a.cpu(), b, "CUDA gradient")
    cell = LSTMCell(3, 4, device="cuda")
    h1, c1 = cell(torch.randn(5, 3, device="cuda"))
    assert h1.is_cuda and h1.shape == (5, 4)
    with pytest.raises(RuntimeError, match="input must be on the same device as the parameters: "
                       "expected cuda:0, got cpu"):
        gpu(x.detach())
    with pytest.raises(RuntimeError, match="h_0 must be on the same device as input: "
                       "expected cuda:0, got cpu"):
        gpu(xg, (torch.zeros(4, 4, 2, dtype=F64), torch.zeros(4, 4, 6, dtype=F64)))


@pytest.mark.parametrize("which", ["ih", "hh"])
def test_lstm_cell_accepts_one_bias_like_torch(which):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, generator=g, dtype=torch.float64)
    h, c = (torch.randn(2, 4, generator=g, dtype=torch.float64) for _ in range(2))
    w_ih = torch.randn(16, 3, generator=g, dtype=torch.float64)
    w_hh = torch.randn(16, 4, generator=g, dtype=torch.float64)
    b = torch.randn(16, generator=g, dtype=torch.float64)
    biases = (b, None) if which == "ih" else (None, b)
    ours = lstm_cell(x, (h, c), w_ih, w_hh, *biases)
    theirs = torch.lstm_cell(x, (h, c), w_ih, w_hh, *biases)
    for a, t in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, t, rtol=1e-12, atol=1e-12)


# Bias combinations: torch.lstm_cell accepts each bias alone (or neither). torch's layer-level
# kernel (torch._VF.lstm) takes both or neither (a has_biases flag), so it cannot say what a
# layer with one bias should do; ours are loops of that cell and accept what the cell accepts.
@pytest.mark.parametrize("which", ["both", "ih", "hh", "none"])
@given(L=st.integers(1, 4), N=st.integers(1, 3), h_in=st.integers(1, 3), H=st.integers(1, 3),
       seed=st.integers(0, 2**16))
@settings(max_examples=10, deadline=None)
def test_layers_accept_the_bias_combinations_of_torch_lstm_cell(which, L, N, h_in, H, seed):
    g = torch.Generator().manual_seed(seed)

    def rand(*shape):
        return torch.randn(*shape, generator=g, dtype=F64).requires_grad_()

    x, h0, c0 = rand(L, N, h_in), rand(N, H), rand(N, H)
    w_ih, w_hh = rand(4 * H, h_in), rand(4 * H, H)
    b_ih = rand(4 * H) if which in ("both", "ih") else None
    b_hh = rand(4 * H) if which in ("both", "hh") else None
    leaves = [t for t in (x, h0, c0, w_ih, w_hh, b_ih, b_hh) if t is not None]

    h, c, outs = h0, c0, []  # the reference: torch's own cell, step by step
    for x_t in x.unbind(0):
        h, c = torch.lstm_cell(x_t, (h, c), w_ih, w_hh, b_ih, b_hh)
        outs.append(h)
    expected = (torch.stack(outs), h, c)
    sizes = torch.full((L,), N)
    runs = {
        "lstm_layer": lambda: lstm_layer(x, (h0, c0), w_ih, w_hh, b_ih, b_hh),
        "lstm_layer_bptt": lambda: lstm_layer_bptt(x, (h0, c0), w_ih, w_hh, b_ih, b_hh),
        "lstm_layer_packed": lambda: (lambda o, hc: (o.view(L, N, H), hc))(
            *lstm_layer_packed(x.reshape(L * N, h_in), sizes, (h0, c0), w_ih, w_hh, b_ih, b_hh)
        ),
    }
    want = _grads(expected, leaves, seed)
    for name, run in runs.items():
        out, (h_n, c_n) = run()
        for a, b in zip((out, h_n, c_n), expected, strict=True):
            _assert_close(a, b, f"{name} with bias {which}: value")
        got = _grads((out, h_n, c_n), leaves, seed)
        for a, b in zip(got, want, strict=True):
            _assert_close(a, b, f"{name} with bias {which}: gradient")
