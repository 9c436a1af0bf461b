"""Outbox: queueing, rendering and delivery to a real (aiosmtpd) SMTP server."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import email
import logging
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import select

from portal.domain.clock import utcnow
from portal.models.notify import Outbox
from portal.notify import emails
from portal.notify.outbox import queue
from portal.notify.smtp import SmtpSender
from portal.services import outbox as services_outbox
from portal.services.db import session
from portal.services.outbox import deliver_due, run_sender_loop
from portal.settings import get_settings

MAIL_FROM = "Kanzlei Muster <portal@kanzlei.example>"
LINK = "https://portal.example/reset?token=abc123"


def reset_context(**overrides: object) -> dict:
    return {
        "locale": "de",
        "name": "Erika Mustermann",
        "firm_name": "Kanzlei Muster",
        "link": LINK,
        "valid_minutes": 30,
        **overrides,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        if session.authenticated:
            self.logins.append(session.auth_data.login.decode())
        return "250 OK"


@contextlib.contextmanager
def running_server(**smtp_params: object) -> Iterator[tuple[Recorder, int]]:
    """Run an aiosmtpd server on a free loopback port; yields (recorder, port)."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **smtp_params)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    """A plain SMTP server without authentication."""
    with running_server() as server:
        yield server


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == b"portal@kanzlei.example" and auth_data.password == b"gehe:im@"
    )
    # handled=False: aiosmtpd then answers 535 itself instead of leaving the client waiting.
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@pytest.fixture
def auth_smtp_server() -> Iterator[tuple[Recorder, int]]:
    """An SMTP server that requires AUTH (allowed without TLS, for the test only)."""
    with running_server(
        authenticator=_authenticator, auth_required=True, auth_require_tls=False
    ) as server:
        yield server


@pytest.fixture
def sender(smtp_server) -> SmtpSender:
    return SmtpSender.from_url(f"smtp://127.0.0.1:{smtp_server[1]}")


def queue_reset(to: str = "erika@example.org", **overrides: object) -> int:
    with session() as db:
        row = queue(db, to=to, template="password_reset", context=reset_context(**overrides))
        db.commit()
        return row.id


def load(row_id: int) -> Outbox:
    with session() as db:
        row = db.get(Outbox, row_id)
        assert row is not None
        return row


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_password_reset_is_delivered(fresh_db, smtp_server, sender):
    recorder, _ = smtp_server
    row_id = queue_reset()

    assert deliver_due(sender=sender, mail_from=MAIL_FROM) == 1

    [message] = recorder.messages
    assert message["To"] == "erika@example.org"
    assert message["From"] == MAIL_FROM
    assert message["Subject"] == "Passwort zurücksetzen – Mandantenportal von Kanzlei Muster"
    assert message["Message-ID"].endswith("@kanzlei.example>")
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert "Guten Tag Erika Mustermann," in text
    assert LINK in text
    assert f'href="{LINK}"' in html
    assert "Neues Passwort festlegen" in html
    row = load(row_id)
    assert row.sent_at is not None
    assert row.claimed_until is None
    assert row.attempts == 0
    assert deliver_due(sender=sender, mail_from=MAIL_FROM) == 0
    assert len(recorder.messages) == 1


def test_locales_render_differently():
    rendered = {
        locale: emails.render("password_reset", "x@example.org", reset_context(locale=locale))
        for locale in ("de", "en", "fr")
    }
    assert len({mail.subject for mail in rendered.values()}) == 3
    assert len({mail.text for mail in rendered.values()}) == 3
    assert rendered["en"].subject == "Reset your password – Kanzlei Muster client portal"
    assert "Bonjour Erika Mustermann," in rendered["fr"].text
    assert '<html lang="fr">' in rendered["fr"].html
    assert all(LINK in mail.text and LINK in mail.html for mail in rendered.values())


def test_mail_catalogs_have_the_same_keys():
    from portal.i18n.mail import de, en, fr

    assert de.MESSAGES
    assert set(de.MESSAGES) == set(en.MESSAGES) == set(fr.MESSAGES)
    assert all(key.startswith("mail.") for key in de.MESSAGES)


def test_html_in_context_is_escaped_in_html_only(fresh_db, smtp_server, sender):
    recorder, _ = smtp_server
    queue_reset(name="<script>alert(1)</script>", firm_name="Müller & Partner")
    deliver_due(sender=sender, mail_from=MAIL_FROM)

    text, html = parts(recorder.messages[0])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Müller &amp; Partner" in html
    assert "Guten Tag <script>alert(1)</script>," in text


def test_failed_send_is_retried_after_backoff_exactly_once(fresh_db, smtp_server):
    recorder, port = smtp_server
    row_id = queue_reset()
    now = utcnow()

    down = SmtpSender.from_url(f"smtp://127.0.0.1:{free_port()}")
    assert deliver_due(sender=down, mail_from=MAIL_FROM, now=now) == 0

    row = load(row_id)
    assert row.attempts == 1
    assert row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=30)
    assert row.sent_at is None
    assert row.claimed_until is None

    up = SmtpSender.from_url(f"smtp://127.0.0.1:{port}")
    assert deliver_due(sender=up, mail_from=MAIL_FROM, now=now + timedelta(seconds=10)) == 0
    assert recorder.messages == []

    later = now + timedelta(seconds=31)
    assert deliver_due(sender=up, mail_from=MAIL_FROM, now=later) == 1
    assert deliver_due(sender=up, mail_from=MAIL_FROM, now=later + timedelta(hours=2)) == 0
    assert len(recorder.messages) == 1
    row = load(row_id)
    assert row.sent_at == later
    assert row.attempts == 1


def test_backoff_doubles_and_is_capped(fresh_db):
    row_id = queue_reset()
    down = SmtpSender.from_url(f"smtp://127.0.0.1:{free_port()}")
    now = utcnow()
    delays = []
    for _ in range(9):
        deliver_due(sender=down, mail_from=MAIL_FROM, now=now)
        row = load(row_id)
        delays.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert load(row_id).attempts == 9


def test_claimed_row_is_not_sent_by_another_worker(fresh_db, smtp_server, sender):
    recorder, _ = smtp_server
    row_id = queue_reset()
    now = utcnow()
    # Another worker claimed the row and is still sending it.
    with session() as db:
        row = db.get(Outbox, row_id)
        row.claimed_until = now + timedelta(minutes=2)
        db.add(row)
        db.commit()

    assert deliver_due(sender=sender, mail_from=MAIL_FROM, now=now) == 0
    assert deliver_due(sender=sender, mail_from=MAIL_FROM, now=now + timedelta(minutes=1)) == 0
    assert recorder.messages == []
    # That worker died: once its claim expires, the email goes out.
    assert deliver_due(sender=sender, mail_from=MAIL_FROM, now=now + timedelta(minutes=3)) == 1
    assert len(recorder.messages) == 1


def test_concurrent_workers_send_each_email_once(fresh_db, smtp_server, sender):
    recorder, _ = smtp_server
    for index in range(12):
        queue_reset(to=f"client{index}@example.org")

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(lambda _: deliver_due(sender=sender, mail_from=MAIL_FROM), range(4)))

    assert sum(counts) == 12
    recipients = sorted(message["To"] for message in recorder.messages)
    assert recipients == sorted(f"client{index}@example.org" for index in range(12))


def test_not_before_delays_sending(fresh_db, smtp_server, sender):
    recorder, _ = smtp_server
    now = utcnow()
    with session() as db:
        queue(
            db,
            to="erika@example.org",
            template="password_reset",
            context=reset_context(),
            not_before=now + timedelta(minutes=10),
        )
        db.commit()

    assert deliver_due(sender=sender, mail_from=MAIL_FROM, now=now) == 0
    assert deliver_due(sender=sender, mail_from=MAIL_FROM, now=now + timedelta(minutes=11)) == 1
    assert len(recorder.messages) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", ("mail.example", 25, "plain", "", "")),
        ("smtp+starttls://mail.example", ("mail.example", 587, "starttls", "", "")),
        ("smtps://mail.example", ("mail.example", 465, "tls", "", "")),
        (
            "smtp+starttls://portal%40kanzlei.de:p%40ss%3Aw%C3%B6rd@mail.example:2525",
            ("mail.example", 2525, "starttls", "portal@kanzlei.de", "p@ss:wörd"),
        ),
        ("smtps://user@mail.example:4650", ("mail.example", 4650, "tls", "user", "")),
    ],
)
def test_smtp_url_parsing(url, expected):
    sender = SmtpSender.from_url(url)
    assert (sender.host, sender.port, sender.security, sender.username, sender.password) == expected
    assert sender.timeout == 20
    assert not sender.password or sender.password not in repr(sender)


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "mail.example:25"])
def test_smtp_url_rejects_invalid(url):
    with pytest.raises(ValueError):
        SmtpSender.from_url(url)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_auth_uses_url_credentials(fresh_db, auth_smtp_server):
    recorder, port = auth_smtp_server
    row_id = queue_reset()

    wrong = SmtpSender.from_url(f"smtp://portal%40kanzlei.example:falsch@127.0.0.1:{port}")
    assert deliver_due(sender=wrong, mail_from=MAIL_FROM) == 0
    assert "SMTPAuthenticationError" in load(row_id).last_error

    right = SmtpSender.from_url(f"smtp://portal%40kanzlei.example:gehe%3Aim%40@127.0.0.1:{port}")
    later = utcnow() + timedelta(minutes=1)
    assert deliver_due(sender=right, mail_from=MAIL_FROM, now=later) == 1
    assert len(recorder.messages) == 1
    assert recorder.logins == ["portal@kanzlei.example"]


def test_queue_rejects_unknown_template_and_bad_context(fresh_db):
    with session() as db:
        with pytest.raises(ValueError, match="Unknown email template"):
            queue(db, to="a@example.org", template="no_such_email", context={})
        with pytest.raises(TypeError):
            queue(db, to="a@example.org", template="password_reset", context={"locale": "de"})
        with pytest.raises(TypeError):
            queue(
                db,
                to="a@example.org",
                template="password_reset",
                context=reset_context(valid_minutes=timedelta(minutes=30)),
            )
        db.commit()
        assert db.exec(select(Outbox)).all() == []


def test_queue_without_smtp_logs_the_email(fresh_db, caplog):
    caplog.set_level(logging.INFO, logger="portal.mail")
    row_id = queue_reset(to="dev@example.org")

    [record] = [r for r in caplog.records if r.name == "portal.mail"]
    assert record.levelno == logging.INFO
    logged = record.getMessage()
    assert "dev@example.org" in logged
    assert "Passwort zurücksetzen" in logged
    assert LINK in logged
    assert load(row_id).sent_at is None


def test_sender_loop_returns_without_smtp(caplog):
    caplog.set_level(logging.INFO, logger="portal.mail")
    asyncio.run(run_sender_loop(interval=0.01))
    assert "SMTP_URL is not set" in caplog.text


def test_sender_loop_delivers_in_the_background(fresh_db, smtp_server, monkeypatch):
    recorder, port = smtp_server
    configured = dataclasses.replace(get_settings(), smtp_url=f"smtp://127.0.0.1:{port}")
    monkeypatch.setattr(services_outbox, "get_settings", lambda: configured)
    queue_reset()

    async def run_until_delivered() -> None:
        loop = asyncio.create_task(run_sender_loop(interval=0.05))
        for _ in range(100):
            if recorder.messages:
                break
            await asyncio.sleep(0.05)
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop

    asyncio.run(run_until_delivered())
    assert len(recorder.messages) == 1


def test_admin_outbox_view_and_retry(fresh_db):
    """Admins see queued, failed and sent emails with their errors, and can retry at once."""
    from portal.domain.enums import Role
    from portal.notify.smtp import SmtpSender
    from portal.services import db as portal_db
    from portal.services import outbox as service
    from portal.services.access import AccessDenied
    from tests import factories

    admin = factories.actor(factories.staff(role=Role.ADMIN, name="Katrin Berger"))
    accountant = factories.actor(factories.staff(name="Anna Schmidt"))
    with portal_db.session() as s:
        queue(s, to="kunde@example.test", template="password_reset",
              context={"locale": "de", "name": "K", "firm_name": "F", "link": "http://x/r/abc", "valid_minutes": 60})
        s.commit()
    down = SmtpSender.from_url("smtp://127.0.0.1:9")  # nothing listens on the discard port
    assert service.deliver_due(sender=down, mail_from="portal@test") == 0
    (row,) = service.list_outbox(actor=admin)
    assert row.status == "failed" and row.attempts == 1 and row.last_error
    assert service.list_outbox(actor=admin, status="sent") == []
    assert row.next_attempt_at > utcnow()
    assert service.retry_now(actor=admin, row_id=row.id)
    assert service.list_outbox(actor=admin)[0].next_attempt_at <= utcnow() + timedelta(seconds=1)
    with pytest.raises(AccessDenied):
        service.list_outbox(actor=accountant)
    with pytest.raises(AccessDenied):
        service.retry_now(actor=accountant, row_id=row.id)


class RefusingRecorder(Recorder):
    """Refuses one mailbox the way real servers do for unknown users."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address.startswith("unbekannt@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_refused_address_is_marked_failed_with_reason_and_not_retried(fresh_db):
    from portal.services.outbox import PERMANENT_PREFIX, is_permanent

    recorder = RefusingRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        refused = queue_reset(to="unbekannt@example.org")
        fine = queue_reset(to="erika@example.org")
        sender = SmtpSender.from_url(f"smtp://127.0.0.1:{port}")
        assert deliver_due(sender=sender, mail_from="portal@kanzlei.example") == 1
        row = load(refused)
        assert row.sent_at is None and row.attempts == 1
        assert row.last_error.startswith(PERMANENT_PREFIX) and "No such user" in row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(days=365)  # parked, not retried hourly
        assert deliver_due(sender=sender, mail_from="portal@kanzlei.example", now=utcnow() + timedelta(days=2)) == 0
        assert load(fine).sent_at is not None
    finally:
        controller.stop()
    import smtplib

    assert not is_permanent(smtplib.SMTPAuthenticationError(535, b"bad credentials"))
    assert not is_permanent(ConnectionRefusedError())
    assert is_permanent(smtplib.SMTPSenderRefused(550, b"no", "portal@x"))


def test_admin_outbox_view_pages_newest_first(fresh_db):
    """The view asks for a step of emails at a time; the limit is kept within bounds."""
    from portal.domain.enums import Role
    from portal.models import Outbox
    from portal.services import db as portal_db
    from portal.services import outbox as service
    from tests import factories

    admin = factories.actor(factories.staff(role=Role.ADMIN, name="Katrin Berger"))
    with portal_db.session() as s:
        s.add_all(Outbox(to=f"r{i}@example.test", template="talk_digest") for i in range(5))
        s.commit()
    assert [r.to for r in service.list_outbox(actor=admin, limit=2)] == ["r4@example.test", "r3@example.test"]
    assert len(service.list_outbox(actor=admin, limit=0)) == 1
    assert len(service.list_outbox(actor=admin)) == 5
