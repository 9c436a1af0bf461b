"""Sent questionnaires: the staff's client tab (send, progress, answers, reopen) and the
client user's page where they answer as they go and submit."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.domain.enums import QuestionKind
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.services import questionnaires
from portal.services.access import NotFound
from portal.services.questionnaires import MissingAnswers, QuestionnaireError
from portal.services.uploads import UploadRefused
from portal.state.client_page import ClientPageState
from portal.state.file_upload import FileUploadMixin
from portal.state.session import Area, path_tail, require_actor, to_login, user_formats, user_locale

QUESTION_UPLOAD_ID = "questionnaire-file"


@dataclasses.dataclass
class QuestionnaireRow:
    """A sent questionnaire in a list, with its progress."""

    id: int = 0
    href: str = ""
    title: str = ""
    account_name: str = ""
    sent: str = ""
    submitted: str = ""
    answered: int = 0
    total: int = 0


@dataclasses.dataclass
class AnswerItem:
    """A question with its answer, ready to show or to edit."""

    id: int = 0
    number: int = 0
    text: str = ""
    kind: str = ""
    required: bool = False
    answered: bool = False
    value: str = ""  # as stored: text, "yes"/"no", ISO date
    display: str = ""  # as read: the text, Ja/Nein, a local date, the file name
    file_href: str = ""
    note: str = ""  # who answered when (staff), when it was saved (client)
    stamp: str = ""  # changes with every save: remounts the field showing the answer
    error: str = ""


def questionnaire_rows(summaries: list[questionnaires.QuestionnaireSummary],
                       formats: fmt.Formats) -> list[QuestionnaireRow]:
    """List lines for questionnaires, in the user's language."""
    return [QuestionnaireRow(id=q.id, href=routes.portal_questionnaire(q.ref), title=q.title,
                             account_name=q.account_name, sent=formats.day(q.sent_at),
                             submitted=formats.datetime(q.submitted_at) if q.submitted_at else "",
                             answered=q.answered, total=q.total) for q in summaries]


def _display(question: questionnaires.QuestionWithAnswer, locale: str) -> str:
    answer = question.answer
    if answer is None:
        return ""
    if question.kind == QuestionKind.YES_NO:
        return translate(locale, f"quest.answer.{answer.value}")
    if question.kind == QuestionKind.DATE:
        return fmt.date(dt.date.fromisoformat(answer.value), locale)
    if question.kind == QuestionKind.FILE:
        return answer.filename
    return answer.value


def _answer_items(view: questionnaires.QuestionnaireView, formats: fmt.Formats, *, staff: bool,
                  errors: dict[int, str]) -> list[AnswerItem]:
    items = []
    for q in view.questions:
        answer = q.answer
        note = ""
        if answer is not None:
            when = formats.datetime(answer.answered_at)
            note = f"{answer.answered_by} · {when}" if staff else f"{translate(formats.locale, 'quest.saved')} · {when}"
        items.append(AnswerItem(
            id=q.id, number=q.number, text=q.text, kind=q.kind, required=q.required, answered=answer is not None,
            value=answer.value if answer else "", display=_display(q, formats.locale),
            file_href=routes.file(answer.file_key) if answer and answer.file_key else "", note=note,
            stamp=f"{q.id}-{answer.answered_at.isoformat() if answer else ''}", error=errors.get(q.id, "")))
    return items


@dataclasses.dataclass
class TemplateChoice:
    """A template in the send dialog's select."""

    value: str = ""
    label: str = ""


class StaffQuestionnairesState(rx.State):
    """The client's Questionnaires tab: send one from a template, follow progress, read answers."""

    rows: list[QuestionnaireRow] = []
    templates: list[TemplateChoice] = []
    send_open: bool = False
    send_template: str = ""
    send_error: str = ""
    notice: str = ""
    open_id: int = 0
    answers: list[AnswerItem] = []
    error: str = ""
    loaded: bool = False
    # How many questionnaires are shown; reloads keep it, "load more" adds a step.
    shown: int = questionnaires.PAGE_SIZE
    has_more: bool = False
    _account_id: int = 0

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.STAFF)

    @rx.event
    async def load(self):
        """Open the client of the URL and list what was sent to it."""
        client = await self.get_state(ClientPageState)
        actor = await client._open()
        if actor is None:
            return to_login(self)
        self.loaded, self.open_id, self.answers, self.notice, self.error = False, 0, [], "", ""
        self.shown = questionnaires.PAGE_SIZE
        if client.not_found:
            self.loaded = True
            return None
        self._account_id = client._account_id
        await self._show(actor)
        return None

    async def _show(self, actor: Actor) -> None:
        formats = await user_formats(self)
        try:
            # One more than shown tells whether a "load more" button is needed.
            summaries = await asyncio.to_thread(questionnaires.account_questionnaires, actor=actor,
                                                account_id=self._account_id, limit=self.shown + 1)
            self.rows, self.has_more = questionnaire_rows(summaries[:self.shown], formats), len(summaries) > self.shown
            if self.open_id and self.open_id in {r.id for r in self.rows}:
                view = await asyncio.to_thread(questionnaires.questionnaire, actor=actor,
                                               questionnaire_id=self.open_id)
                self.answers = _answer_items(view, formats, staff=True, errors={})
            else:
                self.open_id, self.answers = 0, []
        except NotFound:
            # The accountant no longer works this client (assignment removed meanwhile).
            self.rows, self.has_more, self.open_id, self.answers = [], False, 0, []
        self.loaded = True

    @rx.event
    def load_more(self):
        """Show the next step of older questionnaires."""
        self.shown += questionnaires.PAGE_SIZE
        return StaffQuestionnairesState.refresh

    @rx.event
    async def refresh(self):
        """An answer arrived or something else changed for this client: show it."""
        if not self._account_id:
            return None
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        await self._show(actor)
        return None

    @rx.event
    async def toggle(self, questionnaire_id: int):
        """Show a questionnaire's answers below it, or hide them again."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self.open_id = 0 if self.open_id == questionnaire_id else questionnaire_id
        await self._show(actor)
        return None

    @rx.event
    async def open_send(self):
        """Open the send dialog with the firm's current templates."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        templates = await asyncio.to_thread(questionnaires.list_templates, actor=actor)
        self.templates = [TemplateChoice(value=str(t.id), label=f"{t.title} ({t.questions})") for t in templates]
        self.send_template = self.templates[0].value if self.templates else ""
        self.send_error, self.notice, self.send_open = "", "", True
        return None

    @rx.event
    def set_send_open(self, is_open: bool):
        """Closing the dialog (cancel, Escape, overlay)."""
        self.send_open = is_open

    @rx.event
    def set_send_template(self, value: str):
        """The template chosen in the send dialog."""
        self.send_template = value

    @rx.event
    async def send(self, form: dict):
        """Send the chosen template to the client."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        locale = await user_locale(self)
        if not self.send_template.isdigit():
            self.send_error = translate(locale, "quest.send.choose")
            return None
        try:
            result = await asyncio.to_thread(questionnaires.send_questionnaire, actor=actor,
                                             template_id=int(self.send_template), account_id=self._account_id,
                                             notify=bool(form.get("notify")))
        except QuestionnaireError as err:
            self.send_error = translate(locale, err.key, **err.params)
            return None
        except NotFound:
            self.send_error = translate(locale, "quest.error.gone")
            return None
        self.send_open = False
        self.notice = translate(locale, "quest.send.done", count=result.emailed)
        self.open_id = result.questionnaire_id
        await self._show(actor)
        return None

    @rx.event
    async def reopen(self, questionnaire_id: int):
        """Let the client change a submitted questionnaire again."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        try:
            await asyncio.to_thread(questionnaires.reopen, actor=actor, questionnaire_id=questionnaire_id)
            self.error = ""
        except NotFound:
            self.error = translate(await user_locale(self), "quest.error.gone")
        await self._show(actor)
        return None


class ClientQuestionnaireState(FileUploadMixin, rx.State):
    """The questionnaire a client user fills in; every answer is saved when the field is left."""

    title: str = ""
    intro: str = ""
    account_name: str = ""
    sent: str = ""
    submitted: str = ""
    items: list[AnswerItem] = []
    answered: int = 0
    total: int = 0
    submit_error: str = ""
    upload_question: int = 0
    not_found: bool = False
    loaded: bool = False
    _questionnaire_id: int = 0
    _errors: dict[int, str] = {}

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.PORTAL)

    @rx.event
    async def load(self):
        """Check the password login and open the questionnaire of the URL."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        ref = path_tail(self)
        self._questionnaire_id = questionnaires.id_from_ref(ref) or 0
        self._errors, self.submit_error, self.upload_items, self.upload_question = {}, "", [], 0
        self.loaded = False
        await self._show(actor)
        return None

    async def _show(self, actor: Actor) -> None:
        try:
            if not self._questionnaire_id:
                raise NotFound("questionnaire")
            view = await asyncio.to_thread(questionnaires.questionnaire, actor=actor,
                                           questionnaire_id=self._questionnaire_id)
        except NotFound:
            self.not_found, self.loaded, self.items = True, True, []
            return
        formats = await user_formats(self)
        summary = view.summary
        self.title, self.intro, self.account_name = summary.title, view.intro, summary.account_name
        self.sent = formats.day(summary.sent_at)
        self.submitted = formats.datetime(summary.submitted_at) if summary.submitted_at else ""
        self.answered, self.total = summary.answered, summary.total
        self.items = _answer_items(view, formats, staff=False, errors=self._errors)
        self.not_found, self.loaded = False, True

    @rx.event
    async def refresh(self):
        """Something changed for the user (another user answered, the firm reopened): show it."""
        if not self._questionnaire_id:
            return None
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        await self._show(actor)
        return None

    @rx.event
    async def save(self, question_id: int, value: str):
        """Save one answer (text and dates when the field is left, yes/no when picked)."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        current = next((i for i in self.items if i.id == question_id), None)
        if current is not None and current.value == value.strip():
            return None  # left the field without changing it (a "please answer" stays)
        try:
            await asyncio.to_thread(questionnaires.save_answer, actor=actor, question_id=question_id, value=value)
            self._set_error(question_id, "")
            self.submit_error = ""  # it named what was missing then; the button tells again
        except QuestionnaireError as err:
            self._set_error(question_id, translate(await user_locale(self), err.key, **err.params))
        except NotFound:
            self._set_error(question_id, translate(await user_locale(self), "quest.error.gone"))
        await self._show(actor)
        return None

    @rx.event
    def start_upload(self, question_id: int):
        """The user is picking a file for this question; its progress will show there."""
        self.upload_question = question_id
        self.upload_items = []
        self._set_error(question_id, "")

    def _set_error(self, question_id: int, message: str) -> None:
        # Reassigned, not changed in place, so the state is saved as changed.
        errors = {k: v for k, v in self._errors.items() if k != question_id}
        self._errors = {**errors, question_id: message} if message else errors

    async def _save_file(self, actor: Actor | None, filename: str, data: AsyncIterator[bytes]) -> None:
        if actor is None or not self.upload_question:
            raise NotFound("question")
        try:
            await questionnaires.upload_answer(actor=actor, question_id=self.upload_question, filename=filename,
                                               chunks=data)
        except QuestionnaireError as err:
            raise UploadRefused(err.key) from err

    @rx.event(background=True)
    async def receive(self, chunks: rx.UploadChunkIterator):
        """Stream the picked file into the uploads folder as the question's answer."""
        async with self:
            actor = await self._actor()
        if actor is None:
            return to_login(self)
        stored = await self._receive_all(actor, chunks)
        async with self:
            if stored:
                self.upload_items, self.submit_error = [], ""  # the answer itself now shows the file
            await self._show(actor)
        return None

    @rx.event
    async def submit(self):
        """Hand the answers to the firm, or say which required questions are missing."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        locale = await user_locale(self)
        try:
            await asyncio.to_thread(questionnaires.submit, actor=actor, questionnaire_id=self._questionnaire_id)
            self.submit_error, self._errors = "", {}
        except MissingAnswers as missing:
            self.submit_error = translate(locale, missing.key, **missing.params)
            self._errors = {**self._errors, **{i: translate(locale, "quest.missing") for i in missing.question_ids}}
        except QuestionnaireError as err:
            self.submit_error = translate(locale, err.key, **err.params)
        except NotFound:
            self.submit_error = translate(locale, "quest.error.gone")
        await self._show(actor)
        return None
