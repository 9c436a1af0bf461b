"""Conversations: who sees them, counters per side, edit/delete, close rule, read marks."""

import pytest
from sqlmodel import select

from portal import realtime
from portal.domain.enums import Role
from portal.domain.talks import Delivery
from portal.models import Firm, Thread
from portal.services import conversations, db, talks
from portal.services.access import AccessDenied, NotFound
from tests import factories

actor_of = factories.actor


@pytest.fixture
def firm(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    factories.firm()
    anna = factories.staff(name="Anna Schmidt")
    jonas = factories.staff(name="Jonas Weber")
    admin = factories.staff(name="Katrin Berger", role=Role.ADMIN)
    bakery = factories.client(name="Bäckerei Hofmann GmbH", accountants=(anna,))
    other = factories.client(name="Fremde GmbH", accountants=(jonas,))
    people = {
        "maria": factories.contact(account=bakery, first="Maria"),
        "thomas": factories.contact(account=bakery, first="Thomas"),
        "limited": factories.contact(account=bakery, first="Lena", full_access=False),
        "stranger": factories.contact(account=other, first="Fritz"),
    }
    return {"anna": actor_of(anna), "jonas": actor_of(jonas), "admin": actor_of(admin), "bakery": bakery,
            "other": other, **{k: actor_of(v) for k, v in people.items()}}


def start(firm, who="anna", **kwargs):
    args = {"account_id": firm["bakery"].id, "subject": "Jahresabschluss 2026", "body": "Guten Tag!"} | kwargs
    return conversations.start_conversation(actor=firm[who], **args)


def visible(firm, who, view="open"):
    return [c.id for c in conversations.list_for_client(actor=firm[who], view=view)]


def test_audience_all_reaches_full_access_users_only(firm):
    cid = start(firm)
    assert visible(firm, "maria") == [cid] and visible(firm, "thomas") == [cid]
    assert visible(firm, "limited") == [] and visible(firm, "stranger") == []


def test_private_conversation_is_invisible_to_other_users(firm):
    cid = start(firm, private_contact_id=firm["thomas"].id)
    assert visible(firm, "thomas") == [cid] and visible(firm, "maria") == []
    with pytest.raises(NotFound):
        talks.thread_view(actor=firm["maria"], thread_id=cid)
    own = start(firm, who="maria", private_contact_id=firm["maria"].id, subject="Privat")
    assert own in visible(firm, "maria") and own not in visible(firm, "thomas")


def test_private_to_a_contact_of_another_account_is_refused(firm):
    with pytest.raises(talks.TalkError, match="talk.error.recipient"):
        start(firm, private_contact_id=firm["stranger"].id)
    with pytest.raises(talks.TalkError, match="talk.error.recipient"):
        start(firm, who="maria", private_contact_id=firm["thomas"].id)
    with pytest.raises(NotFound):
        start(firm, who="stranger")  # not her account


def test_limited_user_can_only_start_private(firm):
    cid = start(firm, who="limited", subject="Frage")
    assert visible(firm, "limited") == [cid] and visible(firm, "maria") == []


@pytest.mark.parametrize("subject, key", [("", "conversation.error.subject_empty"),
                                          ("   ", "conversation.error.subject_empty"),
                                          ("x" * 201, "conversation.error.subject_too_long")])
def test_subject_rules(firm, subject, key):
    with pytest.raises(talks.TalkError, match=key):
        start(firm, subject=subject)


def test_counters_per_side(firm):
    assert conversations.action_count(actor=firm["anna"]) == 0
    cid = start(firm, who="maria", subject="Frage zur Rechnung")
    assert conversations.action_count(actor=firm["anna"]) == 1  # new conversation from the client
    assert conversations.action_count(actor=firm["jonas"]) == 0  # not his client
    assert conversations.action_count(actor=firm["admin"]) == 1
    assert conversations.action_count(actor=firm["maria"]) == 0
    talks.post_message(actor=firm["anna"], thread_id=cid, body="Wir kümmern uns.")
    assert conversations.action_count(actor=firm["anna"]) == 0
    assert conversations.action_count(actor=firm["maria"]) == 1  # unanswered question from the firm
    assert conversations.action_count(actor=firm["thomas"]) == 1  # audience all
    assert conversations.action_count(actor=firm["limited"]) == 0


def test_inbox_filters_and_order(firm):
    first = start(firm, who="maria", subject="Erste")
    second = start(firm, subject="Zweite")
    talks.post_message(actor=firm["maria"], thread_id=first, body="noch etwas")
    assert [t.id for t in conversations.inbox(actor=firm["anna"])] == [first, second]
    assert [t.id for t in conversations.inbox(actor=firm["anna"], state="answered")] == [first]
    assert [t.id for t in conversations.inbox(actor=firm["anna"], state="waiting")] == [second]
    assert conversations.inbox(actor=firm["jonas"]) == []
    assert len(conversations.inbox(actor=firm["admin"], mine=False)) == 2
    assert conversations.inbox(actor=firm["anna"])[0].last_preview == "noch etwas"
    with pytest.raises(AccessDenied):
        conversations.inbox(actor=firm["maria"])


def test_lists_page_newest_activity_first(firm):
    first, second, third = (start(firm, subject=f"Thema {i}") for i in range(3))
    talks.post_message(actor=firm["maria"], thread_id=first, body="Antwort")
    assert [t.id for t in conversations.inbox(actor=firm["anna"], limit=2)] == [first, third]
    assert [t.id for t in conversations.inbox(actor=firm["anna"], limit=3)] == [first, third, second]
    assert [t.id for t in conversations.list_for_client(actor=firm["maria"], limit=2)] == [first, third]
    answer = talks.thread_view(actor=firm["maria"], thread_id=first).messages[-1]
    talks.delete_message(actor=firm["maria"], message_id=answer.id)
    # A deleted message no longer counts as activity: the thread falls back to its first message.
    assert [t.id for t in conversations.inbox(actor=firm["anna"])] == [third, second, first]


def test_posting_and_deleting_move_the_stored_last_message_at(firm):
    older = start(firm, subject="Älter")
    newer = start(firm, who="maria", subject="Neuer")

    def stored(thread_id):
        with db.session() as s:
            return s.get(Thread, thread_id).last_message_at

    def messages(thread_id):
        return talks.thread_view(actor=firm["anna"], thread_id=thread_id).messages

    def inbox():
        return [(t.id, t.last_at) for t in conversations.inbox(actor=firm["anna"])]

    assert inbox() == [(newer, stored(newer)), (older, stored(older))]
    assert stored(newer) == messages(newer)[-1].created_at > stored(older)
    reply = talks.post_message(actor=firm["anna"], thread_id=older, body="Nachtrag")
    assert stored(older) == messages(older)[-1].created_at > stored(newer)
    assert inbox() == [(older, stored(older)), (newer, stored(newer))]
    talks.delete_message(actor=firm["anna"], message_id=reply)
    assert stored(older) == messages(older)[0].created_at
    assert [t for t, _ in inbox()] == [newer, older]
    # Without any undeleted message the thread's own start counts.
    talks.delete_message(actor=firm["maria"], message_id=messages(newer)[0].id)
    with db.session() as s:
        thread = s.get(Thread, newer)
        assert thread.last_message_at == thread.created_at
    assert inbox() == [(newer, thread.created_at), (older, stored(older))]  # it started after older's message


def test_edit_and_delete_rules(firm):
    cid = start(firm)
    message_id = talks.thread_view(actor=firm["anna"], thread_id=cid).messages[0].id
    with pytest.raises(NotFound):
        conversations.edit_message(actor=firm["maria"], message_id=message_id, body="gehackt")
    with pytest.raises(NotFound):
        conversations.edit_message(actor=firm["jonas"], message_id=message_id, body="gehackt")
    conversations.edit_message(actor=firm["anna"], message_id=message_id, body="Guten Tag, Frau Hofmann!")
    seen = talks.thread_view(actor=firm["maria"], thread_id=cid).messages[0]
    assert seen.edited and seen.body == "Guten Tag, Frau Hofmann!"
    talks.delete_message(actor=firm["anna"], message_id=message_id)
    with pytest.raises(talks.TalkError, match="conversation.error.deleted"):
        conversations.edit_message(actor=firm["anna"], message_id=message_id, body="wieder da")
    assert talks.thread_view(actor=firm["maria"], thread_id=cid).messages[0].deleted


def test_close_rule_each_side_closes_its_own(firm):
    by_firm = start(firm)
    by_client = start(firm, who="maria", subject="Von mir")
    with pytest.raises(NotFound):
        conversations.close_conversation(actor=firm["maria"], thread_id=by_firm)
    with pytest.raises(NotFound):
        conversations.close_conversation(actor=firm["anna"], thread_id=by_client)
    conversations.close_conversation(actor=firm["maria"], thread_id=by_client)
    conversations.close_conversation(actor=firm["anna"], thread_id=by_firm)
    assert visible(firm, "maria", "open") == []
    assert set(visible(firm, "maria", "closed")) == {by_firm, by_client}
    closed = conversations.list_for_client(actor=firm["maria"], view="all")
    assert all(c.status == "closed" and c.closed_at is not None for c in closed)
    assert talks.thread_view(actor=firm["maria"], thread_id=by_firm).messages  # still readable


def test_read_marks_can_be_switched_off(firm):
    cid = start(firm, who="maria", subject="Frage")
    talks.thread_view(actor=firm["anna"], thread_id=cid)  # the firm opened it
    assert talks.thread_view(actor=firm["maria"], thread_id=cid).messages[0].delivery == Delivery.READ
    with db.session() as s:
        row = s.exec(select(Firm)).one()
        row.read_marks = False
        s.add(row)
        s.commit()
    assert talks.thread_view(actor=firm["maria"], thread_id=cid).messages[0].delivery == Delivery.DELIVERED


def test_html_in_subject_and_body_is_stored_as_text(firm):
    cid = start(firm, subject="<img src=x onerror=alert(1)>", body="<script>alert(1)</script>")
    view = talks.thread_view(actor=firm["maria"], thread_id=cid)
    assert view.subject == "<img src=x onerror=alert(1)>" and view.messages[0].body == "<script>alert(1)</script>"


def test_only_admins_change_firm_settings(firm):
    from portal.services import firm as firm_service

    with pytest.raises(AccessDenied):
        firm_service.update(actor=firm["anna"], read_marks=False)
    with pytest.raises(AccessDenied):
        firm_service.settings(actor=firm["maria"])
    firm_service.update(actor=firm["admin"], read_marks=False, mail_quiet_minutes=30)
    current = firm_service.settings(actor=firm["admin"])
    assert current.read_marks is False and current.mail_quiet_minutes == 30 and not current.mail_include_text
    with pytest.raises(ValueError):
        firm_service.update(actor=firm["admin"], mail_quiet_minutes=0)


def test_a_long_thread_opens_at_its_newest_messages_and_pages_back(firm):
    thread_id = start(firm, body="Nachricht 0")
    for n in range(1, 25):
        talks.post_message(actor=firm["anna" if n % 2 else "maria"], thread_id=thread_id, body=f"Nachricht {n}")

    def bodies(newest):
        view = talks.thread_view(actor=firm["maria"], thread_id=thread_id, newest=newest)
        return [m.body for m in view.messages], view.older

    shown, older = bodies(10)
    assert shown == [f"Nachricht {n}" for n in range(15, 25)] and older  # newest ten, oldest of them first
    shown, older = bodies(20)
    assert shown[0] == "Nachricht 5" and shown[-1] == "Nachricht 24" and older
    shown, older = bodies(30)
    assert len(shown) == 25 and shown[0] == "Nachricht 0" and not older
