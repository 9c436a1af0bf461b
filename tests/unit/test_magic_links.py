"""Email links: talk area only, single use, expiry, revocation, "talk password", guessing limit."""

from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal import realtime, routes
from portal.api import build_api
from portal.domain.clock import utcnow
from portal.domain.enums import Role, SessionScope
from portal.models import LoginToken
from portal.services import auth, conversations, db, documents, magic_links, portal_home, talks
from portal.services.access import AccessDenied, NotFound
from tests import factories


@pytest.fixture
def setup(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    factories.firm()
    anna = factories.staff()
    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    account = factories.client(name="Link GmbH", accountants=(anna,), missing_receipts=1)
    maria = factories.contact(account=account)
    from portal.models import Booking

    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account.id)).one()
    talk = talks.start_talk(actor=factories.actor(anna), booking_id=booking_id, recipient_contact_id=None,
                            internal=False, sender_name="", body="Beleg bitte")
    chat = conversations.start_conversation(actor=factories.actor(anna), account_id=account.id, subject="Vertraulich",
                                            body="Nur mit Passwort")
    return {"anna": factories.actor(anna), "admin": factories.actor(admin), "account": account, "maria": maria,
            "talk": talk, "chat": chat}


def _link(contact_id: int) -> str:
    with db.session() as s:
        token = magic_links.issue_talk_link(s, contact_id=contact_id)
        s.commit()
    return token


def _open(token: str, client: str = "203.0.113.7"):
    return magic_links.open_talk_link(token=token, client=client)


def test_link_opens_a_talk_scoped_session_that_reaches_booking_talks_only(setup):
    result = _open(_link(setup["maria"].id))
    actor = auth.resolve_session(result.session_token)
    assert actor.is_contact and actor.scope == SessionScope.TALK
    assert [i.thread_id for i in talks.open_items(actor=actor)] == [setup["talk"]]
    talks.post_message(actor=actor, thread_id=setup["talk"], body="Kommt heute")
    assert conversations.action_count(actor=actor) == 0  # counts talks only; the firm's chat is not reachable
    with pytest.raises(NotFound):
        talks.thread_view(actor=actor, thread_id=setup["chat"])
    for call in (lambda: conversations.list_for_client(actor=actor), lambda: portal_home.home(actor=actor),
                 lambda: conversations.start_conversation(actor=actor, account_id=setup["account"].id,
                                                          subject="x", body="y")):
        with pytest.raises(AccessDenied):
            call()


def test_link_session_cannot_download_account_documents(setup):
    from portal.models import Document

    with db.session() as s:
        s.add(Document(account_id=setup["account"].id, blob_key="d" * 32, filename="bilanz.pdf", size=1,
                       content_type="application/pdf", sha256="0" * 64, uploaded_by_kind="staff"))
        s.commit()
    actor = auth.resolve_session(_open(_link(setup["maria"].id)).session_token)
    with pytest.raises(AccessDenied):
        documents.readable_document(actor=actor, key="d" * 32)


def test_link_is_single_use(setup):
    token = _link(setup["maria"].id)
    assert _open(token).session_token
    assert _open(token).problem == magic_links.LinkProblem.USED


def test_expired_and_revoked_links(setup):
    expired = _link(setup["maria"].id)
    with db.session() as s:
        row = s.exec(select(LoginToken)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
        s.commit()
    assert _open(expired).problem == magic_links.LinkProblem.EXPIRED
    revoked = _link(setup["maria"].id)
    assert magic_links.revoke_contact_links(actor=setup["anna"], account_id=setup["account"].id,
                                            contact_id=setup["maria"].id) == 1
    assert _open(revoked).problem == magic_links.LinkProblem.REVOKED


def test_revoking_also_ends_sessions_opened_by_a_link_but_not_password_logins(setup):
    opened = _open(_link(setup["maria"].id)).session_token
    password = auth.login(email=setup["maria"].email, password=factories.PASSWORD).token
    assert auth.resolve_session(opened) is not None
    assert magic_links.revoke_contact_links(actor=setup["anna"], account_id=setup["account"].id,
                                            contact_id=setup["maria"].id) == 1
    assert auth.resolve_session(opened) is None
    assert auth.resolve_session(password) is not None


def test_links_expire_after_fourteen_days_by_default(setup):
    _link(setup["maria"].id)
    with db.session() as s:
        row = s.exec(select(LoginToken)).one()
    assert timedelta(days=13, hours=23) < row.expires_at - row.created_at <= timedelta(days=14)


def test_talk_password_setting_turns_links_off(setup):
    pending = _link(setup["maria"].id)
    with pytest.raises(AccessDenied):
        magic_links.set_talk_password(actor=setup["anna"], enabled=True)
    magic_links.set_talk_password(actor=setup["admin"], enabled=True)
    assert magic_links.talk_password_required()
    assert _open(pending).problem == magic_links.LinkProblem.REVOKED  # outstanding links revoked
    assert _open(_link(setup["maria"].id)).problem == magic_links.LinkProblem.PASSWORD
    magic_links.set_talk_password(actor=setup["admin"], enabled=False)
    assert _open(_link(setup["maria"].id)).session_token


def test_guessing_is_limited_per_address(setup):
    for i in range(magic_links.MAX_MISSES):
        assert _open(f"guess-{i}").problem == magic_links.LinkProblem.UNKNOWN
    assert _open(_link(setup["maria"].id)).problem == magic_links.LinkProblem.LIMITED
    assert _open(_link(setup["maria"].id), client="198.51.100.1").session_token  # another address


def test_route_sets_cookie_and_explains_problems(setup):
    http = TestClient(build_api(), base_url="http://127.0.0.1", follow_redirects=False)
    token = _link(setup["maria"].id)
    ok = http.get(routes.talk_link(token))
    assert ok.status_code == 303 and ok.headers["location"] == routes.PORTAL
    assert "HttpOnly" in ok.headers["set-cookie"]
    again = http.get(routes.talk_link(token))
    assert again.headers["location"] == "/login?error=link_used"
    unknown = http.get(routes.talk_link("made-up-token"))
    assert unknown.status_code == 404 and "Link ungültig" in unknown.text
    magic_links.set_talk_password(actor=setup["admin"], enabled=True)
    locked = http.get(routes.talk_link(_link(setup["maria"].id)))
    assert locked.headers["location"] == "/login?next=%2Fportal&notice=talk_password"


def test_needs_password_paths():
    assert not routes.needs_password(routes.PORTAL)
    assert routes.needs_password(routes.PORTAL_CONVERSATIONS) and routes.needs_password(routes.PORTAL_PROFILE)
