"""Administrative commands: ``python -m portal.cli <command>``.

Commands:
    reseed        wipe the database and load the demo data again (not in production)
    create-admin  create a staff admin (asks for the password)
"""

import argparse
import getpass
import sys

from portal.domain.enums import Role
from sqlmodel import select

from portal.models import Firm, StaffUser
from portal.services import db, demo
from portal.services.auth import hash_password, normalize_email
from portal.services.startup import banner
from portal.settings import get_settings


def _reseed(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.env == "production":
        print("Refusing to wipe a production database.", file=sys.stderr)
        return 2
    if not args.yes:
        print("This deletes ALL data in", settings.database_url, "- run again with --yes.", file=sys.stderr)
        return 2
    db.upgrade()
    demo.wipe()
    print(banner(demo.seed(), settings.base_url))
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    password = getpass.getpass("Password (min. 10 characters): ")
    if len(password) < 10 or password != getpass.getpass("Repeat: "):
        print("Passwords are too short or do not match.", file=sys.stderr)
        return 2
    db.upgrade()
    with db.session() as s:
        if s.exec(select(Firm)).first() is None:
            s.add(Firm(name=args.firm))
        s.add(StaffUser(email=normalize_email(args.email), name=args.name, role=Role.ADMIN,
                        password_hash=hash_password(password), sender_name=args.name))
        s.commit()
    print("Admin created:", args.email)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m portal.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    reseed = commands.add_parser("reseed", help="wipe the database and load demo data")
    reseed.add_argument("--yes", action="store_true", help="really delete all data")
    reseed.set_defaults(run=_reseed)
    admin = commands.add_parser("create-admin", help="create a staff admin")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    admin.add_argument("--firm", default="Kanzlei", help="the firm's name, used when none is set up yet")
    admin.set_defaults(run=_create_admin)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
