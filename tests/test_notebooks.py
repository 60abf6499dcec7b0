"""Structure of the chapters: what every notebook promises beyond its outputs (nbval's job)."""

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
ALLOWED_CELL_METADATA = {"tags", "mystnb", "editable", "deletable", "jupyter"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_chapters():
    assert NOTEBOOKS


def test_every_page_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    pages = NOTEBOOKS + sorted((ROOT / "book").glob("*.md"))
    missing = [p.name for p in pages if f"book/{p.stem}" not in toc]
    assert not missing, f"pages missing from _toc.yml: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
class TestChapter:
    def test_run_top_to_bottom_in_one_kernel(self, path):
        counts = [c.execution_count for c in code_cells(load(path))]
        assert counts == list(range(1, len(counts) + 1)), (
            f"{path.name}: execution counts {counts}: run `make notebooks`"
        )

    def test_no_stray_metadata(self, path):
        nb = load(path)
        assert set(nb.metadata) <= {"kernelspec", "language_info", "widgets"}
        assert nb.metadata.get("language_info") == {"name": "python"}
        for cell in nb.cells:
            extra = set(cell.metadata) - ALLOWED_CELL_METADATA
            assert not extra, f"{path.name}: cell metadata {extra}"

    def test_starts_with_the_reproducible_setup(self, path):
        first = code_cells(load(path))[0].source
        assert "setup(" in first and "lstm_helpers" in first

    def test_no_error_outputs_except_tagged(self, path):
        for cell in code_cells(load(path)):
            tags = cell.metadata.get("tags", [])
            for out in cell.outputs:
                if out.output_type == "error":
                    assert "raises-exception" in tags, f"{path.name}: untagged error output"

    def test_outputs_show_no_local_paths_addresses_or_progress_bars(self, path):
        for cell in code_cells(load(path)):
            text = json.dumps(cell.outputs)
            assert not re.search(r"/(root|tmp|home|work)/", text), f"{path.name}: a local path"
            assert not re.search(r"0x[0-9a-f]{8,}", text), f"{path.name}: a memory address"
            assert "it/s]" not in text and "s/it]" not in text, f"{path.name}: a progress bar"

    def test_has_a_captioned_figure_with_alt_text(self, path):
        figures = []
        for cell in code_cells(load(path)):
            if any("image/png" in o.get("data", {}) for o in cell.outputs):
                meta = cell.metadata.get("mystnb", {})
                caption = meta.get("figure", {}).get("caption", "")
                alt = meta.get("image", {}).get("alt", "")
                assert caption and alt, f"{path.name}: an image without caption or alt text"
                figures.append(cell)
        assert figures, f"{path.name}: no figure drawn"

    def test_has_a_widget(self, path):
        nb = load(path)
        views = [o for c in code_cells(nb) for o in c.outputs if WIDGET_VIEW in o.get("data", {})]
        assert views, f"{path.name}: no widget"
        state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
        assert state and state.get("state"), f"{path.name}: widget state not stored"

    def test_has_three_checked_exercises(self, path):
        nb = load(path)
        headings = [c for c in nb.cells if c.cell_type == "markdown" and "Exercise" in c.source]
        solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        checks = [
            c
            for c in code_cells(nb)
            if "check" in c.source
            and any("Correct!" in o.get("text", "") + str(o.get("data", {})) for o in c.outputs)
        ]
        assert len(headings) >= 3 and len(solutions) >= 3 and len(checks) >= 3, (
            f"{path.name}: {len(headings)} exercises, {len(solutions)} solutions, "
            f"{len(checks)} passing checks"
        )

    def test_check_feedback_is_hidden_like_the_solution(self, path):
        """A check's stored feedback ("Correct! ... (4, 3, 20)") often states the answer: in
        the HTML book it sits behind a toggle (tag ``hide-output``), as the solution does."""
        for cell in code_cells(load(path)):
            if re.search(r"^\s*ex\.check_\w+\(", cell.source, re.M):
                tags = cell.metadata.get("tags", [])
                assert "hide-output" in tags, (
                    f"{path.name}: check cell {cell.source.strip()[:50]!r} shows its feedback "
                    "openly: tag it hide-output"
                )

    def test_figures_are_stored_at_book_resolution(self, path):
        """Every stored PNG says (in its pHYs chunk) that it was rendered at >= 120 dpi."""
        import base64
        import struct

        from lstm_helpers.notebook import FIGURE_DPI

        for cell in code_cells(load(path)):
            for out in cell.outputs:
                png = out.get("data", {}).get("image/png")
                if png is None:
                    continue
                raw = base64.b64decode(png)
                at = raw.find(b"pHYs")
                assert at > 0, f"{path.name}: a PNG without resolution: re-run the notebook"
                per_metre = struct.unpack(">I", raw[at + 4:at + 8])[0]
                assert per_metre * 0.0254 >= FIGURE_DPI - 0.5, (
                    f"{path.name}: a figure at {per_metre * 0.0254:.0f} dpi, below "
                    f"{FIGURE_DPI}: re-run the notebook"
                )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_collapsed_cells_are_solutions_or_how_we_know(path):
    """A collapsed code cell is either a solution or a package check introduced by a
    "How we know" lead-in, so that the reader knows what the toggle hides."""
    cells = load(path).cells
    for k, cell in enumerate(cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "hide-cell" not in tags or "solution" in tags:
            continue
        lead = cells[k - 1]
        assert lead.cell_type == "markdown" and "How we know" in lead.source, (
            f"{path.name}: collapsed cell {k} without a 'How we know' lead-in"
        )
