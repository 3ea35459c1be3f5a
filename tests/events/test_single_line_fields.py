"""Meeting fields are one line each: a title, an address or a video link with a line break, a
control character or (for the link) whitespace is refused in French, in single meetings, series and changes."""
import pytest

from coordination.errors import Invalid
from coordination.events import services
from tests.events import (
    BEFORE_SERIES,
    quarterly_data,
    set_clock,
    single_meeting_data,
)


@pytest.mark.parametrize("link", [
    "https://visio.ex/a\nBEGIN:VEVENT", "https://visio.ex/a\r\nX-INJECTED:1", "https://visio.ex/a\tb",
    "https://visio.ex/a\x00b", "https://visio.ex/a\x7fb", "https://visio.ex/a\u2028b", "https://visio.ex/a\u200bb",
    "https://visio.ex/a\u00a0b", "https://visio.ex/a b",
])
def test_a_video_link_with_whitespace_or_a_control_character_is_refused(app, coordinator, monkeypatch, link):
    set_clock(monkeypatch, BEFORE_SERIES)
    with pytest.raises(Invalid) as caught:
        services.create_meeting(single_meeting_data(video_url=link), actor=coordinator)
    assert set(caught.value.errors) == {"video_url"}
    assert "espace" in caught.value.errors["video_url"][0]


@pytest.mark.parametrize("name", ["title", "address"])
@pytest.mark.parametrize("value", ["Réunion\nBEGIN:VEVENT", "Réunion\r\nX: 1", "Réunion\u2028suite", "Réu\x00nion"])
def test_single_line_fields_refuse_line_breaks_in_french(app, coordinator, monkeypatch, name, value):
    set_clock(monkeypatch, BEFORE_SERIES)
    with pytest.raises(Invalid) as caught:
        services.create_meeting(single_meeting_data(**{name: value}), actor=coordinator)
    assert set(caught.value.errors) == {name}
    assert "une seule ligne" in caught.value.errors[name][0]


def test_the_same_rules_apply_to_series_and_changes(app, db, coordinator, monkeypatch):
    set_clock(monkeypatch, BEFORE_SERIES)
    with pytest.raises(Invalid) as caught:
        services.create_series(quarterly_data(video_url="https://visio.ex/a\nBEGIN:VEVENT"), actor=coordinator)
    assert set(caught.value.errors) == {"video_url"}
    meeting = services.create_meeting(single_meeting_data(), actor=coordinator)
    with pytest.raises(Invalid) as caught:
        services.update_meeting(meeting.id, {"title": "Atelier\nBEGIN:VALARM"}, actor=coordinator)
    assert set(caught.value.errors) == {"title"}
    # What remains allowed: spaces inside a title or an address, tabs collapsed, a clean link.
    changed = services.update_meeting(meeting.id, {"title": "  Atelier\tdu   réseau ", "address": "2 rue  Kervégan",
                                                   "video_url": "https://visio.ex/a?b=c#d"}, actor=coordinator)
    assert (changed.title, changed.address, changed.video_url) == (
        "Atelier du réseau", "2 rue Kervégan", "https://visio.ex/a?b=c#d")
