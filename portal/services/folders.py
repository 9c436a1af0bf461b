"""Client document folders: created from the firm's folder template, named safely,
shared with the client or kept in the firm.

A folder is visible to the client's users (with full access) when it or one of its
ancestors is shared. One folder per account is the uploads folder, where files the
client uploads without choosing a folder (questionnaire answers, task uploads) land.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlmodel import Session, select

from portal import realtime
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import AccountKind
from portal.domain.errors import UserError
from portal.models import ClientAccount, Folder, FolderTemplate
from portal.services import access, db, retention

UPLOADS_FOLDER_NAME = "Vom Kunden hochgeladene Dokumente"
DEFAULT_TEMPLATE = [{"path": UPLOADS_FOLDER_NAME, "shared": True, "uploads": True}]
FORBIDDEN_CHARS = ':"/\\|?*<>'
MAX_NAME_CHARS = 200


class FolderError(UserError):
    """Refused folder input; ``key`` is the catalog key, ``params`` fill it in."""


def clean_name(name: str) -> str:
    """A folder or document name as stored, or an error naming what is wrong.

    Raises:
        FolderError: Empty, too long, or containing a character that file systems
            and ZIP exports refuse (the message names the character).
    """
    # Lone surrogates first: NFC and the database both choke on them.
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cs")
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned or cleaned in (".", ".."):
        raise FolderError("folder.error.empty")
    if len(cleaned) > MAX_NAME_CHARS:
        raise FolderError("folder.error.too_long")
    for ch in cleaned:
        # Cc/Cf: control, direction (RTL override) and zero-width characters are refused, not
        # dropped, so the name saved is the name the user sees in the field.
        if ch in FORBIDDEN_CHARS or unicodedata.category(ch) in ("Cc", "Cf"):
            raise FolderError("folder.error.char", char=ch if ch.isprintable() else repr(ch))
    return cleaned


def template_entries(s: Session, account: ClientAccount) -> list[dict]:
    """The folder entries the account starts with: its template, the firm default, or the built-in one."""
    template = s.get(FolderTemplate, account.folder_template_id) if account.folder_template_id else None
    if template is None:
        template = s.exec(select(FolderTemplate).where(FolderTemplate.is_default == True)).first()  # noqa: E712
    return list(template.folders) if template is not None and template.folders else DEFAULT_TEMPLATE


def ensure_folders(s: Session, account: ClientAccount) -> None:
    """Create the account's folders from its template if it has none yet (caller commits)."""
    if s.exec(select(Folder.id).where(Folder.account_id == account.id)).first() is not None:
        return
    by_path: dict[str, Folder] = {}
    for entry in template_entries(s, account):
        parent: Folder | None = None
        parts = [clean_name(part) for part in str(entry["path"]).split("/") if part.strip()]
        for depth, part in enumerate(parts, start=1):
            path = "/".join(parts[:depth])
            if path not in by_path:
                folder = Folder(account_id=account.id, parent_id=parent.id if parent else None, name=part)
                s.add(folder)
                s.flush()
                by_path[path] = folder
            parent = by_path[path]
        if parent is not None:
            # Only staff ever see what lands in the guest account.
            parent.shared = (parent.shared or bool(entry.get("shared"))) and account.kind != AccountKind.GUEST
            parent.uploads_default = parent.uploads_default or bool(entry.get("uploads"))
            s.add(parent)


def uploads_folder(s: Session, account_id: int) -> Folder:
    """The folder client uploads land in, created if the account has none (caller commits)."""
    account = s.get(ClientAccount, account_id)
    if account is None:
        raise ValueError(f"no client account {account_id}")
    ensure_folders(s, account)
    folder = s.exec(select(Folder).where(Folder.account_id == account_id,
                                         Folder.uploads_default == True)).first()  # noqa: E712
    if folder is None:
        folder = Folder(account_id=account_id, name=UPLOADS_FOLDER_NAME, shared=account.kind != AccountKind.GUEST,
                        uploads_default=True)
        s.add(folder)
        s.flush()
    return folder


# Browsing and changing folders (staff all; client users the shared ones).


@dataclass(frozen=True)
class FolderNode:
    """A folder as the tree and the move dialogs show it."""

    id: int
    name: str
    parent_id: int | None
    depth: int
    shared: bool
    visible_to_client: bool
    uploads_default: bool


def _walk(folders: list[Folder]) -> list[FolderNode]:
    """The folders in tree order (each parent before its children, siblings by name)."""
    children: dict[int | None, list[Folder]] = {}
    for folder in folders:
        children.setdefault(folder.parent_id, []).append(folder)
    nodes: list[FolderNode] = []

    def visit(parent_id: int | None, depth: int, inherited: bool) -> None:
        for folder in sorted(children.get(parent_id, []), key=lambda f: f.name.casefold()):
            visible = inherited or folder.shared
            nodes.append(FolderNode(id=folder.id, name=folder.name, parent_id=folder.parent_id, depth=depth,
                                    shared=folder.shared, visible_to_client=visible,
                                    uploads_default=folder.uploads_default))
            visit(folder.id, depth + 1, visible)

    visit(None, 0, False)
    return nodes


def tree(s: Session, actor: Actor, account_id: int) -> list[FolderNode]:
    """The account's folders the actor may see, in tree order (folders are created on first look);
    never those in the trash.

    Raises:
        NotFound: If the actor may not see the account's documents.
    """
    account = _account_for(s, actor, account_id)
    ensure_folders(s, account)
    nodes = _walk(list(s.exec(select(Folder).where(Folder.account_id == account_id,
                                                   Folder.trashed_at.is_(None))).all()))
    return nodes if actor.is_staff else [n for n in nodes if n.visible_to_client]


def visible_folder(s: Session, actor: Actor, folder_id: int) -> Folder:
    """A folder the actor may see (staff: of a client they work; client users: shared ones).

    Raises:
        NotFound: Otherwise.
    """
    folder = s.get(Folder, folder_id)
    if folder is None or folder.trashed_at is not None:
        raise access.NotFound("folder")
    _account_for(s, actor, folder.account_id)
    if actor.is_contact and folder_id not in {n.id for n in tree(s, actor, folder.account_id)}:
        raise access.NotFound("folder")
    return folder


def _account_for(s: Session, actor: Actor, account_id: int) -> ClientAccount:
    if actor.is_staff:
        return access.staff_account(s, actor, account_id)
    access.require_full_login(actor)
    link = access.contact_link(s, actor, account_id)
    if not link.full_access:
        raise access.NotFound("account")
    return s.get(ClientAccount, account_id)


def _sibling_taken(s: Session, account_id: int, parent_id: int | None, name: str, skip: int | None = None) -> bool:
    # What is in the trash does not count: a new folder may take a deleted one's name.
    siblings = s.exec(select(Folder).where(Folder.account_id == account_id, Folder.parent_id == parent_id,
                                           Folder.trashed_at.is_(None))).all()
    return any(f.name.casefold() == name.casefold() and f.id != skip for f in siblings)


def _staff_folder(s: Session, actor: Actor, folder_id: int) -> Folder:
    access.require_staff(actor)
    return visible_folder(s, actor, folder_id)


def create_folder(*, actor: Actor, account_id: int, parent_id: int | None, name: str, shared: bool = False) -> int:
    """Create a folder (staff working the account).

    Raises:
        FolderError: Bad name, a sibling has it already, or a shared folder in the guest account.
        NotFound: Unknown account or parent, or not the actor's to change.
    """
    access.require_staff(actor)
    name = clean_name(name)
    with db.session() as s:
        account = access.staff_account(s, actor, account_id)
        if shared and account.kind == AccountKind.GUEST:
            raise FolderError("folder.error.guest_shared")
        if parent_id is not None and _staff_folder(s, actor, parent_id).account_id != account_id:
            raise access.NotFound("folder")
        if _sibling_taken(s, account_id, parent_id, name):
            raise FolderError("folder.error.exists", name=name)
        folder = Folder(account_id=account_id, parent_id=parent_id, name=name, shared=shared)
        s.add(folder)
        s.commit()
        folder_id = folder.id
    realtime.publish({realtime.account_room(account_id)})
    return folder_id


def rename_folder(*, actor: Actor, folder_id: int, name: str) -> None:
    """Rename a folder (staff).

    Raises:
        FolderError: Bad name, or a sibling has it already.
        NotFound: Not the actor's to change.
    """
    name = clean_name(name)
    with db.session() as s:
        folder = _staff_folder(s, actor, folder_id)
        if _sibling_taken(s, folder.account_id, folder.parent_id, name, skip=folder.id):
            raise FolderError("folder.error.exists", name=name)
        folder.name = name
        s.add(folder)
        s.commit()
        account_id = folder.account_id
    realtime.publish({realtime.account_room(account_id)})


def move_folder(*, actor: Actor, folder_id: int, parent_id: int | None) -> None:
    """Move a folder under another one of the same client, or to the top (staff).

    Raises:
        FolderError: Into itself or one of its subfolders, or a sibling there has its name.
        NotFound: Not the actor's to change.
    """
    with db.session() as s:
        folder = _staff_folder(s, actor, folder_id)
        if parent_id is not None:
            target = _staff_folder(s, actor, parent_id)
            if target.account_id != folder.account_id:
                raise access.NotFound("folder")
            ancestor: Folder | None = target
            while ancestor is not None:
                if ancestor.id == folder.id:
                    raise FolderError("folder.error.cycle")
                ancestor = s.get(Folder, ancestor.parent_id) if ancestor.parent_id else None
        if _sibling_taken(s, folder.account_id, parent_id, folder.name, skip=folder.id):
            raise FolderError("folder.error.exists", name=folder.name)
        folder.parent_id = parent_id
        s.add(folder)
        s.commit()
        account_id = folder.account_id
    realtime.publish({realtime.account_room(account_id)})


def set_shared(*, actor: Actor, folder_id: int, shared: bool) -> None:
    """Share a folder (and so its subfolders) with the client's users, or stop sharing (staff).

    Raises:
        FolderError: The guest account's folders are never shared.
        NotFound: Not the actor's to change.
    """
    with db.session() as s:
        folder = _staff_folder(s, actor, folder_id)
        if shared and s.get(ClientAccount, folder.account_id).kind == AccountKind.GUEST:
            raise FolderError("folder.error.guest_shared")
        folder.shared = shared
        s.add(folder)
        s.commit()
        account_id = folder.account_id
    realtime.publish({realtime.account_room(account_id)})


def delete_folder(*, actor: Actor, folder_id: int) -> None:
    """Move a folder with its subfolders and documents into the client's trash (staff).
    The uploads folder stays.

    Raises:
        FolderError: The uploads folder is in it, or an upload request points into it.
        NotFound: Not the actor's to change.
    """
    with db.session() as s:
        folder = _staff_folder(s, actor, folder_id)
        try:
            retention.trash_folder(s, folder, by=actor.id, now=utcnow())
        except retention.TrashError as err:
            raise FolderError(err.key, **err.params) from None
        s.commit()
        account_id = folder.account_id
    realtime.publish({realtime.account_room(account_id)})


# Folder templates (firm-defined; admins edit, every staff user may pick one for a client).


MAX_TEMPLATE_FOLDERS = 100


@dataclass(frozen=True)
class TemplateView:
    """A folder template with its entries (``path``, ``shared``, ``uploads``)."""

    id: int
    name: str
    is_default: bool
    entries: tuple[dict, ...]


def list_templates(*, actor: Actor) -> list[TemplateView]:
    """The firm's folder templates, by name."""
    access.require_staff(actor)
    with db.session() as s:
        return [TemplateView(id=t.id, name=t.name, is_default=t.is_default, entries=tuple(t.folders))
                for t in s.exec(select(FolderTemplate).order_by(FolderTemplate.name)).all()]


def _clean_entries(entries: list[dict]) -> list[dict]:
    cleaned, seen = [], set()
    for entry in entries:
        parts = [clean_name(part) for part in str(entry.get("path", "")).split("/") if part.strip()]
        if not parts:
            continue
        path = "/".join(parts)
        if path.casefold() in seen:
            raise FolderError("template.error.duplicate", name=path)
        seen.add(path.casefold())
        cleaned.append({"path": path, "shared": bool(entry.get("shared")), "uploads": bool(entry.get("uploads"))})
    if not cleaned:
        raise FolderError("template.error.no_folders")
    if len(cleaned) > MAX_TEMPLATE_FOLDERS:
        raise FolderError("template.error.too_many")
    if sum(e["uploads"] for e in cleaned) > 1:
        raise FolderError("template.error.two_upload_folders")
    return cleaned


def save_template(*, actor: Actor, template_id: int | None, name: str, entries: list[dict]) -> int:
    """Create or change a folder template (admins). Existing clients keep their folders.

    Raises:
        FolderError: Bad or duplicate name, bad folder path, no folders, or more than one
            uploads folder.
        AccessDenied: If the actor is not an admin.
    """
    if not actor.is_admin:
        raise access.AccessDenied("admins only")
    name, cleaned = clean_name(name), _clean_entries(entries)
    with db.session() as s:
        taken = s.exec(select(FolderTemplate).where(FolderTemplate.name == name)).first()
        if taken is not None and taken.id != template_id:
            raise FolderError("template.error.name_taken", name=name)
        template = s.get(FolderTemplate, template_id) if template_id else FolderTemplate(name=name)
        if template is None:
            raise access.NotFound("template")
        template.name, template.folders = name, cleaned
        s.add(template)
        s.commit()
        return template.id


def set_default_template(*, actor: Actor, template_id: int | None) -> None:
    """Make a template the one new clients get (None: the built-in default), admins only."""
    if not actor.is_admin:
        raise access.AccessDenied("admins only")
    with db.session() as s:
        for template in s.exec(select(FolderTemplate)).all():
            template.is_default = template.id == template_id
            s.add(template)
        s.commit()


def delete_template(*, actor: Actor, template_id: int) -> None:
    """Delete a template (admins); clients created from it keep their folders."""
    if not actor.is_admin:
        raise access.AccessDenied("admins only")
    with db.session() as s:
        template = s.get(FolderTemplate, template_id)
        if template is None:
            return
        for account in s.exec(select(ClientAccount).where(ClientAccount.folder_template_id == template_id)).all():
            account.folder_template_id = None
            s.add(account)
        s.delete(template)
        s.commit()
