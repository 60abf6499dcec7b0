"""Ship chapter 6's sweep records: copy ``OUT/sine/*.json`` of ``python -m lstm_helpers.sweep
sine ...`` into ``lstm_helpers/data/sine/`` under the chapter's names, without the bulky
per-step predictions (``extra["predictions"]``) and per-closure parameter norms
(``metrics[k]["param_norms"]``); every other metric and the results stay whole. The sweep's
``--out`` folder in the recorded command becomes ``runs`` (the machine's scratch path is no
part of the experiment). Each sweep's ``summary.json``, given as NAME=FILE, goes to
``lstm_helpers/data/sine/sweeps/NAME.json``.

    python tools/ship_sine_sweeps.py runs/sine forecast=summary_forecast.json ...
"""

import json
import sys
from pathlib import Path

from lstm_helpers import records
from lstm_helpers.sine import Config
from lstm_helpers.sweep import setting_name

DATA = Path(__file__).resolve().parents[1] / "lstm_helpers" / "data" / "sine"
#: sweep setting name -> the chapter's record prefix
#: scratch paths of the runs -> what the shipped command says
SCRATCH = {"/tmp/ch6/runs2": "runs", "/tmp/ch6/runs3": "runs", "/tmp/ch6/": ""}
NAMES = {
    "default": "forecast", "noise=0.0": "forecast_noise0", "burn_in=0": "forecast_burnin0",
    "train_length=300_train_rows=32": "forecast_slice", "signal=triangle": "triangle",
}


def trim(record, keep_predictions=False):
    """Drop the bulk the chapter does not read, say so in the record, shorten scratch paths."""
    if not keep_predictions:
        record.extra.pop("predictions", None)
    for entry in record.metrics:
        entry.pop("param_norms", None)
    record.extra["trimmed"] = ("shipped by tools/ship_sine_sweeps.py: per-closure param_norms"
                               + ("" if keep_predictions else " and per-step predictions")
                               + " removed; scratch paths in the command shortened")
    record.command = shorten(record.command)
    return record


def shorten(text: str) -> str:
    for scratch, short in SCRATCH.items():
        text = text.replace(scratch, short)
    return text


def main(folder, *summaries) -> int:
    folder = Path(folder)
    for path in sorted(folder.glob("*.json")):
        if path.name == "summary.json":
            continue
        record = records.load(path)
        setting = setting_name(Config(**record.config))
        if setting not in NAMES:
            print(f"skipped {path.name}: setting {setting!r} is not shipped")
            continue
        trim(record)
        out = records.save(record, DATA / f"{NAMES[setting]}_seed{record.seed}.json")
        print(f"{path.name} -> {out.name}")
    for item in summaries:
        name, _, file = item.partition("=")
        (DATA / "sweeps").mkdir(exist_ok=True)
        data = json.loads(shorten(Path(file).read_text()))
        (DATA / "sweeps" / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
        print(f"{file} -> sweeps/{name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
