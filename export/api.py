"""The read-only API /api/v1: places in the national standard, filters, pagination, change feed."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
