"""Mapping profiles: a directory file that is not in a known format, read as the national standard.

A profile is a small JSON file that says, once for a given producer's file, which of its columns
holds which field of the standard « Lieux de médiation numérique » 1.0.1. ``convert`` turns each row
of such a file into a record of the standard, which the import then checks exactly as a standard
file (``reading.py``): the profile only renames, joins and translates values, it never
decides what is valid.

Shipped profiles live in ``profils/`` (beside this module); the coordinators' own in ``IMPORT_PROFILES_DIR``
(a name found in both is the coordinators'). A profile::

    {
      "nom": "mednum-bfc-2023",
      "description": "…",
      "separateur_liste": "-",                     # between the items of a list cell (default "|")
      "separateur_sans_espace_apres": false,       # "a, b" is then one item, "a,b" two
      "identifiant": {"colonne": "bfc_id", "prefixe": "bfc-"},   # no column: prefix + digest of the row
      "colonnes": {"nom": "nom_structure", "site_web": ["url_lieu", "facebook"], …},
      "valeurs": {"typologie": {"Médiathèque": "BIB", "Autres": null}, …},
      "valeurs_par_defaut": {"pivot": "00000000000000", "date_maj": "2023-01-01"},
      "horaires": {"format": "par-jour", "jours": {"lundi": ["lundi matin", "lundi après-midi"], …}}
    }

``horaires.format`` is ``osm`` (one column of OSM opening_hours, checked by the import),
``par-jour`` (one or more columns per weekday, « 9h-12h », « 8h30 à 12h - 14h à 17h », « Fermé »),
or ``texte-libre`` (one column: kept in ``horaires`` when it is valid OSM, else left out with a
warning and its text added to the detailed presentation, so that it is never lost).
Source column names are matched case- and accent-insensitively; so are the keys of ``valeurs``.
A list value not in ``valeurs`` and not a value of the standard is left out with a warning.
"""
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import ngettext

from coordination.directory import hours, serializers
from coordination.directory.imports import WARNING, Problem
from coordination.vocabularies import PLACE_VOCABULARIES

SHIPPED_DIR = Path(__file__).parent / "profils"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
HOURS_FORMATS = ("osm", "par-jour", "texte-libre")
WEEKDAYS = (("lundi", "Mo"), ("mardi", "Tu"), ("mercredi", "We"), ("jeudi", "Th"), ("vendredi", "Fr"),
            ("samedi", "Sa"), ("dimanche", "Su"))
KEYS = {"nom", "description", "separateur_liste", "separateur_sans_espace_apres", "identifiant", "colonnes",
        "valeurs", "valeurs_par_defaut", "horaires"}
VOCABULARIES = {column: values for _name, (values, _label, column) in PLACE_VOCABULARIES.items()}
LIST_FIELDS = set(serializers.LIST_COLUMNS) | set(VOCABULARIES)
# fields a profile may fill; "id" comes from "identifiant", "horaires" from "horaires", "source" is ours
FIELDS = [f for f in serializers.STANDARD_FIELDS if f not in ("id", "horaires", "source")]
TEXT_JOIN = {"presentation_detail", "presentation_resume", "complement_adresse"}  # several columns: joined


class ProfileError(ValueError):
    """A profile that cannot be used; the message is in French and names the key."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def fold(text) -> str:
    """Lower case, no accents, straight apostrophes, single spaces: "Type d’opérateur " -> "type d'operateur"."""
    value = unicodedata.normalize("NFKD", str(text).replace("’", "'").replace("œ", "oe"))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return " ".join(value.split())


@dataclass
class Profile:
    name: str
    description: str = ""
    separator: str = "|"
    separator_without_space: bool = False
    id_column: str | None = None
    id_prefix: str = ""
    id_digest: list[str] = field(default_factory=list)  # without an id column: the columns digested
    columns: dict[str, list[str]] = field(default_factory=dict)  # standard field -> source columns
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # field -> folded value -> values
    defaults: dict[str, str] = field(default_factory=dict)
    hours_format: str | None = None
    hours_columns: dict[str, list[str]] = field(default_factory=dict)  # weekday code (or "") -> columns

    def source_columns(self) -> set[str]:
        used = {c for columns in self.columns.values() for c in columns}
        used |= {c for columns in self.hours_columns.values() for c in columns} | set(self.id_digest)
        return used | ({self.id_column} if self.id_column else set())


# --- loading and checking -------------------------------------------------------------------------

def _columns_of(key: str, value) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(c, str) and c.strip() for c in items):
        raise ProfileError(_("« %(key)s » : indiquez un nom de colonne du fichier, ou une liste de noms.", key=key))
    return [c.strip() for c in items]


def parse(data, *, name: str | None = None) -> Profile:
    """A profile from its JSON data; raises ProfileError naming the faulty key."""
    if not isinstance(data, dict):
        raise ProfileError(_("Le profil doit être un objet JSON ({ … })."))
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ProfileError(_("Clé inconnue « %(unknown)s » : clés permises : %(keys)s.", unknown=unknown[0], keys=', '.join(sorted(KEYS))))
    profile_name = data.get("nom", name)
    if not isinstance(profile_name, str) or not NAME.fullmatch(profile_name):
        raise ProfileError(_("« nom » : de 1 à 64 caractères parmi a-z, 0-9, « - » et « _ » (exemple : "
                           "« mednum-bfc-2023 »)."))
    profile = Profile(name=profile_name, description=str(data.get("description") or ""))
    separator = data.get("separateur_liste", "|")
    if not isinstance(separator, str) or not 1 <= len(separator) <= 5 or separator.isspace():
        raise ProfileError(_("« separateur_liste » : de 1 à 5 caractères, pas seulement des espaces (exemple : « , »)."))
    profile.separator = separator
    without_space = data.get("separateur_sans_espace_apres", False)
    if not isinstance(without_space, bool):
        raise ProfileError(_("« separateur_sans_espace_apres » : true ou false."))
    profile.separator_without_space = without_space
    _parse_id(data.get("identifiant"), profile)
    columns = data.get("colonnes")
    if not isinstance(columns, dict) or not columns:
        raise ProfileError(_("« colonnes » : indiquez pour chaque champ du standard la colonne du fichier "
                           "(exemple : {\"nom\": \"Nom du lieu\"})."))
    for target, source in columns.items():
        if target not in FIELDS:
            raise ProfileError(_("« colonnes.%(target)s » : « %(target)s » n'est pas un champ du standard que le profil peut remplir (%(fields)s).", target=target, fields=', '.join(FIELDS)))
        profile.columns[target] = _columns_of(f"colonnes.{target}", source)
    _parse_values(data.get("valeurs", {}), profile)
    defaults = data.get("valeurs_par_defaut", {})
    if not isinstance(defaults, dict):
        raise ProfileError(_("« valeurs_par_defaut » : un objet {\"champ\": \"valeur\"}."))
    for target, value in defaults.items():
        if target not in FIELDS or not isinstance(value, str):
            raise ProfileError(_("« valeurs_par_defaut.%(target)s » : un champ du standard et un texte.", target=target))
        profile.defaults[target] = value
    _parse_hours(data.get("horaires"), profile)
    present = set(profile.columns) | set(profile.defaults) | {"id"}
    missing = [f for f in serializers.REQUIRED_FIELDS if f not in present]
    if missing:
        raise ProfileError(ngettext("Champ obligatoire sans colonne ni valeur par défaut : %(missing)s (« colonnes » ou "
                                    "« valeurs_par_defaut »).",
                                    "Champs obligatoires sans colonne ni valeur par défaut : %(missing)s (« colonnes » "
                                    "ou « valeurs_par_defaut »).", len(missing), missing=", ".join(missing)))
    return profile


def _parse_id(value, profile: Profile) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or set(value) - {"colonne", "prefixe", "empreinte"}:
        raise ProfileError("« identifiant » : {\"colonne\": \"…\"}, ou {\"empreinte\": [colonnes]}, et "
                           "{\"prefixe\": \"…\"}.")
    column, prefix = value.get("colonne"), value.get("prefixe", "")
    if column is not None:
        profile.id_column = _columns_of("identifiant.colonne", column)[0]
    elif value.get("empreinte") is not None:
        profile.id_digest = _columns_of("identifiant.empreinte", value["empreinte"])
    if not isinstance(prefix, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{0,40}", prefix):
        raise ProfileError(_("« identifiant.prefixe » : jusqu'à 40 caractères parmi lettres, chiffres, « . », « - », « _ »."))
    profile.id_prefix = prefix


def _parse_values(value, profile: Profile) -> None:
    if not isinstance(value, dict):
        raise ProfileError(_("« valeurs » : un objet {\"champ\": {\"valeur du fichier\": \"valeur du standard\"}}."))
    for target, table in value.items():
        key = f"valeurs.{target}"
        if target not in FIELDS:
            raise ProfileError(_("« %(key)s » : « %(target)s » n'est pas un champ du standard.", key=key, target=target))
        if not isinstance(table, dict):
            raise ProfileError(_('« %(key)s » : un objet {"valeur du fichier": "valeur du standard"}.', key=key))
        allowed = VOCABULARIES.get(target)
        folded: dict[str, list[str]] = {}
        for source, mapped in table.items():
            items = [] if mapped is None else [mapped] if isinstance(mapped, str) else mapped
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise ProfileError(_("« %(key)s.%(source)s » : une valeur du standard, une liste de valeurs, ou null (valeur ignorée).", key=key, source=source))
            wrong = [v for v in items if allowed is not None and v not in allowed]
            if wrong:
                raise ProfileError(_("« %(key)s.%(source)s » : « %(wrong)s » n'est pas une valeur du standard pour %(target)s (%(allowed)s).", key=key, source=source, wrong=wrong[0], target=target, allowed=' ; '.join(allowed)))
            folded[fold(source)] = items
        profile.values[target] = folded


def _parse_hours(value, profile: Profile) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or value.get("format") not in HOURS_FORMATS:
        raise ProfileError(f"« horaires.format » : {', '.join(HOURS_FORMATS)}.")
    profile.hours_format = value["format"]
    if profile.hours_format == "par-jour":
        days = value.get("jours")
        names = dict(WEEKDAYS)
        if not isinstance(days, dict) or not days or set(days) - set(names) or set(value) - {"format", "jours"}:
            raise ProfileError(_("« horaires.jours » : pour chaque jour (lundi … dimanche), la ou les colonnes de "
                               "ses horaires."))
        for day, columns in days.items():
            profile.hours_columns[names[day]] = _columns_of(f"horaires.jours.{day}", columns)
    else:
        if set(value) - {"format", "colonne"}:
            raise ProfileError("« horaires » : {\"format\": …, \"colonne\": \"…\"}.")
        profile.hours_columns[""] = _columns_of("horaires.colonne", value.get("colonne"))


def profiles_dirs() -> list[Path]:
    """Where profiles are looked up by name: the configured folder first, then the shipped ones."""
    dirs = []
    if has_app_context() and current_app.config.get("IMPORT_PROFILES_DIR"):
        dirs.append(Path(current_app.config["IMPORT_PROFILES_DIR"]))
    return [*dirs, SHIPPED_DIR]


def available() -> list[str]:
    names = {p.stem for d in profiles_dirs() if d.is_dir() for p in d.glob("*.json")}
    return sorted(n for n in names if NAME.fullmatch(n))


def load(name: str) -> Profile:
    """A profile by name: the configured folder, then the shipped ones. Only a name (never a path):
    the page may pass what a person typed."""
    if not NAME.fullmatch(name):
        raise ProfileError(_("Nom de profil « %(name)s » invalide : a-z, 0-9, « - » et « _ » seulement.", name=name))
    path = next((d / f"{name}.json" for d in profiles_dirs() if (d / f"{name}.json").is_file()), None)
    if path is None:
        names = ", ".join(available()) or "aucun"
        raise ProfileError(_("Profil « %(name)s » introuvable. Profils disponibles : %(names)s.", name=name, names=names))
    return load_path(path)


def load_path(path: str | Path) -> Profile:
    """A profile from the path of its JSON file (the command line's ``--profil fichier.json``)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise ProfileError(_("Le profil « %(path)s » ne peut pas être lu.", path=path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProfileError(_("Le profil « %(name)s » n'est pas un JSON valable en UTF-8 : %(error)s.", name=path.name, error=error)) from None
    return parse(data, name=path.stem)


def save(profile_data: dict) -> Path:
    """Writes a checked profile in IMPORT_PROFILES_DIR (for the page); returns its path."""
    profile = parse(profile_data)
    folder = Path(current_app.config["IMPORT_PROFILES_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{profile.name}.json"
    path.write_text(json.dumps(profile_data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


# --- converting rows ------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


TAG = re.compile(r"<[^>]{0,200}>")


def split_items(profile: Profile, value) -> list[str]:
    """A list cell's items: on the profile's separator (not followed by a space when it says so),
    quotes, HTML tags and spaces around each item removed."""
    if isinstance(value, list):
        parts = [_text(v) for v in value]
    else:
        separator = re.escape(profile.separator) + ("(?! )" if profile.separator_without_space else "")
        parts = re.split(separator, _text(value))
    items = []
    for part in parts:
        item = " ".join(TAG.sub(" ", part).replace('"', " ").split())
        if item:
            items.append(item)
    return items


def _mapped(profile: Profile, target: str, item: str, warn) -> list[str]:
    """A list item through the field's value table: its values; a value of the standard as it is;
    else the table's "*" entry (null: left out silently), else left out with a warning."""
    table = profile.values.get(target)
    if table is not None and fold(item) in table:
        return table[fold(item)]
    allowed = VOCABULARIES.get(target)
    if allowed is None and table is None:
        return [item]
    exact = {fold(v): v for v in allowed or ()}.get(fold(item))
    if exact is not None:
        return [exact]
    if table is not None and "*" in table:
        return table["*"]
    warn(target, _("« %(item)s » n'a pas de correspondance dans le profil pour %(target)s : valeur laissée de côté.", item=item, target=target),
         _("valeur sans correspondance dans le profil"))
    return []


TIME = re.compile(r"(\d{1,2})\s*(?:[hH:]\s*(?:(\d{2})(?!\s*[hH]))?)?")  # "9h12h": 9:00 and 12:00
CLOSED = {"", "-", "x", "ferme", "fermee", "fermé", "non", "/", "aucun", "sans"}


def day_ranges(text: str) -> list[tuple[str, str]] | None:
    """ "9h à 12h et 14h-17h30" -> [("09:00", "12:00"), ("14:00", "17:30")]; [] when closed; None when unreadable."""
    if fold(text) in CLOSED:
        return []
    times = [(int(h), int(m or 0)) for h, m in TIME.findall(text)]
    if not times or len(times) % 2 or any(h > 24 or m > 59 for h, m in times):
        return None
    ranges = []
    for (h1, m1), (h2, m2) in zip(times[::2], times[1::2], strict=True):
        if (h2, m2) <= (h1, m1):
            return None
        ranges.append((f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"))
    return ranges


def _weekly_hours(profile: Profile, raw: dict, warn) -> str | None:
    week = {}
    for code, columns in profile.hours_columns.items():
        ranges = []
        for column in columns:
            text = _text(raw.get(column))
            found = day_ranges(text)
            if found is None:
                warn("horaires", _("Horaires illisibles « %(text)s » (colonne « %(column)s ») : le jour est laissé vide.", text=text, column=column),
                     _("horaires illisibles"))
                found = []
            ranges.extend(found)
        week[code] = sorted(set(ranges))
    rules = []
    codes = [code for _day, code in WEEKDAYS if code in week]
    start = 0
    while start < len(codes):
        end = start
        while end + 1 < len(codes) and week[codes[end + 1]] == week[codes[start]]:
            end += 1
        if week[codes[start]]:
            span = codes[start] if end == start else f"{codes[start]}-{codes[end]}"
            if end == start + 1:
                span = f"{codes[start]},{codes[end]}"
            rules.append(f"{span} " + ",".join(f"{a}-{b}" for a, b in week[codes[start]]))
        start = end + 1
    expression = "; ".join(rules) or None
    if expression:
        try:
            hours.validate(expression)
        except hours.HoursError:
            warn("horaires", _("Horaires « %(expression)s » refusés : laissés vides.", expression=expression), _("horaires illisibles"))
            return None
    return expression


def _row_id(profile: Profile, row: dict, raw: dict) -> str:
    """The file's own id (with the prefix), else a digest of the chosen columns (of every column by
    default): the same place gets the same id at the next import of the file."""
    if profile.id_column:
        own = _text(row.get(profile.id_column))
        return f"{profile.id_prefix}{own}" if own else ""
    if profile.id_digest:
        source = [fold(_text(row.get(c))) for c in profile.id_digest]
    else:
        source = sorted((str(k), _text(v)) for k, v in raw.items())
    digest = hashlib.sha256(json.dumps(source, ensure_ascii=False).encode()).hexdigest()
    return f"{profile.id_prefix}{digest[:16]}"


def _date(text: str) -> str:
    """The first date of the text as AAAA-MM-JJ ("05/05/2021 14:29:42" -> "2021-05-05"); else the text."""
    match = re.search(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        try:
            return date(int(match[3]), int(match[2]), int(match[1])).isoformat()
        except ValueError:
            return text
    match = re.match(r"\d{4}-\d{2}-\d{2}", text)
    return match[0] if match else text


class Converter:
    """Turns a file's rows into records of the standard 1.0.1, following a profile."""

    def __init__(self, profile: Profile, columns: set[str]):
        self.profile = profile
        self.resolve = {fold(c): c for c in columns}

    def missing_columns(self) -> list[str]:
        return sorted(c for c in self.profile.source_columns() if fold(c) not in self.resolve)

    def output_columns(self) -> set[str]:
        """The standard's columns the converted records have (``convert`` gives each of them)."""
        columns = {"id", *self.profile.columns, *self.profile.defaults}
        if self.profile.hours_format is not None:
            columns.add("horaires")
        return columns

    def convert(self, line: int, raw: dict, problems: list[Problem]) -> dict:
        profile = self.profile
        # the row's columns under the profile's own spelling of their names
        row = {}
        for name in profile.source_columns():
            actual = self.resolve.get(fold(name))
            row[name] = raw.get(actual) if actual is not None else None

        def warn(column, message, reason):
            problems.append(Problem(line, column, message, WARNING, reason))

        record = {"id": _row_id(profile, row, raw)}
        for target, columns in profile.columns.items():
            if target in LIST_FIELDS and (target in VOCABULARIES or target in profile.values):
                items = []
                for column in columns:
                    for item in split_items(profile, row.get(column)):
                        items.extend(_mapped(profile, target, item, warn))
                record[target] = list(dict.fromkeys(items))
                continue
            texts = [_text(row.get(c)) for c in columns]
            texts = [t for t in texts if t]
            if target in LIST_FIELDS:  # e-mails: the import splits them
                record[target] = " | ".join(dict.fromkeys(texts))
                continue
            table = profile.values.get(target)
            if table is not None:
                texts = [v for t in texts for v in (table.get(fold(t), [t]))]
            if target in TEXT_JOIN:
                value = "\n\n".join(dict.fromkeys(texts))
            elif target == "adresse":  # "12" and "rue de la Mairie"
                value = " ".join(texts)
            elif target == "site_web":  # every URL: the import keeps what the standard allows
                value = "|".join(dict.fromkeys(texts))
            else:
                value = texts[0] if texts else ""
            if target == "date_maj" and value:
                value = _date(value)
            record[target] = value
        for target, value in profile.defaults.items():
            if not record.get(target):
                record[target] = value
        if profile.hours_format == "par-jour":
            record["horaires"] = _weekly_hours(profile, row, warn)
        elif profile.hours_format is not None:
            text = _text(row.get(profile.hours_columns[""][0]))
            record["horaires"] = text or None
            if text and profile.hours_format == "texte-libre":
                try:
                    hours.validate(text)
                except hours.HoursError:
                    warn("horaires", _("Horaires en texte libre « %(text)s » : pas au format OpenStreetMap, ils passent dans la présentation détaillée.", text=text), _("horaires en texte libre"))
                    record["horaires"] = None
                    detail = record.get("presentation_detail")
                    record["presentation_detail"] = f"{detail}\n\nHoraires : {text}" if detail else f"Horaires : {text}"
        return record


# --- suggestions (for the mapping page) -----------------------------------------------------------

# words of a column's name that point at a field of the standard (folded)
NAME_HINTS = {
    "nom": ("nom", "name", "lib", "structure", "lieu", "raison sociale"),
    "adresse": ("adresse", "address", "rue", "voie"),
    "complement_adresse": ("complement",),
    "commune": ("commune", "ville", "city", "localite"),
    "code_postal": ("code postal", "code_postal", "cp", "postcode", "zip"),
    "code_insee": ("insee", "code commune"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng"),
    "telephone": ("telephone", "tel", "phone"),
    "courriels": ("email", "e-mail", "mail", "courriel"),
    "site_web": ("site", "web", "url", "internet"),
    "pivot": ("siret", "siren", "pivot"),
    "date_maj": ("mise a jour", "mise_a_jour", "maj", "date", "updated", "modifi", "latest"),
    "horaires": ("horaires", "opening hours", "heures d'ouverture"),
    "presentation_detail": ("description", "presentation", "informations", "commentaire"),
    "typologie": ("typologie", "type de lieu", "type_lieu", "typo"),
    "services": ("services", "accompagnements proposes", "formations"),
    "frais_a_charge": ("tarif", "frais", "prix", "cout"),
    "publics_specifiquement_adresses": ("public",),
    "prise_en_charge_specifique": ("handicap", "prise en charge"),
    "modalites_accompagnement": ("accompagnement", "modalites"),
    "modalites_acces": ("acces",),
    "itinerance": ("itinerant", "itinerance"),
    "structure_parente": ("porteuse", "parente", "operateur"),
    "formations_labels": ("label",),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
URL = re.compile(r"^https?://", re.I)
POSTCODE = re.compile(r"^\d{4,5}$")
PHONE = re.compile(r"^(?:\+33|0)\s*[1-9](?:[\s.-]*\d{2}){4}$")
NUMBER = re.compile(r"^-?\d{1,3}[.,]\d+$")


def _value_kind(values: list[str]) -> str | None:
    """What most of a column's sample values look like."""
    values = [v for v in (_text(x) for x in values) if v]
    if not values:
        return None
    for kind, pattern in (("courriels", EMAIL), ("site_web", URL), ("telephone", PHONE), ("code_postal", POSTCODE),
                          ("coordinate", NUMBER)):
        if sum(bool(pattern.match(v)) for v in values) * 2 > len(values):
            return kind
    return None


def _name_score(column: str, target: str) -> int:
    """How much a column's name points at a field: every hint it holds counts (an exact name most,
    a whole word next, a part of a word least), so "Nom du lieu ou de la structure" beats
    "Informations diverses (… votre structure …)" for ``nom``."""
    name = fold(column).replace("_", " ").strip(" *")
    words = set(re.split(r"[^a-z0-9]+", name))
    score = 0
    for raw_hint in NAME_HINTS.get(target, ()):
        hint = raw_hint.replace("_", " ")
        if name == hint:
            score += 4
        elif (" " in hint and hint in name) or hint in words:
            score += 2
        elif len(hint) > 4 and hint in name:
            score += 1
    return score


def suggest(samples: dict[str, list]) -> dict[str, str]:
    """A first mapping from a file's columns and a few of their values: standard field -> column.
    Column names are compared case- and accent-insensitively; values decide between columns of
    similar names (an e-mail column, a URL column, coordinates: latitude from 41 to 52 in France)."""
    scores = []
    for column, values in samples.items():
        kind = _value_kind(values)
        empty = not any(_text(v) for v in values)
        for target in NAME_HINTS:
            score = _name_score(column, target) * 10 - (5 if empty else 0) - len(column) // 40
            if kind == target:
                score += 15
            elif kind == "coordinate" and target in ("latitude", "longitude"):
                numbers = [float(_text(v).replace(",", ".")) for v in values if NUMBER.match(_text(v))]
                looks_latitude = all(41 <= n <= 52 for n in numbers)
                score += 5 if (target == "latitude") == looks_latitude else -5
            elif kind is not None and target in ("courriels", "site_web", "telephone", "code_postal"):
                score -= 10
            if score > 0:
                scores.append((score, column, target))
    mapping: dict[str, str] = {}
    used = set()
    for _score, column, target in sorted(scores, key=lambda s: (-s[0], s[1], s[2])):
        if target not in mapping and column not in used:
            mapping[target] = column
            used.add(column)
    return mapping
