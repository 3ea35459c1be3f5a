"""Password reset by a signed, expiring, single-use link."""
import pytest

from coordination.testing.factories import PASSWORD, make_user
from tests.auth.helpers import audit_actions, link_in, text

NEW_PASSWORD = "une-phrase-de-passe-neuve"
SAME_ANSWER = "Si un compte existe avec cette adresse"


def ask_reset(client, email):
    return client.post("/mot-de-passe-oublie", data={"email": email}, follow_redirects=True)


@pytest.fixture
def reset_link(client, mail_outbox):
    make_user("camille@exemple.fr")
    ask_reset(client, "camille@exemple.fr")
    (message,) = mail_outbox()
    return link_in(message)


def test_known_email_gets_a_link_by_mail(client, mail_outbox):
    make_user("camille@exemple.fr")
    response = ask_reset(client, "Camille@exemple.fr")
    assert response.status_code == 200 and SAME_ANSWER in text(response)
    (message,) = mail_outbox()
    assert message.recipient == "camille@exemple.fr"
    assert message.subject == "Réinitialiser votre mot de passe"
    assert link_in(message).startswith("/mot-de-passe/")
    assert client.get(link_in(message)).status_code == 200


def test_unknown_email_gets_the_same_answer_and_no_mail(client, mail_outbox):
    make_user("camille@exemple.fr")
    known = text(ask_reset(client, "camille@exemple.fr"))
    unknown = text(ask_reset(client, "inconnu@exemple.fr"))
    assert SAME_ANSWER in unknown
    assert known == unknown
    assert len(mail_outbox()) == 1


def test_inactive_account_gets_no_link(client, mail_outbox):
    make_user("parti@exemple.fr", active=False)
    assert SAME_ANSWER in text(ask_reset(client, "parti@exemple.fr"))
    assert mail_outbox() == []


def test_invalid_email_is_refused_in_french(client):
    response = client.post("/mot-de-passe-oublie", data={"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert "Adresse électronique invalide." in text(response)
    assert 'value="pas-une-adresse"' in text(response)


def test_new_password_works_and_old_one_not(app, client, reset_link, db):
    response = client.post(reset_link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/espace-partenaire").status_code == 200  # logged in with the new password
    client.post("/deconnexion")
    assert "incorrect" in text(client.post("/connexion", data={"email": "camille@exemple.fr", "password": PASSWORD}))
    assert client.post("/connexion", data={"email": "camille@exemple.fr", "password": NEW_PASSWORD}).status_code == 302
    assert "user.password_reset" in audit_actions(db)


def test_password_change_is_confirmed_by_mail(client, reset_link, mail_outbox):
    client.post(reset_link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert mail_outbox()[-1].subject == "Votre mot de passe a été modifié"


def test_link_is_single_use(client, reset_link):
    client.post(reset_link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    for method in (client.get, client.post):
        response = method(reset_link, data={"password": "encore-un-autre-mot", "confirm": "encore-un-autre-mot"})
        assert response.status_code == 410
        assert "Ce lien de réinitialisation a déjà servi." in text(response)
        assert 'href="/mot-de-passe-oublie"' in text(response)


def test_expired_link_is_refused(app, client, reset_link, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(reset_link)
    assert response.status_code == 410
    assert "Ce lien de réinitialisation a expiré." in text(response)
    assert "Demander un nouveau lien" in text(response)
    response = client.post(reset_link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410


def test_tampered_link_is_refused(client, reset_link):
    response = client.get(reset_link[:-3] + "abc")
    assert response.status_code == 400
    assert "Ce lien de réinitialisation n'est pas valide." in text(response)
    assert client.get("/mot-de-passe/n-importe-quoi").status_code == 400


def test_link_signed_for_another_purpose_is_refused(app, client):
    from itsdangerous import URLSafeTimedSerializer
    user = make_user()
    forged = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="invitation").dumps({"u": user.id, "p": "x"})
    assert client.get(f"/mot-de-passe/{forged}").status_code == 400


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("court", "court", "Le mot de passe doit contenir au moins 12 caractères."),
    (NEW_PASSWORD, "autre-chose-de-long", "Les deux mots de passe ne correspondent pas."),
    ("", "", "Ce champ est obligatoire."),
])
def test_bad_new_password_is_explained(client, reset_link, password, confirm, message):
    response = client.post(reset_link, data={"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert message in text(response)
    assert client.post("/connexion", data={"email": "camille@exemple.fr", "password": PASSWORD}).status_code == 302


def test_new_password_ends_other_sessions(app, client, reset_link, login):
    user_email = "camille@exemple.fr"
    other = app.test_client()
    assert other.post("/connexion", data={"email": user_email, "password": PASSWORD}).status_code == 302
    assert other.get("/espace-partenaire").status_code == 200
    client.post(reset_link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get("/espace-partenaire").status_code == 200
    assert other.get("/espace-partenaire").status_code == 302


def _rendered_templates(app):
    from flask import template_rendered
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)
    template_rendered.connect(record, app)
    return names, lambda: template_rendered.disconnect(record, app)


@pytest.mark.parametrize("email", ["inconnu@exemple.fr", "parti@exemple.fr"])
def test_unknown_or_inactive_address_costs_the_same_work(app, client, mail_outbox, email):
    """The mail is rendered whether or not a link is sent: no timing oracle on account existence."""
    make_user("parti@exemple.fr", active=False)
    names, stop = _rendered_templates(app)
    try:
        ask_reset(client, email)
    finally:
        stop()
    assert "auth/mail/password_reset.txt" in names
    assert mail_outbox() == []


def test_at_most_one_reset_mail_per_quarter_hour(client, mail_outbox, monkeypatch):
    import time
    make_user("camille@exemple.fr")
    now = 1_800_000_000.0  # a quarter-hour boundary
    monkeypatch.setattr(time, "time", lambda: now)
    for _ in range(3):
        assert SAME_ANSWER in text(ask_reset(client, "camille@exemple.fr"))
    assert len(mail_outbox()) == 1
    now += 900
    ask_reset(client, "camille@exemple.fr")
    assert len(mail_outbox()) == 2
