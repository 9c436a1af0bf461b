"""Live-update rooms: who gets a push, and that a push costs one update per tab in the room."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from types import SimpleNamespace

import pytest
import redis.asyncio as aioredis

from portal import realtime


class FakeApp:
    """Records every out-of-band state update, per tab token."""

    def __init__(self, connected: set[str]):
        self.connected = connected
        self.counters: dict[str, SimpleNamespace] = {}
        self.updates: list[str] = []
        self.event_namespace = SimpleNamespace(_token_manager=SimpleNamespace(is_token_connected=self._connected))

    async def _connected(self, token: str) -> bool:
        return token in self.connected

    @contextlib.asynccontextmanager
    async def modify_state(self, token):
        assert token.cls is realtime.LiveState
        self.updates.append(token.ident)
        live = self.counters.setdefault(token.ident, SimpleNamespace(**{k: 0 for k in realtime.KINDS}))

        async def get_state(cls):
            return live

        yield SimpleNamespace(get_state=get_state)


def _tab(token: str) -> SimpleNamespace:
    """Enough of a tab's state for ``realtime.link``."""
    live = SimpleNamespace(_joined={})

    async def get_state(cls):
        assert cls is realtime.LiveState
        return live

    return SimpleNamespace(get_state=get_state, router=SimpleNamespace(session=SimpleNamespace(client_token=token)))


@pytest.fixture
def members(monkeypatch):
    store = realtime.MemoryMembers()
    monkeypatch.setattr(realtime, "_members", store)
    return store


def test_room_kinds_come_from_the_name():
    assert realtime.room_kind(realtime.thread_room(7)) == "thread"
    assert realtime.room_kind(realtime.user_room("contact", 3)) == "user"
    assert realtime.room_kind(realtime.FIRM_WIDE_ROOM) == "firm"
    assert realtime.room_kind(realtime.STAFF_CLIENTS_ROOM) == "clients"
    with pytest.raises(ValueError):
        realtime.room_kind("nothing-1")


def test_a_push_reaches_each_tab_in_the_rooms_once(members, monkeypatch):
    app = FakeApp(connected={"a", "b", "c"})
    monkeypatch.setattr(realtime, "_app", app)

    async def run():
        for token, rooms in {"a": [realtime.thread_room(1), realtime.FIRM_WIDE_ROOM],
                             "b": [realtime.FIRM_WIDE_ROOM], "c": [realtime.thread_room(2)]}.items():
            for room in rooms:
                await realtime.link(_tab(token), room)
        await realtime._bump_all([realtime.thread_room(1), realtime.FIRM_WIDE_ROOM])

    asyncio.run(run())
    # One update per tab, however many of its rooms moved; the other thread's tab is left alone.
    assert sorted(app.updates) == ["a", "b"]
    assert (app.counters["a"].thread, app.counters["a"].firm) == (1, 1)
    assert (app.counters["b"].thread, app.counters["b"].firm) == (0, 1)


def test_a_tab_leaves_its_previous_room_of_the_same_kind(members, monkeypatch):
    app = FakeApp(connected={"a"})
    monkeypatch.setattr(realtime, "_app", app)
    tab = _tab("a")

    async def run():
        await realtime.link(tab, realtime.thread_room(1))
        await realtime.link(tab, realtime.thread_room(2))
        await realtime.link(tab, realtime.account_room(5))
        await realtime._bump_all([realtime.thread_room(1)])
        assert app.updates == []
        await realtime._bump_all([realtime.thread_room(2)])

    asyncio.run(run())
    assert app.updates == ["a"]
    assert asyncio.run(members.members(realtime.account_room(5))) == {"a"}


def test_a_closed_tab_is_dropped_and_joins_again_when_it_reconnects(members, monkeypatch):
    app = FakeApp(connected={"b"})
    monkeypatch.setattr(realtime, "_app", app)
    gone = _tab("a")
    room = realtime.user_room("contact", 9)

    async def run():
        await realtime.link(gone, room)
        await realtime.link(_tab("b"), room)
        await realtime._bump_all([room])
        assert await members.members(room) == {"b"}
        # The same tab, reconnected: linking the room it had recorded still puts it back.
        app.connected.add("a")
        await realtime.link(gone, room)
        await realtime._bump_all([room])

    asyncio.run(run())
    assert sorted(app.updates) == ["a", "b", "b"]
    assert app.counters["a"].user == 1


def test_one_failing_tab_does_not_stop_the_others(members, monkeypatch, caplog):
    app = FakeApp(connected={"a", "b"})
    original = app.modify_state

    @contextlib.asynccontextmanager
    async def failing(token):
        if token.ident == "a":
            raise RuntimeError("state store away")
        async with original(token) as root:
            yield root

    app.modify_state = failing
    monkeypatch.setattr(realtime, "_app", app)

    async def run():
        for token in "ab":
            await realtime.link(_tab(token), realtime.thread_room(3))
        await realtime._bump_all([realtime.thread_room(3)])

    asyncio.run(run())
    assert app.updates == ["b"]
    assert "Live update of tab a failed" in caplog.text


def test_redis_members_are_shared_and_expire():
    """Room members in Redis, as every worker of the scaled mode sees them."""

    async def run():
        client = aioredis.Redis(host="127.0.0.1", port=6379)
        store = realtime.RedisMembers(client, expiration=60)
        old, new = f"thread-{secrets.token_hex(4)}", f"thread-{secrets.token_hex(4)}"
        try:
            await store.move("t1", None, old)
            await store.move("t2", None, old)
            await store.move("t1", old, new)
            assert await store.members(old) == {"t2"}
            assert await store.members(new) == {"t1"}
            assert 0 < await client.ttl(f"portal:room:{new}") <= 60
            await store.drop(old, ["t2"])
            await store.drop(old, [])
            assert await store.members(old) == set()
        finally:
            await client.delete(f"portal:room:{old}", f"portal:room:{new}")
            await client.aclose()

    asyncio.run(run())


def test_the_tab_that_made_a_change_is_spared_only_what_it_reloads_itself(members, monkeypatch):
    app = FakeApp(connected={"sender", "reader"})
    monkeypatch.setattr(realtime, "_app", app)
    thread, user = realtime.thread_room(4), realtime.user_room("contact", 2)

    async def run():
        for token in ("sender", "reader"):
            await realtime.link(_tab(token), thread)
        await realtime.link(_tab("sender"), user)
        realtime.act_for_tab("sender")
        await realtime._bump_all([thread, user], ("sender", frozenset({"thread"})))

    asyncio.run(run())
    assert (app.counters["reader"].thread, app.counters["sender"].thread) == (1, 0)
    assert app.counters["sender"].user == 1  # its counter and list still move


def test_publish_takes_the_origin_from_the_event_that_calls_the_service(monkeypatch):
    """The tab noted by the session check travels with ``asyncio.to_thread`` into the service."""
    seen = []

    async def fake_bump_all(rooms, spared=(None, frozenset())):
        seen.append((rooms, spared))

    monkeypatch.setattr(realtime, "_bump_all", fake_bump_all)

    async def run():
        monkeypatch.setattr(realtime, "_loop", asyncio.get_running_loop())
        realtime.act_for_tab("tab-1")
        await asyncio.to_thread(realtime.publish, ["thread-1"], origin_reloads=("thread",))
        await asyncio.to_thread(realtime.publish, ["thread-1"])
        await asyncio.sleep(0.05)

    asyncio.run(run())
    assert seen == [(["thread-1"], ("tab-1", frozenset({"thread"}))), (["thread-1"], (None, frozenset()))]
