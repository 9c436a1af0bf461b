"""The user's own settings on both profile pages: language, time zone, email notices, password."""

import asyncio
import dataclasses
from typing import ClassVar

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.i18n import SUPPORTED_LOCALES
from portal.i18n import format as fmt
from portal.services import profile
from portal.state.session import Area, SessionState, require_actor, to_login

# The select's value for "no language chosen" (Radix selects cannot hold "").
AUTO = "auto"
# What the password form's route may report back (portal.api.auth.change_password).
PASSWORD_CHANGED = "password.changed"
PASSWORD_ERRORS = ("password.current_wrong", "password.locked", "password.no_session", "password.mismatch",
                   "password.too_short", "password.too_long")


@dataclasses.dataclass
class TimezoneOption:
    """One entry of the time zone select."""

    value: str
    label: str


class PersonalSettingsMixin(rx.State, mixin=True):
    """Reads and stores the settings; the tab's SessionState follows at once.

    The page state using it has a ``load`` event; it runs again after a change of language
    or zone, so the dates and texts the page computed are shown the new way.
    """

    language: str = AUTO
    timezone_choice: str = fmt.DEFAULT_TIMEZONE
    timezone_options: list[TimezoneOption] = []
    email_notices: bool = True
    # The outcome of the password change the page was sent back with, as a catalog key.
    password_error: str = ""
    password_changed: bool = False
    # Which area's session may change them (a class setting, not state).
    settings_area: ClassVar[Area] = Area.PORTAL

    async def _read_settings(self, actor: Actor) -> None:
        stored = await asyncio.to_thread(profile.settings, actor=actor)
        self.language = stored.locale or AUTO
        self.timezone_choice = stored.timezone or fmt.DEFAULT_TIMEZONE
        self.email_notices = stored.email_notices
        outcome = self.router.url.query_parameters.get(routes.PASSWORD_PARAM, "")
        self.password_changed = outcome == PASSWORD_CHANGED
        self.password_error = outcome if outcome in PASSWORD_ERRORS else ""
        await self._list_timezones()

    async def _list_timezones(self) -> None:
        locale = (await self.get_state(SessionState)).locale
        self.timezone_options = [TimezoneOption(value=zone, label=label)
                                 for zone, label in fmt.timezone_choices(locale, self.timezone_choice)]

    async def _actor(self) -> Actor | None:
        return await require_actor(self, self.settings_area)

    @rx.event
    async def set_language(self, choice: str):
        """Store the chosen UI language (or "follow the browser") and switch to it."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        if choice != AUTO and choice not in SUPPORTED_LOCALES:
            return None
        await asyncio.to_thread(profile.set_locale, actor=actor, locale="" if choice == AUTO else choice)
        self.language = choice
        # The page's load re-reads the session, which then applies the choice (or the browser's).
        return type(self).load

    @rx.event
    async def set_timezone(self, zone: str):
        """Store the time zone dates and times are shown in."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        if not fmt.is_timezone(zone):
            return None
        await asyncio.to_thread(profile.set_timezone, actor=actor, timezone=zone)
        self.timezone_choice = zone
        return type(self).load

    @rx.event
    async def set_email_notices(self, enabled: bool):
        """Switch the emails about new messages on or off."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        await asyncio.to_thread(profile.set_email_notices, actor=actor, enabled=enabled)
        self.email_notices = enabled
        return None
