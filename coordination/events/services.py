"""Network meeting use cases: series and single meetings, moves and cancellations, invitations,
reminders, and what each person is invited to.

Each write is one use case owning its transaction; coordinators only (``permissions``). The three
scheduled jobs (``materialise_occurrences``, ``send_invitations``, ``send_reminders``) are run by
the scheduler (``jobs.py``) and by ``flask events …`` (``cli.py``); each reads the clock
(``core.clock.utcnow``) when no ``now`` is given. They are idempotent: every message carries a
dedupe key (``meeting:{id}:seq:{sequence}:user:{user_id}`` for an invitation, an update or a cancellation),
and an invitation row per person and meeting records the SEQUENCE last mailed (``sent_sequence``).

Times: meetings are stored in naive UTC; dates and hours typed by coordinators, and the rule of a
series, are Paris wall-clock time (``recurrence``).
"""
import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _, lazy_gettext, ngettext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from coordination import audit, mail
from coordination.auth import permissions as auth_permissions
from coordination.auth.models import Membership, Organisation, User
from coordination.core.clock import DateOutOfRange, check_day, date_fr, datetime_fr, parse_day, utcnow
from coordination.directory import services as directory_services
from coordination.core import validators
from coordination.core.french import time_fr
from coordination.errors import Invalid, NotFound, PermissionDenied
from coordination.events import ics, markdown, permissions, recurrence, rsvp
from coordination.events.models import (
    Meeting,
    MeetingDelegate,
    MeetingInvitation,
    MeetingSeries,
    meeting_organisations,
)
from coordination.extensions import db

log = logging.getLogger(__name__)

NOT_FOUND = lazy_gettext("Cette réunion n'existe pas, ou vous n'y avez pas accès.")
DENIED = lazy_gettext("Seuls les coordinateurs du réseau planifient les réunions.")
TITLE_MAX, ADDRESS_MAX, URL_MAX, AGENDA_MAX = 200, 300, 500, 20_000
DURATION_MIN, DURATION_MAX, DEFAULT_DURATION = 15, 12 * 60, 150
INVITATION_DAYS_MAX = 365
REMINDER_TIME = time(9, 0)  # reminders go out from 9:00, Paris time, on their day
ANSWERS_REMINDED = ("yes", "maybe", "pending")  # "no" gets no reminder
ICS_FILENAME = "reunion.ics"
# The fields whose change is sent to the people already invited (a new SEQUENCE).
SENT_FIELDS = ("title", "starts_at", "ends_at", "place_id", "address", "video_url", "agenda")


# --- reading ---------------------------------------------------------------------------------

def get_meeting(meeting_id: int, *, actor) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not permissions.can_view_meeting(actor, meeting):
        raise NotFound(NOT_FOUND)
    return meeting


def get_series(series_id: int, *, actor) -> MeetingSeries:
    return managed(MeetingSeries, series_id, actor=actor, missing=_("Cette série de réunions n'existe pas."))


def managed(model, object_id: int, *, actor, missing: str, denied: str = DENIED):
    """A series or a meeting, for the coordination to manage: PermissionDenied (``denied``) for
    anyone else, NotFound (``missing``) when there is none."""
    auth_permissions.require_coordinator(actor, denied)
    found = db.session.get(model, object_id)
    if found is None:
        raise NotFound(missing)
    return found


def list_series(*, actor) -> list[MeetingSeries]:
    auth_permissions.require_coordinator(actor, DENIED)
    return list(db.session.scalars(select(MeetingSeries).order_by(MeetingSeries.active.desc(), MeetingSeries.title)))


def upcoming_meetings(*, actor, now: datetime | None = None) -> list[Meeting]:
    """Every meeting not yet over (coordinators), cancelled ones included."""
    auth_permissions.require_coordinator(actor, DENIED)
    return list(db.session.scalars(select(Meeting).where(Meeting.ends_at >= (now or utcnow()))
                                   .order_by(Meeting.starts_at, Meeting.id)))


def next_meeting(*, actor, now: datetime | None = None) -> Meeting | None:
    """The next scheduled meeting of the network not yet over (the coordination home)."""
    auth_permissions.require_coordinator(actor, DENIED)
    return db.session.scalars(select(Meeting).where(Meeting.ends_at >= (now or utcnow()), Meeting.status == "scheduled")
                              .order_by(Meeting.starts_at, Meeting.id).limit(1)).first()


def _invited_query(meeting: Meeting, *columns):
    """The active organisations ``meeting`` invites: all of them, or the ones chosen for it."""
    query = select(Organisation, *columns).where(Organisation.status == "active")
    if not meeting.invite_all:
        query = query.where(Organisation.id.in_(
            select(meeting_organisations.c.organisation_id).where(meeting_organisations.c.meeting_id == meeting.id)))
    return query.order_by(Organisation.name, Organisation.id)


def invited_organisations(meeting: Meeting) -> list[Organisation]:
    """The organisations ``meeting`` invites, with their members loaded."""
    return list(db.session.scalars(_invited_query(meeting).options(
        selectinload(Organisation.memberships).selectinload(Membership.user))))


def invitees(meeting: Meeting) -> list[tuple[User, Organisation]]:
    """Who is invited to ``meeting``: the active members of every organisation it invites (every
    active organisation, or the ones chosen), or only the members it named as delegates when it
    named some. A person in two organisations is invited once, for the organisation that named
    them (else the first by name)."""
    organisations = invited_organisations(meeting)
    delegates: dict[int, set[int]] = {}
    for organisation_id, user_id in db.session.execute(
            select(MeetingDelegate.organisation_id, MeetingDelegate.user_id)
            .where(MeetingDelegate.organisation_id.in_([o.id for o in organisations]))):
        delegates.setdefault(organisation_id, set()).add(user_id)

    named: dict[int, tuple[User, Organisation]] = {}
    everyone: dict[int, tuple[User, Organisation]] = {}
    for organisation in organisations:
        members = sorted((m.user for m in organisation.memberships if m.user.active), key=lambda u: u.id)
        chosen = [u for u in members if u.id in delegates.get(organisation.id, set())]
        target = named if chosen else everyone
        for user in chosen or members:
            target.setdefault(user.id, (user, organisation))
    for user_id, pair in everyone.items():
        named.setdefault(user_id, pair)
    return sorted(named.values(), key=lambda pair: (pair[1].name, pair[1].id, pair[0].name, pair[0].id))


def meetings_for_user(user, *, since: datetime | None = None) -> list[Meeting]:
    """The meetings ``user`` is invited to for an active organisation they still belong to (the
    calendar feed); cancelled ones included, so that calendars show them cancelled."""
    if user is None or not getattr(user, "active", False):
        return []
    query = (select(Meeting).join(MeetingInvitation, MeetingInvitation.meeting_id == Meeting.id)
             .join(Organisation, Organisation.id == MeetingInvitation.organisation_id)
             .join(Membership, (Membership.organisation_id == Organisation.id) & (Membership.user_id == user.id))
             .where(MeetingInvitation.user_id == user.id, Organisation.status == "active")
             .order_by(Meeting.starts_at, Meeting.id))
    if since is not None:
        query = query.where(Meeting.ends_at >= since)
    return list(db.session.scalars(query).unique())


@dataclass
class OrganisationResponses:
    organisation: Organisation
    invitations: list[MeetingInvitation] = field(default_factory=list)
    # Nobody in the organisation can answer (no active member): it is invited, but no one gets the mail.
    no_account: bool = False

    def count(self, response: str) -> int:
        return sum(1 for i in self.invitations if i.response == response and not _waiting(i))

    @property
    def waitlisted(self) -> int:
        return sum(1 for i in self.invitations if _waiting(i))

    @property
    def answered(self) -> bool:
        return any(i.response != "pending" for i in self.invitations)


def _waiting(invitation: MeetingInvitation) -> bool:
    return invitation.waitlisted_at is not None and invitation.response == "yes"


def responses_by_organisation(meeting_id: int, *, actor) -> list[OrganisationResponses]:
    """Every invited organisation with its people and their answers (coordinators), by name: the
    organisations the meeting invites that nobody of could be invited for are there too
    (``no_account``), and so are the ones invited before they left the list or were suspended."""
    if not permissions.can_see_responses(actor):
        raise PermissionDenied(DENIED)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(NOT_FOUND)
    # One query per table, whatever the number of organisations; the meeting's collection is set
    # from it too, so that the page (attendance, waiting list) reads the same loaded rows.
    invitations = db.session.scalars(
        select(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting.id).order_by(MeetingInvitation.id)
        .options(selectinload(MeetingInvitation.user), selectinload(MeetingInvitation.organisation))).all()
    if "invitations" in inspect(meeting).unloaded:
        set_committed_value(meeting, "invitations", list(invitations))
    groups: dict[int, OrganisationResponses] = {}
    for invitation in invitations:
        groups.setdefault(invitation.organisation_id, OrganisationResponses(invitation.organisation)) \
            .invitations.append(invitation)
    has_account = (select(Membership.id).join(User, User.id == Membership.user_id)
                   .where(Membership.organisation_id == Organisation.id, User.active.is_(True)).exists())
    for organisation, answerable in db.session.execute(_invited_query(meeting, has_account)):
        if organisation.id not in groups:
            groups[organisation.id] = OrganisationResponses(organisation, no_account=not answerable)
    for group in groups.values():
        group.invitations.sort(key=lambda i: (i.user.name, i.user_id))
    return sorted(groups.values(), key=lambda g: (g.organisation.name, g.organisation.id))


# --- validation ------------------------------------------------------------------------------

def _text(data: dict, name: str) -> str:
    value = data.get(name)
    return str(value).strip() if value is not None else ""


def _unsafe_in_url(character: str) -> bool:
    """Any whitespace (spaces included), control or invisible formatting character."""
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def _single_line(data: dict, name: str, errors: dict) -> str:
    """A one-line text (``validators.one_line``): it would end a header, a line of the .ics or of
    a mail. Refused, the value stays as typed, on one line, for the form."""
    try:
        return validators.one_line(data.get(name)) or ""
    except validators.FieldError as error:
        errors[name] = [str(error)]
        return validators.collapse(_text(data, name))


def _parse_date(value, errors: dict, name: str) -> date | None:
    try:
        if isinstance(value, datetime):
            return check_day(value.date())
        if isinstance(value, date):
            return check_day(value)
        return parse_day(value)
    except DateOutOfRange as error:
        errors[name] = [str(error)]
    except ValueError:
        errors[name] = [_("Indiquez une date valide (AAAA-MM-JJ).")]
    return None


def _parse_time(value, errors: dict, name: str) -> time | None:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    text = str(value or "").strip().lower().replace("h", ":").replace(" ", "")
    if text.endswith(":"):
        text += "00"
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        errors[name] = [_("Indiquez une heure valide, par exemple 14:00.")]
        return None


def _parse_int(value, errors: dict, name: str, *, minimum: int, maximum: int, label: str) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[name] = [_("%(label)s : indiquez un nombre entier.", label=label)]
        return None
    if not minimum <= number <= maximum:
        errors[name] = [_("%(label)s : entre %(minimum)s et %(maximum)s.", label=label, minimum=minimum, maximum=maximum)]
        return None
    return number


def _clean_details(data: dict, errors: dict, *, partial: bool = False) -> dict:
    """Title, duration, location, agenda, capacity and invitation delay; with ``partial``, only the
    keys present in ``data``."""
    cleaned = {}

    def wanted(*names):
        return not partial or any(name in data for name in names)

    if wanted("title"):
        cleaned["title"] = _single_line(data, "title", errors)
        if not cleaned["title"]:
            errors.setdefault("title", [_("Indiquez un titre.")])
        elif len(cleaned["title"]) > TITLE_MAX:
            errors.setdefault("title", [ngettext("%(num)s caractère au maximum.", "%(num)s caractères au maximum.", TITLE_MAX)])
    if wanted("duration_minutes"):
        raw = _text(data, "duration_minutes") or str(DEFAULT_DURATION)
        cleaned["duration_minutes"] = _parse_int(raw, errors, "duration_minutes", minimum=DURATION_MIN,
                                                 maximum=DURATION_MAX, label=_("Durée en minutes"))
    if wanted("place_public_id"):
        cleaned["place"] = None
        public_id = _text(data, "place_public_id")
        if public_id:
            try:
                cleaned["place"] = directory_services.get_published_place(public_id)
            except NotFound:
                errors["place_public_id"] = [_("Ce lieu n'existe pas ou n'est plus publié dans l'annuaire.")]
    if wanted("address"):
        cleaned["address"] = _single_line(data, "address", errors) or None
        if cleaned["address"] and len(cleaned["address"]) > ADDRESS_MAX:
            errors.setdefault("address", [ngettext("%(num)s caractère au maximum.", "%(num)s caractères au maximum.", ADDRESS_MAX)])
    if wanted("video_url"):
        cleaned["video_url"] = _text(data, "video_url") or None
        if cleaned["video_url"]:
            try:
                parts = urlsplit(cleaned["video_url"])
            except ValueError:  # e.g. an unclosed "[" in the host
                parts = None
            if any(_unsafe_in_url(character) for character in cleaned["video_url"]):
                # urlsplit drops tabs and line breaks: check the text itself, before parsing.
                errors["video_url"] = [_("Le lien de visio ne doit contenir ni espace, ni retour à la ligne, "
                                       "ni caractère de contrôle.")]
            elif parts is None or parts.scheme != "https" or not parts.netloc:
                errors["video_url"] = [_("Le lien de visio doit être une adresse https://…")]
            elif len(cleaned["video_url"]) > URL_MAX:
                errors["video_url"] = [ngettext("%(num)s caractère au maximum.", "%(num)s caractères au maximum.", URL_MAX)]
    if wanted("agenda"):
        cleaned["agenda"] = _text(data, "agenda").replace("\r\n", "\n") or None
        if cleaned["agenda"] and len(cleaned["agenda"]) > AGENDA_MAX:
            errors["agenda"] = [ngettext("%(num)s caractère au maximum.", "%(num)s caractères au maximum.", AGENDA_MAX)]
    if wanted("capacity"):
        raw = _text(data, "capacity")
        cleaned["capacity"] = (_parse_int(raw, errors, "capacity", minimum=1, maximum=10_000, label=_("Nombre de places"))
                               if raw else None)
    if wanted("invitation_days"):
        raw = _text(data, "invitation_days")
        cleaned["invitation_days"] = (
            _parse_int(raw, errors, "invitation_days", minimum=1, maximum=INVITATION_DAYS_MAX,
                       label=_("Délai d'invitation en jours"))
            if raw else current_app.config["MEETING_INVITATION_DAYS"])
    return cleaned


def _require_location(values: dict, errors: dict) -> None:
    if not (values.get("place") or values.get("address") or values.get("video_url")) and not (
            {"place_public_id", "address", "video_url"} & set(errors)):
        errors["address"] = [_("Indiquez un lieu de l'annuaire, une adresse ou un lien de visio.")]


PICKER_FIELDS = ("kind", "interval", "nth", "weekday", "month_day", "months", "rrule")


def _clean_rule(data: dict, errors: dict) -> str | None:
    """The rule from the picker's choices (``kind`` and its details, ``recurrence.build_rule``), or,
    from callers that do not send a ``kind``, from a preset name ("quarterly", "monthly", "custom")."""
    if "kind" not in data:
        return _clean_preset(data, errors)
    choice = {name: data.get(name) for name in PICKER_FIELDS}
    if choice["kind"] not in recurrence.KINDS:
        errors["kind"] = [_("Choisissez un rythme.")]
        return None
    if choice["kind"] == "dates":
        choice["dates"] = _clean_dates(data.get("dates"), errors)
        if "dates" in errors:
            return None
    try:
        return recurrence.build_rule(choice)
    except recurrence.RuleError as error:
        errors[{"custom": "rrule", "dates": "dates"}.get(choice["kind"], "kind")] = [str(error)]
        return None


def _clean_dates(value, errors: dict) -> list[date]:
    """Chosen dates, one a line (or separated by commas), as AAAA-MM-JJ or JJ/MM/AAAA."""
    chunks = list(value) if isinstance(value, (list, tuple)) else [
        _iso_day(chunk) for chunk in str(value or "").replace(",", "\n").replace(";", "\n").split("\n") if chunk.strip()]
    days = []
    for chunk in chunks:
        day = _parse_date(chunk, errors, "dates")
        if day is None:
            return []
        days.append(day)
    return days


def _iso_day(text: str) -> str:
    """« 12/03/2027 » as « 2027-03-12 »; other text as it is."""
    parts = text.strip().split("/")
    return "-".join(part.strip().zfill(2) for part in reversed(parts)) if len(parts) == 3 else text.strip()


def _first_start(rule: str | None, data: dict, errors: dict) -> datetime | None:
    """The first start (Paris wall-clock): the first date and the start time; for chosen dates,
    the first of them."""
    start_time = _parse_time(data.get("start_time"), errors, "start_time")
    if data.get("kind") == "dates" and not rule:
        return None  # the dates' own error is enough
    if rule and rule.startswith(recurrence.DATES_PREFIX):
        first_date = recurrence.rule_dates(rule)[0]
    else:
        first_date = _parse_date(data.get("first_date"), errors, "first_date")
    return datetime.combine(first_date, start_time) if first_date is not None and start_time is not None else None


def preview_rule(data: dict, *, actor, count: int = 5) -> tuple[str, list[str]]:
    """The picker's rule in words and its next ``count`` dates in French (the form's « Aperçu »);
    Invalid with the picker's errors."""
    auth_permissions.require_coordinator(actor, DENIED)
    errors: dict = {}
    rule = _clean_rule(data, errors)
    first_start_local = _first_start(rule, data, errors) if rule else None
    if errors or first_start_local is None:
        raise Invalid(errors=errors or {"first_date": [_("Indiquez la première date et l'heure de début.")]})
    after = max(recurrence.utc_to_local(utcnow()), first_start_local - timedelta(seconds=1))
    dates = recurrence.preview(rule, first_start_local, count=count, after_local=after)
    if not dates:
        raise Invalid(errors={"rrule" if data.get("kind") == "custom" else "kind": [
            _("Cette règle ne donne aucune date à venir.")]})
    return recurrence.describe(rule), dates


def _clean_preset(data: dict, errors: dict) -> str | None:
    preset = _text(data, "preset") or "quarterly"
    if preset in recurrence.PRESETS:
        return recurrence.PRESETS[preset][1]
    if preset != "custom":
        errors["preset"] = [_("Choisissez « chaque trimestre », « chaque mois » ou une règle personnalisée.")]
        return None
    try:
        return recurrence.validate_rule(data.get("rrule"))
    except recurrence.RuleError as error:
        errors["rrule"] = [str(error)]
        return None


def _clean_invited(data: dict, errors: dict) -> dict:
    """« invite »: "all" (every active organisation, the default) or "chosen", with
    « organisation_ids », the active organisations chosen (at least one)."""
    choice = _text(data, "invite") or "all"
    if choice == "all":
        return {"invite_all": True, "organisations": []}
    if choice != "chosen":
        errors["invite"] = [_("Choisissez « toutes les organisations » ou une liste d'organisations.")]
        return {}
    wanted = {int(value) for value in (data.get("organisation_ids") or []) if str(value).strip().isdigit()}
    organisations = list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(wanted), Organisation.status == "active")
        .order_by(Organisation.name, Organisation.id))) if wanted else []
    if not organisations:
        errors["organisation_ids"] = [_("Cochez au moins une organisation à inviter.")]
        return {}
    return {"invite_all": False, "organisations": organisations}


def invitable_organisations(*, actor) -> list[Organisation]:
    """The active organisations a coordinator may choose to invite, by name."""
    auth_permissions.require_coordinator(actor, DENIED)
    return list(db.session.scalars(select(Organisation).where(Organisation.status == "active")
                                   .order_by(Organisation.name, Organisation.id)))


def _apply_invited(target, invited: dict) -> None:
    if invited:
        target.invite_all = invited["invite_all"]
        target.organisations = list(invited["organisations"])


def _apply_place(target, values: dict) -> None:
    for name in ("title", "address", "video_url", "agenda", "capacity", "invitation_days"):
        if name in values:
            setattr(target, name, values[name])
    if "place" in values:
        target.place = values["place"]
        target.place_id = values["place"].id if values["place"] else None


# --- series and meetings ----------------------------------------------------------------------

def create_series(data: dict, *, actor) -> MeetingSeries:
    """A recurring meeting; its next occurrences are materialised at once."""
    auth_permissions.require_coordinator(actor, DENIED)
    errors: dict = {}
    values = _clean_details(data, errors)
    invited = _clean_invited(data, errors)
    rule = _clean_rule(data, errors)
    first_start_local = _first_start(rule, data, errors)
    _require_location(values, errors)
    if rule and first_start_local and not errors:
        ahead = recurrence.occurrences_local(rule, first_start_local, count=1, after_local=max(
            recurrence.utc_to_local(utcnow()), first_start_local - timedelta(seconds=1)))
        if not ahead:
            errors["dates" if rule.startswith(recurrence.DATES_PREFIX)
                   else "kind" if data.get("kind") not in (None, "custom") else "rrule"] = [
                _("Cette règle ne donne aucune date à venir.")]
    if errors:
        raise Invalid(errors=errors)
    series = MeetingSeries(rrule=rule, first_start_local=first_start_local,
                           duration_minutes=values["duration_minutes"], created_by_id=actor.id)
    _apply_place(series, values)
    _apply_invited(series, invited)
    db.session.add(series)
    db.session.flush()
    audit.record(actor, "meeting_series.created", "meeting_series", series.id, rrule=rule)
    created = _materialise(series, utcnow())
    db.session.commit()
    log.info("meeting series %s created with %d meeting(s)", series.id, created)
    return series


def stop_series(series_id: int, *, actor) -> MeetingSeries:
    """No further occurrences are materialised; the meetings already there stay as they are."""
    series = get_series(series_id, actor=actor)
    if series.active:
        series.active = False
        audit.record(actor, "meeting_series.stopped", "meeting_series", series.id)
        db.session.commit()
    return series


def create_meeting(data: dict, *, actor) -> Meeting:
    """A single meeting, outside any series."""
    auth_permissions.require_coordinator(actor, DENIED)
    errors: dict = {}
    values = _clean_details(data, errors)
    invited = _clean_invited(data, errors)
    starts_at, ends_at = _clean_schedule(data, errors, duration=values.get("duration_minutes"))
    _require_location(values, errors)
    if errors:
        raise Invalid(errors=errors)
    meeting = Meeting(starts_at=starts_at, ends_at=ends_at, created_by_id=actor.id)
    _apply_place(meeting, values)
    _apply_invited(meeting, invited)
    db.session.add(meeting)
    db.session.flush()
    audit.record(actor, "meeting.created", "meeting", meeting.id)
    db.session.commit()
    return meeting


def _clean_schedule(data: dict, errors: dict, *, duration: int | None,
                    current: Meeting | None = None) -> tuple[datetime | None, datetime | None]:
    """Start and end (naive UTC) from a Paris date and start time; in the future."""
    local = recurrence.utc_to_local(current.starts_at) if current else None
    day = (_parse_date(data.get("date"), errors, "date") if current is None or "date" in data
           else local.date())
    start = (_parse_time(data.get("start_time"), errors, "start_time") if current is None or "start_time" in data
             else local.time())
    if day is None or start is None or duration is None:
        return None, None
    starts_local = datetime.combine(day, start)
    starts_at = recurrence.local_to_utc(starts_local)
    ends_at = recurrence.local_to_utc(starts_local + timedelta(minutes=duration))
    if starts_at <= utcnow():
        errors["date"] = [_("Cette date est passée : choisissez une date à venir.")]
    return starts_at, ends_at


def _locked_meeting(meeting_id: int) -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting))
    if meeting is None:
        raise NotFound(NOT_FOUND)
    return meeting


def update_meeting(meeting_id: int, data: dict, *, actor) -> Meeting:
    """Moves or changes one meeting (only the keys present in ``data``: date, start_time,
    duration_minutes, title, place_public_id, address, video_url, agenda, capacity, invitation_days).
    A change people see gets a new SEQUENCE and is mailed to everyone already invited."""
    auth_permissions.require_coordinator(actor, DENIED)
    # None stands for a field left as it is; only the capacity is cleared by None (no limit).
    data = {name: value for name, value in data.items() if value is not None or name == "capacity"}
    meeting = _locked_meeting(meeting_id)
    if meeting.status == "cancelled":
        db.session.rollback()
        raise Invalid(_("Cette réunion est annulée : elle ne peut plus être modifiée."))
    errors: dict = {}
    values = _clean_details(data, errors, partial=True)
    invited = _clean_invited(data, errors) if "invite" in data else {}
    duration = values.get("duration_minutes") or int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    if {"date", "start_time", "duration_minutes"} & set(data):
        starts_at, ends_at = _clean_schedule(data, errors, duration=duration, current=meeting)
    else:
        starts_at, ends_at = meeting.starts_at, meeting.ends_at
    after = {"place": meeting.place, "address": meeting.address, "video_url": meeting.video_url} | values
    _require_location(after, errors)
    if errors:
        db.session.rollback()
        raise Invalid(errors=errors)

    before = {name: getattr(meeting, name) for name in SENT_FIELDS}
    capacity_before = meeting.capacity
    _apply_place(meeting, values)
    if invited and (invited["invite_all"], invited["organisations"]) != (meeting.invite_all, meeting.organisations):
        # Organisations added are invited at the next run (or « send now »); nobody is uninvited.
        _apply_invited(meeting, invited)
        audit.record(actor, "meeting.invited_changed", "meeting", meeting.id, invite_all=meeting.invite_all,
                     organisations=[o.id for o in meeting.organisations])
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    if meeting.capacity != capacity_before:
        audit.record(actor, "meeting.capacity_changed", "meeting", meeting.id, capacity=meeting.capacity)
        rsvp.promote_waitlisted(meeting)  # more seats: the waiting list moves up (and is told)
    changed = [name for name in SENT_FIELDS if getattr(meeting, name) != before[name]]
    if not changed:
        db.session.commit()  # capacity or invitation delay only: no calendar change to send
        return meeting
    meeting.sequence += 1
    audit.record(actor, "meeting.updated", "meeting", meeting.id, changed=changed, sequence=meeting.sequence)
    sent = 0
    for invitation in _invited(meeting):
        sent += _send(meeting, invitation, "events/mail/update",
                      _("Modification : %(title)s, %(when)s", title=meeting.title, when=datetime_fr(meeting.starts_at)),
                      changed=changed, moved="starts_at" in changed or "ends_at" in changed,
                      previous_start=before["starts_at"])
    db.session.commit()
    log.info("meeting %s updated (sequence %s), %d update(s) queued", meeting.id, meeting.sequence, sent)
    return meeting


def cancel_meeting(meeting_id: int, *, actor, reason: str | None = None) -> Meeting:
    """Cancels one meeting: a METHOD:CANCEL to everyone already invited. Cancelling twice does nothing."""
    auth_permissions.require_coordinator(actor, DENIED)
    meeting = _locked_meeting(meeting_id)
    if meeting.status == "cancelled":
        db.session.commit()
        return meeting
    reason = " ".join((reason or "").split())[:1000] or None
    meeting.status = "cancelled"
    meeting.sequence += 1
    audit.record(actor, "meeting.cancelled", "meeting", meeting.id, sequence=meeting.sequence)
    for invitation in _invited(meeting):
        _send(meeting, invitation, "events/mail/cancelled",
              _("Annulée : %(title)s du %(date)s", title=meeting.title, date=date_fr(meeting.starts_at)),
              method="CANCEL", reason=reason)
    db.session.commit()
    return meeting


def _invited(meeting: Meeting) -> list[MeetingInvitation]:
    """The people a change must reach: those already sent an invitation, who are still active
    users (whether they may still answer decides only the links, in ``_send``)."""
    return [i for i in meeting.invitations if i.sent_sequence is not None and i.user.active]


# --- mail --------------------------------------------------------------------------------------

def _mail_context(meeting: Meeting) -> dict:
    local_end = recurrence.utc_to_local(meeting.ends_at)
    return {"meeting": meeting, "agenda_text": markdown.to_text(meeting.agenda), "when": datetime_fr(meeting.starts_at),
            "until": time_fr(local_end), "location": ics.location_text(meeting),
            "meeting_url": ics.meeting_url(meeting)}


def _send(meeting: Meeting, invitation: MeetingInvitation, template: str, subject: str, *,
          method: str = "REQUEST", dedupe_key: str | None = None, **context) -> int:
    """Queues one message about ``meeting`` to one invited person, with the .ics attached; marks the
    SEQUENCE sent. Returns 1, or 0 when that message was already queued."""
    key = dedupe_key or f"meeting:{meeting.id}:seq:{meeting.sequence}:user:{invitation.user.id}"
    calendar = ics.meeting_calendar(meeting, method=method, attendee=invitation)
    organiser = ics.organizer_of(meeting)  # a reply by mail reaches the same person as the calendar's
    message = mail.queue(
        invitation.user.email, subject, template, dedupe_key=key, reply_to=organiser.email if organiser else None,
        attachments=[mail.attachment(ICS_FILENAME, f"text/calendar; charset=utf-8; method={method}", calendar)],
        invitation=invitation, user=invitation.user, organisation=invitation.organisation,
        links=(rsvp.answer_links(invitation) if method == "REQUEST" and meeting.status == "scheduled"
               and rsvp.may_answer_now(invitation) else {}),
        waitlisted=_waiting(invitation), **_mail_context(meeting), **context)
    if dedupe_key is None:
        invitation.sent_sequence = meeting.sequence
    return 0 if message is None else 1


# --- scheduled jobs (jobs.py, cli.py) ------------------------------------------------------------

def materialise_occurrences(now: datetime | None = None) -> int:
    """Keeps the next MEETING_MATERIALISED occurrences of every active series as meetings. An
    occurrence is materialised once: moved or cancelled, it is not created again. Returns how many
    meetings were created."""
    now = now or utcnow()
    created = 0
    for series_id in db.session.scalars(select(MeetingSeries.id).where(MeetingSeries.active)
                                        .order_by(MeetingSeries.id)).all():
        series = db.session.scalar(select(MeetingSeries).where(MeetingSeries.id == series_id, MeetingSeries.active)
                                   .with_for_update(skip_locked=True, of=MeetingSeries))
        if series is None:  # stopped meanwhile, or another run holds it
            db.session.rollback()
            continue
        created += _materialise(series, now)
        db.session.commit()
    if created:
        log.info("%d meeting(s) materialised", created)
    return created


def _materialise(series: MeetingSeries, now: datetime) -> int:
    after = max(recurrence.utc_to_local(now), series.first_start_local - timedelta(seconds=1))
    wanted = recurrence.occurrences_local(series.rrule, series.first_start_local, after_local=after,
                                          count=current_app.config["MEETING_MATERIALISED"])
    if not wanted:
        return 0
    existing = set(db.session.scalars(select(Meeting.occurrence_local).where(
        Meeting.series_id == series.id, Meeting.occurrence_local.in_(wanted))))
    created = 0
    for occurrence in wanted:
        if occurrence in existing:
            continue
        meeting = Meeting(series_id=series.id, occurrence_local=occurrence, title=series.title,
                          starts_at=recurrence.local_to_utc(occurrence),
                          ends_at=recurrence.local_to_utc(occurrence + timedelta(minutes=series.duration_minutes)),
                          place_id=series.place_id, address=series.address, video_url=series.video_url,
                          agenda=series.agenda, capacity=series.capacity, invitation_days=series.invitation_days,
                          created_by_id=series.created_by_id, invite_all=series.invite_all,
                          organisations=list(series.organisations))
        try:
            with db.session.begin_nested():  # another run created it first: keep theirs
                db.session.add(meeting)
        except IntegrityError:
            continue
        created += 1
    return created


def send_invitations(now: datetime | None = None) -> int:
    """Invites everyone who should be to each scheduled meeting whose invitation date has come
    (start − invitation_days), the .ics attached; people who joined since the last run too. The
    waiting list moves up into seats freed by people who can no longer come.
    Returns how many invitations were sent."""
    now = now or utcnow()
    sent = 0
    candidates = db.session.scalars(select(Meeting.id).where(Meeting.status == "scheduled", Meeting.starts_at > now)
                                    .order_by(Meeting.starts_at, Meeting.id)).all()
    for meeting_id in candidates:
        meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id, Meeting.status == "scheduled")
                                    .with_for_update(skip_locked=True, of=Meeting))
        if meeting is None or meeting.starts_at - timedelta(days=meeting.invitation_days) > now:
            db.session.rollback()
            continue
        count = _invite(meeting, now)
        if meeting.capacity is not None:
            # Seats held by people who left or whose organisation was suspended are free again.
            rsvp.promote_waitlisted(meeting)
        try:
            db.session.commit()
        except IntegrityError:  # another run invited the same person meanwhile: it sent the message
            db.session.rollback()
            log.info("meeting %s: invitations written by another run; the next run completes them", meeting_id)
            continue
        sent += count
    if sent:
        log.info("%d meeting invitation(s) sent", sent)
    return sent


def send_invitations_now(meeting_id: int, *, actor, now: datetime | None = None) -> int:
    """« Send the invitations now » (a coordinator, on the meeting's page): what the scheduled job
    does for this meeting, without waiting for its invitation date. Nobody is invited twice: only
    the people not yet sent an invitation get one. Returns how many were sent."""
    auth_permissions.require_coordinator(actor, DENIED)
    now = now or utcnow()
    meeting = _locked_meeting(meeting_id)
    if meeting.status == "cancelled" or meeting.starts_at <= now:
        db.session.rollback()
        raise Invalid(_("Cette réunion est annulée ou commencée : il n'y a plus d'invitation à envoyer."))
    count = _invite(meeting, now)
    if meeting.capacity is not None:
        rsvp.promote_waitlisted(meeting)
    audit.record(actor, "meeting.invitations_sent", "meeting", meeting.id, sent=count)
    db.session.commit()
    log.info("meeting %s: %d invitation(s) sent now by %s", meeting.id, count, actor.id)
    return count


def _invite(meeting: Meeting, now: datetime) -> int:
    existing = {invitation.user_id: invitation for invitation in meeting.invitations}
    for user, organisation in invitees(meeting):
        if user.id not in existing:
            existing[user.id] = MeetingInvitation(meeting=meeting, user=user, organisation=organisation,
                                                  created_at=now)
            db.session.add(existing[user.id])
    db.session.flush()  # the answer links sign the invitation's id
    count = 0
    for invitation in existing.values():
        if invitation.sent_sequence is None and rsvp.may_answer_now(invitation):
            count += _send(meeting, invitation, "events/mail/invitation",
                           _("Invitation : %(title)s, %(when)s", title=meeting.title, when=datetime_fr(meeting.starts_at)))
    if meeting.invitations_sent_at is None:
        meeting.invitations_sent_at = now
    return count


def reminder_days() -> list[int]:
    """MEETING_REMINDER_DAYS as whole days before the meeting, largest first (unreadable parts ignored)."""
    days = set()
    for part in str(current_app.config["MEETING_REMINDER_DAYS"]).split(","):
        if part.strip().isdigit() and int(part) >= 1:
            days.add(int(part))
    return sorted(days, reverse=True)


def reminder_moment(meeting: Meeting, days: int) -> datetime:
    """When the reminder ``days`` before is due: that day at REMINDER_TIME, Paris time (naive UTC)."""
    day = recurrence.utc_to_local(meeting.starts_at).date() - timedelta(days=days)
    return recurrence.local_to_utc(datetime.combine(day, REMINDER_TIME))


def _due_reminder(meeting: Meeting, now: datetime, days: list[int]) -> int | None:
    """The latest reminder due (the smallest number of days whose moment has come): a scheduler
    stopped over the 7-day reminder sends only the 1-day one, not both."""
    due = [d for d in days if reminder_moment(meeting, d) <= now]
    return min(due) if due else None


def send_reminders(now: datetime | None = None) -> int:
    """At each of MEETING_REMINDER_DAYS days before a meeting (from 9:00, Paris time): a reminder to
    the people invited who answered yes (the waiting list included, told so) or maybe, or have not
    answered; and to the coordinators, the organisations none of whose people answered. Nobody
    invited after that moment is reminded (their invitation is newer). Returns messages queued."""
    now = now or utcnow()
    days = reminder_days()
    if not days:
        return 0
    queued = 0
    horizon = now + timedelta(days=max(days) + 1)
    candidates = db.session.scalars(
        select(Meeting.id).where(Meeting.status == "scheduled", Meeting.starts_at > now, Meeting.starts_at <= horizon,
                                 Meeting.invitations_sent_at.is_not(None)).order_by(Meeting.starts_at)).all()
    for meeting_id in candidates:
        meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id, Meeting.status == "scheduled")
                                    .with_for_update(skip_locked=True, of=Meeting))
        stage = _due_reminder(meeting, now, days) if meeting is not None else None
        if stage is None:
            db.session.rollback()
            continue
        queued += _remind(meeting, stage, now)
        db.session.commit()
    if queued:
        log.info("%d meeting reminder(s) queued", queued)
    return queued


def _remind(meeting: Meeting, days: int, now: datetime) -> int:
    """The reminder ``days`` before. Skipped as a whole, for people and for the coordinators' list,
    when the invitations went out after its moment (a meeting invited three days ahead has no
    7-day reminder). The messages already queued are known from one query, so that a re-run does
    not build calendars, links and lists only to find them there."""
    moment = reminder_moment(meeting, days)
    if meeting.invitations_sent_at is None or meeting.invitations_sent_at > moment:
        return 0
    when = _("demain") if days == 1 else ngettext("dans %(num)s jour", "dans %(num)s jours", days)
    prefix = f"meeting:{meeting.id}:reminder:{days}d:"
    done = set(db.session.scalars(select(mail.Message.dedupe_key).where(mail.Message.dedupe_key.like(f"{prefix}%"))))
    queued = 0
    for invitation in meeting.invitations:
        key = f"{prefix}user:{invitation.user_id}"
        if (key in done or invitation.response not in ANSWERS_REMINDED or invitation.sent_sequence is None
                or invitation.created_at > moment or not rsvp.may_answer_now(invitation)
                or not _still_invited(meeting, invitation)):
            continue
        queued += _send(meeting, invitation, "events/mail/reminder", _("Rappel : %(title)s %(when)s", title=meeting.title, when=when),
                        dedupe_key=key, days=days, when_relative=when)
    coordinators = [coordinator for coordinator in db.session.scalars(
        select(User).where(User.is_coordinator, User.active).order_by(User.id))
        if f"{prefix}coordinator:{coordinator.id}" not in done]
    silent = [group.organisation for group in _groups(meeting) if not group.answered] if coordinators else []
    if silent:
        for coordinator in coordinators:
            message = mail.queue(
                coordinator.email, ngettext("Sans réponse : %(num)s organisation pour « %(title)s »",
                                            "Sans réponse : %(num)s organisations pour « %(title)s »",
                                            len(silent), title=meeting.title), "events/mail/coordinator_unanswered",
                dedupe_key=f"{prefix}coordinator:{coordinator.id}",
                organisations=silent, days=days, when_relative=when, coordinator=coordinator,
                **_mail_context(meeting))
            queued += message is not None
    return queued


def _still_invited(meeting: Meeting, invitation: MeetingInvitation) -> bool:
    """The invitation's organisation is still one the meeting invites (a list can shrink)."""
    return meeting.invite_all or any(o.id == invitation.organisation_id for o in meeting.organisations)


def _groups(meeting: Meeting) -> list[OrganisationResponses]:
    groups: dict[int, OrganisationResponses] = {}
    for invitation in meeting.invitations:
        if invitation.organisation.is_active and _still_invited(meeting, invitation):
            groups.setdefault(invitation.organisation_id, OrganisationResponses(invitation.organisation)) \
                .invitations.append(invitation)
    return sorted(groups.values(), key=lambda g: (g.organisation.name, g.organisation.id))
