"""What the public service's pages say, from the configuration; the contact form's use case; the
addresses the sitemap lists.

The facts (publisher, host, contact, DPO) and the retention periods are read from the configuration,
never written in the templates: the pages cannot say something the platform does not do."""
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, gettext as _

from coordination import mail
from coordination.core import validators
from coordination.directory import services as directory
from coordination.errors import Invalid
from coordination.extensions import db
from coordination.web.i18n import current_language

# The accessibility statement's date: the day its text (services and template) was last checked
# against the automated axe-core tests of the public pages.
STATEMENT_DATE = date(2026, 12, 7)
NAME_MAX = 100
MESSAGE_MAX = 3000
HONEYPOT = "website"  # hidden from people, filled in by robots


@dataclass(frozen=True)
class LegalFacts:
    """Who answers for the site. An empty setting is None: the page says « non renseigné »."""
    publisher_name: str | None
    publisher_address: str | None
    publication_director: str | None
    host_name: str | None
    host_address: str | None
    contact_email: str | None
    dpo_contact: str | None


def legal_facts() -> LegalFacts:
    config = current_app.config
    return LegalFacts(*((config.get(f"SITE_{name.upper()}") or "").strip() or None
                        for name in LegalFacts.__dataclass_fields__))


@dataclass(frozen=True)
class Retention:
    """How long what is kept about residents is kept, in days, as the jobs apply it."""
    referral_expiry_days: int
    referral_outcome_days: int
    referral_retention_days: int
    search_log_days: int
    consent_version: str
    map_tiles_host: str


def retention() -> Retention:
    config = current_app.config
    return Retention(referral_expiry_days=config["REFERRAL_EXPIRY_DAYS"],
                     referral_outcome_days=config["REFERRAL_OUTCOME_DAYS"],
                     referral_retention_days=config["REFERRAL_RETENTION_DAYS"],
                     search_log_days=config["SEARCH_LOG_RETENTION_DAYS"],
                     consent_version=config["REFERRAL_CONSENT_VERSION"],
                     map_tiles_host=urlsplit(config["MAP_TILE_URL"]).hostname or config["MAP_TILE_URL"])


# --- the contact form --------------------------------------------------------------------------

def contact_open() -> bool:
    return legal_facts().contact_email is not None


def _field(errors: dict, name: str, clean, value, *, invalid: str, missing: str):
    """One field cleaned by ``clean``; its French (or translated) message in ``errors`` when it is
    invalid or empty."""
    try:
        cleaned = clean(value)
    except validators.FieldError:
        errors[name] = [invalid]
        return None
    if not cleaned:
        errors[name] = [missing]
    return cleaned


def _clean_contact(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {
        "name": _field(errors, "name", lambda value: validators.one_line(value, max_length=NAME_MAX), data.get("name"),
                       invalid=_("Indiquez votre nom sur une seule ligne, en %(max)d caractères au plus.", max=NAME_MAX),
                       missing=_("Indiquez votre nom.")),
        "email": _field(errors, "email", validators.email, data.get("email"),
                        invalid=_("L'adresse électronique n'est pas valide : vérifiez-la (exemple : nom@exemple.fr)."),
                        missing=_("Indiquez votre adresse électronique, pour que nous puissions vous répondre.")),
        "message": _field(errors, "message", lambda value: validators.text(value, max_length=MESSAGE_MAX),
                          data.get("message"),
                          invalid=_("Le message doit faire %(max)d caractères au plus.", max=MESSAGE_MAX),
                          missing=_("Écrivez votre message.")),
    }
    if errors:
        raise Invalid(_("Le message n'a pas pu être envoyé : vérifiez le formulaire."), errors=errors)
    return cleaned


def send_contact_message(data: dict) -> mail.Message | None:
    """Queues a resident's message to the contact address. ``data``: ``name``, ``email``, ``message``
    and the honeypot field. A filled honeypot stores nothing and returns None: the caller answers as
    for a success, so that a robot learns nothing. Nothing else is kept than the queued message."""
    if (data.get(HONEYPOT) or "").strip():
        return None
    recipient = legal_facts().contact_email
    if recipient is None:
        raise Invalid(_("Le formulaire de contact n'est pas encore ouvert : l'adresse de contact du site "
                        "n'est pas renseignée."))
    cleaned = _clean_contact(data)
    language = current_language()
    with force_locale("fr"):  # the network reads its mail in French, whatever the page's language
        subject = _("Message de %(name)s (formulaire de contact)", name=cleaned["name"])
        message = mail.queue(recipient, mail.subject_line(subject), "site/mail/contact", language=language.name,
                             reply_to=cleaned["email"] or None, **cleaned)
    db.session.commit()
    return message


# --- the sitemap -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SitemapEntry:
    endpoint: str
    values: dict
    modified: datetime | None = None


STATIC_PAGES = ("directory.home", "directory.search", "opendata.index", "api.docs", "site.legal_notice",
                "site.accessibility", "site.privacy", "site.site_map", "site.contact")


def sitemap_entries():
    """The static pages, then every public place (streamed: the directory's batches, never all at once)."""
    for endpoint in STATIC_PAGES:
        yield SitemapEntry(endpoint, {})
    for place in directory.iter_public_places():
        yield SitemapEntry("directory.place_page", {"public_id": place.public_id}, place.changed_at)
