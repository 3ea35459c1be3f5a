"""Finding 1 of the security review: the coordination role never opens a resident's data.

A coordinator used to invite their own address into any organisation, accept, and then read the
referrals of that organisation. Membership is now granted by the organisation's own admins only;
a coordinator may only give an organisation that has no admin yet its first admin, someone else.
"""
import secrets

import pytest
from sqlalchemy import select

from coordination.auth import services
from coordination.auth.models import Invitation, Membership
from coordination.errors import Invalid, PermissionDenied
from coordination.referrals import services as referral_services
from coordination.testing.factories import make_member, make_organisation, make_place, make_user
from tests.auth.helpers import link_in, text

FIRST_NAME = "Zéphyrine"
SERVICE = "Aide aux démarches administratives"


def members_url(organisation):
    return f"/organisations/{organisation.id}/membres"


def send_referral(sender_org, sender, place):
    data = {"first_name": FIRST_NAME, "last_name": "Quillebeuf", "phone": "07 61 23 45 89",
            "email": "zephyrine.q@exemple.fr", "contact_channel": "phone", "language": "fr",
            "need": "Renouveler sa demande de RSA en ligne.", "service": SERVICE, "urgent": False,
            "sender_organisation_id": sender_org.id, "consent": True, "consent_method": "oral",
            "submission_key": secrets.token_urlsafe(24)}
    return referral_services.create_referral(place.public_id, data, actor=sender)


@pytest.fixture
def referral_parties(db):
    sender_org = make_organisation("France Services de Rezé", kind="france_services")
    receiver_org = make_organisation("Association Clic et Déclic")
    sender = make_member(sender_org, role="admin", name="Agathe Envoi")
    receiver_admin = make_member(receiver_org, role="admin", name="Bruno Accueil", email="bruno@clic.fr")
    place = make_place(receiver_org, name="Espace numérique Clic", services=[SERVICE])
    coordinator = make_user("coordination@reseau.fr", coordinator=True, name="Corentin Coordination")
    return {"sender_org": sender_org, "receiver_org": receiver_org, "sender": sender,
            "receiver_admin": receiver_admin, "place": place, "coordinator": coordinator}


def test_the_reported_attack_no_longer_opens_a_referral(client, login, referral_parties, mail_outbox, db):
    referral = send_referral(referral_parties["sender_org"], referral_parties["sender"], referral_parties["place"])
    coordinator = referral_parties["coordinator"]
    login(coordinator)
    response = client.post(members_url(referral_parties["receiver_org"]), data={"email": coordinator.email, "role": "member"})
    assert response.status_code == 403
    assert db.session.scalars(select(Invitation)).all() == []
    assert not any(m.recipient == coordinator.email for m in mail_outbox())
    page = client.get(f"/orientations/{referral.uid}")
    assert page.status_code in (403, 404)
    assert FIRST_NAME not in text(page)


def test_a_coordinator_cannot_invite_anyone_into_an_organisation_that_has_admins(app, referral_parties, db):
    with app.test_request_context(), pytest.raises(PermissionDenied):
        services.invite_member(referral_parties["receiver_org"].id, email="collegue@reseau.fr", role="admin",
                               actor=referral_parties["coordinator"])
    assert db.session.scalars(select(Invitation)).all() == []


def test_a_coordinator_cannot_remove_members_of_an_organisation(client, login, referral_parties, db):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == referral_parties["receiver_admin"].id))
    extra = make_member(referral_parties["receiver_org"], role="member")
    extra_membership = db.session.scalar(select(Membership).where(Membership.user_id == extra.id))
    login(referral_parties["coordinator"])
    assert client.post(f"{members_url(referral_parties['receiver_org'])}/{extra_membership.id}/retirer").status_code == 403
    assert db.session.get(Membership, membership.id) is not None
    assert db.session.get(Membership, extra_membership.id) is not None


def test_members_page_shows_no_invitation_form_to_a_coordinator(client, login, referral_parties):
    login(referral_parties["coordinator"])
    page = client.get(members_url(referral_parties["receiver_org"]))
    assert page.status_code == 200  # coordinators still see who the partners are
    assert "Envoyer l'invitation" not in text(page) and "Retirer" not in text(page)


def test_an_organisation_without_admin_gets_its_first_admin_from_a_coordinator_someone_else(
        client, login, referral_parties, mail_outbox, db):
    imported = make_organisation("Médiathèque importée", kind="mediatheque")
    login(referral_parties["coordinator"])
    assert "Envoyer l'invitation" in text(client.get(members_url(imported)))
    myself = client.post(members_url(imported), data={"email": referral_parties["coordinator"].email, "role": "admin"})
    assert myself.status_code == 200
    assert "Vous ne pouvez pas vous inviter vous-même" in text(myself)
    assert db.session.scalars(select(Invitation)).all() == []

    assert client.post(members_url(imported), data={"email": "directrice@mediatheque.fr",
                                                     "role": "admin"}).status_code == 302
    client.post("/deconnexion")
    link = link_in(mail_outbox()[-1])
    client.post(link, data={"name": "Dominique Directrice", "password": "un-mot-de-passe-long",
                            "confirm": "un-mot-de-passe-long"})
    membership = db.session.scalar(select(Membership).where(Membership.organisation_id == imported.id))
    assert membership is not None and membership.role == "admin"
    # The organisation itself is told that someone joined through the coordination.
    told = [m for m in mail_outbox() if m.recipient == imported.contact_email]
    assert told and "Dominique Directrice" in told[-1].body_text


def test_a_coordinator_cannot_bootstrap_an_organisation_with_another_coordinator(app, referral_parties, db):
    make_user("autre.coordination@reseau.fr", coordinator=True)
    imported = make_organisation("Centre social importé", kind="centre_social")
    with app.test_request_context(), pytest.raises(Invalid) as error:
        services.invite_member(imported.id, email="autre.coordination@reseau.fr", role="admin",
                               actor=referral_parties["coordinator"])
    assert "email" in error.value.errors


def test_the_first_admin_invited_by_a_coordinator_must_be_an_admin(app, referral_parties, db):
    imported = make_organisation("Centre social importé", kind="centre_social")
    with app.test_request_context(), pytest.raises(Invalid) as error:
        services.invite_member(imported.id, email="salarie@centre.fr", role="member", actor=referral_parties["coordinator"])
    assert "role" in error.value.errors


def test_a_self_invitation_made_before_the_fix_cannot_be_accepted(client, login, app, referral_parties, db):
    """An invitation a coordinator sent to themself before this fix stays unusable."""
    from datetime import timedelta

    from coordination.core.clock import utcnow
    coordinator, organisation = referral_parties["coordinator"], referral_parties["receiver_org"]
    invitation = Invitation(organisation=organisation, email=coordinator.email, role="member",
                            nonce=secrets.token_urlsafe(24), invited_by_id=coordinator.id,
                            created_at=utcnow(), expires_at=utcnow() + timedelta(days=7))
    db.session.add(invitation)
    db.session.commit()
    with app.test_request_context():
        token = services.INVITATION_LINKS.sign({"i": invitation.id, "n": invitation.nonce})
    login(coordinator)
    response = client.post(f"/invitation/{token}")
    assert response.status_code == 403
    assert coordinator.membership_in(organisation.id) is None
    assert db.session.scalar(select(Membership).where(Membership.user_id == coordinator.id)) is None


def test_every_admin_is_mailed_when_a_member_joins(client, login, referral_parties, mail_outbox, db):
    organisation = referral_parties["receiver_org"]
    second_admin = make_member(organisation, role="admin", email="seconde@clic.fr")
    login(referral_parties["receiver_admin"])
    client.post(members_url(organisation), data={"email": "nouvelle@exemple.fr", "role": "member"})
    client.post("/deconnexion")
    link = link_in(mail_outbox()[-1])
    client.post(link, data={"name": "Nour Nouvelle", "password": "un-mot-de-passe-long",
                            "confirm": "un-mot-de-passe-long"})
    told = {m.recipient: m for m in mail_outbox() if "Nour Nouvelle" in m.body_text}
    assert set(told) >= {referral_parties["receiver_admin"].email, second_admin.email}
    message = told[second_admin.email]
    assert "Association Clic et Déclic" in message.subject
    assert "Bruno Accueil" in message.body_text  # who invited her
    assert "nouvelle@exemple.fr" not in told  # the new member is not told about herself


def test_a_coordinator_who_is_a_genuine_member_sees_the_referrals_of_that_organisation_only(
        client, login, referral_parties, db):
    coordinator = referral_parties["coordinator"]
    third_org = make_organisation("Médiathèque Diderot", kind="mediatheque")
    third_admin = make_member(third_org, role="admin")
    db.session.add(Membership(user=coordinator, organisation=referral_parties["sender_org"], role="member"))
    db.session.commit()
    own = send_referral(referral_parties["sender_org"], referral_parties["sender"], referral_parties["place"])
    other = send_referral(third_org, third_admin, referral_parties["place"])
    login(coordinator)
    assert FIRST_NAME in text(client.get(f"/orientations/{own.uid}"))
    assert client.get(f"/orientations/{other.uid}").status_code in (403, 404)
    listing = text(client.get("/orientations"))
    assert own.uid in listing and other.uid not in listing
