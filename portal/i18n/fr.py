"""UI messages (fr)."""

MESSAGES: dict[str, str] = {
}
