"""The staff clients page: tabs by role, search, filter, sort, pages, row menus."""

import asyncio
import dataclasses

import reflex as rx

from portal import realtime, routes
from portal.domain.actor import Actor
from portal.domain.enums import ClientTab, ReminderKind
from portal.domain.errors import UserError
from portal.i18n import translate
from portal.services import clients, onboarding, reminders
from portal.services.access import AccessDenied
from portal.state.session import Area, require_actor, to_login, user_formats, user_locale


@dataclasses.dataclass
class ClientRow:
    """One client as the staff list shows it."""

    id: int
    href: str
    info_href: str
    name: str
    initials: str
    kind: str
    status: str
    self_signup: bool
    contacts: int
    open_talks: int
    missing_receipts: int
    accountants: str


@dataclasses.dataclass
class PendingRow:
    """A contact waiting to activate their portal access."""

    contact_id: int
    name: str
    email: str
    invited: str
    accounts: str
    href: str


@dataclasses.dataclass
class TabView:
    """A tab of the clients page with its count."""

    value: str
    label_key: str
    count: int


@dataclasses.dataclass
class DetailContact:
    """A contact in the details dialog."""

    name: str
    email: str
    state_key: str


@dataclasses.dataclass
class DetailField:
    """A labelled value in the details dialog."""

    label: str
    value: str


def _initials(name: str) -> str:
    words = [w for w in name.replace("Dr.", "").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def contact_state_key(activated: bool, invited: bool, login: bool) -> str:
    """Catalog key of a contact's portal state (for badges and lists)."""
    if not login:
        return "contact.state.no_login"
    if activated:
        return "contact.state.active"
    return "contact.state.invited" if invited else "contact.state.not_invited"


class StaffClientsState(rx.State):
    """The clients the logged-in staff user works, one page at a time."""

    rows: list[ClientRow] = []
    pending: list[PendingRow] = []
    tabs: list[TabView] = []
    tab: str = ""
    query: str = ""
    missing_only: bool = False
    sort: str = "asc"
    page: int = 1
    pages: int = 1
    total: int = 0
    loaded: bool = False
    error: str = ""
    # Row menus
    details_open: bool = False
    details_name: str = ""
    details_href: str = ""
    details_fields: list[DetailField] = []
    details_contacts: list[DetailContact] = []
    remind_open: bool = False
    remind_name: str = ""
    remind_error: str = ""
    remind_notice: str = ""
    notice: str = ""
    _remind_account: int = 0

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.STAFF)

    @rx.event
    async def load(self):
        """Check the session, follow changes live, then fetch the first page."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        await realtime.link(self, realtime.STAFF_CLIENTS_ROOM)
        self.page = 1
        await self._fetch(actor)
        return None

    @rx.event
    async def refresh(self):
        """Reload the current page after a change elsewhere."""
        actor = await self._actor()
        if actor is not None:
            await self._fetch(actor)

    async def _fetch(self, actor: Actor) -> None:
        formats = await user_formats(self)
        result = await asyncio.to_thread(
            clients.list_clients, actor=actor, tab=self.tab or None, query=self.query, missing_only=self.missing_only,
            descending=self.sort == "desc", page=self.page)
        self.tab, self.page, self.pages, self.total = result.tab.value, result.page, result.pages, result.total
        self.tabs = [TabView(value=t.value, label_key=f"clients.tab.{t.value}", count=result.counts.get(t.value, 0))
                     for t in result.tabs]
        if result.tab == ClientTab.INVITATIONS:
            people, total, pages = await asyncio.to_thread(
                clients.pending_activations, actor=actor, query=self.query, page=self.page)
            self.total, self.pages = total, pages
            self.pending = [PendingRow(
                contact_id=p.contact_id, name=p.name, email=p.email,
                invited=formats.datetime(p.invited_at) if p.invited_at else "",
                accounts=", ".join(name for _, _, name in p.accounts),
                href=routes.staff_client(p.accounts[0][1], routes.STAFF_CLIENT_INFO) if p.accounts else "",
            ) for p in people]
            self.rows = []
        else:
            self.pending = []
            self.rows = [ClientRow(
                id=c.id, href=routes.staff_client(c.public_id),
                info_href=routes.staff_client(c.public_id, routes.STAFF_CLIENT_INFO), name=c.name,
                initials=_initials(c.name), kind=c.kind, status=c.status, self_signup=c.self_signup,
                contacts=c.contacts, open_talks=c.open_talks, missing_receipts=c.missing_receipts,
                accountants=", ".join(c.accountants)) for c in result.rows]
        self.loaded = True

    async def _reload_first_page(self):
        self.page = 1
        actor = await self._actor()
        if actor is not None:
            await self._fetch(actor)

    @rx.event
    async def set_tab(self, tab: str):
        """Show another tab."""
        self.tab = tab
        await self._reload_first_page()

    @rx.event
    async def set_query(self, query: str):
        """Search by name (as the user types, debounced by the input)."""
        self.query = query[: clients.MAX_QUERY_CHARS]
        await self._reload_first_page()

    @rx.event
    async def set_missing_only(self, checked: bool):
        """Only clients with missing receipts."""
        self.missing_only = bool(checked)
        await self._reload_first_page()

    @rx.event
    async def set_sort(self, sort: str):
        """Sort by name ascending or descending."""
        self.sort = "desc" if sort == "desc" else "asc"
        await self._reload_first_page()

    @rx.event
    async def go_to_page(self, page: int):
        """Show another page of the list."""
        self.page = max(1, min(int(page), self.pages))
        actor = await self._actor()
        if actor is not None:
            await self._fetch(actor)

    # Row menu: details

    @rx.event
    async def show_details(self, account_id: int):
        """Open the details dialog of a client."""
        actor = await self._actor()
        if actor is None:
            return
        locale = await user_locale(self)
        try:
            d = await asyncio.to_thread(clients.account_details, actor=actor, account_id=int(account_id))
        except AccessDenied:
            self.error = translate(locale, "clients.error.gone")
            return
        tr = lambda key, **p: translate(locale, key, **p)  # noqa: E731
        fields = [DetailField(tr("client.info.kind"), tr(f"kind.{d.kind}")),
                  DetailField(tr("clients.col.status"), tr(f"status.{d.status}"))]
        if d.company_name:
            fields.append(DetailField(tr("client.info.company"), d.company_name))
        if d.address:
            fields.append(DetailField(tr("client.info.address"), d.address))
        if d.tags:
            fields.append(DetailField(tr("client.info.tags"), ", ".join(d.tags)))
        fields.append(DetailField(tr("clients.col.accountants"),
                                  ", ".join(n for _, n in d.accountants) or tr("client.info.no_accountants")))
        fields.extend(DetailField(f.label, d.custom[str(f.id)]) for f in d.account_fields if str(f.id) in d.custom)
        self.details_fields = fields
        self.details_contacts = [DetailContact(name=c.name, email=c.email,
                                               state_key=contact_state_key(c.activated, c.invited_at is not None,
                                                                           c.login))
                                 for c in d.contacts]
        self.details_name = d.name
        self.details_href = routes.staff_client(d.public_id, routes.STAFF_CLIENT_INFO)
        self.details_open = True

    @rx.event
    def set_details_open(self, is_open: bool):
        """Close the details dialog."""
        self.details_open = is_open

    # Row menu: reminder (admins)

    @rx.event
    async def open_remind(self, account_id: int, name: str):
        """Open "Notify accountants" for a client."""
        actor = await self._actor()
        if actor is None or not actor.is_admin:
            return
        self._remind_account, self.remind_name = int(account_id), name
        self.remind_error, self.remind_notice, self.remind_open = "", "", True

    @rx.event
    def set_remind_open(self, is_open: bool):
        """Close the reminder dialog."""
        self.remind_open = is_open

    @rx.event
    async def send_reminder(self, form: dict):
        """Email the client's accountants about the ticked task kinds."""
        actor = await self._actor()
        if actor is None:
            return
        locale = await user_locale(self)
        kinds = [k.value for k in ReminderKind if form.get(f"kind_{k.value}") in ("on", True, "true")]
        try:
            sent = await asyncio.to_thread(reminders.remind_accountants, actor=actor, account_id=self._remind_account,
                                           kinds=kinds, comment=str(form.get("comment", "")))
        except UserError as err:
            self.remind_error = translate(locale, err.key, **err.params)
            return
        except AccessDenied:
            self.remind_error = translate(locale, "clients.error.gone")
            return
        self.remind_open = False
        self.notice = translate(locale, "reminder.sent", count=sent, name=self.remind_name)

    # Invitations tab

    @rx.event
    async def reinvite(self, contact_id: int):
        """Send a pending contact a new invitation (the old link stops working)."""
        actor = await self._actor()
        if actor is None:
            return
        locale = await user_locale(self)
        try:
            await asyncio.to_thread(onboarding.reinvite, actor=actor, contact_id=int(contact_id))
        except UserError as err:
            self.error = translate(locale, err.key, **err.params)
            return
        except AccessDenied:
            self.error = translate(locale, "clients.error.gone")
            return
        self.error = ""
        self.notice = translate(locale, "invite.resent")
        await self._fetch(actor)
