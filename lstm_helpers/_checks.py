"""Argument checks shared by the package: one message form, what must hold and what came, and
one way to write a shape in a message (:func:`format_shape`).

>>> check_int("hidden_size", 20)
20
>>> check_int("hidden_size", 0)
Traceback (most recent call last):
    ...
ValueError: hidden_size must be greater than zero, got 0
"""

import operator

import torch


def check_int(name, value, minimum=1):
    """``value`` as an ``int`` (anything ``operator.index`` accepts, but not a bool).

    Args:
        name: what the value is called in the message (``"hidden_size"``, ``"shape_a[1]"``).
        value: the value to check.
        minimum: the smallest value allowed, 1 (a count) or 0 (a size). Default: 1.

    Raises:
        TypeError: not an integer ("hidden_size must be an int, got float 2.5").
        ValueError: below ``minimum`` ("hidden_size must be greater than zero, got 0").
    """
    is_bool = isinstance(value, bool) or (
        isinstance(value, torch.Tensor) and value.dtype == torch.bool
    )
    try:
        if is_bool:
            raise TypeError
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}") from None
    if number < minimum:
        relation = "greater than zero" if minimum == 1 else f"a size >= {minimum}"
        raise ValueError(f"{name} must be {relation}, got {number}")
    return number


def check_bool(name, value):
    """``value`` itself if it is a ``bool``; a ``TypeError`` naming ``name`` otherwise."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return value


def format_shape(shape) -> str:
    """``(5, 3)``, ``(3,)``, ``()``: a shape written the way Python writes a tuple.

    >>> format_shape(torch.Size([5, 3])), format_shape([3]), format_shape(())
    ('(5, 3)', '(3,)', '()')
    """
    return str(tuple(int(s) for s in shape))
