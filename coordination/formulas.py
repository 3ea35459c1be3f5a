"""Formula injection in the open-data files (issue 13, finding 8).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some also with a tab
or a carriage return) as a formula: ``=HYPERLINK(...)`` in a place's name would act in the
spreadsheet of whoever opens the published CSV. Two guards:

- at input, the text fields of places and organisations refuse a leading ``=``, ``+``, ``@``, tab
  or carriage return (``starts_like_formula``, French ``MESSAGE``). A leading ``-`` stays allowed:
  « - » lists are common in presentations;
- in the open-data CSV, ``safe_cell`` puts an apostrophe before any text cell that starts with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return (a file imported before the input guard, and the
  ``-`` lists). A cell that is only a number (``-1.5``, a phone number in the standard's
  ``+33240123456`` form) is left alone: a spreadsheet reads it as that number, nothing runs, and
  the standard's schema expects it that way. The import takes the apostrophe back off
  (``without_guard``), so a Maillage file round-trips.
"""
import re

REFUSED_AT_INPUT = ("=", "+", "@", "\t", "\r")
GUARDED_IN_FILES = frozenset("=+-@\t\r")
GUARD = "'"
MESSAGE = ("Ce champ ne peut pas commencer par =, +, @ ni par une tabulation : un tableur le prendrait "
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
