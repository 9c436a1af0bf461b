"""Firm settings page (admins)."""

import asyncio

import reflex as rx

from portal import routes
from portal.services import firm, magic_links
from portal.state.session import Area, require_actor, to_login


class FirmSettingsState(rx.State):
    """The settings an admin can change."""

    read_marks: bool = True
    talk_password: bool = False
    allowed: bool = False
    loaded: bool = False

    @rx.event
    async def load(self):
        """Admins see the settings; accountants are sent to their clients."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        if not actor.is_admin:
            return rx.redirect(routes.STAFF_CLIENTS)
        current = await asyncio.to_thread(firm.settings, actor=actor)
        self.read_marks, self.talk_password = current.read_marks, current.talk_password
        self.allowed, self.loaded = True, True
        return None

    @rx.event
    async def set_read_marks(self, enabled: bool):
        """Switch read marks on or off for everyone."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        if not actor.is_admin:
            return None
        await asyncio.to_thread(firm.set_read_marks, actor=actor, enabled=enabled)
        self.read_marks = enabled
        return None

    @rx.event
    async def set_talk_password(self, enabled: bool):
        """Require the password for the talk area too (email links then log nobody in)."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        if not actor.is_admin:
            return None
        await asyncio.to_thread(magic_links.set_talk_password, actor=actor, enabled=enabled)
        self.talk_password = enabled
        return None
