""""Signaler une erreur" and the coordinators' moderation queue.

A resident tells the network that a listing is wrong; the report reaches the place's organisation and
the coordinators through the outbox, and waits in the queue until a coordinator resolves or dismisses
it, with a reason. Nothing about the person who reported is kept: the use case is never given the
address, the browser or an account (the rate limit is the view's business, in memory of the limiter).

The queue also shows the organisations waiting for validation (decided through the auth services) and
the places flagged stale by the freshness job.
"""
import re
from dataclasses import dataclass, field

from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from flask_babel import lazy_gettext

from coordination import audit, mail
from coordination.auth import services as auth_services
from coordination.auth.models import Organisation, User
from coordination.core import paging
from coordination.core.clock import utcnow
from coordination.directory import services
from coordination.directory.models import Place
from coordination.moderation import permissions
from coordination.moderation.models import PlaceReport
from coordination.errors import Conflict, Invalid, NotFound
from coordination.extensions import db
from coordination.utils import external_url

REPORT_KINDS = {
    "closed": "Le lieu est fermé définitivement",
    "hours": "Les horaires sont faux",
    "address": "L'adresse est fausse",
    "other": "Autre chose",
}
MESSAGE_MAX = 1000
REASON_MAX = 1000
HONEYPOT = "nickname"  # hidden from people, filled in by robots
REPORT_NOT_FOUND = lazy_gettext("Ce signalement n'existe pas.")
ALREADY_DECIDED = lazy_gettext("Ce signalement a déjà été traité entre-temps : rechargez la page.")
# Control characters other than tab and line breaks (PostgreSQL refuses NUL in text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- the public form -----------------------------------------------------------------------

def reportable_place(place_public_id: str) -> Place:
    """The place a resident may report: a public one only (anything else is a 404)."""
    return services.get_published_place(place_public_id)


def _clean_report(data: dict) -> tuple[str, str | None]:
    errors: dict[str, list[str]] = {}
    kind = (data.get("kind") or "").strip()
    if kind not in REPORT_KINDS:
        errors["kind"] = [_("Indiquez ce qui ne va pas en choisissant une des propositions.")]
    message = _CONTROL.sub("", data.get("message") or "").strip().replace("\r\n", "\n") or None
    if message and len(message) > MESSAGE_MAX:
        errors["message"] = [_("Le message doit faire %(max)d caractères au maximum (il en fait %(length)d).",
                               max=MESSAGE_MAX, length=len(message))]
    elif kind == "other" and not message:
        errors["message"] = [_("Décrivez en quelques mots ce qui ne va pas.")]
    if errors:
        raise Invalid(_("Le signalement n'a pas pu être envoyé : vérifiez le formulaire."), errors=errors)
    return kind, message


def report_error(place_public_id: str, data: dict) -> PlaceReport | None:
    """Stores what is wrong with a public place and tells its organisation and the coordinators.

    ``data``: ``kind`` (one of REPORT_KINDS), ``message`` (required for "other"), and the honeypot
    field. A filled honeypot returns None and stores nothing: the caller answers as for a success.
    """
    place = reportable_place(place_public_id)
    if (data.get(HONEYPOT) or "").strip():
        return None
    kind, message = _clean_report(data)
    report = PlaceReport(place_id=place.id, kind=kind, message=message, status="open")
    db.session.add(report)
    with force_locale("fr"):  # the network reads its mail in French, whatever the page's language
        _notify(place, kind, message)
    db.session.commit()
    return report


def _organisation_recipients(organisation: Organisation) -> list[str]:
    admins = [m.user.email for m in organisation.memberships if m.role == "admin" and m.user.active]
    return [organisation.contact_email, *admins]


def _coordinator_recipients() -> list[str]:
    return list(db.session.scalars(
        select(User.email).where(User.is_coordinator.is_(True), User.active.is_(True)).order_by(User.id)))


def _notify(place: Place, kind: str, message: str | None) -> None:
    """One message per address: the organisation's contact and admins get a link to edit the listing,
    coordinators (when not already told as members) a link to the queue."""
    subject = _("Erreur signalée sur « %(name)s »", name=place.name)
    context = {"place": place, "kind_label": REPORT_KINDS[kind], "message": message,
               "place_url": external_url("directory.place_page", public_id=place.public_id)}
    told = set()
    for recipient in _organisation_recipients(place.organisation):
        address = auth_services.normalise_email(recipient)
        if address and address not in told:
            told.add(address)
            mail.queue(address, subject, "moderation/mail/place_reported", for_coordinators=False,
                       link=external_url("directory.edit_place", place_id=place.id), **context)
    for recipient in _coordinator_recipients():
        address = auth_services.normalise_email(recipient)
        if address and address not in told:
            told.add(address)
            mail.queue(address, subject, "moderation/mail/place_reported", for_coordinators=True,
                       link=external_url("moderation.queue"), **context)


# --- the moderation queue ------------------------------------------------------------------

@dataclass
class ModerationQueue:
    organisations: list[Organisation]  # waiting for validation (those that asked to join)
    reports: list[PlaceReport]  # open, oldest first, with their place
    stale_places: list[Place]  # flagged stale and still public, stale longest first (STALE_SHOWN at most)
    stale_total: int = 0  # all of them
    imports: list = field(default_factory=list)  # (OrganisationImport, pending count): decided in bulk
    requesters: dict = field(default_factory=dict)  # organisation id: the account that asked to join
    reports_page: paging.Page | None = None  # the page of open reports shown (``reports`` are its items)

    @property
    def imported_pending(self) -> int:
        return sum(count for _record, count in self.imports)

    @property
    def count(self) -> int:
        reports = self.reports_page.total if self.reports_page else len(self.reports)
        return len(self.organisations) + self.imported_pending + reports + self.stale_total


BULK_SHOWN = 200


@dataclass
class BulkSelection:
    """The organisations of one import still pending, for the bulk decision and its confirmation."""
    record: object  # OrganisationImport
    organisations: list[Organisation]  # the first BULK_SHOWN
    total: int
    places: int  # their places that would become public on acceptance (published, not deleted)


def bulk_selection(import_id: int, *, actor) -> BulkSelection:
    permissions.require_moderator(actor)
    record = auth_services.get_organisation_import(import_id, actor=actor)
    ids = auth_services.pending_of_import(import_id, actor=actor)
    shown = auth_services.pending_organisations(actor=actor, import_id=import_id, limit=BULK_SHOWN)
    places = db.session.scalar(select(func.count(Place.id)).where(
        Place.organisation_id.in_(ids), Place.published.is_(True), Place.deleted_at.is_(None))) if ids else 0
    return BulkSelection(record, list(shown), len(ids), places or 0)


STALE_SHOWN = 50


def _stale_places():
    """Published places of active organisations flagged as not verified for too long."""
    return (select(Place).join(Place.organisation)
            .where(Place.stale_since.is_not(None), Place.published.is_(True), Place.deleted_at.is_(None),
                   Organisation.status == "active"))


def _open_reports():
    return select(PlaceReport).join(PlaceReport.place).where(PlaceReport.status == "open", Place.deleted_at.is_(None))


def open_report_count(*, actor) -> int:
    """Error reports waiting for a coordinator (the moderation queue's reports)."""
    permissions.require_moderator(actor)
    return db.session.scalar(select(func.count()).select_from(_open_reports().subquery())) or 0


def stale_place_count(*, actor) -> int:
    """Stale places in the moderation queue (the coordination home's count)."""
    permissions.require_moderator(actor)
    return db.session.scalar(select(func.count()).select_from(_stale_places().subquery())) or 0


def moderation_queue(*, actor, page: int = 1, size: int = paging.PAGE_SIZE) -> ModerationQueue:
    """What waits for the coordinators; the open reports one page at a time (``page``), oldest first."""
    permissions.require_moderator(actor)
    organisations = auth_services.pending_organisations(actor=actor, imported=False)
    reports = paging.paginate(db.session, _open_reports().options(
        joinedload(PlaceReport.place).joinedload(Place.organisation)).order_by(PlaceReport.created_at, PlaceReport.id),
        number=page, size=size, sort="date")
    stale = _stale_places()
    # The oldest first, a page at a time: a national directory may hold thousands of them.
    stale_places = db.session.scalars(
        stale.options(joinedload(Place.organisation)).order_by(Place.stale_since, Place.id).limit(STALE_SHOWN)
    ).all()
    stale_total = db.session.scalar(select(func.count()).select_from(stale.subquery()))
    return ModerationQueue(list(organisations), list(reports.items), list(stale_places), stale_total,
                           auth_services.imports_with_pending(actor=actor),
                           auth_services.requesters([o.id for o in organisations], actor=actor), reports)


def _reason(reason: str | None, message: str) -> str:
    cleaned = _CONTROL.sub("", reason or "").strip()
    if not cleaned:
        raise Invalid(message, errors={"reason": [message]})
    if len(cleaned) > REASON_MAX:
        text = _("Le motif doit faire %(num)s caractères au maximum.", num=REASON_MAX)
        raise Invalid(text, errors={"reason": [text]})
    return cleaned


def _open_report(report_id: int) -> PlaceReport:
    report = db.session.get(PlaceReport, report_id, with_for_update=True)
    if report is None:
        raise NotFound(REPORT_NOT_FOUND)
    if report.status != "open":
        raise Conflict(ALREADY_DECIDED)
    return report


def _decide(report: PlaceReport, status: str, reason: str, actor) -> None:
    report.status = status
    report.decided_at = utcnow()
    report.decided_by_id = actor.id
    report.decision_reason = reason


def resolve_report(report_id: int, *, actor, reason: str, unpublish: bool = False) -> PlaceReport:
    """The report was right: the listing was corrected (or, with ``unpublish``, taken offline)."""
    permissions.require_moderator(actor)
    reason = _reason(reason, _("Indiquez ce qui a été fait."))
    report = _open_report(report_id)
    _decide(report, "resolved", reason, actor)
    audit.record(actor, "report.resolved", "place_report", report.id, place_id=report.place_id,
                 kind=report.kind, reason=reason, unpublished=bool(unpublish))
    if unpublish:
        # set_published commits: the decision above and the unpublication land in one transaction.
        services.set_published(report.place_id, False, actor=actor)
    db.session.commit()
    return report


def dismiss_report(report_id: int, *, actor, reason: str) -> PlaceReport:
    """The report was wrong or not actionable: it leaves the queue, the listing stays as it is."""
    permissions.require_moderator(actor)
    reason = _reason(reason, _("Indiquez pourquoi le signalement est écarté."))
    report = _open_report(report_id)
    _decide(report, "dismissed", reason, actor)
    audit.record(actor, "report.dismissed", "place_report", report.id, place_id=report.place_id,
                 kind=report.kind, reason=reason)
    db.session.commit()
    return report


def unpublish_stale_place(place_id: int, *, actor, reason: str) -> Place:
    """Takes a place flagged stale out of the public directory; its organisation can publish it again
    once the listing is up to date (a confirmation clears the flag)."""
    permissions.require_moderator(actor)
    reason = _reason(reason, _("Indiquez le motif du retrait."))
    place = db.session.get(Place, place_id)
    if place is None or place.deleted_at is not None:
        raise NotFound(services.PLACE_NOT_FOUND)
    if place.stale_since is None:
        raise Conflict(_("Ce lieu n'est plus signalé comme ancien : rechargez la page."))
    audit.record(actor, "place.stale_unpublished", "place", place.id, reason=reason,
                 stale_since=place.stale_since.isoformat())
    # set_published commits: the audit record above and the unpublication land in one transaction.
    services.set_published(place.id, False, actor=actor)
    db.session.commit()
    return place
