"""One record format for every training run of the book, and where shipped records live.

A :class:`Record` is what a run leaves behind, as JSON: the application that trained it, its
config and seed, the exact command, the versions of Python, torch and this package, the CPU
model and the instruction set torch ran on, one entry of metrics per step (or per log
interval), the final result and the wall time. Application-specific bulk (a state dict, the
predictions of a step) goes in ``extra``.

Shipped records live in ``lstm_helpers/data/<app>/<name>.json`` and are read through
:mod:`importlib.resources` (:func:`shipped`), so they are found in an installed package, an
editable checkout or the student edition alike. New records are written with :func:`save`.

>>> r = Record(app="demo", config={"seed": 3, "lr": 0.1}, seed=3)
>>> r.metrics.append({"step": 0, "loss": 1.5})
>>> Record.from_json(r.to_json()).metrics
[{'step': 0, 'loss': 1.5}]
"""

from __future__ import annotations

import json
import math
import os
import platform
import shlex
import sys
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path

__all__ = [
    "FORMAT", "Record", "command_line", "environment", "load", "save", "shipped", "shipped_names",
    "shipped_sweep",
]

#: Version of the record format: records of another version are refused with a message.
FORMAT = 1


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> dict:
    """Versions and machine of this process: what a record needs to be re-run and judged.

    ``instruction_set`` is the kernel family torch chose on this CPU
    (``torch.backends.cpu.get_cpu_capability()``: ``"AVX512"``, ``"AVX2"``, ``"DEFAULT"``...),
    which the ``ATEN_CPU_CAPABILITY`` variable pins down.
    """
    import torch

    from ._version import __version__

    pins = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS")
    return {
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "lstm_helpers": __version__},
        "machine": {"cpu": _cpu_model(), "instruction_set": torch.backends.cpu.get_cpu_capability(),
                    "threads": torch.get_num_threads(), "cores": os.cpu_count(),
                    "pinned": {k: os.environ[k] for k in pins if k in os.environ}},
    }


def command_line(prog: str, argv=None) -> str:
    """The exact command that ran: ``prog`` and the arguments, quoted for a shell."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return " ".join([prog, *(shlex.quote(str(a)) for a in argv)])


def _finite(value):
    """JSON has no inf or nan: non-finite floats become ``None``, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


@dataclass
class Record:
    """What one training run leaves behind (one JSON file).

    Args:
        app: the application that trained it (``"sine"``, ``"longlag"``, ``"classify"``,
            ``"firstinput"``, ...).
        config: the run's config, as a dict (``dataclasses.asdict(config)``).
        seed: the seed of the run (also in ``config``; here for sorting and summaries).
        command: the exact command that produced it (``""`` when run from Python).
        versions: Python, torch and ``lstm_helpers`` versions (:func:`environment`).
        machine: CPU model, instruction set, threads (:func:`environment`).
        metrics: one dict per step or log interval (``{"step": ..., "loss": ...}``).
        result: the final numbers (``{"solved_at": ..., "test_loss": ...}``).
        seconds: wall time of the training, in seconds.
        extra: application-specific bulk (state dicts, predictions).
        finished: False while a long run is still writing its record.
    """

    app: str
    config: dict
    seed: int = 0
    command: str = ""
    versions: dict = field(default_factory=dict)
    machine: dict = field(default_factory=dict)
    metrics: list = field(default_factory=list)
    result: dict = field(default_factory=dict)
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)
    finished: bool = True
    format: int = FORMAT

    @classmethod
    def new(cls, app: str, config, command: str = "") -> Record:
        """A record for a run about to start: config (a dataclass or dict), environment."""
        config = asdict(config) if hasattr(config, "__dataclass_fields__") else dict(config)
        return cls(app=app, config=config, seed=config.get("seed", 0), command=command,
                   **environment())

    def to_json(self) -> str:
        return json.dumps(_finite(asdict(self)), indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> Record:
        if data.get("format") != FORMAT or "app" not in data:
            raise ValueError(f"not a record of format {FORMAT}: keys {sorted(data)[:8]}, "
                             f"format {data.get('format')!r}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def from_json(cls, text: str) -> Record:
        return cls.from_dict(json.loads(text))


def save(record: Record, path) -> Path:
    """Write ``record`` to ``path`` (folders created; the file replaced atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(record.to_json())
    tmp.replace(path)
    return path


def load(path) -> Record:
    """A record written by :func:`save`, from a file path."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no record file at {path}")
    return Record.from_json(path.read_text())


def _data(app: str):
    return resources.files("lstm_helpers").joinpath("data", app)


def shipped_names(app: str) -> list[str]:
    """Names of the records shipped for ``app`` (``data/<app>/<name>.json``)."""
    folder = _data(app)
    if not folder.is_dir():
        return []
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir()
                  if p.name.endswith(".json"))


def shipped(app: str, name: str) -> Record:
    """The record ``name`` shipped with the package for ``app`` (through importlib.resources).

    Raises:
        ValueError: no such record; the message lists the ones there are.
    """
    file = _data(app).joinpath(f"{name}.json")
    if not file.is_file():
        raise ValueError(f"no shipped {app} record named {name!r}: expected one of "
                         f"{shipped_names(app)}")
    return Record.from_json(file.read_text())


def shipped_sweep(app: str, name: str) -> dict:
    """A sweep shipped in ``lstm_helpers/data/<app>/<name>/`` (``tools/ship_sweep.py``): its
    ``summary.json`` (``commands``, ``goal``, ``groups``) with ``records`` added, every run's
    :class:`Record` by file name without ``.json`` (``scheme=xavier_seed1``), sorted.

    Raises:
        ValueError: no such sweep; the message lists the ones there are.
    """
    data = _data(app)
    folder = data.joinpath(name)
    if not folder.joinpath("summary.json").is_file():
        names = sorted(p.name for p in data.iterdir() if p.is_dir()) if data.is_dir() else []
        raise ValueError(f"no shipped {app} sweep named {name!r}: expected one of {names}")
    summary = json.loads(folder.joinpath("summary.json").read_text())
    summary["records"] = {p.name.removesuffix(".json"): Record.from_json(p.read_text())
                          for p in sorted(folder.iterdir(), key=lambda p: p.name)
                          if p.name.endswith(".json") and p.name != "summary.json"}
    return summary
