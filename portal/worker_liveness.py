"""Tabs of a crashed worker keep their state when they reconnect to another worker.

With Redis, Reflex records in Redis which worker holds each tab's websocket, for an
hour. A worker that exits cleanly deletes its records; one that is killed (out of
memory, a crash) leaves them behind. When its tabs reconnect to another worker,
Reflex takes the leftover record for a second tab with the same token and hands the
tab a new token: a blank state, so an open conversation closes, typed text is gone,
and a message sent while offline reaches a handler that no longer knows the thread.

Each worker therefore marks itself alive in Redis every few seconds, under its
``host/pid``. Before a token is linked to a new websocket, a record that names a
worker no longer alive is deleted, so Reflex links the token as the reconnect it is
and keeps the state. A worker on this host is checked by its process id at once (its
tabs reconnect within milliseconds); one on another host counts as dead once its mark
has expired.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import socket

import reflex as rx

from portal.realtime import worker_name

log = logging.getLogger("portal.worker_liveness")

ALIVE_PREFIX = "portal_worker_alive_"
HEARTBEAT_SECONDS = 5
# Three missed beats: a worker whose loop stalls that long serves nobody anyway.
ALIVE_SECONDS = 3 * HEARTBEAT_SECONDS


def install(app: rx.App) -> asyncio.Task | None:
    """Start this worker's heartbeat and check records before each link.

    Returns:
        The heartbeat task, or None without Redis (one worker, nothing to recover).
    """
    from reflex.utils.token_manager import RedisTokenManager

    manager = app.event_namespace._token_manager if app.event_namespace else None
    if not isinstance(manager, RedisTokenManager):
        return None
    link = manager.link_token_to_sid

    async def link_after_cleanup(token: str, sid: str) -> str | None:
        await release_orphaned(manager, token)
        return await link(token, sid)

    # Reflex offers no hook around linking; wrapping this instance's method is the seam.
    manager.link_token_to_sid = link_after_cleanup
    return asyncio.create_task(_beat(manager))


async def _beat(manager) -> None:
    while True:
        try:
            # Read each time: Reflex gives a forked worker its own instance id.
            await manager.redis.set(ALIVE_PREFIX + manager.instance_id, worker_name(), ex=ALIVE_SECONDS)
        except Exception:  # Redis restarting: try again at the next beat
            log.warning("Worker heartbeat failed", exc_info=True)
        await asyncio.sleep(HEARTBEAT_SECONDS)


def _alive(mark: bytes | None) -> bool:
    """Whether the worker behind a heartbeat mark (``host/pid``, or None once expired) lives."""
    if mark is None:
        return False
    host, _, pid = mark.decode().rpartition("/")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: trust the mark until it expires
    return _process_running(int(pid))


def _process_running(pid: int) -> bool:
    # A killed worker stays a zombie until the server reaps it, and signals still reach
    # zombies; its state in /proc says it no longer runs.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        return True  # cannot tell: keep Reflex's own handling


async def release_orphaned(manager, token: str) -> bool:
    """Delete ``token``'s websocket record if the worker it names is no longer alive.

    Args:
        manager: Reflex's Redis token manager of this worker.
        token: The tab's token, about to be linked to a new websocket.

    Returns:
        Whether a record was deleted.
    """
    key = manager._get_redis_key(token)
    try:
        raw = await manager.redis.get(key)
        if raw is None:
            return False
        owner = pickle.loads(raw).instance_id
        if owner == manager.instance_id or _alive(await manager.redis.get(ALIVE_PREFIX + owner)):
            return False
        # Delete only the record just read: a worker that linked the token meanwhile wins.
        async with manager.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            if await pipe.get(key) != raw:
                return False
            pipe.multi()
            pipe.delete(key)
            await pipe.execute()
    except Exception:  # no worse than Reflex's own behaviour: it gives the tab a new token
        log.warning("Could not check the websocket record of a reconnecting tab", exc_info=True)
        return False
    log.info("Reconnect of a tab whose worker died: its state is kept")
    return True
