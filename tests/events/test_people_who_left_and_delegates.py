"""Updates to people who left an organisation carry no answer link (the cancellation still reaches them),
delegates with unreadable values are refused in French, and cancelled meetings show as cancelled."""
import pytest
from sqlalchemy import select

from coordination.auth.models import Membership
from coordination.errors import Invalid
from coordination.events import rsvp, services
from coordination.testing.factories import make_member, make_organisation
from tests.events import (
    BEFORE_SERIES,
    MARCH_INVITATIONS,
    set_clock,
    single_meeting_data,
)


def test_an_update_to_someone_who_left_carries_no_answer_links_and_the_cancellation_still_goes(
        db, coordinator, mail_outbox, monkeypatch):
    organisation = make_organisation("Alpha")
    staying, leaving = make_member(organisation), make_member(organisation)
    set_clock(monkeypatch, BEFORE_SERIES)
    meeting = services.create_meeting(single_meeting_data(), actor=coordinator)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == leaving.id)))
    db.session.commit()

    services.update_meeting(meeting.id, {"start_time": "15:00"}, actor=coordinator)
    updates = {m.recipient: m for m in mail_outbox() if m.subject.startswith("Modification")}
    assert "/reunions/reponse/" in updates[staying.email].body_text
    assert "/reunions/reponse/" not in updates[leaving.email].body_text
    services.cancel_meeting(meeting.id, actor=coordinator)
    assert sorted(m.recipient for m in mail_outbox() if m.subject.startswith("Annulée")) == sorted(
        [staying.email, leaving.email])


@pytest.mark.parametrize("user_ids", [["abc"], ["1x"], [None], [""]])
def test_delegates_with_an_unreadable_person_are_refused_in_french(db, network, user_ids):
    with pytest.raises(Invalid) as caught:
        rsvp.set_delegates(network.active.id, user_ids, actor=network.admin)
    assert "membre" in caught.value.message


@pytest.mark.parametrize("organisation_id", ["abc", None, "3.5"])
def test_delegates_of_an_unreadable_organisation_are_refused_in_french(db, network, organisation_id):
    with pytest.raises(Invalid) as caught:
        rsvp.set_delegates(organisation_id, [], actor=network.admin)
    assert "organisation" in caught.value.message


def test_the_delegates_form_with_a_forged_value_is_a_400_not_a_500(client, login, network):
    login(network.admin)
    response = client.post("/reunions/participants", data={"organisation_id": str(network.active.id),
                                                           "user_id": ["abc"]})
    assert response.status_code == 400
    assert "membre" in response.get_data(as_text=True)


def test_my_invitations_show_cancelled_meetings_as_cancelled(db, meeting, network):
    meeting.status = "cancelled"
    db.session.commit()
    assert [i.meeting.status for i in rsvp.my_invitations(network.member)] == ["cancelled"]
    assert "cancelled" in rsvp.my_invitations.__doc__ or "annulée" in rsvp.my_invitations.__doc__
