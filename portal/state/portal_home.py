"""Client area pages: home with open items, and profile."""

import asyncio
import dataclasses

import reflex as rx

from portal.i18n import SUPPORTED_LOCALES
from portal.i18n import format as fmt
from portal.services import portal_home, profile
from portal.state.session import Area, SessionState, require_actor, to_login


@dataclasses.dataclass
class OpenItemView:
    """A booking without receipt, formatted for the contact's locale."""

    id: int
    date: str
    amount: str
    incoming: bool
    counterparty: str
    text: str


@dataclasses.dataclass
class AccountView:
    """One of the contact's client accounts."""

    id: int
    name: str
    full_access: bool
    open_items: list[OpenItemView]
    total: int


class PortalHomeState(rx.State):
    """The contact's accounts and what is still missing."""

    accounts: list[AccountView] = []
    loaded: bool = False

    @rx.event
    async def load(self):
        """Check the session, then fetch the home data."""
        actor = await require_actor(self, Area.PORTAL)
        if actor is None:
            return to_login(self)
        data = await asyncio.to_thread(portal_home.home, actor=actor)
        locale = (await self.get_state(SessionState)).locale
        self.accounts = [
            AccountView(
                id=a.id, name=a.name, full_access=a.full_access, total=a.open_items_total,
                open_items=[OpenItemView(id=i.id, date=fmt.date(i.date, locale),
                                    amount=fmt.money(i.amount_cents, i.currency, locale),
                                    incoming=i.amount_cents > 0, counterparty=i.counterparty, text=i.text)
                       for i in a.open_items])
            for a in data.accounts
        ]
        self.loaded = True
        return None

    @rx.var
    def open_total(self) -> int:
        """Open items over all accounts."""
        return sum(a.total for a in self.accounts)


class ProfileState(rx.State):
    """The user's own settings."""

    @rx.event
    async def load(self):
        """Check the session."""
        if await require_actor(self, Area.PORTAL) is None:
            return to_login(self)
        return None

    @rx.event
    async def set_language(self, locale: str):
        """Store the chosen UI language and switch to it."""
        actor = await require_actor(self, Area.PORTAL)
        if actor is None:
            return to_login(self)
        if locale not in SUPPORTED_LOCALES:
            return None
        await asyncio.to_thread(profile.set_locale, actor=actor, locale=locale)
        (await self.get_state(SessionState)).locale = locale
        return None
