"""Upload throughput and server memory for large files through the real app.

Starts the app (prod build) on a free loopback port with its own data directory, logs
a staff user in with Chromium, and uploads each file into a client's documents folder
with the drag-and-drop zone, the way users do. Measures the wall time from choosing
the file to the zone reporting it stored, and samples the resident memory of all the
app's processes meanwhile.

Usage: python -m bench.upload [--sizes 100,1024] [--storage local|s3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

PASSWORD = "benchmark-password-1"
MIB = 1024 * 1024


def _make_file(path: Path, size_mib: int) -> None:
    """A PDF-looking file (the type is sniffed) of random bytes, so nothing compresses it."""
    block = os.urandom(MIB)
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n")
        for _ in range(size_mib):
            out.write(block)


class _Sampler(threading.Thread):
    """Samples the app's resident memory until stopped; keeps the peak."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.peak, self._done = app, app.rss_bytes(), threading.Event()

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, self.app.rss_bytes())
            time.sleep(0.05)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def _seed() -> tuple[str, str]:
    """A staff user and a client; returns the login email and the client's documents path."""
    from portal import routes
    from portal.domain.enums import AccountKind, Role
    from portal.models import Assignment, ClientAccount, Firm, StaffUser
    from portal.services import auth, db, folders

    db.upgrade()
    with db.session() as s:
        s.add(Firm(name="Bench Kanzlei"))
        staff = StaffUser(email="bench@example.test", name="Bench", role=Role.ACCOUNTANT,
                          password_hash=auth.hash_password(PASSWORD))
        account = ClientAccount(kind=AccountKind.COMPANY, name="Bench GmbH")
        s.add_all([staff, account])
        s.flush()
        s.add(Assignment(staff_id=staff.id, account_id=account.id))
        folders.uploads_folder(s, account.id)
        s.commit()
        return staff.email, routes.staff_client(account.public_id, routes.STAFF_CLIENT_DOCUMENTS)


def _storage_env(kind: str, stack) -> dict[str, str]:
    if kind == "local":
        return {}
    from tests.stack import moto_s3

    return stack.enter_context(moto_s3("bench-uploads"))


def main() -> int:
    """Run the benchmark and print the result."""
    import contextlib

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1024", help="file sizes in MiB, comma-separated")
    parser.add_argument("--storage", choices=("local", "s3"), default="local")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]

    work = Path(tempfile.mkdtemp(prefix="portal-bench-upload-"))
    env = {"DATA_DIR": str(work / "data"), "DEMO_DATA": "0", "PORTAL_ENV": "test",
           "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
           "MAX_UPLOAD_MB": str(max(sizes) + 16)}
    os.environ.update(env)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from playwright.sync_api import expect, sync_playwright

    from tests.app_process import running_app

    email, documents_path = _seed()
    results = []
    with contextlib.ExitStack() as stack:
        env.update(_storage_env(args.storage, stack))
        app = stack.enter_context(running_app(env, work / "app.log"))
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        page = browser.new_context(locale="de-DE", base_url=app.url).new_page()
        page.goto("/login")
        page.get_by_label("E-Mail-Adresse").fill(email)
        page.get_by_label("Passwort", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url("**/staff/**")
        page.goto(documents_path)
        page.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
        for size in sizes:
            path = work / f"bench-{size}.pdf"
            _make_file(path, size)
            if results:
                page.get_by_role("button", name="Liste leeren").click()
            time.sleep(1)  # let memory settle after the previous round
            sampler = _Sampler(app)
            baseline = sampler.peak
            sampler.start()
            start = time.perf_counter()
            page.locator("#staff-documents input[type=file]").set_input_files(str(path))
            done = page.get_by_role("list", name="Dateien dieses Uploads").get_by_text("Gespeichert", exact=True)
            expect(done).to_be_visible(timeout=3_600_000)
            seconds = time.perf_counter() - start
            peak = sampler.stop()
            path.unlink()
            results.append({"storage": args.storage, "size_mib": size, "seconds": round(seconds, 2),
                            "mib_per_s": round(size / seconds, 1), "rss_baseline_mib": round(baseline / MIB, 1),
                            "rss_growth_mib": round((peak - baseline) / MIB, 1)})
        browser.close()
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{'storage':<8}{'size MiB':>10}{'seconds':>10}{'MiB/s':>10}{'RSS base MiB':>14}{'RSS growth MiB':>16}")
        for r in results:
            print(f"{r['storage']:<8}{r['size_mib']:>10}{r['seconds']:>10}{r['mib_per_s']:>10}"
                  f"{r['rss_baseline_mib']:>14}{r['rss_growth_mib']:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
