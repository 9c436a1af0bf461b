"""Login and session-check latency.

Login cost is dominated by argon2id on purpose; it bounds how many logins per second
one core can take. The session check runs on every protected page load.

Usage: python -m bench.auth [--n 50] [--json]
"""

import argparse
import json
import os
import sys
import tempfile
import time

from bench.stats import percentiles


def main() -> int:
    """Run the benchmark and print the result."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ.setdefault("DEMO_DATA", "0")
    from portal.domain.enums import Role
    from portal.models import StaffUser
    from portal.services import auth, db

    db.upgrade()
    email = f"bench-{time.time_ns()}@example.test"
    with db.session() as s:
        s.add(StaffUser(email=email, name="Bench", role=Role.ACCOUNTANT, password_hash=auth.hash_password("benchmark-pw")))
        s.commit()

    logins, checks, tokens = [], [], []
    for _ in range(args.n):
        start = time.perf_counter()
        tokens.append(auth.login(email=email, password="benchmark-pw").token)
        logins.append(time.perf_counter() - start)
    for token in tokens:
        start = time.perf_counter()
        auth.resolve_session(token)
        checks.append(time.perf_counter() - start)

    result = {"database": db.get_engine().dialect.name, "n": args.n,
              "login": percentiles(logins), "session_check": percentiles(checks)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{'operation':<15}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}   ({result['database']}, n={args.n})")
        for name in ("login", "session_check"):
            row = result[name]
            print(f"{name:<15}{row['p50_ms']:>10}{row['p90_ms']:>10}{row['p99_ms']:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
