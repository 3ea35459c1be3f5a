"""Finding 10 of the security review: dates out of range (year 1, year 9999) gave a 500 on the
referral statistics (`?depuis=0001-01-01`) and on the meeting forms. Every date typed by people is
read by `coordination.core.clock.parse_day`, which accepts years 2000 to 2100 only, with a French message."""
import pytest

from coordination.core.clock import DateOutOfRange, parse_day
from coordination.events.models import Meeting, MeetingSeries
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

OUT_OF_RANGE = ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"]


@pytest.mark.parametrize("text", OUT_OF_RANGE)
def test_parse_day_refuses_years_outside_2000_to_2100_in_french(text):
    with pytest.raises(DateOutOfRange, match="entre 2000 et 2100"):
        parse_day(text)


@pytest.mark.parametrize("text", ["", "  ", "2026-13-01", "demain", "2026-1-1x", "0001-01-01T00:00"])
def test_parse_day_refuses_what_is_not_a_day_in_french(text):
    with pytest.raises(ValueError, match="au format AAAA-MM-JJ"):
        parse_day(text)


def test_parse_day_reads_a_day_in_range():
    from datetime import date
    assert parse_day(" 2026-03-01 ") == date(2026, 3, 1)
    assert parse_day("2000-01-01") == date(2000, 1, 1)
    assert parse_day("2100-12-31") == date(2100, 12, 31)


@pytest.mark.parametrize("path", ["/coordination/orientations", "/coordination/orientations.csv",
                                  "/coordination/tableau-de-bord", "/coordination/tableau-de-bord/services.csv"])
@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_statistics_since_out_of_range_is_a_french_400(client, login, db, path, day):
    login(make_user(coordinator=True))
    response = client.get(f"{path}?depuis={day}")
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert "entre 2000 et 2100" in response.get_data(as_text=True)


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_meeting_out_of_range_is_a_french_form_error(client, login, db, day):
    login(make_user(coordinator=True))
    response = client.post("/coordination/reunions/reunion", data={
        "title": "Rencontre", "date": day, "start_time": "10:00", "duration_minutes": "90",
        "address": "Maison des associations, Nantes"})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert "entre 2000 et 2100" in response.get_data(as_text=True)
    assert db.session.query(Meeting).count() == 0


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_series_out_of_range_is_a_french_form_error(client, login, db, day):
    login(make_user(coordinator=True))
    response = client.post("/coordination/reunions/series", data={
        "title": "Réunion trimestrielle", "kind": "months", "months": ["3", "9"], "first_date": day, "start_time": "14:00",
        "duration_minutes": "150", "address": "Maison des associations, Nantes", "invitation_days": "30"})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert "entre 2000 et 2100" in response.get_data(as_text=True)
    assert db.session.query(MeetingSeries).count() == 0


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_moving_a_meeting_out_of_range_is_a_french_form_error(client, login, db, day):
    from tests.events.conftest import make_meeting
    meeting = make_meeting()
    login(make_user(coordinator=True))
    response = client.post(f"/coordination/reunions/{meeting.id}/deplacer", data={
        "date": day, "start_time": "15:00", "duration_minutes": "120", "address": meeting.address})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert "entre 2000 et 2100" in response.get_data(as_text=True)


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_the_meeting_services_refuse_out_of_range_days_too(db, day):
    from coordination.errors import Invalid
    from coordination.events import services
    coordinator = make_user(coordinator=True)
    with pytest.raises(Invalid) as raised:
        services.create_meeting({"title": "Rencontre", "date": day, "start_time": "10:00", "duration_minutes": 90,
                                 "address": "Nantes"}, actor=coordinator)
    assert "entre 2000 et 2100" in str(raised.value.errors["date"])


@pytest.mark.parametrize("day", ["9999-12-30", "2101-01-01"])
def test_a_closure_out_of_range_is_a_french_form_error(client, login, db, day):
    organisation = make_organisation()
    place = make_place(organisation)
    login(make_member(organisation, role="admin"))
    response = client.post(f"/espace-partenaire/lieux/{place.id}/fermetures", data={
        "starts_on": day, "ends_on": day, "closed": "y"})
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    assert "entre 2000 et 2100" in response.get_data(as_text=True)
