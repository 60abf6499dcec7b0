"""A training loop to reuse: mini-batches, validation, the best state kept and restored.

- :func:`make_loader`: a seeded ``DataLoader`` with :func:`~lstm_helpers.classify.data.collate`.
- :func:`fit`: Adam over epochs; after each, the validation loss and accuracy; the state with
  the lowest validation loss is saved (``torch.save``) and restored at the end
  (``torch.load(..., weights_only=True)``). A tqdm bar shows progress while it runs and is
  removed when it ends, so a notebook keeps only the results.
- :func:`evaluate`, :func:`predict`: loss, accuracy, predicted classes.
- :func:`inverse_frequency_weights`, :func:`confusion_matrix`, :func:`per_class_recall`.

Works for one class per sequence (logits ``(N, C)``, labels ``(N,)``) and for one class per
step (logits ``(N, C, L)``, labels ``(N, L)`` with ``ignore_index`` after each end), on the CPU
or CUDA (``device="cuda"``) unchanged.
"""

import io
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from ..notebook import progress_bar
from .data import collate

__all__ = [
    "History", "confusion_matrix", "evaluate", "fit", "inverse_frequency_weights",
    "make_loader", "per_class_recall", "predict", "progress_bar",
]


def make_loader(dataset, batch_size: int = 32, shuffle: bool = False, seed: int = 0):
    """A ``DataLoader`` over ``dataset`` that pads with :func:`collate`; with ``shuffle``, a
    fixed order for a given ``seed`` (its own generator, untouched by other random draws)."""
    generator = torch.Generator().manual_seed(seed) if shuffle else None
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=shuffle,
                                       collate_fn=collate, generator=generator)


def _counted(logits, y, ignore_index):
    """(correct predictions, counted targets) of a batch."""
    mask = y != ignore_index  # (N,) or (N, L)
    hits = (logits.argmax(1) == y) & mask  # (N,) or (N, L)
    return int(hits.sum()), int(mask.sum())


def _to(batch, device, dtype):
    x, lengths, y = batch
    return x.to(device=device, dtype=dtype), lengths, y.to(device)


def _param(model):
    return next(model.parameters())


@torch.no_grad()
def evaluate(model, loader, loss_fn=None, ignore_index: int = -100):
    """Mean loss (``None`` without ``loss_fn``) and accuracy of ``model`` over ``loader``.

    The mean loss weighs each batch by its counted targets (steps for a tagger)."""
    model.eval()
    p = _param(model)
    total, hits, count = 0.0, 0, 0
    for batch in loader:
        x, lengths, y = _to(batch, p.device, p.dtype)
        logits = model(x, lengths)  # (N, C) or (N, C, L)
        h, n = _counted(logits, y, ignore_index)
        hits, count = hits + h, count + n
        if loss_fn is not None:
            total += float(loss_fn(logits, y)) * n
    model.train()
    return (total / count if loss_fn is not None else None), hits / count


@torch.no_grad()
def predict(model, loader, ignore_index: int = -100):
    """``(predicted, true)`` class tensors on the CPU, ``(N_total,)``; for per-step labels,
    the real steps (target not ``ignore_index``) of all sequences, flattened."""
    model.eval()
    p = _param(model)
    preds, trues = [], []
    for batch in loader:
        x, lengths, y = _to(batch, p.device, p.dtype)
        pred = model(x, lengths).argmax(1)  # (N,) or (N, L)
        keep = y != ignore_index
        preds.append(pred[keep].cpu())
        trues.append(y[keep].cpu())
    model.train()
    return torch.cat(preds), torch.cat(trues)


@dataclass
class History:
    """What :func:`fit` saw. Per epoch: mean training loss and accuracy, validation loss and
    accuracy. ``batch_losses``: every mini-batch loss in order (the raw loss curve).
    ``best_epoch``: the epoch whose state was restored."""

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    batch_losses: list = field(default_factory=list)
    best_epoch: int = -1
    seconds: float = 0.0


def fit(model, train_loader, val_loader, loss_fn=None, epochs: int = 30, lr: float = 1e-2,
        optimizer=None, progress: bool = True, checkpoint=None, ignore_index: int = -100):
    """Train ``model`` with ``loss_fn``; keep the state with the lowest validation loss.

    Args:
        model: called as ``model(x, lengths)``, returns logits ``(N, C)`` or ``(N, C, L)``.
        train_loader, val_loader: yield ``(x, lengths, y)`` (see :func:`make_loader`).
        loss_fn: Default: ``nn.CrossEntropyLoss()``.
        epochs: passes over the training set. Default: 30.
        lr: Adam's learning rate, when no ``optimizer`` is given. Default: 0.01.
        optimizer: Default: ``torch.optim.Adam(model.parameters(), lr)``.
        progress: show a tqdm bar while training (removed at the end). Default: True.
        checkpoint: a file path (or binary file object) for the best state. Default: None
            (kept in memory).
        ignore_index: label that counts for nothing in the accuracy. Default: -100.

    Returns:
        a :class:`History`; ``model`` holds the best state.
    """
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    p = _param(model)
    checkpoint = io.BytesIO() if checkpoint is None else checkpoint
    history, best = History(), float("inf")
    start = time.perf_counter()
    model.train()
    bar = progress_bar(epochs, enabled=progress)
    for epoch in bar:
        total, hits, count = 0.0, 0, 0
        for batch in train_loader:
            x, lengths, y = _to(batch, p.device, p.dtype)
            optimizer.zero_grad()
            logits = model(x, lengths)  # (N, C) or (N, C, L)
            loss = loss_fn(logits, y)
            loss.backward()
            optimizer.step()
            h, n = _counted(logits.detach(), y, ignore_index)
            hits, count, total = hits + h, count + n, total + loss.item() * n
            history.batch_losses.append(loss.item())
        val_loss, val_acc = evaluate(model, val_loader, loss_fn, ignore_index)
        history.train_loss.append(total / count)
        history.train_acc.append(hits / count)
        history.val_loss.append(val_loss)
        history.val_acc.append(val_acc)
        if val_loss < best:  # keep the best state so far
            best, history.best_epoch = val_loss, epoch
            _rewind(checkpoint)
            torch.save(model.state_dict(), checkpoint)
        bar.set_postfix(loss=f"{total / count:.3f}", val_acc=f"{val_acc:.3f}")
    bar.close()
    if hasattr(checkpoint, "seek"):
        checkpoint.seek(0)
    model.load_state_dict(torch.load(checkpoint, weights_only=True, map_location=p.device))
    history.seconds = time.perf_counter() - start
    return history


def _rewind(checkpoint):
    """Before saving into a file object: write from the start, drop the older state."""
    if hasattr(checkpoint, "seek"):
        checkpoint.seek(0)
        checkpoint.truncate()


def inverse_frequency_weights(labels, num_classes: int) -> torch.Tensor:
    """Class weights :math:`w_c = N / (C \\, n_c)` (``float64``, shape ``(C,)``).

    Balanced classes get 1 each; a class half as frequent as average gets 2. A class with no
    example gets weight 0 (it never appears as a target, so its weight is never used).
    Labels equal to -100 (padding) are not counted.
    """
    labels = torch.as_tensor(labels).flatten()
    labels = labels[labels != -100]
    counts = torch.bincount(labels, minlength=num_classes).double()  # (C,)
    weights = labels.numel() / (num_classes * counts)  # (C,)
    return torch.where(counts > 0, weights, torch.zeros_like(weights))


def confusion_matrix(pred, true, num_classes: int, ignore_index: int = -100) -> torch.Tensor:
    """``M[t, p]``: how many examples of true class t were predicted as p (int64 (C, C))."""
    pred, true = torch.as_tensor(pred).flatten(), torch.as_tensor(true).flatten()
    keep = true != ignore_index
    flat = true[keep] * num_classes + pred[keep]  # (M,)
    counts = torch.bincount(flat, minlength=num_classes**2)  # (C * C,)
    return counts.view(num_classes, num_classes)  # (C, C)


def per_class_recall(matrix: torch.Tensor) -> torch.Tensor:
    """Recall of each class: the diagonal over the row sums (nan for an empty row)."""
    matrix = matrix.double()
    return matrix.diagonal() / matrix.sum(1)  # (C,)
