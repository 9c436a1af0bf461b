"""The installable app: manifest, service worker, offline page and install hints.

The offline journey needs a server that goes away. The app is shared by the whole
session, so a loopback proxy stands in front of it: the browser only ever talks to
the proxy, and stopping the proxy is the server going offline.
"""

import io
import re
import socket
import threading
from urllib.parse import urlparse

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from portal import routes
from portal.i18n import translate
from portal.services import profile
from tests import factories
from tests.app_process import free_port
from tests.e2e.conftest import DESKTOP, PHONE, page_factory, screenshot
from tests.e2e.test_login import log_in

IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
# Paths sw.js must leave alone (their requests reach the server, their answers are never stored).
NEVER_FROM_WORKER = ("/_event", "/_upload", "/ping", "/auth", "/files", "/exports", "/t/", "/push")


class LoopbackProxy:
    """A TCP relay on 127.0.0.1 that can be stopped and started again on the same port.

    With ``gateway_down`` set it answers every new connection with 502, as a reverse
    proxy does in front of a stopped app.
    """

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.gateway_down = False
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Listen again; new connections are relayed to the app."""
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._spawn(self._accept, self._listener)

    def stop(self) -> None:
        """Close the listener and cut every open connection, as a dead server would."""
        listener, self._listener = self._listener, None
        if listener:
            listener.close()
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._open.clear()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            if self.gateway_down:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._open.update((client, upstream))
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


@pytest.fixture
def proxy(app_url):
    relay = LoopbackProxy(urlparse(app_url).port)
    relay.start()
    yield relay
    relay.stop()


@pytest.fixture
def proxied_page(browser, proxy):
    """Factory for pages whose whole origin is the proxy."""
    with page_factory(browser, proxy.url) as make:
        yield make


def _client(name: str, *, locale: str | None = None):
    factories.ensure_firm()
    account = factories.client(name=name, missing_receipts=1)
    person = factories.contact(account=account, first="Paula", last=name.split()[-1])
    if locale:
        profile.set_locale(actor=factories.actor(person), locale=locale)
    return person


def _log_in_client(page: Page, person) -> None:
    page.goto(routes.LOGIN)
    log_in(page, person.email)
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(page.get_by_role("heading", name=f"Paula {person.last_name}", level=1)).to_be_visible()


def _wait_for_control(page: Page) -> None:
    """Wait until the service worker is active, then reload so it serves this page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def _cached_urls(page: Page) -> list[str]:
    return page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
        }
        return urls;
    }""")


def _png_size(page: Page, path: str) -> tuple[int, int]:
    response = page.request.get(path)
    assert response.ok, path
    assert response.headers["content-type"] == "image/png", path
    with Image.open(io.BytesIO(response.body())) as image:
        assert image.format == "PNG", path
        return image.size


def test_manifest_is_linked_and_installable(new_page):
    page = new_page(PHONE)
    for path in (routes.LOGIN, routes.SIGNUP):
        page.goto(path)
        expect(page.locator("head link[rel=manifest]")).to_have_attribute("href", routes.MANIFEST)
    expect(page.locator("head meta[name=apple-mobile-web-app-capable]")).to_have_attribute("content", "yes")
    expect(page.locator("head meta[name=mobile-web-app-capable]")).to_have_attribute("content", "yes")
    expect(page.locator("head meta[name=apple-mobile-web-app-title]")).to_have_attribute("content", "Kanzleiportal")
    touch_icon = page.locator("head link[rel=apple-touch-icon]").get_attribute("href")
    assert _png_size(page, touch_icon) == (180, 180)

    response = page.request.get(routes.MANIFEST)
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Kanzleiportal" and manifest["short_name"]
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (routes.PORTAL, "/", "standalone")
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert _png_size(page, icons["192x192", "any"]) == (192, 192)
    assert _png_size(page, icons["512x512", "any"]) == (512, 512)
    assert _png_size(page, icons["512x512", "maskable"]) == (512, 512)
    shots = {shot["form_factor"]: shot for shot in manifest["screenshots"]}
    for form_factor in ("narrow", "wide"):
        width, height = _png_size(page, shots[form_factor]["src"])
        assert shots[form_factor]["sizes"] == f"{width}x{height}"
        assert (width < height) == (form_factor == "narrow")

    # Chromium's own verdict once the worker is active: the only objection left is that
    # test browsers run incognito, where nothing can be installed.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    assert cdp.send("Page.getAppManifest")["errors"] == []
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [error["errorId"] for error in errors] == ["in-incognito"]


def test_worker_controls_the_portal_and_the_offline_page_shows_without_server(proxied_page, proxy):
    person = _client("Offline Tischlerei Brandt", locale="en")
    page = proxied_page(PHONE)
    answered: list = []
    page.on("response", lambda response: answered.append(response))
    sockets: list[str] = []
    page.on("websocket", lambda socket_: sockets.append(socket_.url))
    _log_in_client(page, person)
    _wait_for_control(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{proxy.url}{routes.SERVICE_WORKER}"
    # The live connection is a websocket on /_event, which no worker can answer.
    expect(page.get_by_role("heading", name=f"Paula {person.last_name}", level=1)).to_be_visible()
    assert any(urlparse(url).path.startswith("/_event") for url in sockets)

    # Opening a download or an email link is a navigation the worker would otherwise answer.
    for path in (routes.file("no-such-file"), routes.talk_link("no-such-token")):
        assert not page.goto(path).from_service_worker, path
    page.goto(routes.PORTAL)
    expect(page.get_by_role("heading", name=f"Paula {person.last_name}", level=1)).to_be_visible()
    # API, download, upload and event requests reach the server even from a controlled page.
    statuses = page.evaluate("""async (paths) => {
        const out = {};
        for (const path of paths) out[path] = (await fetch(path, {credentials: "same-origin"})).status;
        return out;
    }""", [routes.API_PUSH_KEY, routes.file("no-such-file"), routes.export("no-such-export"),
           "/_upload/no-such-file", "/_event/?EIO=4&transport=polling", routes.PING])
    assert statuses[routes.API_PUSH_KEY] == 200 and statuses[routes.PING] == 200
    denied = [r for r in answered if urlparse(r.url).path.startswith(NEVER_FROM_WORKER)]
    assert {urlparse(r.url).path for r in denied} >= {routes.API_PUSH_KEY, routes.PING, "/_upload/no-such-file"}
    assert [r.url for r in denied if r.from_service_worker] == []
    # ...while the build's hashed files did come from the worker's cache after the reload.
    assert any(r.from_service_worker for r in answered if "/assets/" in r.url)
    cached = _cached_urls(page)
    assert f"{proxy.url}{routes.OFFLINE}" in cached
    assert [url for url in cached if urlparse(url).path.startswith(NEVER_FROM_WORKER)] == []

    proxy.stop()
    page.reload()
    # The contact reads English although the browser asks for German: the portal's choice wins.
    expect(page.get_by_role("heading", name=translate("en", "pwa.offline.title"))).to_be_visible()
    expect(page.get_by_text(translate("en", "pwa.offline.text"))).to_be_visible()
    screenshot(page, "pwa-offline-phone")

    proxy.start()
    page.get_by_role("button", name=translate("en", "pwa.offline.retry")).click()
    expect(page.get_by_role("heading", name=f"Paula {person.last_name}", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/portal/?$"))

    # Behind a reverse proxy the stopped portal is a 502, which means offline just as well.
    proxy.gateway_down = True
    proxy.stop()
    proxy.start()
    page.reload()
    expect(page.get_by_role("heading", name=translate("en", "pwa.offline.title"))).to_be_visible()
    proxy.gateway_down = False
    # No click: the offline page notices by itself that the server answers again.
    expect(page.get_by_role("heading", name=f"Paula {person.last_name}", level=1)).to_be_visible(timeout=20_000)


def test_offline_page_speaks_the_browser_language_before_any_login(new_page):
    page = new_page(DESKTOP)
    page.goto(routes.OFFLINE)
    expect(page.get_by_role("heading", name="Sie sind offline.")).to_be_visible()
    expect(page.get_by_text("Ihre Nachrichten werden geladen, sobald Sie wieder online sind.")).to_be_visible()
    expect(page.get_by_role("button", name="Erneut versuchen")).to_be_visible()
    screenshot(page, "pwa-offline-desktop")
    french = new_page(PHONE, locale="fr-FR")
    french.goto(routes.OFFLINE)
    expect(french.get_by_role("heading", name="Vous êtes hors ligne.")).to_be_visible()


def test_install_button_appears_when_the_browser_offers_installation(new_page):
    person = _client("Installation Malerei Vogt")
    page = new_page(PHONE)
    _log_in_client(page, person)
    install = page.get_by_role("button", name="App installieren")
    expect(install).to_be_hidden()
    # What Chromium does once the portal meets its install criteria (headless never asks).
    page.evaluate("""() => {
        const offer = new Event("beforeinstallprompt", {cancelable: true});
        offer.prompt = async () => { window.installPrompted = true; };
        offer.userChoice = Promise.resolve({outcome: "accepted", platform: "web"});
        window.dispatchEvent(offer);
    }""")
    expect(install).to_be_visible()
    expect(page.get_by_text("Tippen Sie auf Teilen")).to_be_hidden()
    install.scroll_into_view_if_needed()
    screenshot(page, "pwa-install-home-phone")
    install.click()
    page.wait_for_function("window.installPrompted === true")
    expect(install).to_be_hidden()


def test_ios_gets_add_to_home_screen_instructions(proxied_page):
    person = _client("Anleitung Gärtnerei Stein")
    page = proxied_page(PHONE, touch=True, user_agent=IPHONE_SAFARI)
    _log_in_client(page, person)
    hint = page.get_by_text("Tippen Sie auf Teilen und dann auf „Zum Home-Bildschirm“.")
    expect(hint).to_be_visible()
    expect(page.get_by_role("button", name="App installieren")).to_be_hidden()
    page.get_by_role("button", name="Hinweis ausblenden").click()
    expect(hint).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name=f"Paula {person.last_name}", level=1)).to_be_visible()
    expect(hint).to_be_hidden()
    # The profile keeps the hint: closing the home card was about the home page.
    page.goto(routes.PORTAL_PROFILE)
    expect(hint).to_be_visible()
    screenshot(page, "pwa-install-ios-profile")

    # Started from the home screen, iOS Safari says so: no instructions to install what is installed.
    page.add_init_script("Object.defineProperty(navigator, 'standalone', {get: () => true})")
    page.reload()
    expect(page.get_by_role("heading", name="Profil", level=1)).to_be_visible()
    expect(hint).to_be_hidden()


def test_new_version_is_announced_and_taken_on_reload(new_page):
    person = _client("Update Schreinerei Kurz")
    page = new_page(PHONE)
    _log_in_client(page, person)
    _wait_for_control(page)
    notice = page.get_by_text("Neue Version verfügbar")
    expect(notice).to_be_hidden()
    # A deployment in miniature: the registration gets a worker script the browser has not
    # run yet, installs it beside the active one, and the page learns of it as of a real one.
    page.evaluate("navigator.serviceWorker.register('/sw.js?deployment=2', {scope: '/'}).then(() => true)")
    expect(notice).to_be_visible()
    screenshot(page, "pwa-update-phone")
    page.evaluate("window.beforeUpdate = true")
    page.get_by_role("button", name="Neu laden").click()
    page.wait_for_function("window.beforeUpdate === undefined && navigator.serviceWorker.controller !== null")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("?deployment=2")
    expect(page.get_by_role("heading", name=f"Paula {person.last_name}", level=1)).to_be_visible()
