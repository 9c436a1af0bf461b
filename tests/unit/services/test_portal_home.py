"""What a contact sees on the portal home."""

import pytest

from portal.services import portal_home
from portal.services.access import AccessDenied
from portal.services.auth import login, resolve_session
from tests import factories


def _actor(user):
    return resolve_session(login(email=user.email, password=factories.PASSWORD).token)


def test_full_access_contact_sees_missing_receipts_newest_first(fresh_db):
    account = factories.client(name="Bäckerei Hofmann GmbH", missing_receipts=3)
    maria = factories.contact(account=account)
    home = portal_home.home(actor=_actor(maria))
    (only,) = home.accounts
    assert only.name == "Bäckerei Hofmann GmbH" and only.open_items_total == 3
    assert [i.counterparty for i in only.open_items] == ["Lieferant 3", "Lieferant 2", "Lieferant 1"]


def test_limited_contact_sees_the_account_but_no_bookings(fresh_db):
    account = factories.client(name="Bäckerei Hofmann GmbH", missing_receipts=3)
    thomas = factories.contact(account=account, first="Thomas", full_access=False)
    (only,) = portal_home.home(actor=_actor(thomas)).accounts
    assert not only.full_access and only.open_items == () and only.open_items_total == 0


def test_contact_sees_only_own_accounts(fresh_db):
    mine = factories.client(name="Meine GmbH", missing_receipts=1)
    factories.client(name="Fremde GmbH", missing_receipts=4)
    maria = factories.contact(account=mine)
    assert [a.name for a in portal_home.home(actor=_actor(maria)).accounts] == ["Meine GmbH"]


def test_staff_are_refused(fresh_db):
    anna = factories.staff()
    with pytest.raises(AccessDenied):
        portal_home.home(actor=_actor(anna))
