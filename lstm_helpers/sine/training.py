"""Training with LBFGS, as the official ``train.py`` does, with a history of every step.

:data:`FAITHFUL` is the official recipe unchanged; :data:`FAST` solves the same task (same
model, same data, same test set and test loss) in a fraction of the time.
"""

import contextlib
import json
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .data import future_mse, generate_sine_waves, split_sine_data, true_continuation
from .model import Sequence

__all__ = [
    "DATA_DIR", "FAITHFUL", "FAST", "History", "Recipe", "StepRecord", "get_recipe", "make_closure",
    "parameter_norms", "predict", "test_loss", "train",
]

_DTYPES = {"float64": torch.float64, "float32": torch.float32}


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a training run.

    Args:
        name: a label. lr, max_iter, history_size, line_search_fn: LBFGS's arguments.
        dtype: ``"float64"`` or ``"float32"``. fused: see :class:`Sequence`.
        train_rows, train_length: see :func:`split_sine_data` (``None``: everything).
        seed: ``torch.manual_seed`` before the model is built (the official value is 0).
        future: how many values to predict past the end of each test wave.
        refine_dtype: when a step makes no progress (float32 rounding stalls LBFGS), convert the
            model to this dtype and go on with a fresh LBFGS (``None``: never).
    """

    name: str = "faithful"
    dtype: str = "float64"
    fused: bool = False
    lr: float = 0.8
    max_iter: int = 20
    history_size: int = 100
    line_search_fn: str | None = None
    train_rows: int | None = None
    train_length: int | None = None
    seed: int = 0
    future: int = 1000
    refine_dtype: str | None = None

    def __post_init__(self):
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {self.dtype!r}")
        if self.refine_dtype is not None and self.refine_dtype not in _DTYPES:
            raise ValueError(
                f"refine_dtype must be None or one of {sorted(_DTYPES)}, got {self.refine_dtype!r}"
            )
        if self.line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(
                f'line_search_fn must be None or "strong_wolfe", got {self.line_search_fn!r}'
            )

    @property
    def torch_dtype(self) -> torch.dtype:
        return _DTYPES[self.dtype]


#: The official recipe: float64, the two-cell loop, LBFGS(lr=0.8) without line search, all data.
FAITHFUL = Recipe()

#: Same model, data and test set: float32 (oneDNN's whole-sequence LSTM kernel on the CPU), the
#: fused two-layer LSTM for the teacher-forced pass, a strong-Wolfe line search, and training
#: on the first 300 time steps of 32 of the 97 training waves (the test set is untouched); if
#: float32 stalls LBFGS, it goes on in float64.
FAST = Recipe(
    name="fast", dtype="float32", fused=True, lr=1.0, line_search_fn="strong_wolfe",
    train_rows=32, train_length=300, refine_dtype="float64",
)


def get_recipe(name: str) -> Recipe:
    """``"faithful"`` or ``"fast"``."""
    recipes = {"faithful": FAITHFUL, "fast": FAST}
    if name not in recipes:
        raise ValueError(f"recipe must be one of {sorted(recipes)}, got {name!r}")
    return recipes[name]


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


def make_closure(model, optimizer, criterion, input, target, losses: list, norms=None):
    """The closure LBFGS calls whenever it needs the loss and its gradient at the current
    parameters: clear the gradients, forward, loss, backward, return the loss.

    ``losses`` receives every loss; ``norms`` (a list, optional) receives
    :func:`parameter_norms` of the parameters at which the loss was evaluated."""

    def closure():
        if norms is not None:
            norms.append(parameter_norms(model))
        optimizer.zero_grad()
        out = model(input)  # (N, L)
        loss = criterion(out, target)
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


@dataclass
class StepRecord:
    """One LBFGS step: every closure's training loss, the test loss after the step, the time.

    ``future_mse``: mean squared error of the free-running prediction (the ``future`` values
    after the 999 teacher-forced ones) against the true continuation of the test waves.
    ``param_norms``: :func:`parameter_norms` at every closure of the step.
    """

    step: int
    closure_losses: list
    test_loss: float
    seconds: float
    prediction: np.ndarray | None = field(default=None, repr=False)
    dtype: str = "float64"
    future_mse: float | None = None
    param_norms: list = field(default_factory=list, repr=False)

    @property
    def train_loss(self) -> float:
        """The last training loss LBFGS evaluated in this step (the official script's last
        printed ``loss:`` line of the step)."""
        return self.closure_losses[-1]


@dataclass
class History:
    recipe: Recipe
    steps: list = field(default_factory=list)

    @property
    def train_losses(self) -> list:
        return [s.train_loss for s in self.steps]

    @property
    def test_losses(self) -> list:
        return [s.test_loss for s in self.steps]

    @property
    def closures(self) -> int:
        return sum(len(s.closure_losses) for s in self.steps)

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)

    def to_dict(self, prediction_stride: int | None = 5) -> dict:
        """A JSON-ready record (non-finite numbers become ``None``)."""

        def finite(values):
            return [float(v) if np.isfinite(v) else None for v in values]

        out = {"recipe": asdict(self.recipe), "steps": []}
        for s in self.steps:
            entry = {
                "step": s.step, "closure_losses": finite(s.closure_losses),
                "train_loss": finite([s.train_loss])[0], "test_loss": finite([s.test_loss])[0],
                "seconds": round(s.seconds, 3), "dtype": s.dtype,
            }
            if s.future_mse is not None:
                entry["future_mse"] = finite([s.future_mse])[0]
            if s.param_norms:
                entry["param_norms"] = {
                    key: finite([n[key] for n in s.param_norms]) for key in s.param_norms[0]
                }
            if prediction_stride and s.prediction is not None:
                entry["prediction"] = [
                    finite(np.round(row[::prediction_stride], 6)) for row in s.prediction
                ]
            out["steps"].append(entry)
        out["prediction_stride"] = prediction_stride
        return out


def _lbfgs(model, recipe):
    return torch.optim.LBFGS(
        model.parameters(), lr=recipe.lr, max_iter=recipe.max_iter,
        history_size=recipe.history_size, line_search_fn=recipe.line_search_fn,
    )


def _split(recipe, data, device, dtype):
    return split_sine_data(data, train_rows=recipe.train_rows, train_length=recipe.train_length,
                           device=device, dtype=dtype)


def _stalled(losses) -> bool:
    """A step that did not lower the training loss by even 0.1%."""
    return len(losses) < 2 or not losses[-1] < (1 - 1e-3) * losses[0]


def build(recipe: Recipe = FAITHFUL, device=None, cell="torch", data=None):
    """Model, data split, loss and optimizer of a recipe, seeded as the official script."""
    if data is None:
        data = generate_sine_waves()
    split = _split(recipe, data, device, recipe.torch_dtype)
    with torch.random.fork_rng(devices=[]):  # seed like the official script, restore after
        torch.manual_seed(recipe.seed)
        model = Sequence(cell=cell, fused=recipe.fused, device=device, dtype=recipe.torch_dtype)
    return model, split, nn.MSELoss(), _lbfgs(model, recipe)


def train(recipe: Recipe = FAITHFUL, steps: int = 15, device=None, cell="torch",
          keep_predictions: bool = True, progress: bool = True, callback=None,
          target_loss: float | None = None, model=None, states: dict | None = None,
          state_steps=None) -> History:
    """Run ``steps`` LBFGS steps of a recipe; after each, predict the test waves' future.

    Args:
        recipe: :data:`FAITHFUL` (default), :data:`FAST` or your own :class:`Recipe`.
        steps: LBFGS steps (each calls the closure up to ``max_iter`` times). Default: 15.
        device: where to train (``"cuda"`` when present). Default: None (the CPU).
        cell: which LSTM cell class to use (see :class:`Sequence`). Default: "torch".
        keep_predictions: keep each step's test prediction (NumPy, ``(3, 999 + future)``).
        progress: show a tqdm progress bar (on stderr). Default: True.
        callback: called as ``callback(record)`` after each step.
        target_loss: stop after the first step whose test loss is at most this. Default: None.
        model: continue training this model instead of a freshly seeded one. Default: None.
        states: a dict that receives ``{step: state_dict}`` (CPU copies) after each step in
            ``state_steps`` (``None``: every step). Default: None (keep none).

    Outputs:
        a :class:`History`; ``history.model`` is the trained model.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative int, got {steps!r}")
    from tqdm.auto import tqdm

    data = generate_sine_waves()
    fresh, split, criterion, optimizer = build(recipe, device=device, cell=cell, data=data)
    if model is not None:
        optimizer = _lbfgs(model, recipe)
    else:
        model = fresh
    history = History(recipe)
    history.model = model
    truth = torch.as_tensor(true_continuation(recipe.future)) if recipe.future else None
    bar = tqdm(range(steps), desc=f"{recipe.name} LBFGS", unit="step", disable=not progress)
    with _no_tf32():
        for i in bar:
            losses: list = []
            norms: list = []
            start = time.perf_counter()
            optimizer.step(make_closure(model, optimizer, criterion, split.input, split.target,
                                        losses, norms))
            pred = predict(model, split.test_input, future=recipe.future)  # (3, 999 + future)
            loss = test_loss(pred, split.test_target)
            if pred.is_cuda:
                torch.cuda.synchronize()
            record = StepRecord(
                step=i, closure_losses=losses, test_loss=loss,
                seconds=time.perf_counter() - start,
                prediction=pred.double().cpu().numpy() if keep_predictions else None,
                dtype=str(split.input.dtype).removeprefix("torch."),
                future_mse=None if truth is None else future_mse(pred, truth),
                param_norms=norms,
            )
            if states is not None and (state_steps is None or i in state_steps):
                states[i] = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
            history.steps.append(record)
            bar.set_postfix(train=f"{record.train_loss:.3g}", test=f"{loss:.3g}")
            if callback is not None:
                callback(record)
            if target_loss is not None and loss <= target_loss:
                break
            refine = recipe.refine_dtype and _DTYPES[recipe.refine_dtype]
            if refine and split.input.dtype != refine and _stalled(losses):
                model.to(dtype=refine)  # go on from the same weights, in higher precision
                split = _split(recipe, data, split.input.device, refine)
                optimizer = _lbfgs(model, recipe)
    bar.close()
    return history


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


#: where the repository keeps the recorded runs (``lstm_helpers/data/*_run.json``)
DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def load_record(path) -> dict:
    """Read a record written by ``python -m lstm_helpers.sine --record FILE``; predictions
    become NumPy arrays ``(rows, time / stride)`` with NaN where the run had diverged.

    ``path``: a file, or the name of a record shipped in ``data/`` (``"faithful"`` for
    ``data/faithful_run.json``, ``"fast"``, ``"faithful_wolfe"``, ...).
    """
    if isinstance(path, str) and "/" not in path and not path.endswith(".json"):
        shipped = DATA_DIR / f"{path}_run.json"
        if not shipped.exists():
            names = sorted(p.name.removesuffix("_run.json") for p in DATA_DIR.glob("*_run.json"))
            raise ValueError(f"no shipped record named {path!r}: expected one of {names}")
        path = shipped
    record = json.loads(Path(path).read_text())
    for step in record["steps"]:
        if "prediction" in step:
            step["prediction"] = np.array(
                [[np.nan if v is None else v for v in row] for row in step["prediction"]]
            )
    return record


def work_to_target(record: dict, target: float = 1e-5):
    """What a recorded run spent until its test loss first reached ``target``.

    Returns ``(step, closure_calls, seconds)`` summed over the steps up to and including the
    first one whose test loss is at most ``target``, or ``None`` if the run never reached it.
    """
    for s in record["steps"]:
        if s["test_loss"] is not None and s["test_loss"] <= target:
            done = record["steps"][: s["step"] + 1]
            calls = sum(len(t["closure_losses"]) for t in done)
            return s["step"], calls, sum(t["seconds"] for t in done)
    return None
