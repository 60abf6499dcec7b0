"""Training with LBFGS, as the official ``train.py`` does, with a record of every step.

A run is defined by a :class:`Config` (a frozen dataclass). Its ``recipe`` names a preset:

- ``"faithful"``: the official recipe unchanged (float64, the two-cell loop, LBFGS(lr=0.8)
  without line search, all 97 training waves);
- ``"fast"``: the same task in a fraction of the time (float32, the fused LSTM, a line search,
  a 300-step slice of 32 waves), which fits the next value well and forecasts badly;
- ``"forecast"``: a forecaster (full-length waves, a burn-in, input noise, the model chosen by
  its free-running error on validation waves that training never sees).

Any other field overrides the preset; ``None`` means "the recipe's value". :func:`train`
returns a :class:`lstm_helpers.records.Record`.

Why this module is long: it holds the whole training story of chapter 6 in one place (the
config and its three recipes, the closure, the step loop with its per-step scores, the model
selection on validation waves, the float64 refinement, the records), so that the chapter can
show each piece with ``inspect.getsource`` and the tests can re-run each against the records.
"""

import contextlib
import math
import time
import warnings
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from torch import nn

from .. import records
from .._checks import check_int, format_shape
from ..experiment import Goal
from ..experiment import progress as progress_bar
from ..records import Record
from .data import (
    SIGNALS,
    future_mse,
    generate_sine_waves,
    shape_signal,
    split_sine_data,
    true_continuation,
    unseen_waves,
)
from .model import Sequence

__all__ = [
    "FAITHFUL", "FAST", "FORECAST", "GOAL", "RECIPES", "Config", "build", "free_running_mse",
    "get_recipe", "load_record", "load_states", "make_closure", "parameter_norms", "predict",
    "test_loss", "train", "work_to_target",
]

_DTYPES = {"float64": torch.float64, "float32": torch.float32}

#: Every recipe's settings. ``0`` rows or length: all of them; ``"none"``: no line search,
#: no refinement.
RECIPES = {
    "faithful": dict(steps=15, dtype="float64", fused=False, lr=0.8, max_iter=20,
                     history_size=100, line_search_fn="none", train_rows=0, train_length=0,
                     burn_in=0, noise=0.0, select="last", refine_dtype="none", future=1000,
                     signal="sine"),
    "fast": dict(steps=15, dtype="float32", fused=True, lr=1.0, max_iter=20, history_size=100,
                 line_search_fn="strong_wolfe", train_rows=32, train_length=300, burn_in=0,
                 noise=0.0, select="last", refine_dtype="float64", future=1000,
                 signal="sine"),
    "forecast": dict(steps=30, dtype="float32", fused=True, lr=1.0, max_iter=20,
                     history_size=100, line_search_fn="strong_wolfe", train_rows=4,
                     train_length=0, burn_in=50, noise=0.01, select="validation",
                     refine_dtype="none", future=1000, signal="sine"),
}


@dataclass(frozen=True)
class Config:
    """Everything that defines a training run of the sine example.

    Args:
        recipe: ``"faithful"``, ``"fast"`` or ``"forecast"`` (default): the preset every field
            left at ``None`` takes its value from (:data:`RECIPES`).
        seed: ``torch.manual_seed`` before the model is built (the official value is 0); also
            seeds the input noise.
        steps: LBFGS steps (each calls the closure up to ``max_iter`` times).
        dtype: ``"float64"`` or ``"float32"``. fused: see :class:`Sequence`.
        lr, max_iter, history_size, line_search_fn: LBFGS's arguments (``line_search_fn``:
            ``"strong_wolfe"`` or ``"none"``).
        train_rows, train_length: the training waves and time steps used (0: all; see
            :func:`split_sine_data`).
        burn_in: the first time steps of each wave left out of the loss (the model cannot know
            the phase from the first value or two).
        noise: standard deviation of Gaussian noise added to the training inputs (not the
            targets), drawn afresh for every LBFGS step (0: none).
        select: which model the run keeps: ``"last"`` (after the last step) or
            ``"validation"`` (the step with the lowest free-running MSE on the validation
            waves, :func:`unseen_waves`).
        refine_dtype: when a step makes no progress (float32 rounding stalls LBFGS), convert
            the model to this dtype and go on with a fresh LBFGS (``"none"``: never).
        future: how many values to predict past the end of each wave.
        signal: ``"sine"`` (the official data) or ``"triangle"`` (a triangle wave with the same
            shifts, period and test rows, :func:`shape_signal`): every wave, training,
            validation and test, is that signal.
    """

    recipe: str = "forecast"
    seed: int = 0
    steps: int | None = None
    dtype: str | None = None
    fused: bool | None = None
    lr: float | None = None
    max_iter: int | None = None
    history_size: int | None = None
    line_search_fn: str | None = None
    train_rows: int | None = None
    train_length: int | None = None
    burn_in: int | None = None
    noise: float | None = None
    select: str | None = None
    refine_dtype: str | None = None
    future: int | None = None
    signal: str | None = None

    def __post_init__(self):
        if self.recipe not in RECIPES:
            raise ValueError(f"recipe must be one of {sorted(RECIPES)}, got {self.recipe!r}")
        if self.dtype is not None and self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {self.dtype!r}")
        if self.refine_dtype not in (None, "none", *_DTYPES):
            raise ValueError(f"refine_dtype must be 'none' or one of {sorted(_DTYPES)}, "
                             f"got {self.refine_dtype!r}")
        if self.line_search_fn not in (None, "none", "strong_wolfe"):
            raise ValueError(f"line_search_fn must be 'none' or 'strong_wolfe', "
                             f"got {self.line_search_fn!r}")
        if self.signal not in (None, *SIGNALS):
            raise ValueError(f"signal must be one of {SIGNALS}, got {self.signal!r}")
        if self.select not in (None, "last", "validation"):
            raise ValueError(f"select must be 'last' or 'validation', got {self.select!r}")
        for name in ("steps", "train_rows", "train_length", "burn_in", "future", "seed"):
            if getattr(self, name) is not None:
                check_int(name, getattr(self, name), minimum=0)
        for name in ("max_iter", "history_size"):
            if getattr(self, name) is not None:
                check_int(name, getattr(self, name))
        if self.lr is not None and not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        if self.noise is not None and not self.noise >= 0:
            raise ValueError(f"noise must be non-negative, got {self.noise!r}")

    def resolved(self) -> "Config":
        """This config with every ``None`` replaced by its recipe's value."""
        preset = RECIPES[self.recipe]
        return replace(self, **{k: v for k, v in preset.items() if getattr(self, k) is None})

    def changes(self) -> dict:
        """The fields set away from the recipe (seed apart): what makes this run special."""
        preset = RECIPES[self.recipe]
        return {k: getattr(self, k) for k in preset
                if getattr(self, k) is not None and getattr(self, k) != preset[k]}

    @property
    def torch_dtype(self) -> torch.dtype:
        return _DTYPES[self.resolved().dtype]


#: The official recipe: float64, the two-cell loop, LBFGS(lr=0.8) without line search, all data.
FAITHFUL = Config(recipe="faithful")

#: Same model, data and test set: float32 (oneDNN's whole-sequence LSTM kernel on the CPU), the
#: fused two-layer LSTM for the teacher-forced pass, a strong-Wolfe line search, and training
#: on the first 300 time steps of 32 of the 97 training waves; if float32 stalls LBFGS, it goes
#: on in float64. Fits the next value; forecasts badly.
FAST = Config(recipe="fast")

#: The forecaster: as FAST, but 4 full-length waves, the first 50 steps of each out of the loss,
#: input noise of standard deviation 0.01, 30 steps, and the model of the step with the lowest
#: free-running MSE on the validation waves.
FORECAST = Config(recipe="forecast")

#: What a sweep summarises: the free-running MSE of the selected model over the 1000 future
#: steps of the unseen test waves (:func:`unseen_waves`), in float64; the goal is 1e-3.
GOAL = Goal("test_future_mse", 1e-3, "below")


def get_recipe(name: str) -> Config:
    """``"faithful"``, ``"fast"`` or ``"forecast"``, every field filled in."""
    if name not in RECIPES:
        raise ValueError(f"recipe must be one of {sorted(RECIPES)}, got {name!r}")
    return Config(recipe=name).resolved()


@torch.no_grad()
def parameter_norms(model: Sequence) -> dict:
    """Sizes of the parameters: the L2 norm of each module's parameters (``lstm1``, ``lstm2``,
    ``linear``) and the read-out bound ``sum|w| + |b|``.

    Since ``h = o * tanh(c)`` lies in (-1, 1), every prediction satisfies
    ``|y_hat| <= sum_j |w_j| + |b|``: a huge prediction needs a huge read-out.
    """
    norms = {
        name: float(torch.sqrt(sum(p.double().square().sum() for p in module.parameters())))
        for name, module in (("lstm1", model.lstm1), ("lstm2", model.lstm2),
                             ("linear", model.linear))
    }
    norms["readout_bound"] = float(
        model.linear.weight.double().abs().sum() + model.linear.bias.double().abs().sum()
    )
    return norms


def make_closure(model, optimizer, criterion, input, target, losses: list, norms=None,
                 burn_in: int = 0):
    """The closure LBFGS calls whenever it needs the loss and its gradient at the current
    parameters: clear the gradients, forward, loss, backward, return the loss.

    ``losses`` receives every loss; ``norms`` (a list, optional) receives
    :func:`parameter_norms` of the parameters at which the loss was evaluated; the first
    ``burn_in`` time steps are left out of the loss (default 0: the official loss)."""

    def closure():
        if norms is not None:
            norms.append(parameter_norms(model))
        optimizer.zero_grad()
        out = model(input)  # (N, L)
        loss = criterion(out[:, burn_in:], target[:, burn_in:])
        loss.backward()
        losses.append(loss.item())
        return loss

    return closure


@torch.no_grad()
def predict(model: Sequence, test_input: torch.Tensor, future: int = 1000) -> torch.Tensor:
    """The model's output on the test waves, then ``future`` more values: ``(N, L + future)``."""
    return model(test_input, future=future)


def test_loss(prediction: torch.Tensor, test_target: torch.Tensor) -> float:
    """The official test loss: mean squared error of the teacher-forced part of the prediction."""
    length = test_target.size(1)
    return nn.functional.mse_loss(prediction[:, :length], test_target).item()


def free_running_mse(model: Sequence, waves, given: int = 999, dtype=None) -> float:
    """The forecaster's score: read the first ``given`` values of each wave (teacher-forced),
    then predict on its own; the mean squared error of the free-running values against
    ``waves[:, given + 1:]`` (the first free-running value is the prediction of
    ``waves[:, given + 1]``, as in the official script's ``future`` part).

    ``waves``: ``(N, L)`` array or tensor with ``L > given + 1``. ``dtype``: evaluate in this
    dtype (default: the model's), on a copy of the model. Non-finite predictions give ``inf``.
    """
    waves = torch.as_tensor(np.asarray(waves) if not torch.is_tensor(waves) else waves)
    if waves.dim() != 2 or waves.size(1) <= given + 1:
        raise ValueError(f"waves must have shape (N, L) with L > {given + 1}, "
                         f"got {format_shape(waves.shape)}")
    weight = model.linear.weight
    if dtype is not None and dtype != weight.dtype:
        import copy

        model = copy.deepcopy(model).to(dtype)
    dtype = model.linear.weight.dtype
    future = waves.size(1) - given - 1
    x = waves[:, :given].to(device=weight.device, dtype=dtype)
    with torch.no_grad():
        pred = model(x, future=future)[:, given:]  # (N, future)
    err = pred.double().cpu() - waves[:, given + 1:].double()
    mse = float(err.square().mean())
    return mse if math.isfinite(mse) else math.inf


def _lbfgs(model, config):
    fn = None if config.line_search_fn == "none" else config.line_search_fn
    return torch.optim.LBFGS(
        model.parameters(), lr=config.lr, max_iter=config.max_iter,
        history_size=config.history_size, line_search_fn=fn,
    )


def _split(config, data, device, dtype):
    return split_sine_data(data, train_rows=config.train_rows or None,
                           train_length=config.train_length or None, device=device, dtype=dtype)


def _stalled(losses) -> bool:
    """A step that did not lower the training loss by even 0.1%."""
    return len(losses) < 2 or not losses[-1] < (1 - 1e-3) * losses[0]


def build(config: Config = FAITHFUL, device=None, cell="torch", data=None):
    """Model, data split, loss and optimizer of a config, seeded as the official script."""
    config = config.resolved()
    if data is None:
        data = shape_signal(generate_sine_waves(), config.signal)
    split = _split(config, data, device, config.torch_dtype)
    with torch.random.fork_rng(devices=[]):  # seed like the official script, restore after
        torch.manual_seed(config.seed)
        model = Sequence(cell=cell, fused=config.fused, device=device, dtype=config.torch_dtype)
    return model, split, nn.MSELoss(), _lbfgs(model, config)


def _finite(value):
    return float(value) if value is not None and math.isfinite(value) else None


def _state(model) -> dict:
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


def train(config: Config = FORECAST, progress: bool = False, callback=None, device=None,
          cell="torch", keep_predictions: bool = True, target_loss: float | None = None,
          target_val_mse: float | None = None, model=None, states: dict | None = None,
          state_steps=None,
          prediction_stride: int = 5) -> Record:
    """Run ``config.steps`` LBFGS steps; after each, score the test and validation waves.

    Args:
        config: a :class:`Config` (default: :data:`FORECAST`).
        progress: show a progress bar (:func:`lstm_helpers.experiment.progress`).
        callback: called as ``callback(entry, prediction)`` after each step, with the step's
            metrics and its test prediction (``(3, 999 + future)``, NumPy).
        device: where to train (``"cuda"`` when present). Default: None (the CPU).
        cell: which LSTM cell class to use (see :class:`Sequence`). Default: "torch".
        keep_predictions: keep each step's test prediction in ``record.extra["predictions"]``
            (every ``prediction_stride``-th value, 6 decimals).
        target_loss: stop after the first step whose test loss is at most this.
        target_val_mse: stop after the first step whose free-running MSE on the validation
            waves is at most this (computed after every step, whatever ``select`` says).
        model: continue training this model instead of a freshly seeded one.
        states: a dict that receives ``{step: state_dict}`` (CPU copies) after each step in
            ``state_steps`` (``None``: every step); with ``select="validation"`` the selected
            model is stored last, under the key ``config.steps`` (the largest).

    Outputs:
        a :class:`~lstm_helpers.records.Record`. ``metrics``: per step ``step``,
        ``closure_losses``, ``train_loss``, ``test_loss`` (official, 3 test rows,
        teacher-forced), ``future_mse`` (their 1000 free-running steps), ``val_future_mse``
        (validation waves), ``seconds``, ``dtype``, ``param_norms``. ``result``:
        ``selected_step``, ``val_future_mse``, ``test_future_mse`` (the selected model on the
        unseen test waves, in float64: :data:`GOAL`), ``last_test_future_mse`` (the last
        step's model), ``final_test_loss``, ``final_future_mse``, ``best_test_loss``,
        ``closures``. ``extra``: ``predictions``, ``prediction_stride``, ``resolved`` (every
        setting). ``record.model`` (not saved) is the selected model.
    """
    resolved = config.resolved()
    record = Record.new("sine", config)
    record.extra = {"resolved": asdict(resolved), "prediction_stride": prediction_stride,
                    "predictions": []}
    c = resolved
    data = shape_signal(generate_sine_waves(), c.signal)
    fresh, split, criterion, optimizer = build(c, device=device, cell=cell, data=data)
    if model is not None:
        optimizer = _lbfgs(model, c)
    else:
        model = fresh
    truth = (torch.as_tensor(shape_signal(true_continuation(c.future), c.signal)) if c.future
             else None)
    # 999 given values, the value the last one predicts, then `future` to forecast
    validation = (shape_signal(unseen_waves("validation", L=1000 + c.future), c.signal)
                  if c.future else None)
    noise_gen = torch.Generator().manual_seed(c.seed + 1)
    best = (math.inf, None, None)  # (validation MSE, step, state)
    bar = progress_bar(c.steps, enabled=progress, desc=f"{c.recipe} LBFGS", unit="step")
    start_all = time.perf_counter()
    with _no_tf32():
        for i in range(c.steps):
            losses: list = []
            norms: list = []
            start = time.perf_counter()
            x = split.input
            if c.noise:
                x = x + c.noise * torch.randn(x.shape, generator=noise_gen, dtype=torch.float64
                                              ).to(device=x.device, dtype=x.dtype)
            optimizer.step(make_closure(model, optimizer, criterion, x, split.target, losses,
                                        norms, burn_in=c.burn_in))
            pred = predict(model, split.test_input, future=c.future)  # (3, 999 + future)
            loss = test_loss(pred, split.test_target)
            wanted = c.select == "validation" or target_val_mse is not None
            val = free_running_mse(model, validation) if wanted and validation is not None \
                else None
            if pred.is_cuda:
                torch.cuda.synchronize()
            entry = {
                "step": i, "closure_losses": [_finite(v) for v in losses],
                "train_loss": _finite(losses[-1]), "test_loss": _finite(loss),
                "future_mse": None if truth is None else _finite(future_mse(pred, truth)),
                "val_future_mse": _finite(val) if val is not None else None,
                "seconds": round(time.perf_counter() - start, 3),
                "dtype": str(split.input.dtype).removeprefix("torch."),
                "param_norms": {key: [_finite(n[key]) for n in norms] for key in norms[0]}
                if norms else {},
            }
            if val is None:
                del entry["val_future_mse"]
            record.metrics.append(entry)
            prediction = pred.double().cpu().numpy()
            if keep_predictions:
                record.extra["predictions"].append(
                    [[_finite(v) for v in np.round(row[::prediction_stride], 6)]
                     for row in prediction])
            if states is not None and (state_steps is None or i in state_steps):
                states[i] = _state(model)
            if c.select == "validation" and val is not None and val < best[0]:
                best = (val, i, _state(model))
            bar.update(1)
            bar.set_postfix(train=f"{losses[-1]:.3g}", test=f"{loss:.3g}")
            if callback is not None:
                callback(entry, prediction)
            if target_loss is not None and loss <= target_loss:
                break
            if target_val_mse is not None and val is not None and val <= target_val_mse:
                break
            refine = c.refine_dtype != "none" and _DTYPES[c.refine_dtype]
            if refine and split.input.dtype != refine and _stalled(losses):
                model.to(dtype=refine)  # go on from the same weights, in higher precision
                split = _split(c, data, split.input.device, refine)
                optimizer = _lbfgs(model, c)
    bar.close()
    record.seconds = round(time.perf_counter() - start_all, 2)
    last = model
    if best[1] is not None:
        selected = Sequence(cell=cell, device=device, dtype=model.linear.weight.dtype)
        selected.load_state_dict(best[2])
        if states is not None:
            states[max([c.steps, *(k + 1 for k in states)])] = best[2]
    else:
        selected = model
    test = shape_signal(unseen_waves("test", L=1000 + c.future), c.signal) if c.future else None

    def score(m):
        return None if test is None else _finite(free_running_mse(m, test, dtype=torch.float64))

    steps = record.metrics
    chosen = score(selected)
    record.result = {
        "selected_step": best[1] if best[1] is not None else (steps[-1]["step"] if steps
                                                              else None),
        "val_future_mse": _finite(best[0]) if best[1] is not None else None,
        "test_future_mse": chosen,
        "last_test_future_mse": chosen if last is selected else score(last),
        "final_test_loss": steps[-1]["test_loss"] if steps else None,
        "final_future_mse": steps[-1]["future_mse"] if steps else None,
        "best_test_loss": min((s["test_loss"] for s in steps if s["test_loss"] is not None),
                              default=None),
        "closures": sum(len(s["closure_losses"]) for s in steps),
        "train_seconds": round(sum(s["seconds"] for s in steps), 2),
    }
    record.model = selected
    return record


@contextlib.contextmanager
def _no_tf32():
    """cuDNN may run float32 RNNs in TF32 (10-bit mantissa) on NVIDIA GPUs, which stalls LBFGS
    far above the float32 limit; keep full float32 while training, restore afterwards."""
    cudnn = torch.backends.cudnn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = cudnn.allow_tf32
        cudnn.allow_tf32 = False
    try:
        yield
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cudnn.allow_tf32 = before


def load_record(name) -> Record:
    """A shipped record by name (``"faithful"``, ``"fast"``, ``"forecast"``, ... in
    ``data/sine/``) or a record file written by ``python -m lstm_helpers.sine --record FILE``.

    The per-step predictions in ``record.extra["predictions"]`` become NumPy arrays
    ``(rows, time / stride)`` with NaN where the run had diverged.
    """
    if isinstance(name, str) and "/" not in name and not name.endswith(".json"):
        record = records.shipped("sine", name)
    else:
        record = records.load(name)
    record.extra["predictions"] = [
        np.array([[np.nan if v is None else v for v in row] for row in p])
        for p in record.extra.get("predictions", [])
    ]
    return record


def load_states(name: str) -> dict:
    """The state dicts shipped with a record: ``data/sine/<name>_states.pt``, ``{step: dict}``."""
    from importlib import resources

    file = resources.files("lstm_helpers").joinpath("data", "sine", f"{name}_states.pt")
    if not file.is_file():
        raise ValueError(f"no shipped sine states named {name!r}")
    with file.open("rb") as f:
        return torch.load(f, weights_only=True)


def work_to_target(record: Record, target: float = 1e-5, key: str = "test_loss"):
    """What a recorded run spent until ``key`` (a per-step metric) first reached ``target``.

    Returns ``(step, closure_calls, seconds)`` summed over the steps up to and including the
    first one whose ``key`` is at most ``target``, or ``None`` if the run never reached it.
    """
    steps = record.metrics
    for k, s in enumerate(steps):
        if s.get(key) is not None and s[key] <= target:
            done = steps[: k + 1]
            calls = sum(len(t["closure_losses"]) for t in done)
            return s["step"], calls, sum(t["seconds"] for t in done)
    return None
