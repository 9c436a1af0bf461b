"""Client accounts ("Mandanten"), their contacts and staff assignments."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, func
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow
from portal.domain.tokens import new_public_id


class ClientAccount(SQLModel, table=True):
    """A client of the firm: a person or a company."""

    __tablename__ = "client_account"
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=200, index=True)
    company_name: str = Field(default="", max_length=200)
    # Company address (companies only); a person's address lives on the contact.
    address: str = Field(default="", max_length=500)
    status: str = Field(default="active", max_length=20, index=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    custom_fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    folder_template_id: int | None = Field(default=None)
    datev_client_number: int | None = None
    # Created through the public sign-up page; waits in "Onboarding" until staff invite.
    self_signup: bool = False
    created_at: datetime = Field(default_factory=utcnow)


# The clients page sorts, searches and pages by the case-folded name.
Index("ix_client_account_name_lower", func.lower(ClientAccount.name))


class Assignment(SQLModel, table=True):
    """An accountant works this client account."""

    staff_id: int = Field(foreign_key="staff_user.id", primary_key=True)
    account_id: int = Field(foreign_key="client_account.id", primary_key=True, index=True)


class Contact(SQLModel, table=True):
    """A person on the client side; may log in to the portal."""

    # The "pending activation" list: not activated, invited, longest waiting first.
    __table_args__ = (Index("ix_contact_pending", "activated_at", "invited_at"),)

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    email: str | None = Field(default=None, max_length=320, unique=True)
    phone: str = Field(default="", max_length=50)
    address: str = Field(default="", max_length=500)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    custom_fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    password_hash: str | None = Field(default=None, max_length=200)
    activated_at: datetime | None = None
    # Last portal invitation sent; set and not activated means "pending activation".
    invited_at: datetime | None = None
    # "" follows the browser's Accept-Language; emails then use the default language.
    locale: str = Field(default="", max_length=10)
    # IANA zone for dates and times; "" means the firm's (Europe/Berlin).
    timezone: str = Field(default="", max_length=64)
    # Personal setting on top of each account link's NOTIFY toggle.
    email_notices: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # Personal data erased on request (Art. 17 DSGVO); the row stays as "Gelöschter Kontakt"
    # so messages and retained documents keep an author.
    erased_at: datetime | None = None


class AccountContact(SQLModel, table=True):
    """Link of a contact to an account, with what the contact may do there."""

    __tablename__ = "account_contact"

    account_id: int = Field(foreign_key="client_account.id", primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, index=True)
    login: bool = False
    notify: bool = True
    sync: bool = False
    full_access: bool = True


class CustomField(SQLModel, table=True):
    """A firm-defined field on client accounts or contacts (text, number, date or choice)."""

    __tablename__ = "custom_field"

    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(max_length=10)
    label: str = Field(max_length=100)
    kind: str = Field(max_length=10)
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
