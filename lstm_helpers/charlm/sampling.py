"""Writing text with the model: greedy, temperature and top-k sampling, and the entropy of
what is sampled.

At each step the model gives logits ``z`` over the symbols; sampling with temperature ``T``
draws from ``softmax(z / T)`` (``T -> 0``: greedy, the arg max; ``T = 1``: the model's own
distribution; ``T > 1``: flatter). Top-k keeps the ``k`` largest logits and renormalises. The
entropy of a step's distribution, ``-sum p log2 p`` in bits, says how many bits of choice the
sampler had there; its mean over a sample is reported by :func:`sample_with_entropy`.
"""

from __future__ import annotations

import math

import torch

from .._checks import check_int
from .data import Vocab
from .model import CharLM

__all__ = ["entropy_bits", "next_distribution", "sample", "sample_with_entropy"]


def next_distribution(logits: torch.Tensor, temperature: float = 1.0,
                      top_k: int | None = None) -> torch.Tensor:
    """The distribution to sample from: ``softmax(logits / temperature)`` over the top ``k``.

    ``temperature = 0`` gives the greedy choice (all mass on the arg max).

    >>> next_distribution(torch.tensor([0.0, math.log(3.0)])).round(decimals=6).tolist()
    [0.25, 0.75]
    >>> next_distribution(torch.tensor([0.0, 1.0, 3.0]), temperature=0).tolist()
    [0.0, 0.0, 1.0]
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature!r}")
    logits = logits.double()
    if top_k is not None:
        check_int("top_k", top_k)
        kth = torch.topk(logits, min(top_k, logits.size(-1)), dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, -math.inf)
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(-1), logits.size(-1)).double()
    return torch.softmax(logits / temperature, dim=-1)


def entropy_bits(p: torch.Tensor) -> torch.Tensor:
    """``-sum p log2 p`` over the last dimension (0 log 0 = 0).

    >>> float(entropy_bits(torch.tensor([0.5, 0.5])))
    1.0
    """
    return -(p * torch.log2(p.clamp_min(1e-300))).where(p > 0, torch.zeros(())).sum(-1)


@torch.no_grad()
def sample_with_entropy(model: CharLM, vocab: Vocab, prompt: str = "def ", length: int = 200,
                        temperature: float = 1.0, top_k: int | None = None,
                        seed: int = 0) -> tuple[str, float]:
    """``(text, mean entropy in bits)``: ``length`` characters after ``prompt`` (the prompt is
    read after a newline, as every text is) and the mean entropy of the distributions they
    were drawn from. Deterministic for a seed (on one machine)."""
    check_int("length", length)
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    ids = vocab.encode("\n" + prompt).unsqueeze(0)
    logits, state = model(ids)
    z = logits[0, -1]
    out, entropies = [], []
    for _ in range(length):
        p = next_distribution(z, temperature, top_k)
        entropies.append(float(entropy_bits(p)))
        i = int(torch.multinomial(p, 1, generator=gen)) if temperature > 0 else int(p.argmax())
        out.append(i)
        logits, state = model(torch.tensor([[i]]), state)
        z = logits[0, -1]
    return prompt + vocab.decode(out), sum(entropies) / len(entropies)


def sample(model: CharLM, vocab: Vocab, prompt: str = "def ", length: int = 200,
           temperature: float = 1.0, top_k: int | None = None, seed: int = 0) -> str:
    """``prompt`` and ``length`` sampled characters (see :func:`sample_with_entropy`)."""
    return sample_with_entropy(model, vocab, prompt, length, temperature, top_k, seed)[0]
