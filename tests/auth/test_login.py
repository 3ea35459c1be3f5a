"""Login and logout."""
from flask_login import current_user

from coordination.testing.factories import PASSWORD, make_user
from tests.auth.helpers import text


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


def test_too_many_attempts_from_one_address_get_a_french_429(app, client):
    """The per-address limit, whatever accounts the attempts aim at (tests/security for per account)."""
    per_minute = int(app.config["RATELIMIT_LOGIN"].split()[0])
    for index in range(per_minute):
        response = client.post("/connexion", data={"email": f"compte{index}@exemple.fr", "password": "mauvais"})
        assert response.status_code == 200
    make_user("camille@exemple.fr")
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


# --- timing: the same work whether or not the account exists -------------------------------

def _count_hash_checks(monkeypatch):
    from werkzeug.security import check_password_hash

    from coordination.auth import services
    checked = []

    def spy(password_hash, password):
        checked.append(password_hash)
        return check_password_hash(password_hash, password)
    monkeypatch.setattr(services, "check_password_hash", spy, raising=False)
    return checked


def test_unknown_email_still_verifies_a_password_against_a_dummy_hash(app, monkeypatch):
    from coordination.auth import services
    checked = _count_hash_checks(monkeypatch)
    assert services.authenticate("personne@exemple.fr", PASSWORD) is None
    assert services.authenticate("quelquun@exemple.fr", PASSWORD) is None
    assert len(checked) == 2 and checked[0] == checked[1]  # one dummy hash, computed once


def test_dummy_hash_uses_the_method_of_real_hashes(app):
    from werkzeug.security import generate_password_hash

    from coordination.auth import services
    assert services._dummy_hash().split("$")[0] == generate_password_hash("x").split("$")[0]


def test_inactive_user_has_the_password_checked_first(app, monkeypatch):
    from coordination.auth import services
    user = make_user("parti@exemple.fr", active=False)
    checked = _count_hash_checks(monkeypatch)
    assert services.authenticate("parti@exemple.fr", PASSWORD) is None
    assert checked == [user.password_hash]


def test_account_without_password_is_checked_against_the_dummy_hash(app, db, monkeypatch):
    from coordination.auth import services
    user = make_user("sans-mot@exemple.fr")
    user.password_hash = None
    db.session.commit()
    checked = _count_hash_checks(monkeypatch)
    assert services.authenticate("sans-mot@exemple.fr", "") is None
    assert checked == [services._dummy_hash()]


def test_email_lookup_compares_the_stored_lower_case_column(app, db):
    """No lower() on the column: PostgreSQL can use the unique index on users.email."""
    from sqlalchemy import event

    from coordination.auth import services
    make_user("camille@exemple.fr")
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.lower())
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert services.find_user_by_email(" Camille@Exemple.FR ").email == "camille@exemple.fr"
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements and not any("lower(" in s for s in statements)


def test_the_session_id_is_the_account_and_its_server_side_token(app, client):
    from coordination.auth import services
    user = make_user()
    assert client.post("/connexion", data={"email": user.email, "password": PASSWORD}).status_code == 302
    with client.session_transaction() as session:
        user_id, _, token = session["_user_id"].partition(":")
    assert user_id == str(user.id) and len(token) >= 40
    assert services.load_user(f"{user.id}:{token}").id == user.id
    assert services.load_user(f"{user.id + 1}:{token}") is None  # the token belongs to one account
