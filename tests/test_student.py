"""The student edition: runs top to bottom, says "not yet", and leaks no solution."""

import json
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402

BOOK_NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def solution_lines(min_length: int = 8) -> set[str]:
    """Lines that appear only in solution cells (stripped), long enough to be telling."""
    solution, elsewhere = set(), set()
    for path in BOOK_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            lines = {line.strip() for line in cell.source.splitlines()}
            is_solution = "solution" in cell.metadata.get("tags", [])
            (solution if is_solution else elsewhere).update(lines)
    return {
        line
        for line in solution - elsewhere
        if len(line) >= min_length and not line.startswith("#")
    }


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


def test_no_solution_text_anywhere_in_the_edition(edition):
    lines = solution_lines()
    assert lines, "found no solution text to look for"
    archive = edition.parent / "student.zip"
    texts = {str(p): p.read_text(errors="ignore") for p in edition.rglob("*") if p.is_file()}
    with zipfile.ZipFile(archive) as zf:
        texts.update({f"zip:{n}": zf.read(n).decode(errors="ignore") for n in zf.namelist()})
    leaks = []
    for name, text in texts.items():
        if name.endswith(".ipynb"):
            # compare line by line inside the JSON sources
            nb = json.loads(text)
            text = "\n".join("".join(c["source"]) for c in nb["cells"])
        haystack = {line.strip() for line in text.splitlines()}
        leaks += [(name, line) for line in lines if line in haystack]
    assert not leaks, f"solution text found in the student edition: {leaks[:5]}"


@pytest.mark.parametrize("name", [p.name for p in BOOK_NOTEBOOKS])
def test_student_notebook_runs_and_says_not_yet(edition, name):
    nb = nbformat.read(edition / name, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(edition)}}
    ).execute()
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{name}: {out.get('ename')}: {out.get('evalue')}"
            texts.append(out.get("text", "") + out.get("data", {}).get("text/plain", ""))
    joined = "\n".join(texts)
    assert joined.count("Not yet:") >= 3, f"{name}: fewer than three checks said 'Not yet'"
    assert "Correct!" not in joined, f"{name}: a check passed without an answer"
