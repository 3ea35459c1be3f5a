"""Geocoding: from a text typed by a resident, or a place's address, to coordinates.

The only module that touches geopy (``BANFrance``, the Base Adresse Nationale, its domain from
``GEOCODER_DOMAIN``). Nothing here ever raises to its caller, and nothing here ever blocks a save:

- ``locate(where)`` serves the search page. It tries, in order: the directory's own geocoded places
  (a postcode, or a commune name: no network), the cache (``GeocodeCache``, negative answers too),
  then the BAN (rate-limited, short timeout), whose answer is cached. When the BAN cannot be reached,
  a postcode or commune found in the text is resolved from the directory's places and the answer is
  marked ``approximate`` (the page says "position approximative").
- ``geocode_address(address, postcode, commune)`` serves places; ``geocode_pending_places()`` is the
  scheduler job that geocodes the places queued by ``services.create_place`` / ``update_place``
  (``geocode_status = "pending"``), with backoff, and queues them for the search index.
"""
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from geopy.adapters import URLLibAdapter
from geopy.exc import GeocoderQueryError, GeopyError
from geopy.geocoders import BANFrance
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from coordination.core.clock import utcnow
from coordination.directory import communes, search
from coordination.directory.models import GeocodeCache, Place
from coordination.extensions import db

log = logging.getLogger(__name__)

USER_AGENT = "maillage-coordination"
MIN_SCORE = 0.4  # BAN answers something for almost any text; below this it is a guess
MIN_QUERY, MAX_QUERY = 3, 200  # the BAN refuses shorter and longer queries
MAX_ATTEMPTS = 8  # a pending place is retried with backoff, then marked "failed"
BATCH = 50  # places geocoded per job run
GAZETTEER_TTL = 300  # seconds an in-memory view of the directory's communes is trusted
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


@dataclass(frozen=True)
class Location:
    """Where a resident searches from."""
    latitude: float
    longitude: float
    label: str
    commune: str | None
    insee_code: str | None
    postcode: str | None
    approximate: bool

    @property
    def departement(self) -> str | None:
        return communes.departement_of(self.insee_code)


@dataclass(frozen=True)
class Choice:
    """One of the communes a shared name may mean: « Saint-Denis (93, Seine-Saint-Denis) »."""
    label: str
    value: str  # what to search from instead: « Saint-Denis (93) »


@dataclass(frozen=True)
class Resolution:
    """What ``resolve`` understood: a location (or None) and, for a name several communes share, the
    others to choose from (most populous first)."""
    location: Location | None
    choices: tuple[Choice, ...] = ()
    name: str | None = None  # the shared name
    unplaced: str | None = None  # a commune recognised whose centre nothing knows (no BAN, no place there)


@dataclass(frozen=True)
class GeocodeResult:
    """One answer of the geocoder (or of the cache)."""
    latitude: float
    longitude: float
    label: str
    postcode: str | None
    insee_code: str | None
    commune: str | None
    kind: str | None  # housenumber | street | municipality | locality
    score: float | None


class Unreachable(Exception):
    """The geocoder could not be asked (network, timeout, server error, rate limit)."""


# --- text ----------------------------------------------------------------------------------

def normalise(text: str | None) -> str:
    """The cache key: collapsed spaces, lower case, no surrounding punctuation."""
    return " ".join((text or "").split()).strip(" ,;.").lower()[:300]


fold = communes.fold  # « St-Herblain » = « Saint Herblain »


# --- the directory's own communes ------------------------------------------------------------

@dataclass
class _Area:
    """The centroid of the directory's geocoded places in a commune or a postcode."""
    label: str
    commune: str
    insee_code: str | None
    postcode: str | None
    latitude: float
    longitude: float
    count: int

    def location(self, approximate: bool) -> Location:
        return Location(latitude=self.latitude, longitude=self.longitude, label=self.label, commune=self.commune,
                        insee_code=self.insee_code, postcode=self.postcode, approximate=approximate)


def _merge(rows) -> _Area:
    """One area from rows (postcode, commune, insee, lat, lon, count): weighted centroid, the
    commune with most places names it."""
    total = sum(r[5] for r in rows)
    main = max(rows, key=lambda r: r[5])
    postcodes = {r[0] for r in rows}
    return _Area(label=main[1], commune=main[1], insee_code=main[2],
                 postcode=main[0] if len(postcodes) == 1 else None,
                 latitude=sum(r[3] * r[5] for r in rows) / total, longitude=sum(r[4] * r[5] for r in rows) / total,
                 count=total)


class _Gazetteer:
    """Postcodes and communes of the directory's geocoded places, held in memory (one GROUP BY),
    rebuilt when a place is added or edited (cheap indexed stamp) or after ``GAZETTEER_TTL``."""

    def __init__(self, rows):
        by_postcode, by_commune = {}, {}
        for row in rows:
            by_postcode.setdefault(row[0], []).append(row)
            by_commune.setdefault(fold(row[1]), {}).setdefault(row[2] or row[1], []).append(row)
        self.postcodes = {code: _merge(rs) for code, rs in by_postcode.items()}
        for code, area in self.postcodes.items():
            area.label = f"{code} {area.commune}"
        # A commune name shared by several communes (Saint-Denis) maps to each of them, most places first.
        self.communes = {name: sorted((_merge(rs) for rs in same_name.values()), key=lambda a: -a.count)
                         for name, same_name in by_commune.items()}
        self.centres: dict[str, tuple[float, float, int] | None] = {}  # INSEE code -> robust centre

    def centre(self, commune: communes.Commune, parent: communes.Commune | None) -> tuple[float, float, int] | None:
        """The median of the directory's places of this commune (INSEE code; or, without one, its
        name and a postcode of it), ignoring places more than 20 km from it. Computed once per view."""
        if commune.code not in self.centres:
            names = {fold(commune.name)} | ({fold(parent.name)} if parent else set())
            codes = [commune.code] + ([parent.code] if parent else [])
            rows = db.session.execute(
                select(Place.latitude, Place.longitude, Place.insee_code, Place.commune)
                .where(Place.latitude.is_not(None), Place.longitude.is_not(None), Place.deleted_at.is_(None),
                       or_(Place.insee_code == commune.code,
                           and_(or_(Place.insee_code.is_(None), Place.insee_code.in_(codes)),
                                Place.postcode.in_(commune.postcodes or ("-",)))))).all()
            points = [(lat, lon) for lat, lon, code, name in rows
                      if code == commune.code or (code in codes and parent) or fold(name) in names]
            self.centres[commune.code] = communes.robust_centre(points)
        return self.centres[commune.code]

    def postcode(self, code: str) -> _Area | None:
        return self.postcodes.get(code)

    def commune(self, name: str, *, unique: bool) -> _Area | None:
        areas = self.communes.get(fold(name)) or []
        if unique and len(areas) != 1:
            return None
        return areas[0] if areas else None

    def find_in(self, text: str) -> _Area | None:
        """Best effort for a text the geocoder could not read: a postcode in it, else the commune
        name at its end (not a street's: « rue de Strasbourg »), else a commune starting with it."""
        match = _POSTCODE.search(text)
        if match and match[1] in self.postcodes:
            return self.postcodes[match[1]]
        words = fold(text).split()
        for size in range(min(communes.MAX_NAME_WORDS, len(words)), 0, -1):
            name = " ".join(words[-size:])
            if name in self.communes and (len(words) == size or words[-size - 1] not in communes.CONNECTORS):
                return self.communes[name][0]
        folded = f" {fold(text)} "
        prefix = folded.strip()
        if len(prefix) >= MIN_QUERY:
            starting = sorted(name for name in self.communes if name.startswith(prefix))
            if starting:
                return max((self.communes[name][0] for name in starting), key=lambda a: a.count)
        return None


_gazetteer_lock = threading.Lock()
_gazetteer_state: dict = {}


def _gazetteer_stamp():
    """Changes when a place is added (max id) or edited (max updated_at): two indexed lookups.
    Two subqueries, not one SELECT of two max(): SQLite reads a max() from its index only when it
    is the query's single aggregate; otherwise it scans the whole table (20 ms at 100,000 places)."""
    return db.session.execute(select(select(func.max(Place.id)).scalar_subquery(),
                                     select(func.max(Place.updated_at)).scalar_subquery())).one()


def _gazetteer() -> _Gazetteer:
    key = (id(current_app._get_current_object()), str(db.engine.url))
    stamp = (key, *_gazetteer_stamp())
    with _gazetteer_lock:
        state = _gazetteer_state.get("current")
        if state and state[0] == stamp and time.monotonic() - state[1] < GAZETTEER_TTL:
            return state[2]
    rows = db.session.execute(
        select(Place.postcode, Place.commune, Place.insee_code, func.avg(Place.latitude), func.avg(Place.longitude),
               func.count(Place.id))
        .where(Place.latitude.is_not(None), Place.longitude.is_not(None), Place.deleted_at.is_(None))
        .group_by(Place.postcode, Place.commune, Place.insee_code)
    ).all()
    gazetteer = _Gazetteer(rows)
    with _gazetteer_lock:
        _gazetteer_state["current"] = (stamp, time.monotonic(), gazetteer)
    return gazetteer


def near(postcode: str | None, commune: str | None) -> tuple[float, float] | None:
    """Where to start looking for an address on a map: the directory's places of its postcode, else
    of its commune; None when the directory has none there. Never the BAN (a page is being drawn)."""
    try:
        gazetteer = _gazetteer()
    except Exception:  # a map's starting point is not worth a failed page
        log.exception("gazetteer unavailable")
        db.session.rollback()
        return None
    area = gazetteer.postcode(postcode.strip()) if postcode else None
    if area is None and commune:
        area = gazetteer.commune(commune, unique=False)
    return (area.latitude, area.longitude) if area is not None else None


def forget_gazetteer() -> None:
    """Drops the in-memory communes (after coordinates changed without an edit, e.g. in tests)."""
    with _gazetteer_lock:
        _gazetteer_state.clear()


# --- the BAN -------------------------------------------------------------------------------

_rate_lock = threading.Lock()
_last_call = [0.0]
_down_until = [0.0]
# After a failure, the BAN is not asked again for this long: a geocoder that hangs must not hold
# every search for its timeout.
DOWN_PAUSE_SECONDS = 60.0
# A search page waits at most this long for its turn; the geocoding job waits as long as needed.
SEARCH_MAX_WAIT = 0.2


def _wait_turn(min_delay: float, max_wait: float | None = None) -> None:
    """At most one call every ``min_delay`` seconds, across the threads of this process.
    Raises Unreachable instead of waiting longer than ``max_wait``."""
    with _rate_lock:
        wait = _last_call[0] + min_delay - time.monotonic()
        if max_wait is not None and wait > max_wait:
            raise Unreachable("geocoder busy")
        _last_call[0] = time.monotonic() + max(wait, 0)
    if wait > 0:
        time.sleep(wait)  # outside the lock: other threads see the reserved slot and queue after it


def forget_outage() -> None:
    _down_until[0] = 0.0


def _ban(query: str, *, max_wait: float | None = None) -> GeocodeResult | None:
    """Asks the BAN; None when it finds nothing. Raises Unreachable when it cannot be asked."""
    config = current_app.config
    if not config["GEOCODER_ENABLED"]:
        raise Unreachable("geocoder disabled")
    if time.monotonic() < _down_until[0]:
        raise Unreachable("geocoder recently unreachable")
    geocoder = BANFrance(domain=config["GEOCODER_DOMAIN"], scheme=config["GEOCODER_SCHEME"],
                         timeout=config["GEOCODER_TIMEOUT"], user_agent=USER_AGENT, adapter_factory=URLLibAdapter)
    _wait_turn(config["GEOCODER_MIN_DELAY"], max_wait)
    try:
        found = geocoder.geocode(query, limit=1)
    except GeocoderQueryError:  # the BAN refused the text itself: nothing to find
        return None
    except (GeopyError, OSError, ValueError) as error:
        log.warning("geocoder unreachable: %s", error)
        _down_until[0] = time.monotonic() + DOWN_PAUSE_SECONDS
        raise Unreachable(str(error)) from None
    if found is None:
        return None
    properties = (found.raw or {}).get("properties") or {}
    return GeocodeResult(latitude=float(found.latitude), longitude=float(found.longitude),
                         label=(properties.get("label") or found.address or query)[:300],
                         postcode=(properties.get("postcode") or None), insee_code=properties.get("citycode") or None,
                         commune=properties.get("city") or None, kind=properties.get("type") or None,
                         score=_float(properties.get("score")))


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _cached(key: str) -> GeocodeCache | None:
    return db.session.scalar(select(GeocodeCache).where(GeocodeCache.query == key))


def _from_cache(row: GeocodeCache) -> GeocodeResult | None:
    if not row.found or row.latitude is None or row.longitude is None:
        return None
    return GeocodeResult(latitude=row.latitude, longitude=row.longitude, label=row.label or row.query,
                         postcode=row.postcode, insee_code=row.insee_code, commune=row.commune, kind=row.kind,
                         score=row.score)


def _store(key: str, result: GeocodeResult | None) -> None:
    """Caches an answer, in its own commit. Skipped when the session holds someone else's pending
    changes (never committed behind their back). A concurrent insert of the same key wins."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        return
    # Kept to the day, and purged after CACHE_DAYS: an address typed on the search page must not be
    # datable precisely enough to be tied to a search.
    values = dict(query=key, found=result is not None,
                  fetched_at=utcnow().replace(hour=0, minute=0, second=0, microsecond=0))
    if result is not None:
        values.update(latitude=result.latitude, longitude=result.longitude, label=result.label,
                      postcode=(result.postcode or "")[:5] or None, insee_code=(result.insee_code or "")[:5] or None,
                      commune=(result.commune or "")[:150] or None, kind=(result.kind or "")[:20] or None,
                      score=result.score)
    session.add(GeocodeCache(**values))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()


def _geocode(query: str, *, max_wait: float | None = None) -> GeocodeResult | None:
    """Cache, then the BAN (cached). Raises Unreachable."""
    key = normalise(query)
    if len(key) < MIN_QUERY:
        return None
    row = _cached(key)
    if row is not None:
        return _from_cache(row)
    result = _ban(key[:MAX_QUERY], max_wait=max_wait)
    _store(key, result)
    return result


# --- search page ---------------------------------------------------------------------------

def locate(where: str | None) -> Location | None:
    """Where a resident searches from ("Saint-Herblain", "44800", "12 rue de Strasbourg Nantes"),
    or None when nothing matches. Never raises."""
    return resolve(where).location


def resolve(where: str | None) -> Resolution:
    """``locate``, and the communes to choose from when a name is shared (« Saint-Denis »). Never raises.

    With the official list of communes: a commune's name or postcode is that commune, its centre
    from the BAN (cached), else the median of the directory's places there; any other text goes to
    the BAN first, and when the BAN cannot be asked, to the commune next to its postcode or at its
    end (« position approximative »). Without the list: the directory's places only, approximate."""
    text = " ".join((where or "").split())
    if not text:
        return Resolution(None)
    try:
        return _resolve(text)
    except Exception:  # the search page must answer whatever happens here
        log.exception("locate failed for %r", text)
        db.session.rollback()
        return Resolution(None)


def network_departements() -> tuple[str, ...]:
    """``NETWORK_DEPARTEMENTS``: « 44 » or « 44, 49 » (empty: no territory)."""
    raw = current_app.config.get("NETWORK_DEPARTEMENTS") or ""
    return tuple(code.strip().upper() for code in str(raw).replace(";", ",").split(",") if code.strip())


def _resolve(text: str) -> Resolution:
    gazetteer = _gazetteer()
    table = communes.current()
    if table is None:
        return Resolution(_locate_from_directory(text, gazetteer))
    match = table.named(text)
    if match:
        return _at_commune(match, table, gazetteer, approximate=False)
    try:
        result = _geocode(text, max_wait=SEARCH_MAX_WAIT)
    except Unreachable:
        match = table.in_address(text)
        if match:
            return _at_commune(match, table, gazetteer, approximate=True)
        area = gazetteer.find_in(text)  # a prefix of a commune of the directory (« saint-herb »)
        return Resolution(area.location(approximate=True) if area is not None else None)
    return Resolution(_credible(result))


def _credible(result: GeocodeResult | None) -> Location | None:
    if result is None or (result.score is not None and result.score < MIN_SCORE):
        return None
    return Location(latitude=result.latitude, longitude=result.longitude, label=result.label,
                    commune=result.commune, insee_code=result.insee_code, postcode=result.postcode,
                    approximate=False)


def _at_commune(match: communes.Match, table: communes.Communes, gazetteer: _Gazetteer, *,
                approximate: bool) -> Resolution:
    candidates = match.communes
    in_network = [c for c in candidates if c.departement in network_departements()]
    chosen = in_network[0] if len(in_network) == 1 else candidates[0]
    choices = tuple(_choice(c, candidates, table) for c in candidates[:12]) if match.ambiguous else ()
    centre = commune_centre(chosen, table, gazetteer)
    if centre is None:
        return Resolution(None, choices, chosen.name if choices else None, unplaced=chosen.name)
    if match.postcode:
        label = f"{match.postcode} {chosen.name}"
    else:
        label = f"{chosen.name} ({chosen.departement})" if match.ambiguous else chosen.name
    postcode = match.postcode or (chosen.postcode if len(chosen.postcodes) == 1 else None)
    location = Location(latitude=centre[0], longitude=centre[1], label=label, commune=chosen.name,
                        insee_code=chosen.code, postcode=postcode, approximate=approximate or not centre[2])
    return Resolution(location, choices, chosen.name if choices else None)


def _choice(commune: communes.Commune, candidates, table: communes.Communes) -> Choice:
    departement = table.departement_name(commune.departement)
    label = f"{commune.name} ({commune.departement}" + (f", {departement})" if departement else ")")
    alone = sum(1 for c in candidates if c.departement == commune.departement) == 1
    value = f"{commune.name} ({commune.departement})" if alone or not commune.postcode else \
        f"{commune.postcode} {commune.name}"
    return Choice(label=label, value=value)


def commune_query(commune: communes.Commune) -> str:
    """What the BAN is asked for a commune's centre (and the cache key)."""
    return f"{commune.postcode} {commune.name}" if commune.postcode else commune.name


def commune_centre(commune: communes.Commune, table: communes.Communes, gazetteer: _Gazetteer | None = None, *,
                   ask: bool = True) -> tuple[float, float, bool] | None:
    """A commune's centre: the BAN's answer (cached; without ``ask``, the cache only) when it is that
    commune, else the robust median of the directory's places there; None when neither knows.
    (latitude, longitude, from the BAN)."""
    try:
        result = _geocode(commune_query(commune), max_wait=SEARCH_MAX_WAIT) if ask else _cached_only(
            commune_query(commune))
    except Unreachable:
        result = None
    codes = {commune.code} | ({commune.parent} if commune.parent else set())
    if result is not None and (result.insee_code or "").upper() in codes and (
            result.score is None or result.score >= MIN_SCORE):
        return result.latitude, result.longitude, True
    centre = (gazetteer or _gazetteer()).centre(commune, table.get(commune.parent) if commune.parent else None)
    return (centre[0], centre[1], False) if centre else None


def _cached_only(query: str) -> GeocodeResult | None:
    row = _cached(normalise(query))
    return _from_cache(row) if row is not None else None


def _locate_from_directory(text: str, gazetteer: _Gazetteer) -> Location | None:
    """Without the list of communes: the directory's postcodes and communes, then the BAN for the
    rest, then the directory again. Whatever the directory answers is approximate."""
    if _POSTCODE.fullmatch(text):
        area = gazetteer.postcode(text)
        if area is not None:
            return area.location(approximate=True)
    else:
        area = gazetteer.commune(text, unique=True)
        if area is not None:
            return area.location(approximate=True)
    try:
        result = _geocode(text, max_wait=SEARCH_MAX_WAIT)
    except Unreachable:
        area = gazetteer.find_in(text)
        return area.location(approximate=True) if area is not None else None
    return _credible(result)


# --- places --------------------------------------------------------------------------------

def address_query(address: str | None, postcode: str | None, commune: str | None) -> str:
    return " ".join(part.strip() for part in (address, postcode, commune) if part and part.strip())


def geocode_address(address: str | None, postcode: str | None, commune: str | None) -> GeocodeResult | None:
    """A place's address as coordinates; None when the geocoder finds nothing credible.
    Raises Unreachable when the geocoder cannot be asked (the job retries later)."""
    result = _geocode(address_query(address, postcode, commune))
    if result is None or (result.score is not None and result.score < MIN_SCORE):
        return None
    if postcode and result.postcode and result.postcode != postcode.strip():
        return None  # a match in another postcode is not this place
    return result


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** attempts, 24 * 60))


def geocode_pending_places(limit: int = BATCH) -> int:
    """Scheduler job: geocodes the places waiting for coordinates; returns how many were geocoded.
    Stops at the first unreachable answer (the others keep their turn)."""
    if not current_app.config["GEOCODER_ENABLED"]:
        return 0
    now = utcnow()
    places = db.session.execute(
        select(Place.id, Place.address, Place.postcode, Place.commune, Place.geocode_attempts)
        .where(Place.geocode_status == "pending", Place.deleted_at.is_(None),
               or_(Place.geocode_next_at.is_(None), Place.geocode_next_at <= now))
        .order_by(Place.geocode_next_at.is_not(None), Place.geocode_next_at, Place.id).limit(limit)
    ).all()
    done = []
    for place_id, address, postcode, commune, attempts in places:
        same_address = and_(Place.id == place_id, Place.geocode_status == "pending", Place.address == address,
                            Place.postcode == postcode, Place.commune == commune)
        try:
            result = geocode_address(address, postcode, commune)
        except Unreachable:
            tries = (attempts or 0) + 1
            values = ({"geocode_status": "failed", "geocode_next_at": None} if tries >= MAX_ATTEMPTS
                      else {"geocode_next_at": utcnow() + _backoff(tries)})
            db.session.execute(update(Place).where(same_address).values(geocode_attempts=tries, **values)
                               .execution_options(synchronize_session=False))
            db.session.commit()
            break
        if result is None:  # the address is not known to the BAN: retrying will not help
            values = {"geocode_status": "failed", "geocode_next_at": None,
                      "geocode_attempts": (attempts or 0) + 1}
        else:
            values = {"geocode_status": "done", "geocode_next_at": None, "latitude": result.latitude,
                      "longitude": result.longitude, "coordinates_source": "geocoder"}
        # A plain UPDATE: not a content edit, so the version (optimistic locking) is left alone, and
        # nothing is written if the address changed meanwhile.
        written = db.session.execute(update(Place).where(same_address).values(**values)
                                     .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if written and result is not None:
            done.append(place_id)
    if done:
        search.queue_place_ids(done)
    return len(done)


CACHE_DAYS = 30


def purge_cache(*, now=None) -> int:
    """Forgets cached answers older than CACHE_DAYS (a scheduler job, daily)."""
    limit = (now or utcnow()) - timedelta(days=CACHE_DAYS)
    count = db.session.execute(delete(GeocodeCache).where(GeocodeCache.fetched_at < limit)).rowcount
    db.session.commit()
    return count
