"""Network meetings. Shared helpers (the fixtures are in tests/plugin.py and tests/events/conftest.py)."""
import base64
from contextlib import contextmanager
from datetime import datetime, timedelta

from icalendar import Calendar
from sqlalchemy import event as sqlalchemy_event

# The second Tuesday of March and June 2026, 14:00 in Paris: 13:00 UTC (winter), 12:00 UTC (summer).
MARCH_MEETING_UTC = datetime(2026, 3, 10, 13, 0)
JUNE_MEETING_UTC = datetime(2026, 6, 9, 12, 0)
BEFORE_SERIES = datetime(2026, 2, 1, 9, 0)
MARCH_INVITATIONS = MARCH_MEETING_UTC - timedelta(days=30)  # 8 February, 13:00 UTC
SEVEN_DAYS_BEFORE_MARCH = datetime(2026, 3, 3, 8, 0)  # 9:00 Paris


def quarterly_data(**overrides) -> dict:
    data = {"title": "Réunion trimestrielle du réseau", "preset": "quarterly", "first_date": "2026-03-10",
            "start_time": "14:00", "duration_minutes": 150, "address": "Maison des associations, 2 rue Kervégan, Nantes",
            "video_url": "https://visio.exemple.fr/reseau", "agenda": "1. Tour de table\n2. **Actualités**",
            "invitation_days": 30}
    data.update(overrides)
    return data


def set_clock(monkeypatch, moment: datetime) -> None:
    """Fixes the clock the meeting services, jobs and answer links read (naive UTC)."""
    from coordination.events import rsvp, services
    for module in (services, rsvp):  # rsvp: links expire after the meeting
        monkeypatch.setattr(module, "utcnow", lambda: moment)


def calendar_of(message) -> Calendar:
    """The .ics attached to an outbox message, parsed."""
    [item] = [a for a in message.attachments if a["filename"].endswith(".ics")]
    assert item["content_type"].startswith("text/calendar")
    return Calendar.from_ical(base64.b64decode(item["data"]))


def event_of(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def single_meeting_data(**overrides) -> dict:
    data = {"title": "Atelier du réseau", "date": "2026-03-10", "start_time": "14:00", "duration_minutes": 120,
            "address": "Maison des associations, Nantes"}
    data.update(overrides)
    return data


@contextmanager
def counting_statements(db):
    """Counts the SQL statements sent to the database inside the block."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)
