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
import logging
from collections.abc import Iterable

import reflex as rx

log = logging.getLogger("portal.realtime")


class ThreadRoom(rx.SharedState):
    """Tabs showing one thread (talk flyout, client talk view)."""

    version: int = 0


class AccountRoom(rx.SharedState):
    """Tabs showing one account's bookings (staff) or open items (client)."""

    version: int = 0


def thread_room(thread_id: int) -> str:
    """Room of one thread."""
    return f"thread-{thread_id}"


def account_room(account_id: int, *, side: str) -> str:
    """Room of one account for the staff side or the client side.

    Two rooms so that internal activity never even wakes a client's tab.
    """
    return f"account-{account_id}-{side}"


_ROOM_CLASSES = {"thread": ThreadRoom, "account": AccountRoom}
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
    for room in rooms:
        try:
            await _bump(room)
        except Exception:  # a failed push must not break the others
            log.exception("Live update of %s failed", room)


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


def reload_on_change(version: rx.Var, handler: rx.EventHandler) -> rx.Component:
    """An invisible element that fires ``handler`` whenever ``version`` changes.

    React remounts an element whose key changes, and mounting fires ``on_mount``.
    """
    return rx.box(key=version.to_string(), on_mount=handler, display="none")
