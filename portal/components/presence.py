"""An invisible timer that tells the server a staff tab is still open."""

from __future__ import annotations

import reflex as rx
from reflex_base.components.memoize_helpers import get_memoized_event_triggers
from reflex_base.event import no_args_event_spec
from reflex_components_core.base.fragment import Fragment

from portal.domain.presence import BEAT

BEAT_MS = int(BEAT.total_seconds() * 1000)


class Heartbeat(Fragment):
    """Renders nothing; fires ``on_beat`` at mount and then every :data:`BEAT_MS` milliseconds."""

    on_beat: rx.EventHandler[no_args_event_spec]

    @classmethod
    def create(cls, *children, **props) -> Heartbeat:
        """Create the timer (event triggers work inside memoized parents too)."""
        component = super().create(*children, **props)
        memo_triggers = get_memoized_event_triggers(component)
        if memo_triggers:
            component.event_triggers = {**component.event_triggers, **memo_triggers}
        return component

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), *self.event_triggers.keys()]

    def add_imports(self) -> dict:
        """React hooks used by the timer."""
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str | rx.Var]:
        """The effect that starts the interval and clears it on unmount."""
        chain = rx.Var.create(self.event_triggers["on_beat"])
        return [rx.Var(f"""
useEffect(() => {{
    const beat = () => ({chain})();
    beat();
    const timer = setInterval(beat, {BEAT_MS});
    return () => clearInterval(timer);
}}, []);
""")]


def heartbeat(handler: rx.EventHandler) -> rx.Component:
    """An invisible element that fires ``handler`` while the page is open."""
    return Heartbeat.create(on_beat=handler)
