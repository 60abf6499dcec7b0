"""The built book loads nothing from other machines (issue 2), checked on the files.

No built HTML page references an ``http(s)://`` (or ``//host``) script, stylesheet, font,
icon or other fetched asset; no stylesheet under ``_static`` fetches one through ``url(...)``
(``@font-face`` included) or ``@import``; and every local asset a page or stylesheet names
exists in the site. The browser suite (``tests/test_browser.py``) then proves it at run time.
The checks must report exactly what ``tests/fixtures/broken_site/`` plants.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import browser_checks as bc
import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "broken_site"


@pytest.mark.browser
def test_every_page_in_the_toc_was_built(site):
    pages = bc.toc_pages(bc.source_root(site) / "_toc.yml")
    missing = [page for page in pages if not (site / page).is_file()]
    assert not missing, f"not in {site} (stale build? run `make book`): {missing}"
    built = {p.relative_to(site).as_posix() for p in bc.site_pages(site)}
    assert set(pages) <= built


@pytest.mark.browser
def test_built_pages_load_nothing_from_other_machines(site):
    refs = bc.site_asset_refs(site)
    assert any(r.file.endswith(".css") for r in refs), "no stylesheet scanned"
    assert any("<script src>" == r.where for r in refs), "no script scanned"
    problems = bc.find_remote_assets(site)
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_built_pages_name_only_assets_that_exist(site):
    problems = bc.find_missing_assets(site)
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_vendored_javascript_is_served_by_the_site(site):
    """MathJax and the widget html-manager come from the site itself (see _config.yml)."""
    for rel in ("mathjax/tex-chtml.js", "widgets/embed-amd.js", "widgets/require.js"):
        assert (site / "_static" / rel).is_file(), f"_static/{rel} missing: run `make book`"


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    """The fixture site with the book's vendored JavaScript linked in (as the build does)."""
    site = tmp_path_factory.mktemp("broken-static") / "html"
    shutil.copytree(FIXTURE, site)
    static = site / "_static"
    for name in ("mathjax", "widgets"):
        vendored = bc.REPO_ROOT / "_vendor" / name
        if not vendored.is_dir():
            pytest.fail(f"{vendored} missing: run `make vendor`")
        (static / name).symlink_to(vendored, target_is_directory=True)
    shutil.copy(bc.REPO_ROOT / "_assets" / "widgets_assets_path.js", static)
    shutil.copy(bc.REPO_ROOT / "_assets" / "phone.css", static)  # phone_fixed.html links it
    return site


@pytest.mark.browser
def test_remote_assets_in_the_broken_site_are_reported_exactly(broken_site):
    assert bc.find_remote_assets(broken_site) == [
        "cdn.html: <link rel=stylesheet href> loads https://fonts.googleapis.com/css2?family=Roboto",
        "cdn.html: <script src> loads https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js",
        "_static/remote-font.css: url() in CSS loads "
        "https://fonts.gstatic.com/s/fixtureremotesans/v1/remote-sans.woff2",
    ]


@pytest.mark.browser
def test_missing_assets_in_the_broken_site_are_reported_exactly(broken_site):
    assert bc.find_missing_assets(broken_site) == [
        "images.html: <img src> names _static/missing.png, which does not exist",
    ]


# Unit tests of the parsing underneath (no build, no browser: they run with `-m "not browser"`).


def test_css_urls_finds_font_faces_imports_and_backgrounds():
    css = """
    /* url(https://in.a.comment/x.woff2) is not a reference */
    @import "https://cdn.example.org/base.css";
    @import url(local.css) screen;
    @font-face { font-family: X; src: url("https://fonts.example.org/x.woff2") format("woff2"),
                 url(x.woff) format("woff"); }
    @media print { h1 { background: url( 'print.png' ) } }
    .a { background-image: image-set(url(a.png) 1x, "a2.png" 2x); }
    """
    assert bc.css_urls(css) == [
        "https://cdn.example.org/base.css",
        "local.css",
        "https://fonts.example.org/x.woff2",
        "x.woff",
        "print.png",
        "a.png",
        "a2.png",
    ]


def test_static_scan_reads_every_fetching_element(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "ok.js").write_text("")
    (tmp_path / "page.html").write_text(
        """<html><head>
        <link rel="stylesheet" href="//cdn.example.org/a.css">
        <link rel="preload" as="font" href="https://fonts.example.org/f.woff2">
        <link rel="icon" href="favicon.ico">
        <link rel="canonical" href="https://example.org/page.html">
        <script src="_static/ok.js?v=1"></script>
        <script src="http://127.0.0.1:8000/dev.js"></script>
        <style>body { background: url(http://img.example.org/bg.png) }</style>
        </head><body>
        <img srcset="small.png 1x, https://img.example.org/big.png 2x" alt="x">
        <div style="background: url('_static/ok.js')"></div>
        <a href="https://example.org/">a link is not a fetched asset</a>
        <script type="application/vnd.jupyter.widget-state+json">{"state": {}}</script>
        </body></html>"""
    )
    assert bc.find_remote_assets(tmp_path) == [
        "page.html: <link rel=stylesheet href> loads //cdn.example.org/a.css",
        "page.html: <link rel=preload href> loads https://fonts.example.org/f.woff2",
        "page.html: url() in <style> loads http://img.example.org/bg.png",
        "page.html: <img srcset> loads https://img.example.org/big.png",
    ]
    assert bc.find_missing_assets(tmp_path) == [
        "page.html: <link rel=icon href> names favicon.ico, which does not exist",
        "page.html: <img srcset> names small.png, which does not exist",
    ]


def test_toc_parsing_handles_parts_sections_globs_and_urls(tmp_path):
    (tmp_path / "extra").mkdir()
    for name in ("extra/b.md", "extra/a.ipynb", "extra/notes.txt"):
        (tmp_path / name).write_text("")
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        """format: jb-book
root: intro.md
parts:
  - caption: One
    chapters:
      - file: ch1.ipynb
        sections:
          - file: ch1/part
          - url: https://pytorch.org
            title: PyTorch
  - caption: Two
    chapters:
      - file: ch2
      - glob: extra/*
      - file: ch1.ipynb
"""
    )
    assert bc.toc_pages(toc) == [
        "intro.html",
        "ch1.html",
        "ch1/part.html",
        "ch2.html",
        "extra/a.html",
        "extra/b.html",
    ]
    (tmp_path / "bad.yml").write_text("chapters: []\n")
    with pytest.raises(ValueError, match="root"):
        bc.toc_docnames(tmp_path / "bad.yml")


def test_loopback_and_remote_urls():
    for url in ("http://127.0.0.1:8000/a.js", "http://localhost/x", "http://[::1]:1/", "data:,x"):
        assert bc.is_loopback(url) and not bc.is_remote(url)
    for url in ("https://cdn.jsdelivr.net/x.js", "http://10.0.0.1/x", "//fonts.example.org/f"):
        assert not bc.is_loopback(url.replace("//", "http://", 1) if url[:2] == "//" else url)
        assert bc.is_remote(url)
    assert not bc.is_remote("_static/x.js") and not bc.is_remote("/abs/x.js")
