"""The search benchmark's baselines (issue 8): the same queries, on the same data, in the same run.

Three engines answer the query mix of ``run.query_mix()``, each for page 1 (nearest first around a
point, else by id for the baselines), with the total count:

- ``MaillageSearch``: the application's own index search (``search.search``), without page rendering;
- ``NaiveSearch``: SQL LIKE on name and description, then Python haversine over every row returned;
- ``PostgresSearch``: PostgreSQL full-text (``french`` configuration with ``unaccent``) and a distance
  filter, when PostgreSQL is reachable (BENCH_POSTGRES_URL, an administrator's URL).

    BENCH_WORK=/tmp/baseline-work python -m bench.baselines   # on the database bench.run built there

Environment: BENCH_REQUESTS (per kind and engine, 200), BENCH_WARMUP (20), BENCH_POSTGRES_URL.
"""
from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import request

from bench import run  # first: it sets MAILLAGE_VAR_DIR before the application's config is imported
from coordination.core.clock import to_paris
from coordination.directory import hours, search, services
from coordination.directory.services import search as search_use_case
from coordination.directory.forms import SearchForm

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DATABASE = "maillage_bench"
TARGET_P95_RATIO_TO_POSTGRES = 1.0  # DESIGN.md: the search no slower than PostgreSQL full text + distance
ENGINE_LABELS = {"maillage": "Maillage (index)", "naive": "naïf (LIKE + haversine)",
                 "postgres": "PostgreSQL (plein texte)"}


# --- the queries -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BaselineQuery:
    """One search as the application understands it, ready for any engine."""
    text: str                                   # the user's text, cleaned as the search service does
    point: tuple[float, float] | None = None    # (latitude, longitude) of « ou= », resolved by the app
    radius_km: float | None = None              # None without a point
    facets: dict[str, list[str]] = field(default_factory=dict)  # key -> accepted values, every key must match
    open_at: datetime | None = None             # aware: « ouvert maintenant » at that moment

    @property
    def words(self) -> list[str]:
        """The words the application searches for, in the user's spelling (for LIKE): a word is kept
        when the app's analyzer keeps it (stop words dropped), once per folded form, at most MAX_TERMS."""
        kept, seen = [], set()
        for raw in re.findall(search.TOKEN_PATTERN, self.text):
            folded = search.words_of(raw)
            if folded and folded[0] not in seen:
                seen.add(folded[0])
                kept.append(raw)
        return kept[:search.MAX_TERMS]


def _query_from_request(app, asked: services.SearchRequest, now: datetime) -> BaselineQuery:
    """The normalisation of ``services.search_places`` (text, radius, facets, « ou= »), nothing else."""
    if asked.open_saturday:
        raise ValueError("« ouvert le samedi » n'est pas mesuré par les références de comparaison")
    ignored: list[str] = []  # French notices for the page: not needed here
    radius = search_use_case._search_radius(asked.radius_km, float(app.config["SEARCH_DEFAULT_RADIUS_KM"]), ignored)
    where = " ".join(str(asked.where or "").split())
    location = search_use_case._resolve(where).location if where else None
    point = (location.latitude, location.longitude) if location else None
    return BaselineQuery(text=search_use_case._search_text(asked.text), point=point,
                         radius_km=radius if point else None,
                         facets=search_use_case._search_facets(asked.facets, ignored),
                         open_at=now if asked.open_now else None)


def queries_for(app, urls: list[str], now: datetime = run.PINNED_NOW) -> list[BaselineQuery]:
    """The search URLs of the query mix, read by the app's own form and located by its own code (the
    bench config has no network geocoder: communes come from the directory's places)."""
    queries = []
    for url in urls:
        with app.test_request_context(url):
            form = SearchForm(request.args, default_radius_km=app.config["SEARCH_DEFAULT_RADIUS_KM"])
            queries.append(_query_from_request(app, services.SearchRequest(**form.request_data()), now))
    return queries


def _day(q: BaselineQuery) -> date:
    return to_paris(q.open_at or run.PINNED_NOW).date()


def _first_page(rows: list[tuple[float | None, int]], per_page: int) -> list[int]:
    """(distance or None, id) rows -> the ids of page 1: nearest first, ties by id; else by id."""
    rows.sort(key=lambda row: (row[0] if row[0] is not None else 0.0, row[1]))
    return [place_id for _distance, place_id in rows[:per_page]]


# What ``hours.is_open_at`` reads of a place and of a closure: the search service's own tuples.
_Hours, _Closure = search_use_case._Hours, search_use_case._Closure


def _open_ids(hours_by_id: dict[int, str | None], closures: list[tuple], at: datetime) -> set[int]:
    """The places open at ``at`` by the app's own rules (``closures``: (place id, closure id, first day,
    last day, hours) rows covering that day)."""
    covering: dict[int, list[_Closure]] = {}
    for place_id, closure_id, starts_on, ends_on, expr in closures:
        covering.setdefault(place_id, []).append(_Closure(closure_id, _as_date(starts_on), _as_date(ends_on), expr))
    return {place_id for place_id, expr in hours_by_id.items()
            if hours.is_open_at(_Hours(place_id, expr, covering.get(place_id, [])), at)}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)  # SQLite stores ISO text


# --- Maillage --------------------------------------------------------------------------------

class MaillageSearch:
    """The app's index search as the search page calls it, at one radius (no widening: the baselines
    do not widen either), without loading the page's places nor rendering anything."""

    name = "maillage"

    def __init__(self, app):
        self.app = app

    def search(self, q: BaselineQuery, per_page: int = 20) -> tuple[int, list[int]]:
        # An app context per search, as each web request has one (the database session is per context).
        with self.app.app_context():
            keep = search_use_case._open_filter(services.SearchRequest(open_now=True), q.open_at) if q.open_at else None
            page = search.search(search.TextQuery.parse(q.text), point=q.point, radius_km=q.radius_km,
                                 facets=q.facets, keep=keep, page=1, per_page=per_page, day=_day(q), map_limit=0)
        return page.total, [match.place_id for match in page.matches]


# --- naive: LIKE and haversine ---------------------------------------------------------------

PUBLIC_PLACES = ("FROM places p JOIN organisations o ON o.id = p.organisation_id "
                 "WHERE p.published = 1 AND p.deleted_at IS NULL AND o.status = 'active'")


def _facet_columns(facets: dict[str, list[str]]) -> list[str]:
    """The facet keys are column names; only the app's vocabularies reach SQL."""
    unknown = set(facets) - set(search.FACETS)
    if unknown:
        raise ValueError(f"filtres inconnus : {sorted(unknown)}")
    return sorted(facets)


class NaiveSearch:
    """What one would write first: LIKE on name and description, every row returned measured in
    Python, facets read from the JSON lists, « ouvert maintenant » with the app's hours code. Nothing
    is indexed beyond what SQLite has for the join."""

    name = "naive"

    def __init__(self, sqlite_path: str | os.PathLike):
        # Read-only: the benchmark's database is never written by a baseline.
        self.connection = sqlite3.connect(f"file:{Path(sqlite_path)}?mode=ro", uri=True, check_same_thread=False)

    def close(self) -> None:
        self.connection.close()

    def search(self, q: BaselineQuery, per_page: int = 20) -> tuple[int, list[int]]:
        keys = _facet_columns(q.facets)
        words = q.words
        sql = f"SELECT p.id, p.latitude, p.longitude, p.opening_hours{''.join(f', p.{k}' for k in keys)} {PUBLIC_PLACES}"
        sql += "".join(" AND (p.name LIKE ? OR p.description LIKE ?)" for _ in words)
        parameters = [pattern for word in words for pattern in (f"%{word}%",) * 2]
        matched: list[tuple[float | None, int]] = []
        hours_by_id: dict[int, str | None] = {}
        for place_id, lat, lon, opening_hours, *lists in self.connection.execute(sql, parameters):
            distance = None
            if q.point is not None:
                if lat is None or lon is None:
                    continue
                distance = search.haversine_km(q.point[0], q.point[1], lat, lon)
                if distance > q.radius_km:
                    continue
            if not all(set(json.loads(raw or "[]")) & set(q.facets[key]) for key, raw in zip(keys, lists, strict=True)):
                continue
            matched.append((distance, place_id))
            hours_by_id[place_id] = opening_hours
        if q.open_at is not None and matched:
            day = _day(q).isoformat()
            closures = self.connection.execute(
                "SELECT place_id, id, starts_on, ends_on, opening_hours FROM place_closures "
                "WHERE starts_on <= ? AND ends_on >= ?", (day, day)).fetchall()
            kept = _open_ids(hours_by_id, [c for c in closures if c[0] in hours_by_id], q.open_at)
            matched = [row for row in matched if row[1] in kept]
        return len(matched), _first_page(matched, per_page)


# --- PostgreSQL: full text and distance -------------------------------------------------------

EARTH_RADIUS_KM = search.EARTH_RADIUS_KM
# Haversine in SQL, the same formula and radius as the app's.
DISTANCE_SQL = ("2 * %(earth)s * asin(least(1.0, sqrt(power(sin(radians(lat - %(lat)s) / 2), 2) "
                "+ cos(radians(%(lat)s)) * cos(radians(lat)) * power(sin(radians(lon - %(lon)s) / 2), 2))))")


def _bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """The exact latitude/longitude box of a spherical cap (the widest longitude is not at ``lat``)."""
    angle = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    ratio = math.sin(angle) / max(math.cos(math.radians(lat)), 1e-9)
    dlon = 180.0 if ratio >= 1 else math.degrees(math.asin(ratio))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


class PostgresSearch:
    """PostgreSQL with what it offers for this job: a stored ``tsvector`` (French stemming, accents
    removed) under GIN, a btree on (lat, lon) for the bounding box, GIN on the vocabulary arrays."""

    name = "postgres"
    unavailable_because: str | None = None  # why the last load gave up (for the report)

    def __init__(self, admin_url: str, connection, load_seconds: float, places: int):
        self.admin_url = admin_url
        self.connection = connection
        self.load_seconds = load_seconds
        self.places = places
        self.settings: dict[str, str] = {}

    @classmethod
    def load(cls, sqlite_path: str | os.PathLike, pg_admin_url: str | None = None) -> PostgresSearch | None:
        """A fresh database holding the public places of ``sqlite_path``, or None (with the reason
        printed) when PostgreSQL cannot be reached."""
        import psycopg
        from psycopg.conninfo import make_conninfo

        admin_url = pg_admin_url or os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL
        started = time.perf_counter()
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
            connection = psycopg.connect(make_conninfo(admin_url, dbname=POSTGRES_DATABASE), autocommit=True)
        except psycopg.Error as error:
            return cls._give_up(f"PostgreSQL non joignable : {_first_line(error)}")
        engine = cls(admin_url, connection, 0.0, 0)
        try:
            engine.places = _fill(connection, Path(sqlite_path))
        except psycopg.Error as error:  # e.g. no unaccent extension: a setup to fix, not a crash of the bench
            engine.close()
            return cls._give_up(f"PostgreSQL n'a pas pu charger les lieux : {_first_line(error)}")
        except BaseException:
            engine.close()
            raise
        engine.load_seconds = round(time.perf_counter() - started, 2)
        cls.unavailable_because = None
        # Left at the server's defaults: a count may use parallel workers (Maillage's search is one thread).
        engine.settings = {name: connection.execute(f"SHOW {name}").fetchone()[0]
                           for name in ("server_version", "max_parallel_workers_per_gather", "shared_buffers")}
        return engine

    @classmethod
    def _give_up(cls, reason: str) -> None:
        print(f"{reason} — référence PostgreSQL ignorée")
        cls.unavailable_because = reason

    def close(self) -> None:
        """Drops the benchmark's database."""
        import psycopg

        self.connection.close()
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")

    def search(self, q: BaselineQuery, per_page: int = 20) -> tuple[int, list[int]]:
        conditions, parameters = [], {"earth": EARTH_RADIUS_KM}
        if q.words:
            conditions.append("tsv @@ plainto_tsquery('french', unaccent(%(text)s))")
            parameters["text"] = " ".join(q.words)
        for key in _facet_columns(q.facets):
            conditions.append(f"{key} && %({key})s::text[]")
            parameters[key] = q.facets[key]
        distance = "NULL::float8"
        if q.point is not None:
            parameters.update(lat=q.point[0], lon=q.point[1], radius=q.radius_km)
            south, north, west, east = _bounding_box(q.point[0], q.point[1], q.radius_km)
            parameters.update(south=south, north=north, west=west, east=east)
            conditions.append("lat BETWEEN %(south)s AND %(north)s AND lon BETWEEN %(west)s AND %(east)s")
            conditions.append(f"{DISTANCE_SQL} <= %(radius)s")
            distance = DISTANCE_SQL
        where = " AND ".join(conditions) or "TRUE"
        if q.open_at is None and q.point is not None:
            # Every match is sorted by distance anyway: the total comes with the page, in one round trip.
            rows = self.connection.execute(
                f"SELECT id, count(*) OVER () FROM (SELECT id, {distance} AS distance FROM places WHERE {where}) m "
                f"ORDER BY distance, id LIMIT {int(per_page)}", parameters).fetchall()
            return (rows[0][1] if rows else 0), [row[0] for row in rows]
        if q.open_at is None:
            # Without a point, two queries: a window count would make PostgreSQL walk the primary key and
            # test every row's vector (6 times slower at 100,000 places than a count on the GIN index).
            total = self.connection.execute(f"SELECT count(*) FROM places WHERE {where}", parameters).fetchone()[0]
            page = self.connection.execute(f"SELECT id FROM places WHERE {where} ORDER BY id LIMIT {int(per_page)}",
                                           parameters).fetchall()
            return total, [row[0] for row in page]
        # « Ouvert maintenant » is not SQL: every candidate comes back and is checked in Python with the
        # app's hours code (like the naive engine), then the page is cut.
        rows = self.connection.execute(
            f"SELECT id, {distance} AS distance, opening_hours FROM places WHERE {where}", parameters).fetchall()
        if not rows:
            return 0, []
        day = _day(q)
        closures = self.connection.execute(
            "SELECT place_id, id, starts_on, ends_on, opening_hours FROM closures "
            "WHERE place_id = ANY(%s) AND starts_on <= %s AND ends_on >= %s", ([r[0] for r in rows], day, day)).fetchall()
        kept = _open_ids({place_id: expr for place_id, _d, expr in rows}, closures, q.open_at)
        matched = [(d, place_id) for place_id, d, _expr in rows if place_id in kept]
        return len(matched), _first_page(matched, per_page)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _fill(connection, sqlite_path: Path) -> int:
    """Copies the public places (and their closures) from SQLite, then computes the text vectors and
    builds the indexes. Returns the number of places."""
    arrays = [key for key in search.FACETS if key != "network_labels"]  # the national vocabularies (lists of text)
    connection.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # A staging table, then CREATE TABLE … AS SELECT computing the vectors: each row is written once
    # (an UPDATE after the COPY would write every row twice). unaccent is not IMMUTABLE: the vector is
    # stored, not an expression index.
    connection.execute("CREATE UNLOGGED TABLE staging (id integer, lat float8, lon float8, opening_hours text, "
                       "name text, summary text, description text, "
                       + ", ".join(f"{key} text[]" for key in arrays) + ")")
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        columns = ", ".join(f"p.{key}" for key in arrays)
        places = source.execute(f"SELECT p.id, p.latitude, p.longitude, p.opening_hours, p.name, p.summary, "
                                f"p.description, {columns} {PUBLIC_PLACES}")
        with connection.cursor().copy("COPY staging FROM STDIN") as copy:
            copy.set_types(["int4", "float8", "float8", "text", "text", "text", "text"] + ["text[]"] * len(arrays))
            for row in places:
                copy.write_row([*row[:7], *(json.loads(raw or "[]") for raw in row[7:])])
        closures = source.execute("SELECT place_id, id, starts_on, ends_on, opening_hours FROM place_closures").fetchall()
    finally:
        source.close()
    connection.execute(
        "CREATE TABLE places AS SELECT id, lat, lon, opening_hours, "
        + ", ".join(arrays)
        + ", to_tsvector('french', unaccent(name || ' ' || coalesce(summary, '') || ' ' || coalesce(description, '')))"
          " AS tsv FROM staging"
          # Neighbours stored together, as the app's index does (bands of 0.1° of latitude, then longitude):
          # a search around a point reads a few heap pages, not one per place.
          " ORDER BY lat IS NULL, floor(lat * 10), lon, id")
    connection.execute("DROP TABLE staging")
    connection.execute("CREATE TABLE closures (place_id integer, id integer, starts_on date, ends_on date, "
                       "opening_hours text)")
    with connection.cursor().copy("COPY closures FROM STDIN") as copy:
        for row in closures:
            copy.write_row(row)
    connection.execute("ALTER TABLE places ADD PRIMARY KEY (id)")
    connection.execute("CREATE INDEX ON places USING gin (tsv)")
    connection.execute("CREATE INDEX ON places (lat, lon)")
    for key in arrays:
        connection.execute(f"CREATE INDEX ON places USING gin ({key})")
    connection.execute("CREATE INDEX ON closures (place_id)")
    connection.execute("VACUUM ANALYZE places")
    connection.execute("ANALYZE closures")
    return connection.execute("SELECT count(*) FROM places").fetchone()[0]


# --- measuring -------------------------------------------------------------------------------

def measure(engine, queries: list[BaselineQuery], requests: int, warmup: int) -> dict:
    """Milliseconds per search, cycling through the queries like run.measure_search."""
    for index in range(warmup):
        engine.search(queries[index % len(queries)])
    samples = []
    for index in range(requests):
        query = queries[index % len(queries)]
        started = time.perf_counter()
        engine.search(query)
        samples.append((time.perf_counter() - started) * 1000)
    return run.percentiles(samples)


def _ratio(ours: float, theirs: float) -> float | None:
    return round(ours / theirs, 3) if theirs else None


def _agreement(queries: list[BaselineQuery], answers: dict[str, list[tuple[int, list[int]]]]) -> dict:
    """One round of the queries per engine: the mean total of each, and the share of queries where a
    baseline gives Maillage's total, and its first page (compared as sets: equal distances may come in
    another order; only around a point, since without one Maillage sorts by relevance, the others by id)."""
    ours = answers["maillage"]
    located = [i for i, q in enumerate(queries) if q.point is not None]
    figures: dict = {"mean_total": {name: round(statistics.fmean(t for t, _ in got), 1)
                                    for name, got in answers.items()},
                     "same_total_as_maillage": {}, "same_first_page_as_maillage": {}}
    for name, got in answers.items():
        if name == "maillage":
            continue
        figures["same_total_as_maillage"][name] = round(
            statistics.fmean(a[0] == b[0] for a, b in zip(ours, got, strict=True)), 3)
        figures["same_first_page_as_maillage"][name] = round(
            statistics.fmean(set(ours[i][1]) == set(got[i][1]) for i in located), 3) if located else None
    return figures


def compare(app, query_mix: dict[str, list[str]], sqlite_path: str | os.PathLike, requests: int, warmup: int,
            pg_admin_url: str | None = None) -> dict:
    """Each kind of the mix through each engine, and Maillage's p50 and p95 as ratios to each
    baseline (below 1: Maillage is faster). PostgreSQL's database is dropped at the end."""
    engines = {"maillage": MaillageSearch(app), "naive": NaiveSearch(sqlite_path)}
    postgres = None
    try:
        postgres = PostgresSearch.load(sqlite_path, pg_admin_url)
        if postgres is not None:
            engines["postgres"] = postgres
        kinds = {}
        for kind, urls in query_mix.items():
            queries = queries_for(app, urls)
            figures = {name: measure(engine, queries, requests, warmup) for name, engine in engines.items()}
            ratios = {name: {"p50": _ratio(figures["maillage"]["p50_ms"], figures[name]["p50_ms"]),
                             "p95": _ratio(figures["maillage"]["p95_ms"], figures[name]["p95_ms"])}
                      for name in engines if name != "maillage"}
            answers = {name: [engine.search(q) for q in queries] for name, engine in engines.items()}
            kinds[kind] = {"engines": figures, "maillage_ratio_to": ratios, "results": _agreement(queries, answers)}
            if "postgres" in ratios and ratios["postgres"]["p95"] is not None:
                kinds[kind]["meets_target"] = ratios["postgres"]["p95"] <= TARGET_P95_RATIO_TO_POSTGRES
    finally:
        engines["naive"].close()
        if postgres is not None:
            postgres.close()
    return {
        "postgres": ({"available": True, "load_seconds": postgres.load_seconds, "places": postgres.places,
                      "settings": postgres.settings}
                     if postgres is not None else {"available": False, "reason": PostgresSearch.unavailable_because}),
        "requests_per_kind": requests, "warmup_per_kind": warmup,
        "target_p95_ratio_to_postgres": TARGET_P95_RATIO_TO_POSTGRES, "kinds": kinds,
        "notes": "ratio = Maillage / baseline (below 1: Maillage faster); the search alone, without page "
                 "rendering, one radius, no widening; PostgreSQL at its server's settings. Text semantics differ: "
                 "Maillage stems and folds name, commune/address and body (summary, description, organisation, "
                 "vocabularies) with a prefix on the last word; the naive engine LIKEs name and description as "
                 "typed; PostgreSQL stems name, summary and description. Totals agree only without text.",
    }


# --- the table -------------------------------------------------------------------------------

def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_table(report: dict) -> None:
    pg = report["postgres"]
    print()
    print(f"Références de comparaison : {report['requests_per_kind']} requêtes par type et par moteur "
          f"(échauffement {report['warmup_per_kind']}), la recherche seule, sans rendu de page")
    print(f"PostgreSQL : {pg['places']} lieux chargés en {pg['load_seconds']:.1f} s" if pg["available"]
          else f"PostgreSQL : référence non mesurée ({pg['reason']})")
    print()
    print(f"{'type de requête':<28}{'moteur':<28}{'p50 ms':>9}{'p95 ms':>9}{'résultats moy.':>16}"
          f"{'même total':>12}{'même page 1':>13}")
    for kind, entry in report["kinds"].items():
        results = entry["results"]
        for index, (name, figures) in enumerate(entry["engines"].items()):
            same_total = results["same_total_as_maillage"].get(name)
            same_page = results["same_first_page_as_maillage"].get(name)
            print(f"{kind if index == 0 else '':<28}{ENGINE_LABELS[name]:<28}{figures['p50_ms']:>9.2f}"
                  f"{figures['p95_ms']:>9.2f}{results['mean_total'][name]:>16.1f}"
                  f"{'' if same_total is None else f'{same_total:.0%}':>12}"
                  f"{'' if same_page is None else f'{same_page:.0%}':>13}")
        ratios = " ; ".join(f"Maillage / {ENGINE_LABELS[name].split(' ')[0]} : p50 {_number(r['p50'])}, "
                            f"p95 {_number(r['p95'])}" for name, r in entry["maillage_ratio_to"].items())
        verdict = {True: " — cible atteinte", False: " — cible manquée"}.get(entry.get("meets_target"), "")
        print(f"{'':<28}ratios {ratios}{verdict}")
    print()
    print("Un ratio inférieur à 1 : Maillage est plus rapide. Cible (DESIGN) : p95 Maillage / PostgreSQL ≤ 1,0.")


def main() -> None:
    requests = int(os.environ.get("BENCH_REQUESTS") or 200)
    warmup = int(os.environ.get("BENCH_WARMUP") or 20)
    database = run.WORK / "maillage-bench.db"
    if not database.exists():
        raise SystemExit(f"pas de base dans {run.WORK} : lancez d'abord python -m bench.run (BENCH_WORK)")
    report = compare(run.make_app(), run.query_mix(), database, requests, warmup)
    print_table(report)


if __name__ == "__main__":
    main()
