"""Idle sessions one machine holds, and what each one costs in memory.

Ramps up socketio tabs (:mod:`bench.reflex_client`) of logged-in client users, each on
the conversations page, in steps; after each step it waits for the server to settle
and records the app's resident memory (all its processes) and, when the state lives in
Redis, the memory of the benchmark's Redis database (``MEMORY USAGE`` of its keys). It
stops at the last step, at ``--max``, or when more than 1 % of a step's tabs fail to open.

The tabs run on this process's one asyncio loop; its CPU share while opening and its
own memory are reported too, as on 2 cores it competes with the server.

Usage: python -m bench.sessions [--steps 250,500,1000,2000] [--setups sqlite,scaled] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

from bench.reflex_client import (
    Tab,
    client_messages_page,
    initial_state_hashes,
    login_all,
    open_all,
)
from bench.setups import SETUPS, environment, redis_url, seed_pairs
from bench.stats import percentiles

KIB = 1024
MIB = 1024 * 1024
# Time for the opening's reloads and writes to drain before memory is read.
SETTLE_SECONDS = 3


def _redis_bytes(db_number: int) -> int:
    """What the keys of the benchmark's Redis database take (other databases are not ours)."""
    import redis

    client = redis.Redis.from_url(redis_url(db_number))
    pipe = client.pipeline(transaction=False)
    for key in client.scan_iter(count=1000):
        pipe.memory_usage(key, samples=0)
    return sum(size or 0 for size in pipe.execute())


def _own_rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _ramp(app, setup, pairs, args) -> list[dict]:
    cookies = await login_all(app.url, [p.contact.email for p in pairs])
    hashes, page = initial_state_hashes(), client_messages_page()
    base_rss = app.rss_bytes()
    base_redis = _redis_bytes(args.redis_db) if setup.scaled else 0
    tabs: list[Tab] = []
    rows = []
    for step in [s for s in args.steps if s <= args.max]:
        new = [Tab(app.url, cookies[pairs[i % len(pairs)].contact.email], page, hashes)
               for i in range(len(tabs), step)]
        cpu, start = time.process_time(), time.perf_counter()
        opened, errors = await open_all(new, timeout=120)
        wall = time.perf_counter() - start
        client_cpu = time.process_time() - cpu
        tabs.extend(new)
        await asyncio.sleep(SETTLE_SECONDS)
        connected = sum(t.sio.connected and not t.errors for t in tabs)
        rss = app.rss_bytes()
        row = {"setup": setup.label, "sessions": step, "connected": connected, "open_errors": len(errors),
               **{f"open_{k}": v for k, v in percentiles(opened).items()},
               "opened_per_s": round(len(opened) / wall, 1), "app_rss_mib": round(rss / MIB),
               "rss_per_session_kib": round((rss - base_rss) / max(1, connected) / KIB),
               "client_cpu_pct": round(100 * client_cpu / wall), "client_rss_mib": round(_own_rss() / MIB)}
        if setup.scaled:
            row["redis_per_session_kib"] = round((_redis_bytes(args.redis_db) - base_redis) / max(1, connected) / KIB, 1)
        rows.append(row)
        if errors:
            print(f"  {len(errors)} tabs did not open, e.g. {errors[0]}", file=sys.stderr)
        if len(errors) > len(new) / 100:
            break
    await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)
    return rows


def _run_setup(setup, args) -> list[dict]:
    from tests.app_process import running_app

    with environment(setup, args.redis_db) as env:
        log = Path(env.pop("LOG"))
        pairs = seed_pairs(args.users)
        with running_app(env, log) as app:
            return asyncio.run(_ramp(app, setup, pairs, args))


def main() -> int:
    """Run the benchmark and print the result."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="250,500,1000,2000", help="total sessions after each step")
    parser.add_argument("--max", type=int, default=2000, help="stop after this many sessions")
    parser.add_argument("--setups", default="sqlite,scaled", help=f"comma-separated: {', '.join(SETUPS)}")
    parser.add_argument("--users", type=int, default=100, help="client users; more tabs than that share a user")
    parser.add_argument("--redis-db", type=int, default=11, help="a Redis database of the benchmark's own")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.steps = sorted(int(n) for n in args.steps.split(","))
    rows = [row for key in args.setups.split(",") for row in _run_setup(SETUPS[key], args)]
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'setup':<28}{'sessions':>9}{'connected':>10}{'errors':>7}{'open p50':>9}{'open p99':>9}{'opened/s':>9}"
          f"{'app RSS MiB':>12}{'RSS/session KiB':>16}{'Redis/session KiB':>18}{'cli CPU':>8}{'cli RSS MiB':>12}")
    for r in rows:
        print(f"{r['setup']:<28}{r['sessions']:>9}{r['connected']:>10}{r['open_errors']:>7}{r['open_p50_ms']!s:>9}"
              f"{r['open_p99_ms']!s:>9}{r['opened_per_s']:>9}{r['app_rss_mib']:>12}{r['rss_per_session_kib']:>16}"
              f"{r.get('redis_per_session_kib', ''):>18}{r['client_cpu_pct']:>7}%{r['client_rss_mib']:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
