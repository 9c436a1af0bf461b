"""Run the real app (the production server, :mod:`portal.serve`) on a free loopback port,
for browser tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"app did not come up within {timeout}s:\n{log.read_text()[-4000:]}")


@dataclass(frozen=True)
class RunningApp:
    """The started app: its address and the process group holding all its processes."""

    url: str
    pgid: int

    def _processes(self) -> Iterator[tuple[Path, list[str]]]:
        """Each process of the group: its /proc directory and the fields of its stat after the name."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if len(fields) > 2 and fields[2] == str(self.pgid):  # field 5 of stat: process group
                yield entry, fields

    def pids(self) -> list[int]:
        """Every process of the app: the server and its workers."""
        return [int(entry.name) for entry, _ in self._processes()]

    def live_pids(self) -> list[int]:
        """The app's processes still running (a killed one stays a zombie until reaped)."""
        return [int(entry.name) for entry, fields in self._processes() if fields[0] not in ("Z", "X")]

    def rss_bytes(self) -> int:
        """Resident memory of every process of the app, summed (Linux /proc)."""
        total = 0
        page = os.sysconf("SC_PAGE_SIZE")
        for entry, _ in self._processes():
            try:
                total += int((entry / "statm").read_text().split()[1]) * page
            except (OSError, IndexError, ValueError):
                continue
        return total

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the app's live processes have used so far (Linux /proc)."""
        ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in self._processes())  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_app(env: dict[str, str], log: Path, timeout: float = 600, *, port: int | None = None,
                build: bool = True) -> Iterator[RunningApp]:
    """Start the app with ``env`` added to this process's environment; stop it afterwards.

    Args:
        env: Settings for the app (DATA_DIR, SMTP_URL, ...); BASE_URL is set here.
        log: File that receives the app's output (appended to when not building, so a
            restart keeps the log of the run before).
        timeout: Seconds to wait for the first compile and start.
        port: The port to listen on (a restart takes its predecessor's, so open tabs
            reconnect); default a free one.
        build: Build the frontend first; False serves the one built before on this port.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, **env, "BASE_URL": url, "REFLEX_USE_NPM": "1",
                "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w" if build else "a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portal.serve", "--host", "127.0.0.1", "--port", str(port),
             *(() if build else ("--no-build",))],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(f"{url}/ping", proc, log, timeout)
        _wait_until_up(f"{url}/login", proc, log, timeout)
        yield RunningApp(url=url, pgid=proc.pid)
    finally:
        # An app that exited on its own (a failed build) leaves no group: its error is the one to see.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
