"""The public service's pages (mentions légales, accessibilité, confidentialité, plan du site,
contact) and what robots and browsers ask of every site: /robots.txt, /sitemap.xml, /favicon.ico."""
from flask import (Blueprint, Response, current_app, flash, redirect, render_template, send_from_directory,
                   stream_template, url_for)
from flask_babel import gettext as _

from coordination.errors import Invalid
from coordination.extensions import limiter
from coordination.site import services
from coordination.site.forms import ContactForm
from coordination.web.i18n import DEFAULT, LANGUAGES, is_translated, translated

bp = Blueprint("site", __name__, template_folder="templates")


@bp.get("/mentions-legales")
@translated
def legal_notice():
    return render_template("site/legal_notice.html", facts=services.legal_facts())


@bp.get("/accessibilite")
@translated
def accessibility():
    return render_template("site/accessibility.html", facts=services.legal_facts(),
                           statement_date=services.STATEMENT_DATE)


@bp.get("/confidentialite")
@translated
def privacy():
    return render_template("site/privacy.html", facts=services.legal_facts(), kept=services.retention())


@bp.get("/plan-du-site")
@translated
def site_map():
    return render_template("site/site_map.html")


def _contact_limit():
    return current_app.config["RATELIMIT_CONTACT"]


@bp.route("/contact", methods=["GET", "POST"])
@translated
@limiter.limit(_contact_limit, methods=["POST"])
def contact():
    form = ContactForm()
    if form.validate_on_submit():
        try:
            services.send_contact_message(form.data)
        except Invalid as error:
            form.show(error)
        else:
            flash(_("Merci : votre message a été envoyé. Nous vous répondrons par courriel."), "success")
            return redirect(url_for(".contact"))
    return render_template("site/contact.html", form=form, is_open=services.contact_open(),
                           facts=services.legal_facts()), 400 if form.has_errors else 200


# --- for robots and browsers ---------------------------------------------------------------------

@bp.get("/robots.txt")
def robots():
    return Response(render_template("site/robots.txt"), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap():
    """Streamed: a place at a time from the directory's batches, whatever the size of the network."""
    body = stream_template("site/sitemap.xml", entries=services.sitemap_entries(), languages=LANGUAGES.values(),
                           default_language=DEFAULT, is_translated=is_translated)
    return Response(body, mimetype="application/xml")


ICON_MAX_AGE = 7 * 24 * 3600


# The icons browsers ask for at the root of every site, whatever the page's ``<link>`` says.
@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "icons/favicon.ico", max_age=ICON_MAX_AGE)


@bp.get("/apple-touch-icon.png")
def apple_touch_icon():
    return send_from_directory(current_app.static_folder, "icons/apple-touch-icon.png", max_age=ICON_MAX_AGE)
