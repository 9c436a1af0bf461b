"""Upload request links: the staff "Dateianfragen" tab of a client, and the public upload page."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.services import upload_requests
from portal.services.access import NotFound
from portal.services.upload_requests import RequestError
from portal.state.bookings import Option
from portal.state.client_page import ClientPageState
from portal.state.file_upload import FileUploadMixin
from portal.state.session import Area, SessionState, require_actor, to_login, user_formats, user_locale

PUBLIC_UPLOAD_ID = "request-upload"
# The recipient select's value for "type another address".
OTHER = "other"


@dataclasses.dataclass
class RequestItem:
    """One request link in the staff list, formatted for the viewer."""

    id: int = 0
    folder: str = ""
    message: str = ""
    status: str = ""
    recipient: str = ""
    last_sent: str = ""
    expires: str = ""
    created: str = ""
    created_by: str = ""
    files: int = 0
    last_upload: str = ""


@dataclasses.dataclass
class ReceivedItem:
    """A file the guest sent during this visit."""

    name: str = ""
    size: str = ""


class StaffRequestsState(rx.State):
    """The request links of the client in the URL, and the dialogs acting on them."""

    rows: list[RequestItem] = []
    loaded: bool = False
    # How many links are shown; reloads keep it, "load more" adds a step.
    shown: int = upload_requests.PAGE_SIZE
    has_more: bool = False
    is_guest: bool = False
    error: str = ""

    # "Dateien anfordern" dialog; after creating it shows the link.
    create_open: bool = False
    folders: list[Option] = []
    folder: str = ""
    default_expiry: str = ""
    min_expiry: str = ""
    send_email: bool = False
    recipients: list[Option] = []
    recipient: str = OTHER
    form_error: str = ""
    created_link: str = ""
    created_notice: str = ""

    # "Erneut senden", "Nachricht bearbeiten", "Widerrufen": one request at a time.
    action: str = ""  # send, edit, revoke
    action_id: int = 0
    action_message: str = ""
    action_recipient_email: str = ""
    action_error: str = ""

    _account_id: int = 0

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.STAFF)

    @rx.event
    async def load(self):
        """Open the client named in the URL (if the user works it) and list its links."""
        client = await self.get_state(ClientPageState)
        actor = await client._open()
        if actor is None:
            return to_login(self)
        self.loaded, self.error, self.create_open, self.action = False, "", False, ""
        self.shown = upload_requests.PAGE_SIZE
        if client.not_found:
            self.loaded = True
            return None
        self._account_id = client._account_id
        await self._fetch(actor)
        return None

    async def _fetch(self, actor: Actor) -> None:
        # One more than shown tells whether a "load more" button is needed.
        rows = await asyncio.to_thread(upload_requests.list_requests, actor=actor, account_id=self._account_id,
                                       limit=self.shown + 1)
        rows, self.has_more = rows[:self.shown], len(rows) > self.shown
        formats = await user_formats(self)
        locale = formats.locale
        self.rows = [RequestItem(id=r.id, folder=r.folder_name, message=r.message, status=r.status.value,
                                 recipient=r.recipient_email,
                                 last_sent=formats.datetime(r.last_sent_at) if r.last_sent_at else "",
                                 expires=fmt.date(r.expires_on, locale) if r.expires_on else "",
                                 created=formats.datetime(r.created_at), created_by=r.created_by, files=r.files,
                                 last_upload=formats.datetime(r.last_upload_at) if r.last_upload_at else "")
                     for r in rows]
        self.is_guest = (await self.get_state(ClientPageState)).account_kind == "guest"
        self.loaded = True

    @rx.event
    def load_more(self):
        """Show the next step of older links."""
        self.shown += upload_requests.PAGE_SIZE
        return StaffRequestsState.refresh

    @rx.event
    async def refresh(self):
        """Files arrived or a colleague changed a link: list again."""
        if not self._account_id:
            return None
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        try:
            await self._fetch(actor)
        except NotFound:
            self.rows = []
        return None

    async def _recipient_options(self, actor: Actor) -> list[Option]:
        people = await asyncio.to_thread(upload_requests.recipient_choices, actor=actor, account_id=self._account_id)
        other = Option(OTHER, translate(await user_locale(self), "request.recipient.other"))
        return [*[Option(p.email, f"{p.name} <{p.email}>") for p in people], other]

    # Creating

    @rx.event
    async def open_create(self):
        """Fill the dialog's choices (the uploads folder first) and open it."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        try:
            choices = await asyncio.to_thread(upload_requests.folder_choices, actor=actor,
                                              account_id=self._account_id)
            self.recipients = await self._recipient_options(actor)
        except NotFound:
            return None
        self.folders = [Option(str(c.id), c.label) for c in choices]
        default = next((c for c in choices if c.uploads_default), choices[0] if choices else None)
        self.folder = str(default.id) if default else ""
        today = dt.datetime.now(upload_requests.FIRM_TZ).date()
        self.min_expiry, self.default_expiry = today.isoformat(), upload_requests.default_expiry_date().isoformat()
        self.send_email, self.recipient = False, self.recipients[0].value
        self.form_error, self.created_link, self.created_notice = "", "", ""
        self.create_open = True
        return None

    @rx.event
    def set_create_open(self, is_open: bool):
        """Close the dialog (Escape, overlay, close button)."""
        self.create_open = is_open

    @rx.event
    def set_folder(self, value: str):
        """The folder files will land in."""
        self.folder = value

    @rx.event
    def set_send_email(self, value: bool):
        """Whether the link goes out by email at once."""
        self.send_email = bool(value)

    @rx.event
    def set_recipient(self, value: str):
        """A portal user's address, or "other" to type one."""
        self.recipient = value

    @rx.event
    async def create(self, form: dict):
        """Create the link (and email it), then show it for copying."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        locale = await user_locale(self)
        expires, problem = _parse_day(str(form.get("expires", "")))
        email = _chosen_address(self.recipient, str(form.get("email", ""))) if self.send_email else ""
        if problem:
            self.form_error = translate(locale, problem)
            return None
        if not self.folder.isdigit():
            self.form_error = translate(locale, "request.error.folder")
            return None
        if self.send_email and not email:
            self.form_error = translate(locale, "request.error.email")
            return None
        try:
            created = await asyncio.to_thread(
                upload_requests.create_request, actor=actor, account_id=self._account_id, folder_id=int(self.folder),
                message=str(form.get("message", "")), expires_on=expires, recipient_email=email)
        except RequestError as err:
            self.form_error = translate(locale, err.key)
            return None
        except NotFound:
            self.form_error = translate(locale, "request.error.folder")
            return None
        self.form_error, self.created_link = "", created.link
        self.created_notice = translate(locale, "request.sent", email=email) if created.sent else ""
        await self._fetch(actor)
        return None

    @rx.event
    async def copy_created(self):
        """Copy the link the dialog shows."""
        return [rx.set_clipboard(self.created_link),
                rx.toast.success(translate(await user_locale(self), "request.copied"))]

    # The three-dot menu

    @rx.event
    async def copy_link(self, request_id: int):
        """"Link kopieren": the same link as before, derived again."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        locale = await user_locale(self)
        try:
            link = await asyncio.to_thread(upload_requests.request_link, actor=actor, request_id=request_id)
        except RequestError as err:
            return rx.toast.error(translate(locale, err.key))
        except NotFound:
            return rx.toast.error(translate(locale, "request.error.gone"))
        return [rx.set_clipboard(link), rx.toast.success(translate(locale, "request.copied"))]

    @rx.event
    async def start_action(self, action: str, request_id: int):
        """Open the dialog of "send", "edit" or "revoke" for one request."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        row = next((r for r in self.rows if r.id == request_id), None)
        if row is None or action not in ("send", "edit", "revoke"):
            return None
        if action == "send":
            self.recipients = await self._recipient_options(actor)
            known = {o.value for o in self.recipients}
            self.recipient = row.recipient if row.recipient in known else (
                OTHER if row.recipient or len(self.recipients) == 1 else self.recipients[0].value)
        self.action, self.action_id, self.action_error = action, request_id, ""
        self.action_message, self.action_recipient_email = row.message, row.recipient
        return None

    @rx.event
    def set_action_open(self, is_open: bool):
        """Close the action dialog."""
        if not is_open:
            self.action = ""

    @rx.event
    async def apply_action(self, form: dict):
        """Send the link again, save the new message, or revoke."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        locale = await user_locale(self)
        email = _chosen_address(self.recipient, str(form.get("email", "")))
        try:
            if self.action == "send":
                if not email:
                    raise RequestError("request.error.email")
                await asyncio.to_thread(upload_requests.send_request, actor=actor, request_id=self.action_id,
                                        recipient_email=email)
                done = translate(locale, "request.sent", email=email)
            elif self.action == "edit":
                await asyncio.to_thread(upload_requests.edit_message, actor=actor, request_id=self.action_id,
                                        message=str(form.get("message", "")))
                done = translate(locale, "request.saved")
            else:
                await asyncio.to_thread(upload_requests.revoke, actor=actor, request_id=self.action_id)
                done = translate(locale, "request.revoked")
        except RequestError as err:
            self.action_error = translate(locale, err.key)
            return None
        except NotFound:
            self.action_error = translate(locale, "request.error.gone")
            return None
        self.action = ""
        await self._fetch(actor)
        return rx.toast.success(done)

    # The guest account

    @rx.event
    async def open_guest_account(self):
        """Go to the guest account's requests (created on first use)."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        public_id = await asyncio.to_thread(upload_requests.ensure_guest_account, actor=actor)
        return rx.redirect(routes.staff_client(public_id, routes.STAFF_CLIENT_REQUESTS))


def _parse_day(value: str) -> tuple[dt.date | None, str]:
    """The chosen last day (None: the default), or the catalog key of what is wrong."""
    if not value.strip():
        return None, ""
    try:
        return dt.date.fromisoformat(value.strip()), ""
    except ValueError:
        return None, "request.error.expiry_format"


def _chosen_address(choice: str, typed: str) -> str:
    return typed.strip() if choice == OTHER else choice


class UploadLinkState(FileUploadMixin, rx.State):
    """The public upload page of a request link: no login, the token is the permission."""

    firm_name: str = ""
    message: str = ""
    expires: str = ""
    problem: str = ""
    loaded: bool = False
    uploader_name: str = ""
    received: list[ReceivedItem] = []
    # Held on the server only; every upload checks it again (revoked meanwhile, expired).
    _token: str = ""

    @rx.event
    async def load(self):
        """Check the link in the URL and show what the firm asks for, or why it cannot."""
        token = routes.upload_link_token(self.router.url.path) or ""
        result = await asyncio.to_thread(upload_requests.open_request, token=token[:200],
                                         client=self.router.session.client_ip or "unknown")
        locale = (await self.get_state(SessionState)).locale
        self.received, self.upload_items, self.uploader_name = [], [], ""
        if result.request is None:
            self._token, self.problem = "", "unknown" if result.problem.value == "limited" else result.problem.value
        else:
            self._token, self.problem = token, ""
            self.firm_name, self.message = result.request.firm_name, result.request.message
            self.expires = fmt.date(result.request.expires_on, locale) if result.request.expires_on else ""
        self.loaded = True

    @rx.event
    def set_uploader_name(self, value: str):
        """"Ihr Name": sent along with every file."""
        self.uploader_name = value[:200]

    @rx.event(background=True)
    async def receive(self, chunks: rx.UploadChunkIterator):
        """Stream the dropped files to the firm, one after the other."""
        await self._receive_all(None, chunks)

    async def _save_file(self, actor: Actor | None, filename: str, data: AsyncIterator[bytes]) -> None:
        async with self:
            token, name, locale = self._token, self.uploader_name, (await self.get_state(SessionState)).locale
        if not token:
            raise NotFound("upload request")
        received = await upload_requests.receive_upload(token=token, filename=filename, chunks=data,
                                                        uploader_name=name)
        async with self:
            self.received = [*self.received, ReceivedItem(name=received.filename,
                                                          size=fmt.size(received.size, locale))]
