"""The staff client page's "portal users" dialog: who can log in, and revoking email links."""

import asyncio

import reflex as rx

from portal.i18n import translate
from portal.services import magic_links, talks
from portal.services.access import NotFound
from portal.state.bookings import Option, StaffBookingsState
from portal.state.session import Area, SessionState, require_actor, to_login


class ClientAccessState(rx.State):
    """Portal users of the client on the page, and the result of the last revocation."""

    people: list[Option] = []
    notice: str = ""

    @rx.event
    async def open(self):
        """List the client's portal users when the dialog opens."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        account_id = (await self.get_state(StaffBookingsState))._account_id
        people = await asyncio.to_thread(talks.recipients, actor=actor, account_id=account_id)
        self.people = [Option(str(p.contact_id), p.name) for p in people]
        self.notice = ""
        return None

    @rx.event
    async def revoke_links(self, contact_id: str):
        """Stop the user's emailed talk links and log out whoever opened one."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        account_id = (await self.get_state(StaffBookingsState))._account_id
        locale = (await self.get_state(SessionState)).locale
        try:
            ended = await asyncio.to_thread(magic_links.revoke_contact_links, actor=actor, account_id=account_id,
                                            contact_id=int(contact_id))
        except (NotFound, ValueError):
            return None
        name = next((p.label for p in self.people if p.value == contact_id), "")
        self.notice = translate(locale, "access.revoked" if ended else "access.nothing_to_revoke", name=name)
        return None
