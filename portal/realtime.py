"""Live updates: the one module that pushes changes to open tabs.

Rooms are ``rx.SharedState`` instances linked by every tab that shows something
which can change under it. A room holds only a version counter, never data: when it
moves, each linked tab reloads its own view through the services, so every viewer's
access is checked again and nothing private travels through a shared state.

Services call :func:`publish` after their commit, from any thread. The bump runs as
a task on the server's event loop and goes through ``app.modify_state`` on the room
token; Reflex then updates every linked tab, on other workers too when Redis holds
the state.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
from collections.abc import Iterable
from typing import Any

import reflex as rx
from reflex_base.components.memoize_helpers import get_memoized_event_triggers
from reflex_base.event import no_args_event_spec
from reflex_base.vars.base import VarData
from reflex_components_core.base.fragment import Fragment

log = logging.getLogger("portal.realtime")


class ThreadRoom(rx.SharedState):
    """Tabs showing one thread (talk flyout, client talk view)."""

    version: int = 0


class AccountRoom(rx.SharedState):
    """Staff tabs showing one account's bookings."""

    version: int = 0


class UserRoom(rx.SharedState):
    """Every tab of one client user: their open items, conversations and counter."""

    version: int = 0


class FirmRoom(rx.SharedState):
    """Every staff tab: the inbox and the action counter."""

    version: int = 0


class ClientsRoom(rx.SharedState):
    """Staff tabs showing the clients page."""

    version: int = 0


# One room for all staff: any thread change may move any staff member's inbox.
FIRM_STAFF_ROOM = "firm-staff"
# Staff tabs showing the clients page: accounts created, renamed, invited, activated.
STAFF_CLIENTS_ROOM = "clients-firm"


def worker_name() -> str:
    """This process as ``host/pid``; computed per call, as workers are forked after import."""
    return f"{socket.gethostname()}/{os.getpid()}"


def thread_room(thread_id: int) -> str:
    """Room of one thread."""
    return f"thread-{thread_id}"


def account_room(account_id: int) -> str:
    """Room of one account's staff views. Clients never link to it."""
    return f"account-{account_id}"


def user_room(kind: str, user_id: int) -> str:
    """Room of one user (``staff`` or ``contact``)."""
    return f"user-{kind}-{user_id}"


_ROOM_CLASSES = {"thread": ThreadRoom, "account": AccountRoom, "user": UserRoom, "firm": FirmRoom,
                 "clients": ClientsRoom}
_app: rx.App | None = None
_loop: asyncio.AbstractEventLoop | None = None
_pending: set[asyncio.Future] = set()


def bind(app: rx.App, loop: asyncio.AbstractEventLoop) -> None:
    """Remember the running app and loop (called once at server start)."""
    global _app, _loop
    _app, _loop = app, loop


def publish(rooms: Iterable[str]) -> None:
    """Tell every tab linked to ``rooms`` to reload. Safe from any thread.

    Without a running server (CLI, unit tests) there is nobody to tell.
    """
    if _loop is None or _loop.is_closed():
        return
    future = asyncio.run_coroutine_threadsafe(_bump_all(sorted(set(rooms))), _loop)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


async def _bump_all(rooms: list[str]) -> None:
    # Side by side: each room has its own lock, and one slow room (the firm's, with every
    # staff tab behind it) must not hold back the thread's viewers waiting for the message.
    results = await asyncio.gather(*(_bump(room) for room in rooms), return_exceptions=True)
    for room, result in zip(rooms, results):
        if isinstance(result, Exception):  # a failed push must not break the others
            log.error("Live update of %s failed", room, exc_info=result)


async def _bump(room: str) -> None:
    cls = _ROOM_CLASSES[room.split("-", 1)[0]]
    async with _app.modify_state(rx.BaseStateToken(ident=room, cls=cls)) as root:
        shared = await root.get_state(cls)
        shared.version += 1


async def link(state: rx.State, cls: type[rx.SharedState], room: str) -> None:
    """Link ``state``'s tab to ``room``. Callers check access first.

    Args:
        state: Any state of the tab, inside an event handler.
        cls: The room class.
        room: The room token.
    """
    shared = await state.get_state(cls)
    await shared._link_to(room)


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


def reload_on_change(version: rx.Var, handler: rx.EventHandler) -> rx.Component:
    """An invisible element that fires ``handler`` whenever a room's ``version`` moves."""
    return ChangeWatcher.create(value=version, on_change=handler)
