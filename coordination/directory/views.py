import functools

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup
import segno
from flask_babel import gettext as _
from flask_babel import ngettext

from coordination.core import validators
from coordination.core.clock import date_fr, utcnow
from coordination.dashboard import home as waiting
from coordination.directory import geocoding, hours, maps, permissions, placement, services
from coordination.directory.search_page import (
    COMMON_NEEDS,
    distance,
    facet_groups,
    format_distance,
    results_map_html,
    search_summary,
    search_url,
)
from coordination.freshness import services as freshness
from coordination.directory.forms import (
    ClosureForm,
    EditPlaceForm,
    NetworkLabelForm,
    PlaceForm,
    PlacesActionForm,
    SearchForm,
)
from coordination.errors import Conflict, Invalid
from coordination.extensions import limiter
from coordination.utils import external_url, safe_next_url
from coordination.vocabularies import (
    ORGANISATION_KINDS,
    ORGANISATION_STATUSES,
    PLACE_VOCABULARIES,
    TYPOLOGIES,
    label as vocabulary_label,
)
from coordination.web.actor import current_actor
from coordination.web.forms import show_errors
from coordination.web.listing import list_args
from coordination.web.i18n import DEFAULT, current_language, translated

bp = Blueprint("directory", __name__, template_folder="templates")

@bp.context_processor
def helpers():
    return {"french_date": functools.partial(date_fr, empty="—"), "describe_hours": hours.describe_lines,
            "permissions": permissions, "format_phone": validators.format_phone, "needs_review": freshness.needs_review,
            "vocabularies": PLACE_VOCABULARIES, "typologies": TYPOLOGIES, "statuses": ORGANISATION_STATUSES,
            "kinds": ORGANISATION_KINDS}


def _back_url() -> str:
    return safe_next_url(request.args.get("next")) or url_for(".partner_home")


def _back():
    return redirect(_back_url())


# --- public --------------------------------------------------------------------------------

@bp.get("/")
@translated
def home():
    form = SearchForm(None, default_radius_km=current_app.config["SEARCH_DEFAULT_RADIUS_KM"])
    return render_template("directory/home.html", form=form, common_needs=COMMON_NEEDS,
                           places=services.recently_updated_places(limit=6))


# --- place page, printable sheet, temporary closures -------------------------------------------

def place_context(place) -> dict:
    """What the place page and the sheet show besides the place: today's state, closures ahead,
    the itinerary link."""
    now = utcnow()
    today = services.paris_today()
    itinerary = (f"https://www.openstreetmap.org/directions?to={place.latitude:.6f},{place.longitude:.6f}"
                 if place.latitude is not None and place.longitude is not None else None)
    return {"place": place, "status": hours.status_text(place, now), "open_now": hours.is_open_at(place, now),
            "closures": hours.upcoming_closures(place, today), "today": today, "itinerary": itinerary,
            "place_map": place_map(place),
            "live_url": external_url("directory.place_page", public_id=place.public_id)}


PLACE_MAP_ZOOM = 17


def place_map(place) -> dict | None:
    """What the place page's small map needs (place-map.js reads it from data attributes), and its
    link to OpenStreetMap for a page without JavaScript; None for a place without coordinates."""
    if place.latitude is None or place.longitude is None:
        return None
    latitude, longitude = f"{place.latitude:.6f}", f"{place.longitude:.6f}"
    return {"latitude": latitude, "longitude": longitude, "tiles": current_app.config["MAP_TILE_URL"],
            "attribution": current_app.config["MAP_TILE_ATTRIBUTION"],
            "link": f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
                    f"#map={PLACE_MAP_ZOOM}/{latitude}/{longitude}"}


DESCRIPTION_MAX = 200  # search engines show about this much


def place_description(place) -> str:
    """The place page's meta description: its name, commune and first services (plain text: the
    template escapes it once)."""
    if place.services:
        text = _("%(name)s, %(commune)s : %(services)s.", name=place.name, commune=place.commune,
                       services=", ".join(place.services[:6]))
    else:
        text = _("%(name)s, %(commune)s.", name=place.name, commune=place.commune)
    return text if len(text) <= DESCRIPTION_MAX else text[:DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"


def partner_lang() -> Markup:
    """`` lang="fr"`` for what partners write (always French) on a page in another language, and
    ``dir="ltr"`` on a right-to-left page (« 26 boulevard… » keeps its number first)."""
    language = current_language()
    if language.code == DEFAULT:
        return Markup("")
    return Markup(' lang="fr" dir="ltr"' if language.direction == "rtl" else ' lang="fr"')


def vocabulary_value(value: str) -> Markup:
    """A value (or a heading) of the national vocabularies in the page's language when the
    catalogues have it (the values are their own msgids), else as written, marked French."""
    shown = vocabulary_label(value)
    if shown != value or current_language().code == DEFAULT:
        return Markup("{}").format(shown)
    return Markup("<span{}>{}</span>").format(partner_lang(), value)


def position_picker(form) -> dict:
    """Where the place form's map starts (position-picker.js): the typed coordinates, else the
    directory's places of the typed postcode or commune, else France."""
    try:
        typed = (float(form.latitude.data), float(form.longitude.data))
    except (TypeError, ValueError):
        typed = None
    if typed and not (abs(typed[0]) <= 90 and abs(typed[1]) <= 180):  # also NaN: a refused value
        typed = None
    start = typed or geocoding.near(form.postcode.data, form.commune.data)
    zoom = 17 if typed else 14 if start else 5
    return {"latitude": (start or maps.FRANCE)[0], "longitude": (start or maps.FRANCE)[1], "zoom": zoom,
            "tiles": current_app.config["MAP_TILE_URL"], "attribution": current_app.config["MAP_TILE_ATTRIBUTION"]}


@bp.context_processor
def place_helpers():
    return {"closure_period": hours.closure_period, "place_description": place_description,
            "format_day": hours.long_date, "partner_lang": partner_lang(), "vocabulary_value": vocabulary_value,
            "position_picker": position_picker}


def qr_svg(url: str) -> Markup:
    """A QR code to ``url`` as inline SVG (no style attribute, nothing fetched)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, svgclass="qr-code", lineclass=None)
    label = _("QR code : adresse de la fiche en ligne")
    return Markup(svg.replace("<svg ", Markup('<svg role="img" aria-label="%s" ') % label, 1))


@bp.get("/lieux/<public_id>")
@translated
def place_page(public_id):
    place = services.get_public_place(public_id, actor=current_actor())
    return render_template("directory/place.html", network_labels=services.public_labels_of(place),
                           **place_context(place))


@bp.get("/lieux/<public_id>/fiche")
@translated
def place_sheet(public_id):
    place = services.get_public_place(public_id, actor=current_actor())
    context = place_context(place)
    return render_template("directory/sheet.html", qr_code=qr_svg(context["live_url"]), **context)


@bp.route("/espace-partenaire/lieux/<int:place_id>/fermetures", methods=["GET", "POST"])
@login_required
def place_closures(place_id):
    place, closures = services.place_closures(place_id, actor=current_actor())
    form = ClosureForm()
    if not form.is_submitted():
        form.prefill_week(place.opening_hours)
    if form.validate_on_submit():
        try:
            services.add_closure(place_id, form.closure_data(), actor=current_actor())
        except Invalid as error:
            form.show(error)
        else:
            flash(_("La période a été enregistrée : elle s'affiche sur la fiche du lieu."), "success")
            return redirect(url_for(".place_closures", place_id=place_id))
    return render_template("directory/closures.html", place=place, closures=closures, form=form,
                           today=services.paris_today()), 400 if form.errors else 200


@bp.post("/espace-partenaire/fermetures/<int:closure_id>/supprimer")
@login_required
def remove_closure(closure_id):
    closure = services.remove_closure(closure_id, actor=current_actor())
    flash(_("La période a été supprimée."), "success")
    return redirect(url_for(".place_closures", place_id=closure.place_id))


# --- the place picker of other domains' forms (meetings, referrals) ----------------------------

def _picker_limit():
    return current_app.config["RATELIMIT_PLACE_PICKER"]


@bp.get("/espace-partenaire/lieux/choisir")
@login_required
@limiter.limit(_picker_limit)
def pick_place():
    """A few public places whose name or commune begin with ``q``, as JSON, for the picker's list."""
    found = services.find_places_to_pick(request.args.get("q", ""), actor=current_actor())
    return jsonify({"places": [choice.as_json() for choice in found]})


# --- partner space -------------------------------------------------------------------------

@bp.get("/espace-partenaire")
@login_required
def partner_home():
    actor = current_actor()
    return render_template("directory/partner_home.html", entries=services.partner_dashboard(actor=actor),
                           what_waits=waiting.partner_waiting(actor=actor))


@bp.route("/espace-partenaire/organisations/<int:organisation_id>/lieux/nouveau", methods=["GET", "POST"])
@login_required
def new_place(organisation_id):
    organisation = services.get_organisation_for_new_place(organisation_id, actor=current_actor())
    form = PlaceForm(network_labels=services.labels_for_place_form())
    if form.validate_on_submit():
        try:
            place = services.create_place(organisation_id, form.place_data(), actor=current_actor())
        except Invalid as error:
            form.show(error)
        else:
            flash(_("Le lieu « %(name)s » a été ajouté et publié.", name=place.name), "success")
            return redirect(url_for(".partner_home"))
    return render_template("directory/place_form.html", form=form, organisation=organisation,
                           place=None, back_url=_back_url()), 400 if form.errors else 200


@bp.route("/espace-partenaire/lieux/<int:place_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_place(place_id):
    place = services.get_place_for_edit(place_id, actor=current_actor())
    form, conflict = EditPlaceForm(data=EditPlaceForm.initial_data(place),
                                   network_labels=services.labels_for_place_form(place)), None
    if form.validate_on_submit():
        try:
            services.update_place(place_id, form.place_data(), actor=current_actor(), expected_version=form.version.data)
        except Invalid as error:
            form.show(error)
        except Conflict as error:
            conflict = error
            form.rebase(error.details["current_version"])
        else:
            flash(_("Les modifications ont été enregistrées."), "success")
            return _back()
    status = 409 if conflict else 400 if form.errors else 200
    return render_template("directory/place_form.html", form=form, organisation=place.organisation,
                           place=place, conflict=conflict, back_url=_back_url()), status


@bp.post("/espace-partenaire/lieux/<int:place_id>/publication")
@login_required
def publish_place(place_id):
    published = request.form.get("published") == "1"
    place = services.set_published(place_id, published, actor=current_actor())
    if published:
        flash(_("« %(name)s » est publié dans l'annuaire.", name=place.name), "success")
    else:
        flash(_("« %(name)s » est retiré de l'annuaire public.", name=place.name), "success")
    return _back()


@bp.post("/espace-partenaire/lieux/<int:place_id>/confirmer")
@login_required
def confirm_place(place_id):
    place = services.confirm_place_accurate(place_id, actor=current_actor())
    flash(_("Merci : les informations de « %(name)s » sont confirmées à jour.", name=place.name), "success")
    return _back()


@bp.route("/espace-partenaire/lieux/<int:place_id>/supprimer", methods=["GET", "POST"])
@login_required
def delete_place(place_id):
    if request.method == "GET":
        place = services.get_place_for_edit(place_id, actor=current_actor())
        return render_template("directory/place_delete.html", place=place, back_url=_back_url())
    place = services.delete_place(place_id, actor=current_actor())
    flash(_("Le lieu « %(name)s » a été supprimé.", name=place.name), "success")
    return _back()


# --- coordination --------------------------------------------------------------------------

def _render_network_places(form=None, status=200):
    args, actor = list_args(), current_actor()
    organisation_id = request.args.get("organisation", type=int)
    published = {"oui": True, "non": False}.get(request.args.get("publie", ""))
    places = services.network_places(actor=actor, organisation_id=organisation_id, published=published, **args.service())
    form = form or PlacesActionForm(formdata=None, next=request.full_path.rstrip("?"))
    return render_template("directory/network_places.html", places=places, args=args, organisation_id=organisation_id,
                           published=published, organisations=services.organisations_with_places(actor=actor),
                           misplaced=placement.misplaced_places(actor=actor), form=form,
                           list_endpoint="directory.network_places"), status


@bp.get("/coordination/lieux")
@login_required
def network_places():
    """One page of the network's places: search, filters, sort and page in the address (issue 18)."""
    return _render_network_places()


@bp.post("/coordination/lieux/action")
@login_required
def network_places_action():
    """The list's action bar: publish or withdraw the places ticked; back to the same page of the list."""
    form = PlacesActionForm()
    if form.validate():
        try:
            count = services.change_places_publication(form.chosen(), action=form.action.data, actor=current_actor())
        except Invalid as error:
            show_errors(form, error)
        else:
            flash(PLACES_DONE[form.action.data](count), "success")
            return redirect(safe_next_url(form.next.data) or url_for(".network_places"))
    return _render_network_places(form, status=400)


PLACES_DONE = {
    "publier": lambda num: ngettext("%(num)s lieu publié.", "%(num)s lieux publiés.", num),
    "retirer": lambda num: ngettext("%(num)s lieu retiré de l'annuaire.", "%(num)s lieux retirés de l'annuaire.", num),
}


@bp.route("/coordination/labels", methods=["GET", "POST"])
@login_required
def network_labels():
    labels, form = services.all_labels(actor=current_actor()), NetworkLabelForm()
    if form.validate_on_submit():
        try:
            label = services.create_label(form.label_data(), actor=current_actor())
        except Invalid as error:
            form.show(error)
        else:
            flash(_("Le label « %(name)s » a été créé : les partenaires peuvent le cocher sur leurs lieux.",
                    name=label.name), "success")
            return redirect(url_for(".network_labels"))
    return render_template("directory/network_labels.html", labels=labels, form=form,
                           usage=services.label_usage(actor=current_actor())), 400 if form.has_errors else 200


@bp.route("/coordination/labels/<int:label_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_network_label(label_id):
    label = services.get_label_for_edit(label_id, actor=current_actor())
    form = NetworkLabelForm(obj=label)
    if form.validate_on_submit():
        try:
            services.update_label(label_id, form.label_data(), actor=current_actor())
        except Invalid as error:
            form.show(error)
        else:
            flash(_("Le label a été enregistré."), "success")
            return redirect(url_for(".network_labels"))
    return render_template("directory/network_label_form.html", label=label, form=form), 400 if form.has_errors else 200


@bp.post("/coordination/labels/<int:label_id>/activation")
@login_required
def activate_network_label(label_id):
    active = request.form.get("active") == "1"
    label = services.set_label_active(label_id, active, actor=current_actor())
    if active:
        flash(_("Le label « %(name)s » est de nouveau proposé aux partenaires.", name=label.name), "success")
    else:
        flash(_("Le label « %(name)s » est désactivé : il n'est plus proposé ni affiché au public.",
                name=label.name), "success")
    return redirect(url_for(".network_labels"))


# --- public search (/recherche): the form, the results, the map ------------------------------

@bp.app_template_filter("postal_address")
def postal_address(place, town_only: bool = False) -> str:
    """ "12 rue de la Mairie, 44000 Nantes", without the parts a place imported by its coordinates
    lacks (issue 15); ``town_only``: "44000 Nantes"."""
    town = " ".join(filter(None, (place.postcode, place.commune)))
    if town_only:
        return town
    return ", ".join(filter(None, (place.address, town))) or _("Adresse non renseignée")


def opening_status(place, at=None) -> str:
    """``at``: the moment of the search the place was found by (the status says « demain » from then)."""
    return hours.status_text(place, at or utcnow())


@bp.app_template_filter("vocabulary_label")
def vocabulary_label_filter(value: str) -> str:
    """A value of the national vocabulary in the page's language (the value itself stays French)."""
    return vocabulary_label(value)


@bp.context_processor
def search_helpers():
    return {"format_distance": format_distance, "distance": distance, "opening_status": opening_status,
            "search_url": search_url, "facet_groups": facet_groups, "search_summary": search_summary}


@bp.get("/recherche")
@translated
def search():
    form = SearchForm(request.args, default_radius_km=current_app.config["SEARCH_DEFAULT_RADIUS_KM"],
                      network_labels=services.active_labels())
    search_request = services.SearchRequest(**form.request_data())
    # paging through one search logs it once: only its first page is logged
    results = services.search_places(search_request, log=search_request.page == 1)
    return render_template("directory/search.html", form=form, results=results,
                           results_map=results_map_html(results), map_limit=services.SEARCH_MAP_LIMIT,
                           cluster_threshold=maps.CLUSTER_THRESHOLD)
