import unicodedata
from urllib.parse import urlsplit


def _has_control_or_separator(value: str) -> bool:
    """Control characters (C0, C1) and line or paragraph separators: none belongs in a one-line value."""
    return any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value)


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect). The value
    returned is the one checked: nothing that could split or end a Location header."""
    if not target or _has_control_or_separator(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for links in emails, built from BASE_URL (works in jobs, without a request)."""
    from flask import current_app, url_for

    # Always from BASE_URL (never from the request's Host header), and correct under a sub-path.
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context("/", base_url=base):
        return url_for(endpoint, _external=True, **values)


def count_of(count: int, singular: str, plural: str) -> str:
    """« 1 lieu », « 3 lieux »: the count and the noun (0 and 1 are singular in French)."""
    return f"{count} {singular if count <= 1 else plural}"
