"""Chapter 8: an LSTM that classifies sequences (the UCI Japanese Vowels speakers).

- :mod:`.data`: the data (shipped in ``lstm_helpers/data/classify/``), splits, padding
  ``collate``.
- :mod:`.model`: :class:`SequenceClassifier` (LSTM + linear head), :class:`SequenceTagger`,
  and the baselines :class:`FlatClassifier`, :class:`PooledClassifier`,
  :class:`MajorityClassifier`.
- :mod:`.training`: :func:`fit` (the reusable loop), metrics, class weights.
- :mod:`.runs`: the experiment shape: :class:`Config`, :func:`train` (a record), :data:`GOAL`.
- ``python -m lstm_helpers.classify`` and ``python -m lstm_helpers.sweep classify``: longer
  sweeps, with records.
"""


from .data import (
    NUM_CLASSES,
    NUM_FEATURES,
    SequenceDataset,
    Splits,
    collate,
    data_file,
    load_japanese_vowels,
    make_imbalanced,
    make_splits,
    make_tagging,
    read_ts,
)
from .inside import Trace, trace
from .model import (
    READOUTS,
    FlatClassifier,
    MajorityClassifier,
    PooledClassifier,
    SequenceClassifier,
    SequenceTagger,
    last_valid,
    pooled_features,
)
from .runs import (
    FLAT_LENGTH,
    GOAL,
    IMBALANCE,
    MODELS,
    RNNS,
    Config,
    build_model,
    readout_scores,
    shipped_sweep,
    train,
)
from .training import (
    History,
    confusion_matrix,
    evaluate,
    fit,
    inverse_frequency_weights,
    make_loader,
    per_class_recall,
    predict,
)

__all__ = [
    "FLAT_LENGTH", "GOAL", "IMBALANCE", "MODELS", "RNNS", "Config", "Trace", "build_model",
    "readout_scores", "shipped_sweep", "trace", "train", "MajorityClassifier",
    "PooledClassifier", "pooled_features",
    "NUM_CLASSES", "NUM_FEATURES", "READOUTS", "FlatClassifier", "History", "SequenceClassifier",
    "SequenceDataset", "SequenceTagger", "Splits", "collate", "confusion_matrix", "data_file",
    "evaluate", "fit", "inverse_frequency_weights", "last_valid", "load_japanese_vowels",
    "make_imbalanced", "make_loader", "make_splits", "make_tagging", "per_class_recall",
    "predict", "read_ts",
]
