"""Issue 15, item 4: an imported place keeps where it comes from (the file's `source` and `id`,
published as `source` and `id_source`), every `site_web` URL, and data·inclusion gets null for the
placeholder SIRET — the export still valid against the official schemas."""
import csv
import json
import shutil
import uuid

import pytest
from sqlalchemy import select, update

from coordination.auth.models import Organisation
from coordination.directory.models import Place
from coordination.testing.factories import make_organisation, make_place
from export import publish
from coordination.directory import imports
from tests.directory.imports.helpers import csv_text, row

CSV = "lieux-de-mediation-numerique.csv"
JSON = "lieux-de-mediation-numerique.json"
STRUCTURES = "data-inclusion/structures.json"
EXAMPLE = "standard-mediation-num/1.0.1/exemple-valide.csv"


def activate_every_organisation(db):
    db.session.execute(update(Organisation).values(status="active"))
    db.session.commit()


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def read_json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def import_file(path, coordinator, db):
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.report is not None and outcome.report.applied, imports.summary_lines(outcome)
    activate_every_organisation(db)
    return outcome


def test_the_official_example_keeps_its_source_its_id_and_both_websites(reference, coordinator, db, open_data_dir,
                                                                         tmp_path):
    source = reference / EXAMPLE
    (original,) = read_csv(source)
    assert "|" in original["site_web"]  # two URLs: the example loses one before issue 15
    path = tmp_path / "exemple.csv"
    shutil.copy(source, path)
    outcome = import_file(path, coordinator, db)
    assert not [p for p in outcome.problems if p.column == "site_web"]

    place = db.session.scalar(select(Place))
    assert (place.source, place.source_id) == (original["source"], original["id"])
    assert place.website == original["site_web"].split("|")[0]
    assert place.other_websites == original["site_web"].split("|")[1:]
    publish.publish_all()

    (exported,) = read_csv(open_data_dir / CSV)
    assert exported["site_web"] == original["site_web"]
    assert exported["source"] == original["source"] == "Hubik"  # the file's producer, not NETWORK_NAME
    assert exported["id"] == place.public_id != original["id"]  # the standard's id stays ours
    assert "id_source" not in exported  # the CSV keeps the standard's 32 columns
    (record,) = read_json(open_data_dir / JSON)
    assert (record["source"], record["id_source"], record["site_web"]) == (
        original["source"], original["id"], original["site_web"])


def test_the_export_of_imported_places_validates_with_zero_errors(reference, coordinator, db, open_data_dir,
                                                                   tmp_path, write_rows):
    from frictionless import Resource, Schema
    from jsonschema import Draft202012Validator, FormatChecker

    import_file(write_rows([
        row(id="cnfs-1", source="conseiller-numerique", site_web="https://a.exemple.fr|https://b.exemple.fr"),
        row(id="cnfs-2", nom="Maison France Services", adresse="3 place de la Mairie", latitude="47.25",
            longitude="-1.55", pivot="00000000000000", source="conseiller-numerique"),
    ]), coordinator, db)
    make_place(make_organisation("Médiathèque de l'Erdre", pivot="35600000000048"), name="Médiathèque Demy")
    publish.publish_all()

    descriptor = json.loads((reference / "standard-mediation-num/1.0.1/schema.json").read_text(encoding="utf-8"))
    report = Resource(path=CSV, basepath=str(open_data_dir), schema=Schema.from_descriptor(descriptor)).validate()
    assert report.flatten(["rowNumber", "fieldName", "type", "note"]) == []
    assert report.task.stats["rows"] == 3
    for kind, name in (("structure", STRUCTURES), ("service", "data-inclusion/services.json")):
        schema = json.loads((reference / f"data-inclusion/{kind}.schema.json").read_text(encoding="utf-8"))
        check = Draft202012Validator(schema, format_checker=FormatChecker())
        assert [e.message for r in read_json(open_data_dir / name) for e in check.iter_errors(r)] == []


@pytest.fixture
def write_rows(tmp_path):
    def write(rows, name="lieux.csv"):
        path = tmp_path / name
        path.write_text(csv_text(rows), encoding="utf-8")
        return path
    return write


def test_own_places_publish_the_network_name_and_a_null_id_source(app, db, open_data_dir, client):
    place = make_place(make_organisation(pivot="35600000000048"))
    publish.publish_all()

    (record,) = read_json(open_data_dir / JSON)
    assert record["source"] == app.config["NETWORK_NAME"] and record["id_source"] is None
    body = client.get(f"/api/v1/lieux/{place.public_id}").get_json()
    assert body["source"] == app.config["NETWORK_NAME"] and body["id_source"] is None


def test_the_api_publishes_the_producer_and_the_original_id(client, coordinator, db, write_rows):
    import_file(write_rows([row(id="hinaura-42", source="Hinaura")]), coordinator, db)
    place = db.session.scalar(select(Place))
    assert uuid.UUID(place.public_id)

    body = client.get(f"/api/v1/lieux/{place.public_id}").get_json()
    assert (body["id"], body["source"], body["id_source"]) == (place.public_id, "Hinaura", "hinaura-42")
    listed = client.get("/api/v1/lieux").get_json()["lieux"]
    assert [(r["source"], r["id_source"]) for r in listed] == [("Hinaura", "hinaura-42")]


def test_a_file_with_a_uuid_id_keeps_it_as_the_original_id_too(coordinator, db, write_rows):
    file_id = "0b8f6a3e-3c1d-4a51-9d35-6f0d8c1a2b01"
    import_file(write_rows([row(id=file_id, source="Région Sud")]), coordinator, db)
    place = db.session.scalar(select(Place))
    assert (place.public_id, place.source, place.source_id) == (file_id, "Région Sud", file_id)


def test_reimporting_our_export_elsewhere_keeps_the_first_producer_and_id(coordinator, db, open_data_dir,
                                                                          write_rows, tmp_path):
    """Another network importing our JSON export matches the place with its producer, not with us."""
    import_file(write_rows([row(id="cnfs-7", source="conseiller-numerique")]), coordinator, db)
    publish.publish_all()
    exported = tmp_path / JSON
    shutil.copy(open_data_dir / JSON, exported)
    db.session.execute(Place.__table__.delete())
    db.session.commit()

    import_file(exported, coordinator, db)
    place = db.session.scalar(select(Place))
    assert (place.source, place.source_id) == ("conseiller-numerique", "cnfs-7")


def test_reimporting_our_own_export_changes_nothing(coordinator, db, open_data_dir, write_rows):
    import_file(write_rows([row(id="cnfs-8", source="conseiller-numerique",
                                site_web="https://a.exemple.fr|https://b.exemple.fr")]), coordinator, db)
    make_place(make_organisation(pivot="35600000000048"), name="Médiathèque Demy")
    publish.publish_all()

    for name in (CSV, JSON):
        outcome = imports.apply_file(open_data_dir / name, actor=coordinator)
        assert outcome.report.applied and outcome.plan.unchanged == 2, (name, imports.summary_lines(outcome))
        assert not [p for p in outcome.problems if p.column in ("id_source", "source")]
    provenance = {(p.source, p.source_id) for p in db.session.scalars(select(Place))}
    assert provenance == {("conseiller-numerique", "cnfs-8"), (None, None)}


def test_the_placeholder_siret_is_null_in_data_inclusion(coordinator, db, open_data_dir, write_rows):
    import_file(write_rows([row(id="sans-siret", pivot="00000000000000")]), coordinator, db)
    publish.publish_all()

    (structure,) = read_json(open_data_dir / STRUCTURES)
    assert structure["siret"] is None
    (exported,) = read_csv(open_data_dir / CSV)
    assert exported["pivot"] == "00000000000000"  # the standard's pivot is required: it stays


def test_a_bad_second_website_is_reported_on_its_line(coordinator, db, write_rows):
    outcome = imports.check_file(write_rows([row(site_web="https://a.exemple.fr|pas une adresse")]),
                                 actor=coordinator)
    assert [(p.line, p.column) for p in outcome.problems if p.column == "site_web"] == [(2, "site_web")]


def test_the_place_page_links_every_website(client, db):
    place = make_place(make_organisation(pivot="35600000000048"), website="https://a.exemple.fr",
                       other_websites=["https://b.exemple.fr"])
    html = client.get(f"/lieux/{place.public_id}").get_data(as_text=True)
    assert 'href="https://a.exemple.fr"' in html and 'href="https://b.exemple.fr"' in html
