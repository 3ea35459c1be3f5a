"""The search index: the only module that touches Whoosh (Whoosh-Reloaded 2.7.5).

What is indexed: one document per public place (published, not deleted, organisation active),
with its text in a French analysis (``name``, ``place`` = commune/postcode/address, ``body`` = the
rest), the same text unstemmed in ``words`` (prefix matching and spelling suggestions), and one
KEYWORD field per vocabulary of ``vocabularies.PLACE_VOCABULARIES``.

What is not indexed: coordinates. They are stored, and loaded into memory when a searcher opens
(per segment, so a refresh only reads the new segments), with a grid of 0.1° cells. A proximity
search takes the places of the cells around the point, keeps those within the radius (haversine),
and only then asks the index about those documents: the text matcher is advanced with
``skip_to`` over the candidates. Facet counts are computed over the candidate set, from bit masks
kept in memory with the coordinates.

The user's text is never given to Whoosh's query parser: it is tokenised with the analyzer and the
query is built from Term and Prefix objects, so "AND", quotes, ``*`` and parentheses are text.

Layout on disk: ``SEARCH_INDEX_DIR/CURRENT`` names the live index directory next to it
(``ix-v<schema>-<vocabularies hash>-<stamp>``: an index of another schema or built with other
vocabularies counts as missing). A rebuild takes ``REBUILD.lock`` (one rebuild at a time, across
processes) and the live index's write lock before it reads the database, writes a new directory,
replaces ``CURRENT`` atomically (``os.replace``) and removes the old directory. Only the scheduler
process (and ``flask search``) write; web workers only read, through a searcher kept per index
directory and refreshed when the index changed.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import heapq
import json
import logging
import math
import operator
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.lang import stemmer_for_language, stopwords_for_language
from sqlalchemy import Integer, cast, delete, func, insert, select
from sqlalchemy.orm import contains_eager, selectinload
from whoosh.query import And, Or, Prefix, Term

from coordination.auth.models import Organisation
from coordination.directory import needs
from coordination.directory.models import Place, SearchIndexQueue
from coordination.extensions import db
from coordination.vocabularies import PLACE_VOCABULARIES, TYPOLOGIES

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: singular/masculine before stemming, whole short words and acronyms (issue 14)
POINTER = "CURRENT"
REBUILD_LOCK = "REBUILD.lock"
REBUILD_TIMEOUT = 30.0  # seconds a rebuild waits for another rebuild, then for the live index's writer
CELL_DEGREES = 0.1
EARTH_RADIUS_KM = 6371.0088
WRITER_TIMEOUT = 5.0
MIN_PREFIX = 4  # shorter prefixes would expand to too many terms (and « caf » is not « café »)
MAX_TERMS = 12  # words of the user's text taken into account

FACETS = tuple(PLACE_VOCABULARIES)  # the order of the masks kept in memory


class IndexUnavailable(Exception):
    """The index is missing or unreadable: it is being rebuilt (the scheduler job does it)."""


class IndexIncomplete(Exception):
    """A rebuild wrote fewer documents than it was given (an indexing process failed): nothing was
    swapped in, the live index is unchanged."""


class IndexBusy(Exception):
    """Nothing was rebuilt: another rebuild is running, or the live index stayed locked by its
    writer past the timeout."""


# --- French analysis -----------------------------------------------------------------------

# Whoosh's French list, plus a few frequent words it lacks ("les" among them).
STOP_WORDS = frozenset(stopwords_for_language("fr")) | {
    "a", "les", "ils", "elles", "cet", "cette", "leurs", "ni", "chez", "dont", "où", "y", "d", "l",
}
_stem_fr = functools.lru_cache(maxsize=100_000)(stemmer_for_language("fr"))


def fold(text: str) -> str:
    """Lowercase text without accents: œ→oe, æ→ae, é→e, ç→c…"""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_fold_word = functools.lru_cache(maxsize=100_000)(fold)  # a directory repeats the same words


class FoldFilter(Filter):
    """Accent folding after the stop words (the French stop list is spelled with accents)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = _fold_word(token.text)
            yield token


# Singular and masculine before stemming (issue 14): the Snowball stemmer alone conflates neither
# « conseiller »/« conseillers » nor « lieu »/« lieux ». Rules on the lowercase word, accents kept
# (« privé » is not the feminine of « prif »), with unaccented spellings too; tried in order after a
# final plural « s » is dropped; the first that applies wins. Accents are folded after, then the
# word is stemmed: folding first keeps « impots » = « impôts », « activite » = « activité ».
_GENDER_NUMBER = (
    ("eaux", "eau", 1), ("aux", "al", 2), ("eux", "eu", 2), ("euse", "eu", 2), ("trice", "teur", 2),
    ("ière", "ier", 1), ("iere", "ier", 1), ("ère", "er", 3), ("ere", "er", 3), ("ive", "if", 2),
    ("elle", "el", 2), ("enne", "en", 2), ("onne", "on", 2), ("ée", "é", 1), ("ee", "e", 2),
    ("aise", "ai", 2), ("oise", "oi", 2), ("oux", "ou", 2),
)
_IRREGULAR = {"travaux": "travail", "yeux": "oeil", "vitraux": "vitrail", "baux": "bail"}


def singular(word: str) -> str:
    """A lowercase word as masculine singular: conseillères → conseiller, lieux → lieu, sociaux →
    social, actives → actif, heureuse → heureu (as heureux), françaises → françai (as français). Words of 3
    letters or less are left alone."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix, replacement, keep in _GENDER_NUMBER:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[:-len(suffix)] + replacement
    return word


EXACT = "="  # marks a whole word in the stemmed fields: never produced by the tokenizer
ACRONYMS = needs.default_acronyms()


def is_exact(folded: str) -> bool:
    """Words of 3 letters or less and the vocabulary's acronyms match whole: « caf » never matches
    « café » (whose stem is « caf »)."""
    return len(folded) <= 3 or folded in ACRONYMS


@functools.lru_cache(maxsize=200_000)
def term_of(word: str) -> str:
    """The index term of a lowercase word: EXACT + the folded word for a short word or an acronym,
    else the stem of its folded masculine singular."""
    folded = fold(word)
    if is_exact(folded):
        return EXACT + folded
    return _stem_fr(fold(singular(word)))


class FrenchStemFilter(Filter):
    """Folded words to index terms (``term_of``; cached, thread-safe)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = term_of(token.text)
            yield token


TOKEN_PATTERN = r"[^\W_]+"  # letters and digits


def folded_analyzer():
    return (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1) | FoldFilter())


def french_analyzer():
    return (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1) | FrenchStemFilter())


_FOLDED = folded_analyzer()


def words_of(text: str) -> list[str]:
    """The folded, unstemmed words of a text, stop words removed."""
    return [token.text for token in _FOLDED(text or "")]


def stem(word: str) -> str:
    return term_of(word)


# --- the search log's words --------------------------------------------------------------------

LOG_WORDS_MAX = 200  # characters, the column's size
LOG_MAX_DIGITS = 5  # a postcode or a street number; more digits may be a phone, an account, a file number
# An address (a@b.c, also without its domain's dot), and a phone number written with separators
# (06 12 34 56 78, +33 (0)6.12.34.56.78, 02-40-…): eight digits or more, in groups.
_EMAIL = re.compile(r"[^\s@]*@[^\s@]*")
_PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]{6,}\d")


def _looks_like_a_phone(match: re.Match) -> bool:
    return sum(char.isdigit() for char in match.group()) >= 8


def log_words(text: str) -> str:
    """What the search log keeps of a typed text: the search analyser's words (folded, lower case,
    stop words removed), without anything that looks like an email address, a phone number or a
    number of more than LOG_MAX_DIGITS digits. Space-separated, LOG_WORDS_MAX characters at most
    (whole words)."""
    text = _EMAIL.sub(" ", str(text or "")[:2000])
    text = _PHONE.sub(lambda match: " " if _looks_like_a_phone(match) else match.group(), text)
    kept, length = [], 0
    for word in words_of(text):
        if sum(char.isdigit() for char in word) > LOG_MAX_DIGITS:
            continue
        length += len(word) + (1 if kept else 0)
        if length > LOG_WORDS_MAX:
            break
        kept.append(word)
    return " ".join(kept)


# --- schema and documents ------------------------------------------------------------------

def _schema() -> Schema:
    french = french_analyzer()
    fields = dict(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=french, phrase=False, field_boost=4.0),
        place=TEXT(analyzer=french, phrase=False, field_boost=2.0),
        body=TEXT(analyzer=french, phrase=False),
        words=TEXT(analyzer=folded_analyzer(), phrase=False, field_boost=0.5),
        lat=STORED, lon=STORED, masks=STORED,
    )
    for key in FACETS:
        fields[f"f_{key}"] = KEYWORD(lowercase=False, scorable=False)
    return Schema(**fields)


SCHEMA = _schema()
TEXT_FIELDS = ("name", "place", "body")
_VALUE_INDEX = {key: {value: i for i, value in enumerate(values)}
                for key, (values, _label, _column) in PLACE_VOCABULARIES.items()}
VOCABULARY_VALUES = {key: tuple(values) for key, (values, _label, _column) in PLACE_VOCABULARIES.items()}


def index_prefix(vocabularies) -> str:
    """``ix-v<schema>-<hash>-``: the hash covers the vocabularies, their values and their order (the
    facet masks and KEYWORD positions of a document depend on them), so that an index built with
    other vocabularies counts as missing and is rebuilt, never read with the wrong masks."""
    described = json.dumps([[key, list(values)] for key, (values, _label, _column) in vocabularies.items()],
                           ensure_ascii=False)
    exact = " ".join(sorted(ACRONYMS))  # the analysis keeps them whole: other acronyms, other index
    digest = hashlib.sha256(f"{SCHEMA_VERSION}\n{described}\n{exact}".encode()).hexdigest()[:10]
    return f"ix-v{SCHEMA_VERSION}-{digest}-"


DIR_PREFIX = index_prefix(PLACE_VOCABULARIES)


def facet_mask(key: str, values: Iterable[str]) -> int:
    index = _VALUE_INDEX[key]
    mask = 0
    for value in values or ():
        if value in index:
            mask |= 1 << index[value]
    return mask


def document(place) -> dict:
    """The index document of a place (its organisation loaded)."""
    vocabularies = {key: list(getattr(place, key) or ()) for key in FACETS}
    labels = [TYPOLOGIES.get(code, code) for code in vocabularies["typology"]]
    body = [place.summary, place.description, place.parent_structure, place.organisation.name,
            *(place.other_labels or ()), *labels]
    body.extend(value for key in FACETS if key != "typology" for value in vocabularies[key])
    body_text = "\n".join(part for part in body if part)
    place_text = " ".join(part for part in (place.commune, place.postcode, place.address,
                                            place.address_complement) if part)
    doc = dict(
        id=str(place.id), name=place.name, place=place_text, body=body_text,
        words="\n".join((place.name, place_text, body_text)),
        lat=place.latitude, lon=place.longitude,
        masks=tuple(facet_mask(key, vocabularies[key]) for key in FACETS),
    )
    for key in FACETS:
        positions = sorted(_VALUE_INDEX[key][v] for v in vocabularies[key] if v in _VALUE_INDEX[key])
        if positions:
            doc[f"f_{key}"] = " ".join(str(p) for p in positions)
    return doc


# --- the index on disk ---------------------------------------------------------------------

def _root() -> str:
    return current_app.config["SEARCH_INDEX_DIR"]


def _read_pointer(root: str) -> str | None:
    """The live index directory, or None when missing, from another schema or unreadable."""
    try:
        with open(os.path.join(root, POINTER), encoding="utf-8") as file:
            name = file.read().strip()
    except OSError:
        return None
    if not name.startswith(DIR_PREFIX) or "/" in name or not os.path.isdir(os.path.join(root, name)):
        return None
    return name


def index_exists() -> bool:
    root = _root()
    name = _read_pointer(root)
    if name is None:
        return False
    try:
        return whoosh_index.exists_in(os.path.join(root, name))
    except Exception:  # a damaged table of contents: the index has to be rebuilt
        log.warning("search index %s unreadable", name, exc_info=True)
        return False


def _write_pointer(root: str, name: str) -> None:
    temporary = os.path.join(root, f"{POINTER}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(name)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, os.path.join(root, POINTER))


@dataclass(frozen=True)
class RebuildLock:
    """Held by a rebuild: the root's rebuild lock and the write lock of ``live`` (None when there
    was no readable live index)."""
    root: str
    live: str | None


def _writelock(path: str):
    """The write lock of the index in ``path`` (the one ``ix.writer()`` takes), without opening the
    index: it can be taken on an index whose table of contents is damaged."""
    return FileStorage(path).lock(f"{whoosh_index._DEF_INDEX_NAME}_WRITELOCK")


def _flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def rebuild_lock(timeout: float | None = None):
    """Everything a rebuild must hold, taken BEFORE it reads the database:

    - ``REBUILD.lock`` in the index root (fcntl): one rebuild at a time, across processes, so that
      no rebuild removes a directory another one is writing;
    - the live index's write lock, so that the queue job cannot write an edit to the old index after
      the rebuild's SELECT (the rebuild would swap in the version it read; the edit waits in the
      queue and is applied to the new index).

    Raises IndexBusy when either cannot be had within ``timeout`` seconds: rebuilding anyway could
    undo an edit."""
    timeout = REBUILD_TIMEOUT if timeout is None else timeout
    root = _root()
    os.makedirs(root, exist_ok=True)
    fd = os.open(os.path.join(root, REBUILD_LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _wait_for(lambda: _flock(fd), timeout):
            raise IndexBusy("another rebuild of the search index is running")
        live = _read_pointer(root)
        writelock = None
        if live is not None:
            writelock = _writelock(os.path.join(root, live))
            if not _acquire(writelock, timeout):
                raise IndexBusy(f"the search index {live} stayed locked by its writer")
        try:
            yield RebuildLock(root, live)
        finally:
            if writelock is not None:
                writelock.release()
    finally:
        os.close(fd)  # releases the rebuild lock


def default_processes() -> int:
    """The indexing processes of a full rebuild from the command line: one per usable core, 4 at most."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


LIMIT_MB = 128  # per writing process; 400 saves 8 % of a 100,000-place rebuild for 2.2 times the memory


def _writer(ix, processes: int):
    # compound=False: one file per part of a segment. Whoosh reads a compound segment through a
    # BytesIO that copies the whole file into each web worker's heap (47 MB at 100,000 places);
    # plain files are read through the operating system's cache, shared by the workers.
    if processes <= 1:
        return ix.writer(limitmb=LIMIT_MB, compound=False)
    # Analysis is most of the cost and runs in the sub-processes; each writes its own segment, kept
    # as it is (multisegment): merging them would be single-threaded and cost what was saved.
    return ix.writer(procs=processes, limitmb=LIMIT_MB, multisegment=True, compound=False)


def _stop(writer) -> None:
    """Cancels a writer. A parallel writer's processes are stopped too: Whoosh only flags them, and
    they would wait for documents forever, holding the rebuild's inherited locks."""
    for task in getattr(writer, "tasks", ()):
        task.terminate()
        task.join()
    writer.cancel()


def _document_count(path: str) -> int:
    ix = whoosh_index.open_dir(path)
    try:
        return ix.doc_count_all()
    finally:
        ix.close()


def rebuild(places: Iterable, *, lock: RebuildLock, progress: Callable[[int], None] | None = None,
            processes: int = 1) -> int:
    """Writes a fresh index of ``places`` in a new directory, then swaps it in atomically.

    ``lock`` comes from ``rebuild_lock()``, taken before ``places`` was read (see ``reindex``).
    ``processes`` > 1 analyses the documents in that many forked processes: only from a
    single-threaded caller (the command line), never from the scheduler's threads."""
    root = lock.root
    name = f"{DIR_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path = os.path.join(root, name)
    try:
        os.makedirs(path)
        ix = whoosh_index.create_in(path, SCHEMA)
        writer = _writer(ix, processes)
        count = 0
        try:
            for place in places:
                writer.add_document(**document(place))
                count += 1
                if progress is not None:
                    progress(1)
        except BaseException:
            _stop(writer)
            raise
        writer.commit(optimize=processes <= 1)
        ix.close()
        # A parallel writer whose process died (killed for memory, a document it could not analyse)
        # still commits, without that process's documents: never swap in an incomplete index.
        written = _document_count(path)
        if written != count:
            raise IndexIncomplete(f"{written} documents written out of {count}: an indexing process failed")
        _write_pointer(root, name)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    _remove_old_indexes(root, built=name)
    log.info("search index rebuilt: %s documents in %s", count, name)
    return count


def _remove_old_indexes(root: str, *, built: str) -> None:
    """Removes the index directories but the one ``CURRENT`` names (read again here, whatever its
    prefix) and the one just built. Called with the rebuild lock held: no other is being built."""
    try:
        with open(os.path.join(root, POINTER), encoding="utf-8") as file:
            current = file.read().strip()
    except OSError:
        current = None
    for entry in os.listdir(root):
        if entry.startswith("ix-") and entry not in (current, built) and os.path.isdir(os.path.join(root, entry)):
            shutil.rmtree(os.path.join(root, entry), ignore_errors=True)


def _wait_for(attempt: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if attempt():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _acquire(lock, timeout: float) -> bool:
    return _wait_for(lambda: lock.acquire(blocking=False), timeout)


def apply_changes(places: Iterable, removed_ids: Iterable[int], *, timeout: float | None = None) -> bool:
    """Writes the documents of ``places`` and removes ``removed_ids``, in one commit.
    False when the index is missing, locked by another writer past ``timeout``, or swapped meanwhile
    (the caller keeps its queue and tries again)."""
    root = _root()
    name = _read_pointer(root)
    if name is None:
        return False
    try:
        ix = whoosh_index.open_dir(os.path.join(root, name))
        writer = ix.writer(timeout=WRITER_TIMEOUT if timeout is None else timeout, compound=False)
    except LockError:
        return False
    except Exception:
        if _read_pointer(root) != name:  # swapped and removed by a rebuild meanwhile
            return False
        raise
    try:
        if _read_pointer(root) != name:  # a rebuild swapped the index while we waited
            writer.cancel()
            return False
        for place in places:
            writer.update_document(**document(place))
        for place_id in removed_ids:
            writer.delete_by_term("id", str(place_id))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return True


# --- the searcher and what is kept in memory -----------------------------------------------

@dataclass
class _Segment:
    """What a search needs of one segment without reading the index: per local docnum the place
    id, coordinates and facet masks, and the grid of cells."""
    place_ids: list[int]
    lats: array
    lons: array
    xyz: array  # per docnum, the point on the unit sphere (x, y, z): distances without trigonometry
    masks: list[tuple[int, ...]]
    grid: dict[tuple[int, int], list[int]]


_NO_MASKS = (0,) * len(FACETS)


def _unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES))


def _load_segment(reader) -> _Segment:
    total = reader.doc_count_all()
    place_ids, masks = [0] * total, [()] * total
    lats, lons = array("d", [math.nan]) * total, array("d", [math.nan]) * total
    xyz = array("d", [math.nan]) * (3 * total)
    grid: dict[tuple[int, int], list[int]] = {}
    for docnum in range(total):
        if reader.is_deleted(docnum):
            continue
        stored = reader.stored_fields(docnum)
        place_ids[docnum] = int(stored["id"])
        # one mask per facet, always (an empty vocabulary is 0): counts read them by position
        masks[docnum] = (tuple(stored.get("masks") or ()) + _NO_MASKS)[:len(FACETS)]
        lat, lon = stored.get("lat"), stored.get("lon")
        if lat is not None and lon is not None:
            lats[docnum], lons[docnum] = lat, lon
            xyz[3 * docnum:3 * docnum + 3] = array("d", _unit_vector(lat, lon))
            grid.setdefault(_cell(lat, lon), []).append(docnum)
    return _Segment(place_ids, lats, lons, xyz, masks, grid)


class _Live:
    """The searcher of one index root, shared by the threads of a process."""

    def __init__(self, root: str):
        self.root = root
        self.lock = threading.RLock()
        self.name: str | None = None
        self.ix = None
        self.searcher = None
        self.segments: dict[str, _Segment] = {}
        self.leaves: list = []  # (subsearcher, offset, segment reader, _Segment)

    def _close(self):
        if self.searcher is not None:
            try:
                self.searcher.close()
            except Exception:  # closing a broken searcher must not prevent the reopen
                log.debug("closing the old searcher failed", exc_info=True)
        self.searcher = self.ix = self.name = None
        self.segments, self.leaves = {}, []

    def _index_leaves(self):
        leaves, keep = [], {}
        for subsearcher, offset in self.searcher.leaf_searchers():
            reader = subsearcher.reader()
            key = reader.segment().segment_id() if hasattr(reader, "segment") and reader.segment() else None
            # Documents deleted since a segment was loaded stay in its arrays and grid: readers
            # skip them (is_deleted), so a refresh only loads the segments it has not seen.
            segment = self.segments.get(key) if key else None
            if segment is None:
                segment = _load_segment(reader)
            if key:
                keep[key] = segment
            leaves.append((subsearcher, offset, reader, segment))
        self.segments, self.leaves = keep, leaves

    def _open(self, name: str):
        self._close()  # another directory: nothing to reuse
        self.ix = whoosh_index.open_dir(os.path.join(self.root, name))
        self.searcher = self.ix.searcher()
        self.name = name
        self._index_leaves()

    def current(self):
        """Opens or refreshes the searcher; raises IndexUnavailable."""
        name = _read_pointer(self.root)
        if name is None:
            self._close()
            raise IndexUnavailable()
        try:
            if name != self.name or self.searcher is None:
                self._open(name)
            elif not self.searcher.up_to_date():
                # Not Searcher.refresh(): with reuse, Whoosh-Reloaded 2.7.5 keeps the readers of
                # segments merged away (every document twice). A new searcher reads the new table of
                # contents; the coordinates of segments already seen stay cached by segment id.
                old, self.searcher = self.searcher, self.ix.searcher()
                self._index_leaves()
                old.close()
        except Exception as error:
            log.warning("search index unreadable: %s", error)
            self._close()
            raise IndexUnavailable() from error
        return self


_LIVE: dict[str, _Live] = {}
_LIVE_LOCK = threading.Lock()


def _live() -> _Live:
    root = _root()
    with _LIVE_LOCK:
        live = _LIVE.get(root)
        if live is None:
            live = _LIVE[root] = _Live(root)
    return live


def close_searchers() -> None:
    """Forgets the open searchers (tests, after removing an index directory)."""
    with _LIVE_LOCK:
        for live in _LIVE.values():
            with live.lock:
                live._close()
        _LIVE.clear()


# --- queries -------------------------------------------------------------------------------

_LOWERED = (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1))


def lowered_words(text: str) -> list[str]:
    """The lowercase words of a text (accents kept), stop words removed."""
    return [token.text for token in _LOWERED(text or "")]


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


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _cells_around(lat: float, lon: float, radius_km: float) -> list[tuple[int, int]]:
    dlat = radius_km / 111.19
    dlon = radius_km / (111.19 * max(math.cos(math.radians(lat)), 0.01))
    (i0, j0), (i1, j1) = _cell(lat - dlat, lon - dlon), _cell(lat + dlat, lon + dlon)
    return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]


def _nearby(segment: _Segment, reader, lat: float, lon: float, radius_km: float) -> list[tuple[int, float]]:
    """(local docnum, distance) of the segment's documents within the radius, by docnum.
    Compares chords on the unit sphere (three products, no trigonometry per place); the distance
    along the sphere, 2R·asin(chord/2), is the haversine distance, computed only for the places kept."""
    found = []
    xyz = segment.xyz
    px, py, pz = _unit_vector(lat, lon)
    half_angle = min(radius_km / (2 * EARTH_RADIUS_KM), math.pi / 2)
    max_chord2 = (2 * math.sin(half_angle)) ** 2
    for cell in _cells_around(lat, lon, radius_km):
        for docnum in segment.grid.get(cell, ()):
            at = 3 * docnum
            dx, dy, dz = xyz[at] - px, xyz[at + 1] - py, xyz[at + 2] - pz
            chord2 = dx * dx + dy * dy + dz * dz
            if chord2 <= max_chord2:
                found.append((docnum, 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(chord2) / 2))))
    found.sort()
    if reader.has_deletions():
        found = [(d, km) for d, km in found if not reader.is_deleted(d)]
    return found


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
        facets={key: list(zip(VOCABULARY_VALUES[key], counts[i], strict=True)) for i, key in enumerate(FACETS)},
        map_points=_map_points(matched, point, map_limit),
    )


def _facet_counts(full: list[tuple], partial: list[tuple[tuple, int]]) -> list[list[int]]:
    """Per facet, per value, the places offering it: ``full`` holds the masks of the places meeting
    every selection (counted in every facet), ``partial`` (masks, facet) those failing one
    selection, counted in that facet only. Thousands of places share a few hundred distinct masks
    per facet: they are tallied first (in C), and only the distinct masks are split into bits."""
    counts = []
    for i, key in enumerate(FACETS):
        tally = Counter(map(operator.itemgetter(i), full))
        tally.update(masks[i] for masks, facet in partial if facet == i)
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


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions (« démarhces » is 1 from « démarches »),
    ``limit + 1`` as soon as it is beyond ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _max_distance(word: str) -> int:
    """Short words get fewer corrections: none under 4 letters, 1 edit up to 7, 2 beyond."""
    return 0 if len(word) < 4 else 1 if len(word) <= 7 else 2


def _known(reader, lowered: str) -> bool:
    folded = fold(lowered)
    if reader.doc_frequency("words", folded) > 0:
        return True
    term = term_of(lowered)
    return any(reader.doc_frequency(name, term) > 0 for name in TEXT_FIELDS)


def _need_words_with_places(reader) -> set[str]:
    """The folded words of the needs whose services, programmes or typologies some place offers."""
    words = set()
    for need in needs.active():
        if any(reader.doc_frequency(term.fieldname, term.text) > 0 for term in _category_terms(need)):
            words.update(fold(word) for word in lowered_words(need.term))
    return words


def suggest(text: str) -> str | None:
    """The text with its unknown words replaced by the closest indexed word or need word (one that
    would find places), or None. A word that is a need, or part of one, is never corrected."""
    raw_words = re.findall(TOKEN_PATTERN, text or "")
    if not raw_words:
        return None
    parsed = TextQuery.parse(text)
    in_needs = {fold(word) for clause in parsed.needs for word in clause.words}
    live = _live()
    changed = False
    corrected = []
    with live.lock:
        live.current()
        reader = live.searcher.reader()
        corrector = live.searcher.corrector("words")
        need_words = None
        for raw in raw_words[:MAX_TERMS]:
            lowered = raw.lower()
            word = fold(lowered)
            limit = _max_distance(word)
            if lowered in STOP_WORDS or word.isdigit() or not limit or word in in_needs or _known(reader, lowered):
                corrected.append(raw)
                continue
            if need_words is None:
                need_words = _need_words_with_places(reader)
            options = [(edit_distance(word, other, limit), 0, other) for other in need_words]
            options += [(edit_distance(word, other, limit), 1, other)
                        for other in corrector.suggest(word, limit=3, maxdist=limit, prefix=1)]
            options = sorted(option for option in options if option[0] <= limit)
            if options:
                corrected.append(options[0][2])
                changed = True
            else:
                corrected.append(raw)
    return " ".join(corrected) if changed else None


# --- the queue and the single writer ------------------------------------------------------
# Web requests (and jobs) put the ids of changed places in the queue table after their commit;
# the scheduler applies the queue every SEARCH_QUEUE_INTERVAL seconds: the only index writer.

QUEUE_BATCH = 1000


def queue_place_ids(place_ids: Iterable[int]) -> None:
    """Asks for these places' documents to be rewritten. Call it after the commit of the change,
    in its own small transaction; a failure here is logged, never raised (the change is saved,
    and the next full reindex catches up)."""
    ids = sorted({int(i) for i in place_ids if i is not None})
    if not ids:
        return
    try:
        # Multi-row INSERTs of a few thousand: an import queues tens of thousands of places at once.
        for start in range(0, len(ids), 5000):
            db.session.execute(insert(SearchIndexQueue), [{"place_id": i} for i in ids[start:start + 5000]])
        db.session.commit()
    except Exception:
        log.exception("search queue: could not queue places %s", ids[:20])
        db.session.rollback()


def _public_places():
    return (select(Place).join(Place.organisation)
            .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active")
            .options(contains_eager(Place.organisation)))


def public_place_count() -> int:
    return db.session.scalar(select(func.count(Place.id)).join(Place.organisation).where(
        Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active"))


def reindex(*, progress: Callable[[int], None] | None = None, processes: int = 1) -> int:
    """Rebuilds the whole index from the database and swaps it in; returns the documents written.
    ``progress`` is called with 1 after each place (a click progress bar's ``update``);
    ``processes``: see ``rebuild``. Raises
    IndexBusy, having rebuilt nothing, when another rebuild runs or the live index stays locked."""
    # Documents in geographic order (bands of 0.1° of latitude, then longitude): the places near a
    # point get neighbouring document numbers, so the text matcher skips whole posting blocks
    # between the few runs of candidates instead of decoding them all.
    band = cast(Place.latitude * (1 / CELL_DEGREES), Integer)
    with rebuild_lock() as lock:
        # Read under the live index's write lock: no queued edit can be written to the old index
        # between this SELECT and the swap (it would be lost with the old index).
        places = db.session.scalars(_public_places().order_by(Place.latitude.is_(None), band, Place.longitude,
                                                              Place.id).execution_options(yield_per=1000))
        try:
            return rebuild(places, lock=lock, progress=progress, processes=processes)
        finally:
            places.close()  # a rebuild failing mid-way must not leave a server-side cursor open
            db.session.rollback()  # end the read transaction; nothing was written


def _rebuild_for_the_queue(reason: str) -> bool:
    log.warning("search index %s: rebuilding it", reason)
    try:
        reindex()
    except IndexBusy as error:
        log.warning("search index not rebuilt (%s): the next run tries again", error)
        return False
    return True


def apply_queue(limit: int = QUEUE_BATCH) -> int:
    """Scheduler job: applies the queued changes to the index (building the index first when it is
    missing or unreadable, or when writing to it fails). Returns the number of places applied."""
    if not index_exists() and not _rebuild_for_the_queue("missing or unreadable"):
        return 0
    rows = db.session.execute(select(SearchIndexQueue.id, SearchIndexQueue.place_id)
                              .order_by(SearchIndexQueue.id).limit(limit)).all()
    if not rows:
        return 0
    ids = {place_id for _row_id, place_id in rows}
    places = db.session.scalars(select(Place).where(Place.id.in_(ids))
                                .options(selectinload(Place.organisation))).all()
    public = [place for place in places if place.is_public]
    removed = ids - {place.id for place in public}
    try:
        applied = apply_changes(public, removed)
    except Exception:  # a damaged segment (the table of contents reads fine): rebuild, or fail every run
        log.exception("search index: applying the queue failed")
        db.session.rollback()
        _rebuild_for_the_queue("damaged")
        return 0  # the queue is applied to the new index at the next run
    if not applied:
        db.session.rollback()
        log.info("search index busy or swapped: %s queued places wait for the next run", len(ids))
        return 0
    db.session.execute(delete(SearchIndexQueue).where(SearchIndexQueue.id.in_([row_id for row_id, _ in rows])))
    db.session.commit()
    return len(ids)
