"""Open-data pages and files: /open-data, the exported files, /catalog.jsonld."""
from flask import Blueprint, jsonify, render_template, send_file

from coordination.directory.serializers import REQUIRED_FIELDS
from coordination.errors import NotFound, error_response
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


@bp.get("/open-data")
def index():
    manifest = ensure_published()
    return render_template("export/open_data.html", manifest=manifest, fields=catalog.FIELD_MEANINGS,
                           required=REQUIRED_FIELDS, updated=manifest and catalog.modified(manifest),
                           human_size=catalog.human_size, licence_url=catalog.LICENCE_URL)


@bp.get("/open-data/<path:filename>")
def download(filename):
    manifest = ensure_published()
    if manifest is None:
        return _not_ready()
    entry = catalog.file_entry(manifest, filename)
    if entry is None:
        raise NotFound("Ce fichier de données ouvertes n'existe pas.")
    # from the generation the manifest names: the file and its validators always go together
    response = send_file(catalog.files_dir(manifest) / entry["name"], conditional=True, etag=entry["sha256"],
                         last_modified=catalog.modified(entry), max_age=3600,
                         mimetype=entry["media_type"])  # text/csv gets "; charset=utf-8"
    return _open(response)


@bp.get("/catalog.jsonld", endpoint="catalog")
def catalog_jsonld():
    response = jsonify(catalog.dcat_catalog(ensure_published()))
    response.mimetype = "application/ld+json"
    return _open(response)
