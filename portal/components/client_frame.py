"""Frame of a staff client page: back link, client name, actions, tabs, then the tab's body."""

import reflex as rx

from portal import routes
from portal.components.common import ACCENT, empty_state
from portal.components.shell import staff_shell
from portal.state.client_page import ClientPageState as C
from portal.state.session import t

# The client's tabs; each is a page of its own so it can be linked and reloaded.
TABS = [
    (routes.STAFF_CLIENT, "receipt-euro", "client.tab.bookings"),
    (routes.STAFF_CLIENT_DOCUMENTS, "folder", "client.tab.documents"),
    (routes.STAFF_CLIENT_REQUESTS, "link", "client.tab.requests"),
    (routes.STAFF_CLIENT_QUESTIONNAIRES, "clipboard-list", "client.tab.questionnaires"),
    (routes.STAFF_CLIENT_INFO, "contact-round", "client.tab.info"),
    (routes.STAFF_CLIENT_PROTOCOL, "scroll-text", "client.tab.protocol"),
]


def _href(route: str) -> rx.Var:
    before, after = route.split("[client]")
    return rx.Var.create(f"{before}{C.public_id}{after}")


def _tab(route: str, icon: str, key: str, active: str) -> rx.Component:
    current = route == active
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(t(key)), align="center", spacing="2"),
        href=_href(route),
        aria_current="page" if current else None, underline="none", size="2", weight="medium",
        color=f"var(--{ACCENT}-11)" if current else "var(--gray-11)",
        padding="10px 4px", white_space="nowrap",
        border_bottom=f"2px solid var(--{ACCENT}-9)" if current else "2px solid transparent",
    )


def client_frame(body: rx.Component, *, active: str, subtitle: rx.Component | None = None,
                 actions: rx.Component | None = None, loaded: rx.Var | bool = True,
                 extra: tuple[rx.Component, ...] = ()) -> rx.Component:
    """A staff client tab.

    Args:
        body: The tab's content, shown once ``loaded`` and if the client may be shown.
        active: Route of this tab (one of :data:`TABS`).
        subtitle: Line under the client's name.
        actions: Buttons on the right of the name.
        loaded: Whether the tab's data has arrived.
        extra: Elements outside the body (sheets, live-update watchers).
    """
    header = rx.flex(
        rx.vstack(rx.heading(C.account_name, size="7", as_="h1"), subtitle or rx.fragment(), spacing="1"),
        rx.spacer(),
        rx.cond(~C.not_found, actions or rx.fragment()),
        width="100%", align="end", gap="12px", wrap="wrap",
    )
    tabs = rx.el.nav(
        rx.hstack(*[_tab(route, icon, key, active) for route, icon, key in TABS], spacing="5"),
        aria_label=t("client.tabs"), width="100%", overflow_x="auto",
        border_bottom="1px solid var(--gray-a5)", id="client-tabs",
        # On a phone the later tabs start outside the strip: bring the open one into view.
        on_mount=rx.call_script("document.querySelector('#client-tabs [aria-current=page]')"
                                "?.scrollIntoView({block: 'nearest', inline: 'nearest'})"),
    )
    return staff_shell(
        rx.vstack(
            *extra,
            rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("nav.clients"), align="center", spacing="1"),
                    href=routes.STAFF_CLIENTS, size="2"),
            rx.cond(
                C.not_found,
                empty_state("search-x", t("bookings.not_found.title"), t("bookings.not_found.text")),
                # The tabs' links need the client's id, which arrives with the page's state.
                rx.vstack(header, rx.cond(C.public_id != "", tabs), rx.cond(loaded, body, rx.center(rx.spinner(size="3"), width="100%",
                                                                         min_height="40vh", aria_busy="true")),
                          spacing="4", width="100%"),
            ),
            spacing="3", width="100%",
        ),
        active=routes.STAFF_CLIENTS,
    )
