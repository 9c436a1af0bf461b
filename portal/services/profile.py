"""A user's own settings."""

from sqlmodel import Session

from portal.domain.actor import Actor
from portal.i18n import SUPPORTED_LOCALES
from portal.models import Contact, StaffUser
from portal.services import db
from portal.services.access import require_full_login


def _user(s: Session, actor: Actor) -> StaffUser | Contact | None:
    return s.get(StaffUser if actor.is_staff else Contact, actor.id)


def _update(actor: Actor, **values: object) -> None:
    require_full_login(actor)
    with db.session() as s:
        user = _user(s, actor)
        if user is not None:
            for name, value in values.items():
                setattr(user, name, value)
            s.add(user)
            s.commit()


def set_locale(*, actor: Actor, locale: str) -> None:
    """Store the actor's UI language.

    Raises:
        ValueError: If ``locale`` is not supported.
    """
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    _update(actor, locale=locale)


def email_notices(*, actor: Actor) -> bool:
    """Whether the actor wants emails about new messages."""
    require_full_login(actor)
    with db.session() as s:
        user = _user(s, actor)
        return bool(user and user.email_notices)


def set_email_notices(*, actor: Actor, enabled: bool) -> None:
    """Switch the actor's emails about new messages on or off (for all their accounts)."""
    _update(actor, email_notices=enabled)
