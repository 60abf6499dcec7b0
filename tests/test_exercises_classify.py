"""Chapter 8 exercise checks: solutions pass, typical mistakes get their hint, nothing raises."""

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pad_sequence

from lstm_helpers.exercises import classify as ex
from lstm_helpers.exercises._core import NOT_ANSWERED

CHECKS = [ex.check_collate, ex.check_permute, ex.check_weights, ex.check_last_state]
JUNK = [None, ..., 0, 3.5, "abc", [], {}, (1, 2), np.zeros((2, 2)), torch.zeros(3), object(),
        lambda *a: 1, lambda *a: None, print]


@pytest.mark.parametrize("check", CHECKS)
def test_placeholders_are_not_yet(check):
    assert check(None).message == NOT_ANSWERED
    assert check(...).message == NOT_ANSWERED

    def unfinished(*args):
        ...

    assert check(unfinished).message == NOT_ANSWERED


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_never_raises(check, junk):
    fb = check(junk)
    assert not fb and isinstance(fb.message, str) and fb.message


# 8.1 collate

def collate_solution(batch):
    xs = [x for x, _ in batch]
    lengths = torch.tensor([x.size(0) for x in xs])
    return pad_sequence(xs, batch_first=True), lengths, torch.tensor([y for _, y in batch])


def test_collate_solution():
    assert ex.check_collate(collate_solution)


@pytest.mark.parametrize("wrong, words", [
    (lambda b: (pad_sequence([x for x, _ in b]), *collate_solution(b)[1:]), "time first"),
    (lambda b: collate_solution(b)[:2], "three things"),
    (lambda b: ([x for x, _ in b], *collate_solution(b)[1:]), "one tensor"),
    (lambda b: (pad_sequence([x for x, _ in b], batch_first=True, padding_value=-1.0),
                *collate_solution(b)[1:]), "zeros"),
    (lambda b: (collate_solution(b)[0], torch.tensor([5, 5, 5]), collate_solution(b)[2]),
     "before padding"),
    (lambda b: (collate_solution(b)[0], [3, 5, 2], collate_solution(b)[2]), "tensor"),
    (lambda b: (collate_solution(b)[0], torch.tensor([3, 5, 2], dtype=torch.int32),
                collate_solution(b)[2]), "int64"),
    (lambda b: (*collate_solution(b)[:2], torch.tensor([2.0, 0.0, 1.0])), "int64"),
    (lambda b: (*collate_solution(b)[:2], torch.tensor([0, 1, 2])), "batch order"),
    (lambda b: (pad_sequence([x for x, _ in reversed(b)], batch_first=True),
                *collate_solution(b)[1:]), "in order"),
])
def test_collate_hints(wrong, words):
    fb = ex.check_collate(wrong)
    assert not fb and words in fb.message, fb.message


# 8.2 permute

def test_permute_solution_and_transpose():
    assert ex.check_permute(lambda z: z.permute(0, 2, 1))
    assert ex.check_permute(lambda z: z.transpose(1, 2))


@pytest.mark.parametrize("wrong, words", [
    (lambda z: z, "dimension 1 is time"),
    (lambda z: z.reshape(z.size(0), z.size(2), z.size(1)), "scrambled"),
    (lambda z: z.view(2, 4, 3), "scrambled"),
    (lambda z: z.permute(1, 2, 0), "batch dimension"),
    (lambda z: z.permute(1, 0, 2), "batch dimension"),
    (lambda z: z.flatten(0, 1), "(N, C, L)"),
    (lambda z: z.permute(0, 2, 1).flip(2), "wrong numbers"),
    (lambda z: z.tolist(), "tensor"),
])
def test_permute_hints(wrong, words):
    fb = ex.check_permute(wrong)
    assert not fb and words in fb.message, fb.message


# 8.3 weights

def weights_solution(labels, C):
    counts = torch.bincount(labels, minlength=C).double()
    w = len(labels) / (C * counts)
    return torch.where(counts > 0, w, torch.zeros_like(w))


def test_weights_solution_in_float32_too():
    assert ex.check_weights(weights_solution)
    assert ex.check_weights(lambda labels, C: weights_solution(labels, C).float())


@pytest.mark.parametrize("wrong, words", [
    (lambda labels, C: torch.bincount(labels, minlength=C).double(), "rare class"),
    (lambda labels, C: torch.bincount(labels, minlength=C).double() / len(labels), "rare class"),
    (lambda labels, C: len(labels) / (C * torch.bincount(labels, minlength=C).double()),
     "weight 0"),
    (lambda labels, C: torch.nan_to_num(1 / torch.bincount(labels, minlength=C).double(),
                                        posinf=0.0), "usual scale"),
    (lambda labels, C: len(labels) / (C * torch.bincount(labels).double()), "missing"),
    (lambda labels, C: torch.ones(C, dtype=torch.int64), "floating point"),
    (lambda labels, C: torch.nan_to_num(len(labels) / torch.bincount(labels, minlength=C)
                                        .double(), posinf=0.0), "N / (C n_c)"),
    (lambda labels, C: torch.nan_to_num(len(labels) / (C * torch.bincount(
        labels, minlength=C).double()), posinf=1.0), "missing class"),
    (lambda labels, C: torch.ones(2, 2), "one weight per class"),
])
def test_weights_hints(wrong, words):
    fb = ex.check_weights(wrong)
    assert not fb and words in fb.message, fb.message


# 8.4 last state

def test_last_state_solution():
    assert ex.check_last_state(lambda out, n: out[torch.arange(out.size(0)), n - 1])
    assert ex.check_last_state(
        lambda out, n: out.gather(1, (n - 1).view(-1, 1, 1).expand(-1, 1, out.size(2)))
        .squeeze(1))


@pytest.mark.parametrize("wrong, words", [
    (lambda out, n: out[:, -1], "pad step"),
    (lambda out, n: out[torch.arange(out.size(0)), n], "off by one"),
    (lambda out, n: out[:, 0], "first step"),
    (lambda out, n: out[n - 1], "dimension 0 is the batch"),
    (lambda out, n: out[:, :2].flatten(1), "one row of H numbers"),
    (lambda out, n: out[torch.arange(out.size(0)), n + 1], "ran past the end"),
    (lambda out, n: out[torch.arange(out.size(0)), n - 2], "output[n, lengths[n] - 1]"),
    (lambda out, n: out.mean(1), "output[n, lengths[n] - 1]"),
])
def test_last_state_hints(wrong, words):
    fb = ex.check_last_state(wrong)
    assert not fb and words in fb.message, fb.message
