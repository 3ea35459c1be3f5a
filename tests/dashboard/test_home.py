"""The coordination home (/coordination) and the partner home's « what waits »: each count comes
from the domain that owns it, coordinators see counts and never a person's details, and everyone
lands on their own home after signing in."""
import secrets
from datetime import timedelta

import pytest
from markupsafe import escape

from coordination.crypto import encrypt_json
from coordination.dashboard import home
from coordination.moderation.models import PlaceReport
from coordination.errors import PermissionDenied
from coordination.events.models import Meeting, MeetingInvitation
from coordination.extensions import db
from coordination.referrals.models import Referral
from coordination.testing.factories import PASSWORD, make_member, make_organisation
from tests.auth.helpers import text
from tests.dashboard import PERSON, SECRETS, S_ADMIN, build_network
from tests.french import plain


def _waiting_referral(network, *, reminders_sent=0, next_reminder_at=None, status="sent"):
    created = network.now - timedelta(days=6)
    referral = Referral(
        submission_key=secrets.token_urlsafe(24), sender_organisation_id=network.clic.id,
        sender_user_id=network.sender.id, place_id=network.places.reze.id, receiver_organisation_id=network.reze.id,
        service=S_ADMIN, contact_channel="phone", personal_data=encrypt_json(PERSON), status=status,
        consent_at=created, consent_recorded_by_id=network.sender.id, consent_method="oral",
        consent_text_version="2025-01", created_at=created, expires_at=created + timedelta(days=14),
        reminders_sent=reminders_sent, next_reminder_at=next_reminder_at)
    db.session.add(referral)
    return referral


def _meeting(title, starts_at, *, status="scheduled"):
    meeting = Meeting(title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), status=status,
                      address="Maison des associations, Nantes")
    db.session.add(meeting)
    return meeting


@pytest.fixture
def network(db):
    network = build_network()
    now = network.now
    # build_network: 1 pending organisation, 1 stale published place, 1 referral sent (not yet due)
    _waiting_referral(network, reminders_sent=1, next_reminder_at=now + timedelta(days=2))  # reminded: late
    _waiting_referral(network, next_reminder_at=now - timedelta(hours=1))  # first reminder due: late
    _waiting_referral(network, next_reminder_at=now + timedelta(days=1))  # not due yet
    _waiting_referral(network, status="accepted", reminders_sent=1)  # answered
    db.session.add_all([PlaceReport(place_id=network.places.reze.id, kind="hours", message="Fermé le lundi"),
                        PlaceReport(place_id=network.places.clic_1.id, kind="closed"),
                        PlaceReport(place_id=network.places.clic_2.id, kind="other", status="resolved")])
    _meeting("Réunion annulée", now + timedelta(days=3), status="cancelled")
    network.next_meeting = _meeting("Réunion de rentrée du réseau", now + timedelta(days=10))
    _meeting("Réunion d'hiver", now + timedelta(days=60))
    db.session.commit()
    return network


def test_the_coordination_home_counts_what_waits(network):
    counts = home.coordination_home(actor=network.coordinator, now=network.now)
    assert counts.pending_organisations == 1
    assert counts.open_reports == 2
    assert counts.stale_places == 1
    assert counts.overdue_referrals == 2
    assert counts.next_meeting.id == network.next_meeting.id


def test_the_coordination_home_is_for_coordinators_only(network):
    for actor in (network.sender, None):
        with pytest.raises(PermissionDenied):
            home.coordination_home(actor=actor, now=network.now)


def test_the_page_shows_counts_and_links_and_no_personal_data(client, login, network):
    login(network.coordinator)
    response = client.get("/coordination")
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Coordination du réseau</h1>" in page
    assert "2</span> orientations attendent une réponse au-delà du délai." in page
    assert "1</span> organisation attend une décision." in page
    assert "2</span> signalements d'erreur ouverts." in page
    assert "1</span> lieu publié n'a pas été vérifié" in page
    assert 'href="/coordination/moderation#organisations"' in page and 'href="/coordination/moderation#signalements"' in page
    assert "Réunion de rentrée du réseau" in page and "Réunion annulée" not in page
    raw = plain(response.get_data(as_text=True))
    for secret in SECRETS:
        assert secret not in page and str(escape(secret)) not in raw
    assert "Fermé le lundi" not in page  # the reports are counted, read in the moderation queue


def test_a_partner_home_says_what_waits_for_them(client, login, network):
    invitation = MeetingInvitation(meeting=network.next_meeting, user=network.receiver, organisation=network.reze)
    db.session.add(invitation)
    db.session.commit()
    waiting = home.partner_waiting(actor=network.receiver, now=network.now)
    assert waiting.referrals_to_answer == 4  # sent to France Services, late or not, not the accepted one
    assert waiting.places_to_confirm == 0  # Rezé verified five months ago
    assert waiting.invitation.id == invitation.id
    login(network.receiver)
    page = text(client.get("/espace-partenaire"))
    assert "Ce qui vous attend" in page and "orientations attendent votre réponse" in page
    assert "Vous êtes invité à « Réunion de rentrée du réseau »" in page

    invitation.response = "yes"
    db.session.commit()
    assert home.partner_waiting(actor=network.receiver, now=network.now).invitation is None


def test_a_partner_with_places_to_confirm(network):
    waiting = home.partner_waiting(actor=make_member(network.diderot), now=network.now)
    # Médiathèque Diderot: both places (the unpublished one too) verified seven and eight months ago
    assert (waiting.referrals_to_answer, waiting.places_to_confirm, waiting.invitation) == (0, 2, None)
    assert not waiting.nothing_waits


def test_nothing_waits_for_a_new_partner(client, login, db):
    member = make_member(make_organisation("Tiers-lieu tout neuf"))
    assert home.partner_waiting(actor=member).nothing_waits
    login(member)
    assert "Rien ne vous attend pour le moment." in text(client.get("/espace-partenaire"))


def test_a_coordinator_lands_on_the_coordination_home(client, network):
    response = client.post("/connexion", data={"email": network.coordinator.email, "password": PASSWORD})
    assert response.headers["Location"] == "/coordination"
    assert "<h1>Coordination du réseau</h1>" in text(client.get("/coordination"))


def test_a_partner_lands_on_the_partner_home(client, network):
    response = client.post("/connexion", data={"email": network.sender.email, "password": PASSWORD})
    assert response.headers["Location"] == "/espace-partenaire"


def test_the_next_page_asked_for_still_wins(client, network):
    response = client.post("/connexion?next=/coordination/reunions",
                           data={"email": network.coordinator.email, "password": PASSWORD})
    assert response.headers["Location"] == "/coordination/reunions"
