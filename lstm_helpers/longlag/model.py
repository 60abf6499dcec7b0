"""The networks for the long-time-lag tasks: ``nn.LSTM`` or ``nn.RNN`` (tanh), then a linear
read-out of the last step of each sequence."""

from __future__ import annotations

import torch
from torch import nn

from ..init import set_forget_bias_, set_gate_bias_  # the core's one gate-bias setter

__all__ = [
    "CELLS", "NONLINEARITIES", "RNN_INITS", "LongLagNet", "set_forget_bias_", "set_gate_bias_",
]

CELLS = ("lstm", "rnn")
NONLINEARITIES = ("tanh", "relu")
#: Recurrent-weight initialisations of the plain RNN: PyTorch's (uniform), orthogonal
#: (Saxe et al. 2014), identity with zero biases (the IRNN of Le et al. 2015, with ReLU).
RNN_INITS = ("default", "orthogonal", "identity")


class LongLagNet(nn.Module):
    """A recurrent layer (``nn.LSTM`` or ``nn.RNN``) and a linear read-out.

    The read-out sees only the last step of each sequence (``lengths - 1``): the tasks give
    their target at the end only.

    Args:
        cell: ``"lstm"`` or ``"rnn"``. input_size: H_in. hidden_size: H. output_size: 1 for
        the adding problem, the number of classes for temporal order.
        forget_bias, input_bias: LSTM only: the forget (input) gate's total initial bias
        (default: None, PyTorch's initialisation unchanged).
        nonlinearity: the plain RNN's ``"tanh"`` (default) or ``"relu"``.
        init: the plain RNN's recurrent weights: ``"default"`` (PyTorch's uniform),
        ``"orthogonal"`` or ``"identity"`` (with both biases zero: the IRNN with ``relu``).

    Inputs: ``x`` (L, N, H_in), ``lengths`` (N,). Output: ``(N, output_size)``.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, output_size: int,
                 forget_bias: float | None = None, input_bias: float | None = None,
                 nonlinearity: str = "tanh", init: str = "default"):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
        if (forget_bias is not None or input_bias is not None) and cell != "lstm":
            raise ValueError("forget_bias and input_bias are for cell='lstm' only (a plain RNN "
                             "has no gates)")
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}, got {nonlinearity!r}")
        if init not in RNN_INITS:
            raise ValueError(f"init must be one of {RNN_INITS}, got {init!r}")
        if cell == "lstm" and (nonlinearity != "tanh" or init != "default"):
            raise ValueError("nonlinearity and init are for cell='rnn' only (nn.LSTM has fixed "
                             f"nonlinearities), got nonlinearity={nonlinearity!r}, init={init!r}")
        self.cell = cell
        if cell == "lstm":
            self.rnn = nn.LSTM(input_size, hidden_size)
            if forget_bias is not None:
                set_gate_bias_(self.rnn, "f", forget_bias)
            if input_bias is not None:
                set_gate_bias_(self.rnn, "i", input_bias)
        else:
            self.rnn = nn.RNN(input_size, hidden_size, nonlinearity=nonlinearity)
            with torch.no_grad():
                if init == "orthogonal":
                    nn.init.orthogonal_(self.rnn.weight_hh_l0)
                elif init == "identity":
                    self.rnn.weight_hh_l0.copy_(torch.eye(hidden_size))
                    self.rnn.bias_ih_l0.zero_()
                    self.rnn.bias_hh_l0.zero_()
        self.head = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (L, N, H)
        last = out[lengths - 1, torch.arange(x.size(1))]  # (N, H) each sequence's last step
        return self.head(last)  # (N, output_size)
