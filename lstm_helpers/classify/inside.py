"""Look inside a trained classifier while it reads one sequence, step by step.

:func:`trace` runs the classifier's LSTM (one layer, one direction) with the book's
:func:`lstm_helpers.lstm.lstm_cell`, one step at a time, on the classifier's own weights, and
applies its linear head after every step: what the model would answer had the utterance
stopped there. This is what visual-analytics tools such as LSTMVis show.
"""

from dataclasses import dataclass

import torch

from ..lstm import lstm_cell

__all__ = ["Trace", "trace"]


@dataclass
class Trace:
    """One sequence read step by step (all float64 NumPy-ready tensors on the CPU).

    ``h``, ``c``: :math:`(L, H)` hidden and cell state after each step; ``probs``:
    :math:`(L, C)` softmax of the head after each step; ``label``: the true class.
    """

    h: torch.Tensor
    c: torch.Tensor
    probs: torch.Tensor
    label: int

    @property
    def length(self) -> int:
        return self.h.size(0)

    def changed_most(self, step: int, state: str = "c", k: int = 5) -> list:
        """The ``k`` units whose ``state`` (``"c"`` or ``"h"``) moved most at ``step``
        (0-based; step 0 compares with the zero initial state), largest first."""
        if state not in ("c", "h"):
            raise ValueError(f"state must be 'c' or 'h', got {state!r}")
        if not 0 <= step < self.length:
            raise ValueError(f"step must be in [0, {self.length - 1}], got {step}")
        values = self.c if state == "c" else self.h  # (L, H)
        before = values[step - 1] if step > 0 else torch.zeros_like(values[0])  # (H,)
        change = (values[step] - before).abs()  # (H,)
        order = torch.argsort(change, descending=True, stable=True)[:k]
        return [(int(u), float(change[u])) for u in order]


@torch.no_grad()
def trace(model, x: torch.Tensor, label: int = -1) -> Trace:
    """Read ``x`` :math:`(L, H_{in})` with ``model`` (a one-layer, one-direction
    :class:`~lstm_helpers.classify.SequenceClassifier`) step by step."""
    rnn = model.rnn
    if rnn.num_layers != 1 or rnn.bidirectional or not hasattr(rnn, "weight_hh_l0"):
        raise ValueError("trace: needs a one-layer, one-direction LSTM classifier")
    if rnn.weight_hh_l0.size(0) != 4 * rnn.hidden_size:
        raise ValueError("trace: the model's rnn is not an LSTM (4 gates)")
    w = [rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0]
    x = x.to(w[0])  # (L, H_in)
    h = x.new_zeros(rnn.hidden_size)  # (H,)
    c = x.new_zeros(rnn.hidden_size)  # (H,)
    hs, cs = [], []
    for x_t in x.unbind(0):  # (H_in,) per step
        h, c = lstm_cell(x_t, (h, c), *w)  # (H,), (H,)
        hs.append(h)
        cs.append(c)
    h_all, c_all = torch.stack(hs), torch.stack(cs)  # (L, H), (L, H)
    probs = torch.softmax(model.head(h_all), dim=1)  # (L, C)
    return Trace(h_all.double().cpu(), c_all.double().cpu(), probs.double().cpu(), int(label))
