"""Blob store on Amazon S3 or an S3-compatible service (MinIO, Ceph, hosted offerings).

Only :func:`portal.storage.get_store` imports this module, and only for ``s3://``
storage URLs, so installs on local disk never load boto3.

Objects are written all or nothing: a blob smaller than one part is a single PUT,
anything larger a multipart upload that is completed only once the whole stream
arrived within its limit, and aborted on any failure or cancellation, so the bucket
keeps neither a partial object nor a dangling upload (which S3 would bill for).
A process that dies mid-upload leaves its multipart upload open;
:meth:`S3Store.remove_partials` (the orphan sweep) aborts those that stopped making
progress, and a bucket lifecycle rule "abort incomplete multipart uploads after 1 day"
is still worth having as a second net.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import threading
from collections.abc import AsyncIterable, Iterator
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from portal.storage import (
    BlobListing,
    BlobNotFound,
    BlobTooLarge,
    StoredBlob,
    check_key,
    check_max_bytes,
    is_key,
    new_key,
)

logger = logging.getLogger(__name__)

# S3 wants parts of at least 5 MiB (but the last); 8 MiB is boto3's own default. At
# most two parts' worth of memory per upload: the buffer and the part being sent.
PART_BYTES = 8 * 1024 * 1024
MAX_PARTS = 10_000
# With parts this size, 10,000 parts (S3's maximum) cap what one object can hold.
MAX_OBJECT_BYTES = PART_BYTES * MAX_PARTS
FILE_BLOCK_BYTES = 1024 * 1024
# Stored objects say "download me" by themselves, should one ever be served by S3 directly
# (the portal streams downloads through its own origin, see portal.api.files).
_OBJECT_HEADERS = {"ContentType": "application/octet-stream", "ContentDisposition": "attachment"}
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Store:
    """Blobs as objects ``<prefix>/<key>`` in one bucket.

    Args:
        bucket: Bucket name; it must exist and should not be public.
        prefix: Key prefix inside the bucket, ``/``-separated, may be empty.
        region: Region to sign requests for; empty = boto3's default.
        endpoint_url: S3-compatible endpoint; empty = AWS.
    """

    def __init__(self, *, bucket: str, prefix: str = "", region: str = "", endpoint_url: str = "") -> None:
        options: dict = {
            "signature_version": "s3v4",
            "retries": {"mode": "standard"},
            # Downloads into previews and DATEV exports hold a connection each while
            # uploads run; the default pool of 10 would churn connections.
            "max_pool_connections": 32,
        }
        if endpoint_url:
            # Other S3 implementations commonly need path-style bucket addressing and
            # reject the CRC checksums botocore sends by default since 1.36.
            options.update(s3={"addressing_style": "path"},
                           request_checksum_calculation="when_required",
                           response_checksum_validation="when_required")
        # A session of its own: boto3's default session is not safe to share across threads.
        self._client = boto3.session.Session().client(
            "s3", region_name=region or None, endpoint_url=endpoint_url or None, config=Config(**options))
        self._bucket = bucket
        self._prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""

    def _object_name(self, key: str) -> str:
        """Return the S3 object key of a blob key, refusing malformed keys (ValueError)."""
        return self._prefix + check_key(key)

    async def put_stream(self, chunks: AsyncIterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Store a stream under a new random key, all or nothing.

        Parts go out from worker threads, so the event loop keeps serving while they
        upload; the stream is not read further until the previous part is sent.

        Args:
            chunks: The content, in pieces of any size.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: As soon as the stream grows past ``max_bytes`` (or past
                what one object can hold, :data:`MAX_OBJECT_BYTES`).
            ValueError: If ``max_bytes`` is negative.
        """
        upload = self._begin(max_bytes)
        try:
            async for chunk in chunks:
                if upload.add(chunk):
                    await asyncio.to_thread(upload.send_part)
            return await asyncio.to_thread(upload.finish)
        except BaseException:
            # BaseException: a cancelled upload (client gone) must not leave an upload
            # behind either. In a thread, as it may wait for a part still in flight.
            await asyncio.to_thread(upload.abort)
            raise

    def put_file(self, file: BinaryIO, *, max_bytes: int) -> StoredBlob:
        """Store a readable binary file under a new random key, all or nothing.

        Synchronous, for code that already runs in a worker thread; reads ``file``
        from its current position to the end.

        Args:
            file: The content.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: As soon as the file turns out longer than ``max_bytes``.
            ValueError: If ``max_bytes`` is negative.
        """
        return self._write_file(self._begin(max_bytes), file)

    def put_file_as(self, key: str, file: BinaryIO, *, max_bytes: int) -> StoredBlob:
        """Store a readable binary file under a key chosen earlier, all or nothing.

        For restoring a backup, whose rows name their blobs' keys. An object already
        stored under ``key`` is replaced: the caller checks first.

        Args:
            key: The blob's key, shaped like one :func:`~portal.storage.new_key` makes.
            file: The content, read from its current position to the end.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: As soon as the file turns out longer than ``max_bytes``.
            ValueError: If the key is malformed or ``max_bytes`` negative.
        """
        return self._write_file(self._begin(max_bytes, key), file)

    @staticmethod
    def _write_file(upload: _Upload, file: BinaryIO) -> StoredBlob:
        try:
            while block := file.read(FILE_BLOCK_BYTES):
                if upload.add(block):
                    upload.send_part()
            return upload.finish()
        except BaseException:
            upload.abort()
            raise

    def open(self, key: str) -> BinaryIO:
        """Open a blob for reading, streamed from S3 as it is read.

        The stream cannot seek; close it (or use ``with``) to free the connection.

        Raises:
            BlobNotFound: If no blob has this key.
            ValueError: If the key is malformed.
        """
        name = self._object_name(key)
        try:
            return self._client.get_object(Bucket=self._bucket, Key=name)["Body"]
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise BlobNotFound(key) from exc
            raise

    def delete(self, key: str) -> None:
        """Remove a blob; a missing key is not an error (S3 deletes are idempotent).

        Raises:
            ValueError: If the key is malformed.
        """
        self._client.delete_object(Bucket=self._bucket, Key=self._object_name(key))

    def size(self, key: str) -> int:
        """Return a blob's length in bytes.

        Raises:
            BlobNotFound: If no blob has this key.
            ValueError: If the key is malformed.
        """
        name = self._object_name(key)
        try:
            return self._client.head_object(Bucket=self._bucket, Key=name)["ContentLength"]
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise BlobNotFound(key) from exc
            raise

    def list_blobs(self) -> Iterator[BlobListing]:
        """Every object under the prefix that is named like a blob, with its last-modified time."""
        pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=self._prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"][len(self._prefix):]
                if is_key(key):
                    yield BlobListing(key=key, modified_at=obj["LastModified"])

    def remove_partials(self, *, idle_before: dt.datetime) -> int:
        """Abort the multipart uploads under the prefix that made no progress since ``idle_before``.

        S3 cannot say whether a writer is still alive, so progress decides: an upload
        started, or last given a part, before ``idle_before`` counts as abandoned.

        Returns:
            How many uploads were aborted.
        """
        aborted = 0
        pages = self._client.get_paginator("list_multipart_uploads").paginate(Bucket=self._bucket,
                                                                             Prefix=self._prefix)
        for page in pages:
            for upload in page.get("Uploads", []):
                name, upload_id = upload["Key"], upload["UploadId"]
                if not is_key(name[len(self._prefix):]) or self._last_progress(name, upload) >= idle_before:
                    continue
                try:
                    self._client.abort_multipart_upload(Bucket=self._bucket, Key=name, UploadId=upload_id)
                except ClientError as exc:
                    if _error_code(exc) != "NoSuchUpload":  # finished or aborted meanwhile
                        raise
                    continue
                aborted += 1
        return aborted

    def _last_progress(self, name: str, upload: dict) -> dt.datetime:
        last = upload["Initiated"]
        pages = self._client.get_paginator("list_parts").paginate(Bucket=self._bucket, Key=name,
                                                                  UploadId=upload["UploadId"])
        try:
            for page in pages:
                for part in page.get("Parts", []):
                    last = max(last, part["LastModified"])
        except ClientError as exc:
            if _error_code(exc) != "NoSuchUpload":
                raise
        return last

    def _begin(self, max_bytes: int, key: str | None = None) -> _Upload:
        check_max_bytes(max_bytes)
        key = new_key() if key is None else key
        return _Upload(self._client, self._bucket, key, self._object_name(key), min(max_bytes, MAX_OBJECT_BYTES))


class _Upload:
    """One object being written: counted, buffered into parts, hashed, then completed or aborted.

    :meth:`add` runs on the caller's side and only buffers; the methods that talk to
    S3 run in worker threads when called from :meth:`S3Store.put_stream`. The lock
    matters on cancellation: :meth:`abort` may be called while a part upload is
    still in flight in another thread, and S3 keeps (and bills) a part that lands
    after its upload was aborted; so abort waits for it, and nothing starts after.
    """

    def __init__(self, client, bucket: str, key: str, name: str, limit: int) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._name = name
        self._limit = limit
        self._size = 0
        self._buffer = bytearray()
        self._hash = hashlib.sha256()
        self._upload_id: str | None = None
        self._parts: list[dict] = []
        self._lock = threading.Lock()
        self._state = "open"  # then "complete" or "aborted"

    def add(self, chunk: bytes) -> bool:
        """Count and buffer a chunk; return whether a full part is waiting to be sent.

        Raises:
            BlobTooLarge: As soon as the total passes the limit.
        """
        self._size += len(chunk)
        if self._size > self._limit:
            raise BlobTooLarge(self._limit)
        self._buffer += chunk
        return len(self._buffer) >= PART_BYTES

    def send_part(self) -> None:
        """Upload the buffer as the next part, starting the multipart upload if needed."""
        with self._lock:
            self._check_open()
            self._send_buffer()

    def finish(self) -> StoredBlob:
        """Write what is buffered and make the object visible."""
        with self._lock:
            self._check_open()
            if self._upload_id is None:
                data = self._take()
                self._client.put_object(Bucket=self._bucket, Key=self._name, Body=data, **_OBJECT_HEADERS)
            else:
                if self._buffer:
                    self._send_buffer()
                self._client.complete_multipart_upload(Bucket=self._bucket, Key=self._name,
                                                       UploadId=self._upload_id,
                                                       MultipartUpload={"Parts": self._parts})
            self._state = "complete"
        return StoredBlob(key=self._key, size=self._size, sha256=self._hash.hexdigest())

    def abort(self) -> None:
        """Remove what this upload left: the multipart upload, or the object if a
        cancelled :meth:`finish` completed it after all.

        Errors are logged, not raised: the caller is already failing with the error
        that matters.
        """
        with self._lock:
            state, self._state = self._state, "aborted"
            try:
                if state == "complete":
                    self._client.delete_object(Bucket=self._bucket, Key=self._name)
                elif self._upload_id is not None:
                    self._client.abort_multipart_upload(Bucket=self._bucket, Key=self._name,
                                                        UploadId=self._upload_id)
            except Exception:
                # Any failure here (network, credentials) must not hide the caller's error.
                logger.exception("Could not clean up S3 object %s (multipart upload %s) in bucket %s.",
                                 self._name, self._upload_id, self._bucket)

    def _check_open(self) -> None:
        # A thread that was queued before abort() ran must not start a new upload.
        if self._state != "open":
            raise RuntimeError(f"The upload of {self._name} was already {self._state}.")

    def _take(self) -> bytearray:
        # Hand the buffer over rather than copy it: a part is the bulk of the memory.
        data, self._buffer = self._buffer, bytearray()
        self._hash.update(data)
        return data

    def _send_buffer(self) -> None:
        data = self._take()
        if self._upload_id is None:
            self._upload_id = self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._name, **_OBJECT_HEADERS)["UploadId"]
        number = len(self._parts) + 1
        response = self._client.upload_part(Bucket=self._bucket, Key=self._name, UploadId=self._upload_id,
                                            PartNumber=number, Body=data)
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
