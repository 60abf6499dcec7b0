"""Convert the chapter-6 records of the first format (``lstm_helpers/data/*_run.json``, written
by ``python -m lstm_helpers.sine --record`` before issue 17) into :class:`records.Record` files
in ``lstm_helpers/data/sine/<name>.json``. Every number they hold is kept: the steps become
``metrics`` (unchanged), the predictions go to ``extra``; the result adds, where the record
shipped the final model's state (``fast``), its free-running MSE on the unseen test waves,
re-evaluated in float64.

    python tools/convert_sine_records.py  [--remove]   # --remove: delete the old files
"""

import argparse
import json
from pathlib import Path

import torch

from lstm_helpers import records
from lstm_helpers.sine import RECIPES, Config, Sequence, free_running_mse, unseen_waves

DATA = Path(__file__).resolve().parents[1] / "lstm_helpers" / "data"
NAMES = ("faithful", "faithful_wolfe", "faithful_lr0.1", "faithful_lr0.001", "fast")
NOTE = ("converted by tools/convert_sine_records.py from the first record format; the command "
        "ran when the command line's default recipe was fast and --line-search took "
        "none|strong_wolfe")


def config_of(old: dict) -> Config:
    """The Config of an old Recipe dict: its base recipe and what differs from it."""
    base = "fast" if old["name"].startswith("fast") else "faithful"
    values = {
        "steps": None, "dtype": old["dtype"], "fused": old["fused"], "lr": old["lr"],
        "max_iter": old["max_iter"], "history_size": old["history_size"],
        "line_search_fn": old["line_search_fn"] or "none",
        "train_rows": old["train_rows"] or 0, "train_length": old["train_length"] or 0,
        "refine_dtype": old["refine_dtype"] or "none", "future": old["future"],
    }
    preset = RECIPES[base]
    changes = {k: v for k, v in values.items() if v is not None and v != preset[k]}
    return Config(recipe=base, seed=old["seed"], **changes)


def convert(name: str) -> records.Record:
    old = json.loads((DATA / f"{name}_run.json").read_text())
    config = config_of(old["recipe"])
    steps = old["steps"]
    metrics = [{k: v for k, v in s.items() if k != "prediction"} for s in steps]
    record = records.Record(
        app="sine", config={k: getattr(config, k) for k in config.__dataclass_fields__},
        seed=config.seed, command=old["command"], versions={"torch": old["torch"]},
        machine={"threads": old["threads"], "device": old["device"]}, metrics=metrics,
        seconds=round(sum(s["seconds"] for s in steps), 2), finished=old.get("finished", True),
    )
    finite = [s["test_loss"] for s in steps if s["test_loss"] is not None]
    record.result = {
        "selected_step": steps[-1]["step"], "val_future_mse": None, "test_future_mse": None,
        "last_test_future_mse": None, "final_test_loss": steps[-1]["test_loss"],
        "final_future_mse": steps[-1].get("future_mse"),
        "best_test_loss": min(finite) if finite else None,
        "closures": sum(len(s["closure_losses"]) for s in steps),
        "train_seconds": record.seconds,
    }
    states = DATA / "sine" / f"{name}_states.pt"
    if states.exists():
        saved = torch.load(states, weights_only=True)
        last = steps[-1]["step"]
        if last in saved:
            model = Sequence(dtype=torch.float64)
            model.load_state_dict({k: v.double() for k, v in saved[last].items()})
            mse = free_running_mse(model, unseen_waves("test"))
            record.result["test_future_mse"] = record.result["last_test_future_mse"] = mse
    record.extra = {
        "name": old["recipe"]["name"], "resolved": config.resolved().__dict__.copy(),
        "prediction_stride": old["prediction_stride"],
        "predictions": [s["prediction"] for s in steps if "prediction" in s],
        "converted": NOTE,
    }
    return record


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remove", action="store_true", help="delete the old files")
    args = parser.parse_args(argv)
    for name in NAMES:
        record = convert(name)
        path = records.save(record, DATA / "sine" / f"{name}.json")
        print(f"{name}: {len(record.metrics)} steps -> {path}")
        if args.remove:
            (DATA / f"{name}_run.json").unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
