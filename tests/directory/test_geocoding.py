"""Geocoding against a local server that answers like the BAN (never the internet): the search
page's ``locate``, the cache, the fallback on the directory's own places when the geocoder is down,
and the job that geocodes the places saved meanwhile."""
import json
import pathlib
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from coordination.core.clock import PARIS, utcnow
from coordination.directory import geocoding, search, services
from coordination.directory.models import GeocodeCache, Place, SearchIndexQueue
from coordination.extensions import db
from coordination.testing.factories import make_member, make_organisation, make_place

ADDRESSES = {
    "12 rue de strasbourg nantes": ("12 Rue de Strasbourg 44000 Nantes", 47.2186, -1.5541, "44000", "44109",
                                    "Nantes", "housenumber", 0.96),
    "saint-herblain": ("Saint-Herblain", 47.2122, -1.6497, "44800", "44162", "Saint-Herblain", "municipality", 0.95),
    "3 place de la mairie 44400 rezé": ("3 Place de la Mairie 44400 Rezé", 47.1905, -1.5695, "44400", "44143",
                                        "Rezé", "housenumber", 0.91),
    "zzyzx": ("Zzyzx Road", 0.0, 0.0, "99999", "99999", "Nulle part", "street", 0.21),
}


class BAN(BaseHTTPRequestHandler):
    """GET /search?q=…&limit=… -> a GeoJSON FeatureCollection, as the BAN answers."""
    requests: ClassVar[list] = []
    status = 200

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        type(self).requests.append((url.path, query))
        if url.path.rstrip("/") != "/search" or self.status != 200:
            self.send_response(self.status if url.path.rstrip("/") == "/search" else 404)
            self.end_headers()
            return
        text = query.get("q", [""])[0].lower()
        found = ADDRESSES.get(text) or ADDRESSES.get(re.sub(r"(^| )\d{5} ", r"\1", text))
        features = []
        if found:
            label, lat, lon, postcode, citycode, city, kind, score = found
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                             "properties": {"label": label, "score": score, "housenumber": "12", "street": label,
                                            "postcode": postcode, "citycode": citycode, "city": city, "type": kind}})
        body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Stub:
    def __init__(self, app, monkeypatch):
        self.app, self.monkeypatch = app, monkeypatch
        BAN.requests = []
        BAN.status = 200
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), BAN)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()
        self.port = self.server.server_address[1]
        for name, value in {"GEOCODER_ENABLED": True, "GEOCODER_SCHEME": "http", "GEOCODER_TIMEOUT": 2,
                            "GEOCODER_MIN_DELAY": 0}.items():
            monkeypatch.setitem(app.config, name, value)
        self.up()

    @property
    def requests(self):
        return BAN.requests

    def up(self):
        self.monkeypatch.setitem(self.app.config, "GEOCODER_DOMAIN", f"127.0.0.1:{self.port}")

    def down(self):
        """Nothing listens on the port the geocoder is pointed at (connection refused)."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.monkeypatch.setitem(self.app.config, "GEOCODER_DOMAIN", f"127.0.0.1:{port}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def ban(app, monkeypatch):
    geocoding.forget_gazetteer()
    stub = Stub(app, monkeypatch)
    yield stub
    stub.close()
    geocoding.forget_gazetteer()


@pytest.fixture
def geocoded_places():
    """A few geocoded places of the directory, in three communes."""
    organisation = make_organisation()
    make_place(organisation, commune="Saint-Herblain", postcode="44800", insee_code="44162",
               latitude=47.21, longitude=-1.65)
    make_place(organisation, commune="Saint-Herblain", postcode="44800", insee_code="44162",
               latitude=47.23, longitude=-1.63)
    make_place(organisation, commune="Nantes", postcode="44000", insee_code="44109", latitude=47.2173,
               longitude=-1.5534)
    make_place(organisation, commune="Nantes", postcode="44300", insee_code="44109", latitude=47.25,
               longitude=-1.52)
    make_place(organisation, commune="Rezé", postcode="44400", insee_code="44143", latitude=None, longitude=None,
               coordinates_source=None)
    return organisation


# --- locate --------------------------------------------------------------------------------

def test_a_postcode_or_commune_is_centred_by_the_geocoder_once_then_the_cache(ban, geocoded_places):
    """Issue 14: the geocoder first for a commune's centre (cached), the directory's places only
    when it does not know the commune (Nantes is unknown to the stub: the median of its places)."""
    location = geocoding.locate("44800")
    assert (location.latitude, location.longitude) == pytest.approx((47.2122, -1.6497))
    assert (location.commune, location.insee_code, location.postcode, location.approximate) == (
        "Saint-Herblain", "44162", "44800", False)
    assert location.label == "44800 Saint-Herblain"
    for spelling in ("Saint-Herblain", "saint herblain", "ST HERBLAIN", "  Saint-Herblain "):
        assert geocoding.locate(spelling).commune == "Saint-Herblain"
    assert [query["q"] for _, query in ban.requests] == [["44800 saint-herblain"]]
    nantes = geocoding.locate("Nantes")  # several postcodes: one commune
    assert nantes.insee_code == "44109" and nantes.postcode is None
    assert nantes.latitude == pytest.approx((47.2173 + 47.25) / 2)


def test_an_address_goes_to_the_geocoder_once_then_to_the_cache(ban, geocoded_places):
    location = geocoding.locate("12 rue de Strasbourg Nantes")
    assert location == geocoding.Location(latitude=47.2186, longitude=-1.5541, label="12 Rue de Strasbourg 44000 Nantes",
                                          commune="Nantes", insee_code="44109", postcode="44000", approximate=False)
    assert geocoding.locate("12  rue de strasbourg   NANTES") == location
    assert len(ban.requests) == 1
    path, query = ban.requests[0]
    assert path == "/search" and query["q"] == ["12 rue de strasbourg nantes"] and query["limit"] == ["1"]
    assert geocoding.locate("Rezé") is None  # unknown to the stub, and not geocoded in the directory
    assert geocoding.locate("rezé") is None
    assert len(ban.requests) == 2  # the negative answer is cached too
    cached = {row.query: row.found for row in db.session.scalars(select(GeocodeCache))}
    assert cached == {"12 rue de strasbourg nantes": True, "44400 rezé": False}  # a commune: asked with its postcode


def test_a_weak_answer_is_no_answer(ban, geocoded_places):
    assert geocoding.locate("Zzyzx") is None


def test_geocoder_down_falls_back_on_the_directory_and_says_approximate(ban, geocoded_places):
    ban.down()
    location = geocoding.locate("8 allée des Tilleuls 44800 Saint-Herblain")
    assert location.approximate is True and location.commune == "Saint-Herblain" and location.postcode == "44800"
    assert geocoding.locate("12 rue de Strasbourg Nantes").commune == "Nantes"
    assert geocoding.locate("12 rue de Strasbourg Nantes").approximate is True
    assert geocoding.locate("saint-herb").commune == "Saint-Herblain"  # a commune prefix
    assert geocoding.locate("Quimper") is None
    assert db.session.scalar(select(func.count(GeocodeCache.id))) == 0  # nothing cached while down


def test_geocoder_errors_are_not_cached_and_never_raised(ban, geocoded_places):
    BAN.status = 503
    assert geocoding.locate("Quimper") is None
    BAN.status = 200
    # Right after a failure the geocoder is left alone: an approximate answer from the directory.
    assert geocoding.locate("12 rue de Strasbourg Nantes").approximate is True
    assert len(ban.requests) == 1
    geocoding.forget_outage()  # the pause is over
    assert geocoding.locate("12 rue de Strasbourg Nantes").approximate is False
    assert len(ban.requests) == 2


def test_a_hanging_geocoder_holds_one_search_only(app, geocoded_places, monkeypatch):
    """A server that accepts connections and never answers costs one timeout, then is left alone."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    monkeypatch.setitem(app.config, "GEOCODER_ENABLED", True)
    monkeypatch.setitem(app.config, "GEOCODER_SCHEME", "http")
    monkeypatch.setitem(app.config, "GEOCODER_DOMAIN", f"127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.setitem(app.config, "GEOCODER_TIMEOUT", 0.5)
    try:
        answers = [geocoding.locate(text) for text in
                   ("3 rue des Olivettes Nantes", "5 rue Kervégan Nantes", "8 quai de la Fosse Nantes")]
        listener.setblocking(False)
        connections = []
        while True:
            try:
                connections.append(listener.accept()[0])
            except BlockingIOError:
                break
        for connection in connections:
            connection.close()
    finally:
        listener.close()
    assert [answer.approximate for answer in answers] == [True, True, True]
    assert len(connections) == 1  # the geocoder was asked once, then left alone


def test_disabled_geocoder_answers_from_the_directory(app, monkeypatch, geocoded_places):
    monkeypatch.setitem(app.config, "GEOCODER_ENABLED", False)
    geocoding.forget_gazetteer()
    assert geocoding.locate("44300 Nantes").approximate is True
    assert geocoding.locate("") is None and geocoding.locate(None) is None and geocoding.locate("   ") is None


def test_the_directory_view_follows_new_places(ban, geocoded_places):
    assert geocoding.locate("44400") is None  # no geocoded place there, and the geocoder does not know it
    make_place(geocoded_places, commune="Rezé", postcode="44400", insee_code="44143", latitude=47.19, longitude=-1.57)
    assert geocoding.locate("44400").commune == "Rezé"


class InstantClock:
    """Stands in for the geocoding module's ``time``: sleeping only moves this clock on."""

    def __init__(self):
        self.now, self.slept = 1_000_000.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limit_spaces_calls(ban, geocoded_places, app, monkeypatch):
    monkeypatch.setitem(app.config, "GEOCODER_MIN_DELAY", 0.2)
    monkeypatch.setattr(geocoding, "_last_call", [0.0])  # no call yet on this clock
    clock = InstantClock()
    monkeypatch.setattr(geocoding, "time", clock)
    geocoding.locate("12 rue de Strasbourg Nantes")
    asked = len(BAN.requests)
    geocoding.locate("3 place de la Mairie 44400 Rezé")
    # the second call asked the geocoder only after waiting out the delay since the first
    assert asked >= 1 and len(BAN.requests) > asked
    assert clock.slept == [pytest.approx(0.2)]


# --- places ----------------------------------------------------------------------------------

def _new_place(organisation, member, **changes):
    data = {"name": "Espace numérique", "address": "12 rue de Strasbourg", "postcode": "44000", "commune": "Nantes",
            "services": ["Maîtrise des outils numériques du quotidien"], **changes}
    return services.create_place(organisation.id, data, actor=member)


def test_a_place_saved_while_the_geocoder_is_down_waits_then_is_geocoded(ban, monkeypatch):
    organisation = make_organisation()
    member = make_member(organisation)
    queued = []
    monkeypatch.setattr(search, "queue_place_ids", queued.extend)
    ban.down()
    place = _new_place(organisation, member, address="12 rue de Strasbourg", postcode="44000", commune="Nantes")
    assert place.id and place.latitude is None and place.geocode_status == "pending"
    queued.clear()

    assert geocoding.geocode_pending_places() == 0
    db.session.expire_all()
    assert (place.geocode_status, place.geocode_attempts) == ("pending", 1)
    assert place.geocode_next_at > utcnow()
    assert geocoding.geocode_pending_places() == 0  # not before its turn
    assert place.geocode_attempts == 1

    ban.up()
    geocoding.forget_outage()  # the pause after a failure is over
    place.geocode_next_at = None
    db.session.commit()
    version = place.version
    assert geocoding.geocode_pending_places() == 1
    db.session.expire_all()
    assert (place.latitude, place.longitude, place.coordinates_source, place.geocode_status) == (
        47.2186, -1.5541, "geocoder", "done")
    assert place.version == version  # not a content edit: a partner's open form does not conflict
    assert queued == [place.id]
    assert geocoding.geocode_pending_places() == 0


def test_the_job_without_a_mock_queues_the_search_index(ban):
    organisation = make_organisation()
    member = make_member(organisation)
    place = _new_place(organisation, member, address="12 rue de Strasbourg", postcode="44000", commune="Nantes")
    assert geocoding.geocode_pending_places() == 1
    queued = db.session.scalars(select(SearchIndexQueue.place_id)).all()
    assert place.id in queued


def test_typed_coordinates_are_kept_and_an_address_change_requeues(ban, monkeypatch):
    monkeypatch.setattr(search, "queue_place_ids", lambda ids: None)
    organisation = make_organisation()
    member = make_member(organisation)
    typed = _new_place(organisation, member, latitude="47.1", longitude="-1.6")
    assert (typed.coordinates_source, typed.geocode_status) == ("manual", None)
    services.update_place(typed.id, {"address": "3 place de la Mairie"}, actor=member, expected_version=None)
    assert (typed.latitude, typed.geocode_status) == (47.1, None)

    place = _new_place(organisation, member, address="12 rue de Strasbourg", postcode="44000", commune="Nantes")
    geocoding.geocode_pending_places()
    db.session.expire_all()
    assert place.geocode_status == "done"
    services.update_place(place.id, {"summary": "Nouveau résumé."}, actor=member, expected_version=None)
    assert (place.geocode_status, place.latitude) == ("done", 47.2186)
    services.update_place(place.id, {"address": "3 place de la Mairie", "postcode": "44400", "commune": "Rezé"},
                          actor=member, expected_version=None)
    assert (place.geocode_status, place.latitude, place.coordinates_source) == ("pending", None, None)
    assert geocoding.geocode_pending_places() == 1
    db.session.expire_all()
    assert (place.latitude, place.geocode_status) == (47.1905, "done")


def test_an_unknown_address_fails_at_once_and_repeated_outages_give_up(ban, monkeypatch):
    monkeypatch.setattr(search, "queue_place_ids", lambda ids: None)
    organisation = make_organisation()
    member = make_member(organisation)
    unknown = _new_place(organisation, member, address="1 chemin Inconnu", postcode="44000", commune="Nantes")
    geocoding.geocode_pending_places()
    db.session.expire_all()
    assert (unknown.geocode_status, unknown.latitude) == ("failed", None)

    ban.down()
    place = _new_place(organisation, member, address="12 rue de Strasbourg", postcode="44000", commune="Nantes")
    for _ in range(geocoding.MAX_ATTEMPTS):
        place.geocode_next_at = None
        db.session.commit()
        geocoding.geocode_pending_places()
        db.session.expire_all()
    assert (place.geocode_status, place.geocode_attempts) == ("failed", geocoding.MAX_ATTEMPTS)
    # Saving the place again gives it a new chance.
    services.update_place(place.id, {"summary": "Réouvert."}, actor=member, expected_version=None)
    assert (place.geocode_status, place.geocode_attempts) == ("pending", 0)


def test_the_job_does_nothing_when_geocoding_is_disabled(app, monkeypatch):
    monkeypatch.setitem(app.config, "GEOCODER_ENABLED", False)
    organisation = make_organisation()
    make_place(organisation, latitude=None, longitude=None, coordinates_source=None, geocode_status="pending")
    assert geocoding.geocode_pending_places() == 0
    assert db.session.scalar(select(Place.geocode_attempts)) == 0


def test_the_job_is_declared():
    from coordination.directory.jobs import JOBS
    job = next(job for job in JOBS if job.func == "coordination.directory.geocoding:geocode_pending_places")
    assert job.trigger(PARIS).interval.total_seconds() == 60


def test_only_the_geocoding_module_imports_geopy():
    root = pathlib.Path(geocoding.__file__).resolve().parents[1]
    users = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                   if re.search(r"^\s*(from|import) geopy", path.read_text(encoding="utf-8"), re.M))
    assert users == ["directory/geocoding.py"]


def test_a_new_place_keeps_the_coordinates_it_comes_with(app, monkeypatch):
    monkeypatch.setattr(search, "queue_place_ids", lambda ids: None)
    organisation = make_organisation()
    member = make_member(organisation)
    imported = _new_place(organisation, member, latitude="47.2", longitude="-1.5", coordinates_source="import")
    assert (imported.latitude, imported.coordinates_source, imported.geocode_status) == (47.2, "import", None)
    bare = _new_place(organisation, member)
    assert (bare.latitude, bare.geocode_status) == (None, "pending")
