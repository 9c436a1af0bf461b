"""Email messages (fr)."""

MESSAGES: dict[str, str] = {
}
