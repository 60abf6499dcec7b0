"""Where the LSTM and the n-gram pay their bits: per-character scores grouped by what the
character is (a closing bracket near or far from its opening, a closing quote, indentation,
string and comment text, the rest of the code)."""

from __future__ import annotations

import numpy as np

from .units import syntax_features

__all__ = ["GROUPS", "char_groups", "compare_groups"]

#: The groups, in the order they are reported.
GROUPS = ("closing bracket, same line", "closing bracket, earlier line", "closing quote",
          "indentation", "in strings and comments", "other code", "all")


def char_groups(text: str) -> dict:
    """A boolean mask over the characters of ``text`` for each group of :data:`GROUPS`.

    >>> g = char_groups('f(a,\\n  b) + "x"\\n')
    >>> [i for i, m in enumerate(g["closing bracket, earlier line"]) if m]
    [8]
    >>> [i for i, m in enumerate(g["closing quote"]) if m]
    [14]
    """
    f = syntax_features(text)
    n = len(text)
    masks = {k: np.zeros(n, dtype=bool) for k in GROUPS}
    quoted = (f["in_string"] > 0) | (f["in_comment"] > 0)
    stack, line = [], 0
    for i, ch in enumerate(text):
        inside = quoted[i]
        if ch in "\"'" and not inside and i > 0 and f["in_string"][i - 1] > 0 and (
                text[i - 1] != ch or f["in_string"][max(i - 2, 0)] > 0):
            masks["closing quote"][i] = True
        elif not inside and ch in "([{":
            stack.append(line)
        elif not inside and ch in ")]}" and stack:
            opened = stack.pop()
            key = "same line" if opened == line else "earlier line"
            masks[f"closing bracket, {key}"][i] = True
        if ch == "\n":
            line += 1
    masks["indentation"] = np.array([text[i] == " " and f["column"][i] < f["indent"][i]
                                     for i in range(n)], dtype=bool)
    masks["in strings and comments"] = quoted & ~masks["indentation"]
    special = np.zeros(n, dtype=bool)
    for k in GROUPS[:5]:
        special |= masks[k]
    masks["other code"] = ~special
    masks["all"] = np.ones(n, dtype=bool)
    return masks


def compare_groups(text: str, lstm_log2, ngram_log2) -> dict:
    """Per group: the characters counted, and the mean bits per character of each model."""
    lstm_bits, ngram_bits = -np.asarray(lstm_log2), -np.asarray(ngram_log2)
    if not len(lstm_bits) == len(ngram_bits) == len(text):
        raise ValueError(f"compare_groups: need one score per character ({len(text)}), got "
                         f"{len(lstm_bits)} and {len(ngram_bits)}")
    out = {}
    for name, mask in char_groups(text).items():
        count = int(mask.sum())
        out[name] = {"count": count,
                     "lstm": float(lstm_bits[mask].mean()) if count else None,
                     "ngram": float(ngram_bits[mask].mean()) if count else None}
    return out
