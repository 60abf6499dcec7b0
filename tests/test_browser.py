"""The rendered book in a real browser, offline (issue 7).

Serves ``_build/html`` (or ``$LSTM_BOOK_HTML``) on 127.0.0.1 and loads every page that
``_toc.yml`` lists in Debian's Chromium through Playwright, with every request that would
leave the machine blocked and recorded. Per page: no such request and no failed one, no
console error beyond the documented upstream noise, all math typeset by MathJax, every image
loaded and described, every figure captioned, every internal link and anchor resolving,
every widget rendered; the search page finds each page. A full-page screenshot of every page
goes to ``_build/screenshots/``.

The same checks run over ``tests/fixtures/broken_site/`` and must report exactly the problems
planted there. Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``); without it the
suite fails, unless ``LSTM_BOOK_SKIP_BROWSER=1`` opts out explicitly.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import browser_checks as bc
import pytest

pytestmark = pytest.mark.browser

SITE = bc.site_root()
SOURCE = bc.source_root(SITE)
PAGES = bc.toc_pages(SOURCE / "_toc.yml")
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "broken_site"


@pytest.fixture(scope="session")
def base_url(site: Path):
    with bc.serve_directory(site) as url:
        yield url


@pytest.fixture(scope="session")
def book_runs(browser, site: Path, base_url: str):
    """Each page of the book loaded once (lazily), shared by all the per-page checks."""
    runs: dict[str, bc.PageRun | Exception] = {}

    def get(path: str) -> bc.PageRun:
        if path not in runs:
            shot = bc.screenshot_path(site, path)
            try:
                runs[path] = bc.collect_page(browser, base_url, path, screenshot=shot)
            except Exception as error:  # a page that cannot load fails each test once, fast
                runs[path] = error
        run = runs[path]
        if isinstance(run, Exception):
            pytest.fail(f"{path} could not be loaded: {run!r}", pytrace=False)
        return run

    return get


def _report(path: str, problems: list[str]) -> str:
    return f"{path}: {len(problems)} problem(s)\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------------------
# The real book
# ---------------------------------------------------------------------------------------


def test_toc_lists_the_root_first_and_every_chapter():
    assert PAGES, "_toc.yml lists no page"
    assert PAGES[0] == "book/intro.html"
    assert len(PAGES) == len(set(PAGES))
    book = SOURCE / "book"
    for path in PAGES:
        stem = SOURCE / path.removesuffix(".html")
        sources = [stem.with_suffix(s) for s in bc.SOURCE_SUFFIXES]
        assert any(s.is_file() for s in sources), f"{path}: no source under {book}"


# One test per (check, page): no request leaves the machine and none fails (network); no
# console error beyond the documented upstream noise (console); all math typeset (math);
# every image loads and is described (images); every figure captioned (figures); every
# widget rendered (widgets).
@pytest.mark.parametrize("check", list(bc.BROWSER_CHECKS))
@pytest.mark.parametrize("path", PAGES)
def test_page_passes_check(book_runs, path, check):
    problems = bc.BROWSER_CHECKS[check](book_runs(path))
    assert not problems, _report(path, problems)


@pytest.mark.parametrize("path", PAGES)
def test_page_links_and_anchors_resolve(book_runs, site, path):
    run = book_runs(path)
    assert run.dom.get("links"), f"{path}: no links at all (navigation missing?)"
    problems = bc.check_page_links(run, site)
    assert not problems, _report(path, problems)


@pytest.mark.parametrize("path", PAGES)
def test_page_widgets_fit_a_phone(browser, book_runs, base_url, path):
    """At 390 px (a phone held upright) every widget part lies inside the page, no slider
    knob is clipped, and no widget keeps a figure beside a column of text (issue 20)."""
    if not book_runs(path).dom.get("views"):
        pytest.skip(f"{path} has no widget")
    layout = bc.collect_phone_layout(browser, base_url, path)
    assert layout["views"] > 0 and layout["parts"], f"{path}: no widget rendered at phone width"
    problems = bc.check_phone_width(layout)
    assert not problems, _report(path, problems)


@pytest.mark.parametrize("path", PAGES)
def test_page_screenshot_written(book_runs, path):
    shot = book_runs(path).screenshot
    assert shot is not None and shot.is_file(), f"{path}: no screenshot"
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{shot} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    assert width >= 1280 and height >= 900, f"{shot}: {width}x{height}, not a full page"


@pytest.mark.parametrize("path", PAGES)
def test_search_finds_the_page(browser, book_runs, base_url, path):
    """search.html?q=<the longest word of the page title> lists the page."""
    title = book_runs(path).dom.get("title", "")
    assert title, f"{path}: no <h1> title"
    problems = bc.check_search(browser, base_url, bc.search_term(title), path)
    assert not problems, _report(path, problems)


def test_search_check_reports_a_term_nobody_wrote(browser, site, base_url):
    problems = bc.check_search(browser, base_url, "zyxwvutsrqp", PAGES[0])
    assert problems == [f"searching 'zyxwvutsrqp' does not list {PAGES[0]} (results: none)"]


# ---------------------------------------------------------------------------------------
# The broken fixture site: the checks report exactly what was planted
# ---------------------------------------------------------------------------------------


def link_vendored_js(site: Path) -> None:
    """Put the book's vendored MathJax and html-manager under ``site/_static`` (as Sphinx does)."""
    vendor = bc.REPO_ROOT / "_vendor"
    needed = [vendor / "mathjax" / "tex-chtml.js", vendor / "widgets" / "embed-amd.js"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        pytest.fail(f"vendored JavaScript missing ({', '.join(missing)}): run `make vendor`")
    static = site / "_static"
    (static / "mathjax").symlink_to(vendor / "mathjax", target_is_directory=True)
    (static / "widgets").symlink_to(vendor / "widgets", target_is_directory=True)
    shutil.copy(bc.REPO_ROOT / "_assets" / "widgets_assets_path.js", static)
    shutil.copy(bc.REPO_ROOT / "_assets" / "phone.css", static)  # phone_fixed.html links it


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("broken") / "html"
    shutil.copytree(FIXTURE, site)
    link_vendored_js(site)
    return site


@pytest.fixture(scope="module")
def broken_runs(browser, broken_site: Path):
    runs: dict[str, bc.PageRun] = {}
    with bc.serve_directory(broken_site) as url:

        def get(path: str) -> bc.PageRun:
            if path not in runs:
                runs[path] = bc.collect_page(browser, url, path)
            return runs[path]

        yield get


NO_PROBLEMS = {name: [] for name in [*bc.BROWSER_CHECKS, "links"]}

EXPECTED = {
    "index.html": {},
    "cdn.html": {
        "network": [
            "request would leave the machine (blocked): https://fonts.googleapis.com/css2?family=Roboto",
            "request would leave the machine (blocked): "
            "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js",
            "request would leave the machine (blocked): "
            "https://fonts.gstatic.com/s/fixtureremotesans/v1/remote-sans.woff2",
        ],
    },
    "links.html": {
        "links": [
            "broken link 'missing.html': missing.html does not exist",
            "broken anchor 'index.html#no-such-anchor': no id 'no-such-anchor' in index.html",
            "broken anchor '#nowhere': no id 'nowhere' in links.html",
        ],
    },
    "images.html": {
        "network": ["HTTP 404 for _static/missing.png"],
        "images": [
            "image without alt text: _static/pixel.svg",
            "image without alt text: _static/square.svg",
            "image does not load: _static/missing.png",
        ],
        "figures": [
            "figure #fig-no-caption has no figcaption",
            "figure #fig-empty-caption has an empty caption",
        ],
    },
    "math.html": {
        "math": [
            "math not rendered by MathJax: 'x^2 without delimiters'",
            "MathJax error: Extra close brace or missing open brace",
            "MathJax: undefined control sequence \\sigmoid (shown in red)",
        ],
    },
    "widgets.html": {
        # ipywidgets.Image renders an <img> without alt text (it has no such trait); an
        # ipywidgets.HTML showing <img src="data:..." alt="..."> is described: not reported.
        "images": ["image without alt text: (widget image) in a widget"],
        "console": [
            "console error: Class NoSuchView not found in module @jupyter-widgets/controls@^2.0.0"
            " [_static/widgets/embed-amd.js]",
        ],
        "widgets": [
            "widget missing0000000000000000000000000001 did not render "
            "(its model is not in the widget state)",
            "widget broken00000000000000000000000000001 did not render "
            "(the html-manager shows its error widget instead)",
        ],
    },
}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_checks_report_exactly_the_planted_problems(broken_runs, broken_site, path):
    got = bc.check_page(broken_runs(path), broken_site)
    assert got == {**NO_PROBLEMS, **EXPECTED[path]}


def test_clean_fixture_page_exercises_every_check(broken_runs):
    """The clean page is not vacuously clean: it has math, a figure, widgets (whose fonts
    load from the site), links, and (ipywidgets#3829) console errors that only the
    allow-list silences."""
    run = broken_runs("index.html")
    assert run.mathjax == "done"
    assert len(run.dom["math"]) == 2 and all(m["rendered"] for m in run.dom["math"])
    assert [f["id"] for f in run.dom["figures"]] == ["fig-square"]
    assert [v["rendered"] for v in run.dom["views"]] == [True, True, True]
    assert len(run.dom["links"]) == 7
    # The Button's icon makes the html-manager fetch its FontAwesome font: from the site.
    fonts = [url for url in run.requests if url.endswith((".woff2", ".woff", ".ttf"))]
    assert any("/_static/widgets/" in url for url in fonts), fonts
    noise = [bc.known_noise(entry) for entry in run.console]
    assert noise and all(n is not None for n in noise)
    assert bc.check_console(run, allow=()) != []


def test_blocked_requests_never_reach_the_network(broken_runs):
    """Requests to CDNs are aborted by the route before any connection is made."""
    run = broken_runs("cdn.html")
    assert all(not bc.is_loopback(url) for url in run.blocked)
    assert run.failed == [], "blocked requests must not be reported twice"


def test_console_allow_list_is_narrow():
    """Each entry silences its own upstream message only, and cites its upstream reference."""
    thebe, queue, mode = bc.KNOWN_CONSOLE_NOISE
    assert all(n.reference and n.why for n in bc.KNOWN_CONSOLE_NOISE)
    duplicate = "SyntaxError: Identifier 'THEBE_JS_URL' has already been declared"
    assert bc.known_noise(bc.ConsoleEntry("exception", duplicate)) is thebe
    other = "SyntaxError: Identifier 'thebe_selector' has already been declared"
    assert bc.known_noise(bc.ConsoleEntry("exception", other)) is None
    assert bc.known_noise(bc.ConsoleEntry("console", duplicate)) is None
    reading = "TypeError: Cannot read properties of undefined (reading 'Queue')"
    stack = f"{reading}\n    at t (http://127.0.0.1:1/_static/widgets/embed-amd.js?v=1:6:13)"
    assert bc.known_noise(bc.ConsoleEntry("exception", reading, stack)) is queue
    mine = f"{reading}\n    at f (http://127.0.0.1:1/_static/my_script.js:1:1)"
    assert bc.known_noise(bc.ConsoleEntry("exception", reading, mine)) is None
    theme = "http://127.0.0.1:1/_static/scripts/pydata-sphinx-theme.js?digest=1"
    empty = "Got invalid theme mode: . Resetting to auto."
    assert bc.known_noise(bc.ConsoleEntry("console", empty, theme)) is mode
    typo = "Got invalid theme mode: lihgt. Resetting to auto."
    assert bc.known_noise(bc.ConsoleEntry("console", typo, theme)) is None


def test_phone_check_reports_a_widget_made_for_a_desktop(browser, broken_site):
    """phone.html: an HBox with a 250 px figure beside a column holding text and a slider
    380 px wide. At 390 px the check reports the side-by-side box and the overflowing
    slider; with the book's _assets/phone.css (phone_fixed.html) nothing is left, and the
    clean index.html (widgets outside any HBox) is clean at phone width too."""
    with bc.serve_directory(broken_site) as url:
        broken = bc.check_phone_width(bc.collect_phone_layout(browser, url, "phone.html"))
        fixed = bc.check_phone_width(bc.collect_phone_layout(browser, url, "phone_fixed.html"))
        clean = bc.check_phone_width(bc.collect_phone_layout(browser, url, "index.html"))
    assert any("keeps its parts side by side" in p for p in broken), broken
    assert any("forget bias" in p and ("outside the page" in p or "clipped" in p)
               for p in broken), broken
    assert fixed == []
    assert clean == []
