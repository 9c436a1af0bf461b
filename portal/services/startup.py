"""What happens when a server process starts: schema upgrade, demo data, banner."""

import logging

from portal.services import db, demo
from portal.settings import Settings

log = logging.getLogger("portal")


def prepare_database(settings: Settings) -> list[demo.DemoLogin]:
    """Upgrade the schema and, if enabled, seed demo data into an empty database.

    Every worker of a multi-worker server runs this at once; the lock makes exactly one
    of them migrate and seed, and the others find the work done.

    Returns:
        The demo logins to print (empty when there is no demo data).
    """
    with db.startup_lock():
        db.upgrade(lock=False)
        if not settings.demo_data:
            return []
        if demo.is_empty():
            log.warning("Empty database: seeding demo data")
            demo.seed()
        return demo.demo_logins() if demo.has_demo_data() else []


def banner(logins: list[demo.DemoLogin], base_url: str) -> str:
    """The text printed at start listing the demo logins."""
    width = max(len(login.email) for login in logins)
    lines = ["", "=" * 72, f" Kanzleiportal demo is running: {base_url}",
             f" Password for every demo login: {demo.DEMO_PASSWORD}", "-" * 72]
    lines += [f" {login.email.ljust(width)}  {login.name} ({login.role})" for login in logins]
    lines += [" Demo data is public: never expose this database to the internet.", "=" * 72, ""]
    return "\n".join(lines)
