"""Exercise checks, one module per chapter: ``from lstm_helpers.exercises import shapes``."""

from ._core import Feedback, checker, correct, hint, unanswered

__all__ = ["Feedback", "checker", "correct", "hint", "unanswered"]
