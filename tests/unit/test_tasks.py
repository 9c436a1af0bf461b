"""Client tasks: staff add document requests to a thread; the client ticks and uploads against them."""

import asyncio
import dataclasses

import pytest
from sqlmodel import select

from portal import realtime
from portal.domain.enums import SessionScope
from portal.models import Booking, Document, Folder
from portal.services import conversations, db, documents, talks, tasks
from portal.services.access import AccessDenied, NotFound
from portal.services.tasks import TaskError
from portal.services.uploads import UploadRefused
from tests import factories

PDF = b"%PDF-1.4\n" + b"k" * 700


async def _chunks(data: bytes):
    for i in range(0, len(data), 128):
        yield data[i:i + 128]


def upload(actor, task_id, data=PDF, name="Kontoauszug.pdf"):
    return asyncio.run(tasks.upload_for_task(actor=actor, task_id=task_id, filename=name, chunks=_chunks(data)))


@pytest.fixture
def thread(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    staff = factories.staff()
    account = factories.client(name="Aufgaben GmbH", accountants=(staff,), missing_receipts=1)
    anna = factories.actor(staff)
    maria = factories.actor(factories.contact(account=account))
    other = factories.actor(factories.contact(account=factories.client(name="Fremd AG"), first="Otto"))
    thread_id = conversations.start_conversation(actor=anna, account_id=account.id, subject="Jahresabschluss",
                                                 body="Wir benötigen noch Unterlagen.")
    return {"anna": anna, "maria": maria, "other": other, "thread_id": thread_id, "account": account}


def test_staff_add_tasks_and_the_client_ticks_them(thread):
    first = tasks.add_task(actor=thread["anna"], thread_id=thread["thread_id"], text="  Kontoauszüge   Oktober ")
    tasks.add_task(actor=thread["anna"], thread_id=thread["thread_id"], text="Lohnjournal")
    tasks.set_done(actor=thread["maria"], task_id=first, done=True)
    items = tasks.list_tasks(actor=thread["anna"], thread_id=thread["thread_id"])
    assert [(i.text, i.done_at is not None, i.done_by) for i in items] == [
        ("Kontoauszüge Oktober", True, "Maria Hofmann"), ("Lohnjournal", False, "")]
    tasks.set_done(actor=thread["maria"], task_id=first, done=False)
    assert tasks.list_tasks(actor=thread["maria"], thread_id=thread["thread_id"])[0].done_at is None


def test_upload_against_a_task_lands_in_the_uploads_folder_and_ticks_it(thread):
    task_id = tasks.add_task(actor=thread["anna"], thread_id=thread["thread_id"], text="Kontoauszüge")
    upload(thread["maria"], task_id)
    (item,) = tasks.list_tasks(actor=thread["anna"], thread_id=thread["thread_id"])
    assert item.done_at is not None and [f.filename for f in item.files] == ["Kontoauszug.pdf"]
    with db.session() as s:
        doc = s.exec(select(Document)).one()
        folder = s.get(Folder, doc.folder_id)
    assert folder.uploads_default and doc.task_id == task_id
    assert documents.readable_document(actor=thread["anna"], key=item.files[0].key).filename == "Kontoauszug.pdf"


def test_refused_upload_leaves_the_task_open_and_nothing_stored(thread):
    task_id = tasks.add_task(actor=thread["anna"], thread_id=thread["thread_id"], text="Kontoauszüge")
    with pytest.raises(UploadRefused):
        upload(thread["maria"], task_id, data=b"MZ\x90\x00" + b"x" * 700, name="auszug.pdf")
    assert tasks.list_tasks(actor=thread["anna"], thread_id=thread["thread_id"])[0].done_at is None
    with db.session() as s:
        assert s.exec(select(Document)).all() == []


def test_bad_task_input(thread):
    with pytest.raises(TaskError) as empty:
        tasks.add_task(actor=thread["anna"], thread_id=thread["thread_id"], text="   ")
    assert empty.value.key == "task.error.empty"
    with pytest.raises(TaskError):
        tasks.add_task(actor=thread["anna"], thread_id=thread["thread_id"], text="x" * 501)


def test_only_staff_add_or_remove_and_strangers_see_nothing(thread):
    task_id = tasks.add_task(actor=thread["anna"], thread_id=thread["thread_id"], text="Belege")
    with pytest.raises(AccessDenied):
        tasks.add_task(actor=thread["maria"], thread_id=thread["thread_id"], text="Selbst")
    with pytest.raises(AccessDenied):
        tasks.remove_task(actor=thread["maria"], task_id=task_id)
    with pytest.raises(NotFound):
        tasks.list_tasks(actor=thread["other"], thread_id=thread["thread_id"])
    with pytest.raises(NotFound):
        tasks.set_done(actor=thread["other"], task_id=task_id, done=True)
    link_session = dataclasses.replace(thread["maria"], scope=SessionScope.TALK)
    with pytest.raises(NotFound):  # an email link reaches booking talks only
        tasks.set_done(actor=link_session, task_id=task_id, done=True)
    tasks.remove_task(actor=thread["anna"], task_id=task_id)
    assert tasks.list_tasks(actor=thread["anna"], thread_id=thread["thread_id"]) == []


def test_closed_threads_take_no_changes(thread):
    task_id = tasks.add_task(actor=thread["anna"], thread_id=thread["thread_id"], text="Belege")
    conversations.close_conversation(actor=thread["anna"], thread_id=thread["thread_id"])
    with pytest.raises(TaskError):
        tasks.set_done(actor=thread["maria"], task_id=task_id, done=True)


def test_internal_notes_take_no_tasks(thread):
    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == thread["account"].id)).one()
    internal = talks.start_talk(actor=thread["anna"], booking_id=booking_id, recipient_contact_id=None,
                                internal=True, sender_name="", body="Intern")
    with pytest.raises(TaskError) as refused:
        tasks.add_task(actor=thread["anna"], thread_id=internal, text="Belege")
    assert refused.value.key == "task.error.internal"
