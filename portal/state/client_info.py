"""The client's "Info" tab: account data, contacts with their toggles and invitations,
assigned accountants, a contact's data export and erasure (DSGVO)."""

import asyncio
import dataclasses

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.domain.errors import UserError
from portal.i18n import translate
from portal.services import clients, gdpr, onboarding
from portal.services.access import AccessDenied
from portal.services.clients import AccountDetails, DuplicateEmail
from portal.state.client_forms import (
    ACCOUNT_FIELD_PREFIX,
    CONTACT_FIELD_PREFIX,
    NO_TEMPLATE,
    ClientFormMixin,
    account_draft,
    contact_draft,
    error_text,
)
from portal.state.client_page import ClientPageState
from portal.state.session import to_login, user_formats, user_locale
from portal.state.staff import DetailField, contact_state_key


@dataclasses.dataclass
class ContactRow:
    """A contact of the account with the link's toggles."""

    id: int
    name: str
    email: str
    phone: str
    address: str
    tags: str
    login: bool
    notify: bool
    sync: bool
    full_access: bool
    state_key: str
    invited: str
    invitable: bool
    other_accounts: int
    erased: bool = False
    export_url: str = ""


@dataclasses.dataclass
class StaffChoice:
    """A staff member and whether they are assigned to the client."""

    id: int
    name: str
    role_key: str
    assigned: bool


class ClientInfoState(ClientFormMixin, rx.State):
    """Everything on the Info tab; every change goes through the clients service."""

    loaded: bool = False
    account_id: int = 0
    status: str = ""
    self_signup: bool = False
    fields: list[DetailField] = []
    contacts: list[ContactRow] = []
    staff: list[StaffChoice] = []
    error: str = ""
    notice: str = ""
    # Edit account
    edit_open: bool = False
    edit_values: dict[str, str] = {}
    edit_error: str = ""
    # Add or edit a contact
    contact_open: bool = False
    contact_id: int = 0
    contact_values: dict[str, str] = {}
    contact_toggle_values: dict[str, bool] = {}
    contact_error: str = ""
    # Invite
    invite_open: bool = False
    invite_name: str = ""
    invite_error: str = ""
    _invite_contact: int = 0
    # Erase a contact (Art. 17 DSGVO)
    erase_open: bool = False
    erase_name: str = ""
    erase_text: str = ""
    erase_error: str = ""
    _erase_contact: int = 0
    _details: AccountDetails | None = None

    async def _actor(self) -> Actor | None:
        page = await self.get_state(ClientPageState)
        actor = await page._open()
        return None if actor is None or page.not_found else actor

    async def _account_id(self) -> int:
        return (await self.get_state(ClientPageState))._account_id

    @rx.event
    async def load(self):
        """Check the session and the client, then show the account."""
        page = await self.get_state(ClientPageState)
        actor = await page._open()
        if actor is None:
            return to_login(self)
        if not page.not_found:
            await self._load_choices(actor)
            await self._fetch(actor)
        self.loaded = True
        return None

    @rx.event
    async def refresh(self):
        """Reload after a change elsewhere (another tab, an activation)."""
        actor = await self._actor()
        if actor is not None:
            await self._fetch(actor)

    async def _fetch(self, actor: Actor) -> None:
        formats = await user_formats(self)
        locale = formats.locale
        try:
            d = await asyncio.to_thread(clients.account_details, actor=actor, account_id=await self._account_id())
        except AccessDenied:
            return
        self._details, self.account_id = d, d.id
        tr = lambda key, **p: translate(locale, key, **p)  # noqa: E731
        self.kind, self.status, self.self_signup = d.kind, d.status, d.self_signup
        fields = [DetailField(tr("client.info.kind"), tr(f"kind.{d.kind}"))]
        if d.company_name:
            fields.append(DetailField(tr("client.info.company"), d.company_name))
        if d.address:
            fields.append(DetailField(tr("client.info.address"), d.address))
        fields.append(DetailField(tr("client.info.tags"), ", ".join(d.tags) or "–"))
        template = next((o.label for o in self.templates if o.value == str(d.folder_template_id)),
                        tr("client.form.template.default"))
        fields.append(DetailField(tr("client.form.template"), template))
        fields.extend(DetailField(f.label, d.custom.get(str(f.id), "–")) for f in d.account_fields)
        self.fields = fields
        self.contacts = [ContactRow(
            id=c.id, name=c.name, email=c.email or "–", phone=c.phone, address=c.address, tags=", ".join(c.tags),
            login=c.login, notify=c.notify, sync=c.sync, full_access=c.full_access,
            state_key="contact.state.erased" if c.erased else contact_state_key(
                c.activated, c.invited_at is not None, c.login),
            invited=formats.datetime(c.invited_at) if c.invited_at else "",
            invitable=c.login and not c.activated and bool(c.email), other_accounts=c.other_accounts,
            erased=c.erased, export_url=routes.contact_export(d.public_id, c.id),
        ) for c in d.contacts]
        if actor.is_admin:
            assigned = {i for i, _ in d.accountants}
            people = await asyncio.to_thread(clients.staff_choices, actor=actor)
            self.staff = [StaffChoice(id=i, name=n, role_key=f"role.{r}", assigned=i in assigned) for i, n, r in people]
        else:
            self.staff = [StaffChoice(id=i, name=n, role_key="", assigned=True) for i, n in d.accountants]

    async def _run(self, call, **kwargs) -> bool:
        """Call a service for the shown account; errors go to ``error``."""
        actor = await self._actor()
        if actor is None:
            return False
        try:
            await asyncio.to_thread(call, actor=actor, account_id=await self._account_id(), **kwargs)
        except UserError as err:
            self.error = error_text(await user_locale(self), err)
            return False
        except AccessDenied:
            self.error = translate(await user_locale(self), "clients.error.gone")
            return False
        self.error = ""
        await self._fetch(actor)
        return True

    # Account

    @rx.event
    def open_edit(self):
        """Edit the account's data."""
        d = self._details
        if d is None:
            return
        values = {"account_name": d.name, "company_name": d.company_name, "company_address": d.address,
                  "account_tags": ", ".join(d.tags),
                  "folder_template": str(d.folder_template_id) if d.folder_template_id else NO_TEMPLATE}
        values.update({f"{ACCOUNT_FIELD_PREFIX}{k}": v for k, v in d.custom.items()})
        self.kind, self.edit_values, self.edit_error, self.edit_open = d.kind, values, "", True

    @rx.event
    def set_edit_open(self, is_open: bool):
        """Close the edit dialog."""
        self.edit_open = is_open

    @rx.event
    async def save_account(self, form: dict):
        """Store the edited account."""
        actor = await self._actor()
        if actor is None:
            return
        try:
            await asyncio.to_thread(clients.update_account, actor=actor, account_id=await self._account_id(),
                                    draft=account_draft(form, self.kind))
        except UserError as err:
            self.edit_error = error_text(await user_locale(self), err)
            return
        self.edit_open = False
        page = await self.get_state(ClientPageState)
        await page._open()  # the header shows the new name
        await self._fetch(actor)

    # Contacts

    @rx.event
    def open_add_contact(self):
        """Add a contact (new or existing)."""
        self.contact_id, self.contact_values, self.contact_error = 0, {}, ""
        self.contact_toggle_values = {"login": True, "notify": True, "sync": False, "full_access": True}
        self._reset_contact_choice()
        self.contact_open = True

    @rx.event
    def open_edit_contact(self, contact_id: int):
        """Edit a contact's data."""
        d = self._details
        c = next((c for c in (d.contacts if d else ()) if c.id == int(contact_id)), None)
        if c is None:
            return
        values = {"first_name": c.first_name, "last_name": c.last_name, "email": c.email, "phone": c.phone,
                  "address": c.address, "contact_tags": ", ".join(c.tags)}
        values.update({f"{CONTACT_FIELD_PREFIX}{k}": v for k, v in c.custom.items()})
        self.contact_id, self.contact_values, self.contact_error = c.id, values, ""
        self._reset_contact_choice()
        self.contact_open = True

    @rx.event
    def set_contact_open(self, is_open: bool):
        """Close the contact dialog."""
        self.contact_open = is_open

    @rx.event
    async def save_contact(self, form: dict):
        """Create, link or update the contact of the dialog."""
        actor = await self._actor()
        if actor is None:
            return
        locale = await user_locale(self)
        account_id = await self._account_id()
        existing = self.chosen_id if self.link_mode else 0
        try:
            if self.contact_id:
                await asyncio.to_thread(clients.update_contact, actor=actor, account_id=account_id,
                                        contact_id=self.contact_id, draft=contact_draft(form))
            else:
                if self.link_mode and not existing:
                    raise UserError("client.form.choose_contact")
                await asyncio.to_thread(clients.add_contact, actor=actor, account_id=account_id,
                                        draft=contact_draft(form, existing or None))
        except DuplicateEmail as err:
            self.contact_error = error_text(locale, err)
            if not self.contact_id:
                self._offer_existing(err)
            return
        except UserError as err:
            self.contact_error = error_text(locale, err)
            return
        self.contact_open = False
        await self._fetch(actor)

    @rx.event
    async def set_toggle(self, contact_id: int, name: str, value: bool):
        """Switch LOGIN, NOTIFY, SYNC or full access of a contact on this account."""
        if name not in ("login", "notify", "sync", "full_access"):
            return
        if await self._run(clients.set_link, contact_id=int(contact_id), **{name: bool(value)}) \
                and name == "login" and value:
            row = next((c for c in self.contacts if c.id == int(contact_id)), None)
            if row is not None and row.invitable:
                self._open_invite(row.id, row.name)

    @rx.event
    async def unlink(self, contact_id: int):
        """Remove a contact from this account."""
        await self._run(clients.unlink_contact, contact_id=int(contact_id))

    # Invitations

    def _open_invite(self, contact_id: int, name: str) -> None:
        self._invite_contact, self.invite_name, self.invite_error, self.invite_open = contact_id, name, "", True

    @rx.event
    def open_invite(self, contact_id: int, name: str):
        """Invite one contact (0: every contact still to invite)."""
        self._open_invite(int(contact_id), name)

    @rx.event
    def set_invite_open(self, is_open: bool):
        """Close the invitation dialog (skip)."""
        self.invite_open = is_open

    @rx.event
    async def send_invite(self, form: dict):
        """Send the invitation with the personal message."""
        actor = await self._actor()
        if actor is None:
            return
        ids = [self._invite_contact] if self._invite_contact else None
        try:
            count = await asyncio.to_thread(onboarding.invite, actor=actor, account_id=await self._account_id(),
                                            contact_ids=ids, message=str(form.get("message", "")))
        except UserError as err:
            self.invite_error = error_text(await user_locale(self), err)
            return
        self.invite_open = False
        self.notice = translate(await user_locale(self), "invite.sent", count=count)
        await self._fetch(actor)

    # Data protection (DSGVO)

    @rx.event
    async def export_contact(self, contact_id: int):
        """Download everything about a contact as a ZIP (Art. 15/20 DSGVO).

        Checked here first, so a refusal reads as a message instead of a failed download.
        """
        actor = await self._actor()
        if actor is None:
            return None
        row = next((c for c in self.contacts if c.id == int(contact_id)), None)
        if row is None:
            return None
        try:
            await asyncio.to_thread(gdpr.check_access, actor=actor, account_id=await self._account_id(),
                                    contact_id=row.id)
        except UserError as err:
            self.error = error_text(await user_locale(self), err)
            return None
        except AccessDenied:
            self.error = translate(await user_locale(self), "clients.error.gone")
            return None
        self.error = ""
        return rx.download(url=row.export_url)

    @rx.event
    async def open_erase(self, contact_id: int, name: str):
        """Ask for confirmation before erasing a contact."""
        self._erase_contact, self.erase_name, self.erase_error, self.erase_open = int(contact_id), name, "", True
        self.erase_text = translate(await user_locale(self), "privacy.erase.text", name=name)

    @rx.event
    def set_erase_open(self, is_open: bool):
        """Close the erasure dialog (nothing happens)."""
        self.erase_open = is_open

    @rx.event
    async def erase(self, form: dict):
        """Erase the contact of the dialog once its name was typed (Art. 17 DSGVO)."""
        actor = await self._actor()
        if actor is None:
            return
        locale = await user_locale(self)
        typed = " ".join(str(form.get("confirm_name", "")).split())
        if typed.casefold() != " ".join(self.erase_name.split()).casefold():
            self.erase_error = translate(locale, "privacy.erase.mismatch", name=self.erase_name)
            return
        try:
            done = await asyncio.to_thread(gdpr.erase_contact, actor=actor, account_id=await self._account_id(),
                                           contact_id=self._erase_contact)
        except UserError as err:
            self.erase_error = error_text(locale, err)
            return
        except AccessDenied:
            self.erase_error = translate(locale, "clients.error.gone")
            return
        self.erase_open = False
        self.notice = translate(locale, "privacy.erased", messages=done.messages, kept=done.kept_documents,
                                trashed=done.trashed_documents)
        await self._fetch(actor)

    # Accountants (admins)

    @rx.event
    async def set_assigned(self, staff_id: int, assigned: bool):
        """Assign or unassign an accountant."""
        wanted = {s.id for s in self.staff if s.assigned}
        wanted = wanted | {int(staff_id)} if assigned else wanted - {int(staff_id)}
        await self._run(clients.set_assignments, staff_ids=sorted(wanted))

    @rx.var
    def invitable_count(self) -> int:
        """Contacts that may be invited now."""
        return sum(1 for c in self.contacts if c.invitable)
