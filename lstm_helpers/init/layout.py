"""Recognising an LSTM by its parameters: PyTorch's modules and the book's, treated alike.

Parameter names follow PyTorch: ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
``bias_hh_l{k}``, ``weight_hr_l{k}``, with a ``_reverse`` suffix for the backward direction (a
cell has no ``_l{k}``). Gate blocks are stacked in PyTorch's order i, f, g, o
(:data:`lstm_helpers.lstm.GATES`): rows ``0:H`` are the input gate, ``H:2H`` the forget gate,
``2H:3H`` the cell candidate, ``3H:4H`` the output gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from torch import nn

from lstm_helpers._checks import check_int, format_shape
from lstm_helpers.lstm import GATES

_NAME = re.compile(r"^(weight|bias)_(ih|hh|hr)(?:_l(\d+))?(_reverse)?$")


def gate_slice(gate: str, hidden_size: int) -> slice:
    """Rows of a stacked weight or bias that belong to ``gate`` (order i, f, g, o).

    >>> gate_slice("f", 20)
    slice(20, 40, None)
    """
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    hidden_size = check_int("hidden_size", hidden_size)
    k = GATES.index(gate)
    return slice(k * hidden_size, (k + 1) * hidden_size)



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
            f"weight_ih{first} has shape {format_shape(w_ih.shape)}; an LSTM stacks 4 gate blocks "
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
