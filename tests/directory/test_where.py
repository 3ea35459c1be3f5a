"""« Où », resolved right (issue 14, part 6): the official list of communes (any spelling, postcodes,
arrondissements, homonyms), centres from the BAN first then the robust median of the directory's
places, the commune of an address, misplaced places flagged to coordinators and on import, the
network's territory (part 8), and the search without the list (« position approximative »)."""
import html
import re
from pathlib import Path

import pytest

from coordination.directory import communes, geocoding, placement, search
from coordination.errors import PermissionDenied
from coordination.testing.factories import make_member, make_organisation, make_place, make_user
from coordination.directory import imports
from tests.directory.test_geocoding import ADDRESSES, Stub
from tests.directory.imports.helpers import csv_text, row


@pytest.fixture
def table(app):
    path = Path(app.config["COMMUNES_FILE"])
    assert path.exists(), f"la liste officielle des communes manque ({path}) : lancez « make assets »"
    return communes.load(path)


@pytest.fixture
def ban(app, monkeypatch, table):
    geocoding.forget_gazetteer()
    stub = Stub(app, monkeypatch)
    yield stub
    stub.close()
    geocoding.forget_gazetteer()


@pytest.fixture
def reindex():
    """Indexes the places made so far (call it once they are made)."""
    yield search.reindex
    search.close_searchers()


def plain(text):
    """French as typed in the code: the pages set it with non-breaking spaces and ’ (issue 17)."""
    if isinstance(text, list):
        return [plain(item) for item in text]
    return str(text).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return plain(html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True))))


def _places(organisation, insee_code, commune, postcode, points, **fields):
    return [make_place(organisation, insee_code=insee_code, commune=commune, postcode=postcode, latitude=lat,
                       longitude=lon, **fields) for lat, lon in points]


# --- the list --------------------------------------------------------------------------------

def test_a_commune_in_any_spelling_postcode_or_arrondissement(table):
    def codes(text):
        match = table.named(text)
        return [c.code for c in match.communes] if match else None

    assert codes("GAP") == codes("Gap") == codes("gap") == ["05061"]  # one commune
    assert codes("05000")[0] == "05061"  # a postcode shared by eight communes: the most populous first
    assert codes("ST HERBLAIN") == codes("saint-herblain") == codes("Saint Herblain") == codes("44800") == ["44162"]
    assert codes("Rezé") == codes("REZE") == ["44143"]
    assert codes("Paris 15e") == codes("paris 15") == codes("Paris 15ème") == codes("75015") == ["75115"]
    assert codes("Paris 1er") == codes("75001") == ["75101"]
    assert codes("Paris 16e") == codes("75116") == ["75116"]
    assert codes("Lyon 3e") == codes("69003") == ["69383"]
    assert codes("Marseille 1er") == codes("13001") == ["13201"]
    assert codes("Paris") == ["75056"]
    assert codes("Cherbourg-Octeville") == ["50129"]  # a former commune: the commune it joined
    assert codes("Ajaccio (2A)") == ["2A004"]
    assert codes("Zzyzxville") is None and codes("99999") is None


def test_homonyms_most_populous_first_and_a_departement_or_postcode_chooses(table):
    saint_denis = table.named("Saint-Denis")
    assert saint_denis.ambiguous
    assert [c.departement for c in saint_denis.communes[:2]] == ["974", "93"]
    populations = [c.population for c in saint_denis.communes]
    assert populations == sorted(populations, reverse=True)
    assert [c.code for c in table.named("Saint-Denis (93)").communes] == ["93066"]
    assert [c.code for c in table.named("saint denis 974").communes] == ["97411"]
    assert [c.code for c in table.named("93200 Saint-Denis").communes] == ["93066"]


def test_the_commune_of_an_address_is_next_to_its_postcode_or_at_its_end(table):
    def code(text):
        match = table.in_address(text)
        return match.communes[0].code if match else None

    assert code("12 rue de Strasbourg Nantes") == "44109"  # not the longest name found (Strasbourg)
    assert code("12 rue de Strasbourg, Nantes, France") == "44109"
    assert code("5 avenue de Paris 05000 GAP") == "05061"
    assert code("12 rue de Nantes 44800") == "44162"  # the postcode's commune, not the street's town
    assert code("1 rue de la Paix 75002 Paris") == "75102"
    assert code("12 rue de Strasbourg") is None  # a street's name is not a town


# --- locating: the geocoder up and down ---------------------------------------------------------

def test_a_misplaced_place_does_not_move_its_town(ban, app):
    """Gap: three places in town, one 60 km away (in the issue, « Gap » moved 63 km). « GAP » and
    « Gap » are one commune, even for a place written without its INSEE code."""
    organisation = make_organisation()
    _places(organisation, "05061", "Gap", "05000", [(44.5594, 6.0786), (44.5620, 6.0830), (44.5570, 6.0750)])
    make_place(organisation, insee_code=None, commune="GAP", postcode="05000", latitude=44.5600, longitude=6.0800)
    make_place(organisation, insee_code="05061", commune="Gap", postcode="05000", latitude=45.1, longitude=6.08)
    ban.down()
    for spelling in ("Gap", "GAP", "05000"):
        location = geocoding.locate(spelling)
        assert location.insee_code == "05061"
        assert search.haversine_km(location.latitude, location.longitude, 44.5594, 6.0786) < 1
        assert location.approximate is True  # the centre comes from the directory's places


def test_the_geocoder_gives_a_commune_centre_only_when_it_is_that_commune(ban, monkeypatch):
    monkeypatch.setitem(ADDRESSES, "75015 paris 15e arrondissement", (
        "Paris 15e Arrondissement", 48.8412, 2.3003, "75015", "75115", "Paris", "municipality", 0.9))
    monkeypatch.setitem(ADDRESSES, "44400 rezé", ("Rue de Rezé, Nantes", 47.2, -1.55, "44000", "44109", "Nantes",
                                                   "street", 0.8))
    organisation = make_organisation()
    _places(organisation, "44143", "Rezé", "44400", [(47.1833, -1.5569), (47.1850, -1.5500), (47.1800, -1.5600)])
    paris = geocoding.locate("Paris 15e")
    assert (paris.latitude, paris.longitude, paris.insee_code, paris.approximate) == (48.8412, 2.3003, "75115", False)
    assert geocoding.locate("75015").insee_code == "75115"
    assert len(ban.requests) == 1  # the same commune: the cache answers
    reze = geocoding.locate("Rezé")  # the BAN answered another commune: the directory's median
    assert (reze.insee_code, reze.latitude, reze.longitude, reze.approximate) == ("44143", 47.1833, -1.5569, True)


def test_geocoder_down_an_address_falls_back_on_its_commune_not_its_street(ban):
    organisation = make_organisation()
    _places(organisation, "67482", "Strasbourg", "67000", [(48.5734, 7.7521), (48.5800, 7.7500)])
    _places(organisation, "44109", "Nantes", "44000", [(47.2184, -1.5536), (47.2200, -1.5500)])
    ban.down()
    location = geocoding.locate("12 rue de Strasbourg Nantes")
    assert (location.insee_code, location.approximate) == ("44109", True)
    assert geocoding.locate("8 allée des Tilleuls 67000 Strasbourg").insee_code == "67482"


# --- the search page -------------------------------------------------------------------------

def test_saint_denis_asks_which_one_with_departements(ban, client, monkeypatch, app, reindex):
    organisation = make_organisation()
    _places(organisation, "93066", "Saint-Denis", "93200", [(48.9362, 2.3574), (48.9370, 2.3580)])
    _places(organisation, "97411", "Saint-Denis", "97400", [(-20.8789, 55.4481), (-20.8800, 55.4500)])
    reindex()
    ban.down()
    text = page(client, "/recherche?ou=Saint-Denis")
    assert "Plusieurs communes s'appellent « Saint-Denis »" in text
    choices = re.findall(r'<li><a href="[^"]*ou=([^"&]*)[^"]*">([^<]*)</a></li>', text)
    labels = [label for _, label in choices]
    assert labels[:2] == ["Saint-Denis (974, La Réunion)", "Saint-Denis (93, Seine-Saint-Denis)"]
    assert len(labels) == len(table_named := communes.current().named("Saint-Denis").communes) and len(table_named) > 2
    assert "autour de Saint-Denis (974)" in text  # the most populous, until the resident chooses
    chosen = page(client, "/recherche?ou=Saint-Denis+%2893%29")
    assert "Plusieurs communes" not in chosen and "autour de Saint-Denis" in chosen and "2 lieux trouvés" in chosen
    # Inside the network's territory, its own Saint-Denis comes first; the others are still offered.
    monkeypatch.setitem(app.config, "NETWORK_DEPARTEMENTS", "93")
    text = page(client, "/recherche?ou=Saint-Denis")
    assert "autour de Saint-Denis (93)" in text and "Plusieurs communes" in text
    # A commune known to the list that nothing can place: said so, not « aucune commune ».
    text = page(client, "/recherche?ou=Rez%C3%A9")
    assert "« Rezé » n'a pas pu être situé" in text and "Aucune commune ne correspond" not in text


def test_a_search_outside_the_territory_says_where_the_network_operates(ban, client, monkeypatch, app, reindex):
    organisation = make_organisation()
    _places(organisation, "05061", "Gap", "05000", [(44.5594, 6.0786)])
    reindex()
    monkeypatch.setitem(app.config, "NETWORK_DEPARTEMENTS", "44, 49")
    text = page(client, "/recherche?ou=Gap")
    assert ("« Gap » (Hautes-Alpes (05)) est hors du territoire du réseau "
            f"{app.config['NETWORK_NAME']}, qui couvre : Loire-Atlantique (44), Maine-et-Loire (49).") in text
    assert "1 lieu trouvé" in text  # what exists is still shown
    assert "hors du territoire" not in page(client, "/recherche?ou=Nantes")
    monkeypatch.setitem(app.config, "NETWORK_DEPARTEMENTS", "")
    assert "hors du territoire" not in page(client, "/recherche?ou=Gap")


def test_without_the_commune_list_the_search_works_on_the_directory_approximately(app, client, monkeypatch,
                                                                                   tmp_path, reindex):
    monkeypatch.setitem(app.config, "COMMUNES_FILE", str(tmp_path / "absent" / "communes.json"))
    monkeypatch.setitem(app.config, "GEOCODER_ENABLED", False)
    geocoding.forget_gazetteer()
    organisation = make_organisation()
    _places(organisation, "44162", "Saint-Herblain", "44800", [(47.21, -1.65), (47.23, -1.63)])
    reindex()
    assert communes.current() is None
    location = geocoding.locate("Saint-Herblain")
    assert (location.insee_code, location.approximate) == ("44162", True)
    assert geocoding.locate("44800").commune == "Saint-Herblain"
    text = page(client, "/recherche?q=d%C3%A9marches&ou=Saint-Herblain")
    assert "Position approximative" in text and "2 lieux trouvés" in text
    geocoding.forget_gazetteer()


# --- misplaced places: coordinators and imports -----------------------------------------------

def test_misplaced_places_are_flagged_to_coordinators(client, login, table):
    organisation = make_organisation()
    _places(organisation, "44109", "Nantes", "44000", [(47.2184, -1.5536), (47.2200, -1.5500), (47.2150, -1.5600)])
    make_place(organisation, name="Lieu égaré", insee_code="44109", commune="Nantes", postcode="44000",
               latitude=44.5594, longitude=6.0786)
    make_place(organisation, name="Lieu sans code", insee_code=None, commune="NANTES", postcode="44000",
               latitude=48.6921, longitude=6.1844)  # a 0.1 file has no INSEE code: its name and postcode tell
    found = placement.misplaced_places(actor=make_user(coordinator=True))
    assert [(m.name, m.insee_code) for m in found] == [("Lieu égaré", "44109"), ("Lieu sans code", "44109")]
    assert found[0].distance_km > 500
    with pytest.raises(PermissionDenied):
        placement.misplaced_places(actor=make_member(organisation))
    login(make_user(coordinator=True))
    text = page(client, "/coordination/lieux")
    assert "Lieux mal placés (2)" in text and "Lieu égaré" in text
    assert "Position du lieu 44.55940, 6.07860 ; centre de la commune 47.21840, -1.55360" in text


def test_an_import_warns_of_a_place_far_from_its_commune_and_keeps_it(tmp_path, table):
    coordinator = make_user("coordination@exemple.fr", coordinator=True)
    rows = [row(id=f"nantes-{i}", nom=f"Lieu {i}", latitude=str(47.2184 + i / 1000), longitude="-1.5536")
            for i in range(3)]
    rows.append(row(id="egare", nom="Lieu égaré", latitude="44.5594", longitude="6.0786"))
    path = tmp_path / "lieux.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.report.applied and outcome.report.created == 4
    far = [p for p in outcome.plan.warnings if p.reason == "lieu à plus de 20 km de sa commune"]
    assert [(p.line, p.column) for p in far] == [(5, "latitude")]
    assert "position du lieu 44.55940, 6.07860 ; centre de la commune 47.21940, -1.55360" in far[0].message


def test_the_list_is_read_once_per_process_and_can_be_warmed_up(app, table):
    assert communes.current() is table  # the same object: read once
    communes.forget()
    communes.warm_up(app).join(30)
    assert communes.current() is not table and len(communes.current()) == len(table) > 34_000
