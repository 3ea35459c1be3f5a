"""The one write path of a place's listing: the web's create, edit and delete, the import (in
batches) and the demo seed write places here, so that what every such write must do is done once:

- ``version`` starts at 1 and grows by one with each content write; an update names the version it
  read, and a place changed meanwhile is not overwritten (``VersionChanged``);
- ``changed_at`` (the open-data change feed) is the write's time;
- coordinates given with a write carry who gave them (« manual », « import »), unchanged ones keep
  their origin; an address change makes coordinates no person typed stale; a place left without
  coordinates waits for the geocoding job (``located``);
- ``commit`` commits, then queues the written places for the search index.

Core statements, no ORM object per place: an import writes 100,000 places through them in batches.
Publishing and "still accurate" confirmations are not content: ``set_state`` leaves the version
alone. The audit record is the use case's (one per edit, one per import).
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, bindparam, insert, update

from coordination.directory import search
from coordination.directory.models import Place, new_public_id
from coordination.extensions import db

BATCH_SIZE = 1000
ADDRESS_FIELDS = ("address", "postcode", "commune")
NO_COORDINATES = {"latitude": None, "longitude": None, "coordinates_source": None}
GEOCODING_QUEUED = {"geocode_status": "pending", "geocode_attempts": 0, "geocode_next_at": None}
# Every column a new place is written with (a batch's rows must all name the same ones): lists empty,
# the rest empty unless it has a plain default.
NEW_PLACE = {column.name: [] if isinstance(column.type, JSON) else None for column in Place.__table__.c
             if column.name != "id"} | {"published": True, "accepts_referrals": True, "geocode_attempts": 0}


class VersionChanged(Exception):
    """A place was changed by someone else after the writer read it: nothing of the batch counts."""


@dataclass(slots=True)
class PlaceUpdate:
    place_id: int
    version: int | None  # the version the writer read (None: written whatever it is now)
    columns: dict


def located(values: dict, before=None, *, source: str) -> dict:
    """``values`` with the coordinate and geocoding columns the write must set too. ``before`` is
    the stored place (an ORM object or a row; None for a new place), ``source`` who gives the
    coordinates of ``values``. Geocoding never blocks a write: the job finds the queued places."""
    columns = dict(values)
    if "latitude" in values or "longitude" in values:
        latitude, longitude = values.get("latitude"), values.get("longitude")
        if latitude is None or longitude is None:
            return {**columns, **NO_COORDINATES, **GEOCODING_QUEUED}
        if before is not None and (latitude, longitude) == (before.latitude, before.longitude):
            return columns  # the same position: its origin stays
        return {"coordinates_source": source, "geocode_status": None, **columns}
    if before is None:
        return {**columns, **NO_COORDINATES, **GEOCODING_QUEUED}
    if before.latitude is None or before.longitude is None:
        return {**columns, **GEOCODING_QUEUED}
    if before.coordinates_source == "manual":
        return columns
    if any(name in values and values[name] != getattr(before, name) for name in ADDRESS_FIELDS):
        return {**columns, **NO_COORDINATES, **GEOCODING_QUEUED}  # stale: another address
    return columns


def new_place(values: dict, *, organisation_id: int, now: datetime, source: str) -> dict:
    """Every column of a new place: ``values`` located, the rest at its default (lists empty),
    created and verified now unless ``values`` says when."""
    columns = {**NEW_PLACE, "updated_at": now, "verified_at": now, **located(values, None, source=source)}
    columns.update(organisation_id=organisation_id, created_at=now, changed_at=now, version=1)
    columns["public_id"] = columns["public_id"] or new_public_id()
    return columns


def insert_places(rows: list[dict]) -> list[int]:
    """Inserts new places (``new_place``'s columns), in batches; their ids."""
    table, ids = Place.__table__, []
    for start in range(0, len(rows), BATCH_SIZE):
        ids.extend(db.session.scalars(insert(table).returning(table.c.id), rows[start:start + BATCH_SIZE]))
    return ids


def update_places(updates: list[PlaceUpdate], now: datetime) -> list[int]:
    """Writes each place's columns, version + 1 and ``changed_at`` now: one UPDATE per place, by
    primary key and read version, grouped by set of columns (executemany). Raises VersionChanged
    when a place's version is no longer the one read; returns the places' ids."""
    table = Place.__table__
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for change in updates:
        checked = change.version is not None
        params = {**{f"v_{name}": value for name, value in change.columns.items()}, "b_id": change.place_id}
        if checked:
            params["b_version"] = change.version
        groups[(checked, *sorted(change.columns))].append(params)
    sane_rowcount = db.session.get_bind().dialect.supports_sane_multi_rowcount
    for (checked, *names), params in groups.items():
        statement = (update(table).where(table.c.id == bindparam("b_id"))
                     .values({name: bindparam(f"v_{name}") for name in names})
                     .values(version=table.c.version + 1, changed_at=now))
        if checked:
            statement = statement.where(table.c.version == bindparam("b_version"))
        for start in range(0, len(params), BATCH_SIZE):
            batch = params[start:start + BATCH_SIZE]
            result = db.session.connection().execute(statement, batch[0] if len(batch) == 1 else batch)
            if checked and (sane_rowcount or len(batch) == 1) and result.rowcount != len(batch):
                raise VersionChanged()
    return [change.place_id for change in updates]


def set_state(place_ids: list[int], now: datetime, **values) -> None:
    """Publication, verification: not content, so the version stays (a partner's edit in
    progress must not fail for it); the change feed sees them."""
    table = Place.__table__
    db.session.execute(update(table).where(table.c.id.in_(place_ids)).values(**values, changed_at=now))


def commit(place_ids) -> None:
    """Commits the writer's transaction, then queues its places for the search index (never
    before: the index must not show what a rollback undid)."""
    db.session.commit()
    search.queue_place_ids(place_ids)
