"""Security headers on every response and cross-site writes refused."""

import pytest
from starlette.testclient import TestClient

from portal import routes
from portal.api import build_api
from portal.domain.enums import SubjectKind
from portal.api.hardening import CONTENT_SECURITY_POLICY, content_security_policy, is_cross_site
from portal.services import auth
from tests import factories

BASE = "http://127.0.0.1"


@pytest.fixture
def http(fresh_db):
    return TestClient(build_api(), base_url=BASE, follow_redirects=False)


@pytest.mark.parametrize("path", [routes.OFFLINE, "/no-such-page"])
def test_every_response_carries_the_hardening_headers(http, path):
    response = http.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "object-src 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # BASE_URL is http in tests


def test_hsts_only_over_https(fresh_db, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://portal.example")
    from portal.settings import get_settings

    get_settings.cache_clear()
    try:
        response = TestClient(build_api(), base_url="https://portal.example").get(routes.OFFLINE)
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
        login = TestClient(build_api(), base_url="https://portal.example", follow_redirects=False).post(
            routes.API_LOGIN, data={"email": factories.staff().email, "password": factories.PASSWORD})
        assert "Secure" in login.headers["set-cookie"]
    finally:
        get_settings.cache_clear()


def test_a_route_keeps_its_own_stricter_header(http):
    # Upload-link pages send no referrer at all, so the token never leaks to another site.
    response = http.get("/u/not-a-real-token")
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers.get_list("referrer-policy") == [response.headers["referrer-policy"]]


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"},
    {"referer": "https://evil.example/form.html"},
    {"sec-fetch-site": "cross-site"},
    {"origin": "null"},
])
def test_cross_site_form_posts_are_refused_before_any_route(http, headers):
    anna = factories.staff()
    response = http.post(routes.API_LOGIN, data={"email": anna.email, "password": factories.PASSWORD}, headers=headers)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert auth.live_session_count(kind=SubjectKind.STAFF, subject_id=anna.id) == 0  # the route never ran
    # The other forms are refused the same way: logout, reset, activation, password change.
    for path in (routes.API_LOGOUT, routes.API_FORGOT, routes.API_RESET, routes.API_ACTIVATE, routes.API_PASSWORD):
        assert http.post(path, data={}, headers=headers).status_code == 403


def test_same_origin_and_program_posts_pass(http):
    anna = factories.staff()
    for headers in ({"origin": BASE, "sec-fetch-site": "same-origin"}, {"referer": f"{BASE}/login"}, {}):
        response = http.post(routes.API_LOGIN, data={"email": anna.email, "password": factories.PASSWORD},
                             headers=headers)
        assert response.status_code == 303 and auth.SESSION_COOKIE in response.cookies


def test_cross_site_rules():
    assert not is_cross_site({"origin": "http://portal.example"}, "portal.example", "http://localhost:3000")
    # Behind a proxy the Host may be internal; the public address counts.
    assert not is_cross_site({"origin": "https://kanzlei.example"}, "10.0.0.5:8000", "https://kanzlei.example")
    assert is_cross_site({"origin": "https://kanzlei.example.evil.test"}, "kanzlei.example", "https://kanzlei.example")
    assert not is_cross_site({"sec-fetch-site": "same-site", "origin": "http://localhost:3000"}, "localhost:8000",
                             "http://localhost:3000")
    assert not is_cross_site({}, "portal.example", "https://portal.example")


def test_the_policy_lets_the_frontend_reach_its_backend_and_nothing_else():
    assert content_security_policy("") == CONTENT_SECURITY_POLICY
    # A localhost build: the browser keeps the port and takes the page's host (a proxy, a LAN name).
    local = content_security_policy("http://localhost:8000")
    assert "connect-src 'self' http://*:8000 ws://*:8000 https://*:8000 wss://*:8000;" in local
    remote = content_security_policy("https://api.kanzlei.example")
    assert "connect-src 'self' https://api.kanzlei.example wss://api.kanzlei.example;" in remote
    assert "frame-ancestors 'none'" in remote and "script-src 'self'" in remote
