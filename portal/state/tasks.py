"""The checklist of client tasks in the open thread sheet, for both sides."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.i18n import translate
from portal.services import tasks
from portal.services.access import NotFound
from portal.state.file_upload import FileUploadMixin
from portal.state.session import Area, SessionState, require_actor, to_login, user_formats
from portal.state.thread_panel import ThreadPanelState

TASK_UPLOAD_ID = "task-upload"


@dataclasses.dataclass
class TaskFileItem:
    """A file uploaded against an item."""

    name: str = ""
    href: str = ""


@dataclasses.dataclass
class TaskItem:
    """One checklist item."""

    id: int = 0
    text: str = ""
    done: bool = False
    done_note: str = ""
    files: list[TaskFileItem] = dataclasses.field(default_factory=list)


class TaskPanelState(FileUploadMixin, rx.State):
    """Checklist of the thread shown in the sheet."""

    items: list[TaskItem] = []
    done_count: int = 0
    upload_task_id: int = 0
    upload_task_text: str = ""
    task_error: str = ""

    async def _actor(self) -> Actor | None:
        session = await self.get_state(SessionState)
        return await require_actor(self, Area.STAFF if session.kind == "staff" else Area.TALK)

    async def _thread_id(self) -> int:
        return (await self.get_state(ThreadPanelState)).thread_id

    async def _load(self, actor: Actor) -> None:
        thread_id = await self._thread_id()
        formats = await user_formats(self)
        try:
            views = await asyncio.to_thread(tasks.list_tasks, actor=actor, thread_id=thread_id) if thread_id else []
        except NotFound:
            views = []
        self.items = [TaskItem(id=v.id, text=v.text, done=v.done_at is not None,
                               done_note=(formats.datetime(v.done_at) + (" · " + v.done_by if v.done_by else ""))
                               if v.done_at else "",
                               files=[TaskFileItem(name=f.filename, href=routes.file(f.key)) for f in v.files])
                      for v in views]
        self.done_count = sum(1 for item in self.items if item.done)
        if self.upload_task_id not in {item.id for item in self.items}:
            self.upload_task_id, self.upload_task_text = 0, ""

    @rx.event
    async def refresh(self):
        """The sheet opened another thread, or the thread changed: reload the checklist."""
        actor = await self._actor()
        if actor is not None:
            await self._load(actor)

    async def _run(self, call, **kwargs) -> None:
        actor = await self._actor()
        if actor is None:
            return
        locale = (await self.get_state(SessionState)).locale
        try:
            await asyncio.to_thread(call, actor=actor, **kwargs)
            self.task_error = ""
        except tasks.TaskError as err:
            self.task_error = translate(locale, err.key)
        except NotFound:
            self.task_error = translate(locale, "talk.error.gone")
        await self._load(actor)

    @rx.event
    async def add(self, form: dict):
        """Staff add a document request to the checklist."""
        await self._run(tasks.add_task, thread_id=await self._thread_id(), text=str(form.get("text", "")))
        return rx.set_value("task-text", "") if not self.task_error else None

    @rx.event
    async def set_task_done(self, task_id: int, done: bool):
        """Tick an item off, or untick it."""
        await self._run(tasks.set_done, task_id=task_id, done=done)

    @rx.event
    async def remove(self, task_id: int):
        """Staff take an item off the checklist."""
        await self._run(tasks.remove_task, task_id=task_id)

    @rx.event
    def choose_upload(self, task_id: int):
        """Show the upload zone for this item (or hide it again)."""
        item = next((i for i in self.items if i.id == task_id), None)
        if item is None or self.upload_task_id == task_id:
            self.upload_task_id, self.upload_task_text = 0, ""
        else:
            self.upload_task_id, self.upload_task_text = item.id, item.text
        self.upload_items = []

    async def _save_file(self, actor: Actor | None, filename: str, data: AsyncIterator[bytes]) -> None:
        if actor is None or not self.upload_task_id:
            raise NotFound("task")
        await tasks.upload_for_task(actor=actor, task_id=self.upload_task_id, filename=filename, chunks=data)

    @rx.event(background=True)
    async def receive(self, chunks: rx.UploadChunkIterator):
        """Stream the dropped files against the chosen item."""
        async with self:
            actor = await self._actor()
        if actor is None:
            return to_login(self)
        await self._receive_all(actor, chunks)
        async with self:
            await self._load(actor)
        return None
