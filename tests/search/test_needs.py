"""The needs vocabulary (issue 14, item 1): a reviewed file mapping residents' words to the national
standard, checked at start; a query naming a need finds the places offering it, says how it was
understood, and offers the literal words; the API's q understands the same way."""
import json
from html import unescape
from pathlib import Path

import pytest

from coordination import create_app
from coordination.config import TestConfig
from coordination.directory import search, services
from coordination.directory.search import needs
from coordination.directory.services import search as search_use_case
from coordination.testing.factories import make_organisation, make_place
from coordination.vocabularies import PROGRAMMES, SERVICES, TYPOLOGY_CODES

DATA_INCLUSION = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "data-inclusion"
DEMARCHES = "Aide aux démarches administratives"
OUTILS = "Maîtrise des outils numériques du quotidien"
ACCES = "Accès internet et matériel informatique"
HEADER = "terme,nature,services,programmes,typologies\n"


# --- the file ------------------------------------------------------------------------------------

def test_the_file_has_the_residents_words_each_mapped_to_the_standard():
    vocabulary = needs.load(needs.DEFAULT_FILE)
    assert len(vocabulary) >= 150
    assert {need.kind for need in vocabulary} == {"acronym", "word", "phrase", "brand"}
    for need in vocabulary:
        assert set(need.services) <= set(SERVICES), need
        assert set(need.programmes) <= set(PROGRAMMES), need
        assert set(need.typologies) <= set(TYPOLOGY_CODES), need
        assert need.services or need.programmes or need.typologies, need
    terms = {needs.key_of(need.term) for need in vocabulary}
    for word in ("caf", "cpam", "ameli", "impots", "ants", "carte grise", "permis de conduire", "passeport",
                 "france travail", "pole emploi", "retraite", "carsat", "msa", "rsa", "prime d'activite",
                 "cheque energie", "doctolib", "mail", "courriel", "cv", "lettre de motivation", "imprimer",
                 "photocopier", "scanner", "wifi", "smartphone", "tablette", "ordinateur", "arnaque", "pronote",
                 "ent", "parentalite", "materiel reconditionne"):
        assert word in terms, word
    search.build_needs_index(vocabulary)  # no two terms are the same once analysed


def test_typologies_are_codes_of_the_data_inclusion_reference():
    path = DATA_INCLUSION / "typologies-de-structures-v0.json"
    if not path.exists():
        pytest.skip("référentiel data·inclusion absent")
    codes = {entry["value"] for entry in json.loads(path.read_text(encoding="utf-8"))}
    used = {code for need in needs.load(needs.DEFAULT_FILE) for code in need.typologies}
    assert used and used <= codes


@pytest.mark.parametrize(("lines", "message"), [
    ("CAF,sigle,Aide aux démarches administratives,,\ncaf,sigle,Aide aux démarches administratives,,\n",
     "ligne 3 : « caf » figure déjà ligne 2"),
    ("impôts,mot,Aide aux impôts,,\n", "ligne 2 : « Aide aux impôts » n'est pas une valeur de « services »"),
    ("CAF,sigle,,Point CAF,\n", "ligne 2 : « Point CAF » n'est pas une valeur de « programmes »"),
    ("smartphone,mot,,,ZZZ\n", "ligne 2 : « ZZZ » n'est pas une valeur de « typologies »"),
    ("wifi,chose,Accès internet et matériel informatique,,\n", "ligne 2 : nature « chose » inconnue"),
    ("wifi,mot,,,\n", "ligne 2 : « wifi » n'est associé à aucun service"),
    ("wifi,mot\n", "ligne 2 : 5 colonnes attendues, 2 trouvées"),
    ("impôts,mot,Aide aux démarches administratives,,\nimpots,mot,Aide aux démarches administratives,,\n",
     "ligne 3 : « impots » figure déjà ligne 2"),
    ("impôts,mot,Aide aux démarches administratives,,\nimpôt,mot,Aide aux démarches administratives,,\n",
     "ligne 3 : « impôt » se cherche comme « impôts » (ligne 2)"),
])
def test_a_bad_needs_file_stops_the_start_naming_the_line(tmp_path, lines, message):
    path = tmp_path / "besoins.csv"
    path.write_text(HEADER + lines, encoding="utf-8")

    class Config(TestConfig):
        NEEDS_FILE = str(path)

    with pytest.raises(needs.NeedsFileError) as error:
        create_app(Config)
    assert message in str(error.value)
    assert needs.active()[0].term == "CAF"  # the vocabulary in use is unchanged


def test_a_missing_or_headless_file_stops_the_start(tmp_path):
    class Missing(TestConfig):
        NEEDS_FILE = str(tmp_path / "absent.csv")

    with pytest.raises(needs.NeedsFileError, match="Fichier des besoins illisible"):
        create_app(Missing)
    (tmp_path / "sans-entete.csv").write_text("CAF,sigle,Aide aux démarches administratives,,\n", encoding="utf-8")

    class Headless(TestConfig):
        NEEDS_FILE = str(tmp_path / "sans-entete.csv")

    with pytest.raises(needs.NeedsFileError, match="ligne 1 : l'en-tête doit être"):
        create_app(Headless)


# --- what residents find -------------------------------------------------------------------------

@pytest.fixture
def places_by_need():
    organisation = make_organisation("Réseau de test")
    plain = dict(programmes=[], fees=[], support_modes=[])
    places = {
        "demarches": make_place(organisation, name="Maison des services", description="Accueil de tous les publics",
                                services=[DEMARCHES], **plain),
        "caf": make_place(organisation, name="Espace Bellevue", description="Permanence CAF le mardi",
                          services=[DEMARCHES], **plain),
        "cafe": make_place(organisation, name="Repair café", description="Réparer ensemble", services=[], **plain),
        "print": make_place(organisation, name="Cyber-base", description="Postes en libre accès", services=[ACCES],
                            **plain),
        "mobile": make_place(organisation, name="Atelier du Breil", description="Prendre en main son téléphone",
                             services=[OUTILS], **plain),
    }
    search.reindex()
    return places


def found(text, **kwargs):
    results = services.search_places(services.SearchRequest(text=text, sort="relevance", **kwargs), log=False)
    return [hit.place.name for hit in results.hits], results


@pytest.mark.parametrize(("text", "expected"), [
    ("caf", ["Espace Bellevue", "Maison des services"]),
    ("déclaration CAF", ["Espace Bellevue", "Maison des services"]),
    ("impots", ["Maison des services", "Espace Bellevue"]),
    ("impôts", ["Maison des services", "Espace Bellevue"]),
    ("ameli", ["Maison des services", "Espace Bellevue"]),
    ("carte grise", ["Maison des services", "Espace Bellevue"]),
    ("cartes grises", ["Maison des services", "Espace Bellevue"]),
    ("imprimer", ["Cyber-base"]),
    ("smartphone", ["Atelier du Breil"]),
    ("smartphones", ["Atelier du Breil"]),
])
def test_a_need_finds_the_places_offering_its_service(places_by_need, text, expected):
    names, results = found(text)
    assert sorted(names) == sorted(expected)
    assert "Repair café" not in names
    assert results.understood


def test_the_place_whose_text_says_it_comes_first(places_by_need):
    names, _ = found("caf")
    assert names[0] == "Espace Bellevue"


def test_the_page_says_how_it_understood_and_offers_the_literal_words(client, places_by_need):
    html = unescape(client.get("/recherche?q=démarches+CAF").get_data(as_text=True))
    assert "démarches CAF\u00a0: lieux qui aident aux démarches administratives." in html
    assert "mots=exacts" in html and "Chercher seulement les mots «\u00a0démarches CAF\u00a0»" in html
    assert 'name="mots"' not in html
    literal = unescape(client.get("/recherche?q=CAF&mots=exacts").get_data(as_text=True))
    assert "Recherche des mots exacts «\u00a0CAF\u00a0»" in literal
    assert '<input type="hidden" name="mots" value="exacts">' in literal  # kept by a new search
    assert "Espace Bellevue" in literal and "Maison des services" not in literal and "Repair café" not in literal


def plain(text):
    """French as typed in the code: the pages set it with non-breaking spaces and ’ (issue 17)."""
    if isinstance(text, list):
        return [plain(item) for item in text]
    return str(text).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")


def test_the_understood_line_for_a_programme_or_a_typology():
    assert plain(services.understood_text(search.TextQuery.parse("conseillers numériques"))) == plain(
        "conseillers numériques\u00a0: lieux du dispositif « Conseillers numériques »")
    assert services.understood_text(search.TextQuery.parse("mediatheque")) == "mediatheque\u00a0: lieux de type BIB"
    assert services.understood_text(search.TextQuery.parse("Médiathèque", literal=True)) is None


def test_the_api_q_understands_needs_too(client, places_by_need):
    body = client.get("/api/v1/lieux?q=caf").get_json()
    assert sorted(place["nom"] for place in body["lieux"]) == ["Espace Bellevue", "Maison des services"]
    body = client.get("/api/v1/lieux?q=caf&mots=exacts").get_json()
    assert [place["nom"] for place in body["lieux"]] == ["Espace Bellevue"]
    response = client.get("/api/v1/lieux?q=caf&mots=tous")
    assert response.status_code == 400
    assert "seule la valeur « exacts » est acceptée" in response.get_data(as_text=True)


def test_the_openapi_document_describes_mots(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p for p in spec["paths"]["/lieux"]["get"]["parameters"]}
    assert parameters["mots"]["schema"]["enum"] == ["exacts"]
    assert "besoins" in parameters["q"]["description"]


# --- near first, named places first, words left out -------------------------------------------------

NANTES = (47.2184, -1.5536)


def _at(organisation, name, km_north, **fields):
    fields.setdefault("programmes", [])
    return make_place(organisation, name=name, latitude=NANTES[0] + km_north / 111.195, longitude=NANTES[1],
                      **fields)


@pytest.fixture
def near_and_far(monkeypatch):
    location = type("Location", (), dict(latitude=NANTES[0], longitude=NANTES[1], label="Nantes", commune="Nantes",
                                         insee_code="44109", postcode="44000", approximate=False))()
    monkeypatch.setattr(search_use_case, "_locate", lambda where: location)
    organisation = make_organisation("Réseau de Loire")
    _at(organisation, "Maison des services", 1, services=[DEMARCHES], description="Accueil")
    _at(organisation, "Espace lointain", 30, services=[DEMARCHES], description="Vos impôts en ligne")
    _at(organisation, "Régie de quartier", 0.5, services=[], programmes=["France Services"],
        description="Accueil France services", commune="Rochefort")
    _at(organisation, "France services Rochefort", 4, services=[], programmes=["France Services"], commune="Rochefort")
    search.reindex()


def test_a_need_keeps_the_near_places_and_names_the_word_left_out(near_and_far):
    results = services.search_places(services.SearchRequest(text="impôts en ligne", where="Nantes"), log=False)
    # the places near offering démarches (France Services included), not the far one saying « en ligne »
    assert [hit.place.name for hit in results.hits] == ["Régie de quartier", "Maison des services",
                                                        "France services Rochefort"]
    assert results.radius_km == 10 and results.widened_from_km is None
    assert results.dropped_words == ["ligne"]
    assert ("Aucun lieu ne correspond à tous les mots : voici ceux qui correspondent à « impôts » "
            "(« ligne » a été laissé de côté).") in plain(results.messages)


def test_the_place_named_by_the_query_comes_first(near_and_far):
    results = services.search_places(services.SearchRequest(text="France services Rochefort", where="Nantes"),
                                     log=False)
    assert [hit.place.name for hit in results.hits] == ["France services Rochefort", "Régie de quartier"]
