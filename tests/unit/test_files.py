"""Receipt uploads: sniffed, capped, all or nothing; downloads: access-checked, never inline."""

import asyncio
import io
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from portal import realtime
from portal.api import build_api
from portal.domain.files import SNIFF_BYTES, safe_filename, sniff
from portal.services import auth, documents, receipts, talks, uploads
from portal.services.access import NotFound
from portal.settings import get_settings
from tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def _pdf_bytes() -> bytes:
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 100, 50)).save(out, format="PNG")
    return out.getvalue()


async def _chunks(data: bytes, size: int = 7):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _blobs() -> list[Path]:
    root = get_settings().blob_root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def talk(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    anna = factories.staff()
    account = factories.client(name="Beleg GmbH", accountants=(anna,), missing_receipts=1)
    maria = factories.contact(account=account)
    other = factories.contact(account=factories.client(name="Andere GmbH"), first="Otto")
    from sqlmodel import select

    from portal.models import Booking
    from portal.services import db

    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account.id)).one()
    thread_id = talks.start_talk(actor=factories.actor(anna), booking_id=booking_id, recipient_contact_id=None,
                                 internal=False, sender_name="", body="Beleg bitte")
    return {"anna": anna, "maria": maria, "other": other, "thread_id": thread_id}


def _upload(talk, data: bytes, name: str = "beleg.png", who: str = "maria"):
    return asyncio.run(receipts.upload_receipt(actor=factories.actor(talk[who]), thread_id=talk["thread_id"],
                                               filename=name, chunks=_chunks(data)))


@pytest.mark.parametrize("head, expected", [
    (PDF, "application/pdf"), (PNG, "image/png"), (b"\xff\xd8\xff\xe0" + b"0" * 40, "image/jpeg"),
    (b"\x00\x00\x00\x18ftypheic" + b"0" * 30, "image/heic"), (b"MZ\x90\x00" + b"0" * 40, None),
    (b"<svg xmlns='http://www.w3.org/2000/svg'>", "image/svg+xml"), (b"<html><script>", "text/html"),
    (b"", None), (b"GIF89a" + b"0" * 10, "image/gif"), (b"PK\x03\x04" + b"0" * 30, "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 8, "application/x-ole-storage"),
    (b"<?xml version='1.0'?><rsm:CrossIndustryInvoice>", "application/xml"),
    ("Datum;Betrag;Text\n01.11.2026;12,50;Büromaterial\n".encode("cp1252"), "text/plain"),
    ("Grüße aus Köln ".encode() * 40, "text/plain"),  # cut inside a multi-byte character
    (b"#!/bin/sh\nrm -rf /\n", None), (b"\x7fELF\x02\x01", None), (b"text\x00with nul", None),
])
def test_sniff_by_content(head, expected):
    assert sniff(head[:SNIFF_BYTES]) == expected


@pytest.mark.parametrize("name, content_type, shown", [
    ("Bilanz 2026.xlsx", "application/zip", "Bilanz 2026.xlsx"),
    ("Rechnung.pdf.exe", "application/zip", "Rechnung.pdf.exe.zip"),
    ("Konten.csv", "text/plain", "Konten.csv"),
    ("setup.exe", "text/plain", "setup.exe.txt"),
    ("Brief.doc", "application/x-ole-storage", "Brief.doc"),
    ("scan.TIFF", "image/tiff", "scan.TIFF"),
    ("foto.jpeg", "image/jpeg", "foto.jpeg"),
    ("logo.jpeg", "image/png", "logo.jpeg.png"),
])
def test_names_keep_an_extension_of_their_real_type_only(name, content_type, shown):
    assert safe_filename(name, content_type) == shown


@pytest.mark.parametrize("name, content_type, expected", [
    ("Rechnung.pdf", "application/pdf", "Rechnung.pdf"),
    ("../../etc/passwd", "application/pdf", "passwd.pdf"),
    ("C:\\Users\\a\\scan.JPG", "image/jpeg", "scan.jpg"),
    ("foto.jpeg", "image/jpeg", "foto.jpeg"),
    ("rechnung\u202egnp.exe", "image/png", "rechnunggnp.exe.png"),
    ("  .  ", "image/png", "datei.png"),
    ("a" * 300 + ".pdf", "application/pdf", "a" * 176 + ".pdf"),
])
def test_safe_filename(name, content_type, expected):
    assert safe_filename(name, content_type) == expected


def test_good_upload_is_stored_and_attached(talk):
    before = _blobs()
    message_id = _upload(talk, _png_bytes(), name="Kassenbon.png")
    view = talks.thread_view(actor=factories.actor(talk["anna"]), thread_id=talk["thread_id"])
    assert view.messages[-1].id == message_id
    assert [a.filename for a in view.receipts] == ["Kassenbon.png"]
    assert not view.booking.receipt_missing and len(_blobs()) == len(before) + 1


@pytest.mark.parametrize("data, key", [
    (b"MZ\x90\x00this is a windows program" * 3, "upload.error.type"),
    (b"<svg onload=alert(1)></svg>" * 3, "upload.error.type"),
    (b"", "upload.error.empty"),
])
def test_refused_uploads_leave_no_blob_and_no_row(talk, data, key):
    before = _blobs()
    with pytest.raises(receipts.UploadRefused, match=key):
        _upload(talk, data, name="rechnung.pdf")
    assert _blobs() == before
    view = talks.thread_view(actor=factories.actor(talk["anna"]), thread_id=talk["thread_id"])
    assert view.receipts == () and len(view.messages) == 1


def test_oversize_upload_is_refused_without_leftovers(talk, monkeypatch):
    import dataclasses

    from portal import settings as settings_module

    small = dataclasses.replace(get_settings(), max_upload_mb=1)
    monkeypatch.setattr(uploads, "get_settings", lambda: small)
    before = _blobs()
    with pytest.raises(receipts.UploadRefused, match="upload.error.too_large"):
        _upload(talk, PNG + b"0" * (1024 * 1024))
    assert _blobs() == before and settings_module.get_settings().max_upload_mb == 25


def test_upload_into_someone_elses_or_closed_talk_stores_nothing(talk):
    before = _blobs()
    with pytest.raises(NotFound):
        _upload(talk, PNG, who="other")
    talks.close_talk(actor=factories.actor(talk["anna"]), thread_id=talk["thread_id"])
    with pytest.raises(talks.TalkError, match="talk.error.closed"):
        _upload(talk, PNG)
    assert _blobs() == before


def test_previews_of_image_and_pdf(talk):
    _upload(talk, _png_bytes(), name="bild.png")
    _upload(talk, _pdf_bytes(), name="rechnung.pdf")
    anna = factories.actor(talk["anna"])
    view = talks.thread_view(actor=anna, thread_id=talk["thread_id"])
    for attachment in view.receipts:
        png = documents.preview_png(documents.readable_document(actor=anna, key=attachment.key))
        assert png.startswith(b"\x89PNG")


def test_download_route_checks_access_and_never_renders_inline(talk):
    _upload(talk, _png_bytes(), name="bild.png")
    key = talks.thread_view(actor=factories.actor(talk["anna"]), thread_id=talk["thread_id"]).receipts[0].key
    http = TestClient(build_api(), base_url="http://127.0.0.1")

    def as_user(user):
        token = auth.login(email=user.email, password=factories.PASSWORD).token
        http.cookies.set(auth.SESSION_COOKIE, auth.sign_session_token(token))

    assert http.get(f"/files/{key}").status_code == 404  # anonymous
    as_user(talk["other"])
    assert http.get(f"/files/{key}").status_code == 404  # another client's contact
    as_user(talk["maria"])
    response = http.get(f"/files/{key}")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    preview = http.get(f"/files/{key}/preview")
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/png"
    assert http.get("/files/not-a-real-key-0000000000").status_code == 404
