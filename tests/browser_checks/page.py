"""Loading one page in Debian's Chromium (Playwright, offline): what a :class:`PageRun`
records."""

from __future__ import annotations

import base64
import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from .site import CHROMIUM, CHROMIUM_ARGS, WIDGET_STATE_TYPE, WIDGET_VIEW_TYPE, is_loopback


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


def offline_context(browser, blocked: list[str], width: int = 1280, height: int = 900):
    """A fresh browser context (``width`` x ``height`` CSS pixels) that aborts (and appends to
    ``blocked``) every request and WebSocket that would leave the loopback interface."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  service_workers="block")

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
            _full_page_png(context, page, screenshot)
            run.screenshot = screenshot
    finally:
        closed = True
        context.close()
    return run


def _full_page_png(context, page, path: Path) -> None:
    """A screenshot of the whole page as PNG: the pixels of Playwright's
    ``page.screenshot(full_page=True)`` (checked identical), through Chromium's own
    ``Page.captureScreenshot`` with its faster PNG encoder (``optimizeForSpeed``): a third less
    time on the book's long pages."""
    cdp = context.new_cdp_session(page)
    try:
        size = cdp.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = cdp.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                     "scale": 1},
        })
    finally:
        cdp.detach()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def _wait_quietly(page, predicate_js: str, timeout_ms: int) -> None:
    """Wait for a JS predicate; on timeout carry on (the checks then report what is missing)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(predicate_js, timeout=timeout_ms, polling=100)


def screenshot_path(site: Path, page_path: str) -> Path:
    """``_build/screenshots/<page>.png`` next to the site (``_build/html``)."""
    name = page_path.removesuffix(".html").replace("/", "-") or "index"
    return site.parent / "screenshots" / f"{name}.png"


#: A phone's width in CSS pixels (an iPhone 12 to 15 held upright).
PHONE_WIDTH = 390

# Every rendered widget part on a narrow page: its horizontal extent, the clipping ancestors
# it does not fit in, and every HBox whose visible children sit side by side.
_PHONE_LAYOUT_JS = r"""() => {
  const vw = document.documentElement.clientWidth;
  const name = (el) => {
    const cls = Array.from(el.classList).filter((c) => c.startsWith("widget-") ||
      c.startsWith("noUi-") || c === "jupyter-widgets").slice(0, 2).join(".");
    const label = el.closest(".jupyter-widgets")?.querySelector(".widget-label")?.textContent;
    const tag = el.tagName.toLowerCase() + (cls ? "." + cls : "");
    return tag + (label ? ` ('${label.trim()}')` : "");
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const roots = Array.from(document.querySelectorAll(".widget-subarea > .jupyter-widgets"));
  const parts = [];
  const seen = new Set();
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll(".jupyter-widgets, img, .noUi-handle")]) {
      if (seen.has(el) || !visible(el)) continue;
      seen.add(el);
      const r = el.getBoundingClientRect();
      const clippedBy = [];
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowX === "visible") continue;
        const box = a.getBoundingClientRect();
        const left = box.left + a.clientLeft, right = left + a.clientWidth;
        if (r.left < left - 1 || r.right > right + 1) clippedBy.push(name(a));
      }
      parts.push({ name: name(el), left: r.left, right: r.right, clippedBy });
    }
  }
  const sideBySide = [];
  for (const box of document.querySelectorAll(".widget-subarea .widget-hbox")) {
    const kids = Array.from(box.children).filter(visible).map((k) => k.getBoundingClientRect());
    for (let k = 1; k < kids.length; k++) {
      if (kids[k].top < kids[k - 1].bottom - 1 && kids[k].left >= kids[k - 1].right - 1) {
        sideBySide.push(name(box));
        break;
      }
    }
  }
  return { width: vw, views: roots.length, parts, sideBySide };
}"""


def collect_phone_layout(browser, base_url: str, path: str, width: int = PHONE_WIDTH) -> dict:
    """Load ``base_url + path`` offline in a ``width``-pixel-wide window, wait for its widgets,
    and measure where each rendered widget part lies (see :func:`checks.check_phone_width`)."""
    blocked: list[str] = []
    context = offline_context(browser, blocked, width=width, height=844)
    try:
        page = context.new_page()
        page.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        page.goto(urljoin(base_url, path), wait_until="load")
        _wait_quietly(page, _WIDGETS_SETTLED_JS, WIDGETS_TIMEOUT_MS)
        _wait_quietly(page, _IMAGES_LOADED_JS, IMAGES_TIMEOUT_MS)
        return page.evaluate(_PHONE_LAYOUT_JS)
    finally:
        context.close()
