"""Test-wide set-up: no display, one torch thread (2 shared cores; reproducible sums)."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402
import pytest  # noqa: E402

matplotlib.use("Agg")

import torch  # noqa: E402

torch.set_num_threads(1)


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
