"""Custom fields on the admin settings page: the firm's own fields for accounts and contacts."""

import asyncio
import dataclasses

import reflex as rx

from portal.domain.errors import UserError
from portal.i18n import translate
from portal.services import clients
from portal.services.access import AccessDenied
from portal.state.session import Area, SessionState, require_actor


@dataclasses.dataclass
class FieldRow:
    """A defined custom field."""

    id: int
    label: str
    kind_key: str
    options: str


class CustomFieldsState(rx.State):
    """List, add and remove custom fields (admins only)."""

    account_fields: list[FieldRow] = []
    contact_fields: list[FieldRow] = []
    kind: str = "text"
    error: str = ""

    async def _admin(self):
        actor = await require_actor(self, Area.STAFF)
        return actor if actor is not None and actor.is_admin else None

    async def _reload(self, actor) -> None:
        accounts, contacts = await asyncio.to_thread(clients.list_custom_fields, actor=actor)
        rows = lambda views: [FieldRow(id=f.id, label=f.label, kind_key=f"field.kind.{f.kind}",  # noqa: E731
                                       options=", ".join(f.options)) for f in views]
        self.account_fields, self.contact_fields = rows(accounts), rows(contacts)

    @rx.event
    async def load(self):
        """Read the fields."""
        actor = await self._admin()
        if actor is not None:
            await self._reload(actor)

    @rx.event
    def set_kind(self, kind: str):
        """The type of the field being added (choice shows the options box)."""
        self.kind = kind

    @rx.event
    async def add(self, form: dict):
        """Define a new field."""
        actor = await self._admin()
        if actor is None:
            return
        try:
            await asyncio.to_thread(clients.add_custom_field, actor=actor, target=str(form.get("target", "")),
                                    label=str(form.get("label", "")), kind=self.kind,
                                    options=str(form.get("options", "")))
        except UserError as err:
            self.error = translate((await self.get_state(SessionState)).locale, err.key, **err.params)
            return
        self.error = ""
        await self._reload(actor)

    @rx.event
    async def remove(self, field_id: int):
        """Remove a field definition (stored values stay in the records)."""
        actor = await self._admin()
        if actor is None:
            return
        try:
            await asyncio.to_thread(clients.delete_custom_field, actor=actor, field_id=int(field_id))
        except AccessDenied:
            pass  # removed meanwhile: the reload shows it
        await self._reload(actor)
