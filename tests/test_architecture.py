"""The package's layers (docs/architecture.md): every import points down, never up.

The imports of every module under lstm_helpers/ are read with ``ast`` (nothing is imported),
so a module added later (lstm_helpers/bptt.py, lstm_helpers/classify/, figures/classify.py,
...) is checked by the same rules without touching this file. A module is placed in a layer
by its path:

- core maths: the modules named in CORE (and the ``init`` package);
- the experiment shape: EXPERIMENT (``records``, ``experiment``): records, configs, progress;
- applications: the packages named in APPLICATIONS (``sine``, ``longlag``, ...), with their
  command-line entry points (``cli.py``, ``__main__.py``) one step above them;
- entry points of the whole package: ENTRY (``sweep``);
- figures, widgets, exercises: ``lstm_helpers/{figures,widgets,exercises}/...``;
- notebook support: ``lstm_helpers/notebook.py``;
- the package's front door: ``lstm_helpers/__init__.py``.

A top-level module or package named in none of these makes the tests fail: a new module must
be declared (here and in docs/architecture.md) before it can be placed.
"""

import ast
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lstm_helpers"

# Core maths: torch, numpy, scipy and each other only. A new core module is added here
# (and in docs/architecture.md).
CORE = {"_checks", "_lstm_bptt", "_version", "bptt", "losses", "lstm", "shapes", "init"}
# The shape every application shares (records, configs, progress bar, summaries).
EXPERIMENT = {"records", "experiment"}
# One package per chapter that trains something.
APPLICATIONS = {"sine", "longlag", "classify", "firstinput", "charlm"}
# Command lines of the whole package (they import applications by name, at run time).
ENTRY = {"sweep"}
PRESENTATION = ("figures", "widgets", "exercises")

# Which layers each layer may import from the package, and which third-party packages.
# ``notebook`` (set-up, figure resolution, progress bars, spread records) imports nothing from
# the package, so every layer above the core may use it.
MAY_IMPORT = {
    "core": {"core"},
    "experiment": {"core", "experiment", "notebook"},
    "application": {"core", "experiment", "same-application", "notebook"},
    "entry-point": {"core", "experiment", "same-application", "figures", "notebook"},
    "figures": {"core", "experiment", "application", "figures", "notebook"},
    "widgets": {"core", "experiment", "application", "figures", "widgets", "notebook"},
    "exercises": {"core", "experiment", "application", "exercises", "notebook"},
    "notebook": set(),
    "front-door": {"core", "experiment", "application"},
}
THIRD_PARTY = {
    "core": {"torch", "numpy", "scipy"},
    "experiment": {"torch", "numpy", "tqdm"},
    "application": {"torch", "numpy", "scipy", "tqdm"},
    "entry-point": {"torch", "numpy", "scipy", "tqdm", "matplotlib"},
    "figures": {"torch", "numpy", "scipy", "matplotlib"},
    "widgets": {"torch", "numpy", "scipy", "matplotlib", "ipywidgets", "IPython"},
    "exercises": {"torch", "numpy", "scipy"},
    "notebook": {"torch", "numpy", "matplotlib", "tqdm", "IPython"},
    "front-door": {"torch", "numpy", "scipy", "tqdm"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(name: str) -> tuple[str, str | None]:
    """``(layer, application)`` of a module of the package, by its dotted name."""
    parts = name.split(".")[1:]  # without "lstm_helpers"
    if not parts:
        return "front-door", None
    top = parts[0]
    if top in CORE:
        return "core", None
    if top in PRESENTATION:
        return top, None
    if top == "notebook":
        return "notebook", None
    if top in EXPERIMENT:
        return "experiment", None
    if top in ENTRY:
        return "entry-point", top
    if top in APPLICATIONS:
        if parts[-1] in ("cli", "__main__"):
            return "entry-point", top
        return "application", top
    raise LookupError(
        f"lstm_helpers.{top} is declared in no layer: add it to CORE, EXPERIMENT, "
        "APPLICATIONS or ENTRY in tests/test_architecture.py and to docs/architecture.md"
    )


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(path: Path) -> list[str]:
    """Absolute names of everything ``path`` imports, at any depth (also inside functions).

    ``from lstm_helpers.figures import lstm_cell`` and ``from .. import init`` name the
    module imported (``lstm_helpers.figures.lstm_cell``), not only the package.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module
            for alias in node.names:
                candidate = f"{stem}.{alias.name}"
                inside = stem.split(".")[0] == "lstm_helpers"
                found.append(candidate if inside and _is_module(candidate) else stem)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def _check(path: Path) -> list[str]:
    name = module_name(path)
    layer, app = layer_of(name)
    problems = []
    for target in imports_of(path):
        top = target.split(".")[0]
        if top == "lstm_helpers":
            if target == "lstm_helpers":
                problems.append(f"{name} imports the whole package (lstm_helpers)")
                continue
            t_layer, t_app = layer_of(target)
            kind = t_layer
            if t_layer in ("application", "entry-point"):
                kind = "same-application" if t_app == app and app else "application"
                if t_layer == "entry-point" and layer != "entry-point":
                    kind = "entry-point"
            allowed = MAY_IMPORT[layer] | ({layer} if layer in PRESENTATION else set())
            if kind not in allowed:
                problems.append(f"{name} ({layer}) imports {target} ({t_layer})")
        elif top not in sys.stdlib_module_names and top != "__future__":
            if top not in THIRD_PARTY[layer]:
                problems.append(f"{name} ({layer}) imports the third-party package {top}")
    return problems


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    assert _check(path) == []


def test_the_rules_catch_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: a figure that imports a widget, and a core module that imports a
    figure or matplotlib, are reported."""
    fake = tmp_path / "lstm_helpers"
    (fake / "figures").mkdir(parents=True)
    (fake / "figures" / "demo.py").write_text(
        "from ..widgets._common import figure_to_html\nimport ipywidgets\n"
    )
    (fake / "lstm.py").write_text(
        "import matplotlib.pyplot as plt\nfrom lstm_helpers.figures import demo\n"
    )
    (fake / "exercises").mkdir()
    (fake / "exercises" / "demo.py").write_text("from . import _core\nfrom ..sine import data\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    figure = _check(fake / "figures" / "demo.py")
    assert figure == [
        "lstm_helpers.figures.demo (figures) imports lstm_helpers.widgets._common (widgets)",
        "lstm_helpers.figures.demo (figures) imports the third-party package ipywidgets",
    ]
    core = _check(fake / "lstm.py")
    assert core == [
        "lstm_helpers.lstm (core) imports the third-party package matplotlib",
        "lstm_helpers.lstm (core) imports lstm_helpers.figures.demo (figures)",
    ]
    assert _check(fake / "exercises" / "demo.py") == []  # exercises may use an application


def top_level_names(package: Path) -> set[str]:
    """The top-level modules and packages of ``package`` (``lstm``, ``sine``, ...)."""
    names = {p.stem for p in package.glob("*.py") if p.name != "__init__.py"}
    names |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    return names


def undeclared(package: Path) -> list[str]:
    """Top-level modules placed in no layer."""
    declared = CORE | EXPERIMENT | APPLICATIONS | ENTRY | set(PRESENTATION) | {"notebook"}
    return sorted(top_level_names(package) - declared)


def test_every_top_level_module_is_declared():
    assert undeclared(PACKAGE) == [], (
        "declare these in tests/test_architecture.py (CORE, EXPERIMENT, APPLICATIONS or "
        "ENTRY) and in docs/architecture.md"
    )


def test_a_stray_module_fails(tmp_path, monkeypatch):
    """The check bites: a new top-level module in no layer is reported, and placing it fails."""
    fake = tmp_path / "lstm_helpers"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "lstm.py").write_text("")
    (fake / "stray.py").write_text("import torch\n")
    (fake / "loose").mkdir()
    (fake / "loose" / "__init__.py").write_text("")
    assert undeclared(fake) == ["loose", "stray"]
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(LookupError, match="stray"):
        _check(fake / "stray.py")


def test_the_declared_layers_match_the_docs():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in CORE | EXPERIMENT | APPLICATIONS | ENTRY:
        if (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir():
            assert f"`{name}" in doc, f"docs/architecture.md does not list the module {name}"


def test_big_modules_say_why():
    """The size guideline: a module over about 400 lines starts with the reason it is big."""
    for path in MODULES:
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > 400:
            head = "\n".join(lines[:40]).lower()
            assert "why this module is long" in head, (
                f"{path.relative_to(ROOT)} has {len(lines)} lines: split it, or say at its "
                "top why it is long ('Why this module is long: ...')"
            )


def test_the_version_is_written_once():
    """``lstm_helpers/_version.py`` is the only place; pyproject.toml reads it from there."""
    import importlib.metadata
    import tomllib

    import lstm_helpers

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "lstm_helpers._version.__version__"}
    assert importlib.metadata.version("lstm_helpers") == lstm_helpers.__version__


# --- one gate order ------------------------------------------------------------------------

GATE_LETTERS = {"i", "f", "g", "o"}
SPLITS = {"chunk", "split", "unbind", "tensor_split"}


def gate_order_literals(source: str) -> list[int]:
    """Lines of ``source`` that write PyTorch's gate order by hand instead of using
    ``lstm.GATES``: a string such as ``"ifgo"``, a tuple or list of the letters
    (``("i", "f", "g", "o")``, ``["i", "f", "g", "o", "c"]``), or a 4-way split unpacked into
    ``i, f, g, o`` (``i, f, g, o = z.chunk(4, -1)``), in any order."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if len(node.value) == 4 and set(node.value) == GATE_LETTERS:
                lines.append(node.lineno)
        elif isinstance(node, ast.Tuple | ast.List) and isinstance(node.ctx, ast.Load):
            letters = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            if GATE_LETTERS <= letters:
                lines.append(node.lineno)
        elif isinstance(node, ast.Dict):  # a map from gate to its row block: an order
            pairs = {(k.value, v.value) for k, v in zip(node.keys, node.values, strict=True)
                     if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
            if ({k for k, _ in pairs} == GATE_LETTERS
                    and {v for _, v in pairs} == {0, 1, 2, 3}):
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            target = node.targets[0]
            func = node.value.func
            if (isinstance(target, ast.Tuple) and len(target.elts) == 4
                    and {getattr(e, "id", None) for e in target.elts} == GATE_LETTERS
                    and getattr(func, "attr", getattr(func, "id", None)) in SPLITS):
                lines.append(node.lineno)
    return sorted(set(lines))


def test_the_gate_order_is_written_once():
    """PyTorch's gate order (i, f, g, o) is written in ``lstm.py`` (``GATES``) and nowhere
    else in the package: everything else derives it from ``GATES``."""
    found = {}
    for path in MODULES:
        if path == PACKAGE / "lstm.py":
            continue
        lines = gate_order_literals(path.read_text(encoding="utf-8"))
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert found == {}, "use lstm_helpers.lstm.GATES instead of these literals"
    assert gate_order_literals((PACKAGE / "lstm.py").read_text(encoding="utf-8")), (
        "lstm.py should hold the one literal (GATES)")


def test_the_gate_order_check_bites():
    bad = ('ORDER = "ifgo"\nnames = ["i", "f", "g", "o", "c"]\n'
           "i, f, g, o = z.chunk(4, dim=-1)\nx = ('o', 'i', 'f', 'g')\n"
           "rows = {'i': 0, 'f': 1, 'g': 2, 'o': 3}\n")
    assert gate_order_literals(bad) == [1, 2, 3, 4, 5]
    good = ("gate = dict(zip(GATES, z.chunk(4, dim=-1)))\ni, f, g, o = a, b, c, d\n"
            "label = 'gate i'\ncolours = {'i': 'blue', 'f': 'red', 'g': 'green', 'o': 'grey'}\n")
    assert gate_order_literals(good) == []


# --- one word per chapter: the checked table of docs/architecture.md -------------------------


def chapter_table() -> list[dict]:
    """The rows of the table "Chapters and their modules" in docs/architecture.md."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## Chapters and their modules", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not cells[0].isdigit():
            continue

        def names(cell):
            return [n.strip(" `") for n in cell.split(",") if n.strip(" `-")]

        rows.append({"chapter": int(cells[0]), "notebook": cells[1].strip("`"),
                     "core": names(cells[2]), "application": names(cells[3]),
                     "presentation": names(cells[4]), "tests": names(cells[5])})
    return rows


def test_the_chapter_table_names_real_files():
    import yaml

    rows = chapter_table()
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    toc_files = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    chapters = {f"book/{p.stem}" for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
    assert {f"book/{r['notebook']}" for r in rows} == chapters, "one row per chapter notebook"
    assert [r["chapter"] for r in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        assert f"book/{row['notebook']}" in toc_files, row["notebook"]
        assert row["notebook"].startswith(f"{row['chapter']:02d}_")
        for name in row["core"]:
            assert name in CORE, f"{name} (chapter {row['chapter']}) is not a core module"
        for name in row["application"]:
            assert name in APPLICATIONS and (PACKAGE / name / "__init__.py").is_file(), name
        for name in row["presentation"]:
            for folder in PRESENTATION:
                assert (PACKAGE / folder / f"{name}.py").is_file(), f"{folder}/{name}.py"
        for name in row["tests"]:
            assert (ROOT / "tests" / f"{name}.py").is_file(), f"tests/{name}.py"


def test_each_chapter_imports_the_modules_of_its_row():
    for row in chapter_table():
        nb = json.loads((ROOT / "book" / f"{row['notebook']}.ipynb").read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        imported = set()
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lstm_helpers"):
                imported |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
        for name in row["presentation"]:
            for folder in ("widgets", "exercises"):
                assert f"lstm_helpers.{folder}.{name}" in imported or any(
                    i.startswith(f"lstm_helpers.{folder}.{name}.") for i in imported
                ), f"{row['notebook']} does not import lstm_helpers.{folder}.{name}"
        for name in row["application"]:
            assert f"lstm_helpers.{name}" in imported or any(
                i.startswith(f"lstm_helpers.{name}") for i in imported
            ), f"{row['notebook']} does not import lstm_helpers.{name}"


def test_the_docs_name_every_test_file():
    """docs/architecture.md names each test file (the chapter table or the list after it)."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [p.stem for p in sorted((ROOT / "tests").glob("test_*.py"))
               if f"`{p.stem}`" not in doc]
    assert missing == [], f"docs/architecture.md does not name {missing}"


def test_the_benchmarks_share_one_timing_harness():
    """Every script in benchmarks/ times through benchmarks/_harness.py (interleaved variants,
    medians, ratios; the first line it prints): no clock of its own."""
    scripts = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if p.name != "_harness.py")
    assert scripts
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert "from _harness import" in text, f"{path.name} does not use benchmarks/_harness.py"
        assert "perf_counter" not in text and "import time" not in text, (
            f"{path.name} keeps a clock of its own")
