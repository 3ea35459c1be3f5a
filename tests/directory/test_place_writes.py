"""One write path for places (directory/services/writes.py): a partner's edit on the web and an import
write a place by the same rules — its version, its place in the open-data change feed, its
coordinates and the geocoder's queue, the search index's queue."""
from datetime import datetime

import pytest
from sqlalchemy import delete, select, update

from coordination.directory import imports, serializers, services
from coordination.directory.models import Place, SearchIndexQueue
from coordination.directory.services import writes
from coordination.errors import Conflict
from coordination.extensions import db as _db
from coordination.testing.factories import make_place

LONG_AGO = datetime(2020, 1, 1)
NEW_ADDRESS = {"address": "3 place de la Mairie"}


def stored(place_id: int) -> Place:
    """The place as the database holds it now, not the session's copy."""
    _db.session.expire_all()
    return _db.session.get(Place, place_id)


def queued() -> list[int]:
    return sorted(_db.session.scalars(select(SearchIndexQueue.place_id)))


def written_long_ago(place_id: int) -> None:
    """The place as if last written long ago, and the search index's queue empty."""
    places = Place.__table__
    _db.session.execute(update(places).where(places.c.id == place_id).values(changed_at=LONG_AGO))
    _db.session.execute(delete(SearchIndexQueue))
    _db.session.commit()


def exported(app, place: Place, **columns) -> dict:
    """The place as the open-data files write it, with other values for some standard columns."""
    return {**serializers.standard_record(stored(place.id), source=app.config["NETWORK_NAME"]), **columns}


def import_records(*records, actor) -> imports.ImportReport:
    rows = [imports.ImportRow(line=line, record={k: serializers.csv_value(v) for k, v in record.items()})
            for line, record in enumerate(records, start=2)]
    report = imports.apply_import(rows, actor=actor)
    assert report.applied, [problem.message for problem in report.plan.problems]
    return report


def test_a_web_edit_and_an_import_update_bump_the_version_move_changed_at_and_queue_the_place(
        app, member, coordinator, place):
    written_long_ago(place.id)
    services.update_place(place.id, {"summary": "Ateliers le mardi."}, actor=member, expected_version=1)
    edited = stored(place.id)
    assert (edited.version, edited.summary, queued()) == (2, "Ateliers le mardi.", [place.id])
    assert edited.changed_at > LONG_AGO

    written_long_ago(place.id)
    report = import_records(exported(app, place, telephone="+33240999999"), actor=coordinator)
    imported = stored(place.id)
    assert (report.updated, imported.version, imported.phone, queued()) == (1, 3, "+33240999999", [place.id])
    assert imported.changed_at > LONG_AGO


def test_a_place_without_coordinates_waits_for_the_geocoder_whoever_creates_it(app, member, coordinator, place):
    typed = services.create_place(place.organisation_id, {
        "name": "Point numérique de la Bottière", "address": "2 rue de la Bottière", "postcode": "44300",
        "commune": "Nantes", "services": ["Aide aux démarches administratives"]}, actor=member)
    report = import_records(exported(app, place, id="breil-2", nom="Atelier du Breil", adresse="5 rue du Breil",
                                     latitude=None, longitude=None), actor=coordinator)
    for created in (stored(typed.id), stored(report.place_ids[0])):
        assert (created.latitude, created.coordinates_source, created.geocode_status) == (None, None, "pending")
        assert created.version == 1 and created.changed_at is not None
    assert set(queued()) >= {typed.id, *report.place_ids}


@pytest.mark.parametrize("source, cleared", [("geocoder", True), ("import", True), ("manual", False)])
def test_a_new_address_makes_coordinates_no_person_typed_wait_for_the_geocoder(
        app, member, coordinator, organisation, source, cleared):
    on_the_web, by_import = (make_place(organisation, coordinates_source=source) for _ in range(2))
    services.update_place(on_the_web.id, NEW_ADDRESS, actor=member, expected_version=None)
    # a file without coordinates: the stored ones stay unless the new address makes them stale
    import_records(exported(app, by_import, adresse=NEW_ADDRESS["address"], latitude=None, longitude=None),
                   actor=coordinator)
    for written in (stored(on_the_web.id), stored(by_import.id)):
        assert written.address == NEW_ADDRESS["address"]
        if cleared:
            assert (written.latitude, written.coordinates_source, written.geocode_status) == (None, None, "pending")
        else:
            assert (written.latitude, written.coordinates_source) == (47.2173, "manual")


def test_coordinates_keep_their_origin_until_other_ones_are_given(app, coordinator, organisation):
    typed = make_place(organisation, coordinates_source="manual")
    import_records(exported(app, typed, telephone="+33240999999"), actor=coordinator)
    assert stored(typed.id).coordinates_source == "manual"  # the file gives the same position
    import_records(exported(app, typed, latitude=47.23, longitude=-1.56), actor=coordinator)
    moved = stored(typed.id)
    assert (moved.latitude, moved.coordinates_source, moved.geocode_status) == (47.23, "import", None)


def someone_else_saves_first(monkeypatch, place_id: int) -> None:
    """Another save of the place lands after the writer read it, just before its write (``located``
    is the last step before the UPDATE)."""
    located = writes.located

    def saved_meanwhile(*args, **kwargs):
        places = Place.__table__
        _db.session.execute(update(places).where(places.c.id == place_id).values(version=places.c.version + 1))
        return located(*args, **kwargs)
    monkeypatch.setattr(writes, "located", saved_meanwhile)


def test_an_import_stops_when_a_place_changed_after_it_was_read(app, coordinator, place, monkeypatch):
    someone_else_saves_first(monkeypatch, place.id)
    rows = [imports.ImportRow(line=2, record={k: serializers.csv_value(v)
                                              for k, v in exported(app, place, telephone="+33240999999").items()})]
    with pytest.raises(Conflict):
        imports.apply_import(rows, actor=coordinator)
    assert (stored(place.id).phone, stored(place.id).version) == ("+33240000000", 1)
