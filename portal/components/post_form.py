"""Native HTML forms that really go to the server.

``rx.el.form`` always prevents the browser's submission to run Reflex events; login
and logout must instead post to Starlette so the response can set HttpOnly cookies.
"""

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class PostForm(BaseHTML):
    """``<form method="post" action=...>`` without Reflex's submit interception."""

    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]


def post_form(*children, action: str, **props) -> rx.Component:
    """A form posting to ``action`` (a path from :mod:`portal.routes`)."""
    return PostForm.create(*children, action=action, method="post", **props)

