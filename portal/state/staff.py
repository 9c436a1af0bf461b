"""Staff area pages: clients list and inbox."""

import asyncio
import dataclasses

import reflex as rx

from portal import routes
from portal.services import clients
from portal.state.session import Area, require_actor, to_login


@dataclasses.dataclass
class ClientRow:
    """One client as the staff list shows it."""

    id: int
    href: str
    name: str
    initials: str
    kind: str
    status: str
    contacts: int
    missing_receipts: int
    accountants: str


def _initials(name: str) -> str:
    words = [w for w in name.replace("Dr.", "").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


class StaffClientsState(rx.State):
    """The clients the logged-in staff user works."""

    rows: list[ClientRow] = []
    loaded: bool = False

    @rx.event
    async def load(self):
        """Check the session, then fetch the clients."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        summaries = await asyncio.to_thread(clients.list_clients, actor=actor)
        self.rows = [
            ClientRow(id=c.id, href=routes.staff_client(c.public_id), name=c.name, initials=_initials(c.name), kind=c.kind, status=c.status,
                      contacts=c.contacts, missing_receipts=c.missing_receipts,
                      accountants=", ".join(c.accountants))
            for c in summaries
        ]
        self.loaded = True
        return None

    @rx.var
    def missing_total(self) -> int:
        """Missing receipts over all listed clients."""
        return sum(r.missing_receipts for r in self.rows)

