"""Small helpers for showing text, shared by the services, the admin and the pages."""


def clip(text: str, limit: int = 80) -> str:
    """Return the text cut to at most ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
