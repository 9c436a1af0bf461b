"""The client user's documents: the folders the firm shares, and uploads into them."""

import reflex as rx

from portal import realtime, routes
from portal.components.common import notice
from portal.components.documents import breadcrumbs, folder_listing
from portal.components.shell import portal_shell
from portal.components.upload_zone import upload_zone
from portal.state.documents import CLIENT_UPLOAD_ID
from portal.state.documents import ClientDocumentsState as D
from portal.state.session import t


def _account_switch() -> rx.Component:
    return rx.cond(
        D.accounts.length() > 1,
        rx.vstack(
            rx.el.label(t("documents.account"), html_for="documents-account", font_size="14px"),
            rx.select.root(
                rx.select.trigger(id="documents-account", width="100%"),
                rx.select.content(rx.foreach(D.accounts, lambda a: rx.select.item(a.name, value=a.id.to_string()))),
                value=D.account, on_change=D.choose_account, size="3",
            ),
            spacing="1", width="100%",
        ),
    )


def documents_page() -> rx.Component:
    """The page at :data:`routes.PORTAL_DOCUMENTS`."""
    content = rx.cond(
        D.accounts.length() > 0,
        rx.vstack(
            _account_switch(),
            breadcrumbs(D),
            notice(D.error, tone="error"),
            rx.cond(D.folder_id != 0,
                    upload_zone(D, CLIENT_UPLOAD_ID, receive=D.receive, hint=t("documents.client_upload_hint"))),
            # Every folder a client sees is shared with them: a badge saying so only crowds the name.
            folder_listing(D, mark_shared=False),
            spacing="4", width="100%",
        ),
        rx.text(t("documents.no_access"), color_scheme="gray"),
    )
    return portal_shell(
        rx.vstack(
            realtime.reload_on_change(realtime.LiveState.account, D.refresh),
            rx.heading(t("documents.title"), size="7", as_="h1"),
            rx.text(t("documents.client_intro"), color_scheme="gray", size="2"),
            rx.cond(D.loaded, content, rx.center(rx.spinner(size="3"), width="100%", min_height="30vh")),
            spacing="4", width="100%", max_width="760px",
        ),
        active=routes.PORTAL_DOCUMENTS,
    )
