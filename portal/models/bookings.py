"""Bookings ("Vorgänge") per client account, grouped by ledger."""

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow


class Booking(SQLModel, table=True):
    """One booking line, e.g. a supplier invoice or a bank transaction."""

    # account_date: an account's list, newest first; account_ledger_date: the same with the
    # ledger filter; account_missing: missing receipts per account (clients page filter and
    # counts, the client's home, digests) answered from the index alone.
    __table_args__ = (
        Index("ix_booking_account_date", "account_id", "date"),
        Index("ix_booking_account_ledger_date", "account_id", "ledger", "date"),
        Index("ix_booking_account_missing", "account_id", "receipt_missing", "exported_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="client_account.id")
    ledger: str = Field(max_length=20)
    date: dt.date
    amount_cents: int
    currency: str = Field(default="EUR", max_length=3)
    counterparty: str = Field(default="", max_length=200)
    text: str = Field(default="", max_length=500)
    receipt_missing: bool = Field(default=False)
    exported_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class BookingExport(SQLModel, table=True):
    """A bookings export (CSV or DATEV ZIP) kept in the blob store for download."""

    __tablename__ = "booking_export"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="client_account.id", index=True)
    format: str = Field(max_length=10)
    blob_key: str = Field(max_length=100, unique=True)
    filename: str = Field(max_length=255)
    booking_count: int
    closed_talks: int
    created_by: int = Field(foreign_key="staff_user.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
