"""Status badges with text, so colour is never the only signal."""

import reflex as rx

from portal.state.session import t


def account_status_badge(status: rx.Var) -> rx.Component:
    """Badge for a client account's onboarding status."""
    return rx.match(
        status,
        ("active", rx.badge(t("status.active"), color_scheme="green", variant="soft")),
        ("onboarding", rx.badge(t("status.onboarding"), color_scheme="amber", variant="soft")),
        ("invited", rx.badge(t("status.invited"), color_scheme="blue", variant="soft")),
        rx.badge(status, variant="soft"),
    )


def account_kind_label(kind: rx.Var) -> rx.Component:
    """The words for individual vs company (and the firm's guest account)."""
    return rx.match(kind, ("company", t("kind.company")), ("guest", t("kind.guest")), t("kind.individual"))


def missing_receipts_badge(count: rx.Var) -> rx.Component:
    """How many receipts are missing; calm grey when none."""
    return rx.cond(
        count > 0,
        rx.badge(rx.icon("receipt-euro", size=12), count, color_scheme="orange", variant="soft",
                 title=t("clients.missing_receipts")),
        rx.badge(rx.icon("check", size=12), "0", color_scheme="gray", variant="soft",
                 title=t("clients.missing_receipts")),
    )
