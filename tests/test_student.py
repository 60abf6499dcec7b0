"""The student edition: runs top to bottom, says "not yet", and leaks no solution."""

import json
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402

BOOK_NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def meaningful(lines) -> list[str]:
    """Stripped lines that say something: no blanks, comments or lone brackets."""
    out = [line.strip() for line in lines]
    return [line for line in out if len(line) >= 8 and not line.startswith("#")]


def solution_cells() -> list[list[str]]:
    """The meaningful lines of every solution cell, minus lines the chapters show anyway."""
    solution, elsewhere = [], set()
    for path in BOOK_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            lines = meaningful(cell.source.splitlines())
            if "solution" in cell.metadata.get("tags", []):
                solution.append(lines)
            else:
                elsewhere.update(lines)
    return [[line for line in cell if line not in elsewhere] for cell in solution]


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("edition") / "student"
    make_student.build(out)
    return out


def test_every_chapter_has_solutions_to_hide():
    assert BOOK_NOTEBOOKS, "no chapters found under book/"
    for path in BOOK_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        assert len(tagged) >= 3, f"{path.name}: {len(tagged)} solution cells, expected >= 3"
        for cell in tagged:
            tags = cell.metadata["tags"]
            assert "hide-cell" in tags, f"{path.name}: a solution cell is not hidden in HTML"


def test_edition_has_every_chapter_without_solutions_or_outputs(edition):
    names = sorted(p.name for p in edition.glob("*.ipynb"))
    assert names == [p.name for p in BOOK_NOTEBOOKS]
    assert (edition / "lstm_helpers" / "__init__.py").exists()
    for path in edition.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert "widgets" not in nb.metadata
        for cell in nb.cells:
            assert "solution" not in cell.metadata.get("tags", [])
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


def _requirement_names(path: Path) -> dict[str, str]:
    """``{package name (lower case): the whole line}`` of a requirements file, following -r."""
    names = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            names.update(_requirement_names(path.parent / line[3:].strip()))
        elif line:
            names[re.split(r"[=<>!~\[ ]", line)[0].lower().replace("_", "-")] = line
    return names


def test_edition_requires_only_what_the_notebooks_need(edition):
    """Students install the book's requirements, not the tools that build and test it."""
    shipped = _requirement_names(edition / "requirements.txt")
    assert shipped == _requirement_names(ROOT / "requirements-book.txt")
    for tool in ("pytest", "playwright", "ruff", "jupyter-book", "nbval", "hypothesis"):
        assert tool not in shipped, f"the student edition would install {tool}"
    assert shipped["torch"] == "torch==2.13.0"
    # ... and the full set-up installs all of it, plus the tools
    full = _requirement_names(ROOT / "requirements.txt")
    assert set(shipped) < set(full) and {"pytest", "pyyaml", "jupyter-book"} <= set(full)


def edition_files(edition: Path) -> dict[str, list[str]]:
    """Every text file of the edition and of its zip, as meaningful lines (notebooks: sources)."""
    raw = {str(p.relative_to(edition)): p.read_bytes() for p in edition.rglob("*") if p.is_file()}
    with zipfile.ZipFile(edition.parent / "student.zip") as zf:
        raw.update({f"zip:{n}": zf.read(n) for n in zf.namelist()})
    files = {}
    for name, data in raw.items():
        text = data.decode(errors="ignore")
        if name.endswith(".ipynb"):
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        files[name] = meaningful(text.splitlines())
    return files


def test_no_solution_text_anywhere_in_the_edition(edition):
    """No solution line in a notebook or exercise check; no solution block anywhere.

    The package itself ships with the edition (the notebooks need it), so a generic line such
    as ``loss.backward()`` may well appear in its code; three solution lines in a row may not.
    """
    cells = [cell for cell in solution_cells() if cell]
    assert cells, "found no solution text to look for"
    leaks = []
    for name, lines in edition_files(edition).items():
        strict = name.endswith(".ipynb") or "exercises" in name
        present = set(lines)
        joined = "\n".join(lines)
        for cell in cells:
            if strict:
                leaks += [(name, line) for line in cell if line in present]
            blocks = ["\n".join(cell[k : k + 3]) for k in range(len(cell) - 2)]
            leaks += [(name, block) for block in blocks if block in joined]
    assert not leaks, f"solution text found in the student edition: {leaks[:5]}"


def test_every_student_notebook_runs_in_the_live_jupyterlab_suite(edition):
    """Each student notebook runs top to bottom and its checks say "Not yet": that is proved
    once, live, by ``tests/test_lab.py`` (``make browser``, part of ``make test``), which runs
    every chapter of a fresh student edition in JupyterLab and asserts that every code cell
    ran, that none raised (except cells tagged ``raises-exception``, which must) or wrote to
    stderr, that at least three checks said "Not yet:" and that none said "Correct!".

    An nbclient run of the same notebooks used to repeat those assertions here: the same
    kernel and code, so the same outcome, at two minutes of CPU per ``make test``. This test
    keeps the two in step: the live suite must cover every notebook of the edition, in the
    edition.
    """
    import test_lab

    assert test_lab.CHAPTERS == sorted(p.name for p in edition.glob("*.ipynb"))
    assert "student" in test_lab.EDITIONS
