"""Keeps ``<html lang>`` in step with the user's language.

``rx.App(html_lang=...)`` is fixed at build time; screen readers pick their voice and
pronunciation from this attribute, so an English or French user needs it changed.
"""

import reflex as rx
from reflex_base.vars.base import VarData
from reflex_components_core.base.fragment import Fragment

from portal.state.session import SessionState


class DocumentLanguage(Fragment):
    """Renders nothing; sets ``document.documentElement.lang`` whenever ``locale`` changes."""

    locale: rx.Var[str]

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "locale"]

    def add_imports(self) -> dict:
        """The React hook used."""
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str | rx.Var]:
        """The effect writing the attribute."""
        hook = f"useEffect(() => {{ document.documentElement.lang = {self.locale}; }}, [{self.locale}]);"
        return [rx.Var(hook, _var_data=VarData.merge(self.locale._get_all_var_data()))]


def document_language() -> rx.Component:
    """The ``<html lang>`` follower for the current session's locale."""
    return DocumentLanguage.create(locale=SessionState.locale)
