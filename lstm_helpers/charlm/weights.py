"""Weights on disk: what ``train`` exports and the book ships (``data/charlm/weights.pt``: the
float32 state dict, the vocabulary's characters and the config), and :func:`load_pretrained`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import torch

from .data import Vocab
from .model import CharLM

__all__ = ["load_pretrained", "load_weights", "save_weights"]


def save_weights(path, state_dict: dict, vocab_chars: str, config: dict) -> Path:
    """Write a model's float32 state dict with its vocabulary and config."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": {k: v.detach().float().clone() for k, v in state_dict.items()},
                "vocab": vocab_chars, "config": dict(config)}, path)
    return path


def load_weights(path, dtype=torch.float32):
    """``(model, vocab)`` from a weights file, in eval mode, in ``dtype``."""
    data = torch.load(path, weights_only=True)
    vocab = Vocab(data["vocab"])
    c = data["config"]
    model = CharLM(len(vocab), c["embedding_dim"], c["hidden_size"], c["num_layers"],
                   c["dropout"])
    model.load_state_dict(data["state_dict"])
    return model.to(dtype).eval(), vocab


def load_pretrained(dtype=torch.float32):
    """``(model, vocab)`` of the shipped model (``data/charlm/weights.pt``), in eval mode.

    ``dtype=torch.float64`` gives the same weights in float64 (float32 converts exactly): the
    book computes the numbers it prints that way, so they hold on every CPU.
    """
    file = resources.files("lstm_helpers").joinpath("data", "charlm", "weights.pt")
    with resources.as_file(file) as path:
        if not path.is_file():
            raise FileNotFoundError(f"no shipped weights at {path}: train with "
                                    "python -m lstm_helpers.charlm train")
        return load_weights(path, dtype)
