"""Password rules."""

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


def password_problem(password: str, repeat: str) -> str | None:
    """Check a new password.

    Args:
        password: The new password.
        repeat: The same password typed again.

    Returns:
        A catalog key describing the problem, or None if the password is acceptable.
    """
    if password != repeat:
        return "password.mismatch"
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password.too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "password.too_long"
    return None
