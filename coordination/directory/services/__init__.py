"""The directory's use cases, one module per concern; callers use this package's names.

- ``places``: reading places for their pages and editors, creating, editing, publishing,
  confirming and deleting a listing;
- ``writes``: the one write path of a place (version, ``changed_at``, coordinates and geocoding,
  the search index queue), shared by the web, the import and the demo seed;
- ``closures``: temporary closures and exceptional hours;
- ``picker``: the place picker of other domains' forms (a few public places by name or commune);
- ``search``: the residents' search (the index itself is ``directory/search/``), its anonymous log;
- ``labels``: the network's own labels (coordinators define them, partners tick them);
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
from coordination.directory.services.labels import (
    LABEL_NOT_FOUND,
    LabelChoice,
    active_label_names,
    active_labels,
    all_labels,
    create_label,
    get_label_for_edit,
    label_usage,
    labels_for_place_form,
    public_labels_of,
    set_label_active,
    update_label,
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
from coordination.directory.services.picker import (
    PICKER_LIMIT,
    PICKER_MIN_LENGTH,
    PlaceChoice,
    find_places_to_pick,
    place_to_pick,
)
from coordination.directory.services.places import (
    CONFLICT_MESSAGE,
    PLACE_NOT_FOUND,
    STATUS_MESSAGES,
    OrganisationListings,
    change_places_publication,
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
    "CLOSURE_MAX_DAYS", "CLOSURE_MESSAGE_MAX", "CLOSURE_NOT_FOUND", "CONFLICT_MESSAGE", "LABEL_NOT_FOUND",
    "NOTHING_OPEN_NOW", "PICKER_LIMIT", "PICKER_MIN_LENGTH", "PLACE_NOT_FOUND", "SEARCH_MAP_LIMIT",
    "SEARCH_REBUILDING", "STATUS_MESSAGES", "IndexUnavailable", "LabelChoice", "MapPoint", "OrganisationListings",
    "PlaceChange", "PlaceChoice", "PlaceFilter", "PlacePage", "SearchHit", "SearchRequest", "SearchResults",
    "active_label_names", "active_labels", "add_closure", "all_labels", "change_places_publication",
    "confirm_place_accurate", "connect_signals", "count_public_places", "create_label", "create_place",
    "delete_place", "find_places_to_pick", "find_public_places", "first_public_place_id", "get_label_for_edit",
    "get_organisation_for_new_place", "get_place_for_edit", "get_public_place", "get_published_place",
    "iter_public_places", "label_usage", "labels_for_place_form", "network_places", "organisations_with_places",
    "paris_today", "partner_dashboard", "place_changes", "place_closures", "place_to_pick", "public_labels_of",
    "published_places", "purge_search_log", "queue_places_for_search", "recently_updated_places", "remove_closure",
    "requeue_organisation_places", "requeue_organisations_places", "search_places", "set_label_active",
    "set_published", "understood_text", "update_label", "update_place",
]
