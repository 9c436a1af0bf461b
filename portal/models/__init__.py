"""SQLModel tables, one module per aggregate. Importing this package registers them all."""

from portal.models.audit import AuditEvent
from portal.models.auth import AuthSession, LoginFailure, LoginToken, OidcState
from portal.models.bookings import Booking, BookingExport
from portal.models.clients import AccountContact, Assignment, ClientAccount, Contact, CustomField
from portal.models.documents import (
    Answer,
    Document,
    Folder,
    FolderTemplate,
    Question,
    Questionnaire,
    UploadRequest,
)
from portal.models.notify import DigestSubscription, Outbox, PushSubscription, Reminder, ServerKey
from portal.models.staff import Firm, StaffUser
from portal.models.threads import ClientTask, Message, Receipt, Thread

__all__ = [
    "AccountContact",
    "Answer",
    "Assignment",
    "AuditEvent",
    "AuthSession",
    "Booking",
    "BookingExport",
    "ClientAccount",
    "ClientTask",
    "Contact",
    "CustomField",
    "DigestSubscription",
    "Document",
    "Firm",
    "Folder",
    "FolderTemplate",
    "LoginFailure",
    "LoginToken",
    "Message",
    "OidcState",
    "Outbox",
    "PushSubscription",
    "Question",
    "Questionnaire",
    "Receipt",
    "Reminder",
    "ServerKey",
    "StaffUser",
    "Thread",
    "UploadRequest",
]
