"""The search use case: residents find places near them.

The index lives in directory/search/ (the only code that touches Whoosh); this is the use case the
search page, the API and the benchmark call: it reads the request, widens the radius, falls back to
fewer words or a corrected spelling, keeps the places open as asked, and logs the search anonymously.
The index is written through its queue (``writes.commit``; ``search.apply_queue`` in the scheduler).
"""
import functools
import logging
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from flask import current_app
from babel.lists import format_list as babel_list
from flask_babel import format_decimal, get_locale, gettext as _, lazy_gettext, ngettext
from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.orm import joinedload, selectinload

from coordination.auth.models import Organisation
from coordination.core.clock import PARIS, to_paris, utcnow
from coordination.directory import hours, search
from coordination.directory.models import Place, PlaceClosure, SearchLog
from coordination.extensions import db
from coordination.vocabularies import PLACE_VOCABULARIES, label as vocabulary_label

if TYPE_CHECKING:
    from coordination.directory.geocoding import Location

logger = logging.getLogger(__name__)


# Residents read these messages: in the page's language (the service runs within the request).
SEARCH_REBUILDING = lazy_gettext("La recherche est en cours de reconstruction : réessayez dans quelques instants.")
SEARCH_SORTS = ("distance", "relevance")
SEARCH_MAX_RADIUS_KM = 200.0
SEARCH_WIDENING_KM = (10.0, 20.0, 50.0, 100.0)
SEARCH_MAX_TEXT = 200
SEARCH_MAP_LIMIT = 5000    # places on the results map (the nearest, or the best scored)


@dataclass
class SearchRequest:
    text: str = ""
    where: str = ""            # address, commune or postcode typed by the resident
    radius_km: float | None = None   # None = config default
    # keys of vocabularies.PLACE_VOCABULARIES, and "network_labels" (the network's label ids)
    facets: dict[str, list] = field(default_factory=dict)
    open_now: bool = False
    open_saturday: bool = False
    sort: str = "distance"     # "distance" | "relevance"
    page: int = 1
    near: tuple[float, float] | None = None  # the browser's position (« Autour de moi »), never stored
    literal: bool = False      # the words only, not the needs they name (« mots=exacts »)


@dataclass
class SearchHit:
    place: Place               # loaded with the whole page in one query (organisation and closures too)
    distance_km: float | None


class MapPoint(NamedTuple):
    """A place of the whole result set on the map (not only the page's). A tuple: thousands are
    made per search."""
    latitude: float
    longitude: float
    name: str
    public_id: str
    distance_km: float | None = None
    commune: str | None = None


@dataclass
class SearchResults:
    request: SearchRequest
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, int]]]   # every vocabulary value, in order, with its count
    location: "Location | None"                # from geocoding.locate(where)
    radius_km: float | None                    # the radius actually used (None without a location)
    widened_from_km: float | None              # the radius asked for, when nothing was found there
    suggestion: str | None                     # corrected text: « Vouliez-vous dire « … » ? »
    messages: list[str]                        # French notes for the page
    index_status: str                          # "ok" | "rebuilding"
    map_points: list[MapPoint] = field(default_factory=list)  # every match with coordinates, ≤ SEARCH_MAP_LIMIT
    # « Ouvert maintenant » with nothing open: the matching places that open soonest, soonest first
    next_openings: list[SearchHit] = field(default_factory=list)
    where_choices: tuple = ()  # geocoding.Choice: the communes a shared name may mean (« Saint-Denis »)
    where_name: str | None = None  # that shared name
    understood: str | None = None              # « démarches CAF : lieux qui aident aux démarches administratives »
    literal: bool = False                      # the words were searched literally (no needs)
    dropped_words: list[str] = field(default_factory=list)  # left out by the « at least one word » fallback
    at: datetime | None = None  # when the search was made: each result's « ouvre demain » is said from then


def _locate(where: str):
    """A ``geocoding.Resolution`` (tests may give a plain ``Location``)."""
    from coordination.directory import geocoding
    return geocoding.resolve(where)


def _resolve(where: str):
    from coordination.directory import geocoding
    found = _locate(where)
    return found if isinstance(found, geocoding.Resolution) else geocoding.Resolution(found)


def _outside_network(location) -> str | None:
    """« Gap (05) est hors du territoire du réseau… » when the search starts outside the
    départements of ``NETWORK_DEPARTEMENTS``; None inside, or when the département is unknown."""
    from coordination.directory import communes, geocoding
    network = geocoding.network_departements()
    departement = communes.departement_of(getattr(location, "insee_code", None))
    if not network or not departement or departement in network:
        return None
    table = communes.current()

    def named(code: str) -> str:
        name = table.departement_name(code) if table else None
        return f"{name} ({code})" if name else code
    covered = ", ".join(named(code) for code in network)
    return _("« %(place)s » (%(departement)s) est hors du territoire du réseau %(network)s, qui couvre : "
             "%(covered)s. Les lieux recensés autour sont tout de même affichés ; pour d'autres territoires, "
             "voyez aussi la cartographie nationale.", place=location.label, departement=named(departement),
             network=current_app.config["NETWORK_NAME"], covered=covered)


def _km(value) -> str:
    """ "2,5 km" in French, "2.5 km" in English."""
    return _("%(number)s km", number=format_decimal(value, format="#,##0.#"))


def _search_text(text) -> str:
    return " ".join(str(text or "").split())[:SEARCH_MAX_TEXT]


def _search_radius(value, default: float, messages: list[str]) -> float:
    if value is None or value == "":
        return default
    try:
        radius = float(value)
    except (TypeError, ValueError):
        messages.append(_("Le rayon « %(value)s » n'est pas un nombre : rayon de %(radius)s utilisé.",
                           value=str(value)[:20], radius=_km(default)))
        return default
    if not math.isfinite(radius) or radius <= 0:
        messages.append(_("Le rayon doit être positif : rayon de %(radius)s utilisé.", radius=_km(default)))
        return default
    if radius > SEARCH_MAX_RADIUS_KM:
        messages.append(_("Le rayon est limité à %(radius)s.", radius=_km(SEARCH_MAX_RADIUS_KM)))
        return SEARCH_MAX_RADIUS_KM
    return radius


def _search_facets(raw, messages: list[str]) -> dict[str, list[str]]:
    """The known values of known vocabularies; the rest is ignored with a message."""
    facets: dict[str, list[str]] = {}
    for key, values in (raw or {}).items():
        if key == "network_labels":  # label ids, read from the URL's codes by the search form
            ids = [value for value in ([values] if isinstance(values, int) else values or ()) if isinstance(value, int)]
            if ids:
                facets[key] = list(dict.fromkeys(ids))
            continue
        if key not in PLACE_VOCABULARIES:
            messages.append(_("Le filtre « %(name)s » n'existe pas : il a été ignoré.", name=str(key)[:40]))
            continue
        vocabulary, label, _column = PLACE_VOCABULARIES[key]
        for value in ([values] if isinstance(values, str) else values or ()):
            if value in vocabulary:
                if value not in facets.setdefault(key, []):
                    facets[key].append(value)
            else:
                messages.append(_("« %(value)s » n'est pas une valeur de « %(filter)s » : ignorée.",
                                   value=str(value)[:60], filter=vocabulary_label(label)))
        if not facets.get(key):
            facets.pop(key, None)
    return facets


class _Hours(NamedTuple):
    """What the hours module needs of a place to say whether it is open (no ORM object)."""
    id: int
    opening_hours: str | None
    closures: list


class _Closure(NamedTuple):
    id: int
    starts_on: date
    ends_on: date
    opening_hours: str | None


def _opening_hours(place_ids: list[int], day: date, *, closures: bool) -> list[_Hours]:
    """The hours of these places and, with ``closures``, the closures covering ``day``: ONE query
    of a few columns (ids inlined as integers: no bound-variable limit on SQLite)."""
    places, closed = Place.__table__.c, PlaceClosure.__table__.c
    ids = bindparam("open_ids", place_ids, expanding=True, literal_execute=True)
    if not closures:
        rows = db.session.execute(select(places.id, places.opening_hours).where(places.id.in_(ids))).all()
        return [_Hours(place_id, expr, []) for place_id, expr in rows]
    found: dict[int, _Hours] = {}
    rows = db.session.execute(
        select(places.id, places.opening_hours, closed.id, closed.starts_on, closed.ends_on, closed.opening_hours)
        .outerjoin(PlaceClosure.__table__,
                   and_(closed.place_id == places.id, closed.starts_on <= day, closed.ends_on >= day))
        .where(places.id.in_(ids))).all()
    for place_id, expr, closure_id, starts_on, ends_on, closure_expr in rows:
        place = found.get(place_id) or found.setdefault(place_id, _Hours(place_id, expr, []))
        if closure_id is not None:
            place.closures.append(_Closure(closure_id, starts_on, ends_on, closure_expr))
    return list(found.values())


def _open_filter(request: SearchRequest, at: datetime):
    """The ``keep`` callback of the index search: the ids of the places open as asked at ``at``
    (the request's time: "open on Saturday" counts from its day too). Each place is evaluated once
    per request: the widening attempts ask again about the places already seen, and only the new
    ones are read, in one query per attempt."""
    if not (request.open_now or request.open_saturday):
        return None
    today = to_paris(at).date()
    known: dict[int, bool] = {}  # place id -> open as asked

    def is_open(place: _Hours) -> bool:
        if request.open_now and not hours.is_open_at(place, at):
            return False
        return not request.open_saturday or hours.open_on_saturday(place, today)

    def keep(place_ids: list[int]) -> set[int]:
        new = sorted(set(place_ids) - known.keys())
        if new:
            for place in _opening_hours(new, today, closures=request.open_now):
                known[place.id] = is_open(place)
            for place_id in new:
                known.setdefault(place_id, False)  # gone from the database meanwhile
        return {place_id for place_id in place_ids if known[place_id]}
    return keep


def _log_search(text: str, facets: dict, location, radius_km: float | None, total: int) -> None:
    """One anonymous row: the words searched (search.log_words), facets, commune resolved, radius
    and count — never the raw text nor the address typed, nor anything about the person."""
    session = db.session()
    # The page's places are loaded before this write: they must stay loaded. With expire_on_commit
    # the template would reload each of them, one query per place (a third of the page's time).
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.add(SearchLog(words=search.log_words(text), facets=facets,
                              commune=location.commune if location else None,
                              insee_code=location.insee_code if location else None,
                              radius_km=radius_km, results_count=total))
        session.commit()
    except Exception:
        logger.exception("search log not written")
        session.rollback()
    finally:
        session.expire_on_commit = expire_on_commit


def purge_search_log(*, now: datetime | None = None) -> int:
    """Deletes the search log rows older than SEARCH_LOG_RETENTION_DAYS (a nightly job)."""
    limit = (now or utcnow()) - timedelta(days=current_app.config["SEARCH_LOG_RETENTION_DAYS"])
    count = db.session.execute(delete(SearchLog).where(SearchLog.at < limit)).rowcount
    db.session.commit()
    if count:
        logger.info("search log: %d row(s) older than %s purged", count, limit.date().isoformat())
    return count


def _map_points(index_points: list, page_places: dict[int, Place]) -> list[MapPoint]:
    """Names and links of the map's places: the page's places are already loaded; the others come
    from ONE query of four columns (ids inlined as integers: no bound-variable limit on SQLite),
    public places only — the database has the last word."""
    missing = sorted({p.place_id for p in index_points} - page_places.keys())
    rows = {place.id: (place.name, place.public_id, place.commune)
            for place in page_places.values() if place.is_public}
    if missing:
        # Core columns (no ORM entity): a third of the time for thousands of rows
        places, organisations = Place.__table__.c, Organisation.__table__.c
        ids = bindparam("map_ids", missing, expanding=True, literal_execute=True)
        rows.update((id_, (name, public_id, commune)) for id_, name, public_id, commune in db.session.execute(
            select(places.id, places.name, places.public_id, places.commune)
            .join(Organisation.__table__, organisations.id == places.organisation_id)
            .where(places.id.in_(ids), places.published.is_(True), places.deleted_at.is_(None),
                   organisations.status == "active")).all())  # all(): one fetch, not one call per row
    points = []
    for p in index_points:
        row = rows.get(p.place_id)
        if row is not None:
            points.append(MapPoint(p.latitude, p.longitude, row[0], row[1], p.distance_km, row[2]))
    return points


def _page_places(matches) -> dict[int, Place]:
    """The places of a page of index matches, with what their result shows (organisation, closures), in one query."""
    return {place.id: place for place in db.session.scalars(
        select(Place).where(Place.id.in_([m.place_id for m in matches]))
        .options(joinedload(Place.organisation), selectinload(Place.closures))).unique()}


NOTHING_OPEN_NOW = lazy_gettext("Aucun de ces lieux n'est ouvert en ce moment : voici ceux qui ouvrent le plus tôt.")
NEXT_OPENINGS_SHOWN = 5


def _near(point) -> "Location | None":
    """« Autour de moi »: the browser's position, as a search location. Never written anywhere."""
    if not point:
        return None
    from coordination.directory import geocoding
    latitude, longitude = point
    return geocoding.Location(latitude=latitude, longitude=longitude, label=_("votre position"), commune=None,
                              insee_code=None, postcode=None, approximate=False)


def _next_openings(request: SearchRequest, queries, ask, radii, now: datetime) -> list[SearchHit]:
    """Nothing is open now: the same search without « ouvert maintenant », its nearest (or most
    relevant) places ordered by their next opening, so the resident knows where to go and when."""
    keep = _open_filter(SearchRequest(open_saturday=request.open_saturday), now)
    result = None
    try:
        for text_query in queries:
            for radius in radii:
                result = ask(text_query, radius_km=radius, keep=keep, page=1)
                if result.total:
                    break
            if result.total:
                break
    except search.IndexUnavailable:
        return []
    if not result or not result.total:
        return []
    by_id = _page_places(result.matches)
    timed = []
    for match in result.matches:
        place = by_id.get(match.place_id)
        opening = hours.next_opening(place, now) if place is not None and place.is_public else None
        if opening is not None:
            timed.append((opening, len(timed), SearchHit(place=place, distance_km=match.distance_km)))
    return [hit for _, _, hit in sorted(timed)[:NEXT_OPENINGS_SHOWN]]


# How the page says what a need was understood as, one whole phrase per service of the standard
# (the French of ``needs.SERVICE_PHRASES``, with « lieux »), in the page's language.
SERVICE_MEANINGS = {
    "Aide aux démarches administratives": lazy_gettext("lieux qui aident aux démarches administratives"),
    "Maîtrise des outils numériques du quotidien":
        lazy_gettext("lieux qui aident à utiliser les outils numériques du quotidien"),
    "Insertion professionnelle via le numérique":
        lazy_gettext("lieux qui aident à chercher un emploi avec le numérique"),
    "Utilisation sécurisée du numérique": lazy_gettext("lieux qui aident à utiliser le numérique en sécurité"),
    "Parentalité et éducation avec le numérique":
        lazy_gettext("lieux qui accompagnent parents et enfants dans le numérique"),
    "Loisirs et créations numériques": lazy_gettext("lieux qui proposent des loisirs et créations numériques"),
    "Compréhension du monde numérique": lazy_gettext("lieux qui aident à comprendre le monde numérique"),
    "Accès internet et matériel informatique":
        lazy_gettext("lieux qui donnent accès à internet et à du matériel informatique"),
    "Acquisition de matériel informatique à prix solidaire":
        lazy_gettext("lieux qui proposent du matériel informatique à prix solidaire"),
}


def _meaning(need) -> str:
    """« lieux qui aident aux démarches administratives » (services first, else programmes, else
    typologies); alternatives joined the way the page's language says « ou »."""
    if need.services:
        phrases = [str(SERVICE_MEANINGS[service]) for service in need.services]
    elif need.programmes:
        phrases = [_("lieux du dispositif « %(name)s »", name=vocabulary_label(p)) for p in need.programmes]
    else:
        phrases = [_("lieux de type %(name)s", name=code) for code in need.typologies]
    return format_list(phrases, style="or")


def format_list(items: list[str], style: str = "standard") -> str:
    """ "a, b et c" / "a, b ou c" as the page's language writes a list."""
    return babel_list(items, style=style, locale=get_locale() or "fr")


def understood_text(query) -> str | None:
    """How the page says it understood the needs of the query: « démarches CAF : lieux qui aident
    aux démarches administratives » (None without a need)."""
    clauses = query.needs
    if not clauses:
        return None
    named = " ".join(clause.need.term if clause.need.kind == "acronym" else clause.text for clause in clauses)
    meanings = list(dict.fromkeys(_meaning(clause.need) for clause in clauses))
    return _("%(words)s : %(meanings)s", words=named, meanings=_(" ; ").join(meanings))


def _clauses_to_keep(query, point, radii) -> list[int]:
    """The « at least one word » fallback: at the first radius where some clauses find places
    together, the clauses kept — needs first, then the words in the order typed, each kept when the
    places found so far still match it. Empty when no clause finds anything."""
    order = [i for i, c in enumerate(query.clauses) if c.need] + [i for i, c in enumerate(query.clauses) if not c.need]
    for radius in radii:
        matches = search.clause_matches(query, point=point, radius_km=radius)
        kept, places = [], None
        for i in order:
            together = matches[i] if places is None else places & matches[i]
            if together:
                kept.append(i)
                places = together
        if kept:
            return kept
    return []


def _dropped_message(query, kept: list[int]) -> tuple[str, list[str]]:
    dropped = [clause.text for i, clause in enumerate(query.clauses) if i not in kept]
    kept_text = " ".join(query.clauses[i].text for i in sorted(kept))
    names = format_list([_("« %(word)s »", word=word) for word in dropped])
    return ngettext("Aucun lieu ne correspond à tous les mots : voici ceux qui correspondent à « %(kept)s » "
                    "(%(dropped)s a été laissé de côté).",
                    "Aucun lieu ne correspond à tous les mots : voici ceux qui correspondent à « %(kept)s » "
                    "(%(dropped)s ont été laissés de côté).", len(dropped), kept=kept_text, dropped=names), dropped


def search_places(request: SearchRequest, *, now: datetime | None = None, log: bool = True) -> SearchResults:
    """Free text + where + radius + facets + open now/Saturday, sorted by distance or relevance,
    one page. Never raises for bad input: every correction is explained in ``messages``."""
    config = current_app.config
    messages: list[str] = []
    now = now or datetime.now(PARIS)
    day = to_paris(now).date()
    text = _search_text(request.text)
    default_radius = float(config["SEARCH_DEFAULT_RADIUS_KM"])
    radius = _search_radius(request.radius_km, default_radius, messages)
    facets = _search_facets(request.facets, messages)
    try:
        page = max(1, int(request.page or 1))
    except (TypeError, ValueError):
        page = 1
    sort = request.sort if request.sort in SEARCH_SORTS else "distance"

    where = " ".join(str(request.where or "").split())
    resolution = _resolve(where) if where else None
    location = resolution.location if resolution else _near(request.near)
    if where and location is None and resolution.unplaced:
        messages.append(_("« %(where)s » n'a pas pu être situé (service d'adresses indisponible, aucun lieu de "
                          "l'annuaire dans cette commune) : les lieux sont cherchés partout.",
                          where=resolution.unplaced))
    elif where and location is None:
        messages.append(_("Aucune commune ne correspond à « %(where)s » : les lieux sont cherchés partout.",
                          where=where[:100]))
    outside = _outside_network(location)
    if outside:
        messages.append(outside)
    point = (location.latitude, location.longitude) if location else None

    empty = SearchResults(request=request, at=now, hits=[], total=0, page=1, pages=1, facets={}, location=location,
                          radius_km=radius if point else None, widened_from_km=None, suggestion=None,
                          messages=messages, index_status="ok",
                          where_choices=resolution.choices if resolution else (),
                          where_name=resolution.name if resolution else None)
    query = search.TextQuery.parse(text, literal=bool(request.literal))
    ask = functools.partial(search.search, point=point, facets=facets, keep=_open_filter(request, now),
                            sort=sort, page=page, per_page=config["SEARCH_PER_PAGE"], day=day,
                            map_limit=SEARCH_MAP_LIMIT)
    radii = [radius] + [r for r in SEARCH_WIDENING_KM if r > radius] if point else [None]

    def widening(text_query, tried):
        for used in tried:
            found = ask(text_query, radius_km=used)
            if found.total:
                break
        return found, used

    kept, corrected = None, None
    try:
        result, used = widening(query, radii[:1])
        if not result.total and query.needs and len(query.clauses) > 1:
            # A need is what the resident asked for: the places near offering it, with the words
            # that agree with it, before places far away matching every word.
            near = _clauses_to_keep(query, point, radii[:1])
            if near and len(near) < len(query.clauses) and any(query.clauses[i].need for i in near):
                result, used = widening(query.keeping(near), radii[:1])
                kept = near if result.total else None
        if not result.total and len(radii) > 1:
            # Every word at every radius before fewer words: « aide CAF » widens to the places
            # offering both before it settles for fewer words.
            result, used = widening(query, radii[1:])
        if not result.total and len(query.clauses) > 1:
            kept = _clauses_to_keep(query, point, radii)
            if kept and len(kept) < len(query.clauses):
                result, used = widening(query.keeping(kept), radii)
        suggestion = search.suggest(text) if text and not result.total else None
        if suggestion:
            # « smarphone » finds nothing: the places for « smartphone », and the page says so
            retry, retry_used = widening(search.TextQuery.parse(suggestion, literal=query.literal), radii)
            if retry.total:
                result, used, corrected, kept = retry, retry_used, suggestion, None
                query = search.TextQuery.parse(suggestion, literal=query.literal)
    except search.IndexUnavailable:
        empty.index_status = "rebuilding"
        messages.append(str(SEARCH_REBUILDING))
        return empty

    widened_from, next_openings = None, []
    dropped: list[str] = []
    if corrected:
        messages.append(_("Aucun lieu pour « %(text)s » : voici les résultats pour « %(corrected)s ».",
                          text=text, corrected=corrected))
        suggestion = None
    if result.total:
        if point and used != radius:
            widened_from = radius
            messages.append(_("Aucun lieu dans un rayon de %(radius)s : le rayon a été élargi à %(used)s.",
                              radius=_km(radius), used=_km(used)))
        if kept and len(kept) < len(query.clauses):
            message, dropped = _dropped_message(query, kept)
            messages.append(message)
    else:
        used = radius if point else None
        if request.open_now:
            fewer = [query.keeping(kept)] if kept and len(kept) < len(query.clauses) else []
            next_openings = _next_openings(request, [query, *fewer], ask, radii, now)
        if next_openings:
            messages.append(str(NOTHING_OPEN_NOW))
        elif point and radii[-1] != radius:
            messages.append(_("Aucun lieu ne correspond, même dans un rayon de %(radius)s.", radius=_km(radii[-1])))
    if result.page != page:
        messages.append(_("La page %(page)s n'existe pas : voici la dernière page (%(last)s).",
                          page=format_decimal(page), last=format_decimal(result.page)))

    by_id = _page_places(result.matches)
    hits = [SearchHit(place=by_id[m.place_id], distance_km=m.distance_km) for m in result.matches
            if m.place_id in by_id and by_id[m.place_id].is_public]  # the database has the last word

    if log:
        _log_search(text, facets, location, used, result.total)
    return SearchResults(request=request, at=now, hits=hits, total=result.total, page=result.page, pages=result.pages,
                         facets=result.facets, location=location, radius_km=used, widened_from_km=widened_from,
                         suggestion=suggestion, messages=messages, index_status="ok",
                         map_points=_map_points(result.map_points, by_id), next_openings=next_openings,
                         where_choices=resolution.choices if resolution else (),
                         where_name=resolution.name if resolution else None,
                         understood=understood_text(query), literal=query.literal, dropped_words=dropped)

