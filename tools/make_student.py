"""Write the student edition: every chapter without its solutions, outputs cleared.

    python tools/make_student.py [OUT_DIR]     # default: dist/student (+ dist/student.zip)

A cell tagged ``solution`` is removed; every other code cell keeps its source and loses its
outputs; stored widget state goes too (it records what the solutions produced). The
package ``lstm_helpers`` is copied next to the notebooks so that they run as they are, with
``requirements-book.txt`` as the edition's ``requirements.txt``.
"""

import shutil
import sys
import zipfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_TAG = "solution"
STUDENT_README = """\
# The LSTM book: student edition

These notebooks are the chapters of the LSTM book without their solutions. Each exercise
ends with a check: run it and it says "Correct!" or "Not yet:" with a hint.

Run them in JupyterLab from this folder (the folder `lstm_helpers/` must stay next to the
notebooks), in an environment with the packages of `requirements.txt` (what the notebooks
need, nothing more):

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/jupyter lab
"""


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` without solution cells, outputs or stored widget state."""
    nb = nbformat.from_dict(nb)
    nb.cells = [c for c in nb.cells if SOLUTION_TAG not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    return nb


def build(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.write(student_notebook(nb), out / path.name)
    shutil.copytree(
        ROOT / "lstm_helpers",
        out / "lstm_helpers",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    # what running the notebooks needs, not the tools that build and test the book
    shutil.copy(ROOT / "requirements-book.txt", out / "requirements.txt")
    (out / "README.md").write_text(STUDENT_README)
    archive = out.parent / f"{out.name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(out.rglob("*")):
            if file.is_file():
                info = zipfile.ZipInfo(str(Path(out.name) / file.relative_to(out)))
                info.date_time = (2026, 1, 1, 0, 0, 0)  # the same zip on every build
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, file.read_bytes())
    return archive


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "dist" / "student"
    archive = build(out.resolve())
    print(f"student edition: {out}/ and {archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
