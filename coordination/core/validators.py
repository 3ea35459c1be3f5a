"""What people and files type, checked and normalised once for every domain: texts, one-line
texts, emails, phones, URLs, SIRET/RNA, French postcodes and INSEE codes.

Each function takes what was typed (a string, None, sometimes a list) and returns the value to
store (None or [] when empty), or raises ``FieldError`` with a French message. ``checked`` turns
that into the services' contract, ``Invalid(errors={field: [message]})``; the forms' ``Clean``
(``coordination.web.forms``) puts it next to the field.

One-line texts (names, titles, subjects, addresses) end up in mail subjects and headers, .ics
lines, CSV cells and page titles: a line break of any kind, or a control character, is refused
(a tab becomes a space); an import collapses line breaks to a space and warns (``collapse``).
"""
import re
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.fr import siret as stdnum_siret

from coordination.core.french import typography
from coordination.errors import Invalid


def N_(message: str) -> str:
    """Marks a message for the catalogue (pybabel extracts ``N_``); core cannot translate (no Flask)."""
    return message


class FieldError(ValueError):
    """One field's value cannot be saved. ``str()`` is the French message as displayed (typeset);
    ``message`` and ``values`` let the web edge translate it (``gettext(message, **values)``)."""

    def __init__(self, message: str, **values):
        self.message, self.values = message, values
        super().__init__(typography(message) % values if values else typography(message))


def checked(field: str, clean, value, **options):
    """``clean(value, **options)``; its FieldError as the services' ``Invalid`` on ``field``."""
    try:
        return clean(value, **options)
    except FieldError as error:
        raise Invalid(errors={field: [str(error)]}) from None


# --- texts ---------------------------------------------------------------------------------------

# \n, \v, \f, \r, the file/group/record separators \x1c-\x1e, NEL, and the Unicode line and
# paragraph separators: everything ``str.splitlines`` splits on.
LINE_BREAKS = "\n\x0b\x0c\r\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
_BREAKS_AND_SPACES = re.compile(rf"[{LINE_BREAKS}\s]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")  # C0 and C1 but tab and line breaks
_SPACES = re.compile(r"[ \t]+")
ONE_LINE = N_("Ce champ doit tenir sur une seule ligne, sans retour à la ligne ni caractère de contrôle.")
CONTROL = N_("Ce champ contient un caractère de contrôle : retirez-le.")


def breaks_line(text: str | None) -> bool:
    """Whether the text holds a line break of any kind."""
    return bool(text) and _LINE_BREAK.search(text) is not None


def collapse(text: str | None) -> str:
    """The text on one line: every run of line breaks and spaces becomes one space, trimmed."""
    return _BREAKS_AND_SPACES.sub(" ", text or "").strip()


def _strip(value) -> str:
    return "" if value is None else str(value).strip()


def _within(text: str, max_length: int | None) -> str:
    if max_length and len(text) > max_length:
        raise FieldError(N_("%(max)s caractères au maximum (actuellement %(length)s)."), max=max_length, length=len(text))
    return text


def one_line(value, *, max_length: int | None = None) -> str | None:
    """A trimmed one-line text, its runs of spaces and tabs made one space."""
    text = _strip(value)
    if breaks_line(text) or _CONTROL.search(text):
        raise FieldError(ONE_LINE)
    return _within(_SPACES.sub(" ", text), max_length) or None


def text(value, *, max_length: int | None = None) -> str | None:
    """A trimmed text of several lines (line breaks normalised to \\n); no control character."""
    text = _strip(value).replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        raise FieldError(CONTROL)
    return _within(text, max_length) or None


def items(value, separators: str) -> list[str]:
    """The non-empty, trimmed items of a list, or of a text split on ``separators`` (a regex class)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value)
    return [item.strip() for item in re.split(separators, str(value)) if item.strip()]


# --- email ---------------------------------------------------------------------------------------

INVALID_EMAIL = N_("Adresse électronique invalide.")


def email(value) -> str | None:
    """An address as email-validator normalises it (the domain lower-cased); no deliverability check."""
    text = _strip(value)
    if not text:
        return None
    if breaks_line(text) or _CONTROL.search(text):
        raise FieldError(ONE_LINE)
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise FieldError(INVALID_EMAIL) from None


def email_items(value) -> list[str]:
    """The addresses of a list as people type them (commas, semicolons, spaces between them)."""
    return items(value, r"[,;\s]+")


def emails(value) -> list[str]:
    """Several addresses, each as ``email`` wants it, without duplicates (case aside)."""
    found, bad = [], []
    for item in email_items(value):
        try:
            address = email(item)
        except FieldError:
            bad.append(item)
            continue
        if address.lower() not in (e.lower() for e in found):
            found.append(address)
    if bad:
        listed = ", ".join(f"«\u00a0{item}\u00a0»" for item in bad)
        if len(bad) == 1:
            raise FieldError(N_("Adresse électronique invalide : %(listed)s."), listed=listed)
        raise FieldError(N_("Ces adresses électroniques ne sont pas valides : %(listed)s."), listed=listed)
    return found


# --- phone ---------------------------------------------------------------------------------------

# Metropolitan France first, then the overseas regions whose prefixes the national standard accepts:
# « 0590 12 34 56 » is a number of Guadeloupe, not of the metropole.
PHONE_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF")
FRENCH_PHONE = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")
INVALID_PHONE = N_("Numéro de téléphone invalide : saisissez par exemple 02 40 12 34 56 ou +33 2 40 12 34 56.")


def phone(value, *, french_only: bool = False) -> str | None:
    """A phone number of France (metropole and overseas, national or international form) in E.164,
    e.g. +33240000000; another country's in international form too, unless ``french_only`` (the
    national standard's places)."""
    text = _strip(value)
    if not text:
        return None
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            break
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if french_only and not FRENCH_PHONE.match(e164):
                raise FieldError(N_("Seuls les numéros français (métropole et outre-mer) sont acceptés."))
            return e164
    raise FieldError(INVALID_PHONE)


def format_phone(e164: str | None) -> str:
    """A stored E.164 number as people read it: "02 40 12 34 56"."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


# --- URL -----------------------------------------------------------------------------------------

URL_MAX = 500


def url(value) -> str | None:
    """An http(s) address; « www.exemple.fr », what people type, becomes https://www.exemple.fr."""
    text = _strip(value)
    if not text:
        return None
    if "://" not in text and re.match(r"^[\w.-]+\.[a-z]{2,}(/|$)", text, re.IGNORECASE):
        text = "https://" + text
    parts = urlsplit(text)
    if (parts.scheme not in ("http", "https") or not parts.netloc or "." not in parts.netloc
            or re.search(r"\s", text) or _CONTROL.search(text)):
        raise FieldError(N_("Adresse web invalide : elle doit commencer par https:// ou http://, "
                            "par exemple https://www.exemple.fr."))
    if len(text) > URL_MAX:
        raise FieldError(N_("%(max)s caractères au maximum."), max=URL_MAX)
    return text


def urls(value) -> list[str]:
    """Several URLs (a list, or one per line or "|"), each as ``url`` wants it, without duplicates."""
    return list(dict.fromkeys(address for address in map(url, items(value, r"[\n|]")) if address))


# --- identifiers ---------------------------------------------------------------------------------

RNA_PATTERN = re.compile(r"W\d{9}")
INSEE_PATTERN = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")


def pivot(value) -> str | None:
    """An organisation's SIRET (14 digits, Luhn checksum) or RNA number (W and 9 digits), compact."""
    compact = re.sub(r"[\s.\-]", "", _strip(value)).upper()
    if not compact:
        return None
    if compact.startswith("W"):
        if not RNA_PATTERN.fullmatch(compact):
            raise FieldError(N_("Le numéro RNA commence par W suivi de 9 chiffres (ex. : W441234567)."))
        return compact
    try:
        return stdnum_siret.validate(compact)
    except InvalidChecksum:
        raise FieldError(N_("Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle incorrecte).")) from None
    except InvalidLength:
        raise FieldError(N_("Le SIRET comporte 14 chiffres.")) from None
    except ValidationError:
        raise FieldError(N_("Indiquez un SIRET (14 chiffres) ou un numéro RNA (W suivi de 9 chiffres).")) from None


def format_pivot(value: str | None) -> str:
    """A stored SIRET as people read it, grouped « 123 456 789 00012 » (SIREN, then the establishment's
    5 digits); an RNA number or anything else unchanged."""
    if not value:
        return ""
    if re.fullmatch(r"\d{14}", value):
        return f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}"
    return value


def postcode(value) -> str | None:
    """A French postcode: 5 digits (spaces removed)."""
    text = _strip(value).replace(" ", "")
    if not text:
        return None
    if not re.fullmatch(r"\d{5}", text):
        raise FieldError(N_("Le code postal doit comporter 5 chiffres, par exemple 44000."))
    return text


def insee_code(value) -> str | None:
    """A commune's INSEE code: 5 characters, Corsica's 2A and 2B included."""
    text = _strip(value).replace(" ", "").upper()
    if not text:
        return None
    if not INSEE_PATTERN.match(text):
        raise FieldError(N_("Le code INSEE comporte 5 caractères, par exemple 44109 (Nantes) ou 2A004 (Ajaccio)."))
    return text
