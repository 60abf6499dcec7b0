"""Where the built site is, which pages the book has, building it, and serving it on
127.0.0.1."""

from __future__ import annotations

import contextlib
import functools
import http.server
import ipaddress
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]  # tests/browser_checks/site.py -> the repo
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
