"""Spelling suggestions: the typed text with its unknown words replaced by the closest indexed word
or need word."""
from __future__ import annotations

import re

from coordination.directory.search import needs
from coordination.directory.search.analysis import STOP_WORDS, TOKEN_PATTERN, fold, lowered_words, term_of
from coordination.directory.search.documents import TEXT_FIELDS
from coordination.directory.search.grid import _live
from coordination.directory.search.query import MAX_TERMS, TextQuery, _category_terms

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
