"""Weight initialisation schemes for LSTMs: PyTorch's default and the usual alternatives.

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

import torch
from torch import nn

from lstm_helpers._checks import check_int

from .layout import _params, gate_slice, lstm_layout

SCHEMES = ("pytorch", "xavier", "orthogonal", "forget_bias", "scaled")
"""Names accepted by :func:`init_lstm_`."""


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
    hidden_size = check_int("hidden_size", hidden_size)
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
def set_gate_bias_(module, gate: str, value: float, *, split: str = "ih"):
    """Make one gate's total bias ``b_i* + b_h*`` equal ``value`` in every layer and direction.

    PyTorch has two biases per gate, ``bias_ih`` and ``bias_hh``, and only their sum matters.
    With ``split="ih"`` (default) the gate's rows of ``bias_ih`` are set to ``value`` and those
    of ``bias_hh`` to 0; ``split="hh"`` does the opposite; ``split="half"`` puts
    ``value / 2`` in each. No other row, and no weight, changes.

    Args:
        module: an LSTM-like module (``nn.LSTM``, ``nn.LSTMCell``, the book's ``LSTM``).
        gate: ``"i"``, ``"f"``, ``"g"`` or ``"o"`` (:data:`lstm_helpers.lstm.GATES`).
        value: the total bias, a finite number.
        split: ``"ih"``, ``"hh"`` or ``"half"``. Default: ``"ih"``.

    Raises:
        ValueError: the module has no biases (``bias=False``), or ``gate``, ``split`` or
            ``value`` is not one of the allowed.

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
            f"{type(module).__name__} has no biases (bias=False): there is no gate bias to set"
        )
    params = _params(module)
    rows = gate_slice(gate, layout.hidden_size)
    ih_value = {"ih": value, "hh": 0.0, "half": value / 2}[split]
    for sfx in layout.suffixes():
        params["bias_ih" + sfx][rows] = ih_value
        params["bias_hh" + sfx][rows] = value - ih_value
    return module


def set_forget_bias_(module, value: float = 1.0, *, split: str = "ih"):
    """Make the forget gate's total bias ``b_if + b_hf`` equal ``value`` in every layer:
    :func:`set_gate_bias_` for the gate ``"f"`` (``split`` as there). Returns ``module``."""
    return set_gate_bias_(module, "f", value, split=split)


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
