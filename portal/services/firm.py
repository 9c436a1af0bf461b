"""The firm running this installation."""

from dataclasses import dataclass

from sqlmodel import select

from portal.domain.actor import Actor
from portal.models import Firm
from portal.services import db
from portal.services.access import AccessDenied


def firm_name() -> str:
    """The firm's name as shown on public pages; empty before setup."""
    with db.session() as s:
        firm = s.exec(select(Firm)).first()
        return firm.name if firm else ""


@dataclass(frozen=True)
class FirmSettings:
    """What an admin can change about the firm."""

    name: str
    read_marks: bool
    talk_password: bool


def settings(*, actor: Actor) -> FirmSettings:
    """The firm's settings (admins only).

    Raises:
        AccessDenied: If the actor is not an admin.
    """
    _require_admin(actor)
    with db.session() as s:
        firm = s.exec(select(Firm)).first()
        if firm is None:
            return FirmSettings(name="", read_marks=True, talk_password=False)
        return FirmSettings(name=firm.name, read_marks=firm.read_marks, talk_password=firm.talk_password)


def set_read_marks(*, actor: Actor, enabled: bool) -> None:
    """Show or hide read marks on every message, for both sides.

    Raises:
        AccessDenied: If the actor is not an admin.
    """
    _require_admin(actor)
    with db.session() as s:
        firm = s.exec(select(Firm)).first()
        if firm is None:
            firm = Firm(name="")
        firm.read_marks = enabled
        s.add(firm)
        s.commit()


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise AccessDenied("admins only")
