"""Checks of the rendered book, shared by the browser suite and its broken fixture site.

Every ``check_*`` / ``find_*`` function returns a list of problems (human-readable strings,
empty when all is well), so the same code judges the real book (``tests/test_browser.py``,
``tests/test_site_offline.py``) and the deliberately broken pages under
``tests/fixtures/broken_site/`` (where the tests assert the exact list).

Two kinds of checks:

- static ones read the built HTML and CSS files (no browser needed): remote
  scripts/stylesheets/fonts, missing local assets;
- browser ones work on a :class:`PageRun`, what :func:`collect_page` recorded while Debian's
  Chromium (driven by Playwright, never ``playwright install``) loaded one page with every
  request that would leave the loopback interface blocked.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import ipaddress
import os
import posixpath
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SKIP_ENV = "LSTM_BOOK_SKIP_BROWSER"
HTML_ENV = "LSTM_BOOK_HTML"
INSTALL_HINT = (
    "The browser suite needs Debian's Chromium at {path} (driven by Playwright; never run "
    "`playwright install`). Install it with `apt-get install -y chromium` (as root), or opt "
    f"out explicitly with {SKIP_ENV}=1 (CI never opts out)."
)

# Chromium flags: headless in a container, and nothing that phones home on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-extensions",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-client-side-phishing-detection",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--metrics-recording-only",
    "--no-first-run",
    "--no-pings",
    "--no-proxy-server",
    # Belt and braces: even a request that bypassed the routes below could not resolve a name.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_TYPE = "application/vnd.jupyter.widget-view+json"


# --------------------------------------------------------------------------------------
# Where the site is, which pages the book has
# --------------------------------------------------------------------------------------


def site_root() -> Path:
    """The built site: ``$LSTM_BOOK_HTML`` if set, else ``_build/html`` next to ``_config.yml``."""
    env = os.environ.get(HTML_ENV)
    return Path(env).resolve() if env else REPO_ROOT / "_build" / "html"


def source_root(site: Path) -> Path:
    """The book source a site was built from (``<src>/_build/html``), else this repository."""
    candidate = site.resolve().parent.parent
    if (candidate / "_toc.yml").is_file():
        return candidate
    return REPO_ROOT


def toc_docnames(toc_file: Path) -> list[str]:
    """Every document ``_toc.yml`` lists (root first), without suffix: ``["book/intro", ...]``.

    Understands jupyter-book 1 tables of contents: ``root``, ``parts``, ``chapters``,
    ``sections``, ``subtrees``, ``entries``, ``file`` and ``glob`` entries (``url`` entries
    are external links, not pages of this site).
    """
    data = yaml.safe_load(Path(toc_file).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "root" not in data:
        raise ValueError(f"{toc_file}: a jupyter-book table of contents needs a 'root' key")
    src = Path(toc_file).parent
    names: list[str] = [_strip_suffix(str(data["root"]))]

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "file" in node:
                names.append(_strip_suffix(str(node["file"])))
            if "glob" in node:
                for path in sorted(src.glob(str(node["glob"]))):
                    if path.suffix in SOURCE_SUFFIXES and path.is_file():
                        names.append(_strip_suffix(path.relative_to(src).as_posix()))
            for key in ("parts", "chapters", "sections", "subtrees", "entries"):
                walk(node.get(key))

    walk({k: v for k, v in data.items() if k != "root"})
    return list(dict.fromkeys(names))


SOURCE_SUFFIXES = (".md", ".ipynb", ".rst", ".myst")


def _strip_suffix(name: str) -> str:
    for suffix in SOURCE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def toc_pages(toc_file: Path) -> list[str]:
    """The site-relative HTML path of every page in ``_toc.yml``: ``["book/intro.html", ...]``."""
    return [f"{name}.html" for name in toc_docnames(toc_file)]


def build_book(src: Path) -> None:
    """Build the book into ``<src>/_build/html`` the way ``make book`` does (``-W -n``)."""
    jb = Path(sys.executable).parent / "jupyter-book"
    command = [str(jb if jb.exists() else "jupyter-book"), "build", str(src), "-W", "-n"]
    command.append("--keep-going")
    for stale in ("html", "jupyter_execute", ".doctrees"):
        shutil.rmtree(src / "_build" / stale, ignore_errors=True)
    done = subprocess.run(command, cwd=src, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-4000:]
        raise RuntimeError(f"`{' '.join(command)}` failed ({done.returncode}):\n{tail}")


def chromium_missing() -> str | None:
    """Why the browser cannot run here (a message with the fix), or None when it can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} not found. " + INSTALL_HINT.format(path=CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"the Python package playwright is missing ({error}): run `make setup`."
    return None


# --------------------------------------------------------------------------------------
# Serving a directory on 127.0.0.1
# --------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that cancels a request (page closed, request aborted) resets the socket.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def is_loopback(url: str) -> bool:
    """True for URLs that stay on this machine (127.0.0.0/8, ::1, localhost, data:, blob:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _inside(site: Path, rel: str) -> Path | None:
    """``site / rel`` with ``..`` collapsed (symlinks kept: vendored folders may be links),
    or None when it points outside ``site``."""
    target = Path(os.path.normpath(os.path.join(site, rel)))
    return target if target == site or site in target.parents else None


def _relative(url: str, base_url: str) -> str:
    """``url`` without the site's base URL (for stable, short messages)."""
    return url[len(base_url) :] if url.startswith(base_url) else url


# --------------------------------------------------------------------------------------
# Loading a page in Chromium
# --------------------------------------------------------------------------------------


@dataclass
class ConsoleEntry:
    """A ``console.error`` message (kind ``console``) or an uncaught exception (``exception``)."""

    kind: str
    text: str
    source: str = ""  # the script URL (console) or the stack (exception)


@dataclass
class PageRun:
    """What loading one page recorded: requests, console, and a snapshot of its DOM."""

    path: str
    url: str
    base_url: str
    requests: list[str] = field(default_factory=list)  # every request the page made
    blocked: list[str] = field(default_factory=list)  # requests that would leave loopback
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, why), not blocked ones
    bad_status: list[tuple[int, str]] = field(default_factory=list)  # (status >= 400, url)
    console: list[ConsoleEntry] = field(default_factory=list)
    mathjax: str = "absent"  # "absent", "done", "timeout" or "error: ..."
    dom: dict = field(default_factory=dict)
    screenshot: Path | None = None


# Waits, in milliseconds: generous for a busy 2-core machine, short enough for a quick failure.
NAVIGATION_TIMEOUT_MS = 30_000
MATHJAX_TIMEOUT_MS = 20_000
WIDGETS_TIMEOUT_MS = 15_000
IMAGES_TIMEOUT_MS = 10_000
IDLE_TIMEOUT_MS = 10_000

_MATHJAX_WAIT_JS = """async (ms) => {
  const mj = window.MathJax;
  if (!mj || !mj.startup || !mj.startup.promise) return "absent";
  const late = new Promise((resolve) => setTimeout(() => resolve("timeout"), ms));
  const done = mj.startup.promise.then(() => "done", (e) => "error: " + e);
  return await Promise.race([done, late]);
}"""


def _js(source: str) -> str:
    """Fill the widget MIME types into a JavaScript snippet."""
    return source.replace("__VIEW__", WIDGET_VIEW_TYPE).replace("__STATE__", WIDGET_STATE_TYPE)


# Settled: every view is rendered, shows the html-manager's error widget, or names a model
# missing from the stored state (the html-manager then silently renders nothing).
_WIDGETS_SETTLED_JS = _js("""() => {
  const models = new Set();
  for (const s of document.querySelectorAll('script[type="__STATE__"]')) {
    try { Object.keys(JSON.parse(s.textContent).state || {}).forEach((k) => models.add(k)); }
    catch (e) {}
  }
  return Array.from(document.querySelectorAll('script[type="__VIEW__"]')).every((s) => {
    let id = null;
    try { id = JSON.parse(s.textContent).model_id; } catch (e) { return true; }
    if (!models.has(id)) return true;
    const prev = s.previousElementSibling;
    return !!(prev && prev.classList.contains("widget-subarea")
              && prev.querySelector(".jupyter-widgets"));
  });
}""")

_IMAGES_LOADED_JS = """() => {
  for (const img of document.images) if (img.loading === "lazy") img.loading = "eager";
  return Array.from(document.images).every((img) => img.complete);
}"""

# One snapshot of everything the DOM checks need.
_SNAPSHOT_JS = _js("""() => {
  const text = (el) => (el ? el.textContent.replace(/\\s+/g, " ").trim() : "");
  const images = Array.from(document.images).map((img) => ({
    src: img.getAttribute("src") || "",
    url: img.currentSrc || img.src || "",
    alt: img.getAttribute("alt"),
    complete: img.complete,
    naturalWidth: img.naturalWidth,
    widget: !!img.closest(".jupyter-widgets, .widget-subarea"),
  }));
  const figures = Array.from(document.querySelectorAll("figure")).map((fig) => {
    const cap = fig.querySelector(":scope > figcaption");
    const capText = cap ? cap.querySelector(".caption-text") : null;
    const img = fig.querySelector("img");
    return {
      id: fig.id || "",
      img: img ? img.getAttribute("src") || "" : "",
      caption: cap ? text(capText || cap) : null,
    };
  });
  const math = Array.from(document.querySelectorAll(".math")).map((el) => ({
    rendered: !!el.querySelector("mjx-container"),
    text: text(el).slice(0, 80),
  }));
  const mathErrors = Array.from(
    document.querySelectorAll("mjx-merror, [data-mjx-error], merror")
  ).filter((el) => !el.closest("mjx-assistive-mml")
                   && !el.parentElement.closest("[data-mjx-error], mjx-merror"))
   .map((el) => el.getAttribute("data-mjx-error") || text(el).slice(0, 80));
  // MathJax 3 (its noundefined package) shows an undefined macro as red text, not an error.
  const undefinedMacros = [];
  try {
    for (const item of window.MathJax.startup.document.math) {
      const mml = window.MathJax.startup.toMML(item.root);
      for (const m of mml.matchAll(/<mtext mathcolor="red">(\\\\[A-Za-z@]+)<\\/mtext>/g)) {
        undefinedMacros.push(m[1]);
      }
    }
  } catch (e) { /* no MathJax on this page */ }
  const views = Array.from(
    document.querySelectorAll('script[type="__VIEW__"]')
  ).map((s) => {
    let modelId = null;
    try { modelId = JSON.parse(s.textContent).model_id; } catch (e) { modelId = null; }
    const prev = s.previousElementSibling;
    const area = prev && prev.classList.contains("widget-subarea") ? prev : null;
    const failed = area ? area.querySelector(".jupyter-widgets-error-widget") : null;
    return {
      model_id: modelId,
      rendered: !!(area && area.querySelector(".jupyter-widgets") && !failed),
      error: failed ? text(failed) : null,
    };
  });
  const stateModels = [];
  for (const s of document.querySelectorAll('script[type="__STATE__"]')) {
    try { stateModels.push(...Object.keys(JSON.parse(s.textContent).state || {})); } catch (e) {}
  }
  const ids = Array.from(document.querySelectorAll("[id]")).map((el) => el.id)
    .concat(Array.from(document.querySelectorAll("a[name]")).map((el) => el.getAttribute("name")));
  return {
    title: text(document.querySelector("h1")).replace(/[#\\u00b6]\\s*$/, "").trim(),
    images, figures, math, mathErrors, undefinedMacros, views,
    widgetState: document.querySelectorAll('script[type="__STATE__"]').length,
    stateModels,
    links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.getAttribute("href")),
    ids,
  };
}""")


def launch_chromium(playwright):  # -> playwright Browser
    """Debian's Chromium, headless, with everything that talks to the internet switched off."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def offline_context(browser, blocked: list[str]):
    """A fresh browser context that aborts (and appends to ``blocked``) every request and
    WebSocket that would leave the loopback interface."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

    def route(route) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    def route_socket(socket) -> None:
        if is_loopback(socket.url):
            socket.connect_to_server()
        else:
            blocked.append(socket.url)
            socket.close()

    context.route("**/*", route)
    context.route_web_socket(re.compile(r".*"), route_socket)
    return context


def collect_page(browser, base_url: str, path: str, screenshot: Path | None = None) -> PageRun:
    """Load ``base_url + path`` offline, wait for MathJax, widgets and images, and record it.

    A fresh context per page: no cache, no localStorage (every page as a first visit).
    """
    run = PageRun(path=path, url=urljoin(base_url, path), base_url=base_url)
    context = offline_context(browser, run.blocked)
    closed = False
    try:
        page = context.new_page()
        page.set_default_timeout(NAVIGATION_TIMEOUT_MS)

        def on_console(message) -> None:
            if message.type == "error":
                source = (message.location or {}).get("url", "")
                run.console.append(ConsoleEntry("console", message.text, source))

        def on_page_error(error) -> None:
            name = getattr(error, "name", "") or "Error"
            text = f"{name}: {error.message}"
            run.console.append(ConsoleEntry("exception", text, getattr(error, "stack", "") or ""))

        def on_request_failed(request) -> None:
            if closed or request.url in run.blocked:
                return
            run.failed.append((request.url, request.failure or "failed"))

        def on_response(response) -> None:
            if response.status >= 400:
                run.bad_status.append((response.status, response.url))

        page.on("request", lambda request: run.requests.append(request.url))
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)

        page.goto(run.url, wait_until="load")
        run.mathjax = page.evaluate(_MATHJAX_WAIT_JS, MATHJAX_TIMEOUT_MS)
        _wait_quietly(page, _WIDGETS_SETTLED_JS, WIDGETS_TIMEOUT_MS)
        _wait_quietly(page, _IMAGES_LOADED_JS, IMAGES_TIMEOUT_MS)
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)
        run.dom = page.evaluate(_SNAPSHOT_JS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            run.screenshot = screenshot
    finally:
        closed = True
        context.close()
    return run


def _wait_quietly(page, predicate_js: str, timeout_ms: int) -> None:
    """Wait for a JS predicate; on timeout carry on (the checks then report what is missing)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(predicate_js, timeout=timeout_ms, polling=100)


def screenshot_path(site: Path, page_path: str) -> Path:
    """``_build/screenshots/<page>.png`` next to the site (``_build/html``)."""
    name = page_path.removesuffix(".html").replace("/", "-") or "index"
    return site.parent / "screenshots" / f"{name}.png"


# --------------------------------------------------------------------------------------
# Browser checks: each takes a PageRun, returns a list of problems
# --------------------------------------------------------------------------------------


def check_network(run: PageRun) -> list[str]:
    """No request leaves the machine, none fails, none answers with HTTP status >= 400."""
    problems = [
        f"request would leave the machine (blocked): {url}" for url in dict.fromkeys(run.blocked)
    ]
    answered = {url for _, url in run.bad_status}  # reported below, with their status
    problems += [
        f"request failed: {_relative(url, run.base_url)} ({why})"
        for url, why in dict.fromkeys(run.failed)
        if url not in answered
    ]
    problems += [
        f"HTTP {status} for {_relative(url, run.base_url)}"
        for status, url in dict.fromkeys(run.bad_status)
    ]
    return problems


@dataclass(frozen=True)
class KnownNoise:
    """One console error the book cannot fix here: an upstream bug, cited.

    ``message`` must match the whole entry text; ``source``, when given, must be found in
    the entry's script URL or stack, so the entry silences exactly that upstream message.
    """

    kind: str
    message: str
    source: str | None
    reference: str
    why: str

    def matches(self, entry: ConsoleEntry) -> bool:
        if entry.kind != self.kind or not re.fullmatch(self.message, entry.text):
            return False
        return self.source is None or re.search(self.source, entry.source) is not None


KNOWN_CONSOLE_NOISE: tuple[KnownNoise, ...] = (
    KnownNoise(
        kind="exception",
        message=r"SyntaxError: Identifier 'THEBE_JS_URL' has already been declared",
        source=None,  # a parse error of an inline <script>: no script URL, no stack frames
        reference="https://github.com/sphinx-doc/sphinx/pull/13402",
        why="sphinx-thebe 0.3.1 adds the inline script `const THEBE_JS_URL = ...` with "
        "app.add_js_file(None, body=...) after the builder started; Sphinx then writes it "
        "into every page twice (None vs '' filename). Fixed by that pull request (2025), "
        "after the Sphinx 7.4 that jupyter-book 1 uses. thebe is off: nothing reads it",
    ),
    KnownNoise(
        kind="exception",
        message=r"TypeError: Cannot read properties of undefined \(reading 'Queue'\)",
        source=r"/_static/widgets/(lib)?embed(-amd)?\.js",
        reference="https://github.com/jupyter-widgets/ipywidgets/issues/3829",
        why="the ipywidgets html-manager typesets widget labels with the MathJax 2 API "
        "(MathJax.Hub.Queue) while the book serves MathJax 3; labels still show as text",
    ),
    KnownNoise(
        kind="console",
        message=r"Got invalid theme mode: \. Resetting to auto\.",
        source=r"/_static/scripts/pydata-sphinx-theme\.js",
        reference="https://github.com/pydata/pydata-sphinx-theme/issues/1635",
        why="pydata-sphinx-theme reads an empty mode on a first visit when no default mode "
        "is set (_config.yml sets html_context.default_mode, so it should not appear); "
        "only the empty mode is allowed, a misspelt mode still fails",
    ),
)


def known_noise(entry: ConsoleEntry, allow: Iterable[KnownNoise] = KNOWN_CONSOLE_NOISE):
    """The allow-list entry that covers ``entry``, or None."""
    return next((noise for noise in allow if noise.matches(entry)), None)


def check_console(run: PageRun, allow: Iterable[KnownNoise] = KNOWN_CONSOLE_NOISE) -> list[str]:
    """No console error and no uncaught exception, except the documented upstream noise."""
    allow = tuple(allow)
    # Chromium logs "Failed to load resource" for each request that was blocked, failed or
    # answered >= 400: check_network reports those (once, with the reason), not this check.
    reported = set(run.blocked) | {url for url, _ in run.failed}
    reported |= {url for _, url in run.bad_status}
    problems = []
    for entry in run.console:
        if known_noise(entry, allow) is not None:
            continue
        if entry.text.startswith("Failed to load resource") and entry.source in reported:
            continue
        where = _relative(entry.source, run.base_url) if entry.kind == "console" else ""
        label = "console error" if entry.kind == "console" else "uncaught exception"
        problems.append(f"{label}: {entry.text}" + (f" [{where}]" if where else ""))
    return list(dict.fromkeys(problems))


def check_math(run: PageRun) -> list[str]:
    """All math is typeset by MathJax (every ``.math`` holds an ``mjx-container``), no error."""
    math = run.dom.get("math", [])
    problems = []
    if math and run.mathjax != "done":
        problems.append(f"MathJax did not finish typesetting ({run.mathjax})")
    for item in math:
        if not item["rendered"]:
            problems.append(f"math not rendered by MathJax: {item['text']!r}")
    for message in run.dom.get("mathErrors", []):
        problems.append(f"MathJax error: {message}")
    for macro in run.dom.get("undefinedMacros", []):
        problems.append(f"MathJax: undefined control sequence {macro} (shown in red)")
    return problems


def _image_name(image: dict, base_url: str) -> str:
    src = image["src"] or image["url"]
    if src.startswith("data:"):
        src = src[: src.find(",")] + ",..." if "," in src else "data:..."
    elif src.startswith("blob:") or (image["widget"] and not src):
        src = "(widget image)"
    return _relative(src, base_url)


def check_images(run: PageRun) -> list[str]:
    """Every image loads (``naturalWidth > 0``) and has a non-empty alt text."""
    problems = []
    for image in run.dom.get("images", []):
        name = _image_name(image, run.base_url)
        if image["widget"]:
            name += " in a widget"
        if not (image["complete"] and image["naturalWidth"] > 0):
            problems.append(f"image does not load: {name}")
        if not (image["alt"] or "").strip():
            problems.append(f"image without alt text: {name}")
    return problems


def check_figures(run: PageRun) -> list[str]:
    """Every ``<figure>`` has a non-empty ``<figcaption>`` (its caption text, not just "Fig. 1")."""
    problems = []
    for figure in run.dom.get("figures", []):
        if not figure["caption"]:
            name = f"#{figure['id']}" if figure["id"] else _relative(figure["img"], run.base_url)
            state = "no figcaption" if figure["caption"] is None else "an empty caption"
            problems.append(f"figure {name or '(no id, no image)'} has {state}")
    return problems


def check_widgets(run: PageRun) -> list[str]:
    """Where a page embeds widget views, each renders (a ``.jupyter-widgets`` view appears in
    the ``widget-subarea`` the html-manager inserts before the view's script)."""
    views = run.dom.get("views", [])
    if not views:
        return []
    problems = []
    if not run.dom.get("widgetState"):
        problems.append(f"{len(views)} widget view(s) but no widget state on the page")
    models = set(run.dom.get("stateModels", []))
    for view in views:
        if view["rendered"]:
            continue
        if view.get("error") is not None:
            reason = " (the html-manager shows its error widget instead)"
        elif view["model_id"] not in models:
            reason = " (its model is not in the widget state)"
        else:
            reason = ""
        problems.append(f"widget {view['model_id']} did not render{reason}")
    return problems


class _IdParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value and (key == "id" or (tag == "a" and key == "name")):
                self.ids.add(value)


@functools.lru_cache(maxsize=256)
def _ids_in(path: str, mtime_ns: int) -> frozenset[str]:
    parser = _IdParser()
    parser.feed(Path(path).read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def html_ids(path: Path) -> frozenset[str]:
    """The ``id`` (and ``<a name>``) values of a built HTML file."""
    return _ids_in(str(path), path.stat().st_mtime_ns)


def check_links(
    page_url: str,
    hrefs: Iterable[str],
    site: Path,
    base_url: str,
    page_ids: Iterable[str] = (),
) -> list[str]:
    """Every link into the site names an existing file, and its ``#fragment`` an existing id.

    ``hrefs`` are the raw ``href`` values of the page at ``page_url`` (served from ``site``
    at ``base_url``); ``page_ids`` are the ids of that page's live DOM (anchors on the same
    page may be added by scripts). Links to other hosts are not requests: not checked here.
    """
    site = Path(os.path.abspath(site))
    base = urlsplit(base_url)
    page_ids = set(page_ids)
    problems: list[str] = []
    for href in dict.fromkeys(hrefs):
        href = href.strip()
        if not href or href == "#":
            continue
        url = urlsplit(urljoin(page_url, href))
        if url.scheme not in ("http", "https") or url.netloc != base.netloc:
            continue  # mailto:, javascript:, another host: not a page of this site
        path = unquote(url.path)
        if not path.startswith(base.path):
            problems.append(f"broken link {href!r}: outside the site")
            continue
        target = _inside(site, path[len(base.path) :])
        if target is None:
            problems.append(f"broken link {href!r}: outside the site")
            continue
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            shown = target.relative_to(site).as_posix()
            problems.append(f"broken link {href!r}: {shown} does not exist")
            continue
        fragment = unquote(url.fragment)
        if not fragment or target.suffix not in (".html", ".htm"):
            continue
        same_page = urlsplit(page_url)._replace(fragment="", query="").geturl() == (
            url._replace(fragment="", query="").geturl()
        )
        ids = html_ids(target) | (page_ids if same_page else set())
        if fragment not in ids:
            shown = target.relative_to(site).as_posix()
            problems.append(f"broken anchor {href!r}: no id {fragment!r} in {shown}")
    return problems


def check_page_links(run: PageRun, site: Path) -> list[str]:
    """:func:`check_links` over every ``<a href>`` of a loaded page."""
    return check_links(
        run.url, run.dom.get("links", []), site, run.base_url, run.dom.get("ids", [])
    )


BROWSER_CHECKS = {
    "network": check_network,
    "console": check_console,
    "math": check_math,
    "images": check_images,
    "figures": check_figures,
    "widgets": check_widgets,
}


def check_page(run: PageRun, site: Path) -> dict[str, list[str]]:
    """Every browser check on one loaded page: ``{check name: problems}``."""
    results = {name: check(run) for name, check in BROWSER_CHECKS.items()}
    results["links"] = check_page_links(run, site)
    return results


def search_term(title: str) -> str:
    """A word to search for a page by: the longest word of its title (letters only)."""
    words = re.findall(r"[A-Za-z]{4,}", title) or re.findall(r"\w+", title)
    if not words:
        raise ValueError(f"no word to search for in the title {title!r}")
    return max(words, key=len)


def check_search(browser, base_url: str, term: str, expected_path: str) -> list[str]:
    """``search.html?q=term`` lists ``expected_path`` among its results (offline)."""
    blocked: list[str] = []
    context = offline_context(browser, blocked)
    try:
        page = context.new_page()
        page.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        page.goto(urljoin(base_url, f"search.html?q={quote(term)}"), wait_until="load")
        page.wait_for_function(
            """() => {
              const s = document.querySelector("#search-results .search-summary");
              return s && /found|did not match/i.test(s.textContent);
            }""",
            timeout=NAVIGATION_TIMEOUT_MS,
            polling=100,
        )
        hrefs = page.eval_on_selector_all(
            "#search-results ul.search li a", "els => els.map(a => a.href)"
        )
    finally:
        context.close()
    found = [
        _relative(urlsplit(h)._replace(query="", fragment="").geturl(), base_url) for h in hrefs
    ]
    problems = [f"search request would leave the machine (blocked): {url}" for url in blocked]
    if expected_path not in found:
        problems.append(
            f"searching {term!r} does not list {expected_path} (results: {found or 'none'})"
        )
    return problems


# --------------------------------------------------------------------------------------
# Static checks of the built files (no browser)
# --------------------------------------------------------------------------------------

# <link rel=...> values whose href the browser fetches (or connects to) on its own.
FETCHED_LINK_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
}
# Other elements that fetch what they name.
FETCHING_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}


@dataclass(frozen=True)
class AssetRef:
    """One resource a built file makes the browser fetch: ``file`` (site-relative) names
    ``url`` in ``where`` (e.g. ``<script src>``, ``url() in CSS``)."""

    file: str
    where: str
    url: str


class _AssetParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []  # (where, url)
        self._style: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & FETCHED_LINK_RELS and values.get("href"):
                rel = " ".join(sorted(rels & FETCHED_LINK_RELS))
                self.refs.append((f"<link rel={rel} href>", values["href"]))
        for attr in FETCHING_ATTRS.get(tag, ()):
            if values.get(attr):
                for url in _srcset(values[attr]) if attr == "srcset" else [values[attr]]:
                    self.refs.append((f"<{tag} {attr}>", url))
        if values.get("style"):
            self.refs += [("url() in a style attribute", u) for u in css_urls(values["style"])]
        if tag == "style":
            self._style = []

    def handle_data(self, data: str) -> None:
        if self._style is not None:
            self._style.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._style is not None:
            self.refs += [("url() in <style>", u) for u in css_urls("".join(self._style))]
            self._style = None


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_urls(css: str) -> list[str]:
    """Every URL a stylesheet fetches: ``url(...)`` (``@font-face`` ``src`` included) and
    ``@import "..."``, parsed with tinycss2 (comments ignored)."""
    import tinycss2

    found: list[str] = []

    def walk(nodes) -> None:
        for node in nodes or ():
            kind = getattr(node, "type", None)
            if kind == "url":
                found.append(node.value)
            elif kind == "function" and node.lower_name in ("url", "src"):
                strings = [a for a in node.arguments if getattr(a, "type", None) == "string"]
                found.extend(s.value for s in strings[:1])
            elif kind == "function" and node.lower_name in ("image-set", "-webkit-image-set"):
                for arg in node.arguments:  # image-set() takes url() or bare strings
                    if getattr(arg, "type", None) == "string":
                        found.append(arg.value)
                    else:
                        walk([arg])
            elif kind == "function":
                walk(node.arguments)
            elif kind in ("qualified-rule", "at-rule"):
                if kind == "at-rule" and node.lower_at_keyword == "import":
                    strings = [a for a in node.prelude if getattr(a, "type", None) == "string"]
                    found.extend(s.value for s in strings[:1])
                walk(node.prelude)
                walk(node.content)
            elif kind in ("() block", "[] block", "{} block"):
                walk(node.content)
            elif kind == "declaration":
                walk(node.value)

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    walk(rules)
    if not rules or all(getattr(r, "type", None) == "error" for r in rules):
        walk(tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True))
    return found


def site_files(site: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files under ``site`` with one of ``suffixes`` (following symlinked folders), sorted."""
    found = []
    for folder, _dirs, files in os.walk(site, followlinks=True):
        found += [Path(folder) / name for name in files if name.endswith(suffixes)]
    return sorted(found)


# Folders of a Sphinx site that hold assets, not pages: the themes copy Jinja macro files
# (``_static/webpack-macros.html``) there verbatim; nothing ever serves them as pages.
NOT_PAGES = ("_static", "_sources", "_images", "_downloads")


def site_pages(site: Path) -> list[Path]:
    """The built HTML pages of a site (every ``.html`` outside its asset folders)."""
    return [
        path
        for path in site_files(site, (".html", ".htm"))
        if path.relative_to(site).parts[0] not in NOT_PAGES
    ]


def site_asset_refs(site: Path) -> list[AssetRef]:
    """What every built HTML page and every stylesheet of the site makes the browser fetch."""
    site = Path(site)
    refs: list[AssetRef] = []
    for path in site_pages(site):
        parser = _AssetParser()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        rel = path.relative_to(site).as_posix()
        refs += [AssetRef(rel, where, url.strip()) for where, url in parser.refs]
    for path in site_files(site, (".css",)):
        rel = path.relative_to(site).as_posix()
        css = path.read_text(encoding="utf-8", errors="replace")
        refs += [AssetRef(rel, "url() in CSS", url.strip()) for url in css_urls(css)]
    return refs


def is_remote(url: str) -> bool:
    """True for a URL that names another machine: ``http(s)://host`` or ``//host``."""
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https", "ws", "wss", "ftp"):
        return not is_loopback(url)
    return url.strip().startswith("//")


def find_remote_assets(site: Path) -> list[str]:
    """Every script, stylesheet, font (or other fetched asset) that a built page or a
    stylesheet loads from another machine (a CDN): the book must work offline."""
    return [
        f"{ref.file}: {ref.where} loads {ref.url}"
        for ref in dict.fromkeys(site_asset_refs(site))
        if is_remote(ref.url)
    ]


def find_missing_assets(site: Path) -> list[str]:
    """Every local asset a built page or stylesheet names that does not exist in the site."""
    site = Path(os.path.abspath(site))
    problems = []
    for ref in dict.fromkeys(site_asset_refs(site)):
        parts = urlsplit(ref.url)
        if parts.scheme or ref.url.startswith(("//", "#")) or not parts.path:
            continue  # remote (reported by find_remote_assets), data:, fragments only
        path = unquote(parts.path)
        if path.startswith("/"):
            target = _inside(site, path.lstrip("/"))
        else:
            target = _inside(site, posixpath.join(posixpath.dirname(ref.file), path))
        if target is None or not target.is_file():
            problems.append(f"{ref.file}: {ref.where} names {ref.url}, which does not exist")
    return problems
