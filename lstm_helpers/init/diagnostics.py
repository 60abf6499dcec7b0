"""Why the scale of the initial weights matters: weight statistics, gate saturation and
gradients through time, measured on any LSTM-like module (see :mod:`.layout`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from lstm_helpers._checks import check_int, format_shape
from lstm_helpers.lstm import GATES

from .layout import LSTMLayout, _params, is_lstm, lstm_layout
from .schemes import uniform_bound, uniform_variance


def uniform_ks_test(values, bound: float) -> tuple[float, float]:
    """Kolmogorov-Smirnov test of ``values`` against ``U(-bound, bound)``.

    Returns ``(statistic, pvalue)`` from ``scipy.stats.kstest``. The statistic is the largest
    gap between the empirical and the uniform CDF; a small p-value (say < 0.01) says the
    values are unlikely to be uniform on that interval.
    """
    from scipy import stats

    bound = float(bound)
    if not math.isfinite(bound) or bound <= 0:
        raise ValueError(f"bound must be finite and > 0, got {bound}")
    x = torch.as_tensor(values).detach().flatten().double().cpu().numpy()
    if x.size == 0:
        raise ValueError("values is empty")
    result = stats.kstest(x, "uniform", args=(-bound, 2 * bound))
    return float(result.statistic), float(result.pvalue)


@dataclass(frozen=True)
class WeightStats:
    """Summary of one parameter (or all of them, ``name="all"``) against ``U(-a, a)``."""

    name: str
    numel: int
    bound: float
    min: float
    max: float
    mean: float
    var: float
    expected_var: float
    ks_statistic: float
    ks_pvalue: float


def _summarise(name: str, values: torch.Tensor, bound: float) -> WeightStats:
    x = values.detach().flatten().double()
    stat, p = uniform_ks_test(x, bound)
    return WeightStats(
        name=name,
        numel=x.numel(),
        bound=bound,
        min=x.min().item(),
        max=x.max().item(),
        mean=x.mean().item(),
        var=x.var(unbiased=False).item(),
        expected_var=uniform_variance(bound),
        ks_statistic=stat,
        ks_pvalue=p,
    )


def weight_stats(module, *, pooled: bool = True) -> list[WeightStats]:
    """Compare every LSTM parameter with PyTorch's ``U(-1/sqrt(H), 1/sqrt(H))``.

    Args:
        module: an LSTM-like module.
        pooled: also add a row ``"all"`` for every LSTM parameter together. Default: True.

    Returns:
        One :class:`WeightStats` per parameter (registration order), then ``"all"``.
    """
    layout = lstm_layout(module)
    bound = uniform_bound(layout.hidden_size)
    params = _params(module)
    rows = [_summarise(n, params[n], bound) for n in layout.names]
    if pooled:
        everything = torch.cat([params[n].detach().flatten() for n in layout.names])
        rows.append(_summarise("all", everything, bound))
    return rows


def flat_weights(module, *, include_biases: bool = True) -> torch.Tensor:
    """Every LSTM parameter of ``module`` as one flat tensor (detached copy)."""
    layout = lstm_layout(module)
    params = _params(module)
    names = [n for n in layout.names if include_biases or n.startswith("weight")]
    return torch.cat([params[n].detach().flatten() for n in names]).clone()


def preactivation_variance(
    input_size: int,
    hidden_size: int,
    *,
    factor: float = 1.0,
    input_var: float = 1.0,
    hidden_var: float = 0.0,
    proj_size: int = 0,
    bias: bool = True,
) -> float:
    """Expected variance of one gate's pre-activation under ``U(-factor*a, factor*a)``.

    A gate's pre-activation is a sum of independent zero-mean terms,
    ``z = W_ih[j] . x + b_ih[j] + W_hh[j] . h + b_hh[j]``, so with every parameter of
    variance ``s**2 = (factor * a)**2 / 3 = factor**2 / (3 H)``:

    ``Var(z) = s**2 * (H_in * E[x**2] + H_out * E[h**2] + 2)``

    (the ``2`` is the two biases, dropped when ``bias=False``; ``H_out = proj_size`` with a
    projection, else ``H``). With ``factor = 1`` the recurrent term is ``E[h**2] / 3``
    whatever ``H`` is; the input term grows like ``H_in / H``.

    Args:
        input_size, hidden_size: ``H_in`` and ``H``, positive ints.
        factor: multiplier of PyTorch's bound. Default: 1.0.
        input_var, hidden_var: ``E[x**2]`` and ``E[h**2]`` per feature. Defaults: 1.0, 0.0
            (the first step, where ``h = 0``).
        proj_size: ``P`` (0: no projection). Default: 0.
        bias: whether the two biases are there. Default: True.
    """
    input_size = check_int("input_size", input_size)
    hidden_size = check_int("hidden_size", hidden_size)
    if proj_size:
        proj_size = check_int("proj_size", proj_size)
    out_size = proj_size or hidden_size
    s2 = uniform_variance(factor * uniform_bound(hidden_size))
    return s2 * (input_size * input_var + out_size * hidden_var + (2.0 if bias else 0.0))


def _as_sequence(module, layout: LSTMLayout, input) -> tuple[torch.Tensor, bool]:
    """``input`` as ``(L, N, H_in)`` in the module's dtype, and whether it was batched."""
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"input must be a torch.Tensor, got {type(input).__name__}")
    if input.dim() not in (2, 3):
        raise ValueError(
            f"input must be (L, N, H_in) or (L, H_in) (a sequence), got shape "
            f"{format_shape(input.shape)}"
        )
    if input.size(-1) != layout.input_size:
        raise ValueError(
            f"input.size(-1) must equal input_size: expected {layout.input_size}, "
            f"got {input.size(-1)}"
        )
    dtype = _params(module)[layout.names[0]].dtype
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(1)
    if batched and layout.batch_first and not layout.is_cell:
        x = x.transpose(0, 1)
    return x.to(dtype), batched


@dataclass
class GateTrace:
    """Pre-activations of one (layer, direction) over a sequence.

    ``z`` is ``(L, N, 4H)`` in time order, gate blocks i, f, g, o; ``h`` is the output
    ``(L, N, H_out)`` and ``c`` the cell state ``(L, N, H)``.
    """

    layer: int
    direction: int
    z: torch.Tensor
    c: torch.Tensor
    h: torch.Tensor

    def activations(self) -> dict[str, torch.Tensor]:
        """The gates themselves: sigmoid for i, f, o and tanh for g, each ``(L, N, H)``."""
        z = dict(zip(GATES, self.z.chunk(4, dim=-1), strict=True))  # 4 x (L, N, H)
        return {k: z[k].tanh() if k == "g" else z[k].sigmoid() for k in GATES}


def gate_trace(module, input: torch.Tensor) -> list[GateTrace]:
    """Run an LSTM-like module from zero states and record every gate pre-activation.

    The forward pass is recomputed from the parameters (PyTorch's modules do not expose
    their gates), for every layer and direction, with projection if there is one.

    Why a loop of its own and not :func:`lstm_helpers.lstm.lstm_layer`: this one keeps the
    pre-activations, and its sums are done in the order the chapter's stored numbers were
    computed in; the fused step rounds differently (it changes a printed saturation share in
    its third decimal). ``tests/test_init.py`` checks it against the module's own output.

    Inputs:
        input: ``(L, N, H_in)`` or ``(L, H_in)``; ``(N, L, H_in)`` for a ``batch_first``
            LSTM. A cell is run over the sequence, so it also takes ``(L, N, H_in)``.

    Returns:
        One :class:`GateTrace` per (layer, direction), in parameter order.
    """
    layout = lstm_layout(module)
    x, _ = _as_sequence(module, layout, input)  # (L, N, H_in)
    params = _params(module)
    L, N = x.shape[:2]
    H, P = layout.hidden_size, layout.output_size
    traces = []
    layer_input = x
    layers = 1 if layout.is_cell else layout.num_layers
    directions = 1 if layout.is_cell else layout.num_directions
    for layer in range(layers):
        outputs = []
        for direction in range(directions):
            sfx = "" if layout.is_cell else f"_l{layer}" + ("_reverse" if direction else "")
            W_ih, W_hh = params["weight_ih" + sfx], params["weight_hh" + sfx]
            xw = layer_input @ W_ih.T  # (L, N, 4H)
            if layout.bias:
                xw = xw + params["bias_ih" + sfx] + params["bias_hh" + sfx]  # (L, N, 4H)
            W_hr = params.get("weight_hr" + sfx)
            h = x.new_zeros(N, P)
            c = x.new_zeros(N, H)
            zs, cs, hs = [None] * L, [None] * L, [None] * L
            steps = range(L - 1, -1, -1) if direction else range(L)
            steps_in = xw.unbind(0)
            for t in steps:
                z = steps_in[t] + h @ W_hh.T  # (N, 4H)
                gate = dict(zip(GATES, z.chunk(4, dim=-1), strict=True))  # 4 x (N, H)
                c = gate["f"].sigmoid() * c + gate["i"].sigmoid() * gate["g"].tanh()  # (N, H)
                h = gate["o"].sigmoid() * c.tanh()  # (N, H)
                if W_hr is not None:
                    h = h @ W_hr.T  # (N, P)
                zs[t], cs[t], hs[t] = z, c, h
            trace = GateTrace(layer, direction, torch.stack(zs), torch.stack(cs), torch.stack(hs))
            traces.append(trace)
            outputs.append(trace.h)
        layer_input = torch.cat(outputs, dim=-1)  # (L, N, D * H_out)
    return traces


def saturation(module, input: torch.Tensor, *, tol: float = 0.05, per_step: bool = False):
    """Share of saturated gates while ``module`` reads ``input`` (from zero states).

    A sigmoid gate (i, f, o) is saturated when it is within ``tol`` of 0 or 1, the tanh
    candidate g when it is within ``tol`` of -1 or +1. There its derivative is nearly 0, so
    hardly any gradient flows through it.

    Args:
        module: an LSTM-like module.
        input: a sequence, as for :func:`gate_trace`.
        tol: distance to the limits that counts as saturated, in (0, 0.5). Default: 0.05.
        per_step: return one value per time step instead of the average. Default: False.

    Returns:
        ``{"i": ..., "f": ..., "g": ..., "o": ..., "all": ...}``: floats in [0, 1], or
        ``(L,)`` tensors with ``per_step=True``; averaged over layers, directions, batch and
        units (and time steps).
    """
    tol = float(tol)
    if not 0 < tol < 0.5:
        raise ValueError(f"tol must be in (0, 0.5), got {tol}")
    traces = gate_trace(module, input)
    counts: dict[str, list[torch.Tensor]] = {g: [] for g in GATES}
    for trace in traces:
        for gate, a in trace.activations().items():  # (L, N, H)
            if gate == "g":
                sat = (1 - a.abs()) < tol
            else:
                sat = (a < tol) | (a > 1 - tol)
            counts[gate].append(sat.double().mean(dim=(1, 2)))  # (L,)
    result = {g: torch.stack(v).mean(0) for g, v in counts.items()}  # (L,) each
    result["all"] = torch.stack([result[g] for g in GATES]).mean(0)  # (L,)
    if per_step:
        return result
    return {k: v.mean().item() for k, v in result.items()}


def _run(module, layout: LSTMLayout, x: torch.Tensor) -> torch.Tensor:
    """Run the module itself over ``x`` ``(L, N, H_in)``; top-layer output ``(L, N, D*H_out)``."""
    if layout.is_cell:
        N = x.size(1)
        hx = (x.new_zeros(N, layout.output_size), x.new_zeros(N, layout.hidden_size))
        hs = []
        for x_t in x.unbind(0):
            hx = module(x_t, hx)
            hs.append(hx[0])
        return torch.stack(hs)  # (L, N, H_out)
    if layout.batch_first:
        return module(x.transpose(0, 1))[0].transpose(0, 1)  # (L, N, D*H_out)
    return module(x)[0]  # (L, N, D*H_out)


def gradient_reach(module, input: torch.Tensor, warm_up: torch.Tensor | None = None
                   ) -> torch.Tensor:
    """How strongly the last output reacts to each earlier input: ``r[k]`` for ``k`` steps back.

    The book's one measurement of gradients through time (chapters 2, 4 and 7 call it). One
    vector-Jacobian product with a vector of ones, the gradient of the sum of the last step's
    output with respect to every input, then per step its norm over the input features,
    averaged over the batch:

    .. math:: r_k = \\frac{1}{N} \\sum_n \\big\\lVert \\partial\\, \\mathbf 1^\\top y_{L-1,n}
              \\,/\\, \\partial x_{L-1-k,\\,n} \\big\\rVert_2

    Why this normalisation: the norm over features is the size of the gradient that reaches
    one input vector; the mean over the batch makes the number independent of the batch size
    (a norm over the whole batch would grow with sqrt(N)); and the lag ``k`` (0: the last
    input) puts "k steps back" on the axis whatever the sequence length. Values that shrink
    fast with ``k`` mean early inputs barely reach the end (vanishing gradients); values that
    grow mean exploding gradients.

    Args:
        module: an LSTM-like module (``nn.LSTM``, ``nn.LSTMCell``, the book's ``LSTM``: any
            layout :func:`~lstm_helpers.init.lstm_layout` recognises) or any other recurrent
            module called as ``module(x) -> (output (L, N, H), state)`` (``nn.RNN``, ``nn.GRU``,
            not batch-first).
        input: ``(L, N, H_in)`` or ``(L, H_in)``; ``(N, L, H_in)`` for a batch-first LSTM.
        warm_up: optional inputs ``(L_0, N, H_in)`` run first, with no gradient taken with
            respect to them, so that the state at ``input[0]`` is no longer zero. Default:
            ``None``.

    Returns:
        ``(L,)`` float64 tensor, index ``k`` = steps back from the last input.
    """
    if is_lstm(module):
        layout = lstm_layout(module)
        x, _ = _as_sequence(module, layout, input)  # (L, N, H_in)
    elif isinstance(input, torch.Tensor) and input.dim() in (2, 3):
        layout = None
        x = input if input.dim() == 3 else input.unsqueeze(1)  # (L, N, H_in)
    else:
        raise ValueError(f"input must be a (L, N, H_in) or (L, H_in) tensor, got "
                         f"{type(input).__name__} {getattr(input, 'shape', '')}")
    x = x.detach().clone().requires_grad_(True)  # (L, N, H_in)
    full = x if warm_up is None else torch.cat([warm_up.to(x.dtype), x])  # (L0 + L, N, H_in)
    with torch.enable_grad():
        out = _run(module, layout, full) if layout is not None else module(full)[0]
        (grad,) = torch.autograd.grad(out[-1].sum(), x)  # (L, N, H_in)
    return grad.double().norm(dim=-1).mean(dim=1).flip(0)  # (L,), index k = steps back


def gradient_norms_through_time(module, input: torch.Tensor) -> torch.Tensor:
    """:func:`gradient_reach` in time order: entry ``t`` for the input at step ``t``
    (``gradient_reach(module, input).flip(0)``), as chapter 4 plots it against the step.

    Returns:
        ``(L,)`` float64 tensor.
    """
    return gradient_reach(module, input).flip(0)  # (L,), index t = time step
