"""What the "new client", "edit client" and "contact" forms share: their choices (folder
templates, custom fields, staff) and turning submitted form data into service drafts."""

import asyncio
import dataclasses

import reflex as rx

from portal.domain.actor import Actor
from portal.domain.errors import UserError
from portal.i18n import translate
from portal.services import clients, folders
from portal.services.clients import AccountDraft, ContactDraft, DuplicateEmail
from portal.state.bookings import Option
from portal.state.session import Area, require_actor

# Form field names of custom fields: prefix + field id.
ACCOUNT_FIELD_PREFIX = "acf_"
CONTACT_FIELD_PREFIX = "ccf_"
NO_TEMPLATE = "default"


@dataclasses.dataclass
class FieldInput:
    """A custom field as the form renders it."""

    name: str
    label: str
    kind: str
    options: list[str]


def _field_inputs(views, prefix: str) -> list[FieldInput]:
    return [FieldInput(name=f"{prefix}{f.id}", label=f.label, kind=f.kind, options=list(f.options)) for f in views]


def _custom(form: dict, prefix: str) -> dict[int, str]:
    return {int(k[len(prefix):]): str(v) for k, v in form.items()
            if k.startswith(prefix) and k[len(prefix):].isdigit()}


def _checked(form: dict, name: str) -> bool:
    return form.get(name) in ("on", True, "true", "1")


def account_draft(form: dict, kind: str) -> AccountDraft:
    """The account part of a submitted form."""
    template = str(form.get("folder_template", "") or "")
    return AccountDraft(
        kind=kind, name=str(form.get("account_name", "")), company_name=str(form.get("company_name", "")),
        address=str(form.get("company_address", "")), tags=str(form.get("account_tags", "")),
        folder_template_id=int(template) if template.isdigit() else None,
        custom=_custom(form, ACCOUNT_FIELD_PREFIX))


def contact_draft(form: dict, existing_id: int | None = None) -> ContactDraft:
    """The contact part of a submitted form (or a link to an existing contact)."""
    toggles = {name: _checked(form, name) for name in ("login", "notify", "sync", "full_access")}
    if existing_id:
        return ContactDraft(existing_id=existing_id, **toggles)
    return ContactDraft(
        first_name=str(form.get("first_name", "")), last_name=str(form.get("last_name", "")),
        email=str(form.get("email", "")), phone=str(form.get("phone", "")), address=str(form.get("address", "")),
        tags=str(form.get("contact_tags", "")), custom=_custom(form, CONTACT_FIELD_PREFIX), **toggles)


def error_text(locale: str, err: UserError) -> str:
    """A refusal in the user's language."""
    return translate(locale, err.key, **err.params)


class ClientFormMixin(rx.State, mixin=True):
    """Choices the client forms offer."""

    kind: str = "company"
    templates: list[Option] = []
    account_inputs: list[FieldInput] = []
    contact_inputs: list[FieldInput] = []
    # Linking an existing contact instead of creating one
    link_mode: bool = False
    search: str = ""
    matches: list[Option] = []
    chosen_id: int = 0
    chosen_name: str = ""

    async def _load_choices(self, actor: Actor) -> None:
        templates = await asyncio.to_thread(folders.list_templates, actor=actor)
        account_fields, contact_fields = await asyncio.to_thread(clients.list_custom_fields, actor=actor)
        self.templates = [Option(value=str(t.id), label=t.name) for t in templates]
        self.account_inputs = _field_inputs(account_fields, ACCOUNT_FIELD_PREFIX)
        self.contact_inputs = _field_inputs(contact_fields, CONTACT_FIELD_PREFIX)

    def _reset_contact_choice(self) -> None:
        self.link_mode, self.search, self.matches, self.chosen_id, self.chosen_name = False, "", [], 0, ""

    def _offer_existing(self, err: DuplicateEmail) -> None:
        """The typed address is a known contact's: offer to link that contact instead."""
        self.link_mode, self.search, self.matches = True, "", []
        self.chosen_id, self.chosen_name = err.contact_id, err.contact_name

    @rx.event
    def set_link_mode(self, on: bool):
        """Switch between a new contact and linking an existing one."""
        self.link_mode = bool(on)
        self.chosen_id, self.chosen_name, self.matches, self.search = 0, "", [], ""

    @rx.event
    async def search_contacts(self, query: str):
        """Find existing contacts by name or email."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return
        self.search = query[:100]
        found = await asyncio.to_thread(clients.find_contacts, actor=actor, query=self.search)
        self.matches = [Option(value=str(c.id), label=f"{c.name} <{c.email}>" if c.email else c.name) for c in found]

    @rx.event
    def choose_contact(self, contact_id: str, label: str):
        """Link this existing contact."""
        self.chosen_id, self.chosen_name, self.matches = int(contact_id), label, []

    @rx.event
    def set_kind(self, kind: str):
        """Individual or company (company shows the company name and address)."""
        self.kind = "individual" if kind == "individual" else "company"
