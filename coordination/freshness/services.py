"""Listing freshness: "Vérifié il y a N mois", reminders, stale places, campaigns.

A place is *verified* when a member of its organisation says "tout est à jour" (``Place.verified_at``).
Ages are counted in calendar months on naive UTC datetimes: a place verified on 10 March is
"5 months old" from 10 August 00:00 UTC on (``months_since_verified``; the same rule as the
``verified_at <= now - N months`` cut-offs the jobs use, so the page and the jobs never disagree).

Reminders. ``send_freshness_reminders`` (a job, idempotent) runs the *automatic* campaign: one
automatic campaign per calendar month (Paris time) — the job closes last month's and opens this
month's the first time it runs in a month. Within a campaign an organisation gets at most one
reminder (unique constraint). An active organisation gets one when some of its places were not
verified for ``FRESHNESS_REMIND_MONTHS`` and at least one of those places was not already listed in
one of its reminders (of any campaign) sent less than ``FRESHNESS_REMIND_MONTHS`` ago. So a partner
who does nothing is reminded again once its earlier reminder is older than the remind delay, a place
that becomes due is announced within a month, and running the job twice sends nothing more.

Coordinators launch campaigns of their own (``launch_campaign``) for every active organisation or
some: each organisation with places gets, once, a reminder listing all its places at once.

A reminder's mails wait in the outbox; when the outbox comes to send one (``still_worth_sending``, a
receiver of ``signals.mail_due``), it is cancelled if every place it lists was confirmed since its
campaign started, or its link was already used: an organisation that confirmed meanwhile is not asked
again (issue 18).

Each reminder carries a signed "Tout est à jour" link (payload: the reminder id; salt of its own;
valid ``FRESHNESS_LINK_DAYS`` days; single use through ``link_used_at``). Opening it shows the places
and one button (a POST with a CSRF token): mail scanners that fetch links change nothing.

Stale places. ``flag_stale_places`` (a job) sets ``stale_since`` on places of active organisations
not verified for ``FRESHNESS_STALE_MONTHS`` (the coordinators' moderation queue lists them), and
clears it on places verified since, whichever path verified them. When ``FRESHNESS_UNPUBLISH_MONTHS``
is above 0, ``unpublish_stale`` (a job) takes places not verified for that long out of the public
directory (audited, search index queued) and tells their organisation; confirming does not publish
them again: the partner does it from the partner space once the listing is right.

``now`` is naive UTC, as stored; tests pass fixed clocks.
"""
import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from flask_babel import lazy_gettext

from coordination import audit, mail, signals
from coordination.auth import permissions as auth_permissions
from coordination.auth.models import Membership, Organisation, User
from coordination.core import paging
from coordination.core.clock import MONTHS, PARIS, date_fr, to_paris, utcnow
from coordination.directory import services as directory_services
from coordination.directory.models import Place
from coordination.freshness import permissions
from coordination.freshness.models import FreshnessCampaign, FreshnessReminder
from coordination.core.signed_links import BadLink, LinkExpired, LinkSigner, LinkUsed
from coordination.errors import Invalid, NotFound, PermissionDenied
from coordination.extensions import db
from coordination.utils import external_url

log = logging.getLogger(__name__)

NAME_MAX = 200
UNPUBLISH_BATCH = 500
CAMPAIGN_LOCK_KEY = 7_301_007  # pg_advisory_xact_lock key: opening this month's automatic campaign

PARTNER_SPACE_HINT = lazy_gettext("Vous pouvez confirmer vos lieux à tout moment depuis votre espace partenaire.")


# The salt of the links already mailed; payload: the reminder id.
# The salt keeps the module path the links were first signed under: links already mailed still work.
LINKS = LinkSigner("coordination.directory.freshness",
                   bad=lazy_gettext("Ce lien n'est pas valable : il a peut-être été mal copié. Utilisez le lien complet "
                                    "du courriel. Vous pouvez confirmer vos lieux à tout moment depuis votre espace "
                                    "partenaire."))


# --- ages ---------------------------------------------------------------------------------------

def months_before(now: datetime, months: int) -> datetime:
    """The cut-off: a place verified at or before it has gone ``months`` months without verification."""
    return now - relativedelta(months=months)


def months_since_verified(place, now: datetime | None = None) -> int | None:
    """Whole calendar months since the place (or a ``verified_at`` datetime) was last verified:
    the largest N with ``verified_at <= now - N months``. None when it never was."""
    verified = getattr(place, "verified_at", place)
    if verified is None:
        return None
    now = now or utcnow()
    months = (now.year - verified.year) * 12 + now.month - verified.month
    while months > 0 and verified > months_before(now, months):
        months -= 1
    return max(months, 0)


def needs_review(place, now: datetime | None = None) -> bool:
    """« À vérifier »: never verified, or not for FRESHNESS_STALE_MONTHS (``flag_stale_places``' rule)."""
    return place.verified_at is None or place.verified_at <= months_before(now or utcnow(),
                                                                            _config("FRESHNESS_STALE_MONTHS"))


def places_to_confirm_count(*, actor, now: datetime | None = None) -> int:
    """The places of the actor's active organisations that need their confirmation (``needs_review``):
    the partner home's count."""
    if not auth_permissions.is_authenticated(actor):
        return 0
    ids = [membership.organisation_id for membership in actor.memberships]
    if not ids:
        return 0
    cutoff = months_before(now or utcnow(), _config("FRESHNESS_STALE_MONTHS"))
    return db.session.scalar(
        select(func.count(Place.id)).join(Place.organisation)
        .where(Place.organisation_id.in_(ids), Place.deleted_at.is_(None), Organisation.status == "active",
               (Place.verified_at.is_(None)) | (Place.verified_at <= cutoff))) or 0


def verified_text(place, now: datetime | None = None, *, by_structure: bool = False) -> str:
    """« Vérifié ce mois-ci », « Vérifié il y a 1 mois », « Vérifié il y a N mois » (« … par la
    structure » with ``by_structure``), in the page's language."""
    months = months_since_verified(place, now)
    if months is None:
        return _("Jamais vérifié par la structure") if by_structure else _("Jamais vérifié")
    if months == 0:
        return _("Vérifié ce mois-ci par la structure") if by_structure else _("Vérifié ce mois-ci")
    if by_structure:
        return ngettext("Vérifié il y a %(num)s mois par la structure", "Vérifié il y a %(num)s mois par la structure",
                        months)
    return ngettext("Vérifié il y a %(num)s mois", "Vérifié il y a %(num)s mois", months)


def _config(name: str) -> int:
    return int(current_app.config[name])


# --- signed links -------------------------------------------------------------------------------

def make_token(reminder_id: int, *, now: datetime | None = None) -> str:
    return LINKS.sign(int(reminder_id), now=now)


def confirm_link(reminder: FreshnessReminder, *, now: datetime | None = None) -> str:
    """The absolute "Tout est à jour" link of a reminder mail."""
    return external_url("freshness.confirm_link", token=make_token(reminder.id, now=now))


def read_token(token: str, *, now: datetime | None = None) -> FreshnessReminder:
    """The reminder a link stands for. BadLink when altered or naming nothing, LinkExpired after
    FRESHNESS_LINK_DAYS days or when the organisation is no longer active, LinkUsed once used."""
    days = _config("FRESHNESS_LINK_DAYS")
    reminder_id = LINKS.read(token, max_age=days * 86400, now=now,
                             expired=ngettext("Ce lien a expiré : il n'était valable que %(num)s jour. %(hint)s",
                                              "Ce lien a expiré : il n'était valable que %(num)s jours. %(hint)s",
                                              days, hint=PARTNER_SPACE_HINT))
    if not isinstance(reminder_id, int) or isinstance(reminder_id, bool):
        raise BadLink(LINKS.bad)
    reminder = db.session.get(FreshnessReminder, reminder_id)
    if reminder is None:
        raise BadLink(LINKS.bad)
    if reminder.link_used_at is not None:
        raise LinkUsed(_("Ce lien a déjà servi : les lieux de ce rappel ont été confirmés le %(date)s. %(hint)s",
                         date=date_fr(reminder.link_used_at), hint=PARTNER_SPACE_HINT))
    if not reminder.organisation.is_active:
        raise LinkExpired(_("Ce lien a expiré : votre organisation n'est plus active dans le réseau. "
                          "Contactez la coordination."))
    return reminder


def listed_places(reminder: FreshnessReminder) -> list[Place]:
    """The reminder's places that still belong to its organisation and are not deleted."""
    if not reminder.place_ids:
        return []
    return list(db.session.scalars(
        select(Place).where(Place.id.in_([int(i) for i in reminder.place_ids]),
                            Place.organisation_id == reminder.organisation_id, Place.deleted_at.is_(None))
        .order_by(Place.name, Place.id)))


def _mark_verified(place_ids: list[int], now: datetime) -> None:
    if place_ids:
        db.session.execute(update(Place.__table__).where(Place.__table__.c.id.in_(place_ids))
                           .values(verified_at=now, stale_since=None))


def confirm_by_link(token: str, *, now: datetime | None = None) -> FreshnessReminder:
    """"Tout est à jour" from a reminder's link: every place it listed (still the organisation's,
    not deleted) is verified now and no longer stale. The link works once: two clicks at the same
    time confirm once, the second gets LinkUsed."""
    now = now or utcnow()
    reminder = read_token(token, now=now)
    claimed = db.session.execute(
        update(FreshnessReminder)
        .where(FreshnessReminder.id == reminder.id, FreshnessReminder.link_used_at.is_(None))
        .values(link_used_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise LinkUsed(_("Ce lien a déjà servi : les lieux de ce rappel ont déjà été confirmés. %(hint)s",
                         hint=PARTNER_SPACE_HINT))
    place_ids = [place.id for place in listed_places(reminder)]
    _mark_verified(place_ids, now)
    for place_id in place_ids:
        audit.record(None, "place.confirm", "place", place_id, by_link=True, reminder_id=reminder.id)
    audit.record(None, "freshness.link_used", "freshness_reminder", reminder.id,
                 organisation_id=reminder.organisation_id, places=len(place_ids))
    db.session.commit()
    directory_services.queue_places_for_search(place_ids)
    return reminder


def confirm_all(organisation_id: int, *, actor, now: datetime | None = None) -> int:
    """The partner space's "tout est à jour": every place of the organisation (not deleted) is
    verified now. Returns how many."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("Cette organisation n'existe pas."))
    if not permissions.can_confirm_all(actor, organisation):
        raise PermissionDenied(_("Seuls les membres d'une organisation active confirment ses lieux."))
    now = now or utcnow()
    place_ids = list(db.session.scalars(select(Place.id).where(
        Place.organisation_id == organisation.id, Place.deleted_at.is_(None)).order_by(Place.id)))
    _mark_verified(place_ids, now)
    for place_id in place_ids:
        audit.record(actor, "place.confirm", "place", place_id, all_places=True)
    db.session.commit()
    directory_services.queue_places_for_search(place_ids)
    return len(place_ids)


# --- reminders ----------------------------------------------------------------------------------

def _recipients(organisation: Organisation) -> list[str]:
    """The organisation's contact address and its active admins, each once."""
    admins = db.session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.role == "admin", User.active.is_(True))
        .order_by(User.id))
    addresses = [organisation.contact_email, *admins]
    return list(dict.fromkeys(a.strip().lower() for a in addresses if a and a.strip()))


def _key(*parts) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:40]


def _mail_reminder(reminder: FreshnessReminder, campaign: FreshnessCampaign, organisation: Organisation,
                   now: datetime) -> None:
    places = listed_places(reminder)
    days = _config("FRESHNESS_LINK_DAYS")
    subject = (_("Vos lieux dans l'annuaire sont-ils toujours à jour ?") if campaign.automatic
               else _("%(campaign)s : vos lieux sont-ils à jour ?", campaign=campaign.name))
    context = dict(organisation=organisation, campaign=campaign, places=places,
                   ages={p.id: verified_text(p, now) for p in places},
                   link=confirm_link(reminder, now=now), partner_link=external_url("directory.partner_home"),
                   link_days=days, expires_on=date_fr(now + timedelta(days=days)),
                   stale_months=_config("FRESHNESS_STALE_MONTHS"),
                   unpublish_months=_config("FRESHNESS_UNPUBLISH_MONTHS"))
    for recipient in _recipients(organisation):
        mail.queue(recipient, subject, "freshness/mail/reminder",
                   dedupe_key=f"freshness-reminder:{reminder.id}:{_key(recipient)}", **context)


def _add_reminder(campaign: FreshnessCampaign, organisation: Organisation, place_ids: list[int],
                  now: datetime, *, actor=None) -> FreshnessReminder | None:
    """One reminder (and its mails) in the caller's transaction; None when the organisation
    already has one in this campaign (another run was first)."""
    reminder = FreshnessReminder(campaign_id=campaign.id, organisation_id=organisation.id,
                                 place_ids=sorted(place_ids), sent_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(reminder)
    except IntegrityError:
        return None
    _mail_reminder(reminder, campaign, organisation, now)
    audit.record(actor, "freshness.remind", "organisation", organisation.id, campaign_id=campaign.id,
                 reminder_id=reminder.id, places=len(place_ids))
    return reminder


REMINDER_KEY = re.compile(r"freshness-reminder:(\d+):")


def still_worth_sending(dedupe_key: str) -> bool:
    """Asked by the outbox just before it sends a message (``signals.mail_due``): False for a reminder
    whose link was used, or whose listed places (still the organisation's) were all confirmed since
    its campaign started."""
    match = REMINDER_KEY.match(dedupe_key or "")
    reminder = db.session.get(FreshnessReminder, int(match.group(1))) if match else None
    if reminder is None:
        return True
    if reminder.link_used_at is not None:
        return False
    places = listed_places(reminder)
    started = reminder.campaign.created_at
    return bool(places) and any(place.verified_at is None or place.verified_at < started for place in places)


def connect_signals() -> None:
    signals.mail_due.connect(still_worth_sending)


def _paris_month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month (Paris time) holding ``now``, as naive UTC bounds [start, end)."""
    local = to_paris(now)
    start = datetime(local.year, local.month, 1, tzinfo=PARIS)
    end = start + relativedelta(months=1)
    return (start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None))


def current_automatic_campaign(now: datetime | None = None) -> FreshnessCampaign:
    """This month's automatic campaign, opened on first use; open automatic campaigns of other
    months are closed. Commits. Two runs at once (PostgreSQL) take turns here, so the second finds
    the campaign the first opened and the unique (campaign, organisation) pair does the rest."""
    now = now or utcnow()
    start, end = _paris_month_bounds(now)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CAMPAIGN_LOCK_KEY})
    current = None
    for campaign in db.session.scalars(select(FreshnessCampaign).where(
            FreshnessCampaign.automatic.is_(True), FreshnessCampaign.closed_at.is_(None))
            .order_by(FreshnessCampaign.id)):
        if current is None and start <= campaign.created_at < end:
            current = campaign
        else:
            campaign.closed_at = now
    if current is None:
        local = to_paris(now)
        current = FreshnessCampaign(name=_("Rappels automatiques — %(month)s %(year)s",
                                           month=MONTHS[local.month - 1], year=local.year),
                                    organisation_ids=None, automatic=True, created_at=now)
        db.session.add(current)
    db.session.commit()
    return current


def _places_by_organisation(*conditions) -> dict[int, list[int]]:
    """Ids of non-deleted places of active organisations matching ``conditions``, per organisation."""
    grouped: dict[int, list[int]] = {}
    for organisation_id, place_id in db.session.execute(
            select(Place.organisation_id, Place.id).join(Organisation, Organisation.id == Place.organisation_id)
            .where(Organisation.status == "active", Place.deleted_at.is_(None), *conditions)
            .order_by(Place.organisation_id, Place.id)):
        grouped.setdefault(organisation_id, []).append(place_id)
    return grouped


def _recently_listed(organisation_ids, since: datetime) -> dict[int, set[int]]:
    listed: dict[int, set[int]] = {}
    for organisation_id, place_ids in db.session.execute(
            select(FreshnessReminder.organisation_id, FreshnessReminder.place_ids)
            .where(FreshnessReminder.organisation_id.in_(list(organisation_ids)), FreshnessReminder.sent_at > since)):
        listed.setdefault(organisation_id, set()).update(int(i) for i in place_ids or [])
    return listed


def send_freshness_reminders(now: datetime | None = None) -> int:
    """The automatic campaign's job: reminds each active organisation whose places went
    FRESHNESS_REMIND_MONTHS without verification (see the module's docstring for when a reminder
    goes out again). Idempotent. Returns how many organisations were reminded."""
    now = now or utcnow()
    cutoff = months_before(now, _config("FRESHNESS_REMIND_MONTHS"))
    due = _places_by_organisation(Place.verified_at <= cutoff)
    if not due:
        return 0
    campaign = current_automatic_campaign(now)
    already = set(db.session.scalars(select(FreshnessReminder.organisation_id)
                                     .where(FreshnessReminder.campaign_id == campaign.id)))
    recent = _recently_listed(due, since=cutoff)
    sent = 0
    for organisation_id, place_ids in due.items():
        if organisation_id in already or set(place_ids) <= recent.get(organisation_id, set()):
            continue
        organisation = db.session.get(Organisation, organisation_id)
        if _add_reminder(campaign, organisation, place_ids, now) is not None:
            sent += 1
        db.session.commit()  # one organisation at a time: a run that stops halfway is finished later
    if sent:
        log.info("freshness: %d organisation(s) reminded (campaign %s)", sent, campaign.id)
    return sent


# --- campaigns launched by coordinators ---------------------------------------------------------

def _clean_campaign(name, organisation_ids) -> tuple[str, list[int] | None]:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Donnez un nom à la campagne, par exemple « Avant l'été ».")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Le nom ne doit pas dépasser %(num)s caractères.", num=NAME_MAX)]
    ids = None
    if organisation_ids is not None:
        try:
            ids = sorted({int(i) for i in organisation_ids})
        except (TypeError, ValueError):
            errors["organisation_ids"] = [_("Choisissez les organisations dans la liste.")]
        else:
            if not ids:
                errors["organisation_ids"] = [_("Choisissez au moins une organisation, ou toutes.")]
            else:
                active = set(db.session.scalars(select(Organisation.id).where(
                    Organisation.id.in_(ids), Organisation.status == "active")))
                if active != set(ids):
                    errors["organisation_ids"] = [_("Seules les organisations actives peuvent recevoir une campagne.")]
    if errors:
        raise Invalid(_("La campagne n'a pas été lancée : corrigez le formulaire."), errors=errors)
    return name, ids


def launch_campaign(name: str, organisation_ids: list | None, *, actor, now: datetime | None = None) -> FreshnessCampaign:
    """A coordinator's campaign: every chosen active organisation (``None``: all of them) that has
    places gets one reminder now, listing all its places, with its "Tout est à jour" link."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied(_("Seule la coordination du réseau lance des campagnes de mise à jour."))
    name, ids = _clean_campaign(name, organisation_ids)
    now = now or utcnow()
    campaign = FreshnessCampaign(name=name, organisation_ids=ids, automatic=False, created_at=now,
                                 created_by_id=actor.id)
    db.session.add(campaign)
    db.session.flush()
    conditions = [] if ids is None else [Place.organisation_id.in_(ids)]
    reminded = 0
    for organisation_id, place_ids in _places_by_organisation(*conditions).items():
        organisation = db.session.get(Organisation, organisation_id)
        if _add_reminder(campaign, organisation, place_ids, now, actor=actor) is not None:
            reminded += 1
    audit.record(actor, "freshness.campaign_launch", "freshness_campaign", campaign.id, name=name,
                 organisation_ids=ids, reminded=reminded)
    db.session.commit()
    return campaign


@dataclass
class OrganisationProgress:
    organisation: Organisation
    reminder: FreshnessReminder
    verified: int = 0  # listed places verified since the campaign started
    pending: int = 0  # listed places not verified since

    @property
    def total(self) -> int:
        return self.verified + self.pending

    @property
    def done(self) -> bool:
        return self.pending == 0


@dataclass
class CampaignProgress:
    campaign: FreshnessCampaign
    rows: list[OrganisationProgress] = field(default_factory=list)  # every organisation reminded
    page: paging.Page | None = None  # the rows shown: searched, filtered, sorted, one page

    @property
    def verified(self) -> int:
        return sum(row.verified for row in self.rows)

    @property
    def pending(self) -> int:
        return sum(row.pending for row in self.rows)

    @property
    def organisations_done(self) -> int:
        return sum(1 for row in self.rows if row.done)


PROGRESS_SORTS = {
    "etat": lambda row: (row.done, row.organisation.name.lower()),
    "organisation": lambda row: row.organisation.name.lower(),
    "envoi": lambda row: (row.reminder.sent_at, row.organisation.name.lower()),
    "verifies": lambda row: (row.verified, row.organisation.name.lower()),
    "attente": lambda row: (row.pending, row.organisation.name.lower()),
}
PROGRESS_STATES = {"a-jour": True, "en-attente": False}


def campaign_progress(campaign_id: int, *, actor, query: str = "", state: str | None = None, sort: str | None = None,
                      descending: bool = False, page: int = 1, size: int = paging.PAGE_SIZE) -> CampaignProgress:
    """Per organisation reminded: of the places its reminder listed (still its own, not deleted),
    how many were verified since the campaign started and how many are pending. ``page``: the rows
    whose organisation's name holds ``query``, up to date or not (``state``), sorted by one of
    ``PROGRESS_SORTS`` (pending first, unless said otherwise); the totals count every row."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied(_("Le suivi des campagnes est réservé à la coordination du réseau."))
    campaign = db.session.get(FreshnessCampaign, campaign_id)
    if campaign is None:
        raise NotFound(_("Cette campagne n'existe pas."))
    reminders = list(db.session.scalars(select(FreshnessReminder).where(FreshnessReminder.campaign_id == campaign.id)))
    listed = {int(i) for r in reminders for i in r.place_ids or []}
    places = {}
    if listed:
        places = {p.id: p for p in db.session.execute(
            select(Place.id, Place.organisation_id, Place.verified_at)
            .where(Place.id.in_(sorted(listed)), Place.deleted_at.is_(None)))}
    progress = CampaignProgress(campaign)
    for reminder in reminders:
        row = OrganisationProgress(reminder.organisation, reminder)
        for place_id in reminder.place_ids or []:
            place = places.get(int(place_id))
            if place is None or place.organisation_id != reminder.organisation_id:
                continue
            if place.verified_at >= campaign.created_at:
                row.verified += 1
            else:
                row.pending += 1
        progress.rows.append(row)
    progress.rows.sort(key=PROGRESS_SORTS["etat"])
    sort = paging.sort_key(sort, PROGRESS_SORTS, "etat")
    needle = query.casefold()
    shown = [row for row in progress.rows if needle in row.organisation.name.casefold()
             and (state not in PROGRESS_STATES or row.done is PROGRESS_STATES[state])]
    shown.sort(key=PROGRESS_SORTS[sort], reverse=descending)
    progress.page = paging.page_of(shown, number=page, size=size, sort=sort, descending=descending)
    return progress


@dataclass
class CampaignSummary:
    campaign: FreshnessCampaign
    organisations: int  # reminded
    links_used: int


@dataclass
class CampaignsOverview:
    campaigns: paging.Page  # of CampaignSummary, newest first
    organisations: list[Organisation]  # active: the launch form's choices


def campaigns_overview(*, actor, page: int = 1, size: int = paging.PAGE_SIZE) -> CampaignsOverview:
    """One page of the campaigns, newest first, and the organisations a new campaign can reach."""
    if not permissions.can_run_campaigns(actor):
        raise PermissionDenied(_("Les campagnes de mise à jour sont réservées à la coordination du réseau."))
    campaigns = paging.paginate(db.session, select(FreshnessCampaign).order_by(
        FreshnessCampaign.created_at.desc(), FreshnessCampaign.id.desc()), number=page, size=size, sort="date",
        descending=True)
    counts = {campaign_id: (reminded, used) for campaign_id, reminded, used in db.session.execute(
        select(FreshnessReminder.campaign_id, func.count(FreshnessReminder.id), func.count(FreshnessReminder.link_used_at))
        .where(FreshnessReminder.campaign_id.in_([c.id for c in campaigns.items]))
        .group_by(FreshnessReminder.campaign_id))}
    organisations = list(db.session.scalars(select(Organisation).where(Organisation.status == "active")
                                            .order_by(Organisation.name)))
    summaries = [CampaignSummary(c, *counts.get(c.id, (0, 0))) for c in campaigns.items]
    return CampaignsOverview(campaigns=replace(campaigns, items=summaries), organisations=organisations)


# --- stale places -------------------------------------------------------------------------------

def flag_stale_places(now: datetime | None = None) -> int:
    """Places of active organisations not verified for FRESHNESS_STALE_MONTHS get ``stale_since``;
    places verified since lose it. Idempotent. Returns how many were newly flagged."""
    now = now or utcnow()
    cutoff = months_before(now, _config("FRESHNESS_STALE_MONTHS"))
    places = Place.__table__.c
    active = select(Organisation.id).where(Organisation.status == "active")
    flagged = db.session.execute(update(Place.__table__).where(
        places.stale_since.is_(None), places.deleted_at.is_(None), places.verified_at <= cutoff,
        places.organisation_id.in_(active)).values(stale_since=now)).rowcount
    cleared = db.session.execute(update(Place.__table__).where(
        places.stale_since.is_not(None), places.verified_at > cutoff).values(stale_since=None)).rowcount
    if flagged:
        audit.record(None, "freshness.flag_stale", "places", "*", places=flagged, months=_config("FRESHNESS_STALE_MONTHS"))
    db.session.commit()
    if flagged or cleared:
        log.info("freshness: %d place(s) flagged stale, %d no longer stale", flagged, cleared)
    return flagged


def unpublish_stale(now: datetime | None = None) -> int:
    """When FRESHNESS_UNPUBLISH_MONTHS > 0: published places not verified for that long leave the
    public directory, one organisation per transaction, each told by mail. Returns how many."""
    months = _config("FRESHNESS_UNPUBLISH_MONTHS")
    if months <= 0:
        return 0
    now = now or utcnow()
    cutoff = months_before(now, months)
    # Only places already flagged stale (seen by coordinators first), whatever the settings say.
    candidates = (Place.published.is_(True), Place.deleted_at.is_(None), Place.verified_at <= cutoff,
                  Place.stale_since.is_not(None))
    total = 0
    for organisation_id in list(_places_by_organisation(*candidates)):
        # Locked (PostgreSQL): a confirmation arriving meanwhile waits, then finds the place unpublished;
        # rows another run holds are skipped: that run handles them.
        places = list(db.session.scalars(
            select(Place).where(Place.organisation_id == organisation_id, *candidates)
            .order_by(Place.name, Place.id).limit(UNPUBLISH_BATCH).with_for_update(skip_locked=True, of=Place)))
        if not places:
            db.session.rollback()
            continue
        place_ids = [place.id for place in places]
        db.session.execute(update(Place.__table__).where(Place.__table__.c.id.in_(place_ids))
                           .values(published=False))
        for place in places:
            audit.record(None, "place.unpublish", "place", place.id, reason="freshness", months=months,
                         verified_at=place.verified_at.isoformat())
        organisation = db.session.get(Organisation, organisation_id)
        for recipient in _recipients(organisation):
            mail.queue(recipient, _("Des lieux ont été retirés de l'annuaire faute de mise à jour"), "freshness/mail/unpublished",
                       dedupe_key=f"freshness-unpublished:{_key(recipient, *place_ids, now.isoformat())}",
                       organisation=organisation, places=places, months=months,
                       partner_link=external_url("directory.partner_home"))
        db.session.commit()
        directory_services.queue_places_for_search(place_ids)
        total += len(place_ids)
    if total:
        log.info("freshness: %d stale place(s) unpublished", total)
    return total
