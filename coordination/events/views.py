"""Network meeting pages: the coordinator's series and meetings, the partners' answers and feeds."""
from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")
