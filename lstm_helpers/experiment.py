"""The shape every training application shares: a config, a progress bar, a command line and
a summary over seeds.

An application (``sine``, ``longlag``, ``classify``, ``firstinput``, ...) is a package with

- ``Config``: a frozen dataclass of everything that defines a run, with PyTorch's names where
  they exist (``hidden_size``, ``lr``, ``batch_size``, ``seed``);
- ``train(config, progress=False) -> records.Record``;
- ``GOAL``: a :class:`Goal`, the number a sweep summarises and the threshold a run must meet.

This module gives them one progress bar (:func:`progress`, quiet in a notebook and under
nbval), one way to turn a config dataclass into command-line flags (:func:`add_config_flags`,
:func:`configs_from_args`), and one way to say what a set of seeds did (:func:`summarise`).

>>> summarise([3.0, 1.0, 2.0])
'2 [1-3] over 3 seeds'
>>> summarise([0.5, 0.01, None], goal=Goal("loss", 0.1, "below"), fmt=".2g")
'0.26 [0.01-0.5] over 2 seeds; 1 of 3 runs met loss < 0.1'
>>> parse_seeds("0-3,7")
[0, 1, 2, 3, 7]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import types
import typing
from dataclasses import dataclass

__all__ = [
    "Goal", "add_config_flags", "changes", "config_from_args", "configs_from_args",
    "parse_seeds", "parse_value", "progress", "run_name", "setting_name", "summarise",
    "threads_and_device",
]


# ---------------------------------------------------------------- progress bar
def progress(total: int, enabled: bool = True, desc: str = "", unit: str = "it"):
    """One tqdm bar for every application: a counter to ``update(n)`` and ``close()``.

    In a terminal it is tqdm's bar on stderr. In a notebook (and so under nbval) it lives in
    one display output that is emptied when the bar closes, so nothing with timings in it is
    stored (:func:`lstm_helpers.notebook.progress_bar`). ``enabled=False`` shows nothing.
    """
    from .notebook import progress_bar

    return progress_bar(total, enabled=enabled, desc=desc, unit=unit)


# ---------------------------------------------------------------- goals and summaries
@dataclass(frozen=True)
class Goal:
    """What a run of an application is judged by.

    Args:
        key: the number in ``record.result`` (``"solved_at"``, ``"future_mse"``, ...).
        threshold: the bound a run must meet; ``None``: the goal is that ``key`` is not
            ``None`` (for example a stop rule that held).
        direction: ``"below"`` (at most the threshold) or ``"above"`` (at least).
    """

    key: str
    threshold: float | None = None
    direction: str = "below"

    def __post_init__(self):
        if self.direction not in ("below", "above"):
            raise ValueError(f"direction must be 'below' or 'above', got {self.direction!r}")

    def met(self, value) -> bool:
        if value is None:
            return False
        if self.threshold is None:
            return True
        return value <= self.threshold if self.direction == "below" else value >= self.threshold

    def describe(self) -> str:
        if self.threshold is None:
            return f"{self.key} reached"
        return f"{self.key} {'<' if self.direction == 'below' else '>'} {self.threshold:g}"


def summarise(values, goal: Goal | None = None, fmt: str = "g", unit: str = "seeds") -> str:
    """``median [min-max] over n seeds``, and how many runs met ``goal``.

    ``values`` holds one number per run; ``None`` marks a run that produced none (a stop rule
    that never held): it counts as a run that missed the goal and is left out of the median.
    """
    values = list(values)
    done = [v for v in values if v is not None]
    parts = []
    if done:
        med, lo, hi = statistics.median(done), min(done), max(done)
        parts.append(f"{med:{fmt}} [{lo:{fmt}}-{hi:{fmt}}] over {len(done)} {unit}")
    else:
        parts.append(f"no value over {len(values)} {unit}")
    if goal is not None:
        met = sum(goal.met(v) for v in values)
        parts.append(f"{met} of {len(values)} runs met {goal.describe()}")
    return "; ".join(parts)


def parse_seeds(text: str) -> list[int]:
    """``"0-9"``, ``"0,3,5"`` or ``"0-4,10"`` as a sorted list of distinct seeds."""
    seeds = set()
    for part in str(text).split(","):
        part = part.strip()
        try:
            if "-" in part:
                a, b = part.split("-", 1)
                lo, hi = int(a), int(b)
                if hi < lo:
                    raise ValueError
                seeds.update(range(lo, hi + 1))
            else:
                lo = hi = int(part)
                seeds.add(lo)
            if lo < 0:
                raise ValueError
        except ValueError:
            raise ValueError(f"seeds must look like '0-9' or '0,3,5', got {text!r}") from None
    return sorted(seeds)


# ---------------------------------------------------------------- command lines from configs
def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _base_type(annotation):
    """``(type, optional)`` of a field annotation such as ``int``, ``float | None``."""
    if isinstance(annotation, str):
        annotation = eval(annotation, {"typing": typing})  # noqa: S307 (our own annotations)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


def parse_value(config_cls, name: str, text: str):
    """The text of a flag or a ``--set key=value`` as the type of ``config_cls.name``.

    ``none`` gives ``None`` for a field that may be ``None``; booleans accept
    ``true/false/1/0/yes/no``.
    """
    hints = typing.get_type_hints(config_cls)
    if name not in hints:
        names = [f.name for f in dataclasses.fields(config_cls)]
        raise ValueError(f"{config_cls.__module__}.Config has no field {name!r}: "
                         f"expected one of {names}")
    kind, optional = _base_type(hints[name])
    if optional and str(text).lower() == "none":
        return None
    if kind is bool:
        lowered = str(text).lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError(f"{name} must be true or false, got {text!r}")
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {kind.__name__}, got {text!r}") from None


def add_config_flags(parser: argparse.ArgumentParser, config_cls, *, skip=(), aliases=None,
                     helps=None, many=False) -> None:
    """One flag per field of ``config_cls``: ``hidden_size`` becomes ``--hidden-size``.

    Args:
        skip: fields to leave out (an application sets them from other flags).
        aliases: extra flag names per field (``{"hidden_size": ["--hidden"]}``), to keep the
            flags a command documented before.
        helps: help text per field; the default names the field's default value.
        many: every flag takes one or more values (a grid of configs, see
            :func:`configs_from_args`).
    """
    aliases, helps = aliases or {}, helps or {}
    defaults = config_cls()
    for f in dataclasses.fields(config_cls):
        if f.name in skip:
            continue
        default = getattr(defaults, f.name)
        kwargs = {"dest": f.name, "default": None, "metavar": f.name.upper(),
                  "help": f"{helps.get(f.name, '')} (default: {default})".strip()}
        if many:
            kwargs["nargs"] = "+"
        parser.add_argument(_flag(f.name), *aliases.get(f.name, ()), **kwargs)


def configs_from_args(config_cls, args: argparse.Namespace, base=None, skip=()) -> list:
    """Every config the flags ask for: the grid of all values given (one config without
    ``many``). Values are parsed with :func:`parse_value`; a bad one raises ``ValueError``
    naming the field."""
    base = base if base is not None else config_cls()
    grid = [{}]
    for f in dataclasses.fields(config_cls):
        if f.name in skip:
            continue
        given = getattr(args, f.name, None)
        if given is None:
            continue
        values = given if isinstance(given, list) else [given]
        parsed = [parse_value(config_cls, f.name, v) for v in values]
        grid = [{**g, f.name: v} for g in grid for v in parsed]
    return [dataclasses.replace(base, **g) for g in grid]


def config_from_args(config_cls, args: argparse.Namespace, base=None, skip=()):
    """The one config the flags ask for (flags added without ``many``)."""
    return configs_from_args(config_cls, args, base=base, skip=skip)[0]


# ---------------------------------------------------------------- names of runs, run set-up
def changes(config) -> dict:
    """The fields of a config dataclass that differ from its default, seed apart."""
    base = type(config)()
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
            if f.name != "seed" and getattr(config, f.name) != getattr(base, f.name)}


def setting_name(config) -> str:
    """The settings that differ from the default, seed apart: ``lag=500`` or ``default``."""
    name = "_".join(f"{k}={v}" for k, v in sorted(changes(config).items())) or "default"
    return "".join(c if c.isalnum() or c in "=._-+" else "-" for c in name)


def run_name(config) -> str:
    """The file name of a run's record: ``lag=500_seed3``, ``default_seed0``."""
    return f"{setting_name(config)}_seed{config.seed}"


def threads_and_device(threads: int | None = None, device: str | None = None) -> str:
    """Set-up shared by the command lines: torch's CPU threads (``None``: PyTorch's choice),
    and the device, ``cuda`` when one is there unless ``device`` says otherwise."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    return device or ("cuda" if torch.cuda.is_available() else "cpu")
