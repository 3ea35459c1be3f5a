"""Mapping profiles (coordination/directory/imports/profiles.py): a file in no known format, read as the standard 1.0.1
through a profile, then checked by the import exactly as a standard file (issue 15, item 2)."""
import csv
import json

import pytest

from coordination.directory.models import Place
from coordination.directory import imports
from coordination.directory.imports import profiles
from tests.french import plain

SAMPLE_HEADER = ["Identifiant", "NOM DU LIEU", "Adresse postale", "CP", "Ville", "Latitude", "Longitude",
                 "Mise à jour", "Type", "Lundi", "Mardi"]
SAMPLE_ROWS = [
    ["a1", "Médiathèque des Halles", "2 place des Halles", "44000", "Nantes", "47.2173", "-1.5534",
     "05/05/2021 14:29:42", "Médiathèque ; Autre chose", "9h-12h", "Fermé"],
    ["a2", "Espace numérique du Port", "1 quai du Port", "44100", "Nantes", "47.2100", "-1.5600",
     "2022-01-10", "EPN", "14h à 17h30", "9h12h et 14h-18h"],
]
SAMPLE_PROFILE = {
    "nom": "essai",
    "separateur_liste": ";",
    "identifiant": {"colonne": "Identifiant", "prefixe": "essai-"},
    "colonnes": {"nom": "nom du lieu", "adresse": "ADRESSE POSTALE", "code_postal": "CP", "commune": "Ville",
                 "latitude": "Latitude", "longitude": "Longitude", "date_maj": "Mise à jour", "typologie": "Type"},
    "valeurs": {"typologie": {"mediatheque": "BIB"}},
    "valeurs_par_defaut": {"pivot": "00000000000000", "services": "Aide aux démarches administratives"},
    "horaires": {"format": "par-jour", "jours": {"lundi": "Lundi", "mardi": "Mardi"}},
}


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "lieux-du-territoire.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([SAMPLE_HEADER, *SAMPLE_ROWS])
    return path


# --- without a profile: said honestly ----------------------------------------------------------------

def test_a_file_in_no_known_format_is_not_labelled_standard(coordinator, sample):
    outcome = imports.check_file(sample, actor=coordinator)
    assert outcome.read.format == imports.UNKNOWN_FORMAT
    assert plain(outcome.format_label) == "format inconnu"
    [problem] = outcome.problems
    assert problem.severity == "error" and problem.line == 1 and plain(problem.reason) == "format non reconnu"
    assert plain(problem.message).startswith("Format non reconnu : ce fichier n'a pas les colonnes du standard")
    assert "Colonnes trouvées : Adresse postale, CP, Identifiant, Latitude," in plain(problem.message)
    assert "--profil NOM" in plain(problem.message) and "hinaura-2022, mednum-bfc-2023, region-sud-2022" in plain(problem.message)
    assert "Format : format inconnu" in plain(imports.summary_lines(outcome))[0]


def test_a_standard_file_missing_a_required_column_still_says_which(coordinator, tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text("id,nom,commune,code_postal,adresse\nl1,Lieu,Nantes,44000,1 rue A\n", encoding="utf-8")
    outcome = imports.check_file(path, actor=coordinator)
    assert outcome.read.format == "1.0.1"
    assert plain(outcome.problems[0].message).startswith("Colonnes obligatoires absentes : pivot, date_maj.")


# --- with a profile ------------------------------------------------------------------------------------

def test_a_profile_maps_columns_values_and_weekday_hours(coordinator, sample):
    profile = profiles.parse(SAMPLE_PROFILE)
    outcome = imports.apply_file(sample, actor=coordinator, profile=profile)
    assert outcome.report.applied, outcome.problems
    assert plain(outcome.format_label) == "fichier lu avec le profil « essai » (converti en 1.0.1)"
    first, second = Place.query.order_by(Place.name.desc()).all()
    assert (first.name, first.postcode, first.typology, first.opening_hours) == (
        "Médiathèque des Halles", "44000", ["BIB"], "Mo 09:00-12:00")
    assert first.external_id == "essai-a1" and first.services == ["Aide aux démarches administratives"]
    assert second.typology == ["EPN"]  # already a value of the standard
    assert second.opening_hours == "Mo 14:00-17:30; Tu 09:00-12:00,14:00-18:00"
    warnings = [p for p in outcome.problems if p.severity == "warning"]
    unmatched = [p for p in warnings if plain(p.reason) == "valeur sans correspondance dans le profil"]
    assert [(p.line, p.column) for p in unmatched] == [(2, "typologie")]
    assert "« Autre chose »" in plain(unmatched[0].message)


def test_a_profile_naming_a_column_the_file_lacks_is_refused(coordinator, sample):
    data = {**SAMPLE_PROFILE, "colonnes": {**SAMPLE_PROFILE["colonnes"], "telephone": "Téléphone fixe"}}
    outcome = imports.check_file(sample, actor=coordinator, profile=profiles.parse(data))
    [problem] = outcome.problems
    assert plain(problem.message).startswith("Colonne du profil « essai » absente du fichier : Téléphone fixe.")
    assert outcome.plan is None


def test_free_text_hours_go_to_the_description_with_a_warning(coordinator, tmp_path):
    path = tmp_path / "lieux.json"
    path.write_text(json.dumps([
        {"ref": "1", "titre": "Lieu A", "rue": "1 rue A", "cp": "44000", "ville": "Nantes", "h": "Lundi 9h-12h"},
        {"ref": "2", "titre": "Lieu B", "rue": "2 rue B", "cp": "44000", "ville": "Nantes", "h": "Mo-Fr 09:00-12:00"},
    ]), encoding="utf-8")
    profile = profiles.parse({
        "nom": "texte", "identifiant": {"colonne": "ref"},
        "colonnes": {"nom": "titre", "adresse": "rue", "code_postal": "cp", "commune": "ville"},
        "valeurs_par_defaut": {"pivot": "00000000000000", "date_maj": "2024-01-01",
                               "services": "Aide aux démarches administratives"},
        "horaires": {"format": "texte-libre", "colonne": "h"}})
    outcome = imports.apply_file(path, actor=coordinator, profile=profile)
    assert outcome.report.applied, outcome.problems
    a, b = Place.query.order_by(Place.name).all()
    assert a.opening_hours is None and a.description == "Horaires : Lundi 9h-12h"
    assert b.opening_hours == "Mo-Fr 09:00-12:00"
    [warning] = [p for p in outcome.problems if plain(p.reason) == "horaires en texte libre"]
    assert warning.line == 2 and "« Lundi 9h-12h »" in plain(warning.message)


def test_cli_imports_with_a_saved_profile(app, coordinator, runner, sample, tmp_path):
    folder = tmp_path / "profils"
    folder.mkdir()
    (folder / "essai.json").write_text(json.dumps(SAMPLE_PROFILE), encoding="utf-8")
    app.config["IMPORT_PROFILES_DIR"] = str(folder)
    try:
        result = runner.invoke(args=["opendata", "import", str(sample), "--as", coordinator.email,
                                     "--profil", "essai"])
        unknown = runner.invoke(args=["opendata", "import", str(sample), "--as", coordinator.email,
                                      "--profil", "inconnu"])
        without = runner.invoke(args=["opendata", "import", str(sample), "--as", coordinator.email])
        by_path = runner.invoke(args=["opendata", "import", str(sample), "--as", coordinator.email, "--dry-run",
                                      "--profil", str(folder / "essai.json")])
    finally:
        app.config["IMPORT_PROFILES_DIR"] = ""
    assert result.exit_code == 0, plain(result.output)
    assert "Format : fichier lu avec le profil « essai »" in plain(result.output)
    assert "Import appliqué : 2 lieux créés" in plain(result.output)
    assert unknown.exit_code == 1
    assert "Profil « inconnu » introuvable. Profils disponibles : essai, hinaura-2022," in plain(unknown.output)
    assert without.exit_code == 1 and "Format non reconnu" in plain(without.output) and "--profil" in plain(without.output)
    assert by_path.exit_code == 0 and "Lieux à créer : 0 ; à mettre à jour : 0 ; inchangés : 2" in plain(by_path.output)


# --- bad profiles: a French message naming the key ----------------------------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    ({"couleur": "bleu"}, "Clé inconnue « couleur »"),
    ({"nom": "Mon Profil!"}, "« nom » : de 1 à 64 caractères"),
    ({"colonnes": {"nom": "x", "telephone_fixe": "y"}}, "« colonnes.telephone_fixe » : « telephone_fixe » n'est pas"),
    ({"colonnes": {**SAMPLE_PROFILE["colonnes"], "nom": ""}}, "« colonnes.nom » : indiquez un nom de colonne"),
    ({"colonnes": {"nom": "NOM DU LIEU"}}, "Champs obligatoires sans colonne ni valeur par défaut : commune,"),
    ({"valeurs": {"typologie": {"Médiathèque": "Bibliothèque"}}},
     "« valeurs.typologie.Médiathèque » : « Bibliothèque » n'est pas une valeur du standard pour typologie"),
    ({"valeurs": {"frais_a_charge": "Gratuit"}}, "« valeurs.frais_a_charge » : un objet"),
    ({"horaires": {"format": "libre"}}, "« horaires.format » : osm, par-jour, texte-libre."),
    ({"horaires": {"format": "par-jour", "jours": {"lundy": "Lundi"}}}, "« horaires.jours » : pour chaque jour"),
    ({"horaires": {"format": "osm"}}, "« horaires.colonne » : indiquez un nom de colonne"),
    ({"separateur_liste": ""}, "« separateur_liste » : de 1 à 5 caractères"),
    ({"identifiant": {"prefixe": "a b"}}, "« identifiant.prefixe » : jusqu'à 40 caractères"),
    ({"valeurs_par_defaut": {"pivot": 0}}, "« valeurs_par_defaut.pivot » : un champ du standard et un texte."),
])
def test_bad_profiles_are_refused_naming_the_key(change, expected):
    with pytest.raises(profiles.ProfileError) as error:
        profiles.parse({**SAMPLE_PROFILE, **change})
    assert plain(error.value.message).startswith(expected), plain(error.value.message)


def test_a_profile_file_that_is_not_json(tmp_path):
    path = tmp_path / "casse.json"
    path.write_text("{nom: ", encoding="utf-8")
    with pytest.raises(profiles.ProfileError, match="pas un JSON valable"):
        profiles.load_path(path)
    with pytest.raises(profiles.ProfileError, match="ne peut pas être lu"):
        profiles.load_path(tmp_path / "absent.json")
    with pytest.raises(profiles.ProfileError, match=r"Nom de profil «.\.\./etc.» invalide"):
        profiles.load("../etc")


def test_a_profile_saved_for_the_page_is_found_by_name(app, tmp_path):
    app.config["IMPORT_PROFILES_DIR"] = str(tmp_path / "profils")
    try:
        path = profiles.save({**SAMPLE_PROFILE, "nom": "mon-territoire"})
        assert path == tmp_path / "profils" / "mon-territoire.json"
        assert profiles.load("mon-territoire").columns["nom"] == ["nom du lieu"]
        assert "mon-territoire" in profiles.available()
        with pytest.raises(profiles.ProfileError, match=r"« horaires\.format »"):
            profiles.save({**SAMPLE_PROFILE, "nom": "autre", "horaires": {"format": "?"}})
        assert not (tmp_path / "profils" / "autre.json").exists()
    finally:
        app.config["IMPORT_PROFILES_DIR"] = ""


def test_shipped_profiles_are_valid():
    assert profiles.available() == ["hinaura-2022", "mednum-bfc-2023", "region-sud-2022"]
    for name in profiles.available():
        assert profiles.load(name).name == name


# --- helpers of the conversion --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "ranges"), [
    ("9h à 12h et 14h à 17h", [("09:00", "12:00"), ("14:00", "17:00")]),
    ("8h30-12h", [("08:30", "12:00")]),
    ("9h12h", [("09:00", "12:00")]),
    ("14h18h", [("14:00", "18:00")]),
    ("8h30 à 12h30 - 13h30 à 17h00", [("08:30", "12:30"), ("13:30", "17:00")]),
    ("Fermé", []), ("x", []), ("-", []), ("", []),
    ("sur rendez vous", None), ("14h-12h", None), ("9h", None),
])
def test_day_ranges(text, ranges):
    assert profiles.day_ranges(text) == ranges


def test_list_items_with_glued_separators_and_quotes():
    profile = profiles.parse({**SAMPLE_PROFILE, "separateur_liste": ",", "separateur_sans_espace_apres": True})
    value = 'Privé à but non lucratif (association, ONG...)","<i class=""fas""></i> Surdité",Seniors,'
    assert profiles.split_items(profile, value) == ["Privé à but non lucratif (association, ONG...)", "Surdité",
                                                    "Seniors"]


# --- suggestions (for the mapping page) ----------------------------------------------------------------

def test_suggest_from_names_case_and_accent_insensitive_and_values():
    samples = {
        "NOM DE LA STRUCTURE": ["Médiathèque", "EPN du Port"],
        "VILLE": ["Nantes", "Rezé"],
        "Code Postal": ["44000", "44400"],
        "Téléphone": ["02 40 41 42 43", ""],
        "contact": ["accueil@mairie.fr", "epn@exemple.org"],
        "lien": ["https://www.exemple.fr", "http://mairie.fr"],
        "x": ["47.2184", "47.1"],
        "y": ["-1.5536", "-1.6"],
        "Mise à jour": ["2021-05-05", ""],
        "Type de lieu": ["Médiathèque", ""],
    }
    assert profiles.suggest(samples) == {
        "nom": "NOM DE LA STRUCTURE", "commune": "VILLE", "code_postal": "Code Postal", "telephone": "Téléphone",
        "courriels": "contact", "site_web": "lien", "latitude": "x", "longitude": "y", "date_maj": "Mise à jour",
        "typologie": "Type de lieu"}


# --- the real regional files with their shipped profile -------------------------------------------------

REAL = [
    # file, profile, places in the file, importable today at least, a place: id -> expected fields
    ("mednum-bfc-2023.csv", "mednum-bfc-2023", 697, 676, "mednum-bfc-mednumBFC_TL_1_",
     {"name": "Onlineformapro Dijon", "postcode": "21000", "commune": "DIJON", "typology": ["OF"],
      "other_labels": ["APTIC"], "phone": "+33373275157", "emails": ["pf@onlineformapro.com"],
      "opening_hours": "Mo-Fr 08:30-12:00,13:30-17:00"}),
    ("hinaura-lieux-2022.json", "hinaura-2022", 1171, 1124, None,
     {"name": "MAISON DE SERVICES AU PUBLIC D'ABONDANCE", "postcode": "74360", "typology": ["MSAP"],
      "opening_hours": "Tu-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00", "fees": ["Gratuit"],
      "publics": ["Jeunes", "Familles et/ou enfants", "Seniors"]}),
    ("region-sud-lieux-2022.csv", "region-sud-2022", 1245, 1238, None,
     {"name": "Centre Communal d'Action Sociale", "postcode": "04000", "insee_code": "04070",
      "commune": "DIGNE-LES-BAINS", "address": "rue pierre magnan"}),
]
# what may reject a row of these files today (issue 15 item 1 will keep most of them, the values dropped)
KNOWN_REASONS = {"adresse : vide", "code_postal : vide", "commune : vide", "courriels : valeur invalide",
                 "site_web : valeur invalide", "telephone : valeur invalide", "pivot invalide",
                 "id en double dans le fichier"}


@pytest.mark.parametrize(("name", "profile_name", "rows", "importable", "place_id", "fields"), REAL,
                         ids=[r[1] for r in REAL])
def test_real_regional_file_imports_with_its_profile(reference, coordinator, name, profile_name, rows, importable,
                                                     place_id, fields):
    path = reference / "real-world" / name
    if not path.is_file():
        pytest.skip(f"{path} is missing: no real file to import")
    profile = profiles.load(profile_name)
    outcome = imports.apply_file(path, actor=coordinator, profile=profile, skip_invalid=True,
                                 max_bytes=path.stat().st_size + 1)
    plan = outcome.plan
    assert outcome.read.format == "profil" and plan.rows == rows
    assert outcome.report.applied
    assert outcome.report.created >= importable
    assert outcome.report.created + len(plan.rejected_lines) == rows
    assert Place.query.count() == outcome.report.created
    assert {reason for reason, _count in plan.rejected_by_reason()} <= KNOWN_REASONS
    place = (Place.query.filter_by(external_id=place_id).one() if place_id
             else Place.query.filter_by(name=fields["name"], address=fields.get("address", Place.address)).first())
    assert place is not None
    assert {key: getattr(place, key) for key in fields} == fields
    assert place.external_id.startswith(profile_name.rsplit("-", 1)[0] + "-")
    # a second import of the same file finds the same ids: nothing new
    again = imports.check_file(path, actor=coordinator, profile=profile, max_bytes=path.stat().st_size + 1)
    assert again.plan.to_create == 0


def test_suggestions_for_the_real_files_find_the_required_fields(reference):
    expected = {
        "hinaura-lieux-2022.json": {"nom": "Nom du lieu ou de la structure *", "adresse": "Adresse postale *",
                                    "commune": "Ville *", "code_postal": "Code postal", "latitude": "bf_latitude",
                                    "longitude": "bf_longitude", "date_maj": "datetime_latest"},
        "mednum-bfc-2023.csv": {"nom": "nom_structure", "adresse": "adresse", "commune": "ville",
                                "code_postal": "code_postal", "latitude": "lat", "longitude": "lon",
                                "date_maj": "mise_a_jour"},
        "region-sud-lieux-2022.csv": {"nom": "nom", "adresse": "adresse_rue", "commune": "adresse_commune",
                                      "code_postal": "adresse_code_postal", "latitude": "latitude",
                                      "longitude": "longitude"},
    }
    for name, fields in expected.items():
        path = reference / "real-world" / name
        if not path.is_file():
            pytest.skip(f"{path} is missing")
        if name.endswith(".json"):
            rows = json.loads(path.read_text(encoding="utf-8"))[:20]
        else:
            with path.open(encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle, delimiter=";" if "sud" in name else ","))[:20]
        suggested = profiles.suggest({column: [row[column] for row in rows] for column in rows[0]})
        assert {key: suggested.get(key) for key in fields} == fields, name
