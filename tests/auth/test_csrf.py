"""With CSRF protection on (as in production), forms without their token are refused in French."""
import pytest

from coordination import create_app
from coordination.config import TestConfig
from coordination.extensions import db
from coordination.testing.factories import PASSWORD, make_user
from tests.auth.helpers import text

CSRF_MESSAGE = "Le formulaire a expiré ou n'est pas valide. Rechargez la page et réessayez."  # read through text()


@pytest.fixture
def csrf_app(app):
    class Config(TestConfig):
        WTF_CSRF_ENABLED = True
        SEARCH_INDEX_DIR = app.config["SEARCH_INDEX_DIR"]

    csrf_app = create_app(Config)
    with csrf_app.app_context():  # its own in-memory SQLite, or the same PostgreSQL test database
        db.create_all()
        yield csrf_app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()


@pytest.mark.parametrize("url", ["/connexion", "/rejoindre", "/mot-de-passe-oublie"])
def test_post_without_token_is_refused(csrf_client, url):
    response = csrf_client.post(url, data={"email": "camille@exemple.fr", "password": PASSWORD})
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)


def test_logout_without_token_is_refused(csrf_client):
    make_user("camille@exemple.fr")
    page = text(csrf_client.get("/connexion"))
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = csrf_client.post("/connexion", data={"email": "camille@exemple.fr", "password": PASSWORD,
                                                    "csrf_token": token})
    assert response.status_code == 302
    response = csrf_client.post("/deconnexion")
    assert response.status_code == 400 and CSRF_MESSAGE in text(response)
    assert csrf_client.get("/espace-partenaire").status_code == 200  # still logged in
