"""Checks of the rendered book, shared by the browser suite and its broken fixture site.

Every ``check_*`` / ``find_*`` function returns a list of problems (human-readable strings,
empty when all is well), so the same code judges the real book (``tests/test_browser.py``,
``tests/test_site_offline.py``) and the deliberately broken pages under
``tests/fixtures/broken_site/`` (where the tests assert the exact list).

Four modules:

- :mod:`.site`: where the built site is, which pages ``_toc.yml`` lists, building the book,
  serving a folder on 127.0.0.1;
- :mod:`.page`: loading one page in Debian's Chromium (driven by Playwright, never
  ``playwright install``) with every request that would leave the loopback interface
  blocked; what it records is a :class:`PageRun`;
- :mod:`.checks`: the browser checks, one per concern (:data:`BROWSER_CHECKS`), the links,
  and search;
- :mod:`.static`: checks of the built HTML and CSS files (no browser needed): remote
  scripts/stylesheets/fonts, missing local assets.

Everything is importable from the package itself: ``import browser_checks as bc``.
"""

from .checks import (  # noqa: F401
    BROWSER_CHECKS,
    KNOWN_CONSOLE_NOISE,
    KnownNoise,
    _IdParser,
    _ids_in,
    _image_name,
    check_console,
    check_figures,
    check_images,
    check_links,
    check_math,
    check_network,
    check_page,
    check_page_links,
    check_phone_width,
    check_search,
    check_widgets,
    html_ids,
    known_noise,
    search_term,
)
from .page import (  # noqa: F401
    _IMAGES_LOADED_JS,
    _MATHJAX_WAIT_JS,
    _SNAPSHOT_JS,
    _WIDGETS_SETTLED_JS,
    IDLE_TIMEOUT_MS,
    IMAGES_TIMEOUT_MS,
    MATHJAX_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    PHONE_WIDTH,
    WIDGETS_TIMEOUT_MS,
    ConsoleEntry,
    PageRun,
    _js,
    _wait_quietly,
    collect_page,
    collect_phone_layout,
    launch_chromium,
    offline_context,
    screenshot_path,
)
from .site import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    HTML_ENV,
    INSTALL_HINT,
    REPO_ROOT,
    SKIP_ENV,
    SOURCE_SUFFIXES,
    WIDGET_STATE_TYPE,
    WIDGET_VIEW_TYPE,
    _inside,
    _QuietHandler,
    _QuietServer,
    _relative,
    _strip_suffix,
    build_book,
    chromium_missing,
    is_loopback,
    serve_directory,
    site_root,
    source_root,
    toc_docnames,
    toc_pages,
)
from .static import (  # noqa: F401
    FETCHED_LINK_RELS,
    FETCHING_ATTRS,
    NOT_PAGES,
    AssetRef,
    _AssetParser,
    _srcset,
    css_urls,
    find_missing_assets,
    find_remote_assets,
    is_remote,
    site_asset_refs,
    site_files,
    site_pages,
)
