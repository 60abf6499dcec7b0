"""The sine-wave example of pytorch/examples (``time_sequence_prediction``), as a package.

- :func:`generate_sine_waves`: the official data, bit for bit, in memory.
- :class:`Sequence`: the official model (``lstm1``, ``lstm2``, ``linear``), cell class selectable.
- :func:`train` with the recipes :data:`FAITHFUL` (the official one) and :data:`FAST`.
- ``python -m lstm_helpers.sine --steps 15 [--faithful]``: the command line.
"""

from .data import (
    SineSplit,
    future_mse,
    generate_sine_waves,
    prediction_truth,
    split_sine_data,
    true_continuation,
)
from .model import HIDDEN_SIZE, Sequence, fused_parameters, resolve_cell
from .training import (
    DATA_DIR,
    FAITHFUL,
    FAST,
    History,
    Recipe,
    StepRecord,
    build,
    get_recipe,
    load_record,
    make_closure,
    parameter_norms,
    predict,
    test_loss,
    train,
    work_to_target,
)

__all__ = [
    "DATA_DIR", "FAITHFUL", "FAST", "HIDDEN_SIZE", "History", "Recipe", "Sequence", "SineSplit",
    "StepRecord", "build", "fused_parameters", "future_mse", "generate_sine_waves", "get_recipe",
    "load_record", "make_closure", "parameter_norms", "predict", "resolve_cell",
    "split_sine_data", "test_loss", "prediction_truth", "train", "true_continuation",
    "work_to_target",
]
