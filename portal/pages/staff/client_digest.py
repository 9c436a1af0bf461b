"""Control on the staff client page: the user's email digest for this client."""

import reflex as rx

from portal import routes
from portal.components.common import ACCENT
from portal.pages.staff.profile import frequency_label, frequency_select
from portal.state.digests import OFF, ClientDigestState
from portal.state.session import t

D = ClientDigestState


def digest_popover() -> rx.Component:
    """Button showing the current frequency; its popover sets it and tells when the next one comes."""
    return rx.popover.root(
        rx.popover.trigger(rx.button(
            rx.cond(D.frequency == OFF, rx.icon("bell-off", size=16), rx.icon("bell-ring", size=16)),
            t("digest.button"), ": ", frequency_label(D.frequency),
            variant="soft",
        )),
        rx.popover.content(
            rx.vstack(
                rx.el.label(t("digest.client.label"), html_for="digest-client", font_weight="500"),
                frequency_select("digest-client", D.frequency, D.set_frequency, width="100%"),
                rx.text(rx.cond(D.next_run != "", D.next_run, t("digest.client.off")), size="2",
                        color=rx.cond(D.next_run != "", f"var(--{ACCENT}-11)", "var(--gray-11)"), role="status"),
                rx.text(t("digest.client.help"), size="1", color_scheme="gray"),
                rx.link(t("digest.manage"), href=routes.STAFF_PROFILE, size="2"),
                spacing="2", width="100%",
            ),
            width="320px", max_width="calc(100vw - 32px)",
        ),
    )
