"""``/exports/audit/<client>/<csv|pdf>``: a client's protocol as a download, for the staff
who may read it (:func:`portal.services.audit.protocol_account`)."""

import asyncio
import datetime as dt

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from portal import routes
from portal.api.client_ip import client_ip
from portal.api.session import request_actor
from portal.i18n import format as fmt
from portal.i18n import negotiate, normalize_locale
from portal.services import audit_export
from portal.services.access import AccessDenied
from portal.storage import content_disposition

MAX_PARAM = 100


def _day(request: Request, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.query_params.get(name, "")[:MAX_PARAM]) or None
    except ValueError:
        return None


async def export_protocol(request: Request) -> Response:
    """Record the export and stream it as an attachment; 404 for anyone who may not read it."""
    actor = await request_actor(request)
    if actor is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    locale = normalize_locale(actor.locale) if actor.locale else negotiate(request.headers.get("accept-language"))
    formats = fmt.Formats(locale=locale, timezone=actor.timezone or fmt.DEFAULT_TIMEZONE)
    try:
        exported = await asyncio.to_thread(
            audit_export.export_protocol, actor=actor, public_id=request.path_params["client"][:MAX_PARAM],
            file_format=request.path_params["file_format"], kind=request.query_params.get("kind", "")[:MAX_PARAM],
            since=_day(request, "since"), until=_day(request, "until"), formats=formats, ip=client_ip(request))
    except AccessDenied:  # NotFound too: nobody learns whether the client exists
        return Response("Not found", status_code=404, media_type="text/plain")
    headers = {"Content-Disposition": content_disposition(exported.filename, attachment=True),
               "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    # A plain iterator: Starlette runs it in a thread, so the CSV's batches are read off the event loop.
    return StreamingResponse(exported.chunks, media_type=exported.content_type, headers=headers)


ROUTES = [Route(routes.API_AUDIT_EXPORT, export_protocol, methods=["GET"])]
