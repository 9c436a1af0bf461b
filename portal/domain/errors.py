"""Refusals the user can fix, carrying the catalog key of the message to show."""


class UserError(ValueError):
    """Bad input or a step that is not possible now; ``key`` names the message.

    ``params`` fill the message's placeholders (e.g. the character that was refused).
    """

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params
