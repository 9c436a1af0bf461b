"""The folder templates section of the admin settings page."""

import reflex as rx

from portal.components.common import notice
from portal.state.folder_templates import EntryRow, TemplateRow
from portal.state.folder_templates import FolderTemplatesState as F
from portal.state.session import t


def _template(row: TemplateRow) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(rx.text(row.name, weight="medium"),
                      rx.cond(row.is_default, rx.badge(t("template.default"), color_scheme="green")),
                      spacing="2", align="center"),
            rx.text(row.summary, size="1", color_scheme="gray", style={"overflow_wrap": "anywhere"}),
            spacing="1", flex="1", min_width="0",
        ),
        rx.hstack(
            rx.cond(~row.is_default, rx.button(t("template.make_default"), size="2", variant="soft",
                                               on_click=F.make_default(row.id))),
            rx.button(t("template.edit"), size="2", variant="soft", on_click=F.start(row.id),
                      aria_label=t("template.edit") + ": " + row.name),
            rx.icon_button(rx.icon("trash-2", size=16), size="2", variant="ghost", color_scheme="red",
                           on_click=F.delete(row.id), aria_label=t("documents.delete") + ": " + row.name),
            spacing="2", wrap="wrap",
        ),
        align="center", gap="12px", wrap="wrap", width="100%", padding_y="10px",
        border_bottom="1px solid var(--gray-a4)",
    )


def _entry(entry: EntryRow, index: rx.Var) -> rx.Component:
    return rx.flex(
        rx.input(value=entry.path, on_change=lambda value: F.set_path(index, value), placeholder=t("template.path.example"),
                 flex="1", min_width="180px", size="2", aria_label=t("template.path")),
        rx.el.label(rx.hstack(rx.switch(checked=entry.shared, on_change=lambda on: F.set_shared(index, on),
                                        aria_label=t("template.shared")),
                              rx.text(t("template.shared"), size="2"), spacing="2", align="center")),
        rx.el.label(rx.hstack(rx.checkbox(checked=entry.uploads, on_change=lambda _on: F.set_uploads(index),
                                          aria_label=t("template.uploads")),
                              rx.text(t("template.uploads"), size="2"), spacing="2", align="center")),
        rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="gray",
                       on_click=F.remove_entry(index), aria_label=t("template.remove_line")),
        gap="12px", align="center", wrap="wrap", width="100%",
    )


def _editor() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.el.label(t("template.name"), html_for="template-name", font_weight="500"),
            rx.input(id="template-name", value=F.edit_name, on_change=F.set_edit_name, max_length=200, width="100%"),
            rx.text(t("template.lines_help"), size="2", color_scheme="gray"),
            rx.foreach(F.entries, _entry),
            rx.button(rx.icon("plus", size=14), t("template.add_line"), variant="ghost", size="2",
                      on_click=F.add_entry),
            notice(F.error, tone="error"),
            rx.hstack(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", on_click=F.cancel),
                      rx.button(t("common.save"), on_click=F.save), justify="end", width="100%", spacing="3"),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def folder_templates_section() -> rx.Component:
    """Heading, explanation, the templates and the editor."""
    return rx.vstack(
        rx.flex(
            rx.heading(t("template.title"), size="4", as_="h2"),
            rx.spacer(),
            rx.cond(~F.editing, rx.button(rx.icon("plus", size=16), t("template.new"), variant="soft",
                                          on_click=F.start(0))),
            width="100%", align="center",
        ),
        rx.text(t("template.help"), size="2", color_scheme="gray"),
        rx.cond(F.editing, _editor()),
        rx.cond(F.templates.length() > 0, rx.box(rx.foreach(F.templates, _template), width="100%"),
                rx.text(t("template.none"), size="2", color_scheme="gray")),
        spacing="3", width="100%", margin_top="12px",
    )
