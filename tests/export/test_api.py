"""The read-only API /api/v1: filters, pagination, detail, change feed, HTTP caching, CORS, rate limit."""
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from coordination.auth import services as auth_services
from coordination.directory import search, services
from coordination.directory.models import Place
from coordination.directory.serializers import RECORD_FIELDS
from coordination.extensions import db
from coordination.testing.factories import make_organisation, make_place
from coordination.vocabularies import SERVICES

NANTES = (47.2184, -1.5536)
LINK = re.compile(r'<([^>]+)>; rel="(\w+)"')


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.headers["Content-Type"].startswith("application/json"), response.get_data(as_text=True)[:300]
    return response, response.get_json()


def ids(body) -> list[str]:
    return [record["id"] for record in body["lieux"]]


def links(response) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(response.headers["Link"])}


# --- /lieux ----------------------------------------------------------------------------------

def test_lists_public_places_as_standard_records(client, app, organisation):
    place = make_place(organisation, name="Médiathèque Floresca Guépin")
    make_place(organisation, published=False)
    make_place(organisation, deleted_at=datetime(2026, 1, 1), published=False)
    make_place(make_organisation(status="suspended"))
    make_place(make_organisation(status="pending"))

    response, body = get(client, "/api/v1/lieux")

    assert response.status_code == 200
    assert body["total"] == 1 and body["page"] == 1 and body["par_page"] == 50 and body["pages"] == 1
    assert response.headers["X-Total-Count"] == "1"
    [record] = body["lieux"]
    assert list(record) == list(RECORD_FIELDS)
    assert record["id"] == place.public_id and record["nom"] == "Médiathèque Floresca Guépin"
    assert record["source"] == app.config["NETWORK_NAME"]
    assert "Médiathèque" in response.get_data(as_text=True)  # UTF-8, not \u escapes


@pytest.mark.parametrize(("query", "expected"), [
    ("code_postal=44100", ["ouest"]),
    ("code_insee=44143", ["reze"]),
    ("code_insee=2a004", ["ajaccio"]),
    ("commune=nantes", ["centre", "ouest"]),
    ("commune=REZÉ", ["reze"]),
    ("services=Loisirs%20et%20cr%C3%A9ations%20num%C3%A9riques", ["reze"]),
    ("services=loisirs%20et%20cr%C3%A9ations%20num%C3%A9riques", ["reze"]),  # case aside
    ("services=Loisirs%20et%20cr%C3%A9ations%20num%C3%A9riques&services=Utilisation%20s%C3%A9curis%C3%A9e"
     "%20du%20num%C3%A9rique", ["ouest", "reze"]),
    ("services=Loisirs%20et%20cr%C3%A9ations%20num%C3%A9riques%7CUtilisation%20s%C3%A9curis%C3%A9e"
     "%20du%20num%C3%A9rique", ["ouest", "reze"]),
    ("bbox=-1.60,47.20,-1.50,47.25", ["centre"]),
    ("bbox=8,41,9.5,42.5", ["ajaccio"]),
    ("maj_depuis=2026-03-01", ["ajaccio", "reze"]),
    ("maj_depuis=2026-03-10", ["reze"]),
    ("maj_depuis=2026-03-11", []),
    ("code_postal=44000&services=Loisirs%20et%20cr%C3%A9ations%20num%C3%A9riques", []),  # filters add up
])
def test_each_filter(client, organisation, query, expected):
    old = datetime(2025, 6, 1)
    places = {
        "centre": make_place(organisation, postcode="44000", commune="Nantes", insee_code="44109",
                             latitude=47.2173, longitude=-1.5534, updated_at=old, verified_at=old),
        "ouest": make_place(organisation, postcode="44100", commune="Nantes", insee_code="44109",
                            latitude=47.2100, longitude=-1.6100, updated_at=old, verified_at=old,
                            services=["Utilisation sécurisée du numérique"]),
        "reze": make_place(organisation, postcode="44400", commune="Rezé", insee_code="44143",
                           latitude=47.1800, longitude=-1.5500, updated_at=datetime(2026, 3, 10, 9),
                           verified_at=old, services=["Loisirs et créations numériques"]),
        # verified on 1 March 2026 at 0:30 Paris time (23:30 UTC the day before): date_maj is 1 March
        "ajaccio": make_place(organisation, postcode="20000", commune="Ajaccio", insee_code="2A004",
                              latitude=41.9267, longitude=8.7369, updated_at=old,
                              verified_at=datetime(2026, 2, 28, 23, 30)),
    }
    names = {place.public_id: name for name, place in places.items()}

    response, body = get(client, f"/api/v1/lieux?{query}")

    assert response.status_code == 200, body
    assert sorted(names[i] for i in ids(body)) == expected
    assert body["total"] == len(expected)


def test_near_a_point_nearest_first_with_distances(client, organisation):
    far = make_place(organisation, latitude=47.2184 + 0.060, longitude=-1.5536)  # ~6.7 km north
    near = make_place(organisation, latitude=47.2184 + 0.010, longitude=-1.5536)  # ~1.1 km
    middle = make_place(organisation, latitude=47.2184, longitude=-1.5536 + 0.040)  # ~3.0 km east
    make_place(organisation, latitude=47.2184 + 0.2, longitude=-1.5536)  # ~22 km: outside the default 10 km
    make_place(organisation, latitude=None, longitude=None)

    _, body = get(client, "/api/v1/lieux?lat=47.2184&lon=-1.5536&rayon_km=5")
    assert ids(body) == [near.public_id, middle.public_id]
    assert [round(r["distance_km"], 1) for r in body["lieux"]] == [1.1, 3.0]

    _, body = get(client, "/api/v1/lieux?lat=47.2184&lon=-1.5536")  # 10 km by default
    assert ids(body) == [near.public_id, middle.public_id, far.public_id]

    _, body = get(client, "/api/v1/lieux")
    assert all("distance_km" not in record for record in body["lieux"])


def test_text_search_uses_the_index(client, organisation):
    wanted = make_place(organisation, name="Atelier tablettes pour seniors", summary="Démarches en ligne")
    make_place(organisation, name="Point d'accès internet")
    search.reindex()
    try:
        _, body = get(client, "/api/v1/lieux?q=tablette%20demarches")
        _, none = get(client, "/api/v1/lieux?q=tablette%20introuvable")
    finally:
        search.close_searchers()
    assert ids(body) == [wanted.public_id]
    assert none["total"] == 0


def test_text_search_without_index_is_a_503_in_french(client, organisation, monkeypatch):
    make_place(organisation)

    def unavailable(text):
        raise search.IndexUnavailable()
    monkeypatch.setattr(search, "matching_place_ids", unavailable)

    response, body = get(client, "/api/v1/lieux?q=tablette")

    assert response.status_code == 503
    assert "indisponible" in body["error"] and body["status"] == 503
    assert response.headers["Retry-After"]
    assert get(client, "/api/v1/lieux?code_postal=44000")[0].status_code == 200  # other filters still work


# --- pagination --------------------------------------------------------------------------------

def test_pages_and_link_headers_keep_the_filters(client, organisation):
    made = [make_place(organisation, services=["Aide aux démarches administratives"]) for _ in range(5)]
    make_place(organisation, services=["Loisirs et créations numériques"])
    base = "/api/v1/lieux?services=Aide%20aux%20d%C3%A9marches%20administratives&par_page=2"

    seen = []
    response, body = get(client, base)
    while True:
        assert body["total"] == 5 and body["pages"] == 3 and response.headers["X-Total-Count"] == "5"
        seen += ids(body)
        rels = links(response)
        assert set(rels) >= {"first", "last"}
        for url in rels.values():
            parts = urlsplit(url)
            assert parts.scheme == "http" and parts.netloc == "localhost" and parts.path == "/api/v1/lieux"
            query = parse_qs(parts.query)
            assert query["services"] == ["Aide aux démarches administratives"] and query["par_page"] == ["2"]
        assert parse_qs(urlsplit(rels["first"]).query)["page"] == ["1"]
        assert parse_qs(urlsplit(rels["last"]).query)["page"] == ["3"]
        if "next" not in rels:
            break
        response, body = get(client, rels["next"])
    assert seen == [place.public_id for place in made]  # stable order, each once
    assert parse_qs(urlsplit(rels["prev"]).query)["page"] == ["2"]

    response, body = get(client, base + "&page=2")
    assert set(links(response)) == {"first", "prev", "next", "last"}
    response, body = get(client, base + "&page=1")
    assert set(links(response)) == {"first", "next", "last"}


def test_page_beyond_the_last_is_empty(client, organisation):
    make_place(organisation)
    response, body = get(client, "/api/v1/lieux?page=999999")
    assert response.status_code == 200 and body["lieux"] == [] and body["total"] == 1
    assert parse_qs(urlsplit(links(response)["prev"]).query)["page"] == ["1"]


def test_par_page_up_to_500(client, organisation):
    make_place(organisation)
    assert get(client, "/api/v1/lieux?par_page=500")[0].status_code == 200
    response, body = get(client, "/api/v1/lieux?par_page=501")
    assert response.status_code == 400
    assert body["parametres"] == {"par_page": "Attendu un nombre entier entre 1 et 500."}


# --- bad input: a 400 in French naming the parameter, never a 500 ---------------------------------

@pytest.mark.parametrize(("query", "parameter", "words"), [
    ("par_page=0", "par_page", "entre 1 et 500"),
    ("par_page=abc", "par_page", "entier"),
    ("page=0", "page", "entre 1 et"),
    ("page=-1", "page", "entre 1 et"),
    ("page=1.5", "page", "entier"),
    ("page=99999999999999999999999999999999", "page", "entre 1 et"),
    ("page=1&page=2", "page", "une fois"),
    ("lat=nan&lon=1", "lat", "nombre décimal"),
    ("lat=NaN&lon=1", "lat", "nombre décimal"),
    ("lat=inf&lon=1", "lat", "nombre décimal"),
    ("lat=-Infinity&lon=1", "lat", "nombre décimal"),
    ("lat=1e400&lon=1", "lat", "nombre décimal"),
    ("lat=47,2&lon=1", "lat", "point"),
    ("lat=1_0&lon=1", "lat", "nombre décimal"),
    ("lat=91&lon=1", "lat", "entre -90 et 90"),
    ("lat=47&lon=-181", "lon", "entre -180 et 180"),
    ("lat=47", "lon", "ensemble"),
    ("lon=-1.5", "lat", "ensemble"),
    ("rayon_km=5", "rayon_km", "lat et lon"),
    ("lat=47&lon=-1&rayon_km=0", "rayon_km", "strictement positif"),
    ("lat=47&lon=-1&rayon_km=-3", "rayon_km", "strictement positif"),
    ("lat=47&lon=-1&rayon_km=501", "rayon_km", "au plus 500"),
    ("bbox=1,2,3", "bbox", "quatre nombres"),
    ("bbox=a,b,c,d", "bbox", "quatre nombres"),
    ("bbox=nan,1,2,3", "bbox", "quatre nombres"),
    ("bbox=3,1,2,4", "bbox", "Ouest ≤ est"),
    ("bbox=-1,50,1,40", "bbox", "sud ≤ nord"),
    ("maj_depuis=31/01/2026", "maj_depuis", "AAAA-MM-JJ"),
    ("maj_depuis=2026-02-30", "maj_depuis", "AAAA-MM-JJ"),
    ("maj_depuis=20260101", "maj_depuis", "AAAA-MM-JJ"),
    ("code_postal=4400", "code_postal", "5 chiffres"),
    ("code_postal=44%00000", "code_postal", "contrôle"),
    ("code_insee=ABCDE", "code_insee", "code INSEE"),
    ("commune=Nan%00tes", "commune", "contrôle"),
    ("q=" + "a" * 201, "q", "200 caractères"),
    ("services=Cours%20de%20cuisine", "services", "Aide aux démarches administratives ;"),
    ("codepostal=44000", "codepostal", "Paramètre inconnu"),
])
def test_bad_parameters_are_refused_in_french(client, organisation, query, parameter, words):
    make_place(organisation)
    response, body = get(client, f"/api/v1/lieux?{query}")
    assert response.status_code == 400
    assert body["status"] == 400 and parameter in body["error"]
    assert words in body["parametres"][parameter]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_service_lists_every_allowed_value(client):
    _, body = get(client, "/api/v1/lieux?services=Cours%20de%20cuisine")
    assert "« Cours de cuisine »" in body["parametres"]["services"]
    assert all(value in body["parametres"]["services"] for value in SERVICES)


def test_every_mistake_is_reported_at_once(client):
    _, body = get(client, "/api/v1/lieux?par_page=9999&lat=x&lon=2&bbox=1&maj_depuis=hier")
    assert set(body["parametres"]) == {"par_page", "lat", "bbox", "maj_depuis"}
    assert body["error"].startswith("Paramètres incorrects")


# --- /lieux/<id> ---------------------------------------------------------------------------------

def test_detail_of_a_public_place(client, organisation):
    place = make_place(organisation, name="Espace Agnès Varda")
    response, body = get(client, f"/api/v1/lieux/{place.public_id}")
    assert response.status_code == 200
    assert list(body) == list(RECORD_FIELDS) and body["nom"] == "Espace Agnès Varda"


@pytest.mark.parametrize("state", ["unpublished", "deleted", "suspended", "unknown"])
def test_detail_404_for_places_out_of_the_directory(client, organisation, state):
    place = make_place(organisation, published=state != "unpublished")
    if state == "deleted":
        place.deleted_at, place.published = datetime(2026, 1, 2), False
    if state == "suspended":
        organisation.status = "suspended"
    db.session.commit()
    public_id = "00000000-0000-4000-8000-000000000000" if state == "unknown" else place.public_id

    response, body = get(client, f"/api/v1/lieux/{public_id}")

    assert response.status_code == 404
    assert body == {"error": "Ce lieu n'existe pas ou n'est plus publié.", "status": 404}


# --- /lieux/changements ----------------------------------------------------------------------------

def follow_feed(client, url):
    """Every change from ``url`` on, following the cursors; returns the changes and the last cursor."""
    changes = []
    for _ in range(50):
        response, body = get(client, url)
        assert response.status_code == 200, body
        changes += body["changements"]
        url = body["suivant"]
        if body["a_jour"]:
            return changes, body["curseur_suivant"]
    raise AssertionError("the feed never says it is up to date")


def test_change_feed_with_an_edit_an_unpublication_a_deletion_and_a_suspension(client, organisation, coordinator):
    edited = make_place(organisation, name="Avant")
    unpublished = make_place(organisation)
    deleted = make_place(organisation)
    other = make_organisation()
    suspended = make_place(other)
    untouched = make_place(organisation)

    first, cursor = follow_feed(client, "/api/v1/lieux/changements")
    assert [c["id"] for c in first] == [p.public_id for p in (edited, unpublished, deleted, suspended, untouched)]
    assert {c["statut"] for c in first} == {"publie"}
    assert list(first[0]["lieu"]) == list(RECORD_FIELDS)

    services.update_place(edited.id, {"name": "Après"}, actor=coordinator, expected_version=None)
    services.set_published(unpublished.id, False, actor=coordinator)
    services.delete_place(deleted.id, actor=coordinator)
    auth_services.suspend_organisation(other.id, reason="Doublon", actor=coordinator)

    changes, _ = follow_feed(client, f"/api/v1/lieux/changements?curseur={cursor}")

    by_id = {change["id"]: change for change in changes}
    assert [c["id"] for c in changes] == [p.public_id for p in (edited, unpublished, deleted, suspended)]
    assert by_id[edited.public_id]["statut"] == "publie"
    assert by_id[edited.public_id]["lieu"]["nom"] == "Après"
    assert by_id[unpublished.public_id].keys() == {"id", "statut", "date_changement"}
    assert by_id[unpublished.public_id]["statut"] == "depublie"
    assert by_id[deleted.public_id] == {"id": deleted.public_id, "statut": "supprime",
                                        "date_changement": by_id[deleted.public_id]["date_changement"]}
    assert by_id[suspended.public_id]["statut"] == "depublie"
    moments = [datetime.fromisoformat(c["date_changement"]) for c in changes]
    assert moments == sorted(moments) and all(m.tzinfo == UTC for m in moments)


def test_feed_cursor_continues_after_ties(client, organisation, db):
    made = [make_place(organisation) for _ in range(7)]
    tie = datetime(2026, 2, 3, 4, 5, 6, 789012)
    db.session.execute(update(Place.__table__).values(changed_at=tie))
    db.session.commit()

    pages = []
    url = "/api/v1/lieux/changements?limite=3"
    while True:
        _, body = get(client, url)
        pages.append([c["id"] for c in body["changements"]])
        if body["a_jour"]:
            break
        url = body["suivant"]

    assert pages == [[p.public_id for p in made[:3]], [p.public_id for p in made[3:6]], [made[6].public_id]]
    assert all(c for c in pages)

    _, body = get(client, "/api/v1/lieux/changements?depuis=2026-02-03T04:05:06.789012Z")
    assert len(body["changements"]) == 7  # depuis includes its own instant
    _, body = get(client, "/api/v1/lieux/changements?depuis=2026-02-03T05:05:06.789013%2B01:00")
    assert body["changements"] == [] and body["a_jour"] is True


def test_feed_when_nothing_changed_keeps_its_cursor(client, organisation):
    make_place(organisation)
    _, body = get(client, "/api/v1/lieux/changements")
    cursor = body["curseur_suivant"]
    _, again = get(client, f"/api/v1/lieux/changements?curseur={cursor}")
    assert again["changements"] == [] and again["a_jour"] is True and again["curseur_suivant"] == cursor

    later = make_place(organisation)
    _, body = get(client, f"/api/v1/lieux/changements?curseur={cursor}")
    assert [c["id"] for c in body["changements"]] == [later.public_id]


def test_feed_since_a_moment(client, organisation, db):
    old = make_place(organisation)
    recent = make_place(organisation)
    db.session.execute(update(Place.__table__).where(Place.__table__.c.id == old.id)
                       .values(changed_at=datetime(2026, 1, 1, 10)))
    db.session.execute(update(Place.__table__).where(Place.__table__.c.id == recent.id)
                       .values(changed_at=datetime(2026, 1, 1, 12)))
    db.session.commit()

    for since in ("2026-01-01T11:00:00Z", "2026-01-01T12:00:00%2B01:00", "2026-01-01T11:00:00", "2026-01-01T11:00"):
        _, body = get(client, f"/api/v1/lieux/changements?depuis={since}")
        assert [c["id"] for c in body["changements"]] == [recent.public_id], since
    _, body = get(client, "/api/v1/lieux/changements?depuis=2026-01-01")
    assert len(body["changements"]) == 2


@pytest.mark.parametrize(("query", "parameter"), [
    ("depuis=hier", "depuis"),
    ("depuis=2026-01-01T10:00:00%2099:00", "depuis"),
    ("depuis=0001-01-01T00:00:00%2B23:59", "depuis"),
    ("curseur=abc", "curseur"),
    ("curseur=%C3%A9t%C3%A9", "curseur"),
    ("curseur=MjAyNi0wMS0wMVQwMDowMDowMHx4", "curseur"),  # "2026-01-01T00:00:00|x"
    ("curseur=MjAyNi0wMS0wMVQwMDowMDowMHwx&depuis=2026-01-01", "curseur"),
    ("limite=0", "limite"),
    ("limite=501", "limite"),
    ("apres=3", "apres"),
])
def test_feed_bad_parameters(client, query, parameter):
    response, body = get(client, f"/api/v1/lieux/changements?{query}")
    assert response.status_code == 400
    assert parameter in body["parametres"]


# --- HTTP: ETag, cache, CORS, rate limit --------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/lieux?code_postal=44000", "/api/v1/lieux/{id}", "/api/v1/lieux/changements",
                                  "/api/v1/openapi.json", "/api/v1/"])
def test_etag_and_304(client, organisation, coordinator, path):
    place = make_place(organisation)
    url = path.format(id=place.public_id)

    response = client.get(url)
    etag = response.headers["ETag"]
    assert response.status_code == 200 and etag.startswith('"') and len(etag) > 10
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert client.get(url).headers["ETag"] == etag

    cached = client.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.get_data() == b""
    assert cached.headers["ETag"] == etag

    if "lieux" in path:
        services.update_place(place.id, {"name": "Nouveau nom"}, actor=coordinator, expected_version=None)
        changed = client.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_errors_are_not_cached_and_carry_no_etag(client):
    response = client.get("/api/v1/lieux?par_page=0")
    assert response.status_code == 400 and "ETag" not in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/api/v1/lieux", "/api/v1/lieux/changements", "/api/v1/lieux/x",
                                  "/api/v1/lieux?page=0", "/api/v1/nexiste-pas"])
def test_cors_on_every_answer(client, path):
    response = client.get(path, headers={"Origin": "https://reutilisateur.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Link", "X-Total-Count", "ETag"} <= exposed


def test_cors_preflight(client):
    response = client.options("/api/v1/lieux", headers={
        "Origin": "https://reutilisateur.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match, X-Requested-With"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "If-None-Match, X-Requested-With"
    assert int(response.headers["Access-Control-Max-Age"]) > 0

    odd = client.options("/api/v1/lieux", headers={"Access-Control-Request-Method": "GET",
                                                   "Access-Control-Request-Headers": "a;b <script>"})
    assert "If-None-Match" in odd.headers["Access-Control-Allow-Headers"]


def test_preflights_do_not_use_up_the_rate_limit(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API", "2 per minute")
    for _ in range(5):
        assert client.options("/api/v1/lieux").status_code == 204
    assert client.get("/api/v1/lieux").status_code == 200


def test_rate_limit_answers_429_in_french(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API", "3 per minute")
    assert [client.get(url).status_code for url in
            ("/api/v1/lieux", "/api/v1/lieux/changements", "/api/v1/openapi.json")] == [200, 200, 200]

    response, body = get(client, "/api/v1/lieux")

    assert response.status_code == 429
    assert body["status"] == 429
    assert body["error"].startswith("Trop de requêtes (limite : 3 requêtes par minute)")
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/lieux/changements").status_code == 429  # one budget for the whole API


def test_head_works_like_get(client, organisation):
    make_place(organisation)
    response = client.head("/api/v1/lieux")
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "1"
    assert response.headers["ETag"] == client.get("/api/v1/lieux").headers["ETag"]


def test_feed_link_header_points_to_the_next_page(client, organisation):
    make_place(organisation)
    response, body = get(client, "/api/v1/lieux/changements?limite=10")
    assert links(response) == {"next": body["suivant"]}
    assert urlsplit(body["suivant"]).netloc == "localhost"
    assert parse_qs(urlsplit(body["suivant"]).query) == {"curseur": [body["curseur_suivant"]], "limite": ["10"]}


def test_feed_timestamps_are_utc(client, organisation):
    before = datetime.now(UTC) - timedelta(seconds=5)
    make_place(organisation)
    _, body = get(client, "/api/v1/lieux/changements")
    moment = datetime.fromisoformat(body["changements"][0]["date_changement"])
    assert before <= moment <= datetime.now(UTC) + timedelta(seconds=5)


@pytest.mark.parametrize("public_id", ["abc%00def", "%01", "x" * 101, "é" * 40])
def test_detail_odd_ids_are_404_not_500(client, public_id):
    response, body = get(client, f"/api/v1/lieux/{public_id}")
    assert response.status_code == 404 and body["status"] == 404


@pytest.mark.parametrize("query", ["code_postal=", "code_postal=%2044000", "lat=&lon=-1.5", "page=", "maj_depuis=",
                                   "services=",
                                   "services=Loisirs+et+cr%C3%A9ations+num%C3%A9riques%7C"])
def test_an_empty_or_padded_exact_value_is_refused_as_documented(client, query):
    response = client.get(f"/api/v1/lieux?{query}")
    assert response.status_code == 400
    assert response.get_json()["parametres"]


def test_empty_free_text_means_no_filter(client):
    assert client.get("/api/v1/lieux?q=&commune=").status_code == 200


def test_links_come_from_base_url_never_from_the_host_header(client, app):
    # The answers are cached publicly: a forged Host must not end up in their links.
    headers = {"Host": "evil.example"}
    listing = client.get("/api/v1/lieux?par_page=1", headers=headers)
    assert "evil.example" not in listing.headers.get("Link", "")
    feed = client.get("/api/v1/lieux/changements", headers=headers)
    assert feed.get_json()["suivant"].startswith(app.config["BASE_URL"])
    assert "evil.example" not in client.get("/api/v1/", headers=headers).get_data(as_text=True)
