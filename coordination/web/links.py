"""The page of a signed link that cannot be used (``coordination.core.signed_links``)."""
from flask import render_template
from flask_babel import gettext as _

from coordination.core.signed_links import LinkError


def N_(text: str) -> str:
    """Marks a message for extraction: translated when the page shows it."""
    return text


# core.signed_links' French titles and default messages (core imports no Flask), for gettext.
KNOWN = {N_("Ce lien n'est pas valable"), N_("Ce lien a expiré"), N_("Ce lien a déjà servi"),
         N_("Ce lien a été annulé"), N_("Ce lien a expiré."), N_("Ce lien a déjà servi."),
         N_("Ce lien a été annulé."),
         N_("Ce lien n'est pas valable : il a peut-être été mal copié. Utilisez le lien complet du courriel.")}


def _translated(text: str) -> str:
    return _(text) if text in KNOWN else text


def link_error_page(error: LinkError, *, next_url: str, next_label: str, explanation: str = ""):
    """Why the link cannot be used, and where to go instead (a new link, the partner space…)."""
    return render_template("link_error.html", title=_translated(error.title), message=_translated(error.message),
                           next_url=next_url, next_label=next_label, explanation=explanation), error.status
