"""Evaluating opening hours: open at a time, Saturdays, today's state in French, with French public
holidays and temporary closures. Fixed datetimes only."""
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from coordination.core.clock import PARIS
from coordination.directory import hours

NBSP = "\u00a0"
WEEK = "Mo-Fr 09:00-12:00,14:00-17:30; PH off"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def place(expr=WEEK, *closures):
    return SimpleNamespace(opening_hours=expr, closures=list(closures))


def closure(starts, ends, opening_hours=None, message=None, id=1):
    return SimpleNamespace(id=id, starts_on=date.fromisoformat(starts), ends_on=date.fromisoformat(ends),
                           opening_hours=opening_hours, message=message)


def nb(text: str) -> str:
    return text.replace(" h", f"{NBSP}h").replace(" :", f"{NBSP}:")


@pytest.mark.parametrize(("moment", "expected"), [
    ("2026-07-13 08:59", False),  # Monday
    ("2026-07-13 09:00", True),
    ("2026-07-13 11:59", True),
    ("2026-07-13 12:00", False),
    ("2026-07-13 17:29", True),
    ("2026-07-14 10:00", False),  # 14 juillet: PH off
    ("2026-07-18 10:00", False),  # Saturday
    ("2026-03-30 10:00", True),   # the day after the change to summer time
])
def test_is_open_at(moment, expected):
    assert hours.is_open_at(place(), at(moment)) is expected


def test_naive_datetimes_are_utc_and_aware_ones_are_converted():
    assert hours.is_open_at(place(), datetime(2026, 7, 13, 7, 30)) is True  # 9:30 in Paris
    assert hours.is_open_at(place(), datetime(2026, 7, 13, 7, 30, tzinfo=UTC)) is True
    assert hours.is_open_at(place(), datetime(2026, 7, 13, 6, 30)) is False  # 8:30 in Paris


def test_without_or_with_unreadable_hours_nothing_is_open():
    assert hours.is_open_at(place(None), at("2026-07-13 10:00")) is False
    assert hours.is_open_at(place("n'importe quoi"), at("2026-07-13 10:00")) is False
    assert hours.status_text(place(None), at("2026-07-13 10:00")) == "Horaires non renseignés"
    assert hours.status_text(place(""), at("2026-07-13 10:00")) == "Horaires non renseignés"


@pytest.mark.parametrize(("moment", "expected"), [
    ("2026-07-13 10:00", "Ouvert maintenant, ferme à 12 h"),
    ("2026-07-13 15:00", "Ouvert maintenant, ferme à 17 h 30"),
    ("2026-07-13 12:30", "Fermé, ouvre à 14 h"),
    ("2026-07-13 18:00", "Fermé, ouvre mercredi à 9 h"),  # 14 juillet is a public holiday
    ("2026-07-14 10:00", "Fermé, ouvre demain à 9 h"),
    ("2026-07-17 18:00", "Fermé, ouvre lundi à 9 h"),
    ("2026-07-19 07:00", "Fermé, ouvre demain à 9 h"),
])
def test_status_text(moment, expected):
    assert hours.status_text(place(), at(moment)) == nb(expected).replace(f"17{NBSP}h 30", f"17{NBSP}h{NBSP}30")


def test_status_text_far_and_always():
    assert hours.status_text(place("24/7"), at("2026-07-13 10:00")) == "Ouvert maintenant"
    yearly = place("Dec 24 10:00-12:00")
    assert hours.status_text(yearly, at("2026-12-15 10:00")) == f"Fermé, ouvre le 24 décembre à 10{NBSP}h"
    assert hours.status_text(yearly, at("2026-12-01 10:00")) == "Fermé"  # beyond two weeks: no promise
    assert hours.status_text(place("Jan 10 10:00-12:00"), at("2026-07-13 10:00")) == "Fermé"
    assert hours.status_text(place("Mo-Fr 09:00-12:00; Sa unknown"), at("2026-07-18 10:00")) == (
        "Horaires à confirmer auprès du lieu")


def test_a_temporary_closure_overrides_the_regular_hours():
    works = closure("2026-03-02", "2026-03-03", message="Travaux, accueil à la mairie annexe")
    p = place(WEEK, works)
    assert hours.is_open_at(p, at("2026-03-02 10:00")) is False
    assert hours.is_open_at(p, at("2026-03-03 10:00")) is False  # the end day is included
    assert hours.is_open_at(p, at("2026-03-04 10:00")) is True
    assert hours.status_text(p, at("2026-03-02 10:00")) == (
        f"Fermé temporairement jusqu'au 3 mars{NBSP}: Travaux, accueil à la mairie annexe")
    # The day before: open now; after closing time, the next opening is after the closure.
    assert hours.status_text(p, at("2026-02-27 18:00")) == f"Fermé, ouvre mercredi à 9{NBSP}h"
    works.message = None
    assert hours.status_text(p, at("2026-03-02 10:00")) == "Fermé temporairement jusqu'au 3 mars"


def test_exceptional_hours_replace_the_regular_hours_on_those_days():
    p = place(WEEK, closure("2026-12-21", "2026-12-31", opening_hours="Mo-Fr 10:00-12:00; PH off"))
    assert hours.is_open_at(p, at("2026-12-21 09:30")) is False
    assert hours.is_open_at(p, at("2026-12-21 10:30")) is True
    assert hours.is_open_at(p, at("2026-12-21 15:00")) is False
    assert hours.is_open_at(p, at("2026-12-25 10:30")) is False  # Christmas: PH off in the exceptional hours
    p.closures[0].opening_hours = "10:00-12:00"  # every day of the period, holidays included
    assert hours.is_open_at(p, at("2026-12-25 10:30")) is True
    assert hours.is_open_at(p, at("2026-12-27 10:30")) is True  # a Sunday
    assert hours.status_text(p, at("2026-12-21 10:30")) == (
        f"Ouvert maintenant, ferme à 12{NBSP}h (horaires exceptionnels)")
    assert hours.is_open_at(p, at("2027-01-04 15:00")) is True


def test_open_on_saturday_reads_the_regular_hours_only():
    monday = date(2026, 7, 13)
    assert hours.open_on_saturday(place(), monday) is False
    assert hours.open_on_saturday(place("Mo-Fr 09:00-12:00; Sa 09:00-12:00"), monday) is True
    assert hours.open_on_saturday(place("Sa 10:00-12:00", closure("2026-07-18", "2026-07-18")), monday) is True
    assert hours.open_on_saturday(place(None), monday) is False
    # 15 August 2026 is a Saturday and a public holiday: the other Saturdays count.
    assert hours.open_on_saturday(place("Sa 09:00-12:00; PH off"), date(2026, 8, 10)) is True
    assert hours.open_on_saturday(place("Sa 09:00-12:00")) is True  # from today


def test_parsed_expressions_are_cached():
    hours.parsed.cache_clear()
    hours._open_at.cache_clear()
    for _ in range(3):
        hours.is_open_at(place(), at("2026-07-13 10:00"))
    assert hours.parsed.cache_info().misses == 1
    assert hours._open_at.cache_info().misses == 1 and hours._open_at.cache_info().hits == 2


def test_places_sharing_their_hours_are_answered_for_each_moment():
    # the answer is cached per hours text AND moment: another hour gets its own answer
    assert hours.is_open_at(place(), at("2026-07-13 10:00")) is True
    assert hours.is_open_at(place(), at("2026-07-13 13:00")) is False
    assert hours.is_open_at(place(), at("2026-07-13 10:00")) is True


def test_closure_helpers():
    today = date(2026, 3, 1)
    old, current, future = (closure("2026-02-01", "2026-02-03", id=1), closure("2026-02-27", "2026-03-02", id=2),
                            closure("2027-01-04", "2027-01-04", id=3))
    p = place(WEEK, future, old, current)
    assert hours.upcoming_closures(p, today) == [current, future]
    assert hours.closure_period(current, today) == "du 27 février au 2 mars"
    assert hours.closure_period(future, today) == "le 4 janvier 2027"
    assert hours.closure_on(p, date(2026, 3, 2)) is current
    assert hours.closure_on(p, date(2026, 3, 3)) is None


def test_rules_without_days_are_described_as_every_day():
    assert hours.describe_lines("10:00-12:00,14:00-16:00") == [
        f"Lundi au dimanche{NBSP}: 10{NBSP}h – 12{NBSP}h, 14{NBSP}h – 16{NBSP}h"]
    assert hours.describe_lines("Mo-Fr 09:00-12:00; PH off") == [
        f"Lundi au vendredi{NBSP}: 9{NBSP}h – 12{NBSP}h", "Fermé les jours fériés"]
