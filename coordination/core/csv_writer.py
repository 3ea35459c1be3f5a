"""CSV files, one dialect per audience, and the guard against formula injection.

- ``SPREADSHEET``: what French spreadsheets open by a double click — ``;`` between cells, a BOM
  before the header, decimal commas. The coordinators' downloads (statistics, participation).
- ``OPEN_DATA``: the national standard's — ``,`` between cells, UTF-8 without BOM, decimal points.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some also with a tab
or a carriage return) as a formula: ``=HYPERLINK(...)`` in a place's name would act in the
spreadsheet of whoever opens the file. Two guards (issue 13, finding 8):

- at input, the free texts of places and organisations refuse a leading ``=``, ``+``, ``@``, tab
  or carriage return (``starts_like_formula``, French ``FORMULA_MESSAGE``). A leading ``-`` stays
  allowed: « - » lists are common in presentations;
- in every CSV written here, ``safe_cell`` puts an apostrophe before a text cell that starts with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return. A cell that is only a number (``-1.5``, a
  phone number in the standard's ``+33240123456`` form) is left alone: a spreadsheet reads it as
  that number, nothing runs, and the standard's schema expects it that way. The import takes the
  apostrophe back off (``without_guard``), so a Maillage file round-trips.
"""
import csv
import io
import re
from dataclasses import dataclass

REFUSED_AT_INPUT = ("=", "+", "@", "\t", "\r")
GUARDED_IN_FILES = frozenset("=+-@\t\r")
GUARD = "'"
FORMULA_MESSAGE = ("Ce champ ne peut pas commencer par =, +, @ ni par une tabulation : un tableur le prendrait "
                   "pour une formule.")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def starts_like_formula(text) -> bool:
    """Whether a text starts as the input guard refuses (``=``, ``+``, ``@``, tab, carriage return)."""
    return isinstance(text, str) and text.startswith(REFUSED_AT_INPUT)


def safe_cell(value):
    """A CSV cell that no spreadsheet runs as a formula: an apostrophe before a guarded text."""
    if value.__class__ is str and value and value[0] in GUARDED_IN_FILES and not _NUMBER.fullmatch(value):
        return GUARD + value
    return value


def without_guard(text: str) -> str:
    """A cell read back: the apostrophe ``safe_cell`` added is taken off."""
    if text[:1] == GUARD and text[1:2] and text[1] in GUARDED_IN_FILES:
        return text[1:]
    return text


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    bom: bool
    decimal: str


SPREADSHEET = Dialect(delimiter=";", bom=True, decimal=",")
OPEN_DATA = Dialect(delimiter=",", bom=False, decimal=".")


def number(value: float | None, places: int = 3, *, dialect: Dialect = SPREADSHEET) -> str:
    """A decimal as the dialect writes it, trailing zeros off: 0.5 → « 0,5 » for spreadsheets."""
    if value is None:
        return ""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".") if places else f"{value:.0f}"
    return text.replace(".", dialect.decimal)


class CsvWriter:
    """Rows to CSV text or to a stream, every text cell through ``safe_cell``. Floats are the
    caller's to format (``number``): the open data keeps their full precision."""

    def __init__(self, dialect: Dialect, stream=None):
        self.dialect = dialect
        self.stream = stream if stream is not None else io.StringIO()
        if dialect.bom:
            self.stream.write("\ufeff")
        self._writerow = csv.writer(self.stream, delimiter=dialect.delimiter, lineterminator="\r\n").writerow

    def row(self, cells) -> None:
        self._writerow(map(safe_cell, cells))

    def rows(self, rows) -> None:
        for cells in rows:
            self.row(cells)

    def text(self) -> str:
        return self.stream.getvalue()


def csv_text(header, rows, *, dialect: Dialect = SPREADSHEET) -> str:
    """A whole file as text: the header, then the rows."""
    writer = CsvWriter(dialect)
    writer.row(header)
    writer.rows(rows)
    return writer.text()
