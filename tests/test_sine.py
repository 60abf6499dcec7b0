"""The sine-wave package against the official pytorch/examples code (written out here)."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from lstm_helpers.sine import (
    DATA_DIR,
    FAITHFUL,
    FAST,
    Sequence,
    build,
    cli,
    fused_parameters,
    generate_sine_waves,
    load_record,
    make_closure,
    split_sine_data,
    train,
)
from lstm_helpers.sine.cli import main, parse_args

ROOT = Path(__file__).resolve().parent.parent
#: FAST on a small slice of the training set, to keep these tests quick (same model and test set)
SMALL = replace(FAST, name="small", train_rows=8, train_length=100, future=100)


def official_data(T=20, L=1000, N=100, seed=2):
    """generate_sine_wave.py, as published (global seed, then randint), in memory."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        x = np.empty((N, L), "int64")
        x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
        return np.sin(x / 1.0 / T).astype("float64")
    finally:
        np.random.set_state(state)


class OfficialSequence(nn.Module):
    """The model of train.py, as published (float64 zeros, CPU)."""

    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTMCell(1, 51)
        self.lstm2 = nn.LSTMCell(51, 51)
        self.linear = nn.Linear(51, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), 51, dtype=torch.double)
        c_t = torch.zeros(input.size(0), 51, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), 51, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), 51, dtype=torch.double)
        for input_t in input.chunk(input.size(1), dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for _ in range(future):
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        outputs = torch.stack(outputs, 1).squeeze(2)
        return outputs


# ---------------------------------------------------------------- data


def test_default_data_equals_official_bit_for_bit():
    data = generate_sine_waves()
    want = official_data()
    assert data.dtype == np.float64 and data.shape == (100, 1000)
    assert np.array_equal(data, want)


@settings(max_examples=40, deadline=None)
@given(T=st.integers(1, 60), L=st.integers(1, 300), N=st.integers(1, 40),
       seed=st.integers(0, 2**32 - 1))
def test_data_equals_official_recipe(T, L, N, seed):
    assert np.array_equal(generate_sine_waves(T=T, L=L, N=N, seed=seed),
                          official_data(T=T, L=L, N=N, seed=seed))


def test_data_leaves_numpy_global_state_alone():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    generate_sine_waves()
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("bad", [0, -1])
def test_data_rejects_non_positive_sizes(bad):
    for name in ("T", "L", "N"):
        with pytest.raises(ValueError, match=name):
            generate_sine_waves(**{name: bad})
    with pytest.raises(TypeError, match="T"):
        generate_sine_waves(T=2.5)


def test_split_is_the_official_split():
    data = generate_sine_waves()
    s = split_sine_data(data)
    assert torch.equal(s.input, torch.from_numpy(data[3:, :-1]))
    assert torch.equal(s.target, torch.from_numpy(data[3:, 1:]))
    assert torch.equal(s.test_input, torch.from_numpy(data[:3, :-1]))
    assert torch.equal(s.test_target, torch.from_numpy(data[:3, 1:]))
    r = split_sine_data(data, train_rows=10, train_length=50, dtype=torch.float32)
    assert r.input.shape == (10, 50) and r.input.dtype == torch.float32
    assert torch.equal(r.target[:, :-1], r.input[:, 1:])
    assert r.test_input.shape == (3, 999)  # the test set keeps its full length
    with pytest.raises(ValueError, match="train_length"):
        split_sine_data(data, train_length=1000)
    with pytest.raises(ValueError, match="test_rows"):
        split_sine_data(data, test_rows=100)
    with pytest.raises(ValueError, match="2 dimensions"):
        split_sine_data(data[0])


# ---------------------------------------------------------------- model


def _pair(seed=0, **kwargs):
    torch.manual_seed(seed)
    official = OfficialSequence().double()
    ours = Sequence(dtype=torch.float64, **kwargs)
    ours.load_state_dict(official.state_dict())
    return official, ours


def test_same_initial_weights_as_official_with_the_same_seed():
    torch.manual_seed(0)
    official = OfficialSequence()
    official.double()
    torch.manual_seed(0)
    ours = Sequence(dtype=torch.float64)
    assert list(ours.state_dict()) == list(official.state_dict())
    for (name, a), b in zip(ours.state_dict().items(), official.state_dict().values(),
                            strict=True):
        assert torch.equal(a, b), name


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), length=st.integers(1, 40), future=st.integers(0, 30),
       seed=st.integers(0, 10_000))
def test_sequence_equals_official_model(n, length, future, seed):
    official, ours = _pair(seed)
    x = torch.randn(n, length, dtype=torch.float64)
    want = official(x, future=future)
    got = ours(x, future=future)
    assert got.shape == (n, length + future)
    assert torch.equal(got, want)
    # and the gradients
    ga = torch.autograd.grad(want.square().sum(), list(official.parameters()))
    gb = torch.autograd.grad(got.square().sum(), list(ours.parameters()))
    for a, b in zip(ga, gb, strict=True):
        assert torch.equal(a, b)


def test_state_dict_goes_both_ways():
    torch.manual_seed(5)
    ours = Sequence(dtype=torch.float64)
    official = OfficialSequence().double()
    official.load_state_dict(ours.state_dict())
    back = Sequence(dtype=torch.float64)
    back.load_state_dict(official.state_dict())
    x = torch.randn(2, 17, dtype=torch.float64)
    assert torch.equal(official(x, future=9), back(x, future=9))
    assert torch.equal(ours(x, future=9), back(x, future=9))


def test_two_cells_are_one_two_layer_lstm():
    """lstm1 -> layer 0, lstm2 -> layer 1 of nn.LSTM(1, 51, num_layers=2): the same network."""
    torch.manual_seed(1)
    seq = Sequence(dtype=torch.float64)
    lstm = nn.LSTM(1, 51, num_layers=2, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for name, p in fused_parameters(seq).items():
            getattr(lstm, name).copy_(p)
    x = torch.randn(4, 60, dtype=torch.float64)
    h2_all, _ = lstm(x.unsqueeze(2))  # (4, 60, 51)
    via_lstm = seq.linear(h2_all).squeeze(2)  # (4, 60)
    assert torch.allclose(via_lstm, seq(x), rtol=0, atol=1e-13)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 4), length=st.integers(1, 50), future=st.integers(0, 20),
       seed=st.integers(0, 10_000))
def test_fused_forward_matches_cell_loop(n, length, future, seed):
    _, loop = _pair(seed)
    _, fused = _pair(seed, fused=True)
    x = torch.randn(n, length, dtype=torch.float64)
    a, b = loop(x, future=future), fused(x, future=future)
    assert torch.allclose(a, b, rtol=0, atol=1e-12)
    ga = torch.autograd.grad(a.sum(), list(loop.parameters()))
    gb = torch.autograd.grad(b.sum(), list(fused.parameters()))
    for u, v in zip(ga, gb, strict=True):
        assert torch.allclose(u, v, rtol=1e-9, atol=1e-11)
    assert list(fused.state_dict()) == list(loop.state_dict())


def test_our_cell_is_selectable_and_equivalent():
    pytest.importorskip("lstm_helpers.lstm")
    from lstm_helpers.lstm import LSTMCell

    official, ours = _pair(3, cell="ours")
    assert isinstance(ours.lstm1, LSTMCell)
    x = torch.randn(3, 25, dtype=torch.float64)
    assert torch.allclose(ours(x, future=10), official(x, future=10), rtol=0, atol=1e-12)
    _, fused = _pair(3, cell="ours", fused=True)
    assert torch.allclose(fused(x, future=10), official(x, future=10), rtol=0, atol=1e-12)


def test_float32_model_matches_official_converted():
    torch.manual_seed(0)
    official = OfficialSequence()  # float32 parameters
    torch.manual_seed(0)
    ours = Sequence()
    assert all(p.dtype == torch.float32 for p in ours.parameters())
    x = torch.randn(2, 10)
    # official forward hard-codes double zeros, so compare in float64
    assert torch.allclose(ours.double()(x.double(), future=4),
                          official.double()(x.double(), future=4))


def test_sequence_rejects_bad_input():
    seq = Sequence(dtype=torch.float64)
    with pytest.raises(ValueError, match="shape"):
        seq(torch.zeros(2, 3, 1, dtype=torch.float64))
    with pytest.raises(ValueError, match="future"):
        seq(torch.zeros(2, 3, dtype=torch.float64), future=-1)
    with pytest.raises(TypeError, match="dtype"):
        seq(torch.zeros(2, 3))
    with pytest.raises(TypeError, match="tensor"):
        seq([[0.0]])
    with pytest.raises(ValueError, match="cell"):
        Sequence(cell="keras")


# ---------------------------------------------------------------- training


def test_closure_evaluates_loss_and_gradient():
    model, split, criterion, optimizer = build(SMALL)
    losses = []
    closure = make_closure(model, optimizer, criterion, split.input, split.target, losses)
    loss = closure()
    assert torch.is_tensor(loss) and losses == [loss.item()]
    grads = [p.grad.clone() for p in model.parameters()]
    closure()  # zeroes first, so the gradients do not accumulate
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, model.parameters(), strict=True))


def test_fast_training_learns_and_keeps_history():
    seen = []
    h = train(SMALL, steps=2, progress=False, callback=seen.append)
    assert [s.step for s in h.steps] == [0, 1] and seen == h.steps
    assert h.test_losses[1] < h.test_losses[0] < 0.05
    assert h.steps[0].prediction.shape == (3, 999 + 100)
    assert h.closures == sum(len(s.closure_losses) for s in h.steps)
    assert all(len(s.closure_losses) <= 25 for s in h.steps)  # max_eval = 1.25 * max_iter
    # the seed is restored afterwards: training does not change the caller's random state
    torch.manual_seed(7)
    a = torch.rand(1)
    torch.manual_seed(7)
    train(SMALL, steps=0, progress=False)
    assert torch.equal(torch.rand(1), a)


def test_a_stalled_float32_run_goes_on_in_float64():
    # a step that barely moves counts as a stall
    recipe = replace(SMALL, lr=1e-9, line_search_fn=None, max_iter=2, future=10)
    h = train(recipe, steps=2, progress=False)
    assert [s.dtype for s in h.steps] == ["float32", "float64"]
    assert all(p.dtype == torch.float64 for p in h.model.parameters())
    h = train(replace(recipe, refine_dtype=None), steps=2, progress=False)
    assert [s.dtype for s in h.steps] == ["float32", "float32"]


def test_cli_runs_and_writes_plots_and_record(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "FAST", replace(SMALL, name="fast", future=1000))
    record = tmp_path / "run.json"
    assert main(["--steps", "1", "--out", str(tmp_path / "plots"), "--record", str(record),
                 "--no-progress", "--threads", "1", "--format", "svg"]) == 0
    out = capsys.readouterr().out
    assert "step  0: train loss" in out and "test loss" in out and " s)" in out
    assert (tmp_path / "plots" / "predict00.svg").exists()
    assert (tmp_path / "plots" / "losses.svg").exists()
    rec = load_record(record)
    assert rec["recipe"]["name"] == "fast" and len(rec["steps"]) == 1
    assert rec["steps"][0]["prediction"].shape == (3, 400)  # every 5th of 1999 values


def test_cli_options():
    assert parse_args(["--faithful"]).faithful
    args = parse_args([])
    assert args.steps == 15 and args.out == "sine_out" and not args.faithful
    with pytest.raises(SystemExit):
        parse_args(["--steps", "-1"])


def _check_against_record(path, recipe):
    record = json.loads(path.read_text())
    assert record["recipe"]["name"] == recipe.name
    assert record["command"].startswith("python -m lstm_helpers.sine")
    first = record["steps"][0]
    h = train(recipe, steps=1, progress=False)
    got = h.steps[0]
    assert len(got.closure_losses) == len(first["closure_losses"])
    np.testing.assert_allclose(got.closure_losses, first["closure_losses"], rtol=1e-6)
    np.testing.assert_allclose(got.test_loss, first["test_loss"], rtol=1e-5)
    return record


def test_fast_record_still_matches_its_first_step():
    record = _check_against_record(DATA_DIR / "fast_run.json", FAST)
    assert min(s["test_loss"] for s in record["steps"]) <= 1e-5  # the fast recipe's promise


@pytest.mark.slow
def test_faithful_record_still_matches_its_first_step():
    """Re-runs step 0 of the official recipe (about 1-3 minutes on 2 busy cores)."""
    record = _check_against_record(DATA_DIR / "faithful_run.json", FAITHFUL)
    assert len(record["steps"]) == 15
    losses = [s["test_loss"] for s in record["steps"]]
    np.testing.assert_allclose(losses[:5], [1.30e-3, 1.70e-4, 6.58e-5, 4.94e-5, 4.15e-5],
                               rtol=0.01)
    assert all(v is None or v > 1e15 for v in losses[5:])  # the blow-up, and no recovery


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("fused", [False, True])
def test_runs_on_a_gpu_like_on_the_cpu(fused):
    official, cpu = _pair(4, fused=fused)
    gpu = Sequence(fused=fused, device="cuda", dtype=torch.float64)
    gpu.load_state_dict(cpu.state_dict())
    assert all(p.is_cuda for p in gpu.parameters())
    x = torch.randn(3, 40, dtype=torch.float64)
    got = gpu(x.cuda(), future=20)
    assert got.is_cuda
    torch.testing.assert_close(got.cpu(), official(x, future=20), rtol=1e-9, atol=1e-10)
    recipe = replace(SMALL, fused=fused)
    h = train(recipe, steps=1, device="cuda", progress=False)
    assert all(p.is_cuda for p in h.model.parameters())
    ref = train(recipe, steps=1, progress=False)
    np.testing.assert_allclose(h.test_losses, ref.test_losses, rtol=0.2)
