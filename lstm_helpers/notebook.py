"""Set-up shared by every chapter notebook: one thread, fixed seeds, stable printing.

Every chapter starts with ``setup()`` so that its stored outputs are exactly what a fresh
run prints, on any machine (``nbval`` re-runs the notebooks and compares).
"""

import inspect
import random

import numpy as np
import torch

#: Resolution of every figure the book stores (inline plots and widget images): at 120 dpi a
#: 10-point label is about 17 pixels tall, legible on a phone.
FIGURE_DPI = 120


def setup(seed: int = 0) -> None:
    """Make a notebook reproducible and fast on a small machine.

    Args:
        seed: seed for Python's ``random``, NumPy and PyTorch. Default: 0.

    One torch thread: on two shared cores more threads were measured up to 10x slower,
    and one thread makes floating-point sums happen in the same order on every run.
    """
    torch.set_num_threads(1)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_printoptions(precision=4, sci_mode=False, linewidth=88)
    np.set_printoptions(precision=4, suppress=True, linewidth=88)
    import matplotlib

    matplotlib.rcParams.update(
        {"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI, "figure.figsize": (6.4, 3.6),
         "font.size": 10}
    )


def load_spread(name: str) -> dict:
    """A shipped record of how far some numbers move between CPUs' instruction sets.

    Written by ``tools/isa_spread.py ... --out lstm_helpers/data/spread/<name>.json``: the
    values of each number natively and under pinned-down instruction sets, and the largest
    relative difference (``relative_spread``). Read through :mod:`importlib.resources`, like
    every shipped file of the package.
    """
    import json
    from importlib import resources

    file = resources.files("lstm_helpers").joinpath("data", "spread", f"{name}.json")
    if not file.is_file():
        raise FileNotFoundError(f"no spread record named {name!r}: expected the file "
                                f"data/spread/{name}.json")
    return json.loads(file.read_text())


def stable_or_range(value: float, key: str, record: dict, *, fmt: str = ".2f",
                    max_spread: float = 1e-3) -> str:
    """``value`` formatted, if the record shows it is stable across CPUs; else the range.

    A number whose measured relative spread is below ``max_spread`` and that does not sit
    within twice its spread of a rounding boundary of ``fmt`` is printed as computed here.
    Any other number is replaced by the range the record measured, marked with ``*``:
    what this machine computes for it may differ from another reader's, so the page shows
    what was measured instead.
    """
    spread = record["relative_spread"].get(key)
    if spread is None:
        raise KeyError(f"the spread record has no number named {key!r}")
    lo, hi = value * (1 - 2 * spread), value * (1 + 2 * spread)
    if spread < max_spread and format(lo, fmt) == format(hi, fmt):
        return format(value, fmt)
    measured = [v[key] for v in record["values"].values()]
    lo, hi = format(min(measured), fmt), format(max(measured), fmt)
    return f"{lo}*" if lo == hi else f"{lo}-{hi}*"


class _DisplayFile:
    """A file for tqdm that shows its latest line in one notebook output, in place."""

    def __init__(self):
        from IPython.display import display

        self.handle = display({"text/plain": ""}, raw=True, display_id=True)

    def write(self, text):
        line = text.rstrip("\r\n").split("\r")[-1].strip()
        self.handle.update({"text/plain": line}, raw=True)

    def flush(self):
        pass


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def progress_bar(epochs: int, enabled: bool = True, desc: str = "epochs", unit: str = "it"):
    """A tqdm bar over ``range(epochs)`` that leaves nothing behind when closed.

    Iterate over it, or call ``update(n)`` and ``close()`` (a count of sequences, say).

    In a terminal it is tqdm's usual bar on stderr. In a notebook it lives in one output
    that starts empty and is updated in place, and emptied again when the bar closes: what
    the notebook stores (and what ``nbval`` compares) is that empty output, never a bar
    with timings in it.
    """
    from tqdm import tqdm

    file = _DisplayFile() if enabled and _in_kernel() else None
    return tqdm(range(epochs), desc=desc, unit=unit, leave=False, disable=not enabled,
                file=file, ascii=file is not None)


def source_lines(obj, first: str, last: str) -> str:
    """The lines of ``obj``'s source from the first that contains ``first`` to the first one
    after it that contains ``last``, both included: the core of a function, to print in a
    chapter while its whole source stays one ``inspect.getsource`` away.

    Raises:
        ValueError: ``first``, or ``last`` after it, is not in the source (the function
            changed: update the chapter).
    """
    lines = inspect.getsource(obj).splitlines()
    try:
        start = next(k for k, line in enumerate(lines) if first in line)
        stop = next(k for k in range(start, len(lines)) if last in lines[k])
    except StopIteration:
        raise ValueError(
            f"{getattr(obj, '__name__', obj)}: no line with {first!r} followed by one with "
            f"{last!r}"
        ) from None
    return "\n".join(lines[start : stop + 1])
