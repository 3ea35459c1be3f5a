"""The recurrence picker (issue 18): rules chosen in words are built as RRULE (still the storage),
read back for the picker, described in French, and previewed; a rule the picker cannot show stays
as it is (the advanced field)."""
from datetime import date, datetime, timedelta

import pytest

from coordination.core.clock import utcnow
from coordination.errors import Invalid
from coordination.events import recurrence, services
from coordination.events.models import Meeting, MeetingSeries
from tests.french import plain

CHOICES = [
    ({"kind": "months", "nth": "2", "weekday": "TU", "months": ["12", "3", "9", "6"]},
     "FREQ=YEARLY;BYMONTH=3,6,9,12;BYDAY=2TU", "chaque 2e mardi de mars, juin, septembre et décembre"),
    ({"kind": "monthly_weekday", "nth": "-1", "weekday": "FR", "interval": "1"},
     "FREQ=MONTHLY;BYDAY=-1FR", "chaque mois, le dernier vendredi"),
    ({"kind": "monthly_weekday", "nth": "1", "weekday": "TH", "interval": "2"},
     "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TH", "tous les 2 mois, le 1er jeudi"),
    ({"kind": "monthly_day", "month_day": "15", "interval": "1"}, "FREQ=MONTHLY;BYMONTHDAY=15", "chaque mois, le 15"),
    ({"kind": "weekly", "weekday": "MO", "interval": "2"}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
     "toutes les 2 semaines, le lundi"),
    ({"kind": "dates", "dates": [date(2027, 6, 1), date(2027, 1, 5)]}, "RDATE:20270105,20270601",
     "aux dates choisies : 5 janvier 2027 et 1er juin 2027"),
]


@pytest.mark.parametrize("choice,rule,words", CHOICES, ids=[c[0]["kind"] + str(i) for i, c in enumerate(CHOICES)])
def test_a_choice_becomes_a_rule_read_back_and_said_in_french(app, choice, rule, words):
    with app.test_request_context():
        assert recurrence.build_rule(choice) == rule
        values = recurrence.picker_values(rule)
        assert values["kind"] == choice["kind"]
        assert recurrence.build_rule(values) == rule
        assert plain(recurrence.describe(rule)) == words


def test_rules_the_picker_cannot_show_stay_as_they_are(app):
    with app.test_request_context():
        for rule in ("FREQ=MONTHLY;BYDAY=1TH,3TH", "FREQ=YEARLY;INTERVAL=2;BYMONTH=3;BYDAY=2TU", "FREQ=WEEKLY;COUNT=3;BYDAY=MO"):
            assert recurrence.picker_values(rule) is None
            assert recurrence.describe(rule) == f"règle avancée {rule}"
        with pytest.raises(recurrence.RuleError):
            recurrence.build_rule({"kind": "months", "nth": "2", "weekday": "TU", "months": []})


def test_the_preview_gives_the_next_five_dates_in_french(app, coordinator):
    with app.test_request_context():
        words, dates = services.preview_rule({"kind": "months", "nth": "2", "weekday": "TU", "months": ["3", "6", "9", "12"],
                                              "first_date": "2040-01-01", "start_time": "14:00"}, actor=coordinator)
    assert plain(words) == "chaque 2e mardi de mars, juin, septembre et décembre"
    assert [plain(d) for d in dates] == ["mardi 13 mars 2040 à 14\u00a0h", "mardi 12 juin 2040 à 14\u00a0h",
                                         "mardi 11 septembre 2040 à 14\u00a0h", "mardi 11 décembre 2040 à 14\u00a0h",
                                         "mardi 12 mars 2041 à 14\u00a0h"]


def test_a_series_at_chosen_dates_makes_those_meetings(app, db, coordinator):
    first, second = (utcnow() + timedelta(days=20)).date(), (utcnow() + timedelta(days=60)).date()
    series = services.create_series({
        "title": "Ateliers", "kind": "dates", "dates": f"{second:%d/%m/%Y}\n{first.isoformat()}\n",
        "start_time": "10:00", "duration_minutes": 60, "address": "Nantes"}, actor=coordinator)
    assert series.rrule == f"RDATE:{first:%Y%m%d},{second:%Y%m%d}"
    assert series.first_start_local == datetime.combine(first, datetime.min.time()).replace(hour=10)
    starts = [recurrence.utc_to_local(m.starts_at) for m in db.session.query(Meeting).order_by(Meeting.starts_at)]
    assert [s.date() for s in starts] == [first, second] and {s.hour for s in starts} == {10}


def test_picker_mistakes_are_french_form_errors(app, db, coordinator):
    with pytest.raises(Invalid) as caught:
        services.create_series({"title": "Ateliers", "kind": "dates", "dates": "31/02/2027", "start_time": "10:00",
                                "address": "Nantes"}, actor=coordinator)
    assert "dates" in caught.value.errors
    with pytest.raises(Invalid) as caught:
        services.create_series({"title": "Ateliers", "kind": "weekly", "weekday": "XX", "first_date": "2040-01-01",
                                "start_time": "10:00", "address": "Nantes"}, actor=coordinator)
    assert plain(caught.value.errors["kind"][0]) == "Choisissez le jour de la semaine."
    assert db.session.query(MeetingSeries).count() == 0
