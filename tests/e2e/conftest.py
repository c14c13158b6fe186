"""Browser fixtures: the test app served over real HTTP, and Debian's Chromium driven by Playwright.

Browsers are never downloaded: Playwright launches /usr/bin/chromium (`make browser` installs it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ASSETS = Path(__file__).resolve().parents[2] / "webapp" / "static" / "dist"
# a failed expectation waits this long before it fails (Playwright's default is 5 s)
EXPECT_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The session's app on a free port of 127.0.0.1; yields its base URL."""
    if not (ASSETS / "app.js").is_file():
        pytest.fail(f"{ASSETS / 'app.js'} is missing: run `make assets` to build the front end.")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session; each persona gets its own context."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` to install Debian's chromium.")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def log_in(chromium, live_server, app) -> Iterator[Callable]:
    """`log_in("cs1")` → a page in a new browser context, logged in through the login page.

    Language choices saved on users during the test are undone afterwards, so later tests
    sharing the session's database see the demo users as loaded.
    """
    from webapp.extensions import db
    from workflows.org.models import User

    with app.app_context():
        locales = dict(db.session.execute(select(User.username, User.locale)).all())
    contexts = []

    def login(username: str, password: str = "demo"):
        context = chromium.new_context(
            base_url=live_server, viewport={"width": 1400, "height": 1000}
        )
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        assert page.url.endswith("/tasks"), (
            f"login as {username} did not reach the inbox: {page.url}"
        )
        return page

    yield login
    for context in contexts:
        context.close()
    with app.app_context():
        for user in db.session.scalars(select(User)):
            if user.username in locales:
                user.locale = locales[user.username]
        db.session.commit()
