"""The page of a signed link that cannot be used (``coordination.core.signed_links``)."""
from flask import render_template

from coordination.core.signed_links import LinkError


def link_error_page(error: LinkError, *, next_url: str, next_label: str, explanation: str = ""):
    """Why the link cannot be used, and where to go instead (a new link, the partner space…)."""
    return render_template("link_error.html", error=error, next_url=next_url, next_label=next_label,
                           explanation=explanation), error.status
