"""Network meeting pages: the partners' meetings, answers (signed links too), calendar feeds and
delegates; the coordinator's series, meetings, answers, attendance, minutes and participation."""
from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import login_required

from coordination.core.clock import utcnow
from coordination.core.signed_links import LinkError
from coordination.errors import Invalid, PermissionDenied
from coordination.events import charts, feeds, ics, markdown, permissions, records, recurrence, rsvp, services
from coordination.events.forms import (
    CancelForm,
    MeetingForm,
    MinutesForm,
    MoveForm,
    SeriesForm,
    SimpleForm,
)
from coordination.utils import safe_next_url
from coordination.web.forms import SelectChoice
from coordination.web.links import link_error_page
from coordination.web.actor import current_actor

bp = Blueprint("events", __name__, template_folder="templates")


@bp.context_processor
def meeting_helpers():
    return {"answers": rsvp.ANSWERS, "response_labels": rsvp.RESPONSE_LABELS, "to_html": markdown.to_html,
            "describe_rule": recurrence.describe, "can_manage_meetings": permissions.can_manage_meetings,
            "now_utc": utcnow()}


def _require_meetings():
    if not permissions.can_see_meetings(current_actor()):
        raise PermissionDenied(_("Les réunions du réseau sont réservées aux membres des organisations actives."))


# --- the partner space --------------------------------------------------------------------------

@bp.get("/reunions")
@login_required
def index():
    _require_meetings()
    return render_template("events/index.html", invitations=rsvp.my_invitations(current_actor()),
                           published=records.published_minutes(actor=current_actor()))


@bp.get("/reunions/<int:meeting_id>")
@login_required
def meeting(meeting_id):
    found = records.get_meeting(meeting_id, actor=current_actor())
    mine = [i for i in found.invitations if i.user_id == current_actor().id]
    return render_template("events/meeting.html", meeting=found, mine=mine,
                           show_minutes=records.minutes_visible(found, current_actor()))


@bp.get("/reunions/<int:meeting_id>/agenda.ics")
@login_required
def meeting_ics(meeting_id):
    """« Ajouter à mon agenda »: the meeting as a METHOD:PUBLISH file, for whoever sees its page."""
    found = records.get_meeting(meeting_id, actor=current_actor())
    return Response(ics.meeting_calendar(found, method="PUBLISH"), mimetype="text/calendar",
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": f'attachment; filename="reunion-{found.id}.ics"'})


@bp.post("/reunions/invitations/<int:invitation_id>/reponse")
@login_required
def answer(invitation_id):
    result = rsvp.respond(invitation_id, request.form.get("answer", ""), actor=current_actor())
    flash(_answer_message(result), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for(".index"))


def _answer_message(result) -> str:
    if result.waitlisted:
        return _("La réunion est complète : vous êtes sur la liste d'attente. Un courriel vous préviendra si une "
                 "place se libère.")
    label = rsvp.ANSWERS[result.invitation.response]
    if result.changed:
        return _("Votre réponse « %(answer)s » est enregistrée.", answer=label)
    return _("Votre réponse était déjà « %(answer)s ».", answer=label)


def _link_error(error: LinkError):
    return link_error_page(error, next_url=url_for(".index"), next_label=_("Voir vos réunions et y répondre"),
                           explanation=_("Vous pouvez voir vos réunions et y répondre depuis votre espace partenaire."))


@bp.get("/reunions/reponse/<token>")
def rsvp_link(token):
    """Shows what the link would record; only the button (POST) records it: a mail scanner
    opening the link changes nothing."""
    try:
        invitation, chosen = rsvp.read_token(token)
    except LinkError as error:
        return _link_error(error)
    return render_template("events/rsvp_confirm.html", invitation=invitation, chosen=chosen,
                           meeting=invitation.meeting, form=SimpleForm())


@bp.post("/reunions/reponse/<token>")
def rsvp_link_confirm(token):
    try:
        invitation, chosen = rsvp.read_token(token)
        result = rsvp.respond(invitation.id, chosen, token=token)
    except LinkError as error:
        return _link_error(error)
    return render_template("events/rsvp_done.html", result=result, meeting=invitation.meeting,
                           message=_answer_message(result))


# --- calendar feeds -----------------------------------------------------------------------------

@bp.get("/reunions/calendrier")
@login_required
def feed_page():
    _require_meetings()
    return render_template("events/feeds.html", feed=feeds.active_feed(current_actor()), new_url=None, form=SimpleForm())


@bp.post("/reunions/calendrier")
@login_required
def feed_create():
    new_url = feeds.create_feed(actor=current_actor())
    # Shown in this response only: never put in a flash message (the session cookie is not secret).
    return render_template("events/feeds.html", feed=feeds.active_feed(current_actor()), new_url=new_url, form=SimpleForm())


@bp.post("/reunions/calendrier/<int:feed_id>/revoquer")
@login_required
def feed_revoke(feed_id):
    feeds.revoke_feed(feed_id, actor=current_actor())
    flash(_("Le lien du calendrier est révoqué : les agendas abonnés ne recevront plus les réunions."), "success")
    return redirect(url_for(".feed_page"))


@bp.get("/calendrier/<token>.ics")
def feed(token):
    return Response(feeds.feed_body(token), mimetype="text/calendar",
                    headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer",
                             "Content-Disposition": 'inline; filename="reunions.ics"'})


# --- delegates ----------------------------------------------------------------------------------

@bp.route("/reunions/participants", methods=["GET", "POST"])
@login_required
def delegates():
    organisations = records.administered_organisations(current_actor())
    if request.method == "POST":
        chosen = request.form.getlist("user_id")
        rsvp.set_delegates(request.form.get("organisation_id", 0, type=int), chosen, actor=current_actor())
        flash(_("Les participants aux réunions sont enregistrés."), "success")
        return redirect(url_for(".delegates"))
    if not organisations:
        raise PermissionDenied(_("Seuls les administrateurs d'une organisation active désignent ses participants."))
    return render_template("events/delegates.html", organisations=organisations, form=SimpleForm(),
                           delegates={o.id: rsvp.delegates(o) for o in organisations})


# --- series and minutes -------------------------------------------------------------------------

@bp.get("/reunions/series/<int:series_id>")
@login_required
def series(series_id):
    found = records.get_series(series_id, actor=current_actor())
    return render_template("events/series.html", series=found, meetings=records.series_meetings(found, actor=current_actor()),
                           minutes_visible=lambda m: records.minutes_visible(m, current_actor()))


@bp.get("/reunions/series/<int:series_id>/compilation")
@login_required
def compilation(series_id):
    found, meetings = records.compilation(series_id, actor=current_actor())
    return render_template("events/compilation.html", series=found, meetings=meetings)


# --- the coordinator's pages --------------------------------------------------------------------

def _with_organisations(forms: dict) -> dict:
    """The invitation forms' checkbox list: the active organisations."""
    choices = [SelectChoice(str(o.id), o.name) for o in services.invitable_organisations(actor=current_actor())]
    for form in forms.values():
        if hasattr(form, "organisation_ids"):
            form.organisation_ids.choices = choices
    return forms


def _coordination_page(status=200, preview=None, **forms):
    overview = records.overview(actor=current_actor())
    forms = _with_organisations({"series": SeriesForm(formdata=None), "single": MeetingForm(formdata=None), **forms})
    return render_template("events/coordination.html", overview=overview, forms=forms, preview=preview), status


@bp.get("/coordination/reunions")
@login_required
def coordination():
    return _coordination_page()


@bp.post("/coordination/reunions/series")
@login_required
def series_create():
    form = SeriesForm()
    if "preview" in request.form:
        return _series_preview(form)
    try:
        created = services.create_series(form.series_data(), actor=current_actor())
    except Invalid as error:
        form.show(error)
        return _coordination_page(400, series=form)
    flash(_("La série « %(title)s » est créée.", title=created.title), "success")
    return redirect(url_for(".series", series_id=created.id))


def _series_preview(form):
    """The « Voir les prochaines dates » button (without JavaScript): the form again, with the dates."""
    try:
        preview = services.preview_rule(form.series_data(), actor=current_actor())
    except Invalid as error:
        form.show(error)
        return _coordination_page(400, series=form)
    return _coordination_page(preview=preview, series=form)


@bp.get("/coordination/reunions/series/apercu")
@login_required
def series_preview():
    """The live preview of the recurrence picker (recurrence.js): the rule in words and five dates."""
    data = {**request.args.to_dict(), "months": request.args.getlist("months")}
    try:
        description, dates = services.preview_rule(data, actor=current_actor())
    except Invalid as error:
        return jsonify(errors=[str(m) for messages in error.errors.values() for m in messages] or [error.message]), 400
    return jsonify(description=description, dates=dates)


@bp.post("/coordination/reunions/apercu-markdown")
@login_required
def markdown_preview():
    """The editor's « Aperçu »: the HTML the page will show (sanitised), from the form's text."""
    return Response(str(records.markdown_preview(request.form.get("text"), actor=current_actor())),
                    mimetype="text/html", headers={"Cache-Control": "no-store"})


@bp.post("/coordination/reunions/reunion")
@login_required
def meeting_create():
    form = MeetingForm()
    try:
        created = services.create_meeting(form.meeting_data(), actor=current_actor())
    except Invalid as error:
        form.show(error)
        return _coordination_page(400, single=form)
    flash(_("La réunion « %(title)s » est créée.", title=created.title), "success")
    return redirect(url_for(".manage", meeting_id=created.id))


def _manage_page(meeting_id, status=200, **forms):
    found = records.manage_meeting(meeting_id, actor=current_actor())
    forms = _with_organisations({
        "move": MoveForm(formdata=None, obj=records.move_defaults(found)), "cancel": CancelForm(formdata=None),
        "minutes": MinutesForm(formdata=None, minutes=found.minutes or ""), "attendance": SimpleForm(),
        "send_now": SimpleForm(), **forms})
    return render_template("events/manage.html", meeting=found, forms=forms, responses=services.responses_by_organisation(meeting_id, actor=current_actor()),
                           waiting=rsvp.waiting_list(found), seats=rsvp.seats_taken(found),
                           started=records.has_started(found)), status


@bp.get("/coordination/reunions/<int:meeting_id>")
@login_required
def manage(meeting_id):
    return _manage_page(meeting_id)


def _act(meeting_id, name, form, perform, success):
    try:
        perform(form)
    except Invalid as error:
        form.show(error)
        return _manage_page(meeting_id, 400, **{name: form})
    flash(success, "success")
    return redirect(url_for(".manage", meeting_id=meeting_id))


@bp.post("/coordination/reunions/<int:meeting_id>/deplacer")
@login_required
def move(meeting_id):
    return _act(meeting_id, "move", MoveForm(), lambda f: services.update_meeting(
        meeting_id, f.change_data(), actor=current_actor()),
        _("La réunion est modifiée ; les personnes invitées sont prévenues."))


@bp.post("/coordination/reunions/<int:meeting_id>/inviter")
@login_required
def send_now(meeting_id):
    """« Envoyer les invitations maintenant »: the job's work for this meeting, at once."""
    try:
        sent = services.send_invitations_now(meeting_id, actor=current_actor())
    except Invalid as error:
        form = SimpleForm()
        form.show(error)
        return _manage_page(meeting_id, 400, send_now=form)
    flash(ngettext("%(num)s invitation envoyée.", "%(num)s invitations envoyées.", sent) if sent else
          _("Aucune invitation à envoyer : toutes les personnes invitées l'ont déjà reçue."), "success")
    return redirect(url_for(".manage", meeting_id=meeting_id))


@bp.post("/coordination/reunions/<int:meeting_id>/annuler")
@login_required
def cancel(meeting_id):
    return _act(meeting_id, "cancel", CancelForm(), lambda f: services.cancel_meeting(
        meeting_id, actor=current_actor(), reason=f.reason.data or None),
        _("La réunion est annulée ; les personnes invitées sont prévenues."))


@bp.post("/coordination/reunions/<int:meeting_id>/presences")
@login_required
def attendance(meeting_id):
    present = {int(value) for value in request.form.getlist("present") if value.isdigit()}
    return _act(meeting_id, "attendance", SimpleForm(), lambda f: records.record_attendance(
        meeting_id, present, actor=current_actor()), _("Les présences sont enregistrées."))


@bp.post("/coordination/reunions/<int:meeting_id>/compte-rendu")
@login_required
def minutes(meeting_id):
    form = MinutesForm()
    publish = form.publish.data
    return _act(meeting_id, "minutes", form, lambda f: records.save_minutes(
        meeting_id, f.minutes.data, actor=current_actor(), publish=publish),
        _("Le compte rendu est publié et envoyé aux membres.") if publish else _("Le compte rendu est enregistré."))


@bp.get("/coordination/reunions/participation")
@login_required
def participation():
    stats = records.participation(actor=current_actor())
    chart = charts.bar_chart([(row.organisation.name, row.attended) for row in stats.rows],
                             title=_("Réunions avec au moins une personne présente, par organisation"),
                             description=ngettext(
                                 "Sur %(num)s réunion des douze derniers mois ; les mêmes chiffres sont dans le "
                                 "tableau qui suit.",
                                 "Sur %(num)s réunions des douze derniers mois ; les mêmes chiffres sont dans le "
                                 "tableau qui suit.", stats.meetings),
                             chart_id="participation-chart", max_value=stats.meetings)
    return render_template("events/participation.html", stats=stats, chart=chart)


@bp.get("/coordination/reunions/participation.csv")
@login_required
def participation_csv():
    stats = records.participation(actor=current_actor())
    return Response(records.participation_csv(stats), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="participation-reunions.csv"',
                             "Cache-Control": "no-store"})
