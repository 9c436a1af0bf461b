"""The client named in a staff URL (``/staff/clients/<id>/...``), shared by its tabs."""

import asyncio

import reflex as rx

from portal import realtime
from portal.domain.actor import Actor
from portal.services import bookings
from portal.services.access import NotFound
from portal.state.session import Area, require_actor


class ClientPageState(rx.State):
    """Which client the staff tabs show; each tab's state asks here first."""

    account_name: str = ""
    account_kind: str = ""
    public_id: str = ""
    not_found: bool = False
    _account_id: int = 0

    async def _open(self) -> Actor | None:
        """Check the session and the client in the URL, and follow the client live.

        Returns:
            The acting staff user, or None without a staff session (the caller sends
            them to the login). ``not_found`` tells whether the client can be shown.
        """
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return None
        # /staff/clients/<public id>[/<tab>]
        public_id = self.router.url.path.strip("/").split("/")[2:3]
        try:
            account = await asyncio.to_thread(bookings.account_for_staff, actor=actor,
                                              public_id=public_id[0] if public_id else "")
        except NotFound:
            self.not_found, self._account_id, self.account_name = True, 0, ""
            return actor
        self.not_found, self._account_id = False, account.id
        self.account_name, self.account_kind, self.public_id = account.name, account.kind, account.public_id
        await realtime.link(self, realtime.account_room(account.id))
        return actor
