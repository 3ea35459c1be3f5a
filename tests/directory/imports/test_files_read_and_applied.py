"""The import of directory files: reading (formats, encodings, bad input), the use case
(all or nothing, idempotence, organisations, duplicates, permissions) and the round trip."""
import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from coordination.audit import AuditRecord
from coordination.auth.models import Organisation
from coordination.directory import imports, serializers
from coordination.directory.models import Place, SearchIndexQueue
from coordination.errors import PermissionDenied
from coordination.testing.factories import make_organisation, make_place, make_user
from tests.directory.imports.helpers import HEADER, csv_text, place_count, problems_of, row
from tests.french import plain

UUID_1 = "0b8f6a3e-3c1d-4a51-9d35-6f0d8c1a2b01"


def imported(path, coordinator) -> Place:
    """The place the file's first row becomes once imported (a dry run keeps no row's values)."""
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.report.applied, outcome.problems
    return Place.query.order_by(Place.id).first()


def snapshot():
    """Every place and organisation as stored: "nothing changed" compares two snapshots."""
    from coordination.extensions import db
    places = [tuple(r) for r in db.session.execute(select(Place.__table__).order_by(Place.id))]
    organisations = [tuple(r) for r in db.session.execute(select(Organisation.__table__).order_by(Organisation.id))]
    return places, organisations


def only_problem(outcome, column, severity="error"):
    found = [p for p in outcome.problems if p.column == column and p.severity == severity]
    assert len(found) == 1, [(p.line, p.column, plain(p.message)) for p in outcome.problems]
    return found[0]


# --- applying a good file -------------------------------------------------------------------

def test_a_standard_csv_creates_places_and_a_pending_organisation(coordinator, write):
    path = write(csv_text([row(), row(id=UUID_1, nom="Médiathèque Jacques Demy", adresse="24 quai de la Fosse",
                                   latitude="47.2110", longitude="-1.5680", telephone="")]))
    outcome = imports.apply_file(path, actor=coordinator)
    assert not outcome.has_errors, outcome.problems
    assert outcome.report.applied and outcome.report.created == 2
    places = {p.external_id or p.public_id: p for p in Place.query.all()}
    first = places["lieu-1"]
    assert first.public_id != "lieu-1" and len(first.public_id) == 36  # not a UUID: kept as external id
    assert places[UUID_1].public_id == UUID_1 and places[UUID_1].external_id is None
    assert first.services == ["Aide aux démarches administratives", "Accès internet et matériel informatique"]
    assert first.coordinates_source == "import" and first.geocode_status is None
    assert first.phone == "+33240123456" and first.emails == ["accueil@breil.exemple.fr"]
    organisation = first.organisation
    assert (organisation.pivot, organisation.status, organisation.kind) == ("73282932000074", "pending", "association")
    assert organisation.name == "Espace numérique du Breil"
    assert organisation.contact_email == "accueil@breil.exemple.fr"
    assert places[UUID_1].organisation_id == organisation.id
    # date_maj: noon in Paris, stored as naive UTC, so that the export gives the same day back
    assert first.updated_at.isoformat() == "2024-03-15T11:00:00" and first.verified_at == first.updated_at
    assert serializers.last_update(first) == date(2024, 3, 15)
    queued = {q.place_id for q in SearchIndexQueue.query.all()}
    assert queued == {p.id for p in places.values()}
    record = AuditRecord.query.filter_by(action="place.import").one()
    assert record.actor_id == coordinator.id
    assert record.details["created"] == 2 and record.details["rows"] == 2
    assert "Breil" not in json.dumps(record.details)  # counts only, no row content


def test_rows_without_coordinates_wait_for_the_geocoder(coordinator, write):
    path = write(csv_text([row(latitude="", longitude="")]))
    assert imports.apply_file(path, actor=coordinator).report.applied
    place = Place.query.one()
    assert (place.latitude, place.geocode_status, place.coordinates_source) == (None, "pending", None)


def test_an_existing_organisation_is_found_by_pivot(coordinator, write):
    organisation = make_organisation("Association du Breil", pivot="73282932000074", status="active")
    outcome = imports.apply_file(write(csv_text([row()])), actor=coordinator)
    assert outcome.report.organisations_created == 0
    assert Place.query.one().organisation_id == organisation.id
    assert Organisation.query.count() == 1


def test_organisation_name_and_kind_come_from_the_row(coordinator, write):
    path = write(csv_text([row(structure_parente="Ville de Nantes", typologie="MUNI", courriels="",
                               pivot="21440109300015")]))
    assert imports.apply_file(path, actor=coordinator).report.applied
    organisation = Organisation.query.one()
    assert (organisation.name, organisation.kind, organisation.status) == ("Ville de Nantes", "commune", "pending")
    assert organisation.contact_email == coordinator.email  # no address in the row: the importer's care


def test_only_coordinators_import(db, write):
    partner = make_user("partenaire@exemple.fr")
    path = write(csv_text([row()]))
    with pytest.raises(PermissionDenied):
        imports.check_file(path, actor=partner)
    with pytest.raises(PermissionDenied):
        imports.apply_file(path, actor=partner)
    assert place_count() == 0


# --- idempotence and updates ----------------------------------------------------------------

def test_importing_the_same_file_twice_changes_nothing(coordinator, write):
    path = write(csv_text([row(), row(id=UUID_1, nom="Autre lieu", latitude="", longitude="")]))
    assert imports.apply_file(path, actor=coordinator).report.created == 2
    before = snapshot()
    records = AuditRecord.query.count()
    again = imports.apply_file(path, actor=coordinator)
    assert again.report.applied
    assert (again.plan.unchanged, again.plan.to_create, again.plan.to_update) == (2, 0, 0)
    assert snapshot() == before  # changed_at, version, updated_at: nothing moved
    assert AuditRecord.query.count() == records + 1


def test_geocoded_coordinates_are_kept_when_the_file_has_none(coordinator, write, db):
    path = write(csv_text([row(latitude="", longitude="")]))
    imports.apply_file(path, actor=coordinator)
    place = Place.query.one()
    place.latitude, place.longitude, place.coordinates_source, place.geocode_status = 47.23, -1.59, "geocoder", "done"
    db.session.commit()
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.plan.unchanged == 1
    assert Place.query.one().latitude == 47.23


def test_a_newer_row_updates_the_place(coordinator, write):
    imports.apply_file(write(csv_text([row()])), actor=coordinator)
    place = Place.query.one()
    version, changed_at = place.version, place.changed_at
    path = write(csv_text([row(nom="Espace numérique du Breil (nouveau nom)", date_maj="2024-05-02",
                               frais_a_charge="Gratuit|Payant")]), name="v2.csv")
    planned = imports.plan_import(imports.read_path(path).rows, actor=coordinator)  # keeps every place
    assert planned.places[0].changed == ["date_maj", "frais_a_charge", "nom"]
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.report.updated == 1
    from coordination.extensions import db
    db.session.expire_all()
    place = Place.query.one()
    assert place.name.endswith("(nouveau nom)") and place.fees == ["Gratuit", "Payant"]
    assert place.version == version + 1 and place.changed_at >= changed_at
    assert serializers.last_update(place) == date(2024, 5, 2)


def test_an_older_row_does_not_overwrite_a_newer_listing(coordinator, write):
    imports.apply_file(write(csv_text([row(date_maj="2024-05-02")])), actor=coordinator)
    before = snapshot()
    outcome = imports.apply_file(write(csv_text([row(nom="Ancien nom", date_maj="2023-01-01")]), name="old.csv"),
                                 actor=coordinator)
    assert outcome.plan.unchanged == 1
    warning = only_problem(outcome, "date_maj", "warning")
    assert "02/05/2024" in plain(warning.message)
    assert snapshot() == before


# --- all or nothing -------------------------------------------------------------------------

def test_one_bad_row_and_nothing_is_written(coordinator, write):
    make_place(make_organisation(pivot="35600000000048"))
    before = snapshot()
    rows = [row(id=f"lieu-{i}", nom=f"Lieu {i}") for i in range(5)]
    rows[3]["latitude"], rows[3]["longitude"] = "-47.2305", "1.5901"  # unusable: outside France (issue 15)
    outcome = imports.apply_file(write(csv_text(rows)), actor=coordinator)
    assert not outcome.report.applied
    problem = only_problem(outcome, "latitude")
    assert problem.line == 5  # header = line 1, the fourth place is line 5
    assert "(-47.2305, 1.5901)" in plain(problem.message) and "hors de France" in plain(problem.message)
    assert outcome.plan.to_create == 4 and outcome.plan.rejected_lines == [5]
    assert snapshot() == before
    assert AuditRecord.query.filter_by(action="place.import").count() == 0


def test_skip_invalid_imports_the_other_rows(coordinator, write):
    rows = [row(id="a", nom="Lieu A"), row(id="b", nom="")]
    outcome = imports.apply_file(write(csv_text(rows)), actor=coordinator, skip_invalid=True)
    assert outcome.report.applied and outcome.report.created == 1
    assert [p.external_id for p in Place.query.all()] == ["a"]


# --- bad input: each gives a clear report and changes nothing --------------------------------

def assert_nothing_written(outcome):
    assert outcome.report is None or not outcome.report.applied
    assert place_count() == 0 and Organisation.query.count() == 0


def test_empty_file(coordinator, write):
    for content in ("", "\n\n", "\ufeff"):
        outcome = imports.apply_file(write(content), actor=coordinator)
        assert [plain(p.message) for p in problems_of(outcome)] == ["Le fichier est vide : il ne contient aucun lieu."]
        assert_nothing_written(outcome)
    outcome = imports.apply_file(write(csv_text([])), actor=coordinator)
    assert "que la ligne d'en-tête" in plain(problems_of(outcome)[0].message)
    assert_nothing_written(outcome)


def test_a_file_over_the_size_limit_is_refused(coordinator, write, tmp_path):
    path = tmp_path / "gros.csv"
    with path.open("wb") as out:
        out.write(csv_text([row()]).encode())
        out.truncate(40 * 1024 * 1024)  # 40 MB (sparse: quick to make)
    outcome = imports.apply_file(path, actor=coordinator)
    assert [plain(p.message) for p in problems_of(outcome)] == [
        "Le fichier fait 40,0 Mo : la limite est de 30,0 Mo. Découpez-le en plusieurs fichiers "
        "(par département, par exemple)."]
    assert_nothing_written(outcome)


def test_missing_required_columns(coordinator, write):
    header = [c for c in HEADER if c not in ("pivot", "date_maj")]
    outcome = imports.apply_file(write(csv_text([row()], header=header)), actor=coordinator)
    problem = problems_of(outcome)[0]
    assert (problem.line, problem.severity) == (1, "error")
    assert plain(problem.message).startswith("Colonnes obligatoires absentes : pivot, date_maj.")
    assert_nothing_written(outcome)


def test_latin1_file_is_read_and_reported(coordinator, write):
    path = write(csv_text([row(nom="Médiathèque Aimé-Césaire")]), encoding="cp1252")
    outcome = imports.check_file(path, actor=coordinator)
    warning = only_problem(outcome, "", "warning")
    assert "n'est pas en UTF-8" in plain(warning.message) and "Windows-1252" in plain(warning.message)
    assert place_count() == 0  # a dry run
    assert imported(path, coordinator).name == "Médiathèque Aimé-Césaire"


def test_utf8_with_bom_and_crlf(coordinator, write):
    path = write(b"\xef\xbb\xbf" + csv_text([row(nom="Médiathèque")], newline="\r\n").encode())
    outcome = imports.check_file(path, actor=coordinator)
    assert not problems_of(outcome), outcome.problems
    assert outcome.read.encoding == "UTF-8 avec BOM"
    assert imported(path, coordinator).name == "Médiathèque"


def test_semicolon_separator_is_sniffed(coordinator, write):
    outcome = imports.check_file(write(csv_text([row()], separator=";")), actor=coordinator)
    assert not outcome.has_errors and outcome.plan.to_create == 1


def test_unknown_vocabulary_value(coordinator, write):
    """An unknown value is left out with a warning, the place kept with the others (issue 15)."""
    path = write(csv_text([row(), row(id="lieu-2", services="Aide aux démarches administratives|Cours de cuisine")]))
    outcome = imports.apply_file(path, actor=coordinator)
    problem = only_problem(outcome, "services", "warning")
    assert problem.line == 3
    assert "Valeur inconnue « Cours de cuisine » dans la colonne « services »" in plain(problem.message)
    assert "Maîtrise des outils numériques du quotidien" in plain(problem.message)  # the allowed values
    assert outcome.report.applied and place_count() == 2
    assert Place.query.filter_by(external_id="lieu-2").one().services == ["Aide aux démarches administratives"]


def test_near_miss_vocabulary_values_are_mapped_with_a_warning(coordinator, write):
    path = write(csv_text([row(services="aide aux demarches administratives",
                               modalites_acces="Ce lieu n’accueille pas de public",
                               typologie="asso")]))
    outcome = imports.check_file(path, actor=coordinator)
    assert not outcome.has_errors, outcome.problems
    place = imported(path, coordinator)
    assert place.services == ["Aide aux démarches administratives"]
    assert place.access_modes == ["Ce lieu n'accueille pas de public"]
    assert place.typology == ["ASSO"]
    assert {p.column for p in problems_of(outcome, "warning")} == {"services", "modalites_acces", "typologie"}


def test_duplicated_ids(coordinator, write):
    outcome = imports.apply_file(write(csv_text([row(), row(nom="Autre")])), actor=coordinator)
    problem = only_problem(outcome, "id")
    assert problem.line == 3 and "déjà celui de la ligne 2" in plain(problem.message)
    assert_nothing_written(outcome)


def test_decimal_comma_is_accepted_with_a_warning(coordinator, write):
    path = write(csv_text([row(latitude="47,2305", longitude="-1,5901")], separator=";"))
    outcome = imports.check_file(path, actor=coordinator)
    assert not outcome.has_errors
    assert {p.column for p in problems_of(outcome, "warning")} == {"latitude", "longitude"}
    assert imported(path, coordinator).latitude == 47.2305


def test_coordinates_outside_france(coordinator, write):
    outcome = imports.apply_file(write(csv_text([row(latitude="-1.5901", longitude="47.2305")])),
                                 actor=coordinator)
    problem = only_problem(outcome, "latitude")
    assert "hors de France" in plain(problem.message) and problem.line == 2
    assert_nothing_written(outcome)


def test_overseas_coordinates_are_in_france(coordinator, write):
    outcome = imports.check_file(write(csv_text([row(latitude="-20.8821", longitude="55.4504",
                                                     code_postal="97400", code_insee="97411")])),
                                   actor=coordinator)
    assert not outcome.has_errors, outcome.problems


def test_french_dates_are_accepted_and_invalid_ones_rejected(coordinator, write):
    outcome = imports.check_file(write(csv_text([row(date_maj="15/03/2024")])), actor=coordinator)
    assert not outcome.has_errors
    assert "lue comme 2024-03-15" in plain(only_problem(outcome, "date_maj", "warning").message)
    outcome = imports.apply_file(write(csv_text([row(date_maj="31/02/2024")]), name="b.csv"), actor=coordinator)
    assert "n'est pas une date valable" in plain(only_problem(outcome, "date_maj").message)
    assert_nothing_written(outcome)


def test_invalid_phone(coordinator, write):
    outcome = imports.apply_file(write(csv_text([row(telephone="01 23")])), actor=coordinator)
    problem = only_problem(outcome, "telephone", "warning")
    assert "« 01 23 »" in plain(problem.message) and "Numéro de téléphone invalide" in plain(problem.message)
    assert outcome.report.applied and Place.query.one().phone is None


def test_french_phone_is_stored_in_international_form(coordinator, write):
    assert imported(write(csv_text([row(telephone="02 40 12 34 56")])), coordinator).phone == "+33240123456"


def test_postcode_that_lost_its_leading_zero(coordinator, write):
    path = write(csv_text([row(code_postal="1200", commune="Valserhône", code_insee="1033", latitude="46.106",
                               longitude="5.826")]))
    outcome = imports.check_file(path, actor=coordinator)
    assert not outcome.has_errors
    place = imported(path, coordinator)
    assert (place.postcode, place.insee_code) == ("01200", "01033")
    assert "« 01200 »" in plain(only_problem(outcome, "code_postal", "warning").message)


def test_every_problem_of_a_row_is_listed(coordinator, write):
    outcome = imports.check_file(write(csv_text([row(nom="", courriels="pas-une-adresse", site_web="ftp:x",
                                                     horaires="lundi matin")])), actor=coordinator)
    assert {p.column for p in problems_of(outcome, "error")} == {"nom"}
    assert {p.column for p in problems_of(outcome, "warning")} >= {"courriels", "site_web", "horaires"}


# --- JSON and the 0.1 standard ------------------------------------------------------------------

def test_json_with_lists_as_arrays(coordinator, write):
    record = row(latitude=47.2305, longitude=-1.5901, services=["Aide aux démarches administratives"],
                 courriels=["a@exemple.fr", "b@exemple.fr"], code_postal=44100)
    outcome = imports.apply_file(write(json.dumps([record]), name="lieux.json"), actor=coordinator)
    assert outcome.report.applied, outcome.problems
    place = Place.query.one()
    assert place.emails == ["a@exemple.fr", "b@exemple.fr"] and place.postcode == "44100"


V01_HEADER = ["id", "pivot", "nom", "commune", "code_postal", "adresse", "latitude", "longitude", "courriel",
              "telephone", "horaires", "date_maj", "services", "publics_accueillis", "conditions_acces",
              "labels_nationaux", "labels_autres", "modalites_accompagnement", "cle_ban"]


def test_standard_01_is_mapped(coordinator, write):
    record = {
        "id": "cnfs-1", "pivot": "73282932000074", "nom": "Point numérique", "commune": "Nantes",
        "code_postal": "44000", "adresse": "1 place Royale", "latitude": "47.2150", "longitude": "-1.5590",
        "courriel": "pn@exemple.fr", "telephone": "0240000000", "horaires": "Mo 09:00-12:00",
        "date_maj": "2022-05-09",
        "services": "Devenir autonome dans les démarches administratives;Accompagner les démarches de santé;"
                    "Prendre en main un ordinateur;S'équiper en matériel informatique",
        "publics_accueillis": "Seniors (+ 65 ans);Surdité;Adultes",
        "conditions_acces": "Adhésion : L'accès au lieu et/ou à ses services nécessite d'y adhérer",
        "labels_nationaux": "CNFS;France Services;APTIC", "labels_autres": "Label local",
        "modalites_accompagnement": "Seul : j'ai accès à du matériel et une connexion;"
                                    "A ma place : une personne habilitée fait les démarches à ma place",
        "cle_ban": "44109_xxx",
    }
    path = write(csv_text([record], separator=";", header=V01_HEADER))
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.read.format == "0.1"
    assert outcome.report.applied, outcome.problems
    place = Place.query.one()
    assert place.services == ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien",
                              "Acquisition de matériel informatique à prix solidaire"]
    assert place.publics == ["Seniors"] and place.specific_support == ["Surdité"]
    assert place.fees == ["Payant"]
    assert place.programmes == ["Conseillers numériques", "France Services"]
    assert place.other_labels == ["Label local", "APTIC"]
    assert place.support_modes == ["En autonomie", "Accompagnement individuel"]
    assert place.emails == ["pn@exemple.fr"] and place.phone == "+33240000000"


def test_standard_01_unknown_value(coordinator, write):
    record = {c: "" for c in V01_HEADER} | {
        "id": "x", "pivot": "73282932000074", "nom": "N", "commune": "Nantes", "code_postal": "44000",
        "adresse": "1 rue", "date_maj": "2022-05-09", "services": "Apprendre la cuisine", "courriel": ""}
    outcome = imports.apply_file(write(csv_text([record], separator=";", header=V01_HEADER)), actor=coordinator)
    problem = only_problem(outcome, "services", "warning")
    assert "« Apprendre la cuisine »" in plain(problem.message) and "(standard 0.1)" in plain(problem.message)
    assert "au moins un service" in plain(only_problem(outcome, "services").message)  # none left: the row is refused
    assert "Prendre en main un ordinateur" in plain(problem.message)
    assert_nothing_written(outcome)


def test_unknown_pivot_places_share_one_pending_organisation(coordinator, write):
    rows = [row(id="a", nom="A", pivot="00000000000000"), row(id="b", nom="B", pivot="00000000000000")]
    outcome = imports.apply_file(write(csv_text(rows)), actor=coordinator)
    assert outcome.report.applied
    organisation = Organisation.query.one()
    assert organisation.name == imports.UNKNOWN_PIVOT_ORGANISATION and organisation.status == "pending"
    assert len(problems_of(outcome, "warning")) == 2


def test_invalid_pivot(coordinator, write):
    """A bad SIRET attaches the place to the placeholder organisation (issue 15)."""
    outcome = imports.apply_file(write(csv_text([row(pivot="73282932000075")])), actor=coordinator)
    assert "clé de contrôle" in plain(only_problem(outcome, "pivot", "warning").message)
    assert outcome.report.applied
    assert Place.query.one().organisation.pivot == imports.UNKNOWN_PIVOT


# --- duplicates across sources ------------------------------------------------------------------

def test_possible_duplicates_are_reported_not_merged(coordinator, write):
    organisation = make_organisation(pivot="73282932000074")
    existing = make_place(organisation, name="Espace Numérique du BREIL", postcode="44100",
                          latitude=47.2305, longitude=-1.5901)
    near = row(id="autre-source", nom="Espace numérique du Breil", pivot="35600000000048",
               latitude="47.2310", longitude="-1.5905")  # same name + postcode, ~60 m away
    same_pivot = row(id="troisieme", nom="espace numerique du breil", latitude="", longitude="")
    far = row(id="loin", nom="Espace numérique du Breil", pivot="44306184100047", adresse="8 route de Vannes",
              latitude="47.30", longitude="-1.50")  # another address, 10 km away
    outcome = imports.apply_file(write(csv_text([near, same_pivot, far])), actor=coordinator)
    found = {(d.row_id, d.other_id) for d in outcome.plan.duplicates}
    assert found == {("autre-source", existing.public_id), ("troisieme", existing.public_id)}
    assert all("Doublon possible" in plain(p.message) for p in problems_of(outcome, "warning") if p.column == "id")
    assert outcome.report.created == 3  # reported, created anyway


def test_duplicates_inside_the_file(coordinator, write):
    rows = [row(id="a"), row(id="b", latitude="47.2306")]
    outcome = imports.check_file(write(csv_text(rows)), actor=coordinator)
    [duplicate] = outcome.plan.duplicates
    assert (duplicate.row_id, duplicate.other_id, duplicate.other_line) == ("b", "a", 2)


# --- round trip: an export imported reproduces every standard field -----------------------------

def exported_csv(places) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(serializers.STANDARD_FIELDS)
    for place in places:
        record = serializers.standard_record(place, source="Réseau test")
        writer.writerow([serializers.csv_value(record[c]) for c in serializers.STANDARD_FIELDS])
    return out.getvalue()


def built_places():
    association = make_organisation(pivot="73282932000074", kind="association")
    commune = make_organisation(pivot="21440109300015", kind="commune")
    return [
        make_place(association, summary="x" * 200 + " fin " + "y" * 75, description="Détail.",
                   publics=["Seniors", "Jeunes"], specific_support=["Surdité"], programmes=["Aidants Connect"],
                   labels=["ORDI 3.0"], other_labels=["Label local"], access_modes=["Se présenter"],
                   itinerance=["Fixe"], typology=["ASSO", "EPN"], website="https://a.exemple.fr",
                   appointment_url="https://rdv.exemple.fr", accessibility_url="https://acceslibre.exemple.fr",
                   address_complement="Bâtiment B", parent_structure="Fédération"),
        make_place(commune, postcode="01200", insee_code="01033", commune="Valserhône", latitude=46.1060711578,
                   longitude=5.8260084241, phone="+33450568749", emails=["a@exemple.fr", "b@exemple.fr"]),
        make_place(commune, latitude=None, longitude=None, coordinates_source=None, opening_hours=None, phone=None),
    ]


def records_by_id(text: str) -> dict:
    return {r["id"]: r for r in csv.DictReader(io.StringIO(text))}


def test_round_trip_into_an_empty_database(coordinator, write, db):
    places = built_places()
    text = exported_csv(places)
    before = records_by_id(text)
    for table in (Place.__table__, Organisation.__table__):
        db.session.execute(table.delete())
    db.session.commit()
    outcome = imports.apply_file(write(text), actor=coordinator)
    assert outcome.report.applied and outcome.report.created == 3, outcome.problems
    for organisation in Organisation.query.all():  # the export publishes active organisations only
        organisation.status = "active"
    db.session.commit()
    after = records_by_id(exported_csv(Place.query.order_by(Place.id).all()))
    assert after == before


def test_round_trip_over_the_same_database_changes_nothing(coordinator, write):
    places = built_places()
    text = exported_csv(places)
    before = snapshot()
    outcome = imports.apply_file(write(text), actor=coordinator)
    assert outcome.report.applied, outcome.problems
    assert outcome.plan.unchanged == 3 and outcome.report.updated == 0
    assert snapshot() == before
    assert records_by_id(exported_csv(Place.query.order_by(Place.id).all())) == records_by_id(text)


# --- the command line ------------------------------------------------------------------------------

def test_cli_dry_run_then_apply(coordinator, runner, write):
    path = write(csv_text([row(), row(id="lieu-2", nom="Lieu 2", date_maj="15/03/2024")]))
    result = runner.invoke(args=["opendata", "import", str(path), "--dry-run", "--as", coordinator.email])
    assert result.exit_code == 0, plain(result.output)
    assert "Lieux à créer : 2" in plain(result.output)
    assert "ligne 3, colonne date_maj [avertissement]" in plain(result.output)
    assert "rien n'a été écrit" in plain(result.output)
    assert place_count() == 0
    result = runner.invoke(args=["opendata", "import", str(path), "--as", coordinator.email])
    assert result.exit_code == 0, plain(result.output)
    assert "Import appliqué : 2 lieux créés" in plain(result.output)
    assert place_count() == 2


def test_cli_exit_code_and_report_on_errors(coordinator, runner, write):
    path = write(csv_text([row(), row(id="lieu-2", nom="")]))
    result = runner.invoke(args=["opendata", "import", str(path), "--as", coordinator.email])
    assert result.exit_code == 1
    assert "ligne 3, colonne nom [erreur]" in plain(result.output)
    assert "nom : vide : 1 ligne" in plain(result.output)
    assert "rien n'a été importé" in plain(result.output)
    assert place_count() == 0


def test_cli_needs_a_coordinator(db, runner, write):
    path = write(csv_text([row()]))
    result = runner.invoke(args=["opendata", "import", str(path)])
    assert result.exit_code == 2 and "--as" in plain(result.output)
    partner = make_user("p@exemple.fr")
    result = runner.invoke(args=["opendata", "import", str(path), "--as", partner.email])
    assert result.exit_code == 1 and "n'est pas un compte coordinateur actif" in plain(result.output)
    assert place_count() == 0
