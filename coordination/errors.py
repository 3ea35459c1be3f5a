"""Domain exceptions and the French error pages they turn into."""
import errno
import logging

from flask import g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    default_message = "La demande n'a pas pu être traitée."

    def __init__(self, message: str | None = None, **details):
        # str(): a message may be lazy (a module constant), it is read in the request's language
        self.message = str(message or self.default_message)
        super().__init__(self.message)
        self.details = details


class NotFound(DomainError):
    status = 404
    default_message = "Cette page n'existe pas ou plus."


class PermissionDenied(DomainError):
    status = 403
    default_message = "Vous n'avez pas accès à cette page ou à cette action."


class Messages(list):
    """The French messages of one field; printed, they read as one sentence."""

    def __str__(self) -> str:
        return " ".join(self)


class Invalid(DomainError):
    """What was given cannot be used. ``errors`` maps a field's name to its messages (a list, every
    time: ``{"email": ["Adresse électronique invalide."]}``); forms show them next to the fields
    (``coordination.web.forms.ServiceForm``), the rest goes in ``message``."""
    status = 400
    default_message = "Les informations saisies ne sont pas valables."

    def __init__(self, message: str | None = None, errors: dict[str, list[str]] | None = None, **details):
        super().__init__(message, **details)
        for name, messages in (errors or {}).items():
            if not isinstance(messages, list):
                raise TypeError(f"Invalid.errors[{name!r}] must be a list of messages")
        self.errors: dict[str, list[str]] = {name: Messages(messages) for name, messages in (errors or {}).items()}

    def messages(self) -> list[str]:
        """Every field's messages, in order, or the general message when there is none."""
        return [message for messages in self.errors.values() for message in messages] or [self.message]


class Conflict(DomainError):
    status = 409
    default_message = "Ces informations ont été modifiées par quelqu'un d'autre entre-temps."

    def __init__(self, message: str | None = None, changes: list | None = None, **details):
        super().__init__(message, **details)
        self.changes = changes or []


def N_(text: str) -> str:
    """Marks a message for extraction: the pages translate it when they show it (the API keeps French)."""
    return text


TITLES = {
    400: N_("Demande incorrecte"),
    403: N_("Accès refusé"),
    404: N_("Page introuvable"),
    405: N_("Méthode non autorisée"),
    409: N_("Conflit de modification"),
    429: N_("Trop de tentatives"),
    500: N_("Erreur interne"),
    503: N_("Service momentanément indisponible"),
    507: N_("Disque plein"),
}

MESSAGES = {
    400: N_("La demande n'a pas pu être comprise. Vérifiez le formulaire et réessayez."),
    403: N_("Vous n'avez pas accès à cette page ou à cette action."),
    404: N_("Cette page n'existe pas ou plus."),
    405: N_("Cette action n'est pas possible sur cette page."),
    409: N_("Ces informations ont été modifiées par quelqu'un d'autre entre-temps."),
    410: N_("Ce lien n'est plus valable."),
    413: N_("Le fichier ou le formulaire envoyé est trop volumineux."),
    429: N_("Trop de tentatives en peu de temps. Patientez quelques minutes avant de réessayer."),
    500: N_("Une erreur imprévue s'est produite. L'équipe a été prévenue ; réessayez dans un moment."),
    503: N_("La base de données est momentanément indisponible. Rien n'a été enregistré ; réessayez dans un moment."),
    507: N_("Le disque du serveur est plein : rien n'a été enregistré. L'équipe technique a été prévenue ; "
         "réessayez plus tard."),
}

DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
DISK_FULL_SQLSTATE = "53100"  # PostgreSQL: disk_full
SQLITE_FULL = 13


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` says the disk (or the quota) is full: an OSError while writing a file, or
    the database's own report (PostgreSQL's disk_full, SQLite's SQLITE_FULL)."""
    if isinstance(error, OSError):
        return error.errno in DISK_FULL_ERRNOS
    orig = getattr(error, "orig", None)
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) == DISK_FULL_SQLSTATE or getattr(orig, "pgcode", None) == DISK_FULL_SQLSTATE:
        return True
    if getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL:
        return True
    text = str(orig).lower()
    return "database or disk is full" in text or "no space left on device" in text


GENERIC_CLIENT_ERROR = N_("La demande n'a pas pu être traitée. Vérifiez l'adresse ou le formulaire et réessayez.")
CSRF_ERROR = N_("Le formulaire a expiré ou n'est pas valide. Rechargez la page et réessayez.")
_OWN = {*MESSAGES.values(), GENERIC_CLIENT_ERROR, CSRF_ERROR}


def error_response(status: int, message: str | None = None):
    message = message or MESSAGES.get(status) or (GENERIC_CLIENT_ERROR if status < 500 else MESSAGES[500])
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error=message, status=status), status
    # the messages of this module in the page's language; a domain's own message as it was written
    return render_template("errors/error.html", status=status, title=_(TITLES.get(status, N_("Erreur"))),
                           message=_(message) if message in _OWN else message), status


def register_error_handlers(app):
    from coordination.extensions import db

    @app.errorhandler(DomainError)
    def domain_error(error):
        # a domain's default message is one of this module's: shown in the page's language
        own = error.message == error.default_message and MESSAGES.get(error.status) == error.message
        return error_response(error.status, None if own else error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, CSRF_ERROR)

    @app.errorhandler(OperationalError)
    def database_down(error):
        db.session.rollback()
        _render_as_anonymous()
        if is_disk_full(error):
            log.error("database disk full: %s", error.orig)
            return error_response(507)
        log.error("database unavailable: %s", error.orig)
        return error_response(503)

    @app.errorhandler(OSError)
    def disk_full(error):
        if not is_disk_full(error):
            return unexpected(error)
        db.session.rollback()
        _render_as_anonymous()
        log.error("disk full: %s", error)
        return error_response(507)

    @app.errorhandler(HTTPException)
    def http_error(error):
        body, status = error_response(error.code or 500, MESSAGES.get(error.code))
        response = make_response(body, status)
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):  # keep what clients act on
            if name in error.get_response().headers:
                response.headers[name] = error.get_response().headers[name]
        return response

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        _render_as_anonymous()
        log.exception("unexpected error")
        return error_response(500)


def _render_as_anonymous():
    """The error page must render even when loading the logged-in user is what failed."""
    from coordination.extensions import login_manager
    g._login_user = login_manager.anonymous_user()
