"""Fixtures: app, client, runner, db, login helper and factories.

The suite runs on SQLite in memory, or on the PostgreSQL database named by TEST_DATABASE_URL.
Tables are created once per session and emptied after each test.
"""
import functools
import itertools
import os

import pytest
from flask import g, request_started
from sqlalchemy import text

from coordination import create_app
from coordination.config import TestConfig
from coordination.extensions import db as _db
from coordination.extensions import limiter

PASSWORD = "motdepasse-solide-42"
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class Config(TestConfig):
        SEARCH_INDEX_DIR = str(tmp_path_factory.mktemp("index"))
        OPEN_DATA_DIR = str(tmp_path_factory.mktemp("open-data"))
        IMPORT_UPLOAD_DIR = str(tmp_path_factory.mktemp("imports") / "uploads")

    application = create_app(Config)
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(app):
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    yield
    _db.session.remove()
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
    ctx.pop()


def _forget_cached_user(sender, **extra):
    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def _fresh_user_per_request(app):
    """Requests reuse the test's application context (and so `g`); real requests each get their own.
    Forgetting Flask-Login's cached user at each request restores that behaviour."""
    request_started.connect(_forget_cached_user)
    yield
    request_started.disconnect(_forget_cached_user)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


# --- factories -----------------------------------------------------------------------------

@functools.lru_cache
def _cheap_hash(password: str) -> str:
    from werkzeug.security import generate_password_hash
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


def make_user(email=None, *, name="Camille Martin", coordinator=False, active=True, password=PASSWORD):
    from coordination.auth.models import User
    user = User(email=(email or f"{unique('user')}@exemple.fr").lower(), name=name,
                is_coordinator=coordinator, active=active)
    # A cheap hash keeps the suite fast; the application's own hashing is tested in tests/auth.
    user.password_hash = _cheap_hash(password)
    _db.session.add(user)
    _db.session.commit()
    return user


SIRETS = itertools.cycle([
    "73282932000074", "35600000000048", "44306184100047", "55208131766522", "40483304800022",
    "77566832000024", "50138749500013", "80295478500028", "38012986643097", "82254321300027",
])


def make_organisation(name=None, *, status="active", kind="association", pivot=None):
    from coordination.auth.models import Organisation
    organisation = Organisation(name=name or unique("Association "), kind=kind,
                                pivot=pivot or f"W{next(_counter):09d}", contact_email="contact@exemple.fr",
                                status=status)
    _db.session.add(organisation)
    _db.session.commit()
    return organisation


def make_member(organisation, *, role="member", email=None, **kwargs):
    from coordination.auth.models import Membership
    user = make_user(email, **kwargs)
    _db.session.add(Membership(user=user, organisation=organisation, role=role))
    _db.session.commit()
    return user


def make_place(organisation, **fields):
    from coordination.directory.models import Place
    values = dict(
        name=unique("Espace numérique "), address="12 rue de Strasbourg", postcode="44000", commune="Nantes",
        insee_code="44109", latitude=47.2173, longitude=-1.5534, coordinates_source="manual",
        opening_hours="Mo-Fr 09:00-12:00,14:00-17:30", phone="+33240000000", emails=["accueil@exemple.fr"],
        services=["Aide aux démarches administratives"], fees=["Gratuit"], support_modes=["Accompagnement individuel"],
        published=True,
    )
    values.update(fields)
    place = Place(organisation=organisation, **values)
    _db.session.add(place)
    _db.session.commit()
    return place


@pytest.fixture
def login(client):
    def do_login(user, password=PASSWORD):
        response = client.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return do_login


@pytest.fixture
def mail_outbox(app):
    """The messages queued in the outbox, oldest first."""
    from coordination.mail import Message

    def messages():
        return _db.session.scalars(_db.select(Message).order_by(Message.id)).all()
    return messages


def using_postgres() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
