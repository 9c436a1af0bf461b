"""Page loads issue a fixed number of SQL statements, however many rows they show.

Each service call a page load makes runs against a small and a ten times larger data
set (clients with missing receipts and open talks, threads with messages and
attachments, documents, requests, questionnaires, devices...). A call whose statement
count grows with the rows runs a query per row (N+1); the failure lists both runs.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, update
from sqlmodel import select

from portal import realtime
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import Role
from portal.models import Booking, Contact, Outbox, PushSubscription
from portal.services import (
    bookings,
    clients,
    conversations,
    db,
    digests,
    documents,
    outbox,
    portal_home,
    questionnaires,
    talks,
    tasks,
    upload_requests,
    webpush,
)
from tests import factories

SMALL, LARGE = 3, 30
PDF = b"%PDF-1.4\n" + b"n" * 300


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """Record every statement sent to ``engine`` while the block runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def assert_flat(small: list[str], large: list[str]) -> None:
    """Fail when the larger data set took more statements than the small one."""
    if len(large) <= len(small):
        return
    listing = "\n".join(
        [f"--- {SMALL} rows: {len(small)} statements", *small, f"--- {LARGE} rows: {len(large)} statements", *large])
    raise AssertionError(f"statement count grows with the rows ({len(small)} -> {len(large)}):\n{listing}")


# The data


@dataclass(frozen=True)
class World:
    """Who and what the page loads look at."""

    admin: Actor
    anna: Actor
    maria: Actor
    account_id: int
    booking_id: int
    long_thread_id: int
    uploads_folder_id: int


async def _chunks(data: bytes):
    yield data


def _build(n: int) -> World:
    """``n`` of everything: clients, contacts, talks, messages, files, requests..."""
    factories.firm()
    admin_user = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    anna_user = factories.staff(name="Anna Schmidt")
    admin, anna = factories.actor(admin_user), factories.actor(anna_user)
    accounts = [factories.client(name=f"Mandant {i:02d} GmbH", accountants=(anna_user, admin_user),
                                 missing_receipts=n) for i in range(n)]
    main = accounts[0]
    maria_contact = factories.contact(account=main, first="Maria")
    maria = factories.actor(maria_contact)
    for account in accounts[1:]:
        clients.add_contact(actor=admin, account_id=account.id,
                            draft=clients.ContactDraft(existing_id=maria_contact.id))
    people = [factories.actor(factories.contact(account=main, first=f"Person {i}")) for i in range(n)]
    with db.session() as s:
        # Invited, not activated: the "pending activation" list.
        s.exec(update(Contact).where(Contact.id.in_([p.id for p in people])).values(invited_at=utcnow()))
        booking_ids = {a.id: list(s.exec(select(Booking.id).where(Booking.account_id == a.id)
                                         .order_by(Booking.id)).all()) for a in accounts}
        s.commit()

    # Talks: every booking of the main client, the first booking of every other one; the client answers.
    talk_ids = []
    for account in accounts:
        for booking_id in booking_ids[account.id] if account is main else booking_ids[account.id][:1]:
            thread_id = talks.start_talk(actor=anna, booking_id=booking_id, recipient_contact_id=None,
                                         internal=False, sender_name="Anna", body="Wo ist der Beleg?")
            talks.post_message(actor=maria, thread_id=thread_id, body="Kommt heute.")
            talk_ids.append(thread_id)
    long_thread = talk_ids[0]
    for i in range(n):
        talks.post_message(actor=anna, thread_id=long_thread, body=f"Noch eine Frage {i}")
        talks.add_receipt_message(actor=maria, thread_id=long_thread, body=f"Beleg {i}", filename=f"beleg-{i}.pdf",
                                  blob_key=f"beleg-{n}-{i}", size=100, content_type="application/pdf",
                                  sha256="0" * 64)
        task_id = tasks.add_task(actor=anna, thread_id=long_thread, text=f"Kontoauszug {i}")
        tasks.set_done(actor=people[i], task_id=task_id, done=True)

    for i in range(n):
        cid = conversations.start_conversation(actor=anna, account_id=accounts[i].id, subject=f"Thema {i}",
                                               body="Guten Tag")
        conversations.start_conversation(actor=maria, account_id=main.id, subject=f"Frage {i}", body="Hallo")
        talks.post_message(actor=maria, thread_id=cid, body="Danke")

    uploads = next(f for f in documents.browse(actor=anna, account_id=main.id).subfolders if f.uploads_default)
    for person in (*people, anna, admin):
        asyncio.run(documents.upload_document(actor=person, folder_id=uploads.id, filename="Bescheid.pdf",
                                              chunks=_chunks(PDF)))
    for i in range(n):
        upload_requests.create_request(actor=anna, account_id=main.id, folder_id=uploads.id, message=f"Bitte {i}")

    template_id = questionnaires.create_template(actor=anna, title="Einkommensteuer")
    for i in range(3):
        questionnaires.add_question(actor=anna, template_id=template_id, text=f"Frage {i}", kind="text")
    for _ in range(n):
        questionnaires.send_questionnaire(actor=anna, template_id=template_id, account_id=main.id, notify=False)
    sent = questionnaires.account_questionnaires(actor=anna, account_id=main.id)
    for summary in sent:
        view = questionnaires.questionnaire(actor=maria, questionnaire_id=summary.id)
        questionnaires.save_answer(actor=maria, question_id=view.questions[0].id, value="Ja")

    digests.subscribe(actor=anna, account_id=None, frequency="weekly")
    for account in accounts:
        digests.subscribe(actor=anna, account_id=account.id, frequency="daily")
    with db.session() as s:
        s.add_all(Outbox(to=f"r{i}@example.test", template="talk_digest") for i in range(n))
        s.add_all(PushSubscription(subject_kind=who.kind.value, subject_id=who.id,
                                   endpoint=f"https://push.example.test/{who.kind.value}/{i}",
                                   p256dh="p", auth="a", device=f"Gerät {i}")
                  for who in (anna, maria) for i in range(n))
        s.commit()
    return World(admin=admin, anna=anna, maria=maria, account_id=main.id, booking_id=booking_ids[main.id][0],
                 long_thread_id=long_thread, uploads_folder_id=uploads.id)


@pytest.fixture(scope="module")
def worlds(migrated_template, tmp_path_factory) -> dict[int, tuple[Path, World]]:
    """A database file per size, built once; each test runs on a copy."""
    built = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(realtime, "publish", lambda rooms, **_: None)
        for n in (SMALL, LARGE):
            path = tmp_path_factory.mktemp(f"world-{n}") / "portal.db"
            shutil.copy(migrated_template, path)
            engine = db.make_engine(f"sqlite:///{path}")
            mp.setattr(db, "get_engine", lambda engine=engine: engine)
            built[n] = (path, _build(n))
            engine.dispose()
    return built


def _statements(worlds, n: int, call: Callable[[World], object], tmp_path: Path, monkeypatch) -> list[str]:
    source, world = worlds[n]
    path = tmp_path / f"portal-{n}.db"
    shutil.copy(source, path)
    engine = db.make_engine(f"sqlite:///{path}")
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    try:
        with counted(engine) as statements:
            call(world)
        return statements
    finally:
        engine.dispose()


# The page loads: every call must stay at the small data set's count (fewer is fine: a list
# whose first page holds no booking talk skips reading bookings).

CALLS: dict[str, Callable[[World], object]] = {
    "clients.list_clients[admin]": lambda w: clients.list_clients(actor=w.admin),
    "clients.list_clients[search,missing]": lambda w: clients.list_clients(actor=w.anna, query="mandant",
                                                                           missing_only=True),
    "clients.pending_activations": lambda w: clients.pending_activations(actor=w.admin),
    "clients.account_details": lambda w: clients.account_details(actor=w.anna, account_id=w.account_id),
    "conversations.inbox[open]": lambda w: conversations.inbox(actor=w.anna),
    "conversations.inbox[answered,all clients]": lambda w: conversations.inbox(actor=w.admin, mine=False,
                                                                               state="answered"),
    "conversations.list_for_client": lambda w: conversations.list_for_client(actor=w.maria),
    "conversations.action_count[staff]": lambda w: conversations.action_count(actor=w.anna),
    "conversations.action_count[client]": lambda w: conversations.action_count(actor=w.maria),
    "talks.open_items": lambda w: talks.open_items(actor=w.maria),
    "portal_home.home": lambda w: portal_home.home(actor=w.maria),
    "bookings.list_bookings": lambda w: bookings.list_bookings(actor=w.anna, account_id=w.account_id),
    "bookings.list_bookings[ledger,talk]": lambda w: bookings.list_bookings(
        actor=w.anna, account_id=w.account_id, ledger="suppliers", talk="talk"),
    "talks.thread_view[staff]": lambda w: talks.thread_view(actor=w.anna, thread_id=w.long_thread_id),
    "talks.thread_view[client]": lambda w: talks.thread_view(actor=w.maria, thread_id=w.long_thread_id),
    "talks.booking_talk": lambda w: talks.booking_talk(actor=w.anna, booking_id=w.booking_id),
    "tasks.list_tasks": lambda w: tasks.list_tasks(actor=w.maria, thread_id=w.long_thread_id),
    "documents.browse": lambda w: documents.browse(actor=w.anna, account_id=w.account_id,
                                                   folder_id=w.uploads_folder_id),
    "upload_requests.list_requests": lambda w: upload_requests.list_requests(actor=w.anna, account_id=w.account_id),
    "questionnaires.account_questionnaires": lambda w: questionnaires.account_questionnaires(
        actor=w.anna, account_id=w.account_id),
    "questionnaires.client_questionnaires": lambda w: questionnaires.client_questionnaires(actor=w.maria),
    "outbox.list_outbox": lambda w: outbox.list_outbox(actor=w.admin),
    "digests.list_subscriptions": lambda w: digests.list_subscriptions(actor=w.anna),
    "webpush.list_devices": lambda w: webpush.list_devices(actor=w.maria),
}


@pytest.mark.parametrize("name", CALLS)
def test_page_load_statements_do_not_grow_with_the_rows(name, worlds, tmp_path, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    small = _statements(worlds, SMALL, CALLS[name], tmp_path, monkeypatch)
    large = _statements(worlds, LARGE, CALLS[name], tmp_path, monkeypatch)
    assert small, "the counter saw no statements"
    assert_flat(small, large)


def test_a_query_per_row_is_caught(worlds, tmp_path, monkeypatch):
    """The check itself works: reading each booking on its own is reported."""
    def per_row(world: World) -> None:
        with db.session() as s:
            for booking_id in s.exec(select(Booking.id).where(Booking.account_id == world.account_id)).all():
                s.exec(select(Booking).where(Booking.id == booking_id)).one()

    small = _statements(worlds, SMALL, per_row, tmp_path, monkeypatch)
    large = _statements(worlds, LARGE, per_row, tmp_path, monkeypatch)
    with pytest.raises(AssertionError, match=f"{len(small)} -> {len(large)}"):
        assert_flat(small, large)
