"""Listing freshness pages: the reminder's "Tout est à jour" link, the partner space's one-click
confirmation, and the coordinators' campaigns. Also the ``verified_ago`` template filter."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_babel import gettext as _
from flask_babel import ngettext

from coordination.core.signed_links import LinkError
from coordination.freshness import services as freshness
from coordination.errors import Invalid
from coordination.utils import safe_next_url
from coordination.web.links import link_error_page
from coordination.web.actor import current_actor
from coordination.web.listing import list_args

bp = Blueprint("freshness", __name__, template_folder="templates")


@bp.app_template_filter("verified_ago")
def verified_ago(value, by_structure: bool = False) -> str:
    """``{{ place|verified_ago }}``: « Vérifié il y a 3 mois » (« … par la structure »)."""
    return freshness.verified_text(value, by_structure=by_structure)


def _link_error(error: LinkError):
    return link_error_page(error, next_url=url_for("directory.partner_home"),
                           next_label=_("Aller à l'espace partenaire (connexion nécessaire)"))


# --- the reminder's link (no login) -------------------------------------------------------------

@bp.get("/fraicheur/<token>")
def confirm_link(token):
    """Shows the places the link would confirm; only the button (POST) confirms: a mail scanner
    opening the link changes nothing."""
    return _reminder_page(token, freshness.read_token, "freshness/confirm.html")


@bp.post("/fraicheur/<token>")
def confirm_link_apply(token):
    return _reminder_page(token, freshness.confirm_by_link, "freshness/done.html")


def _reminder_page(token: str, use_token, template: str):
    """The reminder the token leads to (read or confirmed by ``use_token``), with its places."""
    try:
        reminder = use_token(token)
    except LinkError as error:
        return _link_error(error)
    return render_template(template, reminder=reminder, places=freshness.listed_places(reminder))


# --- the partner space --------------------------------------------------------------------------

@bp.post("/espace-partenaire/organisations/<int:organisation_id>/tout-est-a-jour")
@login_required
def confirm_all(organisation_id):
    count = freshness.confirm_all(organisation_id, actor=current_actor())
    flash(ngettext("Merci : %(num)s lieu confirmé à jour.", "Merci : %(num)s lieux confirmés à jour.", count)
          if count else _("Cette organisation n'a aucun lieu à confirmer."), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for("directory.partner_home"))


# --- coordination -------------------------------------------------------------------------------

@bp.route("/coordination/fraicheur", methods=["GET", "POST"])
@login_required
def campaigns():
    overview, errors = freshness.campaigns_overview(actor=current_actor(), page=list_args().page), {}
    if request.method == "POST":
        chosen = None if request.form.get("scope") == "all" else request.form.getlist("organisation_ids")
        try:
            campaign = freshness.launch_campaign(request.form.get("name", ""), chosen, actor=current_actor())
        except Invalid as error:
            errors = error.errors
        else:
            flash(ngettext("La campagne « %(name)s » est lancée : %(num)s organisation a reçu un rappel.",
                           "La campagne « %(name)s » est lancée : %(num)s organisations ont reçu un rappel.",
                           len(campaign.reminders), name=campaign.name), "success")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
    return render_template("freshness/campaigns.html", overview=overview, errors=errors,
                           values=request.form), 400 if errors else 200


@bp.get("/coordination/fraicheur/<int:campaign_id>")
@login_required
def campaign(campaign_id):
    """A campaign's progress, one page of its organisations at a time (issue 18)."""
    args = list_args()
    progress = freshness.campaign_progress(campaign_id, actor=current_actor(), state=request.args.get("etat"),
                                           **args.service())
    return render_template("freshness/campaign.html", progress=progress, args=args)
