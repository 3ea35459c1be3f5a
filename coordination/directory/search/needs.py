"""The needs vocabulary (issue 14): the words, phrases, acronyms and brands residents use, each mapped
to services, programmes or typologies of the national standard « Lieux de médiation numérique ».

The vocabulary is data, reviewed in ``needs.csv`` next to this module (``NEEDS_FILE`` points to
another file): one line per term, columns ``terme``, ``nature`` (sigle, mot, expression, marque),
``services``, ``programmes`` and ``typologies`` (values of ``coordination.vocabularies`` separated by
« | »). It is read once, when the application starts, and checked then: a duplicate term, an unknown
nature or a value the standard does not have stops the start with a French message naming the line.

This module only reads and checks the file; ``search`` turns the terms into index terms."""
from __future__ import annotations

import csv
import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from coordination.vocabularies import PROGRAMMES, SERVICES, TYPOLOGY_CODES

DEFAULT_FILE = Path(__file__).with_name("needs.csv")
KINDS = {"sigle": "acronym", "mot": "word", "expression": "phrase", "marque": "brand"}
COLUMNS = ("terme", "nature", "services", "programmes", "typologies")
_ALLOWED = {"services": SERVICES, "programmes": PROGRAMMES, "typologies": TYPOLOGY_CODES}

# How the results page says what a need was understood as: « … : lieux qui aident aux démarches
# administratives ». One phrase per service of the standard.
SERVICE_PHRASES = {
    "Aide aux démarches administratives": "qui aident aux démarches administratives",
    "Maîtrise des outils numériques du quotidien": "qui aident à utiliser les outils numériques du quotidien",
    "Insertion professionnelle via le numérique": "qui aident à chercher un emploi avec le numérique",
    "Utilisation sécurisée du numérique": "qui aident à utiliser le numérique en sécurité",
    "Parentalité et éducation avec le numérique": "qui accompagnent parents et enfants dans le numérique",
    "Loisirs et créations numériques": "qui proposent des loisirs et créations numériques",
    "Compréhension du monde numérique": "qui aident à comprendre le monde numérique",
    "Accès internet et matériel informatique": "qui donnent accès à internet et à du matériel informatique",
    "Acquisition de matériel informatique à prix solidaire": "qui proposent du matériel informatique à prix solidaire",
}


class NeedsFileError(RuntimeError):
    """The needs file cannot be used: the message (French) names the file and the line."""


@dataclass(frozen=True)
class Need:
    term: str                       # as written in the file: « carte grise », « CAF »
    kind: str                       # acronym | word | phrase | brand
    services: tuple[str, ...]
    programmes: tuple[str, ...]
    typologies: tuple[str, ...]
    line: int

    @property
    def categories(self) -> dict[str, tuple[str, ...]]:
        """Place vocabulary key -> values (the keys of ``vocabularies.PLACE_VOCABULARIES``)."""
        return {"services": self.services, "programmes": self.programmes, "typology": self.typologies}

    def understood(self) -> str:
        """« lieux qui aident aux démarches administratives » (services first, else programmes, else typologies)."""
        if self.services:
            return "lieux " + " ou ".join(SERVICE_PHRASES[s] for s in self.services)
        if self.programmes:
            return "lieux du dispositif " + " ou ".join(f"« {p} »" for p in self.programmes)
        return "lieux de type " + " ou ".join(self.typologies)


def key_of(term: str) -> str:
    """Lowercase, accents folded, spaces collapsed: how duplicates are found."""
    text = unicodedata.normalize("NFKD", term.lower().replace("œ", "oe").replace("æ", "ae"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split("|") if part.strip())


def load(path: str | os.PathLike) -> tuple[Need, ...]:
    """Reads and checks a needs file. Raises NeedsFileError (French, naming the line)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as file:
            rows = list(csv.reader(file))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise NeedsFileError(f"Fichier des besoins illisible ({path}) : {error}") from error
    if not rows or tuple(cell.strip() for cell in rows[0]) != COLUMNS:
        raise NeedsFileError(f"Fichier des besoins {path}, ligne 1 : l'en-tête doit être « {','.join(COLUMNS)} ».")
    needs, seen = [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"Fichier des besoins {path}, ligne {number}"
        if len(row) != len(COLUMNS):
            raise NeedsFileError(f"{where} : {len(COLUMNS)} colonnes attendues, {len(row)} trouvées.")
        values = dict(zip(COLUMNS, (cell.strip() for cell in row), strict=True))
        term = " ".join(values["terme"].split())
        if not term:
            raise NeedsFileError(f"{where} : le terme est vide.")
        key = key_of(term)
        if key in seen:
            raise NeedsFileError(f"{where} : « {term} » figure déjà ligne {seen[key]}.")
        seen[key] = number
        if values["nature"] not in KINDS:
            raise NeedsFileError(f"{where} : nature « {values['nature']} » inconnue "
                                 f"(valeurs possibles : {', '.join(KINDS)}).")
        mapped = {}
        for column, allowed in _ALLOWED.items():
            mapped[column] = _split(values[column])
            for value in mapped[column]:
                if value not in allowed:
                    raise NeedsFileError(f"{where} : « {value} » n'est pas une valeur de « {column} » du "
                                         "standard « Lieux de médiation numérique ».")
        if not any(mapped.values()):
            raise NeedsFileError(f"{where} : « {term} » n'est associé à aucun service, programme ni typologie.")
        needs.append(Need(term, KINDS[values["nature"]], mapped["services"], mapped["programmes"],
                          mapped["typologies"], number))
    if not needs:
        raise NeedsFileError(f"Fichier des besoins {path} : aucun besoin.")
    return tuple(needs)


_ACTIVE: tuple[Need, ...] | None = None
_LOCK = threading.Lock()


def activate(path: str | os.PathLike | None = None, *, check=None) -> tuple[Need, ...]:
    """Loads and checks the file (the default one without a path) and makes it the vocabulary in use.
    ``check`` (the search's analysis of the terms) may refuse it too. Called when the application
    starts: a bad file stops it, and the vocabulary in use stays the one before."""
    global _ACTIVE
    loaded = load(path or DEFAULT_FILE)
    if check is not None:
        check(loaded)
    with _LOCK:
        _ACTIVE = loaded
    return loaded


def active() -> tuple[Need, ...]:
    """The vocabulary in use (the default file when no application activated one)."""
    if _ACTIVE is None:
        activate()
    return _ACTIVE


def default_acronyms() -> frozenset[str]:
    """The one-word acronyms of the repository's file, folded: the analysis keeps them whole."""
    return frozenset(key_of(need.term) for need in load(DEFAULT_FILE)
                     if need.kind == "acronym" and " " not in need.term)
