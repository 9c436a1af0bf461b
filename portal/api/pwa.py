"""The installable app's server side: the versioned service worker and the offline page.

Both are Starlette routes rather than static files because each needs something a
static file cannot give: sw.js carries the version of the running build, and the
offline page is rendered from the message catalogs.
"""

import asyncio
import functools
import hashlib
import html
import json
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from portal import routes
from portal.i18n import CATALOGS, DEFAULT_LOCALE, translate

SERVICE_WORKER_SOURCE = Path(__file__).resolve().parents[2] / "assets" / "sw.js"
_VERSION_LINE = re.compile(r'^const VERSION = "[^"]*";$', re.MULTILINE)
_MESSAGE_KEYS = ("pwa.offline.title", "pwa.offline.text", "pwa.offline.retry")


def _frontend_build() -> Path:
    """The compiled frontend that ``reflex run --env prod`` serves (may not exist in tests)."""
    from reflex.utils import prerequisites
    from reflex_base import constants

    return prerequisites.get_web_dir() / constants.Dirs.STATIC


def build_digest(build_dir: Path, *parts: bytes) -> str:
    """A short digest of every file under ``build_dir`` and of ``parts``.

    The precompressed ``.gz`` copies are skipped: they follow from the originals.

    Args:
        build_dir: The frontend build; a missing directory counts as empty.
        *parts: Further content the version depends on (the worker, the offline page).

    Returns:
        16 hex digits, equal for equal builds on every worker and host.
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    files = sorted(p for p in build_dir.rglob("*") if p.is_file() and p.suffix != ".gz") if build_dir.is_dir() else []
    for path in files:
        digest.update(path.relative_to(build_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@functools.cache
def versioned_service_worker() -> bytes:
    """assets/sw.js with its VERSION set to the digest of this deployment.

    Computed once per process: a deployment restarts the server, and every worker of
    it computes the same value from the same files, so browsers see one version.
    """
    source = SERVICE_WORKER_SOURCE.read_text(encoding="utf-8")
    version = build_digest(_frontend_build(), source.encode(), offline_html().encode())
    script, count = _VERSION_LINE.subn(f'const VERSION = "{version}";', source)
    if count != 1:
        raise RuntimeError(f"{SERVICE_WORKER_SOURCE} must have exactly one 'const VERSION = \"...\";' line")
    return script.encode("utf-8")


def offline_html() -> str:
    """The page the service worker shows when the server cannot be reached.

    It is cached once for everybody, so it carries the texts of every language and picks
    one in the browser: the user's portal language that pwa.js remembered, else the
    browser's languages, else German.
    """
    messages = {locale: {key: translate(locale, key) for key in _MESSAGE_KEYS} for locale in CATALOGS}
    default = messages[DEFAULT_LOCALE]
    # "<" escaped so no message can close the script element.
    data = json.dumps(messages, ensure_ascii=False).replace("<", "\\u003c")
    title, text, retry = (html.escape(default[key]) for key in _MESSAGE_KEYS)
    return f"""<!doctype html>
<html lang="{DEFAULT_LOCALE}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="theme-color" content="#0d9488"><meta name="robots" content="noindex">
<link rel="icon" href="/icon.svg" type="image/svg+xml">
<title>{title} · Kanzleiportal</title>
<style>
  html,body{{height:100%;margin:0}}
  body{{display:flex;align-items:center;justify-content:center;padding:24px;box-sizing:border-box;
    font-family:Inter,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2024;background:#f0fdfa}}
  main{{max-width:26rem;width:100%;text-align:center;background:#fff;border-radius:16px;padding:32px 24px;
    box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(13,148,136,.10)}}
  img{{width:72px;height:72px}}
  h1{{font-size:1.375rem;margin:16px 0 8px}}
  p{{margin:0 0 24px;line-height:1.5;color:#60646c}}
  button{{font:inherit;font-weight:600;color:#fff;background:#0d9488;border:0;border-radius:10px;
    padding:12px 24px;min-height:44px;width:100%;max-width:16rem;cursor:pointer}}
  button:hover{{background:#0f766e}}
  button:focus-visible{{outline:3px solid #5eead4;outline-offset:2px}}
</style></head>
<body><main>
  <img src="/icon-192.png" alt="">
  <h1 id="title">{title}</h1>
  <p id="text">{text}</p>
  <button id="retry" type="button">{retry}</button>
</main>
<script>
(function () {{
  var messages = {data};
  var wanted = [];
  try {{ wanted.push(localStorage.getItem("portal.locale")); }} catch (err) {{}}
  wanted = wanted.concat(navigator.languages || [navigator.language]);
  for (var i = 0; i < wanted.length; i++) {{
    var lang = (wanted[i] || "").split("-")[0].toLowerCase();
    if (messages[lang]) {{
      var m = messages[lang];
      document.documentElement.lang = lang;
      document.title = m["pwa.offline.title"] + " · Kanzleiportal";
      document.getElementById("title").textContent = m["pwa.offline.title"];
      document.getElementById("text").textContent = m["pwa.offline.text"];
      document.getElementById("retry").textContent = m["pwa.offline.retry"];
      break;
    }}
  }}
  document.getElementById("retry").addEventListener("click", function () {{ location.reload(); }});
  // Standing in for a page (the worker's fallback), come back by itself once the server
  // answers again; the worker never touches {routes.PING}.
  if (location.pathname !== "{routes.OFFLINE}") {{
    setInterval(function () {{
      fetch("{routes.PING}", {{cache: "no-store"}}).then(function (r) {{ if (r.ok) location.reload(); }},
                                                   function () {{}});
    }}, 5000);
  }}
}})();
</script>
</body></html>
"""


async def service_worker(request: Request) -> Response:
    """``/sw.js``: never cached by the browser, so a new deployment is found at once."""
    # The first call reads the whole build once: off the event loop.
    script = await asyncio.to_thread(versioned_service_worker)
    return Response(script, media_type="text/javascript",
                    headers={"Cache-Control": "no-cache"})


async def offline_page(request: Request) -> Response:
    """``/offline``: fetched by the service worker when it installs."""
    return HTMLResponse(offline_html(), headers={"Cache-Control": "no-cache"})


ROUTES = [
    Route(routes.SERVICE_WORKER, service_worker, methods=["GET"]),
    Route(routes.OFFLINE, offline_page, methods=["GET"]),
]
