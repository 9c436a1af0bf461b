"""Onboarding: invitations with single-use, expiring activation links; the activation route;
account status invited -> active; the pending-activation list; self sign-up."""

from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal import routes
from portal.api import build_api
from portal.domain.clock import utcnow
from portal.domain.enums import AccountStatus, Role, ThreadKind, TokenScope
from portal.models import AuthSession, ClientAccount, Contact, LoginToken, Message, Outbox, Thread
from portal.notify import emails
from portal.services import auth, clients, db, firm as firm_settings, onboarding
from portal.services.access import AccessDenied, NotFound
from portal.services.clients import AccountDraft, ContactDraft
from portal.services.onboarding import ActivationProblem, OnboardingError, SignupForm
from tests import factories

PASSWORD = "holz-und-span-2026"


@pytest.fixture
def office(fresh_db):
    factories.firm(name="Steuerkanzlei Berger")
    return {"admin": factories.actor(factories.staff(name="Katrin Berger", role=Role.ADMIN)),
            "anna": factories.actor(factories.staff(name="Anna Schmidt")),
            "jonas": factories.actor(factories.staff(name="Jonas Weber"))}


@pytest.fixture
def http(fresh_db):
    return TestClient(build_api(), base_url="http://127.0.0.1", follow_redirects=False)


def _account(actor, email: str, *, login: bool = True):
    return clients.create_account(
        actor=actor, draft=AccountDraft(kind="company", company_name="Brunner Holzbau GmbH"),
        contacts=[ContactDraft(first_name="Leonie", last_name="Brunner", email=email, login=login)])


def _link_token(email: str) -> str:
    with db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.to == email, Outbox.template == "invitation")
                     .order_by(Outbox.id.desc())).first()
    return row.context["link"].rsplit("/", 1)[-1]


def _status(account_id: int) -> str:
    with db.session() as s:
        return s.get(ClientAccount, account_id).status


def test_invitation_email_carries_the_message_and_a_link(office):
    email = factories.unique_email("leonie")
    created = _account(office["anna"], email)
    assert _status(created.id) == AccountStatus.ONBOARDING
    assert onboarding.invite(actor=office["anna"], account_id=created.id, message="Herzlich willkommen!") == 1
    assert _status(created.id) == AccountStatus.INVITED
    with db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.to == email)).one()
        contact = s.exec(select(Contact).where(Contact.email == email)).one()
    assert contact.invited_at is not None and contact.activated_at is None
    mail = emails.render(row.template, row.to, row.context)
    assert "Herzlich willkommen!" in mail.text and "Steuerkanzlei Berger" in mail.subject
    assert row.context["link"] in mail.text and "/activate/" in row.context["link"]
    # The database holds only the token's hash.
    token = _link_token(email)
    with db.session() as s:
        assert s.exec(select(LoginToken).where(LoginToken.token_hash == token)).first() is None


def test_activation_link_works_once_and_makes_the_account_active(office):
    email = factories.unique_email("leonie")
    created = _account(office["anna"], email)
    onboarding.invite(actor=office["anna"], account_id=created.id)
    token = _link_token(email)
    check = onboarding.activation(token=token, client="198.51.100.1")
    assert check.problem is None and check.name == "Leonie Brunner" and check.email == email
    session_token = onboarding.activate(token=token, password=PASSWORD, repeat=PASSWORD)
    actor = auth.resolve_session(session_token)
    assert actor is not None and actor.kind.value == "contact"
    assert _status(created.id) == AccountStatus.ACTIVE
    assert auth.login(email=email, password=PASSWORD).actor is not None
    assert onboarding.activation(token=token, client="198.51.100.1").problem == ActivationProblem.USED
    with pytest.raises(OnboardingError, match="activate.used"):
        onboarding.activate(token=token, password="ein-anderes-passwort", repeat="ein-anderes-passwort")
    # Nobody is left to invite.
    with pytest.raises(OnboardingError, match="nobody"):
        onboarding.invite(actor=office["anna"], account_id=created.id)


def test_expired_link_is_refused_and_a_reinvite_works(office):
    email = factories.unique_email("leonie")
    created = _account(office["anna"], email)
    onboarding.invite(actor=office["anna"], account_id=created.id)
    token = _link_token(email)
    with db.session() as s:
        row = s.exec(select(LoginToken).where(LoginToken.scope == TokenScope.ACTIVATE)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
        s.commit()
    assert onboarding.activation(token=token, client="198.51.100.2").problem == ActivationProblem.EXPIRED
    with pytest.raises(OnboardingError, match="activate.expired"):
        onboarding.activate(token=token, password=PASSWORD, repeat=PASSWORD)
    assert _status(created.id) == AccountStatus.INVITED

    with db.session() as s:
        contact_id = s.exec(select(Contact.id).where(Contact.email == email)).one()
    assert onboarding.reinvite(actor=office["anna"], contact_id=contact_id) == 1
    fresh = _link_token(email)
    assert fresh != token
    onboarding.activate(token=fresh, password=PASSWORD, repeat=PASSWORD)
    assert _status(created.id) == AccountStatus.ACTIVE


def test_reinvite_voids_the_older_link(office):
    email = factories.unique_email("leonie")
    created = _account(office["anna"], email)
    onboarding.invite(actor=office["anna"], account_id=created.id)
    first = _link_token(email)
    onboarding.invite(actor=office["anna"], account_id=created.id)
    assert onboarding.activation(token=first, client="198.51.100.3").problem == ActivationProblem.USED
    assert onboarding.activation(token=_link_token(email), client="198.51.100.3").problem is None


def test_password_rules_keep_the_link_usable(office):
    email = factories.unique_email("leonie")
    created = _account(office["anna"], email)
    onboarding.invite(actor=office["anna"], account_id=created.id)
    token = _link_token(email)
    with pytest.raises(OnboardingError, match="password.mismatch"):
        onboarding.activate(token=token, password=PASSWORD, repeat=PASSWORD + "x")
    with pytest.raises(OnboardingError, match="password.too_short"):
        onboarding.activate(token=token, password="kurz", repeat="kurz")
    assert onboarding.activation(token=token, client="198.51.100.4").problem is None


def test_unknown_links_count_towards_the_guessing_limit(office):
    results = [onboarding.activation(token=f"guess-{i}", client="203.0.113.9").problem for i in range(40)]
    assert results[0] == ActivationProblem.UNKNOWN
    assert results[-1] == ActivationProblem.LIMITED
    # Another address is not affected.
    assert onboarding.activation(token="guess", client="203.0.113.10").problem == ActivationProblem.UNKNOWN


def test_only_staff_of_the_account_invite(office):
    created = _account(office["anna"], factories.unique_email("leonie"))
    with pytest.raises(NotFound):
        onboarding.invite(actor=office["jonas"], account_id=created.id)
    onboarding.invite(actor=office["admin"], account_id=created.id)


def test_pending_activation_lists_invited_contacts_until_they_activate(office):
    email = factories.unique_email("leonie")
    created = _account(office["anna"], email)
    onboarding.invite(actor=office["anna"], account_id=created.id)
    rows, total, _ = clients.pending_activations(actor=office["admin"])
    assert [p.email for p in rows] == [email] and total == 1
    assert rows[0].accounts[0][2] == "Brunner Holzbau GmbH"
    with pytest.raises(AccessDenied):
        clients.pending_activations(actor=office["anna"])
    onboarding.activate(token=_link_token(email), password=PASSWORD, repeat=PASSWORD)
    assert clients.pending_activations(actor=office["admin"])[0] == []


# The activation route


def test_activation_route_sets_the_session_cookie_and_opens_the_portal(office, http):
    email = factories.unique_email("leonie")
    created = _account(office["anna"], email)
    onboarding.invite(actor=office["anna"], account_id=created.id)
    token = _link_token(email)
    wrong = http.post(routes.API_ACTIVATE, data={"token": token, "password": PASSWORD, "repeat": "anders"})
    assert wrong.status_code == 303
    assert wrong.headers["location"] == f"{routes.activate(token)}?error=password.mismatch"
    assert auth.SESSION_COOKIE not in wrong.cookies
    done = http.post(routes.API_ACTIVATE, data={"token": token, "password": PASSWORD, "repeat": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == routes.PORTAL
    cookie = done.headers["set-cookie"]
    assert auth.SESSION_COOKIE in cookie and "HttpOnly" in cookie
    again = http.post(routes.API_ACTIVATE, data={"token": token, "password": PASSWORD, "repeat": PASSWORD})
    assert again.headers["location"] == f"{routes.activate(token)}?error=activate.used"
    with db.session() as s:
        assert len(s.exec(select(AuthSession)).all()) == 1


# Self sign-up


def _signup(email: str, *, client: str = "192.0.2.1", company: str = "Tischlerei Kern") -> None:
    onboarding.sign_up(form=SignupForm(first_name="Paul", last_name="Kern", email=email, company_name=company,
                                       phone="+49 8031 1234"), client=client)


def test_sign_up_creates_a_pending_account_and_tells_the_staff(office):
    email = factories.unique_email("paul")
    _signup(email)
    with db.session() as s:
        account = s.exec(select(ClientAccount).where(ClientAccount.self_signup == True)).one()  # noqa: E712
        thread = s.exec(select(Thread).where(Thread.account_id == account.id)).one()
        body = s.exec(select(Message.body).where(Message.thread_id == thread.id)).one()
    assert account.name == "Tischlerei Kern" and account.status == AccountStatus.ONBOARDING
    assert thread.kind == ThreadKind.SIGNUP and email in body
    # Nobody is assigned yet: admins see it under Onboarding, accountants do not.
    page = clients.list_clients(actor=office["admin"], tab="onboarding")
    assert [row.name for row in page.rows] == ["Tischlerei Kern"] and page.rows[0].self_signup
    assert "Tischlerei Kern" not in [row.name for row in clients.list_clients(actor=office["anna"], tab="onboarding").rows]
    # The admin invites the new client like any other.
    assert onboarding.invite(actor=office["admin"], account_id=account.id) == 1


def test_sign_up_with_a_known_address_creates_nothing(office):
    email = factories.unique_email("paul")
    _account(office["anna"], email)
    _signup(email.upper())
    with db.session() as s:
        assert s.exec(select(ClientAccount).where(ClientAccount.self_signup == True)).all() == []  # noqa: E712


def test_sign_up_checks_input_limits_per_address_and_can_be_switched_off(office):
    with pytest.raises(OnboardingError, match="signup.error.name"):
        onboarding.sign_up(form=SignupForm(first_name="", last_name="Kern", email="p@example.test"), client="x")
    with pytest.raises(OnboardingError, match="email_invalid"):
        onboarding.sign_up(form=SignupForm(first_name="Paul", last_name="Kern", email="paul@@kern"), client="x")
    for _ in range(onboarding.SIGNUP_LIMIT):
        _signup(factories.unique_email("paul"), client="192.0.2.77")
    with pytest.raises(OnboardingError, match="signup.limited"):
        _signup(factories.unique_email("paul"), client="192.0.2.77")

    assert onboarding.signup_open()
    firm_settings.update(actor=office["admin"], self_signup=False)
    assert not onboarding.signup_open()
    with pytest.raises(OnboardingError, match="signup.closed"):
        _signup(factories.unique_email("paul"), client="192.0.2.78")
