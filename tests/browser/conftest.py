"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every test here is marked ``browser``. Without /usr/bin/chromium they are skipped, saying so;
.ci/run installs it. Screenshots go to test-output/screenshots/ (gitignored).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.helpers import DESKTOP

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain HTTP, like tests/conftest.py's _test_transport.

    It must hold before the (session-wide) live server builds its middleware, which reads
    SECURE_SSL_REDIRECT once: the function-scoped fixture comes too late for it.
    """
    from django.test.utils import override_settings

    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        LANGUAGE_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(scope="session")
def screenshot_dir():
    path = Path(settings.BASE_DIR) / "test-output" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed; .ci/run installs it")
    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make
    # between browser steps are plain synchronous code, so Django's guard would misfire.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


class PageErrors:
    """Console errors, uncaught exceptions and failed requests of a page (CSP violations
    are console errors)."""

    def __init__(self, page):
        self.messages = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))
        page.on(
            "requestfailed",
            lambda request: self.messages.append(f"requestfailed: {request.url}"),
        )

    def _console(self, message):
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # The browser asks for /favicon.ico by itself when a page links no icon; that is not
        # an error of the page.
        if where.endswith("/favicon.ico"):
            return
        self.messages.append(f"console: {message.text} ({where})")


@pytest.fixture
def new_page(chromium):
    """new_page(viewport=DESKTOP) → (page, errors); every context is closed afterwards."""
    contexts = []

    def make(viewport=DESKTOP):
        context = chromium.new_context(viewport=viewport, locale="es-CL")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page, PageErrors(page)

    yield make
    for context in contexts:
        context.close()
