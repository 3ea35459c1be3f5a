"""Opening hours: between the weekday editor partners fill in and the OSM `opening_hours` syntax
the national standard stores (column `horaires`). Pure functions, no database, no request.

A *week* is ``{"Mo": [("09:00", "12:00"), ("14:00", "17:30")], "Tu": [], ...}``: for each weekday
code of ``vocabularies.WEEKDAYS``, its time ranges as zero-padded "HH:MM" strings, in order.
An empty list means closed (or not stated).

Expressions the editor cannot show (public holidays, months, week numbers, comments…) are kept
verbatim in the "advanced" field: ``split`` takes the leading rules it can represent and returns the
rest untouched, ``join`` puts them back in the same order, so the meaning never changes.

Evaluation (``is_open_at``, ``open_on_saturday``, ``status_text``) uses opening-hours-py in
Europe/Paris with the French public holidays (``PH``). A place's temporary closures override its
regular hours on the days they cover: closed when the closure has no hours, else its own hours.
"place" here is anything with ``opening_hours`` and ``closures`` (load the closures with the places
when evaluating many). Naive datetimes are UTC, as stored in the database.
"""
import functools
import re
from datetime import date, datetime, time, timedelta
from itertools import pairwise

import opening_hours
from babel.dates import format_skeleton, format_time, get_day_names
from babel.lists import format_list
from flask_babel import get_locale, gettext as _

from coordination.core.clock import MONTHS, PARIS, date_fr, to_paris
from coordination.core.french import time_fr
from coordination.vocabularies import WEEKDAYS

DAYS = tuple(code for code, _ in WEEKDAYS)
DAY_NAMES = dict(WEEKDAYS)
MAX_RANGES = 2  # the editor shows two ranges per day (morning, afternoon)
MAX_LENGTH = 1000
NBSP = "\u00a0"

Week = dict[str, list[tuple[str, str]]]


class HoursError(ValueError):
    """An expression or an editor entry that cannot be saved; the message is in French.

    From the weekday editor it names the input at fault (``slot`` 1 or 2, ``edge`` "start" or "end"),
    so that the form shows the message beside that input and not beside the day's first one."""

    def __init__(self, message: str, slot: int = 1, edge: str = "start"):
        super().__init__(message)
        self.slot, self.edge = slot, edge


_TIME = r"(?:[01]?\d|2[0-3]):[0-5]\d"
_DAY = "|".join(DAYS)
_DAY_SELECTOR = rf"(?:{_DAY})(?:-(?:{_DAY}))?(?:,(?:{_DAY})(?:-(?:{_DAY}))?)*"
_RANGES = rf"{_TIME}-{_TIME}(?:,{_TIME}-{_TIME})*"
_RULE = re.compile(rf"^(?P<days>{_DAY_SELECTOR})\s+(?P<times>{_RANGES})$")
_EDITOR_TIME = re.compile(r"^\s*(\d{1,2})\s*[:hH]\s*(\d{2})?\s*(?::\d{2})?\s*$")


def empty_week() -> Week:
    return {day: [] for day in DAYS}


def _pad(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"


# --- week -> OSM ---------------------------------------------------------------------------

def _runs(week: Week) -> list[tuple[tuple, list[str]]]:
    """Consecutive days with identical ranges: [(ranges, [days…]), …], closed days left out."""
    runs: list[tuple[tuple, list[str]]] = []
    for day in DAYS:
        ranges = tuple(tuple(r) for r in week.get(day) or ())
        if ranges and runs and runs[-1][0] == ranges and DAYS.index(runs[-1][1][-1]) == DAYS.index(day) - 1:
            runs[-1][1].append(day)
        elif ranges:
            runs.append((ranges, [day]))
    return runs


def _groups(week: Week) -> list[tuple[tuple, list[list[str]]]]:
    """Runs with identical ranges merged, in order of first appearance: [(ranges, [run, run…]), …]."""
    groups: dict[tuple, list[list[str]]] = {}
    for ranges, days in _runs(week):
        groups.setdefault(ranges, []).append(days)
    return list(groups.items())


def _osm_days(runs: list[list[str]]) -> str:
    return ",".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def to_osm(week: Week) -> str:
    """``{"Mo".."Fr": [(09:00, 12:00), (14:00, 17:30)], "Sa": [(09:00, 12:00)]}``
    -> ``"Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00"``; ``""`` for an empty week."""
    rules = []
    for ranges, runs in _groups(week):
        times = ",".join(f"{_pad(start)}-{_pad(end)}" for start, end in ranges)
        rules.append(f"{_osm_days(runs)} {times}")
    return "; ".join(rules)


# --- OSM -> week ---------------------------------------------------------------------------

def _expand(selector: str) -> list[str]:
    days = []
    for part in selector.split(","):
        first, _, last = part.partition("-")
        start = DAYS.index(first)
        end = DAYS.index(last or first)
        length = (end - start) % 7 + 1  # "Sa-Mo" wraps around the week end
        days.extend(DAYS[(start + i) % 7] for i in range(length))
    return days


def _parse_rule(rule: str) -> dict[str, list[tuple[str, str]]] | None:
    match = _RULE.match(rule.strip())
    if not match:
        return None
    ranges = []
    for span in match["times"].split(","):
        start, end = (_pad(t) for t in span.split("-"))
        if start >= end:  # overnight ranges and empty ranges are not editable
            return None
        ranges.append((start, end))
    if len(ranges) > MAX_RANGES or any(a[1] > b[0] for a, b in pairwise(ranges)):
        return None
    days = _expand(match["days"])
    if len(set(days)) != len(days):
        return None
    return {day: list(ranges) for day in days}


def _rules(expr: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the rules separated by ";" outside double-quoted comments."""
    spans, start, quoted = [], 0, False
    for i, char in enumerate(expr):
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(expr)))
    return spans


def split(expr: str | None) -> tuple[Week, str]:
    """The leading rules the editor can show, as a week, and the rest of the expression verbatim.
    ``join(*split(expr))`` means the same as ``expr``."""
    week = empty_week()
    expr = (expr or "").strip()
    for start, end in _rules(expr):
        rule = expr[start:end].strip()
        if not rule:
            continue
        parsed = _parse_rule(rule)
        if parsed is None or any(week[day] for day in parsed):
            return week, expr[start:].strip().strip(";").strip()
        week.update(parsed)
    return week, ""


def from_osm(expr: str | None) -> Week | None:
    """The week that ``to_osm`` would write as ``expr``, or None when the editor cannot represent it."""
    week, rest = split(expr)
    return None if rest else week


def join(week: Week, extra: str | None = "") -> str:
    """The editor's week followed by the expert rules (later OSM rules override earlier ones)."""
    return "; ".join(part for part in (to_osm(week), (extra or "").strip().strip(";").strip()) if part)


# --- validation ----------------------------------------------------------------------------

def validate(expr: str | None) -> str:
    """The expression, stripped, if opening_hours accepts it; raises HoursError otherwise."""
    expr = (expr or "").strip()
    if not expr:
        return ""
    if len(expr) > MAX_LENGTH:
        raise HoursError(_("Les horaires ne peuvent pas dépasser %(max)s caractères.", max=MAX_LENGTH))
    try:
        opening_hours.OpeningHours(expr)
    except opening_hours.ParserError as error:
        position = re.search(r"-->\s*\d+:(\d+)", str(error))
        example = "Mo-Fr 09:00-12:00,14:00-17:30; PH off"
        raise HoursError(
            _("Horaires non reconnus (vers le caractère %(position)s) : vérifiez la syntaxe OpenStreetMap, "
              "par exemple « %(example)s ».", position=position[1], example=example) if position else
            _("Horaires non reconnus : vérifiez la syntaxe OpenStreetMap, par exemple « %(example)s ».",
              example=example)
        ) from None
    return expr


def parse_time(value: str | None) -> str | None:
    """An editor time ("09:00", "9:00", "9h30", "14 h") as "HH:MM"; None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    match = _EDITOR_TIME.match(value)
    if not match or int(match[1]) > 23 or int(match[2] or 0) > 59:
        raise HoursError(_("« %(value)s » n'est pas une heure valable (format HH:MM, par exemple 09:00).",
                           value=value))
    return f"{int(match[1]):02d}:{match[2] or '00'}"


def parse_editor(raw: dict[str, list[tuple[str | None, str | None]]]) -> tuple[Week, dict[str, HoursError]]:
    """The editor's raw inputs ``{"Mo": [(start, end), (start, end)], …}`` -> (week, errors by day).

    Each error's text names its day (« Vendredi : … créneau 2 … ») and the error knows its input."""
    week, errors = empty_week(), {}
    for day in DAYS:
        try:
            week[day] = _parse_day(raw.get(day) or [])
        except HoursError as error:
            errors[day] = HoursError(_("%(day)s : %(problem)s", day=DAY_NAMES[day], problem=error),
                                     error.slot, error.edge)
    return week, errors


def _parse_day(pairs) -> list[tuple[str, str]]:
    ranges = []
    for number, (start_text, end_text) in enumerate(pairs, start=1):
        start, end = _slot_time(start_text, number, "start"), _slot_time(end_text, number, "end")
        if start is None and end is None:
            continue
        if start is None or end is None:
            raise HoursError(_("indiquez l'heure d'ouverture et l'heure de fermeture du créneau %(slot)s.",
                               slot=number), number, "start" if start is None else "end")
        if start >= end:
            raise HoursError(_("la fermeture du créneau %(slot)s (%(end)s) doit être après son ouverture "
                               "(%(start)s).", slot=number, end=end, start=start), number, "end")
        if ranges and start < ranges[-1][1]:
            raise HoursError(_("le créneau %(slot)s doit commencer après la fin du créneau précédent "
                               "(%(end)s).", slot=number, end=ranges[-1][1]), number, "start")
        ranges.append((start, end))
    return ranges


def _slot_time(value: str | None, slot: int, edge: str) -> str | None:
    try:
        return parse_time(value)
    except HoursError as error:
        raise HoursError(str(error), slot, edge) from None


# --- description for people -----------------------------------------------------------------
# French is written here as it always was (« Lundi au vendredi : 9 h – 12 h »), with or without a
# request; a page in another language gets gettext's sentences and Babel's names and times.

def N_(text: str) -> str:
    """Marks a message for extraction where it is translated later."""
    return text


def _language():
    """The Babel locale of a page in another language than French, or None (French: no request,
    or a French page)."""
    locale = get_locale()
    return locale if locale is not None and locale.language != "fr" else None


def _french_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def _day_name(day: str, locale) -> str:
    """« lundi » (French, lower case: written inside a sentence), « Monday », « lunes »…"""
    if locale is None:
        return DAY_NAMES[day].lower()
    return get_day_names("wide", locale=locale)[DAYS.index(day)]


def _capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


def _days_text(runs: list[list[str]], locale) -> str:
    parts = []
    for run in runs:
        names = [_day_name(day, locale) for day in run]
        if len(run) <= 2:
            parts.extend(names)
        elif locale is None:
            parts.append(f"{names[0]} au {names[-1]}")
        else:
            parts.append(_("%(first)s au %(last)s", first=names[0], last=names[-1]))
    text = _french_list(parts) if locale is None else format_list(parts, locale=locale)
    return _capitalised(text)


def _time(value, locale) -> str:
    """« 9 h 30 » in French, Babel's short time of the page's language otherwise (« 9:30 AM »)."""
    if locale is None:
        return time_fr(value)
    if isinstance(value, str):
        hours_, minutes = (int(part) for part in value.split(":")[:2])
        value = time(hours_, minutes)
    return format_time(value, "short", locale=locale)


def _separator(locale) -> str:
    return "، " if locale is not None and locale.language == "ar" else ", "  # Arabic has its own comma


def _day_line(days: str, text: str, locale) -> str:
    return f"{days}{NBSP}: {text}" if locale is None else _("%(days)s : %(hours)s", days=days, hours=text)


def _special(rule: str, locale) -> str:
    """The rules the editor cannot show, as they are, or in words for the common ones."""
    key = rule.lower()
    if key in ("ph off", "ph closed"):
        return "Fermé les jours fériés" if locale is None else _("Fermé les jours fériés")
    if key == "24/7":
        return "Ouvert 24 h/24, 7 jours sur 7" if locale is None else _("Ouvert 24 h/24, 7 jours sur 7")
    return f"Horaires particuliers{NBSP}: {rule}" if locale is None else _("Horaires particuliers : %(rule)s",
                                                                            rule=rule)


_EVERY_DAY = re.compile(rf"^\s*{_RANGES}\s*$")


def _every_day(expr: str | None) -> str:
    """Rules without a day selector ("10:00-12:00") apply every day: written out so they can be shown."""
    expr = expr or ""
    return "; ".join(f"Mo-Su {rule.strip()}" if _EVERY_DAY.match(rule) else rule.strip()
                     for rule in (expr[start:end] for start, end in _rules(expr)) if rule.strip())


def describe_lines(expr: str | None) -> list[str]:
    """Lines for people in the page's language: ["Lundi au vendredi : 9 h – 12 h, 14 h – 17 h 30", …],
    ["Monday to Friday: 9:00 AM – 12:00 PM, …"]."""
    locale = _language()
    week, rest = split(_every_day(expr))
    lines = []
    for ranges, runs in _groups(week):
        times = _separator(locale).join(f"{_time(start, locale)} – {_time(end, locale)}" for start, end in ranges)
        lines.append(_day_line(_days_text(runs, locale), times, locale))
    if lines and not all(week.values()) and not rest:
        merged = _runs({day: [("closed", "closed")] if not week[day] else [] for day in DAYS})
        days = _days_text([days for _, days in merged], locale)
        lines.append(f"{days}{NBSP}: fermé" if locale is None else _("%(days)s : fermé", days=days))
    for start, end in _rules(rest) if rest else []:
        rule = rest[start:end].strip()
        if rule:
            lines.append(_special(rule, locale))
    return lines


def describe(expr: str | None) -> str:
    """``describe_lines`` as one text, one line per group of days."""
    return "\n".join(describe_lines(expr))


# --- evaluation ----------------------------------------------------------------------------

HORIZON_DAYS = 14  # how far "ouvre lundi à 9 h" looks ahead
SATURDAYS = 8  # "ouvert le samedi": open on one of the next eight Saturdays
OPEN, CLOSED, UNKNOWN = "open", "closed", "unknown"
_STATES = {opening_hours.State.OPEN: OPEN, opening_hours.State.CLOSED: CLOSED}


@functools.lru_cache(maxsize=8192)
def parsed(expr: str) -> "opening_hours.OpeningHours | None":
    """The expression ready to evaluate (Paris time, French holidays), None when unreadable.
    Cached: search evaluates the same few hundred expressions over and over."""
    try:
        return opening_hours.OpeningHours(expr, timezone=PARIS, country="FR")
    except (opening_hours.ParserError, ValueError, SyntaxError):
        return None


def closure_on(place, day: date):
    """The temporary closure covering ``day`` (the one starting last when several do), or None."""
    covering = [c for c in (getattr(place, "closures", None) or ()) if c.starts_on <= day <= c.ends_on]
    return max(covering, key=lambda c: (c.starts_on, c.id or 0)) if covering else None


def _effective(place, day: date) -> tuple[str | None, object]:
    """(the expression that applies on ``day`` or None for "closed all day", the closure if any).
    Without a closure, the regular hours ("" when not stated)."""
    closure = closure_on(place, day)
    if closure is not None:
        return (closure.opening_hours or "").strip() or None, closure
    return (place.opening_hours or "").strip(), None


def _local(at: datetime) -> datetime:
    return to_paris(at)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), PARIS)


def _day_segments(place, day: date, start: datetime) -> list[tuple[datetime, datetime, str]]:
    end = _midnight(day + timedelta(days=1))
    expr, _ = _effective(place, day)
    if expr is None:
        return [(start, end, CLOSED)]
    schedule = parsed(expr) if expr else None
    if schedule is None:
        return [(start, end, UNKNOWN)]
    return [(max(a, start), min(b, end), _STATES.get(state, UNKNOWN))
            for a, b, state, _ in schedule.intervals(start, end) if a < end]


def _segments(place, start: datetime, days: int = HORIZON_DAYS):
    """(from, to, state) from ``start`` for ``days`` days, each day under its own effective hours,
    consecutive equal states merged."""
    current = None
    day = start.date()
    for offset in range(days):
        this_day = day + timedelta(days=offset)
        begin = start if offset == 0 else _midnight(this_day)
        for segment in _day_segments(place, this_day, begin):
            if current and current[2] == segment[2] and current[1] == segment[0]:
                current = (current[0], segment[1], current[2])
                continue
            if current:
                yield current
            current = segment
    if current:
        yield current


def is_open_at(place, at: datetime) -> bool:
    """Open at ``at`` under its regular hours, or under the temporary closure covering that day."""
    local = _local(at)
    expr, _ = _effective(place, local.date())
    return bool(expr) and _open_at(expr, local)


@functools.lru_cache(maxsize=4096)
def _open_at(expr: str, local: datetime) -> bool:
    # « Ouvert maintenant » asks about thousands of places at one moment, and many share their
    # hours (« Mo-Fr 09:00-12:00,14:00-17:00 »): each distinct text is evaluated once per moment.
    schedule = parsed(expr)
    return schedule is not None and schedule.is_open(local)


@functools.lru_cache(maxsize=8192)
def _open_on_saturday(expr: str, today: date) -> bool:
    schedule = parsed(expr)
    if schedule is None:
        return False
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    for week in range(SATURDAYS):
        day = saturday + timedelta(weeks=week)
        intervals = schedule.intervals(_midnight(day), _midnight(day + timedelta(days=1)))
        if any(state == opening_hours.State.OPEN for _, _, state, _ in intervals):
            return True
    return False


def opens_between(expr: str, first: date, last: date) -> bool:
    """``expr`` opens at some time between the days ``first`` and ``last`` inclusive (public holidays
    included): exceptional hours that never open during their period are a mistake."""
    schedule = parsed(expr)
    if schedule is None:
        return False
    intervals = schedule.intervals(_midnight(first), _midnight(last + timedelta(days=1)))
    return any(state == opening_hours.State.OPEN for _, _, state, _ in intervals)


def open_on_saturday(place, today: date | None = None) -> bool:
    """The regular hours open at some time on a Saturday (one of the next eight: public holidays
    and seasons aside). Temporary closures are not considered."""
    expr = (place.opening_hours or "").strip()
    if not expr:
        return False
    return _open_on_saturday(expr, today or _local(datetime.now(PARIS)).date())


def short_date(day: date, today: date | None = None) -> str:
    """« 3 mars », with the year when it is not this year's (« 3 mars 2027 »); « March 3 » in English."""
    locale = _language()
    this_year = today is not None and day.year == today.year
    if locale is not None:
        return format_skeleton("MMMMd" if this_year else "yMMMMd", day, locale=locale)
    text = f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]}"
    return text if this_year else f"{text} {day.year}"


def long_date(value: date | datetime | None) -> str:
    """« 3 mars 2026 » (Paris time for datetimes) in the page's language; "" for None."""
    locale = _language()
    if locale is None or value is None:
        return date_fr(value)
    return format_skeleton("yMMMMd", to_paris(value).date() if isinstance(value, datetime) else value,
                           locale=locale)


# « ferme à 14 h », « ouvre demain à 9 h »…: whole sentences, one per verb and kind of day, so that
# each language words them as a whole (« closes tomorrow at 9:00 AM »).
_CLOSES = (N_("Ouvert maintenant, ferme à %(time)s"), N_("Ouvert maintenant, ferme demain à %(time)s"),
           N_("Ouvert maintenant, ferme %(day)s à %(time)s"), N_("Ouvert maintenant, ferme le %(date)s à %(time)s"))
_OPENS = (N_("Fermé, ouvre à %(time)s"), N_("Fermé, ouvre demain à %(time)s"),
          N_("Fermé, ouvre %(day)s à %(time)s"), N_("Fermé, ouvre le %(date)s à %(time)s"))


def _when(moment: datetime, now: datetime, sentences: tuple[str, ...]) -> str:
    """One of ``sentences`` (today, tomorrow, a day of this week, a date) filled in: « ferme à 14 h »,
    « ouvre demain à 9 h », « ouvre lundi à 9 h », « ouvre le 3 mars à 9 h »."""
    locale = _language()
    days = (moment.date() - now.date()).days
    kind = 0 if days == 0 else 1 if days == 1 else 2 if days < 7 else 3
    values = {"time": _time(moment, locale), "day": _day_name(DAYS[moment.weekday()], locale),
              "date": short_date(moment.date(), now.date())}
    if locale is None:
        return sentences[kind] % values
    return _(sentences[kind], **values)


def _french_or(text: str, **values) -> str:
    """``text`` as written here on a French page, through gettext on another."""
    return (text % values if values else text) if _language() is None else _(text, **values)


def closure_text(closure, today: date | None = None) -> str:
    """« Fermé temporairement jusqu'au 3 mars : travaux » / « Horaires exceptionnels jusqu'au … »."""
    until = short_date(closure.ends_on, today)
    if not (closure.opening_hours or "").strip():
        text = _french_or(N_("Fermé temporairement jusqu'au %(date)s"), date=until)
    else:
        text = _french_or(N_("Horaires exceptionnels jusqu'au %(date)s"), date=until)
    if not closure.message:
        return text
    if _language() is None:
        return f"{text}{NBSP}: {closure.message}"
    return _("%(closure)s : %(message)s", closure=text, message=closure.message)


def status_text(place, at: datetime) -> str:
    """Today's state in the page's language: « Ouvert maintenant, ferme à 12 h », « Fermé, ouvre
    lundi à 9 h », « Fermé temporairement jusqu'au 3 mars : travaux », « Horaires non renseignés »."""
    now = _local(at)
    closure = closure_on(place, now.date())
    if closure is not None and not (closure.opening_hours or "").strip():
        return closure_text(closure, now.date())
    if closure is None and not (place.opening_hours or "").strip():
        return _french_or(N_("Horaires non renseignés"))
    text = _status(place, now)
    if closure is None:
        return text
    return f"{text} (horaires exceptionnels)" if _language() is None else _(
        "%(status)s (horaires exceptionnels)", status=text)


def _status(place, now: datetime) -> str:
    segments = _segments(place, now)
    first = next(segments, None)
    if first is None or first[2] == UNKNOWN:
        return _french_or(N_("Horaires à confirmer auprès du lieu"))
    if first[2] == OPEN:
        if first[1] >= now + timedelta(days=HORIZON_DAYS - 1):
            return _french_or(N_("Ouvert maintenant"))
        return _when(first[1], now, _CLOSES)
    opening = next((s for s in segments if s[2] == OPEN), None)
    if opening is None:
        return _french_or(N_("Fermé"))
    return _when(opening[0], now, _OPENS)


def next_opening(place, at: datetime) -> datetime | None:
    """When the place opens next, from ``at`` (``at`` itself when it is open), within the horizon
    its hours are read for; None when its hours are unknown or it never opens there."""
    now = _local(at)
    closure = closure_on(place, now.date())
    if closure is None and not (place.opening_hours or "").strip():
        return None
    return next((start for start, _, state in _segments(place, now) if state == OPEN), None)


def upcoming_closures(place, today: date) -> list:
    """The closures that are not over yet, the current one first."""
    return sorted((c for c in (getattr(place, "closures", None) or ()) if c.ends_on >= today),
                  key=lambda c: (c.starts_on, c.id or 0))


def closure_period(closure, today: date | None = None) -> str:
    """« le 3 mars », « du 3 mars au 10 mars » (the year when it is not this year's)."""
    if closure.starts_on == closure.ends_on:
        return _french_or(N_("le %(date)s"), date=short_date(closure.starts_on, today))
    return _french_or(N_("du %(start)s au %(end)s"), start=short_date(closure.starts_on, today),
                      end=short_date(closure.ends_on, today))
