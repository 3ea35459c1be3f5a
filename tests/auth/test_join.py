"""Joining the network: the public form, validation of SIRET/RNA and phone, duplicates, honeypot."""
import pytest
from sqlalchemy import select

from coordination.auth.models import Membership, Organisation, User
from coordination.testing.factories import PASSWORD, make_organisation, make_user
from tests.auth.helpers import audit_actions, text
from tests.french import plain

VALID_SIRET = "732 829 320 00074"


def join_data(**overrides):
    data = {
        "name": "Les Connectés de Rezé", "kind": "association", "pivot": VALID_SIRET,
        "contact_email": "contact@connectes.fr", "contact_phone": "02 40 12 34 56", "website": "https://connectes.fr",
        "admin_name": "Sacha Leroy", "admin_email": "sacha@connectes.fr", "password": PASSWORD, "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def organisations(db):
    return db.session.scalars(select(Organisation)).all()


def test_form_is_served_in_french(client):
    page = text(client.get("/rejoindre"))
    assert "<h1>Rejoindre le réseau</h1>" in page
    assert 'for="pivot"' in page and 'for="admin_email"' in page
    assert "Centre social" in page  # kinds from the vocabulary


def test_join_creates_pending_organisation_admin_and_mails(client, db, mail_outbox):
    coordinators = [make_user("coord1@exemple.fr", coordinator=True), make_user("coord2@exemple.fr", coordinator=True)]
    make_user("retired@exemple.fr", coordinator=True, active=False)
    response = client.post("/rejoindre", data=join_data())
    assert response.status_code == 302
    (organisation,) = organisations(db)
    assert organisation.status == "pending"
    assert organisation.pivot == "73282932000074"
    assert organisation.contact_phone == "+33240123456"
    assert organisation.website == "https://connectes.fr"
    (membership,) = organisation.memberships
    assert membership.role == "admin" and membership.user.email == "sacha@connectes.fr"
    assert membership.user.check_password(PASSWORD)
    assert {"user.created", "organisation.join_requested"} <= set(audit_actions(db))
    messages = mail_outbox()
    assert [m.recipient for m in messages] == ["contact@connectes.fr"] + [c.email for c in coordinators]
    assert plain(messages[0].subject) == "Votre demande d'adhésion au réseau a bien été reçue"
    assert plain(messages[1].subject) == "Nouvelle demande d'adhésion : Les Connectés de Rezé"
    assert "http://localhost/coordination" in plain(messages[1].body_text)
    assert client.get("/espace-partenaire").status_code == 200


def test_what_the_organisation_does_reaches_the_coordinators(client, db, mail_outbox):
    coordinator = make_user("coord@exemple.fr", coordinator=True)
    said = "Ateliers numériques pour les seniors <b>à Rezé</b>,\nle mardi et le jeudi."
    assert client.post("/rejoindre", data=join_data(description=said)).status_code == 302
    (organisation,) = organisations(db)
    assert organisation.description == said
    [to_coordinator] = [m for m in mail_outbox() if m.recipient == coordinator.email]
    assert "Ce qu'elle fait : Ateliers numériques pour les seniors" in plain(to_coordinator.body_text)


def test_a_description_too_long_is_explained_next_to_the_field(client, db):
    response = client.post("/rejoindre", data=join_data(description="x" * 1001))
    assert response.status_code == 200 and organisations(db) == []  # the form again, as for the other fields
    assert 'id="description-error"' in text(response) and "x" * 1001 in text(response)


def test_rna_is_accepted(client, db):
    assert client.post("/rejoindre", data=join_data(pivot="w 441 234 567")).status_code == 302
    assert organisations(db)[0].pivot == "W441234567"


@pytest.mark.parametrize(("pivot", "message"), [
    ("73282932000075", "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle incorrecte)."),
    ("7328293200007", "Le SIRET comporte 14 chiffres."),
    ("W12345", "Le numéro RNA commence par W suivi de 9 chiffres (ex. : W441234567)."),
    ("ABCDEFGHIJKLMN", "Indiquez un SIRET (14 chiffres) ou un numéro RNA (W suivi de 9 chiffres)."),
    ("", "Ce champ est obligatoire."),
])
def test_invalid_pivot_is_explained_next_to_the_field(client, db, pivot, message):
    response = client.post("/rejoindre", data=join_data(pivot=pivot))
    page = text(response)
    assert response.status_code == 200
    assert f'<p class="error-message" id="pivot-error">{message}</p>' in page
    assert 'value="Les Connectés de Rezé"' in page  # what was typed is kept
    assert organisations(db) == []


def test_duplicate_pivot_is_refused_next_to_the_field(client, db, mail_outbox):
    make_organisation(pivot="73282932000074")
    response = client.post("/rejoindre", data=join_data())
    assert response.status_code == 200
    assert "Une organisation avec ce SIRET ou ce numéro RNA est déjà inscrite sur le réseau." in text(response)
    assert 'id="pivot-error"' in text(response)
    assert len(organisations(db)) == 1 and mail_outbox() == []
    assert db.session.scalar(select(User).where(User.email == "sacha@connectes.fr")) is None


def test_duplicate_pivot_racing_past_the_check_hits_the_unique_constraint(app, db, monkeypatch):
    from coordination.auth import services
    from coordination.errors import Invalid
    make_organisation(pivot="73282932000074")
    monkeypatch.setattr(services, "_check_pivot_free", _check_once(services._check_pivot_free))
    data = join_data()
    data.pop("confirm")
    with app.test_request_context(), pytest.raises(Invalid) as error:
        services.join_network(**data)
    assert "pivot" in error.value.errors
    assert len(organisations(db)) == 1
    assert db.session.scalar(select(User).where(User.email == "sacha@connectes.fr")) is None


def _check_once(check):
    """Lets the first check pass, as if another request inserted the same SIRET just after it."""
    calls = []

    def patched(pivot):
        calls.append(pivot)
        if len(calls) > 1:
            check(pivot)
    return patched


@pytest.mark.parametrize(("field", "value", "message"), [
    ("contact_phone", "12", "Numéro de téléphone invalide : saisissez par exemple 02 40 12 34 56"),
    ("contact_email", "pas-une-adresse", "Adresse électronique invalide."),
    ("website", "javascript://connectes.fr/%0aalert(1)", "Adresse web invalide"),
    ("kind", "", "Choisissez un type d'organisation dans la liste."),
    ("kind", "secte", "N'est pas un choix valide."),
    ("password", "court", "Le mot de passe doit contenir au moins 12 caractères."),
    ("confirm", "autre-mot-de-passe-long", "Les deux mots de passe ne correspondent pas."),
    ("name", "", "Ce champ est obligatoire."),
])
def test_bad_input_is_explained_in_french(client, db, field, value, message):
    response = client.post("/rejoindre", data=join_data(**{field: value}))
    assert response.status_code == 200
    assert message in text(response)
    assert f'id="{field}-error"' in text(response)
    assert organisations(db) == []


def test_phone_is_normalised_to_e164(client, db):
    client.post("/rejoindre", data=join_data(contact_phone="+33 6 12 34 56 78", website=""))
    organisation = organisations(db)[0]
    assert organisation.contact_phone == "+33612345678"
    assert organisation.website is None


def test_existing_account_is_not_revealed_but_mailed(client, db, mail_outbox):
    """The page answers as for a new account (no enumeration); the address owner learns by mail."""
    make_user("sacha@connectes.fr")
    response = client.post("/rejoindre", data=join_data(admin_email="Sacha@Connectes.fr"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/espace-partenaire"  # as after a normal join
    page = text(client.get(response.headers["Location"], follow_redirects=True))
    assert "Votre demande d'adhésion a bien été envoyée." in page
    assert "existe déjà" not in page
    assert organisations(db) == []
    assert db.session.scalar(select(db.func.count(User.id))) == 1
    (message,) = mail_outbox()
    assert message.recipient == "sacha@connectes.fr"
    assert "Un compte existe déjà avec cette adresse : connectez-vous puis refaites la demande" in plain(message.body_text)
    assert "http://localhost/connexion" in plain(message.body_text) and "http://localhost/rejoindre" in plain(message.body_text)
    assert "Les Connectés de Rezé" not in plain(message.subject) + plain(message.body_text)  # no text chosen by a stranger


def test_existing_account_gets_one_such_mail_a_day(client, db, mail_outbox):
    make_user("sacha@connectes.fr")
    for _ in range(3):
        assert client.post("/rejoindre", data=join_data()).status_code == 302
    assert len(mail_outbox()) == 1


def test_existing_account_appearing_during_the_join_is_not_revealed(app, db, mail_outbox, monkeypatch):
    from coordination.auth import services
    user = make_user("sacha@connectes.fr")
    lookups = []

    def late_account(email):  # the first lookup misses it, as if it was created just after
        lookups.append(email)
        return None if len(lookups) == 1 else user
    monkeypatch.setattr(services, "find_user_by_email", late_account)
    data = join_data()
    data.pop("confirm")
    with app.test_request_context():
        assert services.join_network(**data) is None
    assert organisations(db) == []
    assert [m.recipient for m in mail_outbox()] == ["sacha@connectes.fr"]


def test_logged_in_person_becomes_the_admin(client, db, login):
    user = make_user("sacha@connectes.fr")
    login(user)
    page = text(client.get("/rejoindre"))
    assert 'name="admin_email"' not in page and "sacha@connectes.fr" in page
    data = {k: v for k, v in join_data().items() if k not in ("admin_name", "admin_email", "password", "confirm")}
    assert client.post("/rejoindre", data=data).status_code == 302
    (membership,) = db.session.scalars(select(Membership)).all()
    assert membership.user_id == user.id and membership.role == "admin"
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_honeypot_pretends_success_and_creates_nothing(client, db, mail_outbox):
    response = client.post("/rejoindre", data=join_data(nickname="robot"), follow_redirects=True)
    assert "Votre demande d'adhésion a bien été envoyée." in text(response)
    assert organisations(db) == [] and mail_outbox() == []


def test_posts_are_rate_limited(app, client):
    limit = int(app.config.get("RATELIMIT_JOIN", "10 per hour").split()[0])
    for _ in range(limit):
        assert client.post("/rejoindre", data=join_data(pivot="")).status_code == 200
    response = client.post("/rejoindre", data=join_data())
    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)


def test_an_overseas_phone_and_a_website_without_https_are_accepted(client, db):
    from coordination.auth.models import Organisation
    response = client.post("/rejoindre", data=join_data(contact_phone="0590 12 34 56", website="www.connectes.fr"))
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation))
    assert (organisation.contact_phone, organisation.website) == ("+590590123456", "https://www.connectes.fr")
