"""Entry paths that only forward: ``/`` and ``/staff``."""

import reflex as rx

from portal import routes
from portal.state.session import Area, SessionState, require_actor, to_login


class EntryState(rx.State):
    """Forwards to the right landing page."""

    @rx.event
    async def open_root(self):
        """``/``: the user's area when logged in, else the login page."""
        actor = await (await self.get_state(SessionState))._current_actor()
        return rx.redirect(routes.home_for(actor.kind.value) if actor else routes.LOGIN)

    @rx.event
    async def open_staff(self):
        """``/staff``: the clients list for staff; everyone else logs in."""
        if await require_actor(self, Area.STAFF) is None:
            return to_login(self)
        return rx.redirect(routes.STAFF_CLIENTS)
