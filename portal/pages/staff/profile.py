"""The staff user's profile: who they are and their email digests."""

import reflex as rx

from portal import routes
from portal.components.common import ACCENT, loading, page_heading
from portal.components.personal_settings import (
    email_notices_switch,
    language_select,
    password_change,
    timezone_select,
)
from portal.components.push_devices import push_devices
from portal.components.shell import staff_shell
from portal.state.digests import CHOICES, DigestRow, StaffProfileState
from portal.state.session import SessionState, t

P = StaffProfileState


def frequency_label(frequency: rx.Var) -> rx.Var:
    """A digest frequency in the user's language."""
    return rx.match(frequency, *[(choice, t(f"digest.frequency.{choice}")) for choice in CHOICES[1:]],
                    t("digest.frequency.off"))


def frequency_select(control_id: str, value: rx.Var, on_change, **trigger_props) -> rx.Component:
    """Off / daily / weekly / monthly; label it with ``<label for=control_id>``."""
    return rx.select.root(
        rx.select.trigger(id=control_id, **trigger_props),
        # Above dialogs and popovers (z-index 50) the select may sit in.
        rx.select.content(*[rx.select.item(t(f"digest.frequency.{choice}"), value=choice) for choice in CHOICES],
                          z_index="60"),
        value=value, on_change=on_change,
    )


def _who() -> rx.Component:
    def line(label: rx.Var, value: rx.Var) -> rx.Component:
        return rx.vstack(rx.text(label, size="2", color_scheme="gray"),
                         rx.text(value, weight="medium", style={"overflow_wrap": "anywhere"}), spacing="0")

    return rx.card(
        rx.flex(
            line(t("profile.name"), SessionState.name),
            line(t("login.email"), SessionState.email),
            line(t("digest.profile.role"), rx.cond(SessionState.is_admin, t("role.admin"), t("role.accountant"))),
            gap="16px 32px", wrap="wrap", width="100%",
        ),
        width="100%",
    )


def _all_clients() -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.el.label(t("digest.all"), html_for="digest-all", font_weight="500"),
                rx.text(rx.cond(SessionState.is_admin, t("digest.all.help_admin"), t("digest.all.help")),
                        size="2", color_scheme="gray"),
                rx.cond(P.all_next != "",
                        rx.hstack(rx.icon("calendar-clock", size=14, color=f"var(--{ACCENT}-11)", aria_hidden="true"),
                                  rx.text(P.all_next, size="2", color=f"var(--{ACCENT}-11)"),
                                  align="center", spacing="1")),
                spacing="1", flex="1", min_width="min(100%, 260px)",
            ),
            frequency_select("digest-all", P.all_frequency, P.set_all_frequency, min_width="220px",
                             width=["100%", "auto"]),
            align="center", gap="12px 16px", wrap="wrap", width="100%",
        ),
        width="100%",
    )


def _client_row(row: DigestRow) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.link(row.client, href=row.link, weight="medium"),
            rx.text(frequency_label(row.frequency), " · ", row.next_run, size="2", color_scheme="gray"),
            spacing="0", flex="1", min_width="0",
        ),
        rx.button(rx.icon("bell-off", size=14), t("digest.remove"), size="2", variant="soft", color_scheme="red",
                  aria_label=t("digest.remove_for") + ": " + row.client, on_click=P.remove(row.account_id)),
        align="center", gap="8px 12px", wrap="wrap", width="100%", padding_y="10px",
        border_top="1px solid var(--gray-a4)",
    )


def _per_client() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("digest.clients"), size="3", as_="h3"),
            rx.text(t("digest.clients.help"), size="2", color_scheme="gray"),
            rx.cond(P.clients.length() > 0,
                    rx.vstack(rx.foreach(P.clients, _client_row), spacing="0", width="100%"),
                    rx.text(t("digest.clients.none"), size="2", color_scheme="gray", font_style="italic")),
            spacing="2", width="100%",
        ),
        width="100%",
    )


def staff_profile_page() -> rx.Component:
    """The page at :data:`routes.STAFF_PROFILE`."""
    return staff_shell(
        rx.vstack(
            page_heading(t("digest.profile.title"), t("digest.profile.subtitle")),
            rx.cond(
                P.loaded,
                rx.vstack(
                    _who(),
                    rx.card(rx.vstack(language_select(P), timezone_select(P),
                                      email_notices_switch(P, "profile.email_notices.staff_help"),
                                      spacing="4", width="100%"), width="100%"),
                    password_change(P),
                    push_devices(),
                    rx.heading(t("digest.title"), size="5", as_="h2", margin_top="12px"),
                    rx.text(t("digest.help"), size="2", color_scheme="gray"),
                    _all_clients(),
                    _per_client(),
                    spacing="3", width="100%",
                ),
                loading(),
            ),
            width="100%", max_width="720px",
        ),
        active=routes.STAFF_PROFILE,
    )
