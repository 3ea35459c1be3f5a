"""The referral pages through the web: send, answer, follow to the outcome, comment, withdraw;
double submission; places and organisations that cannot receive; errors in French next to fields."""
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from coordination.audit import AuditRecord
from coordination.referrals.models import Referral
from coordination.testing.factories import PASSWORD, make_place
from tests.french import plain
from tests.referrals.conftest import FIRST_NAME, SERVICE, referral_data

KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def login_as(app, user):
    client = app.test_client()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def form_url(place):
    return f"/lieux/{place.public_id}/orienter"


def post_form(client, referral_partners, **changes):
    """Shows the form (to get its one-time key), then posts it."""
    page = client.get(form_url(referral_partners.place_b))
    assert page.status_code == 200
    data = referral_data(referral_partners.org_a, submission_key=KEY.search(page.get_data(as_text=True)).group(1), **changes)
    data = {name: value for name, value in data.items() if value not in (False, None)}
    return client.post(form_url(referral_partners.place_b), data=data), data


def referrals(db):
    return db.session.scalars(select(Referral).order_by(Referral.id)).all()


def audit_count(db, action):
    return db.session.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == action))


# --- the place page's link ---------------------------------------------------------------------

def test_the_place_page_offers_to_refer_only_to_members_of_an_active_organisation(app, db, referral_partners):
    link = "Orienter une personne vers ce lieu"
    url = f"/lieux/{referral_partners.place_b.public_id}"
    assert link in text(login_as(app, referral_partners.member_a).get(url))
    assert link not in text(app.test_client().get(url))
    assert link not in text(login_as(app, referral_partners.coordinator).get(url))  # a coordinator without organisation
    referral_partners.org_a.status = "suspended"
    db.session.commit()
    assert link not in text(login_as(app, referral_partners.member_a).get(url))
    assert link in text(login_as(app, referral_partners.admin_c).get(url))
    referral_partners.place_b.accepts_referrals = False
    db.session.commit()
    assert link not in text(login_as(app, referral_partners.admin_c).get(url))


# --- the whole path ------------------------------------------------------------------------------

def test_send_accept_comment_and_record_the_outcome_through_the_web(app, db, referral_partners, mail_outbox):
    a = login_as(app, referral_partners.member_a)
    form = a.get(form_url(referral_partners.place_b))
    html = text(form)
    assert "version 2026-12" in html and "retirer votre accord" in html  # the consent text and its version
    assert 'name="consent"' in html and 'name="consent_method"' in html

    response, _ = post_form(a, referral_partners, urgent="y", comment=None)
    assert response.status_code == 302
    referral = referrals(db)[0]
    assert response.headers["Location"].endswith(f"/orientations/{referral.uid}")
    page = text(a.get(response.headers["Location"]))
    assert "L’orientation a été envoyée" in page and FIRST_NAME in page and "07 61 23 45 89" in page
    assert "En attente de réponse" in page and "Urgent" in page and "Orientation envoyée" in page
    assert referral.urgent and referral.consent_method == "oral" and referral.consent_text_version == "2026-12"
    assert [m.recipient for m in mail_outbox()] == [referral_partners.member_b.email]

    b = login_as(app, referral_partners.member_b)
    inbox = text(b.get("/orientations"))
    assert "1</strong> orientation reçue en attente de votre réponse" in inbox
    assert SERVICE in inbox and FIRST_NAME not in inbox  # lists show no person
    assert f"/orientations/{referral.uid}" in inbox
    detail = text(b.get(f"/orientations/{referral.uid}"))
    assert "Accepter l’orientation" in detail and "Refuser l’orientation" in detail
    assert "Annuler l’orientation" not in detail  # the sender's action

    assert b.post(f"/orientations/{referral.uid}/accepter", data={"comment": "Rendez-vous jeudi 10 h"}).status_code == 302
    assert b.post(f"/orientations/{referral.uid}/commentaire", data={"comment": "Elle a confirmé."}).status_code == 302
    detail = text(b.get(f"/orientations/{referral.uid}"))
    assert "Enregistrer l’issue" in detail and "Rendez-vous jeudi 10 h" in detail and "Elle a confirmé." in detail
    assert "Bruno Accueil" in detail and "Association Clic et Déclic" in detail  # author and organisation

    a_view = text(a.get(f"/orientations/{referral.uid}"))
    assert "Acceptée" in a_view and "Elle a confirmé." in a_view and "Enregistrer l’issue" not in a_view
    response = a.post(f"/orientations/{referral.uid}/commentaire", data={"comment": "Merci !"})
    assert response.status_code == 302

    response = b.post(f"/orientations/{referral.uid}/issue", data={"outcome": "completed", "comment": "Dossier déposé"})
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.status == "completed" and referral.outcome == "completed" and referral.closed_at
    final = text(a.get(f"/orientations/{referral.uid}"))
    assert "Aide apportée" in final and "Dossier déposé" in final
    assert "Enregistrer l’issue" not in final
    assert "retire son consentement" in final  # consent can still be withdrawn until the data is erased
    assert "Répondre" not in final
    kinds = [e.kind for e in referral.steps]
    assert kinds == ["sent", "accepted", "comment", "comment", "completed"]
    subjects = [m.subject for m in mail_outbox()]
    assert "Votre orientation a été acceptée" in subjects and "Une orientation est terminée" in subjects


def test_the_sender_cancels_before_acceptance(app, db, referral_partners, send):
    referral = send()
    a = login_as(app, referral_partners.member_a)
    assert "Annuler l’orientation" in text(a.get(f"/orientations/{referral.uid}"))
    assert a.post(f"/orientations/{referral.uid}/annuler", data={"comment": ""}).status_code == 302
    db.session.refresh(referral)
    assert referral.status == "cancelled"
    assert "Annulée par l’envoyeur" in text(login_as(app, referral_partners.member_b).get(f"/orientations/{referral.uid}"))


def test_the_receiver_declines_with_a_reason(app, db, referral_partners, send):
    referral = send()
    b = login_as(app, referral_partners.member_b)
    response = b.post(f"/orientations/{referral.uid}/refuser", data={"reason": "", "comment": ""})
    assert response.status_code == 400
    assert re.search(r'id="reason"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="reason"', text(response))
    assert "Choisissez un motif de refus." in text(response)
    response = b.post(f"/orientations/{referral.uid}/refuser", data={"reason": "other", "comment": ""})
    assert response.status_code == 400 and "Précisez le motif en commentaire." in text(response)
    db.session.refresh(referral)
    assert referral.status == "sent"
    assert b.post(f"/orientations/{referral.uid}/refuser", data={"reason": "full"}).status_code == 302
    page = text(login_as(app, referral_partners.member_a).get(f"/orientations/{referral.uid}"))
    assert "Refusée" in page and "Plus de place disponible pour le moment" in page


def test_the_outcome_redirected_takes_a_place_address(app, db, referral_partners, send):
    referral = send()
    b = login_as(app, referral_partners.member_b)
    b.post(f"/orientations/{referral.uid}/accepter", data={})
    response = b.post(f"/orientations/{referral.uid}/issue", data={"outcome": "redirected", "redirected_place_texte": ""})
    assert response.status_code == 400 and "Choisissez un lieu publié de l’annuaire." in text(response)
    response = b.post(f"/orientations/{referral.uid}/issue", data={"outcome": "redirected",
                                                                   "redirected_place_texte": "ailleurs"})
    assert response.status_code == 400
    assert "Aucun lieu publié de l'annuaire ne correspond à « ailleurs »" in plain(text(response))
    response = b.post(f"/orientations/{referral.uid}/issue", data={"outcome": ""})
    assert response.status_code == 400 and "Choisissez une issue." in text(response)
    address = f"https://maillage.exemple.fr/lieux/{referral_partners.other_place.public_id}"
    response = b.post(f"/orientations/{referral.uid}/issue", data={"outcome": "redirected", "redirected_place_texte": address})
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.status == "redirected" and referral.redirected_place_id == referral_partners.other_place.id
    assert referral_partners.other_place.name in text(b.get(f"/orientations/{referral.uid}"))


def test_the_redirected_place_is_found_by_its_name_without_javascript(app, db, referral_partners, send):
    """Without the script: the typed name is searched when the form is posted; several places are
    offered as radios, one is taken; another outcome never reads the field."""
    make_place(referral_partners.org_c, name="Médiathèque Diderot — annexe")
    referral = send()
    b = login_as(app, referral_partners.member_b)
    b.post(f"/orientations/{referral.uid}/accepter", data={})
    url = f"/orientations/{referral.uid}/issue"
    response = b.post(url, data={"outcome": "redirected", "redirected_place_texte": "mediatheque dide"})
    page = plain(text(response))
    assert response.status_code == 400 and "Plusieurs lieux correspondent à « mediatheque dide »" in page
    assert page.count('name="redirected_place_choix"') == 2
    assert 'value="mediatheque dide"' in page  # the text typed is kept
    other = referral_partners.other_place
    response = b.post(url, data={"outcome": "redirected", "redirected_place_texte": "mediatheque dide",
                                 "redirected_place_choix": other.public_id})
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.redirected_place_id == other.id


def test_the_place_chosen_in_the_list_is_kept_while_its_label_is(app, db, referral_partners, send):
    """The script fills the hidden id and writes the place's label in the text; a text changed after
    the choice is searched again instead."""
    referral = send()
    b = login_as(app, referral_partners.member_b)
    b.post(f"/orientations/{referral.uid}/accepter", data={})
    other = referral_partners.other_place
    response = b.post(f"/orientations/{referral.uid}/issue", data={
        "outcome": "redirected", "redirected_place": other.public_id,
        "redirected_place_texte": f"{other.name} — {other.commune}"})
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.redirected_place_id == other.id

    second = send()
    b.post(f"/orientations/{second.uid}/accepter", data={})
    response = b.post(f"/orientations/{second.uid}/issue", data={
        "outcome": "redirected", "redirected_place": other.public_id, "redirected_place_texte": "Espace numérique Clic"})
    assert response.status_code == 302
    db.session.refresh(second)
    assert second.redirected_place_id == referral_partners.place_b.id


def test_withdrawing_consent_asks_for_confirmation_then_erases_at_once(app, db, referral_partners, send):
    referral = send()
    b = login_as(app, referral_partners.member_b)
    b.post(f"/orientations/{referral.uid}/accepter", data={"comment": "Appel prévu"})
    a = login_as(app, referral_partners.member_a)
    detail = text(a.get(f"/orientations/{referral.uid}"))
    assert f"/orientations/{referral.uid}/retirer-consentement" in detail
    confirm = a.get(f"/orientations/{referral.uid}/retirer-consentement")
    assert confirm.status_code == 200 and "effacés immédiatement et définitivement" in text(confirm)
    db.session.refresh(referral)
    assert referral.personal_data is not None  # showing the confirmation changes nothing
    response = a.post(f"/orientations/{referral.uid}/retirer-consentement")
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.status == "withdrawn" and referral.personal_data is None and referral.consent_withdrawn_at
    assert all(step.comment is None for step in referral.steps)
    for client in (a, b):
        page = text(client.get(f"/orientations/{referral.uid}"))
        assert "Données personnelles effacées" in page and FIRST_NAME not in page and "Appel prévu" not in page
        assert "Consentement retiré" in page and "Ajouter le commentaire" not in page
    again = a.get(f"/orientations/{referral.uid}/retirer-consentement")
    assert "Confirmer" not in text(again) and "déjà effacées" in text(again)
    steps = len(referral.steps)
    assert a.post(f"/orientations/{referral.uid}/retirer-consentement").status_code == 302  # nothing left to do
    db.session.refresh(referral)
    assert len(referral.steps) == steps


# --- double submission -----------------------------------------------------------------------------

def test_posting_the_same_form_twice_creates_one_referral(app, db, referral_partners, mail_outbox):
    a = login_as(app, referral_partners.member_a)
    first, data = post_form(a, referral_partners)
    second = a.post(form_url(referral_partners.place_b), data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(referrals(db)) == 1
    assert len(mail_outbox()) == 1
    other, _ = post_form(a, referral_partners)  # a new form is a new key: a second referral
    assert other.headers["Location"] != first.headers["Location"] and len(referrals(db)) == 2


def test_each_blank_form_gets_a_new_key_and_an_invalid_post_keeps_it(app, referral_partners):
    a = login_as(app, referral_partners.member_a)
    keys = {KEY.search(a.get(form_url(referral_partners.place_b)).get_data(as_text=True)).group(1) for _ in range(2)}
    assert len(keys) == 2 and all(len(key) >= 24 for key in keys)
    key = keys.pop()
    response = a.post(form_url(referral_partners.place_b), data={"submission_key": key})
    assert response.status_code == 400 and KEY.search(response.get_data(as_text=True)).group(1) == key


# --- who cannot receive ------------------------------------------------------------------------------

def test_a_place_that_refuses_referrals_cannot_receive_one(app, db, referral_partners):
    referral_partners.place_b.accepts_referrals = False
    db.session.commit()
    a = login_as(app, referral_partners.member_a)
    response = a.get(form_url(referral_partners.place_b))
    assert response.status_code == 400 and "ne reçoit pas d’orientations" in text(response)
    response = a.post(form_url(referral_partners.place_b), data=referral_data(referral_partners.org_a))
    assert response.status_code == 400
    assert referrals(db) == []


def test_an_unpublished_place_cannot_receive(app, db, referral_partners):
    referral_partners.place_b.published = False
    db.session.commit()
    a = login_as(app, referral_partners.member_a)
    assert a.get(form_url(referral_partners.place_b)).status_code == 404
    assert a.post(form_url(referral_partners.place_b), data=referral_data(referral_partners.org_a)).status_code == 404
    # B's own member sees the unpublished place, but it still cannot receive.
    assert login_as(app, referral_partners.member_b).get(form_url(referral_partners.place_b)).status_code == 400
    assert referrals(db) == []


def test_a_suspended_receiver_organisation_cannot_receive(app, db, referral_partners):
    referral_partners.org_b.status = "suspended"
    db.session.commit()
    a = login_as(app, referral_partners.member_a)
    assert a.get(form_url(referral_partners.place_b)).status_code == 404
    assert a.post(form_url(referral_partners.place_b), data=referral_data(referral_partners.org_a)).status_code == 404
    assert referrals(db) == []


def test_a_member_of_a_suspended_organisation_cannot_send(app, db, referral_partners):
    referral_partners.org_a.status = "suspended"
    db.session.commit()
    response = login_as(app, referral_partners.member_a).get(form_url(referral_partners.place_b))
    assert response.status_code == 403 and "organisation active" in text(response)


def test_an_unknown_place_is_not_found(app, referral_partners):
    assert login_as(app, referral_partners.member_a).get("/lieux/pas-un-lieu/orienter").status_code == 404


# --- validation --------------------------------------------------------------------------------------

def field_error(html: str, name: str) -> str:
    """The error message tied to a field (aria-describedby → the message's id)."""
    match = re.search(rf'<p class="error-message" id="{name}-error">([^<]*)</p>', html)
    assert match, f"no error next to {name}"
    assert re.search(rf'id="{name}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{name}"', html) or \
        name in ("consent_method",)
    return match.group(1)


def test_errors_are_shown_in_french_next_to_their_fields(app, db, referral_partners):
    a = login_as(app, referral_partners.member_a)
    response, _ = post_form(a, referral_partners, first_name="  ", phone="", email="pas-une-adresse", consent=False,
                            consent_method="", need="x" * 1001, service="Astrologie")
    assert response.status_code == 400
    html = text(response)
    assert field_error(html, "first_name") == "Indiquez le prénom de la personne."
    assert field_error(html, "email") == "Adresse électronique invalide."
    assert field_error(html, "consent") == ("Sans le consentement de la personne, l’orientation ne peut pas "
                                            "être envoyée.")
    assert field_error(html, "consent_method") == "Indiquez comment le consentement a été recueilli."
    assert field_error(html, "need").startswith("1000 caractères au maximum")
    assert field_error(html, "service") == "Choisissez un service du vocabulaire national."
    assert "Le formulaire contient des erreurs" in html
    assert 'value="pas-une-adresse"' in html  # what was typed stays
    assert referrals(db) == []

    response, _ = post_form(a, referral_partners, phone="", contact_channel="sms")
    assert field_error(text(response), "phone").startswith("Indiquez un numéro de téléphone")
    response, _ = post_form(a, referral_partners, service="Accès internet et matériel informatique",
                            sender_organisation_id=referral_partners.org_c.id)
    assert "Choisissez l’organisation au nom de laquelle vous orientez." in text(response)
    assert referrals(db) == []


def test_the_service_select_lists_the_place_services(app, referral_partners):
    html = text(login_as(app, referral_partners.member_a).get(form_url(referral_partners.place_b)))
    options = re.findall(r'<option value="([^"]*)"', html.split('id="service"')[1].split("</select>")[0])
    assert options == ["", SERVICE, "Accès internet et matériel informatique"]


def test_an_empty_comment_is_refused_next_to_the_field(app, db, referral_partners, send):
    referral = send()
    response = login_as(app, referral_partners.member_b).post(f"/orientations/{referral.uid}/commentaire", data={"comment": " "})
    assert response.status_code == 400 and field_error(text(response), "comment") == "Écrivez un commentaire."


def test_actions_are_csrf_protected(app, db, referral_partners, send, monkeypatch):
    referral = send()
    b = login_as(app, referral_partners.member_b)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = b.post(f"/orientations/{referral.uid}/accepter", data={})
    assert response.status_code == 400 and "Le formulaire a expiré" in text(response)
    db.session.refresh(referral)
    assert referral.status == "sent"


# --- inbox and outbox --------------------------------------------------------------------------------

def test_inbox_and_outbox_with_filters_and_counts(app, db, referral_partners, send):
    first = send(service=SERVICE)
    second = send(service="Accès internet et matériel informatique", urgent=True)
    from coordination.referrals import services
    services.accept_referral(second.uid, actor=referral_partners.member_b)
    third = services.create_referral(referral_partners.other_place.public_id, referral_data(
        referral_partners.org_b, service=referral_partners.other_place.services[0]), actor=referral_partners.member_b)

    b = login_as(app, referral_partners.member_b)
    html = text(b.get("/orientations"))
    inbox, outbox = html.split('id="recues"')[1].split('id="envoyees"')
    assert "Reçues (2)" in html and "Envoyées (1)" in html
    assert first.uid in inbox and second.uid in inbox and third.uid in outbox and third.uid not in inbox
    assert "<strong>1</strong> orientation reçue en attente de votre réponse" in html
    assert "<strong>1</strong> orientation acceptée en attente de l’issue" in html
    assert "<strong>1</strong> orientation envoyée sans réponse" in html
    assert "Urgent" in inbox

    filtered = text(b.get("/orientations", query_string={"statut": "accepted"}))
    assert second.uid in filtered and first.uid not in filtered and third.uid not in filtered
    filtered = text(b.get("/orientations", query_string={"service": SERVICE}))
    assert first.uid in filtered and second.uid not in filtered
    filtered = text(b.get("/orientations", query_string={"organisation": referral_partners.org_c.id}))
    assert third.uid in filtered and first.uid not in filtered
    assert "Médiathèque Diderot" in filtered.split('id="organisation"')[1].split("</select>")[0]
    junk = b.get("/orientations", query_string={"statut": "n'importe", "organisation": "x", "service": "?"})
    assert junk.status_code == 200 and first.uid in text(junk)

    a_html = text(login_as(app, referral_partners.member_a).get("/orientations"))
    assert "Reçues (0)" in a_html and "Envoyées (2)" in a_html and third.uid not in a_html


def test_lists_read_no_personal_data(app, db, referral_partners, send):
    send()
    send()
    reads = audit_count(db, "referral.personal_data_read")
    for user in (referral_partners.member_a, referral_partners.member_b):
        html = text(login_as(app, user).get("/orientations"))
        assert FIRST_NAME not in html and "Quillebeuf" not in html and "RSA" not in html
    assert audit_count(db, "referral.personal_data_read") == reads


def test_the_navigation_shows_what_waits(app, referral_partners, send):
    assert 'href="/orientations"' in text(login_as(app, referral_partners.member_a).get("/espace-partenaire"))
    send()
    send()
    nav = text(login_as(app, referral_partners.member_b).get("/espace-partenaire")).split("</nav>")[0]
    assert re.search(r'Orientations <span class="badge[^"]*">2<span class="visually-hidden"> en attente', nav)
    assert 'href="/orientations"' not in text(app.test_client().get("/"))


@pytest.mark.parametrize("path", ["/orientations", "/lieux/x/orienter", "/orientations/x"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
