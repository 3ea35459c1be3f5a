"""Closures of a place: temporary closures and exceptional hours, declared by its editors."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from coordination import audit
from coordination.core.clock import DateOutOfRange, check_day, to_paris, utcnow
from coordination.directory import hours
from coordination.directory.models import Place, PlaceClosure
from coordination.directory.services import writes
from coordination.directory.services.places import get_place_for_edit
from coordination.errors import Invalid, NotFound
from coordination.extensions import db
CLOSURE_NOT_FOUND = lazy_gettext("Cette fermeture n'existe pas ou a déjà été supprimée.")
CLOSURE_MAX_DAYS = 366
CLOSURE_MESSAGE_MAX = 280


def paris_today() -> date:
    return to_paris(utcnow()).date()


class _Period:
    """A period not saved yet, for ``hours.closure_period``."""

    def __init__(self, starts_on: date, ends_on: date):
        self.starts_on, self.ends_on = starts_on, ends_on


def _closure_date(value, errors: dict, name: str, missing: str) -> date | None:
    """A day typed as AAAA-MM-JJ or JJ/MM/AAAA, within the years 2000 to 2100."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if isinstance(value, date):
        day = value
    elif not text:
        errors[name] = [missing]
        return None
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            try:
                number, month, year = (int(part) for part in text.replace("-", "/").split("/"))
                day = date(year, month, number)
            except ValueError:
                errors[name] = [_("« %(text)s » n'est pas une date valable (format JJ/MM/AAAA).", text=text[:20])]
                return None
    try:
        return check_day(day)
    except DateOutOfRange as error:
        errors[name] = [str(error)]
        return None


def _clean_closure(place: Place, data: dict, today: date) -> dict:
    """{starts_on, ends_on, closed, opening_hours, message} -> the closure's columns; Invalid otherwise."""
    errors: dict[str, list[str]] = {}
    starts_on = _closure_date(data.get("starts_on"), errors, "starts_on", _("Indiquez la date de début."))
    ends_on = _closure_date(data.get("ends_on"), errors, "ends_on", _("Indiquez la date de fin."))
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = [_("La date de fin doit être le même jour que la date de début ou après.")]
        elif starts_on < today:
            errors["starts_on"] = [_("La date de début est passée : indiquez aujourd'hui ou une date à venir.")]
        elif (ends_on - starts_on).days >= CLOSURE_MAX_DAYS:
            errors["ends_on"] = [_("Une fermeture temporaire dure au plus un an : au-delà, modifiez les horaires "
                                 "du lieu ou retirez-le de l'annuaire.")]
        else:
            for other in place.closures:
                if other.starts_on <= ends_on and starts_on <= other.ends_on:
                    errors["starts_on"] = [_("Une autre période est déjà déclarée %(period)s : supprimez-la d'abord "
                                             "ou choisissez d'autres dates.",
                                             period=hours.closure_period(other, today))]
                    break
    opening_hours = None
    if not data.get("closed"):
        try:
            opening_hours = hours.validate(data.get("opening_hours")) or None
        except hours.HoursError as error:
            errors["opening_hours"] = [str(error)]
        else:
            if opening_hours is None:
                errors["opening_hours"] = [_("Indiquez au moins un créneau, ou choisissez « fermé ».")]
            elif starts_on and ends_on and not errors and not hours.opens_between(opening_hours, starts_on, ends_on):
                errors["opening_hours"] = [_("Avec ces horaires, le lieu n'ouvre aucun jour de la période "
                                             "(%(period)s) : indiquez un créneau pour l'un de ses jours, ou "
                                             "choisissez « fermé ».",
                                             period=hours.closure_period(_Period(starts_on, ends_on), today))]
    message = " ".join((data.get("message") or "").split()) or None
    if message and len(message) > CLOSURE_MESSAGE_MAX:
        errors["message"] = [_("%(max)s caractères au maximum (actuellement %(length)s).",
                               max=CLOSURE_MESSAGE_MAX, length=len(message))]
    if errors:
        raise Invalid(errors=errors)
    return {"starts_on": starts_on, "ends_on": ends_on, "opening_hours": opening_hours, "message": message}


def add_closure(place_id: int, data: dict, *, actor) -> PlaceClosure:
    """Declares a temporary closure (``closed`` true) or exceptional hours (``opening_hours``, OSM
    syntax, as the weekday editor writes them; the place must open on one day of the period at least) from ``starts_on`` to ``ends_on`` inclusive, with an optional ``message`` for residents."""
    place = get_place_for_edit(place_id, actor=actor)
    cleaned = _clean_closure(place, data, paris_today())
    closure = PlaceClosure(place=place, created_by_id=getattr(actor, "id", None), **cleaned)
    db.session.add(closure)
    db.session.flush()
    audit.record(actor, "place.closure.add", "place", place.id, closure_id=closure.id,
                 starts_on=closure.starts_on.isoformat(), ends_on=closure.ends_on.isoformat(),
                 closed=closure.opening_hours is None)
    writes.commit([place.id])
    return closure


def remove_closure(closure_id: int, *, actor) -> PlaceClosure:
    closure = db.session.get(PlaceClosure, closure_id)
    if closure is None:
        raise NotFound(CLOSURE_NOT_FOUND)
    place = get_place_for_edit(closure.place_id, actor=actor)
    db.session.delete(closure)
    audit.record(actor, "place.closure.remove", "place", place.id, closure_id=closure_id)
    writes.commit([place.id])
    return closure


def place_closures(place_id: int, *, actor) -> tuple[Place, list[PlaceClosure]]:
    """The place (for its editors) and its current and future closures."""
    place = get_place_for_edit(place_id, actor=actor)
    return place, hours.upcoming_closures(place, paris_today())

