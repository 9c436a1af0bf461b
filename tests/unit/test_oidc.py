"""Staff single sign-on against a small but real OpenID Connect provider on 127.0.0.1.

The provider below serves discovery, JWKS, an authorize endpoint that approves its one
configured user at once, and a token endpoint that checks the client secret, the code
(single use), the redirect URI and the PKCE verifier before it returns an RS256-signed
ID token. The portal's API is driven with Starlette's TestClient; the browser's trip to
the provider is a real HTTP request.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import json
import os
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import select
from starlette.testclient import TestClient

from portal import routes
from portal.api import build_api
from portal.api import oidc as oidc_api
from portal.domain.enums import SubjectKind
from portal.i18n import translate
from portal.models import AuthSession, StaffUser
from portal.pages.public.login import login_page
from portal.services import auth, db, oidc
from portal.settings import SettingsError, get_settings, load_settings
from portal.state.login import LoginState
from tests import factories

CLIENT_ID = "kanzleiportal"
CLIENT_SECRET = "provider-issued-secret-0123456789"
CALLBACK = get_settings().base_url + routes.API_SSO_CALLBACK


# The provider


@dataclasses.dataclass
class Provider:
    """What the test provider does next; tests change it, ``reset`` restores the defaults."""

    issuer: str = ""
    sub: str = "user-1"
    email: str = ""
    email_verified: object = True
    claims: dict = dataclasses.field(default_factory=dict)  # overrides of the ID token's claims
    deny: str = ""  # an OAuth error code the authorize endpoint answers with instead of a code
    signing_key: RSAKey | None = None
    published: list = dataclasses.field(default_factory=list)  # keys in the JWKS
    alg: str = "RS256"
    codes: dict = dataclasses.field(default_factory=dict)
    authorize_requests: list = dataclasses.field(default_factory=list)
    token_requests: int = 0
    jwks_requests: int = 0

    def reset(self, key: RSAKey) -> None:
        self.sub, self.email, self.email_verified, self.claims, self.deny = "user-1", "", True, {}, ""
        self.signing_key, self.published, self.alg = key, [key], "RS256"
        self.codes.clear()
        self.authorize_requests.clear()
        self.token_requests = self.jwks_requests = 0

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": self.sub, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, "email": self.email, "email_verified": self.email_verified, "name": "Anna Schmidt"}
        claims.update(self.claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        if self.alg == "HS256":  # a token "signed" with the client secret
            return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(CLIENT_SECRET))
        return jwt.encode({"alg": self.alg, "kid": self.signing_key.kid}, claims, self.signing_key)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, {
                    "issuer": provider.issuer, "authorization_endpoint": provider.issuer + "/authorize",
                    "token_endpoint": provider.issuer + "/token", "jwks_uri": provider.issuer + "/jwks",
                    "response_types_supported": ["code"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                    "code_challenge_methods_supported": ["S256"],
                })
            if url.path == "/jwks":
                provider.jwks_requests += 1
                return self._json(200, {"keys": [k.as_dict(private=False) for k in provider.published]})
            if url.path == "/authorize":
                provider.authorize_requests.append(query)
                if query.get("client_id") != CLIENT_ID or query.get("redirect_uri") != CALLBACK:
                    return self._json(400, {"error": "invalid_request"})
                back = query["redirect_uri"] + "?"
                if provider.deny:
                    return self._redirect(back + urlencode({"error": provider.deny, "state": query.get("state", ""),
                                                            "error_description": "<b>nope</b>"}))
                if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
                    return self._redirect(back + urlencode({"error": "invalid_request", "state": query["state"]}))
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {"nonce": query.get("nonce", ""), "challenge": query["code_challenge"],
                                        "redirect_uri": query["redirect_uri"]}
                return self._redirect(back + urlencode({"code": code, "state": query["state"]}))
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            provider.token_requests += 1
            if urlsplit(self.path).path != "/token":
                return self._json(404, {"error": "not_found"})
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self._json(401, {"error": "invalid_client"})
            grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if (form.get("grant_type") != "authorization_code" or grant is None
                    or form.get("redirect_uri") != grant["redirect_uri"] or challenge != grant["challenge"]):
                return self._json(400, {"error": "invalid_grant"})
            return self._json(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                    "expires_in": 300, "id_token": provider.id_token(grant["nonce"])})

    return Handler


@pytest.fixture(scope="module")
def keys():
    return {"main": RSAKey.generate_key(2048, parameters={"kid": "main"}),
            "next": RSAKey.generate_key(2048, parameters={"kid": "next"}),
            "foreign": RSAKey.generate_key(2048, parameters={"kid": "main"}),
            "stray": RSAKey.generate_key(2048, parameters={"kid": "stray"})}


@pytest.fixture(scope="module")
def server(keys):
    provider = Provider()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield provider
    httpd.shutdown()
    httpd.server_close()


def _configure(monkeypatch, **env: str) -> None:
    settings = load_settings({**os.environ, **env})
    for module in (oidc, oidc_api):
        monkeypatch.setattr(module, "get_settings", lambda: settings)
    oidc.clear_cache()


@pytest.fixture
def provider(server, keys, fresh_db, monkeypatch):
    """SSO configured against the test provider, with a fresh database."""
    server.reset(keys["main"])
    _configure(monkeypatch, OIDC_ISSUER=server.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET)
    yield server
    oidc.clear_cache()


@pytest.fixture
def http(fresh_db):
    return TestClient(build_api(), base_url="http://127.0.0.1", follow_redirects=False)


@pytest.fixture
def anna(provider):
    user = factories.staff(name="Anna Schmidt")
    provider.email = user.email
    return user


# Helpers


def _start(http: TestClient, next_path: str = "", **headers: str) -> str:
    """Open the SSO start; returns the provider URL the browser is sent to."""
    response = http.get(routes.sso(next_path=next_path), headers=headers)
    assert response.status_code == 303, response.text
    assert oidc_api.FLOW_COOKIE in response.headers["set-cookie"]
    return response.headers["location"]


def _authorize(url: str) -> str:
    """The browser at the provider: returns the portal path (with query) it is sent back to."""
    response = httpx.get(url, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def _sso(http: TestClient, next_path: str = "") -> httpx.Response:
    return http.get(_authorize(_start(http, next_path)))


def _refused(response: httpx.Response, error: str, *, sessions: int = 0) -> None:
    """Back on the login page with ``error``, no session cookie and no new session row."""
    assert response.status_code == 303
    assert response.headers["location"] == routes.login(error=error)
    assert auth.SESSION_COOKIE not in response.headers.get("set-cookie", "")
    with db.session() as s:
        assert len(s.exec(select(AuthSession)).all()) == sessions


def _session_actor(http: TestClient):
    raw = http.cookies.get(auth.SESSION_COOKIE)
    token = auth.unsign_session_token(raw) if raw else None
    return auth.resolve_session(token) if token else None


def _flow_cookie(http: TestClient) -> str:
    return http.cookies.get(oidc_api.FLOW_COOKIE, path=routes.API_SSO_CALLBACK)


# The happy path


def test_sso_login_opens_a_staff_session_and_ends_the_previous_one(provider, anna, http):
    client = factories.client(name="Bäckerei Hofmann GmbH")
    maria = factories.contact(account=client)
    assert http.post(routes.API_LOGIN, data={"email": maria.email, "password": factories.PASSWORD}).status_code == 303
    earlier = _session_actor(http)
    assert earlier.kind == SubjectKind.CONTACT
    earlier_cookie = http.cookies.get(auth.SESSION_COOKIE)
    provider.email = anna.email.upper()  # providers keep the case the user typed

    response = _sso(http)

    assert response.status_code == 303 and response.headers["location"] == routes.STAFF_CLIENTS
    actor = _session_actor(http)
    assert actor.kind == SubjectKind.STAFF and actor.id == anna.id
    # The client's session on this browser ended.
    assert auth.resolve_session(auth.unsign_session_token(earlier_cookie)) is None
    assert _flow_cookie(http) is None  # spent
    (request,) = provider.authorize_requests
    assert request["code_challenge_method"] == "S256" and request["nonce"] and request["state"]
    assert request["scope"].split() == ["openid", "email", "profile"]
    with db.session() as s:
        bound = s.get(StaffUser, anna.id)
    assert (bound.oidc_issuer, bound.oidc_subject) == (provider.issuer, "user-1")


def test_next_page_is_kept_but_never_leaves_the_staff_area(provider, anna, http):
    assert _sso(http, next_path=routes.STAFF_INBOX).headers["location"] == routes.STAFF_INBOX
    for bad in ("https://evil.example/staff", "//evil.example", routes.PORTAL):
        assert _sso(http, next_path=bad).headers["location"] == routes.STAFF_CLIENTS


def test_redirect_uri_comes_from_base_url_not_from_the_host_header(provider, anna, http):
    url = _start(http, host="evil.example", **{"x-forwarded-host": "evil.example"})
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == [CALLBACK]
    assert url.startswith(provider.issuer + "/authorize?")


def test_flow_cookie_is_httponly_lax_short_lived_and_only_for_the_callback(provider, anna, http):
    header = http.get(routes.API_SSO).headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header and "max-age=600" in header
    assert f"path={routes.API_SSO_CALLBACK}" in header


def test_the_bound_account_logs_in_after_its_email_changed(provider, anna, http):
    assert _sso(http).headers["location"] == routes.STAFF_CLIENTS
    http.cookies.clear()
    provider.email, provider.email_verified = "anna@new-domain.example", False
    assert _sso(http).headers["location"] == routes.STAFF_CLIENTS
    assert _session_actor(http).id == anna.id


def test_another_provider_account_with_the_bound_email_is_refused(provider, anna, http):
    assert _sso(http).headers["location"] == routes.STAFF_CLIENTS
    http.cookies.clear()
    provider.sub = "user-2"  # the address now belongs to someone else at the provider
    _refused(_sso(http), "sso_conflict", sessions=1)


def test_rotated_provider_keys_are_fetched_again(provider, keys, anna, http, monkeypatch):
    assert _sso(http).status_code == 303
    provider.signing_key, provider.published = keys["next"], [keys["main"], keys["next"]]
    monkeypatch.setattr(oidc, "JWKS_MIN_REFRESH", 0)
    http.cookies.clear()
    assert _sso(http).headers["location"] == routes.STAFF_CLIENTS
    assert provider.jwks_requests == 2


# State


def test_callback_without_the_flow_cookie_is_refused(provider, anna, http):
    back = _authorize(_start(http))
    http.cookies.clear()
    _refused(http.get(back), "sso_expired")
    assert provider.token_requests == 0


def test_callback_with_another_state_is_refused(provider, anna, http):
    back = _authorize(_start(http))
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    _refused(http.get(f"{parts.path}?{urlencode({**query, 'state': secrets.token_urlsafe(32)})}"), "sso_expired")
    query.pop("state")
    _start(http)
    _refused(http.get(f"{parts.path}?{urlencode(query)}"), "sso_expired")
    assert provider.token_requests == 0


def test_a_state_works_once(provider, anna, http):
    back = _authorize(_start(http))
    cookie = _flow_cookie(http)
    assert http.get(back).headers["location"] == routes.STAFF_CLIENTS
    http.cookies.clear()
    http.cookies.set(oidc_api.FLOW_COOKIE, cookie, path=routes.API_SSO_CALLBACK)
    _refused(http.get(back), "sso_expired", sessions=1)
    assert provider.token_requests == 1


def test_an_expired_or_forged_flow_cookie_is_refused(provider, anna, http):
    back = _authorize(_start(http))
    flow = oidc_api._serializer().loads(_flow_cookie(http))

    class TenMinutesAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - oidc_api.FLOW_MAX_AGE - 1

    old = URLSafeTimedSerializer(get_settings().secret_key, salt="portal.sso-flow", signer=TenMinutesAgo).dumps(flow)
    http.cookies.clear()
    http.cookies.set(oidc_api.FLOW_COOKIE, old, path=routes.API_SSO_CALLBACK)
    _refused(http.get(back), "sso_expired")
    forged = URLSafeTimedSerializer("some-other-secret-of-sufficient-length", salt="portal.sso-flow").dumps(flow)
    http.cookies.set(oidc_api.FLOW_COOKIE, forged, path=routes.API_SSO_CALLBACK)
    _refused(http.get(back), "sso_expired")
    assert provider.token_requests == 0


# The ID token


@pytest.mark.parametrize("case", ["nonce", "audience", "azp", "expired", "issued_later", "issuer", "no_sub",
                                  "foreign_key", "unknown_key", "hs256"])
def test_id_tokens_that_fail_a_check_are_refused(case, provider, keys, anna, http):
    now = int(time.time())
    if case == "nonce":
        provider.claims = {"nonce": "not-the-one-we-sent"}
    elif case == "audience":
        provider.claims = {"aud": "another-client"}
    elif case == "azp":
        provider.claims = {"aud": [CLIENT_ID, "another-client"], "azp": "another-client"}
    elif case == "expired":
        provider.claims = {"iat": now - 3600, "exp": now - 600}
    elif case == "issued_later":
        provider.claims = {"iat": now + 3600, "exp": now + 7200}
    elif case == "issuer":
        provider.claims = {"iss": "https://other-provider.example"}
    elif case == "no_sub":
        provider.claims = {"sub": None}
    elif case == "foreign_key":
        provider.signing_key = keys["foreign"]  # same key id as the published one
    elif case == "unknown_key":
        provider.signing_key = keys["stray"]
    elif case == "hs256":
        provider.alg = "HS256"
    _refused(_sso(http), "sso_failed")
    with db.session() as s:
        assert s.get(StaffUser, anna.id).oidc_subject is None


def test_several_audiences_with_us_as_authorized_party_pass(provider, anna, http):
    provider.claims = {"aud": [CLIENT_ID, "another-client"], "azp": CLIENT_ID}
    assert _sso(http).headers["location"] == routes.STAFF_CLIENTS


# Who may log in


def test_unknown_email_is_refused_and_nobody_is_created(provider, http):
    provider.email = "stranger@example.test"
    _refused(_sso(http), "sso_unknown")
    with db.session() as s:
        assert s.exec(select(StaffUser)).all() == []


def test_a_contacts_email_is_refused(provider, http):
    client = factories.client(name="Bäckerei Hofmann GmbH")
    provider.email = factories.contact(account=client).email
    _refused(_sso(http), "sso_unknown")


@pytest.mark.parametrize("verified", [False, "true", None])
def test_an_unverified_email_is_refused(verified, provider, anna, http):
    provider.email_verified = verified
    _refused(_sso(http), "sso_unverified")


# Provider errors


@pytest.mark.parametrize(("error", "shown"), [("access_denied", "sso_denied"), ("server_error", "sso_failed"),
                                              ("login_required", "sso_failed")])
def test_provider_errors_go_back_to_the_login_page(error, shown, provider, anna, http):
    provider.deny = error
    _refused(_sso(http), shown)
    assert _flow_cookie(http) is None


def test_a_wrong_client_secret_is_a_failed_login_not_a_crash(provider, anna, http, monkeypatch):
    _configure(monkeypatch, OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET="wrong-secret")
    _refused(_sso(http), "sso_failed")


def test_an_unreachable_provider_is_a_failed_login_not_a_crash(provider, http, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        _configure(monkeypatch, OIDC_ISSUER=f"http://127.0.0.1:{sock.getsockname()[1]}", OIDC_CLIENT_ID=CLIENT_ID,
                   OIDC_CLIENT_SECRET=CLIENT_SECRET)
        response = http.get(routes.API_SSO)
    assert response.status_code == 303 and response.headers["location"] == routes.login(error="sso_failed")


# SSO off


def test_without_sso_the_routes_do_not_exist(fresh_db, http, monkeypatch):
    _configure(monkeypatch)
    assert not oidc.enabled()
    assert http.get(routes.API_SSO).status_code == 404
    assert http.get(f"{routes.API_SSO_CALLBACK}?code=x&state=y").status_code == 404


# Settings


def _env(**values: str) -> dict[str, str]:
    return {"PORTAL_ENV": "production", "SECRET_KEY": "x" * 40, **values}


def test_sso_settings_need_issuer_client_and_secret_together():
    settings = load_settings(_env(OIDC_ISSUER="https://login.example/realms/firm", OIDC_CLIENT_ID="portal",
                                  OIDC_CLIENT_SECRET="s3cret"))
    assert settings.sso and settings.oidc_issuer == "https://login.example/realms/firm"
    assert "s3cret" not in repr(settings)
    assert not load_settings(_env()).sso
    with pytest.raises(SettingsError, match="OIDC_CLIENT_SECRET"):
        load_settings(_env(OIDC_ISSUER="https://login.example", OIDC_CLIENT_ID="portal"))


@pytest.mark.parametrize("issuer", ["http://login.example", "http://127.0.0.1:8080", "ftp://login.example",
                                    "https://login.example?tenant=1", "login.example"])
def test_sso_issuer_must_be_https_in_production(issuer):
    with pytest.raises(SettingsError, match="OIDC_ISSUER"):
        load_settings(_env(OIDC_ISSUER=issuer, OIDC_CLIENT_ID="portal", OIDC_CLIENT_SECRET="s3cret"))


def test_sso_issuer_may_be_local_http_in_dev_and_test():
    for env in ("dev", "test"):
        settings = load_settings({"PORTAL_ENV": env, "SECRET_KEY": "x" * 40, "OIDC_ISSUER": "http://localhost:8080",
                                  "OIDC_CLIENT_ID": "portal", "OIDC_CLIENT_SECRET": "s3cret"})
        assert settings.sso
    with pytest.raises(SettingsError):
        load_settings({"PORTAL_ENV": "dev", "OIDC_ISSUER": "http://idp.internal", "OIDC_CLIENT_ID": "portal",
                       "OIDC_CLIENT_SECRET": "s3cret"})


# The login page


def _login_page_state(query: dict[str, str] | None = None) -> LoginState:
    """LoginState after the login page's on_load, for a browser without a session."""
    async def load() -> LoginState:
        root = State(_reflex_internal_init=True)
        query_string = urlencode(query or {})
        root.router_data = {"pathname": routes.LOGIN, "asPath": f"{routes.LOGIN}?{query_string}", "query": query or {},
                            "headers": {"cookie": "", "accept-language": "de-DE,de;q=0.9"}, "token": "tab", "sid": "sid"}
        root.router = RouterData.from_router_data(root.router_data)
        login = await root.get_state(LoginState)
        assert await login.load() is None
        return login

    return asyncio.run(load())


def test_login_page_offers_sso_only_when_it_is_configured(fresh_db, server, monkeypatch):
    _configure(monkeypatch)
    assert _login_page_state().sso is False
    _configure(monkeypatch, OIDC_ISSUER=server.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET)
    assert _login_page_state().sso is True
    # A link, not a form: Chromium applies the page's form-action 'self' to a form's
    # redirect to the provider. It keeps the page to return to.
    assert _login_page_state({"next": routes.STAFF_INBOX}).sso_href == routes.sso(next_path=routes.STAFF_INBOX)
    page = str(login_page())
    link = "reloadDocument:true,to:" + str(LoginState.sso_href)  # a full page load
    assert page.count(link) == 1
    assert page.index("(" + str(LoginState.sso) + "?(") < page.index(link)


def test_login_page_explains_a_refused_sso_in_german(fresh_db, monkeypatch):
    _configure(monkeypatch)
    state = _login_page_state({"error": "sso_unknown"})
    assert state.error == translate("de", "login.error.sso_unknown")
    assert "keinen Mitarbeiterzugang" in state.error
