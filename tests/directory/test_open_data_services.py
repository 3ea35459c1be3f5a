"""What the open-data files, the API and the change feed read from the directory."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from coordination.auth import services as auth_services
from coordination.core.clock import utcnow
from coordination.directory import search, services
from coordination.directory.models import Place
from coordination.errors import NotFound
from coordination.extensions import db
from coordination.testing.factories import make_organisation, make_place
from tests.directory.test_search import recorded_statements

DEMARCHES = "Aide aux démarches administratives"
MATERIEL = "Accès internet et matériel informatique"


def changed_at(place) -> datetime:
    return db.session.get(Place, place.id).changed_at


def age(place, days=3):
    """Moves a place's change time back, as if it had last changed some days ago."""
    db.session.execute(update(Place.__table__).where(Place.__table__.c.id == place.id)
                                .values(changed_at=utcnow() - timedelta(days=days)))
    db.session.commit()
    db.session.expire_all()
    return changed_at(place)


# --- the public set ------------------------------------------------------------------------------

def test_only_public_places_are_exported(organisation):
    public = make_place(organisation)
    make_place(organisation, published=False)
    make_place(organisation, deleted_at=utcnow(), published=False)
    make_place(make_organisation(status="suspended"))
    make_place(make_organisation(status="pending"))
    assert [p.id for p in services.iter_public_places(batch_size=2)] == [public.id]
    assert services.count_public_places() == 1
    assert services.get_published_place(public.public_id).id == public.id


def test_streams_every_place_across_batches(organisation):
    places = [make_place(organisation) for _ in range(7)]
    assert [p.id for p in services.iter_public_places(batch_size=3)] == [p.id for p in places]


def test_unpublished_place_is_not_found_by_public_id(organisation):
    hidden = make_place(organisation, published=False)
    with pytest.raises(NotFound):
        services.get_published_place(hidden.public_id)


# --- filters -------------------------------------------------------------------------------------

def find(**filters):
    page = services.find_public_places(services.PlaceFilter(**filters), page=1, per_page=50)
    return {p.name for p in page.places}, page


def test_structured_filters(organisation):
    make_place(organisation, name="Nantes démarches", services=[DEMARCHES], postcode="44000", insee_code="44109")
    make_place(organisation, name="Rezé matériel", services=[MATERIEL], postcode="44400", commune="Rezé",
               insee_code="44143", latitude=47.18, longitude=-1.55)
    make_place(organisation, name="Ajaccio", services=[DEMARCHES, MATERIEL], postcode="20000", commune="Ajaccio",
               insee_code="2A004", latitude=41.92, longitude=8.74)
    assert find(services=[DEMARCHES])[0] == {"Nantes démarches", "Ajaccio"}
    assert find(services=[MATERIEL, DEMARCHES])[1].total == 3
    assert find(postcode="44400")[0] == {"Rezé matériel"}
    assert find(insee_code="2a004")[0] == {"Ajaccio"}
    assert find(commune="rezé")[0] == {"Rezé matériel"}
    assert find(commune=" REZE ")[0] == {"Rezé matériel"}  # case and accents do not matter
    assert find(bbox=(8.0, 41.0, 9.6, 43.1))[0] == {"Ajaccio"}
    assert find(services=["Aide aux démarches"])[0] == set()  # a value, not a prefix


def test_near_filter_sorts_by_distance_and_drops_the_far(organisation):
    make_place(organisation, name="Centre", latitude=47.2173, longitude=-1.5534)
    make_place(organisation, name="Rezé", latitude=47.1833, longitude=-1.55)
    make_place(organisation, name="Angers", latitude=47.4784, longitude=-0.5632)
    make_place(organisation, name="Sans coordonnées", latitude=None, longitude=None)
    _, page = find(near=(47.18, -1.55, 10))
    assert [p.name for p in page.places] == ["Rezé", "Centre"]
    assert page.distances_km[page.places[0].id] < 1


def test_updated_since_counts_a_confirmation(organisation):
    make_place(organisation, name="Ancien", updated_at=datetime(2025, 1, 1), verified_at=datetime(2025, 1, 1))
    make_place(organisation, name="Confirmé", updated_at=datetime(2025, 1, 1), verified_at=datetime(2026, 5, 2))
    make_place(organisation, name="Modifié", updated_at=datetime(2026, 5, 1, 23), verified_at=datetime(2025, 1, 1))
    # 23:00 UTC on 1 May is 2 May in Paris.
    assert find(updated_since=date(2026, 5, 2))[0] == {"Confirmé", "Modifié"}


def test_text_filter_uses_the_index(organisation):
    make_place(organisation, name="Médiathèque Jacques Demy")
    make_place(organisation, name="Espace jeunes")
    search.reindex()
    try:
        assert find(text="mediatheque")[0] == {"Médiathèque Jacques Demy"}
    finally:
        search.close_searchers()


def test_pagination_is_stable_by_id(organisation):
    places = [make_place(organisation) for _ in range(5)]
    pages = [services.find_public_places(services.PlaceFilter(), page=n, per_page=2) for n in (1, 2, 3)]
    assert [p.id for page in pages for p in page.places] == [p.id for p in places]
    assert pages[0].total == 5


# --- the change feed -------------------------------------------------------------------------------

def test_any_write_moves_the_change_time(organisation, coordinator):
    place = make_place(organisation)
    before = age(place)
    services.set_published(place.id, False, actor=coordinator)
    assert changed_at(place) > before
    before = age(place)
    services.delete_place(place.id, actor=coordinator)
    assert changed_at(place) > before


def test_a_suspended_organisation_moves_its_places(organisation, coordinator):
    place = make_place(organisation)
    before = age(place)
    auth_services.suspend_organisation(organisation.id, reason="Plus d'activité", actor=coordinator)
    assert changed_at(place) > before


def test_changes_with_tombstones_in_order(organisation, coordinator):
    kept, unpublished, deleted, old = (make_place(organisation) for _ in range(4))
    for place in (kept, unpublished, deleted, old):
        age(place, days=10)
    since = utcnow() - timedelta(days=1)
    services.set_published(unpublished.id, False, actor=coordinator)
    services.delete_place(deleted.id, actor=coordinator)
    services.set_published(kept.id, False, actor=coordinator)
    services.set_published(kept.id, True, actor=coordinator)
    changes = services.place_changes(since)
    assert [(c.place.id, c.status) for c in changes] == [
        (unpublished.id, "depublie"), (deleted.id, "supprime"), (kept.id, "publie")]
    assert all(c.changed_at > since for c in changes)


def test_cursor_continues_after_ties(organisation):
    places = [make_place(organisation) for _ in range(5)]
    moment = datetime(2026, 6, 1, 12)
    db.session.execute(update(Place.__table__).values(changed_at=moment))
    db.session.commit()
    first = services.place_changes(moment - timedelta(seconds=1), limit=2)
    last = first[-1]
    rest = services.place_changes(last.changed_at, after_id=last.place.id, limit=10)
    assert [c.place.id for c in first + rest] == [p.id for p in places]


def test_recent_changes_are_held_back_until_they_settle(organisation, app, monkeypatch):
    # A change stamped now may belong to a transaction not committed yet (a long import).
    monkeypatch.setitem(app.config, "OPEN_DATA_FEED_DELAY_SECONDS", 300)
    settled, recent = make_place(organisation), make_place(organisation)
    age(settled, days=1)
    changes = services.place_changes(utcnow() - timedelta(days=2))
    assert [c.place.id for c in changes] == [settled.id]
    assert recent.id not in [c.place.id for c in changes]


def test_sql_only_filters_are_paged_by_the_database(organisation):
    places = [make_place(organisation, postcode="44000") for _ in range(5)]
    make_place(organisation, postcode="44400")
    with_postcode = services.PlaceFilter(postcode="44000")
    pages = [services.find_public_places(with_postcode, page=n, per_page=2) for n in (1, 2, 3, 4)]
    assert [p.id for page in pages for p in page.places] == [p.id for p in places]
    assert {page.total for page in pages} == {5}
    with recorded_statements() as statements:
        services.find_public_places(services.PlaceFilter(), page=2, per_page=2)
    assert any("LIMIT" in s.upper() for s in statements)
