"""The query: the user's words grouped into the needs they name and the other words, turned into
Whoosh query objects (never given to Whoosh's parser), run near a point, with facet counts, the
page in order and the map's points."""
from __future__ import annotations

import heapq
import logging
import math
import operator
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from whoosh.query import And, Or, Prefix, Term

from coordination.directory.search import needs
from coordination.directory.search.analysis import fold, is_exact, lowered_words, term_of
from coordination.directory.search.documents import (
    _VALUE_INDEX, FACETS, NETWORK_LABELS, TEXT_FIELDS, VOCABULARY_VALUES, facet_mask)
from coordination.directory.search.grid import _Live, _live, _nearby
from coordination.directory.search.storage import IndexUnavailable

log = logging.getLogger(__name__)

MIN_PREFIX = 4  # shorter prefixes would expand to too many terms (and « caf » is not « café »)
MAX_TERMS = 12  # words of the user's text taken into account


@dataclass(frozen=True)
class NeedsIndex:
    """The needs vocabulary by the index terms of each term's words: « cartes grises », « Carte
    grise » and « carte grise » are the same need."""
    by_terms: dict[tuple[str, ...], needs.Need]
    longest: int
    words: frozenset[str]  # the folded words of every need, for spelling suggestions


def build_needs_index(vocabulary) -> NeedsIndex:
    """Raises needs.NeedsFileError when two terms of the file are the same once analysed (naming both lines)."""
    by_terms: dict[tuple[str, ...], needs.Need] = {}
    words = set()
    for need in vocabulary:
        lowered = lowered_words(need.term)
        terms = tuple(term_of(word) for word in lowered)
        if not terms:
            raise needs.NeedsFileError(f"Fichier des besoins, ligne {need.line} : « {need.term} » n'a que des "
                                       "mots vides.")
        if terms in by_terms:
            raise needs.NeedsFileError(
                f"Fichier des besoins, ligne {need.line} : « {need.term} » se cherche comme « "
                f"{by_terms[terms].term} » (ligne {by_terms[terms].line}) : gardez l'un des deux.")
        by_terms[terms] = need
        words.update(fold(word) for word in lowered)
    return NeedsIndex(by_terms, max(len(terms) for terms in by_terms), frozenset(words))


_NEEDS_INDEX: dict[int, NeedsIndex] = {}


def needs_index() -> NeedsIndex:
    """The index of the vocabulary in use (built once per vocabulary)."""
    vocabulary = needs.active()
    found = _NEEDS_INDEX.get(id(vocabulary))
    if found is None:
        found = build_needs_index(vocabulary)
        _NEEDS_INDEX.clear()
        _NEEDS_INDEX[id(vocabulary)] = found
    return found


def _category_terms(need: needs.Need) -> list:
    """The Term objects of a need's services, programmes and typologies (facet KEYWORD fields)."""
    terms = []
    for key, values in need.categories.items():
        positions = _VALUE_INDEX[key]
        terms.extend(Term(f"f_{key}", str(positions[value])) for value in values if value in positions)
    return terms


@dataclass(frozen=True)
class Clause:
    """Some words of the query: one word, or the words naming a need of the vocabulary."""
    words: tuple[str, ...]          # lowercase, accents kept, as typed
    need: needs.Need | None = None

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def _text_query(self):
        per_word = [Or([Term(name, term_of(word)) for name in TEXT_FIELDS]) for word in self.words]
        return per_word[0] if len(per_word) == 1 else And(per_word)

    def whoosh_query(self, *, prefix: bool):
        if self.need is not None:
            # The places offering the mapped service (score 1 each, the facet fields are not scored),
            # plus those whose own text has the words: those score higher, and come first by relevance.
            return Or([*_category_terms(self.need), self._text_query()])
        word = self.words[0]
        terms = [Term(name, term_of(word)) for name in TEXT_FIELDS]
        if prefix:
            terms.append(Prefix("words", fold(word)))
        return Or(terms)


@dataclass(frozen=True)
class TextQuery:
    """The user's words, grouped into clauses: the needs of the vocabulary they name (longest first),
    and the other words one by one. ``literal``: no needs, the words only (« mots exacts »)."""
    clauses: tuple[Clause, ...]
    literal: bool = False

    @classmethod
    def parse(cls, text: str, *, literal: bool = False) -> TextQuery:
        words, seen = [], set()
        for word in lowered_words(text):
            if fold(word) not in seen:
                seen.add(fold(word))
                words.append(word)
        words = words[:MAX_TERMS]
        if literal:
            return cls(tuple(Clause((word,)) for word in words), literal=True)
        index = needs_index()
        terms = [term_of(word) for word in words]
        clauses, i = [], 0
        while i < len(words):
            for size in range(min(index.longest, len(words) - i), 0, -1):
                need = index.by_terms.get(tuple(terms[i:i + size]))
                if need is not None:
                    clauses.append(Clause(tuple(words[i:i + size]), need))
                    i += size
                    break
            else:
                clauses.append(Clause((words[i],)))
                i += 1
        return cls(tuple(clauses))

    @property
    def words(self) -> tuple[str, ...]:
        """Every folded word of the query."""
        return tuple(fold(word) for clause in self.clauses for word in clause.words)

    @property
    def needs(self) -> list[Clause]:
        return [clause for clause in self.clauses if clause.need is not None]

    def __bool__(self):
        return bool(self.clauses)

    def keeping(self, positions: Iterable[int]) -> TextQuery:
        """The query with only these clauses."""
        return TextQuery(tuple(self.clauses[i] for i in sorted(positions)), self.literal)

    def _prefix_allowed(self, clause: Clause, reader) -> bool:
        """The last word is completed (« ordi » → ordinateur) only when it has 4 letters or more, is
        not a need and is not itself a word of the directory."""
        if clause.need is not None:
            return False
        word = fold(clause.words[0])
        if len(word) < MIN_PREFIX or is_exact(word):
            return False
        if reader is not None and reader.doc_frequency("words", word) > 0:
            return False
        return True

    def name_query(self):
        """Every word in the name, for a query of 2 words or more (a place's name), else None."""
        words = [word for clause in self.clauses for word in clause.words]
        if len(words) < 2:
            return None
        return And([Term("name", term_of(word)) for word in words])

    def whoosh_query(self, *, match_all: bool = True, reader=None):
        last = len(self.clauses) - 1
        clauses = [clause.whoosh_query(prefix=i == last and self._prefix_allowed(clause, reader))
                   for i, clause in enumerate(self.clauses)]
        if len(clauses) == 1:
            return clauses[0]
        return And(clauses) if match_all else Or(clauses)


@dataclass
class Match:
    place_id: int
    distance_km: float | None
    score: float


@dataclass(frozen=True)
class MapPoint:
    """A matching place on the results map (coordinates from memory, no database read)."""
    place_id: int
    latitude: float
    longitude: float
    distance_km: float | None


@dataclass
class IndexPage:
    matches: list[Match]  # the page, in order
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    map_points: list[MapPoint] = field(default_factory=list)  # the whole result set with coordinates, capped


def _named(matcher, docnum: int) -> int:
    """1 when the name matcher (advanced in docnum order) is on this document."""
    if matcher is None or not matcher.is_active():
        return 0
    if matcher.id() < docnum:
        matcher.skip_to(docnum)
        if not matcher.is_active():
            return 0
    return 1 if matcher.id() == docnum else 0


def _matching(live: _Live, query, point, radius_km,
              name_query=None) -> list[tuple[int, float | None, float, tuple, float, float, int]]:
    """(place id, distance, score, masks, latitude, longitude, named) of the documents matching the
    query near the point (NaN coordinates for a place without them); ``named`` is 1 when the place's
    name has every word of ``name_query``."""
    results = []
    context = live.searcher.context() if query is not None else None
    for subsearcher, _offset, reader, segment in live.leaves:
        ids, masks, lats, lons = segment.place_ids, segment.masks, segment.lats, segment.lons
        if point is not None:
            candidates = _nearby(segment, reader, point[0], point[1], radius_km)
            if query is None:
                results.extend((ids[d], km, 0.0, masks[d], lats[d], lons[d], 0) for d, km in candidates)
                continue
            if not candidates:
                continue
            matcher = query.matcher(subsearcher, context)
            names = name_query.matcher(subsearcher, context) if name_query is not None else None
            for docnum, km in candidates:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() == docnum:
                    results.append((ids[docnum], km, matcher.score(), masks[docnum], lats[docnum], lons[docnum],
                                    _named(names, docnum)))
        elif query is None:
            results.extend((ids[d], None, 0.0, masks[d], lats[d], lons[d], 0)
                           for d in range(reader.doc_count_all()) if not reader.is_deleted(d))
        else:
            matcher = query.matcher(subsearcher, context)
            names = name_query.matcher(subsearcher, context) if name_query is not None else None
            while matcher.is_active():
                docnum = matcher.id()
                results.append((ids[docnum], None, matcher.score(), masks[docnum], lats[docnum], lons[docnum],
                                _named(names, docnum)))
                matcher.next()
    return results


def matching_place_ids(text: TextQuery) -> set[int]:
    """Ids of every indexed place whose text matches all the words (the API's ``q``).
    Raises IndexUnavailable."""
    if not text:
        return set()
    live = _live()
    with live.lock:
        live.current()
        try:
            rows = _matching(live, text.whoosh_query(match_all=True, reader=live.searcher.reader()), None, None)
        except Exception as error:
            log.warning("search failed on the index: %s", error)
            live._close()
            raise IndexUnavailable() from error
    return {row[0] for row in rows}


def clause_matches(text: TextQuery, *, point: tuple[float, float] | None,
                   radius_km: float | None) -> list[set[int]]:
    """Per clause of the query, the ids of the places it matches near the point: what the « at least
    one word » fallback needs to choose the words it keeps. Raises IndexUnavailable."""
    live = _live()
    found = []
    with live.lock:
        live.current()
        try:
            reader = live.searcher.reader()
            for position in range(len(text.clauses)):
                alone = text.keeping([position])
                rows = _matching(live, alone.whoosh_query(reader=reader), point, radius_km if point else None)
                found.append({row[0] for row in rows})
        except Exception as error:
            log.warning("search failed on the index: %s", error)
            live._close()
            raise IndexUnavailable() from error
    return found


def tiebreak(day: date, place_id: int) -> int:
    """A pseudo-random rank of a place that changes every day (splitmix64 of day and id)."""
    x = ((day.toordinal() << 32) ^ place_id) & 0xFFFFFFFFFFFFFFFF
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def search(text: TextQuery, *, point: tuple[float, float] | None, radius_km: float | None,
           facets: dict[str, list[str]], match_all: bool = True,
           keep: Callable[[list[int]], set[int]] | None = None,
           sort: str = "distance", page: int = 1, per_page: int = 20, day: date,
           map_limit: int = 0) -> IndexPage:
    """One search in the index.

    ``facets``: vocabulary key -> accepted values (a place matches one of them; all keys must
    match). ``keep``: called with the ids of the places matching text and distance, returns the
    ids to keep (open now…). Counts per facet value are over those places, each vocabulary counted
    with the selections of the other vocabularies applied. The page is clamped to the last page.
    ``map_limit``: how many of all the matching places (with coordinates) go to ``map_points`` —
    the nearest when there is a point, else the best scored. Raises IndexUnavailable."""
    live = _live()
    with live.lock:
        live.current()
        try:
            query = text.whoosh_query(match_all=match_all, reader=live.searcher.reader()) if text else None
            rows = _matching(live, query, point, radius_km if point is not None else None,
                             text.name_query() if text else None)
        except Exception as error:  # a damaged segment: reopen next time
            log.warning("search failed on the index: %s", error)
            live._close()
            raise IndexUnavailable() from error
    # The facet masks first: a place failing two selected vocabularies is neither shown nor counted,
    # so the (costly) ``keep`` callback never sees it. A place failing one is counted in that one.
    selected = [(i, facet_mask(key, facets[key])) for i, key in enumerate(FACETS) if facets.get(key)]
    candidates = []
    for row in rows:
        failed = [i for i, wanted in selected if not row[3][i] & wanted] if selected else ()
        if len(failed) <= 1:
            candidates.append((row, failed))
    if keep is not None and candidates:
        kept = keep([row[0] for row, _failed in candidates])
        candidates = [(row, failed) for row, failed in candidates if row[0] in kept]

    matched = [row for row, failed in candidates if not failed]
    counts = _facet_counts([row[3] for row in matched],
                           [(row[3], failed[0]) for row, failed in candidates if failed])
    total = len(matched)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    # The places whose name has every word (« Médiathèque de Gap », « France services Rochefort »)
    # come first, in either order: no query naming a place misses it.
    if sort == "distance" and point is not None:
        def rank(row):
            return (-row[6], round(row[1], 2), -round(row[2], 4))
    else:
        def rank(row):
            return (-row[6], -round(row[2], 4), row[1] if row[1] is not None else 0.0)
    ordered = _first(matched, page * per_page, rank, lambda row: tiebreak(day, row[0]))[(page - 1) * per_page:]
    return IndexPage(
        matches=[Match(row[0], row[1], row[2]) for row in ordered], total=total, page=page, pages=pages,
        facets={key: _facet_values(key, counts[i]) for i, key in enumerate(FACETS)},
        map_points=_map_points(matched, point, map_limit),
    )


def _facet_values(key: str, counts: list[int]) -> list[tuple]:
    """(value, count) of every value of a vocabulary, in order; the network's labels by id, those
    some place offers only (their ids are their bits)."""
    if key == NETWORK_LABELS:
        return [(label_id, count) for label_id, count in enumerate(counts) if count]
    return list(zip(VOCABULARY_VALUES[key], counts, strict=True))


def _facet_counts(full: list[tuple], partial: list[tuple[tuple, int]]) -> list[list[int]]:
    """Per facet, per value, the places offering it: ``full`` holds the masks of the places meeting
    every selection (counted in every facet), ``partial`` (masks, facet) those failing one
    selection, counted in that facet only. Thousands of places share a few hundred distinct masks
    per facet: they are tallied first (in C), and only the distinct masks are split into bits."""
    counts = []
    for i, key in enumerate(FACETS):
        tally = Counter(map(operator.itemgetter(i), full))
        tally.update(masks[i] for masks, facet in partial if facet == i)
        if key == NETWORK_LABELS:
            slot = [0] * max((mask.bit_length() for mask in tally), default=0)
        else:
            slot = [0] * len(VOCABULARY_VALUES[key])
        for mask, places in tally.items():
            for position in range(min(mask.bit_length(), len(slot))):
                if mask >> position & 1:
                    slot[position] += places
        counts.append(slot)
    return counts


def _first(rows: list[tuple], count: int, rank: Callable, tie: Callable) -> list[tuple]:
    """The ``count`` first rows by (rank, tie), sorted. ``tie`` (a hash per row) is only computed
    for the rows that can reach the first ``count``: those ranked no worse than the count-th."""
    if count <= 0:
        return []
    if len(rows) > count:
        bound = rank(heapq.nsmallest(count, rows, key=rank)[-1])
        rows = [row for row in rows if rank(row) <= bound]
    return sorted(rows, key=lambda row: (rank(row), tie(row)))[:count]


def _map_points(rows: list[tuple], point, limit: int) -> list[MapPoint]:
    """The rows with coordinates as map points: all of them up to ``limit``, nearest first when
    there is a point (already known: no distance computed again); beyond, the ``limit`` nearest,
    or without a point the ``limit`` best scored."""
    if limit <= 0:
        return []
    located = [row for row in rows if not math.isnan(row[4])]  # NaN: a place without coordinates
    if point is not None:
        located = heapq.nsmallest(limit, located, key=operator.itemgetter(1))
    elif len(located) > limit:
        located = heapq.nsmallest(limit, located, key=lambda row: -row[2])
    return [MapPoint(row[0], row[4], row[5], row[1]) for row in located]
