"""lstm_helpers: the package behind the LSTM book.

One idea per module: ``shapes`` (broadcasting and matmul, explained), ``lstm`` (an LSTM
from its six equations, a drop-in for ``torch.nn.LSTM``), ``init`` (weight
initialisation), ``losses`` (cross-entropy from scratch), ``sine`` (the sine-wave
example); ``figures``, ``widgets`` and ``exercises`` serve the chapters.
"""

__version__ = "0.1.0"
