"""The /recherche page: the form read from the URL, the results, the messages, the map; bad input
never gives a 500. The search service is the real one when it exists; these tests build results with
a stand-in that follows the same contract, so that they check the page, not the engine."""
import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from coordination.directory import services
from coordination.testing.factories import make_organisation, make_place


@dataclass
class FakeRequest:
    text: str = ""
    where: str = ""
    radius_km: float | None = None
    facets: dict = field(default_factory=dict)
    open_now: bool = False
    open_saturday: bool = False
    sort: str = "distance"
    page: int = 1
    near: tuple | None = None
    literal: bool = False


@dataclass
class FakeHit:
    place: object
    distance_km: float | None


@dataclass
class FakeLocation:
    latitude: float = 47.2173
    longitude: float = -1.5534
    label: str = "Nantes"
    commune: str = "Nantes"
    insee_code: str = "44109"
    postcode: str = "44000"
    approximate: bool = False


@dataclass
class FakeResults:
    request: object
    hits: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    facets: dict = field(default_factory=dict)
    location: object = None
    radius_km: float | None = None
    widened_from_km: float | None = None
    suggestion: str | None = None
    messages: list = field(default_factory=list)
    index_status: str = "ok"
    map_points: list = field(default_factory=list)
    next_openings: list = field(default_factory=list)
    understood: str | None = None
    literal: bool = False
    dropped_words: list = field(default_factory=list)


@pytest.fixture
def search(monkeypatch):
    """Stands in for services.search_places: records the requests, returns what the test sets."""
    class Stub:
        requests: list = []  # noqa: RUF012
        logs: list = []  # noqa: RUF012
        result = None

        def __call__(self, request, *, now=None, log=True):
            self.requests.append(request)
            self.logs.append(log)
            if self.result is None:
                return FakeResults(request=request)
            result = self.result(request) if callable(self.result) else self.result
            result.request = request
            return result
    stub = Stub()
    stub.requests, stub.logs = [], []
    monkeypatch.setattr(services, "SearchRequest", FakeRequest, raising=False)
    monkeypatch.setattr(services, "search_places", stub, raising=False)
    return stub


@pytest.fixture
def places():
    organisation = make_organisation()
    return [
        make_place(organisation, name="Médiathèque Jacques Demy", commune="Nantes", latitude=47.2130, longitude=-1.5560,
                   services=["Aide aux démarches administratives", "Accès internet et matériel informatique"]),
        make_place(organisation, name="Centre social du Breil", commune="Nantes", latitude=47.2305, longitude=-1.5901,
                   phone="+33240123456"),
        make_place(organisation, name="<script>alert(1)</script>", commune="Saint-Herblain", latitude=47.2120,
                   longitude=-1.6500),
    ]


def found(places, **kwargs):
    hits = [FakeHit(p, d) for p, d in zip(places, (0.35, 1.24, 7.9), strict=False)]
    defaults = dict(request=None, hits=hits, total=len(places), location=FakeLocation(), radius_km=10,
                    map_points=[services.MapPoint(h.place.latitude, h.place.longitude, h.place.name,
                                                  h.place.public_id, h.distance_km, h.place.commune)
                                for h in hits if h.place.latitude is not None])
    defaults.update(kwargs)
    return FakeResults(**defaults)


def plain(text):
    """French as typed in the code: the pages set it with non-breaking spaces and ’ (issue 17)."""
    if isinstance(text, list):
        return [plain(item) for item in text]
    return str(text).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")


def get(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


# --- the form read from the URL ----------------------------------------------------------------

def test_url_parameters_become_the_search_request(client, search):
    response, _ = get(client, "/recherche?q=aide+d%C3%A9marches&ou=Saint-Herblain&rayon=5&services="
                      "Aide+aux+d%C3%A9marches+administratives&frais=Gratuit&accompagnement=En+autonomie"
                      "&ouvert=1&samedi=1&tri=pertinence&page=2")
    assert response.status_code == 200
    request = search.requests[-1]
    assert (request.text, request.where, request.radius_km) == ("aide démarches", "Saint-Herblain", 5.0)
    assert request.facets == {"services": ["Aide aux démarches administratives"], "fees": ["Gratuit"],
                              "support_modes": ["En autonomie"]}
    assert request.open_now and request.open_saturday
    assert (request.sort, request.page) == ("relevance", 2)


def test_defaults(client, search):
    response, html = get(client, "/recherche")
    assert response.status_code == 200
    request = search.requests[-1]
    assert (request.text, request.where, request.radius_km, request.facets, request.page) == ("", "", None, {}, 1)
    assert request.sort == "distance" and not request.open_now
    assert "Indiquez un besoin et une commune" in unescape(html)
    assert '<option value="10" selected>10 km</option>' in html


@pytest.mark.parametrize("query, notice", [
    ("rayon=abc", "La distance demandée n'est pas valable"),
    ("rayon=-5", "La distance demandée n'est pas valable"),
    ("rayon=100000", "La distance demandée n'est pas valable"),
    ("rayon=nan", "La distance demandée n'est pas valable"),
    ("rayon=inf", "La distance demandée n'est pas valable"),
    ("page=abc", "Le numéro de page demandé n'est pas valable"),
    ("page=0", "Le numéro de page demandé n'est pas valable"),
    ("page=-3", "Le numéro de page demandé n'est pas valable"),
    ("page=99999999999999999999", "Le numéro de page demandé n'est pas valable"),
    ("services=Cours+de+cuisine", "Le filtre « Cours de cuisine » n'existe pas"),
    ("frais=%3Cb%3Egratuit%3C%2Fb%3E", "Le filtre « <b>gratuit</b> » n'existe pas"),
])
def test_bad_parameters_give_a_normal_page_with_a_french_notice(client, search, query, notice):
    response, html = get(client, f"/recherche?q=smartphone&{query}")
    assert response.status_code == 200
    assert notice in plain(unescape(html))
    assert "<b>gratuit" not in html
    request = search.requests[-1]
    assert request.radius_km is None or 0 < request.radius_km <= 100
    assert request.page >= 1
    assert request.facets == {}


def test_other_radius_from_a_shared_link_is_kept_and_shown(client, search):
    _, html = get(client, "/recherche?ou=Nantes&rayon=15")
    assert search.requests[-1].radius_km == 15
    assert '<option value="15" selected>15 km</option>' in html


def test_unknown_sort_and_flags_fall_back_quietly(client, search):
    response, _ = get(client, "/recherche?q=x&tri=%27%3B+DROP&ouvert=maybe&samedi=")
    assert response.status_code == 200
    request = search.requests[-1]
    assert request.sort == "distance" and not request.open_now and not request.open_saturday


def test_control_characters_and_long_text_are_cleaned(client, search):
    # NUL and the other C0 characters but tabs and line breaks are refused by the request hook
    # (tests/security/test_control_characters_in_requests.py).
    response, _ = get(client, "/recherche?q=" + "a%0Db%0Ac" + "x" * 500 + "&ou=%09Nantes%20%20")
    assert response.status_code == 200
    request = search.requests[-1]
    assert request.text.startswith("a b cxxx") and len(request.text) <= 200
    assert request.where == "Nantes"


def test_repeated_facet_values_are_kept_once(client, search):
    get(client, "/recherche?frais=Gratuit&frais=Gratuit&frais=Payant&typologie=CCAS")
    assert search.requests[-1].facets == {"fees": ["Gratuit", "Payant"], "typology": ["CCAS"]}


# --- the results -------------------------------------------------------------------------------

def test_results_list(client, search, places):
    search.result = found(places, facets={"fees": [("Gratuit", 3)]})
    response, html = get(client, "/recherche?q=d%C3%A9marches&ou=Nantes")
    assert response.status_code == 200
    assert "3 lieux trouvés" in html and "autour de Nantes" in html
    assert f'href="/lieux/{places[0].public_id}">Médiathèque Jacques Demy</a>' in html
    assert "à 350\u00a0m" in html and "à 1,2\u00a0km" in html and "à 7,9\u00a0km" in html
    assert "Aide aux démarches administratives · Accès internet et matériel informatique" in html
    assert 'href="tel:+33240123456"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert re.search(r'name="frais" value="Gratuit"\s*>', html)
    assert "Gratuit <span class=\"count\">(3" in html


def test_checked_facets_stay_checked_even_without_results(client, search):
    search.result = found([], facets={"fees": [("Gratuit", 0), ("Payant", 0)]})
    _, html = get(client, "/recherche?q=x&frais=Payant")
    assert 'value="Gratuit"' not in html  # values without results are not offered
    assert re.search(r'name="frais" value="Payant" checked', html)
    assert "Aucun lieu trouvé" in html
    assert "<details class=\"filters\" open>" in html


def test_opening_status_is_shown(client, search, places, monkeypatch):
    from coordination.directory import hours
    monkeypatch.setattr(hours, "status_text", lambda place, at: f"Ouvert maintenant ({place.name[:4]})",
                        raising=False)
    search.result = found(places[:1])
    _, html = get(client, "/recherche?q=x")
    assert "Ouvert maintenant (Médi)" in html


@pytest.mark.parametrize("changes, expected", [
    (dict(suggestion="smartphone"), "Vouliez-vous dire <a href=\"/recherche?q=smartphone"),
    (dict(location=FakeLocation(approximate=True)), "Position approximative"),
    (dict(messages=["Aucune commune ne correspond à « Zzyzx »."]), "Aucune commune ne correspond à « Zzyzx »."),
])
def test_what_the_service_says_is_shown(client, search, places, changes, expected):
    search.result = found(places, **changes)
    response, html = get(client, "/recherche?q=smarphone&ou=Zzyzx&frais=Gratuit&page=1")
    assert response.status_code == 200
    assert expected in unescape(html)


def test_suggestion_link_keeps_the_other_parameters(client, search, places):
    search.result = found(places, suggestion="smartphone")
    _, html = get(client, "/recherche?q=smarphone&ou=Nantes&frais=Gratuit&page=2")
    href = re.search(r'Vouliez-vous dire <a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query) == {"q": ["smartphone"], "ou": ["Nantes"], "frais": ["Gratuit"]}


def test_pagination_links_keep_every_parameter(client, search, places):
    search.result = found(places, page=2, pages=5, total=90)
    _, html = get(client, "/recherche?q=aide&ou=Nantes&rayon=20&services=Aide+aux+d%C3%A9marches+administratives"
                          "&frais=Gratuit&frais=Payant&ouvert=1&samedi=1&tri=pertinence&page=2")
    links = [href.replace("&amp;", "&") for href in re.findall(r'<a href="(/recherche\?[^"]+)"', html)]
    pages = {parse_qs(urlsplit(href).query)["page"][0]: parse_qs(urlsplit(href).query) for href in links
             if "page=" in href}
    assert set(pages) == {"1", "3", "4"}
    assert pages["3"] == {"q": ["aide"], "ou": ["Nantes"], "rayon": ["20"],
                          "services": ["Aide aux démarches administratives"], "frais": ["Gratuit", "Payant"],
                          "ouvert": ["1"], "samedi": ["1"], "tri": ["pertinence"], "page": ["3"]}
    assert '<span aria-current="page">Page 2</span>' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


# --- the map -----------------------------------------------------------------------------------

def test_map_beside_the_list_with_a_nonce_allowed_by_the_policy(client, search, places):
    search.result = found(places)
    response, html = get(client, "/recherche?q=x&ou=Nantes")
    nonces = re.findall(r'<script nonce="([^"]+)">', html)
    assert len(nonces) == 1
    policy = response.headers["Content-Security-Policy"]
    assert f"'nonce-{nonces[0]}'" in policy and "'unsafe-inline'" not in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    assert 'src="/vendor/leaflet/leaflet.js"' in html
    assert "Passer la carte" in html and 'id="after-map"' in html
    assert html.index('class="results"') < html.index('class="results-map"')  # the list first
    # the name is data for a text node, never markup
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html


def test_each_page_gets_its_own_nonce(client, search, places):
    search.result = found(places)
    first = client.get("/recherche?q=x").headers["Content-Security-Policy"]
    second = client.get("/recherche?q=x").headers["Content-Security-Policy"]
    assert "nonce-" in first and first != second


def test_no_map_without_coordinates_and_no_nonce_elsewhere(client, search, places):
    places[0].latitude = places[0].longitude = None
    search.result = found(places[:1])
    response, html = get(client, "/recherche?q=x")
    assert "results-map" not in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/search.js" defer>']  # no map script
    assert "nonce-" not in response.headers["Content-Security-Policy"]
    assert "nonce-" not in client.get("/").headers["Content-Security-Policy"]


def test_the_map_shows_the_whole_result_set_and_five_thousand_points_stay_light(client, search, places):
    """The view draws results.map_points (every match, up to 5,000), not the page's hits."""
    points = [services.MapPoint(47.0 + (i % 100) / 100, -2.0 + (i // 100) / 100, f"Espace numérique n° {i}",
                                f"{i:08d}-0000-4000-8000-000000000000", i / 100, "Nantes") for i in range(5000)]
    search.result = found(places, total=5000, pages=250, map_points=points)
    response, html = get(client, "/recherche?q=x&ou=Nantes")  # its time is measured by the bench (make bench)
    assert len(response.get_data()) < 1_000_000
    script = html.split("<script nonce=")[1]
    assert script.count("L.markerClusterGroup(") == 1
    assert script.count("-0000-4000-8000-000000000000") == 5000
    assert script.count('"/lieux/00004999-0000-4000-8000-000000000000"') == 1
    assert "Les 5 000 lieux trouvés, toutes pages confondues, sur une carte. Les lieux proches sont regroupés" in plain(html)


def test_paging_logs_the_search_once(client, search, places):
    search.result = found(places)
    for page in ("", "&page=1", "&page=2", "&page=3", "&page=deux"):
        get(client, f"/recherche?q=x{page}")
    assert search.logs == [True, True, False, False, True]  # "deux" is read as the first page


# --- the home page ----------------------------------------------------------------------------

def test_home_is_a_search_landing(client, places):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="/recherche"' in html and 'method="get"' in html
    assert 'name="q"' in html and 'name="ou"' in html and 'name="rayon"' in html
    assert "Médiathèque Jacques Demy" in html
    assert "csrf_token" not in html.split('role="search"')[1].split("</form>")[0]


def test_home_lists_the_six_places_last_updated(client):
    from datetime import datetime, timedelta
    organisation = make_organisation()
    for i in range(8):
        make_place(organisation, name=f"Lieu numéro {i}", updated_at=datetime(2026, 3, 1) + timedelta(days=i))
    make_place(organisation, name="Lieu caché", published=False, updated_at=datetime(2026, 4, 1))
    html = client.get("/").get_data(as_text=True)
    assert "Lieux mis à jour récemment" in html
    assert re.findall(r'<h3><a href="/lieux/[^"]+">([^<]+)</a>', html) == [
        f"Lieu numéro {i}" for i in (7, 6, 5, 4, 3, 2)]


# --- with the real search service and index ------------------------------------------------------

@pytest.fixture
def indexed(app):
    from coordination.directory import search as index
    organisation = make_organisation("Association Les Connectés")
    made = [
        make_place(organisation, name="Point numérique de la mairie", summary="Démarches administratives en ligne",
                   latitude=47.2184, longitude=-1.5536, fees=["Gratuit"]),
        make_place(organisation, name="Médiathèque Hermeland", commune="Saint-Herblain", postcode="44800",
                   insee_code="44162", address="1 rue François Rabelais", latitude=47.2237, longitude=-1.6349,
                   summary="Ateliers smartphone et tablette", fees=["Payant"],
                   services=["Maîtrise des outils numériques du quotidien"]),
        make_place(organisation, name="Espace Angers Centre", commune="Angers", postcode="49000",
                   insee_code="49007", latitude=47.4739, longitude=-0.5517, summary="Aide smartphone"),
    ]
    index.reindex()
    yield made
    index.close_searchers()


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return plain(unescape(response.get_data(as_text=True)))


def result_names(html) -> list[str]:
    return re.findall(r'<h3 class="result-name"><a href="/lieux/[^"]+">([^<]+)</a>', html)


def test_real_search_by_need_and_place(client, indexed):
    html = page_text(client, "/recherche?q=d%C3%A9marches&ou=Nantes")
    assert result_names(html) == ["Point numérique de la mairie"]
    assert "1 lieu trouvé" in html and "autour de Nantes" in html
    assert 'class="results-map"' in html


def test_real_facet_filter_and_counts(client, indexed):
    html = page_text(client, "/recherche?q=smartphone&ou=44800&rayon=50")
    assert result_names(html) == ["Médiathèque Hermeland"]
    assert re.search(r'value="Payant">\s*<label[^>]*>Payant <span class="count">\(1', html)
    html = page_text(client, "/recherche?ou=Nantes&frais=Gratuit")
    assert result_names(html) == ["Point numérique de la mairie"]
    assert re.search(r'name="frais" value="Gratuit" checked', html)


@pytest.mark.parametrize("query, message", [
    ("", "Indiquez un besoin et une commune"),
    ("q=&ou=", "Indiquez un besoin et une commune"),
    ("q=smartphone&ou=Zzyzxville", "Aucune commune ne correspond à « Zzyzxville »"),
    ("q=smartphone&ou=Nantes&rayon=100000", "La distance demandée n'est pas valable"),
    ("q=smartphone&ou=Nantes&rayon=-1", "La distance demandée n'est pas valable"),
    ("q=smartphone&ou=Nantes&rayon=dix", "La distance demandée n'est pas valable"),
    ("q=smartphone&services=Jardinage", "Le filtre « Jardinage » n'existe pas"),
    ("q=smartphone&page=deux", "Le numéro de page demandé n'est pas valable"),
    ("q=smartphone&page=999", "La page 999 n'existe pas"),
    ("q=smarphone", "Aucun lieu pour « smarphone » : voici les résultats pour « smartphone »."),
])
def test_real_bad_input_gives_a_normal_page_with_a_message(client, indexed, query, message):
    assert message in page_text(client, f"/recherche?{query}")


SMARTPHONE = ["Espace Angers Centre", "Médiathèque Hermeland"]  # the two places saying "smartphone"


@pytest.mark.parametrize("text, expected, any_word", [
    ('"smartphone', SMARTPHONE, False),
    ("smart*", SMARTPHONE, False),  # the last word is a prefix anyway, "*" is not a wildcard
    ("(smartphone", SMARTPHONE, False),
    ("smartphone AND", SMARTPHONE, True),  # "and" is a word no place has
    ("smartphone)) OR (", SMARTPHONE, True),
    ("NOT smartphone", SMARTPHONE, True),  # not a negation
    ("title:smartphone", SMARTPHONE, True),  # not a field
    ("smartphone~2", SMARTPHONE, True),  # not a fuzzy query
    ("{} [] ^ \\\\", [*SMARTPHONE, "Point numérique de la mairie"], False),  # no word at all: every place
])
def test_real_query_syntax_is_text(client, indexed, text, expected, any_word):
    html = page_text(client, "/recherche?" + urlencode({"q": text}))
    assert sorted(result_names(html)) == expected
    assert ("« and » a été laissé de côté" in html or "« not » a été laissé de côté" in html
            or "« title » a été laissé de côté" in html or "« 2 » a été laissé de côté" in html
            or "« or » a été laissé de côté" in html) is any_word


def test_real_radius_widened(client, indexed):
    html = page_text(client, "/recherche?q=smartphone&ou=49000&rayon=2&tri=distance")
    assert result_names(html)[0] == "Espace Angers Centre"
    html = page_text(client, "/recherche?q=tablette&ou=Angers&rayon=10")
    assert result_names(html) == ["Médiathèque Hermeland"]
    assert "le rayon a été élargi" in html


def test_real_index_being_rebuilt(client, indexed, monkeypatch):
    from coordination.directory import search as index

    def unavailable(*args, **kwargs):
        raise index.IndexUnavailable("missing")
    monkeypatch.setattr(index, "search", unavailable)
    html = page_text(client, "/recherche?q=smartphone")
    assert "La recherche est en cours de reconstruction" in html and "Aucun lieu trouvé" in html


def make_places(organisation, count: int, **fields) -> list:
    """``count`` public places in one commit, around Nantes (a grid of about 1 km)."""
    from coordination.directory.models import Place
    from coordination.extensions import db
    made = [Place(organisation=organisation, name=f"Atelier carte {i:04d}", address="1 rue de la Carte",
                  postcode="44000", commune="Nantes", insee_code="44109", latitude=47.15 + (i % 20) / 100,
                  longitude=-1.65 + (i // 20) / 100, coordinates_source="manual", summary="Atelier smartphone",
                  published=True, **fields) for i in range(count)]
    db.session.add_all(made)
    db.session.commit()
    return made


def test_real_search_of_four_hundred_places_maps_them_all_clustered(client, app):
    from coordination.directory import search as index
    made = make_places(make_organisation(), 400)
    index.reindex()
    try:
        response = client.get("/recherche?q=atelier+carte")
    finally:
        index.close_searchers()
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "400 lieux trouvés" in html
    assert len(result_names(unescape(html))) == app.config["SEARCH_PER_PAGE"]
    script = html.split("<script nonce=")[1]
    assert script.count("L.markerClusterGroup(") == 1
    for place in made:
        assert script.count(f'"/lieux/{place.public_id}"') == 1
    assert "Les 400 lieux trouvés, toutes pages confondues, sur une carte. Les lieux proches sont regroupés" in plain(html)
