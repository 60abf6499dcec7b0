"""Seeds and settings in one command: the grid of configs x seeds, one record per run.

    python -m lstm_helpers.sweep longlag --seeds 0-4 --set forget_bias=none,1,3 --set lag=100
    python -m lstm_helpers.sweep sine --seeds 0-4 --set recipe=forecast --out runs/

- One process per core (``--jobs``, default: the machine's cores, at most 2 here), one torch
  thread each: on 2 shared cores, more threads per process were measured to collapse.
- It resumes where it stopped: a run whose record exists in ``OUT/APP/`` is skipped (and
  counted in the summary).
- It writes one record per run (``OUT/APP/<settings>_seed<S>.json``, :mod:`.records`) and a
  summary (``OUT/APP/summary.json``) with, per setting, the application's goal number over
  the seeds as ``median [min-max] over n seeds`` and how many runs met the goal
  (:func:`.experiment.summarise`).

An application is a package with ``Config``, ``train(config, progress=False) -> Record`` and
``GOAL`` (see :mod:`.experiment`); :data:`APPS` names them.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from . import records
from .experiment import changes, parse_seeds, parse_value, run_name, setting_name, summarise

__all__ = ["APPS", "load_app", "main", "plan", "run_name", "setting_name", "summary"]

#: The applications a sweep can run, by the name the command line takes.
APPS = {
    "sine": "lstm_helpers.sine",
    "longlag": "lstm_helpers.longlag",
    "classify": "lstm_helpers.classify",
    "firstinput": "lstm_helpers.firstinput",
    "charlm": "lstm_helpers.charlm",
}


def load_app(name: str):
    """The application package called ``name`` (checked: it has Config, train and GOAL)."""
    if name not in APPS:
        raise ValueError(f"app must be one of {sorted(APPS)}, got {name!r}")
    module = importlib.import_module(APPS[name])
    missing = [a for a in ("Config", "train", "GOAL") if not hasattr(module, a)]
    if missing:
        raise RuntimeError(f"{APPS[name]} is not an application: it lacks {missing}")
    return module


def _settings(text: str, config_cls) -> tuple[str, list]:
    """``"key=v1,v2"`` as ``(key, [v1, v2])``, each value of the field's type."""
    key, sep, values = text.partition("=")
    if not sep or not key or not values:
        raise ValueError(f"--set must look like key=v1,v2, got {text!r}")
    return key, [parse_value(config_cls, key, v) for v in values.split(",")]


def plan(config_cls, sets: list[str], seeds: list[int]) -> list:
    """Every config of the grid: each ``--set`` value combined with each other one, x seeds."""
    grid = [{}]
    for text in sets:
        key, values = _settings(text, config_cls)
        grid = [{**g, key: v} for g in grid for v in values]
    base = config_cls()
    if "seed" not in {f.name for f in dataclasses.fields(config_cls)}:
        raise RuntimeError(f"{config_cls.__module__}.Config has no seed field")
    return [dataclasses.replace(base, **g, seed=s) for g in grid for s in seeds]


def _worker_init():
    import torch

    torch.set_num_threads(1)


def _run_one(app_name: str, config_dict: dict, path: str, command: str) -> tuple[str, float]:
    app = load_app(app_name)
    record = app.train(app.Config(**config_dict), progress=False)
    record.command = command
    records.save(record, path)
    return path, record.seconds


def summary(app_name: str, folder, configs=None) -> dict:
    """Group the records in ``folder`` by setting (seed apart) and summarise the app's goal.

    Returns ``{setting_name: {"changes", "seeds", "values", "met", "summary"}}``; with
    ``configs``, only the records of those configs count.
    """
    app = load_app(app_name)
    goal, folder = app.GOAL, Path(folder)
    wanted = None if configs is None else {run_name(c) for c in configs}
    groups: dict = {}
    for path in sorted(folder.glob("*.json")):
        if path.name == "summary.json" or (wanted is not None and path.stem not in wanted):
            continue
        record = records.load(path)
        config = app.Config(**record.config)
        group = groups.setdefault(setting_name(config),
                                  {"changes": changes(config), "seeds": [], "values": []})
        group["seeds"].append(record.seed)
        group["values"].append(record.result.get(goal.key))
    for group in groups.values():
        order = sorted(range(len(group["seeds"])), key=group["seeds"].__getitem__)
        group["seeds"] = [group["seeds"][i] for i in order]
        group["values"] = [group["values"][i] for i in order]
        group["met"] = sum(goal.met(v) for v in group["values"])
        group["summary"] = summarise(group["values"], goal)
    return groups


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lstm_helpers.sweep",
        description="Run an application over a grid of settings and seeds, one record per run, "
        "two processes at a time, skipping runs whose record exists; then summarise.")
    parser.add_argument("app", choices=sorted(APPS))
    parser.add_argument("--seeds", default="0-4", help="e.g. 0-9 or 0,3,5 (default: 0-4)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=V1,V2",
                        help="a config field and its values; repeat for a grid")
    parser.add_argument("--out", default="runs", help="folder of the records (default: ./runs)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="processes at once, one torch thread each (default: 2 or fewer)")
    parser.add_argument("--dry-run", action="store_true", help="list the runs, run nothing")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be positive, got {args.jobs}")
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    app = load_app(args.app)
    try:
        configs = plan(app.Config, args.set, parse_seeds(args.seeds))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    folder = Path(args.out) / args.app
    todo = [(c, folder / f"{run_name(c)}.json") for c in configs]
    pending = [(c, p) for c, p in todo if not p.exists()]
    print(f"{len(configs)} runs: {len(configs) - len(pending)} done already, "
          f"{len(pending)} to run with {args.jobs} process(es)", flush=True)
    if args.dry_run:
        for _, p in todo:
            print(("done " if p.exists() else "todo ") + str(p))
        return 0
    command = records.command_line("python -m lstm_helpers.sweep", argv)
    if pending:
        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=get_context("spawn"),
                                 initializer=_worker_init) as pool:
            futures = [pool.submit(_run_one, args.app, dataclasses.asdict(c), str(p), command)
                       for c, p in pending]
            for future in as_completed(futures):
                path, seconds = future.result()
                print(f"{path} ({seconds:.0f} s of training)", flush=True)
    groups = summary(args.app, folder, configs)
    (folder / "summary.json").write_text(json.dumps(
        {"command": command, "goal": dataclasses.asdict(app.GOAL), "groups": groups},
        indent=1) + "\n")
    for name, group in groups.items():
        print(f"{name}: {group['summary']}")
    print(f"summary written to {folder / 'summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
