"""The directory's use cases, one module per concern; callers use this package's names.

- ``places``: reading places for their pages and editors, creating, editing, publishing,
  confirming and deleting a listing;
- ``writes``: the one write path of a place (version, ``changed_at``, coordinates and geocoding,
  the search index queue), shared by the web, the import and the demo seed;
- ``closures``: temporary closures and exceptional hours;
- ``search``: the residents' search (the index itself is ``directory/search/``), its anonymous log;
- ``open_data``: the published read model the files, the API and the change feed read;
- ``reactions``: places requeued when other domains change them or decide their organisation.
"""
from coordination.directory.services.closures import (
    CLOSURE_MAX_DAYS,
    CLOSURE_MESSAGE_MAX,
    CLOSURE_NOT_FOUND,
    add_closure,
    paris_today,
    place_closures,
    remove_closure,
)
from coordination.directory.services.open_data import (
    IndexUnavailable,
    PlaceChange,
    PlaceFilter,
    PlacePage,
    count_public_places,
    find_public_places,
    first_public_place_id,
    get_published_place,
    iter_public_places,
    place_changes,
)
from coordination.directory.services.places import (
    CONFLICT_MESSAGE,
    PLACE_NOT_FOUND,
    STATUS_MESSAGES,
    OrganisationListings,
    confirm_place_accurate,
    create_place,
    delete_place,
    get_organisation_for_new_place,
    get_place_for_edit,
    get_public_place,
    network_places,
    organisations_with_places,
    partner_dashboard,
    published_places,
    recently_updated_places,
    set_published,
    update_place,
)
from coordination.directory.services.reactions import (
    connect_signals,
    queue_places_for_search,
    requeue_organisation_places,
    requeue_organisations_places,
)
from coordination.directory.services.search import (
    NOTHING_OPEN_NOW,
    SEARCH_MAP_LIMIT,
    SEARCH_REBUILDING,
    MapPoint,
    SearchHit,
    SearchRequest,
    SearchResults,
    purge_search_log,
    search_places,
    understood_text,
)

__all__ = [
    "CLOSURE_MAX_DAYS", "CLOSURE_MESSAGE_MAX", "CLOSURE_NOT_FOUND", "CONFLICT_MESSAGE", "NOTHING_OPEN_NOW",
    "PLACE_NOT_FOUND", "SEARCH_MAP_LIMIT", "SEARCH_REBUILDING", "STATUS_MESSAGES", "IndexUnavailable",
    "MapPoint", "OrganisationListings", "PlaceChange", "PlaceFilter", "PlacePage", "SearchHit", "SearchRequest",
    "SearchResults", "add_closure", "confirm_place_accurate", "connect_signals", "count_public_places",
    "create_place", "delete_place", "find_public_places", "first_public_place_id", "get_organisation_for_new_place", "get_place_for_edit",
    "get_public_place", "get_published_place", "iter_public_places", "network_places",
    "organisations_with_places", "paris_today", "partner_dashboard", "place_changes", "place_closures",
    "published_places", "purge_search_log", "queue_places_for_search", "recently_updated_places",
    "remove_closure", "requeue_organisation_places", "requeue_organisations_places", "search_places",
    "set_published", "understood_text", "update_place",
]
