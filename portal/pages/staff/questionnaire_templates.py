"""The firm's questionnaire templates: a list on the left, the open template's questions on the right."""

import reflex as rx

from portal import routes
from portal.components.common import ACCENT, empty_state, loading, notice, page_heading
from portal.components.questionnaires import kind_label
from portal.components.shell import staff_shell
from portal.state.questionnaire_templates import KINDS, TemplateItem, TemplateQuestion
from portal.state.questionnaire_templates import QuestionnaireTemplatesState as Q
from portal.state.session import t


def _label(text: rx.Var, control_id: str) -> rx.Component:
    return rx.el.label(text, html_for=control_id, font_size="14px", font_weight="500")


def _kind_select(control_id: str, **props) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=control_id, width="100%"),
        rx.select.content(*[rx.select.item(kind_label(kind), value=kind) for kind in KINDS], z_index="60"),
        size="3", **props,
    )


def _template_link(item: TemplateItem) -> rx.Component:
    current = Q.selected == item.id
    return rx.button(
        rx.vstack(rx.text(item.title, weight="medium", align="left", style={"overflow_wrap": "anywhere"}),
                  rx.text(item.questions, " ", t("quest.questions"), size="1", color_scheme="gray"),
                  spacing="0", align="start", min_width="0"),
        on_click=Q.select(item.id), variant=rx.cond(current, "soft", "ghost"),
        color_scheme=rx.cond(current, ACCENT, "gray"), size="3", justify_content="flex-start", text_align="left",
        width="100%", height="auto", min_height="44px", padding_y="8px", margin="0", box_sizing="border-box",
        aria_current=rx.cond(current, "true", "false"),
        aria_label=t("quest.templates.open") + ": " + item.title,
    )


def _template_list() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                _label(t("quest.templates.new"), "template-new-title"),
                rx.flex(
                    rx.input(id="template-new-title", name="title", max_length=200, required=True, size="3",
                             placeholder=t("quest.templates.placeholder"), flex="1", min_width="0"),
                    rx.button(rx.icon("plus", size=16), t("quest.templates.create"), type="submit", size="3"),
                    gap="8px", width="100%",
                ),
                notice(Q.list_error, tone="error"),
                spacing="1", width="100%",
            ),
            on_submit=Q.create, reset_on_submit=False, width="100%",
        ),
        rx.el.nav(rx.vstack(rx.foreach(Q.templates, _template_link), spacing="1", width="100%"),
                  aria_label=t("quest.templates.list"), width="100%"),
        spacing="4", width=["100%", "100%", "300px"], flex_shrink="0",
    )


def _question_row(item: TemplateQuestion) -> rx.Component:
    def icon_button(icon: str, label: rx.Var, on_click, **props) -> rx.Component:
        # No size prop: it would scale the icon with the button; the box alone is made tappable.
        return rx.icon_button(rx.icon(icon, size=18), variant="ghost", color_scheme="gray", width="44px",
                              height="44px", margin="0", on_click=on_click, aria_label=label + ": " + item.text,
                              **props)

    return rx.flex(
        rx.text(item.number, ".", weight="bold", color_scheme="gray", min_width="24px"),
        rx.vstack(
            rx.text(item.text, weight="medium", white_space="pre-wrap", style={"overflow_wrap": "anywhere"}),
            rx.hstack(rx.badge(kind_label(item.kind), variant="soft", color_scheme=ACCENT),
                      rx.cond(item.required, rx.badge(t("quest.required"), variant="surface", color_scheme="gray"),
                              rx.badge(t("quest.optional"), variant="soft", color_scheme="gray")),
                      spacing="2"),
            # A basis wide enough to read: on phones the buttons move to a line of their own.
            spacing="1", flex="1 1 240px", min_width="0",
        ),
        rx.hstack(
            icon_button("arrow-up", t("quest.question.up"), Q.move(item.id, -1), disabled=item.number == 1),
            icon_button("arrow-down", t("quest.question.down"), Q.move(item.id, 1),
                        disabled=item.number == Q.questions.length()),
            icon_button("pencil", t("quest.question.edit"), Q.start_edit(item.id)),
            icon_button("trash-2", t("quest.question.remove"), Q.remove(item.id), color="var(--red-11)"),
            spacing="1", flex_shrink="0", margin_left="auto",
        ),
        gap="10px", align="start", width="100%", padding_y="10px", border_bottom="1px solid var(--gray-a4)",
        wrap="wrap", role="listitem",
    )


def _add_question() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(t("quest.question.new"), size="3", as_="h3"),
            _label(t("quest.question.text"), "question-new-text"),
            rx.text_area(id="question-new-text", name="text", max_length=1000, required=True, rows="2", size="3",
                         width="100%", placeholder=t("quest.question.placeholder")),
            rx.flex(
                rx.vstack(_label(t("quest.question.kind"), "question-new-kind"),
                          _kind_select("question-new-kind", name="kind", default_value="text"),
                          spacing="1", width=["100%", "220px"]),
                rx.el.label(rx.hstack(rx.switch(name="required", size="3"), rx.text(t("quest.required")),
                                      spacing="2", align="center"),
                            min_height="44px", display="flex", align_items="center"),
                rx.spacer(),
                rx.button(rx.icon("list-plus", size=16), t("quest.question.add"), type="submit", size="3"),
                gap="16px", align="end", width="100%", wrap="wrap",
            ),
            spacing="2", width="100%",
        ),
        on_submit=Q.add_question, reset_on_submit=False, width="100%",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("quest.question.edit")),
            rx.form(
                rx.vstack(
                    _label(t("quest.question.text"), "question-edit-text"),
                    rx.text_area(id="question-edit-text", name="text", default_value=Q.edit_text, max_length=1000,
                                 required=True, rows="3", size="3", width="100%", key=Q.editing.to_string()),
                    _label(t("quest.question.kind"), "question-edit-kind"),
                    _kind_select("question-edit-kind", value=Q.edit_kind, on_change=Q.set_edit_kind),
                    rx.el.label(rx.hstack(rx.switch(checked=Q.edit_required, on_change=Q.set_edit_required,
                                                    size="3"),
                                          rx.text(t("quest.required")), spacing="2", align="center"),
                                min_height="44px", display="flex", align_items="center"),
                    notice(Q.edit_error, tone="error"),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button")),
                        rx.button(t("common.save"), type="submit"),
                        justify="end", width="100%", spacing="3",
                    ),
                    spacing="3", width="100%",
                ),
                on_submit=Q.save_question, reset_on_submit=False, width="100%",
            ),
            max_width="520px",
        ),
        open=Q.editing != 0, on_open_change=Q.set_edit_open,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("quest.template.delete")),
            rx.alert_dialog.description(rx.text.strong(Q.title), " – ", t("quest.template.delete_confirm")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t("quest.template.delete"), color_scheme="red",
                                                 on_click=Q.delete)),
                justify="end", spacing="3", margin_top="16px",
            ),
            max_width="480px",
        ),
        open=Q.confirm_delete, on_open_change=Q.ask_delete,
    )


def _editor() -> rx.Component:
    details = rx.form(
        rx.vstack(
            _label(t("quest.template.title"), "template-title"),
            rx.input(id="template-title", name="title", default_value=Q.title, key="title-" + Q.selected.to_string(),
                     max_length=200, required=True, size="3", width="100%"),
            _label(t("quest.template.intro"), "template-intro"),
            rx.text_area(id="template-intro", name="intro", default_value=Q.intro,
                         key="intro-" + Q.selected.to_string(), max_length=5000, rows="3", size="3", width="100%",
                         placeholder=t("quest.template.intro_placeholder")),
            rx.flex(
                rx.button(rx.icon("trash-2", size=16), t("quest.template.delete"), variant="soft", color_scheme="red",
                          type="button", on_click=Q.ask_delete(True)),
                rx.spacer(),
                rx.button(t("common.save"), type="submit", size="3"),
                gap="8px", width="100%", align="center",
            ),
            spacing="2", width="100%",
        ),
        on_submit=Q.save_template, reset_on_submit=False, width="100%",
    )
    return rx.card(
        rx.vstack(
            details,
            notice(Q.notice, tone="info"),
            notice(Q.error, tone="error"),
            rx.heading(t("quest.questions"), size="4", as_="h2", margin_top="8px"),
            rx.cond(Q.questions.length() > 0,
                    rx.box(rx.foreach(Q.questions, _question_row), width="100%", role="list",
                           aria_label=t("quest.questions")),
                    rx.text(t("quest.questions.empty"), color_scheme="gray", size="2")),
            _add_question(),
            spacing="3", width="100%",
        ),
        width="100%", flex="1", min_width="0", size=rx.breakpoints(initial="2", sm="3"),
    )


def questionnaire_templates_page() -> rx.Component:
    """The page at :data:`routes.STAFF_QUESTIONNAIRES`."""
    return staff_shell(
        rx.vstack(
            page_heading(t("quest.templates.title"), t("quest.templates.subtitle")),
            rx.cond(
                Q.loaded,
                rx.flex(
                    _template_list(),
                    rx.cond(Q.selected != 0, _editor(),
                            empty_state("clipboard-list", t("quest.templates.empty.title"),
                                        t("quest.templates.empty.text"))),
                    direction=rx.breakpoints(initial="column", md="row"), gap="24px", width="100%", align="start",
                ),
                loading(),
            ),
            _edit_dialog(),
            _delete_dialog(),
            width="100%",
        ),
        active=routes.STAFF_QUESTIONNAIRES,
    )
