"""Chapter 4's experiment: does an LSTM remember its first input after each initialisation?

- :mod:`.task`: the "remember the first input" task and the small model that learns it.
- :mod:`.training`: :func:`train_first_input` (what the chapter runs) and the shared shape
  (:class:`Config`, :func:`train`, :data:`GOAL`) for ``python -m lstm_helpers.sweep firstinput``,
  and :func:`recorded_runs`, the chapter's 18 runs as the shipped sweep recorded them.
"""

from .task import FirstInputModel, first_input_task
from .training import (
    FIRST_INPUT_CONFIGS,
    GOAL,
    Config,
    TrainingResult,
    first_input_finals,
    recorded_runs,
    train,
    train_first_input,
)

__all__ = [
    "FIRST_INPUT_CONFIGS", "GOAL", "Config", "FirstInputModel", "TrainingResult",
    "first_input_finals", "first_input_task", "recorded_runs", "train", "train_first_input",
]
