"""Static checks of the built files (no browser): remote assets, missing local ones."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .site import _inside, is_loopback

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
