"""UI messages (en)."""

MESSAGES: dict[str, str] = {
}
