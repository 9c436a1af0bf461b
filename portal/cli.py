"""Administrative commands: ``python -m portal.cli <command>``.

Commands:
    reseed        wipe the database and load the demo data again (not in production)
    create-admin  create a staff admin (asks for the password)
    backup        write the database and every file into one archive
    restore       restore such an archive into an empty database and file store
"""

import argparse
import getpass
import sys
from pathlib import Path

from portal.domain.enums import Role
from sqlmodel import select

from portal.models import Firm, StaffUser
from portal.domain.backup import BackupError
from portal.services import backup, db, demo
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


def _backup(args: argparse.Namespace) -> int:
    try:
        summary = backup.write_backup(archive=Path(args.archive), allow_missing=args.allow_missing, progress=print)
    except BackupError as exc:
        print("Backup failed:", exc, file=sys.stderr)
        return 1
    print(f"Backup written to {summary.archive}: schema {summary.revision}, {summary.tables} tables, "
          f"{summary.rows} rows, {summary.blobs} files ({backup.human_bytes(summary.blob_bytes)}).")
    if summary.missing_blobs:
        print(f"{len(summary.missing_blobs)} file(s) were missing from the store and are not in the backup.",
              file=sys.stderr)
    return 0


def _restore(args: argparse.Namespace) -> int:
    try:
        summary = backup.restore_backup(archive=Path(args.archive), progress=print)
    except BackupError as exc:
        print("Restore refused:", exc, file=sys.stderr)
        return 1
    print(f"Restored {summary.rows} rows and {summary.blobs} files ({backup.human_bytes(summary.blob_bytes)}) "
          f"from schema {summary.revision}; the database is now at this version's schema.")
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
    dump = commands.add_parser("backup", help="write the database and all files into one archive")
    dump.add_argument("archive", help="the tar file to create (refused if it exists)")
    dump.add_argument("--allow-missing", action="store_true",
                      help="write the backup even if files named by the database are missing from the store")
    dump.set_defaults(run=_backup)
    load = commands.add_parser("restore", help="restore an archive into an empty database and file store")
    load.add_argument("archive", help="a file written by the backup command")
    load.set_defaults(run=_restore)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
