"""A client's Questionnaires tab in the staff area: send one, follow progress live, read answers."""

import reflex as rx

from portal import realtime, routes
from portal.components.client_frame import client_frame
from portal.components.common import empty_state, notice
from portal.components.paging import load_more
from portal.components.questionnaires import answer_value, progress, question_heading, status_badge
from portal.state.questionnaires import AnswerItem, QuestionnaireRow, TemplateChoice
from portal.state.questionnaires import StaffQuestionnairesState as S
from portal.state.session import t


def _answer(item: AnswerItem) -> rx.Component:
    return rx.vstack(
        question_heading(item),
        rx.box(answer_value(item), padding_left="18px", width="100%"),
        rx.cond(item.note != "", rx.text(item.note, size="1", color_scheme="gray", padding_left="18px")),
        spacing="1", width="100%", padding_y="10px", border_bottom="1px solid var(--gray-a4)", role="listitem",
    )


def _row(row: QuestionnaireRow) -> rx.Component:
    expanded = S.open_id == row.id
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.flex(rx.heading(row.title, size="4", as_="h2", style={"overflow_wrap": "anywhere"}),
                            status_badge(row.submitted), gap="8px", align="center", wrap="wrap"),
                    rx.text(t("quest.sent_on"), " ", row.sent,
                            rx.cond(row.submitted != "", rx.fragment(" · ", t("quest.submitted_on"), " ",
                                                                     row.submitted)),
                            size="1", color_scheme="gray"),
                    spacing="1", flex="1", min_width="0",
                ),
                rx.box(progress(row.answered, row.total, label=row.title), width=["100%", "200px"]),
                gap="12px", align="center", width="100%", wrap="wrap",
            ),
            rx.flex(
                rx.button(rx.icon(rx.cond(expanded, "chevron-up", "chevron-down"), size=16),
                          rx.cond(expanded, t("quest.hide_answers"), t("quest.show_answers")),
                          variant="soft", color_scheme="gray", on_click=S.toggle(row.id),
                          aria_expanded=rx.cond(expanded, "true", "false"),
                          aria_label=rx.cond(expanded, t("quest.hide_answers"), t("quest.show_answers")) + ": "
                          + row.title),
                rx.cond(row.submitted != "",
                        rx.button(rx.icon("lock-open", size=16), t("quest.reopen"), variant="soft",
                                  on_click=S.reopen(row.id), aria_label=t("quest.reopen") + ": " + row.title)),
                gap="8px", wrap="wrap",
            ),
            rx.cond(expanded, rx.box(rx.foreach(S.answers, _answer), width="100%", role="list",
                                     aria_label=t("quest.answers") + ": " + row.title)),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def _send_dialog() -> rx.Component:
    def option(choice: TemplateChoice) -> rx.Component:
        return rx.select.item(choice.label, value=choice.value)

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("quest.send")),
            rx.cond(
                S.templates.length() > 0,
                rx.form(
                    rx.vstack(
                        rx.vstack(
                            rx.el.label(t("quest.send.template"), html_for="send-template", font_size="14px"),
                            rx.select.root(
                                rx.select.trigger(id="send-template", width="100%"),
                                rx.select.content(rx.foreach(S.templates, option), z_index="60"),
                                value=S.send_template, on_change=S.set_send_template, size="3",
                            ),
                            spacing="1", width="100%",
                        ),
                        rx.el.label(rx.hstack(rx.checkbox(name="notify", default_checked=True, size="3",
                                                          aria_label=t("quest.send.notify")),
                                              rx.text(t("quest.send.notify")), spacing="2", align="center"),
                                    min_height="44px", display="flex", align_items="center"),
                        notice(S.send_error, tone="error"),
                        rx.hstack(
                            rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                      type="button")),
                            rx.button(rx.icon("send", size=16), t("quest.send.button"), type="submit"),
                            justify="end", width="100%", spacing="3",
                        ),
                        spacing="4", width="100%",
                    ),
                    on_submit=S.send, reset_on_submit=False, width="100%",
                ),
                rx.vstack(
                    rx.text(t("quest.send.no_templates")),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                        rx.link(rx.button(rx.icon("clipboard-list", size=16), t("quest.templates.manage")),
                                href=routes.STAFF_QUESTIONNAIRES),
                        justify="end", width="100%", spacing="3",
                    ),
                    spacing="4", width="100%",
                ),
            ),
            max_width="480px",
        ),
        open=S.send_open, on_open_change=S.set_send_open,
    )


def client_questionnaires_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENT_QUESTIONNAIRES`."""
    body = rx.vstack(
        notice(S.notice, tone="info"),
        notice(S.error, tone="error"),
        rx.cond(S.rows.length() > 0,
                rx.vstack(rx.foreach(S.rows, _row), spacing="3", width="100%"),
                empty_state("clipboard-list", t("quest.sent.empty.title"), t("quest.sent.empty.text"))),
        load_more(S.has_more, S.load_more),
        _send_dialog(),
        spacing="4", width="100%",
    )
    return client_frame(
        body, active=routes.STAFF_CLIENT_QUESTIONNAIRES, loaded=S.loaded,
        subtitle=rx.text(t("quest.tab.subtitle"), color_scheme="gray"),
        actions=rx.button(rx.icon("send", size=16), t("quest.send"), on_click=S.open_send),
        extra=(realtime.reload_on_change(realtime.LiveState.account, S.refresh),),
    )
