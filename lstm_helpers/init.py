"""Weight initialisation for LSTMs: PyTorch's default, the usual alternatives, and the
statistics that explain why the scale matters.

PyTorch draws every LSTM weight and bias from the same uniform distribution

.. math::

    \\mathcal{U}(-\\sqrt{k}, \\sqrt{k}), \\qquad k = \\frac{1}{\\text{hidden\\_size}},

for ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` and, with ``proj_size > 0``,
``weight_hr`` too (still ``k = 1/hidden_size``, not ``1/proj_size``).

Everything here works on any LSTM-like module by parameter name: ``torch.nn.LSTM``,
``torch.nn.LSTMCell`` and the book's ``lstm_helpers.lstm.LSTM``/``LSTMCell``. Parameter names
follow PyTorch: ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``,
``weight_hr_l{k}``, with a ``_reverse`` suffix for the backward direction (a cell has no
``_l{k}``). Gate blocks are stacked in PyTorch's order i, f, g, o: rows ``0:H`` are the input
gate, ``H:2H`` the forget gate, ``2H:3H`` the cell candidate, ``3H:4H`` the output gate.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

import torch
from torch import nn

GATES = ("i", "f", "g", "o")
"""Gate order of PyTorch's stacked weights: input, forget, cell candidate (g), output."""

SCHEMES = ("pytorch", "xavier", "orthogonal", "forget_bias", "scaled")
"""Names accepted by :func:`init_lstm_`."""

_NAME = re.compile(r"^(weight|bias)_(ih|hh|hr)(?:_l(\d+))?(_reverse)?$")


# --------------------------------------------------------------------------------------
# The bound and the moments of a uniform distribution
# --------------------------------------------------------------------------------------


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__}") from None
    if value <= 0:
        raise ValueError(f"{name} must be a positive int: expected > 0, got {value}")
    return value


def uniform_bound(hidden_size: int) -> float:
    """The bound ``a = sqrt(k) = 1/sqrt(hidden_size)`` of PyTorch's LSTM initialisation.

    Every LSTM parameter starts as a draw from ``U(-a, a)``.

    Args:
        hidden_size: ``H_cell``, the number of features of the cell state (``proj_size``
            plays no part).

    Raises:
        TypeError: ``hidden_size`` is not an integer.
        ValueError: ``hidden_size`` is not positive.
    """
    hidden_size = _positive_int(hidden_size, "hidden_size")
    return 1.0 / math.sqrt(hidden_size)


def uniform_variance(bound: float) -> float:
    """Variance of ``U(-a, a)``: ``a**2 / 3`` (its mean is 0).

    The interval has width ``2a`` and a uniform distribution of width ``w`` has variance
    ``w**2 / 12``; ``(2a)**2 / 12 = a**2 / 3``.
    """
    bound = float(bound)
    if not math.isfinite(bound) or bound < 0:
        raise ValueError(f"bound must be a finite number >= 0, got {bound}")
    return bound * bound / 3.0


def gate_slice(gate: str, hidden_size: int) -> slice:
    """Rows of a stacked weight or bias that belong to ``gate`` (order i, f, g, o).

    >>> gate_slice("f", 20)
    slice(20, 40, None)
    """
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    hidden_size = _positive_int(hidden_size, "hidden_size")
    k = GATES.index(gate)
    return slice(k * hidden_size, (k + 1) * hidden_size)


# --------------------------------------------------------------------------------------
# Recognising an LSTM by its parameters
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LSTMLayout:
    """What the parameters of an LSTM-like module say about it.

    ``hidden_size`` is ``H_cell``; ``output_size`` is ``proj_size`` when there is a
    projection, else ``hidden_size``. ``is_cell`` is True for an ``LSTMCell`` (names without
    ``_l{k}``). ``names`` lists the LSTM parameters in registration order.
    """

    input_size: int
    hidden_size: int
    proj_size: int
    num_layers: int
    num_directions: int
    bias: bool
    is_cell: bool
    batch_first: bool
    names: tuple[str, ...]

    @property
    def output_size(self) -> int:
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    def suffixes(self) -> list[str]:
        """Name suffixes per (layer, direction), in PyTorch's order."""
        if self.is_cell:
            return [""]
        return [
            f"_l{layer}" + ("_reverse" if direction else "")
            for layer in range(self.num_layers)
            for direction in range(self.num_directions)
        ]


def _not_an_lstm(module, why: str) -> TypeError:
    return TypeError(
        f"expected an LSTM-like module (torch.nn.LSTM, torch.nn.LSTMCell or "
        f"lstm_helpers.lstm.LSTM/LSTMCell), got {type(module).__name__}: {why}"
    )


def lstm_layout(module) -> LSTMLayout:
    """Check that ``module`` is an LSTM by its parameters, and describe it.

    Works from parameter names and shapes alone, so that PyTorch's modules and the book's
    drop-in equivalents are treated the same way.

    Raises:
        TypeError: not an ``nn.Module``, no LSTM parameters, or the shapes of another
            recurrent module (a GRU has 3 gate blocks, an RNN 1, an LSTM 4).
    """
    if not isinstance(module, nn.Module):
        raise _not_an_lstm(module, "not a torch.nn.Module")
    params = dict(module.named_parameters(recurse=False))
    names = tuple(n for n in params if _NAME.match(n))
    if not names:
        raise _not_an_lstm(module, "it has no parameter named weight_ih_l0 or weight_ih")
    is_cell = "weight_ih" in params
    if not is_cell and "weight_ih_l0" not in params:
        raise _not_an_lstm(module, "it has no parameter named weight_ih_l0 or weight_ih")
    first = "" if is_cell else "_l0"
    w_ih = params["weight_ih" + first]
    if w_ih.dim() != 2 or w_ih.shape[0] % 4:
        raise _not_an_lstm(
            module,
            f"weight_ih{first} has shape {tuple(w_ih.shape)}; an LSTM stacks 4 gate blocks "
            "(i, f, g, o), so it needs 4 * hidden_size rows",
        )
    hidden_size = w_ih.shape[0] // 4
    declared = getattr(module, "hidden_size", hidden_size)
    if declared != hidden_size:
        raise _not_an_lstm(
            module,
            f"weight_ih{first} has {w_ih.shape[0]} rows, expected 4 * hidden_size = "
            f"{4 * declared} (an LSTM stacks 4 gate blocks i, f, g, o)",
        )
    layers = {0}
    directions = {0}
    for n in names:
        m = _NAME.match(n)
        if (m.group(3) is None) != is_cell:
            raise _not_an_lstm(module, f"it mixes cell and layer parameter names ({n})")
        if m.group(3) is not None:
            layers.add(int(m.group(3)))
        if m.group(4):
            directions.add(1)
    num_layers = max(layers) + 1
    num_directions = len(directions)
    proj_name = "weight_hr" + first
    proj_size = params[proj_name].shape[0] if proj_name in params else 0
    bias = ("bias_ih" + first) in params
    layout = LSTMLayout(
        input_size=w_ih.shape[1],
        hidden_size=hidden_size,
        proj_size=proj_size,
        num_layers=num_layers,
        num_directions=num_directions,
        bias=bias,
        is_cell=is_cell,
        batch_first=bool(getattr(module, "batch_first", False)),
        names=names,
    )
    H, P = hidden_size, layout.output_size
    for layer_index, sfx in enumerate(layout.suffixes()):
        layer = 0 if is_cell else layer_index // num_directions
        in_size = layout.input_size if layer == 0 else num_directions * P
        expected = {"weight_ih": (4 * H, in_size), "weight_hh": (4 * H, P)}
        if bias:
            expected.update(bias_ih=(4 * H,), bias_hh=(4 * H,))
        if proj_size:
            expected["weight_hr"] = (P, H)
        for kind, shape in expected.items():
            p = params.get(kind + sfx)
            if p is None or tuple(p.shape) != shape:
                got = "missing" if p is None else tuple(p.shape)
                raise _not_an_lstm(
                    module, f"{kind + sfx} should have shape {shape}, got {got}"
                )
    return layout


def is_lstm(module) -> bool:
    """True if :func:`lstm_layout` accepts ``module``."""
    try:
        lstm_layout(module)
    except TypeError:
        return False
    return True


def _params(module) -> dict[str, nn.Parameter]:
    return dict(module.named_parameters(recurse=False))


# --------------------------------------------------------------------------------------
# The initialisers (in place, like torch.nn.init)
# --------------------------------------------------------------------------------------


def _check_generator(generator):
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator)}")


@torch.no_grad()
def scaled_init_(module, factor: float = 1.0, *, generator=None):
    """Draw every LSTM parameter from ``U(-factor * a, factor * a)``, ``a = 1/sqrt(H)``.

    ``factor=1`` is PyTorch's default; larger factors saturate the gates, smaller ones make
    the signal and its gradient fade. Parameters are visited in registration order, so with
    the same random state ``scaled_init_(m, 1.0)`` gives exactly what
    ``m.reset_parameters()`` gives.

    Args:
        module: an LSTM-like module (see :func:`lstm_layout`).
        factor: multiplier of the bound, finite and > 0. Default: 1.0.
        generator: a ``torch.Generator`` for the draws. Default: None (the global one).

    Returns:
        ``module``, changed in place.
    """
    layout = lstm_layout(module)
    if isinstance(factor, bool) or not isinstance(factor, int | float):
        raise TypeError(f"factor must be a number, got {type(factor).__name__}")
    if not math.isfinite(factor) or factor <= 0:
        raise ValueError(f"factor must be finite and > 0, got {factor}")
    _check_generator(generator)
    a = factor * uniform_bound(layout.hidden_size)
    params = _params(module)
    for name in layout.names:
        nn.init.uniform_(params[name], -a, a, generator=generator)
    return module


def pytorch_init_(module, *, generator=None):
    """PyTorch's default: every LSTM parameter from ``U(-1/sqrt(H), 1/sqrt(H))``.

    Same as ``module.reset_parameters()`` (bit for bit, from the same random state), but
    for any LSTM-like module and with an optional ``generator``.
    """
    return scaled_init_(module, 1.0, generator=generator)


def _blocks(weight: torch.Tensor, hidden_size: int):
    """The four gate blocks (views) of a stacked ``(4H, ...)`` weight, order i, f, g, o."""
    return weight.split(hidden_size, dim=0)  # 4 x (H, cols)


@torch.no_grad()
def xavier_init_(module, *, gain: float = 1.0, generator=None):
    """Glorot/Xavier uniform on each gate block, biases zero.

    Each ``(H, cols)`` block of ``weight_ih``/``weight_hh`` is drawn from ``U(-b, b)`` with
    ``b = gain * sqrt(6 / (cols + H))`` (a block maps ``cols`` inputs to one gate's ``H``
    units, so those are its fans; the stacked ``4H`` rows would give too small a bound).
    ``weight_hr`` (``(P, H)``) is one block. Biases are set to 0.

    Args:
        module: an LSTM-like module.
        gain: multiplier of the bound. Default: 1.0.
        generator: a ``torch.Generator``. Default: None.

    Returns:
        ``module``, changed in place.
    """
    layout = lstm_layout(module)
    _check_generator(generator)
    params = _params(module)
    H = layout.hidden_size
    for name in layout.names:
        p = params[name]
        if name.startswith("bias"):
            p.zero_()
        elif name.startswith("weight_hr"):
            nn.init.xavier_uniform_(p, gain=gain, generator=generator)
        else:
            for block in _blocks(p, H):
                nn.init.xavier_uniform_(block, gain=gain, generator=generator)
    return module


@torch.no_grad()
def orthogonal_init_(module, *, gain: float = 1.0, generator=None):
    """Orthogonal recurrent weights per gate block, Xavier input weights, biases zero.

    Each ``(H, H_out)`` block of ``weight_hh`` is a (semi-)orthogonal matrix: with
    ``H_out = H`` it satisfies ``Q.T @ Q = I``, so the recurrent part of each gate neither
    grows nor shrinks the hidden state; with a projection (``H_out = P < H``) its columns
    are orthonormal. ``weight_hr`` (``(P, H)``) gets orthonormal rows. ``weight_ih`` is
    Xavier uniform per gate block (as in :func:`xavier_init_`); biases are 0. Keras's default
    LSTM differs: it initialises its whole stacked kernels, not each gate block, and adds 1
    to the forget bias (here: combine with :func:`set_forget_bias_`).

    Returns:
        ``module``, changed in place.
    """
    layout = lstm_layout(module)
    _check_generator(generator)
    params = _params(module)
    H = layout.hidden_size
    for name in layout.names:
        p = params[name]
        if name.startswith("bias"):
            p.zero_()
        elif name.startswith("weight_hr"):
            nn.init.orthogonal_(p, gain=gain, generator=generator)
        elif name.startswith("weight_hh"):
            for block in _blocks(p, H):
                nn.init.orthogonal_(block, gain=gain, generator=generator)
        else:
            for block in _blocks(p, H):
                nn.init.xavier_uniform_(block, gain=1.0, generator=generator)
    return module


@torch.no_grad()
def set_forget_bias_(module, value: float = 1.0, *, split: str = "ih"):
    """Make the forget gate's total bias ``b_if + b_hf`` equal ``value`` in every layer.

    PyTorch has two biases per gate, ``bias_ih`` and ``bias_hh``, and only their sum matters.
    With ``split="ih"`` (default) rows ``H:2H`` of ``bias_ih`` are set to ``value`` and those
    of ``bias_hh`` to 0; ``split="hh"`` does the opposite; ``split="half"`` puts
    ``value / 2`` in each. No other row, and no weight, changes.

    Raises:
        ValueError: the module has no biases (``bias=False``) or ``split`` is unknown.

    Returns:
        ``module``, changed in place.
    """
    layout = lstm_layout(module)
    if split not in ("ih", "hh", "half"):
        raise ValueError(f"split must be one of ('ih', 'hh', 'half'), got {split!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"value must be finite, got {value}")
    if not layout.bias:
        raise ValueError(
            f"{type(module).__name__} has no biases (bias=False): there is no forget bias to set"
        )
    params = _params(module)
    rows = gate_slice("f", layout.hidden_size)
    ih_value = {"ih": value, "hh": 0.0, "half": value / 2}[split]
    for sfx in layout.suffixes():
        params["bias_ih" + sfx][rows] = ih_value
        params["bias_hh" + sfx][rows] = value - ih_value
    return module


def forget_bias_init_(module, value: float = 1.0, *, generator=None):
    """PyTorch's default, then the forget gate's bias ``b_if + b_hf`` set to ``value``.

    ``bias_ih[H:2H] = value`` and ``bias_hh[H:2H] = 0`` (see :func:`set_forget_bias_`); every
    other parameter is as in :func:`pytorch_init_`. A forget gate that starts near
    ``sigmoid(1) = 0.73`` instead of ``0.5`` lets the cell state remember for longer.
    """
    pytorch_init_(module, generator=generator)
    return set_forget_bias_(module, value)


def init_lstm_(module, scheme: str = "pytorch", *, factor: float | None = None, generator=None):
    """Initialise an LSTM-like module in place with one of :data:`SCHEMES`.

    - ``"pytorch"``: every parameter from ``U(-1/sqrt(H), 1/sqrt(H))`` (:func:`pytorch_init_`).
    - ``"xavier"``: Glorot uniform per gate block, biases 0 (:func:`xavier_init_`).
    - ``"orthogonal"``: orthogonal ``weight_hh`` per gate block, Xavier ``weight_ih``, biases 0
      (:func:`orthogonal_init_`).
    - ``"forget_bias"``: PyTorch's default with ``b_if + b_hf = 1`` (``bias_ih`` rows
      ``H:2H`` = 1, ``bias_hh`` rows ``H:2H`` = 0) (:func:`forget_bias_init_`).
    - ``"scaled"``: PyTorch's default bound times ``factor`` (:func:`scaled_init_`).

    Args:
        module: ``torch.nn.LSTM``, ``torch.nn.LSTMCell`` or the book's equivalents.
        scheme: one of :data:`SCHEMES`. Default: ``"pytorch"``.
        factor: only for ``"scaled"`` (required there, finite and > 0).
        generator: a ``torch.Generator`` for every random draw. Default: None.

    Returns:
        ``module``, changed in place.

    Raises:
        ValueError: unknown scheme (the message lists the valid ones), ``factor`` missing for
            ``"scaled"`` or given for another scheme.
        TypeError: ``module`` is not an LSTM.
    """
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}: expected one of {', '.join(SCHEMES)}")
    if scheme == "scaled":
        if factor is None:
            raise ValueError("scheme='scaled' needs a factor, e.g. factor=3.0")
        return scaled_init_(module, factor, generator=generator)
    if factor is not None:
        raise ValueError(f"factor only applies to scheme='scaled', not {scheme!r}")
    if scheme == "pytorch":
        return pytorch_init_(module, generator=generator)
    if scheme == "xavier":
        return xavier_init_(module, generator=generator)
    if scheme == "orthogonal":
        return orthogonal_init_(module, generator=generator)
    return forget_bias_init_(module, generator=generator)


# --------------------------------------------------------------------------------------
# Statistics of the weights
# --------------------------------------------------------------------------------------


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


def all_weights(module, *, include_biases: bool = True) -> torch.Tensor:
    """Every LSTM parameter of ``module`` as one flat tensor (detached copy)."""
    layout = lstm_layout(module)
    params = _params(module)
    names = [n for n in layout.names if include_biases or n.startswith("weight")]
    return torch.cat([params[n].detach().flatten() for n in names]).clone()


# --------------------------------------------------------------------------------------
# Why the scale matters: pre-activations, saturation, gradients through time
# --------------------------------------------------------------------------------------


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
    input_size = _positive_int(input_size, "input_size")
    hidden_size = _positive_int(hidden_size, "hidden_size")
    if proj_size:
        proj_size = _positive_int(proj_size, "proj_size")
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
            f"{tuple(input.shape)}"
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
        i, f, g, o = self.z.chunk(4, dim=-1)  # 4 x (L, N, H)
        return {"i": i.sigmoid(), "f": f.sigmoid(), "g": g.tanh(), "o": o.sigmoid()}


@torch.no_grad()
def gate_trace(module, input: torch.Tensor) -> list[GateTrace]:
    """Run an LSTM-like module from zero states and record every gate pre-activation.

    The forward pass is recomputed from the parameters (PyTorch's modules do not expose
    their gates), for every layer and direction, with projection if there is one.

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
                i, f, g, o = z.chunk(4, dim=-1)  # 4 x (N, H)
                c = f.sigmoid() * c + i.sigmoid() * g.tanh()  # (N, H)
                h = o.sigmoid() * c.tanh()  # (N, H)
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


def gradient_norms_through_time(module, input: torch.Tensor) -> torch.Tensor:
    """How much the last output depends on each earlier input: ``||d y / d x_t||``.

    ``y`` is the sum of the module's output at the last time step; the gradient is taken
    through the module's own forward pass (autograd), for every time step ``t`` at once.
    Values that shrink fast going back in time mean early inputs barely reach the end
    (vanishing gradients); values that grow mean exploding gradients.

    Inputs:
        input: a sequence, as for :func:`gate_trace`.

    Returns:
        ``(L,)`` float64 tensor: for each step, the norm of the gradient over features,
        averaged over the batch.
    """
    layout = lstm_layout(module)
    x, _ = _as_sequence(module, layout, input)  # (L, N, H_in)
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        out = _run(module, layout, x)  # (L, N, D*H_out)
        (grad,) = torch.autograd.grad(out[-1].sum(), x)  # (L, N, H_in)
    return grad.double().norm(dim=-1).mean(dim=1)  # (L,)


# --------------------------------------------------------------------------------------
# A small task to compare the schemes: remember the first input
# --------------------------------------------------------------------------------------


def first_input_task(batch_size: int, seq_len: int, *, generator=None):
    """Batches of the "remember the first value" task.

    Each sequence has two input features: a value ``v_t ~ U(-1, 1)`` at every step, and a
    marker that is 1 at the first step only. The target is ``v_0``, the value that came with
    the marker, to be read from the output at the last step: the network must store it
    and keep it through ``seq_len - 1`` distracting values. Predicting 0 gives a mean squared
    error of ``Var(U(-1, 1)) = 1/3``.

    Returns:
        ``x`` ``(L, N, 2)`` and ``y`` ``(N, 1)``.
    """
    batch_size = _positive_int(batch_size, "batch_size")
    seq_len = _positive_int(seq_len, "seq_len")
    values = torch.rand(seq_len, batch_size, generator=generator) * 2 - 1  # (L, N)
    marker = torch.zeros(seq_len, batch_size)  # (L, N)
    marker[0] = 1.0
    x = torch.stack([values, marker], dim=-1)  # (L, N, 2)
    y = values[0].unsqueeze(-1)  # (N, 1)
    return x, y


class FirstInputModel(nn.Module):
    """An LSTM followed by a linear read-out of its last output."""

    def __init__(self, hidden_size: int = 16, lstm: nn.Module | None = None):
        super().__init__()
        self.lstm = lstm if lstm is not None else nn.LSTM(2, hidden_size)
        layout = lstm_layout(self.lstm)
        self.head = nn.Linear(layout.num_directions * layout.output_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)  # (L, N, H_out)
        return self.head(out[-1])  # (N, 1)


@dataclass(frozen=True)
class TrainingResult:
    """Outcome of :func:`train_first_input`: losses on a fixed test batch."""

    scheme: str
    initial_loss: float
    final_loss: float
    losses: tuple[float, ...]


def train_first_input(
    scheme: str = "pytorch",
    *,
    factor: float | None = None,
    hidden_size: int = 16,
    seq_len: int = 20,
    steps: int = 250,
    batch_size: int = 32,
    lr: float = 1e-2,
    seed: int = 0,
    eval_every: int = 25,
    dtype: torch.dtype = torch.float32,
) -> TrainingResult:
    """Train a small LSTM on :func:`first_input_task` after initialising it with ``scheme``.

    Everything is seeded by ``seed`` (the head, the scheme's draws, the data), so two calls
    give the same numbers; only the LSTM's initialisation differs between schemes. Adam,
    mean squared error, a fresh batch every step; the loss is measured on a fixed test batch
    of 256 sequences every ``eval_every`` steps.

    ``dtype``: the precision of the training. The draws are the same for every dtype (made
    in float32, then converted). In float32, 250 Adam steps amplify the last-digit
    differences between CPUs into the second digit of the loss; in float64 the losses
    agree to many digits across CPUs (the book trains in float64 for that reason).
    """
    steps = _positive_int(steps, "steps")
    eval_every = _positive_int(eval_every, "eval_every")
    torch.manual_seed(seed)
    model = FirstInputModel(hidden_size)
    init_gen = torch.Generator().manual_seed(seed + 1)
    init_lstm_(model.lstm, scheme, factor=factor, generator=init_gen)
    model.to(dtype)
    data_gen = torch.Generator().manual_seed(seed + 2)
    x_test, y_test = first_input_task(256, seq_len, generator=torch.Generator().manual_seed(12345))
    x_test, y_test = x_test.to(dtype), y_test.to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def test_loss() -> float:
        with torch.no_grad():
            return nn.functional.mse_loss(model(x_test), y_test).item()

    losses = [test_loss()]
    for step in range(1, steps + 1):
        x, y = first_input_task(batch_size, seq_len, generator=data_gen)
        x, y = x.to(dtype), y.to(dtype)
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if step % eval_every == 0 or step == steps:
            losses.append(test_loss())
    label = scheme if factor is None else f"{scheme}({factor:g})"
    return TrainingResult(label, losses[0], losses[-1], tuple(losses))


#: The schemes the chapter trains on the first-input task: ``(scheme, factor)``.
FIRST_INPUT_CONFIGS = (("pytorch", None), ("xavier", None), ("orthogonal", None),
                       ("forget_bias", None), ("scaled", 0.1), ("scaled", 4.0))


def first_input_finals(seeds=(0, 1, 2), configs=FIRST_INPUT_CONFIGS) -> dict[str, float]:
    """Final test losses of :func:`train_first_input` in float64, ``{"scheme/seed": loss}``.

    The numbers behind the chapter's table, as a flat dict so that
    ``tools/isa_spread.py`` can measure how far each moves between instruction sets.
    """
    return {
        f"{scheme if factor is None else f'{scheme}({factor:g})'}/{seed}":
            train_first_input(scheme, factor=factor, seed=seed, dtype=torch.float64).final_loss
        for scheme, factor in configs
        for seed in seeds
    }


# --------------------------------------------------------------------------------------
# Sweeps used by the chapter's figures and widget
# --------------------------------------------------------------------------------------


def probe_input(input_size: int, seq_len: int, batch_size: int = 16, *, seed: int = 0):
    """A fixed random sequence ``(L, N, H_in)`` of standard normal features, to probe an LSTM."""
    input_size = _positive_int(input_size, "input_size")
    seq_len = _positive_int(seq_len, "seq_len")
    batch_size = _positive_int(batch_size, "batch_size")
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(seq_len, batch_size, input_size, generator=gen)  # (L, N, H_in)


def make_lstm(
    input_size: int,
    hidden_size: int,
    scheme: str = "pytorch",
    *,
    factor: float | None = None,
    seed: int = 0,
    **kwargs,
) -> nn.LSTM:
    """A ``torch.nn.LSTM(input_size, hidden_size, **kwargs)`` initialised with ``scheme``.

    The scheme's draws come from a generator seeded with ``seed``, so the result does not
    depend on (or change) the global random state.
    """
    module = nn.LSTM(input_size, _positive_int(hidden_size, "hidden_size"), **kwargs)
    return init_lstm_(
        module, scheme, factor=factor, generator=torch.Generator().manual_seed(seed)
    )


def saturation_sweep(
    factors,
    *,
    input_size: int = 32,
    hidden_size: int = 64,
    seq_len: int = 100,
    batch_size: int = 16,
    tol: float = 0.05,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Share of saturated gates for ``scaled`` initialisations, one value per factor.

    Returns ``{"i": [...], "f": [...], "g": [...], "o": [...], "all": [...]}``, each list
    aligned with ``factors``; the probe is :func:`probe_input` (standard normal inputs).
    """
    x = probe_input(input_size, seq_len, batch_size, seed=seed)
    result: dict[str, list[float]] = {k: [] for k in (*GATES, "all")}
    for factor in factors:
        module = make_lstm(input_size, hidden_size, "scaled", factor=float(factor), seed=seed)
        for k, v in saturation(module, x, tol=tol).items():
            result[k].append(v)
    return result
