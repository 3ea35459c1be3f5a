"""The open-data files: what they hold, that they validate against the published schemas, that they
are written atomically, and the command and nightly job that regenerate them."""
import csv
import hashlib
import json
import re
import threading
from datetime import datetime

import pytest

from coordination.core.clock import utcnow
from coordination.directory.serializers import RECORD_FIELDS, STANDARD_FIELDS
from coordination.testing.factories import make_organisation, make_place
from export import catalog, formats, publish
from tests.plugin import using_postgres
from tests.french import plain

CSV = "lieux-de-mediation-numerique.csv"
JSON = "lieux-de-mediation-numerique.json"
GEOJSON = "lieux-de-mediation-numerique.geojson"
STRUCTURES = "data-inclusion/structures.json"
SERVICES = "data-inclusion/services.json"
LONG_SUMMARY = ("Nous accompagnons les habitants dans leurs démarches en ligne : déclaration de revenus, "
                "dossier de retraite, prise de rendez-vous médical, inscription à France Travail, "
                "création d'une adresse électronique, et nous prêtons des tablettes pour s'entraîner chez soi "
                "en toute tranquillité, avec un guide imprimé pas à pas et un numéro à appeler en cas de doute.")


def read_json(directory, name):
    return json.loads((directory / name).read_text(encoding="utf-8"))


def read_csv(directory):
    with (directory / CSV).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture
def tricky_places(app):
    """Published places whose data trips exporters, plus places that must stay out of the files."""
    organisation = make_organisation("Association L'Écran Partagé", pivot="73282932000074")
    places = {
        "corsica": make_place(organisation, name="Point numérique d'Ajaccio", commune="Ajaccio", postcode="20000",
                              insee_code="2A004", address="2 cours Napoléon", latitude=41.9192, longitude=8.7386),
        "quotes": make_place(organisation, name="L'Atelier « Côté Cœur », ouvert à tous",
                             address='3 rue de l\'Église, bâtiment "B"', summary="Aide ; conseils, \"écoute\".",
                             description="Première ligne\nDeuxième ligne, avec une virgule | et une barre"),
        "lists": make_place(organisation, services=["Aide aux démarches administratives",
                                                    "Accès internet et matériel informatique"],
                            publics=["Seniors", "Familles et/ou enfants"], programmes=["Conseillers numériques",
                                                                                    "Aidants Connect"],
                            fees=["Gratuit sous condition", "Payant"], support_modes=["En autonomie", "À distance"],
                            access_modes=["Se présenter", "Prendre un RDV en ligne"],
                            appointment_url="https://rdv.exemple.fr/atelier", itinerance=["Itinérant", "Fixe"],
                            emails=["accueil@exemple.fr", "contact@exemple.fr"]),
        "dom": make_place(organisation, name="Case numérique de Saint-Denis", commune="Saint-Denis",
                          postcode="97400", insee_code="97411", address="5 rue de Paris", phone="+262262123456",
                          latitude=-20.8823, longitude=55.4504),
        "bad_hours": make_place(organisation, opening_hours="tous les jours sauf le lundi"),
        "no_coordinates": make_place(organisation, latitude=None, longitude=None, services=[]),
    }
    if not using_postgres():  # PostgreSQL's varchar(280) refuses a longer summary on its own
        places["long_summary"] = make_place(organisation, summary=LONG_SUMMARY)
    suspended = make_organisation(status="suspended")
    hidden = {
        "unpublished": make_place(organisation, published=False),
        "deleted": make_place(organisation, deleted_at=utcnow()),
        "suspended": make_place(suspended),
    }
    return places, hidden


def test_every_file_is_written_with_its_manifest_entry(open_data_dir, tricky_places):
    places, _ = tricky_places
    manifest = publish.publish_all()

    names = [entry["name"] for entry in manifest["files"]]
    assert names == [CSV, JSON, GEOJSON, STRUCTURES, SERVICES, "datapackage.json"]
    assert manifest["places"] == len(places)
    assert json.loads((open_data_dir / "manifest.json").read_text()) == manifest
    for entry in manifest["files"]:
        content = (open_data_dir / entry["name"]).read_bytes()
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert datetime.fromisoformat(entry["generated_at"]).tzinfo is not None
    rows = {entry["name"]: entry["rows"] for entry in manifest["files"]}
    assert rows[CSV] == rows[JSON] == rows[GEOJSON] == rows[STRUCTURES] == len(places)
    assert rows[SERVICES] == len(read_json(open_data_dir, SERVICES))
    assert not list(open_data_dir.rglob("*.tmp"))


@pytest.mark.parametrize("name", [CSV, JSON, GEOJSON, STRUCTURES, SERVICES])
def test_one_format_written_alone_is_the_file_of_the_full_export(open_data_dir, tricky_places, tmp_path, name):
    manifest = publish.publish_all()
    alone = publish.write_one_format(name, tmp_path / "alone")

    entry = next(entry for entry in manifest["files"] if entry["name"] == name)
    assert (tmp_path / "alone" / name).read_bytes() == (open_data_dir / name).read_bytes()
    assert (alone["rows"], alone["sha256"]) == (entry["rows"], entry["sha256"])


def test_an_unknown_format_is_refused(app, tmp_path):
    with pytest.raises(ValueError, match="format inconnu"):
        publish.write_one_format("lieux.xlsx", tmp_path)


def test_the_files_hold_only_public_places(open_data_dir, tricky_places):
    places, hidden = tricky_places
    publish.publish_all()

    expected = {place.public_id for place in places.values()}
    assert {row["id"] for row in read_csv(open_data_dir)} == expected
    assert {record["id"] for record in read_json(open_data_dir, JSON)} == expected
    assert {feature["id"] for feature in read_json(open_data_dir, GEOJSON)["features"]} == expected
    assert {record["id"] for record in read_json(open_data_dir, STRUCTURES)} == expected
    assert {record["structure_id"] for record in read_json(open_data_dir, SERVICES)} <= expected
    everything = "".join(path.read_text(encoding="utf-8") for path in open_data_dir.rglob("*.*json*"))
    for place in hidden.values():
        assert place.public_id not in everything


def test_csv_is_utf8_without_bom_with_the_schema_header_and_exact_values(open_data_dir, tricky_places):
    places, _ = tricky_places
    publish.publish_all()

    raw = (open_data_dir / CSV).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\r\n", 1)[0].decode() == ",".join(STANDARD_FIELDS)
    rows = {row["id"]: row for row in read_csv(open_data_dir)}
    corsica = rows[places["corsica"].public_id]
    assert (corsica["code_insee"], corsica["code_postal"], corsica["latitude"]) == ("2A004", "20000", "41.9192")
    quotes = rows[places["quotes"].public_id]
    assert quotes["nom"] == "L'Atelier « Côté Cœur », ouvert à tous"
    assert quotes["adresse"] == ' 3 rue de l\'Église, bâtiment "B"'.strip()
    assert quotes["presentation_detail"] == "Première ligne\nDeuxième ligne, avec une virgule | et une barre"
    lists = rows[places["lists"].public_id]
    assert lists["services"] == "Aide aux démarches administratives|Accès internet et matériel informatique"
    assert lists["courriels"] == "accueil@exemple.fr|contact@exemple.fr"
    assert lists["frais_a_charge"] == "Gratuit sous condition|Payant"
    assert rows[places["dom"].public_id]["telephone"] == "+262262123456"
    assert rows[places["bad_hours"].public_id]["horaires"] == ""
    no_coordinates = rows[places["no_coordinates"].public_id]
    assert (no_coordinates["latitude"], no_coordinates["longitude"]) == ("", "")
    assert {row["source"] for row in rows.values()} == {"Réseau Maillage Loire-Atlantique"}
    if "long_summary" in places:
        long_summary = rows[places["long_summary"].public_id]
        assert len(long_summary["presentation_resume"]) <= 280
        assert long_summary["presentation_resume"].endswith("…")
        assert LONG_SUMMARY.startswith(long_summary["presentation_resume"][:-1])
        assert LONG_SUMMARY in long_summary["presentation_detail"]


def test_csv_validates_against_the_national_schema_with_zero_errors(open_data_dir, tricky_places, reference):
    from frictionless import Resource, Schema

    publish.publish_all()
    descriptor = json.loads((reference / "standard-mediation-num/1.0.1/schema.json").read_text(encoding="utf-8"))
    # A schema given as a descriptor and the file under basepath: frictionless 5 trusts both.
    report = Resource(path=CSV, basepath=str(open_data_dir), schema=Schema.from_descriptor(descriptor)).validate()

    assert report.flatten(["rowNumber", "fieldName", "type", "note"]) == []
    assert report.valid
    assert report.task.stats["rows"] == len(tricky_places[0])


def test_the_schema_check_can_fail(open_data_dir, tricky_places, reference):
    """The validation above would see a broken file: a wrong code_postal and a missing nom."""
    from frictionless import Resource, Schema

    publish.publish_all()
    path = open_data_dir / CSV
    rows = read_csv(open_data_dir)
    rows[0].update(code_postal="4400", nom="")
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=STANDARD_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    descriptor = json.loads((reference / "standard-mediation-num/1.0.1/schema.json").read_text(encoding="utf-8"))
    report = Resource(path=CSV, basepath=str(open_data_dir), schema=Schema.from_descriptor(descriptor)).validate()

    assert {error[1] for error in report.flatten(["type", "fieldName"])} == {"code_postal", "nom"}


def test_json_keeps_schema_order_numbers_for_coordinates_and_null_when_empty(open_data_dir, tricky_places):
    places, _ = tricky_places
    publish.publish_all()

    records = {record["id"]: record for record in read_json(open_data_dir, JSON)}
    csv_rows = {row["id"]: row for row in read_csv(open_data_dir)}
    for public_id, record in records.items():
        assert list(record) == list(RECORD_FIELDS)
        for name, value in record.items():
            if name in ("latitude", "longitude"):
                assert value is None or isinstance(value, float)
            else:
                assert value is None or isinstance(value, str)
            if name in STANDARD_FIELDS:  # id_source is in the JSON only
                assert csv_rows[public_id][name] == ("" if value is None else str(value))
    assert records[places["corsica"].public_id]["latitude"] == 41.9192
    assert records[places["no_coordinates"].public_id]["latitude"] is None
    assert records[places["bad_hours"].public_id]["horaires"] is None
    assert records[places["lists"].public_id]["publics_specifiquement_adresses"] == "Familles et/ou enfants|Seniors"


def test_geojson_is_a_feature_collection_of_points_in_longitude_latitude_order(open_data_dir, tricky_places):
    places, _ = tricky_places
    publish.publish_all()

    collection = read_json(open_data_dir, GEOJSON)
    assert collection["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in collection["features"]}
    records = {record["id"]: record for record in read_json(open_data_dir, JSON)}
    for public_id, feature in features.items():
        assert feature["type"] == "Feature"
        assert feature["properties"] == records[public_id]
    assert features[places["dom"].public_id]["geometry"] == {"type": "Point", "coordinates": [55.4504, -20.8823]}
    assert features[places["no_coordinates"].public_id]["geometry"] is None


def test_an_empty_directory_gives_valid_empty_files(open_data_dir):
    manifest = publish.publish_all()

    assert manifest["places"] == 0
    assert read_json(open_data_dir, JSON) == []
    assert read_json(open_data_dir, GEOJSON) == {"type": "FeatureCollection", "features": []}
    assert read_json(open_data_dir, SERVICES) == []
    assert (open_data_dir / CSV).read_text(encoding="utf-8").strip() == ",".join(STANDARD_FIELDS)


# --- data·inclusion ---------------------------------------------------------------------------

def validator(reference, kind):
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((reference / f"data-inclusion/{kind}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_every_data_inclusion_record_validates_against_its_json_schema(open_data_dir, tricky_places, reference):
    publish.publish_all()
    structures = read_json(open_data_dir, STRUCTURES)
    services = read_json(open_data_dir, SERVICES)
    assert structures and services

    for kind, records in (("structure", structures), ("service", services)):
        check = validator(reference, kind)
        errors = [(record["id"], error.json_path, error.message) for record in records
                  for error in check.iter_errors(record)]
        assert errors == []


def test_the_json_schema_check_can_fail(reference):
    check = validator(reference, "service")
    broken = {"source": "x", "structure_id": "s", "id": "1", "nom": "ab", "description": "Un service",
              "date_maj": "22/05/2024", "thematiques": ["numerique--inconnu"], "courriel": "pas un courriel"}
    assert {error.json_path for error in check.iter_errors(broken)} == {"$.nom", "$.date_maj", "$.thematiques",
                                                                       "$.courriel"}


def test_data_inclusion_structures_and_services_carry_the_place(open_data_dir, tricky_places):
    places, _ = tricky_places
    publish.publish_all()
    structures = {record["id"]: record for record in read_json(open_data_dir, STRUCTURES)}
    services = read_json(open_data_dir, SERVICES)

    lists = structures[places["lists"].public_id]
    assert lists["source"] == "Réseau Maillage Loire-Atlantique"
    assert lists["siret"] == "73282932000074"
    assert lists["courriel"] == "accueil@exemple.fr"
    assert lists["lien_source"] == f"http://localhost/lieux/{places['lists'].public_id}"
    assert lists["reseaux_porteurs"] == ["aidants-connect", "conseillers-numeriques"]
    offered = [service for service in services if service["structure_id"] == places["lists"].public_id]
    assert [service["nom"] for service in offered] == ["Aide aux démarches administratives",
                                                      "Accès internet et matériel informatique"]
    assert len({service["id"] for service in services}) == len(services)
    assert offered[0]["thematiques"] == [
        "numerique--acceder-a-des-services-en-ligne",
        "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"]
    assert offered[1]["thematiques"] == ["numerique--acceder-a-une-connexion-internet"]
    assert offered[0]["frais"] == "payant" and offered[0]["frais_precisions"] == "Gratuit sous condition"
    assert offered[0]["publics"] == ["familles", "seniors"]
    assert offered[0]["modes_accueil"] == ["en-presentiel", "a-distance"]
    assert offered[0]["modes_mobilisation"] == ["se-presenter", "utiliser-lien-mobilisation"]
    assert offered[0]["lien_mobilisation"] == "https://rdv.exemple.fr/atelier"
    # a place without a standard service is a structure without services
    assert places["no_coordinates"].public_id in structures
    assert not [s for s in services if s["structure_id"] == places["no_coordinates"].public_id]


def test_a_service_keeps_its_id_when_another_service_of_the_place_is_removed(open_data_dir, tricky_places, db):
    """Ids are made of the place's id and the service's label, never of its position in the list:
    removing one offer must not show reusers the others as changed or deleted."""
    place = tricky_places[0]["lists"]
    place.services = ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien",
                      "Accès internet et matériel informatique"]
    db.session.commit()
    publish.publish_all()
    before = {s["nom"]: s["id"] for s in read_json(open_data_dir, SERVICES) if s["structure_id"] == place.public_id}
    assert before == {
        "Aide aux démarches administratives": f"{place.public_id}--aide-aux-demarches-administratives",
        "Maîtrise des outils numériques du quotidien":
            f"{place.public_id}--maitrise-des-outils-numeriques-du-quotidien",
        "Accès internet et matériel informatique": f"{place.public_id}--acces-internet-et-materiel-informatique",
    }

    place.services = ["Aide aux démarches administratives", "Accès internet et matériel informatique"]
    db.session.commit()
    publish.publish_all()
    after = {s["nom"]: s["id"] for s in read_json(open_data_dir, SERVICES) if s["structure_id"] == place.public_id}
    assert after == {name: before[name] for name in after} and len(after) == 2
    assert all(service_id.isascii() for service_id in after.values())


def test_every_offered_service_gets_an_ascii_id_without_accents_or_spaces():
    record = dict.fromkeys(STANDARD_FIELDS)
    record.update(id="abc", nom="Espace", commune="Nantes", date_maj="2024-05-02",
                  services="|".join(formats.SERVICE_MAPPING))
    ids = [service["id"] for service in formats.services(record, source="Réseau", place_url="/lieux/__id__")]
    assert len(ids) == len(set(ids)) == len(formats.SERVICE_MAPPING)
    for service_id in ids:
        assert re.fullmatch(r"abc--[a-z0-9]+(-[a-z0-9]+)*", service_id), service_id
    assert "abc--acquisition-de-materiel-informatique-a-prix-solidaire" in ids


def test_the_data_inclusion_files_are_the_json_of_structure_and_services_of_each_record(open_data_dir,
                                                                                       tricky_places):
    """The writers encode the parts a place's services share once; the text is exactly what
    encoding each service on its own gives."""
    publish.publish_all()
    context = {"source": "Réseau Maillage Loire-Atlantique", "place_url": "http://localhost/lieux/__id__"}
    records = read_json(open_data_dir, JSON)

    def array(items):
        return "[" + "".join(("\n" if index == 0 else ",\n") + item for index, item in enumerate(items)) + (
            "\n]\n" if items else "]\n")
    expected_services = [formats.dumps(service) for record in records for service in formats.services(record, **context)]
    expected_structures = [formats.dumps(formats.structure(record, **context)) for record in records]
    assert (open_data_dir / SERVICES).read_text(encoding="utf-8") == array(expected_services)
    assert (open_data_dir / STRUCTURES).read_text(encoding="utf-8") == array(expected_structures)


def test_a_pivot_that_is_not_a_siret_gives_no_siret():
    record = dict.fromkeys(STANDARD_FIELDS)
    record.update(id="abc", nom="Espace numérique.", pivot="W442000123", date_maj="2024-05-02",
                  commune="Nantes", code_postal="44000", adresse="1 rue A")
    structure = formats.structure(record, source="Réseau", place_url="https://exemple.fr/lieux/__id__")
    assert structure["siret"] is None
    assert structure["nom"] == "Espace numérique"  # no final period in data·inclusion names
    assert structure["lien_source"] == "https://exemple.fr/lieux/abc"


# --- atomic writing, concurrency ------------------------------------------------------------------

class Boom(Exception):
    pass


def snapshot(directory):
    return {path: path.read_bytes() for path in directory.rglob("*") if path.is_file()}


def test_a_writer_failing_at_the_end_leaves_the_previous_files_and_manifest_intact(open_data_dir, tricky_places,
                                                                                  monkeypatch):
    """Every other file is complete when the last one fails: none of them replaces its previous version."""
    publish.publish_all()
    before = snapshot(open_data_dir)
    make_place(make_organisation(), name="Nouveau lieu après l'export")

    def explode(self):
        raise Boom
    monkeypatch.setattr(formats.ServiceWriter, "end", explode)
    with pytest.raises(Boom):
        publish.publish_all()

    assert snapshot(open_data_dir) == before  # same files, same bytes, no temporary file left behind
    assert "Nouveau lieu" not in (open_data_dir / CSV).read_text(encoding="utf-8")


def test_a_writer_failing_mid_stream_leaves_the_previous_files_intact(open_data_dir, tricky_places, monkeypatch):
    publish.publish_all()
    before = snapshot(open_data_dir)

    def explode(self, record, encoded):
        if self.rows == 2:
            raise Boom
        self.rows += 1
    monkeypatch.setattr(formats.CsvWriter, "add", explode)
    with pytest.raises(Boom):
        publish.publish_all()

    assert snapshot(open_data_dir) == before


def test_a_failing_publication_of_the_manifest_keeps_the_previous_manifest(open_data_dir, tricky_places,
                                                                           monkeypatch):
    first = publish.publish_all()
    real = publish.write_atomically

    def fail_on_manifest(path, text):
        if path.name == "manifest.json":
            raise Boom
        return real(path, text)
    monkeypatch.setattr(publish, "write_atomically", fail_on_manifest)
    with pytest.raises(Boom):
        publish.publish_all()
    assert json.loads((open_data_dir / "manifest.json").read_text()) == first
    assert not list(open_data_dir.rglob("*.tmp"))


def generations(directory):
    return sorted(path.name for path in directory.glob("gen-*"))


def test_each_publication_switches_to_a_new_generation_and_keeps_only_the_previous_one(open_data_dir,
                                                                                       tricky_places):
    """The manifest names the generation it describes; the previous one stays for downloads in
    progress, older ones are removed. The plain names point at the newest files."""
    manifests = [publish.publish_all() for _ in range(3)]

    names = [manifest["directory"] for manifest in manifests]
    assert len(set(names)) == 3 and all(re.fullmatch(r"gen-\d{8}T\d{6}Z-[a-z0-9_]+", name) for name in names)
    assert generations(open_data_dir) == sorted(names[1:])
    assert catalog.read_manifest() == manifests[2]
    for entry in manifests[2]["files"]:
        content = (open_data_dir / names[2] / entry["name"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert (open_data_dir / entry["name"]).read_bytes() == content


def test_a_failed_publication_removes_its_own_generation(open_data_dir, tricky_places, monkeypatch):
    publish.publish_all()
    before = generations(open_data_dir)

    def explode(self):
        raise Boom
    monkeypatch.setattr(formats.GeoJsonWriter, "end", explode)
    with pytest.raises(Boom):
        publish.publish_all()
    assert generations(open_data_dir) == before


def test_a_manifest_naming_another_folder_is_not_trusted(open_data_dir, tricky_places):
    manifest = publish.publish_all()
    for directory in ("..", "../elsewhere", "/etc", "gen-x/../..", 3):
        (open_data_dir / "manifest.json").write_text(json.dumps({**manifest, "directory": directory}))
        assert catalog.read_manifest() is None


def test_two_publications_at_once_take_turns(app, open_data_dir, tricky_places, monkeypatch):
    """The lock serialises them: the second starts writing only when the first has finished."""
    active, overlaps = [], []
    real = publish._publish

    def watched(directory, progress):
        active.append(1)
        overlaps.append(len(active))
        try:
            return real(directory, progress)
        finally:
            active.pop()
    monkeypatch.setattr(publish, "_publish", watched)

    def run():
        with app.app_context():
            publish.publish_all()
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert overlaps == [1, 1]
    assert publish.catalog.read_manifest()["places"] == len(tricky_places[0])


def test_the_first_request_generates_the_files_once(open_data_dir, tricky_places, monkeypatch):
    calls = []
    real = publish._publish
    monkeypatch.setattr(publish, "_publish", lambda directory, progress: calls.append(1) or real(directory, progress))

    first = publish.ensure_published()
    second = publish.ensure_published()

    assert calls == [1] and first == second
    (catalog.files_dir(first) / CSV).unlink()  # a file gone missing: generated again
    assert publish.ensure_published()["generated_at"]
    assert calls == [1, 1] and (catalog.files_dir(catalog.read_manifest()) / CSV).is_file()


def test_a_large_network_without_files_waits_for_the_command(open_data_dir, tricky_places, monkeypatch):
    monkeypatch.setattr(publish, "ON_DEMAND_MAX_PLACES", 2)
    assert publish.ensure_published() is None
    assert not (open_data_dir / "manifest.json").exists()


# --- command and job ----------------------------------------------------------------------------

def test_the_command_exports_with_a_progress_bar_and_reports_in_french(runner, open_data_dir, tricky_places):
    result = runner.invoke(args=["opendata", "export"])

    assert result.exit_code == 0, result.output
    count = len(tricky_places[0])
    assert "Export des lieux publiés" in result.output
    assert f"{count} lieux exportés en " in result.output
    assert "lieux-de-mediation-numerique.csv : " in plain(result.output)
    assert f"{count} enregistrements" in result.output
    assert " ko" in result.output or " octets" in result.output
    assert (open_data_dir / "manifest.json").is_file()


def test_publish_all_reports_progress_for_every_place(open_data_dir, tricky_places, monkeypatch):
    monkeypatch.setattr(publish, "PROGRESS_EVERY", 4)
    steps = []
    publish.publish_all(progress=steps.append)
    assert sum(steps) == len(tricky_places[0])
    assert steps[0] == 4


def test_the_nightly_job_is_declared_at_the_configured_hour_in_paris_time(app, monkeypatch):
    from zoneinfo import ZoneInfo

    from coordination.scheduler import declared_jobs

    monkeypatch.setitem(app.config, "OPEN_DATA_EXPORT_HOUR", 3)
    jobs = {job.id: job for job in declared_jobs(app)}
    job = jobs["opendata.publish"]
    assert job.func == "export.publish:publish_all"
    trigger = job.trigger(ZoneInfo("Europe/Paris"))
    assert str(trigger.timezone) == "Europe/Paris"
    assert str(trigger.fields[trigger.FIELD_NAMES.index("hour")]) == "3"
    assert str(trigger.fields[trigger.FIELD_NAMES.index("minute")]) == "0"


def test_the_nightly_job_publishes(app, open_data_dir, tricky_places, monkeypatch):
    from coordination import scheduler

    monkeypatch.setattr(scheduler, "_app", app)
    manifest = scheduler.run_job("export.publish:publish_all")
    assert manifest["places"] == len(tricky_places[0])
    assert (open_data_dir / CSV).is_file()
