"""How far back a gradient reaches: measured with autograd on ``nn.RNN`` and ``nn.LSTM``.

- :func:`gradient_through_time`: ``||d h_L / d x_{L-1-k}||`` for every lag ``k``, over seeds,
  for a fresh ``nn.RNN`` (tanh) or ``nn.LSTM`` of the same size.
- :func:`connectivity`: ``||d y / d x_t||`` of a trained network's output ``y`` for one
  sequence: which earlier inputs the output depends on (Distill's "connectivity" view).
- :func:`cell_path_gradients`: the LSTM's gradient through time with every path, or with the
  cell path alone (``h_{t-1}`` detached where it enters the gates), and its mean ``|c_t|``.
- :func:`spectral_bound`: the bound ``||d h_t / d h_k|| <= (gamma * sigma_max(W_hh))^(t-k)``
  of a tanh RNN (Pascanu et al. 2013), for a real recurrent matrix.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import format_shape
from ..init import gradient_reach
from .model import LongLagNet, set_forget_bias_

__all__ = [
    "cell_path_gradients", "connectivity", "gradient_through_time", "make_recurrent",
    "cell_state_drift", "jacobian_product_norms", "spectral_bound", "summarise_over_seeds",
]


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

    Each seed builds a fresh network and draws its own standard normal inputs; each row is
    the book's one gradient-reach measurement, :func:`lstm_helpers.init.gradient_reach` (the
    norm over the input features, averaged over the batch, indexed by lag).

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
        rows.append(gradient_reach(module, x))  # (L,), lag 0 first
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


def cell_path_gradients(*, forget_bias: float | None = 3.0, detach_hidden: bool = False,
                        seq_len: int = 100, input_size: int = 8, hidden_size: int = 32,
                        batch_size: int = 8, seeds=range(5)) -> dict:
    """The measurement of :func:`gradient_through_time` for a fresh LSTM, stepped by hand.

    With ``detach_hidden``, ``h_{t-1}`` is detached where it enters the gates, so the only
    path left from ``x_k`` to ``h_L`` runs along the cell state (through the forget gates).
    Same networks and inputs as :func:`gradient_through_time` for the same seeds.

    Returns:
        ``{"norms": (seeds, L) lag 0 first, "abs_c": (seeds, L) mean |c_t| per step (t = 1
        first), "dtanh_c": (seeds, L) mean tanh'(c_t) per step, "ratio_99_10": (seeds,) the
        norm at lag 99 over the norm at lag 10}``.
    """
    norms, abs_c, dtanhs = [], [], []
    for seed in seeds:
        lstm = make_recurrent("lstm", input_size, hidden_size, seed=seed, forget_bias=forget_bias)
        g = torch.Generator().manual_seed(10_000 + seed)
        x = torch.randn(seq_len, batch_size, input_size, generator=g, dtype=torch.float64)
        x.requires_grad_(True)
        w_ih, w_hh = lstm.weight_ih_l0, lstm.weight_hh_l0  # (4H, H_in), (4H, H)
        b = lstm.bias_ih_l0 + lstm.bias_hh_l0  # (4H,)
        h = x.new_zeros(batch_size, hidden_size)  # (N, H)
        c = x.new_zeros(batch_size, hidden_size)  # (N, H)
        cs, dtanh = [], []
        for t in range(seq_len):
            h_in = h.detach() if detach_hidden else h
            z_i, z_f, z_g, z_o = (x[t] @ w_ih.T + h_in @ w_hh.T + b).chunk(4, dim=1)
            c = torch.sigmoid(z_f) * c + torch.sigmoid(z_i) * torch.tanh(z_g)  # (N, H)
            h = torch.sigmoid(z_o) * torch.tanh(c)  # (N, H)
            cs.append(c.detach().abs().mean())
            dtanh.append((1 - torch.tanh(c.detach()) ** 2).mean())
        (grad,) = torch.autograd.grad(h.sum(), x)  # (L, N, H_in)
        norms.append(grad.norm(dim=2).mean(dim=1).flip(0))  # (L,) lag 0 first
        abs_c.append(torch.stack(cs))
        dtanhs.append(torch.stack(dtanh))
    norms = torch.stack(norms)  # (seeds, L)
    return {"norms": norms, "abs_c": torch.stack(abs_c), "dtanh_c": torch.stack(dtanhs),
            "ratio_99_10": norms[:, 99] / norms[:, 10]}


def spectral_bound(weight_hh: torch.Tensor, lags, gamma: float = 1.0) -> dict:
    """Pascanu, Mikolov and Bengio (2013): for ``h_t = tanh(W_hh h_{t-1} + ...)`` each step's
    Jacobian is ``diag(tanh'(.)) W_hh``, with ``|tanh'| <= gamma = 1``, so
    ``||d h_t / d h_k|| <= (gamma * sigma_max)^(t - k)``, ``sigma_max`` the largest singular
    value of ``W_hh``. Below 1 the gradient must vanish; above 1 it may (not must) explode.

    Args:
        weight_hh: ``(H, H)``, a tanh RNN's recurrent matrix. lags: the ``t - k`` to evaluate.
        gamma: the bound on the nonlinearity's derivative (1 for tanh, 1/4 for a sigmoid).

    Returns:
        ``{"sigma_max": float, "bound": (len(lags),) float64 tensor}``.
    """
    w = torch.as_tensor(weight_hh).detach().double()
    if w.dim() != 2 or w.size(0) != w.size(1):
        raise ValueError(f"weight_hh must be a square (H, H) matrix, got shape "
                         f"{format_shape(w.shape)}")
    sigma = torch.linalg.matrix_norm(w, ord=2).item()  # the largest singular value
    lags = torch.as_tensor(list(lags), dtype=torch.float64)
    return {"sigma_max": sigma, "bound": (gamma * sigma) ** lags}


@torch.no_grad()
def jacobian_product_norms(rnn: nn.RNN, x: torch.Tensor) -> torch.Tensor:
    """``||d h_L / d h_{L-k}||`` (spectral norm) for ``k = 1 .. L-1``, measured along the
    trajectory of one sequence through a one-layer tanh ``nn.RNN``: the product of the step
    Jacobians ``diag(1 - h_t^2) W_hh`` that :func:`spectral_bound` bounds.

    Args:
        rnn: a one-layer ``nn.RNN`` with ``nonlinearity="tanh"``. x: one sequence ``(L, H_in)``.

    Returns:
        ``(L - 1,)`` float64; entry ``k - 1`` is lag ``k``.
    """
    if not isinstance(rnn, nn.RNN) or rnn.nonlinearity != "tanh" or rnn.num_layers != 1:
        raise ValueError("jacobian_product_norms needs a one-layer tanh nn.RNN")
    w = rnn.weight_hh_l0.double()  # (H, H)
    h, _ = rnn.double()(x.double().unsqueeze(1))  # (L, 1, H)
    h = h[:, 0]  # (L, H)
    product = torch.eye(w.size(0), dtype=torch.float64)  # d h_L / d h_L
    norms = []
    for t in range(h.size(0) - 1, 0, -1):  # step t's Jacobian: d h_t / d h_{t-1}
        product = product @ ((1 - h[t] ** 2)[:, None] * w)  # (H, H)
        norms.append(torch.linalg.matrix_norm(product, ord=2))
    return torch.stack(norms)  # (L - 1,)


@torch.no_grad()
def cell_state_drift(model: LongLagNet, x: torch.Tensor, steps: int) -> dict:
    """How far an LSTM's cell states drift over the first ``steps`` steps of a batch: the
    paper's "internal state drift" (Hochreiter and Schmidhuber 1997, section 4), measured.

    Args:
        model: a :class:`LongLagNet` with ``cell="lstm"`` (fresh or trained). x: a batch
            ``(L, N, H_in)`` with every sequence at least ``steps`` long. steps: how many.

    Returns:
        ``{"abs_c": (steps,), "dtanh_c": (steps,), "input_gate": (steps,)}``: per step, the
        mean over units and sequences of ``|c_t|``, of ``tanh'(c_t) = 1 - tanh(c_t)^2`` (the
        factor on every gradient that reaches ``c_t`` through ``h_t``) and of ``i_t``.
    """
    lstm = model.rnn
    if not isinstance(lstm, nn.LSTM):
        raise ValueError("cell_state_drift needs a LongLagNet with cell='lstm'")
    w_ih, w_hh = lstm.weight_ih_l0.double(), lstm.weight_hh_l0.double()
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).double()  # (4H,)
    x = x[:steps].double()  # (steps, N, H_in)
    h = x.new_zeros(x.size(1), lstm.hidden_size)  # (N, H)
    c = torch.zeros_like(h)
    abs_c, dtanh, gate = [], [], []
    for x_t in x:
        z_i, z_f, z_g, z_o = (x_t @ w_ih.T + h @ w_hh.T + b).chunk(4, dim=1)
        i = torch.sigmoid(z_i)
        c = torch.sigmoid(z_f) * c + i * torch.tanh(z_g)  # (N, H)
        h = torch.sigmoid(z_o) * torch.tanh(c)
        abs_c.append(c.abs().mean())
        dtanh.append((1 - torch.tanh(c) ** 2).mean())
        gate.append(i.mean())
    return {"abs_c": torch.stack(abs_c), "dtanh_c": torch.stack(dtanh),
            "input_gate": torch.stack(gate)}
