"""The coordination home (/coordination) and the coordinators' dashboard: /coordination/tableau-de-bord (page) and one CSV per table."""

from flask import Blueprint, Response, render_template, request
from flask_login import login_required

from coordination.dashboard import home, services
from coordination.core.clock import parse_day
from coordination.errors import Invalid
from coordination.web.actor import current_actor

bp = Blueprint("dashboard", __name__, template_folder="templates")


def _filters() -> dict:
    value = request.args.get("depuis", "").strip()
    try:
        since = parse_day(value, name="« depuis »") if value else None
    except ValueError as error:
        raise Invalid(str(error)) from None
    return {"since": since, "service": request.args.get("service", "").strip() or None}


@bp.get("/coordination")
@login_required
def home_page():
    return render_template("dashboard/home.html", home=home.coordination_home(actor=current_actor()))


@bp.get("/coordination/tableau-de-bord")
@login_required
def page():
    board = services.build_dashboard(actor=current_actor(), **_filters())
    return render_template("dashboard/index.html", board=board)


@bp.get("/coordination/tableau-de-bord/<key>.csv")
@login_required
def csv_download(key: str):
    name, text = services.dashboard_csv(key, actor=current_actor(), **_filters())
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
