"""A contact's data export (Art. 15/20 DSGVO): a ZIP streamed to the staff after an access check."""

import asyncio

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from portal import routes
from portal.api.session import request_actor
from portal.services import gdpr
from portal.services.access import AccessDenied
from portal.storage import content_disposition

_NOT_FOUND = Response("Not found", status_code=404, media_type="text/plain")


def _prepare(actor, public_id: str, contact_id: int) -> gdpr.ContactExport:
    account_id = gdpr.staff_account_id(actor=actor, public_id=public_id)
    return gdpr.export_contact(actor=actor, account_id=account_id, contact_id=contact_id)


async def contact_export(request: Request) -> Response:
    """The ZIP of everything about one contact, always as a download, never cached."""
    actor = await request_actor(request)
    if actor is None:
        return _NOT_FOUND
    try:
        export = await asyncio.to_thread(_prepare, actor, request.path_params["client"],
                                         request.path_params["contact_id"])
    except gdpr.PrivacyError:
        return Response("Forbidden", status_code=403, media_type="text/plain")
    except AccessDenied:  # also NotFound: the same answer for unknown and not-yours
        return _NOT_FOUND
    headers = {"Content-Disposition": content_disposition(export.filename, attachment=True),
               "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    # A sync iterator: Starlette runs it in a thread, so reading the store never blocks the loop.
    return StreamingResponse(gdpr.zip_stream(export), media_type="application/zip", headers=headers)


ROUTES = [Route(routes.API_CONTACT_EXPORT, contact_export, methods=["GET"])]
