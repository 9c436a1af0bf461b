"""The "+ Neu" dialog on the clients page: account, first contact, then the portal invitation."""

import asyncio

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.domain.errors import UserError
from portal.services import clients, onboarding
from portal.services.access import AccessDenied
from portal.services.clients import DuplicateEmail
from portal.state.bookings import Option
from portal.state.client_forms import ClientFormMixin, account_draft, contact_draft, error_text
from portal.state.session import Area, require_actor, user_locale


class NewClientState(ClientFormMixin, rx.State):
    """Creating a client account with its first contact."""

    open: bool = False
    step: str = "form"  # form -> invite
    error: str = ""
    staff: list[Option] = []
    # After creating
    created_name: str = ""
    invite_count: int = 0
    invite_error: str = ""
    _created_id: int = 0
    _created_public_id: str = ""

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.STAFF)

    @rx.event
    async def open_dialog(self):
        """Start with an empty form and fresh choices."""
        actor = await self._actor()
        if actor is None:
            return
        await self._load_choices(actor)
        if actor.is_admin:
            people = await asyncio.to_thread(clients.staff_choices, actor=actor)
            self.staff = [Option(value=str(i), label=name) for i, name, _ in people]
        else:
            self.staff = []
        self.kind, self.step, self.error, self.invite_error = "company", "form", "", ""
        self._reset_contact_choice()
        self.open = True

    @rx.event
    def set_open(self, is_open: bool):
        """Close the dialog."""
        self.open = is_open

    @rx.event
    async def create(self, form: dict):
        """Create the account; then offer the invitation or open the client."""
        existing_id = self.chosen_id if self.link_mode else 0
        actor = await self._actor()
        if actor is None:
            return None
        locale = await user_locale(self)
        if self.link_mode and not existing_id:
            self.error = error_text(locale, UserError("client.form.choose_contact"))
            return None
        staff_ids = [int(k[6:]) for k, v in form.items() if k.startswith("staff_") and k[6:].isdigit() and v]
        try:
            created = await asyncio.to_thread(
                clients.create_account, actor=actor, draft=account_draft(form, self.kind),
                contacts=[contact_draft(form, existing_id or None)], accountant_ids=staff_ids)
        except DuplicateEmail as err:
            self.error = error_text(locale, err)
            self._offer_existing(err)
            return None
        except UserError as err:
            self.error = error_text(locale, err)
            return None
        except AccessDenied:
            self.error = error_text(locale, UserError("clients.error.gone"))
            return None
        self.error = ""
        self._created_id, self._created_public_id, self.created_name = created.id, created.public_id, created.name
        self.invite_count = len(created.invitable)
        if self.invite_count:
            self.step = "invite"
            return None
        return self._go_to_client()

    def _go_to_client(self):
        self.open = False
        return rx.redirect(routes.staff_client(self._created_public_id, routes.STAFF_CLIENT_INFO))

    @rx.event
    async def send_invite(self, form: dict):
        """Send the portal invitation with the personal message."""
        actor = await self._actor()
        if actor is None:
            return None
        try:
            await asyncio.to_thread(onboarding.invite, actor=actor, account_id=self._created_id,
                                    message=str(form.get("message", "")))
        except UserError as err:
            self.invite_error = error_text(await user_locale(self), err)
            return None
        return self._go_to_client()

    @rx.event
    def skip_invite(self):
        """Invite later (the account waits under "Onboarding")."""
        return self._go_to_client()
