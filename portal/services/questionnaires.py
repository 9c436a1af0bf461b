"""Questionnaires ("Fragebögen", organizers): firm-wide templates, copies sent to clients,
answers saved as the client goes, submitted once complete, reopened by the firm.

A template is a :class:`Questionnaire` without an account. Sending copies it with its
questions onto one client account, so later edits of the template never change what a
client was asked. Client users with a password login and full access to the account
answer; a file answer is streamed into the account's uploads folder like every other
client upload. After submitting, the questionnaire is read-only until staff reopen it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer
from sqlalchemy import func
from sqlmodel import Session, select

from portal import realtime, routes
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import AccountKind, QuestionKind, SubjectKind
from portal.domain.errors import UserError
from portal.domain.files import DOCUMENT_TYPES
from portal.domain.text import clean_block, clean_line
from portal.models import (
    AccountContact,
    Answer,
    ClientAccount,
    Contact,
    Document,
    Firm,
    Question,
    Questionnaire,
)
from portal.notify import outbox
from portal.services import access, db, folders, notifications
from portal.services.uploads import StoredUpload, save_upload
from portal.settings import get_settings

MAX_TITLE_CHARS = 200
MAX_INTRO_CHARS = 5000
MAX_QUESTION_CHARS = 1000
MAX_QUESTIONS = 100
MAX_TEXT_ANSWER_CHARS = 10_000
YES, NO = "yes", "no"
EMAIL_TEMPLATE = "questionnaire_sent"
# Questionnaires per step of a list ("load more" asks for the next step).
PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# How much of each missing question the submit error quotes.
_MISSING_QUOTE_CHARS = 60


class QuestionnaireError(UserError):
    """Refused input or step; ``key`` is the catalog key, ``params`` fill it in."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.params = params


class MissingAnswers(QuestionnaireError):
    """Submit refused: required questions are unanswered (``question_ids``, in order)."""

    def __init__(self, questions: list[tuple[int, int, str]]) -> None:
        quoted = ", ".join(f"{number}. {_shorten(text)}" for _id, number, text in questions)
        super().__init__("quest.error.missing", questions=quoted)
        self.question_ids = tuple(question_id for question_id, _n, _t in questions)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MISSING_QUOTE_CHARS else text[:_MISSING_QUOTE_CHARS - 1].rstrip() + "…"


# References in URLs and emails.


def _signer() -> Signer:
    return Signer(get_settings().secret_key, salt="portal.questionnaire")


def public_ref(questionnaire_id: int) -> str:
    """The reference of a sent questionnaire in URLs and emails.

    The id signed with the server secret: links cannot be found by counting, without a
    random column in the table. Access is still checked on every use.
    """
    return _signer().sign(str(questionnaire_id)).decode()


def id_from_ref(ref: str) -> int | None:
    """The questionnaire id behind a reference, or None if it was not made here."""
    try:
        value = _signer().unsign(ref).decode()
    except BadSignature:
        return None
    return int(value) if value.isdigit() else None


# What the services return.


@dataclass(frozen=True)
class QuestionInfo:
    """A question of a template."""

    id: int
    number: int
    text: str
    kind: str
    required: bool


@dataclass(frozen=True)
class TemplateSummary:
    """A template in the firm's list."""

    id: int
    title: str
    questions: int


@dataclass(frozen=True)
class TemplateView:
    """A template with its questions, for the builder."""

    id: int
    title: str
    intro: str
    questions: tuple[QuestionInfo, ...]


@dataclass(frozen=True)
class AnswerInfo:
    """A saved answer. ``file_key`` is empty when there is no file or the viewer may not download it."""

    value: str
    filename: str
    file_key: str
    answered_at: dt.datetime
    answered_by: str


@dataclass(frozen=True)
class QuestionWithAnswer:
    """A question of a sent questionnaire and its answer, if any."""

    id: int
    number: int
    text: str
    kind: str
    required: bool
    answer: AnswerInfo | None


@dataclass(frozen=True)
class QuestionnaireSummary:
    """A sent questionnaire in a list, with its progress."""

    id: int
    ref: str
    account_id: int
    account_name: str
    title: str
    sent_at: dt.datetime
    submitted_at: dt.datetime | None
    answered: int
    total: int


@dataclass(frozen=True)
class QuestionnaireView:
    """A sent questionnaire with its questions and answers."""

    summary: QuestionnaireSummary
    intro: str
    questions: tuple[QuestionWithAnswer, ...]


@dataclass(frozen=True)
class SendResult:
    """What sending did: the client's copy, and how many client users were emailed."""

    questionnaire_id: int
    emailed: int


# Input checks.


def _clean_title(title: str) -> str:
    title = clean_line(title)
    if not title:
        raise QuestionnaireError("quest.error.title_empty")
    if len(title) > MAX_TITLE_CHARS:
        raise QuestionnaireError("quest.error.title_too_long")
    return title


def _clean_intro(intro: str) -> str:
    intro = clean_block(intro)
    if len(intro) > MAX_INTRO_CHARS:
        raise QuestionnaireError("quest.error.intro_too_long")
    return intro


def _clean_question(text: str, kind: str) -> tuple[str, QuestionKind]:
    text = clean_block(text)
    if not text:
        raise QuestionnaireError("quest.error.question_empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionnaireError("quest.error.question_too_long")
    try:
        return text, QuestionKind(kind)
    except ValueError:
        raise QuestionnaireError("quest.error.kind") from None


def _clean_answer(kind: str, value: str) -> str:
    """The answer as stored, or an error saying what a question of ``kind`` takes.

    An empty result means "no answer". File questions are answered by upload only.

    Raises:
        QuestionnaireError: Too long text, not yes/no, not an ISO date, or text for a file.
    """
    value = clean_block(value)
    if kind == QuestionKind.TEXT:
        if len(value) > MAX_TEXT_ANSWER_CHARS:
            raise QuestionnaireError("quest.error.answer_too_long")
        return value
    if kind == QuestionKind.YES_NO:
        if value not in (YES, NO, ""):
            raise QuestionnaireError("quest.error.yes_no")
        return value
    if kind == QuestionKind.DATE:
        if not value:
            return ""
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(value)
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise QuestionnaireError("quest.error.date") from None
    if value:
        raise QuestionnaireError("quest.error.file_by_upload")
    return ""


# Templates (staff).


def _template(s: Session, actor: Actor, template_id: int) -> Questionnaire:
    access.require_staff(actor)
    template = s.get(Questionnaire, template_id)
    if template is None or template.account_id is not None:
        raise access.NotFound("questionnaire")
    return template


def _questions(s: Session, questionnaire_id: int) -> list[Question]:
    return list(s.exec(select(Question).where(Question.questionnaire_id == questionnaire_id)
                       .order_by(Question.position, Question.id)).all())


def _template_question(s: Session, actor: Actor, question_id: int) -> tuple[Question, Questionnaire]:
    access.require_staff(actor)
    question = s.get(Question, question_id)
    if question is None:
        raise access.NotFound("question")
    # Only templates are edited; a client's copy keeps what the client was asked.
    return question, _template(s, actor, question.questionnaire_id)


def list_templates(*, actor: Actor) -> list[TemplateSummary]:
    """The firm's templates by title (any staff member).

    Raises:
        AccessDenied: If the actor is not staff.
    """
    access.require_staff(actor)
    with db.session() as s:
        counts = dict(s.exec(select(Question.questionnaire_id, func.count()).join(
            Questionnaire, Questionnaire.id == Question.questionnaire_id)
            .where(Questionnaire.account_id.is_(None)).group_by(Question.questionnaire_id)).all())
        rows = s.exec(select(Questionnaire).where(Questionnaire.account_id.is_(None))).all()
        return sorted((TemplateSummary(id=r.id, title=r.title, questions=counts.get(r.id, 0)) for r in rows),
                      key=lambda t: (t.title.casefold(), t.id))


def template(*, actor: Actor, template_id: int) -> TemplateView:
    """A template with its questions in order (staff).

    Raises:
        NotFound: Unknown template (or the actor is not staff).
    """
    with db.session() as s:
        row = _template(s, actor, template_id)
        questions = tuple(QuestionInfo(id=q.id, number=i, text=q.text, kind=q.kind, required=q.required)
                          for i, q in enumerate(_questions(s, row.id), start=1))
        return TemplateView(id=row.id, title=row.title, intro=row.intro, questions=questions)


def create_template(*, actor: Actor, title: str, intro: str = "") -> int:
    """Create an empty template (staff).

    Returns:
        The template's id.

    Raises:
        QuestionnaireError: Empty or too long title or intro.
        AccessDenied: If the actor is not staff.
    """
    access.require_staff(actor)
    title, intro = _clean_title(title), _clean_intro(intro)
    with db.session() as s:
        row = Questionnaire(title=title, intro=intro, created_by=actor.id)
        s.add(row)
        s.commit()
        return row.id


def update_template(*, actor: Actor, template_id: int, title: str, intro: str) -> None:
    """Rename a template and change its introduction (staff). Sent copies stay as they were.

    Raises:
        QuestionnaireError: Empty or too long title or intro.
        NotFound: Unknown template.
    """
    title, intro = _clean_title(title), _clean_intro(intro)
    with db.session() as s:
        row = _template(s, actor, template_id)
        row.title, row.intro = title, intro
        s.add(row)
        s.commit()


def delete_template(*, actor: Actor, template_id: int) -> None:
    """Delete a template and its questions (staff). Questionnaires sent from it stay.

    Raises:
        NotFound: Unknown template.
    """
    with db.session() as s:
        row = _template(s, actor, template_id)
        for copy in s.exec(select(Questionnaire).where(Questionnaire.template_id == row.id)).all():
            copy.template_id = None
            s.add(copy)
        for question in _questions(s, row.id):
            s.delete(question)
        s.flush()
        s.delete(row)
        s.commit()


def add_question(*, actor: Actor, template_id: int, text: str, kind: str, required: bool = False) -> int:
    """Add a question at the end of a template (staff).

    Returns:
        The question's id.

    Raises:
        QuestionnaireError: Empty or too long text, unknown kind, too many questions.
        NotFound: Unknown template.
    """
    text, question_kind = _clean_question(text, kind)
    with db.session() as s:
        row = _template(s, actor, template_id)
        count = len(_questions(s, row.id))
        if count >= MAX_QUESTIONS:
            raise QuestionnaireError("quest.error.too_many")
        question = Question(questionnaire_id=row.id, position=count, text=text, kind=question_kind,
                            required=required)
        s.add(question)
        s.commit()
        return question.id


def update_question(*, actor: Actor, question_id: int, text: str, kind: str, required: bool) -> None:
    """Change a template's question: text, kind and whether it must be answered (staff).

    Raises:
        QuestionnaireError: Empty or too long text, unknown kind.
        NotFound: Unknown question, or one of a sent questionnaire.
    """
    text, question_kind = _clean_question(text, kind)
    with db.session() as s:
        question, _template_row = _template_question(s, actor, question_id)
        question.text, question.kind, question.required = text, question_kind, required
        s.add(question)
        s.commit()


def move_question(*, actor: Actor, question_id: int, offset: int) -> None:
    """Move a template's question up (``offset`` -1) or down (+1); at either end nothing moves.

    Raises:
        NotFound: Unknown question, or one of a sent questionnaire.
    """
    with db.session() as s:
        question, row = _template_question(s, actor, question_id)
        ordered = _questions(s, row.id)
        index = next(i for i, q in enumerate(ordered) if q.id == question.id)
        target = index + (1 if offset > 0 else -1)
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(s, ordered)
        s.commit()


def remove_question(*, actor: Actor, question_id: int) -> None:
    """Remove a question from a template (staff).

    Raises:
        NotFound: Unknown question, or one of a sent questionnaire.
    """
    with db.session() as s:
        question, row = _template_question(s, actor, question_id)
        s.delete(question)
        s.flush()
        _renumber(s, _questions(s, row.id))
        s.commit()


def _renumber(s: Session, ordered: list[Question]) -> None:
    for position, question in enumerate(ordered):
        if question.position != position:
            question.position = position
            s.add(question)


# Sending (staff).


def _client_readers(s: Session, account_id: int) -> list[AccountContact]:
    """The account's client users who may open questionnaires (portal login, full access)."""
    return list(s.exec(select(AccountContact).where(
        AccountContact.account_id == account_id, AccountContact.login == True,  # noqa: E712
        AccountContact.full_access == True)).all())  # noqa: E712


def _rooms(s: Session, account_id: int) -> set[str]:
    """Who watches an account's questionnaires: its staff tabs and its client users' tabs."""
    return {realtime.account_room(account_id),
            *(realtime.user_room(SubjectKind.CONTACT.value, link.contact_id) for link in _client_readers(s, account_id))}


def send_questionnaire(*, actor: Actor, template_id: int, account_id: int, notify: bool = True) -> SendResult:
    """Send a template to a client: copy it with its questions onto the account (staff).

    Args:
        actor: Staff working the account.
        template_id: The template to copy.
        account_id: The client.
        notify: Email the client users who may answer (in their language), unless they
            switched the account's notices off.

    Raises:
        QuestionnaireError: The template has no questions, or the account is the guest account.
        NotFound: Unknown template, or not the actor's client.
    """
    with db.session() as s:
        account = access.staff_account(s, actor, account_id)
        source = _template(s, actor, template_id)
        questions = _questions(s, source.id)
        if not questions:
            raise QuestionnaireError("quest.error.no_questions")
        if account.kind == AccountKind.GUEST:
            raise QuestionnaireError("quest.error.guest")
        copy = Questionnaire(account_id=account.id, template_id=source.id, title=source.title, intro=source.intro,
                             created_by=actor.id, sent_at=utcnow())
        s.add(copy)
        s.flush()
        s.add_all(Question(questionnaire_id=copy.id, position=position, text=q.text, kind=q.kind,
                           required=q.required, choices=list(q.choices))
                  for position, q in enumerate(questions))
        emailed = _queue_emails(s, copy, staff_name=actor.name) if notify else 0
        s.commit()
        rooms = _rooms(s, account.id)
    realtime.publish(rooms)
    return SendResult(questionnaire_id=copy.id, emailed=emailed)


def _queue_emails(s: Session, questionnaire: Questionnaire, *, staff_name: str) -> int:
    firm = s.exec(select(Firm)).first()
    link = get_settings().base_url + routes.portal_questionnaire(public_ref(questionnaire.id))
    emailed = 0
    for account_link in _client_readers(s, questionnaire.account_id):
        contact = s.get(Contact, account_link.contact_id)
        if not account_link.notify or contact is None or not contact.email:
            continue
        outbox.queue(s, to=contact.email, template=EMAIL_TEMPLATE, context={
            "locale": contact.locale or "de", "name": f"{contact.first_name} {contact.last_name}".strip(),
            "firm_name": firm.name if firm else "", "title": questionnaire.title, "sender": staff_name,
            "link": link})
        emailed += 1
    return emailed


# Reading sent questionnaires (staff of the account; client users with full access).


def _sent(s: Session, questionnaire_id: int) -> Questionnaire:
    row = s.get(Questionnaire, questionnaire_id)
    if row is None or row.account_id is None or row.sent_at is None:
        raise access.NotFound("questionnaire")
    return row


def _client_accounts(s: Session, actor: Actor) -> list[int]:
    """Accounts where the contact may answer questionnaires."""
    access.require_contact(actor)
    access.require_full_login(actor)
    return list(s.exec(select(AccountContact.account_id).where(
        AccountContact.contact_id == actor.id, AccountContact.login == True,  # noqa: E712
        AccountContact.full_access == True)).all())  # noqa: E712


def _readable(s: Session, actor: Actor, questionnaire_id: int) -> Questionnaire:
    """A sent questionnaire the actor may read.

    Raises:
        NotFound: Unknown, a template, or not the actor's (indistinguishable on purpose).
        AccessDenied: A session opened by an email link.
    """
    access.require_full_login(actor)
    row = _sent(s, questionnaire_id)
    if actor.is_staff:
        access.staff_account(s, actor, row.account_id)
    elif row.account_id not in _client_accounts(s, actor):
        raise access.NotFound("questionnaire")
    return row


def _is_answered(answer: Answer) -> bool:
    # A file answer whose document staff deleted meanwhile is empty again.
    return bool(answer.value) or answer.document_id is not None


def _summaries(s: Session, rows: Iterable[Questionnaire]) -> list[QuestionnaireSummary]:
    rows = list(rows)
    if not rows:
        return []
    ids = [r.id for r in rows]
    totals = dict(s.exec(select(Question.questionnaire_id, func.count()).where(Question.questionnaire_id.in_(ids))
                         .group_by(Question.questionnaire_id)).all())
    answered: dict[int, int] = {}
    for questionnaire_id, answer in s.exec(select(Question.questionnaire_id, Answer).join(
            Answer, Answer.question_id == Question.id).where(Question.questionnaire_id.in_(ids))).all():
        answered[questionnaire_id] = answered.get(questionnaire_id, 0) + _is_answered(answer)
    names = dict(s.exec(select(ClientAccount.id, ClientAccount.name)
                        .where(ClientAccount.id.in_({r.account_id for r in rows}))).all())
    return [QuestionnaireSummary(id=r.id, ref=public_ref(r.id), account_id=r.account_id,
                                 account_name=names.get(r.account_id, ""), title=r.title, sent_at=r.sent_at,
                                 submitted_at=r.submitted_at, answered=answered.get(r.id, 0),
                                 total=totals.get(r.id, 0)) for r in rows]


def _open_first(clauses: list, limit: int):
    """Sent questionnaires matching ``clauses``: open ones first, then newest sent first."""
    return select(Questionnaire).where(*clauses, Questionnaire.sent_at.is_not(None)).order_by(
        Questionnaire.submitted_at.is_not(None), Questionnaire.sent_at.desc(), Questionnaire.id.desc(),
    ).limit(max(1, min(limit, MAX_PAGE_SIZE)))


def client_questionnaires(*, actor: Actor, limit: int = PAGE_SIZE) -> list[QuestionnaireSummary]:
    """The questionnaires of every account where the client user may answer: open ones first.

    Args:
        actor: A client user with a full login.
        limit: Most questionnaires returned.

    Raises:
        AccessDenied: Not a client user, or a session opened by an email link.
    """
    with db.session() as s:
        accounts = _client_accounts(s, actor)
        rows = s.exec(_open_first([Questionnaire.account_id.in_(accounts)], limit)).all() if accounts else []
        return _summaries(s, rows)


def account_questionnaires(*, actor: Actor, account_id: int, limit: int = PAGE_SIZE) -> list[QuestionnaireSummary]:
    """The questionnaires sent to one client, open ones first (staff working the account).

    Args:
        actor: Staff working the account.
        account_id: The account.
        limit: Most questionnaires returned (the tab pages by asking for more).

    Raises:
        NotFound: Not the actor's client.
    """
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        return _summaries(s, s.exec(_open_first([Questionnaire.account_id == account_id], limit)).all())


def questionnaire(*, actor: Actor, questionnaire_id: int) -> QuestionnaireView:
    """A sent questionnaire with its questions and answers, as the actor may see it.

    Client users get a file's download key only while the file's folder is shared with
    them; staff always.

    Raises:
        NotFound: Unknown, or not the actor's to read.
        AccessDenied: A session opened by an email link.
    """
    with db.session() as s:
        row = _readable(s, actor, questionnaire_id)
        questions = _questions(s, row.id)
        answers = {a.question_id: a for a in s.exec(select(Answer).where(
            Answer.question_id.in_([q.id for q in questions]))).all()} if questions else {}
        docs = {d.id: d for d in s.exec(select(Document).where(
            Document.id.in_({a.document_id for a in answers.values() if a.document_id}))).all()}
        names = {c.id: f"{c.first_name} {c.last_name}".strip() for c in s.exec(
            select(Contact).where(Contact.id.in_({a.contact_id for a in answers.values()}))).all()}
        items = []
        for number, question in enumerate(questions, start=1):
            answer = answers.get(question.id)
            info = None
            if answer is not None and _is_answered(answer):
                doc = docs.get(answer.document_id)
                info = AnswerInfo(value=answer.value, filename=doc.filename if doc else "",
                                  file_key=doc.blob_key if doc and _may_download(s, actor, doc) else "",
                                  answered_at=answer.answered_at, answered_by=names.get(answer.contact_id, ""))
            items.append(QuestionWithAnswer(id=question.id, number=number, text=question.text, kind=question.kind,
                                            required=question.required, answer=info))
        return QuestionnaireView(summary=_summaries(s, [row])[0], intro=row.intro, questions=tuple(items))


def _may_download(s: Session, actor: Actor, doc: Document) -> bool:
    """Whether the download route will hand the document to the actor (same rule as documents)."""
    if actor.is_staff:
        return True
    try:
        folders.visible_folder(s, actor, doc.folder_id)
    except access.NotFound:
        return False
    return True


# Answering (client users).


def _answerable(s: Session, actor: Actor, question_id: int) -> tuple[Question, Questionnaire]:
    """A question the client user may answer now, its questionnaire locked for this transaction.

    Raises:
        NotFound: Unknown question, a template's, or not the actor's.
        AccessDenied: Staff, or a session opened by an email link.
        QuestionnaireError: Already submitted.
    """
    access.require_contact(actor)
    question = s.get(Question, question_id)
    if question is None:
        raise access.NotFound("question")
    # FOR UPDATE (Postgres): an answer saved while another user of the client submits
    # must not slip in after the submit.
    s.exec(select(Questionnaire.id).where(Questionnaire.id == question.questionnaire_id).with_for_update()).first()
    row = _readable(s, actor, question.questionnaire_id)
    if row.submitted_at is not None:
        raise QuestionnaireError("quest.error.submitted")
    return question, row


def _store_answer(s: Session, question: Question, actor: Actor, *, value: str, document_id: int | None) -> None:
    answer = s.exec(select(Answer).where(Answer.question_id == question.id)).first()
    if not value and document_id is None:
        if answer is not None:
            s.delete(answer)
        return
    answer = answer or Answer(question_id=question.id, contact_id=actor.id)
    answer.value, answer.document_id = value, document_id
    answer.contact_id, answer.answered_at = actor.id, utcnow()
    s.add(answer)


def save_answer(*, actor: Actor, question_id: int, value: str) -> None:
    """Save the client user's answer to one question; an empty value takes the answer back.

    Taking back a file answer leaves the file in the uploads folder.

    Raises:
        QuestionnaireError: A value the question's kind does not take, or already submitted.
        NotFound: Not the actor's question.
        AccessDenied: Staff, or a session opened by an email link.
    """
    with db.session() as s:
        question, row = _answerable(s, actor, question_id)
        _store_answer(s, question, actor, value=_clean_answer(question.kind, value), document_id=None)
        s.commit()
        rooms = _rooms(s, row.account_id)
    realtime.publish(rooms)


async def upload_answer(*, actor: Actor, question_id: int, filename: str, chunks: AsyncIterator[bytes]) -> int:
    """Answer a file question: stream the file into the account's uploads folder.

    A file answered before stays in the folder; the answer points to the new one.

    Returns:
        The new document's id.

    Raises:
        UploadRefused: Too large, empty or a refused type (nothing is stored).
        QuestionnaireError: Not a file question, or already submitted.
        NotFound: Not the actor's question.
        AccessDenied: Staff, or a session opened by an email link.
    """
    await asyncio.to_thread(_check_file_question, actor, question_id)

    def write(upload: StoredUpload) -> tuple[int, set[str]]:
        with db.session() as s:
            # Checked again: the questionnaire may have been submitted while the bytes streamed.
            question, row = _file_question(s, actor, question_id)
            folder = folders.uploads_folder(s, row.account_id)
            doc = Document(account_id=row.account_id, folder_id=folder.id, blob_key=upload.key,
                           filename=upload.filename, size=upload.size, content_type=upload.content_type,
                           sha256=upload.sha256, uploaded_by_kind=actor.kind, uploaded_by_id=actor.id)
            s.add(doc)
            s.flush()
            notifications.collect_document(s, document=doc)
            _store_answer(s, question, actor, value="", document_id=doc.id)
            s.commit()
            return doc.id, _rooms(s, row.account_id)

    document_id, rooms = await save_upload(chunks, filename=filename, allowed=DOCUMENT_TYPES, write=write)
    realtime.publish(rooms)
    return document_id


def _file_question(s: Session, actor: Actor, question_id: int) -> tuple[Question, Questionnaire]:
    question, row = _answerable(s, actor, question_id)
    if question.kind != QuestionKind.FILE:
        raise QuestionnaireError("quest.error.not_file")
    return question, row


def _check_file_question(actor: Actor, question_id: int) -> None:
    with db.session() as s:
        _file_question(s, actor, question_id)


def submit(*, actor: Actor, questionnaire_id: int) -> None:
    """Hand the answers to the firm; the questionnaire is read-only afterwards.

    Raises:
        MissingAnswers: Required questions are unanswered (the error names them).
        QuestionnaireError: Already submitted.
        NotFound: Not the actor's questionnaire.
        AccessDenied: Staff, or a session opened by an email link.
    """
    access.require_contact(actor)
    with db.session() as s:
        s.exec(select(Questionnaire.id).where(Questionnaire.id == questionnaire_id).with_for_update()).first()
        row = _readable(s, actor, questionnaire_id)
        if row.submitted_at is not None:
            raise QuestionnaireError("quest.error.submitted")
        questions = _questions(s, row.id)
        answered = {a.question_id for a in s.exec(select(Answer).where(
            Answer.question_id.in_([q.id for q in questions]))).all() if _is_answered(a)} if questions else set()
        missing = [(q.id, number, q.text) for number, q in enumerate(questions, start=1)
                   if q.required and q.id not in answered]
        if missing:
            raise MissingAnswers(missing)
        row.submitted_at = utcnow()
        s.add(row)
        s.commit()
        rooms = _rooms(s, row.account_id)
    realtime.publish(rooms)


def reopen(*, actor: Actor, questionnaire_id: int) -> None:
    """Open a submitted questionnaire for changes again (staff working the account).

    Raises:
        NotFound: Not the actor's client's questionnaire.
    """
    access.require_staff(actor)
    with db.session() as s:
        row = _readable(s, actor, questionnaire_id)
        row.submitted_at = None
        s.add(row)
        s.commit()
        rooms = _rooms(s, row.account_id)
    realtime.publish(rooms)
