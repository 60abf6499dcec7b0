"""The data of the official example: N sine waves of length L, each shifted by a random integer.

Bit-for-bit the array of pytorch/examples ``time_sequence_prediction/generate_sine_wave.py``,
generated in memory (the official ``traindata.pt`` holds a pickled NumPy array, which
``torch.load`` refuses by default since PyTorch 2.6).
"""

from dataclasses import dataclass

import numpy as np
import torch

from .._checks import format_shape

__all__ = [
    "SIGNALS", "UNSEEN", "SineSplit", "future_mse", "generate_sine_waves", "shape_signal",
    "split_sine_data", "prediction_truth", "true_continuation", "unseen_waves",
]

#: The signals a run can learn: each a function of the sine wave ``sin((t + s) / T)``.
#: ``"triangle"``: ``(2 / pi) arcsin(sin(...))``, a triangle wave of the same period and phase, a
#: periodic signal that is not a sinusoid (its harmonics fall off only as ``1 / k^2``).
SIGNALS = ("sine", "triangle")

#: The waves a forecaster is scored on: ``(number of waves, NumPy seed)`` per split.
UNSEEN = {"validation": (8, 1001), "test": (16, 1002)}


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return int(value)


def generate_sine_waves(T: int = 20, L: int = 1000, N: int = 100, seed: int = 2) -> np.ndarray:
    """The official sine-wave data set: row ``n`` is ``sin((arange(L) + shift_n) / T)``.

    .. math:: x_{n,t} = t + s_n, \\quad s_n \\in [-4T, 4T) \\text{ (integers)}, \\qquad
              \\text{data}_{n,t} = \\sin(x_{n,t} / T)

    Args:
        T: the time scale: one period of the sine is ``2 pi T`` samples. Default: 20.
        L: samples per wave. Default: 1000.
        N: number of waves. Default: 100.
        seed: NumPy seed of the shifts. Default: 2 (the official value).

    Outputs:
        data: ``float64`` array of shape ``(N, L)``, equal to the official array.

    The official script calls ``np.random.seed(2)`` and then ``np.random.randint``; a private
    ``np.random.RandomState(seed)`` draws exactly the same integers without touching NumPy's
    global random state.
    """
    T = _positive_int("T", T)
    L = _positive_int("L", L)
    N = _positive_int("N", N)
    rng = np.random.RandomState(seed)
    shift = rng.randint(-4 * T, 4 * T, N).reshape(N, 1)  # (N, 1): one shift per wave
    x = np.arange(L) + shift  # (L,) + (N, 1) broadcasts to (N, L), int64
    return np.sin(x / 1.0 / T).astype("float64")  # (N, L)


@dataclass
class SineSplit:
    """Training and test tensors, next-step prediction: the target is the input shifted by one.

    ``input``/``target``: rows ``test_rows..N-1``, shape ``(N - test_rows, L - 1)``;
    ``test_input``/``test_target``: rows ``0..test_rows-1``, shape ``(test_rows, L - 1)``.
    """

    input: torch.Tensor
    target: torch.Tensor
    test_input: torch.Tensor
    test_target: torch.Tensor


def split_sine_data(
    data,
    test_rows: int = 3,
    train_rows: int | None = None,
    train_length: int | None = None,
    device=None,
    dtype: torch.dtype = torch.float64,
) -> SineSplit:
    """Split the data as the official ``train.py`` does: test on the first rows, train on the rest.

    Args:
        data: array or tensor of shape ``(N, L)``.
        test_rows: the first ``test_rows`` rows are the test set. Default: 3.
        train_rows: keep only the first ``train_rows`` training rows (``None``: all). Default: None.
        train_length: keep only the first ``train_length`` training time steps (``None``: all
            ``L - 1``). The test set always keeps its full length. Default: None.
        device: where the tensors live. Default: None (the CPU).
        dtype: floating type of the tensors. Default: ``torch.float64``.

    Outputs:
        a :class:`SineSplit`; with the defaults ``input = data[3:, :-1]``,
        ``target = data[3:, 1:]``, ``test_input = data[:3, :-1]``, ``test_target = data[:3, 1:]``.
    """
    data = torch.as_tensor(np.asarray(data) if not torch.is_tensor(data) else data)
    if data.dim() != 2:
        raise ValueError(f"data must have 2 dimensions (N, L), got shape "
                         f"{format_shape(data.shape)}")
    n, length = data.shape
    test_rows = _positive_int("test_rows", test_rows)
    if not test_rows < n:
        raise ValueError(f"test_rows must be smaller than data.size(0)={n}, got {test_rows}")
    if length < 2:
        raise ValueError(f"data.size(1) must be at least 2, got {length}")
    rows = n - test_rows if train_rows is None else _positive_int("train_rows", train_rows)
    if rows > n - test_rows:
        raise ValueError(f"train_rows must be at most {n - test_rows}, got {rows}")
    steps = length - 1 if train_length is None else _positive_int("train_length", train_length)
    if steps > length - 1:
        raise ValueError(f"train_length must be at most {length - 1}, got {steps}")
    data = data.to(device=device, dtype=dtype)
    train = data[test_rows : test_rows + rows]  # (rows, L)
    return SineSplit(
        input=train[:, :steps],  # (rows, steps)
        target=train[:, 1 : steps + 1],  # (rows, steps)
        test_input=data[:test_rows, :-1],  # (test_rows, L - 1)
        test_target=data[:test_rows, 1:],  # (test_rows, L - 1)
    )


def true_continuation(future: int = 1000, test_rows: int = 3, T: int = 20, L: int = 1000,
                      seed: int = 2) -> np.ndarray:
    """What the test waves really do after their last sample: the next ``future`` values.

    The waves are ``sin((t + s_n) / T)``; drawing the same shifts ``s_n`` for a longer ``L``
    continues them exactly. Row ``n`` is ``data[n, L:L + future]`` of the longer array.

    Outputs: ``float64`` array of shape ``(test_rows, future)``.
    """
    future = _positive_int("future", future)
    longer = generate_sine_waves(T=T, L=L + future, N=100, seed=seed)  # (100, L + future)
    return longer[:test_rows, L:]  # (test_rows, future)


def prediction_truth(future: int = 1000, test_rows: int = 3) -> np.ndarray:
    """The true values that a test prediction aims at, aligned with it column by column.

    Column ``j`` of ``model(test_input, future)`` predicts sample ``j + 1`` of the test wave;
    this is ``test_target`` (999 columns) followed by the true continuation (``future`` more).

    Outputs: ``float64`` array of shape ``(test_rows, 999 + future)``.
    """
    future = int(future)
    longer = generate_sine_waves(L=1000 + future)  # (100, 1000 + future)
    return longer[:test_rows, 1:]  # (test_rows, 999 + future)


def future_mse(prediction, truth) -> float:
    """Mean squared error of the free-running part of a prediction against the truth.

    ``prediction``: ``(N, 999 + future)`` as returned by ``model(test_input, future)``;
    its last ``future`` columns are compared with ``truth`` of shape ``(N, future)``.
    Computed in float64. A diverged prediction gives ``inf`` or ``nan``.
    """
    prediction = torch.as_tensor(prediction).detach().double().cpu()
    truth = torch.as_tensor(truth).double()
    future = truth.size(1)
    if prediction.size(0) != truth.size(0) or prediction.size(1) < future:
        raise ValueError(
            f"prediction must have shape (N, L + future) with N={truth.size(0)} and at least "
            f"future={future} columns, got {format_shape(prediction.shape)}"
        )
    err = prediction[:, -future:] - truth  # (N, future)
    return float(err.square().mean())


def unseen_waves(split: str = "test", L: int = 2000, T: int = 20) -> np.ndarray:
    """Validation or test waves that no training row duplicates: ``sin((t + s_n) / T)`` with
    shifts ``s_n`` that are *not* integers (an integer in ``[-4T, 4T)`` plus a fraction in
    ``[0.05, 0.95]``), so no wave equals a row of the official data, whose shifts are all
    integers.

    Args:
        split: ``"validation"`` (8 waves, for choosing a model) or ``"test"`` (16 waves, for
            the final score). L: samples per wave (default 2000: 999 given, then the value the
            last input predicts, then 1000 to forecast). T: the time scale (default 20).

    Outputs: ``float64`` array ``(N, L)``.
    """
    if split not in UNSEEN:
        raise ValueError(f"split must be one of {sorted(UNSEEN)}, got {split!r}")
    L = _positive_int("L", L)
    T = _positive_int("T", T)
    n, seed = UNSEEN[split]
    rng = np.random.RandomState(seed)
    shift = rng.randint(-4 * T, 4 * T, n) + rng.uniform(0.05, 0.95, n)  # (N,): never integers
    return np.sin((np.arange(L) + shift.reshape(n, 1)) / T)  # (N, L)


def shape_signal(waves, signal: str = "sine"):
    """The ``signal`` with the phase of the sine ``waves`` (array or tensor, any shape):
    ``"sine"`` returns them unchanged, ``"triangle"`` returns ``(2 / pi) arcsin(waves)``."""
    if signal not in SIGNALS:
        raise ValueError(f"signal must be one of {SIGNALS}, got {signal!r}")
    if signal == "sine":
        return waves
    if torch.is_tensor(waves):
        return torch.arcsin(waves.clamp(-1, 1)) * (2 / np.pi)
    return np.arcsin(np.clip(waves, -1, 1)) * (2 / np.pi)
