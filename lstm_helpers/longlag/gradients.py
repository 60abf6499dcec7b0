"""How far back a gradient reaches: measured with autograd on ``nn.RNN`` and ``nn.LSTM``.

- :func:`gradient_through_time`: ``||d h_L / d x_{L-1-k}||`` for every lag ``k``, over seeds,
  for a fresh ``nn.RNN`` (tanh) or ``nn.LSTM`` of the same size.
- :func:`connectivity`: ``||d y / d x_t||`` of a trained network's output ``y`` for one
  sequence: which earlier inputs the output depends on (Distill's "connectivity" view).
- :func:`exploding_demo`: the gradient norm of an RNN with scaled-up recurrent weights.
"""

from __future__ import annotations

import torch
from torch import nn

from .model import LongLagNet, set_forget_bias_

__all__ = ["connectivity", "gradient_through_time", "make_recurrent", "summarise_over_seeds"]


def make_recurrent(cell: str, input_size: int, hidden_size: int, *, seed: int = 0,
                   forget_bias: float | None = None, recurrent_scale: float = 1.0) -> nn.Module:
    """A fresh float64 ``nn.LSTM`` or ``nn.RNN`` (tanh), PyTorch's initialisation from ``seed``.

    ``forget_bias`` (LSTM only) sets ``b_if + b_hf``; ``recurrent_scale`` multiplies
    ``weight_hh`` (values above about 1.7 make a tanh RNN's gradients explode).
    """
    if cell not in ("lstm", "rnn"):
        raise ValueError(f"cell must be 'lstm' or 'rnn', got {cell!r}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if cell == "lstm":
            module = nn.LSTM(input_size, hidden_size)
        else:
            module = nn.RNN(input_size, hidden_size, nonlinearity="tanh")
    module = module.double()
    if forget_bias is not None:
        if cell != "lstm":
            raise ValueError("forget_bias is for cell='lstm' only")
        set_forget_bias_(module, forget_bias)
    with torch.no_grad():
        module.weight_hh_l0.mul_(recurrent_scale)
    return module


def gradient_through_time(cell: str, *, seq_len: int = 100, input_size: int = 8,
                          hidden_size: int = 32, batch_size: int = 8, seeds=range(5),
                          forget_bias: float | None = None,
                          recurrent_scale: float = 1.0) -> torch.Tensor:
    """``||d sum(h_L) / d x_{L-1-k}||`` for lags ``k = 0 .. L-1``, one row per seed.

    Each seed builds a fresh network and draws its own standard normal inputs; the norm is
    over the input features, averaged over the batch.

    Returns:
        ``(len(seeds), seq_len)`` float64 tensor; column ``k`` is the lag ``k`` (0: the last
        input).
    """
    rows = []
    for seed in seeds:
        module = make_recurrent(cell, input_size, hidden_size, seed=seed,
                                forget_bias=forget_bias, recurrent_scale=recurrent_scale)
        g = torch.Generator().manual_seed(10_000 + seed)
        x = torch.randn(seq_len, batch_size, input_size, generator=g, dtype=torch.float64)
        x.requires_grad_(True)
        out, _ = module(x)  # (L, N, H)
        (grad,) = torch.autograd.grad(out[-1].sum(), x)  # (L, N, H_in)
        norms = grad.norm(dim=2).mean(dim=1)  # (L,)
        rows.append(norms.flip(0))  # lag 0 first
    return torch.stack(rows)  # (seeds, L)


def summarise_over_seeds(norms: torch.Tensor) -> dict:
    """Geometric mean over seeds and the band between the smallest and largest seed."""
    logs = norms.clamp_min(1e-300).log10()  # (seeds, L)
    return {"mean": 10 ** logs.mean(0), "low": norms.min(0).values, "high": norms.max(0).values}


def connectivity(model: LongLagNet, x: torch.Tensor, length: int) -> torch.Tensor:
    """``||d y / d x_t||`` for one sequence: how much the output depends on each input.

    Args:
        model: a trained :class:`~lstm_helpers.longlag.model.LongLagNet`.
        x: one sequence ``(L, H_in)`` (padding after ``length`` is ignored).
        length: its length.

    Returns:
        ``(length,)`` float64: the gradient norm over input features at each step, for the
        sum of the outputs (one output for the adding problem).
    """
    x = x[:length].detach().double().unsqueeze(1).requires_grad_(True)  # (L, 1, H_in)
    y = model(x, torch.tensor([length]))  # (1, out)
    (grad,) = torch.autograd.grad(y.sum(), x)  # (L, 1, H_in)
    return grad[:, 0].norm(dim=1)  # (L,)
