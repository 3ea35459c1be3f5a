"""The national list of France Services (data.gouv.fr, "liste des France services"), converted into
records of the standard "Lieux de médiation numérique" 1.0.1 so that ``flask opendata import`` reads it.

The list has its own columns: ``id_fs``, ``lib_fs``, ``lib_com``, ``insee_com``, ``mail``, a French
phone number, one column of hours per weekday ("09:00 - 12:00 / 13:30 - 17:00"), ``itinerance``
Oui/Non. It has no SIRET and no update date: the places are attached to the import's organisation
for unknown SIRETs, and dated by the date in the file name (``france-services-2022-12-01.csv``).
What every France Services offers is written in: administrative procedures, free, one-to-one help.
"""
import re
from datetime import date
from flask_babel import gettext as _

from coordination.directory import validation
from coordination.directory.imports import UNKNOWN_PIVOT, WARNING, Problem

DAYS = (("h_lundi", "Mo"), ("h_mardi", "Tu"), ("h_mercredi", "We"), ("h_jeudi", "Th"), ("h_vendredi", "Fr"),
        ("h_samedi", "Sa"), ("h_dimanche", "Su"))
SIGNATURE = {"id_fs", "lib_fs", "lib_com", "h_lundi"}
COLUMNS = (*SIGNATURE, *(column for column, _ in DAYS), "insee_dep", "insee_com", "mail", "commentaire", "format_fs",
           "groupe", "labellisation")  # and the standard's own: adresse, code_postal, latitude…
TIME = re.compile(r"(\d{1,2})\s*[:hH]\s*(\d{2})")
DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def is_france_services(columns: set[str]) -> bool:
    return SIGNATURE <= columns


class HoursError(ValueError):
    pass


def day_ranges(text: str) -> str | None:
    """ "09:00 - 12:00 / 13:30 - 17:00" -> "09:00-12:00,13:30-17:00"; None when closed ("", "-")."""
    times = [f"{int(h):02d}:{m}" for h, m in TIME.findall(text or "")]
    if not times:
        if re.sub(r"[\s\-/]", "", text or ""):
            raise HoursError(text)
        return None
    if len(times) % 2 or any(int(t[:2]) > 24 for t in times):
        raise HoursError(text)
    pairs = [f"{times[i]}-{times[i + 1]}" for i in range(0, len(times), 2)]
    return ",".join(pairs)


def opening_hours(record: dict) -> str | None:
    """The weekday columns as OSM opening_hours, consecutive days with the same hours grouped:
    "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00". Raises HoursError."""
    days = [(code, day_ranges(record.get(column) or "")) for column, code in DAYS]
    rules, start = [], 0
    while start < len(days):
        end = start
        while end + 1 < len(days) and days[end + 1][1] == days[start][1]:
            end += 1
        if days[start][1]:
            span = days[start][0] if end == start else f"{days[start][0]}-{days[end][0]}"
            if end == start + 1:
                span = f"{days[start][0]},{days[end][0]}"
            rules.append(f"{span} {days[start][1]}")
        start = end + 1
    return "; ".join(rules) or None


def phone(text: str | None) -> str | None:
    """A French number ("04 50 56 87 49") in E.164 ("+33450568749"); the text as is when unreadable
    (the import then reports it on its line)."""
    try:
        return validation.clean_phone(text)
    except validation.FieldError:
        return (text or "").strip() or None


def file_date(name: str | None) -> date | None:
    match = DATE_IN_NAME.search(name or "")
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    return None


def list_date(result) -> date:
    """The list's date, from the file's name; today, with a warning in ``result``, when it has none."""
    day = file_date(getattr(result, "source_name", None))
    if day is None:
        day = date.today()
        result.problems.append(Problem(0, "date_maj", _("Pas de date dans le nom du fichier (ex. : "
                                       "france-services-2022-12-01.csv) : les lieux sont datés d'aujourd'hui."),
                                       WARNING, _("date de la liste inconnue")))
    return day


def convert_record(line: int, record: dict, day: date, problems: list) -> dict:
    """One France Services record -> a record of the standard 1.0.1; its problems go to ``problems``."""
    try:
        hours = opening_hours(record)
    except HoursError as error:
        hours = None
        problems.append(Problem(line, "horaires", _("Horaires illisibles « %(error)s » : laissés vides.", error=error),
                                WARNING, _("horaires illisibles")))
    emails = (record.get("mail") or "").strip()
    return {
        "id": f"france-services-{(record.get('id_fs') or '').strip()}" if record.get("id_fs") else "",
        "pivot": UNKNOWN_PIVOT,
        "nom": record.get("lib_fs"),
        "commune": record.get("lib_com"),
        "code_postal": record.get("code_postal"),
        "code_insee": record.get("insee_com"),
        "adresse": record.get("adresse"),
        "complement_adresse": record.get("complement_adresse"),
        "latitude": record.get("latitude"),
        "longitude": record.get("longitude"),
        "typologie": "RFS",
        "telephone": phone(record.get("telephone")),
        "courriels": emails,
        "horaires": hours,
        "presentation_detail": record.get("commentaire"),
        "itinerance": {"oui": "Itinérant", "non": "Fixe"}.get((record.get("itinerance") or "").strip().lower()),
        "structure_parente": record.get("groupe"),
        "date_maj": day.isoformat(),
        "services": "Aide aux démarches administratives",
        "frais_a_charge": "Gratuit",
        "dispositif_programmes_nationaux": "France Services",
        "modalites_accompagnement": "Accompagnement individuel",
    }

