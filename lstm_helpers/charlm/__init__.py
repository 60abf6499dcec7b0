"""Chapter 9: a character-level LSTM trained on the source of Python's standard library.

- :mod:`.data`: the corpus (standard-library files, split by file, checked against the
  shipped manifest of SHA-256 hashes) and the vocabulary.
- :mod:`.ngram`: the baselines, a unigram model and interpolated Kneser-Ney n-grams.
- :mod:`.model`: embedding, two-layer ``nn.LSTM``, linear head; :func:`bits_per_char`.
- :mod:`.training`: truncated BPTT with carried state, clipping, Adam with a cosine schedule,
  checkpoints and resume; ``Config``, ``train``, ``GOAL``.
- ``python -m lstm_helpers.charlm train ...``: the command line.
"""

from .data import SPLITS, UNK, Corpus, Vocab, build_manifest, load_corpus, load_manifest
from .model import CharLM, bits_per_char, log2_probs
from .ngram import KneserNey, Unigram, bits_per_char_of
from .training import GOAL, Config, batches, make_model, stream_bits_per_char, train
from .weights import load_pretrained, load_weights, save_weights

__all__ = [
    "GOAL", "SPLITS", "UNK", "CharLM", "Config", "Corpus", "KneserNey", "Unigram", "Vocab",
    "batches", "bits_per_char", "bits_per_char_of", "build_manifest", "load_corpus",
    "load_manifest", "load_pretrained", "load_weights", "log2_probs", "make_model",
    "save_weights", "stream_bits_per_char", "train",
]
