"""Places located far from their commune (issue 14): more than 20 km from its centre, they are
flagged to the coordinators (« Lieux mal placés » on ``/coordination/lieux``) and on import (a
warning with both positions; the place is kept).

A commune's centre is the BAN's answer when it is cached (``geocoding.commune_centre``' key; the
BAN is never asked from here), else the median of the places of that INSEE code — the directory's
and, on import, the file's — ignoring those more than 20 km from it (``communes.robust_centre``):
one misplaced place does not move its town, so it stands out.
"""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from coordination.directory import communes, geocoding
from coordination.auth.models import Organisation
from coordination.directory.models import GeocodeCache, Place
from coordination.directory.permissions import can_moderate
from coordination.directory.search import haversine_km
from coordination.errors import PermissionDenied
from coordination.extensions import db

LIMIT_KM = communes.OUTLIER_KM
_CHUNK = 500


@dataclass(frozen=True)
class Misplaced:
    """A place and the centre of its commune, with the distance between them."""
    place_id: int | None
    name: str
    commune: str | None
    insee_code: str
    latitude: float
    longitude: float
    centre_latitude: float
    centre_longitude: float
    distance_km: float
    centre_source: str  # « service d'adresses » | « lieux de l'annuaire »

    @property
    def message(self) -> str:
        return (f"« {self.name} » est placé à {self.distance_km:.0f}\u00a0km du centre de "
                f"{self.commune or self.insee_code} ({self.insee_code}) : position du lieu "
                f"{self.latitude:.5f}, {self.longitude:.5f} ; centre de la commune {self.centre_latitude:.5f}, "
                f"{self.centre_longitude:.5f} (d'après {self.centre_source}).")


def _cached_centres(codes: set[str], table: communes.Communes | None) -> dict[str, tuple[float, float]]:
    """The BAN's cached answers for these communes' centres (when they are that commune)."""
    if table is None:
        return {}
    keys = {}
    for code in codes:
        commune = table.get(code)
        if commune is not None:
            keys[geocoding.normalise(geocoding.commune_query(commune))] = commune
    found = {}
    names = sorted(keys)
    for start in range(0, len(names), _CHUNK):
        for row in db.session.scalars(select(GeocodeCache).where(GeocodeCache.query.in_(names[start:start + _CHUNK]),
                                                                 GeocodeCache.found.is_(True))):
            commune = keys[row.query]
            if (row.insee_code or "").upper() in {commune.code, commune.parent} and row.latitude is not None:
                found[commune.code] = (row.latitude, row.longitude)
    return found


def find_misplaced(places: list[tuple], extra_points: dict[str, list[tuple[float, float]]] | None = None
                   ) -> list[Misplaced]:
    """``places``: (id, name, commune, insee_code, latitude, longitude); the centres are computed from
    them (plus ``extra_points`` by INSEE code). The places more than 20 km from their centre,
    furthest first."""
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _id, _name, _commune, code, latitude, longitude in places:
        points[code].append((latitude, longitude))
    for code, more in (extra_points or {}).items():
        if code in points:
            points[code].extend(more)
    cached = _cached_centres(set(points), communes.current())
    centres = {}
    for code, located in points.items():
        if code in cached:
            centres[code] = (*cached[code], "le service d'adresses")
        else:
            centre = communes.robust_centre(located)
            centres[code] = (centre[0], centre[1], "les lieux de l'annuaire")
    found = []
    for place_id, name, commune, code, latitude, longitude in places:
        centre_latitude, centre_longitude, source = centres[code]
        distance = haversine_km(latitude, longitude, centre_latitude, centre_longitude)
        if distance > LIMIT_KM:
            found.append(Misplaced(place_id, name, commune, code, latitude, longitude, centre_latitude,
                                   centre_longitude, distance, source))
    found.sort(key=lambda m: (-m.distance_km, m.name))
    return found


def with_codes(rows: list[tuple]) -> list[tuple]:
    """(id, name, commune, insee_code, latitude, longitude, postcode) -> the same without postcode, a
    missing INSEE code found from the commune's name and postcode (the 0.1 files have none); rows
    whose commune cannot be told are left out."""
    table = None  # loaded when a row has no code (the list of communes is large)
    known: dict[tuple, str | None] = {}
    kept = []
    for place_id, name, commune, insee_code, latitude, longitude, postcode in rows:
        code = insee_code
        if not code and commune and table is None:
            table = communes.current() or False
        if not code and table and commune:
            key = (communes.fold(commune), (postcode or "").strip())
            if key not in known:
                match = table.named(commune)
                found = [c for c in match.communes if not key[1] or key[1] in c.postcodes] if match else []
                known[key] = found[0].code if len(found) == 1 else None
            code = known[key]
        if code:
            kept.append((place_id, name, commune, code.upper(), latitude, longitude))
    return kept


def misplaced_places(*, actor) -> list[Misplaced]:
    """The coordination's « Lieux mal placés »: every place of the network (published or not) more
    than 20 km from its commune's centre."""
    if not can_moderate(actor):
        raise PermissionDenied("La liste des lieux mal placés est réservée à la coordination du réseau.")
    rows = db.session.execute(
        select(Place.id, Place.name, Place.commune, Place.insee_code, Place.latitude, Place.longitude, Place.postcode)
        .join(Organisation, Organisation.id == Place.organisation_id)
        .where(Place.deleted_at.is_(None), Place.latitude.is_not(None), Place.longitude.is_not(None))).all()
    return find_misplaced(with_codes([tuple(row) for row in rows]))


def directory_points(codes: set[str], *, excluding: set[int], rows: list[tuple] | None = None,
                     ) -> dict[str, list[tuple[float, float]]]:
    """The directory's places of these INSEE codes (but ``excluding``), by code: what an import's
    rows are compared with (places without a code count by their commune's name and postcode).
    ``rows``: the places, as (id, name, commune, INSEE code, latitude, longitude, postcode), when the
    caller read them already (an import reads the directory as it was before it writes)."""
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    if rows is None:
        rows = db.session.execute(
            select(Place.id, Place.name, Place.commune, Place.insee_code, Place.latitude, Place.longitude,
                   Place.postcode)
            .where(Place.deleted_at.is_(None), Place.latitude.is_not(None), Place.longitude.is_not(None))).all()
    for place_id, _name, _commune, code, latitude, longitude in with_codes([tuple(row) for row in rows]):
        if code in codes and place_id not in excluding:
            found[code].append((latitude, longitude))
    return found
