"""The search index: the only package that touches Whoosh (Whoosh-Reloaded 2.7.5).

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

The package's modules: ``needs`` (the needs vocabulary file), ``analysis`` (French analysis, the
search log's words), ``documents`` (schema and documents), ``storage`` (the index folder, locks,
rebuild, the writer's changes), ``grid`` (the searcher and what it keeps in memory), ``query`` (the
user's text as a query, the search), ``spelling`` (suggestions), ``queue`` (the reindex queue and the
full reindex from the database). The rest of the application uses this module only.
"""
from coordination.directory.search import needs
from coordination.directory.search.analysis import TOKEN_PATTERN, fold, log_words, term_of, words_of
from coordination.directory.search.documents import FACETS
from coordination.directory.search.grid import EARTH_RADIUS_KM, close_searchers, haversine_km
from coordination.directory.search.query import (
    MAX_TERMS, TextQuery, build_needs_index, clause_matches, matching_place_ids, search)
from coordination.directory.search.queue import apply_queue, public_place_count, queue_place_ids, reindex
from coordination.directory.search.spelling import suggest
from coordination.directory.search.storage import (
    IndexBusy, IndexIncomplete, IndexUnavailable, default_processes, index_exists)

__all__ = [
    "EARTH_RADIUS_KM", "FACETS", "MAX_TERMS", "TOKEN_PATTERN",
    "IndexBusy", "IndexIncomplete", "IndexUnavailable", "TextQuery",
    "apply_queue", "build_needs_index", "clause_matches", "close_searchers", "default_processes", "fold",
    "haversine_km", "index_exists", "log_words", "matching_place_ids", "needs", "public_place_count",
    "queue_place_ids", "reindex", "search", "suggest", "term_of", "words_of",
]
