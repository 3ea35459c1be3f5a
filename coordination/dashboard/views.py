"""The coordinators' dashboard: /coordination/tableau-de-bord (page) and one CSV per table."""
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from coordination.dashboard import services
from coordination.errors import Invalid

bp = Blueprint("dashboard", __name__, template_folder="templates")


def _filters() -> dict:
    value = request.args.get("depuis", "").strip()
    try:
        since = date.fromisoformat(value) if value else None
    except ValueError:
        raise Invalid("La date « depuis » doit être au format AAAA-MM-JJ.") from None
    if since is not None and not date(2000, 1, 1) <= since <= date(2100, 1, 1):
        raise Invalid("La date « depuis » doit être comprise entre 2000 et 2100.")
    return {"since": since, "service": request.args.get("service", "").strip() or None}


@bp.get("/coordination/tableau-de-bord")
@login_required
def page():
    board = services.build_dashboard(actor=current_user, **_filters())
    return render_template("dashboard/index.html", board=board)


@bp.get("/coordination/tableau-de-bord/<key>.csv")
@login_required
def csv_download(key: str):
    name, text = services.dashboard_csv(key, actor=current_user, **_filters())
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
