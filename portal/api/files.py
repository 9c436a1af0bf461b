"""Downloads and previews of stored files, after an access check."""

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from portal import routes
from portal.api.session import request_actor
from portal.services import booking_transfer, documents
from portal.services.access import NotFound
from portal.storage import content_disposition, get_store

CHUNK = 64 * 1024
_NOT_FOUND = Response("Not found", status_code=404, media_type="text/plain")


def _headers(filename: str, *, attachment: bool) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition(filename, attachment=attachment),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=300",
    }


def _stream(key: str):
    with get_store().open(key) as handle:
        while block := handle.read(CHUNK):
            yield block


async def _attachment(key: str, *, filename: str, content_type: str, size: int | None = None) -> Response:
    """Hand out a blob the actor was just allowed to read, as a download.

    A store with its own URLs (S3) gets a redirect, so the bytes do not pass through
    the portal; otherwise the blob is streamed from the store.
    """
    store = get_store()
    # In a thread: the first signing may have to fetch role credentials over the network.
    url = await asyncio.to_thread(store.download_url, key, filename=filename, content_type=content_type)
    if url is not None:
        # no-store: the URL is this user's, expires within a minute, and must not be replayed from a cache.
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    headers = _headers(filename, attachment=True)
    if size is not None:
        headers["Content-Length"] = str(size)
    return StreamingResponse(_stream(key), media_type=content_type, headers=headers)


async def _readable(request: Request) -> documents.DocumentInfo | None:
    actor = await request_actor(request)
    if actor is None:
        return None
    try:
        return await asyncio.to_thread(documents.readable_document, actor=actor, key=request.path_params["key"])
    except NotFound:
        return None


async def download(request: Request) -> Response:
    """The file itself, always as an attachment (never rendered by the browser)."""
    info = await _readable(request)
    if info is None:
        return _NOT_FOUND

    return await _attachment(info.key, filename=info.filename, content_type=info.content_type, size=info.size)


async def preview(request: Request) -> Response:
    """A PNG thumbnail of an image or the first page of a PDF."""
    info = await _readable(request)
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
        info = await asyncio.to_thread(booking_transfer.readable_export, actor=actor, key=request.path_params["key"])
    except NotFound:
        return _NOT_FOUND
    return await _attachment(info.key, filename=info.filename, content_type=info.content_type)


ROUTES = [
    Route(routes.API_FILE, download, methods=["GET"]),
    Route(routes.API_FILE_PREVIEW, preview, methods=["GET"]),
    Route(routes.API_EXPORT, export, methods=["GET"]),
]
