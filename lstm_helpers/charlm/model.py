"""The character model: an embedding, a two-layer ``nn.LSTM`` with dropout between the layers
(Zaremba et al. 2014) and a linear head giving one score per symbol; and
:func:`bits_per_char`, the score of any text."""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import check_int
from .data import Vocab

__all__ = ["CharLM", "bits_per_char", "log2_probs"]


class CharLM(nn.Module):
    """``x (N, L) -> logits (N, L, V)``, with the LSTM state carried in and out.

    Args:
        vocab_size: V, the number of symbols (characters + unknown).
        embedding_dim: size of each character's vector.
        hidden_size: H of both LSTM layers.
        num_layers: LSTM layers (the book uses 2).
        dropout: dropout on the embedding, between the LSTM layers (``nn.LSTM``'s
            ``dropout``) and before the head; active only in ``train()`` mode.
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 32, hidden_size: int = 256,
                 num_layers: int = 2, dropout: float = 0.1):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                            ("hidden_size", hidden_size), ("num_layers", num_layers)):
            check_int(name, value)
        if not 0 <= dropout < 1:
            raise ValueError(f"CharLM: dropout must be in [0, 1), got {dropout!r}")
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers=num_layers,
                            dropout=dropout if num_layers > 1 else 0.0, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x: torch.Tensor, state=None, return_hidden: bool = False):
        """Logits ``(N, L, V)`` and the final ``(h_n, c_n)``; with ``return_hidden`` also the
        top layer's hidden states ``(N, L, H)``."""
        if x.dim() != 2:
            raise ValueError(f"CharLM: x must be (N, L) symbol indices, got shape "
                             f"{tuple(x.shape)}")
        out, state = self.lstm(self.drop(self.embed(x)), state)
        logits = self.head(self.drop(out))
        return (logits, state, out) if return_hidden else (logits, state)


@torch.no_grad()
def log2_probs(model: CharLM, vocab: Vocab, text: str, chunk: int = 2048,
               dtype=None) -> torch.Tensor:
    """``log2 p(c_i | c_<i)`` for every character of ``text`` (float64, length ``len(text)``).

    The model reads a newline first (the context of the first character), then the text, in
    chunks of ``chunk`` characters with the state carried from chunk to chunk: exactly one
    pass over the whole text. Unknown characters are the unknown symbol. ``dtype``
    (for example ``torch.float64``) runs a copy of the model in that precision.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text:
        raise ValueError("text must not be empty")
    was_training = model.training
    if dtype is not None and next(model.parameters()).dtype != dtype:
        import copy

        model = copy.deepcopy(model).to(dtype)
    model.eval()
    ids = vocab.encode("\n" + text)
    out, state = [], None
    for s in range(0, len(ids) - 1, chunk):
        x = ids[s: s + chunk].unsqueeze(0)  # (1, l)
        y = ids[s + 1: s + chunk + 1]  # (l,)
        logits, state = model(x, state)
        lp = torch.log_softmax(logits[0].double(), dim=-1)  # (l, V)
        out.append(lp.gather(1, y.unsqueeze(1)).squeeze(1) / math.log(2))
    if was_training:
        model.train()
    return torch.cat(out)


def bits_per_char(model: CharLM, vocab: Vocab, text: str, dtype=None) -> float:
    """Bits per character of ``text`` under the model: ``-mean log2 p(c_i | c_<i)`` over
    every character (unknown characters count as the unknown symbol)."""
    return float(-log2_probs(model, vocab, text, dtype=dtype).mean())
