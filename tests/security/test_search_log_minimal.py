"""Finding 13 of the security review: the search log kept the raw search text forever (a resident
may type a phone number, an email, a benefits number). It now keeps only the search analyser's
words, without anything that looks like an email, a phone number or a number of more than five
digits, and a nightly job purges rows older than SEARCH_LOG_RETENTION_DAYS (395 by default)."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from coordination import create_app
from coordination.core.clock import utcnow
from coordination.config import TestConfig
from coordination.directory import search, services
from coordination.directory.models import SearchLog
from coordination.extensions import db as _db
from coordination.scheduler import declared_jobs
from coordination.testing.factories import make_organisation, make_place


@pytest.mark.parametrize(("typed", "kept"), [
    ("  Démarches   CAF ", "demarches caf"),
    ("aide au numérique à Nantes", "aide numerique nantes"),
    ("Rappeler au 06 12 34 56 78 pour la CAF", "rappeler caf"),
    ("+33 (0)6.12.34.56.78 imprimer", "imprimer"),
    ("0612345678", ""),
    ("appel 02-40-12-34-56", "appel"),
    ("jean.dupont@exemple.fr aide", "aide"),
    ("écrire à jean.dupont@ exemple", "ecrire exemple"),
    ("dossier 1234567 allocataire", "dossier allocataire"),
    ("numéro fiscal 1234567890123", "numero fiscal"),
    ("n°ABC1234567 permis", "permis"),
    ("44000 Nantes", "44000 nantes"),
    ("12 rue 44400 Rezé", "12 rue 44400 reze"),
    ("", ""),
])
def test_log_words_keeps_only_normalised_words_without_personal_numbers(typed, kept):
    assert search.log_words(typed) == kept


def test_log_words_stays_within_the_column():
    words = search.log_words("ordinateur " * 100)
    assert len(words) <= 200 and words.endswith("ordinateur")


SECRETS = ("06 12 34 56 78", "0612345678", "jean.dupont", "exemple.fr", "1234567", "dupont")


def test_a_search_logs_only_its_words(client, db):
    make_place(make_organisation(), name="Médiathèque Jacques Demy")
    search.reindex()
    try:
        response = client.get("/recherche", query_string={
            "q": "aide numérique jean.dupont@exemple.fr 06 12 34 56 78 dossier 1234567"})
    finally:
        search.close_searchers()
    assert response.status_code == 200
    [row] = db.session.scalars(select(SearchLog)).all()
    assert row.words == "aide numerique dossier"
    stored = " ".join(str(getattr(row, column.name)) for column in SearchLog.__table__.columns)
    for secret in SECRETS:
        assert secret not in stored
    assert "query" not in SearchLog.__table__.columns  # no column holds the raw text any more


def _log_at(at):
    _db.session.add(SearchLog(at=at, words="ordinateur", facets={}, results_count=0))
    _db.session.commit()


def test_rows_older_than_the_retention_are_purged(app, db, monkeypatch):
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    assert app.config["SEARCH_LOG_RETENTION_DAYS"] == 395
    for days in (1, 394, 396, 800):
        _log_at(now - timedelta(days=days))
    assert services.purge_search_log(now=now) == 2
    assert sorted((now - row.at).days for row in db.session.scalars(select(SearchLog))) == [1, 394]
    assert services.purge_search_log(now=now) == 0  # idempotent

    monkeypatch.setitem(app.config, "SEARCH_LOG_RETENTION_DAYS", 30)
    assert services.purge_search_log(now=now) == 1
    assert [(now - row.at).days for row in db.session.scalars(select(SearchLog))] == [1]


def test_the_purge_is_a_nightly_job(app):
    jobs = {job.id: job for job in declared_jobs(app)}
    job = jobs["search.purge_log"]
    assert job.func == "coordination.directory.services:purge_search_log"
    trigger = job.trigger(ZoneInfo("Europe/Paris"))
    assert str(trigger.timezone) == "Europe/Paris"
    assert str(trigger.fields[trigger.FIELD_NAMES.index("hour")]) == "3"
    assert str(trigger.fields[trigger.FIELD_NAMES.index("minute")]) == "25"


def test_the_migration_converts_the_rows_already_logged(tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'logged.db'}"

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0007_auth_sessions")
        with _db.engine.begin() as connection:
            for query in ("appeler 06 12 34 56 78 pour la caf", "jean.dupont@exemple.fr aide au numerique",
                          "dossier 1234567 allocataire", "ordinateur"):
                connection.execute(text("INSERT INTO search_log (at, query, facets, results_count) "
                                        "VALUES ('2026-01-01 10:00:00', :query, '{}', 0)"), {"query": query})
        upgrade(revision="0008_search_log_words")
        with _db.engine.connect() as connection:
            words = connection.execute(text("SELECT words FROM search_log ORDER BY id")).scalars().all()
            columns = [row[1] for row in connection.execute(text("PRAGMA table_info(search_log)"))]
        assert words == ["appeler caf", "aide numerique", "dossier allocataire", "ordinateur"]
        assert "query" not in columns
        downgrade(revision="0007_auth_sessions")
        with _db.engine.connect() as connection:
            assert connection.execute(text("SELECT query FROM search_log ORDER BY id")).scalars().all() == words
        _db.engine.dispose()
