"""Client accounts as the staff see them."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from portal.domain.actor import Actor
from portal.models import AccountContact, Assignment, Booking, ClientAccount, StaffUser
from portal.services import db
from portal.services.access import require_staff


@dataclass(frozen=True)
class ClientSummary:
    """One row of the staff clients list."""

    id: int
    public_id: str
    name: str
    kind: str
    status: str
    contacts: int
    missing_receipts: int
    accountants: tuple[str, ...]


def list_clients(*, actor: Actor) -> list[ClientSummary]:
    """Clients the actor works: all for admins, the assigned ones for accountants.

    Args:
        actor: A staff user.

    Returns:
        Summaries sorted by name, with counts fetched in grouped queries (no N+1).

    Raises:
        AccessDenied: If the actor is not staff.
    """
    require_staff(actor)
    with db.session() as s:
        query = select(ClientAccount).order_by(func.lower(ClientAccount.name))
        if not actor.is_admin:
            query = query.join(Assignment, Assignment.account_id == ClientAccount.id).where(
                Assignment.staff_id == actor.id)
        accounts = s.exec(query).all()
        ids = [a.id for a in accounts]
        if not ids:
            return []
        contacts = dict(s.exec(
            select(AccountContact.account_id, func.count()).where(AccountContact.account_id.in_(ids))
            .group_by(AccountContact.account_id)).all())
        missing = dict(s.exec(
            select(Booking.account_id, func.count())
            .where(Booking.account_id.in_(ids), Booking.receipt_missing == True,  # noqa: E712
                   Booking.exported_at.is_(None))
            .group_by(Booking.account_id)).all())
        staff_names: dict[int, list[str]] = {}
        for account_id, name in s.exec(
            select(Assignment.account_id, StaffUser.name)
            .join(StaffUser, StaffUser.id == Assignment.staff_id)
            .where(Assignment.account_id.in_(ids)).order_by(StaffUser.name)).all():
            staff_names.setdefault(account_id, []).append(name)
        return [
            ClientSummary(id=a.id, public_id=a.public_id, name=a.name, kind=a.kind, status=a.status,
                          contacts=contacts.get(a.id, 0), missing_receipts=missing.get(a.id, 0),
                          accountants=tuple(staff_names.get(a.id, ())))
            for a in accounts
        ]
