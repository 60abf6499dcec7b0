"""lstm_helpers.init: the bound, the schemes and the statistics, against PyTorch's behaviour."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from torch import nn

from lstm_helpers import init as lstm_init
from lstm_helpers import lstm as ours

SETTINGS = settings(max_examples=40, deadline=None)


def lstm_factories():
    return {
        "nn.LSTM": nn.LSTM,
        "ours.LSTM": ours.LSTM,
        "nn.LSTMCell": nn.LSTMCell,
        "ours.LSTMCell": ours.LSTMCell,
    }


FACTORIES = lstm_factories()
LAYER_KINDS = ["nn.LSTM", "ours.LSTM"]


@st.composite
def lstm_configs(draw, cell=None):
    """A random LSTM: kind, and constructor kwargs."""
    kind = draw(st.sampled_from(sorted(FACTORIES)) if cell is None else st.just(cell))
    hidden = draw(st.integers(1, 12))
    kwargs = dict(input_size=draw(st.integers(1, 6)), hidden_size=hidden,
                  bias=draw(st.booleans()))
    if "Cell" not in kind:
        kwargs.update(
            num_layers=draw(st.integers(1, 3)),
            bidirectional=draw(st.booleans()),
            batch_first=draw(st.booleans()),
        )
        if hidden > 1 and draw(st.booleans()):
            kwargs["proj_size"] = draw(st.integers(1, hidden - 1))
    return kind, kwargs


def build(kind, kwargs, seed=0):
    torch.manual_seed(seed)
    return FACTORIES[kind](**kwargs)


def snapshot(module):
    return {n: p.detach().clone() for n, p in module.named_parameters()}


# --- the bound ---------------------------------------------------------------------------


@pytest.mark.parametrize("hidden_size", [1, 4, 20, 51, 64, 100, 1024])
def test_uniform_bound_is_one_over_sqrt_hidden_size(hidden_size):
    expected = 1 / math.sqrt(hidden_size)
    assert lstm_init.uniform_bound(hidden_size) == pytest.approx(expected, rel=1e-15)


def test_uniform_bound_rejects_bad_sizes():
    for bad in (0, -1, -64):
        with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
            lstm_init.uniform_bound(bad)
    for bad in (64.0, "64", True, None):
        with pytest.raises(TypeError, match="hidden_size must be an int"):
            lstm_init.uniform_bound(bad)


@SETTINGS
@given(a=st.floats(0, 1e3))
def test_uniform_variance_is_a_squared_over_three(a):
    assert lstm_init.uniform_variance(a) == pytest.approx(a * a / 3)


def test_uniform_variance_matches_scipy_and_samples():
    for a in (0.05, 0.125, 2.0):
        assert lstm_init.uniform_variance(a) == pytest.approx(stats.uniform(-a, 2 * a).var())
    g = torch.Generator().manual_seed(0)
    x = torch.empty(200_000, dtype=torch.float64).uniform_(-0.3, 0.3, generator=g)
    assert x.var().item() == pytest.approx(lstm_init.uniform_variance(0.3), rel=0.01)
    with pytest.raises(ValueError):
        lstm_init.uniform_variance(-1.0)


def test_gate_slice_follows_pytorch_order():
    assert lstm_init.gate_slice("i", 5) == slice(0, 5)
    assert lstm_init.gate_slice("f", 5) == slice(5, 10)
    assert lstm_init.gate_slice("g", 5) == slice(10, 15)
    assert lstm_init.gate_slice("o", 5) == slice(15, 20)
    with pytest.raises(ValueError, match="gate must be one of"):
        lstm_init.gate_slice("c", 5)


# --- PyTorch's own initialisation, as the chapter describes it ------------------------------


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_fresh_modules_follow_the_documented_uniform(kind):
    kwargs = dict(input_size=30, hidden_size=64)
    if "Cell" not in kind:
        kwargs.update(num_layers=2, bidirectional=True)
    module = build(kind, kwargs, seed=0)
    a = 1 / math.sqrt(64)
    for name, p in module.named_parameters():
        assert p.abs().max().item() <= a, name
    values = lstm_init.flat_weights(module).double()
    assert values.abs().max().item() > 0.999 * a  # the bound is reached, not a smaller one
    n = values.numel()
    assert abs(values.mean().item()) < 4 * math.sqrt(a * a / 3 / n)
    assert values.var().item() == pytest.approx(a * a / 3, rel=0.03)
    stat, p = lstm_init.uniform_ks_test(values, a)
    assert p > 0.001, (stat, p)
    # the test has power: a different bound is rejected
    assert lstm_init.uniform_ks_test(values, 1 / math.sqrt(4 * 64))[1] < 1e-6
    assert lstm_init.uniform_ks_test(values, 1 / math.sqrt(30))[1] < 1e-6


@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_projection_weights_use_hidden_size_not_proj_size(kind):
    module = build(kind, dict(input_size=10, hidden_size=64, proj_size=16), seed=1)
    w_hr = module.weight_hr_l0.detach()
    a = 1 / math.sqrt(64)
    assert w_hr.abs().max().item() <= a
    assert w_hr.abs().max().item() > 0.95 * a  # the bound is reached: it is 1/sqrt(64)
    assert lstm_init.uniform_ks_test(w_hr, a)[1] > 0.001
    assert lstm_init.uniform_ks_test(w_hr, 1 / math.sqrt(16))[1] < 1e-6


def test_uniform_ks_test_is_scipys_kstest():
    g = torch.Generator().manual_seed(3)
    x = torch.empty(500).uniform_(-0.2, 0.2, generator=g)
    stat, p = lstm_init.uniform_ks_test(x, 0.2)
    ref = stats.kstest(x.double().numpy(), "uniform", args=(-0.2, 0.4))
    assert stat == pytest.approx(ref.statistic) and p == pytest.approx(ref.pvalue)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError):
            lstm_init.uniform_ks_test(x, bad)


def test_weight_stats_rows():
    module = build("nn.LSTM", dict(input_size=7, hidden_size=16, proj_size=4), seed=2)
    rows = lstm_init.weight_stats(module)
    names = [n for n, _ in module.named_parameters()]
    assert [r.name for r in rows] == [*names, "all"]
    for r, p in zip(rows, module.parameters(), strict=False):
        assert r.numel == p.numel()
        assert r.bound == pytest.approx(0.25)
        assert r.expected_var == pytest.approx(0.25**2 / 3)
        assert r.min == pytest.approx(p.min().item()) and r.max == pytest.approx(p.max().item())
        assert r.var == pytest.approx(p.double().var(unbiased=False).item())
    assert rows[-1].numel == sum(p.numel() for p in module.parameters())
    assert len(lstm_init.weight_stats(module, pooled=False)) == len(names)


# --- recognising an LSTM ------------------------------------------------------------------


@SETTINGS
@given(config=lstm_configs())
def test_layout_reads_the_module(config):
    kind, kwargs = config
    module = build(kind, kwargs)
    layout = lstm_init.lstm_layout(module)
    assert layout.hidden_size == kwargs["hidden_size"]
    assert layout.input_size == kwargs["input_size"]
    assert layout.bias == kwargs["bias"]
    assert layout.is_cell == ("Cell" in kind)
    assert layout.names == tuple(n for n, _ in module.named_parameters())
    if not layout.is_cell:
        assert layout.num_layers == kwargs["num_layers"]
        assert layout.num_directions == (2 if kwargs["bidirectional"] else 1)
        assert layout.proj_size == kwargs.get("proj_size", 0)
        assert layout.batch_first == kwargs["batch_first"]


@pytest.mark.parametrize(
    "module",
    [nn.Linear(3, 4), nn.GRU(3, 4), nn.RNN(3, 4), nn.GRUCell(3, 8), nn.RNNCell(3, 4),
     nn.Sequential(nn.LSTM(3, 4)), "LSTM", None, torch.zeros(16, 3)],
    ids=lambda m: type(m).__name__,
)
def test_non_lstms_are_rejected(module):
    with pytest.raises(TypeError, match="expected an LSTM-like module"):
        lstm_init.lstm_layout(module)
    with pytest.raises(TypeError, match="expected an LSTM-like module"):
        lstm_init.init_lstm_(module)
    assert not lstm_init.is_lstm(module)


def test_gru_is_named_as_such():
    with pytest.raises(TypeError, match="4 gate blocks"):
        lstm_init.lstm_layout(nn.GRU(3, 20))


def test_zero_hidden_size_cell_is_rejected():
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        lstm_init.init_lstm_(nn.LSTMCell(3, 0))


# --- the schemes --------------------------------------------------------------------------


def test_unknown_scheme_lists_the_valid_ones():
    with pytest.raises(ValueError) as err:
        lstm_init.init_lstm_(nn.LSTM(2, 3), "kaiming")
    for name in lstm_init.SCHEMES:
        assert name in str(err.value)
    with pytest.raises(ValueError, match="unknown scheme"):
        lstm_init.init_lstm_(nn.LSTM(2, 3), None)


def test_factor_rules():
    m = nn.LSTM(2, 3)
    with pytest.raises(ValueError, match="needs a factor"):
        lstm_init.init_lstm_(m, "scaled")
    with pytest.raises(ValueError, match="only applies"):
        lstm_init.init_lstm_(m, "pytorch", factor=2.0)
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="factor"):
            lstm_init.init_lstm_(m, "scaled", factor=bad)
    with pytest.raises(TypeError, match="factor"):
        lstm_init.init_lstm_(m, "scaled", factor="2")
    with pytest.raises(TypeError, match="generator"):
        lstm_init.init_lstm_(m, generator=0)


@SETTINGS
@given(config=lstm_configs(), seed=st.integers(0, 2**31 - 1))
def test_pytorch_scheme_is_reset_parameters_bit_for_bit(config, seed):
    kind, kwargs = config
    module = build(kind, kwargs)
    torch.manual_seed(seed)
    module.reset_parameters()
    expected = snapshot(module)
    torch.manual_seed(seed)
    assert lstm_init.init_lstm_(module, "pytorch") is module
    for n, p in module.named_parameters():
        assert torch.equal(p, expected[n]), n


@SETTINGS
@given(config=lstm_configs(), factor=st.floats(0.01, 20))
def test_scaled_bound(config, factor):
    kind, kwargs = config
    module = build(kind, kwargs)
    g = torch.Generator().manual_seed(0)
    lstm_init.init_lstm_(module, "scaled", factor=factor, generator=g)
    a = factor / math.sqrt(kwargs["hidden_size"])
    for n, p in module.named_parameters():
        assert p.abs().max().item() <= a * (1 + 1e-6), n
    reference = build(kind, kwargs)
    lstm_init.scaled_init_(reference, 1.0, generator=torch.Generator().manual_seed(0))
    for (n, p), (_, q) in zip(module.named_parameters(), reference.named_parameters(),
                              strict=True):
        torch.testing.assert_close(p, q * factor, msg=n)  # same draws, scaled


def test_scaled_distribution():
    module = nn.LSTM(16, 32, num_layers=2)
    lstm_init.init_lstm_(module, "scaled", factor=3.0, generator=torch.Generator().manual_seed(5))
    a = 3.0 / math.sqrt(32)
    values = lstm_init.flat_weights(module).double()
    assert values.var().item() == pytest.approx(a * a / 3, rel=0.03)
    assert lstm_init.uniform_ks_test(values, a)[1] > 0.001


def test_generator_makes_it_reproducible_and_leaves_global_state():
    for scheme in ("pytorch", "xavier", "orthogonal", "forget_bias"):
        a, b = nn.LSTM(4, 6, num_layers=2), nn.LSTM(4, 6, num_layers=2)
        state = torch.random.get_rng_state()
        lstm_init.init_lstm_(a, scheme, generator=torch.Generator().manual_seed(7))
        assert torch.equal(state, torch.random.get_rng_state()), scheme
        lstm_init.init_lstm_(b, scheme, generator=torch.Generator().manual_seed(7))
        for (n, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
            assert torch.equal(p, q), (scheme, n)


@SETTINGS
@given(config=lstm_configs())
def test_xavier_per_gate_block(config):
    kind, kwargs = config
    module = build(kind, kwargs)
    lstm_init.init_lstm_(module, "xavier", generator=torch.Generator().manual_seed(1))
    H = kwargs["hidden_size"]
    for n, p in module.named_parameters():
        if n.startswith("bias"):
            assert torch.count_nonzero(p) == 0, n
        elif n.startswith("weight_hr"):
            assert p.abs().max() <= math.sqrt(6 / sum(p.shape)) * (1 + 1e-6), n
        else:
            for block in p.split(H):
                b = math.sqrt(6 / (block.shape[1] + H))
                assert block.abs().max() <= b * (1 + 1e-6), n


def test_xavier_distribution_per_block():
    module = nn.LSTM(24, 48)
    lstm_init.init_lstm_(module, "xavier", generator=torch.Generator().manual_seed(2))
    for name, fan_in in (("weight_ih_l0", 24), ("weight_hh_l0", 48)):
        b = math.sqrt(6 / (fan_in + 48))
        w = getattr(module, name).detach()
        normalised = w / b  # U(-1, 1) if each block uses its own fans
        assert lstm_init.uniform_ks_test(normalised, 1.0)[1] > 0.001
        # the stacked matrix's fans (4H rows) would give a smaller bound: rejected
        assert w.abs().max() > math.sqrt(6 / (fan_in + 4 * 48))


@SETTINGS
@given(config=lstm_configs())
def test_orthogonal_per_gate_block(config):
    kind, kwargs = config
    module = build(kind, kwargs)
    lstm_init.init_lstm_(module, "orthogonal", generator=torch.Generator().manual_seed(3))
    H = kwargs["hidden_size"]
    for n, p in module.named_parameters():
        w = p.detach().double()
        if n.startswith("bias"):
            assert torch.count_nonzero(w) == 0, n
        elif n.startswith("weight_hh"):
            for block in w.split(H):  # (H, H_out), H_out <= H: orthonormal columns
                eye = torch.eye(block.shape[1], dtype=torch.float64)
                torch.testing.assert_close(block.T @ block, eye, atol=1e-5, rtol=0)
        elif n.startswith("weight_hr"):  # (P, H), P < H: orthonormal rows
            torch.testing.assert_close(w @ w.T, torch.eye(w.shape[0], dtype=torch.float64),
                                       atol=1e-5, rtol=0)
        else:
            for block in w.split(H):
                assert block.abs().max() <= math.sqrt(6 / (block.shape[1] + H)) * (1 + 1e-6)


def test_orthogonal_is_per_block_not_whole_matrix():
    module = nn.LSTM(8, 8)
    lstm_init.init_lstm_(module, "orthogonal", generator=torch.Generator().manual_seed(0))
    w = module.weight_hh_l0.detach().double()  # (32, 8)
    # whole-matrix orthogonal_ would give w.T @ w = I; per block gives 4 I
    torch.testing.assert_close(w.T @ w, 4 * torch.eye(8, dtype=torch.float64), atol=1e-5,
                               rtol=0)


@SETTINGS
@given(config=lstm_configs(), seed=st.integers(0, 1000))
def test_forget_bias_touches_exactly_rows_h_to_2h(config, seed):
    kind, kwargs = config
    module = build(kind, kwargs)
    reference = build(kind, kwargs)
    if not kwargs["bias"]:
        with pytest.raises(ValueError, match="no biases"):
            lstm_init.init_lstm_(module, "forget_bias")
        return
    lstm_init.init_lstm_(module, "forget_bias", generator=torch.Generator().manual_seed(seed))
    lstm_init.init_lstm_(reference, "pytorch", generator=torch.Generator().manual_seed(seed))
    H = kwargs["hidden_size"]
    f = slice(H, 2 * H)
    for (n, p), (_, q) in zip(module.named_parameters(), reference.named_parameters(),
                              strict=True):
        if n.startswith("bias_ih"):
            assert torch.all(p[f] == 1), n
        elif n.startswith("bias_hh"):
            assert torch.all(p[f] == 0), n
        if n.startswith("bias"):
            keep = torch.ones(4 * H, dtype=torch.bool)
            keep[f] = False
            assert torch.equal(p[keep], q[keep]), n
        else:
            assert torch.equal(p, q), n


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("split", ["ih", "hh", "half"])
def test_set_forget_bias_splits_and_sums(kind, split):
    kwargs = dict(input_size=3, hidden_size=5)
    if "Cell" not in kind:
        kwargs.update(num_layers=2, bidirectional=True)
    module = build(kind, kwargs, seed=4)
    before = snapshot(module)
    lstm_init.set_forget_bias_(module, 2.5, split=split)
    layout = lstm_init.lstm_layout(module)
    for sfx in layout.suffixes():
        b_ih, b_hh = getattr(module, "bias_ih" + sfx), getattr(module, "bias_hh" + sfx)
        torch.testing.assert_close(b_ih[5:10] + b_hh[5:10], torch.full((5,), 2.5))
        expected_ih = {"ih": 2.5, "hh": 0.0, "half": 1.25}[split]
        assert torch.all(b_ih[5:10] == expected_ih)
        for name, p in (("bias_ih" + sfx, b_ih), ("bias_hh" + sfx, b_hh)):
            assert torch.equal(p[:5], before[name][:5]) and torch.equal(p[10:], before[name][10:])
    with pytest.raises(ValueError, match="split"):
        lstm_init.set_forget_bias_(module, 1.0, split="both")


# --- statistics of the forward pass ----------------------------------------------------------


def _module_output(module, x):
    layout = lstm_init.lstm_layout(module)
    if layout.is_cell:
        hx = None
        hs = []
        for x_t in x.unbind(0):
            hx = module(x_t, hx)
            hs.append(hx[0])
        return torch.stack(hs)
    return module(x)[0]


@SETTINGS
@given(config=lstm_configs(), seq_len=st.integers(1, 6), batch=st.integers(1, 3))
def test_gate_trace_reproduces_the_module_output(config, seq_len, batch):
    kind, kwargs = config
    module = build(kind, kwargs).double()
    layout = lstm_init.lstm_layout(module)
    x = torch.randn(seq_len, batch, kwargs["input_size"], dtype=torch.float64)
    module_in = x.transpose(0, 1) if layout.batch_first and not layout.is_cell else x
    expected = _module_output(module, module_in)
    if layout.batch_first and not layout.is_cell:
        expected = expected.transpose(0, 1)
    traces = lstm_init.gate_trace(module, module_in)
    D = 1 if layout.is_cell else layout.num_directions
    assert len(traces) == (1 if layout.is_cell else layout.num_layers) * D
    top = torch.cat([t.h for t in traces[-D:]], dim=-1)
    torch.testing.assert_close(top, expected, atol=1e-12, rtol=0)
    for t in traces:
        assert t.z.shape == (seq_len, batch, 4 * kwargs["hidden_size"])
        acts = t.activations()
        shape = (seq_len, batch, kwargs["hidden_size"])
        assert all(acts[k].shape == shape for k in lstm_init.GATES)


def test_gate_trace_unbatched_and_bad_input():
    module = nn.LSTM(3, 4)
    x = torch.randn(5, 3)
    traces = lstm_init.gate_trace(module, x)
    torch.testing.assert_close(traces[0].h[:, 0], module(x)[0])
    with pytest.raises(ValueError, match="input.size\\(-1\\) must equal input_size"):
        lstm_init.gate_trace(module, torch.randn(5, 2, 4))
    with pytest.raises(ValueError, match="sequence"):
        lstm_init.gate_trace(module, torch.randn(3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        lstm_init.gate_trace(module, [[1.0, 2.0, 3.0]])


def test_saturation_counts_what_it_says():
    module = nn.LSTM(1, 2)
    with torch.no_grad():
        for p in module.parameters():
            p.zero_()
        # constant pre-activations: i = sigmoid(10) (saturated), f = sigmoid(0) (not),
        # g = tanh(-3) (saturated), o = sigmoid(-1) (not)
        module.bias_ih_l0.copy_(torch.tensor([10.0, 10.0, 0.0, 0.0, -3.0, -3.0, -1.0, -1.0]))
    s = lstm_init.saturation(module, torch.randn(7, 2, 1))
    assert s == {"i": 1.0, "f": 0.0, "g": 1.0, "o": 0.0, "all": 0.5}
    per_step = lstm_init.saturation(module, torch.randn(7, 2, 1), per_step=True)
    assert per_step["all"].shape == (7,)
    with pytest.raises(ValueError, match="tol"):
        lstm_init.saturation(module, torch.randn(7, 2, 1), tol=0.6)
    # tol decides: sigmoid(-1) = 0.27 is within 0.3 of 0
    assert lstm_init.saturation(module, torch.randn(3, 1, 1), tol=0.3)["o"] == 1.0


def test_saturation_grows_with_the_scale():
    x = lstm_init.probe_input(16, 30, 8)
    sweep = lstm_init.saturation_sweep([0.1, 1.0, 4.0, 16.0], input_size=16, hidden_size=32,
                               seq_len=30, batch_size=8)
    assert sweep["all"][0] == 0.0
    assert sweep["all"] == sorted(sweep["all"])
    assert sweep["all"][-1] > 0.5
    for kind in sorted(FACTORIES):
        kwargs = dict(input_size=16, hidden_size=32)
        m = build(kind, kwargs)
        lstm_init.init_lstm_(m, "scaled", factor=16.0, generator=torch.Generator().manual_seed(0))
        assert lstm_init.saturation(m, x)["all"] > 0.5, kind


def test_preactivation_variance_theory_matches_measurement():
    for input_size, hidden_size, factor in ((8, 32, 1.0), (64, 16, 1.0), (20, 20, 3.0)):
        x = torch.randn(1, 64, input_size, generator=torch.Generator().manual_seed(1))
        zs = []
        for seed in range(20):
            m = nn.LSTM(input_size, hidden_size)
            gen = torch.Generator().manual_seed(seed)
            lstm_init.init_lstm_(m, "scaled", factor=factor, generator=gen)
            zs.append(lstm_init.gate_trace(m, x)[0].z[0].flatten())  # first step: h = 0
        z = torch.cat(zs).double()
        theory = lstm_init.preactivation_variance(input_size, hidden_size, factor=factor,
                                          input_var=x.double().pow(2).mean().item())
        assert z.var().item() == pytest.approx(theory, rel=0.1), (input_size, hidden_size)
    # the recurrent term: factor 1 gives E[h^2]/3 whatever H is
    for H in (4, 64, 1024):
        only_h = lstm_init.preactivation_variance(1, H, input_var=0.0, hidden_var=1.0, bias=False)
        assert only_h == pytest.approx(1 / 3)
    assert lstm_init.preactivation_variance(4, 8, proj_size=2, input_var=0, hidden_var=1,
                                    bias=False) == pytest.approx(2 / 24)
    with pytest.raises(ValueError):
        lstm_init.preactivation_variance(0, 8)


def test_gradient_norms_match_autograd():
    torch.manual_seed(0)
    module = nn.LSTM(3, 5, num_layers=2)
    x = torch.randn(9, 4, 3)
    norms = lstm_init.gradient_norms_through_time(module, x)
    xr = x.clone().requires_grad_(True)
    module(xr)[0][-1].sum().backward()
    expected = xr.grad.double().norm(dim=-1).mean(dim=1)
    torch.testing.assert_close(norms, expected)
    assert norms.shape == (9,) and norms.dtype == torch.float64


@pytest.mark.parametrize("pair", [("nn.LSTMCell", "nn.LSTM"), ("ours.LSTMCell", "ours.LSTM")])
def test_gradient_norms_cell_equals_layer(pair):
    cell = build(pair[0], dict(input_size=3, hidden_size=6), seed=3)
    layer = build(pair[1], dict(input_size=3, hidden_size=6), seed=4)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(layer, name + "_l0").copy_(getattr(cell, name))
    x = torch.randn(12, 2, 3)
    torch.testing.assert_close(lstm_init.gradient_norms_through_time(cell, x),
                               lstm_init.gradient_norms_through_time(layer, x),
                               atol=1e-6, rtol=1e-4)


def test_gradient_vanishes_faster_with_a_small_scale():
    x = lstm_init.probe_input(8, 40, 4)
    small = lstm_init.make_lstm(8, 16, "scaled", factor=0.25)
    default = lstm_init.make_lstm(8, 16, "pytorch")
    forget = lstm_init.make_lstm(8, 16, "forget_bias")
    g_small, g_default, g_forget = (lstm_init.gradient_norms_through_time(m, x)
                                    for m in (small, default, forget))
    assert g_small[0] < g_default[0] < g_forget[0]
    assert g_default[0] < 1e-3 * g_default[-1]  # it vanishes going back in time


@pytest.mark.parametrize("gate", ["i", "f", "g", "o"])
@pytest.mark.parametrize("split", ["ih", "hh", "half"])
def test_set_gate_bias_sets_one_gate_total(gate, split):
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    before = {k: v.detach().clone() for k, v in lstm.named_parameters()}
    lstm_init.set_gate_bias_(lstm, gate, -3.0, split=split)
    rows = lstm_init.gate_slice(gate, 4)
    for name, p in lstm.named_parameters():
        if name.startswith("bias_ih"):
            other = name.replace("bias_ih", "bias_hh")
            total = p[rows] + dict(lstm.named_parameters())[other][rows]
            torch.testing.assert_close(total.detach(), torch.full((4,), -3.0))
        keep = torch.ones(16, dtype=torch.bool) if "bias" in name else None
        if keep is not None:
            keep[rows] = False
            assert torch.equal(p.detach()[keep], before[name][keep]), name
        else:
            assert torch.equal(p.detach(), before[name]), name


def test_set_gate_bias_rejects_bad_arguments():
    lstm = nn.LSTM(2, 3)
    with pytest.raises(ValueError, match="gate must be one of"):
        lstm_init.set_gate_bias_(lstm, "x", 1.0)
    with pytest.raises(ValueError, match="no biases"):
        lstm_init.set_gate_bias_(nn.LSTM(2, 3, bias=False), "i", 1.0)
    forget = lstm_init.set_forget_bias_(nn.LSTM(2, 3), 2.0)
    torch.testing.assert_close((forget.bias_ih_l0 + forget.bias_hh_l0)[3:6].detach(),
                               torch.full((3,), 2.0))
