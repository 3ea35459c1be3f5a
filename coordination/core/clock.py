"""Time and French dates (leaf module). The database stores naive UTC; people read Europe/Paris:
« 1er mars 2026 » (``date_fr``), « 1er mars 2026 à 14 h 05 » (``datetime_fr``)."""
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from coordination.core.french import time_fr

PARIS = ZoneInfo("Europe/Paris")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


# Days typed by people: outside this range a date is a typing error (or a probe), and years 1 or
# 9999 overflow the conversions to UTC and the calendar arithmetic.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
DAY_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateOutOfRange(ValueError):
    """A real day, but outside FIRST_DAY–LAST_DAY."""


def check_day(day: date, *, name: str = "") -> date:
    """``day`` when within FIRST_DAY–LAST_DAY; DateOutOfRange (French message) otherwise."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateOutOfRange(f"La date {name + ' ' if name else ''}doit être comprise entre "
                             f"{FIRST_DAY.year} et {LAST_DAY.year}.")
    return day


def parse_day(text: str, *, name: str = "") -> date:
    """An AAAA-MM-JJ day of the years 2000 to 2100; ValueError with a French message otherwise
    (DateOutOfRange, a ValueError too, for a real day out of range). ``name`` (« depuis ») goes
    into the message."""
    value = str(text or "").strip()
    message = f"La date {name + ' ' if name else ''}doit être au format AAAA-MM-JJ."
    if not DAY_FORMAT.fullmatch(value):
        raise ValueError(message)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(message) from None
    return check_day(day, name=name)


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_paris(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS)


def is_weekend(moment: datetime) -> bool:
    """Saturday or Sunday in Paris time (``moment`` is naive UTC)."""
    return to_paris(moment).weekday() >= 5


def working_days_after(moment: datetime, days: int) -> datetime:
    """``moment`` (naive UTC) plus ``days`` working days (Monday to Friday) of the Paris calendar,
    at the same Paris time of day (across a change of summer time too), as naive UTC."""
    local = to_paris(moment)
    while days > 0:
        local += timedelta(days=1)  # wall-clock arithmetic: the offset is recomputed below
        if local.weekday() < 5:
            days -= 1
    return local.astimezone(UTC).replace(tzinfo=None)


def date_fr(value: date | datetime | None, *, empty: str = "") -> str:
    """« 3 mars 2026 », « 1er mars 2026 », in Paris time for datetimes; ``empty`` for None."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = to_paris(value).date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def datetime_fr(value: datetime | None) -> str:
    """« 3 mars 2026 à 14 h 05 », « 3 mars 2026 à 14 h », in Paris time."""
    if value is None:
        return ""
    local = to_paris(value)
    return f"{date_fr(local.date())} à {time_fr(local)}"
