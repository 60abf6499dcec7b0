"""Weight initialisation for LSTMs, in four modules (one idea each):

- :mod:`.layout`: recognising an LSTM by its parameters (``torch.nn.LSTM``/``LSTMCell`` and
  the book's ``lstm_helpers.lstm.LSTM``/``LSTMCell`` alike), and the rows of each gate.
- :mod:`.schemes`: PyTorch's default ``U(-1/sqrt(H), 1/sqrt(H))`` and the usual
  alternatives, as in-place initialisers like ``torch.nn.init``'s.
- :mod:`.diagnostics`: why the scale matters: weight statistics, gate saturation, gradients
  through time.
- :mod:`.probes`: the sweeps behind the chapter's saturation figure and widget (a probe
  input, an initialised ``nn.LSTM``, saturation as the weights are scaled up).

Every public name of the four is also available here: ``lstm_helpers.init.uniform_bound``.
The chapter's training experiment (the "remember the first input" task) is an application of
its own, :mod:`lstm_helpers.firstinput`.
"""

from .diagnostics import (
    GateTrace,
    WeightStats,
    flat_weights,
    gate_trace,
    gradient_norms_through_time,
    gradient_reach,
    preactivation_variance,
    saturation,
    uniform_ks_test,
    weight_stats,
)
from .layout import GATES, LSTMLayout, gate_slice, is_lstm, lstm_layout
from .probes import make_lstm, probe_input, saturation_sweep
from .schemes import (
    SCHEMES,
    forget_bias_init_,
    init_lstm_,
    orthogonal_init_,
    pytorch_init_,
    scaled_init_,
    set_forget_bias_,
    set_gate_bias_,
    uniform_bound,
    uniform_variance,
    xavier_init_,
)

__all__ = [
    "GATES", "GateTrace", "LSTMLayout", "SCHEMES", "WeightStats", "flat_weights",
    "forget_bias_init_", "gate_slice", "gate_trace", "gradient_norms_through_time",
    "gradient_reach",
    "init_lstm_", "is_lstm", "lstm_layout", "make_lstm", "orthogonal_init_",
    "preactivation_variance", "probe_input", "pytorch_init_", "saturation", "saturation_sweep",
    "scaled_init_", "set_forget_bias_", "set_gate_bias_", "uniform_bound", "uniform_ks_test",
    "uniform_variance", "weight_stats", "xavier_init_",
]
