"""Login and logout."""
from flask_login import current_user

from tests.auth.helpers import text
from tests.conftest import PASSWORD, make_user


def test_good_login_redirects_to_partner_space(client):
    user = make_user("camille@exemple.fr")
    response = client.post("/connexion", data={"email": "Camille@Exemple.fr ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/espace-partenaire"
    with client:
        client.get("/espace-partenaire")
        assert current_user.is_authenticated and current_user.id == user.id


def test_wrong_password_is_refused_in_french(client):
    make_user("camille@exemple.fr")
    response = client.post("/connexion", data={"email": "camille@exemple.fr", "password": "pas-le-bon-mot"})
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in text(response)
    assert 'value="camille@exemple.fr"' in text(response)  # what the person typed is kept
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/espace-partenaire").status_code == 302


def test_unknown_email_gets_the_same_answer(client):
    response = client.post("/connexion", data={"email": "personne@exemple.fr", "password": PASSWORD})
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in text(response)


def test_inactive_user_is_refused(client):
    make_user("parti@exemple.fr", active=False)
    response = client.post("/connexion", data={"email": "parti@exemple.fr", "password": PASSWORD})
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in text(response)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_empty_form_shows_french_errors_next_to_fields(client):
    response = client.post("/connexion", data={"email": "pas-une-adresse", "password": ""})
    page = text(response)
    assert 'id="email-error"' in page and "Adresse électronique invalide." in page
    assert 'id="password-error"' in page and "Ce champ est obligatoire." in page
    assert 'aria-describedby="email-error"' in page


def test_too_many_attempts_get_a_french_429(app, client):
    make_user("camille@exemple.fr")
    per_minute = int(app.config["RATELIMIT_LOGIN"].split()[0])
    for _ in range(per_minute):
        assert client.post("/connexion", data={"email": "camille@exemple.fr", "password": "mauvais"}).status_code == 200
    response = client.post("/connexion", data={"email": "camille@exemple.fr", "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)
    assert client.get("/connexion").status_code == 200  # only POSTs are limited


def test_next_parameter_stays_on_site(client):
    make_user("camille@exemple.fr")
    data = {"email": "camille@exemple.fr", "password": PASSWORD}
    for target in ("https://evil.example/", "//evil.example/", "http:/evil.example", "javascript:alert(1)"):
        response = client.post(f"/connexion?next={target}", data=data)
        assert response.headers["Location"] == "/espace-partenaire", target
    response = client.post("/connexion?next=/coordination", data=data)
    assert response.headers["Location"] == "/coordination"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/espace-partenaire")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


def test_logout_is_post_only(client, login):
    user = make_user()
    login(user)
    assert client.get("/deconnexion").status_code == 405
    assert client.get("/espace-partenaire").status_code == 200
    response = client.post("/deconnexion")
    assert response.status_code == 302
    assert client.get("/espace-partenaire").status_code == 302


def test_login_page_links_to_password_reset_and_join(client):
    page = text(client.get("/connexion"))
    assert 'href="/mot-de-passe-oublie"' in page and 'href="/rejoindre"' in page
