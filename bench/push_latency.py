"""Push latency: from one tab sending a message to the other side's tab holding it.

For each session count N and each setup (``sqlite``: one worker on SQLite; ``scaled``:
two workers on Postgres + Redis), N tabs are open in N/2 pairs: a client user on the
conversations page and the assigned accountant on the inbox, both with the pair's
conversation open in the thread sheet. The tabs are python-socketio clients that
behave like the compiled frontend (:mod:`bench.reflex_client`), so every live update
costs the server what a browser's would (the reload handlers included).

Messages go out at ``--rate`` per second, round robin over the pairs, alternately from
either side, through the sheet's send handler. Latency is the time from emitting the
send event to the other tab receiving the delta whose ``messages`` hold the new text;
"bump" is the part until the thread room's version reached it, the rest is the
reload the tab then asks for.

The floor is a bare python-socketio relay (:mod:`bench.socketio_floor`) on the same
Granian, with the same worker count (and Redis between the workers when scaled), the
same number of clients and the same rate. Finally one real Chromium tab waits for a
message sent by a socketio tab.

The benchmark process drives every client on one asyncio loop; its own CPU use is
reported, as on 2 cores it competes with the server.

Usage: python -m bench.push_latency [--sessions 10,200,1000] [--setups sqlite,scaled] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.reflex_client import (
    ROOT,
    Tab,
    close_all,
    initial_state_hashes,
    login_all,
    open_all,
    var,
)
from bench.setups import (
    SETUPS,
    Pair,
    environment,
    redis_url,
    seed_conversation,
    seed_pairs,
)
from bench.stats import percentiles

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]
# A message that has not arrived after this long counts as lost.
MESSAGE_TIMEOUT = 15.0


async def _measure(count: int, rate: float, send: Callable[[int], Awaitable[tuple[float, asyncio.Future, asyncio.Future | None]]],
                   cpu: Callable[[], float]) -> dict:
    """Send ``count`` messages at ``rate`` per second; collect latencies and CPU use.

    Args:
        count: Messages to send.
        rate: Messages per second, all pairs together.
        send: Sends message ``k``; returns its start time, the future of its arrival and
            optionally the future of the room bump that precedes it.
        cpu: The server's CPU seconds so far.
    """
    loop_start, server_cpu, client_cpu = time.perf_counter(), cpu(), time.process_time()
    sent = []
    for k in range(count):
        await asyncio.sleep(max(0.0, loop_start + k / rate - time.perf_counter()))
        sent.append(await send(k))
    arrived, bumps, lost = [], [], 0
    for start, arrival, bump in sent:
        try:
            arrived.append(await asyncio.wait_for(arrival, max(0.1, start + MESSAGE_TIMEOUT - time.perf_counter())) - start)
        except TimeoutError:
            lost += 1
            continue
        if bump is not None and bump.done():
            bumps.append(bump.result() - start)
    wall = time.perf_counter() - loop_start
    return {"messages": count, "lost": lost, **percentiles(arrived),
            "bump_p50_ms": percentiles(bumps)["p50_ms"],
            "server_cpu_pct": round(100 * (cpu() - server_cpu) / wall),
            "client_cpu_pct": round(100 * (time.process_time() - client_cpu) / wall)}


async def _wait_idle(app, limit: float = 180) -> None:
    """Wait until the server has worked off what the previous round left queued (under 20 % CPU)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = app.cpu_seconds()
        await asyncio.sleep(1)
        if app.cpu_seconds() - before < 0.2:
            return


def _messages(tab: Tab) -> list[dict]:
    from portal.state.thread_panel import ThreadPanelState

    return tab.value(ThreadPanelState.get_full_name(), var("messages"), [])


async def _app_round(app, cookies: dict[str, str], pairs: list[Pair], threads: list[int], args) -> dict:
    """N tabs in pairs on the app; the latency of messages between them."""
    from bench.reflex_client import client_messages_page, handler, staff_inbox_page
    from portal import realtime
    from portal.state.thread_panel import ThreadPanelState

    await _wait_idle(app)
    hashes = initial_state_hashes()
    sides = [(Tab(app.url, cookies[pairs[j % len(pairs)].contact.email], client_messages_page(t), hashes),
              Tab(app.url, cookies[pairs[j % len(pairs)].staff.email], staff_inbox_page(t), hashes))
             for j, t in enumerate(threads)]
    tabs = [tab for pair in sides for tab in pair]
    opened, errors = await open_all(tabs)
    result = {"sessions": len(tabs), "open_errors": len(errors), "open_p50_ms": percentiles(opened)["p50_ms"]}
    if errors:
        print(f"  {len(errors)} tabs did not open, e.g. {errors[0]}", file=sys.stderr)
    await asyncio.sleep(2)  # let the opening's reloads drain
    live, send_event = realtime.LiveState.get_full_name(), handler(ThreadPanelState, "send")

    async def send(k: int):
        pair = sides[k % len(sides)]
        sender, receiver = pair if (k // len(sides)) % 2 == 0 else pair[::-1]
        body = f"Bench message {len(tabs)}-{k}"
        version = receiver.value(live, var("thread"), 0)
        bump = receiver.wait_for(lambda tab: tab.value(live, var("thread"), 0) > version)
        arrival = receiver.wait_for(lambda tab: any(m.get("body") == body for m in _messages(tab)))
        start = time.perf_counter()
        await sender.emit(send_event, {"form": {"body": body}})
        return start, arrival, bump

    updates, events = sum(t.updates for t in tabs), sum(t.sent for t in tabs)
    result |= await _measure(args.messages, args.rate, send, app.cpu_seconds)
    # The fan-out: deltas the tabs received and events they sent back, per message.
    result["updates_per_message"] = round((sum(t.updates for t in tabs) - updates) / args.messages, 1)
    result["events_per_message"] = round((sum(t.sent for t in tabs) - events) / args.messages, 1)
    result["late_errors"] = sum(len(t.errors) for t in tabs)
    await close_all(tabs)
    await asyncio.sleep(1)
    return result


@contextlib.contextmanager
def _floor_server(workers: int, scaled: bool, redis_db: int, log: Path):
    """The bare socketio relay on Granian, in a process group of its own."""
    from tests.app_process import RunningApp, free_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if scaled:
        env |= {"FLOOR_REDIS_URL": redis_url(redis_db), "FLOOR_REDIS_CHANNEL": f"bench-floor-{os.getpid()}"}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
                                 "--port", str(port), "--workers", str(workers), "bench.socketio_floor:app"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # up once a worker answers an Engine.IO handshake
            try:
                with urllib.request.urlopen(f"{url}/_event/?EIO=4&transport=polling", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"floor server did not start:\n{log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield RunningApp(url=url, pgid=proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # Granian may wait for sockets it still counts as open
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


async def _floor_round(server, sessions: int, args) -> dict:
    """The same pairs and rate on the bare relay."""
    import socketio

    clients, inbox = [], {}

    def receive(data):
        if (future := inbox.pop(data["body"], None)) is not None:
            future.set_result(time.perf_counter())

    for j in range(sessions // 2):
        for _ in range(2):
            client = socketio.AsyncClient(reconnection=False)
            client.on("message", receive)
            clients.append((client, f"pair-{j}"))
    gate = asyncio.Semaphore(20)

    async def connect(client, room):
        async with gate:
            await client.connect(f"{server.url}?room={room}", socketio_path="/_event", transports=["websocket"])

    await asyncio.gather(*(connect(c, r) for c, r in clients))
    await asyncio.sleep(1)

    async def send(k: int):
        pairs = len(clients) // 2
        j = k % pairs
        sender = clients[2 * j + (k // pairs) % 2]
        body = f"floor-{k}"
        inbox[body] = asyncio.get_running_loop().create_future()
        arrival = inbox[body]
        start = time.perf_counter()
        await sender[0].emit("send", {"room": sender[1], "body": body})
        return start, arrival, None

    result = {"sessions": len(clients)} | await _measure(args.messages, args.rate, send, server.cpu_seconds)
    await asyncio.gather(*(c.disconnect() for c, _ in clients), return_exceptions=True)
    return result


async def _browser_check(app, cookies: dict[str, str], pair: Pair, thread_id: int) -> dict:
    """A real Chromium tab on the client's conversation; a socketio staff tab writes into it."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from playwright.async_api import async_playwright

    from bench.reflex_client import handler, staff_inbox_page
    from portal import routes
    from portal.services.auth import SESSION_COOKIE
    from portal.state.thread_panel import ThreadPanelState

    await _wait_idle(app)
    staff = Tab(app.url, cookies[pair.staff.email], staff_inbox_page(thread_id), initial_state_hashes())
    await staff.open()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                           args=CHROMIUM_ARGS)
        context = await browser.new_context(locale="de-DE", base_url=app.url)
        name, value = cookies[pair.contact.email].split("=", 1)
        assert name == SESSION_COOKIE
        await context.add_cookies([{"name": name, "value": value, "url": app.url}])
        page = await context.new_page()
        await page.goto(routes.with_thread(routes.PORTAL_CONVERSATIONS, thread_id))
        await page.locator("#thread-log").wait_for()
        samples, lost = [], 0
        for k in range(5):
            body = f"Browser check {k}"
            # The first mutation that puts the text on the page stamps the wall clock.
            await page.evaluate("""body => { window.__seen = 0; new MutationObserver((_, observer) => {
                if (document.body.textContent.includes(body)) { window.__seen = Date.now(); observer.disconnect(); }
            }).observe(document.body, {childList: true, subtree: true, characterData: true}); }""", body)
            start = time.time()
            await staff.emit(handler(ThreadPanelState, "send"), {"form": {"body": body}})
            try:
                await page.wait_for_function("() => window.__seen > 0", timeout=MESSAGE_TIMEOUT * 1000)
                samples.append(await page.evaluate("() => window.__seen") / 1000 - start)
            except PlaywrightTimeout:
                lost += 1
            await asyncio.sleep(0.5)
        await browser.close()
    await staff.close()
    return {"messages": len(samples) + lost, "lost": lost, **percentiles(samples),
            "max_ms": round(max(samples) * 1000, 1) if samples else None}


def _run_setup(setup, args) -> dict:
    from tests.app_process import running_app

    sessions = sorted(args.sessions)
    out = {"setup": setup.label, "app": [], "floor": [], "browser": None}
    with environment(setup, args.redis_db) as env:
        log = Path(env.pop("LOG"))
        if not args.no_floor:
            with _floor_server(setup.workers, setup.scaled, args.redis_db, log.with_name("floor.log")) as floor:
                for n in sessions:
                    out["floor"].append(asyncio.run(_floor_round(floor, n, args)))
                    print(f"  {setup.key} floor: {out['floor'][-1]}", file=sys.stderr)
        pairs = seed_pairs(min(args.users, max(sessions) // 2))
        threads = {n: [seed_conversation(pairs[j % len(pairs)], f"Bench {n}/{j}") for j in range(n // 2)]
                   for n in sessions}
        browser_thread = seed_conversation(pairs[0], "Bench browser")
        with running_app(env, log) as app:
            async def rounds():
                cookies = await login_all(app.url, [e for p in pairs for e in (p.contact.email, p.staff.email)])
                for n in sessions:
                    out["app"].append(await _app_round(app, cookies, pairs, threads[n], args))
                    print(f"  {setup.key} app: {out['app'][-1]}", file=sys.stderr)
                if not args.no_browser:
                    out["browser"] = await _browser_check(app, cookies, pairs[0], browser_thread)

            asyncio.run(rounds())
    for app_row, floor_row in zip(out["app"], out["floor"]):
        if app_row["p50_ms"] and floor_row["p50_ms"]:
            app_row["ratio_p50"] = round(app_row["p50_ms"] / floor_row["p50_ms"], 1)
            app_row["ratio_p99"] = round(app_row["p99_ms"] / floor_row["p99_ms"], 1)
    return out


def _print_table(results: list[dict], args) -> None:
    print(f"push latency, {args.messages} messages per row at {args.rate}/s")
    head = (f"{'setup':<28}{'server':<7}{'N':>6}{'lost':>6}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
            f"{'bump p50':>9}{'x p50':>7}{'x p99':>7}{'srv CPU':>9}{'cli CPU':>9}{'open p50':>10}")
    print(head)
    for r in results:
        for server in ("floor", "app"):
            for row in r[server]:
                print(f"{r['setup']:<28}{server:<7}{row['sessions']:>6}{row['lost']:>6}{row['p50_ms']!s:>9}"
                      f"{row['p90_ms']!s:>9}{row['p99_ms']!s:>9}{row.get('bump_p50_ms') or '':>9}"
                      f"{row.get('ratio_p50', ''):>7}{row.get('ratio_p99', ''):>7}{row['server_cpu_pct']:>8}%"
                      f"{row['client_cpu_pct']:>8}%{row.get('open_p50_ms') or '':>10}")
        if r["browser"]:
            b = r["browser"]
            print(f"{r['setup']:<28}chromium: socketio staff tab -> real client tab, {b['messages']} messages, "
                  f"{b['lost']} lost: p50 {b['p50_ms']} ms, max {b['max_ms']} ms")
    print("x = app/floor; srv/cli CPU = server / benchmark process CPU in % of one core")


def main() -> int:
    """Run the benchmark and print the result."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", default="10,200,1000", help="connected tabs per round, comma-separated")
    parser.add_argument("--setups", default="sqlite,scaled", help=f"comma-separated: {', '.join(SETUPS)}")
    parser.add_argument("--messages", type=int, default=100, help="messages per round")
    parser.add_argument("--rate", type=float, default=10, help="messages per second, all pairs together")
    parser.add_argument("--users", type=int, default=100,
                        help="client users and accountants each; more tabs than that share a user")
    parser.add_argument("--redis-db", type=int, default=11, help="a Redis database of the benchmark's own")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.sessions = [int(n) for n in args.sessions.split(",")]
    results = [_run_setup(SETUPS[key], args) for key in args.setups.split(",")]
    if args.json:
        print(json.dumps(results))
    else:
        _print_table(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
