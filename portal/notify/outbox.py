"""Queueing emails in the outbox, inside the caller's transaction."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.domain.clock import utcnow
from portal.models.notify import Outbox
from portal.notify.emails import render
from portal.settings import get_settings

logger = logging.getLogger("portal.mail")


def queue(
    db: Session,
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    not_before: datetime | None = None,
    batch_key: str | None = None,
) -> Outbox:
    """Add an email to the outbox; it is sent once the caller commits ``db``.

    Args:
        db: The caller's session, so the email is queued atomically with its change.
        to: Recipient address.
        template: Name of an email in :data:`portal.notify.emails.TEMPLATES`.
        context: Keyword arguments of that email function (JSON-serialisable).
        not_before: Earliest time to send (aware UTC); default now.
        batch_key: Groups emails that a digest may merge.

    Returns:
        The new, not yet flushed outbox row.

    Raises:
        ValueError: If the template is unknown.
        TypeError: If the context is not JSON-serialisable or does not fit the email.
    """
    # Render what the sender will read back from the JSON column, so a bad template name,
    # a missing argument or a non-JSON value fails here, in the request, not later in the sender.
    stored = json.loads(json.dumps(context))
    email = render(template, to, stored)
    row = Outbox(
        to=to,
        template=template,
        context=stored,
        not_before=not_before or utcnow(),
        batch_key=batch_key,
    )
    db.add(row)
    if not get_settings().smtp_url:
        # Without SMTP nothing is delivered; the log is how a developer gets e.g. a reset link.
        logger.info(
            "SMTP_URL not set; email stays in the outbox.\nTo: %s\nSubject: %s\n\n%s",
            email.to,
            email.subject,
            email.text,
        )
    return row
