"""After the meeting: attendance, minutes (Markdown, published to members by mail), a series'
compilation of minutes, and participation per organisation over the last twelve months."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _, lazy_gettext
from sqlalchemy import select

from coordination import audit, mail
from coordination.auth import permissions as auth_permissions
from coordination.auth.models import Membership, Organisation, User
from coordination.core.clock import date_fr, utcnow
from coordination.core.csv_writer import csv_text, number
from coordination.errors import Invalid, NotFound, PermissionDenied
from coordination.events import markdown, permissions, services
from coordination.events.models import Meeting, MeetingInvitation, MeetingSeries
from coordination.extensions import db
from coordination.utils import external_url

COORDINATION_ONLY = lazy_gettext("Réservé à la coordination du réseau.")
MINUTES_MAX = 100_000
PERIOD_DAYS = 365


def get_meeting(meeting_id: int, *, actor) -> Meeting:
    """A meeting for the people it concerns: coordinators and its invitees (permissions), and once
    its minutes are published, every member of an active organisation (they were mailed them)."""
    if not permissions.can_see_meetings(actor):
        raise PermissionDenied(_("Les réunions du réseau sont réservées aux membres des organisations actives."))
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_("Cette réunion n'existe pas."))
    if not (permissions.can_view_meeting(actor, meeting) or meeting.minutes_published_at is not None):
        raise PermissionDenied(_("Cette réunion ne vous concerne pas : seules les personnes invitées la voient."))
    return meeting


def get_series(series_id: int, *, actor) -> MeetingSeries:
    if not permissions.can_see_meetings(actor):
        raise PermissionDenied(_("Les réunions du réseau sont réservées aux membres des organisations actives."))
    series = db.session.get(MeetingSeries, series_id)
    if series is None:
        raise NotFound(_("Cette série de réunions n'existe pas."))
    return series


def minutes_visible(meeting: Meeting, actor) -> bool:
    return bool(meeting.minutes) and (meeting.minutes_published_at is not None
                                      or auth_permissions.is_coordinator(actor))


# --- attendance ---------------------------------------------------------------------------------

def record_attendance(meeting_id: int, present: set[int], *, actor) -> Meeting:
    """Marks the invitations in ``present`` as attended and every other invitation as absent.
    Only once the meeting has started, and never for a cancelled one."""
    auth_permissions.require_coordinator(actor, COORDINATION_ONLY)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_("Cette réunion n'existe pas."))
    if meeting.status == "cancelled":
        raise Invalid(_("Cette réunion a été annulée : pas de présences à enregistrer."))
    if meeting.starts_at > utcnow():
        raise Invalid(_("Les présences s'enregistrent une fois la réunion commencée."))
    known = {invitation.id for invitation in meeting.invitations}
    if set(present) - known:
        raise Invalid(_("Une personne cochée n'est pas invitée à cette réunion."))
    for invitation in meeting.invitations:
        invitation.attended = invitation.id in present
    audit.record(actor, "meeting.attendance", "meeting", meeting.id, present=len(present))
    db.session.commit()
    return meeting


# --- minutes ------------------------------------------------------------------------------------

def save_minutes(meeting_id: int, text: str, *, actor, publish: bool = False) -> Meeting:
    """Saves the minutes (Markdown). ``publish`` shows them to members and mails the members of
    active organisations, once per person and meeting (editing later does not mail again)."""
    auth_permissions.require_coordinator(actor, COORDINATION_ONLY)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_("Cette réunion n'existe pas."))
    text = (text or "").strip()
    if len(text) > MINUTES_MAX:
        raise Invalid(errors={"minutes": [_("Le compte rendu dépasse %(num)s caractères.", num=MINUTES_MAX)]})
    if publish and not text:
        raise Invalid(errors={"minutes": [_("Écrivez le compte rendu avant de le publier.")]})
    if publish and (meeting.status == "cancelled" or meeting.starts_at > utcnow()):
        # Publishing mails every member: not for a meeting that has not taken place.
        raise Invalid(errors={"minutes": [_("Le compte rendu se publie une fois la réunion commencée ; "
                                          "vous pouvez l'enregistrer comme brouillon d'ici là.")]})
    meeting.minutes = text or None
    first_publication = publish and meeting.minutes_published_at is None
    if first_publication:
        meeting.minutes_published_at = utcnow()
        _mail_minutes(meeting)
    audit.record(actor, "meeting.minutes_publish" if first_publication else "meeting.minutes_save",
                 "meeting", meeting.id)
    db.session.commit()
    return meeting


def _mail_minutes(meeting: Meeting) -> None:
    recipients = db.session.execute(
        select(User.id, User.email, User.name).join(Membership, Membership.user_id == User.id)
        .join(Organisation, Membership.organisation_id == Organisation.id)
        .where(Organisation.status == "active", User.active.is_(True)).distinct().order_by(User.id)).all()
    link = external_url("events.meeting", meeting_id=meeting.id)
    for user_id, email, name in recipients:
        subject = _("Compte rendu : %(title)s du %(date)s", title=meeting.title, date=date_fr(meeting.starts_at))
        mail.queue(email, subject, "events/mail/minutes",
                   dedupe_key=f"meeting-minutes:{meeting.id}:{user_id}", name=name, meeting=meeting,
                   when=date_fr(meeting.starts_at), minutes=markdown.to_text(meeting.minutes), link=link)


def series_meetings(series: MeetingSeries, *, actor) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                                   .order_by(Meeting.starts_at)))


def compilation(series_id: int, *, actor) -> tuple[MeetingSeries, list[Meeting]]:
    """Every meeting of a series whose minutes the actor may read, oldest first."""
    series = get_series(series_id, actor=actor)
    return series, [m for m in series_meetings(series, actor=actor) if minutes_visible(m, actor)]


# --- participation ------------------------------------------------------------------------------

@dataclass
class OrganisationParticipation:
    organisation: Organisation
    invited: int  # meetings held in the period to which the organisation was invited
    attended: int  # of those, meetings where at least one of its people was present
    people: int  # people present, summed over the meetings

    @property
    def rate(self) -> float | None:
        return self.attended / self.invited if self.invited else None


@dataclass
class Participation:
    since: datetime
    until: datetime
    meetings: int  # meetings held in the period (not cancelled, started)
    recorded: int  # of those, meetings whose attendance was recorded
    rows: list[OrganisationParticipation]


def participation(*, actor, now: datetime | None = None) -> Participation:
    """Per organisation, over the last twelve months: meetings it was invited to, meetings it took
    part in, people present. Every active organisation is listed, even with no meeting."""
    auth_permissions.require_coordinator(actor, COORDINATION_ONLY)
    until = now or utcnow()
    since = until - timedelta(days=PERIOD_DAYS)
    held = list(db.session.scalars(select(Meeting).where(
        Meeting.status != "cancelled", Meeting.starts_at >= since, Meeting.starts_at <= until)))
    held_ids = [m.id for m in held]
    rows: dict[int, dict] = {o.id: {"organisation": o, "invited": set(), "attended": set(), "people": 0}
                             for o in db.session.scalars(select(Organisation).where(Organisation.status == "active"))}
    recorded = set()
    if held_ids:
        for invitation in db.session.scalars(select(MeetingInvitation).where(MeetingInvitation.meeting_id.in_(held_ids))):
            row = rows.setdefault(invitation.organisation_id, {
                "organisation": invitation.organisation, "invited": set(), "attended": set(), "people": 0})
            row["invited"].add(invitation.meeting_id)
            if invitation.attended is not None:
                recorded.add(invitation.meeting_id)
            if invitation.attended:
                row["attended"].add(invitation.meeting_id)
                row["people"] += 1
    result = [OrganisationParticipation(r["organisation"], len(r["invited"]), len(r["attended"]), r["people"])
              for r in rows.values()]
    result.sort(key=lambda r: (-r.attended, -r.people, r.organisation.name.casefold()))
    return Participation(since=since, until=until, meetings=len(held), recorded=len(recorded), rows=result)


def participation_csv(stats: Participation) -> str:
    """For spreadsheets (``;``, BOM, decimal commas)."""
    return csv_text(["organisation", "reunions_invitee", "reunions_presente", "personnes_presentes",
                     "taux_participation"],
                    ([row.organisation.name, row.invited, row.attended, row.people, number(row.rate, 2)]
                     for row in stats.rows))


# --- pages' queries -----------------------------------------------------------------------------

@dataclass
class Overview:
    series: list[MeetingSeries]
    upcoming: list[Meeting]
    recent: list[Meeting]  # held in the last twelve months: attendance and minutes to record


def overview(*, actor, now: datetime | None = None) -> Overview:
    auth_permissions.require_coordinator(actor, COORDINATION_ONLY)
    now = now or utcnow()
    series = services.list_series(actor=actor)
    upcoming = services.upcoming_meetings(actor=actor, now=now)
    recent = list(db.session.scalars(select(Meeting).where(
        Meeting.ends_at <= now, Meeting.starts_at >= now - timedelta(days=PERIOD_DAYS))
        .order_by(Meeting.starts_at.desc())))
    return Overview(series, upcoming, recent)


def manage_meeting(meeting_id: int, *, actor) -> Meeting:
    return services.managed(Meeting, meeting_id, actor=actor, missing=_("Cette réunion n'existe pas."),
                            denied=COORDINATION_ONLY)


def has_started(meeting: Meeting) -> bool:
    return meeting.starts_at <= utcnow()


def move_defaults(meeting: Meeting):
    """The move form's starting values, in Paris time."""
    from types import SimpleNamespace

    from coordination.events.recurrence import utc_to_local
    local = utc_to_local(meeting.starts_at)
    return SimpleNamespace(date=local.date(), start_time=local.time(),
                           duration_minutes=int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
                           address=meeting.address, video_url=meeting.video_url, capacity=meeting.capacity,
                           invite="all" if meeting.invite_all else "chosen",
                           organisation_ids=[str(o.id) for o in meeting.organisations])


def markdown_preview(text: str | None, *, actor):
    """The « Aperçu » of the agenda and minutes editor: the Markdown as the pages will show it
    (the same sanitiser), for coordinators, who are the ones writing it."""
    auth_permissions.require_coordinator(actor, COORDINATION_ONLY)
    return markdown.to_html((text or "")[:MINUTES_MAX])


def published_minutes(*, actor, limit: int = 20) -> list[Meeting]:
    """The latest published minutes, for the members' meetings page."""
    if not permissions.can_see_meetings(actor):
        return []
    return list(db.session.scalars(select(Meeting).where(Meeting.minutes_published_at.is_not(None))
                                   .order_by(Meeting.starts_at.desc()).limit(limit)))


def administered_organisations(actor) -> list[Organisation]:
    """The active organisations the actor administers (who name their meeting delegates)."""
    return [m.organisation for m in getattr(actor, "memberships", []) or []
            if m.role == "admin" and m.organisation.is_active]
