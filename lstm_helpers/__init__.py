"""lstm_helpers: the package behind the LSTM book.

One idea per module: ``shapes`` (broadcasting and matmul, explained), ``lstm`` (an LSTM
from its six equations, a drop-in for ``torch.nn.LSTM``), ``init`` (weight
initialisation), ``losses`` (cross-entropy from scratch), ``sine`` (the sine-wave
example); ``figures``, ``widgets`` and ``exercises`` serve the chapters. The layers and
what may import what: ``docs/architecture.md``.
"""

from . import init, losses, lstm, shapes, sine
from ._version import __version__ as __version__
from .losses import CrossEntropyLoss, cross_entropy
from .lstm import LSTM, LSTMCell, lstm_cell, lstm_layer
from .shapes import explain_broadcast, explain_matmul

__all__ = [
    "LSTM",
    "CrossEntropyLoss",
    "LSTMCell",
    "cross_entropy",
    "explain_broadcast",
    "explain_matmul",
    "init",
    "losses",
    "lstm",
    "lstm_cell",
    "lstm_layer",
    "shapes",
    "sine",
]
