"""What a search leaves behind: nothing that ties a resident's address to what they looked for."""
from datetime import timedelta

from coordination.core.clock import utcnow
from coordination.directory import geocoding
from coordination.directory.models import GeocodeCache, SearchLog
from coordination.testing.factories import make_organisation, make_place


def test_a_page_number_in_other_digits_is_a_normal_page(client):
    response = client.get("/recherche?q=aide&page=²")
    assert response.status_code == 200
    assert "Le numéro de page demandé n" in response.get_data(as_text=True)


def test_search_log_keeps_the_hour_only(client, db):
    from coordination.directory import search
    make_place(make_organisation(), name="Médiathèque Jacques Demy")
    search.reindex()
    try:
        client.get("/recherche?q=imprimer+un+document")
    finally:
        search.close_searchers()
    [row] = db.session.query(SearchLog).all()
    assert (row.at.minute, row.at.second, row.at.microsecond) == (0, 0, 0)
    assert row.at <= utcnow()


def test_cached_geocoder_answers_are_dated_to_the_day_and_purged_after_30_days(db):
    geocoding._store("12 rue de strasbourg nantes", None)
    [row] = db.session.query(GeocodeCache).all()
    assert (row.fetched_at.hour, row.fetched_at.minute, row.fetched_at.second) == (0, 0, 0)
    assert geocoding.purge_cache(now=utcnow() + timedelta(days=29)) == 0
    assert geocoding.purge_cache(now=utcnow() + timedelta(days=31)) == 1
    assert db.session.query(GeocodeCache).count() == 0
