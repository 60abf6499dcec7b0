"""The small framework behind every exercise check.

A check takes the learner's answer and returns a :class:`Feedback`. It never raises: an
unfinished answer (``None``, ``...``, a function whose body is ``...``) gets "not yet",
a wrong answer gets a hint that points at the mistake without giving the answer away.
"""

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """The result of a check: ``correct`` and a one-line ``message`` for the learner."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        mark = "Correct!" if self.correct else "Not yet:"
        return f"{mark} {self.message}"

    __str__ = __repr__


NOT_ANSWERED = "no answer yet. Replace the `...` with your answer and run the cell again."


def correct(message: str = "well done.") -> Feedback:
    return Feedback(True, message)


def hint(message: str) -> Feedback:
    return Feedback(False, message)


def unanswered(answer) -> bool:
    """True for the placeholders a student edition starts with: ``None`` and ``...``."""
    return answer is None or answer is Ellipsis


def checker(fn):
    """Turn ``fn(answer, ...) -> Feedback`` into a check that never raises.

    Placeholders get :data:`NOT_ANSWERED`; an exception raised while checking (for example by
    the learner's own function) becomes a hint naming that exception.
    """

    @functools.wraps(fn)
    def check(answer=None, *args, **kwargs) -> Feedback:
        if unanswered(answer):
            return hint(NOT_ANSWERED)
        try:
            result = fn(answer, *args, **kwargs)
        except NotImplementedError:
            return hint(NOT_ANSWERED)
        except Exception as err:  # a check must never crash on a wrong answer
            return hint(f"running your answer raised {type(err).__name__}: {err}")
        if unanswered(result):
            return hint(NOT_ANSWERED)
        return result

    return check


def call_learner_function(fn, *args):
    """Call a learner's function; a body of ``...`` or ``pass`` counts as unanswered."""
    if not callable(fn):
        raise TypeError(f"expected a function, got {type(fn).__name__}")
    result = fn(*args)
    if unanswered(result):
        raise NotImplementedError
    return result
