"""Issue 15: an import keeps every usable place. An invalid optional value is dropped with a warning
naming its line, column and value; a bad SIRET attaches the place to the placeholder organisation; an
unreadable CSV line costs that line only. Text-quality warnings, JSON shapes, headers, coordinates."""
import json

from coordination.directory import imports
from coordination.directory.models import Place
from tests.directory.imports.helpers import csv_text, place_count, real_file, row
from tests.french import plain


def warnings_of(outcome, column=None):
    return [p for p in outcome.problems if p.severity == "warning" and (column is None or p.column == column)]


def errors_of(outcome):
    return [p for p in outcome.problems if p.severity == "error"]


# --- 1. an invalid optional value costs the value, not the place -----------------------------------

def test_each_invalid_optional_value_is_dropped_and_the_place_kept(coordinator, write):
    bad = row(id="lieu-2", nom="Lieu deux", horaires="Mo-Fr 09:00-12:00 sauf jours fériés", telephone="12",
              site_web="ftp:x", fiche_acces_libre="pas une adresse", prise_rdv="rdv",
              courriels="mfs@ville-louvres", dispositif_programmes_nationaux="Programme inconnu")
    outcome = imports.apply_file(write(csv_text([row(), bad])), actor=coordinator)
    assert errors_of(outcome) == []
    assert outcome.report.applied and place_count() == 2
    columns = {p.column for p in warnings_of(outcome) if p.line == 3}
    assert {"horaires", "telephone", "site_web", "fiche_acces_libre", "prise_rdv", "courriels",
            "dispositif_programmes_nationaux"} <= columns
    phone = next(p for p in warnings_of(outcome, "telephone"))
    assert phone.line == 3 and "« 12 »" in plain(phone.message) and "laissée de côté" in plain(phone.message)
    place = Place.query.filter_by(external_id="lieu-2").one()
    assert place.opening_hours is None and place.phone is None and place.website is None
    assert place.emails == [] and place.programmes == [] and place.accessibility_url is None


def test_a_list_of_addresses_keeps_the_valid_ones(coordinator, write):
    outcome = imports.apply_file(write(csv_text([row(courriels="accueil@breil.fr|mdsba@cc montsdupilat.fr")])),
                                 actor=coordinator)
    assert outcome.report.applied
    warning = warnings_of(outcome, "courriels")[0]
    assert "« mdsba@cc »" in plain(warning.message) and "gardé : accueil@breil.fr" in plain(warning.message)
    assert Place.query.one().emails == ["accueil@breil.fr"]


def test_bad_or_missing_siret_attaches_the_place_to_the_placeholder_organisation(coordinator, write):
    rows = [row(id="a", nom="Lieu A", pivot="77567267221138"), row(id="b", nom="Lieu B", pivot="")]
    outcome = imports.apply_file(write(csv_text(rows)), actor=coordinator)
    assert errors_of(outcome) == [] and outcome.report.applied
    reasons = {p.line: plain(p.reason) for p in warnings_of(outcome, "pivot")}
    assert reasons == {2: "pivot invalide : lieu rattaché aux structures sans SIRET", 3: "SIRET absent"}
    assert {p.organisation.pivot for p in Place.query.all()} == {imports.UNKNOWN_PIVOT}
    assert {p.organisation.name for p in Place.query.all()} == {imports.UNKNOWN_PIVOT_ORGANISATION}


def test_what_makes_a_place_unusable_still_rejects_the_row(coordinator, write):
    rows = [row(id="a", nom=""), row(id="b", latitude="-47.2", longitude="1.5"), row(id="c"), row(id="c", nom="C2"),
            row(id="d", nom="Lieu D")]
    outcome = imports.apply_file(write(csv_text(rows)), actor=coordinator, skip_invalid=True)
    assert outcome.plan.rejected_lines == [2, 3, 5]
    assert outcome.report.applied and place_count() == 2


def test_a_line_with_an_unquoted_separator_costs_that_line_only(coordinator, write):
    text = csv_text([row(id="a", nom="Lieu A"), row(id="b", nom="Lieu B", prise_rdv="https://rdv.exemple.fr"),
                     row(id="c", nom="Lieu C")])
    lines = text.splitlines()
    lines[2] = lines[2].replace("Lieu B", "Lieu B, annexe")  # a comma without quotes: one cell too many
    lines[3] = ",".join(lines[3].split(",")[:-3])  # three cells missing
    outcome = imports.check_file(write("\n".join(lines) + "\n"), actor=coordinator)
    assert outcome.read.readable and outcome.plan is not None
    assert outcome.plan.rejected_lines == [3, 4] and outcome.plan.to_create == 1
    first = next(p for p in errors_of(outcome) if p.line == 3)
    assert plain(first.reason) == "nombre de cellules incorrect" and "sans guillemets" in plain(first.message)
    assert [p.line for p in errors_of(outcome)] == [3, 4]  # one error per line, no noise about its cells
    applied = imports.apply_file(write("\n".join(lines) + "\n"), actor=coordinator, skip_invalid=True)
    assert applied.report.applied and [p.external_id for p in Place.query.all()] == ["a"]


def test_an_unclosed_quote_is_still_an_error_of_the_whole_file(coordinator, write):
    text = csv_text([row(id="a"), row(id="b")])
    lines = text.splitlines()
    lines[2] = lines[2].replace("Espace numérique du Breil", '"Espace numérique du Breil')
    outcome = imports.check_file(write("\n".join(lines) + "\n"), actor=coordinator)
    assert not outcome.read.readable and outcome.plan is None


def test_json_reports_name_the_other_object_by_its_number(coordinator, write):
    records = [{k: v for k, v in row(id=f"x{i}", nom=f"Lieu {i}").items()} for i in range(3)]
    records[2]["id"] = "x0"
    outcome = imports.check_file(write(json.dumps(records), name="lieux.json"), actor=coordinator)
    duplicate = next(p for p in errors_of(outcome) if p.column == "id")
    assert imports.problem_where(duplicate, json_file=True) == "objet n° 3"
    assert "déjà celui de l'objet n° 1" in plain(duplicate.message)


# --- 7. coordinates rounded the same way in and out -------------------------------------------------

def test_coordinates_are_kept_with_the_six_decimals_the_export_writes(coordinator, write):
    outcome = imports.apply_file(write(csv_text([row(latitude="47.23054449999", longitude="-1.59010050001")])),
                                 actor=coordinator)
    assert outcome.report.applied
    place = Place.query.one()
    assert (place.latitude, place.longitude) == (47.230544, -1.590101)


def test_reimporting_our_own_export_updates_nothing(coordinator, db, open_data_dir):
    from coordination.testing.factories import make_organisation, make_place
    from export import publish
    organisation = make_organisation("Médiathèque", pivot="44306184100047")
    # positions from the geocoder or a person's click: more than six decimals, some on a rounding edge
    for latitude, longitude in ((47.2173005, -1.5534005), (47.12345649999, 2.98765450001),
                                (43.2962455000001, 5.3699995), (48.856613999, 2.352221999)):
        make_place(organisation, latitude=latitude, longitude=longitude)
    publish.publish_all()
    for name in ("lieux-de-mediation-numerique.csv", "lieux-de-mediation-numerique.json"):
        outcome = imports.apply_file(open_data_dir / name, actor=coordinator)
        assert outcome.report.applied, plain(imports.summary_lines(outcome))
        assert outcome.report.updated == 0 and outcome.plan.unchanged == 4, (name, outcome.plan.places)


# --- 5. text-quality warnings, headers, JSON shapes -----------------------------------------------

def test_text_quality_warnings_name_the_value(coordinator, write):
    rows = [row(id="a", nom="MÃ©diathÃ¨que", presentation_resume="Acc\ufffds libre"),
            row(id="b", nom="Lieu B", horaires="Mo-Fr 09:00-12:00; Sa 11:00-11:00"),
            row(id="c", nom="Lieu C", horaires="24/7"),
            row(id="d", nom="Lieu D", telephone="08 92 68 02 44"),
            row(id="e", nom="Lieu E", telephone="Fax : 02 40 12 34 56")]
    outcome = imports.apply_file(write(csv_text(rows)), actor=coordinator)
    assert outcome.report.applied and place_count() == 5  # warnings only
    found = {(p.line, p.column, plain(p.reason)): plain(p.message) for p in warnings_of(outcome)}
    assert "« MÃ©diathÃ¨que »" in found[(2, "nom", "texte mal encodé")]
    assert (2, "presentation_resume", "texte mal encodé") in found
    assert "« Mo-Fr 09:00-12:00; Sa 11:00-11:00 »" in found[(3, "horaires", "horaires de durée nulle")]
    assert "« 24/7 »" in found[(4, "horaires", "horaires 24 h/24")]
    assert "« 08 92 68 02 44 »" in found[(5, "telephone", "téléphone surtaxé")]
    assert (6, "telephone", "téléphone : fax") in found
    quiet = imports.check_file(write(csv_text([row(horaires="Mo-Fr 09:00-12:00,14:00-17:30",
                                                   nom="Médiathèque « L'Été »")])), actor=coordinator)
    assert warnings_of(quiet) == []


def test_headers_are_read_without_case_nor_accents(coordinator, write):
    text = csv_text([row()])
    header, rest = text.split("\n", 1)
    header = header.replace("nom", "Nom").replace("code_postal", "CODE POSTAL").replace("telephone", "Téléphone")
    outcome = imports.apply_file(write(header + "\n" + rest), actor=coordinator)
    assert outcome.report.applied, plain(imports.summary_lines(outcome))
    place = Place.query.one()
    assert (place.name, place.postcode, place.phone) == ("Espace numérique du Breil", "44100", "+33240123456")
    renamed = next(p for p in warnings_of(outcome) if p.line == 1)
    assert "« Nom » → « nom »" in plain(renamed.message) and "« Téléphone » → « telephone »" in plain(renamed.message)


def json_places(count=2):
    return [row(id=f"x{i}", nom=f"Lieu {i}") for i in range(count)]


def test_a_json_wrapper_is_read_under_its_known_key(coordinator, write):
    for key in ("data", "lieux", "items", "results", "records", "Data"):
        wrapped = {"meta": {"source": "exemple", "tags": ["a", "b"]}, "links": [], key: json_places()}
        outcome = imports.check_file(write(json.dumps(wrapped), name="lieux.json"), actor=coordinator)
        assert outcome.read.readable and outcome.plan.to_create == 2, (key, outcome.problems)


def test_geojson_features_bring_their_point(coordinator, write):
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.5901, 47.2305]},
                 "properties": {k: v for k, v in place.items() if k not in ("latitude", "longitude")}}
                for place in json_places()]
    outcome = imports.apply_file(write(json.dumps({"type": "FeatureCollection", "features": features}),
                                       name="lieux.geojson"), actor=coordinator)
    assert outcome.report.applied and place_count() == 2
    assert {(p.latitude, p.longitude) for p in Place.query.all()} == {(47.2305, -1.5901)}


def test_a_json_scalar_gets_the_list_message(coordinator, write):
    for content in ('"lieux"', "42", "true", "null", '{"meta": {"n": 1}}'):
        outcome = imports.check_file(write(content, name="lieux.json"), actor=coordinator)
        assert outcome.plan is None
        [problem] = outcome.problems
        assert "le fichier doit contenir une liste d'objets" in plain(problem.message).lower(), content
        assert imports.problem_where(problem, json_file=outcome.read.json) == "fichier"


# --- the real files (../shared/reference/real-world), skipped without them ------------------------

def test_real_files_lose_only_the_places_without_name_or_location(reference, coordinator):
    """Before issue 15: 4,862 of 4,930 conseillers numériques places and 2,652 of 2,683 France Services."""
    cnfs = imports.check_file(real_file(reference, "conseillers-numeriques-lieux-2022.mednum-0.1.json"),
                              actor=coordinator)
    assert (cnfs.plan.rows, cnfs.plan.to_create, cnfs.plan.rejected_lines) == (4930, 4930, [])
    reasons = dict(cnfs.plan.warnings_by_reason())
    assert reasons["horaires de durée nulle"] == 14
    france = imports.check_file(real_file(reference, "france-services-2022-12-01.csv"), actor=coordinator)
    assert (france.plan.rows, france.plan.to_create) == (2683, 2657)
    rejected = [r for r in france.read.iter_rows() if r.line in set(france.plan.rejected_lines)]  # read again
    assert len(rejected) == 26  # the 26 left: no address, no commune, no coordinates
    for rejected_row in rejected:
        assert not any(rejected_row.record.get(c) for c in ("adresse", "commune", "latitude", "longitude"))
    reasons = dict(france.plan.warnings_by_reason())
    assert (reasons["horaires de durée nulle"], reasons["texte mal encodé"], reasons["téléphone surtaxé"]) == (12, 4, 1)


def test_a_place_already_in_the_directory_keeps_its_organisation_when_the_siret_is_bad(coordinator, write):
    path = write(csv_text([row()]))
    assert imports.apply_file(path, actor=coordinator).report.applied
    outcome = imports.apply_file(write(csv_text([row(pivot="73282932000075")])), actor=coordinator)
    assert outcome.report.applied and outcome.plan.unchanged == 1
    assert Place.query.one().organisation.pivot == "73282932000074"


# --- a place with coordinates and no address (issue 15: « no place with a name and a location lost ») ---

def test_a_place_with_coordinates_and_no_address_is_kept_on_the_map_and_out_of_the_files(
        coordinator, write, client, open_data_dir):
    from export import publish
    path = write(csv_text([row(), row(id="lieu-2", nom="EPN Battant", adresse="", code_postal="",
                                      commune="Besançon", code_insee="25056", latitude="47.2611",
                                      longitude="5.9997")]))
    outcome = imports.apply_file(path, actor=coordinator, publication=imports.ACCEPTED)
    assert outcome.report.applied and errors_of(outcome) == [] and place_count() == 2
    warnings = {p.column: p for p in warnings_of(outcome) if p.line == 3}
    assert "Adresse absente : le lieu est importé à ses coordonnées (47.26110, 5.99970)" in plain(warnings["adresse"].message)
    assert "Code postal absent" in plain(warnings["code_postal"].message)
    place = Place.query.filter_by(external_id="lieu-2").one()
    assert (place.address, place.postcode, place.commune) == (None, None, "Besançon")
    page = plain(client.get(f"/lieux/{place.public_id}").get_data(as_text=True))
    assert "Adresse non renseignée : le lieu est placé sur la carte." in page and "None" not in page
    manifest = publish.publish_all()
    assert manifest["places"] == 1 and manifest["without_address"] == 1  # the standard requires an address
    page = plain(client.get("/open-data").get_data(as_text=True))
    assert "1 lieu du site, placé sur la carte par ses seules coordonnées, y entrera dès que son adresse sera " \
           "renseignée." in page


def test_without_address_nor_coordinates_a_row_is_still_rejected(coordinator, write):
    outcome = imports.apply_file(write(csv_text([row(adresse="", latitude="", longitude="")])), actor=coordinator)
    assert not outcome.report.applied and [plain(p.reason) for p in errors_of(outcome)] == ["adresse : vide"]


def test_an_empty_address_in_the_file_leaves_the_stored_one_alone(coordinator, write):
    assert imports.apply_file(write(csv_text([row()])), actor=coordinator).report.applied
    stored = Place.query.one().address
    outcome = imports.apply_file(write(csv_text([row(adresse="", date_maj="2030-01-01")]), name="b.csv"),
                                 actor=coordinator)
    assert outcome.report.applied
    assert Place.query.one().address == stored
