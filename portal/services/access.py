"""Access errors and checks shared by services."""

from portal.domain.actor import Actor


class AccessDenied(Exception):
    """The actor may not do this. Services raise it; states show a generic error."""


def require_staff(actor: Actor) -> None:
    """Refuse anyone who is not staff."""
    if not actor.is_staff:
        raise AccessDenied("staff only")


def require_contact(actor: Actor) -> None:
    """Refuse anyone who is not a client contact."""
    if not actor.is_contact:
        raise AccessDenied("contacts only")
