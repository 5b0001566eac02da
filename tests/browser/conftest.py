"""Headless Debian chromium driven by Playwright against a live server with the demo world."""
import os
import socket
import threading
from pathlib import Path

import pytest
from django.conf import settings

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
    """The project's ASGI application (pages, static files, sockets) served by uvicorn in a thread.

    A thread, not a process, so that it shares the test database and the in-memory channel layer.
    """
    import uvicorn

    from webapp.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off",
                                           ws="websockets-sansio", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def new_page(chromium, base: str):
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN",
                                   timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base = base
    return page


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
