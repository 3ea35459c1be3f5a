"""Validation and normalisation of place data, shared by the place form, the services and the
CLI/import: every rule of the national standard "Lieux de médiation numérique" 1.0.1 lives here.

Each ``clean_*`` function takes what a person or a file gives (strings, lists) and returns the value
to store, or raises ``FieldError`` with a French message. ``clean_place`` applies them to a whole
dict and raises ``Invalid(errors={field: [message]})``.
"""
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext

from coordination.core import csv_writer, validators
from coordination.core.validators import FieldError, email_items, format_phone  # noqa: F401 (the import's API)
from coordination.directory import hours
from coordination.errors import Invalid
from coordination.vocabularies import COORDINATE_SOURCES, PLACE_VOCABULARIES, TYPOLOGIES


# Field -> French label (the form's labels, and the conflict table).
LABELS = {
    "name": lazy_gettext("Nom du lieu"),
    "address": lazy_gettext("Adresse"),
    "address_complement": lazy_gettext("Complément d'adresse"),
    "postcode": lazy_gettext("Code postal"),
    "commune": lazy_gettext("Commune"),
    "insee_code": lazy_gettext("Code INSEE de la commune"),
    "latitude": lazy_gettext("Latitude"),
    "longitude": lazy_gettext("Longitude"),
    "coordinates_source": lazy_gettext("Origine des coordonnées"),
    "opening_hours": lazy_gettext("Horaires d'ouverture"),
    "phone": lazy_gettext("Téléphone"),
    "emails": lazy_gettext("Adresses électroniques"),
    "website": lazy_gettext("Site web"),
    "other_websites": lazy_gettext("Autres sites web"),
    "appointment_url": lazy_gettext("Lien de prise de rendez-vous"),
    "accessibility_url": lazy_gettext("Fiche Accès libre (accessibilité)"),
    "summary": lazy_gettext("Présentation résumée"),
    "description": lazy_gettext("Présentation détaillée"),
    "parent_structure": lazy_gettext("Structure parente"),
    "other_labels": lazy_gettext("Autres formations et labels"),
    "network_labels": lazy_gettext("Labels du réseau"),
    "fee_details": lazy_gettext("Conditions de gratuité ou tarifs"),
    **{name: label for name, (_, label, _) in PLACE_VOCABULARIES.items()},
    "published": lazy_gettext("Publié"),
    "accepts_referrals": lazy_gettext("Accepte les orientations des partenaires"),
}
FEE_DETAILS_MAX = 300  # a sentence or two beside the fee on the place page
REQUIRED = ("name", "address", "postcode", "commune", "services")
MAX_LENGTHS = {"name": 250, "address": 250, "address_complement": 250, "commune": 150,
               "parent_structure": 250, "description": 10_000, "fee_details": FEE_DETAILS_MAX}
SUMMARY_MAX = 280
# Issue 13, finding 7: these end up in mail subjects, page titles and CSV cells.
ONE_LINE_FIELDS = ("name", "address", "address_complement", "commune", "parent_structure")
# Issue 13, finding 8: free texts published in the open-data CSV refuse a formula's first character.
FORMULA_FIELDS = ("name", "address", "address_complement", "commune", "summary", "description",
                  "parent_structure", "other_labels")


def formula_in(name: str, value) -> bool:
    """Whether a cleaned value of a free-text field starts like a spreadsheet formula."""
    values = value if isinstance(value, list) else [value]
    return name in FORMULA_FIELDS and any(csv_writer.starts_like_formula(v) for v in values)
URL_FIELDS = ("website", "appointment_url", "accessibility_url")



def _text(value) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def _optional(value) -> str | None:
    return _text(value) or None


def clean_text(value, *, name: str | None = None) -> str | None:
    clean = validators.one_line if name in ONE_LINE_FIELDS else validators.text
    return clean(value, max_length=MAX_LENGTHS.get(name or ""))


def clean_coordinate(value, *, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value.strip().replace(",", ".") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise FieldError(_("Saisissez un nombre décimal, par exemple 47.2184.")) from None
    if not low <= number <= high:
        raise FieldError(_("La valeur doit être comprise entre %(low)s et %(high)s.", low=format(low, "g"), high=format(high, "g")))
    return number


def clean_phone(value) -> str | None:
    """The national standard takes French numbers only (metropole and overseas)."""
    return validators.phone(value, french_only=True)


def clean_summary(value) -> str | None:
    text = _optional(value)
    if text and len(text) > SUMMARY_MAX:
        raise FieldError(_("La présentation résumée doit faire au plus %(max)s caractères (actuellement %(length)s).",
                           max=SUMMARY_MAX, length=len(text)))
    return text


def clean_other_labels(value) -> list[str]:
    return list(dict.fromkeys(validators.items(value, r"[\n|]")))


def clean_network_labels(value) -> list[int]:
    """The ids of the network's labels, as ticked (checkbox values are strings), without duplicates;
    the services check that they exist and may be ticked (``services.labels``)."""
    ids = []
    for item in value or ():
        text = str(item).strip()
        if not (text.isascii() and text.isdecimal()):
            raise FieldError(_("Label du réseau inconnu."))
        if int(text) not in ids:
            ids.append(int(text))
    return ids


def clean_vocabulary(name: str, value) -> list[str]:
    allowed = PLACE_VOCABULARIES[name][0]
    values = validators.items(value, r"[|\n]") if isinstance(value, str) else [_text(v) for v in value or [] if _text(v)]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise FieldError(ngettext("Valeur inconnue : %(values)s.", "Valeurs inconnues : %(values)s.", len(unknown),
                                  values=", ".join(_("« %(value)s »", value=v) for v in unknown)))
    return [v for v in allowed if v in values]  # the standard's order, without duplicates


def clean_opening_hours(value) -> str | None:
    try:
        return hours.validate(_text(value)) or None
    except hours.HoursError as error:
        raise FieldError(str(error)) from None


def clean_coordinates_source(value) -> str | None:
    text = _optional(value)
    if text and text not in COORDINATE_SOURCES:
        raise FieldError(_("Origine inconnue : choisissez parmi %(sources)s.", sources=", ".join(COORDINATE_SOURCES)))
    return text


CLEANERS = {
    "name": lambda v: clean_text(v, name="name"),
    "address": lambda v: clean_text(v, name="address"),
    "address_complement": lambda v: clean_text(v, name="address_complement"),
    "postcode": validators.postcode,
    "commune": lambda v: clean_text(v, name="commune"),
    "insee_code": validators.insee_code,
    "latitude": lambda v: clean_coordinate(v, low=-90, high=90),
    "longitude": lambda v: clean_coordinate(v, low=-180, high=180),
    "coordinates_source": clean_coordinates_source,
    "opening_hours": clean_opening_hours,
    "phone": clean_phone,
    "emails": validators.emails,
    **{name: validators.url for name in URL_FIELDS},
    "other_websites": validators.urls,
    "summary": clean_summary,
    "description": lambda v: clean_text(v, name="description"),
    "parent_structure": lambda v: clean_text(v, name="parent_structure"),
    "other_labels": clean_other_labels,
    "network_labels": clean_network_labels,
    "fee_details": lambda v: clean_text(v, name="fee_details"),
    **{name: (lambda v, name=name: clean_vocabulary(name, v)) for name in PLACE_VOCABULARIES},
    "published": bool,
    "accepts_referrals": bool,
}
assert set(TYPOLOGIES) <= set(PLACE_VOCABULARIES["typology"][0])

REQUIRED_MESSAGES = {"services": lazy_gettext("Choisissez au moins un service.")}


def clean_place(data: dict, *, partial: bool = False) -> dict:
    """Cleans every given field; with ``partial=False`` the standard's required fields must be there.
    Raises Invalid with one French message list per field."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(CLEANERS))
    for name in unknown:
        errors[name] = [_("Champ inconnu.")]
    cleaned = {}
    for name, value in data.items():
        if name in CLEANERS:
            try:
                cleaned[name] = CLEANERS[name](value)
            except FieldError as error:
                errors[name] = [str(error)]
            else:
                if formula_in(name, cleaned[name]):
                    errors[name] = [csv_writer.FORMULA_MESSAGE]
    for name in REQUIRED:
        if name in errors or (partial and name not in data):
            continue
        if not cleaned.get(name):
            errors[name] = [REQUIRED_MESSAGES.get(name) or _("Ce champ est obligatoire.")]
    if "latitude" in cleaned or "longitude" in cleaned:
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not {"latitude", "longitude"} & set(errors):
            missing = "longitude" if longitude is None else "latitude"
            errors[missing] = [_("Indiquez la latitude et la longitude, ou aucune des deux.")]
    if errors:
        raise Invalid(_("Certaines informations du lieu ne sont pas valables."), errors=errors)
    return cleaned
