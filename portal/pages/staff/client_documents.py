"""A client's Documents tab in the staff area: folders, uploads, sharing, changes, retention
classes and the trash ("Papierkorb")."""

import reflex as rx

from portal import realtime, routes
from portal.components.client_frame import client_frame
from portal.components.common import empty_state, notice
from portal.components.documents import breadcrumbs, folder_listing
from portal.components.upload_zone import upload_zone
from portal.state.documents import STAFF_UPLOAD_ID, DocumentItem, FolderItem, TrashRow
from portal.state.documents import StaffDocumentsState as D
from portal.state.session import t


def _menu(label: rx.Var, *items: rx.Component) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(rx.icon_button(rx.icon("ellipsis-vertical", size=18), variant="ghost",
                                                color_scheme="gray", size="3", aria_label=label)),
        rx.dropdown_menu.content(*items),
    )


def _folder_menu(item: FolderItem) -> rx.Component:
    return _menu(
        t("documents.actions") + ": " + item.name,
        rx.dropdown_menu.item(rx.icon("pencil", size=14), t("documents.rename"),
                              on_click=D.start_edit("rename_folder", item.id, item.name)),
        rx.dropdown_menu.item(rx.icon("folder-input", size=14), t("documents.move"),
                              on_click=D.start_edit("move_folder", item.id, item.name)),
        rx.cond(item.shared,
                rx.dropdown_menu.item(rx.icon("lock", size=14), t("documents.unshare"),
                                      on_click=D.set_folder_shared(item.id, False)),
                rx.dropdown_menu.item(rx.icon("users", size=14), t("documents.share"),
                                      on_click=D.set_folder_shared(item.id, True))),
        rx.dropdown_menu.separator(),
        rx.dropdown_menu.item(rx.icon("trash-2", size=14), t("documents.delete"), color="red",
                              on_click=D.start_edit("delete_folder", item.id, item.name)),
    )


def _document_menu(item: DocumentItem) -> rx.Component:
    return _menu(
        t("documents.actions") + ": " + item.name,
        rx.dropdown_menu.item(rx.icon("pencil", size=14), t("documents.rename"),
                              on_click=D.start_edit("rename_document", item.id, item.name)),
        rx.dropdown_menu.item(rx.icon("folder-input", size=14), t("documents.move"),
                              on_click=D.start_edit("move_document", item.id, item.name)),
        rx.dropdown_menu.item(rx.icon("archive", size=14), t("retention.menu"),
                              on_click=D.start_retention(item.id, item.name, item.retention_class)),
        rx.dropdown_menu.separator(),
        rx.dropdown_menu.item(rx.icon("trash-2", size=14), t("documents.delete"), color="red",
                              on_click=D.start_edit("delete_document", item.id, item.name)),
    )


def _edit_fields() -> rx.Component:
    name_field = rx.vstack(
        rx.el.label(t("documents.name"), html_for="edit-name", font_size="14px"),
        rx.input(id="edit-name", name="name", default_value=D.edit_name, required=True, max_length=200,
                 width="100%", size="3"),
        spacing="1", width="100%",
    )
    target_field = rx.vstack(
        rx.el.label(t("documents.target"), html_for="edit-target", font_size="14px"),
        rx.select.root(
            rx.select.trigger(id="edit-target", width="100%"),
            rx.select.content(
                rx.cond(D.edit_kind == "move_folder", rx.select.item(t("documents.top"), value="0")),
                rx.foreach(D.targets, lambda f: rx.select.item(f.label, value=f.id.to_string())),
                z_index="60"),
            value=D.edit_target, on_change=D.set_edit_target, size="3",
        ),
        spacing="1", width="100%",
    )
    return rx.match(
        D.edit_kind,
        ("new_folder", rx.vstack(name_field, rx.el.label(rx.hstack(rx.checkbox(name="shared", aria_label=t("documents.share_new")),
                                                                     rx.text(t("documents.share_new")),
                                                                     spacing="2", align="center")),
                                 spacing="3", width="100%")),
        ("rename_folder", name_field),
        ("rename_document", name_field),
        ("move_folder", target_field),
        ("move_document", target_field),
        ("retention", rx.vstack(
            rx.text(D.edit_name, weight="medium", style={"overflow_wrap": "anywhere"}),
            rx.el.label(t("retention.label"), html_for="edit-retention", font_size="14px"),
            rx.select.root(
                rx.select.trigger(id="edit-retention", width="100%"),
                rx.select.content(rx.foreach(D.class_choices, lambda c: rx.select.item(c.label, value=c.value)),
                                  z_index="60"),
                value=D.edit_target, on_change=D.set_edit_target, size="3",
            ),
            rx.text(t("retention.explain"), size="2", color_scheme="gray"),
            spacing="2", width="100%")),
        rx.vstack(
            rx.text(rx.cond(D.edit_kind == "delete_folder", t("trash.delete_folder"), t("trash.delete_document")),
                    " ", rx.text.strong(D.edit_name)),
            rx.text(D.delete_hint, size="2", color_scheme="gray"),
            spacing="2", width="100%"),
    )


def _edit_dialog() -> rx.Component:
    deleting = D.edit_kind.to(str).startswith("delete")
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.match(
                D.edit_kind,
                ("new_folder", t("documents.new_folder")),
                ("rename_folder", t("documents.rename")),
                ("rename_document", t("documents.rename")),
                ("move_folder", t("documents.move")),
                ("move_document", t("documents.move")),
                ("retention", t("retention.title")),
                t("documents.delete"),
            )),
            rx.form(
                rx.vstack(
                    _edit_fields(),
                    notice(D.edit_error, tone="error"),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button")),
                        rx.button(rx.cond(deleting, t("documents.delete"), t("common.save")), type="submit",
                                  color_scheme=rx.cond(deleting, "red", "teal")),
                        justify="end", width="100%", spacing="3",
                    ),
                    spacing="4", width="100%",
                ),
                on_submit=D.apply_edit, reset_on_submit=False, width="100%",
            ),
            max_width="480px",
        ),
        open=D.edit_kind != "", on_open_change=D.set_edit_open,
    )


def _trash_row(item: TrashRow) -> rx.Component:
    return rx.flex(
        rx.icon(rx.cond(item.kind == "folder", "folder", "file-text"), size=20, flex_shrink="0", margin_top="2px",
                color=rx.cond(item.kind == "folder", "var(--teal-10)", "var(--gray-10)")),
        rx.vstack(
            rx.cond(item.href != "",
                    rx.link(item.name, href=item.href, download=True, is_external=False, weight="medium",
                            style={"overflow_wrap": "anywhere"}, aria_label=t("documents.download") + ": " + item.name),
                    rx.text(item.name, weight="medium", style={"overflow_wrap": "anywhere"})),
            rx.text(item.details, size="1", color_scheme="gray"),
            rx.flex(
                rx.cond(item.retained != "", rx.badge(rx.icon("archive", size=12), item.retained, color_scheme="amber",
                                                      variant="soft", white_space="normal")),
                rx.cond(item.kept, rx.badge(rx.icon("user-x", size=12), t("retention.kept"), color_scheme="gray",
                                            variant="soft", white_space="normal")),
                rx.badge(rx.icon("clock", size=12), item.purge, color_scheme="gray", variant="outline",
                         white_space="normal"),
                gap="6px", wrap="wrap", margin_top="4px"),
            spacing="0", flex="1 1 240px", min_width="0",
        ),
        # On a phone it wraps under the text; the margin lines it up with the name.
        rx.button(rx.icon("rotate-ccw", size=14), t("trash.restore"), variant="soft", size="2", flex_shrink="0",
                  margin_left=rx.breakpoints(initial="30px", sm="0"),
                  on_click=D.restore(item.kind, item.id, item.name),
                  aria_label=t("trash.restore") + ": " + item.name),
        align="center", gap="10px", row_gap="8px", width="100%", padding_y="10px", wrap="wrap",
        border_bottom="1px solid var(--gray-a4)", role="listitem",
    )


def _trash() -> rx.Component:
    return rx.vstack(
        rx.text(D.trash_intro, size="2", color_scheme="gray"),
        notice(D.trash_notice, tone="info"),
        notice(D.trash_error, tone="error"),
        rx.cond(D.trash.length() > 0,
                rx.box(rx.foreach(D.trash, _trash_row), role="list", aria_label=t("trash.listing"), width="100%"),
                empty_state("trash-2", t("trash.empty.title"), t("trash.empty.text"))),
        spacing="4", width="100%",
    )


def _folders() -> rx.Component:
    return rx.vstack(
        rx.flex(
            breadcrumbs(D),
            rx.spacer(),
            rx.button(rx.icon("folder-plus", size=16), t("documents.new_folder"), variant="soft",
                      on_click=D.start_edit("new_folder", 0, "")),
            width="100%", align="center", gap="12px", wrap="wrap",
        ),
        notice(D.error, tone="error"),
        rx.cond(D.folder_id != 0,
                upload_zone(D, STAFF_UPLOAD_ID, receive=D.receive),
                rx.text(t("documents.top_hint"), size="2", color_scheme="gray")),
        folder_listing(D, _folder_menu, _document_menu),
        spacing="4", width="100%",
    )


def client_documents_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENT_DOCUMENTS`."""
    body = rx.vstack(
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(rx.hstack(rx.icon("folders", size=14), t("trash.tab.folders"), spacing="2",
                                          align="center"), value="folders"),
                rx.tabs.trigger(rx.hstack(rx.icon("trash-2", size=14), t("trash.tab.trash"),
                                          rx.cond(D.trash_count > 0,
                                                  rx.badge(D.trash_count, variant="soft", color_scheme="gray",
                                                           radius="full")),
                                          spacing="2", align="center"), value="trash"),
                aria_label=t("trash.tabs"),
            ),
            # Panels, so each tab names the element it controls (aria-controls); only the shown one mounts.
            rx.tabs.content(_folders(), value="folders", padding_top="16px"),
            rx.tabs.content(_trash(), value="trash", padding_top="16px"),
            value=D.view, on_change=D.set_view, width="100%",
        ),
        _edit_dialog(),
        spacing="4", width="100%",
    )
    return client_frame(
        body, active=routes.STAFF_CLIENT_DOCUMENTS, loaded=D.loaded,
        subtitle=rx.text(t("documents.subtitle"), color_scheme="gray"),
        extra=(realtime.reload_on_change(realtime.LiveState.account, D.refresh),),
    )
