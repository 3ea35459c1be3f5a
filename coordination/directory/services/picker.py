"""The place picker: a few public places matching a name or a commune, for the forms where a
partner or a coordinator chooses a place (a meeting's place, a referral's new place).

Matching ignores case and accents: every typed word must begin a word of the place's name, commune
or postcode. The database narrows the candidates (letters that may carry an accent match any
character there), Python keeps those whose folded words really match."""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_

from coordination.directory import permissions
from coordination.directory.models import Place
from coordination.directory.search import fold
from coordination.directory.services.open_data import _public_places_query
from coordination.errors import PermissionDenied
from coordination.extensions import db

PICKER_LIMIT = 8  # places offered at once
PICKER_MIN_LENGTH = 2  # characters typed before anything is offered
_CANDIDATES = 400  # rows the database gives for Python to check
_MAX_WORDS = 5
_WORD = re.compile(r"\w+")
_ACCENTED = re.compile(r"[aeiouyc]")  # letters that may carry an accent in a French name
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class PlaceChoice:
    id: str  # the place's public id
    name: str
    commune: str
    postcode: str | None

    @property
    def label(self) -> str:
        """What the picker's text field shows once the place is chosen."""
        return f"{self.name} — {self.commune}"

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "commune": self.commune, "postcode": self.postcode or "",
                "label": self.label}


def _choice(place: Place) -> PlaceChoice:
    return PlaceChoice(place.public_id, place.name, place.commune, place.postcode)


def _require_picker(actor) -> None:
    if not permissions.can_pick_places(actor):
        raise PermissionDenied(_("Le choix d'un lieu est réservé aux membres des organisations actives du réseau."))


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))[:_MAX_WORDS]


def _pattern(word: str) -> str:
    return "%" + _ACCENTED.sub("_", word.replace("_", "")) + "%"


def _matches(place: Place, words: list[str]) -> bool:
    own = _WORD.findall(fold(f"{place.name} {place.commune} {place.postcode or ''}"))
    return all(any(mine.startswith(word) for mine in own) for word in words)


def _rank(place: Place, words: list[str]) -> tuple:
    name = fold(place.name)
    return (not name.startswith(words[0]), not all(w in name for w in words), name, fold(place.commune))


def find_places_to_pick(text: str, *, actor, limit: int = PICKER_LIMIT) -> list[PlaceChoice]:
    """Up to ``limit`` public places whose name, commune or postcode begin with the typed words
    (a page address or a public id finds its place), best first: names that begin with the text,
    then names holding every word, then the rest, alphabetically."""
    _require_picker(actor)
    text = (text or "").strip()[:200]
    found = _UUID.search(text.lower())
    if found:
        chosen = place_to_pick(found.group(0), actor=actor)
        return [chosen] if chosen else []
    words = _words(text)
    if len("".join(words)) < PICKER_MIN_LENGTH:
        return []
    query = _public_places_query()
    for word in words:
        pattern = _pattern(word)
        query = query.where(or_(Place.name.ilike(pattern), Place.commune.ilike(pattern), Place.postcode.like(pattern)))
    candidates = db.session.scalars(query.order_by(Place.name, Place.id).limit(_CANDIDATES)).all()
    matching = sorted((p for p in candidates if _matches(p, words)), key=lambda p: _rank(p, words))
    return [_choice(place) for place in matching[:limit]]


def place_to_pick(public_id: str, *, actor) -> PlaceChoice | None:
    """The public place of that id as the picker shows it, or None (unknown, or not public)."""
    _require_picker(actor)
    place = db.session.scalar(_public_places_query().where(Place.public_id == str(public_id or "")[:36]))
    return _choice(place) if place is not None else None
