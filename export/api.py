"""The read-only API /api/v1: places in the national standard, filters, pagination, change feed.

Every answer is JSON in French for errors, carries CORS headers for GET, an ETag (304 on
If-None-Match) and a short public cache lifetime. Parameters are checked in parameters; the
document describing all of it is openapi.py.
"""
import hashlib
import json
import math
import re

from flask import Blueprint, current_app, render_template, request
from limits import parse_many

from coordination.core.french import typography
from coordination.directory import services
from coordination.directory.serializers import standard_record
from coordination.errors import Invalid
from coordination.utils import external_url
from coordination.extensions import limiter
from export import openapi, parameters

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")

# The text index lives behind directory services; its "missing index" error is reached through them.
IndexUnavailable = services.IndexUnavailable
RETRY_SECONDS = "30"
EXPOSED_HEADERS = "ETag, Link, X-Total-Count, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
DEFAULT_ALLOWED_HEADERS = "Accept, Accept-Language, Cache-Control, If-None-Match, If-Modified-Since"
HEADER_LIST = re.compile(r"[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*")


def _api_limit():
    return current_app.config["RATELIMIT_API"]


limited = limiter.shared_limit(_api_limit, scope="api", methods=["GET", "HEAD"])


# --- views ---------------------------------------------------------------------------------

@bp.get("/lieux")
@limited
def places():
    query = parameters.list_query(request.args)
    try:
        found = services.find_public_places(query.filters, page=query.page, per_page=query.per_page)
    except IndexUnavailable:
        return _error(503, "La recherche par mots (q) est momentanément indisponible : l'index est en cours de "
                           "reconstruction. Réessayez dans un moment, ou retirez le paramètre q.",
                      headers={"Retry-After": RETRY_SECONDS})
    last = max(1, math.ceil(found.total / query.per_page))
    return _json(_page_body(found, query, last),
                 headers={"X-Total-Count": str(found.total), "Link": _page_links(query.page, last)})


@bp.get("/lieux/<public_id>")
@limited
def place(public_id):
    found = services.get_published_place(parameters.place_id(public_id))
    return _json(standard_record(found, source=current_app.config["NETWORK_NAME"],
                                 network_labels=services.active_label_names()))


@bp.get("/lieux/changements")
@limited
def changes():
    query = parameters.feed_query(request.args)
    found = services.place_changes(query.since, after_id=query.after_id, limit=query.limit + 1)
    body = _feed_body(found, query)
    return _json(body, headers={"Link": f'<{body["suivant"]}>; rel="next"'})


@bp.get("/openapi.json")
@limited
def openapi_document():
    return _json(openapi.document(services.first_public_place_id()))


def _for_people(node, key=None):
    """The document's French texts as a reader sees them (typographic apostrophes, no break before
    « : »); openapi.json keeps them plain."""
    if isinstance(node, dict):
        return {name: _for_people(value, name) for name, value in node.items()}
    if isinstance(node, list):
        return [_for_people(value, key) for value in node]
    return typography(node) if isinstance(node, str) and key in ("title", "summary", "description") else node


@bp.get("/")
def docs():
    spec = _for_people(openapi.document(services.first_public_place_id()))
    return render_template("export/api_docs.html", spec=spec, operations=list(openapi.operations(spec)),
                           base_url=external_url("api.docs").rstrip("/"), curl=openapi.curl,
                           rate_limit=rate_limit_fr(_api_limit()))


# --- bodies --------------------------------------------------------------------------------

def _page_body(found, query, last: int) -> dict:
    source, network_labels = current_app.config["NETWORK_NAME"], services.active_label_names()
    records = []
    for place_found in found.places:
        record = standard_record(place_found, source=source, network_labels=network_labels)
        if place_found.id in found.distances_km:
            record["distance_km"] = found.distances_km[place_found.id]
        records.append(record)
    return {"total": found.total, "page": query.page, "par_page": query.per_page, "pages": last, "lieux": records}


def _page_links(page: int, last: int) -> str:
    """RFC 8288 links to the first, previous, next and last pages, keeping every filter."""
    pages = {"first": 1}
    if page > 1:
        pages["prev"] = min(page - 1, last)
    if page < last:
        pages["next"] = page + 1
    pages["last"] = last
    args = {name: request.args.getlist(name) for name in request.args if name != "page"}
    return ", ".join(f'<{external_url("api.places", **args, page=number)}>; rel="{rel}"'
                     for rel, number in pages.items())


def _moment(value) -> str:
    return value.isoformat(timespec="microseconds") + "Z"


def _change(change, source: str, network_labels: dict) -> dict:
    entry = {"id": change.place.public_id, "statut": change.status, "date_changement": _moment(change.changed_at)}
    if change.status == "publie":
        entry["lieu"] = standard_record(change.place, source=source, network_labels=network_labels)
    return entry


def _feed_body(found, query) -> dict:
    """One page of the feed and where the next one starts: after the last change returned, or where
    this one started when nothing changed (the reuser asks again later with the same cursor)."""
    page = found[:query.limit]
    last = (page[-1].changed_at, page[-1].place.id) if page else (query.since, query.after_id)
    cursor = parameters.encode_cursor(*last)
    source, network_labels = current_app.config["NETWORK_NAME"], services.active_label_names()
    return {"changements": [_change(change, source, network_labels) for change in page], "curseur_suivant": cursor,
            "suivant": external_url("api.changes", curseur=cursor, limite=query.limit),
            "a_jour": len(found) <= query.limit}


def _json(body, status: int = 200, headers: dict | None = None):
    """JSON with the keys in the order given (a record follows the standard's column order)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(text, status=status, mimetype="application/json", headers=headers)


def _error(status: int, message: str, *, headers: dict | None = None, **details):
    return _json({"error": message, "status": status, **details}, status, headers)


# --- errors and HTTP headers of the whole /api/v1 ------------------------------------------

@bp.errorhandler(Invalid)
def invalid_parameters(error):
    # The API's documented shape: one text per parameter.
    return _error(400, error.message, parametres={name: " ".join(messages) for name, messages in error.errors.items()})


@bp.errorhandler(429)
def too_many_requests(error):
    return _error(429, f"Trop de requêtes (limite : {rate_limit_fr(_api_limit())}). Patientez avant de "
                       "réessayer : l'en-tête Retry-After donne le nombre de secondes à attendre.")


PERIODS_FR = {"second": "seconde", "minute": "minute", "hour": "heure", "day": "jour", "month": "mois", "year": "an"}


def rate_limit_fr(text: str) -> str:
    """ "120 per minute;1000 per 2 hours" -> "120 requêtes par minute et 1000 requêtes par 2 heures"."""
    parts = []
    for item in parse_many(text):
        period = PERIODS_FR.get(item.GRANULARITY.name, item.GRANULARITY.name)
        if item.multiples != 1:
            period = f"{item.multiples} {period}" + ("" if period.endswith("s") else "s")
        parts.append(f"{item.amount} requêtes par {period}")
    return " et ".join(parts)


@bp.after_app_request
def http_headers(response):
    """CORS on every /api/v1 answer (errors included, so a browser can read them), the preflight,
    and on each 200: an ETag of the body, 304 when it matches If-None-Match, a public cache of 60 s."""
    if request.path != bp.url_prefix and not request.path.startswith(bp.url_prefix + "/"):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS" and response.status_code == 200:
        return _preflight(response)
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.headers.setdefault("Cache-Control", "public, max-age=60")
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        response.make_conditional(request)
    return response


def _preflight(response):
    requested = request.headers.get("Access-Control-Request-Headers", "").strip()
    response.status_code = 204
    response.set_data(b"")
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = (
        requested if requested and HEADER_LIST.fullmatch(requested) and len(requested) < 500
        else DEFAULT_ALLOWED_HEADERS)
    response.headers["Access-Control-Max-Age"] = "86400"
    return response
