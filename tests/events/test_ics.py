"""iCalendar files parsed back with `icalendar`: UID, SEQUENCE, TZID, VALARM, METHOD."""
from datetime import datetime, timedelta

from icalendar import Calendar

from coordination.events import ics
from coordination.events.models import Meeting
from coordination.events.services import cancel_meeting, create_series, update_meeting
from coordination.testing.factories import make_organisation, make_place, make_user
from tests.events import event_of, quarterly_data, set_clock


def _series_meetings(monkeypatch, **overrides):
    set_clock(monkeypatch, datetime(2026, 2, 1, 9, 0))
    coordinator = make_user(coordinator=True)
    series = create_series(quarterly_data(**overrides), actor=coordinator)
    march, june = sorted(series.meetings, key=lambda m: m.starts_at)
    return coordinator, march, june


def test_request_has_method_uid_sequence_paris_times_and_an_alarm_the_day_before(app, monkeypatch):
    _, march, june = _series_meetings(monkeypatch)
    for meeting in (march, june):
        raw = ics.meeting_calendar(meeting)
        # 14:00 in Paris, written as such, in winter (13:00 UTC) and in summer (12:00 UTC).
        day = meeting.occurrence_local.strftime("%Y%m%d")
        assert f"DTSTART;TZID=Europe/Paris:{day}T140000".encode() in raw
        assert f"DTEND;TZID=Europe/Paris:{day}T163000".encode() in raw
        calendar = Calendar.from_ical(raw)
        assert calendar["METHOD"] == "REQUEST"
        assert calendar["VERSION"] == "2.0"
        assert "Maillage" in str(calendar["PRODID"])
        [timezone] = calendar.walk("VTIMEZONE")
        assert timezone["TZID"] == "Europe/Paris"
        assert {c.name for c in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
        event = event_of(calendar)
        assert str(event["UID"]) == meeting.uid
        assert event["SEQUENCE"] == 0
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        start = event["DTSTART"].dt
        assert (start.hour, start.minute) == (14, 0)
        assert str(start.tzinfo) == "Europe/Paris"
        assert start.utcoffset() == (timedelta(hours=1) if meeting is march else timedelta(hours=2))
        assert "DTSTAMP" in event
        assert event["STATUS"] == "CONFIRMED"
        assert str(event["SUMMARY"]) == "Réunion trimestrielle du réseau"
        assert "2 rue Kervégan" in str(event["LOCATION"])
        assert "Tour de table" in str(event["DESCRIPTION"])
        assert str(event["URL"]).startswith("http://localhost")
        assert str(event["ORGANIZER"]).startswith("mailto:")
        [alarm] = event.walk("VALARM")
        assert alarm["ACTION"] == "DISPLAY"
        assert alarm["TRIGGER"].dt == timedelta(days=-1)
        assert b"TRIGGER:-P1D" in raw


def test_the_uid_stays_and_the_sequence_grows_with_a_move_then_cancel_says_cancel(app, monkeypatch):
    coordinator, march, _ = _series_meetings(monkeypatch)
    uid = march.uid
    update_meeting(march.id, {"start_time": "10:00"}, actor=coordinator)
    moved = Calendar.from_ical(ics.meeting_calendar(march))
    assert str(event_of(moved)["UID"]) == uid
    assert event_of(moved)["SEQUENCE"] == 1
    assert event_of(moved)["DTSTART"].dt.hour == 10

    cancel_meeting(march.id, actor=coordinator, reason="Salle indisponible")
    cancelled = Calendar.from_ical(ics.meeting_calendar(march, method="CANCEL"))
    assert cancelled["METHOD"] == "CANCEL"
    event = event_of(cancelled)
    assert str(event["UID"]) == uid
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"
    assert not event.walk("VALARM")


def test_attendee_is_the_recipient_with_their_answer_and_no_calendar_reply(app, monkeypatch):
    _, march, _ = _series_meetings(monkeypatch)
    person = make_user("alix@exemple.fr", name="Alix Durand")
    event = event_of(Calendar.from_ical(ics.meeting_calendar(march, attendee=person)))
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:alix@exemple.fr"
    assert attendee.params["CN"] == "Alix Durand"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "FALSE"


def test_a_directory_place_is_the_location(app, monkeypatch):
    place = make_place(make_organisation(), name="Médiathèque Jacques Demy", address="24 quai de la Fosse")
    _, march, _ = _series_meetings(monkeypatch, place_public_id=place.public_id, address="", video_url="")
    location = str(event_of(Calendar.from_ical(ics.meeting_calendar(march)))["LOCATION"])
    assert location == "Médiathèque Jacques Demy, 24 quai de la Fosse, 44000 Nantes"


def test_feed_has_no_method_every_meeting_and_cancelled_ones_marked(app, monkeypatch):
    coordinator, march, june = _series_meetings(monkeypatch)
    cancel_meeting(june.id, actor=coordinator)
    raw = ics.feed_calendar([march, june], name="Réunions du réseau")
    calendar = Calendar.from_ical(raw)
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Réunions du réseau"
    assert len(calendar.walk("VTIMEZONE")) == 1
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert events[march.uid]["STATUS"] == "CONFIRMED" and events[march.uid].walk("VALARM")
    assert events[june.uid]["STATUS"] == "CANCELLED" and events[june.uid]["SEQUENCE"] == 1
    assert b"DTSTART;TZID=Europe/Paris:20260609T140000" in raw
    # The same meetings give the same bytes (the feed's DTSTAMP is the last change).
    assert ics.feed_calendar([march, june], name="Réunions du réseau") == raw


def test_an_empty_feed_is_still_a_valid_calendar(app):
    calendar = Calendar.from_ical(ics.feed_calendar([], name="Mes réunions"))
    assert calendar["VERSION"] == "2.0"
    assert not calendar.walk("VEVENT")


def test_a_single_meeting_without_series_or_agenda(app):
    meeting = Meeting(title="Atelier", starts_at=datetime(2026, 12, 1, 9, 0), ends_at=datetime(2026, 12, 1, 10, 0),
                      video_url="https://visio.exemple.fr/atelier", uid="abc@maillage", sequence=0,
                      created_at=datetime(2026, 11, 1), updated_at=datetime(2026, 11, 1))
    event = event_of(Calendar.from_ical(ics.meeting_calendar(meeting)))
    assert str(event["LOCATION"]) == "https://visio.exemple.fr/atelier"
    assert event["DTSTART"].dt.hour == 10  # 09:00 UTC in December is 10:00 in Paris


def test_someone_on_the_waiting_list_is_tentative_not_accepted(app, monkeypatch):
    from types import SimpleNamespace
    _, march, _ = _series_meetings(monkeypatch)
    person = make_user("alix@exemple.fr", name="Alix Durand")
    waiting = SimpleNamespace(user=person, response="yes", waitlisted_at=datetime(2026, 3, 1, 9))
    event = event_of(Calendar.from_ical(ics.meeting_calendar(march, attendee=waiting)))
    assert event["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"
    seated = SimpleNamespace(user=person, response="yes", waitlisted_at=None)
    event = event_of(Calendar.from_ical(ics.meeting_calendar(march, attendee=seated)))
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
