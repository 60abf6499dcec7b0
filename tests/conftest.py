"""Test-wide set-up: no display, one torch thread (2 shared cores; reproducible sums)."""

import os

import matplotlib
import pytest

# Agg in this process only: not through MPLBACKEND, which the kernels that nbval starts from
# here would inherit (their figures must come from the inline backend, as in a reader's).
matplotlib.use("Agg")

import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's, which reads the groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test`` runs two workers with ``--dist loadgroup``), the tests
    that share a costly fixture run on the same worker, so that it is built once: every test
    of one JupyterLab server (``tests/test_lab.py``: the student edition, the book), every
    test of one page of the book (``book_runs`` loads each page lazily, once per worker), and
    every test of the broken fixture site (``broken_runs``).

    The two JupyterLab groups are the longest (each runs every chapter): they come first in
    the collection, and ``make browser`` keeps that order (``--no-loadscope-reorder``), so
    that each worker starts with one of them and the short page groups fill in after.

    Then the tests marked ``slow(seconds)``, longest first (the record re-checks that re-train
    for a minute), then the chapters' cells (nbval), each chapter one group, then the rest:
    pytest-xdist hands the first tests out in turn, so the two workers start with the long
    ones and the short tests fill in after, instead of one long test running alone at the end
    while the other worker idles (measured: 50 s of a half-idle machine). ``make test`` runs
    nbval and the tests in one session per instruction set for that reason: each session's
    short tests fill in behind its notebooks.
    """

    def params(item) -> dict:
        callspec = getattr(item, "callspec", None)
        return callspec.params if callspec is not None else {}

    def seconds(item) -> float:
        slow = item.get_closest_marker("slow")
        return float(slow.args[0]) if slow is not None and slow.args else 0.0

    def notebook(item) -> bool:  # a cell that nbval re-runs
        return item.path.suffix == ".ipynb"

    # stable: otherwise as collected (a notebook's cells stay in order)
    items.sort(key=lambda item: ("lab" not in params(item), -seconds(item), not notebook(item)))
    for item in items:
        item_params = params(item)
        fixtures = getattr(item, "fixturenames", ())
        if notebook(item):  # its cells share one kernel, in order
            item.add_marker(pytest.mark.notebook)
            item.add_marker(pytest.mark.xdist_group(f"notebook-{item.path.name}"))
        elif "lab" in item_params:
            item.add_marker(pytest.mark.xdist_group(f"lab-{item_params['lab']}"))
        elif "book_runs" in fixtures and "path" in item_params:
            item.add_marker(pytest.mark.xdist_group(f"page-{item_params['path']}"))
        elif "broken_runs" in fixtures:
            item.add_marker(pytest.mark.xdist_group("broken-site"))


_LOST_GROUP = pytest.StashKey[str]()


def pytest_collection_finish(session):
    """Guard: pytest-xdist tells the controller a test's group by appending ``@group`` to its
    node id on each worker, which pytest 9.2 no longer allows (pytest-xdist issue #1386;
    requirements.txt pins pytest 9.1.1 for it). Then nothing fails, but every page is loaded
    on both workers and both JupyterLab servers start on both: the browser suite silently
    costs far more. So each test whose group was lost fails, and says why."""
    if not getattr(session.config.option, "loadgroup", False):  # set on xdist workers only
        return
    for item in session.items:
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid.rpartition("]")[2]:
            item.stash[_LOST_GROUP] = (
                "--dist loadgroup: pytest-xdist could not give this test its xdist_group "
                "(pytest-xdist issue #1386, with pytest 9.2): pin the pytest of requirements.txt")


def pytest_runtest_setup(item):
    if _LOST_GROUP in item.stash:
        pytest.fail(item.stash[_LOST_GROUP], pytrace=False)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (headless, offline flags), one for the whole session.

    One Playwright instance serves every browser test module: a second sync Playwright in the
    same process fails ("using Playwright Sync API inside the asyncio loop").
    """
    import browser_checks as bc

    if os.environ.get(bc.SKIP_ENV) == "1":
        why = bc.chromium_missing() or "Chromium is installed, but the user opted out"
        pytest.skip(f"{bc.SKIP_ENV}=1: browser checks skipped ({why})")
    problem = bc.chromium_missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = bc.launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site():
    """The built book (``_build/html`` or ``$LSTM_BOOK_HTML``); built here, as ``make book``
    does, only if it is missing."""
    import browser_checks as bc

    site = bc.site_root()
    if not (site / "index.html").is_file():
        if os.environ.get(bc.HTML_ENV):
            pytest.fail(f"{bc.HTML_ENV}={site} has no index.html: build the book there first")
        try:
            bc.build_book(bc.source_root(site))
        except RuntimeError as error:
            pytest.fail(f"the book does not build:\n{error}", pytrace=False)
    return site
