"""The firm's questionnaire templates: list, create, edit questions, reorder, delete (staff)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import reflex as rx

from portal.domain.actor import Actor
from portal.domain.enums import QuestionKind
from portal.i18n import translate
from portal.services import questionnaires
from portal.services.access import NotFound
from portal.services.questionnaires import QuestionnaireError
from portal.state.session import Area, require_actor, to_login, user_locale

KINDS = tuple(kind.value for kind in QuestionKind)


@dataclasses.dataclass
class TemplateItem:
    """A template in the list."""

    id: int = 0
    title: str = ""
    questions: int = 0


@dataclasses.dataclass
class TemplateQuestion:
    """A question of the template being edited."""

    id: int = 0
    number: int = 0
    text: str = ""
    kind: str = ""
    required: bool = False


class QuestionnaireTemplatesState(rx.State):
    """The template list and the template open in the editor."""

    templates: list[TemplateItem] = []
    selected: int = 0
    title: str = ""
    intro: str = ""
    questions: list[TemplateQuestion] = []
    list_error: str = ""
    error: str = ""
    notice: str = ""
    editing: int = 0
    edit_text: str = ""
    edit_kind: str = QuestionKind.TEXT.value
    edit_required: bool = False
    edit_error: str = ""
    confirm_delete: bool = False
    loaded: bool = False

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.STAFF)

    @rx.event
    async def load(self):
        """Check the staff session and show the templates (the first one opened)."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self.list_error, self.error, self.notice, self.editing, self.confirm_delete = "", "", "", 0, False
        await self._show(actor)
        return None

    async def _show(self, actor: Actor) -> None:
        templates = await asyncio.to_thread(questionnaires.list_templates, actor=actor)
        self.templates = [TemplateItem(id=t.id, title=t.title, questions=t.questions) for t in templates]
        if self.selected not in {t.id for t in templates}:
            self.selected = templates[0].id if templates else 0
        if self.selected:
            view = await asyncio.to_thread(questionnaires.template, actor=actor, template_id=self.selected)
            self.title, self.intro = view.title, view.intro
            self.questions = [TemplateQuestion(id=q.id, number=q.number, text=q.text, kind=q.kind,
                                               required=q.required) for q in view.questions]
        else:
            self.title, self.intro, self.questions = "", "", []
        self.loaded = True

    async def _change(self, actor: Actor, change: Callable[[], object], *, field: str = "error") -> bool:
        """Run one change; put a refusal into the var named ``field``. Shows the result either way."""
        ok = False
        try:
            await asyncio.to_thread(change)
            setattr(self, field, "")
            ok = True
        except QuestionnaireError as err:
            setattr(self, field, translate(await user_locale(self), err.key, **err.params))
        except NotFound:
            # A colleague deleted it meanwhile.
            setattr(self, field, translate(await user_locale(self), "quest.error.gone"))
        await self._show(actor)
        return ok

    @rx.event
    async def select(self, template_id: int):
        """Open a template in the editor."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self.selected, self.error, self.notice, self.confirm_delete = template_id, "", "", False
        await self._show(actor)
        return None

    @rx.event
    async def create(self, form: dict):
        """Create a template with the typed title and open it."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        try:
            self.selected = await asyncio.to_thread(questionnaires.create_template, actor=actor,
                                                    title=str(form.get("title", "")))
        except QuestionnaireError as err:
            self.list_error = translate(await user_locale(self), err.key)
            return None
        self.list_error, self.error, self.notice = "", "", ""
        await self._show(actor)
        return rx.set_value("template-new-title", "")

    @rx.event
    async def save_template(self, form: dict):
        """Store the title and introduction."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        title, intro, template_id = str(form.get("title", "")), str(form.get("intro", "")), self.selected
        if await self._change(actor, lambda: questionnaires.update_template(
                actor=actor, template_id=template_id, title=title, intro=intro)):
            self.notice = translate(await user_locale(self), "quest.template.saved")
        return None

    @rx.event
    def ask_delete(self, ask: bool):
        """Open or close the confirmation before deleting the open template."""
        self.confirm_delete = ask

    @rx.event
    async def delete(self):
        """Delete the open template (questionnaires sent from it stay)."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        template_id, self.confirm_delete, self.notice = self.selected, False, ""
        await self._change(actor, lambda: questionnaires.delete_template(actor=actor, template_id=template_id))
        return None

    @rx.event
    async def add_question(self, form: dict):
        """Add the typed question at the end."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        template_id, self.notice = self.selected, ""
        text, kind = str(form.get("text", "")), str(form.get("kind", QuestionKind.TEXT.value))
        required = bool(form.get("required"))
        if await self._change(actor, lambda: questionnaires.add_question(
                actor=actor, template_id=template_id, text=text, kind=kind, required=required)):
            return rx.set_value("question-new-text", "")
        return None

    @rx.event
    async def move(self, question_id: int, offset: int):
        """Move a question one place up (-1) or down (+1)."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        await self._change(actor, lambda: questionnaires.move_question(actor=actor, question_id=question_id,
                                                                       offset=offset))
        return None

    @rx.event
    async def remove(self, question_id: int):
        """Take a question out of the template."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        await self._change(actor, lambda: questionnaires.remove_question(actor=actor, question_id=question_id))
        return None

    @rx.event
    def start_edit(self, question_id: int):
        """Open the edit dialog for a question."""
        question = next((q for q in self.questions if q.id == question_id), None)
        if question is not None:
            self.editing, self.edit_text, self.edit_error = question.id, question.text, ""
            self.edit_kind, self.edit_required = question.kind, question.required

    @rx.event
    def set_edit_open(self, is_open: bool):
        """Closing the edit dialog drops the change."""
        if not is_open:
            self.editing = 0

    @rx.event
    def set_edit_kind(self, kind: str):
        """The kind chosen in the edit dialog."""
        if kind in KINDS:
            self.edit_kind = kind

    @rx.event
    def set_edit_required(self, required: bool):
        """The required switch in the edit dialog."""
        self.edit_required = required

    @rx.event
    async def save_question(self, form: dict):
        """Store the edited question."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        question_id, kind, required = self.editing, self.edit_kind, self.edit_required
        text = str(form.get("text", ""))
        if await self._change(actor, lambda: questionnaires.update_question(
                actor=actor, question_id=question_id, text=text, kind=kind, required=required), field="edit_error"):
            self.editing = 0
        return None
