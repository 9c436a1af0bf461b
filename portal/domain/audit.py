"""What the audit trail records: stable action names, who acted, and the filter groups.

Action names are stored in the database and shown through the catalogs
(``audit.action.<name>``); never rename one, add a new one instead.
"""

from enum import StrEnum


class Action(StrEnum):
    """Everything the trail records."""

    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED = "login.locked"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password.changed"
    PASSWORD_RESET = "password.reset"
    CONTACT_ACTIVATED = "contact.activated"
    CONTACT_INVITED = "contact.invited"
    CONTACT_ADDED = "contact.added"
    CONTACT_REMOVED = "contact.removed"
    CONTACT_ACCESS_CHANGED = "contact.access_changed"
    DOCUMENT_DOWNLOADED = "document.downloaded"
    DOCUMENT_VIEWED = "document.viewed"
    MESSAGE_DELETED = "message.deleted"
    TALK_CLOSED = "talk.closed"
    CONVERSATION_CLOSED = "conversation.closed"
    BOOKINGS_EXPORTED = "bookings.exported"
    EXPORT_DOWNLOADED = "export.downloaded"
    AUDIT_EXPORTED = "audit.exported"


class ActorKind(StrEnum):
    """Who an event is attributed to."""

    STAFF = "staff"
    CONTACT = "contact"
    # Work the portal does by itself (no user behind it).
    SYSTEM = "system"
    # Someone not logged in, e.g. a failed login attempt.
    ANONYMOUS = "anonymous"


class Category(StrEnum):
    """The protocol's filter: kinds of action."""

    LOGINS = "logins"
    DOCUMENTS = "documents"
    MESSAGES = "messages"
    CONTACTS = "contacts"
    EXPORTS = "exports"


CATEGORIES: dict[Category, tuple[Action, ...]] = {
    Category.LOGINS: (Action.LOGIN_SUCCEEDED, Action.LOGIN_FAILED, Action.LOGIN_LOCKED, Action.LOGOUT,
                      Action.PASSWORD_CHANGED, Action.PASSWORD_RESET, Action.CONTACT_ACTIVATED),
    Category.DOCUMENTS: (Action.DOCUMENT_DOWNLOADED, Action.DOCUMENT_VIEWED),
    Category.MESSAGES: (Action.MESSAGE_DELETED, Action.TALK_CLOSED, Action.CONVERSATION_CLOSED),
    Category.CONTACTS: (Action.CONTACT_ADDED, Action.CONTACT_REMOVED, Action.CONTACT_ACCESS_CHANGED,
                        Action.CONTACT_INVITED),
    Category.EXPORTS: (Action.BOOKINGS_EXPORTED, Action.EXPORT_DOWNLOADED, Action.AUDIT_EXPORTED),
}

# The switches on a contact's link to an account, in the order the protocol names them.
ACCESS_FLAGS = ("login", "full_access", "notify", "sync")

# Detail values are kept small: long texts are cut, nesting is shallow.
MAX_DETAIL_TEXT = 300
MAX_DETAIL_ITEMS = 20


def category(value: str) -> Category | None:
    """The filter group named ``value``; None for "all" or anything unknown."""
    try:
        return Category(value)
    except ValueError:
        return None


def small_detail(value: object, depth: int = 0) -> object:
    """``value`` as a small JSON value: texts cut, at most a few items, three levels deep."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value[:MAX_DETAIL_TEXT]
    if depth >= 3:
        return str(value)[:MAX_DETAIL_TEXT]
    if isinstance(value, dict):
        return {str(k)[:50]: small_detail(v, depth + 1) for k, v in list(value.items())[:MAX_DETAIL_ITEMS]}
    if isinstance(value, (list, tuple)):
        return [small_detail(v, depth + 1) for v in list(value)[:MAX_DETAIL_ITEMS]]
    return str(value)[:MAX_DETAIL_TEXT]


def access_changes(before: dict[str, bool], after: dict[str, bool]) -> dict[str, list[bool]]:
    """The switches that changed, as ``{flag: [old, new]}`` in :data:`ACCESS_FLAGS` order."""
    return {flag: [bool(before[flag]), bool(after[flag])] for flag in ACCESS_FLAGS
            if flag in before and flag in after and bool(before[flag]) != bool(after[flag])}
