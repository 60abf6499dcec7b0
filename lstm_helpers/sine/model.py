"""The official model: two stacked LSTM cells of 51 units and a linear read-out.

:class:`Sequence` keeps the official attribute names (``lstm1``, ``lstm2``, ``linear``) and
``forward(input, future=0)``, so state dicts move freely between it and the official class.
The cell class is selectable (PyTorch's ``nn.LSTMCell`` or the book's own), and the
teacher-forced part can run through one fused two-layer LSTM: the same network, the weights
map one to one (``lstm1`` -> layer 0, ``lstm2`` -> layer 1).
"""

import torch
from torch import nn
from torch.func import functional_call

from .._checks import check_int, format_shape

__all__ = ["HIDDEN_SIZE", "Sequence", "fused_parameters", "resolve_cell"]

HIDDEN_SIZE = 51


def resolve_cell(cell="torch"):
    """The LSTM cell class: ``"torch"`` (``torch.nn.LSTMCell``), ``"ours"``
    (``lstm_helpers.lstm.LSTMCell``) or a class with ``nn.LSTMCell``'s interface."""
    if isinstance(cell, str):
        if cell == "torch":
            return nn.LSTMCell
        if cell == "ours":
            from lstm_helpers.lstm import LSTMCell

            return LSTMCell
        raise ValueError(f'cell must be "torch", "ours" or a class, got {cell!r}')
    if isinstance(cell, type) and issubclass(cell, nn.Module):
        return cell
    raise TypeError(f'cell must be "torch", "ours" or an nn.Module class, got {cell!r}')


def _resolve_fused(cell):
    if cell == "ours":
        from lstm_helpers.lstm import LSTM

        return LSTM
    return nn.LSTM


def fused_parameters(model: "Sequence") -> dict:
    """The two cells' parameters under the names of a two-layer ``nn.LSTM``.

    ``lstm1.weight_ih`` -> ``weight_ih_l0``, ..., ``lstm2.bias_hh`` -> ``bias_hh_l1``: the
    same tensors (not copies), so gradients flow back into the cells.
    """
    params = {}
    for layer, cell in enumerate((model.lstm1, model.lstm2)):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            params[f"{name}_l{layer}"] = getattr(cell, name)
    return params


class Sequence(nn.Module):
    """The model of pytorch/examples ``time_sequence_prediction``.

    .. math::
        h^1_t, c^1_t = \\text{LSTMCell}_1(x_t, (h^1_{t-1}, c^1_{t-1})), \\quad
        h^2_t, c^2_t = \\text{LSTMCell}_2(h^1_t, (h^2_{t-1}, c^2_{t-1})), \\quad
        y_t = W h^2_t + b

    With ``future > 0`` the model then feeds its own output back as the next input.

    Args:
        hidden_size: units in each cell. Default: 51 (the official value).
        cell: ``"torch"``, ``"ours"`` or a cell class (see :func:`resolve_cell`). Default: "torch".
        fused: run the teacher-forced part through one two-layer LSTM (``nn.LSTM``, or the
            book's ``LSTM`` with ``cell="ours"``) sharing the cells' parameters. Default: False.
        device: where the parameters live. Default: None (the CPU).
        dtype: floating type of the parameters. Default: None (``torch.float32``, PyTorch's
            default; the official recipe calls ``.double()`` afterwards).

    The parameters are always created in float32 on the CPU and then converted, exactly as
    the official ``Sequence()`` followed by ``.double()``: with the same seed, the same
    initial weights on every device.

    Inputs: ``input`` of shape ``(N, L)``; ``future`` (int, default 0).
    Outputs: ``(N, L + future)``: the prediction of the next value after each input value,
    then ``future`` values predicted from the model's own outputs.
    """

    def __init__(self, hidden_size: int = HIDDEN_SIZE, cell="torch", fused: bool = False,
                 device=None, dtype=None):
        super().__init__()
        check_int("hidden_size", hidden_size)
        cell_class = resolve_cell(cell)
        self.hidden_size = hidden_size
        self.cell = cell
        self.fused = bool(fused)
        self.lstm1 = cell_class(1, hidden_size)
        self.lstm2 = cell_class(hidden_size, hidden_size)
        self.linear = nn.Linear(hidden_size, 1)
        self.to(device=device, dtype=dtype)
        # Not a registered submodule: it only lends its code, the parameters are the cells'.
        self.__dict__["_fused_lstm"] = (
            _resolve_fused(cell)(1, hidden_size, num_layers=2, batch_first=True)
            if self.fused else None
        )

    def _check_input(self, input: torch.Tensor, future) -> None:
        if not torch.is_tensor(input):
            raise TypeError(f"input must be a tensor, got {type(input).__name__}")
        if input.dim() != 2:
            raise ValueError(
                f"input must have shape (N, L), got {input.dim()} dimensions "
                f"{format_shape(input.shape)}"
            )
        check_int("future", future, minimum=0)
        if input.size(1) == 0:
            raise ValueError("input must hold at least one time step, got L = 0")
        weight = self.linear.weight
        if input.dtype != weight.dtype or input.device != weight.device:
            raise TypeError(
                f"input must match the model's dtype and device: expected {weight.dtype} on "
                f"{weight.device}, got {input.dtype} on {input.device}"
            )

    def forward(self, input: torch.Tensor, future: int = 0) -> torch.Tensor:
        self._check_input(input, future)
        n = input.size(0)
        zeros = dict(dtype=input.dtype, device=input.device)
        h_t = torch.zeros(n, self.hidden_size, **zeros)  # (N, H)
        c_t = torch.zeros(n, self.hidden_size, **zeros)  # (N, H)
        h_t2 = torch.zeros(n, self.hidden_size, **zeros)  # (N, H)
        c_t2 = torch.zeros(n, self.hidden_size, **zeros)  # (N, H)
        if self.fused:
            x = input.unsqueeze(2)  # (N, L, 1)
            h_0 = torch.zeros(2, n, self.hidden_size, **zeros)  # (2, N, H)
            h2_all, (h_n, c_n) = functional_call(
                self._fused_lstm, fused_parameters(self), (x, (h_0, h_0))
            )  # (N, L, H), (2, N, H), (2, N, H)
            teacher = self.linear(h2_all).squeeze(2)  # (N, L)
            outputs = list(teacher.unbind(1))  # L tensors of shape (N,)
            output = teacher[:, -1:]  # (N, 1)
            h_t, h_t2 = h_n.unbind(0)  # (N, H) each
            c_t, c_t2 = c_n.unbind(0)  # (N, H) each
        else:
            outputs = []
            for input_t in input.chunk(input.size(1), dim=1):  # L tensors of shape (N, 1)
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))  # (N, H)
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))  # (N, H)
                output = self.linear(h_t2)  # (N, 1)
                outputs.append(output.squeeze(1))
        for _ in range(future):  # feed the prediction back as the next input
            h_t, c_t = self.lstm1(output, (h_t, c_t))  # (N, H)
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))  # (N, H)
            output = self.linear(h_t2)  # (N, 1)
            outputs.append(output.squeeze(1))
        return torch.stack(outputs, 1)  # (N, L + future)
