"""The corpus: the ``.py`` files of this interpreter's standard library, split by file.

Which files (:func:`select_files`, deterministic, from the file names alone):

- every ``*.py`` under ``sysconfig.get_paths()["stdlib"]``, sorted by relative path;
- left out: ``site-packages`` (not the standard library), test suites (folders ``test``,
  ``tests``, ``idle_test`` and files ``test_*.py``), ``idlelib`` and ``lib2to3`` (whose fixers
  and grammar files are test-like and old), ``turtledemo``, ``ensurepip``, ``encodings``
  (generated code tables), ``pydoc_data`` (one huge string), ``config-*`` and
  ``_sysconfigdata*`` (generated), files over :data:`MAX_BYTES` (a few giant modules would
  dominate), and files that are not UTF-8;
- the split: a file's bucket is the SHA-256 of its relative path modulo 100: buckets 0-3 are
  the test files, 4-7 the validation files, 8-57 the training files, the rest unused (to keep
  an epoch and the n-gram fit fast on two cores).

The book ships the manifest (``data/charlm/manifest.json``: the Python version, each file's
relative path, SHA-256 and split), never the text: :func:`load_corpus` reads the files on
this machine and uses those whose hashes match the manifest, and says how many differ or are
missing. The standard library is under the PSF licence; only hashes, paths and weights ship.

The vocabulary (:class:`Vocab`) is the characters seen at least :data:`MIN_COUNT` times in the
training files, plus one unknown symbol (index 0) for everything else.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sysconfig
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import torch

__all__ = [
    "MAX_BYTES", "MIN_COUNT", "SPLITS", "UNK", "Corpus", "Vocab", "build_manifest",
    "load_corpus", "load_manifest", "select_files", "split_of", "stdlib_root",
]

MAX_BYTES = 120_000
MIN_COUNT = 10
SPLITS = ("train", "validation", "test")
UNK = "\N{REPLACEMENT CHARACTER}"  # how the unknown symbol is shown
_SKIP_PARTS = {"site-packages", "dist-packages", "test", "tests", "idle_test", "idlelib",
               "lib2to3", "turtledemo", "ensurepip", "encodings", "pydoc_data", "__pycache__"}


def stdlib_root() -> Path:
    """The folder of this interpreter's standard library."""
    return Path(sysconfig.get_paths()["stdlib"])


def split_of(relpath: str) -> str | None:
    """``"test"``, ``"validation"``, ``"train"`` or ``None`` (unused), from the path alone.

    >>> split_of("json/decoder.py"), split_of("ast.py"), split_of("abc.py")
    ('train', 'test', None)
    """
    bucket = int(hashlib.sha256(relpath.encode()).hexdigest()[:8], 16) % 100
    if bucket < 4:
        return "test"
    if bucket < 8:
        return "validation"
    if bucket < 58:
        return "train"
    return None


def _wanted(rel: Path) -> bool:
    return not (any(p in _SKIP_PARTS for p in rel.parts) or rel.parts[0].startswith("config-")
                or rel.name.startswith(("test_", "_sysconfigdata")))


def select_files(root=None) -> list[tuple[str, str, str]]:
    """``(relative path, sha256, split)`` of the corpus files under ``root`` (the stdlib)."""
    root = stdlib_root() if root is None else Path(root)
    if not root.is_dir():
        raise ValueError(f"root must be a folder, got {str(root)!r}")
    out = []
    for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
        rel = path.relative_to(root)
        split = split_of(rel.as_posix())
        if split is None or not _wanted(rel) or not path.is_file():
            continue
        data = path.read_bytes()
        if len(data) > MAX_BYTES:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append((rel.as_posix(), hashlib.sha256(data).hexdigest(), split))
    return out


def build_manifest(root=None) -> dict:
    """The manifest of this machine's standard library (what ``data/charlm/manifest.json``
    holds): the Python version and, per file, its path, SHA-256 and split."""
    return {"python": platform.python_version(),
            "rule": "see lstm_helpers.charlm.data (select_files, split_of)",
            "files": [{"path": p, "sha256": h, "split": s} for p, h, s in select_files(root)]}


def load_manifest() -> dict:
    """The shipped manifest."""
    f = resources.files("lstm_helpers").joinpath("data", "charlm", "manifest.json")
    return json.loads(f.read_text())


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n")


@dataclass
class Corpus:
    """The texts of the corpus on this machine, by split.

    ``texts[split]`` is a list of ``(path, text)``; ``missing`` and ``differ`` list the
    manifest's files absent here or whose SHA-256 differs (they are not used).
    """

    texts: dict
    missing: list
    differ: list
    python: str

    def text(self, split: str) -> str:
        """The split's files, concatenated in manifest order (each file ends with its own
        newline; one stream, as the models read it)."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        return "".join(t for _, t in self.texts[split])

    def report(self) -> str:
        used = {s: len(v) for s, v in self.texts.items()}
        chars = {s: sum(len(t) for _, t in v) for s, v in self.texts.items()}
        return (f"{sum(used.values())} files used "
                + ", ".join(f"{s} {used[s]} ({chars[s]:,} characters)" for s in SPLITS)
                + f"; {len(self.differ)} differ from the manifest, {len(self.missing)} missing "
                f"(manifest: Python {self.python}, this machine: {platform.python_version()})")


def load_corpus(root=None, manifest=None) -> Corpus:
    """Read the manifest's files from this machine's standard library (``root``); use those
    whose SHA-256 matches."""
    root = stdlib_root() if root is None else Path(root)
    manifest = load_manifest() if manifest is None else manifest
    texts = {s: [] for s in SPLITS}
    missing, differ = [], []
    for entry in manifest["files"]:
        path = root / entry["path"]
        if not path.is_file():
            missing.append(entry["path"])
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            differ.append(entry["path"])
            continue
        texts[entry["split"]].append((entry["path"], data.decode("utf-8").replace("\r\n", "\n")))
    return Corpus(texts, missing, differ, manifest.get("python", "?"))


class Vocab:
    """Characters <-> indices; index 0 is the unknown symbol.

    >>> v = Vocab("ab")
    >>> v.encode("abz").tolist(), v.decode([1, 2, 0])
    ([1, 2, 0], 'ab\ufffd')
    """

    def __init__(self, chars: str):
        chars = "".join(sorted(set(chars)))
        if UNK in chars:
            raise ValueError(f"chars must not contain the unknown symbol {UNK!r}")
        self.chars = chars
        self.index = {c: i + 1 for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str, min_count: int = MIN_COUNT) -> Vocab:
        counts = Counter(text)
        return cls("".join(c for c, n in counts.items() if n >= min_count and c != UNK))

    def __len__(self) -> int:
        return len(self.chars) + 1

    def __repr__(self) -> str:
        return f"Vocab({len(self)} symbols: {len(self.chars)} characters + unknown)"

    def encode(self, text: str) -> torch.Tensor:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        get = self.index.get
        return torch.tensor([get(c, 0) for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        if isinstance(ids, torch.Tensor):
            ids = ids.tolist()
        return "".join(UNK if i == 0 else self.chars[i - 1] for i in ids)

    def symbol(self, i: int) -> str:
        return UNK if i == 0 else self.chars[i - 1]
