"""The long-time-lag experiments of Hochreiter & Schmidhuber (1997), re-run with PyTorch.

- :mod:`.tasks`: the adding problem (Experiment 4), temporal order (Experiment 6), baselines.
- :mod:`.model`: ``nn.LSTM`` or ``nn.RNN`` and a linear read-out of the last step.
- :mod:`.training`: Adam, counting sequences, the paper's stop rule (as read from an OCR copy
  of the paper; not confirmed against the published tables), JSON records.
- :mod:`.gradients`: gradient norms through time, and the connectivity of a trained network.
- ``python -m lstm_helpers.longlag --task adding --lag 100 --cell lstm``: the command line.
"""

from .gradients import connectivity, gradient_through_time, make_recurrent, summarise_over_seeds
from .model import CELLS, LongLagNet, set_forget_bias_
from .tasks import (
    ADDING_TOLERANCE,
    ORDER_SYMBOLS,
    Batch,
    adding_chance,
    adding_problem,
    bag_of_symbols,
    chance_accuracy,
    chance_cross_entropy,
    order_blind_accuracy,
    order_positions,
    temporal_order,
)
from .training import (
    GOAL,
    PAPER,
    TASKS,
    Config,
    Record,
    evaluate,
    load_record,
    make_batch,
    make_model,
    model_from_record,
    sequence_errors,
    shipped_records,
    train,
)

__all__ = [
    "ADDING_TOLERANCE", "CELLS", "GOAL", "ORDER_SYMBOLS", "PAPER", "TASKS", "Batch",
    "Config", "LongLagNet", "Record", "adding_chance", "adding_problem", "bag_of_symbols",
    "chance_accuracy", "chance_cross_entropy", "connectivity", "evaluate",
    "gradient_through_time", "load_record", "make_batch", "make_model", "make_recurrent",
    "model_from_record", "order_blind_accuracy", "order_positions", "sequence_errors",
    "set_forget_bias_", "shipped_records", "summarise_over_seeds", "temporal_order", "train",
]
