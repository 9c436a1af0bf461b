"""Builds the Reflex app: pages, HTTP API, start-up work."""

import asyncio
import contextlib
import logging

import reflex as rx

from portal import realtime, routes, worker_liveness
from portal.api import build_api
from portal.components.pwa import update_notice
from portal.i18n import translate
from portal.pages.client.conversations import conversations_page
from portal.pages.client.documents import documents_page
from portal.pages.client.home import home_page
from portal.pages.client.profile import profile_page
from portal.pages.client.questionnaire import questionnaire_page
from portal.pages.public.login import login_page
from portal.pages.public.onboarding import activate_page, signup_page
from portal.pages.public.password import forgot_page, reset_page
from portal.pages.public.upload_link import upload_link_page
from portal.pages.staff.client_bookings import client_bookings_page
from portal.pages.staff.client_documents import client_documents_page
from portal.pages.staff.client_import import client_import_page
from portal.pages.staff.client_info import client_info_page
from portal.pages.staff.client_protocol import client_protocol_page
from portal.pages.staff.client_requests import client_requests_page
from portal.pages.staff.client_questionnaires import client_questionnaires_page
from portal.pages.staff.clients import clients_page
from portal.pages.staff.inbox import inbox_page
from portal.pages.staff.outbox import outbox_page
from portal.pages.staff.profile import staff_profile_page
from portal.pages.staff.questionnaire_templates import questionnaire_templates_page
from portal.pages.staff.settings import settings_page
from portal.services import blob_sweep, digests, outbox, retention, startup
from portal.settings import get_settings
from portal.state.firm_settings import FirmSettingsState
from portal.state.folder_templates import FolderTemplatesState
from portal.state.index import EntryState
from portal.state.login import LoginState, ResetState
from portal.state.onboarding import ActivationState, SignupState
from portal.state.outbox_view import OutboxViewState
from portal.state.portal_home import PortalHomeState, ProfileState
from portal.state.questionnaire_templates import QuestionnaireTemplatesState
from portal.state.questionnaires import ClientQuestionnaireState, StaffQuestionnairesState
from portal.state.session import SessionState
from portal.state.audit import ClientProtocolState
from portal.state.bookings import StaffBookingsState
from portal.state.client_import import ClientImportState
from portal.state.client_info import ClientInfoState
from portal.state.failures import on_event_error
from portal.state.conversations import ClientConversationsState, InboxState
from portal.state.digests import ClientDigestState, StaffProfileState
from portal.state.documents import ClientDocumentsState, StaffDocumentsState
from portal.state.staff import StaffClientsState
from portal.state.thread_panel import ThreadPanelState
from portal.state.upload_requests import StaffRequestsState, UploadLinkState

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _title(key: str) -> str:
    return f"{translate('de', key)} · Kanzleiportal"


@contextlib.asynccontextmanager
async def _lifespan(app: rx.App):
    """Upgrade the database, print demo logins, start live updates, the outbox sender, the digests,
    the trash purge and the sweep of what a crash left in the blob store."""
    settings = get_settings()
    realtime.bind(app, asyncio.get_running_loop())
    heartbeat = worker_liveness.install(app)
    logins = await asyncio.to_thread(startup.prepare_database, settings)
    if logins:
        print(startup.banner(logins, settings.base_url), flush=True)
    sender = asyncio.create_task(outbox.run_sender_loop())
    digest_runner = asyncio.create_task(digests.run_digest_loop())
    # Every worker purges; each row is deleted by one of them only (see retention.purge).
    trash_purge = asyncio.create_task(retention.run_purge_loop())
    # Every worker sweeps too, first right now: a restart after a crash cleans up at once.
    sweeper = asyncio.create_task(blob_sweep.run_sweep_loop())
    try:
        yield
    finally:
        sender.cancel()
        digest_runner.cancel()
        trash_purge.cancel()
        sweeper.cancel()
        if heartbeat is not None:
            heartbeat.cancel()


def _forwarding_page() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")


app = rx.App(
    api_transformer=build_api(),
    backend_exception_handler=on_event_error,
    html_lang="de",
    stylesheets=["/portal.css", "/pwa.css"],
    style={"font_family": "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
    head_components=[
        # Replaces Reflex's default viewport tag: a phone's keyboard shrinks the layout (the message
        # box stays above it) and the page may reach under the notch (safe-area insets pad it).
        rx.el.meta(name="viewport", content="width=device-width, initial-scale=1, viewport-fit=cover, "
                                            "interactive-widget=resizes-content"),
        rx.el.meta(name="theme-color", content="#0d9488"),
        rx.el.link(rel="icon", href="/icon.svg", type="image/svg+xml"),
        # The installable app: manifest, home-screen icon and name for iOS, which reads no manifest icons.
        rx.el.link(rel="manifest", href=routes.MANIFEST),
        rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
        rx.el.meta(name="mobile-web-app-capable", content="yes"),
        rx.el.meta(name="apple-mobile-web-app-capable", content="yes"),
        rx.el.meta(name="apple-mobile-web-app-title", content="Kanzleiportal"),
        # pwa.js registers the service worker (sw.js) and runs first: push.js uses its registration.
        rx.el.script(src="/pwa.js", defer=True),
        # Offers the push switch to the profile pages.
        rx.el.script(src="/push.js", defer=True),
        # Gives the focus back to the control that opened a dialog once it closes.
        rx.el.script(src="/focus_return.js", defer=True),
    ],
    # The new-version notice on every page. A fragment, because Reflex nests the inner app
    # wraps (and so the page) as children of each wrap: they end up beside the notice.
    extra_app_wraps={(3, "PwaUpdateNotice"): lambda _stateful: rx.fragment(update_notice())},
)
app.register_lifespan_task(_lifespan)
# The largest websocket message (one event and its arguments) a worker reads. Engine.IO
# closes the socket of a tab that sends more; the worker and every other tab go on, and
# the tab reconnects. The largest real event is a message or answer of 10,000 characters
# (40 KB in UTF-8); Reflex's default is 1 MB, and whatever Reflex's default becomes,
# this is ours. Bigger frames (over 64 MB) Granian's websocket layer already refuses.
MAX_EVENT_BYTES = 256 * 1024
# Set on the Engine.IO server, which checks each message: Socket.IO only passed the value on when built.
app.sio.eio.max_http_buffer_size = MAX_EVENT_BYTES

app.add_page(_forwarding_page, route=routes.INDEX, title="Kanzleiportal", on_load=EntryState.open_root)
app.add_page(login_page, route=routes.LOGIN, title=_title("login.title"), on_load=LoginState.load)
app.add_page(forgot_page, route=routes.FORGOT_PASSWORD, title=_title("forgot.title"),
             on_load=SessionState.load_public)
app.add_page(reset_page, route=routes.RESET_PASSWORD, title=_title("reset.title"), on_load=ResetState.load)
app.add_page(activate_page, route=routes.ACTIVATE, title=_title("activate.title"), on_load=ActivationState.load)
app.add_page(signup_page, route=routes.SIGNUP, title=_title("signup.title"), on_load=SignupState.load)
app.add_page(upload_link_page, route=routes.UPLOAD_LINK, title=_title("request.page.title"),
             on_load=[SessionState.load_public, UploadLinkState.load])
app.add_page(_forwarding_page, route=routes.STAFF, title="Kanzleiportal", on_load=EntryState.open_staff)
app.add_page(clients_page, route=routes.STAFF_CLIENTS, title=_title("clients.title"),
             on_load=StaffClientsState.load)
# The digest control reads the client that StaffBookingsState.load has just resolved.
app.add_page(client_bookings_page, route=routes.STAFF_CLIENT, title=_title("bookings.title"),
             on_load=[StaffBookingsState.load, ClientDigestState.load])
app.add_page(client_documents_page, route=routes.STAFF_CLIENT_DOCUMENTS, title=_title("documents.title"),
             on_load=StaffDocumentsState.load)
app.add_page(client_requests_page, route=routes.STAFF_CLIENT_REQUESTS, title=_title("request.title"),
             on_load=StaffRequestsState.load)
app.add_page(client_questionnaires_page, route=routes.STAFF_CLIENT_QUESTIONNAIRES, title=_title("quest.title"),
             on_load=StaffQuestionnairesState.load)
app.add_page(client_import_page, route=routes.STAFF_CLIENT_IMPORT, title=_title("import.client.title"),
             on_load=ClientImportState.load)
app.add_page(client_info_page, route=routes.STAFF_CLIENT_INFO, title=_title("client.tab.info"),
             on_load=ClientInfoState.load)
app.add_page(client_protocol_page, route=routes.STAFF_CLIENT_PROTOCOL, title=_title("audit.title"),
             on_load=ClientProtocolState.load)
app.add_page(questionnaire_templates_page, route=routes.STAFF_QUESTIONNAIRES, title=_title("quest.templates.title"),
             on_load=QuestionnaireTemplatesState.load)
app.add_page(inbox_page, route=routes.STAFF_INBOX, title=_title("inbox.title"),
             on_load=[InboxState.load, ThreadPanelState.open_linked])
app.add_page(settings_page, route=routes.STAFF_SETTINGS, title=_title("settings.title"),
             on_load=[FirmSettingsState.load, FolderTemplatesState.load])
app.add_page(outbox_page, route=routes.STAFF_OUTBOX, title=_title("outbox.title"), on_load=OutboxViewState.load)
app.add_page(staff_profile_page, route=routes.STAFF_PROFILE, title=_title("digest.profile.title"),
             on_load=StaffProfileState.load)
app.add_page(home_page, route=routes.PORTAL, title=_title("nav.home"),
             on_load=[PortalHomeState.load, ThreadPanelState.open_linked])
app.add_page(conversations_page, route=routes.PORTAL_CONVERSATIONS, title=_title("conversation.title"),
             on_load=[ClientConversationsState.load, ThreadPanelState.open_linked])
app.add_page(documents_page, route=routes.PORTAL_DOCUMENTS, title=_title("documents.title"),
             on_load=ClientDocumentsState.load)
app.add_page(questionnaire_page, route=routes.PORTAL_QUESTIONNAIRE, title=_title("quest.title"),
             on_load=ClientQuestionnaireState.load)
app.add_page(profile_page, route=routes.PORTAL_PROFILE, title=_title("profile.title"), on_load=ProfileState.load)
