"""The installable app's server side and the service worker's rules, without a browser."""

import json
import re
from pathlib import Path

from PIL import Image
from reflex_base.constants import Endpoint
from starlette.testclient import TestClient

from portal import routes
from portal.api import build_api, pwa
from portal.i18n import CATALOGS, translate

ASSETS = Path(__file__).resolve().parents[2] / "assets"
SW_SOURCE = (ASSETS / "sw.js").read_text()


def _js_string_list(name: str) -> list[str]:
    """The string literals of ``const <name> = [...]`` in sw.js."""
    body = re.search(rf"const {name} = \[(.*?)\];", SW_SOURCE, re.DOTALL)
    assert body, f"{name} not found in sw.js"
    code = re.sub(r"//[^\n]*", "", body.group(1))
    return re.findall(r'"([^"]*)"', code)


def _never_intercepted(path: str) -> bool:
    # The same rule as denied() in sw.js: the entry itself or anything below it.
    return any(path == prefix or path.startswith(prefix + "/") for prefix in _js_string_list("NEVER_INTERCEPT"))


def test_the_deny_list_covers_every_api_route_and_reflex_endpoint():
    for route in routes.API:
        static_part = route.split("{", 1)[0].rstrip("/")
        assert _never_intercepted(static_part), f"sw.js would intercept {route}"
        assert _never_intercepted(static_part + "/some-key"), route
    for endpoint in Endpoint:
        assert _never_intercepted(str(endpoint)), f"sw.js would intercept Reflex's {endpoint}"
        assert _never_intercepted(f"{endpoint}/sub/path"), endpoint


def test_the_deny_list_leaves_pages_and_the_shell_alone():
    for page in routes.PAGES:
        assert not _never_intercepted(page.split("[", 1)[0].rstrip("/") or "/"), page
    for path in _js_string_list("SHELL"):
        assert not _never_intercepted(path), path
    assert not _never_intercepted("/tasks")  # "/t" covers its own segment only


def test_every_precached_path_exists():
    for path in _js_string_list("SHELL"):
        assert path in routes.SHELL or (ASSETS / path.lstrip("/")).is_file(), f"sw.js precaches missing {path}"


def test_manifest_icons_and_screenshots_have_their_declared_sizes():
    manifest = json.loads((ASSETS / routes.MANIFEST.lstrip("/")).read_text())
    assert manifest["start_url"] == routes.PORTAL
    for image in manifest["icons"] + manifest["screenshots"]:
        with Image.open(ASSETS / image["src"].lstrip("/")) as png:
            assert png.format == "PNG"
            assert "{}x{}".format(*png.size) == image["sizes"], image["src"]
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    assert {shot["form_factor"] for shot in manifest["screenshots"]} == {"narrow", "wide"}


def test_maskable_icon_fills_its_square():
    # Launchers cut maskable icons to circles or squircles: no transparent corner may show.
    with Image.open(ASSETS / "icon-maskable-512.png") as png:
        assert png.mode == "RGB"
    with Image.open(ASSETS / "apple-touch-icon.png") as png:
        assert png.size == (180, 180) and png.mode == "RGB"


def test_build_digest_follows_every_file_of_the_build(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app-abc.js").write_text("one")
    (tmp_path / "index.html").write_text("<html>")
    first = pwa.build_digest(tmp_path, b"worker")
    (tmp_path / "index.html.gz").write_bytes(b"compressed copy")
    assert pwa.build_digest(tmp_path, b"worker") == first
    (tmp_path / "assets" / "app-abc.js").write_text("two")
    assert pwa.build_digest(tmp_path, b"worker") != first
    (tmp_path / "assets" / "app-abc.js").write_text("one")
    assert pwa.build_digest(tmp_path, b"worker") == first
    assert pwa.build_digest(tmp_path, b"new worker") != first
    assert pwa.build_digest(tmp_path / "missing", b"worker") != first


def test_service_worker_is_served_with_its_version_and_no_caching():
    response = TestClient(build_api()).get(routes.SERVICE_WORKER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    version = re.search(r'^const VERSION = "([0-9a-f]{16})";$', response.text, re.MULTILINE)
    assert version, "the VERSION line was not replaced"
    assert response.text.replace(version.group(1), "dev") == SW_SOURCE


def test_offline_page_carries_every_language():
    response = TestClient(build_api()).get(routes.OFFLINE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1 id=\"title\">Sie sind offline.</h1>" in response.text
    for locale in CATALOGS:
        for key in ("pwa.offline.title", "pwa.offline.text", "pwa.offline.retry"):
            assert json.dumps(translate(locale, key), ensure_ascii=False) in response.text
