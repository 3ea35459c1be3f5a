"""The application as a whole: factory, health check, error pages, headers, import rules."""
from sqlalchemy.exc import OperationalError


def test_home_page_is_french_and_served(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.get_data(as_text=True)


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
