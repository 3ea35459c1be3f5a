"""The relevance benchmark (bench/relevance.py, `make relevance`): the judged set is what the issue
asks, a place is judged by what the data says, success@5 counts as documented, the harness reads the
real results page in order and offers every file to the product's import."""
import csv
import json
import math
import re
from collections import Counter
from types import SimpleNamespace

import pytest

from bench import relevance
from coordination.directory import search
from coordination.directory.services import search as search_use_case
from coordination.testing.factories import make_organisation, make_place, make_user
from tests.french import plain

NANTES = (47.2184, -1.5536)
DEMARCHES = "Aide aux démarches administratives"


def offset(km_north=0.0, km_east=0.0, origin=NANTES):
    return (origin[0] + km_north / 111.195,
            origin[1] + km_east / (111.195 * math.cos(math.radians(origin[0]))))


def facts(name="Lieu", point=NANTES, services_=(DEMARCHES,), programmes=(), typology=(), external_id=None):
    return relevance.PlaceFacts("3f1c7a52-1d2b-4c55-9a9e-2b7f5d1e0a11", external_id, name, "Nantes", point[0],
                                point[1], list(services_), list(programmes), list(typology))


def query(rules, where="Nantes", text="démarches", centre=NANTES):
    return relevance.Query(line=2, text=text, where=where, insee="44109", latitude=centre[0], longitude=centre[1],
                           rules=relevance.parse_rules(rules, 2), kind="besoin")


# --- the judged set --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def judged():
    return relevance.load_queries()


def test_the_judged_set_is_what_the_issue_asks(judged):
    assert len(judged) >= 80
    kinds = Counter(q.kind for q in judged)
    assert kinds["faute"] >= 2 and kinds["sans accent"] >= 5 and kinds["pluriel"] >= 5
    named = [q for q in judged if any(kind == "lieu" for kind, _ in q.rules)]
    assert len(named) >= 10, "une dizaine de requêtes qui nomment un lieu réel"
    assert len({q.insee for q in judged}) >= 30, "des communes dans toute la France"
    towns = {"44143", "44109", "05061", "54395", "69383", "13055", "93066", "17299", "38509", "92050", "21231",
             "25056"}
    assert towns <= {q.insee for q in judged}
    texts = {plain(q.text).lower() for q in judged}
    for need in ("imprimer un document", "déclaration caf", "impots", "carte grise", "ameli", "retraite",
                 "apprendre ordinateur", "smartphone", "wifi gratuit", "aide cv", "conseiller numérique",
                 "france services", "démarhces administratives", "conseillers numériques"):
        assert need in texts, need


def test_every_town_has_an_insee_code_and_one_true_centre_in_france(judged):
    centres = {}
    for q in judged:
        assert re.fullmatch(r"(\d{5}|2[AB]\d{3})", q.insee), q
        assert -22 < q.latitude < 52 and -62 < q.longitude < 56, q  # mainland, Corsica and overseas
        centres.setdefault(q.insee, set()).add((q.latitude, q.longitude))
    assert all(len(points) == 1 for points in centres.values()), centres


def test_a_rule_outside_the_national_standard_stops_the_run_naming_the_line(tmp_path):
    path = tmp_path / "requetes.csv"
    path.write_text("requete,ou,insee,latitude,longitude,attendu,genre\n"
                    "caf,Nantes,44109,47.2184,-1.5536,service:Aide aux démarches,besoin\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="ligne 2 : « Aide aux démarches » n'est pas une valeur « service »"):
        relevance.load_queries(path)
    path.write_text("requete,ou,insee,latitude,longitude,attendu,genre\n"
                    "caf,Nantes,44109,47.2184,-1.5536,Aide aux démarches administratives,besoin\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"ligne 2 : règle .* illisible"):
        relevance.load_queries(path)


# --- judging ---------------------------------------------------------------------------------

def test_relevant_means_the_needed_service_within_10_km_of_the_true_centre():
    rules = f"service:{DEMARCHES} | programme:France Services"
    asked = query(rules)
    assert relevance.is_relevant(facts(point=offset(9.9)), asked)
    assert not relevance.is_relevant(facts(point=offset(10.2)), asked)
    assert not relevance.is_relevant(facts(point=offset(1), services_=["Loisirs et créations numériques"]), asked)
    assert relevance.is_relevant(facts(point=offset(1), services_=[], programmes=["France Services"]), asked)
    assert not relevance.is_relevant(facts(point=(None, None)), asked)


def test_a_named_place_by_its_id_in_its_file_and_a_kind_of_place_by_its_name():
    named = query("lieu:625AE3A305457B0790817705")
    assert relevance.is_relevant(facts(external_id="625ae3a305457b0790817705"), named)
    assert not relevance.is_relevant(facts(external_id="625ae3a305457b0790817706"), named)
    libraries = query("typologie:BIB | nom:médiathèque")
    assert relevance.is_relevant(facts(name="MEDIATHEQUE JULES VERNE", services_=[]), libraries)
    assert relevance.is_relevant(facts(name="Espace", services_=[], typology=["BIB"]), libraries)
    assert not relevance.is_relevant(facts(name="Bus numérique", services_=[]), libraries)


@pytest.mark.parametrize("top, relevant_count, success", [
    ([True, True, True, False, False], 10, True),
    ([False, True, True, True, True], 10, False),      # the first result decides
    ([True, True, False, False, False], 10, False),    # 2 of 5 when 10 exist
    ([True, True, False, False, False], 2, True),      # all of the 2 that exist
    ([True, False, False, False, False], 2, False),
    ([True], 1, True),
    ([], 3, False),
])
def test_success_at_5(top, relevant_count, success):
    assert relevance.success_at_5(top, relevant_count) is success


# --- the harness on the real page and the real import ----------------------------------------

@pytest.fixture
def nantes_located(monkeypatch):
    where = SimpleNamespace(latitude=NANTES[0], longitude=NANTES[1], label="Nantes", commune="Nantes",
                            insee_code="44109", postcode="44000", approximate=False)
    monkeypatch.setattr(search_use_case, "_locate", {"Nantes": where}.get)
    yield
    search.close_searchers()


def test_the_harness_reads_the_results_page_in_order_and_counts_as_documented(app, nantes_located):
    organisation = make_organisation()
    spots = {"Démarches à 1 km": (1, DEMARCHES), "Démarches à 2 km": (2, DEMARCHES),
             "Ateliers à 3 km": (3, "Loisirs et créations numériques"), "Démarches à 4 km": (4, DEMARCHES),
             "Démarches à 25 km": (25, DEMARCHES)}
    for name, (km, service) in spots.items():
        point = offset(km)
        make_place(organisation, name=name, latitude=point[0], longitude=point[1], services=[service],
                   description="Accompagnement numérique")
    search.reindex()
    queries = [query(f"service:{DEMARCHES}", text="accompagnement"),                       # 3 relevant
               query("service:Parentalité et éducation avec le numérique", text="pronote"),  # none: excluded
               query(f"service:{DEMARCHES}", text="zzzzqx")]                             # no result
    clock = search_use_case.datetime
    verdicts = relevance.judge(app, queries)
    assert search_use_case.datetime is clock, "the search day is pinned during the run only"

    first, excluded, empty = verdicts
    assert first.first.startswith("Démarches à 1 km") and first.results == 4
    assert first.top == [True, True, False, True] and first.relevant_count == 3 and first.success
    assert excluded.excluded == "aucun lieu pertinent à moins de 10 km" and excluded.relevant_count == 0
    assert empty.results == 0 and not empty.success
    numbers = relevance.figures(verdicts)
    assert (numbers["counted"], numbers["excluded"], numbers["successes"], numbers["empty"]) == (2, 1, 1, 1)
    assert numbers["success_rate"] == numbers["empty_rate"] == 0.5


def test_the_results_page_parser_takes_each_results_first_place_link():
    page = relevance.ResultsPage()
    page.feed('<a href="/lieux/menu">x</a><ol class="results"><li class="result"><h3><a href="/lieux/a-1">A</a>'
              '</h3><a href="/lieux/a-1/fiche">fiche</a></li><li class="result"><a href="tel:+33">t</a>'
              '<a href="/lieux/b-2">B</a></li></ol><li class="other"><a href="/lieux/c-3">C</a></li>')
    assert page.public_ids == ["a-1", "b-2"]


def test_every_file_is_offered_to_the_import_and_reported_per_file(app, tmp_path):
    actor = make_user(coordinator=True)
    rows = [{"id": f"5f0c1a2b3c4d5e6f7a8b9c0{n}", "nom": f"Espace numérique {n}", "pivot": "73282932000074",
             "commune": "Nantes", "code_postal": "44000", "adresse": f"{n} rue de Strasbourg",
             "latitude": 47.2173, "longitude": -1.5534, "services": "Prendre en main un ordinateur",
             "labels_nationaux": "CNFS", "source": "conseiller-numerique", "date_maj": "2022-05-09"}
            for n in (1, 2)]
    (tmp_path / "a-lieux-0.1.json").write_text(json.dumps(rows), encoding="utf-8")
    with (tmp_path / "b-autre-forme.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["nom_structure", "ville"], ["Médiathèque", "Dijon"]])

    lines = relevance.import_files(actor, tmp_path)

    assert lines == [("a-lieux-0.1.json", "importé : 2 lieux"),
                     ("b-autre-forme.csv", lines[1][1])]
    assert plain(lines[1][1]) == ("non lu : Format non reconnu : ce fichier n'a pas les colonnes du standard « Lieux de "
                           "médiation numérique » (obligatoires : id, pivot, nom, commune, code_postal, adresse, "
                           "date_maj) ni celles de la liste France Services")
    assert "Colonnes trouvées" not in lines[1][1]
