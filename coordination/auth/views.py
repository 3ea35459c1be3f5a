from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext

from coordination.auth import services
from coordination.auth.forms import (
    AcceptInvitationForm,
    ConfirmForm,
    ForgotPasswordForm,
    InviteForm,
    JoinForm,
    LoginForm,
    OrganisationsActionForm,
    ResetPasswordForm,
)
from coordination.core.signed_links import LinkError
from coordination.errors import Invalid
from coordination.extensions import limiter
from coordination.utils import safe_next_url
from coordination.vocabularies import ORGANISATION_KINDS, ORGANISATION_STATUSES, ROLES
from coordination.web.forms import show_errors
from coordination.web.links import link_error_page
from coordination.web.listing import list_args

bp = Blueprint("auth", __name__, template_folder="templates")

FAILED = object()
FORGOT_MESSAGE = (lazy_gettext("Si un compte existe avec cette adresse, un courriel vient de lui être envoyé avec un lien "
                  "pour choisir un nouveau mot de passe. Pensez à regarder dans les indésirables."))
JOIN_MESSAGE = (lazy_gettext("Votre demande d'adhésion a bien été envoyée. L'équipe de coordination va l'examiner ; "
                "vous recevrez sa réponse par courriel."))


@bp.context_processor
def vocabularies():
    return {"KINDS": ORGANISATION_KINDS, "STATUSES": ORGANISATION_STATUSES, "ROLES": ROLES}


def _login_limit():
    return current_app.config["RATELIMIT_LOGIN"]


def _join_limit():
    return current_app.config["RATELIMIT_JOIN"]


def _call(form, service, *args, **kwargs):
    """Calls a service; its Invalid errors go next to the form's fields (or in a flash message)."""
    try:
        return service(*args, **kwargs)
    except Invalid as error:
        show_errors(form, error)
        return FAILED


def _reset_link_error(error: LinkError):
    return link_error_page(error, next_url=url_for("auth.forgot_password"), next_label=_("Demander un nouveau lien"),
                           explanation=_("Les liens de réinitialisation ne servent qu'une fois et pour une durée limitée."))


def _invitation_link_error(error: LinkError):
    return link_error_page(error, next_url=url_for("auth.login"), next_label=_("Se connecter"),
                           explanation=_("Les invitations ne servent qu'une fois et pour une durée limitée. Demandez "
                                       "à un administrateur de votre organisation de vous inviter à nouveau."))


# --- login, logout, password reset -----------------------------------------------------------

def _log_in(user, remember=False):
    """Opens a server-side session (ended by logout) and the Flask-Login session around it."""
    login_user(services.open_session(user, remember=remember), remember=remember)


def _landing(user) -> str:
    """Where a person lands once signed in: the coordination home for coordinators, the partner home otherwise."""
    return url_for("dashboard.home_page") if user.is_coordinator else url_for("directory.partner_home")


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])  # per client address; per account: services.login_wait
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, address=request.remote_addr)
        except services.TooManyFailures as error:
            flash(error.message, "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(error.retry_after)}
        if user:
            _log_in(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or _landing(user))
        flash(_("Adresse électronique ou mot de passe incorrect."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/deconnexion")
@login_required
def logout():
    services.close_session(current_user)
    logout_user()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("directory.home"))


@bp.get("/compte")
@login_required
def account():
    return render_template("auth/account.html", overview=services.account_overview(actor=current_user),
                           form=ConfirmForm())


@bp.post("/compte/deconnexion-partout")
@login_required
def logout_everywhere():
    count = services.close_every_session(actor=current_user)
    logout_user()
    flash(ngettext("Vous êtes déconnecté de tous vos appareils (%(num)s session fermée).",
                   "Vous êtes déconnecté de tous vos appareils (%(num)s sessions fermées).", count),
          "success")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(email=form.email.data)
        flash(FORGOT_MESSAGE, "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        services.user_for_reset_token(token)
    except LinkError as error:
        return _reset_link_error(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = _call(form, services.reset_password, token=token, password=form.password.data)
        if user is not FAILED:
            _log_in(user)
            flash(_("Votre mot de passe a été modifié. Vos autres sessions ont été fermées."), "success")
            return redirect(_landing(user))
    return render_template("auth/reset_password.html", form=form)


# --- joining the network ---------------------------------------------------------------------

@bp.route("/rejoindre", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
def join():
    form = JoinForm()
    if current_user.is_authenticated:
        form.without_account_fields()
    if form.is_submitted() and form.is_robot():
        flash(JOIN_MESSAGE, "success")
        return redirect(url_for("directory.home"))
    if form.validate_on_submit():
        result = _call(form, services.join_network, actor=current_user, **form.service_data())
        if result is not FAILED:
            if result is not None and not current_user.is_authenticated:  # None: an existing account, mailed
                _log_in(result[1])
            flash(JOIN_MESSAGE, "success")
            return redirect(url_for("directory.partner_home"))
    return render_template("auth/join.html", form=form)


# --- coordination space ----------------------------------------------------------------------

def _render_organisations(form=None, status=200):
    args = list_args()
    page = services.organisations_page(actor=current_user, status=request.args.get("statut") or None,
                                       kind=request.args.get("type") or None, **args.service())
    form = form or OrganisationsActionForm(formdata=None, next=request.full_path.rstrip("?"))
    return render_template("auth/organisations.html", organisations=page, args=args, form=form,
                           list_endpoint="auth.organisations"), status


@bp.get("/coordination/organisations/demandes")
def requests():
    """Pending organisations are decided in the moderation queue only (issue 16): the old page's address
    leads there for good."""
    return redirect(url_for("moderation.queue", _anchor="organisations"), 301)


@bp.get("/coordination/organisations")
@login_required
def organisations():
    return _render_organisations()


DONE = {
    "suspendre": lambda num: ngettext("%(num)s organisation suspendue.", "%(num)s organisations suspendues.", num),
    "reactiver": lambda num: ngettext("%(num)s organisation réactivée.", "%(num)s organisations réactivées.", num),
}


def _unchanged(num: int) -> str:
    if not num:
        return ""
    return " " + ngettext("%(num)s organisation cochée n'avait pas le statut voulu : elle n'a pas changé.",
                          "%(num)s organisations cochées n'avaient pas le statut voulu : elles n'ont pas changé.", num)


@bp.post("/coordination/organisations/action")
@login_required
def organisations_action():
    """The list's action bar: one action on the organisations ticked; back to the same page of the list."""
    form = OrganisationsActionForm()
    if form.validate():
        count = _call(form, services.change_organisations_status, form.chosen(), action=form.action.data,
                      reason=form.reason.data, actor=current_user)
        if count is not FAILED:
            flash(DONE[form.action.data](count) + _unchanged(len(set(form.chosen())) - count), "success")
            return redirect(safe_next_url(form.next.data) or url_for(".organisations"))
    return _render_organisations(form, status=400)


# --- members and invitations -----------------------------------------------------------------

@bp.route("/organisations/<int:organisation_id>/membres", methods=["GET", "POST"])
@login_required
def members(organisation_id):
    overview = services.members_overview(organisation_id, actor=current_user)
    form = InviteForm()
    if form.validate_on_submit():
        invitation = _call(form, services.invite_member, organisation_id, email=form.email.data,
                           role=form.role.data, actor=current_user)
        if invitation is not FAILED:
            flash(_("Invitation envoyée à %(email)s.", email=invitation.email), "success")
            return redirect(url_for("auth.members", organisation_id=organisation_id))
    return render_template("auth/members.html", overview=overview, form=form)


@bp.post("/organisations/<int:organisation_id>/membres/<int:membership_id>/retirer")
@login_required
def remove_member(organisation_id, membership_id):
    services.remove_member(organisation_id, membership_id, actor=current_user)
    flash(_("Le membre a été retiré de l'organisation."), "success")
    return redirect(url_for("auth.members", organisation_id=organisation_id))


@bp.post("/organisations/<int:organisation_id>/invitations/<int:invitation_id>/annuler")
@login_required
def revoke_invitation(organisation_id, invitation_id):
    invitation = services.revoke_invitation(organisation_id, invitation_id, actor=current_user)
    flash(_("L'invitation de %(email)s est annulée.", email=invitation.email), "success")
    return redirect(url_for("auth.members", organisation_id=organisation_id))


@bp.get("/organisations/<int:organisation_id>/bienvenue")
@login_required
def welcome(organisation_id):
    """Where a new member lands after accepting an invitation: what they can do here, who to ask."""
    return render_template("auth/welcome.html", welcome=services.welcome(organisation_id, actor=current_user))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token):
    try:
        state = services.invitation_state(token, actor=current_user)
    except LinkError as error:
        return _invitation_link_error(error)
    form = AcceptInvitationForm() if state.step == "signup" else ConfirmForm()
    if state.step in ("signup", "confirm") and form.validate_on_submit():
        account = {"name": form.name.data, "password": form.password.data} if state.step == "signup" else {}
        user = _call(form, services.accept_invitation, token=token, actor=current_user, **account)
        if user is not FAILED:
            if not current_user.is_authenticated:
                _log_in(user)
            flash(_("Vous avez rejoint « %(name)s ».", name=state.invitation.organisation.name), "success")
            return redirect(url_for("auth.welcome", organisation_id=state.invitation.organisation_id))
    status = 403 if state.step == "wrong_account" else 200
    return render_template("auth/invitation.html", state=state, form=form), status
