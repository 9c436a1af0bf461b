"""Who sees which clients in the staff list."""

import pytest
from sqlalchemy import event

from portal.domain.enums import Role
from portal.services import clients
from portal.services.access import AccessDenied
from portal.services.auth import login, resolve_session
from tests import factories


def _actor(user):
    return resolve_session(login(email=user.email, password=factories.PASSWORD).token)


@pytest.fixture
def firm(fresh_db):
    anna = factories.staff(name="Anna Schmidt")
    jonas = factories.staff(name="Jonas Weber")
    admin = factories.staff(name="Katrin Berger", role=Role.ADMIN)
    zeta = factories.client(name="zeta Bau", accountants=(anna,), missing_receipts=2)
    alpha = factories.client(name="Alpha Handel", accountants=(anna, jonas))
    factories.client(name="Nur Jonas GmbH", accountants=(jonas,), missing_receipts=5)
    factories.contact(account=zeta)
    factories.contact(account=zeta, first="Tom")
    return {"anna": anna, "jonas": jonas, "admin": admin, "zeta": zeta, "alpha": alpha}


def test_accountant_sees_only_assigned_clients_sorted_case_insensitively(firm):
    rows = clients.list_clients(actor=_actor(firm["anna"]))
    assert [r.name for r in rows] == ["Alpha Handel", "zeta Bau"]
    zeta = rows[1]
    assert zeta.contacts == 2 and zeta.missing_receipts == 2 and zeta.accountants == ("Anna Schmidt",)
    assert rows[0].accountants == ("Anna Schmidt", "Jonas Weber")


def test_admin_sees_all_clients(firm):
    names = [r.name for r in clients.list_clients(actor=_actor(firm["admin"]))]
    assert names == ["Alpha Handel", "Nur Jonas GmbH", "zeta Bau"]


def test_contacts_are_refused(firm):
    person = factories.contact(account=firm["alpha"], first="Eva")
    with pytest.raises(AccessDenied):
        clients.list_clients(actor=_actor(person))


def test_list_runs_a_fixed_number_of_queries(firm, fresh_db):
    actor = _actor(firm["admin"])
    for i in range(20):
        factories.client(name=f"Mandant {i:02d}", accountants=(firm["anna"],), missing_receipts=1)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(fresh_db, "before_cursor_execute", record)
    try:
        assert len(clients.list_clients(actor=actor)) == 23
    finally:
        event.remove(fresh_db, "before_cursor_execute", record)
    # accounts, contact counts, missing counts, accountant names: no query per client
    assert len(statements) == 4
