"""A user's own settings: language, time zone, email notices."""

from dataclasses import dataclass

from sqlmodel import Session

from portal.domain.actor import Actor
from portal.i18n import SUPPORTED_LOCALES
from portal.i18n import format as fmt
from portal.models import Contact, StaffUser
from portal.services import db
from portal.services.access import require_full_login


@dataclass(frozen=True)
class PersonalSettings:
    """What the profile page shows and changes.

    Attributes:
        locale: The chosen language, or "" to follow the browser.
        timezone: The chosen IANA zone, or "" for the firm's.
        email_notices: Whether emails about new messages are wanted.
    """

    locale: str
    timezone: str
    email_notices: bool


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


def settings(*, actor: Actor) -> PersonalSettings:
    """The actor's own settings as stored (a link session may not read them)."""
    require_full_login(actor)
    with db.session() as s:
        user = _user(s, actor)
        if user is None:
            return PersonalSettings(locale="", timezone="", email_notices=False)
        return PersonalSettings(locale=user.locale, timezone=user.timezone, email_notices=bool(user.email_notices))


def set_locale(*, actor: Actor, locale: str) -> None:
    """Store the actor's UI language; "" follows the browser again.

    Raises:
        ValueError: If ``locale`` is neither supported nor "".
    """
    if locale and locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    _update(actor, locale=locale)


def set_timezone(*, actor: Actor, timezone: str) -> None:
    """Store the actor's time zone for dates and times; "" uses the firm's.

    Raises:
        ValueError: If ``timezone`` is no IANA zone name.
    """
    if timezone and not fmt.is_timezone(timezone):
        raise ValueError(f"unknown time zone {timezone!r}")
    _update(actor, timezone=timezone)


def set_email_notices(*, actor: Actor, enabled: bool) -> None:
    """Switch the actor's emails about new messages on or off (for all their accounts)."""
    _update(actor, email_notices=enabled)
