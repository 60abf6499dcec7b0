"""One training run of chapter 8 as a JSON-ready record, and the shipped records.

:func:`run_one` is what the command line (``python -m lstm_helpers.classify``), the notebook
and the record tests call; :func:`load_record` reads a record back.
"""

import json
from pathlib import Path

import torch
from torch import nn

from .data import NUM_CLASSES, NUM_FEATURES, make_imbalanced, make_splits
from .model import SequenceClassifier
from .training import (
    confusion_matrix,
    fit,
    inverse_frequency_weights,
    make_loader,
    per_class_recall,
    predict,
)

__all__ = ["DATA_DIR", "IMBALANCE", "RNNS", "load_record", "readout_scores", "run_one"]

RNNS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
#: the chapter's imbalanced training set: speakers 7, 8 and 9 keep 3 utterances each
IMBALANCE = {6: 3, 7: 3, 8: 3}
DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def run_one(rnn="lstm", hidden=32, epochs=30, lr=1e-2, seed=0, imbalanced=False,
            weighting="none", bidirectional=False, device=None, progress=False, splits=None,
            readout="packed"):
    """Train one classifier and test it. Returns a JSON-ready dict (config and results).

    ``readout`` is :class:`SequenceClassifier`'s (Default: "packed"); the returned dict names
    it only when it is not the default, so the shipped records keep their keys."""
    splits = splits or make_splits()
    train_set = make_imbalanced(splits.train, IMBALANCE) if imbalanced else splits.train
    weight = None
    if weighting == "inverse":
        weight = inverse_frequency_weights(train_set.labels, NUM_CLASSES).to(device)
    elif weighting != "none":
        raise ValueError(f"weighting must be 'none' or 'inverse', got {weighting!r}")
    torch.manual_seed(seed)
    model = SequenceClassifier(NUM_FEATURES, hidden, NUM_CLASSES, rnn=RNNS[rnn],
                               bidirectional=bidirectional, readout=readout, device=device,
                               dtype=torch.float64)
    history = fit(model, make_loader(train_set, 32, shuffle=True, seed=seed),
                  make_loader(splits.val, 64), nn.CrossEntropyLoss(weight=weight),
                  epochs=epochs, lr=lr, progress=progress)
    pred, true = predict(model, make_loader(splits.test, 128))
    recall = per_class_recall(confusion_matrix(pred, true, NUM_CLASSES))
    run = {
        "rnn": rnn, "hidden": hidden, "epochs": epochs, "lr": lr, "seed": seed,
        "imbalanced": imbalanced, "weighting": weighting, "bidirectional": bidirectional,
        "test_correct": int((pred == true).sum()), "test_total": int(true.numel()),
        "recall": [round(float(r), 6) for r in recall],
        "best_epoch": history.best_epoch, "final_train_loss": history.train_loss[-1],
        "seconds": round(history.seconds, 2),
    }
    if readout != "packed":
        run["readout"] = readout
    return run


def readout_scores() -> dict[str, float]:
    """Correct test answers (of 370) of the chapter's runs with ``readout="last"`` and
    ``"packed"``: H = 32, 15 epochs, seed 0, float64, as the notebook trains them.

    A flat dict for ``tools/isa_spread.py``, which records how far each moves between
    instruction sets: the ``"last"`` run trains on pad steps and sits on a tipping point, so
    its score differs between CPUs, while the ``"packed"`` one does not.
    """
    splits = make_splits()
    return {readout: float(run_one(hidden=32, epochs=15, seed=0, readout=readout,
                                   splits=splits)["test_correct"])
            for readout in ("last", "packed")}


def load_record(name) -> dict:
    """A record file, or ``"sweep"`` / ``"weighting"`` for the ones shipped in ``data/``."""
    if name in ("sweep", "weighting"):
        name = DATA_DIR / f"classify_{name}.json"
    return json.loads(Path(name).read_text())
