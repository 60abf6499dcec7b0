"""The baselines on the corpus: the unigram model and Kneser-Ney n-grams of every order, scored
on the validation and test files (``python -m lstm_helpers.charlm ngram``; the shipped scores:
``data/charlm/ngram.json``)."""

from __future__ import annotations

from .data import load_corpus
from .ngram import KneserNey, Unigram, bits_per_char_of

__all__ = ["fit_ngram", "score_ngrams"]


def fit_ngram(corpus=None, vocab=None, max_order: int = 12):
    """``(kneser_ney, unigram, vocab)`` fitted on the training files (read as the LSTM reads
    them: a newline, then the files concatenated)."""
    from .data import Vocab

    corpus = load_corpus() if corpus is None else corpus
    text = corpus.text("train")
    vocab = Vocab.from_text(text) if vocab is None else vocab
    ids = vocab.encode("\n" + text).numpy()
    return KneserNey(ids, len(vocab), max_order), Unigram(ids[1:], len(vocab)), vocab


def score_ngrams(corpus=None, max_order: int = 12) -> dict:
    """Bits per character of the unigram and of Kneser-Ney of each order ``n <= max_order``
    on the validation and test files, and the order that scores best on validation."""
    corpus = load_corpus() if corpus is None else corpus
    kn, uni, vocab = fit_ngram(corpus, max_order=max_order)
    newline = [vocab.index["\n"]]
    texts = {s: vocab.encode(corpus.text(s)).numpy() for s in ("validation", "test")}
    scores = {"unigram": {s: bits_per_char_of(uni, ids) for s, ids in texts.items()},
              "kneser_ney": {}}
    for n in range(1, max_order + 1):
        scores["kneser_ney"][n] = {s: bits_per_char_of(kn, ids, n, newline)
                                   for s, ids in texts.items()}
        scores["kneser_ney"][n]["discounts"] = kn.discounts(n)
    best = min(scores["kneser_ney"], key=lambda n: scores["kneser_ney"][n]["validation"])
    scores["best_order"] = best
    scores["best"] = {s: scores["kneser_ney"][best][s] for s in ("validation", "test")}
    scores["corpus"] = corpus.report()
    return scores
