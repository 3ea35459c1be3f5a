"""The coordinator's meeting page issues a constant number of SQL statements, however many
organisations are invited, before and after the meeting."""
from datetime import timedelta


from coordination.events import services
from coordination.events.models import Meeting
from coordination.testing.factories import make_member, make_organisation
from tests.events import (
    counting_statements,
)
from tests.events.conftest import invite, make_meeting


def _meeting_with_organisations(count: int, *, members: int = 3) -> Meeting:
    meeting = make_meeting(capacity=count * members)
    for number in range(count):
        organisation = make_organisation(f"Organisation {number:02d}")
        for _ in range(members):
            invitation = invite(meeting, make_member(organisation, name=f"Membre {number}"), organisation)
            invitation.response = ("yes", "no", "maybe")[number % 3]
    services.db.session.commit()
    return meeting


def _manage_page_statements(db, client, meeting) -> int:
    db.session.expire_all()
    with counting_statements(db) as statements:
        response = client.get(f"/coordination/reunions/{meeting.id}")
    assert response.status_code == 200
    assert "Organisation 00" in response.get_data(as_text=True)
    return len(statements)


def test_the_coordinator_page_issues_a_constant_number_of_statements(app, db, client, login, coordinator):
    login(coordinator)
    small = _manage_page_statements(db, client, _meeting_with_organisations(3))
    large = _manage_page_statements(db, client, _meeting_with_organisations(15))
    assert large == small
    assert large <= 12


def test_the_started_meeting_page_with_attendance_too(app, db, client, login, coordinator, monkeypatch):
    login(coordinator)
    meeting = _meeting_with_organisations(12)
    meeting.starts_at = meeting.starts_at - timedelta(days=20)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    assert _manage_page_statements(db, client, meeting) <= 12
