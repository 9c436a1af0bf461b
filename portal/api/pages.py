"""Small HTML pages the API answers with when there is nothing else to show."""

import html

from starlette.responses import HTMLResponse


def message_page(*, locale: str, title: str, text: str, status_code: int, link: tuple[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> HTMLResponse:
    """A plain, phone-friendly page with a heading, a sentence and an optional link.

    Args:
        locale: The page's language (``lang`` attribute).
        title: Heading and title (escaped here).
        text: The explanation (escaped here).
        status_code: The HTTP status.
        link: ``(href, label)`` of a link under the text; the href must be a local path.
        headers: Extra response headers.
    """
    title, text = html.escape(title), html.escape(text)
    after = f"<p><a href='{html.escape(link[0])}'>{html.escape(link[1])}</a></p>" if link else ""
    page = (f"<!doctype html><html lang='{html.escape(locale)}'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width,initial-scale=1'><meta name='robots' content='noindex'>"
            f"<title>{title}</title></head>"
            f"<body style='font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;"
            f"line-height:1.5;color:#1f2937'><h1>{title}</h1><p>{text}</p>{after}</body></html>")
    return HTMLResponse(page, status_code=status_code, headers={"Cache-Control": "no-store", **(headers or {})})
