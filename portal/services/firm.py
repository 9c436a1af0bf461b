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


QUIET_MINUTES_RANGE = (1, 24 * 60)


@dataclass(frozen=True)
class FirmSettings:
    """What an admin can change about the firm."""

    name: str
    read_marks: bool
    talk_password: bool
    mail_include_text: bool
    mail_include_amounts: bool
    mail_quiet_minutes: int
    self_signup: bool


def settings(*, actor: Actor) -> FirmSettings:
    """The firm's settings (admins only).

    Raises:
        AccessDenied: If the actor is not an admin.
    """
    _require_admin(actor)
    with db.session() as s:
        firm = s.exec(select(Firm)).first() or Firm(name="")
        return FirmSettings(name=firm.name, read_marks=firm.read_marks, talk_password=firm.talk_password,
                            mail_include_text=firm.mail_include_text, mail_include_amounts=firm.mail_include_amounts,
                            mail_quiet_minutes=firm.mail_quiet_minutes, self_signup=firm.self_signup)


def update(*, actor: Actor, read_marks: bool | None = None, mail_include_text: bool | None = None,
           mail_include_amounts: bool | None = None, mail_quiet_minutes: int | None = None,
           self_signup: bool | None = None) -> None:
    """Change firm settings; arguments left at None stay as they are (admins only).

    Raises:
        AccessDenied: If the actor is not an admin.
        ValueError: If the quiet period is outside 1 minute to 24 hours.
    """
    _require_admin(actor)
    if mail_quiet_minutes is not None and not QUIET_MINUTES_RANGE[0] <= mail_quiet_minutes <= QUIET_MINUTES_RANGE[1]:
        raise ValueError("quiet period out of range")
    changes = {"read_marks": read_marks, "mail_include_text": mail_include_text,
               "mail_include_amounts": mail_include_amounts, "mail_quiet_minutes": mail_quiet_minutes,
               "self_signup": self_signup}
    with db.session() as s:
        firm = s.exec(select(Firm)).first() or Firm(name="")
        for field, value in changes.items():
            if value is not None:
                setattr(firm, field, value)
        s.add(firm)
        s.commit()


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise AccessDenied("admins only")
