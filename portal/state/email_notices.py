"""The personal "email me about news" switch, shared by the client and the staff profile."""

import asyncio
from typing import ClassVar

import reflex as rx

from portal.domain.actor import Actor
from portal.services import profile
from portal.state.session import Area, require_actor, to_login


class EmailNoticesMixin(rx.State, mixin=True):
    """Whether the user wants the batched emails about new messages and documents."""

    email_notices: bool = True
    # Which area's session may change it (a class setting, not state).
    notices_area: ClassVar[Area] = Area.PORTAL

    async def _read_notices(self, actor: Actor) -> None:
        self.email_notices = await asyncio.to_thread(profile.email_notices, actor=actor)

    @rx.event
    async def set_email_notices(self, enabled: bool):
        """Switch the emails on or off."""
        actor = await require_actor(self, self.notices_area)
        if actor is None:
            return to_login(self)
        await asyncio.to_thread(profile.set_email_notices, actor=actor, enabled=enabled)
        self.email_notices = enabled
        return None
