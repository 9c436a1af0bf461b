"""The documents area for both sides: staff on a client's Documents tab, client users
on their Documents page. Staff also create, rename, move, share, delete (into the trash),
restore from the trash and set a document's retention class."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import reflex as rx

from portal import realtime, routes
from portal.domain.actor import Actor
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.domain.enums import RetentionClass
from portal.domain.errors import UserError
from portal.services import documents, folders, portal_home, retention
from portal.services.access import AccessDenied, NotFound
from portal.settings import get_settings
from portal.state.client_page import ClientPageState
from portal.state.file_upload import FileUploadMixin
from portal.state.portal_home import CURRENT_ACCOUNT_KEY
from portal.state.session import Area, require_actor, to_login, user_formats, user_locale

STAFF_UPLOAD_ID = "staff-documents"
CLIENT_UPLOAD_ID = "client-documents"


@dataclasses.dataclass
class FolderItem:
    """A folder in a listing, a breadcrumb or a move target."""

    id: int = 0
    name: str = ""
    shared: bool = False
    label: str = ""  # indented by depth, for selects


@dataclasses.dataclass
class DocumentItem:
    """A document in a listing."""

    id: int = 0
    name: str = ""
    size: str = ""
    date: str = ""
    uploader: str = ""
    href: str = ""
    # Staff only: the retention class and "aufzubewahren bis ..." ("" without a period).
    retention_class: str = "none"
    retention: str = ""
    kept: bool = False


@dataclasses.dataclass
class TrashRow:
    """An entry of a client's trash."""

    kind: str = ""
    id: int = 0
    name: str = ""
    details: str = ""
    purge: str = ""
    retained: str = ""
    kept: bool = False
    href: str = ""


@dataclasses.dataclass
class ClassChoice:
    """A retention class offered in the dialog."""

    value: str = ""
    label: str = ""


class DocumentBrowserMixin(FileUploadMixin, mixin=True):
    """One folder of one client, for either side."""

    folder_id: int = 0
    folder_name: str = ""
    crumbs: list[FolderItem] = []
    subfolders: list[FolderItem] = []
    docs: list[DocumentItem] = []
    targets: list[FolderItem] = []
    error: str = ""
    loaded: bool = False
    # How many of the folder's documents are shown; refreshes keep it, "load more" adds a step.
    docs_shown: int = documents.PAGE_SIZE
    more_docs: bool = False
    _account_id: int = 0

    async def _actor(self) -> Actor | None:
        raise NotImplementedError

    def _retention(self, row: documents.DocumentRow, formats) -> str:
        """Nothing for the client's side; see :class:`StaffDocumentsState`."""
        return ""

    async def _show(self, actor: Actor, folder_id: int) -> None:
        if folder_id != self.folder_id:
            self.docs_shown = documents.PAGE_SIZE
        try:
            # One more than shown tells whether a "load more" button is needed.
            view = await asyncio.to_thread(documents.browse, actor=actor, account_id=self._account_id,
                                           folder_id=folder_id or None, limit=self.docs_shown + 1)
        except NotFound:
            # The folder was deleted or unshared meanwhile: back to the top.
            view = await asyncio.to_thread(documents.browse, actor=actor, account_id=self._account_id)
        formats = await user_formats(self)
        self.folder_id = view.folder_id or 0
        self.folder_name = view.path[-1].name if view.path else ""
        self.crumbs = [FolderItem(id=n.id, name=n.name) for n in view.path]
        self.subfolders = [FolderItem(id=n.id, name=n.name, shared=n.visible_to_client) for n in view.subfolders]
        self.docs = [DocumentItem(id=d.id, name=d.filename, size=fmt.size(d.size, formats.locale),
                                  date=formats.datetime(d.created_at), uploader=d.uploaded_by,
                                  href=routes.file(d.key), retention_class=d.retention_class,
                                  retention=self._retention(d, formats), kept=d.kept_after_erasure and actor.is_staff)
                     for d in view.documents[:self.docs_shown]]
        self.more_docs = len(view.documents) > self.docs_shown
        self.targets = [FolderItem(id=n.id, name=n.name, label="\u2003" * n.depth + n.name) for n in view.tree]
        self.loaded = True

    @rx.event
    async def open_folder(self, folder_id: int):
        """Show another folder (0 = the top level)."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self.error = ""
        await self._show(actor, folder_id)
        return None

    @rx.event
    async def load_more_docs(self):
        """Show the next step of older documents in this folder."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self.docs_shown += documents.PAGE_SIZE
        await self._show(actor, self.folder_id)
        return None

    @rx.event
    async def refresh(self):
        """Something changed in the client's documents: show the current folder again."""
        actor = await self._actor()
        if actor is not None and self._account_id:
            await self._show(actor, self.folder_id)

    async def _save_file(self, actor: Actor | None, filename: str, data: AsyncIterator[bytes]) -> None:
        if actor is None or not self.folder_id:
            raise NotFound("folder")
        await documents.upload_document(actor=actor, folder_id=self.folder_id, filename=filename, chunks=data)


class StaffDocumentsState(DocumentBrowserMixin, rx.State):
    """A client's Documents tab in the staff area."""

    # new_folder, rename_folder, rename_document, move_folder, move_document, delete_*, retention
    edit_kind: str = ""
    edit_id: int = 0
    edit_name: str = ""
    edit_target: str = ""
    edit_error: str = ""
    # "folders" or "trash"
    view: str = "folders"
    trash: list[TrashRow] = []
    trash_count: int = 0
    trash_notice: str = ""
    trash_error: str = ""
    trash_intro: str = ""
    delete_hint: str = ""
    class_choices: list[ClassChoice] = []

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.STAFF)

    def _retention(self, row: documents.DocumentRow, formats) -> str:
        if row.retained_until is None:
            return ""
        until = translate(formats.locale, "retention.until", date=fmt.date(row.retained_until, formats.locale))
        return f"{translate(formats.locale, f'retention.class.{row.retention_class}')} · {until}"

    async def _show(self, actor: Actor, folder_id: int) -> None:
        await super()._show(actor, folder_id)
        self.trash_count = await asyncio.to_thread(retention.trash_count, actor=actor, account_id=self._account_id)
        if self.view == "trash":
            await self._show_trash(actor)

    async def _show_trash(self, actor: Actor) -> None:
        formats = await user_formats(self)
        locale = formats.locale
        items = await asyncio.to_thread(retention.list_trash, actor=actor, account_id=self._account_id)
        rows = []
        for item in items:
            when = formats.datetime(item.trashed_at)
            parts = [translate(locale, "trash.deleted_by", date=when, name=item.trashed_by) if item.trashed_by
                     else translate(locale, "trash.deleted", date=when)]
            if item.location:
                parts.append(translate(locale, "trash.from", location=item.location))
            if item.kind == "folder":
                parts.append(translate(locale, "trash.files_one") if item.documents == 1
                             else translate(locale, "trash.files", count=item.documents))
            else:
                parts.append(fmt.size(item.size, locale))
            rows.append(TrashRow(
                kind=item.kind, id=item.id, name=item.name, details=" · ".join(parts),
                purge=translate(locale, "trash.purge_on", date=fmt.date(item.purge_on, locale)),
                retained=translate(locale, "trash.retained", date=fmt.date(item.retained_until, locale))
                if item.retained_until else "",
                kept=item.kept_after_erasure, href=routes.file(item.key) if item.key else ""))
        self.trash = rows
        self.trash_count = len(rows)

    @rx.event
    async def set_view(self, view: str):
        """Switch between the folders and the trash."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self.view = "trash" if view == "trash" else "folders"
        self.trash_notice = self.trash_error = ""
        await self._show(actor, self.folder_id)
        return None

    @rx.event
    async def restore(self, kind: str, item_id: int, name: str):
        """Take a document or folder out of the trash."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        locale = await user_locale(self)
        restore = retention.restore_folder if kind == "folder" else retention.restore_document
        key = "folder_id" if kind == "folder" else "document_id"
        self.trash_notice = self.trash_error = ""
        try:
            await asyncio.to_thread(restore, actor=actor, **{key: int(item_id)})
        except UserError as err:
            self.trash_error = translate(locale, err.key, **err.params)
        except AccessDenied:
            self.trash_error = translate(locale, "documents.error.gone")
        else:
            self.trash_notice = translate(locale, "trash.restored", name=name)
        await self._show(actor, self.folder_id)
        return None

    @rx.event
    async def load(self):
        """Open the client of the URL at its top folder."""
        client = await self.get_state(ClientPageState)
        actor = await client._open()
        if actor is None:
            return to_login(self)
        self.loaded, self.error, self.upload_items = False, "", []
        if client.not_found:
            return None
        self._account_id = client._account_id
        self.view, self.trash_notice, self.trash_error = "folders", "", ""
        locale, settings = await user_locale(self), get_settings()
        self.trash_intro = translate(locale, "trash.intro", days=settings.trash_days)
        self.delete_hint = translate(locale, "trash.delete_hint", days=settings.trash_days)
        years = {RetentionClass.RECEIPT: settings.retention_receipt_years,
                 RetentionClass.BUSINESS_LETTER: settings.retention_letter_years}
        self.class_choices = [ClassChoice(value=c.value, label=translate(
            locale, "retention.option", name=translate(locale, f"retention.class.{c.value}"), years=years[c])
            if c in years else translate(locale, f"retention.class.{c.value}")) for c in RetentionClass]
        await self._show(actor, 0)
        return None

    @rx.event(background=True)
    async def receive(self, chunks: rx.UploadChunkIterator):
        """Stream the dropped files into the current folder."""
        async with self:
            actor = await self._actor()
        await self._receive_all(actor, chunks)
        async with self:
            if actor is not None:
                await self._show(actor, self.folder_id)

    @rx.event
    def start_edit(self, kind: str, item_id: int, name: str = ""):
        """Open the dialog for one change (the folder or document it is about, its current name)."""
        self.edit_kind, self.edit_id, self.edit_name, self.edit_error = kind, item_id, name, ""
        self.edit_target = str(self.folder_id) if kind.startswith("move") else ""

    @rx.event
    def start_retention(self, item_id: int, name: str, current: str):
        """Open the dialog to set a document's retention class."""
        self.edit_kind, self.edit_id, self.edit_name, self.edit_error = "retention", item_id, name, ""
        self.edit_target = current or RetentionClass.NONE.value

    @rx.event
    def set_edit_open(self, is_open: bool):
        """Closing the dialog drops the change."""
        if not is_open:
            self.edit_kind = ""

    @rx.event
    def set_edit_target(self, target: str):
        """The folder chosen in the move dialog ("0" = top level)."""
        self.edit_target = target

    @rx.event
    async def apply_edit(self, form: dict):
        """Carry out the change of the open dialog."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        name = str(form.get("name", "")).strip()
        # A folder id for the move dialogs; the retention dialog's target is a class name.
        target = int(self.edit_target) if self.edit_target.isdigit() else 0
        changes = {
            "new_folder": lambda: folders.create_folder(actor=actor, account_id=self._account_id,
                                                        parent_id=self.folder_id or None, name=name,
                                                        shared=bool(form.get("shared"))),
            "rename_folder": lambda: folders.rename_folder(actor=actor, folder_id=self.edit_id, name=name),
            "rename_document": lambda: documents.rename_document(actor=actor, document_id=self.edit_id, name=name),
            "move_folder": lambda: folders.move_folder(actor=actor, folder_id=self.edit_id, parent_id=target or None),
            "move_document": lambda: documents.move_document(actor=actor, document_id=self.edit_id,
                                                             folder_id=target),
            "delete_folder": lambda: folders.delete_folder(actor=actor, folder_id=self.edit_id),
            "delete_document": lambda: documents.delete_document(actor=actor, document_id=self.edit_id),
            "retention": lambda: retention.set_retention_class(actor=actor, document_id=self.edit_id,
                                                               retention_class=self.edit_target),
        }
        change = changes.get(self.edit_kind)
        if change is None:
            return None
        try:
            await asyncio.to_thread(change)
        except UserError as err:
            self.edit_error = translate(await user_locale(self), err.key, **err.params)
            return None
        except (NotFound, AccessDenied):
            self.edit_error = translate(await user_locale(self), "documents.error.gone")
            return None
        self.edit_kind = ""
        await self._show(actor, self.folder_id)
        return None

    @rx.event
    async def set_folder_shared(self, folder_id: int, shared: bool):
        """Share a folder with the client's users, or stop sharing it."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        try:
            await asyncio.to_thread(folders.set_shared, actor=actor, folder_id=folder_id, shared=shared)
        except UserError as err:
            self.error = translate(await user_locale(self), err.key, **err.params)
        except NotFound:
            self.error = translate(await user_locale(self), "documents.error.gone")
        await self._show(actor, self.folder_id)
        return None


class ClientDocumentsState(DocumentBrowserMixin, rx.State):
    """The client user's Documents page: the folders their firm shares with them."""

    accounts: list[FolderItem] = []
    account: str = ""
    # Shared with the client home: the account chosen there opens here too.
    current_account: str = rx.LocalStorage("", name=CURRENT_ACCOUNT_KEY, sync=True)

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.PORTAL)

    @rx.event
    async def load(self):
        """Show the top folders of the user's (first) client account."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        home = await asyncio.to_thread(portal_home.home, actor=actor)
        self.accounts = [FolderItem(id=a.id, name=a.name) for a in home.accounts if a.full_access]
        self.loaded, self.error, self.upload_items = False, "", []
        if not self.accounts:
            self._account_id, self.loaded = 0, True
            return None
        if self._account_id not in {a.id for a in self.accounts}:
            chosen = {str(a.id): a.id for a in self.accounts}.get(self.current_account)
            self._account_id = chosen or self.accounts[0].id
        self.account = str(self._account_id)
        await realtime.link(self, realtime.account_room(self._account_id))
        await self._show(actor, 0)
        return None

    @rx.event
    async def choose_account(self, account: str):
        """Switch to another of the user's client accounts."""
        if account.isdigit() and int(account) in {a.id for a in self.accounts}:
            self._account_id = int(account)
            self.current_account = account
            return ClientDocumentsState.load
        return None

    @rx.event(background=True)
    async def receive(self, chunks: rx.UploadChunkIterator):
        """Stream the dropped files into the current (shared) folder."""
        async with self:
            actor = await self._actor()
        await self._receive_all(actor, chunks)
        async with self:
            if actor is not None:
                await self._show(actor, self.folder_id)
