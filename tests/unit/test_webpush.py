"""Web Push: VAPID keys, subscriptions, encrypted sending, who is notified, the API.

Sending goes to a local HTTP server on 127.0.0.1 standing in for the push service.
The test settings (PORTAL_ENV=test) accept ``http://127.0.0.1`` endpoints; production
refuses them (tested below), so nothing in the service is weakened for the tests.
"""

import base64
import dataclasses
import json
import logging
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from sqlalchemy import func
from sqlmodel import SQLModel, select
from starlette.testclient import TestClient

from portal import routes
from portal.api import build_api
from portal.api import push as push_api
from portal.domain import push
from portal.domain.enums import Role, SessionScope, SubjectKind
from portal.models import AccountContact, Booking, Contact, Message, PushSubscription, ServerKey, StaffUser, Thread
from portal.services import auth, conversations, db, talks, webpush
from portal.services.access import AccessDenied, NotFound
from portal.settings import get_settings
from tests import factories
from tests.pg import temporary_database

actor_of = factories.actor


# A push service on 127.0.0.1


class _PushService(BaseHTTPRequestHandler):
    """Records each request; the path's last segment picks the answer (e.g. /send/410)."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.server.received.append({"path": self.path, "headers": dict(self.headers),
                                     "body": self.rfile.read(length)})
        status = int(self.path.rsplit("/", 1)[-1])
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PushService)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _endpoint(server, status: int = 201, device: str = "a") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/send/{device}/{status}"


@dataclasses.dataclass
class Browser:
    """What a browser keeps for one subscription: its private key and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                         serialization.PublicFormat.UncompressedPoint)
        return push.b64url_encode(raw)

    @property
    def auth(self) -> str:
        return push.b64url_encode(self.auth_secret)


def _browser() -> Browser:
    return Browser(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))


@pytest.fixture
def people(fresh_db):
    factories.firm(name="Steuerkanzlei Berger & Partner")
    anna = factories.staff(name="Anna Schmidt")
    jonas = factories.staff(name="Jonas Weber")
    admin = factories.staff(name="Katrin Berger", role=Role.ADMIN)
    bakery = factories.client(name="Bäckerei Hofmann GmbH", accountants=(anna,), missing_receipts=2)
    unassigned = factories.client(name="Café ohne Betreuung UG", missing_receipts=1)
    maria = factories.contact(account=bakery, first="Maria")
    thomas = factories.contact(account=bakery, first="Thomas")
    lena = factories.contact(account=unassigned, first="Lena")
    with db.session() as s:
        booking_ids = s.exec(select(Booking.id).where(Booking.account_id == bakery.id).order_by(Booking.id)).all()
        cafe_booking = s.exec(select(Booking.id).where(Booking.account_id == unassigned.id)).one()
    return {"anna": actor_of(anna), "jonas": actor_of(jonas), "admin": actor_of(admin), "maria": actor_of(maria),
            "thomas": actor_of(thomas), "lena": actor_of(lena), "bakery": bakery, "cafe": unassigned,
            "bookings": booking_ids, "cafe_booking": cafe_booking}


def _subscribe(actor, endpoint: str, browser: Browser | None = None, device: str = "Chrome · Android") -> int:
    browser = browser or _browser()
    return webpush.subscribe(actor=actor, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth, device=device)


def _rows() -> list[PushSubscription]:
    with db.session() as s:
        return list(s.exec(select(PushSubscription).order_by(PushSubscription.id)).all())


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


# Keys


def test_vapid_key_is_created_once_and_is_an_uncompressed_p256_point(fresh_db):
    first = webpush.public_key()
    assert webpush.public_key() == first
    raw = _b64decode(first)
    assert len(raw) == 65 and raw[0] == 0x04 and "=" not in first
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(ServerKey)).one() == 1


def test_a_key_stored_by_another_worker_meanwhile_wins(fresh_db, monkeypatch):
    """The insert loses the race: the service reads the winner's key instead of failing."""
    theirs = webpush._new_private_pem()
    mine = webpush._new_private_pem

    def competing_worker_stores_first() -> str:
        with db.session() as s:
            s.add(ServerKey(name=webpush.VAPID_KEY, value=theirs))
            s.commit()
        return mine()

    monkeypatch.setattr(webpush, "_new_private_pem", competing_worker_stores_first)
    key = webpush.public_key()
    expected = serialization.load_pem_private_key(theirs.encode(), password=None).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert _b64decode(key) == expected


def _first_use_from_threads(monkeypatch, count: int = 4) -> list[str]:
    barrier = threading.Barrier(count)
    generate = webpush._new_private_pem

    def generate_in_step() -> str:
        # Everyone has seen "no key yet" before anyone inserts: the race at its worst.
        barrier.wait(timeout=10)
        return generate()

    monkeypatch.setattr(webpush, "_new_private_pem", generate_in_step)
    keys: list[str] = []
    errors: list[BaseException] = []

    def worker():
        try:
            keys.append(webpush.public_key())
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return keys


def test_concurrent_first_use_agrees_on_one_key_sqlite(fresh_db, monkeypatch):
    keys = _first_use_from_threads(monkeypatch)
    assert len(keys) == 4 and len(set(keys)) == 1
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(ServerKey)).one() == 1


def test_concurrent_first_use_agrees_on_one_key_postgres(monkeypatch):
    with temporary_database() as url:
        engine = db.make_engine(url)
        try:
            SQLModel.metadata.create_all(engine, tables=[ServerKey.__table__])
            monkeypatch.setattr(db, "get_engine", lambda: engine)
            keys = _first_use_from_threads(monkeypatch)
            assert len(keys) == 4 and len(set(keys)) == 1
        finally:
            engine.dispose()


# Subscribing


def test_subscribe_stores_and_lists_the_device(people):
    browser = _browser()
    sid = _subscribe(people["maria"], "https://fcm.googleapis.com/fcm/send/abc", browser)
    devices = webpush.list_devices(actor=people["maria"])
    assert [(d.id, d.device, d.endpoint) for d in devices] == [(sid, "Chrome · Android",
                                                                "https://fcm.googleapis.com/fcm/send/abc")]
    assert webpush.list_devices(actor=people["thomas"]) == []
    row = _rows()[0]
    assert (row.subject_kind, row.subject_id, row.p256dh, row.auth) == ("contact", people["maria"].id,
                                                                        browser.p256dh, browser.auth)


def test_subscribing_again_updates_and_another_user_takes_the_endpoint_over(people):
    endpoint = "https://updates.push.services.mozilla.com/wpush/v2/xyz"
    first = _subscribe(people["maria"], endpoint)
    newer = _browser()
    assert _subscribe(people["maria"], endpoint, newer, device="Firefox · Windows") == first
    assert [(r.p256dh, r.device) for r in _rows()] == [(newer.p256dh, "Firefox · Windows")]
    # Thomas logs in on the same browser and switches pushes on: Maria's pushes stop there.
    assert _subscribe(people["thomas"], endpoint) == first
    assert webpush.list_devices(actor=people["maria"]) == []
    assert [d.id for d in webpush.list_devices(actor=people["thomas"])] == [first]


@pytest.mark.parametrize("endpoint, reason", [
    ("http://fcm.googleapis.com/fcm/send/abc", "endpoint scheme"),
    ("https://127.0.0.1/send", "endpoint host"),
    ("https://[::1]/send", "endpoint host"),
    ("https://10.0.0.5/send", "endpoint host"),
    ("https://localhost/send", "endpoint host"),
    ("https://intranet/send", "endpoint host"),
    ("https://printer.local/send", "endpoint host"),
    ("https://fcm.googleapis.com:8443/send", "endpoint port"),
    ("https://user:pw@fcm.googleapis.com/send", "endpoint syntax"),
    ("https://fcm.googleapis.com/send\n", "endpoint characters"),
    ("ftp://fcm.googleapis.com/send", "endpoint scheme"),
    ("https://fcm.googleapis.com/" + "a" * 2000, "endpoint length"),
    ("", "endpoint length"),
])
def test_endpoints_a_push_service_would_not_have(endpoint, reason):
    assert push.endpoint_problem(endpoint, allow_loopback_http=False) == reason
    assert push.endpoint_problem("https://fcm.googleapis.com/fcm/send/abc", allow_loopback_http=False) is None


def test_loopback_http_only_where_allowed():
    assert push.endpoint_problem("http://127.0.0.1:8123/x", allow_loopback_http=True) is None
    assert push.endpoint_problem("http://127.0.0.1:8123/x", allow_loopback_http=False) == "endpoint scheme"
    assert push.endpoint_problem("http://10.1.1.1/x", allow_loopback_http=True) == "endpoint scheme"


def test_production_refuses_an_http_endpoint(people, push_service, monkeypatch):
    endpoint = _endpoint(push_service)
    _subscribe(people["maria"], endpoint)  # the test settings allow the local stand-in
    production = dataclasses.replace(get_settings(), env="production")
    monkeypatch.setattr(webpush, "get_settings", lambda: production)
    with pytest.raises(webpush.PushError, match="push.error.subscription"):
        _subscribe(people["thomas"], _endpoint(push_service, device="b"))


def test_keys_must_have_the_right_size_and_shape(people):
    good = _browser()
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    other_curve = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    not_on_curve = b"\x04" + b"\x01" * 64
    cases = [
        (push.b64url_encode(other_curve), good.auth, "p256dh"),
        (push.b64url_encode(not_on_curve), good.auth, "p256dh"),
        (good.p256dh[:-4], good.auth, "p256dh"),
        (good.p256dh.replace("-", "+").replace("_", "/") + "+/", good.auth, "p256dh"),
        ("not base64!", good.auth, "p256dh"),
        (good.p256dh, push.b64url_encode(os.urandom(15)), "auth"),
        (good.p256dh, push.b64url_encode(os.urandom(32)), "auth"),
        (good.p256dh, "", "auth"),
    ]
    for p256dh, auth_secret, reason in cases:
        assert push.key_problem(p256dh, auth_secret) == reason, (p256dh, auth_secret)
        with pytest.raises(webpush.PushError):
            webpush.subscribe(actor=people["maria"], endpoint=endpoint, p256dh=p256dh, auth=auth_secret, device="")
    assert push.key_problem(good.p256dh, good.auth) is None
    assert push.key_problem(good.p256dh + "=", good.auth + "==") is None  # padded is fine too
    assert _rows() == []


def test_email_link_sessions_may_not_manage_devices(people):
    link_session = dataclasses.replace(people["maria"], scope=SessionScope.TALK)
    with pytest.raises(AccessDenied):
        _subscribe(link_session, "https://fcm.googleapis.com/fcm/send/abc")
    with pytest.raises(AccessDenied):
        webpush.list_devices(actor=link_session)


def test_unsubscribe_only_ones_own(people):
    mine = _subscribe(people["maria"], "https://fcm.googleapis.com/fcm/send/maria")
    with pytest.raises(NotFound):
        webpush.unsubscribe(actor=people["thomas"], subscription_id=mine)
    with pytest.raises(NotFound):
        webpush.unsubscribe(actor=people["anna"], subscription_id=mine)  # same id, other kind of user
    with pytest.raises(NotFound):
        webpush.unsubscribe(actor=people["maria"], subscription_id=mine + 1000)
    assert len(_rows()) == 1
    webpush.unsubscribe(actor=people["maria"], subscription_id=mine)
    assert _rows() == []


def test_devices_beyond_the_limit_drop_the_longest_unused(people, monkeypatch):
    monkeypatch.setattr(webpush, "MAX_DEVICES", 3)
    ids = [_subscribe(people["maria"], f"https://fcm.googleapis.com/fcm/send/{i}") for i in range(3)]
    with db.session() as s:
        s.get(PushSubscription, ids[0]).last_used_at = webpush.utcnow()  # the oldest, but in use
        s.commit()
    newest = _subscribe(people["maria"], "https://fcm.googleapis.com/fcm/send/new")
    assert sorted(r.id for r in _rows()) == sorted([ids[0], ids[2], newest])


def test_device_labels():
    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1"
    edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0"
    firefox = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0"
    assert push.device_label(android) == "Chrome · Android"
    assert push.device_label(iphone) == "Safari · iPhone"
    assert push.device_label(edge) == "Edge · Windows"
    assert push.device_label(firefox) == "Firefox · macOS"
    assert push.device_label("") == "" and push.device_label("curl/8.0") == ""
    assert push.clean_label("a\nb\x00c " + "x" * 300) == ("a b c " + "x" * 300)[:200]


# Sending


def _decrypt(request: dict, browser: Browser) -> dict:
    plain = http_ece.decrypt(request["body"], private_key=browser.private_key, auth_secret=browser.auth_secret,
                             version="aes128gcm")
    return json.loads(plain)


def _verified_claims(authorization: str) -> dict:
    """Check the VAPID header (RFC 8292) against the server's published key; return its claims."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert fields["k"] == webpush.public_key()
    header, claims, signature = fields["t"].split(".")
    raw = _b64decode(signature)
    assert len(raw) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64decode(fields["k"]))
    public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                  f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(_b64decode(header)) == {"typ": "JWT", "alg": "ES256"}
    return json.loads(_b64decode(claims))


def test_notify_encrypts_the_payload_for_the_device_and_signs_with_vapid(people, push_service):
    browser = _browser()
    endpoint = _endpoint(push_service)
    _subscribe(people["maria"], endpoint, browser)
    sent = webpush.notify(recipients=[("contact", people["maria"].id)], title="Steuerkanzlei Berger & Partner",
                          body="Neue Nachricht zu Ihrer Buchung vom 03.11.2026", url="/portal?thread=7",
                          tag="thread-7")
    assert sent == 1
    [request] = push_service.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["ttl"] == str(webpush.TTL_SECONDS)
    assert headers["urgency"] == "normal"
    assert b"Buchung" not in request["body"]  # encrypted on the wire
    assert _decrypt(request, browser) == {"title": "Steuerkanzlei Berger & Partner",
                                          "body": "Neue Nachricht zu Ihrer Buchung vom 03.11.2026",
                                          "url": "/portal?thread=7", "tag": "thread-7"}
    claims = _verified_claims(headers["authorization"])
    assert claims["aud"] == f"http://127.0.0.1:{push_service.server_address[1]}"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"] == f"mailto:{get_settings().mail_from}"
    assert _rows()[0].last_used_at is not None


def test_a_forged_signature_is_detected(fresh_db):
    """The header check above can fail: a signature from another key does not verify."""
    header = push.b64url_encode(b'{"typ":"JWT","alg":"ES256"}')
    claims = push.b64url_encode(b'{"aud":"http://127.0.0.1"}')
    stranger = ec.generate_private_key(ec.SECP256R1())
    r, s = decode_dss_signature(stranger.sign(f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256())))
    token = f"{header}.{claims}.{push.b64url_encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    with pytest.raises(InvalidSignature):
        _verified_claims(f"vapid t={token},k={webpush.public_key()}")


@pytest.fixture
def keyed(people):
    webpush.public_key()  # created before the test's own requests
    return people


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_the_push_service_forgot_is_removed(keyed, push_service, status):
    _subscribe(keyed["maria"], _endpoint(push_service, status))
    kept = _subscribe(keyed["maria"], _endpoint(push_service, 201, device="b"))
    assert webpush.notify(recipients=[("contact", keyed["maria"].id)], title="t", body="b", url="/portal") == 1
    assert [r.id for r in _rows()] == [kept]


def test_other_failures_keep_the_device_and_are_logged(keyed, push_service, caplog):
    _subscribe(keyed["maria"], _endpoint(push_service, 500))
    # Nothing listens on this port: a connection error, not an HTTP answer.
    _subscribe(keyed["maria"], f"http://127.0.0.1:{_closed_port()}/send/c/201")
    with caplog.at_level(logging.WARNING, logger="portal.webpush"):
        assert webpush.notify(recipients=[("contact", keyed["maria"].id)], title="t", body="b", url="/") == 0
    assert len(_rows()) == 2 and all(r.last_used_at is None for r in _rows())
    messages = [r.getMessage() for r in caplog.records]
    assert any("HTTP 500" in m for m in messages)
    assert any("ConnectionError" in m for m in messages)
    assert not any("/send/" in m for m in messages)  # endpoint paths are capabilities


def _closed_port() -> int:
    """A loopback port that was free a moment ago (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_notify_without_devices_makes_no_key_and_no_request(people, push_service):
    assert webpush.notify(recipients=[("contact", people["maria"].id)], title="t", body="b", url="/") == 0
    assert webpush.notify(recipients=[], title="t", body="b", url="/") == 0
    assert push_service.received == []
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(ServerKey)).one() == 0


# Who is notified


def _everyone_has_a_device(people):
    for name in ("anna", "jonas", "admin", "maria", "thomas", "lena"):
        _subscribe(people[name], f"https://fcm.googleapis.com/fcm/send/{name}")


@pytest.fixture
def recorded(monkeypatch):
    """Pushes handed to the background pool, with whether their message was committed by then."""
    sent: list[tuple[webpush.Push, bool]] = []

    class Pool:
        def submit(self, fn, pushes):
            for item in pushes:
                with db.session() as s:  # a separate connection sees only committed rows
                    committed = s.exec(select(func.count()).select_from(Message)).one() > 0
                sent.append((item, committed))

    monkeypatch.setattr(webpush, "_executor", Pool())
    return sent


def test_a_firm_message_reaches_client_readers_with_notify_on(people, recorded):
    _everyone_has_a_device(people)
    with db.session() as s:
        s.get(AccountContact, (people["bakery"].id, people["thomas"].id)).notify = False
        s.get(Contact, people["maria"].id).locale = "en"
        s.get(Contact, people["maria"].id).email_notices = False  # email only; pushes still go
        s.commit()
    thread_id = talks.start_talk(actor=people["anna"], booking_id=people["bookings"][0], recipient_contact_id=None,
                                 internal=False, sender_name="Anna", body="Bitte Beleg hochladen.")
    [(item, committed)] = recorded
    assert committed
    assert item.recipients == (("contact", people["maria"].id),)
    assert item.title == "Steuerkanzlei Berger & Partner"
    assert item.body == "New message about your booking of 2 Nov 2026"
    assert item.url == routes.with_thread(routes.PORTAL, thread_id) == f"/portal?thread={thread_id}"
    assert item.tag == f"thread-{thread_id}"
    assert "Beleg" not in json.dumps(dataclasses.asdict(item))  # never the message text


def test_a_client_message_reaches_the_assigned_accountant_in_german(people, recorded):
    _everyone_has_a_device(people)
    thread_id = talks.start_talk(actor=people["anna"], booking_id=people["bookings"][1], recipient_contact_id=None,
                                 internal=False, sender_name="Anna", body="Frage")
    recorded.clear()
    talks.post_message(actor=people["maria"], thread_id=thread_id, body="Der Beleg kommt morgen.")
    [(item, committed)] = recorded
    assert committed and item.recipients == (("staff", people["anna"].id),)
    assert item.body == "Bäckerei Hofmann GmbH: neue Nachricht zur Buchung vom 03.11.2026"
    assert item.url == f"/staff/inbox?thread={thread_id}"


def test_a_client_message_without_assignment_reaches_the_admins(people, recorded):
    _everyone_has_a_device(people)
    thread_id = conversations.start_conversation(actor=people["lena"], account_id=people["cafe"].id,
                                                 subject="Umsatzsteuer Q3", body="Anbei die Unterlagen.")
    [(item, _)] = recorded
    assert item.recipients == (("staff", people["admin"].id),)
    assert item.body == "Café ohne Betreuung UG: neue Nachricht – Umsatzsteuer Q3"
    assert item.url == routes.with_thread(routes.STAFF_INBOX, thread_id)


def test_a_firm_conversation_names_its_subject_and_opens_the_messages_page(people, recorded):
    _everyone_has_a_device(people)
    thread_id = conversations.start_conversation(actor=people["anna"], account_id=people["bakery"].id,
                                                 subject="Jahresabschluss 2026", body="Bitte prüfen.",
                                                 private_contact_id=people["thomas"].id)
    [(item, _)] = recorded
    assert item.recipients == (("contact", people["thomas"].id),)  # private: only the addressee
    assert item.body == "Neue Nachricht: Jahresabschluss 2026"
    assert item.url == f"/portal/messages?thread={thread_id}"


def test_internal_threads_and_users_without_devices_get_nothing(people, recorded):
    talks.start_talk(actor=people["anna"], booking_id=people["bookings"][0], recipient_contact_id=None,
                     internal=False, sender_name="Anna", body="Frage")
    assert recorded == []  # nobody has a device yet
    _everyone_has_a_device(people)
    internal = talks.start_talk(actor=people["anna"], booking_id=people["bookings"][1], recipient_contact_id=None,
                                internal=True, sender_name="Anna", body="Nur intern")
    talks.post_message(actor=people["anna"], thread_id=internal, body="Notiz")
    assert recorded == []
    # Even when handed recipients, an internal thread notifies nobody.
    with db.session() as s:
        thread, message = s.get(Thread, internal), s.exec(select(Message).where(Message.thread_id == internal)).first()
        everyone = [("contact", people["maria"].id), ("staff", people["jonas"].id)]
        assert webpush.message_pushes(s, thread=thread, message=message, recipients=everyone) == []


def test_a_message_that_rolls_back_sends_nothing(people, recorded, monkeypatch):
    _everyone_has_a_device(people)

    def refuse(*args, **kwargs):
        raise RuntimeError("storage down")

    # Fails after add_message queued the push, before the commit.
    monkeypatch.setattr(talks, "rooms_for", refuse)
    with pytest.raises(RuntimeError):
        talks.start_talk(actor=people["anna"], booking_id=people["bookings"][0], recipient_contact_id=None,
                         internal=False, sender_name="Anna", body="Frage")
    assert recorded == []


def test_pushes_of_a_rolled_back_transaction_stay_unsent_when_the_session_goes_on(people, recorded):
    item = webpush.Push(recipients=(("contact", people["maria"].id),), title="t", body="b", url="/", tag="")
    with db.session() as s:
        s.add(StaffUser(email="gone@example.test", name="Verworfen", role=Role.ACCOUNTANT))
        s.flush()
        webpush.send_after_commit(s, [item])
        s.rollback()
        s.add(StaffUser(email="later@example.test", name="Später", role=Role.ACCOUNTANT))
        s.commit()
        assert recorded == []
        webpush.send_after_commit(s, [item])
        s.commit()
        s.commit()  # nothing queued twice
    assert [pushed for pushed, _ in recorded] == [item]


def test_the_pool_gets_pushes_only_after_commit_and_sends_them(people, push_service, monkeypatch):
    """End to end through the real pool: post, then the device receives the encrypted notice."""
    browser = _browser()
    _subscribe(people["anna"], _endpoint(push_service), browser)
    thread_id = talks.start_talk(actor=people["anna"], booking_id=people["bookings"][0], recipient_contact_id=None,
                                 internal=False, sender_name="Anna", body="Frage")
    talks.post_message(actor=people["maria"], thread_id=thread_id, body="Antwort mit Steuerdaten")
    # Wait until the pool recorded the delivery: then it is done with this test's database.
    deadline = time.monotonic() + 15
    while _rows()[0].last_used_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    [request] = push_service.received
    payload = _decrypt(request, browser)
    assert payload["url"] == f"/staff/inbox?thread={thread_id}"
    assert "Steuerdaten" not in json.dumps(payload)


# API


@pytest.fixture
def http(people, monkeypatch):
    # User ids repeat between tests' databases: each test starts with an empty rate window.
    monkeypatch.setattr(push_api, "_limit", push_api._RateLimit(push_api.RATE_LIMIT, push_api.RATE_WINDOW_SECONDS))
    return TestClient(build_api(), base_url="http://127.0.0.1")


ORIGIN = {"Origin": "http://127.0.0.1:3000"}  # BASE_URL of the test settings


def _log_in(http, user) -> None:
    with db.session() as s:
        email = (s.get(Contact, user.id) if user.kind == SubjectKind.CONTACT else s.get(StaffUser, user.id)).email
    token = auth.login(email=email, password=factories.PASSWORD).token
    http.cookies.set(auth.SESSION_COOKIE, auth.sign_session_token(token))


def _subscription_json(endpoint="https://fcm.googleapis.com/fcm/send/api", browser=None) -> dict:
    browser = browser or _browser()
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}


def test_public_key_route(http):
    answer = http.get(routes.API_PUSH_KEY)
    assert answer.status_code == 200 and answer.json() == {"publicKey": webpush.public_key()}
    assert answer.headers["cache-control"] == "no-cache"


def test_subscribe_route_needs_a_session(http):
    answer = http.post(routes.API_PUSH_SUBSCRIPTIONS, json=_subscription_json(), headers=ORIGIN)
    assert answer.status_code == 401
    assert http.delete(routes.push_subscription(1), headers=ORIGIN).status_code == 401
    assert _rows() == []


def test_subscribe_route_stores_the_device_with_its_user_agent(http, people):
    _log_in(http, people["maria"])
    android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
    answer = http.post(routes.API_PUSH_SUBSCRIPTIONS, json=_subscription_json(),
                       headers={**ORIGIN, "User-Agent": android})
    assert answer.status_code == 201
    [device] = webpush.list_devices(actor=people["maria"])
    assert answer.json() == {"id": device.id} and device.device == "Chrome · Android"


def test_subscribe_route_takes_json_only_from_the_portal_itself(http, people):
    _log_in(http, people["maria"])
    body = json.dumps(_subscription_json())
    form = http.post(routes.API_PUSH_SUBSCRIPTIONS, content=body,
                     headers={**ORIGIN, "Content-Type": "text/plain"})
    assert form.status_code == 415
    foreign = http.post(routes.API_PUSH_SUBSCRIPTIONS, content=body,
                        headers={"Origin": "https://evil.example", "Content-Type": "application/json"})
    assert foreign.status_code == 403
    sibling = http.post(routes.API_PUSH_SUBSCRIPTIONS, content=body,
                        headers={"Origin": "http://127.0.0.1:3001", "Content-Type": "application/json"})
    assert sibling.status_code == 403
    missing = http.post(routes.API_PUSH_SUBSCRIPTIONS, content=body, headers={"Content-Type": "application/json"})
    assert missing.status_code == 403
    # The origin the request was addressed to counts as the portal too.
    own_host = http.post(routes.API_PUSH_SUBSCRIPTIONS, content=body,
                         headers={"Origin": "http://127.0.0.1", "Content-Type": "application/json"})
    assert own_host.status_code == 201
    assert len(_rows()) == 1


def test_subscribe_route_refuses_large_and_malformed_bodies(http, people):
    _log_in(http, people["maria"])
    padded = _subscription_json() | {"padding": "x" * push_api.MAX_BODY_BYTES}
    assert http.post(routes.API_PUSH_SUBSCRIPTIONS, json=padded, headers=ORIGIN).status_code == 413
    for broken in (b"{", b"[]", b"\xff\xfe", json.dumps({"endpoint": 5}).encode(),
                   json.dumps(_subscription_json("http://fcm.googleapis.com/x")).encode()):
        answer = http.post(routes.API_PUSH_SUBSCRIPTIONS, content=broken,
                           headers={**ORIGIN, "Content-Type": "application/json"})
        assert answer.status_code == 400, broken
    assert _rows() == []


def test_subscribe_route_is_rate_limited_per_user(http, people, monkeypatch):
    monkeypatch.setattr(push_api, "_limit", push_api._RateLimit(limit=2, window=60))
    _log_in(http, people["maria"])
    codes = [http.post(routes.API_PUSH_SUBSCRIPTIONS, json=_subscription_json(f"https://fcm.googleapis.com/x/{i}"),
                       headers=ORIGIN).status_code for i in range(3)]
    assert codes == [201, 201, 429]
    _log_in(http, people["thomas"])
    assert http.post(routes.API_PUSH_SUBSCRIPTIONS, json=_subscription_json("https://fcm.googleapis.com/x/t"),
                     headers=ORIGIN).status_code == 201


def test_delete_route_removes_only_ones_own(http, people):
    theirs = _subscribe(people["thomas"], "https://fcm.googleapis.com/fcm/send/thomas")
    mine = _subscribe(people["maria"], "https://fcm.googleapis.com/fcm/send/maria")
    _log_in(http, people["maria"])
    assert http.delete(routes.push_subscription(theirs), headers=ORIGIN).status_code == 404
    assert http.delete(routes.push_subscription(mine), headers={"Origin": "https://evil.example"}).status_code == 403
    assert http.delete(routes.push_subscription(mine), headers=ORIGIN).status_code == 204
    assert [r.id for r in _rows()] == [theirs]


def test_base64url_helpers_round_trip():
    for size in (1, 2, 3, 16, 65):
        raw = os.urandom(size)
        assert push.b64url_decode(push.b64url_encode(raw)) == raw
    assert push.b64url_decode("a") is None  # no byte string has this length
    assert push.b64url_decode("") is None
