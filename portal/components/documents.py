"""Pieces of the documents area shared by the staff tab and the client page."""

import reflex as rx

from portal.components.common import ACCENT, empty_state
from portal.components.paging import load_more
from portal.state.documents import DocumentItem, FolderItem
from portal.state.session import t


def breadcrumbs(state: type[rx.State]) -> rx.Component:
    """Where the shown folder sits; each step opens that folder."""
    def crumb(item: FolderItem) -> rx.Component:
        return rx.hstack(
            rx.icon("chevron-right", size=14, color="var(--gray-9)"),
            rx.link(item.name, href="#", on_click=state.open_folder(item.id).prevent_default, size="2",
                    weight=rx.cond(item.id == state.folder_id, "bold", "regular")),
            spacing="1", align="center",
        )

    return rx.el.nav(
        rx.flex(
            rx.link(rx.hstack(rx.icon("folders", size=16), t("documents.top"), spacing="1", align="center"),
                    href="#", on_click=state.open_folder(0).prevent_default, size="2"),
            rx.foreach(state.crumbs, crumb),
            wrap="wrap", gap="4px", align="center",
        ),
        aria_label=t("documents.path"),
    )


def folder_row(state: type[rx.State], item: FolderItem, menu: rx.Component | None = None,
               mark_shared: bool = True) -> rx.Component:
    """A folder line: opens on click; ``menu`` holds the staff's actions; ``mark_shared`` badges shared folders."""
    return rx.flex(
        rx.button(
            rx.icon("folder", size=20, color=f"var(--{ACCENT}-10)", flex_shrink="0"),
            rx.text(item.name, weight="medium", align="left", style={"overflow_wrap": "anywhere"}),
            on_click=state.open_folder(item.id), variant="ghost", color_scheme="gray", size="3",
            justify="start", flex="1", min_width="0", height="auto", min_height="44px", padding_y="8px",
            aria_label=t("documents.open_folder") + ": " + item.name,
        ),
        rx.cond(item.shared, rx.badge(rx.icon("users", size=12), t("documents.shared"), color_scheme="green",
                                      variant="soft")) if mark_shared else rx.fragment(),
        menu or rx.fragment(),
        align="center", gap="8px", width="100%", border_bottom="1px solid var(--gray-a4)", role="listitem",
    )


def document_row(item: DocumentItem, menu: rx.Component | None = None) -> rx.Component:
    """A document line: name (download), size, date, who uploaded it."""
    return rx.flex(
        rx.icon("file-text", size=20, color="var(--gray-10)", flex_shrink="0"),
        rx.vstack(
            rx.link(item.name, href=item.href, weight="medium", style={"overflow_wrap": "anywhere"},
                    aria_label=t("documents.download") + ": " + item.name),
            rx.text(item.date, " · ", item.size, rx.cond(item.uploader != "", " · " + item.uploader, ""),
                    size="1", color_scheme="gray"),
            # Staff only (the client's rows leave both empty): how long the law keeps it.
            rx.cond((item.retention != "") | item.kept, rx.flex(
                rx.cond(item.retention != "", rx.badge(rx.icon("archive", size=12), item.retention,
                                                       color_scheme="amber", variant="soft",
                                                       white_space="normal")),
                rx.cond(item.kept, rx.badge(rx.icon("user-x", size=12), t("retention.kept"), color_scheme="gray",
                                            variant="soft", white_space="normal")),
                gap="6px", wrap="wrap", margin_top="4px")),
            spacing="0", flex="1", min_width="0",
        ),
        menu or rx.fragment(),
        align="center", gap="10px", width="100%", padding_y="10px", border_bottom="1px solid var(--gray-a4)",
        role="listitem",
    )


def folder_listing(state: type[rx.State], folder_menu=None, document_menu=None,
                   mark_shared: bool = True) -> rx.Component:
    """Subfolders, then documents (a step at a time), or a friendly empty state."""
    return rx.fragment(
        rx.cond(
            (state.subfolders.length() > 0) | (state.docs.length() > 0),
            rx.box(
                rx.foreach(state.subfolders, lambda f: folder_row(state, f, folder_menu(f) if folder_menu else None,
                                                                  mark_shared)),
                rx.foreach(state.docs, lambda d: document_row(d, document_menu(d) if document_menu else None)),
                role="list", aria_label=t("documents.listing"), width="100%",
            ),
            empty_state("folder-open", t("documents.empty.title"), t("documents.empty.text")),
        ),
        load_more(state.more_docs, state.load_more_docs),
    )
