"""The mapping page's use cases (issue 15, item 2): a file in no known format, read as the standard.

The coordinator maps each column of the staged file (``staging.py``) to a field of the
standard, previews 20 converted rows, and saves the mapping as a profile (``profiles.py``);
the file is then checked again with that profile, and applied as any other upload. Only
coordinators may do any of it: each function checks it.
"""
from dataclasses import dataclass, field
from datetime import date
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from coordination.auth import permissions as auth_permissions
from coordination.directory.imports import Problem
from coordination.errors import Invalid, NotFound
from coordination.directory.imports import profiles, reading, staging

SAMPLES = 3
PREVIEW_ROWS = 20
ID_CHOICE = "identifiant"
HOURS_CHOICE = "horaires"
DAY_CHOICE = "horaires:"  # "horaires:lundi"
HOURS_FORMATS = {"": lazy_gettext("Pas d'horaires dans ce fichier"),
                 "osm": lazy_gettext("Format OpenStreetMap (une colonne, « Mo-Fr 09:00-12:00 »)"),
                 "par-jour": lazy_gettext("Une ou plusieurs colonnes par jour (« 9h-12h », « Fermé »)"),
                 "texte-libre": lazy_gettext("Texte libre (une colonne) : gardé s'il est au format OpenStreetMap, sinon ajouté "
                                "à la présentation détaillée, avec un avertissement")}
PREVIEW_FIELDS = ("id", "nom", "adresse", "code_postal", "commune", "latitude", "longitude", "horaires")
DEFAULT_PIVOT = "00000000000000"  # the standard's « SIRET inconnu »: the place joins the placeholder organisation
GONE = (lazy_gettext("Le fichier à faire correspondre n'est plus disponible (il est gardé 24 heures, pour la personne qui l'a "
        "déposé) : déposez-le à nouveau."))


def field_choices() -> list[tuple[str, str]]:
    """What a column may become: nothing, the place's id in the file, a field, the hours."""
    choices = [("", _("— Ne pas importer —")), (ID_CHOICE, _("id : identifiant du lieu dans le fichier"))]
    choices += [(name, name) for name in profiles.FIELDS]
    choices.append((HOURS_CHOICE, _("horaires (OpenStreetMap ou texte libre)")))
    choices += [(f"{DAY_CHOICE}{day}", _("horaires du %(day)s", day=day)) for day, _code in profiles.WEEKDAYS]
    return choices


@dataclass
class Column:
    index: int
    name: str
    samples: list[str]
    choice: str = ""


@dataclass
class MappingScreen:
    file_name: str | None
    columns: list[Column]
    separator: str = "|"
    hours_format: str = ""
    profile_name: str = ""


@dataclass
class Preview:
    rows: list[tuple[int, dict, list[Problem]]] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    json: bool = False

COORDINATORS_ONLY = lazy_gettext("Seuls les coordinateurs peuvent importer un annuaire.")


def _text(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def _columns(session_record: dict | None) -> tuple[list[Column], str | None]:
    path = staging.mappable_path(session_record)
    records = reading.raw_records(path) if path is not None else []
    if not records:
        raise NotFound(GONE)
    names = list(dict.fromkeys(name for _line, record in records for name in record))
    columns = []
    for index, name in enumerate(names):
        values = [_text(record.get(name)) for _line, record in records]
        columns.append(Column(index, name, [v[:80] for v in values if v][:SAMPLES]))
    return columns, (session_record or {}).get("name")


def mapping_screen(actor, session_record: dict | None) -> MappingScreen:
    """The staged file's columns, 3 values each, with the suggested field of the standard (or, back
    from a dry run in error, the choices of the profile just saved)."""
    auth_permissions.require_coordinator(actor, COORDINATORS_ONLY)
    columns, name = _columns(session_record)
    saved = (session_record or {}).get("profile")
    if saved:
        try:
            return _screen_of_profile(profiles.load(saved), columns, name)
        except profiles.ProfileError:
            pass  # removed meanwhile: suggestions, as for a new file
    suggested = {column: target for target, column in profiles.suggest({c.name: c.samples for c in columns}).items()}
    for column in columns:
        column.choice = suggested.get(column.name, "")
    hours = "texte-libre" if HOURS_CHOICE in suggested.values() else ""
    return MappingScreen(file_name=name, columns=columns, hours_format=hours)


def _screen_of_profile(profile: profiles.Profile, columns: list[Column], file_name: str | None) -> MappingScreen:
    choices = {profiles.fold(c): target for target, sources in profile.columns.items() for c in sources}
    if profile.id_column:
        choices[profiles.fold(profile.id_column)] = ID_CHOICE
    days = {code: day for day, code in profiles.WEEKDAYS}
    for code, sources in profile.hours_columns.items():
        for column in sources:
            choices[profiles.fold(column)] = f"{DAY_CHOICE}{days[code]}" if code else HOURS_CHOICE
    for column in columns:
        column.choice = choices.get(profiles.fold(column.name), "")
    return MappingScreen(file_name=file_name, columns=columns, separator=profile.separator,
                         hours_format=profile.hours_format or "", profile_name=profile.name)


def screen_from_form(actor, session_record: dict | None, formdata) -> MappingScreen:
    """The page as the coordinator filled it in (to show it again with the preview or an error)."""
    auth_permissions.require_coordinator(actor, COORDINATORS_ONLY)
    columns, name = _columns(session_record)
    allowed = {value for value, _label in field_choices()}
    for column in columns:
        choice = formdata.get(f"colonne-{column.index}", "")
        column.choice = choice if choice in allowed else ""
    hours = formdata.get("format_horaires", "")
    return MappingScreen(file_name=name, columns=columns, separator=formdata.get("separateur", "|"),
                         hours_format=hours if hours in HOURS_FORMATS else "")


def profile_data(screen: MappingScreen, name: str | None = None) -> dict:
    """The profile the page describes (``profiles.parse`` checks it); ProfileError in French."""
    targets: dict[str, list[str]] = {}
    for column in screen.columns:
        if column.choice:
            targets.setdefault(column.choice, []).append(column.name)
    data: dict = {"nom": name or "apercu", "separateur_liste": screen.separator or "|",
                  "colonnes": {t: c for t, c in targets.items() if t in profiles.FIELDS}}
    if ID_CHOICE in targets:
        data["identifiant"] = {"colonne": targets[ID_CHOICE][0]}
    data["valeurs_par_defaut"] = {k: v for k, v in (("pivot", DEFAULT_PIVOT), ("date_maj", date.today().isoformat()))
                                  if k not in targets}
    days = {t.removeprefix(DAY_CHOICE): c for t, c in targets.items() if t.startswith(DAY_CHOICE)}
    if screen.hours_format == "par-jour":
        if not days:
            raise profiles.ProfileError(_("Horaires « une ou plusieurs colonnes par jour » : choisissez « horaires du "
                                        "lundi » (etc.) pour les colonnes de chaque jour."))
        data["horaires"] = {"format": "par-jour", "jours": days}
    elif screen.hours_format:
        if HOURS_CHOICE not in targets:
            raise profiles.ProfileError(_("Horaires : choisissez « horaires » pour la colonne qui les contient, ou "
                                        "« Pas d'horaires dans ce fichier »."))
        data["horaires"] = {"format": screen.hours_format, "colonne": targets[HOURS_CHOICE][0]}
    elif HOURS_CHOICE in targets or days:
        raise profiles.ProfileError(_("Horaires : une colonne est choisie pour les horaires, choisissez aussi leur "
                                    "format."))
    if not data["colonnes"]:
        raise profiles.ProfileError(_("Choisissez au moins le champ du standard d'une colonne (nom, adresse, "
                                    "code_postal, commune…)."))
    return data


def preview(actor, session_record: dict | None, screen: MappingScreen) -> Preview:
    """The first 20 rows of the staged file converted with the page's mapping, with their problems."""
    auth_permissions.require_coordinator(actor, COORDINATORS_ONLY)
    try:
        profile = profiles.parse(profile_data(screen))
    except profiles.ProfileError as error:
        raise Invalid(error.message) from None
    path = staging.mappable_path(session_record)
    if path is None:
        raise NotFound(GONE)
    read = reading.read_path(path, name=screen.file_name, profile=profile)
    by_line: dict[int, list[Problem]] = {}
    for problem in read.problems:  # the conversion's warnings name their row: shown with it
        by_line.setdefault(problem.line if problem.line > 1 else 0, []).append(problem)
    rows = [(row.line, {f: row.record.get(f) for f in PREVIEW_FIELDS}, [*by_line.get(row.line, []), *row.problems])
            for row in read.rows[:PREVIEW_ROWS]]
    return Preview(rows=rows, file_problems=by_line.get(0, []), json=read.json)


def check_profile_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Nom du profil : indiquez un nom, par exemple « annuaire-departement-2024 »."))
    if not profiles.NAME.fullmatch(name):
        raise Invalid(_("Nom du profil « %(name)s » : de 1 à 64 caractères parmi a-z (sans accent ni majuscule), "
                        "0-9, « - » et « _ », en commençant par une lettre ou un chiffre (exemple : "
                        "« annuaire-departement-2024 »).", name=name))
    if (profiles.SHIPPED_DIR / f"{name}.json").is_file():
        raise Invalid(_("Nom du profil « %(name)s » : c'est le nom d'un profil fourni avec Maillage ; "
                        "choisissez-en un autre.", name=name))
    return name


def save_profile(actor, session_record: dict | None, screen: MappingScreen, name: str | None) -> staging.StagedUpload:
    """Saves the page's mapping as a profile, then checks the staged file again with it (the
    import page then offers « Appliquer l'import » as after any upload)."""
    auth_permissions.require_coordinator(actor, COORDINATORS_ONLY)
    name = check_profile_name(name)
    try:
        data = profile_data(screen, name)
        profile = profiles.parse(data)
    except profiles.ProfileError as error:
        raise Invalid(error.message) from None
    if staging.mappable_path(session_record) is None:
        raise NotFound(GONE)
    profiles.save(data)
    staged = staging.recheck(session_record, actor=actor, profile=profile)
    if staged is None:
        raise NotFound(GONE)
    return staged


def chosen_profile(actor, name: str | None) -> profiles.Profile | None:
    """The profile chosen on the upload form (shipped or saved), or None for « détection automatique »."""
    auth_permissions.require_coordinator(actor, COORDINATORS_ONLY)
    if not name:
        return None
    try:
        return profiles.load(name)
    except profiles.ProfileError as error:
        raise Invalid(error.message) from None
