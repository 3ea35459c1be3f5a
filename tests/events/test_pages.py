"""The meeting pages: who sees what (only members of active organisations and coordinators), and
the coordinator's forms through the scheduling services."""
from datetime import timedelta

import pytest

from coordination.core.clock import utcnow
from coordination.events import rsvp
from coordination.events.models import Meeting, MeetingDelegate, MeetingSeries
from tests.events.conftest import make_meeting

MEMBER_PAGES = ["/reunions", "/reunions/{meeting}", "/reunions/calendrier"]
COORDINATION_PAGES = ["/coordination/reunions", "/coordination/reunions/{meeting}",
                      "/coordination/reunions/participation", "/coordination/reunions/participation.csv"]


def urls(paths, meeting):
    return [path.format(meeting=meeting.id) for path in paths]


def test_anonymous_visitors_are_sent_to_the_login(client, meeting):
    for url in urls(MEMBER_PAGES + COORDINATION_PAGES, meeting):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"], url


@pytest.mark.parametrize("who", ["pending_member", "suspended_member", "outsider"])
def test_members_of_inactive_organisations_see_no_meeting(client, login, meeting, network, who):
    login(getattr(network, who))
    for url in urls(MEMBER_PAGES + COORDINATION_PAGES, meeting):
        response = client.get(url)
        assert response.status_code == 403, url
        assert meeting.title not in response.get_data(as_text=True)
    invitation = meeting.test_invitations.suspended
    assert client.post(f"/reunions/invitations/{invitation.id}/reponse", data={"answer": "yes"}).status_code == 403


def test_a_member_sees_their_meetings_but_not_the_coordination(client, login, meeting, network):
    login(network.member)
    for url in urls(MEMBER_PAGES, meeting):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/reunions/{meeting.id}").get_data(as_text=True)
    assert "<strong>Actualités</strong>" in page and "Maison des associations" in page
    for url in urls(COORDINATION_PAGES, meeting):
        assert client.get(url).status_code == 403, url


def test_a_member_who_is_not_invited_does_not_see_the_meeting_until_its_minutes_are_published(
        client, login, db, network):
    private = make_meeting(title="Réunion des délégués")
    login(network.member)
    assert client.get(f"/reunions/{private.id}").status_code == 403
    assert "Réunion des délégués" not in client.get("/reunions").get_data(as_text=True)
    private.minutes, private.minutes_published_at = "Compte rendu", utcnow()
    db.session.commit()
    assert client.get(f"/reunions/{private.id}").status_code == 200


def test_the_coordinator_sees_every_page_and_the_answers_per_organisation(client, login, meeting, network):
    rsvp.respond(meeting.test_invitations.member.id, "yes", actor=network.member)
    rsvp.respond(meeting.test_invitations.other.id, "no", actor=network.other_member)
    login(network.coordinator)
    for url in urls(MEMBER_PAGES + COORDINATION_PAGES, meeting):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/coordination/reunions/{meeting.id}").get_data(as_text=True)
    row = page[page.index("<th scope=\"row\">Association Clic et Déclic"):]
    row = row[:row.index("</tr>")]
    assert "Bruno Membre" in row and "Alice Admin" in row  # Bruno comes, Alice has not answered
    assert row.index("Bruno Membre") < row.index("Alice Admin")
    assert "Chloé Diderot" in page


def test_the_coordinator_creates_a_quarterly_series_and_a_single_meeting(client, login, db, network):
    login(network.coordinator)
    response = client.post("/coordination/reunions/series", data={
        "title": "Réunion trimestrielle", "kind": "months", "nth": "2", "weekday": "TU", "months": ["3", "6", "9", "12"],
        "first_date": "2030-03-01", "start_time": "14:00",
        "duration_minutes": "150", "address": "Maison des associations, Nantes", "invitation_days": "30"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    series = db.session.query(MeetingSeries).one()
    assert series.rrule == "FREQ=YEARLY;BYMONTH=3,6,9,12;BYDAY=2TU"
    assert client.get(response.headers["Location"]).status_code == 200

    bad = client.post("/coordination/reunions/series", data={"title": "", "kind": "custom", "rrule": "FREQ=SECONDLY"})
    assert bad.status_code == 400
    assert "Indiquez un titre." in bad.get_data(as_text=True)

    response = client.post("/coordination/reunions/reunion", data={
        "title": "Rencontre exceptionnelle", "date": "2030-05-05", "start_time": "10:00", "duration_minutes": "90",
        "video_url": "https://visio.exemple.fr/reseau", "capacity": "12"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    single = db.session.query(Meeting).filter_by(title="Rencontre exceptionnelle").one()
    assert single.capacity == 12 and single.series_id is None


def test_the_coordinator_moves_cancels_records_attendance_and_publishes_minutes(client, login, db, meeting,
                                                                                 network, mail_outbox):
    login(network.coordinator)
    moved = client.post(f"/coordination/reunions/{meeting.id}/deplacer", data={
        "date": (utcnow() + timedelta(days=20)).date().isoformat(), "start_time": "15:00", "duration_minutes": "120",
        "address": meeting.address})
    assert moved.status_code == 302, moved.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).ends_at - db.session.get(Meeting, meeting.id).starts_at == timedelta(hours=2)

    past = make_meeting(starts_in=-timedelta(days=1))
    from tests.events.conftest import invite
    present = invite(past, network.member, network.active)
    absent = invite(past, network.other_member, network.other)
    assert client.post(f"/coordination/reunions/{past.id}/presences", data={"present": [str(present.id)]}).status_code == 302
    db.session.expire_all()
    assert (present.attended, absent.attended) == (True, False)
    published = client.post(f"/coordination/reunions/{past.id}/compte-rendu",
                            data={"minutes": "## Décisions\n- une", "publish": "y"})
    assert published.status_code == 302
    assert any("Compte rendu" in m.subject for m in mail_outbox())
    empty = client.post(f"/coordination/reunions/{meeting.id}/compte-rendu", data={"minutes": "", "publish": "y"})
    assert empty.status_code == 400

    cancelled = client.post(f"/coordination/reunions/{meeting.id}/annuler", data={"reason": "Salle indisponible"})
    assert cancelled.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"


def test_members_cannot_use_the_coordinator_forms(client, login, meeting, network):
    login(network.admin)
    for path in ("deplacer", "annuler", "presences", "compte-rendu"):
        assert client.post(f"/coordination/reunions/{meeting.id}/{path}", data={}).status_code == 403, path
    assert client.post("/coordination/reunions/series", data={"title": "X"}).status_code == 403


def test_an_organisation_admin_names_its_delegates(client, login, db, network):
    login(network.admin)
    page = client.get("/reunions/participants")
    assert page.status_code == 200 and "Bruno Membre" in page.get_data(as_text=True)
    client.post("/reunions/participants", data={"organisation_id": network.active.id, "user_id": [network.member.id]})
    assert [d.user_id for d in db.session.query(MeetingDelegate).all()] == [network.member.id]
    # someone outside the organisation cannot be named
    assert client.post("/reunions/participants", data={"organisation_id": network.active.id,
                                                       "user_id": [network.other_member.id]}).status_code == 400
    client.post("/reunions/participants", data={"organisation_id": network.active.id})
    assert db.session.query(MeetingDelegate).count() == 0


@pytest.mark.parametrize("who", ["member", "other_member", "suspended_member"])
def test_only_admins_of_active_organisations_name_delegates(client, login, network, who):
    login(getattr(network, who))
    assert client.get("/reunions/participants").status_code == 403
    organisation = {"member": network.active, "other_member": network.other,
                    "suspended_member": network.suspended}[who]
    assert client.post("/reunions/participants", data={"organisation_id": organisation.id,
                                                       "user_id": []}).status_code == 403
