"""Chapter 8 widget: every control, over its whole range, changes what is shown."""

import pytest
import torch

from lstm_helpers import classify as cl
from lstm_helpers.widgets._common import alt_from_html, png_from_html
from lstm_helpers.widgets.classify import InsideExplorer


@pytest.fixture(scope="module")
def explorer_parts():
    torch.manual_seed(0)
    model = cl.SequenceClassifier(12, 6, 9, dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    lengths = [5, 3, 7]
    data = cl.SequenceDataset([torch.randn(n, 12, generator=gen, dtype=torch.float64)
                               for n in lengths], torch.tensor([2, 0, 8]))
    return model, data, lengths


def test_every_control_over_its_whole_range_changes_the_display(explorer_parts):
    model, data, lengths = explorer_parts
    w = InsideExplorer(model, data)
    assert (w.sequence.min, w.sequence.max) == (0, 2)
    for k in range(w.sequence.min, w.sequence.max + 1):
        w.sequence.value = k
        assert w.step.max == lengths[k] and w.step.value == lengths[k]
        assert f"Sequence {k} (true speaker {int(data.labels[k]) + 1})" in w.info.value
        seen = set()
        for t in range(w.step.min, w.step.max + 1):
            w.step.value = t
            assert f"after step {t} of {lengths[k]}" in w.info.value
            seen.add((w.image.value, w.info.value))
        assert len(seen) == lengths[k]
    images = set()
    for state in w.state.options:
        w.state.value = state
        images.add(w.image.value)
        assert state in w.info.value and state in alt_from_html(w.image.value)
    assert len(images) == len(w.state.options) == 2
    assert png_from_html(w.image.value)[:4] == b"\x89PNG"
    assert repr(w) == "InsideExplorer(sequence=2, step=7, state='hidden state h')"


def test_info_matches_the_trace(explorer_parts):
    model, data, _ = explorer_parts
    w = InsideExplorer(model, data, top=3)
    w.sequence.value = 1
    w.step.value = 2
    tr = cl.trace(model, *data[1])
    pred = int(tr.probs[1].argmax())
    assert f"predicted speaker <b>{pred + 1}</b> with p = {float(tr.probs[1, pred]):.2f}" in (
        w.info.value)
    units = tr.changed_most(1, "c", 3)
    assert ", ".join(f"{u} ({d:.2f})" for u, d in units) in w.info.value


def test_empty_dataset_is_refused(explorer_parts):
    model, _, _ = explorer_parts
    with pytest.raises(ValueError, match="empty"):
        InsideExplorer(model, cl.SequenceDataset([], []))
