"""Browser tabs without a browser: python-socketio clients speaking Reflex's websocket protocol.

A :class:`Tab` does what the compiled frontend (``.web/utils/state.js``) does for one
open page: it connects to ``/_event`` with its tab token in the query string, the
session cookie in the handshake, and the hydrate event in the socket.io CONNECT
packet; it merges the ``event`` replies' deltas into its copy of the state; and, like
the page's ``reload_on_change`` watchers, it sends the page's reload handlers whenever
a room's version moves. So the server does the same work per tab as for a real one.

Many tabs share one asyncio loop; every timestamp is ``time.perf_counter()``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import socketio

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark-password-1"
# Logins run argon2 on the server; more at once only queue there.
LOGIN_CONCURRENCY = 4
# The frontend connects to <backend>/_event, which socket.io reads as both the path and the namespace.
EVENT_PATH = "/_event"


@dataclasses.dataclass(frozen=True)
class Watcher:
    """A page's ``reload_on_change``: when ``var`` of ``state`` changes, send ``handlers``."""

    state: str
    var: str
    handlers: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Page:
    """What a tab shows: the route, when its on_load is done, and what it reloads live."""

    path: str
    query: dict[str, str]
    ready: tuple[str, str]  # (state, var) that is truthy once the page has loaded
    watchers: tuple[Watcher, ...]

    def router_data(self) -> dict[str, Any]:
        """The ``router_data`` the frontend attaches to every event of this page."""
        search = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        return {"pathname": self.path, "asPath": self.path + search, "query": dict(self.query)}


def _name(cls) -> str:
    return cls.get_full_name()


def var(name: str) -> str:
    """A var's key in a delta (Reflex suffixes field names on the wire)."""
    from reflex_base.constants.state import FIELD_MARKER

    return name + FIELD_MARKER


def handler(cls, name: str) -> str:
    """The wire name of an event handler."""
    return f"{_name(cls)}.{name}"


def _thread_watchers() -> tuple[Watcher, ...]:
    """The thread sheet's watchers (``portal/components/threads.py``)."""
    from portal import realtime
    from portal.state.tasks import TaskPanelState
    from portal.state.thread_panel import ThreadPanelState

    live = _name(realtime.LiveState)
    return (Watcher(live, var("thread"), (handler(ThreadPanelState, "refresh"),)),
            Watcher(live, var("tasks"), (handler(TaskPanelState, "refresh"),)),
            Watcher(_name(ThreadPanelState), var("thread_id"), (handler(TaskPanelState, "refresh"),)))


def client_messages_page(thread_id: int | None = None) -> Page:
    """A client's conversations page, with one conversation open in the sheet if ``thread_id``."""
    from portal import realtime, routes
    from portal.state.conversations import ClientConversationsState
    from portal.state.session import SessionState
    from portal.state.thread_panel import ThreadPanelState

    watchers = (Watcher(_name(realtime.LiveState), var("user"),
                        (handler(SessionState, "refresh_counter"), handler(ClientConversationsState, "load"))),)
    if thread_id is None:
        return Page(routes.PORTAL_CONVERSATIONS, {}, (_name(ClientConversationsState), var("loaded")), watchers)
    return Page(routes.PORTAL_CONVERSATIONS, {routes.THREAD_PARAM: str(thread_id)},
                (_name(ThreadPanelState), var("is_open")), watchers + _thread_watchers())


def staff_inbox_page(thread_id: int) -> Page:
    """A staff inbox with one thread open in the sheet."""
    from portal import realtime, routes
    from portal.state.conversations import InboxState
    from portal.state.session import SessionState
    from portal.state.thread_panel import ThreadPanelState

    # realtime.staff_inbox_version: the user's room, and the firm-wide one (only admins are in both).
    reload = (handler(SessionState, "refresh_counter"), handler(InboxState, "refresh"))
    watchers = (Watcher(_name(realtime.LiveState), var("user"), reload),
                Watcher(_name(realtime.LiveState), var("firm"), reload))
    return Page(routes.STAFF_INBOX, {routes.THREAD_PARAM: str(thread_id)},
                (_name(ThreadPanelState), var("is_open")), watchers + _thread_watchers())


def initial_state_hashes() -> list[str] | None:
    """The hashes of the compiled default state, which a browser sends with its first hydrate.

    With them the server sends only what differs from the defaults (not, say, the UI
    catalog); they live in the compiled frontend, so read them from there.
    """
    path = ROOT / ".web" / "utils" / "context.jsx"
    found = re.search(r"initialStateHashes = (\[.*?\])", path.read_text()) if path.exists() else None
    return json.loads(found.group(1)) if found else None


async def login(base_url: str, email: str, password: str = PASSWORD) -> str:
    """Post the login form; return the ``Cookie`` header value of the new session.

    A client of its own per login: the form ends the session a request's cookie names.
    """
    from portal.services.auth import SESSION_COOKIE

    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        from portal import routes

        response = await http.post(routes.API_LOGIN, data={"email": email, "password": password})
    if response.status_code != 303 or SESSION_COOKIE not in response.cookies:
        raise RuntimeError(f"login of {email} failed: {response.status_code} {response.headers.get('location')}")
    return f"{SESSION_COOKIE}={response.cookies[SESSION_COOKIE]}"


async def login_all(base_url: str, emails: Iterable[str]) -> dict[str, str]:
    """Log every address in; returns each one's cookie header."""
    gate = asyncio.Semaphore(LOGIN_CONCURRENCY)

    async def one(email: str) -> tuple[str, str]:
        async with gate:
            return email, await login(base_url, email)

    return dict(await asyncio.gather(*(one(e) for e in emails)))


class Tab:
    """One open page of one logged-in user, over its own websocket."""

    def __init__(self, base_url: str, cookie: str, page: Page, hashes: list[str] | None):
        self.base_url, self.cookie, self.page, self.hashes = base_url, cookie, page, hashes
        self.token = str(uuid.uuid4())
        self.state: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []
        self.updates = self.sent = 0
        self._waiters: list[tuple[Callable[[Tab], bool], asyncio.Future]] = []
        self._closing = False
        self.sio = socketio.AsyncClient(reconnection=False, websocket_extra_options={"headers": {"Cookie": cookie}})
        self.sio.on("event", self._on_update, namespace=EVENT_PATH)
        self.sio.on("disconnect", self._on_disconnect, namespace=EVENT_PATH)

    def value(self, state: str, name: str, default: Any = None) -> Any:
        """The tab's current value of a var."""
        return self.state.get(state, {}).get(name, default)

    async def open(self, timeout: float = 60) -> float:
        """Connect, hydrate and wait until the page has loaded; returns the seconds it took.

        Raises:
            RuntimeError: If the server refused the session or the page did not load in time.
        """
        from reflex.state import State

        start = time.perf_counter()

        boot = {"name": handler(State, "hydrate_and_load"),
                "payload": {"hashes": self.hashes} if self.hashes else {},
                "router_data": self.page.router_data()}
        ready = self.wait_for(lambda tab: bool(tab.value(*self.page.ready) or tab.errors))
        try:
            await self.sio.connect(f"{self.base_url}?token={self.token}", socketio_path=EVENT_PATH,
                                   namespaces=[EVENT_PATH], transports=["websocket"], auth={"event": boot},
                                   wait_timeout=timeout)
            await asyncio.wait_for(ready, timeout)
        except (TimeoutError, socketio.exceptions.ConnectionError) as err:
            raise RuntimeError(f"tab did not open: {err!r}; {self.errors}") from err
        if self.errors:
            raise RuntimeError(f"tab did not open: {self.errors}")
        return time.perf_counter() - start

    async def emit(self, event: str, payload: dict[str, Any] | None = None) -> None:
        """Send an event the way the page does; returns once it is queued for the socket."""
        message = {"name": event, "payload": payload or {}, "router_data": self.page.router_data()}
        self.sent += 1
        await self.sio.emit("event", message, namespace=EVENT_PATH)

    def wait_for(self, predicate: Callable[[Tab], bool]) -> asyncio.Future:
        """A future resolved with the perf_counter time of the first update after which ``predicate`` holds."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        return future

    async def _on_update(self, update: dict[str, Any]) -> None:
        now = time.perf_counter()
        self.updates += 1
        delta = update.get("delta") or {}
        for watcher in self.page.watchers:
            changes = delta.get(watcher.state, {})
            # The watchers start from the compiled defaults (0 for versions and ids).
            if watcher.var in changes and changes[watcher.var] != self.value(watcher.state, watcher.var, 0):
                for name in watcher.handlers:
                    await self.emit(name)
        for state, changes in delta.items():
            self.state.setdefault(state, {}).update(changes)
        for event in update.get("events") or ():
            if event.get("name") == "_redirect":  # e.g. to the login page: the session was refused
                self.errors.append(f"redirect to {event.get('payload', {}).get('path')}")
        waiting = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            if predicate(self):
                future.set_result(now)
            else:
                waiting.append((predicate, future))
        self._waiters = waiting

    async def _on_disconnect(self, reason: Any = None) -> None:
        if not self._closing:
            self.errors.append(f"disconnected ({reason})")

    async def close(self) -> None:
        """Disconnect."""
        self._closing = True
        if self.sio.connected:
            await self.sio.disconnect()


async def open_all(tabs: list[Tab], concurrency: int = 20, timeout: float = 60) -> tuple[list[float], list[str]]:
    """Open tabs, ``concurrency`` at a time; returns the opening times and the errors."""
    gate = asyncio.Semaphore(concurrency)
    times: list[float] = []
    errors: list[str] = []

    async def one(tab: Tab) -> None:
        async with gate:
            try:
                times.append(await tab.open(timeout))
            except RuntimeError as err:
                errors.append(str(err))

    await asyncio.gather(*(one(t) for t in tabs))
    return times, errors


async def close_all(tabs: Iterable[Tab]) -> None:
    """Close tabs, all at once."""
    await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)


