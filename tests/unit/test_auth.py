"""Passwords, signed cookies, revocable sessions, lockout and password reset."""

import statistics
import time
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal import routes
from portal.api import build_api
from portal.domain.clock import utcnow
from portal.domain.enums import Role, SubjectKind
from portal.models import AuthSession, LoginFailure, LoginToken, Outbox
from portal.services import auth, db
from portal.state.session import session_token_from_cookie_header
from tests import factories


@pytest.fixture
def anna(fresh_db):
    return factories.staff(name="Anna Schmidt")


@pytest.fixture
def maria(fresh_db):
    account = factories.client(name="Bäckerei Hofmann GmbH")
    return factories.contact(account=account)


@pytest.fixture
def http(fresh_db):
    return TestClient(build_api(), base_url="http://127.0.0.1", follow_redirects=False)


def _reset_link_token(email: str) -> str:
    with db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.to == email).order_by(Outbox.id.desc())).first()
    return row.context["link"].rsplit("/", 1)[-1]


# Passwords and cookies


def test_password_hash_is_argon2_and_verifies():
    hashed = auth.hash_password("geheim-und-lang")
    assert hashed.startswith("$argon2id$")
    assert auth.verify_password(hashed, "geheim-und-lang")
    assert not auth.verify_password(hashed, "geheim-und-lan")
    assert not auth.verify_password(None, "anything")
    assert not auth.verify_password("not-a-hash", "anything")


def test_cookie_signature_round_trip_and_tamper():
    value = auth.sign_session_token("abc123")
    assert auth.unsign_session_token(value) == "abc123"
    assert auth.unsign_session_token(value[:-1] + ("A" if value[-1] != "A" else "B")) is None
    assert auth.unsign_session_token("abc123") is None
    assert session_token_from_cookie_header(f"other=1; {auth.SESSION_COOKIE}={value}") == "abc123"
    assert session_token_from_cookie_header('broken="') is None
    assert session_token_from_cookie_header("") is None


# Login and sessions


def test_staff_login_creates_session_that_resolves(anna):
    result = auth.login(email=f"  {anna.email.upper()} ", password=factories.PASSWORD)
    assert result.error is None and result.token
    actor = auth.resolve_session(result.token)
    assert actor.kind == SubjectKind.STAFF and actor.id == anna.id and actor.role == Role.ACCOUNTANT
    with db.session() as s:
        stored = s.exec(select(AuthSession)).one()
    assert stored.token_hash != result.token  # only the hash is stored


def test_contact_needs_portal_login_flag(fresh_db):
    account = factories.client(name="Ohne Zugang GmbH")
    person = factories.contact(account=account, login=False)
    assert auth.login(email=person.email, password=factories.PASSWORD).error == "invalid"


def test_contact_loses_access_when_login_is_switched_off(maria):
    from portal.models import AccountContact

    token = auth.login(email=maria.email, password=factories.PASSWORD).token
    assert auth.resolve_session(token).kind == SubjectKind.CONTACT
    with db.session() as s:
        link = s.exec(select(AccountContact).where(AccountContact.contact_id == maria.id)).one()
        link.login = False
        s.add(link)
        s.commit()
    assert auth.resolve_session(token) is None


def test_logout_revokes_the_session_row(anna):
    token = auth.login(email=anna.email, password=factories.PASSWORD).token
    auth.logout(token=token)
    assert auth.resolve_session(token) is None
    assert auth.live_session_count(kind=SubjectKind.STAFF, subject_id=anna.id) == 0


def test_expired_session_is_refused(anna):
    token = auth.login(email=anna.email, password=factories.PASSWORD).token
    with db.session() as s:
        row = s.exec(select(AuthSession)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
        s.commit()
    assert auth.resolve_session(token) is None


def test_unknown_token_is_refused(fresh_db):
    assert auth.resolve_session("made-up-token") is None


def test_unknown_email_and_wrong_password_fail_alike(anna):
    unknown = auth.login(email="nobody@example.test", password="whatever-it-is")
    wrong = auth.login(email=anna.email, password="whatever-it-is")
    assert unknown == wrong == auth.LoginResult(error="invalid")


def test_unknown_email_and_wrong_password_take_the_same_time(anna):
    def timed(email: str) -> float:
        start = time.perf_counter()
        auth.login(email=email, password="whatever-it-is")
        return time.perf_counter() - start

    auth.login(email="warm-up@example.test", password="x")
    unknown = statistics.median(timed(f"nobody{i}@example.test") for i in range(5))
    wrong = statistics.median(timed(anna.email) for _ in range(5))
    # Both pay one argon2 verification; a skipped hash would be 100x faster.
    assert 0.5 < unknown / wrong < 2.0


def test_lockout_after_ten_failures_in_fifteen_minutes(anna):
    for _ in range(auth.MAX_FAILURES):
        assert auth.login(email=anna.email, password="wrong-password").error == "invalid"
    locked = auth.login(email=anna.email, password=factories.PASSWORD)
    assert locked.error == "locked" and locked.token is None
    assert 1 <= locked.retry_minutes <= 15
    # Another address is unaffected.
    other = factories.staff(name="Jonas Weber")
    assert auth.login(email=other.email, password=factories.PASSWORD).token


def test_lockout_ends_when_failures_age_out(anna):
    with db.session() as s:
        s.add_all(LoginFailure(email=anna.email, at=utcnow() - timedelta(minutes=16))
                  for _ in range(auth.MAX_FAILURES))
        s.commit()
    assert auth.login(email=anna.email, password=factories.PASSWORD).token


def test_nine_failures_do_not_lock_and_success_clears_them(anna):
    for _ in range(auth.MAX_FAILURES - 1):
        auth.login(email=anna.email, password="wrong-password")
    assert auth.login(email=anna.email, password=factories.PASSWORD).token
    with db.session() as s:
        assert s.exec(select(LoginFailure).where(LoginFailure.email == anna.email)).all() == []


# Password reset


def test_reset_flow_sets_password_once_and_logs_out_everywhere(anna):
    old_session = auth.login(email=anna.email, password=factories.PASSWORD).token
    auth.request_password_reset(email=anna.email, locale="de")
    token = _reset_link_token(anna.email)
    assert auth.reset_token_is_valid(token=token)

    auth.reset_password(token=token, password="ein-neues-passwort", repeat="ein-neues-passwort")
    assert auth.resolve_session(old_session) is None
    assert auth.login(email=anna.email, password="ein-neues-passwort").token
    assert auth.login(email=anna.email, password=factories.PASSWORD).error == "invalid"
    with pytest.raises(auth.AuthError, match="reset.invalid"):
        auth.reset_password(token=token, password="noch-ein-passwort", repeat="noch-ein-passwort")


def test_reset_refuses_bad_passwords_without_using_the_link(anna):
    auth.request_password_reset(email=anna.email, locale="de")
    token = _reset_link_token(anna.email)
    with pytest.raises(auth.AuthError, match="password.mismatch"):
        auth.reset_password(token=token, password="ein-neues-passwort", repeat="anders-passwort")
    with pytest.raises(auth.AuthError, match="password.too_short"):
        auth.reset_password(token=token, password="kurz", repeat="kurz")
    assert auth.reset_token_is_valid(token=token)


def test_expired_reset_link_is_refused(anna):
    auth.request_password_reset(email=anna.email, locale="de")
    token = _reset_link_token(anna.email)
    with db.session() as s:
        row = s.exec(select(LoginToken)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
        s.commit()
    assert not auth.reset_token_is_valid(token=token)
    with pytest.raises(auth.AuthError, match="reset.invalid"):
        auth.reset_password(token=token, password="ein-neues-passwort", repeat="ein-neues-passwort")


def test_reset_for_unknown_email_queues_nothing(fresh_db):
    auth.request_password_reset(email="nobody@example.test", locale="de")
    with db.session() as s:
        assert s.exec(select(Outbox)).all() == []


# HTTP routes


def test_login_route_sets_hardened_cookie_and_redirects(http, anna):
    response = http.post(routes.API_LOGIN, data={"email": anna.email, "password": factories.PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == routes.STAFF_CLIENTS
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{auth.SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # BASE_URL is http in tests


def test_login_route_follows_safe_next_only(http, maria):
    ok = http.post(routes.API_LOGIN, data={"email": maria.email, "password": factories.PASSWORD,
                                           "next": routes.PORTAL_PROFILE})
    assert ok.headers["location"] == routes.PORTAL_PROFILE
    for evil in ("//evil.example/x", "https://evil.example", "/\\evil.example", routes.STAFF_CLIENTS):
        response = http.post(routes.API_LOGIN, data={"email": maria.email, "password": factories.PASSWORD,
                                                     "next": evil})
        assert response.headers["location"] == routes.PORTAL


def test_login_route_failure_and_lockout_messages(http, anna):
    response = http.post(routes.API_LOGIN, data={"email": anna.email, "password": "nope-nope-nope"})
    assert response.status_code == 303 and response.headers["location"] == "/login?error=invalid"
    assert "set-cookie" not in response.headers
    for _ in range(auth.MAX_FAILURES):
        response = http.post(routes.API_LOGIN, data={"email": anna.email, "password": "nope-nope-nope"})
    assert response.headers["location"].startswith("/login?error=locked&minutes=")


def test_logout_route_revokes_and_clears_cookie(http, anna):
    login = http.post(routes.API_LOGIN, data={"email": anna.email, "password": factories.PASSWORD})
    cookie_value = login.cookies[auth.SESSION_COOKIE]
    http.cookies.set(auth.SESSION_COOKIE, cookie_value)
    response = http.post(routes.API_LOGOUT)
    assert response.status_code == 303 and response.headers["location"] == "/login?notice=logged_out"
    assert 'Max-Age=0' in response.headers["set-cookie"] or "expires=" in response.headers["set-cookie"].lower()
    token = auth.unsign_session_token(cookie_value)
    assert auth.resolve_session(token) is None


def test_logout_requires_post(http):
    assert http.get(routes.API_LOGOUT).status_code == 405


def test_forgot_route_answers_the_same_for_known_and_unknown(http, anna):
    known = http.post(routes.API_FORGOT, data={"email": anna.email})
    unknown = http.post(routes.API_FORGOT, data={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/login?notice=reset_sent"


def test_reset_route_reports_problems_and_succeeds(http, anna):
    auth.request_password_reset(email=anna.email, locale="de")
    token = _reset_link_token(anna.email)
    bad = http.post(routes.API_RESET, data={"token": token, "password": "kurz", "repeat": "kurz"})
    assert bad.headers["location"] == f"{routes.reset_password(token)}?error=password.too_short"
    good = http.post(routes.API_RESET, data={"token": token, "password": "ein-neues-passwort",
                                             "repeat": "ein-neues-passwort"})
    assert good.headers["location"] == "/login?notice=password_changed"


def test_login_route_rotates_a_previous_session(http, anna, maria):
    first = http.post(routes.API_LOGIN, data={"email": maria.email, "password": factories.PASSWORD})
    maria_token = auth.unsign_session_token(first.cookies[auth.SESSION_COOKIE])
    http.cookies.set(auth.SESSION_COOKIE, first.cookies[auth.SESSION_COOKIE])
    second = http.post(routes.API_LOGIN, data={"email": anna.email, "password": factories.PASSWORD})
    assert second.headers["location"] == routes.STAFF_CLIENTS
    assert auth.resolve_session(maria_token) is None


# Changing the password while logged in


def _logged_in(http, user) -> str:
    response = http.post(routes.API_LOGIN, data={"email": user.email, "password": factories.PASSWORD})
    http.cookies.set(auth.SESSION_COOKIE, response.cookies[auth.SESSION_COOKIE])
    return auth.unsign_session_token(response.cookies[auth.SESSION_COOKIE])


def test_password_change_ends_every_other_session_and_rotates_this_one(http, anna):
    elsewhere = auth.login(email=anna.email, password=factories.PASSWORD).token
    here = _logged_in(http, anna)
    response = http.post(routes.API_PASSWORD, data={"current": factories.PASSWORD, "password": "ganz-neues-passwort",
                                                    "repeat": "ganz-neues-passwort"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{routes.STAFF_PROFILE}?password=password.changed"
    rotated = auth.unsign_session_token(response.cookies[auth.SESSION_COOKIE])
    assert rotated not in (here, elsewhere)
    assert auth.resolve_session(here) is None and auth.resolve_session(elsewhere) is None
    assert auth.resolve_session(rotated).id == anna.id
    assert auth.login(email=anna.email, password=factories.PASSWORD).actor is None
    assert auth.login(email=anna.email, password="ganz-neues-passwort").actor is not None


def test_password_change_refuses_a_wrong_current_password_and_counts_it(http, maria):
    here = _logged_in(http, maria)
    for _ in range(auth.MAX_FAILURES):
        response = http.post(routes.API_PASSWORD, data={"current": "falsch-falsch", "password": "ganz-neues-passwort",
                                                        "repeat": "ganz-neues-passwort"})
        assert response.headers["location"] == f"{routes.PORTAL_PROFILE}?password=password.current_wrong"
        assert "set-cookie" not in response.headers
    # Guessing through this form locks it like the login form, even with the right password now.
    locked = http.post(routes.API_PASSWORD, data={"current": factories.PASSWORD, "password": "ganz-neues-passwort",
                                                  "repeat": "ganz-neues-passwort"})
    assert locked.headers["location"] == f"{routes.PORTAL_PROFILE}?password=password.locked"
    assert auth.resolve_session(here).id == maria.id  # nothing changed
    assert auth.login(email=maria.email, password="ganz-neues-passwort").actor is None


def test_password_change_checks_the_rules_and_needs_a_full_session(http, anna):
    _logged_in(http, anna)
    response = http.post(routes.API_PASSWORD, data={"current": factories.PASSWORD, "password": "kurz",
                                                    "repeat": "kurz"})
    assert response.headers["location"] == f"{routes.STAFF_PROFILE}?password=password.too_short"
    http.cookies.clear()
    anonymous = http.post(routes.API_PASSWORD, data={"current": factories.PASSWORD, "password": "ganz-neues-passwort",
                                                     "repeat": "ganz-neues-passwort"})
    assert anonymous.headers["location"] == routes.login()
    with pytest.raises(auth.AuthError) as refused:
        auth.change_password(token="no-such-token", current=factories.PASSWORD, password="ganz-neues-passwort",
                             repeat="ganz-neues-passwort")
    assert refused.value.key == "password.no_session"
