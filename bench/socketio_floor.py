"""The floor for push latency: a bare python-socketio relay, no Reflex, no database.

Each client joins the room named in its ``room`` query parameter; a ``send`` is relayed
to the other members of the room as ``message``. With ``FLOOR_REDIS_URL`` set, the
workers share rooms through Redis, as the portal's workers share state; the channel
(``FLOOR_REDIS_CHANNEL``) is the benchmark's own, as publish/subscribe ignores the
database number.

Run by :mod:`bench.push_latency` as ``granian --interface asgi bench.socketio_floor:app``.
"""

import os
import urllib.parse

import socketio

_redis = os.environ.get("FLOOR_REDIS_URL")
_manager = socketio.AsyncRedisManager(_redis, channel=os.environ["FLOOR_REDIS_CHANNEL"]) if _redis else None
sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*", client_manager=_manager)
app = socketio.ASGIApp(sio, socketio_path="_event")


@sio.event
async def connect(sid, environ, auth=None):
    """Join the room the client asked for."""
    room = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("room", [""])[0]
    await sio.enter_room(sid, room)


@sio.event
async def send(sid, data):
    """Relay a message to the rest of its room."""
    await sio.emit("message", data, room=data["room"], skip_sid=sid)
