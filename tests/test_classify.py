"""Chapter 8's application package: data, collate, models, the training loop, the CLI."""

import io

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_helpers import classify as cl
from lstm_helpers import notebook, records
from lstm_helpers.classify import cli
from lstm_helpers.losses import CrossEntropyLoss
from lstm_helpers.lstm import LSTM

F64 = torch.float64


@pytest.fixture(scope="module")
def splits():
    return cl.make_splits()


# --- data --------------------------------------------------------------------------------


def test_japanese_vowels_as_documented():
    for split, n, per_class in (("train", 270, [30] * 9), ("test", 370, None)):
        seqs, labels = cl.load_japanese_vowels(split)
        assert len(seqs) == n and labels.shape == (n,) and labels.dtype == torch.int64
        assert sorted(labels.unique().tolist()) == list(range(9))
        if per_class:
            assert torch.bincount(labels).tolist() == per_class
        lengths = [s.size(0) for s in seqs]
        assert 7 <= min(lengths) and max(lengths) <= 29
        assert all(s.shape[1] == 12 and s.dtype == F64 for s in seqs)
    assert cl.data_file("train").name == "JapaneseVowels_TRAIN.ts"


def test_data_ships_with_its_credits():
    folder = cl.data_file("train").parent
    assert folder.name == "classify" and cl.data_file("test").is_file()
    credits = (folder / "CREDITS.md").read_text()
    for words in ("CC BY 4.0", "Kudo", "Bagnall", "ae.train", "ae.test"):
        assert words in credits


def test_data_file_refuses_unknown_split():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        cl.data_file("validation")


def test_read_ts_parses_a_small_file(tmp_path):
    path = tmp_path / "tiny.ts"
    path.write_text("# comment\n@problemName x\n@data\n1,2,3:4,5,6:b\n\n7,8:9,10:a\n")
    seqs, labels = cl.read_ts(path)
    assert labels == ["b", "a"]
    assert torch.equal(seqs[0], torch.tensor([[1.0, 4], [2, 5], [3, 6]], dtype=F64))
    assert seqs[1].shape == (2, 2)
    (tmp_path / "empty.ts").write_text("@data\n")
    with pytest.raises(ValueError, match="no sequence"):
        cl.read_ts(tmp_path / "empty.ts")


def test_splits_are_disjoint_stratified_and_standardised(splits):
    assert (len(splits.train), len(splits.val), len(splits.test)) == (216, 54, 370)
    assert torch.bincount(splits.val.labels).tolist() == [6] * 9
    steps = torch.cat(splits.train.sequences)  # (sum L, 12)
    assert torch.allclose(steps.mean(0), torch.zeros(12, dtype=F64), atol=1e-12)
    assert torch.allclose(steps.std(0), torch.ones(12, dtype=F64), atol=1e-12)
    raw, _ = cl.load_japanese_vowels("train")
    raw_keys = {tuple(round(v, 6) for v in s[0].tolist()) for s in raw}
    back = lambda s: tuple(round(v, 6) for v in (s[0] * splits.std + splits.mean).tolist())  # noqa: E731
    train_keys = {back(s) for s in splits.train.sequences}
    val_keys = {back(s) for s in splits.val.sequences}
    assert not train_keys & val_keys and train_keys | val_keys == raw_keys


def test_imbalanced_and_tagging_variants(splits):
    imb = cl.make_imbalanced(splits.train, cl.IMBALANCE)
    assert torch.bincount(imb.labels).tolist() == [24] * 6 + [3] * 3
    tag = cl.make_tagging(splits.train, 10, seed=1)
    for x, y in (tag[k] for k in range(10)):
        assert x.size(0) == y.numel() and y.unique().numel() == 2
        switch = int((y != y[0]).nonzero()[0])
        assert y[:switch].unique().numel() == 1 and y[switch:].unique().numel() == 1
    with pytest.raises(ValueError, match="same length"):
        cl.SequenceDataset([torch.zeros(2, 3)], [0, 1])


# --- collate -----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(lengths=st.lists(st.integers(1, 9), min_size=1, max_size=6), per_step=st.booleans(),
       features=st.integers(1, 4))
def test_collate_pads_and_measures(lengths, per_step, features):
    gen = torch.Generator().manual_seed(len(lengths))
    xs = [torch.randn(n, features, generator=gen) for n in lengths]
    ys = ([torch.randint(5, (n,), generator=gen) for n in lengths] if per_step
          else list(range(len(lengths))))
    x, got_lengths, y = cl.collate(list(zip(xs, ys, strict=True)))
    L = max(lengths)
    assert x.shape == (len(lengths), L, features)
    assert got_lengths.tolist() == lengths and got_lengths.dtype == torch.int64
    assert y.dtype == torch.int64
    for k, n in enumerate(lengths):
        assert torch.equal(x[k, :n], xs[k]) and bool((x[k, n:] == 0).all())
        if per_step:
            assert torch.equal(y[k, :n], ys[k]) and bool((y[k, n:] == -100).all())
        else:
            assert y[k] == k


def test_collate_refuses_an_empty_batch():
    with pytest.raises(ValueError, match="empty"):
        cl.collate([])


# --- models ------------------------------------------------------------------------------


def random_batch(lengths, features=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    xs = [torch.randn(n, features, generator=gen, dtype=F64) for n in lengths]
    return cl.collate([(x, 0) for x in xs])[:2]


@settings(max_examples=25, deadline=None)
@given(lengths=st.lists(st.integers(1, 8), min_size=1, max_size=5), hidden=st.integers(1, 5))
def test_last_valid_is_h_n_of_the_packed_batch(lengths, hidden):
    x, lengths_t = random_batch(lengths)
    torch.manual_seed(0)
    lstm = nn.LSTM(3, hidden, batch_first=True, dtype=F64)
    output, _ = lstm(x)  # (N, L, H)
    packed = pack_padded_sequence(x, lengths_t, batch_first=True, enforce_sorted=False)
    _, (h_n, _) = lstm(packed)
    assert torch.allclose(cl.last_valid(output, lengths_t), h_n[0], atol=1e-12)


def test_last_valid_refuses_bad_lengths():
    out = torch.zeros(2, 4, 3)
    with pytest.raises(ValueError, match=r"\[1, 4\]"):
        cl.last_valid(out, torch.tensor([0, 2]))
    with pytest.raises(ValueError, match="one entry per sequence"):
        cl.last_valid(out, torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match=r"\(N, L, H\)"):
        cl.last_valid(torch.zeros(4, 3), torch.tensor([1]))


@pytest.mark.parametrize("rnn", [nn.LSTM, nn.GRU, nn.RNN, LSTM])
def test_readouts_agree_except_the_mistake(rnn):
    x, lengths = random_batch([5, 2, 4])
    logits = {}
    for readout in cl.READOUTS:
        torch.manual_seed(0)
        model = cl.SequenceClassifier(3, 4, 6, rnn=rnn, readout=readout, dtype=F64)
        logits[readout] = model(x, lengths)
        assert logits[readout].shape == (3, 6)
    assert torch.allclose(logits["packed"], logits["gather"], atol=1e-12)
    assert torch.allclose(logits["last"][0], logits["packed"][0], atol=1e-12)  # full length
    assert not torch.allclose(logits["last"][1:], logits["packed"][1:])  # pad steps read


def test_bidirectional_reads_both_last_states():
    x, lengths = random_batch([5, 2, 4])
    torch.manual_seed(0)
    model = cl.SequenceClassifier(3, 4, 6, bidirectional=True, dtype=F64)
    feats = model.features(x, lengths)  # (N, 2H)
    assert feats.shape == (3, 8) and model.head.in_features == 8
    for k, n in enumerate(lengths.tolist()):  # each sequence alone, no padding at all
        out, _ = model.rnn(x[k : k + 1, :n])  # (1, n, 2H)
        assert torch.allclose(feats[k, :4], out[0, -1, :4], atol=1e-12)  # forward: last step
        assert torch.allclose(feats[k, 4:], out[0, 0, 4:], atol=1e-12)  # backward: step 0
    with pytest.raises(ValueError, match="readout"):
        cl.SequenceClassifier(3, 4, 6, readout="final")


def test_tagger_layouts_and_flat_baseline():
    x, lengths = random_batch([5, 2])
    torch.manual_seed(0)
    tagger = cl.SequenceTagger(3, 4, 6, dtype=F64)
    per_step = tagger.per_step(x, lengths)  # (N, L, C)
    assert per_step.shape == (2, 5, 6)
    assert torch.equal(tagger(x, lengths), per_step.permute(0, 2, 1))
    flat = cl.FlatClassifier(3, 7, 6, dtype=F64)
    assert flat(x, lengths).shape == (2, 6) and flat.linear.in_features == 21
    assert flat(x[:, :2], lengths).shape == (2, 6)


# --- training loop -----------------------------------------------------------------------


def small_task(splits, n=48):
    train = cl.SequenceDataset(splits.train.sequences[:n], splits.train.labels[:n])
    return cl.make_loader(train, 16, shuffle=True, seed=0), cl.make_loader(splits.val, 64)


def test_fit_learns_restores_the_best_state_and_repeats_exactly(splits, tmp_path):
    runs = []
    for checkpoint in (None, tmp_path / "best.pt", io.BytesIO()):
        torch.manual_seed(0)
        model = cl.SequenceClassifier(12, 8, 9, dtype=F64)
        train, val = small_task(splits)
        h = cl.fit(model, train, val, epochs=6, progress=False, checkpoint=checkpoint)
        runs.append(h.batch_losses)
        assert len(h.train_loss) == len(h.val_acc) == 6 and len(h.batch_losses) == 18
        assert h.train_loss[-1] < h.train_loss[0]
        assert h.best_epoch == min(range(6), key=h.val_loss.__getitem__)
        val_loss, val_acc = cl.evaluate(model, val, nn.CrossEntropyLoss())
        assert val_loss == pytest.approx(h.val_loss[h.best_epoch], rel=1e-12)
        assert val_acc == h.val_acc[h.best_epoch]
    assert runs[0] == runs[1] == runs[2]
    assert (tmp_path / "best.pt").stat().st_size > 0


def test_fit_with_a_progress_bar_outside_a_notebook(splits, capsys):
    torch.manual_seed(0)
    model = cl.SequenceClassifier(12, 4, 9, dtype=F64)
    h = cl.fit(model, *small_task(splits, 16), epochs=2, progress=True)
    assert len(h.train_loss) == 2
    assert "epochs" in capsys.readouterr().err


def test_fit_trains_a_tagger_with_ignore_index(splits):
    tags = cl.make_tagging(splits.train, 32, seed=1)
    torch.manual_seed(0)
    model = cl.SequenceTagger(12, 8, 9, dtype=F64)
    loader = cl.make_loader(tags, 16, shuffle=True)
    h = cl.fit(model, loader, cl.make_loader(tags, 32), epochs=3, progress=False)
    assert h.train_loss[-1] < h.train_loss[0]
    pred, true = cl.predict(model, cl.make_loader(tags, 32))
    assert pred.shape == true.shape and not bool((true == -100).any())
    steps = sum(y.numel() for _, y in tags)
    assert int(cl.confusion_matrix(pred, true, 9).sum()) == steps


def test_in_a_notebook_the_bar_leaves_an_empty_output(splits, monkeypatch):
    import IPython.display


    shown = []

    class Handle:
        def update(self, obj, raw=False):
            shown.append(obj["text/plain"])

    def fake_display(obj, raw=False, display_id=False):
        shown.append(obj["text/plain"])
        return Handle()

    monkeypatch.setattr(notebook, "_in_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake_display)
    torch.manual_seed(0)
    model = cl.SequenceClassifier(12, 4, 9, dtype=F64)
    cl.fit(model, *small_task(splits, 16), epochs=2, progress=True)
    assert shown[0] == "" and shown[-1] == ""  # what a notebook stores
    assert any("epochs" in text for text in shown)  # what the reader saw meanwhile


CONFIGS = [
    dict(readout="packed"), dict(readout="gather"), dict(readout="packed", bidirectional=True),
    dict(readout="gather", weighted=True), dict(tagger=True),
    dict(readout="packed", num_layers=2), dict(readout="gather", smoothing=True),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(f"{k}" for k in c.items()))
def test_the_books_lstm_and_loss_train_exactly_like_pytorchs(splits, config):
    config = dict(config)
    tagger, weighted = config.pop("tagger", False), config.pop("weighted", False)
    smoothing = 0.1 if config.pop("smoothing", False) else 0.0
    if tagger:
        data = cl.make_tagging(splits.train, 32, seed=1)
        val = cl.make_loader(cl.make_tagging(splits.val, 16, seed=2), 32)
    else:
        data = cl.SequenceDataset(splits.train.sequences[:48], splits.train.labels[:48])
        val = cl.make_loader(splits.val, 64)
    weight = cl.inverse_frequency_weights(
        torch.cat([torch.as_tensor(y).flatten() for _, y in data]), 9) if weighted else None
    curves = []
    for rnn, loss_cls in ((nn.LSTM, nn.CrossEntropyLoss), (LSTM, CrossEntropyLoss)):
        torch.manual_seed(0)
        model = (cl.SequenceTagger(12, 6, 9, rnn=rnn, dtype=F64, **config) if tagger else
                 cl.SequenceClassifier(12, 6, 9, rnn=rnn, dtype=F64, **config))
        h = cl.fit(model, cl.make_loader(data, 16, shuffle=True), val,
                   loss_cls(weight=weight, label_smoothing=smoothing), epochs=3,
                   progress=False)
        curves.append(torch.tensor(h.batch_losses + h.val_loss, dtype=F64))
    assert torch.allclose(curves[0], curves[1], rtol=1e-11, atol=0)


def test_inverse_frequency_weights_confusion_and_recall():
    labels = torch.tensor([0, 0, 0, 1, -100, 2, 2, 0])  # counts 4, 1, 2 of N = 7
    w = cl.inverse_frequency_weights(labels, 4)
    assert w.dtype == F64
    assert torch.allclose(w, torch.tensor([7 / 16, 7 / 4, 7 / 8, 0.0], dtype=F64))
    balanced = cl.inverse_frequency_weights(torch.arange(6) % 3, 3)
    assert torch.equal(balanced, torch.ones(3, dtype=F64))
    m = cl.confusion_matrix(torch.tensor([0, 1, 1, 2, 0]), torch.tensor([0, 1, 2, 2, -100]), 3)
    assert m.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert cl.per_class_recall(m).tolist() == [1.0, 1.0, 0.5]


# --- looking inside ----------------------------------------------------------------------


def test_trace_ends_where_the_classifier_ends(splits):
    torch.manual_seed(0)
    model = cl.SequenceClassifier(12, 5, 9, dtype=F64)
    x, y = splits.test[3]
    tr = cl.trace(model, x, int(y))
    assert tr.h.shape == tr.c.shape == (x.size(0), 5) and tr.probs.shape == (x.size(0), 9)
    logits = model(x.unsqueeze(0), torch.tensor([x.size(0)]))
    assert torch.allclose(tr.probs[-1], torch.softmax(logits[0], 0), atol=1e-12)
    assert torch.allclose(tr.probs.sum(1), torch.ones(x.size(0), dtype=F64))
    top = tr.changed_most(2, "c", k=3)
    change = (tr.c[2] - tr.c[1]).abs()
    assert [u for u, _ in top] == change.argsort(descending=True)[:3].tolist()
    assert tr.changed_most(0, "h", k=1)[0][1] == pytest.approx(float(tr.h[0].abs().max()))
    with pytest.raises(ValueError, match="step"):
        tr.changed_most(x.size(0), "c")
    with pytest.raises(ValueError, match="state"):
        tr.changed_most(0, "g")
    with pytest.raises(ValueError, match="one-layer"):
        cl.trace(cl.SequenceClassifier(12, 5, 9, bidirectional=True), x)
    with pytest.raises(ValueError, match="not an LSTM"):
        cl.trace(cl.SequenceClassifier(12, 5, 9, rnn=nn.GRU), x)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_runs_unchanged_on_cuda(splits):
    torch.manual_seed(0)
    model = cl.SequenceClassifier(12, 8, 9, device="cuda", dtype=F64)
    h = cl.fit(model, *small_task(splits), loss_fn=CrossEntropyLoss(), epochs=2, progress=False)
    assert h.train_loss[-1] < h.train_loss[0]
    config = cl.Config(epochs=1, hidden_size=4, weighting="inverse", imbalanced=True)
    record = cl.train(config, device="cuda", splits=splits)
    assert record.result["test_total"] == 370


# --- command line and records ------------------------------------------------------------


def test_cli_writes_a_record(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert cli.main(["--rnn", "gru", "--hidden", "3", "--epochs", "1", "--no-progress",
                     "--device", "cpu", "--record", str(out)]) == 0
    record = records.load(out)
    assert record.app == "classify" and record.config["rnn"] == "gru"
    assert record.config["hidden_size"] == 3 and record.result["test_total"] == 370
    assert record.command.startswith("python -m lstm_helpers.classify --rnn gru")
    assert "test" in capsys.readouterr().out
    for bad in (["--epochs", "0"], ["--hidden", "0"], ["--rnn", "lstm2"], ["--seeds", "x"],
                ["--model", "tree"]):
        with pytest.raises(SystemExit):
            cli.parse_args(bad)
    with pytest.raises(ValueError, match="weighting"):
        cl.Config(weighting="sqrt")


def test_cli_flags_make_a_grid(tmp_path):
    args = cli.parse_args(["--rnn", "lstm", "gru", "--hidden", "16", "32", "--seeds", "0-2",
                           "--weighting", "none", "inverse", "--imbalanced", "--bidirectional",
                           "--epochs", "3", "--lr", "0.03"])
    assert len(args.configs) == 2 * 2 * 3 * 2
    c = args.configs[-1]
    assert (c.rnn, c.hidden_size, c.seed, c.weighting) == ("gru", 32, 2, "inverse")
    assert c.imbalanced and c.bidirectional and c.epochs == 3 and c.lr == 0.03
    assert cli.parse_args([]).configs == [cl.Config()]
    assert len(cli.parse_args(["--imbalanced", "false", "true"]).configs) == 2
    out = tmp_path / "runs"
    assert cli.main(["--model", "majority", "pooled", "--epochs", "1", "--no-progress",
                     "--device", "cpu", "--record", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "epochs=1_model=majority_seed0.json", "epochs=1_model=pooled_seed0.json"]


def test_pooled_features_ignore_padding_and_order():
    torch.manual_seed(0)
    a, b = torch.randn(5, 3, dtype=F64), torch.randn(3, 3, dtype=F64)
    x = torch.nn.utils.rnn.pad_sequence([a, b], batch_first=True)  # (2, 5, 3)
    lengths = torch.tensor([5, 3])
    f = cl.pooled_features(x, lengths)
    assert f.shape == (2, 6)
    assert torch.allclose(f[1], torch.cat([b.mean(0), b.std(0)]))
    assert torch.allclose(cl.pooled_features(x.flip(1)[:, :5], torch.tensor([5, 5]))[0], f[0])
    shuffled = a[torch.randperm(5)]
    assert torch.allclose(cl.pooled_features(shuffled[None], torch.tensor([5]))[0], f[0])
    with pytest.raises(ValueError, match="length"):
        cl.pooled_features(x, torch.tensor([1, 3]))
    model = cl.PooledClassifier(3, 4, dtype=F64)
    assert model(x, lengths).shape == (2, 4)
    majority = cl.MajorityClassifier(4, 2, dtype=F64)
    assert majority(x, lengths).argmax(1).tolist() == [2, 2]
    with pytest.raises(ValueError, match="label"):
        cl.MajorityClassifier(4, 4)


def test_every_model_trains_through_the_same_train(splits):
    for model in cl.MODELS:
        record = cl.train(cl.Config(model=model, epochs=2, hidden_size=4), splits=splits)
        assert record.app == "classify" and record.result["test_total"] == 370
        assert 0 <= record.result["test_accuracy"] <= 1 and len(record.result["recall"]) == 9
        assert len(record.metrics) == (0 if model == "majority" else 2)
    assert cl.GOAL.key == "test_accuracy" and cl.GOAL.direction == "above"


@pytest.mark.records
def test_shipped_sweep_counts_its_seeds_and_reproduces(splits):
    """Every configuration of the shipped sweep has at least 5 seeds, its summary is what
    the records give, and re-training one run of several models gives the same test score
    and best epoch (float64: the same on every instruction set)."""
    from lstm_helpers.experiment import summarise

    sweep = cl.shipped_sweep("sweep")
    assert all(c.startswith("python -m lstm_helpers.sweep classify") for c in sweep["commands"])
    assert len(sweep["groups"]) >= 7
    for name, group in sweep["groups"].items():
        assert len(group["seeds"]) >= 5, name
        assert group["summary"] == summarise(group["values"], cl.GOAL)
    assert {r.config["model"] for r in sweep["records"]} == set(cl.MODELS)
    for record in sweep["records"]:
        assert record.result["test_accuracy"] == record.result["test_correct"] / 370
    picks = [r for r in sweep["records"] if r.seed == 3 and r.config["lr"] == 0.01
             and r.config["hidden_size"] == 32 and not r.config["imbalanced"]
             and not r.config["bidirectional"] and r.config["rnn"] in ("lstm", "gru")]
    assert len(picks) >= 4  # flat, pooled, majority, lstm, gru
    for record in picks:
        again = cl.train(cl.Config(**record.config), splits=splits)
        assert again.result["test_correct"] == record.result["test_correct"], record.config
        assert again.result["best_epoch"] == record.result["best_epoch"], record.config


@pytest.mark.records
def test_readout_spread_record_still_matches_its_stable_run(splits):
    """The chapter prints the `last` readout's score as the range this record measured under
    three instruction sets (it sits on a tipping point: 301 natively and under AVX2, 306
    under SSE4.1), and the `packed` readout's score as computed: its measured spread is 0,
    so a re-run must give the recorded score exactly."""
    from lstm_helpers.notebook import load_spread, stable_or_range

    record = load_spread("classify_readout_spread")
    assert record["command"].startswith("python tools/isa_spread.py lstm_helpers.classify:")
    assert record["relative_spread"]["packed"] == 0
    run = cl.train(cl.Config(epochs=15, readout="packed"), splits=splits)
    assert run.result["test_correct"] == record["values"]["native"]["packed"]
    # the page shows `last` as the measured range, never as this machine's own number
    assert stable_or_range(301.0, "last", record, fmt=".0f") == "301-306*"
