"""The sine-wave example of pytorch/examples (``time_sequence_prediction``), as a package.

- :func:`generate_sine_waves`: the official data, bit for bit, in memory;
  :func:`unseen_waves`: validation and test waves no training row duplicates.
- :class:`Sequence`: the official model (``lstm1``, ``lstm2``, ``linear``), cell class selectable.
- :class:`Config`, :func:`train` (returns a :class:`lstm_helpers.records.Record`) and :data:`GOAL`,
  with the recipes :data:`FAITHFUL` (the official one), :data:`FAST` and :data:`FORECAST`.
- :mod:`.baseline`: the linear autoregressive models a practitioner tries first.
- ``python -m lstm_helpers.sine --recipe forecast --seed 0 --states FILE``: the command line;
  ``python -m lstm_helpers.sweep sine --seeds 0-4``: many seeds.
"""

from .baseline import ar_continue, ar_fit, ar_free_running_mse, ar_select, k_step_errors
from .data import (
    SIGNALS,
    UNSEEN,
    SineSplit,
    future_mse,
    generate_sine_waves,
    prediction_truth,
    shape_signal,
    split_sine_data,
    true_continuation,
    unseen_waves,
)
from .model import HIDDEN_SIZE, Sequence, fused_parameters, resolve_cell
from .training import (
    FAITHFUL,
    FAST,
    FORECAST,
    GOAL,
    RECIPES,
    Config,
    build,
    free_running_mse,
    get_recipe,
    load_record,
    load_states,
    make_closure,
    parameter_norms,
    predict,
    test_loss,
    train,
    work_to_target,
)

__all__ = [
    "FAITHFUL", "FAST", "FORECAST", "GOAL", "HIDDEN_SIZE", "RECIPES", "SIGNALS", "UNSEEN", "Config",
    "Sequence", "SineSplit", "ar_continue", "ar_fit", "ar_free_running_mse", "ar_select", "build",
    "free_running_mse", "fused_parameters", "future_mse", "generate_sine_waves", "get_recipe",
    "k_step_errors", "load_record", "load_states", "make_closure", "parameter_norms", "predict",
    "prediction_truth", "resolve_cell", "shape_signal", "split_sine_data", "test_loss", "train",
    "true_continuation", "unseen_waves", "work_to_target",
]
