"""Live updates: the one module that pushes changes to open tabs.

A tab joins *rooms* for what it shows (a thread, an account's pages, its user, the
firm's staff views, the clients page), one room per kind. A room is a set of tab
tokens; every tab has a ``LiveState`` holding one version counter per kind. When
something changes, :func:`publish` moves the counters of the tabs in the changed
rooms, and each tab reloads its own view through the services, so every viewer's
access is checked again and nothing private travels through a shared state.

Not ``rx.SharedState``: Reflex 0.10 re-sends a linked room to every other linked tab
after *any* event of a linked tab, so one message cost work in the square of the
staff tabs (bench/README.md). Here a push costs one state update per tab in the room
and nothing else.

Services call :func:`publish` after their commit, from any thread. The bump runs as
a task on the server's event loop through ``app.modify_state`` on each tab's token;
Reflex relays the update to the worker holding the tab's socket. Room members live
in this process, or in Redis when it holds the state, so every worker sees them.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
import os
import socket
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import reflex as rx
from reflex.istate.manager.redis import StateManagerRedis
from reflex_base.components.memoize_helpers import get_memoized_event_triggers
from reflex_base.event import no_args_event_spec
from reflex_base.vars.base import VarData
from reflex_components_core.base.fragment import Fragment

log = logging.getLogger("portal.realtime")

# Room kinds: the prefix of a room's name and the counter it moves.
KINDS = ("thread", "tasks", "account", "user", "firm", "clients")


class LiveState(rx.State):
    """One counter per room kind; a component reloads its view when its counter moves."""

    thread: int = 0
    tasks: int = 0
    account: int = 0
    user: int = 0
    firm: int = 0
    clients: int = 0
    # The room this tab is in, per kind.
    _joined: dict[str, str] = {}


# Tabs of the staff who see every client (admins): any thread change may move their
# inbox and counter. Accountants hear of their clients' threads in their own user room.
FIRM_WIDE_ROOM = "firm-all"
# Staff tabs showing the clients page: accounts created, renamed, invited, activated.
STAFF_CLIENTS_ROOM = "clients-firm"


def worker_name() -> str:
    """This process as ``host/pid``; computed per call, as workers are forked after import."""
    return f"{socket.gethostname()}/{os.getpid()}"


def thread_room(thread_id: int) -> str:
    """Room of one thread."""
    return f"thread-{thread_id}"


def tasks_room(thread_id: int) -> str:
    """Room of one thread's checklist: its own, so a message does not reload the checklist."""
    return f"tasks-{thread_id}"


def account_room(account_id: int) -> str:
    """Room of one account's staff views. Clients never link to it."""
    return f"account-{account_id}"


def user_room(kind: str, user_id: int) -> str:
    """Room of one user (``staff`` or ``contact``): their counter, inbox or open items."""
    return f"user-{kind}-{user_id}"


def room_kind(room: str) -> str:
    """The kind of a room, from its name."""
    kind = room.split("-", 1)[0]
    if kind not in KINDS:
        raise ValueError(f"Unknown room {room!r}")
    return kind


class MemoryMembers:
    """Room members of a single process."""

    def __init__(self) -> None:
        self._rooms: dict[str, set[str]] = defaultdict(set)

    async def move(self, token: str, old: str | None, new: str) -> None:
        """Put ``token`` into room ``new``, out of room ``old``."""
        if old:
            self._rooms[old].discard(token)
        self._rooms[new].add(token)

    async def members(self, room: str) -> set[str]:
        """The tokens in ``room``."""
        return set(self._rooms.get(room, ()))

    async def drop(self, room: str, tokens: Iterable[str]) -> None:
        """Take ``tokens`` out of ``room``."""
        members = self._rooms.get(room)
        if members is not None:
            members.difference_update(tokens)
            if not members:
                del self._rooms[room]


class RedisMembers:
    """Room members in Redis, shared by every worker.

    A room expires when nobody joined or published to it for as long as Reflex keeps an
    idle tab's state, after which its tabs rehydrate and join again anyway.
    """

    def __init__(self, redis: Any, expiration: int) -> None:
        self._redis = redis
        self._expiration = expiration

    @staticmethod
    def _key(room: str) -> str:
        return f"portal:room:{room}"

    async def move(self, token: str, old: str | None, new: str) -> None:
        """Put ``token`` into room ``new``, out of room ``old``."""
        async with self._redis.pipeline(transaction=False) as pipe:
            if old:
                pipe.srem(self._key(old), token)
            pipe.sadd(self._key(new), token)
            pipe.expire(self._key(new), self._expiration)
            await pipe.execute()

    async def members(self, room: str) -> set[str]:
        """The tokens in ``room``."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.smembers(self._key(room))
            pipe.expire(self._key(room), self._expiration)
            found, _ = await pipe.execute()
        return {m.decode() if isinstance(m, bytes) else m for m in found}

    async def drop(self, room: str, tokens: Iterable[str]) -> None:
        """Take ``tokens`` out of ``room``."""
        tokens = list(tokens)
        if tokens:
            await self._redis.srem(self._key(room), *tokens)


_app: rx.App | None = None
_loop: asyncio.AbstractEventLoop | None = None
_members: MemoryMembers | RedisMembers = MemoryMembers()
_pending: set[asyncio.Future] = set()
_origin: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_live_origin", default=None)


def bind(app: rx.App, loop: asyncio.AbstractEventLoop) -> None:
    """Remember the running app and loop, and where room members live (called once at start)."""
    global _app, _loop, _members
    _app, _loop = app, loop
    manager = app.state_manager
    if isinstance(manager, StateManagerRedis):
        _members = RedisMembers(manager.redis, rx.config.get_config().redis_token_expiration)
    else:
        _members = MemoryMembers()


def act_for_tab(token: str) -> None:
    """Note which tab the current event comes from (services' publishes can spare it).

    A context variable: ``asyncio.to_thread`` carries it into the service call.
    """
    _origin.set(token)


def publish(rooms: Iterable[str], *, origin_reloads: Iterable[str] = ()) -> None:
    """Tell every tab in ``rooms`` to reload. Safe from any thread.

    Without a running server (CLI, unit tests) there is nobody to tell.

    Args:
        rooms: The changed rooms.
        origin_reloads: Room kinds the tab whose event made the change reloads itself
            right after the call (its thread view after sending, say); that tab is not
            told about those kinds again.
    """
    if _loop is None or _loop.is_closed():
        return
    spared = (_origin.get(), frozenset(origin_reloads)) if origin_reloads else (None, frozenset())
    future = asyncio.run_coroutine_threadsafe(_bump_all(sorted(set(rooms)), spared), _loop)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


async def _bump_all(rooms: list[str], spared: tuple[str | None, frozenset[str]] = (None, frozenset())) -> None:
    # A tab in several of the rooms (an accountant's thread open on the account's page)
    # gets one update moving all its counters.
    kinds_by_tab: dict[str, set[str]] = defaultdict(set)
    member_lists = await asyncio.gather(*(_members.members(room) for room in rooms))
    tabs_by_room = dict(zip(rooms, member_lists))
    for room, tokens in tabs_by_room.items():
        for token in tokens:
            kinds_by_tab[token].add(room_kind(room))
    origin, reloaded = spared
    if origin in kinds_by_tab:
        kinds_by_tab[origin] -= reloaded
        if not kinds_by_tab[origin]:
            del kinds_by_tab[origin]
    connected = _app.event_namespace._token_manager.is_token_connected
    tabs = list(kinds_by_tab)
    alive = dict(zip(tabs, await asyncio.gather(*(connected(token) for token in tabs))))
    # A closed tab leaves its rooms; one that reconnects rehydrates and joins again.
    await asyncio.gather(*(_members.drop(room, [t for t in tokens if t in alive and not alive[t]])
                           for room, tokens in tabs_by_room.items()))
    # Side by side: each tab has its own lock, and one busy tab must not hold back the rest.
    targets = [(token, kinds) for token, kinds in kinds_by_tab.items() if alive[token]]
    results = await asyncio.gather(*(_bump(token, kinds) for token, kinds in targets), return_exceptions=True)
    for (token, _kinds), result in zip(targets, results):
        if isinstance(result, Exception):  # a failed push must not break the others
            log.error("Live update of tab %s failed", token, exc_info=result)


async def _bump(token: str, kinds: set[str]) -> None:
    async with _app.modify_state(rx.BaseStateToken(ident=token, cls=LiveState)) as root:
        live = await root.get_state(LiveState)
        for kind in kinds:
            setattr(live, kind, getattr(live, kind) + 1)


async def link(state: rx.State, room: str) -> None:
    """Put ``state``'s tab into ``room``, leaving its previous room of that kind.

    Callers check access first.

    Args:
        state: Any state of the tab, inside an event handler.
        room: The room's name.
    """
    kind = room_kind(room)
    live = await state.get_state(LiveState)
    old = live._joined.get(kind)
    # Joined again even when already in: a publish drops a tab that was offline for a moment.
    await _members.move(state.router.session.client_token, old if old != room else None, room)
    if old != room:
        live._joined = {**live._joined, kind: room}


class ChangeWatcher(Fragment):
    """Renders nothing; fires ``on_change`` whenever ``value`` changes after the first render.

    A React effect on the value: remounting a keyed element does not work here,
    because Reflex memoizes the element below the effect that runs ``on_mount``.
    """

    value: rx.Var[Any]
    on_change: rx.EventHandler[no_args_event_spec]

    @classmethod
    def create(cls, *children, **props) -> "ChangeWatcher":
        """Create the watcher (event triggers work inside memoized parents too)."""
        component = super().create(*children, **props)
        memo_triggers = get_memoized_event_triggers(component)
        if memo_triggers:
            component.event_triggers = {**component.event_triggers, **memo_triggers}
        return component

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "value", *self.event_triggers.keys()]

    def add_imports(self) -> dict:
        """React hooks used by the effect."""
        return {"react": ["useEffect", "useRef"]}

    def add_hooks(self) -> list[str | rx.Var]:
        """The effect that compares the value with the previous render."""
        name = "watch_" + hashlib.md5(str(self.value).encode()).hexdigest()[:10]
        chain = rx.Var.create(self.event_triggers["on_change"])
        hook = f"""
const {name} = useRef(undefined);
useEffect(() => {{
    const current = {self.value};
    if ({name}.current !== undefined && {name}.current !== current) {{ ({chain})(); }}
    {name}.current = current;
}}, [{self.value}]);
"""
        return [rx.Var(hook, _var_data=VarData.merge(self.value._get_all_var_data()))]


def staff_inbox_version() -> rx.Var:
    """What moves a staff tab's inbox and counter: their own room, and the firm-wide one for admins."""
    return LiveState.user + LiveState.firm


def reload_on_change(version: rx.Var, handler: rx.EventHandler) -> rx.Component:
    """An invisible element that fires ``handler`` whenever a room's ``version`` moves."""
    return ChangeWatcher.create(value=version, on_change=handler)
