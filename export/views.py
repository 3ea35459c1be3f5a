"""Open-data pages and files: /open-data, the exported files, /catalog.jsonld."""
import hashlib
import json

from babel.units import format_unit
from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import format_date, format_time, get_locale, gettext as _

from coordination.core.clock import datetime_fr

from coordination.directory.serializers import REQUIRED_FIELDS
from coordination.errors import NotFound, error_response
from coordination.web.i18n import DEFAULT, current_language, translated
from export import catalog
from export.publish import ensure_published

bp = Blueprint("opendata", __name__, template_folder="templates")

NOT_READY = "Les fichiers de données ouvertes sont en cours de préparation. Réessayez dans quelques minutes."


def _open(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _not_ready():
    body, status = error_response(503, NOT_READY)
    return body, status, {"Retry-After": "600"}


def _updated_text(manifest) -> str:
    """« 3 mars 2026 à 2 h » on a French page, Babel's date and time of the page's language otherwise."""
    moment = catalog.modified(manifest)
    if current_language().code == DEFAULT:
        return datetime_fr(moment)
    return _("%(date)s à %(time)s", date=format_date(moment, "long", rebase=True),
             time=format_time(moment, "short", rebase=True))


def file_size(size: int) -> str:
    """A file's size in the page's language: « 12,4 ko » in French, « 12.4 kB » in English (1 ko = 1 000 octets)."""
    unit, value = "digital-byte", size
    for name, factor in (("digital-kilobyte", 1e3), ("digital-megabyte", 1e6), ("digital-gigabyte", 1e9)):
        if size >= factor:
            unit, value = name, round(size / factor, 1)
    length = "long" if unit == "digital-byte" else "short"  # « 850 octets », not « 850 o »
    return format_unit(value, unit, length=length, locale=get_locale(), format="#,##0.#")


@bp.get("/open-data")
@translated
def index():
    manifest = ensure_published()
    return render_template("export/open_data.html", manifest=manifest, fields=catalog.FIELD_MEANINGS,
                           required=REQUIRED_FIELDS, updated_text=manifest and _updated_text(manifest),
                           human_size=file_size, licence_url=catalog.LICENCE_URL)


@bp.get("/open-data/<path:filename>")
def download(filename):
    manifest = ensure_published()
    if manifest is None:
        return _not_ready()
    entry = catalog.file_entry(manifest, filename)
    if entry is None:
        raise NotFound("Ce fichier de données ouvertes n'existe pas.")
    # from the generation the manifest names: the file and its validators always go together; the CSV
    # is saved (Content-Disposition: attachment), not shown as text in the browser
    response = send_file(catalog.files_dir(manifest) / entry["name"], conditional=True, etag=entry["sha256"],
                         last_modified=catalog.modified(entry), max_age=3600, mimetype=entry["media_type"],
                         as_attachment=entry["media_type"] == "text/csv", download_name=entry["name"])
    # text/csv gets "; charset=utf-8"
    return _open(response)


@bp.get("/catalog.jsonld", endpoint="catalog")
def catalog_jsonld():
    """The catalogue, with the files' validators: an ETag of its text, the export's time as
    Last-Modified, an hour of public cache, 304 on If-None-Match or If-Modified-Since."""
    manifest = ensure_published()
    body = json.dumps(catalog.dcat_catalog(manifest), ensure_ascii=False, separators=(",", ":"))
    response = current_app.response_class(body, mimetype="application/ld+json")
    response.set_etag(hashlib.sha256(body.encode("utf-8")).hexdigest())
    if manifest:
        response.last_modified = catalog.modified(manifest)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return _open(response.make_conditional(request))
