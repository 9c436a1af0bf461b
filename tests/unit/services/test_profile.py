"""A user's own settings: language and email notices, only with a password login."""

import dataclasses

import pytest

from portal.domain.enums import SessionScope
from portal.services import profile
from portal.services.access import AccessDenied
from tests import factories


@pytest.fixture
def people(fresh_db):
    factories.firm()
    anna = factories.staff()
    account = factories.client(name="Profil GmbH", accountants=(anna,))
    return {"anna": factories.actor(anna), "maria": factories.actor(factories.contact(account=account))}


@pytest.mark.parametrize("who", ["anna", "maria"])
def test_email_notices_switch_off_and_on(people, who):
    actor = people[who]
    assert profile.email_notices(actor=actor) is True
    profile.set_email_notices(actor=actor, enabled=False)
    assert profile.email_notices(actor=actor) is False
    profile.set_email_notices(actor=actor, enabled=True)
    assert profile.email_notices(actor=actor) is True


def test_a_link_session_cannot_change_settings(people):
    link_session = dataclasses.replace(people["maria"], scope=SessionScope.TALK)
    with pytest.raises(AccessDenied):
        profile.set_email_notices(actor=link_session, enabled=False)
    with pytest.raises(AccessDenied):
        profile.set_locale(actor=link_session, locale="en")


def test_unknown_language_is_refused(people):
    with pytest.raises(ValueError):
        profile.set_locale(actor=people["maria"], locale="xx")
