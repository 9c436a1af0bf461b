"""Downloads and previews of stored files, after an access check."""

import asyncio

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from portal import routes
from portal.api.client_ip import client_ip
from portal.api.session import request_actor
from portal.domain.audit import Action
from portal.services import booking_transfer, documents
from portal.services.access import AccessDenied
from portal.storage import content_disposition, get_store

CHUNK = 64 * 1024
_NOT_FOUND = Response("Not found", status_code=404, media_type="text/plain")
# Types handed out as what they are. Anything else a client uploaded (HTML pages, SVG
# logos, XML) goes out as bytes: a browser that ignored the attachment would still find
# no page or script to run in it.
SERVED_AS_IS = frozenset({"application/pdf", "image/jpeg", "image/png", "image/heic", "image/gif", "image/tiff",
                          "image/webp", "application/zip", "application/x-ole-storage", "text/plain",
                          "text/csv; charset=utf-8"})
OPAQUE = "application/octet-stream"
# Should a file ever be opened as a page after all: no script, no plugins, no requests,
# its own unique origin (so it cannot read the portal's cookies or pages).
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def served_type(content_type: str) -> str:
    """The Content-Type a stored file is downloaded with."""
    return content_type if content_type in SERVED_AS_IS else OPAQUE


def _headers(filename: str, *, attachment: bool) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition(filename, attachment=attachment),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        "Cache-Control": "private, max-age=300",
    }


def _stream(key: str):
    with get_store().open(key) as handle:
        while block := handle.read(CHUNK):
            yield block


async def _attachment(key: str, *, filename: str, content_type: str, size: int | None = None) -> Response:
    """Hand out a blob the actor was just allowed to read, as a download streamed from the store.

    Also from S3: a redirect to a signed S3 address sends the browser to another
    origin, which Chrome treats as leaving the page; Reflex then closes the tab's
    websocket and the tab stops receiving live updates. Streamed, the download stays
    on the page's origin and carries the portal's own headers (nosniff).
    """
    headers = _headers(filename, attachment=True)
    if size is not None:
        headers["Content-Length"] = str(size)
    return StreamingResponse(_stream(key), media_type=served_type(content_type), headers=headers)


async def _readable(request: Request, action: Action) -> documents.DocumentInfo | None:
    actor = await request_actor(request)
    if actor is None:
        return None
    try:
        return await asyncio.to_thread(documents.readable_document, actor=actor, key=request.path_params["key"],
                                       audit_action=action, ip=client_ip(request))
    except AccessDenied:  # also NotFound, and an email link's session asking for a filed document
        return None


async def download(request: Request) -> Response:
    """The file itself, always as an attachment (never rendered by the browser), HTML and SVG
    as opaque bytes (:func:`served_type`)."""
    info = await _readable(request, Action.DOCUMENT_DOWNLOADED)
    if info is None:
        return _NOT_FOUND

    return await _attachment(info.key, filename=info.filename, content_type=info.content_type, size=info.size)


async def preview(request: Request) -> Response:
    """A PNG thumbnail of an image or the first page of a PDF."""
    info = await _readable(request, Action.DOCUMENT_VIEWED)
    if info is None:
        return _NOT_FOUND
    png = await asyncio.to_thread(documents.preview_png, info)
    if png is None:
        return _NOT_FOUND
    return Response(png, media_type="image/png", headers=_headers(f"{info.filename}.png", attachment=False))


async def export(request: Request) -> Response:
    """A bookings export (staff of the account only)."""
    actor = await request_actor(request)
    if actor is None:
        return _NOT_FOUND
    try:
        info = await asyncio.to_thread(booking_transfer.readable_export, actor=actor, key=request.path_params["key"],
                                       ip=client_ip(request))
    except AccessDenied:  # also NotFound: the same answer for unknown and not-yours
        return _NOT_FOUND
    return await _attachment(info.key, filename=info.filename, content_type=info.content_type)


ROUTES = [
    Route(routes.API_FILE, download, methods=["GET"]),
    Route(routes.API_FILE_PREVIEW, preview, methods=["GET"]),
    Route(routes.API_EXPORT, export, methods=["GET"]),
]
