"""UI messages (de)."""

MESSAGES: dict[str, str] = {
}
