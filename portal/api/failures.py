"""HTTP requests that fail because the database is unreachable answer 503, in words."""

import logging

from starlette.requests import Request
from starlette.responses import Response

from portal.api.pages import message_page
from portal.i18n import negotiate, translate
from portal.services import db

log = logging.getLogger("portal.api")
RETRY_AFTER_SECONDS = 5


async def on_error(request: Request, error: Exception) -> Response:
    """A 503 page with Retry-After for an outage; a 500 page for anything else (logged)."""
    outage = db.is_outage(error)
    log.error("%s %s failed (%s)", request.method, request.url.path, "outage" if outage else "bug",
              exc_info=not outage)
    locale = negotiate(request.headers.get("accept-language"))
    key = "unavailable" if outage else "unexpected"
    return message_page(locale=locale, title=translate(locale, f"failure.{key}.title"),
                        text=translate(locale, f"failure.{key}.text"), status_code=503 if outage else 500,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)} if outage else None)
