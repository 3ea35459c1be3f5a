"""search_places: distance, radius, facets, open now, sort and daily tie-break, pages, search log."""
import contextlib
import math
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select, update

from coordination.core.clock import PARIS
from coordination.directory import hours, search, services
from coordination.directory.models import Place, PlaceClosure, SearchLog
from coordination.directory.services import search as search_use_case
from coordination.extensions import db as _db
from coordination.testing.factories import make_place

NANTES = (47.2184, -1.5536)
LOCATIONS = {
    "Nantes": SimpleNamespace(latitude=NANTES[0], longitude=NANTES[1], label="Nantes", commune="Nantes",
                              insee_code="44109", postcode="44000", approximate=False),
    "12 rue des Lilas Nantes": SimpleNamespace(latitude=47.2200, longitude=-1.5500, label="12 Rue des Lilas 44000 Nantes",
                                               commune="Nantes", insee_code="44109", postcode="44000",
                                               approximate=False),
}



@contextlib.contextmanager
def recorded_statements():
    """The SQL statements sent while the block runs."""
    statements = []

    def record(*args, **kwargs):
        statements.append(args[2])
    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)

def haversine(a, b):
    """Computed here, independently of the code under test."""
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def offset(km_north=0.0, km_east=0.0, origin=NANTES):
    return (origin[0] + km_north / 111.195,
            origin[1] + km_east / (111.195 * math.cos(math.radians(origin[0]))))


@pytest.fixture(autouse=True)
def index_and_geocoder(app, monkeypatch):
    monkeypatch.setattr(search_use_case, "_locate", LOCATIONS.get)
    search.reindex()
    yield
    search.close_searchers()


def run(*, log=False, now=None, **fields):
    fields.setdefault("where", "Nantes")
    return services.search_places(services.SearchRequest(**fields), now=now, log=log)


def at(organisation, name, point, **fields):
    return make_place(organisation, name=name, latitude=point[0], longitude=point[1], **fields)


# --- distance ------------------------------------------------------------------------------

def test_places_within_the_radius_sorted_by_distance(organisation):
    spots = {"A": (1, 0), "B": (0, 3), "C": (-5, -5), "D": (8, 2), "E": (0, -9.9), "F": (9, 9), "G": (0, 30)}
    for name, (north, east) in spots.items():
        at(organisation, name, offset(north, east))
    search.reindex()
    results = run(radius_km=10)
    expected = sorted((haversine(NANTES, offset(*d)), n) for n, d in spots.items()
                      if haversine(NANTES, offset(*d)) <= 10)
    assert [hit.place.name for hit in results.hits] == [name for _km, name in expected] == ["A", "B", "C", "D", "E"]
    for hit, (km, _name) in zip(results.hits, expected, strict=True):
        assert hit.distance_km == pytest.approx(km, abs=0.01)
    assert results.total == 5 and results.radius_km == 10 and results.widened_from_km is None
    assert results.location.commune == "Nantes"


def test_text_and_distance_together(organisation):
    at(organisation, "Ordi proche", offset(2, 0), description="prêt d'ordinateurs", services=[])
    at(organisation, "Tablette proche", offset(1, 0), description="tablettes", services=[])
    at(organisation, "Ordi loin", offset(40, 0), description="ordinateur", services=[])
    search.reindex()
    assert [hit.place.name for hit in run(text="ordinateur").hits] == ["Ordi proche"]


def plain(text):
    """French as typed in the code: the pages set it with non-breaking spaces and ’ (issue 17)."""
    if isinstance(text, list):
        return [plain(item) for item in text]
    return str(text).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")


def test_nothing_near_widens_the_radius_step_by_step_and_says_so(organisation):
    at(organisation, "Loin", offset(35, 0))
    search.reindex()
    results = run()
    assert [hit.place.name for hit in results.hits] == ["Loin"]
    assert results.radius_km == 50 and results.widened_from_km == 10
    assert "Aucun lieu dans un rayon de 10 km : le rayon a été élargi à 50 km." in plain(results.messages)


def test_nothing_even_at_the_widest_radius(organisation):
    at(organisation, "Très loin", offset(300, 0))
    search.reindex()
    results = run()
    assert results.hits == [] and results.total == 0 and results.widened_from_km is None
    assert "Aucun lieu ne correspond, même dans un rayon de 100 km." in plain(results.messages)


@pytest.mark.parametrize(("radius", "used", "message"), [
    (-5, 10, "Le rayon doit être positif"),
    (0, 10, "Le rayon doit être positif"),
    ("abc", 10, "n'est pas un nombre"),
    (float("nan"), 10, "Le rayon doit être positif"),
    (float("inf"), 10, "Le rayon doit être positif"),
    (5000, 200, "Le rayon est limité à 200 km."),
    ("15", 15, None),
    (None, 10, None),
])
def test_absurd_radius_is_clamped_with_a_message(organisation, radius, used, message):
    at(organisation, "Ici", offset(1, 0))
    search.reindex()
    results = run(radius_km=radius)
    assert results.radius_km == used and results.total == 1
    if message:
        assert any(message in m for m in plain(results.messages))
    else:
        assert results.messages == []


def test_an_unknown_place_searches_everywhere_with_a_message(organisation):
    at(organisation, "Ici", offset(1, 0))
    at(organisation, "Très loin", offset(300, 0))
    search.reindex()
    results = run(where="Zzyzx")
    assert "Aucune commune ne correspond à « Zzyzx » : les lieux sont cherchés partout." in plain(results.messages)
    assert results.location is None and results.radius_km is None
    assert {hit.place.name for hit in results.hits} == {"Ici", "Très loin"}
    assert {hit.distance_km for hit in results.hits} == {None}


def test_empty_query_with_a_place_lists_nearby_places(organisation):
    at(organisation, "Proche", offset(1, 0))
    at(organisation, "Autre ville", offset(60, 0))
    search.reindex()
    assert [hit.place.name for hit in run().hits] == ["Proche"]


def test_empty_query_without_a_place_lists_every_place(organisation):
    at(organisation, "Proche", offset(1, 0))
    make_place(organisation, name="Sans coordonnées", latitude=None, longitude=None)
    search.reindex()
    results = run(where="")
    assert results.total == 2 and results.messages == [] and results.location is None


# --- facets --------------------------------------------------------------------------------

@pytest.fixture
def faceted(organisation):
    at(organisation, "Gratuit 1", offset(1, 0), fees=["Gratuit"], publics=["Seniors"])
    at(organisation, "Gratuit 2", offset(2, 0), fees=["Gratuit"], publics=["Jeunes", "Seniors"])
    at(organisation, "Payant", offset(3, 0), fees=["Payant"], publics=["Jeunes"])
    at(organisation, "Sous condition loin", offset(80, 0), fees=["Gratuit sous condition"])
    search.reindex()


def counts(results, key):
    return {value: count for value, count in results.facets[key] if count}


def test_facet_counts_over_the_candidate_set(faceted):
    results = run()
    assert counts(results, "fees") == {"Gratuit": 2, "Payant": 1}  # the far place is not a candidate
    assert counts(results, "publics") == {"Seniors": 2, "Jeunes": 2}
    assert [value for value, _ in results.facets["fees"]] == ["Gratuit", "Gratuit sous condition", "Payant"]


def test_facet_filter_and_counts_of_the_other_values(faceted):
    results = run(facets={"fees": ["Gratuit"]})
    assert {hit.place.name for hit in results.hits} == {"Gratuit 1", "Gratuit 2"}
    assert counts(results, "fees") == {"Gratuit": 2, "Payant": 1}  # still offered: choosing widens
    assert counts(results, "publics") == {"Seniors": 2, "Jeunes": 1}  # narrowed by the fee chosen
    both = run(facets={"fees": ["Gratuit", "Payant"], "publics": ["Jeunes"]})
    assert {hit.place.name for hit in both.hits} == {"Gratuit 2", "Payant"}


def test_unknown_facets_are_ignored_with_a_message(faceted):
    results = run(facets={"fees": ["Gratuit", "Hors de prix"], "couleur": ["bleu"]})
    assert {hit.place.name for hit in results.hits} == {"Gratuit 1", "Gratuit 2"}
    assert "« Hors de prix » n'est pas une valeur de « Frais à charge » : ignorée." in plain(results.messages)
    assert "Le filtre « couleur » n'existe pas : il a été ignoré." in plain(results.messages)


# --- open now / Saturday -------------------------------------------------------------------

def test_open_now_and_open_saturday_filter_with_the_hours_module(organisation, monkeypatch):
    opened = at(organisation, "Ouvert", offset(1, 0))
    at(organisation, "Fermé", offset(2, 0))
    saturday = at(organisation, "Samedi", offset(3, 0))
    search.reindex()
    now = datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
    seen, days = [], []

    def is_open_at(place, when):
        seen.append(when)
        return place.id in (opened.id, saturday.id)

    def open_on_saturday(place, today=None):
        days.append(today)
        return place.id == saturday.id
    monkeypatch.setattr(hours, "is_open_at", is_open_at)
    monkeypatch.setattr(hours, "open_on_saturday", open_on_saturday)
    assert [hit.place.name for hit in run(open_now=True, now=now).hits] == ["Ouvert", "Samedi"]
    assert seen and set(seen) == {now}
    assert [hit.place.name for hit in run(open_saturday=True, now=now).hits] == ["Samedi"]
    assert days and set(days) == {now.date()}  # the request's day, not the clock's
    assert [hit.place.name for hit in run(open_now=True, open_saturday=True, now=now).hits] == ["Samedi"]


def test_open_now_with_real_hours_on_a_public_holiday(organisation):
    at(organisation, "Semaine", offset(1, 0), opening_hours="Mo-Fr 09:00-17:00; PH off")
    at(organisation, "Jours fériés aussi", offset(2, 0), opening_hours="Mo-Fr 09:00-17:00; PH 09:00-12:00")
    search.reindex()
    tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
    assert run(open_now=True, now=tuesday).total == 2
    may_first = datetime(2026, 5, 1, 10, 0, tzinfo=PARIS)  # Friday, fête du Travail
    assert [hit.place.name for hit in run(open_now=True, now=may_first).hits] == ["Jours fériés aussi"]


# --- sort, tie-break, pages ----------------------------------------------------------------

def test_relevance_puts_the_name_first(organisation):
    at(organisation, "Maison des services", offset(1, 0), description="On y parle parfois de tablette", services=[])
    at(organisation, "Tablette pour tous", offset(5, 0), services=[])
    search.reindex()
    assert [h.place.name for h in run(text="tablette", sort="relevance").hits] == ["Tablette pour tous",
                                                                                    "Maison des services"]
    assert [h.place.name for h in run(text="tablette", sort="distance").hits] == ["Maison des services",
                                                                                   "Tablette pour tous"]
    assert run(text="tablette", sort="n'importe quoi").hits[0].place.name == "Maison des services"


def test_ties_change_order_every_day_and_stay_stable_within_a_day(organisation):
    for i in range(10):
        at(organisation, f"Lieu {i}", offset(1, 0))  # same building, same distance
    search.reindex()

    def order(moment):
        return [hit.place.name for hit in run(now=moment).hits]
    morning, evening = datetime(2026, 3, 10, 8, 0, tzinfo=PARIS), datetime(2026, 3, 10, 19, 0, tzinfo=PARIS)
    tomorrow = datetime(2026, 3, 11, 8, 0, tzinfo=PARIS)
    assert order(morning) == order(evening)
    assert order(morning) != order(tomorrow)
    assert sorted(order(morning)) == sorted(order(tomorrow))
    firsts = {order(datetime(2026, 3, day, 12, 0, tzinfo=PARIS))[0] for day in range(1, 29)}
    assert len(firsts) > 3  # nobody is always first


def test_pages_and_a_page_out_of_range(app, organisation):
    per_page = app.config["SEARCH_PER_PAGE"]
    for i in range(per_page + 5):
        at(organisation, f"Lieu {i:02d}", offset(i / 10, 0))
    search.reindex()
    first, second = run(page=1), run(page=2)
    assert first.pages == second.pages == 2 and first.total == per_page + 5
    assert len(first.hits) == per_page and len(second.hits) == 5
    assert not {h.place.id for h in first.hits} & {h.place.id for h in second.hits}
    beyond = run(page=99)
    assert beyond.page == 2 and [h.place.id for h in beyond.hits] == [h.place.id for h in second.hits]
    assert "La page 99 n'existe pas : voici la dernière page (2)." in plain(beyond.messages)
    for page in (0, -3, "abc", None):
        assert run(page=page).page == 1


def test_one_query_for_the_page_not_one_per_result(organisation):
    for i in range(12):
        at(organisation, f"Lieu {i}", offset(i / 10, 0))
    search.reindex()
    with recorded_statements() as statements:
        few = run(text="lieu quelconque")  # falls back to any word: all places, a page of 12
        small = len(statements)
        statements.clear()
        run(text="lieu", facets={"fees": ["Gratuit"]})
    assert few.total == 12
    assert small == len(statements) <= 3  # places with organisations, closures (and the log when asked)
    for hit in few.hits:
        assert hit.place.organisation.name  # already loaded: no statement after the search
    assert len(statements) == small


# --- the search log ------------------------------------------------------------------------

def test_each_search_writes_one_anonymous_log_row(faceted):
    results = run(text="  Démarches   CAF ", where="12 rue des Lilas Nantes", facets={"fees": ["Gratuit"]}, log=True)
    rows = _db.session.scalars(select(SearchLog)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.words == "demarches caf"
    assert row.facets == {"fees": ["Gratuit"]}
    assert (row.commune, row.insee_code) == ("Nantes", "44109")
    assert row.radius_km == results.radius_km and row.results_count == results.total
    values = " ".join(str(getattr(row, column.name)) for column in SearchLog.__table__.columns)
    assert "Lilas" not in values and "12 rue" not in values  # the address typed is never kept
    assert {column.name for column in SearchLog.__table__.columns} == {
        "id", "at", "words", "facets", "commune", "insee_code", "radius_km", "results_count"}
    run(text="autre chose")  # log=False
    assert len(_db.session.scalars(select(SearchLog)).all()) == 1


# --- the map: the whole result set, not only the page ------------------------------------------

def test_map_points_cover_every_match_nearest_first_with_one_more_query(organisation):
    for i in range(45):
        at(organisation, f"Lieu {i}", offset(i / 10, 0))
    at(organisation, "Sans coordonnées", (None, None))
    search.reindex()
    with recorded_statements() as statements:
        results = run(text="lieu", radius_km=50)
    assert results.total == 45 and len(results.hits) == 20
    names = [point.name for point in results.map_points]
    assert names == [f"Lieu {i}" for i in range(45)]  # nearest first, places without coordinates left out
    by_name = {place.name: place for place in _db.session.scalars(select(Place))}
    for point in results.map_points:
        place = by_name[point.name]
        assert (point.latitude, point.longitude, point.public_id) == (place.latitude, place.longitude,
                                                                      place.public_id)
        assert point.distance_km == pytest.approx(haversine(NANTES, (place.latitude, place.longitude)), abs=0.01)
    # the page (places, closures) and one query for the 25 places off the page
    map_queries = [sql for sql in statements if "public_id" in sql and "opening_hours" not in sql]
    assert len(map_queries) == 1 and len(statements) <= 3


def test_map_points_of_one_page_cost_no_query(organisation):
    for i in range(5):
        at(organisation, f"Lieu {i}", offset(i / 10, 0))
    search.reindex()
    with recorded_statements() as statements:
        results = run(text="lieu")
    assert len(results.map_points) == 5 and len(statements) <= 2  # the page's places and their closures


def test_map_points_are_capped_to_the_nearest(organisation, monkeypatch):
    monkeypatch.setattr(search_use_case, "SEARCH_MAP_LIMIT", 10)
    for i in range(30, 0, -1):  # created farthest first: the order comes from the distance
        at(organisation, f"Lieu {i}", offset(i / 10, 0))
    search.reindex()
    results = run(radius_km=50)
    assert results.total == 30
    assert [point.name for point in results.map_points] == [f"Lieu {i}" for i in range(1, 11)]


def test_map_points_without_a_place_are_the_best_scored(organisation, monkeypatch):
    monkeypatch.setattr(search_use_case, "SEARCH_MAP_LIMIT", 2)
    at(organisation, "Atelier", offset(1, 0), summary="atelier", services=[])
    at(organisation, "Smartphone", offset(2, 0), summary="smartphone", services=[])
    at(organisation, "Smartphone et tablette", offset(3, 0), summary="smartphone smartphone", services=[])
    at(organisation, "Autre smartphone", offset(4, 0), summary="ordinateurs", services=[])
    search.reindex()
    results = run(text="smartphone", where="")
    assert results.total == 3
    assert {point.name for point in results.map_points} == {hit.place.name for hit in results.hits[:2]}


def test_the_database_has_the_last_word_on_the_map(organisation):
    places = [at(organisation, f"Lieu {i}", offset(i / 10, 0)) for i in range(25)]
    search.reindex()
    hidden = places[-1]  # off the first page
    _db.session.execute(update(Place).where(Place.id == hidden.id).values(published=False))
    _db.session.commit()  # the index still has it (the queue is not applied here)
    results = run(text="lieu")
    assert results.total == 25
    assert len(results.map_points) == 24 and hidden.name not in {point.name for point in results.map_points}


def test_paging_through_a_search_logs_it_once_from_the_page(client, organisation):
    for i in range(25):
        at(organisation, f"Lieu {i}", offset(i / 10, 0))
    search.reindex()
    for page in (1, 2, 1):
        assert client.get(f"/recherche?q=lieu&ou=Nantes&page={page}").status_code == 200
    assert [row.results_count for row in _db.session.scalars(select(SearchLog))] == [25, 25]


# --- open now: facets first, each place evaluated once per request ---------------------------

def test_the_open_filter_only_sees_places_the_facets_leave(faceted):
    asked = []

    def keep(place_ids):
        asked.extend(place_ids)
        return set(place_ids)
    names = {place.id: place.name for place in _db.session.scalars(select(Place))}
    result = search.search(search.TextQuery.parse(""), point=NANTES, radius_km=10, keep=keep,
                           day=date(2026, 3, 10), facets={"fees": ["Payant"], "publics": ["Jeunes"]})
    assert [names[m.place_id] for m in result.matches] == ["Payant"]
    # "Gratuit 1" (Gratuit, Seniors) fails both vocabularies chosen: neither shown nor counted, so
    # the open filter is never asked about it
    assert sorted(names[i] for i in asked) == ["Gratuit 2", "Payant"]
    assert counts_of(result.facets, "fees") == {"Gratuit": 1, "Payant": 1}  # Gratuit 2 fails the fee only
    assert counts_of(result.facets, "publics") == {"Jeunes": 1}


def counts_of(facets, key):
    return {value: count for value, count in facets[key] if count}


def test_open_now_evaluates_each_place_once_across_widening_in_one_query_per_attempt(organisation, monkeypatch):
    near = at(organisation, "Fermé à 15 km", offset(15, 0), opening_hours="Mo-Fr 09:00-17:00")
    far = at(organisation, "Fermé à 40 km", offset(40, 0), opening_hours="Mo-Fr 09:00-17:00")
    search.reindex()
    sunday = datetime(2026, 3, 8, 10, 0, tzinfo=PARIS)
    evaluated = []
    real_is_open_at = hours.is_open_at

    def is_open_at(place, when):
        evaluated.append(place.id)
        return real_is_open_at(place, when)
    monkeypatch.setattr(hours, "is_open_at", is_open_at)
    with recorded_statements() as statements:
        results = run(open_now=True, now=sunday)  # 10 km: nobody; 20: the near one; 50: the far one; 100
    assert results.total == 0
    assert sorted(evaluated) == sorted([near.id, far.id])  # once each, although asked at 20, 50 and 100 km
    filter_reads = [sql for sql in statements if "place_closures" in sql and "places.opening_hours" in sql]
    assert len(filter_reads) == 2  # the attempts with places not seen yet, one query each
    # then nothing is open: the places of the first radius with any are offered, with their next opening
    assert [hit.place.name for hit in results.next_openings] == ["Fermé à 15 km"]


def test_open_now_reads_closures_of_the_day_with_the_places(organisation):
    closed = at(organisation, "Fermé exceptionnellement", offset(1, 0), opening_hours="Mo-Fr 09:00-17:00")
    at(organisation, "Ouvert", offset(2, 0), opening_hours="Mo-Fr 09:00-17:00")
    special = at(organisation, "Ouvert ce dimanche", offset(3, 0), opening_hours="Mo-Fr 09:00-17:00")
    _db.session.add_all([
        PlaceClosure(place_id=closed.id, starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 13)),
        PlaceClosure(place_id=special.id, starts_on=date(2026, 3, 8), ends_on=date(2026, 3, 8),
                     opening_hours="Su 09:00-12:00"),
        PlaceClosure(place_id=special.id, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 2)),  # past
    ])
    _db.session.commit()
    search.reindex()
    tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
    assert [hit.place.name for hit in run(open_now=True, now=tuesday).hits] == ["Ouvert", "Ouvert ce dimanche"]
    sunday = datetime(2026, 3, 8, 10, 0, tzinfo=PARIS)
    assert [hit.place.name for hit in run(open_now=True, now=sunday).hits] == ["Ouvert ce dimanche"]


def test_open_saturday_is_judged_from_the_requests_date(organisation):
    at(organisation, "Samedis de mars 2020", offset(1, 0), opening_hours="2020 Mar Sa 09:00-12:00")
    search.reindex()
    february_2020 = datetime(2020, 2, 20, 10, 0, tzinfo=PARIS)
    assert [hit.place.name for hit in run(open_saturday=True, now=february_2020).hits] == ["Samedis de mars 2020"]
    assert run(open_saturday=True, now=datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)).total == 0


# --- widening: every word first, at every radius -------------------------------------------

def test_all_words_are_tried_at_every_radius_before_any_word(organisation):
    at(organisation, "Aide proche", offset(2, 0), description="aide aux démarches", services=[])
    at(organisation, "Aide et CAF", offset(30, 0), description="aide pour les dossiers CAF", services=[])
    search.reindex()
    results = run(text="aide CAF")
    assert [hit.place.name for hit in results.hits] == ["Aide et CAF"]
    assert results.radius_km == 50 and results.widened_from_km == 10
    assert not any("au moins un" in message for message in results.messages)


def test_any_word_comes_last_at_the_radius_asked_first(organisation):
    at(organisation, "Aide proche", offset(2, 0), description="aide aux démarches", services=[])
    at(organisation, "Aide lointaine", offset(30, 0), description="aide aux démarches", services=[])
    search.reindex()
    results = run(text="aide CAF")
    assert [hit.place.name for hit in results.hits] == ["Aide proche"]
    assert results.radius_km == 10 and results.widened_from_km is None
    # the fallback names the word it left out (issue 14)
    assert ("Aucun lieu ne correspond à tous les mots : voici ceux qui correspondent à « aide » "
            "(« caf » a été laissé de côté).") in plain(results.messages)
    assert results.dropped_words == ["caf"]
