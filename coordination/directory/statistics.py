"""Aggregates of the directory for the coordinators' dashboard: organisations and places by kind,
commune and service, the freshness of the listings, and the unmet needs the search log shows.

Read-only SQL aggregates. The search log holds nothing personal (words, facets, commune, radius,
result count, the hour); no other personal column is ever selected here. Callers check that the
actor is a coordinator (the dashboard's service does).
"""
from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import case, func, or_, select, true

from coordination.auth.models import Organisation
from coordination.core.clock import utcnow
from coordination.directory.models import Place, SearchLog
from coordination.extensions import db
from coordination.vocabularies import ORGANISATION_KINDS, SERVICES

FEW_RESULTS = 2  # a search with at most this many results is an unmet need


@dataclass
class KindCount:
    kind: str
    label: str
    organisations: int  # active organisations of this kind
    places: int  # their public places


@dataclass
class CommuneCount:
    commune: str
    insee_code: str | None
    places: int


@dataclass
class ServiceCount:
    service: str
    places: int


@dataclass
class FreshnessBucket:
    key: str
    label: str
    places: int


@dataclass
class UnmetSearch:
    words: str  # as logged, search.log_words ("" when only facets or a place were given)
    commune: str | None  # None: no place given
    insee_code: str | None
    service: str | None  # None: no service chosen
    searches: int  # with at most FEW_RESULTS results
    without_results: int  # of those, with none


@dataclass
class UnmetCount:
    label: str  # a commune or a service
    code: str | None  # the commune's INSEE code
    searches: int
    without_results: int


@dataclass
class CoverageGap:
    commune: str
    insee_code: str | None
    searches: int  # searches for the service from there that found no place within their radius
    largest_radius_km: float | None
    places_now: int  # public places of that commune offering the service today


# --- helpers ------------------------------------------------------------------------------------

def _public_places():
    return [Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active"]


def _json_values(column, key: str | None = None):
    """The elements of a JSON list (``column`` or ``column[key]``) as a table of one ``value``
    column, to join on: SQLite's json_each, PostgreSQL's json_array_elements_text."""
    if db.engine.dialect.name == "postgresql":
        source = column[key] if key else column
        return func.json_array_elements_text(source).table_valued("value").render_derived(name="json_values")
    path = f"$.{key}" if key else "$"
    return func.json_each(column, path).table_valued("value", name="json_values")


def _since(since: datetime | None) -> list:
    return [SearchLog.at >= since] if since else []


# --- the directory ------------------------------------------------------------------------------

def by_kind() -> list[KindCount]:
    """Every kind of organisation, with its active organisations and their public places, largest first."""
    organisations = dict(db.session.execute(
        select(Organisation.kind, func.count(Organisation.id))
        .where(Organisation.status == "active").group_by(Organisation.kind)).all())
    places = dict(db.session.execute(
        select(Organisation.kind, func.count(Place.id)).join(Place.organisation)
        .where(*_public_places()).group_by(Organisation.kind)).all())
    kinds = list(ORGANISATION_KINDS) + sorted((organisations.keys() | places.keys()) - ORGANISATION_KINDS.keys())
    rows = [KindCount(kind, ORGANISATION_KINDS.get(kind, kind), organisations.get(kind, 0), places.get(kind, 0))
            for kind in kinds]
    rows.sort(key=lambda row: (-row.organisations, -row.places, row.label.casefold()))
    return rows


def by_commune() -> list[CommuneCount]:
    """Public places per commune, most first."""
    count = func.count(Place.id).label("count")
    return [CommuneCount(commune, insee_code, n) for commune, insee_code, n in db.session.execute(
        select(Place.commune, Place.insee_code, count).join(Place.organisation).where(*_public_places())
        .group_by(Place.commune, Place.insee_code).order_by(count.desc(), Place.commune, Place.insee_code))]


def by_service() -> list[ServiceCount]:
    """Public places offering each service of the standard (a place counts once per service it
    offers; services nobody offers are listed with 0), most first."""
    values = _json_values(Place.services)
    found = dict(db.session.execute(
        select(values.c.value, func.count(func.distinct(Place.id))).select_from(Place)
        .join(Organisation, Organisation.id == Place.organisation_id).join(values, true())
        .where(*_public_places()).group_by(values.c.value)).all())
    services = list(SERVICES) + sorted(set(found) - set(SERVICES))
    rows = [ServiceCount(service, found.get(service, 0)) for service in services]
    rows.sort(key=lambda row: (-row.places, SERVICES.index(row.service) if row.service in SERVICES else 99))
    return rows


FRESHNESS_BUCKETS = (
    ("0-2", "Vérifiés il y a moins de 3 mois"),
    ("3-4", "Vérifiés il y a 3 ou 4 mois"),
    ("5", "Vérifiés il y a 5 mois (relance)"),
    ("6+", "Vérifiés il y a 6 mois ou plus, pas encore signalés"),
    ("stale", "Signalés obsolètes"),
)


def freshness(*, now: datetime | None = None) -> list[FreshnessBucket]:
    """The places of active organisations (published or not, not deleted) by whole months since
    their last verification; a place flagged stale counts in "stale" only, so the buckets add up."""
    now = now or utcnow()
    three, five, six = (now - relativedelta(months=n) for n in (3, 5, 6))
    bucket = case(
        (Place.stale_since.is_not(None), "stale"),
        (Place.verified_at > three, "0-2"),
        (Place.verified_at > five, "3-4"),
        (Place.verified_at > six, "5"),
        else_="6+").label("bucket")
    counts = dict(db.session.execute(
        select(bucket, func.count(Place.id)).join(Place.organisation)
        .where(Place.deleted_at.is_(None), Organisation.status == "active").group_by(bucket)).all())
    return [FreshnessBucket(key, label, counts.get(key, 0)) for key, label in FRESHNESS_BUCKETS]


# --- unmet needs from the search log --------------------------------------------------------------

def unmet_searches(*, since: datetime | None = None, limit: int = 50, min_searches: int = 3) -> list[UnmetSearch]:
    """The most frequent searches with at most FEW_RESULTS results, by words, commune and service
    (a search for two services counts once for each)."""
    values = _json_values(SearchLog.facets, "services")
    few = SearchLog.results_count <= FEW_RESULTS
    count = func.count(SearchLog.id).label("count")
    none = func.coalesce(func.sum(case((SearchLog.results_count == 0, 1), else_=0)), 0)
    rows = db.session.execute(
        select(SearchLog.words, SearchLog.commune, SearchLog.insee_code, values.c.value, count, none)
        .select_from(SearchLog).outerjoin(values, true()).where(few, *_since(since))
        .group_by(SearchLog.words, SearchLog.commune, SearchLog.insee_code, values.c.value)
        # A text typed once may be anything a resident wrote (a name, a phone number): only what
        # several searches share is shown.
        .having(count >= min_searches)
        .order_by(count.desc(), SearchLog.words, SearchLog.commune, values.c.value).limit(limit))
    return [UnmetSearch(words, commune, insee, service, n, int(zero))
            for words, commune, insee, service, n, zero in rows]


def unmet_by_service(*, since: datetime | None = None) -> list[UnmetCount]:
    """Searches with at most FEW_RESULTS results per service asked for (searches without a service
    are not counted here)."""
    values = _json_values(SearchLog.facets, "services")
    count = func.count(SearchLog.id).label("count")
    none = func.coalesce(func.sum(case((SearchLog.results_count == 0, 1), else_=0)), 0)
    return [UnmetCount(service, None, n, int(zero)) for service, n, zero in db.session.execute(
        select(values.c.value, count, none).select_from(SearchLog).join(values, true())
        .where(SearchLog.results_count <= FEW_RESULTS, *_since(since))
        .group_by(values.c.value).order_by(count.desc(), values.c.value))]


def unmet_by_commune(*, since: datetime | None = None) -> list[UnmetCount]:
    """Searches with at most FEW_RESULTS results per commune searched around (searches without a
    place are not counted here)."""
    count = func.count(SearchLog.id).label("count")
    none = func.coalesce(func.sum(case((SearchLog.results_count == 0, 1), else_=0)), 0)
    return [UnmetCount(commune, insee, n, int(zero)) for commune, insee, n, zero in db.session.execute(
        select(SearchLog.commune, SearchLog.insee_code, count, none)
        .where(SearchLog.results_count <= FEW_RESULTS, SearchLog.commune.is_not(None), *_since(since))
        .group_by(SearchLog.commune, SearchLog.insee_code).order_by(count.desc(), SearchLog.commune))]


def coverage_gaps(service: str, *, since: datetime | None = None) -> list[CoverageGap]:
    """For one service: the communes where searches for it found no place within their radius (the
    search had widened it as far as it goes), with the public places offering it there today."""
    values = _json_values(SearchLog.facets, "services")
    count = func.count(SearchLog.id).label("count")
    gaps = db.session.execute(
        select(SearchLog.commune, SearchLog.insee_code, count, func.max(SearchLog.radius_km))
        .select_from(SearchLog).join(values, true())
        .where(values.c.value == service, SearchLog.results_count == 0, SearchLog.commune.is_not(None),
               *_since(since))
        .group_by(SearchLog.commune, SearchLog.insee_code).order_by(count.desc(), SearchLog.commune)).all()
    by_code: dict[str, int] = {}
    by_name: dict[str, int] = {}
    if gaps:
        codes = {insee for _, insee, _, _ in gaps if insee}
        names = {commune for commune, insee, _, _ in gaps if not insee}
        offered = _json_values(Place.services)
        for commune, insee, n in db.session.execute(
                select(Place.commune, Place.insee_code, func.count(func.distinct(Place.id))).select_from(Place)
                .join(Organisation, Organisation.id == Place.organisation_id).join(offered, true())
                .where(*_public_places(), offered.c.value == service,
                       or_(Place.insee_code.in_(codes), Place.commune.in_(names)))
                .group_by(Place.commune, Place.insee_code)):
            if insee:
                by_code[insee] = by_code.get(insee, 0) + n
            by_name[commune] = by_name.get(commune, 0) + n
    return [CoverageGap(commune, insee, n, None if radius is None else float(radius),
                        by_code.get(insee, 0) if insee else by_name.get(commune, 0))
            for commune, insee, n, radius in gaps]
