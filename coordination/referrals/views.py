"""Referral pages: the partner space's inbox and outbox, sending, following, answering, and the
coordinators' statistics (/coordination/orientations).

Lists show the anonymous parts of referrals only; the person's details are read (and each read
audited) on the detail page, by ``services.personal_data``.
"""
from datetime import date

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext
from flask_login import current_user, login_required

from coordination.core.clock import parse_day
from coordination.core.validators import format_phone
from coordination.errors import Invalid
from coordination.referrals import permissions, queries, services, statistics, workflow
from coordination.referrals.forms import (
    AcceptForm,
    CancelForm,
    CommentForm,
    DeclineForm,
    FilterForm,
    OutcomeForm,
    ReferralForm,
    WithdrawForm,
)
from coordination.web.actor import current_actor
from coordination.web.listing import list_args

bp = Blueprint("referrals", __name__, template_folder="templates")

STEP_LABELS = {workflow.SENT: lazy_gettext("Orientation envoyée"), "comment": lazy_gettext("Commentaire"),
               workflow.EXPIRED: lazy_gettext("Expirée : pas de réponse dans le délai")}


def can_refer(place) -> bool:
    """The place page's "Orienter une personne" link: a member of an active organisation, a place
    that receives referrals. The service checks again."""
    actor = current_actor()
    return (getattr(actor, "is_authenticated", False) and permissions.can_receive(place)
            and any(permissions.can_send_from(actor, m.organisation) for m in actor.memberships))


def referrals_waiting() -> int:
    """The navigation's badge: received referrals waiting for an answer (one indexed count)."""
    return queries.to_answer_count(current_actor()) if current_user.is_authenticated else 0


@bp.app_context_processor
def referral_globals():
    # Callables, so that the count runs only where the layout asks for it.
    return {"can_refer": can_refer, "referrals_waiting": referrals_waiting}


@bp.context_processor
def referral_helpers():
    return {"status_labels": workflow.STATUS_LABELS, "decline_reasons": workflow.DECLINE_REASONS,
            "channels": services.CHANNELS, "languages": services.LANGUAGES,
            "consent_methods": services.CONSENT_METHODS, "step_labels": STEP_LABELS, "format_phone": format_phone,
            "consent_version": current_app.config["REFERRAL_CONSENT_VERSION"],
            "retention_days": current_app.config["REFERRAL_RETENTION_DAYS"]}


# --- lists -----------------------------------------------------------------------------------

@bp.get("/orientations")
@login_required
def index():
    form = FilterForm(request.args)
    board = queries.board(current_actor(), queries.ReferralFilter(**form.filters()))
    return render_template("referrals/index.html", board=board, form=form.with_organisations(board.organisations))


# --- sending ---------------------------------------------------------------------------------

@bp.route("/lieux/<public_id>/orienter", methods=["GET", "POST"])
@login_required
def new(public_id):
    target = services.referral_target(public_id, actor=current_actor())
    form = ReferralForm.for_target(target, current_app.config["REFERRAL_NEED_MAX"])
    if form.validate_on_submit():
        try:
            referral = services.create_referral(public_id, form.referral_data(), actor=current_actor())
        except Invalid as error:
            form.show(error)
        else:
            flash(_("L'orientation a été envoyée à « %(organisation)s ».", organisation=referral.receiver_organisation.name),
                  "success")
            return redirect(url_for(".detail", uid=referral.uid))
    return render_template("referrals/new.html", form=form, target=target), 400 if form.has_errors else 200


# --- following and answering -----------------------------------------------------------------

def _detail_page(uid, status=200, **forms):
    referral = services.get_referral(uid, actor=current_actor())
    side = permissions.side(current_actor(), referral)
    actions = workflow.next_statuses(referral.status, side)
    outcomes = [target for target in actions if target in workflow.OUTCOMES]
    forms = {"accept": AcceptForm(formdata=None), "decline": DeclineForm(formdata=None),
             "cancel": CancelForm(formdata=None), "comment": CommentForm(formdata=None),
             "outcome": OutcomeForm(formdata=None), **forms}
    forms["outcome"].with_outcomes(outcomes)
    return render_template("referrals/detail.html", referral=referral, side=side, actions=actions,
                           outcomes=outcomes, forms=forms,
                           person=services.personal_data(referral, actor=current_actor()),
                           comments=services.comments(referral, actor=current_actor())), status


@bp.get("/orientations/<uid>")
@login_required
def detail(uid):
    return _detail_page(uid)


def _act(uid, name, form, perform, success):
    """Runs one action form; its errors show next to its fields on the detail page."""
    try:
        perform(form)
    except Invalid as error:
        form.show(error)
        return _detail_page(uid, 400, **{name: form})
    flash(success, "success")
    return redirect(url_for(".detail", uid=uid, _anchor="suivi"))


@bp.post("/orientations/<uid>/accepter")
@login_required
def accept(uid):
    return _act(uid, "accept", AcceptForm(), lambda f: services.accept_referral(
        uid, actor=current_actor(), comment=f.comment.data), _("Vous avez accepté l'orientation."))


@bp.post("/orientations/<uid>/refuser")
@login_required
def decline(uid):
    return _act(uid, "decline", DeclineForm(), lambda f: services.decline_referral(
        uid, actor=current_actor(), reason=f.reason.data, comment=f.comment.data), _("Vous avez refusé l'orientation."))


@bp.post("/orientations/<uid>/annuler")
@login_required
def cancel(uid):
    return _act(uid, "cancel", CancelForm(), lambda f: services.cancel_referral(
        uid, actor=current_actor(), comment=f.comment.data), _("L'orientation a été annulée."))


@bp.post("/orientations/<uid>/issue")
@login_required
def outcome(uid):
    outcomes = workflow.OUTCOMES
    return _act(uid, "outcome", OutcomeForm().with_outcomes(outcomes), lambda f: services.record_outcome(
        uid, f.outcome.data, actor=current_actor(), comment=f.comment.data,
        redirected_place_public_id=f.place_public_id()), _("L'issue de l'orientation est enregistrée."))


@bp.post("/orientations/<uid>/commentaire")
@login_required
def comment(uid):
    return _act(uid, "comment", CommentForm(), lambda f: services.add_comment(
        uid, f.comment.data, actor=current_actor()), _("Votre commentaire a été ajouté."))


@bp.get("/orientations/<uid>/retirer-consentement")
@login_required
def withdraw_confirm(uid):
    referral = services.get_referral(uid, actor=current_actor())
    allowed = referral.personal_data is not None  # open or closed: consent can always be withdrawn
    return render_template("referrals/withdraw.html", referral=referral, form=WithdrawForm(), allowed=allowed,
                           still_open=referral.status in workflow.OPEN_STATUSES)


@bp.post("/orientations/<uid>/retirer-consentement")
@login_required
def withdraw(uid):
    referral = services.withdraw_consent(uid, actor=current_actor())
    if referral.status == workflow.WITHDRAWN:
        flash(_("Le consentement est retiré : les données de la personne et les commentaires sont effacés, "
                "l'orientation est close."), "success")
    else:
        flash(_("Le consentement est retiré : les données de la personne et les commentaires sont effacés, "
                "l'issue reste enregistrée."), "success")
    return redirect(url_for(".detail", uid=uid))


# --- the coordinators' statistics ------------------------------------------------------------

def _since() -> date | None:
    value = request.args.get("depuis", "").strip()
    try:
        return parse_day(value, name=_("« depuis »")) if value else None
    except ValueError as error:
        raise Invalid(str(error)) from None


@bp.get("/coordination/orientations")
@login_required
def statistics_page():
    args = list_args()
    stats = statistics.referral_statistics(actor=current_actor(), since=_since())
    return render_template("referrals/statistics.html", stats=stats, args=args,
                           pairs=statistics.pairs_page(stats, **args.service()))


@bp.get("/coordination/orientations.csv")
@login_required
def statistics_csv():
    since = _since()
    stats = statistics.referral_statistics(actor=current_actor(), since=since)
    name = f"orientations-depuis-{since.isoformat()}.csv" if since else "orientations.csv"
    return Response(statistics.statistics_csv(stats), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
