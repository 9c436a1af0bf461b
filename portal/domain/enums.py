"""Enumerations shared by models, services and UI. Stored as their string values."""

from enum import StrEnum


class Role(StrEnum):
    """Staff roles."""

    ADMIN = "admin"
    ACCOUNTANT = "accountant"


class SubjectKind(StrEnum):
    """Who a session, token or message author is."""

    STAFF = "staff"
    CONTACT = "contact"
    # Someone without a login who used an upload request link.
    GUEST = "guest"


class SessionScope(StrEnum):
    """What a login session may reach: everything, or only the talk area (magic link)."""

    FULL = "full"
    TALK = "talk"


class TokenScope(StrEnum):
    """What an emailed login token is for."""

    TALK = "talk"
    ACTIVATE = "activate"
    RESET = "reset"


class AccountKind(StrEnum):
    """Client account kinds."""

    INDIVIDUAL = "individual"
    COMPANY = "company"
    # A general account without contacts: anyone with its request link uploads, only staff see.
    GUEST = "guest"


class AccountStatus(StrEnum):
    """Onboarding status of a client account."""

    INVITED = "invited"
    ONBOARDING = "onboarding"
    ACTIVE = "active"


class Ledger(StrEnum):
    """Ledgers ("Belegkreise") bookings are grouped in."""

    SUPPLIERS = "suppliers"
    CUSTOMERS = "customers"
    BANK = "bank"
    OTHER = "other"


class ThreadKind(StrEnum):
    """Kinds of threads."""

    BOOKING_TALK = "booking_talk"
    CONVERSATION = "conversation"
    INTERNAL = "internal"
    # Staff-only: files that arrived through an upload request link.
    UPLOADS = "uploads"
    # Staff-only: a new client registered on the public sign-up page.
    SIGNUP = "signup"


class Audience(StrEnum):
    """Who on the client side sees a thread."""

    ALL = "all"
    CONTACT = "contact"


class ThreadStatus(StrEnum):
    """Open or closed (archived) threads."""

    OPEN = "open"
    CLOSED = "closed"


class DigestFrequency(StrEnum):
    """How often a digest email goes out."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class QuestionKind(StrEnum):
    """Kinds of questionnaire questions."""

    TEXT = "text"
    YES_NO = "yes_no"
    DATE = "date"
    FILE = "file"


class CustomFieldKind(StrEnum):
    """Types of firm-defined custom fields."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"


class CustomFieldTarget(StrEnum):
    """What a custom field belongs to."""

    ACCOUNT = "account"
    CONTACT = "contact"


class ClientTab(StrEnum):
    """Tabs of the staff clients page."""

    INVITATIONS = "invitations"
    ONBOARDING = "onboarding"
    MINE = "mine"
    ALL = "all"


class ReminderKind(StrEnum):
    """Pending task kinds an admin can remind the accountants of."""

    MISSING_RECEIPTS = "missing_receipts"
    OPEN_TALKS = "open_talks"
    EXPORT_READY = "export_ready"


class RetentionClass(StrEnum):
    """How long the law makes the firm keep a document (§147 AO, §257 HGB)."""

    # Buchungsbelege: invoices, receipts, bank statements (8 years since 2025).
    RECEIPT = "receipt"
    # Handels- und Geschäftsbriefe: letters, offers, contracts' correspondence (6 years).
    BUSINESS_LETTER = "business_letter"
    # No legal retention period.
    NONE = "none"
