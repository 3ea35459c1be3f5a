"""Recurrence rules expanded in Paris wall-clock time, across daylight-saving changes."""
from datetime import datetime

import pytest

from coordination.events import recurrence
from coordination.events.models import Meeting
from coordination.events.services import create_series, reminder_moment
from coordination.testing.factories import make_user
from tests.events import JUNE_MEETING_UTC, MARCH_MEETING_UTC, quarterly_data, set_clock

QUARTERLY = recurrence.PRESETS["quarterly"][1]


def test_quarterly_preset_gives_the_second_tuesday_of_each_quarter_at_the_same_paris_hour():
    found = recurrence.occurrences_local(QUARTERLY, datetime(2026, 3, 10, 14, 0),
                                         after_local=datetime(2026, 1, 1), count=5)
    assert found == [datetime(2026, 3, 10, 14, 0), datetime(2026, 6, 9, 14, 0), datetime(2026, 9, 8, 14, 0),
                     datetime(2026, 12, 8, 14, 0), datetime(2027, 3, 9, 14, 0)]


def test_a_14_00_meeting_is_13_00_utc_in_winter_and_12_00_utc_in_summer():
    assert recurrence.local_to_utc(datetime(2026, 3, 10, 14, 0)) == MARCH_MEETING_UTC
    assert recurrence.local_to_utc(datetime(2026, 6, 9, 14, 0)) == JUNE_MEETING_UTC
    assert recurrence.utc_to_local(JUNE_MEETING_UTC) == datetime(2026, 6, 9, 14, 0)
    # The autumn change too: the last Tuesday of October is already winter time (CET) in 2026.
    assert recurrence.local_to_utc(datetime(2026, 10, 27, 14, 0)) == datetime(2026, 10, 27, 13, 0)


def test_materialised_meetings_keep_14_00_paris_on_both_sides_of_the_march_change(app, monkeypatch):
    set_clock(monkeypatch, datetime(2026, 2, 1, 9, 0))
    coordinator = make_user(coordinator=True)
    series = create_series(quarterly_data(), actor=coordinator)
    meetings = sorted(series.meetings, key=lambda m: m.starts_at)
    assert [m.starts_at for m in meetings] == [MARCH_MEETING_UTC, JUNE_MEETING_UTC]
    assert [m.ends_at for m in meetings] == [datetime(2026, 3, 10, 15, 30), datetime(2026, 6, 9, 14, 30)]
    assert [m.occurrence_local for m in meetings] == [datetime(2026, 3, 10, 14, 0), datetime(2026, 6, 9, 14, 0)]


def test_reminders_go_out_at_nine_paris_time_whatever_the_season(app):
    winter = Meeting(title="r", starts_at=MARCH_MEETING_UTC, ends_at=MARCH_MEETING_UTC)
    summer = Meeting(title="r", starts_at=JUNE_MEETING_UTC, ends_at=JUNE_MEETING_UTC)
    assert reminder_moment(winter, 7) == datetime(2026, 3, 3, 8, 0)  # 09:00 CET
    assert reminder_moment(summer, 1) == datetime(2026, 6, 8, 7, 0)  # 09:00 CEST
    # Seven days before the first Tuesday after the change of time: still winter time then.
    after_change = Meeting(title="r", starts_at=datetime(2026, 3, 31, 12, 0), ends_at=datetime(2026, 3, 31, 13, 0))
    assert reminder_moment(after_change, 7) == datetime(2026, 3, 24, 8, 0)


def test_monthly_preset_and_custom_rules():
    monthly = recurrence.PRESETS["monthly"][1]
    found = recurrence.occurrences_local(monthly, datetime(2026, 1, 13, 9, 30), after_local=datetime(2026, 3, 1),
                                         count=2)
    assert found == [datetime(2026, 3, 10, 9, 30), datetime(2026, 4, 14, 9, 30)]
    assert recurrence.validate_rule("rrule:freq=monthly;bysetpos=-1;byday=TH") == "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=TH"
    for bad in ("", "FREQ=DAILY", "FREQ=WEEKLY;BYHOUR=9", "FREQ=MONTHLY;BYDAY=XX"):
        with pytest.raises(recurrence.RuleError):
            recurrence.validate_rule(bad)
