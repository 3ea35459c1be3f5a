"""Import of a directory file: what it plans, and its writes in batches through the places' one write
path (``directory.services.writes``, the web's too).

The file is read elsewhere (``reading.py`` and ``rows.py`` beside it: encodings, separators, the 0.1 mapping): this
module receives its rows as records of the national standard 1.0.1 (standard column -> value) and

- ``plan_import(rows, *, actor)`` validates every row with the place form's rules
  (``validation.CLEANERS``), matches it to a place by ``id`` (``Place.public_id``, else
  ``Place.external_id``), compares every standard field and says what would be created, updated or
  left alone, which organisations would be created, and which rows look like duplicates;
- ``apply_import(rows, *, actor)`` does the same and, when no row has an error, writes everything in
  ONE transaction (batches through ``writes``, no query per row). Unchanged places are not written at all, so
  re-importing a file changes nothing, not even ``Place.changed_at``.

Only coordinators import. Organisations are matched by ``pivot`` and created "pending" when unknown.
"""
import functools
import math
import re
import sys
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask import current_app
from sqlalchemy import insert, select
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from coordination import audit
from coordination.auth import permissions as auth_permissions
from coordination.auth import services as auth_services
from coordination.auth.models import Organisation, OrganisationImport
from coordination.auth.services import normalise_pivot
from coordination.core import validators
from coordination.core.clock import PARIS, utcnow
from coordination.directory import communes, search, serializers, validation
from coordination.directory.models import Place
from coordination.directory.services import writes
from coordination.errors import Conflict, Invalid
from coordination.extensions import db
from coordination.vocabularies import KIND_TO_TYPOLOGY, PLACE_VOCABULARIES

ERROR, WARNING = "error", "warning"
# What the coordinator decides, at import, for the organisations the import creates (issue 15).
ACCEPTED, PENDING = "accepted", "pending"
PUBLICATIONS = {ACCEPTED: lazy_gettext("acceptées (source de confiance)"), PENDING: lazy_gettext("en attente de validation")}
HIDDEN_BECAUSE = {
    "new": lazy_gettext("organisation créée par l'import, en attente de validation"),
    "pending": lazy_gettext("organisation en attente de validation"),
    "refused": lazy_gettext("organisation refusée"),
    "suspended": lazy_gettext("organisation suspendue"),
}
SEVERITY_LABELS = {ERROR: lazy_gettext("erreur"), WARNING: lazy_gettext("avertissement")}

# The national cartography writes this SIRET when it does not know the structure's.
UNKNOWN_PIVOT = "00000000000000"
UNKNOWN_PIVOT_ORGANISATION = "Structures sans SIRET connu (import)"  # a name, stored
DUPLICATE_DISTANCE_M = 200
BATCH_SIZE = 1000
COORDINATE_DECIMALS = serializers.COORDINATE_DECIMALS  # the import keeps what the export writes (issue 15)

# Metropolitan France (Corsica included) and the overseas territories whose phone prefixes the
# standard accepts: (south, north, west, east).
FRANCE_BOXES = {
    "France métropolitaine": (41.2, 51.2, -5.5, 9.7),
    "Guadeloupe": (15.8, 16.6, -61.9, -60.9),
    "Martinique": (14.3, 14.95, -61.3, -60.75),
    "Guyane": (2.1, 5.9, -54.7, -51.5),
    "La Réunion": (-21.45, -20.8, 55.15, 55.9),
    "Mayotte": (-13.1, -12.6, 44.9, 45.35),
    "Saint-Pierre-et-Miquelon": (46.7, 47.2, -56.5, -56.1),
    "Saint-Barthélemy et Saint-Martin": (17.85, 18.15, -63.2, -62.75),
    "Nouvelle-Calédonie": (-22.9, -19.5, 163.5, 168.2),
    "Polynésie française": (-28.0, -7.8, -154.8, -134.4),
    "Wallis-et-Futuna": (-14.4, -13.1, -178.3, -176.1),
}

# What a place can do without: an invalid value of these is dropped with a warning and the place is
# kept (issue 15). Its name, its address and its coordinates are what makes it usable.
DROPPABLE = frozenset({"opening_hours", "phone", "emails", "website", "accessibility_url", "appointment_url",
                       "insee_code", "address_complement", "summary", "description", "parent_structure",
                       "other_labels", *(set(PLACE_VOCABULARIES) - {"services"})})

COLUMN_OF = {**{attr: col for col, attr in serializers.TEXT_COLUMNS.items()},
             **{attr: col for col, attr in serializers.LIST_COLUMNS.items()},
             **{attr: col for col, attr in serializers.NUMBER_COLUMNS.items()},
             "other_websites": "site_web"}  # site_web: the first URL is `website`, the others here
ATTRIBUTE_OF = {**serializers.TEXT_COLUMNS, **serializers.LIST_COLUMNS, **serializers.NUMBER_COLUMNS}
CONTENT_ATTRIBUTES = tuple(COLUMN_OF)
VOCABULARY_SETS = frozenset(PLACE_VOCABULARIES) - {"typology"}
TYPOLOGY_TO_KIND = {code: kind for kind, code in KIND_TO_TYPOLOGY.items() if kind != "other"}


# --- what the reader gives, what the plan says ------------------------------------------------

@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of the file: ``line`` as a spreadsheet shows it (header = 1; 0 for the whole
    file), the standard ``column`` (or "" for the whole row), a French ``message``, a ``severity``
    (an error rejects the row, a warning keeps it) and a short French ``reason`` to count by."""
    line: int
    column: str
    message: str
    severity: str = ERROR
    reason: str = ""

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


@dataclass(slots=True)
class ImportRow:
    """One row of the file as a record of the standard 1.0.1: only the columns the file has
    (a missing column leaves the place's value alone; an empty one clears it)."""
    line: int
    record: dict
    problems: list[Problem] = field(default_factory=list)
    json: bool = False  # a JSON file's row: line N is its object n° N - 1 (in the messages that name another row)


def row_where(line: int, json_file: bool) -> str:
    """Another row, as the report names it: "la ligne 12", or "l'objet n° 11" in a JSON file."""
    return _("l'objet n° %(value)s", value=line - 1) if json_file else _("la ligne %(line)s", line=line)


@dataclass(slots=True)
class PlannedPlace:
    line: int
    row_id: str
    action: str  # create | update | unchanged | skipped
    values: dict  # Place attribute -> cleaned value (only the columns of the file)
    pivot: str
    updated_at: datetime | None
    place_id: int | None = None
    public_id: str | None = None
    external_id: str | None = None
    changed: list[str] | tuple = ()  # standard columns
    # Where the place comes from (issue 15): the file's `source` and its id there, kept at creation.
    source: str | None = None
    source_id: str | None = None
    published: bool = True  # a place already in the directory keeps its own
    organisation_status: str | None = None  # None: the import creates the organisation

    def release(self) -> None:
        """Lets go of what was needed to write the place: the plan keeps what the report counts."""
        self.values = None
        self.public_id = self.external_id = self.source = self.source_id = None


@dataclass(slots=True)
class PlannedOrganisation:
    pivot: str
    name: str
    kind: str
    contact_email: str


@dataclass
class Duplicate:
    line: int
    row_id: str
    other_id: str
    other_line: int | None  # None: a place already in the directory
    reason: str


@dataclass
class ImportPlan:
    rows: int = 0
    # Every planned place, unless the plan lets them go as it goes (``release_records``): ``tally``
    # then keeps what the report counts, and ``matched_place_ids`` the directory's places the file names.
    places: list[PlannedPlace] = field(default_factory=list)
    organisations: list[PlannedOrganisation] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    tally: Counter = field(default_factory=Counter)  # (action, organisation status, published) -> places
    matched_place_ids: set[int] = field(default_factory=set)

    def count(self, planned: PlannedPlace) -> None:
        self.tally[(planned.action, planned.organisation_status, planned.published)] += 1
        if planned.place_id:
            self.matched_place_ids.add(planned.place_id)

    def _count(self, action: str) -> int:
        return sum(n for (planned_action, _status, _published), n in self.tally.items() if planned_action == action)

    @property
    def to_create(self) -> int:
        return self._count("create")

    @property
    def to_update(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems if p.severity == ERROR and p.line > 0})

    def rejected_by_reason(self) -> list[tuple[str, int]]:
        """Rows rejected, counted by reason (a row with several reasons counts under each)."""
        reasons: dict[str, set[int]] = defaultdict(set)
        for p in self.errors:
            if p.line > 0:
                reasons[p.reason or p.message].add(p.line)
        return sorted(((reason, len(lines)) for reason, lines in reasons.items()), key=lambda x: (-x[1], x[0]))

    def warnings_by_reason(self) -> list[tuple[str, int]]:
        counts = Counter(p.reason or p.message for p in self.warnings)
        return sorted(counts.items(), key=lambda x: (-x[1], x[0]))

    def visibility(self, publication: str = PENDING) -> "Visibility":
        """How many of the file's places the public directory (and the open-data export) will show right
        after the import, and why the others will not, counted by reason (issue 15)."""
        hidden: Counter = Counter()
        visible = 0
        for (action, organisation_status, published), count in self.tally.items():
            status = organisation_status or ("active" if publication == ACCEPTED else "new")
            if action == "skipped":
                hidden["lieu supprimé de l'annuaire"] += count
            elif status != "active":
                hidden[HIDDEN_BECAUSE[status]] += count
            elif not published:
                hidden["lieu dépublié dans l'annuaire"] += count
            else:
                visible += count
        if self.rejected_lines:
            hidden["ligne rejetée (erreur)"] = len(self.rejected_lines)
        return Visibility(visible, sorted(hidden.items(), key=lambda x: (-x[1], x[0])))


@dataclass
class Visibility:
    visible: int
    hidden: list[tuple[str, int]]  # (reason, places)

    @property
    def hidden_count(self) -> int:
        return sum(count for _reason, count in self.hidden)


@dataclass
class ImportReport:
    plan: ImportPlan
    applied: bool
    created: int = 0
    updated: int = 0
    organisations_created: int = 0
    place_ids: list[int] = field(default_factory=list)
    publication: str = PENDING
    notify: bool = False
    import_id: int | None = None  # the record of the organisations it created (none created: None)
    invitations: int = 0


# --- helpers ---------------------------------------------------------------------------------

def normalise_name(value: str | None) -> str:
    """« Médiathèque  L'Envol » -> "mediatheque l envol": accents, case, punctuation folded."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return search.haversine_km(lat1, lon1, lat2, lon2) * 1000


def in_france(latitude: float, longitude: float) -> bool:
    return any(s <= latitude <= n and w <= longitude <= e for s, n, w, e in FRANCE_BOXES.values())


@functools.lru_cache(maxsize=4096)  # one object per day, shared by the plan's places
def noon_utc(day: date) -> datetime:
    """date_maj as stored: noon in Paris on that day, naive UTC (an export gives the same day back)."""
    return datetime.combine(day, time(12), PARIS).astimezone(UTC).replace(tzinfo=None)


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower() and len(value) == 36
    except ValueError:
        return False


# Values that hardly ever repeat: remembering them would only keep every row's text alive (issue 15, item 6).
# What files repeat from row to row (hours, communes, the vocabularies' lists): cleaned once. Names,
# addresses, texts, coordinates, phones, e-mails and websites are each a place's own: remembering them
# would only hold the whole file in memory (issue 15, item 6).
REMEMBERED = frozenset({"opening_hours", "postcode", "commune", "insee_code", "other_labels",
                        *PLACE_VOCABULARIES})


# Phones and e-mails repeat between the places of one organisation, which files give one after the
# other: a small memory that is emptied when full catches those repeats without holding the file.
RECENT = frozenset({"phone", "emails"})
RECENT_SIZE = 2000


class _Cleaner:
    """validation.CLEANERS with a memory of the values that repeat (``REMEMBERED``), and a short one
    of the ``RECENT`` values."""

    def __init__(self):
        self.memo: dict = {}
        self.recent: dict = {}

    def __call__(self, attribute: str, value):
        if attribute in RECENT:
            return self._recent(attribute, value)
        if attribute not in REMEMBERED:
            result = validation.CLEANERS[attribute](value)
            return list(result) if isinstance(result, list) else result
        key = (attribute, tuple(value) if isinstance(value, list) else value)
        try:
            hit = self.memo[key]
        except (KeyError, TypeError):
            pass
        else:
            if isinstance(hit, validation.FieldError):
                raise hit
            return list(hit) if isinstance(hit, list) else hit
        try:
            result = validation.CLEANERS[attribute](value)
        except validation.FieldError as error:
            if len(self.memo) < 200_000:
                self.memo[key] = error
            raise
        if len(self.memo) < 200_000:
            self.memo[key] = result
        return list(result) if isinstance(result, list) else result

    def _recent(self, attribute: str, value):
        key = (attribute, tuple(value) if isinstance(value, list) else value)
        hit = self.recent.get(key)
        if hit is None:
            if len(self.recent) >= RECENT_SIZE:
                self.recent.clear()
            try:
                hit = validation.CLEANERS[attribute](value)
            except validation.FieldError as error:
                hit = error
            self.recent[key] = hit
        if isinstance(hit, validation.FieldError):
            raise hit
        return list(hit) if isinstance(hit, list) else hit


def _preview(value, limit: int = 80) -> str:
    text = " | ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _same(attribute: str, stored, new) -> bool:
    if attribute in ("latitude", "longitude"):
        if stored is None or new is None:
            return stored is None and new is None
        return round(stored, COORDINATE_DECIMALS) == round(new, COORDINATE_DECIMALS)  # as the export writes them
    if attribute in VOCABULARY_SETS:  # the export writes them in the standard's order
        return set(stored or ()) == set(new or ())
    if isinstance(stored, list) or isinstance(new, list):
        return list(stored or []) == list(new or [])
    return (stored or None) == (new or None)


# --- planning ----------------------------------------------------------------------------------

# --- possible duplicates ---------------------------------------------------------------------
# Two places are possible duplicates when their names are close (Jaccard similarity of their folded
# words, small words left out, at least NAME_SIMILARITY) and they have the same pivot, or the same
# postcode and are less than DUPLICATE_DISTANCE_M apart, or the same postcode and the same address.
# Candidates are found by "prefix filtering": two word sets that similar share at least one of the
# first few words of each, in a fixed order (rarest first), so each row is compared with the few places
# that share a rare word of its name in its pivot or its postcode, never with the whole file.

NAME_SIMILARITY = 0.8
SMALL_WORDS = frozenset("a au aux d de des du en et l la le les pour sur un une".split())


def name_words(value: str | None) -> frozenset[str]:
    return frozenset(w for w in normalise_name(value).split() if w not in SMALL_WORDS)


def name_key(words: frozenset[str]) -> tuple[str, ...]:
    """A name's words as the duplicate index keeps them: a sorted tuple of shared (interned) strings,
    a quarter of a frozenset's size (issue 15, item 6: 100,000 names are held until the end)."""
    return tuple(sorted(sys.intern(w) for w in words))


def similar_names(a, b) -> bool:
    if not a or not b:
        return False
    common = len(set(a) & set(b))
    return common >= NAME_SIMILARITY * (len(a) + len(b) - common)


def _prefix_size(words: int) -> int:
    """How many of a name's rarest words another name at least NAME_SIMILARITY close must share one of."""
    return words - math.ceil(round(NAME_SIMILARITY * words, 9)) + 1


@dataclass(slots=True)
class _Known:
    row_id: str
    line: int | None
    pivot: str | None
    words: tuple  # name_key
    postcode: str | None
    address: int | None  # hash of the normalised address (compared for equality only)
    latitude: float | None
    longitude: float | None


def _address_key(address: str | None) -> int | None:
    folded = normalise_name(address)
    return hash(folded) if folded else None


class _Directory:
    """What the plan needs of the database, loaded once: places by id, organisations by pivot,
    and the keys the duplicate detection looks up."""

    def __init__(self, name_counts: Counter | None = None):
        places = Place.__table__.c
        columns = [places.id, places.public_id, places.external_id, places.organisation_id, places.deleted_at,
                   places.updated_at, places.verified_at, places.coordinates_source, places.published,
                   *(places[a] for a in CONTENT_ATTRIBUTES)]
        self.organisations = {o.pivot: o for o in db.session.execute(
            select(Organisation.id, Organisation.pivot, Organisation.kind, Organisation.status))}
        self.pivot_of = {o.id: o.pivot for o in self.organisations.values()}
        self.kind_of = {o.id: o.kind for o in self.organisations.values()}
        self.by_id: dict[str, object] = {}
        existing = []
        for row in db.session.execute(select(*columns)):
            self.by_id[row.public_id] = row
            if row.external_id:
                self.by_id[row.external_id] = row
            if row.deleted_at is None:
                existing.append(row)
        # the directory's places as they were before the import, for the « far from its commune » check
        self.points = [(row.id, row.name, row.commune, row.insee_code, row.latitude, row.longitude, row.postcode)
                       for row in existing if row.latitude is not None and row.longitude is not None]
        # the order of words, rarest first, fixed before any lookup (the files' names and the directory's)
        self.word_count = Counter(w for r in existing for w in name_words(r.name))
        self.word_count.update(name_counts or ())
        # (pivot or postcode, word) -> the places whose name has that word in its prefix: one _Known, or a
        # list when there are several (most keys have one place: a list each would double the index)
        self.by_pivot_word: dict[tuple, _Known | list[_Known]] = {}
        self.by_postcode_word: dict[tuple, _Known | list[_Known]] = {}
        for row in existing:
            self.remember(row.public_id, None, self.pivot_of.get(row.organisation_id), row.name, row.postcode,
                          row.address, row.latitude, row.longitude)

    def _prefix(self, words) -> list[str]:
        return sorted(words, key=lambda w: (self.word_count[w], w))[:_prefix_size(len(words))]

    @staticmethod
    def _add(index: dict, key: tuple, known: _Known, *, first_of_its_name: bool = False) -> None:
        present = index.get(key)
        if present is None:
            index[key] = known
            return
        group = present if isinstance(present, list) else [present]
        if first_of_its_name and any(other.words == known.words for other in group):
            return
        group.append(known)
        if group is not present:
            index[key] = group

    def remember(self, row_id, line, pivot, name, postcode, address, latitude, longitude) -> None:
        """``name`` and ``address``: as written, or already as ``name_key`` and ``_address_key`` give them."""
        pivot = sys.intern(pivot) if pivot else pivot
        postcode = sys.intern(postcode) if postcode else postcode
        words = name if isinstance(name, tuple) else name_key(name_words(name))
        address = address if address is None or isinstance(address, int) else _address_key(address)
        known = _Known(row_id, line, pivot, words, postcode, address, latitude, longitude)
        for word in self._prefix(known.words):
            if pivot and pivot != UNKNOWN_PIVOT:  # the first place of a name is enough for the pivot rule
                self._add(self.by_pivot_word, (pivot, word), known, first_of_its_name=True)
            if postcode:
                self._add(self.by_postcode_word, (postcode, word), known)

    @staticmethod
    def _candidates(index: dict, key, prefix: list[str], row_id: str, words: tuple):
        groups = []
        for word in prefix:
            group = index.get((key, word))
            if group is not None:
                groups.append(group if isinstance(group, list) else (group,))
        # the same name first, then the close ones; each name compared once
        yield from (known for group in groups for known in group if known.words == words and known.row_id != row_id)
        similar = {words: False}  # each other name compared once
        for group in groups:
            for known in group:
                if known.words not in similar:
                    similar[known.words] = similar_names(words, known.words)
                if similar[known.words] and known.row_id != row_id:
                    yield known

    def duplicate_of(self, row_id, pivot, words: tuple, postcode, address: int | None, latitude, longitude):
        """``words``: the name's ``name_key``; ``address``: its ``_address_key``."""
        if not words:
            return None
        prefix = self._prefix(words)
        if pivot and pivot != UNKNOWN_PIVOT:
            for known in self._candidates(self.by_pivot_word, pivot, prefix, row_id, words):
                same = _("même nom") if known.words == words else _("nom proche")
                return known.row_id, known.line, _("même pivot et %(same)s", same=same)
        if not postcode:
            return None
        for known in self._candidates(self.by_postcode_word, postcode, prefix, row_id, words):
            same = _("même nom") if known.words == words else _("nom proche")
            if latitude is not None and known.latitude is not None and \
                    distance_m(latitude, longitude, known.latitude, known.longitude) < DUPLICATE_DISTANCE_M:
                return known.row_id, known.line, _("%(same)s, même code postal, à moins de %(duplicate_distance_m)s m", same=same, duplicate_distance_m=DUPLICATE_DISTANCE_M)
            if address is not None and address == known.address:
                return known.row_id, known.line, _("%(same)s, même adresse et même code postal", same=same)
        return None


def _stored_value(existing, attribute: str, directory: _Directory):
    value = getattr(existing, attribute)
    if attribute == "typology" and not value:  # the export writes the organisation kind's code
        code = KIND_TO_TYPOLOGY.get(directory.kind_of.get(existing.organisation_id))
        return [code] if code else []
    return value


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tabs and line breaks apart


def _fields(record: dict):
    """(column, Place attribute, value) for each column of a row: site_web's list of URLs gives
    the first to ``website`` and the others to ``other_websites``."""
    for column, given in record.items():
        if column == "site_web" and isinstance(given, list):
            yield column, "website", given[0] if given else None
            yield column, "other_websites", given[1:]
        else:
            yield column, ATTRIBUTE_OF.get(column), given


def _clean_row(row: ImportRow, clean: _Cleaner, problems: list[Problem]) -> tuple[dict, set]:
    """Place attribute -> cleaned value, for the columns the reader could read."""
    bad_columns = {p.column for p in row.problems if p.severity == ERROR}
    values = {}
    for column, attribute, given in _fields(row.record):
        if attribute is None or column in bad_columns:
            continue
        value = given
        if isinstance(given, str) and CONTROL_CHARACTERS.search(given):
            # The pages refuse them (coordination.security); a file may bring them: dropped, with a warning.
            value = CONTROL_CHARACTERS.sub("", given)
            problems.append(Problem(row.line, column, _("« %(value)s » : caractère de contrôle invisible retiré.", value=_preview(value)), WARNING, _("%(column)s : caractère de contrôle retiré", column=column)))
        if attribute in validation.ONE_LINE_FIELDS and isinstance(value, str) \
                and validators.breaks_line(value.strip()):
            # A line break costs a warning, never the place: it is joined to one line.
            value = validators.collapse(value)
            problems.append(Problem(row.line, column, _("« %(value)s » : retour à la ligne remplacé par une espace (ce champ tient sur une ligne).", value=_preview(value)), WARNING,
                                    _("%(column)s : retour à la ligne retiré", column=column)))
        try:
            values[attribute] = clean(attribute, value)
            if attribute in ("latitude", "longitude") and values[attribute] is not None:
                values[attribute] = round(values[attribute], COORDINATE_DECIMALS)
        except validation.FieldError as error:
            if attribute in DROPPABLE:
                _drop(row, column, attribute, value, error, clean, values, problems)
                continue
            problems.append(Problem(row.line, column, f"« {_preview(value)} » : {error}", ERROR,
                                    _("%(column)s : valeur invalide", column=column)))
            bad_columns.add(column)
            continue
        if validation.formula_in(attribute, values[attribute]):
            # Kept (the place is not lost for it), flagged for a person to correct; the open-data
            # CSV neutralises the cell meanwhile (formulas.safe_cell).
            problems.append(Problem(row.line, column, _("« %(values)s » commence comme une formule de tableur (=, +, @, tabulation) : le lieu est gardé, corrigez ce champ dans l'annuaire.", values=_preview(values[attribute])), WARNING, _("%(column)s : commence comme une formule", column=column)))
    return values, bad_columns


def _drop(row: ImportRow, column: str, attribute: str, value, error, clean: _Cleaner, values: dict,
          problems: list[Problem]) -> None:
    """An optional value that the place form would refuse: left out (the valid addresses of a list
    kept), with a warning naming the value; the place is imported without it."""
    kept = []
    if attribute == "emails":
        for item in validation.email_items(value):
            try:
                kept.extend(clean(attribute, item))
            except validation.FieldError:
                continue
        if kept:
            values[attribute] = list(dict.fromkeys(kept))
    if kept:
        message = _("« %(value)s » : %(error)s Valeur laissée de côté (gardé : %(kept)s ; le lieu est importé sans elle).", value=_preview(value), error=error, kept=", ".join(kept))
    else:
        message = _("« %(value)s » : %(error)s Valeur laissée de côté (le lieu est importé sans elle).", value=_preview(value), error=error)
    problems.append(Problem(row.line, column, message, WARNING, _("%(column)s : valeur invalide laissée de côté", column=column)))


# Without them a place is still usable when it has coordinates (and its commune): it is kept (issue 15), and left out of
# the open-data files until they are filled in (serializers.has_postal_address).
LOCATION_COLUMNS = {"adresse": lazy_gettext("Adresse absente"), "code_postal": lazy_gettext("Code postal absent")}


def _check_required(row: ImportRow, values: dict, bad_columns: set, problems: list[Problem]) -> None:
    located = values.get("latitude") is not None and values.get("longitude") is not None \
        and not {"latitude", "longitude"} & bad_columns
    for column in (*serializers.REQUIRED_FIELDS, "services"):
        attribute = ATTRIBUTE_OF.get(column)
        if column in bad_columns or column == "pivot":  # no SIRET: the placeholder organisation (_row_pivot)
            continue
        present = row.record.get(column) if attribute is None else values.get(attribute)
        if not present and column in LOCATION_COLUMNS and located:
            values.pop(attribute, None)  # a place already in the directory keeps its own
            problems.append(Problem(
                row.line, column, _("%(location_columns)s : le lieu est importé à ses coordonnées (%(values)s, %(values2)s), sur la carte et dans les recherches. Il n'entrera dans les fichiers open data, dont le standard exige une adresse complète, qu'une fois celle-ci renseignée dans l'annuaire.", location_columns=LOCATION_COLUMNS[column], values=format(values['latitude'], '.5f'), values2=format(values['longitude'], '.5f')), WARNING, _("%(column)s : vide, lieu gardé à ses coordonnées", column=column)))
            continue
        if not present:
            what = _("au moins un service") if column == "services" else _("une valeur")
            problems.append(Problem(row.line, column, _("La colonne « %(column)s » est obligatoire : indiquez %(what)s.", column=column, what=what),
                                    ERROR, f"{column} : vide"))


def _check_coordinates(row: ImportRow, values: dict, bad_columns: set, problems: list[Problem]) -> None:
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if {"latitude", "longitude"} & bad_columns:
        values.pop("latitude", None)
        values.pop("longitude", None)
        return
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        problems.append(Problem(row.line, missing, _("Indiquez la latitude et la longitude, ou aucune des deux."),
                                ERROR, _("coordonnées incomplètes")))
    elif latitude is not None and not in_france(latitude, longitude):
        problems.append(Problem(
            row.line, "latitude",
            _("Les coordonnées (%(latitude)s, %(longitude)s) sont hors de France (métropole et outre-mer) : latitude et longitude inversées, ou mauvais signe ?", latitude=format(latitude, 'g'), longitude=format(longitude, 'g')), ERROR, _("coordonnées hors de France")))


PIVOT_FALLBACKS = ("SIRET absent", lazy_gettext("pivot invalide : lieu rattaché aux structures sans SIRET"))


def _row_pivot(row: ImportRow, bad_columns: set, problems: list[Problem]) -> str | None:
    raw = row.record.get("pivot")
    if "pivot" in bad_columns:
        return None
    compact = re.sub(r"[\s.\-]", "", str(raw or ""))
    if not compact:
        problems.append(Problem(row.line, "pivot", _("SIRET absent : le lieu est rattaché à l'organisation « %(unknown_pivot_organisation)s », à corriger ensuite.", unknown_pivot_organisation=UNKNOWN_PIVOT_ORGANISATION), WARNING, "SIRET absent"))
        return UNKNOWN_PIVOT
    if compact == UNKNOWN_PIVOT:
        problems.append(Problem(row.line, "pivot", _("SIRET inconnu (%(unknown_pivot)s) : le lieu est rattaché à l'organisation « %(unknown_pivot_organisation)s », à corriger ensuite.", unknown_pivot=UNKNOWN_PIVOT, unknown_pivot_organisation=UNKNOWN_PIVOT_ORGANISATION),
                                WARNING, _("SIRET inconnu (00000000000000)")))
        return UNKNOWN_PIVOT
    try:
        return sys.intern(normalise_pivot(compact))  # one string per organisation, not per row
    except Invalid as error:
        message = " ".join(error.errors.get("pivot") or [error.message])
        problems.append(Problem(row.line, "pivot", _("« %(raw)s » : %(message)s Le lieu est importé et rattaché à l'organisation « %(unknown_pivot_organisation)s », à corriger ensuite.", raw=raw, message=message, unknown_pivot_organisation=UNKNOWN_PIVOT_ORGANISATION), WARNING,
                                _("pivot invalide : lieu rattaché aux structures sans SIRET")))
        return UNKNOWN_PIVOT


def _row_date(row: ImportRow, bad_columns: set, problems: list[Problem]) -> date | None:
    raw = row.record.get("date_maj")
    if "date_maj" in bad_columns or not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        problems.append(Problem(row.line, "date_maj", _("« %(raw)s » n'est pas une date AAAA-MM-JJ.", raw=raw), ERROR,
                                _("date_maj invalide")))
        return None


def _new_organisation(pivot: str, row: ImportRow, values: dict, actor) -> PlannedOrganisation:
    if pivot == UNKNOWN_PIVOT:
        name, kind = UNKNOWN_PIVOT_ORGANISATION, "other"
    else:
        name = (values.get("parent_structure") or values.get("name") or pivot)[:200]
        kind = next((TYPOLOGY_TO_KIND[c] for c in values.get("typology") or () if c in TYPOLOGY_TO_KIND), "other")
    emails = values.get("emails") or []
    # Without an address of its own, the organisation is in the importing coordinator's care: the
    # decision messages reach someone who knows where it comes from, never a made-up address.
    contact = emails[0] if emails and pivot != UNKNOWN_PIVOT else actor.email
    return PlannedOrganisation(pivot=pivot, name=name, kind=kind, contact_email=contact)


def file_name_counts(rows: list[ImportRow]) -> Counter:
    """The words of the file's names, counted: the duplicate detection compares the rarest first."""
    return Counter(w for r in rows for w in name_words(str(r.record.get("nom") or "")))


def plan_import(rows: Iterable[ImportRow], *, actor, progress: Callable[[int], None] | None = None,
                release_records: bool = False, name_counts: Counter | None = None,
                writer: "_Writer | None" = None) -> ImportPlan:
    """What the import would do, and every problem: nothing is written (but by ``writer``, below).
    ``rows`` may be read as they come (a stream) when ``name_counts`` (``file_name_counts``) is given.
    ``release_records``: the record of each row that is planned is let go (emptied) once its cleaned
    values are in the plan, and those values once written or no longer needed, so that a large file is
    never held whole (issue 15, item 6); a rejected row keeps its record, for the report.
    ``writer``: each planned place is handed to it as soon as it is planned (``apply_import``)."""
    auth_permissions.require_coordinator(actor, _("Seuls les coordinateurs du réseau peuvent importer un annuaire."))
    if name_counts is None:
        rows = rows if isinstance(rows, list) else list(rows)
        name_counts = file_name_counts(rows)
    directory = _Directory(name_counts)
    # The list of communes the « far from its commune » check reads at the end is loaded now, while the
    # plan is small: loading it costs a process 40 MB for a moment (issue 15, item 6).
    communes.current()
    plan = ImportPlan()
    clean = _Cleaner()
    seen_ids: dict[str, int] = {}
    new_organisations: dict[str, PlannedOrganisation] = {}
    placements: list[tuple] = []  # what the « far from its commune » check needs of each place
    for row in rows:
        plan.rows += 1
        if progress and plan.rows % 500 == 0:
            progress(500)
        problems = list(row.problems)
        if any(p.severity == ERROR and not p.column for p in problems):  # an unreadable line: nothing to check
            plan.problems.extend(problems)
            if writer is not None:
                writer.row_rejected()
            continue
        values, bad_columns = _clean_row(row, clean, problems)
        _check_required(row, values, bad_columns, problems)
        _check_coordinates(row, values, bad_columns, problems)
        pivot = _row_pivot(row, bad_columns, problems)
        day = _row_date(row, bad_columns, problems)
        row_id = str(row.record.get("id") or "").strip()
        if row_id and len(row_id) > 200:
            problems.append(Problem(row.line, "id", _("L'identifiant fait plus de 200 caractères."), ERROR,
                                    _("id trop long")))
        elif row_id in seen_ids:
            problems.append(Problem(row.line, "id", _("L'identifiant « %(row_id)s » est déjà celui de %(seen_ids)s : chaque lieu doit avoir son propre id.", row_id=row_id, seen_ids=row_where(seen_ids[row_id], row.json)), ERROR,
                                    _("id en double dans le fichier")))
        elif row_id:
            seen_ids[row_id] = row.line
        plan.problems.extend(problems)
        if any(p.severity == ERROR for p in problems):
            if writer is not None:
                writer.row_rejected()
            continue
        if pivot == UNKNOWN_PIVOT and any(p.reason in PIVOT_FALLBACKS for p in problems):
            # a place already in the directory keeps its organisation when the file's SIRET is bad or absent
            existing = directory.by_id.get(row_id)
            if existing is not None:
                pivot = directory.pivot_of.get(existing.organisation_id, pivot)
        planned = _plan_place(row, row_id, values, pivot, day, directory, plan)
        plan.count(planned)
        if not release_records:
            plan.places.append(planned)
        created_organisation = None
        if pivot not in directory.organisations:
            organisation = new_organisations.get(pivot)
            if organisation is None:
                created_organisation = new_organisations[pivot] = _new_organisation(pivot, row, values, actor)
        if planned.action != "skipped" and values.get("latitude") is not None \
                and values.get("longitude") is not None:
            commune, code, postcode = (sys.intern(v) if v else v for v in (
                values.get("commune"), values.get("insee_code"), values.get("postcode")))
            placements.append((planned.line, values.get("name") or planned.row_id, commune, code,
                               values["latitude"], values["longitude"], postcode))
        if writer is not None:
            writer.add(planned, created_organisation)
        if release_records:
            row.record = {}
            if writer is None or planned.action not in ("create", "update"):
                planned.release()  # the writer lets them go once written
    if progress:
        progress(plan.rows % 500)
    plan.organisations = list(new_organisations.values())
    _flag_misplaced(plan, placements, directory)
    plan.problems.sort(key=lambda p: (p.line, p.column))
    return plan


def _flag_misplaced(plan: ImportPlan, placements: list[tuple], directory: "_Directory") -> None:
    """A warning, with both positions, for each row placed more than 20 km from the centre of its
    commune (its INSEE code), the directory's places of that commune and the file's counted: the
    place is imported all the same (issue 14). ``placements``: (line, name, commune, INSEE code,
    latitude, longitude, postcode) of each place of the file with coordinates."""
    from coordination.directory import placement
    rows = placement.with_codes(placements)
    if not rows:
        return
    # the directory as it was before the import (the places it writes are not « others »)
    others = placement.directory_points({row[3] for row in rows},
                                        excluding=plan.matched_place_ids,
                                        rows=directory.points)
    for misplaced in placement.find_misplaced(rows, others):
        plan.problems.append(Problem(misplaced.place_id, "latitude", misplaced.message + _(" Le lieu est importé : "
                                     "vérifiez ses coordonnées."), WARNING, _("lieu à plus de 20 km de sa commune")))


def _provenance(row: ImportRow, row_id: str) -> tuple[str | None, str | None]:
    """The producer the file names in `source` (None when empty or our own network: a re-import of
    our export), and the place's id there: a re-export's `id_source`, else the file's `id`."""
    source = str(row.record.get("source") or "").strip()[:200] or None
    if source == current_app.config["NETWORK_NAME"]:
        source = None
    original = str(row.record.get("id_source") or "").strip()[:200] or row_id or None
    return source, original


def _plan_place(row, row_id, values, pivot, day, directory: _Directory, plan: ImportPlan) -> PlannedPlace:
    existing = directory.by_id.get(row_id)
    planned = PlannedPlace(line=row.line, row_id=row_id, action="create", values=values, pivot=pivot,
                           updated_at=noon_utc(day))
    known = directory.organisations.get(pivot)
    planned.organisation_status = known.status if known is not None else None
    if existing is None:
        planned.source, planned.source_id = _provenance(row, row_id)
        if _is_uuid(row_id):
            planned.public_id = row_id.lower()
        else:
            planned.external_id = row_id
        words, address = name_key(name_words(values.get("name"))), _address_key(values.get("address"))
        duplicate = directory.duplicate_of(row_id, pivot, words, values.get("postcode"), address,
                                           values.get("latitude"), values.get("longitude"))
        if duplicate:
            other_id, other_line, reason = duplicate
            plan.duplicates.append(Duplicate(row.line, row_id, other_id, other_line, reason))
            where = row_where(other_line, row.json) if other_line else _("un lieu déjà dans l'annuaire")
            plan.problems.append(Problem(row.line, "id", _("Doublon possible avec %(where)s (id « %(other_id)s ») : %(reason)s. Le lieu est créé ; vérifiez-le ensuite.", where=where, other_id=other_id, reason=reason), WARNING,
                                         _("doublon possible")))
        directory.remember(row_id, row.line, pivot, words, values.get("postcode"), address,
                           values.get("latitude"), values.get("longitude"))
        return planned
    planned.place_id, planned.public_id = existing.id, existing.public_id
    planned.published = bool(existing.published)
    if existing.deleted_at is not None:
        planned.action = "skipped"
        plan.problems.append(Problem(row.line, "id", _("Le lieu « %(row_id)s » a été supprimé de l'annuaire : il n'est pas recréé.", row_id=row_id), WARNING, _("lieu supprimé dans l'annuaire")))
        return planned
    changed = []
    for attribute, value in values.items():
        if attribute in ("latitude", "longitude") and values.get("latitude") is None and existing.latitude is not None:
            continue  # no coordinates in the file: the geocoder's (or a person's) stay
        if not _same(attribute, _stored_value(existing, attribute, directory), value):
            changed.append(COLUMN_OF[attribute])
    if directory.pivot_of.get(existing.organisation_id) != pivot:
        changed.append("pivot")
    stored_day = serializers.last_update(existing)
    if stored_day != day:
        changed.append("date_maj")
    if not changed or (changed == ["date_maj"] and stored_day > day):
        planned.action = "unchanged"
    elif stored_day > day:
        planned.action = "unchanged"
        plan.problems.append(Problem(row.line, "date_maj", _("La fiche a été mise à jour dans l'annuaire le %(stored_day)s, après la date du fichier (%(day)s) : elle est laissée telle quelle.", stored_day=format(stored_day, '%d/%m/%Y'), day=format(day, '%d/%m/%Y')), WARNING, _("fiche plus récente dans l'annuaire")))
    else:
        planned.action = "update"
        planned.changed = sorted(set(changed) - {"latitude", "longitude"} | (
            {"latitude", "longitude"} & set(changed)))
    return planned


# --- applying ----------------------------------------------------------------------------------

def _place_values(planned: PlannedPlace, existing=None) -> dict:
    """What the file says of the place, dated by its date_maj: the write path (``writes.located``)
    adds the coordinates' origin and the geocoding queue."""
    values = dict(planned.values)
    if values.get("latitude") is None and existing is not None and existing.latitude is not None:
        values.pop("latitude", None)  # no coordinates in the file: the geocoder's (or a person's) stay
        values.pop("longitude", None)
    return {**values, "updated_at": planned.updated_at, "verified_at": planned.updated_at}


def apply_import(rows: Iterable[ImportRow], *, actor, progress: Callable[[int], None] | None = None,
                 skip_invalid: bool = False, publication: str = PENDING, notify: bool = False,
                 file_name: str | None = None, release_records: bool = False,
                 name_counts: Counter | None = None) -> ImportReport:
    """Plans and writes in one transaction: everything, or nothing when any row has an error.
    With ``skip_invalid`` (a person's explicit choice, after a dry run), the rows with an error are
    left out and the others written, still in one transaction; an error of the whole file (line 0
    or the header) still stops everything.

    Places are written in batches as they are planned (issue 15, item 6: a large file is never held
    whole); the first row in error, without ``skip_invalid``, rolls back what was written and the rest
    of the file is only checked, for the report.

    ``publication`` is the coordinator's decision for the organisations the import creates: "accepted"
    (a trusted source: their places are public at once) or "pending" (each waits in the moderation
    queue, where one import's can be decided together). Their addresses come from the file: they are
    mailed only with ``notify`` (« prévenir les structures »), one spread-out invitation each."""
    if publication not in PUBLICATIONS:
        raise Invalid(_("Choisissez si les organisations créées par l'import sont acceptées ou en attente."))
    writer = _Writer(actor, publication=publication, notify=bool(notify), file_name=file_name,
                     skip_invalid=skip_invalid)
    try:
        plan = plan_import(rows, actor=actor, progress=progress, release_records=release_records,
                           name_counts=name_counts, writer=writer)
        report = ImportReport(plan=plan, applied=False, publication=publication, notify=bool(notify))
        file_errors = any(p.severity == ERROR and p.line <= 1 for p in plan.problems)
        if writer.stopped or file_errors:
            db.session.rollback()
            return report
        writer.finish(plan)
        writes.commit(writer.place_ids)
    except Exception:
        db.session.rollback()
        raise
    report.applied = True
    report.created, report.updated = writer.created, writer.updated
    report.organisations_created = len(plan.organisations)
    report.place_ids = writer.place_ids
    report.import_id = writer.record.id if writer.record is not None else None
    report.invitations = writer.invitations
    return report


class _Writer:
    """Writes the planned places of an import in batches of BATCH_SIZE as the plan goes, inside the
    caller's one transaction: the organisations a batch needs first, then its new places, then the
    places it changes. Stops (rolling back what it wrote) at the first row in error unless told to
    leave such rows out."""

    def __init__(self, actor, *, publication: str, notify: bool, file_name: str | None, skip_invalid: bool):
        self.actor, self.publication, self.notify = actor, publication, notify
        self.file_name, self.skip_invalid = file_name, skip_invalid
        self.stopped = False
        self.record: OrganisationImport | None = None
        self.organisation_ids: dict[str, int] | None = None
        self.new_organisations: list[PlannedOrganisation] = []
        self.creates: list[PlannedPlace] = []
        self.updates: list[PlannedPlace] = []
        self.place_ids: list[int] = []
        self.created = self.updated = self.invitations = 0
        self.now = utcnow()

    def row_rejected(self) -> None:
        if not self.skip_invalid and not self.stopped:
            db.session.rollback()  # all or nothing: what was written goes, the rest is only checked
            self.stopped = True
            self.new_organisations, self.creates, self.updates = [], [], []

    def add(self, planned: PlannedPlace, new_organisation: PlannedOrganisation | None) -> None:
        if self.stopped:
            return
        if new_organisation is not None:
            self.new_organisations.append(new_organisation)
        if planned.action == "create":
            self.creates.append(planned)
        elif planned.action == "update":
            self.updates.append(planned)
        if len(self.creates) + len(self.updates) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.organisation_ids is None:
            self.organisation_ids = {o.pivot: o.id for o in db.session.execute(
                select(Organisation.id, Organisation.pivot))}
        if self.new_organisations:
            self._create_organisations()
        now = utcnow()  # changed_at: when the rows are written (the change feed holds back the younger ones)
        self.place_ids += _insert_places(self.creates, self.organisation_ids, now)
        self.place_ids += _update_places(self.updates, self.organisation_ids, now)
        self.created += len(self.creates)
        self.updated += len(self.updates)
        for planned in self.creates + self.updates:
            planned.release()  # written: the plan keeps what the report counts
        self.creates, self.updates = [], []

    def _create_organisations(self) -> None:
        if self.record is None:
            self.record = OrganisationImport(actor_id=self.actor.id, file_name=(self.file_name or "")[:255] or None,
                                             publication=self.publication, notify=self.notify,
                                             organisations_created=0)
            db.session.add(self.record)
            db.session.flush()
        accepted = self.publication == ACCEPTED
        decided = {"decided_at": self.now, "decided_by_id": self.actor.id} if accepted else {}
        table = Organisation.__table__
        rows = [{"name": o.name, "kind": o.kind, "pivot": o.pivot, "contact_email": o.contact_email,
                 "status": "active" if accepted else "pending", "import_id": self.record.id, **decided}
                for o in self.new_organisations]
        # through Core, as the places: the ORM's unit of work was half of an import's writing time
        created = db.session.execute(insert(table).returning(table.c.id, table.c.pivot), rows)
        self.organisation_ids.update((pivot, organisation_id) for organisation_id, pivot in created)
        self.record.organisations_created += len(rows)
        self.new_organisations = []

    def finish(self, plan: ImportPlan) -> None:
        """The last batch, the audit record and, when asked, the invitations of the new organisations."""
        self.flush()
        record = self.record
        audit.record(self.actor, "place.import", "import", "-", rows=plan.rows, created=self.created,
                     updated=self.updated, unchanged=plan.unchanged, skipped=plan.skipped,
                     rejected=len(plan.rejected_lines),
                     organisations_created=len(plan.organisations), duplicates=len(plan.duplicates),
                     publication=self.publication, notify=self.notify, import_id=record.id if record else None)
        if record is not None and self.notify and self.publication == ACCEPTED:
            created = db.session.scalars(select(Organisation).where(Organisation.import_id == record.id)
                                         .order_by(Organisation.id)).all()
            self.invitations = auth_services.queue_import_invitations(created, record)


def _insert_places(creates: list[PlannedPlace], organisation_ids: dict[str, int], now: datetime) -> list[int]:
    rows = []
    for planned in creates:
        columns = writes.new_place(_place_values(planned), organisation_id=organisation_ids[planned.pivot], now=now,
                                   source="import")
        columns.update(public_id=planned.public_id or columns["public_id"], external_id=planned.external_id,
                       source=planned.source, source_id=planned.source_id)
        rows.append(columns)
    return writes.insert_places(rows)


def _update_places(updates: list[PlannedPlace], organisation_ids: dict[str, int], now: datetime) -> list[int]:
    """The changed places, each checked against the version read here (a place edited meanwhile
    stops the import)."""
    if not updates:
        return []
    table = Place.__table__
    existing = {row.id: row for row in db.session.execute(
        select(table).where(table.c.id.in_([p.place_id for p in updates])))} if len(updates) <= 30_000 else {
        row.id: row for row in db.session.execute(select(table))}
    changes = []
    for planned in updates:
        row = existing[planned.place_id]
        columns = writes.located(_place_values(planned, row), row, source="import")
        columns["organisation_id"] = organisation_ids[planned.pivot]
        changes.append(writes.PlaceUpdate(row.id, row.version, columns))
    try:
        return writes.update_places(changes, now)
    except writes.VersionChanged:
        raise Conflict(_("Des lieux ont été modifiés pendant l'import : rien n'a été enregistré, "
                       "relancez l'import.")) from None
