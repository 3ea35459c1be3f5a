"""Open-data pages and files: /open-data, the exported files, /catalog.jsonld."""
from flask import Blueprint

bp = Blueprint("opendata", __name__, template_folder="templates")
