"""The published read model: what the open-data files, the API and the change feed read.

Public places only (published, not deleted, organisation active); the files stream them as read-only
snapshots, the API pages and filters them, the change feed lists them by ``changed_at`` with
tombstones for those that left.
"""
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import JSON, String, and_, cast, func, or_, select, type_coerce
from sqlalchemy.orm import contains_eager, joinedload

from coordination.auth.models import Organisation
from coordination.core.clock import PARIS, utcnow
from coordination.directory import search
from coordination.directory.models import Place
from coordination.errors import NotFound
from coordination.extensions import db

def _public_places_query():
    return (select(Place).join(Place.organisation)
            .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active"))


def _with_postal_address(places):
    """Places whose address, postcode and commune are known: what the standard's files may carry (a
    place imported with its coordinates alone is on the map, not in the files: issue 15)."""
    return places.address.is_not(None), places.address != "", places.postcode.is_not(None)


def iter_public_places(batch_size: int = 2000, *, with_postal_address: bool = False) -> Iterator[SimpleNamespace]:
    """Every public place, by id, streamed in batches: an export of the whole country never holds
    more than one batch of rows in memory. Each place is a read-only snapshot, not an ORM object:
    the place's columns as attributes, and ``organisation`` with its organisation's columns. (The
    ORM's identity map and instrumentation were half of an export's time at 100,000 places.)"""
    places, organisations = Place.__table__.c, Organisation.__table__.c
    json_names = [column.name for column in places if isinstance(column.type, JSON)]
    # The JSON columns as their text: the twelve lists of a place are decoded in one call below.
    place_columns = [type_coerce(column, String).label(column.name) if column.name in json_names else column
                     for column in places]
    statement = (select(*place_columns, *(column.label(f"organisation__{column.name}") for column in organisations))
                 .join(Organisation.__table__, organisations.id == places.organisation_id)
                 .where(places.published.is_(True), places.deleted_at.is_(None), organisations.status == "active")
                 .order_by(places.id).execution_options(yield_per=batch_size))
    if with_postal_address:
        statement = statement.where(*_with_postal_address(places))
    place_names = [column.name for column in places]
    organisation_names = [column.name for column in organisations]
    split = len(place_names)
    # SQLite gives the JSON columns' text; psycopg decodes JSON by type whatever SQLAlchemy expects
    json_as_text = db.engine.dialect.name == "sqlite"
    result = db.session.execute(statement)
    try:
        for row in result:
            values = dict(zip(place_names, row[:split], strict=True))
            if json_as_text:
                _decode_json_columns(values, json_names)
            place = SimpleNamespace(**values)
            place.organisation = SimpleNamespace(**dict(zip(organisation_names, row[split:], strict=True)))
            yield place
    finally:  # a caller that stops early must not leave a server-side cursor open
        result.close()


def _decode_json_columns(values: dict, names: list[str]) -> None:
    """The JSON columns of one row, given as their text, decoded in place in one call (one JSON
    array) instead of one call per column."""
    texts = [values[name] for name in names]
    decoded = json.loads("[" + ",".join("null" if text is None else text for text in texts) + "]")
    values.update(zip(names, decoded, strict=True))


def count_public_places(*, with_postal_address: bool = False) -> int:
    query = _public_places_query()
    if with_postal_address:
        query = query.where(*_with_postal_address(Place.__table__.c))
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def first_public_place_id() -> str | None:
    """The public id of the oldest public place, or None: a real example for the API's documentation."""
    return db.session.scalar(_public_places_query().with_only_columns(Place.public_id).order_by(Place.id).limit(1))


def get_published_place(public_id: str) -> Place:
    """A public place by its public id (anonymous readers: the API)."""
    place = db.session.scalar(_public_places_query().where(Place.public_id == str(public_id)[:36])
                              .options(contains_eager(Place.organisation)))
    if place is None:
        raise NotFound("Ce lieu n'existe pas ou n'est plus publié.")
    return place


IndexUnavailable = search.IndexUnavailable  # the API answers 503 while the index is rebuilt


@dataclass
class PlaceFilter:
    """The API's filters, already parsed (the API checks their syntax and answers 400 in French)."""
    text: str = ""
    postcode: str | None = None
    insee_code: str | None = None
    commune: str | None = None
    services: list[str] = field(default_factory=list)  # a place offering any of them
    near: tuple[float, float, float] | None = None  # latitude, longitude, radius in km
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    updated_since: date | None = None  # date_maj on or after this day
    literal: bool = False  # q: the words only, not the needs they name (mots=exacts)


@dataclass
class PlacePage:
    places: list[Place]
    total: int
    distances_km: dict[int, float] = field(default_factory=dict)


def _json_list_contains(column, value: str):
    # Lists are stored as JSON text: the value appears quoted exactly as json.dumps writes it
    # (accents escaped), on SQLite and PostgreSQL alike.
    quoted = json.dumps(value)
    for special in "!%_":
        quoted = quoted.replace(special, "!" + special)
    return cast(column, String).like(f"%{quoted}%", escape="!")


def _filtered_statement(filters: PlaceFilter):
    """The SQL part of the filters, on (id, latitude, longitude, commune) of the public places."""
    statement = (_public_places_query().with_only_columns(Place.id, Place.latitude, Place.longitude, Place.commune))
    if filters.postcode:
        statement = statement.where(Place.postcode == filters.postcode)
    if filters.insee_code:
        statement = statement.where(Place.insee_code == filters.insee_code.upper())
    if filters.services:
        statement = statement.where(or_(*(_json_list_contains(Place.services, s) for s in filters.services)))
    if filters.bbox:
        west, south, east, north = filters.bbox
        statement = statement.where(Place.longitude.between(west, east), Place.latitude.between(south, north))
    if filters.near:
        lat, lon, radius = filters.near
        dlat = radius / 111.0
        dlon = radius / (111.0 * max(math.cos(math.radians(lat)), 0.01))
        statement = statement.where(Place.latitude.between(lat - dlat, lat + dlat),
                                    Place.longitude.between(lon - dlon, lon + dlon))
    if filters.updated_since:
        start = datetime.combine(filters.updated_since, datetime.min.time(), PARIS).astimezone(UTC)
        start = start.replace(tzinfo=None)
        statement = statement.where(or_(Place.updated_at >= start, Place.verified_at >= start))
    return statement


def _load_page(ids: list[int]) -> dict[int, Place]:
    if not ids:
        return {}
    return {place.id: place for place in db.session.scalars(
        select(Place).where(Place.id.in_(ids)).options(joinedload(Place.organisation)))}


def find_public_places(filters: PlaceFilter, *, page: int, per_page: int) -> PlacePage:
    """One page of public places matching every filter: nearest first around a point, else by id
    (a stable order for harvesting page after page)."""
    statement = _filtered_statement(filters)
    if not (filters.commune or filters.text or filters.near):
        # Only SQL filters: the database counts and pages (harvesting the whole country page by
        # page must not read every row for every page).
        total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
        ids = list(db.session.scalars(statement.with_only_columns(Place.id).order_by(Place.id)
                                      .limit(per_page).offset((page - 1) * per_page)))
        loaded = _load_page(ids)
        return PlacePage(places=[loaded[i] for i in ids if i in loaded], total=total)
    rows = db.session.execute(statement.order_by(Place.id)).all()
    if filters.commune:  # without case or accents, the same on SQLite (whose lower() is ASCII only)
        wanted = search.fold(" ".join(filters.commune.split()))
        rows = [row for row in rows if search.fold(row.commune) == wanted]
    if filters.text:
        matching = search.matching_place_ids(search.TextQuery.parse(filters.text, literal=filters.literal))
        rows = [row for row in rows if row.id in matching]
    distances: dict[int, float] = {}
    if filters.near:
        lat, lon, radius = filters.near
        for row in rows:
            distances[row.id] = search.haversine_km(lat, lon, row.latitude, row.longitude)
        rows = sorted((row for row in rows if distances[row.id] <= radius), key=lambda r: (distances[r.id], r.id))
    ids = [row.id for row in rows[(page - 1) * per_page: page * per_page]]
    loaded = _load_page(ids)
    return PlacePage(places=[loaded[i] for i in ids if i in loaded], total=len(rows),
                     distances_km={i: round(distances[i], 3) for i in ids if i in distances})


@dataclass
class PlaceChange:
    """One entry of the change feed: a public place as it is now, or a tombstone."""
    place: Place
    changed_at: datetime
    status: str  # "publie" | "depublie" | "supprime"


def place_changes(since: datetime, *, after_id: int = 0, limit: int = 500) -> list[PlaceChange]:
    """Places changed after ``since`` (naive UTC), oldest change first, ties broken by id: a reuser
    stores the last (changed_at, id) and asks again from there. A place that left the public
    directory (unpublished, deleted, organisation suspended) comes as a tombstone — also one the
    reuser never saw (never published): unknown ids are to be ignored.

    ``changed_at`` is stamped when a row is written, not when its transaction commits: changes
    younger than OPEN_DATA_FEED_DELAY_SECONDS are held back, so that a cursor never moves past the
    rows of a long import that has not committed yet."""
    settled = utcnow() - timedelta(seconds=current_app.config["OPEN_DATA_FEED_DELAY_SECONDS"])
    statement = (select(Place).join(Place.organisation).options(contains_eager(Place.organisation))
                 .where(or_(Place.changed_at > since, and_(Place.changed_at == since, Place.id > after_id)),
                        Place.changed_at <= settled)
                 .order_by(Place.changed_at, Place.id).limit(limit))
    changes = []
    for place in db.session.scalars(statement):
        status = "publie" if place.is_public else ("supprime" if place.deleted_at else "depublie")
        changes.append(PlaceChange(place=place, changed_at=place.changed_at, status=status))
    return changes

