"""Client tasks: document requests the firm adds to a thread as a checklist.

The client ticks items off and can upload a file against an item; the file lands in
the account's uploads folder (linked to the item) and ticks it. Staff see progress
live in the same thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlmodel import Session, select

from portal import realtime
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import ThreadStatus
from portal.domain.errors import UserError
from portal.domain.files import DOCUMENT_TYPES
from portal.domain.talks import STAFF_ONLY_THREADS
from portal.domain.text import clean_line
from portal.models import ClientTask, Contact, Document, Thread
from portal.services import access, db, folders, notifications
from portal.services.uploads import StoredUpload, save_upload

MAX_TASK_CHARS = 500
MAX_TASKS = 50


class TaskError(UserError):
    """Refused task input; ``key`` is the catalog key of the message."""


@dataclass(frozen=True)
class TaskFile:
    """A file uploaded against a task."""

    filename: str
    key: str


@dataclass(frozen=True)
class TaskView:
    """One checklist item."""

    id: int
    text: str
    done_at: dt.datetime | None
    done_by: str
    files: tuple[TaskFile, ...]


def list_tasks(*, actor: Actor, thread_id: int) -> list[TaskView]:
    """The thread's checklist, in the order the firm added it.

    Raises:
        NotFound: If the actor may not read the thread.
    """
    with db.session() as s:
        access.readable_thread(s, actor, thread_id)
        rows = s.exec(select(ClientTask).where(ClientTask.thread_id == thread_id)
                      .order_by(ClientTask.position, ClientTask.id)).all()
        files: dict[int, list[TaskFile]] = {}
        for doc in s.exec(select(Document).where(Document.task_id.in_([r.id for r in rows]),
                                                 Document.trashed_at.is_(None)).order_by(Document.id)).all():
            files.setdefault(doc.task_id, []).append(TaskFile(filename=doc.filename, key=doc.blob_key))
        names = {c.id: f"{c.first_name} {c.last_name}".strip() for c in s.exec(
            select(Contact).where(Contact.id.in_({r.done_by for r in rows if r.done_by}))).all()}
        return [TaskView(id=r.id, text=r.text, done_at=r.done_at, done_by=names.get(r.done_by, ""),
                         files=tuple(files.get(r.id, ()))) for r in rows]


def _open_thread(s: Session, actor: Actor, thread_id: int) -> Thread:
    thread = access.readable_thread(s, actor, thread_id)
    if thread.status != ThreadStatus.OPEN:
        raise TaskError("talk.error.closed")
    return thread


def add_task(*, actor: Actor, thread_id: int, text: str) -> int:
    """Add a document request to the thread's checklist (staff).

    Raises:
        TaskError: Empty or too long text, too many items, a closed thread, or a thread
            the client never sees (internal notes).
        NotFound: If the actor may not work the thread.
    """
    access.require_staff(actor)
    text = clean_line(text)
    if not text:
        raise TaskError("task.error.empty")
    if len(text) > MAX_TASK_CHARS:
        raise TaskError("task.error.too_long")
    with db.session() as s:
        thread = _open_thread(s, actor, thread_id)
        if thread.kind in STAFF_ONLY_THREADS:
            raise TaskError("task.error.internal")
        count = len(s.exec(select(ClientTask.id).where(ClientTask.thread_id == thread_id)).all())
        if count >= MAX_TASKS:
            raise TaskError("task.error.too_many")
        task = ClientTask(thread_id=thread_id, text=text, position=count, created_by=actor.id)
        s.add(task)
        s.commit()
        task_id = task.id
    realtime.publish({realtime.thread_room(thread_id), realtime.tasks_room(thread_id)})
    return task_id


def _task(s: Session, actor: Actor, task_id: int) -> tuple[ClientTask, Thread]:
    task = s.get(ClientTask, task_id)
    if task is None:
        raise access.NotFound("task")
    return task, _open_thread(s, actor, task.thread_id)


def remove_task(*, actor: Actor, task_id: int) -> None:
    """Take an item off the checklist (staff); files uploaded against it stay in the folder.

    Raises:
        NotFound: Unknown task or not the actor's thread.
    """
    access.require_staff(actor)
    with db.session() as s:
        task, thread = _task(s, actor, task_id)
        for doc in s.exec(select(Document).where(Document.task_id == task.id)).all():
            doc.task_id = None
            s.add(doc)
        s.delete(task)
        s.commit()
    realtime.publish({realtime.thread_room(thread.id), realtime.tasks_room(thread.id)})


def set_done(*, actor: Actor, task_id: int, done: bool) -> None:
    """Tick an item off, or untick it (the client, or staff on the client's behalf).

    Raises:
        NotFound: Unknown task or a thread the actor may not read.
        TaskError: The thread is closed.
    """
    with db.session() as s:
        task, thread = _task(s, actor, task_id)
        task.done_at = utcnow() if done else None
        task.done_by = actor.id if done and actor.is_contact else None
        s.add(task)
        s.commit()
    realtime.publish({realtime.thread_room(thread.id), realtime.tasks_room(thread.id),
                      realtime.account_room(thread.account_id)})


async def upload_for_task(*, actor: Actor, task_id: int, filename: str, chunks: AsyncIterator[bytes]) -> int:
    """Store a file against an item (into the account's uploads folder) and tick the item.

    Returns:
        The new document's id.

    Raises:
        UploadRefused: Too large, empty or a refused type.
        NotFound: Unknown task or a thread the actor may not read.
        TaskError: The thread is closed.
    """
    await asyncio.to_thread(_check_task, actor, task_id)

    def write(upload: StoredUpload) -> tuple[int, Thread]:
        with db.session() as s:
            task, thread = _task(s, actor, task_id)
            folder = folders.uploads_folder(s, thread.account_id)
            doc = Document(account_id=thread.account_id, folder_id=folder.id, task_id=task.id,
                           blob_key=upload.key, filename=upload.filename, size=upload.size,
                           content_type=upload.content_type, sha256=upload.sha256,
                           uploaded_by_kind=actor.kind, uploaded_by_id=actor.id)
            s.add(doc)
            s.flush()
            notifications.collect_document(s, document=doc)
            task.done_at = task.done_at or utcnow()
            task.done_by = task.done_by or (actor.id if actor.is_contact else None)
            s.add(task)
            s.commit()
            return doc.id, thread

    document_id, thread = await save_upload(chunks, filename=filename, allowed=DOCUMENT_TYPES, write=write)
    realtime.publish({realtime.thread_room(thread.id), realtime.tasks_room(thread.id),
                      realtime.account_room(thread.account_id)})
    return document_id


def _check_task(actor: Actor, task_id: int) -> None:
    with db.session() as s:
        _task(s, actor, task_id)
