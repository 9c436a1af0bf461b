"""Page frames: the staff area (desktop sidebar) and the client area (phone first)."""

import reflex as rx

from portal import realtime, routes
from portal.components.common import ACCENT, brand_mark, loading
from portal.components.document_language import document_language
from portal.components.post_form import post_form
from portal.components.presence import heartbeat
from portal.state.session import LOGOUT_FORM_ID, SessionState, t

_STAFF_NAV = [
    (routes.STAFF_CLIENTS, "users", "nav.clients"),
    (routes.STAFF_INBOX, "inbox", "nav.inbox"),
    (routes.STAFF_QUESTIONNAIRES, "clipboard-list", "quest.nav"),
]
_PORTAL_NAV = [
    (routes.PORTAL, "house", "nav.home"),
    (routes.PORTAL_CONVERSATIONS, "messages-square", "nav.conversations"),
    (routes.PORTAL_DOCUMENTS, "folder", "nav.documents"),
    (routes.PORTAL_PROFILE, "circle-user", "nav.profile"),
]
# The entry whose badge shows what waits for the user.
_COUNTED = {routes.STAFF_INBOX, routes.PORTAL_CONVERSATIONS}


def _counter(path: str) -> rx.Component:
    if path not in _COUNTED:
        return rx.fragment()
    # The words follow the number for screen readers: "Nachrichten 2 warten auf Sie".
    return rx.cond(SessionState.action_count > 0,
                   rx.badge(SessionState.action_count, rx.el.span(" ", t("nav.waiting"), class_name="sr-only"),
                            color_scheme="orange", variant="solid", radius="full", title=t("nav.waiting")))


def _logout_form() -> rx.Component:
    # Submitted by SessionState.logout after it wiped this tab's states.
    return post_form(id=LOGOUT_FORM_ID, action=routes.API_LOGOUT, display="none")


def _logout_button(**props) -> rx.Component:
    return rx.button(rx.icon("log-out", size=16), t("nav.logout"), on_click=SessionState.logout,
                     variant="ghost", color_scheme="gray", **props)


def _initials() -> rx.Component:
    return rx.avatar(fallback=SessionState.name.to(str)[0:1], size="2", radius="full", color_scheme=ACCENT)


def _sidebar_link(path: str, icon: str, key: str, active: bool, compact: bool = False) -> rx.Component:
    # compact: one row of links in the phone top bar instead of a full-width column entry.
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(t(key), size="2" if compact else "3", weight="medium"),
                  _counter(path), spacing="2" if compact else "3", align="center"),
        href=path, underline="none", padding_x="12px", padding_y="10px", border_radius="8px",
        color=f"var(--{ACCENT}-12)" if active else "var(--gray-11)",
        background=f"var(--{ACCENT}-4)" if active else "transparent",
        _hover={"background": f"var(--{ACCENT}-3)"}, aria_current="page" if active else None,
        width="auto" if compact else "100%", white_space="nowrap", flex_shrink="0",
    )


_ADMIN_NAV = [
    (routes.STAFF_SETTINGS, "settings", "nav.settings"),
    (routes.STAFF_OUTBOX, "mail", "nav.outbox"),
]


# Every staff user's own settings, after the admin entries.
_PROFILE_NAV = (routes.STAFF_PROFILE, "circle-user", "digest.profile.title")


def _admin_links(active: str, compact: bool = False) -> list[rx.Component]:
    return [rx.cond(SessionState.is_admin, _sidebar_link(p, i, k, p == active, compact)) for p, i, k in _ADMIN_NAV]


def _profile_link(active: str, compact: bool = False) -> rx.Component:
    path, icon, key = _PROFILE_NAV
    return _sidebar_link(path, icon, key, path == active, compact)


def _staff_sidebar(active: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(brand_mark(), rx.vstack(rx.text("Kanzleiportal", weight="bold", size="3"),
                                          rx.text(SessionState.firm_name, size="1", color_scheme="gray"),
                                          spacing="0"),
                  align="center", spacing="3", padding="8px", margin_bottom="16px"),
        rx.el.nav(rx.vstack(*[_sidebar_link(p, i, k, p == active) for p, i, k in _STAFF_NAV],
                            *_admin_links(active), _profile_link(active), spacing="1"),
                  aria_label=t("nav.main"), width="100%"),
        rx.spacer(),
        rx.hstack(_initials(),
                  rx.vstack(rx.text(SessionState.name, size="2", weight="medium"),
                            rx.text(rx.cond(SessionState.is_admin, t("role.admin"), t("role.accountant")),
                                    size="1", color_scheme="gray"), spacing="0"),
                  align="center", spacing="3", padding="8px"),
        _logout_button(width="100%", justify_content="start"),
        width="248px", min_width="248px", height="100vh", position="sticky", top="0", padding="16px",
        background="var(--gray-2)", border_right="1px solid var(--gray-5)",
        display=["none", "none", "flex"],
    )


def _staff_topbar(active: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(brand_mark("32px"), rx.text("Kanzleiportal", weight="bold"), rx.spacer(),
                  _logout_button(size="2"), align="center", width="100%"),
        rx.el.nav(rx.flex(*[_sidebar_link(p, i, k, p == active, compact=True) for p, i, k in _STAFF_NAV],
                          *_admin_links(active, compact=True), _profile_link(active, compact=True), gap="4px",
                          width="100%", wrap="nowrap",
                          overflow_x="auto"),
                  aria_label=t("nav.main"), width="100%", id="staff-topnav",
                  # The row scrolls sideways on phones: bring the current page's entry into view.
                  on_mount=rx.call_script("document.querySelector('#staff-topnav [aria-current=page]')"
                                          "?.scrollIntoView({inline: 'center', block: 'nearest'})")),
        padding="12px", border_bottom="1px solid var(--gray-5)", background="var(--gray-2)",
        display=["flex", "flex", "none"], width="100%", spacing="2",
    )


def staff_shell(content: rx.Component, *, active: str) -> rx.Component:
    """Frame of a staff page; shows ``content`` only once the session check passed.

    Args:
        content: The page body.
        active: Route of the navigation entry to highlight.
    """
    return rx.box(
        _logout_form(),
        document_language(),
        rx.cond(
            SessionState.kind == "staff",
            rx.flex(
                realtime.reload_on_change(realtime.staff_inbox_version(), SessionState.refresh_counter),
                # Pending client emails wait while the accountant works (see notifications).
                heartbeat(SessionState.staff_heartbeat),
                _staff_sidebar(active),
                _staff_topbar(active),
                rx.el.main(rx.box(content, max_width="1120px", margin_x="auto"),
                           flex="1", min_width="0", padding=["16px", "20px", "32px"]),
                direction=rx.breakpoints(initial="column", sm="row"), min_height="100vh",
            ),
            loading(),
        ),
        custom_attrs={"data-served-by": SessionState.served_by},
    )


def _bottom_link(path: str, icon: str, key: str, active: bool) -> rx.Component:
    return rx.link(
        rx.vstack(rx.box(rx.icon(icon, size=22), rx.box(_counter(path), position="absolute", top="-8px", left="14px"),
                         position="relative"),
                  rx.text(t(key), size="1", weight="medium"), spacing="1", align="center"),
        href=path, underline="none", flex="1", min_height="56px", display="flex", align_items="center",
        justify_content="center", color=f"var(--{ACCENT}-11)" if active else "var(--gray-11)",
        aria_current="page" if active else None,
    )


def _top_link(path: str, key: str, active: bool) -> rx.Component:
    return rx.link(rx.hstack(t(key), _counter(path), spacing="2", align="center"), href=path, underline="none",
                   weight="medium", padding_x="12px", padding_y="8px",
                   border_radius="8px", color=f"var(--{ACCENT}-12)" if active else "var(--gray-11)",
                   background=f"var(--{ACCENT}-4)" if active else "transparent",
                   aria_current="page" if active else None)


def portal_shell(content: rx.Component, *, active: str) -> rx.Component:
    """Frame of a client page: header, content, and bottom navigation on phones.

    Args:
        content: The page body.
        active: Route of the navigation entry to highlight.
    """
    header = rx.el.header(
        rx.hstack(
            brand_mark("32px"),
            rx.vstack(rx.text(rx.cond(SessionState.firm_name != "", SessionState.firm_name, "Kanzleiportal"),
                              weight="bold", size="2", trim="both"),
                      rx.text(t("portal.tagline"), size="1", color_scheme="gray"), spacing="0", min_width="0"),
            rx.spacer(),
            rx.el.nav(rx.hstack(*[_top_link(p, k, p == active) for p, _i, k in _PORTAL_NAV], spacing="1"),
                      aria_label=t("nav.main"), display=["none", "none", "block"]),
            rx.box(_logout_button(size="2"), display=["none", "none", "block"]),
            align="center", width="100%", max_width="960px", margin_x="auto", spacing="3",
        ),
        position="sticky", top="0", z_index="10", padding_x="16px", padding_y="10px",
        background="var(--color-panel-solid)", border_bottom="1px solid var(--gray-5)",
    )
    bottom_nav = rx.el.nav(
        rx.hstack(*[_bottom_link(p, i, k, p == active) for p, i, k in _PORTAL_NAV], width="100%", spacing="0"),
        aria_label=t("nav.main"), position="fixed", bottom="0", left="0", right="0", z_index="10",
        background="var(--color-panel-solid)", border_top="1px solid var(--gray-5)",
        padding_bottom="env(safe-area-inset-bottom)", display=["block", "block", "none"],
    )
    return rx.box(
        _logout_form(),
        document_language(),
        rx.cond(
            SessionState.kind == "contact",
            rx.box(
                realtime.reload_on_change(realtime.LiveState.user, SessionState.refresh_counter),
                header,
                rx.el.main(content, max_width="960px", margin_x="auto", padding_x="16px", padding_top="20px",
                           padding_bottom=["96px", "96px", "40px"]),
                bottom_nav,
                min_height="100vh", background="var(--gray-2)",
            ),
            loading(),
        ),
        custom_attrs={"data-served-by": SessionState.served_by},
    )


def public_shell(*content: rx.Component) -> rx.Component:
    """Frame of the public pages (login, password reset): a centred card with brand panel."""
    brand_panel = rx.vstack(
        rx.hstack(rx.center(rx.icon("landmark", size=22, color="white"), width="44px", height="44px",
                            border_radius="12px", background="rgba(255,255,255,0.16)",
                            border="1px solid rgba(255,255,255,0.3)", aria_hidden="true"),
                  rx.text("Kanzleiportal", size="5", weight="bold", color="white"),
                  align="center", spacing="3"),
        rx.spacer(),
        rx.heading(t("public.claim"), size="8", color="white", weight="bold", line_height="1.15"),
        rx.text(t("public.claim_text"), size="4", color="var(--teal-2)"),
        rx.spacer(),
        rx.hstack(rx.icon("shield-check", size=16, color="var(--teal-3)"),
                  rx.text(t("public.security"), size="2", color="var(--teal-3)"), align="center"),
        padding="48px", width="44%", min_height="100vh",
        background="linear-gradient(160deg, var(--teal-10) 0%, var(--teal-12) 100%)",
        display=["none", "none", "flex"],
    )
    return rx.flex(
        document_language(),
        brand_panel,
        rx.center(
            rx.vstack(*content, width="100%", max_width="400px", spacing="5"),
            flex="1", padding=["24px", "32px", "48px"], min_height="100vh", background="var(--gray-1)",
        ),
        width="100%",
    )
