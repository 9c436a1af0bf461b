"""Pieces of the questionnaire screens shared by the staff tab, the client page and the client home."""

import reflex as rx

from portal.components.common import ACCENT
from portal.state.questionnaires import AnswerItem, QuestionnaireRow
from portal.state.session import t


def kind_label(kind: rx.Var) -> rx.Component:
    """The name of a question kind."""
    return rx.match(kind, ("yes_no", t("quest.kind.yes_no")), ("date", t("quest.kind.date")),
                    ("file", t("quest.kind.file")), t("quest.kind.text"))


def progress(answered: rx.Var, total: rx.Var, *, label: rx.Var) -> rx.Component:
    """"3 / 5 answered" with a bar; green when complete."""
    return rx.vstack(
        rx.text(answered, " / ", total, " ", t("quest.progress"), size="1", color_scheme="gray"),
        rx.progress(value=answered, max=rx.cond(total > 0, total, 1), width="100%", aria_label=label,
                    color_scheme=rx.cond((answered == total) & (total > 0), "green", ACCENT)),
        spacing="1", width="100%",
    )


def status_badge(submitted: rx.Var) -> rx.Component:
    """Open, or submitted (with when)."""
    return rx.cond(
        submitted != "",
        rx.badge(rx.icon("circle-check", size=12), t("quest.status.submitted"), color_scheme="green",
                 variant="soft", title=submitted),
        rx.badge(rx.icon("pencil-line", size=12), t("quest.status.open"), color_scheme="orange", variant="soft"),
    )


def answer_value(item: AnswerItem) -> rx.Component:
    """A saved answer as read (files as download link when the viewer may download)."""
    return rx.cond(
        item.answered,
        rx.cond(
            item.kind == "file",
            rx.hstack(
                rx.icon("paperclip", size=14, flex_shrink="0"),
                rx.cond(item.file_href != "",
                        rx.link(item.display, href=item.file_href,
                                aria_label=t("documents.download") + ": " + item.display,
                                style={"overflow_wrap": "anywhere"}),
                        rx.text(item.display, style={"overflow_wrap": "anywhere"})),
                spacing="2", align="center", min_width="0",
            ),
            rx.text(item.display, white_space="pre-wrap", style={"overflow_wrap": "anywhere"}),
        ),
        rx.text(t("quest.no_answer"), color_scheme="gray", font_style="italic"),
    )


def question_heading(item: AnswerItem, *, label_for: rx.Var | None = None) -> rx.Component:
    """Number, text and "required" of a question; a label for its field when ``label_for`` is given."""
    # A span: a label may hold only phrasing content.
    text = rx.text(item.number, ". ", item.text, as_="span", display="block", weight="medium",
                   white_space="pre-wrap", style={"overflow_wrap": "anywhere"})
    return rx.flex(
        rx.el.label(text, html_for=label_for, id="qt-" + item.id.to_string(), flex="1", min_width="0")
        if label_for is not None else rx.box(text, id="qt-" + item.id.to_string(), flex="1", min_width="0"),
        rx.cond(item.required, rx.badge(t("quest.required"), color_scheme="gray", variant="surface",
                                        flex_shrink="0")),
        gap="8px", align="start", width="100%",
    )


def questionnaire_links(rows: rx.Var[list[QuestionnaireRow]]) -> rx.Component:
    """The client's questionnaires as cards that open them (open ones first)."""
    def card(row: QuestionnaireRow) -> rx.Component:
        return rx.link(
            rx.card(
                rx.flex(
                    rx.center(rx.icon("clipboard-list", size=22, color=f"var(--{ACCENT}-11)"), width="44px",
                              height="44px", border_radius="12px", background=f"var(--{ACCENT}-3)",
                              flex_shrink="0"),
                    rx.vstack(
                        rx.flex(rx.text(row.title, weight="bold", style={"overflow_wrap": "anywhere"}),
                                status_badge(row.submitted), gap="8px", wrap="wrap", align="center"),
                        rx.text(row.account_name, " · ", t("quest.sent_on"), " ", row.sent, size="1",
                                color_scheme="gray"),
                        rx.cond(row.submitted == "", progress(row.answered, row.total, label=row.title)),
                        spacing="1", flex="1", min_width="0",
                    ),
                    rx.icon("chevron-right", size=18, color="var(--gray-9)", flex_shrink="0"),
                    gap="12px", align="center", width="100%",
                ),
                width="100%",
            ),
            href=row.href, underline="none", color="inherit", width="100%",
            aria_label=rx.cond(row.submitted == "", t("quest.fill"), t("quest.view")) + ": " + row.title,
        )

    return rx.cond(
        rx.Var.create(rows).length() > 0,
        rx.vstack(
            rx.heading(t("quest.home.title"), size="5", as_="h2"),
            rx.text(t("quest.home.text"), size="2", color_scheme="gray"),
            rx.foreach(rows, card),
            spacing="2", width="100%",
        ),
    )
