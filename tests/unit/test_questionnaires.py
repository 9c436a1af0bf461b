"""Questionnaires: templates built by the firm, copies sent to clients, answers per kind,
file answers into the uploads folder, submit with required questions, reopen, access."""

import asyncio
import dataclasses

import pytest
from sqlmodel import select

from portal import realtime, routes
from portal.domain.enums import SessionScope
from portal.models import Answer, Contact, Document, Folder, Outbox, Question, Questionnaire
from portal.notify.emails import render
from portal.services import db, documents, questionnaires
from portal.services.access import AccessDenied, NotFound
from portal.services.questionnaires import MissingAnswers, QuestionnaireError
from portal.services.uploads import UploadRefused
from tests import factories

PDF = b"%PDF-1.4\n" + b"q" * 900


async def _chunks(data: bytes):
    for i in range(0, len(data), 256):
        yield data[i:i + 256]


def upload(actor, question_id, data=PDF, name="Lohnsteuerbescheinigung.pdf"):
    return asyncio.run(questionnaires.upload_answer(actor=actor, question_id=question_id, filename=name,
                                                    chunks=_chunks(data)))


@pytest.fixture
def firm(fresh_db, monkeypatch):
    published = []
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: published.append(set(rooms)))
    factories.firm(name="Kanzlei Berg")
    anna_user = factories.staff(name="Anna Schmidt")
    account = factories.client(name="Fragen GmbH", accountants=(anna_user,))
    maria_contact = factories.contact(account=account)
    other_account = factories.client(name="Fremd AG", accountants=(factories.staff(name="Jonas Weber"),))
    return {
        "anna": factories.actor(anna_user), "account": account,
        "maria": factories.actor(maria_contact),
        "limited": factories.actor(factories.contact(account=account, first="Lutz", full_access=False)),
        "otto": factories.actor(factories.contact(account=other_account, first="Otto")),
        "jonas": factories.actor(factories.staff(name="Jonas Weber")),
        "other_account": other_account, "published": published,
    }


def _template(anna) -> tuple[int, dict[str, int]]:
    template_id = questionnaires.create_template(actor=anna, title="  Einkommensteuer   2026 ",
                                                 intro="Bitte bis Ende Mai ausfüllen.")
    ids = {
        "job": questionnaires.add_question(actor=anna, template_id=template_id, text="Wo arbeiten Sie?",
                                           kind="text", required=True),
        "married": questionnaires.add_question(actor=anna, template_id=template_id, text="Sind Sie verheiratet?",
                                               kind="yes_no", required=True),
        "moved": questionnaires.add_question(actor=anna, template_id=template_id, text="Umzugsdatum", kind="date"),
        "payslip": questionnaires.add_question(actor=anna, template_id=template_id,
                                               text="Lohnsteuerbescheinigung", kind="file", required=True),
    }
    return template_id, ids


def _sent(firm, notify=False) -> tuple[int, dict[str, int]]:
    """Send the standard template to the firm's client; the copy's question ids by name."""
    template_id, _ids = _template(firm["anna"])
    result = questionnaires.send_questionnaire(actor=firm["anna"], template_id=template_id,
                                               account_id=firm["account"].id, notify=notify)
    view = questionnaires.questionnaire(actor=firm["anna"], questionnaire_id=result.questionnaire_id)
    names = ["job", "married", "moved", "payslip"]
    return result.questionnaire_id, {name: q.id for name, q in zip(names, view.questions, strict=True)}


# Templates


def test_template_crud_and_question_order(firm):
    anna = firm["anna"]
    template_id, ids = _template(anna)
    view = questionnaires.template(actor=anna, template_id=template_id)
    assert view.title == "Einkommensteuer 2026" and view.intro == "Bitte bis Ende Mai ausfüllen."
    assert [(q.number, q.kind, q.required) for q in view.questions] == [
        (1, "text", True), (2, "yes_no", True), (3, "date", False), (4, "file", True)]

    questionnaires.move_question(actor=anna, question_id=ids["payslip"], offset=-1)
    questionnaires.move_question(actor=anna, question_id=ids["job"], offset=-1)  # already first: stays
    questionnaires.update_question(actor=anna, question_id=ids["moved"], text="Wann sind Sie umgezogen?",
                                   kind="date", required=True)
    questionnaires.remove_question(actor=anna, question_id=ids["married"])
    view = questionnaires.template(actor=anna, template_id=template_id)
    assert [q.text for q in view.questions] == ["Wo arbeiten Sie?", "Lohnsteuerbescheinigung",
                                                "Wann sind Sie umgezogen?"]
    assert view.questions[2].required
    with db.session() as s:
        assert [q.position for q in s.exec(select(Question).where(Question.questionnaire_id == template_id)
                                           .order_by(Question.position)).all()] == [0, 1, 2]

    questionnaires.update_template(actor=anna, template_id=template_id, title="ESt 2026", intro="")
    assert [(t.title, t.questions) for t in questionnaires.list_templates(actor=anna)] == [("ESt 2026", 3)]
    questionnaires.delete_template(actor=anna, template_id=template_id)
    assert questionnaires.list_templates(actor=anna) == []
    with db.session() as s:
        assert s.exec(select(Question)).all() == []


@pytest.mark.parametrize(("call", "key"), [
    (lambda a, t: questionnaires.create_template(actor=a, title="   "), "quest.error.title_empty"),
    (lambda a, t: questionnaires.create_template(actor=a, title="x" * 201), "quest.error.title_too_long"),
    (lambda a, t: questionnaires.add_question(actor=a, template_id=t, text=" ", kind="text"),
     "quest.error.question_empty"),
    (lambda a, t: questionnaires.add_question(actor=a, template_id=t, text="x" * 1001, kind="text"),
     "quest.error.question_too_long"),
    (lambda a, t: questionnaires.add_question(actor=a, template_id=t, text="Farbe?", kind="color"),
     "quest.error.kind"),
])
def test_bad_template_input(firm, call, key):
    template_id = questionnaires.create_template(actor=firm["anna"], title="Vorlage")
    with pytest.raises(QuestionnaireError) as refused:
        call(firm["anna"], template_id)
    assert refused.value.key == key


def test_question_text_may_be_1000_chars(firm):
    template_id = questionnaires.create_template(actor=firm["anna"], title="Vorlage")
    questionnaires.add_question(actor=firm["anna"], template_id=template_id, text="x" * 1000, kind="text")


def test_templates_are_for_staff_only(firm):
    template_id, ids = _template(firm["anna"])
    with pytest.raises(AccessDenied):
        questionnaires.list_templates(actor=firm["maria"])
    with pytest.raises(AccessDenied):
        questionnaires.create_template(actor=firm["maria"], title="Meine Vorlage")
    for call in (lambda: questionnaires.template(actor=firm["maria"], template_id=template_id),
                 lambda: questionnaires.remove_question(actor=firm["maria"], question_id=ids["job"]),
                 lambda: questionnaires.delete_template(actor=firm["maria"], template_id=template_id)):
        with pytest.raises(AccessDenied):
            call()
    # Any accountant of the firm may use and change the firm's templates.
    assert questionnaires.template(actor=firm["jonas"], template_id=template_id).title == "Einkommensteuer 2026"


def test_questions_of_a_sent_copy_are_not_edited_through_the_builder(firm):
    _questionnaire_id, ids = _sent(firm)
    with pytest.raises(NotFound):
        questionnaires.update_question(actor=firm["anna"], question_id=ids["job"], text="Neu", kind="text",
                                       required=False)
    with pytest.raises(NotFound):
        questionnaires.remove_question(actor=firm["anna"], question_id=ids["job"])


# Sending


def test_send_copies_the_template_and_emails_the_client_users(firm):
    template_id, _ids = _template(firm["anna"])
    result = questionnaires.send_questionnaire(actor=firm["anna"], template_id=template_id,
                                               account_id=firm["account"].id)
    assert result.emailed == 1  # Maria; Lutz has no full access
    # Later changes to the template do not reach the client's copy.
    questionnaires.add_question(actor=firm["anna"], template_id=template_id, text="Noch etwas?", kind="text")
    view = questionnaires.questionnaire(actor=firm["maria"], questionnaire_id=result.questionnaire_id)
    assert view.summary.title == "Einkommensteuer 2026" and view.intro == "Bitte bis Ende Mai ausfüllen."
    assert [q.text for q in view.questions] == ["Wo arbeiten Sie?", "Sind Sie verheiratet?", "Umzugsdatum",
                                                "Lohnsteuerbescheinigung"]
    assert (view.summary.answered, view.summary.total, view.summary.submitted_at) == (0, 4, None)
    with db.session() as s:
        copy = s.get(Questionnaire, result.questionnaire_id)
        assert copy.account_id == firm["account"].id and copy.template_id == template_id and copy.sent_at
        (mail,) = s.exec(select(Outbox)).all()
    assert mail.to == firm["maria"].email and mail.template == "questionnaire_sent"
    assert mail.context["link"].endswith(routes.portal_questionnaire(questionnaires.public_ref(copy.id)))
    assert "Einkommensteuer 2026" in mail.context["title"] and mail.context["sender"] == "Anna Schmidt"
    assert {"account-%d" % firm["account"].id, "user-contact-%d" % firm["maria"].id} <= firm["published"][-1]

    # Deleting the template keeps what was sent.
    questionnaires.delete_template(actor=firm["anna"], template_id=template_id)
    assert len(questionnaires.questionnaire(actor=firm["anna"],
                                            questionnaire_id=result.questionnaire_id).questions) == 4


def test_the_email_is_in_the_client_users_language(firm):
    with db.session() as s:
        contact = s.get(Contact, firm["maria"].id)
        contact.locale = "fr"
        s.add(contact)
        s.commit()
    template_id, _ids = _template(firm["anna"])
    questionnaires.send_questionnaire(actor=firm["anna"], template_id=template_id, account_id=firm["account"].id)
    with db.session() as s:
        (mail,) = s.exec(select(Outbox)).all()
    email = render(mail.template, mail.to, mail.context)
    assert email.subject == "Kanzlei Berg : merci de remplir le questionnaire « Einkommensteuer 2026 »"
    assert mail.context["link"] in email.text and "Anna Schmidt" in email.html


def test_send_without_email_and_refusals(firm):
    template_id, _ids = _template(firm["anna"])
    result = questionnaires.send_questionnaire(actor=firm["anna"], template_id=template_id,
                                               account_id=firm["account"].id, notify=False)
    assert result.emailed == 0
    with db.session() as s:
        assert s.exec(select(Outbox)).all() == []
    empty = questionnaires.create_template(actor=firm["anna"], title="Leer")
    with pytest.raises(QuestionnaireError) as refused:
        questionnaires.send_questionnaire(actor=firm["anna"], template_id=empty, account_id=firm["account"].id)
    assert refused.value.key == "quest.error.no_questions"
    with pytest.raises(NotFound):  # not Anna's client
        questionnaires.send_questionnaire(actor=firm["anna"], template_id=template_id,
                                          account_id=firm["other_account"].id)
    with pytest.raises(NotFound):  # a sent copy is no template
        questionnaires.send_questionnaire(actor=firm["anna"], template_id=result.questionnaire_id,
                                          account_id=firm["account"].id)
    with pytest.raises(AccessDenied):
        questionnaires.send_questionnaire(actor=firm["maria"], template_id=template_id,
                                          account_id=firm["account"].id)


# Answering


def test_client_answers_every_kind_and_staff_see_progress(firm):
    questionnaire_id, q = _sent(firm)
    maria = firm["maria"]
    questionnaires.save_answer(actor=maria, question_id=q["job"], value="  Bäckerei Hofmann  ")
    questionnaires.save_answer(actor=maria, question_id=q["married"], value="no")
    questionnaires.save_answer(actor=maria, question_id=q["moved"], value="2026-03-01")
    document_id = upload(maria, q["payslip"])

    view = questionnaires.questionnaire(actor=firm["anna"], questionnaire_id=questionnaire_id)
    answers = {question.id: question.answer for question in view.questions}
    assert answers[q["job"]].value == "Bäckerei Hofmann" and answers[q["job"]].answered_by == "Maria Hofmann"
    assert answers[q["married"]].value == "no" and answers[q["moved"]].value == "2026-03-01"
    assert answers[q["payslip"]].filename == "Lohnsteuerbescheinigung.pdf"
    (summary,) = questionnaires.account_questionnaires(actor=firm["anna"], account_id=firm["account"].id)
    assert (summary.answered, summary.total) == (4, 4)
    assert {"account-%d" % firm["account"].id} <= firm["published"][-1]  # staff see it arrive live

    # The file landed in the uploads folder and staff download it through the normal route.
    with db.session() as s:
        doc = s.get(Document, document_id)
        assert s.get(Folder, doc.folder_id).uploads_default and doc.account_id == firm["account"].id
        assert s.exec(select(Answer).where(Answer.question_id == q["payslip"])).one().document_id == document_id
    key = answers[q["payslip"]].file_key
    assert documents.readable_document(actor=firm["anna"], key=key).filename == "Lohnsteuerbescheinigung.pdf"
    assert documents.readable_document(actor=maria, key=key).size == len(PDF)

    # An empty value takes an answer back.
    questionnaires.save_answer(actor=maria, question_id=q["moved"], value="")
    view = questionnaires.questionnaire(actor=maria, questionnaire_id=questionnaire_id)
    assert view.questions[2].answer is None and view.summary.answered == 3


@pytest.mark.parametrize(("name", "value", "key"), [
    ("married", "vielleicht", "quest.error.yes_no"),
    ("married", "Ja", "quest.error.yes_no"),
    ("moved", "01.03.2026", "quest.error.date"),
    ("moved", "2026-02-30", "quest.error.date"),
    ("moved", "20260301", "quest.error.date"),
    ("job", "x" * 10_001, "quest.error.answer_too_long"),
    ("payslip", "Datei.pdf", "quest.error.file_by_upload"),
])
def test_answers_are_checked_per_kind(firm, name, value, key):
    _questionnaire_id, q = _sent(firm)
    with pytest.raises(QuestionnaireError) as refused:
        questionnaires.save_answer(actor=firm["maria"], question_id=q[name], value=value)
    assert refused.value.key == key
    questionnaires.save_answer(actor=firm["maria"], question_id=q["job"], value="x" * 10_000)


def test_replacing_a_file_answer_keeps_the_old_file_in_the_folder(firm):
    questionnaire_id, q = _sent(firm)
    first = upload(firm["maria"], q["payslip"], name="alt.pdf")
    second = upload(firm["maria"], q["payslip"], data=PDF + b"neu", name="neu.pdf")
    with db.session() as s:
        assert {d.id for d in s.exec(select(Document)).all()} == {first, second}
        assert s.exec(select(Answer)).one().document_id == second
    view = questionnaires.questionnaire(actor=firm["maria"], questionnaire_id=questionnaire_id)
    assert view.questions[3].answer.filename == "neu.pdf"


def test_file_upload_refusals_store_nothing(firm):
    _questionnaire_id, q = _sent(firm)
    with pytest.raises(UploadRefused):
        upload(firm["maria"], q["payslip"], data=b"MZ\x90\x00" + b"x" * 700, name="lohn.pdf")
    with pytest.raises(QuestionnaireError) as refused:
        upload(firm["maria"], q["job"])
    assert refused.value.key == "quest.error.not_file"
    with db.session() as s:
        assert s.exec(select(Document)).all() == [] and s.exec(select(Answer)).all() == []


def test_a_deleted_answer_file_makes_the_question_unanswered(firm):
    questionnaire_id, q = _sent(firm)
    document_id = upload(firm["maria"], q["payslip"])
    documents.delete_document(actor=firm["anna"], document_id=document_id)
    view = questionnaires.questionnaire(actor=firm["anna"], questionnaire_id=questionnaire_id)
    assert view.questions[3].answer is None and view.summary.answered == 0


def test_client_lists_open_questionnaires_first(firm):
    first_id, q = _sent(firm)
    second_id, _q = _sent(firm)
    for name, value in (("job", "Lehrerin"), ("married", "yes")):
        questionnaires.save_answer(actor=firm["maria"], question_id=q[name], value=value)
    upload(firm["maria"], q["payslip"])
    questionnaires.submit(actor=firm["maria"], questionnaire_id=first_id)
    rows = questionnaires.client_questionnaires(actor=firm["maria"])
    assert [(r.id, r.submitted_at is not None) for r in rows] == [(second_id, False), (first_id, True)]
    assert rows[1].account_name == "Fragen GmbH" and questionnaires.id_from_ref(rows[1].ref) == first_id
    assert questionnaires.client_questionnaires(actor=firm["otto"]) == []
    third_id, _q = _sent(firm)
    assert [r.id for r in questionnaires.account_questionnaires(
        actor=firm["anna"], account_id=firm["account"].id, limit=2)] == [third_id, second_id]


# Submit, read-only, reopen


def test_submit_names_the_missing_required_questions(firm):
    questionnaire_id, q = _sent(firm)
    questionnaires.save_answer(actor=firm["maria"], question_id=q["married"], value="yes")
    with pytest.raises(MissingAnswers) as refused:
        questionnaires.submit(actor=firm["maria"], questionnaire_id=questionnaire_id)
    assert refused.value.question_ids == (q["job"], q["payslip"])
    assert refused.value.params["questions"] == "1. Wo arbeiten Sie?, 4. Lohnsteuerbescheinigung"


def test_after_submit_it_is_read_only_until_staff_reopen(firm):
    questionnaire_id, q = _sent(firm)
    maria = firm["maria"]
    questionnaires.save_answer(actor=maria, question_id=q["job"], value="Lehrerin")
    questionnaires.save_answer(actor=maria, question_id=q["married"], value="yes")
    upload(maria, q["payslip"])
    questionnaires.submit(actor=maria, questionnaire_id=questionnaire_id)

    for call in (lambda: questionnaires.save_answer(actor=maria, question_id=q["job"], value="Arzt"),
                 lambda: upload(maria, q["payslip"]),
                 lambda: questionnaires.submit(actor=maria, questionnaire_id=questionnaire_id)):
        with pytest.raises(QuestionnaireError) as refused:
            call()
        assert refused.value.key == "quest.error.submitted"
    with db.session() as s:
        assert len(s.exec(select(Document)).all()) == 1  # the refused upload left nothing behind

    with pytest.raises(AccessDenied):
        questionnaires.reopen(actor=maria, questionnaire_id=questionnaire_id)
    with pytest.raises(NotFound):
        questionnaires.reopen(actor=firm["jonas"], questionnaire_id=questionnaire_id)
    questionnaires.reopen(actor=firm["anna"], questionnaire_id=questionnaire_id)
    questionnaires.save_answer(actor=maria, question_id=q["job"], value="Ärztin")
    view = questionnaires.questionnaire(actor=firm["anna"], questionnaire_id=questionnaire_id)
    assert view.summary.submitted_at is None and view.questions[0].answer.value == "Ärztin"


# Access


def test_who_may_not_read_or_answer(firm):
    questionnaire_id, q = _sent(firm)
    by_link = dataclasses.replace(firm["maria"], scope=SessionScope.TALK)
    refusals = [
        (firm["otto"], NotFound),  # another client's user
        (firm["limited"], NotFound),  # the client's user without full access
        (firm["jonas"], NotFound),  # accountant of another client
        (by_link, AccessDenied),  # a session opened by an email link
    ]
    for actor, error in refusals:
        with pytest.raises(error):
            questionnaires.questionnaire(actor=actor, questionnaire_id=questionnaire_id)
        with pytest.raises(AccessDenied):  # NotFound is an AccessDenied too
            questionnaires.save_answer(actor=actor, question_id=q["job"], value="x")
        with pytest.raises(AccessDenied):
            upload(actor, q["payslip"])
        with pytest.raises(AccessDenied):
            questionnaires.submit(actor=actor, questionnaire_id=questionnaire_id)
    with pytest.raises(AccessDenied):
        questionnaires.client_questionnaires(actor=by_link)
    with pytest.raises(NotFound):
        questionnaires.account_questionnaires(actor=firm["jonas"], account_id=firm["account"].id)
    with pytest.raises(AccessDenied):  # staff look, but do not answer for the client
        questionnaires.save_answer(actor=firm["anna"], question_id=q["job"], value="x")
    with db.session() as s:
        assert s.exec(select(Answer)).all() == [] and s.exec(select(Document)).all() == []


def test_templates_are_not_readable_as_sent_questionnaires(firm):
    template_id, ids = _template(firm["anna"])
    with pytest.raises(NotFound):
        questionnaires.questionnaire(actor=firm["anna"], questionnaire_id=template_id)
    with pytest.raises(NotFound):
        questionnaires.save_answer(actor=firm["maria"], question_id=ids["job"], value="x")


def test_references_are_signed():
    ref = questionnaires.public_ref(42)
    assert questionnaires.id_from_ref(ref) == 42
    assert questionnaires.id_from_ref("42") is None
    assert questionnaires.id_from_ref(ref[:-1] + ("A" if ref[-1] != "A" else "B")) is None
