"""The long-time-lag experiments of Hochreiter & Schmidhuber (1997), re-run with PyTorch.

- :mod:`.tasks`: the adding problem (Experiment 4), temporal order (Experiment 6), baselines.
- :mod:`.model`: ``nn.LSTM`` or ``nn.RNN`` and a linear read-out of the last step.
- :mod:`.training`: Adam, counting sequences, the paper's stop rule, records; the paper's
  counts (:data:`PAPER`: means over its trials, Neural Computation 9(8), Tables 7 and 9).
- :mod:`.gradients`: gradient norms through time, and the connectivity of a trained network.
- ``python -m lstm_helpers.longlag --task adding --lag 100 --cell lstm``: the command line.
"""

from .gradients import (
    cell_path_gradients,
    cell_state_drift,
    connectivity,
    gradient_through_time,
    jacobian_product_norms,
    make_recurrent,
    spectral_bound,
    summarise_over_seeds,
)
from .model import CELLS, NONLINEARITIES, RNN_INITS, LongLagNet, set_forget_bias_
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
    PAPER_WEIGHTS,
    TASKS,
    Config,
    Record,
    evaluate,
    load_record,
    make_batch,
    make_model,
    model_from_record,
    parameter_count,
    sequence_errors,
    shipped_records,
    shipped_sweep,
    train,
)

__all__ = [
    "ADDING_TOLERANCE", "CELLS", "GOAL", "NONLINEARITIES", "ORDER_SYMBOLS", "PAPER",
    "PAPER_WEIGHTS", "RNN_INITS", "TASKS", "Batch", "Config", "LongLagNet", "Record",
    "adding_chance", "adding_problem", "bag_of_symbols", "cell_path_gradients",
    "cell_state_drift",
    "chance_accuracy", "chance_cross_entropy", "connectivity", "evaluate",
    "gradient_through_time", "jacobian_product_norms", "load_record", "make_batch",
    "make_model", "make_recurrent", "model_from_record", "order_blind_accuracy",
    "order_positions", "parameter_count",
    "sequence_errors", "set_forget_bias_", "shipped_records", "shipped_sweep", "spectral_bound",
    "summarise_over_seeds", "temporal_order", "train",
]
