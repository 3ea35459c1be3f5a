"""The coordinators' referral statistics: /coordination/orientations (page) and .csv (download)."""
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from coordination.core.clock import parse_day
from coordination.errors import Invalid
from coordination.referrals import statistics

bp = Blueprint("referral_statistics", __name__, template_folder="templates")


def _since() -> date | None:
    value = request.args.get("depuis", "").strip()
    try:
        return parse_day(value, name="« depuis »") if value else None
    except ValueError as error:
        raise Invalid(str(error)) from None


@bp.get("/coordination/orientations")
@login_required
def page():
    stats = statistics.referral_statistics(actor=current_user, since=_since())
    return render_template("referrals/statistics.html", stats=stats)


@bp.get("/coordination/orientations.csv")
@login_required
def csv_download():
    since = _since()
    stats = statistics.referral_statistics(actor=current_user, since=since)
    name = f"orientations-depuis-{since.isoformat()}.csv" if since else "orientations.csv"
    return Response(statistics.statistics_csv(stats), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
