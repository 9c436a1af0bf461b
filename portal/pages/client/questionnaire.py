"""A questionnaire the client fills in: saved per answer as they go, file questions
uploaded with progress, submitted once the required questions are answered."""

import reflex as rx
from reflex_base.event import parse_args_spec, passthrough_event_spec
from reflex_components_core.core.upload import UploadFile

from portal import realtime, routes
from portal.components.common import empty_state, loading, notice
from portal.components.questionnaires import answer_value, progress, question_heading
from portal.components.shell import portal_shell
from portal.components.upload_zone import hide_file_input
from portal.settings import get_settings
from portal.state.file_upload import CANCELLED, DONE, REFUSED, UploadItem
from portal.state.questionnaires import QUESTION_UPLOAD_ID, AnswerItem
from portal.state.questionnaires import ClientQuestionnaireState as K
from portal.state.session import t

# The JS name under which on_drop hands its handlers the picked File objects.
_PICKED = parse_args_spec(passthrough_event_spec(list[UploadFile]))[0][0]
# Phones: big enough to hit with a thumb.
TAP = "44px"


def _field_id(item: AnswerItem) -> rx.Var:
    return "q-" + item.id.to_string()


def _text_field(item: AnswerItem) -> rx.Component:
    return rx.text_area(
        id=_field_id(item), default_value=item.value, key=item.stamp, max_length=10_000, rows="3", size="3",
        width="100%", resize="vertical", on_blur=lambda value: K.save(item.id, value),
    )


def _date_field(item: AnswerItem) -> rx.Component:
    return rx.input(
        id=_field_id(item), type="date", default_value=item.value, key=item.stamp, size="3", height=TAP,
        width=["100%", "240px"], on_blur=lambda value: K.save(item.id, value),
    )


def _yes_no_field(item: AnswerItem) -> rx.Component:
    return rx.radio_cards.root(
        rx.radio_cards.item(t("quest.answer.yes"), value="yes", min_height=TAP),
        rx.radio_cards.item(t("quest.answer.no"), value="no", min_height=TAP),
        value=item.value, on_value_change=lambda value: K.save(item.id, value), columns="2", size="2",
        width=["100%", "320px"], aria_labelledby="qt-" + item.id.to_string(),
    )


def _upload_row(upload: UploadItem) -> rx.Component:
    return rx.vstack(
        rx.flex(rx.icon("file", size=16, flex_shrink="0"),
                rx.text(upload.name, size="2", flex="1", min_width="0", style={"overflow_wrap": "anywhere"}),
                rx.text(upload.size, size="1", color_scheme="gray", white_space="nowrap"),
                gap="8px", align="center", width="100%"),
        rx.match(
            upload.status,
            (DONE, rx.text(t("upload.status.done"), size="1", color_scheme="green")),
            (REFUSED, rx.text(upload.message, size="1", color_scheme="red")),
            (CANCELLED, rx.text(rx.cond(upload.message != "", upload.message, t("upload.status.cancelled")),
                                size="1", color_scheme="gray")),
            rx.progress(value=upload.percent, max=100, width="100%", aria_label=upload.name),
        ),
        spacing="1", width="100%",
    )


def _file_field(item: AnswerItem) -> rx.Component:
    limit = get_settings().max_upload_mb
    # Reflex lifts the dropzone's hook out of the foreach, so its on_drop cannot know the
    # question: the button's click names it, then bubbles to the zone, which opens the picker.
    # Dropping is off because a drop has no such click.
    picker = rx.upload.root(
        rx.button(rx.icon("upload", size=16),
                  rx.cond(item.answered, t("quest.file.replace"), t("quest.file.choose")),
                  type="button", variant="soft", size="3", min_height=TAP, disabled=K.uploading,
                  on_click=K.start_upload(item.id),
                  aria_label=rx.cond(item.answered, t("quest.file.replace"), t("quest.file.choose")) + ": "
                  + item.text),
        id=QUESTION_UPLOAD_ID, multiple=False, max_files=1, max_size=limit * 1024 * 1024, disabled=K.uploading,
        no_drag=True, width="fit-content",
        # The size first (for progress), then the bytes.
        on_drop=[
            K.queue_files(rx.Var(f"({_PICKED}).map((f) => ({{name: f.name, size: f.size}}))")),
            K.receive(rx.upload_files_chunk(upload_id=QUESTION_UPLOAD_ID, on_upload_progress=K.upload_progress)),
        ],
    )
    return rx.vstack(
        rx.cond(item.answered, rx.flex(
            rx.box(answer_value(item), flex="1", min_width="0"),
            rx.icon_button(rx.icon("x", size=18), variant="ghost", color_scheme="gray", type="button", width=TAP,
                           height=TAP, margin="0", on_click=K.save(item.id, ""),
                           aria_label=t("quest.file.remove") + ": " + item.display),
            gap="8px", align="center", width="100%", padding="8px 12px", border_radius="8px",
            background="var(--gray-a2)", border="1px solid var(--gray-a5)",
        )),
        rx.flex(hide_file_input(picker),
                rx.text(t("upload.zone.limit"), " ", limit, " ", t("unit.megabytes"), size="1", color_scheme="gray"),
                gap="12px", align="center", wrap="wrap"),
        rx.cond((K.upload_question == item.id) & (K.upload_items.length() > 0),
                rx.box(rx.foreach(K.upload_items, _upload_row), width="100%", aria_live="polite")),
        spacing="2", width="100%",
    )


def _status(item: AnswerItem) -> rx.Component:
    # Announced politely: "Saved" after each answer, or what is wrong with it.
    return rx.box(
        rx.cond(
            item.error != "",
            rx.hstack(rx.icon("circle-alert", size=14, color="var(--red-11)", flex_shrink="0"),
                      rx.text(item.error, size="1", color_scheme="red"), spacing="1", align="center"),
            rx.cond(item.answered,
                    rx.hstack(rx.icon("check", size=14, color="var(--green-11)", flex_shrink="0"),
                              rx.text(item.note, size="1", color_scheme="green"), spacing="1", align="center")),
        ),
        aria_live="polite", min_height="18px",
    )


def _question(item: AnswerItem) -> rx.Component:
    editable = K.submitted == ""
    labelled = (item.kind == "text") | (item.kind == "date")
    field = rx.match(
        item.kind,
        ("text", _text_field(item)),
        ("yes_no", _yes_no_field(item)),
        ("date", _date_field(item)),
        _file_field(item),
    )
    return rx.card(
        rx.vstack(
            rx.cond(editable & labelled, question_heading(item, label_for=_field_id(item)), question_heading(item)),
            rx.cond(editable, field, answer_value(item)),
            rx.cond(editable, _status(item)),
            spacing="3", width="100%",
        ),
        width="100%", size="2", role="listitem",
        border=rx.cond(item.error != "", "1px solid var(--red-8)", "none"),
    )


def _submit_area() -> rx.Component:
    return rx.cond(
        K.submitted == "",
        rx.vstack(
            notice(K.submit_error, tone="error"),
            rx.button(rx.icon("send", size=18), t("quest.submit"), on_click=K.submit, size="3", min_height="48px",
                      width=["100%", "auto"], disabled=K.uploading),
            rx.text(t("quest.submit.hint"), size="1", color_scheme="gray"),
            spacing="3", width="100%",
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading(K.title, size="7", as_="h1", style={"overflow_wrap": "anywhere"}),
            rx.text(K.account_name, " · ", t("quest.sent_on"), " ", K.sent, size="2", color_scheme="gray"),
            spacing="1", width="100%",
        ),
        rx.cond(K.intro != "", rx.text(K.intro, white_space="pre-wrap", style={"overflow_wrap": "anywhere"})),
        rx.cond(
            K.submitted != "",
            rx.callout(rx.text(rx.text.strong(t("quest.submitted.title")), " ", t("quest.submitted.text"), " (",
                               K.submitted, ")"),
                       icon="circle-check", color_scheme="green", width="100%", role="status"),
            rx.vstack(progress(K.answered, K.total, label=K.title),
                      rx.text(t("quest.autosave"), size="1", color_scheme="gray"), spacing="1", width="100%"),
        ),
        rx.vstack(rx.foreach(K.items, _question), spacing="3", width="100%", role="list",
                  aria_label=t("quest.questions")),
        _submit_area(),
        spacing="4", width="100%",
    )


def questionnaire_page() -> rx.Component:
    """The page at :data:`routes.PORTAL_QUESTIONNAIRE`."""
    return portal_shell(
        rx.vstack(
            realtime.reload_on_change(realtime.LiveState.user, K.refresh),
            rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("quest.back"), align="center", spacing="1"),
                    href=routes.PORTAL, size="2", min_height=TAP, display="flex", align_items="center"),
            rx.cond(
                K.loaded,
                rx.cond(K.not_found, empty_state("search-x", t("quest.not_found.title"), t("quest.not_found.text")),
                        _body()),
                loading(),
            ),
            spacing="3", width="100%", max_width="760px", margin_x="auto",
        ),
        active=routes.PORTAL,
    )

