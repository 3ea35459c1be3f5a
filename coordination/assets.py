"""Serves front-end libraries installed from the npm registry (node_modules, never committed)."""
from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("assets", __name__)

# package -> the folder of it that browsers may fetch
PUBLIC_PACKAGE_DIRS = {
    "leaflet": "dist",
    "leaflet.markercluster": "dist",
}


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package, filename):
    if package not in PUBLIC_PACKAGE_DIRS:
        abort(404)
    folder = Path(current_app.config["NODE_MODULES_DIR"]) / package / PUBLIC_PACKAGE_DIRS[package]
    return send_from_directory(folder, filename, max_age=7 * 24 * 3600)
