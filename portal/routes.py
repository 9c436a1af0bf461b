"""Every path of the portal: pages, API endpoints and builders for dynamic ones.

Pages and emails build URLs only through this module.
"""

from urllib.parse import urlencode

# Public pages
INDEX = "/"
LOGIN = "/login"
FORGOT_PASSWORD = "/forgot-password"
RESET_PASSWORD = "/reset/[reset_token]"
# The upload page of a request link; portal.api.upload_links answers bad tokens with 404/410 first.
UPLOAD_LINK = "/u/[token]"
ACTIVATE = "/activate/[activation_token]"
SIGNUP = "/signup"

# Staff area
STAFF = "/staff"
STAFF_CLIENTS = "/staff/clients"
STAFF_INBOX = "/staff/inbox"
STAFF_CLIENT = "/staff/clients/[client]"
# Tabs of one client next to its bookings.
STAFF_CLIENT_DOCUMENTS = "/staff/clients/[client]/documents"
STAFF_CLIENT_REQUESTS = "/staff/clients/[client]/requests"
STAFF_CLIENT_QUESTIONNAIRES = "/staff/clients/[client]/questionnaires"
STAFF_CLIENT_INFO = "/staff/clients/[client]/info"
# The client's audit trail ("Protokoll").
STAFF_CLIENT_PROTOCOL = "/staff/clients/[client]/protocol"
STAFF_CLIENT_IMPORT = "/staff/clients/import"
STAFF_QUESTIONNAIRES = "/staff/questionnaires"
STAFF_SETTINGS = "/staff/settings"
STAFF_OUTBOX = "/staff/outbox"
# The staff user's own settings (email digests).
STAFF_PROFILE = "/staff/profile"

# Client area
PORTAL = "/portal"
PORTAL_PROFILE = "/portal/profile"
PORTAL_CONVERSATIONS = "/portal/messages"
PORTAL_DOCUMENTS = "/portal/documents"
PORTAL_QUESTIONNAIRE = "/portal/questionnaires/[questionnaire]"

# HTTP endpoints (Starlette, mounted through api_transformer)
API_LOGIN = "/auth/login"
API_LOGOUT = "/auth/logout"
API_FORGOT = "/auth/forgot"
API_RESET = "/auth/reset"
API_ACTIVATE = "/auth/activate"
API_PASSWORD = "/auth/password"
# Staff single sign-on (OpenID Connect): the start sends the browser to the provider,
# which sends it back to the callback (registered there as BASE_URL + API_SSO_CALLBACK).
API_SSO = "/auth/sso"
API_SSO_CALLBACK = "/auth/sso/callback"
API_FILE = "/files/{key}"
API_FILE_PREVIEW = "/files/{key}/preview"
API_EXPORT = "/exports/{key}"
# A contact's data export (Art. 15/20 DSGVO), staff only.
API_CONTACT_EXPORT = "/exports/contacts/{client}/{contact_id:int}"
# A client's protocol as CSV or PDF (staff who may read it).
API_AUDIT_EXPORT = "/exports/audit/{client}/{file_format}"
API_TALK_LINK = "/t/{token}"
API_PUSH_KEY = "/push/key"
API_PUSH_SUBSCRIPTIONS = "/push/subscriptions"
API_PUSH_SUBSCRIPTION = "/push/subscriptions/{subscription_id:int}"

# The installable app: worker and offline page from portal/api/pwa.py, the manifest a static file.
SERVICE_WORKER = "/sw.js"
OFFLINE = "/offline"
MANIFEST = "/manifest.webmanifest"
# Reflex's health check; the offline page polls it to come back by itself.
PING = "/ping"

# Query parameter that opens one thread when a list page loads (push notification targets).
THREAD_PARAM = "thread"
# The profile page's query parameter naming the outcome of a password change.
PASSWORD_PARAM = "password"

PAGES = (INDEX, LOGIN, FORGOT_PASSWORD, RESET_PASSWORD, UPLOAD_LINK, ACTIVATE, SIGNUP, STAFF, STAFF_CLIENTS, STAFF_INBOX, STAFF_CLIENT,
         STAFF_CLIENT_DOCUMENTS, STAFF_CLIENT_REQUESTS, STAFF_CLIENT_QUESTIONNAIRES, STAFF_CLIENT_INFO, STAFF_CLIENT_PROTOCOL, STAFF_CLIENT_IMPORT, STAFF_QUESTIONNAIRES, STAFF_SETTINGS,
         STAFF_OUTBOX, STAFF_PROFILE, PORTAL, PORTAL_PROFILE, PORTAL_CONVERSATIONS, PORTAL_DOCUMENTS,
         PORTAL_QUESTIONNAIRE)
API = (API_LOGIN, API_LOGOUT, API_FORGOT, API_RESET, API_ACTIVATE, API_PASSWORD, API_FILE, API_FILE_PREVIEW, API_EXPORT,
       API_CONTACT_EXPORT, API_AUDIT_EXPORT, API_TALK_LINK, API_SSO, API_SSO_CALLBACK, API_PUSH_KEY,
       API_PUSH_SUBSCRIPTIONS, API_PUSH_SUBSCRIPTION)
# Endpoints of the app shell, which the service worker may cache (API routes it never touches).
SHELL = (SERVICE_WORKER, OFFLINE)


def reset_password(token: str) -> str:
    """Path of the password-reset page for ``token``."""
    return RESET_PASSWORD.replace("[reset_token]", token)


def activate(token: str) -> str:
    """The page where an invited contact sets a password."""
    return ACTIVATE.replace("[activation_token]", token)


def staff_client(public_id: str, tab: str = STAFF_CLIENT) -> str:
    """Path of one client's page (or one of its tabs, e.g. :data:`STAFF_CLIENT_DOCUMENTS`) in the staff area."""
    return tab.replace("[client]", public_id)


def portal_questionnaire(ref: str) -> str:
    """Path of a questionnaire the client fills in (``ref`` from the questionnaires service)."""
    return PORTAL_QUESTIONNAIRE.replace("[questionnaire]", ref)


def file(key: str) -> str:
    """Download path of a stored file."""
    return API_FILE.replace("{key}", key)


def file_preview(key: str) -> str:
    """Preview (PNG) path of a stored file."""
    return API_FILE_PREVIEW.replace("{key}", key)


def talk_link(token: str) -> str:
    """Path of an email link into the talk area."""
    return API_TALK_LINK.replace("{token}", token)


def upload_link(token: str) -> str:
    """Path of a request link's upload page."""
    return UPLOAD_LINK.replace("[token]", token)


def upload_link_token(path: str) -> str | None:
    """The token if ``path`` is a request link's upload page, else None."""
    prefix = UPLOAD_LINK.split("[", 1)[0]
    if not path.startswith(prefix):
        return None
    token = path[len(prefix):].rstrip("/")
    return token if token and "/" not in token else None
def push_subscription(subscription_id: int) -> str:
    """Path of one of the user's push subscriptions (to remove it)."""
    return API_PUSH_SUBSCRIPTION.replace("{subscription_id:int}", str(subscription_id))


def with_thread(page: str, thread_id: int) -> str:
    """A list page that opens one thread once it has loaded (e.g. the inbox)."""
    return f"{page}?{urlencode({THREAD_PARAM: thread_id})}"


def needs_password(path: str) -> bool:
    """Whether a client page is outside the talk area an email link opens."""
    return path.startswith(PORTAL) and path.rstrip("/") != PORTAL


def export(key: str) -> str:
    """Download path of a bookings export."""
    return API_EXPORT.replace("{key}", key)


def contact_export(public_id: str, contact_id: int) -> str:
    """Download path of a contact's data export (ZIP), reached through one of its clients."""
    return API_CONTACT_EXPORT.replace("{client}", public_id).replace("{contact_id:int}", str(contact_id))


def audit_export(public_id: str, file_format: str, *, kind: str = "", since: str = "", until: str = "") -> str:
    """Download path of a client's protocol (``csv`` or ``pdf``), filtered and limited to a period."""
    path = API_AUDIT_EXPORT.replace("{client}", public_id).replace("{file_format}", file_format)
    query = urlencode({k: v for k, v in (("kind", kind), ("since", since), ("until", until)) if v})
    return f"{path}?{query}" if query else path


def login(*, next_path: str = "", error: str = "", notice: str = "", minutes: int = 0) -> str:
    """Path of the login page with an optional message and return path."""
    params = {"next": next_path, "error": error, "notice": notice, "minutes": minutes or ""}
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{LOGIN}?{query}" if query else LOGIN


def sso(*, next_path: str = "") -> str:
    """Path that starts a single sign-on, returning to ``next_path`` afterwards."""
    return f"{API_SSO}?{urlencode({'next': next_path})}" if next_path else API_SSO


def safe_next(path: str | None) -> str:
    """Return ``path`` if it is a local page path, else an empty string.

    Prevents open redirects: ``//evil.example`` or ``https://...`` are dropped.
    """
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return ""
    return path


def home_for(kind: str) -> str:
    """Landing page after login for a subject kind (``staff`` or ``contact``)."""
    return STAFF_CLIENTS if kind == "staff" else PORTAL


def profile_for(kind: str) -> str:
    """The profile page of a subject kind (``staff`` or ``contact``)."""
    return STAFF_PROFILE if kind == "staff" else PORTAL_PROFILE


def may_open(kind: str, path: str) -> bool:
    """Whether a subject kind may be sent to ``path`` after login."""
    if path.startswith(STAFF):
        return kind == "staff"
    if path.startswith(PORTAL):
        return kind == "contact"
    return True
