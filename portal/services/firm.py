"""The firm running this installation."""

from sqlmodel import select

from portal.models import Firm
from portal.services import db


def firm_name() -> str:
    """The firm's name as shown on public pages; empty before setup."""
    with db.session() as s:
        firm = s.exec(select(Firm)).first()
        return firm.name if firm else ""
