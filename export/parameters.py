"""The API's query parameters: parsed, bounded and checked, each mistake told in French per parameter.

Nothing here reaches the database: the views hand the parsed values to the directory services.
"""
import base64
import binascii
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from coordination.directory.services import PlaceFilter
from coordination.errors import Invalid, NotFound
from coordination.vocabularies import SERVICES

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 500
PAGE_MAX = 1_000_000
FEED_LIMIT_DEFAULT = 100
FEED_LIMIT_MAX = 500
RADIUS_DEFAULT_KM = 10.0
RADIUS_MAX_KM = 500.0
TEXT_MAX = 200
CURSOR_MAX = 200
FEED_START = datetime(1970, 1, 1)
OLDEST_DAY = date(1900, 1, 1)  # every place was updated after that day

LIST_PARAMETERS = ("q", "mots", "code_postal", "code_insee", "commune", "services", "lat", "lon", "rayon_km", "bbox",
                   "maj_depuis", "page", "par_page")
FEED_PARAMETERS = ("depuis", "curseur", "limite")

POSTCODE = re.compile(r"\d{5}")
INSEE_CODE = re.compile(r"(?:\d{2}|2[AB])\d{3}", re.IGNORECASE)
INTEGER = re.compile(r"\d{1,9}")
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class ListQuery:
    filters: PlaceFilter
    page: int
    per_page: int


@dataclass
class FeedQuery:
    since: datetime  # naive UTC
    after_id: int
    limit: int


class _Reader:
    """Reads one request's arguments and gathers one French message per wrong parameter."""

    def __init__(self, args, allowed: tuple[str, ...]):
        self.args = args
        self.errors: dict[str, list[str]] = {}
        for name in args:
            if name not in allowed:
                self.fail(name, "Paramètre inconnu. Paramètres acceptés : " + ", ".join(allowed) + ".")

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, [message])

    def given(self, name: str) -> bool:
        return name in self.args

    def text(self, name: str, max_length: int = TEXT_MAX, *, exact: bool = False) -> str | None:
        """The parameter's value. Free text is trimmed and may be empty; an ``exact`` value (a code,
        a number, a date) given empty or padded with spaces is refused, as the OpenAPI document says."""
        values = self.args.getlist(name)
        if len(values) > 1:
            return self.fail(name, "Ce paramètre ne peut être donné qu'une fois.")
        if exact and values and (not values[0] or values[0] != values[0].strip()):
            return self.fail(name, "Valeur vide ou entourée d'espaces : retirez le paramètre ou donnez une valeur.")
        value = values[0].strip() if values else ""
        if len(value) > max_length:
            return self.fail(name, f"{max_length} caractères au plus.")
        if CONTROL.search(value):
            return self.fail(name, "Caractères de contrôle interdits.")
        return value or None

    def matching(self, name: str, pattern: re.Pattern, expected: str) -> str | None:
        value = self.text(name, exact=True)
        if value is not None and not pattern.fullmatch(value):
            return self.fail(name, f"Valeur incorrecte : attendu {expected}.")
        return value

    def integer(self, name: str, default: int, maximum: int) -> int:
        value = self.text(name, exact=True)
        if value is None:
            return default
        if not INTEGER.fullmatch(value) or not 1 <= int(value) <= maximum:
            self.fail(name, f"Attendu un nombre entier entre 1 et {maximum}.")
            return default
        return int(value)

    def number(self, name: str, low: float, high: float, *, positive: bool = False) -> float | None:
        value = self.text(name, exact=True)
        if value is None:
            return None
        parsed = _number(value)
        if parsed is None:
            return self.fail(name, "Attendu un nombre décimal écrit avec un point, par exemple 47.2184.")
        if positive and not 0 < parsed <= high:
            return self.fail(name, f"Attendu un nombre strictement positif, au plus {high:g}.")
        if not low <= parsed <= high:
            return self.fail(name, f"Attendu un nombre entre {low:g} et {high:g}.")
        return parsed

    def done(self) -> None:
        if self.errors:
            names = ", ".join(self.errors)
            raise Invalid(f"Paramètre incorrect : {names}." if len(self.errors) == 1
                          else f"Paramètres incorrects : {names}.", errors=self.errors)


def _number(value: str) -> float | None:
    """A finite decimal number; None for anything else (NaN, infinity, "1_0", "47,2", …)."""
    if len(value) > 40 or not NUMBER.fullmatch(value):
        return None
    parsed = float(value)
    return parsed if math.isfinite(parsed) else None


# --- /lieux --------------------------------------------------------------------------------

def list_query(args) -> ListQuery:
    """The filters and the page of /lieux. Raises Invalid with a message per wrong parameter."""
    reader = _Reader(args, LIST_PARAMETERS)
    filters = PlaceFilter(
        text=reader.text("q") or "",
        postcode=reader.matching("code_postal", POSTCODE, "un code postal de 5 chiffres, par exemple 44000"),
        insee_code=_upper(reader.matching("code_insee", INSEE_CODE,
                                          "un code INSEE de 5 caractères, par exemple 44109 ou 2A004")),
        commune=reader.text("commune"),
        services=_services(reader),
        near=_near(reader),
        bbox=_bbox(reader),
        updated_since=_day(reader, "maj_depuis"),
        literal=_literal(reader),
    )
    page = reader.integer("page", 1, PAGE_MAX)
    per_page = reader.integer("par_page", PER_PAGE_DEFAULT, PER_PAGE_MAX)
    reader.done()
    return ListQuery(filters=filters, page=page, per_page=per_page)


def _literal(reader: _Reader) -> bool:
    """mots=exacts: q searches its words only, not the needs they name (CAF → démarches administratives)."""
    value = reader.text("mots", exact=True)
    if value is None:
        return False
    if value.lower() != "exacts":
        reader.fail("mots", "Valeur incorrecte : seule la valeur « exacts » est acceptée.")
        return False
    return True


def _upper(value: str | None) -> str | None:
    return value.upper() if value else value


def _services(reader: _Reader) -> list[str]:
    """Repeated (services=a&services=b) or "|"-separated; exact values of the national vocabulary,
    case aside."""
    known = {service.casefold(): service for service in SERVICES}
    values = [part.strip() for raw in reader.args.getlist("services") for part in raw.split("|")]
    unknown = [value for value in values if value.casefold() not in known]
    if unknown:
        reader.fail("services", f"Valeur inconnue : « {unknown[0][:80]} ». Valeurs acceptées : "
                    + " ; ".join(SERVICES) + ".")
        return []
    return list(dict.fromkeys(known[value.casefold()] for value in values))


def _near(reader: _Reader) -> tuple[float, float, float] | None:
    lat = reader.number("lat", -90.0, 90.0)
    lon = reader.number("lon", -180.0, 180.0)
    radius = reader.number("rayon_km", 0.0, RADIUS_MAX_KM, positive=True)
    if not reader.given("lat") and not reader.given("lon"):
        if reader.given("rayon_km"):
            reader.fail("rayon_km", "Le rayon s'utilise avec lat et lon (le point autour duquel chercher).")
        return None
    for name in ("lat", "lon"):
        if not reader.given(name):
            reader.fail(name, "lat et lon s'utilisent ensemble : donnez les deux.")
    if lat is None or lon is None or (reader.given("rayon_km") and radius is None):
        return None
    return lat, lon, radius if radius is not None else RADIUS_DEFAULT_KM


def _bbox(reader: _Reader) -> tuple[float, float, float, float] | None:
    value = reader.text("bbox")
    if value is None:
        return None
    parts = [_number(part.strip()) for part in value.split(",")]
    expected = "quatre nombres séparés par des virgules : ouest,sud,est,nord, par exemple -1.65,47.15,-1.45,47.30"
    if len(parts) != 4 or None in parts:
        return reader.fail("bbox", f"Attendu {expected}.")
    west, south, east, north = parts
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return reader.fail("bbox", "Ouest ≤ est (entre −180 et 180) et sud ≤ nord (entre −90 et 90) ; "
                           f"attendu {expected}.")
    return west, south, east, north


def _day(reader: _Reader, name: str) -> date | None:
    value = reader.text(name, exact=True)
    if value is None:
        return None
    try:
        day = date.fromisoformat(value) if DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        return reader.fail(name, "Attendu une date AAAA-MM-JJ, par exemple 2026-01-31.")
    return max(day, OLDEST_DAY)


# --- /lieux/<id> ----------------------------------------------------------------------------

def place_id(value: str) -> str:
    """A public id as it may exist; anything else (control characters, absurd lengths) is simply not
    found, before it reaches the database (PostgreSQL refuses NUL in a string)."""
    if len(value) > 100 or CONTROL.search(value):
        raise NotFound("Ce lieu n'existe pas ou n'est plus publié.")
    return value


# --- /lieux/changements --------------------------------------------------------------------

def feed_query(args) -> FeedQuery:
    """Where the change feed starts: a cursor from a previous answer, else ``depuis``, else the
    beginning. Raises Invalid with a message per wrong parameter."""
    reader = _Reader(args, FEED_PARAMETERS)
    limit = reader.integer("limite", FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX)
    since = _timestamp(reader, "depuis")
    cursor = reader.text("curseur", CURSOR_MAX)
    position = decode_cursor(cursor) if cursor else None
    if cursor and position is None:
        reader.fail("curseur", "Curseur invalide : reprenez avec le curseur_suivant d'une réponse précédente.")
    if cursor and reader.given("depuis"):
        reader.fail("curseur", "Donnez depuis ou curseur, pas les deux : le curseur contient déjà la position.")
    reader.done()
    if position:
        return FeedQuery(since=position[0], after_id=position[1], limit=limit)
    return FeedQuery(since=since or FEED_START, after_id=0, limit=limit)


def _timestamp(reader: _Reader, name: str) -> datetime | None:
    value = reader.text(name, 64, exact=True)
    if value is None:
        return None
    hint = "Attendu une date ISO 8601, par exemple 2026-01-31T08:00:00Z ou 2026-01-31T09:00:00+01:00."
    if " " in value:
        hint += " Un « + » doit être encodé %2B dans l'adresse."
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return reader.fail(name, hint)
    return moment


def encode_cursor(changed_at: datetime, place_id: int) -> str:
    """An opaque position in the feed: the last change returned (time and tie-breaker)."""
    raw = f"{changed_at.isoformat()}|{place_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, place_id = raw.split("|")
        if not INTEGER.fullmatch(place_id):
            return None
        changed_at = datetime.fromisoformat(moment)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if changed_at.tzinfo is not None:
        return None
    return changed_at, int(place_id)
