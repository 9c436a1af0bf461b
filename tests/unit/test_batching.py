"""Batched email notices: one per user, quiet period, session end, send-now, read left out, intern never.

Both directions: the firm's messages to client users, and client messages to the firm's
responsible staff.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from portal import realtime
from portal.domain.clock import utcnow
from portal.domain.enums import Role
from portal.models import AccountContact, Booking, Contact, Firm, Outbox, StaffUser
from portal.services import conversations, db, notifications, outbox, talks
from tests import factories


class RecordingSender:
    """Stands in for SMTP and keeps what it was asked to send."""

    def __init__(self):
        self.sent = []

    def send(self, email, *, mail_from):
        self.sent.append(email)


@pytest.fixture
def setup(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    factories.firm(name="Steuerkanzlei Berger")
    anna = factories.staff(name="Anna Schmidt")
    account = factories.client(name="Batch GmbH", accountants=(anna,), missing_receipts=3)
    maria = factories.contact(account=account, first="Maria")
    thomas = factories.contact(account=account, first="Thomas")
    with db.session() as s:
        bookings = s.exec(select(Booking.id).where(Booking.account_id == account.id).order_by(Booking.id)).all()
    return {"anna": factories.actor(anna), "maria": maria, "thomas": thomas, "account": account,
            "bookings": bookings}


def ask(setup, index=0, **kwargs):
    args = {"recipient_contact_id": setup["maria"].id, "internal": False, "sender_name": "", "body": "Beleg bitte"}
    return talks.start_talk(actor=setup["anna"], booking_id=setup["bookings"][index], **(args | kwargs))


def deliver(minutes: float = 0):
    sender = RecordingSender()
    outbox.deliver_due(sender=sender, mail_from="portal@test", now=utcnow() + timedelta(minutes=minutes))
    return sender.sent


def pending(template: str = notifications.TEMPLATE) -> list[Outbox]:
    with db.session() as s:
        return list(s.exec(select(Outbox).where(Outbox.template == template, Outbox.sent_at.is_(None))).all())


def change(model, key, **values) -> None:
    with db.session() as s:
        row = s.get(model, key)
        for name, value in values.items():
            setattr(row, name, value)
        s.add(row)
        s.commit()


def test_messages_collect_into_one_email_per_user_after_the_quiet_period(setup):
    ask(setup, 0)
    ask(setup, 1)
    talks.post_message(actor=setup["anna"], thread_id=ask(setup, 0), body="Und noch etwas")
    assert len(pending()) == 1  # one batch for Maria, however many messages
    assert deliver(minutes=5) == []  # still within the quiet period
    (email,) = deliver(minutes=11)
    assert email.to == setup["maria"].email
    assert "Ungelesene Nachrichten: 4" in email.text
    assert "/t/" in email.text and "Beleg bitte" not in email.text  # no message text by default
    assert deliver(minutes=30) == []  # nothing sent twice


def test_each_new_message_restarts_the_quiet_period(setup):
    ask(setup, 0)
    first = pending()[0].not_before
    ask(setup, 1)
    assert pending()[0].not_before > first


def test_audience_all_reaches_each_user(setup):
    ask(setup, 0, recipient_contact_id=None)
    assert sorted(e.to for e in deliver(minutes=11)) == sorted([setup["maria"].email, setup["thomas"].email])


def test_internal_talks_never_mail(setup):
    ask(setup, 0, internal=True)
    assert pending() == [] and deliver(minutes=60) == []


def test_notify_off_gets_no_email(setup):
    with db.session() as s:
        link = s.get(AccountContact, (setup["account"].id, setup["maria"].id))
        link.notify = False
        s.add(link)
        s.commit()
    ask(setup, 0)
    assert pending() == []


def test_send_now_releases_at_once(setup):
    ask(setup, 0)
    assert deliver() == []
    assert notifications.send_now(actor=setup["anna"], account_id=setup["account"].id) == 1
    assert len(deliver()) == 1


def test_session_end_releases_the_accountants_batches(setup):
    ask(setup, 0)
    assert notifications.end_session(staff_id=setup["anna"].id) == 1
    assert len(deliver()) == 1


def test_messages_read_in_the_portal_are_left_out_and_empty_batches_not_sent(setup):
    first = ask(setup, 0)
    ask(setup, 1)
    talks.thread_view(actor=factories.actor(setup["maria"]), thread_id=first)  # she read one already
    (email,) = deliver(minutes=11)
    assert "Ungelesene Nachrichten: 1" in email.text
    second = ask(setup, 2)
    talks.thread_view(actor=factories.actor(setup["maria"]), thread_id=second)
    assert deliver(minutes=11) == []  # everything read: no email
    with db.session() as s:
        skipped = s.exec(select(Outbox).where(Outbox.last_error == notifications.SKIPPED)).all()
    assert len(skipped) == 1 and skipped[0].sent_at is not None


def test_firm_may_allow_text_and_amounts(setup):
    with db.session() as s:
        firm = s.exec(select(Firm)).one()
        firm.mail_include_text, firm.mail_include_amounts = True, True
        s.add(firm)
        s.commit()
    ask(setup, 0, body="Bitte die Rechnung <b>hochladen</b>")
    (email,) = deliver(minutes=11)
    assert "Bitte die Rechnung <b>hochladen</b>" in email.text
    assert "Bitte die Rechnung &lt;b&gt;hochladen&lt;/b&gt;" in email.html
    assert "Lieferant 1" in email.text and "€" in email.text


def test_talk_password_sends_a_plain_link(setup):
    with db.session() as s:
        firm = s.exec(select(Firm)).one()
        firm.talk_password = True
        s.add(firm)
        s.commit()
    ask(setup, 0)
    (email,) = deliver(minutes=11)
    assert "/t/" not in email.text and "/portal" in email.text


def test_client_messages_and_conversations_from_clients_do_not_mail_the_client(setup):
    thread = ask(setup, 0)
    notifications.send_now(actor=setup["anna"], account_id=setup["account"].id)
    assert len(deliver()) == 1
    talks.post_message(actor=factories.actor(setup["maria"]), thread_id=thread, body="Antwort")
    conversations.start_conversation(actor=factories.actor(setup["maria"]), account_id=setup["account"].id,
                                     subject="Frage", body="Hallo")
    assert pending() == []


def test_emails_follow_the_contacts_language(setup):
    from portal.models import Contact

    with db.session() as s:
        contact = s.get(Contact, setup["maria"].id)
        contact.locale = "fr"
        s.add(contact)
        s.commit()
    ask(setup, 0)
    (email,) = deliver(minutes=11)
    assert "Messages non lus : 1" in email.text and email.html.count("<html") == 1


def test_contact_who_switched_email_notices_off_gets_none(setup):
    change(Contact, setup["maria"].id, email_notices=False)
    ask(setup, 0)
    assert pending() == []


# Working session end without logout: the staff tabs' heartbeat stops.


def seen(staff_id: int):
    with db.session() as s:
        return s.get(StaffUser, staff_id).last_seen_at


def test_writing_counts_as_presence_and_the_batch_waits_while_tabs_beat(setup):
    ask(setup, 0)
    assert seen(setup["anna"].id) is not None
    notifications.heartbeat(actor=setup["anna"])
    assert notifications.release_ended_sessions(now=utcnow() + timedelta(seconds=60)) == 0
    assert deliver(minutes=1) == []


def test_last_tab_closed_releases_the_batch_after_the_presence_timeout(setup):
    ask(setup, 0)
    later = utcnow() + notifications.PRESENCE_TIMEOUT + timedelta(seconds=5)
    assert notifications.release_ended_sessions(now=later) == 1
    assert len(deliver(minutes=2)) == 1
    assert notifications.release_ended_sessions(now=later) == 0


def test_a_batch_two_accountants_wrote_into_waits_for_both(setup):
    bernd = factories.staff(role=Role.ADMIN, name="Bernd Wolf")
    ask(setup, 0)
    talks.start_talk(actor=factories.actor(bernd), booking_id=setup["bookings"][1],
                     recipient_contact_id=setup["maria"].id, internal=False, sender_name="", body="Noch eine Frage")
    change(StaffUser, bernd.id, last_seen_at=utcnow() + timedelta(minutes=5))  # Bernd keeps working
    assert notifications.release_ended_sessions(now=utcnow() + timedelta(minutes=2)) == 0
    assert notifications.release_ended_sessions(now=utcnow() + timedelta(minutes=8)) == 1


def test_logout_forgets_the_presence(setup):
    ask(setup, 0)
    notifications.end_session(staff_id=setup["anna"].id)
    assert seen(setup["anna"].id) is None


def test_heartbeat_is_for_staff_only(setup):
    from portal.services.access import AccessDenied

    with pytest.raises(AccessDenied):
        notifications.heartbeat(actor=factories.actor(setup["maria"]))


# Client messages notify the firm's responsible staff.


def client_writes(setup, body="Hier ist der Beleg", thread=None):
    maria = factories.actor(setup["maria"])
    if thread is None:
        return conversations.start_conversation(actor=maria, account_id=setup["account"].id, subject="Frage",
                                                body=body)
    return talks.post_message(actor=maria, thread_id=thread, body=body)


def test_client_messages_collect_into_one_email_to_the_assigned_accountant(setup):
    factories.staff(role=Role.ADMIN, name="Chefin")  # not assigned: hears nothing
    thread = ask(setup, 0)
    client_writes(setup, thread=thread)
    client_writes(setup)
    assert len(pending(notifications.STAFF_TEMPLATE)) == 1
    assert deliver(minutes=5) == []  # quiet period
    (email,) = [e for e in deliver(minutes=11) if e.subject.startswith("Neues von Mandanten")]
    with db.session() as s:
        assert email.to == s.get(StaffUser, setup["anna"].id).email
    assert "Batch GmbH: 2 ungelesen" in email.text and "Hier ist der Beleg" not in email.text
    assert "/staff/inbox" in email.text


def test_admins_hear_about_clients_nobody_is_assigned_to(setup):
    boss = factories.staff(role=Role.ADMIN, name="Chefin")
    lonely = factories.client(name="Ohne Zuständige KG")
    paula = factories.contact(account=lonely, first="Paula")
    conversations.start_conversation(actor=factories.actor(paula), account_id=lonely.id, subject="Hallo", body="?")
    (batch,) = pending(notifications.STAFF_TEMPLATE)
    assert batch.to == boss.email


def test_staff_who_switched_notices_off_get_none(setup):
    change(StaffUser, setup["anna"].id, email_notices=False)
    client_writes(setup)
    assert pending(notifications.STAFF_TEMPLATE) == []


def test_client_messages_the_firm_read_meanwhile_are_left_out(setup):
    thread = client_writes(setup)
    talks.thread_view(actor=setup["anna"], thread_id=thread)
    assert [e for e in deliver(minutes=11) if "Mandanten" in e.subject] == []


def test_internal_notes_and_staff_messages_never_mail_staff(setup):
    ask(setup, 0, internal=True)
    ask(setup, 1)
    assert pending(notifications.STAFF_TEMPLATE) == []


# New documents notify the other side through the same batches.


def _upload(actor, folder_id, name="Bescheid.pdf"):
    import asyncio

    from portal.services import documents

    async def chunks():
        yield b"%PDF-1.4\n" + b"d" * 500

    return asyncio.run(documents.upload_document(actor=actor, folder_id=folder_id, filename=name, chunks=chunks()))


def _folders(setup):
    from portal.services import documents, folders

    top = documents.browse(actor=setup["anna"], account_id=setup["account"].id).subfolders[0]
    private = folders.create_folder(actor=setup["anna"], account_id=setup["account"].id, parent_id=None,
                                    name="Intern")
    return top.id, private


def test_documents_in_a_shared_folder_reach_the_client_users(setup):
    shared, private = _folders(setup)
    _upload(setup["anna"], private)
    assert pending() == []  # the client does not see that folder
    _upload(setup["anna"], shared)
    _upload(setup["anna"], shared, name="Bilanz.pdf")
    emails = deliver(minutes=11)
    assert sorted(e.to for e in emails) == sorted([setup["maria"].email, setup["thomas"].email])
    assert "Neue Dokumente für Sie: 2" in emails[0].text and "/portal/documents" in emails[0].text
    assert "Ungelesene Nachrichten" not in emails[0].text


def test_client_uploads_reach_the_responsible_staff(setup):
    shared, _private = _folders(setup)
    _upload(factories.actor(setup["maria"]), shared)
    (email,) = [e for e in deliver(minutes=11) if e.subject.startswith("Neues von Mandanten")]
    assert "Batch GmbH – neue Dokumente: 1" in email.text and "Mandanten haben neue Dokumente hochgeladen: 1" in email.text
