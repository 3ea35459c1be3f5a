"""Every referral URL and action, for: a member of A (sender), a member of B (receiver), the admin of a
third organisation C, a coordinator of neither, and an anonymous visitor. Outsiders get 404 for a
referral (they learn nothing, not even that it exists); anonymous visitors are sent to the login page.
Nobody outside A and B sees the person: not in pages, mails, audit details or logs."""
import logging
from html import unescape

import pytest
from sqlalchemy import func, select

from coordination.audit import AuditRecord
from coordination.mail import Message
from coordination.referrals import services
from coordination.referrals.models import Referral
from coordination.testing.factories import PASSWORD
from tests.referrals.conftest import FIRST_NAME, referral_data

ROLES = ("member_a", "member_b", "admin_c", "coordinator", "anonymous")
OUTSIDERS = ("admin_c", "coordinator", "anonymous")
# What identifies the person, as sent in the form (conftest.referral_data) and in comments below.
SECRETS = (FIRST_NAME, "Quillebeuf", "07 61 23 45 89", "+33761234589", "zephyrine.q@exemple.fr",
           "Renouveler sa demande de RSA", "Rappeler après 18 h chez sa fille")


def client_for(app, referral_partners, role):
    client = app.test_client()
    if role != "anonymous":
        user = getattr(referral_partners, role)
        assert client.post("/connexion", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/connexion" in response.headers["Location"]


def body(response) -> str:
    return unescape(response.get_data(as_text=True))


# --- pages ---------------------------------------------------------------------------------------

PAGES = {  # path -> expected status by role (anonymous: always the login page)
    "/orientations": {"member_a": 200, "member_b": 200, "admin_c": 200, "coordinator": 200},
    "/lieux/{place}/orienter": {"member_a": 200, "member_b": 200, "admin_c": 200, "coordinator": 403},
    "/orientations/{uid}": {"member_a": 200, "member_b": 200, "admin_c": 404, "coordinator": 404},
    "/orientations/{uid}/retirer-consentement": {"member_a": 200, "member_b": 200, "admin_c": 404,
                                                 "coordinator": 404},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_pages(app, referral_partners, send, role, path):
    referral = send()
    response = client_for(app, referral_partners, role).get(path.format(uid=referral.uid, place=referral_partners.place_b.public_id))
    if role == "anonymous":
        assert is_login_redirect(response)
    else:
        assert response.status_code == PAGES[path][role]
    html = body(response)
    if role in OUTSIDERS:
        assert FIRST_NAME not in html
    if role in ("admin_c", "coordinator") and not path.startswith("/lieux"):
        assert referral.uid not in html and "Espace numérique Clic" not in html


def test_outsiders_lists_hold_no_referral(app, referral_partners, send):
    send()
    for role in ("admin_c", "coordinator"):
        html = body(client_for(app, referral_partners, role).get("/orientations"))
        assert "Reçues (0)" in html and "Envoyées (0)" in html and "Espace numérique Clic" not in html


def test_an_unknown_referral_and_an_outsiders_referral_look_the_same(app, referral_partners, send):
    referral = send()
    c = client_for(app, referral_partners, "admin_c")
    unknown, hidden = c.get("/orientations/00000000-0000-0000-0000-000000000000"), c.get(f"/orientations/{referral.uid}")
    assert unknown.status_code == hidden.status_code == 404
    assert body(unknown) == body(hidden)


# --- actions -------------------------------------------------------------------------------------

# action -> (state the referral is put in first, form data, expected status by role, status reached)
ACTIONS = {
    "accepter": ("sent", {"comment": ""}, {"member_a": 403, "member_b": 302}, "accepted"),
    "refuser": ("sent", {"reason": "full"}, {"member_a": 403, "member_b": 302}, "declined"),
    "annuler": ("sent", {}, {"member_a": 302, "member_b": 403}, "cancelled"),
    "issue": ("accepted", {"outcome": "completed"}, {"member_a": 403, "member_b": 302}, "completed"),
    "commentaire": ("sent", {"comment": "Un mot"}, {"member_a": 302, "member_b": 302}, "sent"),
    "retirer-consentement": ("accepted", {}, {"member_a": 302, "member_b": 302}, "withdrawn"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_actions(app, db, referral_partners, send, role, action):
    state, data, expected, reached = ACTIONS[action]
    referral = send()
    if state == "accepted":
        services.accept_referral(referral.uid, actor=referral_partners.member_b)
    steps = len(referral.steps)
    response = client_for(app, referral_partners, role).post(f"/orientations/{referral.uid}/{action}", data=data)
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    if role == "anonymous":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected.get(role, 404)
    if response.status_code == 302 and role != "anonymous":
        assert referral.status == reached and len(referral.steps) == steps + 1
    else:  # refused: nothing changed
        assert referral.status == state and len(referral.steps) == steps
        assert referral.personal_data is not None
    if role in OUTSIDERS:
        assert FIRST_NAME not in body(response)


def test_a_closed_referral_takes_no_more_answers(app, db, referral_partners, send):
    referral = send()
    services.decline_referral(referral.uid, actor=referral_partners.member_b, reason="full")
    b = client_for(app, referral_partners, "member_b")
    for action, data in (("accepter", {}), ("issue", {"outcome": "completed"}), ("refuser", {"reason": "full"})):
        assert b.post(f"/orientations/{referral.uid}/{action}", data=data).status_code == 403
    assert client_for(app, referral_partners, "member_a").post(f"/orientations/{referral.uid}/annuler").status_code == 403
    db.session.refresh(referral)
    assert referral.status == "declined"


def test_a_suspended_receiver_sees_but_cannot_answer(app, db, referral_partners, send):
    referral = send()
    referral_partners.org_b.status = "suspended"
    db.session.commit()
    b = client_for(app, referral_partners, "member_b")
    assert b.get(f"/orientations/{referral.uid}").status_code == 200
    assert b.post(f"/orientations/{referral.uid}/accepter").status_code == 403


# --- the person's data ---------------------------------------------------------------------------

def reads(db, actor=None):
    query = select(func.count(AuditRecord.id)).where(AuditRecord.action == "referral.personal_data_read")
    if actor is not None:
        query = query.where(AuditRecord.actor_id == actor.id)
    return db.session.scalar(query)


def test_each_read_of_the_person_is_audited(app, db, referral_partners, send):
    referral = send()
    a, b = client_for(app, referral_partners, "member_a"), client_for(app, referral_partners, "member_b")
    assert reads(db) == 0  # sending reads nothing back
    a.get(f"/orientations/{referral.uid}")
    assert reads(db, referral_partners.member_a) == 1
    a.get(f"/orientations/{referral.uid}")
    b.get(f"/orientations/{referral.uid}")
    assert reads(db, referral_partners.member_a) == 2 and reads(db, referral_partners.member_b) == 1
    record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "referral.personal_data_read")).first()
    assert record.object_type == "referral" and record.object_id == str(referral.id)
    a.get("/orientations")
    a.get(f"/orientations/{referral.uid}/retirer-consentement")
    client_for(app, referral_partners, "admin_c").get(f"/orientations/{referral.uid}")
    client_for(app, referral_partners, "coordinator").get(f"/orientations/{referral.uid}")
    assert reads(db) == 3  # lists, the confirmation page and refused visitors read nothing
    a.post(f"/orientations/{referral.uid}/retirer-consentement")
    a.get(f"/orientations/{referral.uid}")
    assert reads(db) == 3  # erased: nothing left to read


def visit_everything(app, referral_partners, referral, role) -> list[str]:
    client = client_for(app, referral_partners, role)
    paths = ["/", "/orientations", "/espace-partenaire", f"/orientations/{referral.uid}",
             f"/orientations/{referral.uid}/retirer-consentement", f"/lieux/{referral_partners.place_b.public_id}",
             f"/lieux/{referral_partners.place_b.public_id}/fiche", f"/lieux/{referral_partners.place_b.public_id}/orienter",
             "/recherche?q=d%C3%A9marches", "/coordination", "/coordination/organisations",
             "/api/v1/lieux", f"/api/v1/lieux/{referral_partners.place_b.public_id}"]
    pages = [body(client.get(path)) for path in paths]
    pages += [body(client.post(f"/orientations/{referral.uid}/{action}", data=data))
              for action, (_, data, _, _) in ACTIONS.items()]
    return pages


def test_nobody_outside_a_and_b_sees_the_person(app, db, referral_partners, send, caplog):
    caplog.set_level(logging.DEBUG)
    referral = send()
    a, b = client_for(app, referral_partners, "member_a"), client_for(app, referral_partners, "member_b")
    b.post(f"/orientations/{referral.uid}/accepter", data={"comment": SECRETS[-1]})
    a.post(f"/orientations/{referral.uid}/commentaire", data={"comment": SECRETS[-1]})
    assert FIRST_NAME in body(a.get(f"/orientations/{referral.uid}"))  # the two organisations do see it
    assert SECRETS[-1] in body(b.get(f"/orientations/{referral.uid}"))
    b.post(f"/orientations/{referral.uid}/issue", data={"outcome": "completed", "comment": SECRETS[-1]})
    other = send()
    b.post(f"/orientations/{other.uid}/refuser", data={"reason": "other", "comment": SECRETS[-1]})
    third = send()
    a.post(f"/orientations/{third.uid}/annuler", data={"comment": SECRETS[-1]})
    fourth = send()
    b.post(f"/orientations/{fourth.uid}/retirer-consentement")

    for role in OUTSIDERS:
        for item in (referral, other, fourth):
            for page in visit_everything(app, referral_partners, item, role):
                for secret in SECRETS:
                    assert secret not in page, (role, secret)

    messages = db.session.scalars(select(Message)).all()
    templates_seen = {m.subject for m in messages}
    assert len(templates_seen) >= 6  # received, accepted, comment, closed, declined, cancelled, withdrawn
    for message in messages:
        for text in (message.subject, message.body_text, message.body_html or ""):
            for secret in SECRETS:
                assert secret not in text, (message.subject, secret)
        assert "/orientations/" in message.body_text and "Aide aux démarches administratives" in message.body_text
    for record in db.session.scalars(select(AuditRecord)).all():
        for secret in SECRETS:
            assert secret not in repr(record.details) and secret not in record.action
    for secret in SECRETS:
        assert secret not in caplog.text
    raw = db.session.scalar(select(Referral.personal_data).where(Referral.id == referral.id))
    assert FIRST_NAME not in raw


def test_a_member_of_both_organisations_may_do_both_sides(app, db, referral_partners, send):
    from coordination.auth.models import Membership
    db.session.add(Membership(user=referral_partners.member_a, organisation=referral_partners.org_b, role="member"))
    db.session.commit()
    referral = services.create_referral(referral_partners.place_b.public_id, referral_data(referral_partners.org_a),
                                        actor=referral_partners.member_a)
    a = client_for(app, referral_partners, "member_a")
    page = body(a.get(f"/orientations/{referral.uid}"))
    assert "Accepter l’orientation" in page and "Annuler l’orientation" in page
    assert a.post(f"/orientations/{referral.uid}/accepter").status_code == 302
