"""A tab whose worker was killed keeps its token (and so its state) when it reconnects."""

import asyncio
import pickle
import secrets
import subprocess
import sys
import time

import pytest
from redis.asyncio import Redis
from reflex.utils.token_manager import RedisTokenManager, SocketRecord

from portal import worker_liveness
from portal.realtime import worker_name
from tests.stack import REDIS_URL


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def _reconnect(mark: str | None) -> tuple[str | None, bool]:
    """Leave a record of another worker with ``mark``; link its token on this one.

    Returns:
        The new token Reflex hands out (None = the tab keeps its own) and whether our
        check deleted the record.
    """
    redis = Redis.from_url(REDIS_URL)
    manager = RedisTokenManager(redis)
    token, other = f"test-{secrets.token_hex(8)}", f"instance-{secrets.token_hex(8)}"
    try:
        await redis.set(manager._get_redis_key(token), pickle.dumps(SocketRecord(instance_id=other, sid="gone")),
                        ex=60)
        if mark is not None:
            await redis.set(worker_liveness.ALIVE_PREFIX + other, mark, ex=60)
        released = await worker_liveness.release_orphaned(manager, token)
        new_token = await manager.link_token_to_sid(token, "fresh-sid")
        return new_token, released
    finally:
        await redis.delete(manager._get_redis_key(token), worker_liveness.ALIVE_PREFIX + other)
        if manager._socket_record_task is not None:
            manager._socket_record_task.cancel()
        await redis.aclose()


def test_record_of_a_dead_local_worker_is_released():
    host = worker_name().rpartition("/")[0]
    new_token, released = asyncio.run(_reconnect(f"{host}/{_dead_pid()}"))
    assert released and new_token is None


def test_record_of_a_worker_whose_mark_expired_is_released():
    new_token, released = asyncio.run(_reconnect(None))
    assert released and new_token is None


@pytest.mark.parametrize("mark", ["self", "other-host/1"], ids=["running-local-worker", "other-machine"])
def test_record_of_a_living_worker_is_kept_so_a_second_tab_gets_its_own_token(mark):
    # Two tabs with one token (a duplicated tab): Reflex gives the second one a new token.
    new_token, released = asyncio.run(_reconnect(worker_name() if mark == "self" else mark))
    assert not released and new_token is not None


def test_a_zombie_worker_counts_as_dead():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        for _ in range(100):  # not reaped yet: a zombie until wait()
            with open(f"/proc/{proc.pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
            time.sleep(0.02)
        assert not worker_liveness._process_running(proc.pid)
    finally:
        proc.wait()
