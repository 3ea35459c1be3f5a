"""Finding 2 of the security review: logging out ends the session on the server.

A copy of the session or « rester connecté » cookie taken before the logout (a shared computer, a
stolen laptop) used to keep opening the partner space for 12 hours or 30 days."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination.auth import services
from coordination.auth.models import UserSession
from coordination.core.clock import utcnow
from coordination.testing.factories import PASSWORD, make_member, make_organisation
from tests.auth.helpers import text

PROTECTED = "/orientations"


@pytest.fixture
def partner(db):
    return make_member(make_organisation("Association Clic et Déclic"), role="admin", email="camille@clic.fr")


def log_in(client, user, remember=False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/connexion", data=data)
    assert response.status_code == 302
    return response


def copy_cookie(app, source, name):
    cookie = source.get_cookie(name)
    assert cookie is not None, name
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def is_logged_in(client) -> bool:
    return client.get(PROTECTED).status_code == 200


def test_the_remember_cookie_dies_at_logout(app, client, partner):
    log_in(client, partner, remember=True)
    stolen = client.get_cookie("remember_token").value
    thief = copy_cookie(app, client, "remember_token")
    assert is_logged_in(thief)  # the copy works while the session is open...
    client.post("/deconnexion")
    assert not is_logged_in(thief)  # ...and no longer once its owner has logged out,
    fresh = app.test_client()
    fresh.set_cookie("remember_token", stolen)
    assert not is_logged_in(fresh)  # not even in a new browser


def test_the_session_cookie_dies_at_logout(app, client, partner):
    log_in(client, partner)
    thief = copy_cookie(app, client, "session")
    assert is_logged_in(thief)
    client.post("/deconnexion")
    response = thief.get(PROTECTED)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_logout_here_keeps_the_other_devices_open(app, client, partner):
    phone = app.test_client()
    log_in(client, partner)
    log_in(phone, partner)
    client.post("/deconnexion")
    assert is_logged_in(phone) and not is_logged_in(client)


def test_log_out_everywhere_ends_every_session(app, client, partner, db):
    phone = app.test_client()
    log_in(phone, partner, remember=True)
    stolen = copy_cookie(app, phone, "remember_token")
    log_in(client, partner)
    page = client.get("/compte")
    assert page.status_code == 200
    assert "Se déconnecter de tous les appareils" in text(page)
    response = client.post("/compte/deconnexion-partout")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert not is_logged_in(client) and not is_logged_in(phone)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", stolen.get_cookie("remember_token").value)
    assert not is_logged_in(fresh)
    assert db.session.scalars(select(UserSession).where(UserSession.revoked_at.is_(None))).all() == []


def test_a_new_password_ends_every_other_session(app, client, partner):
    other = app.test_client()
    log_in(other, partner, remember=True)
    with app.test_request_context():
        services.create_coordinator(email=partner.email, password="un-tout-nouveau-mot-de-passe")
    assert not is_logged_in(other)


def test_a_session_past_its_lifetime_is_refused(app, client, partner, db):
    log_in(client, partner)
    row = db.session.scalar(select(UserSession))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not is_logged_in(client)


def test_a_tampered_session_id_is_refused(app, client, partner, db):
    from coordination.auth.services import load_user
    log_in(client, partner)
    assert load_user(f"{partner.id}:pas-le-bon-jeton") is None
    assert load_user(f"{partner.id}:") is None
    assert load_user("x:y") is None


def test_the_remember_cookie_is_lax_http_only_and_secure_in_production():
    from coordination.config import Config, DevelopmentConfig
    assert Config.REMEMBER_COOKIE_SAMESITE == "Lax" and Config.REMEMBER_COOKIE_HTTPONLY is True
    assert Config.REMEMBER_COOKIE_SECURE is True or Config.SESSION_COOKIE_SECURE is False
    assert DevelopmentConfig.REMEMBER_COOKIE_SAMESITE == "Lax"


def test_the_remember_cookie_is_sent_with_its_attributes(client, partner):
    response = log_in(client, partner, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_old_sessions_are_purged(app, client, partner, db):
    from coordination.auth.jobs import JOBS
    from coordination.auth.services import purge_sessions
    assert any(job.func == "coordination.auth.services:purge_sessions" for job in JOBS)
    log_in(client, partner)
    client.post("/deconnexion")
    log_in(client, partner)
    assert len(db.session.scalars(select(UserSession)).all()) == 2
    for row in db.session.scalars(select(UserSession)):
        row.revoked_at = row.revoked_at and utcnow() - timedelta(days=40)
    db.session.commit()
    assert purge_sessions() == 1
    assert is_logged_in(client)
