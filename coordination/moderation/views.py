""""Signaler une erreur" (/lieux/<public_id>/signaler, public) and the moderation queue
(/coordination/moderation, coordinators): the "moderation" blueprint."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext
from flask_login import login_required
from flask_babel import gettext as _
from flask_babel import ngettext

from coordination.auth import services as auth_services
from coordination.moderation import services as moderation
from coordination.moderation.forms import BULK_ACTIONS, BulkForm, ReportForm, decision_form
from coordination.errors import Conflict, Invalid
from coordination.vocabularies import ORGANISATION_KINDS
from coordination.extensions import limiter
from coordination.web.forms import show_errors
from coordination.web.actor import current_actor
from coordination.web.listing import list_args
from coordination.web.i18n import translated

bp = Blueprint("moderation", __name__, template_folder="templates")

THANKS = lazy_gettext("Merci : votre signalement a été transmis à la structure et à la coordination du réseau.")


# --- "Signaler une erreur" -----------------------------------------------------------------

def _report_limit():
    return current_app.config["RATELIMIT_REPORT"]


@bp.route("/lieux/<public_id>/signaler", methods=["GET", "POST"])
@translated
@limiter.limit(_report_limit, methods=["POST"])
def report(public_id):
    place = moderation.reportable_place(public_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_error(public_id, form.data)
        except Invalid as error:
            show_errors(form, error)
        else:
            return redirect(url_for(".thanks", public_id=public_id))
    return render_template("moderation/report.html", place=place, form=form), 400 if form.errors else 200


@bp.get("/lieux/<public_id>/signaler/merci")
@translated
def thanks(public_id):
    place = moderation.reportable_place(public_id)
    return render_template("moderation/report_thanks.html", place=place, message=THANKS)


# --- the moderation queue ------------------------------------------------------------------

def _render_queue(submitted=None, status=200):
    queue = moderation.moderation_queue(actor=current_actor(), page=list_args().page)
    forms = {}
    for organisation in queue.organisations:
        forms["refuser", organisation.id] = decision_form("refuser", organisation.id)
    for report_ in queue.reports:
        forms["traiter", report_.id] = decision_form("traiter", report_.id)
        forms["ecarter", report_.id] = decision_form("ecarter", report_.id)
    for place in queue.stale_places:
        forms["retirer", place.id] = decision_form("retirer", place.id)
    forms.update(submitted or {})
    return render_template("moderation/queue.html", queue=queue, forms=forms, list_endpoint="moderation.queue",
                           kinds=moderation.REPORT_KINDS, kinds_of_organisations=ORGANISATION_KINDS), status


@bp.get("/coordination/moderation")
@login_required
def queue():
    return _render_queue()


def _decide(action: str, item_id: int, call, done: str):
    """Validates the CSRF token, calls the service with the reason; errors go back next to the field."""
    form = decision_form(action, item_id, bind=True)
    if form.validate():
        try:
            result = call(form)
        except Invalid as error:
            show_errors(form, error)
        else:
            flash(done.format(getattr(result, "name", "")), "success")
            return redirect(url_for(".queue"))
    return _render_queue({(action, item_id): form}, status=400)


@bp.post("/coordination/moderation/signalements/<int:report_id>/traiter")
@login_required
def resolve(report_id):
    return _decide("traiter", report_id, lambda form: moderation.resolve_report(
        report_id, actor=current_actor(), reason=form.reason.data, unpublish=form.unpublish.data),
        _("Le signalement est traité."))


@bp.post("/coordination/moderation/signalements/<int:report_id>/ecarter")
@login_required
def dismiss(report_id):
    return _decide("ecarter", report_id, lambda form: moderation.dismiss_report(
        report_id, actor=current_actor(), reason=form.reason.data), _("Le signalement est écarté."))


@bp.post("/coordination/moderation/lieux/<int:place_id>/retirer")
@login_required
def unpublish_stale(place_id):
    return _decide("retirer", place_id, lambda form: moderation.unpublish_stale_place(
        place_id, actor=current_actor(), reason=form.reason.data), _("Le lieu est retiré de l'annuaire public."))


@bp.post("/coordination/moderation/organisations/<int:organisation_id>/accepter")
@login_required
def accept_organisation(organisation_id):
    return _decide("accepter", organisation_id, lambda form: auth_services.accept_organisation(
        organisation_id, actor=current_actor()), _("« {} » a rejoint le réseau."))


@bp.post("/coordination/moderation/organisations/<int:organisation_id>/refuser")
@login_required
def refuse_organisation(organisation_id):
    return _decide("refuser", organisation_id, lambda form: auth_services.refuse_organisation(
        organisation_id, actor=current_actor(), reason=form.reason.data), _("La demande de « {} » a été refusée."))


# --- bulk decision on the organisations of one import (issue 15) ----------------------------------

def _bulk_page(import_id: int, form: BulkForm, *, confirm: bool = False, status: int = 200):
    selection = moderation.bulk_selection(import_id, actor=current_actor())
    return render_template("moderation/bulk.html", selection=selection, form=form, confirm=confirm,
                           actions=BULK_ACTIONS), status


@bp.get("/coordination/moderation/imports/<int:import_id>")
@login_required
def bulk(import_id):
    return _bulk_page(import_id, BulkForm(formdata=None))


@bp.post("/coordination/moderation/imports/<int:import_id>")
@login_required
def bulk_decide(import_id):
    """Without ``confirmed``: the confirmation step (how many, what happens); with it: the decision."""
    form = BulkForm()
    if not form.validate():
        return _bulk_page(import_id, form, status=400)
    action = form.action.data
    if action not in BULK_ACTIONS:
        form.action.errors = [_("Choisissez d'accepter ou de refuser.")]
        return _bulk_page(import_id, form, status=400)
    if action == "refuse" and not (form.reason.data or "").strip():
        form.reason.errors = [_("Indiquez le motif du refus.")]
        return _bulk_page(import_id, form, status=400)
    if form.confirmed.data != "oui":
        return _bulk_page(import_id, form, confirm=True)
    try:
        count = auth_services.decide_imported_organisations(
            import_id, action=action, actor=current_actor(), reason=form.reason.data, expected=form.expected.data)
    except Invalid as error:
        show_errors(form, error)
        return _bulk_page(import_id, form, status=400)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for(".bulk", import_id=import_id))
    if action == "accept":
        flash(ngettext("%(num)s organisation acceptée.", "%(num)s organisations acceptées.", count), "success")
    else:
        flash(ngettext("%(num)s organisation refusée.", "%(num)s organisations refusées.", count), "success")
    return redirect(url_for(".queue"))
