"""Each chapter's widget works live in JupyterLab, in the student edition and in the book.

The static book shows widgets from their stored state; this suite proves they also work
*live*, the way a student uses them. It writes the student edition into a temporary folder
(``tools/make_student.py``), starts JupyterLab on 127.0.0.1 (a free port, a random token,
settings that keep it offline: no news, no update check, a read-only extension manager) and
drives Debian's Chromium (Playwright, never ``playwright install``; every request leaving
the loopback interface blocked) through each chapter:

1. open the notebook in JupyterLab (one page per server, JupyterLab loaded once; the
   previous chapter's notebook closed and its kernel shut down) and wait for its kernel;
2. run it with the menu, Run > Run All Cells, and wait until every code cell has run;
3. every code cell ran; none shows an error (except cells tagged ``raises-exception``, which
   must raise) or writes to stderr; the exercise checks answer "Not yet:" in the student
   edition (it has no solutions) and "Correct!" in a copy of the book's own notebooks;
4. every widget view renders (no "Error displaying widget", none left loading), and the
   page logs no error and sends no request off the machine;
5. one control of the chapter's widget is used as a student would (pick a dropdown entry,
   type into a text box and press Enter, press an arrow key on a slider handle), and the
   widget's displayed result changes to what the Python callback computes: the change
   has travelled to the kernel and back.

A screenshot of each notebook goes to ``_build/screenshots/lab_<chapter>.png``. Needs
``/usr/bin/chromium`` (``apt-get install -y chromium``); without it the suite fails, unless
``LSTM_BOOK_SKIP_BROWSER=1`` opts out explicitly.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import browser_checks as bc
import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the browser fixture then fails with the instructions
    PlaywrightTimeout = TimeoutError

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402

CHAPTERS = sorted(p.name for p in (ROOT / "book").glob("0*.ipynb"))
SCREENSHOTS = ROOT / "_build" / "screenshots"
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"

# Waits, in milliseconds or seconds: generous, for a busy 2-core machine.
SERVER_START_S = 90
APP_TIMEOUT_MS = 60_000  # JupyterLab loaded, notebook open, kernel idle
RUN_ALL_TIMEOUT_MS = 240_000  # a chapter runs "in well under a minute" on 2 free cores
WIDGET_TIMEOUT_MS = 60_000  # one callback (a plot redrawn) on a busy machine

# An output that shows a widget view (JupyterLab gives it no MIME-type attribute).
WIDGET_VIEW = ".jp-OutputArea-output:has(> .jupyter-widgets)"


@dataclass(frozen=True)
class Interaction:
    """How a student uses one control of a chapter's widget, and what must change.

    ``kind``: ``select`` (pick the dropdown entry ``value``), ``text`` (type ``value`` into
    the text box and press Enter) or ``key`` (focus the slider's handle and press the key
    ``value``). The control is the one whose description is ``label``. ``result``: a text
    that identifies the widget's result (an ``HTML`` widget) before the change; ``expect``:
    a text that result shows only after it.
    """

    kind: str
    label: str
    value: str
    result: str
    expect: str


# One control per chapter, chosen from lstm_helpers/widgets/<topic>.py; the expected texts
# are what the widget's Python callback writes for the new value.
INTERACTIONS = {
    # shapes.ShapeExplorer: (5, 3) + (3,) works; (5, 3) + (4,) fails, PyTorch's error shown.
    "01_tensor_shapes.ipynb": Interaction(
        "text", "shape of b", "4", result="PyTorch says", expect="(5, 3) + (4,) -> error"
    ),
    # lstm_cell.GateExplorer: x_t 1.0 -> 1.1 (step 0.1); the table shows "1·1.10".
    "02_lstm_cell.ipynb": Interaction(
        "key", "x_t", "ArrowRight", result="computation", expect="1·1.10"
    ),
    # nn_lstm.LSTMShapeExplorer: bidirectional False -> True; the PyTorch call is rewritten.
    "03_nn_lstm.ipynb": Interaction(
        "select", "bidirectional", "True", result="nn.LSTM(", expect="bidirectional=True"
    ),
    # init.InitExplorer: hidden_size 64 -> 68 (step 4); the bound becomes 1/sqrt(68).
    "04_initialisation.ipynb": Interaction(
        "key", "hidden_size", "ArrowRight", result="PyTorch bound", expect="1/sqrt(68)"
    ),
    # losses.CrossEntropyExplorer: true class 0 -> 2; the loss is -log p_2.
    "05_cross_entropy.ipynb": Interaction(
        "select", "true class", "class 2", result="loss = -log p_", expect="loss = -log p_2"
    ),
    # sine.PredictionBrowser: the run "faithful (record)", whose step 5 diverges.
    "06_sine_waves.ipynb": Interaction(
        "select", "run", "faithful (record)", result="after LBFGS step",
        expect="faithful (record), after LBFGS step",
    ),
    # bptt.GradientExplorer: lag 50 -> 51 (step 1); the table reads the gradients at lag 51.
    "07_bptt.ipynb": Interaction(
        "key", "lag k", "ArrowRight", result="at lag k =", expect="at lag k = 51"
    ),
    # classify.InsideExplorer: state "cell state c" -> "hidden state h"; the info names it.
    "08_classify.ipynb": Interaction(
        "select", "state", "hidden state h", result="changed most at this step",
        expect="hidden state h changed most",
    ),
    # charlm.SamplerWidget: top-k none -> 5; the kernel samples anew and names top-5.
    "09_charlm.ipynb": Interaction(
        "select", "top-k", "5", result="mean entropy of the sampling", expect="top-5"
    ),
}


# --------------------------------------------------------------------------------------
# JupyterLab on 127.0.0.1, serving the student edition
# --------------------------------------------------------------------------------------


@dataclass
class Lab:
    url: str  # http://127.0.0.1:PORT/
    token: str
    edition: Path
    log: Path

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _offline_settings(settings: Path) -> None:
    """User settings: never fetch news or check for updates (both would call the internet)."""
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )




#: The two folders JupyterLab serves, each with every chapter: a fresh student edition (the
#: checks must say "Not yet:") and a copy of the book's notebooks (they must say "Correct!").
EDITIONS = ("student", "book")


@pytest.fixture(scope="module", params=EDITIONS)
def lab(request, browser, tmp_path_factory):
    """JupyterLab (``make lab``'s command) serving, offline, a fresh student edition or a
    copy of the book's own notebooks (a copy: running and autosaving must not touch book/)."""
    if not JUPYTER.exists():
        pytest.fail(f"{JUPYTER} not found: run `make setup`", pytrace=False)
    tmp = tmp_path_factory.mktemp("lab")
    edition = tmp / request.param
    if request.param == "student":
        make_student.build(edition)
    else:
        edition.mkdir()
        for path in BOOK.glob("*.ipynb"):
            shutil.copy(path, edition / path.name)
    _offline_settings(tmp / "settings")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # conftest sets Agg; a student's kernel uses the inline backend
    env.update({
        "OMP_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),  # no user configuration leaks in
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "IPYTHONDIR": str(tmp / "ipython"),
    })
    command = [
        str(JUPYTER), "lab", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        "--no-browser", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={edition}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, to watch the kernel
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = tmp / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=edition, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    server = Lab(f"http://127.0.0.1:{port}/", token, edition, log)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited ({process.returncode}):\n{server.log_tail()}",
                            pytrace=False)
            with contextlib.suppress(OSError, ValueError):
                server.api("GET", "api/status")
                break
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within {SERVER_START_S} s:\n"
                            f"{server.log_tail()}", pytrace=False)
            time.sleep(0.5)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --------------------------------------------------------------------------------------
# Driving a notebook
# --------------------------------------------------------------------------------------

_PANEL_JS = "window.jupyterapp.shell.currentWidget"

_KERNEL_IDLE_JS = f"""(name) => {{
  const app = window.jupyterapp;
  if (!app || !app.shell) return false;
  const w = {_PANEL_JS};
  if (!w || !w.context || w.context.path !== name || !w.content) return false;
  const k = w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === "idle" && w.content.widgets.length > 0;
}}"""

# Done: the kernel is idle, no cell is queued or running, and every code cell has run, or
# one failed without the tag raises-exception (then the run stops: report it, fast).
_RUN_DONE_JS = f"""() => {{
  const w = {_PANEL_JS};
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== "idle") return false;
  const cells = w.content.widgets.filter((c) => c.model.type === "code");
  if (cells.some((c) => c.model.executionState === "running")) return false;
  if (cells.some((c) => (c.promptNode && c.promptNode.textContent.includes("*")))) return false;
  const failed = cells.some((c) => !(c.model.getMetadata("tags") || []).includes("raises-exception")
    && Array.from({{length: c.model.outputs.length}}, (_, i) => c.model.outputs.get(i))
         .some((o) => o.type === "error"));
  return failed || cells.every((c) => c.model.executionCount !== null);
}}"""

# Per code cell: tags, execution count, and its outputs (type, error name and value, text).
_CELLS_JS = f"""() => {{
  const w = {_PANEL_JS};
  return w.content.widgets.filter((c) => c.model.type === "code").map((c, index) => {{
    const outputs = [];
    for (let i = 0; i < c.model.outputs.length; i++) {{
      const o = c.model.outputs.get(i).toJSON();
      const data = o.data || {{}};
      outputs.push({{
        type: o.output_type, name: o.name || "", ename: o.ename || "", evalue: o.evalue || "",
        text: [].concat(o.text || "").join("") + [].concat(data["text/plain"] || "").join(""),
        widget: "{bc.WIDGET_VIEW_TYPE}" in data,
      }});
    }}
    const dom = Array.from(c.node.querySelectorAll(".jp-OutputArea-output")).map((el) => ({{
      text: el.textContent.slice(0, 400),
      widget: !!el.querySelector(":scope > .jupyter-widgets")
        && !el.querySelector(".jupyter-widgets-error-widget"),
    }}));
    return {{
      index, tags: c.model.getMetadata("tags") || [], count: c.model.executionCount,
      source: c.model.sharedModel.getSource().slice(0, 80), outputs, dom,
    }};
  }});
}}"""

# Every cell whose model holds a widget view shows it rendered (not loading, not an error).
_WIDGETS_RENDERED_JS = f"""() => {{
  const w = {_PANEL_JS};
  return w.content.widgets.filter((c) => c.model.type === "code").every((c) => {{
    let views = 0;
    for (let i = 0; i < c.model.outputs.length; i++) {{
      if ("{bc.WIDGET_VIEW_TYPE}" in (c.model.outputs.get(i).data || {{}})) views += 1;
    }}
    const shown = c.node.querySelectorAll(".jp-OutputArea-output > .jupyter-widgets").length;
    return views === 0 || shown >= views;
  }});
}}"""

# The texts of the HTML widgets inside one widget view (whitespace collapsed).
_HTML_TEXTS_JS = """(view) => Array.from(view.querySelectorAll(".widget-html-content"))
  .map((el) => el.textContent.replace(/\\s+/g, " ").trim())"""


def _expected_error(cell: dict) -> bool:
    return "raises-exception" in cell["tags"]


def _problems(cells: list[dict]) -> list[str]:
    """Errors, stderr output and cells that never ran (raises-exception cells may raise)."""
    problems, not_run = [], []
    for cell in cells:
        first = cell["source"].splitlines()[0] if cell["source"] else ""
        where = f"code cell {cell['index']} ({first!r})"
        if cell["count"] is None:
            not_run.append(cell["index"])
        if _expected_error(cell):
            continue
        for out in cell["outputs"]:
            if out["type"] == "error":
                problems.append(f"{where}: {out['ename']}: {out['evalue']}")
            elif out["name"] == "stderr":  # the book's outputs have none: a warning is news
                problems.append(f"{where} writes to stderr: {out['text'][:300]}")
        for out in cell["dom"]:
            if "Error displaying widget" in out["text"]:
                problems.append(f"{where}: the page shows {out['text'][:300]!r}")
    if not_run:
        problems.append(f"{len(not_run)} code cell(s) did not run: {not_run}")
    return problems


def _exact(text: str) -> re.Pattern:
    """Match an element whose whole text is ``text`` (Playwright's has_text is a substring)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


_CONTROL_CLASS = {"select": ".widget-dropdown", "text": ".widget-text", "key": ".widget-slider"}


def _interact(page, view, interaction: Interaction) -> None:
    """Use the control of ``view`` labelled ``interaction.label`` as a student would."""
    label = page.locator(".widget-label").filter(has_text=_exact(interaction.label))
    box = view.locator(_CONTROL_CLASS[interaction.kind]).filter(has=label)
    assert box.count() == 1, f"{box.count()} controls labelled {interaction.label!r}"
    if interaction.kind == "select":
        box.locator("select").select_option(label=interaction.value)
    elif interaction.kind == "text":
        field = box.locator("input")
        field.click()
        field.fill(interaction.value)
        field.press("Enter")  # continuous_update=False: Enter (or leaving the box) commits
    else:  # "key": the slider's handle takes the keyboard, as in any notebook
        handle = box.locator(".noUi-handle")
        handle.focus()
        handle.press(interaction.value)


def _shutdown_kernels(lab: Lab) -> None:
    """Close every session (and its kernel): each chapter runs in a fresh one."""
    with contextlib.suppress(OSError, ValueError):
        for session in lab.api("GET", "api/sessions") or []:
            with contextlib.suppress(OSError):
                lab.api("DELETE", f"api/sessions/{session['id']}")


@dataclass
class LabPage:
    page: object  # a Playwright Page
    blocked: list[str]  # requests that would have left the machine
    errors: list[str]  # uncaught exceptions and console errors


# JupyterLab has loaded, restored its (empty) workspace and can open documents.
_APP_READY_JS = """() => !!(window.jupyterapp && window.jupyterapp.shell
  && window.jupyterapp.serviceManager && window.jupyterapp.serviceManager.isReady
  && window.jupyterapp.commands.hasCommand("docmanager:open"))"""

# Open a notebook in the main area and make it the current widget.
_OPEN_JS = """async (name) => {
  const app = window.jupyterapp;
  const w = await app.commands.execute("docmanager:open", {path: name});
  await w.context.ready;
  app.shell.activateById(w.id);
  w.content.node.focus();
}"""

# Close every document in the main area without a "save?" dialog (the copy on disk is a
# temporary one; a closed notebook leaves its session, which the API then shuts down).
_CLOSE_ALL_JS = """() => {
  const app = window.jupyterapp;
  for (const w of Array.from(app.shell.widgets("main"))) {
    if (w.context && w.context.model) w.context.model.dirty = false;
    w.close();
  }
}"""


@pytest.fixture(scope="module")
def lab_app(browser, lab):
    """One offline browser page per JupyterLab server, with the application loaded once; each
    chapter's notebook then opens in it in turn (loading JupyterLab took about 6 s a chapter).
    """
    blocked: list[str] = []
    errors: list[str] = []
    context = bc.offline_context(browser, blocked)
    page = context.new_page()
    page.set_default_timeout(APP_TIMEOUT_MS)
    page.on("pageerror", lambda error: errors.append(f"{error.name}: {error.message}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else 0)
    try:
        page.goto(f"{lab.url}lab/workspaces/test?reset&token={lab.token}")
        try:
            page.wait_for_function(_APP_READY_JS, timeout=APP_TIMEOUT_MS, polling=250)
            page.evaluate("async () => { await window.jupyterapp.restored; }")
        except PlaywrightTimeout:
            pytest.fail(f"JupyterLab did not load within {APP_TIMEOUT_MS // 1000} s; its log:"
                        f"\n{lab.log_tail()}", pytrace=False)
        yield LabPage(page, blocked, errors)
    finally:
        context.close()


@pytest.fixture
def lab_page(lab_app, lab):
    """The server's page, with what it blocked and logged so far forgotten: each chapter
    answers for its own. Afterwards every notebook is closed and every kernel shut down, so
    that each chapter runs in a fresh kernel."""
    lab_app.blocked.clear()
    lab_app.errors.clear()
    try:
        yield lab_app
    finally:
        with contextlib.suppress(Exception):
            lab_app.page.evaluate(_CLOSE_ALL_JS)
        _shutdown_kernels(lab)


def test_every_chapter_has_an_interaction():
    assert CHAPTERS, "no chapters found under book/"
    assert sorted(INTERACTIONS) == CHAPTERS, "add the new chapter's widget to INTERACTIONS"


# Whether the result (the first HTML widget whose text holds ``marker``) shows ``expect``
# and differs from what it showed before.
_RESULT_CHANGED_JS = """([view, before, marker, expect]) => {
  const now = Array.from(view.querySelectorAll(".widget-html-content"))
    .map((el) => el.textContent.replace(/\\s+/g, " ").trim());
  const i = now.findIndex((t) => t.includes(marker));
  return i >= 0 && now[i] !== before[i] && now[i].includes(expect);
}"""


@pytest.mark.parametrize("name", CHAPTERS)
def test_widget_works_live_in_jupyterlab(lab, lab_page, name):
    page, interaction = lab_page.page, INTERACTIONS[name]
    stem = name.removesuffix(".ipynb")
    try:
        _run_and_check(page, lab, name, interaction)
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            page.screenshot(path=str(SCREENSHOTS / f"lab_{stem}.png"))
    assert not lab_page.blocked, f"{name}: requests that would leave the machine: " + ", ".join(
        dict.fromkeys(lab_page.blocked))
    assert not lab_page.errors, f"{name}: errors in the page:\n  " + "\n  ".join(lab_page.errors)


def _run_and_check(page, lab: Lab, name: str, interaction: Interaction) -> None:
    # 1. Open the notebook (the previous chapter's is closed) and wait for its kernel.
    page.evaluate(_OPEN_JS, name)
    page.bring_to_front()
    try:
        page.wait_for_function(_KERNEL_IDLE_JS, arg=name, timeout=APP_TIMEOUT_MS, polling=250)
    except PlaywrightTimeout:
        pytest.fail(f"{name}: no idle kernel within {APP_TIMEOUT_MS // 1000} s; JupyterLab's "
                    f"log:\n{lab.log_tail()}", pytrace=False)

    # 2. Run > Run All Cells, from the menu bar; wait until every cell has run.
    page.locator(".lm-MenuBar-itemLabel", has_text=_exact("Run")).click()
    page.locator(".lm-Menu-itemLabel", has_text=_exact("Run All Cells")).click()
    try:
        page.wait_for_function(_RUN_DONE_JS, timeout=RUN_ALL_TIMEOUT_MS, polling=500)
    except PlaywrightTimeout:
        cells = page.evaluate(_CELLS_JS)
        waiting = [c["index"] for c in cells if c["count"] is None]
        pytest.fail(f"{name}: Run All Cells not done after {RUN_ALL_TIMEOUT_MS // 1000} s; "
                    f"code cells not run yet: {waiting}", pytrace=False)
    cells = page.evaluate(_CELLS_JS)

    # 3. No error beyond the expected ones; every exercise check says "Not yet:".
    problems = _problems(cells)
    assert not problems, f"{name} in JupyterLab:\n  " + "\n  ".join(problems)
    for cell in cells:
        if _expected_error(cell):
            assert any(o["type"] == "error" for o in cell["outputs"]), (
                f"{name}: code cell {cell['index']} is tagged raises-exception but raised nothing"
            )
    texts = "\n".join(o["text"] for c in cells for o in c["outputs"])
    if lab.edition.name == "student":
        assert texts.count("Not yet:") >= 3, f"{name}: fewer than three checks said 'Not yet:'"
        assert "Correct!" not in texts, f"{name}: a check passed without an answer"
    else:  # the book's notebooks carry the solutions: every check passes
        assert texts.count("Correct!") >= 3, f"{name}: fewer than three checks said 'Correct!'"

    # 4. Every widget view rendered.
    widget_cells = [c["index"] for c in cells if any(o["widget"] for o in c["outputs"])]
    assert widget_cells, f"{name}: no cell displayed a widget"
    with contextlib.suppress(PlaywrightTimeout):  # the check below says what is missing
        page.wait_for_function(_WIDGETS_RENDERED_JS, timeout=WIDGET_TIMEOUT_MS, polling=250)
    cells = page.evaluate(_CELLS_JS)
    for index in widget_cells:
        views = sum(o["widget"] for o in cells[index]["outputs"])
        shown = sum(d["widget"] for d in cells[index]["dom"])
        assert shown == views, (
            f"{name}, code cell {index}: {views} widget view(s), {shown} rendered: "
            f"{[d['text'][:200] for d in cells[index]['dom']]}"
        )

    # 5. Use one control; the result shown must change to what the kernel computed.
    label = page.locator(".widget-label").filter(has_text=_exact(interaction.label))
    view = page.locator(WIDGET_VIEW).filter(has=label)
    assert view.count() == 1, f"{name}: {view.count()} widgets with a {interaction.label!r}"
    view.scroll_into_view_if_needed()
    before = view.evaluate(_HTML_TEXTS_JS)
    shown = [t for t in before if interaction.result in t]
    assert shown, f"{name}: no result containing {interaction.result!r} in {before}"
    assert interaction.expect not in shown[0], (
        f"{name}: the result already shows {interaction.expect!r} before the change"
    )
    _interact(page, view, interaction)
    try:
        page.wait_for_function(
            _RESULT_CHANGED_JS,
            arg=[view.element_handle(), before, interaction.result, interaction.expect],
            timeout=WIDGET_TIMEOUT_MS, polling=250,
        )
    except PlaywrightTimeout:
        now = [t for t in view.evaluate(_HTML_TEXTS_JS) if interaction.result in t]
        pytest.fail(
            f"{name}: {interaction.kind} {interaction.value!r} on {interaction.label!r}; after "
            f"{WIDGET_TIMEOUT_MS // 1000} s the result still does not show "
            f"{interaction.expect!r} (the kernel did not answer?)\n  before: {shown[0][:300]}"
            f"\n  now:    {(now or [''])[0][:300]}", pytrace=False,
        )
    view.scroll_into_view_if_needed()
