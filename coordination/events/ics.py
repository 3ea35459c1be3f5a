"""iCalendar files of network meetings (RFC 5545, iTIP methods of RFC 5546), built with `icalendar`.

Times are written in Europe/Paris with a VTIMEZONE, so a 14:00 meeting reads 14:00 in every
calendar, in winter and in summer. The UID of a meeting never changes and its SEQUENCE grows with
each change sent, so calendars replace the event instead of adding a second one.

Answers go through the signed links of the messages, not through calendar replies: attendees are
written with RSVP=FALSE. The ORGANIZER is the coordinator who created the meeting (or its series),
so that a calendar's « Accept » reply reaches a person, not the no-reply sender address; without
one, the sender address. A meeting page's « Add to my calendar » file is a METHOD:PUBLISH (no
attendee: nothing to answer), the mails carry METHOD:REQUEST or CANCEL.
"""
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress, vText

from coordination.core.clock import PARIS, utcnow
from coordination.events import markdown

PRODID = "-//Maillage//Reunions du reseau//FR"
TZID = "Europe/Paris"
PARTSTAT = {"yes": "ACCEPTED", "no": "DECLINED", "maybe": "TENTATIVE", "pending": "NEEDS-ACTION"}
FEED_REFRESH = timedelta(hours=1)


def meeting_calendar(meeting, *, method: str = "REQUEST", attendee=None) -> bytes:
    """One meeting as an iTIP message: METHOD:REQUEST (invitation, update, reminder), CANCEL, or
    PUBLISH (the download of a meeting's page). ``attendee`` is the User, or their
    MeetingInvitation (their answer becomes PARTSTAT)."""
    method = method.upper()
    if method not in ("REQUEST", "CANCEL", "PUBLISH"):
        raise ValueError(f"unsupported iTIP method {method}")
    calendar = _calendar()
    calendar.add("method", method)
    calendar.add_component(_timezone([meeting]))
    event = _event(meeting, stamp=utcnow(), cancelled=method == "CANCEL" or meeting.status == "cancelled")
    if attendee is not None:
        event.add("attendee", _attendee(attendee))
    calendar.add_component(event)
    return calendar.to_ical()


def feed_calendar(meetings, *, name: str) -> bytes:
    """A subscription feed (no METHOD): every meeting given, cancelled ones as STATUS:CANCELLED."""
    meetings = list(meetings)
    calendar = _calendar()
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", FEED_REFRESH)
    calendar.add_component(_timezone(meetings))
    for meeting in meetings:
        # A feed's DTSTAMP is when the event last changed: the same meeting gives the same bytes.
        calendar.add_component(_event(meeting, stamp=meeting.updated_at or meeting.created_at,
                                      cancelled=meeting.status == "cancelled"))
    return calendar.to_ical()


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _timezone(meetings) -> Timezone:
    """The Europe/Paris VTIMEZONE, with the transitions of the years the meetings fall in."""
    years = [m.starts_at.year for m in meetings] or [utcnow().year]
    return Timezone.from_tzid(TZID, first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 1, 12, 31))


def _paris(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(PARIS)


def _event(meeting, *, stamp: datetime, cancelled: bool) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp.replace(tzinfo=UTC))
    event.add("created", meeting.created_at.replace(tzinfo=UTC))
    if meeting.updated_at:
        event.add("last-modified", meeting.updated_at.replace(tzinfo=UTC))
    event.add("dtstart", _paris(meeting.starts_at))
    event.add("dtend", _paris(meeting.ends_at))
    event.add("summary", meeting.title)
    location = location_text(meeting)
    if location:
        event.add("location", location)
    event.add("url", meeting_url(meeting))
    description = description_text(meeting)
    if description:
        event.add("description", description)
    event.add("organizer", _organizer(meeting))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if not cancelled:
        event.add_component(_alarm(meeting))
    return event


def _alarm(meeting) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(days=-1))
    alarm.add("description", _("Demain : %(title)s", title=meeting.title))
    return alarm


def organizer_of(meeting):
    """The coordinator who created the meeting, or its series; None when they are gone (or no
    longer active): the sender address stands in."""
    person = meeting.created_by or (meeting.series.created_by if meeting.series is not None else None)
    return person if person is not None and person.active and person.email else None


def _organizer(meeting) -> vCalAddress:
    person = organizer_of(meeting)
    if person is not None:
        organizer = vCalAddress(f"mailto:{person.email}")
        organizer.params["cn"] = vText(person.name or person.email)
        return organizer
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or current_app.config.get("NETWORK_NAME") or "Maillage")
    return organizer


def _attendee(attendee) -> vCalAddress:
    user = getattr(attendee, "user", attendee)  # a MeetingInvitation or a User
    response = getattr(attendee, "response", "pending")
    if getattr(attendee, "waitlisted_at", None) is not None:
        response = "maybe"  # waiting for a seat: not accepted yet (TENTATIVE)
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText(PARTSTAT.get(response, "NEEDS-ACTION"))
    address.params["rsvp"] = vText("FALSE")
    return address


def location_text(meeting) -> str:
    """The place's name and address, or the free address; the video link when there is no place."""
    parts = []
    if meeting.place is not None:
        place = meeting.place
        town = " ".join(p for p in (place.postcode, place.commune) if p)
        parts.append(", ".join(p for p in (place.name, place.address, town) if p))
    if meeting.address and (meeting.place is None or meeting.address not in parts[0]):
        parts.append(meeting.address)
    if meeting.video_url:
        parts.append(meeting.video_url if not parts else _("ou en visio : %(url)s", url=meeting.video_url))
    return " ; ".join(parts)


def description_text(meeting) -> str:
    """The agenda as plain text (Markdown rendered, not shown raw), then the video link and the
    meeting's page."""
    blocks = []
    agenda = markdown.to_text(meeting.agenda)
    if agenda:
        blocks.append(_("Ordre du jour :") + "\n" + agenda)
    if meeting.video_url:
        blocks.append(_("Visio : %(url)s", url=meeting.video_url))
    blocks.append(_("Répondre et suivre la réunion : %(url)s", url=meeting_url(meeting)))
    return "\n\n".join(blocks)


MEETING_ENDPOINT = "events.meeting"  # the meeting's page (partner space), built by views.py


def meeting_url(meeting) -> str:
    """The absolute address of the meeting's page, from BASE_URL (works in jobs, without a request)."""
    from werkzeug.routing import BuildError

    from coordination.utils import external_url
    try:
        return external_url(MEETING_ENDPOINT, meeting_id=meeting.id)
    except BuildError:  # the pages are not registered (a bare application): the site's root
        return current_app.config["BASE_URL"].rstrip("/") + "/"
