"""Directory use cases: places and their listings.

Each write is one use case that owns its transaction: load, check permissions, validate, apply,
record the audit record, commit, return. Web views, the CLI and (later) the import call the same
functions. Validation errors are ``Invalid(errors={field: [French message]})``.

``Place.version`` counts *content* versions (optimistic locking, see ``update_place``). Publishing,
unpublishing and "still accurate" confirmations are not content edits: they are written with plain
UPDATE statements that leave the version alone, so that a coordinator unpublishing a place does not
make a partner's edit in progress fail with a conflict.
"""
import functools
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, NamedTuple

from flask import current_app
from sqlalchemy import JSON, String, and_, bindparam, cast, delete, func, or_, select, type_coerce, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from coordination import audit, signals
from coordination.auth import permissions as auth_permissions
from coordination.auth.models import Organisation, User
from coordination.core.clock import PARIS, DateOutOfRange, check_day, to_paris, utcnow
from coordination.directory import hours, permissions, search, validation
from coordination.directory.models import Place, PlaceClosure, SearchLog
from coordination.errors import Conflict, Invalid, NotFound, PermissionDenied
from coordination.extensions import db
from coordination.vocabularies import PLACE_VOCABULARIES, TYPOLOGIES

if TYPE_CHECKING:
    from coordination.directory.geocoding import Location

logger = logging.getLogger(__name__)

PLACE_NOT_FOUND = "Ce lieu n'existe pas ou a été supprimé."
CONFLICT_MESSAGE = "Cette fiche a été modifiée par quelqu'un d'autre pendant que vous la modifiiez."
STATUS_MESSAGES = {
    "pending": "Votre organisation est en attente de validation par la coordination : vous pourrez "
               "ajouter et modifier des lieux dès qu'elle sera validée.",
    "refused": "L'inscription de votre organisation n'a pas été acceptée : elle ne peut pas publier de lieux.",
    "suspended": "Votre organisation est suspendue : ses lieux ne peuvent pas être modifiés. "
                 "Contactez la coordination du réseau.",
}
CONTENT_FIELDS = tuple(name for name in validation.CLEANERS if name != "published")


# --- reading -------------------------------------------------------------------------------

def published_places(limit: int = 50) -> list[Place]:
    return db.session.scalars(
        select(Place).join(Organisation)
        .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active")
        .order_by(Place.name).limit(limit)
    ).all()


def recently_updated_places(limit: int = 6) -> list[Place]:
    """The public places (published, not deleted, organisation active) last updated first: the home
    page's short list."""
    return db.session.scalars(
        select(Place).join(Organisation)
        .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active")
        .order_by(Place.updated_at.desc(), Place.id.desc()).limit(limit)
    ).all()


def _load_place(place_id: int) -> Place:
    place = db.session.get(Place, place_id)
    if place is None or place.deleted_at is not None:
        raise NotFound(PLACE_NOT_FOUND)
    return place


def _denied(actor, organisation: Organisation) -> PermissionDenied:
    """The refusal, with the reason when the actor belongs to an organisation that is not active."""
    if auth_permissions.is_member(actor, organisation) and not organisation.is_active:
        return PermissionDenied(STATUS_MESSAGES.get(organisation.status))
    return PermissionDenied()


def get_place_for_edit(place_id: int, *, actor) -> Place:
    place = _load_place(place_id)
    if not permissions.can_edit_place(actor, place):
        raise _denied(actor, place.organisation)
    return place


def get_public_place(public_id: str, *, actor) -> Place:
    """The place behind a public page: published places of active organisations, or any
    non-deleted place for those who can edit it."""
    place = db.session.scalar(select(Place).where(Place.public_id == public_id))
    if place is None or not permissions.can_view_place(actor, place):
        raise NotFound("Cette fiche n'existe pas ou n'est plus publiée.")
    return place


def get_organisation_for_new_place(organisation_id: int, *, actor) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Cette organisation n'existe pas.")
    if not permissions.can_create_place(actor, organisation):
        raise _denied(actor, organisation)
    return organisation


@dataclass
class OrganisationListings:
    """One organisation of the partner space, with what the actor may do there."""
    organisation: Organisation
    role: str
    places: list[Place] = field(default_factory=list)
    can_add_places: bool = False
    can_manage_members: bool = False
    status_message: str | None = None


def partner_dashboard(*, actor: User) -> list[OrganisationListings]:
    """The actor's organisations, each with its places (deleted ones left out)."""
    memberships = sorted(actor.memberships, key=lambda m: m.organisation.name.lower())
    places = db.session.scalars(
        select(Place).where(Place.organisation_id.in_([m.organisation_id for m in memberships]),
                            Place.deleted_at.is_(None))
        .order_by(Place.name)
    ).all()
    entries = []
    for membership in memberships:
        organisation = membership.organisation
        entries.append(OrganisationListings(
            organisation=organisation,
            role=membership.role,
            places=[p for p in places if p.organisation_id == organisation.id],
            can_add_places=permissions.can_create_place(actor, organisation),
            can_manage_members=permissions.can_manage_members(actor, organisation),
            status_message=STATUS_MESSAGES.get(organisation.status),
        ))
    return entries


def moderation_places(*, actor, organisation_id: int | None = None, published: bool | None = None) -> list[Place]:
    """Every non-deleted place of the network, for coordinators, optionally filtered."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied()
    query = (select(Place).join(Organisation).where(Place.deleted_at.is_(None))
             .options(selectinload(Place.organisation)).order_by(Organisation.name, Place.name))
    if organisation_id is not None:
        query = query.where(Place.organisation_id == organisation_id)
    if published is not None:
        query = query.where(Place.published.is_(published))
    return db.session.scalars(query).all()


def organisations_with_places(*, actor) -> list[Organisation]:
    """The organisations offered by the coordination's filter."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied()
    return db.session.scalars(
        select(Organisation).where(Organisation.id.in_(select(Place.organisation_id).where(Place.deleted_at.is_(None))))
        .order_by(Organisation.name)
    ).all()


# --- writing -------------------------------------------------------------------------------

def _with_coordinates_source(cleaned: dict, place: Place | None) -> dict:
    """Coordinates typed by a person are "manual"; unchanged ones keep their origin."""
    if "coordinates_source" in cleaned or not {"latitude", "longitude"} & set(cleaned):
        return cleaned
    latitude = cleaned.get("latitude", place.latitude if place else None)
    longitude = cleaned.get("longitude", place.longitude if place else None)
    if latitude is None or longitude is None:
        source = None
    elif place is not None and (latitude, longitude) == (place.latitude, place.longitude):
        source = place.coordinates_source
    else:
        source = "manual"
    return {**cleaned, "coordinates_source": source}


ADDRESS_FIELDS = ("address", "postcode", "commune")


def _queue_geocoding(place: Place, changed) -> None:
    """Geocoding never blocks a save: a place whose address changed, or that has no coordinates,
    waits for the geocoding job (geocoding.geocode_pending_places) unless a person typed them."""
    if place.coordinates_source == "manual" and place.latitude is not None:
        return
    if set(ADDRESS_FIELDS) & set(changed) and place.latitude is not None:
        place.latitude = place.longitude = place.coordinates_source = None  # stale: another address
    if place.latitude is None or place.longitude is None:
        place.geocode_status, place.geocode_attempts, place.geocode_next_at = "pending", 0, None


def create_place(organisation_id: int, data: dict, *, actor) -> Place:
    organisation = get_organisation_for_new_place(organisation_id, actor=actor)
    cleaned = _with_coordinates_source(validation.clean_place(data), None)
    now = utcnow()
    place = Place(organisation=organisation, created_at=now, updated_at=now, verified_at=now, **cleaned)
    _queue_geocoding(place, ())  # new: only a place without coordinates waits for the geocoder
    db.session.add(place)
    db.session.flush()
    audit.record(actor, "place.create", "place", place.id, organisation_id=organisation.id,
                 public_id=place.public_id)
    db.session.commit()
    search.queue_place_ids([place.id])
    return place


def _differences(place: Place, cleaned: dict) -> list[str]:
    return [name for name, value in cleaned.items() if getattr(place, name) != value]


def _display(name: str, value) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name == "opening_hours":
        return " ; ".join(hours.describe_lines(value)) or value
    if name == "typology":
        return ", ".join(TYPOLOGIES.get(code, code) for code in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _conflict(place: Place, cleaned: dict) -> Conflict:
    changes = [(validation.LABELS[name], _display(name, cleaned[name]), _display(name, getattr(place, name)))
               for name in _differences(place, cleaned) if name != "coordinates_source"]
    return Conflict(CONFLICT_MESSAGE, changes=changes, current_version=place.version)


def update_place(place_id: int, data: dict, *, actor, expected_version: int | None) -> Place:
    """Saves a place's listing. ``expected_version`` is the version the person started from: if the
    place changed meanwhile, nothing is saved and Conflict lists the fields where what they submitted
    differs from what is stored now. ``None`` skips the check (CLI, import)."""
    place = get_place_for_edit(place_id, actor=actor)
    if "published" in data:
        raise Invalid(errors={"published": ["La publication se change avec set_published."]})
    cleaned = _with_coordinates_source(validation.clean_place(data, partial=True), place)
    changed = _differences(place, cleaned)
    if not changed:
        return place
    if expected_version is not None and expected_version != place.version:
        raise _conflict(place, cleaned)
    for name in changed:
        setattr(place, name, cleaned[name])
    _queue_geocoding(place, changed)
    place.updated_at = utcnow()
    if auth_permissions.is_member(actor, place.organisation):
        place.verified_at = place.updated_at  # its partner just reviewed it
    audit.record(actor, "place.update", "place", place.id, fields=sorted(changed))
    try:
        db.session.commit()
    except StaleDataError:  # another transaction committed a new version after we loaded it
        db.session.rollback()
        raise _conflict(_load_place(place_id), cleaned) from None
    search.queue_place_ids([place.id])
    return place


def set_published(place_id: int, published: bool, *, actor) -> Place:
    place = get_place_for_edit(place_id, actor=actor)
    if place.published == published:
        return place
    db.session.execute(update(Place.__table__).where(Place.__table__.c.id == place.id)
                       .values(published=published))
    audit.record(actor, "place.publish" if published else "place.unpublish", "place", place.id)
    db.session.commit()
    search.queue_place_ids([place.id])
    return place


def confirm_place_accurate(place_id: int, *, actor) -> Place:
    """"Ces informations sont toujours exactes": the partner vouches for the listing today."""
    place = _load_place(place_id)
    if not permissions.can_confirm_place(actor, place):
        raise _denied(actor, place.organisation)
    db.session.execute(update(Place.__table__).where(Place.__table__.c.id == place.id)
                       .values(verified_at=utcnow(), stale_since=None))
    audit.record(actor, "place.confirm", "place", place.id)
    db.session.commit()
    search.queue_place_ids([place.id])
    return place


def delete_place(place_id: int, *, actor) -> Place:
    """Soft delete: the row stays (its public id is never given to another place), unpublished."""
    place = _load_place(place_id)
    if not permissions.can_delete_place(actor, place):
        raise _denied(actor, place.organisation)
    place.deleted_at = utcnow()
    place.published = False
    audit.record(actor, "place.delete", "place", place.id, public_id=place.public_id)
    db.session.commit()
    search.queue_place_ids([place.id])
    return place


# --- Closures: temporary closures and exceptional hours -------------------------------------

CLOSURE_NOT_FOUND = "Cette fermeture n'existe pas ou a déjà été supprimée."
CLOSURE_MAX_DAYS = 366
CLOSURE_MESSAGE_MAX = 280


def paris_today() -> date:
    return to_paris(utcnow()).date()


def _closure_date(value, errors: dict, name: str, label: str) -> date | None:
    """A day typed as AAAA-MM-JJ or JJ/MM/AAAA, within the years 2000 to 2100."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if isinstance(value, date):
        day = value
    elif not text:
        errors[name] = [f"Indiquez la date {label}."]
        return None
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            try:
                number, month, year = (int(part) for part in text.replace("-", "/").split("/"))
                day = date(year, month, number)
            except ValueError:
                errors[name] = [f"« {text[:20]} » n'est pas une date valable (format JJ/MM/AAAA)."]
                return None
    try:
        return check_day(day)
    except DateOutOfRange as error:
        errors[name] = [str(error)]
        return None


def _clean_closure(place: Place, data: dict, today: date) -> dict:
    """{starts_on, ends_on, closed, opening_hours, message} -> the closure's columns; Invalid otherwise."""
    errors: dict[str, list[str]] = {}
    starts_on = _closure_date(data.get("starts_on"), errors, "starts_on", "de début")
    ends_on = _closure_date(data.get("ends_on"), errors, "ends_on", "de fin")
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = ["La date de fin doit être le même jour que la date de début ou après."]
        elif starts_on < today:
            errors["starts_on"] = ["La date de début est passée : indiquez aujourd'hui ou une date à venir."]
        elif (ends_on - starts_on).days >= CLOSURE_MAX_DAYS:
            errors["ends_on"] = ["Une fermeture temporaire dure au plus un an : au-delà, modifiez les horaires "
                                 "du lieu ou retirez-le de l'annuaire."]
        else:
            for other in place.closures:
                if other.starts_on <= ends_on and starts_on <= other.ends_on:
                    errors["starts_on"] = [f"Une autre période est déjà déclarée {hours.closure_period(other, today)} "
                                           ": supprimez-la d'abord ou choisissez d'autres dates."]
                    break
    opening_hours = None
    if not data.get("closed"):
        try:
            opening_hours = hours.validate(data.get("opening_hours")) or None
        except hours.HoursError as error:
            errors["opening_hours"] = [str(error)]
        else:
            if opening_hours is None:
                errors["opening_hours"] = ["Indiquez les horaires exceptionnels, ou choisissez « Fermé »."]
    message = " ".join((data.get("message") or "").split()) or None
    if message and len(message) > CLOSURE_MESSAGE_MAX:
        errors["message"] = [f"{CLOSURE_MESSAGE_MAX} caractères au maximum (actuellement {len(message)})."]
    if errors:
        raise Invalid(errors=errors)
    return {"starts_on": starts_on, "ends_on": ends_on, "opening_hours": opening_hours, "message": message}


def add_closure(place_id: int, data: dict, *, actor) -> PlaceClosure:
    """Declares a temporary closure (``closed`` true) or exceptional hours (``opening_hours``, OSM
    syntax) from ``starts_on`` to ``ends_on`` inclusive, with an optional ``message`` for residents."""
    place = get_place_for_edit(place_id, actor=actor)
    cleaned = _clean_closure(place, data, paris_today())
    closure = PlaceClosure(place=place, created_by_id=getattr(actor, "id", None), **cleaned)
    db.session.add(closure)
    db.session.flush()
    audit.record(actor, "place.closure.add", "place", place.id, closure_id=closure.id,
                 starts_on=closure.starts_on.isoformat(), ends_on=closure.ends_on.isoformat(),
                 closed=closure.opening_hours is None)
    db.session.commit()
    search.queue_place_ids([place.id])
    return closure


def remove_closure(closure_id: int, *, actor) -> PlaceClosure:
    closure = db.session.get(PlaceClosure, closure_id)
    if closure is None:
        raise NotFound(CLOSURE_NOT_FOUND)
    place = get_place_for_edit(closure.place_id, actor=actor)
    db.session.delete(closure)
    audit.record(actor, "place.closure.remove", "place", place.id, closure_id=closure_id)
    db.session.commit()
    search.queue_place_ids([place.id])
    return closure


def place_closures(place_id: int, *, actor) -> tuple[Place, list[PlaceClosure]]:
    """The place (for its editors) and its current and future closures."""
    place = get_place_for_edit(place_id, actor=actor)
    return place, hours.upcoming_closures(place, paris_today())


# --- Search: residents find places near them ------------------------------------------------
# The index lives in directory/search/ (the only code that touches Whoosh); this is the use case
# the search page, the API and the benchmark call. Writes to the index go through the queue
# (search.queue_place_ids after each commit above; search.apply_queue in the scheduler).

SEARCH_REBUILDING = "La recherche est en cours de reconstruction : réessayez dans quelques instants."
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
    facets: dict[str, list[str]] = field(default_factory=dict)  # keys of vocabularies.PLACE_VOCABULARIES
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
    return (f"« {location.label} » ({named(departement)}) est hors du territoire du réseau "
            f"{current_app.config['NETWORK_NAME']}, qui couvre : {covered}. Les lieux recensés autour sont "
            "tout de même affichés ; pour d'autres territoires, voyez aussi la cartographie nationale.")


def _search_text(text) -> str:
    return " ".join(str(text or "").split())[:SEARCH_MAX_TEXT]


def _search_radius(value, default: float, messages: list[str]) -> float:
    if value is None or value == "":
        return default
    try:
        radius = float(value)
    except (TypeError, ValueError):
        messages.append(f"Le rayon « {str(value)[:20]} » n'est pas un nombre : rayon de {default:g} km utilisé.")
        return default
    if not math.isfinite(radius) or radius <= 0:
        messages.append(f"Le rayon doit être positif : rayon de {default:g} km utilisé.")
        return default
    if radius > SEARCH_MAX_RADIUS_KM:
        messages.append(f"Le rayon est limité à {SEARCH_MAX_RADIUS_KM:g} km.")
        return SEARCH_MAX_RADIUS_KM
    return radius


def _search_facets(raw, messages: list[str]) -> dict[str, list[str]]:
    """The known values of known vocabularies; the rest is ignored with a message."""
    facets: dict[str, list[str]] = {}
    for key, values in (raw or {}).items():
        if key not in PLACE_VOCABULARIES:
            messages.append(f"Le filtre « {str(key)[:40]} » n'existe pas : il a été ignoré.")
            continue
        vocabulary, label, _column = PLACE_VOCABULARIES[key]
        for value in ([values] if isinstance(values, str) else values or ()):
            if value in vocabulary:
                if value not in facets.setdefault(key, []):
                    facets[key].append(value)
            else:
                messages.append(f"« {str(value)[:60]} » n'est pas une valeur de « {label} » : ignorée.")
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


NOTHING_OPEN_NOW = "Aucun de ces lieux n'est ouvert en ce moment : voici ceux qui ouvrent le plus tôt."
NEXT_OPENINGS_SHOWN = 5


def _near(point) -> "Location | None":
    """« Autour de moi »: the browser's position, as a search location. Never written anywhere."""
    if not point:
        return None
    from coordination.directory import geocoding
    latitude, longitude = point
    return geocoding.Location(latitude=latitude, longitude=longitude, label="votre position", commune=None,
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


def understood_text(query) -> str | None:
    """How the page says it understood the needs of the query: « démarches CAF : lieux qui aident
    aux démarches administratives » (None without a need)."""
    clauses = query.needs
    if not clauses:
        return None
    named = " ".join(clause.need.term if clause.need.kind == "acronym" else clause.text for clause in clauses)
    meanings = list(dict.fromkeys(clause.need.understood() for clause in clauses))
    return f"{named} : " + " ; ".join(meanings)


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
    names = ", ".join(f"« {word} »" for word in dropped)
    verb = "a été laissé de côté" if len(dropped) == 1 else "ont été laissés de côté"
    return (f"Aucun lieu ne correspond à tous les mots : voici ceux qui correspondent à « {kept_text} » "
            f"({names} {verb})."), dropped


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
        messages.append(f"« {resolution.unplaced} » n'a pas pu être situé (service d'adresses indisponible, aucun "
                        "lieu de l'annuaire dans cette commune) : les lieux sont cherchés partout.")
    elif where and location is None:
        messages.append(f"Aucune commune ne correspond à « {where[:100]} » : les lieux sont cherchés partout.")
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
        messages.append(SEARCH_REBUILDING)
        return empty

    widened_from, next_openings = None, []
    dropped: list[str] = []
    if corrected:
        messages.append(f"Aucun lieu pour « {text} » : voici les résultats pour « {corrected} ».")
        suggestion = None
    if result.total:
        if point and used != radius:
            widened_from = radius
            messages.append(f"Aucun lieu dans un rayon de {radius:g} km : le rayon a été élargi à {used:g} km.")
        if kept and len(kept) < len(query.clauses):
            message, dropped = _dropped_message(query, kept)
            messages.append(message)
    else:
        used = radius if point else None
        if request.open_now:
            fewer = [query.keeping(kept)] if kept and len(kept) < len(query.clauses) else []
            next_openings = _next_openings(request, [query, *fewer], ask, radii, now)
        if next_openings:
            messages.append(NOTHING_OPEN_NOW)
        elif point and radii[-1] != radius:
            messages.append(f"Aucun lieu ne correspond, même dans un rayon de {radii[-1]:g} km.")
    if result.page != page:
        messages.append(f"La page {page} n'existe pas : voici la dernière page ({result.page}).")

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


# --- Open data: what the exports, the API and the change feed read -----------------------------

def _public_places_query():
    return (select(Place).join(Place.organisation)
            .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active"))


def _with_postal_address(places):
    """Places whose address, postcode and commune are known: what the standard's files may carry (a
    place imported with its coordinates alone is on the map, not in the files: issue 15)."""
    return places.address.is_not(None), places.address != "", places.postcode.is_not(None)


def iter_public_places(batch_size: int = 2000, *, with_postal_address: bool = False) -> Iterator[SimpleNamespace]:
    """Every public place, by id, streamed in batches: an export of the whole country never holds
    more than one batch of rows in memory. Each place is a read-only snapshot, not an ORM object:
    the place's columns as attributes, and ``organisation`` with its organisation's columns. (The
    ORM's identity map and instrumentation were half of an export's time at 100,000 places.)"""
    places, organisations = Place.__table__.c, Organisation.__table__.c
    json_names = [column.name for column in places if isinstance(column.type, JSON)]
    # The JSON columns as their text: the twelve lists of a place are decoded in one call below.
    place_columns = [type_coerce(column, String).label(column.name) if column.name in json_names else column
                     for column in places]
    statement = (select(*place_columns, *(column.label(f"organisation__{column.name}") for column in organisations))
                 .join(Organisation.__table__, organisations.id == places.organisation_id)
                 .where(places.published.is_(True), places.deleted_at.is_(None), organisations.status == "active")
                 .order_by(places.id).execution_options(yield_per=batch_size))
    if with_postal_address:
        statement = statement.where(*_with_postal_address(places))
    place_names = [column.name for column in places]
    organisation_names = [column.name for column in organisations]
    split = len(place_names)
    # SQLite gives the JSON columns' text; psycopg decodes JSON by type whatever SQLAlchemy expects
    json_as_text = db.engine.dialect.name == "sqlite"
    result = db.session.execute(statement)
    try:
        for row in result:
            values = dict(zip(place_names, row[:split], strict=True))
            if json_as_text:
                _decode_json_columns(values, json_names)
            place = SimpleNamespace(**values)
            place.organisation = SimpleNamespace(**dict(zip(organisation_names, row[split:], strict=True)))
            yield place
    finally:  # a caller that stops early must not leave a server-side cursor open
        result.close()


def _decode_json_columns(values: dict, names: list[str]) -> None:
    """The JSON columns of one row, given as their text, decoded in place in one call (one JSON
    array) instead of one call per column."""
    texts = [values[name] for name in names]
    decoded = json.loads("[" + ",".join("null" if text is None else text for text in texts) + "]")
    values.update(zip(names, decoded, strict=True))


def count_public_places(*, with_postal_address: bool = False) -> int:
    query = _public_places_query()
    if with_postal_address:
        query = query.where(*_with_postal_address(Place.__table__.c))
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def get_published_place(public_id: str) -> Place:
    """A public place by its public id (anonymous readers: the API)."""
    place = db.session.scalar(_public_places_query().where(Place.public_id == str(public_id)[:36])
                              .options(contains_eager(Place.organisation)))
    if place is None:
        raise NotFound("Ce lieu n'existe pas ou n'est plus publié.")
    return place


IndexUnavailable = search.IndexUnavailable  # the API answers 503 while the index is rebuilt


@dataclass
class PlaceFilter:
    """The API's filters, already parsed (the API checks their syntax and answers 400 in French)."""
    text: str = ""
    postcode: str | None = None
    insee_code: str | None = None
    commune: str | None = None
    services: list[str] = field(default_factory=list)  # a place offering any of them
    near: tuple[float, float, float] | None = None  # latitude, longitude, radius in km
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    updated_since: date | None = None  # date_maj on or after this day
    literal: bool = False  # q: the words only, not the needs they name (mots=exacts)


@dataclass
class PlacePage:
    places: list[Place]
    total: int
    distances_km: dict[int, float] = field(default_factory=dict)


def _json_list_contains(column, value: str):
    # Lists are stored as JSON text: the value appears quoted exactly as json.dumps writes it
    # (accents escaped), on SQLite and PostgreSQL alike.
    quoted = json.dumps(value)
    for special in "!%_":
        quoted = quoted.replace(special, "!" + special)
    return cast(column, String).like(f"%{quoted}%", escape="!")


def _filtered_statement(filters: PlaceFilter):
    """The SQL part of the filters, on (id, latitude, longitude, commune) of the public places."""
    statement = (_public_places_query().with_only_columns(Place.id, Place.latitude, Place.longitude, Place.commune))
    if filters.postcode:
        statement = statement.where(Place.postcode == filters.postcode)
    if filters.insee_code:
        statement = statement.where(Place.insee_code == filters.insee_code.upper())
    if filters.services:
        statement = statement.where(or_(*(_json_list_contains(Place.services, s) for s in filters.services)))
    if filters.bbox:
        west, south, east, north = filters.bbox
        statement = statement.where(Place.longitude.between(west, east), Place.latitude.between(south, north))
    if filters.near:
        lat, lon, radius = filters.near
        dlat = radius / 111.0
        dlon = radius / (111.0 * max(math.cos(math.radians(lat)), 0.01))
        statement = statement.where(Place.latitude.between(lat - dlat, lat + dlat),
                                    Place.longitude.between(lon - dlon, lon + dlon))
    if filters.updated_since:
        start = datetime.combine(filters.updated_since, datetime.min.time(), PARIS).astimezone(UTC)
        start = start.replace(tzinfo=None)
        statement = statement.where(or_(Place.updated_at >= start, Place.verified_at >= start))
    return statement


def _load_page(ids: list[int]) -> dict[int, Place]:
    if not ids:
        return {}
    return {place.id: place for place in db.session.scalars(
        select(Place).where(Place.id.in_(ids)).options(joinedload(Place.organisation)))}


def find_public_places(filters: PlaceFilter, *, page: int, per_page: int) -> PlacePage:
    """One page of public places matching every filter: nearest first around a point, else by id
    (a stable order for harvesting page after page)."""
    statement = _filtered_statement(filters)
    if not (filters.commune or filters.text or filters.near):
        # Only SQL filters: the database counts and pages (harvesting the whole country page by
        # page must not read every row for every page).
        total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
        ids = list(db.session.scalars(statement.with_only_columns(Place.id).order_by(Place.id)
                                      .limit(per_page).offset((page - 1) * per_page)))
        loaded = _load_page(ids)
        return PlacePage(places=[loaded[i] for i in ids if i in loaded], total=total)
    rows = db.session.execute(statement.order_by(Place.id)).all()
    if filters.commune:  # without case or accents, the same on SQLite (whose lower() is ASCII only)
        wanted = search.fold(" ".join(filters.commune.split()))
        rows = [row for row in rows if search.fold(row.commune) == wanted]
    if filters.text:
        matching = search.matching_place_ids(search.TextQuery.parse(filters.text, literal=filters.literal))
        rows = [row for row in rows if row.id in matching]
    distances: dict[int, float] = {}
    if filters.near:
        lat, lon, radius = filters.near
        for row in rows:
            distances[row.id] = search.haversine_km(lat, lon, row.latitude, row.longitude)
        rows = sorted((row for row in rows if distances[row.id] <= radius), key=lambda r: (distances[r.id], r.id))
    ids = [row.id for row in rows[(page - 1) * per_page: page * per_page]]
    loaded = _load_page(ids)
    return PlacePage(places=[loaded[i] for i in ids if i in loaded], total=len(rows),
                     distances_km={i: round(distances[i], 3) for i in ids if i in distances})


@dataclass
class PlaceChange:
    """One entry of the change feed: a public place as it is now, or a tombstone."""
    place: Place
    changed_at: datetime
    status: str  # "publie" | "depublie" | "supprime"


def place_changes(since: datetime, *, after_id: int = 0, limit: int = 500) -> list[PlaceChange]:
    """Places changed after ``since`` (naive UTC), oldest change first, ties broken by id: a reuser
    stores the last (changed_at, id) and asks again from there. A place that left the public
    directory (unpublished, deleted, organisation suspended) comes as a tombstone — also one the
    reuser never saw (never published): unknown ids are to be ignored.

    ``changed_at`` is stamped when a row is written, not when its transaction commits: changes
    younger than OPEN_DATA_FEED_DELAY_SECONDS are held back, so that a cursor never moves past the
    rows of a long import that has not committed yet."""
    settled = utcnow() - timedelta(seconds=current_app.config["OPEN_DATA_FEED_DELAY_SECONDS"])
    statement = (select(Place).join(Place.organisation).options(contains_eager(Place.organisation))
                 .where(or_(Place.changed_at > since, and_(Place.changed_at == since, Place.id > after_id)),
                        Place.changed_at <= settled)
                 .order_by(Place.changed_at, Place.id).limit(limit))
    changes = []
    for place in db.session.scalars(statement):
        status = "publie" if place.is_public else ("supprime" if place.deleted_at else "depublie")
        changes.append(PlaceChange(place=place, changed_at=place.changed_at, status=status))
    return changes


# --- Reactions to other domains ----------------------------------------------------------------

def queue_places_for_search(place_ids) -> None:
    """Places another domain changed (freshness verifies or unpublishes them), after its commit:
    the search index picks them up from the queue."""
    search.queue_place_ids(place_ids)


def requeue_organisation_places(organisation_id: int, **_) -> None:
    """An organisation accepted, suspended or reactivated: its places enter or leave the search index
    and the open-data change feed."""
    place_ids = db.session.scalars(select(Place.id).where(Place.organisation_id == organisation_id)).all()
    if place_ids:
        db.session.execute(update(Place.__table__).where(Place.__table__.c.organisation_id == organisation_id)
                           .values(changed_at=utcnow()))
        db.session.commit()
    search.queue_place_ids(place_ids)


def requeue_organisations_places(organisation_ids: list[int], **_) -> None:
    """Many organisations decided together: their places, in one statement and one commit."""
    place_ids: list[int] = []
    for start in range(0, len(organisation_ids), 1000):  # bounded IN lists
        batch = organisation_ids[start:start + 1000]
        place_ids += db.session.scalars(select(Place.id).where(Place.organisation_id.in_(batch))).all()
        db.session.execute(update(Place.__table__).where(Place.__table__.c.organisation_id.in_(batch))
                           .values(changed_at=utcnow()))
    db.session.commit()
    search.queue_place_ids(place_ids)


def connect_signals() -> None:
    signals.organisation_status_changed.connect(requeue_organisation_places)
    signals.organisations_status_changed.connect(requeue_organisations_places)
