"""Copy a finished sweep into the package: records (bulky ``extra`` trimmed) and a summary.

    python tools/ship_sweep.py longlag runs/init/longlag lstm_helpers/data/longlag/init \\
        --commands "python -m lstm_helpers.sweep longlag --seeds 0-4 ..." [--keep-extra]

The summary (``summary.json``) holds the sweep commands that made the records, the
application's goal and, per setting, the goal's values over the seeds as
``lstm_helpers.sweep.summary`` computes them from the copied records: re-running the commands
from a clean clone and summarising gives the same groups. ``extra`` keeps only the keys the
record tests need (``first_losses``), unless ``--keep-extra``.
"""

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from lstm_helpers import records
from lstm_helpers.sweep import load_app, summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app")
    parser.add_argument("source", help="the sweep's folder of records (OUT/APP)")
    parser.add_argument("target", help="where the package keeps them")
    parser.add_argument("--commands", nargs="+", required=True)
    parser.add_argument("--keep-extra", action="store_true")
    args = parser.parse_args(argv)
    source, target = Path(args.source), Path(args.target)
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.json")):
        if path.name == "summary.json":
            continue
        record = records.load(path)
        if not args.keep_extra:
            record.extra = {k: v for k, v in record.extra.items() if k == "first_losses"}
        records.save(record, target / path.name)
    app = load_app(args.app)
    groups = summary(args.app, target)
    (target / "summary.json").write_text(json.dumps(
        {"commands": args.commands, "goal": dataclasses.asdict(app.GOAL), "groups": groups},
        indent=1) + "\n")
    for name, group in groups.items():
        print(f"{name}: {group['summary']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
