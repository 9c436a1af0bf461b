"""Client document folders: created from the firm's folder template, named safely,
shared with the client or kept in the firm.

A folder is visible to the client's users (with full access) when it or one of its
ancestors is shared. One folder per account is the uploads folder, where files the
client uploads without choosing a folder (questionnaire answers, task uploads) land.
"""

from __future__ import annotations

import unicodedata

from sqlmodel import Session, select

from portal.domain.errors import UserError
from portal.models import ClientAccount, Folder, FolderTemplate

UPLOADS_FOLDER_NAME = "Vom Kunden hochgeladene Dokumente"
DEFAULT_TEMPLATE = [{"path": UPLOADS_FOLDER_NAME, "shared": True, "uploads": True}]
FORBIDDEN_CHARS = ':"/\\|?*<>'
MAX_NAME_CHARS = 200


class FolderError(UserError):
    """Refused folder input; ``key`` is the catalog key, ``params`` fill it in."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.params = params


def clean_name(name: str) -> str:
    """A folder or document name as stored, or an error naming what is wrong.

    Raises:
        FolderError: Empty, too long, or containing a character that file systems
            and ZIP exports refuse (the message names the character).
    """
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned or cleaned in (".", ".."):
        raise FolderError("folder.error.empty")
    if len(cleaned) > MAX_NAME_CHARS:
        raise FolderError("folder.error.too_long")
    for ch in cleaned:
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
            parent.shared = parent.shared or bool(entry.get("shared"))
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
        folder = Folder(account_id=account_id, name=UPLOADS_FOLDER_NAME, shared=True, uploads_default=True)
        s.add(folder)
        s.flush()
    return folder
