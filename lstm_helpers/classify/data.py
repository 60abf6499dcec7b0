"""The UCI Japanese Vowels data, shipped with the package in the UEA archive's ``.ts`` format.

Nine male speakers said the Japanese vowels /ae/; each utterance became a sequence of 12
linear-prediction cepstrum coefficients per time step (7 to 29 steps). The task: which
speaker is it? 270 training utterances (30 per speaker), 370 test utterances (24 to 88 per
speaker), the test set recorded on other occasions. Source: Kudo, Toyama and Shimbo (1999),
UCI Machine Learning Repository (``ae.train``, ``ae.test``; CC BY 4.0), in the ``.ts``
conversion of the UEA & UCR time series classification archive (Bagnall et al. 2018):
``lstm_helpers/data/classify/JapaneseVowels_TRAIN.ts`` and ``_TEST.ts``, credited and
described in ``lstm_helpers/data/classify/CREDITS.md``.

Nothing is downloaded: :func:`read_ts` parses the small text files.

- :func:`load_japanese_vowels`: a list of ``(L, 12)`` float tensors and int labels 0..8.
- :func:`make_splits`: train / validation / test, standardised with the training statistics.
- :class:`SequenceDataset` and :func:`collate`: for a ``DataLoader`` (padding + lengths).
- :func:`make_imbalanced`, :func:`make_tagging`: the chapter's two variants of the task.
"""

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import torch
from torch.nn.utils.rnn import pad_sequence

__all__ = [
    "NUM_CLASSES", "NUM_FEATURES", "SequenceDataset", "Splits", "collate", "data_file",
    "load_japanese_vowels", "make_imbalanced", "make_splits", "make_tagging", "read_ts",
]

NUM_CLASSES = 9  # speakers
NUM_FEATURES = 12  # LPC cepstrum coefficients per time step


def data_file(split: str) -> Path:
    """The path of the shipped ``JapaneseVowels_TRAIN.ts`` or ``_TEST.ts``.

    Args:
        split: ``"train"`` or ``"test"``.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    name = f"JapaneseVowels_{split.upper()}.ts"
    file = resources.files("lstm_helpers").joinpath("data", "classify", name)
    if not file.is_file():
        raise FileNotFoundError(f"the Japanese Vowels file {name} is missing from "
                                f"lstm_helpers/data/classify/ (expected at {file})")
    return Path(str(file))


def read_ts(path) -> tuple[list[torch.Tensor], list[str]]:
    """Parse a multivariate ``.ts`` file (the UEA archive's text format).

    Header lines start with ``#`` or ``@``; after ``@data`` each line holds one sequence:
    the dimensions separated by ``:``, each a comma-separated list of values over time, and
    the class label last.

    Returns:
        ``(sequences, labels)``: float64 tensors ``(L, dimensions)`` and the label strings.
    """
    sequences, labels, in_data = [], [], False
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            in_data = line.lower() == "@data"
            continue
        *dims, label = line.split(":")
        columns = [[float(v) for v in dim.split(",")] for dim in dims]  # dims x L
        sequences.append(torch.tensor(columns, dtype=torch.float64).T)  # (L, dims)
        labels.append(label.strip())
    if not sequences:
        raise ValueError(f"{path}: no sequence after an @data line")
    return sequences, labels


def load_japanese_vowels(split: str) -> tuple[list[torch.Tensor], torch.Tensor]:
    """The ``"train"`` (270) or ``"test"`` (370) utterances.

    Returns:
        ``(sequences, labels)``: a list of float64 tensors ``(L_n, 12)`` and an int64 tensor
        ``(N,)`` of speakers 0..8 (the file numbers them 1..9).
    """
    sequences, labels = read_ts(data_file(split))
    return sequences, torch.tensor([int(label) - 1 for label in labels])  # (N,)


class SequenceDataset(torch.utils.data.Dataset):
    """Sequences of different lengths with one label each (an int, or a tensor ``(L_n,)``
    of per-step labels). ``dataset[k]`` is ``(sequence (L_k, H_in), label)``."""

    def __init__(self, sequences, labels):
        if len(sequences) != len(labels):
            raise ValueError(
                f"sequences and labels must have the same length: got {len(sequences)} "
                f"sequences and {len(labels)} labels"
            )
        self.sequences, self.labels = list(sequences), labels

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, k):
        return self.sequences[k], self.labels[k]


def collate(batch, padding_value: float = 0.0, label_padding: int = -100):
    """Turn a list of ``(sequence, label)`` pairs into one padded batch for a ``DataLoader``.

    Args:
        batch: ``[(x_n, y_n), ...]``; ``x_n`` is ``(L_n, H_in)``, ``y_n`` a class index (int or
            0-d tensor), or a tensor ``(L_n,)`` of per-step classes.
        padding_value: what fills the input after each sequence's end. Default: 0.0.
        label_padding: what fills per-step labels after the end (``CrossEntropyLoss``'s
            default ``ignore_index``). Default: -100.

    Returns:
        ``(x, lengths, y)``: ``x`` :math:`(N, L_{max}, H_{in})` (batch first), ``lengths``
        int64 ``(N,)`` on the CPU (as ``pack_padded_sequence`` wants), ``y`` int64 ``(N,)``
        or ``(N, L_max)`` padded with ``label_padding``.
    """
    if len(batch) == 0:
        raise ValueError("collate: the batch is empty")
    xs = [x for x, _ in batch]
    lengths = torch.tensor([x.size(0) for x in xs], dtype=torch.int64)  # (N,)
    x = pad_sequence(xs, batch_first=True, padding_value=padding_value)  # (N, L_max, H_in)
    ys = [y for _, y in batch]
    if torch.is_tensor(ys[0]) and ys[0].dim() == 1:  # per-step labels
        y = pad_sequence(ys, batch_first=True, padding_value=label_padding)  # (N, L_max)
    else:
        y = torch.tensor([int(v) for v in ys], dtype=torch.int64)  # (N,)
    return x, lengths, y.long()


@dataclass
class Splits:
    """Train, validation and test sets (lists of ``(L_n, 12)`` tensors and label tensors)."""

    train: SequenceDataset
    val: SequenceDataset
    test: SequenceDataset
    mean: torch.Tensor  # (12,) of the training steps
    std: torch.Tensor  # (12,)


def _stratified_split(labels: torch.Tensor, per_class: int, generator):
    """Indices: ``per_class`` of each class for validation, the rest for training."""
    val = []
    for c in labels.unique().tolist():
        idx = (labels == c).nonzero().squeeze(1)  # (n_c,)
        val += idx[torch.randperm(idx.numel(), generator=generator)[:per_class]].tolist()
    val = sorted(val)
    keep = sorted(set(range(labels.numel())) - set(val))
    return keep, val


def make_splits(val_per_class: int = 6, seed: int = 0, dtype=torch.float64) -> Splits:
    """The official 270 training utterances split into train (216) and validation (54,
    ``val_per_class`` per speaker); the official 370 test utterances untouched. Every
    feature is standardised with the mean and standard deviation of the training steps.

    Args:
        val_per_class: validation utterances per speaker. Default: 6.
        seed: for the validation draw. Default: 0.
        dtype: of the sequences. Default: ``torch.float64``.
    """
    seqs, labels = load_japanese_vowels("train")
    test_seqs, test_labels = load_japanese_vowels("test")
    gen = torch.Generator().manual_seed(seed)
    keep, val = _stratified_split(labels, val_per_class, gen)
    steps = torch.cat([seqs[k] for k in keep])  # (sum L_n, 12)
    mean, std = steps.mean(0), steps.std(0)  # (12,), (12,)

    def norm(xs):
        return [((x - mean) / std).to(dtype) for x in xs]

    return Splits(
        train=SequenceDataset(norm([seqs[k] for k in keep]), labels[keep]),
        val=SequenceDataset(norm([seqs[k] for k in val]), labels[val]),
        test=SequenceDataset(norm(test_seqs), test_labels),
        mean=mean, std=std,
    )


def make_imbalanced(dataset: SequenceDataset, keep: dict, seed: int = 0) -> SequenceDataset:
    """A copy of ``dataset`` with only ``keep[c]`` examples of each class ``c`` in ``keep``
    (the first ones in a seeded random order); other classes are kept whole."""
    gen = torch.Generator().manual_seed(seed)
    labels = torch.as_tensor(dataset.labels)
    chosen = []
    for c in labels.unique().tolist():
        idx = (labels == c).nonzero().squeeze(1)  # (n_c,)
        idx = idx[torch.randperm(idx.numel(), generator=gen)]
        chosen += idx[: keep.get(c, idx.numel())].tolist()
    chosen = sorted(chosen)
    return SequenceDataset([dataset.sequences[k] for k in chosen], labels[chosen])


def make_tagging(dataset: SequenceDataset, pairs: int, seed: int = 0) -> SequenceDataset:
    """Per-step tagging: two utterances of different speakers played one after the other;
    the label of every step is the speaker of that step (a "who speaks now?" tagger).

    Returns:
        a dataset of ``pairs`` sequences ``(L_a + L_b, 12)`` with labels ``(L_a + L_b,)``.
    """
    gen = torch.Generator().manual_seed(seed)
    labels = torch.as_tensor(dataset.labels)
    n = len(dataset)
    seqs, tags = [], []
    while len(seqs) < pairs:
        a, b = torch.randint(n, (2,), generator=gen).tolist()
        if labels[a] == labels[b]:
            continue
        xa, xb = dataset.sequences[a], dataset.sequences[b]
        seqs.append(torch.cat([xa, xb]))  # (L_a + L_b, 12)
        tags.append(torch.cat([labels[a].repeat(xa.size(0)), labels[b].repeat(xb.size(0))]))
    return SequenceDataset(seqs, tags)
