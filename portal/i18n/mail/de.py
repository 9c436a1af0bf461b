"""Email messages (de)."""

MESSAGES: dict[str, str] = {
}
