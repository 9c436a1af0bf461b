"""Booking talks: statuses, who sees what, delete and close rules, live-update rooms."""

import pytest
from sqlmodel import select

from portal import realtime
from portal.domain.enums import Role
from portal.domain.talks import Delivery, TalkStatus
from portal.models import Booking
from portal.services import bookings, db, talks
from portal.services.access import AccessDenied, NotFound
from tests import factories


actor_of = factories.actor


@pytest.fixture
def published(monkeypatch):
    rooms: list[set[str]] = []
    monkeypatch.setattr(realtime, "publish", lambda r, **_: rooms.append(set(r)))
    return rooms


@pytest.fixture
def firm(fresh_db, published):
    factories.firm()
    anna = factories.staff(name="Anna Schmidt")
    jonas = factories.staff(name="Jonas Weber")
    bakery = factories.client(name="Bäckerei Hofmann GmbH", accountants=(anna,), missing_receipts=3)
    other = factories.client(name="Fremde GmbH", accountants=(jonas,), missing_receipts=1)
    maria = factories.contact(account=bakery, first="Maria")
    thomas = factories.contact(account=bakery, first="Thomas")
    limited = factories.contact(account=bakery, first="Lena", full_access=False)
    stranger = factories.contact(account=other, first="Fritz")
    with db.session() as s:
        booking_ids = s.exec(select(Booking.id).where(Booking.account_id == bakery.id).order_by(Booking.id)).all()
        other_booking = s.exec(select(Booking.id).where(Booking.account_id == other.id)).one()
    return {"anna": actor_of(anna), "jonas": actor_of(jonas), "maria": actor_of(maria),
            "thomas": actor_of(thomas), "limited": actor_of(limited), "stranger": actor_of(stranger),
            "bakery": bakery, "bookings": booking_ids, "other_booking": other_booking}


def ask(firm, booking_index=0, **kwargs):
    args = {"recipient_contact_id": None, "internal": False, "sender_name": "Anna aus der Kanzlei",
            "body": "Bitte Rechnung hochladen."} | kwargs
    return talks.start_talk(actor=firm["anna"], booking_id=firm["bookings"][booking_index], **args)


def status_of(firm, booking_index=0):
    rows = bookings.list_bookings(actor=firm["anna"], account_id=firm["bakery"].id).rows
    return {r.id: r.talk for r in rows}[firm["bookings"][booking_index]]


def test_status_goes_waiting_answered_waiting_closed(firm):
    assert status_of(firm) == TalkStatus.NONE
    thread_id = ask(firm)
    assert status_of(firm) == TalkStatus.WAITING
    talks.post_message(actor=firm["maria"], thread_id=thread_id, body="Kommt gleich.")
    assert status_of(firm) == TalkStatus.ANSWERED
    talks.post_message(actor=firm["anna"], thread_id=thread_id, body="Danke!")
    assert status_of(firm) == TalkStatus.WAITING
    talks.close_talk(actor=firm["anna"], thread_id=thread_id)
    assert status_of(firm) == TalkStatus.CLOSED
    view = talks.thread_view(actor=firm["maria"], thread_id=thread_id)
    assert view.status == "closed" and len(view.messages) == 3  # closed talks stay readable
    with pytest.raises(talks.TalkError, match="talk.error.closed"):
        talks.post_message(actor=firm["maria"], thread_id=thread_id, body="Noch was")


def test_second_question_continues_the_open_talk(firm):
    first = ask(firm)
    assert ask(firm, body="Und die Lieferung?") == first
    assert len(talks.thread_view(actor=firm["anna"], thread_id=first).messages) == 2


def test_talk_filter_and_counts(firm):
    ask(firm, 0)
    answered = ask(firm, 1)
    talks.post_message(actor=firm["maria"], thread_id=answered, body="Erledigt")
    ask(firm, 2, internal=True)
    page = bookings.list_bookings(actor=firm["anna"], account_id=firm["bakery"].id, talk="answered")
    assert [r.id for r in page.rows] == [firm["bookings"][1]]
    assert page.talk_counts == {"waiting": 1, "answered": 1, "internal": 1, "talk": 3}
    with_talk = bookings.list_bookings(actor=firm["anna"], account_id=firm["bakery"].id, talk="talk")
    assert with_talk.total == 3


def test_internal_talk_is_invisible_to_every_client(firm, published):
    thread_id = ask(firm, internal=True, body="Intern: Beleg doppelt gebucht?")
    # No client, and only the account's accountant and the admins among the staff.
    assert published[-1] == {f"thread-{thread_id}", f"account-{firm['bakery'].id}", f"user-staff-{firm['anna'].id}",
                             "firm-all"}
    for who in ("maria", "thomas", "limited", "stranger"):
        with pytest.raises(NotFound):
            talks.thread_view(actor=firm[who], thread_id=thread_id)
        with pytest.raises(NotFound):
            talks.post_message(actor=firm[who], thread_id=thread_id, body="hallo")
        assert talks.open_items(actor=firm[who]) == []
    view = talks.thread_view(actor=firm["anna"], thread_id=thread_id)
    assert view.kind == "internal" and view.messages[0].delivery == Delivery.SENT


def test_audience_all_reaches_full_access_contacts_only(firm):
    thread_id = ask(firm)
    assert [i.thread_id for i in talks.open_items(actor=firm["maria"])] == [thread_id]
    assert [i.thread_id for i in talks.open_items(actor=firm["thomas"])] == [thread_id]
    assert talks.open_items(actor=firm["limited"]) == []
    assert talks.open_items(actor=firm["stranger"]) == []


def test_private_recipient_only(firm):
    thread_id = ask(firm, recipient_contact_id=firm["thomas"].id)
    assert talks.open_items(actor=firm["maria"]) == []
    with pytest.raises(NotFound):
        talks.thread_view(actor=firm["maria"], thread_id=thread_id)
    (item,) = talks.open_items(actor=firm["thomas"])
    assert item.question == "Bitte Rechnung hochladen." and item.unread


def test_open_items_page_newest_activity_first_and_only_the_page_counts_as_received(firm):
    first, second, third = (ask(firm, booking_index=i) for i in range(3))
    talks.post_message(actor=firm["anna"], thread_id=first, body="Noch da?")

    def delivery(thread_id):
        return talks.thread_view(actor=firm["anna"], thread_id=thread_id).messages[-1].delivery

    page = talks.open_items(actor=firm["maria"], limit=2)
    assert [i.thread_id for i in page] == [first, third]
    assert [i.question for i in page] == ["Noch da?", "Bitte Rechnung hochladen."]
    # Her portal showed two of the three talks: the third is not received yet.
    assert [delivery(t) for t in (first, third, second)] == [Delivery.DELIVERED, Delivery.DELIVERED, Delivery.SENT]
    assert [i.thread_id for i in talks.open_items(actor=firm["maria"], limit=3)] == [first, third, second]
    assert delivery(second) == Delivery.DELIVERED


def test_recipient_must_have_portal_access_on_that_account(firm):
    with pytest.raises(talks.TalkError, match="talk.error.recipient"):
        ask(firm, recipient_contact_id=firm["stranger"].id)


def test_delivery_states_sent_delivered_read(firm):
    thread_id = ask(firm, recipient_contact_id=firm["maria"].id)
    message = talks.thread_view(actor=firm["anna"], thread_id=thread_id).messages[0]
    assert message.delivery == Delivery.SENT
    talks.open_items(actor=firm["maria"])  # her portal received it
    assert talks.thread_view(actor=firm["anna"], thread_id=thread_id).messages[0].delivery == Delivery.DELIVERED
    talks.thread_view(actor=firm["maria"], thread_id=thread_id)  # she opened it
    assert talks.thread_view(actor=firm["anna"], thread_id=thread_id).messages[0].delivery == Delivery.READ
    # Her answer: delivered when the firm lists the bookings, read when the flyout opens.
    talks.post_message(actor=firm["maria"], thread_id=thread_id, body="Anbei")
    assert talks.thread_view(actor=firm["maria"], thread_id=thread_id).messages[1].delivery == Delivery.SENT
    bookings.list_bookings(actor=firm["anna"], account_id=firm["bakery"].id)
    assert talks.thread_view(actor=firm["maria"], thread_id=thread_id).messages[1].delivery == Delivery.DELIVERED
    talks.booking_talk(actor=firm["anna"], booking_id=firm["bookings"][0])
    assert talks.thread_view(actor=firm["maria"], thread_id=thread_id).messages[1].delivery == Delivery.READ


def test_only_the_author_deletes_and_both_sides_see_deleted(firm):
    thread_id = ask(firm)
    answer = talks.post_message(actor=firm["maria"], thread_id=thread_id, body="Meine Antwort")
    for who in ("anna", "thomas", "jonas", "stranger"):
        with pytest.raises(AccessDenied):
            talks.delete_message(actor=firm[who], message_id=answer)
    talks.delete_message(actor=firm["maria"], message_id=answer)
    for who in ("anna", "maria"):
        deleted = talks.thread_view(actor=firm[who], thread_id=thread_id).messages[1]
        assert deleted.deleted and deleted.body == ""


def test_no_posting_into_another_clients_talk(firm):
    thread_id = ask(firm)
    with pytest.raises(NotFound):
        talks.post_message(actor=firm["stranger"], thread_id=thread_id, body="hallo")
    with pytest.raises(NotFound):
        talks.post_message(actor=firm["jonas"], thread_id=thread_id, body="hallo")  # not assigned
    with pytest.raises(NotFound):
        talks.start_talk(actor=firm["anna"], booking_id=firm["other_booking"], recipient_contact_id=None,
                         internal=False, sender_name="", body="Frage")
    with pytest.raises(AccessDenied):
        talks.start_talk(actor=firm["maria"], booking_id=firm["bookings"][0], recipient_contact_id=None,
                         internal=False, sender_name="", body="Frage")


def test_admin_works_every_account(firm, fresh_db):
    admin = actor_of(factories.staff(role=Role.ADMIN, name="Katrin Berger"))
    thread_id = ask(firm)
    talks.post_message(actor=admin, thread_id=thread_id, body="Ich übernehme.")


@pytest.mark.parametrize("body, key", [("", "talk.error.empty"), ("   \n\t", "talk.error.empty"),
                                       ("x" * 10_001, "talk.error.too_long")])
def test_bad_bodies_are_refused(firm, body, key):
    with pytest.raises(talks.TalkError, match=key):
        ask(firm, body=body)


def test_html_is_stored_as_text(firm):
    thread_id = ask(firm, body="<script>alert(1)</script>")
    assert talks.thread_view(actor=firm["maria"], thread_id=thread_id).messages[0].body == "<script>alert(1)</script>"


def test_closing_is_for_staff_only(firm):
    thread_id = ask(firm)
    with pytest.raises(AccessDenied):
        talks.close_talk(actor=firm["maria"], thread_id=thread_id)
    with pytest.raises(NotFound):
        talks.close_talk(actor=firm["jonas"], thread_id=thread_id)


def test_sender_name_is_remembered(firm):
    ask(firm, sender_name="Frau Schmidt")
    assert talks.sender_name(actor=firm["anna"]) == "Frau Schmidt"
    thread_id = ask(firm, 1, sender_name="")
    assert talks.thread_view(actor=firm["maria"], thread_id=thread_id).messages[0].sender_name == "Anna Schmidt"


def test_rooms_published_after_each_change(firm, published):
    account = firm["bakery"].id
    thread_id = ask(firm)
    readers = {f"user-contact-{firm[who].id}" for who in ("maria", "thomas")}  # full access, login
    staff = {f"user-staff-{firm['anna'].id}", "firm-all"}  # Jonas works another client: not told
    assert published[-1] == {f"thread-{thread_id}", f"account-{account}"} | staff | readers
    private = ask(firm, 1, recipient_contact_id=firm["thomas"].id)
    assert published[-1] == {f"thread-{private}", f"account-{account}", f"user-contact-{firm['thomas'].id}"} | staff
    published.clear()
    talks.open_items(actor=firm["maria"])
    assert published == [{f"thread-{thread_id}"}]  # her delivery tick reaches the firm
    published.clear()
    talks.open_items(actor=firm["maria"])
    assert published == []  # nothing changed, nobody woken


def test_receipt_message_attaches_to_booking_and_clears_missing(firm):
    thread_id = ask(firm)
    talks.add_receipt_message(actor=firm["maria"], thread_id=thread_id, body="", filename="rechnung.pdf",
                              blob_key="k" * 32, size=1234, content_type="application/pdf", sha256="0" * 64)
    view = talks.thread_view(actor=firm["anna"], thread_id=thread_id)
    assert not view.booking.receipt_missing
    assert [a.filename for a in view.receipts] == ["rechnung.pdf"]
    assert [a.filename for a in view.messages[1].attachments] == ["rechnung.pdf"]
    talks.delete_message(actor=firm["maria"], message_id=view.messages[1].id)
    view = talks.thread_view(actor=firm["anna"], thread_id=thread_id)
    assert view.booking.receipt_missing and view.receipts == ()


def test_export_closes_open_talks_and_marks_exported(firm, published):
    import io
    import zipfile

    from portal.services import booking_transfer
    from portal.storage import get_store

    first = ask(firm, 0)
    ask(firm, 1, internal=True)
    talks.add_receipt_message(actor=firm["maria"], thread_id=first, body="", filename="rechnung.pdf",
                              blob_key=_stored_blob(b"%PDF-1.4 demo"), size=13, content_type="application/pdf",
                              sha256="0" * 64)
    year = talks.thread_view(actor=firm["anna"], thread_id=first).booking.date.year
    result = booking_transfer.export_bookings(actor=firm["anna"], account_id=firm["bakery"].id, fmt="datev",
                                              year=year, consultant_number=29098, client_number=10001)
    assert result.bookings == 3 and result.closed_talks == 2
    statuses = {r.talk for r in bookings.list_bookings(actor=firm["anna"], account_id=firm["bakery"].id).rows}
    assert statuses == {TalkStatus.CLOSED, TalkStatus.NONE}
    assert all(r.exported for r in bookings.list_bookings(actor=firm["anna"], account_id=firm["bakery"].id).rows)
    assert talks.thread_view(actor=firm["maria"], thread_id=first).status == "closed"  # still readable
    with get_store().open(result.key) as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert "EXTF_Buchungsstapel.csv" in names and any(n.startswith("Belege/") for n in names)
    with pytest.raises(booking_transfer.TransferError, match="export.error.nothing"):
        booking_transfer.export_bookings(actor=firm["anna"], account_id=firm["bakery"].id, fmt="csv", year=year)


def _stored_blob(data: bytes) -> str:
    import asyncio

    from portal.storage import get_store

    async def chunks():
        yield data

    return asyncio.run(get_store().put_stream(chunks(), max_bytes=1024)).key
