"""Helpers shared by the exercise checks: answers compared with care, never raising.

A check calls the learner's function on clones (:func:`call_on_clones`), compares tensors
with a tolerance (:func:`close`), recognises a typical wrong answer among variants
(:func:`first_match`), and leaves the notebook's random state alone (:func:`keeps_rng`).
"""

import functools

import torch

from ..shapes import as_shape
from ._core import call_learner_function, hint


def keeps_rng(fn):
    """Run a check without touching the notebook's random state (modules draw weights)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with torch.random.fork_rng(devices=[]):
            return fn(*args, **kwargs)

    return wrapper


def shape_or_none(value):
    """``torch.Size``, tuple or list of sizes -> tuple of ints; anything else -> None."""
    try:
        return tuple(as_shape(value))
    except (TypeError, ValueError):
        return None


def three_shapes(answer, names):
    """``(shapes, None)`` for a tuple of three shapes, else ``(None, hint)`` saying what's off."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return None, hint(f"give three shapes in a tuple: (shape of {names[0]}, shape of "
                          f"{names[1]}, shape of {names[2]}), each a tuple of ints such as (7, 2).")
    shapes = [shape_or_none(a) for a in answer]
    for name, shape in zip(names, shapes, strict=True):
        if shape is None:
            return None, hint(f"the shape you gave for {name} is not a tuple of ints.")
    return shapes, None


def close(a, b) -> bool:
    return (
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and torch.allclose(a.detach().double(), b.detach().double(), atol=1e-6, rtol=1e-5)
    )


def call_on_clones(fn, *args):
    """Call the learner's function on clones, so that in-place edits cannot spoil the check."""
    return call_learner_function(fn, *[a.clone() if isinstance(a, torch.Tensor) else a
                                       for a in args])


def matmul_error(err: Exception) -> bool:
    text = str(err)
    return isinstance(err, RuntimeError) and (
        "cannot be multiplied" in text or "size mismatch" in text or "must match the size" in text
        or "shapes cannot" in text
    )


def pair_hint(result, names):
    """Check that ``result`` is a pair of tensors; return a hint otherwise."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return hint(f"return a pair {names} (a tuple of two tensors), got "
                    f"{type(result).__name__}.")
    if not all(isinstance(t, torch.Tensor) for t in result):
        kinds = ", ".join(type(t).__name__ for t in result)
        return hint(f"both items of {names} must be tensors, got ({kinds}).")
    return None


def random_data(seed, *shapes):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=gen, dtype=torch.float64) for s in shapes]


def first_match(result, variants):
    """The hint of the first variant whose outputs equal ``result`` (all tensors)."""
    for outputs, message in variants:
        if all(close(r, v) for r, v in zip(result, outputs, strict=True)):
            return message
    return None


def with_weights(module, **values):
    """``module`` (a PyTorch LSTM or cell) with its parameters set to ``values`` by name."""
    with torch.no_grad():
        for name, value in values.items():
            getattr(module, name).copy_(value)
    return module
