"""Validation and normalisation of place data, shared by the place form, the services and the
CLI/import: every rule of the national standard "Lieux de médiation numérique" 1.0.1 lives here.

Each ``clean_*`` function takes what a person or a file gives (strings, lists) and returns the value
to store, or raises ``FieldError`` with a French message. ``clean_place`` applies them to a whole
dict and raises ``Invalid(errors={field: [message]})``.
"""
import re
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from coordination import formulas, one_line
from coordination.directory import hours
from coordination.errors import Invalid
from coordination.vocabularies import COORDINATE_SOURCES, PLACE_VOCABULARIES, TYPOLOGIES


class FieldError(ValueError):
    """One field's value cannot be saved; the message is in French."""


# Field -> French label (the form's labels, and the conflict table).
LABELS = {
    "name": "Nom du lieu",
    "address": "Adresse",
    "address_complement": "Complément d'adresse",
    "postcode": "Code postal",
    "commune": "Commune",
    "insee_code": "Code INSEE de la commune",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "coordinates_source": "Origine des coordonnées",
    "opening_hours": "Horaires d'ouverture",
    "phone": "Téléphone",
    "emails": "Adresses électroniques",
    "website": "Site web",
    "other_websites": "Autres sites web",
    "appointment_url": "Lien de prise de rendez-vous",
    "accessibility_url": "Fiche Accès libre (accessibilité)",
    "summary": "Présentation résumée",
    "description": "Présentation détaillée",
    "parent_structure": "Structure parente",
    "other_labels": "Autres formations et labels",
    **{name: label for name, (_, label, _) in PLACE_VOCABULARIES.items()},
    "published": "Publié",
    "accepts_referrals": "Accepte les orientations des partenaires",
}
REQUIRED = ("name", "address", "postcode", "commune", "services")
MAX_LENGTHS = {"name": 250, "address": 250, "address_complement": 250, "commune": 150,
               "parent_structure": 250, "description": 10_000}
SUMMARY_MAX = 280
# Issue 13, finding 7: these end up in mail subjects, page titles and CSV cells.
ONE_LINE_FIELDS = ("name", "address", "address_complement", "commune", "parent_structure")
# Issue 13, finding 8: free texts published in the open-data CSV refuse a formula's first character.
FORMULA_FIELDS = ("name", "address", "address_complement", "commune", "summary", "description",
                  "parent_structure", "other_labels")


def formula_in(name: str, value) -> bool:
    """Whether a cleaned value of a free-text field starts like a spreadsheet formula."""
    values = value if isinstance(value, list) else [value]
    return name in FORMULA_FIELDS and any(formulas.starts_like_formula(v) for v in values)
URL_FIELDS = ("website", "appointment_url", "accessibility_url")

INSEE_PATTERN = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")
PHONE_PATTERN = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")
# Metropolitan France first, then the overseas regions whose prefixes the standard accepts.
PHONE_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF")


def _text(value) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def _optional(value) -> str | None:
    return _text(value) or None


def clean_text(value, *, name: str | None = None) -> str | None:
    text = _optional(value)
    if text and name in ONE_LINE_FIELDS and one_line.breaks_line(text):
        raise FieldError(one_line.MESSAGE)
    limit = MAX_LENGTHS.get(name or "")
    if text and limit and len(text) > limit:
        raise FieldError(f"{limit} caractères au maximum (actuellement {len(text)}).")
    return text


def clean_postcode(value) -> str | None:
    text = _text(value).replace(" ", "")
    if not text:
        return None
    if not re.fullmatch(r"\d{5}", text):
        raise FieldError("Le code postal doit comporter 5 chiffres, par exemple 44000.")
    return text


def clean_insee_code(value) -> str | None:
    text = _text(value).replace(" ", "").upper()
    if not text:
        return None
    if not INSEE_PATTERN.match(text):
        raise FieldError("Le code INSEE comporte 5 caractères, par exemple 44109 (Nantes) ou 2A004 (Ajaccio).")
    return text


def clean_coordinate(value, *, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value.strip().replace(",", ".") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise FieldError("Saisissez un nombre décimal, par exemple 47.2184.") from None
    if not low <= number <= high:
        raise FieldError(f"La valeur doit être comprise entre {low:g} et {high:g}.")
    return number


def clean_phone(value) -> str | None:
    text = _text(value)
    if not text:
        return None
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            break
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if PHONE_PATTERN.match(e164):
                return e164
            raise FieldError("Seuls les numéros français (métropole et outre-mer) sont acceptés.")
    raise FieldError("Numéro de téléphone invalide : saisissez par exemple 02 40 12 34 56 ou +33 2 40 12 34 56.")


def format_phone(e164: str | None) -> str:
    """A stored E.164 number as people read it: "02 40 12 34 56"."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def _items(value, separators: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value)
    return [item.strip() for item in re.split(separators, str(value)) if item.strip()]


def email_items(value) -> list[str]:
    """The addresses of a list as the place form splits them (commas, semicolons, spaces)."""
    return _items(value, r"[,;\s]+")


def clean_emails(value) -> list[str]:
    emails, bad = [], []
    for item in email_items(value):
        try:
            email = validate_email(item, check_deliverability=False).normalized
        except EmailNotValidError:
            bad.append(item)
            continue
        if email.lower() not in (e.lower() for e in emails):
            emails.append(email)
    if bad:
        listed = ", ".join(f"« {item} »" for item in bad)
        plural = "s" if len(bad) > 1 else ""
        raise FieldError(f"Adresse{plural} électronique{plural} invalide{plural} : {listed}.")
    return emails


def clean_url(value) -> str | None:
    text = _text(value)
    if not text:
        return None
    if "://" not in text and re.match(r"^[\w.-]+\.[a-z]{2,}(/|$)", text, re.IGNORECASE):
        text = "https://" + text  # "www.exemple.fr" is what people type
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or "." not in parts.netloc or re.search(r"\s", text):
        raise FieldError("Adresse web invalide : elle doit commencer par https:// ou http://, "
                         "par exemple https://www.exemple.fr.")
    if len(text) > 500:
        raise FieldError("500 caractères au maximum.")
    return text


def clean_urls(value) -> list[str]:
    """Several URLs (a list, or one per line or "|"), each as ``clean_url`` wants it, without duplicates."""
    return list(dict.fromkeys(url for url in map(clean_url, _items(value, r"[\n|]")) if url))


def clean_summary(value) -> str | None:
    text = _optional(value)
    if text and len(text) > SUMMARY_MAX:
        raise FieldError(f"La présentation résumée doit faire au plus {SUMMARY_MAX} caractères "
                         f"(actuellement {len(text)}).")
    return text


def clean_other_labels(value) -> list[str]:
    return list(dict.fromkeys(_items(value, r"[\n|]")))


def clean_vocabulary(name: str, value) -> list[str]:
    allowed = PLACE_VOCABULARIES[name][0]
    values = _items(value, r"[|\n]") if isinstance(value, str) else [_text(v) for v in value or [] if _text(v)]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise FieldError("Valeur inconnue : " + ", ".join(f"« {v} »" for v in unknown) + ".")
    return [v for v in allowed if v in values]  # the standard's order, without duplicates


def clean_opening_hours(value) -> str | None:
    try:
        return hours.validate(_text(value)) or None
    except hours.HoursError as error:
        raise FieldError(str(error)) from None


def clean_coordinates_source(value) -> str | None:
    text = _optional(value)
    if text and text not in COORDINATE_SOURCES:
        raise FieldError("Origine inconnue : " + ", ".join(COORDINATE_SOURCES) + ".")
    return text


CLEANERS = {
    "name": lambda v: clean_text(v, name="name"),
    "address": lambda v: clean_text(v, name="address"),
    "address_complement": lambda v: clean_text(v, name="address_complement"),
    "postcode": clean_postcode,
    "commune": lambda v: clean_text(v, name="commune"),
    "insee_code": clean_insee_code,
    "latitude": lambda v: clean_coordinate(v, low=-90, high=90),
    "longitude": lambda v: clean_coordinate(v, low=-180, high=180),
    "coordinates_source": clean_coordinates_source,
    "opening_hours": clean_opening_hours,
    "phone": clean_phone,
    "emails": clean_emails,
    **{name: clean_url for name in URL_FIELDS},
    "other_websites": clean_urls,
    "summary": clean_summary,
    "description": lambda v: clean_text(v, name="description"),
    "parent_structure": lambda v: clean_text(v, name="parent_structure"),
    "other_labels": clean_other_labels,
    **{name: (lambda v, name=name: clean_vocabulary(name, v)) for name in PLACE_VOCABULARIES},
    "published": bool,
    "accepts_referrals": bool,
}
assert set(TYPOLOGIES) <= set(PLACE_VOCABULARIES["typology"][0])

REQUIRED_MESSAGES = {"services": "Choisissez au moins un service."}


def clean_place(data: dict, *, partial: bool = False) -> dict:
    """Cleans every given field; with ``partial=False`` the standard's required fields must be there.
    Raises Invalid with one French message list per field."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(CLEANERS))
    for name in unknown:
        errors[name] = ["Champ inconnu."]
    cleaned = {}
    for name, value in data.items():
        if name in CLEANERS:
            try:
                cleaned[name] = CLEANERS[name](value)
            except FieldError as error:
                errors[name] = [str(error)]
            else:
                if formula_in(name, cleaned[name]):
                    errors[name] = [formulas.MESSAGE]
    for name in REQUIRED:
        if name in errors or (partial and name not in data):
            continue
        if not cleaned.get(name):
            errors[name] = [REQUIRED_MESSAGES.get(name, "Ce champ est obligatoire.")]
    if "latitude" in cleaned or "longitude" in cleaned:
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not {"latitude", "longitude"} & set(errors):
            missing = "longitude" if longitude is None else "latitude"
            errors[missing] = ["Indiquez la latitude et la longitude, ou aucune des deux."]
    if errors:
        raise Invalid("Certaines informations du lieu ne sont pas valables.", errors=errors)
    return cleaned
