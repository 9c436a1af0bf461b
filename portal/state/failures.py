"""What a tab shows when one of its events fails on the server."""

import logging

import reflex as rx

from portal.i18n import DEFAULT_LOCALE, translate
from portal.services import db

log = logging.getLogger("portal.events")


def on_event_error(exception: Exception) -> rx.event.EventSpec:
    """Log the failure and tell the user, in place of Reflex's English default.

    Reflex checks the parameter's name: it must be ``exception``.

    Reflex hands over only the exception, so the words are in the firm's default
    language. An outage changed nothing: the user can send the same thing again.
    """
    outage = db.is_outage(exception)
    if outage:
        log.error("Event failed, database or Redis unreachable: %s", exception)
    else:
        log.error("Event failed", exc_info=exception)
    key = "unavailable" if outage else "unexpected"
    return rx.toast.error(translate(DEFAULT_LOCALE, f"failure.{key}.title"),
                          description=translate(DEFAULT_LOCALE, f"failure.{key}.text"), position="top-center",
                          duration=10_000)
