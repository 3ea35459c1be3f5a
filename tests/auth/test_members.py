"""Members of an organisation and invitations: who sees what, single-use links, the last admin."""
import pytest
from sqlalchemy import select

from coordination.auth.models import Invitation, Membership
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_user
from tests.auth.helpers import audit_actions, link_in, text
from tests.french import plain

NEW_PASSWORD = "mon-mot-de-passe-neuf"


@pytest.fixture
def debrouillards():
    return make_organisation("Les Petits Débrouillards")


@pytest.fixture
def admin(debrouillards):
    return make_member(debrouillards, role="admin", email="admin@debrouillards.fr", name="Alex Admin")


def members_url(organisation):
    return f"/organisations/{organisation.id}/membres"


def invite(client, organisation, email, role="member"):
    return client.post(members_url(organisation), data={"email": email, "role": role})


@pytest.fixture
def invitation_link(client, login, admin, debrouillards, mail_outbox):
    login(admin)
    assert invite(client, debrouillards, "nouvelle@exemple.fr").status_code == 302
    client.post("/deconnexion")
    return link_in(mail_outbox()[-1])


# --- the members page ---------------------------------------------------------------------------

def test_admin_sees_members_and_can_invite(client, login, admin, debrouillards):
    make_member(debrouillards, email="membre@debrouillards.fr", name="Dominique Membre")
    login(admin)
    page = text(client.get(members_url(debrouillards)))
    assert "<h1>Membres de « Les Petits Débrouillards »</h1>" in page
    assert "Dominique Membre" in page and "Alex Admin" in page
    assert "Inviter une personne" in page and "Retirer" in page


def test_endpoint_name_for_other_domains(app, debrouillards):
    from flask import url_for
    with app.test_request_context():
        assert url_for("auth.members", organisation_id=debrouillards.id) == members_url(debrouillards)


def test_plain_member_sees_the_list_but_cannot_act(client, login, admin, debrouillards, db):
    member = make_member(debrouillards, email="membre@debrouillards.fr")
    login(member)
    page = text(client.get(members_url(debrouillards)))
    assert "Alex Admin" in page and "Inviter une personne" not in page and "Retirer" not in page
    assert invite(client, debrouillards, "x@exemple.fr").status_code == 403
    admin_membership = admin.membership_in(debrouillards.id)
    url = f"{members_url(debrouillards)}/{admin_membership.id}/retirer"
    assert client.post(url).status_code == 403


def test_anonymous_is_sent_to_login(client, debrouillards):
    response = client.get(members_url(debrouillards))
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


def test_member_of_another_organisation_gets_403(client, login, admin, debrouillards, db):
    other = make_organisation("Autre association")
    outsider = make_member(other, role="admin", email="admin@autre.fr")
    login(outsider)
    assert client.get(members_url(debrouillards)).status_code == 403
    assert invite(client, debrouillards, "espion@autre.fr", role="admin").status_code == 403
    membership = admin.membership_in(debrouillards.id)
    assert client.post(f"{members_url(debrouillards)}/{membership.id}/retirer").status_code == 403
    assert db.session.scalar(select(Invitation)) is None
    # a membership of A reached through B's URL is not found, not removed
    assert client.post(f"{members_url(other)}/{membership.id}/retirer").status_code == 404
    assert db.session.get(Membership, membership.id) is not None


def test_coordinator_can_manage_any_organisation(client, login, debrouillards, mail_outbox):
    login(make_user(coordinator=True))
    assert invite(client, debrouillards, "nouvelle@exemple.fr", role="admin").status_code == 302
    assert mail_outbox()[-1].recipient == "nouvelle@exemple.fr"


def test_admin_of_pending_organisation_cannot_invite_yet(client, login):
    pending = make_organisation(status="pending")
    admin = make_member(pending, role="admin")
    login(admin)
    assert "une fois la demande acceptée" in text(client.get(members_url(pending)))
    assert invite(client, pending, "x@exemple.fr").status_code == 403


def test_unknown_organisation_is_404(client, login, admin):
    login(admin)
    assert client.get("/organisations/9999/membres").status_code == 404


# --- invitations ------------------------------------------------------------------------------

def test_invitation_mail(client, login, admin, debrouillards, mail_outbox, db):
    login(admin)
    response = invite(client, debrouillards, " Nouvelle@Exemple.fr ", role="admin")
    assert response.status_code == 302
    (message,) = mail_outbox()
    assert message.recipient == "nouvelle@exemple.fr"
    assert message.subject == "Invitation à rejoindre Les Petits Débrouillards sur Maillage"
    assert "Alex Admin vous invite" in plain(message.body_text)
    invitation = db.session.scalar(select(Invitation))
    from coordination.core.clock import datetime_fr
    assert f"valable jusqu'au {datetime_fr(invitation.expires_at)}" in plain(message.body_text)
    assert link_in(message).startswith("/invitation/")
    assert "nouvelle@exemple.fr" in text(client.get(members_url(debrouillards)))  # pending invitation listed
    assert "invitation.created" in audit_actions(db)


def test_invalid_invitation_input(client, login, admin, debrouillards):
    make_member(debrouillards, email="deja@exemple.fr")
    login(admin)
    response = invite(client, debrouillards, "pas-une-adresse")
    assert "Adresse électronique invalide." in text(response) and 'value="pas-une-adresse"' in text(response)
    response = invite(client, debrouillards, "deja@exemple.fr")
    assert response.status_code == 200
    assert "Cette personne est déjà membre de l'organisation." in text(response)
    assert 'id="email-error"' in text(response)
    assert "N'est pas un choix valide." in text(invite(client, debrouillards, "x@exemple.fr", role="owner"))


def test_new_person_creates_account_and_joins(client, invitation_link, debrouillards, db):
    page = text(client.get(invitation_link))
    assert "Créez votre compte pour nouvelle@exemple.fr" in page
    response = client.post(invitation_link, data={"name": "Nour Nouvelle", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{debrouillards.id}/bienvenue"
    membership = db.session.scalar(select(Membership).join(Membership.user).where(
        Membership.organisation_id == debrouillards.id, Membership.role == "member",
        Membership.user.has(email="nouvelle@exemple.fr")))
    assert membership is not None and membership.user.name == "Nour Nouvelle"
    assert "Nour Nouvelle" in text(client.get(members_url(debrouillards)))  # logged in
    assert {"user.created", "invitation.accepted"} <= set(audit_actions(db))


def test_signup_errors_are_explained(client, invitation_link, db):
    response = client.post(invitation_link, data={"name": "Nour", "password": "court", "confirm": "court"})
    assert response.status_code == 200
    assert "Le mot de passe doit contenir au moins 12 caractères." in text(response)
    assert 'value="Nour"' in text(response)
    assert db.session.scalar(select(Invitation)).accepted_at is None


def test_second_click_is_refused(app, client, invitation_link):
    data = {"name": "Nour", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    client.post(invitation_link, data=data)
    client.post("/deconnexion")
    for method in (client.get, client.post):
        response = method(invitation_link, data=data)
        assert response.status_code == 410
        assert "Cette invitation a déjà été acceptée." in text(response)
    # even for someone else holding the link
    response = app.test_client().get(invitation_link)
    assert response.status_code == 410


def test_existing_account_logs_in_then_accepts(client, invitation_link, debrouillards, db):
    user = make_user("nouvelle@exemple.fr")
    page = text(client.get(invitation_link))
    assert "Un compte existe déjà pour nouvelle@exemple.fr" in page
    # the invitation page sends to login and comes back
    response = client.post(f"/connexion?next={invitation_link}",
                           data={"email": "nouvelle@exemple.fr", "password": PASSWORD})
    assert response.headers["Location"] == invitation_link
    assert "Accepter l'invitation" in text(client.get(invitation_link))
    assert user.membership_in(debrouillards.id) is None
    response = client.post(invitation_link)
    assert response.status_code == 302
    db.session.expire_all()
    assert user.membership_in(debrouillards.id).role == "member"
    assert client.get(invitation_link).status_code == 410


def test_existing_account_cannot_be_taken_over_by_the_signup_form(client, invitation_link, db):
    make_user("nouvelle@exemple.fr")
    response = client.post(invitation_link, data={"name": "Pirate", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert db.session.scalar(select(Invitation)).accepted_at is None
    assert client.get("/espace-partenaire").status_code == 302


def test_wrong_account_is_told_to_log_out(client, login, invitation_link, db):
    login(make_user("quelquun@exemple.fr"))
    response = client.get(invitation_link)
    assert response.status_code == 403
    assert "Cette invitation est destinée à nouvelle@exemple.fr" in text(response)
    assert client.post(invitation_link).status_code == 403
    assert db.session.scalar(select(Invitation)).accepted_at is None


def test_unknown_and_tampered_tokens(client, invitation_link):
    response = client.get("/invitation/inconnu")
    assert response.status_code == 400
    assert "Ce lien d'invitation n'est pas valide." in text(response)
    assert client.get(invitation_link[:-2] + "xy").status_code == 400


def test_expired_by_signature_age(app, client, invitation_link, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", -1)
    response = client.get(invitation_link)
    assert response.status_code == 410
    assert "Cette invitation a expiré." in text(response)


def test_expired_by_date(client, invitation_link, db):
    from datetime import timedelta

    from coordination.auth.models import utcnow
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(invitation_link).status_code == 410


def test_revoked_invitation(client, login, admin, debrouillards, invitation_link, db):
    invitation = db.session.scalar(select(Invitation))
    login(admin)
    response = client.post(f"/organisations/{debrouillards.id}/invitations/{invitation.id}/annuler",
                           follow_redirects=True)
    assert "L'invitation de nouvelle@exemple.fr est annulée." in text(response)
    client.post("/deconnexion")
    response = client.get(invitation_link)
    assert response.status_code == 410
    assert "Cette invitation a été annulée." in text(response)


def test_new_invitation_replaces_the_pending_one(client, login, admin, debrouillards, mail_outbox):
    login(admin)
    invite(client, debrouillards, "nouvelle@exemple.fr")
    first = link_in(mail_outbox()[-1])
    invite(client, debrouillards, "nouvelle@exemple.fr", role="admin")
    second = link_in(mail_outbox()[-1])
    client.post("/deconnexion")
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


# --- removing members -------------------------------------------------------------------------

def test_admin_removes_a_member(client, login, admin, debrouillards, db):
    member = make_member(debrouillards, email="membre@debrouillards.fr")
    membership_id = member.membership_in(debrouillards.id).id
    login(admin)
    response = client.post(f"{members_url(debrouillards)}/{membership_id}/retirer", follow_redirects=True)
    assert "Le membre a été retiré de l'organisation." in text(response)
    assert db.session.get(Membership, membership_id) is None
    assert "membership.removed" in audit_actions(db)


def test_last_admin_cannot_be_removed(client, login, admin, debrouillards, db):
    membership_id = admin.membership_in(debrouillards.id).id
    login(admin)
    response = client.post(f"{members_url(debrouillards)}/{membership_id}/retirer")
    assert response.status_code == 409
    assert "Impossible de retirer le dernier administrateur" in text(response)
    assert db.session.get(Membership, membership_id) is not None


def test_an_admin_can_go_when_another_remains(client, login, admin, debrouillards, db):
    make_member(debrouillards, role="admin")
    membership_id = admin.membership_in(debrouillards.id).id
    login(admin)
    assert client.post(f"{members_url(debrouillards)}/{membership_id}/retirer").status_code == 302
    assert db.session.get(Membership, membership_id) is None
    assert client.get(members_url(debrouillards)).status_code == 403  # no longer a member


def test_remove_is_post_only(client, login, admin, debrouillards):
    login(admin)
    membership_id = admin.membership_in(debrouillards.id).id
    assert client.get(f"{members_url(debrouillards)}/{membership_id}/retirer").status_code == 405


def test_invitation_expiry_is_shown_in_paris_time(client, login, admin, debrouillards, db):
    from datetime import datetime
    login(admin)
    invite(client, debrouillards, "nouvelle@exemple.fr")
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = datetime(2099, 12, 31, 23, 30)  # UTC: already 2100 in Paris
    db.session.commit()
    assert "valable jusqu'au 1er janvier 2100 à 0\u00a0h\u00a030" in text(client.get(members_url(debrouillards)))


def test_a_new_member_lands_on_a_welcome_page(client, invitation_link, debrouillards, db):
    """Issue 18: after accepting, what a member can do, who the admins are and a first step, not the
    members table."""
    response = client.post(invitation_link, data={"name": "Nour Nouvelle", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD}, follow_redirects=True)
    page = text(response)
    assert response.status_code == 200 and "Bienvenue dans « Les Petits Débrouillards »" in plain(page)
    assert "Vous avez rejoint « Les Petits Débrouillards »." in plain(page)
    assert "Vous êtes membre de « Les Petits Débrouillards »" in plain(page)
    admins = db.session.scalars(select(Membership).where(Membership.organisation_id == debrouillards.id,
                                                          Membership.role == "admin")).all()
    assert admins and all(f'href="mailto:{m.user.email}"' in page for m in admins)
    for link in ('href="/espace-partenaire"', 'href="/orientations"', 'href="/reunions"',
                 f'href="/organisations/{debrouillards.id}/membres"'):
        assert link in page
    assert "<table" not in page


def test_the_welcome_page_is_for_the_organisation_s_members(client, login, debrouillards):
    other = make_organisation("Ailleurs")
    login(make_member(other, role="member"))
    assert client.get(f"/organisations/{debrouillards.id}/bienvenue").status_code == 403
    assert client.get(f"/organisations/{other.id}/bienvenue").status_code == 200
