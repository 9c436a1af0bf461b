"""Email digests as staff set them: on their profile page and on a client's page."""

import asyncio
from typing import ClassVar
import dataclasses

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.domain.enums import DigestFrequency
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.services import digests
from portal.services.access import NotFound
from portal.state.client_page import ClientPageState
from portal.state.personal_settings import PersonalSettingsMixin
from portal.state.session import Area, require_actor, to_login, user_formats

OFF = "off"
CHOICES = (OFF, *(f.value for f in DigestFrequency))


@dataclasses.dataclass
class DigestRow:
    """A per-client digest in the profile's list."""

    account_id: int = 0
    client: str = ""
    link: str = ""
    frequency: str = ""
    next_run: str = ""


async def _change(actor: Actor, account_id: int | None, choice: str) -> digests.Subscription | None:
    """Apply a select's choice: "off" stops the digest, anything else (re)subscribes."""
    if choice == OFF:
        await asyncio.to_thread(digests.unsubscribe, actor=actor, account_id=account_id)
        return None
    return await asyncio.to_thread(digests.subscribe, actor=actor, account_id=account_id, frequency=choice)


def _next_run(sub: digests.Subscription | None, formats: fmt.Formats) -> str:
    if sub is None:
        return ""
    return translate(formats.locale, "digest.next", when=formats.weekday_datetime(sub.next_run_at))


class StaffProfileState(PersonalSettingsMixin, rx.State):
    """The staff user's profile: email notices, the digest for all clients and the per-client ones."""

    settings_area: ClassVar[Area] = Area.STAFF

    all_frequency: str = OFF
    all_next: str = ""
    clients: list[DigestRow] = []
    loaded: bool = False

    @rx.event
    async def load(self):
        """Check the session and read the user's digests."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        await self._read(actor)
        await self._read_settings(actor)
        self.loaded = True
        return None

    async def _read(self, actor: Actor) -> None:
        subs = await asyncio.to_thread(digests.list_subscriptions, actor=actor)
        formats = await user_formats(self)
        everything = next((sub for sub in subs if sub.account_id is None), None)
        self.all_frequency = everything.frequency.value if everything else OFF
        self.all_next = _next_run(everything, formats)
        self.clients = [DigestRow(account_id=sub.account_id, client=sub.account_name,
                                  link=routes.staff_client(sub.public_id), frequency=sub.frequency.value,
                                  next_run=_next_run(sub, formats))
                        for sub in subs if sub.account_id is not None]

    @rx.event
    async def set_all_frequency(self, choice: str):
        """Choose how often the digest over all the user's clients comes (or "off")."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        if choice in CHOICES:
            await _change(actor, None, choice)
        await self._read(actor)
        return None

    @rx.event
    async def remove(self, account_id: int):
        """Stop the digest for one client."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        await asyncio.to_thread(digests.unsubscribe, actor=actor, account_id=account_id)
        await self._read(actor)
        return None


class ClientDigestState(rx.State):
    """The digest control on a staff client page; the client comes from :class:`ClientPageState`."""

    frequency: str = OFF
    next_run: str = ""

    @rx.event
    async def load(self):
        """Read the user's digest for the client just opened (runs after the page's own load)."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        account_id = (await self.get_state(ClientPageState))._account_id
        if not account_id:
            self.frequency, self.next_run = OFF, ""
            return None
        try:
            sub = await asyncio.to_thread(digests.subscription, actor=actor, account_id=account_id)
        except NotFound:
            sub = None
        await self._show(sub)
        return None

    async def _show(self, sub: digests.Subscription | None) -> None:
        self.frequency = sub.frequency.value if sub else OFF
        self.next_run = _next_run(sub, await user_formats(self))

    @rx.event
    async def set_frequency(self, choice: str):
        """Choose how often the digest for this client comes (or "off")."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        account_id = (await self.get_state(ClientPageState))._account_id
        if not account_id or choice not in CHOICES:
            return None
        try:
            await self._show(await _change(actor, account_id, choice))
        except NotFound:  # unassigned meanwhile
            await self._show(None)
        return None
