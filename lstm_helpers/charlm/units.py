"""Cells that learn syntax (Karpathy, Johnson & Fei-Fei 2015): trace every unit of the trained
model over a text, compute simple features of each character, and correlate the two.

- :func:`syntax_features`: for every character, whether it is inside a string literal, inside
  a comment, the bracket depth, the indentation of its line and its position in the line.
- :func:`trace_states`: the cell state ``c`` and hidden state ``h`` of every unit of every
  layer after each character, stepping the six equations (:func:`lstm_helpers.lstm.lstm_cell`)
  with the model's weights.
- :func:`correlate`: Pearson's r between every unit and every feature;
  :func:`best_units`: the unit that tracks each feature best.
"""

from __future__ import annotations

import numpy as np
import torch

from ..lstm import lstm_cell
from .data import Vocab
from .model import CharLM

__all__ = ["FEATURES", "best_units", "correlate", "syntax_features", "trace_states"]

#: The features, in the order :func:`syntax_features` returns them.
FEATURES = ("in_string", "in_comment", "bracket_depth", "indent", "column")


def syntax_features(text: str) -> dict:
    """Per character of ``text``: ``in_string`` (1 between an opening and its closing quote,
    the quotes themselves excluded; triple quotes too), ``in_comment`` (from ``#`` to the end of
    the line, outside strings), ``bracket_depth`` (open ``([{`` outside strings and comments,
    counted after the character), ``indent`` (leading spaces of the character's line) and
    ``column`` (its position in the line, from 0).

    A simple scanner, not Python's tokenizer: it works on any snippet, and escapes
    (``\\"``) are honoured.

    >>> f = syntax_features('x = f("a(")  # b')
    >>> f["in_string"].astype(int).tolist()
    [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    >>> f["bracket_depth"].astype(int).tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    n = len(text)
    out = {k: np.zeros(n) for k in FEATURES}
    quote, comment, depth, indent, col, leading, esc = None, False, 0, 0, 0, True, False
    i = 0
    while i < n:
        ch = text[i]
        if ch == "\n":
            out["indent"][i], out["column"][i] = indent, col
            out["in_string"][i] = quote is not None and len(quote) == 3
            out["bracket_depth"][i] = depth
            comment, col, indent, leading = False, 0, 0, True
            if quote is not None and len(quote) == 1:
                quote = None  # an unterminated one-line string ends with the line
            i += 1
            continue
        if leading and ch == " ":
            indent += 1
        elif leading:
            leading = False
        step = 1
        if quote is not None:
            in_string = True
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif text.startswith(quote, i):
                step, in_string, quote = len(quote), False, None
        elif comment:
            in_string = False
        elif ch == "#":
            comment, in_string = True, False
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            step, in_string = len(quote), False
        else:
            in_string = False
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(depth - 1, 0)
        for j in range(i, min(i + step, n)):
            out["in_string"][j] = in_string
            out["in_comment"][j] = comment
            out["bracket_depth"][j] = depth
            out["indent"][j] = indent
            out["column"][j] = col + (j - i)
        col += step
        i += step
    return out


@torch.no_grad()
def trace_states(model: CharLM, vocab: Vocab, text: str, dtype=torch.float64) -> dict:
    """``{"h": (L, layers, H), "c": (L, layers, H)}``: every unit's state after each character
    of ``text`` (read after a newline, from a zero state), in ``dtype``."""
    if not text:
        raise ValueError("text must not be empty")
    lstm = model.lstm
    ids = vocab.encode("\n" + text)
    x = model.embed.weight.detach().to(dtype)[ids]  # (L + 1, E)
    layers = lstm.num_layers
    H = lstm.hidden_size
    weights = [[getattr(lstm, f"{w}_l{k}").detach().to(dtype)
                for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")] for k in range(layers)]
    hs = torch.zeros(len(ids), layers, H, dtype=dtype)
    cs = torch.zeros(len(ids), layers, H, dtype=dtype)
    state = [(torch.zeros(1, H, dtype=dtype), torch.zeros(1, H, dtype=dtype))] * layers
    for t in range(len(ids)):
        inp = x[t: t + 1]  # (1, E)
        for k in range(layers):
            state[k] = lstm_cell(inp, state[k], *weights[k])
            inp = state[k][0]
            hs[t, k], cs[t, k] = state[k][0][0], state[k][1][0]
    return {"h": hs[1:].numpy(), "c": cs[1:].numpy()}  # the state after each text character


def correlate(values: np.ndarray, features: dict) -> np.ndarray:
    """Pearson's r between each column of ``values`` (L, U) and each feature (F of them, in
    the dict's order): an array (U, F); 0 where a column or a feature is constant."""
    v = np.asarray(values, dtype=np.float64)
    f = np.stack([np.asarray(a, dtype=np.float64) for a in features.values()], axis=1)
    if v.ndim != 2 or len(v) != len(f):
        raise ValueError(f"values must be (L, U) with L = {len(f)}, got shape {v.shape}")
    v = v - v.mean(0)
    f = f - f.mean(0)
    num = v.T @ f  # (U, F)
    den = np.sqrt((v**2).sum(0))[:, None] * np.sqrt((f**2).sum(0))[None, :]
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def best_units(states: dict, features: dict) -> dict:
    """Per feature: the unit with the largest ``|r|`` over every layer and both ``h`` and
    ``c``: ``{"kind", "layer", "unit", "r"}``."""
    best = {}
    for kind in ("c", "h"):
        L, layers, H = states[kind].shape
        r = correlate(states[kind].reshape(L, layers * H), features)  # (layers H, F)
        for j, name in enumerate(features):
            u = int(np.abs(r[:, j]).argmax())
            if name not in best or abs(r[u, j]) > abs(best[name]["r"]):
                best[name] = {"kind": kind, "layer": u // H, "unit": u % H, "r": float(r[u, j])}
    return best
