"""The services a test run uses: embedded (SQLite, files, one worker) or scaled.

``PORTAL_TEST_STACK=scaled`` runs the tests against the scale-out configuration:
PostgreSQL, Redis as Reflex's state manager, S3 on a moto server, and two workers.
PostgreSQL and Redis are the machine's own programs, started here as private
instances on free loopback ports, so the fault tests can stop and restart them
without touching anybody's data. ``scripts/test`` runs the live journeys a second
time that way.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.app_process import free_port

SCALED = os.environ.get("PORTAL_TEST_STACK", "embedded") == "scaled"
# The machine's Redis, for unit tests that need one; the scaled stack runs its own.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
S3_REGION = "eu-central-1"
WORKERS = 2


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory (trust auth, loopback only)."""

    def __init__(self) -> None:
        bindir = os.environ.get("PG_BINDIR") or sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.pg_ctl = str(Path(bindir) / "pg_ctl")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        # PostgreSQL refuses to run as root: run it as the postgres user then.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.dir, "postgres")
        self._run(str(Path(bindir) / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run(self.pg_ctl, "-D", str(self.dir / "data"), "-w", "-l", str(self.dir / "log"), "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        """Stop at once, dropping every connection (``-m immediate``, like a crash)."""
        self._run(self.pg_ctl, "-D", str(self.dir / "data"), "-w", "-m", "immediate", "stop")

    def remove(self) -> None:
        """Stop if running and delete the cluster."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """A private Redis without persistence: a restart loses everything, as in production."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start it and wait until it answers."""
        import redis

        self._proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                                       "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("private Redis did not start")

    def stop(self) -> None:
        """Kill it (its data is gone)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None


class ScaledServices:
    """The scaled stack's servers, for tests that restart them."""

    def __init__(self) -> None:
        self.postgres = PostgresServer()
        self.redis = RedisServer()


# Set while the scaled stack runs (see tests/conftest.py).
services: ScaledServices | None = None


@contextlib.contextmanager
def moto_s3(bucket: str) -> Iterator[dict[str, str]]:
    """An S3 server on loopback holding ``bucket``; yields the app's settings for it."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": S3_REGION,
               "AWS_ENDPOINT_URL": f"http://{host}:{port}", "STORAGE_URL": f"s3://{bucket}/portal"}
        boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=S3_REGION, aws_access_key_id="test",
                     aws_secret_access_key="test").create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
        yield env
    finally:
        server.stop()


@contextlib.contextmanager
def scaled_services() -> Iterator[dict[str, str]]:
    """Private PostgreSQL and Redis, and an S3 bucket; yields the settings pointing at them."""
    global services
    services = ScaledServices()
    try:
        services.postgres.start()
        services.redis.start()
        with moto_s3("portal-tests") as s3_env:
            yield {**s3_env, "DATABASE_URL": services.postgres.url, "REFLEX_REDIS_URL": services.redis.url}
    finally:
        services.redis.stop()
        services.postgres.remove()
        services = None
