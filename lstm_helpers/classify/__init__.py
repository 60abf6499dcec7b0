"""Chapter 8: an LSTM that classifies sequences (the UCI Japanese Vowels speakers).

- :mod:`.data`: the data (read from the installed sktime wheel), splits, padding ``collate``.
- :mod:`.model`: :class:`SequenceClassifier` (LSTM + linear head), :class:`SequenceTagger`,
  :class:`FlatClassifier` (a baseline).
- :mod:`.training`: :func:`fit` (the reusable loop), metrics, class weights.
- ``python -m lstm_helpers.classify``: longer sweeps, with records.
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
from .model import READOUTS, FlatClassifier, SequenceClassifier, SequenceTagger, last_valid
from .sweeps import IMBALANCE, RNNS, load_record, readout_scores, run_one
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
    "IMBALANCE", "RNNS", "Trace", "load_record", "readout_scores", "run_one", "trace",
    "NUM_CLASSES", "NUM_FEATURES", "READOUTS", "FlatClassifier", "History", "SequenceClassifier",
    "SequenceDataset", "SequenceTagger", "Splits", "collate", "confusion_matrix", "data_file",
    "evaluate", "fit", "inverse_frequency_weights", "last_valid", "load_japanese_vowels",
    "make_imbalanced", "make_loader", "make_splits", "make_tagging", "per_class_recall",
    "predict", "read_ts",
]
