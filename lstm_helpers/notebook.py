"""Set-up shared by every chapter notebook: one thread, fixed seeds, stable printing.

Every chapter starts with ``setup()`` so that its stored outputs are exactly what a fresh
run prints, on any machine (``nbval`` re-runs the notebooks and compares).
"""

import random

import numpy as np
import torch


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
        {"figure.dpi": 80, "savefig.dpi": 80, "figure.figsize": (6.4, 3.6), "font.size": 10}
    )
