"""Firm settings page (admins)."""

import asyncio

import reflex as rx

from portal import routes
from portal.services import firm, magic_links
from portal.state.session import Area, require_actor, to_login

QUIET_CHOICES = ("5", "10", "30", "60", "240")


class FirmSettingsState(rx.State):
    """The settings an admin can change."""

    read_marks: bool = True
    talk_password: bool = False
    mail_include_text: bool = False
    mail_include_amounts: bool = False
    mail_quiet_minutes: str = "10"
    self_signup: bool = True
    loaded: bool = False

    async def _admin(self):
        actor = await require_actor(self, Area.STAFF)
        return actor if actor is not None and actor.is_admin else None

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
        self.mail_include_text, self.mail_include_amounts = current.mail_include_text, current.mail_include_amounts
        self.mail_quiet_minutes = str(current.mail_quiet_minutes)
        self.self_signup = current.self_signup
        self.loaded = True
        return None

    async def _update(self, **changes) -> bool:
        actor = await self._admin()
        if actor is None:
            return False
        await asyncio.to_thread(firm.update, actor=actor, **changes)
        return True

    @rx.event
    async def set_read_marks(self, enabled: bool):
        """Show or hide read marks for everyone."""
        if await self._update(read_marks=enabled):
            self.read_marks = enabled

    @rx.event
    async def set_mail_include_text(self, enabled: bool):
        """Let client emails quote the message text."""
        if await self._update(mail_include_text=enabled):
            self.mail_include_text = enabled

    @rx.event
    async def set_mail_include_amounts(self, enabled: bool):
        """Let client emails name booking dates, amounts and counterparties."""
        if await self._update(mail_include_amounts=enabled):
            self.mail_include_amounts = enabled

    @rx.event
    async def set_mail_quiet_minutes(self, minutes: str):
        """Minutes without new messages before a client's collected email goes out."""
        if minutes in QUIET_CHOICES and await self._update(mail_quiet_minutes=int(minutes)):
            self.mail_quiet_minutes = minutes

    @rx.event
    async def set_self_signup(self, enabled: bool):
        """Open or close the public sign-up page for new clients."""
        if await self._update(self_signup=enabled):
            self.self_signup = enabled

    @rx.event
    async def set_talk_password(self, enabled: bool):
        """Require the password for the talk area too (email links then log nobody in)."""
        actor = await self._admin()
        if actor is None:
            return
        await asyncio.to_thread(magic_links.set_talk_password, actor=actor, enabled=enabled)
        self.talk_password = enabled
