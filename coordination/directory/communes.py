"""The official list of French communes (INSEE code, name, postcodes, population, département), read
once per process from the ``@etalab/decoupage-administratif`` package (MIT, built from INSEE's
official geographic code; installed by ``make assets``, path in ``COMMUNES_FILE``).

It says WHICH commune a resident means — « saint herblain », « ST-HERBLAIN », « 44800 », « Paris 15e »,
« Saint-Denis (93) », the town at the end of an address or next to its postcode — never WHERE it is:
the list has no coordinates (``geocoding`` finds the centre). When the file is missing, ``current()``
returns None and the search falls back on the directory's own places (« position approximative »).
"""
import json
import logging
import re
import statistics
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from coordination.directory.search import haversine_km

log = logging.getLogger(__name__)

_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
# « Saint-Denis (93) », « Saint-Denis 974 », « Ajaccio (2A) »: a name and a département code.
_WITH_DEPARTEMENT = re.compile(r"^(.*?)[\s,]*\(?\s*(\d[\dab]|97\d)\s*\)?$", re.IGNORECASE)
# A name right after one of these words is a street's (« rue de Strasbourg »), not the town's.
CONNECTORS = frozenset("a au aux d de des du en l la le les sur sous".split())
_TRAILING = frozenset("france cedex".split())
MAX_NAME_WORDS = 8  # the longest commune names have 7 or 8 words


def fold(text: str | None) -> str:
    """For comparing names: lower case, no accents, œ/æ expanded, letters and digits only, single
    spaces; « St » and « Ste » written out (« St-Herblain » = « Saint Herblain »)."""
    text = (text or "").lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in words)


def departement_of(insee_code: str | None) -> str | None:
    """« 44109 » -> « 44 », « 97411 » -> « 974 », « 2A004 » -> « 2A »."""
    code = (insee_code or "").strip().upper()
    if len(code) != 5:
        return None
    return code[:3] if code.startswith("97") else code[:2]


@dataclass(frozen=True, slots=True)
class Commune:
    code: str                # INSEE code (an arrondissement's own code for Paris, Lyon, Marseille)
    name: str
    departement: str
    postcodes: tuple[str, ...]
    population: int
    parent: str | None = None  # an arrondissement's commune (75056, 69123, 13055)

    @property
    def postcode(self) -> str | None:
        return self.postcodes[0] if self.postcodes else None


@dataclass(frozen=True)
class Match:
    """Which commune(s) a text names. Several when the name is shared (homonyms), most populous
    first; ``postcode`` when the text gave one."""
    communes: tuple[Commune, ...]
    postcode: str | None = None

    @property
    def ambiguous(self) -> bool:
        return len(self.communes) > 1


def _arrondissement_aliases(name: str) -> list[str]:
    """« Paris 15e Arrondissement » -> « paris 15 », « paris 15e », « paris 15eme »…"""
    if "rrondissement" not in name:
        return []
    match = re.fullmatch(r"(.+) (\d+)(?:er|e) arrondissement", fold(name))
    if not match:
        return []
    city, number = match[1], match[2]
    suffixes = ["", "e", "eme", "em"] + (["er", "ere"] if number == "1" else [])
    aliases = [f"{city} {number}{suffix}" for suffix in suffixes]
    aliases += [f"{alias} arrondissement" for alias in aliases[1:]]
    return aliases


class Communes:
    """The list in memory: by INSEE code, by folded name (and former names, arrondissement
    spellings), by postcode."""

    def __init__(self, communes: Iterable[dict], departements: list[dict] | None = None):
        by_code: dict[str, Commune] = {}
        by_name: dict[str, list[Commune]] = {}
        by_postcode: dict[str, list[Commune]] = {}
        former: list[tuple[str, str]] = []
        for entry in communes:
            kind = entry.get("type")
            if kind in ("commune-deleguee", "commune-associee"):
                if entry.get("chefLieu"):
                    former.append((fold(entry.get("nom")), entry["chefLieu"]))
                continue
            if kind not in ("commune-actuelle", "arrondissement-municipal"):
                continue
            commune = Commune(code=entry["code"], name=entry["nom"], departement=entry.get("departement") or "",
                              postcodes=tuple(entry.get("codesPostaux") or ()),
                              population=int(entry.get("population") or 0),
                              parent=entry.get("commune") if kind == "arrondissement-municipal" else None)
            by_code[commune.code] = commune
            for name in [fold(commune.name), *_arrondissement_aliases(commune.name)]:
                by_name.setdefault(name, []).append(commune)
            for postcode in commune.postcodes:
                by_postcode.setdefault(postcode, []).append(commune)
        for name, code in former:  # a former commune's name, unless a current commune bears it
            if name not in by_name and code in by_code:
                by_name[name] = [by_code[code]]

        def ordered(found: list[Commune]) -> tuple[Commune, ...]:
            return tuple(sorted(found, key=lambda c: (-c.population, c.code)))

        self.by_code = by_code
        self.by_name = {name: ordered(found) for name, found in by_name.items()}
        # A postcode of an arrondissement names the arrondissement, not the whole city.
        self.by_postcode = {code: ordered([c for c in found if not any(o.parent == c.code for o in found)])
                            for code, found in by_postcode.items()}
        self.departements = {d["code"]: d["nom"] for d in departements or ()}

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str | None) -> Commune | None:
        return self.by_code.get((code or "").strip().upper())

    def departement_name(self, code: str | None) -> str | None:
        return self.departements.get(code or "")

    def with_postcode(self, postcode: str) -> tuple[Commune, ...]:
        return self.by_postcode.get(postcode, ())

    def named(self, text: str) -> Match | None:
        """The text is a commune's name (any case, accents, hyphens, « St »), or a postcode, or a
        name with its département (« Saint-Denis (93) ») or postcode (« 93200 Saint-Denis »)."""
        text = " ".join((text or "").split())
        if _POSTCODE.fullmatch(text):
            found = self.with_postcode(text)
            return Match(found, postcode=text) if found else None
        found = self.by_name.get(fold(text))
        if found:
            return Match(found)
        with_departement = _WITH_DEPARTEMENT.match(text)
        if with_departement:
            departement = with_departement[2].upper()
            found = tuple(c for c in self.by_name.get(fold(with_departement[1]), ()) if c.departement == departement)
            if found:
                return Match(found)
        postcodes = _POSTCODE.findall(text)
        if len(postcodes) == 1:
            rest = fold(_POSTCODE.sub(" ", text))
            found = tuple(c for c in self.by_name.get(rest, ()) if postcodes[0] in c.postcodes)
            if found:
                return Match(found, postcode=postcodes[0])
        return None

    def in_address(self, text: str) -> Match | None:
        """The commune of an address: the one next to its postcode, else the name at its end (not a
        street's: « 12 rue de Strasbourg Nantes » is in Nantes). None when neither is found."""
        named = self.named(text)
        if named:
            return named
        for match in _POSTCODE.finditer(text):
            postcode = match[1]
            candidates = self.with_postcode(postcode)
            if not candidates:
                continue
            after = fold(text[match.end():]).split()
            before = fold(text[:match.start()]).split()
            for words in (after, before[::-1]):  # the name follows the postcode, or comes just before it
                for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
                    name = " ".join(words[:size] if words is after else words[:size][::-1])
                    chosen = tuple(c for c in self.by_name.get(name, ()) if c in candidates)
                    if chosen:
                        return Match(chosen, postcode=postcode)
            return Match(candidates, postcode=postcode)
        words = fold(text).split()
        while words and words[-1] in _TRAILING:
            words.pop()
        for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
            name = " ".join(words[-size:])
            found = self.by_name.get(name)
            if not found:
                continue
            before = words[-size - 1] if len(words) > size else None
            if before in CONNECTORS:
                continue  # « rue de Strasbourg »: a shorter name at the end may still be the town
            return Match(found)
        return None


# --- loading, once per process and file ------------------------------------------------------

_lock = threading.Lock()
_loaded: dict[str, Communes | None] = {}


def load(path: str | Path) -> Communes | None:
    """The list from ``path`` (its ``departements.json`` beside it, if there); None when the file is
    missing or unreadable (logged once)."""
    key = str(path)
    with _lock:
        if key in _loaded:
            return _loaded[key]
        try:
            beside = Path(path).with_name("departements.json")
            departements = json.loads(beside.read_text(encoding="utf-8")) if beside.exists() else []
            communes = Communes(_array_items(Path(path).read_text(encoding="utf-8")), departements)
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("liste des communes illisible (%s) : %s — la recherche se repère sur l'annuaire", path, error)
            communes = None
        _loaded[key] = communes
        return communes


_BETWEEN_ITEMS = re.compile(r"[\s,]*")


def _array_items(text: str) -> Iterator[dict]:
    """The objects of a JSON array, decoded one at a time: the list's 37,000 entries as dictionaries
    would cost a process 40 MB more at its peak than the table built from them (issue 15, item 6)."""
    decoder = json.JSONDecoder()
    start = text.index("[") + 1
    while True:
        start = _BETWEEN_ITEMS.match(text, start).end()
        if text[start] == "]":
            return
        item, start = decoder.raw_decode(text, start)
        yield item


def current() -> Communes | None:
    """The list named by the app's ``COMMUNES_FILE``, or None when it is missing."""
    path = current_app.config.get("COMMUNES_FILE")
    return load(path) if path else None


def forget() -> None:
    with _lock:
        _loaded.clear()


# --- centres from places ---------------------------------------------------------------------

OUTLIER_KM = 20.0  # a place further than this from its commune's centre is not counted in it (and is flagged)


def robust_centre(points: list[tuple[float, float]]) -> tuple[float, float, int] | None:
    """The median of the points, then the median again without those more than ``OUTLIER_KM`` from
    it: one misplaced place does not move a town. (latitude, longitude, points kept) or None."""
    if not points:
        return None
    latitude, longitude = statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)
    kept = [p for p in points if haversine_km(latitude, longitude, p[0], p[1]) <= OUTLIER_KM]
    if kept and len(kept) < len(points):
        latitude, longitude = statistics.median(p[0] for p in kept), statistics.median(p[1] for p in kept)
    return latitude, longitude, len(kept)


def warm_up(app) -> threading.Thread:
    """Reads the list in the background (about 1.5 s), so that a web worker's first search does not
    wait for it: ``wsgi.py`` calls it."""
    def read():
        with app.app_context():
            current()
    thread = threading.Thread(target=read, name="communes-warm-up", daemon=True)
    thread.start()
    return thread
