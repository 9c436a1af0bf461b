"""Refusals the user can fix, carrying the catalog key of the message to show."""


class UserError(ValueError):
    """Bad input or a step that is not possible now; ``key`` names the message."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key
