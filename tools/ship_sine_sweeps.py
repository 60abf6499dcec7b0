"""Ship chapter 6's sweep records: copy ``OUT/sine/*.json`` of ``python -m lstm_helpers.sweep
sine ...`` into ``lstm_helpers/data/sine/`` under the chapter's names, without the bulky
per-step predictions (``extra["predictions"]``; the metrics and results stay whole); and each
sweep's ``summary.json`` given as NAME=FILE as ``lstm_helpers/data/sine/sweeps/NAME.json``.

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
NAMES = {
    "default": "forecast", "noise=0.0": "forecast_noise0", "burn_in=0": "forecast_burnin0",
    "train_length=300_train_rows=32": "forecast_slice",
}


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
        record.extra.pop("predictions", None)
        out = records.save(record, DATA / f"{NAMES[setting]}_seed{record.seed}.json")
        print(f"{path.name} -> {out.name}")
    for item in summaries:
        name, _, file = item.partition("=")
        (DATA / "sweeps").mkdir(exist_ok=True)
        data = json.loads(Path(file).read_text())
        (DATA / "sweeps" / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
        print(f"{file} -> sweeps/{name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
