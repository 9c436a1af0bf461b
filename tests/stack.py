"""The services a test run uses: embedded (SQLite, files, one worker) or scaled.

``PORTAL_TEST_STACK=scaled`` runs the tests against the scale-out configuration:
PostgreSQL on 127.0.0.1:5432 (a throwaway database), Redis on 127.0.0.1:6379 as
Reflex's state manager, S3 on a moto server started here, and two workers.
``scripts/test`` runs the live journeys a second time that way.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

SCALED = os.environ.get("PORTAL_TEST_STACK", "embedded") == "scaled"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
S3_REGION = "eu-central-1"
WORKERS = 2


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
    """A fresh Postgres database and an S3 bucket; yields the settings pointing at them."""
    from tests.pg import temporary_database

    with temporary_database() as database_url, moto_s3("portal-tests") as s3_env:
        yield {**s3_env, "DATABASE_URL": database_url, "REFLEX_REDIS_URL": REDIS_URL}
