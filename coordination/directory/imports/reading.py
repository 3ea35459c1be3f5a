"""Reading directory files for import: a file into rows of the national standard 1.0.1.

A file is read into rows (``coordination.directory.imports.ImportRow``) whatever its shape: the
standard 1.0.1 (CSV or JSON), the older 0.1 (CSV with ``;`` or JSON, mapped with the official
0.1 -> 1.0 table), the France Services list (``france_services.py``), or any file with a mapping
profile (``profiles.py``). Everything a person can fix in the file is reported with its line and
column; what can be read safely despite a small flaw (Latin-1, a header's case or accents) is read
and reported as a warning. The bytes are checked by ``parsing.py``; each record becomes a row in
``rows.py``.
"""
import codecs
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_babel import ngettext

from coordination.directory import serializers
from coordination.directory.imports import parsing, profiles
from coordination.directory.imports.plan import ERROR, WARNING, ImportRow, Problem, name_words
from coordination.directory.imports.rows import COLUMNS_01, ONLY_01, ONLY_101, RowReader, drop_personal_emails_of

FORMAT_LABELS = {
    "1.0.1": lazy_gettext("standard « Lieux de médiation numérique » 1.0.1"),
    "0.1": lazy_gettext("standard « Lieux de médiation numérique » 0.1 (converti en 1.0.1)"),
    "france-services": lazy_gettext("liste nationale des France Services (convertie en 1.0.1)"),
}
UNKNOWN_FORMAT = "inconnu"

DEFAULT_MAX_ROWS = 200_000  # IMPORT_MAX_ROWS when read outside the application


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


# --- reading the bytes ---------------------------------------------------------------------------

def _size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size:,} octets".replace(",", "\u00a0")
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def _file_problem(message: str, reason: str, severity: str = ERROR, line: int = 0, column: str = "") -> Problem:
    return Problem(line, column, message, severity, reason)


def _empty_file() -> Problem:
    return _file_problem(_("Le fichier est vide : il ne contient aucun lieu."), _("fichier vide"))


def _header_only() -> Problem:
    return _file_problem(_("Le fichier ne contient que la ligne d'en-tête : aucun lieu."), _("fichier vide"), line=1)


def _not_utf8(line: int, encoding: str) -> Problem:
    return _file_problem(
        _("Le fichier n'est pas en UTF-8 (premier caractère non UTF-8 ligne %(line)s) : il a été lu en %(encoding)s. Vérifiez les accents ci-dessous et enregistrez-le en UTF-8 la prochaine fois.", line=line, encoding=encoding),
        _("encodage non UTF-8"), WARNING)


def decode(data: bytes, result: ReadResult) -> str | None:
    """UTF-8 (with or without BOM), else Windows-1252/Latin-1, reported as a warning."""
    if data.startswith(b"\xef\xbb\xbf"):
        result.encoding = _("UTF-8 avec BOM")
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
        result.problems.append(_not_utf8(line, result.encoding))
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
        result.problems.append(too_big_problem(len(data), max_bytes))
        return
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        result.problems.append(_empty_file())
        return
    parsing.refuse_binary(data)
    text = decode(data, result)
    del data
    if text.lstrip()[:1] in ("[", "{"):
        result.json = True
        records = _json_records(text, result, max_rows)
    elif _json_scalar(text):
        result.json = True
        result.problems.append(_file_problem(NOT_A_LIST, _("JSON mal formé")))
        return
    else:
        records = _csv_records(text, result, max_rows)
    del text
    if records is None:
        return
    _to_standard(records, result)


def too_big_problem(size: int, max_bytes: int) -> Problem:
    return _file_problem(_("Le fichier fait %(size)s : la limite est de %(max_bytes)s. Découpez-le en plusieurs fichiers (par département, par exemple).", size=_size_text(size), max_bytes=_size_text(max_bytes)), _("fichier trop volumineux"))


def read_path(path: str | os.PathLike, *, max_bytes: int | None = None, name: str | None = None,
              max_rows: int | None = None, profile: profiles.Profile | None = None) -> ReadResult:
    size = Path(path).stat().st_size
    if max_bytes is not None and size > max_bytes:
        result = ReadResult()
        result.problems.append(too_big_problem(size, max_bytes))
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
        result.problems.append(too_big_problem(size, max_bytes))
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
        result.problems.append(_empty_file())
        return None, False
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{") or (
            len(head) < SCAN_CHUNK and _json_scalar(head.decode("utf-8", "replace"))):
        return "json", True
    if not bad_line:
        result.encoding = _("UTF-8 avec BOM") if head.startswith(b"\xef\xbb\xbf") else "UTF-8"
        return "utf-8-sig", False
    encoding = "cp1252" if _decodes(path, "cp1252") else "latin-1"
    result.encoding = "Windows-1252" if encoding == "cp1252" else "Latin-1 (ISO-8859-1)"
    result.problems.append(_not_utf8(bad_line, result.encoding))
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
        result.problems.append(_empty_file())
        return
    if not has_rows:  # said before the format: a header alone is no file to map
        result.problems.append(_header_only())
        return
    names = [name.strip().lstrip("\ufeff") for name in header]
    standardiser = _Standardiser(set(names), result)
    if not standardiser.ready:
        return

    def lines() -> Iterator[tuple[int, list[str], Problem | None]]:
        with open(path, encoding=encoding) as file:
            reader = parsing.csv_rows(file, separator, max_rows=max_rows)
            next(reader)
            yield from _filled_lines(reader, names, separator)

    def rows() -> Iterator[ImportRow]:
        for line, cells, problem in lines():
            if problem is not None:
                yield ImportRow(line=line, record={}, problems=[problem])
                continue
            row = standardiser.row(line, dict(zip(names, cells, strict=False)))
            if strip_personal_emails:
                drop_personal_emails_of(row)
            yield row

    def names_read() -> Iterator[str]:
        """Each row's name as the file has it: in the standard's shapes, the cell under « nom »."""
        column = next(i for i, name in enumerate(names) if standardiser.renamed.get(name, name) == "nom")
        for _line, cells, problem in lines():
            yield "" if problem else cells[column]

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
        words.update(name_words(name))
    result.row_stream, result.row_count, result.name_counts = rows, count, words


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    separator = max(counts, key=counts.get)
    return separator if counts[separator] else ","


def _filled_lines(reader: Iterator[tuple[int, list[str]]], names: list[str],
                  separator: str) -> Iterator[tuple[int, list[str], Problem | None]]:
    """The CSV lines that hold a value, each with its problem when its cells are not under its columns."""
    for line, cells in reader:
        if any(cell.strip() for cell in cells):
            yield line, cells, _bad_line(line, cells, names, separator)


def _bad_line(line: int, cells: list[str], names: list[str], separator: str) -> Problem | None:
    if len(cells) == len(names) or (len(cells) > len(names) and not any(c.strip() for c in cells[len(names):])):
        return None
    # This line only is rejected (issue 15): the values are not under their columns any more.
    why = (_("une valeur contient sans doute le séparateur « %(separator)s » sans guillemets", separator=separator)
           if len(cells) > len(names) else _("il manque des séparateurs"))
    return _file_problem(_("La ligne a %(cells)s cellules pour %(names)s colonnes : %(why)s. Ce lieu est laissé de côté ; les autres lignes sont lues.", cells=len(cells), names=len(names), why=why), _("nombre de cellules incorrect"), line=line)


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
NOT_A_LIST = (lazy_gettext("Le fichier doit contenir une liste d'objets, un par lieu (ou un objet dont la clé %(wrapper_keys)s ou %(wrapper_keys2)s contient cette liste).", wrapper_keys=', '.join(WRAPPER_KEYS[:-1]), wrapper_keys2=WRAPPER_KEYS[-1]))


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
        result.problems.append(_file_problem(_("Le fichier JSON est mal formé ligne %(lineno)s : %(msg)s.", lineno=error.lineno, msg=parsing.json_error_text(error.msg)),
                                             _("JSON mal formé")))
        return None
    if isinstance(data, dict):  # {"meta": …, "data": [...]} or a GeoJSON FeatureCollection
        data = _unwrap(data)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        result.problems.append(_file_problem(NOT_A_LIST, _("JSON mal formé")))
        return None
    if not data:
        result.problems.append(_empty_file())
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
        result.problems.append(_empty_file())
        return None
    names = [name.strip().lstrip("\ufeff") for name in header]
    records = []
    for index, cells, problem in _filled_lines(reader, names, separator):
        if problem is not None:
            result.bad_lines[index] = problem
        records.append((index, dict(zip(names, cells, strict=False))))
    if not records:
        result.problems.append(_header_only())
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
        _("Format non reconnu : ce fichier n'a pas les colonnes du standard « Lieux de médiation numérique » (obligatoires : %(required_fields)s) ni celles de la liste France Services. Colonnes trouvées : %(value)s. Importez-le avec un profil de correspondance qui fait le lien entre ses colonnes et celles du standard (en ligne de commande : --profil NOM ; profils disponibles : %(value2)s).", required_fields=', '.join(serializers.REQUIRED_FIELDS), value=', '.join(sorted(columns)) or 'aucune', value2=', '.join(names) or 'aucun'),
        _("format non reconnu"), line=1)


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
                result.problems.append(_file_problem(
                    ngettext("Colonne du profil « %(name)s » absente du fichier : %(missing)s. Colonnes trouvées : %(columns)s.", "Colonnes du profil « %(name)s » absentes du fichier : %(missing)s. Colonnes trouvées : %(columns)s.", len(missing), name=result.profile.name, missing=', '.join(missing), columns=', '.join(sorted(columns))),
                    _("colonne du profil absente"), line=1))
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
        self.reader = RowReader("1.0.1" if result.format == "profil" else result.format, json_file=result.json)
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
                _("En-têtes lus sans tenir compte des majuscules ni des accents : %(shown)s.", shown=shown),
                _("en-têtes avec majuscules ou accents"), WARNING, line=1))
        return renamed

    def _has_required(self, columns: set[str]) -> bool:
        result = self.result
        known = set(serializers.STANDARD_FIELDS) | (ONLY_01 | set(COLUMNS_01) if result.format == "0.1" else set())
        present = {COLUMNS_01.get(c, c) for c in columns} if result.format == "0.1" else columns
        missing = [c for c in serializers.REQUIRED_FIELDS if c not in present]
        if missing:
            result.problems.append(_file_problem(
                ngettext("Colonne obligatoire absente : %(missing)s. Colonnes trouvées : %(value)s.", "Colonnes obligatoires absentes : %(missing)s. Colonnes trouvées : %(value)s.", len(missing), missing=', '.join(missing), value=', '.join(sorted(columns)) or _('aucune')), _("colonne obligatoire absente"), line=1))
            return False
        unknown = sorted(columns - known - {"structureId"} - set(serializers.EXTRA_FIELDS))
        if unknown and result.format not in ("france-services", "profil"):
            result.problems.append(_file_problem(_("Colonnes ignorées (absentes du standard) : %(unknown)s.", unknown=', '.join(unknown)),
                                                 _("colonnes ignorées"), WARNING, line=1))
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


def drop_personal_emails(read: ReadResult) -> int:
    """Leaves out of each row the addresses that look nominative, each with a warning; returns how many."""
    return sum(drop_personal_emails_of(row) for row in read.rows)
