"""Headless Debian chromium driven by Playwright against a live server with the demo world."""
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import threaded_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(settings.BASE_DIR) / "var" / "screenshots"))


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between page steps are synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_world(transactional_db):
    from bpmn import engine
    from workflows.demo import load_demo

    engine.deploy()
    return load_demo()


@pytest.fixture
def asgi_server(transactional_db):
    """Pages, static files and sockets in a thread: the same test database and channel layer."""
    with threaded_server() as url:
        yield url


DESKTOP = {"width": 1360, "height": 900}


def new_page(chromium, base: str, locale: str = "zh-CN", viewport: dict = DESKTOP):
    """A page in a fresh context; `locale` is the browser's language (its Accept-Language)."""
    context = chromium.new_context(viewport=viewport, locale=locale, timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base = base
    # The people in these tests confirm every irreversible act they are asked about (data-confirm),
    # unless a test has them think better of it: page.accept_dialogs = False dismisses instead.
    page.dialogs = []
    page.accept_dialogs = True
    page.on("dialog", lambda dialog: _answer(page, dialog))
    return page


def _answer(page, dialog) -> None:
    page.dialogs.append(dialog.message)
    if page.accept_dialogs:
        dialog.accept()
    else:
        dialog.dismiss()


@pytest.fixture
def page(chromium, asgi_server, demo_world):
    page = new_page(chromium, asgi_server)
    yield page
    page.context.close()


@pytest.fixture
def second_page(chromium, asgi_server, demo_world):
    page = new_page(chromium, asgi_server)
    yield page
    page.context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, **options):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)

    return take
