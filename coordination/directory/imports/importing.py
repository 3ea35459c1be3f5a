"""Reads directory files for import, and ``flask opendata import``.

A file is read into rows of the national standard 1.0.1 (``coordination.directory.imports.ImportRow``)
whatever its shape: the standard 1.0.1 (CSV or JSON), the older 0.1 (CSV with ``;`` or JSON, mapped
with the official 0.1 -> 1.0 table), or the France Services list (``france_services.py``).
Everything a person can fix in the file is reported with its line and column; what can be read
safely despite a small flaw (Latin-1, a decimal comma, DD/MM/YYYY, a lost leading zero, a
vocabulary value with another case or apostrophe) is read and reported as a warning.

The use case itself (validation with the place form's rules, matching, writing in one transaction)
is ``coordination.directory.imports``: the command line and the upload page both call
``check_file`` and ``apply_file`` below.
"""
import codecs
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import click
import phonenumbers
from flask import current_app, has_app_context
from flask.cli import with_appcontext

from coordination.auth.services import find_user_by_email
from coordination.directory import imports, serializers
from coordination.directory.imports import ERROR, WARNING, ImportPlan, ImportReport, ImportRow, Problem
from coordination.errors import DomainError
from coordination.core.csv_writer import without_guard
from coordination.core.plurals import ngettext
from coordination.vocabularies import PLACE_VOCABULARIES
from coordination.directory.imports import parsing, profiles

FORMAT_LABELS = {
    "1.0.1": "standard « Lieux de médiation numérique » 1.0.1",
    "0.1": "standard « Lieux de médiation numérique » 0.1 (converti en 1.0.1)",
    "france-services": "liste nationale des France Services (convertie en 1.0.1)",
}
UNKNOWN_FORMAT = "inconnu"

# --- the official 0.1 -> 1.0 mapping (national cartography) ---------------------------------------
SERVICES_01 = {
    "Devenir autonome dans les démarches administratives": "Aide aux démarches administratives",
    "Réaliser des démarches administratives avec un accompagnement": "Aide aux démarches administratives",
    "Accompagner les démarches de santé": "Aide aux démarches administratives",
    "Prendre en main un smartphone ou une tablette": "Maîtrise des outils numériques du quotidien",
    "Prendre en main un ordinateur": "Maîtrise des outils numériques du quotidien",
    "Utiliser le numérique au quotidien": "Maîtrise des outils numériques du quotidien",
    "Approfondir ma culture numérique": "Compréhension du monde numérique",
    "Promouvoir la citoyenneté numérique": "Compréhension du monde numérique",
    "Favoriser mon insertion professionnelle": "Insertion professionnelle via le numérique",
    "Créer et développer mon entreprise": "Insertion professionnelle via le numérique",
    "Accéder à une connexion internet": "Accès internet et matériel informatique",
    "Accéder à du matériel": "Accès internet et matériel informatique",
    "S'équiper en matériel informatique": "Acquisition de matériel informatique à prix solidaire",
    "Créer avec le numérique": "Loisirs et créations numériques",
    "Soutenir la parentalité et l'éducation avec le numérique": "Parentalité et éducation avec le numérique",
}
# 0.1 label -> (1.0 column, value); the three columns share the 0.1 "labels_nationaux".
LABELS_01 = {
    "CNFS": ("dispositif_programmes_nationaux", "Conseillers numériques"),
    "France Services": ("dispositif_programmes_nationaux", "France Services"),
    "Aidants Connect": ("dispositif_programmes_nationaux", "Aidants Connect"),
    "Grandes écoles du numérique": ("dispositif_programmes_nationaux", "Grande école du numérique"),
    "Point numérique CAF": ("dispositif_programmes_nationaux", "Point d'accès numérique CAF"),
    "Point relais CAF": ("dispositif_programmes_nationaux", "Point d'accès numérique CAF"),
    "Fabriques de Territoire": ("formations_labels", "Fabriques de Territoire"),
    "APTIC": ("autres_formations_labels", "APTIC"),
    "Relais pôle emploi": ("autres_formations_labels", "Relais pôle emploi"),
    "French Tech": ("autres_formations_labels", "French Tech"),
    "Campus connecté": ("autres_formations_labels", "Campus connecté"),
}
# conditions_acces: the 0.1 values are "Label : explanation"; the label decides.
FEES_01 = {
    "Gratuit": ("frais_a_charge", "Gratuit"),
    "Gratuit sous condition": ("frais_a_charge", "Gratuit sous condition"),
    "Payant": ("frais_a_charge", "Payant"),
    "Adhésion": ("frais_a_charge", "Payant"),
    "Accepte le Pass numérique": ("autres_formations_labels", "Pass numérique"),
}
SUPPORT_01 = {
    "Seul": "En autonomie",
    "Avec de l'aide": "Accompagnement individuel",
    "A ma place": "Accompagnement individuel",
    "Dans un atelier": "Dans un atelier collectif",
}
# publics_accueillis has no official mapping: the closest 1.0 values (publics, else specific support).
PUBLICS_01 = {
    "Seniors (+ 65 ans)": ("publics_specifiquement_adresses", "Seniors"),
    "Familles/enfants": ("publics_specifiquement_adresses", "Familles et/ou enfants"),
    "Jeunes (16-26 ans)": ("publics_specifiquement_adresses", "Jeunes"),
    "Uniquement femmes": ("publics_specifiquement_adresses", "Femmes"),
    "Adultes": (None, None),
    "Public langues étrangères": ("prise_en_charge_specifique", "Langues étrangères (autres)"),
    "Déficience visuelle": ("prise_en_charge_specifique", "Déficience visuelle"),
    "Surdité": ("prise_en_charge_specifique", "Surdité"),
    "Handicaps psychiques": ("prise_en_charge_specifique", "Handicaps mentaux"),
    "Handicaps mentaux": ("prise_en_charge_specifique", "Handicaps mentaux"),
    "Personnes en situation d'illettrisme": ("prise_en_charge_specifique", "Illettrisme"),
}
COLUMNS_01 = {"courriel": "courriels", "accessibilite": "fiche_acces_libre", "labels_autres": "autres_formations_labels"}
ONLY_01 = {"courriel", "labels_nationaux", "conditions_acces", "conditions_access", "publics_accueillis",
           "labels_autres", "accessibilite", "cle_ban"}
ONLY_101 = set(serializers.STANDARD_FIELDS) - {
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse", "latitude",
    "longitude", "typologie", "telephone", "site_web", "horaires", "presentation_resume", "presentation_detail",
    "source", "structure_parente", "date_maj", "services", "modalites_accompagnement", "prise_rdv"}

DEFAULT_MAX_ROWS = 200_000  # IMPORT_MAX_ROWS when read outside the application

VOCABULARY_OF_COLUMN = {column: values for _name, (values, _label, column) in PLACE_VOCABULARIES.items()}


@dataclass
class ReadResult:
    """A file read into rows; ``problems`` holds those of the whole file (line 0, or the header: 1)."""
    format: str | None = None
    encoding: str | None = None
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    json: bool = False
    source_name: str | None = None  # the file's name (the France Services list is dated by it)
    profile: profiles.Profile | None = None  # the mapping profile the file is read with, if any
    bad_lines: dict[int, Problem] = field(default_factory=dict)  # CSV lines that cannot be read: rejected alone
    # A file read in a stream (``stream_path``): its rows are read again from the disk each time they
    # are asked for, never held together (issue 15, item 6); ``rows`` stays empty.
    row_stream: Callable[[], Iterator[ImportRow]] | None = None
    row_count: int = 0
    name_counts: Counter | None = None  # the words of the file's names, for the duplicate detection's order

    @property
    def readable(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    def iter_rows(self) -> Iterator[ImportRow]:
        return self.row_stream() if self.row_stream is not None else iter(self.rows)

    @property
    def size(self) -> int:
        return self.row_count if self.row_stream is not None else len(self.rows)


@dataclass
class Outcome:
    """What the command line and the upload page show: the file read, and the plan or the report."""
    read: ReadResult
    plan: ImportPlan | None = None
    report: ImportReport | None = None
    publication: str = imports.PENDING  # for the organisations the import creates (issue 15)

    @property
    def problems(self) -> list[Problem]:
        return self.read.problems + (self.plan.problems if self.plan else [])

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    @property
    def format_label(self) -> str:
        if self.read.format == "profil" and self.read.profile is not None:
            return f"fichier lu avec le profil « {self.read.profile.name} » (converti en 1.0.1)"
        return FORMAT_LABELS.get(self.read.format or "", "format inconnu")


# --- reading the bytes ---------------------------------------------------------------------------

def _size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size:,} octets".replace(",", "\u00a0")
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def _file_problem(message: str, reason: str, severity: str = ERROR, line: int = 0, column: str = "") -> Problem:
    return Problem(line, column, message, severity, reason)


def decode(data: bytes, result: ReadResult) -> str | None:
    """UTF-8 (with or without BOM), else Windows-1252/Latin-1, reported as a warning."""
    if data.startswith(b"\xef\xbb\xbf"):
        result.encoding = "UTF-8 avec BOM"
        data = data[3:]
    try:
        text = data.decode("utf-8")
        result.encoding = result.encoding or "UTF-8"
    except UnicodeDecodeError as error:
        try:
            text = data.decode("cp1252")
            result.encoding = "Windows-1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            result.encoding = "Latin-1 (ISO-8859-1)"
        line = data[:error.start].count(b"\n") + 1
        result.problems.append(_file_problem(
            f"Le fichier n'est pas en UTF-8 (premier caractère non UTF-8 ligne {line}) : il a été lu en "
            f"{result.encoding}. Vérifiez les accents ci-dessous et enregistrez-le en UTF-8 la prochaine fois.",
            "encodage non UTF-8", WARNING))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def read_bytes(data: bytes, *, max_bytes: int | None = None, name: str | None = None,
               max_rows: int | None = None, profile: profiles.Profile | None = None) -> ReadResult:
    return _read([data], max_bytes=max_bytes, name=name, max_rows=max_rows, profile=profile)


def _read(holder: list, *, max_bytes: int | None, name: str | None, max_rows: int | None = None,
          profile: profiles.Profile | None = None) -> ReadResult:
    """Reads the bytes in ``holder`` (a one-item list, emptied here: the bytes, then the decoded
    text, are let go as soon as the next stage has them, so that a large file is not held three times).
    A file that cannot be read safely (``parsing.py``) gives one error with its line."""
    result = ReadResult(source_name=name, profile=profile)
    try:
        _parse(holder, result, max_bytes=max_bytes, max_rows=_max_rows(max_rows))
    except parsing.Malformed as error:
        result.rows = []
        result.problems.append(_file_problem(error.message, error.reason, line=error.line, column=error.column))
    return result


def _max_rows(max_rows: int | None) -> int:
    if max_rows is not None:
        return max_rows
    return int(current_app.config["IMPORT_MAX_ROWS"]) if has_app_context() else DEFAULT_MAX_ROWS


def _parse(holder: list, result: ReadResult, *, max_bytes: int | None, max_rows: int) -> None:
    data = holder.pop()
    if max_bytes is not None and len(data) > max_bytes:
        result.problems.append(_too_big(len(data), max_bytes))
        return
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        result.problems.append(_file_problem("Le fichier est vide : il ne contient aucun lieu.", "fichier vide"))
        return
    parsing.refuse_binary(data)
    text = decode(data, result)
    del data
    if text.lstrip()[:1] in ("[", "{"):
        result.json = True
        records = _json_records(text, result, max_rows)
    elif _json_scalar(text):
        result.json = True
        result.problems.append(_file_problem(NOT_A_LIST, "JSON mal formé"))
        return
    else:
        records = _csv_records(text, result, max_rows)
    del text
    if records is None:
        return
    _to_standard(records, result)


def _too_big(size: int, max_bytes: int) -> Problem:
    return _file_problem(f"Le fichier fait {_size_text(size)} : la limite est de {_size_text(max_bytes)}. "
                         "Découpez-le en plusieurs fichiers (par département, par exemple).", "fichier trop volumineux")


def read_path(path: str | os.PathLike, *, max_bytes: int | None = None, name: str | None = None,
              max_rows: int | None = None, profile: profiles.Profile | None = None) -> ReadResult:
    size = Path(path).stat().st_size
    if max_bytes is not None and size > max_bytes:
        result = ReadResult()
        result.problems.append(_too_big(size, max_bytes))
        return result
    return _read([Path(path).read_bytes()], max_bytes=max_bytes, name=name or Path(path).name, max_rows=max_rows,
                 profile=profile)


# --- reading a large file in a stream (issue 15, item 6) ----------------------------------------------
# ``check_file`` and ``apply_file`` read a CSV line by line from the disk, twice: a first pass checks
# that every line can be read and counts the rows and the words of their names (the duplicate detection
# needs their order before the first lookup), the second gives the rows to the plan one at a time.
# Neither the file's bytes, nor its text, nor its rows are ever held together: memory does not grow
# with the file. A JSON file is parsed whole (a JSON text cannot be read an object at a time without
# another parser) and read as before.

SCAN_CHUNK = 1 << 20  # bytes read at a time to check the file before reading it


def stream_path(path: str | os.PathLike, *, max_bytes: int | None = None, name: str | None = None,
                max_rows: int | None = None, profile: profiles.Profile | None = None,
                strip_personal_emails: bool = False) -> ReadResult:
    """The file, ready to be read row by row (``ReadResult.iter_rows``); its file-level problems, the
    number of rows and the words of their names already known. ``strip_personal_emails``: see
    ``drop_personal_emails``."""
    path = Path(path)
    size = path.stat().st_size
    result = ReadResult(source_name=name or path.name, profile=profile)
    if max_bytes is not None and size > max_bytes:
        result.problems.append(_too_big(size, max_bytes))
        return result
    try:
        encoding, json_text = _scan(path, result)
        if encoding is None:
            return result
        if json_text:
            result = _read([path.read_bytes()], max_bytes=max_bytes, name=name or path.name, max_rows=max_rows,
                           profile=profile)
            if strip_personal_emails:
                drop_personal_emails(result)
            return result
        _csv_stream(path, encoding, result, _max_rows(max_rows), strip_personal_emails)
    except parsing.Malformed as error:
        result.row_stream = None
        result.problems.append(_file_problem(error.message, error.reason, line=error.line, column=error.column))
    return result


def _scan(path: Path, result: ReadResult) -> tuple[str | None, bool]:
    """The bytes, a chunk at a time: a binary file is refused (``parsing.refuse_binary``), an empty one
    reported; returns the codec to read the text with (None: nothing to read) and whether it is JSON."""
    with open(path, "rb") as file:
        head = file.read(SCAN_CHUNK)
        if head.startswith(parsing.ZIP_SIGNATURES):
            parsing.refuse_binary(head + file.read())  # the archive's names say what it is
        parsing.refuse_binary(head)
        utf8 = codecs.getincrementaldecoder("utf-8")()
        chunk, lines, blank, bad_line = head, 0, True, 0
        while chunk:
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise parsing.nul_byte(lines + chunk.count(b"\n", 0, nul) + 1)
            blank = blank and not chunk.strip(b" \t\r\n\xef\xbb\xbf")
            if not bad_line:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as error:
                    bad_line = lines + chunk.count(b"\n", 0, error.start) + 1
            lines += chunk.count(b"\n")
            chunk = file.read(SCAN_CHUNK)
        if not bad_line:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                bad_line = lines + 1
    if blank:
        result.problems.append(_file_problem("Le fichier est vide : il ne contient aucun lieu.", "fichier vide"))
        return None, False
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{") or (
            len(head) < SCAN_CHUNK and _json_scalar(head.decode("utf-8", "replace"))):
        return "json", True
    if not bad_line:
        result.encoding = "UTF-8 avec BOM" if head.startswith(b"\xef\xbb\xbf") else "UTF-8"
        return "utf-8-sig", False
    encoding = "cp1252" if _decodes(path, "cp1252") else "latin-1"
    result.encoding = "Windows-1252" if encoding == "cp1252" else "Latin-1 (ISO-8859-1)"
    result.problems.append(_file_problem(
        f"Le fichier n'est pas en UTF-8 (premier caractère non UTF-8 ligne {bad_line}) : il a été lu en "
        f"{result.encoding}. Vérifiez les accents ci-dessous et enregistrez-le en UTF-8 la prochaine fois.",
        "encodage non UTF-8", WARNING))
    return encoding, False


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as file:
            while chunk := file.read(SCAN_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_stream(path: Path, encoding: str, result: ReadResult, max_rows: int, strip_personal_emails: bool) -> None:
    """Gives ``result`` what reads the CSV's rows again from the disk each time it is called, once a
    first pass has read every line (problems in ``result`` when the file cannot be read)."""
    with open(path, encoding=encoding) as file:  # universal newlines: "\r\n" and "\r" end lines too
        separator = _separator(file.readline())
        file.seek(0)
        reader = parsing.csv_rows(file, separator, max_rows=max_rows)
        _, header = next(reader, (1, None))
        has_rows = any(any(cell.strip() for cell in cells) for _, cells in reader)
    if header is None:
        result.problems.append(_file_problem("Le fichier est vide : il ne contient aucun lieu.", "fichier vide"))
        return
    if not has_rows:  # said before the format: a header alone is no file to map
        result.problems.append(_file_problem("Le fichier ne contient que la ligne d'en-tête : aucun lieu.",
                                             "fichier vide", line=1))
        return
    names = [name.strip().lstrip("\ufeff") for name in header]
    standardiser = _Standardiser(set(names), result)
    if not standardiser.ready:
        return

    def rows() -> Iterator[ImportRow]:
        with open(path, encoding=encoding) as file:
            reader = parsing.csv_rows(file, separator, max_rows=max_rows)
            next(reader)
            for line, cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                problem = _bad_line(line, cells, names, separator)
                if problem is not None:
                    yield ImportRow(line=line, record={}, problems=[problem])
                    continue
                row = standardiser.row(line, dict(zip(names, cells, strict=False)))
                if strip_personal_emails:
                    _drop_personal_emails_of(row)
                yield row

    def names_read() -> Iterator[str]:
        """Each row's name as the file has it: in the standard's shapes, the cell under « nom »."""
        column = next(i for i, name in enumerate(names) if standardiser.renamed.get(name, name) == "nom")
        with open(path, encoding=encoding) as file:
            reader = parsing.csv_rows(file, separator, max_rows=max_rows)
            next(reader)
            for line, cells in reader:
                if any(cell.strip() for cell in cells):
                    yield "" if _bad_line(line, cells, names, separator) else cells[column]

    # The first pass: a line that cannot be read stops the file here, before anything is planned or
    # written. A converted file (profile, France Services: small files) is read whole; the standard's
    # shapes need their names only, read without the rest of the row.
    if standardiser.converter is not None or standardiser.france_services_day is not None:
        names_of_rows = (str(row.record.get("nom") or "") for row in rows())
    else:
        names_of_rows = names_read()
    count, words = 0, Counter()
    for name in names_of_rows:
        count += 1
        words.update(imports.name_words(name))
    result.row_stream, result.row_count, result.name_counts = rows, count, words


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    separator = max(counts, key=counts.get)
    return separator if counts[separator] else ","


def _bad_line(line: int, cells: list[str], names: list[str], separator: str) -> Problem | None:
    if len(cells) == len(names) or (len(cells) > len(names) and not any(c.strip() for c in cells[len(names):])):
        return None
    # This line only is rejected (issue 15): the values are not under their columns any more.
    why = (f"une valeur contient sans doute le séparateur « {separator} » sans guillemets"
           if len(cells) > len(names) else "il manque des séparateurs")
    return _file_problem(f"La ligne a {len(cells)} cellules pour {len(names)} colonnes : {why}. Ce lieu est laissé "
                         "de côté ; les autres lignes sont lues.", "nombre de cellules incorrect", line=line)


def raw_records(path: str | os.PathLike, *, max_bytes: int | None = None,
                max_rows: int | None = None) -> list[tuple[int, dict]]:
    """The file's rows as it has them (its own column names, no conversion): what the mapping page
    shows. [] when the file cannot be read."""
    data = Path(path).read_bytes()
    if (max_bytes is not None and len(data) > max_bytes) or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        return []
    result = ReadResult()
    try:
        parsing.refuse_binary(data)
        text = decode(data, result)
        if text.lstrip()[:1] in ("[", "{"):
            records = _json_records(text, result, _max_rows(max_rows))
        else:
            records = _csv_records(text, result, _max_rows(max_rows))
    except parsing.Malformed:
        return []
    return records or []


# A JSON file may wrap its list of places in an object: {"meta": {…}, "data": […]} (issue 15).
WRAPPER_KEYS = ("data", "lieux", "features", "items", "results", "records")
NOT_A_LIST = ("Le fichier doit contenir une liste d'objets, un par lieu (ou un objet dont la clé "
              f"{', '.join(WRAPPER_KEYS[:-1])} ou {WRAPPER_KEYS[-1]} contient cette liste).")


def _json_scalar(text: str) -> bool:
    """A JSON text that is a single number, string, true, false or null (never a directory)."""
    stripped = text.strip()
    if len(stripped) > 10_000 or not stripped or stripped[0] not in '"-0123456789tfn':
        return False
    try:
        json.loads(stripped)
    except ValueError:
        return False
    return True


def _unwrap(data: dict):
    """The list of places of a wrapping object, GeoJSON features as their properties (the point's
    coordinates when they have none); None when no known key holds a list."""
    keys = {str(k).strip().lower(): k for k in data}
    key = next((keys[k] for k in WRAPPER_KEYS if k in keys and isinstance(data[keys[k]], list)), None)
    if key is None:
        lists = [k for k, v in data.items() if isinstance(v, list)]
        key = lists[0] if len(lists) == 1 else None
    if key is None:
        return None
    items = data[key]
    if not any(isinstance(f, dict) and isinstance(f.get("properties"), dict) for f in items[:10]):
        return items
    places = []
    for feature in items:
        if not isinstance(feature, dict):
            places.append(feature)
            continue
        place = dict(feature.get("properties") or {})
        geometry = feature.get("geometry") or {}
        point = geometry.get("coordinates") if isinstance(geometry, dict) and geometry.get("type") == "Point" else None
        if isinstance(point, list) and len(point) >= 2 and not place.get("latitude") and not place.get("longitude"):
            place["longitude"], place["latitude"] = point[0], point[1]
        places.append(place)
    return places


def _json_records(text: str, result: ReadResult, max_rows: int) -> list[tuple[int, dict]] | None:
    parsing.check_json(text, max_rows=max_rows)  # before parsing: depth and size bounded
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        result.problems.append(_file_problem(f"Le fichier JSON est mal formé ligne {error.lineno} : "
                                             f"{parsing.json_error_text(error.msg)}.",
                                             "JSON mal formé"))
        return None
    if isinstance(data, dict):  # {"meta": …, "data": [...]} or a GeoJSON FeatureCollection
        data = _unwrap(data)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        result.problems.append(_file_problem(NOT_A_LIST, "JSON mal formé"))
        return None
    if not data:
        result.problems.append(_file_problem("Le fichier est vide : il ne contient aucun lieu.", "fichier vide"))
        return None
    parsing.check_json_rows(data, max_rows=max_rows)
    # JSON has no lines: object n° 1 is reported as line 2, as if the file were opened as a spreadsheet.
    for index, item in enumerate(data):  # in place: the parsed objects are not held twice
        data[index] = (index + 2, {str(k).strip(): v for k, v in item.items()})
    return data


def _csv_records(text: str, result: ReadResult, max_rows: int) -> list[tuple[int, dict]] | None:
    end = text.find("\n")
    separator = _separator(text if end < 0 else text[:end])
    reader = parsing.csv_rows(text, separator, max_rows=max_rows)  # row by row: no list of every raw row
    _, header = next(reader, (1, None))
    if header is None:
        result.problems.append(_file_problem("Le fichier est vide : il ne contient aucun lieu.", "fichier vide"))
        return None
    names = [name.strip().lstrip("\ufeff") for name in header]
    records = []
    for index, cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        problem = _bad_line(index, cells, names, separator)
        if problem is not None:
            result.bad_lines[index] = problem
        records.append((index, dict(zip(names, cells, strict=False))))
    if not records:
        result.problems.append(_file_problem("Le fichier ne contient que la ligne d'en-tête : aucun lieu.",
                                             "fichier vide", line=1))
        return None
    return records


# --- into the standard 1.0.1 ----------------------------------------------------------------------

def detect_format(columns: set[str]) -> str:
    """The format the columns say, or ``UNKNOWN_FORMAT`` when the file has too few of the standard's
    required columns to be one of its versions (a regional file needs a profile)."""
    from coordination.directory.imports import france_services
    if france_services.is_france_services(columns):
        return "france-services"
    if columns & ONLY_01 and not columns & ONLY_101:
        return "0.1"
    renamed = {COLUMNS_01.get(c, c) for c in columns}
    if len(renamed & set(serializers.REQUIRED_FIELDS)) < 3:
        return UNKNOWN_FORMAT
    return "1.0.1"


def _unknown_format(columns: set[str]) -> Problem:
    names = profiles.available()
    return _file_problem(
        "Format non reconnu : ce fichier n'a pas les colonnes du standard « Lieux de médiation numérique » "
        f"(obligatoires : {', '.join(serializers.REQUIRED_FIELDS)}) ni celles de la liste France Services. "
        f"Colonnes trouvées : {', '.join(sorted(columns)) or 'aucune'}. Importez-le avec un profil de "
        "correspondance qui fait le lien entre ses colonnes et celles du standard (en ligne de commande : "
        f"--profil NOM ; profils disponibles : {', '.join(names) or 'aucun'}).",
        "format non reconnu", line=1)


def _header_key(name: str) -> str:
    """ "Code Postal", "CODE_POSTAL", "code-postal" -> "code_postal"; "Téléphone" -> "telephone"."""
    text = unicodedata.normalize("NFKD", str(name).strip())
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s\-]+", "_", text)


def _known_columns() -> dict[str, str]:
    from coordination.directory.imports import france_services
    names = {*serializers.STANDARD_FIELDS, *ONLY_01, *COLUMNS_01, *france_services.COLUMNS, "structureId"}
    return {_header_key(name): name for name in names}


class _Standardiser:
    """Turns the file's records into rows of the standard 1.0.1 one at a time, once its columns are
    known: header renaming, the format (or the profile), the required columns. ``ready`` is False
    when the file cannot be read into the standard (the problem is in ``result``)."""

    def __init__(self, columns: set[str], result: ReadResult):
        self.result, self.ready = result, False
        self.renamed: dict[str, str] = {}
        self.converter = self.france_services_day = None
        if result.profile is not None:
            result.format = "profil"
            self.converter = profiles.Converter(result.profile, columns)
            missing = self.converter.missing_columns()
            if missing:
                plural = "s" if len(missing) > 1 else ""
                result.problems.append(_file_problem(
                    f"Colonne{plural} du profil « {result.profile.name} » absente{plural} du fichier : "
                    f"{', '.join(missing)}. Colonnes trouvées : {', '.join(sorted(columns))}.",
                    "colonne du profil absente", line=1))
                return
            columns = self.converter.output_columns()
        else:
            said = len(result.problems)
            renamed = self._canonical_headers(columns)
            result.format = detect_format({renamed.get(c, c) for c in columns})
            if result.format == UNKNOWN_FORMAT:  # the file's own headers, and no word of renaming them
                del result.problems[said:]
                result.problems.append(_unknown_format(columns))
                return
            self.renamed = renamed
            columns = {renamed.get(c, c) for c in columns}
        if result.format == "france-services":
            from coordination.directory.imports import france_services
            self.france_services_day = france_services.list_date(result)
            columns = set(serializers.STANDARD_FIELDS)
        if not self._has_required(columns):
            return
        self.reader = _RowReader("1.0.1" if result.format == "profil" else result.format, json_file=result.json)
        self.ready = True

    def _canonical_headers(self, columns: set[str]) -> dict[str, str]:
        """Headers read without case nor accents (issue 15): « Nom », « CODE_POSTAL », « Téléphone »
        are the standard's « nom », « code_postal », « telephone ». A warning lists what was renamed."""
        known = _known_columns()
        renamed = {c: known[_header_key(c)] for c in columns
                   if c not in known.values() and known.get(_header_key(c)) and known[_header_key(c)] not in columns}
        if renamed:
            shown = ", ".join(f"« {old} » → « {new} »" for old, new in sorted(renamed.items()))
            self.result.problems.append(_file_problem(
                f"En-têtes lus sans tenir compte des majuscules ni des accents : {shown}.",
                "en-têtes avec majuscules ou accents", WARNING, line=1))
        return renamed

    def _has_required(self, columns: set[str]) -> bool:
        result = self.result
        known = set(serializers.STANDARD_FIELDS) | (ONLY_01 | set(COLUMNS_01) if result.format == "0.1" else set())
        present = {COLUMNS_01.get(c, c) for c in columns} if result.format == "0.1" else columns
        missing = [c for c in serializers.REQUIRED_FIELDS if c not in present]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            result.problems.append(_file_problem(
                f"Colonne{plural} obligatoire{plural} absente{plural} : {', '.join(missing)}. Colonnes trouvées : "
                f"{', '.join(sorted(columns)) or 'aucune'}.", "colonne obligatoire absente", line=1))
            return False
        unknown = sorted(columns - known - {"structureId"} - set(serializers.EXTRA_FIELDS))
        if unknown and result.format not in ("france-services", "profil"):
            result.problems.append(_file_problem(f"Colonnes ignorées (absentes du standard) : {', '.join(unknown)}.",
                                                 "colonnes ignorées", WARNING, line=1))
        return True

    def row(self, line: int, record: dict) -> ImportRow:
        problems: list[Problem] = []
        if self.renamed:
            record = {self.renamed.get(k, k): v for k, v in record.items()}
        if self.converter is not None:
            record = self.converter.convert(line, record, problems)
        elif self.france_services_day is not None:
            from coordination.directory.imports import france_services
            record = france_services.convert_record(line, record, self.france_services_day, problems)
        row = self.reader.row(line, record)
        if problems:
            row.problems[:0] = problems
        return row


def _to_standard(records: list[tuple[int, dict]], result: ReadResult) -> None:
    """The records read at once (JSON, and the small files the mapping page previews) into ``result.rows``."""
    standardiser = _Standardiser(set().union(*(record.keys() for _, record in records)), result)
    if not standardiser.ready:
        return
    for index, (line, record) in enumerate(records):
        if line in result.bad_lines:
            result.rows.append(ImportRow(line=line, record={}, problems=[result.bad_lines[line]], json=result.json))
        else:
            result.rows.append(standardiser.row(line, record))
        records[index] = None  # the raw record is not needed once its row is read


def _fold(value: str) -> str:
    text = unicodedata.normalize("NFKD", value.replace("’", "'").replace("`", "'").replace("œ", "oe"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(text.replace("«", " ").replace("»", " ").split())


FOLDED = {column: {_fold(v): v for v in values} for column, values in VOCABULARY_OF_COLUMN.items()}
FOLDED_01 = {name: {_fold(k): k for k in table} for name, table in
             (("services", SERVICES_01), ("labels", LABELS_01), ("fees", FEES_01), ("support", SUPPORT_01),
              ("publics", PUBLICS_01))}
DATE_FR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


# An overseas number written with the wrong country code: +33 (metropolitan France) before a
# département's own prefix, or +269 (the Comoros) before Mayotte's. National prefix -> country code.
OVERSEAS_PREFIXES = {"590": "590", "690": "590", "691": "590", "594": "594", "694": "594", "596": "596",
                     "696": "596", "262": "262", "692": "262", "693": "262", "269": "262", "639": "262"}
WRONG_COUNTRY_CODE = re.compile(r"\+(33|269)((\d{3})\d{6})")


def overseas_phone(value: str) -> str | None:
    """The corrected number (E.164), only when the number as written is invalid and the corrected one
    valid (phonenumbers): "+33594341747" -> "+594594341747", "+269269662010" -> "+262269662010"."""
    match = WRONG_COUNTRY_CODE.fullmatch(re.sub(r"[\s.\-()]", "", value))
    if match is None:
        return None
    country, national, prefix = match.groups()
    target = OVERSEAS_PREFIXES.get(prefix)
    if target is None or (country == "269" and prefix not in ("269", "639")):
        return None
    try:
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+{country}{national}")):
            return None
        corrected = phonenumbers.parse(f"+{target}{national}")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(corrected):
        return None
    return phonenumbers.format_number(corrected, phonenumbers.PhoneNumberFormat.E164)


# Text decoded twice (UTF-8 read as Windows-1252: « Ã© », « â€™ »), or a replacement character.
MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|Â[\u00a0-\u00bf]|\ufffd")
ZERO_LENGTH_HOURS = re.compile(r"(?<![\d:])(\d{1,2}:\d{2})-\1(?![\d:])")
ALWAYS_OPEN = re.compile(r"\s*(24/7|(Mo-Su\s+)?00:00-24:00)\s*;?\s*")
PREMIUM_PHONE = re.compile(r"(\+33|0033|0)89\d{7}$")


def _preview(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) > 1000:
        return str(int(value))
    return without_guard(str(value).strip())  # the apostrophe the open-data CSV adds before a formula


def _items(value, separators: str) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in value if _text(v)]
    return [part.strip() for part in re.split(separators, _text(value)) if part.strip()]


class _RowReader:
    def __init__(self, format: str, *, json_file: bool = False):
        self.format = format
        self.json_file = json_file

    def row(self, line: int, raw: dict) -> ImportRow:
        row = ImportRow(line=line, record={}, json=self.json_file)
        self.problems = row.problems
        self.line = line
        if self.format == "0.1":
            raw = self._from_01(raw)
        for column in serializers.STANDARD_FIELDS:
            if column not in raw:
                continue
            value = raw[column]
            reader = getattr(self, f"_{column}", None)
            if reader is not None:
                value = reader(value)
            elif column in VOCABULARY_OF_COLUMN:
                value = self._vocabulary(column, value)
            elif column in serializers.LIST_COLUMNS:
                value = _items(value, r"\|")
            else:
                value = _text(value) or None
            row.record[column] = value
            self._check_encoding(column, value)
        if _text(raw.get("id_source")):  # a re-export (ours or another network's): the original id
            row.record["id_source"] = _text(raw["id_source"])
        self._summary_and_detail(row.record)
        return row

    def _check_encoding(self, column: str, value) -> None:
        for text in (value if isinstance(value, list) else [value]):
            if isinstance(text, str) and MOJIBAKE.search(text):
                self.warn(column, f"« {_preview(text)} » : caractères mal encodés (« Ã© » au lieu de « é », ou "
                          "« \ufffd ») : le texte a sans doute été converti deux fois. Corrigez-le dans le fichier ou "
                          "dans l'annuaire.", "texte mal encodé")
                return

    def warn(self, column: str, message: str, reason: str) -> None:
        self.problems.append(Problem(self.line, column, message, WARNING, reason))

    def error(self, column: str, message: str, reason: str) -> None:
        self.problems.append(Problem(self.line, column, message, ERROR, reason))

    # one column each
    def _id(self, value) -> str | None:
        return _text(value) or None

    def _code_postal(self, value) -> str | None:
        text = _text(value).replace(" ", "")
        if re.fullmatch(r"\d{4}", text):
            self.warn("code_postal", f"Code postal « {text} » à 4 chiffres : le zéro initial perdu (tableur) a été "
                      f"rétabli : « 0{text} ».", "code postal sans zéro initial")
            return "0" + text
        return text or None

    def _code_insee(self, value) -> str | None:
        text = _text(value).replace(" ", "")
        if re.fullmatch(r"\d{4}", text):
            self.warn("code_insee", f"Code INSEE « {text} » à 4 chiffres : zéro initial rétabli (« 0{text} »).",
                      "code INSEE sans zéro initial")
            return "0" + text
        return text or None

    def _coordinate(self, column: str, value) -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        text = _text(value)
        if not text:
            return None
        if re.fullmatch(r"-?\d+,\d+", text):
            self.warn(column, f"« {text} » : virgule décimale lue comme un point.", "virgule décimale")
            text = text.replace(",", ".")
        try:
            return float(text)
        except ValueError:
            self.error(column, f"« {text} » n'est pas un nombre décimal (exemple : 47.2184).", f"{column} invalide")
            return None

    def _latitude(self, value):
        return self._coordinate("latitude", value)

    def _longitude(self, value):
        return self._coordinate("longitude", value)

    def _date_maj(self, value) -> str | None:
        text = _text(value)
        if not text:
            return None
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        match = DATE_FR.fullmatch(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                iso = date(year, month, day).isoformat()
            except ValueError:
                pass
            else:
                self.warn("date_maj", f"Date « {text} » au format JJ/MM/AAAA lue comme {iso}.", "date JJ/MM/AAAA")
                return iso
        try:
            iso = datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            self.error("date_maj", f"« {text} » n'est pas une date valable : écrivez-la AAAA-MM-JJ "
                       "(exemple : 2024-06-30).", "date_maj invalide")
            return None
        self.warn("date_maj", f"Date et heure « {text} » : seule la date {iso} est gardée.", "date avec heure")
        return iso

    def _pivot(self, value) -> str | None:
        return _text(value).replace(" ", "") or None

    def _telephone(self, value) -> str | None:
        items = _items(value, r"\||;|/")
        if len(items) > 1:
            self.warn("telephone", f"Plusieurs numéros ({', '.join(items)}) : seul le premier est gardé.",
                      "plusieurs téléphones")
        if not items:
            return None
        if "fax" in _text(value).lower():
            self.warn("telephone", f"« {_text(value)} » : un numéro de fax ? Le standard attend le téléphone "
                      "d'accueil.", "téléphone : fax")
        elif PREMIUM_PHONE.match(re.sub(r"[\s.\-()]", "", items[0])):
            self.warn("telephone", f"« {items[0]} » : numéro surtaxé (08 9x) ; le public attend un numéro "
                      "gratuit ou au prix d'un appel local.", "téléphone surtaxé")
        corrected = overseas_phone(items[0])
        if corrected:
            self.warn("telephone", f"« {items[0]} » : numéro d'outre-mer écrit avec un mauvais indicatif "
                      f"international, corrigé en « {corrected} ».", "indicatif d'outre-mer corrigé")
            return corrected
        return items[0]

    def _horaires(self, value) -> str | None:
        text = _text(value)
        if not text:
            return None
        if ZERO_LENGTH_HOURS.search(text):
            self.warn("horaires", f"« {text} » : une plage commence et finit à la même heure (OSM la lit comme "
                      "ouverte toute la journée). Vérifiez les horaires.", "horaires de durée nulle")
        elif ALWAYS_OPEN.fullmatch(text):
            self.warn("horaires", f"« {text} » : ouvert 24 h/24, 7 j/7 ? Vérifiez les horaires.",
                      "horaires 24 h/24")
        return text

    def _courriels(self, value) -> list[str]:
        return [item for item in _items(value, r"[|;,\s]+") if re.search(r"\w", item)]  # "-" means none

    def _site_web(self, value) -> list[str]:
        return _items(value, r"\|")  # every URL is kept: the standard allows several (issue 15)

    def _summary_and_detail(self, record: dict) -> None:
        """A summary over the standard's 280 characters is cut at a word, and its full text goes first in
        the detail (created when the file has no such column), for this row only."""
        summary = record.get("presentation_resume")
        if not summary or len(summary) <= serializers.SUMMARY_MAX:
            return
        self.warn("presentation_resume", f"Présentation résumée de {len(summary)} caractères : coupée à "
                  f"{serializers.SUMMARY_MAX} ; le texte entier passe en tête de la présentation détaillée.",
                  "présentation résumée trop longue")
        record["presentation_resume"] = serializers.cut_at_word(summary)
        detail = record.get("presentation_detail")
        if not detail:
            record["presentation_detail"] = summary
        elif not detail.startswith(summary):
            record["presentation_detail"] = f"{summary}\n\n{detail}"

    def _vocabulary(self, column: str, value) -> list[str]:
        allowed = VOCABULARY_OF_COLUMN[column]
        found = []
        for item in _items(value, r"\|" if self.format != "0.1" else r"\||;"):
            if item in allowed:
                found.append(item)
                continue
            near = FOLDED[column].get(_fold(item))
            if near is None and column == "typologie":
                near = FOLDED[column].get(_fold(item).replace(" ", "_"))
            if near is not None:
                self.warn(column, f"« {item} » lu comme « {near} » (valeur exacte du standard).",
                          "valeur proche du vocabulaire")
                found.append(near)
                continue
            parts = [p.strip() for p in item.split(";") if p.strip()]
            if len(parts) > 1 and all(p in allowed for p in parts):
                self.warn(column, f"« {item} » : valeurs séparées par « ; » au lieu de « | ».", "séparateur ;")
                found.extend(parts)
                continue
            shown = " ; ".join(allowed) if len(allowed) <= 20 else " ; ".join(allowed[:20]) + " ; …"
            self.warn(column, f"Valeur inconnue « {item} » dans la colonne « {column} » : laissée de côté, le lieu "
                      f"est importé sans elle. Valeurs permises : {shown}.", f"{column} : valeur inconnue laissée de côté")
        return list(dict.fromkeys(found))

    def _source(self, value) -> str | None:
        return _text(value) or None  # the file's producer, kept with the place (issue 15)

    # the 0.1 shape
    def _from_01(self, raw: dict) -> dict:
        record = {COLUMNS_01.get(k, k): v for k, v in raw.items() if k not in ONLY_01 or k in COLUMNS_01}
        extra: dict[str, list[str]] = {}
        present = set()

        def add(column, value):
            if column:
                present.add(column)
                if value:
                    extra.setdefault(column, []).append(value)

        if "services" in raw:
            record["services"] = self._map_01("services", raw["services"], SERVICES_01, "services")
        for column in ("labels_nationaux",):
            if column in raw:
                for target, value in self._pairs_01(column, raw[column], LABELS_01, "labels"):
                    add(target, value)
                for target in ("dispositif_programmes_nationaux", "formations_labels"):
                    present.add(target)
        for column in ("conditions_acces", "conditions_access"):
            if column in raw:
                present.add("frais_a_charge")
                for target, value in self._pairs_01("conditions_acces", raw[column], FEES_01, "fees"):
                    add(target, value)
        if "publics_accueillis" in raw:
            present.update(("publics_specifiquement_adresses", "prise_en_charge_specifique"))
            for target, value in self._pairs_01("publics_accueillis", raw["publics_accueillis"], PUBLICS_01,
                                                "publics"):
                add(target, value)
        if "modalites_accompagnement" in raw:
            record["modalites_accompagnement"] = self._map_01(
                "modalites_accompagnement", raw["modalites_accompagnement"], SUPPORT_01, "support")
        for column in present:
            values = extra.get(column, [])
            if column == "autres_formations_labels":
                values = _items(record.get(column), r"\||;") + values
            record[column] = list(dict.fromkeys(values))
        if "typologie" in record:
            record["typologie"] = _items(record["typologie"], r"\||;")
        return record

    def _label_01(self, item: str, table: dict, folded_name: str) -> str | None:
        if item in table:
            return item
        head = item.split(" : ", 1)[0].strip()
        for candidate in (head, item):
            if candidate in table:
                return candidate
            key = FOLDED_01[folded_name].get(_fold(candidate))
            if key is not None:
                return key
        for key in table:  # "Handicaps psychiques : troubles…" has a long explanation
            if _fold(item).startswith(_fold(key)):
                return key
        return None

    def _pairs_01(self, column: str, value, table: dict, folded_name: str):
        for item in _items(value, r";|\|"):
            key = self._label_01(item, table, folded_name)
            if key is None:
                self.warn(column, f"Valeur inconnue « {item} » dans la colonne « {column} » (standard 0.1) : "
                          f"laissée de côté. Valeurs permises : {' ; '.join(table)}.",
                          f"{column} : valeur inconnue laissée de côté")
                continue
            yield table[key]

    def _map_01(self, column: str, value, table: dict, folded_name: str) -> list[str]:
        target = "services" if column == "services" else "modalites_accompagnement"
        allowed = VOCABULARY_OF_COLUMN[target]
        mapped = []
        for item in _items(value, r";|\|"):
            if item in allowed:
                mapped.append(item)
                continue
            key = self._label_01(item, table, folded_name)
            if key is None:
                self.warn(column, f"Valeur inconnue « {item} » dans la colonne « {column} » (standard 0.1) : "
                          f"laissée de côté. Valeurs permises : {' ; '.join(table)}.",
                          f"{column} : valeur inconnue laissée de côté")
                continue
            mapped.append(table[key])
        return list(dict.fromkeys(mapped))


# --- personal email addresses (issue 15, item 8) ------------------------------------------------------
# Public files (the national cartography, regional lists) publish some nominative addresses. With the
# import's option, an address whose local part looks like « prénom.nom » (two words joined by a dot or
# an underscore, an initial allowed, neither a generic word such as « contact » or « mairie ») is left
# out, with a warning naming it. A heuristic: « marie.curie@… » goes, « france.services@… » stays.
# On the four real files that have addresses, it flags 266 of 4,990 (December 2026).

PERSONAL_LOCAL_PART = re.compile(r"[a-z]+(?:-[a-z]+)?[._][a-z]+(?:-[a-z]+)?")
# Parts of the addresses of services, seen in the real files (« franceservices.bergerac »,
# « accueil.mairie », « maison.service.public »): an address holding one is not a person's.
GENERIC_PARTS = (
    "accueil", "action", "admin", "agence", "agglo", "anim", "annexe", "antenne", "asso", "atelier", "biblio", "bureau", "centre", "club",
    "commun", "conseil", "contact", "creati", "culture", "cyber", "depar", "direction", "emploi", "enfance",
    "espace", "fablab", "famille", "france", "inclusion", "info", "insertion", "itineran", "jeunesse", "maison",
    "mairie", "mediat", "mission", "msap", "multimedia", "numeri", "office", "plateforme", "point", "pole", "poms",
    "public",
    "region", "relais", "secretar", "service", "social", "solidar", "tiers", "ville",
)
# acronyms of services with a vowel (mission locale, point information jeunesse, espace de vie sociale…)
GENERIC_WORDS = frozenset("ami bij bus caf ccas cfppa cia cias cnfs csi efs epn evs lab mds mfs milo pij plie sec".split())
VOWEL = re.compile(r"[aeiouy]")


def personal_email(address: str) -> bool:
    """Whether an address looks like « prénom.nom@… » (or « p.nom », « prenom_nom »): two words that
    are not acronyms (each has a vowel; the first is an initial or has 3 letters or more) and that
    name no service."""
    local = _fold(str(address).split("@", 1)[0])
    if not PERSONAL_LOCAL_PART.fullmatch(local) or any(part in local for part in GENERIC_PARTS):
        return False
    first, last = re.split(r"[._]", local)
    words = re.split(r"[._-]", local)
    if any(word in GENERIC_WORDS or not VOWEL.search(word) for word in words if len(word) > 1):
        return False
    return (len(first) == 1 or len(first) >= 3) and len(last) >= 2


def drop_personal_emails(read: ReadResult) -> int:
    """Leaves out of each row the addresses that look nominative, each with a warning; returns how many."""
    return sum(_drop_personal_emails_of(row) for row in read.rows)


def _drop_personal_emails_of(row: ImportRow) -> int:
    emails = row.record.get("courriels")
    if not emails:
        return 0
    kept = []
    for email in emails:
        if personal_email(email):
            row.problems.append(Problem(
                row.line, "courriels", f"« {email} » ressemble à une adresse nominative (prénom.nom) : elle "
                "n'est pas importée (option « sans courriels personnels »).", WARNING,
                "courriel nominatif non importé"))
        else:
            kept.append(email)
    row.record["courriels"] = kept
    return len(emails) - len(kept)


# --- the use case, for the command line and the upload page ----------------------------------------

def too_big(size: int, max_bytes: int) -> Outcome:
    """The outcome of a file refused for its size, before reading it."""
    return Outcome(read=ReadResult(problems=[_too_big(size, max_bytes)]))


def check_file(path, *, actor, max_bytes: int | None = None, progress: Callable[[int], None] | None = None,
               name: str | None = None, on_read: Callable[[ReadResult], None] | None = None,
               profile: profiles.Profile | None = None, strip_personal_emails: bool = False,
               publication: str = imports.PENDING) -> Outcome:
    """The dry run: every problem, and what the import would do. Writes nothing.
    ``on_read`` is called once the file is read (the command line sizes its progress bar then);
    ``strip_personal_emails`` leaves out the addresses that look nominative."""
    read = stream_path(path, max_bytes=_limit(max_bytes), name=name, profile=profile,
                       strip_personal_emails=strip_personal_emails)
    outcome = Outcome(read=read, publication=publication)
    if on_read:
        on_read(read)
    if read.readable:
        outcome.plan = imports.plan_import(read.iter_rows(), actor=actor, progress=progress,
                                           name_counts=read.name_counts, release_records=True)
    return outcome


def apply_file(path, *, actor, max_bytes: int | None = None, progress: Callable[[int], None] | None = None,
               skip_invalid: bool = False, name: str | None = None,
               on_read: Callable[[ReadResult], None] | None = None,
               profile: profiles.Profile | None = None, strip_personal_emails: bool = False,
               publication: str = imports.PENDING, notify: bool = False) -> Outcome:
    """Applies the file in one transaction when it has no error; otherwise writes nothing (with
    ``skip_invalid``: everything but the rows in error). ``publication`` and ``notify``: see
    ``imports.apply_import`` (no mail to an address of the file unless ``notify``)."""
    read = stream_path(path, max_bytes=_limit(max_bytes), name=name, profile=profile,
                       strip_personal_emails=strip_personal_emails)
    outcome = Outcome(read=read, publication=publication)
    if on_read:
        on_read(read)
    if read.readable:
        outcome.report = imports.apply_import(read.iter_rows(), actor=actor, progress=progress,
                                              skip_invalid=skip_invalid, publication=publication, notify=notify,
                                              file_name=name or Path(path).name, name_counts=read.name_counts,
                                              release_records=True)
        outcome.plan = outcome.report.plan
    return outcome


def _limit(max_bytes: int | None) -> int:
    return max_bytes if max_bytes is not None else int(current_app.config["IMPORT_MAX_BYTES"])


def summary_lines(outcome: Outcome, *, command_line: bool = True) -> list[str]:
    """The French report's head: format, counts, rejected rows by reason."""
    read, plan = outcome.read, outcome.plan
    lines = [f"Format : {outcome.format_label}" + (f" ; encodage : {read.encoding}" if read.encoding else "")]
    if plan is None:
        lines.append("Le fichier n'a pas pu être lu : rien n'a été importé.")
        return lines
    lines.append(f"Lignes lues : {plan.rows}")
    lines.append(f"Lieux à créer : {plan.to_create} ; à mettre à jour : {plan.to_update} ; "
                 f"inchangés : {plan.unchanged} ; ignorés : {plan.skipped}")
    lines.append(f"Organisations à créer, {imports.PUBLICATIONS[outcome.publication]} : {len(plan.organisations)}")
    lines.append(f"Doublons possibles : {len(plan.duplicates)}")
    rejected = plan.rejected_lines
    lines.append(f"Lignes rejetées : {len(rejected)} ; avertissements : {len(plan.warnings)}")
    for reason, count in plan.rejected_by_reason():
        lines.append(("  - " if command_line else "Rejetées pour cette raison, ") + f"{reason} : "
                     + ngettext("%(num)s ligne", "%(num)s lignes", count))
    lines.extend(visibility_lines(outcome))
    report = outcome.report
    if report is not None and report.applied:
        lines.append("Import appliqué : " + ", ".join((
            ngettext("%(num)s lieu créé", "%(num)s lieux créés", report.created),
            ngettext("%(num)s mis à jour", "%(num)s mis à jour", report.updated),
            ngettext("%(num)s organisation créée", "%(num)s organisations créées", report.organisations_created),
        )) + ".")
        if report.notify and report.invitations:
            lines.append(f"Invitations mises dans la file d'envoi : {report.invitations} (étalées dans le temps).")
        elif report.notify and report.organisations_created:
            lines.append("Les structures seront prévenues (une invitation chacune) quand elles seront acceptées.")
        elif report.organisations_created:
            lines.append("Aucun courriel n'est envoyé aux adresses du fichier (« prévenir les structures » "
                         "n'était pas coché).")
    if report is not None and report.applied and plan.rejected_lines:
        lines.append(f"Lignes en erreur laissées de côté : {len(plan.rejected_lines)}.")
    elif outcome.has_errors and command_line:
        lines.append("Le fichier contient des erreurs : rien n'a été importé. Corrigez-les puis relancez "
                     "(ou importez seulement les lignes valables avec --skip-invalid).")
    elif outcome.has_errors:  # the page offers, below, to import the file without its rows in error
        lines.append("Rien n'a encore été importé : corrigez le fichier et envoyez-le à nouveau.")
    return lines


def visibility_lines(outcome: Outcome) -> list[str]:
    """How many places the public directory will show right after the import, and why not the others."""
    if outcome.plan is None:
        return []
    seen = outcome.plan.visibility(outcome.publication)
    lines = [f"Lieux visibles dans l'annuaire public juste après l'import : {seen.visible}"
             + (f" ; non visibles : {seen.hidden_count}" if seen.hidden_count else "")]
    for reason, count in seen.hidden:
        lines.append(f"  - {reason} : {count} lieu{'x' if count > 1 else ''}")
    return lines


def problem_where(problem: Problem, *, json_file: bool = False, short: bool = False) -> str:
    """Where a problem is: "fichier", "en-tête" (a CSV's line 1; a JSON file has no header line:
    "fichier"), then "ligne 12" or "objet n° 11" (``short``: the bare line number)."""
    if problem.line == 0 or (problem.line == 1 and json_file):
        return "fichier"
    if problem.line == 1:
        return "en-tête"
    if json_file:
        return f"objet n° {problem.line - 1}"
    return str(problem.line) if short else f"ligne {problem.line}"


def problem_line(problem: Problem, *, json_file: bool = False) -> str:
    column = f", colonne {problem.column}" if problem.column else ""
    return f"{problem_where(problem, json_file=json_file)}{column} [{problem.severity_label}] : {problem.message}"


REPORT_LIMIT = 2000  # problem lines shown on the upload page; the command line lists them all


@dataclass
class ReportSections:
    """The upload page's report: errors first, warnings counted by reason, then warning lines, at most
    ``limit`` lines in all (errors before warnings), and how many lines were left out."""
    errors: list[Problem]
    warnings_by_reason: list[tuple[str, int]]
    warnings: list[Problem]
    hidden: int


def report_sections(outcome: Outcome, *, limit: int | None = None) -> ReportSections:
    limit = REPORT_LIMIT if limit is None else limit
    errors = [p for p in outcome.problems if p.severity == ERROR]
    warnings = [p for p in outcome.problems if p.severity == WARNING]
    shown_errors = errors[:limit]
    shown_warnings = warnings[:max(0, limit - len(shown_errors))]
    by_reason = Counter(p.reason or p.message for p in warnings)
    return ReportSections(
        errors=shown_errors, warnings_by_reason=sorted(by_reason.items(), key=lambda x: (-x[1], x[0])),
        warnings=shown_warnings, hidden=len(errors) + len(warnings) - len(shown_errors) - len(shown_warnings))


# --- flask opendata import ----------------------------------------------------------------------------

CLI_PUBLICATIONS = {"acceptees": imports.ACCEPTED, "acceptées": imports.ACCEPTED, "en-attente": imports.PENDING}


def _publication_choice(value: str) -> str:
    if value not in CLI_PUBLICATIONS:
        raise click.BadParameter(f"« {value} » : choisissez « acceptees » ou « en-attente ».")
    return value


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help="Vérifie le fichier et affiche ce qui serait fait, sans rien écrire.")
@click.option("--as", "as_email", metavar="EMAIL",
              help="Adresse du compte coordinateur au nom duquel l'import est fait (obligatoire).")
@click.option("--skip-invalid", is_flag=True,
              help="Importe les lignes valables et laisse de côté les lignes en erreur (après une vérification).")
@click.option("--profil", "profile_name", metavar="NOM",
              help="Profil de correspondance pour un fichier qui n'est pas au standard : nom d'un profil "
                   "livré (coordination/directory/imports/profils/) ou du dossier IMPORT_PROFILES_DIR, ou chemin d'un fichier .json.")
@click.option("--organisations", "publication", default="en-attente", show_default=True,
              metavar="acceptees|en-attente", callback=lambda _ctx, _param, value: _publication_choice(value),
              help="Organisations créées par l'import : « acceptees » (source de confiance, leurs lieux sont "
                   "publics tout de suite) ou « en-attente » (chacune attend la décision d'un coordinateur).")
@click.option("--prevenir-structures", "notify", is_flag=True,
              help="Envoie une invitation (une par organisation créée, étalées dans le temps) aux adresses du "
                   "fichier. Sans cette option, aucun courriel n'est envoyé à une adresse du fichier.")
@click.option("--taille-max-mo", "max_mb", type=click.IntRange(min=1), metavar="N",
              help="Taille maximale du fichier en Mo pour cet import seulement (par défaut : la limite "
                   "IMPORT_MAX_BYTES de la configuration, 30 Mo), par exemple pour l'annuaire national.")
@click.option("--sans-courriels-personnels", "strip_personal_emails", is_flag=True,
              help="N'importe pas les adresses électroniques qui ressemblent à une adresse nominative "
                   "(prénom.nom@…) : chacune est signalée par un avertissement.")
@with_appcontext
def import_command(file, dry_run, as_email, skip_invalid, publication, notify, max_mb, profile_name,
                   strip_personal_emails):
    """Importe un fichier d'annuaire (standard 1.0.1 ou 0.1, CSV ou JSON ; liste France Services ;
    tout autre fichier avec un profil de correspondance : --profil NOM)."""
    if not as_email:
        raise click.UsageError("Indiquez le compte coordinateur qui fait l'import : --as adresse@exemple.fr "
                               "(il est enregistré dans le journal d'audit).")
    actor = find_user_by_email(as_email)
    if actor is None or not actor.is_coordinator or not actor.active:
        raise click.ClickException(f"« {as_email} » n'est pas un compte coordinateur actif.")
    try:
        profile = None
        if profile_name:
            profile = (profiles.load_path(profile_name) if profile_name.endswith(".json")
                       else profiles.load(profile_name))
    except profiles.ProfileError as error:
        raise click.ClickException(error.message) from None
    try:
        with click.progressbar(length=1, label="Vérification" if dry_run else "Vérification et import",
                               show_pos=True) as bar:
            outcome = _run_with_bar(file, actor, bar, dry_run=dry_run, skip_invalid=skip_invalid,
                                    max_bytes=max_mb * 1024 * 1024 if max_mb else None, profile=profile,
                                    strip_personal_emails=strip_personal_emails,
                                    publication=CLI_PUBLICATIONS[publication], notify=notify)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    for line in summary_lines(outcome):
        click.echo(line)
    problems = outcome.problems
    if problems:
        click.echo("")
        click.echo("Problèmes :")
        for problem in problems:
            click.echo("  " + problem_line(problem, json_file=outcome.read.json))
    if dry_run and not outcome.has_errors:
        click.echo("Vérification seule (--dry-run) : rien n'a été écrit.")
    applied = outcome.report is not None and outcome.report.applied
    if outcome.has_errors and not applied:
        raise SystemExit(1)


def _run_with_bar(file, actor, bar, *, dry_run: bool, skip_invalid: bool, max_bytes: int | None,
                  profile: profiles.Profile | None = None, strip_personal_emails: bool = False,
                  publication: str = imports.PENDING, notify: bool = False) -> Outcome:
    """The bar counts rows once the file is read (its length is known then)."""
    def rows_known(read: ReadResult) -> None:
        bar.length = max(1, read.size)

    if dry_run:
        return check_file(file, actor=actor, max_bytes=max_bytes, progress=bar.update, on_read=rows_known,
                          profile=profile, strip_personal_emails=strip_personal_emails, publication=publication)
    return apply_file(file, actor=actor, max_bytes=max_bytes, progress=bar.update, on_read=rows_known,
                      skip_invalid=skip_invalid, profile=profile, strip_personal_emails=strip_personal_emails,
                      publication=publication, notify=notify)
