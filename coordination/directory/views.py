from flask import Blueprint, render_template
from flask_login import login_required

from coordination.directory import services

bp = Blueprint("directory", __name__, template_folder="templates")


@bp.get("/")
def home():
    return render_template("directory/home.html", places=services.published_places())


@bp.get("/espace-partenaire")
@login_required
def partner_home():
    return render_template("directory/partner_home.html")
