"""The public search page's wording and links (home, « Je cherche… », /recherche): what the
templates show around the results, in the page's language. The views stay in ``views``."""
from flask import current_app, request, url_for
from flask_babel import format_decimal, gettext, lazy_gettext, ngettext
from markupsafe import Markup

from coordination.directory import maps
from coordination.directory.forms import (
    FACET_LABELS, FACET_PARAMS, NETWORK_LABELS_HEADING, NETWORK_LABELS_PARAM, kilometres)
from coordination.security import csp_nonce
from coordination.vocabularies import TYPOLOGIES, label as vocabulary_label
from coordination.web.i18n import DEFAULT, current_language

# « Je cherche… »: the needs residents name most, in their words (label, search). Each search is
# a term of the needs vocabulary, so it finds the places offering the service, whatever their text.
COMMON_NEEDS = (
    (lazy_gettext("Mes démarches CAF"), "CAF"),
    (lazy_gettext("Mes impôts en ligne"), "impôts"),
    (lazy_gettext("Ma santé, Ameli"), "ameli"),
    (lazy_gettext("Chercher un emploi"), "France Travail"),
    (lazy_gettext("Carte grise, permis, papiers"), "carte grise"),
    (lazy_gettext("Imprimer ou scanner"), "imprimer"),
    (lazy_gettext("Utiliser mon smartphone"), "smartphone"),
    (lazy_gettext("Apprendre l'ordinateur"), "ordinateur"),
    (lazy_gettext("Un accès à internet"), "wifi"),
    (lazy_gettext("Une adresse e-mail"), "mail"),
    (lazy_gettext("Éviter les arnaques"), "arnaques"),
)


def distance(km) -> str:
    """ "350 m", "1,2 km" ("1.2 km" in English), "12 km": in the page's language, never wrapped."""
    if km < 1:
        text = gettext("%(number)s m", number=format_decimal(max(10, round(km * 1000, -1)), format="#,##0"))
    else:
        text = gettext("%(number)s km", number=format_decimal(km, format="#,##0.0" if km < 10 else "#,##0"))
    return text.replace(" ", "\u00a0")


def format_distance(km) -> str:
    """ "à 350 m", "à 1,2 km", "à 12 km" (how far a place is from the search's point)."""
    return "" if km is None else gettext("à %(distance)s", distance=distance(km))


def search_url(**changes) -> str:
    """This search's URL with some parameters changed (None removes one); every other one is kept."""
    args = request.args.to_dict(flat=False)
    args.update(changes)  # keeps the order of the parameters already there
    return url_for("directory.search", **{name: value for name, value in args.items() if value is not None})


def facet_groups(form, results) -> list[dict]:
    """The filter checkboxes: the values found in the results, with their counts, and the checked ones."""
    groups = []
    for param, key in FACET_PARAMS.items():
        checked = form.facets.get(key, [])
        counts = dict(results.facets.get(key, []))
        values = [value for value, count in counts.items() if count or value in checked]
        values += [value for value in checked if value not in counts]
        options = [{"value": value, "label": vocabulary_label(TYPOLOGIES.get(value, value) if key == "typology"
                                                              else value),
                    "count": counts.get(value, 0), "checked": value in checked} for value in values]
        if options:
            groups.append({"param": param, "label": FACET_LABELS[key], "options": options})
        if key == "labels":
            groups.extend(network_label_groups(form, results))
    return groups


def in_french(text: str) -> Markup:
    """What the network writes (always French), marked so on a page in another language."""
    language = current_language()
    if language.code == DEFAULT:
        return Markup("{}").format(text)
    direction = ' dir="ltr"' if language.direction == "rtl" else ""
    return Markup('<span lang="fr"{}>{}</span>').format(Markup(direction), text)


def network_label_groups(form, results) -> list[dict]:
    """The network's own labels as one more filter (none when no place of the results carries one)."""
    checked = form.facets.get("network_labels", [])
    counts = dict(results.facets.get("network_labels", []))
    options = [{"value": label.code, "label": in_french(label.name), "count": counts.get(label.id, 0),
                "checked": label.id in checked}
               for label in form.network_labels if counts.get(label.id) or label.id in checked]
    return [{"param": NETWORK_LABELS_PARAM, "label": NETWORK_LABELS_HEADING, "options": options}] if options else []


def search_summary(form, results) -> str:
    """The folded form on a phone: « CAF · Rezé · 10 km · ouvert maintenant »."""
    parts = [form.text or gettext("Tous les lieux")]
    if results.location:
        parts.append(results.location.label)
        if results.radius_km:
            parts.append(kilometres(results.radius_km).replace(" ", "\u00a0"))
    elif form.where:
        parts.append(form.where)
    if form.open_now:
        parts.append(gettext("ouvert maintenant"))
    if form.open_saturday:
        parts.append(gettext("ouvert le samedi"))
    filters = sum(len(values) for values in form.facets.values())
    if filters:
        parts.append(ngettext("%(num)s filtre", "%(num)s filtres", filters))
    return " · ".join(parts)


def results_map_html(results) -> str:
    """The map of the whole result set (``results.map_points``, up to 5,000), not only the page's:
    plain markers up to maps.CLUSTER_THRESHOLD, one FastMarkerCluster beyond."""
    if not results.map_points:
        return ""
    # url_for once: each place's link is the same path with its own id (5,000 url_for cost ~30 ms)
    prefix = url_for("directory.place_page", public_id="__ID__").removesuffix("__ID__")
    places = [maps.MapPlace(point.latitude, point.longitude, point.name, prefix + point.public_id,
                            " — ".join(filter(None, (format_distance(point.distance_km), point.commune))))
              for point in results.map_points]
    center = (results.location.latitude, results.location.longitude) if results.location else None
    return maps.results_map(places, center, tile_url=current_app.config["MAP_TILE_URL"],
                            attribution=current_app.config["MAP_TILE_ATTRIBUTION"], nonce=csp_nonce(),
                            vendor=request.script_root + "/vendor", label=gettext("Carte des résultats"),
                            zoom=(gettext("Zoomer"), gettext("Dézoomer")))
