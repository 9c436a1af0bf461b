"""Rules of booking talks: their status icon and what a message may contain."""

from enum import StrEnum

from portal.domain.enums import SubjectKind, ThreadKind, ThreadStatus

MAX_MESSAGE_CHARS = 10_000
MAX_SENDER_NAME_CHARS = 200
MAX_SUBJECT_CHARS = 200  # Thread.subject's column
# Threads no client user ever sees: internal notes, arrivals through upload request links and
# sign-up notes.
STAFF_ONLY_THREADS = frozenset({ThreadKind.INTERNAL, ThreadKind.UPLOADS, ThreadKind.SIGNUP})
# Messages from a client are addressed to the firm as a whole, not to one person, and
# the firm's read marks are kept once, for this recipient.
FIRM_RECIPIENT = (SubjectKind.STAFF.value, 0)
# Authors outside the firm: client users, and guests who used an upload request link.
# The firm owes an answer (or a look) when one of them wrote last.
OUTSIDE_AUTHORS = frozenset({SubjectKind.CONTACT.value, SubjectKind.GUEST.value})


class TalkStatus(StrEnum):
    """What the staff bookings list shows per booking."""

    NONE = "none"
    WAITING = "waiting"  # last word was the firm's: empty bubble
    ANSWERED = "answered"  # the client answered: bubble with dots
    INTERNAL = "internal"
    CLOSED = "closed"


class Delivery(StrEnum):
    """How far a message got to its recipients."""

    SENT = "sent"
    DELIVERED = "delivered"  # a recipient's portal has received it
    READ = "read"  # a recipient opened the talk


def talk_status(*, kind: str | None, status: str | None, last_author_kind: str | None) -> TalkStatus:
    """Status icon of a booking from its newest talk.

    Args:
        kind: The newest talk's kind, None if the booking has no talk.
        status: Its status (open/closed).
        last_author_kind: Who wrote its last undeleted message.
    """
    if kind is None:
        return TalkStatus.NONE
    if status == ThreadStatus.CLOSED:
        return TalkStatus.CLOSED
    if kind == ThreadKind.INTERNAL:
        return TalkStatus.INTERNAL
    if last_author_kind == SubjectKind.CONTACT:
        return TalkStatus.ANSWERED
    return TalkStatus.WAITING


def message_problem(body: str) -> str | None:
    """Catalog key of what is wrong with a message body, or None.

    Args:
        body: The text as typed.
    """
    if not body.strip():
        return "talk.error.empty"
    if len(body) > MAX_MESSAGE_CHARS:
        return "talk.error.too_long"
    return None


def delivery(*, delivered: bool, read: bool) -> Delivery:
    """Delivery state of a message from its recipients' receipts."""
    if read:
        return Delivery.READ
    return Delivery.DELIVERED if delivered else Delivery.SENT
