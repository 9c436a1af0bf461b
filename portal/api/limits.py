"""Request bodies are read no further than a route needs.

Starlette reads a form or a body whole, as long as the client keeps sending. Our
routes take small bodies (a login form, a push subscription), so they read through
:func:`bounded_body` and answer 413 as soon as the body outgrows what they take:
refused by the declared Content-Length before a byte is read, or while reading a
chunked body, never by holding it all first.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message

# A login, reset or activation form: email, password twice, a token, a next path; each
# field is cut to 500 characters anyway (portal.api.auth.MAX_FIELD).
MAX_FORM_BYTES = 16 * 1024
MAX_FORM_FIELDS = 10


async def bounded_body(request: Request, max_bytes: int) -> bytes | None:
    """The body, or None when it exceeds ``max_bytes`` (read no further than that).

    Raises:
        ClientDisconnect: The client went away while sending.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            return None
    return bytes(body)


async def bounded_form(request: Request, *, max_bytes: int = MAX_FORM_BYTES,
                       max_fields: int = MAX_FORM_FIELDS) -> FormData:
    """The posted form (urlencoded or multipart without files), read within ``max_bytes``.

    Raises:
        HTTPException: 413 for a larger body, 400 for a client that went away or a form
            with more than ``max_fields`` fields or any file.
    """
    try:
        body = await bounded_body(request, max_bytes)
    except ClientDisconnect:
        raise HTTPException(400) from None
    if body is None:
        raise HTTPException(413)

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    # Starlette's parser raises HTTPException(400) for too many fields or a file part.
    return await Request(request.scope, replay).form(max_files=0, max_fields=max_fields)
