"""A user's own settings: language, time zone and email notices, only with a password login."""

import dataclasses

import pytest

from portal.domain.enums import SessionScope
from portal.services import auth, profile
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
    assert profile.settings(actor=actor).email_notices is True
    profile.set_email_notices(actor=actor, enabled=False)
    assert profile.settings(actor=actor).email_notices is False
    profile.set_email_notices(actor=actor, enabled=True)
    assert profile.settings(actor=actor).email_notices is True


@pytest.mark.parametrize("who", ["anna", "maria"])
def test_language_and_time_zone_are_stored_and_can_follow_the_defaults_again(people, who):
    actor = people[who]
    assert profile.settings(actor=actor) == profile.PersonalSettings(locale="", timezone="", email_notices=True)
    profile.set_locale(actor=actor, locale="fr")
    profile.set_timezone(actor=actor, timezone="America/Toronto")
    assert profile.settings(actor=actor) == profile.PersonalSettings(locale="fr", timezone="America/Toronto",
                                                                     email_notices=True)
    # The session carries them, so the whole UI follows.
    session = auth.resolve_session(auth.login(email=actor.email, password=factories.PASSWORD).token)
    assert (session.locale, session.timezone) == ("fr", "America/Toronto")
    profile.set_locale(actor=actor, locale="")
    profile.set_timezone(actor=actor, timezone="")
    assert profile.settings(actor=actor).locale == "" and profile.settings(actor=actor).timezone == ""


def test_a_link_session_cannot_change_settings(people):
    link_session = dataclasses.replace(people["maria"], scope=SessionScope.TALK)
    with pytest.raises(AccessDenied):
        profile.set_email_notices(actor=link_session, enabled=False)
    with pytest.raises(AccessDenied):
        profile.set_locale(actor=link_session, locale="en")
    with pytest.raises(AccessDenied):
        profile.set_timezone(actor=link_session, timezone="UTC")
    with pytest.raises(AccessDenied):
        profile.settings(actor=link_session)


def test_unknown_language_is_refused(people):
    with pytest.raises(ValueError):
        profile.set_locale(actor=people["maria"], locale="xx")


def test_unknown_time_zone_is_refused(people):
    with pytest.raises(ValueError):
        profile.set_timezone(actor=people["maria"], timezone="Mars/Olympus")
