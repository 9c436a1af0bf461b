"""Who is logged in, read from the HttpOnly cookie of the websocket handshake.

Every protected page's on_load calls :func:`require_actor`, which re-checks the
session against the database; nothing protected is loaded before that succeeds.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from http.cookies import CookieError, SimpleCookie

import reflex as rx

from portal import realtime, routes
from portal.domain.actor import Actor
from portal.domain.enums import SessionScope
from portal.i18n import CATALOGS, DEFAULT_LOCALE, negotiate, normalize_locale
from portal.i18n import format as fmt
from portal.services import auth, conversations, firm, notifications


class Area(StrEnum):
    """The two halves of the portal."""

    STAFF = "staff"
    PORTAL = "contact"
    TALK = "talk"  # the client's open items and booking talks: email links may enter


def session_token_from_cookie_header(header: str) -> str | None:
    """Extract and verify the session token from a raw ``Cookie`` header."""
    jar = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return None
    morsel = jar.get(auth.SESSION_COOKIE)
    return auth.unsign_session_token(morsel.value) if morsel else None


class SessionState(rx.State):
    """The logged-in user as the UI needs it; no secrets."""

    kind: str = ""
    name: str = ""
    email: str = ""
    is_admin: bool = False
    locale: str = DEFAULT_LOCALE
    timezone: str = fmt.DEFAULT_TIMEZONE
    firm_name: str = ""
    action_count: int = 0
    talk_only: bool = False
    # The worker process that holds this tab's websocket (shells show it as data-served-by),
    # for debugging live updates across workers.
    served_by: str = ""
    _subject: str = ""
    _connection: str = ""

    @rx.var
    def messages(self) -> dict[str, str]:
        """The UI catalog of the current locale."""
        return CATALOGS[self.locale]

    def _session_token(self) -> str | None:
        return session_token_from_cookie_header(self.router.headers.cookie)

    async def _authenticate(self, area: Area) -> Actor | None:
        """Re-check the cookie's session and whether it may enter ``area``.

        Returns:
            The actor, or None after wiping every portal state of this tab.
        """
        realtime.act_for_tab(self.router.session.client_token)
        actor = await self._current_actor()
        if actor is None:
            allowed = False
        elif area == Area.TALK:
            allowed = actor.is_contact
        else:
            allowed = actor.kind.value == area.value and actor.scope == SessionScope.FULL
        if not allowed:
            await self._forget()
            return None
        self._update(kind=actor.kind.value, name=actor.name, email=actor.email, is_admin=actor.is_admin,
                     # A language the user chose wins; otherwise the browser's, as on the public pages.
                     locale=(normalize_locale(actor.locale) if actor.locale
                             else negotiate(self.router.headers.accept_language)),
                     timezone=actor.timezone or fmt.DEFAULT_TIMEZONE, talk_only=actor.scope != SessionScope.FULL,
                     served_by=realtime.worker_name())
        subject = f"{actor.kind.value}-{actor.id}"
        connection = self.router.session.session_id
        if self._subject != subject or self._connection != connection:
            # Once per user and connection, not in every event handler: the room lasts while
            # the socket does (a reconnected tab may have been dropped from it), and the
            # counter then stays current through refresh_counter.
            self._subject, self._connection = subject, connection
            self.firm_name = await asyncio.to_thread(firm.firm_name)
            await realtime.link(self, realtime.user_room(actor.kind.value, actor.id))
            if actor.is_staff and actor.is_admin:
                await realtime.link(self, realtime.FIRM_WIDE_ROOM)
            self.action_count = await asyncio.to_thread(conversations.action_count, actor=actor)
        return actor

    def _update(self, **values) -> None:
        """Assign only the values that differ.

        Every handler re-checks the session, and Reflex sends each assigned var in the
        next delta, the same value too; an assigned ``locale`` also re-sends ``messages``,
        the whole UI catalog (about 60 KB), with every live reload of every tab.
        """
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    @rx.event
    async def refresh_counter(self):
        """Recount what waits for this user (after a live update)."""
        actor = await self._current_actor()
        if actor is not None:
            self.action_count = await asyncio.to_thread(conversations.action_count, actor=actor)

    @rx.event
    async def staff_heartbeat(self):
        """An open staff tab keeps the accountant's working session alive."""
        actor = await self._current_actor()
        if actor is not None and actor.is_staff:
            await asyncio.to_thread(notifications.heartbeat, actor=actor)

    async def _current_actor(self) -> Actor | None:
        """The actor behind the cookie, whatever area it belongs to."""
        token = self._session_token()
        return await asyncio.to_thread(auth.resolve_session, token) if token else None

    @rx.event
    async def load_public(self) -> None:
        """Prepare a public page: language from the browser, firm name, no stale data."""
        await self._forget()
        self.firm_name = await asyncio.to_thread(firm.firm_name)

    async def _forget(self) -> None:
        """Reset every portal state of this tab so no earlier user's data remains."""
        for state_cls in _portal_states(rx.State):
            if state_cls is realtime.LiveState:
                continue  # only counters; it remembers the rooms, so the next user's join leaves them
            (await self.get_state(state_cls)).reset()
        self.locale = negotiate(self.router.headers.accept_language)

    @rx.event
    async def logout(self):
        """Wipe this tab's states, then let the logout form revoke the session and cookie."""
        await self._forget()
        return rx.call_script(f"document.getElementById('{LOGOUT_FORM_ID}').submit()")


LOGOUT_FORM_ID = "logout-form"


def _portal_states(cls: type[rx.State]) -> list[type[rx.State]]:
    found = []
    for sub in cls.get_substates():
        if sub.__module__.startswith("portal."):
            found.append(sub)
        found.extend(_portal_states(sub))
    return found


async def require_actor(state: rx.State, area: Area) -> Actor | None:
    """The actor for a protected page load, or None (the caller then redirects).

    Args:
        state: The page's state.
        area: The area the page belongs to.
    """
    session = await state.get_state(SessionState)
    return await session._authenticate(area)


def path_tail(state: rx.State) -> str:
    """The last segment of the page's path: the token or id of a ``/.../[param]`` route."""
    return state.router.url.path.rstrip("/").rsplit("/", 1)[-1]


async def user_locale(state: rx.State) -> str:
    """The UI language of the user of ``state``'s tab."""
    return (await state.get_state(SessionState)).locale


async def user_formats(state: rx.State) -> fmt.Formats:
    """How dates and times are shown to the user of ``state``'s tab (language and zone)."""
    session = await state.get_state(SessionState)
    return fmt.Formats(locale=session.locale, timezone=session.timezone)


def to_login(state: rx.State) -> rx.event.EventSpec:
    """Redirect to the login page, returning to the current page afterwards."""
    return rx.redirect(routes.login(next_path=state.router.url.path))


def t(key: str) -> rx.Var[str]:
    """The translation of ``key`` in the current user's locale, as a Var.

    Raises:
        KeyError: At compile time, if ``key`` is in no catalog.
    """
    if key not in CATALOGS[DEFAULT_LOCALE]:
        raise KeyError(f"Missing UI message: {key}")
    return SessionState.messages[key].to(str)
