"""A user's own settings."""

from portal.domain.actor import Actor
from portal.i18n import SUPPORTED_LOCALES
from portal.models import Contact, StaffUser
from portal.services import db
from portal.services.access import require_full_login


def set_locale(*, actor: Actor, locale: str) -> None:
    """Store the actor's UI language.

    Raises:
        ValueError: If ``locale`` is not supported.
    """
    require_full_login(actor)
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    with db.session() as s:
        user = s.get(StaffUser if actor.is_staff else Contact, actor.id)
        if user is not None:
            user.locale = locale
            s.add(user)
            s.commit()
