"""The first look at an import file: what is refused before anything large is built from it.

An import file comes from a person's computer (upload page) or disk (command line): it may be an
archive or a spreadsheet sent by mistake, a CSV with an unclosed quote, a JSON nested so deep that
a recursive parser overflows, or far more rows than any directory has. Each of these is refused
here with a French message that names the line (``Malformed``), before the rows are built, so that
neither the page nor the command shows a traceback and memory stays bounded by the row limit
(``IMPORT_MAX_ROWS``) rather than by what the file claims.
"""
import csv
import re
import unicodedata
from collections.abc import Iterator
from typing import TextIO
from flask_babel import gettext as _
from flask_babel import lazy_gettext

FIELD_MAX = 100_000  # characters in one value (a place's longest text is 10,000)
CELLS_MAX = 1_000  # a row has fewer values than this (the standard has about 40 columns)
JSON_DEPTH_MAX = 32  # nesting of JSON arrays and objects (a place needs 3)
JSON_CONTAINERS_PER_ROW = 10  # objects and arrays in all, per row allowed
JSON_VALUES_PER_ROW = 100  # values in all (commas), per row allowed


class Malformed(Exception):
    """A file that cannot be read safely: ``line`` is its line (0: the whole file)."""

    def __init__(self, message: str, *, line: int = 0, reason: str = _("fichier mal formé"), column: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.reason = reason
        self.column = column


def number(value: int) -> str:
    """200000 -> "200 000" (narrow non-breaking space between thousands)."""
    return f"{value:,}".replace(",", "\u202f")


# --- not a text file --------------------------------------------------------------------------

_SPREADSHEET_ADVICE = (lazy_gettext("Ouvrez-le dans votre tableur et enregistrez la feuille au format « CSV UTF-8 » "
                       "(Fichier > Enregistrer sous), puis envoyez ce fichier CSV."))
_ARCHIVE_ADVICE = lazy_gettext("Décompressez-le et envoyez le fichier CSV ou JSON qu'il contient.")

# (start of the file, what it is, what to do); the zip family is told apart below.
SIGNATURES = (
    (b"\x1f\x8b", lazy_gettext("un fichier compressé gzip (.gz)"), _ARCHIVE_ADVICE),
    (b"BZh", lazy_gettext("un fichier compressé bzip2 (.bz2)"), _ARCHIVE_ADVICE),
    (b"\xfd7zXZ\x00", lazy_gettext("un fichier compressé xz (.xz)"), _ARCHIVE_ADVICE),
    (b"\x28\xb5\x2f\xfd", lazy_gettext("un fichier compressé Zstandard (.zst)"), _ARCHIVE_ADVICE),
    (b"7z\xbc\xaf\x27\x1c", lazy_gettext("une archive 7-Zip (.7z)"), _ARCHIVE_ADVICE),
    (b"Rar!\x1a\x07", lazy_gettext("une archive RAR (.rar)"), _ARCHIVE_ADVICE),
    (b"%PDF-", lazy_gettext("un document PDF"), lazy_gettext("Un PDF ne peut pas être importé : demandez le fichier CSV ou JSON "
                                  "dont il est tiré.")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", lazy_gettext("un classeur Excel ancien format (.xls) ou un autre document "
                                          "Microsoft Office"), _SPREADSHEET_ADVICE),
    (b"\x89PNG\r\n\x1a\n", lazy_gettext("une image PNG"), lazy_gettext("Envoyez le fichier CSV ou JSON de l'annuaire.")),
    (b"\xff\xd8\xff", lazy_gettext("une image JPEG"), lazy_gettext("Envoyez le fichier CSV ou JSON de l'annuaire.")),
    (b"\xff\xfe", lazy_gettext("un texte enregistré en UTF-16"), lazy_gettext("Enregistrez-le en « CSV UTF-8 » depuis votre tableur.")),
    (b"\xfe\xff", lazy_gettext("un texte enregistré en UTF-16"), lazy_gettext("Enregistrez-le en « CSV UTF-8 » depuis votre tableur.")),
)
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _zip_kind(data: bytes) -> tuple[str, str]:
    if b"opendocument.spreadsheet" in data[:200]:
        return _("un classeur OpenDocument (.ods)"), _SPREADSHEET_ADVICE
    if b"xl/workbook" in data or b"xl/worksheets" in data:
        return _("un classeur Excel (.xlsx)"), _SPREADSHEET_ADVICE
    if b"word/document" in data or b"opendocument.text" in data[:200]:
        return _("un document de traitement de texte"), _("Envoyez le fichier CSV ou JSON de l'annuaire.")
    return _("une archive ZIP (.zip)"), _ARCHIVE_ADVICE


def refuse_binary(data: bytes) -> None:
    """Raises ``Malformed`` when the bytes are an archive, a compressed file, a spreadsheet, a PDF,
    an image, or contain a NUL byte: none of them is a CSV or JSON text."""
    kind = None
    if data.startswith(ZIP_SIGNATURES):
        kind, advice = _zip_kind(data)
    else:
        for signature, label, text in SIGNATURES:
            if data.startswith(signature):
                kind, advice = label, text
                break
    if kind is not None:
        raise Malformed(_("Ce fichier est %(kind)s, pas un fichier CSV ou JSON : %(advice)s", kind=kind, advice=advice), reason=_("fichier binaire"))
    nul = data.find(b"\x00")
    if nul >= 0:
        raise nul_byte(data.count(b"\n", 0, nul) + 1)


def nul_byte(line: int) -> Malformed:
    return Malformed(_("Le fichier contient un octet nul ligne %(line)s : ce n'est pas un fichier texte CSV ou JSON (fichier binaire, ou texte enregistré en UTF-16 : enregistrez-le en « CSV UTF-8 »).", line=line),
                     line=line, reason=_("fichier binaire"))


# --- CSV ---------------------------------------------------------------------------------------

def csv_rows(text: str | TextIO, separator: str, *, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    """The CSV's records one at a time, as (line where the record starts, cells), the header first.
    ``text`` is the whole text, or a file opened in text mode (read line by line: issue 15, item 6).

    Quoting is strict: a quote left open, or text after a closing quote, is refused with its line
    (a lenient reader would silently swallow the rest of the file into one value). A value longer
    than ``FIELD_MAX``, a row of ``CELLS_MAX`` cells or more, and more than ``max_rows`` rows (the
    header and blank lines aside) are refused as soon as they are read."""
    lines = _Lines(text, separator) if isinstance(text, str) else _FileLines(text, separator)
    # The limit is global to the csv module and other libraries raise it (frictionless, when it
    # validates a file): set ours each time, so a quote left open is always caught early.
    csv.field_size_limit(FIELD_MAX + 1)
    reader = csv.reader(lines, delimiter=separator, strict=True)
    rows = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _quoting_problem(str(error), start, reader.line_num, separator) from None
        if len(cells) >= CELLS_MAX:
            raise _too_many_cells(start)
        if any(len(cell) > FIELD_MAX for cell in cells):
            raise _field_too_long(start, reader.line_num)
        if start > 1 and any(cells):
            rows += 1
            if rows > max_rows:
                raise _too_many_rows(max_rows, line=start)
        yield start, cells


class _Lines:
    """The text's lines with their ends, one at a time (io.StringIO would copy the whole text).

    A line holding ``CELLS_MAX`` separators or more and no quote is refused before the CSV reader
    splits it (a line of commas alone would otherwise become millions of cells)."""

    def __init__(self, text: str, separator: str):
        self.text, self.separator = text, separator
        self.start, self.line = 0, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        text, start = self.text, self.start
        if start >= len(text):
            raise StopIteration
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        self.start = end
        self.line += 1
        if text.count(self.separator, start, end) >= CELLS_MAX and text.find('"', start, end) < 0:
            raise _too_many_cells(self.line)
        return text[start:end]


class _FileLines:
    """The lines of a file opened in text mode, one at a time, NFC-normalised, with the same guard
    against a line of separators alone as ``_Lines``."""

    def __init__(self, file: TextIO, separator: str):
        self.file, self.separator = file, separator
        self.line = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        text = self.file.readline()
        if not text:
            raise StopIteration
        self.line += 1
        if text.count(self.separator) >= CELLS_MAX and '"' not in text:
            raise _too_many_cells(self.line)
        return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _quoting_problem(error: str, start: int, line: int, separator: str) -> Malformed:
    if "field larger than field limit" in error:
        return _field_too_long(start, line)
    if "unexpected end of data" in error:
        return Malformed(_("Guillemet non fermé : la valeur qui commence ligne %(start)s s'ouvre par un guillemet « \" » qui n'est jamais refermé (jusqu'à la fin du fichier, ligne %(line)s). Ajoutez le guillemet fermant, ou doublez le guillemet s'il fait partie du texte (« \"\" »).", start=start, line=line),
                         line=start, reason=_("guillemet non fermé"))
    if "expected after" in error:
        if line > start:
            message = _("Guillemet mal placé ligne %(line)s (la valeur commence ligne %(start)s : un guillemet y est sans doute resté ouvert) : après un guillemet fermant, il faut le séparateur « %(separator)s » ou la fin de la ligne. Un guillemet à l'intérieur d'une valeur entre guillemets s'écrit doublé (« \"\" »).", line=line, start=start, separator=separator)
        else:
            message = _("Guillemet mal placé ligne %(line)s : après un guillemet fermant, il faut le séparateur « %(separator)s » ou la fin de la ligne. Un guillemet à l'intérieur d'une valeur entre guillemets s'écrit doublé (« \"\" »).", line=line, separator=separator)
        return Malformed(message, line=line, reason=_("guillemet mal placé"))
    return Malformed(_("Le fichier CSV est mal formé ligne %(line)s : vérifiez ses guillemets et ses séparateurs.", line=line),
                     line=line, reason=_("CSV mal formé"))


def _field_too_long(start: int, line: int) -> Malformed:
    if line <= start:
        message = _("Une valeur dépasse %(field_max)s caractères à la ligne %(start)s. Aucune information d'un lieu n'est aussi longue : vérifiez le fichier.", field_max=number(FIELD_MAX), start=start)
    else:
        message = _("Une valeur dépasse %(field_max)s caractères à partir de la ligne %(start)s (jusqu'à la ligne %(line)s au moins : un guillemet ouvert n'y est sans doute pas refermé). Aucune information d'un lieu n'est aussi longue : vérifiez le fichier.", field_max=number(FIELD_MAX), start=start, line=line)
    return Malformed(message, line=start, reason=_("valeur trop longue"))


def _too_many_cells(line: int) -> Malformed:
    return Malformed(_("La ligne %(line)s a %(cells_max)s cellules ou plus : ce n'est pas un annuaire de lieux (le standard a une quarantaine de colonnes).", line=line, cells_max=number(CELLS_MAX)), line=line, reason=_("trop de cellules"))


def _too_many_rows(max_rows: int, *, line: int = 0, found: int | None = None) -> Malformed:
    count = number(found) if found is not None else _("plus de %(max_rows)s", max_rows=number(max_rows))
    where = _(" (le lieu n° %(value)s commence ligne %(line)s)", value=number(max_rows + 1), line=line) if line else ""
    return Malformed(_("Le fichier compte %(count)s lieux%(where)s : la limite est de %(max_rows)s lieux par import (réglage IMPORT_MAX_ROWS). Découpez-le en plusieurs fichiers (par département, par exemple).", count=count, where=where, max_rows=number(max_rows)),
                     line=line, reason=_("trop de lignes"))


# --- JSON --------------------------------------------------------------------------------------

_PLAIN_STRING = re.compile(r'"[^"]*"')  # once escaped backslashes and quotes are gone
_NOT_STRUCTURE = re.compile(r"[^\[\]{},]+")
_EMPTY_PAIR = re.compile(r"\{\}|\[\]")
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def check_json(text: str, *, max_rows: int) -> None:
    """Refuses, before any parsing, a JSON text nested deeper than ``JSON_DEPTH_MAX`` (without
    recursion: the standard parser would overflow) or holding more objects and arrays, or values,
    than ``max_rows`` rows can need. Only the brackets and commas outside strings are looked at."""
    # escaped backslashes first, then escaped quotes: what remains between quotes is a string
    structure = _NOT_STRUCTURE.sub("", _PLAIN_STRING.sub("", text.replace("\\\\", "").replace('\\"', "")))
    commas = structure.count(",")
    brackets = structure.replace(",", "")
    del structure
    containers_max = JSON_CONTAINERS_PER_ROW * max_rows
    containers = brackets.count("{") + brackets.count("[")
    if containers > containers_max:
        raise _json_problem(text, containers_max)
    if commas > JSON_VALUES_PER_ROW * max_rows:
        raise Malformed(_("Le fichier JSON contient plus de %(value)s valeurs : bien plus que %(max_rows)s lieux (réglage IMPORT_MAX_ROWS). Découpez-le en plusieurs fichiers.", value=number(JSON_VALUES_PER_ROW * max_rows), max_rows=number(max_rows)),
                        reason=_("trop de lignes"))
    # Each pass removes the innermost empty pairs: after JSON_DEPTH_MAX passes, a text of that depth
    # at most has none left.
    for _pass in range(JSON_DEPTH_MAX):
        if not brackets:
            return
        brackets = _EMPTY_PAIR.sub("", brackets)
    if brackets:
        problem = _json_problem(text, containers_max, quiet=True)
        if problem is not None:
            raise problem
        # unbalanced but shallow: the parser reports the syntax error with its line


def _json_problem(text: str, containers_max: int, *, quiet: bool = False) -> Malformed | None:
    """Where the text goes deeper than JSON_DEPTH_MAX or past ``containers_max`` (a slow scan, only
    for a file already known to be refused)."""
    depth = opened = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            opened += 1
            if depth > JSON_DEPTH_MAX:
                line = text.count("\n", 0, match.start()) + 1
                return Malformed(_("Le fichier JSON est imbriqué sur plus de %(json_depth_max)s niveaux ligne %(line)s : un annuaire de lieux n'en a besoin que de trois. Vérifiez le fichier.", json_depth_max=JSON_DEPTH_MAX, line=line),
                                 reason=_("JSON trop imbriqué"))
            if opened > containers_max:
                line = text.count("\n", 0, match.start()) + 1
                return Malformed(_("Le fichier JSON contient plus de %(containers_max)s objets et listes (dépassé ligne %(line)s) : bien plus que %(value)s lieux (réglage IMPORT_MAX_ROWS). Découpez-le en plusieurs fichiers.", containers_max=number(containers_max), line=line, value=number(containers_max // JSON_CONTAINERS_PER_ROW)),
                                 reason=_("trop de lignes"))
        elif token in "]}":
            depth = max(0, depth - 1)
    return None if quiet else Malformed(_("Le fichier JSON est mal formé."), reason=_("JSON mal formé"))


JSON_MESSAGES = {
    "Expecting value": lazy_gettext("une valeur est attendue"),
    "Expecting ',' delimiter": lazy_gettext("une virgule est attendue"),
    "Expecting ':' delimiter": lazy_gettext("un deux-points est attendu"),
    "Expecting property name enclosed in double quotes": lazy_gettext("un nom de clé entre guillemets est attendu"),
    "Unterminated string starting at": lazy_gettext("un texte n'est pas fermé (guillemet manquant)"),
    "Invalid control character at": lazy_gettext("un texte contient un caractère de contrôle (saut de ligne non échappé ?)"),
    "Invalid \\escape": lazy_gettext("une séquence d'échappement « \\ » n'est pas valable"),
    "Invalid \\uXXXX escape": lazy_gettext("une séquence « \\u » n'est pas valable"),
    "Extra data": lazy_gettext("du texte suit la fin du JSON"),
}


def json_error_text(message: str) -> str:
    """The standard parser's message in French (the English one when it is not known)."""
    return next((french for english, french in JSON_MESSAGES.items() if message.startswith(english)), message)


def check_json_rows(items: list, *, max_rows: int) -> None:
    """The parsed list of places: at most ``max_rows``, each object with fewer than ``CELLS_MAX``
    keys, no text longer than ``FIELD_MAX`` nor holding a NUL character."""
    if len(items) > max_rows:
        raise _too_many_rows(max_rows, found=len(items))
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        line = index + 2  # object n° 1 is reported as line 2, as for the other rows
        if len(item) >= CELLS_MAX:
            raise Malformed(_("L'objet n° %(value)s a %(item)s clés : ce n'est pas un lieu (le standard a une quarantaine de colonnes).", value=index + 1, item=number(len(item))), line=line, reason=_("trop de cellules"))
        for key, value in item.items():
            for text in _strings(value):
                if len(text) > FIELD_MAX:
                    raise Malformed(_("La valeur de « %(value)s » dépasse %(field_max)s caractères : aucune information d'un lieu n'est aussi longue.", value=str(key)[:80], field_max=number(FIELD_MAX)), line=line, column=str(key)[:80],
                                    reason=_("valeur trop longue"))
                if "\x00" in text:
                    raise Malformed(_("La valeur de « %(value)s » contient un caractère nul (\\u0000) : supprimez-le.", value=str(key)[:80]), line=line, column=str(key)[:80], reason=_("caractère nul"))


def _strings(value) -> Iterator[str]:
    """The texts in a JSON value (its depth is bounded by JSON_DEPTH_MAX)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
