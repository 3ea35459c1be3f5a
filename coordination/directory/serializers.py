"""Places in the national standard "Lieux de médiation numérique" 1.0.1, one record per place.

The open-data files, the API and the import all read this module, so a column is spelled, ordered
and filled in one place. The schema checks the shape of each column; what it does not check
(vocabulary values, one phone, OSM hours, typology codes, the 280-character summary) is
guaranteed here.
"""
import functools
from datetime import UTC, date, datetime

from coordination.core.clock import PARIS
from coordination.directory import hours
from coordination.directory.validation import SUMMARY_MAX
from coordination.core.validators import FRENCH_PHONE
from coordination.core.validators import format_phone as format_phone  # phones as people read them
from coordination.vocabularies import KIND_TO_TYPOLOGY, PLACE_VOCABULARIES, TYPOLOGY_CODES

STANDARD_VERSION = "1.0.1"
STANDARD_SCHEMA_URL = "https://raw.githubusercontent.com/LaMednum/standard-mediation-num/v1.0.1/schema.json"
STANDARD_HOMEPAGE = "https://schema.data.gouv.fr/LaMednum/standard-mediation-num/"

# Schema order: the CSV header and the JSON keys follow it.
STANDARD_FIELDS = (
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse",
    "latitude", "longitude", "typologie", "telephone", "courriels", "site_web", "horaires",
    "presentation_resume", "presentation_detail", "source", "itinerance", "structure_parente",
    "date_maj", "services", "publics_specifiquement_adresses", "prise_en_charge_specifique",
    "frais_a_charge", "dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels",
    "modalites_acces", "modalites_accompagnement", "fiche_acces_libre", "prise_rdv",
)
REQUIRED_FIELDS = ("id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj")
# Beyond the standard, in the JSON files and the API only (the CSV keeps the standard's 32 columns):
# `id_source`, the place's id in the file it was imported from (null for a place entered here),
# so that an aggregator matches the pair (`source`, `id_source`) with its own places.
EXTRA_FIELDS = ("id_source",)
RECORD_FIELDS = STANDARD_FIELDS + EXTRA_FIELDS

# Standard column -> Place attribute, for the columns that map one to one.
TEXT_COLUMNS = {
    "nom": "name", "commune": "commune", "code_postal": "postcode", "code_insee": "insee_code",
    "adresse": "address", "complement_adresse": "address_complement", "telephone": "phone",
    "site_web": "website", "horaires": "opening_hours", "presentation_resume": "summary",
    "presentation_detail": "description", "structure_parente": "parent_structure",
    "fiche_acces_libre": "accessibility_url", "prise_rdv": "appointment_url",
}
# Multi-valued columns ("|"-separated) -> Place attribute holding a list.
LIST_COLUMNS = {
    **{column: name for name, (_, _, column) in PLACE_VOCABULARIES.items()},
    "courriels": "emails",
    "autres_formations_labels": "other_labels",
}
NUMBER_COLUMNS = {"latitude": "latitude", "longitude": "longitude"}
SEPARATOR = "|"
COORDINATE_DECIMALS = 6  # about 11 cm: written on export, kept on import (imports/plan.py), so a round trip is exact


def join(values) -> str | None:
    """A multi-valued column: exact values, "|" without spaces, None when empty."""
    items = [str(v).strip() for v in values or () if v and str(v).strip()]
    return SEPARATOR.join(items) or None


def split(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(SEPARATOR) if part.strip()]


def cut_at_word(text: str | None, limit: int = SUMMARY_MAX) -> str | None:
    """At most ``limit`` characters, cut after the last whole word, with an ellipsis."""
    if not text or len(text) <= limit:
        return text or None
    head = text[: limit - 1]
    if " " in head and not text[limit - 1].isspace():
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.-") + "…"


def last_update(place) -> date:
    """date_maj: the last edit, or the last time the partner confirmed the listing, in Paris time.
    A confirmed listing is up to date on that day, which is what reusers sort and filter on."""
    moments = [m for m in (place.updated_at, place.verified_at) if m is not None]
    latest = max(moments) if moments else datetime.now(UTC).replace(tzinfo=None)
    return latest.replace(tzinfo=UTC).astimezone(PARIS).date()


def typology(place) -> list[str]:
    """data·inclusion v0 codes: the place's own, else the one its organisation's kind maps to."""
    codes = [code for code in place.typology or () if code in TYPOLOGY_CODES]
    if codes:
        return codes
    code = KIND_TO_TYPOLOGY.get(place.organisation.kind)
    return [code] if code else []


def _phone(value: str | None) -> str | None:
    return value if value and FRENCH_PHONE.match(value) else None


@functools.lru_cache(maxsize=4096)  # a directory repeats a few hundred distinct hour strings
def _hours(value: str | None) -> str | None:
    """The regular hours (temporary closures are not part of the standard); never an invalid string."""
    if not value:
        return None
    try:
        return hours.validate(value) or None
    except hours.HoursError:
        return None


def _vocabulary(name: str, values) -> list[str]:
    if name == "typology":
        return list(values or ())
    chosen = set(values or ())
    return [value for value in PLACE_VOCABULARIES[name][0] if value in chosen]


def other_labels(place, network_labels=None) -> list[str]:
    """``autres_formations_labels``: the place's own other labels, then the names of the network's
    labels it carries (``network_labels``: active label id -> name), each once (whatever its case)."""
    names = [*(place.other_labels or ()),
             *((network_labels or {}).get(label_id) for label_id in getattr(place, "network_labels", None) or ())]
    seen, labels = set(), []
    for name in names:
        if name and name.strip().casefold() not in seen:
            seen.add(name.strip().casefold())
            labels.append(name)
    return labels


def standard_record(place, *, source: str, network_labels=None) -> dict:
    """One place as a record of the standard, keys in schema order then ``EXTRA_FIELDS``; None for
    an empty column. ``source`` is the network's name: the `source` of the places entered here; an
    imported place keeps its file's producer. ``place.organisation`` must be loaded (the pivot and
    the typology come from it). ``network_labels``: the network's active labels (id -> name,
    ``services.active_label_names``), published among ``autres_formations_labels``."""
    summary = place.summary
    description = place.description
    resume = cut_at_word(summary)
    if resume != (summary or None):  # the full text stays in the detailed presentation
        description = summary if not description else f"{summary}\n\n{description}"
    record = dict.fromkeys(RECORD_FIELDS)
    for column, attribute in TEXT_COLUMNS.items():
        record[column] = getattr(place, attribute) or None
    for column, attribute in LIST_COLUMNS.items():
        values = getattr(place, attribute)
        if attribute in PLACE_VOCABULARIES:
            values = _vocabulary(attribute, values)
        record[column] = join(values)
    record.update(
        id=place.public_id,
        pivot=place.organisation.pivot,
        latitude=round(place.latitude, COORDINATE_DECIMALS) if place.latitude is not None else None,
        longitude=round(place.longitude, COORDINATE_DECIMALS) if place.longitude is not None else None,
        typologie=join(typology(place)),
        telephone=_phone(place.phone),
        horaires=_hours(place.opening_hours),
        presentation_resume=resume,
        presentation_detail=description or None,
        site_web=join([place.website, *(getattr(place, "other_websites", None) or ())]),
        source=getattr(place, "source", None) or source,
        date_maj=last_update(place).isoformat(),
        id_source=getattr(place, "source_id", None),
        autres_formations_labels=join(other_labels(place, network_labels)),
    )
    return record


def csv_value(value) -> str:
    """A record's value as the CSV writes it: empty for None, a decimal point for numbers."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)
