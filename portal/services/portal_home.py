"""What a client contact sees on the portal's home page."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import select

from portal.domain.actor import Actor
from portal.models import AccountContact, Booking, ClientAccount, Firm
from portal.services import db
from portal.services.access import require_contact, require_full_login

OPEN_ITEMS_LIMIT = 100


@dataclass(frozen=True)
class OpenItem:
    """A booking that still lacks its receipt."""

    id: int
    date: dt.date
    amount_cents: int
    currency: str
    counterparty: str
    text: str


@dataclass(frozen=True)
class AccountHome:
    """One client account of the contact with its open items."""

    id: int
    name: str
    full_access: bool
    open_items: tuple[OpenItem, ...]
    open_items_total: int


@dataclass(frozen=True)
class PortalHome:
    """Everything on the contact's home page."""

    firm_name: str
    accounts: tuple[AccountHome, ...]


def home(*, actor: Actor) -> PortalHome:
    """The contact's accounts (with portal login) and their missing receipts.

    Contacts with limited access see their accounts but not the account's bookings.

    Args:
        actor: A client contact.

    Raises:
        AccessDenied: If the actor is not a contact.
    """
    require_contact(actor)
    require_full_login(actor)
    with db.session() as s:
        firm = s.exec(select(Firm)).first()
        links = s.exec(
            select(ClientAccount, AccountContact.full_access)
            .join(AccountContact, AccountContact.account_id == ClientAccount.id)
            .where(AccountContact.contact_id == actor.id, AccountContact.login == True)  # noqa: E712
            .order_by(ClientAccount.name)).all()
        full_ids = [account.id for account, full in links if full]
        items: dict[int, list[OpenItem]] = {}
        totals: dict[int, int] = {}
        if full_ids:
            # One query for every account: the newest items per account by rank, the total beside them.
            newest_first = (Booking.date.desc(), Booking.id.desc())
            ranked = select(
                Booking,
                func.row_number().over(partition_by=Booking.account_id, order_by=newest_first).label("rank"),
                func.count().over(partition_by=Booking.account_id).label("total"),
            ).where(Booking.account_id.in_(full_ids), Booking.receipt_missing == True,  # noqa: E712
                    Booking.exported_at.is_(None)).subquery()
            row = aliased(Booking, ranked)
            for b, total in s.exec(select(row, ranked.c.total).where(ranked.c.rank <= OPEN_ITEMS_LIMIT)
                                   .order_by(ranked.c.rank)).all():
                totals[b.account_id] = total
                items.setdefault(b.account_id, []).append(
                    OpenItem(id=b.id, date=b.date, amount_cents=b.amount_cents, currency=b.currency,
                             counterparty=b.counterparty, text=b.text))
        accounts = tuple(
            AccountHome(id=account.id, name=account.name, full_access=full, open_items=tuple(items.get(account.id, ())),
                        open_items_total=totals.get(account.id, 0))
            for account, full in links
        )
        return PortalHome(firm_name=firm.name if firm else "", accounts=accounts)
