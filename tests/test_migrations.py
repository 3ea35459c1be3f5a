"""The migrations, run on an empty database, produce exactly the schema the models declare."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from coordination import create_app
from coordination.config import TestConfig
from coordination.extensions import db


def _migrated_differences(database_url: str) -> list:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    return differences


def test_migrations_match_models_on_sqlite(tmp_path):
    assert _migrated_differences(f"sqlite:///{tmp_path / 'empty.db'}") == []


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="TEST_DATABASE_URL does not point at PostgreSQL")
def test_migrations_match_models_on_postgresql():
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"maillage_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        assert _migrated_differences(server.set(database=name).render_as_string(hide_password=False)) == []
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrading_a_database_that_holds_places(tmp_path):
    """Later revisions must apply to a database in use (new NOT NULL columns need defaults)."""
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'used.db'}"

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0001_initial")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO organisations (id, name, kind, pivot, contact_email, status, created_at) "
                "VALUES (1, 'Asso', 'association', 'W123456789', 'a@exemple.fr', 'active', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO places (id, public_id, organisation_id, name, address, postcode, commune, emails, "
                "other_labels, services, publics, specific_support, fees, programmes, labels, access_modes, "
                "support_modes, itinerance, typology, published, created_at, updated_at, verified_at, version) "
                "VALUES (1, 'a0a0a0a0-0000-4000-8000-000000000001', 1, 'Lieu', '1 rue', '44000', 'Nantes', '[]', "
                "'[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', '[]', 1, '2026-01-01', '2026-01-01', "
                "'2026-01-01', 1)"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT geocode_attempts FROM places")).scalar() == 0
            assert connection.execute(text("SELECT network_labels FROM places")).scalar() == "[]"  # 0015
        db.engine.dispose()


def test_the_network_labels_revision_goes_down_and_up_again(tmp_path):
    """0015 (the network's labels) undone leaves places as the revision before had them; redone, labels start empty."""
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'labels.db'}"

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0015_network_labels")
        downgrade(revision="-1")
        tables = set(inspect(db.engine).get_table_names())
        columns = {column["name"] for column in inspect(db.engine).get_columns("places")}
        assert "network_labels" not in tables and "network_labels" not in columns and "other_labels" in columns
        upgrade(revision="0015_network_labels")
        assert {"id", "code", "name", "description", "active"} <= {
            column["name"] for column in inspect(db.engine).get_columns("network_labels")}
        db.engine.dispose()
