"""Answers: signed links (tampering, expiry, a scanner's GET), idempotence, the waiting list."""
from datetime import timedelta

import pytest

from coordination.errors import PermissionDenied
from coordination.events import rsvp
from coordination.events.models import MeetingInvitation
from tests.events.conftest import invite, make_meeting


def path_of(url: str) -> str:
    assert url.startswith("http://localhost/reunions/reponse/")
    return url.removeprefix("http://localhost")


def reload(invitation):
    from coordination.extensions import db
    db.session.expire_all()
    return db.session.get(MeetingInvitation, invitation.id)


def test_a_link_shows_a_confirmation_and_only_the_button_records_the_answer(client, meeting):
    invitation = meeting.test_invitations.member
    url = path_of(rsvp.answer_link(invitation, "yes"))
    for _ in range(3):  # a mail scanner, a preview, the person: GET changes nothing
        page = client.get(url)
        assert page.status_code == 200
        assert "Confirmer\u00a0: «\u00a0Je viens\u00a0»" in page.get_data(as_text=True)
    assert reload(invitation).response == "pending"
    done = client.post(url)
    assert done.status_code == 200
    assert "Réponse enregistrée" in done.get_data(as_text=True)
    assert reload(invitation).response == "yes"


def test_the_confirmation_button_needs_the_csrf_token(app, client, meeting, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    invitation = meeting.test_invitations.member
    response = client.post(path_of(rsvp.answer_link(invitation, "no")))
    assert response.status_code == 400
    assert reload(invitation).response == "pending"


@pytest.mark.parametrize("change", ["answer", "invitation", "signature", "garbage"])
def test_a_tampered_link_is_refused_in_french(client, meeting, change):
    invitation = meeting.test_invitations.member
    token = rsvp.make_token(invitation.id, "no")
    if change == "answer":  # the payload of another answer with the signature of this one
        token = rsvp.make_token(invitation.id, "yes").split(".")[0] + "." + token.split(".")[1]
    elif change == "invitation":
        token = rsvp.make_token(meeting.test_invitations.other.id, "no").split(".")[0] + "." + token.split(".")[1]
    elif change == "signature":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        token = "pas-un-jeton"
    for method in (client.get, client.post):
        response = method(f"/reunions/reponse/{token}")
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert "Ce lien n’est pas valable" in body
    assert reload(invitation).response == "pending"
    assert reload(meeting.test_invitations.other).response == "pending"


def test_a_token_signed_with_another_salt_is_refused(app, client, meeting):
    from itsdangerous import URLSafeSerializer
    forged = URLSafeSerializer(app.config["SECRET_KEY"], salt="another-purpose").dumps(
        [meeting.test_invitations.member.id, "y"])
    assert client.get(f"/reunions/reponse/{forged}").status_code == 400


def test_a_link_expires_when_the_meeting_ends(client, meeting, monkeypatch):
    invitation = meeting.test_invitations.member
    url = path_of(rsvp.answer_link(invitation, "yes"))
    monkeypatch.setattr(rsvp, "utcnow", lambda: meeting.ends_at + timedelta(minutes=1))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 410
        assert "Ce lien a expiré" in response.get_data(as_text=True)
    assert reload(invitation).response == "pending"
    # one minute before the end, it still works
    monkeypatch.setattr(rsvp, "utcnow", lambda: meeting.ends_at - timedelta(minutes=1))
    assert client.post(url).status_code == 200
    assert reload(invitation).response == "yes"


def test_a_link_of_a_cancelled_meeting_or_a_suspended_organisation_has_expired(client, db, meeting, network):
    suspended = path_of(rsvp.answer_link(meeting.test_invitations.suspended, "yes"))
    assert client.post(suspended).status_code == 410
    assert reload(meeting.test_invitations.suspended).response == "pending"
    meeting.status = "cancelled"
    db.session.commit()
    response = client.get(path_of(rsvp.answer_link(meeting.test_invitations.member, "yes")))
    assert response.status_code == 410 and "annulée" in response.get_data(as_text=True)


def test_answering_twice_the_same_thing_changes_nothing(db, meeting, network):
    invitation = meeting.test_invitations.member
    first = rsvp.respond(invitation.id, "maybe", actor=network.member)
    stamp = reload(invitation).responded_at
    second = rsvp.respond(invitation.id, "maybe", actor=network.member)
    third = rsvp.respond(invitation.id, "maybe", token=rsvp.make_token(invitation.id, "maybe"))
    assert (first.changed, second.changed, third.changed) == (True, False, False)
    assert reload(invitation).responded_at == stamp
    from coordination.audit import AuditRecord
    assert db.session.query(AuditRecord).filter_by(action="meeting.answer").count() == 1


def test_a_double_click_on_a_full_meeting_keeps_ones_place_on_the_waiting_list(db, network):
    full = make_meeting(capacity=1)
    first = invite(full, network.admin, network.active)
    second = invite(full, network.member, network.active)
    rsvp.respond(first.id, "yes", actor=network.admin)
    waiting = rsvp.respond(second.id, "yes", actor=network.member)
    since = reload(second).waitlisted_at
    again = rsvp.respond(second.id, "yes", actor=network.member)
    assert waiting.waitlisted and again.waitlisted and not again.changed
    assert reload(second).waitlisted_at == since


def test_the_first_on_the_waiting_list_moves_up_and_is_mailed_when_someone_declines(db, network, mail_outbox):
    full = make_meeting(capacity=2, title="Atelier du réseau")
    seated = [invite(full, network.admin, network.active), invite(full, network.member, network.active)]
    waiting = [invite(full, network.other_member, network.other),
               invite(full, make_user_in(network.other, "Hugo Suivant"), network.other)]
    for invitation in seated:
        assert not rsvp.respond(invitation.id, "yes", actor=invitation.user).waitlisted
    results = [rsvp.respond(invitation.id, "yes", actor=invitation.user) for invitation in waiting]
    assert [r.waitlisted for r in results] == [True, True]
    assert rsvp.seats_taken(full) == 2
    assert [i.id for i in rsvp.waiting_list(full)] == [waiting[0].id, waiting[1].id]

    declined = rsvp.respond(seated[0].id, "no", token=rsvp.make_token(seated[0].id, "no"))
    assert [i.id for i in declined.promoted] == [waiting[0].id]
    assert reload(waiting[0]).waitlisted_at is None and reload(waiting[0]).response == "yes"
    assert reload(waiting[1]).waitlisted_at is not None
    assert rsvp.seats_taken(full) == 2
    [message] = [m for m in mail_outbox() if m.recipient == network.other_member.email]
    assert "Une place s’est libérée" in message.subject
    assert "Atelier du réseau" in message.body_text and "/reunions/reponse/" in message.body_text

    # a "maybe" from someone waiting frees no seat and promotes nobody
    assert rsvp.respond(waiting[1].id, "maybe", actor=waiting[1].user).promoted == []
    assert rsvp.waiting_list(full) == []
    assert len(mail_outbox()) == 1


def make_user_in(organisation, name):
    from coordination.testing.factories import make_member
    return make_member(organisation, name=name)


def test_a_member_answers_only_their_own_invitation_for_an_active_organisation(meeting, network):
    with pytest.raises(PermissionDenied):
        rsvp.respond(meeting.test_invitations.member.id, "yes", actor=network.admin)
    with pytest.raises(PermissionDenied):
        rsvp.respond(meeting.test_invitations.suspended.id, "yes", actor=network.suspended_member)
    with pytest.raises(PermissionDenied):
        rsvp.respond(meeting.test_invitations.member.id, "yes", actor=network.coordinator)


def test_answer_buttons_of_the_partner_space(client, login, meeting, network):
    login(network.member)
    page = client.get("/reunions")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Réunion trimestrielle du réseau" in body and "Je ne viens pas" in body
    invitation = meeting.test_invitations.member
    response = client.post(f"/reunions/invitations/{invitation.id}/reponse", data={"answer": "no"},
                           follow_redirects=True)
    assert "Votre réponse «\u00a0Je ne viens pas\u00a0» est enregistrée." in response.get_data(as_text=True)
    assert reload(invitation).response == "no"
    assert client.post(f"/reunions/invitations/{invitation.id}/reponse", data={"answer": "bof"}).status_code == 400
    other = meeting.test_invitations.other
    assert client.post(f"/reunions/invitations/{other.id}/reponse", data={"answer": "yes"}).status_code == 403
    assert reload(other).response == "pending"


def test_answer_links_for_the_invitation_mails(meeting):
    links = rsvp.answer_links(meeting.test_invitations.member)
    assert set(links) == {"yes", "no", "maybe"}
    assert len(set(links.values())) == 3
    assert all(link.startswith("http://localhost/reunions/reponse/") for link in links.values())
