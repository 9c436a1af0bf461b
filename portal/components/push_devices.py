"""The "Push notifications" section of a profile page (client now, staff later).

Switching pushes on has to run in the browser within the click (permission prompt,
service worker, push service), so the buttons call ``window.portalPush`` from
``assets/push.js`` directly and hand its answer to :class:`PushDevicesState`.
"""

import json

import reflex as rx

from portal import routes
from portal.components.common import ACCENT, notice
from portal.state.push_devices import DeviceItem, PushDevicesState
from portal.state.session import t

_PATHS = json.dumps({"key": routes.API_PUSH_KEY, "subscriptions": routes.API_PUSH_SUBSCRIPTIONS})
# A blocked or missing push.js must read as "not available", not as an endless wait.
_STATUS_JS = "window.portalPush ? window.portalPush.status() : {state: 'unsupported', endpoint: ''}"
_ENABLE_JS = f"window.portalPush.enable({_PATHS})"


def _controls() -> rx.Component:
    enable = rx.button(rx.icon("bell-ring", size=16), t("push.enable"),
                       on_click=rx.call_script(_ENABLE_JS, callback=PushDevicesState.enabled),
                       size="3", width=["100%", "auto"])
    active = rx.hstack(rx.icon("circle-check", size=18, color="var(--green-11)"),
                       rx.text(t("push.active_here"), size="2", weight="medium"), align="center", spacing="2")
    return rx.match(
        PushDevicesState.browser,
        ("", rx.fragment()),
        ("unsupported", rx.callout(t("push.unsupported"), icon="info", color_scheme="gray", role="status",
                                   width="100%")),
        ("denied", rx.callout(t("push.denied"), icon="bell-off", color_scheme="orange", role="status",
                              width="100%")),
        rx.cond(PushDevicesState.active_here, active, enable),
    )


def _device(device: DeviceItem) -> rx.Component:
    remove_js = ("window.portalPush.remove(" + device.remove_url.to_string() + ", "
                 + device.current.to_string() + ")")
    return rx.el.li(
        rx.hstack(
            rx.icon("smartphone", size=18, color="var(--gray-11)", aria_hidden="true", flex_shrink="0"),
            rx.vstack(
                rx.hstack(rx.text(device.label, weight="medium", size="2"),
                          rx.cond(device.current, rx.badge(t("push.device.this"), color_scheme=ACCENT,
                                                           variant="soft")),
                          spacing="2", align="center", wrap="wrap"),
                rx.text(device.added, size="1", color_scheme="gray"),
                spacing="0", flex="1", min_width="0",
            ),
            rx.button(t("push.device.remove"), aria_label=device.remove_label, variant="soft", color_scheme="red",
                      size="2", on_click=rx.call_script(remove_js, callback=PushDevicesState.removed)),
            align="center", spacing="3", width="100%",
        ),
        padding_y="10px", border_bottom="1px solid var(--gray-4)", list_style="none",
        # Spelled out: Reflex turns `_last` into the selector "&:last", which matches nothing.
        style={"&:last-child": {"border_bottom": "none"}},
    )


def push_devices() -> rx.Component:
    """The section: what this browser can do, the switch for it, and the user's devices."""
    return rx.card(
        rx.el.section(
            rx.vstack(
                rx.heading(t("push.title"), size="4", as_="h2", id="push-title"),
                rx.text(t("push.help"), size="2", color_scheme="gray"),
                _controls(),
                notice(PushDevicesState.notice, tone="info"),
                notice(PushDevicesState.error, tone="error"),
                rx.heading(t("push.devices"), size="3", as_="h3", id="push-devices", margin_top="8px"),
                rx.cond(
                    PushDevicesState.devices,
                    rx.el.ul(rx.foreach(PushDevicesState.devices, _device), aria_labelledby="push-devices",
                             width="100%", margin="0", padding="0"),
                    rx.text(t("push.devices.empty"), size="2", color_scheme="gray"),
                ),
                spacing="3", width="100%",
            ),
            aria_labelledby="push-title",
        ),
        width="100%", size="3",
        on_mount=rx.call_script(_STATUS_JS, callback=PushDevicesState.set_browser),
    )
