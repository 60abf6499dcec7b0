"""Chapter 9 widgets: every control, over its whole range, changes what is shown."""

import pytest
import torch

from lstm_helpers.charlm import CharLM, Vocab
from lstm_helpers.charlm.sampling import sample_with_entropy
from lstm_helpers.widgets.charlm import TEMPERATURES, SamplerWidget, UnitWidget


@pytest.fixture(scope="module")
def model_vocab():
    torch.manual_seed(0)
    vocab = Vocab("\n ()abdef:")
    return CharLM(len(vocab), 4, 6).double().eval(), vocab


def test_sampler_every_control_changes_the_sample(model_vocab):
    model, vocab = model_vocab
    w = SamplerWidget(model, vocab, prompt="def ", length=30)
    shown = set()
    for t in TEMPERATURES:
        w.temperature.value = t
        text, entropy = sample_with_entropy(model, vocab, "def ", 30, temperature=t,
                                            top_k=None, seed=0)
        assert f"{entropy:.2f} bits" in w.text.value
        shown.add(w.text.value)
    assert len(shown) == len(TEMPERATURES)
    w.temperature.value = 0.0
    assert "greedy" in w.text.value and "0.00 bits" in w.text.value
    w.temperature.value = 1.0
    before = w.text.value
    w.top_k.value = 5
    assert "top-5" in w.text.value and w.text.value != before
    w.seed.value = 1
    assert "seed 1" in w.text.value
    assert repr(w) == "SamplerWidget(temperature=1.0, top_k=5, seed=1)"
    with pytest.raises(TypeError, match="prompt must be a str"):
        SamplerWidget(model, vocab, prompt=3)


def test_unit_widget_colours_by_the_chosen_unit(model_vocab):
    model, vocab = model_vocab
    units = {"first": ("c", 0, 1), "second": ("h", 1, 2)}
    w = UnitWidget(model, vocab, {"one": "def f(a):\n  b\n", "two": "(a)"}, units)
    views = set()
    for snippet in w.snippet.options:
        w.snippet.value = snippet
        for unit in w.unit.options:
            w.unit.value = unit
            kind, layer, u = units[unit]
            assert f"layer {layer + 1}, {kind}[{u}]" in w.view.value
            views.add(w.view.value)
    assert len(views) == 4
    assert w.view.value.count("<span") == 3
    with pytest.raises(ValueError, match="must not be empty"):
        UnitWidget(model, vocab, {}, units)
