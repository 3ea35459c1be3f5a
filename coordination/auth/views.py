from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from coordination.auth import services
from coordination.auth.forms import LoginForm
from coordination.extensions import limiter
from coordination.utils import safe_next_url

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit():
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("directory.partner_home"))
        flash("Adresse électronique ou mot de passe incorrect.", "error")
    return render_template("auth/login.html", form=form)


@bp.post("/deconnexion")
@login_required
def logout():
    logout_user()
    flash("Vous êtes déconnecté.", "success")
    return redirect(url_for("directory.home"))


@bp.get("/rejoindre")
def join():
    return render_template("auth/join.html")


@bp.get("/coordination")
@login_required
def coordination_home():
    return render_template("auth/coordination_home.html")
