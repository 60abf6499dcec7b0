"""Browser checks: each takes a :class:`PageRun` and returns a list of problems."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from .page import NAVIGATION_TIMEOUT_MS, ConsoleEntry, PageRun, offline_context
from .site import _inside, _relative


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


def check_phone_width(layout: dict) -> list[str]:
    """At phone width (the result of :func:`page.collect_phone_layout`) every rendered widget
    part lies inside the page and inside every box that clips it (no slider knob cut off),
    and no HBox keeps its parts side by side: below 600 px they stack (``_assets/phone.css``)."""
    width = layout["width"]
    problems = []
    for part in layout["parts"]:
        if part["left"] < -1 or part["right"] > width + 1:
            problems.append(f"at {width} px, {part['name']} spans {part['left']:.0f} to "
                            f"{part['right']:.0f}: outside the page")
        for box in part["clippedBy"]:
            problems.append(f"at {width} px, {part['name']} is clipped by {box}")
    for box in layout["sideBySide"]:
        problems.append(f"at {width} px, {box} keeps its parts side by side")
    return sorted(set(problems))
