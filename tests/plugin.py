"""The suite's fixtures, registered by tests/conftest.py (``pytest_plugins``).

The application and its database: the suite runs on SQLite in memory, or on the PostgreSQL database
named by TEST_DATABASE_URL; tables are created once per session and emptied after each test.

The people and organisations most tests need, defined once: ``coordinator``, ``organisation``,
``member``, ``place`` and ``network``. The objects are built by coordination.testing.factories, the
factories the demo seed uses too. A test that needs a different set names its own fixture after what
differs (``referral_partners``, ``indexed_places``…).
"""
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import g, request_started
from sqlalchemy import text

from coordination import create_app
from coordination.config import TestConfig
from coordination.extensions import db as _db
from coordination.extensions import limiter
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_place, make_user


def pytest_sessionstart(session):
    """The suite reads the translations as users get them: compiled (``make catalogues`` does the
    same; a run straight through pytest after editing a .po must not test the old .mo)."""
    from coordination.web.i18n import compile_catalogues
    compile_catalogues(only_outdated=True)


def using_postgres() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


# --- application and database ----------------------------------------------------------------

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


# --- people, organisations and places ------------------------------------------------------------

@pytest.fixture
def coordinator(db):
    """A coordinator of the network (coordination@exemple.fr), not signed in."""
    return make_user("coordination@exemple.fr", name="Claude Coordinatrice", coordinator=True)


@pytest.fixture
def organisation(db):
    """An active association."""
    return make_organisation()


@pytest.fixture
def member(organisation):
    """A member (not an administrator) of ``organisation``."""
    return make_member(organisation)


@pytest.fixture
def place(organisation):
    """A published place of ``organisation`` in Nantes."""
    return make_place(organisation)


@pytest.fixture
def network(db):
    """Organisations in every state with their members, someone of no organisation and a coordinator:
    ``active`` (``admin``, ``member``), ``other`` (``other_member``), ``pending`` (``pending_member``),
    ``suspended`` (``suspended_member``), ``outsider``, ``coordinator``."""
    active = make_organisation("Association Clic et Déclic")
    other = make_organisation("Médiathèque Diderot", kind="mediatheque")
    pending = make_organisation("Centre social en attente", status="pending")
    suspended = make_organisation("Association suspendue", status="suspended")
    return SimpleNamespace(
        active=active, other=other, pending=pending, suspended=suspended,
        admin=make_member(active, role="admin", name="Alice Admin"),
        member=make_member(active, name="Bruno Membre"),
        other_member=make_member(other, name="Chloé Diderot"),
        pending_member=make_member(pending, name="Denis Attente"),
        suspended_member=make_member(suspended, name="Élise Suspendue"),
        outsider=make_user(name="Fabien Dehors"),
        coordinator=make_user(coordinator=True, name="Gaëlle Coordination"),
    )


# --- files the import and the open data share ---------------------------------------------------

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


@pytest.fixture
def open_data_dir(app):
    """OPEN_DATA_DIR, emptied before and after each test (the app's directory is shared by the session)."""
    directory = Path(app.config["OPEN_DATA_DIR"])

    def empty():
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)

    empty()
    yield directory
    empty()


@pytest.fixture
def reference():
    """The shared reference folder (../shared/reference); tests that read it skip without it."""
    if not REFERENCE.is_dir():
        pytest.skip(f"the shared reference files are missing ({REFERENCE}): nothing to validate against")
    return REFERENCE


@pytest.fixture
def import_blueprint(app):
    """The import page's blueprint, registered by coordination.register_blueprints; a test application
    built before that registration gets it here."""
    from coordination.directory.imports import views as import_views
    if "opendata_import" not in app.blueprints:
        got_first_request = app._got_first_request
        app._got_first_request = False  # registering after a request is refused by Flask
        app.register_blueprint(import_views.bp)
        app._got_first_request = got_first_request
