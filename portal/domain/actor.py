"""Who is acting: the identity every service call carries."""

from dataclasses import dataclass

from portal.domain.enums import Role, SessionScope, SubjectKind


@dataclass(frozen=True)
class Actor:
    """A logged-in staff user or client contact.

    Attributes:
        kind: Staff or contact.
        id: Primary key of the StaffUser or Contact.
        name: Display name.
        email: Login email.
        role: The staff role; None for contacts.
        scope: Full login, or talk-only (magic link).
        locale: Chosen UI language; "" to follow the browser.
        timezone: Chosen IANA time zone; "" for the firm's.
    """

    kind: SubjectKind
    id: int
    name: str
    email: str
    role: Role | None = None
    scope: SessionScope = SessionScope.FULL
    locale: str = ""
    timezone: str = ""

    @property
    def is_staff(self) -> bool:
        """Whether the actor works for the firm."""
        return self.kind == SubjectKind.STAFF

    @property
    def is_admin(self) -> bool:
        """Whether the actor is a staff admin."""
        return self.role == Role.ADMIN

    @property
    def is_contact(self) -> bool:
        """Whether the actor is a client contact."""
        return self.kind == SubjectKind.CONTACT
