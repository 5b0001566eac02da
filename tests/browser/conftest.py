"""Headless Debian chromium driven by Playwright against a live server with the demo world."""
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import threaded_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Every page keeps the Content-Security-Policy: chromium logs each refusal to the console, and the
# page reports it as a securitypolicyviolation event, which this script (run before the page's own,
# outside the policy) writes to the console too. Any such message fails the test that caused it.
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', e => console.error(
    'securitypolicyviolation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' +
    e.sourceFile + ':' + e.lineNumber));"""
CSP_REPORTS: list[str] = []
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
    from tryout.demo import load_demo

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
    context.add_init_script(CSP_LISTENER)
    context.on("console", _csp_report)
    page = context.new_page()
    page.base = base
    # The people in these tests confirm every irreversible act they are asked about (data-confirm),
    # unless a test has them think better of it: page.accept_dialogs = False dismisses instead.
    page.dialogs = []
    page.accept_dialogs = True
    page.on("dialog", lambda dialog: _answer(page, dialog))
    return page


def _csp_report(message) -> None:
    text = message.text
    if "Content Security Policy" in text or text.startswith("securitypolicyviolation"):
        CSP_REPORTS.append(f"{message.page.url if message.page else '?'}: {text}")


@pytest.fixture(autouse=True)
def _no_csp_reports():
    """Fail a test whose pages broke the Content-Security-Policy (after its pages are closed)."""
    CSP_REPORTS.clear()
    yield
    assert not CSP_REPORTS, "Content-Security-Policy refusals:\n" + "\n".join(CSP_REPORTS)


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
