"""Re-execute notebooks in place, top to bottom in a fresh kernel, and store the outputs.

    python tools/run_notebooks.py                 # every notebook under book/
    python tools/run_notebooks.py book/01_*.ipynb # some of them

Widget state is stored (the HTML book renders it). Execution noise is removed so that
diffs show only real changes: no timing metadata, no kernel version details.
"""

import hashlib
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KEEP_CELL_METADATA = {"tags", "mystnb", "editable", "deletable", "jupyter"}


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop metadata that changes on every run or only describes this machine."""
    widgets = nb.metadata.get("widgets")
    nb.metadata = nbformat.NotebookNode(
        kernelspec={"display_name": "Python 3", "language": "python", "name": "python3"},
        language_info={"name": "python"},
    )
    if widgets:
        nb.metadata["widgets"] = widgets
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode(
            {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA}
        )
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same stream: how the kernel splits a cell's
    prints into messages depends on timing, and would otherwise show up in diffs."""
    merged = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and prev is not None
            and prev.output_type == "stream"
            and prev.name == out.name
        ):
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def stable_widget_ids(nb: nbformat.NotebookNode, seed: str) -> nbformat.NotebookNode:
    """Replace the random widget model ids by ids derived from the notebook and their order.

    The kernel draws a fresh uuid for every widget on every run; renaming them keeps a re-run
    with unchanged results byte-identical in git.
    """
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    ids = list(state.get("state", {}))
    if not ids:
        return nb
    text = json.dumps(nb)
    for index, old in enumerate(ids):
        new = hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()[:32]
        text = text.replace(old, new)
    return nbformat.from_dict(json.loads(text))


def run(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    env_before = os.environ.get("PYDEVD_DISABLE_FILE_VALIDATION")
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silence a debugger warning
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
    )
    client.execute()
    elapsed = time.perf_counter() - start
    if env_before is None:
        os.environ.pop("PYDEVD_DISABLE_FILE_VALIDATION", None)
    clean(nb)
    nb = stable_widget_ids(nb, path.stem)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((ROOT / "book").glob("*.ipynb"))
    for path in paths:
        elapsed = run(path.resolve())
        print(f"{path}: executed in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
