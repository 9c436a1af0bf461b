"""The user's push devices, for the profile pages of either side.

The browser's own subscription is managed by ``assets/push.js`` against the push
API; this state lists what the server stores and remembers what the browser said
about itself (support, permission, its endpoint) to tell which device is this one.
"""

import asyncio
import dataclasses

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.services import webpush
from portal.state.session import Area, SessionState, require_actor, to_login

# What push.js reports about this browser ("" until it has answered).
BROWSER_STATES = ("unsupported", "denied", "default", "granted")
_MAX_ENDPOINT = 2000


@dataclasses.dataclass
class DeviceItem:
    """One device in the list."""

    id: int = 0
    label: str = ""
    added: str = ""
    current: bool = False
    remove_url: str = ""
    remove_label: str = ""


class PushDevicesState(rx.State):
    """Push support of this browser and the user's devices."""

    browser: str = ""
    devices: list[DeviceItem] = []
    notice: str = ""
    error: str = ""
    _endpoint: str = ""

    @rx.var
    def active_here(self) -> bool:
        """This browser is one of the stored devices."""
        return any(d.current for d in self.devices)

    async def _actor(self) -> Actor | None:
        session = await self.get_state(SessionState)
        return await require_actor(self, Area.STAFF if session.kind == "staff" else Area.PORTAL)

    async def _fetch(self, actor: Actor) -> None:
        devices = await asyncio.to_thread(webpush.list_devices, actor=actor)
        locale = (await self.get_state(SessionState)).locale
        unknown = translate(locale, "push.device.unknown")
        self.devices = [
            DeviceItem(id=d.id, label=d.device or unknown,
                       added=translate(locale, "push.device.added", date=fmt.date(d.created_at.date(), locale)),
                       current=bool(self._endpoint) and d.endpoint == self._endpoint,
                       remove_url=routes.push_subscription(d.id),
                       remove_label=translate(locale, "push.device.remove_label", device=d.device or unknown))
            for d in devices
        ]

    def _remember(self, report: dict) -> str:
        """Take what push.js reported; returns its ``state`` (anything unknown is ignored)."""
        report = report if isinstance(report, dict) else {}
        state = str(report.get("state", ""))
        browser = "granted" if state == "subscribed" else state
        if browser in BROWSER_STATES:
            self.browser = browser
        endpoint = report.get("endpoint")
        if isinstance(endpoint, str) and len(endpoint) <= _MAX_ENDPOINT:
            self._endpoint = endpoint
        return state

    @rx.event
    async def set_browser(self, report: dict):
        """push.js said what this browser supports: show the matching controls and the list."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self._remember(report)
        self.notice = self.error = ""
        await self._fetch(actor)
        return None

    @rx.event
    async def enabled(self, report: dict):
        """The user tried to switch pushes on here; say how it went."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        state = self._remember(report)
        locale = (await self.get_state(SessionState)).locale
        self.notice = translate(locale, "push.enabled") if state == "subscribed" else ""
        # Unsupported and denied are shown by the controls themselves.
        self.error = {"default": translate(locale, "push.dismissed"),
                      "failed": translate(locale, "push.failed")}.get(state, "")
        await self._fetch(actor)
        return None

    @rx.event
    async def removed(self, report: dict):
        """A device was removed (or it failed): show the list as the server has it now."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        state = self._remember(report)
        locale = (await self.get_state(SessionState)).locale
        self.notice = translate(locale, "push.removed") if state == "removed" else ""
        self.error = translate(locale, "push.failed") if state == "failed" else ""
        await self._fetch(actor)
        return None
