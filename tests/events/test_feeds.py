"""Private calendar feeds: the secret shown once and stored hashed, revocation, and who gets one."""
import hashlib

import pytest
from icalendar import Calendar

from coordination.errors import PermissionDenied
from coordination.events import feeds
from coordination.events.models import CalendarFeed
from tests.events.conftest import invite, make_meeting


def feed_path(url: str) -> str:
    assert url.startswith("http://localhost/calendrier/") and url.endswith(".ics")
    return url.removeprefix("http://localhost")


def test_the_feed_lists_the_meetings_one_is_invited_to_and_stores_only_a_hash(client, db, meeting, network):
    elsewhere = make_meeting(title="Réunion sans Bruno")
    invite(elsewhere, network.other_member, network.other)
    url = feeds.create_feed(actor=network.member)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    [row] = db.session.query(CalendarFeed).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash

    response = client.get(feed_path(url))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [meeting.uid]
    assert events[0].walk("VALARM"), "the feed carries the alarm"


def test_a_revoked_or_unknown_token_answers_404(client, meeting, network):
    url = feeds.create_feed(actor=network.member)
    assert client.get(feed_path(url)).status_code == 200
    feed = feeds.active_feed(network.member)
    feeds.revoke_feed(feed.id, actor=network.member)
    assert client.get(feed_path(url)).status_code == 404
    assert client.get("/calendrier/inconnu.ics").status_code == 404


def test_a_new_feed_revokes_the_previous_one(client, meeting, network):
    first = feeds.create_feed(actor=network.member)
    second = feeds.create_feed(actor=network.member)
    assert first != second
    assert client.get(feed_path(first)).status_code == 404
    assert client.get(feed_path(second)).status_code == 200


def test_only_the_owner_or_a_coordinator_revokes(meeting, network):
    feeds.create_feed(actor=network.member)
    feed = feeds.active_feed(network.member)
    with pytest.raises(PermissionDenied):
        feeds.revoke_feed(feed.id, actor=network.admin)
    feeds.revoke_feed(feed.id, actor=network.coordinator)
    assert feeds.active_feed(network.member) is None


def test_members_of_inactive_organisations_get_no_feed(client, db, meeting, network):
    for person in (network.pending_member, network.suspended_member, network.outsider):
        with pytest.raises(PermissionDenied):
            feeds.create_feed(actor=person)
    url = feeds.create_feed(actor=network.other_member)
    assert client.get(feed_path(url)).status_code == 200
    network.other.status = "suspended"
    db.session.commit()
    assert client.get(feed_path(url)).status_code == 404
    network.other.status = "active"  # reactivated: the same link works again
    db.session.commit()
    assert client.get(feed_path(url)).status_code == 200


def test_the_feed_page_shows_the_link_once(client, login, meeting, network):
    login(network.member)
    assert "Créer mon lien de calendrier" in client.get("/reunions/calendrier").get_data(as_text=True)
    created = client.post("/reunions/calendrier").get_data(as_text=True)
    assert "http://localhost/calendrier/" in created
    again = client.get("/reunions/calendrier").get_data(as_text=True)
    assert "http://localhost/calendrier/" not in again and "Révoquer ce lien" in again
    feed = feeds.active_feed(network.member)
    client.post(f"/reunions/calendrier/{feed.id}/revoquer")
    assert feeds.active_feed(network.member) is None


@pytest.mark.parametrize("who", ["pending_member", "suspended_member", "outsider"])
def test_the_feed_page_is_refused_outside_active_organisations(client, login, network, who):
    login(getattr(network, who))
    assert client.get("/reunions/calendrier").status_code == 403
    assert client.post("/reunions/calendrier").status_code == 403


def test_the_feed_page_needs_a_login(client, network):
    response = client.get("/reunions/calendrier")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
