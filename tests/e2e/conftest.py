"""Runs the real app once per test session (prod build, own data dir) and opens Chromium."""

import contextlib
import email
import email.policy
import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests import stack
from tests.app_process import RunningApp, free_port, running_app

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}


class MailBox:
    """What the test SMTP server received."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 30) -> email.message.EmailMessage:
        """The first message to ``to``, waiting for the app's outbox sender."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if message["To"] == to:
                    return message
            time.sleep(0.25)
        raise AssertionError(f"no email to {to} within {timeout}s")


@pytest.fixture(scope="session")
def mailbox():
    """An SMTP server on loopback that the app delivers to."""
    from aiosmtpd.controller import Controller

    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


@pytest.fixture(scope="session")
def app(mailbox) -> RunningApp:
    """Start the production server on a free loopback port against the tests' services.

    On the scaled stack (:mod:`tests.stack`) it runs two workers sharing Redis.
    """
    from portal.services import db

    db.upgrade()
    env = {"SMTP_URL": mailbox[1]}
    if stack.SCALED:
        env["GRANIAN_WORKERS"] = str(stack.WORKERS)
    with running_app(env, ARTIFACTS / ("app-scaled.log" if stack.SCALED else "app.log")) as running:
        yield running


@pytest.fixture(scope="session")
def app_url(app) -> str:
    """Address of the running app."""
    return app.url


@pytest.fixture(scope="session")
def browser() -> Browser:
    """Debian's Chromium, headless."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"])
        yield chromium
        chromium.close()


@contextlib.contextmanager
def page_factory(browser: Browser, base_url: str):
    """Yield a factory for pages in fresh browser contexts on ``base_url``; close them after."""
    contexts = []

    def make(viewport: dict = DESKTOP, locale: str = "de-DE", touch: bool = False, **options):
        # touch: a phone with a touch screen, so the CSS for coarse pointers applies.
        context = browser.new_context(viewport=viewport, locale=locale, base_url=base_url, has_touch=touch,
                                      is_mobile=touch, **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def new_page(browser, app_url):
    """Factory for pages in fresh browser contexts (one per person)."""
    with page_factory(browser, app_url) as make:
        yield make


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Save a screenshot (of the whole page, or of the viewport only) under tests/e2e/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
