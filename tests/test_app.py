"""The application as a whole: factory, health check, error pages, headers, import rules."""
from sqlalchemy.exc import OperationalError


def test_home_page_is_french_and_served(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in response.get_data(as_text=True)


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_when_database_down(client, monkeypatch, db):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))
    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_import_contracts_hold():
    # In a subprocess: import-linter reconfigures logging for the whole process.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--config", "setup.cfg",
                             "--no-cache"], cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_the_development_secret_key():
    import pytest

    from coordination import create_app
    from coordination.config import Config

    class Production(Config):
        SECRET_KEY = "dev-only-change-me"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)


def test_unexpected_error_is_a_french_500_page_and_is_logged(caplog):
    from coordination import create_app
    from coordination.config import TestConfig

    app = create_app(TestConfig)

    @app.get("/boom")
    def boom():
        raise ValueError("panne")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Une erreur imprévue" in response.get_data(as_text=True)
    assert any("unexpected error" in record.getMessage() for record in caplog.records)


def test_error_pages_keep_the_headers_clients_need(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Cette action n" in response.get_data(as_text=True)


def test_database_down_while_loading_the_user_still_gives_the_french_503(client, db, login, monkeypatch):
    from coordination.testing.factories import make_user
    login(make_user())
    from coordination.auth import services

    def broken(session_id):
        raise OperationalError("SELECT users", {}, Exception("connection refused"))
    monkeypatch.setattr(services, "load_user", broken)
    from coordination.extensions import login_manager
    monkeypatch.setattr(login_manager, "_user_callback", broken)
    response = client.get("/espace-partenaire")
    assert response.status_code == 503
    assert "momentanément indisponible" in response.get_data(as_text=True)


def test_pages_of_logged_in_partners_are_not_cached(client, login):
    from coordination.testing.factories import make_user
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login(make_user())
    assert client.get("/espace-partenaire").headers["Cache-Control"] == "no-store"



def test_links_in_mail_follow_base_url_even_under_a_sub_path(app):
    from coordination.utils import external_url, safe_next_url
    app.config["BASE_URL"] = "https://exemple.fr/maillage"
    try:
        assert external_url("auth.login") == "https://exemple.fr/maillage/connexion"
    finally:
        app.config["BASE_URL"] = "http://localhost"
    assert safe_next_url("/\\evil.example") is None
    assert safe_next_url("//evil.example") is None
    assert safe_next_url("/espace-partenaire") == "/espace-partenaire"


def test_production_refuses_console_mail_and_short_keys():
    import pytest

    from coordination import create_app
    from coordination.config import Config

    class ShortKey(Config):
        SECRET_KEY = "court"
        MAIL_BACKEND = "smtp"

    from cryptography.fernet import Fernet

    class ConsoleMail(Config):
        SECRET_KEY = "q7R-vT2x_Lm9Zp4Kc8Wn3Yb6Hd1Fs5Gj0Ae"
        PERSONAL_DATA_KEYS = Fernet.generate_key().decode()
        MAIL_BACKEND = "console"

    class NoPersonalDataKey(Config):
        SECRET_KEY = "q7R-vT2x_Lm9Zp4Kc8Wn3Yb6Hd1Fs5Gj0Ae"
        MAIL_BACKEND = "smtp"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ShortKey)
    with pytest.raises(RuntimeError, match="MAIL_BACKEND"):
        create_app(ConsoleMail)
    with pytest.raises(RuntimeError, match="PERSONAL_DATA_KEYS"):
        create_app(NoPersonalDataKey)


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for():
    from flask import request

    from coordination import create_app
    from coordination.config import TestConfig

    class Proxied(TestConfig):
        PROXY_COUNT = 1

    app = create_app(Proxied)

    @app.get("/adresse")
    def address():
        return request.remote_addr

    response = app.test_client().get("/adresse", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.get_data(as_text=True) == "203.0.113.7"


def test_a_request_body_over_the_limit_is_refused_in_french(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post("/connexion", data={"email": "a@exemple.fr", "password": "x" * 5000})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_the_default_limit_leaves_room_for_the_largest_import(app):
    assert app.config["MAX_CONTENT_LENGTH"] > app.config["IMPORT_MAX_BYTES"]
