"""Folder templates on the admin settings page: list, edit, default, delete."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal.i18n import translate
from portal.services import folders
from portal.services.access import AccessDenied
from portal.services.folders import FolderError
from portal.state.session import Area, SessionState, require_actor


@dataclasses.dataclass
class TemplateRow:
    """A template in the list."""

    id: int = 0
    name: str = ""
    is_default: bool = False
    summary: str = ""


@dataclasses.dataclass
class EntryRow:
    """A folder line in the template editor."""

    path: str = ""
    shared: bool = False
    uploads: bool = False


class FolderTemplatesState(rx.State):
    """The firm's folder templates and the one being edited."""

    templates: list[TemplateRow] = []
    editing: bool = False
    edit_id: int = 0
    edit_name: str = ""
    entries: list[EntryRow] = []
    error: str = ""
    _views: dict[int, folders.TemplateView] = {}

    async def _admin(self):
        actor = await require_actor(self, Area.STAFF)
        return actor if actor is not None and actor.is_admin else None

    async def _reload(self, actor) -> None:
        views = await asyncio.to_thread(folders.list_templates, actor=actor)
        self.templates = [TemplateRow(id=v.id, name=v.name, is_default=v.is_default,
                                      summary=" · ".join(e["path"] for e in v.entries)) for v in views]
        self._views = {v.id: v for v in views}

    @rx.event
    async def load(self):
        """Read the templates (admins only)."""
        actor = await self._admin()
        if actor is not None:
            self.editing = False
            await self._reload(actor)

    @rx.event
    def start(self, template_id: int):
        """Edit a template (0 = a new one, starting with the uploads folder)."""
        view = self._views.get(template_id)
        self.edit_id, self.error, self.editing = template_id, "", True
        self.edit_name = view.name if view else ""
        self.entries = [EntryRow(**e) for e in view.entries] if view else [
            EntryRow(path=folders.UPLOADS_FOLDER_NAME, shared=True, uploads=True)]

    @rx.event
    def cancel(self):
        """Drop the changes."""
        self.editing = False

    @rx.event
    def add_entry(self):
        """One more folder line."""
        self.entries = [*self.entries, EntryRow()]

    @rx.event
    def remove_entry(self, index: int):
        """Drop a folder line."""
        self.entries = [e for i, e in enumerate(self.entries) if i != index]

    @rx.event
    def set_path(self, index: int, path: str):
        """The path typed into a line (``Steuern/2026`` makes a subfolder)."""
        self.entries[index].path = path
        self.entries = list(self.entries)

    @rx.event
    def set_shared(self, index: int, shared: bool):
        """Whether the line's folder is visible to the client's users."""
        self.entries[index].shared = shared
        self.entries = list(self.entries)

    @rx.event
    def set_uploads(self, index: int):
        """Make the line's folder the one client uploads land in (only one can be)."""
        for i, entry in enumerate(self.entries):
            entry.uploads = i == index
        self.entries = list(self.entries)

    @rx.event
    def set_edit_name(self, name: str):
        """The template's name."""
        self.edit_name = name

    async def _run(self, call, **kwargs) -> bool:
        actor = await self._admin()
        if actor is None:
            return False
        locale = (await self.get_state(SessionState)).locale
        try:
            await asyncio.to_thread(call, actor=actor, **kwargs)
        except FolderError as err:
            self.error = translate(locale, err.key, **err.params)
            return False
        except AccessDenied:
            return False
        self.error = ""
        await self._reload(actor)
        return True

    @rx.event
    async def save(self):
        """Store the edited template."""
        if await self._run(folders.save_template, template_id=self.edit_id or None, name=self.edit_name,
                           entries=[dataclasses.asdict(e) for e in self.entries]):
            self.editing = False

    @rx.event
    async def make_default(self, template_id: int):
        """New clients get this template."""
        await self._run(folders.set_default_template, template_id=template_id)

    @rx.event
    async def delete(self, template_id: int):
        """Delete a template; clients keep their folders."""
        await self._run(folders.delete_template, template_id=template_id)
