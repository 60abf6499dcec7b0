"""The baseline a practitioner tries first: a linear autoregressive model, AR(p).

A pure sine obeys a two-term linear recurrence: with ``x_t = sin(omega t + phi)``,

.. math:: x_{t+1} = 2 \\cos(\\omega)\\, x_t - x_{t-1},

so AR(2), fitted by least squares, continues the waves almost exactly. These functions fit
AR(p) and score it exactly as the LSTM is scored (:func:`ar_free_running_mse`): read the given
values, predict the next one, then feed the predictions back.
"""

import numpy as np
import torch

__all__ = ["ar_continue", "ar_fit", "ar_free_running_mse", "ar_select", "k_step_errors"]


def _waves(waves, name="waves") -> np.ndarray:
    if torch.is_tensor(waves):
        waves = waves.detach().cpu().numpy()
    waves = np.asarray(waves, dtype=np.float64)
    if waves.ndim != 2:
        raise ValueError(f"{name} must have shape (N, L), got shape {waves.shape}")
    return waves


def ar_fit(waves, p: int = 2) -> np.ndarray:
    """Least-squares AR(p) coefficients ``a`` with ``x_{t+1} ~ a_1 x_t + ... + a_p x_{t-p+1}``.

    Args:
        waves: ``(N, L)`` training waves (every window of ``p + 1`` values in every row is
            one equation). p: the order (default 2).

    Outputs: ``float64`` array ``(p,)``; ``a[0]`` multiplies the latest value.
    """
    waves = _waves(waves)
    if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p < waves.shape[1]:
        raise ValueError(f"p must be an int from 1 to {waves.shape[1] - 1}, got {p!r}")
    L = waves.shape[1]
    # column j of the design matrix holds x_{t-j} for t = p-1 ... L-2; the target is x_{t+1}
    X = np.stack([waves[:, p - 1 - j: L - 1 - j] for j in range(p)], axis=-1)  # (N, L-p, p)
    y = waves[:, p:]  # (N, L - p)
    a, *_ = np.linalg.lstsq(X.reshape(-1, p), y.reshape(-1), rcond=None)
    return a


def ar_continue(a, given, future: int = 1000) -> np.ndarray:
    """Continue each row of ``given`` ``(N, G)`` with the AR model ``a`` ``(p,)``: the
    prediction of the next value from the last ``p`` given ones, then ``future`` more from its
    own predictions. Outputs ``(N, future + 1)``."""
    a = np.asarray(a, dtype=np.float64)
    given = _waves(given, "given")
    p = a.size
    if given.shape[1] < p:
        raise ValueError(f"given must hold at least p={p} values per row, got {given.shape[1]}")
    buf = np.empty((given.shape[0], p + future + 1))  # the last p given values, then predictions
    buf[:, :p] = given[:, -p:]
    w = a[::-1]  # oldest first, to match the window buf[:, t:t + p]
    for t in range(future + 1):
        buf[:, p + t] = buf[:, t:t + p] @ w  # (N,)
    return buf[:, p:]  # (N, future + 1)


def ar_free_running_mse(a, waves, given: int = 999) -> float:
    """AR's free-running MSE on ``waves`` ``(N, L)``, scored as
    :func:`lstm_helpers.sine.free_running_mse` scores the LSTM: given ``waves[:, :given]``,
    the errors of the predictions of ``waves[:, given + 1:]``."""
    waves = _waves(waves)
    future = waves.shape[1] - given - 1
    pred = ar_continue(a, waves[:, :given], future)[:, 1:]  # (N, future)
    return float(np.mean((pred - waves[:, given + 1:]) ** 2))


def k_step_errors(prediction, truth) -> np.ndarray:
    """Squared error ``k`` steps into the free-running part, averaged over the waves:
    ``(F,)`` for ``prediction`` and ``truth`` of shape ``(N, F)``."""
    prediction, truth = _waves(prediction, "prediction"), _waves(truth, "truth")
    if prediction.shape != truth.shape:
        raise ValueError(f"prediction and truth must have the same shape, got "
                         f"{prediction.shape} and {truth.shape}")
    return np.mean((prediction - truth) ** 2, axis=0)


def ar_select(train, validation, orders=range(1, 21), given: int = 999):
    """Choose AR(p)'s order on validation waves: fit each ``p`` in ``orders`` on ``train`` by
    least squares and score its free-running MSE on ``validation``.

    All orders are fitted on the same equations (the targets ``x_{t+1}`` with
    ``t >= max(orders) - 1``), so one QR decomposition of the largest design matrix serves every
    order: its first ``p`` columns are AR(p)'s.

    Returns ``(best_p, coefficients, {p: validation MSE})``; a diverging fit scores ``inf``.
    """
    train = _waves(train)
    orders = list(orders)
    top = max(orders)
    if min(orders) < 1 or top >= train.shape[1]:
        raise ValueError(f"orders must lie from 1 to {train.shape[1] - 1}, got {orders[:3]}...")
    L = train.shape[1]
    X = np.stack([train[:, top - 1 - j: L - 1 - j] for j in range(top)], axis=-1)  # (N, L-top, top)
    q, r = np.linalg.qr(X.reshape(-1, top))  # (N (L - top), top), (top, top)
    qty = q.T @ train[:, top:].reshape(-1)  # (top,)
    scores, fits = {}, {}
    for p in orders:
        fits[p] = np.linalg.solve(r[:p, :p], qty[:p])  # upper triangular
        with np.errstate(over="ignore", invalid="ignore"):
            mse = ar_free_running_mse(fits[p], validation, given)
        scores[p] = mse if np.isfinite(mse) else float("inf")
    best = min(scores, key=scores.__getitem__)
    return best, fits[best], scores
