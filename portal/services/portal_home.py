"""What a client contact sees on the portal's home page."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
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
        missing = (Booking.receipt_missing == True, Booking.exported_at.is_(None))  # noqa: E712
        totals = dict(s.exec(select(Booking.account_id, func.count()).where(
            Booking.account_id.in_(full_ids), *missing).group_by(Booking.account_id)).all()) if full_ids else {}
        items: dict[int, tuple[OpenItem, ...]] = {}
        for account_id in totals:
            items[account_id] = tuple(
                OpenItem(id=b.id, date=b.date, amount_cents=b.amount_cents, currency=b.currency,
                         counterparty=b.counterparty, text=b.text)
                for b in s.exec(select(Booking).where(Booking.account_id == account_id, *missing)
                                .order_by(Booking.date.desc(), Booking.id.desc()).limit(OPEN_ITEMS_LIMIT)).all())
        accounts = tuple(
            AccountHome(id=account.id, name=account.name, full_access=full, open_items=items.get(account.id, ()),
                        open_items_total=totals.get(account.id, 0))
            for account, full in links
        )
        return PortalHome(firm_name=firm.name if firm else "", accounts=accounts)
