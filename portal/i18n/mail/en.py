"""Email messages (en)."""

MESSAGES: dict[str, str] = {
}
